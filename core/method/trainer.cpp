// The ESAFH training loop: per batch, the enhanced and fused similarity S_F of
// steps 3 and 4 is the target of the hash loss of step 5, and the attention network
// takes its own step on its own objective. ESAFH is reconstructed from the abstract
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

HashLoss hashLoss(const torch::Tensor &imageCodes, const torch::Tensor &textCodes, const torch::Tensor &target,
                  const EsafhSettings &settings)
{
    const torch::Tensor bImage = detail::rowNormalise(imageCodes);
    const torch::Tensor bText = detail::rowNormalise(textCodes);
    const torch::Tensor crossProduct = bImage.mm(bText.t());

    HashLoss loss;
    loss.intraImage = torch::mse_loss(bImage.mm(bImage.t()), target);
    loss.intraText = torch::mse_loss(bText.mm(bText.t()), target);
    loss.cross = torch::mse_loss(crossProduct, target) + torch::mse_loss(crossProduct.t(), target);
    loss.pair = -(bImage * bText).sum(1).mean();
    loss.quantisation = (torch::cat({imageCodes, textCodes}).abs() - 1).pow(2).mean();
    loss.total = settings.intraModalWeight * (loss.intraImage + loss.intraText) + loss.cross + loss.pair
                 + settings.quantisationWeight * loss.quantisation;
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

/// One training run. The features live on the model's device for the whole run.
class EsafhTrainer
{
public:
    EsafhTrainer(const FeatureMatrix &trainingImages, const EsafhSettings &settings, const TrainingCallbacks &callbacks)
        : m_trainingImages(trainingImages)
        , m_settings(settings)
        , m_callbacks(callbacks)
        , m_generator(settings.seed)
    {
    }

    void prepare(std::unique_ptr<HashModel> model);
    /// Runs one epoch; returns false when cancelled before its end.
    bool runEpoch(int epoch);
    TrainingOutcome finish(bool cancelled, double seconds);

private:
    bool cancelRequested() const { return m_callbacks.cancel && m_callbacks.cancel->load(); }
    std::vector<torch::Tensor> batchOrder();
    double trainBatch(const torch::Tensor &items, EpochSums &sums);
    void recordImageCodes(const torch::Tensor &cpuItems, const torch::Tensor &imageCodes);
    EpochReport epochReport(int epoch, const EpochSums &sums, double seconds) const;

    const FeatureMatrix &m_trainingImages;
    EsafhSettings m_settings;
    const TrainingCallbacks &m_callbacks;
    std::mt19937_64 m_generator;

    std::unique_ptr<HashModel> m_model;
    HashModel::Private *m_d = nullptr;
    torch::Tensor m_images;     ///< n x d_v.
    torch::Tensor m_aggregates; ///< n x d_t, input of the text network's graph layer.
    torch::Tensor m_enriched;   ///< n x d_t, the enriched texts of step 2.
    torch::Tensor m_epochWeights; ///< n x 3 attention weights of the current epoch, on the CPU.
    HashCodes m_epochCodes;       ///< Each item's binary image code as its batch of this epoch computed it.
    std::unique_ptr<torch::optim::Optimizer> m_imageOptimizer;
    std::unique_ptr<torch::optim::Optimizer> m_textOptimizer;
    std::unique_ptr<torch::optim::Optimizer> m_attentionOptimizer;
    std::vector<EpochReport> m_history;
};

void EsafhTrainer::prepare(std::unique_ptr<HashModel> model)
{
    m_model = std::move(model);
    m_d = &m_model->impl();
    // The caller's matrix outlives the run, so on the CPU the images are not copied.
    m_images = detail::viewTensor(m_trainingImages, m_d->device);

    // Steps 1 and 2 once for the whole training set: the graph is global.
    torch::NoGradGuard noGrad;
    const torch::Tensor &texts = m_d->trainingTexts;
    const detail::TextNeighbours neighbours = detail::findTextNeighbours(texts, texts, m_settings.neighbourCount);
    m_aggregates = detail::aggregateNeighbours(texts, neighbours, texts);
    const torch::Tensor adjacency = detail::normalisedAdjacency(neighbours, texts.size(0));
    m_enriched = detail::enrichTrainingTexts(texts, adjacency, m_settings.enrichmentWeight);
    qCInfo(lcTraining, "Text graph: %lld edges including self-loops over %lld training texts",
           static_cast<long long>(adjacency._nnz()), static_cast<long long>(texts.size(0)));

    m_imageOptimizer = makeOptimizer(m_d->imageNetwork->parameters(), m_settings.imageLearningRate, m_settings);
    m_textOptimizer = makeOptimizer(m_d->textNetwork->parameters(), m_settings.textLearningRate, m_settings);
    m_attentionOptimizer = std::make_unique<torch::optim::Adam>(
        m_d->attention->parameters(), torch::optim::AdamOptions(m_settings.attentionLearningRate));
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

    detail::SimilarityInputs inputs;
    inputs.imageFeatures = m_d->similarityImageFeatures(images);
    inputs.imageNonNegative = m_d->similarityImageNonNegative();
    inputs.enrichedTexts = m_enriched.index_select(0, items);
    inputs.textNonNegative = m_d->textNonNegative;
    detail::FusedSimilarity similarity;
    {
        // With fixed weights nothing needs the attention's gradient.
        const torch::AutoGradMode attentionGradient(m_settings.attentionFusion);
        similarity = detail::fuseSimilarities(inputs, m_settings, m_d->attention);
    }

    // Step 5: the hash networks learn the detached target.
    const torch::Tensor imageCodes = m_d->imageCodes(images);
    const torch::Tensor textCodes = m_d->textCodes(texts, m_aggregates.index_select(0, items));
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
    if (m_settings.attentionFusion) {
        detail::clearGradients(*m_attentionOptimizer);
        (-objective).backward();
        m_attentionOptimizer->step();
    }

    const torch::Tensor cpuItems = items.cpu();
    m_epochWeights.index_copy_(0, cpuItems, similarity.weights.detach().cpu());
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

bool EsafhTrainer::runEpoch(int epoch)
{
    const Clock::time_point start = Clock::now();
    m_d->sharpness = std::sqrt(static_cast<double>(epoch + 1));
    m_epochWeights = torch::zeros({m_images.size(0), static_cast<int64_t>(detail::candidateNames().size())});
    m_epochCodes = HashCodes(m_settings.bits, static_cast<int>(m_images.size(0)));

    const std::vector<torch::Tensor> batches = batchOrder();
    EpochSums sums;
    m_d->setTraining(true);
    for (std::size_t b = 0; b < batches.size(); ++b) {
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

    const EpochReport report = epochReport(epoch, sums, secondsSince(start));
    m_history.push_back(report);
    if (m_callbacks.onEpoch)
        m_callbacks.onEpoch(report);
    return true;
}

EpochReport EsafhTrainer::epochReport(int epoch, const EpochSums &sums, double seconds) const
{
    EpochReport report;
    report.epoch = epoch + 1;
    report.epochCount = m_settings.epochs;
    report.loss = sums.loss / sums.batches;
    for (const auto &[name, sum] : sums.terms)
        report.lossTerms[name] = sum / sums.batches;

    report.candidateNames = detail::candidateNames();
    const torch::Tensor meanWeights = m_epochWeights.mean(0);
    for (int m = 0; m < meanWeights.size(0); ++m)
        report.meanAttention.push_back(meanWeights[m].item<double>());
    report.attentionSpread = m_epochWeights.std(0, /*unbiased=*/false).mean().item<double>();
    report.dominantShare = (std::get<0>(m_epochWeights.max(1)) > 0.95).to(torch::kDouble).mean().item<double>();

    // The codes of the epoch's batches, not a second pass over the training set,
    // which cost about a third of an epoch on the Tux Paint stamps.
    report.constantBits = m_epochCodes.constantBitCount();
    report.distinctCodes = m_epochCodes.distinctCodeCount();
    report.seconds = seconds;

    QStringList attention;
    for (int m = 0; m < report.candidateNames.size(); ++m)
        attention << QStringLiteral("%1 %2").arg(report.candidateNames[m]).arg(report.meanAttention[m], 0, 'f', 3);
    QStringList terms;
    for (const auto &[name, value] : report.lossTerms)
        terms << QStringLiteral("%1 %2").arg(name).arg(value, 0, 'f', 4);
    qCInfo(lcTraining).noquote() << QStringLiteral("Epoch %1/%2: loss %3 (%4); attention %5, spread %6, dominant %7; "
                                                   "%8 constant bits, %9 distinct codes; %10 s")
                                        .arg(report.epoch).arg(report.epochCount).arg(report.loss, 0, 'f', 4)
                                        .arg(terms.join(QStringLiteral(", ")), attention.join(QStringLiteral(", ")))
                                        .arg(report.attentionSpread, 0, 'f', 3).arg(report.dominantShare, 0, 'f', 3)
                                        .arg(report.constantBits).arg(report.distinctCodes).arg(seconds, 0, 'f', 2);
    return report;
}

TrainingOutcome EsafhTrainer::finish(bool cancelled, double seconds)
{
    TrainingOutcome outcome;
    outcome.model = std::move(m_model);
    outcome.history = std::move(m_history);
    outcome.cancelled = cancelled;
    outcome.seconds = seconds;
    return outcome;
}

Result<TrainingOutcome> runTraining(const FeatureMatrix &trainingImages, const FeatureMatrix &trainingTexts,
                                    const EsafhSettings &settings, const TrainingCallbacks &callbacks)
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

    qCInfo(lcTraining, "Training ESAFH on %s with %d thread(s): %d items, %d image and %d text dimensions, %d bits, "
                       "%d epochs of batches of %d, attention %s",
           qPrintable(model.value()->deviceName()), threads, static_cast<int>(trainingImages.rows()),
           static_cast<int>(trainingImages.cols()), static_cast<int>(trainingTexts.cols()), settings.bits,
           settings.epochs, settings.batchSize, settings.attentionFusion ? "learned" : "fixed at the prior");

    EsafhTrainer trainer(trainingImages, settings, callbacks);
    trainer.prepare(std::move(model.value()));
    bool cancelled = false;
    for (int epoch = 0; epoch < settings.epochs && !cancelled; ++epoch)
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
    // TODO: resume from resumeCheckpoint, call validate, pause and onCheckpoint, and train the anchor methods.
    if (!resumeCheckpoint.isEmpty())
        return Result<TrainingOutcome>::failure(QStringLiteral("Resuming training from a checkpoint is not supported yet."));
    try {
        return runTraining(trainingImages, trainingTexts, settings, callbacks);
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
