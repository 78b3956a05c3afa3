// NumPy .npy files of format versions 1.0, 2.0 and 3.0, as numpy.lib.format
// describes them. A file starts with the magic "\x93NUMPY", two version bytes and a
// little-endian header length (2 bytes in version 1, 4 bytes later). A Python dict
// literal with "descr", "fortran_order" and "shape" follows, and then the raw values.

#include "data/stored_array.h"

#include <QFile>
#include <QtEndian>

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>

namespace esafh::detail {

namespace {

/// A value of the Python literal subset that .npy headers use.
struct PythonValue
{
    enum class Kind { String, Boolean, Integer, Sequence, Dictionary, None };
    Kind kind = Kind::None;
    QString text;
    bool boolean = false;
    qint64 integer = 0;
    std::vector<PythonValue> items;
    std::map<QString, PythonValue> entries;
};

/// Parses the header dict. Fails on anything outside strings, True, False, None,
/// integers, tuples, lists and dicts.
class HeaderParser
{
public:
    explicit HeaderParser(QString text) : m_text(std::move(text)) {}

    Result<PythonValue> parse()
    {
        PythonValue value = parseValue();
        skipBlanks();
        if (m_error.isEmpty() && m_position < m_text.size())
            fail(QStringLiteral("unexpected text after the header dict"));
        if (!m_error.isEmpty())
            return Result<PythonValue>::failure(m_error);
        return value;
    }

private:
    void fail(const QString &message)
    {
        if (m_error.isEmpty())
            m_error = QStringLiteral("%1 at character %2").arg(message).arg(m_position);
    }

    void skipBlanks()
    {
        while (m_position < m_text.size() && m_text.at(m_position).isSpace())
            ++m_position;
    }

    bool accept(QChar c)
    {
        skipBlanks();
        if (m_position < m_text.size() && m_text.at(m_position) == c) {
            ++m_position;
            return true;
        }
        return false;
    }

    PythonValue parseValue()
    {
        skipBlanks();
        if (!m_error.isEmpty() || m_position >= m_text.size()) {
            fail(QStringLiteral("missing value"));
            return {};
        }
        const QChar c = m_text.at(m_position);
        if (c == QLatin1Char('\'') || c == QLatin1Char('"'))
            return parseString(c);
        if (c == QLatin1Char('(') || c == QLatin1Char('['))
            return parseSequence(c == QLatin1Char('(') ? QLatin1Char(')') : QLatin1Char(']'));
        if (c == QLatin1Char('{'))
            return parseDictionary();
        return parseWord();
    }

    PythonValue parseString(QChar quote)
    {
        PythonValue value;
        value.kind = PythonValue::Kind::String;
        ++m_position;
        while (m_position < m_text.size() && m_text.at(m_position) != quote)
            value.text.append(m_text.at(m_position++));
        if (m_position >= m_text.size())
            fail(QStringLiteral("unterminated string"));
        ++m_position;
        return value;
    }

    PythonValue parseWord()
    {
        const qsizetype start = m_position;
        while (m_position < m_text.size()
               && (m_text.at(m_position).isLetterOrNumber() || m_text.at(m_position) == QLatin1Char('-')))
            ++m_position;
        const QString word = m_text.mid(start, m_position - start);

        PythonValue value;
        if (word == QLatin1String("True") || word == QLatin1String("False")) {
            value.kind = PythonValue::Kind::Boolean;
            value.boolean = word == QLatin1String("True");
            return value;
        }
        if (word == QLatin1String("None"))
            return value;
        // Python 2 wrote long integers with a trailing L.
        bool ok = false;
        value.integer = (word.endsWith(QLatin1Char('L')) ? word.chopped(1) : word).toLongLong(&ok);
        if (!ok)
            fail(QStringLiteral("unexpected \"%1\"").arg(word));
        value.kind = PythonValue::Kind::Integer;
        return value;
    }

    PythonValue parseSequence(QChar close)
    {
        PythonValue value;
        value.kind = PythonValue::Kind::Sequence;
        ++m_position;
        while (m_error.isEmpty() && !accept(close)) {
            value.items.push_back(parseValue());
            if (!accept(QLatin1Char(',')) && !accept(close)) {
                fail(QStringLiteral("expected \",\" or \"%1\"").arg(close));
                break;
            }
            if (m_text.at(m_position - 1) == close)
                break;
        }
        return value;
    }

    PythonValue parseDictionary()
    {
        PythonValue value;
        value.kind = PythonValue::Kind::Dictionary;
        ++m_position;
        while (m_error.isEmpty() && !accept(QLatin1Char('}'))) {
            const PythonValue key = parseValue();
            if (key.kind != PythonValue::Kind::String)
                fail(QStringLiteral("expected a string key"));
            if (!accept(QLatin1Char(':')))
                fail(QStringLiteral("expected \":\""));
            value.entries[key.text] = parseValue();
            if (!accept(QLatin1Char(',')) && !accept(QLatin1Char('}'))) {
                fail(QStringLiteral("expected \",\" or \"}\""));
                break;
            }
            if (m_text.at(m_position - 1) == QLatin1Char('}'))
                break;
        }
        return value;
    }

    QString m_text;
    qsizetype m_position = 0;
    QString m_error;
};

/// The parts of a .npy header that describe the array.
struct NpyHeader
{
    QString descr;        ///< "<f4", "|b1", ">i8", "<U12", ...
    QChar byteOrder;      ///< '<', '>', '|' or '='.
    QChar kind;           ///< 'b', 'i', 'u', 'f', 'U', 'S', ...
    int itemSize = 0;     ///< Bytes per element.
    bool fortranOrder = false;
    std::vector<qint64> shape;
    qint64 dataOffset = 0;
};

Result<NpyHeader> readHeader(QFile &device, const QString &file)
{
    const auto invalid = [&](const QString &why) {
        return Result<NpyHeader>::failure(QStringLiteral("Invalid NumPy file %1: %2").arg(shownPath(file), why));
    };

    const QByteArray preamble = device.read(12);
    if (preamble.size() < 10 || !preamble.startsWith("\x93NUMPY"))
        return invalid(QStringLiteral("the file is shorter than the .npy preamble"));
    const int major = quint8(preamble.at(6));
    if (major < 1 || major > 3)
        return invalid(QStringLiteral("format version %1.%2 is not read; versions 1.0 to 3.0 are")
                           .arg(major)
                           .arg(quint8(preamble.at(7))));

    qint64 headerLength = 0;
    qint64 headerStart = 0;
    if (major == 1) {
        headerLength = qFromLittleEndian<quint16>(preamble.constData() + 8);
        headerStart = 10;
    } else {
        if (preamble.size() < 12)
            return invalid(QStringLiteral("the file is shorter than the .npy preamble"));
        headerLength = qFromLittleEndian<quint32>(preamble.constData() + 8);
        headerStart = 12;
    }
    device.seek(headerStart);
    const QByteArray headerBytes = device.read(headerLength);
    if (headerBytes.size() != headerLength)
        return invalid(QStringLiteral("the header is cut short"));

    // Versions 1 and 2 write the header in Latin-1, version 3 in UTF-8.
    const QString headerText = major == 3 ? QString::fromUtf8(headerBytes) : QString::fromLatin1(headerBytes);
    Result<PythonValue> parsed = HeaderParser(headerText).parse();
    if (!parsed)
        return invalid(QStringLiteral("cannot parse the header %1: %2").arg(headerText.trimmed(), parsed.error()));
    if (parsed->kind != PythonValue::Kind::Dictionary)
        return invalid(QStringLiteral("the header %1 is not a dict").arg(headerText.trimmed()));

    const auto &entries = parsed->entries;
    const auto descr = entries.find(QStringLiteral("descr"));
    const auto fortranOrder = entries.find(QStringLiteral("fortran_order"));
    const auto shape = entries.find(QStringLiteral("shape"));
    if (descr == entries.end() || fortranOrder == entries.end() || shape == entries.end())
        return invalid(QStringLiteral("the header %1 lacks \"descr\", \"fortran_order\" or \"shape\"")
                           .arg(headerText.trimmed()));
    if (descr->second.kind != PythonValue::Kind::String)
        return invalid(QStringLiteral("the array has a structured dtype; only plain numeric, boolean and string "
                                      "arrays are read"));

    NpyHeader header;
    header.dataOffset = headerStart + headerLength;
    header.descr = descr->second.text;
    header.fortranOrder = fortranOrder->second.boolean;
    for (const PythonValue &dimension : shape->second.items) {
        if (dimension.kind != PythonValue::Kind::Integer || dimension.integer < 0)
            return invalid(QStringLiteral("the shape in %1 is not a tuple of sizes").arg(headerText.trimmed()));
        header.shape.push_back(dimension.integer);
    }

    bool sizeOk = false;
    if (header.descr.size() >= 3) {
        header.byteOrder = header.descr.at(0);
        header.kind = header.descr.at(1);
        header.itemSize = header.descr.mid(2).toInt(&sizeOk);
    }
    if (!sizeOk || !QStringLiteral("<>|=").contains(header.byteOrder))
        return invalid(QStringLiteral("the dtype \"%1\" is not understood").arg(header.descr));
    // A Unicode string's size counts characters of 4 bytes each.
    if (header.kind == QLatin1Char('U'))
        header.itemSize *= 4;
    return header;
}

qint64 elementCount(const NpyHeader &header)
{
    qint64 count = 1;
    for (qint64 dimension : header.shape)
        count *= dimension;
    return count;
}

bool bigEndianValues(const NpyHeader &header)
{
    if (header.byteOrder == QLatin1Char('>'))
        return true;
    if (header.byteOrder == QLatin1Char('<'))
        return false;
    return QSysInfo::ByteOrder == QSysInfo::BigEndian;
}

/// Maps a NumPy dtype to an element type. float16 maps to Float32 and is converted
/// after reading.
Result<ElementType> elementTypeOf(const NpyHeader &header)
{
    const QChar kind = header.kind;
    const int size = header.itemSize;
    if (kind == QLatin1Char('b') && size == 1)
        return ElementType::Bool;
    if (kind == QLatin1Char('f') && (size == 2 || size == 4))
        return ElementType::Float32;
    if (kind == QLatin1Char('f') && size == 8)
        return ElementType::Float64;

    const bool isSigned = kind == QLatin1Char('i');
    if (isSigned || kind == QLatin1Char('u')) {
        switch (size) {
        case 1:
            return isSigned ? ElementType::Int8 : ElementType::UInt8;
        case 2:
            return isSigned ? ElementType::Int16 : ElementType::UInt16;
        case 4:
            return isSigned ? ElementType::Int32 : ElementType::UInt32;
        case 8:
            return isSigned ? ElementType::Int64 : ElementType::UInt64;
        default:
            break;
        }
    }
    return Result<ElementType>::failure(QStringLiteral("the dtype \"%1\" is not a boolean, integer or float32/64 "
                                                       "type")
                                            .arg(header.descr));
}

QString typeName(const NpyHeader &header)
{
    const int size = header.itemSize;
    switch (header.kind.toLatin1()) {
    case 'b':
        return QStringLiteral("bool");
    case 'i':
        return QStringLiteral("int%1").arg(size * 8);
    case 'u':
        return QStringLiteral("uint%1").arg(size * 8);
    case 'f':
        return QStringLiteral("float%1").arg(size * 8);
    case 'U':
        return QStringLiteral("str%1").arg(size / 4);
    case 'S':
        return QStringLiteral("bytes%1").arg(size);
    default:
        return header.descr;
    }
}

/// IEEE 754 half precision to single precision, subnormals and NaN included.
float halfToFloat(quint16 half)
{
    const quint32 sign = quint32(half & 0x8000u) << 16;
    const quint32 exponent = (half >> 10) & 0x1fu;
    quint32 mantissa = half & 0x3ffu;
    quint32 bits = 0;
    if (exponent == 0x1f) {
        bits = sign | 0x7f800000u | (mantissa << 13);
    } else if (exponent != 0) {
        bits = sign | ((exponent + 112) << 23) | (mantissa << 13);
    } else if (mantissa != 0) {
        // Subnormal: shift the mantissa up until its leading bit is the implicit one.
        int shift = 0;
        while ((mantissa & 0x400u) == 0) {
            mantissa <<= 1;
            ++shift;
        }
        bits = sign | (quint32(113 - shift) << 23) | ((mantissa & 0x3ffu) << 13);
    } else {
        bits = sign;
    }
    float value = 0;
    std::memcpy(&value, &bits, sizeof value);
    return value;
}

/// Reverses the bytes of each element in place.
void swapBytes(char *values, qint64 count, int size)
{
    for (qint64 i = 0; i < count; ++i) {
        char *element = values + i * size;
        std::reverse(element, element + size);
    }
}

/// The header and values of a .npy file, with the values in native byte order.
struct NpyContents
{
    NpyHeader header;
    std::shared_ptr<std::vector<char>> values;
};

Result<NpyContents> readContents(const QString &file)
{
    QFile device(file);
    if (!device.open(QIODevice::ReadOnly))
        return Result<NpyContents>::failure(
            QStringLiteral("Cannot open %1: %2").arg(shownPath(file), device.errorString()));
    Result<NpyHeader> header = readHeader(device, file);
    if (!header)
        return Result<NpyContents>::failure(header.error());

    const qint64 expected = elementCount(header.value()) * header->itemSize;
    const qint64 present = device.size() - header->dataOffset;
    if (present != expected) {
        return Result<NpyContents>::failure(
            QStringLiteral("Invalid NumPy file %1: shape %2 of %3 needs %4 bytes of values, but the file has %5")
                .arg(shownPath(file), describeShape(header->shape), header->descr)
                .arg(expected)
                .arg(present));
    }

    // operator new aligns the buffer for every element type, which a QByteArray
    // does not promise.
    NpyContents contents{header.value(), std::make_shared<std::vector<char>>(std::size_t(expected))};
    device.seek(header->dataOffset);
    if (expected > 0 && device.read(contents.values->data(), expected) != expected)
        return Result<NpyContents>::failure(
            QStringLiteral("Cannot read %1: %2").arg(shownPath(file), device.errorString()));

    const bool foreignOrder = bigEndianValues(contents.header) != (QSysInfo::ByteOrder == QSysInfo::BigEndian);
    const int unitSize = contents.header.kind == QLatin1Char('U') ? 4 : contents.header.itemSize;
    if (foreignOrder && unitSize > 1 && contents.header.kind != QLatin1Char('S'))
        swapBytes(contents.values->data(), expected / unitSize, unitSize);
    return contents;
}

} // namespace

Result<VariableInfo> readNpyInfo(const QString &file)
{
    QFile device(file);
    if (!device.open(QIODevice::ReadOnly))
        return Result<VariableInfo>::failure(
            QStringLiteral("Cannot open %1: %2").arg(shownPath(file), device.errorString()));
    Result<NpyHeader> header = readHeader(device, file);
    if (!header)
        return Result<VariableInfo>::failure(header.error());
    return VariableInfo{QString(), header->shape, typeName(header.value())};
}

Result<StoredArray> readNpyArray(const QString &file)
{
    Result<NpyContents> contents = readContents(file);
    if (!contents)
        return Result<StoredArray>::failure(contents.error());
    const NpyHeader &header = contents->header;

    StoredArray array;
    array.file = file;
    array.info = VariableInfo{QString(), header.shape, typeName(header)};
    const Result<ElementType> type = elementTypeOf(header);
    if (!type || header.shape.size() > 2) {
        return Result<StoredArray>::failure(
            QStringLiteral("Cannot read %1 as a matrix: it holds %2, expected a numeric array of at most 2 "
                           "dimensions")
                .arg(shownPath(file), array.info.describe()));
    }

    array.elementType = type.value();
    array.rows = header.shape.empty() ? 1 : header.shape[0];
    array.columns = header.shape.size() < 2 ? 1 : header.shape[1];
    array.columnMajor = header.fortranOrder;

    if (header.kind == QLatin1Char('f') && header.itemSize == 2) {
        const qint64 count = array.rows * array.columns;
        auto converted = std::make_shared<std::vector<float>>(std::size_t(count));
        const auto *halves = reinterpret_cast<const quint16 *>(contents->values->data());
        for (qint64 i = 0; i < count; ++i)
            (*converted)[std::size_t(i)] = halfToFloat(halves[i]);
        array.values = converted->data();
        array.owner = converted;
        return array;
    }

    array.values = contents->values->data();
    array.owner = contents->values;
    return array;
}

Result<QStringList> readNpyStrings(const QString &file)
{
    Result<NpyContents> contents = readContents(file);
    if (!contents)
        return Result<QStringList>::failure(contents.error());
    const NpyHeader &header = contents->header;

    const qint64 count = elementCount(header);
    const bool vector = header.shape.size() <= 1 || count == header.shape[0] || count == header.shape[1];
    const bool text = header.kind == QLatin1Char('U') || header.kind == QLatin1Char('S');
    if (!text || header.shape.size() > 2 || !vector) {
        return Result<QStringList>::failure(
            QStringLiteral("Cannot read %1 as strings: it holds %2, expected a vector of str or bytes")
                .arg(shownPath(file), VariableInfo{QString(), header.shape, typeName(header)}.describe()));
    }

    // NumPy pads each string with NUL characters to the item size.
    QStringList strings;
    const char *values = contents->values->data();
    for (qint64 i = 0; i < count; ++i) {
        const char *element = values + i * header.itemSize;
        if (header.kind == QLatin1Char('S')) {
            strings.append(QString::fromUtf8(element, qsizetype(qstrnlen(element, uint(header.itemSize)))));
            continue;
        }
        const auto *characters = reinterpret_cast<const char32_t *>(element);
        qsizetype length = header.itemSize / 4;
        while (length > 0 && characters[length - 1] == 0)
            --length;
        strings.append(QString::fromUcs4(characters, length));
    }
    return strings;
}

} // namespace esafh::detail
