// esafh-ui-timings: measures how long the desktop program's heavy views take, so
// that their responsiveness can be checked on a given machine. It prints one line
// per measure. It is a measurement program, not a test: nothing is compared with
// a limit. Runs under any Qt platform; use QT_QPA_PLATFORM=offscreen without a display.
//
// Heatmaps: colour-mapping an n x n matrix (default 5000) serially and in
// parallel, the longest stall of the GUI thread while the widget renders it, and
// painting at several zoom levels. Clustering: average linkage of an n x n matrix.
// Similarity screen (with --model and --dataset): the longest stall of the GUI
// thread while the screen computes and shows the matrices of n items, switches
// matrix, shows all six and orders them by cluster. The dataset's database is
// enlarged to n items by copying items with slightly changed features.
// Search (with --model): a text search over the model's database, enlarged to
// --database items by copying codes with random bit flips, until the first page
// is ranked and painted.

#include "heatmap_image.h"
#include "heatmap_widget.h"
#include "matrix_ordering.h"
#include "search_page.h"
#include "search_results_model.h"
#include "session.h"
#include "similarity_page.h"
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

// Copies database items of the dataset until its database contains `size` items.
// Each copy's image features get small random changes, so that no two are equal.
void enlargeDataset(PreparedDataset &prepared, int size)
{
    Dataset &dataset = prepared.dataset;
    const std::vector<int> original = dataset.split.database;
    if (original.empty() || static_cast<int>(original.size()) >= size)
        return;

    const int copies = size - static_cast<int>(original.size());
    const Eigen::Index first = prepared.imageFeatures.features.rows();
    prepared.imageFeatures.features.conservativeResize(first + copies, Eigen::NoChange);
    prepared.textFeatures.conservativeResize(first + copies, Eigen::NoChange);
    std::mt19937 generator(3);
    std::normal_distribution<float> noise(0.0f, 0.01f);
    for (int copy = 0; copy < copies; ++copy) {
        const int source = original[static_cast<std::size_t>(copy) % original.size()];
        const Eigen::Index row = first + copy;
        dataset.items.push_back(dataset.items[static_cast<std::size_t>(source)]);
        dataset.split.database.push_back(static_cast<int>(row));
        for (Eigen::Index column = 0; column < prepared.imageFeatures.features.cols(); ++column)
            prepared.imageFeatures.features(row, column) = prepared.imageFeatures.features(source, column) + noise(generator);
        prepared.textFeatures.row(row) = prepared.textFeatures.row(source);
    }
}

// Runs `action` and the event loop until `done`; reports the time and the longest stall.
void reportStall(const QString &name, const std::function<void()> &action, const std::function<bool()> &done)
{
    QElapsedTimer timer;
    timer.start();
    action();
    const double stall = longestStallWhile(done, 600000);
    report(name + QStringLiteral(", until done"), timer.nsecsElapsed() / 1e6);
    report(QStringLiteral("  longest GUI-thread stall meanwhile"), stall);
}

int measureSimilarityScreen(const QString &modelPath, const QString &datasetPath, int size)
{
    Result<TrainedModel> model = loadModelFile(modelPath);
    if (!model) {
        std::fprintf(stderr, "%s\n", qPrintable(model.error()));
        return 1;
    }
    TrainingJobSettings settings;
    settings.datasetPath = datasetPath;
    Result<PreparedDataset> prepared = prepareDataset(settings);
    if (!prepared) {
        std::fprintf(stderr, "%s\n", qPrintable(prepared.error()));
        return 1;
    }
    enlargeDataset(prepared.value(), size);
    std::printf("Similarity screen with %d items of %s\n", size, qPrintable(datasetPath));

    ui::Session session;
    session.setDataset(std::make_shared<const PreparedDataset>(std::move(prepared).value()));
    session.setModel(std::make_shared<const TrainedModel>(std::move(model).value()));
    ui::ThumbnailCache thumbnails;
    ui::SimilarityPage page(&session, &thumbnails);
    page.setSubsetSize(size);
    page.resize(1280, 800);

    QSignalSpy computed(&page, &ui::SimilarityPage::computed);
    ui::HeatmapWidget *heatmap = page.heatmap();
    reportStall(QStringLiteral("compute and show the fused matrix"), [&] { page.show(); },
                [&] { return computed.count() > 0 && !heatmap->isRendering() && !heatmap->image().isNull(); });
    if (!computed.constFirst().constFirst().toBool()) {
        std::fprintf(stderr, "%s\n", qPrintable(page.messageText()));
        return 1;
    }

    reportStall(QStringLiteral("switch to the code similarity"),
                [&] { page.setMatrix(ui::SimilarityPage::Matrix::Code); },
                [&] { return !heatmap->isRendering(); });
    const auto tilesReady = [&] {
        for (int index = 0; index < ui::SimilarityPage::matrixCount; ++index) {
            const ui::HeatmapWidget *tile = page.tile(static_cast<ui::SimilarityPage::Matrix>(index));
            if (tile->isRendering() || tile->image().isNull())
                return false;
        }
        return true;
    };
    reportStall(QStringLiteral("show all six side by side"), [&] { page.setView(ui::SimilarityPage::View::SideBySide); },
                tilesReady);
    int hovered = 0;
    reportStall(QStringLiteral("hover 20 cells, one per event-loop pass"), [] {},
                [&] {
                    page.showCell((hovered * 97) % size, (hovered * 31) % size);
                    return ++hovered > 20;
                });
    computed.clear();
    reportStall(QStringLiteral("order by cluster"), [&] { page.setOrder(ui::SubsetOrder::Cluster); },
                [&] { return computed.count() > 0 && tilesReady(); });
    return 0;
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

// Reports each event that takes over 100 ms on the GUI thread, with its receiver,
// to find what a stall is made of.
class TimingApplication : public QApplication
{
public:
    using QApplication::QApplication;

    bool notify(QObject *receiver, QEvent *event) override
    {
        QElapsedTimer timer;
        timer.start();
        const QEvent::Type type = event->type();
        const bool result = QApplication::notify(receiver, event);
        const qint64 elapsed = timer.elapsed();
        if (elapsed > 100) {
            const QObject *parent = receiver->parent();
            std::printf("  slow event: %lld ms, type %d, receiver %s in %s\n", static_cast<long long>(elapsed),
                        static_cast<int>(type), receiver->metaObject()->className(),
                        parent ? parent->metaObject()->className() : "no parent");
        }
        return result;
    }
};

} // namespace

int main(int argc, char *argv[])
{
    TimingApplication application(argc, argv);
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
    const QCommandLineOption datasetOption(
        QStringLiteral("dataset"),
        QStringLiteral("Dataset the model was trained on, to measure the Similarity screen with --size items."),
        QStringLiteral("PATH"));
    parser.addOptions({sizeOption, clusterOption, modelOption, databaseOption, datasetOption});
    parser.process(application);

    measureHeatmaps(parser.value(sizeOption).toInt());
    measureClustering(parser.value(clusterOption).toInt());
    if (!parser.isSet(modelOption)) {
        std::printf("No --model given: the search is not measured.\n");
        return 0;
    }
    if (parser.isSet(datasetOption)) {
        const int status = measureSimilarityScreen(parser.value(modelOption), parser.value(datasetOption),
                                                   parser.value(sizeOption).toInt());
        if (status != 0)
            return status;
    }
    return measureSearch(parser.value(modelOption), parser.value(databaseOption).toInt());
}
