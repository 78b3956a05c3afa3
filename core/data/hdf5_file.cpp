// Plain HDF5 files through the HDF5 C API. Shapes are as h5py shows them: the
// dimensions in storage order, row-major.

#include "data/hdf5_errors.h"
#include "data/stored_array.h"

#include <QFile>
#include <QStringList>

#include <memory>

namespace esafh::detail {

namespace {

/// An HDF5 identifier closed by the matching H5?close function.
class Handle
{
public:
    using Closer = herr_t (*)(hid_t);

    Handle(hid_t id, Closer close) : m_id(id), m_close(close) {}
    ~Handle()
    {
        if (m_id >= 0)
            m_close(m_id);
    }
    Handle(const Handle &) = delete;
    Handle &operator=(const Handle &) = delete;

    hid_t id() const { return m_id; }
    bool valid() const { return m_id >= 0; }

private:
    hid_t m_id;
    Closer m_close;
};

/// Element type of a numeric dataset, or nothing for other kinds.
struct NumericType
{
    bool numeric = false;
    ElementType elementType = ElementType::Float64;
    QString name;         ///< As NumPy names it: "float32", "int64", "bool".
    hid_t memoryType = -1; ///< Native type to read into; owned by HDF5 unless `ownMemoryType`.
    bool ownMemoryType = false;
};

NumericType integerType(hid_t type, bool boolean)
{
    const bool isSigned = H5Tget_sign(type) == H5T_SGN_2;
    const size_t size = H5Tget_size(type);
    NumericType result;
    result.numeric = true;
    switch (size) {
    case 1:
        result.elementType = isSigned ? ElementType::Int8 : ElementType::UInt8;
        result.memoryType = isSigned ? H5T_NATIVE_INT8 : H5T_NATIVE_UINT8;
        break;
    case 2:
        result.elementType = isSigned ? ElementType::Int16 : ElementType::UInt16;
        result.memoryType = isSigned ? H5T_NATIVE_INT16 : H5T_NATIVE_UINT16;
        break;
    case 4:
        result.elementType = isSigned ? ElementType::Int32 : ElementType::UInt32;
        result.memoryType = isSigned ? H5T_NATIVE_INT32 : H5T_NATIVE_UINT32;
        break;
    case 8:
        result.elementType = isSigned ? ElementType::Int64 : ElementType::UInt64;
        result.memoryType = isSigned ? H5T_NATIVE_INT64 : H5T_NATIVE_UINT64;
        break;
    default:
        result.numeric = false;
        result.name = QStringLiteral("%1-byte integer").arg(size);
        return result;
    }
    result.name = QStringLiteral("%1int%2").arg(isSigned ? "" : "u").arg(size * 8);
    if (boolean && size == 1) {
        result.elementType = ElementType::Bool;
        result.name = QStringLiteral("bool");
    }
    return result;
}

NumericType numericType(hid_t type)
{
    NumericType result;
    switch (H5Tget_class(type)) {
    case H5T_INTEGER:
        return integerType(type, false);
    case H5T_FLOAT: {
        const size_t size = H5Tget_size(type);
        result.numeric = size <= 8;
        result.elementType = size == 8 ? ElementType::Float64 : ElementType::Float32;
        // HDF5 converts half precision to float on reading.
        result.memoryType = size == 8 ? H5T_NATIVE_DOUBLE : H5T_NATIVE_FLOAT;
        result.name = QStringLiteral("float%1").arg(size * 8);
        return result;
    }
    case H5T_ENUM: {
        // h5py stores NumPy booleans as an enum {FALSE = 0, TRUE = 1} over int8. HDF5
        // does not convert enums to integers, so the values are read in the native
        // enum type and then interpreted through its integer base type.
        const Handle base(H5Tget_super(type), H5Tclose);
        result = integerType(base.id(), H5Tget_nmembers(type) == 2);
        result.memoryType = H5Tget_native_type(type, H5T_DIR_ASCEND);
        result.ownMemoryType = true;
        return result;
    }
    case H5T_STRING:
        result.name = QStringLiteral("string");
        return result;
    case H5T_COMPOUND:
        result.name = QStringLiteral("compound");
        return result;
    default:
        result.name = QStringLiteral("non-numeric");
        return result;
    }
}

std::vector<qint64> shapeOf(hid_t dataset)
{
    const Handle space(H5Dget_space(dataset), H5Sclose);
    const int rank = H5Sget_simple_extent_ndims(space.id());
    std::vector<hsize_t> dimensions(std::size_t(std::max(rank, 0)));
    if (rank > 0)
        H5Sget_simple_extent_dims(space.id(), dimensions.data(), nullptr);
    return std::vector<qint64>(dimensions.begin(), dimensions.end());
}

VariableInfo infoOf(hid_t dataset, const QString &path)
{
    const Handle type(H5Dget_type(dataset), H5Tclose);
    NumericType numeric = numericType(type.id());
    if (numeric.ownMemoryType)
        H5Tclose(numeric.memoryType);
    return VariableInfo{path, shapeOf(dataset), numeric.name};
}

herr_t appendDataset(hid_t group, const char *name, const H5L_info_t *link, void *data)
{
    if (link->type != H5L_TYPE_HARD)
        return 0;
    const Handle object(H5Oopen(group, name, H5P_DEFAULT), H5Oclose);
    if (object.valid() && H5Iget_type(object.id()) == H5I_DATASET)
        static_cast<std::vector<VariableInfo> *>(data)->push_back(infoOf(object.id(), QString::fromUtf8(name)));
    return 0;
}

std::vector<VariableInfo> listOpenFile(hid_t file)
{
    std::vector<VariableInfo> infos;
    H5Lvisit(file, H5_INDEX_NAME, H5_ITER_INC, appendDataset, &infos);
    return infos;
}

Result<std::shared_ptr<Handle>> openFile(const QString &file)
{
    auto handle = std::make_shared<Handle>(H5Fopen(QFile::encodeName(file).constData(), H5F_ACC_RDONLY, H5P_DEFAULT),
                                           H5Fclose);
    if (!handle->valid())
        return Result<std::shared_ptr<Handle>>::failure(
            QStringLiteral("Cannot open %1 as an HDF5 file").arg(shownPath(file)));
    return handle;
}

/// Opens the dataset at `variable`, such as "features" or "group/features", with an
/// optional leading "/". Each link on the way is checked first, so that a missing one
/// becomes our message instead of an HDF5 error.
Result<std::shared_ptr<Handle>> openDataset(hid_t file, const QString &fileName, const QString &variable)
{
    const QString path = variable.startsWith(QLatin1Char('/')) ? variable.mid(1) : variable;
    const auto missing = [&] {
        return Result<std::shared_ptr<Handle>>::failure(
            missingVariableMessage(fileName, path, listOpenFile(file)));
    };

    const QStringList parts = path.split(QLatin1Char('/'));
    QString prefix;
    for (const QString &part : parts) {
        prefix += (prefix.isEmpty() ? QString() : QStringLiteral("/")) + part;
        if (part.isEmpty() || H5Lexists(file, prefix.toUtf8().constData(), H5P_DEFAULT) <= 0)
            return missing();
    }

    const Handle object(H5Oopen(file, path.toUtf8().constData(), H5P_DEFAULT), H5Oclose);
    if (!object.valid() || H5Iget_type(object.id()) != H5I_DATASET) {
        return Result<std::shared_ptr<Handle>>::failure(
            QStringLiteral("%1 in %2 is a group or a named type, not a dataset. Datasets present: %3")
                .arg(path, shownPath(fileName), [&] {
                    QStringList names;
                    for (const VariableInfo &info : listOpenFile(file))
                        names.append(info.describe());
                    return names.join(QStringLiteral(", "));
                }()));
    }
    return std::make_shared<Handle>(H5Dopen2(file, path.toUtf8().constData(), H5P_DEFAULT), H5Dclose);
}

/// Keeps the file's buffer and handles alive as long as a StoredArray points into it.
struct Hdf5Buffer
{
    std::vector<char> bytes;
};

QString trimmedString(const char *text, size_t length)
{
    QString string = QString::fromUtf8(text, qsizetype(qstrnlen(text, length)));
    while (!string.isEmpty() && string.back() == QLatin1Char(' '))
        string.chop(1);
    return string;
}

} // namespace

Result<std::vector<VariableInfo>> listHdf5Variables(const QString &file)
{
    const std::lock_guard lock(fileLibraryMutex());
    const QuietHdf5Errors quiet;
    Result<std::shared_ptr<Handle>> opened = openFile(file);
    if (!opened)
        return Result<std::vector<VariableInfo>>::failure(opened.error());
    return listOpenFile(opened.value()->id());
}

Result<StoredArray> readHdf5Array(const QString &file, const QString &variable)
{
    const std::lock_guard lock(fileLibraryMutex());
    const QuietHdf5Errors quiet;
    Result<std::shared_ptr<Handle>> opened = openFile(file);
    if (!opened)
        return Result<StoredArray>::failure(opened.error());
    Result<std::shared_ptr<Handle>> dataset = openDataset(opened.value()->id(), file, variable);
    if (!dataset)
        return Result<StoredArray>::failure(dataset.error());
    const hid_t id = dataset.value()->id();

    StoredArray array;
    array.file = file;
    array.info = infoOf(id, variable.startsWith(QLatin1Char('/')) ? variable.mid(1) : variable);
    const std::vector<qint64> &shape = array.info.shape;
    const Handle type(H5Dget_type(id), H5Tclose);
    const NumericType numeric = numericType(type.id());
    const Handle memoryType(numeric.ownMemoryType ? numeric.memoryType : -1, H5Tclose);
    if (!numeric.numeric || shape.size() > 2) {
        return Result<StoredArray>::failure(
            QStringLiteral("Cannot read %1 from %2 as a matrix: it is %3, expected a numeric dataset of at "
                           "most 2 dimensions")
                .arg(array.info.path, shownPath(file), array.info.describe()));
    }

    array.rows = shape.empty() ? 1 : shape[0];
    array.columns = shape.size() < 2 ? 1 : shape[1];
    array.elementType = numeric.elementType;

    auto buffer = std::make_shared<Hdf5Buffer>();
    const size_t elementSize = H5Tget_size(numeric.memoryType);
    buffer->bytes.resize(std::size_t(array.rows * array.columns) * elementSize);
    if (!buffer->bytes.empty()
        && H5Dread(id, numeric.memoryType, H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer->bytes.data()) < 0) {
        return Result<StoredArray>::failure(
            QStringLiteral("Cannot read %1 from %2: HDF5 failed to read its values")
                .arg(array.info.describe(), shownPath(file)));
    }
    array.values = buffer->bytes.data();
    array.owner = buffer;
    return array;
}

Result<QStringList> readHdf5Strings(const QString &file, const QString &variable)
{
    const std::lock_guard lock(fileLibraryMutex());
    const QuietHdf5Errors quiet;
    Result<std::shared_ptr<Handle>> opened = openFile(file);
    if (!opened)
        return Result<QStringList>::failure(opened.error());
    Result<std::shared_ptr<Handle>> dataset = openDataset(opened.value()->id(), file, variable);
    if (!dataset)
        return Result<QStringList>::failure(dataset.error());
    const hid_t id = dataset.value()->id();

    const VariableInfo info = infoOf(id, variable);
    const Handle fileType(H5Dget_type(id), H5Tclose);
    qint64 count = 1;
    for (qint64 dimension : info.shape)
        count *= dimension;
    const bool vector = info.shape.size() <= 1 || count == info.shape[0] || count == info.shape[1];
    if (H5Tget_class(fileType.id()) != H5T_STRING || info.shape.size() > 2 || !vector) {
        return Result<QStringList>::failure(
            QStringLiteral("Cannot read %1 from %2 as strings: it is %3, expected a vector of strings")
                .arg(variable, shownPath(file), info.describe()));
    }

    QStringList strings;
    if (H5Tis_variable_str(fileType.id()) > 0) {
        const Handle memoryType(H5Tcopy(H5T_C_S1), H5Tclose);
        H5Tset_size(memoryType.id(), H5T_VARIABLE);
        H5Tset_cset(memoryType.id(), H5Tget_cset(fileType.id()));
        std::vector<char *> pointers(std::size_t(count), nullptr);
        if (count > 0 && H5Dread(id, memoryType.id(), H5S_ALL, H5S_ALL, H5P_DEFAULT, pointers.data()) < 0)
            return Result<QStringList>::failure(
                QStringLiteral("Cannot read %1 from %2: HDF5 failed to read its strings").arg(variable, shownPath(file)));
        for (const char *text : pointers)
            strings.append(text ? QString::fromUtf8(text) : QString());
        const Handle space(H5Dget_space(id), H5Sclose);
        H5Dvlen_reclaim(memoryType.id(), space.id(), H5P_DEFAULT, pointers.data());
        return strings;
    }

    const size_t length = H5Tget_size(fileType.id());
    std::vector<char> bytes(std::size_t(count) * length);
    if (count > 0 && H5Dread(id, fileType.id(), H5S_ALL, H5S_ALL, H5P_DEFAULT, bytes.data()) < 0)
        return Result<QStringList>::failure(
            QStringLiteral("Cannot read %1 from %2: HDF5 failed to read its strings").arg(variable, shownPath(file)));
    for (qint64 i = 0; i < count; ++i)
        strings.append(trimmedString(bytes.data() + std::size_t(i) * length, length));
    return strings;
}

} // namespace esafh::detail
