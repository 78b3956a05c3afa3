#pragma once

#include "common/matrix.h"
#include "pipeline/training_job.h"

#include <QString>

namespace esafh::bench {

/// The Tux Paint stamps prepared as the main job prepares them: seeded split,
/// image features (from the feature cache after the first run) and vocabulary.
/// Returns nullptr, with the reason in `error`, when the stamps are not installed
/// or preparation fails. Prepared once per process.
const PreparedDataset *tuxPaintDataset(QString *error);

/// Rows of a feature matrix, in the given order.
FeatureMatrix gatherRows(const FeatureMatrix &matrix, const std::vector<int> &rows);

/// The rows repeated until there are `count` of them.
FeatureMatrix repeatRows(const FeatureMatrix &matrix, int count);

} // namespace esafh::bench
