#pragma once

#include "common/matrix.h"
#include "common/result.h"

#include <QHash>
#include <QJsonObject>
#include <QStringList>

#include <vector>

namespace esafh {

/// Settings of the text vocabulary.
struct VocabularySettings
{
    int minDocumentFrequency = 1; ///< Words in fewer training captions are dropped.
    int maxSize = 20000;          ///< Most frequent words kept.
    bool removeStopWords = true;  ///< Drop common English function words ("a", "the", ...).
};

/// A vocabulary built from the training captions; encodes any text, typed queries
/// included, as a binary bag of words over the same words.
class Vocabulary
{
public:
    static Vocabulary build(const QStringList &trainingCaptions, const VocabularySettings &settings = {});

    /// Lower-cases the text and splits it into words of letters and digits.
    static QStringList tokenize(const QString &text);

    int size() const { return static_cast<int>(m_words.size()); }
    const QStringList &words() const { return m_words; }
    int indexOf(const QString &word) const { return m_index.value(word, -1); }

    /// Binary bag of words of one text; knownWordCount, when given, receives the
    /// number of distinct words of the text found in the vocabulary.
    std::vector<float> encode(const QString &text, int *knownWordCount = nullptr) const;

    /// Binary bags of words, one row per text.
    FeatureMatrix encode(const QStringList &texts) const;

    /// Number of texts that contain no vocabulary word.
    int countEmpty(const QStringList &texts) const;

    QJsonObject toJson() const;
    static Result<Vocabulary> fromJson(const QJsonObject &json);

private:
    QStringList m_words;
    QHash<QString, int> m_index;
    VocabularySettings m_settings;
};

} // namespace esafh
