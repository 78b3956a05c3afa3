#include "thumbnail_cache.h"

#include <QFile>
#include <QImage>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using esafh::ui::ThumbnailCache;

class TestThumbnailCache : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void loadsInBackgroundThenCaches();
    void largeImageIsScaledDown();
    void undecodableFileFailsOnce();
    void emptyPathHasNoThumbnail();

private:
    QString writeImage(const QString &name, const QSize &size);

    QTemporaryDir m_folder;
};

void TestThumbnailCache::initTestCase()
{
    QVERIFY(m_folder.isValid());
}

QString TestThumbnailCache::writeImage(const QString &name, const QSize &size)
{
    QImage image(size, QImage::Format_RGB32);
    image.fill(QColor(40, 120, 200));
    const QString path = m_folder.filePath(name);
    return image.save(path) ? path : QString();
}

void TestThumbnailCache::loadsInBackgroundThenCaches()
{
    const QString path = writeImage(QStringLiteral("small.png"), QSize(60, 40));
    QVERIFY(!path.isEmpty());
    ThumbnailCache cache(QSize(128, 128));
    QSignalSpy ready(&cache, &ThumbnailCache::thumbnailReady);

    // The first request returns at once with nothing; the image arrives later by signal.
    QVERIFY(cache.thumbnail(path).isNull());
    QCOMPARE(ready.count(), 0);
    // A second request while loading does not start another load.
    QVERIFY(cache.thumbnail(path).isNull());
    QVERIFY(ready.wait(10000));
    QCOMPARE(ready.count(), 1);
    QCOMPARE(ready.constFirst().constFirst().toString(), path);

    const QPixmap first = cache.thumbnail(path);
    QCOMPARE(first.size(), QSize(60, 40));
    // Cached: the same pixmap, and no further load.
    QCOMPARE(cache.thumbnail(path).cacheKey(), first.cacheKey());
    QTest::qWait(100);
    QCOMPARE(ready.count(), 1);
}

void TestThumbnailCache::largeImageIsScaledDown()
{
    const QString path = writeImage(QStringLiteral("large.png"), QSize(2400, 1200));
    QVERIFY(!path.isEmpty());
    ThumbnailCache cache(QSize(128, 128));
    QSignalSpy ready(&cache, &ThumbnailCache::thumbnailReady);

    QVERIFY(cache.thumbnail(path).isNull());
    QVERIFY(ready.wait(10000));
    QCOMPARE(cache.thumbnail(path).size(), QSize(128, 64));
}

void TestThumbnailCache::undecodableFileFailsOnce()
{
    const QString path = m_folder.filePath(QStringLiteral("text.png"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("not an image\n");
    file.close();

    ThumbnailCache cache(QSize(128, 128));
    QSignalSpy failed(&cache, &ThumbnailCache::thumbnailFailed);
    QVERIFY(cache.thumbnail(path).isNull());
    QVERIFY(failed.wait(10000));
    QVERIFY(cache.hasFailed(path));

    // Not retried.
    QVERIFY(cache.thumbnail(path).isNull());
    QTest::qWait(100);
    QCOMPARE(failed.count(), 1);
}

void TestThumbnailCache::emptyPathHasNoThumbnail()
{
    ThumbnailCache cache;
    QSignalSpy failed(&cache, &ThumbnailCache::thumbnailFailed);
    QVERIFY(cache.thumbnail(QString()).isNull());
    QTest::qWait(50);
    QCOMPARE(failed.count(), 0);
}

QTEST_MAIN(TestThumbnailCache)
#include "tst_thumbnail_cache.moc"
