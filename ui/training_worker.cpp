#include "training_worker.h"

#include "common/logging.h"

#include <QElapsedTimer>

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
    callbacks.training.onBatch = [this](const BatchReport &report) { Q_EMIT batchFinished(report); };
    callbacks.training.onEpoch = [this](const EpochReport &report) { Q_EMIT epochFinished(report); };

    Result<TrainedModel> trained = trainModel(*m_dataset, m_settings, callbacks);
    if (trained) {
        qCInfo(lcUi) << "Training finished in" << timer.elapsed() / 1000.0 << "s";
        Q_EMIT succeeded(std::make_shared<const TrainedModel>(std::move(trained).value()));
    } else {
        qCWarning(lcUi) << "Training ended without a model after" << timer.elapsed() / 1000.0 << "s:" << trained.error();
        Q_EMIT failed(trained.error());
    }
    Q_EMIT finished();
}

} // namespace esafh::ui
