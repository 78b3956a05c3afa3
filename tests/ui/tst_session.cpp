#include "session.h"
#include "ui_fixtures.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace esafh;
using esafh::ui::Session;

class TestSession : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void saveWithoutModelFails();
    void savedModelReopensWithItsDataset();
    void missingDatasetOfModelIsReported();
    void modelOfOtherFeaturesIsReported();
    void checkpointFileIsInTemporaryFolder();

private:
    QTemporaryDir m_folder;
    QString m_modelPath;
    TrainingJobSettings m_settings;
};

void TestSession::initTestCase()
{
    QVERIFY(m_folder.isValid());
    const QString root = m_folder.filePath(QStringLiteral("tiny"));
    QVERIFY(test::writeTinyImageTree(root));
    m_settings = test::tinyJobSettings(root, m_folder.filePath(QStringLiteral("cache")));
    m_modelPath = m_folder.filePath(QStringLiteral("tiny.esafh"));
}

void TestSession::saveWithoutModelFails()
{
    Session session;
    QSignalSpy errors(&session, &Session::errorOccurred);
    session.saveModel(m_modelPath);

    QCOMPARE(errors.count(), 1);
    QVERIFY(!session.isBusy());
    QVERIFY(!QFileInfo::exists(m_modelPath));
}

void TestSession::savedModelReopensWithItsDataset()
{
    Result<PreparedDataset> prepared = prepareDataset(m_settings);
    QVERIFY2(prepared.ok(), qPrintable(prepared.error()));
    Result<TrainedModel> model = trainModel(prepared.value(), m_settings);
    QVERIFY2(model.ok(), qPrintable(model.error()));

    Session trainingSession;
    trainingSession.setModel(std::make_shared<const TrainedModel>(std::move(model).value()));
    QVERIFY(trainingSession.modelPath().isEmpty());
    QSignalSpy saved(&trainingSession, &Session::modelSaved);
    trainingSession.saveModel(m_modelPath);
    QVERIFY(saved.wait(30000));
    QCOMPARE(trainingSession.modelPath(), m_modelPath);

    // A fresh session opens the model, then the dataset the model was trained on.
    Session session;
    session.setJobSettings(m_settings);
    QSignalSpy modelChanged(&session, &Session::modelChanged);
    QSignalSpy datasetChanged(&session, &Session::datasetChanged);
    session.openModel(m_modelPath);
    QVERIFY(modelChanged.wait(30000));
    QCOMPARE(session.modelPath(), m_modelPath);
    QCOMPARE(session.model()->databaseItems.size(), trainingSession.model()->databaseItems.size());
    QVERIFY(datasetChanged.count() > 0 || datasetChanged.wait(60000));
    QCOMPARE(session.dataset()->dataset.source, m_settings.datasetPath);
}

void TestSession::missingDatasetOfModelIsReported()
{
    QVERIFY(QFileInfo::exists(m_modelPath));

    // Open the model while its dataset folder is renamed away.
    const QString moved = m_settings.datasetPath + QStringLiteral("-moved");
    QVERIFY(QDir().rename(m_settings.datasetPath, moved));
    Session session;
    QSignalSpy modelChanged(&session, &Session::modelChanged);
    QSignalSpy notes(&session, &Session::statusMessage);
    session.openModel(m_modelPath);
    QVERIFY(modelChanged.wait(30000));
    QVERIFY(QDir().rename(moved, m_settings.datasetPath));

    QVERIFY(!session.isBusy());
    QVERIFY(session.dataset() == nullptr);
    bool reported = false;
    for (const QList<QVariant> &note : std::as_const(notes))
        reported = reported || note.constFirst().toString().contains(QStringLiteral("was not found"));
    QVERIFY(reported);
}

void TestSession::modelOfOtherFeaturesIsReported()
{
    QVERIFY(QFileInfo::exists(m_modelPath));
    Result<PreparedDataset> prepared = prepareDataset(m_settings);
    QVERIFY2(prepared.ok(), qPrintable(prepared.error()));
    prepared->imageFeatures.extractorIdentity = QStringLiteral("another-extractor");

    Session session;
    session.setDataset(std::make_shared<const PreparedDataset>(std::move(prepared).value()));
    const ui::PreparedDatasetPointer dataset = session.dataset();
    QSignalSpy modelChanged(&session, &Session::modelChanged);
    QSignalSpy errors(&session, &Session::errorOccurred);
    session.openModel(m_modelPath);
    QVERIFY(modelChanged.wait(30000));

    QCOMPARE(errors.count(), 1);
    const QString message = errors.constFirst().constFirst().toString();
    QVERIFY2(message.contains(QStringLiteral("another-extractor")), qPrintable(message));
    QVERIFY2(message.contains(session.model()->imageExtractor), qPrintable(message));

    // The session stays usable: the model is there for search and the dataset is kept.
    QVERIFY(session.model() != nullptr);
    QCOMPARE(session.dataset(), dataset);
    QVERIFY(!session.isBusy());
}

void TestSession::checkpointFileIsInTemporaryFolder()
{
    QString folder;
    {
        Session session;
        const QString path = session.checkpointFilePath();
        QVERIFY(!path.isEmpty());
        folder = QFileInfo(path).absolutePath();
        QVERIFY(QFileInfo(folder).isDir());
        QVERIFY(!session.checkpoint().isValid());

        QSignalSpy changed(&session, &Session::checkpointChanged);
        session.setCheckpoint(ui::TrainingCheckpoint{path, 2, m_settings});
        QCOMPARE(changed.count(), 1);
        QCOMPARE(session.checkpoint().epoch, 2);
    }
    QVERIFY(!QFileInfo::exists(folder));
}

QTEST_MAIN(TestSession)
#include "tst_session.moc"
