#pragma once

#include "common/matrix.h"

#include <QChartView>
#include <QStringList>

class QAreaSeries;
class QLineSeries;
class QValueAxis;

namespace esafh::ui {

/// The attention weights of each item as stacked areas: the x axis is the item's
/// position in the matrix order, and each candidate matrix (S_I, S_T, S_C) takes
/// its share of the height 1 that an item's weights sum to. Above 600 items, each
/// point is the mean of a bin of consecutive items. A vertical line marks one
/// item, for example the row of the hovered cell.
class AttentionChart : public QChartView
{
    Q_OBJECT

public:
    explicit AttentionChart(QWidget *parent = nullptr);

    /// Plots `weights` (items x candidates), one area per candidate name.
    void setWeights(const FeatureMatrix &weights, const QStringList &candidateNames);
    void clear();
    /// Marks the item at this position; -1 removes the mark.
    void setMarkedItem(int position);

    int itemCount() const { return m_itemCount; }
    /// One area per candidate, bottom first.
    QList<QAreaSeries *> areas() const { return m_areas; }
    int markedItem() const { return m_markedItem; }

private:
    QValueAxis *m_xAxis = nullptr;
    QValueAxis *m_yAxis = nullptr;
    QList<QAreaSeries *> m_areas;
    QLineSeries *m_marker = nullptr;
    int m_itemCount = 0;
    int m_markedItem = -1;
};

} // namespace esafh::ui
