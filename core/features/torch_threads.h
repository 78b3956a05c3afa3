#pragma once

#include <ATen/Parallel.h>

#include <QThread>

#include <algorithm>

namespace esafh {

/// Raises LibTorch's CPU thread count to one per hardware thread while a network
/// pass runs, and restores the previous count afterwards. Training sets a low count
/// for its small batches, which would leave a 224 x 224 image batch on one core.
class InferenceThreads
{
public:
    InferenceThreads() : m_previous(at::get_num_threads())
    {
        const int threadCount = std::max(1, QThread::idealThreadCount());
        if (threadCount != m_previous)
            at::set_num_threads(threadCount);
    }
    ~InferenceThreads()
    {
        if (at::get_num_threads() != m_previous)
            at::set_num_threads(m_previous);
    }
    InferenceThreads(const InferenceThreads &) = delete;
    InferenceThreads &operator=(const InferenceThreads &) = delete;

private:
    int m_previous;
};

} // namespace esafh
