#pragma once

#include "common/matrix.h"
#include "common/result.h"

#include <QHash>
#include <QJsonObject>
#include <QStringList>

#include <vector>

namespace esafh {

/// The weighting that turns the words of a text into feature values.
enum class TextWeighting
{
    Binary, ///< 1 for each vocabulary word the text contains, else 0.
    TfIdf,  ///< Count times smoothed inverse document frequency, each row scaled to unit L2 norm.
};

/// Settings of the text vocabulary.
struct VocabularySettings
{
    TextWeighting weighting = TextWeighting::Binary;
    int minDocumentFrequency = 1; ///< Words in fewer training captions are dropped.
    int maxSize = 20000;          ///< Most frequent words kept, or all of them when 0 or less.
    bool removeStopWords = true;  ///< Drop common English function words ("a", "the", ...).
};

/// A vocabulary built from the training captions; encodes any text, typed queries
/// included, as a bag of words over the same words, binary or TF-IDF weighted.
class Vocabulary
{
public:
    /// Builds the vocabulary from the words of the training captions that pass the
    /// settings. Words are ordered by document frequency, most frequent first, and
    /// words of equal frequency alphabetically (by UTF-16 code unit), so the same
    /// captions always give the same word indices.
    static Vocabulary build(const QStringList &trainingCaptions, const VocabularySettings &settings = {});

    /// Lower-cases the text and splits it into maximal runs of letters and digits
    /// (Unicode categories, after NFC normalisation). Single letters are dropped,
    /// single digits are kept: "A dog's 3 toys" gives "dog", "3", "toys".
    static QStringList tokenize(const QString &text);

    int size() const { return static_cast<int>(m_words.size()); }
    const QStringList &words() const { return m_words; }
    int indexOf(const QString &word) const { return m_index.value(word, -1); }
    const VocabularySettings &settings() const { return m_settings; }

    /// Inverse document frequency of each word over the training captions,
    /// ln((1 + n) / (1 + df)) + 1 as scikit-learn's TfidfVectorizer smooths it;
    /// empty for binary weighting.
    const std::vector<float> &inverseDocumentFrequency() const { return m_inverseDocumentFrequency; }

    /// Returns the bag of words of one text with the settings' weighting. When given,
    /// knownWordCount receives the number of distinct vocabulary words in the text.
    std::vector<float> encode(const QString &text, int *knownWordCount = nullptr) const;

    /// Bags of words, one row per text, with the settings' weighting.
    FeatureMatrix encode(const QStringList &texts) const;

    /// Number of texts that contain no vocabulary word.
    int countEmpty(const QStringList &texts) const;

    /// Returns the words and settings as {"version", "settings", "words"}, plus
    /// "inverseDocumentFrequency" for TF-IDF weighting.
    QJsonObject toJson() const;

    /// Reads what toJson() wrote. Fails with a message naming the missing or malformed
    /// key, except that a missing "settings" key gives the default settings.
    static Result<Vocabulary> fromJson(const QJsonObject &json);

private:
    QStringList m_words;
    QHash<QString, int> m_index;
    VocabularySettings m_settings;
    std::vector<float> m_inverseDocumentFrequency;
};

/// Returns the settings as the "settings" object of Vocabulary::toJson() writes them.
QJsonObject vocabularySettingsToJson(const VocabularySettings &settings);
/// Reads what vocabularySettingsToJson() wrote; fails naming the key that is missing
/// or of the wrong type. A missing "weighting" reads as binary.
Result<VocabularySettings> vocabularySettingsFromJson(const QJsonObject &json);

/// The settings value of a weighting: "binary" or "tfidf".
QString textWeightingName(TextWeighting weighting);
/// Reads "binary" or "tfidf"; fails naming the value otherwise.
Result<TextWeighting> parseTextWeighting(const QString &name);

} // namespace esafh
