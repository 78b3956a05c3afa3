// MAT-files of version 5, 7 and 7.3 through matio. matio reports dimensions as MATLAB
// does (rows first) and values in column-major order for every version, so a v7.3
// file, which HDF5 stores transposed, needs no special case here.

#include "common/logging.h"
#include "data/hdf5_errors.h"
#include "data/stored_array.h"

#include <matio.h>

#include <QFile>
#include <QStringList>

#include <memory>

namespace esafh::detail {

namespace {

// The last message matio logged, kept to explain a failure that matio reports only
// by returning null. Written under fileLibraryMutex().
QString lastMatioMessage;

void logMatioMessage(int level, char *message)
{
    lastMatioMessage = QString::fromLocal8Bit(message).trimmed();
    qCDebug(lcData).noquote() << "matio (level" << level << "):" << lastMatioMessage;
}

/// Routes matio's messages, which it otherwise prints to stderr, to the data
/// logging category.
void installMatioLogHandler()
{
    static std::once_flag once;
    std::call_once(once, [] { Mat_LogInitFunc("esafh", logMatioMessage); });
}

struct MatFileCloser
{
    void operator()(mat_t *file) const { Mat_Close(file); }
};
using MatFile = std::unique_ptr<mat_t, MatFileCloser>;

struct MatVariableDeleter
{
    void operator()(matvar_t *variable) const { Mat_VarFree(variable); }
};
using MatVariable = std::unique_ptr<matvar_t, MatVariableDeleter>;

qint64 elementCount(const matvar_t *variable)
{
    qint64 count = 1;
    for (int d = 0; d < variable->rank; ++d)
        count *= qint64(variable->dims[d]);
    return count;
}

std::vector<qint64> shapeOf(const matvar_t *variable)
{
    std::vector<qint64> shape;
    for (int d = 0; d < variable->rank; ++d)
        shape.push_back(qint64(variable->dims[d]));
    return shape;
}

QString numericClassName(matio_classes classType)
{
    switch (classType) {
    case MAT_C_DOUBLE:
        return QStringLiteral("double");
    case MAT_C_SINGLE:
        return QStringLiteral("single");
    case MAT_C_INT8:
        return QStringLiteral("int8");
    case MAT_C_UINT8:
        return QStringLiteral("uint8");
    case MAT_C_INT16:
        return QStringLiteral("int16");
    case MAT_C_UINT16:
        return QStringLiteral("uint16");
    case MAT_C_INT32:
        return QStringLiteral("int32");
    case MAT_C_UINT32:
        return QStringLiteral("uint32");
    case MAT_C_INT64:
        return QStringLiteral("int64");
    case MAT_C_UINT64:
        return QStringLiteral("uint64");
    default:
        return QString();
    }
}

QString className(const matvar_t *variable)
{
    const QString complex = variable->isComplex ? QStringLiteral("complex ") : QString();
    switch (variable->class_type) {
    case MAT_C_SPARSE:
        return QStringLiteral("sparse ") + complex
               + (variable->isLogical ? QStringLiteral("logical") : QStringLiteral("double"));
    case MAT_C_CHAR:
        return QStringLiteral("char");
    case MAT_C_CELL:
        return QStringLiteral("cell");
    case MAT_C_STRUCT:
        return QStringLiteral("struct");
    case MAT_C_OBJECT:
        return QStringLiteral("object");
    case MAT_C_FUNCTION:
        return QStringLiteral("function handle");
    case MAT_C_OPAQUE:
        return QStringLiteral("opaque object");
    case MAT_C_EMPTY:
        return QStringLiteral("empty");
    default:
        break;
    }
    if (variable->isLogical)
        return QStringLiteral("logical");
    return complex + numericClassName(variable->class_type);
}

VariableInfo infoOf(const matvar_t *variable, const QString &path)
{
    return VariableInfo{path, shapeOf(variable), className(variable)};
}

/// Appends the variable and, for a scalar struct, its fields depth first.
void appendWithFields(matvar_t *variable, const QString &path, std::vector<VariableInfo> &infos)
{
    infos.push_back(infoOf(variable, path));
    if (variable->class_type != MAT_C_STRUCT || elementCount(variable) != 1)
        return;

    const unsigned fieldCount = Mat_VarGetNumberOfFields(variable);
    char *const *names = Mat_VarGetStructFieldnames(variable);
    for (unsigned f = 0; f < fieldCount && names; ++f) {
        matvar_t *field = Mat_VarGetStructFieldByIndex(variable, f, 0);
        if (field)
            appendWithFields(field, path + QLatin1Char('.') + QString::fromUtf8(names[f]), infos);
    }
}

std::vector<VariableInfo> listOpenFile(mat_t *file)
{
    std::vector<VariableInfo> infos;
    Mat_Rewind(file);
    while (matvar_t *next = Mat_VarReadNextInfo(file)) {
        const MatVariable variable(next);
        appendWithFields(variable.get(), QString::fromUtf8(variable->name), infos);
    }
    return infos;
}

Result<MatFile> openMatFile(const QString &file)
{
    installMatioLogHandler();
    lastMatioMessage.clear();
    MatFile opened(Mat_Open(QFile::encodeName(file).constData(), MAT_ACC_RDONLY));
    if (!opened) {
        return Result<MatFile>::failure(
            QStringLiteral("%1 has a MATLAB header but matio cannot open it as a MAT-file%2")
                .arg(shownPath(file),
                     lastMatioMessage.isEmpty() ? QString() : QStringLiteral(": ") + lastMatioMessage));
    }
    return opened;
}

/// A variable read with its data, and the field of it that a dotted path addresses.
/// Fields belong to the root variable, so `root` keeps `target` alive.
struct ResolvedVariable
{
    std::shared_ptr<matvar_t> root;
    matvar_t *target = nullptr;
};

Result<ResolvedVariable> readVariable(mat_t *mat, const QString &file, const QString &variable)
{
    const QStringList parts = variable.split(QLatin1Char('.'));
    const auto missing = [&] {
        return Result<ResolvedVariable>::failure(missingVariableMessage(file, variable, listOpenFile(mat)));
    };

    // Reading the top-level variable reads every field below it.
    // NOTE: a field of a large struct costs the memory of the whole struct.
    Mat_Rewind(mat);
    matvar_t *root = Mat_VarRead(mat, parts.first().toUtf8().constData());
    if (!root)
        return missing();

    ResolvedVariable resolved{std::shared_ptr<matvar_t>(root, Mat_VarFree), root};
    for (qsizetype i = 1; i < parts.size(); ++i) {
        matvar_t *parent = resolved.target;
        const QString parentPath = QStringList(parts.mid(0, i)).join(QLatin1Char('.'));
        if (parent->class_type != MAT_C_STRUCT)
            return missing();
        if (elementCount(parent) != 1) {
            return Result<ResolvedVariable>::failure(
                QStringLiteral("Cannot read %1 from %2: %3 is a %4 struct array, and only the fields of a "
                               "1 x 1 struct can be addressed by name")
                    .arg(variable, shownPath(file), parentPath, describeShape(shapeOf(parent))));
        }
        resolved.target = Mat_VarGetStructFieldByName(parent, parts[i].toUtf8().constData(), 0);
        if (!resolved.target)
            return missing();
    }
    return resolved;
}

Result<ElementType> elementTypeOf(const matvar_t *variable, matio_types storedType)
{
    if (variable->isLogical)
        return ElementType::Bool;
    switch (storedType) {
    case MAT_T_DOUBLE:
        return ElementType::Float64;
    case MAT_T_SINGLE:
        return ElementType::Float32;
    case MAT_T_INT8:
        return ElementType::Int8;
    case MAT_T_UINT8:
        return ElementType::UInt8;
    case MAT_T_INT16:
        return ElementType::Int16;
    case MAT_T_UINT16:
        return ElementType::UInt16;
    case MAT_T_INT32:
        return ElementType::Int32;
    case MAT_T_UINT32:
        return ElementType::UInt32;
    case MAT_T_INT64:
        return ElementType::Int64;
    case MAT_T_UINT64:
        return ElementType::UInt64;
    default:
        return Result<ElementType>::failure(QStringLiteral("matio data type %1").arg(int(storedType)));
    }
}

/// Checks the compressed-column arrays of a sparse matrix, so that a corrupt file
/// fails here instead of indexing out of bounds later.
Status checkSparseStructure(const mat_sparse_t &sparse, qint64 rows, qint64 columns)
{
    if (qint64(sparse.njc) != columns + 1 || !sparse.jc || sparse.jc[0] != 0)
        return Status::failure(QStringLiteral("its column starts do not match its %1 columns").arg(columns));
    for (qint64 c = 0; c < columns; ++c) {
        if (sparse.jc[c + 1] < sparse.jc[c])
            return Status::failure(QStringLiteral("its column starts decrease at column %1").arg(c + 1));
    }
    const std::uint32_t entries = sparse.jc[columns];
    if (entries > sparse.nir || entries > sparse.ndata)
        return Status::failure(QStringLiteral("it lists %1 entries but stores %2 row indices and %3 values")
                                   .arg(entries)
                                   .arg(sparse.nir)
                                   .arg(sparse.ndata));
    for (std::uint32_t k = 0; k < entries; ++k) {
        if (qint64(sparse.ir[k]) >= rows)
            return Status::failure(QStringLiteral("entry %1 has row %2 of %3").arg(k).arg(sparse.ir[k]).arg(rows));
    }
    return Status::success();
}

Result<StoredArray> storedArrayOf(const ResolvedVariable &resolved, const QString &file, const QString &variable)
{
    const matvar_t *target = resolved.target;
    const VariableInfo info = infoOf(target, variable);
    const bool numeric = target->class_type == MAT_C_SPARSE || !numericClassName(target->class_type).isEmpty();
    if (!numeric || target->isComplex || target->rank > 2) {
        QString hint;
        if (target->class_type == MAT_C_STRUCT) {
            const unsigned fieldCount = Mat_VarGetNumberOfFields(const_cast<matvar_t *>(target));
            char *const *names = Mat_VarGetStructFieldnames(target);
            QStringList fields;
            for (unsigned f = 0; f < fieldCount && names; ++f)
                fields.append(variable + QLatin1Char('.') + QString::fromUtf8(names[f]));
            hint = QStringLiteral(". Name one of its fields: %1").arg(fields.join(QStringLiteral(", ")));
        }
        return Result<StoredArray>::failure(
            QStringLiteral("Cannot read %1 from %2 as a matrix: it is %3, expected a real numeric matrix "
                           "of at most 2 dimensions%4")
                .arg(variable, shownPath(file), info.describe(), hint));
    }

    StoredArray array;
    array.file = file;
    array.info = info;
    array.rows = target->rank > 0 ? qint64(target->dims[0]) : 1;
    array.columns = target->rank > 1 ? qint64(target->dims[1]) : 1;
    array.columnMajor = true;
    array.matlabSubscripts = true;
    array.owner = resolved.root;

    const auto unreadable = [&](const QString &why) {
        return Result<StoredArray>::failure(
            QStringLiteral("Cannot read %1 from %2: %3").arg(info.describe(), shownPath(file), why));
    };

    if (target->class_type == MAT_C_SPARSE) {
        array.sparse = true;
        static const std::uint32_t noEntries[1] = {0};
        const auto *sparse = static_cast<const mat_sparse_t *>(target->data);
        if (!sparse || (sparse->njc == 0 && array.columns == 0)) {
            array.columnStarts = noEntries;
            return array;
        }
        const Status structure = checkSparseStructure(*sparse, array.rows, array.columns);
        if (!structure)
            return unreadable(structure.error());
        const Result<ElementType> type = elementTypeOf(target, target->data_type);
        if (!type)
            return unreadable(QStringLiteral("its values are of unsupported %1").arg(type.error()));
        array.elementType = type.value();
        array.rowIndices = sparse->ir;
        array.columnStarts = sparse->jc;
        array.values = sparse->data;
        return array;
    }

    const Result<ElementType> type = elementTypeOf(target, target->data_type);
    if (!type)
        return unreadable(QStringLiteral("its values are of unsupported %1").arg(type.error()));
    if (elementCount(target) > 0 && !target->data)
        return unreadable(QStringLiteral("matio returned no values%1")
                              .arg(lastMatioMessage.isEmpty() ? QString() : QStringLiteral(" (") + lastMatioMessage + ")"));
    array.elementType = type.value();
    array.values = target->data;
    return array;
}

/// Decodes a char array into one string per row. MATLAB writes characters as
/// UTF-16 code units, but matio may return 8-bit units, which are read as UTF-8.
// NOTE: a char matrix of several rows in 8-bit UTF-8 units with multi-byte
// characters is not decoded correctly, because the rows are split per byte.
QStringList charRows(const matvar_t *variable)
{
    const qint64 rows = variable->rank > 0 ? qint64(variable->dims[0]) : 0;
    const qint64 columns = variable->rank > 1 ? qint64(variable->dims[1]) : 0;
    QStringList strings;
    for (qint64 r = 0; r < rows; ++r) {
        QString text;
        if (variable->data_size == 2) {
            const auto *units = static_cast<const char16_t *>(variable->data);
            std::u16string row;
            for (qint64 c = 0; c < columns; ++c)
                row.push_back(units[r + c * rows]);
            text = QString::fromStdU16String(row);
        } else if (variable->data_size == 1) {
            const auto *bytes = static_cast<const char *>(variable->data);
            QByteArray row;
            for (qint64 c = 0; c < columns; ++c)
                row.append(bytes[r + c * rows]);
            text = QString::fromUtf8(row);
        } else if (variable->data_size == 4) {
            const auto *points = static_cast<const char32_t *>(variable->data);
            std::u32string row;
            for (qint64 c = 0; c < columns; ++c)
                row.push_back(points[r + c * rows]);
            text = QString::fromStdU32String(row);
        }
        // MATLAB pads the rows of a char matrix with blanks to a common length.
        while (!text.isEmpty() && (text.back() == QLatin1Char(' ') || text.back() == QChar(0)))
            text.chop(1);
        strings.append(text);
    }
    return strings;
}

} // namespace

Result<std::vector<VariableInfo>> listMatVariables(const QString &file)
{
    const std::lock_guard lock(fileLibraryMutex());
    const QuietHdf5Errors quiet;
    Result<MatFile> mat = openMatFile(file);
    if (!mat)
        return Result<std::vector<VariableInfo>>::failure(mat.error());
    return listOpenFile(mat->get());
}

Result<StoredArray> readMatArray(const QString &file, const QString &variable)
{
    const std::lock_guard lock(fileLibraryMutex());
    const QuietHdf5Errors quiet;
    Result<MatFile> mat = openMatFile(file);
    if (!mat)
        return Result<StoredArray>::failure(mat.error());

    Result<ResolvedVariable> resolved = readVariable(mat->get(), file, variable);
    if (!resolved)
        return Result<StoredArray>::failure(resolved.error());
    return storedArrayOf(resolved.value(), file, variable);
}

Result<QStringList> readMatStrings(const QString &file, const QString &variable)
{
    const std::lock_guard lock(fileLibraryMutex());
    const QuietHdf5Errors quiet;
    Result<MatFile> mat = openMatFile(file);
    if (!mat)
        return Result<QStringList>::failure(mat.error());
    if (variable.isEmpty())
        return Result<QStringList>::failure(
            QStringLiteral("No variable given for %1: name one of its variables").arg(shownPath(file)));

    Result<ResolvedVariable> resolved = readVariable(mat->get(), file, variable);
    if (!resolved)
        return Result<QStringList>::failure(resolved.error());
    matvar_t *target = resolved->target;

    if (target->class_type == MAT_C_CHAR)
        return charRows(target);

    const auto notStrings = [&](const QString &what) {
        return Result<QStringList>::failure(
            QStringLiteral("Cannot read %1 from %2 as strings: %3. Expected a cell array of char vectors "
                           "or a char matrix.")
                .arg(variable, shownPath(file), what));
    };
    if (target->class_type != MAT_C_CELL)
        return notStrings(QStringLiteral("it is %1").arg(infoOf(target, variable).describe()));

    QStringList strings;
    const qint64 count = elementCount(target);
    for (qint64 i = 0; i < count; ++i) {
        const matvar_t *cell = Mat_VarGetCell(target, int(i));
        if (!cell || elementCount(cell) == 0) {
            strings.append(QString());
            continue;
        }
        const QStringList rows = cell->class_type == MAT_C_CHAR ? charRows(cell) : QStringList();
        if (rows.size() != 1)
            return notStrings(QStringLiteral("cell %1 (0-based) is a %2 %3")
                                  .arg(i)
                                  .arg(describeShape(shapeOf(cell)), className(cell)));
        strings.append(rows.first());
    }
    return strings;
}

} // namespace esafh::detail
