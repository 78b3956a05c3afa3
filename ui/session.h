#pragma once

#include "pipeline/trained_model.h"
#include "pipeline/training_job.h"

#include <QFutureWatcher>
#include <QObject>
#include <QTemporaryDir>

#include <atomic>
#include <memory>

namespace esafh::ui {

using PreparedDatasetPointer = std::shared_ptr<const PreparedDataset>;
using TrainedModelPointer = std::shared_ptr<const TrainedModel>;

/// The last checkpoint of a training run, from which it can be resumed.
struct TrainingCheckpoint
{
    QString path;        ///< File holding the checkpoint bytes; empty when there is none.
    int epoch = 0;       ///< Epochs finished when it was written.
    TrainingJobSettings settings; ///< The settings of the run, which resuming must reuse.

    bool isValid() const { return !path.isEmpty(); }
};

/// The dataset and the model that the screens show, and the background jobs that
/// open and save them. The dataset and model are immutable once published, so jobs
/// on other threads may read them through their shared pointers.
///
/// Errors never leave the session half-changed: a failed job reports its message
/// through errorOccurred and keeps the previous dataset and model.
class Session : public QObject
{
    Q_OBJECT

public:
    explicit Session(QObject *parent = nullptr);
    /// Cancels the running jobs and waits for them.
    ~Session() override;

    PreparedDatasetPointer dataset() const { return m_dataset; }
    TrainedModelPointer model() const { return m_model; }
    /// File the model was loaded from or last saved to; empty for a model not saved yet.
    QString modelPath() const { return m_modelPath; }
    bool isBusy() const;

    /// Settings used to open datasets: split, vocabulary and feature cache. Training
    /// starts from these too.
    const TrainingJobSettings &jobSettings() const { return m_jobSettings; }
    void setJobSettings(const TrainingJobSettings &settings) { m_jobSettings = settings; }

    /// Opens a dataset folder or file and computes its features in the background,
    /// with the backbone of jobSettings(). Progress reports carry the time left.
    void openDataset(const QString &path);
    /// Computes the open dataset's image features again with another backbone, in
    /// the background, and makes it the backbone of later datasets too. The dataset
    /// is replaced when the features are ready; until then the current one stays.
    void extractFeatures(const BackboneSpec &backbone);
    /// Loads a model file in the background. When no dataset is open, the dataset the
    /// model was trained on is opened too if its folder or file still exists, with
    /// the image backbone the model was trained on.
    void openModel(const QString &path);
    /// Writes the current model in the background.
    void saveModel(const QString &path);
    /// Asks the running dataset job to stop; loading and saving a model run to the end.
    void cancel();

    /// File in a temporary folder of this session that training writes its checkpoints
    /// to; empty when no temporary folder could be created. The folder is removed with the session.
    QString checkpointFilePath() const;
    const TrainingCheckpoint &checkpoint() const { return m_checkpoint; }
    void setCheckpoint(const TrainingCheckpoint &checkpoint);

    void setDataset(PreparedDatasetPointer dataset);
    void setModel(TrainedModelPointer model, const QString &path = {});

Q_SIGNALS:
    void datasetChanged();
    void modelChanged();
    void checkpointChanged();
    void modelSaved(const QString &path);
    void busyChanged(bool busy);
    /// Progress of the running job; total is 0 while the amount of work is unknown.
    void progressChanged(const QString &stage, int done, int total);
    void errorOccurred(const QString &message);
    void statusMessage(const QString &message);

private:
    void finishDatasetJob();
    void finishModelLoad();
    void finishModelSave();
    void openDatasetOfModel(const TrainedModel &model);
    void reportProgress(int job, const QString &stage, int done, int total);

    TrainingJobSettings m_jobSettings;
    QTemporaryDir m_checkpointFolder;
    TrainingCheckpoint m_checkpoint;
    PreparedDatasetPointer m_dataset;
    TrainedModelPointer m_model;
    QString m_modelPath;

    QFutureWatcher<Result<PreparedDatasetPointer>> m_datasetWatcher;
    QFutureWatcher<Result<TrainedModelPointer>> m_loadWatcher;
    QFutureWatcher<Status> m_saveWatcher;
    std::shared_ptr<std::atomic_bool> m_datasetCancel;
    int m_datasetJob = 0; ///< Serial number of the latest dataset job, to drop stale progress.
    QString m_openingDatasetPath;
    QString m_loadingModelPath;
    QString m_savingModelPath;
    TrainedModelPointer m_modelBeingSaved;
    // Each job counts as running until its result is applied, which is later than
    // QFuture::isRunning() turns false.
    bool m_openingDataset = false;
    bool m_loadingModel = false;
    bool m_savingModel = false;
};

} // namespace esafh::ui

Q_DECLARE_METATYPE(esafh::ui::PreparedDatasetPointer)
Q_DECLARE_METATYPE(esafh::ui::TrainedModelPointer)
