#include "retrieval/metrics.h"

#include "common/logging.h"
#include "retrieval/hamming_search.h"
#include "retrieval/relevance.h"

#include <QElapsedTimer>
#include <QtConcurrent/QtConcurrentMap>

#include <algorithm>
#include <numeric>

namespace esafh {

namespace {

/// mAP of Hamming ranking at each cutoff in `cutoffs` (0 or less: the whole database).
/// Distances and relevance are computed once per query and shared by the cutoffs.
std::vector<double> meanAveragePrecisions(const HashCodes &queries, const HashCodes &database,
                                          const LabelSets &queryLabels, const LabelSets &databaseLabels,
                                          const std::vector<int> &cutoffs, TieRule rule)
{
    std::vector<double> means(cutoffs.size(), 0.0);
    if (!detail::evaluationInputsMatch(queries, database, queryLabels, databaseLabels, "mAP") || queries.isEmpty())
        return means;

    const detail::RelevanceTable relevance(queryLabels, databaseLabels);

    // One row of APs per query. Each query writes only its own row, so the queries can
    // run in parallel without locks.
    const std::size_t cutoffCount = cutoffs.size();
    std::vector<double> averagePrecisions(std::size_t(queries.size()) * cutoffCount, 0.0);
    std::vector<int> queryIndices(queries.size());
    std::iota(queryIndices.begin(), queryIndices.end(), 0);

    QtConcurrent::blockingMap(queryIndices, [&](int query) {
        const std::vector<int> distances = hammingDistances(database, queries.code(query));
        const std::vector<bool> relevant = relevance.relevantTo(query);

        double *row = averagePrecisions.data() + std::size_t(query) * cutoffCount;
        for (std::size_t c = 0; c < cutoffCount; ++c)
            row[c] = averagePrecision(distances, relevant, cutoffs[c], rule);
    });

    // Summing in query order keeps the result independent of thread scheduling.
    for (int query = 0; query < queries.size(); ++query) {
        for (std::size_t c = 0; c < cutoffCount; ++c)
            means[c] += averagePrecisions[std::size_t(query) * cutoffCount + c];
    }
    for (double &mean : means)
        mean /= queries.size();
    return means;
}

} // namespace

QString tieRuleName(TieRule rule)
{
    switch (rule) {
    case TieRule::TieAware:
        return QStringLiteral("tie-aware");
    case TieRule::DatabaseIndex:
        return QStringLiteral("ties by database index");
    }
    return QString();
}

double meanAveragePrecision(const HashCodes &queries, const HashCodes &database, const LabelSets &queryLabels,
                            const LabelSets &databaseLabels, int k, TieRule rule)
{
    return meanAveragePrecisions(queries, database, queryLabels, databaseLabels, {k}, rule).front();
}

RetrievalScores evaluateCrossModal(const HashCodes &queryImageCodes, const HashCodes &queryTextCodes,
                                   const HashCodes &databaseImageCodes, const HashCodes &databaseTextCodes,
                                   const LabelSets &queryLabels, const LabelSets &databaseLabels, int k,
                                   TieRule rule)
{
    QElapsedTimer timer;
    timer.start();
    qCInfo(lcRetrieval).noquote()
        << QStringLiteral("Evaluating %1 queries against %2 database items, %3 bits, K = %4, %5")
               .arg(queryImageCodes.size())
               .arg(databaseTextCodes.size())
               .arg(queryImageCodes.bits())
               .arg(k)
               .arg(tieRuleName(rule));

    RetrievalScores scores;
    scores.k = k;
    scores.tieRule = rule;

    const std::vector<int> cutoffs{0, k};
    const std::vector<double> imageToText =
        meanAveragePrecisions(queryImageCodes, databaseTextCodes, queryLabels, databaseLabels, cutoffs, rule);
    const std::vector<double> textToImage =
        meanAveragePrecisions(queryTextCodes, databaseImageCodes, queryLabels, databaseLabels, cutoffs, rule);
    scores.imageToTextAll = imageToText[0];
    scores.imageToTextAtK = imageToText[1];
    scores.textToImageAll = textToImage[0];
    scores.textToImageAtK = textToImage[1];

    qCInfo(lcRetrieval).noquote()
        << QStringLiteral("Evaluation finished in %1 ms: mAP@all i2t %2, t2i %3; mAP@%4 i2t %5, t2i %6")
               .arg(timer.elapsed())
               .arg(scores.imageToTextAll, 0, 'f', 4)
               .arg(scores.textToImageAll, 0, 'f', 4)
               .arg(k)
               .arg(scores.imageToTextAtK, 0, 'f', 4)
               .arg(scores.textToImageAtK, 0, 'f', 4);
    return scores;
}

} // namespace esafh
