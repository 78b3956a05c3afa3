#pragma once

#include "remaining_time.h"
#include "session.h"

#include "method/hash_model.h"

#include <QPointer>
#include <QWidget>

class QLabel;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QThread;

namespace esafh::ui {

class LossChart;
class ScoresView;
class TrainingSettingsForm;
class TrainingWorker;

/// The Train screen: the image backbone, the method and its settings, and start,
/// pause, cancel and resume from the last checkpoint. It shows progress with time
/// remaining, a live chart of the loss and validation mAP, a log of each epoch with
/// the attention diagnostics, and the scores and image backbone of the model shown.
/// Training runs in a TrainingWorker on a QThread of its own, and a finished model
/// goes to the session. When the chosen backbone is not the one of the open
/// dataset's features, Start has the session extract them again first and training
/// starts when they are ready.
class TrainPage : public QWidget
{
    Q_OBJECT

public:
    explicit TrainPage(Session *session, QWidget *parent = nullptr);
    /// Cancels a running training and waits for its thread.
    ~TrainPage() override;

    bool isTraining() const { return m_thread != nullptr; }
    bool isPaused() const;
    /// True while the dataset's features are extracted again for the chosen backbone
    /// before training starts.
    bool isWaitingForFeatures() const { return m_startWhenFeaturesReady; }
    TrainingSettingsForm *settingsForm() const { return m_settingsForm; }
    LossChart *lossChart() const { return m_lossChart; }
    ScoresView *scoresView() const { return m_scoresView; }
    QString logText() const;
    QString messageText() const;
    /// The line that names the image backbone of the model shown.
    QString modelBackboneText() const;

public Q_SLOTS:
    void startTraining();
    void cancelTraining();
    /// Pauses the running training after the current batch, or lets it continue.
    void setPaused(bool paused);
    /// Continues the run of the session's checkpoint with that run's settings.
    void resumeFromCheckpoint();

Q_SIGNALS:
    void trainingStarted();
    /// Training ended; succeeded is false when it failed or was cancelled.
    void trainingFinished(bool succeeded);

private:
    void buildLayout();
    void updateControls();
    void showDataset();
    void showModel();
    void startWhenFeaturesReady();
    void stopWaitingForFeatures();
    void showStage(const QString &stage);
    void showBatch(const BatchReport &report);
    void showEpoch(const EpochReport &report);
    void finishWithModel(const TrainedModelPointer &model);
    void finishWithError(const QString &message);
    void releaseWorker();
    void startWorker(const PreparedDatasetPointer &prepared, const TrainingJobSettings &settings,
                     const QByteArray &resumeCheckpoint);
    void keepCheckpoint(const QString &path, int epoch);
    void showModelHistory(const TrainedModel &model);
    void appendLog(const QString &line);

    Session *m_session = nullptr;
    TrainingSettingsForm *m_settingsForm = nullptr;
    QPushButton *m_startButton = nullptr;
    QPushButton *m_cancelButton = nullptr;
    QPushButton *m_pauseButton = nullptr;
    QPushButton *m_resumeButton = nullptr;
    QPushButton *m_defaultsButton = nullptr;
    QLabel *m_datasetLabel = nullptr;
    QLabel *m_stageLabel = nullptr;
    QLabel *m_messageLabel = nullptr;
    QLabel *m_modelBackboneLabel = nullptr;
    QProgressBar *m_progress = nullptr;
    LossChart *m_lossChart = nullptr;
    QPlainTextEdit *m_log = nullptr;
    ScoresView *m_scoresView = nullptr;

    QThread *m_thread = nullptr;
    QPointer<TrainingWorker> m_worker;
    TrainedModelPointer m_trainedModel; ///< The last model this page trained, to tell it from a loaded one.
    RemainingTime m_remainingTime;
    int m_epochCount = 0;
    TrainingJobSettings m_runningSettings; ///< Settings of the running job, kept with its checkpoints.
    bool m_lastRunSucceeded = false;
    bool m_startWhenFeaturesReady = false;
};

} // namespace esafh::ui
