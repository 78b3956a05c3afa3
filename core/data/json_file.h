#pragma once

// Helpers shared by the JSON readers of core/data. They are not part of the public API.

#include "common/result.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QString>

namespace esafh::detail {

/// Reads the file at PATH as a JSON document whose top level is an object. A parse
/// error names the file, line and column.
Result<QJsonObject> readJsonObject(const QString &path);

/// Reads typed fields of JSON objects and keeps the first error, so that a loader
/// can read a whole record and check once. A field is named by its path, for
/// example "images[3].id", and each message names the file. A missing required
/// field is an error when read through an object and key. An undefined value
/// passed directly (an optional field that is absent) reads as empty or 0 and is
/// not an error.
class JsonFieldReader
{
public:
    explicit JsonFieldReader(QString filePath);

    /// Returns the integer at `path`; a fractional number or one beyond 2^53 is an error.
    qint64 integer(const QJsonValue &value, const QString &path);
    qint64 integer(const QJsonObject &object, const QString &key, const QString &where);
    QString string(const QJsonValue &value, const QString &path);
    QString string(const QJsonObject &object, const QString &key, const QString &where);
    QJsonArray array(const QJsonObject &object, const QString &key, const QString &where);
    QJsonObject object(const QJsonValue &value, const QString &path);

    /// Records an error found by the caller. Only the first error is kept.
    void fail(const QString &message);

    bool failed() const { return !m_error.isEmpty(); }
    const QString &error() const { return m_error; }
    const QString &filePath() const { return m_filePath; }

    /// Joins a parent path and a key: ("images[3]", "id") gives "images[3].id".
    static QString fieldPath(const QString &where, const QString &key);
    static QString elementPath(const QString &arrayPath, qsizetype index);

private:
    QJsonValue field(const QJsonObject &object, const QString &key, const QString &where);
    void failType(const QString &path, const char *expected, const QJsonValue &value);

    QString m_filePath;
    QString m_error;
};

/// A short description of a JSON value for error messages: the value itself for a
/// scalar, "an array" or "an object" otherwise.
QString describeJsonValue(const QJsonValue &value);

} // namespace esafh::detail
