#include "data/dataset.h"

namespace esafh {

std::vector<std::vector<int>> Dataset::labelsOf(const std::vector<int> &indices) const
{
    std::vector<std::vector<int>> labels;
    labels.reserve(indices.size());
    for (int index : indices) {
        Q_ASSERT(index >= 0 && index < size());
        labels.push_back(items[index].labels);
    }
    return labels;
}

QStringList Dataset::captionsOf(const std::vector<int> &indices) const
{
    QStringList captions;
    captions.reserve(static_cast<qsizetype>(indices.size()));
    for (int index : indices) {
        Q_ASSERT(index >= 0 && index < size());
        captions.append(items[index].caption());
    }
    return captions;
}

} // namespace esafh
