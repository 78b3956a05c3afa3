#include "console.h"

#include <QStringList>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <unistd.h>

namespace esafh::cli {

void printLine(const QString &text)
{
    std::fprintf(stdout, "%s\n", text.toLocal8Bit().constData());
    std::fflush(stdout);
}

void printError(const QString &text)
{
    std::fprintf(stderr, "%s\n", text.toLocal8Bit().constData());
    std::fflush(stderr);
}

QString formatDuration(double seconds)
{
    const qint64 whole = static_cast<qint64>(seconds + 0.5);
    if (whole < 60)
        return QStringLiteral("%1 s").arg(whole);
    if (whole < 3600)
        return QStringLiteral("%1 min %2 s").arg(whole / 60).arg(whole % 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1 h %2 min").arg(whole / 3600).arg((whole % 3600) / 60, 2, 10, QLatin1Char('0'));
}

void printProgress(const QString &label, int done, int total, double secondsLeft)
{
    static const bool terminal = isatty(fileno(stderr));
    QString line = QStringLiteral("%1: %2/%3").arg(label).arg(done).arg(total);
    if (secondsLeft >= 0 && done < total)
        line += QStringLiteral(", about %1 left").arg(formatDuration(secondsLeft));

    if (terminal) {
        // Spaces after the text clear the end of a longer previous line.
        std::fprintf(stderr, "\r%-60s%s", line.toLocal8Bit().constData(), done == total ? "\n" : "");
        std::fflush(stderr);
        return;
    }
    // One line per tenth of the work, whatever the batch size.
    static int lastTenth = -1;
    const int tenth = total > 0 ? static_cast<int>(10LL * done / total) : 10;
    if (tenth < lastTenth)
        lastTenth = -1; // a new job
    if (tenth != lastTenth || done == total) {
        lastTenth = tenth;
        printError(line);
    }
}

QString formatScoresTable(const RetrievalScores &scores, int queryCount, int databaseCount)
{
    const QString header = QStringLiteral("Protocol: Hamming ranking, %1, relevant = shares a label; %2 queries, %3 database items")
                               .arg(tieRuleName(scores.tieRule))
                               .arg(queryCount)
                               .arg(databaseCount);
    const QString columns = QStringLiteral("%1  %2  %3").arg(QStringLiteral("Direction"), -15).arg(QStringLiteral("mAP@all"), 8).arg(QStringLiteral("mAP@%1").arg(scores.k), 8);
    auto row = [](const QString &name, double all, double atK) {
        return QStringLiteral("%1  %2  %3").arg(name, -15).arg(all, 8, 'f', 4).arg(atK, 8, 'f', 4);
    };
    QStringList lines;
    lines << header << columns;
    lines << row(QStringLiteral("Image to text"), scores.imageToTextAll, scores.imageToTextAtK);
    lines << row(QStringLiteral("Text to image"), scores.textToImageAll, scores.textToImageAtK);
    return lines.join(QLatin1Char('\n'));
}

std::atomic_bool &interruptFlag()
{
    static std::atomic_bool flag{false};
    return flag;
}

namespace {

void handleInterrupt(int)
{
    // A second Ctrl+C ends the program at once.
    if (interruptFlag().exchange(true))
        std::_Exit(130);
}

} // namespace

void installInterruptHandler()
{
    std::signal(SIGINT, handleInterrupt);
}

} // namespace esafh::cli
