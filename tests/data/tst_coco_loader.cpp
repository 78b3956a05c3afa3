#include "data/dataset_io.h"
#include "test_support.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>

using namespace esafh;

namespace {

QJsonObject image(int id, const QString &fileName)
{
    return {{"id", id}, {"file_name", fileName}, {"width", 4}, {"height", 3}};
}

QJsonObject caption(int id, int imageId, const QString &text)
{
    return {{"id", id}, {"image_id", imageId}, {"caption", text}};
}

QJsonObject instance(int id, int imageId, int categoryId)
{
    return {{"id", id}, {"image_id", imageId}, {"category_id", categoryId}, {"iscrowd", 0}};
}

QJsonArray categories()
{
    return {QJsonObject{{"id", 1}, {"name", "person"}, {"supercategory", "person"}},
            QJsonObject{{"id", 3}, {"name", "car"}, {"supercategory", "vehicle"}},
            QJsonObject{{"id", 18}, {"name", "dog"}, {"supercategory", "animal"}}};
}

bool writeFile(const QString &path, const QByteArray &bytes)
{
    if (!QDir().mkpath(QFileInfo(path).path()))
        return false;
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
}

bool writeJson(const QString &path, const QJsonObject &object)
{
    return writeFile(path, QJsonDocument(object).toJson());
}

/// A small COCO release in a temporary folder: split "train2017" with images 10,
/// 20 and 30 on disk and image 40 only in the annotations. Image 30 has no caption,
/// and one caption refers to image 99, which is not in the images list.
struct CocoFixture
{
    QTemporaryDir folder;
    QJsonObject captions;
    QJsonObject instances;

    CocoFixture()
    {
        const QJsonArray images = {image(30, "000030.jpg"), image(10, "000010.jpg"), image(20, "000020.jpg"),
                                   image(40, "000040.jpg")};
        captions = {{"images", images},
                    {"annotations", QJsonArray{caption(502, 10, "Second caption of ten."),
                                               caption(501, 10, " First caption of ten. "),
                                               caption(601, 20, "A dog in a car."), caption(701, 40, "Not on disk."),
                                               caption(801, 99, "An orphan caption.")}}};
        instances = {{"images", images},
                     {"categories", categories()},
                     {"annotations", QJsonArray{instance(1, 10, 1), instance(2, 20, 18), instance(3, 20, 3),
                                                instance(4, 20, 18), instance(5, 30, 1)}}};
    }

    QString root() const { return folder.path(); }
    QString annotation(const QString &name) const { return folder.filePath("annotations/" + name); }

    bool write(const QString &imageFolder = QStringLiteral("train2017")) const
    {
        bool ok = writeJson(annotation("captions_train2017.json"), captions)
                  && writeJson(annotation("instances_train2017.json"), instances);
        for (const char *name : {"000010.jpg", "000020.jpg", "000030.jpg"})
            ok = ok && writeFile(folder.filePath(imageFolder + "/" + name), "not decoded by the loader");
        return ok;
    }
};

QStringList fileNames(const Dataset &dataset)
{
    QStringList names;
    for (const DatasetItem &item : dataset.items)
        names.append(QFileInfo(item.imagePath).fileName());
    return names;
}

QStringList labelNamesOf(const Dataset &dataset, const DatasetItem &item)
{
    QStringList names;
    for (int label : item.labels)
        names.append(dataset.labelNames.at(label));
    return names;
}

} // namespace

/// Loads MS-COCO releases: the real coco-mini subset and small generated ones with
/// missing files and broken annotation files.
class TestCocoLoader : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void cocoMini()
    {
        const QString root = test::cocoMini();
        ESAFH_REQUIRE_FOLDER(root, QStringLiteral("coco-mini"));

        QElapsedTimer timer;
        timer.start();
        const Result<Dataset> dataset = loadCoco(root);
        qInfo("Loaded coco-mini in %lld ms", timer.elapsed());
        QVERIFY2(dataset.ok(), qPrintable(dataset.error()));

        QCOMPARE(dataset->size(), 80);
        QCOMPARE(dataset->name, QStringLiteral("coco-mini"));
        QCOMPARE(dataset->format, QStringLiteral("coco"));
        QCOMPARE(dataset->labelNames.size(), 80);
        QCOMPARE(dataset->labelNames.first(), QStringLiteral("person"));
        QVERIFY2(dataset->importMessages.isEmpty(), qPrintable(dataset->importMessages.join('\n')));

        int multiLabel = 0;
        for (const DatasetItem &item : dataset->items) {
            QCOMPARE(item.captions.size(), 5);
            QVERIFY(!item.labels.empty());
            QVERIFY(std::is_sorted(item.labels.begin(), item.labels.end()));
            QVERIFY(std::adjacent_find(item.labels.begin(), item.labels.end()) == item.labels.end());
            QVERIFY2(QFileInfo::exists(item.imagePath), qPrintable(item.imagePath));
            multiLabel += item.labels.size() >= 2 ? 1 : 0;
        }
        QVERIFY(multiLabel >= 1);

        // File names are zero-padded image ids, so image id order is name order.
        const QStringList names = fileNames(dataset.value());
        QVERIFY(std::is_sorted(names.begin(), names.end()));
        QCOMPARE(names.first(), QStringLiteral("000000000790.jpg"));
    }

    void cocoMiniFirstImage()
    {
        const QString root = test::cocoMini();
        ESAFH_REQUIRE_FOLDER(root, QStringLiteral("coco-mini"));
        const Result<Dataset> dataset = loadCoco(root);
        QVERIFY2(dataset.ok(), qPrintable(dataset.error()));

        // The expected values were read from the annotation files with Python's json module.
        const DatasetItem &item = dataset->items.front();
        QCOMPARE(item.captions.first(), QStringLiteral("a family is sitting down at a table to have cake"));
        QCOMPARE(item.captions.at(3), QStringLiteral("Four persons sitting on dining table for cake and drinks."));
        const QStringList expected = {"person", "bottle", "wine glass", "cup", "fork", "knife", "bowl",
                                      "cake", "chair", "potted plant", "dining table", "dog", "clock"};
        QStringList labels = labelNamesOf(dataset.value(), item);
        QStringList sortedExpected = expected;
        labels.sort();
        sortedExpected.sort();
        QCOMPARE(labels, sortedExpected);
    }

    void generatedRelease_data()
    {
        QTest::addColumn<QString>("imageFolder");
        QTest::newRow("root/train2017") << "train2017";
        QTest::newRow("root/images/train2017") << "images/train2017";
    }

    void generatedRelease()
    {
        QFETCH(QString, imageFolder);
        CocoFixture fixture;
        QVERIFY(fixture.write(imageFolder));

        const Result<Dataset> dataset = loadCoco(fixture.root());
        QVERIFY2(dataset.ok(), qPrintable(dataset.error()));

        QCOMPARE(fileNames(dataset.value()), (QStringList{"000010.jpg", "000020.jpg", "000030.jpg"}));
        QCOMPARE(dataset->labelNames, (QStringList{"person", "car", "dog"}));
        QCOMPARE(dataset->items[0].captions, (QStringList{"First caption of ten.", "Second caption of ten."}));
        QCOMPARE(dataset->items[1].labels, (std::vector<int>{1, 2}));
        QCOMPARE(dataset->items[2].labels, (std::vector<int>{0}));
        QVERIFY(dataset->items[2].captions.isEmpty());
        QCOMPARE(dataset->items[0].imagePath, QDir::cleanPath(fixture.folder.filePath(imageFolder + "/000010.jpg")));
    }

    void generatedReleaseMessages()
    {
        CocoFixture fixture;
        QVERIFY(fixture.write());
        const Result<Dataset> dataset = loadCoco(fixture.root());
        QVERIFY2(dataset.ok(), qPrintable(dataset.error()));

        const QString all = dataset->importMessages.join('\n');
        QCOMPARE(dataset->importMessages.size(), 3);
        const QString captionsFile = QDir::toNativeSeparators(fixture.annotation("captions_train2017.json"));
        QVERIFY2(dataset->importMessages[0].startsWith("Captions in " + captionsFile + " ignored"), qPrintable(all));
        QVERIFY2(dataset->importMessages[0].endsWith(": 1."), qPrintable(all));
        QVERIFY2(dataset->importMessages[1].startsWith("Images of train2017 skipped"), qPrintable(all));
        QVERIFY2(dataset->importMessages[1].endsWith(": 1 (for example 000040.jpg)."), qPrintable(all));
        QVERIFY2(dataset->importMessages[2].startsWith("Images of train2017 kept with an empty caption"), qPrintable(all));
        QVERIFY2(dataset->importMessages[2].endsWith(": 1 (for example 000030.jpg)."), qPrintable(all));
    }

    void missingInstancesFile()
    {
        CocoFixture fixture;
        QVERIFY(fixture.write());
        QVERIFY(QFile::remove(fixture.annotation("instances_train2017.json")));

        const Result<Dataset> dataset = loadCoco(fixture.root());
        QVERIFY2(dataset.ok(), qPrintable(dataset.error()));
        QCOMPARE(dataset->size(), 3);
        QVERIFY(dataset->labelNames.isEmpty());
        for (const DatasetItem &item : dataset->items)
            QVERIFY(item.labels.empty());
        QVERIFY2(dataset->importMessages.join('\n').contains("Images of train2017 loaded without labels because"),
                 qPrintable(dataset->importMessages.join('\n')));
    }

    void twoSplitsConcatenated()
    {
        CocoFixture fixture;
        QVERIFY(fixture.write());
        const QJsonObject valCaptions = {{"images", QJsonArray{image(5, "000005.jpg")}},
                                         {"annotations", QJsonArray{caption(9, 5, "A validation image.")}}};
        const QJsonObject valInstances = {{"images", QJsonArray{image(5, "000005.jpg")}},
                                          {"categories", categories()},
                                          {"annotations", QJsonArray{instance(9, 5, 3)}}};
        QVERIFY(writeJson(fixture.annotation("captions_val2017.json"), valCaptions));
        QVERIFY(writeJson(fixture.annotation("instances_val2017.json"), valInstances));
        QVERIFY(writeFile(fixture.folder.filePath("val2017/000005.jpg"), "image"));
        // A split whose images were not downloaded is skipped, not an error.
        QVERIFY(writeJson(fixture.annotation("captions_test2017.json"), valCaptions));

        const Result<Dataset> dataset = loadCoco(fixture.root());
        QVERIFY2(dataset.ok(), qPrintable(dataset.error()));
        QCOMPARE(fileNames(dataset.value()), (QStringList{"000010.jpg", "000020.jpg", "000030.jpg", "000005.jpg"}));
        QCOMPARE(labelNamesOf(dataset.value(), dataset->items[3]), QStringList{"car"});
        QVERIFY2(dataset->importMessages.join('\n').contains("Split test2017 skipped"),
                 qPrintable(dataset->importMessages.join('\n')));
    }

    void invalidAnnotations_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<QString>("message");

        QTest::newRow("truncated JSON") << "captions_train2017.json" << QByteArray("{\n  \"images\": [\n    {\"id\": 1,,\n")
                                        << "Invalid JSON in %1 at line 3, column";
        QTest::newRow("top level array") << "instances_train2017.json" << QByteArray("[1, 2]")
                                         << "Invalid %1: the top level must be a JSON object";
        QTest::newRow("no images array") << "captions_train2017.json" << QByteArray("{\"annotations\": []}")
                                         << "Invalid %1: missing field images";
        QTest::newRow("image without file_name")
            << "captions_train2017.json" << QByteArray(R"({"images": [{"id": 1, "file_name": "a.jpg"}, {"id": 2}], "annotations": []})")
            << "Invalid %1: missing field images[1].file_name";
        QTest::newRow("fractional image id")
            << "captions_train2017.json" << QByteArray(R"({"images": [{"id": 1.5, "file_name": "a.jpg"}], "annotations": []})")
            << "Invalid %1: images[0].id must be an integer, not 1.5";
        QTest::newRow("caption not a string")
            << "captions_train2017.json"
            << QByteArray(R"({"images": [{"id": 1, "file_name": "a.jpg"}], "annotations": [{"id": 7, "image_id": 1, "caption": 3}]})")
            << "Invalid %1: annotations[0].caption must be a string, not 3";
        QTest::newRow("repeated image id")
            << "captions_train2017.json"
            << QByteArray(R"({"images": [{"id": 1, "file_name": "a.jpg"}, {"id": 1, "file_name": "b.jpg"}], "annotations": []})")
            << "Invalid %1: images[1] repeats image id 1";
        QTest::newRow("unknown category")
            << "instances_train2017.json"
            << QByteArray(R"({"categories": [{"id": 1, "name": "person"}], "annotations": [{"image_id": 10, "category_id": 99}]})")
            << "Invalid %1: annotations[0].category_id is 99, which is not in its categories list";
    }

    void invalidAnnotations()
    {
        QFETCH(QString, file);
        QFETCH(QByteArray, content);
        QFETCH(QString, message);

        CocoFixture fixture;
        QVERIFY(fixture.write());
        const QString path = fixture.annotation(file);
        QVERIFY(writeFile(path, content));

        const Result<Dataset> dataset = loadCoco(fixture.root());
        QVERIFY(!dataset.ok());
        const QString expected = message.arg(QDir::toNativeSeparators(path));
        QVERIFY2(dataset.error().startsWith(expected), qPrintable(dataset.error() + "\nexpected: " + expected));
    }

    void failures_data()
    {
        QTest::addColumn<QString>("layout");
        QTest::addColumn<QString>("message");

        QTest::newRow("missing folder") << "missing" << "COCO folder not found: ";
        QTest::newRow("no caption file") << "no-captions" << "No COCO caption file";
        QTest::newRow("no image on disk") << "no-images" << "No image of the COCO annotations";
    }

    void failures()
    {
        QFETCH(QString, layout);
        QFETCH(QString, message);

        CocoFixture fixture;
        QString root = fixture.root();
        if (layout == "missing") {
            root = fixture.folder.filePath("missing");
        } else if (layout == "no-captions") {
            QVERIFY(fixture.write());
            QVERIFY(QFile::remove(fixture.annotation("captions_train2017.json")));
        } else {
            QVERIFY(fixture.write());
            QVERIFY(QDir(fixture.folder.filePath("train2017")).removeRecursively());
            QVERIFY(QDir().mkpath(fixture.folder.filePath("train2017")));
        }

        const Result<Dataset> dataset = loadCoco(root);
        QVERIFY(!dataset.ok());
        QVERIFY2(dataset.error().startsWith(message), qPrintable(dataset.error()));
        QVERIFY2(dataset.error().contains(QDir::toNativeSeparators(root)), qPrintable(dataset.error()));
    }
};

QTEST_GUILESS_MAIN(TestCocoLoader)
#include "tst_coco_loader.moc"
