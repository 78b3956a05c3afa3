// The main job with network backbones, end to end: features, training, model files
// and search by a new image, with a TorchScript and an ONNX network written by the
// test. Models are rejected when the network file changes or disappears after training.

#include "features/image_fixtures.h"
#include "features/model_fixtures.h"
#include "features/torchscript_fixture.h"
#include "test_support.h"

#include "features/image_extractor.h"
#include "pipeline/model_json.h"
#include "pipeline/search.h"
#include "pipeline/trained_model.h"
#include "pipeline/training_job.h"

#include <QDir>
#include <QFile>
#include <QImage>
#include <QPainter>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

using namespace esafh;

namespace {

constexpr int kSide = 32;

// Three categories of drawn shapes, ten images each, with a caption beside each
// image in the Tux Paint layout.
bool writeShapeTree(const QString &root)
{
    struct Category
    {
        const char *folder;
        QColor colour;
        const char *caption;
    };
    const Category categories[] = {
        {"fruit", QColor(220, 30, 30), "a round red apple"},
        {"sea", QColor(30, 60, 220), "a blue wave of the sea"},
        {"plants", QColor(30, 160, 50), "a green tree with leaves"},
    };
    for (int c = 0; c < 3; ++c) {
        const QString folder = QDir(root).filePath(QString::fromLatin1(categories[c].folder));
        if (!QDir().mkpath(folder))
            return false;
        for (int i = 0; i < 10; ++i) {
            QImage image(64, 64, QImage::Format_ARGB32);
            image.fill(Qt::transparent);
            QPainter painter(&image);
            painter.setPen(Qt::NoPen);
            painter.setBrush(categories[c].colour.lighter(100 + 6 * i));
            if (c == 0)
                painter.drawEllipse(QPoint(32, 32), 12 + i, 12 + i);
            else if (c == 1)
                painter.drawRect(6, 20 + i, 52, 14);
            else
                painter.drawPolygon(QPolygon({QPoint(32, 4 + i), QPoint(8, 58), QPoint(56, 58)}));
            painter.end();
            const QString base = QStringLiteral("%1/item%2").arg(folder).arg(i);
            if (!image.save(base + QStringLiteral(".png")))
                return false;
            QFile caption(base + QStringLiteral(".txt"));
            if (!caption.open(QIODevice::WriteOnly) || caption.write(categories[c].caption) < 0)
                return false;
        }
    }
    return true;
}

BackboneSpec networkSpec(const QString &kind, const QString &path)
{
    BackboneSpec spec;
    spec.kind = kind;
    spec.path = path;
    spec.inputSize = kSide;
    return spec;
}

} // namespace

class TestBackbones : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_folder;
    QString m_dataset;
    QString m_queryImage;
    test::PointwiseNetwork m_network;

    QString path(const QString &name) const { return m_folder.filePath(name); }

    TrainingJobSettings settingsFor(const BackboneSpec &backbone) const
    {
        TrainingJobSettings settings;
        settings.datasetPath = m_dataset;
        settings.featureCacheDirectory = path(QStringLiteral("cache"));
        settings.backbone = backbone;
        settings.esafh.bits = 16;
        settings.esafh.epochs = 3;
        settings.esafh.batchSize = 8;
        return settings;
    }

    // Prepares the dataset with backbone, trains, saves and loads the model.
    Result<TrainedModel> trainAndReload(const BackboneSpec &backbone, const QString &modelFile)
    {
        const TrainingJobSettings settings = settingsFor(backbone);
        Result<PreparedDataset> prepared = prepareDataset(settings);
        if (!prepared)
            return Result<TrainedModel>::failure(prepared.error());
        Result<TrainedModel> model = trainModel(prepared.value(), settings);
        if (!model)
            return model;
        if (Status saved = saveModelFile(model.value(), modelFile); !saved)
            return Result<TrainedModel>::failure(saved.error());
        return loadModelFile(modelFile);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_folder.isValid());
        m_dataset = path(QStringLiteral("shapes"));
        QVERIFY(writeShapeTree(m_dataset));

        // A query image that is not in the dataset.
        QImage query(80, 60, QImage::Format_RGB32);
        query.fill(Qt::white);
        QPainter painter(&query);
        painter.setBrush(QColor(200, 40, 40));
        painter.drawEllipse(QPoint(40, 30), 20, 20);
        painter.end();
        m_queryImage = path(QStringLiteral("query.jpg"));
        QVERIFY(query.save(m_queryImage));

        m_network = test::makePointwiseNetwork(8, 0.7f);
    }

    void torchScriptTrainsAndSearchesByImage()
    {
        const QString networkFile = path(QStringLiteral("net.pt"));
        QVERIFY(test::saveTorchScriptPointwiseNetwork(m_network, networkFile));
        const BackboneSpec backbone = networkSpec(BackboneSpec::torchScript, networkFile);

        Result<TrainedModel> model = trainAndReload(backbone, path(QStringLiteral("torchscript.esafh")));
        QVERIFY2(model.ok(), qPrintable(model.error()));
        QCOMPARE(model->imageBackbone, backbone);
        QCOMPARE(model->hashModel->imageDimension(), m_network.channels());
        QCOMPARE(model->imageExtractor, backboneIdentity(backbone).value());

        Result<SearchResult> result = searchByImage(model.value(), m_queryImage, SearchDirection::ImageToText, 5);
        QVERIFY2(result.ok(), qPrintable(result.error()));
        QCOMPARE(result->hits.size(), size_t(5));
        QVERIFY(searchByImage(model.value(), m_queryImage, SearchDirection::ImageToImage, 3).ok());
    }

    void onnxTrainsAndSearchesByImage()
    {
        const QString networkFile = path(QStringLiteral("net.onnx"));
        QVERIFY(test::writeBytes(networkFile, test::onnxPointwiseNetwork(m_network, kSide)));
        const BackboneSpec backbone = networkSpec(BackboneSpec::onnx, networkFile);

        Result<TrainedModel> model = trainAndReload(backbone, path(QStringLiteral("onnx.esafh")));
        QVERIFY2(model.ok(), qPrintable(model.error()));
        QCOMPARE(model->imageBackbone.kind, BackboneSpec::onnx);

        Result<SearchResult> result = searchByImage(model.value(), m_queryImage, SearchDirection::ImageToText, 4);
        QVERIFY2(result.ok(), qPrintable(result.error()));
        QCOMPARE(result->hits.size(), size_t(4));
    }

    void changedNetworkIsRefused()
    {
        const QString networkFile = path(QStringLiteral("changing.pt"));
        QVERIFY(test::saveTorchScriptPointwiseNetwork(m_network, networkFile));
        const BackboneSpec backbone = networkSpec(BackboneSpec::torchScript, networkFile);
        Result<TrainedModel> model = trainAndReload(backbone, path(QStringLiteral("changing.esafh")));
        QVERIFY2(model.ok(), qPrintable(model.error()));
        QVERIFY(searchByImage(model.value(), m_queryImage, SearchDirection::ImageToText, 3).ok());

        // Other weights in the same file: search and evaluation refuse the model.
        QThread::msleep(20);
        QVERIFY(test::saveTorchScriptPointwiseNetwork(test::makePointwiseNetwork(8, 2.5f), networkFile));
        Result<SearchResult> result = searchByImage(model.value(), m_queryImage, SearchDirection::ImageToText, 3);
        QVERIFY(!result.ok());
        QVERIFY2(result.error().contains(QStringLiteral("weights file")), qPrintable(result.error()));
        QVERIFY2(result.error().contains(model->imageExtractor), qPrintable(result.error()));

        Result<PreparedDataset> prepared = prepareDataset(settingsFor(backbone));
        QVERIFY2(prepared.ok(), qPrintable(prepared.error()));
        Result<RetrievalScores> scores = evaluateModel(model.value(), prepared.value());
        QVERIFY(!scores.ok());
        QVERIFY2(scores.error().contains(QStringLiteral("trained on image features")), qPrintable(scores.error()));

        // With the file removed, search by image fails with a message and search by text still works.
        QVERIFY(QFile::remove(networkFile));
        result = searchByImage(model.value(), m_queryImage, SearchDirection::ImageToText, 3);
        QVERIFY(!result.ok());
        QVERIFY2(result.error().contains(networkFile), qPrintable(result.error()));
        QVERIFY2(result.error().contains(QStringLiteral("Search by text still works")), qPrintable(result.error()));
        QVERIFY(searchByText(model.value(), QStringLiteral("red apple"), SearchDirection::TextToImage, 3).ok());

        // Restoring the weights the model was trained with makes it usable again.
        QVERIFY(test::saveTorchScriptPointwiseNetwork(m_network, networkFile));
        QVERIFY(searchByImage(model.value(), m_queryImage, SearchDirection::ImageToText, 3).ok());
    }

    void missingNetworkFailsPreparation()
    {
        const QString missing = path(QStringLiteral("missing.onnx"));
        Result<PreparedDataset> prepared = prepareDataset(settingsFor(networkSpec(BackboneSpec::onnx, missing)));
        QVERIFY(!prepared.ok());
        QVERIFY2(prepared.error().contains(missing), qPrintable(prepared.error()));
    }

    void absentMobileNetFallsBackToHandcrafted()
    {
        const QByteArray previous = qgetenv("ESAFH_NPM_DIR");
        qputenv("ESAFH_NPM_DIR", path(QStringLiteral("no-npm-here")).toLocal8Bit());
        BackboneSpec mobileNet;
        mobileNet.kind = BackboneSpec::mobileNetV2;
        Result<PreparedDataset> prepared = prepareDataset(settingsFor(mobileNet));
        if (previous.isNull())
            qunsetenv("ESAFH_NPM_DIR");
        else
            qputenv("ESAFH_NPM_DIR", previous);

        QVERIFY2(prepared.ok(), qPrintable(prepared.error()));
        QCOMPARE(prepared->imageFeatures.backbone.kind, BackboneSpec::handcrafted);
        const QString messages = prepared->dataset.importMessages.join(QLatin1Char('\n'));
        QVERIFY2(messages.contains(QStringLiteral("npm install")), qPrintable(messages));
        QVERIFY2(messages.contains(QStringLiteral("hand-crafted")), qPrintable(messages));
    }

    void modelWithoutBackboneReadsAsHandcrafted()
    {
        Result<TrainedModel> model = loadModelFile(path(QStringLiteral("onnx.esafh")));
        QVERIFY2(model.ok(), qPrintable(model.error()));
        QJsonObject json = modelMetadataToJson(model.value());
        QCOMPARE(json.value(QStringLiteral("image_backbone")).toObject().value(QStringLiteral("kind")).toString(),
                 BackboneSpec::onnx);

        // A file written before backbones could be chosen.
        json.remove(QStringLiteral("image_backbone"));
        Result<TrainedModel> old = modelMetadataFromJson(json, QStringLiteral("old.esafh"));
        QVERIFY2(old.ok(), qPrintable(old.error()));
        QCOMPARE(old->imageBackbone, BackboneSpec{});

        json[QStringLiteral("image_backbone")] = QStringLiteral("onnx");
        Result<TrainedModel> invalid = modelMetadataFromJson(json, QStringLiteral("bad.esafh"));
        QVERIFY(!invalid.ok());
        QVERIFY2(invalid.error().contains(QStringLiteral("bad.esafh")), qPrintable(invalid.error()));
    }
};

QTEST_MAIN(TestBackbones)
#include "pipeline_backbones.moc"
