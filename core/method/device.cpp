#include "method/device.h"

#include "common/logging.h"

#include <torch/cuda.h>
#include <torch/utils.h>

#include <dlfcn.h>

#include <algorithm>
#include <thread>

namespace esafh {

namespace {

/// Gives OpenBLAS the same thread count. LibTorch sets only its own threads, and
/// OpenBLAS's pthread build (Debian's libopenblas0-pthread) otherwise runs one
/// busy-waiting thread per core. With 1 LibTorch thread on a busy 2-core machine,
/// an epoch on the Tux Paint stamps took 0.36 s instead of 0.22 s. The function is
/// looked up at run time because the system chooses the BLAS behind LibTorch.
void setBlasThreads(int threads)
{
    using SetThreads = void (*)(int);
    if (auto setThreads = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"))) {
        setThreads(threads);
        qCInfo(lcTraining, "Using %d OpenBLAS thread(s)", threads);
    }
}

} // namespace

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

int configureThreads(int requested, int batchSize)
{
    int threads = requested;
    if (threads > 0) {
        qCInfo(lcTraining, "Using %d CPU threads for LibTorch, as requested", threads);
    } else if (batchSize < largeBatchSize) {
        // Batches of 32 give each operation too little work to share: on the Tux Paint
        // stamps (628 training items, 10 epochs, 2-core machine) training took 4.7 s
        // with one thread and 17.8 s with two.
        threads = 1;
        qCInfo(lcTraining, "Using 1 CPU thread for LibTorch: batches of %d items are too small to share", batchSize);
    } else {
        // hardware_concurrency() may return 0 when it cannot tell.
        threads = std::clamp(static_cast<int>(std::thread::hardware_concurrency()), 1, 8);
        qCInfo(lcTraining, "Using %d CPU threads for LibTorch for batches of %d items", threads, batchSize);
    }
    torch::set_num_threads(threads);
    setBlasThreads(threads);
    return torch::get_num_threads();
}

} // namespace esafh
