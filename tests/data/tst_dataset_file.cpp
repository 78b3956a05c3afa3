#include "data/dataset_io.h"
#include "test_support.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <functional>

using namespace esafh;

namespace {

Dataset sampleDataset(const QString &imageFolder)
{
    Dataset dataset;
    dataset.name = QStringLiteral("sample");
    dataset.format = QStringLiteral("tuxpaint");
    dataset.source = imageFolder;
    dataset.labelNames = {"animals", "food", "town"};
    dataset.items = {
        {imageFolder + "/animals/cat.png", {"A cat.", "Eine Katze."}, {0}},
        {imageFolder + "/food/crêpe.png", {"Une crêpe, «sucrée» \"quoted\"\n second line"}, {1, 2}},
        {imageFolder + "/town/house.png", {}, {2}},
        {QString(), {"A feature-only item."}, {}},
        {imageFolder + "/animals/dog.png", {"A dog."}, {0}},
    };
    dataset.split.seed = 18446744073709551557ULL; // beyond 2^53, which a JSON number cannot hold
    dataset.split.query = {3, 1};
    dataset.split.database = {4, 0, 2};
    dataset.split.training = {4, 0};
    dataset.split.validation = {2};
    dataset.importMessages = {"1 images kept with an empty caption."};
    return dataset;
}

QJsonObject readObject(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(file.readAll()).object();
}

bool writeObject(const QString &path, const QJsonObject &object)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(QJsonDocument(object).toJson()) > 0;
}

using Mutation = std::function<void(QJsonObject &)>;

// Replaces root[key][index][field] (or root[key][field] when index < 0) with value.
Mutation setNested(const QString &key, int index, const QString &field, const QJsonValue &value)
{
    return [=](QJsonObject &root) {
        if (index < 0) {
            QJsonObject object = root[key].toObject();
            object[field] = value;
            root[key] = object;
            return;
        }
        QJsonArray array = root[key].toArray();
        QJsonObject object = array[index].toObject();
        object[field] = value;
        array[index] = object;
        root[key] = array;
    };
}

} // namespace

Q_DECLARE_METATYPE(Mutation)

/// Writes and reads dataset files: round trips, hand-edited relative paths, and
/// every kind of invalid content the reader rejects.
class TestDatasetFile : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_folder;

    static void compareDatasets(const Dataset &actual, const Dataset &expected)
    {
        QCOMPARE(actual.name, expected.name);
        QCOMPARE(actual.labelNames, expected.labelNames);
        QCOMPARE(actual.importMessages, expected.importMessages);
        QCOMPARE(actual.size(), expected.size());
        for (int i = 0; i < expected.size(); ++i) {
            QCOMPARE(actual.items[i].imagePath, expected.items[i].imagePath);
            QCOMPARE(actual.items[i].captions, expected.items[i].captions);
            QCOMPARE(actual.items[i].labels, expected.items[i].labels);
        }
        QCOMPARE(actual.split.seed, expected.split.seed);
        QCOMPARE(actual.split.query, expected.split.query);
        QCOMPARE(actual.split.database, expected.split.database);
        QCOMPARE(actual.split.training, expected.split.training);
        QCOMPARE(actual.split.validation, expected.split.validation);
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_folder.isValid()); }

    void roundTrip()
    {
        const Dataset original = sampleDataset(m_folder.filePath("images"));
        const QString path = m_folder.filePath("sample.esafh-dataset.json");
        const Status saved = saveDatasetFile(original, path);
        QVERIFY2(saved.ok(), qPrintable(saved.error()));

        const Result<Dataset> loaded = loadDatasetFile(path);
        QVERIFY2(loaded.ok(), qPrintable(loaded.error()));
        compareDatasets(loaded.value(), original);
        QCOMPARE(loaded->format, QStringLiteral("dataset-file"));
        QCOMPARE(loaded->source, QDir::cleanPath(path));

        const QJsonObject json = readObject(path);
        QCOMPARE(json["format"].toString(), QStringLiteral("esafh-dataset"));
        QCOMPARE(json["version"].toInt(), 1);
        QCOMPARE(json["importedFrom"].toObject()["format"].toString(), QStringLiteral("tuxpaint"));
        QCOMPARE(json["split"].toObject()["seed"].toString(), QStringLiteral("18446744073709551557"));
    }

    void roundTripCocoMini()
    {
        const QString root = test::cocoMini();
        ESAFH_REQUIRE_FOLDER(root, QStringLiteral("coco-mini"));
        Result<Dataset> original = loadCoco(root);
        QVERIFY2(original.ok(), qPrintable(original.error()));
        original->split = makeRandomSplit(original->size(), SplitSettings{});

        const QString path = m_folder.filePath("coco-mini.json");
        const Status saved = saveDatasetFile(original.value(), path);
        QVERIFY2(saved.ok(), qPrintable(saved.error()));
        const Result<Dataset> loaded = loadDatasetFile(path);
        QVERIFY2(loaded.ok(), qPrintable(loaded.error()));
        compareDatasets(loaded.value(), original.value());
    }

    void savingReplacesFile()
    {
        const QString path = m_folder.filePath("replaced.json");
        Dataset dataset = sampleDataset(m_folder.filePath("images"));
        QVERIFY(saveDatasetFile(dataset, path).ok());
        dataset.name = QStringLiteral("renamed");
        QVERIFY(saveDatasetFile(dataset, path).ok());

        const Result<Dataset> loaded = loadDatasetFile(path);
        QVERIFY2(loaded.ok(), qPrintable(loaded.error()));
        QCOMPARE(loaded->name, QStringLiteral("renamed"));
    }

    void savingToMissingFolderFails()
    {
        const QString path = m_folder.filePath("no-such-folder/dataset.json");
        const Status saved = saveDatasetFile(sampleDataset(m_folder.path()), path);
        QVERIFY(!saved.ok());
        QVERIFY2(saved.error().startsWith("Cannot write dataset file " + QDir::toNativeSeparators(path)),
                 qPrintable(saved.error()));
    }

    void relativeImagePaths()
    {
        const QString subfolder = m_folder.filePath("hand-edited");
        QVERIFY(QDir().mkpath(subfolder));
        const QString path = subfolder + "/dataset.json";
        QJsonObject root = {
            {"format", "esafh-dataset"},
            {"version", 1},
            {"name", "hand-edited"},
            {"labelNames", QJsonArray{"a"}},
            {"items", QJsonArray{QJsonObject{{"imagePath", "images/one.png"}, {"captions", QJsonArray{"One."}}, {"labels", QJsonArray{0, 0}}},
                                 QJsonObject{{"imagePath", "../two.png"}, {"captions", QJsonArray{}}, {"labels", QJsonArray{}}},
                                 QJsonObject{{"imagePath", "/absolute/three.png"}, {"captions", QJsonArray{}}, {"labels", QJsonArray{}}}}},
        };
        QVERIFY(writeObject(path, root));

        const Result<Dataset> loaded = loadDatasetFile(path);
        QVERIFY2(loaded.ok(), qPrintable(loaded.error()));
        QCOMPARE(loaded->items[0].imagePath, QDir::cleanPath(subfolder + "/images/one.png"));
        QCOMPARE(loaded->items[1].imagePath, QDir::cleanPath(m_folder.filePath("two.png")));
        QCOMPARE(loaded->items[2].imagePath, QStringLiteral("/absolute/three.png"));
        QCOMPARE(loaded->items[0].labels, std::vector<int>{0});
        QVERIFY(loaded->split.isEmpty());
        QVERIFY(loaded->importMessages.isEmpty());
    }

    void invalidFiles_data()
    {
        QTest::addColumn<Mutation>("mutate");
        QTest::addColumn<QString>("message");

        QTest::newRow("other format") << Mutation([](QJsonObject &root) { root["format"] = "coco"; })
                                      << "%1 is not an esafh dataset file: its \"format\" is \"coco\"";
        QTest::newRow("no format") << Mutation([](QJsonObject &root) { root.remove("format"); })
                                   << "%1 is not an esafh dataset file: it has no \"format\" field";
        QTest::newRow("other version") << Mutation([](QJsonObject &root) { root["version"] = 2; })
                                       << "%1 is a dataset file of version 2, but this program reads version 1 only";
        QTest::newRow("no items") << Mutation([](QJsonObject &root) { root.remove("items"); })
                                  << "Invalid %1: missing field items";
        QTest::newRow("label out of range") << setNested("items", 1, "labels", QJsonArray{1, 3})
                                            << "Invalid %1: items[1].labels[1] is 3, out of range because there are 3 label names";
        QTest::newRow("negative label") << setNested("items", 0, "labels", QJsonArray{-1})
                                        << "Invalid %1: items[0].labels[0] is -1, out of range";
        QTest::newRow("caption not a string") << setNested("items", 0, "captions", QJsonArray{"A cat.", 7})
                                              << "Invalid %1: items[0].captions[1] must be a string, not 7";
        QTest::newRow("query out of range") << setNested("split", -1, "query", QJsonArray{3, 5})
                                            << "Invalid %1: split.query[1] is 5, out of range because there are 5 items";
        QTest::newRow("query in database") << setNested("split", -1, "query", QJsonArray{3, 4})
                                           << "Invalid %1: split.query[1] (item 4) is also in split.database";
        QTest::newRow("repeated database item") << setNested("split", -1, "database", QJsonArray{4, 0, 2, 0})
                                                << "Invalid %1: split.database[3] (item 0) repeats an item";
        QTest::newRow("training outside database") << setNested("split", -1, "training", QJsonArray{4, 1})
                                                   << "Invalid %1: split.training[1] (item 1) is not in split.database";
        QTest::newRow("seed not a number") << setNested("split", -1, "seed", "twelve")
                                           << "Invalid %1: split.seed must be an unsigned 64-bit integer, not \"twelve\"";
        QTest::newRow("negative seed") << setNested("split", -1, "seed", -4)
                                       << "Invalid %1: split.seed must not be negative, but is -4";
        QTest::newRow("split not an object") << Mutation([](QJsonObject &root) { root["split"] = QJsonArray{}; })
                                             << "Invalid %1: split must be an object, not an array";
    }

    void invalidFiles()
    {
        QFETCH(Mutation, mutate);
        QFETCH(QString, message);

        const QString path = m_folder.filePath(QStringLiteral("invalid-%1.json").arg(QTest::currentDataTag()));
        QVERIFY(saveDatasetFile(sampleDataset(m_folder.filePath("images")), path).ok());
        QJsonObject root = readObject(path);
        mutate(root);
        QVERIFY(writeObject(path, root));

        const Result<Dataset> loaded = loadDatasetFile(path);
        QVERIFY(!loaded.ok());
        const QString expected = message.arg(QDir::toNativeSeparators(path));
        QVERIFY2(loaded.error().startsWith(expected), qPrintable(loaded.error() + "\nexpected: " + expected));
    }

    void brokenJson()
    {
        const QString path = m_folder.filePath("broken.json");
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("{\n  \"format\": \"esafh-dataset\",\n  \"version\": 1\n  \"name\": \"x\"\n}\n");
        file.close();

        const Result<Dataset> loaded = loadDatasetFile(path);
        QVERIFY(!loaded.ok());
        QVERIFY2(loaded.error().startsWith("Invalid JSON in " + QDir::toNativeSeparators(path) + " at line 4"),
                 qPrintable(loaded.error()));
    }

    void missingFile()
    {
        const QString path = m_folder.filePath("missing.json");
        const Result<Dataset> loaded = loadDatasetFile(path);
        QVERIFY(!loaded.ok());
        QVERIFY2(loaded.error().startsWith("Cannot open " + QDir::toNativeSeparators(path)), qPrintable(loaded.error()));
    }
};

QTEST_GUILESS_MAIN(TestDatasetFile)
#include "tst_dataset_file.moc"
