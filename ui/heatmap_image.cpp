#include "heatmap_image.h"

#include "colour_map.h"

#include <QThreadPool>
#include <QtConcurrent>

#include <algorithm>
#include <array>
#include <functional>
#include <limits>
#include <vector>

namespace esafh::ui {

namespace {

constexpr int colourCount = 256;

// About this many cells per task keeps the overhead of a task small beside its work.
constexpr qint64 cellsPerTask = 1 << 18;

using ColourTable = std::array<QRgb, colourCount>;

// The blocks of rows run on a pool of their own. The functions here are called
// from jobs on the global pool, and in Qt 6.4 a blocking map from a pool thread
// waits without running tasks itself, so blocks queued on a saturated global pool
// would never run.
Q_GLOBAL_STATIC(QThreadPool, rowBlockPool)

const ColourTable &viridisColours()
{
    static const ColourTable table = [] {
        ColourTable colours{};
        const QVector<QRgb> sampled = viridisTable(colourCount);
        std::copy(sampled.begin(), sampled.end(), colours.begin());
        return colours;
    }();
    return table;
}

// Maps values to table indices: `low` to 0 and `high` to 255, rounded.
class ColourIndexer
{
public:
    explicit ColourIndexer(ValueRange range)
        : m_low(range.low), m_scale((colourCount - 1) / std::max(range.high - range.low, 1e-6f))
    {
    }

    int operator()(float value) const
    {
        const float level = (value - m_low) * m_scale + 0.5f;
        // The first test is false for NaN, which takes the first colour.
        if (!(level > 0.0f))
            return 0;
        return level < colourCount - 1 ? static_cast<int>(level) : colourCount - 1;
    }

private:
    float m_low;
    float m_scale;
};

// Runs work(firstRow, endRow) over blocks of rows that together cover [0, rows).
void forRowBlocks(int rows, int columns, Threading threading, const std::function<void(int, int)> &work)
{
    const int rowsPerBlock = static_cast<int>(std::clamp<qint64>(cellsPerTask / std::max(columns, 1), 1, std::max(rows, 1)));
    if (threading == Threading::Serial || rows <= rowsPerBlock) {
        work(0, rows);
        return;
    }

    std::vector<int> blockStarts;
    for (int start = 0; start < rows; start += rowsPerBlock)
        blockStarts.push_back(start);
    QtConcurrent::blockingMap(rowBlockPool(), blockStarts,
                              [&](int start) { work(start, std::min(rows, start + rowsPerBlock)); });
}

} // namespace

ValueRange offDiagonalRange(const SquareMatrix &values, Threading threading)
{
    const int n = static_cast<int>(values.rows());
    if (n == 0)
        return {};
    if (n == 1)
        return {values(0, 0), values(0, 0) + 1e-6f};

    // Each block of rows writes its own range, so no lock is needed.
    const int rowsPerRange = 64;
    std::vector<ValueRange> blockRanges(static_cast<std::size_t>((n + rowsPerRange - 1) / rowsPerRange),
                                        {std::numeric_limits<float>::max(), std::numeric_limits<float>::lowest()});
    std::vector<int> blocks(blockRanges.size());
    for (std::size_t block = 0; block < blocks.size(); ++block)
        blocks[block] = static_cast<int>(block);

    const auto scanBlock = [&](int block) {
        ValueRange &range = blockRanges[static_cast<std::size_t>(block)];
        const int end = std::min(n, (block + 1) * rowsPerRange);
        for (int row = block * rowsPerRange; row < end; ++row) {
            const float *line = values.data() + static_cast<qint64>(row) * n;
            for (int column = 0; column < n; ++column) {
                if (column == row)
                    continue;
                range.low = std::min(range.low, line[column]);
                range.high = std::max(range.high, line[column]);
            }
        }
    };
    if (threading == Threading::Parallel)
        QtConcurrent::blockingMap(rowBlockPool(), blocks, scanBlock);
    else
        std::for_each(blocks.begin(), blocks.end(), scanBlock);

    ValueRange range{std::numeric_limits<float>::max(), std::numeric_limits<float>::lowest()};
    for (const ValueRange &block : blockRanges) {
        range.low = std::min(range.low, block.low);
        range.high = std::max(range.high, block.high);
    }
    if (range.low > range.high) // Every value is NaN.
        return {};
    if (range.high - range.low < 1e-6f)
        range.high = range.low + 1e-6f;
    return range;
}

QImage colourMappedImage(const SquareMatrix &values, ValueRange range, Threading threading)
{
    const int rows = static_cast<int>(values.rows());
    const int columns = static_cast<int>(values.cols());
    QImage image(columns, rows, QImage::Format_RGB32);
    if (image.isNull())
        return image;

    const ColourTable &colours = viridisColours();
    const ColourIndexer indexOf(range);
    forRowBlocks(rows, columns, threading, [&](int firstRow, int endRow) {
        for (int row = firstRow; row < endRow; ++row) {
            const float *source = values.data() + static_cast<qint64>(row) * columns;
            auto *target = reinterpret_cast<QRgb *>(image.scanLine(row));
            for (int column = 0; column < columns; ++column)
                target[column] = colours[static_cast<std::size_t>(indexOf(source[column]))];
        }
    });
    return image;
}

QImage colourMappedOverview(const SquareMatrix &values, ValueRange range, int maxSide)
{
    Q_ASSERT(maxSide > 0);
    const int n = static_cast<int>(values.rows());
    if (n <= maxSide)
        return colourMappedImage(values, range);

    const int blockSide = (n + maxSide - 1) / maxSide;
    const int side = (n + blockSide - 1) / blockSide;
    QImage image(side, side, QImage::Format_RGB32);
    if (image.isNull())
        return image;

    const ColourTable &colours = viridisColours();
    const ColourIndexer indexOf(range);
    forRowBlocks(side, n, Threading::Parallel, [&](int firstPixelRow, int endPixelRow) {
        std::vector<double> columnSums(static_cast<std::size_t>(n));
        for (int pixelRow = firstPixelRow; pixelRow < endPixelRow; ++pixelRow) {
            // Sum the block's rows column by column, then each block of columns.
            const int firstRow = pixelRow * blockSide;
            const int endRow = std::min(n, firstRow + blockSide);
            std::fill(columnSums.begin(), columnSums.end(), 0.0);
            for (int row = firstRow; row < endRow; ++row) {
                const float *source = values.data() + static_cast<qint64>(row) * n;
                for (int column = 0; column < n; ++column)
                    columnSums[static_cast<std::size_t>(column)] += source[column];
            }

            auto *target = reinterpret_cast<QRgb *>(image.scanLine(pixelRow));
            for (int pixelColumn = 0; pixelColumn < side; ++pixelColumn) {
                const int firstColumn = pixelColumn * blockSide;
                const int endColumn = std::min(n, firstColumn + blockSide);
                double sum = 0;
                for (int column = firstColumn; column < endColumn; ++column)
                    sum += columnSums[static_cast<std::size_t>(column)];
                const double mean = sum / (static_cast<double>(endRow - firstRow) * (endColumn - firstColumn));
                target[pixelColumn] = colours[static_cast<std::size_t>(indexOf(static_cast<float>(mean)))];
            }
        }
    });
    return image;
}

} // namespace esafh::ui
