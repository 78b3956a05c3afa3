#pragma once

// Small networks written by the tests themselves: an ONNX file encoded by hand in
// the protobuf wire format, and the oracle both it and the TorchScript fixture are
// checked against.

#include <QByteArray>
#include <QFile>
#include <QString>
#include <QStringList>

#include <cmath>
#include <cstdint>
#include <vector>

namespace esafh::test {

/// Protobuf wire format, enough for a tiny ONNX model: varints, strings, nested
/// messages and packed-free repeated fields.
class ProtobufWriter
{
public:
    ProtobufWriter &varint(int field, std::uint64_t value)
    {
        key(field, 0);
        raw(value);
        return *this;
    }

    ProtobufWriter &bytes(int field, const QByteArray &value)
    {
        key(field, 2);
        raw(static_cast<std::uint64_t>(value.size()));
        m_bytes.append(value);
        return *this;
    }

    ProtobufWriter &string(int field, const QString &value) { return bytes(field, value.toUtf8()); }
    ProtobufWriter &message(int field, const ProtobufWriter &value) { return bytes(field, value.data()); }

    const QByteArray &data() const { return m_bytes; }

private:
    void key(int field, int wireType) { raw((static_cast<std::uint64_t>(field) << 3) | static_cast<std::uint64_t>(wireType)); }

    void raw(std::uint64_t value)
    {
        do {
            char byte = static_cast<char>(value & 0x7f);
            value >>= 7;
            if (value != 0)
                byte = static_cast<char>(byte | 0x80);
            m_bytes.append(byte);
        } while (value != 0);
    }

    QByteArray m_bytes;
};

/// A 1 x 1 convolution of the RGB input to weights.size() / 3 channels with bias,
/// followed by global average pooling: output channel c is bias[c] + sum over k of
/// weights[3 c + k] times the mean of input channel k.
struct PointwiseNetwork
{
    std::vector<float> weights; ///< (channels, 3), row-major.
    std::vector<float> bias;    ///< (channels).

    int channels() const { return static_cast<int>(bias.size()); }

    /// The L2-normalised features the backbones must give for one prepared input
    /// (3 planes of side x side).
    std::vector<float> expectedFeatures(const float *planes, int side) const
    {
        double means[3] = {0, 0, 0};
        const size_t plane = static_cast<size_t>(side) * side;
        for (int k = 0; k < 3; ++k) {
            for (size_t i = 0; i < plane; ++i)
                means[k] += planes[k * plane + i];
            means[k] /= static_cast<double>(plane);
        }

        std::vector<float> features(static_cast<size_t>(channels()));
        double squaredNorm = 0;
        for (int c = 0; c < channels(); ++c) {
            double value = bias[static_cast<size_t>(c)];
            for (int k = 0; k < 3; ++k)
                value += weights[static_cast<size_t>(3 * c + k)] * means[k];
            features[static_cast<size_t>(c)] = static_cast<float>(value);
            squaredNorm += value * value;
        }
        for (float &value : features)
            value = static_cast<float>(value / std::sqrt(squaredNorm));
        return features;
    }
};

inline PointwiseNetwork makePointwiseNetwork(int channels, float offset)
{
    PointwiseNetwork network;
    for (int i = 0; i < 3 * channels; ++i)
        network.weights.push_back(std::sin(1.7f * static_cast<float>(i) + offset));
    for (int c = 0; c < channels; ++c)
        network.bias.push_back(0.1f * std::cos(static_cast<float>(c) + offset));
    return network;
}

/// ONNX bytes of the pointwise network: Conv (node "conv") then
/// GlobalAveragePool (graph output "pooled"), opset 13, input "input" of shape
/// (N, 3, side, side) with N left open.
inline QByteArray onnxPointwiseNetwork(const PointwiseNetwork &network, int side)
{
    constexpr int kFloat = 1; // TensorProto.DataType FLOAT

    auto tensor = [](const QString &name, const std::vector<std::int64_t> &dims, const std::vector<float> &values) {
        ProtobufWriter proto;
        for (std::int64_t dim : dims)
            proto.varint(1, static_cast<std::uint64_t>(dim));
        proto.varint(2, kFloat).string(8, name);
        QByteArray raw;
        for (float value : values)
            raw.append(reinterpret_cast<const char *>(&value), sizeof(float)); // little-endian hosts only
        return proto.bytes(9, raw);
    };
    auto valueInfo = [](const QString &name, const std::vector<std::int64_t> &dims) {
        ProtobufWriter shape;
        for (std::int64_t dim : dims) {
            ProtobufWriter dimension;
            if (dim < 0)
                dimension.string(2, QStringLiteral("N"));
            else
                dimension.varint(1, static_cast<std::uint64_t>(dim));
            shape.message(1, dimension);
        }
        ProtobufWriter tensorType;
        tensorType.varint(1, kFloat).message(2, shape);
        ProtobufWriter type;
        type.message(1, tensorType);
        ProtobufWriter info;
        return info.string(1, name).message(2, type);
    };
    auto node = [](const QStringList &inputs, const QString &output, const QString &name, const QString &op) {
        ProtobufWriter proto;
        for (const QString &input : inputs)
            proto.string(1, input);
        return proto.string(2, output).string(3, name).string(4, op);
    };

    // OpenCV reads a convolution's kernel size from its attribute, not from W.
    ProtobufWriter kernelShape;
    constexpr int kInts = 7; // AttributeProto.AttributeType INTS
    kernelShape.string(1, QStringLiteral("kernel_shape")).varint(20, kInts).varint(8, 1).varint(8, 1);
    ProtobufWriter convolution = node({QStringLiteral("input"), QStringLiteral("W"), QStringLiteral("B")},
                                      QStringLiteral("conv_out"), QStringLiteral("conv"), QStringLiteral("Conv"));
    convolution.message(5, kernelShape);

    const std::int64_t channels = network.channels();
    ProtobufWriter graph;
    graph.message(1, convolution)
        .message(1, node({QStringLiteral("conv_out")}, QStringLiteral("pooled"), QStringLiteral("pool"),
                         QStringLiteral("GlobalAveragePool")))
        .string(2, QStringLiteral("pointwise"))
        .message(5, tensor(QStringLiteral("W"), {channels, 3, 1, 1}, network.weights))
        .message(5, tensor(QStringLiteral("B"), {channels}, network.bias))
        .message(11, valueInfo(QStringLiteral("input"), {-1, 3, side, side}))
        .message(12, valueInfo(QStringLiteral("pooled"), {-1, channels, 1, 1}));

    ProtobufWriter opset;
    opset.string(1, QString()).varint(2, 13);
    ProtobufWriter model;
    model.varint(1, 7).message(8, opset).string(2, QStringLiteral("esafh-tests")).message(7, graph);
    return model.data();
}

} // namespace esafh::test
