#pragma once

#include <QColor>
#include <QVector>

namespace esafh::ui {

/// Colour of `t` in [0, 1] on the viridis colour map (perceptually uniform, readable
/// in greyscale and by most colour-blind readers). Values outside [0, 1] are clamped.
QRgb viridis(double t);

/// The viridis colour map sampled at `size` evenly spaced points, for mapping
/// quantised values without a call per pixel.
QVector<QRgb> viridisTable(int size = 256);

} // namespace esafh::ui
