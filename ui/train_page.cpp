#include "train_page.h"

#include "loss_chart.h"
#include "scores_view.h"
#include "training_settings_form.h"
#include "training_worker.h"

#include "features/image_extractor.h"

#include <QFile>
#include <QGroupBox>
#include <QJsonObject>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSplitter>
#include <QThread>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <limits>

namespace esafh::ui {

namespace {

QString describeEpoch(const EpochReport &report)
{
    QStringList terms;
    for (const auto &[name, value] : report.lossTerms)
        terms.append(QStringLiteral("%1 %2").arg(name).arg(value, 0, 'f', 4));

    QStringList attention;
    for (int i = 0; i < report.candidateNames.size() && i < static_cast<int>(report.meanAttention.size()); ++i)
        attention.append(QStringLiteral("%1 %2").arg(report.candidateNames[i]).arg(report.meanAttention[i], 0, 'f', 3));

    QString line = TrainPage::tr("Epoch %1/%2: loss %3").arg(report.epoch).arg(report.epochCount).arg(report.loss, 0, 'f', 4);
    if (!terms.isEmpty())
        line += QStringLiteral(" (%1)").arg(terms.join(QStringLiteral(", ")));
    if (!attention.isEmpty()) {
        line += TrainPage::tr("; mean attention %1, spread %2, %3% of items above 0.95")
                    .arg(attention.join(QStringLiteral(", ")))
                    .arg(report.attentionSpread, 0, 'f', 3)
                    .arg(report.dominantShare * 100, 0, 'f', 1);
    }
    if (std::isfinite(report.validationScore))
        line += TrainPage::tr("; validation mAP %1").arg(report.validationScore, 0, 'f', 4);
    line += TrainPage::tr("; %1 constant bits, %2 distinct codes; %3 s")
                .arg(report.constantBits)
                .arg(report.distinctCodes)
                .arg(report.seconds, 0, 'f', 1);
    return line;
}

} // namespace

TrainPage::TrainPage(Session *session, QWidget *parent) : QWidget(parent), m_session(session)
{
    buildLayout();

    connect(m_startButton, &QPushButton::clicked, this, &TrainPage::startTraining);
    connect(m_cancelButton, &QPushButton::clicked, this, &TrainPage::cancelTraining);
    connect(m_pauseButton, &QPushButton::toggled, this, &TrainPage::setPaused);
    connect(m_resumeButton, &QPushButton::clicked, this, &TrainPage::resumeFromCheckpoint);
    connect(m_session, &Session::checkpointChanged, this, &TrainPage::updateControls);
    connect(m_defaultsButton, &QPushButton::clicked, m_settingsForm, &TrainingSettingsForm::restoreDefaults);
    connect(m_session, &Session::datasetChanged, this, &TrainPage::showDataset);
    connect(m_session, &Session::datasetChanged, this, &TrainPage::startWhenFeaturesReady);
    connect(m_session, &Session::errorOccurred, this, &TrainPage::stopWaitingForFeatures);
    connect(m_session, &Session::modelChanged, this, &TrainPage::showModel);

    showDataset();
    showModel();
}

TrainPage::~TrainPage()
{
    if (m_worker) {
        m_worker->requestCancel();
        m_worker->setPaused(false);
    }
    if (m_thread) {
        m_thread->quit();
        m_thread->wait();
    }
}

void TrainPage::buildLayout()
{
    m_settingsForm = new TrainingSettingsForm;
    m_startButton = new QPushButton(tr("Start"));
    m_startButton->setToolTip(tr("Train the chosen method on the open dataset's training set with these settings."));
    m_startButton->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    m_cancelButton = new QPushButton(tr("Cancel"));
    m_cancelButton->setToolTip(tr("Stop after the current batch; no model is kept, but the last epoch's checkpoint is."));
    m_pauseButton = new QPushButton(tr("Pause"));
    m_pauseButton->setCheckable(true);
    m_pauseButton->setToolTip(tr("Hold training after the current batch; press again to continue."));
    m_resumeButton = new QPushButton(tr("Resume from Checkpoint"));
    m_resumeButton->setToolTip(tr("Continue a cancelled run from the checkpoint of its last finished epoch, with its settings."));
    m_defaultsButton = new QPushButton(tr("Restore Defaults"));
    m_datasetLabel = new QLabel;
    m_datasetLabel->setWordWrap(true);

    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_startButton);
    buttons->addWidget(m_pauseButton);
    buttons->addWidget(m_cancelButton);
    buttons->addStretch();
    buttons->addWidget(m_defaultsButton);
    auto *resumeButtons = new QHBoxLayout;
    resumeButtons->addWidget(m_resumeButton);
    resumeButtons->addStretch();

    auto *settingsBox = new QGroupBox(tr("Training settings"));
    auto *settingsLayout = new QVBoxLayout(settingsBox);
    settingsLayout->addWidget(m_datasetLabel);
    settingsLayout->addWidget(m_settingsForm);
    settingsLayout->addLayout(buttons);
    settingsLayout->addLayout(resumeButtons);
    settingsLayout->addStretch();

    auto *settingsScroll = new QScrollArea;
    settingsScroll->setWidget(settingsBox);
    settingsScroll->setWidgetResizable(true);
    settingsScroll->setFrameShape(QFrame::NoFrame);
    settingsScroll->setMinimumWidth(settingsBox->sizeHint().width() + 24);

    m_stageLabel = new QLabel(tr("Idle."));
    m_messageLabel = new QLabel;
    m_messageLabel->setWordWrap(true);
    m_messageLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_progress = new QProgressBar;
    m_progress->setRange(0, 1);
    m_progress->setValue(0);
    m_progress->setFormat(tr("Not started"));

    m_lossChart = new LossChart;
    m_log = new QPlainTextEdit;
    m_log->setReadOnly(true);
    m_log->setPlaceholderText(tr("Each epoch's loss and attention diagnostics appear here."));
    m_log->setMaximumBlockCount(5000);

    auto *scoresBox = new QGroupBox(tr("Scores of the model"));
    m_scoresView = new ScoresView;
    m_modelBackboneLabel = new QLabel;
    m_modelBackboneLabel->setWordWrap(true);
    m_modelBackboneLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto *scoresLayout = new QVBoxLayout(scoresBox);
    scoresLayout->addWidget(m_modelBackboneLabel);
    scoresLayout->addWidget(m_scoresView);

    auto *splitter = new QSplitter(Qt::Vertical);
    splitter->addWidget(m_lossChart);
    splitter->addWidget(m_log);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);

    auto *right = new QVBoxLayout;
    right->addWidget(m_stageLabel);
    right->addWidget(m_progress);
    right->addWidget(m_messageLabel);
    right->addWidget(splitter, 1);
    right->addWidget(scoresBox);

    auto *layout = new QHBoxLayout(this);
    layout->addWidget(settingsScroll);
    layout->addLayout(right, 1);
}

QString TrainPage::logText() const
{
    return m_log->toPlainText();
}

QString TrainPage::messageText() const
{
    return m_messageLabel->text();
}

QString TrainPage::modelBackboneText() const
{
    return m_modelBackboneLabel->text();
}

void TrainPage::updateControls()
{
    const bool training = isTraining() || m_startWhenFeaturesReady;
    m_startButton->setEnabled(!training && m_session->dataset() != nullptr);
    m_cancelButton->setEnabled(training);
    m_pauseButton->setEnabled(isTraining());
    if (!isTraining() && m_pauseButton->isChecked()) {
        const QSignalBlocker blocker(m_pauseButton);
        m_pauseButton->setChecked(false);
        m_pauseButton->setText(tr("Pause"));
    }
    const TrainingCheckpoint &checkpoint = m_session->checkpoint();
    const PreparedDatasetPointer prepared = m_session->dataset();
    m_resumeButton->setEnabled(!training && checkpoint.isValid() && prepared
                               && checkpoint.settings.datasetPath == prepared->dataset.source
                               && checkpoint.epoch < checkpoint.settings.esafh.epochs);
    m_settingsForm->setEnabled(!training);
    m_defaultsButton->setEnabled(!training);
}

void TrainPage::showDataset()
{
    const PreparedDatasetPointer prepared = m_session->dataset();
    if (!prepared) {
        m_datasetLabel->setText(tr("Open a dataset to train on it (File > Open Dataset)."));
    } else {
        const Dataset &dataset = prepared->dataset;
        m_datasetLabel->setText(tr("Trains on %1 of the %2 items of %3, unsupervised: labels are used only for the scores.")
                                    .arg(dataset.split.training.size())
                                    .arg(dataset.size())
                                    .arg(dataset.name));
        // The backbone of the features at hand, so that Start trains without extracting again.
        if (!isTraining() && !m_startWhenFeaturesReady)
            m_settingsForm->setBackbone(prepared->imageFeatures.backbone);
    }
    updateControls();
}

void TrainPage::showModel()
{
    const TrainedModelPointer model = m_session->model();
    if (!model) {
        m_scoresView->clear();
        m_modelBackboneLabel->clear();
        return;
    }
    m_scoresView->setScores(model->scores);
    m_modelBackboneLabel->setText(tr("Image features: %1").arg(model->imageBackbone.displayName()));
    m_modelBackboneLabel->setToolTip(tr("Identity of the features: %1").arg(model->imageExtractor));

    // A model opened from a file: show what it was trained with and how it converged.
    if (model != m_trainedModel && !isTraining()) {
        m_settingsForm->setSettings(model->settings);
        m_settingsForm->setBackbone(model->imageBackbone);
        showModelHistory(*model);
        m_stageLabel->setText(tr("Showing the model %1, trained in %2 on %3.")
                                  .arg(m_session->modelPath().isEmpty() ? tr("in memory") : m_session->modelPath(),
                                       RemainingTime::formatDuration(model->trainingSeconds), model->datasetName));
    }
}

void TrainPage::showModelHistory(const TrainedModel &model)
{
    m_lossChart->setHistory(model.history);
    m_log->clear();
    m_messageLabel->clear();

    const int epochs = int(model.history.size());
    m_progress->setRange(0, 1);
    m_progress->setValue(1);
    if (epochs == 0) {
        m_progress->setFormat(tr("Trained; the model file has no per-epoch history"));
        return;
    }
    m_progress->setFormat(epochs == 1 ? tr("Trained for 1 epoch") : tr("Trained for %1 epochs").arg(epochs));

    for (const QJsonValue &entry : model.history) {
        const QJsonObject epoch = entry.toObject();
        QString line = tr("Epoch %1/%2: loss %3")
                           .arg(epoch.value(QStringLiteral("epoch")).toInt())
                           .arg(epochs)
                           .arg(epoch.value(QStringLiteral("loss")).toDouble(), 0, 'f', 4);
        if (epoch.value(QStringLiteral("validation_map")).isDouble())
            line += tr("; validation mAP %1").arg(epoch.value(QStringLiteral("validation_map")).toDouble(), 0, 'f', 4);
        appendLog(line);
    }
}

void TrainPage::startTraining()
{
    if (isTraining())
        return;

    const PreparedDatasetPointer prepared = m_session->dataset();
    if (!prepared) {
        m_messageLabel->setText(tr("Open a dataset first (File > Open Dataset)."));
        return;
    }

    TrainingJobSettings settings = m_session->jobSettings();
    settings.datasetPath = prepared->dataset.source;
    settings.esafh = m_settingsForm->settings();
    if (const Status valid = settings.esafh.validate(); !valid) {
        m_messageLabel->setText(valid.error());
        return;
    }

    const Result<BackboneSpec> backbone = m_settingsForm->backbone();
    if (!backbone) {
        m_messageLabel->setText(backbone.error());
        return;
    }
    const Result<QString> identity = backboneIdentity(backbone.value());
    if (!identity) {
        m_messageLabel->setText(identity.error());
        return;
    }
    if (identity.value() != prepared->imageFeatures.extractorIdentity) {
        m_startWhenFeaturesReady = true;
        m_messageLabel->clear();
        m_stageLabel->setText(tr("Extracting the image features with %1 first; training starts when they are ready.")
                                  .arg(backbone->displayName()));
        m_session->extractFeatures(backbone.value());
        updateControls();
        return;
    }
    settings.backbone = backbone.value();
    startWorker(prepared, settings, QByteArray());
}

void TrainPage::resumeFromCheckpoint()
{
    const TrainingCheckpoint checkpoint = m_session->checkpoint();
    const PreparedDatasetPointer prepared = m_session->dataset();
    if (isTraining() || !checkpoint.isValid() || !prepared)
        return;

    QFile file(checkpoint.path);
    if (!file.open(QIODevice::ReadOnly)) {
        m_messageLabel->setText(tr("Cannot read the checkpoint %1: %2").arg(checkpoint.path, file.errorString()));
        return;
    }
    const QByteArray bytes = file.readAll();

    // The checkpoint only fits the run's own settings, so the form shows them again.
    m_settingsForm->setSettings(checkpoint.settings.esafh);
    m_settingsForm->setBackbone(checkpoint.settings.backbone);
    startWorker(prepared, checkpoint.settings, bytes);
    appendLog(tr("Resuming after epoch %1 of %2.").arg(checkpoint.epoch).arg(checkpoint.settings.esafh.epochs));
}

void TrainPage::startWorker(const PreparedDatasetPointer &prepared, const TrainingJobSettings &settings,
                            const QByteArray &resumeCheckpoint)
{
    m_runningSettings = settings;
    m_epochCount = settings.esafh.epochs;
    m_lastRunSucceeded = false;
    m_lossChart->clear();
    m_lossChart->setEpochCount(m_epochCount);
    m_log->clear();
    m_messageLabel->clear();
    m_progress->setRange(0, 0); // Busy until the first batch gives the number of batches.
    m_progress->setFormat(tr("Starting"));
    appendLog(tr("Training %1 at %2 bits for %3 epochs with batches of %4 on %5.")
                  .arg(settings.esafh.method.toUpper())
                  .arg(settings.esafh.bits)
                  .arg(settings.esafh.epochs)
                  .arg(settings.esafh.batchSize)
                  .arg(prepared->dataset.name));

    m_thread = new QThread(this);
    m_thread->setObjectName(QStringLiteral("training"));
    auto *worker = new TrainingWorker(prepared, settings);
    worker->setCheckpointPath(m_session->checkpointFilePath());
    worker->setResumeCheckpoint(resumeCheckpoint);
    worker->moveToThread(m_thread);
    m_worker = worker;

    connect(m_thread, &QThread::started, worker, &TrainingWorker::run);
    connect(worker, &TrainingWorker::stageChanged, this, &TrainPage::showStage);
    connect(worker, &TrainingWorker::batchFinished, this, &TrainPage::showBatch);
    connect(worker, &TrainingWorker::epochFinished, this, &TrainPage::showEpoch);
    connect(worker, &TrainingWorker::checkpointSaved, this, &TrainPage::keepCheckpoint);
    connect(worker, &TrainingWorker::succeeded, this, &TrainPage::finishWithModel);
    connect(worker, &TrainingWorker::failed, this, &TrainPage::finishWithError);
    connect(worker, &TrainingWorker::finished, this, &TrainPage::releaseWorker);
    connect(m_thread, &QThread::finished, worker, &QObject::deleteLater);

    m_remainingTime.start();
    m_thread->start();
    updateControls();
    Q_EMIT trainingStarted();
}

bool TrainPage::isPaused() const
{
    return m_worker && m_worker->isPaused();
}

void TrainPage::setPaused(bool paused)
{
    if (!m_worker)
        return;
    m_worker->setPaused(paused);
    if (m_pauseButton->isChecked() != paused) {
        const QSignalBlocker blocker(m_pauseButton);
        m_pauseButton->setChecked(paused);
    }
    m_pauseButton->setText(paused ? tr("Continue") : tr("Pause"));
    m_stageLabel->setText(paused ? tr("Paused after the current batch.") : tr("Training."));
    appendLog(paused ? tr("Paused.") : tr("Continued."));
}

void TrainPage::keepCheckpoint(const QString &path, int epoch)
{
    m_session->setCheckpoint(TrainingCheckpoint{path, epoch, m_runningSettings});
}

void TrainPage::startWhenFeaturesReady()
{
    if (!m_startWhenFeaturesReady)
        return;
    m_startWhenFeaturesReady = false;
    updateControls();

    // Features of another backbone (after a fallback) end the wait with a message
    // naming what was extracted, so that Start does not extract again in a loop.
    const PreparedDatasetPointer prepared = m_session->dataset();
    const Result<BackboneSpec> backbone = m_settingsForm->backbone();
    const Result<QString> identity = backbone ? backboneIdentity(backbone.value()) : Result<QString>::failure(backbone.error());
    if (prepared && identity && prepared->imageFeatures.extractorIdentity != identity.value()) {
        m_stageLabel->setText(tr("Training not started."));
        m_messageLabel->setText(tr("The features were extracted with %1, not %2: %3")
                                    .arg(prepared->imageFeatures.backbone.displayName(), backbone->displayName(),
                                         prepared->dataset.importMessages.join(QLatin1Char(' '))));
        return;
    }
    startTraining();
}

void TrainPage::stopWaitingForFeatures()
{
    if (!m_startWhenFeaturesReady)
        return;
    m_startWhenFeaturesReady = false;
    m_stageLabel->setText(tr("Training not started: the image features could not be extracted."));
    updateControls();
}

void TrainPage::cancelTraining()
{
    if (!m_worker)
        return;
    m_worker->requestCancel();
    m_worker->setPaused(false);
    m_cancelButton->setEnabled(false);
    m_stageLabel->setText(tr("Cancelling after the current batch…"));
}

void TrainPage::showStage(const QString &stage)
{
    m_stageLabel->setText(stage);
    appendLog(stage);
}

void TrainPage::showBatch(const BatchReport &report)
{
    if (report.batchCount <= 0)
        return;

    const qint64 total = static_cast<qint64>(m_epochCount) * report.batchCount;
    // Epochs and batches are counted from 1.
    const qint64 done = static_cast<qint64>(report.epoch - 1) * report.batchCount + report.batch;
    if (m_progress->maximum() != total)
        m_progress->setRange(0, static_cast<int>(std::min<qint64>(total, std::numeric_limits<int>::max())));
    m_progress->setValue(static_cast<int>(std::min<qint64>(done, m_progress->maximum())));

    const double secondsLeft = m_remainingTime.secondsLeft(done, total);
    QString format = tr("Epoch %1 of %2, batch %3 of %4").arg(report.epoch).arg(m_epochCount).arg(report.batch).arg(report.batchCount);
    if (secondsLeft >= 0)
        format += tr(", about %1 left").arg(RemainingTime::formatDuration(secondsLeft));
    m_progress->setFormat(format);

    m_lossChart->addBatch(report);
}

void TrainPage::showEpoch(const EpochReport &report)
{
    m_lossChart->addEpoch(report);
    appendLog(describeEpoch(report));
}

void TrainPage::finishWithModel(const TrainedModelPointer &model)
{
    m_trainedModel = model;
    m_lastRunSucceeded = true;
    m_progress->setRange(0, 1);
    m_progress->setValue(1);
    m_progress->setFormat(tr("Done in %1").arg(RemainingTime::formatDuration(m_remainingTime.elapsedSeconds())));

    const RetrievalScores &scores = model->scores;
    appendLog(tr("Finished: mAP@all i2t %1, t2i %2; mAP@%3 i2t %4, t2i %5 (%6).")
                  .arg(scores.imageToTextAll, 0, 'f', 4)
                  .arg(scores.textToImageAll, 0, 'f', 4)
                  .arg(scores.k)
                  .arg(scores.imageToTextAtK, 0, 'f', 4)
                  .arg(scores.textToImageAtK, 0, 'f', 4)
                  .arg(tieRuleName(scores.tieRule)));
    m_stageLabel->setText(tr("Trained. The model is in use on the other screens; save it with File > Save Model As."));
    m_session->setModel(model);
}

void TrainPage::finishWithError(const QString &message)
{
    m_lastRunSucceeded = false;
    m_progress->setRange(0, 1);
    m_progress->setValue(0);
    m_progress->setFormat(tr("Stopped"));
    m_stageLabel->setText(tr("Training stopped."));
    m_messageLabel->setText(message);
    appendLog(message);
}

void TrainPage::releaseWorker()
{
    m_thread->quit();
    m_thread->wait();
    m_thread->deleteLater();
    m_thread = nullptr;
    m_worker.clear();
    updateControls();
    Q_EMIT trainingFinished(m_lastRunSucceeded);
}

void TrainPage::appendLog(const QString &line)
{
    m_log->appendPlainText(line);
}

} // namespace esafh::ui
