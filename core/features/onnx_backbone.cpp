#include "features/network_backbones.h"

#include "common/logging.h"
#include "features/network_input.h"

#include <QFileInfo>
#include <QMutex>

#include <opencv2/core.hpp>
#include <opencv2/dnn.hpp>

namespace esafh {

namespace {

class OnnxExtractor final : public ImageFeatureExtractor
{
public:
    OnnxExtractor(BackboneSpec spec, QString identity, cv::dnn::Net network, QString layer)
        : m_spec(std::move(spec)), m_identity(std::move(identity)), m_network(std::move(network)), m_layer(std::move(layer))
    {
        m_input.side = m_spec.inputSize;
        for (int channel = 0; channel < 3; ++channel) {
            m_input.mean[channel] = m_spec.mean[static_cast<size_t>(channel)];
            m_input.standardDeviation[channel] = m_spec.standardDeviation[static_cast<size_t>(channel)];
        }
    }

    BackboneSpec spec() const override { return m_spec; }
    QString identity() const override { return m_identity; }
    int dimension() const override { return m_dimension; }
    int preferredBatchSize() const override { return kNetworkBatchSize; }

    Result<FeatureMatrix> run(const float *planes, int count) const
    {
        const int shape[] = {count, 3, m_spec.inputSize, m_spec.inputSize};
        const cv::Mat blob(4, shape, CV_32F, const_cast<float *>(planes));
        try {
            cv::Mat output;
            {
                // cv::dnn::Net keeps its blobs in the object, so one pass runs at a time.
                QMutexLocker lock(&m_mutex);
                m_network.setInput(blob);
                output = m_layer.isEmpty() ? m_network.forward() : m_network.forward(m_layer.toStdString());
                output = output.clone();
            }
            std::vector<std::int64_t> outputShape;
            for (int axis = 0; axis < output.dims; ++axis)
                outputShape.push_back(output.size[axis]);
            const cv::Mat values = output.depth() == CV_32F ? output : [&output] {
                cv::Mat converted;
                output.convertTo(converted, CV_32F);
                return converted;
            }();

            FeatureMatrix features;
            if (!outputToFeatures(values.ptr<float>(), outputShape, count, m_spec.averagePool, &features)) {
                return Result<FeatureMatrix>::failure(QStringLiteral("ONNX model %1 returned %2 rows for %3 images.")
                                                          .arg(m_spec.path)
                                                          .arg(outputShape.empty() ? 0 : outputShape[0])
                                                          .arg(count));
            }
            return features;
        } catch (const cv::Exception &error) {
            return Result<FeatureMatrix>::failure(QStringLiteral("ONNX model %1 failed on a batch of %2: %3")
                                                      .arg(m_spec.path)
                                                      .arg(count)
                                                      .arg(QString::fromStdString(error.msg)));
        }
    }

    Status measureDimension()
    {
        const Result<int> length = measureFeatureLength(
            [this](const float *values, int count) { return run(values, count); }, m_spec.inputSize, QStringLiteral("ONNX model %1").arg(m_spec.path));
        if (!length)
            return Status::failure(length.error());
        m_dimension = length.value();
        return Status::success();
    }

    BatchFeatures extractBatch(const std::vector<EncodedImage> &images) const override
    {
        return extractNetworkBatch(images, m_input, m_dimension,
                                   [this](const float *values, int count) { return run(values, count); });
    }

private:
    BackboneSpec m_spec;
    QString m_identity;
    mutable cv::dnn::Net m_network;
    QString m_layer; ///< The OpenCV layer to read, empty for the network's output.
    NetworkInputSettings m_input;
    int m_dimension = 0;
    mutable QMutex m_mutex;
};

} // namespace

Result<QStringList> onnxLayerNames(const QString &path)
{
    try {
        const cv::dnn::Net network = cv::dnn::readNetFromONNX(path.toStdString());
        QStringList names;
        for (const cv::String &name : network.getLayerNames())
            names << QString::fromStdString(name);
        return names;
    } catch (const cv::Exception &error) {
        return Result<QStringList>::failure(
            QStringLiteral("Failed to load ONNX model %1: %2").arg(path, QString::fromStdString(error.msg)));
    }
}

Result<std::unique_ptr<ImageFeatureExtractor>> createOnnxExtractor(const BackboneSpec &spec, const QString &identity)
{
    using ExtractorResult = Result<std::unique_ptr<ImageFeatureExtractor>>;
    if (!QFileInfo(spec.path).isFile())
        return ExtractorResult::failure(QStringLiteral("ONNX model file not found: %1").arg(spec.path));

    cv::dnn::Net network;
    try {
        network = cv::dnn::readNetFromONNX(spec.path.toStdString());
    } catch (const cv::Exception &error) {
        return ExtractorResult::failure(
            QStringLiteral("Failed to load ONNX model %1: %2").arg(spec.path, QString::fromStdString(error.msg)));
    }
    if (network.empty())
        return ExtractorResult::failure(QStringLiteral("Failed to load ONNX model %1: the network is empty.").arg(spec.path));

    // OpenCV names the layer of a named ONNX node "onnx_node!<node name>", so the
    // node's own name is accepted too.
    QString layer = spec.layer;
    if (!layer.isEmpty() && network.getLayerId(layer.toStdString()) < 0)
        layer = QStringLiteral("onnx_node!") + spec.layer;
    if (!spec.layer.isEmpty() && network.getLayerId(layer.toStdString()) < 0) {
        QStringList names;
        for (const cv::String &name : network.getLayerNames())
            names << QString::fromStdString(name);
        return ExtractorResult::failure(QStringLiteral("ONNX model %1 has no layer %2; it has: %3.")
                                            .arg(spec.path, spec.layer, names.join(QStringLiteral(", "))));
    }

    auto extractor = std::make_unique<OnnxExtractor>(spec, identity, std::move(network), layer);
    if (Status measured = extractor->measureDimension(); !measured)
        return ExtractorResult::failure(measured.error());
    qCInfo(lcFeatures).noquote() << "Loaded ONNX model" << spec.path << "giving" << extractor->dimension() << "features";
    return std::unique_ptr<ImageFeatureExtractor>(std::move(extractor));
}

} // namespace esafh
