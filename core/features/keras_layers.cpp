#include "features/keras_layers.h"

#include <QJsonArray>

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace esafh::keras {

namespace F = torch::nn::functional;

void fail(const QString &layer, const QString &problem)
{
    throw BuildError{QStringLiteral("Layer %1: %2").arg(layer, problem)};
}

namespace {

// Reads an integer pair that Keras writes either as one number or as [a, b].
std::pair<int, int> intPair(const QJsonValue &value, const QString &layer, const QString &key)
{
    if (value.isDouble())
        return {value.toInt(), value.toInt()};
    const QJsonArray array = value.toArray();
    if (array.size() != 2 || !array[0].isDouble() || !array[1].isDouble())
        fail(layer, QStringLiteral("\"%1\" is not a number or a pair of numbers").arg(key));
    return {array[0].toInt(), array[1].toInt()};
}

// TensorFlow's "same" padding: the output has ceil(size / stride) positions, and the
// odd padding pixel goes after the image (bottom or right).
std::pair<int64_t, int64_t> samePadding(int64_t size, int kernel, int stride, int dilation)
{
    const int64_t output = (size + stride - 1) / stride;
    const int64_t effectiveKernel = static_cast<int64_t>(kernel - 1) * dilation + 1;
    const int64_t total = std::max<int64_t>((output - 1) * stride + effectiveKernel - size, 0);
    return {total / 2, total - total / 2};
}

torch::Tensor padSame(const torch::Tensor &x, std::pair<int, int> kernel, std::pair<int, int> strides,
                      std::pair<int, int> dilation, double value = 0.0)
{
    const auto [top, bottom] = samePadding(x.size(2), kernel.first, strides.first, dilation.first);
    const auto [left, right] = samePadding(x.size(3), kernel.second, strides.second, dilation.second);
    if (top == 0 && bottom == 0 && left == 0 && right == 0)
        return x;
    return F::pad(x, F::PadFuncOptions({left, right, top, bottom}).value(value));
}

std::function<torch::Tensor(const torch::Tensor &)> activation(const QString &name, const QString &layer)
{
    if (name.isEmpty() || name == QLatin1String("linear"))
        return [](const torch::Tensor &x) { return x; };
    if (name == QLatin1String("relu"))
        return [](const torch::Tensor &x) { return torch::relu(x); };
    if (name == QLatin1String("relu6"))
        return [](const torch::Tensor &x) { return torch::clamp(x, 0.0, 6.0); };
    if (name == QLatin1String("sigmoid"))
        return [](const torch::Tensor &x) { return torch::sigmoid(x); };
    if (name == QLatin1String("tanh"))
        return [](const torch::Tensor &x) { return torch::tanh(x); };
    // Keras applies softmax over the last axis, which is the channel axis, dimension 1 here.
    if (name == QLatin1String("softmax"))
        return [](const torch::Tensor &x) { return torch::softmax(x, 1); };
    fail(layer, QStringLiteral("the activation \"%1\" is not supported").arg(name));
}

class LayerBuilder
{
public:
    LayerBuilder(const TfjsLayersModel &model, torch::Device device) : m_model(model), m_device(device) {}

    LayerFunction build(const QString &name, const QString &className, const QJsonObject &config) const
    {
        m_layer = name;
        checkDataFormat(config);
        if (className == QLatin1String("Conv2D"))
            return convolution(config);
        if (className == QLatin1String("DepthwiseConv2D"))
            return depthwiseConvolution(config);
        if (className == QLatin1String("BatchNormalization"))
            return batchNormalization(config);
        if (className == QLatin1String("ReLU"))
            return relu(config);
        if (className == QLatin1String("Activation")) {
            auto function = activation(config.value(QStringLiteral("activation")).toString(), m_layer);
            return [function](const Tensors &x) { return function(x[0]); };
        }
        if (className == QLatin1String("ZeroPadding2D"))
            return zeroPadding(config);
        if (className == QLatin1String("Add"))
            return [](const Tensors &x) {
                torch::Tensor sum = x[0];
                for (size_t i = 1; i < x.size(); ++i)
                    sum = sum + x[i];
                return sum;
            };
        if (className == QLatin1String("Concatenate"))
            return concatenate(config);
        if (className == QLatin1String("AveragePooling2D") || className == QLatin1String("MaxPooling2D"))
            return pooling(config, className == QLatin1String("MaxPooling2D"));
        if (className == QLatin1String("GlobalAveragePooling2D"))
            return [](const Tensors &x) { return x[0].mean({2, 3}); };
        if (className == QLatin1String("GlobalMaxPooling2D"))
            return [](const Tensors &x) { return x[0].amax({2, 3}); };
        if (className == QLatin1String("Flatten"))
            return [](const Tensors &x) {
                // Keras flattens (H, W, C); the tensors here are (C, H, W).
                return x[0].dim() == 4 ? x[0].permute({0, 2, 3, 1}).flatten(1) : x[0].flatten(1);
            };
        if (className == QLatin1String("Dense"))
            return dense(config);
        if (className == QLatin1String("Dropout") || className == QLatin1String("SpatialDropout2D"))
            return [](const Tensors &x) { return x[0]; };
        fail(m_layer, QStringLiteral("the layer type %1 is not supported").arg(className));
    }

private:
    void checkDataFormat(const QJsonObject &config) const
    {
        const QString format = config.value(QStringLiteral("data_format")).toString();
        if (!format.isEmpty() && format != QLatin1String("channels_last"))
            fail(m_layer, QStringLiteral("data_format %1 is not supported, only channels_last").arg(format));
    }

    // The weight "<layer>/<parameter>", also found under a prefix such as "model/".
    torch::Tensor weight(const QString &parameter, const std::vector<int64_t> &expectedShape = {}) const
    {
        const QString name = m_layer + QLatin1Char('/') + parameter;
        auto found = m_model.weights.find(name);
        if (found == m_model.weights.end()) {
            found = std::find_if(m_model.weights.begin(), m_model.weights.end(), [&name](const auto &entry) {
                return entry.first.endsWith(QLatin1Char('/') + name);
            });
        }
        if (found == m_model.weights.end())
            fail(m_layer, QStringLiteral("the weight %1 is missing").arg(name));

        const TfjsWeight &stored = found->second;
        if (!expectedShape.empty() && stored.shape != expectedShape) {
            QStringList expected, actual;
            for (int64_t size : expectedShape)
                expected << QString::number(size);
            for (int64_t size : stored.shape)
                actual << QString::number(size);
            fail(m_layer, QStringLiteral("the weight %1 has shape [%2], expected [%3]")
                              .arg(name, actual.join(QLatin1Char(',')), expected.join(QLatin1Char(','))));
        }
        return torch::from_blob(const_cast<float *>(stored.values.data()), stored.shape, torch::kFloat32)
            .clone()
            .to(m_device);
    }

    int64_t weightDimension(const QString &parameter, int axis) const
    {
        const torch::Tensor tensor = weight(parameter);
        if (axis >= tensor.dim())
            fail(m_layer, QStringLiteral("the weight %1 has too few dimensions").arg(parameter));
        return tensor.size(axis);
    }

    LayerFunction convolution(const QJsonObject &config) const
    {
        if (config.value(QStringLiteral("groups")).toInt(1) != 1)
            fail(m_layer, QStringLiteral("grouped convolutions are not supported"));
        const auto kernelSize = intPair(config.value(QStringLiteral("kernel_size")), m_layer, QStringLiteral("kernel_size"));
        const auto strides = intPair(config.value(QStringLiteral("strides")), m_layer, QStringLiteral("strides"));
        const QJsonValue dilationValue = config.value(QStringLiteral("dilation_rate"));
        const auto dilation = dilationValue.isUndefined() ? std::pair<int, int>{1, 1}
                                                          : intPair(dilationValue, m_layer, QStringLiteral("dilation_rate"));
        const bool same = padding(config);
        const int filters = config.value(QStringLiteral("filters")).toInt();

        // Keras HWIO -> LibTorch OIHW.
        const torch::Tensor kernel = weight(QStringLiteral("kernel"));
        if (kernel.dim() != 4 || kernel.size(0) != kernelSize.first || kernel.size(1) != kernelSize.second
            || kernel.size(3) != filters) {
            fail(m_layer, QStringLiteral("the kernel's shape does not match kernel_size and filters"));
        }
        const torch::Tensor oihw = kernel.permute({3, 2, 0, 1}).contiguous();
        const torch::Tensor bias = config.value(QStringLiteral("use_bias")).toBool(true)
                                       ? weight(QStringLiteral("bias"), {filters})
                                       : torch::Tensor();
        const auto activate = activation(config.value(QStringLiteral("activation")).toString(), m_layer);

        return [=](const Tensors &x) {
            const torch::Tensor input = same ? padSame(x[0], kernelSize, strides, dilation) : x[0];
            return activate(torch::conv2d(input, oihw, bias, std::vector<int64_t>{strides.first, strides.second},
                                          std::vector<int64_t>{0, 0},
                                          std::vector<int64_t>{dilation.first, dilation.second}));
        };
    }

    LayerFunction depthwiseConvolution(const QJsonObject &config) const
    {
        const auto kernelSize = intPair(config.value(QStringLiteral("kernel_size")), m_layer, QStringLiteral("kernel_size"));
        const auto strides = intPair(config.value(QStringLiteral("strides")), m_layer, QStringLiteral("strides"));
        const QJsonValue dilationValue = config.value(QStringLiteral("dilation_rate"));
        const auto dilation = dilationValue.isUndefined() ? std::pair<int, int>{1, 1}
                                                          : intPair(dilationValue, m_layer, QStringLiteral("dilation_rate"));
        const bool same = padding(config);

        // Keras (H, W, C, M) -> (C * M, 1, H, W); output channel c * M + m, as Keras orders it.
        const torch::Tensor kernel = weight(QStringLiteral("depthwise_kernel"));
        if (kernel.dim() != 4 || kernel.size(0) != kernelSize.first || kernel.size(1) != kernelSize.second)
            fail(m_layer, QStringLiteral("the depthwise kernel's shape does not match kernel_size"));
        const int64_t channels = kernel.size(2);
        const int64_t multiplier = kernel.size(3);
        const torch::Tensor grouped =
            kernel.permute({2, 3, 0, 1}).reshape({channels * multiplier, 1, kernelSize.first, kernelSize.second}).contiguous();
        const torch::Tensor bias = config.value(QStringLiteral("use_bias")).toBool(true)
                                       ? weight(QStringLiteral("bias"), {channels * multiplier})
                                       : torch::Tensor();
        const auto activate = activation(config.value(QStringLiteral("activation")).toString(), m_layer);

        return [=](const Tensors &x) {
            const torch::Tensor input = same ? padSame(x[0], kernelSize, strides, dilation) : x[0];
            return activate(torch::conv2d(input, grouped, bias, std::vector<int64_t>{strides.first, strides.second},
                                          std::vector<int64_t>{0, 0},
                                          std::vector<int64_t>{dilation.first, dilation.second}, channels));
        };
    }

    bool padding(const QJsonObject &config) const
    {
        const QString mode = config.value(QStringLiteral("padding")).toString(QStringLiteral("valid"));
        if (mode != QLatin1String("valid") && mode != QLatin1String("same"))
            fail(m_layer, QStringLiteral("padding \"%1\" is not supported").arg(mode));
        return mode == QLatin1String("same");
    }

    LayerFunction batchNormalization(const QJsonObject &config) const
    {
        const QJsonValue axisValue = config.value(QStringLiteral("axis"));
        const int axis = axisValue.isArray() ? axisValue.toArray().at(0).toInt() : axisValue.toInt(-1);
        if (axis != -1 && axis != 3)
            fail(m_layer, QStringLiteral("batch normalisation over axis %1 is not supported, only the channels").arg(axis));

        const double epsilon = config.value(QStringLiteral("epsilon")).toDouble(1e-3);
        const torch::Tensor mean = weight(QStringLiteral("moving_mean"));
        const int64_t channels = mean.size(0);
        const torch::Tensor variance = weight(QStringLiteral("moving_variance"), {channels});
        const torch::Tensor gamma = config.value(QStringLiteral("scale")).toBool(true)
                                        ? weight(QStringLiteral("gamma"), {channels})
                                        : torch::ones({channels}, torch::TensorOptions().device(m_device));
        const torch::Tensor beta = config.value(QStringLiteral("center")).toBool(true)
                                       ? weight(QStringLiteral("beta"), {channels})
                                       : torch::zeros({channels}, torch::TensorOptions().device(m_device));

        // gamma (x - mean) / sqrt(variance + epsilon) + beta, folded into x * scale + shift.
        const torch::Tensor scale = gamma / torch::sqrt(variance + epsilon);
        const torch::Tensor shift = beta - mean * scale;
        return [scale, shift](const Tensors &x) {
            if (x[0].dim() == 4)
                return x[0] * scale.view({1, -1, 1, 1}) + shift.view({1, -1, 1, 1});
            return x[0] * scale + shift;
        };
    }

    LayerFunction relu(const QJsonObject &config) const
    {
        const QJsonValue maximumValue = config.value(QStringLiteral("max_value"));
        const double maximum = maximumValue.isDouble() ? maximumValue.toDouble() : std::numeric_limits<double>::infinity();
        const double slope = config.value(QStringLiteral("negative_slope")).toDouble(0.0);
        const double threshold = config.value(QStringLiteral("threshold")).toDouble(0.0);
        return [=](const Tensors &x) {
            torch::Tensor y = slope == 0.0 && threshold == 0.0
                                  ? torch::relu(x[0])
                                  : torch::where(x[0] >= threshold, x[0], (x[0] - threshold) * slope);
            return std::isinf(maximum) ? y : torch::clamp_max(y, maximum);
        };
    }

    LayerFunction zeroPadding(const QJsonObject &config) const
    {
        const QJsonValue value = config.value(QStringLiteral("padding"));
        int64_t top, bottom, left, right;
        if (value.isDouble()) {
            top = bottom = left = right = value.toInt();
        } else if (value.toArray().size() == 2 && value.toArray()[0].isDouble()) {
            top = bottom = value.toArray()[0].toInt();
            left = right = value.toArray()[1].toInt();
        } else if (value.toArray().size() == 2) {
            const QJsonArray rows = value.toArray()[0].toArray();
            const QJsonArray columns = value.toArray()[1].toArray();
            top = rows[0].toInt();
            bottom = rows[1].toInt();
            left = columns[0].toInt();
            right = columns[1].toInt();
        } else {
            fail(m_layer, QStringLiteral("the padding is not a number, a pair or a pair of pairs"));
        }
        return [=](const Tensors &x) { return F::pad(x[0], F::PadFuncOptions({left, right, top, bottom})); };
    }

    LayerFunction concatenate(const QJsonObject &config) const
    {
        const int axis = config.value(QStringLiteral("axis")).toInt(-1);
        if (axis != -1 && axis != 3)
            fail(m_layer, QStringLiteral("concatenation over axis %1 is not supported, only the channels").arg(axis));
        return [](const Tensors &x) { return torch::cat(x, 1); };
    }

    LayerFunction pooling(const QJsonObject &config, bool maximum) const
    {
        const auto poolSize = intPair(config.value(QStringLiteral("pool_size")), m_layer, QStringLiteral("pool_size"));
        const QJsonValue stridesValue = config.value(QStringLiteral("strides"));
        const auto strides = stridesValue.isNull() || stridesValue.isUndefined()
                                 ? poolSize
                                 : intPair(stridesValue, m_layer, QStringLiteral("strides"));
        const bool same = padding(config);

        return [=](const Tensors &x) {
            const std::vector<int64_t> kernel{poolSize.first, poolSize.second};
            const std::vector<int64_t> stride{strides.first, strides.second};
            if (maximum) {
                const torch::Tensor input =
                    same ? padSame(x[0], poolSize, strides, {1, 1}, -std::numeric_limits<double>::infinity()) : x[0];
                return torch::max_pool2d(input, kernel, stride);
            }
            if (!same)
                return torch::avg_pool2d(x[0], kernel, stride);
            // TensorFlow averages only the pixels inside the image at the borders.
            const torch::Tensor sums = torch::avg_pool2d(padSame(x[0], poolSize, strides, {1, 1}), kernel, stride);
            const torch::Tensor ones = torch::ones({1, 1, x[0].size(2), x[0].size(3)}, x[0].options());
            const torch::Tensor shares = torch::avg_pool2d(padSame(ones, poolSize, strides, {1, 1}), kernel, stride);
            return sums / shares;
        };
    }

    LayerFunction dense(const QJsonObject &config) const
    {
        const int units = config.value(QStringLiteral("units")).toInt();
        const torch::Tensor kernel = weight(QStringLiteral("kernel"));
        if (kernel.dim() != 2 || kernel.size(1) != units)
            fail(m_layer, QStringLiteral("the kernel's shape does not match units"));
        const torch::Tensor transposed = kernel.t().contiguous(); // (in, out) -> (out, in)
        const torch::Tensor bias = config.value(QStringLiteral("use_bias")).toBool(true)
                                       ? weight(QStringLiteral("bias"), {units})
                                       : torch::Tensor();
        const auto activate = activation(config.value(QStringLiteral("activation")).toString(), m_layer);
        return [=](const Tensors &x) {
            if (x[0].dim() == 4) // Dense acts on the channels of every position.
                return activate(torch::linear(x[0].permute({0, 2, 3, 1}), transposed, bias).permute({0, 3, 1, 2}));
            return activate(torch::linear(x[0], transposed, bias));
        };
    }

    const TfjsLayersModel &m_model;
    torch::Device m_device;
    mutable QString m_layer;
};

} // namespace

LayerFunction buildLayer(const TfjsLayersModel &model, c10::Device device, const QString &name,
                         const QString &className, const QJsonObject &config)
{
    const LayerBuilder builder(model, device);
    return builder.build(name, className, config);
}

} // namespace esafh::keras
