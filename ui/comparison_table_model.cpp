#include "comparison_table_model.h"

#include <cmath>

namespace esafh::ui {

ComparisonTableModel::ComparisonTableModel(QObject *parent) : QAbstractTableModel(parent) {}

void ComparisonTableModel::setRows(const QList<ComparisonRow> &rows, int k)
{
    beginResetModel();
    m_rows = rows;
    m_k = k;
    endResetModel();
    Q_EMIT headerDataChanged(Qt::Horizontal, 0, ColumnCount - 1);
}

int ComparisonTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int ComparisonTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

const MeanStd *ComparisonTableModel::score(const ComparisonRow &row, int column) const
{
    switch (column) {
    case MapAllImageToTextColumn: return &row.mapAll[int(Direction::ImageToText)];
    case MapAllTextToImageColumn: return &row.mapAll[int(Direction::TextToImage)];
    case MapAtKImageToTextColumn: return &row.mapAtK[int(Direction::ImageToText)];
    case MapAtKTextToImageColumn: return &row.mapAtK[int(Direction::TextToImage)];
    default: return nullptr;
    }
}

QVariant ComparisonTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};

    const ComparisonRow &row = m_rows.at(index.row());
    const MeanStd *value = score(row, index.column());

    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case MethodColumn: return row.method;
        case VariantColumn: return row.variant.isEmpty() ? tr("default") : row.variant;
        case BitsColumn: return row.bits;
        case SeedsColumn: return row.seeds;
        default:
            // One seed has no spread, so "± 0" would claim a measured deviation of zero.
            return row.seeds > 1 ? formatMeanStd(*value) : formatMeanStd(MeanStd{value->mean, std::nan("")});
        }
    case Qt::TextAlignmentRole:
        if (index.column() >= BitsColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case Qt::ToolTipRole:
        if (index.column() == MethodColumn && !row.runs.isEmpty())
            return tr("Run records: %1").arg(row.runs.join(QStringLiteral(", ")));
        return {};
    case MeanRole:
        return value ? QVariant(value->mean) : QVariant();
    case StdRole:
        return value ? QVariant(value->std) : QVariant();
    case SortRole:
        switch (index.column()) {
        case MethodColumn: return row.method;
        case VariantColumn: return row.variant;
        case BitsColumn: return row.bits;
        case SeedsColumn: return row.seeds;
        default: return std::isnan(value->mean) ? -1.0 : value->mean;
        }
    default:
        return {};
    }
}

QVariant ComparisonTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole || section < 0 || section >= ColumnCount)
        return QAbstractTableModel::headerData(section, orientation, role);

    const QString atK = m_k > 0 ? tr("mAP@%1").arg(m_k) : tr("mAP@K");
    switch (section) {
    case MethodColumn: return tr("Method");
    case VariantColumn: return tr("Variant");
    case BitsColumn: return tr("Bits");
    case SeedsColumn: return tr("Seeds");
    case MapAllImageToTextColumn: return tr("mAP@all i→t");
    case MapAllTextToImageColumn: return tr("mAP@all t→i");
    case MapAtKImageToTextColumn: return tr("%1 i→t").arg(atK);
    case MapAtKTextToImageColumn: return tr("%1 t→i").arg(atK);
    default: return {};
    }
}

} // namespace esafh::ui
