#pragma once

#include "common/matrix.h"
#include "common/result.h"
#include "features/image_extractor.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <functional>
#include <vector>

namespace esafh {

/// The resampling that brings an image to the square input of a network.
enum class InputResize
{
    /// OpenCV's area interpolation when shrinking (it averages, so small details do
    /// not alias) and bilinear when enlarging.
    Area,
    /// Bilinear with aligned corners, as TensorFlow.js resizeBilinear(alignCorners =
    /// true) and PyTorch interpolate(align_corners = True) compute it: the corner
    /// pixels of input and output coincide.
    BilinearAlignCorners,
};

/// The input a network expects: RGB values scaled to [0, 1], resized to side x side,
/// then (value - mean) / standardDeviation per channel, stored as planes (C, H, W).
struct NetworkInputSettings
{
    int side = 224;
    InputResize resize = InputResize::Area;
    float mean[3] = {0.0f, 0.0f, 0.0f};
    float standardDeviation[3] = {1.0f, 1.0f, 1.0f};
};

/// Decodes one image (transparent pixels composited over white, as the hand-crafted
/// descriptor does) and writes its 3 x side x side input values to planes. Fails with
/// a message naming sourceName when the image cannot be decoded.
Status prepareNetworkInput(const QByteArray &bytes, const QString &sourceName, const NetworkInputSettings &settings,
                           float *planes);

/// Resizes an interleaved float image (height x width x channels) to outputHeight x
/// outputWidth with bilinear interpolation and aligned corners. Output is
/// interleaved too.
void resizeBilinearAlignCorners(const float *input, int height, int width, int channels, int outputHeight,
                                int outputWidth, float *output);

/// The inputs of a batch, prepared in parallel on the global thread pool.
struct NetworkInputBatch
{
    std::vector<float> values;   ///< validRows.size() x 3 x side x side: the decoded images only.
    std::vector<int> validRows;  ///< Indices of the decoded images, ascending.
    QStringList errors;          ///< One entry per image, empty for a decoded one.
};

NetworkInputBatch prepareNetworkInputBatch(const std::vector<EncodedImage> &images, const NetworkInputSettings &settings);

/// Turns a network's output for count images into feature rows: a 4-D output (N, C,
/// H, W) is averaged over H and W when averagePool is set and flattened otherwise,
/// any other output is flattened per image. Each row is then scaled to unit L2 norm,
/// like the hand-crafted descriptor, so that the same training settings suit both.
/// Returns false when the shape's first dimension is not count.
bool outputToFeatures(const float *output, const std::vector<std::int64_t> &shape, int count, bool averagePool,
                      FeatureMatrix *features);

/// The feature length outputToFeatures gives for one image of an output of shape.
std::int64_t featureLength(const std::vector<std::int64_t> &shape, bool averagePool);

/// Copies the rows of a network pass over the valid images of a batch into a
/// BatchFeatures of all images, leaving failed images at zero with their message.
BatchFeatures scatterRows(const FeatureMatrix &validFeatures, const NetworkInputBatch &batch, int dimension);

/// One network pass: features of count prepared images stored one after another.
using NetworkPass = std::function<Result<FeatureMatrix>(const float *values, int count)>;

/// Runs the pass on one blank inputSide x inputSide image and returns the feature
/// length it gives. Fails with the pass's message, or when the output is empty,
/// naming the network as `networkName`.
Result<int> measureFeatureLength(const NetworkPass &pass, int inputSide, const QString &networkName);

/// Prepares the images of a batch, runs the pass on those that decode and returns the
/// features of every image. A failed pass fails every image it was given, with the
/// network's message; images that do not decode keep their own message.
BatchFeatures extractNetworkBatch(const std::vector<EncodedImage> &images, const NetworkInputSettings &settings,
                                  int dimension, const NetworkPass &pass);

} // namespace esafh
