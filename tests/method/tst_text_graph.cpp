// The text neighbour graph of step 1: both neighbour search paths, blocked matrix
// products and the inverted index, against a dense n x n computation on small data.

#include "method/torch_internal.h"

#include <QTest>

#include <algorithm>
#include <numeric>
#include <tuple>

using namespace esafh;
using namespace esafh::detail;

namespace {

/// Binary bags of words: each text takes `wordsPerText` random words of `vocabulary`,
/// and every fifth text copies an earlier one, so that copies and tied cosines occur.
torch::Tensor bagOfWordsTexts(int count, int vocabulary, int wordsPerText, int seed)
{
    torch::manual_seed(seed);
    torch::Tensor texts = torch::zeros({count, vocabulary});
    const torch::Tensor words = torch::randint(vocabulary, {count, wordsPerText}, torch::kLong);
    texts.scatter_(1, words, 1.0f);
    for (int i = 5; i < count; i += 5)
        texts[i] = texts[i / 3].clone();
    return texts;
}

/// The k nearest training texts of each text from the full cosine matrix. Each row
/// is sorted by cosine rounded to 1e-6, descending, then by training index. A best
/// match within 1e-5 of 1 is a copy and dropped, else the (k+1)-th match is.
struct DenseNeighbours
{
    std::vector<std::vector<int64_t>> indices;
    std::vector<std::vector<bool>> valid;
};

DenseNeighbours denseNeighbours(const torch::Tensor &texts, const torch::Tensor &training, int k)
{
    const torch::Tensor steps = torch::round(texts.mm(training.t()) * 1e6).to(torch::kLong);
    const int64_t n = training.size(0);
    const int64_t matchCount = std::min<int64_t>(k + 1, n);

    DenseNeighbours result;
    for (int64_t i = 0; i < texts.size(0); ++i) {
        std::vector<int64_t> order(static_cast<std::size_t>(n));
        std::iota(order.begin(), order.end(), 0);
        const torch::Tensor rowSteps = steps[i];
        const auto row = rowSteps.accessor<int64_t, 1>();
        std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return row[a] > row[b]; });

        const bool isCopy = row[order[0]] >= 1000000 - 10;
        std::vector<int64_t> indices;
        std::vector<bool> valid;
        for (int64_t slot = isCopy ? 1 : 0; static_cast<int64_t>(indices.size()) < matchCount - 1; ++slot) {
            indices.push_back(order[slot]);
            valid.push_back(row[order[slot]] > 0);
        }
        result.indices.push_back(indices);
        result.valid.push_back(valid);
    }
    return result;
}

/// Compares every slot: validity, and the index of every valid slot. The index of
/// an invalid slot is never read, so it may differ.
void compareWithDense(const TextNeighbours &actual, const DenseNeighbours &expected, const QString &context)
{
    QCOMPARE(actual.indices.size(0), int64_t(expected.indices.size()));
    for (std::size_t i = 0; i < expected.indices.size(); ++i) {
        QCOMPARE(actual.indices.size(1), int64_t(expected.indices[i].size()));
        for (std::size_t slot = 0; slot < expected.indices[i].size(); ++slot) {
            const bool valid = actual.valid[i][slot].item<bool>();
            const int64_t index = actual.indices[i][slot].item<int64_t>();
            QVERIFY2(valid == expected.valid[i][slot],
                     qPrintable(QStringLiteral("%1: text %2, slot %3 validity").arg(context).arg(i).arg(slot)));
            if (valid) {
                QVERIFY2(index == expected.indices[i][slot],
                         qPrintable(QStringLiteral("%1: text %2, slot %3 is training text %4, expected %5")
                                        .arg(context).arg(i).arg(slot).arg(index).arg(expected.indices[i][slot])));
            }
        }
    }
}

} // namespace

class TestTextGraph : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void bothPathsMatchDense_data();
    void bothPathsMatchDense();
    void invalidSlotsHaveNoPositiveCosine();
    void automaticPathForDenseFeatures();
    void trainingIndexMatchesDense();
    void automaticPathChoosesApproximateForManyTexts();
    void aggregatesMatchDenseSum();
};

void TestTextGraph::bothPathsMatchDense_data()
{
    QTest::addColumn<int>("count");
    QTest::addColumn<int>("vocabulary");
    QTest::addColumn<int>("wordsPerText");
    QTest::addColumn<int>("k");

    QTest::addRow("300 texts, 40 words, k 10") << 300 << 40 << 3 << 10;
    QTest::addRow("300 texts, 500 words, k 10") << 300 << 500 << 2 << 10;
    QTest::addRow("257 texts, 1000 words, k 1") << 257 << 1000 << 4 << 1;
    QTest::addRow("12 texts, 30 words, k 20") << 12 << 30 << 3 << 20;
}

void TestTextGraph::bothPathsMatchDense()
{
    QFETCH(int, count);
    QFETCH(int, vocabulary);
    QFETCH(int, wordsPerText);
    QFETCH(int, k);

    const torch::Tensor training = rowNormalise(bagOfWordsTexts(count, vocabulary, wordsPerText, count + vocabulary));
    const torch::Tensor queries = rowNormalise(bagOfWordsTexts(50, vocabulary, wordsPerText, 7));

    // Blocks of 16 texts, so both sets span many blocks, and the inverted index.
    const DenseNeighbours trainingExpected = denseNeighbours(training, training, k);
    compareWithDense(findTextNeighbours(training, training, k, TextGraphPath::BlockedProduct, 16), trainingExpected,
                     QStringLiteral("blocked, training"));
    compareWithDense(findTextNeighbours(training, training, k, TextGraphPath::InvertedIndex), trainingExpected,
                     QStringLiteral("inverted index, training"));

    const DenseNeighbours queryExpected = denseNeighbours(queries, training, k);
    compareWithDense(findTextNeighbours(queries, training, k, TextGraphPath::BlockedProduct, 16), queryExpected,
                     QStringLiteral("blocked, queries"));
    compareWithDense(findTextNeighbours(queries, training, k, TextGraphPath::InvertedIndex), queryExpected,
                     QStringLiteral("inverted index, queries"));
}

void TestTextGraph::invalidSlotsHaveNoPositiveCosine()
{
    // Texts of one word out of 200 share a word with few others, so most slots are invalid.
    const torch::Tensor training = rowNormalise(bagOfWordsTexts(100, 200, 1, 3));
    const TextNeighbours neighbours = findTextNeighbours(training, training, 5, TextGraphPath::InvertedIndex);
    const torch::Tensor cosines = training.mm(training.t()).gather(1, neighbours.indices);

    QVERIFY(neighbours.valid.logical_not().any().item<bool>());
    QVERIFY(torch::equal(neighbours.valid, cosines > 5e-7));
}

void TestTextGraph::automaticPathForDenseFeatures()
{
    // Dense features with negative entries take the blocked path.
    torch::manual_seed(5);
    const torch::Tensor training = rowNormalise(torch::randn({200, 16}));
    const TextNeighbours automatic = findTextNeighbours(training, training, 4);
    compareWithDense(automatic, denseNeighbours(training, training, 4), QStringLiteral("automatic, dense"));
}

void TestTextGraph::trainingIndexMatchesDense()
{
    // One index serves several blocks of queries, for sparse and for dense training texts.
    torch::manual_seed(8);
    const torch::Tensor sparse = rowNormalise(bagOfWordsTexts(400, 300, 3, 21));
    const torch::Tensor dense = rowNormalise(torch::randn({300, 12}));
    const torch::Tensor sparseQueries = rowNormalise(bagOfWordsTexts(90, 300, 3, 22));
    const torch::Tensor denseQueries = rowNormalise(torch::randn({90, 12}));

    for (const auto &[training, queries, name] :
         {std::tuple(sparse, sparseQueries, QStringLiteral("sparse")), std::tuple(dense, denseQueries, QStringLiteral("dense"))}) {
        const std::shared_ptr<const TrainingTextIndex> index = indexTrainingTexts(training);
        const DenseNeighbours expected = denseNeighbours(queries, training, 6);
        for (int64_t first : {int64_t(0), int64_t(30), int64_t(60)}) {
            const TextNeighbours block = findTextNeighbours(queries.narrow(0, first, 30), *index, 6);
            DenseNeighbours expectedBlock;
            expectedBlock.indices.assign(expected.indices.begin() + first, expected.indices.begin() + first + 30);
            expectedBlock.valid.assign(expected.valid.begin() + first, expected.valid.begin() + first + 30);
            compareWithDense(block, expectedBlock, QStringLiteral("%1 index, queries from %2").arg(name).arg(first));
        }
    }
}

void TestTextGraph::automaticPathChoosesApproximateForManyTexts()
{
    // 60,000 texts of 8 random words out of 800 cost the exact search about 4,800
    // posting visits per text, so the automatic training graph is the approximate one.
    {
        const torch::Tensor training = rowNormalise(bagOfWordsTexts(60000, 800, 8, 31));
        const TextNeighbours automatic = findTextNeighbours(training, training, 5);
        const TextNeighbours approximate = findTextNeighbours(training, training, 5, TextGraphPath::Approximate);
        QVERIFY(torch::equal(automatic.indices, approximate.indices));
        QVERIFY(torch::equal(automatic.valid, approximate.valid));
    }

    // 50,000 dense texts take the approximate graph whatever their dimension.
    {
        torch::manual_seed(33);
        const torch::Tensor dense = rowNormalise(torch::randn({50000, 8}));
        const TextNeighbours automatic = findTextNeighbours(dense, dense, 5);
        const TextNeighbours approximate = findTextNeighbours(dense, dense, 5, TextGraphPath::Approximate);
        QVERIFY(torch::equal(automatic.indices, approximate.indices));
        QVERIFY(torch::equal(automatic.valid, approximate.valid));
    }

    // With 4 words out of 1,000 they cost about 1,000 visits per text: exact.
    const torch::Tensor training = rowNormalise(bagOfWordsTexts(60000, 1000, 4, 32));
    const TextNeighbours automatic = findTextNeighbours(training, training, 5);
    const TextNeighbours exact = findTextNeighbours(training, training, 5, TextGraphPath::InvertedIndex);
    QVERIFY(torch::equal(automatic.indices, exact.indices));
    QVERIFY(torch::equal(automatic.valid, exact.valid));
}

void TestTextGraph::aggregatesMatchDenseSum()
{
    // More texts than one aggregation block of 4096.
    const torch::Tensor training = rowNormalise(bagOfWordsTexts(5000, 300, 3, 11));
    const TextNeighbours neighbours = findTextNeighbours(training, training, 3);
    const torch::Tensor aggregates = aggregateNeighbours(training, neighbours, training);

    for (int64_t i : {int64_t(0), int64_t(4095), int64_t(4096), int64_t(4999)}) {
        torch::Tensor expected = training[i].clone();
        int64_t used = 1;
        for (int64_t slot = 0; slot < 3; ++slot) {
            if (neighbours.valid[i][slot].item<bool>()) {
                expected += training[neighbours.indices[i][slot].item<int64_t>()];
                ++used;
            }
        }
        expected /= static_cast<double>(used);
        QVERIFY2((aggregates[i] - expected).abs().max().item<double>() < 1e-6, qPrintable(QStringLiteral("text %1").arg(i)));
    }
}

QTEST_GUILESS_MAIN(TestTextGraph)
#include "tst_text_graph.moc"
