#include "method/device.h"

#include "common/logging.h"

#include <torch/cuda.h>
#include <torch/utils.h>

#include <algorithm>
#include <thread>

namespace esafh {

bool cudaAvailable()
{
    return torch::cuda::is_available();
}

Result<QString> resolveDevice(const QString &requested)
{
    const QString name = requested.trimmed().toLower();
    if (name == QLatin1String("cpu"))
        return QStringLiteral("cpu");
    if (name == QLatin1String("auto") || name.isEmpty())
        return cudaAvailable() ? QStringLiteral("cuda") : QStringLiteral("cpu");
    if (name == QLatin1String("cuda")) {
        if (cudaAvailable())
            return QStringLiteral("cuda");
        return Result<QString>::failure(
            QStringLiteral("Device \"cuda\" requested, but this LibTorch build has no CUDA support or no GPU "
                           "is present. Choose \"cpu\" or \"auto\"."));
    }
    return Result<QString>::failure(
        QStringLiteral("Unknown device \"%1\": expected \"auto\", \"cpu\" or \"cuda\".").arg(requested));
}

// NOTE: batches of 32 give each operation little work. On a shared 2-core machine
// under load, two threads made an epoch of 628 Tux Paint items 10 to 15 times
// slower than one (0.28 s against 2.4 to 5.5 s), so callers may prefer 1.
int configureThreads(int requested)
{
    int threads = requested;
    if (threads <= 0) {
        // hardware_concurrency() may return 0 when it cannot tell.
        threads = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
        qCInfo(lcTraining, "Using %d CPU threads for LibTorch (the number of hardware threads)", threads);
    } else {
        qCInfo(lcTraining, "Using %d CPU threads for LibTorch, as requested", threads);
    }
    torch::set_num_threads(threads);
    return torch::get_num_threads();
}

} // namespace esafh
