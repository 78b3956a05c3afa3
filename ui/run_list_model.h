#pragma once

#include "comparison.h"

#include <QAbstractListModel>

namespace esafh::ui {

/// The runs whose curves can be overlaid, each with a check box that selects it
/// for the charts and its settings in the tooltip. Checking a run emits selectionChanged.
class RunListModel : public QAbstractListModel
{
    Q_OBJECT

public:
    enum Role
    {
        MethodRole = Qt::UserRole + 1,
        VariantRole,
        BitsRole,
        SeedRole,
        SourceRole,
        SettingsRole, ///< The run's training settings in one line.
    };

    explicit RunListModel(QObject *parent = nullptr);

    /// Replaces every run; the first `checkedCount` start checked.
    void setRuns(const QList<RunCurves> &runs, int checkedCount = 4);
    /// Adds a run, checked, or replaces the run of the same id, keeping its check box.
    void addRun(const RunCurves &run);
    /// Removes the runs of this source; returns whether one was there.
    bool removeSource(const QString &source);
    const QList<RunCurves> &runs() const { return m_runs; }
    QList<RunCurves> checkedRuns() const;
    bool isChecked(int row) const { return m_checked.value(row); }

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    bool setData(const QModelIndex &index, const QVariant &value, int role = Qt::EditRole) override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;

Q_SIGNALS:
    void selectionChanged();

private:
    QList<RunCurves> m_runs;
    QList<bool> m_checked;
};

} // namespace esafh::ui
