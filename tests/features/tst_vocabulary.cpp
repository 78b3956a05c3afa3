// Tests of the caption vocabulary: tokenisation, building, encoding and JSON.

#include "features/vocabulary.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

#include <cmath>

using namespace esafh;

namespace {

QJsonObject jsonFromText(const char *text)
{
    return QJsonDocument::fromJson(QByteArray(text)).object();
}

} // namespace

class VocabularyTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void tokenize_data();
    void tokenize();
    void stopWordsRemovedWhenEnabled();
    void stopWordsKeptWhenDisabled();
    void minDocumentFrequencyCountsCaptions();
    void maxSizeKeepsMostFrequent();
    void wordsOrderedByFrequencyThenWord();
    void unknownQueryHasNoKnownWords();
    void encodeMarksDistinctKnownWords();
    void encodeListGivesOneRowPerText();
    void countEmptyCountsTextsWithoutKnownWords();
    void jsonRoundTrip();
    void tfIdfMatchesHandComputedValues();
    void tfIdfJsonRoundTripKeepsWeights();
    void tfIdfUnknownWeightingIsRejected();
    void malformedJsonNamesKey_data();
    void malformedJsonNamesKey();
};

void VocabularyTest::tokenize_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QStringList>("tokens");

    QTest::newRow("empty") << QString() << QStringList();
    QTest::newRow("punctuation only") << QStringLiteral("... !? --") << QStringList();
    QTest::newRow("upper case") << QStringLiteral("Red APPLE") << QStringList{"red", "apple"};
    QTest::newRow("tux caption")
        << QStringLiteral("A US 25 cent piece ($.25) called a quarter.")
        << QStringList{"us", "25", "cent", "piece", "25", "called", "quarter"};
    QTest::newRow("single letter dropped, digit kept")
        << QStringLiteral("A dog's 3 toys") << QStringList{"dog", "3", "toys"};
    QTest::newRow("hyphen and underscore split")
        << QStringLiteral("t-shirt snake_case") << QStringList{"shirt", "snake", "case"};
    QTest::newRow("letters and digits stay together") << QStringLiteral("mp3 4x4") << QStringList{"mp3", "4x4"};
    QTest::newRow("accented letters") << QStringLiteral("Café Crème") << QStringList{"café", "crème"};
    QTest::newRow("combining accent joined")
        << QStringLiteral("cafe\u0301") << QStringList{QStringLiteral("caf\u00e9")};
    QTest::newRow("non-Latin script") << QStringLiteral("Кошка и собака") << QStringList{"кошка", "собака"};
    QTest::newRow("letter outside the BMP")
        << QStringLiteral("x\U0001D49Cy") << QStringList{QStringLiteral("x\U0001D49Cy")};
    QTest::newRow("tabs and newlines") << QStringLiteral("sun\tmoon\nstar") << QStringList{"sun", "moon", "star"};
}

void VocabularyTest::tokenize()
{
    QFETCH(QString, text);
    QFETCH(QStringList, tokens);
    QCOMPARE(Vocabulary::tokenize(text), tokens);
}

void VocabularyTest::stopWordsRemovedWhenEnabled()
{
    const Vocabulary vocabulary = Vocabulary::build({QStringLiteral("the cat is on the mat")});
    QCOMPARE(vocabulary.words(), (QStringList{"cat", "mat"}));
    QCOMPARE(vocabulary.indexOf(QStringLiteral("the")), -1);
}

void VocabularyTest::stopWordsKeptWhenDisabled()
{
    VocabularySettings settings;
    settings.removeStopWords = false;
    const Vocabulary vocabulary = Vocabulary::build({QStringLiteral("the cat is on the mat")}, settings);
    QCOMPARE(vocabulary.size(), 5);
    QVERIFY(vocabulary.indexOf(QStringLiteral("the")) >= 0);
    QVERIFY(vocabulary.indexOf(QStringLiteral("is")) >= 0);
}

void VocabularyTest::minDocumentFrequencyCountsCaptions()
{
    VocabularySettings settings;
    settings.minDocumentFrequency = 2;
    // "dog" occurs three times but in one caption only, so its document frequency is 1.
    const Vocabulary vocabulary = Vocabulary::build(
        {QStringLiteral("dog dog dog cat"), QStringLiteral("cat bird"), QStringLiteral("bird fish")}, settings);
    QCOMPARE(vocabulary.words(), (QStringList{"bird", "cat"}));
}

void VocabularyTest::maxSizeKeepsMostFrequent()
{
    VocabularySettings settings;
    settings.maxSize = 2;
    const Vocabulary vocabulary = Vocabulary::build(
        {QStringLiteral("zebra apple"), QStringLiteral("zebra apple mango"), QStringLiteral("zebra kiwi")}, settings);
    QCOMPARE(vocabulary.words(), (QStringList{"zebra", "apple"}));
}

void VocabularyTest::wordsOrderedByFrequencyThenWord()
{
    const QStringList captions = {QStringLiteral("pear fig"), QStringLiteral("plum fig"), QStringLiteral("date")};
    const Vocabulary vocabulary = Vocabulary::build(captions);
    QCOMPARE(vocabulary.words(), (QStringList{"fig", "date", "pear", "plum"}));
    QCOMPARE(vocabulary.indexOf(QStringLiteral("plum")), 3);

    QStringList reversed = captions;
    std::reverse(reversed.begin(), reversed.end());
    QCOMPARE(Vocabulary::build(reversed).words(), vocabulary.words());
}

void VocabularyTest::unknownQueryHasNoKnownWords()
{
    const Vocabulary vocabulary = Vocabulary::build({QStringLiteral("red apple"), QStringLiteral("green pear")});
    int known = -1;
    const std::vector<float> bag = vocabulary.encode(QStringLiteral("a blue submarine"), &known);
    QCOMPARE(known, 0);
    QCOMPARE(static_cast<int>(bag.size()), vocabulary.size());
    QVERIFY(std::all_of(bag.begin(), bag.end(), [](float value) { return value == 0.0f; }));
}

void VocabularyTest::encodeMarksDistinctKnownWords()
{
    const Vocabulary vocabulary = Vocabulary::build({QStringLiteral("red apple"), QStringLiteral("green pear")});
    int known = -1;
    const std::vector<float> bag = vocabulary.encode(QStringLiteral("Red, red apple and a plum"), &known);
    QCOMPARE(known, 2);
    QCOMPARE(bag[static_cast<size_t>(vocabulary.indexOf(QStringLiteral("red")))], 1.0f);
    QCOMPARE(bag[static_cast<size_t>(vocabulary.indexOf(QStringLiteral("apple")))], 1.0f);
    QCOMPARE(bag[static_cast<size_t>(vocabulary.indexOf(QStringLiteral("pear")))], 0.0f);
}

void VocabularyTest::encodeListGivesOneRowPerText()
{
    const Vocabulary vocabulary = Vocabulary::build({QStringLiteral("red apple"), QStringLiteral("green pear")});
    const QStringList texts = {QStringLiteral("green apple"), QString(), QStringLiteral("pear pear")};
    const FeatureMatrix bags = vocabulary.encode(texts);
    QCOMPARE(bags.rows(), 3);
    QCOMPARE(bags.cols(), vocabulary.size());
    for (int row = 0; row < 3; ++row) {
        const std::vector<float> single = vocabulary.encode(texts[row]);
        QVERIFY2(std::equal(single.begin(), single.end(), bags.row(row).data()), qPrintable(texts[row]));
    }
    QCOMPARE(bags.row(2).sum(), 1.0f);
}

void VocabularyTest::countEmptyCountsTextsWithoutKnownWords()
{
    const Vocabulary vocabulary = Vocabulary::build({QStringLiteral("red apple")});
    QCOMPARE(vocabulary.countEmpty({QStringLiteral("apple pie"), QStringLiteral("the"), QString(),
                                    QStringLiteral("blue sky")}),
             3);
}

void VocabularyTest::jsonRoundTrip()
{
    VocabularySettings settings;
    settings.minDocumentFrequency = 1;
    settings.maxSize = 3;
    settings.removeStopWords = false;
    const Vocabulary original = Vocabulary::build(
        {QStringLiteral("the red apple"), QStringLiteral("the green pear"), QStringLiteral("the ripe pear")}, settings);

    const QByteArray text = QJsonDocument(original.toJson()).toJson();
    const Result<Vocabulary> restored = Vocabulary::fromJson(QJsonDocument::fromJson(text).object());
    QVERIFY2(restored.ok(), qPrintable(restored.error()));
    QCOMPARE(restored->words(), original.words());
    QCOMPARE(restored->settings().maxSize, 3);
    QCOMPARE(restored->settings().minDocumentFrequency, 1);
    QCOMPARE(restored->settings().removeStopWords, false);
    QVERIFY(restored->encode(QStringLiteral("ripe pear")) == original.encode(QStringLiteral("ripe pear")));
}

void VocabularyTest::tfIdfMatchesHandComputedValues()
{
    VocabularySettings settings;
    settings.weighting = TextWeighting::TfIdf;
    settings.removeStopWords = false;
    // "cat" is in 3 of 3 captions, "dog" in 2 and "bird" in 1.
    const Vocabulary vocabulary = Vocabulary::build({QStringLiteral("cat dog"), QStringLiteral("cat dog"),
                                                     QStringLiteral("cat bird")},
                                                    settings);
    QCOMPARE(vocabulary.words(), (QStringList{QStringLiteral("cat"), QStringLiteral("dog"), QStringLiteral("bird")}));

    // Smoothed idf = ln((1 + n) / (1 + df)) + 1 with n = 3 captions.
    const double idfCat = std::log(4.0 / 4.0) + 1.0;
    const double idfDog = std::log(4.0 / 3.0) + 1.0;
    const double idfBird = std::log(4.0 / 2.0) + 1.0;
    QCOMPARE(vocabulary.inverseDocumentFrequency().size(), size_t(3));
    QVERIFY(std::abs(vocabulary.inverseDocumentFrequency()[2] - idfBird) < 1e-6);

    // "cat cat bird fish": counts 2, 0, 1 (fish is unknown), then unit L2 norm.
    int known = 0;
    const std::vector<float> bag = vocabulary.encode(QStringLiteral("cat cat bird fish"), &known);
    const double cat = 2.0 * idfCat;
    const double bird = idfBird;
    const double norm = std::sqrt(cat * cat + bird * bird);
    QCOMPARE(known, 2);
    QVERIFY(std::abs(bag[0] - cat / norm) < 1e-6);
    QCOMPARE(bag[1], 0.0f);
    QVERIFY(std::abs(bag[2] - bird / norm) < 1e-6);

    const FeatureMatrix rows = vocabulary.encode(QStringList{QStringLiteral("dog"), QStringLiteral("fish")});
    QVERIFY(std::abs(rows(0, 1) - 1.0f) < 1e-6);
    QCOMPARE(rows.row(1).norm(), 0.0f);
    QVERIFY(idfDog > idfCat);
}

void VocabularyTest::tfIdfJsonRoundTripKeepsWeights()
{
    VocabularySettings settings;
    settings.weighting = TextWeighting::TfIdf;
    const Vocabulary vocabulary = Vocabulary::build({QStringLiteral("red kite"), QStringLiteral("red fox")}, settings);

    const Result<Vocabulary> read = Vocabulary::fromJson(vocabulary.toJson());
    QVERIFY2(read.ok(), qPrintable(read.error()));
    QCOMPARE(read->settings().weighting, TextWeighting::TfIdf);
    QCOMPARE(read->inverseDocumentFrequency(), vocabulary.inverseDocumentFrequency());
    QCOMPARE(read->encode(QStringLiteral("red fox")), vocabulary.encode(QStringLiteral("red fox")));

    QJsonObject truncated = vocabulary.toJson();
    truncated.insert(QStringLiteral("inverseDocumentFrequency"), QJsonArray{1.5});
    const Result<Vocabulary> bad = Vocabulary::fromJson(truncated);
    QVERIFY(!bad.ok());
    QVERIFY2(bad.error().contains(QStringLiteral("inverseDocumentFrequency")), qPrintable(bad.error()));
}

void VocabularyTest::tfIdfUnknownWeightingIsRejected()
{
    QJsonObject json = Vocabulary::build({QStringLiteral("red kite")}).toJson();
    QJsonObject settings = json.value(QStringLiteral("settings")).toObject();
    settings.insert(QStringLiteral("weighting"), QStringLiteral("bm25"));
    json.insert(QStringLiteral("settings"), settings);

    const Result<Vocabulary> read = Vocabulary::fromJson(json);
    QVERIFY(!read.ok());
    QVERIFY2(read.error().contains(QStringLiteral("bm25")), qPrintable(read.error()));
    QVERIFY2(read.error().contains(QStringLiteral("settings.weighting")), qPrintable(read.error()));
}

void VocabularyTest::malformedJsonNamesKey_data()
{
    QTest::addColumn<QJsonObject>("json");
    QTest::addColumn<QString>("key");

    QTest::newRow("no version") << jsonFromText(R"({"words": ["cat"]})") << QStringLiteral("\"version\"");
    QTest::newRow("newer version") << jsonFromText(R"({"version": 2, "words": ["cat"]})") << QStringLiteral("\"version\" is 2");
    QTest::newRow("no words") << jsonFromText(R"({"version": 1})") << QStringLiteral("\"words\"");
    QTest::newRow("words not an array") << jsonFromText(R"({"version": 1, "words": "cat"})") << QStringLiteral("\"words\"");
    QTest::newRow("word not a string") << jsonFromText(R"({"version": 1, "words": ["cat", 7]})") << QStringLiteral("\"words[1]\"");
    QTest::newRow("empty word") << jsonFromText(R"({"version": 1, "words": [""]})") << QStringLiteral("\"words[0]\"");
    QTest::newRow("repeated word") << jsonFromText(R"({"version": 1, "words": ["cat", "dog", "cat"]})") << QStringLiteral("\"words[2]\"");
    QTest::newRow("settings not an object")
        << jsonFromText(R"({"version": 1, "settings": [], "words": []})") << QStringLiteral("\"settings\"");
    QTest::newRow("maxSize not an integer")
        << jsonFromText(R"({"version": 1, "settings": {"minDocumentFrequency": 1, "maxSize": "big", "removeStopWords": true}, "words": []})")
        << QStringLiteral("\"settings.maxSize\"");
    QTest::newRow("removeStopWords missing")
        << jsonFromText(R"({"version": 1, "settings": {"minDocumentFrequency": 1, "maxSize": 5}, "words": []})")
        << QStringLiteral("\"settings.removeStopWords\"");
}

void VocabularyTest::malformedJsonNamesKey()
{
    QFETCH(QJsonObject, json);
    QFETCH(QString, key);

    const Result<Vocabulary> vocabulary = Vocabulary::fromJson(json);
    QVERIFY(!vocabulary.ok());
    QVERIFY2(vocabulary.error().contains(key), qPrintable(vocabulary.error()));
}

QTEST_GUILESS_MAIN(VocabularyTest)
#include "tst_vocabulary.moc"
