#pragma once

// Readers of precomputed features, labels and split indices as researchers hold
// them: MATLAB .mat files of version 5, 7 and 7.3 (through matio), plain HDF5 files
// and NumPy .npy files. The format is recognised from the file's first bytes, not
// from its name.

#include "common/matrix.h"
#include "common/result.h"

#include <QString>
#include <QStringList>

#include <vector>

namespace esafh {

/// Layout of the items in a stored matrix.
enum class ItemOrientation
{
    Rows,    ///< One row per item, as NumPy, h5py and the DCMH MIRFlickr .mat files store them.
    Columns, ///< One column per item, as many MATLAB releases store them (wiki.mat).
    Auto,    ///< Items along the longer dimension, rows when both are equal.
};

/// Name used in dataset descriptions and messages: "rows", "columns" or "auto".
QString itemOrientationName(ItemOrientation orientation);

/// One array or container in a feature file.
struct VariableInfo
{
    /// Path of the array: "YAll" or "data.split.ind_train" (struct fields joined by
    /// dots) in a .mat file, "group/features" in an HDF5 file, empty for a .npy file.
    QString path;
    /// Dimensions as the file's own tools show them: MATLAB's for a .mat file
    /// (rows first, even in a v7.3 file), NumPy's and h5py's otherwise.
    std::vector<qint64> shape;
    /// Element type or container kind: "double", "single", "int32", "logical", "char",
    /// "cell", "struct", "string", ...; a sparse matrix has "sparse double" or
    /// "sparse logical".
    QString type;

    /// A one-line description for messages: "data.X1 (128 x 2866 double)".
    QString describe() const;
};

/// Each item's sorted label indices, as read from a label matrix or a class id vector.
struct LabelTable
{
    int labelCount = 0;
    std::vector<std::vector<int>> labels;
};

/// Lists the arrays of a feature file in file order, which for a v7.3 .mat file is
/// name order. A .mat file lists each variable followed, depth first, by the fields
/// of each scalar struct in their own order ("data", "data.X1", ...).
/// An HDF5 file lists its groups' datasets by their full paths without the leading
/// "/". A .npy file lists its one array with an empty path. Fails when the file is
/// missing or is not a MAT, HDF5 or NumPy file.
Result<std::vector<VariableInfo>> listVariables(const QString &file);

/// Describes one array of a feature file without reading its values.
Result<VariableInfo> variableInfo(const QString &file, const QString &variable);

/// Reads a real numeric matrix, dense or sparse, of any stored integer, floating-point
/// or logical type, and returns it with one row per item. `variable` addresses the
/// array as listVariables() names it and must be empty for a .npy file. A vector
/// stored with one dimension (NumPy, HDF5) reads as one column.
///
/// Fails, with a message naming the file and the variable, when the variable is
/// missing, and the message then lists the variables present. Also fails when it is
/// not a real numeric matrix (a struct, cell, char, complex or more than
/// 2-dimensional array), or when it contains NaN, Inf or a value beyond single
/// precision. That message gives the first bad position in item order as item and
/// feature (0-based) and as the stored subscript.
Result<FeatureMatrix> readMatrix(const QString &file, const QString &variable,
                                 ItemOrientation orientation = ItemOrientation::Auto);

/// Reads a vector of item indices, such as a MATLAB split ("data.split.ind_test"),
/// and returns them 0-based. `base` is the index of the first item in the file: 1
/// for MATLAB, 0 for NumPy. Any row or column vector, or 1-dimensional array, of a
/// numeric type is accepted. Fails on a missing variable, a matrix that is not a
/// vector, and on a value that is not an integer or is below `base`. The upper
/// bound is the caller's to check, because only the caller knows the item count.
Result<std::vector<int>> readIndices(const QString &file, const QString &variable, int base = 1);

/// Reads a label matrix with one item per row or column, one-hot or multi-hot: an
/// entry greater than 0 marks a label and 0 its absence. The label count is the
/// number of columns after orientation. Fails as readMatrix() does, and on a
/// negative entry, because some releases write -1 for an absent label and reading
/// it as present would be silently wrong.
Result<LabelTable> readLabelMatrix(const QString &file, const QString &variable,
                                   ItemOrientation orientation = ItemOrientation::Auto);

/// Reads one class id per item from a vector, as readIndices() does with `base`
/// the id of the first class. The label count is `labelCount` when it is positive,
/// and the largest id plus one otherwise. Fails on an id at or beyond a given
/// positive `labelCount`.
Result<LabelTable> readClassIds(const QString &file, const QString &variable, int base = 1,
                                int labelCount = 0);

/// Reads one string per item. A .mat file stores them as a cell array of char
/// vectors or as a char matrix with one string per row (trailing blanks removed), an
/// HDF5 file as a 1-dimensional string dataset and a .npy file as a Unicode or byte
/// string array. With an empty `variable`, any other file is read as UTF-8 text with
/// one string per line.
Result<QStringList> readStrings(const QString &file, const QString &variable);

} // namespace esafh
