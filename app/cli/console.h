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
/// tenth otherwise, followed by ", about 1 min 05 s left" when secondsLeft is not
/// negative.
void printProgress(const QString &label, int done, int total, double secondsLeft = -1);

/// Formats a duration in seconds as "3 s", "4 min 05 s" or "1 h 02 min".
QString formatDuration(double seconds);

/// The table of mAP@all and mAP@K for both directions, naming the protocol.
QString formatScoresTable(const RetrievalScores &scores, int queryCount, int databaseCount);

/// Set by SIGINT (Ctrl+C) so that long work stops at the next batch.
std::atomic_bool &interruptFlag();
void installInterruptHandler();

} // namespace esafh::cli
