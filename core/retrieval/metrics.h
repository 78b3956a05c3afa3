#pragma once

#include "retrieval/hash_codes.h"

#include <QString>

#include <vector>

namespace esafh {

/// How items at equal Hamming distance are ordered when computing average precision.
enum class TieRule
{
    /// Expected AP over all orders of each group of tied items (McSherry and
    /// Najork, "Computing Information Retrieval Performance Measures Efficiently in
    /// the Presence of Tied Scores", ECIR 2008). The default.
    TieAware,
    /// Ties broken by database index, as numpy's argsort does in the anchors' code.
    DatabaseIndex,
};

/// Name of the tie rule for tables and logs: "tie-aware" or "ties by database index".
QString tieRuleName(TieRule rule);

/// Labels of several items: each item's sorted label indices. Two items are
/// relevant to each other when they share at least one label.
using LabelSets = std::vector<std::vector<int>>;

/// Average precision of one ranking. `relevant` and `distances` are per database
/// item, and the ranking orders items by ascending distance.
///
/// With a fixed order (TieRule::DatabaseIndex: by distance, then by index), AP@K is
/// (1/R_K) * sum over the relevant items ranked inside the top K of precision at
/// their rank, where R_K is the number of relevant items inside the top K (DJSRH
/// family). k <= 0, or k at least the database size, gives AP@all: the mean over all
/// relevant items of precision at their rank. AP is 0 when R_K is 0, so a query with
/// no relevant item in the database or in the top K contributes 0 to a mean.
///
/// TieRule::TieAware returns the expected value of that AP when every group of items
/// at equal distance is put in uniformly random order, independently of the other
/// groups. For AP@all this is McSherry and Najork's closed form. When a tie group
/// straddles rank K, R_K is itself random, and the result is the exact expectation of
/// the ratio: the number of the group's relevant items that land inside the top K is
/// hypergeometric, and each of its values is weighted by its probability.
///
/// Any int distances are accepted. Hamming distances are used directly as tie-group
/// indices, and other values (negative, or larger than the database size and 1024)
/// are sorted into groups first. Runs in O(n) for Hamming distances.
double averagePrecision(const std::vector<int> &distances, const std::vector<bool> &relevant,
                        int k, TieRule rule);

/// Mean average precision of Hamming ranking for every query against the database,
/// with relevance from shared labels and AP as averagePrecision() defines it. Every
/// query counts, and a query with no relevant database item contributes 0; some
/// anchor code skips such queries instead, which raises its mean. Queries run in
/// parallel on QThreadPool::globalInstance(). Returns 0, and logs an error, when the
/// query and database codes differ in length or the label sets do not match the codes
/// in number; it also returns 0 for an empty query set.
double meanAveragePrecision(const HashCodes &queries, const HashCodes &database,
                            const LabelSets &queryLabels, const LabelSets &databaseLabels,
                            int k = 0, TieRule rule = TieRule::TieAware);

/// mAP of both cross-modal directions under both protocols (@all and @K).
struct RetrievalScores
{
    int k = 50;
    TieRule tieRule = TieRule::TieAware;
    double imageToTextAll = 0;
    double textToImageAll = 0;
    double imageToTextAtK = 0;
    double textToImageAtK = 0;
};

/// Evaluates image queries against database text codes (i2t) and text queries
/// against database image codes (t2i), each at all and at K, as
/// meanAveragePrecision() does. k <= 0 makes the @K scores equal the @all scores.
RetrievalScores evaluateCrossModal(const HashCodes &queryImageCodes, const HashCodes &queryTextCodes,
                                   const HashCodes &databaseImageCodes, const HashCodes &databaseTextCodes,
                                   const LabelSets &queryLabels, const LabelSets &databaseLabels,
                                   int k = 50, TieRule rule = TieRule::TieAware);

} // namespace esafh
