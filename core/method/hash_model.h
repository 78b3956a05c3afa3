#pragma once

#include "common/matrix.h"
#include "common/result.h"
#include "method/esafh_settings.h"
#include "retrieval/hash_codes.h"

#include <QByteArray>
#include <QStringList>

#include <atomic>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <vector>

namespace esafh {

/// The trained hash functions of a cross-modal hashing model: an image network and
/// a text network with its neighbour graph over the training texts. The LibTorch
/// modules stay behind a private implementation so that this header is torch-free.
class HashModel
{
public:
    ~HashModel();
    HashModel(const HashModel &) = delete;
    HashModel &operator=(const HashModel &) = delete;

    /// Builds untrained networks for these training features. The training texts are
    /// kept: a new text gets its graph neighbours from them.
    static Result<std::unique_ptr<HashModel>> create(const EsafhSettings &settings,
                                                     const FeatureMatrix &trainingImages,
                                                     const FeatureMatrix &trainingTexts);

    const EsafhSettings &settings() const;
    int imageDimension() const;
    int textDimension() const;
    QString deviceName() const;

    /// Binary codes of images (one feature row each), computed in batches. Returns no
    /// codes, and logs a warning, when the feature width differs from the model's.
    HashCodes encodeImages(const FeatureMatrix &images) const;
    /// Binary codes of texts (one bag-of-words row each), computed in batches. A
    /// text's neighbours come from the training texts, so its code does not depend
    /// on the other rows. Returns no codes when the width differs from the model's.
    HashCodes encodeTexts(const FeatureMatrix &texts) const;

    /// Real-valued codes H = tanh(alpha f(x)) of images, one row of bits() values per
    /// item, with alpha of the last epoch trained; 0 rows when the width differs.
    FeatureMatrix realValuedImageCodes(const FeatureMatrix &images) const;
    /// Real-valued codes of texts; 0 rows when the width differs from the model's.
    FeatureMatrix realValuedTextCodes(const FeatureMatrix &texts) const;

    /// Serialises the networks, input normalisation, attention network and training
    /// texts, behind a format tag and a SHA-256 checksum.
    QByteArray saveState() const;
    /// Restores a model saved with saveState, with the settings it was trained with.
    /// Fails with a message on damaged bytes (a SHA-256 checksum guards the payload
    /// and LibTorch errors are caught), another format version, or settings whose
    /// network sizes differ from the saved ones.
    static Result<std::unique_ptr<HashModel>> loadState(const QByteArray &state, const EsafhSettings &settings);

    struct Private;
    Private &impl() const { return *d; }

private:
    explicit HashModel(std::unique_ptr<Private> d);
    std::unique_ptr<Private> d;
};

/// Progress of one training batch.
struct BatchReport
{
    int epoch = 0;
    int batch = 0;
    int batchCount = 0;
    double loss = 0;
};

/// Summary of one training epoch, with the attention diagnostics.
struct EpochReport
{
    int epoch = 0;          ///< 1-based.
    int epochCount = 0;
    double loss = 0;        ///< Mean hash loss over the epoch's batches.
    /// Mean of each term over the epoch's batches, before its weight: "intra_image",
    /// "intra_text", "cross", "pair" (minus the mean image-text code agreement),
    /// "quantisation" (mean of (|H| - 1)^2) and "attention_objective" (the row
    /// correlation of S_F with the code similarity minus the KL penalty, which the
    /// attention maximises).
    std::map<QString, double> lossTerms;
    std::vector<double> meanAttention;   ///< Mean weight of each candidate matrix.
    QStringList candidateNames;          ///< Names of the candidates, as "S_I", "S_T", "S_C".
    double attentionSpread = 0;          ///< Mean standard deviation of the weights across items.
    double dominantShare = 0;            ///< Share of items with a weight above 0.95.
    /// Bits constant over the training set's image codes, each code as its batch
    /// computed it during the epoch (so the network changed between batches).
    int constantBits = 0;
    int distinctCodes = 0;               ///< Distinct image codes over the training set, counted the same way.
    /// Attention weights of every training item after this epoch (training items x
    /// candidates, each row sums to one; the fixed weights for the anchors). Filled for onEpoch; the history keeps it
    /// only for the last epoch, so that memory does not grow with the epochs.
    FeatureMatrix itemAttention;
    /// Score of TrainingCallbacks::validate after this epoch (mAP on the validation
    /// set), or NaN when no validation hook was given.
    double validationScore = std::numeric_limits<double>::quiet_NaN();
    double seconds = 0;
};

/// Hooks called from the training thread. cancel and pause are checked between
/// batches; while pause is true the training thread waits.
struct TrainingCallbacks
{
    std::function<void(const BatchReport &)> onBatch;
    std::function<void(const EpochReport &)> onEpoch;
    /// Scores the model after each epoch, higher is better (mAP on a validation set
    /// taken from the database). When set, the outcome's model is the state of the
    /// best-scoring epoch instead of the last one.
    std::function<double(const HashModel &)> validate;
    /// Receives, after each epoch, a checkpoint from which trainEsafh can resume.
    std::function<void(const QByteArray &checkpoint)> onCheckpoint;
    const std::atomic_bool *cancel = nullptr;
    const std::atomic_bool *pause = nullptr;
};

/// A finished or cancelled training run.
struct TrainingOutcome
{
    std::unique_ptr<HashModel> model;
    std::vector<EpochReport> history;
    /// 1-based epoch whose state the model holds: the best-scoring one with a validation
    /// hook, else the last completed one (after a cancel the model also has the
    /// unfinished epoch's updates).
    int bestEpoch = 0;
    bool cancelled = false;
    double seconds = 0;
};

/// Trains ESAFH on paired training features (row i of both is one item). LibTorch
/// errors are caught and returned as a message.
/// settings.method chooses ESAFH or an anchor method. A non-empty resumeCheckpoint
/// (from onCheckpoint, with the same settings and features) continues after its epoch.
Result<TrainingOutcome> trainEsafh(const FeatureMatrix &trainingImages, const FeatureMatrix &trainingTexts,
                                   const EsafhSettings &settings, const TrainingCallbacks &callbacks = {},
                                   const QByteArray &resumeCheckpoint = {});

} // namespace esafh
