// The approximate training graph of step 1 against the exact inverted index (sparse
// texts) and the blocked products (dense texts), which the tests of
// tst_text_graph.cpp check against a dense n x n computation.

#include "data/feature_files.h"
#include "method/torch_internal.h"
#include "test_support.h"

#include <ATen/Parallel.h>

#include <QTest>

#include <set>

using namespace esafh;
using namespace esafh::detail;

namespace {

/// Binary bags of words in topics: each text takes most of its words from its
/// topic's 30 words, and every seventh text copies an earlier one.
torch::Tensor topicTexts(int count, int vocabulary, int wordsPerText, int topics, int seed)
{
    torch::manual_seed(seed);
    torch::Tensor texts = torch::zeros({count, vocabulary});
    const torch::Tensor topic = torch::randint(topics, {count}, torch::kLong);
    const torch::Tensor ownWord = topic.unsqueeze(1) * 7 + torch::randint(30, {count, wordsPerText}, torch::kLong);
    const torch::Tensor anyWord = torch::randint(vocabulary, {count, wordsPerText}, torch::kLong);
    const torch::Tensor words = torch::where(torch::rand({count, wordsPerText}) < 0.8, ownWord, anyWord) % vocabulary;
    texts.scatter_(1, words, 1.0f);
    for (int i = 7; i < count; i += 7)
        texts[i] = texts[i / 2].clone();
    return rowNormalise(texts);
}

/// Dense texts in topics, such as sentence embeddings: each is its topic's random
/// centre plus noise, with entries of both signs, and every seventh text copies an
/// earlier one.
torch::Tensor denseTopicTexts(int count, int dimension, int topics, double noise, int seed)
{
    torch::manual_seed(seed);
    const torch::Tensor centres = torch::randn({topics, dimension});
    const torch::Tensor topic = torch::randint(topics, {count}, torch::kLong);
    torch::Tensor texts = centres.index_select(0, topic) + noise * torch::randn({count, dimension});
    for (int i = 7; i < count; i += 7)
        texts[i] = texts[i / 2].clone();
    return rowNormalise(texts);
}

/// Returns the cosine step of each text with each text its list names (m x k), a
/// block of texts at a time, so that no n x n matrix is built.
torch::Tensor listedSteps(const torch::Tensor &training, const torch::Tensor &indices)
{
    const int64_t m = indices.size(0);
    const int64_t k = indices.size(1);
    const int64_t d = training.size(1);
    std::vector<torch::Tensor> blocks;
    for (int64_t first = 0; first < m; first += 1024) {
        const int64_t count = std::min<int64_t>(1024, m - first);
        const torch::Tensor texts = training.narrow(0, first, count).unsqueeze(1);
        const torch::Tensor listed =
            training.index_select(0, indices.narrow(0, first, count).reshape(-1)).view({count, k, d});
        blocks.push_back(torch::round((texts * listed).sum(2) * 1e6).to(torch::kLong));
    }
    return torch::cat(blocks);
}

/// Share of the exact valid neighbours matched by approximate neighbours whose
/// cosine is at least the text's k-th exact cosine, so that tied texts count as equal.
double tieAwareRecall(const TextNeighbours &approximate, const TextNeighbours &exact, const torch::Tensor &training)
{
    const torch::Tensor exactSteps = listedSteps(training, exact.indices);
    const torch::Tensor approximateSteps = listedSteps(training, approximate.indices);
    const auto exactStep = exactSteps.accessor<int64_t, 2>();
    const auto approximateStep = approximateSteps.accessor<int64_t, 2>();
    const auto exactValid = exact.valid.accessor<bool, 2>();
    const auto approximateValid = approximate.valid.accessor<bool, 2>();

    int64_t found = 0;
    int64_t expected = 0;
    for (int64_t row = 0; row < exact.indices.size(0); ++row) {
        int64_t threshold = std::numeric_limits<int64_t>::max();
        int64_t validCount = 0;
        for (int64_t slot = 0; slot < exact.indices.size(1); ++slot) {
            if (exactValid[row][slot]) {
                threshold = std::min(threshold, exactStep[row][slot]);
                ++validCount;
            }
        }
        int64_t hits = 0;
        for (int64_t slot = 0; slot < approximate.indices.size(1); ++slot) {
            if (approximateValid[row][slot] && approximateStep[row][slot] >= threshold)
                ++hits;
        }
        found += std::min(hits, validCount);
        expected += validCount;
    }
    return expected == 0 ? 1.0 : static_cast<double>(found) / static_cast<double>(expected);
}

/// Checks that the approximate training graph finds at least 95% of the exact
/// path's neighbours, tie-aware.
void verifyRecall(const torch::Tensor &training, TextGraphPath exactPath, int k)
{
    const TextNeighbours exact = findTextNeighbours(training, training, k, exactPath);
    const TextNeighbours approximate = findTextNeighbours(training, training, k, TextGraphPath::Approximate);

    QCOMPARE(approximate.indices.sizes(), exact.indices.sizes());
    QCOMPARE(approximate.valid.sizes(), exact.valid.sizes());
    const double recall = tieAwareRecall(approximate, exact, training);
    qInfo("recall@%d: %.4f", k, recall);
    QVERIFY2(recall >= 0.95, qPrintable(QStringLiteral("recall@%1 is %2").arg(k).arg(recall)));
}

/// Checks that the approximate training graph is the same on 1 and on 4 threads.
void verifySameOnAnyThreadCount(const torch::Tensor &training)
{
    const int threads = at::get_num_threads();
    at::set_num_threads(1);
    const TextNeighbours single = findTextNeighbours(training, training, 10, TextGraphPath::Approximate);
    at::set_num_threads(4);
    const TextNeighbours several = findTextNeighbours(training, training, 10, TextGraphPath::Approximate);
    at::set_num_threads(threads);

    QVERIFY(torch::equal(single.indices, several.indices));
    QVERIFY(torch::equal(single.valid, several.valid));
}

} // namespace

class TestApproximateNeighbours : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void recallAgainstExact_data();
    void recallAgainstExact();
    void recallOnMirflickrTags();
    void listsHoldTrueCosines();
    void sameOnAnyThreadCount();
    void otherTextsStayExact();
    void denseRecallAgainstExact_data();
    void denseRecallAgainstExact();
    void denseListsHoldTrueCosines();
    void denseSameOnAnyThreadCount();
    void denseFewTextsListEveryOther();
};

void TestApproximateNeighbours::recallAgainstExact_data()
{
    QTest::addColumn<int>("count");
    QTest::addColumn<int>("vocabulary");
    QTest::addColumn<int>("topics");
    QTest::addColumn<int>("k");

    QTest::addRow("3000 texts, 40 topics, k 10") << 3000 << 300 << 40 << 10;
    QTest::addRow("3000 texts, 5 topics, k 10") << 3000 << 300 << 5 << 10;
    QTest::addRow("2000 texts, 100 topics, k 3") << 2000 << 1000 << 100 << 3;
    QTest::addRow("40 texts, 2 topics, k 10") << 40 << 100 << 2 << 10;
}

void TestApproximateNeighbours::recallAgainstExact()
{
    QFETCH(int, count);
    QFETCH(int, vocabulary);
    QFETCH(int, topics);
    QFETCH(int, k);

    verifyRecall(topicTexts(count, vocabulary, 6, topics, count + topics), TextGraphPath::InvertedIndex, k);
}

void TestApproximateNeighbours::recallOnMirflickrTags()
{
    // Real bags of words: the 20,015 tag rows of MIRFlickr-25K over 1,386 tags.
    const QString folder = test::sharedDatasets() + QStringLiteral("/mirflickr25k-text");
    ESAFH_REQUIRE_FOLDER(folder, "The MIRFlickr-25K text files");
    const Result<FeatureMatrix> tags = readMatrix(folder + "/mirflickr25k-yall.mat", "YAll", ItemOrientation::Rows);
    QVERIFY2(tags.ok(), qPrintable(tags.error()));

    verifyRecall(rowNormalise(viewTensor(tags.value(), torch::kCPU)), TextGraphPath::InvertedIndex, 10);
}

void TestApproximateNeighbours::listsHoldTrueCosines()
{
    const torch::Tensor training = topicTexts(2500, 400, 5, 30, 3);
    const torch::Tensor cosines = training.mm(training.t());
    const TextNeighbours approximate = findTextNeighbours(training, training, 10, TextGraphPath::Approximate);

    for (int64_t row = 0; row < approximate.indices.size(0); ++row) {
        std::set<int64_t> seen;
        int64_t previousStep = std::numeric_limits<int64_t>::max();
        for (int64_t slot = 0; slot < approximate.indices.size(1); ++slot) {
            if (!approximate.valid[row][slot].item<bool>())
                continue;
            const int64_t item = approximate.indices[row][slot].item<int64_t>();
            const double cosine = cosines[row][item].item<double>();
            QVERIFY2(cosine > 5e-7, qPrintable(QStringLiteral("text %1 lists %2 at cosine %3").arg(row).arg(item).arg(cosine)));
            QVERIFY2(seen.insert(item).second, qPrintable(QStringLiteral("text %1 lists %2 twice").arg(row).arg(item)));

            // Sorted by cosine, best first.
            const int64_t step = std::llround(cosine * 1e6);
            QVERIFY2(step - 1 <= previousStep, qPrintable(QStringLiteral("text %1, slot %2 out of order").arg(row).arg(slot)));
            previousStep = step;
        }
    }
}

void TestApproximateNeighbours::sameOnAnyThreadCount()
{
    verifySameOnAnyThreadCount(topicTexts(3000, 300, 6, 20, 9));
}

void TestApproximateNeighbours::otherTextsStayExact()
{
    // Texts that are not the training tensor itself get the exact search.
    const torch::Tensor training = topicTexts(600, 200, 5, 10, 4);
    const torch::Tensor queries = training.narrow(0, 0, 100).clone();
    const TextNeighbours requested = findTextNeighbours(queries, training, 10, TextGraphPath::Approximate);
    const TextNeighbours exact = findTextNeighbours(queries, training, 10, TextGraphPath::InvertedIndex);

    QVERIFY(torch::equal(requested.indices, exact.indices));
    QVERIFY(torch::equal(requested.valid, exact.valid));
}

void TestApproximateNeighbours::denseRecallAgainstExact_data()
{
    QTest::addColumn<int>("count");
    QTest::addColumn<int>("dimension");
    QTest::addColumn<int>("topics");
    QTest::addColumn<double>("noise");
    QTest::addColumn<int>("k");

    QTest::addRow("3000 texts, 32 dimensions, 40 topics, k 10") << 3000 << 32 << 40 << 0.5 << 10;
    QTest::addRow("3000 texts, 300 dimensions, 5 topics, k 10") << 3000 << 300 << 5 << 0.3 << 10;
    QTest::addRow("2000 texts, 16 dimensions, 100 topics, k 3") << 2000 << 16 << 100 << 0.5 << 3;
    QTest::addRow("2000 texts, 64 dimensions, no topics, k 10") << 2000 << 64 << 1 << 10.0 << 10;
    QTest::addRow("40 texts, 8 dimensions, 2 topics, k 10") << 40 << 8 << 2 << 0.5 << 10;
}

void TestApproximateNeighbours::denseRecallAgainstExact()
{
    QFETCH(int, count);
    QFETCH(int, dimension);
    QFETCH(int, topics);
    QFETCH(double, noise);
    QFETCH(int, k);

    verifyRecall(denseTopicTexts(count, dimension, topics, noise, count + dimension), TextGraphPath::BlockedProduct, k);
}

void TestApproximateNeighbours::denseListsHoldTrueCosines()
{
    const torch::Tensor training = denseTopicTexts(2500, 24, 30, 0.6, 5);
    const torch::Tensor cosines = training.mm(training.t());
    const TextNeighbours approximate = findTextNeighbours(training, training, 10, TextGraphPath::Approximate);

    for (int64_t row = 0; row < approximate.indices.size(0); ++row) {
        std::set<int64_t> seen;
        int64_t previousStep = std::numeric_limits<int64_t>::max();
        for (int64_t slot = 0; slot < approximate.indices.size(1); ++slot) {
            const int64_t item = approximate.indices[row][slot].item<int64_t>();
            const double cosine = cosines[row][item].item<double>();
            QVERIFY2(seen.insert(item).second, qPrintable(QStringLiteral("text %1 lists %2 twice").arg(row).arg(item)));
            QCOMPARE(approximate.valid[row][slot].item<bool>(), cosine > 5e-7);

            // Sorted by cosine, best first, whether valid or not.
            const int64_t step = std::llround(cosine * 1e6);
            QVERIFY2(step - 1 <= previousStep, qPrintable(QStringLiteral("text %1, slot %2 out of order").arg(row).arg(slot)));
            previousStep = step;
        }
    }
}

void TestApproximateNeighbours::denseSameOnAnyThreadCount()
{
    // More than two blocks of 4,096 rows, so the random projections are split across threads.
    verifySameOnAnyThreadCount(denseTopicTexts(9000, 48, 20, 0.5, 9));
}

void TestApproximateNeighbours::denseFewTextsListEveryOther()
{
    // Fewer texts than the lists hold: every other text is a candidate, and those at
    // a negative cosine fill the slots after the positive ones, as on the exact path.
    torch::manual_seed(12);
    const torch::Tensor training = rowNormalise(torch::randn({10, 4}));
    const TextNeighbours approximate = findTextNeighbours(training, training, 9, TextGraphPath::Approximate);
    const TextNeighbours exact = findTextNeighbours(training, training, 9, TextGraphPath::BlockedProduct);

    for (int64_t row = 0; row < 10; ++row) {
        std::set<int64_t> listed;
        for (int64_t slot = 0; slot < 9; ++slot)
            listed.insert(approximate.indices[row][slot].item<int64_t>());
        QCOMPARE(static_cast<int>(listed.size()), 9);
        QVERIFY2(listed.count(row) == 0, qPrintable(QStringLiteral("text %1 lists itself").arg(row)));
    }
    QVERIFY(torch::equal(approximate.indices, exact.indices));
    QVERIFY(torch::equal(approximate.valid, exact.valid));
}

QTEST_GUILESS_MAIN(TestApproximateNeighbours)
#include "tst_approximate_neighbours.moc"
