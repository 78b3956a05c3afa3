#pragma once

#include <cstdint>
#include <vector>

namespace esafh {

/// Binary hash codes of several items, packed as bits: bit b of item i is set when
/// the real-valued code is >= 0 (sign +1). Each code takes wordsPerCode() 64-bit
/// words; unused high bits of the last word are zero.
class HashCodes
{
public:
    HashCodes() = default;
    explicit HashCodes(int bits, int count = 0);

    /// Packs real-valued codes, one row of `bits` values per item, row-major. A value
    /// >= 0 sets its bit, and a negative or NaN value leaves it cleared.
    static HashCodes fromRealValued(const float *values, int count, int bits);

    int bits() const { return m_bits; }
    int size() const { return m_count; }
    bool isEmpty() const { return m_count == 0; }
    int wordsPerCode() const { return (m_bits + 63) / 64; }

    const std::uint64_t *code(int item) const { return m_words.data() + static_cast<std::size_t>(item) * wordsPerCode(); }
    std::uint64_t *code(int item) { return m_words.data() + static_cast<std::size_t>(item) * wordsPerCode(); }
    bool bit(int item, int b) const { return (code(item)[b / 64] >> (b % 64)) & 1u; }
    void setBit(int item, int b, bool value);

    /// Codes of the given items, in that order.
    HashCodes subset(const std::vector<int> &items) const;

    const std::vector<std::uint64_t> &words() const { return m_words; }
    std::vector<std::uint64_t> &words() { return m_words; }

    /// Number of bits that take the same value in every code. With no codes, every
    /// bit counts as constant and the result is bits().
    int constantBitCount() const;
    /// Number of distinct codes.
    int distinctCodeCount() const;

    bool operator==(const HashCodes &other) const;
    bool operator!=(const HashCodes &other) const { return !(*this == other); }

private:
    int m_bits = 0;
    int m_count = 0;
    std::vector<std::uint64_t> m_words;
};

/// Number of differing bits between two codes of `words` 64-bit words.
int hammingDistance(const std::uint64_t *a, const std::uint64_t *b, int words);

} // namespace esafh
