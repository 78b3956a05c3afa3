#pragma once

#include <QElapsedTimer>
#include <QString>

namespace esafh::ui {

/// Estimates the time left of a job from the share of work done so far, assuming
/// the remaining units take as long on average as the finished ones.
class RemainingTime
{
public:
    void start() { m_timer.start(); }
    bool isStarted() const { return m_timer.isValid(); }
    double elapsedSeconds() const { return m_timer.isValid() ? m_timer.elapsed() / 1000.0 : 0.0; }

    /// Seconds left, or a negative value while nothing is done yet.
    double secondsLeft(qint64 done, qint64 total) const;

    /// "3 s", "4 min 05 s" or "1 h 02 min".
    static QString formatDuration(double seconds);

private:
    QElapsedTimer m_timer;
};

} // namespace esafh::ui
