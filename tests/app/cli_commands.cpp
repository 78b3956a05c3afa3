#include "features/model_fixtures.h"
#include "pipeline/feature_dataset_fixture.h"
#include "test_support.h"

#include <QDir>
#include <QFile>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPainter>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

/// Drives esafh-cli as a script would, on a small image tree generated here.
class TestCli : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_folder;
    QString m_dataset;
    QString m_model;

    struct Run
    {
        int exitCode = -1;
        QString out;
        QString err;
    };

    Run cli(const QStringList &arguments)
    {
        QProcess process;
        process.start(QStringLiteral(ESAFH_CLI), arguments);
        Run run;
        if (!process.waitForFinished(600'000)) {
            run.err = QStringLiteral("esafh-cli did not finish: ") + process.errorString();
            return run;
        }
        run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
        run.out = QString::fromUtf8(process.readAllStandardOutput());
        run.err = QString::fromUtf8(process.readAllStandardError());
        return run;
    }

    // Three categories of drawn shapes with captions beside each image.
    void writeDataset()
    {
        struct Category
        {
            QString folder;
            QColor colour;
            QString caption;
        };
        const Category categories[] = {
            {QStringLiteral("fruit"), Qt::red, QStringLiteral("A red apple on a plate")},
            {QStringLiteral("sea"), Qt::blue, QStringLiteral("A blue wave of the sea")},
            {QStringLiteral("plants"), Qt::darkGreen, QStringLiteral("A green tree with leaves")},
        };
        for (const Category &category : categories) {
            QDir(m_dataset).mkpath(category.folder);
            for (int i = 0; i < 12; ++i) {
                QImage image(64, 64, QImage::Format_ARGB32);
                image.fill(Qt::transparent);
                QPainter painter(&image);
                painter.setBrush(category.colour.lighter(100 + 8 * i));
                painter.drawEllipse(QPoint(32, 32), 10 + i, 20 - i);
                painter.end();
                const QString base = QStringLiteral("%1/%2/item%3").arg(m_dataset, category.folder).arg(i);
                QVERIFY(image.save(base + QStringLiteral(".png")));
                QFile caption(base + QStringLiteral(".txt"));
                QVERIFY(caption.open(QIODevice::WriteOnly));
                caption.write(category.caption.toUtf8() + "\nfr.utf8=traduction\n");
            }
        }
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_folder.isValid());
        m_dataset = m_folder.filePath(QStringLiteral("stamps"));
        m_model = m_folder.filePath(QStringLiteral("model.esafh"));
        writeDataset();
    }

    void helpOfEachCommand_data()
    {
        QTest::addColumn<QString>("command");
        for (const char *command : {"backbones", "import", "features", "train", "evaluate", "search", "rerun", "compare"})
            QTest::newRow(command) << QString::fromLatin1(command);
    }

    void helpOfEachCommand()
    {
        QFETCH(QString, command);
        const Run run = cli({command, QStringLiteral("--help")});
        QCOMPARE(run.exitCode, 0);
        QVERIFY2(run.out.startsWith(QStringLiteral("Usage: esafh-cli %1 [options]").arg(command)), qPrintable(run.out));
        QVERIFY2(run.out.contains(QStringLiteral("--")), qPrintable(run.out));
    }

    void trainPrintsJsonScores()
    {
        const Run run = cli({QStringLiteral("train"), QStringLiteral("--dataset"), m_dataset, QStringLiteral("--bits"), QStringLiteral("16"),
                             QStringLiteral("--epochs"), QStringLiteral("3"), QStringLiteral("--output"), m_model,
                             QStringLiteral("--cache-dir"), m_folder.filePath(QStringLiteral("cache")), QStringLiteral("--json")});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QVERIFY(QFile::exists(m_model));

        const QJsonObject json = QJsonDocument::fromJson(run.out.toUtf8()).object();
        QCOMPARE(json.value(QStringLiteral("protocol")).toObject().value(QStringLiteral("ties")).toString(), QStringLiteral("tie-aware"));
        QVERIFY(json.value(QStringLiteral("map_all")).toObject().contains(QStringLiteral("i2t")));
        QVERIFY(json.value(QStringLiteral("map_all")).toObject().contains(QStringLiteral("t2i")));
        QVERIFY(json.value(QStringLiteral("map_at_k")).toObject().contains(QStringLiteral("t2i")));
    }

    void trainWritesRunRecordForRerun()
    {
        const QString record = m_folder.filePath(QStringLiteral("model.run.json"));
        QVERIFY2(QFile::exists(record), "train writes the run record beside the model");
        QFile file(record);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QJsonObject json = QJsonDocument::fromJson(file.readAll()).object();
        QCOMPARE(json.value(QStringLiteral("format")).toString(), QStringLiteral("esafh-run"));
        QCOMPARE(json.value(QStringLiteral("bits")).toInt(), 16);
        QCOMPARE(json.value(QStringLiteral("epochs")).toArray().size(), 3);

        const QString rerunFolder = m_folder.filePath(QStringLiteral("rerun"));
        const Run run = cli({QStringLiteral("rerun"), record, QStringLiteral("--output"), rerunFolder, QStringLiteral("--cache-dir"),
                             m_folder.filePath(QStringLiteral("cache"))});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QVERIFY2(run.out.contains(QStringLiteral("recorded")), qPrintable(run.out));
        QVERIFY2(run.out.contains(QStringLiteral("mAP@all i2t")), qPrintable(run.out));
        QVERIFY(QFile::exists(rerunFolder + QStringLiteral("/model.run.json")));

        // A second rerun into the same folder would overwrite the first record.
        const Run again = cli({QStringLiteral("rerun"), record, QStringLiteral("--output"), rerunFolder});
        QCOMPARE(again.exitCode, 2);
        QVERIFY2(again.err.contains(QStringLiteral("already exists")), qPrintable(again.err));
    }

    void trainResumesFromCheckpoint()
    {
        const QString checkpoint = m_folder.filePath(QStringLiteral("run.checkpoint"));
        const QStringList common{QStringLiteral("train"), QStringLiteral("--dataset"), m_dataset, QStringLiteral("--bits"),
                                 QStringLiteral("16"), QStringLiteral("--cache-dir"), m_folder.filePath(QStringLiteral("cache"))};
        const Run first = cli(common + QStringList{QStringLiteral("--epochs"), QStringLiteral("2"), QStringLiteral("--output"),
                                                   m_folder.filePath(QStringLiteral("first.esafh")), QStringLiteral("--checkpoint"), checkpoint});
        QVERIFY2(first.exitCode == 0, qPrintable(first.err));
        QVERIFY(QFile::exists(checkpoint));

        // The resumed run trains epochs 3 and 4 only, and its record lists all four.
        const Run resumed = cli(common + QStringList{QStringLiteral("--epochs"), QStringLiteral("4"), QStringLiteral("--output"),
                                                     m_folder.filePath(QStringLiteral("resumed.esafh")), QStringLiteral("--resume"), checkpoint});
        QVERIFY2(resumed.exitCode == 0, qPrintable(resumed.err));
        QVERIFY2(resumed.err.contains(QStringLiteral("Epoch 3/4")), qPrintable(resumed.err));
        QVERIFY2(!resumed.err.contains(QStringLiteral("Epoch 1/4")), qPrintable(resumed.err));
        QFile record(m_folder.filePath(QStringLiteral("resumed.run.json")));
        QVERIFY(record.open(QIODevice::ReadOnly));
        QCOMPARE(QJsonDocument::fromJson(record.readAll()).object().value(QStringLiteral("epochs")).toArray().size(), 4);

        // Other settings than the checkpoint's are rejected, naming the setting.
        QStringList otherBits = common;
        otherBits[otherBits.indexOf(QStringLiteral("16"))] = QStringLiteral("32");
        const Run mismatched = cli(otherBits + QStringList{QStringLiteral("--epochs"), QStringLiteral("4"), QStringLiteral("--output"),
                                                           m_folder.filePath(QStringLiteral("other.esafh")), QStringLiteral("--resume"), checkpoint});
        QCOMPARE(mismatched.exitCode, 1);
        QVERIFY2(mismatched.err.contains(QStringLiteral("\"bits\"")), qPrintable(mismatched.err));
        QVERIFY(!QFile::exists(m_folder.filePath(QStringLiteral("other.esafh"))));
    }

    void tfIdfTrainingRecordsWeighting()
    {
        const QString folder = m_folder.filePath(QStringLiteral("tfidf"));
        QVERIFY(QDir().mkpath(folder));
        const QString model = folder + QStringLiteral("/model.esafh");
        const Run run = cli({QStringLiteral("train"), QStringLiteral("--dataset"), m_dataset, QStringLiteral("--bits"), QStringLiteral("16"),
                             QStringLiteral("--epochs"), QStringLiteral("2"), QStringLiteral("--output"), model,
                             QStringLiteral("--text-weighting"), QStringLiteral("tfidf"), QStringLiteral("--cache-dir"),
                             m_folder.filePath(QStringLiteral("cache"))});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));

        QFile file(folder + QStringLiteral("/model.run.json"));
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QJsonObject json = QJsonDocument::fromJson(file.readAll()).object();
        const QJsonObject vocabulary = json.value(QStringLiteral("vocabulary")).toObject();
        QCOMPARE(vocabulary.value(QStringLiteral("weighting")).toString(), QStringLiteral("tfidf"));

        // A typed query is encoded with the model's TF-IDF weights.
        const Run search = cli({QStringLiteral("search"), QStringLiteral("--model"), model, QStringLiteral("--text"),
                                QStringLiteral("apple"), QStringLiteral("--top"), QStringLiteral("3")});
        QVERIFY2(search.exitCode == 0, qPrintable(search.err));
        QCOMPARE(search.out.trimmed().split(QLatin1Char('\n')).size(), 3);
    }

    void featureDatasetTrainCompareSearch()
    {
        const QString folder = m_folder.filePath(QStringLiteral("features"));
        QVERIFY(QDir().mkpath(folder));
        const QString description = esafh::test::writeClusteredFeatureDataset(folder);
        QVERIFY(!description.isEmpty());
        const QString model = folder + QStringLiteral("/clusters.esafh");
        const QString record = folder + QStringLiteral("/chosen.json");

        Run run = cli({QStringLiteral("train"), QStringLiteral("--dataset"), description, QStringLiteral("--bits"), QStringLiteral("16"),
                       QStringLiteral("--epochs"), QStringLiteral("2"), QStringLiteral("--method"), QStringLiteral("djsrh"),
                       QStringLiteral("--set"), QStringLiteral("neighbourCount=5"), QStringLiteral("--validation"), QStringLiteral("10"),
                       QStringLiteral("--output"), model, QStringLiteral("--record"), record, QStringLiteral("--json")});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QVERIFY2(run.err.contains(QStringLiteral("10 validation items")), qPrintable(run.err));
        const QJsonObject report = QJsonDocument::fromJson(run.out.toUtf8()).object();
        QCOMPARE(report.value(QStringLiteral("method")).toString(), QStringLiteral("djsrh"));
        QCOMPARE(report.value(QStringLiteral("settings")).toObject().value(QStringLiteral("neighbourCount")).toInt(), 5);
        QVERIFY(QFile::exists(record));

        run = cli({QStringLiteral("search"), QStringLiteral("--model"), model, QStringLiteral("--text"), QStringLiteral("apple")});
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains(QStringLiteral("database item")), qPrintable(run.err));
        run = cli({QStringLiteral("search"), QStringLiteral("--model"), model, QStringLiteral("--item"), QStringLiteral("3"),
                   QStringLiteral("--direction"), QStringLiteral("t2i"), QStringLiteral("--top"), QStringLiteral("4")});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QCOMPARE(run.out.trimmed().split(QLatin1Char('\n')).size(), 4);

        const QString output = folder + QStringLiteral("/comparison");
        const QStringList compare{QStringLiteral("compare"), QStringLiteral("--dataset"), description, QStringLiteral("--methods"),
                                  QStringLiteral("esafh,jdsh"), QStringLiteral("--bits"), QStringLiteral("8"), QStringLiteral("--seeds"),
                                  QStringLiteral("2"), QStringLiteral("--epochs"), QStringLiteral("1"), QStringLiteral("--ablations"),
                                  QStringLiteral("--output"), output};
        run = cli(compare);
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QVERIFY2(run.out.contains(QStringLiteral("| JDSH | 8 |")), qPrintable(run.out));
        QVERIFY2(run.out.contains(QStringLiteral("ESAFH (attentionFusion=false)")), qPrintable(run.out));
        QVERIFY2(run.err.contains(QStringLiteral("seed 2")), qPrintable(run.err));
        for (const QString &name : {QStringLiteral("results.json"), QStringLiteral("results.csv"), QStringLiteral("results.tex"),
                                    QStringLiteral("runs/esafh-8-seed1.json"), QStringLiteral("runs/jdsh-8-seed2.json"),
                                    QStringLiteral("runs/esafh-attentionFusion=false-8-seed2.json")})
            QVERIFY2(QFile::exists(output + QLatin1Char('/') + name), qPrintable(name));

        run = cli(compare);
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains(QStringLiteral("--force")), qPrintable(run.err));
    }

    void importFeatureFileListsVariables()
    {
        const QString mat = esafh::test::sharedDatasets() + QStringLiteral("/wiki/wiki.mat");
        if (!QFile::exists(mat))
            QSKIP(qPrintable(QStringLiteral("Wikipedia features not found at %1; skipping").arg(mat)));
        const QString description = m_folder.filePath(QStringLiteral("wiki-imported.json"));
        const QStringList import{QStringLiteral("import"), QStringLiteral("--dataset"), mat, QStringLiteral("--output"), description,
                                 QStringLiteral("--items"), QStringLiteral("columns"), QStringLiteral("--text-variable"), QStringLiteral("data.X2"),
                                 QStringLiteral("--label-variable"), QStringLiteral("data.Y"), QStringLiteral("--query-variable"),
                                 QStringLiteral("data.split.ind_test"), QStringLiteral("--training-variable"), QStringLiteral("data.split.ind_train")};

        Run run = cli(import + QStringList{QStringLiteral("--image-variable"), QStringLiteral("data.X9")});
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains(QStringLiteral("data.X9")), qPrintable(run.err));
        QVERIFY2(run.err.contains(QStringLiteral("data.X1 (128 x 2866 double)")), qPrintable(run.err));
        QVERIFY(!QFile::exists(description));

        run = cli({QStringLiteral("import"), QStringLiteral("--dataset"), mat, QStringLiteral("--output"), description});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains(QStringLiteral("data.X1")), qPrintable(run.err));

        run = cli(import + QStringList{QStringLiteral("--image-variable"), QStringLiteral("data.X1")});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QVERIFY2(run.out.contains(QStringLiteral("2866 items")), qPrintable(run.out));
        QVERIFY2(run.out.contains(QStringLiteral("693 queries")), qPrintable(run.out));

        run = cli({QStringLiteral("train"), QStringLiteral("--dataset"), description, QStringLiteral("--bits"), QStringLiteral("16"),
                   QStringLiteral("--epochs"), QStringLiteral("1"), QStringLiteral("--output"), m_folder.filePath(QStringLiteral("wiki.esafh")),
                   QStringLiteral("--json")});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        const QJsonObject report = QJsonDocument::fromJson(run.out.toUtf8()).object();
        QCOMPARE(report.value(QStringLiteral("protocol")).toObject().value(QStringLiteral("queries")).toInt(), 693);
    }

    void textOnlyFeaturesSayWhatIsMissing()
    {
        const QString folder = esafh::test::sharedDatasets() + QStringLiteral("/mirflickr25k-text");
        if (!QFile::exists(folder + QStringLiteral("/mirflickr25k-yall.mat")))
            QSKIP(qPrintable(QStringLiteral("MIRFlickr-25K text features not found in %1; skipping").arg(folder)));

        QFile shipped(QStringLiteral(ESAFH_SOURCE_DIR "/datasets/mirflickr25k-text/mirflickr25k-text.json"));
        QVERIFY(shipped.open(QIODevice::ReadOnly));
        QString text = QString::fromUtf8(shipped.readAll());
        text.replace(QStringLiteral("\"mirflickr25k-"), QStringLiteral("\"%1/mirflickr25k-").arg(folder));
        const QString description = m_folder.filePath(QStringLiteral("mirflickr-text.json"));
        QFile file(description);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(text.toUtf8());
        file.close();

        const Run run = cli({QStringLiteral("train"), QStringLiteral("--dataset"), description, QStringLiteral("--output"),
                             m_folder.filePath(QStringLiteral("never.esafh"))});
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains(QStringLiteral("text features only")), qPrintable(run.err));
        QVERIFY(!QFile::exists(m_folder.filePath(QStringLiteral("never.esafh"))));
    }

    void evaluateMatchesTraining()
    {
        const Run run = cli({QStringLiteral("evaluate"), QStringLiteral("--model"), m_model, QStringLiteral("--dataset"), m_dataset,
                             QStringLiteral("--cache-dir"), m_folder.filePath(QStringLiteral("cache")), QStringLiteral("--json")});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        const QJsonObject json = QJsonDocument::fromJson(run.out.toUtf8()).object();
        const QJsonObject protocol = json.value(QStringLiteral("protocol")).toObject();
        QCOMPARE(protocol.value(QStringLiteral("k")).toInt(), 50);
        QCOMPARE(protocol.value(QStringLiteral("queries")).toInt(), 7); // 20% of 36 items, rounded
        const double i2t = json.value(QStringLiteral("map_all")).toObject().value(QStringLiteral("i2t")).toDouble(-1);
        const double t2i = json.value(QStringLiteral("map_all")).toObject().value(QStringLiteral("t2i")).toDouble(-1);
        QVERIFY(i2t >= 0 && i2t <= 1);
        QVERIFY(t2i >= 0 && t2i <= 1);
    }

    void searchPrintsRankedLines()
    {
        const Run run = cli({QStringLiteral("search"), QStringLiteral("--model"), m_model, QStringLiteral("--text"),
                             QStringLiteral("red apple"), QStringLiteral("--top"), QStringLiteral("5")});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        const QStringList lines = run.out.trimmed().split(QLatin1Char('\n'));
        QCOMPARE(lines.size(), 5);
        int previousDistance = -1;
        for (int i = 0; i < lines.size(); ++i) {
            const QStringList fields = lines[i].split(QLatin1Char('\t'));
            QCOMPARE(fields.size(), 4);
            QCOMPARE(fields[0].toInt(), i + 1);
            QVERIFY(fields[1].toInt() >= previousDistance);
            previousDistance = fields[1].toInt();
            QVERIFY(QFile::exists(fields[3]));
        }
    }

    void searchByImageFile()
    {
        const QString image = m_dataset + QStringLiteral("/sea/item0.png");
        const Run run = cli({QStringLiteral("search"), QStringLiteral("--model"), m_model, QStringLiteral("--image"), image,
                             QStringLiteral("--top"), QStringLiteral("3"), QStringLiteral("--direction"), QStringLiteral("i2i")});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QCOMPARE(run.out.trimmed().split(QLatin1Char('\n')).size(), 3);
    }

    void backbonesListsBuiltInOnes()
    {
        const Run run = cli({QStringLiteral("backbones"), QStringLiteral("--json")});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        const QJsonArray backbones = QJsonDocument::fromJson(run.out.toUtf8()).array();
        QCOMPARE(backbones.size(), 2);

        const QJsonObject handcrafted = backbones[0].toObject();
        QCOMPARE(handcrafted.value(QStringLiteral("name")).toString(), QStringLiteral("handcrafted"));
        QVERIFY(handcrafted.value(QStringLiteral("available")).toBool());
        QVERIFY(handcrafted.value(QStringLiteral("dimension")).toInt() > 0);
        QVERIFY(handcrafted.value(QStringLiteral("identity")).toString().startsWith(QStringLiteral("handcrafted")));

        // MobileNetV2 is listed whether or not the nsfwjs package is installed.
        const QJsonObject mobileNet = backbones[1].toObject();
        QVERIFY(mobileNet.value(QStringLiteral("name")).toString().startsWith(QStringLiteral("mobilenetv2")));
        if (mobileNet.value(QStringLiteral("available")).toBool())
            QCOMPARE(mobileNet.value(QStringLiteral("dimension")).toInt(), 576);
        else
            QVERIFY(mobileNet.value(QStringLiteral("message")).toString().contains(QStringLiteral("npm install")));
    }

    void onnxBackboneEndToEnd()
    {
        const QString network = m_folder.filePath(QStringLiteral("net.onnx"));
        const QString model = m_folder.filePath(QStringLiteral("onnx.esafh"));
        const QString cache = m_folder.filePath(QStringLiteral("onnx-cache"));
        QFile file(network);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(esafh::test::onnxPointwiseNetwork(esafh::test::makePointwiseNetwork(6, 0.2f), 32));
        file.close();
        const QStringList backbone{QStringLiteral("--backbone"), QStringLiteral("onnx:") + network, QStringLiteral("--input-size"),
                                   QStringLiteral("32")};

        Run run = cli(QStringList{QStringLiteral("backbones")} + backbone);
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QVERIFY2(run.out.contains(QStringLiteral("available, 6 features")), qPrintable(run.out));

        run = cli(QStringList{QStringLiteral("features"), QStringLiteral("--dataset"), m_dataset, QStringLiteral("--cache-dir"), cache,
                              QStringLiteral("--report")} + backbone);
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QVERIFY2(run.out.contains(QStringLiteral("images/s")), qPrintable(run.out));
        QVERIFY2(run.out.contains(QStringLiteral("onnx-v1:sha1=")), qPrintable(run.out));

        run = cli(QStringList{QStringLiteral("train"), QStringLiteral("--dataset"), m_dataset, QStringLiteral("--bits"), QStringLiteral("16"),
                              QStringLiteral("--epochs"), QStringLiteral("3"), QStringLiteral("--output"), model, QStringLiteral("--cache-dir"),
                              cache, QStringLiteral("--json")} + backbone);
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        const QJsonObject report = QJsonDocument::fromJson(run.out.toUtf8()).object();
        QCOMPARE(report.value(QStringLiteral("image_backbone")).toObject().value(QStringLiteral("kind")).toString(), QStringLiteral("onnx"));

        const QString image = m_dataset + QStringLiteral("/fruit/item3.png");
        const QStringList search{QStringLiteral("search"), QStringLiteral("--model"), model, QStringLiteral("--image"), image,
                                 QStringLiteral("--top"), QStringLiteral("3")};
        run = cli(search);
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QCOMPARE(run.out.trimmed().split(QLatin1Char('\n')).size(), 3);
        const QStringList evaluate{QStringLiteral("evaluate"), QStringLiteral("--model"), model, QStringLiteral("--dataset"), m_dataset,
                                   QStringLiteral("--cache-dir"), cache, QStringLiteral("--json")};
        run = cli(evaluate);
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));

        // Other weights in the network file: the model is refused for search and evaluation.
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(esafh::test::onnxPointwiseNetwork(esafh::test::makePointwiseNetwork(6, 1.9f), 32));
        file.close();
        run = cli(search);
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains(QStringLiteral("weights file")), qPrintable(run.err));
        run = cli(evaluate);
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains(QStringLiteral("trained on image features")), qPrintable(run.err));
    }

    void badInputGetsMessages_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("message");

        QTest::newRow("unknown words") << QStringList{QStringLiteral("search"), QStringLiteral("--text"), QStringLiteral("zzzz qqqq")}
                                       << 1 << QStringLiteral("vocabulary");
        QTest::newRow("not an image") << QStringList{QStringLiteral("search"), QStringLiteral("--image"), QStringLiteral("CAPTION_FILE")}
                                      << 1 << QStringLiteral("item0.txt");
        QTest::newRow("text and image") << QStringList{QStringLiteral("search"), QStringLiteral("--text"), QStringLiteral("x"),
                                                       QStringLiteral("--image"), QStringLiteral("y")}
                                        << 2 << QStringLiteral("exactly one");
        QTest::newRow("missing model") << QStringList{QStringLiteral("search"), QStringLiteral("--model"), QStringLiteral("/nonexistent/m.esafh"),
                                                      QStringLiteral("--text"), QStringLiteral("apple")}
                                       << 1 << QStringLiteral("/nonexistent/m.esafh");
        QTest::newRow("train without output") << QStringList{QStringLiteral("train"), QStringLiteral("--dataset"), QStringLiteral("DATASET")}
                                              << 2 << QStringLiteral("--output");
        QTest::newRow("bits not a number") << QStringList{QStringLiteral("train"), QStringLiteral("--dataset"), QStringLiteral("DATASET"),
                                                          QStringLiteral("--bits"), QStringLiteral("many"), QStringLiteral("--output"), QStringLiteral("x")}
                                           << 2 << QStringLiteral("many");
        QTest::newRow("missing dataset") << QStringList{QStringLiteral("import"), QStringLiteral("--dataset"), QStringLiteral("/nonexistent/data"),
                                                        QStringLiteral("--output"), QStringLiteral("x.json")}
                                         << 1 << QStringLiteral("/nonexistent/data");
        QTest::newRow("unknown option") << QStringList{QStringLiteral("search"), QStringLiteral("--txt"), QStringLiteral("apple")}
                                        << 2 << QStringLiteral("txt");
        QTest::newRow("option without value") << QStringList{QStringLiteral("search"), QStringLiteral("--model"), QStringLiteral("MODEL"),
                                                             QStringLiteral("--text")}
                                              << 2 << QStringLiteral("text");
        QTest::newRow("extra argument") << QStringList{QStringLiteral("search"), QStringLiteral("--text"), QStringLiteral("apple"),
                                                       QStringLiteral("extra")}
                                        << 2 << QStringLiteral("\"extra\"");
        QTest::newRow("direction of other modality") << QStringList{QStringLiteral("search"), QStringLiteral("--image"), QStringLiteral("x.png"),
                                                                    QStringLiteral("--direction"), QStringLiteral("t2t")}
                                                     << 2 << QStringLiteral("an image query: use i2t or i2i");
        QTest::newRow("unknown backbone") << QStringList{QStringLiteral("features"), QStringLiteral("--dataset"), QStringLiteral("DATASET"),
                                                         QStringLiteral("--backbone"), QStringLiteral("resnet50")}
                                          << 2 << QStringLiteral("resnet50");
        QTest::newRow("input size of handcrafted") << QStringList{QStringLiteral("features"), QStringLiteral("--dataset"), QStringLiteral("DATASET"),
                                                                  QStringLiteral("--input-size"), QStringLiteral("64")}
                                                   << 2 << QStringLiteral("--input-size");
        QTest::newRow("mean of two values") << QStringList{QStringLiteral("train"), QStringLiteral("--dataset"), QStringLiteral("DATASET"),
                                                           QStringLiteral("--output"), QStringLiteral("x"), QStringLiteral("--backbone"),
                                                           QStringLiteral("onnx:/models/net.onnx"), QStringLiteral("--mean"), QStringLiteral("0.5,0.5")}
                                            << 2 << QStringLiteral("0.5,0.5");
        QTest::newRow("missing network file") << QStringList{QStringLiteral("features"), QStringLiteral("--dataset"), QStringLiteral("DATASET"),
                                                             QStringLiteral("--backbone"), QStringLiteral("torchscript:/nonexistent/net.pt")}
                                              << 1 << QStringLiteral("/nonexistent/net.pt");
        QTest::newRow("unknown command") << QStringList{QStringLiteral("fly")} << 2 << QStringLiteral("Unknown command");
        const QStringList train{QStringLiteral("train"), QStringLiteral("--dataset"), QStringLiteral("DATASET"), QStringLiteral("--output"), QStringLiteral("x")};
        QTest::newRow("unknown setting") << train + QStringList{QStringLiteral("--set"), QStringLiteral("nosuch=1")}
                                         << 2 << QStringLiteral("neighbourCount");
        QTest::newRow("setting without value") << train + QStringList{QStringLiteral("--set"), QStringLiteral("bits")}
                                               << 2 << QStringLiteral("KEY=VALUE");
        QTest::newRow("boolean setting") << train + QStringList{QStringLiteral("--set"), QStringLiteral("attentionFusion=maybe")}
                                         << 2 << QStringLiteral("true or false");
        QTest::newRow("number setting") << train + QStringList{QStringLiteral("--set"), QStringLiteral("fusionScale=large")}
                                        << 2 << QStringLiteral("a number");
        QTest::newRow("setting out of range") << train + QStringList{QStringLiteral("--set"), QStringLiteral("neighbourCount=-3")}
                                              << 2 << QStringLiteral("neighbourCount");
        QTest::newRow("unknown method") << train + QStringList{QStringLiteral("--method"), QStringLiteral("cvh")}
                                        << 2 << QStringLiteral("djsrh");
        QTest::newRow("unknown split") << train + QStringList{QStringLiteral("--split"), QStringLiteral("stratified")}
                                       << 2 << QStringLiteral("per-label");
        QTest::newRow("per-label count with random split") << train + QStringList{QStringLiteral("--queries-per-label"), QStringLiteral("5")}
                                                           << 2 << QStringLiteral("--split per-label");
        QTest::newRow("compare unknown method") << QStringList{QStringLiteral("compare"), QStringLiteral("--dataset"), QStringLiteral("DATASET"),
                                                               QStringLiteral("--methods"), QStringLiteral("esafh,cvh"), QStringLiteral("--output"), QStringLiteral("x")}
                                                << 2 << QStringLiteral("cvh");
        QTest::newRow("compare bad bits") << QStringList{QStringLiteral("compare"), QStringLiteral("--dataset"), QStringLiteral("DATASET"),
                                                         QStringLiteral("--bits"), QStringLiteral("32,4"), QStringLiteral("--output"), QStringLiteral("x")}
                                          << 2 << QStringLiteral("32,4");
        QTest::newRow("missing run record") << QStringList{QStringLiteral("rerun"), QStringLiteral("/nonexistent/r.json")}
                                            << 1 << QStringLiteral("/nonexistent/r.json");
        QTest::newRow("rerun without record") << QStringList{QStringLiteral("rerun")} << 2 << QStringLiteral("RECORD");
        QTest::newRow("variable of a folder") << QStringList{QStringLiteral("import"), QStringLiteral("--dataset"), QStringLiteral("DATASET"),
                                                             QStringLiteral("--image-variable"), QStringLiteral("X1"), QStringLiteral("--output"), QStringLiteral("x.json")}
                                              << 2 << QStringLiteral("--image-variable");
        QTest::newRow("missing checkpoint") << QStringList{QStringLiteral("train"), QStringLiteral("--dataset"), QStringLiteral("DATASET"),
                                                           QStringLiteral("--output"), QStringLiteral("/tmp/never-written.esafh"),
                                                           QStringLiteral("--resume"), QStringLiteral("/nonexistent/run.checkpoint")}
                                            << 1 << QStringLiteral("/nonexistent/run.checkpoint");
        QTest::newRow("unknown text weighting") << QStringList{QStringLiteral("train"), QStringLiteral("--dataset"), QStringLiteral("DATASET"),
                                                               QStringLiteral("--text-weighting"), QStringLiteral("bm25")}
                                                << 2 << QStringLiteral("bm25");
        QTest::newRow("item out of range") << QStringList{QStringLiteral("search"), QStringLiteral("--item"), QStringLiteral("99999")}
                                           << 1 << QStringLiteral("does not exist");
    }

    void badInputGetsMessages()
    {
        QFETCH(QStringList, arguments);
        QFETCH(int, exitCode);
        QFETCH(QString, message);

        if (arguments.first() == QStringLiteral("search") && !arguments.contains(QStringLiteral("--model")))
            arguments << QStringLiteral("--model") << m_model;
        arguments.replaceInStrings(QStringLiteral("CAPTION_FILE"), m_dataset + QStringLiteral("/sea/item0.txt"));
        arguments.replaceInStrings(QStringLiteral("DATASET"), m_dataset);
        arguments.replaceInStrings(QStringLiteral("MODEL"), m_model);

        const Run run = cli(arguments);
        QCOMPARE(run.exitCode, exitCode);
        QVERIFY2(run.err.contains(message), qPrintable(run.err));
    }
};

QTEST_MAIN(TestCli)
#include "cli_commands.moc"
