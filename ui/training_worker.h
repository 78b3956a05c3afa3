#pragma once

#include "session.h"

#include "method/hash_model.h"

#include <QObject>

#include <atomic>

namespace esafh::ui {

/// Runs one training job (trainModel) on the thread it is moved to and reports
/// through signals, which reach GUI objects as queued calls. requestCancel may be
/// called from any thread; training stops after the current batch.
class TrainingWorker : public QObject
{
    Q_OBJECT

public:
    TrainingWorker(PreparedDatasetPointer dataset, const TrainingJobSettings &settings, QObject *parent = nullptr);

    void requestCancel() { m_cancel.store(true); }
    bool cancelRequested() const { return m_cancel.load(); }

public Q_SLOTS:
    void run();

Q_SIGNALS:
    void stageChanged(const QString &stage);
    void batchFinished(const esafh::BatchReport &report);
    void epochFinished(const esafh::EpochReport &report);
    void succeeded(const esafh::ui::TrainedModelPointer &model);
    /// Training failed or was cancelled, and the message gives the reason.
    void failed(const QString &message);
    /// Emitted last, after succeeded or failed.
    void finished();

private:
    PreparedDatasetPointer m_dataset;
    TrainingJobSettings m_settings;
    std::atomic_bool m_cancel{false};
};

} // namespace esafh::ui

Q_DECLARE_METATYPE(esafh::BatchReport)
Q_DECLARE_METATYPE(esafh::EpochReport)
