#include "attention_chart.h"

#include <QAreaSeries>
#include <QChart>
#include <QLegendMarker>
#include <QLineSeries>
#include <QValueAxis>

#include <algorithm>

namespace esafh::ui {

namespace {

constexpr int maxPlottedPoints = 600;

// Matplotlib's tab10 colours, one per candidate, in the order of candidateNames.
const QColor candidateColours[] = {QColor(0x1f, 0x77, 0xb4), QColor(0xff, 0x7f, 0x0e), QColor(0x2c, 0xa0, 0x2c),
                                   QColor(0xd6, 0x27, 0x28), QColor(0x94, 0x67, 0xbd)};

} // namespace

AttentionChart::AttentionChart(QWidget *parent) : QChartView(parent)
{
    auto *chart = new QChart;
    chart->legend()->setAlignment(Qt::AlignTop);
    chart->setMargins(QMargins(2, 2, 2, 2));
    setChart(chart);
    setRenderHint(QPainter::Antialiasing);
    setMinimumHeight(180);

    m_xAxis = new QValueAxis;
    m_xAxis->setTitleText(tr("Item position in the matrix order"));
    m_xAxis->setLabelFormat(QStringLiteral("%d"));
    m_yAxis = new QValueAxis;
    m_yAxis->setTitleText(tr("Weight"));
    m_yAxis->setRange(0, 1);
    m_yAxis->setTickCount(3);
    chart->addAxis(m_xAxis, Qt::AlignBottom);
    chart->addAxis(m_yAxis, Qt::AlignLeft);

    m_marker = new QLineSeries;
    m_marker->setPen(QPen(palette().color(QPalette::WindowText), 1.5));
    chart->addSeries(m_marker);
    m_marker->attachAxis(m_xAxis);
    m_marker->attachAxis(m_yAxis);
    for (QLegendMarker *legendMarker : chart->legend()->markers(m_marker))
        legendMarker->setVisible(false);
    clear();
}

void AttentionChart::clear()
{
    for (QAreaSeries *area : std::as_const(m_areas)) {
        chart()->removeSeries(area);
        delete area;
    }
    m_areas.clear();
    m_itemCount = 0;
    m_xAxis->setRange(0, 1);
    setMarkedItem(-1);
}

// NOTE: the first repaint after new weights replace old ones took 120 ms for 2,500
// items and 1.3 s for 5,000 in esafh-ui-timings (after Order by cluster), though a
// chart alone with the same number of points repaints in about 10 ms. The cause is
// not found; hovering, which only moves the marker, stays fast.
void AttentionChart::setWeights(const FeatureMatrix &weights, const QStringList &candidateNames)
{
    Q_ASSERT(weights.cols() == candidateNames.size());
    clear();
    m_itemCount = static_cast<int>(weights.rows());
    if (m_itemCount == 0)
        return;

    // Above maxPlottedPoints items, each point is the mean of a bin of consecutive
    // items: thousands of points per area make every repaint, and so every move of
    // the marker while hovering, slow.
    const int binSize = (m_itemCount + maxPlottedPoints - 1) / maxPlottedPoints;
    const int binCount = (m_itemCount + binSize - 1) / binSize;
    m_xAxis->setTitleText(binSize == 1 ? tr("Item position in the matrix order")
                                       : tr("Item position in the matrix order (means of %1 items)").arg(binSize));

    // Each area spans from the sum of the weights below it to that sum plus its own.
    std::vector<double> below(static_cast<std::size_t>(binCount), 0.0);
    for (int candidate = 0; candidate < candidateNames.size(); ++candidate) {
        QList<QPointF> lowerPoints;
        QList<QPointF> upperPoints;
        lowerPoints.reserve(binCount);
        upperPoints.reserve(binCount);
        for (int bin = 0; bin < binCount; ++bin) {
            const int first = bin * binSize;
            const int count = std::min(binSize, m_itemCount - first);
            const double centre = first + 1 + (count - 1) / 2.0;
            double &sum = below[static_cast<std::size_t>(bin)];
            lowerPoints.append(QPointF(centre, sum));
            sum += weights.col(candidate).segment(first, count).mean();
            upperPoints.append(QPointF(centre, sum));
        }

        auto *upper = new QLineSeries;
        upper->replace(upperPoints);
        auto *lower = new QLineSeries;
        lower->replace(lowerPoints);
        auto *area = new QAreaSeries(upper, lower);
        upper->setParent(area);
        lower->setParent(area);
        area->setName(candidateNames[candidate]);
        QColor colour = candidateColours[candidate % std::size(candidateColours)];
        area->setPen(QPen(colour.darker(120), 0.5));
        colour.setAlphaF(0.75);
        area->setBrush(colour);

        chart()->addSeries(area);
        area->attachAxis(m_xAxis);
        area->attachAxis(m_yAxis);
        m_areas.append(area);
    }
    m_xAxis->setRange(1, std::max(2, m_itemCount));
    // The marker is drawn over the areas.
    chart()->removeSeries(m_marker);
    chart()->addSeries(m_marker);
    m_marker->attachAxis(m_xAxis);
    m_marker->attachAxis(m_yAxis);
    for (QLegendMarker *legendMarker : chart()->legend()->markers(m_marker))
        legendMarker->setVisible(false);
}

void AttentionChart::setMarkedItem(int position)
{
    m_markedItem = position >= 0 && position < m_itemCount ? position : -1;
    if (m_markedItem < 0) {
        m_marker->clear();
        return;
    }
    m_marker->replace(QList<QPointF>{QPointF(m_markedItem + 1, 0), QPointF(m_markedItem + 1, 1)});
}

} // namespace esafh::ui
