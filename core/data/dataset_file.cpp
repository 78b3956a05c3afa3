#include "data/dataset_io.h"

#include "common/logging.h"
#include "data/json_file.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

#include <algorithm>

namespace esafh {

namespace {

using detail::JsonFieldReader;

// The file format: a JSON object with these fields.
//   "format": "esafh-dataset", "version": 1
//   "name", "importedFrom": {"format", "source"}: where the dataset was first read
//   "labelNames": [string]
//   "items": [{"imagePath": string, "captions": [string], "labels": [int]}]
//   "split": {"seed": decimal string, "query", "database", "training", "validation": [int]}
//   "importMessages": [string]
// A hand-edited file may leave out "importedFrom", "importMessages", "split" or any
// field of "split"; an absent set is empty and an absent seed is 0.
// The seed is a string because a JSON number represents integers exactly only up to 2^53.
const QLatin1String fileFormat("esafh-dataset");
constexpr int fileVersion = 1;

QString shown(const QString &path)
{
    return QDir::toNativeSeparators(path);
}

QJsonArray toJson(const std::vector<int> &indices)
{
    QJsonArray array;
    for (int index : indices)
        array.append(index);
    return array;
}

QJsonObject toJson(const DatasetItem &item)
{
    QJsonObject object;
    object.insert(QStringLiteral("imagePath"),
                  item.imagePath.isEmpty() ? QString() : QDir::cleanPath(QFileInfo(item.imagePath).absoluteFilePath()));
    object.insert(QStringLiteral("captions"), QJsonArray::fromStringList(item.captions));
    object.insert(QStringLiteral("labels"), toJson(item.labels));
    return object;
}

QJsonObject toJson(const DatasetSplit &split)
{
    QJsonObject object;
    object.insert(QStringLiteral("seed"), QString::number(split.seed));
    object.insert(QStringLiteral("query"), toJson(split.query));
    object.insert(QStringLiteral("database"), toJson(split.database));
    object.insert(QStringLiteral("training"), toJson(split.training));
    object.insert(QStringLiteral("validation"), toJson(split.validation));
    return object;
}

QJsonObject toJson(const Dataset &dataset)
{
    QJsonObject object;
    object.insert(QStringLiteral("format"), fileFormat);
    object.insert(QStringLiteral("version"), fileVersion);
    object.insert(QStringLiteral("name"), dataset.name);
    object.insert(QStringLiteral("importedFrom"),
                  QJsonObject{{QStringLiteral("format"), dataset.format}, {QStringLiteral("source"), dataset.source}});
    object.insert(QStringLiteral("labelNames"), QJsonArray::fromStringList(dataset.labelNames));

    QJsonArray items;
    for (const DatasetItem &item : dataset.items)
        items.append(toJson(item));
    object.insert(QStringLiteral("items"), items);
    object.insert(QStringLiteral("split"), toJson(dataset.split));
    object.insert(QStringLiteral("importMessages"), QJsonArray::fromStringList(dataset.importMessages));
    return object;
}

/// Reads the fields of a dataset file into a Dataset and checks types, ranges and
/// the split's structure. The field reader keeps the first problem found.
class DatasetFileParser
{
public:
    explicit DatasetFileParser(const QString &path) : m_reader(path), m_folder(QFileInfo(path).absoluteDir()) {}

    Result<Dataset> parse(const QJsonObject &root)
    {
        checkFormat(root);
        if (m_reader.failed())
            return Result<Dataset>::failure(m_reader.error());

        Dataset dataset;
        dataset.name = m_reader.string(root, QStringLiteral("name"), {});
        dataset.labelNames = strings(m_reader.array(root, QStringLiteral("labelNames"), {}), QStringLiteral("labelNames"));
        readItems(m_reader.array(root, QStringLiteral("items"), {}), dataset);
        readSplit(root.value(QStringLiteral("split")), dataset);
        dataset.importMessages = strings(optionalArray(root, QStringLiteral("importMessages"), {}),
                                         QStringLiteral("importMessages"));
        if (m_reader.failed())
            return Result<Dataset>::failure(m_reader.error());
        return dataset;
    }

private:
    void checkFormat(const QJsonObject &root)
    {
        const QJsonValue format = root.value(QStringLiteral("format"));
        if (format.isUndefined()) {
            m_reader.fail(QStringLiteral("%1 is not an esafh dataset file: it has no \"format\" field").arg(m_reader.filePath()));
            return;
        }
        if (format.toString() != fileFormat) {
            m_reader.fail(QStringLiteral("%1 is not an esafh dataset file: its \"format\" is %2, expected \"%3\"")
                              .arg(m_reader.filePath(), detail::describeJsonValue(format), fileFormat));
            return;
        }
        const qint64 version = m_reader.integer(root, QStringLiteral("version"), {});
        if (!m_reader.failed() && version != fileVersion) {
            m_reader.fail(QStringLiteral("%1 is a dataset file of version %2, but this program reads version %3 only")
                              .arg(m_reader.filePath())
                              .arg(version)
                              .arg(fileVersion));
        }
    }

    // Returns the array at `key`, or an empty one when the field is absent.
    QJsonArray optionalArray(const QJsonObject &object, const QString &key, const QString &where)
    {
        return object.contains(key) ? m_reader.array(object, key, where) : QJsonArray();
    }

    QStringList strings(const QJsonArray &array, const QString &path)
    {
        QStringList values;
        for (qsizetype i = 0; i < array.size() && !m_reader.failed(); ++i)
            values.append(m_reader.string(array[i], JsonFieldReader::elementPath(path, i)));
        return values;
    }

    // Reads an array of indices that must lie in [0, count); `rangeName` names the range in messages.
    std::vector<int> indices(const QJsonArray &array, const QString &path, int count, const QString &rangeName)
    {
        std::vector<int> values;
        for (qsizetype i = 0; i < array.size() && !m_reader.failed(); ++i) {
            const QString elementPath = JsonFieldReader::elementPath(path, i);
            const qint64 value = m_reader.integer(array[i], elementPath);
            if (!m_reader.failed() && (value < 0 || value >= count)) {
                m_reader.fail(QStringLiteral("Invalid %1: %2 is %3, out of range because there are %4 %5")
                                  .arg(m_reader.filePath(), elementPath)
                                  .arg(value)
                                  .arg(count)
                                  .arg(rangeName));
            }
            values.push_back(static_cast<int>(value));
        }
        return values;
    }

    void readItems(const QJsonArray &array, Dataset &dataset)
    {
        const auto labelCount = static_cast<int>(dataset.labelNames.size());
        dataset.items.reserve(static_cast<size_t>(array.size()));
        for (qsizetype i = 0; i < array.size() && !m_reader.failed(); ++i) {
            const QString where = JsonFieldReader::elementPath(QStringLiteral("items"), i);
            const QJsonObject object = m_reader.object(array[i], where);

            DatasetItem item;
            const QString imagePath = m_reader.string(object, QStringLiteral("imagePath"), where);
            // A hand-edited file may give paths relative to its own folder.
            if (!imagePath.isEmpty())
                item.imagePath = QDir::cleanPath(m_folder.absoluteFilePath(imagePath));
            item.captions = strings(m_reader.array(object, QStringLiteral("captions"), where),
                                    JsonFieldReader::fieldPath(where, QStringLiteral("captions")));
            item.labels = indices(m_reader.array(object, QStringLiteral("labels"), where),
                                  JsonFieldReader::fieldPath(where, QStringLiteral("labels")), labelCount,
                                  QStringLiteral("label names"));

            // Labels are kept sorted and distinct, as DatasetItem documents.
            std::sort(item.labels.begin(), item.labels.end());
            item.labels.erase(std::unique(item.labels.begin(), item.labels.end()), item.labels.end());
            dataset.items.push_back(std::move(item));
        }
    }

    quint64 readSeed(const QJsonValue &value)
    {
        const QString path = QStringLiteral("split.seed");
        if (value.isString()) {
            bool ok = false;
            const quint64 seed = value.toString().toULongLong(&ok);
            if (!ok)
                m_reader.fail(QStringLiteral("Invalid %1: %2 must be an unsigned 64-bit integer, not %3")
                                  .arg(m_reader.filePath(), path, detail::describeJsonValue(value)));
            return seed;
        }
        const qint64 seed = m_reader.integer(value, path);
        if (seed < 0)
            m_reader.fail(QStringLiteral("Invalid %1: %2 must not be negative, but is %3").arg(m_reader.filePath(), path).arg(seed));
        return static_cast<quint64>(seed);
    }

    // Checks that no index repeats inside `values` and that each lies (or, with
    // mustContain false, does not lie) in `other`.
    void checkSet(const std::vector<int> &values, const QString &name, const std::vector<bool> &other,
                  bool mustContain, const QString &otherName)
    {
        std::vector<bool> seen(other.size(), false);
        for (size_t i = 0; i < values.size() && !m_reader.failed(); ++i) {
            const int index = values[i];
            const QString where = QStringLiteral("split.%1[%2] (item %3)").arg(name).arg(i).arg(index);
            if (seen[index])
                m_reader.fail(QStringLiteral("Invalid %1: %2 repeats an item").arg(m_reader.filePath(), where));
            else if (other[index] != mustContain)
                m_reader.fail(QStringLiteral("Invalid %1: %2 is %3 split.%4")
                                  .arg(m_reader.filePath(), where,
                                       mustContain ? QStringLiteral("not in") : QStringLiteral("also in"), otherName));
            seen[index] = true;
        }
    }

    static std::vector<bool> membership(const std::vector<int> &indices, int count)
    {
        std::vector<bool> member(static_cast<size_t>(count), false);
        for (int index : indices)
            member[index] = true;
        return member;
    }

    void readSplit(const QJsonValue &value, Dataset &dataset)
    {
        if (value.isUndefined() || m_reader.failed())
            return;
        const QJsonObject object = m_reader.object(value, QStringLiteral("split"));
        const int count = dataset.size();
        const auto readSet = [&](const QString &key) {
            return indices(optionalArray(object, key, QStringLiteral("split")),
                           JsonFieldReader::fieldPath(QStringLiteral("split"), key), count, QStringLiteral("items"));
        };

        DatasetSplit &split = dataset.split;
        split.seed = readSeed(object.value(QStringLiteral("seed")));
        split.query = readSet(QStringLiteral("query"));
        split.database = readSet(QStringLiteral("database"));
        split.training = readSet(QStringLiteral("training"));
        split.validation = readSet(QStringLiteral("validation"));
        if (m_reader.failed())
            return;

        // The structure DatasetSplit documents: queries apart from the database,
        // training and validation items inside it.
        const std::vector<bool> inDatabase = membership(split.database, count);
        checkSet(split.database, QStringLiteral("database"), std::vector<bool>(count, false), false, {});
        checkSet(split.query, QStringLiteral("query"), inDatabase, false, QStringLiteral("database"));
        checkSet(split.training, QStringLiteral("training"), inDatabase, true, QStringLiteral("database"));
        checkSet(split.validation, QStringLiteral("validation"), inDatabase, true, QStringLiteral("database"));
    }

    JsonFieldReader m_reader;
    QDir m_folder;
};

} // namespace

Status saveDatasetFile(const Dataset &dataset, const QString &path)
{
    QElapsedTimer timer;
    timer.start();

    // QSaveFile writes to a temporary file and renames it on commit, so a failed
    // write leaves any previous file intact.
    QSaveFile file(path);
    QString error;
    if (!file.open(QIODevice::WriteOnly))
        error = QStringLiteral("Cannot write dataset file %1: %2").arg(shown(path), file.errorString());
    else if (file.write(QJsonDocument(toJson(dataset)).toJson(QJsonDocument::Indented)) < 0 || !file.commit())
        error = QStringLiteral("Cannot write dataset file %1: %2").arg(shown(path), file.errorString());
    if (!error.isEmpty()) {
        qCWarning(lcData).noquote() << error;
        return Status::failure(error);
    }

    qCInfo(lcData).noquote() << "Saved" << dataset.size() << "items to" << shown(path) << "in" << timer.elapsed() << "ms";
    return Status::success();
}

Result<Dataset> loadDatasetFile(const QString &path)
{
    qCInfo(lcData).noquote() << "Loading dataset file" << shown(path);
    QElapsedTimer timer;
    timer.start();

    Result<QJsonObject> document = detail::readJsonObject(path);
    Result<Dataset> result = document ? DatasetFileParser(path).parse(document.value())
                                      : Result<Dataset>::failure(document.error());
    if (!result) {
        qCWarning(lcData).noquote() << result.error();
        return result;
    }

    result->format = QStringLiteral("dataset-file");
    result->source = QDir::cleanPath(QFileInfo(path).absoluteFilePath());
    qCInfo(lcData).noquote() << "Loaded" << result->size() << "items with" << result->labelNames.size()
                             << "labels from" << result->source << "in" << timer.elapsed() << "ms";
    return result;
}

} // namespace esafh
