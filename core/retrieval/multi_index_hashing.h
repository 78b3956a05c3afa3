#pragma once

#include "retrieval/hamming_index.h"

#include <cstdint>
#include <vector>

namespace esafh {

/// Exact top-K search by multi-index hashing (Norouzi, Punjani and Fleet, "Fast
/// Search in Hamming Space with Multi-Index Hashing", CVPR 2012).
///
/// Each code is cut into m disjoint substrings, and table t lists the items by the
/// value of their substring t. Two codes within distance m (s + 1) - 1 agree within
/// s bits on at least one substring, so probing every table at substring radius
/// 0, 1, ..., s finds every code within that distance. The search widens s until K
/// codes lie within the guaranteed distance, then ranks them by (distance, index):
/// the result equals exhaustive search. When the next radius would probe more
/// buckets than a scan would read codes, the query joins a batch scan of the whole
/// database instead, so a query never costs much more than a scan.
///
/// The index is fast when the K-th nearest code is close to the query, as with
/// trained codes of similar items. On uniformly random codes the radius grows until
/// a scan is cheaper.
class MultiIndexHashing : public HammingIndex
{
public:
    /// Splits codes into `substrings` tables. 0 chooses about bits / log2(size)
    /// tables, as Norouzi et al. recommend, with at most 24 bits per substring.
    explicit MultiIndexHashing(HashCodes codes, int substrings = 0, int threads = 0);

    QString name() const override;
    bool isExact() const override { return true; }
    int size() const override { return m_codes.size(); }
    int bits() const override { return m_codes.bits(); }
    int substringCount() const { return static_cast<int>(m_tables.size()); }

    std::vector<std::vector<RankedItem>> search(const HashCodes &queries, int topK,
                                                HammingSearchStatistics *statistics = nullptr) const override;

private:
    /// One substring's table: the items of bucket v are items[offsets[v] .. offsets[v + 1]).
    struct Table
    {
        int firstBit = 0;
        int width = 0;
        std::vector<std::uint32_t> offsets;
        std::vector<std::int32_t> items; ///< In ascending index order within each bucket.
    };

    class QueryState;

    /// Probes the tables for one query; returns false, leaving `ranking` unspecified,
    /// when the next radius would cost more than a scan.
    bool searchOne(const std::uint64_t *query, int topK, QueryState &state, std::vector<RankedItem> &ranking) const;
    std::uint32_t substring(const std::uint64_t *code, const Table &table) const;

    HashCodes m_codes;
    std::vector<Table> m_tables;
    int m_threads = 0;
};

} // namespace esafh
