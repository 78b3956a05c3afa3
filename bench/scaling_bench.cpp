// Memory and time of the text graph and of one training epoch on synthetic data of
// two sizes. Each size runs in a child process (esafh-bench --child STAGE --items
// N), so the peak resident memory of one size never includes another's.

#include "bench_sections.h"

#include "method/device.h"
#include "method/hash_model.h"
#include "method/torch_internal.h"

#include <QCoreApplication>
#include <QProcess>
#include <QRegularExpression>
#include <QTextStream>

#include <cmath>
#include <limits>
#include <optional>

namespace esafh::bench {

namespace {

constexpr int imageDimension = 4096;
constexpr int textDimension = 1000;
constexpr int topics = 100;        ///< Clusters shared by the images and the texts.
constexpr int wordsPerText = 8;
constexpr int wordsPerTopic = 40;
constexpr int embeddingDimension = 384; ///< Dense texts: the size of common sentence embeddings.

/// A fast generator of uniform floats (xorshift64*). The data only needs to vary,
/// so a cheap generator keeps the set-up of each child short.
class FastRandom
{
public:
    explicit FastRandom(std::uint64_t seed) : m_state(seed * 2654435761u + 1) {}

    std::uint64_t next()
    {
        m_state ^= m_state >> 12;
        m_state ^= m_state << 25;
        m_state ^= m_state >> 27;
        return m_state * 0x2545F4914F6CDD1DULL;
    }

    float uniform() { return static_cast<float>(next() >> 40) / static_cast<float>(1 << 24); }

private:
    std::uint64_t m_state;
};

/// Items of `topics` clusters: images are the topic's centre plus noise, and texts
/// are binary bags of words mostly from the topic's own words.
void syntheticFeatures(int count, FeatureMatrix &images, FeatureMatrix &texts)
{
    FastRandom random(7);
    FeatureMatrix centres(topics, imageDimension);
    for (Eigen::Index i = 0; i < centres.size(); ++i)
        centres.data()[i] = random.uniform();

    images.resize(count, imageDimension);
    texts.setZero(count, textDimension);
    for (int item = 0; item < count; ++item) {
        const int topic = static_cast<int>(random.next() % topics);
        float *row = images.data() + static_cast<std::ptrdiff_t>(item) * imageDimension;
        const float *centre = centres.data() + static_cast<std::ptrdiff_t>(topic) * imageDimension;
        for (int j = 0; j < imageDimension; ++j)
            row[j] = centre[j] + random.uniform() - 0.5f;

        for (int w = 0; w < wordsPerText; ++w) {
            const bool ownWord = random.next() % 4 != 0;
            const int word = ownWord ? (topic * 10 + static_cast<int>(random.next() % wordsPerTopic)) % textDimension
                                     : static_cast<int>(random.next() % textDimension);
            texts(item, word) = 1;
        }
    }
}

/// Dense texts of `topics` clusters, like sentence embeddings: the topic's centre
/// plus noise of the same size, with entries of both signs.
void syntheticEmbeddings(int count, FeatureMatrix &texts)
{
    FastRandom random(11);
    FeatureMatrix centres(topics, embeddingDimension);
    for (Eigen::Index i = 0; i < centres.size(); ++i)
        centres.data()[i] = random.uniform() - 0.5f;

    texts.resize(count, embeddingDimension);
    for (int item = 0; item < count; ++item) {
        const int topic = static_cast<int>(random.next() % topics);
        for (int j = 0; j < embeddingDimension; ++j)
            texts(item, j) = centres(topic, j) + random.uniform() - 0.5f;
    }
}

/// Runs a child and parses its "seconds=... cpu_seconds=... peak_mib=... before_mib=..." line.
struct ChildResult
{
    double seconds = std::numeric_limits<double>::quiet_NaN();
    double cpuSeconds = std::numeric_limits<double>::quiet_NaN(); ///< CPU time of the stage, all threads.
    double peakMiB = std::numeric_limits<double>::quiet_NaN();   ///< Peak resident memory during the stage.
    double beforeMiB = std::numeric_limits<double>::quiet_NaN(); ///< Resident memory with the features, before it.
    double recall = std::numeric_limits<double>::quiet_NaN();    ///< Graph stages: recall@k of the neighbours.
    QString error;
};

ChildResult runChild(const QString &stage, int items)
{
    QProcess process;
    process.start(QCoreApplication::applicationFilePath(),
                  {QStringLiteral("--child"), stage, QStringLiteral("--items"), QString::number(items)});
    ChildResult result;
    if (!process.waitForFinished(-1) || process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0) {
        result.error = QStringLiteral("the %1 child for %2 items failed: %3")
                           .arg(stage).arg(items)
                           .arg(QString::fromLocal8Bit(process.readAllStandardError()).trimmed().right(300));
        return result;
    }

    static const QRegularExpression line(
        QStringLiteral("seconds=([0-9.eE+-]+) cpu_seconds=([0-9.eE+-]+) peak_mib=([0-9.eE+-]+) before_mib=([0-9.eE+-]+)"));
    const QString output = QString::fromLocal8Bit(process.readAllStandardOutput());
    const QRegularExpressionMatch match = line.match(output);
    if (!match.hasMatch()) {
        result.error = QStringLiteral("the %1 child for %2 items printed no result").arg(stage).arg(items);
        return result;
    }
    result.seconds = match.captured(1).toDouble();
    result.cpuSeconds = match.captured(2).toDouble();
    result.peakMiB = match.captured(3).toDouble();
    result.beforeMiB = match.captured(4).toDouble();

    static const QRegularExpression recallLine(QStringLiteral("recall=([0-9.eE+-]+)"));
    const QRegularExpressionMatch recall = recallLine.match(output);
    if (recall.hasMatch())
        result.recall = recall.captured(1).toDouble();
    return result;
}

constexpr int neighbourCount = 10;

/// Texts whose exact neighbours the recall of a graph is measured on.
constexpr int64_t recallSample = 2000;

/// Steps 1 and 2 as the trainer runs them: neighbours, aggregates, adjacency,
/// enrichment. Returns the seconds; `neighbours` receives the graph.
double buildTextGraph(const torch::Tensor &normalised, detail::TextGraphPath path, detail::TextNeighbours &neighbours)
{
    torch::NoGradGuard noGrad;
    return secondsOf([&] {
        neighbours = detail::findTextNeighbours(normalised, normalised, neighbourCount, path);
        const torch::Tensor aggregates = detail::aggregateNeighbours(normalised, neighbours, normalised);
        const torch::Tensor adjacency = detail::normalisedAdjacency(neighbours, normalised.size(0));
        const torch::Tensor enriched = detail::enrichTrainingTexts(normalised, adjacency, 1.0);
    });
}

/// Recall@k of a training graph on evenly spaced texts, against the exact inverted
/// index. A returned neighbour counts when its cosine is at least the text's k-th
/// exact cosine, at most k per text, so tied texts are interchangeable.
double graphRecall(const torch::Tensor &normalised, const detail::TextNeighbours &graph, detail::TextGraphPath exactPath)
{
    torch::NoGradGuard noGrad;
    const int64_t n = normalised.size(0);
    const torch::Tensor rows = torch::arange(0, n, std::max<int64_t>(1, n / recallSample), torch::kLong);
    const torch::Tensor sample = normalised.index_select(0, rows);
    const detail::TextNeighbours exact =
        detail::findTextNeighbours(sample, normalised, neighbourCount, exactPath);

    int64_t found = 0;
    int64_t expected = 0;
    for (int64_t r = 0; r < rows.size(0); ++r) {
        const int64_t row = rows[r].item<int64_t>();
        const auto cosineWith = [&](int64_t item) {
            return static_cast<int64_t>(std::llround(sample[r].dot(normalised[item]).item<double>() * 1e6));
        };
        int64_t threshold = std::numeric_limits<int64_t>::max();
        int64_t validCount = 0;
        for (int64_t slot = 0; slot < exact.indices.size(1); ++slot) {
            if (exact.valid[r][slot].item<bool>()) {
                threshold = std::min(threshold, cosineWith(exact.indices[r][slot].item<int64_t>()));
                ++validCount;
            }
        }
        int64_t hits = 0;
        for (int64_t slot = 0; slot < graph.indices.size(1); ++slot) {
            // One step of slack for float differences between the two dot products.
            if (graph.valid[row][slot].item<bool>() && cosineWith(graph.indices[row][slot].item<int64_t>()) >= threshold - 1)
                ++hits;
        }
        found += std::min(hits, validCount);
        expected += validCount;
    }
    return expected == 0 ? 1.0 : static_cast<double>(found) / static_cast<double>(expected);
}

double trainOneEpoch(const FeatureMatrix &images, const FeatureMatrix &texts)
{
    EsafhSettings settings; // the defaults: 64 bits, batches of 32
    settings.epochs = 1;
    double seconds = std::numeric_limits<double>::quiet_NaN();
    TrainingCallbacks callbacks;
    callbacks.onEpoch = [&](const EpochReport &report) { seconds = report.seconds; };
    const Result<TrainingOutcome> outcome = trainEsafh(images, texts, settings, callbacks);
    if (!outcome)
        QTextStream(stderr) << outcome.error() << "\n";
    return seconds;
}

} // namespace

/// The search path of a graph stage, or nothing for another stage.
std::optional<detail::TextGraphPath> graphPath(const QString &stage)
{
    if (stage == QLatin1String("graph") || stage == QLatin1String("dense-graph"))
        return detail::TextGraphPath::Automatic;
    if (stage == QLatin1String("exact-graph"))
        return detail::TextGraphPath::InvertedIndex;
    if (stage == QLatin1String("dense-exact-graph"))
        return detail::TextGraphPath::BlockedProduct;
    if (stage == QLatin1String("approximate-graph") || stage == QLatin1String("dense-approximate-graph"))
        return detail::TextGraphPath::Approximate;
    return std::nullopt;
}

int runScalingChild(const QString &stage, int items)
{
    const std::optional<detail::TextGraphPath> path = graphPath(stage);
    if (!path && stage != QLatin1String("epoch")) {
        QTextStream(stderr) << "Unknown child stage \"" << stage
                            << "\": expected graph, exact-graph, approximate-graph, dense-graph, "
                               "dense-exact-graph, dense-approximate-graph or epoch.\n";
        return 2;
    }

    FeatureMatrix images;
    FeatureMatrix texts;
    const bool dense = stage.startsWith(QLatin1String("dense"));
    if (dense)
        syntheticEmbeddings(items, texts);
    else
        syntheticFeatures(items, images, texts);
    if (path)
        images.resize(0, 0);
    const torch::Tensor normalisedTexts = path ? detail::rowNormalise(detail::viewTensor(texts, torch::kCPU)) : torch::Tensor();

    // The peak counts from here, so loading LibTorch and generating data are not in it.
    const double beforeMiB = residentMemoryMiB();
    if (!resetPeakMemory())
        QTextStream(stderr) << "Cannot reset the peak memory; it includes the program's start.\n";

    const double cpuStart = processCpuSeconds();
    double seconds = std::numeric_limits<double>::quiet_NaN();
    detail::TextNeighbours neighbours;
    if (path) {
        configureThreads(0, EsafhSettings().batchSize); // as training chooses
        seconds = buildTextGraph(normalisedTexts, *path, neighbours);
    } else {
        seconds = trainOneEpoch(images, texts);
    }

    // The epoch's CPU time includes building the model and the text graph before it.
    QTextStream out(stdout);
    out << "seconds=" << seconds << " cpu_seconds=" << processCpuSeconds() - cpuStart << " peak_mib=" << peakMemoryMiB()
        << " before_mib=" << beforeMiB;
    if (path) {
        // After the peak was read.
        const detail::TextGraphPath exactPath = dense ? detail::TextGraphPath::BlockedProduct
                                                      : detail::TextGraphPath::InvertedIndex;
        out << " recall=" << graphRecall(normalisedTexts, neighbours, exactPath);
    }
    out << "\n";
    return std::isnan(seconds) ? 1 : 0;
}

void runScalingBenchmarks(const BenchOptions &options, Report &report)
{
    // Ten times the items at each step, so that linear growth shows as a ratio of 10.
    const std::vector<int> sizes = options.quick ? std::vector<int>{500, 5000} : std::vector<int>{20000, 200000};
    report.section(QStringLiteral("Text graph and one epoch on synthetic data"));
    report.note(QStringLiteral("%1-dimensional image and %2-dimensional bag-of-words text features (%3 words per "
                               "text), k = 10 neighbours, batches of 32; each size in its own process")
                    .arg(imageDimension).arg(textDimension).arg(wordsPerText));

    report.note(QStringLiteral("Dense text graphs: %1-dimensional embeddings in 100 topics; the exact one at the "
                               "smaller size only, because its time grows with n^2").arg(embeddingDimension));

    for (const QString &stage : {QStringLiteral("graph"), QStringLiteral("exact-graph"), QStringLiteral("approximate-graph"),
                                 QStringLiteral("dense-exact-graph"), QStringLiteral("dense-approximate-graph"),
                                 QStringLiteral("epoch")}) {
        ChildResult smallest;
        for (int items : sizes) {
            if (stage == QLatin1String("dense-exact-graph") && items != sizes.front())
                continue;
            const ChildResult result = runChild(stage, items);
            if (!result.error.isEmpty()) {
                report.note(result.error);
                continue;
            }
            const QString name = stage == QLatin1String("graph")                     ? QStringLiteral("Text graph (steps 1 and 2)")
                                 : stage == QLatin1String("exact-graph")             ? QStringLiteral("Exact text graph")
                                 : stage == QLatin1String("approximate-graph")       ? QStringLiteral("Approximate text graph")
                                 : stage == QLatin1String("dense-exact-graph")       ? QStringLiteral("Exact dense text graph")
                                 : stage == QLatin1String("dense-approximate-graph") ? QStringLiteral("Approximate dense text graph")
                                                                                     : QStringLiteral("One epoch");
            const QString baseline = QStringLiteral("%1 items").arg(sizes.front());
            const bool first = items == sizes.front();
            if (first)
                smallest = result;
            report.add(QStringLiteral("%1, %2 items, time").arg(name).arg(items), result.seconds, QStringLiteral("s"),
                       first ? result.seconds : smallest.seconds, baseline);
            report.add(QStringLiteral("%1, %2 items, CPU time of the process").arg(name).arg(items), result.cpuSeconds,
                       QStringLiteral("s"), first ? result.cpuSeconds : smallest.cpuSeconds, baseline);
            report.add(QStringLiteral("%1, %2 items, resident memory before, with the features").arg(name).arg(items),
                       result.beforeMiB, QStringLiteral("MiB"), first ? result.beforeMiB : smallest.beforeMiB, baseline);
            report.add(QStringLiteral("%1, %2 items, peak memory during the stage").arg(name).arg(items),
                       result.peakMiB, QStringLiteral("MiB"), first ? result.peakMiB : smallest.peakMiB, baseline);
            report.add(QStringLiteral("%1, %2 items, peak memory added by the stage").arg(name).arg(items),
                       result.peakMiB - result.beforeMiB, QStringLiteral("MiB"),
                       first ? result.peakMiB - result.beforeMiB : smallest.peakMiB - smallest.beforeMiB, baseline);
            if (!std::isnan(result.recall))
                report.add(QStringLiteral("%1, %2 items, recall@%3").arg(name).arg(items).arg(neighbourCount),
                           result.recall, QString());
        }
    }
}

} // namespace esafh::bench
