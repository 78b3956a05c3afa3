#pragma once

// The Keras layers that KerasNetwork rebuilds in LibTorch, with a builder for each
// layer type. Only keras_network.cpp includes this header.

#include "features/tfjs_model.h"

#include <QJsonObject>
#include <QString>

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <functional>
#include <vector>

namespace esafh::keras {

using Tensors = std::vector<at::Tensor>;

/// The computation of one layer, from the outputs of its inbound layers.
using LayerFunction = std::function<at::Tensor(const Tensors &)>;

/// A failure while building, carried out of the layer builders as an exception and
/// turned into a Result at the boundary of KerasNetwork::build().
struct BuildError
{
    QString message;
};

/// Throws a BuildError that names the layer.
[[noreturn]] void fail(const QString &layer, const QString &problem);

/// Builds the computation of the layer name of type className from its Keras
/// config, with its weights from model moved to device. Throws BuildError on an
/// unsupported layer type or setting, a missing weight or a weight of the wrong shape.
LayerFunction buildLayer(const TfjsLayersModel &model, c10::Device device, const QString &name,
                         const QString &className, const QJsonObject &config);

} // namespace esafh::keras
