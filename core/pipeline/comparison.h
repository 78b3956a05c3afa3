#pragma once

// Comparison of methods on one dataset: every method (and ablation variant) at every
// code length and seed, aggregated into mean and standard deviation over seeds and
// written as results.json, results.csv, results.tex and one run record per run.
// docs/evaluation.md documents the files.

#include "common/result.h"
#include "pipeline/training_job.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <functional>
#include <vector>

namespace esafh {

/// Settings of a comparison.
struct ComparisonSettings
{
    /// Dataset, split, backbone, K, tie rule and the shared training settings
    /// (epochs, device, threads). Each run starts from EsafhSettings::forMethod()
    /// and takes epochs, device and threads from base.esafh.
    TrainingJobSettings base;
    /// Settings given as key and value (EsafhSettings::toJson() keys) that every run
    /// takes, after the method's defaults.
    QJsonObject settingOverrides;
    QStringList methods = EsafhSettings::methodNames();
    std::vector<int> bits = {32, 64};
    std::vector<quint64> seeds = {1, 2, 3};
    /// Adds ESAFH rows with each ablation switch flipped; see ablationSwitches().
    bool ablations = false;
    QString outputDirectory;
    /// Replaces the results and run records already in outputDirectory. Without it a
    /// non-empty outputDirectory is rejected.
    bool overwrite = false;
};

/// Hooks of a comparison; each may be empty.
struct ComparisonCallbacks
{
    std::function<void(const QString &line)> onProgress;
    const std::atomic_bool *cancel = nullptr;
};

/// The boolean EsafhSettings keys that an ablation flips, those this build of the
/// settings has: neighbourEnrichment, learnedTextEncoder, crossModalTerm,
/// neighbourCoherence and attentionFusion.
QStringList ablationSwitches();

/// The settings of one run: the method's defaults, then settings.settingOverrides,
/// then the variant ("key=value", or empty), the code length, the seed and
/// settings.base.esafh's epochs, device and threads.
Result<EsafhSettings> runSettings(const ComparisonSettings &settings, const QString &method, const QString &variant,
                                  int bits, quint64 seed);

/// Mean and sample standard deviation (n - 1 in the denominator; 0 for one value).
struct MeanDeviation
{
    double mean = 0;
    double deviation = 0;
};
MeanDeviation meanAndDeviation(const std::vector<double> &values);

/// Runs the comparison and writes its files into settings.outputDirectory, which is
/// created when missing. The dataset's features are computed once; each seed draws
/// its split (unless the dataset brings its own) and seeds the training. Fails on
/// a non-empty output folder without overwrite, on invalid settings, on the first
/// run that fails, or when cancelled. Returns the content of results.json.
Result<QJsonObject> runComparison(const ComparisonSettings &settings, const ComparisonCallbacks &callbacks = {});

/// A Markdown table of results.json: one line per row with mean ± standard deviation
/// of mAP@all and mAP@K in both directions, followed by a line naming the protocol.
QString comparisonMarkdownTable(const QJsonObject &results);

} // namespace esafh
