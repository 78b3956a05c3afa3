#include "label_counts.h"

#include <QCoreApplication>
#include <QStandardItemModel>

namespace esafh::ui {

std::vector<LabelCount> countLabels(const Dataset &dataset)
{
    std::vector<LabelCount> counts(dataset.labelNames.size());
    for (int label = 0; label < dataset.labelNames.size(); ++label)
        counts[label].label = dataset.labelNames[label];

    const auto countInto = [&](const std::vector<int> &indices, int LabelCount::*field) {
        for (int index : indices) {
            for (int label : dataset.items[index].labels) {
                if (label >= 0 && label < static_cast<int>(counts.size()))
                    ++(counts[label].*field);
            }
        }
    };

    std::vector<int> all(dataset.items.size());
    for (int i = 0; i < dataset.size(); ++i)
        all[i] = i;
    countInto(all, &LabelCount::items);
    countInto(dataset.split.query, &LabelCount::query);
    countInto(dataset.split.database, &LabelCount::database);
    return counts;
}

void fillLabelCountModel(QStandardItemModel *model, const std::vector<LabelCount> &counts)
{
    model->clear();
    model->setHorizontalHeaderLabels({QCoreApplication::translate("LabelCounts", "Label"),
                                      QCoreApplication::translate("LabelCounts", "Items"),
                                      QCoreApplication::translate("LabelCounts", "Query"),
                                      QCoreApplication::translate("LabelCounts", "Database")});

    for (const LabelCount &count : counts) {
        QList<QStandardItem *> row;
        row.append(new QStandardItem(count.label));
        for (int value : {count.items, count.query, count.database}) {
            auto *item = new QStandardItem;
            item->setData(value, Qt::DisplayRole);
            item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            row.append(item);
        }
        for (QStandardItem *item : row)
            item->setEditable(false);
        model->appendRow(row);
    }
}

} // namespace esafh::ui
