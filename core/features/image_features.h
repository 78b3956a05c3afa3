#pragma once

#include "common/matrix.h"
#include "common/result.h"
#include "features/backbone_spec.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <functional>
#include <vector>

namespace esafh {

struct Dataset;
class ImageFeatureExtractor;

/// The default image feature extractor: hand-crafted descriptors built on OpenCV,
/// needing no download and no model file. Transparent pixels of RGBA images are
/// composited on a white background first. The image is then cropped to its
/// non-transparent content and described by weighted blocks. These are an
/// alpha-weighted HSV colour histogram, local binary pattern texture histograms, the
/// alpha silhouette, a gradient-magnitude histogram, Lab colour moments and a coarse
/// HOG. The vector has unit L2 norm, so Euclidean and cosine rankings agree. Safe to
/// use from several threads at once.
class HandcraftedImageFeatures
{
public:
    /// Name and version of the descriptor; stored in caches and model files so that
    /// features from another extractor are never mixed in.
    static QString identity();

    /// Length of one feature vector.
    static int dimension();

    /// Decodes the image file and computes its feature vector; fails with a message
    /// naming the file when it cannot be decoded.
    Result<std::vector<float>> extractFromFile(const QString &path) const;

    /// Computes the feature vector of an image held in memory (encoded bytes of a
    /// PNG, JPEG or other format OpenCV decodes).
    Result<std::vector<float>> extractFromEncoded(const QByteArray &bytes, const QString &sourceName) const;
};

/// Called during extraction, on the calling thread after each batch of images, with
/// the number of images done and in all. Returning false cancels the extraction.
using ProgressCallback = std::function<bool(int done, int total)>;

/// Image features of a whole dataset, one row per item, with the items whose image
/// failed to decode listed in ascending order (their rows are zero). After a
/// cancellation the rows of items not reached are zero too.
struct ImageFeatureSet
{
    FeatureMatrix features;
    QString extractorIdentity;
    BackboneSpec backbone;  ///< The extractor's spec, enough to build it again.
    QString deviceName;     ///< Where the network ran: "cpu" or "cuda".
    std::vector<int> failedItems;
    QStringList failureMessages;
    int cachedCount = 0;   ///< Rows taken from the on-disk cache.
    int computedCount = 0; ///< Rows computed by the extractor in this run.
    double computeSeconds = 0; ///< Time spent decoding and computing those rows.
    bool cancelled = false;
};

/// Computes the image features of every item with extractor, in batches of its
/// preferred size, reusing the on-disk cache in cacheDirectory (keyed by image
/// content and extractor identity) and adding what it computes. Files are read and
/// looked up on all cores of the global thread pool. An empty cacheDirectory uses
/// defaultFeatureCacheDirectory(). An image that cannot be read or decoded, or an
/// item without an image path, is listed as failed and never stops the extraction.
/// A damaged cache file is logged and rebuilt.
Result<ImageFeatureSet> extractImageFeatures(const Dataset &dataset, const ImageFeatureExtractor &extractor,
                                             QString cacheDirectory = {}, const ProgressCallback &progress = {});

/// The same with the hand-crafted descriptor.
Result<ImageFeatureSet> extractImageFeatures(const Dataset &dataset, QString cacheDirectory = {},
                                             const ProgressCallback &progress = {});

/// Default folder of the feature cache: <user cache location>/features, or
/// ~/.cache/esafh/features when the application has no name.
QString defaultFeatureCacheDirectory();

} // namespace esafh
