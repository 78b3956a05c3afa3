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

void printProgress(const QString &label, int done, int total)
{
    static const bool terminal = isatty(fileno(stderr));
    if (terminal) {
        std::fprintf(stderr, "\r%s: %d/%d%s", label.toLocal8Bit().constData(), done, total, done == total ? "\n" : "");
        std::fflush(stderr);
        return;
    }
    const int step = std::max(1, total / 10);
    if (done == total || done % step == 0)
        printError(QStringLiteral("%1: %2/%3").arg(label).arg(done).arg(total));
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
