#include "data/dataset_io.h"

#include "common/logging.h"
#include "data/json_file.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QHash>
#include <QSet>

#include <algorithm>
#include <map>
#include <set>
#include <utility>

namespace esafh {

namespace {

using detail::JsonFieldReader;

const QLatin1String captionsPrefix("captions_");
const QLatin1String jsonSuffix(".json");

struct CocoCaption
{
    qint64 annotationId = 0;
    QString text;
};

struct CocoImage
{
    qint64 id = 0;
    QString fileName;
    std::vector<CocoCaption> captions;
    std::set<qint64> categoryIds;
};

/// One split of a release (train2017, val2017, ...): its images in id order.
struct CocoSplit
{
    QString name;
    QString imageFolder;
    std::map<qint64, CocoImage> images;
    bool hasInstances = false;
};

using CategoryNames = std::map<qint64, QString>;

QString shown(const QString &path)
{
    return QDir::toNativeSeparators(path);
}

// Returns <root>/<split> or <root>/images/<split>, whichever exists, or an empty string.
QString findImageFolder(const QDir &root, const QString &split)
{
    for (const QString &candidate : {split, QStringLiteral("images/") + split}) {
        if (QFileInfo(root.filePath(candidate)).isDir())
            return root.filePath(candidate);
    }
    return {};
}

// Reads the "images" and "annotations" arrays of captions_<split>.json.
Status readCaptions(const QString &path, CocoSplit &split, QStringList &messages)
{
    Result<QJsonObject> document = detail::readJsonObject(path);
    if (!document)
        return Status::failure(document.error());

    JsonFieldReader reader(path);
    const QJsonArray images = reader.array(document.value(), QStringLiteral("images"), {});
    const QJsonArray annotations = reader.array(document.value(), QStringLiteral("annotations"), {});
    for (qsizetype i = 0; i < images.size() && !reader.failed(); ++i) {
        const QString where = JsonFieldReader::elementPath(QStringLiteral("images"), i);
        const QJsonObject image = reader.object(images[i], where);
        CocoImage entry;
        entry.id = reader.integer(image, QStringLiteral("id"), where);
        entry.fileName = reader.string(image, QStringLiteral("file_name"), where);
        if (!reader.failed() && !split.images.emplace(entry.id, entry).second)
            reader.fail(QStringLiteral("Invalid %1: %2 repeats image id %3").arg(shown(path), where).arg(entry.id));
    }

    qsizetype orphanCaptions = 0;
    for (qsizetype i = 0; i < annotations.size() && !reader.failed(); ++i) {
        const QString where = JsonFieldReader::elementPath(QStringLiteral("annotations"), i);
        const QJsonObject annotation = reader.object(annotations[i], where);
        const qint64 imageId = reader.integer(annotation, QStringLiteral("image_id"), where);
        CocoCaption caption;
        caption.annotationId = reader.integer(annotation, QStringLiteral("id"), where);
        caption.text = reader.string(annotation, QStringLiteral("caption"), where).trimmed();
        const auto image = split.images.find(imageId);
        if (image == split.images.end())
            ++orphanCaptions;
        else if (!reader.failed())
            image->second.captions.push_back(std::move(caption));
    }
    if (reader.failed())
        return Status::failure(reader.error());

    if (orphanCaptions > 0) {
        messages.append(QStringLiteral("Captions in %1 ignored because their image id is not in its images list: %2.")
                            .arg(shown(path))
                            .arg(orphanCaptions));
    }
    for (auto &[id, image] : split.images) {
        std::sort(image.captions.begin(), image.captions.end(),
                  [](const CocoCaption &a, const CocoCaption &b) { return a.annotationId < b.annotationId; });
    }
    return Status::success();
}

// Adds the "categories" of instances_<split>.json to `categories`; a category id
// that another split names differently is an error.
void readCategories(JsonFieldReader &reader, const QJsonArray &array, CategoryNames &categories)
{
    for (qsizetype i = 0; i < array.size() && !reader.failed(); ++i) {
        const QString where = JsonFieldReader::elementPath(QStringLiteral("categories"), i);
        const QJsonObject category = reader.object(array[i], where);
        const qint64 id = reader.integer(category, QStringLiteral("id"), where);
        const QString name = reader.string(category, QStringLiteral("name"), where);
        if (reader.failed())
            return;

        const auto [existing, added] = categories.emplace(id, name);
        if (!added && existing->second != name) {
            reader.fail(QStringLiteral("Invalid %1: %2 names category %3 \"%4\", but another annotation file names it \"%5\"")
                            .arg(reader.filePath(), where)
                            .arg(id)
                            .arg(name, existing->second));
        }
    }
}

// Reads instances_<split>.json: the categories and, per image, the distinct
// categories of its object annotations.
Status readInstances(const QString &path, CocoSplit &split, CategoryNames &categories)
{
    Result<QJsonObject> document = detail::readJsonObject(path);
    if (!document)
        return Status::failure(document.error());

    JsonFieldReader reader(path);
    const QJsonArray categoryArray = reader.array(document.value(), QStringLiteral("categories"), {});
    const QJsonArray annotations = reader.array(document.value(), QStringLiteral("annotations"), {});
    readCategories(reader, categoryArray, categories);

    for (qsizetype i = 0; i < annotations.size() && !reader.failed(); ++i) {
        const QString where = JsonFieldReader::elementPath(QStringLiteral("annotations"), i);
        const QJsonObject annotation = reader.object(annotations[i], where);
        const qint64 imageId = reader.integer(annotation, QStringLiteral("image_id"), where);
        const qint64 categoryId = reader.integer(annotation, QStringLiteral("category_id"), where);
        if (reader.failed())
            break;
        if (categories.count(categoryId) == 0) {
            reader.fail(QStringLiteral("Invalid %1: %2.category_id is %3, which is not in its categories list")
                            .arg(shown(path), where)
                            .arg(categoryId));
            break;
        }

        // Objects of images that have no caption entry are not items, so they are ignored.
        const auto image = split.images.find(imageId);
        if (image != split.images.end())
            image->second.categoryIds.insert(categoryId);
    }
    if (reader.failed())
        return Status::failure(reader.error());
    split.hasInstances = true;
    return Status::success();
}

Status readSplit(const QDir &annotations, CocoSplit &split, CategoryNames &categories, QStringList &messages)
{
    const Status captions = readCaptions(annotations.filePath(captionsPrefix + split.name + jsonSuffix), split, messages);
    if (!captions)
        return captions;

    const QString instancesPath = annotations.filePath(QStringLiteral("instances_") + split.name + jsonSuffix);
    if (!QFileInfo::exists(instancesPath)) {
        messages.append(QStringLiteral("Images of %1 loaded without labels because %2 is missing: %3.")
                            .arg(split.name, shown(instancesPath))
                            .arg(split.images.size()));
        return Status::success();
    }
    return readInstances(instancesPath, split, categories);
}

// Appends the images of `split` found on disk as items; label indices follow the
// category id order of labelIndex.
void appendItems(const CocoSplit &split, const QHash<qint64, int> &labelIndex, Dataset &dataset)
{
    const QDir folder(split.imageFolder);
    const QStringList listed = folder.entryList(QDir::Files);
    const QSet<QString> filesOnDisk(listed.begin(), listed.end());

    QStringList missing;
    QStringList withoutCaption;
    for (const auto &[id, image] : split.images) {
        const bool found = filesOnDisk.contains(image.fileName)
                           || (image.fileName.contains(QLatin1Char('/')) && QFileInfo::exists(folder.filePath(image.fileName)));
        if (!found) {
            missing.append(image.fileName);
            continue;
        }

        DatasetItem item;
        item.imagePath = QDir::cleanPath(folder.absoluteFilePath(image.fileName));
        for (const CocoCaption &caption : image.captions) {
            if (!caption.text.isEmpty())
                item.captions.append(caption.text);
        }
        if (item.captions.isEmpty())
            withoutCaption.append(image.fileName);
        for (qint64 categoryId : image.categoryIds)
            item.labels.push_back(labelIndex.value(categoryId));
        dataset.items.push_back(std::move(item));
    }

    if (!missing.isEmpty()) {
        dataset.importMessages.append(
            QStringLiteral("Images of %1 skipped because they are listed in the annotations but not found in %2: %3 (for example %4).")
                .arg(split.name, shown(split.imageFolder))
                .arg(missing.size())
                .arg(missing.first()));
    }
    if (!withoutCaption.isEmpty()) {
        dataset.importMessages.append(
            QStringLiteral("Images of %1 kept with an empty caption because no caption annotation refers to them: %2 (for example %3).")
                .arg(split.name)
                .arg(withoutCaption.size())
                .arg(withoutCaption.first()));
    }
}

Result<Dataset> buildDataset(const QString &root)
{
    const QDir rootDir(root);
    const QDir annotations(rootDir.filePath(QStringLiteral("annotations")));
    const QStringList captionFiles =
        annotations.entryList({captionsPrefix + QLatin1Char('*') + jsonSuffix}, QDir::Files, QDir::Name);
    if (captionFiles.isEmpty()) {
        return Result<Dataset>::failure(
            QStringLiteral("No COCO caption file (annotations/captions_<split>.json) found in %1").arg(shown(root)));
    }

    Dataset dataset;
    dataset.name = QFileInfo(root).fileName();
    dataset.format = QStringLiteral("coco");
    dataset.source = root;

    std::vector<CocoSplit> splits;
    CategoryNames categories;
    for (const QString &fileName : captionFiles) {
        CocoSplit split;
        split.name = fileName.mid(captionsPrefix.size(), fileName.size() - captionsPrefix.size() - jsonSuffix.size());
        split.imageFolder = findImageFolder(rootDir, split.name);
        if (split.imageFolder.isEmpty()) {
            dataset.importMessages.append(
                QStringLiteral("Split %1 skipped because its image folder is missing: neither %2 nor %3 exists.")
                    .arg(split.name, shown(rootDir.filePath(split.name)),
                         shown(rootDir.filePath(QStringLiteral("images/") + split.name))));
            continue;
        }

        const Status status = readSplit(annotations, split, categories, dataset.importMessages);
        if (!status)
            return Result<Dataset>::failure(status.error());
        splits.push_back(std::move(split));
    }

    // Every category of the annotation files is a label, used or not, so that the
    // label indices of a subset of COCO match those of the full release.
    QHash<qint64, int> labelIndex;
    for (const auto &[id, name] : categories) {
        labelIndex.insert(id, static_cast<int>(dataset.labelNames.size()));
        dataset.labelNames.append(name);
    }
    for (const CocoSplit &split : splits)
        appendItems(split, labelIndex, dataset);

    if (dataset.items.empty()) {
        return Result<Dataset>::failure(QStringLiteral("No image of the COCO annotations in %1 was found on disk. %2")
                                            .arg(shown(root), dataset.importMessages.join(QLatin1Char(' '))));
    }
    return dataset;
}

} // namespace

Result<Dataset> loadCoco(const QString &root)
{
    const QFileInfo rootInfo(root);
    if (!rootInfo.isDir()) {
        const QString error = rootInfo.exists() ? QStringLiteral("Not a folder: %1").arg(shown(root))
                                                : QStringLiteral("COCO folder not found: %1").arg(shown(root));
        qCWarning(lcData).noquote() << error;
        return Result<Dataset>::failure(error);
    }

    const QString absoluteRoot = QDir::cleanPath(rootInfo.absoluteFilePath());
    qCInfo(lcData).noquote() << "Loading COCO release" << absoluteRoot;
    QElapsedTimer timer;
    timer.start();

    Result<Dataset> result = buildDataset(absoluteRoot);
    if (!result) {
        qCWarning(lcData).noquote() << result.error();
        return result;
    }
    qCInfo(lcData).noquote() << "Loaded" << result->size() << "items with" << result->labelNames.size()
                             << "labels from" << absoluteRoot << "in" << timer.elapsed() << "ms";
    for (const QString &message : std::as_const(result->importMessages))
        qCInfo(lcData).noquote() << message;
    return result;
}

} // namespace esafh
