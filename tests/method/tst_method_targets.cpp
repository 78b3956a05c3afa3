// The training targets of DJSRH, JDSH, DGCPN and ESAFH's fixed-weight baselines on a
// small input, against the formulas computed here with plain loops.

#include "method/torch_internal.h"

#include <QTest>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

using namespace esafh;
using namespace esafh::detail;

namespace {

using Matrix = std::vector<std::vector<double>>;

constexpr double tolerance = 1e-5;

/// Five items with 3 signed image features each, so S_I keeps the raw cosine.
const Matrix imageRows = {
    {1.0, 0.2, -0.3}, {0.9, 0.4, -0.1}, {-0.5, 1.0, 0.3}, {-0.2, 0.8, 0.7}, {0.3, -0.6, 1.1},
};

/// Non-negative text features with distinct values, so S_T is mapped to 2s - 1 and
/// no two neighbours tie.
const Matrix textRows = {
    {1.0, 0.7, 0.0, 0.1}, {0.8, 0.9, 0.2, 0.0}, {0.0, 0.3, 1.0, 0.4}, {0.1, 0.0, 0.9, 0.6}, {0.5, 0.1, 0.3, 1.0},
};

torch::Tensor tensorOf(const Matrix &rows)
{
    std::vector<float> values;
    for (const auto &row : rows)
        values.insert(values.end(), row.begin(), row.end());
    return torch::tensor(values).reshape({static_cast<int64_t>(rows.size()), static_cast<int64_t>(rows[0].size())});
}

double maxDifference(const torch::Tensor &actual, const Matrix &expected)
{
    double difference = 0;
    for (std::size_t i = 0; i < expected.size(); ++i)
        for (std::size_t j = 0; j < expected[i].size(); ++j)
            difference = std::max(difference, std::abs(actual[i][j].item<double>() - expected[i][j]));
    return difference;
}

Matrix cosine(const Matrix &rows, bool signedMap)
{
    const std::size_t m = rows.size();
    Matrix result(m, std::vector<double>(m));
    for (std::size_t i = 0; i < m; ++i) {
        for (std::size_t j = 0; j < m; ++j) {
            double dot = 0, normI = 0, normJ = 0;
            for (std::size_t d = 0; d < rows[i].size(); ++d) {
                dot += rows[i][d] * rows[j][d];
                normI += rows[i][d] * rows[i][d];
                normJ += rows[j][d] * rows[j][d];
            }
            double value = dot / std::sqrt(normI * normJ);
            if (signedMap)
                value = 2 * value - 1;
            result[i][j] = i == j ? 1.0 : std::clamp(value, -1.0, 1.0);
        }
    }
    return result;
}

/// (rownorm(A) rownorm(B)^T + its transpose) / 2.
Matrix crossModal(const Matrix &a, const Matrix &b)
{
    const std::size_t m = a.size();
    Matrix product(m, std::vector<double>(m));
    for (std::size_t i = 0; i < m; ++i) {
        for (std::size_t j = 0; j < m; ++j) {
            double dot = 0, normA = 0, normB = 0;
            for (std::size_t d = 0; d < m; ++d) {
                dot += a[i][d] * b[j][d];
                normA += a[i][d] * a[i][d];
                normB += b[j][d] * b[j][d];
            }
            product[i][j] = dot / std::sqrt(normA * normB);
        }
    }
    Matrix result(m, std::vector<double>(m));
    for (std::size_t i = 0; i < m; ++i)
        for (std::size_t j = 0; j < m; ++j)
            result[i][j] = (product[i][j] + product[j][i]) / 2;
    return result;
}

Matrix combine(const std::vector<const Matrix *> &matrices, const std::vector<double> &weights)
{
    const std::size_t m = matrices[0]->size();
    Matrix result(m, std::vector<double>(m, 0.0));
    for (std::size_t k = 0; k < matrices.size(); ++k)
        for (std::size_t i = 0; i < m; ++i)
            for (std::size_t j = 0; j < m; ++j)
                result[i][j] += weights[k] * (*matrices[k])[i][j];
    return result;
}

Matrix scaled(const Matrix &matrix, double factor)
{
    Matrix result = matrix;
    for (auto &row : result)
        for (double &value : row)
            value *= factor;
    return result;
}

/// Rows of P: the k largest positive entries of each row, itself excluded, L2-normalised.
Matrix neighbourRowsByHand(const Matrix &pair, int k)
{
    const std::size_t m = pair.size();
    Matrix rows(m, std::vector<double>(m, 0.0));
    for (std::size_t i = 0; i < m; ++i) {
        std::vector<std::size_t> others;
        for (std::size_t j = 0; j < m; ++j)
            if (j != i)
                others.push_back(j);
        std::sort(others.begin(), others.end(), [&](std::size_t a, std::size_t b) { return pair[i][a] > pair[i][b]; });
        double norm = 0;
        for (int n = 0; n < k; ++n) {
            const double value = std::max(0.0, pair[i][others[static_cast<std::size_t>(n)]]);
            rows[i][others[static_cast<std::size_t>(n)]] = value;
            norm += value * value;
        }
        for (double &value : rows[i])
            value = norm > 0 ? value / std::sqrt(norm) : 0.0;
    }
    return rows;
}

SimilarityInputs smallInputs()
{
    SimilarityInputs inputs;
    inputs.imageFeatures = tensorOf(imageRows);
    inputs.imageNonNegative = false;
    inputs.enrichedTexts = tensorOf(textRows);
    inputs.textNonNegative = true;
    return inputs;
}

EsafhSettings settingsFor(const char *method)
{
    EsafhSettings settings = EsafhSettings::forMethod(QLatin1String(method)).value();
    settings.device = QStringLiteral("cpu");
    return settings;
}

FusedSimilarity targetOf(const EsafhSettings &settings, const SimilarityInputs &inputs)
{
    torch::manual_seed(1);
    AttentionFusion attention(rowDescriptorCount, settings.attentionHiddenUnits,
                              static_cast<int>(candidateNames(settings).size()));
    torch::NoGradGuard noGrad;
    return fuseSimilarities(inputs, settings, attention);
}

} // namespace

class TestMethodTargets : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void candidateNamesPerMethod();
    void djsrhMatchesFormula();
    void jdshWithoutWeightingMatchesFormula();
    void jdshWeightingMatchesFormula();
    void dgcpnMatchesFormula();
    void dgcpnTrainingRowsMatchBatchRows();
    void esafhFixedWeightsMatchFormula();
    void esafhWithoutCrossTermHasTwoCandidates();
};

void TestMethodTargets::candidateNamesPerMethod()
{
    const QStringList two = {QStringLiteral("S_I"), QStringLiteral("S_T")};
    const QStringList three = {QStringLiteral("S_I"), QStringLiteral("S_T"), QStringLiteral("S_C")};
    QCOMPARE(candidateNames(settingsFor("esafh")), three);
    QCOMPARE(candidateNames(settingsFor("djsrh")), two);
    QCOMPARE(candidateNames(settingsFor("jdsh")), three);
    QCOMPARE(candidateNames(settingsFor("dgcpn")), two);

    EsafhSettings withoutCross = settingsFor("esafh");
    withoutCross.crossModalTerm = false;
    QCOMPARE(candidateNames(withoutCross), two);
}

void TestMethodTargets::djsrhMatchesFormula()
{
    const EsafhSettings settings = settingsFor("djsrh");
    const FusedSimilarity target = targetOf(settings, smallInputs());

    const Matrix image = cosine(imageRows, false);
    const Matrix text = cosine(textRows, true);
    const double beta = 0.9, eta = 0.4, mu = 1.5;
    const Matrix first = combine({&image, &text}, {beta, 1 - beta});
    const std::size_t m = first.size();
    Matrix expected(m, std::vector<double>(m));
    for (std::size_t i = 0; i < m; ++i) {
        for (std::size_t j = 0; j < m; ++j) {
            double second = 0;
            for (std::size_t k = 0; k < m; ++k)
                second += first[i][k] * first[j][k];
            expected[i][j] = mu * ((1 - eta) * first[i][j] + eta * second / static_cast<double>(m));
        }
    }

    QVERIFY2(maxDifference(target.image, image) < tolerance, "S_I");
    QVERIFY2(maxDifference(target.text, text) < tolerance, "S_T");
    QVERIFY2(maxDifference(target.fused, expected) < tolerance, qPrintable(QString::number(maxDifference(target.fused, expected))));
    QCOMPARE(target.weights.size(1), 2);
    QVERIFY(std::abs(target.weights[3][0].item<double>() - beta) < tolerance);
}

void TestMethodTargets::jdshWithoutWeightingMatchesFormula()
{
    EsafhSettings settings = settingsFor("jdsh");
    settings.jdshDistributionWeighting = false;
    const FusedSimilarity target = targetOf(settings, smallInputs());

    const Matrix image = cosine(imageRows, false);
    const Matrix text = cosine(textRows, true);
    const Matrix cross = crossModal(image, text);
    const Matrix expected = scaled(combine({&image, &text, &cross}, {0.5, 0.1, 0.4}), 1.4);

    QVERIFY2(maxDifference(target.crossModal, cross) < tolerance, "S_C");
    QVERIFY2(maxDifference(target.fused, expected) < tolerance, "S");
}

void TestMethodTargets::jdshWeightingMatchesFormula()
{
    EsafhSettings settings = settingsFor("jdsh");
    // Boosts large enough to change the values visibly.
    settings.jdshLowBoost = 0.5;
    settings.jdshHighBoost = 0.7;
    settings.jdshThresholdWidth = 0.5;
    const FusedSimilarity target = targetOf(settings, smallInputs());

    const Matrix image = cosine(imageRows, false);
    const Matrix text = cosine(textRows, true);
    const Matrix cross = crossModal(image, text);
    const Matrix joint = combine({&image, &text, &cross}, {0.5, 0.1, 0.4});

    // The thresholds from the off-diagonal values split at their mean.
    std::vector<double> values;
    for (std::size_t i = 0; i < joint.size(); ++i)
        for (std::size_t j = 0; j < joint.size(); ++j)
            if (i != j)
                values.push_back(joint[i][j]);
    const double mean = std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
    std::vector<double> low, high;
    for (double value : values)
        (value < mean ? low : high).push_back(value);
    const auto moments = [](const std::vector<double> &part) {
        const double partMean = std::accumulate(part.begin(), part.end(), 0.0) / static_cast<double>(part.size());
        double squares = 0;
        for (double value : part)
            squares += (value - partMean) * (value - partMean);
        return std::make_pair(partMean, std::sqrt(squares / static_cast<double>(part.size())));
    };
    const auto [lowMean, lowDeviation] = moments(low);
    const auto [highMean, highDeviation] = moments(high);
    const double lowThreshold = lowMean - 0.5 * lowDeviation;
    const double highThreshold = highMean + 0.5 * highDeviation;
    const double minimum = *std::min_element(values.begin(), values.end());
    const double maximum = *std::max_element(values.begin(), values.end());

    Matrix expected = joint;
    int changed = 0;
    for (auto &row : expected) {
        for (double &value : row) {
            if (value < lowThreshold) {
                value *= 1 + 0.5 * std::exp(-(value - minimum));
                ++changed;
            } else if (value > highThreshold) {
                value *= 1 + 0.7 * std::exp(value - maximum);
                ++changed;
            }
            value *= 1.4;
        }
    }

    QVERIFY2(changed > 5, "the input must exercise both branches");
    QVERIFY2(maxDifference(target.fused, expected) < tolerance, qPrintable(QString::number(maxDifference(target.fused, expected))));

    const DistributionThresholds thresholds = distributionThresholds(tensorOf(joint), 0.5);
    QVERIFY(std::abs(thresholds.low - lowThreshold) < tolerance);
    QVERIFY(std::abs(thresholds.high - highThreshold) < tolerance);
}

void TestMethodTargets::dgcpnMatchesFormula()
{
    EsafhSettings settings = settingsFor("dgcpn");
    settings.dgcpnNeighbours = 2;
    settings.dgcpnTextWeight = 0.3;
    const FusedSimilarity target = targetOf(settings, smallInputs());

    const Matrix image = cosine(imageRows, false);
    const Matrix text = cosine(textRows, true);
    const Matrix pair = combine({&text, &image}, {0.3, 0.7});
    const Matrix rows = neighbourRowsByHand(pair, 2);
    const std::size_t m = pair.size();
    Matrix expected(m, std::vector<double>(m));
    for (std::size_t i = 0; i < m; ++i) {
        for (std::size_t j = 0; j < m; ++j) {
            double coherence = 0;
            for (std::size_t k = 0; k < m; ++k)
                coherence += rows[i][k] * rows[j][k];
            expected[i][j] = 1.4 * (0.7 * pair[i][j] + 0.3 * (2 * coherence - 1));
        }
    }
    QVERIFY2(maxDifference(target.fused, expected) < tolerance, qPrintable(QString::number(maxDifference(target.fused, expected))));
}

void TestMethodTargets::dgcpnTrainingRowsMatchBatchRows()
{
    // The trainer passes P's rows over the whole training set; with the batch being
    // the whole set they equal the rows found within the batch.
    EsafhSettings settings = settingsFor("dgcpn");
    settings.dgcpnNeighbours = 2;
    const FusedSimilarity withinBatch = targetOf(settings, smallInputs());

    const Matrix image = cosine(imageRows, false);
    const Matrix text = cosine(textRows, true);
    const Matrix pair = combine({&text, &image}, {settings.dgcpnTextWeight, 1 - settings.dgcpnTextWeight});
    SimilarityInputs inputs = smallInputs();
    inputs.dgcpnNeighbourRows = tensorOf(neighbourRowsByHand(pair, 2));
    const FusedSimilarity given = targetOf(settings, inputs);
    QVERIFY(torch::allclose(given.fused, withinBatch.fused, 1e-5, 1e-5));

    const torch::Tensor self = torch::arange(5, torch::kLong);
    QVERIFY(maxDifference(neighbourRows(tensorOf(pair), 2, self), neighbourRowsByHand(pair, 2)) < tolerance);
}

void TestMethodTargets::esafhFixedWeightsMatchFormula()
{
    EsafhSettings settings = settingsFor("esafh");
    settings.fixedFusionWeights = true;
    const FusedSimilarity target = targetOf(settings, smallInputs());

    const Matrix image = cosine(imageRows, false);
    const Matrix text = cosine(textRows, true);
    const Matrix cross = crossModal(image, text);
    const Matrix expected = scaled(combine({&image, &text, &cross}, {0.5, 0.1, 0.4}), 1.4);
    QVERIFY2(maxDifference(target.fused, expected) < tolerance, "S_F");
    QVERIFY(std::abs(target.weights[2][2].item<double>() - 0.4) < tolerance);
}

void TestMethodTargets::esafhWithoutCrossTermHasTwoCandidates()
{
    EsafhSettings settings = settingsFor("esafh");
    settings.crossModalTerm = false;
    settings.attentionFusion = false;
    const FusedSimilarity target = targetOf(settings, smallInputs());
    QCOMPARE(static_cast<int>(target.scaledCandidates.size()), 2);
    QCOMPARE(target.weights.size(1), 2);

    // At the uniform prior S_F = mu (S_I + S_T') / 2, where S_T' is S_T on S_I's scale.
    const torch::Tensor expected = 1.4 * (target.scaledCandidates[0] + target.scaledCandidates[1]) / 2;
    QVERIFY(torch::allclose(target.fused, expected, 1e-5, 1e-5));

    settings.fixedFusionWeights = true;
    const FusedSimilarity fixed = targetOf(settings, smallInputs());
    const Matrix image = cosine(imageRows, false);
    const Matrix text = cosine(textRows, true);
    const Matrix expectedFixed = scaled(combine({&image, &text}, {0.5 / 0.6, 0.1 / 0.6}), 1.4);
    QVERIFY2(maxDifference(fixed.fused, expectedFixed) < tolerance, "S_F without S_C");
}

QTEST_GUILESS_MAIN(TestMethodTargets)
#include "tst_method_targets.moc"
