// esafh-ui-timings: measures how long the desktop program's heavy views take, so
// that their responsiveness can be checked on a given machine. It prints one line
// per measure. It is a measurement program, not a test: nothing is compared with
// a limit. Runs under any Qt platform; use QT_QPA_PLATFORM=offscreen without a display.
//
// Heatmaps: colour-mapping an n x n matrix (default 5000) serially and in
// parallel, the longest stall of the GUI thread while the widget renders it, and
// painting at several zoom levels. Clustering: average linkage of an n x n matrix.
// Search (with --model): a text search over the model's database, enlarged to
// --database items by copying codes with random bit flips, until the first page
// is ranked and painted.

#include "heatmap_image.h"
#include "heatmap_widget.h"
#include "matrix_ordering.h"
#include "search_page.h"
#include "search_results_model.h"
#include "session.h"
#include "thumbnail_cache.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QListView>
#include <QLoggingCategory>
#include <QSignalSpy>
#include <QThreadPool>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <random>

using namespace esafh;

namespace {

double millisecondsOf(const std::function<void()> &work)
{
    QElapsedTimer timer;
    timer.start();
    work();
    return timer.nsecsElapsed() / 1e6;
}

// Median over `repeats` runs after one run to warm caches.
double medianMillisecondsOf(int repeats, const std::function<void()> &work)
{
    work();
    std::vector<double> times;
    for (int i = 0; i < repeats; ++i)
        times.push_back(millisecondsOf(work));
    std::sort(times.begin(), times.end());
    return times[times.size() / 2];
}

void report(const QString &name, double milliseconds)
{
    std::printf("%-58s %10.2f ms\n", qPrintable(name), milliseconds);
    std::fflush(stdout);
}

std::shared_ptr<SquareMatrix> randomSimilarities(int n)
{
    auto matrix = std::make_shared<SquareMatrix>(n, n);
    std::mt19937 generator(1);
    std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
    for (int row = 0; row < n; ++row) {
        (*matrix)(row, row) = 1.0f;
        for (int column = row + 1; column < n; ++column) {
            (*matrix)(row, column) = uniform(generator);
            (*matrix)(column, row) = (*matrix)(row, column);
        }
    }
    return matrix;
}

// Runs the event loop until `done` or `timeoutMs`. Returns the longest gap between
// two ticks of a 5 ms timer: how long the GUI thread was unresponsive.
double longestStallWhile(const std::function<bool()> &done, int timeoutMs)
{
    QElapsedTimer sinceTick;
    sinceTick.start();
    double longest = 0;
    QTimer ticker;
    ticker.setInterval(5);
    QObject::connect(&ticker, &QTimer::timeout, [&] {
        longest = std::max(longest, sinceTick.nsecsElapsed() / 1e6);
        sinceTick.restart();
    });
    ticker.start();
    QElapsedTimer total;
    total.start();
    while (!done() && total.elapsed() < timeoutMs)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
    longest = std::max(longest, sinceTick.nsecsElapsed() / 1e6);
    return longest;
}

void measureHeatmaps(int n)
{
    std::printf("Heatmap of %d x %d values, %d threads in the global pool\n", n, n, QThreadPool::globalInstance()->maxThreadCount());
    const std::shared_ptr<SquareMatrix> matrix = randomSimilarities(n);

    const ui::ValueRange range = ui::offDiagonalRange(*matrix);
    report(QStringLiteral("value range, parallel"), medianMillisecondsOf(3, [&] { ui::offDiagonalRange(*matrix); }));
    report(QStringLiteral("colour mapping, serial"),
           medianMillisecondsOf(3, [&] { ui::colourMappedImage(*matrix, range, ui::Threading::Serial); }));
    report(QStringLiteral("colour mapping, parallel"),
           medianMillisecondsOf(3, [&] { ui::colourMappedImage(*matrix, range, ui::Threading::Parallel); }));
    report(QStringLiteral("overview of 1024 x 1024 block means"),
           medianMillisecondsOf(3, [&] { ui::colourMappedOverview(*matrix, range, 1024); }));

    ui::HeatmapWidget widget;
    widget.resize(1000, 900);
    widget.show();
    QSignalSpy ready(&widget, &ui::HeatmapWidget::imageReady);
    QElapsedTimer untilReady;
    untilReady.start();
    const double setMatrixMs = millisecondsOf([&] { widget.setMatrix(matrix, QStringLiteral("S_F fused")); });
    const double stall = longestStallWhile([&] { return ready.count() > 0; }, 60000);
    const double readyMs = untilReady.nsecsElapsed() / 1e6;
    report(QStringLiteral("setMatrix() call on the GUI thread"), setMatrixMs);
    report(QStringLiteral("until the image is on screen"), readyMs);
    report(QStringLiteral("longest GUI-thread stall meanwhile"), stall);

    const QPointF centre(widget.width() / 2.0, widget.height() / 2.0);
    for (double zoom : {1.0, 8.0, 64.0, 1000.0}) {
        widget.resetView();
        widget.zoomBy(zoom, centre);
        const double paint = medianMillisecondsOf(5, [&] { widget.grab(); });
        report(QStringLiteral("paint at zoom %1 (%2 px per cell)").arg(widget.zoom()).arg(widget.cellRect(0, 0).width(), 0, 'f', 2),
               paint);
    }
}

void measureClustering(int n)
{
    const std::shared_ptr<SquareMatrix> matrix = randomSimilarities(n);
    report(QStringLiteral("average-linkage cluster order of %1 items").arg(n),
           millisecondsOf([&] { ui::clusterOrdering(*matrix, 20); }));
}

// Copies the model's database until it contains `size` items, flipping a few random
// bits of each copied code so that the ranking has the spread of real codes.
void enlargeDatabase(TrainedModel &model, int size)
{
    const int original = static_cast<int>(model.databaseItems.size());
    if (original == 0 || size <= original)
        return;
    std::mt19937_64 generator(2);
    for (HashCodes *codes : {&model.databaseImageCodes, &model.databaseTextCodes}) {
        HashCodes enlarged(codes->bits(), size);
        for (int item = 0; item < size; ++item) {
            std::copy(codes->code(item % original), codes->code(item % original) + codes->wordsPerCode(), enlarged.code(item));
            if (item >= original)
                enlarged.code(item)[0] ^= generator() & generator() & generator(); // About 1/8 of the bits.
        }
        *codes = std::move(enlarged);
    }
    model.databaseItems.reserve(static_cast<std::size_t>(size));
    for (int item = original; item < size; ++item)
        model.databaseItems.push_back(model.databaseItems[static_cast<std::size_t>(item % original)]);
}

int measureSearch(const QString &modelPath, int databaseSize)
{
    Result<TrainedModel> loaded = loadModelFile(modelPath);
    if (!loaded) {
        std::fprintf(stderr, "%s\n", qPrintable(loaded.error()));
        return 1;
    }
    TrainedModel model = std::move(loaded).value();
    enlargeDatabase(model, databaseSize);
    const QString query = model.databaseItems.front().caption();
    std::printf("Search over %zu database items with the text \"%s\"\n", model.databaseItems.size(), qPrintable(query));

    ui::Session session;
    session.setModel(std::make_shared<const TrainedModel>(std::move(model)));
    ui::ThumbnailCache thumbnails;
    ui::SearchPage page(&session, &thumbnails);
    page.resize(1280, 800);
    page.show();

    for (int run = 0; run < 3; ++run) {
        QSignalSpy finished(&page, &ui::SearchPage::searchFinished);
        QElapsedTimer timer;
        timer.start();
        page.searchByText(query);
        const double stall = longestStallWhile([&] { return finished.count() > 0; }, 60000);
        const double searched = timer.nsecsElapsed() / 1e6;
        page.resultsView()->viewport()->grab();
        const double painted = timer.nsecsElapsed() / 1e6;
        thumbnails.waitForLoads();
        const double withThumbnails = timer.nsecsElapsed() / 1e6;
        if (run == 0)
            std::printf("  %s\n", qPrintable(page.messageText()));
        // The first run loads the thumbnails from disk; later ones find them cached.
        const QString label = run == 0 ? QStringLiteral("first search") : QStringLiteral("search again");
        report(QStringLiteral("%1, until the first page is ranked").arg(label), searched);
        report(QStringLiteral("  and painted (thumbnails still loading)"), painted);
        report(QStringLiteral("  and its thumbnails are loaded"), withThumbnails);
        report(QStringLiteral("  longest GUI-thread stall meanwhile"), stall);
    }

    QSignalSpy finished(&page, &ui::SearchPage::searchFinished);
    const double next = millisecondsOf([&] {
        page.showNextPage();
        if (page.isSearching())
            finished.wait(60000);
        page.resultsView()->viewport()->grab();
    });
    report(QStringLiteral("Next page, ranked and painted"), next);
    return 0;
}

} // namespace

int main(int argc, char *argv[])
{
    QApplication application(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("esafh-ui-timings"));
    QLoggingCategory::setFilterRules(QStringLiteral("esafh.*.info=false"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Measures heatmap rendering, clustering and search in the desktop program."));
    parser.addHelpOption();
    const QCommandLineOption sizeOption(QStringLiteral("size"), QStringLiteral("Rows of the heatmap matrix (default 5000)."),
                                        QStringLiteral("n"), QStringLiteral("5000"));
    const QCommandLineOption clusterOption(QStringLiteral("cluster-size"),
                                           QStringLiteral("Items to cluster (default 2000)."), QStringLiteral("n"),
                                           QStringLiteral("2000"));
    const QCommandLineOption modelOption(QStringLiteral("model"), QStringLiteral("Model file to search with."),
                                         QStringLiteral("MODEL"));
    const QCommandLineOption databaseOption(QStringLiteral("database"),
                                            QStringLiteral("Database items to search, copied from the model's (default 1000000)."),
                                            QStringLiteral("n"), QStringLiteral("1000000"));
    parser.addOptions({sizeOption, clusterOption, modelOption, databaseOption});
    parser.process(application);

    measureHeatmaps(parser.value(sizeOption).toInt());
    measureClustering(parser.value(clusterOption).toInt());
    if (!parser.isSet(modelOption)) {
        std::printf("No --model given: the search is not measured.\n");
        return 0;
    }
    return measureSearch(parser.value(modelOption), parser.value(databaseOption).toInt());
}
