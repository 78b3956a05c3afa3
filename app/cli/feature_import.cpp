#include "commands.h"

#include "console.h"
#include "options.h"

#include "data/feature_dataset.h"
#include "data/feature_files.h"

#include <QFileInfo>

namespace esafh::cli {

namespace {

// The variables of a feature file, one per line, for a message.
QString variableList(const QString &file)
{
    Result<std::vector<VariableInfo>> variables = listVariables(file);
    if (!variables)
        return variables.error();
    QStringList lines;
    for (const VariableInfo &variable : variables.value())
        lines.append(QStringLiteral("  ") + variable.describe());
    return lines.join(QLatin1Char('\n'));
}

bool parseOrientation(const QString &name, ItemOrientation *orientation)
{
    for (ItemOrientation candidate : {ItemOrientation::Rows, ItemOrientation::Columns, ItemOrientation::Auto}) {
        if (name == itemOrientationName(candidate)) {
            *orientation = candidate;
            return true;
        }
    }
    return false;
}

ArraySource arrayFrom(const QString &file, const QString &variable, ItemOrientation items, int base)
{
    ArraySource source;
    if (variable.isEmpty())
        return source;
    source.file = file;
    source.variable = variable;
    source.items = items;
    source.base = base;
    return source;
}

} // namespace

bool isFeatureFile(const QString &path)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    return suffix == QStringLiteral("mat") || suffix == QStringLiteral("h5") || suffix == QStringLiteral("hdf5");
}

void addFeatureImportOptions(QCommandLineParser *parser)
{
    parser->addOption({QStringLiteral("image-variable"),
                       QStringLiteral("Feature files (.mat, .h5): variable of the image features, such as data.X1."),
                       QStringLiteral("NAME")});
    parser->addOption({QStringLiteral("text-variable"), QStringLiteral("Feature files: variable of the text features."), QStringLiteral("NAME")});
    parser->addOption({QStringLiteral("label-variable"), QStringLiteral("Feature files: variable of the labels."), QStringLiteral("NAME")});
    parser->addOption({QStringLiteral("label-form"),
                       QStringLiteral("Feature files: \"matrix\" (one-hot or multi-hot, default) or \"class-ids\" (one class id per item)."),
                       QStringLiteral("FORM"), QStringLiteral("matrix")});
    parser->addOption({QStringLiteral("items"),
                       QStringLiteral("Feature files: \"rows\" (one item per row), \"columns\" (one item per column, as "
                                      "many MATLAB releases) or \"auto\" (the layout on which all arrays agree, default)."),
                       QStringLiteral("ORIENTATION"), QStringLiteral("auto")});
    parser->addOption({QStringLiteral("query-variable"), QStringLiteral("Feature files: vector of the query item indices."), QStringLiteral("NAME")});
    parser->addOption({QStringLiteral("database-variable"),
                       QStringLiteral("Feature files: vector of the database item indices (default: every item that is not a query)."),
                       QStringLiteral("NAME")});
    parser->addOption({QStringLiteral("training-variable"),
                       QStringLiteral("Feature files: vector of the training item indices (default: the database)."), QStringLiteral("NAME")});
    parser->addOption({QStringLiteral("index-base"),
                       QStringLiteral("Feature files: number of the first item in the index vectors and class ids (default 1 "
                                      "for .mat files, as MATLAB counts, 0 for .h5 files)."),
                       QStringLiteral("N")});
    parser->addOption({QStringLiteral("name"), QStringLiteral("Feature files: display name of the dataset (default: the output file's base name)."),
                       QStringLiteral("NAME")});
}

int importFeatureFile(const QCommandLineParser &parser, const QString &file, const QString &output)
{
    const QString absoluteFile = QFileInfo(file).absoluteFilePath();
    if (!QFileInfo::exists(absoluteFile)) {
        printError(QStringLiteral("Feature file not found: %1").arg(file));
        return ExitFailure;
    }

    const QString imageVariable = parser.value(QStringLiteral("image-variable"));
    const QString textVariable = parser.value(QStringLiteral("text-variable"));
    if (imageVariable.isEmpty() && textVariable.isEmpty()) {
        printError(QStringLiteral("Give --image-variable and --text-variable (and --label-variable) for %1. Its variables are:\n%2")
                       .arg(file, variableList(absoluteFile)));
        return ExitUsage;
    }

    ItemOrientation items = ItemOrientation::Auto;
    if (!parseOrientation(parser.value(QStringLiteral("items")), &items))
        return usageError(QStringLiteral("--items must be rows, columns or auto, not \"%1\".").arg(parser.value(QStringLiteral("items"))));
    const QString form = parser.value(QStringLiteral("label-form"));
    if (form != QStringLiteral("matrix") && form != QStringLiteral("class-ids"))
        return usageError(QStringLiteral("--label-form must be matrix or class-ids, not \"%1\".").arg(form));
    int base = QFileInfo(file).suffix().toLower() == QStringLiteral("mat") ? 1 : 0;
    if (parser.isSet(QStringLiteral("index-base"))) {
        if (int code = readInt(parser, QStringLiteral("index-base"), 0, 1, &base); code != ExitSuccess)
            return code;
    }

    FeatureDatasetDescription description;
    description.name = parser.isSet(QStringLiteral("name")) ? parser.value(QStringLiteral("name")) : QFileInfo(output).completeBaseName();
    description.imageFeatures = arrayFrom(absoluteFile, imageVariable, items, base);
    description.textFeatures = arrayFrom(absoluteFile, textVariable, items, base);
    description.labels = arrayFrom(absoluteFile, parser.value(QStringLiteral("label-variable")),
                                   form == QStringLiteral("class-ids") ? ItemOrientation::Auto : items, base);
    description.labelForm = form == QStringLiteral("class-ids") ? LabelForm::ClassIds : LabelForm::Matrix;
    description.split.query = arrayFrom(absoluteFile, parser.value(QStringLiteral("query-variable")), ItemOrientation::Auto, base);
    description.split.database = arrayFrom(absoluteFile, parser.value(QStringLiteral("database-variable")), ItemOrientation::Auto, base);
    description.split.training = arrayFrom(absoluteFile, parser.value(QStringLiteral("training-variable")), ItemOrientation::Auto, base);
    if (!description.split.query.isSet() && (description.split.database.isSet() || description.split.training.isSet()))
        return usageError(QStringLiteral("--database-variable and --training-variable need --query-variable."));

    // Loading checks every variable, shape and index before the description is written.
    Result<FeatureDataset> dataset = loadFeatureDataset(description);
    if (!dataset) {
        printError(dataset.error());
        return ExitFailure;
    }
    if (Status saved = saveFeatureDatasetDescription(description, output); !saved) {
        printError(saved.error());
        return ExitFailure;
    }

    for (const QString &message : dataset->dataset.importMessages)
        printError(message);
    const DatasetSplit &split = dataset->dataset.split;
    printLine(QStringLiteral("Wrote %1: %2 items, %3 image and %4 text features, %5 labels; %6")
                  .arg(output)
                  .arg(dataset->dataset.size())
                  .arg(dataset->imageFeatures.cols())
                  .arg(dataset->textFeatures.cols())
                  .arg(dataset->dataset.labelNames.size())
                  .arg(split.isEmpty() ? QStringLiteral("no split (training draws one)")
                                       : QStringLiteral("%1 queries, %2 database items, %3 training items")
                                             .arg(split.query.size())
                                             .arg(split.database.size())
                                             .arg(split.training.size())));
    return ExitSuccess;
}

} // namespace esafh::cli
