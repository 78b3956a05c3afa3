#include "retrieval/faiss_hamming_index.h"

#include "common/logging.h"

#include <algorithm>

#ifdef ESAFH_HAVE_FAISS
#include <faiss/IndexBinaryFlat.h>
#include <faiss/IndexBinaryHash.h>
#include <faiss/impl/FaissException.h>
#include <omp.h>
#endif

namespace esafh {

#ifdef ESAFH_HAVE_FAISS

namespace {

/// Runs a FAISS index over codes padded to whole 64-bit words. HashCodes stores
/// each code as little-endian 64-bit words with unused bits zero, so its words,
/// read as bytes, are FAISS's byte codes.
class FaissHammingIndex : public HammingIndex
{
public:
    FaissHammingIndex(std::unique_ptr<faiss::IndexBinary> index, const HashCodes &codes, QString name, bool exact)
        : m_index(std::move(index))
        , m_name(std::move(name))
        , m_exact(exact)
        , m_size(codes.size())
        , m_bits(codes.bits())
    {
        m_index->add(codes.size(), reinterpret_cast<const std::uint8_t *>(codes.words().data()));
    }

    QString name() const override { return m_name; }
    bool isExact() const override { return m_exact; }
    int size() const override { return m_size; }
    int bits() const override { return m_bits; }

    std::vector<std::vector<RankedItem>> search(const HashCodes &queries, int topK,
                                                HammingSearchStatistics *statistics) const override
    {
        const std::size_t slots = static_cast<std::size_t>(queries.size()) * static_cast<std::size_t>(topK);
        std::vector<std::int32_t> distances(slots);
        std::vector<faiss::IndexBinary::idx_t> labels(slots);
        faiss::indexBinaryHash_stats.reset();
        m_index->search(queries.size(), reinterpret_cast<const std::uint8_t *>(queries.words().data()), topK,
                        distances.data(), labels.data());

        // FAISS marks the slots it could not fill with label -1. IndexBinaryFlat orders
        // ties by index already; IndexBinaryMultiHash does not, so every list is sorted.
        std::vector<std::vector<RankedItem>> results(static_cast<std::size_t>(queries.size()));
        for (int q = 0; q < queries.size(); ++q) {
            std::vector<RankedItem> &ranking = results[static_cast<std::size_t>(q)];
            for (int rank = 0; rank < topK; ++rank) {
                const std::size_t slot = static_cast<std::size_t>(q) * topK + rank;
                if (labels[slot] >= 0)
                    ranking.push_back(RankedItem{static_cast<int>(labels[slot]), distances[slot]});
            }
            std::sort(ranking.begin(), ranking.end(), [](const RankedItem &a, const RankedItem &b) {
                return a.distance != b.distance ? a.distance < b.distance : a.index < b.index;
            });
        }

        if (statistics) {
            statistics->queries += queries.size();
            statistics->comparedCodes += m_exact ? static_cast<long long>(queries.size()) * m_size
                                                 : static_cast<long long>(faiss::indexBinaryHash_stats.ndis);
        }
        return results;
    }

private:
    std::unique_ptr<faiss::IndexBinary> m_index;
    QString m_name;
    bool m_exact;
    int m_size;
    int m_bits;
};

int paddedBits(const HashCodes &codes)
{
    return 64 * codes.wordsPerCode();
}

Result<std::unique_ptr<HammingIndex>> faissFailure(const QString &action, const char *message)
{
    qCWarning(lcRetrieval, "%s failed: %s", qPrintable(action), message);
    return Result<std::unique_ptr<HammingIndex>>::failure(
        QStringLiteral("%1 failed: %2").arg(action, QString::fromUtf8(message)));
}

} // namespace

bool faissAvailable()
{
    return true;
}

Result<std::unique_ptr<HammingIndex>> createFaissFlatIndex(const HashCodes &codes)
{
    try {
        auto index = std::make_unique<faiss::IndexBinaryFlat>(paddedBits(codes));
        return std::unique_ptr<HammingIndex>(
            new FaissHammingIndex(std::move(index), codes, QStringLiteral("FAISS IndexBinaryFlat"), true));
    } catch (const faiss::FaissException &error) {
        return faissFailure(QStringLiteral("Building a FAISS IndexBinaryFlat"), error.what());
    }
}

Result<std::unique_ptr<HammingIndex>> createFaissMultiHashIndex(const HashCodes &codes, int tables, int tableBits,
                                                                int flips)
{
    const QString action = QStringLiteral("Building a FAISS IndexBinaryMultiHash of %1 tables of %2 bits")
                             .arg(tables).arg(tableBits);
    if (tables < 1 || tableBits < 1 || tables * tableBits > paddedBits(codes) || flips < 0) {
        return Result<std::unique_ptr<HammingIndex>>::failure(
            QStringLiteral("Invalid FAISS IndexBinaryMultiHash settings: %1 tables of %2 bits with %3 flips; the "
                           "tables must fit in the %4 bits of a padded code.")
                .arg(tables).arg(tableBits).arg(flips).arg(paddedBits(codes)));
    }
    try {
        auto index = std::make_unique<faiss::IndexBinaryMultiHash>(paddedBits(codes), tables, tableBits);
        index->nflip = flips;
        const QString name = QStringLiteral("FAISS IndexBinaryMultiHash (%1 x %2 bits, %3 flips)")
                                 .arg(tables).arg(tableBits).arg(flips);
        return std::unique_ptr<HammingIndex>(new FaissHammingIndex(std::move(index), codes, name, false));
    } catch (const faiss::FaissException &error) {
        return faissFailure(action, error.what());
    }
}

void setFaissThreads(int threads)
{
    omp_set_num_threads(threads > 0 ? threads : omp_get_num_procs());
}

#else

bool faissAvailable()
{
    return false;
}

Result<std::unique_ptr<HammingIndex>> createFaissFlatIndex(const HashCodes &)
{
    return Result<std::unique_ptr<HammingIndex>>::failure(
        QStringLiteral("This build has no FAISS: install libfaiss-dev and configure again."));
}

Result<std::unique_ptr<HammingIndex>> createFaissMultiHashIndex(const HashCodes &, int, int, int)
{
    return createFaissFlatIndex(HashCodes());
}

void setFaissThreads(int)
{
}

#endif

} // namespace esafh
