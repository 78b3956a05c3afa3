#include "loss_chart.h"

#include <QCheckBox>
#include <QComboBox>
#include <QJsonObject>
#include <QProgressBar>
#include <QPushButton>
#include "scores_view.h"
#include "session.h"
#include "train_page.h"
#include "training_settings_form.h"
#include "ui_fixtures.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace esafh;
using esafh::ui::TrainPage;

class TestTrainPage : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void formDefaultsMatchSettings();
    void trainingPublishesModelAndScores();
    void cancelKeepsPreviousModel();
    void methodPickerListsMethods();
    void methodChangeKeepsSchedule();
    void ablationSwitchesRoundTrip();
    void validationSeriesSkipsNaN();
    void pauseThenCancelEnds();
    void resumeFromCheckpointReports();
    void resumeContinuesAfterCheckpoint();
    void loadedModelShowsHistory();

private:
    QTemporaryDir m_folder;
    TrainingJobSettings m_settings;
    ui::Session *m_session = nullptr;
    TrainPage *m_page = nullptr;
};

void TestTrainPage::initTestCase()
{
    QVERIFY(m_folder.isValid());
    const QString root = m_folder.filePath(QStringLiteral("tiny"));
    QVERIFY(test::writeTinyImageTree(root));
    m_settings = test::tinyJobSettings(root, m_folder.filePath(QStringLiteral("cache")));

    Result<PreparedDataset> prepared = prepareDataset(m_settings);
    QVERIFY2(prepared.ok(), qPrintable(prepared.error()));

    m_session = new ui::Session;
    m_session->setJobSettings(m_settings);
    m_session->setDataset(std::make_shared<const PreparedDataset>(std::move(prepared).value()));
    m_page = new TrainPage(m_session);
    m_page->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_page));
}

void TestTrainPage::cleanupTestCase()
{
    delete m_page;
    delete m_session;
}

void TestTrainPage::formDefaultsMatchSettings()
{
    ui::TrainingSettingsForm form;
    const EsafhSettings defaults;
    const EsafhSettings shown = form.settings();

    QCOMPARE(shown.bits, 64);
    QCOMPARE(shown.epochs, defaults.epochs);
    QCOMPARE(shown.batchSize, defaults.batchSize);
    QCOMPARE(shown.fusionScale, defaults.fusionScale);
    QCOMPARE(shown.toJson(), defaults.toJson());
}

void TestTrainPage::trainingPublishesModelAndScores()
{
    m_page->settingsForm()->setSettings(m_settings.esafh);
    QSignalSpy finished(m_page, &TrainPage::trainingFinished);
    QSignalSpy modelChanged(m_session, &ui::Session::modelChanged);

    m_page->startTraining();
    QVERIFY(m_page->isTraining());
    QVERIFY(finished.wait(180000));

    QVERIFY2(finished.constFirst().constFirst().toBool(), qPrintable(m_page->messageText()));
    QVERIFY(!m_page->isTraining());
    QCOMPARE(modelChanged.count(), 1);
    QVERIFY(m_session->model() != nullptr);
    QCOMPARE(m_session->model()->settings.bits, 16);

    QVERIFY2(m_page->logText().contains(QStringLiteral("Epoch 2/2: loss")), qPrintable(m_page->logText()));
    QCOMPARE(m_page->lossChart()->epochPointCount(), 2);
    QVERIFY(m_page->lossChart()->batchPointCount() >= 2);

    bool isNumber = false;
    const double imageToText = m_page->scoresView()->cellText(0, 0).toDouble(&isNumber);
    QVERIFY(isNumber);
    QCOMPARE(imageToText, std::round(m_session->model()->scores.imageToTextAll * 1e4) / 1e4);
    QVERIFY(m_page->scoresView()->protocolText().contains(QStringLiteral("tie-aware")));

    // Each epoch's checkpoint went to the session's temporary folder.
    const ui::TrainingCheckpoint &checkpoint = m_session->checkpoint();
    QVERIFY(checkpoint.isValid());
    QCOMPARE(checkpoint.epoch, 2);
    QCOMPARE(checkpoint.path, m_session->checkpointFilePath());
    QVERIFY(QFileInfo(checkpoint.path).size() > 0);
    QCOMPARE(checkpoint.settings.esafh.toJson(), m_settings.esafh.toJson());
}

void TestTrainPage::cancelKeepsPreviousModel()
{
    const ui::TrainedModelPointer previous = m_session->model();
    EsafhSettings longRun = m_settings.esafh;
    longRun.epochs = 10000;
    m_page->settingsForm()->setSettings(longRun);
    QSignalSpy finished(m_page, &TrainPage::trainingFinished);

    m_page->startTraining();
    m_page->cancelTraining();
    QVERIFY(finished.wait(60000));

    QVERIFY(!finished.constFirst().constFirst().toBool());
    QVERIFY2(m_page->messageText().contains(QStringLiteral("cancelled")), qPrintable(m_page->messageText()));
    QCOMPARE(m_session->model(), previous);
}

void TestTrainPage::methodPickerListsMethods()
{
    ui::TrainingSettingsForm form;
    QComboBox *methods = form.methodBox();
    const QStringList names = EsafhSettings::methodNames();
    QCOMPARE(methods->count(), names.size());
    for (int i = 0; i < names.size(); ++i)
        QCOMPARE(methods->itemData(i).toString(), names[i]);
    QCOMPARE(methods->currentData().toString(), QStringLiteral("esafh"));
    QVERIFY(methods->toolTip().contains(QStringLiteral("Default: ESAFH")));
}

void TestTrainPage::methodChangeKeepsSchedule()
{
    ui::TrainingSettingsForm form;
    EsafhSettings settings;
    settings.bits = 32;
    settings.epochs = 7;
    settings.seed = 5;
    form.setSettings(settings);

    QSignalSpy changed(&form, &ui::TrainingSettingsForm::settingsChanged);
    const int djsrh = form.methodBox()->findData(QStringLiteral("djsrh"));
    QVERIFY(djsrh >= 0);
    form.methodBox()->setCurrentIndex(djsrh);
    Q_EMIT form.methodBox()->activated(djsrh);

    const EsafhSettings shown = form.settings();
    QCOMPARE(shown.method, QStringLiteral("djsrh"));
    QCOMPARE(shown.bits, 32);
    QCOMPARE(shown.epochs, 7);
    QCOMPARE(shown.seed, quint64(5));
    QVERIFY(changed.count() > 0);
    QVERIFY(shown.validate().ok());
}

void TestTrainPage::ablationSwitchesRoundTrip()
{
    ui::TrainingSettingsForm form;
    for (const QString &name : {QStringLiteral("attentionFusion"), QStringLiteral("neighbourCoherence"),
                                QStringLiteral("neighbourEnrichment"), QStringLiteral("learnedTextEncoder"),
                                QStringLiteral("crossModalTerm")}) {
        QCheckBox *box = form.ablationSwitch(name);
        QVERIFY2(box, qPrintable(name));
        QVERIFY2(box->toolTip().contains(QStringLiteral("Default:")), qPrintable(name));
    }

    EsafhSettings settings;
    settings.attentionFusion = false;
    settings.neighbourCoherence = true;
    settings.neighbourEnrichment = false;
    settings.learnedTextEncoder = false;
    settings.crossModalTerm = false;
    form.setSettings(settings);
    QVERIFY(!form.ablationSwitch(QStringLiteral("attentionFusion"))->isChecked());
    QVERIFY(form.ablationSwitch(QStringLiteral("neighbourCoherence"))->isChecked());
    QVERIFY(!form.ablationSwitch(QStringLiteral("neighbourEnrichment"))->isChecked());
    QVERIFY(!form.ablationSwitch(QStringLiteral("learnedTextEncoder"))->isChecked());
    QVERIFY(!form.ablationSwitch(QStringLiteral("crossModalTerm"))->isChecked());
    QCOMPARE(form.settings().toJson(), settings.toJson());

    form.ablationSwitch(QStringLiteral("neighbourCoherence"))->setChecked(false);
    QVERIFY(!form.settings().neighbourCoherence);
}

void TestTrainPage::validationSeriesSkipsNaN()
{
    ui::LossChart chart;
    EpochReport report;
    report.epoch = 1;
    report.epochCount = 3;
    report.loss = 0.5;
    chart.addEpoch(report);
    QCOMPARE(chart.validationPointCount(), 0);

    report.epoch = 2;
    report.validationScore = 0.42;
    chart.addEpoch(report);
    QCOMPARE(chart.validationPointCount(), 1);
    QCOMPARE(chart.epochPointCount(), 2);

    QJsonArray history;
    history.append(QJsonObject{{QStringLiteral("epoch"), 1}, {QStringLiteral("loss"), 0.4}, {QStringLiteral("validation_map"), 0.3}});
    history.append(QJsonObject{{QStringLiteral("epoch"), 2}, {QStringLiteral("loss"), 0.3}, {QStringLiteral("validation_map"), QJsonValue()}});
    chart.setHistory(history);
    QCOMPARE(chart.epochPointCount(), 2);
    QCOMPARE(chart.validationPointCount(), 1);
}

void TestTrainPage::pauseThenCancelEnds()
{
    EsafhSettings longRun = m_settings.esafh;
    longRun.epochs = 10000;
    m_page->settingsForm()->setSettings(longRun);
    QSignalSpy finished(m_page, &TrainPage::trainingFinished);

    m_page->startTraining();
    QVERIFY(m_page->isTraining());
    m_page->setPaused(true);
    QVERIFY(m_page->isPaused());
    QVERIFY2(m_page->logText().contains(QStringLiteral("Paused.")), qPrintable(m_page->logText()));
    m_page->setPaused(false);
    QVERIFY(!m_page->isPaused());
    m_page->setPaused(true);

    // Cancelling a paused run releases it, so the run ends instead of waiting forever.
    m_page->cancelTraining();
    QVERIFY(finished.wait(60000));
    QVERIFY(!finished.constFirst().constFirst().toBool());
    QVERIFY(!m_page->isTraining());
    QVERIFY(!m_page->isPaused());
}

void TestTrainPage::resumeFromCheckpointReports()
{
    const ui::TrainedModelPointer previous = m_session->model();
    const QString path = m_folder.filePath(QStringLiteral("checkpoint.bin"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("not a checkpoint of any run");
    file.close();

    TrainingJobSettings settings = m_settings;
    settings.datasetPath = m_session->dataset()->dataset.source;
    settings.backbone = m_session->dataset()->imageFeatures.backbone;
    m_session->setCheckpoint(ui::TrainingCheckpoint{path, 1, settings});

    QSignalSpy finished(m_page, &TrainPage::trainingFinished);
    m_page->resumeFromCheckpoint();
    QVERIFY(finished.wait(60000));

    // A checkpoint that cannot be resumed ends the run with a message and keeps the model.
    QVERIFY(!finished.constFirst().constFirst().toBool());
    QVERIFY(!m_page->messageText().isEmpty());
    QCOMPARE(m_session->model(), previous);
    QVERIFY(!m_page->isTraining());
    m_session->setCheckpoint({});
}

void TestTrainPage::resumeContinuesAfterCheckpoint()
{
    EsafhSettings longRun = m_settings.esafh;
    longRun.epochs = 10000;
    m_page->settingsForm()->setSettings(longRun);
    QSignalSpy finished(m_page, &TrainPage::trainingFinished);

    m_page->startTraining();
    QTRY_VERIFY_WITH_TIMEOUT(m_session->checkpoint().isValid(), 60000);
    m_page->cancelTraining();
    QVERIFY(finished.wait(60000));
    const int cancelledAfter = m_session->checkpoint().epoch;
    QVERIFY(cancelledAfter >= 1);

    // The resumed run numbers its epochs on from the checkpoint instead of from 1.
    m_page->resumeFromCheckpoint();
    QVERIFY(m_page->isTraining());
    QTRY_VERIFY_WITH_TIMEOUT(m_session->checkpoint().epoch > cancelledAfter, 60000);
    QVERIFY2(m_page->messageText().isEmpty(), qPrintable(m_page->messageText()));
    m_page->cancelTraining();
    QVERIFY(finished.wait(60000));
    QVERIFY(!m_page->isTraining());
    m_session->setCheckpoint({});
}

void TestTrainPage::loadedModelShowsHistory()
{
    auto model = std::make_shared<TrainedModel>();
    model->settings = m_settings.esafh;
    model->datasetName = QStringLiteral("tiny");
    for (int epoch = 1; epoch <= 3; ++epoch) {
        model->history.append(QJsonObject{{QStringLiteral("epoch"), epoch},
                                          {QStringLiteral("loss"), 1.0 / epoch},
                                          {QStringLiteral("validation_map"), 0.1 * epoch}});
    }
    m_session->setModel(model, m_folder.filePath(QStringLiteral("saved.esafh")));

    const QProgressBar *progress = m_page->findChild<QProgressBar *>();
    QVERIFY(progress);
    QCOMPARE(progress->format(), QStringLiteral("Trained for 3 epochs"));
    QCOMPARE(m_page->lossChart()->epochPointCount(), 3);
    QCOMPARE(m_page->lossChart()->validationPointCount(), 3);
    QVERIFY2(m_page->logText().contains(QStringLiteral("Epoch 3/3: loss 0.3333; validation mAP 0.3000")), qPrintable(m_page->logText()));
}

QTEST_MAIN(TestTrainPage)
#include "tst_train_page.moc"
