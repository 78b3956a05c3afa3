#include "data/dataset_io.h"
#include "data/feature_dataset.h"
#include "feature_file_writers.h"
#include "test_support.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <functional>

using namespace esafh;
using namespace esafh::test;

namespace {

constexpr int itemCount = 6;

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

QJsonObject withValue(QJsonObject object, QStringList path, const QJsonValue &value)
{
    const QString key = path.takeFirst();
    if (path.isEmpty()) {
        if (value.isUndefined())
            object.remove(key);
        else
            object[key] = value;
        return object;
    }
    object[key] = withValue(object[key].toObject(), path, value);
    return object;
}

/// Sets the field at a dotted path ("split.query.variable"); an undefined value removes it.
Mutation setField(const QString &path, const QJsonValue &value)
{
    return [=](QJsonObject &root) { root = withValue(root, path.split(QLatin1Char('.')), value); };
}

Mutation removeField(const QString &path)
{
    return setField(path, QJsonValue(QJsonValue::Undefined));
}

FeatureMatrix expectedImageFeatures()
{
    FeatureMatrix matrix(itemCount, 4);
    for (int i = 0; i < itemCount; ++i) {
        for (int j = 0; j < 4; ++j)
            matrix(i, j) = float(10 * i + j);
    }
    return matrix;
}

FeatureMatrix expectedTextFeatures()
{
    FeatureMatrix matrix(itemCount, 3);
    for (int i = 0; i < itemCount; ++i) {
        for (int j = 0; j < 3; ++j)
            matrix(i, j) = float(100 * i + j);
    }
    return matrix;
}

/// The description of the generated dataset: features in .npy and v7.3 .mat files,
/// labels and split in a v5 .mat file, captions in a text file and image paths in
/// an HDF5 file. Every matrix has its layout detected.
QJsonObject generatedDescription()
{
    const auto indices = [](const char *variable) {
        return QJsonObject{{"file", "labels.mat"}, {"variable", variable}, {"base", 1}};
    };
    return QJsonObject{
        {"format", "esafh-feature-dataset"},
        {"version", 1},
        {"name", "generated"},
        {"imageFeatures", QJsonObject{{"file", "image.npy"}}},
        {"textFeatures", QJsonObject{{"file", "text.mat"}, {"variable", "T"}}},
        {"labels", QJsonObject{{"file", "labels.mat"}, {"variable", "L"}}},
        {"labelNames", QJsonArray{"cat", "dog"}},
        {"captions", QJsonObject{{"file", "captions.txt"}}},
        {"imagePaths", QJsonObject{{"file", "paths.h5"}, {"variable", "paths"}, {"folder", "images"}}},
        {"split", QJsonObject{{"query", indices("split.query")},
                              {"database", indices("split.database")},
                              {"training", indices("split.training")}}},
    };
}

} // namespace

Q_DECLARE_METATYPE(Mutation)

/// Loads feature datasets from description files: a generated one that mixes every
/// file format, the example descriptions on the real benchmark files, description
/// round trips, and every error a user can cause in a description or its files.
class TestFeatureDataset : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();

    void loadsGeneratedDataset();
    void completesPartialSplit();
    void drawsRandomSplit();
    void loadsTextOnlyDataset();
    void savesAndReadsDescription();
    void savingWithoutFeaturesFails();
    void recognisesDescriptionFiles();
    void rejectsInvalidDescription_data();
    void rejectsInvalidDescription();

    void loadsWikiExample();
    void detectsWikiLayout();
    void loadsMirflickrTextExample();

private:
    QString path(const QString &name) const { return m_folder.filePath(name); }
    /// Writes `description` into the fixture folder and loads it.
    Result<FeatureDataset> load(const QString &name, const QJsonObject &description);
    /// Copies an example description from the source tree into a new folder beside
    /// links to the shared files it names, and returns its path.
    QString exampleBesideData(const QString &example, const QString &dataFolder, const QStringList &files);

    QTemporaryDir m_folder;
};

void TestFeatureDataset::initTestCase()
{
    QVERIFY(m_folder.isValid());

    std::vector<float> image;
    for (int i = 0; i < itemCount; ++i) {
        for (int j = 0; j < 4; ++j)
            image.push_back(float(10 * i + j));
    }
    QVERIFY(writeBytes(path("image.npy"), npyFile("<f4", false, {itemCount, 4}, rawBytes(image))));

    // Text features one column per item, in a v7.3 file.
    std::vector<double> text;
    std::vector<double> fiveItems;
    for (int i = 0; i < itemCount; ++i) {
        for (int j = 0; j < 3; ++j) {
            text.push_back(100 * i + j);
            if (i < 5)
                fiveItems.push_back(100 * i + j);
        }
    }
    QVERIFY(writeMat(path("text.mat"), MAT_FT_MAT73,
                     {matDouble("T", 3, itemCount, text), matDouble("T5", 3, 5, fiveItems),
                      matDouble("square", itemCount, itemCount, std::vector<double>(36, 1.0))}));

    // Labels: item 0 {cat}, 1 {dog}, 2 {cat, dog}, 3 {}, 4 {cat}, 5 {dog}, column-major.
    const std::vector<double> labels{1, 0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 1};
    std::vector<double> nan(itemCount * 4, 0.5);
    nan[5 + 3 * itemCount] = std::nan(""); // item 5, feature 3
    QVERIFY(writeMat(path("labels.mat"), MAT_FT_MAT5,
                     {
                         matDouble("L", itemCount, 2, labels),
                         matDouble("C", 1, itemCount, {2, 1, 3, 3, 1, 2}),
                         matDouble("C5", 1, 5, {2, 1, 3, 3, 1}),
                         matStruct("split", {matDouble("query", 1, 2, {1, 2}), matDouble("database", 1, 4, {3, 4, 5, 6}),
                                             matDouble("training", 1, 2, {3, 4})}),
                         matDouble("outOfRange", 1, 2, {1, 7}),
                         matDouble("repeat", 1, 3, {3, 4, 3}),
                         matDouble("overlap", 1, 2, {2, 3}),
                         matDouble("outside", 1, 2, {3, 1}),
                         matDouble("N", itemCount, 4, nan),
                     }));

    QVERIFY(writeBytes(path("captions.txt"), "A cat.\nA dog.\nBoth.\n\nAnother cat.\nAnother dog.\n"));
    QVERIFY(writeBytes(path("captions5.txt"), "1\n2\n3\n4\n5\n"));
    Hdf5Writer paths(path("paths.h5"));
    paths.variableStrings("paths", {"img0.jpg", "img1.jpg", "img2.jpg", "img3.jpg", "sub/img4.jpg", "/abs/img5.jpg"});
    QVERIFY(paths.ok());
    QVERIFY(writeBytes(path("fake.mat"), "name,value\nX,1\n"));
}

Result<FeatureDataset> TestFeatureDataset::load(const QString &name, const QJsonObject &description)
{
    const QString file = path(name);
    if (!writeObject(file, description))
        return Result<FeatureDataset>::failure(QStringLiteral("cannot write ") + file);
    return loadFeatureDataset(file);
}

void TestFeatureDataset::loadsGeneratedDataset()
{
    const Result<FeatureDataset> loaded = load("generated.json", generatedDescription());
    QVERIFY2(loaded.ok(), qPrintable(loaded.error()));
    const Dataset &dataset = loaded->dataset;

    QCOMPARE(dataset.name, QStringLiteral("generated"));
    QCOMPARE(dataset.format, QStringLiteral("feature-files"));
    QCOMPARE(dataset.source, QDir::cleanPath(path("generated.json")));
    QCOMPARE(dataset.size(), itemCount);
    QVERIFY(loaded->hasImageFeatures());
    QVERIFY(loaded->hasTextFeatures());
    QCOMPARE(loaded->imageFeatures, expectedImageFeatures());
    QCOMPARE(loaded->textFeatures, expectedTextFeatures());

    QCOMPARE(dataset.labelNames, (QStringList{"cat", "dog"}));
    const std::vector<std::vector<int>> labels{{0}, {1}, {0, 1}, {}, {0}, {1}};
    const QStringList captions{"A cat.", "A dog.", "Both.", "", "Another cat.", "Another dog."};
    const QString images = QDir::cleanPath(path("images"));
    const QStringList imagePaths{images + "/img0.jpg", images + "/img1.jpg",     images + "/img2.jpg",
                                 images + "/img3.jpg", images + "/sub/img4.jpg", "/abs/img5.jpg"};
    for (int i = 0; i < itemCount; ++i) {
        const DatasetItem &item = dataset.items[std::size_t(i)];
        QCOMPARE(item.labels, labels[std::size_t(i)]);
        QCOMPARE(item.caption(), captions[i]);
        QCOMPARE(item.imagePath, imagePaths[i]);
    }
    QVERIFY(dataset.items[3].captions.isEmpty());

    QCOMPARE(dataset.split.query, (std::vector<int>{0, 1}));
    QCOMPARE(dataset.split.database, (std::vector<int>{2, 3, 4, 5}));
    QCOMPARE(dataset.split.training, (std::vector<int>{2, 3}));
    QVERIFY(dataset.split.validation.empty());

    // One note for each matrix whose layout was detected.
    QCOMPARE(dataset.importMessages.size(), 3);
    QVERIFY2(dataset.importMessages[1].contains("text features T (3 x 6 double)")
                 && dataset.importMessages[1].contains("one item per column"),
             qPrintable(dataset.importMessages[1]));
}

void TestFeatureDataset::completesPartialSplit()
{
    QJsonObject description = generatedDescription();
    setField("split", QJsonObject{{"query", QJsonObject{{"file", "labels.mat"}, {"variable", "split.query"}}}})(description);
    setField("labels", QJsonObject{{"file", "labels.mat"}, {"variable", "C"}, {"form", "class-ids"}})(description);
    removeField("labelNames")(description);

    const Result<FeatureDataset> loaded = load("partial-split.json", description);
    QVERIFY2(loaded.ok(), qPrintable(loaded.error()));
    const Dataset &dataset = loaded->dataset;
    QCOMPARE(dataset.split.query, (std::vector<int>{0, 1}));
    QCOMPARE(dataset.split.database, (std::vector<int>{2, 3, 4, 5}));
    QCOMPARE(dataset.split.training, dataset.split.database);

    QCOMPARE(dataset.labelNames, (QStringList{"class 1", "class 2", "class 3"}));
    QCOMPARE(dataset.items[0].labels, std::vector<int>{1});
    QCOMPARE(dataset.items[2].labels, std::vector<int>{2});
}

void TestFeatureDataset::drawsRandomSplit()
{
    QJsonObject description = generatedDescription();
    setField("split", QJsonObject{{"random", QJsonObject{{"seed", "7"}, {"queryCount", 2}, {"maxTrainingCount", 3}}}})(
        description);

    const Result<FeatureDataset> loaded = load("random-split.json", description);
    QVERIFY2(loaded.ok(), qPrintable(loaded.error()));
    SplitSettings settings;
    settings.seed = 7;
    settings.queryCount = 2;
    settings.maxTrainingCount = 3;
    const DatasetSplit expected = makeRandomSplit(itemCount, settings);
    QCOMPARE(loaded->dataset.split.seed, quint64(7));
    QCOMPARE(loaded->dataset.split.query, expected.query);
    QCOMPARE(loaded->dataset.split.database, expected.database);
    QCOMPARE(loaded->dataset.split.training, expected.training);
}

void TestFeatureDataset::loadsTextOnlyDataset()
{
    const QJsonObject description{
        {"format", "esafh-feature-dataset"},
        {"version", 1},
        {"textFeatures", QJsonObject{{"file", "text.mat"}, {"variable", "T"}, {"items", "columns"}}},
    };
    const Result<FeatureDataset> loaded = load("text-only.json", description);
    QVERIFY2(loaded.ok(), qPrintable(loaded.error()));
    QVERIFY(!loaded->hasImageFeatures());
    QCOMPARE(loaded->imageFeatures.size(), Eigen::Index(0));
    QCOMPARE(loaded->textFeatures, expectedTextFeatures());
    QCOMPARE(loaded->dataset.name, QStringLiteral("text-only"));
    QCOMPARE(loaded->dataset.size(), itemCount);
    QVERIFY(loaded->dataset.labelNames.isEmpty());
    QVERIFY(loaded->dataset.split.isEmpty());
    for (const DatasetItem &item : loaded->dataset.items) {
        QVERIFY(item.imagePath.isEmpty());
        QVERIFY(item.captions.isEmpty());
        QVERIFY(item.labels.empty());
    }
}

void TestFeatureDataset::savesAndReadsDescription()
{
    QVERIFY(writeObject(path("original.json"), generatedDescription()));
    const Result<FeatureDatasetDescription> original = readFeatureDatasetDescription(path("original.json"));
    QVERIFY2(original.ok(), qPrintable(original.error()));

    // Beside the data, paths are written relative to the description.
    const Status saved = saveFeatureDatasetDescription(original.value(), path("saved.json"));
    QVERIFY2(saved.ok(), qPrintable(saved.error()));
    const QJsonObject json = readObject(path("saved.json"));
    QCOMPARE(json["imageFeatures"].toObject()["file"].toString(), QStringLiteral("image.npy"));
    QCOMPARE(json["imagePaths"].toObject()["folder"].toString(), QStringLiteral("images"));
    QCOMPARE(json["split"].toObject()["query"].toObject()["base"].toInt(), 1);

    // Elsewhere, they are written as absolute paths.
    QVERIFY(QDir().mkpath(path("elsewhere")));
    QVERIFY(saveFeatureDatasetDescription(original.value(), path("elsewhere/saved.json")).ok());
    const QJsonObject elsewhere = readObject(path("elsewhere/saved.json"));
    QCOMPARE(elsewhere["textFeatures"].toObject()["file"].toString(), QDir::cleanPath(path("text.mat")));

    for (const QString &file : {path("saved.json"), path("elsewhere/saved.json")}) {
        const Result<FeatureDatasetDescription> reread = readFeatureDatasetDescription(file);
        QVERIFY2(reread.ok(), qPrintable(reread.error()));
        QCOMPARE(reread->name, original->name);
        QCOMPARE(reread->imageFeatures.file, original->imageFeatures.file);
        QCOMPARE(reread->textFeatures.variable, original->textFeatures.variable);
        QCOMPARE(reread->labelNames, original->labelNames);
        QCOMPARE(reread->imageFolder, original->imageFolder);
        QCOMPARE(reread->split.training.file, original->split.training.file);
        QCOMPARE(reread->split.training.variable, original->split.training.variable);

        const Result<FeatureDataset> loaded = loadFeatureDataset(file);
        QVERIFY2(loaded.ok(), qPrintable(loaded.error()));
        QCOMPARE(loaded->imageFeatures, expectedImageFeatures());
        QCOMPARE(loaded->dataset.split.database, (std::vector<int>{2, 3, 4, 5}));
    }

    // A random split and explicit layouts survive the round trip too.
    FeatureDatasetDescription random = original.value();
    random.split = {};
    random.split.random = SplitSettings{};
    random.split.random->seed = 18446744073709551557ULL; // beyond 2^53, which a JSON number cannot hold
    random.textFeatures.items = ItemOrientation::Columns;
    QVERIFY(saveFeatureDatasetDescription(random, path("random.json")).ok());
    const Result<FeatureDatasetDescription> reread = readFeatureDatasetDescription(path("random.json"));
    QVERIFY2(reread.ok(), qPrintable(reread.error()));
    QVERIFY(reread->split.random.has_value());
    QCOMPARE(reread->split.random->seed, 18446744073709551557ULL);
    QCOMPARE(reread->textFeatures.items, ItemOrientation::Columns);
    QCOMPARE(reread->imageFeatures.items, ItemOrientation::Auto);
}

void TestFeatureDataset::savingWithoutFeaturesFails()
{
    const Status saved = saveFeatureDatasetDescription(FeatureDatasetDescription{}, path("empty.json"));
    QVERIFY(!saved.ok());
    QVERIFY2(saved.error().contains("neither image nor text features"), qPrintable(saved.error()));
    QVERIFY(!QFileInfo::exists(path("empty.json")));
}

void TestFeatureDataset::recognisesDescriptionFiles()
{
    QVERIFY(writeObject(path("recognised.json"), generatedDescription()));
    QVERIFY(isFeatureDatasetDescription(path("recognised.json")));
    QVERIFY(writeObject(path("dataset-file.json"), QJsonObject{{"format", "esafh-dataset"}}));
    QVERIFY(!isFeatureDatasetDescription(path("dataset-file.json")));
    QVERIFY(!isFeatureDatasetDescription(path("captions.txt")));
    QVERIFY(!isFeatureDatasetDescription(path("absent.json")));
}

void TestFeatureDataset::rejectsInvalidDescription_data()
{
    QTest::addColumn<Mutation>("mutate");
    QTest::addColumn<QStringList>("expected");

    QTest::newRow("wrong variable") << setField("textFeatures.variable", "T9")
                                    << QStringList{"Cannot read the text features", "Variable \"T9\" not found",
                                                   "text.mat", "T (3 x 6 double)", "T5 (3 x 5 double)"};
    QTest::newRow("counts disagree")
        << setField("textFeatures.variable", "T5")
        << QStringList{"Item counts disagree", "image features the array (6 x 4 float32)",
                       "text features T5 (3 x 5 double)", "captions.txt: 6 items"};
    QTest::newRow("explicit layout disagrees")
        << setField("imageFeatures.items", "columns")
        << QStringList{"Item counts disagree", "items as columns: 4 items", "paths.h5: 6 items"};
    QTest::newRow("captions count") << setField("captions.file", "captions5.txt")
                                    << QStringList{"Item counts disagree", "captions5.txt: 5 items"};
    QTest::newRow("class ids count")
        << setField("labels", QJsonObject{{"file", "labels.mat"}, {"variable", "C5"}, {"form", "class-ids"}})
        << QStringList{"Item counts disagree", "class ids C5 (1 x 5 double)"};
    QTest::newRow("square matrix") << setField("textFeatures.variable", "square")
                                   << QStringList{"Cannot tell the layout of the text features",
                                                  "square (6 x 6 double) is square", "\"items\""};
    QTest::newRow("NaN features")
        << setField("imageFeatures", QJsonObject{{"file", "labels.mat"}, {"variable", "N"}})
        << QStringList{"Cannot read the image features", "labels.mat",
                       "N contains NaN at item 5, feature 3 (0-based), stored as N(6, 4)"};
    QTest::newRow("missing file") << setField("imageFeatures.file", "absent.npy")
                                  << QStringList{"Feature file not found", "absent.npy"};
    QTest::newRow("not a MAT file") << setField("textFeatures.file", "fake.mat")
                                    << QStringList{"fake.mat is not a MAT-file"};
    QTest::newRow("wrong label variable") << setField("labels.variable", "Labels")
                                          << QStringList{"Cannot read the labels", "Variable \"Labels\" not found",
                                                         "L (6 x 2 double)"};
    QTest::newRow("label name count") << setField("labelNames", QJsonArray{"cat"})
                                      << QStringList{"The description has 1 labelNames, but L in", "has 2 labels"};

    QTest::newRow("index out of range")
        << setField("split.query.variable", "outOfRange")
        << QStringList{"Invalid query indices: outOfRange[1] (0-based)", "is 7, out of range for 6 items numbered from 1"};
    QTest::newRow("repeated index") << setField("split.database.variable", "repeat")
                                    << QStringList{"Invalid database indices: repeat[2] (0-based)", "repeats item 3"};
    QTest::newRow("query in database")
        << setField("split.database.variable", "overlap")
        << QStringList{"Invalid split: database item 2 (overlap[0], 0-based, in", "labels.mat) is also in the query set"};
    QTest::newRow("training outside database")
        << setField("split.training.variable", "outside")
        << QStringList{"Invalid split: training item 1 (outside[1], 0-based, in", "labels.mat) is not in the database set"};
    QTest::newRow("database without query") << removeField("split.query")
                                            << QStringList{"split names database or training indices but no split.query"};
    QTest::newRow("random and indices") << setField("split.random", QJsonObject{{"seed", 1}})
                                        << QStringList{"both index vectors and \"random\""};
    QTest::newRow("query fraction") << setField("split", QJsonObject{{"random", QJsonObject{{"queryFraction", 2}}}})
                                    << QStringList{"split.random.queryFraction is 2, expected a number from 0 to 1"};
    QTest::newRow("index base") << setField("split.query.base", 2) << QStringList{"split.query.base is 2, expected 0 or 1"};

    QTest::newRow("other format") << setField("format", "esafh-dataset")
                                  << QStringList{"is not a feature dataset description",
                                                 "\"format\" is \"esafh-dataset\""};
    QTest::newRow("other version") << setField("version", 2) << QStringList{"of version 2"};
    QTest::newRow("no features") << Mutation([](QJsonObject &root) {
        root.remove("imageFeatures");
        root.remove("textFeatures");
    }) << QStringList{"names neither \"imageFeatures\" nor \"textFeatures\""};
    QTest::newRow("unknown field") << setField("imageFeature", QJsonObject{{"file", "image.npy"}})
                                   << QStringList{"unknown field imageFeature", "imageFeatures, textFeatures"};
    QTest::newRow("misspelt nested field") << setField("textFeatures.varible", "T")
                                           << QStringList{"unknown field textFeatures.varible",
                                                          "file, variable, items"};
    QTest::newRow("invalid layout") << setField("imageFeatures.items", "row")
                                    << QStringList{"imageFeatures.items is \"row\", expected \"rows\", \"columns\" or "
                                                   "\"auto\""};
    QTest::newRow("invalid label form") << setField("labels.form", "onehot")
                                        << QStringList{"labels.form is \"onehot\""};
    QTest::newRow("file not a string") << setField("captions.file", 3)
                                       << QStringList{"captions.file must be a string, not 3"};
    QTest::newRow("empty file") << setField("captions.file", "") << QStringList{"captions.file is empty"};
}

void TestFeatureDataset::rejectsInvalidDescription()
{
    QFETCH(Mutation, mutate);
    QFETCH(QStringList, expected);

    QJsonObject description = generatedDescription();
    mutate(description);
    const Result<FeatureDataset> loaded =
        load(QStringLiteral("invalid-%1.json").arg(QString::fromLatin1(QTest::currentDataTag()).replace(' ', '-')),
             description);
    QVERIFY2(!loaded.ok(), "the loader accepted an invalid description");
    for (const QString &part : expected)
        QVERIFY2(loaded.error().contains(part), qPrintable(QStringLiteral("\"%1\" not in: %2").arg(part, loaded.error())));
}

QString TestFeatureDataset::exampleBesideData(const QString &example, const QString &dataFolder,
                                              const QStringList &files)
{
    const QString source = QFINDTESTDATA("../../datasets/" + example);
    if (source.isEmpty())
        return {};
    const QString folder = path(QFileInfo(example).path());
    QDir().mkpath(folder);
    const QString description = folder + "/" + QFileInfo(example).fileName();
    QFile::remove(description);
    if (!QFile::copy(source, description))
        return {};
    for (const QString &file : files) {
        if (!QFile::link(dataFolder + "/" + file, folder + "/" + file))
            return {};
    }
    return description;
}

void TestFeatureDataset::loadsWikiExample()
{
    const QString data = sharedDatasets() + QStringLiteral("/wiki");
    ESAFH_REQUIRE_FOLDER(data, "The Wikipedia features");
    const QString description = exampleBesideData("wiki/wiki.json", data, {"wiki.mat"});
    QVERIFY(!description.isEmpty());

    const Result<FeatureDataset> loaded = loadFeatureDataset(description);
    QVERIFY2(loaded.ok(), qPrintable(loaded.error()));
    const Dataset &dataset = loaded->dataset;
    QCOMPARE(dataset.name, QStringLiteral("wiki"));
    QCOMPARE(dataset.size(), 2866);
    QCOMPARE(int(loaded->imageFeatures.rows()), 2866);
    QCOMPARE(int(loaded->imageFeatures.cols()), 128);
    QCOMPARE(int(loaded->textFeatures.rows()), 2866);
    QCOMPARE(int(loaded->textFeatures.cols()), 100);
    QCOMPARE(dataset.labelNames.size(), 10);
    QCOMPARE(dataset.labelNames.first(), QStringLiteral("label 1"));
    for (const DatasetItem &item : dataset.items) {
        QCOMPARE(int(item.labels.size()), 1);
        QVERIFY(item.imagePath.isEmpty());
        QVERIFY(item.captions.isEmpty());
    }

    // Queries are the 693 test items, the database and training set the 2173 others.
    QCOMPARE(int(dataset.split.query.size()), 693);
    QCOMPARE(int(dataset.split.database.size()), 2173);
    QCOMPARE(dataset.split.training, dataset.split.database);
    QCOMPARE(dataset.split.database.front(), 102);
    QVERIFY(dataset.importMessages.isEmpty());
}

void TestFeatureDataset::detectsWikiLayout()
{
    const QString data = sharedDatasets() + QStringLiteral("/wiki");
    ESAFH_REQUIRE_FOLDER(data, "The Wikipedia features");

    // The same description with every "items" left out.
    QJsonObject description = readObject(QFINDTESTDATA("../../datasets/wiki/wiki.json"));
    QVERIFY(!description.isEmpty());
    for (const char *part : {"imageFeatures", "textFeatures", "labels"})
        removeField(QStringLiteral("%1.items").arg(part))(description);
    const QString file = data + "/wiki.mat";
    for (const char *part : {"imageFeatures", "textFeatures", "labels", "split.query", "split.database", "split.training"})
        setField(QStringLiteral("%1.file").arg(part), file)(description);

    const Result<FeatureDataset> loaded = load("wiki-auto.json", description);
    QVERIFY2(loaded.ok(), qPrintable(loaded.error()));
    QCOMPARE(int(loaded->imageFeatures.rows()), 2866);
    QCOMPARE(int(loaded->textFeatures.cols()), 100);
    QCOMPARE(loaded->dataset.importMessages.size(), 3);
    QVERIFY2(loaded->dataset.importMessages[0].contains("one item per column, as detected from the item count 2866"),
             qPrintable(loaded->dataset.importMessages[0]));
}

void TestFeatureDataset::loadsMirflickrTextExample()
{
    const QString data = sharedDatasets() + QStringLiteral("/mirflickr25k-text");
    ESAFH_REQUIRE_FOLDER(data, "The MIRFlickr-25K text files");
    const QString description = exampleBesideData("mirflickr25k-text/mirflickr25k-text.json", data,
                                                  {"mirflickr25k-yall.mat", "mirflickr25k-lall.mat"});
    QVERIFY(!description.isEmpty());

    const Result<FeatureDataset> loaded = loadFeatureDataset(description);
    QVERIFY2(loaded.ok(), qPrintable(loaded.error()));
    QVERIFY(!loaded->hasImageFeatures());
    QCOMPARE(int(loaded->textFeatures.rows()), 20015);
    QCOMPARE(int(loaded->textFeatures.cols()), 1386);
    const Dataset &dataset = loaded->dataset;
    QCOMPARE(dataset.size(), 20015);
    QCOMPARE(dataset.labelNames.size(), 24);
    QCOMPARE(int(dataset.split.query.size()), 2000);
    QCOMPARE(int(dataset.split.database.size()), 18015);
    QCOMPARE(int(dataset.split.training.size()), 10000);
    QCOMPARE(dataset.split.seed, quint64(1));
}

QTEST_GUILESS_MAIN(TestFeatureDataset)
#include "tst_feature_dataset.moc"
