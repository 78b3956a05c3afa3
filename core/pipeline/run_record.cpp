#include "pipeline/run_record.h"

#include "pipeline/model_json.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>

#include <cmath>

namespace esafh {

namespace {

const QString recordFormat = QStringLiteral("esafh-run");
constexpr int recordVersion = 1;

QJsonObject epochToRecordJson(const EpochReport &report)
{
    QJsonObject terms;
    for (const auto &[name, value] : report.lossTerms)
        terms[name] = value;
    QJsonArray attention;
    for (double weight : report.meanAttention)
        attention.append(weight);

    QJsonObject json;
    json[QStringLiteral("epoch")] = report.epoch;
    json[QStringLiteral("loss")] = report.loss;
    json[QStringLiteral("terms")] = terms;
    json[QStringLiteral("validation_map")] = std::isnan(report.validationScore) ? QJsonValue(QJsonValue::Null)
                                                                                : QJsonValue(report.validationScore);
    json[QStringLiteral("mean_attention")] = attention;
    json[QStringLiteral("candidates")] = QJsonArray::fromStringList(report.candidateNames);
    json[QStringLiteral("seconds")] = report.seconds;
    return json;
}

QJsonObject directionScores(double imageToText, double textToImage)
{
    QJsonObject json;
    json[QStringLiteral("i2t")] = imageToText;
    json[QStringLiteral("t2i")] = textToImage;
    return json;
}

// Reads one key of a record object; the message names the file and the key.
class RecordReader
{
public:
    RecordReader(const QString &path) : m_path(path) {}

    bool failed() const { return !m_error.isEmpty(); }
    const QString &error() const { return m_error; }

    QJsonValue value(const QJsonObject &object, const QString &key, QJsonValue::Type type, const QString &where = {})
    {
        const QJsonValue value = object.value(key);
        if (failed())
            return {};
        if (value.type() != type) {
            static const char *const typeNames[] = {"null", "a boolean", "a number", "a string", "an array", "an object"};
            const int index = static_cast<int>(type);
            m_error = QStringLiteral("Invalid run record %1: \"%2%3\" is missing or not %4.")
                          .arg(m_path, where, key, QLatin1String(index >= 0 && index < 6 ? typeNames[index] : "of the expected type"));
        }
        return value;
    }

    void fail(const QString &message)
    {
        if (!failed())
            m_error = QStringLiteral("Invalid run record %1: %2").arg(m_path, message);
    }

private:
    QString m_path;
    QString m_error;
};

} // namespace

QString tieRuleProtocolName(TieRule rule)
{
    return rule == TieRule::DatabaseIndex ? QStringLiteral("database index") : QStringLiteral("tie-aware");
}

QJsonObject splitToJson(const TrainingJobSettings &settings, const PreparedDataset &prepared)
{
    const SplitSettings &split = settings.split;
    const DatasetSplit &used = prepared.dataset.split;
    QJsonObject json;
    json[QStringLiteral("mode")] = splitModeName(split.mode);
    json[QStringLiteral("source")] = prepared.givenSplit && !settings.replaceDatasetSplit ? QStringLiteral("dataset")
                                                                                          : QStringLiteral("drawn");
    json[QStringLiteral("seed")] = static_cast<double>(split.seed);
    json[QStringLiteral("query_fraction")] = split.queryFraction;
    json[QStringLiteral("query_count")] = split.queryCount;
    json[QStringLiteral("max_query_count")] = split.maxQueryCount;
    json[QStringLiteral("max_training_count")] = split.maxTrainingCount;
    json[QStringLiteral("queries_per_label")] = split.queriesPerLabel;
    json[QStringLiteral("training_per_label")] = split.trainingPerLabel;
    json[QStringLiteral("validation_count")] = split.validationCount;
    json[QStringLiteral("replace_dataset_split")] = settings.replaceDatasetSplit;
    json[QStringLiteral("label_depth")] = settings.treeOptions.labelDepth;
    json[QStringLiteral("queries")] = static_cast<int>(used.query.size());
    json[QStringLiteral("database")] = static_cast<int>(used.database.size());
    json[QStringLiteral("training")] = static_cast<int>(used.training.size());
    json[QStringLiteral("validation")] = static_cast<int>(used.validation.size());
    return json;
}

QJsonObject curvesToJson(const PrecisionRecallCurve &precisionRecall, const std::vector<PrecisionAtKPoint> &precisionAtK)
{
    QJsonArray recallPoints;
    for (const PrecisionRecallPoint &point : precisionRecall.points) {
        QJsonObject json;
        json[QStringLiteral("radius")] = point.radius;
        json[QStringLiteral("precision")] = point.precision;
        json[QStringLiteral("recall")] = point.recall;
        // Zero marks a radius where no query retrieves anything, so precision is undefined there.
        json[QStringLiteral("retrieving_queries")] = point.retrievingQueries;
        recallPoints.append(json);
    }
    QJsonArray cutoffPoints;
    for (const PrecisionAtKPoint &point : precisionAtK) {
        QJsonObject json;
        json[QStringLiteral("k")] = point.k;
        json[QStringLiteral("precision")] = point.precision;
        cutoffPoints.append(json);
    }

    QJsonObject json;
    json[QStringLiteral("precision_recall")] = recallPoints;
    json[QStringLiteral("precision_at_k")] = cutoffPoints;
    return json;
}

QJsonObject runRecordToJson(const TrainedModel &model, const PreparedDataset &prepared,
                            const TrainingJobSettings &settings, const ModelEvaluation &evaluation)
{
    QJsonArray epochs;
    for (const EpochReport &report : model.epochReports)
        epochs.append(epochToRecordJson(report));

    const RetrievalScores &scores = evaluation.scores;
    QJsonObject scoresJson;
    scoresJson[QStringLiteral("map_all")] = directionScores(scores.imageToTextAll, scores.textToImageAll);
    scoresJson[QStringLiteral("map_at_k")] = directionScores(scores.imageToTextAtK, scores.textToImageAtK);
    scoresJson[QStringLiteral("k")] = scores.k;
    scoresJson[QStringLiteral("ties")] = tieRuleProtocolName(scores.tieRule);

    const CrossModalCurves &curves = evaluation.curves;
    QJsonObject curvesJson;
    curvesJson[QStringLiteral("i2t")] = curvesToJson(curves.imageToTextPrecisionRecall, curves.imageToTextPrecisionAtK);
    curvesJson[QStringLiteral("t2i")] = curvesToJson(curves.textToImagePrecisionRecall, curves.textToImagePrecisionAtK);

    QJsonObject json;
    json[QStringLiteral("format")] = recordFormat;
    json[QStringLiteral("version")] = recordVersion;
    json[QStringLiteral("dataset")] = settings.datasetPath;
    json[QStringLiteral("dataset_name")] = prepared.dataset.name;
    json[QStringLiteral("seed")] = static_cast<double>(model.settings.seed);
    json[QStringLiteral("split")] = splitToJson(settings, prepared);
    json[QStringLiteral("settings")] = model.settings.toJson();
    json[QStringLiteral("vocabulary")] = vocabularySettingsToJson(settings.vocabulary);
    json[QStringLiteral("backbone")] = prepared.precomputedFeatures ? QStringLiteral("precomputed features")
                                                                    : prepared.imageFeatures.backbone.toString();
    json[QStringLiteral("backbone_spec")] = prepared.imageFeatures.backbone.toJson();
    json[QStringLiteral("image_features")] = prepared.imageFeatures.extractorIdentity;
    json[QStringLiteral("bits")] = model.settings.bits;
    json[QStringLiteral("method")] = model.settings.method;
    json[QStringLiteral("epochs")] = epochs;
    json[QStringLiteral("best_epoch")] = model.bestEpoch;
    json[QStringLiteral("training_seconds")] = model.trainingSeconds;
    json[QStringLiteral("scores")] = scoresJson;
    json[QStringLiteral("curves")] = curvesJson;
    return json;
}

Result<RunRecord> runRecordFromJson(const QJsonObject &json, const QString &path)
{
    RecordReader reader(path);
    const QString format = reader.value(json, QStringLiteral("format"), QJsonValue::String).toString();
    const int version = reader.value(json, QStringLiteral("version"), QJsonValue::Double).toInt();
    if (!reader.failed() && (format != recordFormat || version != recordVersion))
        reader.fail(QStringLiteral("it is \"%1\" version %2, expected \"%3\" version %4.").arg(format).arg(version).arg(recordFormat).arg(recordVersion));

    RunRecord record;
    record.json = json;
    TrainingJobSettings &settings = record.settings;
    settings.datasetPath = reader.value(json, QStringLiteral("dataset"), QJsonValue::String).toString();
    record.bestEpoch = json.value(QStringLiteral("best_epoch")).toInt();

    const QJsonObject split = reader.value(json, QStringLiteral("split"), QJsonValue::Object).toObject();
    const QString where = QStringLiteral("split.");
    const QString mode = reader.value(split, QStringLiteral("mode"), QJsonValue::String, where).toString();
    if (!reader.failed() && !parseSplitMode(mode, &settings.split.mode))
        reader.fail(QStringLiteral("\"split.mode\" is \"%1\", expected \"random\" or \"per-label\".").arg(mode));
    settings.split.seed = static_cast<quint64>(reader.value(split, QStringLiteral("seed"), QJsonValue::Double, where).toDouble());
    settings.split.queryFraction = reader.value(split, QStringLiteral("query_fraction"), QJsonValue::Double, where).toDouble();
    settings.split.queryCount = reader.value(split, QStringLiteral("query_count"), QJsonValue::Double, where).toInt();
    settings.split.maxQueryCount = reader.value(split, QStringLiteral("max_query_count"), QJsonValue::Double, where).toInt();
    settings.split.maxTrainingCount = reader.value(split, QStringLiteral("max_training_count"), QJsonValue::Double, where).toInt();
    settings.split.queriesPerLabel = reader.value(split, QStringLiteral("queries_per_label"), QJsonValue::Double, where).toInt();
    settings.split.trainingPerLabel = reader.value(split, QStringLiteral("training_per_label"), QJsonValue::Double, where).toInt();
    settings.split.validationCount = reader.value(split, QStringLiteral("validation_count"), QJsonValue::Double, where).toInt();
    settings.replaceDatasetSplit = reader.value(split, QStringLiteral("replace_dataset_split"), QJsonValue::Bool, where).toBool();
    settings.treeOptions.labelDepth = reader.value(split, QStringLiteral("label_depth"), QJsonValue::Double, where).toInt();

    const QJsonObject esafh = reader.value(json, QStringLiteral("settings"), QJsonValue::Object).toObject();
    const QJsonObject backbone = reader.value(json, QStringLiteral("backbone_spec"), QJsonValue::Object).toObject();
    const QJsonObject scores = reader.value(json, QStringLiteral("scores"), QJsonValue::Object).toObject();
    const QJsonObject all = reader.value(scores, QStringLiteral("map_all"), QJsonValue::Object, QStringLiteral("scores.")).toObject();
    const QJsonObject atK = reader.value(scores, QStringLiteral("map_at_k"), QJsonValue::Object, QStringLiteral("scores.")).toObject();
    record.scores.imageToTextAll = reader.value(all, QStringLiteral("i2t"), QJsonValue::Double, QStringLiteral("scores.map_all.")).toDouble();
    record.scores.textToImageAll = reader.value(all, QStringLiteral("t2i"), QJsonValue::Double, QStringLiteral("scores.map_all.")).toDouble();
    record.scores.imageToTextAtK = reader.value(atK, QStringLiteral("i2t"), QJsonValue::Double, QStringLiteral("scores.map_at_k.")).toDouble();
    record.scores.textToImageAtK = reader.value(atK, QStringLiteral("t2i"), QJsonValue::Double, QStringLiteral("scores.map_at_k.")).toDouble();
    record.scores.k = reader.value(scores, QStringLiteral("k"), QJsonValue::Double, QStringLiteral("scores.")).toInt();
    const QString ties = reader.value(scores, QStringLiteral("ties"), QJsonValue::String, QStringLiteral("scores.")).toString();
    if (!reader.failed() && ties != tieRuleProtocolName(TieRule::TieAware) && ties != tieRuleProtocolName(TieRule::DatabaseIndex))
        reader.fail(QStringLiteral("\"scores.ties\" is \"%1\", expected \"tie-aware\" or \"database index\".").arg(ties));
    if (reader.failed())
        return Result<RunRecord>::failure(reader.error());

    record.scores.tieRule = ties == tieRuleProtocolName(TieRule::DatabaseIndex) ? TieRule::DatabaseIndex : TieRule::TieAware;
    settings.mapK = record.scores.k;
    settings.tieRule = record.scores.tieRule;

    Result<EsafhSettings> parsedSettings = EsafhSettings::fromJson(esafh);
    if (!parsedSettings)
        return Result<RunRecord>::failure(QStringLiteral("Invalid run record %1: %2").arg(path, parsedSettings.error()));
    settings.esafh = parsedSettings.value();
    Result<BackboneSpec> parsedBackbone = BackboneSpec::fromJson(backbone);
    if (!parsedBackbone)
        return Result<RunRecord>::failure(QStringLiteral("Invalid run record %1: %2").arg(path, parsedBackbone.error()));
    settings.backbone = parsedBackbone.value();

    // Records written before the vocabulary settings were recorded used the defaults.
    if (json.contains(QStringLiteral("vocabulary"))) {
        Result<VocabularySettings> vocabulary = vocabularySettingsFromJson(json.value(QStringLiteral("vocabulary")).toObject());
        if (!vocabulary)
            return Result<RunRecord>::failure(QStringLiteral("Invalid run record %1: %2").arg(path, vocabulary.error()));
        settings.vocabulary = vocabulary.value();
    }
    return record;
}

Result<RunRecord> readRunRecord(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Result<RunRecord>::failure(QStringLiteral("Cannot read run record %1: %2").arg(path, file.errorString()));
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &error);
    if (error.error != QJsonParseError::NoError || !document.isObject()) {
        return Result<RunRecord>::failure(QStringLiteral("Invalid run record %1: not a JSON object (%2 at byte %3).")
                                              .arg(path, error.errorString())
                                              .arg(error.offset));
    }
    return runRecordFromJson(document.object(), path);
}

} // namespace esafh
