#include "colour_map.h"

#include <QtGlobal>

#include <array>
#include <cmath>

namespace esafh::ui {

namespace {

// Viridis (matplotlib's default colour map, by van der Walt and Smith) sampled at
// nine evenly spaced points, interpolated linearly in sRGB.
// NOTE: this approximates matplotlib's 256-entry table and was not compared with it
// entry by entry; the ends and the nine anchors match it exactly.
constexpr std::array<QRgb, 9> viridisAnchors = {
    0x440154, 0x472d7b, 0x3b528b, 0x2c728e, 0x21918c, 0x28ae80, 0x5ec962, 0xaddc30, 0xfde725,
};

int interpolate(int from, int to, double fraction)
{
    return static_cast<int>(std::lround(from + (to - from) * fraction));
}

} // namespace

QRgb viridis(double t)
{
    if (!(t > 0.0))
        t = 0.0; // Also maps NaN to the low end.
    t = qMin(t, 1.0);

    const double position = t * (viridisAnchors.size() - 1);
    const int lower = qMin(static_cast<int>(position), static_cast<int>(viridisAnchors.size()) - 2);
    const double fraction = position - lower;

    const QRgb from = viridisAnchors[lower];
    const QRgb to = viridisAnchors[lower + 1];
    return qRgb(interpolate(qRed(from), qRed(to), fraction),
                interpolate(qGreen(from), qGreen(to), fraction),
                interpolate(qBlue(from), qBlue(to), fraction));
}

QVector<QRgb> viridisTable(int size)
{
    Q_ASSERT(size >= 2);

    QVector<QRgb> table(size);
    for (int i = 0; i < size; ++i)
        table[i] = viridis(static_cast<double>(i) / (size - 1));
    return table;
}

} // namespace esafh::ui
