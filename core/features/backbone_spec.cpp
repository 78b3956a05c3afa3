#include "features/backbone_spec.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QStandardPaths>
#include <QStringList>

#include <cmath>

namespace esafh {

namespace {

constexpr int kMinInputSize = 8;
constexpr int kMaxInputSize = 4096;

const QStringList &knownKinds()
{
    static const QStringList kinds = {BackboneSpec::handcrafted, BackboneSpec::torchScript, BackboneSpec::onnx,
                                      BackboneSpec::mobileNetV2};
    return kinds;
}

QString channelText(const std::vector<float> &values, QChar separator)
{
    QStringList parts;
    for (float value : values)
        parts << QString::number(value);
    return parts.join(separator);
}

QJsonArray channelJson(const std::vector<float> &values)
{
    QJsonArray array;
    for (float value : values)
        array.append(value);
    return array;
}

bool channelsFromJson(const QJsonValue &value, std::vector<float> *channels)
{
    if (value.isUndefined())
        return true;
    const QJsonArray array = value.toArray();
    if (!value.isArray() || array.size() != 3)
        return false;
    channels->clear();
    for (const QJsonValue &entry : array) {
        if (!entry.isDouble())
            return false;
        channels->push_back(static_cast<float>(entry.toDouble()));
    }
    return true;
}

} // namespace

Result<BackboneSpec> BackboneSpec::parse(const QString &text)
{
    const QString trimmed = text.trimmed();
    const qsizetype colon = trimmed.indexOf(QLatin1Char(':'));
    BackboneSpec spec;
    spec.kind = (colon < 0 ? trimmed : trimmed.left(colon)).toLower();
    if (colon >= 0)
        spec.path = trimmed.mid(colon + 1);

    if (!knownKinds().contains(spec.kind)) {
        return Result<BackboneSpec>::failure(
            QStringLiteral("Unknown image backbone \"%1\". Use handcrafted, mobilenetv2, torchscript:FILE or onnx:FILE.")
                .arg(text));
    }
    if (spec.kind == handcrafted && !spec.path.isEmpty())
        return Result<BackboneSpec>::failure(QStringLiteral("The handcrafted backbone takes no file, but \"%1\" names one.").arg(text));
    if (spec.usesInputSettings() && spec.path.isEmpty())
        return Result<BackboneSpec>::failure(QStringLiteral("Backbone \"%1\" needs a model file: %1:FILE.").arg(spec.kind));

    if (!spec.path.isEmpty())
        spec.path = QFileInfo(spec.path).absoluteFilePath();
    return spec;
}

QString BackboneSpec::toString() const
{
    return path.isEmpty() ? kind : QStringLiteral("%1:%2").arg(kind, path);
}

QString BackboneSpec::displayName() const
{
    if (kind == torchScript)
        return QStringLiteral("TorchScript %1").arg(QFileInfo(path).fileName());
    if (kind == onnx)
        return QStringLiteral("ONNX %1").arg(QFileInfo(path).fileName());
    if (kind == mobileNetV2)
        return QStringLiteral("MobileNetV2 (nsfwjs), layer %1").arg(layer.isEmpty() ? defaultMobileNetV2Layer() : layer);
    return QStringLiteral("hand-crafted descriptor");
}

QString BackboneSpec::settingsText() const
{
    const QString pooling = averagePool ? QStringLiteral("average") : QStringLiteral("flatten");
    if (kind == mobileNetV2) {
        return QStringLiteral("layer=%1;pool=%2")
            .arg(layer.isEmpty() ? defaultMobileNetV2Layer() : layer, pooling);
    }
    if (!usesInputSettings())
        return {};
    return QStringLiteral("input=%1;mean=%2;std=%3;output=%4;pool=%5")
        .arg(inputSize)
        .arg(channelText(mean, QLatin1Char('/')), channelText(standardDeviation, QLatin1Char('/')),
             layer.isEmpty() ? QStringLiteral("default") : layer, pooling);
}

Status BackboneSpec::validate() const
{
    if (!knownKinds().contains(kind))
        return Status::failure(QStringLiteral("Unknown image backbone \"%1\".").arg(kind));
    if (usesInputSettings() && path.isEmpty())
        return Status::failure(QStringLiteral("Backbone \"%1\" needs a model file.").arg(kind));
    if (inputSize < kMinInputSize || inputSize > kMaxInputSize) {
        return Status::failure(QStringLiteral("The input size must be from %1 to %2 pixels, not %3.")
                                   .arg(kMinInputSize)
                                   .arg(kMaxInputSize)
                                   .arg(inputSize));
    }
    if (mean.size() != 3 || standardDeviation.size() != 3)
        return Status::failure(QStringLiteral("The mean and the standard deviation need three values each, one per RGB channel."));
    for (float value : standardDeviation) {
        if (!(value > 0.0f) || !std::isfinite(value))
            return Status::failure(QStringLiteral("Each standard deviation must be a positive number, not %1.").arg(value));
    }
    for (float value : mean) {
        if (!std::isfinite(value))
            return Status::failure(QStringLiteral("Each mean must be a finite number, not %1.").arg(value));
    }
    return Status::success();
}

QJsonObject BackboneSpec::toJson() const
{
    QJsonObject json;
    json[QStringLiteral("kind")] = kind;
    json[QStringLiteral("path")] = path;
    json[QStringLiteral("input_size")] = inputSize;
    json[QStringLiteral("mean")] = channelJson(mean);
    json[QStringLiteral("std")] = channelJson(standardDeviation);
    json[QStringLiteral("layer")] = layer;
    json[QStringLiteral("average_pool")] = averagePool;
    return json;
}

Result<BackboneSpec> BackboneSpec::fromJson(const QJsonObject &json)
{
    auto invalid = [](const QString &key) {
        return Result<BackboneSpec>::failure(QStringLiteral("the image backbone's \"%1\" is invalid.").arg(key));
    };

    BackboneSpec spec;
    spec.kind = json.value(QStringLiteral("kind")).toString(spec.kind);
    spec.path = json.value(QStringLiteral("path")).toString();
    spec.layer = json.value(QStringLiteral("layer")).toString();
    spec.averagePool = json.value(QStringLiteral("average_pool")).toBool(spec.averagePool);

    const QJsonValue inputSize = json.value(QStringLiteral("input_size"));
    if (!inputSize.isUndefined() && !inputSize.isDouble())
        return invalid(QStringLiteral("input_size"));
    spec.inputSize = inputSize.toInt(spec.inputSize);
    if (!channelsFromJson(json.value(QStringLiteral("mean")), &spec.mean))
        return invalid(QStringLiteral("mean"));
    if (!channelsFromJson(json.value(QStringLiteral("std")), &spec.standardDeviation))
        return invalid(QStringLiteral("std"));

    if (Status valid = spec.validate(); !valid)
        return Result<BackboneSpec>::failure(valid.error());
    return spec;
}

bool BackboneSpec::operator==(const BackboneSpec &other) const
{
    return kind == other.kind && path == other.path && inputSize == other.inputSize && mean == other.mean
           && standardDeviation == other.standardDeviation && layer == other.layer && averagePool == other.averagePool;
}

QString defaultMobileNetV2Layer()
{
    // The 576 channels after the expansion of block 13 (14 x 14 positions) gave a
    // higher ESAFH mAP than the last stage, out_relu, on the Tux Paint stamps and on
    // MS-COCO images (docs/backbones.md has the measurements).
    return QStringLiteral("block_13_expand_relu");
}

BackboneSpec defaultBackbone()
{
    BackboneSpec spec;
    spec.kind = BackboneSpec::mobileNetV2;
    return spec;
}

QString defaultNpmDirectory()
{
    const QString configured = qEnvironmentVariable("ESAFH_NPM_DIR");
    if (!configured.isEmpty())
        return QDir::cleanPath(configured);

    QString cache = QStandardPaths::writableLocation(QStandardPaths::GenericCacheLocation);
    if (cache.isEmpty())
        cache = QDir::homePath() + QStringLiteral("/.cache");
    return cache + QStringLiteral("/esafh/npm");
}

Result<std::vector<float>> parseChannelValues(const QString &text)
{
    const QStringList parts = text.split(QLatin1Char(','), Qt::SkipEmptyParts);
    std::vector<float> values;
    for (const QString &part : parts) {
        bool ok = false;
        const float value = part.trimmed().toFloat(&ok);
        if (!ok)
            break;
        values.push_back(value);
    }
    if (values.size() != 3 || parts.size() != 3) {
        return Result<std::vector<float>>::failure(
            QStringLiteral("\"%1\" is not three numbers separated by commas, one per RGB channel.").arg(text));
    }
    return values;
}

} // namespace esafh
