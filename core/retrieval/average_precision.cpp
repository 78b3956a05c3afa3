// Average precision of one ranking under both tie rules; metrics.h defines the
// quantities computed here.

#include "retrieval/metrics.h"

#include <QtGlobal>

#include <algorithm>

namespace esafh {

namespace {

/// Size and relevant count of one group of items tied at the same distance.
struct TieGroup
{
    int size = 0;
    int relevant = 0;
};

/// Sums over the positions i = 1..n of a tie group that starts after rank c:
/// inverseRanks = sum 1/(c+i) and offsetsOverRanks = sum (i-1)/(c+i).
struct PositionSums
{
    double inverseRanks = 0;
    double offsetsOverRanks = 0;
};

PositionSums positionSums(int rankedBefore, int groupSize)
{
    PositionSums sums;
    for (int i = 1; i <= groupSize; ++i) {
        const double rank = double(rankedBefore) + i;
        sums.inverseRanks += 1.0 / rank;
        sums.offsetsOverRanks += double(i - 1) / rank;
    }
    return sums;
}

/// Expected sum of precision@rank over the `relevant` relevant items of a tie group of
/// `groupSize` items in uniformly random order, with `relevantBefore` relevant items
/// ranked before the group.
///
/// A relevant item at group position i (ranks c+1..c+n) has precision
/// (relevantBefore + 1 + X) / (c+i), where X counts the other relevant group items
/// placed before it. Each position contains a relevant item with probability r/n, and
/// given that, the other r-1 relevant items fill r-1 of the other n-1 positions
/// uniformly, so E[X] = (i-1)(r-1)/(n-1). Summing over i gives
/// (r/n) * ((relevantBefore + 1) * inverseRanks + (r-1)/(n-1) * offsetsOverRanks).
double expectedGroupPrecisionSum(const PositionSums &sums, int relevantBefore, int groupSize, int relevant)
{
    if (relevant == 0)
        return 0.0;

    const double othersBeforeRate = groupSize > 1 ? double(relevant - 1) / (groupSize - 1) : 0.0;
    return double(relevant) / groupSize
        * ((relevantBefore + 1.0) * sums.inverseRanks + othersBeforeRate * sums.offsetsOverRanks);
}

/// Hypergeometric probabilities P(J = j) for j = first..first + size - 1, where J is the
/// number of marked items among `draws` items drawn without replacement from
/// `population` items of which `marked` are marked.
struct Hypergeometric
{
    int first = 0;
    std::vector<double> probabilities;
};

Hypergeometric hypergeometric(int population, int marked, int draws)
{
    Hypergeometric distribution;
    distribution.first = std::max(0, draws - (population - marked));
    const int last = std::min(marked, draws);
    const int first = distribution.first;
    std::vector<double> &weights = distribution.probabilities;
    weights.assign(last - first + 1, 0.0);

    // Start at the mode with weight 1 and walk outwards with the ratio of successive
    // terms. No weight exceeds 1, and far tails underflow to 0, which is harmless.
    const double modeEstimate = (double(draws) + 1) * (double(marked) + 1) / (double(population) + 2);
    const int mode = std::clamp(int(modeEstimate), first, last);
    const double unmarkedLeft = double(population) - marked - draws;
    weights[mode - first] = 1.0;
    for (int j = mode; j < last; ++j) {
        const double ratio = double(marked - j) * (draws - j) / ((j + 1.0) * (unmarkedLeft + j + 1));
        weights[j + 1 - first] = weights[j - first] * ratio;
    }
    for (int j = mode; j > first; --j) {
        const double ratio = double(j) * (unmarkedLeft + j) / ((marked - j + 1.0) * (draws - j + 1));
        weights[j - 1 - first] = weights[j - first] * ratio;
    }

    double total = 0;
    for (double weight : weights)
        total += weight;
    for (double &weight : weights)
        weight /= total;
    return distribution;
}

/// Expected AP@K when a tie group straddles the cutoff with `inTopK` of its items
/// inside the top K. The number J of the group's relevant items inside the top K is
/// hypergeometric, and it alone decides the normalisation relevantBefore + J. Given J,
/// those J items fill a uniformly random J-subset of the group's first inTopK positions,
/// so their expected precision sum is that of a group of inTopK items with J relevant.
/// The groups before are ordered independently, so their expected sum enters as is.
double straddlingGroupExpectation(double precisionSumBefore, int rankedBefore, int relevantBefore,
                                  const TieGroup &group, int inTopK)
{
    const PositionSums sums = positionSums(rankedBefore, inTopK);
    const Hypergeometric distribution = hypergeometric(group.size, group.relevant, inTopK);

    double expectation = 0;
    for (std::size_t offset = 0; offset < distribution.probabilities.size(); ++offset) {
        const int relevantInGroupTop = distribution.first + int(offset);
        const int relevantInTopK = relevantBefore + relevantInGroupTop;
        if (relevantInTopK == 0)
            continue;

        const double groupSum = expectedGroupPrecisionSum(sums, relevantBefore, inTopK, relevantInGroupTop);
        expectation += distribution.probabilities[offset] * (precisionSumBefore + groupSum) / relevantInTopK;
    }
    return expectation;
}

double tieAwareAveragePrecision(const std::vector<TieGroup> &groups, int cutoff)
{
    // Expected sum of precision@rank over the relevant items ranked before the current group.
    double precisionSum = 0;
    int rankedBefore = 0;
    int relevantBefore = 0;

    for (const TieGroup &group : groups) {
        if (rankedBefore >= cutoff)
            break;
        if (group.size == 0)
            continue;

        const int inTopK = std::min(group.size, cutoff - rankedBefore);
        if (inTopK < group.size)
            return straddlingGroupExpectation(precisionSum, rankedBefore, relevantBefore, group, inTopK);

        if (group.relevant > 0) {
            const PositionSums sums = positionSums(rankedBefore, group.size);
            precisionSum += expectedGroupPrecisionSum(sums, relevantBefore, group.size, group.relevant);
        }
        rankedBefore += group.size;
        relevantBefore += group.relevant;
    }

    return relevantBefore == 0 ? 0.0 : precisionSum / relevantBefore;
}

/// AP@K with ties broken by database index. A counting pass replaces the sort: an
/// item's rank is the number of items in lower groups plus its place among the items
/// of its own group seen so far in index order.
double indexOrderAveragePrecision(const std::vector<int> &groupOf, const std::vector<bool> &relevant,
                                  int groupCount, int cutoff)
{
    std::vector<int> lastRank(groupCount + 1, 0);
    std::vector<int> lastRelevantCount(groupCount + 1, 0);
    for (std::size_t i = 0; i < groupOf.size(); ++i) {
        ++lastRank[groupOf[i] + 1];
        if (relevant[i])
            ++lastRelevantCount[groupOf[i] + 1];
    }
    for (int g = 1; g <= groupCount; ++g) {
        lastRank[g] += lastRank[g - 1];
        lastRelevantCount[g] += lastRelevantCount[g - 1];
    }

    double precisionSum = 0;
    int relevantInTopK = 0;
    for (std::size_t i = 0; i < groupOf.size(); ++i) {
        const int g = groupOf[i];
        const int rank = ++lastRank[g];
        if (!relevant[i])
            continue;

        const int relevantUpToRank = ++lastRelevantCount[g];
        if (rank <= cutoff) {
            precisionSum += double(relevantUpToRank) / rank;
            ++relevantInTopK;
        }
    }

    return relevantInTopK == 0 ? 0.0 : precisionSum / relevantInTopK;
}

/// Maps each distance to the index of its tie group, 0..groupCount-1, in ascending
/// order of distance.
std::vector<int> compressDistances(const std::vector<int> &distances, int &groupCount)
{
    std::vector<int> values = distances;
    std::sort(values.begin(), values.end());
    values.erase(std::unique(values.begin(), values.end()), values.end());
    groupCount = int(values.size());

    std::vector<int> groupOf(distances.size());
    for (std::size_t i = 0; i < distances.size(); ++i)
        groupOf[i] = int(std::lower_bound(values.begin(), values.end(), distances[i]) - values.begin());
    return groupOf;
}

} // namespace

double averagePrecision(const std::vector<int> &distances, const std::vector<bool> &relevant, int k,
                        TieRule rule)
{
    Q_ASSERT(distances.size() == relevant.size());
    if (distances.empty())
        return 0.0;

    const int count = int(distances.size());
    const int cutoff = k <= 0 ? count : std::min(k, count);

    // Hamming distances are small non-negative integers and index the tie groups
    // directly. Other values are first compressed to dense group indices.
    const auto [minimum, maximum] = std::minmax_element(distances.begin(), distances.end());
    int groupCount = *maximum + 1;
    std::vector<int> compressed;
    const std::vector<int> *groupOf = &distances;
    if (*minimum < 0 || *maximum > std::max(count, 1024)) {
        compressed = compressDistances(distances, groupCount);
        groupOf = &compressed;
    }

    if (rule == TieRule::DatabaseIndex)
        return indexOrderAveragePrecision(*groupOf, relevant, groupCount, cutoff);

    std::vector<TieGroup> groups(groupCount);
    for (int i = 0; i < count; ++i) {
        TieGroup &group = groups[(*groupOf)[i]];
        ++group.size;
        if (relevant[i])
            ++group.relevant;
    }
    return tieAwareAveragePrecision(groups, cutoff);
}

} // namespace esafh
