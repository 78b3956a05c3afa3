#pragma once

#include "common/matrix.h"

#include <QAbstractTableModel>
#include <QStringList>

namespace esafh::ui {

/// The attention weights of each item as a table: the item's position in the matrix
/// order, its caption, and one column per candidate matrix. It reads the weights in
/// place, so that a table of thousands of items is set in constant time.
class AttentionTableModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    explicit AttentionTableModel(QObject *parent = nullptr);

    /// Shows `weights` (items x candidates) with one caption per item.
    void setWeights(const FeatureMatrix &weights, const QStringList &candidateNames, const QStringList &captions);
    void clear();

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    static constexpr int firstWeightColumn = 2;

    FeatureMatrix m_weights;
    QStringList m_candidateNames;
    QStringList m_captions;
};

} // namespace esafh::ui
