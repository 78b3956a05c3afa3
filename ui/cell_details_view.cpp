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
    m_valueTable = new QLabel;
    m_valueTable->setAlignment(Qt::AlignHCenter | Qt::AlignTop);
    m_valueTable->setWordWrap(true);
    m_valueTable->setTextFormat(Qt::RichText);

    auto *layout = new QGridLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(new QLabel(tr("Row item")), 0, 0, Qt::AlignHCenter);
    layout->addWidget(new QLabel(tr("Column item")), 0, 1, Qt::AlignHCenter);
    layout->addWidget(m_row.thumbnail, 1, 0);
    layout->addWidget(m_column.thumbnail, 1, 1);
    layout->addWidget(m_row.text, 2, 0);
    layout->addWidget(m_column.text, 2, 1);
    layout->addWidget(m_valueTable, 3, 0, 1, 2);
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
    widgets.text->setTextFormat(Qt::PlainText);
    widgets.text->setAlignment(Qt::AlignTop | Qt::AlignHCenter);
    widgets.text->setMinimumWidth(m_thumbnails->thumbnailSize().width());
    widgets.text->setMaximumWidth(m_thumbnails->thumbnailSize().width() + 40);
    return widgets;
}

void CellDetailsView::showItems(const QString &rowText, const QString &rowImagePath, const QString &columnText,
                                const QString &columnImagePath, const QList<MatrixValue> &values)
{
    m_row.text->setText(rowText);
    m_row.imagePath = rowImagePath;
    m_column.text->setText(columnText);
    m_column.imagePath = columnImagePath;
    m_values = values;

    QString table = QStringLiteral("<table cellspacing=\"0\" cellpadding=\"1\">");
    for (const MatrixValue &value : values) {
        QString name = value.matrixName.toHtmlEscaped();
        QString number = QString::number(value.value, 'f', 4);
        if (value.shown) {
            name = QStringLiteral("<b>%1</b>").arg(name);
            number = QStringLiteral("<b>%1</b>").arg(number);
        }
        table += QStringLiteral("<tr><td>%1</td><td align=\"right\">&nbsp;&nbsp;%2</td></tr>").arg(name, number);
    }
    table += QStringLiteral("</table>");
    m_valueTable->setText(table);
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
    m_values.clear();
    m_valueTable->setText(tr("Hover over a matrix to compare two items and see the cell's value in each matrix."));
}

QString CellDetailsView::rowText() const
{
    return m_row.text->text();
}

QString CellDetailsView::columnText() const
{
    return m_column.text->text();
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
