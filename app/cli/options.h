#pragma once

#include "common/result.h"
#include "pipeline/training_job.h"

#include <QCommandLineParser>
#include <QJsonObject>

#include <optional>

namespace esafh::cli {

/// Parses the arguments of one command ("esafh-cli COMMAND ..." with the program and
/// command first). Returns the exit code when the command should end here: after
/// printing --help (ExitSuccess) or an invalid command line (ExitUsage).
std::optional<int> parseArguments(QCommandLineParser *parser, const QStringList &arguments);

/// --dataset, --label-depth, --seed, --query-fraction, --split, --queries-per-label,
/// --training-per-label, --validation, --cache-dir.
void addDatasetOptions(QCommandLineParser *parser);
int readDatasetOptions(const QCommandLineParser &parser, TrainingJobSettings *settings);

/// --method, --set, --bits, --epochs, --batch-size, --device, --threads,
/// --fixed-weights, --k, --ties.
void addTrainingOptions(QCommandLineParser *parser);
/// Starts from the defaults of --method and applies the options given, then --set.
int readTrainingOptions(const QCommandLineParser &parser, TrainingJobSettings *settings);

/// Reads the --set KEY=VALUE options into EsafhSettings::toJson() keys and values.
/// Prints the error and returns ExitUsage for an unknown key (listing the known
/// ones), a missing "=", or a value of the wrong type.
int readSettingAssignments(const QCommandLineParser &parser, QJsonObject *assignments);

/// Reads --ties: "tie-aware" or "index".
int readTieRule(const QCommandLineParser &parser, TieRule *rule);

/// --backbone, --input-size, --mean, --std, --layer, --no-pooling.
void addBackboneOptions(QCommandLineParser *parser);
int readBackboneOptions(const QCommandLineParser &parser, BackboneSpec *spec);

/// Reads an integer option within [minimum, maximum]; prints the error and returns
/// ExitUsage when it is not one.
int readInt(const QCommandLineParser &parser, const QString &name, int minimum, int maximum, int *value);

/// Prints the message and a pointer to --help; returns ExitUsage.
int usageError(const QString &message);

/// Writes indented JSON atomically.
Status writeJsonFile(const QJsonObject &json, const QString &path);

} // namespace esafh::cli
