#include "data/dataset_io.h"
#include "test_support.h"

#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QImage>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>

using namespace esafh;

namespace {

void writeImage(const QString &path, const char *format)
{
    QVERIFY(QDir().mkpath(QFileInfo(path).path()));
    QImage image(4, 3, QImage::Format_ARGB32);
    image.fill(Qt::darkGreen);
    QVERIFY2(image.save(path, format), qPrintable(path));
}

void writeText(const QString &path, const QByteArray &bytes)
{
    QVERIFY(QDir().mkpath(QFileInfo(path).path()));
    QFile file(path);
    QVERIFY2(file.open(QIODevice::WriteOnly), qPrintable(path));
    file.write(bytes);
}

QString relativeImagePath(const Dataset &dataset, int index, const QString &root)
{
    return QDir(root).relativeFilePath(dataset.items[index].imagePath);
}

int indexOfImage(const Dataset &dataset, const QString &root, const QString &relativePath)
{
    for (int i = 0; i < dataset.size(); ++i) {
        if (relativeImagePath(dataset, i, root) == relativePath)
            return i;
    }
    return -1;
}

QString messageContaining(const QStringList &messages, const QString &text)
{
    for (const QString &message : messages) {
        if (message.contains(text))
            return message;
    }
    return {};
}

} // namespace

/// Loads image trees: one generated with every case the loader distinguishes, and
/// the installed Tux Paint stamps.
class TestImageTree : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_folder;
    QString m_root;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_folder.isValid());
        m_root = m_folder.filePath(QStringLiteral("stamps"));

        writeImage(m_root + "/top.png", "PNG");
        writeText(m_root + "/top.txt", "A stamp in the root.\n");
        writeImage(m_root + "/animals/cat.png", "PNG");
        writeText(m_root + "/animals/cat.txt", "  A cat.  \nfr.utf8=Un chat.\n");
        writeImage(m_root + "/animals/cat_mirror.png", "PNG");
        // A byte order mark and Windows line ends must not reach the caption.
        writeImage(m_root + "/animals/birds/owl.png", "PNG");
        writeText(m_root + "/animals/birds/owl.txt", "\xEF\xBB\xBF" "An owl.\r\nde.utf8=Eine Eule.\r\n");
        writeImage(m_root + "/animals/birds/duck.png", "PNG");
        writeText(m_root + "/animals/birds/duck.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>");
        writeText(m_root + "/animals/birds/duck.txt", "A duck.\n");
        writeText(m_root + "/animals/birds/parrot.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>");
        writeText(m_root + "/animals/birds/parrot.txt", "A parrot.\n");
        writeImage(m_root + "/food/apple.jpg", "JPG");
        writeImage(m_root + "/food/fruit/pear.png", "PNG");
        writeText(m_root + "/food/fruit/pear.txt", "\nfr.utf8=Une poire.\n");
        writeText(m_root + "/vehicles/notes.txt", "Not a caption of any image.\n");
    }

    void itemsSortedByPath()
    {
        const Result<Dataset> dataset = loadImageTree(m_root);
        QVERIFY2(dataset.ok(), qPrintable(dataset.error()));

        QStringList paths;
        for (int i = 0; i < dataset->size(); ++i)
            paths.append(relativeImagePath(dataset.value(), i, m_root));
        const QStringList expected = {"animals/birds/duck.png", "animals/birds/owl.png", "animals/cat.png",
                                      "food/apple.jpg", "food/fruit/pear.png", "top.png"};
        QCOMPARE(paths, expected);

        QCOMPARE(dataset->name, QStringLiteral("stamps"));
        QCOMPARE(dataset->format, QStringLiteral("tuxpaint"));
        QCOMPARE(dataset->source, QDir::cleanPath(m_root));
        QVERIFY(dataset->split.isEmpty());
        for (const DatasetItem &item : dataset->items)
            QVERIFY2(QFileInfo(item.imagePath).isAbsolute(), qPrintable(item.imagePath));
    }

    void captions_data()
    {
        QTest::addColumn<QString>("image");
        QTest::addColumn<QString>("caption");

        QTest::newRow("first line only") << "animals/cat.png" << "A cat.";
        QTest::newRow("byte order mark and CRLF") << "animals/birds/owl.png" << "An owl.";
        QTest::newRow("svg beside raster") << "animals/birds/duck.png" << "A duck.";
        QTest::newRow("root image") << "top.png" << "A stamp in the root.";
        QTest::newRow("missing caption file") << "food/apple.jpg" << "";
        QTest::newRow("empty first line") << "food/fruit/pear.png" << "";
    }

    void captions()
    {
        QFETCH(QString, image);
        QFETCH(QString, caption);

        const Result<Dataset> dataset = loadImageTree(m_root);
        QVERIFY2(dataset.ok(), qPrintable(dataset.error()));
        const int index = indexOfImage(dataset.value(), m_root, image);
        QVERIFY2(index >= 0, qPrintable(image));
        QCOMPARE(dataset->items[index].caption(), caption);
        QCOMPARE(dataset->items[index].captions.size(), caption.isEmpty() ? 0 : 1);
    }

    void importMessagesCountSkips()
    {
        const Result<Dataset> dataset = loadImageTree(m_root);
        QVERIFY2(dataset.ok(), qPrintable(dataset.error()));
        const QStringList &messages = dataset->importMessages;

        const QString svgOnly = messageContaining(messages, QStringLiteral("SVG-only"));
        QVERIFY2(svgOnly.contains(QStringLiteral(": 1 (")), qPrintable(messages.join('\n')));
        QVERIFY2(svgOnly.contains(QStringLiteral("animals/birds/parrot.svg")), qPrintable(svgOnly));

        const QString emptyCaption = messageContaining(messages, QStringLiteral("empty caption"));
        QVERIFY2(emptyCaption.contains(QStringLiteral(": 2 (")), qPrintable(messages.join('\n')));
        QVERIFY2(emptyCaption.contains(QStringLiteral("food/apple.jpg")), qPrintable(emptyCaption));

        const QString mirrored = messageContaining(messages, QStringLiteral("Mirrored"));
        QVERIFY2(mirrored.contains(QStringLiteral(": 1 (")), qPrintable(messages.join('\n')));
        QVERIFY2(mirrored.contains(QStringLiteral("animals/cat_mirror.png")), qPrintable(mirrored));
    }

    void mirroredStampIncluded()
    {
        TuxPaintOptions options;
        options.includeMirroredStamps = true;
        const Result<Dataset> dataset = loadImageTree(m_root, options);
        QVERIFY2(dataset.ok(), qPrintable(dataset.error()));

        QCOMPARE(dataset->size(), 7);
        const int index = indexOfImage(dataset.value(), m_root, QStringLiteral("animals/cat_mirror.png"));
        QVERIFY(index >= 0);
        QCOMPARE(dataset->items[index].caption(), QStringLiteral("A cat."));
        QVERIFY(messageContaining(dataset->importMessages, QStringLiteral("Mirrored")).isEmpty());
    }

    void labelDepth_data()
    {
        QTest::addColumn<int>("depth");
        QTest::addColumn<QStringList>("labelNames");
        QTest::addColumn<QStringList>("itemLabels");

        // Items in path order: duck, owl, cat, apple, pear, top.
        QTest::newRow("depth 1") << 1 << QStringList{"(root)", "animals", "food"}
                                 << QStringList{"animals", "animals", "animals", "food", "food", "(root)"};
        QTest::newRow("depth 2") << 2 << QStringList{"(root)", "animals", "animals/birds", "food", "food/fruit"}
                                 << QStringList{"animals/birds", "animals/birds", "animals", "food", "food/fruit", "(root)"};
        QTest::newRow("depth beyond tree") << 5 << QStringList{"(root)", "animals", "animals/birds", "food", "food/fruit"}
                                           << QStringList{"animals/birds", "animals/birds", "animals", "food", "food/fruit", "(root)"};
    }

    void labelDepth()
    {
        QFETCH(int, depth);
        QFETCH(QStringList, labelNames);
        QFETCH(QStringList, itemLabels);

        TuxPaintOptions options;
        options.labelDepth = depth;
        const Result<Dataset> dataset = loadImageTree(m_root, options);
        QVERIFY2(dataset.ok(), qPrintable(dataset.error()));

        QCOMPARE(dataset->labelNames, labelNames);
        QCOMPARE(dataset->size(), itemLabels.size());
        for (int i = 0; i < dataset->size(); ++i) {
            const std::vector<int> &labels = dataset->items[i].labels;
            QCOMPARE(labels.size(), size_t(1));
            QCOMPARE(dataset->labelNames.at(labels.front()), itemLabels.at(i));
        }
    }

    void failures_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<int>("depth");
        QTest::addColumn<QString>("message");

        const QString missing = m_folder.filePath(QStringLiteral("no-such-folder"));
        QTest::newRow("missing folder") << missing << 1 << "Image folder not found: " + QDir::toNativeSeparators(missing);
        QTest::newRow("file, not folder") << m_root + "/top.txt" << 1 << QStringLiteral("Not a folder: ");
        QTest::newRow("no raster images") << m_root + "/vehicles" << 1 << QStringLiteral("No raster images");
        QTest::newRow("label depth 0") << m_root << 0 << QStringLiteral("Invalid label depth 0");
    }

    void failures()
    {
        QFETCH(QString, path);
        QFETCH(int, depth);
        QFETCH(QString, message);

        TuxPaintOptions options;
        options.labelDepth = depth;
        const Result<Dataset> dataset = loadImageTree(path, options);
        QVERIFY(!dataset.ok());
        QVERIFY2(dataset.error().contains(message), qPrintable(dataset.error()));
        QVERIFY2(dataset.error().contains(QDir::toNativeSeparators(path)), qPrintable(dataset.error()));
    }

    void tuxPaintStamps()
    {
        const QString root = test::tuxPaintStamps();
        ESAFH_REQUIRE_FOLDER(root, QStringLiteral("Tux Paint stamps"));

        // Brute-force count: every PNG except the <name>_mirror.png variants.
        int pngCount = 0;
        int mirrorCount = 0;
        QDirIterator it(root, {QStringLiteral("*.png")}, QDir::Files, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            const QString path = it.next();
            ++pngCount;
            if (path.endsWith(QLatin1String("_mirror.png")) && QFileInfo::exists(path.chopped(11) + ".png"))
                ++mirrorCount;
        }

        QElapsedTimer timer;
        timer.start();
        const Result<Dataset> dataset = loadImageTree(root);
        qInfo("Loaded %d Tux Paint stamps in %lld ms", dataset.ok() ? dataset->size() : 0, timer.elapsed());
        QVERIFY2(dataset.ok(), qPrintable(dataset.error()));

        QCOMPARE(dataset->size(), pngCount - mirrorCount);
        QVERIFY2(dataset->size() > 700, "the stamp package should hold about 800 raster stamps");
        QCOMPARE(dataset->labelNames.size(), 16);
        QVERIFY(dataset->labelNames.contains(QStringLiteral("animals")));
        QVERIFY(std::is_sorted(dataset->labelNames.begin(), dataset->labelNames.end()));
        QVERIFY(!messageContaining(dataset->importMessages, QStringLiteral("SVG-only")).isEmpty());

        const int quarter = indexOfImage(dataset.value(), root, QStringLiteral("symbols/money/us/coins/025quarter.png"));
        QVERIFY(quarter >= 0);
        QCOMPARE(dataset->items[quarter].caption(), QStringLiteral("A US 25 cent piece ($.25) called a quarter."));
        QCOMPARE(dataset->labelNames.at(dataset->items[quarter].labels.front()), QStringLiteral("symbols"));

        int withCaption = 0;
        for (const DatasetItem &item : dataset->items)
            withCaption += item.captions.isEmpty() ? 0 : 1;
        QVERIFY2(withCaption >= dataset->size() * 95 / 100, qPrintable(QString::number(withCaption)));
    }

    void tuxPaintStampsDepthTwo()
    {
        const QString root = test::tuxPaintStamps();
        ESAFH_REQUIRE_FOLDER(root, QStringLiteral("Tux Paint stamps"));

        TuxPaintOptions options;
        options.labelDepth = 2;
        const Result<Dataset> dataset = loadImageTree(root, options);
        QVERIFY2(dataset.ok(), qPrintable(dataset.error()));

        QVERIFY2(dataset->labelNames.size() > 40, qPrintable(dataset->labelNames.join(", ")));
        QVERIFY(dataset->labelNames.contains(QStringLiteral("symbols/money")));
        const int quarter = indexOfImage(dataset.value(), root, QStringLiteral("symbols/money/us/coins/025quarter.png"));
        QVERIFY(quarter >= 0);
        QCOMPARE(dataset->labelNames.at(dataset->items[quarter].labels.front()), QStringLiteral("symbols/money"));
    }
};

QTEST_GUILESS_MAIN(TestImageTree)
#include "tst_image_tree.moc"
