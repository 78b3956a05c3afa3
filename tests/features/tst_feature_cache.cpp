// Tests of the on-disk feature cache file: round trip, and rejection of files that
// are damaged or belong to another extractor.

#include "features/feature_cache.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <utility>
#include <vector>

using namespace esafh;

namespace {

const QString kIdentity = QStringLiteral("test-extractor-v1");
constexpr int kDimension = 5;

QByteArray keyOf(const char *content)
{
    return FeatureCache::contentKey(QByteArray(content));
}

std::vector<float> rowOf(float first)
{
    return {first, first + 0.5f, -first, 1e-7f, 3.25f};
}

// Saves a cache with three entries in folder and returns the path of its file.
QString saveThreeEntries(const QString &folder)
{
    FeatureCache cache(folder, kIdentity, kDimension);
    cache.insert(keyOf("a"), rowOf(1.0f).data());
    cache.insert(keyOf("b"), rowOf(2.0f).data());
    cache.insert(keyOf("c"), rowOf(3.0f).data());
    if (!cache.save())
        return {};
    return cache.filePath();
}

QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

bool writeAll(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
}

} // namespace

class FeatureCacheTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void contentKeyIsSha1OfBytes();
    void fileNameDependsOnIdentity();
    void missingFileGivesEmptyCache();
    void savedEntriesLoadBack();
    void insertReplacesExistingEntry();
    void lookupOfUnknownKeyLeavesRow();
    void invalidFileIsRejected_data();
    void invalidFileIsRejected();
    void otherIdentityIsRejected();
    void otherDimensionIsRejected();
    void unwritableFolderFailsSave();
};

void FeatureCacheTest::contentKeyIsSha1OfBytes()
{
    QCOMPARE(FeatureCache::contentKey(QByteArray("abc")).toHex(),
             QByteArray("a9993e364706816aba3e25717850c26c9cd0d89d"));
    QCOMPARE(FeatureCache::contentKey(QByteArray()).size(), FeatureCache::kKeyLength);
}

void FeatureCacheTest::fileNameDependsOnIdentity()
{
    const QString first = FeatureCache::fileNameFor(QStringLiteral("extractor-v1"));
    const QString second = FeatureCache::fileNameFor(QStringLiteral("extractor-v2"));
    QVERIFY(first != second);
    QCOMPARE(first, FeatureCache::fileNameFor(QStringLiteral("extractor-v1")));
    QVERIFY2(first.endsWith(QStringLiteral(".cache")), qPrintable(first));
}

void FeatureCacheTest::missingFileGivesEmptyCache()
{
    QTemporaryDir folder;
    QVERIFY(folder.isValid());
    FeatureCache cache(folder.filePath(QStringLiteral("not-yet-created")), kIdentity, kDimension);

    const Status loaded = cache.load();
    QVERIFY2(loaded.ok(), qPrintable(loaded.error()));
    QCOMPARE(cache.size(), 0);
    QVERIFY(!cache.isModified());
}

void FeatureCacheTest::savedEntriesLoadBack()
{
    QTemporaryDir folder;
    QVERIFY(folder.isValid());
    const QString nested = folder.filePath(QStringLiteral("created/on/save"));
    QVERIFY(!saveThreeEntries(nested).isEmpty());

    FeatureCache cache(nested, kIdentity, kDimension);
    const Status loaded = cache.load();
    QVERIFY2(loaded.ok(), qPrintable(loaded.error()));
    QCOMPARE(cache.size(), 3);

    const std::pair<const char *, float> entries[] = {{"a", 1.0f}, {"b", 2.0f}, {"c", 3.0f}};
    for (const auto &[content, first] : entries) {
        std::vector<float> row(kDimension, 0.0f);
        QVERIFY2(cache.lookup(keyOf(content), row.data()), content);
        QVERIFY2(row == rowOf(first), content);
    }
}

void FeatureCacheTest::insertReplacesExistingEntry()
{
    QTemporaryDir folder;
    QVERIFY(folder.isValid());
    FeatureCache cache(folder.path(), kIdentity, kDimension);
    cache.insert(keyOf("a"), rowOf(1.0f).data());
    cache.insert(keyOf("a"), rowOf(9.0f).data());
    QCOMPARE(cache.size(), 1);
    QVERIFY(cache.save());

    FeatureCache reloaded(folder.path(), kIdentity, kDimension);
    QVERIFY(reloaded.load());
    std::vector<float> row(kDimension, 0.0f);
    QVERIFY(reloaded.lookup(keyOf("a"), row.data()));
    QVERIFY(row == rowOf(9.0f));
}

void FeatureCacheTest::lookupOfUnknownKeyLeavesRow()
{
    FeatureCache cache(QDir::tempPath(), kIdentity, kDimension);
    std::vector<float> row(kDimension, 42.0f);
    QVERIFY(!cache.lookup(keyOf("unknown"), row.data()));
    QVERIFY(row == std::vector<float>(kDimension, 42.0f));
}

void FeatureCacheTest::invalidFileIsRejected_data()
{
    QTest::addColumn<QString>("damage");
    QTest::addColumn<QString>("expectedMessage");

    QTest::newRow("empty") << QStringLiteral("empty") << QStringLiteral("not an esafh feature cache");
    QTest::newRow("foreign file") << QStringLiteral("foreign") << QStringLiteral("not an esafh feature cache");
    QTest::newRow("magic only") << QStringLiteral("magic") << QStringLiteral("truncated");
    QTest::newRow("last entry cut") << QStringLiteral("cut") << QStringLiteral("checksum");
    QTest::newRow("one bit flipped") << QStringLiteral("flip") << QStringLiteral("checksum");
}

void FeatureCacheTest::invalidFileIsRejected()
{
    QFETCH(QString, damage);
    QFETCH(QString, expectedMessage);

    QTemporaryDir folder;
    QVERIFY(folder.isValid());
    const QString path = saveThreeEntries(folder.path());
    QVERIFY(!path.isEmpty());

    QByteArray contents = readAll(path);
    if (damage == QLatin1String("empty"))
        contents.clear();
    else if (damage == QLatin1String("foreign"))
        contents = QByteArrayLiteral("\x89PNG\r\n\x1a\n not a cache");
    else if (damage == QLatin1String("magic"))
        contents = contents.left(8);
    else if (damage == QLatin1String("cut"))
        contents.chop(30);
    else
        contents[40] = static_cast<char>(contents[40] ^ 0x01);
    QVERIFY(writeAll(path, contents));

    FeatureCache cache(folder.path(), kIdentity, kDimension);
    const Status loaded = cache.load();
    QVERIFY(!loaded.ok());
    QVERIFY2(loaded.error().contains(path), qPrintable(loaded.error()));
    QVERIFY2(loaded.error().contains(expectedMessage), qPrintable(loaded.error()));
    QCOMPARE(cache.size(), 0);
}

void FeatureCacheTest::otherIdentityIsRejected()
{
    QTemporaryDir folder;
    QVERIFY(folder.isValid());
    const QString path = saveThreeEntries(folder.path());
    QVERIFY(!path.isEmpty());

    // A file of another extractor placed under this extractor's name.
    const QString otherIdentity = QStringLiteral("test-extractor-v2");
    const QString otherPath = QDir(folder.path()).filePath(FeatureCache::fileNameFor(otherIdentity));
    QVERIFY(QFile::rename(path, otherPath));

    FeatureCache cache(folder.path(), otherIdentity, kDimension);
    const Status loaded = cache.load();
    QVERIFY(!loaded.ok());
    QVERIFY2(loaded.error().contains(kIdentity), qPrintable(loaded.error()));
    QCOMPARE(cache.size(), 0);
}

void FeatureCacheTest::otherDimensionIsRejected()
{
    QTemporaryDir folder;
    QVERIFY(folder.isValid());
    QVERIFY(!saveThreeEntries(folder.path()).isEmpty());

    FeatureCache cache(folder.path(), kIdentity, kDimension + 1);
    const Status loaded = cache.load();
    QVERIFY(!loaded.ok());
    QVERIFY2(loaded.error().contains(QStringLiteral("dimension 5, expected 6")), qPrintable(loaded.error()));
}

void FeatureCacheTest::unwritableFolderFailsSave()
{
    QTemporaryDir folder;
    QVERIFY(folder.isValid());
    // A regular file where the cache folder should be.
    const QString blocked = folder.filePath(QStringLiteral("blocked"));
    QVERIFY(writeAll(blocked, QByteArray("file")));

    FeatureCache cache(blocked, kIdentity, kDimension);
    cache.insert(keyOf("a"), rowOf(1.0f).data());
    const Status saved = cache.save();
    QVERIFY(!saved.ok());
    QVERIFY2(saved.error().contains(blocked), qPrintable(saved.error()));
    QVERIFY(cache.isModified());
}

QTEST_GUILESS_MAIN(FeatureCacheTest)
#include "tst_feature_cache.moc"
