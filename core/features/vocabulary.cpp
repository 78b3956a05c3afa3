#include "features/vocabulary.h"

#include <QJsonArray>
#include <QJsonValue>
#include <QSet>

#include <algorithm>
#include <cmath>
#include <utility>

namespace esafh {

namespace {

constexpr int kJsonFormatVersion = 1;

// Common English function words, which occur in most captions and so carry little
// information about what an image shows. Words of one letter ("a", "i") are not listed because
// tokenize() already drops them.
const char *const kStopWords[] = {
    "about", "above", "after", "again", "against", "all", "also", "am", "an", "and", "any", "are",
    "as", "at", "be", "because", "been", "before", "being", "below", "between", "both", "but", "by",
    "can", "could", "did", "do", "does", "doing", "down", "during", "each", "for", "from", "further",
    "had", "has", "have", "having", "he", "her", "here", "hers", "him", "his", "how", "if",
    "in", "into", "is", "it", "its", "itself", "just", "me", "more", "most", "my", "no",
    "nor", "not", "of", "off", "on", "once", "only", "or", "other", "our", "out", "over",
    "own", "same", "she", "so", "some", "such", "than", "that", "the", "their", "them", "then",
    "there", "these", "they", "this", "those", "through", "to", "too", "under", "until", "up", "very",
    "was", "we", "were", "what", "when", "where", "which", "while", "who", "whom", "why", "will",
    "with", "would", "you", "your", "yours"};

const QSet<QString> &stopWords()
{
    static const QSet<QString> words = [] {
        QSet<QString> set;
        for (const char *word : kStopWords)
            set.insert(QString::fromLatin1(word));
        return set;
    }();
    return words;
}

// Appends the word to tokens unless it is a single letter: "a", "i" and the "s" of
// "dog's" carry no meaning, while a single digit ("3 cats") does.
void appendToken(QStringList &tokens, const QList<uint> &codePoints)
{
    if (codePoints.isEmpty())
        return;
    if (codePoints.size() == 1 && !QChar::isDigit(static_cast<char32_t>(codePoints.first())))
        return;
    tokens.append(QString::fromUcs4(reinterpret_cast<const char32_t *>(codePoints.constData()), codePoints.size()));
}

Status invalidKey(const QString &key, const QString &problem)
{
    return Status::failure(QStringLiteral("Invalid vocabulary: key \"%1\" %2.").arg(key, problem));
}

Status readSettings(const QJsonObject &json, VocabularySettings &settings)
{
    if (!json.contains(QStringLiteral("settings")))
        return Status::success();
    const QJsonValue value = json.value(QStringLiteral("settings"));
    if (!value.isObject())
        return invalidKey(QStringLiteral("settings"), QStringLiteral("is not an object"));

    Result<VocabularySettings> read = vocabularySettingsFromJson(value.toObject());
    if (!read)
        return Status::failure(read.error());
    settings = read.value();
    return Status::success();
}

/// Scales the row to unit L2 norm; an all-zero row stays zero.
template <typename Row>
void normaliseRow(Row &&row)
{
    const float norm = row.norm();
    if (norm > 0)
        row /= norm;
}

} // namespace

QJsonObject vocabularySettingsToJson(const VocabularySettings &settings)
{
    QJsonObject json;
    json.insert(QStringLiteral("minDocumentFrequency"), settings.minDocumentFrequency);
    json.insert(QStringLiteral("maxSize"), settings.maxSize);
    json.insert(QStringLiteral("removeStopWords"), settings.removeStopWords);
    json.insert(QStringLiteral("weighting"), textWeightingName(settings.weighting));
    return json;
}

Result<VocabularySettings> vocabularySettingsFromJson(const QJsonObject &object)
{
    for (const QString &key : {QStringLiteral("minDocumentFrequency"), QStringLiteral("maxSize")}) {
        const QJsonValue number = object.value(key);
        if (!number.isDouble() || number.toDouble() != static_cast<double>(number.toInt()))
            return Result<VocabularySettings>::failure(
                invalidKey(QStringLiteral("settings.") + key, QStringLiteral("is missing or not an integer")).error());
    }
    const QJsonValue removeStopWords = object.value(QStringLiteral("removeStopWords"));
    if (!removeStopWords.isBool())
        return Result<VocabularySettings>::failure(
            invalidKey(QStringLiteral("settings.removeStopWords"), QStringLiteral("is missing or not a boolean")).error());

    VocabularySettings settings;
    // Vocabularies written before TF-IDF existed have no "weighting" and are binary.
    if (object.contains(QStringLiteral("weighting"))) {
        const Result<TextWeighting> weighting = parseTextWeighting(object.value(QStringLiteral("weighting")).toString());
        if (!weighting)
            return Result<VocabularySettings>::failure(invalidKey(QStringLiteral("settings.weighting"), weighting.error()).error());
        settings.weighting = weighting.value();
    }
    settings.minDocumentFrequency = object.value(QStringLiteral("minDocumentFrequency")).toInt();
    settings.maxSize = object.value(QStringLiteral("maxSize")).toInt();
    settings.removeStopWords = removeStopWords.toBool();
    return settings;
}

QString textWeightingName(TextWeighting weighting)
{
    return weighting == TextWeighting::TfIdf ? QStringLiteral("tfidf") : QStringLiteral("binary");
}

Result<TextWeighting> parseTextWeighting(const QString &name)
{
    if (name == QLatin1String("binary"))
        return TextWeighting::Binary;
    if (name == QLatin1String("tfidf"))
        return TextWeighting::TfIdf;
    return Result<TextWeighting>::failure(
        QStringLiteral("is \"%1\", expected \"binary\" or \"tfidf\"").arg(name));
}

QStringList Vocabulary::tokenize(const QString &text)
{
    // NFC first, so that a letter written with a combining accent stays one letter.
    const QString normalised = text.normalized(QString::NormalizationForm_C).toLower();

    QStringList tokens;
    QList<uint> word;
    for (const uint codePoint : normalised.toUcs4()) {
        if (QChar::isLetterOrNumber(static_cast<char32_t>(codePoint))) {
            word.append(codePoint);
        } else {
            appendToken(tokens, word);
            word.clear();
        }
    }
    appendToken(tokens, word);
    return tokens;
}

Vocabulary Vocabulary::build(const QStringList &trainingCaptions, const VocabularySettings &settings)
{
    QHash<QString, int> documentFrequency;
    for (const QString &caption : trainingCaptions) {
        const QStringList tokens = tokenize(caption);
        const QSet<QString> distinct(tokens.cbegin(), tokens.cend());
        for (const QString &word : distinct)
            ++documentFrequency[word];
    }

    std::vector<std::pair<QString, int>> candidates;
    for (auto it = documentFrequency.constBegin(); it != documentFrequency.constEnd(); ++it) {
        if (it.value() < settings.minDocumentFrequency)
            continue;
        if (settings.removeStopWords && stopWords().contains(it.key()))
            continue;
        candidates.emplace_back(it.key(), it.value());
    }

    // Most frequent first, and ties in alphabetical (UTF-16) order, so the result does
    // not depend on hash order.
    std::sort(candidates.begin(), candidates.end(), [](const auto &left, const auto &right) {
        return left.second != right.second ? left.second > right.second : left.first < right.first;
    });
    if (settings.maxSize > 0 && candidates.size() > static_cast<size_t>(settings.maxSize))
        candidates.resize(static_cast<size_t>(settings.maxSize));

    Vocabulary vocabulary;
    vocabulary.m_settings = settings;
    for (const auto &candidate : candidates) {
        vocabulary.m_index.insert(candidate.first, static_cast<int>(vocabulary.m_words.size()));
        vocabulary.m_words.append(candidate.first);
    }

    if (settings.weighting == TextWeighting::TfIdf) {
        const double documents = static_cast<double>(trainingCaptions.size());
        for (const auto &candidate : candidates) {
            const double frequency = static_cast<double>(candidate.second);
            vocabulary.m_inverseDocumentFrequency.push_back(
                static_cast<float>(std::log((1.0 + documents) / (1.0 + frequency)) + 1.0));
        }
    }
    return vocabulary;
}

std::vector<float> Vocabulary::encode(const QString &text, int *knownWordCount) const
{
    const FeatureMatrix row = encode(QStringList{text});
    std::vector<float> bag(row.data(), row.data() + row.size());
    if (knownWordCount)
        *knownWordCount = static_cast<int>(std::count_if(bag.cbegin(), bag.cend(), [](float value) { return value != 0.0f; }));
    return bag;
}

FeatureMatrix Vocabulary::encode(const QStringList &texts) const
{
    const bool tfIdf = m_settings.weighting == TextWeighting::TfIdf;
    FeatureMatrix bags = FeatureMatrix::Zero(texts.size(), size());
    for (qsizetype row = 0; row < texts.size(); ++row) {
        for (const QString &word : tokenize(texts[row])) {
            const int index = indexOf(word);
            if (index < 0)
                continue;
            if (tfIdf)
                bags(row, index) += m_inverseDocumentFrequency[static_cast<size_t>(index)];
            else
                bags(row, index) = 1.0f;
        }
        if (tfIdf)
            normaliseRow(bags.row(row));
    }
    return bags;
}

int Vocabulary::countEmpty(const QStringList &texts) const
{
    int empty = 0;
    for (const QString &text : texts) {
        const QStringList tokens = tokenize(text);
        const bool anyKnown = std::any_of(tokens.cbegin(), tokens.cend(),
                                          [this](const QString &word) { return m_index.contains(word); });
        if (!anyKnown)
            ++empty;
    }
    return empty;
}

QJsonObject Vocabulary::toJson() const
{
    const QJsonObject settings = vocabularySettingsToJson(m_settings);

    QJsonObject json;
    json.insert(QStringLiteral("version"), kJsonFormatVersion);
    json.insert(QStringLiteral("settings"), settings);
    json.insert(QStringLiteral("words"), QJsonArray::fromStringList(m_words));
    if (m_settings.weighting == TextWeighting::TfIdf) {
        QJsonArray idf;
        for (const float value : m_inverseDocumentFrequency)
            idf.append(static_cast<double>(value));
        json.insert(QStringLiteral("inverseDocumentFrequency"), idf);
    }
    return json;
}

Result<Vocabulary> Vocabulary::fromJson(const QJsonObject &json)
{
    const QJsonValue version = json.value(QStringLiteral("version"));
    if (!version.isDouble())
        return Result<Vocabulary>::failure(invalidKey(QStringLiteral("version"), QStringLiteral("is missing or not a number")).error());
    if (version.toInt() != kJsonFormatVersion) {
        return Result<Vocabulary>::failure(
            QStringLiteral("Invalid vocabulary: key \"version\" is %1, but this program reads version %2.")
                .arg(version.toDouble())
                .arg(kJsonFormatVersion));
    }

    Vocabulary vocabulary;
    if (const Status settings = readSettings(json, vocabulary.m_settings); !settings)
        return Result<Vocabulary>::failure(settings.error());

    const QJsonValue words = json.value(QStringLiteral("words"));
    if (!words.isArray())
        return Result<Vocabulary>::failure(invalidKey(QStringLiteral("words"), QStringLiteral("is missing or not an array")).error());

    const QJsonArray array = words.toArray();
    for (qsizetype position = 0; position < array.size(); ++position) {
        const QString word = array.at(position).toString();
        const QString key = QStringLiteral("words[%1]").arg(position);
        if (!array.at(position).isString() || word.isEmpty())
            return Result<Vocabulary>::failure(invalidKey(key, QStringLiteral("is not a non-empty string")).error());
        if (vocabulary.m_index.contains(word))
            return Result<Vocabulary>::failure(invalidKey(key, QStringLiteral("repeats the word \"%1\"").arg(word)).error());
        vocabulary.m_index.insert(word, static_cast<int>(vocabulary.m_words.size()));
        vocabulary.m_words.append(word);
    }

    if (vocabulary.m_settings.weighting == TextWeighting::TfIdf) {
        const QJsonArray idf = json.value(QStringLiteral("inverseDocumentFrequency")).toArray();
        if (idf.size() != array.size())
            return Result<Vocabulary>::failure(
                invalidKey(QStringLiteral("inverseDocumentFrequency"),
                           QStringLiteral("has %1 values for %2 words").arg(idf.size()).arg(array.size())).error());
        for (qsizetype position = 0; position < idf.size(); ++position) {
            const double value = idf.at(position).toDouble(-1.0);
            if (!(value >= 1.0) || !std::isfinite(value))
                return Result<Vocabulary>::failure(
                    invalidKey(QStringLiteral("inverseDocumentFrequency[%1]").arg(position),
                               QStringLiteral("is not a number of at least 1")).error());
            vocabulary.m_inverseDocumentFrequency.push_back(static_cast<float>(value));
        }
    }
    return vocabulary;
}

} // namespace esafh
