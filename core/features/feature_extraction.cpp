#include "features/image_features.h"

#include "common/logging.h"
#include "data/dataset.h"
#include "features/feature_cache.h"
#include "features/image_extractor.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QStandardPaths>
#include <QThreadPool>
#include <QtConcurrent/QtConcurrentMap>

#include <algorithm>
#include <utility>

namespace esafh {

namespace {

// Failures logged one by one before the rest are only counted.
constexpr int kMaxLoggedFailures = 20;

// The outcome of reading one item: its features from the cache, its bytes to
// compute them from, or a failure.
struct ItemOutcome
{
    enum class Kind { Cached, ToCompute, Failed };

    Kind kind = Kind::Failed;
    QByteArray key;   ///< Content key of the image, for the cache.
    QByteArray bytes; ///< Encoded image of an item to compute.
    QString error;    ///< Message of a failed item.
};

ItemOutcome failedOutcome(QString message)
{
    ItemOutcome outcome;
    outcome.error = std::move(message);
    return outcome;
}

// Reads one item's image and fills its row from the cache when it is there. Runs on
// a worker thread, so it only reads the cache and writes its own row.
ItemOutcome readItem(const DatasetItem &item, int index, const FeatureCache &cache, float *row)
{
    if (item.imagePath.isEmpty())
        return failedOutcome(QStringLiteral("Dataset item %1 has no image path.").arg(index));

    QFile file(item.imagePath);
    if (!file.open(QIODevice::ReadOnly)) {
        return failedOutcome(
            QStringLiteral("Failed to open image file %1: %2").arg(item.imagePath, file.errorString()));
    }

    ItemOutcome outcome;
    outcome.bytes = file.readAll();
    outcome.key = FeatureCache::contentKey(outcome.bytes);
    if (cache.lookup(outcome.key, row)) {
        outcome.kind = ItemOutcome::Kind::Cached;
        outcome.bytes.clear();
        return outcome;
    }
    outcome.kind = ItemOutcome::Kind::ToCompute;
    return outcome;
}

void loadCache(FeatureCache &cache)
{
    const Status loaded = cache.load();
    if (!loaded)
        qCWarning(lcFeatures).noquote() << loaded.error() << "Computing its features again.";
    else if (cache.size() > 0)
        qCDebug(lcFeatures) << "Loaded" << cache.size() << "cached feature vectors from" << cache.filePath();
}

void saveCache(FeatureCache &cache)
{
    if (!cache.isModified())
        return;
    const Status saved = cache.save();
    if (!saved)
        qCWarning(lcFeatures).noquote() << saved.error() << "The features of this run are not cached.";
}

void recordFailure(ImageFeatureSet &result, int index, const QString &message)
{
    result.failedItems.push_back(index);
    result.failureMessages.append(message);

    const int failures = static_cast<int>(result.failedItems.size());
    if (failures <= kMaxLoggedFailures)
        qCWarning(lcFeatures).noquote() << message;
    else if (failures == kMaxLoggedFailures + 1)
        qCWarning(lcFeatures) << "More images failed. The rest are listed in the result only.";
}

// Reads the items of chunk, computes the features of those not cached in one call
// of the extractor, and records every outcome in result and the cache.
void processChunk(const Dataset &dataset, const QList<int> &chunk, const ImageFeatureExtractor &extractor,
                  FeatureCache &cache, ImageFeatureSet &result)
{
    QList<ItemOutcome> outcomes = QtConcurrent::blockingMapped<QList<ItemOutcome>>(chunk, [&](int index) {
        return readItem(dataset.items[static_cast<size_t>(index)], index, cache, result.features.row(index).data());
    });

    std::vector<EncodedImage> images;
    std::vector<qsizetype> positions;
    for (qsizetype position = 0; position < outcomes.size(); ++position) {
        if (outcomes[position].kind != ItemOutcome::Kind::ToCompute)
            continue;
        const int index = chunk[position];
        images.push_back(EncodedImage{std::move(outcomes[position].bytes), dataset.items[static_cast<size_t>(index)].imagePath});
        positions.push_back(position);
    }

    if (!images.empty()) {
        QElapsedTimer timer;
        timer.start();
        const BatchFeatures computed = extractor.extractBatch(images);
        result.computeSeconds += timer.nsecsElapsed() / 1e9;
        for (size_t image = 0; image < images.size(); ++image) {
            ItemOutcome &outcome = outcomes[positions[image]];
            const QString &error = computed.errors[static_cast<qsizetype>(image)];
            if (!error.isEmpty()) {
                outcome.kind = ItemOutcome::Kind::Failed;
                outcome.error = error;
                continue;
            }
            const int index = chunk[positions[image]];
            result.features.row(index) = computed.features.row(static_cast<Eigen::Index>(image));
            cache.insert(outcome.key, result.features.row(index).data());
            ++result.computedCount;
        }
    }

    for (qsizetype position = 0; position < outcomes.size(); ++position) {
        if (outcomes[position].kind == ItemOutcome::Kind::Cached)
            ++result.cachedCount;
        else if (outcomes[position].kind == ItemOutcome::Kind::Failed)
            recordFailure(result, chunk[position], outcomes[position].error);
    }
}

} // namespace

Result<ImageFeatureSet> extractImageFeatures(const Dataset &dataset, const ImageFeatureExtractor &extractor,
                                             QString cacheDirectory, const ProgressCallback &progress)
{
    QElapsedTimer timer;
    timer.start();

    if (cacheDirectory.isEmpty())
        cacheDirectory = defaultFeatureCacheDirectory();

    const int total = dataset.size();
    const int dimension = extractor.dimension();

    ImageFeatureSet result;
    result.extractorIdentity = extractor.identity();
    result.backbone = extractor.spec();
    result.deviceName = extractor.deviceName();
    result.features = FeatureMatrix::Zero(total, dimension);

    FeatureCache cache(cacheDirectory, result.extractorIdentity, dimension);
    qCInfo(lcFeatures).noquote() << "Extracting image features of" << total << "items with"
                                 << result.extractorIdentity << "using the cache" << cache.filePath();
    loadCache(cache);

    int done = 0;
    const int step = std::max(1, extractor.preferredBatchSize());
    while (done < total) {
        QList<int> chunk;
        for (int index = done; index < std::min(total, done + step); ++index)
            chunk.append(index);

        processChunk(dataset, chunk, extractor, cache, result);

        done += static_cast<int>(chunk.size());
        if (progress && !progress(done, total) && done < total) {
            result.cancelled = true;
            break;
        }
    }

    saveCache(cache);

    qCInfo(lcFeatures).noquote()
        << QStringLiteral("Image features of %1 of %2 items: %3 computed in %4 s, %5 from the cache, %6 failed, in %7 s%8")
               .arg(done)
               .arg(total)
               .arg(result.computedCount)
               .arg(result.computeSeconds, 0, 'f', 1)
               .arg(result.cachedCount)
               .arg(result.failedItems.size())
               .arg(timer.elapsed() / 1000.0, 0, 'f', 1)
               .arg(result.cancelled ? QStringLiteral(" (cancelled)") : QString());
    return result;
}

Result<ImageFeatureSet> extractImageFeatures(const Dataset &dataset, QString cacheDirectory,
                                             const ProgressCallback &progress)
{
    Result<std::unique_ptr<ImageFeatureExtractor>> extractor = createImageFeatureExtractor(BackboneSpec{});
    Q_ASSERT(extractor.ok()); // The hand-crafted descriptor needs no file, so it cannot fail to build.
    return extractImageFeatures(dataset, *extractor.value(), std::move(cacheDirectory), progress);
}

QString defaultFeatureCacheDirectory()
{
    if (!QCoreApplication::applicationName().isEmpty()) {
        const QString location = QStandardPaths::writableLocation(QStandardPaths::CacheLocation);
        if (!location.isEmpty())
            return location + QStringLiteral("/features");
    }

    QString genericLocation = QStandardPaths::writableLocation(QStandardPaths::GenericCacheLocation);
    if (genericLocation.isEmpty())
        genericLocation = QDir::homePath() + QStringLiteral("/.cache");
    return genericLocation + QStringLiteral("/esafh/features");
}

} // namespace esafh
