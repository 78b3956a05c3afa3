#include "thumbnail_cache.h"

#include "common/logging.h"

#include <QImageReader>
#include <QCoreApplication>
#include <QtConcurrent>

namespace esafh::ui {

namespace {

constexpr int cacheCostLimitKilobytes = 64 * 1024;

// Decodes at reduced size where the format allows it (JPEG does), which keeps
// large photos cheap.
QImage loadThumbnail(const QString &path, const QSize &size)
{
    QImageReader reader(path);
    reader.setAutoTransform(true);

    const QSize fullSize = reader.size();
    if (fullSize.isValid() && (fullSize.width() > size.width() || fullSize.height() > size.height()))
        reader.setScaledSize(fullSize.scaled(size, Qt::KeepAspectRatio));

    QImage image = reader.read();
    if (image.isNull()) {
        qCDebug(lcUi) << "Cannot decode thumbnail" << path << reader.errorString();
        return image;
    }
    if (image.width() > size.width() || image.height() > size.height())
        image = image.scaled(size, Qt::KeepAspectRatio, Qt::SmoothTransformation);
    return image;
}

} // namespace

ThumbnailCache::ThumbnailCache(QSize size, QObject *parent)
    : QObject(parent), m_size(size), m_cache(cacheCostLimitKilobytes)
{
    m_pool.setMaxThreadCount(2);
}

ThumbnailCache::~ThumbnailCache()
{
    m_pool.clear();
    m_pool.waitForDone();
}

QPixmap ThumbnailCache::thumbnail(const QString &path)
{
    if (path.isEmpty() || m_failed.contains(path))
        return {};
    if (const QPixmap *cached = m_cache.object(path))
        return *cached;
    if (m_pending.contains(path))
        return {};

    m_pending.insert(path);
    const QSize size = m_size;
    // The destructor waits for the pool, so `this` outlives every task, and Qt drops
    // the queued call if the cache is deleted before it is delivered.
    QFuture<void> load = QtConcurrent::run(&m_pool, [this, path, size] {
        const QImage image = loadThumbnail(path, size);
        QMetaObject::invokeMethod(this, [this, path, image] { storeLoaded(path, image); }, Qt::QueuedConnection);
    });
    Q_UNUSED(load);
    return {};
}

void ThumbnailCache::waitForLoads()
{
    m_pool.waitForDone();
    QCoreApplication::sendPostedEvents(this, QEvent::MetaCall);
}

void ThumbnailCache::storeLoaded(const QString &path, const QImage &image)
{
    m_pending.remove(path);
    if (image.isNull()) {
        m_failed.insert(path);
        Q_EMIT thumbnailFailed(path);
        return;
    }

    auto *pixmap = new QPixmap(QPixmap::fromImage(image));
    const qsizetype costKilobytes = qMax<qsizetype>(1, image.sizeInBytes() / 1024);
    m_cache.insert(path, pixmap, costKilobytes);
    Q_EMIT thumbnailReady(path);
}

} // namespace esafh::ui
