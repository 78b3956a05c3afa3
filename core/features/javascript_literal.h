#pragma once

#include "common/result.h"

#include <QByteArray>
#include <QJsonValue>

namespace esafh {

/// Parses the JavaScript value (object, array, string, number, true, false, !0, !1,
/// null) that starts at or after *position in text, as minified JavaScript writes
/// it: keys without quotes, numbers like .5 and single-quoted strings. On success
/// *position is just past the value. Functions, regular expressions and other
/// expressions are rejected with the offset where they start.
Result<QJsonValue> parseJavaScriptValue(const QByteArray &text, qsizetype *position);

} // namespace esafh
