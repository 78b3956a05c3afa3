// Steps 3 and 4 of ESAFH: the enhanced similarity matrices and their attention
// fusion. The trainer and the display function below share this code, so what the
// user sees is what the hash networks were trained on.

#include "method/similarity.h"

#include "common/logging.h"
#include "method/hash_model.h"
#include "method/torch_internal.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace esafh::detail {

QStringList candidateNames(const EsafhSettings &settings)
{
    QStringList names = {QStringLiteral("S_I"), QStringLiteral("S_T")};
    const bool crossModal = settings.method == QLatin1String("jdsh")
                            || (settings.method == QLatin1String("esafh") && settings.crossModalTerm);
    if (crossModal)
        names << QStringLiteral("S_C");
    return names;
}

torch::Tensor rowNormalise(const torch::Tensor &matrix)
{
    return matrix / matrix.norm(2, {1}, /*keepdim=*/true).clamp_min(1e-12);
}

torch::Tensor cosineSimilarity(const torch::Tensor &features, bool signedMap)
{
    const torch::Tensor normalised = rowNormalise(features);
    torch::Tensor similarity = normalised.mm(normalised.t());
    if (signedMap)
        similarity = similarity * 2 - 1;
    similarity = similarity.clamp(-1, 1);

    // A zero row (an empty text) has no defined cosine; its self-similarity is still 1.
    similarity.diagonal().fill_(1);
    return similarity;
}

torch::Tensor crossCosine(const torch::Tensor &rows, const torch::Tensor &columns, bool signedMap)
{
    torch::Tensor similarity = rowNormalise(rows).mm(rowNormalise(columns).t());
    if (signedMap)
        similarity = similarity * 2 - 1;
    return similarity.clamp(-1, 1);
}

torch::Tensor crossModalSimilarity(const torch::Tensor &image, const torch::Tensor &text)
{
    const torch::Tensor product = rowNormalise(image).mm(rowNormalise(text).t());
    return (product + product.t()) / 2;
}

torch::Tensor offDiagonalMask(int64_t size, const torch::Device &device)
{
    return torch::eye(size, torch::TensorOptions().dtype(torch::kBool).device(device)).logical_not();
}

torch::Tensor offDiagonalRows(const torch::Tensor &square)
{
    const int64_t m = square.size(0);
    return square.masked_select(offDiagonalMask(m, square.device())).view({m, m - 1});
}

torch::Tensor toCommonScale(const torch::Tensor &candidate, const torch::Tensor &reference)
{
    const torch::Tensor mask = offDiagonalMask(candidate.size(0), candidate.device());
    const torch::Tensor values = candidate.masked_select(mask);
    const torch::Tensor referenceValues = reference.masked_select(mask);

    const torch::Tensor zScores = (candidate - values.mean()) / values.std(/*unbiased=*/false).clamp_min(1e-8);
    torch::Tensor scaled = zScores * referenceValues.std(/*unbiased=*/false) + referenceValues.mean();
    scaled.diagonal().fill_(1);
    return scaled;
}

torch::Tensor rowDescriptors(const torch::Tensor &similarity, int topCount, double temperature)
{
    const torch::Tensor rows = offDiagonalRows(similarity);
    const int64_t others = rows.size(1);

    const torch::Tensor mean = rows.mean(1);
    const torch::Tensor deviation = rows.std(1, /*unbiased=*/false);
    const torch::Tensor topMean = std::get<0>(rows.topk(std::min<int64_t>(topCount, others), 1)).mean(1);

    // With one other item the entropy is 0 and its maximum log(1) is 0 too.
    const torch::Tensor logProbabilities = torch::log_softmax(rows / temperature, 1);
    const torch::Tensor entropy = -(logProbabilities.exp() * logProbabilities).sum(1);
    const torch::Tensor normalisedEntropy = others > 1 ? entropy / std::log(static_cast<double>(others))
                                                       : torch::zeros_like(entropy);

    return torch::stack({mean, deviation, topMean, normalisedEntropy}, 1);
}

torch::Tensor rowCorrelation(const torch::Tensor &a, const torch::Tensor &b)
{
    const torch::Tensor x = offDiagonalRows(a);
    const torch::Tensor y = offDiagonalRows(b);
    const torch::Tensor xc = x - x.mean(1, /*keepdim=*/true);
    const torch::Tensor yc = y - y.mean(1, /*keepdim=*/true);

    // The small constant keeps the gradient finite for a constant row.
    const torch::Tensor norms = torch::sqrt((xc * xc).sum(1) * (yc * yc).sum(1) + 1e-12);
    return (xc * yc).sum(1) / norms;
}

torch::Tensor codeSimilarity(const torch::Tensor &imageCodes, const torch::Tensor &textCodes)
{
    const torch::Tensor product = rowNormalise(imageCodes).mm(rowNormalise(textCodes).t());
    return (product + product.t()) / 2;
}

torch::Tensor neighbourCoherence(const torch::Tensor &fused, int neighbours, double weight, double scale)
{
    const int64_t m = fused.size(0);
    const int64_t k = std::min<int64_t>(neighbours, m - 1);

    // Top-k positive off-diagonal entries of each row, the rest zero.
    const torch::Tensor withoutSelf = fused.masked_fill(offDiagonalMask(m, fused.device()).logical_not(),
                                                        -std::numeric_limits<float>::infinity());
    const auto [values, indices] = withoutSelf.topk(k, 1);
    const torch::Tensor topEntries = torch::zeros_like(fused).scatter(1, indices, values.clamp_min(0));
    const torch::Tensor p = rowNormalise(topEntries);

    return (1 - weight) * fused + weight * scale * (2 * p.mm(p.t()) - 1);
}

DistributionThresholds distributionThresholds(const torch::Tensor &similarity, double width)
{
    const torch::Tensor values = offDiagonalRows(similarity).flatten().to(torch::kDouble);
    const double mean = values.mean().item<double>();
    const torch::Tensor lowMode = values.masked_select(values < mean);
    const torch::Tensor highMode = values.masked_select(values >= mean);

    DistributionThresholds thresholds;
    thresholds.minimum = values.min().item<double>();
    thresholds.maximum = values.max().item<double>();
    // A constant matrix has no low mode; then nothing lies below the low threshold.
    thresholds.low = lowMode.numel() > 0
                         ? lowMode.mean().item<double>() - width * lowMode.std(/*unbiased=*/false).item<double>()
                         : thresholds.minimum;
    thresholds.high = highMode.mean().item<double>() + width * highMode.std(/*unbiased=*/false).item<double>();
    thresholds.valid = true;
    return thresholds;
}

torch::Tensor distributionWeighting(const torch::Tensor &similarity, const DistributionThresholds &thresholds,
                                    double lowBoost, double highBoost)
{
    const torch::Tensor lowWeighted = similarity * (1 + lowBoost * torch::exp(-(similarity - thresholds.minimum)));
    const torch::Tensor highWeighted = similarity * (1 + highBoost * torch::exp(similarity - thresholds.maximum));
    torch::Tensor weighted = torch::where(similarity < thresholds.low, lowWeighted, similarity);
    return torch::where(similarity > thresholds.high, highWeighted, weighted);
}

torch::Tensor neighbourRows(const torch::Tensor &pairSimilarity, int neighbours, const torch::Tensor &excludedColumns)
{
    const int64_t columns = pairSimilarity.size(1);
    torch::Tensor candidates = pairSimilarity.clone();
    const torch::Tensor excluded = excludedColumns.to(torch::kLong);
    const torch::Tensor hasExcluded = excluded >= 0;
    if (hasExcluded.any().item<bool>()) {
        const torch::Tensor rows = torch::arange(pairSimilarity.size(0), excluded.options()).masked_select(hasExcluded);
        candidates.index_put_({rows, excluded.masked_select(hasExcluded)},
                              torch::tensor(-std::numeric_limits<float>::infinity(), candidates.options()));
    }

    const int64_t k = std::min<int64_t>(neighbours, columns - 1);
    const auto [values, indices] = candidates.topk(std::max<int64_t>(k, 1), 1);
    const torch::Tensor topEntries = torch::zeros_like(pairSimilarity).scatter(1, indices, values.clamp_min(0));
    return rowNormalise(topEntries);
}

AttentionFusionImpl::AttentionFusionImpl(int descriptorCount, int hiddenUnits, int candidateCount)
{
    projection = register_module("projection", torch::nn::Linear(descriptorCount, hiddenUnits));
    score = register_parameter("score", torch::zeros({hiddenUnits}));
    logPrior = register_buffer("logPrior", torch::full({candidateCount}, -std::log(static_cast<double>(candidateCount))));
}

torch::Tensor AttentionFusionImpl::forward(const torch::Tensor &descriptors)
{
    const torch::Tensor scores = torch::tanh(projection(descriptors)).matmul(score); // M x m
    return torch::softmax(scores.t() + logPrior, 1);
}

namespace {

/// The same weights for every item, m x M.
torch::Tensor fixedWeights(int64_t items, const std::vector<double> &weights, const torch::Device &device)
{
    const torch::Tensor row = torch::tensor(std::vector<float>(weights.begin(), weights.end()),
                                            torch::TensorOptions().device(device));
    return row.unsqueeze(0).expand({items, row.size(0)}).contiguous();
}

/// sum_m w_m S_m with the same weights for every item.
torch::Tensor weightedSum(const std::vector<torch::Tensor> &candidates, const std::vector<double> &weights)
{
    torch::Tensor sum = weights[0] * candidates[0];
    for (std::size_t m = 1; m < candidates.size(); ++m)
        sum = sum + weights[m] * candidates[m];
    return sum;
}

/// DJSRH: S_0 = beta S_I + (1 - beta) S_T, S = mu ((1 - eta) S_0 + eta S_0 S_0^T / m).
void djsrhTarget(FusedSimilarity &result, const EsafhSettings &settings)
{
    const double beta = settings.djsrhImageWeight;
    const double eta = settings.djsrhSecondOrderWeight;
    const std::vector<double> weights = {beta, 1 - beta};
    result.scaledCandidates = {result.image, result.text};
    result.weights = fixedWeights(result.image.size(0), weights, result.image.device());

    const torch::Tensor first = weightedSum(result.scaledCandidates, weights);
    const double items = static_cast<double>(first.size(0));
    result.fused = settings.fusionScale * ((1 - eta) * first + eta * first.mm(first.t()) / items);
}

/// JDSH: S = mu * weighting(alpha S_I + beta S_T + lambda S_C).
void jdshTarget(FusedSimilarity &result, const SimilarityInputs &inputs, const EsafhSettings &settings)
{
    const std::vector<double> weights = {settings.jdshImageWeight, settings.jdshTextWeight, settings.jdshCrossWeight};
    result.scaledCandidates = {result.image, result.text, result.crossModal};
    result.weights = fixedWeights(result.image.size(0), weights, result.image.device());

    torch::Tensor joint = weightedSum(result.scaledCandidates, weights);
    if (settings.jdshDistributionWeighting) {
        const DistributionThresholds thresholds = inputs.jdshThresholds.valid
                                                      ? inputs.jdshThresholds
                                                      : distributionThresholds(joint, settings.jdshThresholdWidth);
        joint = distributionWeighting(joint, thresholds, settings.jdshLowBoost, settings.jdshHighBoost);
    }
    result.fused = settings.fusionScale * joint;
}

/// DGCPN: S = mu ((1 - a2) S_pair + a2 (2 P P^T - 1)) with S_pair = a1 S_T + (1 - a1) S_I.
void dgcpnTarget(FusedSimilarity &result, const SimilarityInputs &inputs, const EsafhSettings &settings)
{
    const double a1 = settings.dgcpnTextWeight;
    const std::vector<double> weights = {1 - a1, a1};
    result.scaledCandidates = {result.image, result.text};
    result.weights = fixedWeights(result.image.size(0), weights, result.image.device());

    const torch::Tensor pair = weightedSum(result.scaledCandidates, weights);
    torch::Tensor rows = inputs.dgcpnNeighbourRows;
    if (!rows.defined()) {
        const torch::Tensor self = torch::arange(pair.size(0), torch::TensorOptions().dtype(torch::kLong).device(pair.device()));
        rows = neighbourRows(pair, settings.dgcpnNeighbours, self);
    }
    const double a2 = settings.dgcpnCoherenceWeight;
    result.fused = settings.fusionScale * ((1 - a2) * pair + a2 * (2 * rows.mm(rows.t()) - 1));
}

/// ESAFH's steps 3 and 4, with its ablation switches.
void esafhTarget(FusedSimilarity &result, const EsafhSettings &settings, AttentionFusion &attention)
{
    std::vector<torch::Tensor> candidates = {result.image, result.text};
    if (settings.crossModalTerm)
        candidates.push_back(result.crossModal);

    if (settings.fixedFusionWeights) {
        // JDSH's weights on the candidates' own scales; without S_C the other two
        // keep their ratio.
        std::vector<double> weights = {0.5, 0.1, 0.4};
        if (!settings.crossModalTerm)
            weights = {0.5 / 0.6, 0.1 / 0.6};
        result.scaledCandidates = candidates;
        result.weights = fixedWeights(result.image.size(0), weights, result.image.device());
        result.fused = settings.fusionScale * weightedSum(candidates, weights);
    } else {
        // Without the common scale the candidate with the highest overall level would
        // win whatever its structure.
        {
            torch::NoGradGuard noGrad;
            result.scaledCandidates = {result.image};
            for (std::size_t m = 1; m < candidates.size(); ++m)
                result.scaledCandidates.push_back(toCommonScale(candidates[m], result.image));
        }

        std::vector<torch::Tensor> descriptors;
        for (const torch::Tensor &candidate : result.scaledCandidates)
            descriptors.push_back(rowDescriptors(candidate, settings.rowTopMeanCount, settings.rowEntropyTemperature));
        result.weights = attention(torch::stack(descriptors));

        // S_F_ij = mu (sum_m w_mi S_m_ij + sum_m w_mj S_m_ij) / 2.
        const torch::Tensor stacked = torch::stack(result.scaledCandidates); // M x m x m
        const torch::Tensor rowWeighted = (stacked * result.weights.t().unsqueeze(2)).sum(0);
        const torch::Tensor columnWeighted = (stacked * result.weights.t().unsqueeze(1)).sum(0);
        result.fused = settings.fusionScale * (rowWeighted + columnWeighted) / 2;
    }

    if (settings.neighbourCoherence) {
        result.fused = neighbourCoherence(result.fused, settings.coherenceNeighbours, settings.coherenceWeight,
                                          settings.fusionScale);
    }
}

} // namespace

FusedSimilarity fuseSimilarities(const SimilarityInputs &inputs, const EsafhSettings &settings,
                                 AttentionFusion &attention)
{
    FusedSimilarity result;

    // The candidates are data, never trained: only ESAFH's weights carry gradient.
    {
        torch::NoGradGuard noGrad;
        result.image = cosineSimilarity(inputs.imageFeatures, settings.signedSimilarity && inputs.imageNonNegative);
        result.text = cosineSimilarity(inputs.enrichedTexts, settings.signedSimilarity && inputs.textNonNegative);
        result.crossModal = crossModalSimilarity(result.image, result.text);
    }

    if (settings.method == QLatin1String("djsrh")) {
        djsrhTarget(result, settings);
    } else if (settings.method == QLatin1String("jdsh")) {
        jdshTarget(result, inputs, settings);
    } else if (settings.method == QLatin1String("dgcpn")) {
        dgcpnTarget(result, inputs, settings);
    } else {
        esafhTarget(result, settings, attention);
    }
    return result;
}

torch::Tensor attentionObjective(const FusedSimilarity &similarity, const torch::Tensor &codeSimilarity,
                                 const torch::Tensor &prior, double klWeight)
{
    const torch::Tensor correlation = rowCorrelation(similarity.fused, codeSimilarity.detach()).mean();
    const torch::Tensor weights = similarity.weights.clamp_min(1e-12);
    const torch::Tensor divergence = (weights * (weights.log() - prior.log())).sum(1).mean();
    return correlation - klWeight * divergence;
}

} // namespace esafh::detail

namespace esafh {

Result<SimilarityMatrices> computeSimilarityMatrices(const HashModel &model, const FeatureMatrix &images,
                                                     const FeatureMatrix &texts)
{
    using Failure = Result<SimilarityMatrices>;
    const HashModel::Private &d = model.impl();

    if (images.rows() != texts.rows())
        return Failure::failure(QStringLiteral("Cannot compute similarity matrices: %1 image rows but %2 text rows.")
                                    .arg(images.rows()).arg(texts.rows()));
    if (images.rows() < 2)
        return Failure::failure(QStringLiteral("Cannot compute similarity matrices of %1 item(s): at least 2 are needed.")
                                    .arg(images.rows()));
    if (images.cols() != d.imageDimension || texts.cols() != d.textDimension)
        return Failure::failure(QStringLiteral("Cannot compute similarity matrices: features are %1 (image) and %2 (text) "
                                               "wide, but the model was trained on %3 and %4.")
                                    .arg(images.cols()).arg(texts.cols()).arg(d.imageDimension).arg(d.textDimension));

    try {
        torch::NoGradGuard noGrad;
        const torch::Tensor imageTensor = detail::toTensor(images, d.device);
        const torch::Tensor normalisedTexts = detail::rowNormalise(detail::toTensor(texts, d.device));

        // Display items may be new texts, so their enrichment uses the inductive
        // neighbour weights (the text itself and its k nearest training texts).
        const bool needsAggregates = d.settings.learnedTextEncoder || d.settings.neighbourEnrichment;
        const torch::Tensor aggregates = needsAggregates ? d.inductiveAggregates(normalisedTexts) : torch::Tensor();
        detail::SimilarityInputs inputs;
        inputs.imageFeatures = d.similarityImageFeatures(imageTensor);
        inputs.imageNonNegative = d.similarityImageNonNegative();
        inputs.enrichedTexts = d.settings.neighbourEnrichment
                                   ? normalisedTexts + d.settings.enrichmentWeight * aggregates
                                   : normalisedTexts;
        inputs.textNonNegative = d.textNonNegative;

        // NOTE: the row descriptors span the n - 1 other display items, not a
        // training batch, so the weights shown can differ from those used in training.
        // Likewise JDSH's thresholds and DGCPN's neighbours come from the display
        // items, not from the training set.
        detail::AttentionFusion attention = d.attention;
        const detail::FusedSimilarity fused = detail::fuseSimilarities(inputs, d.settings, attention);

        SimilarityMatrices matrices;
        matrices.image = detail::toMatrix(fused.image);
        matrices.text = detail::toMatrix(
            detail::cosineSimilarity(normalisedTexts, d.settings.signedSimilarity && d.textNonNegative));
        matrices.enrichedText = detail::toMatrix(fused.text);
        matrices.crossModal = detail::toMatrix(fused.crossModal);
        matrices.fused = detail::toMatrix(fused.fused);
        matrices.attention = detail::toMatrix(fused.weights);
        matrices.code = detail::toMatrix(
            detail::codeSimilarity(d.imageCodes(imageTensor), d.textCodes(normalisedTexts, aggregates)));
        matrices.candidateNames = detail::candidateNames(d.settings);
        return matrices;
    } catch (const c10::Error &error) {
        qCWarning(lcTraining) << "Similarity matrices failed:" << error.what_without_backtrace();
        return Failure::failure(QStringLiteral("Computing the similarity matrices failed: %1")
                                    .arg(QString::fromUtf8(error.what_without_backtrace())));
    } catch (const std::exception &error) {
        qCWarning(lcTraining) << "Similarity matrices failed:" << error.what();
        return Failure::failure(QStringLiteral("Computing the similarity matrices failed: %1")
                                    .arg(QString::fromUtf8(error.what())));
    }
}

} // namespace esafh
