#pragma once

#include <Eigen/Core>

namespace esafh {

/// Features of several items, one row per item. Row-major so that a row is one
/// contiguous feature vector and the buffer maps directly onto a LibTorch tensor.
using FeatureMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

/// A square matrix of pairwise values (similarities), row-major.
using SquareMatrix = FeatureMatrix;

} // namespace esafh
