#pragma once

#include "common/matrix.h"
#include "common/result.h"

#include <QStringList>

namespace esafh {

class HashModel;

/// The similarity matrices ESAFH builds for a set of items, for display: image S_I,
/// text S_T, enriched text, cross-modal S_C, fused S_F and the learned code
/// similarity, each n x n, with the attention weights of each item.
struct SimilarityMatrices
{
    SquareMatrix image;
    SquareMatrix text;
    SquareMatrix enrichedText;
    SquareMatrix crossModal;
    SquareMatrix fused;
    SquareMatrix code;          ///< (B_I B_T^T + B_T B_I^T) / 2 of the model's real-valued codes.
    FeatureMatrix attention;    ///< n x candidates, each row sums to one.
    QStringList candidateNames;
};

/// Computes the matrices for these items (one row each, paired) with the model's
/// settings, graph and attention network. Intended for a few thousand items.
Result<SimilarityMatrices> computeSimilarityMatrices(const HashModel &model, const FeatureMatrix &images,
                                                     const FeatureMatrix &texts);

} // namespace esafh
