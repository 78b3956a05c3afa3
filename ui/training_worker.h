#pragma once

#include "session.h"

#include "method/hash_model.h"

#include <QObject>

#include <atomic>

namespace esafh::ui {

/// Runs one training job (trainModel) on the thread it is moved to and reports
/// through signals, which reach GUI objects as queued calls. requestCancel and
/// setPaused may be called from any thread; training stops or waits after the
/// current batch. After each epoch the checkpoint is written to checkpointPath (when
/// set) from the training thread, and checkpointSaved reports it.
class TrainingWorker : public QObject
{
    Q_OBJECT

public:
    TrainingWorker(PreparedDatasetPointer dataset, const TrainingJobSettings &settings, QObject *parent = nullptr);

    void requestCancel() { m_cancel.store(true); }
    bool cancelRequested() const { return m_cancel.load(); }
    void setPaused(bool paused) { m_pause.store(paused); }
    bool isPaused() const { return m_pause.load(); }

    /// File the checkpoint of each epoch replaces; empty keeps none.
    void setCheckpointPath(const QString &path) { m_checkpointPath = path; }
    /// A checkpoint to continue from instead of starting at epoch 1.
    void setResumeCheckpoint(const QByteArray &checkpoint) { m_resumeCheckpoint = checkpoint; }

public Q_SLOTS:
    void run();

Q_SIGNALS:
    void stageChanged(const QString &stage);
    void batchFinished(const esafh::BatchReport &report);
    void epochFinished(const esafh::EpochReport &report);
    /// The checkpoint after `epoch` was written to `path`.
    void checkpointSaved(const QString &path, int epoch);
    void succeeded(const esafh::ui::TrainedModelPointer &model);
    /// Training failed or was cancelled, and the message gives the reason.
    void failed(const QString &message);
    /// Emitted last, after succeeded or failed.
    void finished();

private:
    void writeCheckpoint(const QByteArray &checkpoint);

    PreparedDatasetPointer m_dataset;
    TrainingJobSettings m_settings;
    std::atomic_bool m_cancel{false};
    std::atomic_bool m_pause{false};
    QString m_checkpointPath;
    QByteArray m_resumeCheckpoint;
    int m_lastEpoch = 0; ///< Written and read on the training thread only.
};

} // namespace esafh::ui

Q_DECLARE_METATYPE(esafh::BatchReport)
Q_DECLARE_METATYPE(esafh::EpochReport)
