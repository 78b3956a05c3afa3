// The similarity math of steps 1 to 4 on small inputs checked by hand or against a
// direct dense computation.

#include "method/torch_internal.h"

#include <QTest>

#include <cmath>

using namespace esafh;
using namespace esafh::detail;

namespace {

constexpr double tolerance = 1e-5;

torch::Tensor matrixOf(std::initializer_list<std::initializer_list<float>> rows)
{
    std::vector<torch::Tensor> tensors;
    for (const auto &row : rows)
        tensors.push_back(torch::tensor(std::vector<float>(row)));
    return torch::stack(tensors);
}

double valueAt(const torch::Tensor &matrix, int64_t i, int64_t j)
{
    return matrix[i][j].item<double>();
}

double maxAbsoluteDifference(const torch::Tensor &a, const torch::Tensor &b)
{
    return (a - b).abs().max().item<double>();
}

/// Population mean and standard deviation of the off-diagonal entries.
std::pair<double, double> offDiagonalMoments(const torch::Tensor &square)
{
    const torch::Tensor values = offDiagonalRows(square).reshape(-1);
    return {values.mean().item<double>(), values.std(/*unbiased=*/false).item<double>()};
}

/// Binary texts: item i contains words i, i + 1 and (i * 7) % 23 of 23, so nearby
/// items share words.
torch::Tensor overlappingTexts(int count)
{
    torch::Tensor texts = torch::zeros({count, 23});
    for (int i = 0; i < count; ++i) {
        texts[i][i % 23] = 1;
        texts[i][(i + 1) % 23] = 1;
        texts[i][(i * 7) % 23] = 1;
    }
    return texts;
}

} // namespace

class TestSimilarityMath : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cosineRangeAndDiagonal();
    void signedMapOnBinaryTexts();
    void crossModalByHand();
    void commonScaleMatchesReference();
    void rowDescriptorsByHand();
    void attentionStartsAtPrior();
    void fusedSimilarityIsSymmetric();
    void priorWeightsAverageCandidates();
    void rowCorrelationByHand();
    void objectiveAtPriorHasNoDivergence();
    void coherenceKeepsSymmetry();
    void trainingNeighboursExcludeSelf();
    void duplicateTextsAreNeighbours();
    void adjacencyMatchesDenseFormula();
    void neighboursIgnoreOtherRows();
};

void TestSimilarityMath::initTestCase()
{
    torch::manual_seed(7);
}

void TestSimilarityMath::cosineRangeAndDiagonal()
{
    const torch::Tensor features = torch::randn({9, 5});
    const torch::Tensor similarity = cosineSimilarity(features, false);

    QCOMPARE(similarity.size(0), 9);
    QVERIFY(similarity.max().item<double>() <= 1.0);
    QVERIFY(similarity.min().item<double>() >= -1.0);
    QCOMPARE(maxAbsoluteDifference(similarity.diagonal(), torch::ones({9})), 0.0);
    QVERIFY(maxAbsoluteDifference(similarity, similarity.t()) < tolerance);

    // A zero row keeps a self-similarity of 1 and is 0 to everything else.
    torch::Tensor withZeroRow = features.clone();
    withZeroRow[2].zero_();
    const torch::Tensor zeroSimilarity = cosineSimilarity(withZeroRow, false);
    QCOMPARE(valueAt(zeroSimilarity, 2, 2), 1.0);
    QCOMPARE(valueAt(zeroSimilarity, 2, 4), 0.0);
}

void TestSimilarityMath::signedMapOnBinaryTexts()
{
    // Rows {a, b}, {a} and {c}: cosines 1/sqrt(2) and 0, mapped by 2s - 1.
    const torch::Tensor texts = matrixOf({{1, 1, 0}, {1, 0, 0}, {0, 0, 1}});
    const torch::Tensor plain = cosineSimilarity(texts, false);
    const torch::Tensor mapped = cosineSimilarity(texts, true);

    QVERIFY(std::abs(valueAt(plain, 0, 1) - 1 / std::sqrt(2.0)) < tolerance);
    QVERIFY(std::abs(valueAt(mapped, 0, 1) - (2 / std::sqrt(2.0) - 1)) < tolerance);
    QVERIFY(std::abs(valueAt(mapped, 0, 2) - -1.0) < tolerance);
    QVERIFY(std::abs(valueAt(mapped, 1, 2) - -1.0) < tolerance);
    QCOMPARE(valueAt(mapped, 1, 1), 1.0);
}

void TestSimilarityMath::crossModalByHand()
{
    // S_I = [[1, .5], [.5, 1]], S_T = I. Rows of S_I normalise to (1, .5) / sqrt(1.25),
    // so S_C_01 = (.5 + .5) / 2 / sqrt(1.25) and S_C_00 = 1 / sqrt(1.25).
    const torch::Tensor image = matrixOf({{1, 0.5}, {0.5, 1}});
    const torch::Tensor text = matrixOf({{1, 0}, {0, 1}});
    const torch::Tensor cross = crossModalSimilarity(image, text);

    QVERIFY(std::abs(valueAt(cross, 0, 1) - 0.5 / std::sqrt(1.25)) < tolerance);
    QVERIFY(std::abs(valueAt(cross, 0, 0) - 1 / std::sqrt(1.25)) < tolerance);

    const torch::Tensor randomCross = crossModalSimilarity(cosineSimilarity(torch::randn({8, 4}), false),
                                                           cosineSimilarity(torch::rand({8, 6}), true));
    QVERIFY(maxAbsoluteDifference(randomCross, randomCross.t()) < tolerance);
}

void TestSimilarityMath::commonScaleMatchesReference()
{
    const torch::Tensor reference = cosineSimilarity(torch::randn({12, 6}), false);
    const torch::Tensor candidate = cosineSimilarity(torch::rand({12, 6}), false) * 0.3 + 0.6;
    const torch::Tensor scaled = toCommonScale(candidate, reference);

    const auto [referenceMean, referenceDeviation] = offDiagonalMoments(reference);
    const auto [scaledMean, scaledDeviation] = offDiagonalMoments(scaled);
    QVERIFY2(std::abs(scaledMean - referenceMean) < tolerance, qPrintable(QString::number(scaledMean)));
    QVERIFY2(std::abs(scaledDeviation - referenceDeviation) < tolerance, qPrintable(QString::number(scaledDeviation)));
    QCOMPARE(maxAbsoluteDifference(scaled.diagonal(), torch::ones({12})), 0.0);

    // The rescaling is affine, so the order of the off-diagonal entries is kept.
    const torch::Tensor before = offDiagonalRows(candidate).reshape(-1).argsort();
    const torch::Tensor after = offDiagonalRows(scaled).reshape(-1).argsort();
    QVERIFY(torch::equal(before, after));
}

void TestSimilarityMath::rowDescriptorsByHand()
{
    const torch::Tensor similarity = matrixOf({{1, 0.2f, 0.6f}, {0.2f, 1, -0.4f}, {0.6f, -0.4f, 1}});
    const torch::Tensor descriptors = rowDescriptors(similarity, 1, 0.1);
    QCOMPARE(descriptors.size(1), 4);

    // Row 0 over j != 0 is (0.2, 0.6): mean 0.4, population deviation 0.2, top-1 0.6.
    QVERIFY(std::abs(valueAt(descriptors, 0, 0) - 0.4) < tolerance);
    QVERIFY(std::abs(valueAt(descriptors, 0, 1) - 0.2) < tolerance);
    QVERIFY(std::abs(valueAt(descriptors, 0, 2) - 0.6) < tolerance);

    // softmax((2, 6)), entropy divided by log 2.
    const double p = 1 / (1 + std::exp(4.0));
    const double entropy = -(p * std::log(p) + (1 - p) * std::log(1 - p)) / std::log(2.0);
    QVERIFY(std::abs(valueAt(descriptors, 0, 3) - entropy) < tolerance);

    // Equal values have the maximum entropy, 1 after normalisation.
    const torch::Tensor flat = matrixOf({{1, 0.3f, 0.3f}, {0.3f, 1, 0.3f}, {0.3f, 0.3f, 1}});
    QVERIFY(std::abs(valueAt(rowDescriptors(flat, 5, 0.1), 1, 3) - 1.0) < tolerance);
}

void TestSimilarityMath::attentionStartsAtPrior()
{
    AttentionFusion attention(4, 16, 3);
    const torch::Tensor descriptors = torch::randn({3, 10, 4});

    const torch::Tensor initial = attention(descriptors);
    QCOMPARE(initial.size(0), 10);
    QCOMPARE(initial.size(1), 3);
    QVERIFY(maxAbsoluteDifference(initial, torch::full({10, 3}, 1.0 / 3)) < tolerance);

    // Trained weights differ per item and still sum to one.
    {
        torch::NoGradGuard noGrad;
        attention->score.normal_();
    }
    const torch::Tensor trained = attention(descriptors);
    QVERIFY(maxAbsoluteDifference(trained.sum(1), torch::ones({10})) < tolerance);
    QVERIFY(maxAbsoluteDifference(trained, initial) > 1e-3);
    QVERIFY(trained.min().item<double>() > 0);
}

void TestSimilarityMath::fusedSimilarityIsSymmetric()
{
    EsafhSettings settings;
    AttentionFusion attention(4, settings.attentionHiddenUnits, 3);
    {
        torch::NoGradGuard noGrad;
        attention->score.normal_();
    }

    SimilarityInputs inputs;
    inputs.imageFeatures = torch::randn({16, 8});
    inputs.enrichedTexts = torch::rand({16, 20});
    inputs.textNonNegative = true;
    const FusedSimilarity fused = fuseSimilarities(inputs, settings, attention);

    QVERIFY(maxAbsoluteDifference(fused.fused, fused.fused.t()) < tolerance);
    QVERIFY(maxAbsoluteDifference(fused.crossModal, fused.crossModal.t()) < tolerance);
    QVERIFY(maxAbsoluteDifference(fused.weights.sum(1), torch::ones({16})) < tolerance);
    QVERIFY(maxAbsoluteDifference(fused.fused.diagonal(), torch::full({16}, settings.fusionScale)) < tolerance);
    QVERIFY(fused.weights.requires_grad());

    // S_I is the reference of the common scale, so it is unchanged.
    QVERIFY(maxAbsoluteDifference(fused.scaledCandidates[0], fused.image) < tolerance);
}

void TestSimilarityMath::priorWeightsAverageCandidates()
{
    EsafhSettings settings;
    AttentionFusion attention(4, settings.attentionHiddenUnits, 3);

    SimilarityInputs inputs;
    inputs.imageFeatures = torch::randn({10, 8});
    inputs.enrichedTexts = torch::rand({10, 20});
    inputs.textNonNegative = true;
    torch::NoGradGuard noGrad;
    const FusedSimilarity fused = fuseSimilarities(inputs, settings, attention);

    const torch::Tensor mean =
        (fused.scaledCandidates[0] + fused.scaledCandidates[1] + fused.scaledCandidates[2]) / 3;
    QVERIFY(maxAbsoluteDifference(fused.fused, settings.fusionScale * mean) < tolerance);

    // Each rescaled candidate has S_I's off-diagonal mean and deviation.
    const auto [imageMean, imageDeviation] = offDiagonalMoments(fused.image);
    for (int m = 1; m < 3; ++m) {
        const auto [mean, deviation] = offDiagonalMoments(fused.scaledCandidates[m]);
        QVERIFY(std::abs(mean - imageMean) < tolerance);
        QVERIFY(std::abs(deviation - imageDeviation) < tolerance);
    }
}

void TestSimilarityMath::rowCorrelationByHand()
{
    // Row 0 over j != 0: (1, 2, 3) against (2, 4, 6) and (3, 2, 1): correlation 1 and -1.
    const torch::Tensor a = matrixOf({{0, 1, 2, 3}, {1, 0, 5, 1}, {2, 5, 0, 2}, {3, 1, 2, 0}});
    const torch::Tensor b = matrixOf({{0, 2, 4, 6}, {1, 0, 5, 1}, {2, 5, 0, 2}, {3, 1, 2, 0}});
    const torch::Tensor c = matrixOf({{0, 3, 2, 1}, {1, 0, 5, 1}, {2, 5, 0, 2}, {3, 1, 2, 0}});

    QVERIFY(std::abs(rowCorrelation(a, b)[0].item<double>() - 1.0) < tolerance);
    QVERIFY(std::abs(rowCorrelation(a, c)[0].item<double>() + 1.0) < tolerance);
    QVERIFY(std::abs(rowCorrelation(a, a)[2].item<double>() - 1.0) < tolerance);
}

void TestSimilarityMath::objectiveAtPriorHasNoDivergence()
{
    EsafhSettings settings;
    AttentionFusion attention(4, settings.attentionHiddenUnits, 3);
    SimilarityInputs inputs;
    inputs.imageFeatures = torch::randn({12, 8});
    inputs.enrichedTexts = torch::randn({12, 8});
    const FusedSimilarity fused = fuseSimilarities(inputs, settings, attention);

    // With the weights at the prior, the objective is the mean row correlation alone.
    const torch::Tensor codes = codeSimilarity(torch::randn({12, 16}), torch::randn({12, 16}));
    const double objective = attentionObjective(fused, codes, attention->prior(), 10.0).item<double>();
    const double correlation = rowCorrelation(fused.fused, codes).mean().item<double>();
    QVERIFY(std::abs(objective - correlation) < tolerance);

    // Its gradient reaches the attention's parameters.
    attentionObjective(fused, codes, attention->prior(), 0.5).backward();
    QVERIFY(attention->score.grad().defined());
    QVERIFY(attention->score.grad().abs().sum().item<double>() > 0);
}

void TestSimilarityMath::coherenceKeepsSymmetry()
{
    const torch::Tensor fused = cosineSimilarity(torch::randn({10, 4}), false) * 1.4;
    const torch::Tensor blended = neighbourCoherence(fused, 3, 0.3, 1.4);
    QVERIFY(maxAbsoluteDifference(blended, blended.t()) < tolerance);
    QVERIFY(maxAbsoluteDifference(neighbourCoherence(fused, 3, 0.0, 1.4), fused) < tolerance);
}

void TestSimilarityMath::trainingNeighboursExcludeSelf()
{
    const torch::Tensor texts = rowNormalise(overlappingTexts(20));
    const TextNeighbours neighbours = findTextNeighbours(texts, texts, 4);

    QCOMPARE(neighbours.indices.size(0), 20);
    QCOMPARE(neighbours.indices.size(1), 4);
    for (int i = 0; i < 20; ++i) {
        for (int slot = 0; slot < 4; ++slot)
            QVERIFY2(neighbours.indices[i][slot].item<int64_t>() != i, qPrintable(QStringLiteral("item %1").arg(i)));
    }

    // Neighbours share a word, so their cosine is positive.
    const torch::Tensor cosines = texts.mm(texts.t()).gather(1, neighbours.indices);
    QVERIFY(torch::equal(neighbours.valid, cosines > 0));

    // k beyond n - 1 is limited to n - 1.
    QCOMPARE(findTextNeighbours(texts.narrow(0, 0, 3), texts.narrow(0, 0, 3), 10).indices.size(1), 2);
}

void TestSimilarityMath::duplicateTextsAreNeighbours()
{
    torch::Tensor texts = overlappingTexts(10);
    texts[7] = texts[3];
    const torch::Tensor normalised = rowNormalise(texts);
    const TextNeighbours neighbours = findTextNeighbours(normalised, normalised, 3);

    // Each copy drops one copy (itself or the other), so the other copy's content is
    // its best neighbour: the aggregates of both copies are equal.
    const torch::Tensor aggregates = aggregateNeighbours(normalised, neighbours, normalised);
    QVERIFY(maxAbsoluteDifference(aggregates[3], aggregates[7]) < tolerance);
    const int64_t best = neighbours.indices[3][0].item<int64_t>();
    QVERIFY(best == 3 || best == 7);
}

void TestSimilarityMath::adjacencyMatchesDenseFormula()
{
    const int n = 15;
    const torch::Tensor texts = rowNormalise(overlappingTexts(n));
    const TextNeighbours neighbours = findTextNeighbours(texts, texts, 3);
    const torch::Tensor sparse = normalisedAdjacency(neighbours, n);
    const torch::Tensor adjacency = sparse.to_dense();

    QVERIFY(maxAbsoluteDifference(adjacency, adjacency.t()) < tolerance);

    // Marked coalesced: its entries are sorted and unique, as coalesce() would make them.
    const torch::Tensor recoalesced = torch::sparse_coo_tensor(sparse._indices(), sparse._values(), sparse.sizes()).coalesce();
    QVERIFY(sparse.is_coalesced());
    QVERIFY(torch::equal(sparse._indices(), recoalesced._indices()));
    QVERIFY(torch::equal(sparse._values(), recoalesced._values()));

    // Dense A from the neighbour lists, symmetrised, plus I, normalised.
    torch::Tensor a = torch::zeros({n, n});
    for (int i = 0; i < n; ++i) {
        for (int slot = 0; slot < neighbours.indices.size(1); ++slot) {
            const int64_t j = neighbours.indices[i][slot].item<int64_t>();
            if (neighbours.valid[i][slot].item<bool>() && j != i) {
                a[i][j] = 1;
                a[j][i] = 1;
            }
        }
    }
    a += torch::eye(n);
    const torch::Tensor inverseRoot = a.sum(1).rsqrt();
    const torch::Tensor expected = inverseRoot.unsqueeze(1) * a * inverseRoot.unsqueeze(0);
    QVERIFY(maxAbsoluteDifference(adjacency, expected) < tolerance);

    // Enrichment adds beta times the A_hat-weighted neighbour texts.
    const torch::Tensor enriched = enrichTrainingTexts(texts, normalisedAdjacency(neighbours, n), 0.5);
    QVERIFY(maxAbsoluteDifference(enriched, texts + 0.5 * expected.mm(texts)) < tolerance);
}

void TestSimilarityMath::neighboursIgnoreOtherRows()
{
    const torch::Tensor training = rowNormalise(overlappingTexts(30));
    const torch::Tensor queries = rowNormalise(torch::rand({8, 23}).gt(0.7).to(torch::kFloat));

    const TextNeighbours together = findTextNeighbours(queries, training, 5);
    const torch::Tensor aggregatesTogether = aggregateNeighbours(queries, together, training);
    for (int i = 0; i < 8; ++i) {
        const torch::Tensor single = queries.narrow(0, i, 1);
        const TextNeighbours alone = findTextNeighbours(single, training, 5);
        QVERIFY(torch::equal(alone.indices[0], together.indices[i]));
        QVERIFY(maxAbsoluteDifference(aggregateNeighbours(single, alone, training)[0], aggregatesTogether[i]) < 1e-6);
    }
}

QTEST_GUILESS_MAIN(TestSimilarityMath)
#include "tst_similarity_math.moc"
