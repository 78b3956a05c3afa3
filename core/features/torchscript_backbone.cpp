#include "features/network_backbones.h"

#include "common/logging.h"
#include "features/network_input.h"
#include "features/torch_threads.h"

#include <QFileInfo>
#include <QMutex>

#include <torch/cuda.h>
#include <torch/script.h>

#include <optional>

namespace esafh {

namespace {

// The first tensor of a module's output: the tensor itself, or the first element of
// a tuple or list (as detection and feature models often return).
torch::Tensor firstTensor(const c10::IValue &output)
{
    if (output.isTensor())
        return output.toTensor();
    if (output.isTuple()) {
        for (const c10::IValue &element : output.toTupleRef().elements()) {
            if (element.isTensor())
                return element.toTensor();
        }
    }
    if (output.isTensorList() && !output.toTensorList().empty())
        return output.toTensorList().get(0);
    return {};
}

class TorchScriptExtractor final : public ImageFeatureExtractor
{
public:
    TorchScriptExtractor(BackboneSpec spec, QString identity, torch::jit::Module module, torch::Device device)
        : m_spec(std::move(spec)), m_identity(std::move(identity)), m_module(std::move(module)), m_device(device)
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
    QString deviceName() const override { return m_device.is_cuda() ? QStringLiteral("cuda") : QStringLiteral("cpu"); }

    /// Runs the module on count prepared inputs and returns its output as features.
    Result<FeatureMatrix> run(const float *planes, int count) const
    {
        const QString method = m_spec.layer.isEmpty() ? QStringLiteral("forward") : m_spec.layer;
        try {
            torch::InferenceMode inference;
            std::optional<InferenceThreads> threads;
            if (!m_device.is_cuda())
                threads.emplace();

            const torch::Tensor input =
                torch::from_blob(const_cast<float *>(planes), {count, 3, m_spec.inputSize, m_spec.inputSize}, torch::kFloat32)
                    .to(m_device);
            c10::IValue output;
            {
                // A TorchScript module may keep state between calls, so calls are serialised.
                QMutexLocker lock(&m_mutex);
                output = m_module.get_method(method.toStdString())({input});
            }
            const torch::Tensor tensor = firstTensor(output);
            if (!tensor.defined() || tensor.dim() < 1) {
                return Result<FeatureMatrix>::failure(
                    QStringLiteral("TorchScript model %1: %2() returned no tensor.").arg(m_spec.path, method));
            }
            const torch::Tensor values = tensor.to(torch::kCPU, torch::kFloat32).contiguous();
            const std::vector<std::int64_t> shape(values.sizes().begin(), values.sizes().end());
            FeatureMatrix features;
            if (!outputToFeatures(values.data_ptr<float>(), shape, count, m_spec.averagePool, &features)) {
                return Result<FeatureMatrix>::failure(
                    QStringLiteral("TorchScript model %1: %2() returned %3 rows for %4 images.")
                        .arg(m_spec.path, method)
                        .arg(shape.empty() ? 0 : shape[0])
                        .arg(count));
            }
            return features;
        } catch (const c10::Error &error) {
            return Result<FeatureMatrix>::failure(QStringLiteral("TorchScript model %1 failed on a batch of %2: %3")
                                                      .arg(m_spec.path)
                                                      .arg(count)
                                                      .arg(QString::fromStdString(error.what_without_backtrace())));
        }
    }

    Status measureDimension()
    {
        const Result<int> length = measureFeatureLength(
            [this](const float *values, int count) { return run(values, count); }, m_spec.inputSize, QStringLiteral("TorchScript model %1").arg(m_spec.path));
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
    mutable torch::jit::Module m_module;
    torch::Device m_device;
    NetworkInputSettings m_input;
    int m_dimension = 0;
    mutable QMutex m_mutex;
};

} // namespace

Result<QStringList> torchScriptMethodNames(const QString &path)
{
    try {
        const torch::jit::Module module = torch::jit::load(path.toStdString(), torch::kCPU);
        QStringList names;
        for (const torch::jit::Method &method : module.get_methods())
            names << QString::fromStdString(method.name());
        return names;
    } catch (const c10::Error &error) {
        return Result<QStringList>::failure(QStringLiteral("Failed to load TorchScript model %1: %2")
                                                .arg(path, QString::fromStdString(error.what_without_backtrace())));
    }
}

Result<std::unique_ptr<ImageFeatureExtractor>> createTorchScriptExtractor(const BackboneSpec &spec, const QString &identity)
{
    using ExtractorResult = Result<std::unique_ptr<ImageFeatureExtractor>>;
    if (!QFileInfo(spec.path).isFile())
        return ExtractorResult::failure(QStringLiteral("TorchScript model file not found: %1").arg(spec.path));

    const torch::Device device = torch::cuda::is_available() ? torch::Device(torch::kCUDA) : torch::Device(torch::kCPU);
    torch::jit::Module module;
    try {
        module = torch::jit::load(spec.path.toStdString(), device);
        module.eval();
    } catch (const c10::Error &error) {
        return ExtractorResult::failure(QStringLiteral("Failed to load TorchScript model %1: %2")
                                            .arg(spec.path, QString::fromStdString(error.what_without_backtrace())));
    }

    if (!spec.layer.isEmpty() && !module.find_method(spec.layer.toStdString())) {
        QStringList methods;
        for (const torch::jit::Method &method : module.get_methods())
            methods << QString::fromStdString(method.name());
        return ExtractorResult::failure(QStringLiteral("TorchScript model %1 has no method %2; it has: %3.")
                                            .arg(spec.path, spec.layer, methods.join(QStringLiteral(", "))));
    }

    auto extractor = std::make_unique<TorchScriptExtractor>(spec, identity, std::move(module), device);
    if (Status measured = extractor->measureDimension(); !measured)
        return ExtractorResult::failure(measured.error());
    qCInfo(lcFeatures).noquote() << "Loaded TorchScript model" << spec.path << "on" << extractor->deviceName()
                                 << "giving" << extractor->dimension() << "features";
    return std::unique_ptr<ImageFeatureExtractor>(std::move(extractor));
}

} // namespace esafh
