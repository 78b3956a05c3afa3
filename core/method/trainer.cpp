// The training loop of ESAFH and the anchor methods. Per batch, the method's
// similarity target (ESAFH's fused S_F of steps 3 and 4, or the anchor's S) is the
// target of the hash loss of step 5. ESAFH's attention network then takes its own
// step on its own objective. ESAFH is reconstructed from the abstract
// of Li and Ge (Data Science and Engineering 10(2), 2025) and the DJSRH -> JDSH
// lineage; see torch_internal.h.

#include "method/hash_model.h"

#include "common/logging.h"
#include "method/device.h"
#include "method/torch_internal.h"

#include <chrono>
#include <cmath>
#include <numeric>
#include <random>
#include <sstream>
#include <thread>

namespace esafh {

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start)
{
    return std::chrono::duration<double>(Clock::now() - start).count();
}

/// An unbiased integer in [0, bound) from the generator. Written out because
/// std::uniform_int_distribution and std::shuffle differ between standard
/// libraries, and a seed must give the same batches everywhere.
std::uint64_t uniformBelow(std::mt19937_64 &generator, std::uint64_t bound)
{
    const std::uint64_t threshold = (0 - bound) % bound; // 2^64 mod bound
    for (;;) {
        const std::uint64_t value = generator();
        if (value >= threshold)
            return value % bound;
    }
}

void shuffle(std::vector<int64_t> &order, std::mt19937_64 &generator)
{
    for (std::size_t i = order.size(); i > 1; --i)
        std::swap(order[i - 1], order[uniformBelow(generator, i)]);
}

/// The hash loss of step 5 and its terms, before their weights.
struct HashLoss
{
    torch::Tensor total;
    torch::Tensor intraImage;
    torch::Tensor intraText;
    torch::Tensor cross;
    torch::Tensor pair;
    torch::Tensor quantisation;
};

/// The loss of step 5. DJSRH fits B_I B_T^T to S once and has no pair term; the
/// other methods fit both cross products and add the pair term.
HashLoss hashLoss(const torch::Tensor &imageCodes, const torch::Tensor &textCodes, const torch::Tensor &target,
                  const EsafhSettings &settings)
{
    const torch::Tensor bImage = detail::rowNormalise(imageCodes);
    const torch::Tensor bText = detail::rowNormalise(textCodes);
    const torch::Tensor crossProduct = bImage.mm(bText.t());
    const bool djsrh = settings.method == QLatin1String("djsrh");

    HashLoss loss;
    loss.intraImage = torch::mse_loss(bImage.mm(bImage.t()), target);
    loss.intraText = torch::mse_loss(bText.mm(bText.t()), target);
    loss.cross = torch::mse_loss(crossProduct, target);
    if (!djsrh)
        loss.cross = loss.cross + torch::mse_loss(crossProduct.t(), target);
    loss.pair = -(bImage * bText).sum(1).mean();
    loss.quantisation = (torch::cat({imageCodes, textCodes}).abs() - 1).pow(2).mean();
    loss.total = settings.intraModalWeight * (loss.intraImage + loss.intraText) + loss.cross
                 + settings.quantisationWeight * loss.quantisation;
    if (!djsrh)
        loss.total = loss.total + loss.pair;
    return loss;
}

std::unique_ptr<torch::optim::Optimizer> makeOptimizer(std::vector<torch::Tensor> parameters, double learningRate,
                                                       const EsafhSettings &settings)
{
    if (settings.optimizer == QLatin1String("adam")) {
        return std::make_unique<torch::optim::Adam>(
            std::move(parameters), torch::optim::AdamOptions(learningRate).weight_decay(settings.weightDecay));
    }
    return std::make_unique<detail::FusedSgd>(
        std::move(parameters),
        torch::optim::SGDOptions(learningRate).momentum(settings.momentum).weight_decay(settings.weightDecay));
}

/// Sums of one epoch's batch values, averaged at the end.
struct EpochSums
{
    int batches = 0;
    double loss = 0;
    std::map<QString, double> terms;

    void add(const QString &name, const torch::Tensor &value) { terms[name] += value.item<double>(); }
};

QString methodTitle(const QString &method)
{
    return method.toUpper();
}

/// Training items used to fit JDSH's distribution thresholds: all of them up to
/// this many, else a seeded sample, because the fit needs the m x m target.
constexpr int64_t thresholdSampleSize = 2048;

/// Rows of P computed at once for DGCPN, each row n wide.
constexpr int64_t neighbourBlockRows = 1024;

/// Wait between checks of the pause flag.
constexpr std::chrono::milliseconds pausePoll(20);

/// One training run. The features live on the model's device for the whole run.
class EsafhTrainer
{
public:
    EsafhTrainer(const FeatureMatrix &trainingImages, const FeatureMatrix &trainingTexts,
                 const EsafhSettings &settings, const TrainingCallbacks &callbacks)
        : m_trainingImages(trainingImages)
        , m_trainingTexts(trainingTexts)
        , m_settings(settings)
        , m_callbacks(callbacks)
        , m_generator(settings.seed)
    {
    }

    void prepare(std::unique_ptr<HashModel> model);
    /// Continues from a checkpoint of onCheckpoint; fails on a damaged or foreign one.
    Status restore(const QByteArray &checkpoint);
    int completedEpochs() const { return m_completedEpochs; }
    /// Runs one epoch; returns false when cancelled before its end.
    bool runEpoch(int epoch);
    Result<TrainingOutcome> finish(bool cancelled, double seconds);

private:
    bool cancelRequested() const { return m_callbacks.cancel && m_callbacks.cancel->load(); }
    void waitWhilePaused() const;
    std::vector<torch::Tensor> batchOrder();
    detail::SimilarityInputs similarityInputs(const torch::Tensor &items) const;
    torch::Tensor aggregatesOf(const torch::Tensor &items) const;
    void prepareJdshThresholds();
    void prepareDgcpnNeighbours();
    double trainBatch(const torch::Tensor &items, EpochSums &sums);
    void recordImageCodes(const torch::Tensor &cpuItems, const torch::Tensor &imageCodes);
    FeatureMatrix itemAttention() const;
    EpochReport epochReport(int epoch, const EpochSums &sums) const;
    void logEpoch(const EpochReport &report) const;
    void keepBest(const EpochReport &report);
    QByteArray checkpoint();

    const FeatureMatrix &m_trainingImages;
    const FeatureMatrix &m_trainingTexts;
    EsafhSettings m_settings;
    const TrainingCallbacks &m_callbacks;
    std::mt19937_64 m_generator;

    std::unique_ptr<HashModel> m_model;
    HashModel::Private *m_d = nullptr;
    torch::Tensor m_images;     ///< n x d_v.
    torch::Tensor m_aggregates; ///< n x d_t, input of the text network's graph layer; undefined without it.
    torch::Tensor m_enriched;   ///< n x d_t, the texts S_T is computed from.
    detail::DistributionThresholds m_jdshThresholds; ///< JDSH only.
    torch::Tensor m_dgcpnIndices; ///< DGCPN only: n x k columns of P's non-zero entries.
    torch::Tensor m_dgcpnValues;  ///< DGCPN only: n x k values of those entries.
    int m_candidateCount = 0;
    torch::Tensor m_epochWeights; ///< n x candidates attention weights of the current epoch, on the CPU.
    HashCodes m_epochCodes;       ///< Each item's binary image code as its batch of this epoch computed it.
    std::unique_ptr<torch::optim::Optimizer> m_imageOptimizer;
    std::unique_ptr<torch::optim::Optimizer> m_textOptimizer;
    std::unique_ptr<torch::optim::Optimizer> m_attentionOptimizer;
    std::vector<EpochReport> m_history;
    int m_completedEpochs = 0;
    int m_bestEpoch = 0;   ///< 0 until validate has scored an epoch.
    double m_bestScore = 0;
    QByteArray m_bestState;
};

void EsafhTrainer::prepare(std::unique_ptr<HashModel> model)
{
    m_model = std::move(model);
    m_d = &m_model->impl();
    m_candidateCount = static_cast<int>(detail::candidateNames(m_settings).size());
    // The caller's matrix outlives the run, so on the CPU the images are not copied.
    m_images = detail::viewTensor(m_trainingImages, m_d->device);

    // Steps 1 and 2 once for the whole training set: the graph is global. The
    // anchors use neither the graph nor the enrichment.
    torch::NoGradGuard noGrad;
    const torch::Tensor &texts = m_d->trainingTexts;
    m_enriched = texts;
    if (m_settings.learnedTextEncoder || m_settings.neighbourEnrichment) {
        const detail::TextNeighbours neighbours = detail::findTextNeighbours(texts, texts, m_settings.neighbourCount);
        if (m_settings.learnedTextEncoder)
            m_aggregates = detail::aggregateNeighbours(texts, neighbours, texts);
        if (m_settings.neighbourEnrichment) {
            const torch::Tensor adjacency = detail::normalisedAdjacency(neighbours, texts.size(0));
            m_enriched = detail::enrichTrainingTexts(texts, adjacency, m_settings.enrichmentWeight);
            qCInfo(lcTraining, "Text graph: %lld edges including self-loops over %lld training texts",
                   static_cast<long long>(adjacency._nnz()), static_cast<long long>(texts.size(0)));
        }
    }
    if (m_settings.method == QLatin1String("jdsh") && m_settings.jdshDistributionWeighting)
        prepareJdshThresholds();
    if (m_settings.method == QLatin1String("dgcpn"))
        prepareDgcpnNeighbours();

    m_imageOptimizer = makeOptimizer(m_d->imageNetwork->parameters(), m_settings.imageLearningRate, m_settings);
    m_textOptimizer = makeOptimizer(m_d->textNetwork->parameters(), m_settings.textLearningRate, m_settings);
    m_attentionOptimizer = std::make_unique<torch::optim::Adam>(
        m_d->attention->parameters(), torch::optim::AdamOptions(m_settings.attentionLearningRate));
}

void EsafhTrainer::prepareJdshThresholds()
{
    // JDSH fits its thresholds once over the training set, not per batch. A separate
    // generator keeps the batch order the same as without the fit.
    const int64_t n = m_images.size(0);
    std::vector<int64_t> order(static_cast<std::size_t>(n));
    std::iota(order.begin(), order.end(), 0);
    if (n > thresholdSampleSize) {
        std::mt19937_64 sampler(m_settings.seed + 1);
        shuffle(order, sampler);
        order.resize(static_cast<std::size_t>(thresholdSampleSize));
    }
    const torch::Tensor sample = torch::tensor(order, torch::kLong).to(m_d->device);

    EsafhSettings joint = m_settings;
    joint.jdshDistributionWeighting = false;
    joint.fusionScale = 1;
    const detail::FusedSimilarity similarity = detail::fuseSimilarities(similarityInputs(sample), joint, m_d->attention);
    m_jdshThresholds = detail::distributionThresholds(similarity.fused, m_settings.jdshThresholdWidth);
    qCInfo(lcTraining, "JDSH thresholds over %lld training items: low %.4f, high %.4f, range %.4f to %.4f",
           static_cast<long long>(sample.size(0)), m_jdshThresholds.low, m_jdshThresholds.high,
           m_jdshThresholds.minimum, m_jdshThresholds.maximum);
}

void EsafhTrainer::prepareDgcpnNeighbours()
{
    // S_pair over the whole training set, a block of rows at a time, so that memory
    // stays at neighbourBlockRows x n. Only the k entries of each row of P are kept.
    const int64_t n = m_images.size(0);
    const int64_t k = std::min<int64_t>(m_settings.dgcpnNeighbours, n - 1);
    const torch::Tensor imageFeatures = m_d->similarityImageFeatures(m_images);
    const bool imageSigned = m_settings.signedSimilarity && m_d->similarityImageNonNegative();
    const bool textSigned = m_settings.signedSimilarity && m_d->textNonNegative;
    const double a1 = m_settings.dgcpnTextWeight;

    std::vector<torch::Tensor> indices;
    std::vector<torch::Tensor> values;
    for (int64_t first = 0; first < n; first += neighbourBlockRows) {
        const int64_t count = std::min(neighbourBlockRows, n - first);
        const torch::Tensor pair =
            a1 * detail::crossCosine(m_enriched.narrow(0, first, count), m_enriched, textSigned)
            + (1 - a1) * detail::crossCosine(imageFeatures.narrow(0, first, count), imageFeatures, imageSigned);
        const torch::Tensor self = torch::arange(first, first + count, torch::TensorOptions().dtype(torch::kLong).device(m_d->device));
        const auto [rowValues, rowIndices] = detail::neighbourRows(pair, static_cast<int>(k), self).topk(k, 1);
        indices.push_back(rowIndices);
        values.push_back(rowValues);
    }
    m_dgcpnIndices = torch::cat(indices);
    m_dgcpnValues = torch::cat(values);
}

torch::Tensor EsafhTrainer::aggregatesOf(const torch::Tensor &items) const
{
    return m_aggregates.defined() ? m_aggregates.index_select(0, items) : torch::Tensor();
}

detail::SimilarityInputs EsafhTrainer::similarityInputs(const torch::Tensor &items) const
{
    detail::SimilarityInputs inputs;
    inputs.imageFeatures = m_d->similarityImageFeatures(m_images.index_select(0, items));
    inputs.imageNonNegative = m_d->similarityImageNonNegative();
    inputs.enrichedTexts = m_enriched.index_select(0, items);
    inputs.textNonNegative = m_d->textNonNegative;
    inputs.jdshThresholds = m_jdshThresholds;
    if (m_dgcpnIndices.defined()) {
        const torch::Tensor rows = torch::zeros({items.size(0), m_images.size(0)}, m_dgcpnValues.options());
        inputs.dgcpnNeighbourRows =
            rows.scatter(1, m_dgcpnIndices.index_select(0, items), m_dgcpnValues.index_select(0, items));
    }
    return inputs;
}

std::vector<torch::Tensor> EsafhTrainer::batchOrder()
{
    const int64_t n = m_images.size(0);
    std::vector<int64_t> order(static_cast<std::size_t>(n));
    std::iota(order.begin(), order.end(), 0);
    shuffle(order, m_generator);

    // The remainder joins the last batch, so every item is used in each epoch and
    // no batch is smaller than batchSize (or n, when n is smaller).
    const int64_t batchCount = std::max<int64_t>(1, n / m_settings.batchSize);
    const torch::Tensor all = torch::tensor(order, torch::kLong).to(m_d->device);
    std::vector<torch::Tensor> batches;
    for (int64_t b = 0; b < batchCount; ++b) {
        const int64_t first = b * m_settings.batchSize;
        const int64_t count = b + 1 == batchCount ? n - first : m_settings.batchSize;
        batches.push_back(all.narrow(0, first, count));
    }
    return batches;
}

double EsafhTrainer::trainBatch(const torch::Tensor &items, EpochSums &sums)
{
    const torch::Tensor images = m_images.index_select(0, items);
    const torch::Tensor texts = m_d->trainingTexts.index_select(0, items);

    const bool learnedAttention = m_settings.method == QLatin1String("esafh") && m_settings.attentionFusion
                                  && !m_settings.fixedFusionWeights;
    detail::FusedSimilarity similarity;
    {
        // With fixed weights nothing needs the attention's gradient.
        const torch::AutoGradMode attentionGradient(learnedAttention);
        similarity = detail::fuseSimilarities(similarityInputs(items), m_settings, m_d->attention);
    }

    // Step 5: the hash networks learn the detached target.
    const torch::Tensor imageCodes = m_d->imageCodes(images);
    const torch::Tensor textCodes = m_d->textCodes(texts, aggregatesOf(items));
    const HashLoss loss = hashLoss(imageCodes, textCodes, similarity.fused.detach(), m_settings);
    detail::clearGradients(*m_imageOptimizer);
    detail::clearGradients(*m_textOptimizer);
    loss.total.backward();
    m_imageOptimizer->step();
    m_textOptimizer->step();

    // Step 4: the attention never minimises the hash loss it supervises. It follows
    // the codes instead, so it cannot collapse onto the candidate with the highest level.
    const torch::Tensor codeSimilarity = detail::codeSimilarity(imageCodes.detach(), textCodes.detach());
    const torch::Tensor objective =
        detail::attentionObjective(similarity, codeSimilarity, m_d->attention->prior(), m_settings.attentionKlWeight);
    if (learnedAttention) {
        detail::clearGradients(*m_attentionOptimizer);
        (-objective).backward();
        m_attentionOptimizer->step();
    }

    const torch::Tensor cpuItems = items.cpu();
    m_epochWeights.index_copy_(0, cpuItems, similarity.weights.detach().to(torch::kCPU, torch::kFloat));
    recordImageCodes(cpuItems, imageCodes);
    const double total = loss.total.item<double>();
    sums.batches += 1;
    sums.loss += total;
    sums.add(QStringLiteral("intra_image"), loss.intraImage);
    sums.add(QStringLiteral("intra_text"), loss.intraText);
    sums.add(QStringLiteral("cross"), loss.cross);
    sums.add(QStringLiteral("pair"), loss.pair);
    sums.add(QStringLiteral("quantisation"), loss.quantisation);
    sums.add(QStringLiteral("attention_objective"), objective.detach());
    return total;
}

void EsafhTrainer::recordImageCodes(const torch::Tensor &cpuItems, const torch::Tensor &imageCodes)
{
    // A value >= 0 sets its bit, as in HashCodes::fromRealValued.
    const torch::Tensor signs = (imageCodes.detach() >= 0).cpu().contiguous();
    const bool *bits = signs.data_ptr<bool>();
    const int64_t *items = cpuItems.data_ptr<int64_t>();
    const int64_t bitCount = signs.size(1);
    for (int64_t row = 0; row < signs.size(0); ++row) {
        for (int64_t b = 0; b < bitCount; ++b)
            m_epochCodes.setBit(static_cast<int>(items[row]), static_cast<int>(b), bits[row * bitCount + b]);
    }
}

FeatureMatrix EsafhTrainer::itemAttention() const
{
    // Batches of consecutive training items, the remainder joining the last one as
    // in training, so each item's row descriptors span a training-sized batch.
    torch::NoGradGuard noGrad;
    const int64_t n = m_images.size(0);
    const int64_t batchCount = std::max<int64_t>(1, n / m_settings.batchSize);
    torch::Tensor weights = torch::zeros({n, m_candidateCount});
    for (int64_t b = 0; b < batchCount; ++b) {
        const int64_t first = b * m_settings.batchSize;
        const int64_t count = b + 1 == batchCount ? n - first : m_settings.batchSize;
        const torch::Tensor items = torch::arange(first, first + count, torch::TensorOptions().dtype(torch::kLong).device(m_d->device));
        const detail::FusedSimilarity similarity =
            detail::fuseSimilarities(similarityInputs(items), m_settings, m_d->attention);
        weights.narrow(0, first, count).copy_(similarity.weights.to(torch::kCPU, torch::kFloat));
    }
    return detail::toMatrix(weights);
}

void EsafhTrainer::waitWhilePaused() const
{
    while (m_callbacks.pause && m_callbacks.pause->load() && !cancelRequested())
        std::this_thread::sleep_for(pausePoll);
}

bool EsafhTrainer::runEpoch(int epoch)
{
    const Clock::time_point start = Clock::now();
    m_d->sharpness = std::sqrt(static_cast<double>(epoch + 1));
    m_epochWeights = torch::zeros({m_images.size(0), static_cast<int64_t>(m_candidateCount)});
    m_epochCodes = HashCodes(m_settings.bits, static_cast<int>(m_images.size(0)));

    const std::vector<torch::Tensor> batches = batchOrder();
    EpochSums sums;
    m_d->setTraining(true);
    for (std::size_t b = 0; b < batches.size(); ++b) {
        waitWhilePaused();
        if (cancelRequested()) {
            m_d->setTraining(false);
            return false;
        }
        const double loss = trainBatch(batches[b], sums);
        if (m_callbacks.onBatch) {
            BatchReport report;
            report.epoch = epoch + 1;
            report.batch = static_cast<int>(b) + 1;
            report.batchCount = static_cast<int>(batches.size());
            report.loss = loss;
            m_callbacks.onBatch(report);
        }
    }
    m_d->setTraining(false);

    EpochReport report = epochReport(epoch, sums);
    report.itemAttention = itemAttention();
    if (m_callbacks.validate)
        report.validationScore = m_callbacks.validate(*m_model);
    report.seconds = secondsSince(start);
    logEpoch(report);

    // Only the last epoch keeps its item weights, so memory does not grow with the epochs.
    if (!m_history.empty())
        m_history.back().itemAttention = FeatureMatrix();
    m_history.push_back(report);
    m_completedEpochs = epoch + 1;
    keepBest(report);
    if (m_callbacks.onEpoch)
        m_callbacks.onEpoch(report);
    if (m_callbacks.onCheckpoint)
        m_callbacks.onCheckpoint(checkpoint());
    return true;
}

void EsafhTrainer::keepBest(const EpochReport &report)
{
    // A NaN score never counts; ties keep the earlier epoch.
    if (!m_callbacks.validate || std::isnan(report.validationScore))
        return;
    if (m_bestEpoch > 0 && !(report.validationScore > m_bestScore))
        return;
    m_bestEpoch = report.epoch;
    m_bestScore = report.validationScore;
    m_bestState = m_model->saveState();
}

EpochReport EsafhTrainer::epochReport(int epoch, const EpochSums &sums) const
{
    EpochReport report;
    report.epoch = epoch + 1;
    report.epochCount = m_settings.epochs;
    report.loss = sums.loss / sums.batches;
    for (const auto &[name, sum] : sums.terms)
        report.lossTerms[name] = sum / sums.batches;

    report.candidateNames = detail::candidateNames(m_settings);
    const torch::Tensor meanWeights = m_epochWeights.mean(0);
    for (int m = 0; m < meanWeights.size(0); ++m)
        report.meanAttention.push_back(meanWeights[m].item<double>());
    report.attentionSpread = m_epochWeights.std(0, /*unbiased=*/false).mean().item<double>();
    report.dominantShare = (std::get<0>(m_epochWeights.max(1)) > 0.95).to(torch::kDouble).mean().item<double>();

    // The codes of the epoch's batches, not a second pass over the training set,
    // which cost about a third of an epoch on the Tux Paint stamps.
    report.constantBits = m_epochCodes.constantBitCount();
    report.distinctCodes = m_epochCodes.distinctCodeCount();
    return report;
}

void EsafhTrainer::logEpoch(const EpochReport &report) const
{
    QStringList attention;
    for (int m = 0; m < report.candidateNames.size(); ++m)
        attention << QStringLiteral("%1 %2").arg(report.candidateNames[m]).arg(report.meanAttention[m], 0, 'f', 3);
    QStringList terms;
    for (const auto &[name, value] : report.lossTerms)
        terms << QStringLiteral("%1 %2").arg(name).arg(value, 0, 'f', 4);
    const QString validation = std::isnan(report.validationScore)
                                   ? QString()
                                   : QStringLiteral("; validation %1").arg(report.validationScore, 0, 'f', 4);
    qCInfo(lcTraining).noquote() << QStringLiteral("Epoch %1/%2: loss %3 (%4); attention %5, spread %6, dominant %7; "
                                                   "%8 constant bits, %9 distinct codes%10; %11 s")
                                        .arg(report.epoch).arg(report.epochCount).arg(report.loss, 0, 'f', 4)
                                        .arg(terms.join(QStringLiteral(", ")), attention.join(QStringLiteral(", ")))
                                        .arg(report.attentionSpread, 0, 'f', 3).arg(report.dominantShare, 0, 'f', 3)
                                        .arg(report.constantBits).arg(report.distinctCodes).arg(validation)
                                        .arg(report.seconds, 0, 'f', 2);
}

QByteArray EsafhTrainer::checkpoint()
{
    detail::TrainingCheckpoint state;
    state.settings = m_settings.toJson();
    state.featureFingerprint = detail::featureFingerprint(m_trainingImages, m_trainingTexts);
    state.completedEpochs = m_completedEpochs;
    std::ostringstream generator;
    generator << m_generator;
    state.batchGeneratorState = QByteArray::fromStdString(generator.str());
    state.torchGeneratorState = detail::cpuGeneratorState();
    state.modelState = m_model->saveState();
    state.imageOptimizerState = detail::optimizerState(*m_imageOptimizer);
    state.textOptimizerState = detail::optimizerState(*m_textOptimizer);
    state.attentionOptimizerState = detail::optimizerState(*m_attentionOptimizer);
    state.history = m_history;
    state.bestEpoch = m_bestEpoch;
    state.bestScore = m_bestScore;
    state.bestState = m_bestState;
    return detail::encodeCheckpoint(state);
}

Status EsafhTrainer::restore(const QByteArray &bytes)
{
    const Result<detail::TrainingCheckpoint> decoded = detail::decodeCheckpoint(bytes);
    if (!decoded)
        return Status::failure(decoded.error());
    const detail::TrainingCheckpoint &state = decoded.value();
    const Status matches = detail::checkCheckpointMatches(
        state, m_settings, detail::featureFingerprint(m_trainingImages, m_trainingTexts));
    if (!matches) {
        qCWarning(lcTraining).noquote() << matches.error();
        return matches;
    }

    const Result<std::unique_ptr<HashModel>> saved = HashModel::loadState(state.modelState, m_settings);
    if (!saved)
        return Status::failure(QStringLiteral("Cannot resume training from the checkpoint: %1").arg(saved.error()));
    detail::copyNetworkState(saved.value()->impl(), *m_d);

    std::istringstream generator(state.batchGeneratorState.toStdString());
    generator >> m_generator;
    if (generator.fail())
        return Status::failure(QStringLiteral("Cannot resume training from the checkpoint: its batch generator state is unreadable."));
    detail::setCpuGeneratorState(state.torchGeneratorState);
    detail::loadOptimizerState(*m_imageOptimizer, state.imageOptimizerState);
    detail::loadOptimizerState(*m_textOptimizer, state.textOptimizerState);
    detail::loadOptimizerState(*m_attentionOptimizer, state.attentionOptimizerState);

    m_history = state.history;
    m_completedEpochs = state.completedEpochs;
    m_bestEpoch = state.bestEpoch;
    m_bestScore = state.bestScore;
    m_bestState = state.bestState;
    qCInfo(lcTraining, "Resuming training after epoch %d of %d", m_completedEpochs, m_settings.epochs);
    return Status::success();
}

Result<TrainingOutcome> EsafhTrainer::finish(bool cancelled, double seconds)
{
    TrainingOutcome outcome;
    outcome.history = std::move(m_history);
    outcome.cancelled = cancelled;
    outcome.seconds = seconds;
    outcome.bestEpoch = m_completedEpochs;
    outcome.model = std::move(m_model);

    // With a validation hook the model is the best epoch's, unless that is the state
    // trained last (a cancelled epoch changed the networks after it, so it is reloaded).
    if (m_bestEpoch > 0 && (m_bestEpoch != m_completedEpochs || cancelled)) {
        Result<std::unique_ptr<HashModel>> best = HashModel::loadState(m_bestState, m_settings);
        if (!best)
            return Result<TrainingOutcome>::failure(best.error());
        outcome.model = std::move(best.value());
    }
    if (m_bestEpoch > 0)
        outcome.bestEpoch = m_bestEpoch;
    return outcome;
}

Result<TrainingOutcome> runTraining(const FeatureMatrix &trainingImages, const FeatureMatrix &trainingTexts,
                                    const EsafhSettings &settings, const TrainingCallbacks &callbacks,
                                    const QByteArray &resumeCheckpoint)
{
    const Clock::time_point start = Clock::now();
    const int threads = configureThreads(settings.threads, settings.batchSize);

    // NOTE: the CUDA path is written but has not been run, because Debian's LibTorch
    // 1.13 is CPU-only.

    // The seed fixes the initial weights (drawn in create) and, below, the batches.
    torch::manual_seed(settings.seed);
    Result<std::unique_ptr<HashModel>> model = HashModel::create(settings, trainingImages, trainingTexts);
    if (!model)
        return Result<TrainingOutcome>::failure(model.error());

    const QString fusion = settings.method != QLatin1String("esafh") ? QStringLiteral("the method's fixed weights")
                           : settings.fixedFusionWeights          ? QStringLiteral("JDSH's fixed weights")
                           : settings.attentionFusion             ? QStringLiteral("learned attention")
                                                                  : QStringLiteral("fixed at the prior");
    qCInfo(lcTraining, "Training %s on %s with %d thread(s): %d items, %d image and %d text dimensions, %d bits, "
                       "%d epochs of batches of %d, fusion %s",
           qPrintable(methodTitle(settings.method)), qPrintable(model.value()->deviceName()), threads,
           static_cast<int>(trainingImages.rows()), static_cast<int>(trainingImages.cols()),
           static_cast<int>(trainingTexts.cols()), settings.bits, settings.epochs, settings.batchSize,
           qPrintable(fusion));

    EsafhTrainer trainer(trainingImages, trainingTexts, settings, callbacks);
    trainer.prepare(std::move(model.value()));
    if (!resumeCheckpoint.isEmpty()) {
        const Status restored = trainer.restore(resumeCheckpoint);
        if (!restored)
            return Result<TrainingOutcome>::failure(restored.error());
    }

    bool cancelled = false;
    for (int epoch = trainer.completedEpochs(); epoch < settings.epochs && !cancelled; ++epoch)
        cancelled = !trainer.runEpoch(epoch);

    const double seconds = secondsSince(start);
    qCInfo(lcTraining, "Training %s after %.1f s", cancelled ? "cancelled" : "finished", seconds);
    return trainer.finish(cancelled, seconds);
}

} // namespace

Result<TrainingOutcome> trainEsafh(const FeatureMatrix &trainingImages, const FeatureMatrix &trainingTexts,
                                   const EsafhSettings &settings, const TrainingCallbacks &callbacks,
                                   const QByteArray &resumeCheckpoint)
{
    try {
        return runTraining(trainingImages, trainingTexts, settings, callbacks, resumeCheckpoint);
    } catch (const c10::Error &error) {
        qCWarning(lcTraining) << "Training failed:" << error.what_without_backtrace();
        return Result<TrainingOutcome>::failure(
            QStringLiteral("Training failed: %1").arg(QString::fromUtf8(error.what_without_backtrace())));
    } catch (const std::exception &error) {
        qCWarning(lcTraining) << "Training failed:" << error.what();
        return Result<TrainingOutcome>::failure(QStringLiteral("Training failed: %1").arg(QString::fromUtf8(error.what())));
    }
}

} // namespace esafh
