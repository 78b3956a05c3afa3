#pragma once

#include <QDir>
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

} // namespace esafh::test

/// Skips the current test with a message when `folder` does not exist.
#define ESAFH_REQUIRE_FOLDER(folder, what)                                                     \
    do {                                                                                       \
        if (!QDir(folder).exists())                                                            \
            QSKIP(qPrintable(QStringLiteral("%1 not found at %2; skipping").arg(what, folder))); \
    } while (false)
