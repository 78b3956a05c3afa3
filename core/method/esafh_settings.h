#pragma once

#include "common/result.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace esafh {

/// Every parameter of ESAFH training, with the defaults of the method description
/// (reconstructed from the paper's abstract and the DJSRH -> JDSH lineage).
struct EsafhSettings
{
    /// The method trained: "esafh", or one of the anchors "djsrh", "jdsh", "dgcpn".
    QString method = QStringLiteral("esafh");

    // Codes and schedule.
    int bits = 64;
    int epochs = 50;
    /// The lineage's value. On the Tux Paint stamps at 25 epochs, batches of 64 and
    /// 128 scored about 0.03 and 0.07 lower mAP@all.
    int batchSize = 32;
    quint64 seed = 1;

    // Step 1: text neighbour graph over the training texts.
    int neighbourCount = 10;   ///< k nearest text neighbours per item, itself excluded.

    // Step 2: text encoder.
    /// S_T from the enriched texts; false computes S_T from the plain texts and ignores beta.
    bool neighbourEnrichment = true;
    double enrichmentWeight = 1.0; ///< beta in t_i + beta * sum_j A_ij t_j.
    /// The text network's graph-convolution layer; false makes it a plain MLP, as in
    /// the anchors. The network's shape, and so a saved model, depends on it.
    bool learnedTextEncoder = true;
    int textHiddenUnits = 1024;    ///< Width of the text network's hidden layer.
    int graphUnits = 512;          ///< Width of the graph-convolution layer.

    // Image network.
    int imageHiddenUnits = 1024;   ///< Width of the image network's hidden layer; 0 maps features straight to bits.
    double dropout = 0.0;          ///< Dropout rate after the hidden layers of both networks while training.

    // Step 3: enhanced similarity.
    /// S_I from standardised image features, not the raw ones. On the Tux Paint stamps
    /// the raw hand-crafted features (non-negative, unit norm) gave S_I an off-diagonal
    /// mean of 0.84 after the 2s - 1 map (0.01 standardised), and the codes collapsed
    /// to random-level mAP within 5 epochs.
    bool standardisedImageSimilarity = true;
    bool signedSimilarity = true;   ///< Map cosine s of non-negative features to 2s - 1.
    bool crossModalTerm = true;      ///< S_C as a fusion candidate; false fuses S_I and S_T only.
    bool neighbourCoherence = false; ///< Blend in P P^T of the top-k rows (DGCPN style).
    int coherenceNeighbours = 10;
    double coherenceWeight = 0.3;    ///< a in (1 - a) S + a kappa P P^T.

    // Step 4: attention fusion.
    bool attentionFusion = true;   ///< false fuses with the fixed prior weights.
    /// Fuses with JDSH's fixed weights (0.5 S_I, 0.1 S_T, 0.4 S_C) on the candidates'
    /// own scales instead of the attention; a second baseline. Overrides attentionFusion.
    bool fixedFusionWeights = false;
    double fusionScale = 1.4;      ///< mu, the lineage scales the target above 1.
    double attentionKlWeight = 0.5; ///< lambda of KL(w || prior) in the attention objective.
    double attentionLearningRate = 0.01;
    int attentionHiddenUnits = 16;
    double rowEntropyTemperature = 0.1;
    int rowTopMeanCount = 5;

    // Step 5: hash loss.
    double intraModalWeight = 0.1; ///< delta.
    double quantisationWeight = 0.0; ///< gamma.

    // Anchor method DJSRH (Su et al., ICCV 2019): S_0 = beta S_I + (1 - beta) S_T,
    // S = mu ((1 - eta) S_0 + eta S_0 S_0^T / m).
    double djsrhImageWeight = 0.9;      ///< beta; the DJSRH value for MIRFlickr (0.6 for NUS-WIDE).
    double djsrhSecondOrderWeight = 0.4; ///< eta.

    // Anchor method JDSH (Liu et al., SIGIR 2020): S = alpha S_I + beta S_T + lambda S_C,
    // then the distribution-based similarity decision and weighting.
    double jdshImageWeight = 0.5; ///< alpha.
    double jdshTextWeight = 0.1;  ///< beta.
    double jdshCrossWeight = 0.4; ///< lambda.
    // NOTE: the decision and weighting below are reconstructed without JDSH's paper
    // or code, so the width and boosts are not its published values.
    bool jdshDistributionWeighting = true;
    /// Decision thresholds: the low mode's mean minus this many of its standard
    /// deviations, and the high mode's mean plus this many of its.
    double jdshThresholdWidth = 1.0;
    double jdshLowBoost = 0.1;  ///< l_1 in s (1 + l_1 exp(-(s - min))) for s below the low threshold.
    double jdshHighBoost = 0.1; ///< l_2 in s (1 + l_2 exp(s - max)) for s above the high threshold.

    // Anchor method DGCPN (Yu et al., AAAI 2021): S_pair = a1 S_T + (1 - a1) S_I over the
    // whole training set, blended with its top-k neighbour coherence.
    // NOTE: a1 and k are not DGCPN's published values, which this project could not check.
    double dgcpnTextWeight = 0.5;      ///< a1.
    double dgcpnCoherenceWeight = 0.3; ///< a2.
    int dgcpnNeighbours = 10;          ///< k, nearest training items by S_pair.

    // Optimiser: SGD with momentum, the lineage's rates.
    QString optimizer = QStringLiteral("sgd"); ///< "sgd" or "adam".
    double imageLearningRate = 0.001;
    double textLearningRate = 0.01;
    double momentum = 0.9;
    double weightDecay = 5e-4;

    // Execution.
    QString device = QStringLiteral("auto"); ///< "auto", "cpu" or "cuda".
    int threads = 0;                         ///< CPU threads; 0 chooses.

    /// The names accepted by method, ESAFH first.
    static QStringList methodNames();
    /// The defaults of the named method. Fails on an unknown name, listing the known ones.
    static Result<EsafhSettings> forMethod(const QString &name);

    QJsonObject toJson() const;
    /// Reads the settings, keeping the default for each missing key; fails on a
    /// value of the wrong type or out of range, naming the key.
    static Result<EsafhSettings> fromJson(const QJsonObject &json);
    /// Checks ranges; returns the first invalid setting with its value.
    Status validate() const;
};

} // namespace esafh
