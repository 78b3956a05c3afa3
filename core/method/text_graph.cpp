// Steps 1 and 2 of ESAFH: the text neighbour graph over the training texts and the
// parameter-free enrichment. The graph is global and inductive: a text that is not
// a training text gets its neighbours from the training texts, so its code never
// depends on which other items share its batch.

#include "method/torch_internal.h"

#include <algorithm>

namespace esafh::detail {

namespace {

/// Texts compared with all n training texts at once, bounding memory to chunk x n cosines.
constexpr int64_t neighbourChunk = 1024;

/// Cosines are rounded to this many steps per unit before ranking, so that float
/// differences between matrix products of different shapes do not reorder ties.
/// Only a cosine within float rounding of a step boundary can still move.
constexpr double cosineSteps = 1e6;

/// A best match at least this close to 1 is a copy of the text itself.
constexpr int64_t copyThreshold = static_cast<int64_t>(cosineSteps) - 10;

TextNeighbours findChunkNeighbours(const torch::Tensor &texts, const torch::Tensor &training, int64_t matchCount)
{
    const int64_t n = training.size(0);
    const torch::Tensor steps = torch::round(texts.mm(training.t()) * cosineSteps).to(torch::kLong);

    // Unique integer keys: a larger cosine first, then a lower training index.
    const torch::Tensor reverseIndex =
        torch::arange(n, 0, -1, torch::TensorOptions().dtype(torch::kLong).device(texts.device()));
    const torch::Tensor keys = steps * (n + 1) + reverseIndex;
    const torch::Tensor top = std::get<1>(keys.topk(matchCount, 1, /*largest=*/true, /*sorted=*/true));
    const torch::Tensor topSteps = steps.gather(1, top);

    // Drop the best match of a text that has a copy among the training texts, else
    // the last of the k + 1 best matches.
    const torch::Tensor isCopy = (topSteps.select(1, 0) >= copyThreshold).unsqueeze(1);
    const torch::Tensor withoutFirst = top.narrow(1, 1, matchCount - 1);
    const torch::Tensor withoutLast = top.narrow(1, 0, matchCount - 1);
    const torch::Tensor stepsWithoutFirst = topSteps.narrow(1, 1, matchCount - 1);
    const torch::Tensor stepsWithoutLast = topSteps.narrow(1, 0, matchCount - 1);

    TextNeighbours chunk;
    chunk.indices = torch::where(isCopy, withoutFirst, withoutLast);
    chunk.valid = torch::where(isCopy, stepsWithoutFirst, stepsWithoutLast) > 0;
    return chunk;
}

} // namespace

TextNeighbours findTextNeighbours(const torch::Tensor &normalisedTexts, const torch::Tensor &normalisedTraining,
                                  int k)
{
    const int64_t m = normalisedTexts.size(0);
    const int64_t n = normalisedTraining.size(0);
    const int64_t matchCount = std::min<int64_t>(static_cast<int64_t>(k) + 1, n);
    const auto indexOptions = torch::TensorOptions().dtype(torch::kLong).device(normalisedTexts.device());

    if (k <= 0 || matchCount < 2) {
        TextNeighbours none;
        none.indices = torch::zeros({m, 0}, indexOptions);
        none.valid = torch::zeros({m, 0}, indexOptions.dtype(torch::kBool));
        return none;
    }

    std::vector<torch::Tensor> indices;
    std::vector<torch::Tensor> valid;
    for (int64_t first = 0; first < m; first += neighbourChunk) {
        const int64_t count = std::min(neighbourChunk, m - first);
        TextNeighbours chunk = findChunkNeighbours(normalisedTexts.narrow(0, first, count), normalisedTraining, matchCount);
        indices.push_back(chunk.indices);
        valid.push_back(chunk.valid);
    }

    TextNeighbours neighbours;
    neighbours.indices = indices.empty() ? torch::zeros({0, matchCount - 1}, indexOptions) : torch::cat(indices);
    neighbours.valid = valid.empty() ? torch::zeros({0, matchCount - 1}, indexOptions.dtype(torch::kBool)) : torch::cat(valid);
    return neighbours;
}

torch::Tensor aggregateNeighbours(const torch::Tensor &normalisedTexts, const TextNeighbours &neighbours,
                                  const torch::Tensor &normalisedTraining)
{
    if (neighbours.indices.size(1) == 0)
        return normalisedTexts.clone();

    // m x k x d, with invalid neighbours zeroed out.
    const torch::Tensor weights = neighbours.valid.to(normalisedTexts.scalar_type());
    const torch::Tensor gathered = normalisedTraining.index_select(0, neighbours.indices.reshape(-1))
                                       .view({neighbours.indices.size(0), neighbours.indices.size(1), -1});
    const torch::Tensor neighbourSum = (gathered * weights.unsqueeze(2)).sum(1);
    const torch::Tensor count = weights.sum(1, /*keepdim=*/true) + 1;
    return (normalisedTexts + neighbourSum) / count;
}

torch::Tensor normalisedAdjacency(const TextNeighbours &trainingNeighbours, int64_t n)
{
    const torch::Device device = trainingNeighbours.indices.device();
    const auto indexOptions = torch::TensorOptions().dtype(torch::kLong).device(device);
    const int64_t k = trainingNeighbours.indices.size(1);

    // Directed kNN edges, without self-edges (a duplicate text may list itself).
    const torch::Tensor rows = torch::arange(n, indexOptions).repeat_interleave(k);
    const torch::Tensor cols = trainingNeighbours.indices.reshape(-1);
    const torch::Tensor keep = trainingNeighbours.valid.reshape(-1) & (rows != cols);
    const torch::Tensor edgeRows = rows.masked_select(keep);
    const torch::Tensor edgeCols = cols.masked_select(keep);

    // Symmetrise, keep each edge once, and add the self-loops of A + I.
    const torch::Tensor diagonal = torch::arange(n, indexOptions);
    const torch::Tensor keys = torch::cat({edgeRows * n + edgeCols, edgeCols * n + edgeRows, diagonal * n + diagonal});
    const torch::Tensor unique = std::get<0>(torch::unique_consecutive(std::get<0>(keys.sort())));
    const torch::Tensor adjacencyRows = unique.div(n, "floor");
    const torch::Tensor adjacencyCols = unique.remainder(n);

    const torch::Tensor degree = torch::bincount(adjacencyRows, {}, n).to(torch::kFloat);
    const torch::Tensor inverseRoot = degree.rsqrt();
    const torch::Tensor values = inverseRoot.index_select(0, adjacencyRows) * inverseRoot.index_select(0, adjacencyCols);
    return torch::sparse_coo_tensor(torch::stack({adjacencyRows, adjacencyCols}), values, {n, n}).coalesce();
}

torch::Tensor enrichTrainingTexts(const torch::Tensor &normalisedTraining, const torch::Tensor &adjacency,
                                  double beta)
{
    return normalisedTraining + beta * torch::mm(adjacency, normalisedTraining);
}

} // namespace esafh::detail
