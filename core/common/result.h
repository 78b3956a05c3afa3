#pragma once

#include <QString>

#include <optional>
#include <utility>

namespace esafh {

/// The outcome of an operation that can fail on user input: either a value or a
/// message that names the file and the value at fault.
template <typename T>
class Result
{
public:
    Result(T value) : m_value(std::move(value)) {}

    static Result failure(QString message)
    {
        Result result;
        result.m_error = std::move(message);
        return result;
    }

    bool ok() const { return m_value.has_value(); }
    explicit operator bool() const { return ok(); }

    const T &value() const & { return *m_value; }
    T &value() & { return *m_value; }
    T &&value() && { return std::move(*m_value); }
    const T *operator->() const { return &*m_value; }
    T *operator->() { return &*m_value; }

    const QString &error() const { return m_error; }

private:
    Result() = default;

    std::optional<T> m_value;
    QString m_error;
};

/// The outcome of an operation that returns no value.
class Status
{
public:
    static Status success() { return Status(); }
    static Status failure(QString message)
    {
        Status status;
        status.m_error = std::move(message);
        status.m_ok = false;
        return status;
    }

    bool ok() const { return m_ok; }
    explicit operator bool() const { return m_ok; }
    const QString &error() const { return m_error; }

private:
    bool m_ok = true;
    QString m_error;
};

} // namespace esafh
