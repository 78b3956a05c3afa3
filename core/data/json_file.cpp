#include "data/json_file.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonParseError>

#include <cmath>

namespace esafh::detail {

namespace {

// JSON numbers are doubles, so integers beyond 2^53 are not exact.
constexpr double maxExactInteger = 9007199254740992.0;

} // namespace

Result<QJsonObject> readJsonObject(const QString &path)
{
    const QString shownPath = QDir::toNativeSeparators(path);
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Result<QJsonObject>::failure(
            QStringLiteral("Cannot open %1: %2").arg(shownPath, file.errorString()));

    // TODO: Parse large files as a stream. QJsonDocument keeps the whole document in
    // memory, several times the file size, which is gigabytes for the full COCO
    // train2017 instances file (448 MB).
    const QByteArray bytes = file.readAll();
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(bytes, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        // QJsonParseError::offset counts bytes of the UTF-8 input, so the column is in bytes too.
        const QByteArray before = bytes.left(parseError.offset);
        const qsizetype line = before.count('\n') + 1;
        const qsizetype column = parseError.offset - (before.lastIndexOf('\n') + 1) + 1;
        return Result<QJsonObject>::failure(
            QStringLiteral("Invalid JSON in %1 at line %2, column %3 (byte offset %4): %5")
                .arg(shownPath)
                .arg(line)
                .arg(column)
                .arg(parseError.offset)
                .arg(parseError.errorString()));
    }

    if (!document.isObject())
        return Result<QJsonObject>::failure(
            QStringLiteral("Invalid %1: the top level must be a JSON object").arg(shownPath));
    return document.object();
}

QString describeJsonValue(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null:
        return QStringLiteral("null");
    case QJsonValue::Bool:
        return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case QJsonValue::Double:
        return QString::number(value.toDouble(), 'g', 17);
    case QJsonValue::String:
        return QLatin1Char('"') + value.toString() + QLatin1Char('"');
    case QJsonValue::Array:
        return QStringLiteral("an array");
    case QJsonValue::Object:
        return QStringLiteral("an object");
    case QJsonValue::Undefined:
        break;
    }
    return QStringLiteral("undefined");
}

JsonFieldReader::JsonFieldReader(QString filePath) : m_filePath(QDir::toNativeSeparators(filePath)) {}

QString JsonFieldReader::fieldPath(const QString &where, const QString &key)
{
    return where.isEmpty() ? key : where + QLatin1Char('.') + key;
}

QString JsonFieldReader::elementPath(const QString &arrayPath, qsizetype index)
{
    return QStringLiteral("%1[%2]").arg(arrayPath).arg(index);
}

void JsonFieldReader::fail(const QString &message)
{
    if (m_error.isEmpty())
        m_error = message;
}

void JsonFieldReader::failType(const QString &path, const char *expected, const QJsonValue &value)
{
    fail(QStringLiteral("Invalid %1: %2 must be %3, not %4")
             .arg(m_filePath, path, QLatin1String(expected), describeJsonValue(value)));
}

QJsonValue JsonFieldReader::field(const QJsonObject &object, const QString &key, const QString &where)
{
    const auto found = object.constFind(key);
    if (found == object.constEnd()) {
        fail(QStringLiteral("Invalid %1: missing field %2").arg(m_filePath, fieldPath(where, key)));
        return QJsonValue(QJsonValue::Undefined);
    }
    return found.value();
}

qint64 JsonFieldReader::integer(const QJsonValue &value, const QString &path)
{
    if (value.isUndefined())
        return 0;
    const double number = value.toDouble(std::nan(""));
    if (!value.isDouble() || std::trunc(number) != number || std::abs(number) > maxExactInteger) {
        failType(path, "an integer", value);
        return 0;
    }
    return static_cast<qint64>(number);
}

qint64 JsonFieldReader::integer(const QJsonObject &object, const QString &key, const QString &where)
{
    return integer(field(object, key, where), fieldPath(where, key));
}

QString JsonFieldReader::string(const QJsonValue &value, const QString &path)
{
    if (value.isUndefined())
        return {};
    if (!value.isString()) {
        failType(path, "a string", value);
        return {};
    }
    return value.toString();
}

QString JsonFieldReader::string(const QJsonObject &object, const QString &key, const QString &where)
{
    return string(field(object, key, where), fieldPath(where, key));
}

QJsonArray JsonFieldReader::array(const QJsonObject &object, const QString &key, const QString &where)
{
    const QJsonValue value = field(object, key, where);
    if (value.isUndefined())
        return {};
    if (!value.isArray()) {
        failType(fieldPath(where, key), "an array", value);
        return {};
    }
    return value.toArray();
}

QJsonObject JsonFieldReader::object(const QJsonValue &value, const QString &path)
{
    if (value.isUndefined())
        return {};
    if (!value.isObject()) {
        failType(path, "an object", value);
        return {};
    }
    return value.toObject();
}

} // namespace esafh::detail
