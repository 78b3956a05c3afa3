#include "bench_report.h"

#include <QTextStream>

#include <QFile>

#include <time.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace esafh::bench {

namespace {

QTextStream &output()
{
    static QTextStream stream(stdout);
    return stream;
}

} // namespace

Report::Report(bool markdown)
    : m_markdown(markdown)
{
}

void Report::section(const QString &title)
{
    if (m_markdown)
        output() << "\n### " << title << "\n";
    else
        output() << "\n# " << title << "\n";
    m_tableOpen = false;
    output().flush();
}

void Report::add(const QString &name, double value, const QString &unit)
{
    print(name, (formatValue(value) + QLatin1Char(' ') + unit).trimmed(), QString());
}

void Report::add(const QString &name, double value, const QString &unit, double baselineValue,
                 const QString &baselineName)
{
    const QString ratio = baselineValue > 0 && std::isfinite(value)
                              ? QStringLiteral("%1 x %2").arg(formatValue(value / baselineValue), baselineName)
                              : QStringLiteral("no %1 to compare").arg(baselineName);
    print(name, (formatValue(value) + QLatin1Char(' ') + unit).trimmed(), ratio);
}

void Report::note(const QString &text)
{
    if (m_markdown)
        output() << "\n" << text << "\n";
    else
        output() << "## " << text << "\n";
    m_tableOpen = false;
    output().flush();
}

void Report::print(const QString &name, const QString &value, const QString &comparison)
{
    if (m_markdown && !m_tableOpen) {
        output() << "\n| Measure | Value | Compared with |\n|---|---|---|\n";
        m_tableOpen = true;
    }
    if (m_markdown)
        output() << "| " << name << " | " << value << " | " << comparison << " |\n";
    else if (comparison.isEmpty())
        output() << name << ": " << value << "\n";
    else
        output() << name << ": " << value << " (" << comparison << ")\n";
    output().flush();
}

QString formatValue(double value)
{
    if (!std::isfinite(value))
        return QStringLiteral("n/a");
    if (std::abs(value) >= 1000)
        return QString::number(std::llround(value));
    return QString::number(value, 'g', 3);
}

double secondsOf(const std::function<void()> &work)
{
    const auto start = std::chrono::steady_clock::now();
    work();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

double medianSecondsOf(int repeats, const std::function<void()> &work)
{
    work();
    std::vector<double> seconds;
    for (int i = 0; i < std::max(1, repeats); ++i)
        seconds.push_back(secondsOf(work));
    std::nth_element(seconds.begin(), seconds.begin() + seconds.size() / 2, seconds.end());
    return seconds[seconds.size() / 2];
}

double processCpuSeconds()
{
    timespec time{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time);
    return static_cast<double>(time.tv_sec) + static_cast<double>(time.tv_nsec) / 1e9;
}

namespace {

/// A "Vm...:  1234 kB" line of /proc/self/status, in MiB; NaN when missing.
double statusMiB(const QByteArray &field)
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return std::numeric_limits<double>::quiet_NaN();
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith(field + ':'))
            return line.mid(field.size() + 1).trimmed().split(' ').value(0).toDouble() / 1024.0;
    }
    return std::numeric_limits<double>::quiet_NaN();
}

} // namespace

double residentMemoryMiB()
{
    return statusMiB("VmRSS");
}

double peakMemoryMiB()
{
    return statusMiB("VmHWM");
}

bool resetPeakMemory()
{
    // Writing 5 to clear_refs resets VmHWM to the current resident size.
    QFile clearRefs(QStringLiteral("/proc/self/clear_refs"));
    return clearRefs.open(QIODevice::WriteOnly) && clearRefs.write("5") == 1;
}

} // namespace esafh::bench
