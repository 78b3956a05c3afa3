#pragma once

#include <QCache>
#include <QObject>
#include <QPixmap>
#include <QSet>
#include <QSize>
#include <QThreadPool>

namespace esafh::ui {

/// Thumbnails of image files, decoded and scaled on a small thread pool of its own
/// (so they do not queue behind long jobs on the global pool) and kept in a QCache.
/// Views ask for a thumbnail when they paint and repaint on thumbnailReady.
class ThumbnailCache : public QObject
{
    Q_OBJECT

public:
    explicit ThumbnailCache(QSize size = {128, 128}, QObject *parent = nullptr);
    ~ThumbnailCache() override;

    QSize thumbnailSize() const { return m_size; }

    /// Returns the thumbnail when it is cached. Otherwise returns a null pixmap and
    /// starts loading it, unless the file already failed to decode.
    QPixmap thumbnail(const QString &path);

    /// Whether decoding this file failed; such files are not retried.
    bool hasFailed(const QString &path) const { return m_failed.contains(path); }

    /// Waits for every scheduled load; for tests.
    void waitForLoads();

Q_SIGNALS:
    /// A thumbnail finished loading and thumbnail(path) now returns it.
    void thumbnailReady(const QString &path);
    /// Decoding failed; thumbnail(path) stays null.
    void thumbnailFailed(const QString &path);

private:
    void storeLoaded(const QString &path, const QImage &image);

    QSize m_size;
    QCache<QString, QPixmap> m_cache;
    QSet<QString> m_pending;
    QSet<QString> m_failed;
    QThreadPool m_pool;
};

} // namespace esafh::ui
