#include "training_worker.h"

#include "common/logging.h"

#include <QElapsedTimer>
#include <QSaveFile>

namespace esafh::ui {

TrainingWorker::TrainingWorker(PreparedDatasetPointer dataset, const TrainingJobSettings &settings, QObject *parent)
    : QObject(parent), m_dataset(std::move(dataset)), m_settings(settings)
{
    Q_ASSERT(m_dataset);
}

void TrainingWorker::run()
{
    QElapsedTimer timer;
    timer.start();
    qCInfo(lcUi) << "Training started on" << m_dataset->dataset.split.training.size() << "items," << m_settings.esafh.bits
                 << "bits," << m_settings.esafh.epochs << "epochs";

    TrainingJobCallbacks callbacks;
    callbacks.cancel = &m_cancel;
    callbacks.onStage = [this](const QString &stage) { Q_EMIT stageChanged(stage); };
    callbacks.training.pause = &m_pause;
    callbacks.training.onBatch = [this](const BatchReport &report) { Q_EMIT batchFinished(report); };
    callbacks.training.onEpoch = [this](const EpochReport &report) {
        m_lastEpoch = report.epoch;
        Q_EMIT epochFinished(report);
    };
    if (!m_checkpointPath.isEmpty())
        callbacks.training.onCheckpoint = [this](const QByteArray &checkpoint) { writeCheckpoint(checkpoint); };

    Result<TrainedModel> trained = trainModel(*m_dataset, m_settings, callbacks, m_resumeCheckpoint);
    if (trained) {
        qCInfo(lcUi) << "Training finished in" << timer.elapsed() / 1000.0 << "s";
        Q_EMIT succeeded(std::make_shared<const TrainedModel>(std::move(trained).value()));
    } else {
        qCWarning(lcUi) << "Training ended without a model after" << timer.elapsed() / 1000.0 << "s:" << trained.error();
        Q_EMIT failed(trained.error());
    }
    Q_EMIT finished();
}

void TrainingWorker::writeCheckpoint(const QByteArray &checkpoint)
{
    // Written here on the training thread, so that a large checkpoint never stalls the GUI.
    QSaveFile file(m_checkpointPath);
    if (!file.open(QIODevice::WriteOnly) || file.write(checkpoint) != checkpoint.size() || !file.commit()) {
        qCWarning(lcUi) << "Writing the checkpoint" << m_checkpointPath << "failed:" << file.errorString();
        return;
    }
    Q_EMIT checkpointSaved(m_checkpointPath, m_lastEpoch);
}

} // namespace esafh::ui
