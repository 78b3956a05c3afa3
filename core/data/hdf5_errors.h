#pragma once

// Silences HDF5's error printing while a reader probes a file, so that a missing
// dataset becomes one message of ours instead of an HDF5 error stack on stderr.
// Not part of the public API.

#include <hdf5.h>

namespace esafh::detail {

/// Turns off HDF5's automatic error printing for the current thread until the
/// object is destroyed, then restores the previous handler. Hold
/// fileLibraryMutex() while it lives.
class QuietHdf5Errors
{
public:
    QuietHdf5Errors()
    {
        H5Eget_auto2(H5E_DEFAULT, &m_function, &m_data);
        H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    }
    ~QuietHdf5Errors() { H5Eset_auto2(H5E_DEFAULT, m_function, m_data); }

    QuietHdf5Errors(const QuietHdf5Errors &) = delete;
    QuietHdf5Errors &operator=(const QuietHdf5Errors &) = delete;

private:
    H5E_auto2_t m_function = nullptr;
    void *m_data = nullptr;
};

} // namespace esafh::detail
