#include "retrieval/curves.h"

#include "common/logging.h"
#include "retrieval/hamming_search.h"
#include "retrieval/relevance.h"

#include <QElapsedTimer>
#include <QtConcurrent/QtConcurrentMap>

#include <algorithm>
#include <numeric>

namespace esafh {

namespace {

/// Numbers of items and of relevant items at each distance 0..maximum distance.
struct DistanceHistogram
{
    std::vector<int> items;
    std::vector<int> relevant;
};

DistanceHistogram histogram(const std::vector<int> &distances, const std::vector<bool> &relevant, int groupCount)
{
    DistanceHistogram counts{std::vector<int>(std::size_t(groupCount), 0), std::vector<int>(std::size_t(groupCount), 0)};
    for (std::size_t i = 0; i < distances.size(); ++i) {
        ++counts.items[std::size_t(distances[i])];
        if (relevant[i])
            ++counts.relevant[std::size_t(distances[i])];
    }
    return counts;
}

/// Relevant items among the first K with distances already grouped: every group below
/// the one that straddles rank K counts whole, and the straddling group contributes
/// by `rule`.
double relevantInTopK(const std::vector<int> &distances, const std::vector<bool> &relevant,
                      const DistanceHistogram &counts, int cutoff, TieRule rule)
{
    int rankedBefore = 0;
    int relevantBefore = 0;
    for (std::size_t group = 0; group < counts.items.size(); ++group) {
        const int size = counts.items[group];
        if (rankedBefore + size < cutoff) {
            rankedBefore += size;
            relevantBefore += counts.relevant[group];
            continue;
        }

        const int inTopK = cutoff - rankedBefore;
        if (inTopK <= 0)
            return relevantBefore;
        if (rule == TieRule::TieAware)
            return relevantBefore + double(inTopK) * counts.relevant[group] / size;

        // Ties by database index: the group's first inTopK items in index order.
        int groupItemsSeen = 0;
        int groupRelevantSeen = 0;
        for (std::size_t i = 0; i < distances.size() && groupItemsSeen < inTopK; ++i) {
            if (distances[i] != int(group))
                continue;
            ++groupItemsSeen;
            if (relevant[i])
                ++groupRelevantSeen;
        }
        return relevantBefore + groupRelevantSeen;
    }
    return relevantBefore;
}

/// Per query, the precision and recall at each radius, or nothing for a query
/// without relevant items.
struct QueryPrecisionRecall
{
    bool counted = false;
    std::vector<double> precision; ///< Negative where the radius retrieves nothing.
    std::vector<double> recall;
};

QueryPrecisionRecall queryPrecisionRecall(const std::vector<int> &distances, const std::vector<bool> &relevant,
                                          int bits)
{
    QueryPrecisionRecall result;
    const DistanceHistogram counts = histogram(distances, relevant, bits + 1);
    const int relevantTotal = std::accumulate(counts.relevant.begin(), counts.relevant.end(), 0);
    if (relevantTotal == 0)
        return result;

    result.counted = true;
    int retrieved = 0;
    int relevantRetrieved = 0;
    for (int radius = 0; radius <= bits; ++radius) {
        retrieved += counts.items[std::size_t(radius)];
        relevantRetrieved += counts.relevant[std::size_t(radius)];
        result.precision.push_back(retrieved == 0 ? -1.0 : double(relevantRetrieved) / retrieved);
        result.recall.push_back(double(relevantRetrieved) / relevantTotal);
    }
    return result;
}

std::vector<int> queryOrder(int count)
{
    std::vector<int> indices(static_cast<std::size_t>(count));
    std::iota(indices.begin(), indices.end(), 0);
    return indices;
}

} // namespace

double precisionAtK(const std::vector<int> &distances, const std::vector<bool> &relevant, int k, TieRule rule)
{
    Q_ASSERT(distances.size() == relevant.size());
    if (distances.empty())
        return 0.0;

    const int count = int(distances.size());
    const int cutoff = k <= 0 ? count : std::min(k, count);

    // Distances index the groups directly when they are small and non-negative, as
    // Hamming distances are. Others are replaced by their rank among the distinct values.
    const auto [minimum, maximum] = std::minmax_element(distances.begin(), distances.end());
    if (*minimum < 0 || *maximum > std::max(count, 1024)) {
        std::vector<int> values = distances;
        std::sort(values.begin(), values.end());
        values.erase(std::unique(values.begin(), values.end()), values.end());
        std::vector<int> grouped(distances.size());
        for (std::size_t i = 0; i < distances.size(); ++i)
            grouped[i] = int(std::lower_bound(values.begin(), values.end(), distances[i]) - values.begin());
        return precisionAtK(grouped, relevant, k, rule);
    }

    const DistanceHistogram counts = histogram(distances, relevant, *maximum + 1);
    return relevantInTopK(distances, relevant, counts, cutoff, rule) / cutoff;
}

PrecisionRecallCurve precisionRecallCurve(const HashCodes &queries, const HashCodes &database,
                                          const LabelSets &queryLabels, const LabelSets &databaseLabels)
{
    PrecisionRecallCurve curve;
    if (!detail::evaluationInputsMatch(queries, database, queryLabels, databaseLabels, "Precision-recall curve"))
        return curve;

    const int bits = database.bits();
    const detail::RelevanceTable relevance(queryLabels, databaseLabels);
    std::vector<QueryPrecisionRecall> perQuery(std::size_t(queries.size()));
    const std::vector<int> indices = queryOrder(queries.size());
    QtConcurrent::blockingMap(indices, [&](int query) {
        perQuery[std::size_t(query)] =
            queryPrecisionRecall(hammingDistances(database, queries.code(query)), relevance.relevantTo(query), bits);
    });

    // Summing in query order keeps the result independent of thread scheduling.
    curve.points.resize(std::size_t(bits + 1));
    for (int radius = 0; radius <= bits; ++radius)
        curve.points[std::size_t(radius)].radius = radius;
    for (const QueryPrecisionRecall &query : perQuery) {
        if (!query.counted) {
            ++curve.skippedQueryCount;
            continue;
        }
        ++curve.queryCount;
        for (std::size_t radius = 0; radius < curve.points.size(); ++radius) {
            PrecisionRecallPoint &point = curve.points[radius];
            point.recall += query.recall[radius];
            if (query.precision[radius] >= 0) {
                point.precision += query.precision[radius];
                ++point.retrievingQueries;
            }
        }
    }
    for (PrecisionRecallPoint &point : curve.points) {
        if (point.retrievingQueries > 0)
            point.precision /= point.retrievingQueries;
        if (curve.queryCount > 0)
            point.recall /= curve.queryCount;
    }
    return curve;
}

std::vector<PrecisionAtKPoint> precisionAtKCurve(const HashCodes &queries, const HashCodes &database,
                                                 const LabelSets &queryLabels, const LabelSets &databaseLabels,
                                                 const std::vector<int> &cutoffs, TieRule rule)
{
    if (!detail::evaluationInputsMatch(queries, database, queryLabels, databaseLabels, "Precision@K curve"))
        return {};

    std::vector<PrecisionAtKPoint> curve;
    for (int k : cutoffs)
        curve.push_back({k, 0.0});
    if (queries.isEmpty() || database.isEmpty())
        return curve;

    // One row of precisions per query, written by that query only.
    const detail::RelevanceTable relevance(queryLabels, databaseLabels);
    const std::size_t cutoffCount = cutoffs.size();
    std::vector<double> precisions(std::size_t(queries.size()) * cutoffCount, 0.0);
    const std::vector<int> indices = queryOrder(queries.size());
    QtConcurrent::blockingMap(indices, [&](int query) {
        const std::vector<int> distances = hammingDistances(database, queries.code(query));
        const std::vector<bool> relevant = relevance.relevantTo(query);
        const DistanceHistogram counts = histogram(distances, relevant, database.bits() + 1);
        const int count = database.size();
        for (std::size_t c = 0; c < cutoffCount; ++c) {
            const int cutoff = cutoffs[c] <= 0 ? count : std::min(cutoffs[c], count);
            precisions[std::size_t(query) * cutoffCount + c] =
                relevantInTopK(distances, relevant, counts, cutoff, rule) / cutoff;
        }
    });

    for (int query = 0; query < queries.size(); ++query) {
        for (std::size_t c = 0; c < cutoffCount; ++c)
            curve[c].precision += precisions[std::size_t(query) * cutoffCount + c];
    }
    for (PrecisionAtKPoint &point : curve)
        point.precision /= queries.size();
    return curve;
}

CrossModalCurves evaluateCrossModalCurves(const HashCodes &queryImageCodes, const HashCodes &queryTextCodes,
                                          const HashCodes &databaseImageCodes, const HashCodes &databaseTextCodes,
                                          const LabelSets &queryLabels, const LabelSets &databaseLabels,
                                          const std::vector<int> &cutoffs, TieRule rule)
{
    QElapsedTimer timer;
    timer.start();
    qCInfo(lcRetrieval).noquote() << QStringLiteral("Computing precision-recall and precision@K curves for %1 queries "
                                                    "against %2 database items, %3 bits, %4")
                                         .arg(queryImageCodes.size())
                                         .arg(databaseTextCodes.size())
                                         .arg(queryImageCodes.bits())
                                         .arg(tieRuleName(rule));

    CrossModalCurves curves;
    curves.tieRule = rule;
    curves.imageToTextPrecisionRecall =
        precisionRecallCurve(queryImageCodes, databaseTextCodes, queryLabels, databaseLabels);
    curves.textToImagePrecisionRecall =
        precisionRecallCurve(queryTextCodes, databaseImageCodes, queryLabels, databaseLabels);
    curves.imageToTextPrecisionAtK =
        precisionAtKCurve(queryImageCodes, databaseTextCodes, queryLabels, databaseLabels, cutoffs, rule);
    curves.textToImagePrecisionAtK =
        precisionAtKCurve(queryTextCodes, databaseImageCodes, queryLabels, databaseLabels, cutoffs, rule);

    qCInfo(lcRetrieval).noquote() << "Curves computed in" << timer.elapsed() << "ms";
    return curves;
}

} // namespace esafh
