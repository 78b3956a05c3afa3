#pragma once

#include <QStyledItemDelegate>

#include <functional>

namespace esafh::ui {

/// Paints an item of a thumbnail grid: the thumbnail (DecorationRole) centred in a
/// fixed box, an optional bold header line, and the caption on up to two lines.
/// When a marker role is set and contains a bool, a green (true) or red (false) bar
/// under the thumbnail shows it, for example whether a search hit is relevant.
class ThumbnailDelegate : public QStyledItemDelegate
{
    Q_OBJECT

public:
    using HeaderFunction = std::function<QString(const QModelIndex &)>;

    ThumbnailDelegate(QSize thumbnailSize, int captionRole, QObject *parent = nullptr);

    void setHeaderFunction(HeaderFunction header) { m_header = std::move(header); }
    void setMarkerRole(int role) { m_markerRole = role; }

    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;

private:
    QRect paintThumbnail(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const;

    QSize m_thumbnailSize;
    int m_captionRole;
    int m_markerRole = -1;
    HeaderFunction m_header;
};

} // namespace esafh::ui
