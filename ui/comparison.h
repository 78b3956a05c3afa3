#pragma once

#include "common/result.h"
#include "method/esafh_settings.h"

#include <QList>
#include <QPointF>
#include <QString>
#include <QStringList>

#include <limits>

namespace esafh::ui {

/// The two cross-modal directions, in the order of tables and curves.
enum class Direction
{
    ImageToText = 0,
    TextToImage = 1,
};

/// Short name of a direction as the comparison files write it: "i2t" or "t2i".
QString directionKey(Direction direction);

/// A score over seeds; std is 0 for a single run and NaN when unknown.
struct MeanStd
{
    double mean = std::numeric_limits<double>::quiet_NaN();
    double std = std::numeric_limits<double>::quiet_NaN();
};

/// The protocol that the scores of a comparison were computed under.
struct ComparisonProtocol
{
    QString ranking = QStringLiteral("Hamming distance");
    QString ties;          ///< "tie-aware" or "database index".
    QString relevance = QStringLiteral("shares a label");
    int k = 0;             ///< Cutoff of mAP@K.
    QString split;         ///< "random" or "per-label"; empty when unknown.
    int queries = 0;
    int database = 0;
    int training = 0;
    int validation = 0;
};

/// One row of a comparison: a method, variant and code length, with mAP@all and
/// mAP@K per direction as mean and standard deviation over seeds.
struct ComparisonRow
{
    QString method;
    QString variant;  ///< Empty for the method's defaults, else the changed setting as "name=value".
    int bits = 0;
    int seeds = 0;
    MeanStd mapAll[2];  ///< Indexed by Direction.
    MeanStd mapAtK[2];
    QStringList runs;   ///< Run records behind the row, relative to the comparison folder.
};

/// Precision-recall and precision@K curves of one trained run in both directions.
struct RunCurves
{
    QString id;      ///< Unique among the runs shown: the source, with the run's name for a comparison.
    QString method;
    QString variant;
    int bits = 0;
    int seed = 0;
    QString source;  ///< Where the run comes from, shown beside its name.
    QString settings; ///< The run's training settings in one line; empty when unknown.
    QList<QPointF> precisionRecall[2]; ///< x is recall, y is precision; indexed by Direction.
    QList<QPointF> precisionAtK[2];    ///< x is K, y is precision.

    /// Name in legends and lists, as "esafh 64 bits, seed 1".
    QString displayName() const;
};

/// A comparison of methods as `esafh-cli compare` writes it (results.json), or the
/// rows and curves taken from run records and the session's model.
struct Comparison
{
    QString source;
    QString datasetName;
    ComparisonProtocol protocol;
    QList<int> seeds;
    int epochs = 0;
    QString backbone;
    QList<ComparisonRow> rows;
    QList<RunCurves> runs;

    /// One line naming the protocol: ranking, ties, relevance, K, split, seeds and set sizes.
    QString protocolText() const;
};

/// Reads a comparison file ("format": "esafh-comparison", version 1) or the
/// results.json inside a folder. Fails with a message naming the file and the key
/// on a missing file, invalid JSON, another format or version, or a value of the
/// wrong type.
Result<Comparison> readComparison(const QString &path);

/// Reads a run record ("format": "esafh-run", version 1) as a comparison of one row
/// (one seed, standard deviation 0) and its curves. Fails like readComparison.
Result<Comparison> readRunRecord(const QString &path);

/// The settings that tell runs apart, in one line: method, bits, epochs, seed and
/// the ablation switches.
QString settingsSummary(const EsafhSettings &settings);

/// A score as "mean ± std" with four decimals, "mean" when std is unknown, or a dash.
QString formatMeanStd(const MeanStd &score);

/// The rows as CSV in the column order of results.csv.
QString comparisonCsv(const Comparison &comparison);
/// The comparison as results.json, readable by readComparison.
QByteArray comparisonJson(const Comparison &comparison);
/// The rows as a booktabs LaTeX table with mean ± std and a caption naming the protocol.
QString comparisonLatex(const Comparison &comparison);

} // namespace esafh::ui
