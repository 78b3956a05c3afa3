#pragma once

#include "comparison.h"
#include "session.h"

namespace esafh::ui {

/// Scores and curves of the session's model on the open dataset's split.
struct ModelEvaluation
{
    ComparisonRow row;
    RunCurves curves;
    ComparisonProtocol protocol;
};

/// The cutoffs of the precision@K curve for a database of `databaseSize` items:
/// 1, 2, 5, 10, 20, 50, 100, ... below the database size, then the database size itself.
std::vector<int> precisionCutoffs(int databaseSize);

/// Encodes the dataset's query and database sets with the model and computes mAP@all,
/// mAP@K and both curves in both directions, with ties counted as tie-aware. Runs on
/// any thread. Fails with a message when the model was trained on other image features
/// or of another width, or the split has no query or database set.
Result<ModelEvaluation> evaluateSessionModel(const TrainedModelPointer &model, const PreparedDatasetPointer &dataset,
                                             int k, const QString &source);

} // namespace esafh::ui
