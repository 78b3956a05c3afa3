// Steps 1 and 2 of ESAFH: the text neighbour graph over the training texts and the
// parameter-free enrichment. The graph is global and inductive: a text that is not
// a training text gets its neighbours from the training texts, so its code never
// depends on which other items share its batch.
//
// No step builds an n x n matrix. Neighbours are found for blocks of texts against
// all training texts, keeping the top k per text; sparse non-negative texts (bags of
// words) use an inverted index over the training texts' words instead, whose cost
// grows with the number of shared words rather than with n^2 d.

#include "method/torch_internal.h"

#include "method/approximate_neighbours.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
#include <optional>

namespace esafh::detail {

namespace {

/// Cosines computed at once by the dense path: a block of texts against all n
/// training texts takes about 24 bytes per cosine across its temporaries, so 4M
/// cosines bound the block to about 100 MB whatever n is.
constexpr int64_t denseBlockCosines = int64_t(1) << 22;

/// The dense path never takes more texts per block than this.
constexpr int64_t maxDenseBlockRows = 1024;

/// Training texts with at most this share of non-zero entries use the inverted index.
/// NOTE: an estimate. At 1% density the index did each 20,000 x 20,000 graph about
/// 30 times faster than blocked matrix products in an ad hoc measurement, and its
/// cost grows with the square of the density.
constexpr double sparseDensity = 0.05;

/// Training sets of at least approximateGraphTexts texts get an approximate training
/// graph: dense ones always, because blocked products cost n^2 d, and sparse ones
/// when the exact inverted index would visit at least approximateVisitsPerText
/// postings per text.
/// The index visits the sum over words of (texts with the word)^2 postings, which
/// grows with n^2 for a fixed vocabulary, while the approximate search costs about
/// the same per text at any n.
/// NOTE: estimates from esafh-bench on a 2-core AMD EPYC. With 8-word texts over
/// 1,000 words, the exact search took about 5 ns per posting visit and the
/// approximate one 15 to 25 us per text. At 50,000 texts the index visits 2,900
/// postings per text and both took about 0.9 s. At 100,000 it visits 5,800 and took
/// 3.4 s against 2.1 s. With 384-dimensional dense texts, blocked products took
/// 4.2 s at 20,000 texts and 639 s at 200,000, the approximate search 1.9 s and
/// 95 s. The size keeps graphs below it exact, where exact searches take seconds.
constexpr int64_t approximateGraphTexts = 50000;
constexpr double approximateVisitsPerText = 4000;

/// Rows aggregated at once; aggregation gathers k neighbour rows of d values per text.
constexpr int64_t aggregationBlockRows = 4096;

/// A best match at least this close to 1 is a copy of the text itself.
constexpr int64_t copyThreshold = static_cast<int64_t>(cosineSteps) - 10;

TextNeighbours findBlockNeighbours(const torch::Tensor &texts, const torch::Tensor &training, int64_t matchCount)
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

    TextNeighbours block;
    block.indices = torch::where(isCopy, withoutFirst, withoutLast);
    block.valid = torch::where(isCopy, stepsWithoutFirst, stepsWithoutLast) > 0;
    return block;
}

TextNeighbours findDenseNeighbours(const torch::Tensor &texts, const torch::Tensor &training, int64_t matchCount,
                                   int64_t blockRows)
{
    const int64_t m = texts.size(0);
    if (blockRows <= 0)
        blockRows = std::clamp<int64_t>(denseBlockCosines / std::max<int64_t>(1, training.size(0)), 1, maxDenseBlockRows);

    std::vector<torch::Tensor> indices;
    std::vector<torch::Tensor> valid;
    for (int64_t first = 0; first < m; first += blockRows) {
        const int64_t count = std::min(blockRows, m - first);
        TextNeighbours block = findBlockNeighbours(texts.narrow(0, first, count), training, matchCount);
        indices.push_back(block.indices);
        valid.push_back(block.valid);
    }

    TextNeighbours neighbours;
    neighbours.indices = torch::cat(indices);
    neighbours.valid = torch::cat(valid);
    return neighbours;
}

/// The non-zero entries of the training texts by column (word), rows ascending.
struct InvertedIndex
{
    std::vector<int64_t> offsets; ///< d + 1 positions into items and values.
    std::vector<int32_t> items;
    std::vector<float> values;
};

InvertedIndex buildInvertedIndex(const torch::Tensor &training, const std::vector<int64_t> &documentFrequency)
{
    const int64_t n = training.size(0);
    const int64_t d = training.size(1);
    const float *data = training.data_ptr<float>();

    InvertedIndex index;
    index.offsets.assign(static_cast<std::size_t>(d) + 1, 0);
    for (int64_t w = 0; w < d; ++w)
        index.offsets[w + 1] = index.offsets[w] + documentFrequency[w];

    index.items.resize(static_cast<std::size_t>(index.offsets[d]));
    index.values.resize(static_cast<std::size_t>(index.offsets[d]));
    std::vector<int64_t> next(index.offsets.begin(), index.offsets.end() - 1);
    for (int64_t row = 0; row < n; ++row) {
        const float *values = data + row * d;
        for (int64_t w = 0; w < d; ++w) {
            if (values[w] != 0) {
                index.items[next[w]] = static_cast<int32_t>(row);
                index.values[next[w]++] = values[w];
            }
        }
    }
    return index;
}

/// Scratch memory of one thread of the sparse path.
struct SparseScratch
{
    explicit SparseScratch(int64_t n)
        : cosines(static_cast<std::size_t>(n), 0.0f)
        , touched(static_cast<std::size_t>(n), 0)
    {
    }

    std::vector<float> cosines;
    std::vector<char> touched;
    std::vector<int32_t> touchedItems;
    std::vector<std::pair<int64_t, int32_t>> matches; ///< (cosine step, training index)
};

/// One text's neighbours by the inverted index, written to `indices` and `valid`
/// (slots values each). Gives the dense path's result: training texts that share no
/// word have cosine 0, and the slots left after the positive matches take the
/// lowest-index training texts at cosine step 0, as the dense ranking orders them.
void findSparseRow(const float *text, int64_t d, const InvertedIndex &index, int64_t slots, SparseScratch &scratch,
                   int64_t *indices, bool *valid)
{
    for (int64_t w = 0; w < d; ++w) {
        const float value = text[w];
        if (value == 0)
            continue;
        for (int64_t p = index.offsets[w]; p < index.offsets[w + 1]; ++p) {
            const int32_t item = index.items[p];
            if (!scratch.touched[item]) {
                scratch.touched[item] = 1;
                scratch.touchedItems.push_back(item);
            }
            scratch.cosines[item] += value * index.values[p];
        }
    }

    scratch.matches.clear();
    for (int32_t item : scratch.touchedItems) {
        const int64_t step = cosineStep(scratch.cosines[item]);
        if (step > 0)
            scratch.matches.emplace_back(step, item);
    }

    // The k + 1 best by (step descending, index ascending).
    const auto better = [](const std::pair<int64_t, int32_t> &a, const std::pair<int64_t, int32_t> &b) {
        return a.first != b.first ? a.first > b.first : a.second < b.second;
    };
    const std::size_t ranked = std::min<std::size_t>(scratch.matches.size(), static_cast<std::size_t>(slots) + 1);
    std::partial_sort(scratch.matches.begin(), scratch.matches.begin() + ranked, scratch.matches.end(), better);

    const bool isCopy = !scratch.matches.empty() && scratch.matches.front().first >= copyThreshold;
    std::size_t match = isCopy ? 1 : 0;
    int64_t slot = 0;
    for (; slot < slots && match < ranked; ++slot, ++match) {
        indices[slot] = scratch.matches[match].second;
        valid[slot] = true;
    }
    for (int64_t item = 0; slot < slots; ++item) {
        if (scratch.touched[item] && cosineStep(scratch.cosines[item]) > 0)
            continue;
        indices[slot] = item;
        valid[slot++] = false;
    }

    for (int32_t item : scratch.touchedItems) {
        scratch.touched[item] = 0;
        scratch.cosines[item] = 0;
    }
    scratch.touchedItems.clear();
}

TextNeighbours findSparseNeighbours(const torch::Tensor &texts, const InvertedIndex &index, int64_t n,
                                    int64_t matchCount)
{
    const torch::Tensor textRows = texts.contiguous();
    const int64_t m = textRows.size(0);
    const int64_t d = textRows.size(1);
    const int64_t slots = matchCount - 1;

    TextNeighbours neighbours;
    neighbours.indices = torch::empty({m, slots}, torch::kLong);
    neighbours.valid = torch::empty({m, slots}, torch::kBool);
    const float *textData = textRows.data_ptr<float>();
    int64_t *indexData = neighbours.indices.data_ptr<int64_t>();
    bool *validData = neighbours.valid.data_ptr<bool>();

    // LibTorch's intra-op threads, as many as configureThreads chose.
    at::parallel_for(0, m, 256, [&](int64_t begin, int64_t end) {
        SparseScratch scratch(n);
        for (int64_t row = begin; row < end; ++row) {
            findSparseRow(textData + row * d, d, index, slots, scratch, indexData + row * slots,
                          validData + row * slots);
        }
    });
    return neighbours;
}

/// The training graph from approximateNeighbourLists (sparse) or
/// approximateDenseNeighbourLists, with the exact paths' rule for copies: a best
/// match that is a copy is dropped, else the last of k + 1.
TextNeighbours findApproximateNeighbours(const torch::Tensor &training, int64_t matchCount, bool sparse)
{
    const torch::Tensor rows = training.to(torch::kCPU, torch::kFloat).contiguous();
    const int64_t n = rows.size(0);
    const int64_t slots = matchCount - 1;
    TORCH_CHECK(n <= std::numeric_limits<int32_t>::max(), "The approximate search numbers texts with 32-bit integers");
    const std::vector<RankedMatch> lists =
        sparse ? approximateNeighbourLists(rows.data_ptr<float>(), n, rows.size(1), matchCount)
               : approximateDenseNeighbourLists(rows.data_ptr<float>(), n, rows.size(1), matchCount);

    TextNeighbours neighbours;
    neighbours.indices = torch::empty({n, slots}, torch::kLong);
    neighbours.valid = torch::empty({n, slots}, torch::kBool);
    int64_t *indexData = neighbours.indices.data_ptr<int64_t>();
    bool *validData = neighbours.valid.data_ptr<bool>();
    for (int64_t row = 0; row < n; ++row) {
        const RankedMatch *list = lists.data() + row * matchCount;
        const int64_t first = list[0].step >= copyThreshold ? 1 : 0;
        for (int64_t slot = 0; slot < slots; ++slot) {
            indexData[row * slots + slot] = list[first + slot].item;
            validData[row * slots + slot] = list[first + slot].step > 0;
        }
    }
    neighbours.indices = neighbours.indices.to(training.device());
    neighbours.valid = neighbours.valid.to(training.device());
    return neighbours;
}

/// Counts over CPU float texts, from one pass, that decide the search path.
struct TextProfile
{
    bool nonNegative = true;
    int64_t nonZero = 0;
    std::vector<int64_t> documentFrequency; ///< Texts with a non-zero value, per column.

    /// Postings the inverted index visits per text when every text is matched
    /// against all texts: the sum over columns of documentFrequency^2, over n.
    double postingVisitsPerText(int64_t n) const
    {
        double visits = 0;
        for (int64_t frequency : documentFrequency)
            visits += static_cast<double>(frequency) * static_cast<double>(frequency);
        return visits / static_cast<double>(std::max<int64_t>(1, n));
    }
};

TextProfile profileTexts(const torch::Tensor &texts)
{
    const torch::Tensor rows = texts.contiguous();
    const int64_t n = rows.size(0);
    const int64_t d = rows.size(1);
    const float *data = rows.data_ptr<float>();

    // One partial profile per thread, merged at the end.
    std::vector<TextProfile> parts(static_cast<std::size_t>(at::get_num_threads()));
    for (TextProfile &part : parts)
        part.documentFrequency.assign(static_cast<std::size_t>(d), 0);
    at::parallel_for(0, n, 1024, [&](int64_t begin, int64_t end) {
        TextProfile &part = parts[static_cast<std::size_t>(at::get_thread_num())];
        for (int64_t row = begin; row < end; ++row) {
            const float *values = data + row * d;
            for (int64_t column = 0; column < d; ++column) {
                if (values[column] != 0) {
                    ++part.nonZero;
                    ++part.documentFrequency[column];
                    part.nonNegative = part.nonNegative && values[column] > 0;
                }
            }
        }
    });

    TextProfile profile;
    profile.documentFrequency.assign(static_cast<std::size_t>(d), 0);
    for (const TextProfile &part : parts) {
        profile.nonNegative = profile.nonNegative && part.nonNegative;
        profile.nonZero += part.nonZero;
        for (int64_t column = 0; column < d; ++column)
            profile.documentFrequency[column] += part.documentFrequency[column];
    }
    return profile;
}

bool isCpuFloat(const torch::Tensor &texts)
{
    return texts.device().is_cpu() && texts.scalar_type() == torch::kFloat;
}

/// Returns whether the training texts suit the inverted index: CPU floats, no negative
/// entry, and sparse. Negative entries could give negative cosines, which the dense
/// ranking puts below the untouched texts at cosine 0.
bool sparseTraining(const torch::Tensor &training, const TextProfile &profile)
{
    if (!isCpuFloat(training) || training.numel() == 0 || training.size(0) > std::numeric_limits<int32_t>::max()
        || !profile.nonNegative)
        return false;
    return static_cast<double>(profile.nonZero) / static_cast<double>(training.numel()) <= sparseDensity;
}

/// Returns whether texts matched against sparse training texts can use the inverted index.
bool sparseQueries(const torch::Tensor &texts)
{
    return isCpuFloat(texts) && (texts.numel() == 0 || texts.min().item<float>() >= 0);
}

/// Returns the result for texts that can have no neighbours (no slots when k or the
/// training set leaves none, else all invalid), or nothing when a search is needed.
std::optional<TextNeighbours> trivialNeighbours(const torch::Tensor &texts, int64_t n, int k)
{
    const int64_t m = texts.size(0);
    const int64_t matchCount = std::min<int64_t>(static_cast<int64_t>(k) + 1, n);
    if (k > 0 && matchCount >= 2 && m > 0)
        return std::nullopt;
    const int64_t slots = k <= 0 || matchCount < 2 ? 0 : matchCount - 1;
    const auto indexOptions = torch::TensorOptions().dtype(torch::kLong).device(texts.device());
    TextNeighbours none;
    none.indices = torch::zeros({m, slots}, indexOptions);
    none.valid = torch::zeros({m, slots}, indexOptions.dtype(torch::kBool));
    return none;
}

} // namespace

class TrainingTextIndex
{
public:
    explicit TrainingTextIndex(const torch::Tensor &normalisedTraining)
        : m_training(normalisedTraining)
    {
        if (!isCpuFloat(m_training))
            return;
        m_training = m_training.contiguous();
        const TextProfile profile = profileTexts(m_training);
        m_sparse = sparseTraining(m_training, profile);
        if (m_sparse)
            m_inverted = buildInvertedIndex(m_training, profile.documentFrequency);
    }

    TextNeighbours find(const torch::Tensor &normalisedTexts, int k, int64_t blockRows) const
    {
        const int64_t n = m_training.size(0);
        if (std::optional<TextNeighbours> none = trivialNeighbours(normalisedTexts, n, k))
            return *none;
        const int64_t matchCount = std::min<int64_t>(static_cast<int64_t>(k) + 1, n);
        if (m_sparse && sparseQueries(normalisedTexts))
            return findSparseNeighbours(normalisedTexts, m_inverted, n, matchCount);
        return findDenseNeighbours(normalisedTexts, m_training, matchCount, blockRows);
    }

private:
    torch::Tensor m_training;
    bool m_sparse = false;
    InvertedIndex m_inverted;
};

std::shared_ptr<const TrainingTextIndex> indexTrainingTexts(const torch::Tensor &normalisedTraining)
{
    return std::make_shared<const TrainingTextIndex>(normalisedTraining);
}

TextNeighbours findTextNeighbours(const torch::Tensor &normalisedTexts, const TrainingTextIndex &index, int k)
{
    return index.find(normalisedTexts, k, 0);
}

TextNeighbours findTextNeighbours(const torch::Tensor &normalisedTexts, const torch::Tensor &normalisedTraining, int k,
                                  TextGraphPath path, int64_t blockRows)
{
    const int64_t n = normalisedTraining.size(0);
    if (std::optional<TextNeighbours> none = trivialNeighbours(normalisedTexts, n, k))
        return *none;
    const int64_t matchCount = std::min<int64_t>(static_cast<int64_t>(k) + 1, n);

    // The approximate search covers the training graph only: other texts are few
    // beside the training set and get the exact search, like every small set.
    const bool trainingGraph = normalisedTexts.is_same(normalisedTraining);
    switch (path) {
    case TextGraphPath::BlockedProduct:
        return findDenseNeighbours(normalisedTexts, normalisedTraining, matchCount, blockRows);
    case TextGraphPath::InvertedIndex: {
        TORCH_CHECK(isCpuFloat(normalisedTexts) && isCpuFloat(normalisedTraining),
                    "The inverted index needs float texts on the CPU");
        const torch::Tensor training = normalisedTraining.contiguous();
        const InvertedIndex index = buildInvertedIndex(training, profileTexts(training).documentFrequency);
        return findSparseNeighbours(normalisedTexts, index, n, matchCount);
    }
    case TextGraphPath::Approximate: {
        if (!trainingGraph)
            return TrainingTextIndex(normalisedTraining).find(normalisedTexts, k, blockRows);
        const torch::Tensor training = normalisedTraining.to(torch::kCPU, torch::kFloat).contiguous();
        return findApproximateNeighbours(normalisedTraining, matchCount, sparseTraining(training, profileTexts(training)));
    }
    case TextGraphPath::Automatic:
        break;
    }

    if (!trainingGraph || !isCpuFloat(normalisedTraining))
        return TrainingTextIndex(normalisedTraining).find(normalisedTexts, k, blockRows);
    const torch::Tensor training = normalisedTraining.contiguous();
    const TextProfile profile = profileTexts(training);
    if (!sparseTraining(training, profile)) {
        // Blocked products over dense texts cost n^2 d.
        if (n >= approximateGraphTexts)
            return findApproximateNeighbours(training, matchCount, false);
        return findDenseNeighbours(normalisedTexts, normalisedTraining, matchCount, blockRows);
    }
    if (n >= approximateGraphTexts && profile.postingVisitsPerText(n) >= approximateVisitsPerText)
        return findApproximateNeighbours(training, matchCount, true);
    return findSparseNeighbours(training, buildInvertedIndex(training, profile.documentFrequency), n, matchCount);
}

torch::Tensor aggregateNeighbours(const torch::Tensor &normalisedTexts, const TextNeighbours &neighbours,
                                  const torch::Tensor &normalisedTraining)
{
    if (neighbours.indices.size(1) == 0)
        return normalisedTexts.clone();

    // Block by block and one neighbour slot at a time, so the temporaries hold
    // blockRows x d values, not m x k x d.
    const int64_t m = normalisedTexts.size(0);
    const int64_t k = neighbours.indices.size(1);
    torch::Tensor aggregates = torch::empty_like(normalisedTexts);
    for (int64_t first = 0; first < m; first += aggregationBlockRows) {
        const int64_t count = std::min(aggregationBlockRows, m - first);
        const torch::Tensor indices = neighbours.indices.narrow(0, first, count);
        const torch::Tensor weights = neighbours.valid.narrow(0, first, count).to(normalisedTexts.scalar_type());

        torch::Tensor sum = normalisedTexts.narrow(0, first, count).clone();
        for (int64_t slot = 0; slot < k; ++slot)
            sum.addcmul_(normalisedTraining.index_select(0, indices.select(1, slot)), weights.select(1, slot).unsqueeze(1));
        aggregates.narrow(0, first, count).copy_(sum / (weights.sum(1, /*keepdim=*/true) + 1));
    }
    return aggregates;
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
    // The keys are sorted and unique, so the entries are already in coalesced order
    // and a second sort by coalesce() is not needed.
    torch::Tensor adjacency =
        at::_sparse_coo_tensor_unsafe(torch::stack({adjacencyRows, adjacencyCols}), values, {n, n});
    adjacency._coalesced_(true);
    return adjacency;
}

torch::Tensor enrichTrainingTexts(const torch::Tensor &normalisedTraining, const torch::Tensor &adjacency,
                                  double beta)
{
    // In place on the product, so the result is the only new n x d matrix.
    torch::Tensor enriched = torch::mm(adjacency, normalisedTraining);
    enriched.mul_(beta).add_(normalisedTraining);
    return enriched;
}

} // namespace esafh::detail
