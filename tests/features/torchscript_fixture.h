#pragma once

// A TorchScript module built and saved by the tests, with LibTorch's C++ API.

#include "model_fixtures.h"

#include <QString>

#include <torch/script.h>

namespace esafh::test {

/// Saves the pointwise network as a TorchScript module whose forward returns the 4-D
/// convolution output (the backbone pools it) and whose method pooled returns the
/// 2-D average. Returns false when LibTorch fails.
inline bool saveTorchScriptPointwiseNetwork(const PointwiseNetwork &network, const QString &path)
{
    try {
        torch::jit::Module module("PointwiseNetwork");
        const auto channels = static_cast<std::int64_t>(network.channels());
        module.register_parameter(
            "weight", torch::from_blob(const_cast<float *>(network.weights.data()), {channels, 3, 1, 1}).clone(), false);
        module.register_parameter(
            "bias", torch::from_blob(const_cast<float *>(network.bias.data()), {channels}).clone(), false);
        module.define(R"(
def forward(self, x):
    return torch.conv2d(x, self.weight, self.bias)

def pooled(self, x):
    return torch.mean(self.forward(x), [2, 3])
)");
        module.save(path.toStdString());
        return true;
    } catch (const c10::Error &) {
        return false;
    }
}

} // namespace esafh::test
