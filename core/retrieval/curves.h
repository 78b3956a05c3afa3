#pragma once

// Evaluation curves of Hamming retrieval: precision-recall over the Hamming radius
// and precision at a list of cutoffs K, averaged over queries. Relevance is a
// shared label, as for mAP (metrics.h).

#include "retrieval/hash_codes.h"
#include "retrieval/metrics.h"

#include <vector>

namespace esafh {

/// Precision and recall when every database item within `radius` of the query code
/// is retrieved.
struct PrecisionRecallPoint
{
    int radius = 0;
    /// Mean precision over the queries that retrieve at least one item at this radius;
    /// 0 when no query does.
    double precision = 0;
    /// Mean recall over every query of the curve.
    double recall = 0;
    /// Number of queries that retrieve at least one item at this radius.
    int retrievingQueries = 0;
};

/// A precision-recall curve over Hamming radius 0..bits.
struct PrecisionRecallCurve
{
    /// bits + 1 points in order of radius. At radius `bits` every item is retrieved, so
    /// recall is 1 there whenever the curve has a query.
    std::vector<PrecisionRecallPoint> points;
    /// Queries the curve averages over: those with at least one relevant database item.
    int queryCount = 0;
    /// Queries left out because no database item is relevant to them, which leaves
    /// their recall undefined. mAP, in contrast, counts such queries as 0.
    int skippedQueryCount = 0;
};

/// Precision-recall curve of Hamming-radius retrieval for every query against the
/// database.
///
/// Precision at a radius averages only over the queries that retrieve something,
/// because precision of an empty result is undefined. The pr_curve function common
/// in DCMH-family PyTorch code divides both sums by the number of queries whose
/// precision is above 0 instead, which also drops queries that retrieve only
/// irrelevant items and raises both curves. Ties do not arise, because a radius
/// retrieves all items at equal distance together. Queries run in parallel. Returns
/// an empty curve, and logs an error, when the codes differ in length or the label
/// sets do not match the codes.
PrecisionRecallCurve precisionRecallCurve(const HashCodes &queries, const HashCodes &database,
                                          const LabelSets &queryLabels, const LabelSets &databaseLabels);

/// Precision within the top K of one ranking: the number of relevant items among the
/// first K ranks divided by K. `relevant` and `distances` are per database item, and
/// items rank by ascending distance. K is capped at the database size, and k <= 0
/// ranks the whole database.
///
/// TieRule::DatabaseIndex breaks ties by database index. TieRule::TieAware returns the
/// expected precision when every group of items at equal distance is in uniformly
/// random order. A group of g items, r of them relevant, that straddles rank K with m
/// of its items inside the top K then contributes m * r / g relevant items.
double precisionAtK(const std::vector<int> &distances, const std::vector<bool> &relevant, int k, TieRule rule);

/// Mean precision@K over queries at one cutoff.
struct PrecisionAtKPoint
{
    int k = 0; ///< The cutoff as requested; precisionAtK() caps it at the database size.
    double precision = 0;
};

/// Mean precision@K of Hamming ranking for every query against the database, at each
/// cutoff in `cutoffs`, as precisionAtK() defines it. Every query counts, and a query
/// with no relevant item contributes 0, as in meanAveragePrecision(). Returns an empty
/// curve, and logs an error, when the codes and labels do not match, and all-zero
/// precisions for an empty query set.
std::vector<PrecisionAtKPoint> precisionAtKCurve(const HashCodes &queries, const HashCodes &database,
                                                 const LabelSets &queryLabels, const LabelSets &databaseLabels,
                                                 const std::vector<int> &cutoffs, TieRule rule = TieRule::TieAware);

/// Both curves in both cross-modal directions.
struct CrossModalCurves
{
    TieRule tieRule = TieRule::TieAware; ///< The rule of the precision@K curves.
    PrecisionRecallCurve imageToTextPrecisionRecall;
    PrecisionRecallCurve textToImagePrecisionRecall;
    std::vector<PrecisionAtKPoint> imageToTextPrecisionAtK;
    std::vector<PrecisionAtKPoint> textToImagePrecisionAtK;
};

/// Evaluates image queries against database text codes (i2t) and text queries against
/// database image codes (t2i), as evaluateCrossModal() does for mAP.
CrossModalCurves evaluateCrossModalCurves(const HashCodes &queryImageCodes, const HashCodes &queryTextCodes,
                                          const HashCodes &databaseImageCodes, const HashCodes &databaseTextCodes,
                                          const LabelSets &queryLabels, const LabelSets &databaseLabels,
                                          const std::vector<int> &cutoffs, TieRule rule = TieRule::TieAware);

} // namespace esafh
