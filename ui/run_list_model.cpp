#include "run_list_model.h"

#include <QDir>

namespace esafh::ui {

RunListModel::RunListModel(QObject *parent) : QAbstractListModel(parent) {}

void RunListModel::setRuns(const QList<RunCurves> &runs, int checkedCount)
{
    beginResetModel();
    m_runs = runs;
    m_checked.clear();
    for (int row = 0; row < m_runs.size(); ++row)
        m_checked.append(row < checkedCount);
    endResetModel();
    Q_EMIT selectionChanged();
}

void RunListModel::addRun(const RunCurves &run)
{
    for (int row = 0; row < m_runs.size(); ++row) {
        if (m_runs[row].id == run.id) {
            m_runs[row] = run;
            Q_EMIT dataChanged(index(row), index(row));
            if (m_checked[row])
                Q_EMIT selectionChanged();
            return;
        }
    }

    const int row = int(m_runs.size());
    beginInsertRows(QModelIndex(), row, row);
    m_runs.append(run);
    m_checked.append(true);
    endInsertRows();
    Q_EMIT selectionChanged();
}

bool RunListModel::removeSource(const QString &source)
{
    bool removed = false;
    for (int row = int(m_runs.size()) - 1; row >= 0; --row) {
        if (m_runs[row].source != source)
            continue;
        beginRemoveRows(QModelIndex(), row, row);
        m_runs.removeAt(row);
        m_checked.removeAt(row);
        endRemoveRows();
        removed = true;
    }
    if (removed)
        Q_EMIT selectionChanged();
    return removed;
}

QList<RunCurves> RunListModel::checkedRuns() const
{
    QList<RunCurves> runs;
    for (int row = 0; row < m_runs.size(); ++row) {
        if (m_checked[row])
            runs.append(m_runs[row]);
    }
    return runs;
}

int RunListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_runs.size());
}

QVariant RunListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};

    const RunCurves &run = m_runs.at(index.row());
    switch (role) {
    case Qt::DisplayRole: return run.displayName();
    case Qt::ToolTipRole:
        return run.settings.isEmpty() ? QDir::toNativeSeparators(run.source)
                                      : QStringLiteral("%1\n%2").arg(QDir::toNativeSeparators(run.source), run.settings);
    case SettingsRole: return run.settings;
    case Qt::CheckStateRole: return m_checked.at(index.row()) ? Qt::Checked : Qt::Unchecked;
    case MethodRole: return run.method;
    case VariantRole: return run.variant;
    case BitsRole: return run.bits;
    case SeedRole: return run.seed;
    case SourceRole: return run.source;
    default: return {};
    }
}

bool RunListModel::setData(const QModelIndex &index, const QVariant &value, int role)
{
    if (role != Qt::CheckStateRole || !checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return false;

    const bool checked = value.value<Qt::CheckState>() == Qt::Checked || value.toInt() == Qt::Checked;
    if (m_checked[index.row()] == checked)
        return true;
    m_checked[index.row()] = checked;
    Q_EMIT dataChanged(index, index, {Qt::CheckStateRole});
    Q_EMIT selectionChanged();
    return true;
}

Qt::ItemFlags RunListModel::flags(const QModelIndex &index) const
{
    if (!index.isValid())
        return Qt::NoItemFlags;
    return Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsUserCheckable | Qt::ItemNeverHasChildren;
}

} // namespace esafh::ui
