// Tests of the image backbones: specs, weights checksums, network inputs, and the
// TorchScript and ONNX extractors against a network whose output the test computes
// itself, with the feature cache's invalidation when a model file or a setting changes.

#include "features/backbone_spec.h"
#include "features/feature_cache.h"
#include "features/image_extractor.h"
#include "features/image_features.h"
#include "features/network_input.h"
#include "features/weights_checksum.h"
#include "image_fixtures.h"
#include "model_fixtures.h"
#include "torchscript_fixture.h"

#include <QCryptographicHash>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <opencv2/imgcodecs.hpp>

using namespace esafh;
using namespace esafh::test;

namespace {

constexpr int kSide = 32;
const float kMean[3] = {0.485f, 0.456f, 0.406f};
const float kDeviation[3] = {0.229f, 0.224f, 0.225f};

BackboneSpec networkSpec(const QString &kind, const QString &path)
{
    BackboneSpec spec;
    spec.kind = kind;
    spec.path = path;
    spec.inputSize = kSide;
    return spec;
}

QByteArray encoded(const cv::Mat &image)
{
    std::vector<uchar> bytes;
    cv::imencode(".png", image, bytes);
    return QByteArray(reinterpret_cast<const char *>(bytes.data()), static_cast<qsizetype>(bytes.size()));
}

// The prepared input of one encoded image, as the network backbones compute it.
std::vector<float> preparedInput(const QByteArray &bytes, int side, const float mean[3], const float deviation[3])
{
    NetworkInputSettings settings;
    settings.side = side;
    for (int k = 0; k < 3; ++k) {
        settings.mean[k] = mean[k];
        settings.standardDeviation[k] = deviation[k];
    }
    std::vector<float> planes(3 * static_cast<size_t>(side) * side);
    if (!prepareNetworkInput(bytes, QStringLiteral("fixture"), settings, planes.data()))
        return {};
    return planes;
}

QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

} // namespace

class BackbonesTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();

    void specParses_data();
    void specParses();
    void specRejectsInvalidText_data();
    void specRejectsInvalidText();
    void specJsonRoundTrip();
    void specValidatesRanges();
    void channelValuesParse();

    void checksumIsSha1OfFile();
    void checksumSeesRewriteOfSameSize();
    void checksumOfMissingFileFails();

    void alignedCornersResizeKeepsCorners();
    void outputIsPooledAndNormalised();

    void torchScriptMatchesOracle();
    void torchScriptNamedMethod();
    void onnxMatchesOracle();
    void onnxNamedLayer();
    void networksAgreeOnDatasetAndListFailures();
    void missingModelFileFails_data();
    void missingModelFileFails();
    void invalidModelFileFails_data();
    void invalidModelFileFails();
    void unknownOutputIsRejected();

    void changedModelInvalidatesOnlyItsCache();
    void changedSettingGetsNewIdentity();
    void handcraftedIsAlwaysAvailable();

private:
    QTemporaryDir m_folder;
    PointwiseNetwork m_network;
    QString m_torchScript;
    QString m_onnx;
    QStringList m_images;
};

void BackbonesTest::initTestCase()
{
    QVERIFY(m_folder.isValid());
    m_network = makePointwiseNetwork(6, 0.3f);
    m_torchScript = m_folder.filePath(QStringLiteral("pointwise.pt"));
    m_onnx = m_folder.filePath(QStringLiteral("pointwise.onnx"));
    QVERIFY(saveTorchScriptPointwiseNetwork(m_network, m_torchScript));
    QVERIFY(writeBytes(m_onnx, onnxPointwiseNetwork(m_network, kSide)));

    for (int index = 0; index < 5; ++index) {
        const QString path = m_folder.filePath(QStringLiteral("image-%1.png").arg(index));
        const cv::Mat image = index % 2 ? noiseImage(40 + 7 * index, 30 + 5 * index, 300 + index)
                                        : cutOutImage(50, cv::Scalar(40 * index, 200 - 30 * index, 90));
        QVERIFY(writeImage(path, image));
        m_images << path;
    }
}

void BackbonesTest::specParses_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("kind");
    QTest::addColumn<bool>("hasPath");

    QTest::newRow("handcrafted") << QStringLiteral("handcrafted") << BackboneSpec::handcrafted << false;
    QTest::newRow("mobilenetv2") << QStringLiteral("mobilenetv2") << BackboneSpec::mobileNetV2 << false;
    QTest::newRow("mobilenetv2 folder") << QStringLiteral("mobilenetv2:/opt/npm") << BackboneSpec::mobileNetV2 << true;
    QTest::newRow("torchscript") << QStringLiteral("torchscript:/models/resnet.pt") << BackboneSpec::torchScript << true;
    QTest::newRow("onnx upper case") << QStringLiteral("ONNX:/models/net.onnx") << BackboneSpec::onnx << true;
}

void BackbonesTest::specParses()
{
    QFETCH(QString, text);
    QFETCH(QString, kind);
    QFETCH(bool, hasPath);

    const Result<BackboneSpec> spec = BackboneSpec::parse(text);
    QVERIFY2(spec.ok(), qPrintable(spec.error()));
    QCOMPARE(spec->kind, kind);
    QCOMPARE(!spec->path.isEmpty(), hasPath);
    QCOMPARE(BackboneSpec::parse(spec->toString())->toString(), spec->toString());
}

void BackbonesTest::specRejectsInvalidText_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("message");

    QTest::newRow("unknown kind") << QStringLiteral("resnet50") << QStringLiteral("resnet50");
    QTest::newRow("torchscript without file") << QStringLiteral("torchscript") << QStringLiteral("torchscript:FILE");
    QTest::newRow("onnx without file") << QStringLiteral("onnx:") << QStringLiteral("onnx:FILE");
    QTest::newRow("handcrafted with file") << QStringLiteral("handcrafted:/x.pt") << QStringLiteral("/x.pt");
}

void BackbonesTest::specRejectsInvalidText()
{
    QFETCH(QString, text);
    QFETCH(QString, message);

    const Result<BackboneSpec> spec = BackboneSpec::parse(text);
    QVERIFY(!spec.ok());
    QVERIFY2(spec.error().contains(message), qPrintable(spec.error()));
}

void BackbonesTest::specJsonRoundTrip()
{
    BackboneSpec spec = networkSpec(BackboneSpec::onnx, QStringLiteral("/models/net.onnx"));
    spec.mean = {0.5f, 0.25f, 0.125f};
    spec.standardDeviation = {1.0f, 2.0f, 4.0f};
    spec.layer = QStringLiteral("conv_out");
    spec.averagePool = false;

    const Result<BackboneSpec> read = BackboneSpec::fromJson(spec.toJson());
    QVERIFY2(read.ok(), qPrintable(read.error()));
    QVERIFY(read.value() == spec);

    // A file of an earlier version without the settings keeps the defaults.
    QJsonObject minimal;
    minimal[QStringLiteral("kind")] = BackboneSpec::handcrafted;
    QVERIFY(BackboneSpec::fromJson(minimal).value() == BackboneSpec{});

    QJsonObject badMean = spec.toJson();
    badMean[QStringLiteral("mean")] = QStringLiteral("grey");
    QVERIFY(!BackboneSpec::fromJson(badMean).ok());
}

void BackbonesTest::specValidatesRanges()
{
    BackboneSpec spec = networkSpec(BackboneSpec::torchScript, QStringLiteral("/x.pt"));
    QVERIFY(spec.validate().ok());

    spec.inputSize = 4;
    QVERIFY2(spec.validate().error().contains(QStringLiteral("4")), qPrintable(spec.validate().error()));
    spec.inputSize = kSide;
    spec.standardDeviation = {1.0f, 0.0f, 1.0f};
    QVERIFY(!spec.validate().ok());
    spec.standardDeviation = {1.0f, 1.0f};
    QVERIFY(!spec.validate().ok());
}

void BackbonesTest::channelValuesParse()
{
    const Result<std::vector<float>> values = parseChannelValues(QStringLiteral("0.485, 0.456,0.406"));
    QVERIFY2(values.ok(), qPrintable(values.error()));
    QCOMPARE(values->size(), size_t(3));
    QCOMPARE(values->at(1), 0.456f);

    QVERIFY(!parseChannelValues(QStringLiteral("1,2")).ok());
    QVERIFY(!parseChannelValues(QStringLiteral("1,2,3,4")).ok());
    QVERIFY(!parseChannelValues(QStringLiteral("1,x,3")).ok());
}

void BackbonesTest::checksumIsSha1OfFile()
{
    const Result<QString> checksum = weightsChecksum({m_onnx});
    QVERIFY2(checksum.ok(), qPrintable(checksum.error()));
    QCOMPARE(checksum.value(), QString::fromLatin1(QCryptographicHash::hash(readAll(m_onnx), QCryptographicHash::Sha1).toHex()));

    // Two files give the SHA-1 of their digests, so the order matters.
    const Result<QString> forward = weightsChecksum({m_onnx, m_torchScript});
    const Result<QString> backward = weightsChecksum({m_torchScript, m_onnx});
    QVERIFY(forward.ok() && backward.ok());
    QVERIFY(forward.value() != backward.value());
}

void BackbonesTest::checksumSeesRewriteOfSameSize()
{
    const QString path = m_folder.filePath(QStringLiteral("weights.bin"));
    QVERIFY(writeBytes(path, QByteArray(4096, 'a')));
    const Result<QString> before = weightsChecksum({path});
    QVERIFY(before.ok());
    QCOMPARE(weightsChecksum({path}).value(), before.value()); // the remembered digest

    QVERIFY(writeBytes(path, QByteArray(4096, 'b')));
    const Result<QString> after = weightsChecksum({path});
    QVERIFY(after.ok());
    QVERIFY(after.value() != before.value());
}

void BackbonesTest::checksumOfMissingFileFails()
{
    const QString missing = m_folder.filePath(QStringLiteral("missing.bin"));
    const Result<QString> checksum = weightsChecksum({missing});
    QVERIFY(!checksum.ok());
    QVERIFY2(checksum.error().contains(missing), qPrintable(checksum.error()));
}

void BackbonesTest::alignedCornersResizeKeepsCorners()
{
    // 2 x 3 single-channel image to 3 x 5: corners map onto corners, and with aligned
    // corners the middle row is the mean of the two rows.
    const float input[] = {0, 1, 2, 10, 11, 12};
    float output[15];
    resizeBilinearAlignCorners(input, 2, 3, 1, 3, 5, output);

    QCOMPARE(output[0], 0.0f);
    QCOMPARE(output[4], 2.0f);
    QCOMPARE(output[10], 10.0f);
    QCOMPARE(output[14], 12.0f);
    QCOMPARE(output[1], 0.5f);  // column 1 of 5 maps to 0.5
    QCOMPARE(output[7], 6.0f);  // centre: mean of 1 and 11
}

void BackbonesTest::outputIsPooledAndNormalised()
{
    // Two images, two channels of 2 x 2 positions.
    const float output[] = {1, 1, 1, 1, 3, 3, 3, 3, /* second image */ 0, 0, 0, 4, 0, 0, 0, 0};
    FeatureMatrix features;
    QVERIFY(outputToFeatures(output, {2, 2, 2, 2}, 2, true, &features));
    QCOMPARE(features.cols(), Eigen::Index(2));
    QVERIFY(std::abs(features(0, 0) - 1.0f / std::sqrt(10.0f)) < 1e-6f);
    QVERIFY(std::abs(features(0, 1) - 3.0f / std::sqrt(10.0f)) < 1e-6f);
    QCOMPARE(features(1, 0), 1.0f);
    QCOMPARE(features(1, 1), 0.0f);

    QVERIFY(outputToFeatures(output, {2, 2, 2, 2}, 2, false, &features));
    QCOMPARE(features.cols(), Eigen::Index(8));
    QCOMPARE(featureLength({2, 2, 2, 2}, false), std::int64_t(8));

    QVERIFY(!outputToFeatures(output, {3, 2, 2, 2}, 2, true, &features));
}

void BackbonesTest::torchScriptMatchesOracle()
{
    Result<std::unique_ptr<ImageFeatureExtractor>> extractor =
        createImageFeatureExtractor(networkSpec(BackboneSpec::torchScript, m_torchScript));
    QVERIFY2(extractor.ok(), qPrintable(extractor.error()));
    QCOMPARE(extractor.value()->dimension(), m_network.channels());
    QVERIFY2(extractor.value()->identity().contains(weightsChecksum({m_torchScript}).value()),
             qPrintable(extractor.value()->identity()));

    for (const QString &path : m_images) {
        const Result<std::vector<float>> features = extractor.value()->extractFromFile(path);
        QVERIFY2(features.ok(), qPrintable(features.error()));
        const std::vector<float> expected =
            m_network.expectedFeatures(preparedInput(readAll(path), kSide, kMean, kDeviation).data(), kSide);
        for (size_t i = 0; i < expected.size(); ++i)
            QVERIFY2(std::abs(features->at(i) - expected[i]) < 1e-5f, qPrintable(QStringLiteral("%1 %2").arg(path).arg(i)));
    }
}

void BackbonesTest::torchScriptNamedMethod()
{
    BackboneSpec spec = networkSpec(BackboneSpec::torchScript, m_torchScript);
    spec.layer = QStringLiteral("pooled");
    Result<std::unique_ptr<ImageFeatureExtractor>> pooled = createImageFeatureExtractor(spec);
    QVERIFY2(pooled.ok(), qPrintable(pooled.error()));
    Result<std::unique_ptr<ImageFeatureExtractor>> forward =
        createImageFeatureExtractor(networkSpec(BackboneSpec::torchScript, m_torchScript));
    QVERIFY(forward.ok());
    QVERIFY(pooled.value()->identity() != forward.value()->identity());

    const Result<std::vector<float>> viaMethod = pooled.value()->extractFromFile(m_images[1]);
    const Result<std::vector<float>> viaForward = forward.value()->extractFromFile(m_images[1]);
    QVERIFY(viaMethod.ok() && viaForward.ok());
    for (size_t i = 0; i < viaMethod->size(); ++i)
        QVERIFY(std::abs(viaMethod->at(i) - viaForward->at(i)) < 1e-5f);

    const Result<QStringList> methods = backboneLayerNames(spec);
    QVERIFY2(methods.ok(), qPrintable(methods.error()));
    QVERIFY(methods->contains(QStringLiteral("pooled")));
}

void BackbonesTest::onnxMatchesOracle()
{
    Result<std::unique_ptr<ImageFeatureExtractor>> extractor =
        createImageFeatureExtractor(networkSpec(BackboneSpec::onnx, m_onnx));
    QVERIFY2(extractor.ok(), qPrintable(extractor.error()));
    QCOMPARE(extractor.value()->dimension(), m_network.channels());

    for (const QString &path : m_images) {
        const Result<std::vector<float>> features = extractor.value()->extractFromFile(path);
        QVERIFY2(features.ok(), qPrintable(features.error()));
        const std::vector<float> expected =
            m_network.expectedFeatures(preparedInput(readAll(path), kSide, kMean, kDeviation).data(), kSide);
        for (size_t i = 0; i < expected.size(); ++i)
            QVERIFY2(std::abs(features->at(i) - expected[i]) < 1e-5f, qPrintable(QStringLiteral("%1 %2").arg(path).arg(i)));
    }
}

void BackbonesTest::onnxNamedLayer()
{
    // The convolution's 4-D output, averaged by the backbone, equals the pooled output.
    BackboneSpec spec = networkSpec(BackboneSpec::onnx, m_onnx);
    spec.layer = QStringLiteral("conv"); // the node's name; OpenCV calls the layer "onnx_node!conv"
    Result<std::unique_ptr<ImageFeatureExtractor>> convolution = createImageFeatureExtractor(spec);
    QVERIFY2(convolution.ok(), qPrintable(convolution.error()));
    QCOMPARE(convolution.value()->dimension(), m_network.channels());

    Result<std::unique_ptr<ImageFeatureExtractor>> pooled = createImageFeatureExtractor(networkSpec(BackboneSpec::onnx, m_onnx));
    QVERIFY(pooled.ok());
    const Result<std::vector<float>> fromLayer = convolution.value()->extractFromFile(m_images[0]);
    const Result<std::vector<float>> fromOutput = pooled.value()->extractFromFile(m_images[0]);
    QVERIFY(fromLayer.ok() && fromOutput.ok());
    for (size_t i = 0; i < fromLayer->size(); ++i)
        QVERIFY(std::abs(fromLayer->at(i) - fromOutput->at(i)) < 1e-5f);

    // Without pooling the whole map is flattened.
    spec.averagePool = false;
    Result<std::unique_ptr<ImageFeatureExtractor>> flattened = createImageFeatureExtractor(spec);
    QVERIFY2(flattened.ok(), qPrintable(flattened.error()));
    QCOMPARE(flattened.value()->dimension(), m_network.channels() * kSide * kSide);

    const Result<QStringList> layers = backboneLayerNames(spec);
    QVERIFY2(layers.ok(), qPrintable(layers.error()));
    QVERIFY2(layers->contains(QStringLiteral("onnx_node!conv")), qPrintable(layers->join(QLatin1Char(' '))));
}

void BackbonesTest::networksAgreeOnDatasetAndListFailures()
{
    QStringList paths = m_images;
    const QString corrupt = m_folder.filePath(QStringLiteral("corrupt.png"));
    QVERIFY(writeBytes(corrupt, corruptBytes(500, 3)));
    paths.insert(2, corrupt);
    const Dataset dataset = datasetOf(paths);

    Result<std::unique_ptr<ImageFeatureExtractor>> torchScript =
        createImageFeatureExtractor(networkSpec(BackboneSpec::torchScript, m_torchScript));
    Result<std::unique_ptr<ImageFeatureExtractor>> onnx = createImageFeatureExtractor(networkSpec(BackboneSpec::onnx, m_onnx));
    QVERIFY(torchScript.ok() && onnx.ok());

    QTemporaryDir cache;
    QVERIFY(cache.isValid());
    const Result<ImageFeatureSet> fromTorchScript = extractImageFeatures(dataset, *torchScript.value(), cache.path());
    const Result<ImageFeatureSet> fromOnnx = extractImageFeatures(dataset, *onnx.value(), cache.path());
    QVERIFY2(fromTorchScript.ok(), qPrintable(fromTorchScript.error()));
    QVERIFY2(fromOnnx.ok(), qPrintable(fromOnnx.error()));

    for (const ImageFeatureSet *features : {&fromTorchScript.value(), &fromOnnx.value()}) {
        QCOMPARE(features->failedItems, std::vector<int>{2});
        QVERIFY2(features->failureMessages.first().contains(corrupt), qPrintable(features->failureMessages.first()));
        QCOMPARE(features->computedCount, 5);
        QVERIFY(features->features.row(2).isZero(0.0f));
    }
    QVERIFY((fromTorchScript->features - fromOnnx->features).cwiseAbs().maxCoeff() < 1e-5f);
    QCOMPARE(fromTorchScript->backbone.kind, BackboneSpec::torchScript);
    QVERIFY(fromTorchScript->extractorIdentity != fromOnnx->extractorIdentity);
}

void BackbonesTest::missingModelFileFails_data()
{
    QTest::addColumn<QString>("kind");
    QTest::newRow("torchscript") << BackboneSpec::torchScript;
    QTest::newRow("onnx") << BackboneSpec::onnx;
}

void BackbonesTest::missingModelFileFails()
{
    QFETCH(QString, kind);
    const QString missing = m_folder.filePath(QStringLiteral("missing.model"));

    const Result<std::unique_ptr<ImageFeatureExtractor>> extractor = createImageFeatureExtractor(networkSpec(kind, missing));
    QVERIFY(!extractor.ok());
    QVERIFY2(extractor.error().contains(missing), qPrintable(extractor.error()));

    const BackboneInfo info = describeBackbone(networkSpec(kind, missing));
    QVERIFY(!info.available);
    QVERIFY2(info.message.contains(QStringLiteral("not found")), qPrintable(info.message));
}

void BackbonesTest::invalidModelFileFails_data()
{
    QTest::addColumn<QString>("kind");
    QTest::newRow("torchscript") << BackboneSpec::torchScript;
    QTest::newRow("onnx") << BackboneSpec::onnx;
}

void BackbonesTest::invalidModelFileFails()
{
    QFETCH(QString, kind);
    const QString path = m_folder.filePath(QStringLiteral("random.%1").arg(kind));
    QVERIFY(writeBytes(path, corruptBytes(3000, 5)));

    const Result<std::unique_ptr<ImageFeatureExtractor>> extractor = createImageFeatureExtractor(networkSpec(kind, path));
    QVERIFY(!extractor.ok());
    QVERIFY2(extractor.error().contains(path), qPrintable(extractor.error()));
}

void BackbonesTest::unknownOutputIsRejected()
{
    BackboneSpec onnx = networkSpec(BackboneSpec::onnx, m_onnx);
    onnx.layer = QStringLiteral("no_such_layer");
    Result<std::unique_ptr<ImageFeatureExtractor>> extractor = createImageFeatureExtractor(onnx);
    QVERIFY(!extractor.ok());
    QVERIFY2(extractor.error().contains(QStringLiteral("no_such_layer")), qPrintable(extractor.error()));

    BackboneSpec torchScript = networkSpec(BackboneSpec::torchScript, m_torchScript);
    torchScript.layer = QStringLiteral("no_such_method");
    extractor = createImageFeatureExtractor(torchScript);
    QVERIFY(!extractor.ok());
    QVERIFY2(extractor.error().contains(QStringLiteral("pooled")), qPrintable(extractor.error()));
}

void BackbonesTest::changedModelInvalidatesOnlyItsCache()
{
    QTemporaryDir folder;
    QVERIFY(folder.isValid());
    const QString model = folder.filePath(QStringLiteral("model.pt"));
    const QString cache = folder.filePath(QStringLiteral("cache"));
    QVERIFY(saveTorchScriptPointwiseNetwork(m_network, model));
    const Dataset dataset = datasetOf(m_images);

    auto extract = [&](const BackboneSpec &spec) {
        Result<std::unique_ptr<ImageFeatureExtractor>> extractor = createImageFeatureExtractor(spec);
        if (!extractor)
            return Result<ImageFeatureSet>::failure(extractor.error());
        return extractImageFeatures(dataset, *extractor.value(), cache);
    };
    const BackboneSpec spec = networkSpec(BackboneSpec::torchScript, model);

    const Result<ImageFeatureSet> first = extract(spec);
    const Result<ImageFeatureSet> handcrafted = extract(BackboneSpec{});
    QVERIFY2(first.ok(), qPrintable(first.error()));
    QVERIFY2(handcrafted.ok(), qPrintable(handcrafted.error()));
    QCOMPARE(extract(spec)->cachedCount, 5);

    // New weights of the same shape: a new identity, so a new cache file, computed afresh.
    QThread::msleep(20);
    QVERIFY(saveTorchScriptPointwiseNetwork(makePointwiseNetwork(6, 1.1f), model));
    const Result<ImageFeatureSet> changed = extract(spec);
    QVERIFY2(changed.ok(), qPrintable(changed.error()));
    QVERIFY(changed->extractorIdentity != first->extractorIdentity);
    QCOMPARE(changed->cachedCount, 0);
    QVERIFY(changed->features != first->features);
    QVERIFY(QFile::exists(QDir(cache).filePath(FeatureCache::fileNameFor(first->extractorIdentity))));
    QVERIFY(QFile::exists(QDir(cache).filePath(FeatureCache::fileNameFor(changed->extractorIdentity))));

    // The other extractors' caches stay valid.
    QCOMPARE(extract(BackboneSpec{})->cachedCount, 5);
    QCOMPARE(extract(spec)->cachedCount, 5);
}

void BackbonesTest::changedSettingGetsNewIdentity()
{
    const BackboneSpec base = networkSpec(BackboneSpec::onnx, m_onnx);
    const Result<QString> baseIdentity = backboneIdentity(base);
    QVERIFY2(baseIdentity.ok(), qPrintable(baseIdentity.error()));

    BackboneSpec otherMean = base;
    otherMean.mean = {0.5f, 0.5f, 0.5f};
    BackboneSpec otherStd = base;
    otherStd.standardDeviation = {0.5f, 0.5f, 0.5f};
    BackboneSpec otherLayer = base;
    otherLayer.layer = QStringLiteral("conv");
    BackboneSpec flattened = base;
    flattened.averagePool = false;
    BackboneSpec moved = base;
    moved.path = m_folder.filePath(QStringLiteral("moved.onnx"));
    QVERIFY(QFile::copy(m_onnx, moved.path));

    for (const BackboneSpec &changed : {otherMean, otherStd, otherLayer, flattened})
        QVERIFY2(backboneIdentity(changed).value() != baseIdentity.value(), qPrintable(changed.settingsText()));
    // The identity names the weights by content, so a copied file keeps the cache.
    QCOMPARE(backboneIdentity(moved).value(), baseIdentity.value());
}

void BackbonesTest::handcraftedIsAlwaysAvailable()
{
    const BackboneInfo info = describeBackbone(BackboneSpec{});
    QVERIFY(info.available);
    QCOMPARE(info.dimension, HandcraftedImageFeatures::dimension());
    QCOMPARE(info.identity, HandcraftedImageFeatures::identity());
    QCOMPARE(backboneIdentity(BackboneSpec{}).value(), HandcraftedImageFeatures::identity());

    const QList<BackboneInfo> builtIn = builtInBackbones();
    QCOMPARE(builtIn.size(), 2);
    QCOMPARE(builtIn[1].spec.kind, BackboneSpec::mobileNetV2);
    if (!builtIn[1].available)
        QVERIFY2(builtIn[1].message.contains(QStringLiteral("npm install")), qPrintable(builtIn[1].message));
}

QTEST_GUILESS_MAIN(BackbonesTest)
#include "tst_backbones.moc"
