#include "screenshot_tour.h"

#include "evaluate_page.h"
#include "heatmap_widget.h"
#include "main_window.h"
#include "search_page.h"
#include "search_results_model.h"
#include "session.h"
#include "similarity_page.h"
#include "thumbnail_cache.h"

#include "common/logging.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QPixmap>
#include <QTimer>

#include <memory>

namespace esafh::ui {

namespace {

constexpr int pollMilliseconds = 200;
// Time for layouts, tooltips and charts to settle before a screenshot.
constexpr int settleMilliseconds = 600;
constexpr int screenshotSubsetSize = 300;

} // namespace

ScreenshotTour::ScreenshotTour(MainWindow *window, const QString &folder)
    : QObject(window), m_window(window), m_folder(folder)
{
}

void ScreenshotTour::start()
{
    if (!QDir().mkpath(m_folder)) {
        fail(QStringLiteral("Cannot create the screenshot folder %1.").arg(m_folder));
        return;
    }
    m_window->resize(1280, 800);
    qCInfo(lcUi) << "Screenshot tour: waiting for the dataset and the model";
    Session *session = m_window->session();
    // Opening a large dataset extracts its features first, which takes minutes.
    waitFor(QStringLiteral("the dataset and the model to open"),
            [session] { return !session->isBusy() && session->dataset() && session->model(); }, 900,
            [this] { showDataset(); });
}

void ScreenshotTour::waitFor(const QString &awaited, const Condition &condition, int timeoutSeconds, const Step &next)
{
    auto *poll = new QTimer(this);
    poll->setInterval(pollMilliseconds);
    auto elapsed = std::make_shared<QElapsedTimer>();
    elapsed->start();
    const auto check = [this, poll, awaited, condition, timeoutSeconds, next, elapsed] {
        if (condition()) {
            poll->stop();
            poll->deleteLater();
            next();
        } else if (elapsed->elapsed() > timeoutSeconds * 1000LL) {
            poll->stop();
            poll->deleteLater();
            fail(QStringLiteral("Timed out after %1 s waiting for %2.").arg(timeoutSeconds).arg(awaited));
        }
    };
    connect(poll, &QTimer::timeout, this, check);
    poll->start();
    check();
}

// Grabs once so that the views request their thumbnails, waits for those, and
// saves a second grab.
void ScreenshotTour::settleThenSave(const QString &fileName, const Step &next)
{
    QTimer::singleShot(settleMilliseconds, this, [this, fileName, next] {
        m_window->grab();
        if (auto *thumbnails = m_window->findChild<ThumbnailCache *>())
            thumbnails->waitForLoads();
        QTimer::singleShot(settleMilliseconds, this, [this, fileName, next] {
            save(fileName);
            next();
        });
    });
}

void ScreenshotTour::save(const QString &fileName)
{
    const QString path = QDir(m_folder).filePath(fileName);
    if (!m_window->grab().save(path, "PNG")) {
        fail(QStringLiteral("Cannot write the screenshot %1.").arg(path));
        return;
    }
    ++m_saved;
    qCInfo(lcUi) << "Screenshot tour: saved" << path;
}

void ScreenshotTour::fail(const QString &message)
{
    qCCritical(lcUi) << "Screenshot tour failed:" << message;
    Q_EMIT finished(false);
    if (m_quitWhenDone)
        QCoreApplication::exit(1);
}

void ScreenshotTour::showDataset()
{
    m_window->showScreen(MainWindow::DatasetScreen);
    settleThenSave(QStringLiteral("dataset.png"), [this] { showTrain(); });
}

void ScreenshotTour::showTrain()
{
    m_window->showScreen(MainWindow::TrainScreen);
    settleThenSave(QStringLiteral("train.png"), [this] { showSimilarity(); });
}

void ScreenshotTour::showSimilarity()
{
    SimilarityPage *page = m_window->similarityPage();
    page->setSubsetSize(screenshotSubsetSize);
    page->setOrder(SubsetOrder::Label);
    page->setView(SimilarityPage::View::Single);
    m_window->showScreen(MainWindow::SimilarityScreen);
    const auto computed = std::make_shared<bool>(false);
    connect(page, &SimilarityPage::computed, this, [computed] { *computed = true; }, Qt::SingleShotConnection);
    page->compute();
    waitFor(QStringLiteral("the similarity matrices"),
            [page, computed] {
                return *computed && page->subset().items.size() > 1 && !page->heatmap()->image().isNull();
            },
            600, [this, page] {
                // A cell between two items of the first label group, as if hovered.
                const std::vector<int> &starts = page->subset().groupStarts;
                const int groupEnd = starts.size() > 1 ? starts[1] : static_cast<int>(page->subset().items.size());
                page->showCell(0, std::max(1, groupEnd / 2));
                settleThenSave(QStringLiteral("similarity.png"), [this] { showSimilaritySideBySide(); });
            });
}

void ScreenshotTour::showSimilaritySideBySide()
{
    SimilarityPage *page = m_window->similarityPage();
    page->setView(SimilarityPage::View::SideBySide);
    const auto computed = std::make_shared<bool>(false);
    connect(page, &SimilarityPage::computed, this, [computed] { *computed = true; }, Qt::SingleShotConnection);
    page->setOrder(SubsetOrder::Cluster);
    waitFor(QStringLiteral("the matrices ordered by cluster"),
            [page, computed] {
                if (!*computed)
                    return false;
                for (int index = 0; index < SimilarityPage::matrixCount; ++index) {
                    const HeatmapWidget *tile = page->tile(static_cast<SimilarityPage::Matrix>(index));
                    if (tile->isRendering() || tile->image().isNull())
                        return false;
                }
                return true;
            },
            300, [this] { settleThenSave(QStringLiteral("similarity-side-by-side.png"), [this] { showSearch(); }); });
}

void ScreenshotTour::showSearch()
{
    SearchPage *page = m_window->searchPage();
    m_window->showScreen(MainWindow::SearchScreen);
    const TrainedModelPointer model = m_window->session()->model();
    const auto &items = model->databaseItems;
    const QString caption = items.empty() ? QStringLiteral("a") : items[items.size() / 3].caption();
    const auto searched = std::make_shared<bool>(false);
    connect(page, &SearchPage::searchFinished, this, [searched] { *searched = true; }, Qt::SingleShotConnection);
    page->searchByText(caption);
    waitFor(QStringLiteral("the text search"), [searched] { return *searched; }, 120, [this, page] {
        if (page->resultsModel()->rowCount() == 0) {
            fail(QStringLiteral("The sample text search found nothing: %1").arg(page->messageText()));
            return;
        }
        settleThenSave(QStringLiteral("search.png"), [this] { showSearchFromItem(); });
    });
}

void ScreenshotTour::showSearchFromItem()
{
    SearchPage *page = m_window->searchPage();
    const int item = page->resultsModel()->hit(0).databaseIndex;
    page->setDirection(SearchDirection::ImageToImage);
    const auto searched = std::make_shared<bool>(false);
    connect(page, &SearchPage::searchFinished, this, [searched] { *searched = true; }, Qt::SingleShotConnection);
    page->searchByDatabaseItem(item);
    waitFor(QStringLiteral("the search from a database item"), [searched] { return *searched; }, 120,
            [this] { settleThenSave(QStringLiteral("search-from-item.png"), [this] { showEvaluate(); }); });
}

void ScreenshotTour::showEvaluate()
{
    EvaluatePage *page = m_window->evaluatePage();
    m_window->showScreen(MainWindow::EvaluateScreen);
    const auto evaluated = std::make_shared<int>(-1);
    connect(page, &EvaluatePage::modelEvaluated, this, [evaluated](bool succeeded) { *evaluated = succeeded ? 1 : 0; },
            Qt::SingleShotConnection);
    page->evaluateModel();
    waitFor(QStringLiteral("the evaluation of the model"), [evaluated] { return *evaluated >= 0; }, 300,
            [this, page, evaluated] {
                if (*evaluated == 0) {
                    fail(QStringLiteral("Evaluating the model failed: %1").arg(page->messageText()));
                    return;
                }
                settleThenSave(QStringLiteral("evaluate.png"), [this] { finish(); });
            });
}

void ScreenshotTour::finish()
{
    qCInfo(lcUi) << "Screenshot tour: saved" << m_saved << "screenshots in" << m_folder;
    Q_EMIT finished(true);
    if (m_quitWhenDone)
        QCoreApplication::exit(0);
}

} // namespace esafh::ui
