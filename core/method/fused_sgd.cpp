// SGD with momentum and weight decay in one pass over each parameter. LibTorch's
// SGD runs three to four whole-tensor operations per parameter (weight decay,
// momentum, update), and each reads and writes the full tensor. At batches of 32
// the networks' 2.7M parameters are read that often for little arithmetic.

#include "method/torch_internal.h"

#include <cstring>

namespace esafh::detail {

namespace {

bool fusable(const torch::Tensor &parameter, const torch::Tensor &gradient)
{
    return parameter.device().is_cpu() && parameter.scalar_type() == torch::kFloat && parameter.is_contiguous()
           && gradient.scalar_type() == torch::kFloat && gradient.is_contiguous() && !gradient.is_sparse();
}

/// Four floats, one SSE register on every x86-64 CPU (GCC and Clang vector extension).
typedef float Float4 __attribute__((vector_size(16)));

Float4 load(const float *values)
{
    Float4 vector;
    std::memcpy(&vector, values, sizeof(vector));
    return vector;
}

void store(float *values, Float4 vector)
{
    std::memcpy(values, &vector, sizeof(vector));
}

/// g = gradient + weightDecay * value; velocity = momentum * velocity + g;
/// value -= learningRate * velocity. Written with explicit vectors because GCC's
/// default -O2 cost model leaves this loop scalar.
void updateParameter(float *__restrict values, const float *__restrict gradients, float *__restrict velocities,
                     int64_t count, float learningRate, float momentum, float weightDecay)
{
    int64_t i = 0;
    for (; i + 4 <= count; i += 4) {
        const Float4 value = load(values + i);
        const Float4 step = load(gradients + i) + weightDecay * value;
        const Float4 velocity = momentum * load(velocities + i) + step;
        store(velocities + i, velocity);
        store(values + i, value - learningRate * velocity);
    }
    for (; i < count; ++i) {
        const float step = gradients[i] + weightDecay * values[i];
        velocities[i] = momentum * velocities[i] + step;
        values[i] -= learningRate * velocities[i];
    }
}

} // namespace

FusedSgd::FusedSgd(std::vector<torch::Tensor> parameters, const torch::optim::SGDOptions &options)
    : torch::optim::SGD(std::move(parameters), options)
{
}

torch::Tensor FusedSgd::step(LossClosure closure)
{
    auto &options = static_cast<torch::optim::SGDOptions &>(param_groups().front().options());
    bool fused = param_groups().size() == 1 && !options.nesterov() && options.dampening() == 0;
    for (const torch::Tensor &parameter : param_groups().front().params()) {
        if (parameter.grad().defined() && !fusable(parameter, parameter.grad()))
            fused = false;
    }
    if (!fused)
        return torch::optim::SGD::step(std::move(closure)); // on a GPU, for example

    torch::NoGradGuard noGrad;
    torch::Tensor loss;
    if (closure)
        loss = closure();

    const auto learningRate = static_cast<float>(options.lr());
    const auto momentum = static_cast<float>(options.momentum());
    const auto weightDecay = static_cast<float>(options.weight_decay());
    for (torch::Tensor &parameter : param_groups().front().params()) {
        const torch::Tensor &gradient = parameter.grad();
        if (!gradient.defined())
            continue;

        // The momentum buffer starts at zero, which gives LibTorch's first step,
        // where the buffer is a copy of the gradient.
        // Keyed as LibTorch's SGD keys its state, so both steps share the buffers.
        const std::string key = c10::guts::to_string(parameter.unsafeGetTensorImpl());
        auto found = state().find(key);
        if (found == state().end()) {
            auto created = std::make_unique<torch::optim::SGDParamState>();
            created->momentum_buffer(torch::zeros_like(parameter));
            found = state().emplace(key, std::move(created)).first;
        }
        torch::Tensor buffer = static_cast<torch::optim::SGDParamState &>(*found->second).momentum_buffer();

        updateParameter(parameter.data_ptr<float>(), gradient.data_ptr<float>(), buffer.data_ptr<float>(),
                        parameter.numel(), learningRate, momentum, weightDecay);
    }
    return loss;
}

void clearGradients(torch::optim::Optimizer &optimizer)
{
    for (torch::optim::OptimizerParamGroup &group : optimizer.param_groups()) {
        for (torch::Tensor &parameter : group.params())
            parameter.mutable_grad() = torch::Tensor();
    }
}

} // namespace esafh::detail
