// HashModel through its public, torch-free interface: encoding, batch independence,
// saving and loading, and the display matrices.

#include "clustered_data.h"
#include "method/hash_model.h"
#include "method/similarity.h"

#include <QCryptographicHash>
#include <QRegularExpression>
#include <QTest>

#include <algorithm>
#include <cmath>
#include <random>

using namespace esafh;
using namespace esafh::test;

namespace {

/// Small networks, so the tests stay fast.
EsafhSettings smallSettings()
{
    EsafhSettings settings;
    settings.bits = 32;
    settings.epochs = 2;
    settings.imageHiddenUnits = 64;
    settings.textHiddenUnits = 64;
    settings.graphUnits = 32;
    settings.neighbourCount = 5;
    settings.device = QStringLiteral("cpu");
    settings.threads = 1;
    return settings;
}

ClusteredDataShape smallShape()
{
    ClusteredDataShape shape;
    shape.items = 120;
    return shape;
}

double maxAbsoluteDifference(const FeatureMatrix &a, const FeatureMatrix &b)
{
    return (a - b).cwiseAbs().maxCoeff();
}

double asymmetry(const SquareMatrix &matrix)
{
    return (matrix - matrix.transpose()).cwiseAbs().maxCoeff();
}

} // namespace

class TestHashModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void createRejectsUnpairedFeatures();
    void codesMatchRealValuedSigns();
    void textCodeIgnoresBatch();
    void imageCodeIgnoresBatch();
    void wrongWidthGivesNoCodes();
    void saveLoadGivesIdenticalCodes();
    void damagedStateFails_data();
    void damagedStateFails();
    void changedNetworkSizeFailsToLoad();
    void similarityMatricesOfUntrainedModel();
    void similarityMatricesOfAnchor();
    void similarityMatricesOfEveryMethod();
    void similarityMatricesRejectBadInput();

private:
    ClusteredData m_data;
    std::unique_ptr<HashModel> m_trained;
};

void TestHashModel::initTestCase()
{
    m_data = makeClusteredData(smallShape(), 11);
    Result<TrainingOutcome> outcome = trainEsafh(m_data.images, m_data.texts, smallSettings());
    QVERIFY2(outcome.ok(), qPrintable(outcome.error()));
    m_trained = std::move(outcome->model);
}

void TestHashModel::createRejectsUnpairedFeatures()
{
    const Result<std::unique_ptr<HashModel>> model =
        HashModel::create(smallSettings(), m_data.images, rowRange(m_data.texts, 0, 50));
    QVERIFY(!model.ok());
    QVERIFY2(model.error().contains(QStringLiteral("50")), qPrintable(model.error()));
}

void TestHashModel::codesMatchRealValuedSigns()
{
    const HashCodes codes = m_trained->encodeTexts(m_data.texts);
    const FeatureMatrix real = m_trained->realValuedTextCodes(m_data.texts);
    QCOMPARE(codes.size(), static_cast<int>(m_data.texts.rows()));
    QCOMPARE(real.cols(), 32);
    for (int i = 0; i < codes.size(); ++i)
        for (int b = 0; b < codes.bits(); ++b)
            QCOMPARE(codes.bit(i, b), real(i, b) >= 0);
    QVERIFY(real.cwiseAbs().maxCoeff() <= 1.0f);
}

void TestHashModel::textCodeIgnoresBatch()
{
    // Training texts and new texts, encoded together, must each get the code they
    // get alone: a text's neighbours come from the training texts only.
    const ClusteredData fresh = makeClusteredData(smallShape(), 99);
    FeatureMatrix mixed(20, m_data.texts.cols());
    mixed << rowRange(m_data.texts, 0, 10), rowRange(fresh.texts, 0, 10);

    const HashCodes together = m_trained->encodeTexts(mixed);
    const FeatureMatrix realTogether = m_trained->realValuedTextCodes(mixed);
    for (int i = 0; i < mixed.rows(); ++i) {
        const HashCodes alone = m_trained->encodeTexts(mixed.row(i));
        QCOMPARE(alone.size(), 1);
        QVERIFY2(alone == together.subset({i}), qPrintable(QStringLiteral("text %1").arg(i)));
        QVERIFY(maxAbsoluteDifference(m_trained->realValuedTextCodes(mixed.row(i)), realTogether.row(i)) < 1e-5);
    }
}

void TestHashModel::imageCodeIgnoresBatch()
{
    const HashCodes together = m_trained->encodeImages(m_data.images);
    for (int i : {0, 1, 57, 119})
        QVERIFY(m_trained->encodeImages(m_data.images.row(i)) == together.subset({i}));
}

void TestHashModel::wrongWidthGivesNoCodes()
{
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("Cannot encode images")));
    QCOMPARE(m_trained->encodeImages(FeatureMatrix::Zero(3, 5)).size(), 0);
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("Cannot encode texts")));
    QCOMPARE(m_trained->encodeTexts(FeatureMatrix::Zero(3, 5)).size(), 0);
}

void TestHashModel::saveLoadGivesIdenticalCodes()
{
    const QByteArray state = m_trained->saveState();
    QVERIFY(!state.isEmpty());

    const Result<std::unique_ptr<HashModel>> loaded = HashModel::loadState(state, smallSettings());
    QVERIFY2(loaded.ok(), qPrintable(loaded.error()));
    const HashModel &model = *loaded.value();
    QCOMPARE(model.imageDimension(), m_trained->imageDimension());
    QCOMPARE(model.textDimension(), m_trained->textDimension());

    QVERIFY(model.encodeImages(m_data.images) == m_trained->encodeImages(m_data.images));
    QVERIFY(model.encodeTexts(m_data.texts) == m_trained->encodeTexts(m_data.texts));
    QCOMPARE(maxAbsoluteDifference(model.realValuedTextCodes(m_data.texts), m_trained->realValuedTextCodes(m_data.texts)),
             0.0);

    // The attention network is restored too.
    const FeatureMatrix images = rowRange(m_data.images, 0, 30);
    const FeatureMatrix texts = rowRange(m_data.texts, 0, 30);
    const Result<SimilarityMatrices> before = computeSimilarityMatrices(*m_trained, images, texts);
    const Result<SimilarityMatrices> after = computeSimilarityMatrices(model, images, texts);
    QVERIFY(before.ok() && after.ok());
    QCOMPARE(maxAbsoluteDifference(before->attention, after->attention), 0.0);
    QCOMPARE(maxAbsoluteDifference(before->fused, after->fused), 0.0);

    // Saving the loaded model gives the same bytes.
    QCOMPARE(model.saveState(), state);
}

void TestHashModel::damagedStateFails_data()
{
    QTest::addColumn<QByteArray>("state");

    const QByteArray state = m_trained->saveState();
    QTest::newRow("empty") << QByteArray();
    QTest::newRow("truncated header") << state.left(20);
    QTest::newRow("truncated payload") << state.left(state.size() / 2);

    QByteArray flipped = state;
    flipped[flipped.size() - 100] = static_cast<char>(flipped[flipped.size() - 100] ^ 0x5a);
    QTest::newRow("payload byte changed") << flipped;

    QByteArray wrongTag = state;
    wrongTag[0] = 'X';
    QTest::newRow("wrong tag") << wrongTag;

    QByteArray wrongVersion = state;
    wrongVersion[13] = 9;
    QTest::newRow("other version") << wrongVersion;

    std::mt19937 generator(5);
    QByteArray random(4096, '\0');
    for (char &byte : random)
        byte = static_cast<char>(generator());
    QTest::newRow("random bytes") << random;

    // A valid frame around a payload that is not a pickle reaches LibTorch's parser.
    const QByteArray garbage(2000, 'g');
    QByteArray framed = state.left(14);
    framed.append(QCryptographicHash::hash(garbage, QCryptographicHash::Sha256));
    framed.append(garbage);
    QTest::newRow("garbage with valid checksum") << framed;

    // A valid frame around a zip that ends early.
    const QByteArray cut = state.mid(46, (state.size() - 46) / 2);
    QByteArray framedCut = state.left(14);
    framedCut.append(QCryptographicHash::hash(cut, QCryptographicHash::Sha256));
    framedCut.append(cut);
    QTest::newRow("cut payload with valid checksum") << framedCut;
}

void TestHashModel::damagedStateFails()
{
    QFETCH(QByteArray, state);

    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("Cannot load the hash model state")));
    const Result<std::unique_ptr<HashModel>> loaded = HashModel::loadState(state, smallSettings());
    QVERIFY(!loaded.ok());
    QVERIFY2(loaded.error().startsWith(QStringLiteral("Cannot load the hash model")), qPrintable(loaded.error()));
}

void TestHashModel::changedNetworkSizeFailsToLoad()
{
    const QByteArray state = m_trained->saveState();

    EsafhSettings wider = smallSettings();
    wider.imageHiddenUnits = 128;
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("Cannot load the hash model state")));
    const Result<std::unique_ptr<HashModel>> loaded = HashModel::loadState(state, wider);
    QVERIFY(!loaded.ok());
    QVERIFY2(loaded.error().contains(QStringLiteral("image/hidden.weight")), qPrintable(loaded.error()));

    EsafhSettings longer = smallSettings();
    longer.bits = 64;
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("Cannot load the hash model state")));
    const Result<std::unique_ptr<HashModel>> otherBits = HashModel::loadState(state, longer);
    QVERIFY(!otherBits.ok());
    QVERIFY2(otherBits.error().contains(QStringLiteral("32-bit")), qPrintable(otherBits.error()));
}

void TestHashModel::similarityMatricesOfUntrainedModel()
{
    const Result<std::unique_ptr<HashModel>> model = HashModel::create(smallSettings(), m_data.images, m_data.texts);
    QVERIFY2(model.ok(), qPrintable(model.error()));

    const int n = 24;
    const Result<SimilarityMatrices> matrices =
        computeSimilarityMatrices(*model.value(), rowRange(m_data.images, 0, n), rowRange(m_data.texts, 0, n));
    QVERIFY2(matrices.ok(), qPrintable(matrices.error()));
    QCOMPARE(matrices->candidateNames, QStringList({QStringLiteral("S_I"), QStringLiteral("S_T"), QStringLiteral("S_C")}));

    for (const SquareMatrix *matrix : {&matrices->image, &matrices->text, &matrices->enrichedText,
                                       &matrices->crossModal, &matrices->fused, &matrices->code}) {
        QCOMPARE(matrix->rows(), n);
        QCOMPARE(matrix->cols(), n);
        QVERIFY(asymmetry(*matrix) < 1e-5);
    }
    for (const SquareMatrix *cosine : {&matrices->image, &matrices->text, &matrices->enrichedText}) {
        QVERIFY(cosine->maxCoeff() <= 1.0f);
        QVERIFY(cosine->minCoeff() >= -1.0f);
        QVERIFY((cosine->diagonal().array() == 1.0f).all());
    }

    // The attention starts at the uniform prior.
    QCOMPARE(matrices->attention.rows(), n);
    QCOMPARE(matrices->attention.cols(), 3);
    QVERIFY((matrices->attention.array() - 1.0f / 3).abs().maxCoeff() < 1e-6);
}

void TestHashModel::similarityMatricesOfAnchor()
{
    // DJSRH's target over the displayed items, from its S_I and S_T shown beside it.
    EsafhSettings settings = EsafhSettings::forMethod(QStringLiteral("djsrh")).value();
    const EsafhSettings small = smallSettings();
    settings.bits = small.bits;
    settings.imageHiddenUnits = small.imageHiddenUnits;
    settings.textHiddenUnits = small.textHiddenUnits;
    settings.device = small.device;
    const Result<std::unique_ptr<HashModel>> model = HashModel::create(settings, m_data.images, m_data.texts);
    QVERIFY2(model.ok(), qPrintable(model.error()));

    const int n = 12;
    const Result<SimilarityMatrices> matrices =
        computeSimilarityMatrices(*model.value(), rowRange(m_data.images, 0, n), rowRange(m_data.texts, 0, n));
    QVERIFY2(matrices.ok(), qPrintable(matrices.error()));
    QCOMPARE(matrices->candidateNames, QStringList({QStringLiteral("S_I"), QStringLiteral("S_T")}));
    QCOMPARE(matrices->attention.cols(), 2);
    QVERIFY(std::abs(matrices->attention(5, 0) - 0.9f) < 1e-6f);
    QVERIFY(maxAbsoluteDifference(matrices->enrichedText, matrices->text) < 1e-6);

    double largestError = 0;
    for (int i = 0; i < n; ++i) {
        for (int j = 0; j < n; ++j) {
            double second = 0;
            for (int k = 0; k < n; ++k) {
                const double ik = 0.9 * matrices->image(i, k) + 0.1 * matrices->text(i, k);
                const double jk = 0.9 * matrices->image(j, k) + 0.1 * matrices->text(j, k);
                second += ik * jk;
            }
            const double first = 0.9 * matrices->image(i, j) + 0.1 * matrices->text(i, j);
            const double expected = 1.5 * (0.6 * first + 0.4 * second / n);
            largestError = std::max(largestError, std::abs(expected - matrices->fused(i, j)));
        }
    }
    QVERIFY2(largestError < 1e-5, qPrintable(QString::number(largestError)));
}

void TestHashModel::similarityMatricesOfEveryMethod()
{
    // Each method's display matrices, down to the smallest set of 2 items.
    for (const QString &method : EsafhSettings::methodNames()) {
        EsafhSettings settings = EsafhSettings::forMethod(method).value();
        const EsafhSettings small = smallSettings();
        settings.bits = small.bits;
        settings.imageHiddenUnits = small.imageHiddenUnits;
        settings.textHiddenUnits = small.textHiddenUnits;
        settings.graphUnits = small.graphUnits;
        settings.device = small.device;
        const Result<std::unique_ptr<HashModel>> model = HashModel::create(settings, m_data.images, m_data.texts);
        QVERIFY2(model.ok(), qPrintable(model.error()));

        for (int n : {2, 12}) {
            const Result<SimilarityMatrices> matrices =
                computeSimilarityMatrices(*model.value(), rowRange(m_data.images, 0, n), rowRange(m_data.texts, 0, n));
            QVERIFY2(matrices.ok(), qPrintable(method + QLatin1String(": ") + matrices.error()));
            QCOMPARE(matrices->fused.rows(), n);
            QVERIFY2(matrices->fused.allFinite(), qPrintable(method));
            QVERIFY2(asymmetry(matrices->fused) < 1e-5, qPrintable(method));
            QCOMPARE(matrices->attention.cols(), matrices->candidateNames.size());
        }
    }
}

void TestHashModel::similarityMatricesRejectBadInput()
{
    const Result<SimilarityMatrices> unpaired =
        computeSimilarityMatrices(*m_trained, rowRange(m_data.images, 0, 5), rowRange(m_data.texts, 0, 4));
    QVERIFY(!unpaired.ok());

    const Result<SimilarityMatrices> single =
        computeSimilarityMatrices(*m_trained, rowRange(m_data.images, 0, 1), rowRange(m_data.texts, 0, 1));
    QVERIFY(!single.ok());

    const Result<SimilarityMatrices> narrow =
        computeSimilarityMatrices(*m_trained, FeatureMatrix::Zero(4, 3), rowRange(m_data.texts, 0, 4));
    QVERIFY(!narrow.ok());
    QVERIFY2(narrow.error().contains(QStringLiteral("trained on")), qPrintable(narrow.error()));
}

QTEST_GUILESS_MAIN(TestHashModel)
#include "tst_hash_model.moc"
