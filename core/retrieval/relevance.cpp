#include "retrieval/relevance.h"

#include "common/logging.h"

#include <QString>

#include <algorithm>

namespace esafh::detail {

namespace {

int labelWordCount(const LabelSets &a, const LabelSets &b)
{
    int maximumLabel = 0;
    for (const LabelSets *sets : {&a, &b}) {
        for (const std::vector<int> &labels : *sets) {
            for (int label : labels)
                maximumLabel = std::max(maximumLabel, label);
        }
    }
    return maximumLabel / 64 + 1;
}

std::vector<std::uint64_t> labelMasks(const LabelSets &labels, int words)
{
    std::vector<std::uint64_t> masks(labels.size() * std::size_t(words), 0);
    for (std::size_t i = 0; i < labels.size(); ++i) {
        for (int label : labels[i]) {
            Q_ASSERT(label >= 0);
            masks[i * words + label / 64] |= std::uint64_t(1) << (label % 64);
        }
    }
    return masks;
}

} // namespace

RelevanceTable::RelevanceTable(const LabelSets &queryLabels, const LabelSets &databaseLabels)
    : m_words(labelWordCount(queryLabels, databaseLabels))
    , m_databaseCount(int(databaseLabels.size()))
    , m_queryMasks(labelMasks(queryLabels, m_words))
    , m_databaseMasks(labelMasks(databaseLabels, m_words))
{
}

std::vector<bool> RelevanceTable::relevantTo(int query) const
{
    const std::uint64_t *queryMask = m_queryMasks.data() + std::size_t(query) * m_words;
    std::vector<bool> relevant(std::size_t(m_databaseCount), false);
    for (int item = 0; item < m_databaseCount; ++item) {
        const std::uint64_t *itemMask = m_databaseMasks.data() + std::size_t(item) * m_words;
        for (int w = 0; w < m_words; ++w) {
            if (queryMask[w] & itemMask[w]) {
                relevant[std::size_t(item)] = true;
                break;
            }
        }
    }
    return relevant;
}

bool evaluationInputsMatch(const HashCodes &queries, const HashCodes &database, const LabelSets &queryLabels,
                           const LabelSets &databaseLabels, const char *measure)
{
    if (queries.bits() != database.bits()) {
        qCCritical(lcRetrieval).noquote()
            << QStringLiteral("%1 not computed: query codes have %2 bits but database codes have %3. "
                              "Encode queries and database with the same model.")
                   .arg(QLatin1String(measure))
                   .arg(queries.bits())
                   .arg(database.bits());
        return false;
    }
    if (int(queryLabels.size()) != queries.size() || int(databaseLabels.size()) != database.size()) {
        qCCritical(lcRetrieval).noquote()
            << QStringLiteral("%1 not computed: label sets do not match the codes (%2 query label sets for %3 "
                              "query codes, %4 database label sets for %5 database codes).")
                   .arg(QLatin1String(measure))
                   .arg(queryLabels.size())
                   .arg(queries.size())
                   .arg(databaseLabels.size())
                   .arg(database.size());
        return false;
    }
    return true;
}

} // namespace esafh::detail
