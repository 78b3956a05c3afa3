#pragma once

#include "heatmap_image.h"

#include "common/matrix.h"
#include "common/result.h"

#include <QFutureWatcher>
#include <QImage>
#include <QStringList>
#include <QWidget>

#include <memory>
#include <optional>
#include <vector>

namespace esafh::ui {

/// Draws a square matrix of values as one colour-mapped image (viridis), with its
/// title above it and a colour legend beside it. The mouse wheel zooms around the
/// cursor, dragging pans, a double click resets the view, and hovering a cell shows
/// both items and the value in a tooltip.
///
/// A matrix of more than 512 rows is colour-mapped on the global thread pool, so
/// the window stays responsive. Until imageReady(), the previous image stays on
/// screen, or a note when the size changed. Painting draws only the visible cells,
/// and a matrix with more cells than screen pixels is drawn from an overview of
/// block means (at most overviewSide() pixels a side) rather than by skipping cells.
class HeatmapWidget : public QWidget
{
    Q_OBJECT

public:
    explicit HeatmapWidget(QWidget *parent = nullptr);

    /// Shows `values` (n x n). The colour range spans the off-diagonal values, so a
    /// diagonal of self-similarities does not flatten the rest; the diagonal is clamped.
    /// The hovered cell stays hovered when n does not change.
    void setMatrix(std::shared_ptr<const SquareMatrix> values, const QString &title);
    /// Describes each item (row and column i) in tooltips, for example "caption [labels]".
    void setItemDescriptions(const QStringList &descriptions);
    /// Rows at which a new group of items starts; a thin line separates the groups.
    void setGroupStarts(const std::vector<int> &starts);
    void clear();

    /// When false, only the overview is rendered, which saves memory and time for
    /// small views such as a grid of matrices. image() is then the overview. The
    /// setting takes effect at the next setMatrix(), and it is true by default.
    void setFullResolution(bool fullResolution) { m_fullResolution = fullResolution; }
    void setOverviewSide(int side) { m_overviewSide = side; }
    int overviewSide() const { return m_overviewSide; }

    /// Outlines a cell, for example the cell hovered in another view of the same
    /// items, without emitting cellHovered(); (-1, -1) removes the outline.
    void setHighlightedCell(int row, int column);
    QPoint highlightedCell() const { return m_hoveredCell; }

    int itemCount() const;
    /// The matrix at one pixel per cell, or the overview without full resolution;
    /// null while the first image of a matrix is being rendered.
    const QImage &image() const { return m_fullResolution ? m_image : m_overview; }
    const QImage &overview() const { return m_overview; }
    bool isRendering() const { return m_renderWatcher.isRunning(); }
    QString title() const { return m_title; }
    /// The title as drawn, elided only when the widget is narrower than it.
    QString visibleTitle() const;
    float minimum() const { return m_range.low; }
    float maximum() const { return m_range.high; }
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
    QSize minimumSizeHint() const override { return {200, 180}; }

Q_SIGNALS:
    /// The cell under the mouse changed; (-1, -1) when the mouse left the matrix.
    void cellHovered(int row, int column);
    /// The image of the matrix last set is on screen.
    void imageReady();
    /// The user double-clicked the matrix (which also resets the view).
    void activated();

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
    /// What the background job returns: the colour range and the images.
    struct Rendering
    {
        quint64 generation = 0;
        ValueRange range;
        QImage image;
        QImage overview;
    };

    static Rendering render(const SquareMatrix &values, bool fullResolution, int overviewSide);
    void applyRendering(Rendering rendering);
    void finishRendering();

    double titleHeight() const;
    double legendWidth() const;
    QRectF matrixArea() const;
    QRectF legendArea() const;
    double cellSize() const;
    QPointF matrixOrigin() const;
    void paintCells(QPainter &painter) const;
    void paintGroupLines(QPainter &painter) const;
    void paintLegend(QPainter &painter) const;
    void updateHover(const QPointF &position);

    std::shared_ptr<const SquareMatrix> m_values;
    QString m_title;
    QStringList m_descriptions;
    std::vector<int> m_groupStarts;
    QImage m_image;    ///< One pixel per cell; null without full resolution.
    /// Block means; rendered for matrices of more than m_overviewSide rows, and
    /// always without full resolution.
    QImage m_overview;
    ValueRange m_range;
    bool m_fullResolution = true;
    int m_overviewSide = 1024;

    QFutureWatcher<Rendering> m_renderWatcher;
    quint64 m_generation = 0; ///< Counts setMatrix() and clear() calls, to drop stale renderings.

    double m_zoom = 1.0;
    QPointF m_pan;
    std::optional<QPointF> m_dragStart;
    QPointF m_panAtDragStart;
    QPoint m_hoveredCell{-1, -1};
};

} // namespace esafh::ui
