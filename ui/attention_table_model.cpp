#include "attention_table_model.h"

namespace esafh::ui {

AttentionTableModel::AttentionTableModel(QObject *parent) : QAbstractTableModel(parent)
{
}

void AttentionTableModel::setWeights(const FeatureMatrix &weights, const QStringList &candidateNames,
                                     const QStringList &captions)
{
    Q_ASSERT(weights.cols() == candidateNames.size() && weights.rows() == captions.size());
    beginResetModel();
    m_weights = weights;
    m_candidateNames = candidateNames;
    m_captions = captions;
    endResetModel();
}

void AttentionTableModel::clear()
{
    beginResetModel();
    m_weights = FeatureMatrix();
    m_candidateNames.clear();
    m_captions.clear();
    endResetModel();
}

int AttentionTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_weights.rows());
}

int AttentionTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() || m_candidateNames.isEmpty() ? 0 : firstWeightColumn + m_candidateNames.size();
}

QVariant AttentionTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};

    const int column = index.column();
    if (role == Qt::TextAlignmentRole)
        return column == 1 ? QVariant() : QVariant(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole)
        return {};

    if (column == 0)
        return index.row() + 1;
    if (column == 1)
        return m_captions.at(index.row());
    return QString::number(m_weights(index.row(), column - firstWeightColumn), 'f', 3);
}

QVariant AttentionTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (role != Qt::DisplayRole || orientation != Qt::Horizontal)
        return QAbstractTableModel::headerData(section, orientation, role);
    if (section == 0)
        return tr("#");
    if (section == 1)
        return tr("Caption");
    return m_candidateNames.value(section - firstWeightColumn);
}

} // namespace esafh::ui
