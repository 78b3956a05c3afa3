#include "search_page.h"
#include "search_results_model.h"
#include "session.h"
#include "thumbnail_cache.h"
#include "ui_fixtures.h"

#include <QAbstractItemModelTester>
#include <QClipboard>
#include <QGuiApplication>
#include <QPushButton>
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
    void droppedImageDataSearches();
    void pagesCoverWholeRanking();
    void pageSizeChangeKeepsFirstResult();
    void pastedImageSearches();
    void pastedTextGoesToQueryField();
    void pastedNonImageFileShowsMessage();
    void pasteWithoutImageShowsMessage();

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
    m_page->pageSizeBox()->setValue(10);
    QVERIFY2(runTypedQuery(QStringLiteral("red apple")), qPrintable(m_page->messageText()));

    QCOMPARE(m_page->queryKind(), SearchPage::QueryKind::Text);
    QCOMPARE(m_page->direction(), SearchDirection::TextToImage);

    const SearchResultsModel *results = m_page->resultsModel();
    QCOMPARE(results->rowCount(), 10);
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

    // The query field shows the caption of the item searched from.
    const QString caption = m_session->model()->databaseItems[static_cast<std::size_t>(clickedItem)].caption();
    QCOMPARE(m_page->queryEdit()->text(), caption);
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
    QVERIFY(m_page->showsError());
    QCOMPARE(m_page->resultsModel()->rowCount(), 0);
    QVERIFY(!m_page->nextPageButton()->isEnabled());

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
    QCOMPARE(m_page->resultsModel()->rowCount(), std::min(m_databaseSize, m_page->pageSizeBox()->value()));
    // An image query has no text, so the query field is empty.
    QVERIFY(m_page->queryEdit()->text().isEmpty());
}

void TestSearchPage::droppedImageDataSearches()
{
    QMimeData mimeData;
    mimeData.setImageData(test::drawTinyImage(1, 3));

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
}

// Next and Previous walk the whole ranking, which equals the core's ranking.
void TestSearchPage::pagesCoverWholeRanking()
{
    m_page->pageSizeBox()->setValue(10);
    QVERIFY2(runTypedQuery(QStringLiteral("blue car")), qPrintable(m_page->messageText()));
    const int pages = (m_databaseSize + 9) / 10;
    QCOMPARE(m_page->pageCount(), pages);
    QVERIFY(pages >= 2);
    QCOMPARE(m_page->currentPage(), 0);
    QVERIFY(!m_page->previousPageButton()->isEnabled());
    QVERIFY(m_page->nextPageButton()->isEnabled());

    std::vector<int> shown;
    const SearchResultsModel *results = m_page->resultsModel();
    for (int page = 0; page < pages; ++page) {
        QCOMPARE(m_page->currentPage(), page);
        QCOMPARE(results->rowCount(), std::min(10, m_databaseSize - page * 10));
        for (int row = 0; row < results->rowCount(); ++row) {
            QCOMPARE(results->index(row).data(SearchResultsModel::RankRole).toInt(), page * 10 + row + 1);
            shown.push_back(results->index(row).data(SearchResultsModel::DatabaseIndexRole).toInt());
        }
        QVERIFY2(m_page->messageText().contains(QStringLiteral("%1–").arg(page * 10 + 1)), qPrintable(m_page->messageText()));
        if (page + 1 < pages) {
            QSignalSpy finished(m_page, &SearchPage::searchFinished);
            QTest::mouseClick(m_page->nextPageButton(), Qt::LeftButton);
            QVERIFY(waitForSearch(finished));
            QVERIFY(finished.constFirst().constFirst().toBool());
        }
    }
    QVERIFY(!m_page->nextPageButton()->isEnabled());

    Result<SearchResult> whole = searchByText(*m_session->model(), QStringLiteral("blue car"), SearchDirection::TextToImage,
                                              m_databaseSize);
    QVERIFY(whole.ok());
    std::vector<int> expected;
    for (const SearchHit &hit : whole->hits)
        expected.push_back(hit.databaseIndex);
    QCOMPARE(shown, expected);

    QSignalSpy finished(m_page, &SearchPage::searchFinished);
    QTest::mouseClick(m_page->previousPageButton(), Qt::LeftButton);
    QVERIFY(waitForSearch(finished));
    QCOMPARE(m_page->currentPage(), pages - 2);
    QCOMPARE(results->index(0).data(SearchResultsModel::RankRole).toInt(), (pages - 2) * 10 + 1);
}

void TestSearchPage::pageSizeChangeKeepsFirstResult()
{
    m_page->pageSizeBox()->setValue(10);
    QVERIFY(runTypedQuery(QStringLiteral("green frog")));
    QSignalSpy finished(m_page, &SearchPage::searchFinished);
    m_page->showNextPage();
    QVERIFY(waitForSearch(finished));
    QCOMPARE(m_page->resultsModel()->index(0).data(SearchResultsModel::RankRole).toInt(), 11);

    finished.clear();
    m_page->pageSizeBox()->setValue(20);
    Q_EMIT m_page->pageSizeBox()->editingFinished();
    QVERIFY(waitForSearch(finished));
    QCOMPARE(m_page->currentPage(), 0);
    QCOMPARE(m_page->resultsModel()->rowCount(), std::min(20, m_databaseSize));
    m_page->pageSizeBox()->setValue(10);
}

// Ctrl+V in the query field with an image on the clipboard searches with the image.
void TestSearchPage::pastedImageSearches()
{
    QGuiApplication::clipboard()->setImage(test::drawTinyImage(2, 4));
    m_page->queryEdit()->setText(QStringLiteral("old words"));
    m_page->queryEdit()->setFocus();

    QSignalSpy finished(m_page, &SearchPage::searchFinished);
    QTest::keyClick(m_page->queryEdit(), Qt::Key_V, Qt::ControlModifier);
    QVERIFY(waitForSearch(finished));
    QVERIFY2(finished.constFirst().constFirst().toBool(), qPrintable(m_page->messageText()));
    QCOMPARE(m_page->queryKind(), SearchPage::QueryKind::Image);
    QVERIFY(queryIsImage(m_page->direction()));
    QVERIFY(m_page->queryEdit()->text().isEmpty());
    QVERIFY(m_page->resultsModel()->rowCount() > 0);
}

// Text on the clipboard pastes into the query field as usual and searches nothing.
void TestSearchPage::pastedTextGoesToQueryField()
{
    QGuiApplication::clipboard()->setText(QStringLiteral("blue car"));
    m_page->queryEdit()->clear();
    m_page->queryEdit()->setFocus();

    QTest::keyClick(m_page->queryEdit(), Qt::Key_V, Qt::ControlModifier);
    QCOMPARE(m_page->queryEdit()->text(), QStringLiteral("blue car"));
    QVERIFY(!m_page->isSearching());
}

void TestSearchPage::pastedNonImageFileShowsMessage()
{
    const QString path = m_folder.filePath(QStringLiteral("pasted-notes.jpg"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("Plain text in a file named like an image.\n");
    file.close();
    auto *mimeData = new QMimeData;
    mimeData->setUrls({QUrl::fromLocalFile(path)});
    QGuiApplication::clipboard()->setMimeData(mimeData);

    // Ctrl+V on the results grid, outside the query field.
    m_page->resultsView()->setFocus();
    QSignalSpy finished(m_page, &SearchPage::searchFinished);
    QTest::keyClick(m_page->resultsView(), Qt::Key_V, Qt::ControlModifier);
    QVERIFY(waitForSearch(finished));
    QVERIFY(!finished.constFirst().constFirst().toBool());
    QVERIFY(m_page->showsError());
    QVERIFY2(m_page->messageText().contains(QStringLiteral("pasted-notes.jpg")), qPrintable(m_page->messageText()));
    QCOMPARE(m_page->resultsModel()->rowCount(), 0);

    // The screen stays usable.
    QVERIFY2(runTypedQuery(QStringLiteral("apple")), qPrintable(m_page->messageText()));
    QVERIFY(!m_page->showsError());
}

void TestSearchPage::pasteWithoutImageShowsMessage()
{
    QGuiApplication::clipboard()->setMimeData(new QMimeData);
    m_page->pasteQuery();
    QVERIFY(m_page->showsError());
    QVERIFY2(m_page->messageText().contains(QStringLiteral("not an image")), qPrintable(m_page->messageText()));
    QVERIFY(!m_page->isSearching());
    QVERIFY(m_page->searchButton()->isEnabled());
}

QTEST_MAIN(TestSearchPage)
#include "tst_search_page.moc"
