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

QString tieRuleName(TieRule rule);

/// Labels of several items: each item's sorted label indices. Two items are
/// relevant to each other when they share at least one label.
using LabelSets = std::vector<std::vector<int>>;

/// Average precision of one ranking. `relevant` and `distances` are per database
/// item; k <= 0 means over the whole database (mAP@all), else over the top k,
/// normalised by the number of relevant items inside the top k (DJSRH family).
/// A query with no relevant item in range contributes 0.
double averagePrecision(const std::vector<int> &distances, const std::vector<bool> &relevant,
                        int k, TieRule rule);

/// Mean average precision of Hamming ranking for every query against the database.
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
/// against database image codes (t2i).
RetrievalScores evaluateCrossModal(const HashCodes &queryImageCodes, const HashCodes &queryTextCodes,
                                   const HashCodes &databaseImageCodes, const HashCodes &databaseTextCodes,
                                   const LabelSets &queryLabels, const LabelSets &databaseLabels,
                                   int k = 50, TieRule rule = TieRule::TieAware);

} // namespace esafh
