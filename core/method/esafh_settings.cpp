#include "method/esafh_settings.h"

#include <QJsonValue>

#include <cmath>
#include <variant>
#include <vector>

namespace esafh {

namespace {

using FieldPointer = std::variant<int EsafhSettings::*, double EsafhSettings::*, bool EsafhSettings::*,
                                  QString EsafhSettings::*>;

/// One setting with its JSON key. The seed is handled apart because it is 64-bit.
struct NamedField
{
    const char *key;
    FieldPointer field;
};

const std::vector<NamedField> &namedFields()
{
    static const std::vector<NamedField> fields = {
        {"method", &EsafhSettings::method},
        {"bits", &EsafhSettings::bits},
        {"epochs", &EsafhSettings::epochs},
        {"batchSize", &EsafhSettings::batchSize},
        {"neighbourCount", &EsafhSettings::neighbourCount},
        {"enrichmentWeight", &EsafhSettings::enrichmentWeight},
        {"textHiddenUnits", &EsafhSettings::textHiddenUnits},
        {"graphUnits", &EsafhSettings::graphUnits},
        {"imageHiddenUnits", &EsafhSettings::imageHiddenUnits},
        {"standardisedImageSimilarity", &EsafhSettings::standardisedImageSimilarity},
        {"signedSimilarity", &EsafhSettings::signedSimilarity},
        {"neighbourCoherence", &EsafhSettings::neighbourCoherence},
        {"coherenceNeighbours", &EsafhSettings::coherenceNeighbours},
        {"coherenceWeight", &EsafhSettings::coherenceWeight},
        {"attentionFusion", &EsafhSettings::attentionFusion},
        {"fusionScale", &EsafhSettings::fusionScale},
        {"attentionKlWeight", &EsafhSettings::attentionKlWeight},
        {"attentionLearningRate", &EsafhSettings::attentionLearningRate},
        {"attentionHiddenUnits", &EsafhSettings::attentionHiddenUnits},
        {"rowEntropyTemperature", &EsafhSettings::rowEntropyTemperature},
        {"rowTopMeanCount", &EsafhSettings::rowTopMeanCount},
        {"intraModalWeight", &EsafhSettings::intraModalWeight},
        {"quantisationWeight", &EsafhSettings::quantisationWeight},
        {"optimizer", &EsafhSettings::optimizer},
        {"imageLearningRate", &EsafhSettings::imageLearningRate},
        {"textLearningRate", &EsafhSettings::textLearningRate},
        {"momentum", &EsafhSettings::momentum},
        {"weightDecay", &EsafhSettings::weightDecay},
        {"device", &EsafhSettings::device},
        {"threads", &EsafhSettings::threads},
        {"dropout", &EsafhSettings::dropout},
        {"neighbourEnrichment", &EsafhSettings::neighbourEnrichment},
        {"learnedTextEncoder", &EsafhSettings::learnedTextEncoder},
        {"crossModalTerm", &EsafhSettings::crossModalTerm},
        {"fixedFusionWeights", &EsafhSettings::fixedFusionWeights},
        {"djsrhImageWeight", &EsafhSettings::djsrhImageWeight},
        {"djsrhSecondOrderWeight", &EsafhSettings::djsrhSecondOrderWeight},
        {"jdshImageWeight", &EsafhSettings::jdshImageWeight},
        {"jdshTextWeight", &EsafhSettings::jdshTextWeight},
        {"jdshCrossWeight", &EsafhSettings::jdshCrossWeight},
        {"jdshDistributionWeighting", &EsafhSettings::jdshDistributionWeighting},
        {"jdshThresholdWidth", &EsafhSettings::jdshThresholdWidth},
        {"jdshLowBoost", &EsafhSettings::jdshLowBoost},
        {"jdshHighBoost", &EsafhSettings::jdshHighBoost},
        {"dgcpnTextWeight", &EsafhSettings::dgcpnTextWeight},
        {"dgcpnCoherenceWeight", &EsafhSettings::dgcpnCoherenceWeight},
        {"dgcpnNeighbours", &EsafhSettings::dgcpnNeighbours},
    };
    return fields;
}

const QString seedKey = QStringLiteral("seed");

/// Largest integer a JSON number (an IEEE double) holds exactly.
constexpr double maxExactJsonInteger = 9007199254740992.0; // 2^53

QString describeJson(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null: return QStringLiteral("null");
    case QJsonValue::Bool: return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case QJsonValue::Double: return QString::number(value.toDouble(), 'g', 17);
    case QJsonValue::String: return QLatin1Char('"') + value.toString() + QLatin1Char('"');
    case QJsonValue::Array: return QStringLiteral("an array");
    case QJsonValue::Object: return QStringLiteral("an object");
    case QJsonValue::Undefined: break;
    }
    return QStringLiteral("undefined");
}

QString typeError(const QString &key, const char *expected, const QJsonValue &value)
{
    return QStringLiteral("Invalid ESAFH setting \"%1\": expected %2, got %3.")
        .arg(key, QLatin1String(expected), describeJson(value));
}

/// Reads one field of `json` into `settings`; returns an empty string or the error.
QString readField(const QJsonValue &value, const QString &key, FieldPointer field, EsafhSettings &settings)
{
    if (auto intField = std::get_if<int EsafhSettings::*>(&field)) {
        const double number = value.toDouble(std::nan(""));
        if (!value.isDouble() || number != std::floor(number) || std::abs(number) > 2147483647.0)
            return typeError(key, "an integer", value);
        settings.*(*intField) = static_cast<int>(number);
    } else if (auto doubleField = std::get_if<double EsafhSettings::*>(&field)) {
        if (!value.isDouble())
            return typeError(key, "a number", value);
        settings.*(*doubleField) = value.toDouble();
    } else if (auto boolField = std::get_if<bool EsafhSettings::*>(&field)) {
        if (!value.isBool())
            return typeError(key, "true or false", value);
        settings.*(*boolField) = value.toBool();
    } else if (auto stringField = std::get_if<QString EsafhSettings::*>(&field)) {
        if (!value.isString())
            return typeError(key, "a string", value);
        settings.*(*stringField) = value.toString();
    }
    return {};
}

/// Reads the seed: a JSON integer up to 2^53, or a decimal string for larger seeds.
QString readSeed(const QJsonValue &value, quint64 &seed)
{
    if (value.isDouble()) {
        const double number = value.toDouble();
        if (number < 0 || number != std::floor(number) || number > maxExactJsonInteger)
            return typeError(seedKey, "a non-negative integer up to 2^53 or a decimal string", value);
        seed = static_cast<quint64>(number);
        return {};
    }
    if (value.isString()) {
        bool ok = false;
        const quint64 parsed = value.toString().toULongLong(&ok, 10);
        if (!ok)
            return typeError(seedKey, "a non-negative integer up to 2^53 or a decimal string", value);
        seed = parsed;
        return {};
    }
    return typeError(seedKey, "a non-negative integer up to 2^53 or a decimal string", value);
}

Status rangeError(const char *key, double value, const char *range)
{
    return Status::failure(QStringLiteral("Invalid ESAFH setting \"%1\" = %2: it must be %3.")
                               .arg(QLatin1String(key), QString::number(value, 'g', 17), QLatin1String(range)));
}

} // namespace

QJsonObject EsafhSettings::toJson() const
{
    QJsonObject json;
    for (const NamedField &named : namedFields()) {
        const QString key = QLatin1String(named.key);
        std::visit([&](auto member) { json[key] = QJsonValue(this->*member); }, named.field);
    }

    // Seeds beyond 2^53 would lose bits as a JSON number, so they are written as text.
    if (static_cast<double>(seed) <= maxExactJsonInteger)
        json[seedKey] = static_cast<double>(seed);
    else
        json[seedKey] = QString::number(seed);
    return json;
}

Result<EsafhSettings> EsafhSettings::fromJson(const QJsonObject &json)
{
    EsafhSettings settings;
    for (const NamedField &named : namedFields()) {
        const QString key = QLatin1String(named.key);
        if (!json.contains(key))
            continue;
        const QString error = readField(json.value(key), key, named.field, settings);
        if (!error.isEmpty())
            return Result<EsafhSettings>::failure(error);
    }

    if (json.contains(seedKey)) {
        const QString error = readSeed(json.value(seedKey), settings.seed);
        if (!error.isEmpty())
            return Result<EsafhSettings>::failure(error);
    }

    const Status valid = settings.validate();
    if (!valid)
        return Result<EsafhSettings>::failure(valid.error());
    return settings;
}

QStringList EsafhSettings::methodNames()
{
    return {QStringLiteral("esafh"), QStringLiteral("djsrh"), QStringLiteral("jdsh"), QStringLiteral("dgcpn")};
}

Result<EsafhSettings> EsafhSettings::forMethod(const QString &name)
{
    const QString key = name.trimmed().toLower();
    if (!methodNames().contains(key))
        return Result<EsafhSettings>::failure(QStringLiteral("Unknown method \"%1\": the methods are %2.")
                                   .arg(name, methodNames().join(QStringLiteral(", "))));

    EsafhSettings settings;
    settings.method = key;
    if (key == QLatin1String("esafh"))
        return settings;

    // The anchors have no text graph: S_T comes from the plain texts and the text
    // network is a plain MLP. Layer sizes, optimiser and schedule stay shared, so a
    // comparison isolates the training target.
    settings.neighbourEnrichment = false;
    settings.learnedTextEncoder = false;
    settings.attentionFusion = false;
    if (key == QLatin1String("djsrh")) {
        settings.fusionScale = 1.5;
    } else if (key == QLatin1String("jdsh")) {
        settings.fusionScale = 1.4;
    } else if (key == QLatin1String("dgcpn")) {
        settings.fusionScale = 1.4;
        // A reconstruction: all four code-similarity terms weighted alike.
        settings.intraModalWeight = 1.0;
    }
    return settings;
}

Status EsafhSettings::validate() const
{
    // Written as !(x >= lower) so that NaN fails as well.
    if (bits < 1 || bits > 4096)
        return rangeError("bits", bits, "between 1 and 4096");
    if (epochs < 1)
        return rangeError("epochs", epochs, "at least 1");
    if (batchSize < 2)
        return rangeError("batchSize", batchSize, "at least 2, because similarities need pairs");
    if (neighbourCount < 0)
        return rangeError("neighbourCount", neighbourCount, "0 (no text graph) or more");
    if (!(enrichmentWeight >= 0) || !std::isfinite(enrichmentWeight))
        return rangeError("enrichmentWeight", enrichmentWeight, "a finite number of 0 or more");
    if (textHiddenUnits < 1)
        return rangeError("textHiddenUnits", textHiddenUnits, "at least 1");
    if (graphUnits < 1)
        return rangeError("graphUnits", graphUnits, "at least 1");
    if (imageHiddenUnits < 0)
        return rangeError("imageHiddenUnits", imageHiddenUnits, "0 (a linear image network) or more");
    if (!(dropout >= 0 && dropout < 1))
        return rangeError("dropout", dropout, "at least 0 and below 1");
    if (coherenceNeighbours < 1)
        return rangeError("coherenceNeighbours", coherenceNeighbours, "at least 1");
    if (!(coherenceWeight >= 0 && coherenceWeight <= 1))
        return rangeError("coherenceWeight", coherenceWeight, "between 0 and 1");
    if (!(fusionScale > 0) || !std::isfinite(fusionScale))
        return rangeError("fusionScale", fusionScale, "a finite number above 0");
    if (!(attentionKlWeight >= 0) || !std::isfinite(attentionKlWeight))
        return rangeError("attentionKlWeight", attentionKlWeight, "a finite number of 0 or more");
    if (!(attentionLearningRate > 0) || !std::isfinite(attentionLearningRate))
        return rangeError("attentionLearningRate", attentionLearningRate, "a finite number above 0");
    if (attentionHiddenUnits < 1)
        return rangeError("attentionHiddenUnits", attentionHiddenUnits, "at least 1");
    if (!(rowEntropyTemperature > 0) || !std::isfinite(rowEntropyTemperature))
        return rangeError("rowEntropyTemperature", rowEntropyTemperature, "a finite number above 0");
    if (rowTopMeanCount < 1)
        return rangeError("rowTopMeanCount", rowTopMeanCount, "at least 1");
    if (!(intraModalWeight >= 0) || !std::isfinite(intraModalWeight))
        return rangeError("intraModalWeight", intraModalWeight, "a finite number of 0 or more");
    if (!(quantisationWeight >= 0) || !std::isfinite(quantisationWeight))
        return rangeError("quantisationWeight", quantisationWeight, "a finite number of 0 or more");
    if (!(djsrhImageWeight >= 0 && djsrhImageWeight <= 1))
        return rangeError("djsrhImageWeight", djsrhImageWeight, "between 0 and 1");
    if (!(djsrhSecondOrderWeight >= 0 && djsrhSecondOrderWeight <= 1))
        return rangeError("djsrhSecondOrderWeight", djsrhSecondOrderWeight, "between 0 and 1");
    if (!(jdshImageWeight >= 0) || !std::isfinite(jdshImageWeight))
        return rangeError("jdshImageWeight", jdshImageWeight, "a finite number of 0 or more");
    if (!(jdshTextWeight >= 0) || !std::isfinite(jdshTextWeight))
        return rangeError("jdshTextWeight", jdshTextWeight, "a finite number of 0 or more");
    if (!(jdshCrossWeight >= 0) || !std::isfinite(jdshCrossWeight))
        return rangeError("jdshCrossWeight", jdshCrossWeight, "a finite number of 0 or more");
    if (!(jdshImageWeight + jdshTextWeight + jdshCrossWeight > 0))
        return rangeError("jdshImageWeight + jdshTextWeight + jdshCrossWeight",
                          jdshImageWeight + jdshTextWeight + jdshCrossWeight, "above 0");
    if (!(jdshThresholdWidth >= 0) || !std::isfinite(jdshThresholdWidth))
        return rangeError("jdshThresholdWidth", jdshThresholdWidth, "a finite number of 0 or more");
    if (!(jdshLowBoost >= 0) || !std::isfinite(jdshLowBoost))
        return rangeError("jdshLowBoost", jdshLowBoost, "a finite number of 0 or more");
    if (!(jdshHighBoost >= 0) || !std::isfinite(jdshHighBoost))
        return rangeError("jdshHighBoost", jdshHighBoost, "a finite number of 0 or more");
    if (!(dgcpnTextWeight >= 0 && dgcpnTextWeight <= 1))
        return rangeError("dgcpnTextWeight", dgcpnTextWeight, "between 0 and 1");
    if (!(dgcpnCoherenceWeight >= 0 && dgcpnCoherenceWeight <= 1))
        return rangeError("dgcpnCoherenceWeight", dgcpnCoherenceWeight, "between 0 and 1");
    if (dgcpnNeighbours < 1)
        return rangeError("dgcpnNeighbours", dgcpnNeighbours, "at least 1");
    if (!methodNames().contains(method))
        return Status::failure(QStringLiteral("Invalid setting \"method\" = \"%1\": it must be one of %2.")
                                   .arg(method, methodNames().join(QStringLiteral(", "))));
    if (optimizer != QLatin1String("sgd") && optimizer != QLatin1String("adam"))
        return Status::failure(QStringLiteral("Invalid ESAFH setting \"optimizer\" = \"%1\": it must be \"sgd\" or \"adam\".")
                                   .arg(optimizer));
    if (!(imageLearningRate > 0) || !std::isfinite(imageLearningRate))
        return rangeError("imageLearningRate", imageLearningRate, "a finite number above 0");
    if (!(textLearningRate > 0) || !std::isfinite(textLearningRate))
        return rangeError("textLearningRate", textLearningRate, "a finite number above 0");
    if (!(momentum >= 0 && momentum < 1))
        return rangeError("momentum", momentum, "at least 0 and below 1");
    if (!(weightDecay >= 0) || !std::isfinite(weightDecay))
        return rangeError("weightDecay", weightDecay, "a finite number of 0 or more");
    if (device != QLatin1String("auto") && device != QLatin1String("cpu") && device != QLatin1String("cuda"))
        return Status::failure(QStringLiteral("Invalid ESAFH setting \"device\" = \"%1\": it must be \"auto\", \"cpu\" or \"cuda\".")
                                   .arg(device));
    if (threads < 0 || threads > 1024)
        return rangeError("threads", threads, "between 0 (choose automatically) and 1024");
    return Status::success();
}

} // namespace esafh
