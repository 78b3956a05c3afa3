#include "remaining_time.h"

#include <QCoreApplication>

#include <cmath>

namespace esafh::ui {

double RemainingTime::secondsLeft(qint64 done, qint64 total) const
{
    if (!m_timer.isValid() || done <= 0 || total <= 0)
        return -1;
    if (done >= total)
        return 0;
    return elapsedSeconds() / static_cast<double>(done) * static_cast<double>(total - done);
}

QString RemainingTime::formatDuration(double seconds)
{
    const qint64 whole = std::llround(std::max(0.0, seconds));
    const qint64 hours = whole / 3600;
    const qint64 minutes = whole % 3600 / 60;
    const qint64 secondsPart = whole % 60;

    if (hours > 0)
        return QCoreApplication::translate("RemainingTime", "%1 h %2 min").arg(hours).arg(minutes, 2, 10, QLatin1Char('0'));
    if (minutes > 0)
        return QCoreApplication::translate("RemainingTime", "%1 min %2 s").arg(minutes).arg(secondsPart, 2, 10, QLatin1Char('0'));
    return QCoreApplication::translate("RemainingTime", "%1 s").arg(secondsPart);
}

} // namespace esafh::ui
