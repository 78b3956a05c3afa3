// Tests of extractImageFeatures: failures that do not stop the extraction, the
// on-disk cache, progress and cancellation, and real images when they are installed.

#include "features/feature_cache.h"
#include "features/image_features.h"
#include "image_fixtures.h"
#include "test_support.h"

#include <QDirIterator>
#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QTest>
#include <QThreadPool>

#include <algorithm>
#include <numeric>

using namespace esafh;
using namespace esafh::test;

namespace {

// Writes count noise images into folder and returns their paths.
QStringList writeNoiseImages(const QTemporaryDir &folder, int count, int side = 40)
{
    QStringList paths;
    for (int index = 0; index < count; ++index) {
        const QString path = folder.filePath(QStringLiteral("image-%1.png").arg(index));
        if (!writeImage(path, noiseImage(side, side, 100 + static_cast<quint64>(index))))
            return {};
        paths << path;
    }
    return paths;
}

bool rowIsZero(const FeatureMatrix &features, int row)
{
    return features.row(row).isZero(0.0f);
}

bool allFinite(const FeatureMatrix &features)
{
    return features.allFinite();
}

// Leave-one-out mAP@all of image-to-image retrieval ranked by cosine similarity
// (rows have unit norm), with relevance = same label. Ties are broken by index.
double leaveOneOutMeanAveragePrecision(const FeatureMatrix &features, const std::vector<int> &labels)
{
    const FeatureMatrix similarity = features * features.transpose();
    const int count = static_cast<int>(labels.size());
    std::vector<int> order(static_cast<size_t>(count));
    double sum = 0.0;
    for (int query = 0; query < count; ++query) {
        std::iota(order.begin(), order.end(), 0);
        std::sort(order.begin(), order.end(), [&](int left, int right) {
            const float leftSimilarity = similarity(query, left);
            const float rightSimilarity = similarity(query, right);
            return leftSimilarity != rightSimilarity ? leftSimilarity > rightSimilarity : left < right;
        });
        int rank = 0, hits = 0;
        double precisionSum = 0.0;
        for (int item : order) {
            if (item == query)
                continue;
            ++rank;
            if (labels[static_cast<size_t>(item)] == labels[static_cast<size_t>(query)]) {
                ++hits;
                precisionSum += static_cast<double>(hits) / rank;
            }
        }
        if (hits > 0)
            sum += precisionSum / hits;
    }
    return sum / count;
}

} // namespace

class FeatureExtractionTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void emptyDatasetGivesEmptyMatrix();
    void corruptImageIsListedAndSkipped();
    void itemWithoutImagePathFails();
    void missingImageFileFails();
    void secondRunReadsCache();
    void changedImageIsRecomputedAlone();
    void duplicateImagesShareFeatures();
    void damagedCacheFileIsRebuilt_data();
    void damagedCacheFileIsRebuilt();
    void progressReachesTotal();
    void progressCanCancel();
    void defaultCacheDirectoryEndsInFeatures();
    void cocoMiniImagesDecode();
    void tuxPaintStampsRetrieveCategories();
};

void FeatureExtractionTest::emptyDatasetGivesEmptyMatrix()
{
    QTemporaryDir cacheFolder;
    QVERIFY(cacheFolder.isValid());

    const Result<ImageFeatureSet> result = extractImageFeatures(Dataset(), cacheFolder.path());
    QVERIFY2(result.ok(), qPrintable(result.error()));
    QCOMPARE(result->features.rows(), 0);
    QCOMPARE(result->features.cols(), HandcraftedImageFeatures::dimension());
    QCOMPARE(result->extractorIdentity, HandcraftedImageFeatures::identity());
}

void FeatureExtractionTest::corruptImageIsListedAndSkipped()
{
    QTemporaryDir folder;
    QVERIFY(folder.isValid());
    QStringList paths = writeNoiseImages(folder, 4);
    QCOMPARE(paths.size(), 4);
    const QString corrupt = folder.filePath(QStringLiteral("corrupt.png"));
    QVERIFY(writeBytes(corrupt, corruptBytes(2000, 9)));
    paths.insert(2, corrupt);

    const Result<ImageFeatureSet> result = extractImageFeatures(datasetOf(paths), folder.filePath(QStringLiteral("cache")));
    QVERIFY2(result.ok(), qPrintable(result.error()));
    QCOMPARE(result->failedItems, std::vector<int>{2});
    QCOMPARE(result->failureMessages.size(), 1);
    QVERIFY2(result->failureMessages.first().contains(corrupt), qPrintable(result->failureMessages.first()));
    QVERIFY(!result->cancelled);
    QVERIFY(rowIsZero(result->features, 2));
    for (int row : {0, 1, 3, 4})
        QVERIFY2(!rowIsZero(result->features, row), qPrintable(QString::number(row)));
}

void FeatureExtractionTest::itemWithoutImagePathFails()
{
    QTemporaryDir folder;
    QVERIFY(folder.isValid());
    QStringList paths = writeNoiseImages(folder, 1);
    paths.prepend(QString());

    const Result<ImageFeatureSet> result = extractImageFeatures(datasetOf(paths), folder.path());
    QVERIFY2(result.ok(), qPrintable(result.error()));
    QCOMPARE(result->failedItems, std::vector<int>{0});
    QVERIFY2(result->failureMessages.first().contains(QStringLiteral("no image path")),
             qPrintable(result->failureMessages.first()));
    QVERIFY(!rowIsZero(result->features, 1));
}

void FeatureExtractionTest::missingImageFileFails()
{
    QTemporaryDir folder;
    QVERIFY(folder.isValid());
    const QString missing = folder.filePath(QStringLiteral("missing.jpg"));

    const Result<ImageFeatureSet> result = extractImageFeatures(datasetOf({missing}), folder.path());
    QVERIFY2(result.ok(), qPrintable(result.error()));
    QCOMPARE(result->failedItems, std::vector<int>{0});
    QVERIFY2(result->failureMessages.first().contains(missing), qPrintable(result->failureMessages.first()));
}

void FeatureExtractionTest::secondRunReadsCache()
{
    QTemporaryDir folder;
    QVERIFY(folder.isValid());
    const QStringList paths = writeNoiseImages(folder, 6);
    const QString cache = folder.filePath(QStringLiteral("cache"));

    const Result<ImageFeatureSet> first = extractImageFeatures(datasetOf(paths), cache);
    QVERIFY2(first.ok(), qPrintable(first.error()));
    QCOMPARE(first->cachedCount, 0);
    QVERIFY(QFile::exists(QDir(cache).filePath(FeatureCache::fileNameFor(first->extractorIdentity))));

    const Result<ImageFeatureSet> second = extractImageFeatures(datasetOf(paths), cache);
    QVERIFY2(second.ok(), qPrintable(second.error()));
    QCOMPARE(second->cachedCount, 6);
    QVERIFY(second->features == first->features);
}

void FeatureExtractionTest::changedImageIsRecomputedAlone()
{
    QTemporaryDir folder;
    QVERIFY(folder.isValid());
    const QStringList paths = writeNoiseImages(folder, 5);
    const QString cache = folder.filePath(QStringLiteral("cache"));

    const Result<ImageFeatureSet> before = extractImageFeatures(datasetOf(paths), cache);
    QVERIFY2(before.ok(), qPrintable(before.error()));

    QVERIFY(writeImage(paths[3], cutOutImage(40, cv::Scalar(0, 200, 0))));
    const Result<ImageFeatureSet> after = extractImageFeatures(datasetOf(paths), cache);
    QVERIFY2(after.ok(), qPrintable(after.error()));
    QCOMPARE(after->cachedCount, 4);
    QVERIFY(after->features.row(3) != before->features.row(3));
    for (int row : {0, 1, 2, 4})
        QVERIFY(after->features.row(row) == before->features.row(row));

    const Result<std::vector<float>> direct = HandcraftedImageFeatures().extractFromFile(paths[3]);
    QVERIFY(direct.ok());
    QVERIFY(std::equal(direct->begin(), direct->end(), after->features.row(3).data()));
}

void FeatureExtractionTest::duplicateImagesShareFeatures()
{
    QTemporaryDir folder;
    QVERIFY(folder.isValid());
    const QStringList paths = writeNoiseImages(folder, 1);
    const QString copy = folder.filePath(QStringLiteral("copy.png"));
    QVERIFY(QFile::copy(paths.first(), copy));

    const Result<ImageFeatureSet> result = extractImageFeatures(datasetOf({paths.first(), copy}), folder.path());
    QVERIFY2(result.ok(), qPrintable(result.error()));
    QVERIFY(result->features.row(0) == result->features.row(1));
}

void FeatureExtractionTest::damagedCacheFileIsRebuilt_data()
{
    QTest::addColumn<QString>("damage");
    QTest::newRow("random bytes") << QStringLiteral("random");
    QTest::newRow("truncated") << QStringLiteral("truncate");
    QTest::newRow("one byte flipped") << QStringLiteral("flip");
    QTest::newRow("empty file") << QStringLiteral("empty");
}

void FeatureExtractionTest::damagedCacheFileIsRebuilt()
{
    QFETCH(QString, damage);

    QTemporaryDir folder;
    QVERIFY(folder.isValid());
    const QStringList paths = writeNoiseImages(folder, 3);
    const QString cache = folder.filePath(QStringLiteral("cache"));
    const Result<ImageFeatureSet> original = extractImageFeatures(datasetOf(paths), cache);
    QVERIFY2(original.ok(), qPrintable(original.error()));

    const QString cacheFile = QDir(cache).filePath(FeatureCache::fileNameFor(original->extractorIdentity));
    QFile file(cacheFile);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QByteArray contents = file.readAll();
    file.close();
    if (damage == QLatin1String("random"))
        contents = corruptBytes(static_cast<int>(contents.size()), 17);
    else if (damage == QLatin1String("truncate"))
        contents.chop(contents.size() / 3);
    else if (damage == QLatin1String("flip"))
        contents[contents.size() / 2] = static_cast<char>(contents[contents.size() / 2] ^ 0x10);
    else
        contents.clear();
    QVERIFY(writeBytes(cacheFile, contents));

    const Result<ImageFeatureSet> rebuilt = extractImageFeatures(datasetOf(paths), cache);
    QVERIFY2(rebuilt.ok(), qPrintable(rebuilt.error()));
    QCOMPARE(rebuilt->cachedCount, 0);
    QVERIFY(rebuilt->features == original->features);

    const Result<ImageFeatureSet> again = extractImageFeatures(datasetOf(paths), cache);
    QVERIFY2(again.ok(), qPrintable(again.error()));
    QCOMPARE(again->cachedCount, 3);
}

void FeatureExtractionTest::progressReachesTotal()
{
    QTemporaryDir folder;
    QVERIFY(folder.isValid());
    const QStringList paths = writeNoiseImages(folder, 20, 16);

    std::vector<int> reported;
    const Result<ImageFeatureSet> result =
        extractImageFeatures(datasetOf(paths), folder.path(), [&reported](int done, int total) {
            reported.push_back(done);
            return total > 0;
        });
    QVERIFY2(result.ok(), qPrintable(result.error()));
    QVERIFY(!result->cancelled);
    QVERIFY(!reported.empty());
    QVERIFY(std::is_sorted(reported.begin(), reported.end()));
    QCOMPARE(reported.back(), 20);
}

void FeatureExtractionTest::progressCanCancel()
{
    // Two threads give batches much smaller than the 40 images.
    QThreadPool *pool = QThreadPool::globalInstance();
    const int threadCount = pool->maxThreadCount();
    pool->setMaxThreadCount(2);

    QTemporaryDir folder;
    QVERIFY(folder.isValid());
    const QStringList paths = writeNoiseImages(folder, 40, 16);

    int calls = 0;
    int doneWhenCancelled = 0;
    const Result<ImageFeatureSet> result =
        extractImageFeatures(datasetOf(paths), folder.path(), [&](int done, int) {
            ++calls;
            doneWhenCancelled = done;
            return false;
        });
    pool->setMaxThreadCount(threadCount);

    QVERIFY2(result.ok(), qPrintable(result.error()));
    QVERIFY(result->cancelled);
    QCOMPARE(calls, 1);
    QVERIFY(doneWhenCancelled > 0 && doneWhenCancelled < 40);
    QCOMPARE(result->features.rows(), 40);
    for (int row = 0; row < 40; ++row)
        QCOMPARE(rowIsZero(result->features, row), row >= doneWhenCancelled);
}

void FeatureExtractionTest::defaultCacheDirectoryEndsInFeatures()
{
    const QString folder = defaultFeatureCacheDirectory();
    QVERIFY2(folder.endsWith(QStringLiteral("/features")), qPrintable(folder));
    QVERIFY2(QDir::isAbsolutePath(folder), qPrintable(folder));
}

void FeatureExtractionTest::cocoMiniImagesDecode()
{
    const QString images = cocoMini() + QStringLiteral("/train2017");
    ESAFH_REQUIRE_FOLDER(images, QStringLiteral("COCO mini"));

    QStringList paths;
    QDirIterator it(images, {QStringLiteral("*.jpg")}, QDir::Files);
    while (it.hasNext())
        paths << it.next();
    QVERIFY(!paths.isEmpty());

    QTemporaryDir cache;
    QVERIFY(cache.isValid());
    const Result<ImageFeatureSet> result = extractImageFeatures(datasetOf(paths), cache.path());
    QVERIFY2(result.ok(), qPrintable(result.error()));
    QVERIFY2(result->failedItems.empty(), qPrintable(result->failureMessages.join(QLatin1Char('\n'))));
    QVERIFY(allFinite(result->features));
    for (int row = 0; row < result->features.rows(); ++row)
        QVERIFY(std::abs(result->features.row(row).norm() - 1.0f) < 1e-4f);
}

void FeatureExtractionTest::tuxPaintStampsRetrieveCategories()
{
    const QString stamps = tuxPaintStamps();
    ESAFH_REQUIRE_FOLDER(stamps, QStringLiteral("Tux Paint stamps"));

    QStringList paths;
    QDirIterator it(stamps, {QStringLiteral("*.png")}, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext())
        paths << it.next();
    paths.sort();
    QVERIFY(!paths.isEmpty());

    // The label of a stamp is its top-level category folder.
    QStringList categories;
    std::vector<int> labels;
    for (const QString &path : paths) {
        const QString category = QDir(stamps).relativeFilePath(path).section(QLatin1Char('/'), 0, 0);
        if (!categories.contains(category))
            categories << category;
        labels.push_back(static_cast<int>(categories.indexOf(category)));
    }

    QTemporaryDir cache;
    QVERIFY(cache.isValid());
    QElapsedTimer timer;
    timer.start();
    const Result<ImageFeatureSet> cold = extractImageFeatures(datasetOf(paths), cache.path());
    const qint64 coldMilliseconds = timer.restart();
    const Result<ImageFeatureSet> cached = extractImageFeatures(datasetOf(paths), cache.path());
    const qint64 cachedMilliseconds = timer.elapsed();

    QVERIFY2(cold.ok(), qPrintable(cold.error()));
    QVERIFY2(cold->failedItems.empty(), qPrintable(cold->failureMessages.join(QLatin1Char('\n'))));
    QVERIFY(allFinite(cold->features));
    QVERIFY2(cached.ok(), qPrintable(cached.error()));
    QCOMPARE(cached->cachedCount, static_cast<int>(paths.size()));
    QVERIFY(cached->features == cold->features);

    // Random ranking gives about 0.16 here. The descriptor measured 0.436 when it was
    // tuned, so a drop below 0.38 means a block has broken.
    const double meanAveragePrecision = leaveOneOutMeanAveragePrecision(cold->features, labels);
    qInfo("Tux Paint: %lld images in %lld categories, image-to-image mAP@all %.4f, "
          "extraction %lld ms cold, %lld ms cached",
          static_cast<long long>(paths.size()), static_cast<long long>(categories.size()), meanAveragePrecision,
          static_cast<long long>(coldMilliseconds), static_cast<long long>(cachedMilliseconds));
    QVERIFY2(meanAveragePrecision > 0.38, qPrintable(QString::number(meanAveragePrecision)));
}

QTEST_GUILESS_MAIN(FeatureExtractionTest)
#include "tst_feature_extraction.moc"
