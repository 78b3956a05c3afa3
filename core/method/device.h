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

/// Sets LibTorch's CPU thread count: `requested` when above zero, else the number
/// of hardware threads. Returns the count now in use and logs it.
int configureThreads(int requested);

} // namespace esafh
