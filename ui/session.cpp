#include "session.h"

#include "remaining_time.h"

#include "common/logging.h"

#include <QElapsedTimer>
#include <QFileInfo>
#include <QPointer>
#include <QtConcurrent>

namespace esafh::ui {

namespace {

using DatasetJobResult = Result<PreparedDatasetPointer>;
using ModelJobResult = Result<TrainedModelPointer>;

// Returns whether done/total reached a new whole percent or the end, and records it.
// Progress is posted only then, so that thousands of images do not flood the GUI thread.
bool progressStepChanged(int done, int total, int *lastPercent)
{
    const int percent = total > 0 ? done * 100 / total : 0;
    if (percent == *lastPercent && done != total)
        return false;
    *lastPercent = percent;
    return true;
}

} // namespace

Session::Session(QObject *parent) : QObject(parent)
{
    connect(&m_datasetWatcher, &QFutureWatcherBase::finished, this, &Session::finishDatasetJob);
    connect(&m_loadWatcher, &QFutureWatcherBase::finished, this, &Session::finishModelLoad);
    connect(&m_saveWatcher, &QFutureWatcherBase::finished, this, &Session::finishModelSave);
}

Session::~Session()
{
    if (m_datasetCancel)
        m_datasetCancel->store(true);
    m_datasetWatcher.waitForFinished();
    m_loadWatcher.waitForFinished();
    m_saveWatcher.waitForFinished();
}

bool Session::isBusy() const
{
    return m_openingDataset || m_loadingModel || m_savingModel;
}

void Session::openDataset(const QString &path)
{
    if (m_openingDataset) {
        Q_EMIT errorOccurred(tr("The dataset %1 is still being opened. Wait for it or cancel it first.")
                                 .arg(m_openingDatasetPath));
        return;
    }

    TrainingJobSettings settings = m_jobSettings;
    settings.datasetPath = path;
    m_openingDatasetPath = path;
    m_datasetCancel = std::make_shared<std::atomic_bool>(false);
    const int job = ++m_datasetJob;
    qCInfo(lcUi) << "Opening dataset" << path;

    // The session outlives the job (its destructor waits), so the callbacks may post to it.
    auto cancel = m_datasetCancel;
    m_datasetWatcher.setFuture(QtConcurrent::run([this, settings, cancel, job]() -> DatasetJobResult {
        auto lastPercent = std::make_shared<int>(-1);
        auto stage = std::make_shared<QString>(tr("Opening the dataset"));
        auto remainingTime = std::make_shared<RemainingTime>();

        TrainingJobCallbacks callbacks;
        callbacks.cancel = cancel.get();
        callbacks.onStage = [this, job, stage, remainingTime](const QString &text) {
            *stage = text;
            remainingTime->start();
            QMetaObject::invokeMethod(this, [this, job, text] { reportProgress(job, text, 0, 0); },
                                      Qt::QueuedConnection);
        };
        callbacks.onFeatureProgress = [this, job, stage, lastPercent, remainingTime](int done, int total) {
            if (!progressStepChanged(done, total, lastPercent.get()))
                return;
            QString text = *stage;
            if (const double secondsLeft = remainingTime->secondsLeft(done, total); secondsLeft >= 0 && done < total)
                text += tr(", about %1 left").arg(RemainingTime::formatDuration(secondsLeft));
            QMetaObject::invokeMethod(this, [=] { reportProgress(job, text, done, total); }, Qt::QueuedConnection);
        };

        Result<PreparedDataset> prepared = prepareDataset(settings, callbacks);
        if (!prepared)
            return DatasetJobResult::failure(prepared.error());
        return DatasetJobResult(std::make_shared<const PreparedDataset>(std::move(prepared).value()));
    }));

    m_openingDataset = true;
    Q_EMIT busyChanged(true);
    Q_EMIT progressChanged(tr("Opening %1").arg(QFileInfo(path).fileName()), 0, 0);
}

void Session::extractFeatures(const BackboneSpec &backbone)
{
    if (!m_dataset) {
        Q_EMIT errorOccurred(tr("Open a dataset first (File > Open Dataset)."));
        return;
    }
    m_jobSettings.backbone = backbone;
    qCInfo(lcUi) << "Extracting the image features of" << m_dataset->dataset.source << "with" << backbone.toString();
    openDataset(m_dataset->dataset.source);
}

void Session::reportProgress(int job, const QString &stage, int done, int total)
{
    if (job == m_datasetJob && m_openingDataset)
        Q_EMIT progressChanged(stage, done, total);
}

void Session::finishDatasetJob()
{
    const DatasetJobResult result = m_datasetWatcher.result();
    const QString path = m_openingDatasetPath;
    m_openingDataset = false;
    Q_EMIT busyChanged(isBusy());

    if (!result) {
        qCWarning(lcUi) << "Opening dataset" << path << "failed:" << result.error();
        Q_EMIT errorOccurred(tr("Cannot open the dataset %1: %2").arg(path, result.error()));
        return;
    }
    if (result.value()->dataset.size() == 0) {
        qCWarning(lcUi) << "Dataset" << path << "has no items";
        Q_EMIT errorOccurred(tr("The dataset %1 has no items. Choose a folder of images with captions, "
                                "an MS-COCO release or a dataset file.")
                                 .arg(path));
        return;
    }

    setDataset(result.value());
    const Dataset &dataset = m_dataset->dataset;
    qCInfo(lcUi) << "Opened dataset" << path << "with" << dataset.size() << "items";
    // No translation is installed, so tr's %n would print "item(s)"; each count form is written out.
    const int itemCount = dataset.size();
    Q_EMIT statusMessage(itemCount == 1 ? tr("Opened %1: 1 item.").arg(dataset.name)
                                        : tr("Opened %1: %2 items.").arg(dataset.name).arg(itemCount));
}

void Session::openModel(const QString &path)
{
    if (m_loadingModel) {
        Q_EMIT errorOccurred(tr("The model %1 is still being loaded. Wait for it first.").arg(m_loadingModelPath));
        return;
    }

    m_loadingModelPath = path;
    qCInfo(lcUi) << "Loading model" << path;
    m_loadWatcher.setFuture(QtConcurrent::run([path]() -> ModelJobResult {
        Result<TrainedModel> loaded = loadModelFile(path);
        if (!loaded)
            return ModelJobResult::failure(loaded.error());
        return ModelJobResult(TrainedModelPointer(std::make_shared<TrainedModel>(std::move(loaded).value())));
    }));

    m_loadingModel = true;
    Q_EMIT busyChanged(true);
    Q_EMIT progressChanged(tr("Loading %1").arg(QFileInfo(path).fileName()), 0, 0);
}

void Session::finishModelLoad()
{
    const ModelJobResult result = m_loadWatcher.result();
    const QString path = m_loadingModelPath;
    m_loadingModel = false;
    Q_EMIT busyChanged(isBusy());

    if (!result) {
        qCWarning(lcUi) << "Loading model" << path << "failed:" << result.error();
        Q_EMIT errorOccurred(tr("Cannot open the model %1: %2").arg(path, result.error()));
        return;
    }

    setModel(result.value(), path);
    qCInfo(lcUi) << "Loaded model" << path;
    Q_EMIT statusMessage(tr("Opened the model %1.").arg(QFileInfo(path).fileName()));

    // The model stays usable for search, which encodes with the model's own backbone,
    // but codes of this dataset's features would be meaningless.
    if (m_dataset && m_model->imageExtractor != m_dataset->imageFeatures.extractorIdentity) {
        Q_EMIT errorOccurred(tr("The model %1 was trained on image features \"%2\", but the open dataset's features are "
                                "\"%3\". Search works with the model's own database; for the Similarity and Evaluate "
                                "screens, choose the backbone %4 on the Train screen or open the model's dataset.")
                                 .arg(QFileInfo(path).fileName(), m_model->imageExtractor,
                                      m_dataset->imageFeatures.extractorIdentity, m_model->imageBackbone.displayName()));
    }

    if (!m_dataset && !m_openingDataset)
        openDatasetOfModel(*m_model);
}

void Session::openDatasetOfModel(const TrainedModel &model)
{
    if (model.datasetSource.isEmpty())
        return;

    if (!QFileInfo::exists(model.datasetSource)) {
        Q_EMIT statusMessage(tr("The model's dataset %1 was not found. Search works without it; "
                                "open the dataset to see its similarity matrices.")
                                 .arg(model.datasetSource));
        return;
    }
    m_jobSettings.backbone = model.imageBackbone;
    openDataset(model.datasetSource);
}

void Session::saveModel(const QString &path)
{
    if (!m_model) {
        Q_EMIT errorOccurred(tr("There is no model to save. Train one or open a model file first."));
        return;
    }
    if (m_savingModel) {
        Q_EMIT errorOccurred(tr("The model is still being saved to %1.").arg(m_savingModelPath));
        return;
    }

    m_savingModelPath = path;
    m_modelBeingSaved = m_model;
    const TrainedModelPointer model = m_model;
    qCInfo(lcUi) << "Saving model" << path;
    m_saveWatcher.setFuture(QtConcurrent::run([model, path] { return saveModelFile(*model, path); }));

    m_savingModel = true;
    Q_EMIT busyChanged(true);
    Q_EMIT progressChanged(tr("Saving %1").arg(QFileInfo(path).fileName()), 0, 0);
}

void Session::finishModelSave()
{
    const Status status = m_saveWatcher.result();
    const QString path = m_savingModelPath;
    const TrainedModelPointer saved = std::move(m_modelBeingSaved);
    m_savingModel = false;
    Q_EMIT busyChanged(isBusy());

    if (!status) {
        qCWarning(lcUi) << "Saving model" << path << "failed:" << status.error();
        Q_EMIT errorOccurred(tr("Cannot save the model to %1: %2").arg(path, status.error()));
        return;
    }

    // A model trained while the file was written is a different one, not yet saved.
    if (saved == m_model)
        m_modelPath = path;
    qCInfo(lcUi) << "Saved model" << path;
    Q_EMIT modelSaved(path);
    Q_EMIT statusMessage(tr("Saved the model to %1.").arg(path));
}

void Session::cancel()
{
    if (m_datasetCancel && m_openingDataset) {
        m_datasetCancel->store(true);
        Q_EMIT statusMessage(tr("Cancelling…"));
    }
}

QString Session::checkpointFilePath() const
{
    return m_checkpointFolder.isValid() ? m_checkpointFolder.filePath(QStringLiteral("checkpoint.bin")) : QString();
}

void Session::setCheckpoint(const TrainingCheckpoint &checkpoint)
{
    m_checkpoint = checkpoint;
    Q_EMIT checkpointChanged();
}

void Session::setDataset(PreparedDatasetPointer dataset)
{
    m_dataset = std::move(dataset);
    Q_EMIT datasetChanged();
}

void Session::setModel(TrainedModelPointer model, const QString &path)
{
    m_model = std::move(model);
    m_modelPath = path;
    Q_EMIT modelChanged();
}

} // namespace esafh::ui
