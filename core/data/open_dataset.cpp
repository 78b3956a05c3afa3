#include "data/dataset_io.h"

#include "common/logging.h"

#include <QDir>
#include <QFileInfo>

namespace esafh {

namespace {

bool isCocoRelease(const QString &folder)
{
    const QDir annotations(QDir(folder).filePath(QStringLiteral("annotations")));
    return annotations.exists()
           && !annotations.entryList({QStringLiteral("captions_*.json")}, QDir::Files).isEmpty();
}

} // namespace

Result<Dataset> openDataset(const QString &path, const TuxPaintOptions &treeOptions,
                            const SplitSettings &splitSettings)
{
    const QFileInfo info(path);
    if (path.isEmpty() || !info.exists()) {
        const QString error = path.isEmpty()
                                  ? QStringLiteral("No dataset path given: expected a dataset file or a folder")
                                  : QStringLiteral("Dataset not found: %1 is neither a file nor a folder")
                                        .arg(QDir::toNativeSeparators(path));
        qCWarning(lcData).noquote() << error;
        return Result<Dataset>::failure(error);
    }

    Result<Dataset> result = Result<Dataset>::failure({});
    if (!info.isDir())
        result = loadDatasetFile(path);
    else if (isCocoRelease(path))
        result = loadCoco(path);
    else
        result = loadImageTree(path, treeOptions);

    if (result && result->split.isEmpty()) {
        result->split = drawSplit(result.value(), splitSettings);
        const DatasetSplit &split = result->split;
        qCInfo(lcData).noquote() << QStringLiteral("Drew a %1 split with seed %2: %3 queries, %4 database items, %5 training items")
                                        .arg(splitModeName(splitSettings.mode))
                                        .arg(split.seed)
                                        .arg(split.query.size())
                                        .arg(split.database.size())
                                        .arg(split.training.size());
    }
    return result;
}

} // namespace esafh
