// The hash networks of ESAFH and the HashModel that encodes with them. ESAFH is reconstructed from
// the abstract of Li and Ge, "Enhanced-Similarity Attention Fusion for Unsupervised
// Cross-Modal Hashing Retrieval" (Data Science and Engineering 10(2), 2025), and
// from the DJSRH -> JDSH lineage; see torch_internal.h.

#include "method/hash_model.h"

#include "common/logging.h"
#include "method/device.h"
#include "method/torch_internal.h"

#include <algorithm>
#include <cstring>

namespace esafh {

namespace detail {

namespace {

/// Items encoded per forward pass.
constexpr int encodingChunk = 1024;

} // namespace

torch::Tensor toTensor(const FeatureMatrix &matrix, const torch::Device &device, int first, int count)
{
    if (count < 0)
        count = static_cast<int>(matrix.rows()) - first;
    if (count == 0 || matrix.cols() == 0)
        return torch::zeros({count, static_cast<int64_t>(matrix.cols())}, torch::TensorOptions().device(device));

    // from_blob does not copy, so the clone (or the copy to the GPU) owns the data.
    const float *rows = matrix.data() + static_cast<std::ptrdiff_t>(first) * matrix.cols();
    const torch::Tensor view = torch::from_blob(const_cast<float *>(rows), {count, static_cast<int64_t>(matrix.cols())},
                                                torch::kFloat);
    return device.is_cpu() ? view.clone() : view.to(device);
}

torch::Tensor viewTensor(const FeatureMatrix &matrix, const torch::Device &device, int first, int count)
{
    if (count < 0)
        count = static_cast<int>(matrix.rows()) - first;
    if (count == 0 || matrix.cols() == 0 || !device.is_cpu())
        return toTensor(matrix, device, first, count);

    // Only read: from_blob needs a non-const pointer, but nothing writes through it.
    float *rows = const_cast<float *>(matrix.data()) + static_cast<std::ptrdiff_t>(first) * matrix.cols();
    return torch::from_blob(rows, {count, static_cast<int64_t>(matrix.cols())}, torch::kFloat);
}

FeatureMatrix toMatrix(const torch::Tensor &tensor)
{
    const torch::Tensor cpu = tensor.detach().to(torch::kCPU, torch::kFloat).contiguous();
    FeatureMatrix matrix(cpu.size(0), cpu.size(1));
    if (cpu.numel() > 0)
        std::memcpy(matrix.data(), cpu.data_ptr<float>(), sizeof(float) * static_cast<std::size_t>(cpu.numel()));
    return matrix;
}

ImageNetworkImpl::ImageNetworkImpl(int inputs, int hiddenUnits, int bits, double dropout)
    : dropoutRate(dropout)
{
    mean = register_buffer("mean", torch::zeros({inputs}));
    scale = register_buffer("scale", torch::ones({inputs}));
    if (hiddenUnits > 0) {
        hidden = register_module("hidden", torch::nn::Linear(inputs, hiddenUnits));
        output = register_module("output", torch::nn::Linear(hiddenUnits, bits));
    } else {
        output = register_module("output", torch::nn::Linear(inputs, bits));
    }
}

torch::Tensor ImageNetworkImpl::standardise(const torch::Tensor &images) const
{
    return (images - mean) / scale;
}

torch::Tensor ImageNetworkImpl::forward(const torch::Tensor &images)
{
    torch::Tensor x = standardise(images);
    if (hidden) {
        x = torch::relu(hidden(x));
        x = torch::dropout(x, dropoutRate, is_training());
    }
    return output(x);
}

TextNetworkImpl::TextNetworkImpl(int inputs, int graphUnits, int hiddenUnits, int bits, double dropout)
    : dropoutRate(dropout)
{
    if (graphUnits > 0) {
        graph = register_module("graph", torch::nn::Linear(inputs, graphUnits));
        own = register_module("own", torch::nn::Linear(inputs, graphUnits));
        hidden = register_module("hidden", torch::nn::Linear(2 * graphUnits, hiddenUnits));
    } else {
        hidden = register_module("hidden", torch::nn::Linear(inputs, hiddenUnits));
    }
    output = register_module("output", torch::nn::Linear(hiddenUnits, bits));
}

torch::Tensor TextNetworkImpl::forward(const torch::Tensor &normalisedTexts, const torch::Tensor &aggregates)
{
    torch::Tensor x;
    if (graph) {
        const torch::Tensor convolved = torch::relu(graph(aggregates));
        const torch::Tensor projected = torch::relu(own(normalisedTexts));
        x = torch::relu(hidden(torch::cat({convolved, projected}, 1)));
    } else {
        x = torch::relu(hidden(normalisedTexts));
    }
    x = torch::dropout(x, dropoutRate, is_training());
    return output(x);
}

std::unique_ptr<HashModel::Private> buildHashModelState(const EsafhSettings &settings, const torch::Device &device,
                                                 int imageDimension, int textDimension)
{
    auto d = std::make_unique<HashModel::Private>();
    d->settings = settings;
    d->device = device;
    d->imageDimension = imageDimension;
    d->textDimension = textDimension;
    d->imageNetwork = detail::ImageNetwork(imageDimension, settings.imageHiddenUnits, settings.bits, settings.dropout);
    const int graphUnits = settings.learnedTextEncoder ? settings.graphUnits : 0;
    d->textNetwork = detail::TextNetwork(textDimension, graphUnits, settings.textHiddenUnits, settings.bits,
                                         settings.dropout);
    d->attention = detail::AttentionFusion(detail::rowDescriptorCount, settings.attentionHiddenUnits,
                                           static_cast<int>(detail::candidateNames(settings).size()));
    d->imageNetwork->to(device);
    d->textNetwork->to(device);
    d->attention->to(device);
    d->setTraining(false);
    return d;
}

} // namespace detail

// ---------------------------------------------------------------------------
// HashModel::Private

void HashModel::Private::setTraining(bool training)
{
    imageNetwork->train(training);
    textNetwork->train(training);
}

torch::Tensor HashModel::Private::similarityImageFeatures(const torch::Tensor &images) const
{
    return settings.standardisedImageSimilarity ? imageNetwork->standardise(images) : images;
}

bool HashModel::Private::similarityImageNonNegative() const
{
    return !settings.standardisedImageSimilarity && imageNonNegative;
}

torch::Tensor HashModel::Private::imageCodes(const torch::Tensor &images) const
{
    detail::ImageNetwork network = imageNetwork;
    return torch::tanh(sharpness * network(images));
}

torch::Tensor HashModel::Private::textCodes(const torch::Tensor &normalisedTexts, const torch::Tensor &aggregates) const
{
    detail::TextNetwork network = textNetwork;
    return torch::tanh(sharpness * network(normalisedTexts, aggregates));
}

torch::Tensor HashModel::Private::inductiveAggregates(const torch::Tensor &normalisedTexts) const
{
    std::shared_ptr<const detail::TrainingTextIndex> index;
    {
        const std::lock_guard<std::mutex> lock(trainingTextIndexMutex);
        if (!trainingTextIndex || !indexedTrainingTexts.is_same(trainingTexts)) {
            trainingTextIndex = detail::indexTrainingTexts(trainingTexts);
            indexedTrainingTexts = trainingTexts;
        }
        index = trainingTextIndex;
    }
    const detail::TextNeighbours neighbours = detail::findTextNeighbours(normalisedTexts, *index, settings.neighbourCount);
    return detail::aggregateNeighbours(normalisedTexts, neighbours, trainingTexts);
}

torch::Tensor HashModel::Private::encodeImagesReal(const FeatureMatrix &images) const
{
    // Inference mode also skips the version counters that no-grad mode keeps.
    c10::InferenceMode inference;
    std::vector<torch::Tensor> chunks;
    for (int first = 0; first < images.rows(); first += detail::encodingChunk) {
        const int count = std::min<int>(detail::encodingChunk, static_cast<int>(images.rows()) - first);
        chunks.push_back(imageCodes(detail::toTensor(images, device, first, count)).cpu());
    }
    return chunks.empty() ? torch::zeros({0, settings.bits}) : torch::cat(chunks);
}

torch::Tensor HashModel::Private::encodeTextsReal(const FeatureMatrix &texts) const
{
    c10::InferenceMode inference;
    std::vector<torch::Tensor> chunks;
    for (int first = 0; first < texts.rows(); first += detail::encodingChunk) {
        const int count = std::min<int>(detail::encodingChunk, static_cast<int>(texts.rows()) - first);
        const torch::Tensor normalised = detail::rowNormalise(detail::toTensor(texts, device, first, count));
        // The plain text network of the anchors reads no neighbour aggregates.
        const torch::Tensor aggregates =
            settings.learnedTextEncoder ? inductiveAggregates(normalised) : torch::Tensor();
        chunks.push_back(textCodes(normalised, aggregates).cpu());
    }
    return chunks.empty() ? torch::zeros({0, settings.bits}) : torch::cat(chunks);
}

// ---------------------------------------------------------------------------
// HashModel

namespace {

Result<torch::Device> deviceFor(const EsafhSettings &settings)
{
    const Result<QString> name = resolveDevice(settings.device);
    if (!name)
        return Result<torch::Device>::failure(name.error());
    return torch::Device(name.value() == QLatin1String("cuda") ? torch::kCUDA : torch::kCPU);
}

QString torchMessage(const c10::Error &error)
{
    return QString::fromUtf8(error.what_without_backtrace());
}

} // namespace

HashModel::HashModel(std::unique_ptr<Private> d)
    : d(std::move(d))
{
}

HashModel::~HashModel() = default;

Result<std::unique_ptr<HashModel>> HashModel::create(const EsafhSettings &settings, const FeatureMatrix &trainingImages,
                                                     const FeatureMatrix &trainingTexts)
{
    using Failure = Result<std::unique_ptr<HashModel>>;
    const Status valid = settings.validate();
    if (!valid)
        return Failure::failure(valid.error());
    if (trainingImages.rows() != trainingTexts.rows())
        return Failure::failure(QStringLiteral("Training features are not paired: %1 image rows but %2 text rows.")
                                    .arg(trainingImages.rows()).arg(trainingTexts.rows()));
    if (trainingImages.rows() < 2)
        return Failure::failure(QStringLiteral("Training needs at least 2 items; got %1.").arg(trainingImages.rows()));
    if (trainingImages.cols() < 1 || trainingTexts.cols() < 1)
        return Failure::failure(QStringLiteral("Training features are empty: %1 image and %2 text dimensions.")
                                    .arg(trainingImages.cols()).arg(trainingTexts.cols()));
    if (!trainingImages.allFinite() || !trainingTexts.allFinite())
        return Failure::failure(QStringLiteral("Training features contain NaN or infinite values."));

    const Result<torch::Device> device = deviceFor(settings);
    if (!device)
        return Failure::failure(device.error());

    try {
        std::unique_ptr<Private> d = detail::buildHashModelState(settings, device.value(), static_cast<int>(trainingImages.cols()),
                                                  static_cast<int>(trainingTexts.cols()));
        torch::NoGradGuard noGrad;

        // Standardisation with the training images' statistics; a constant dimension
        // keeps scale 1. A view, because a copy would double the memory of large sets.
        const torch::Tensor images = detail::viewTensor(trainingImages, d->device);
        const torch::Tensor deviation = images.std(0, /*unbiased=*/false);
        d->imageNetwork->mean.copy_(images.mean(0));
        d->imageNetwork->scale.copy_(torch::where(deviation > 1e-6, deviation, torch::ones_like(deviation)));
        d->imageNonNegative = images.min().item<float>() >= 0;

        const torch::Tensor texts = detail::toTensor(trainingTexts, d->device);
        d->textNonNegative = texts.min().item<float>() >= 0;
        d->trainingTexts = detail::rowNormalise(texts);

        return std::unique_ptr<HashModel>(new HashModel(std::move(d)));
    } catch (const c10::Error &error) {
        qCWarning(lcTraining) << "Building the hash networks failed:" << error.what_without_backtrace();
        return Failure::failure(QStringLiteral("Building the hash networks failed: %1").arg(torchMessage(error)));
    }
}

const EsafhSettings &HashModel::settings() const
{
    return d->settings;
}

int HashModel::imageDimension() const
{
    return d->imageDimension;
}

int HashModel::textDimension() const
{
    return d->textDimension;
}

QString HashModel::deviceName() const
{
    return d->device.is_cuda() ? QStringLiteral("cuda") : QStringLiteral("cpu");
}

HashCodes HashModel::encodeImages(const FeatureMatrix &images) const
{
    if (images.cols() != d->imageDimension) {
        qCWarning(lcTraining, "Cannot encode images with %d features: the model expects %d",
                  static_cast<int>(images.cols()), d->imageDimension);
        return HashCodes(d->settings.bits, 0);
    }
    const torch::Tensor codes = d->encodeImagesReal(images).contiguous();
    return HashCodes::fromRealValued(codes.data_ptr<float>(), static_cast<int>(codes.size(0)), d->settings.bits);
}

HashCodes HashModel::encodeTexts(const FeatureMatrix &texts) const
{
    if (texts.cols() != d->textDimension) {
        qCWarning(lcTraining, "Cannot encode texts with %d features: the model expects %d",
                  static_cast<int>(texts.cols()), d->textDimension);
        return HashCodes(d->settings.bits, 0);
    }
    const torch::Tensor codes = d->encodeTextsReal(texts).contiguous();
    return HashCodes::fromRealValued(codes.data_ptr<float>(), static_cast<int>(codes.size(0)), d->settings.bits);
}

FeatureMatrix HashModel::realValuedImageCodes(const FeatureMatrix &images) const
{
    if (images.cols() != d->imageDimension)
        return FeatureMatrix(0, d->settings.bits);
    return detail::toMatrix(d->encodeImagesReal(images));
}

FeatureMatrix HashModel::realValuedTextCodes(const FeatureMatrix &texts) const
{
    if (texts.cols() != d->textDimension)
        return FeatureMatrix(0, d->settings.bits);
    return detail::toMatrix(d->encodeTextsReal(texts));
}

} // namespace esafh
