#pragma once

#include "comparison.h"

#include <QAbstractTableModel>

namespace esafh::ui {

/// The rows of a comparison as a table: method, variant, bits, seeds, then mAP@all
/// and mAP@K of each direction as "mean ± std", or the mean alone for one seed. Sorting by a score column uses the
/// mean through SortRole.
class ComparisonTableModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column
    {
        MethodColumn,
        VariantColumn,
        BitsColumn,
        SeedsColumn,
        MapAllImageToTextColumn,
        MapAllTextToImageColumn,
        MapAtKImageToTextColumn,
        MapAtKTextToImageColumn,
        ColumnCount
    };

    enum Role
    {
        MeanRole = Qt::UserRole + 1, ///< The mean of a score column as a double; NaN when missing.
        StdRole,                     ///< The standard deviation of a score column as a double.
        SortRole,                    ///< Number for numeric columns, text otherwise.
    };

    explicit ComparisonTableModel(QObject *parent = nullptr);

    void setRows(const QList<ComparisonRow> &rows, int k);
    const QList<ComparisonRow> &rows() const { return m_rows; }

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    const MeanStd *score(const ComparisonRow &row, int column) const;

    QList<ComparisonRow> m_rows;
    int m_k = 0;
};

} // namespace esafh::ui
