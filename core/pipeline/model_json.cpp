#include "pipeline/model_json.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QJsonArray>

#include <limits>

namespace esafh {

namespace {

QJsonArray indicesToJson(const std::vector<int> &indices)
{
    QJsonArray array;
    for (int index : indices)
        array.append(index);
    return array;
}

bool indicesFromJson(const QJsonValue &value, int limit, std::vector<int> *indices)
{
    if (!value.isArray())
        return false;
    indices->clear();
    for (const QJsonValue &entry : value.toArray()) {
        const int index = entry.toInt(-1);
        if (!entry.isDouble() || index < 0 || index >= limit)
            return false;
        indices->push_back(index);
    }
    return true;
}

QJsonObject itemToJson(const DatasetItem &item)
{
    QJsonObject json;
    json[QStringLiteral("image")] = item.imagePath;
    json[QStringLiteral("captions")] = QJsonArray::fromStringList(item.captions);
    json[QStringLiteral("labels")] = indicesToJson(item.labels);
    return json;
}

TieRule tieRuleFromName(const QString &name)
{
    return name == tieRuleName(TieRule::DatabaseIndex) ? TieRule::DatabaseIndex : TieRule::TieAware;
}

} // namespace

QJsonObject scoresToJson(const RetrievalScores &scores)
{
    QJsonObject all;
    all[QStringLiteral("i2t")] = scores.imageToTextAll;
    all[QStringLiteral("t2i")] = scores.textToImageAll;

    QJsonObject atK;
    atK[QStringLiteral("i2t")] = scores.imageToTextAtK;
    atK[QStringLiteral("t2i")] = scores.textToImageAtK;

    QJsonObject json;
    json[QStringLiteral("ties")] = tieRuleName(scores.tieRule);
    json[QStringLiteral("k")] = scores.k;
    json[QStringLiteral("map_all")] = all;
    json[QStringLiteral("map_at_k")] = atK;
    return json;
}

QJsonObject modelMetadataToJson(const TrainedModel &model)
{
    QJsonObject split;
    split[QStringLiteral("seed")] = QString::number(model.split.seed);
    split[QStringLiteral("query")] = indicesToJson(model.split.query);
    split[QStringLiteral("database")] = indicesToJson(model.split.database);
    split[QStringLiteral("training")] = indicesToJson(model.split.training);
    split[QStringLiteral("validation")] = indicesToJson(model.split.validation);

    QJsonArray items;
    for (const DatasetItem &item : model.databaseItems)
        items.append(itemToJson(item));

    QJsonObject dataset;
    dataset[QStringLiteral("name")] = model.datasetName;
    dataset[QStringLiteral("source")] = model.datasetSource;
    dataset[QStringLiteral("split")] = split;
    dataset[QStringLiteral("label_names")] = QJsonArray::fromStringList(model.labelNames);
    dataset[QStringLiteral("database_items")] = items;

    QJsonObject json;
    json[QStringLiteral("method")] = model.method;
    json[QStringLiteral("settings")] = model.settings.toJson();
    json[QStringLiteral("vocabulary")] = model.vocabulary.toJson();
    json[QStringLiteral("image_extractor")] = model.imageExtractor;
    json[QStringLiteral("image_backbone")] = model.imageBackbone.toJson();
    json[QStringLiteral("dataset")] = dataset;
    json[QStringLiteral("scores")] = scoresToJson(model.scores);
    json[QStringLiteral("history")] = model.history;
    json[QStringLiteral("training_seconds")] = model.trainingSeconds;
    json[QStringLiteral("best_epoch")] = model.bestEpoch;
    json[QStringLiteral("written_by")] = QStringLiteral("esafh %1").arg(QCoreApplication::applicationVersion());
    json[QStringLiteral("written_at")] = QDateTime::currentDateTimeUtc().toString(Qt::ISODate);
    return json;
}

Result<TrainedModel> modelMetadataFromJson(const QJsonObject &json, const QString &path)
{
    auto invalid = [&path](const QString &what) {
        return Result<TrainedModel>::failure(QStringLiteral("Model file %1 is invalid: %2").arg(path, what));
    };

    TrainedModel model;
    model.method = json.value(QStringLiteral("method")).toString();
    if (!EsafhSettings::methodNames().contains(model.method))
        return invalid(QStringLiteral("unknown method \"%1\"; the methods are %2.")
                           .arg(model.method, EsafhSettings::methodNames().join(QStringLiteral(", "))));

    Result<EsafhSettings> settings = EsafhSettings::fromJson(json.value(QStringLiteral("settings")).toObject());
    if (!settings)
        return invalid(settings.error());
    model.settings = settings.value();

    Result<Vocabulary> vocabulary = Vocabulary::fromJson(json.value(QStringLiteral("vocabulary")).toObject());
    if (!vocabulary)
        return invalid(vocabulary.error());
    model.vocabulary = std::move(vocabulary).value();

    model.imageExtractor = json.value(QStringLiteral("image_extractor")).toString();
    if (model.imageExtractor.isEmpty())
        return invalid(QStringLiteral("no image extractor identity."));
    // Files of format version 1 written before backbones could be chosen have no
    // "image_backbone". All of them used the hand-crafted descriptor.
    if (const QJsonValue backbone = json.value(QStringLiteral("image_backbone")); !backbone.isUndefined()) {
        if (!backbone.isObject())
            return invalid(QStringLiteral("the image backbone is not an object."));
        Result<BackboneSpec> spec = BackboneSpec::fromJson(backbone.toObject());
        if (!spec)
            return invalid(spec.error());
        model.imageBackbone = spec.value();
    }

    const QJsonObject dataset = json.value(QStringLiteral("dataset")).toObject();
    model.datasetName = dataset.value(QStringLiteral("name")).toString();
    model.datasetSource = dataset.value(QStringLiteral("source")).toString();
    for (const QJsonValue &name : dataset.value(QStringLiteral("label_names")).toArray())
        model.labelNames.append(name.toString());

    for (const QJsonValue &value : dataset.value(QStringLiteral("database_items")).toArray()) {
        const QJsonObject object = value.toObject();
        DatasetItem item;
        item.imagePath = object.value(QStringLiteral("image")).toString();
        for (const QJsonValue &caption : object.value(QStringLiteral("captions")).toArray())
            item.captions.append(caption.toString());
        if (!indicesFromJson(object.value(QStringLiteral("labels")), model.labelNames.size(), &item.labels))
            return invalid(QStringLiteral("a label index of database item %1 is out of range.").arg(model.databaseItems.size()));
        model.databaseItems.push_back(std::move(item));
    }

    const QJsonObject split = dataset.value(QStringLiteral("split")).toObject();
    model.split.seed = split.value(QStringLiteral("seed")).toString().toULongLong();
    const int itemLimit = std::numeric_limits<int>::max();
    if (!indicesFromJson(split.value(QStringLiteral("query")), itemLimit, &model.split.query)
        || !indicesFromJson(split.value(QStringLiteral("database")), itemLimit, &model.split.database)
        || !indicesFromJson(split.value(QStringLiteral("training")), itemLimit, &model.split.training)
        || !indicesFromJson(split.value(QStringLiteral("validation")), itemLimit, &model.split.validation)) {
        return invalid(QStringLiteral("the split has an invalid index."));
    }

    const QJsonObject scores = json.value(QStringLiteral("scores")).toObject();
    model.scores.tieRule = tieRuleFromName(scores.value(QStringLiteral("ties")).toString());
    model.scores.k = scores.value(QStringLiteral("k")).toInt(50);
    model.scores.imageToTextAll = scores.value(QStringLiteral("map_all")).toObject().value(QStringLiteral("i2t")).toDouble();
    model.scores.textToImageAll = scores.value(QStringLiteral("map_all")).toObject().value(QStringLiteral("t2i")).toDouble();
    model.scores.imageToTextAtK = scores.value(QStringLiteral("map_at_k")).toObject().value(QStringLiteral("i2t")).toDouble();
    model.scores.textToImageAtK = scores.value(QStringLiteral("map_at_k")).toObject().value(QStringLiteral("t2i")).toDouble();

    model.history = json.value(QStringLiteral("history")).toArray();
    model.trainingSeconds = json.value(QStringLiteral("training_seconds")).toDouble();
    model.bestEpoch = json.value(QStringLiteral("best_epoch")).toInt(); // 0 in files written before it was stored
    return model;
}

} // namespace esafh
