#pragma once

#include <QList>
#include <QWidget>

class QLabel;

namespace esafh::ui {

class ThumbnailCache;

/// The two items of a hovered similarity cell side by side, each with thumbnail,
/// caption and labels, and below them the cell's value in each matrix.
class CellDetailsView : public QWidget
{
    Q_OBJECT

public:
    /// The value of the cell in one matrix.
    struct MatrixValue
    {
        QString matrixName;
        float value = 0;
        bool shown = false; ///< Whether this is the matrix on screen; it is set in bold.
    };

    explicit CellDetailsView(ThumbnailCache *thumbnails, QWidget *parent = nullptr);

    /// Shows the row item and the column item of a cell with its value in each matrix.
    void showItems(const QString &rowText, const QString &rowImagePath, const QString &columnText,
                   const QString &columnImagePath, const QList<MatrixValue> &values);
    void clear();

    QString rowText() const;
    QString columnText() const;
    /// The values last shown; empty after clear().
    const QList<MatrixValue> &values() const { return m_values; }

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
    QLabel *m_valueTable = nullptr;
    QList<MatrixValue> m_values;
};

} // namespace esafh::ui
