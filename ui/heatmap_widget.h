#pragma once

#include "common/matrix.h"
#include "common/result.h"

#include <QImage>
#include <QPixmap>
#include <QStringList>
#include <QWidget>

#include <memory>
#include <optional>
#include <vector>

namespace esafh::ui {

/// Draws a square matrix of values as one colour-mapped image (viridis) with a colour
/// legend. The mouse wheel zooms around the cursor, dragging pans, a double click
/// resets the view, and hovering a cell shows both items and the value in a tooltip.
class HeatmapWidget : public QWidget
{
    Q_OBJECT

public:
    explicit HeatmapWidget(QWidget *parent = nullptr);

    /// Shows `values` (n x n). The colour range spans the off-diagonal values, so a
    /// diagonal of self-similarities does not flatten the rest; the diagonal is clamped.
    void setMatrix(std::shared_ptr<const SquareMatrix> values, const QString &title);
    /// Describes each item (row and column i) in tooltips, for example "caption [labels]".
    void setItemDescriptions(const QStringList &descriptions);
    /// Rows at which a new label group starts; a thin line separates the groups.
    void setGroupStarts(const std::vector<int> &starts);
    void clear();

    int itemCount() const;
    const QImage &image() const { return m_image; }
    QString title() const { return m_title; }
    float minimum() const { return m_minimum; }
    float maximum() const { return m_maximum; }
    float value(int row, int column) const;

    /// Cell under a widget position, as (column, row), or nothing outside the matrix.
    std::optional<QPoint> cellAt(const QPointF &position) const;
    /// Rectangle of a cell in widget coordinates at the current zoom and pan.
    QRectF cellRect(int row, int column) const;
    /// Tooltip text of a cell: both items and the value.
    QString cellDescription(int row, int column) const;

    double zoom() const { return m_zoom; }
    /// Zooms by `factor` keeping the cell under `anchor` (widget coordinates) in place.
    void zoomBy(double factor, const QPointF &anchor);
    void resetView();

    /// Writes the matrix as comma-separated values, one row per line.
    Status exportCsv(const QString &path) const;

    QSize sizeHint() const override { return {600, 560}; }
    QSize minimumSizeHint() const override { return {240, 200}; }

Q_SIGNALS:
    /// The cell under the mouse changed; (-1, -1) when the mouse left the matrix.
    void cellHovered(int row, int column);

protected:
    bool event(QEvent *event) override;
    void paintEvent(QPaintEvent *event) override;
    void wheelEvent(QWheelEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void mouseDoubleClickEvent(QMouseEvent *event) override;
    void leaveEvent(QEvent *event) override;

private:
    QRectF matrixArea() const;
    QRectF legendArea() const;
    double cellSize() const;
    QPointF matrixOrigin() const;
    void computeRange();
    void renderImage();
    void paintGroupLines(QPainter &painter) const;
    void paintLegend(QPainter &painter) const;
    void updateHover(const QPointF &position);

    std::shared_ptr<const SquareMatrix> m_values;
    QString m_title;
    QStringList m_descriptions;
    std::vector<int> m_groupStarts;
    QImage m_image;
    QPixmap m_pixmap;
    float m_minimum = 0;
    float m_maximum = 1;

    double m_zoom = 1.0;
    QPointF m_pan;
    std::optional<QPointF> m_dragStart;
    QPointF m_panAtDragStart;
    QPoint m_hoveredCell{-1, -1};
};

} // namespace esafh::ui
