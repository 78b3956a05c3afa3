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

    return split;
}

namespace {

// Takes up to perLabel items of `candidates` (in their order) for each label, skipping
// items already taken and items in `excluded`, and stops at `limit` items.
std::vector<int> sampleByLabel(const std::vector<int> &candidates, const std::vector<std::vector<int>> &itemLabels,
                               int labelCount, int perLabel, qint64 limit)
{
    std::vector<int> taken;
    std::vector<bool> isTaken(itemLabels.size(), false);
    for (int label = 0; label < labelCount && static_cast<qint64>(taken.size()) < limit; ++label) {
        int count = 0;
        for (int item : candidates) {
            if (count >= perLabel || static_cast<qint64>(taken.size()) >= limit)
                break;
            const std::vector<int> &labels = itemLabels[item];
            if (isTaken[item] || !std::binary_search(labels.begin(), labels.end(), label))
                continue;
            isTaken[item] = true;
            taken.push_back(item);
            ++count;
        }
    }
    return taken;
}

} // namespace

DatasetSplit makePerLabelSplit(const std::vector<std::vector<int>> &itemLabels, int labelCount,
                               const SplitSettings &settings)
{
    DatasetSplit split;
    split.seed = settings.seed;
    const int itemCount = static_cast<int>(itemLabels.size());
    if (itemCount <= 0)
        return split;

    std::vector<std::vector<int>> sortedLabels = itemLabels;
    for (std::vector<int> &labels : sortedLabels)
        std::sort(labels.begin(), labels.end());

    const std::vector<int> order = seededPermutation(itemCount, settings.seed);
    split.query = sampleByLabel(order, sortedLabels, labelCount, std::max(settings.queriesPerLabel, 0), itemCount - 1);

    std::vector<bool> isQuery(static_cast<size_t>(itemCount), false);
    for (int item : split.query)
        isQuery[item] = true;
    for (int item : order) {
        if (!isQuery[item])
            split.database.push_back(item);
    }

    split.training = sampleByLabel(split.database, sortedLabels, labelCount, std::max(settings.trainingPerLabel, 0),
                                   std::max(settings.maxTrainingCount, 0));
    return split;
}

DatasetSplit drawSplit(const Dataset &dataset, const SplitSettings &settings)
{
    std::vector<int> all(static_cast<size_t>(dataset.size()));
    std::iota(all.begin(), all.end(), 0);

    DatasetSplit split = settings.mode == SplitMode::PerLabel
                             ? makePerLabelSplit(dataset.labelsOf(all), static_cast<int>(dataset.labelNames.size()), settings)
                             : makeRandomSplit(dataset.size(), settings);
    drawValidationSet(&split, settings.validationCount, settings.seed);
    return split;
}

int drawValidationSet(DatasetSplit *split, int count, quint64 seed)
{
    split->validation.clear();
    if (count <= 0 || split->database.empty())
        return 0;

    std::vector<int> sortedTraining = split->training;
    std::sort(sortedTraining.begin(), sortedTraining.end());
    auto inTraining = [&sortedTraining](int item) {
        return std::binary_search(sortedTraining.begin(), sortedTraining.end(), item);
    };

    // A seed apart from the split's own, so that the validation items do not follow
    // the order in which the split took its queries.
    const std::vector<int> order = seededPermutation(static_cast<int>(split->database.size()), seed ^ 0x76616c6964ULL);
    std::vector<int> outsideTraining;
    std::vector<int> insideTraining;
    for (int position : order) {
        const int item = split->database[position];
        (inTraining(item) ? insideTraining : outsideTraining).push_back(item);
    }

    for (int item : outsideTraining) {
        if (static_cast<int>(split->validation.size()) >= count)
            break;
        split->validation.push_back(item);
    }

    const std::size_t trainingToKeep = 1;
    std::vector<int> removed;
    for (int item : insideTraining) {
        if (static_cast<int>(split->validation.size()) >= count || split->training.size() - removed.size() <= trainingToKeep)
            break;
        split->validation.push_back(item);
        removed.push_back(item);
    }
    if (!removed.empty()) {
        std::sort(removed.begin(), removed.end());
        split->training.erase(std::remove_if(split->training.begin(), split->training.end(),
                                             [&removed](int item) { return std::binary_search(removed.begin(), removed.end(), item); }),
                              split->training.end());
    }
    return static_cast<int>(split->validation.size());
}

QString splitModeName(SplitMode mode)
{
    return mode == SplitMode::PerLabel ? QStringLiteral("per-label") : QStringLiteral("random");
}

bool parseSplitMode(const QString &name, SplitMode *mode)
{
    if (name == QStringLiteral("random"))
        *mode = SplitMode::Random;
    else if (name == QStringLiteral("per-label"))
        *mode = SplitMode::PerLabel;
    else
        return false;
    return true;
}

} // namespace esafh
