#include "scores_view.h"

#include <QHeaderView>
#include <QLabel>
#include <QTableWidget>
#include <QVBoxLayout>

namespace esafh::ui {

ScoresView::ScoresView(QWidget *parent) : QWidget(parent)
{
    m_table = new QTableWidget(2, 2);
    m_table->setVerticalHeaderLabels({tr("Image → text (i2t)"), tr("Text → image (t2i)")});
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionMode(QAbstractItemView::NoSelection);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->setSizeAdjustPolicy(QAbstractScrollArea::AdjustToContents);
    m_table->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_table->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_table->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);

    m_protocol = new QLabel;
    m_protocol->setWordWrap(true);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_table);
    layout->addWidget(m_protocol);
    clear();
    m_table->setFixedHeight(m_table->horizontalHeader()->sizeHint().height() + m_table->rowHeight(0) + m_table->rowHeight(1) +
                            2 * m_table->frameWidth());
}

void ScoresView::setScores(const RetrievalScores &scores)
{
    m_table->setHorizontalHeaderLabels({tr("mAP@all"), tr("mAP@%1").arg(scores.k)});
    const double values[2][2] = {{scores.imageToTextAll, scores.imageToTextAtK},
                                 {scores.textToImageAll, scores.textToImageAtK}};
    for (int row = 0; row < 2; ++row) {
        for (int column = 0; column < 2; ++column) {
            auto *item = new QTableWidgetItem(QString::number(values[row][column], 'f', 4));
            item->setTextAlignment(Qt::AlignCenter);
            m_table->setItem(row, column, item);
        }
    }
    m_protocol->setText(tr("Protocol: Hamming ranking (%1); a database item is relevant when it shares "
                           "at least one label with the query. Computed on the query set against the database.")
                            .arg(tieRuleName(scores.tieRule)));
}

void ScoresView::clear()
{
    m_table->setHorizontalHeaderLabels({tr("mAP@all"), tr("mAP@K")});
    for (int row = 0; row < 2; ++row) {
        for (int column = 0; column < 2; ++column) {
            auto *item = new QTableWidgetItem(QStringLiteral("–"));
            item->setTextAlignment(Qt::AlignCenter);
            m_table->setItem(row, column, item);
        }
    }
    m_protocol->setText(tr("No scores yet: train a model or open a model file."));
}

QString ScoresView::cellText(int row, int column) const
{
    const QTableWidgetItem *item = m_table->item(row, column);
    return item ? item->text() : QString();
}

QString ScoresView::protocolText() const
{
    return m_protocol->text();
}

} // namespace esafh::ui
