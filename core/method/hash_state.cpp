// Serialisation of a HashModel: every parameter and buffer of its three networks,
// the row-normalised training texts and the scalars a forward pass needs.
//
// Layout: the tag "ESAFHSTATE", a 4-byte big-endian format version, the SHA-256 of
// the payload, and the payload: a pickled dictionary from names to tensors, as
// torch::pickle_save writes it. The checksum rejects damaged bytes before LibTorch
// parses them.

#include "method/hash_model.h"

#include "common/logging.h"
#include "method/device.h"
#include "method/torch_internal.h"

#include <QCryptographicHash>
#include <QtEndian>

#include <torch/csrc/jit/serialization/pickle.h>

#include <cstring>

namespace esafh {

namespace {

const QByteArray stateTag = QByteArrayLiteral("ESAFHSTATE");
constexpr quint32 stateVersion = 1;
constexpr int checksumSize = 32;

/// Entries of the "scalars" tensor, in order.
enum Scalar { ImageDimension, TextDimension, Bits, Sharpness, ImageNonNegative, TextNonNegative, TrainingCount, ScalarCount };

using TensorDictionary = c10::Dict<std::string, at::Tensor>;

/// Every parameter and buffer of a module, by name with a prefix.
std::vector<std::pair<std::string, torch::Tensor>> namedState(const torch::nn::Module &module, const std::string &prefix)
{
    std::vector<std::pair<std::string, torch::Tensor>> state;
    for (const auto &item : module.named_parameters())
        state.emplace_back(prefix + item.key(), item.value());
    for (const auto &item : module.named_buffers())
        state.emplace_back(prefix + item.key(), item.value());
    return state;
}

std::vector<std::pair<std::string, torch::Tensor>> modelState(const HashModel::Private &d)
{
    std::vector<std::pair<std::string, torch::Tensor>> state = namedState(*d.imageNetwork, "image/");
    for (auto &entry : namedState(*d.textNetwork, "text/"))
        state.push_back(std::move(entry));
    for (auto &entry : namedState(*d.attention, "attention/"))
        state.push_back(std::move(entry));
    return state;
}

/// Bag-of-words texts are mostly zeros, so they are stored as (row, column, value)
/// triples unless more than a third of the entries are non-zero.
void writeTrainingTexts(const torch::Tensor &texts, TensorDictionary &dictionary)
{
    const torch::Tensor cpu = texts.cpu().contiguous();
    const int64_t nonZero = cpu.count_nonzero().item<int64_t>();
    if (nonZero * 3 > cpu.numel()) {
        dictionary.insert("trainingTexts", cpu);
        return;
    }
    const torch::Tensor positions = cpu.nonzero(); // nnz x 2
    dictionary.insert("trainingTextPositions", positions.to(torch::kInt));
    dictionary.insert("trainingTextValues", cpu.index({positions.select(1, 0), positions.select(1, 1)}).contiguous());
}

/// Reads a tensor entry, or sets `error`.
torch::Tensor readEntry(const c10::impl::GenericDict &dictionary, const std::string &key, QString &error)
{
    const auto found = dictionary.find(key);
    if (found == dictionary.end() || !found->value().isTensor()) {
        error = QStringLiteral("the entry \"%1\" is missing").arg(QString::fromStdString(key));
        return {};
    }
    return found->value().toTensor();
}

torch::Tensor readTrainingTexts(const c10::impl::GenericDict &dictionary, int64_t rows, int64_t columns, QString &error)
{
    if (dictionary.contains("trainingTexts")) {
        const torch::Tensor texts = readEntry(dictionary, "trainingTexts", error);
        if (error.isEmpty() && (texts.dim() != 2 || texts.size(0) != rows || texts.size(1) != columns))
            error = QStringLiteral("the training texts have the wrong shape");
        return texts.defined() ? texts.to(torch::kFloat) : texts;
    }

    const torch::Tensor positions = readEntry(dictionary, "trainingTextPositions", error);
    const torch::Tensor values = readEntry(dictionary, "trainingTextValues", error);
    if (!error.isEmpty())
        return {};
    if (positions.dim() != 2 || positions.size(1) != 2 || values.dim() != 1 || values.size(0) != positions.size(0)) {
        error = QStringLiteral("the training text entries have the wrong shape");
        return {};
    }
    const torch::Tensor rowIndex = positions.select(1, 0).to(torch::kLong);
    const torch::Tensor columnIndex = positions.select(1, 1).to(torch::kLong);
    if (positions.size(0) > 0
        && (rowIndex.min().item<int64_t>() < 0 || rowIndex.max().item<int64_t>() >= rows
            || columnIndex.min().item<int64_t>() < 0 || columnIndex.max().item<int64_t>() >= columns)) {
        error = QStringLiteral("a training text entry lies outside the matrix");
        return {};
    }
    torch::Tensor texts = torch::zeros({rows, columns});
    texts.index_put_({rowIndex, columnIndex}, values.to(torch::kFloat));
    return texts;
}

Result<std::unique_ptr<HashModel>> stateFailure(const QString &reason)
{
    qCWarning(lcTraining) << "Cannot load the hash model state:" << reason;
    return Result<std::unique_ptr<HashModel>>::failure(
        QStringLiteral("Cannot load the hash model: %1.").arg(reason));
}

} // namespace

namespace detail {

void copyNetworkState(const HashModel::Private &from, HashModel::Private &to)
{
    torch::NoGradGuard noGrad;
    const auto source = modelState(from);
    auto target = modelState(to);
    TORCH_CHECK(source.size() == target.size(), "the networks differ in their number of tensors");
    for (std::size_t i = 0; i < source.size(); ++i) {
        TORCH_CHECK(source[i].first == target[i].first, "the networks differ in tensor ", source[i].first);
        target[i].second.copy_(source[i].second);
    }
    to.sharpness = from.sharpness;
}

} // namespace detail

QByteArray HashModel::saveState() const
{
    try {
        torch::NoGradGuard noGrad;
        TensorDictionary dictionary;
        for (const auto &[name, tensor] : modelState(*d))
            dictionary.insert(name, tensor.detach().cpu().contiguous());

        torch::Tensor scalars = torch::zeros({ScalarCount}, torch::kDouble);
        scalars[ImageDimension] = d->imageDimension;
        scalars[TextDimension] = d->textDimension;
        scalars[Bits] = d->settings.bits;
        scalars[Sharpness] = d->sharpness;
        scalars[ImageNonNegative] = d->imageNonNegative ? 1 : 0;
        scalars[TextNonNegative] = d->textNonNegative ? 1 : 0;
        scalars[TrainingCount] = d->trainingTexts.size(0);
        dictionary.insert("scalars", scalars);
        writeTrainingTexts(d->trainingTexts, dictionary);

        const std::vector<char> pickled = torch::jit::pickle_save(c10::IValue(dictionary));
        const QByteArray payload(pickled.data(), static_cast<int>(pickled.size()));

        QByteArray state = stateTag;
        char version[4];
        qToBigEndian(stateVersion, version);
        state.append(version, 4);
        state.append(QCryptographicHash::hash(payload, QCryptographicHash::Sha256));
        state.append(payload);
        return state;
    } catch (const c10::Error &error) {
        qCWarning(lcTraining) << "Saving the hash model state failed:" << error.what_without_backtrace();
        return {};
    }
}

Result<std::unique_ptr<HashModel>> HashModel::loadState(const QByteArray &state, const EsafhSettings &settings)
{
    // Check the frame before LibTorch parses any byte.
    const int headerSize = stateTag.size() + 4 + checksumSize;
    if (state.size() <= headerSize || !state.startsWith(stateTag))
        return stateFailure(QStringLiteral("the data is not an ESAFH model state"));
    const quint32 version = qFromBigEndian<quint32>(state.constData() + stateTag.size());
    if (version != stateVersion)
        return stateFailure(QStringLiteral("the state has format version %1, this program reads version %2")
                                .arg(version).arg(stateVersion));
    const QByteArray checksum = state.mid(stateTag.size() + 4, checksumSize);
    const QByteArray payload = state.mid(headerSize);
    if (QCryptographicHash::hash(payload, QCryptographicHash::Sha256) != checksum)
        return stateFailure(QStringLiteral("the state is damaged (its SHA-256 checksum does not match)"));

    const Status valid = settings.validate();
    if (!valid)
        return stateFailure(valid.error());
    const Result<QString> deviceName = resolveDevice(settings.device);
    if (!deviceName)
        return stateFailure(deviceName.error());
    const torch::Device device(deviceName.value() == QLatin1String("cuda") ? torch::kCUDA : torch::kCPU);

    try {
        const c10::IValue value = torch::jit::pickle_load(std::vector<char>(payload.begin(), payload.end()));
        if (!value.isGenericDict())
            return stateFailure(QStringLiteral("the payload is not a dictionary of tensors"));
        const c10::impl::GenericDict dictionary = value.toGenericDict();

        QString error;
        const torch::Tensor scalars = readEntry(dictionary, "scalars", error);
        if (!error.isEmpty())
            return stateFailure(error);
        if (scalars.dim() != 1 || scalars.size(0) != ScalarCount)
            return stateFailure(QStringLiteral("the entry \"scalars\" has the wrong shape"));
        const auto scalar = [&](Scalar index) { return scalars[index].item<double>(); };
        if (scalar(Bits) != settings.bits)
            return stateFailure(QStringLiteral("the state has %1-bit codes but the settings say %2 bits")
                                    .arg(scalar(Bits)).arg(settings.bits));
        const int imageDimension = static_cast<int>(scalar(ImageDimension));
        const int textDimension = static_cast<int>(scalar(TextDimension));
        const auto trainingCount = static_cast<int64_t>(scalar(TrainingCount));
        if (imageDimension < 1 || textDimension < 1 || trainingCount < 2)
            return stateFailure(QStringLiteral("the recorded feature sizes are invalid"));

        std::unique_ptr<Private> d = detail::buildHashModelState(settings, device, imageDimension, textDimension);
        torch::NoGradGuard noGrad;
        for (auto &[name, tensor] : modelState(*d)) {
            const torch::Tensor saved = readEntry(dictionary, name, error);
            if (!error.isEmpty())
                return stateFailure(error);
            if (saved.sizes() != tensor.sizes())
                return stateFailure(QStringLiteral("\"%1\" has shape %2 in the state but %3 with these settings; "
                                                   "were the network sizes changed?")
                                        .arg(QString::fromStdString(name),
                                             QString::fromStdString(c10::str(saved.sizes())),
                                             QString::fromStdString(c10::str(tensor.sizes()))));
            tensor.copy_(saved);
        }

        const torch::Tensor texts = readTrainingTexts(dictionary, trainingCount, textDimension, error);
        if (!error.isEmpty())
            return stateFailure(error);
        d->trainingTexts = texts.to(device);
        d->sharpness = scalar(Sharpness);
        d->imageNonNegative = scalar(ImageNonNegative) != 0;
        d->textNonNegative = scalar(TextNonNegative) != 0;
        return std::unique_ptr<HashModel>(new HashModel(std::move(d)));
    } catch (const c10::Error &error) {
        return stateFailure(QString::fromUtf8(error.what_without_backtrace()));
    } catch (const std::exception &error) {
        return stateFailure(QString::fromUtf8(error.what()));
    }
}

} // namespace esafh
