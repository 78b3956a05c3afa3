#include "loss_chart.h"
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

QTEST_MAIN(TestTrainPage)
#include "tst_train_page.moc"
