#pragma once

#include "common/matrix.h"
#include "common/result.h"

#include <QStringList>

namespace esafh {

class HashModel;

/// The similarity matrices a method builds for a set of items, for display: image
/// S_I, text S_T, enriched text, cross-modal S_C, the training target and the learned
/// code similarity, each n x n, with the fusion weights of each item. For an anchor
/// method the target is its own S, and its candidates are the matrices it combines.
struct SimilarityMatrices
{
    SquareMatrix image;
    SquareMatrix text;
    SquareMatrix enrichedText;
    SquareMatrix crossModal;
    SquareMatrix fused;         ///< ESAFH's S_F, or the anchor method's S.
    SquareMatrix code;          ///< (B_I B_T^T + B_T B_I^T) / 2 of the model's real-valued codes.
    FeatureMatrix attention;    ///< n x candidates; fixed rows for the anchors.
    QStringList candidateNames; ///< "S_I", "S_T" and, where the method fuses it, "S_C".
};

/// Computes the matrices for these items (one row each, paired) with the model's
/// settings, graph and attention network. Intended for a few thousand items.
Result<SimilarityMatrices> computeSimilarityMatrices(const HashModel &model, const FeatureMatrix &images,
                                                     const FeatureMatrix &texts);

} // namespace esafh
