#pragma once

// Writers of small feature files for the loader tests. MAT-files of version 5 and
// 7.3 come from matio's write API, HDF5 files from the HDF5 C API and .npy files are
// written byte by byte. The readers are so checked against files that the formats'
// own libraries, or the .npy specification, produce.

#include <hdf5.h>
#include <matio.h>

#include <QByteArray>
#include <QFile>
#include <QString>
#include <QStringList>
#include <QtEndian>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

namespace esafh::test {

// ---- MAT-files ----------------------------------------------------------------

/// A dense real matrix. `columnMajor` contains rows * columns values in MATLAB order.
inline matvar_t *matMatrix(const char *name, matio_classes classType, matio_types dataType, size_t rows,
                           size_t columns, const void *columnMajor, int flags = 0)
{
    size_t dims[2] = {rows, columns};
    return Mat_VarCreate(name, classType, dataType, 2, dims, const_cast<void *>(columnMajor), flags);
}

inline matvar_t *matDouble(const char *name, size_t rows, size_t columns, const std::vector<double> &columnMajor)
{
    return matMatrix(name, MAT_C_DOUBLE, MAT_T_DOUBLE, rows, columns, columnMajor.data());
}

/// A sparse matrix from compressed columns; matio copies the arrays. A logical one
/// stores its values as uint8, as MATLAB's sparse logical matrices read back.
inline matvar_t *matSparse(const char *name, size_t rows, size_t columns, std::vector<mat_uint32_t> rowIndices,
                           std::vector<mat_uint32_t> columnStarts, std::vector<double> values, bool logical = false)
{
    std::vector<std::uint8_t> bytes(values.begin(), values.end());
    mat_sparse_t sparse{};
    sparse.nzmax = mat_uint32_t(values.size());
    sparse.nir = mat_uint32_t(rowIndices.size());
    sparse.ir = rowIndices.data();
    sparse.njc = mat_uint32_t(columnStarts.size());
    sparse.jc = columnStarts.data();
    sparse.ndata = mat_uint32_t(values.size());
    sparse.data = logical ? static_cast<void *>(bytes.data()) : static_cast<void *>(values.data());
    size_t dims[2] = {rows, columns};
    return Mat_VarCreate(name, MAT_C_SPARSE, logical ? MAT_T_UINT8 : MAT_T_DOUBLE, 2, dims, &sparse,
                         logical ? MAT_F_LOGICAL : 0);
}

/// A 1 x 1 struct that takes ownership of its fields, which keep their own names.
inline matvar_t *matStruct(const char *name, const std::vector<matvar_t *> &fields)
{
    std::vector<const char *> names;
    for (matvar_t *field : fields)
        names.push_back(field->name);
    size_t dims[2] = {1, 1};
    matvar_t *structure = Mat_VarCreateStruct(name, 2, dims, names.data(), unsigned(names.size()));
    for (matvar_t *field : fields)
        Mat_VarSetStructFieldByName(structure, field->name, 0, field);
    return structure;
}

/// A char row vector in UTF-16 code units, as MATLAB writes text.
inline matvar_t *matChars(const char *name, const QString &text)
{
    std::vector<mat_uint16_t> units(text.utf16(), text.utf16() + text.size());
    return matMatrix(name, MAT_C_CHAR, MAT_T_UINT16, 1, units.size(), units.data());
}

/// An n x 1 cell array of char row vectors.
inline matvar_t *matCellStrings(const char *name, const QStringList &strings)
{
    size_t dims[2] = {size_t(strings.size()), 1};
    matvar_t *cell = Mat_VarCreate(name, MAT_C_CELL, MAT_T_CELL, 2, dims, nullptr, 0);
    for (qsizetype i = 0; i < strings.size(); ++i)
        Mat_VarSetCell(cell, int(i), matChars(nullptr, strings[i]));
    return cell;
}

/// A char matrix with one string per row, padded with blanks as MATLAB's char() does.
inline matvar_t *matCharMatrix(const char *name, const QStringList &strings)
{
    qsizetype width = 0;
    for (const QString &string : strings)
        width = std::max(width, string.size());
    const size_t rows = size_t(strings.size());
    std::vector<mat_uint16_t> units(rows * size_t(width), mat_uint16_t(' '));
    for (size_t r = 0; r < rows; ++r) {
        for (qsizetype c = 0; c < strings[qsizetype(r)].size(); ++c)
            units[r + size_t(c) * rows] = strings[qsizetype(r)].at(c).unicode();
    }
    return matMatrix(name, MAT_C_CHAR, MAT_T_UINT16, rows, size_t(width), units.data());
}

/// Writes the variables into a new MAT-file of `version` and frees them.
inline bool writeMat(const QString &path, mat_ft version, const std::vector<matvar_t *> &variables,
                     matio_compression compression = MAT_COMPRESSION_NONE)
{
    mat_t *file = Mat_CreateVer(QFile::encodeName(path).constData(), nullptr, version);
    bool ok = file != nullptr;
    for (matvar_t *variable : variables) {
        ok = ok && variable && Mat_VarWrite(file, variable, compression) == 0;
        Mat_VarFree(variable);
    }
    if (file)
        Mat_Close(file);
    return ok;
}

// ---- HDF5 files ---------------------------------------------------------------

/// Writes datasets into a new HDF5 file, creating intermediate groups.
class Hdf5Writer
{
public:
    explicit Hdf5Writer(const QString &path)
        : m_file(H5Fcreate(QFile::encodeName(path).constData(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT))
        , m_links(H5Pcreate(H5P_LINK_CREATE))
    {
        H5Pset_create_intermediate_group(m_links, 1);
    }
    ~Hdf5Writer()
    {
        H5Pclose(m_links);
        if (m_file >= 0)
            H5Fclose(m_file);
    }

    bool ok() const { return m_file >= 0 && m_ok; }

    /// A dataset of `fileType` with `dims`, from values of `memoryType` in row-major order.
    void dataset(const char *path, hid_t fileType, hid_t memoryType, const std::vector<hsize_t> &dims,
                 const void *values)
    {
        const hid_t space = dims.empty() ? H5Screate(H5S_SCALAR) : H5Screate_simple(int(dims.size()), dims.data(), nullptr);
        const hid_t dataset = H5Dcreate2(m_file, path, fileType, space, m_links, H5P_DEFAULT, H5P_DEFAULT);
        m_ok = m_ok && dataset >= 0 && H5Dwrite(dataset, memoryType, H5S_ALL, H5S_ALL, H5P_DEFAULT, values) >= 0;
        if (dataset >= 0)
            H5Dclose(dataset);
        H5Sclose(space);
    }

    /// IEEE half precision, as h5py writes NumPy float16, from floats that HDF5 converts.
    void halves(const char *path, const std::vector<hsize_t> &dims, const std::vector<float> &values)
    {
        const hid_t type = H5Tcopy(H5T_IEEE_F32LE);
        H5Tset_fields(type, 15, 10, 5, 0, 10);
        H5Tset_size(type, 2);
        H5Tset_ebias(type, 15);
        dataset(path, type, H5T_NATIVE_FLOAT, dims, values.data());
        H5Tclose(type);
    }

    void doubles(const char *path, const std::vector<hsize_t> &dims, const std::vector<double> &values)
    {
        dataset(path, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, dims, values.data());
    }

    /// Booleans as h5py writes them: an enum {FALSE = 0, TRUE = 1} over int8.
    void booleans(const char *path, const std::vector<hsize_t> &dims, const std::vector<std::int8_t> &values)
    {
        const hid_t type = H5Tenum_create(H5T_NATIVE_INT8);
        const std::int8_t no = 0;
        const std::int8_t yes = 1;
        H5Tenum_insert(type, "FALSE", &no);
        H5Tenum_insert(type, "TRUE", &yes);
        dataset(path, type, type, dims, values.data());
        H5Tclose(type);
    }

    /// Variable-length UTF-8 strings, as h5py writes a list of str.
    void variableStrings(const char *path, const QStringList &strings)
    {
        std::vector<QByteArray> bytes;
        std::vector<const char *> pointers;
        for (const QString &string : strings)
            bytes.push_back(string.toUtf8());
        for (const QByteArray &value : bytes)
            pointers.push_back(value.constData());
        const hid_t type = H5Tcopy(H5T_C_S1);
        H5Tset_size(type, H5T_VARIABLE);
        H5Tset_cset(type, H5T_CSET_UTF8);
        dataset(path, type, type, {hsize_t(strings.size())}, pointers.data());
        H5Tclose(type);
    }

    /// Fixed-length, NUL-padded byte strings, as h5py writes a NumPy "S" array.
    void fixedStrings(const char *path, const QStringList &strings, size_t length)
    {
        std::vector<char> bytes(size_t(strings.size()) * length, '\0');
        for (qsizetype i = 0; i < strings.size(); ++i) {
            const QByteArray utf8 = strings[i].toUtf8();
            std::memcpy(bytes.data() + size_t(i) * length, utf8.constData(), std::min(size_t(utf8.size()), length));
        }
        const hid_t type = H5Tcopy(H5T_C_S1);
        H5Tset_size(type, length);
        H5Tset_strpad(type, H5T_STR_NULLPAD);
        dataset(path, type, type, {hsize_t(strings.size())}, bytes.data());
        H5Tclose(type);
    }

private:
    hid_t m_file;
    hid_t m_links;
    bool m_ok = true;
};

// ---- NumPy .npy files ---------------------------------------------------------

/// The bytes of a .npy file with the header dict `dictionary`, padded to a multiple
/// of 64 bytes with a final newline, followed by `values` as given.
inline QByteArray npyFileWithHeader(const QByteArray &dictionary, const QByteArray &values, int majorVersion = 1)
{
    QByteArray header = dictionary;
    const int preambleSize = majorVersion == 1 ? 10 : 12;
    const int padding = 64 - int((preambleSize + header.size() + 1) % 64);
    header.append(QByteArray(padding % 64, ' '));
    header.append('\n');

    QByteArray bytes("\x93NUMPY", 6);
    bytes.append(char(majorVersion));
    bytes.append(char(0));
    if (majorVersion == 1) {
        char length[2];
        qToLittleEndian<quint16>(quint16(header.size()), length);
        bytes.append(length, 2);
    } else {
        char length[4];
        qToLittleEndian<quint32>(quint32(header.size()), length);
        bytes.append(length, 4);
    }
    return bytes + header + values;
}

/// The bytes of a .npy file of dtype `descr` ("<f4") and `shape`, as numpy.save
/// writes them.
inline QByteArray npyFile(const QString &descr, bool fortranOrder, const std::vector<qint64> &shape,
                          const QByteArray &values, int majorVersion = 1)
{
    QStringList dimensions;
    for (qint64 dimension : shape)
        dimensions.append(QString::number(dimension));
    const QString shapeText = shape.size() == 1 ? QStringLiteral("(%1,)").arg(dimensions.first())
                                                : QStringLiteral("(%1)").arg(dimensions.join(QStringLiteral(", ")));
    const QString dictionary = QStringLiteral("{'descr': '%1', 'fortran_order': %2, 'shape': %3, }")
                                   .arg(descr, fortranOrder ? QStringLiteral("True") : QStringLiteral("False"), shapeText);
    return npyFileWithHeader(dictionary.toLatin1(), values, majorVersion);
}

/// The raw bytes of `values` in the machine's byte order. The tests label them
/// little-endian ("<"), which x86-64 and ARM64 Linux are.
template <typename T>
QByteArray rawBytes(const std::vector<T> &values)
{
    return QByteArray(reinterpret_cast<const char *>(values.data()), qsizetype(values.size() * sizeof(T)));
}

/// The raw bytes of `values` with every element's bytes reversed: big-endian.
template <typename T>
QByteArray swappedBytes(const std::vector<T> &values)
{
    QByteArray bytes = rawBytes(values);
    for (qsizetype i = 0; i < bytes.size(); i += qsizetype(sizeof(T)))
        std::reverse(bytes.begin() + i, bytes.begin() + i + qsizetype(sizeof(T)));
    return bytes;
}

inline bool writeBytes(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
}

} // namespace esafh::test
