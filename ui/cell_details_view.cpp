#include "cell_details_view.h"

#include "thumbnail_cache.h"

#include <QGridLayout>
#include <QLabel>

namespace esafh::ui {

CellDetailsView::CellDetailsView(ThumbnailCache *thumbnails, QWidget *parent)
    : QWidget(parent), m_thumbnails(thumbnails)
{
    m_row = makeItemWidgets();
    m_column = makeItemWidgets();
    m_value = new QLabel;
    m_value->setAlignment(Qt::AlignCenter);
    m_value->setWordWrap(true);

    auto *layout = new QGridLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(new QLabel(tr("Row item")), 0, 0, Qt::AlignHCenter);
    layout->addWidget(new QLabel(tr("Column item")), 0, 1, Qt::AlignHCenter);
    layout->addWidget(m_row.thumbnail, 1, 0);
    layout->addWidget(m_column.thumbnail, 1, 1);
    layout->addWidget(m_row.text, 2, 0);
    layout->addWidget(m_column.text, 2, 1);
    layout->addWidget(m_value, 3, 0, 1, 2);
    layout->setRowStretch(4, 1);

    connect(m_thumbnails, &ThumbnailCache::thumbnailReady, this, &CellDetailsView::refreshThumbnail);
    clear();
}

CellDetailsView::ItemWidgets CellDetailsView::makeItemWidgets()
{
    ItemWidgets widgets;
    widgets.thumbnail = new QLabel;
    widgets.thumbnail->setAlignment(Qt::AlignCenter);
    widgets.thumbnail->setFixedSize(m_thumbnails->thumbnailSize());
    widgets.text = new QLabel;
    widgets.text->setWordWrap(true);
    widgets.text->setAlignment(Qt::AlignTop | Qt::AlignHCenter);
    widgets.text->setMinimumWidth(m_thumbnails->thumbnailSize().width());
    widgets.text->setMaximumWidth(m_thumbnails->thumbnailSize().width() + 40);
    return widgets;
}

void CellDetailsView::showItems(const QString &rowText, const QString &rowImagePath, const QString &columnText,
                                const QString &columnImagePath, const QString &valueText)
{
    m_row.text->setText(rowText);
    m_row.imagePath = rowImagePath;
    m_column.text->setText(columnText);
    m_column.imagePath = columnImagePath;
    m_value->setText(valueText);
    showThumbnail(m_row);
    showThumbnail(m_column);
}

void CellDetailsView::clear()
{
    for (ItemWidgets *widgets : {&m_row, &m_column}) {
        widgets->thumbnail->clear();
        widgets->text->clear();
        widgets->imagePath.clear();
    }
    m_value->setText(tr("Hover over the matrix to compare two items."));
}

void CellDetailsView::showThumbnail(ItemWidgets &widgets)
{
    const QPixmap thumbnail = m_thumbnails->thumbnail(widgets.imagePath);
    if (thumbnail.isNull())
        widgets.thumbnail->clear();
    else
        widgets.thumbnail->setPixmap(thumbnail);
}

void CellDetailsView::refreshThumbnail(const QString &path)
{
    for (ItemWidgets *widgets : {&m_row, &m_column}) {
        if (widgets->imagePath == path)
            showThumbnail(*widgets);
    }
}

} // namespace esafh::ui
