#pragma once

#include "common/result.h"
#include "features/tfjs_model.h"

#include <QString>
#include <QStringList>

#include <cstdint>
#include <memory>
#include <vector>

namespace esafh {

/// The output of one layer for a batch: shape (N, C, H, W) for an image-shaped
/// output, which Keras stores as (N, H, W, C), and (N, D) otherwise.
struct LayerOutput
{
    std::vector<float> values;
    std::vector<std::int64_t> shape;
};

/// A Keras functional or sequential model rebuilt in LibTorch from a TensorFlow.js
/// layers model, for inference. Supported layers: InputLayer, Conv2D,
/// DepthwiseConv2D, BatchNormalization, ReLU, Activation, ZeroPadding2D, Add,
/// Concatenate, AveragePooling2D, MaxPooling2D, GlobalAveragePooling2D, Flatten,
/// Dense and Dropout (the identity at inference).
///
/// Layouts are converted once when the network is built: Keras HWIO kernels to
/// LibTorch's OIHW, depthwise kernels (H, W, C, M) to (C * M, 1, H, W) and dense
/// kernels (in, out) to (out, in). "same" padding is computed as TensorFlow does,
/// with the odd pixel at the bottom and right. Flatten reads values in Keras's
/// (H, W, C) order. Safe to run from several threads at once.
class KerasNetwork
{
public:
    /// Builds the network on the CPU, or on the CUDA device when useCuda is set and
    /// LibTorch has one. Fails, naming the layer, on an unsupported layer or setting,
    /// a missing weight or a weight of the wrong shape.
    static Result<std::unique_ptr<KerasNetwork>> build(const TfjsLayersModel &model, bool useCuda = false);
    ~KerasNetwork();

    /// Layer names in topological order.
    QStringList layerNames() const;

    /// Height, width and channels of the model's input; 0 for a dimension left open.
    int inputHeight() const;
    int inputWidth() const;
    int inputChannels() const;

    QString deviceName() const;

    /// Runs count images, given as planes (N, C, H, W), up to layer and returns its
    /// output. Fails with the message of LibTorch when the input does not fit.
    Result<LayerOutput> run(const float *planes, int count, int height, int width, const QString &layer) const;

private:
    struct Graph;
    explicit KerasNetwork(std::unique_ptr<Graph> graph);
    std::unique_ptr<Graph> m_graph;
};

} // namespace esafh
