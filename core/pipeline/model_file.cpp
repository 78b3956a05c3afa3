#include "pipeline/trained_model.h"

#include "common/logging.h"
#include "pipeline/model_json.h"

#include <QCryptographicHash>
#include <QDataStream>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QSaveFile>

namespace esafh {

namespace {

// File layout: magic, format version, payload, SHA-1 of the payload. The payload is a
// QDataStream of the metadata JSON, the network state and the two database code sets.
constexpr char modelMagic[] = "ESAFH-MODEL\n";
constexpr int magicLength = sizeof(modelMagic) - 1;
constexpr auto streamVersion = QDataStream::Qt_6_0;

void writeCodes(QDataStream &stream, const HashCodes &codes)
{
    stream << qint32(codes.bits()) << qint32(codes.size());
    for (std::uint64_t word : codes.words())
        stream << quint64(word);
}

bool readCodes(QDataStream &stream, HashCodes *codes)
{
    qint32 bits = 0;
    qint32 count = 0;
    stream >> bits >> count;
    if (stream.status() != QDataStream::Ok || bits <= 0 || bits > 4096 || count < 0 || count > 500'000'000)
        return false;

    HashCodes result(bits, count);
    for (std::uint64_t &word : result.words()) {
        quint64 value = 0;
        stream >> value;
        word = value;
    }
    if (stream.status() != QDataStream::Ok)
        return false;

    *codes = std::move(result);
    return true;
}

} // namespace

Status saveModelFile(const TrainedModel &model, const QString &path)
{
    if (!model.hashModel)
        return Status::failure(QStringLiteral("Cannot save %1: the model has no trained networks.").arg(path));

    QByteArray payload;
    {
        QDataStream stream(&payload, QIODevice::WriteOnly);
        stream.setVersion(streamVersion);
        stream << QJsonDocument(modelMetadataToJson(model)).toJson(QJsonDocument::Compact);
        stream << model.hashModel->saveState();
        writeCodes(stream, model.databaseImageCodes);
        writeCodes(stream, model.databaseTextCodes);
    }

    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return Status::failure(QStringLiteral("Cannot write model file %1: %2").arg(path, file.errorString()));

    QDataStream header(&file);
    header.setVersion(streamVersion);
    header.writeRawData(modelMagic, magicLength);
    header << qint32(TrainedModel::formatVersion);
    header << payload;
    header << QCryptographicHash::hash(payload, QCryptographicHash::Sha1);

    // QSaveFile replaces the target only on a successful commit, so a failed write
    // leaves an existing model file untouched.
    if (header.status() != QDataStream::Ok || !file.commit())
        return Status::failure(QStringLiteral("Cannot write model file %1: %2").arg(path, file.errorString()));

    qCInfo(lcPipeline) << "Saved model" << path << "with" << model.databaseItems.size() << "database items";
    return Status::success();
}

Result<TrainedModel> loadModelFile(const QString &path)
{
    QFile file(path);
    if (!QFileInfo(path).isFile())
        return Result<TrainedModel>::failure(QStringLiteral("Model file not found: %1").arg(path));
    if (!file.open(QIODevice::ReadOnly))
        return Result<TrainedModel>::failure(QStringLiteral("Cannot read model file %1: %2").arg(path, file.errorString()));

    const QByteArray magic = file.read(magicLength);
    if (magic != QByteArray(modelMagic, magicLength))
        return Result<TrainedModel>::failure(QStringLiteral("%1 is not an esafh model file.").arg(path));

    QDataStream header(&file);
    header.setVersion(streamVersion);
    qint32 version = 0;
    header >> version;
    if (version != TrainedModel::formatVersion) {
        return Result<TrainedModel>::failure(
            QStringLiteral("%1 has model format version %2, but this program reads version %3. "
                           "Train the model again with this program.")
                .arg(path)
                .arg(version)
                .arg(TrainedModel::formatVersion));
    }

    QByteArray payload;
    QByteArray checksum;
    header >> payload >> checksum;
    if (header.status() != QDataStream::Ok || checksum != QCryptographicHash::hash(payload, QCryptographicHash::Sha1))
        return Result<TrainedModel>::failure(QStringLiteral("Model file %1 is damaged (truncated or checksum mismatch).").arg(path));

    QDataStream stream(payload);
    stream.setVersion(streamVersion);
    QByteArray metadataBytes;
    QByteArray networkState;
    stream >> metadataBytes >> networkState;

    QJsonParseError parseError;
    const QJsonDocument metadata = QJsonDocument::fromJson(metadataBytes, &parseError);
    if (stream.status() != QDataStream::Ok || !metadata.isObject())
        return Result<TrainedModel>::failure(QStringLiteral("Model file %1 is damaged: invalid metadata (%2).").arg(path, parseError.errorString()));

    Result<TrainedModel> model = modelMetadataFromJson(metadata.object(), path);
    if (!model)
        return model;

    if (!readCodes(stream, &model->databaseImageCodes) || !readCodes(stream, &model->databaseTextCodes))
        return Result<TrainedModel>::failure(QStringLiteral("Model file %1 is damaged: invalid hash codes.").arg(path));

    const int databaseSize = static_cast<int>(model->databaseItems.size());
    if (model->databaseImageCodes.size() != databaseSize || model->databaseTextCodes.size() != databaseSize) {
        return Result<TrainedModel>::failure(
            QStringLiteral("Model file %1 is damaged: %2 database items but %3 image and %4 text codes.")
                .arg(path)
                .arg(databaseSize)
                .arg(model->databaseImageCodes.size())
                .arg(model->databaseTextCodes.size()));
    }

    Result<std::unique_ptr<HashModel>> hashModel = HashModel::loadState(networkState, model->settings);
    if (!hashModel)
        return Result<TrainedModel>::failure(QStringLiteral("Model file %1 is damaged: %2").arg(path, hashModel.error()));
    model->hashModel = std::move(hashModel).value();

    qCInfo(lcPipeline) << "Loaded model" << path << "with" << databaseSize << "database items";
    return model;
}

} // namespace esafh
