// Assembling a feature dataset from the arrays its description names: deciding the
// layout of each matrix, checking that the item counts agree, and building the
// items, labels and split.

#include "data/feature_dataset.h"

#include "common/logging.h"
#include "data/dataset_io.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>

#include <algorithm>
#include <iterator>
#include <limits>
#include <set>

namespace esafh {

namespace {

QString shown(const QString &path)
{
    return QDir::toNativeSeparators(path);
}

/// A matrix of the description with its stored shape and the layout decided for it.
struct MatrixPart
{
    QString role; ///< "image features", "text features" or "labels".
    const ArraySource *source = nullptr;
    VariableInfo info;
    qint64 rows = 0;
    qint64 columns = 0;
    ItemOrientation orientation = ItemOrientation::Auto;

    qint64 itemCount() const { return orientation == ItemOrientation::Columns ? columns : rows; }

    QString describe() const
    {
        const QString layout = orientation == ItemOrientation::Auto
                                   ? QString()
                                   : QStringLiteral(", items as %1: %2 items").arg(itemOrientationName(orientation)).arg(itemCount());
        return QStringLiteral("%1 %2 in %3%4").arg(role, info.describe(), shown(source->file), layout);
    }
};

/// An item count that a vector or string list fixes.
struct FixedCount
{
    QString source; ///< The array in messages: "captions in /data/captions.txt".
    qint64 count = 0;
};

Result<MatrixPart> matrixPart(const QString &role, const ArraySource &source)
{
    Result<VariableInfo> info = variableInfo(source.file, source.variable);
    if (!info)
        return Result<MatrixPart>::failure(QStringLiteral("Cannot read the %1: %2").arg(role, info.error()));

    MatrixPart part{role, &source, info.value()};
    const std::vector<qint64> &shape = part.info.shape;
    part.rows = shape.empty() ? 1 : shape[0];
    part.columns = shape.size() < 2 ? 1 : shape[1];
    part.orientation = source.items;
    return part;
}

/// The failure for item counts that disagree, listing every array's shape.
QString countMismatch(const QString &context, const std::vector<MatrixPart> &parts,
                      const std::vector<FixedCount> &fixed)
{
    QStringList lines;
    for (const MatrixPart &part : parts)
        lines.append(part.describe());
    for (const FixedCount &count : fixed)
        lines.append(QStringLiteral("%1: %2 items").arg(count.source).arg(count.count));
    return QStringLiteral("Item counts disagree in %1: %2. Set \"items\" to \"rows\" or \"columns\" where a "
                          "matrix's layout is not the one assumed.")
        .arg(context, lines.join(QStringLiteral("; ")));
}

/// Decides the layout of every matrix with ItemOrientation::Auto and checks that all
/// arrays agree on the item count, which it returns. `notes` receives one line per
/// decided layout.
Result<qint64> resolveItemCount(const QString &context, std::vector<MatrixPart> &parts,
                                const std::vector<FixedCount> &fixed, QStringList &notes)
{
    // Counts fixed by explicit layouts, vectors and string lists must agree.
    std::set<qint64> known;
    for (const MatrixPart &part : parts) {
        if (part.orientation != ItemOrientation::Auto)
            known.insert(part.itemCount());
    }
    for (const FixedCount &count : fixed)
        known.insert(count.count);
    if (known.size() > 1)
        return Result<qint64>::failure(countMismatch(context, parts, fixed));

    // Otherwise the count is a dimension that every matrix has.
    qint64 itemCount = known.empty() ? -1 : *known.begin();
    if (itemCount < 0) {
        std::set<qint64> shared;
        bool first = true;
        for (const MatrixPart &part : parts) {
            const std::set<qint64> dimensions{part.rows, part.columns};
            if (first) {
                shared = dimensions;
                first = false;
                continue;
            }
            std::set<qint64> common;
            std::set_intersection(shared.begin(), shared.end(), dimensions.begin(), dimensions.end(),
                                  std::inserter(common, common.begin()));
            shared = common;
        }
        if (shared.empty())
            return Result<qint64>::failure(countMismatch(context, parts, fixed));
        // Both dimensions shared: features and labels are usually fewer than items.
        itemCount = *shared.rbegin();
    }

    for (MatrixPart &part : parts) {
        if (part.orientation != ItemOrientation::Auto)
            continue;
        if (part.rows == itemCount && part.columns == itemCount) {
            return Result<qint64>::failure(
                QStringLiteral("Cannot tell the layout of the %1 in %2: %3 is square. Set \"items\" to \"rows\" "
                               "or \"columns\".")
                    .arg(part.role, context, part.info.describe()));
        }
        if (part.rows != itemCount && part.columns != itemCount)
            return Result<qint64>::failure(countMismatch(context, parts, fixed));
        part.orientation = part.rows == itemCount ? ItemOrientation::Rows : ItemOrientation::Columns;
        notes.append(QStringLiteral("The %1 %2 in %3 hold one item per %4, as detected from the item count %5.")
                         .arg(part.role, part.info.describe(), shown(part.source->file),
                              part.orientation == ItemOrientation::Rows ? QStringLiteral("row") : QStringLiteral("column"))
                         .arg(itemCount));
    }
    for (const MatrixPart &part : parts) {
        if (part.itemCount() != itemCount)
            return Result<qint64>::failure(countMismatch(context, parts, fixed));
    }
    return itemCount;
}

Result<FeatureMatrix> readPartMatrix(const MatrixPart &part)
{
    Result<FeatureMatrix> matrix = readMatrix(part.source->file, part.source->variable, part.orientation);
    if (!matrix)
        return Result<FeatureMatrix>::failure(QStringLiteral("Cannot read the %1: %2").arg(part.role, matrix.error()));
    return matrix;
}

QStringList defaultLabelNames(const FeatureDatasetDescription &description, int labelCount)
{
    QStringList names;
    for (int label = 0; label < labelCount; ++label) {
        if (description.labelForm == LabelForm::ClassIds)
            names.append(QStringLiteral("class %1").arg(label + description.labels.base));
        else
            names.append(QStringLiteral("label %1").arg(label + 1));
    }
    return names;
}

/// Reads the labels into the items and sets the label names.
Status readLabels(const FeatureDatasetDescription &description, const MatrixPart *labelPart, Dataset &dataset)
{
    const ArraySource &source = description.labels;
    Result<LabelTable> table = labelPart
                                   ? readLabelMatrix(source.file, source.variable, labelPart->orientation)
                                   : readClassIds(source.file, source.variable, source.base,
                                                  int(description.labelNames.size()));
    if (!table)
        return Status::failure(QStringLiteral("Cannot read the labels: %1").arg(table.error()));

    if (!description.labelNames.isEmpty() && description.labelNames.size() != table->labelCount) {
        return Status::failure(QStringLiteral("The description has %1 labelNames, but %2 in %3 has %4 labels")
                                   .arg(description.labelNames.size())
                                   .arg(source.variable.isEmpty() ? QStringLiteral("the array") : source.variable,
                                        shown(source.file))
                                   .arg(table->labelCount));
    }
    if (table->labels.size() != dataset.items.size()) {
        return Status::failure(QStringLiteral("Cannot read the labels: %1 in %2 has labels for %3 items, not %4")
                                   .arg(source.variable, shown(source.file))
                                   .arg(table->labels.size())
                                   .arg(dataset.items.size()));
    }
    dataset.labelNames = description.labelNames.isEmpty() ? defaultLabelNames(description, table->labelCount)
                                                          : description.labelNames;
    for (std::size_t item = 0; item < dataset.items.size(); ++item)
        dataset.items[item].labels = std::move(table->labels[item]);
    return Status::success();
}

/// Reads one split set and checks its indices against the item count.
Result<std::vector<int>> readSplitSet(const QString &name, const ArraySource &source, int itemCount)
{
    Result<std::vector<int>> indices = readIndices(source.file, source.variable, source.base);
    if (!indices)
        return Result<std::vector<int>>::failure(QStringLiteral("Cannot read the %1 indices: %2").arg(name, indices.error()));

    std::vector<bool> seen(std::size_t(itemCount), false);
    for (std::size_t i = 0; i < indices->size(); ++i) {
        const int index = indices.value()[i];
        const QString where = QStringLiteral("%1[%2] (0-based) in %3")
                                  .arg(source.variable.isEmpty() ? QStringLiteral("the array") : source.variable)
                                  .arg(i)
                                  .arg(shown(source.file));
        if (index >= itemCount) {
            return Result<std::vector<int>>::failure(
                QStringLiteral("Invalid %1 indices: %2 is %3, out of range for %4 items numbered from %5")
                    .arg(name, where)
                    .arg(index + source.base)
                    .arg(itemCount)
                    .arg(source.base));
        }
        if (seen[std::size_t(index)]) {
            return Result<std::vector<int>>::failure(
                QStringLiteral("Invalid %1 indices: %2 repeats item %3").arg(name, where).arg(index + source.base));
        }
        seen[std::size_t(index)] = true;
    }
    return indices;
}

/// Fails when an index of the `name` set is (`mustContain` false) or is not (true)
/// in `other`, the membership of the `otherName` set.
Status checkMembership(const QString &name, const std::vector<int> &values, const ArraySource &source,
                       const std::vector<bool> &other, bool mustContain, const QString &otherName)
{
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (other[std::size_t(values[i])] == mustContain)
            continue;
        return Status::failure(QStringLiteral("Invalid split: %1 item %2 (%3[%4], 0-based, in %5) is %6 the %7 set")
                                   .arg(name)
                                   .arg(values[i] + source.base)
                                   .arg(source.variable.isEmpty() ? QStringLiteral("the array") : source.variable)
                                   .arg(i)
                                   .arg(shown(source.file),
                                        mustContain ? QStringLiteral("not in") : QStringLiteral("also in"), otherName));
    }
    return Status::success();
}

Result<DatasetSplit> readSplit(const FeatureSplitSource &source, int itemCount)
{
    DatasetSplit split;
    if (source.random)
        return makeRandomSplit(itemCount, *source.random);
    if (!source.query.isSet())
        return split;

    Result<std::vector<int>> query = readSplitSet(QStringLiteral("query"), source.query, itemCount);
    if (!query)
        return Result<DatasetSplit>::failure(query.error());
    split.query = std::move(query.value());

    std::vector<bool> isQuery(std::size_t(itemCount), false);
    for (int index : split.query)
        isQuery[std::size_t(index)] = true;

    if (source.database.isSet()) {
        Result<std::vector<int>> database = readSplitSet(QStringLiteral("database"), source.database, itemCount);
        if (!database)
            return Result<DatasetSplit>::failure(database.error());
        split.database = std::move(database.value());
        const Status apart = checkMembership(QStringLiteral("database"), split.database, source.database, isQuery,
                                             false, QStringLiteral("query"));
        if (!apart)
            return Result<DatasetSplit>::failure(apart.error());
    } else {
        for (int item = 0; item < itemCount; ++item) {
            if (!isQuery[std::size_t(item)])
                split.database.push_back(item);
        }
    }

    if (source.training.isSet()) {
        Result<std::vector<int>> training = readSplitSet(QStringLiteral("training"), source.training, itemCount);
        if (!training)
            return Result<DatasetSplit>::failure(training.error());
        split.training = std::move(training.value());
        std::vector<bool> inDatabase(std::size_t(itemCount), false);
        for (int index : split.database)
            inDatabase[std::size_t(index)] = true;
        const Status inside = checkMembership(QStringLiteral("training"), split.training, source.training,
                                              inDatabase, true, QStringLiteral("database"));
        if (!inside)
            return Result<DatasetSplit>::failure(inside.error());
    } else {
        split.training = split.database;
    }
    return split;
}

Result<QStringList> readItemStrings(const QString &role, const ArraySource &source)
{
    Result<QStringList> strings = readStrings(source.file, source.variable);
    if (!strings)
        return Result<QStringList>::failure(QStringLiteral("Cannot read the %1: %2").arg(role, strings.error()));
    return strings;
}

/// Captions and image paths, one per item, or empty when the description names none.
struct ItemStrings
{
    QStringList captions;
    QStringList imagePaths;
};

/// Reads the captions and image paths and the length of a class id vector, whose
/// counts fix the item count, into `strings` and `fixed`.
Status readCountSources(const FeatureDatasetDescription &description, ItemStrings &strings,
                        std::vector<FixedCount> &fixed)
{
    if (description.captions.isSet()) {
        Result<QStringList> read = readItemStrings(QStringLiteral("captions"), description.captions);
        if (!read)
            return Status::failure(read.error());
        strings.captions = read.value();
        fixed.push_back({QStringLiteral("captions in %1").arg(shown(description.captions.file)), strings.captions.size()});
    }

    if (description.imagePaths.isSet()) {
        Result<QStringList> read = readItemStrings(QStringLiteral("image paths"), description.imagePaths);
        if (!read)
            return Status::failure(read.error());
        strings.imagePaths = read.value();
        fixed.push_back({QStringLiteral("image paths in %1").arg(shown(description.imagePaths.file)),
                         strings.imagePaths.size()});
    }

    if (description.labels.isSet() && description.labelForm == LabelForm::ClassIds) {
        Result<VariableInfo> info = variableInfo(description.labels.file, description.labels.variable);
        if (!info)
            return Status::failure(QStringLiteral("Cannot read the labels: %1").arg(info.error()));
        qint64 count = 1;
        for (qint64 dimension : info->shape)
            count *= dimension;
        fixed.push_back({QStringLiteral("class ids %1 in %2").arg(info->describe(), shown(description.labels.file)), count});
    }
    return Status::success();
}

/// The feature matrices and the label matrix that the description names, with their shapes.
Result<std::vector<MatrixPart>> describedMatrices(const FeatureDatasetDescription &description)
{
    std::vector<MatrixPart> parts;
    const std::pair<QString, const ArraySource *> matrices[] = {
        {QStringLiteral("image features"), &description.imageFeatures},
        {QStringLiteral("text features"), &description.textFeatures},
        {QStringLiteral("labels"), description.labelForm == LabelForm::Matrix ? &description.labels : nullptr},
    };
    for (const auto &[role, source] : matrices) {
        if (!source || !source->isSet())
            continue;
        Result<MatrixPart> part = matrixPart(role, *source);
        if (!part)
            return Result<std::vector<MatrixPart>>::failure(part.error());
        parts.push_back(part.value());
    }
    return parts;
}

/// Creates the items with their captions and image paths.
void createItems(const FeatureDatasetDescription &description, const ItemStrings &strings, int itemCount,
                 Dataset &dataset)
{
    dataset.items.resize(std::size_t(itemCount));
    const QDir imageFolder(description.imageFolder.isEmpty() ? QFileInfo(description.imagePaths.file).absolutePath()
                                                             : description.imageFolder);
    for (int item = 0; item < itemCount; ++item) {
        DatasetItem &entry = dataset.items[std::size_t(item)];
        if (!strings.captions.isEmpty() && !strings.captions[item].isEmpty())
            entry.captions = QStringList{strings.captions[item]};
        if (!strings.imagePaths.isEmpty() && !strings.imagePaths[item].isEmpty())
            entry.imagePath = QDir::cleanPath(imageFolder.absoluteFilePath(strings.imagePaths[item]));
    }
}

/// Reads everything the description names; `context` names the description in messages.
Result<FeatureDataset> assemble(const FeatureDatasetDescription &description, const QString &context)
{
    if (!description.imageFeatures.isSet() && !description.textFeatures.isSet())
        return Result<FeatureDataset>::failure(
            QStringLiteral("%1 names neither image nor text features").arg(context));

    ItemStrings strings;
    std::vector<FixedCount> fixed;
    const Status counted = readCountSources(description, strings, fixed);
    if (!counted)
        return Result<FeatureDataset>::failure(counted.error());
    Result<std::vector<MatrixPart>> parts = describedMatrices(description);
    if (!parts)
        return Result<FeatureDataset>::failure(parts.error());

    FeatureDataset result;
    Dataset &dataset = result.dataset;
    Result<qint64> itemCount = resolveItemCount(context, parts.value(), fixed, dataset.importMessages);
    if (!itemCount)
        return Result<FeatureDataset>::failure(itemCount.error());
    if (itemCount.value() > std::numeric_limits<int>::max())
        return Result<FeatureDataset>::failure(
            QStringLiteral("%1 describes %2 items, more than this program handles").arg(context).arg(itemCount.value()));

    const MatrixPart *labelPart = nullptr;
    for (const MatrixPart &part : parts.value()) {
        if (part.source == &description.labels) {
            labelPart = &part;
            continue;
        }
        Result<FeatureMatrix> matrix = readPartMatrix(part);
        if (!matrix)
            return Result<FeatureDataset>::failure(matrix.error());
        (part.source == &description.imageFeatures ? result.imageFeatures : result.textFeatures) =
            std::move(matrix.value());
    }

    createItems(description, strings, int(itemCount.value()), dataset);
    if (description.labels.isSet()) {
        const Status labels = readLabels(description, labelPart, dataset);
        if (!labels)
            return Result<FeatureDataset>::failure(labels.error());
    }

    Result<DatasetSplit> split = readSplit(description.split, dataset.size());
    if (!split)
        return Result<FeatureDataset>::failure(split.error());
    dataset.split = std::move(split.value());
    return result;
}

} // namespace

Result<FeatureDataset> loadFeatureDataset(const FeatureDatasetDescription &description)
{
    const QString context = description.descriptionPath.isEmpty()
                                ? QStringLiteral("the feature dataset description")
                                : shown(description.descriptionPath);
    qCInfo(lcData).noquote() << "Loading feature dataset" << context;
    QElapsedTimer timer;
    timer.start();

    Result<FeatureDataset> result = assemble(description, context);
    if (!result) {
        qCWarning(lcData).noquote() << result.error();
        return result;
    }

    Dataset &dataset = result->dataset;
    dataset.format = QStringLiteral("feature-files");
    const ArraySource &firstFeatures = description.imageFeatures.isSet() ? description.imageFeatures
                                                                         : description.textFeatures;
    dataset.source = description.descriptionPath.isEmpty() ? firstFeatures.file : description.descriptionPath;
    dataset.name = description.name.isEmpty() ? QFileInfo(dataset.source).completeBaseName() : description.name;

    qCInfo(lcData).noquote() << QStringLiteral("Loaded %1 items (image features %2 x %3, text features %4 x %5, %6 "
                                               "labels, %7 queries) from %8 in %9 ms")
                                    .arg(dataset.size())
                                    .arg(result->imageFeatures.rows())
                                    .arg(result->imageFeatures.cols())
                                    .arg(result->textFeatures.rows())
                                    .arg(result->textFeatures.cols())
                                    .arg(dataset.labelNames.size())
                                    .arg(dataset.split.query.size())
                                    .arg(context)
                                    .arg(timer.elapsed());
    return result;
}

Result<FeatureDataset> loadFeatureDataset(const QString &path)
{
    Result<FeatureDatasetDescription> description = readFeatureDatasetDescription(path);
    if (!description)
        return Result<FeatureDataset>::failure(description.error());
    return loadFeatureDataset(description.value());
}

} // namespace esafh
