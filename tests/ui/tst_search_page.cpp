#include "search_page.h"
#include "search_results_model.h"
#include "session.h"
#include "thumbnail_cache.h"
#include "ui_fixtures.h"

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QLineEdit>
#include <QListView>
#include <QMimeData>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

using namespace esafh;
using esafh::ui::SearchPage;
using esafh::ui::SearchResultsModel;

class TestSearchPage : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void typedQueryFillsResultsModel();
    void typedQueryAllowsOnlyTextDirections();
    void clickedResultSearchesFromItem();
    void unknownWordsShowMessage();
    void nonImageFileShowsMessage();
    void droppedImageSearches();

private:
    bool runTypedQuery(const QString &text);
    bool waitForSearch(QSignalSpy &finished);

    QTemporaryDir m_folder;
    ui::Session *m_session = nullptr;
    ui::ThumbnailCache *m_thumbnails = nullptr;
    SearchPage *m_page = nullptr;
    QAbstractItemModelTester *m_tester = nullptr;
    int m_databaseSize = 0;
};

void TestSearchPage::initTestCase()
{
    QVERIFY(m_folder.isValid());
    const QString root = m_folder.filePath(QStringLiteral("tiny"));
    QVERIFY(test::writeTinyImageTree(root));
    const TrainingJobSettings settings = test::tinyJobSettings(root, m_folder.filePath(QStringLiteral("cache")));

    Result<PreparedDataset> prepared = prepareDataset(settings);
    QVERIFY2(prepared.ok(), qPrintable(prepared.error()));
    QCOMPARE(prepared->dataset.size(), test::tinyItemCount);
    Result<TrainedModel> model = trainModel(prepared.value(), settings);
    QVERIFY2(model.ok(), qPrintable(model.error()));
    m_databaseSize = static_cast<int>(model->databaseItems.size());
    QVERIFY(m_databaseSize > 5);

    m_session = new ui::Session;
    m_session->setDataset(std::make_shared<const PreparedDataset>(std::move(prepared).value()));
    m_session->setModel(std::make_shared<const TrainedModel>(std::move(model).value()));
    m_thumbnails = new ui::ThumbnailCache;
    m_page = new SearchPage(m_session, m_thumbnails);
    m_tester = new QAbstractItemModelTester(m_page->resultsModel(), QAbstractItemModelTester::FailureReportingMode::QtTest,
                                            this);
    m_page->resize(1000, 700);
    m_page->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_page));
}

void TestSearchPage::cleanupTestCase()
{
    delete m_tester;
    delete m_page;
    delete m_thumbnails;
    delete m_session;
}

bool TestSearchPage::waitForSearch(QSignalSpy &finished)
{
    return finished.count() > 0 || finished.wait(20000);
}

// Types the text into the query field and presses Enter, as a user would.
bool TestSearchPage::runTypedQuery(const QString &text)
{
    QSignalSpy finished(m_page, &SearchPage::searchFinished);
    m_page->queryEdit()->clear();
    QTest::keyClicks(m_page->queryEdit(), text);
    QTest::keyClick(m_page->queryEdit(), Qt::Key_Return);
    return waitForSearch(finished) && finished.constFirst().constFirst().toBool();
}

void TestSearchPage::typedQueryFillsResultsModel()
{
    m_page->resultCountBox()->setValue(5);
    QVERIFY2(runTypedQuery(QStringLiteral("red apple")), qPrintable(m_page->messageText()));

    QCOMPARE(m_page->queryKind(), SearchPage::QueryKind::Text);
    QCOMPARE(m_page->direction(), SearchDirection::TextToImage);

    const SearchResultsModel *results = m_page->resultsModel();
    QCOMPARE(results->rowCount(), 5);
    int previousDistance = -1;
    for (int row = 0; row < results->rowCount(); ++row) {
        const QModelIndex index = results->index(row);
        QCOMPARE(index.data(SearchResultsModel::RankRole).toInt(), row + 1);
        const int distance = index.data(SearchResultsModel::DistanceRole).toInt();
        QVERIFY(distance >= previousDistance);
        QVERIFY(distance >= 0 && distance <= 16);
        previousDistance = distance;

        const QString caption = index.data(SearchResultsModel::CaptionRole).toString();
        QVERIFY(!caption.isEmpty());
        QCOMPARE(index.data(Qt::DisplayRole).toString(), caption);
        QVERIFY(QFileInfo::exists(index.data(SearchResultsModel::ImagePathRole).toString()));
        const int databaseIndex = index.data(SearchResultsModel::DatabaseIndexRole).toInt();
        QVERIFY(databaseIndex >= 0 && databaseIndex < m_databaseSize);
        QCOMPARE(index.data(SearchResultsModel::LabelsRole).toStringList().size(), 1);
        // A typed query has no labels, so relevance is unknown.
        QVERIFY(!index.data(SearchResultsModel::RelevantRole).isValid());
    }
    QVERIFY2(m_page->messageText().contains(QStringLiteral("ms")), qPrintable(m_page->messageText()));

    // Thumbnails arrive in the background and then appear as decorations.
    m_thumbnails->waitForLoads();
    QTRY_VERIFY(!results->index(0).data(Qt::DecorationRole).value<QPixmap>().isNull());
}

void TestSearchPage::typedQueryAllowsOnlyTextDirections()
{
    QTest::keyClicks(m_page->queryEdit(), QStringLiteral(" car"));

    const auto *directions = qobject_cast<QStandardItemModel *>(m_page->directionBox()->model());
    QVERIFY(directions);
    for (int row = 0; row < directions->rowCount(); ++row) {
        const auto direction = static_cast<SearchDirection>(m_page->directionBox()->itemData(row).toInt());
        QCOMPARE(directions->item(row)->isEnabled(), !queryIsImage(direction));
    }
}

void TestSearchPage::clickedResultSearchesFromItem()
{
    QVERIFY(runTypedQuery(QStringLiteral("green frog")));
    const QModelIndex first = m_page->resultsModel()->index(0);
    const int clickedItem = first.data(SearchResultsModel::DatabaseIndexRole).toInt();
    m_page->setDirection(SearchDirection::TextToText);

    QSignalSpy finished(m_page, &SearchPage::searchFinished);
    QListView *view = m_page->resultsView();
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, view->visualRect(first).center());
    QVERIFY(waitForSearch(finished));
    QVERIFY2(finished.constFirst().constFirst().toBool(), qPrintable(m_page->messageText()));

    QCOMPARE(m_page->queryKind(), SearchPage::QueryKind::Item);
    const SearchResultsModel *results = m_page->resultsModel();
    QVERIFY(results->rowCount() > 0);
    // Text to text from a database item finds its own caption at distance 0.
    QCOMPARE(results->index(0).data(SearchResultsModel::DistanceRole).toInt(), 0);
    bool foundItself = false;
    for (int row = 0; row < results->rowCount(); ++row) {
        const QModelIndex index = results->index(row);
        QVERIFY(index.data(SearchResultsModel::RelevantRole).isValid());
        if (index.data(SearchResultsModel::DatabaseIndexRole).toInt() == clickedItem) {
            foundItself = true;
            QCOMPARE(index.data(SearchResultsModel::DistanceRole).toInt(), 0);
            QVERIFY(index.data(SearchResultsModel::RelevantRole).toBool());
        }
    }
    QVERIFY(foundItself);
}

void TestSearchPage::unknownWordsShowMessage()
{
    QVERIFY(!runTypedQuery(QStringLiteral("zyxwv qwzrt")));
    QVERIFY2(m_page->messageText().contains(QStringLiteral("vocabulary")), qPrintable(m_page->messageText()));
    QCOMPARE(m_page->resultsModel()->rowCount(), 0);

    // The screen stays usable.
    QVERIFY2(runTypedQuery(QStringLiteral("blue car")), qPrintable(m_page->messageText()));
    QVERIFY(m_page->resultsModel()->rowCount() > 0);
}

void TestSearchPage::nonImageFileShowsMessage()
{
    const QString path = m_folder.filePath(QStringLiteral("notes.png"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("This is text, not an image.\n");
    file.close();

    QSignalSpy finished(m_page, &SearchPage::searchFinished);
    m_page->searchByImageFile(path);
    QVERIFY(waitForSearch(finished));
    QVERIFY(!finished.constFirst().constFirst().toBool());
    QCOMPARE(m_page->queryKind(), SearchPage::QueryKind::Image);
    QVERIFY(queryIsImage(m_page->direction()));
    QVERIFY2(m_page->messageText().contains(QStringLiteral("notes.png")), qPrintable(m_page->messageText()));
    QCOMPARE(m_page->resultsModel()->rowCount(), 0);

    QVERIFY2(runTypedQuery(QStringLiteral("apple")), qPrintable(m_page->messageText()));
}

void TestSearchPage::droppedImageSearches()
{
    const QString image = m_folder.filePath(QStringLiteral("tiny/fruit/item2.png"));
    QMimeData mimeData;
    mimeData.setUrls({QUrl::fromLocalFile(image)});

    QSignalSpy finished(m_page, &SearchPage::searchFinished);
    const QPoint centre = m_page->rect().center();
    QDragEnterEvent enter(centre, Qt::CopyAction, &mimeData, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(m_page, &enter);
    QVERIFY(enter.isAccepted());
    QDropEvent drop(centre, Qt::CopyAction, &mimeData, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(m_page, &drop);

    QVERIFY(waitForSearch(finished));
    QVERIFY2(finished.constFirst().constFirst().toBool(), qPrintable(m_page->messageText()));
    QCOMPARE(m_page->queryKind(), SearchPage::QueryKind::Image);
    QCOMPARE(m_page->direction(), SearchDirection::ImageToText);
    QCOMPARE(m_page->resultsModel()->rowCount(), m_page->resultCountBox()->value());
}

QTEST_MAIN(TestSearchPage)
#include "tst_search_page.moc"
