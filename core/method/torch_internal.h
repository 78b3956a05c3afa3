#pragma once

// LibTorch internals of core/method, shared by its .cpp files and its tests. No
// public header includes this file, so the rest of the project compiles without
// LibTorch.
//
// ESAFH is "Enhanced-Similarity Attention Fusion for Unsupervised Cross-Modal
// Hashing Retrieval" (Li and Ge, Data Science and Engineering 10(2), 2025). Only the
// paper's abstract is available, so the equations and defaults here are a
// reconstruction from that abstract and from the DJSRH -> JDSH code lineage the
// authors build on.

#include "common/matrix.h"
#include "method/esafh_settings.h"
#include "method/hash_model.h"

#include <torch/torch.h>

#include <QByteArray>
#include <QJsonObject>
#include <QStringList>

#include <memory>
#include <mutex>

namespace esafh::detail {

// ---------------------------------------------------------------------------
// Conversions (hash_model.cpp)

/// Copies rows [first, first + count) of a feature matrix into a float tensor on `device`.
torch::Tensor toTensor(const FeatureMatrix &matrix, const torch::Device &device, int first = 0, int count = -1);

/// Rows [first, first + count) of a feature matrix as a float tensor on `device`
/// without a copy on the CPU: the tensor reads the matrix's memory, so the matrix
/// must outlive it and must not change meanwhile. On another device it is a copy.
torch::Tensor viewTensor(const FeatureMatrix &matrix, const torch::Device &device, int first = 0, int count = -1);

/// Copies a 2-D float tensor (any device) into a feature matrix.
FeatureMatrix toMatrix(const torch::Tensor &tensor);

// ---------------------------------------------------------------------------
// Steps 1 and 2: text neighbour graph and enrichment (text_graph.cpp)

/// The k nearest training texts of some texts by cosine similarity.
struct TextNeighbours
{
    torch::Tensor indices; ///< m x k, int64 rows of the training texts.
    torch::Tensor valid;   ///< m x k, bool: cosine above 0. Invalid slots are ignored.
};

/// Search method of findTextNeighbours.
enum class TextGraphPath
{
    Automatic,      ///< Approximate for the training graph of many CPU texts: always when dense, and when
                    ///< sparse if the exact search would cost more. Else the inverted index for sparse
                    ///< non-negative CPU texts, else blocked products.
    BlockedProduct, ///< Blocks of texts times all training texts, top k kept per block.
    InvertedIndex,  ///< Per text, only the training texts sharing a non-zero column. CPU, float, non-negative only.
    Approximate,    ///< The training graph by approximateNeighbourLists, or approximateDenseNeighbourLists
                    ///< for texts unsuited to the inverted index; other texts as Automatic.
};

/// Finds the `k` nearest training texts of each text. All inputs are row-normalised.
/// A text never counts as its own neighbour: when its best match is a copy (cosine
/// of at least 1 - 1e-5, which includes a training text meeting itself), that match
/// is dropped. The rule depends only on the text's content, so a text gets the same
/// neighbours whatever else is encoded with it. k is limited to n - 1 for n training
/// texts. Equal cosines (rounded to 1e-6) are ordered by training index.
///
/// Memory stays linear in the number of texts: the blocked path holds blockRows x n
/// cosines at a time (blockRows <= 0 sizes blocks to about 4M cosines), and the
/// inverted index n cosines per thread. Both exact paths give the same valid
/// neighbours. The approximate path applies when `normalisedTexts` is
/// `normalisedTraining` (the training graph) and may miss neighbours: its recall is
/// measured by the tests and by esafh-bench.
TextNeighbours findTextNeighbours(const torch::Tensor &normalisedTexts, const torch::Tensor &normalisedTraining, int k,
                                  TextGraphPath path = TextGraphPath::Automatic, int64_t blockRows = 0);

/// Training texts prepared once for the neighbours of many other texts (the
/// Automatic path): the choice between the inverted index and blocked products and,
/// for sparse texts, the inverted index itself. Encoding a database in chunks or
/// encoding typed queries then reads the training texts once, not once per call.
class TrainingTextIndex;

std::shared_ptr<const TrainingTextIndex> indexTrainingTexts(const torch::Tensor &normalisedTraining);

/// findTextNeighbours(normalisedTexts, training, k) over an index of the training
/// texts; the same result for texts other than the training texts themselves.
TextNeighbours findTextNeighbours(const torch::Tensor &normalisedTexts, const TrainingTextIndex &index, int k);

/// Mean of each text and its valid neighbours: the row-normalised weights of the
/// text itself plus its k neighbours, m x d.
torch::Tensor aggregateNeighbours(const torch::Tensor &normalisedTexts, const TextNeighbours &neighbours,
                                  const torch::Tensor &normalisedTraining);

/// A_hat = D^-1/2 (A + I) D^-1/2 over the n training texts, where A is the
/// symmetrised binary kNN graph without self-edges. Returned as a coalesced sparse
/// COO tensor n x n.
torch::Tensor normalisedAdjacency(const TextNeighbours &trainingNeighbours, int64_t n);

/// Parameter-free enrichment of the training texts: rownorm(t_i) + beta * sum_j A_hat_ij rownorm(t_j).
torch::Tensor enrichTrainingTexts(const torch::Tensor &normalisedTraining, const torch::Tensor &adjacency,
                                  double beta);

// ---------------------------------------------------------------------------
// Steps 3 and 4: similarity matrices and attention fusion (similarity.cpp)

/// Names of the candidate matrices that the settings' method fuses, in the order
/// of the weight columns: "S_I", "S_T" and, for ESAFH with the cross-modal term and
/// for JDSH, "S_C".
QStringList candidateNames(const EsafhSettings &settings);

/// Scales each row to unit L2 norm; a zero row stays zero.
torch::Tensor rowNormalise(const torch::Tensor &matrix);

/// Cosine similarity of the rows, m x m, clamped to [-1, 1] with a diagonal of 1.
/// With signedMap (for non-negative features) each value s becomes 2s - 1.
torch::Tensor cosineSimilarity(const torch::Tensor &features, bool signedMap);

/// Cosine similarity of the rows of `rows` with the rows of `columns`, clamped to
/// [-1, 1], mapped to 2s - 1 with signedMap. No diagonal is set.
torch::Tensor crossCosine(const torch::Tensor &rows, const torch::Tensor &columns, bool signedMap);

/// S_C = (rownorm(S_I) rownorm(S_T)^T + its transpose) / 2.
torch::Tensor crossModalSimilarity(const torch::Tensor &image, const torch::Tensor &text);

/// True off the diagonal, m x m.
torch::Tensor offDiagonalMask(int64_t size, const torch::Device &device);

/// The off-diagonal entries of a square matrix, one row of m - 1 per item.
torch::Tensor offDiagonalRows(const torch::Tensor &square);

/// Puts a candidate on the common scale: its off-diagonal entries are z-scored,
/// then given the off-diagonal mean and standard deviation (population) of
/// `reference`. The diagonal is set to 1.
torch::Tensor toCommonScale(const torch::Tensor &candidate, const torch::Tensor &reference);

/// Number of row descriptors: mean, standard deviation, top mean, entropy.
constexpr int rowDescriptorCount = 4;

/// Row descriptors over j != i, m x rowDescriptorCount: mean, standard deviation, mean of the
/// `topCount` largest values, and the entropy of softmax(row / temperature)
/// divided by log(m - 1).
torch::Tensor rowDescriptors(const torch::Tensor &similarity, int topCount, double temperature);

/// Pearson correlation of each row of `a` with the same row of `b`, over j != i.
torch::Tensor rowCorrelation(const torch::Tensor &a, const torch::Tensor &b);

/// (B_I B_T^T + B_T B_I^T) / 2 with B = rownorm(H).
torch::Tensor codeSimilarity(const torch::Tensor &imageCodes, const torch::Tensor &textCodes);

/// Neighbour coherence (DGCPN style). P keeps the `neighbours` largest positive
/// off-diagonal entries of each row, L2-normalised. The result is
/// (1 - weight) S + weight * scale * (2 P P^T - 1): the map 2x - 1 puts P P^T, which
/// lies in [0, 1], on the signed scale of S before blending.
torch::Tensor neighbourCoherence(const torch::Tensor &fused, int neighbours, double weight, double scale);

/// Thresholds of JDSH's distribution-based similarity decision. The off-diagonal
/// values are split at their mean into a low and a high mode; a value below
/// low = mean(low mode) - width * sd(low mode) is a confident dissimilarity, a value
/// above high = mean(high mode) + width * sd(high mode) a confident similarity.
struct DistributionThresholds
{
    double low = 0;
    double high = 0;
    double minimum = 0; ///< Smallest off-diagonal value.
    double maximum = 0; ///< Largest off-diagonal value.
    bool valid = false;
};

/// Fits the thresholds to the off-diagonal entries of a square similarity matrix
/// (at least 2 x 2). Population standard deviations.
DistributionThresholds distributionThresholds(const torch::Tensor &similarity, double width);

/// JDSH's weighting of confident values: s below the low threshold becomes
/// s (1 + lowBoost exp(-(s - minimum))), s above the high threshold becomes
/// s (1 + highBoost exp(s - maximum)), every other value stays. Applied to every entry.
torch::Tensor distributionWeighting(const torch::Tensor &similarity, const DistributionThresholds &thresholds,
                                    double lowBoost, double highBoost);

/// The row-normalised top-k neighbour rows P of DGCPN for rows of S_pair: each row
/// keeps its `neighbours` largest positive entries outside `excludedColumns` (one
/// column per row, the item itself; -1 for none), L2-normalised, the rest zero.
torch::Tensor neighbourRows(const torch::Tensor &pairSimilarity, int neighbours, const torch::Tensor &excludedColumns);

/// The attention of step 4: e_mi = v^T tanh(W z_mi + b), shared over candidates,
/// and w_mi = softmax over m of (log prior_m + e_mi). v starts at zero, so the
/// weights start at the prior.
class AttentionFusionImpl : public torch::nn::Module
{
public:
    AttentionFusionImpl(int descriptorSize, int hiddenUnits, int candidateCount);

    /// Weights of each item, m x M, from descriptors M x m x descriptorSize.
    torch::Tensor forward(const torch::Tensor &descriptors);

    torch::Tensor prior() const { return logPrior.exp(); }

    torch::nn::Linear projection{nullptr};
    torch::Tensor score;    ///< v, hiddenUnits.
    torch::Tensor logPrior; ///< log pi, a buffer of M values.
};
TORCH_MODULE(AttentionFusion);

/// Inputs of the similarity construction for one batch (or display set).
struct SimilarityInputs
{
    torch::Tensor imageFeatures;   ///< The features S_I is computed from.
    bool imageNonNegative = false; ///< Whether those features are all >= 0.
    /// Text features S_T is computed from: enriched for ESAFH, plain with
    /// neighbourEnrichment off and for the anchors.
    torch::Tensor enrichedTexts;
    bool textNonNegative = false;
    /// JDSH: thresholds fitted over the training set. When not valid, they are fitted
    /// to this batch.
    DistributionThresholds jdshThresholds;
    /// DGCPN: the items' rows of P over the whole training set (m x n), from
    /// neighbourRows. When undefined, the neighbours are taken within the batch.
    torch::Tensor dgcpnNeighbourRows;
};

/// The matrices of steps 3 and 4 for one batch, or the anchor method's target.
struct FusedSimilarity
{
    torch::Tensor image;       ///< S_I.
    torch::Tensor text;        ///< S_T of the (enriched) texts.
    torch::Tensor crossModal;  ///< S_C, computed for every method.
    /// The candidates as they enter the fusion, in the order of candidateNames: on
    /// the common scale for ESAFH's attention, as they are otherwise.
    std::vector<torch::Tensor> scaledCandidates;
    /// m x candidates; carries gradient to the attention when grad mode is on. Fixed
    /// rows for the anchors and the fixed-weight baselines.
    torch::Tensor weights;
    torch::Tensor fused;       ///< The training target (S_F, or the anchor's S), symmetric.
};

/// Builds the training target of the settings' method. For ESAFH: S_I, S_T and S_C,
/// on S_I's scale, fused with the attention's weights. For the anchors: their own S.
FusedSimilarity fuseSimilarities(const SimilarityInputs &inputs, const EsafhSettings &settings,
                                 AttentionFusion &attention);

/// The attention's own objective, to maximise: the mean row-wise correlation of S_F
/// with the detached code similarity, minus klWeight * mean KL(w_i || prior).
torch::Tensor attentionObjective(const FusedSimilarity &similarity, const torch::Tensor &codeSimilarity,
                                 const torch::Tensor &prior, double klWeight);

// ---------------------------------------------------------------------------
// Optimisation (fused_sgd.cpp)

/// LibTorch's SGD (momentum, no dampening, no Nesterov) with its update fused into
/// one loop per parameter on the CPU. Gives the same values as torch::optim::SGD up
/// to float rounding, and falls back to it for other options or devices.
class FusedSgd : public torch::optim::SGD
{
public:
    FusedSgd(std::vector<torch::Tensor> parameters, const torch::optim::SGDOptions &options);
    torch::Tensor step(LossClosure closure = nullptr) override;
};

/// Drops the gradients of the optimizer's parameters, so that the next backward
/// pass stores its gradients instead of adding them to zeroed ones.
void clearGradients(torch::optim::Optimizer &optimizer);

// ---------------------------------------------------------------------------
// Hash networks (hash_model.cpp)

/// Image network: per-dimension standardisation with the training images' mean
/// and standard deviation (buffers), then Linear -> ReLU -> dropout -> Linear to
/// bits, or a single Linear when hiddenUnits is 0.
class ImageNetworkImpl : public torch::nn::Module
{
public:
    ImageNetworkImpl(int inputs, int hiddenUnits, int bits, double dropout);

    torch::Tensor standardise(const torch::Tensor &images) const;
    /// f(x), before tanh.
    torch::Tensor forward(const torch::Tensor &images);

    torch::Tensor mean;  ///< Buffer.
    torch::Tensor scale; ///< Buffer: the standard deviation, 1 where it is near 0.
    torch::nn::Linear hidden{nullptr};
    torch::nn::Linear output{nullptr};
    double dropoutRate = 0;
};
TORCH_MODULE(ImageNetwork);

/// Text network: the learned encoder of step 2. A graph-convolution layer
/// ReLU(W_g a_i) over the neighbour aggregate a_i, concatenated with the text's own
/// projection ReLU(W_s rownorm(t_i)), then Linear -> ReLU -> dropout -> Linear to bits.
/// Without the graph layer (graphUnits 0) it is the anchors' plain MLP over rownorm(t_i):
/// Linear -> ReLU -> dropout -> Linear, and the aggregates are ignored.
class TextNetworkImpl : public torch::nn::Module
{
public:
    TextNetworkImpl(int inputs, int graphUnits, int hiddenUnits, int bits, double dropout);

    /// f(t), before tanh.
    torch::Tensor forward(const torch::Tensor &normalisedTexts, const torch::Tensor &aggregates);

    torch::nn::Linear graph{nullptr};
    torch::nn::Linear own{nullptr};
    torch::nn::Linear hidden{nullptr};
    torch::nn::Linear output{nullptr};
    double dropoutRate = 0;
};
TORCH_MODULE(TextNetwork);

/// Copies every parameter and buffer of the three networks, and the sharpness, from
/// one model to another built with the same settings and feature widths.
void copyNetworkState(const HashModel::Private &from, HashModel::Private &to);

// ---------------------------------------------------------------------------
// Training checkpoints (checkpoint.cpp)

/// The contents of a checkpoint that TrainingCallbacks::onCheckpoint receives.
struct TrainingCheckpoint
{
    QJsonObject settings;          ///< EsafhSettings::toJson of the run.
    QByteArray featureFingerprint; ///< featureFingerprint of the training features.
    int completedEpochs = 0;
    QByteArray batchGeneratorState; ///< The batch order generator, as operator<< writes it.
    QByteArray torchGeneratorState; ///< LibTorch's default CPU generator (dropout).
    QByteArray modelState;          ///< HashModel::saveState.
    QByteArray imageOptimizerState;
    QByteArray textOptimizerState;
    QByteArray attentionOptimizerState;
    std::vector<EpochReport> history;
    int bestEpoch = 0;              ///< 0 without a validation hook.
    double bestScore = 0;
    QByteArray bestState;           ///< HashModel::saveState of the best epoch, or empty.
};

/// SHA-256 over the shapes and values of the paired training features.
QByteArray featureFingerprint(const FeatureMatrix &images, const FeatureMatrix &texts);
QByteArray optimizerState(torch::optim::Optimizer &optimizer);
/// Restores an optimizer saved by optimizerState; throws a c10::Error on bad bytes.
void loadOptimizerState(torch::optim::Optimizer &optimizer, const QByteArray &state);
QByteArray cpuGeneratorState();
void setCpuGeneratorState(const QByteArray &state);

/// Frames a checkpoint with a format tag, version and SHA-256 checksum.
QByteArray encodeCheckpoint(const TrainingCheckpoint &checkpoint);
/// Reads a checkpoint; fails with a message on another format, version or damaged bytes.
Result<TrainingCheckpoint> decodeCheckpoint(const QByteArray &bytes);
/// Checks that a checkpoint belongs to a run with these settings (other than the
/// epoch count, device and threads) and these training features.
Status checkCheckpointMatches(const TrainingCheckpoint &checkpoint, const EsafhSettings &settings,
                              const QByteArray &fingerprint);

/// Builds the untrained networks of `settings` for these feature widths on `device`,
/// in evaluation mode.
std::unique_ptr<HashModel::Private> buildHashModelState(const EsafhSettings &settings, const torch::Device &device,
                                                        int imageDimension, int textDimension);

} // namespace esafh::detail

namespace esafh {

/// The state behind HashModel. All tensors live on `device`.
struct HashModel::Private
{
    EsafhSettings settings;
    torch::Device device{torch::kCPU};
    int imageDimension = 0;
    int textDimension = 0;

    detail::ImageNetwork imageNetwork{nullptr};
    detail::TextNetwork textNetwork{nullptr};
    detail::AttentionFusion attention{nullptr};

    torch::Tensor trainingTexts;   ///< Row-normalised training texts, n x d_t.
    /// Index of trainingTexts for inductiveAggregates, built on first use and again
    /// when trainingTexts is replaced (indexedTrainingTexts is the tensor indexed).
    mutable std::shared_ptr<const detail::TrainingTextIndex> trainingTextIndex;
    mutable torch::Tensor indexedTrainingTexts;
    mutable std::mutex trainingTextIndexMutex;
    bool imageNonNegative = false; ///< Whether every training image feature is >= 0.
    bool textNonNegative = false;  ///< Whether every training text feature is >= 0.
    double sharpness = 1;          ///< alpha of H = tanh(alpha f(x)), that of the last epoch trained.

    /// Switches dropout on or off.
    void setTraining(bool training);

    /// The features S_I is computed from: standardised or raw, by settings.standardisedImageSimilarity.
    torch::Tensor similarityImageFeatures(const torch::Tensor &images) const;
    bool similarityImageNonNegative() const;

    /// H = tanh(alpha f(x)) of images.
    torch::Tensor imageCodes(const torch::Tensor &images) const;
    /// H of row-normalised texts, with their neighbour aggregates.
    torch::Tensor textCodes(const torch::Tensor &normalisedTexts, const torch::Tensor &aggregates) const;
    /// Neighbour aggregates of texts that may not be training texts.
    torch::Tensor inductiveAggregates(const torch::Tensor &normalisedTexts) const;
    /// Real-valued codes H in batches without gradient, one row per item.
    torch::Tensor encodeImagesReal(const FeatureMatrix &images) const;
    torch::Tensor encodeTextsReal(const FeatureMatrix &texts) const;
};

} // namespace esafh
