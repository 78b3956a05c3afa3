#pragma once

#include <QWidget>

class QLabel;

namespace esafh::ui {

class ThumbnailCache;

/// The two items of a hovered similarity cell side by side, each with thumbnail,
/// caption and labels, and the cell's value below them.
class CellDetailsView : public QWidget
{
    Q_OBJECT

public:
    explicit CellDetailsView(ThumbnailCache *thumbnails, QWidget *parent = nullptr);

    /// Shows the row item and the column item of a cell.
    void showItems(const QString &rowText, const QString &rowImagePath, const QString &columnText,
                   const QString &columnImagePath, const QString &valueText);
    void clear();

private:
    struct ItemWidgets
    {
        QLabel *thumbnail = nullptr;
        QLabel *text = nullptr;
        QString imagePath;
    };

    ItemWidgets makeItemWidgets();
    void showThumbnail(ItemWidgets &widgets);
    void refreshThumbnail(const QString &path);

    ThumbnailCache *m_thumbnails = nullptr;
    ItemWidgets m_row;
    ItemWidgets m_column;
    QLabel *m_value = nullptr;
};

} // namespace esafh::ui
