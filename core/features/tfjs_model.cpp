#include "features/tfjs_model.h"

#include "features/javascript_literal.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QtEndian>

#include <cmath>
#include <limits>

namespace esafh {

namespace {

// Finds the value assigned to "exports" in a browserify bundle: the first
// "exports=" followed by a value of the wanted type.
Result<QJsonValue> exportedValue(const QByteArray &text, QJsonValue::Type type, const QString &path)
{
    const QByteArray marker = QByteArrayLiteral("exports=");
    for (qsizetype found = text.indexOf(marker); found >= 0; found = text.indexOf(marker, found + 1)) {
        qsizetype position = found + marker.size();
        const char first = position < text.size() ? text[position] : '\0';
        const bool candidate = (type == QJsonValue::Object && first == '{') || (type == QJsonValue::String && first == '"');
        if (!candidate)
            continue;
        Result<QJsonValue> value = parseJavaScriptValue(text, &position);
        if (!value)
            return Result<QJsonValue>::failure(QStringLiteral("Failed to read %1: %2").arg(path, value.error()));
        return value;
    }
    return Result<QJsonValue>::failure(QStringLiteral("%1 is not a TensorFlow.js model bundle: it exports no %2.")
                                           .arg(path, type == QJsonValue::Object ? QStringLiteral("object")
                                                                                 : QStringLiteral("string")));
}

bool isBundle(const QString &path)
{
    return path.endsWith(QStringLiteral(".js"));
}

Result<QByteArray> readFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Result<QByteArray>::failure(QStringLiteral("Failed to read %1: %2").arg(path, file.errorString()));
    return file.readAll();
}

Result<QJsonObject> readModelObject(const QString &path)
{
    Result<QByteArray> text = readFile(path);
    if (!text)
        return Result<QJsonObject>::failure(text.error());

    if (isBundle(path)) {
        Result<QJsonValue> value = exportedValue(text.value(), QJsonValue::Object, path);
        if (!value)
            return Result<QJsonObject>::failure(value.error());
        return value->toObject();
    }

    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(text.value(), &error);
    if (!document.isObject()) {
        return Result<QJsonObject>::failure(
            QStringLiteral("%1 is not valid JSON: %2 at byte %3").arg(path, error.errorString()).arg(error.offset));
    }
    return document.object();
}

// A shard named "group1-shard1of1" in the manifest is the file of that name, or the
// same name with ".bin" or ".min.js" appended.
Result<QString> findShard(const QDir &folder, const QString &name)
{
    for (const QString &suffix : {QString(), QStringLiteral(".bin"), QStringLiteral(".min.js")}) {
        const QString candidate = folder.filePath(name + suffix);
        if (QFileInfo(candidate).isFile())
            return candidate;
    }
    return Result<QString>::failure(QStringLiteral("Weights shard %1 of the model is missing in %2.").arg(name, folder.path()));
}

Result<QByteArray> readShard(const QString &path)
{
    Result<QByteArray> bytes = readFile(path);
    if (!bytes || !isBundle(path))
        return bytes;

    Result<QJsonValue> encoded = exportedValue(bytes.value(), QJsonValue::String, path);
    if (!encoded)
        return Result<QByteArray>::failure(encoded.error());
    const QByteArray base64 = encoded->toString().toLatin1();
    QByteArray::FromBase64Result decoded = QByteArray::fromBase64Encoding(base64, QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded)
        return Result<QByteArray>::failure(QStringLiteral("%1 does not contain valid base64 weights.").arg(path));
    return decoded.decoded;
}

float halfToFloat(quint16 half)
{
    const quint32 sign = (half & 0x8000u) << 16;
    const int exponent = (half >> 10) & 0x1f;
    const quint32 mantissa = half & 0x3ffu;
    float value;
    if (exponent == 0)
        value = std::ldexp(static_cast<float>(mantissa), -24); // subnormal
    else if (exponent == 31)
        value = mantissa ? std::numeric_limits<float>::quiet_NaN() : std::numeric_limits<float>::infinity();
    else
        value = std::ldexp(static_cast<float>(mantissa | 0x400u), exponent - 25);
    return sign ? -value : value;
}

// Bytes per stored element of a weight, or 0 for an unsupported type.
int storedElementSize(const QString &dtype, const QString &quantisation)
{
    if (quantisation == QLatin1String("uint8"))
        return 1;
    if (quantisation == QLatin1String("uint16") || quantisation == QLatin1String("float16"))
        return 2;
    if (!quantisation.isEmpty())
        return 0;
    return dtype == QLatin1String("float32") || dtype == QLatin1String("int32") ? 4 : 0;
}

void decodeValues(const char *data, qint64 count, const QString &dtype, const QJsonObject &quantisation,
                  std::vector<float> *values)
{
    values->resize(static_cast<size_t>(count));
    const QString type = quantisation.value(QStringLiteral("dtype")).toString();
    const auto *bytes = reinterpret_cast<const uchar *>(data);
    if (type == QLatin1String("uint8") || type == QLatin1String("uint16")) {
        const double minimum = quantisation.value(QStringLiteral("min")).toDouble();
        const double scale = quantisation.value(QStringLiteral("scale")).toDouble();
        for (qint64 i = 0; i < count; ++i) {
            const double q = type == QLatin1String("uint8") ? bytes[i] : qFromLittleEndian<quint16>(bytes + 2 * i);
            (*values)[static_cast<size_t>(i)] = static_cast<float>(minimum + q * scale);
        }
    } else if (type == QLatin1String("float16")) {
        for (qint64 i = 0; i < count; ++i)
            (*values)[static_cast<size_t>(i)] = halfToFloat(qFromLittleEndian<quint16>(bytes + 2 * i));
    } else if (dtype == QLatin1String("int32")) {
        for (qint64 i = 0; i < count; ++i)
            (*values)[static_cast<size_t>(i)] = static_cast<float>(qFromLittleEndian<qint32>(bytes + 4 * i));
    } else {
        for (qint64 i = 0; i < count; ++i)
            (*values)[static_cast<size_t>(i)] = qFromLittleEndian<float>(bytes + 4 * i);
    }
}

// Reads the weights of one manifest group from its concatenated shard bytes.
Status readGroupWeights(const QJsonArray &entries, const QByteArray &bytes, const QString &where, TfjsLayersModel *model)
{
    qint64 offset = 0;
    for (const QJsonValue &entryValue : entries) {
        const QJsonObject entry = entryValue.toObject();
        const QString name = entry.value(QStringLiteral("name")).toString();
        const QString dtype = entry.value(QStringLiteral("dtype")).toString();
        const QJsonObject quantisation = entry.value(QStringLiteral("quantization")).toObject();

        TfjsWeight weight;
        qint64 count = 1;
        for (const QJsonValue &dimension : entry.value(QStringLiteral("shape")).toArray()) {
            if (!dimension.isDouble() || dimension.toInteger(-1) < 0)
                return Status::failure(QStringLiteral("Weight %1 in %2 has an invalid shape.").arg(name, where));
            weight.shape.push_back(dimension.toInteger());
            count *= dimension.toInteger();
        }

        const int elementSize = storedElementSize(dtype, quantisation.value(QStringLiteral("dtype")).toString());
        if (elementSize == 0) {
            return Status::failure(QStringLiteral("Weight %1 in %2 has the unsupported data type %3%4.")
                                       .arg(name, where, dtype,
                                            quantisation.isEmpty() ? QString()
                                                                   : QStringLiteral(" quantised as %1").arg(
                                                                         quantisation.value(QStringLiteral("dtype")).toString())));
        }
        if (offset + count * elementSize > bytes.size()) {
            return Status::failure(QStringLiteral("The weights shards of %1 end before weight %2: %3 bytes, %4 needed.")
                                       .arg(where, name)
                                       .arg(bytes.size())
                                       .arg(offset + count * elementSize));
        }

        decodeValues(bytes.constData() + offset, count, dtype, quantisation, &weight.values);
        offset += count * elementSize;
        model->weights[name] = std::move(weight);
    }
    return Status::success();
}

} // namespace

Result<QString> findTfjsModelFile(const QString &path)
{
    const QFileInfo info(path);
    if (info.isFile())
        return info.absoluteFilePath();
    if (info.isDir()) {
        for (const QString &name : {QStringLiteral("model.json"), QStringLiteral("model.min.js")}) {
            const QString candidate = QDir(path).filePath(name);
            if (QFileInfo(candidate).isFile())
                return QFileInfo(candidate).absoluteFilePath();
        }
        return Result<QString>::failure(QStringLiteral("No model.json or model.min.js in %1.").arg(path));
    }
    return Result<QString>::failure(QStringLiteral("Model not found: %1").arg(path));
}

Result<TfjsLayersModel> readTfjsLayersModel(const QString &modelFile, bool loadWeights)
{
    using ModelResult = Result<TfjsLayersModel>;

    Result<QJsonObject> root = readModelObject(modelFile);
    if (!root)
        return ModelResult::failure(root.error());

    TfjsLayersModel model;
    model.modelFile = QFileInfo(modelFile).absoluteFilePath();

    // Models converted from Keras nest the Keras model as modelTopology.model_config,
    // and TensorFlow.js's own LayersModel.save() writes it as modelTopology itself.
    const QJsonObject topology = root->value(QStringLiteral("modelTopology")).toObject();
    model.kerasVersion = topology.value(QStringLiteral("keras_version")).toString();
    model.modelConfig = topology.contains(QStringLiteral("model_config"))
                            ? topology.value(QStringLiteral("model_config")).toObject()
                            : topology;
    if (!model.modelConfig.value(QStringLiteral("config")).isObject()) {
        return ModelResult::failure(QStringLiteral("%1 is not a TensorFlow.js layers model: it has no modelTopology "
                                                   "with a Keras model config.")
                                        .arg(modelFile));
    }

    const QDir folder = QFileInfo(modelFile).absoluteDir();
    const QJsonArray manifest = root->value(QStringLiteral("weightsManifest")).toArray();
    for (const QJsonValue &groupValue : manifest) {
        const QJsonObject group = groupValue.toObject();
        QByteArray groupBytes;
        for (const QJsonValue &shardName : group.value(QStringLiteral("paths")).toArray()) {
            Result<QString> shard = findShard(folder, shardName.toString());
            if (!shard)
                return ModelResult::failure(shard.error());
            model.weightFiles.append(shard.value());
            if (!loadWeights)
                continue;
            Result<QByteArray> bytes = readShard(shard.value());
            if (!bytes)
                return ModelResult::failure(bytes.error());
            groupBytes.append(bytes.value());
        }
        if (!loadWeights)
            continue;
        if (Status read = readGroupWeights(group.value(QStringLiteral("weights")).toArray(), groupBytes, modelFile, &model); !read)
            return ModelResult::failure(read.error());
    }
    return model;
}

} // namespace esafh
