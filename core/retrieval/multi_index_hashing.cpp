#include "retrieval/multi_index_hashing.h"

#include "retrieval/hamming_scan.h"

#include <algorithm>
#include <atomic>
#include <cmath>

namespace esafh {

namespace {

/// Widest substring: a table has 2^width + 1 bucket offsets, 64 MiB at 24 bits.
constexpr int maxSubstringWidth = 24;

/// A bucket probe costs a few cache misses, while the vector scan reads a 64-bit
/// code in well under 1 ns, so one probe is worth several hundred scanned codes.
/// NOTE: an estimate from esafh-bench on one AVX-512 machine. The scalar kernel
/// scans about 3 times slower, so there probing would pay off sooner.
constexpr long long scannedCodesPerProbe = 512;

std::uint64_t binomial(int n, int k)
{
    if (k < 0 || k > n)
        return 0;
    std::uint64_t result = 1;
    for (int i = 1; i <= k; ++i)
        result = result * static_cast<std::uint64_t>(n - k + i) / static_cast<std::uint64_t>(i);
    return result;
}

/// Calls visit(pattern) for every `width`-bit pattern with exactly `ones` bits set,
/// in increasing order (Gosper's hack).
template<typename Visit>
void forEachPattern(int width, int ones, Visit visit)
{
    if (ones == 0) {
        visit(std::uint64_t(0));
        return;
    }
    const std::uint64_t end = std::uint64_t(1) << width;
    for (std::uint64_t pattern = (std::uint64_t(1) << ones) - 1; pattern < end;) {
        visit(pattern);
        const std::uint64_t lowest = pattern & (~pattern + 1);
        const std::uint64_t ripple = pattern + lowest;
        pattern = ripple | (((pattern ^ ripple) >> 2) / lowest);
    }
}

int chooseSubstringCount(int bits, int size, int requested)
{
    if (bits <= 0)
        return 0;
    int count = requested;
    if (count <= 0) {
        const double log2Size = std::max(1.0, std::log2(std::max(size, 2)));
        count = static_cast<int>(std::lround(bits / log2Size));
    }
    const int fewest = (bits + maxSubstringWidth - 1) / maxSubstringWidth;
    return std::clamp(count, fewest, bits);
}

} // namespace

/// Scratch memory of one searching thread: which items were already compared, and
/// the compared items grouped by distance.
class MultiIndexHashing::QueryState
{
public:
    QueryState(int size, int bits)
        : m_visited((static_cast<std::size_t>(size) + 63) / 64, 0)
        , byDistance(static_cast<std::size_t>(bits) + 1)
    {
    }

    /// Marks the item; returns false when it was marked before.
    bool visit(int item)
    {
        std::uint64_t &word = m_visited[static_cast<std::size_t>(item) / 64];
        const std::uint64_t mask = std::uint64_t(1) << (item % 64);
        if (word & mask)
            return false;
        word |= mask;
        m_touched.push_back(item);
        return true;
    }

    void reset()
    {
        for (int item : m_touched)
            m_visited[static_cast<std::size_t>(item) / 64] = 0;
        m_touched.clear();
        for (std::vector<int> &items : byDistance)
            items.clear();
    }

    long long comparedCodes = 0;

private:
    std::vector<std::uint64_t> m_visited;
    std::vector<int> m_touched;

public:
    std::vector<std::vector<int>> byDistance;
};

MultiIndexHashing::MultiIndexHashing(HashCodes codes, int substrings, int threads)
    : m_codes(std::move(codes))
    , m_threads(threads)
{
    const int bits = m_codes.bits();
    const int count = chooseSubstringCount(bits, m_codes.size(), substrings);
    int firstBit = 0;
    for (int t = 0; t < count; ++t) {
        Table table;
        table.firstBit = firstBit;
        table.width = bits / count + (t < bits % count ? 1 : 0);
        firstBit += table.width;
        m_tables.push_back(std::move(table));
    }

    // A counting sort per table; items enter each bucket in ascending index order.
    runSearchTasks(count, [this](int t) {
        Table &table = m_tables[static_cast<std::size_t>(t)];
        const std::size_t buckets = std::size_t(1) << table.width;
        table.offsets.assign(buckets + 1, 0);
        for (int item = 0; item < m_codes.size(); ++item)
            ++table.offsets[substring(m_codes.code(item), table) + 1];
        for (std::size_t v = 1; v <= buckets; ++v)
            table.offsets[v] += table.offsets[v - 1];

        std::vector<std::uint32_t> next(table.offsets.begin(), table.offsets.end() - 1);
        table.items.resize(static_cast<std::size_t>(m_codes.size()));
        for (int item = 0; item < m_codes.size(); ++item)
            table.items[next[substring(m_codes.code(item), table)]++] = item;
    });
}

QString MultiIndexHashing::name() const
{
    return QStringLiteral("multi-index hashing (%1 tables)").arg(m_tables.size());
}

std::uint32_t MultiIndexHashing::substring(const std::uint64_t *code, const Table &table) const
{
    const int word = table.firstBit / 64;
    const int shift = table.firstBit % 64;
    std::uint64_t value = code[word] >> shift;
    if (shift + table.width > 64)
        value |= code[word + 1] << (64 - shift);
    return static_cast<std::uint32_t>(value & ((std::uint64_t(1) << table.width) - 1));
}

bool MultiIndexHashing::searchOne(const std::uint64_t *query, int topK, QueryState &state,
                                  std::vector<RankedItem> &ranking) const
{
    state.reset();
    const int bits = m_codes.bits();
    const int words = m_codes.wordsPerCode();
    const int tableCount = static_cast<int>(m_tables.size());
    int widest = 0;
    for (const Table &table : m_tables)
        widest = std::max(widest, table.width);

    long long probes = 0;
    int guaranteed = -1; // every code at this distance or less has been compared
    for (int radius = 0; radius <= widest; ++radius) {
        long long radiusProbes = 0;
        for (const Table &table : m_tables)
            radiusProbes += static_cast<long long>(binomial(table.width, radius));
        if ((probes + radiusProbes) * scannedCodesPerProbe > m_codes.size())
            break;
        probes += radiusProbes;

        for (const Table &table : m_tables) {
            if (radius > table.width)
                continue;
            const std::uint32_t key = substring(query, table);
            forEachPattern(table.width, radius, [&](std::uint64_t pattern) {
                const std::uint32_t bucket = key ^ static_cast<std::uint32_t>(pattern);
                for (std::uint32_t slot = table.offsets[bucket]; slot < table.offsets[bucket + 1]; ++slot) {
                    const int item = table.items[slot];
                    if (!state.visit(item))
                        continue;
                    ++state.comparedCodes;
                    state.byDistance[hammingDistance(m_codes.code(item), query, words)].push_back(item);
                }
            });
        }

        // A code missed so far differs in at least radius + 1 bits on every substring.
        guaranteed = std::min(bits, tableCount * (radius + 1) - 1);
        if (radius == widest)
            guaranteed = bits;
        int within = 0;
        for (int d = 0; d <= guaranteed; ++d)
            within += static_cast<int>(state.byDistance[d].size());
        if (within >= topK || within == m_codes.size())
            break;
        guaranteed = -1;
    }

    if (guaranteed < 0)
        return false; // probing further would cost more than a scan

    ranking.clear();
    for (int d = 0; d <= guaranteed && static_cast<int>(ranking.size()) < topK; ++d) {
        std::vector<int> &items = state.byDistance[d];
        std::sort(items.begin(), items.end());
        for (std::size_t i = 0; i < items.size() && static_cast<int>(ranking.size()) < topK; ++i)
            ranking.push_back(RankedItem{items[i], d});
    }
    return true;
}

std::vector<std::vector<RankedItem>> MultiIndexHashing::search(const HashCodes &queries, int topK,
                                                               HammingSearchStatistics *statistics) const
{
    Q_ASSERT(topK > 0);
    Q_ASSERT(queries.bits() == m_codes.bits());
    std::vector<std::vector<RankedItem>> results(static_cast<std::size_t>(queries.size()));
    std::vector<char> answered(static_cast<std::size_t>(queries.size()), 0);
    const int groups = std::min(queries.size(), resolveSearchThreads(m_threads));
    std::atomic<long long> compared{0};

    runSearchTasks(groups, [&](int group) {
        QueryState state(m_codes.size(), m_codes.bits());
        const int first = static_cast<int>(static_cast<long long>(queries.size()) * group / groups);
        const int end = static_cast<int>(static_cast<long long>(queries.size()) * (group + 1) / groups);
        for (int q = first; q < end; ++q)
            answered[static_cast<std::size_t>(q)] = searchOne(queries.code(q), topK, state, results[q]) ? 1 : 0;
        compared += state.comparedCodes;
    });

    // The queries whose neighbours lie too far for probing are scanned together,
    // as rankBatchByHamming reads the database once per block for all of them.
    std::vector<int> scanned;
    for (int q = 0; q < queries.size(); ++q) {
        if (!answered[static_cast<std::size_t>(q)])
            scanned.push_back(q);
    }
    if (!scanned.empty()) {
        std::vector<std::vector<RankedItem>> scanResults =
            rankBatchByHamming(m_codes, queries.subset(scanned), topK, m_threads);
        for (std::size_t i = 0; i < scanned.size(); ++i)
            results[static_cast<std::size_t>(scanned[i])] = std::move(scanResults[i]);
        compared += static_cast<long long>(scanned.size()) * m_codes.size();
    }

    if (statistics) {
        statistics->queries += queries.size();
        statistics->comparedCodes += compared.load();
    }
    return results;
}

} // namespace esafh
