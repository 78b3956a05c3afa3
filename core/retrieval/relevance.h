#pragma once

// Relevance by shared labels and the input checks that every retrieval metric makes,
// shared by metrics.cpp and curves.cpp. Not part of the public API.

#include "retrieval/hash_codes.h"
#include "retrieval/metrics.h"

#include <cstdint>
#include <vector>

namespace esafh::detail {

/// Relevance of database items to queries: an item is relevant to a query when
/// they share at least one label. Labels are kept as bit masks, so that one test is
/// an AND over a few 64-bit words.
class RelevanceTable
{
public:
    RelevanceTable(const LabelSets &queryLabels, const LabelSets &databaseLabels);

    /// Relevance of every database item to the query.
    std::vector<bool> relevantTo(int query) const;

private:
    int m_words = 1;
    int m_databaseCount = 0;
    std::vector<std::uint64_t> m_queryMasks;
    std::vector<std::uint64_t> m_databaseMasks;
};

/// Returns whether the codes and labels belong together: codes of equal length and
/// one label set per code. Logs an error naming `measure` ("mAP", "precision-recall
/// curve") when they do not.
bool evaluationInputsMatch(const HashCodes &queries, const HashCodes &database, const LabelSets &queryLabels,
                           const LabelSets &databaseLabels, const char *measure);

} // namespace esafh::detail
