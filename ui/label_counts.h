#pragma once

#include "data/dataset.h"

#include <vector>

class QStandardItemModel;

namespace esafh::ui {

/// Number of items that carry one label, in the whole dataset and in two sets.
struct LabelCount
{
    QString label;
    int items = 0;
    int query = 0;
    int database = 0;
};

/// Counts each label of the dataset over all items and over its query and database
/// sets. An item with several labels counts once for each.
std::vector<LabelCount> countLabels(const Dataset &dataset);

/// Fills `model` with one row per label: name, items, query and database counts,
/// stored as numbers so that the columns sort numerically.
void fillLabelCountModel(QStandardItemModel *model, const std::vector<LabelCount> &counts);

} // namespace esafh::ui
