#pragma once

#include <QString>
#include <QStringList>

#include <chrono>
#include <functional>

namespace esafh::bench {

/// Settings shared by every benchmark.
struct BenchOptions
{
    bool quick = false;    ///< Smaller sizes, so the whole run takes about a minute.
    bool markdown = false; ///< Print a Markdown table instead of plain lines.
    QStringList sections;  ///< Sections to run; empty runs all.
};

/// Printer of measures, one per line as "name: value unit (ratio x baseline)", or
/// one per row of a Markdown table. The ratio is value / baseline, both in the same unit,
/// so it is above 1 when a rate is higher or a time is longer than the baseline's.
class Report
{
public:
    explicit Report(bool markdown);

    /// Starts a group of measures, printed as a heading.
    void section(const QString &title);

    /// A measure without a baseline.
    void add(const QString &name, double value, const QString &unit);

    /// A measure with its ratio to a baseline measured in the same run.
    void add(const QString &name, double value, const QString &unit, double baselineValue,
             const QString &baselineName);

    /// A line of context, such as a size or a setting that applies to the measures below.
    void note(const QString &text);

private:
    void print(const QString &name, const QString &value, const QString &comparison);

    bool m_markdown;
    bool m_tableOpen = false; ///< Whether a Markdown table header was printed since the last text.
};

/// Formats a value with three significant digits, or as a whole number from 1000 up.
QString formatValue(double value);

/// Wall-clock seconds of one call.
double secondsOf(const std::function<void()> &work);

/// Median seconds per call over `repeats` calls, after one call to warm caches.
double medianSecondsOf(int repeats, const std::function<void()> &work);

/// CPU time of this process so far, all threads, in seconds.
double processCpuSeconds();

/// Resident memory of this process now (VmRSS of /proc/self/status), in MiB.
double residentMemoryMiB();

/// Peak resident memory of this process (VmHWM of /proc/self/status), in MiB:
/// since the last resetPeakMemory(), or since the process started.
double peakMemoryMiB();

/// Starts a new peak for peakMemoryMiB() at the current resident memory (Linux 4.0
/// or later). Returns false when the kernel rejects it, and the peak then still
/// counts from the start of the process.
bool resetPeakMemory();

} // namespace esafh::bench
