#include "retrieval/hash_codes.h"

#include <QtGlobal>

#include <algorithm>

namespace esafh {

namespace {

/// Mask of the bits of word `word` that belong to a code of `bits` bits.
std::uint64_t usedBitsMask(int bits, int word)
{
    const int bitsInWord = std::min(64, bits - 64 * word);
    return bitsInWord == 64 ? ~std::uint64_t(0) : (std::uint64_t(1) << bitsInWord) - 1;
}

} // namespace

HashCodes::HashCodes(int bits, int count)
    : m_bits(bits)
    , m_count(count)
{
    Q_ASSERT(bits >= 0 && count >= 0);
    m_words.assign(static_cast<std::size_t>(count) * wordsPerCode(), 0);
}

HashCodes HashCodes::fromRealValued(const float *values, int count, int bits)
{
    HashCodes codes(bits, count);

    // NaN compares false with 0, so a NaN value gives a cleared bit.
    for (int item = 0; item < count; ++item) {
        const float *row = values + static_cast<std::size_t>(item) * bits;
        std::uint64_t *code = codes.code(item);
        for (int b = 0; b < bits; ++b) {
            if (row[b] >= 0.0f)
                code[b / 64] |= std::uint64_t(1) << (b % 64);
        }
    }

    return codes;
}

void HashCodes::setBit(int item, int b, bool value)
{
    Q_ASSERT(item >= 0 && item < m_count && b >= 0 && b < m_bits);
    const std::uint64_t mask = std::uint64_t(1) << (b % 64);
    std::uint64_t &word = code(item)[b / 64];
    word = value ? (word | mask) : (word & ~mask);
}

HashCodes HashCodes::subset(const std::vector<int> &items) const
{
    HashCodes result(m_bits, static_cast<int>(items.size()));
    const int words = wordsPerCode();
    for (std::size_t i = 0; i < items.size(); ++i) {
        Q_ASSERT(items[i] >= 0 && items[i] < m_count);
        std::copy_n(code(items[i]), words, result.code(static_cast<int>(i)));
    }
    return result;
}

int HashCodes::constantBitCount() const
{
    if (m_count == 0)
        return m_bits;

    // A bit is constant when its AND over all codes equals its OR.
    int constantBits = 0;
    const int words = wordsPerCode();
    for (int w = 0; w < words; ++w) {
        std::uint64_t allSet = ~std::uint64_t(0);
        std::uint64_t anySet = 0;
        for (int item = 0; item < m_count; ++item) {
            allSet &= code(item)[w];
            anySet |= code(item)[w];
        }
        constantBits += __builtin_popcountll(~(allSet ^ anySet) & usedBitsMask(m_bits, w));
    }
    return constantBits;
}

int HashCodes::distinctCodeCount() const
{
    if (m_count == 0)
        return 0;

    const int words = wordsPerCode();
    if (words == 1) {
        std::vector<std::uint64_t> sorted = m_words;
        std::sort(sorted.begin(), sorted.end());
        return static_cast<int>(std::unique(sorted.begin(), sorted.end()) - sorted.begin());
    }

    std::vector<int> order(m_count);
    for (int item = 0; item < m_count; ++item)
        order[item] = item;
    const auto codeLess = [&](int a, int b) {
        return std::lexicographical_compare(code(a), code(a) + words, code(b), code(b) + words);
    };
    std::sort(order.begin(), order.end(), codeLess);

    int distinct = 1;
    for (int i = 1; i < m_count; ++i) {
        if (!std::equal(code(order[i - 1]), code(order[i - 1]) + words, code(order[i])))
            ++distinct;
    }
    return distinct;
}

bool HashCodes::operator==(const HashCodes &other) const
{
    return m_bits == other.m_bits && m_count == other.m_count && m_words == other.m_words;
}

int hammingDistance(const std::uint64_t *a, const std::uint64_t *b, int words)
{
    int distance = 0;
    for (int w = 0; w < words; ++w)
        distance += __builtin_popcountll(a[w] ^ b[w]);
    return distance;
}

} // namespace esafh
