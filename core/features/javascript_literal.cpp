#include "features/javascript_literal.h"

#include <QJsonArray>
#include <QJsonObject>

#include <cctype>
#include <cstring>
#include <utility>

namespace esafh {

namespace {

class JavaScriptParser
{
public:
    JavaScriptParser(const QByteArray &text, qsizetype position) : m_text(text), m_position(position) {}

    qsizetype position() const { return m_position; }

    Result<QJsonValue> parseValue(int depth = 0)
    {
        if (depth > 256)
            return fail(QStringLiteral("values nested more than 256 deep"));
        skipWhitespace();
        if (atEnd())
            return fail(QStringLiteral("the text ends where a value should start"));

        const char c = current();
        if (c == '{')
            return parseObject(depth);
        if (c == '[')
            return parseArray(depth);
        if (c == '"' || c == '\'') {
            Result<QString> text = parseString();
            if (!text)
                return Result<QJsonValue>::failure(text.error());
            return QJsonValue(text.value());
        }
        if (c == '!' && m_position + 1 < m_text.size() && (m_text[m_position + 1] == '0' || m_text[m_position + 1] == '1')) {
            const bool value = m_text[m_position + 1] == '0'; // Minifiers write true as !0 and false as !1.
            m_position += 2;
            return QJsonValue(value);
        }
        if (c == '-' || c == '+' || c == '.' || (c >= '0' && c <= '9'))
            return parseNumber();
        for (const auto &[word, value] : {std::pair<const char *, QJsonValue>{"true", QJsonValue(true)},
                                          {"false", QJsonValue(false)},
                                          {"null", QJsonValue(QJsonValue::Null)},
                                          {"void 0", QJsonValue(QJsonValue::Null)}}) {
            const qsizetype length = static_cast<qsizetype>(std::strlen(word));
            if (m_text.mid(m_position, length) == word) {
                m_position += length;
                return value;
            }
        }
        return fail(QStringLiteral("unexpected character '%1'").arg(QLatin1Char(c)));
    }

private:
    bool atEnd() const { return m_position >= m_text.size(); }
    char current() const { return m_text[m_position]; }

    Result<QJsonValue> fail(const QString &problem) const
    {
        return Result<QJsonValue>::failure(QStringLiteral("%1 at byte %2").arg(problem).arg(m_position));
    }

    void skipWhitespace()
    {
        while (!atEnd() && std::isspace(static_cast<unsigned char>(current())))
            ++m_position;
    }

    static bool isIdentifierCharacter(char c)
    {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$';
    }

    Result<QString> parseKey()
    {
        skipWhitespace();
        if (!atEnd() && (current() == '"' || current() == '\''))
            return parseString();
        const qsizetype start = m_position;
        while (!atEnd() && isIdentifierCharacter(current()))
            ++m_position;
        if (start == m_position)
            return Result<QString>::failure(QStringLiteral("a key is missing at byte %1").arg(start));
        return QString::fromUtf8(m_text.mid(start, m_position - start));
    }

    Result<QJsonValue> parseObject(int depth)
    {
        ++m_position; // {
        QJsonObject object;
        while (true) {
            skipWhitespace();
            if (atEnd())
                return fail(QStringLiteral("an object is not closed"));
            if (current() == '}') {
                ++m_position;
                return QJsonValue(object);
            }
            Result<QString> key = parseKey();
            if (!key)
                return Result<QJsonValue>::failure(key.error());
            skipWhitespace();
            if (atEnd() || current() != ':')
                return fail(QStringLiteral("':' expected after key \"%1\"").arg(key.value()));
            ++m_position;
            Result<QJsonValue> value = parseValue(depth + 1);
            if (!value)
                return value;
            object.insert(key.value(), value.value());
            skipWhitespace();
            if (!atEnd() && current() == ',')
                ++m_position;
            else if (atEnd() || current() != '}')
                return fail(QStringLiteral("',' or '}' expected"));
        }
    }

    Result<QJsonValue> parseArray(int depth)
    {
        ++m_position; // [
        QJsonArray array;
        while (true) {
            skipWhitespace();
            if (atEnd())
                return fail(QStringLiteral("an array is not closed"));
            if (current() == ']') {
                ++m_position;
                return QJsonValue(array);
            }
            Result<QJsonValue> value = parseValue(depth + 1);
            if (!value)
                return value;
            array.append(value.value());
            skipWhitespace();
            if (!atEnd() && current() == ',')
                ++m_position;
            else if (atEnd() || current() != ']')
                return fail(QStringLiteral("',' or ']' expected"));
        }
    }

    Result<QString> parseString()
    {
        const char quote = current();
        const qsizetype start = ++m_position;

        // Fast path for strings without escapes, such as a base64 shard of megabytes.
        const qsizetype end = m_text.indexOf(quote, start);
        if (end < 0)
            return Result<QString>::failure(QStringLiteral("a string that starts at byte %1 is not closed").arg(start));
        if (m_text.indexOf('\\', start) < 0 || m_text.indexOf('\\', start) > end) {
            m_position = end + 1;
            return QString::fromUtf8(m_text.constData() + start, end - start);
        }

        QByteArray bytes;
        while (!atEnd() && current() != quote) {
            char c = current();
            ++m_position;
            if (c != '\\') {
                bytes.append(c);
                continue;
            }
            if (atEnd())
                break;
            c = current();
            ++m_position;
            switch (c) {
            case 'n': bytes.append('\n'); break;
            case 't': bytes.append('\t'); break;
            case 'r': bytes.append('\r'); break;
            case 'b': bytes.append('\b'); break;
            case 'f': bytes.append('\f'); break;
            case 'v': bytes.append('\v'); break;
            case '0': bytes.append('\0'); break;
            case 'x':
            case 'u': {
                const int digits = c == 'x' ? 2 : 4;
                bool ok = false;
                const uint code = m_text.mid(m_position, digits).toUInt(&ok, 16);
                if (!ok)
                    return Result<QString>::failure(QStringLiteral("invalid escape at byte %1").arg(m_position));
                m_position += digits;
                bytes.append(QString(QChar(static_cast<char16_t>(code))).toUtf8());
                break;
            }
            default: bytes.append(c); break; // \" \' \\ \/ and any other character stand for themselves.
            }
        }
        if (atEnd())
            return Result<QString>::failure(QStringLiteral("a string that starts at byte %1 is not closed").arg(start));
        ++m_position; // closing quote
        return QString::fromUtf8(bytes);
    }

    Result<QJsonValue> parseNumber()
    {
        const qsizetype start = m_position;
        if (current() == '-' || current() == '+')
            ++m_position;
        while (!atEnd()) {
            const char c = current();
            const bool exponentSign = (c == '-' || c == '+') && (m_text[m_position - 1] == 'e' || m_text[m_position - 1] == 'E');
            if (!(std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == 'e' || c == 'E' || exponentSign))
                break;
            ++m_position;
        }
        bool ok = false;
        const double value = m_text.mid(start, m_position - start).toDouble(&ok);
        if (!ok)
            return Result<QJsonValue>::failure(QStringLiteral("invalid number at byte %1").arg(start));
        return QJsonValue(value);
    }

    const QByteArray &m_text;
    qsizetype m_position;
};

} // namespace

Result<QJsonValue> parseJavaScriptValue(const QByteArray &text, qsizetype *position)
{
    JavaScriptParser parser(text, *position);
    Result<QJsonValue> value = parser.parseValue();
    if (value)
        *position = parser.position();
    return value;
}

} // namespace esafh
