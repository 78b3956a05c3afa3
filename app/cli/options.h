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

/// --dataset, --label-depth, --seed, --query-fraction, --cache-dir.
void addDatasetOptions(QCommandLineParser *parser);
int readDatasetOptions(const QCommandLineParser &parser, TrainingJobSettings *settings);

/// --bits, --epochs, --batch-size, --device, --threads, --fixed-weights, --k.
void addTrainingOptions(QCommandLineParser *parser);
int readTrainingOptions(const QCommandLineParser &parser, TrainingJobSettings *settings);

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
