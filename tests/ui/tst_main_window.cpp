#include "dataset_items_model.h"
#include "dataset_page.h"
#include "evaluate_page.h"
#include "main_window.h"
#include "message_banner.h"
#include "screenshot_tour.h"
#include "session.h"
#include "ui_fixtures.h"

#include "test_support.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QListView>
#include <QMenu>
#include <QMenuBar>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QStandardItemModel>
#include <QTemporaryDir>
#include <QTest>
#include <QLineEdit>
#include <QComboBox>
#include <QSpinBox>
#include <QTableView>

#include <algorithm>
#include <cmath>

using namespace esafh;
using esafh::ui::DatasetItemsModel;
using esafh::ui::MainWindow;

class TestMainWindow : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void fileMenuHasShortcuts();
    void emptyFolderShowsError();
    void openedDatasetCountsItems();
    void openedComparisonIsRecent();
    void invalidModelFileShowsError();
    void datasetScreenShowsCounts();
    void cocoMiniOpens();
    void datasetScreenFiltersByLabel();
    void validationSetIsHeldOutOnApply();
    void tfIdfCaptionsOnApply();
    void featureDatasetShowsItemsWithoutImages();
    void screenshotTourSavesEveryScreen();

private:
    bool openDataset(const QString &path);

    QTemporaryDir m_folder;
    QString m_tinyRoot;
    MainWindow *m_window = nullptr;
};

void TestMainWindow::initTestCase()
{
    // Keeps the recent-files lists out of the user's settings.
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(m_folder.isValid());
    m_tinyRoot = m_folder.filePath(QStringLiteral("tiny"));
    QVERIFY(test::writeTinyImageTree(m_tinyRoot));
}

void TestMainWindow::init()
{
    m_window = new MainWindow;
    TrainingJobSettings settings = m_window->session()->jobSettings();
    settings.featureCacheDirectory = m_folder.filePath(QStringLiteral("cache"));
    m_window->session()->setJobSettings(settings);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window));
}

void TestMainWindow::cleanup()
{
    delete m_window;
    m_window = nullptr;
}

// Opens a dataset through the session and waits until the job ends; returns whether it opened.
bool TestMainWindow::openDataset(const QString &path)
{
    ui::Session *session = m_window->session();
    QSignalSpy busy(session, &ui::Session::busyChanged);
    session->openDataset(path);
    while (session->isBusy()) {
        if (!busy.wait(60000))
            return false;
    }
    return session->dataset() && session->dataset()->dataset.source == path;
}

void TestMainWindow::fileMenuHasShortcuts()
{
    QMap<QString, QKeySequence> shortcuts;
    for (QAction *action : m_window->findChildren<QAction *>())
        shortcuts.insert(action->text().remove(QLatin1Char('&')), action->shortcut());

    QCOMPARE(shortcuts.value(QStringLiteral("Open Dataset…")), QKeySequence(QKeySequence::Open));
    QCOMPARE(shortcuts.value(QStringLiteral("Open Model…")), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    QCOMPARE(shortcuts.value(QStringLiteral("Save Model As…")), QKeySequence(QKeySequence::Save));
    QCOMPARE(shortcuts.value(QStringLiteral("Open Comparison…")), QKeySequence(Qt::CTRL | Qt::Key_E));
    QCOMPARE(shortcuts.value(QStringLiteral("Open Run Records…")), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E));
    QCOMPARE(shortcuts.value(QStringLiteral("Evaluate")), QKeySequence(Qt::CTRL | Qt::Key_5));
    QVERIFY(shortcuts.contains(QStringLiteral("Quit")));

    // Every screen has its View entry, and the shortcut shows it.
    QTest::keyClick(m_window, Qt::Key_5, Qt::ControlModifier);
    QCOMPARE(m_window->currentScreen(), MainWindow::EvaluateScreen);
    QTest::keyClick(m_window, Qt::Key_2, Qt::ControlModifier);
    QCOMPARE(m_window->currentScreen(), MainWindow::TrainScreen);
}

void TestMainWindow::emptyFolderShowsError()
{
    const QString empty = m_folder.filePath(QStringLiteral("empty"));
    QVERIFY(QDir().mkpath(empty));

    QVERIFY(!openDataset(empty));

    QVERIFY(m_window->session()->dataset() == nullptr);
    QCOMPARE(m_window->banner()->kind(), ui::MessageBanner::Kind::Error);
    QVERIFY2(m_window->banner()->text().contains(empty), qPrintable(m_window->banner()->text()));

    // The window stays usable: another screen opens, and a valid dataset opens next.
    m_window->showScreen(MainWindow::SearchScreen);
    QCOMPARE(m_window->currentScreen(), MainWindow::SearchScreen);
    QVERIFY(openDataset(m_tinyRoot));
}

void TestMainWindow::openedDatasetCountsItems()
{
    ui::Session *session = m_window->session();
    QSignalSpy notes(session, &ui::Session::statusMessage);
    QVERIFY(openDataset(m_tinyRoot));

    QStringList texts;
    for (const QList<QVariant> &note : std::as_const(notes))
        texts.append(note.constFirst().toString());
    QVERIFY2(texts.contains(QStringLiteral("Opened tiny: %1 items.").arg(test::tinyItemCount)), qPrintable(texts.join(u'|')));
    QVERIFY2(!texts.join(u'|').contains(QStringLiteral("(s)")), qPrintable(texts.join(u'|')));
}

void TestMainWindow::openedComparisonIsRecent()
{
    const QString folder = m_folder.filePath(QStringLiteral("comparison"));
    QVERIFY(QDir().mkpath(folder));
    QFile file(folder + QStringLiteral("/results.json"));
    QVERIFY(file.open(QIODevice::WriteOnly));
    const QJsonObject comparison{
        {QStringLiteral("format"), QStringLiteral("esafh-comparison")},
        {QStringLiteral("version"), 1},
        {QStringLiteral("protocol"), QJsonObject{{QStringLiteral("ties"), QStringLiteral("tie-aware")}, {QStringLiteral("k"), 50}}},
        {QStringLiteral("rows"), QJsonArray{}}};
    file.write(QJsonDocument(comparison).toJson());
    file.close();

    QVERIFY2(m_window->evaluatePage()->openComparison(folder), qPrintable(m_window->evaluatePage()->messageText()));

    QMenu *recent = nullptr;
    for (QMenu *menu : m_window->menuBar()->findChildren<QMenu *>()) {
        if (menu->title().remove(QLatin1Char('&')) == QStringLiteral("Recent Comparisons"))
            recent = menu;
    }
    QVERIFY(recent);
    QStringList entries;
    for (QAction *action : recent->actions())
        entries.append(action->text() + QLatin1Char('|') + action->data().toString() + QLatin1Char('|') + action->toolTip());
    QVERIFY2(entries.join(u';').contains(QStringLiteral("comparison")), qPrintable(entries.join(u';')));
}

void TestMainWindow::invalidModelFileShowsError()
{
    const QString path = m_folder.filePath(QStringLiteral("not-a-model.esafh"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("plain text");
    file.close();

    ui::Session *session = m_window->session();
    QSignalSpy errors(session, &ui::Session::errorOccurred);
    session->openModel(path);
    QVERIFY(errors.wait(20000));

    QVERIFY(session->model() == nullptr);
    QVERIFY(!session->isBusy());
    QVERIFY2(m_window->banner()->text().contains(path), qPrintable(m_window->banner()->text()));
}

void TestMainWindow::datasetScreenShowsCounts()
{
    QVERIFY(openDataset(m_tinyRoot));
    const ui::DatasetPage *page = m_window->datasetPage();
    const Dataset &dataset = m_window->session()->dataset()->dataset;

    QCOMPARE(page->summaryValue(QStringLiteral("items")), QString::number(test::tinyItemCount));
    QCOMPARE(page->summaryValue(QStringLiteral("query")), QString::number(dataset.split.query.size()));
    QCOMPARE(page->summaryValue(QStringLiteral("database")), QString::number(dataset.split.database.size()));
    QVERIFY(page->summaryValue(QStringLiteral("emptyCaptions")).startsWith(QStringLiteral("0 ")));

    const QStandardItemModel *labels = page->labelCountModel();
    QCOMPARE(labels->rowCount(), 3);
    for (int row = 0; row < labels->rowCount(); ++row)
        QCOMPARE(labels->item(row, 1)->data(Qt::DisplayRole).toInt(), test::tinyItemsPerCategory);

    DatasetItemsModel *items = page->itemsModel();
    QAbstractItemModelTester tester(items, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(items->rowCount(), test::tinyItemCount);
    const QModelIndex first = items->index(0);
    QVERIFY(!first.data(DatasetItemsModel::CaptionRole).toString().isEmpty());
    QVERIFY(QFileInfo::exists(first.data(DatasetItemsModel::ImagePathRole).toString()));
    QCOMPARE(first.data(DatasetItemsModel::LabelsRole).toStringList().size(), 1);
    const QString split = first.data(DatasetItemsModel::SplitRole).toString();
    QVERIFY2(split == QLatin1String("query") || split == QLatin1String("training"), qPrintable(split));
}

void TestMainWindow::cocoMiniOpens()
{
    ESAFH_REQUIRE_FOLDER(test::cocoMini(), "MS-COCO mini");
    QVERIFY2(openDataset(test::cocoMini()), qPrintable(m_window->banner()->text()));

    QCOMPARE(m_window->datasetPage()->itemsModel()->rowCount(), m_window->session()->dataset()->dataset.size());
    QVERIFY(m_window->datasetPage()->labelCountModel()->rowCount() > 1);
}

void TestMainWindow::datasetScreenFiltersByLabel()
{
    QVERIFY(openDataset(m_tinyRoot));
    ui::DatasetPage *page = m_window->datasetPage();
    const QStandardItemModel *labels = page->labelCountModel();
    const QString label = labels->item(0, 0)->text();

    // Selecting a label in the distribution filters the grid to that label's items.
    page->labelTable()->selectRow(0);
    QCOMPARE(page->filterEdit()->text(), label);
    const QAbstractItemModel *shown = page->itemsView()->model();
    QCOMPARE(shown->rowCount(), test::tinyItemsPerCategory);
    for (int row = 0; row < shown->rowCount(); ++row)
        QVERIFY(shown->index(row, 0).data(DatasetItemsModel::LabelsRole).toStringList().contains(label));
}

void TestMainWindow::validationSetIsHeldOutOnApply()
{
    QVERIFY(openDataset(m_tinyRoot));
    const std::vector<int> queries = m_window->session()->dataset()->dataset.split.query;
    QVERIFY(m_window->session()->dataset()->dataset.split.validation.empty());

    ui::DatasetPage *page = m_window->datasetPage();
    page->validationCountBox()->setValue(2);
    QSignalSpy changed(m_window->session(), &ui::Session::datasetChanged);
    page->applyDatasetSettings();
    QVERIFY(changed.wait(60000));

    const DatasetSplit &split = m_window->session()->dataset()->dataset.split;
    QCOMPARE(split.validation.size(), size_t(2));
    QCOMPARE(split.query, queries);
    for (int item : split.validation)
        QVERIFY(std::find(split.training.begin(), split.training.end(), item) == split.training.end());
    QCOMPARE(page->summaryValue(QStringLiteral("validation")), QStringLiteral("2"));
}

void TestMainWindow::tfIdfCaptionsOnApply()
{
    QVERIFY(openDataset(m_tinyRoot));
    QCOMPARE(m_window->session()->dataset()->vocabulary.settings().weighting, TextWeighting::Binary);

    ui::DatasetPage *page = m_window->datasetPage();
    page->textWeightingBox()->setCurrentIndex(page->textWeightingBox()->findData(static_cast<int>(TextWeighting::TfIdf)));
    QSignalSpy changed(m_window->session(), &ui::Session::datasetChanged);
    page->applyDatasetSettings();
    QVERIFY(changed.wait(60000));

    // TF-IDF rows have unit length where binary rows of several words do not.
    const ui::PreparedDatasetPointer prepared = m_window->session()->dataset();
    QCOMPARE(prepared->vocabulary.settings().weighting, TextWeighting::TfIdf);
    for (int row = 0; row < prepared->textFeatures.rows(); ++row) {
        const float norm = prepared->textFeatures.row(row).norm();
        QVERIFY2(norm == 0.0f || std::abs(norm - 1.0f) < 1e-5f, qPrintable(QString::number(norm)));
    }
}

void TestMainWindow::featureDatasetShowsItemsWithoutImages()
{
    const QString mat = test::wikiMat();
    if (!QFile::exists(mat))
        QSKIP(qPrintable(QStringLiteral("The Wikipedia features (%1) are absent.").arg(mat)));

    // The shipped description names wiki.mat beside it; this copy points at the real file.
    const QString path = test::writeWikiDescription(m_folder.path());
    QVERIFY(!path.isEmpty());

    QVERIFY2(openDataset(path), qPrintable(m_window->banner()->text()));
    DatasetItemsModel *items = m_window->datasetPage()->itemsModel();
    QAbstractItemModelTester tester(items, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(items->rowCount(), 2866);

    const QModelIndex first = items->index(0);
    QVERIFY(first.data(DatasetItemsModel::ImagePathRole).toString().isEmpty());
    QVERIFY2(first.data(DatasetItemsModel::CaptionRole).toString().startsWith(QStringLiteral("Item 0 (")),
             qPrintable(first.data(DatasetItemsModel::CaptionRole).toString()));
    QCOMPARE(first.data(Qt::StatusTipRole).toString(), QStringLiteral("No image: precomputed features"));
}

void TestMainWindow::screenshotTourSavesEveryScreen()
{
    TrainingJobSettings settings = test::tinyJobSettings(m_tinyRoot, m_folder.filePath(QStringLiteral("cache")));
    Result<PreparedDataset> prepared = prepareDataset(settings);
    QVERIFY2(prepared.ok(), qPrintable(prepared.error()));
    Result<TrainedModel> model = trainModel(prepared.value(), settings);
    QVERIFY2(model.ok(), qPrintable(model.error()));
    m_window->session()->setDataset(std::make_shared<const PreparedDataset>(std::move(prepared).value()));
    m_window->session()->setModel(std::make_shared<const TrainedModel>(std::move(model).value()));

    const QString folder = m_folder.filePath(QStringLiteral("screenshots"));
    ui::ScreenshotTour tour(m_window, folder);
    tour.setQuitWhenDone(false);
    QSignalSpy finished(&tour, &ui::ScreenshotTour::finished);
    tour.start();
    QVERIFY(finished.wait(180000));
    QVERIFY(finished.constFirst().constFirst().toBool());

    const QStringList expected{QStringLiteral("dataset.png"), QStringLiteral("train.png"),
                               QStringLiteral("similarity.png"), QStringLiteral("similarity-side-by-side.png"),
                               QStringLiteral("search.png"), QStringLiteral("search-from-item.png"),
                               QStringLiteral("evaluate.png")};
    QCOMPARE(tour.savedCount(), expected.size());
    for (const QString &name : expected) {
        const QImage image(QDir(folder).filePath(name));
        QVERIFY2(!image.isNull(), qPrintable(name));
        QCOMPARE(image.size(), m_window->size());
    }
}

QTEST_MAIN(TestMainWindow)
#include "tst_main_window.moc"
