#pragma once

// The arrays of feature files as the format readers return them, before orientation
// and conversion. Not part of the public API.

#include "common/result.h"
#include "data/feature_files.h"

#include <QString>
#include <QStringList>

#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

namespace esafh::detail {

enum class FileFormat
{
    Mat,  ///< MAT-file of version 5, 7 or 7.3, read through matio.
    Hdf5, ///< HDF5 file without a MATLAB header.
    Npy,  ///< NumPy .npy file.
    Other,
};

/// Recognises the format from the first bytes of an existing file. Fails when the
/// file is missing or cannot be read.
Result<FileFormat> detectFileFormat(const QString &file);

enum class ElementType
{
    Bool, ///< One byte per element, 0 or 1.
    Int8,
    UInt8,
    Int16,
    UInt16,
    Int32,
    UInt32,
    Int64,
    UInt64,
    Float32,
    Float64,
};

/// A real numeric array of at most 2 dimensions, with its values in the reader's
/// buffer. `owner` keeps that buffer alive.
struct StoredArray
{
    QString file;
    VariableInfo info;
    qint64 rows = 0;    ///< First dimension; a 1-dimensional array is rows x 1.
    qint64 columns = 0;
    bool columnMajor = false; ///< Element (r, c) is at r + c * rows, otherwise at r * columns + c.
    bool matlabSubscripts = false; ///< Messages show positions as MATLAB's 1-based X(r, c).
    ElementType elementType = ElementType::Float64;

    /// Dense: rows * columns elements. Sparse: one element per stored entry.
    const void *values = nullptr;

    /// Compressed sparse columns, as MATLAB stores sparse matrices: the entries of
    /// column c are values[columnStarts[c]] .. values[columnStarts[c + 1] - 1], at
    /// rows rowIndices[...].
    bool sparse = false;
    const std::uint32_t *rowIndices = nullptr;
    const std::uint32_t *columnStarts = nullptr;

    std::shared_ptr<const void> owner;

    /// The value at (row, column) as a double, for messages.
    double valueAt(qint64 row, qint64 column) const;
    /// "data.X1(8, 4)" for a .mat file, "[7, 3]" otherwise, from 0-based indices.
    QString subscript(qint64 row, qint64 column) const;
};

/// Calls `function` with `values` cast to a pointer to the C++ type of `type`.
template <typename Function>
void visitElements(ElementType type, const void *values, Function &&function)
{
    switch (type) {
    case ElementType::Bool:
    case ElementType::UInt8:
        function(static_cast<const std::uint8_t *>(values));
        return;
    case ElementType::Int8:
        function(static_cast<const std::int8_t *>(values));
        return;
    case ElementType::Int16:
        function(static_cast<const std::int16_t *>(values));
        return;
    case ElementType::UInt16:
        function(static_cast<const std::uint16_t *>(values));
        return;
    case ElementType::Int32:
        function(static_cast<const std::int32_t *>(values));
        return;
    case ElementType::UInt32:
        function(static_cast<const std::uint32_t *>(values));
        return;
    case ElementType::Int64:
        function(static_cast<const std::int64_t *>(values));
        return;
    case ElementType::UInt64:
        function(static_cast<const std::uint64_t *>(values));
        return;
    case ElementType::Float32:
        function(static_cast<const float *>(values));
        return;
    case ElementType::Float64:
        function(static_cast<const double *>(values));
        return;
    }
}

/// A short shape for messages: "128 x 2866", "2173" or "a scalar".
QString describeShape(const std::vector<qint64> &shape);

/// The message for a variable that is not in the file, listing those present.
QString missingVariableMessage(const QString &file, const QString &variable,
                               const std::vector<VariableInfo> &present);

/// The file name as messages show it.
QString shownPath(const QString &file);

/// Serialises calls into matio and HDF5. Debian builds HDF5 without its thread-safe
/// option, and matio calls HDF5 for v7.3 files and keeps a global log handler.
std::mutex &fileLibraryMutex();

// One set of functions per format. `variable` is checked against the file's
// contents, and a missing one fails with missingVariableMessage().

Result<std::vector<VariableInfo>> listMatVariables(const QString &file);
Result<StoredArray> readMatArray(const QString &file, const QString &variable);
Result<QStringList> readMatStrings(const QString &file, const QString &variable);

Result<std::vector<VariableInfo>> listHdf5Variables(const QString &file);
Result<StoredArray> readHdf5Array(const QString &file, const QString &variable);
Result<QStringList> readHdf5Strings(const QString &file, const QString &variable);

Result<VariableInfo> readNpyInfo(const QString &file);
Result<StoredArray> readNpyArray(const QString &file);
Result<QStringList> readNpyStrings(const QString &file);

} // namespace esafh::detail
