// Training checkpoints: everything a run needs to continue after an epoch exactly
// as if it had not stopped.
//
// Layout: the tag "ESAFHCHECKPOINT", a 4-byte big-endian format version, the SHA-256
// of the payload, and the payload written with QDataStream (Qt 6.0 format). The
// payload contains the settings as compact JSON, a fingerprint of the training features,
// the number of completed epochs, the batch generator's state, LibTorch's CPU
// generator state, the model state (HashModel::saveState), the three optimizer
// archives, the history, and the best epoch with its score and model state.

#include "method/torch_internal.h"

#include "common/logging.h"

#include <QCryptographicHash>
#include <QDataStream>
#include <QIODevice>
#include <QJsonArray>
#include <QJsonDocument>
#include <QtEndian>

#include <ATen/CPUGeneratorImpl.h>

#include <cmath>
#include <mutex>
#include <sstream>

namespace esafh::detail {

namespace {

const QByteArray checkpointTag = QByteArrayLiteral("ESAFHCHECKPOINT");
constexpr quint32 checkpointVersion = 1;
constexpr int checksumSize = 32;

/// Settings that may differ between the run that wrote a checkpoint and the run
/// that resumes it: the epoch count (to train further) and where it runs.
const QStringList resumableKeys = {QStringLiteral("epochs"), QStringLiteral("device"), QStringLiteral("threads")};

void writeReport(QDataStream &stream, const EpochReport &report)
{
    stream << qint32(report.epoch) << qint32(report.epochCount) << report.loss;
    stream << quint32(report.lossTerms.size());
    for (const auto &[name, value] : report.lossTerms)
        stream << name << value;
    stream << QVector<double>(report.meanAttention.begin(), report.meanAttention.end());
    stream << report.candidateNames << report.attentionSpread << report.dominantShare;
    stream << qint32(report.constantBits) << qint32(report.distinctCodes);
    stream << qint32(report.itemAttention.rows()) << qint32(report.itemAttention.cols());
    stream.writeRawData(reinterpret_cast<const char *>(report.itemAttention.data()),
                        static_cast<int>(sizeof(float) * report.itemAttention.size()));
    stream << report.validationScore << report.seconds;
}

bool readReport(QDataStream &stream, EpochReport &report)
{
    qint32 epoch = 0, epochCount = 0, constantBits = 0, distinctCodes = 0, rows = 0, columns = 0;
    quint32 termCount = 0;
    stream >> epoch >> epochCount >> report.loss >> termCount;
    if (stream.status() != QDataStream::Ok || termCount > 1000)
        return false;
    for (quint32 t = 0; t < termCount; ++t) {
        QString name;
        double value = 0;
        stream >> name >> value;
        report.lossTerms[name] = value;
    }
    QVector<double> meanAttention;
    stream >> meanAttention >> report.candidateNames >> report.attentionSpread >> report.dominantShare;
    stream >> constantBits >> distinctCodes >> rows >> columns;
    if (stream.status() != QDataStream::Ok || rows < 0 || columns < 0 || columns > 16
        || static_cast<qint64>(rows) * columns > 1000000000LL)
        return false;
    report.itemAttention.resize(rows, columns);
    const int bytes = static_cast<int>(sizeof(float) * report.itemAttention.size());
    if (stream.readRawData(reinterpret_cast<char *>(report.itemAttention.data()), bytes) != bytes)
        return false;
    stream >> report.validationScore >> report.seconds;
    report.epoch = epoch;
    report.epochCount = epochCount;
    report.constantBits = constantBits;
    report.distinctCodes = distinctCodes;
    report.meanAttention.assign(meanAttention.begin(), meanAttention.end());
    return stream.status() == QDataStream::Ok;
}

Result<TrainingCheckpoint> checkpointFailure(const QString &reason)
{
    qCWarning(lcTraining) << "Cannot resume training:" << reason;
    return Result<TrainingCheckpoint>::failure(QStringLiteral("Cannot resume training from the checkpoint: %1.").arg(reason));
}

} // namespace

QByteArray featureFingerprint(const FeatureMatrix &images, const FeatureMatrix &texts)
{
    QCryptographicHash hash(QCryptographicHash::Sha256);
    for (const FeatureMatrix *matrix : {&images, &texts}) {
        const qint64 shape[2] = {static_cast<qint64>(matrix->rows()), static_cast<qint64>(matrix->cols())};
        hash.addData(QByteArrayView(reinterpret_cast<const char *>(shape), sizeof(shape)));
        hash.addData(QByteArrayView(reinterpret_cast<const char *>(matrix->data()),
                                    static_cast<qsizetype>(sizeof(float) * matrix->size())));
    }
    return hash.result();
}

QByteArray optimizerState(torch::optim::Optimizer &optimizer)
{
    torch::serialize::OutputArchive archive;
    optimizer.save(archive);
    std::ostringstream stream;
    archive.save_to(stream);
    const std::string bytes = stream.str();
    return QByteArray(bytes.data(), static_cast<qsizetype>(bytes.size()));
}

void loadOptimizerState(torch::optim::Optimizer &optimizer, const QByteArray &state)
{
    std::istringstream stream(std::string(state.constData(), static_cast<std::size_t>(state.size())));
    torch::serialize::InputArchive archive;
    archive.load_from(stream);
    optimizer.load(archive);
}

// NOTE: only the CPU generator is saved, so a resumed run with dropout on a CUDA
// device draws other dropout masks than an uninterrupted one.
QByteArray cpuGeneratorState()
{
    at::Generator generator = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(generator.mutex());
    const torch::Tensor state = generator.get_state().contiguous();
    return QByteArray(reinterpret_cast<const char *>(state.data_ptr<uint8_t>()), static_cast<qsizetype>(state.numel()));
}

void setCpuGeneratorState(const QByteArray &state)
{
    at::Generator generator = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(generator.mutex());
    const torch::Tensor bytes = torch::from_blob(const_cast<char *>(state.constData()), {state.size()}, torch::kUInt8).clone();
    generator.set_state(bytes);
}

QByteArray encodeCheckpoint(const TrainingCheckpoint &checkpoint)
{
    QByteArray payload;
    {
        QDataStream stream(&payload, QIODevice::WriteOnly);
        stream.setVersion(QDataStream::Qt_6_0);
        stream << QJsonDocument(checkpoint.settings).toJson(QJsonDocument::Compact);
        stream << checkpoint.featureFingerprint << qint32(checkpoint.completedEpochs);
        stream << checkpoint.batchGeneratorState << checkpoint.torchGeneratorState << checkpoint.modelState;
        stream << checkpoint.imageOptimizerState << checkpoint.textOptimizerState << checkpoint.attentionOptimizerState;
        stream << quint32(checkpoint.history.size());
        for (const EpochReport &report : checkpoint.history)
            writeReport(stream, report);
        stream << qint32(checkpoint.bestEpoch) << checkpoint.bestScore << checkpoint.bestState;
    }

    QByteArray bytes = checkpointTag;
    char version[4];
    qToBigEndian(checkpointVersion, version);
    bytes.append(version, 4);
    bytes.append(QCryptographicHash::hash(payload, QCryptographicHash::Sha256));
    bytes.append(payload);
    return bytes;
}

Result<TrainingCheckpoint> decodeCheckpoint(const QByteArray &bytes)
{
    const int headerSize = checkpointTag.size() + 4 + checksumSize;
    if (bytes.size() <= headerSize || !bytes.startsWith(checkpointTag))
        return checkpointFailure(QStringLiteral("the data is not an ESAFH training checkpoint"));
    const quint32 version = qFromBigEndian<quint32>(bytes.constData() + checkpointTag.size());
    if (version != checkpointVersion)
        return checkpointFailure(QStringLiteral("the checkpoint has format version %1, this program reads version %2")
                                     .arg(version).arg(checkpointVersion));
    const QByteArray payload = bytes.mid(headerSize);
    if (QCryptographicHash::hash(payload, QCryptographicHash::Sha256) != bytes.mid(checkpointTag.size() + 4, checksumSize))
        return checkpointFailure(QStringLiteral("the checkpoint is damaged (its SHA-256 checksum does not match)"));

    TrainingCheckpoint checkpoint;
    QDataStream stream(payload);
    stream.setVersion(QDataStream::Qt_6_0);
    QByteArray settingsJson;
    qint32 completedEpochs = 0, bestEpoch = 0;
    quint32 historySize = 0;
    stream >> settingsJson >> checkpoint.featureFingerprint >> completedEpochs;
    stream >> checkpoint.batchGeneratorState >> checkpoint.torchGeneratorState >> checkpoint.modelState;
    stream >> checkpoint.imageOptimizerState >> checkpoint.textOptimizerState >> checkpoint.attentionOptimizerState;
    stream >> historySize;
    if (stream.status() != QDataStream::Ok || completedEpochs < 1 || historySize != static_cast<quint32>(completedEpochs))
        return checkpointFailure(QStringLiteral("its contents are inconsistent"));
    for (quint32 e = 0; e < historySize; ++e) {
        EpochReport report;
        if (!readReport(stream, report))
            return checkpointFailure(QStringLiteral("its epoch history is unreadable"));
        checkpoint.history.push_back(std::move(report));
    }
    stream >> bestEpoch >> checkpoint.bestScore >> checkpoint.bestState;
    if (stream.status() != QDataStream::Ok)
        return checkpointFailure(QStringLiteral("its contents are inconsistent"));

    const QJsonDocument document = QJsonDocument::fromJson(settingsJson);
    if (!document.isObject())
        return checkpointFailure(QStringLiteral("its settings are unreadable"));
    checkpoint.settings = document.object();
    checkpoint.completedEpochs = completedEpochs;
    checkpoint.bestEpoch = bestEpoch;
    return checkpoint;
}

Status checkCheckpointMatches(const TrainingCheckpoint &checkpoint, const EsafhSettings &settings,
                              const QByteArray &fingerprint)
{
    const QJsonObject current = settings.toJson();
    QStringList keys = current.keys();
    for (const QString &key : checkpoint.settings.keys()) {
        if (!keys.contains(key))
            keys << key;
    }
    for (const QString &key : keys) {
        if (resumableKeys.contains(key) || checkpoint.settings.value(key) == current.value(key))
            continue;
        const auto text = [](const QJsonValue &value) {
            return QString::fromUtf8(QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact)).mid(1).chopped(1);
        };
        return Status::failure(QStringLiteral("Cannot resume training from the checkpoint: it was made with the setting "
                                              "\"%1\" = %2, but this run has %3.")
                                   .arg(key, text(checkpoint.settings.value(key)), text(current.value(key))));
    }
    if (checkpoint.featureFingerprint != fingerprint)
        return Status::failure(QStringLiteral("Cannot resume training from the checkpoint: it was made on other training "
                                              "features (their SHA-256 differs)."));
    if (checkpoint.completedEpochs > settings.epochs)
        return Status::failure(QStringLiteral("Cannot resume training from the checkpoint: it is after epoch %1, but this "
                                              "run has only %2 epochs.")
                                   .arg(checkpoint.completedEpochs).arg(settings.epochs));
    return Status::success();
}

} // namespace esafh::detail
