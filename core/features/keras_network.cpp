#include "features/keras_network.h"

#include "features/keras_layers.h"
#include "features/torch_threads.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonObject>

#include <torch/torch.h>

#include <optional>

namespace esafh {

namespace {

using keras::BuildError;
using keras::LayerFunction;
using keras::Tensors;
using keras::fail;

struct Layer
{
    QString name;
    QString className;
    std::vector<int> inputs;
    LayerFunction apply;
};

} // namespace

struct KerasNetwork::Graph
{
    std::vector<Layer> layers;
    QHash<QString, int> indexOf;
    int inputHeight = 0;
    int inputWidth = 0;
    int inputChannels = 0;
    torch::Device device = torch::kCPU;
};

namespace {

// Reads the input shape [null, H, W, C] of an InputLayer or of the first layer of a
// Sequential model.
void readInputShape(const QJsonObject &config, int *height, int *width, int *channels)
{
    QJsonArray shape = config.value(QStringLiteral("batch_input_shape")).toArray();
    if (shape.isEmpty())
        shape = config.value(QStringLiteral("batch_shape")).toArray();
    if (shape.size() == 4) {
        *height = shape[1].toInt(0);
        *width = shape[2].toInt(0);
        *channels = shape[3].toInt(0);
    }
}

// The layers of a functional model with their inbound layer names.
std::vector<std::pair<QJsonObject, QStringList>> functionalLayers(const QJsonObject &config)
{
    std::vector<std::pair<QJsonObject, QStringList>> layers;
    for (const QJsonValue &value : config.value(QStringLiteral("layers")).toArray()) {
        const QJsonObject layer = value.toObject();
        const QJsonArray nodes = layer.value(QStringLiteral("inbound_nodes")).toArray();
        if (nodes.size() > 1)
            fail(layer.value(QStringLiteral("name")).toString(), QStringLiteral("shared layers are not supported"));
        QStringList inputs;
        for (const QJsonValue &inbound : nodes.isEmpty() ? QJsonArray() : nodes[0].toArray())
            inputs << inbound.toArray().at(0).toString();
        layers.emplace_back(layer, inputs);
    }
    return layers;
}

// The layers of a Sequential model, each fed by the one before. An InputLayer is
// added in front when the first layer only declares the input shape.
std::vector<std::pair<QJsonObject, QStringList>> sequentialLayers(const QJsonValue &configValue)
{
    const QJsonArray array = configValue.isArray() ? configValue.toArray()
                                                   : configValue.toObject().value(QStringLiteral("layers")).toArray();
    std::vector<std::pair<QJsonObject, QStringList>> layers;
    QString previous;
    for (const QJsonValue &value : array) {
        QJsonObject layer = value.toObject();
        QJsonObject config = layer.value(QStringLiteral("config")).toObject();
        if (!layer.contains(QStringLiteral("name")))
            layer[QStringLiteral("name")] = config.value(QStringLiteral("name"));
        if (previous.isEmpty() && layer.value(QStringLiteral("class_name")).toString() != QLatin1String("InputLayer")) {
            QJsonObject input;
            input[QStringLiteral("name")] = QStringLiteral("input");
            input[QStringLiteral("class_name")] = QStringLiteral("InputLayer");
            input[QStringLiteral("config")] = config;
            layers.emplace_back(input, QStringList());
            previous = QStringLiteral("input");
        }
        layers.emplace_back(layer, previous.isEmpty() ? QStringList() : QStringList{previous});
        previous = layer.value(QStringLiteral("name")).toString();
    }
    return layers;
}

} // namespace

KerasNetwork::KerasNetwork(std::unique_ptr<Graph> graph) : m_graph(std::move(graph)) {}

KerasNetwork::~KerasNetwork() = default;

Result<std::unique_ptr<KerasNetwork>> KerasNetwork::build(const TfjsLayersModel &model, bool useCuda)
{
    using BuildResult = Result<std::unique_ptr<KerasNetwork>>;
    auto graph = std::make_unique<Graph>();
    graph->device = useCuda && torch::cuda::is_available() ? torch::Device(torch::kCUDA) : torch::Device(torch::kCPU);

    try {
        torch::NoGradGuard noGradients;
        const QString className = model.modelConfig.value(QStringLiteral("class_name")).toString();
        const QJsonValue config = model.modelConfig.value(QStringLiteral("config"));
        const auto layers = className == QLatin1String("Sequential") ? sequentialLayers(config)
                                                                     : functionalLayers(config.toObject());
        if (layers.empty())
            return BuildResult::failure(QStringLiteral("%1 has no layers.").arg(model.modelFile));

        for (const auto &[json, inputs] : layers) {
            Layer layer;
            layer.name = json.value(QStringLiteral("name")).toString();
            layer.className = json.value(QStringLiteral("class_name")).toString();
            const QJsonObject layerConfig = json.value(QStringLiteral("config")).toObject();
            for (const QString &input : inputs) {
                if (!graph->indexOf.contains(input))
                    fail(layer.name, QStringLiteral("its input %1 is not defined before it").arg(input));
                layer.inputs.push_back(graph->indexOf.value(input));
            }

            if (layer.className == QLatin1String("InputLayer")) {
                if (graph->indexOf.size() > 0 || !layer.inputs.empty())
                    fail(layer.name, QStringLiteral("only one input layer, placed first, is supported"));
                readInputShape(layerConfig, &graph->inputHeight, &graph->inputWidth, &graph->inputChannels);
            } else {
                if (layer.inputs.empty())
                    fail(layer.name, QStringLiteral("it has no input"));
                layer.apply = keras::buildLayer(model, graph->device, layer.name, layer.className, layerConfig);
            }
            graph->indexOf.insert(layer.name, static_cast<int>(graph->layers.size()));
            graph->layers.push_back(std::move(layer));
        }
        if (!graph->layers.front().inputs.empty() || graph->layers.front().className != QLatin1String("InputLayer"))
            return BuildResult::failure(QStringLiteral("%1: the first layer is not the input.").arg(model.modelFile));
    } catch (const BuildError &error) {
        return BuildResult::failure(QStringLiteral("Cannot build the network of %1: %2.").arg(model.modelFile, error.message));
    } catch (const c10::Error &error) {
        return BuildResult::failure(QStringLiteral("Cannot build the network of %1: %2")
                                        .arg(model.modelFile, QString::fromStdString(error.what_without_backtrace())));
    }

    return std::unique_ptr<KerasNetwork>(new KerasNetwork(std::move(graph)));
}

QStringList KerasNetwork::layerNames() const
{
    QStringList names;
    for (const Layer &layer : m_graph->layers)
        names << layer.name;
    return names;
}

int KerasNetwork::inputHeight() const { return m_graph->inputHeight; }
int KerasNetwork::inputWidth() const { return m_graph->inputWidth; }
int KerasNetwork::inputChannels() const { return m_graph->inputChannels; }

QString KerasNetwork::deviceName() const
{
    return m_graph->device.is_cuda() ? QStringLiteral("cuda") : QStringLiteral("cpu");
}

Result<LayerOutput> KerasNetwork::run(const float *planes, int count, int height, int width, const QString &layer) const
{
    const auto target = m_graph->indexOf.constFind(layer);
    if (target == m_graph->indexOf.constEnd())
        return Result<LayerOutput>::failure(QStringLiteral("The network has no layer named %1.").arg(layer));
    const int channels = m_graph->inputChannels > 0 ? m_graph->inputChannels : 3;

    // Only the layers the target depends on are run, and each output is released
    // after its last use.
    const int last = target.value();
    std::vector<int> usesLeft(static_cast<size_t>(last) + 1, 0);
    std::vector<bool> needed(static_cast<size_t>(last) + 1, false);
    needed[static_cast<size_t>(last)] = true;
    for (int index = last; index >= 0; --index) {
        if (!needed[static_cast<size_t>(index)])
            continue;
        for (int input : m_graph->layers[static_cast<size_t>(index)].inputs) {
            needed[static_cast<size_t>(input)] = true;
            ++usesLeft[static_cast<size_t>(input)];
        }
    }

    try {
        torch::InferenceMode inference;
        std::optional<InferenceThreads> threads;
        if (!m_graph->device.is_cuda())
            threads.emplace();
        std::vector<torch::Tensor> outputs(static_cast<size_t>(last) + 1);
        outputs[0] = torch::from_blob(const_cast<float *>(planes), {count, channels, height, width}, torch::kFloat32)
                         .to(m_graph->device);
        for (int index = 1; index <= last; ++index) {
            if (!needed[static_cast<size_t>(index)])
                continue;
            const Layer &current = m_graph->layers[static_cast<size_t>(index)];
            Tensors inputs;
            for (int input : current.inputs) {
                inputs.push_back(outputs[static_cast<size_t>(input)]);
                if (--usesLeft[static_cast<size_t>(input)] == 0)
                    outputs[static_cast<size_t>(input)] = torch::Tensor();
            }
            outputs[static_cast<size_t>(index)] = current.apply(inputs);
        }

        const torch::Tensor result = outputs[static_cast<size_t>(last)].to(torch::kCPU).contiguous();
        LayerOutput output;
        output.shape.assign(result.sizes().begin(), result.sizes().end());
        output.values.assign(result.data_ptr<float>(), result.data_ptr<float>() + result.numel());
        return output;
    } catch (const c10::Error &error) {
        return Result<LayerOutput>::failure(QStringLiteral("The network failed on a %1 x %2 x %3 input: %4")
                                                .arg(count)
                                                .arg(height)
                                                .arg(width)
                                                .arg(QString::fromStdString(error.what_without_backtrace())));
    }
}

} // namespace esafh
