#include "data/dataset_io.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

namespace esafh {

namespace {

// Returns a uniform integer in [0, bound) by rejection sampling on the raw 64-bit
// output. std::uniform_int_distribution is not used because its algorithm, and so
// its output for a given seed, differs between standard libraries.
quint64 uniformBelow(std::mt19937_64 &engine, quint64 bound)
{
    // 2^64 mod bound: raw values below it would make small results more likely.
    const quint64 threshold = (0 - bound) % bound;
    quint64 value = engine();
    while (value < threshold)
        value = engine();
    return value % bound;
}

// Fisher-Yates shuffle of 0..count-1. std::shuffle is not used for the same reason.
std::vector<int> seededPermutation(int count, quint64 seed)
{
    std::vector<int> order(static_cast<size_t>(count));
    std::iota(order.begin(), order.end(), 0);

    std::mt19937_64 engine(seed);
    for (int i = count - 1; i > 0; --i) {
        const auto j = static_cast<int>(uniformBelow(engine, static_cast<quint64>(i) + 1));
        std::swap(order[i], order[j]);
    }
    return order;
}

int queryCountFor(int itemCount, const SplitSettings &settings)
{
    qint64 count = settings.queryCount;
    if (count <= 0) {
        const double fraction = std::isfinite(settings.queryFraction) ? settings.queryFraction : 0.0;
        count = std::llround(std::clamp(fraction, 0.0, 1.0) * itemCount);
    }

    // At least one item stays in the database.
    const qint64 upperBound = std::min<qint64>(settings.maxQueryCount, itemCount - 1);
    return static_cast<int>(std::clamp<qint64>(count, 0, std::max<qint64>(upperBound, 0)));
}

} // namespace

// The database keeps the shuffled order on purpose. Under TieRule::DatabaseIndex,
// items at equal Hamming distance rank by database position, so a database sorted
// by item index, which in a folder tree means grouped by label, would put relevant
// items first among ties and inflate mAP.
DatasetSplit makeRandomSplit(int itemCount, const SplitSettings &settings)
{
    DatasetSplit split;
    split.seed = settings.seed;
    if (itemCount <= 0)
        return split;

    const std::vector<int> order = seededPermutation(itemCount, settings.seed);
    const int queryCount = queryCountFor(itemCount, settings);
    split.query.assign(order.begin(), order.begin() + queryCount);
    split.database.assign(order.begin() + queryCount, order.end());

    const auto trainingCount = std::clamp<qint64>(settings.maxTrainingCount, 0,
                                                  static_cast<qint64>(split.database.size()));
    split.training.assign(split.database.begin(), split.database.begin() + trainingCount);

    // NOTE: The validation set stays empty because SplitSettings has no size for it yet.
    return split;
}

} // namespace esafh
