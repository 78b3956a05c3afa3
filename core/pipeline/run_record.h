#pragma once

// Run records: one JSON file per training run with everything needed to run it
// again (dataset, seed, split, settings, backbone) and what it produced (per-epoch
// history, best epoch, scores, curves). docs/evaluation.md documents the format.

#include "common/result.h"
#include "pipeline/training_job.h"

#include <QJsonObject>
#include <QString>

namespace esafh {

/// The protocol name of a tie rule in comparison files: "tie-aware" or "database index".
QString tieRuleProtocolName(TieRule rule);

/// The split settings and the sizes of the split as used, for run records and
/// comparison files.
QJsonObject splitToJson(const TrainingJobSettings &settings, const PreparedDataset &prepared);

/// Both curves of one direction: {"precision_recall": [...], "precision_at_k": [...]}.
QJsonObject curvesToJson(const PrecisionRecallCurve &precisionRecall, const std::vector<PrecisionAtKPoint> &precisionAtK);

/// The run record of a model trained with `settings` on `prepared`, with the scores
/// and curves of `evaluation`.
QJsonObject runRecordToJson(const TrainedModel &model, const PreparedDataset &prepared,
                            const TrainingJobSettings &settings, const ModelEvaluation &evaluation);

/// A run record read back: the settings to train it again and the scores it recorded.
struct RunRecord
{
    TrainingJobSettings settings;
    RetrievalScores scores;
    int bestEpoch = 0;
    QJsonObject json;
};

/// Reads a run record. `path` names the record in messages. Fails, naming the file
/// and the key, on another format or version, a missing or mistyped key, or invalid
/// settings.
Result<RunRecord> runRecordFromJson(const QJsonObject &json, const QString &path);

/// Reads the run record file at `path`.
Result<RunRecord> readRunRecord(const QString &path);

} // namespace esafh
