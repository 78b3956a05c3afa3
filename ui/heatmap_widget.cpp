#include "heatmap_widget.h"

#include "colour_map.h"

#include <QHelpEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QSaveFile>
#include <QTextStream>
#include <QToolTip>
#include <QWheelEvent>
#include <QtConcurrent>

#include <algorithm>
#include <cmath>

namespace esafh::ui {

namespace {

constexpr double margin = 8.0;
constexpr double legendBarWidth = 14.0;
constexpr int legendTickCount = 5;
constexpr double maxCellPixels = 96.0; // Zooming stops when one cell is this wide,
constexpr double minZoomLimit = 4.0;    // but a small matrix still zooms this far.
constexpr double wheelStepFactor = 1.25;
// Up to this many rows the colour mapping takes under a millisecond, so it runs at once.
constexpr int synchronousRenderLimit = 512;

QString tickLabel(double value)
{
    return QString::number(value, 'f', 3);
}

} // namespace

HeatmapWidget::HeatmapWidget(QWidget *parent) : QWidget(parent)
{
    setMouseTracking(true);
    setFocusPolicy(Qt::WheelFocus);
    setAttribute(Qt::WA_OpaquePaintEvent);
    connect(&m_renderWatcher, &QFutureWatcherBase::finished, this, &HeatmapWidget::finishRendering);
}

void HeatmapWidget::setMatrix(std::shared_ptr<const SquareMatrix> values, const QString &title)
{
    Q_ASSERT(values && values->rows() == values->cols());

    const bool sameSize = m_values && m_values->rows() == values->rows();
    m_values = std::move(values);
    m_title = title;
    const quint64 generation = ++m_generation;
    if (!sameSize) {
        m_hoveredCell = {-1, -1};
        m_image = QImage();
        m_overview = QImage();
    }

    if (itemCount() <= synchronousRenderLimit) {
        Rendering rendering = render(*m_values, m_fullResolution, m_overviewSide);
        rendering.generation = generation;
        applyRendering(std::move(rendering));
        return;
    }

    // The job owns a reference to the matrix, so it may outlive the widget.
    const std::shared_ptr<const SquareMatrix> matrix = m_values;
    const bool fullResolution = m_fullResolution;
    const int overviewSide = m_overviewSide;
    m_renderWatcher.setFuture(QtConcurrent::run([matrix, fullResolution, overviewSide, generation] {
        Rendering rendering = render(*matrix, fullResolution, overviewSide);
        rendering.generation = generation;
        return rendering;
    }));
    update();
}

HeatmapWidget::Rendering HeatmapWidget::render(const SquareMatrix &values, bool fullResolution, int overviewSide)
{
    Rendering rendering;
    rendering.range = offDiagonalRange(values);
    if (fullResolution)
        rendering.image = colourMappedImage(values, rendering.range);
    if (!fullResolution || values.rows() > overviewSide)
        rendering.overview = colourMappedOverview(values, rendering.range, overviewSide);
    return rendering;
}

void HeatmapWidget::finishRendering()
{
    Rendering rendering = m_renderWatcher.result();
    if (rendering.generation == m_generation)
        applyRendering(std::move(rendering));
}

void HeatmapWidget::applyRendering(Rendering rendering)
{
    m_range = rendering.range;
    m_image = std::move(rendering.image);
    m_overview = std::move(rendering.overview);
    update();
    Q_EMIT imageReady();
}

void HeatmapWidget::setItemDescriptions(const QStringList &descriptions)
{
    m_descriptions = descriptions;
}

void HeatmapWidget::setGroupStarts(const std::vector<int> &starts)
{
    m_groupStarts = starts;
    update();
}

void HeatmapWidget::setHighlightedCell(int row, int column)
{
    const QPoint cell = row >= 0 && column >= 0 && row < itemCount() && column < itemCount() ? QPoint(column, row)
                                                                                            : QPoint(-1, -1);
    if (cell == m_hoveredCell)
        return;
    m_hoveredCell = cell;
    update();
}

void HeatmapWidget::clear()
{
    ++m_generation;
    m_values.reset();
    m_title.clear();
    m_descriptions.clear();
    m_groupStarts.clear();
    m_image = QImage();
    m_overview = QImage();
    m_range = {};
    m_hoveredCell = {-1, -1};
    resetView();
}

int HeatmapWidget::itemCount() const
{
    return m_values ? static_cast<int>(m_values->rows()) : 0;
}

float HeatmapWidget::value(int row, int column) const
{
    Q_ASSERT(m_values && row >= 0 && column >= 0 && row < itemCount() && column < itemCount());
    return (*m_values)(row, column);
}

QString HeatmapWidget::visibleTitle() const
{
    return fontMetrics().elidedText(m_title, Qt::ElideRight, std::max(0, width() - static_cast<int>(2 * margin)));
}

double HeatmapWidget::titleHeight() const
{
    return fontMetrics().height() + 6.0;
}

double HeatmapWidget::legendWidth() const
{
    const QFontMetrics metrics = fontMetrics();
    const int labelWidth = std::max(metrics.horizontalAdvance(tickLabel(m_range.low)),
                                    metrics.horizontalAdvance(tickLabel(m_range.high)));
    return 4 + legendBarWidth + 6 + labelWidth + margin;
}

QRectF HeatmapWidget::matrixArea() const
{
    const double top = margin + titleHeight();
    return QRectF(margin, top, std::max(1.0, width() - legendWidth() - 2 * margin),
                  std::max(1.0, height() - top - margin));
}

QRectF HeatmapWidget::legendArea() const
{
    const double top = margin + titleHeight();
    return QRectF(width() - legendWidth(), top, legendWidth() - margin, std::max(1.0, height() - top - margin));
}
double HeatmapWidget::cellSize() const
{
    const int n = std::max(1, itemCount());
    const QRectF area = matrixArea();
    return std::min(area.width(), area.height()) / n * m_zoom;
}

QPointF HeatmapWidget::matrixOrigin() const
{
    const QRectF area = matrixArea();
    const double fittedSide = std::min(area.width(), area.height());
    const QPointF centring((area.width() - fittedSide) / 2, (area.height() - fittedSide) / 2);
    return area.topLeft() + centring + m_pan;
}

std::optional<QPoint> HeatmapWidget::cellAt(const QPointF &position) const
{
    const int n = itemCount();
    if (n == 0 || !matrixArea().contains(position))
        return std::nullopt;

    const QPointF local = (position - matrixOrigin()) / cellSize();
    const int column = static_cast<int>(std::floor(local.x()));
    const int row = static_cast<int>(std::floor(local.y()));
    if (row < 0 || column < 0 || row >= n || column >= n)
        return std::nullopt;
    return QPoint(column, row);
}

QRectF HeatmapWidget::cellRect(int row, int column) const
{
    const double size = cellSize();
    return QRectF(matrixOrigin() + QPointF(column * size, row * size), QSizeF(size, size));
}

QString HeatmapWidget::cellDescription(int row, int column) const
{
    const auto describe = [this](int item) {
        const QString description = m_descriptions.value(item);
        return description.isEmpty() ? tr("item %1").arg(item + 1) : description;
    };

    return tr("Row %1: %2\nColumn %3: %4\n%5 = %6")
        .arg(row + 1)
        .arg(describe(row))
        .arg(column + 1)
        .arg(describe(column))
        .arg(m_title.isEmpty() ? tr("Value") : m_title)
        .arg(QString::number(value(row, column), 'f', 4));
}

void HeatmapWidget::zoomBy(double factor, const QPointF &anchor)
{
    const int n = itemCount();
    if (n == 0)
        return;

    const double fittedCell = cellSize() / m_zoom;
    const double maxZoom = std::max(minZoomLimit, maxCellPixels / fittedCell);
    const double newZoom = std::clamp(m_zoom * factor, 1.0, maxZoom);
    if (newZoom == m_zoom)
        return;

    // Keep the matrix point under the anchor where it is.
    const QPointF matrixPoint = (anchor - matrixOrigin()) / cellSize();
    const QPointF originWithoutPan = matrixOrigin() - m_pan;
    m_zoom = newZoom;
    m_pan = anchor - matrixPoint * cellSize() - originWithoutPan;
    if (m_zoom == 1.0)
        m_pan = QPointF();
    update();
}

void HeatmapWidget::resetView()
{
    m_zoom = 1.0;
    m_pan = QPointF();
    update();
}

Status HeatmapWidget::exportCsv(const QString &path) const
{
    if (!m_values)
        return Status::failure(tr("There is no matrix to export."));

    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Text))
        return Status::failure(tr("Cannot write %1: %2").arg(path, file.errorString()));

    QTextStream out(&file);
    const int n = itemCount();
    for (int row = 0; row < n; ++row) {
        for (int column = 0; column < n; ++column) {
            if (column > 0)
                out << ',';
            out << QString::number((*m_values)(row, column), 'g', 6);
        }
        out << '\n';
    }
    out.flush();

    if (!file.commit())
        return Status::failure(tr("Cannot write %1: %2").arg(path, file.errorString()));
    return Status::success();
}

bool HeatmapWidget::event(QEvent *event)
{
    if (event->type() != QEvent::ToolTip)
        return QWidget::event(event);

    auto *help = static_cast<QHelpEvent *>(event);
    const std::optional<QPoint> cell = cellAt(help->pos());
    if (!cell) {
        QToolTip::hideText();
        event->ignore();
        return true;
    }

    QToolTip::showText(help->globalPos(), cellDescription(cell->y(), cell->x()), this,
                       cellRect(cell->y(), cell->x()).toAlignedRect());
    return true;
}

void HeatmapWidget::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    painter.fillRect(rect(), palette().window());

    painter.setPen(palette().color(QPalette::WindowText));
    painter.drawText(QRectF(margin, margin, width() - 2 * margin, titleHeight()), Qt::AlignLeft | Qt::AlignVCenter,
                     visibleTitle());

    const int n = itemCount();
    const bool hasImage = !m_image.isNull() || !m_overview.isNull();
    if (n == 0 || !hasImage) {
        painter.setPen(palette().color(QPalette::PlaceholderText));
        const QString note = n == 0 ? tr("No matrix yet. Open a dataset and a model, then compute.")
                                    : tr("Drawing the %1 × %1 matrix…").arg(n);
        painter.drawText(matrixArea(), Qt::AlignCenter | Qt::TextWordWrap, note);
        return;
    }

    painter.save();
    painter.setClipRect(matrixArea());
    paintCells(painter);
    paintGroupLines(painter);
    if (m_hoveredCell.x() >= 0) {
        painter.setPen(QPen(Qt::white, 1.5));
        painter.setBrush(Qt::NoBrush);
        painter.drawRect(cellRect(m_hoveredCell.y(), m_hoveredCell.x()));
    }
    painter.restore();

    paintLegend(painter);
}

// Draws only the visible cells: at high zoom the whole image scaled up would be
// huge. When a screen pixel covers more than one cell, the overview of block means
// is drawn instead of a sample of single cells.
void HeatmapWidget::paintCells(QPainter &painter) const
{
    const int n = itemCount();
    const QRectF area = matrixArea();
    const double size = cellSize();
    const QPointF origin = matrixOrigin();
    const int firstColumn = std::clamp(static_cast<int>(std::floor((area.left() - origin.x()) / size)), 0, n);
    const int firstRow = std::clamp(static_cast<int>(std::floor((area.top() - origin.y()) / size)), 0, n);
    const int lastColumn = std::clamp(static_cast<int>(std::ceil((area.right() - origin.x()) / size)), 0, n);
    const int lastRow = std::clamp(static_cast<int>(std::ceil((area.bottom() - origin.y()) / size)), 0, n);
    if (lastColumn <= firstColumn || lastRow <= firstRow)
        return;

    const bool useOverview = m_image.isNull() || (!m_overview.isNull() && size < 1.0);
    const QImage &source = useOverview ? m_overview : m_image;
    const double pixelsPerCell = static_cast<double>(source.width()) / n;
    const QRectF sourceRect(firstColumn * pixelsPerCell, firstRow * pixelsPerCell,
                            (lastColumn - firstColumn) * pixelsPerCell, (lastRow - firstRow) * pixelsPerCell);
    const QRectF target(origin + QPointF(firstColumn * size, firstRow * size),
                        QSizeF((lastColumn - firstColumn) * size, (lastRow - firstRow) * size));
    painter.drawImage(target, source, sourceRect);
}

void HeatmapWidget::paintGroupLines(QPainter &painter) const
{
    const int n = itemCount();
    const double size = cellSize();
    const QPointF origin = matrixOrigin();
    const double side = n * size;

    // Lines closer than a few pixels would hide the cells between them.
    if (size < 3.0)
        return;

    QColor lineColour(Qt::white);
    lineColour.setAlphaF(0.4);
    painter.setPen(QPen(lineColour, 1));
    for (int start : m_groupStarts) {
        if (start <= 0 || start >= n)
            continue;
        const double offset = start * size;
        painter.drawLine(QPointF(origin.x() + offset, origin.y()), QPointF(origin.x() + offset, origin.y() + side));
        painter.drawLine(QPointF(origin.x(), origin.y() + offset), QPointF(origin.x() + side, origin.y() + offset));
    }
}

void HeatmapWidget::paintLegend(QPainter &painter) const
{
    const QRectF area = legendArea();
    const QFontMetrics metrics(font());
    const QRectF bar(area.left() + 4, area.top() + metrics.height() / 2.0, legendBarWidth,
                     std::max(10.0, area.height() - metrics.height()));

    QLinearGradient gradient(bar.bottomLeft(), bar.topLeft());
    for (int i = 0; i <= 8; ++i)
        gradient.setColorAt(i / 8.0, QColor(viridis(i / 8.0)));
    painter.setPen(palette().color(QPalette::WindowText));
    painter.fillRect(bar, gradient);
    painter.drawRect(bar);

    for (int i = 0; i < legendTickCount; ++i) {
        const double fraction = static_cast<double>(i) / (legendTickCount - 1);
        const double y = bar.bottom() - fraction * bar.height();
        const double tickValue = m_range.low + fraction * (m_range.high - m_range.low);
        painter.drawLine(QPointF(bar.right(), y), QPointF(bar.right() + 4, y));
        painter.drawText(QRectF(bar.right() + 6, y - metrics.height() / 2.0, area.right() - bar.right() - 6,
                                metrics.height()),
                         Qt::AlignLeft | Qt::AlignVCenter, tickLabel(tickValue));
    }
}

void HeatmapWidget::wheelEvent(QWheelEvent *event)
{
    const double steps = event->angleDelta().y() / 120.0;
    if (steps == 0 || itemCount() == 0) {
        event->ignore();
        return;
    }
    zoomBy(std::pow(wheelStepFactor, steps), event->position());
    updateHover(event->position());
    event->accept();
}

void HeatmapWidget::mousePressEvent(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton || itemCount() == 0) {
        QWidget::mousePressEvent(event);
        return;
    }
    m_dragStart = event->position();
    m_panAtDragStart = m_pan;
    setCursor(Qt::ClosedHandCursor);
}

void HeatmapWidget::mouseMoveEvent(QMouseEvent *event)
{
    if (m_dragStart && (event->buttons() & Qt::LeftButton)) {
        m_pan = m_panAtDragStart + (event->position() - *m_dragStart);
        update();
    }
    updateHover(event->position());
}

void HeatmapWidget::mouseReleaseEvent(QMouseEvent *event)
{
    if (event->button() == Qt::LeftButton && m_dragStart) {
        m_dragStart.reset();
        unsetCursor();
    }
    QWidget::mouseReleaseEvent(event);
}

void HeatmapWidget::mouseDoubleClickEvent(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton)
        return;
    resetView();
    Q_EMIT activated();
}

void HeatmapWidget::leaveEvent(QEvent *event)
{
    if (m_hoveredCell.x() >= 0) {
        m_hoveredCell = {-1, -1};
        update();
        Q_EMIT cellHovered(-1, -1);
    }
    QWidget::leaveEvent(event);
}

void HeatmapWidget::updateHover(const QPointF &position)
{
    const QPoint cell = cellAt(position).value_or(QPoint(-1, -1));
    if (cell == m_hoveredCell)
        return;

    m_hoveredCell = cell;
    update();
    Q_EMIT cellHovered(cell.y(), cell.x());
}

} // namespace esafh::ui
