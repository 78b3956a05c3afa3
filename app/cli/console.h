#pragma once

#include "retrieval/metrics.h"

#include <QString>

#include <atomic>

namespace esafh::cli {

/// Exit codes of esafh-cli.
enum ExitCode
{
    ExitSuccess = 0,
    ExitFailure = 1, ///< The work failed: bad input file, training error, cancelled.
    ExitUsage = 2,   ///< The command line is invalid.
};

/// Writes a line to standard output.
void printLine(const QString &text);
/// Writes a line to standard error.
void printError(const QString &text);
/// Shows "label: done/total" on standard error, in place on a terminal and every
/// tenth otherwise.
void printProgress(const QString &label, int done, int total);

/// The table of mAP@all and mAP@K for both directions, naming the protocol.
QString formatScoresTable(const RetrievalScores &scores, int queryCount, int databaseCount);

/// Set by SIGINT (Ctrl+C) so that long work stops at the next batch.
std::atomic_bool &interruptFlag();
void installInterruptHandler();

} // namespace esafh::cli
