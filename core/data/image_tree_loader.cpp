#include "data/dataset_io.h"

#include "common/logging.h"

#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QSet>

#include <algorithm>
#include <map>

namespace esafh {

namespace {

const QLatin1String rootLabel("(root)");
const QLatin1String mirrorSuffix("_mirror");

// Raster formats that OpenCV 4.6 imgcodecs of Debian 12 decodes: it links libpng,
// libjpeg, libwebp, libtiff and OpenJPEG, and has built-in BMP and PxM readers.
bool isRasterSuffix(const QString &suffix)
{
    static const QSet<QString> suffixes = {
        QStringLiteral("png"), QStringLiteral("jpg"), QStringLiteral("jpeg"), QStringLiteral("jpe"),
        QStringLiteral("bmp"), QStringLiteral("webp"), QStringLiteral("tif"), QStringLiteral("tiff"),
        QStringLiteral("jp2"), QStringLiteral("pbm"), QStringLiteral("pgm"), QStringLiteral("ppm"),
    };
    return suffixes.contains(suffix);
}

// Path without its last extension: ".../animals/cat.png" gives ".../animals/cat".
QString stemOf(const QString &path)
{
    return path.left(path.lastIndexOf(QLatin1Char('.')));
}

struct TreeListing
{
    QStringList rasterFiles;     ///< Absolute paths.
    QSet<QString> rasterStems;
    QStringList svgOnlyFiles;    ///< Paths relative to the root.
};

TreeListing listTree(const QString &root)
{
    TreeListing listing;
    QStringList svgFiles;
    QDirIterator it(root, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        const QString suffix = it.fileInfo().suffix().toLower();
        if (isRasterSuffix(suffix)) {
            listing.rasterFiles.append(path);
            listing.rasterStems.insert(stemOf(path));
        } else if (suffix == QLatin1String("svg")) {
            svgFiles.append(path);
        }
    }

    const QDir rootDir(root);
    for (const QString &svg : std::as_const(svgFiles)) {
        if (!listing.rasterStems.contains(stemOf(svg)))
            listing.svgOnlyFiles.append(rootDir.relativeFilePath(svg));
    }
    std::sort(listing.svgOnlyFiles.begin(), listing.svgOnlyFiles.end());
    return listing;
}

// Some Tux Paint stamps come with a mirrored copy, <name>_mirror.png beside
// <name>.png, that has no caption file of its own.
bool isMirroredVariant(const QString &stem, const QSet<QString> &rasterStems)
{
    return stem.endsWith(mirrorSuffix) && rasterStems.contains(stem.chopped(mirrorSuffix.size()));
}

// Returns the first line of the caption file, or an empty string when the file is
// missing, unreadable or starts with an empty line.
QString readCaption(const QString &captionPath)
{
    QFile file(captionPath);
    if (!file.open(QIODevice::ReadOnly))
        return {};

    QString line = QString::fromUtf8(file.readLine());
    if (line.startsWith(QChar(0xFEFF)))
        line.remove(0, 1);
    return line.trimmed();
}

QString labelOf(const QString &relativePath, int labelDepth)
{
    QStringList folders = relativePath.split(QLatin1Char('/'));
    folders.removeLast();
    if (folders.isEmpty())
        return rootLabel;
    return folders.mid(0, labelDepth).join(QLatin1Char('/'));
}

QString countMessage(const QString &description, qsizetype count, const QString &example)
{
    return QStringLiteral("%1: %2 (for example %3).").arg(description).arg(count).arg(example);
}

struct TreeEntry
{
    QString relativePath;
    QString absolutePath;
    QString captionPath;
};

Result<Dataset> buildDataset(const QString &root, const TuxPaintOptions &options)
{
    const TreeListing listing = listTree(root);
    const QDir rootDir(root);

    std::vector<TreeEntry> entries;
    QStringList mirroredSkipped;
    for (const QString &path : listing.rasterFiles) {
        const QString stem = stemOf(path);
        const bool mirrored = isMirroredVariant(stem, listing.rasterStems);
        if (mirrored && !options.includeMirroredStamps) {
            mirroredSkipped.append(rootDir.relativeFilePath(path));
            continue;
        }

        // A mirrored variant has no caption file of its own and shares its stamp's.
        QString captionPath = stem + QStringLiteral(".txt");
        if (mirrored && !QFileInfo::exists(captionPath))
            captionPath = stem.chopped(mirrorSuffix.size()) + QStringLiteral(".txt");
        entries.push_back({rootDir.relativeFilePath(path), path, captionPath});
    }

    if (entries.empty()) {
        return Result<Dataset>::failure(
            QStringLiteral("No raster images (PNG, JPEG, BMP, WebP, TIFF) found in %1")
                .arg(QDir::toNativeSeparators(root)));
    }

    // QDirIterator's order depends on the file system, so sort for a stable item order.
    std::sort(entries.begin(), entries.end(),
              [](const TreeEntry &a, const TreeEntry &b) { return a.relativePath < b.relativePath; });

    std::map<QString, int> labelIndex;
    for (const TreeEntry &entry : entries)
        labelIndex.emplace(labelOf(entry.relativePath, options.labelDepth), 0);

    Dataset dataset;
    dataset.name = QFileInfo(root).fileName();
    if (dataset.name.isEmpty())
        dataset.name = root;
    dataset.format = QStringLiteral("tuxpaint");
    dataset.source = root;
    for (auto &[label, index] : labelIndex) {
        index = static_cast<int>(dataset.labelNames.size());
        dataset.labelNames.append(label);
    }

    QStringList withoutCaption;
    dataset.items.reserve(entries.size());
    for (const TreeEntry &entry : entries) {
        DatasetItem item;
        item.imagePath = entry.absolutePath;
        const QString caption = readCaption(entry.captionPath);
        if (caption.isEmpty())
            withoutCaption.append(entry.relativePath);
        else
            item.captions.append(caption);
        item.labels.push_back(labelIndex.at(labelOf(entry.relativePath, options.labelDepth)));
        dataset.items.push_back(std::move(item));
    }

    if (!listing.svgOnlyFiles.isEmpty()) {
        dataset.importMessages.append(
            countMessage(QStringLiteral("SVG-only images skipped because no raster file is beside them"),
                         listing.svgOnlyFiles.size(), listing.svgOnlyFiles.first()));
    }
    if (!mirroredSkipped.isEmpty()) {
        dataset.importMessages.append(
            countMessage(QStringLiteral("Mirrored variants <name>_mirror skipped as duplicates of the image <name>"),
                         mirroredSkipped.size(), mirroredSkipped.first()));
    }
    if (!withoutCaption.isEmpty()) {
        dataset.importMessages.append(countMessage(
            QStringLiteral("Images kept with an empty caption because their .txt file is missing or starts with an empty line"),
            withoutCaption.size(), withoutCaption.first()));
    }
    return dataset;
}

} // namespace

Result<Dataset> loadImageTree(const QString &root, const TuxPaintOptions &options)
{
    const QFileInfo rootInfo(root);
    const QString shownRoot = QDir::toNativeSeparators(root);
    QString error;
    if (options.labelDepth < 1)
        error = QStringLiteral("Invalid label depth %1 for %2: it must be at least 1").arg(options.labelDepth).arg(shownRoot);
    else if (!rootInfo.exists())
        error = QStringLiteral("Image folder not found: %1").arg(shownRoot);
    else if (!rootInfo.isDir())
        error = QStringLiteral("Not a folder: %1").arg(shownRoot);
    if (!error.isEmpty()) {
        qCWarning(lcData).noquote() << error;
        return Result<Dataset>::failure(error);
    }

    const QString absoluteRoot = QDir::cleanPath(rootInfo.absoluteFilePath());
    qCInfo(lcData).noquote() << "Loading image tree" << absoluteRoot << "with label depth" << options.labelDepth;
    QElapsedTimer timer;
    timer.start();

    Result<Dataset> result = buildDataset(absoluteRoot, options);
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
