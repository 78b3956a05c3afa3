#pragma once

#include "pipeline/training_job.h"

#include <QCommandLineParser>
#include <QJsonObject>
#include <QStringList>

namespace esafh::cli {

/// One subcommand of esafh-cli. `arguments` starts with the program name followed
/// by the subcommand, as QCommandLineParser expects. Returns the exit code.
int runBackbones(const QStringList &arguments);
int runImport(const QStringList &arguments);
int runFeatures(const QStringList &arguments);
int runTrain(const QStringList &arguments);
int runEvaluate(const QStringList &arguments);
int runSearch(const QStringList &arguments);
int runRerun(const QStringList &arguments);
int runCompare(const QStringList &arguments);

/// Whether `path` is a .mat or HDF5 feature file, which 'import' turns into a
/// feature dataset description.
bool isFeatureFile(const QString &path);
/// --image-variable, --text-variable, --label-variable, --label-form, --items,
/// --query-variable, --database-variable, --training-variable, --index-base, --name.
void addFeatureImportOptions(QCommandLineParser *parser);
/// Writes the feature dataset description of `file` to `output` after loading it
/// once to check every variable.
int importFeatureFile(const QCommandLineParser &parser, const QString &file, const QString &output);

// Shared by the commands.

/// Progress on standard error: stages, feature extraction and one line per epoch.
/// Ctrl+C cancels.
TrainingJobCallbacks terminalCallbacks();
/// Prints the dataset's size, split and import messages on standard error.
void printDatasetSummary(const PreparedDataset &prepared);
/// The scores with the protocol that produced them.
QJsonObject evaluationJson(const RetrievalScores &scores, int queryCount, int databaseCount);
/// The default run record of a model file: its path with the suffix .run.json.
QString runRecordPathFor(const QString &modelPath);
/// Evaluates the model with curves and writes its run record to `path` (and to
/// `record` when given). Prints the error and returns ExitFailure when that fails.
int writeRunRecord(const TrainedModel &model, const PreparedDataset &prepared, const TrainingJobSettings &settings,
                   const QString &path, QJsonObject *record = nullptr);

} // namespace esafh::cli
