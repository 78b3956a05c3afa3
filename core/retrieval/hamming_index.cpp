#include "retrieval/hamming_index.h"

namespace esafh {

ExhaustiveHammingIndex::ExhaustiveHammingIndex(HashCodes codes, int threads)
    : m_codes(std::move(codes))
    , m_threads(threads)
{
}

QString ExhaustiveHammingIndex::name() const
{
    return QStringLiteral("exhaustive");
}

std::vector<std::vector<RankedItem>> ExhaustiveHammingIndex::search(const HashCodes &queries, int topK,
                                                                    HammingSearchStatistics *statistics) const
{
    if (statistics) {
        statistics->queries += queries.size();
        statistics->comparedCodes += static_cast<long long>(queries.size()) * m_codes.size();
    }
    return rankBatchByHamming(m_codes, queries, topK, m_threads);
}

} // namespace esafh
