#include "curves_chart.h"

#include <QLineSeries>
#include <QLogValueAxis>
#include <QValueAxis>

#include <algorithm>

namespace esafh::ui {

namespace {

// The Tableau 10 palette, so that up to ten runs get distinct colours.
const QColor runColours[] = {QColor(31, 119, 180), QColor(255, 127, 14), QColor(44, 160, 44), QColor(214, 39, 40),
                             QColor(148, 103, 189), QColor(140, 86, 75), QColor(227, 119, 194), QColor(127, 127, 127),
                             QColor(188, 189, 34), QColor(23, 190, 207)};

} // namespace

CurvesChart::CurvesChart(Kind kind, QWidget *parent) : QChartView(parent), m_kind(kind)
{
    auto *chart = new QChart;
    chart->legend()->setAlignment(Qt::AlignBottom);
    chart->setMargins(QMargins(4, 4, 4, 4));
    setChart(chart);
    setRenderHint(QPainter::Antialiasing);
    setMinimumHeight(240);
    setRuns({}, Direction::ImageToText);
}

void CurvesChart::setRuns(const QList<RunCurves> &runs, Direction direction)
{
    QChart *chart = this->chart();
    chart->removeAllSeries();
    for (QAbstractAxis *axis : chart->axes()) {
        chart->removeAxis(axis);
        delete axis;
    }

    const QString directionName = direction == Direction::ImageToText ? tr("image → text") : tr("text → image");
    const bool precisionRecall = m_kind == Kind::PrecisionRecall;
    chart->setTitle(precisionRecall ? tr("Precision-recall, %1").arg(directionName)
                                    : tr("Precision@K, %1").arg(directionName));

    auto *precisionAxis = new QValueAxis;
    precisionAxis->setTitleText(tr("Precision"));
    precisionAxis->setRange(0, 1);
    chart->addAxis(precisionAxis, Qt::AlignLeft);

    // K spans several decades (1 to the database size), so it gets a log axis.
    QAbstractAxis *horizontalAxis = nullptr;
    double largestK = 1;
    if (precisionRecall) {
        auto *recallAxis = new QValueAxis;
        recallAxis->setTitleText(tr("Recall"));
        recallAxis->setRange(0, 1);
        horizontalAxis = recallAxis;
    } else {
        auto *kAxis = new QLogValueAxis;
        kAxis->setTitleText(tr("K (retrieved items)"));
        kAxis->setLabelFormat(QStringLiteral("%g"));
        kAxis->setBase(10);
        horizontalAxis = kAxis;
    }
    chart->addAxis(horizontalAxis, Qt::AlignBottom);

    int colour = 0;
    for (const RunCurves &run : runs) {
        const QList<QPointF> &points = precisionRecall ? run.precisionRecall[int(direction)] : run.precisionAtK[int(direction)];
        if (points.isEmpty())
            continue;

        auto *series = new QLineSeries;
        series->setName(run.displayName());
        for (const QPointF &point : points) {
            if (!precisionRecall && point.x() <= 0)
                continue;
            series->append(point);
            largestK = std::max(largestK, point.x());
        }
        QPen pen(runColours[colour++ % std::size(runColours)]);
        pen.setWidthF(2.0);
        series->setPen(pen);
        series->setPointsVisible(true);
        chart->addSeries(series);
        series->attachAxis(horizontalAxis);
        series->attachAxis(precisionAxis);
    }

    if (!precisionRecall)
        static_cast<QLogValueAxis *>(horizontalAxis)->setRange(1, std::max(10.0, largestK));
}

int CurvesChart::seriesCount() const
{
    return int(chart()->series().size());
}

QStringList CurvesChart::legendNames() const
{
    QStringList names;
    for (QAbstractSeries *series : chart()->series())
        names.append(series->name());
    return names;
}

} // namespace esafh::ui
