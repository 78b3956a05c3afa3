#pragma once

#include "comparison.h"
#include "model_evaluation.h"
#include "session.h"

#include <QFutureWatcher>
#include <QWidget>

#include <memory>

class QComboBox;
class QLabel;
class QListView;
class QPushButton;
class QSortFilterProxyModel;
class QTableView;
class QToolButton;

namespace esafh::ui {

class ComparisonTableModel;
class CurvesChart;
class RunListModel;

/// The Evaluate screen: a table of mAP@all and mAP@K per method, variant and code
/// length with the protocol named above it, and the precision-recall and
/// precision@K curves of the checked runs overlaid. Rows come from a comparison
/// folder (results.json), from run records and from the models of this session,
/// each evaluated on the open dataset in the background once it is the session's
/// model and a dataset is open. Rows of earlier models stay, under their file name
/// or training time. The table exports as CSV, JSON
/// and LaTeX, the charts as PNG.
class EvaluatePage : public QWidget
{
    Q_OBJECT

public:
    explicit EvaluatePage(Session *session, QWidget *parent = nullptr);
    ~EvaluatePage() override;

    /// Reads a comparison folder or its results.json, replacing the previous
    /// comparison; rows of run records and of the model stay. Returns false, with
    /// the message shown, when the file cannot be read.
    bool openComparison(const QString &path);
    /// Adds the row and curves of a run record. Returns false, with the message
    /// shown, when the file cannot be read.
    bool openRunRecord(const QString &path);

    /// Writes the table as CSV, JSON (results.json format) or LaTeX, chosen by the
    /// file's suffix, or both charts side by side as PNG. Returns false, with the
    /// message shown, when the file cannot be written.
    bool exportTo(const QString &path);

    /// The rows shown, the protocol and the runs: what the exports write.
    Comparison shownComparison() const;

    ComparisonTableModel *tableModel() const { return m_tableModel; }
    RunListModel *runModel() const { return m_runModel; }
    CurvesChart *precisionRecallChart() const { return m_precisionRecallChart; }
    CurvesChart *precisionAtKChart() const { return m_precisionAtKChart; }
    QString protocolText() const;
    QString messageText() const;
    /// Whether the message reports an error.
    bool messageIsError() const { return m_messageIsError; }
    bool isEvaluating() const { return m_evaluationWatcher.isRunning(); }
    /// Whether the session's current model has a row.
    bool hasCurrentModelRow() const;
    void setDirection(Direction direction);

public Q_SLOTS:
    void chooseComparison();
    void chooseRunRecords();
    void chooseExportFile();
    /// Evaluates the session's model on the open dataset in the background.
    void evaluateModel();

Q_SIGNALS:
    /// The session's model was evaluated; succeeded is false when it failed.
    void modelEvaluated(bool succeeded);
    /// A comparison folder or file was opened, for the recent-files list.
    void comparisonOpened(const QString &path);

private:
    void evaluateNewModel();
    void buildLayout();
    void refresh();
    void refreshCharts();
    void showError(const QString &message);
    void showMessage(const QString &message);
    void finishEvaluation();

    Session *m_session = nullptr;
    Comparison m_comparison;          ///< From results.json; empty when none is open.
    QList<Comparison> m_records;      ///< One per opened run record.
    /// A model of this session (trained or opened) and its evaluation.
    struct SessionRun
    {
        std::weak_ptr<const TrainedModel> model;
        QString label; ///< The model file's name, or when it was trained.
        ModelEvaluation evaluation;
    };
    QList<SessionRun> m_sessionRuns;
    int m_sessionRunSerial = 0;

    ComparisonTableModel *m_tableModel = nullptr;
    QSortFilterProxyModel *m_sortModel = nullptr;
    RunListModel *m_runModel = nullptr;
    QLabel *m_protocolLabel = nullptr;
    QLabel *m_message = nullptr;
    QTableView *m_table = nullptr;
    QListView *m_runList = nullptr;
    QComboBox *m_directionBox = nullptr;
    QPushButton *m_evaluateButton = nullptr;
    QToolButton *m_exportButton = nullptr;
    CurvesChart *m_precisionRecallChart = nullptr;
    CurvesChart *m_precisionAtKChart = nullptr;

    QFutureWatcher<Result<ModelEvaluation>> m_evaluationWatcher;
    TrainedModelPointer m_evaluatingModel;
    QString m_evaluatingLabel;
    // The last pair evaluated automatically, so that a failed evaluation is not
    // repeated each time the screen is shown.
    TrainedModelPointer m_autoEvaluatedModel;
    PreparedDatasetPointer m_autoEvaluatedDataset;
    bool m_messageIsError = false;
};

} // namespace esafh::ui
