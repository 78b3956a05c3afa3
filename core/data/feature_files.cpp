#include "data/feature_files.h"

#include "common/logging.h"
#include "data/stored_array.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>

#include <algorithm>
#include <cmath>
#include <limits>

namespace esafh {

using detail::ElementType;
using detail::FileFormat;
using detail::StoredArray;

namespace detail {

QString shownPath(const QString &file)
{
    return QDir::toNativeSeparators(file);
}

std::mutex &fileLibraryMutex()
{
    static std::mutex mutex;
    return mutex;
}

QString describeShape(const std::vector<qint64> &shape)
{
    if (shape.empty())
        return QStringLiteral("a scalar");
    QStringList parts;
    for (qint64 dimension : shape)
        parts.append(QString::number(dimension));
    return parts.join(QStringLiteral(" x "));
}

QString missingVariableMessage(const QString &file, const QString &variable,
                               const std::vector<VariableInfo> &present)
{
    QStringList names;
    for (const VariableInfo &info : present)
        names.append(info.describe());
    const QString list = names.isEmpty() ? QStringLiteral("none") : names.join(QStringLiteral(", "));
    return QStringLiteral("Variable \"%1\" not found in %2. Variables present: %3")
        .arg(variable, shownPath(file), list);
}

Result<FileFormat> detectFileFormat(const QString &file)
{
    const QFileInfo info(file);
    if (!info.exists())
        return Result<FileFormat>::failure(QStringLiteral("Feature file not found: %1").arg(shownPath(file)));
    if (info.isDir())
        return Result<FileFormat>::failure(
            QStringLiteral("%1 is a folder, expected a feature file").arg(shownPath(file)));

    QFile device(file);
    if (!device.open(QIODevice::ReadOnly))
        return Result<FileFormat>::failure(
            QStringLiteral("Cannot open %1: %2").arg(shownPath(file), device.errorString()));

    // A MAT-file of version 5 or later starts with a 116-byte text header "MATLAB 5.0
    // MAT-file" or "MATLAB 7.3 MAT-file". A v7.3 file is HDF5 behind a 512-byte user
    // block. A plain HDF5 file has its signature at byte 0, and a .npy file starts
    // with "\x93NUMPY".
    const QByteArray head = device.read(8);
    if (head.startsWith("MATLAB"))
        return FileFormat::Mat;
    if (head == QByteArray("\x89HDF\r\n\x1a\n", 8))
        return FileFormat::Hdf5;
    if (head.startsWith("\x93NUMPY"))
        return FileFormat::Npy;
    return FileFormat::Other;
}

double StoredArray::valueAt(qint64 row, qint64 column) const
{
    double value = 0;
    if (sparse) {
        for (std::uint32_t k = columnStarts[column]; k < columnStarts[column + 1]; ++k) {
            if (rowIndices[k] == row)
                visitElements(elementType, values, [&](auto *typed) { value = double(typed[k]); });
        }
        return value;
    }
    const qint64 offset = columnMajor ? row + column * rows : row * columns + column;
    visitElements(elementType, values, [&](auto *typed) { value = double(typed[offset]); });
    return value;
}

QString StoredArray::subscript(qint64 row, qint64 column) const
{
    if (matlabSubscripts)
        return QStringLiteral("%1(%2, %3)").arg(info.path).arg(row + 1).arg(column + 1);
    if (info.shape.size() == 1)
        return QStringLiteral("[%1]").arg(row);
    return QStringLiteral("[%1, %2]").arg(row).arg(column);
}

} // namespace detail

QString itemOrientationName(ItemOrientation orientation)
{
    switch (orientation) {
    case ItemOrientation::Rows:
        return QStringLiteral("rows");
    case ItemOrientation::Columns:
        return QStringLiteral("columns");
    case ItemOrientation::Auto:
        return QStringLiteral("auto");
    }
    return QString();
}

QString VariableInfo::describe() const
{
    const QString name = path.isEmpty() ? QStringLiteral("the array") : path;
    return QStringLiteral("%1 (%2 %3)").arg(name, detail::describeShape(shape), type);
}

namespace {

QString variableName(const QString &variable)
{
    return variable.isEmpty() ? QStringLiteral("the array") : variable;
}

Result<StoredArray> readStoredArray(const QString &file, const QString &variable)
{
    const Result<FileFormat> format = detail::detectFileFormat(file);
    if (!format)
        return Result<StoredArray>::failure(format.error());

    switch (format.value()) {
    case FileFormat::Mat:
        if (variable.isEmpty())
            return Result<StoredArray>::failure(
                QStringLiteral("No variable given for %1: name one of its variables").arg(detail::shownPath(file)));
        return detail::readMatArray(file, variable);
    case FileFormat::Hdf5:
        if (variable.isEmpty())
            return Result<StoredArray>::failure(
                QStringLiteral("No dataset given for %1: name one of its datasets").arg(detail::shownPath(file)));
        return detail::readHdf5Array(file, variable);
    case FileFormat::Npy:
        if (!variable.isEmpty())
            return Result<StoredArray>::failure(
                QStringLiteral("%1 is a NumPy .npy file, which holds one array and no variables; "
                               "leave the variable empty instead of \"%2\"")
                    .arg(detail::shownPath(file), variable));
        return detail::readNpyArray(file);
    case FileFormat::Other:
        break;
    }
    return Result<StoredArray>::failure(
        QStringLiteral("%1 is not a MAT-file (version 5, 7 or 7.3), an HDF5 file or a NumPy .npy file. "
                       "Version 4 MAT-files are not read; save them again with -v7 or -v7.3.")
            .arg(detail::shownPath(file)));
}

bool itemsAsRows(const StoredArray &array, ItemOrientation orientation)
{
    if (orientation == ItemOrientation::Auto)
        return array.rows >= array.columns;
    return orientation == ItemOrientation::Rows;
}

/// Copies the stored values into a dense matrix with one row per item, converting to
/// float. Sparse entries that are not stored are 0.
FeatureMatrix toItemRows(const StoredArray &array, bool rowsAreItems)
{
    const Eigen::Index items = rowsAreItems ? array.rows : array.columns;
    const Eigen::Index features = rowsAreItems ? array.columns : array.rows;
    FeatureMatrix matrix;

    if (array.sparse) {
        matrix = FeatureMatrix::Zero(items, features);
        detail::visitElements(array.elementType, array.values, [&](auto *values) {
            for (qint64 column = 0; column < array.columns; ++column) {
                for (std::uint32_t k = array.columnStarts[column]; k < array.columnStarts[column + 1]; ++k) {
                    const qint64 row = array.rowIndices[k];
                    float &target = rowsAreItems ? matrix(row, column) : matrix(column, row);
                    target = static_cast<float>(values[k]);
                }
            }
        });
        return matrix;
    }

    // Eigen maps the stored buffer in its own layout, so that the cast and the
    // transposition are one pass over the values.
    matrix.resize(items, features);
    detail::visitElements(array.elementType, array.values, [&](auto *values) {
        using Element = std::remove_const_t<std::remove_pointer_t<decltype(values)>>;
        using ColumnMajor = Eigen::Matrix<Element, Eigen::Dynamic, Eigen::Dynamic, Eigen::ColMajor>;
        using RowMajor = Eigen::Matrix<Element, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
        if (array.columnMajor) {
            const Eigen::Map<const ColumnMajor> stored(values, array.rows, array.columns);
            if (rowsAreItems)
                matrix = stored.template cast<float>();
            else
                matrix = stored.transpose().template cast<float>();
        } else {
            const Eigen::Map<const RowMajor> stored(values, array.rows, array.columns);
            if (rowsAreItems)
                matrix = stored.template cast<float>();
            else
                matrix = stored.transpose().template cast<float>();
        }
    });
    return matrix;
}

/// Fails at the first value, in item order, that is not finite in single precision.
/// `valueName` names the second axis in the message: "feature" or "label".
Status checkFinite(const StoredArray &array, const FeatureMatrix &matrix, bool rowsAreItems,
                   const QString &valueName)
{
    for (Eigen::Index item = 0; item < matrix.rows(); ++item) {
        for (Eigen::Index feature = 0; feature < matrix.cols(); ++feature) {
            if (std::isfinite(matrix(item, feature)))
                continue;

            const qint64 row = rowsAreItems ? item : feature;
            const qint64 column = rowsAreItems ? feature : item;
            const double stored = array.valueAt(row, column);
            const QString badValue = std::isnan(stored)   ? QStringLiteral("NaN")
                                 : std::isinf(stored) ? QStringLiteral("%1Inf").arg(stored < 0 ? "-" : "")
                                                      : QStringLiteral("%1, beyond single precision,")
                                                            .arg(stored, 0, 'g', 17);
            return Status::failure(QStringLiteral("Invalid %1: %2 contains %3 at item %4, %5 %6 (0-based), "
                                                  "stored as %7")
                                       .arg(detail::shownPath(array.file), variableName(array.info.path), badValue)
                                       .arg(item)
                                       .arg(valueName)
                                       .arg(feature)
                                       .arg(array.subscript(row, column)));
        }
    }
    return Status::success();
}

/// Reads a vector of integers, stored as any numeric type, in stored order.
Result<std::vector<qint64>> readIntegerVector(const QString &file, const QString &variable, const QString &arrayKind)
{
    Result<StoredArray> read = readStoredArray(file, variable);
    if (!read)
        return Result<std::vector<qint64>>::failure(read.error());
    const StoredArray &array = read.value();

    const bool empty = array.rows == 0 || array.columns == 0;
    if (array.sparse || (array.rows != 1 && array.columns != 1 && !empty)) {
        return Result<std::vector<qint64>>::failure(
            QStringLiteral("Invalid %1 in %2: %3 is a %4%5 matrix, expected a vector")
                .arg(arrayKind, detail::shownPath(file), array.info.path, detail::describeShape(array.info.shape),
                     array.sparse ? QStringLiteral(" sparse") : QString()));
    }

    // A row or column vector lies in consecutive elements in either layout.
    const qint64 count = array.rows * array.columns;
    constexpr double smallestInt = std::numeric_limits<int>::min();
    constexpr double largestInt = std::numeric_limits<int>::max();
    std::vector<qint64> integers(static_cast<std::size_t>(count));
    QString error;
    detail::visitElements(array.elementType, array.values, [&](auto *values) {
        for (qint64 i = 0; i < count && error.isEmpty(); ++i) {
            const double value = double(values[i]);
            if (std::trunc(value) != value || value < smallestInt || value > largestInt) {
                error = QStringLiteral("Invalid %1 in %2: %3[%4] (0-based) is %5, not an integer in the int range")
                            .arg(arrayKind, detail::shownPath(file), variableName(array.info.path))
                            .arg(i)
                            .arg(value, 0, 'g', 17);
            }
            integers[std::size_t(i)] = qint64(value);
        }
    });
    if (!error.isEmpty())
        return Result<std::vector<qint64>>::failure(error);
    return integers;
}

template <typename T>
Result<T> logged(Result<T> result)
{
    if (!result)
        qCWarning(lcData).noquote() << result.error();
    return result;
}

} // namespace

Result<std::vector<VariableInfo>> listVariables(const QString &file)
{
    const Result<FileFormat> format = detail::detectFileFormat(file);
    if (!format)
        return Result<std::vector<VariableInfo>>::failure(format.error());

    switch (format.value()) {
    case FileFormat::Mat:
        return detail::listMatVariables(file);
    case FileFormat::Hdf5:
        return detail::listHdf5Variables(file);
    case FileFormat::Npy: {
        Result<VariableInfo> info = detail::readNpyInfo(file);
        if (!info)
            return Result<std::vector<VariableInfo>>::failure(info.error());
        return std::vector<VariableInfo>{info.value()};
    }
    case FileFormat::Other:
        break;
    }
    return Result<std::vector<VariableInfo>>::failure(
        QStringLiteral("%1 is not a MAT-file (version 5, 7 or 7.3), an HDF5 file or a NumPy .npy file")
            .arg(detail::shownPath(file)));
}

Result<VariableInfo> variableInfo(const QString &file, const QString &variable)
{
    Result<std::vector<VariableInfo>> variables = listVariables(file);
    if (!variables)
        return Result<VariableInfo>::failure(variables.error());

    // HDF5 paths may start with "/", which listVariables() leaves out.
    const QString path = variable.startsWith(QLatin1Char('/')) ? variable.mid(1) : variable;
    for (const VariableInfo &info : variables.value()) {
        if (info.path == path)
            return info;
    }
    return Result<VariableInfo>::failure(detail::missingVariableMessage(file, variable, variables.value()));
}

namespace {

Result<FeatureMatrix> readItemMatrix(const QString &file, const QString &variable, ItemOrientation orientation,
                                     const QString &valueName)
{
    QElapsedTimer timer;
    timer.start();

    Result<StoredArray> read = readStoredArray(file, variable);
    if (!read)
        return logged(Result<FeatureMatrix>::failure(read.error()));
    const StoredArray &array = read.value();

    const bool rowsAreItems = itemsAsRows(array, orientation);
    FeatureMatrix matrix = toItemRows(array, rowsAreItems);
    const Status finite = checkFinite(array, matrix, rowsAreItems, valueName);
    if (!finite)
        return logged(Result<FeatureMatrix>::failure(finite.error()));

    qCInfo(lcData).noquote() << QStringLiteral("Read %1 from %2 as %3 items of %4 values, items as %5, in %6 ms")
                                    .arg(array.info.describe(), detail::shownPath(file))
                                    .arg(matrix.rows())
                                    .arg(matrix.cols())
                                    .arg(rowsAreItems ? QStringLiteral("rows") : QStringLiteral("columns"))
                                    .arg(timer.elapsed());
    return matrix;
}

} // namespace

Result<FeatureMatrix> readMatrix(const QString &file, const QString &variable, ItemOrientation orientation)
{
    return readItemMatrix(file, variable, orientation, QStringLiteral("feature"));
}

Result<std::vector<int>> readIndices(const QString &file, const QString &variable, int base)
{
    Result<std::vector<qint64>> integers = readIntegerVector(file, variable, QStringLiteral("index vector"));
    if (!integers)
        return logged(Result<std::vector<int>>::failure(integers.error()));

    std::vector<int> indices;
    indices.reserve(integers->size());
    for (std::size_t i = 0; i < integers->size(); ++i) {
        const qint64 value = integers.value()[i];
        if (value < base) {
            return logged(Result<std::vector<int>>::failure(
                QStringLiteral("Invalid index vector in %1: %2[%3] (0-based) is %4, below the index base %5")
                    .arg(detail::shownPath(file), variableName(variable))
                    .arg(i)
                    .arg(value)
                    .arg(base)));
        }
        indices.push_back(int(value - base));
    }
    return indices;
}

Result<LabelTable> readLabelMatrix(const QString &file, const QString &variable, ItemOrientation orientation)
{
    Result<FeatureMatrix> matrix = readItemMatrix(file, variable, orientation, QStringLiteral("label"));
    if (!matrix)
        return Result<LabelTable>::failure(matrix.error());

    LabelTable table;
    table.labelCount = int(matrix->cols());
    table.labels.resize(std::size_t(matrix->rows()));
    for (Eigen::Index item = 0; item < matrix->rows(); ++item) {
        for (Eigen::Index label = 0; label < matrix->cols(); ++label) {
            const float value = matrix.value()(item, label);
            if (value < 0) {
                return logged(Result<LabelTable>::failure(
                    QStringLiteral("Invalid label matrix in %1: %2 has %3 at item %4, label %5 (0-based). "
                                   "Entries must be 0 (absent) or positive (present).")
                        .arg(detail::shownPath(file), variableName(variable))
                        .arg(double(value))
                        .arg(item)
                        .arg(label)));
            }
            if (value > 0)
                table.labels[std::size_t(item)].push_back(int(label));
        }
    }
    return table;
}

Result<LabelTable> readClassIds(const QString &file, const QString &variable, int base, int labelCount)
{
    Result<std::vector<int>> ids = readIndices(file, variable, base);
    if (!ids)
        return Result<LabelTable>::failure(ids.error());

    LabelTable table;
    table.labelCount = labelCount;
    if (labelCount <= 0)
        table.labelCount = ids->empty() ? 0 : *std::max_element(ids->begin(), ids->end()) + 1;

    table.labels.reserve(ids->size());
    for (std::size_t i = 0; i < ids->size(); ++i) {
        const int id = ids.value()[i];
        if (id >= table.labelCount) {
            return logged(Result<LabelTable>::failure(
                QStringLiteral("Invalid class ids in %1: %2[%3] (0-based) is %4, but there are %5 classes "
                               "numbered from %6")
                    .arg(detail::shownPath(file), variableName(variable))
                    .arg(i)
                    .arg(id + base)
                    .arg(table.labelCount)
                    .arg(base)));
        }
        table.labels.push_back({id});
    }
    return table;
}

Result<QStringList> readStrings(const QString &file, const QString &variable)
{
    const Result<FileFormat> format = detail::detectFileFormat(file);
    if (!format)
        return logged(Result<QStringList>::failure(format.error()));

    switch (format.value()) {
    case FileFormat::Mat:
        return logged(detail::readMatStrings(file, variable));
    case FileFormat::Hdf5:
        return logged(detail::readHdf5Strings(file, variable));
    case FileFormat::Npy:
        return logged(detail::readNpyStrings(file));
    case FileFormat::Other:
        break;
    }

    if (!variable.isEmpty()) {
        return logged(Result<QStringList>::failure(
            QStringLiteral("%1 is a text file, which has no variables; leave the variable empty instead of \"%2\"")
                .arg(detail::shownPath(file), variable)));
    }
    QFile text(file);
    if (!text.open(QIODevice::ReadOnly | QIODevice::Text))
        return logged(Result<QStringList>::failure(
            QStringLiteral("Cannot open %1: %2").arg(detail::shownPath(file), text.errorString())));

    // One string per line. A final line break ends the last string; it does not start
    // an empty one.
    QStringList lines = QString::fromUtf8(text.readAll()).split(QLatin1Char('\n'));
    if (!lines.isEmpty() && lines.last().isEmpty())
        lines.removeLast();
    return lines;
}

} // namespace esafh
