#include "thumbnail_delegate.h"

#include <QApplication>
#include <QPainter>
#include <QTextLayout>

namespace esafh::ui {

namespace {

constexpr int padding = 6;
constexpr int markerHeight = 4;
constexpr int captionLines = 2;

// Lays out `text` in at most `maxLines` lines of `width`; the last line takes the
// rest of the text, elided.
QStringList wrapLines(const QString &text, const QFont &font, int width, int maxLines)
{
    QStringList lines;
    QTextLayout layout(text, font);
    layout.beginLayout();
    int lastLineStart = 0;
    while (lines.size() < maxLines) {
        QTextLine line = layout.createLine();
        if (!line.isValid())
            break;
        line.setLineWidth(width);
        lastLineStart = line.textStart();
        lines.append(text.mid(line.textStart(), line.textLength()).trimmed());
    }
    layout.endLayout();

    if (!lines.isEmpty())
        lines.last() = QFontMetrics(font).elidedText(text.mid(lastLineStart).simplified(), Qt::ElideRight, width);
    return lines;
}

} // namespace

ThumbnailDelegate::ThumbnailDelegate(QSize thumbnailSize, int captionRole, QObject *parent)
    : QStyledItemDelegate(parent), m_thumbnailSize(thumbnailSize), m_captionRole(captionRole)
{
}

QSize ThumbnailDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &) const
{
    const int textLines = captionLines + (m_header ? 1 : 0);
    return {m_thumbnailSize.width() + 2 * padding + 24,
            m_thumbnailSize.height() + markerHeight + textLines * option.fontMetrics.lineSpacing() + 4 * padding};
}

void ThumbnailDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    QStyleOptionViewItem background = option;
    initStyleOption(&background, index);
    background.text.clear();
    background.icon = QIcon();
    const QWidget *widget = option.widget;
    QStyle *style = widget ? widget->style() : QApplication::style();
    style->drawPrimitive(QStyle::PE_PanelItemViewItem, &background, painter, widget);

    painter->save();
    const QRect thumbnailBox = paintThumbnail(painter, option, index);

    const QRect marker(thumbnailBox.left(), thumbnailBox.bottom() + 2, thumbnailBox.width(), markerHeight);
    const QVariant markerValue = m_markerRole >= 0 ? index.data(m_markerRole) : QVariant();
    if (markerValue.isValid())
        painter->fillRect(marker, markerValue.toBool() ? QColor(46, 160, 67) : QColor(207, 34, 46));

    const bool selected = option.state & QStyle::State_Selected;
    painter->setPen(option.palette.color(selected ? QPalette::HighlightedText : QPalette::Text));

    const QRect cell = option.rect.adjusted(padding, padding, -padding, -padding);
    const int lineHeight = option.fontMetrics.lineSpacing();
    QRect textRect(cell.left(), marker.bottom() + padding - lineHeight, cell.width(), lineHeight);
    if (m_header) {
        QFont bold = option.font;
        bold.setBold(true);
        painter->setFont(bold);
        textRect.translate(0, lineHeight);
        painter->drawText(textRect, Qt::AlignHCenter | Qt::AlignVCenter,
                          QFontMetrics(bold).elidedText(m_header(index), Qt::ElideRight, cell.width()));
    }

    painter->setFont(option.font);
    const QString caption = index.data(m_captionRole).toString();
    for (const QString &line : wrapLines(caption, option.font, cell.width(), captionLines)) {
        textRect.translate(0, lineHeight);
        painter->drawText(textRect, Qt::AlignHCenter | Qt::AlignVCenter, line);
    }
    painter->restore();
}

// Draws the thumbnail centred in its box, or a grey box while it loads or when the
// image cannot be read, with the item's status tip (such as "No image") written in
// it. Returns the box.
QRect ThumbnailDelegate::paintThumbnail(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    const QRect cell = option.rect.adjusted(padding, padding, -padding, -padding);
    const QRect box(cell.left() + (cell.width() - m_thumbnailSize.width()) / 2, cell.top(), m_thumbnailSize.width(),
                    m_thumbnailSize.height());

    const QPixmap thumbnail = index.data(Qt::DecorationRole).value<QPixmap>();
    if (thumbnail.isNull()) {
        painter->fillRect(box, option.palette.color(QPalette::Midlight));
        const QString placeholder = index.data(Qt::StatusTipRole).toString();
        if (!placeholder.isEmpty()) {
            painter->setPen(option.palette.color(QPalette::Text));
            painter->drawText(box.adjusted(padding, padding, -padding, -padding),
                              Qt::AlignCenter | Qt::TextWordWrap, placeholder);
        }
        return box;
    }

    const QSize size = thumbnail.size().scaled(m_thumbnailSize, Qt::KeepAspectRatio);
    const QRect target(box.left() + (box.width() - size.width()) / 2, box.top() + (box.height() - size.height()) / 2,
                       size.width(), size.height());
    painter->drawPixmap(target, thumbnail);
    return box;
}

} // namespace esafh::ui
