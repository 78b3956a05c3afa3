#pragma once

#include "common/result.h"

#include <QString>

namespace esafh {

/// Whether this LibTorch build has CUDA and a GPU is present.
bool cudaAvailable();

/// Resolves "auto", "cpu" or "cuda" to the device training will use: "cuda" when
/// requested or automatic and available, else "cpu". Requesting "cuda" where it is
/// not available fails with a message.
Result<QString> resolveDevice(const QString &requested);

/// Batches of at least this many items use several CPU threads by default.
constexpr int largeBatchSize = 256;

/// Sets LibTorch's CPU thread count: `requested` when above zero; otherwise one
/// thread for batches smaller than largeBatchSize, else one per hardware thread up
/// to 8. Returns the count now in use and logs it with the reason.
int configureThreads(int requested, int batchSize);

} // namespace esafh
