#include "features/network_input.h"

#include "features/image_decoding.h"

#include <QList>
#include <QtConcurrent/QtConcurrentMap>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace esafh {

namespace {

// Converts 8-bit BGR to interleaved RGB floats in [0, 1].
cv::Mat toRgbFloat(const cv::Mat &bgr)
{
    cv::Mat rgb;
    cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
    cv::Mat scaled;
    rgb.convertTo(scaled, CV_32FC3, 1.0 / 255.0);
    return scaled;
}

cv::Mat resizeToSide(const cv::Mat &rgb, int side, InputResize method)
{
    if (method == InputResize::BilinearAlignCorners) {
        cv::Mat resized(side, side, CV_32FC3);
        const cv::Mat contiguous = rgb.isContinuous() ? rgb : rgb.clone();
        resizeBilinearAlignCorners(contiguous.ptr<float>(), contiguous.rows, contiguous.cols, 3, side, side,
                                   resized.ptr<float>());
        return resized;
    }

    const bool shrinking = rgb.cols >= side && rgb.rows >= side;
    cv::Mat resized;
    cv::resize(rgb, resized, cv::Size(side, side), 0, 0, shrinking ? cv::INTER_AREA : cv::INTER_LINEAR);
    return resized;
}

} // namespace

void resizeBilinearAlignCorners(const float *input, int height, int width, int channels, int outputHeight,
                                int outputWidth, float *output)
{
    const double rowScale = outputHeight > 1 ? static_cast<double>(height - 1) / (outputHeight - 1) : 0.0;
    const double columnScale = outputWidth > 1 ? static_cast<double>(width - 1) / (outputWidth - 1) : 0.0;

    for (int row = 0; row < outputHeight; ++row) {
        const double sourceRow = row * rowScale;
        const int top = static_cast<int>(std::floor(sourceRow));
        const int bottom = std::min(height - 1, top + 1);
        const float rowFraction = static_cast<float>(sourceRow - top);

        for (int column = 0; column < outputWidth; ++column) {
            const double sourceColumn = column * columnScale;
            const int left = static_cast<int>(std::floor(sourceColumn));
            const int right = std::min(width - 1, left + 1);
            const float columnFraction = static_cast<float>(sourceColumn - left);

            const float *topLeft = input + (static_cast<size_t>(top) * width + left) * channels;
            const float *topRight = input + (static_cast<size_t>(top) * width + right) * channels;
            const float *bottomLeft = input + (static_cast<size_t>(bottom) * width + left) * channels;
            const float *bottomRight = input + (static_cast<size_t>(bottom) * width + right) * channels;
            float *target = output + (static_cast<size_t>(row) * outputWidth + column) * channels;
            for (int channel = 0; channel < channels; ++channel) {
                const float upper = topLeft[channel] + (topRight[channel] - topLeft[channel]) * columnFraction;
                const float lower = bottomLeft[channel] + (bottomRight[channel] - bottomLeft[channel]) * columnFraction;
                target[channel] = upper + (lower - upper) * rowFraction;
            }
        }
    }
}

Status prepareNetworkInput(const QByteArray &bytes, const QString &sourceName, const NetworkInputSettings &settings,
                           float *planes)
{
    Result<DecodedImage> decoded = decodeImage(bytes, sourceName);
    if (!decoded)
        return Status::failure(decoded.error());

    try {
        const cv::Mat resized = resizeToSide(toRgbFloat(decoded->bgr), settings.side, settings.resize);
        const size_t planeSize = static_cast<size_t>(settings.side) * settings.side;
        for (int row = 0; row < settings.side; ++row) {
            const float *pixel = resized.ptr<float>(row);
            for (int column = 0; column < settings.side; ++column, pixel += 3) {
                const size_t offset = static_cast<size_t>(row) * settings.side + column;
                for (int channel = 0; channel < 3; ++channel) {
                    planes[channel * planeSize + offset] =
                        (pixel[channel] - settings.mean[channel]) / settings.standardDeviation[channel];
                }
            }
        }
    } catch (const cv::Exception &error) {
        return Status::failure(QStringLiteral("Failed to prepare image %1 for the network: %2")
                                   .arg(sourceName, QString::fromStdString(error.msg)));
    }
    return Status::success();
}

NetworkInputBatch prepareNetworkInputBatch(const std::vector<EncodedImage> &images, const NetworkInputSettings &settings)
{
    const size_t inputLength = 3 * static_cast<size_t>(settings.side) * settings.side;
    std::vector<float> all(images.size() * inputLength, 0.0f);

    QList<int> indices(static_cast<qsizetype>(images.size()));
    std::iota(indices.begin(), indices.end(), 0);
    const QList<QString> errors = QtConcurrent::blockingMapped<QList<QString>>(indices, [&](int index) {
        const EncodedImage &image = images[static_cast<size_t>(index)];
        const Status prepared =
            prepareNetworkInput(image.bytes, image.sourceName, settings, all.data() + index * inputLength);
        return prepared ? QString() : prepared.error();
    });

    NetworkInputBatch batch;
    batch.errors = errors;
    for (int index = 0; index < static_cast<int>(images.size()); ++index) {
        if (!errors[index].isEmpty())
            continue;
        batch.validRows.push_back(index);
        const float *source = all.data() + index * inputLength;
        batch.values.insert(batch.values.end(), source, source + inputLength);
    }
    return batch;
}

std::int64_t featureLength(const std::vector<std::int64_t> &shape, bool averagePool)
{
    if (shape.size() == 4 && averagePool)
        return shape[1];
    std::int64_t length = 1;
    for (size_t axis = 1; axis < shape.size(); ++axis)
        length *= shape[axis];
    return length;
}

bool outputToFeatures(const float *output, const std::vector<std::int64_t> &shape, int count, bool averagePool,
                      FeatureMatrix *features)
{
    if (shape.empty() || shape[0] != count)
        return false;

    const std::int64_t length = featureLength(shape, averagePool);
    features->resize(count, static_cast<Eigen::Index>(length));
    if (shape.size() == 4 && averagePool) {
        const std::int64_t positions = shape[2] * shape[3];
        for (int row = 0; row < count; ++row) {
            for (std::int64_t channel = 0; channel < length; ++channel) {
                const float *plane = output + (row * length + channel) * positions;
                double sum = 0.0;
                for (std::int64_t position = 0; position < positions; ++position)
                    sum += plane[position];
                (*features)(row, static_cast<Eigen::Index>(channel)) =
                    positions > 0 ? static_cast<float>(sum / static_cast<double>(positions)) : 0.0f;
            }
        }
    } else {
        std::copy(output, output + count * length, features->data());
    }

    for (int row = 0; row < count; ++row) {
        const float norm = features->row(row).norm();
        if (norm > 1e-12f)
            features->row(row) /= norm;
    }
    return true;
}

Result<int> measureFeatureLength(const NetworkPass &pass, int inputSide, const QString &networkName)
{
    const std::vector<float> blank(3 * static_cast<size_t>(inputSide) * inputSide, 0.0f);
    Result<FeatureMatrix> features = pass(blank.data(), 1);
    if (!features)
        return Result<int>::failure(features.error());

    const int length = static_cast<int>(features->cols());
    if (length <= 0)
        return Result<int>::failure(QStringLiteral("%1 returned an empty output.").arg(networkName));
    return length;
}

BatchFeatures extractNetworkBatch(const std::vector<EncodedImage> &images, const NetworkInputSettings &settings,
                                  int dimension, const NetworkPass &pass)
{
    NetworkInputBatch batch = prepareNetworkInputBatch(images, settings);
    FeatureMatrix features = FeatureMatrix::Zero(0, dimension);
    if (!batch.validRows.empty()) {
        Result<FeatureMatrix> computed = pass(batch.values.data(), static_cast<int>(batch.validRows.size()));
        if (!computed) {
            for (int row : batch.validRows)
                batch.errors[row] = computed.error();
            batch.validRows.clear();
        } else {
            features = std::move(computed).value();
        }
    }
    return scatterRows(features, batch, dimension);
}

BatchFeatures scatterRows(const FeatureMatrix &validFeatures, const NetworkInputBatch &batch, int dimension)
{
    BatchFeatures result;
    result.errors = batch.errors;
    result.features = FeatureMatrix::Zero(static_cast<Eigen::Index>(batch.errors.size()), dimension);
    for (size_t position = 0; position < batch.validRows.size(); ++position)
        result.features.row(batch.validRows[position]) = validFeatures.row(static_cast<Eigen::Index>(position));
    return result;
}

} // namespace esafh
