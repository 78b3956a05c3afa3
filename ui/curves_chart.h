#pragma once

#include "comparison.h"

#include <QChartView>

namespace esafh::ui {

/// Precision-recall or precision@K curves of several runs in one direction, one
/// line per run with its name in the legend.
class CurvesChart : public QChartView
{
    Q_OBJECT

public:
    enum class Kind
    {
        PrecisionRecall,
        PrecisionAtK,
    };

    explicit CurvesChart(Kind kind, QWidget *parent = nullptr);

    void setRuns(const QList<RunCurves> &runs, Direction direction);
    Kind kind() const { return m_kind; }
    /// Number of lines drawn; a run without points in this direction draws none.
    int seriesCount() const;
    QStringList legendNames() const;

private:
    Kind m_kind;
};

} // namespace esafh::ui
