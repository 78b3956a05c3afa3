#pragma once

// Slow, obviously correct versions of the retrieval computations, and generators of
// random test data, shared by the retrieval tests.

#include "retrieval/hash_codes.h"
#include "retrieval/metrics.h"

#include <QRandomGenerator>
#include <QString>
#include <QStringList>

#include <algorithm>
#include <numeric>
#include <vector>

namespace esafh::test {

/// Codes written as strings of '0' and '1', character b giving bit b.
inline HashCodes codesFromStrings(const QStringList &codes, int bits)
{
    HashCodes result(bits, int(codes.size()));
    for (int item = 0; item < int(codes.size()); ++item) {
        for (int b = 0; b < bits; ++b)
            result.setBit(item, b, codes[item].at(b) == QLatin1Char('1'));
    }
    return result;
}

/// Uniformly random codes. The unused high bits of the last word stay zero.
inline HashCodes randomCodes(QRandomGenerator &random, int bits, int count)
{
    HashCodes codes(bits, count);
    for (int item = 0; item < count; ++item) {
        for (int b = 0; b < bits; ++b)
            codes.setBit(item, b, random.bounded(2) == 1);
    }
    return codes;
}

/// Hamming distance counted one bit at a time.
inline int bitByBitDistance(const HashCodes &a, int itemA, const HashCodes &b, int itemB)
{
    int distance = 0;
    for (int bit = 0; bit < a.bits(); ++bit)
        distance += a.bit(itemA, bit) != b.bit(itemB, bit) ? 1 : 0;
    return distance;
}

/// Database indices ordered by distance, ties by index, with std::stable_sort.
inline std::vector<int> stableSortOrder(const std::vector<int> &distances)
{
    std::vector<int> order(distances.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](int a, int b) { return distances[a] < distances[b]; });
    return order;
}

/// AP@K of a fixed ranking: the mean of precision@rank over the relevant items among
/// the first K ranks (k <= 0: all ranks), 0 when there are none.
inline double fixedOrderAveragePrecision(const std::vector<int> &order, const std::vector<bool> &relevant, int k)
{
    const int cutoff = k <= 0 ? int(order.size()) : std::min<int>(k, int(order.size()));
    double precisionSum = 0;
    int relevantSeen = 0;
    for (int rank = 1; rank <= cutoff; ++rank) {
        if (relevant[order[rank - 1]]) {
            ++relevantSeen;
            precisionSum += double(relevantSeen) / rank;
        }
    }
    return relevantSeen == 0 ? 0.0 : precisionSum / relevantSeen;
}

/// Tie-aware AP@K by brute force: the mean of fixed-order AP@K over every order that
/// sorts the distances, which are exactly the orders of the tie groups, all equally
/// likely. Only for a handful of items (7 items: 5040 permutations).
inline double permutationAveragePrecision(const std::vector<int> &distances, const std::vector<bool> &relevant, int k)
{
    std::vector<int> order(distances.size());
    std::iota(order.begin(), order.end(), 0);

    double apSum = 0;
    int validOrders = 0;
    do {
        const bool sorted = std::is_sorted(order.begin(), order.end(),
                                           [&](int a, int b) { return distances[a] < distances[b]; });
        if (!sorted)
            continue;
        apSum += fixedOrderAveragePrecision(order, relevant, k);
        ++validOrders;
    } while (std::next_permutation(order.begin(), order.end()));

    return apSum / validOrders;
}

/// True when the two items share at least one label, by a double loop.
inline bool shareLabelSlow(const std::vector<int> &a, const std::vector<int> &b)
{
    for (int labelA : a) {
        for (int labelB : b) {
            if (labelA == labelB)
                return true;
        }
    }
    return false;
}

} // namespace esafh::test
