#pragma once

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

} // namespace esafh::cli
