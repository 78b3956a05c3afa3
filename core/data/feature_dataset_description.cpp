// Reading and writing feature dataset description files. The format is documented
// in docs/dataset-formats.md; in short, a JSON object:
//   "format": "esafh-feature-dataset", "version": 1, "name"
//   "imageFeatures", "textFeatures": {"file", "variable", "items"}
//   "labels": {"file", "variable", "items", "form": "matrix" | "class-ids", "base"}
//   "labelNames": [string]
//   "captions": {"file", "variable"}, "imagePaths": {"file", "variable", "folder"}
//   "split": {"query", "database", "training": {"file", "variable", "base"}}
//         or {"random": {"seed", "queryCount", "queryFraction", "maxQueryCount", "maxTrainingCount"}}

#include "data/feature_dataset.h"

#include "common/logging.h"
#include "data/json_file.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

#include <limits>

namespace esafh {

namespace {

using detail::JsonFieldReader;

const QLatin1String descriptionFormat("esafh-feature-dataset");
constexpr int descriptionVersion = 1;

QString shown(const QString &path)
{
    return QDir::toNativeSeparators(path);
}

/// Reads the fields of a description and keeps the first problem found.
class DescriptionParser
{
public:
    explicit DescriptionParser(const QString &path) : m_reader(path), m_folder(QFileInfo(path).absoluteDir()) {}

    Result<FeatureDatasetDescription> parse(const QJsonObject &root)
    {
        checkFormat(root);
        checkKeys(root, {},
                  {"format", "version", "name", "imageFeatures", "textFeatures", "labels", "labelNames", "captions",
                   "imagePaths", "split"});
        if (m_reader.failed())
            return Result<FeatureDatasetDescription>::failure(m_reader.error());

        FeatureDatasetDescription description;
        description.name = m_reader.string(root.value(QStringLiteral("name")), QStringLiteral("name"));
        description.imageFeatures = matrixSource(root, QStringLiteral("imageFeatures"));
        description.textFeatures = matrixSource(root, QStringLiteral("textFeatures"));
        readLabels(root, description);
        description.captions = stringSource(root, QStringLiteral("captions"), {});
        readImagePaths(root, description);
        readSplit(root.value(QStringLiteral("split")), description.split);

        if (!m_reader.failed() && !description.imageFeatures.isSet() && !description.textFeatures.isSet())
            m_reader.fail(QStringLiteral("Invalid %1: it names neither \"imageFeatures\" nor \"textFeatures\"")
                              .arg(m_reader.filePath()));
        if (m_reader.failed())
            return Result<FeatureDatasetDescription>::failure(m_reader.error());
        return description;
    }

private:
    void checkFormat(const QJsonObject &root)
    {
        const QJsonValue format = root.value(QStringLiteral("format"));
        if (format.toString() != descriptionFormat) {
            m_reader.fail(QStringLiteral("%1 is not a feature dataset description: its \"format\" is %2, expected "
                                         "\"%3\"")
                              .arg(m_reader.filePath(), detail::describeJsonValue(format), descriptionFormat));
            return;
        }
        const qint64 version = m_reader.integer(root, QStringLiteral("version"), {});
        if (!m_reader.failed() && version != descriptionVersion) {
            m_reader.fail(QStringLiteral("%1 is a feature dataset description of version %2, but this program reads "
                                         "version %3 only")
                              .arg(m_reader.filePath())
                              .arg(version)
                              .arg(descriptionVersion));
        }
    }

    /// Fails on a key outside `allowed`, so that a misspelt optional field is reported
    /// instead of silently ignored.
    void checkKeys(const QJsonObject &object, const QString &where, std::initializer_list<const char *> allowed)
    {
        QStringList names;
        for (const char *name : allowed)
            names.append(QLatin1String(name));
        for (auto it = object.constBegin(); it != object.constEnd() && !m_reader.failed(); ++it) {
            if (!names.contains(it.key())) {
                m_reader.fail(QStringLiteral("Invalid %1: unknown field %2; the fields allowed here are %3")
                                  .arg(m_reader.filePath(), JsonFieldReader::fieldPath(where, it.key()),
                                       names.join(QStringLiteral(", "))));
            }
        }
    }

    /// Reads "file" and "variable" of an optional source object at `key`.
    ArraySource source(const QJsonObject &parent, const QString &key, const QString &where)
    {
        ArraySource source;
        const QJsonValue value = parent.value(key);
        if (value.isUndefined() || m_reader.failed())
            return source;

        const QString path = JsonFieldReader::fieldPath(where, key);
        const QJsonObject object = m_reader.object(value, path);
        const QString file = m_reader.string(object, QStringLiteral("file"), path);
        if (!m_reader.failed() && file.isEmpty())
            m_reader.fail(QStringLiteral("Invalid %1: %2.file is empty").arg(m_reader.filePath(), path));
        source.file = file.isEmpty() ? QString() : QDir::cleanPath(m_folder.absoluteFilePath(file));
        source.variable = m_reader.string(object.value(QStringLiteral("variable")), path + QStringLiteral(".variable"));
        return source;
    }

    ItemOrientation orientation(const QJsonObject &object, const QString &path)
    {
        const QString name = m_reader.string(object.value(QStringLiteral("items")), path + QStringLiteral(".items"));
        for (ItemOrientation orientation : {ItemOrientation::Rows, ItemOrientation::Columns, ItemOrientation::Auto}) {
            if (name.isEmpty() || name == itemOrientationName(orientation))
                return name.isEmpty() ? ItemOrientation::Auto : orientation;
        }
        m_reader.fail(QStringLiteral("Invalid %1: %2.items is \"%3\", expected \"rows\", \"columns\" or \"auto\"")
                          .arg(m_reader.filePath(), path, name));
        return ItemOrientation::Auto;
    }

    int base(const QJsonObject &object, const QString &path)
    {
        const QJsonValue value = object.value(QStringLiteral("base"));
        if (value.isUndefined())
            return 1;
        const qint64 base = m_reader.integer(value, path + QStringLiteral(".base"));
        if (!m_reader.failed() && base != 0 && base != 1)
            m_reader.fail(QStringLiteral("Invalid %1: %2.base is %3, expected 0 or 1").arg(m_reader.filePath(), path).arg(base));
        return int(base);
    }

    ArraySource matrixSource(const QJsonObject &root, const QString &key)
    {
        ArraySource matrix = source(root, key, {});
        if (matrix.isSet()) {
            const QJsonObject object = root.value(key).toObject();
            checkKeys(object, key, {"file", "variable", "items"});
            matrix.items = orientation(object, key);
        }
        return matrix;
    }

    ArraySource stringSource(const QJsonObject &parent, const QString &key, const QString &where)
    {
        ArraySource strings = source(parent, key, where);
        if (strings.isSet())
            checkKeys(parent.value(key).toObject(), JsonFieldReader::fieldPath(where, key), {"file", "variable"});
        return strings;
    }

    ArraySource indexSource(const QJsonObject &parent, const QString &key, const QString &where)
    {
        ArraySource indices = source(parent, key, where);
        if (indices.isSet()) {
            const QJsonObject object = parent.value(key).toObject();
            const QString path = JsonFieldReader::fieldPath(where, key);
            checkKeys(object, path, {"file", "variable", "base"});
            indices.base = base(object, path);
        }
        return indices;
    }

    void readLabels(const QJsonObject &root, FeatureDatasetDescription &description)
    {
        const QString key = QStringLiteral("labels");
        description.labels = source(root, key, {});
        if (description.labels.isSet()) {
            const QJsonObject object = root.value(key).toObject();
            checkKeys(object, key, {"file", "variable", "items", "form", "base"});
            description.labels.items = orientation(object, key);
            description.labels.base = base(object, key);

            const QString form = m_reader.string(object.value(QStringLiteral("form")), QStringLiteral("labels.form"));
            if (form == QLatin1String("class-ids"))
                description.labelForm = LabelForm::ClassIds;
            else if (!form.isEmpty() && form != QLatin1String("matrix"))
                m_reader.fail(QStringLiteral("Invalid %1: labels.form is \"%2\", expected \"matrix\" or \"class-ids\"")
                                  .arg(m_reader.filePath(), form));
        }

        const QJsonValue names = root.value(QStringLiteral("labelNames"));
        if (names.isUndefined() || m_reader.failed())
            return;
        const QJsonArray array = m_reader.array(root, QStringLiteral("labelNames"), {});
        for (qsizetype i = 0; i < array.size() && !m_reader.failed(); ++i)
            description.labelNames.append(
                m_reader.string(array[i], JsonFieldReader::elementPath(QStringLiteral("labelNames"), i)));
    }

    void readImagePaths(const QJsonObject &root, FeatureDatasetDescription &description)
    {
        const QString key = QStringLiteral("imagePaths");
        description.imagePaths = source(root, key, {});
        if (!description.imagePaths.isSet())
            return;
        const QJsonObject object = root.value(key).toObject();
        checkKeys(object, key, {"file", "variable", "folder"});
        const QString folder = m_reader.string(object.value(QStringLiteral("folder")), QStringLiteral("imagePaths.folder"));
        if (!folder.isEmpty())
            description.imageFolder = QDir::cleanPath(m_folder.absoluteFilePath(folder));
    }

    quint64 readSeed(const QJsonValue &value, const QString &path)
    {
        if (value.isString()) {
            bool ok = false;
            const quint64 seed = value.toString().toULongLong(&ok);
            if (!ok)
                m_reader.fail(QStringLiteral("Invalid %1: %2 must be an unsigned 64-bit integer, not %3")
                                  .arg(m_reader.filePath(), path, detail::describeJsonValue(value)));
            return seed;
        }
        if (value.isUndefined())
            return SplitSettings().seed;
        const qint64 seed = m_reader.integer(value, path);
        if (seed < 0)
            m_reader.fail(QStringLiteral("Invalid %1: %2 must not be negative, but is %3").arg(m_reader.filePath(), path).arg(seed));
        return quint64(seed);
    }

    int count(const QJsonObject &object, const char *key, int defaultValue)
    {
        const QJsonValue value = object.value(QLatin1String(key));
        if (value.isUndefined())
            return defaultValue;
        const QString path = QStringLiteral("split.random.") + QLatin1String(key);
        const qint64 number = m_reader.integer(value, path);
        if (!m_reader.failed() && (number < 0 || number > std::numeric_limits<int>::max()))
            m_reader.fail(QStringLiteral("Invalid %1: %2 is %3, expected a count from 0").arg(m_reader.filePath(), path).arg(number));
        return int(number);
    }

    SplitSettings randomSplit(const QJsonValue &value)
    {
        const QString path = QStringLiteral("split.random");
        const QJsonObject object = m_reader.object(value, path);
        checkKeys(object, path, {"seed", "queryCount", "queryFraction", "maxQueryCount", "maxTrainingCount"});

        SplitSettings settings;
        settings.seed = readSeed(object.value(QStringLiteral("seed")), path + QStringLiteral(".seed"));
        settings.queryCount = count(object, "queryCount", settings.queryCount);
        settings.maxQueryCount = count(object, "maxQueryCount", settings.maxQueryCount);
        settings.maxTrainingCount = count(object, "maxTrainingCount", settings.maxTrainingCount);
        const QJsonValue fraction = object.value(QStringLiteral("queryFraction"));
        if (!fraction.isUndefined()) {
            settings.queryFraction = fraction.toDouble(-1);
            if (!fraction.isDouble() || settings.queryFraction < 0 || settings.queryFraction > 1)
                m_reader.fail(QStringLiteral("Invalid %1: %2.queryFraction is %3, expected a number from 0 to 1")
                                  .arg(m_reader.filePath(), path, detail::describeJsonValue(fraction)));
        }
        return settings;
    }

    void readSplit(const QJsonValue &value, FeatureSplitSource &split)
    {
        if (value.isUndefined() || m_reader.failed())
            return;
        const QString where = QStringLiteral("split");
        const QJsonObject object = m_reader.object(value, where);
        checkKeys(object, where, {"query", "database", "training", "random"});

        split.query = indexSource(object, QStringLiteral("query"), where);
        split.database = indexSource(object, QStringLiteral("database"), where);
        split.training = indexSource(object, QStringLiteral("training"), where);
        const QJsonValue random = object.value(QStringLiteral("random"));
        if (!random.isUndefined() && !m_reader.failed())
            split.random = randomSplit(random);
        if (m_reader.failed())
            return;

        const bool indices = split.query.isSet() || split.database.isSet() || split.training.isSet();
        if (indices && split.random)
            m_reader.fail(QStringLiteral("Invalid %1: split has both index vectors and \"random\"; give one of them")
                              .arg(m_reader.filePath()));
        else if (indices && !split.query.isSet())
            m_reader.fail(QStringLiteral("Invalid %1: split names database or training indices but no split.query")
                              .arg(m_reader.filePath()));
    }

    JsonFieldReader m_reader;
    QDir m_folder;
};

/// The path to write for `file`: relative when it lies inside `folder`.
QString storedPath(const QDir &folder, const QString &file)
{
    const QString relative = folder.relativeFilePath(file);
    if (relative.isEmpty())
        return QStringLiteral(".");
    return relative.startsWith(QLatin1String("../")) || QDir::isAbsolutePath(relative) ? QDir::cleanPath(file)
                                                                                         : relative;
}

QJsonObject toJson(const QDir &folder, const ArraySource &source, bool withItems, bool withBase)
{
    QJsonObject object;
    object.insert(QStringLiteral("file"), storedPath(folder, source.file));
    if (!source.variable.isEmpty())
        object.insert(QStringLiteral("variable"), source.variable);
    if (withItems && source.items != ItemOrientation::Auto)
        object.insert(QStringLiteral("items"), itemOrientationName(source.items));
    if (withBase)
        object.insert(QStringLiteral("base"), source.base);
    return object;
}

QJsonObject toJson(const QDir &folder, const FeatureSplitSource &split)
{
    QJsonObject object;
    if (split.random) {
        const SplitSettings &settings = *split.random;
        object.insert(QStringLiteral("random"),
                      QJsonObject{{QStringLiteral("seed"), QString::number(settings.seed)},
                                  {QStringLiteral("queryCount"), settings.queryCount},
                                  {QStringLiteral("queryFraction"), settings.queryFraction},
                                  {QStringLiteral("maxQueryCount"), settings.maxQueryCount},
                                  {QStringLiteral("maxTrainingCount"), settings.maxTrainingCount}});
        return object;
    }
    if (split.query.isSet())
        object.insert(QStringLiteral("query"), toJson(folder, split.query, false, true));
    if (split.database.isSet())
        object.insert(QStringLiteral("database"), toJson(folder, split.database, false, true));
    if (split.training.isSet())
        object.insert(QStringLiteral("training"), toJson(folder, split.training, false, true));
    return object;
}

QJsonObject toJson(const QDir &folder, const FeatureDatasetDescription &description)
{
    QJsonObject root;
    root.insert(QStringLiteral("format"), descriptionFormat);
    root.insert(QStringLiteral("version"), descriptionVersion);
    if (!description.name.isEmpty())
        root.insert(QStringLiteral("name"), description.name);
    if (description.imageFeatures.isSet())
        root.insert(QStringLiteral("imageFeatures"), toJson(folder, description.imageFeatures, true, false));
    if (description.textFeatures.isSet())
        root.insert(QStringLiteral("textFeatures"), toJson(folder, description.textFeatures, true, false));
    if (description.labels.isSet()) {
        const bool classIds = description.labelForm == LabelForm::ClassIds;
        QJsonObject labels = toJson(folder, description.labels, !classIds, classIds);
        labels.insert(QStringLiteral("form"), classIds ? QStringLiteral("class-ids") : QStringLiteral("matrix"));
        root.insert(QStringLiteral("labels"), labels);
    }
    if (!description.labelNames.isEmpty())
        root.insert(QStringLiteral("labelNames"), QJsonArray::fromStringList(description.labelNames));
    if (description.captions.isSet())
        root.insert(QStringLiteral("captions"), toJson(folder, description.captions, false, false));
    if (description.imagePaths.isSet()) {
        QJsonObject imagePaths = toJson(folder, description.imagePaths, false, false);
        if (!description.imageFolder.isEmpty())
            imagePaths.insert(QStringLiteral("folder"), storedPath(folder, description.imageFolder));
        root.insert(QStringLiteral("imagePaths"), imagePaths);
    }
    if (description.split.isSet())
        root.insert(QStringLiteral("split"), toJson(folder, description.split));
    return root;
}

} // namespace

bool isFeatureDatasetDescription(const QString &path)
{
    const Result<QJsonObject> document = detail::readJsonObject(path);
    return document && document->value(QStringLiteral("format")).toString() == descriptionFormat;
}

Result<FeatureDatasetDescription> readFeatureDatasetDescription(const QString &path)
{
    Result<QJsonObject> document = detail::readJsonObject(path);
    if (!document) {
        qCWarning(lcData).noquote() << document.error();
        return Result<FeatureDatasetDescription>::failure(document.error());
    }

    Result<FeatureDatasetDescription> description = DescriptionParser(path).parse(document.value());
    if (!description) {
        qCWarning(lcData).noquote() << description.error();
        return description;
    }
    description->descriptionPath = QDir::cleanPath(QFileInfo(path).absoluteFilePath());
    return description;
}

Status saveFeatureDatasetDescription(const FeatureDatasetDescription &description, const QString &path)
{
    QString error;
    if (!description.imageFeatures.isSet() && !description.textFeatures.isSet())
        error = QStringLiteral("Cannot write feature dataset description %1: it names neither image nor text features")
                    .arg(shown(path));

    // QSaveFile writes to a temporary file and renames it on commit, so a failed
    // write leaves any previous file intact.
    QSaveFile file(path);
    if (error.isEmpty()) {
        const QDir folder = QFileInfo(path).absoluteDir();
        const QByteArray bytes = QJsonDocument(toJson(folder, description)).toJson(QJsonDocument::Indented);
        if (!file.open(QIODevice::WriteOnly) || file.write(bytes) < 0 || !file.commit())
            error = QStringLiteral("Cannot write feature dataset description %1: %2").arg(shown(path), file.errorString());
    }
    if (!error.isEmpty()) {
        qCWarning(lcData).noquote() << error;
        return Status::failure(error);
    }
    qCInfo(lcData).noquote() << "Saved feature dataset description" << shown(path);
    return Status::success();
}

} // namespace esafh
