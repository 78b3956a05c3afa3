#pragma once

#include "retrieval/hamming_search.h"

#include <QString>

#include <memory>
#include <vector>

namespace esafh {

/// Work done by one HammingIndex::search call, for benchmark reports.
struct HammingSearchStatistics
{
    long long queries = 0;
    long long comparedCodes = 0; ///< Database codes whose full distance was computed, over all queries.
};

/// A database of hash codes searched for the top K codes nearest to each query.
///
/// An exact index returns, for every query, exactly what rankByHamming returns:
/// the K nearest codes by distance, ties by database index. An approximate index
/// returns database codes with their true distances in that same order, but may
/// miss some of the true top K.
class HammingIndex
{
public:
    virtual ~HammingIndex() = default;

    virtual QString name() const = 0;
    virtual bool isExact() const = 0;
    virtual int size() const = 0;
    virtual int bits() const = 0;

    /// The top K of each query code, in query order. topK must be above 0, and the
    /// queries must have the database's code length. Thread-safe for concurrent calls.
    virtual std::vector<std::vector<RankedItem>> search(const HashCodes &queries, int topK,
                                                        HammingSearchStatistics *statistics = nullptr) const = 0;
};

/// The exhaustive index of the product: rankBatchByHamming over all codes.
class ExhaustiveHammingIndex : public HammingIndex
{
public:
    /// threads <= 0 uses QThread::idealThreadCount().
    explicit ExhaustiveHammingIndex(HashCodes codes, int threads = 0);

    QString name() const override;
    bool isExact() const override { return true; }
    int size() const override { return m_codes.size(); }
    int bits() const override { return m_codes.bits(); }
    std::vector<std::vector<RankedItem>> search(const HashCodes &queries, int topK,
                                                HammingSearchStatistics *statistics = nullptr) const override;

private:
    HashCodes m_codes;
    int m_threads = 0;
};

} // namespace esafh
