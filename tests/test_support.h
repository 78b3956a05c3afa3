#pragma once

#include <QDir>
#include <QFile>
#include <QString>

namespace esafh::test {

/// Folder of the shared real datasets (coco-mini, wiki, mirflickr25k-text); it may be absent.
inline QString sharedDatasets()
{
    const QByteArray overridePath = qgetenv("ESAFH_SHARED_DATASETS");
    return QDir::cleanPath(overridePath.isEmpty() ? QStringLiteral(ESAFH_SHARED_DATASETS)
                                                  : QString::fromLocal8Bit(overridePath));
}

/// Folder of the Tux Paint stamps; it may be absent.
inline QString tuxPaintStamps()
{
    const QByteArray overridePath = qgetenv("ESAFH_TUXPAINT_STAMPS");
    return QDir::cleanPath(overridePath.isEmpty() ? QStringLiteral(ESAFH_TUXPAINT_STAMPS)
                                                  : QString::fromLocal8Bit(overridePath));
}

inline QString cocoMini() { return sharedDatasets() + QStringLiteral("/coco-mini"); }

inline QString wikiMat() { return sharedDatasets() + QStringLiteral("/wiki/wiki.mat"); }

/// Writes into `folder` a copy of the repository's wiki description that names the
/// real wiki.mat by its absolute path. Returns the copy's path, or an empty string
/// when either file cannot be read or written.
inline QString writeWikiDescription(const QString &folder)
{
    QFile shipped(QStringLiteral(ESAFH_SOURCE_DIR "/datasets/wiki/wiki.json"));
    if (!shipped.open(QIODevice::ReadOnly))
        return {};
    QString description = QString::fromUtf8(shipped.readAll());
    description.replace(QStringLiteral("\"wiki.mat\""), QLatin1Char('"') + wikiMat() + QLatin1Char('"'));

    const QString path = QDir(folder).filePath(QStringLiteral("wiki.json"));
    QFile copy(path);
    if (!copy.open(QIODevice::WriteOnly) || copy.write(description.toUtf8()) < 0)
        return {};
    return path;
}

} // namespace esafh::test

/// Skips the current test with a message when `folder` does not exist.
#define ESAFH_REQUIRE_FOLDER(folder, what)                                                     \
    do {                                                                                       \
        if (!QDir(folder).exists())                                                            \
            QSKIP(qPrintable(QStringLiteral("%1 not found at %2; skipping").arg(what, folder))); \
    } while (false)
