#pragma once

#include "common/matrix.h"

#include <QImage>

namespace esafh::ui {

/// The values a colour map spans: `low` takes the first colour, `high` the last.
struct ValueRange
{
    float low = 0;
    float high = 1;
};

/// Whether the colour mapping splits its rows over a thread pool (one of its own,
/// with a thread per core, so that it may be called from global-pool jobs).
enum class Threading { Serial, Parallel };

/// Returns the range of the off-diagonal values of `values`, so that a diagonal of
/// self-similarities does not flatten the rest. A range narrower than 1e-6 is
/// widened to 1e-6, and an empty or 1 x 1 matrix gives [0, 1] or its one value.
ValueRange offDiagonalRange(const SquareMatrix &values, Threading threading = Threading::Parallel);

/// Maps each value to the viridis colour map, one pixel per cell (RGB32), through a
/// table of 256 colours. Values outside `range` take the end colours, and NaN the
/// first. With Threading::Parallel, blocks of rows run in parallel.
QImage colourMappedImage(const SquareMatrix &values, ValueRange range, Threading threading = Threading::Parallel);

/// Maps the matrix to an image of at most `maxSide` pixels a side: each pixel takes
/// the colour of the mean of a square block of ceil(n / maxSide) cells a side (the
/// last blocks may be smaller). A matrix with at most `maxSide` rows maps one pixel
/// per cell, as colourMappedImage does. Used to draw a large matrix that is smaller
/// on screen than one pixel per cell without the aliasing of skipping cells.
QImage colourMappedOverview(const SquareMatrix &values, ValueRange range, int maxSide);

} // namespace esafh::ui
