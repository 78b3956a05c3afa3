#include "features/image_features.h"

#include "common/logging.h"
#include "data/dataset.h"
#include "features/feature_cache.h"

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

struct ItemOutcome
{
    enum class Kind { Cached, Computed, Failed };

    Kind kind = Kind::Failed;
    QByteArray key; ///< Content key of a computed item, for the cache.
    QString error;  ///< Message of a failed item.
};

ItemOutcome failedOutcome(QString message)
{
    ItemOutcome outcome;
    outcome.error = std::move(message);
    return outcome;
}

// Fills row with the features of one item, from the cache or computed. Runs on a
// worker thread, so it only reads the cache and writes its own row.
ItemOutcome processItem(const DatasetItem &item, int index, const FeatureCache &cache,
                        const HandcraftedImageFeatures &extractor, float *row)
{
    if (item.imagePath.isEmpty())
        return failedOutcome(QStringLiteral("Dataset item %1 has no image path.").arg(index));

    QFile file(item.imagePath);
    if (!file.open(QIODevice::ReadOnly)) {
        return failedOutcome(
            QStringLiteral("Failed to open image file %1: %2").arg(item.imagePath, file.errorString()));
    }
    const QByteArray bytes = file.readAll();

    ItemOutcome outcome;
    outcome.key = FeatureCache::contentKey(bytes);
    if (cache.lookup(outcome.key, row)) {
        outcome.kind = ItemOutcome::Kind::Cached;
        return outcome;
    }

    const Result<std::vector<float>> features = extractor.extractFromEncoded(bytes, item.imagePath);
    if (!features)
        return failedOutcome(features.error());
    std::copy(features->begin(), features->end(), row);
    outcome.kind = ItemOutcome::Kind::Computed;
    return outcome;
}

// Number of items handed to the thread pool between two progress reports.
int chunkSize()
{
    return std::max(8, 4 * QThreadPool::globalInstance()->maxThreadCount());
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

// Adds the outcome of item index to the result, and its features to the cache when
// they were computed. Returns true for a computed item.
bool recordOutcome(const ItemOutcome &outcome, int index, FeatureCache &cache, ImageFeatureSet &result)
{
    switch (outcome.kind) {
    case ItemOutcome::Kind::Cached:
        ++result.cachedCount;
        return false;
    case ItemOutcome::Kind::Computed:
        cache.insert(outcome.key, result.features.row(index).data());
        return true;
    case ItemOutcome::Kind::Failed:
        recordFailure(result, index, outcome.error);
        return false;
    }
    return false;
}

} // namespace

Result<ImageFeatureSet> extractImageFeatures(const Dataset &dataset, QString cacheDirectory,
                                             const ProgressCallback &progress)
{
    QElapsedTimer timer;
    timer.start();

    if (cacheDirectory.isEmpty())
        cacheDirectory = defaultFeatureCacheDirectory();

    const HandcraftedImageFeatures extractor;
    const int total = dataset.size();
    const int dimension = HandcraftedImageFeatures::dimension();

    ImageFeatureSet result;
    result.extractorIdentity = HandcraftedImageFeatures::identity();
    result.features = FeatureMatrix::Zero(total, dimension);

    FeatureCache cache(cacheDirectory, result.extractorIdentity, dimension);
    qCInfo(lcFeatures).noquote() << "Extracting image features of" << total << "items with"
                                 << result.extractorIdentity << "using the cache" << cache.filePath();
    loadCache(cache);

    int computed = 0;
    int done = 0;
    const int step = chunkSize();
    while (done < total) {
        QList<int> chunk;
        for (int index = done; index < std::min(total, done + step); ++index)
            chunk.append(index);

        const QList<ItemOutcome> outcomes = QtConcurrent::blockingMapped<QList<ItemOutcome>>(
            chunk, [&](int index) {
                return processItem(dataset.items[static_cast<size_t>(index)], index, cache, extractor,
                                   result.features.row(index).data());
            });

        for (qsizetype position = 0; position < outcomes.size(); ++position) {
            if (recordOutcome(outcomes[position], chunk[position], cache, result))
                ++computed;
        }

        done += static_cast<int>(chunk.size());
        if (progress && !progress(done, total) && done < total) {
            result.cancelled = true;
            break;
        }
    }

    saveCache(cache);

    qCInfo(lcFeatures).noquote()
        << QStringLiteral("Image features of %1 of %2 items: %3 computed, %4 from the cache, %5 failed, in %6 s%7")
               .arg(done)
               .arg(total)
               .arg(computed)
               .arg(result.cachedCount)
               .arg(result.failedItems.size())
               .arg(timer.elapsed() / 1000.0, 0, 'f', 1)
               .arg(result.cancelled ? QStringLiteral(" (cancelled)") : QString());
    return result;
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
