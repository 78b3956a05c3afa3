#include "heatmap_widget.h"

#include "colour_map.h"

#include <QHelpEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QSaveFile>
#include <QTextStream>
#include <QToolTip>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>
#include <limits>

namespace esafh::ui {

namespace {

constexpr double margin = 8.0;
constexpr double legendWidth = 96.0;
constexpr double maxCellPixels = 96.0; // Zooming stops when one cell is this wide,
constexpr double minZoomLimit = 4.0;    // but a small matrix still zooms this far.
constexpr double wheelStepFactor = 1.25;

} // namespace

HeatmapWidget::HeatmapWidget(QWidget *parent) : QWidget(parent)
{
    setMouseTracking(true);
    setFocusPolicy(Qt::WheelFocus);
    setAttribute(Qt::WA_OpaquePaintEvent);
}

void HeatmapWidget::setMatrix(std::shared_ptr<const SquareMatrix> values, const QString &title)
{
    Q_ASSERT(values && values->rows() == values->cols());

    m_values = std::move(values);
    m_title = title;
    computeRange();
    renderImage();
    m_hoveredCell = {-1, -1};
    update();
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

void HeatmapWidget::clear()
{
    m_values.reset();
    m_title.clear();
    m_descriptions.clear();
    m_groupStarts.clear();
    m_image = QImage();
    m_pixmap = QPixmap();
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

void HeatmapWidget::computeRange()
{
    const SquareMatrix &values = *m_values;
    const Eigen::Index n = values.rows();

    float low = std::numeric_limits<float>::max();
    float high = std::numeric_limits<float>::lowest();
    for (Eigen::Index row = 0; row < n; ++row) {
        for (Eigen::Index column = 0; column < n; ++column) {
            if (row == column && n > 1)
                continue;
            low = std::min(low, values(row, column));
            high = std::max(high, values(row, column));
        }
    }

    if (low > high) { // An empty matrix.
        low = 0;
        high = 1;
    }
    if (high - low < 1e-6f)
        high = low + 1e-6f;
    m_minimum = low;
    m_maximum = high;
}

void HeatmapWidget::renderImage()
{
    const int n = itemCount();
    const QVector<QRgb> table = viridisTable(256);
    const float scale = 255.0f / (m_maximum - m_minimum);

    m_image = QImage(n, n, QImage::Format_RGB32);
    for (int row = 0; row < n; ++row) {
        auto *line = reinterpret_cast<QRgb *>(m_image.scanLine(row));
        for (int column = 0; column < n; ++column) {
            const float level = ((*m_values)(row, column) - m_minimum) * scale;
            line[column] = table[std::clamp(static_cast<int>(level + 0.5f), 0, 255)];
        }
    }
    m_pixmap = QPixmap::fromImage(m_image);
}

QRectF HeatmapWidget::matrixArea() const
{
    return QRectF(margin, margin, std::max(1.0, width() - legendWidth - 2 * margin),
                  std::max(1.0, height() - 2 * margin));
}

QRectF HeatmapWidget::legendArea() const
{
    return QRectF(width() - legendWidth, margin, legendWidth - margin, height() - 2 * margin);
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

    const int n = itemCount();
    if (n == 0) {
        painter.setPen(palette().color(QPalette::PlaceholderText));
        painter.drawText(rect(), Qt::AlignCenter | Qt::TextWordWrap,
                         tr("No matrix yet. Open a dataset and a model, then compute."));
        return;
    }

    // Draw only the visible cells: at high zoom the whole image scaled up would be huge.
    const QRectF area = matrixArea();
    const double size = cellSize();
    const QPointF origin = matrixOrigin();
    const int firstColumn = std::clamp(static_cast<int>(std::floor((area.left() - origin.x()) / size)), 0, n);
    const int firstRow = std::clamp(static_cast<int>(std::floor((area.top() - origin.y()) / size)), 0, n);
    const int lastColumn = std::clamp(static_cast<int>(std::ceil((area.right() - origin.x()) / size)), 0, n);
    const int lastRow = std::clamp(static_cast<int>(std::ceil((area.bottom() - origin.y()) / size)), 0, n);

    painter.save();
    painter.setClipRect(area);
    if (lastColumn > firstColumn && lastRow > firstRow) {
        const QRect source(firstColumn, firstRow, lastColumn - firstColumn, lastRow - firstRow);
        const QRectF target(origin + QPointF(firstColumn * size, firstRow * size),
                            QSizeF(source.width() * size, source.height() * size));
        painter.drawPixmap(target, m_pixmap, source);
    }
    paintGroupLines(painter);

    if (m_hoveredCell.x() >= 0) {
        painter.setPen(QPen(Qt::white, 1.5));
        painter.setBrush(Qt::NoBrush);
        painter.drawRect(cellRect(m_hoveredCell.y(), m_hoveredCell.x()));
    }
    painter.restore();

    paintLegend(painter);
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
    const double titleHeight = metrics.height() + 4;
    const QRectF bar(area.left() + 4, area.top() + titleHeight + metrics.height() / 2.0, 16,
                     std::max(10.0, area.height() - 2 * titleHeight - metrics.height()));

    painter.setPen(palette().color(QPalette::WindowText));
    painter.drawText(QRectF(area.left(), area.top(), area.width(), titleHeight),
                     Qt::AlignLeft | Qt::AlignVCenter, metrics.elidedText(m_title, Qt::ElideRight, int(area.width())));

    QLinearGradient gradient(bar.bottomLeft(), bar.topLeft());
    for (int i = 0; i <= 8; ++i)
        gradient.setColorAt(i / 8.0, QColor(viridis(i / 8.0)));
    painter.fillRect(bar, gradient);
    painter.drawRect(bar);

    constexpr int tickCount = 5;
    for (int i = 0; i < tickCount; ++i) {
        const double fraction = static_cast<double>(i) / (tickCount - 1);
        const double y = bar.bottom() - fraction * bar.height();
        const double tickValue = m_minimum + fraction * (m_maximum - m_minimum);
        painter.drawLine(QPointF(bar.right(), y), QPointF(bar.right() + 4, y));
        painter.drawText(QRectF(bar.right() + 6, y - metrics.height() / 2.0, area.right() - bar.right() - 6,
                                metrics.height()),
                         Qt::AlignLeft | Qt::AlignVCenter, QString::number(tickValue, 'f', 3));
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
    if (event->button() == Qt::LeftButton)
        resetView();
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
