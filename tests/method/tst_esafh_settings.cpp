#include "method/esafh_settings.h"

#include <QJsonObject>
#include <QTest>

using namespace esafh;

class TestEsafhSettings : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void defaultsAreValid();
    void jsonRoundTripKeepsEveryField();
    void missingKeysKeepDefaults();
    void wrongTypeIsRejected_data();
    void wrongTypeIsRejected();
    void outOfRangeIsRejected_data();
    void outOfRangeIsRejected();
    void largeSeedSurvivesJson();
    void forMethodGivesAnchorDefaults();
    void forMethodRejectsUnknownName();
};

void TestEsafhSettings::defaultsAreValid()
{
    const EsafhSettings settings;
    QVERIFY2(settings.validate().ok(), qPrintable(settings.validate().error()));
}

void TestEsafhSettings::jsonRoundTripKeepsEveryField()
{
    // Every field differs from its default, so a field that is not written or not
    // read shows up as a difference.
    EsafhSettings settings;
    settings.bits = 32;
    settings.epochs = 7;
    settings.batchSize = 64;
    settings.seed = 12345;
    settings.neighbourCount = 5;
    settings.enrichmentWeight = 0.5;
    settings.textHiddenUnits = 256;
    settings.graphUnits = 128;
    settings.imageHiddenUnits = 0;
    settings.dropout = 0.2;
    settings.standardisedImageSimilarity = !settings.standardisedImageSimilarity;
    settings.signedSimilarity = false;
    settings.neighbourCoherence = true;
    settings.coherenceNeighbours = 4;
    settings.coherenceWeight = 0.25;
    settings.attentionFusion = false;
    settings.fusionScale = 1.2;
    settings.attentionKlWeight = 0.75;
    settings.attentionLearningRate = 0.02;
    settings.attentionHiddenUnits = 8;
    settings.rowEntropyTemperature = 0.2;
    settings.rowTopMeanCount = 3;
    settings.intraModalWeight = 0.3;
    settings.quantisationWeight = 0.05;
    settings.optimizer = QStringLiteral("adam");
    settings.imageLearningRate = 0.002;
    settings.textLearningRate = 0.003;
    settings.momentum = 0.8;
    settings.weightDecay = 1e-4;
    settings.device = QStringLiteral("cpu");
    settings.threads = 3;
    settings.method = QStringLiteral("jdsh");
    settings.neighbourEnrichment = false;
    settings.learnedTextEncoder = false;
    settings.crossModalTerm = false;
    settings.fixedFusionWeights = true;
    settings.djsrhImageWeight = 0.6;
    settings.djsrhSecondOrderWeight = 0.3;
    settings.jdshImageWeight = 0.4;
    settings.jdshTextWeight = 0.2;
    settings.jdshCrossWeight = 0.3;
    settings.jdshDistributionWeighting = false;
    settings.jdshThresholdWidth = 0.5;
    settings.jdshLowBoost = 0.2;
    settings.jdshHighBoost = 0.3;
    settings.dgcpnTextWeight = 0.7;
    settings.dgcpnCoherenceWeight = 0.4;
    settings.dgcpnNeighbours = 20;

    const QJsonObject json = settings.toJson();
    const Result<EsafhSettings> read = EsafhSettings::fromJson(json);
    QVERIFY2(read.ok(), qPrintable(read.error()));
    QCOMPARE(read->toJson(), json);
    QCOMPARE(read->seed, settings.seed);
    QCOMPARE(read->imageHiddenUnits, 0);
    QCOMPARE(read->optimizer, QStringLiteral("adam"));
    QCOMPARE(read->method, QStringLiteral("jdsh"));
    QCOMPARE(read->standardisedImageSimilarity, settings.standardisedImageSimilarity);
    QCOMPARE(json.size(), 48);
}

void TestEsafhSettings::missingKeysKeepDefaults()
{
    QJsonObject json;
    json[QStringLiteral("bits")] = 16;
    const Result<EsafhSettings> read = EsafhSettings::fromJson(json);
    QVERIFY2(read.ok(), qPrintable(read.error()));

    EsafhSettings expected;
    expected.bits = 16;
    QCOMPARE(read->toJson(), expected.toJson());
}

void TestEsafhSettings::wrongTypeIsRejected_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<QJsonValue>("value");

    QTest::newRow("bits as string") << QStringLiteral("bits") << QJsonValue(QStringLiteral("64"));
    QTest::newRow("bits fractional") << QStringLiteral("bits") << QJsonValue(64.5);
    QTest::newRow("rate as bool") << QStringLiteral("textLearningRate") << QJsonValue(true);
    QTest::newRow("flag as number") << QStringLiteral("attentionFusion") << QJsonValue(1);
    QTest::newRow("optimizer as number") << QStringLiteral("optimizer") << QJsonValue(2);
    QTest::newRow("seed negative") << QStringLiteral("seed") << QJsonValue(-1);
    QTest::newRow("seed not digits") << QStringLiteral("seed") << QJsonValue(QStringLiteral("12a"));
}

void TestEsafhSettings::wrongTypeIsRejected()
{
    QFETCH(QString, key);
    QFETCH(QJsonValue, value);

    QJsonObject json = EsafhSettings().toJson();
    json[key] = value;
    const Result<EsafhSettings> read = EsafhSettings::fromJson(json);
    QVERIFY(!read.ok());
    QVERIFY2(read.error().contains(QLatin1Char('"') + key + QLatin1Char('"')), qPrintable(read.error()));
}

void TestEsafhSettings::outOfRangeIsRejected_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<QJsonValue>("value");

    QTest::newRow("bits 0") << QStringLiteral("bits") << QJsonValue(0);
    QTest::newRow("bits 5000") << QStringLiteral("bits") << QJsonValue(5000);
    QTest::newRow("epochs 0") << QStringLiteral("epochs") << QJsonValue(0);
    QTest::newRow("batch 1") << QStringLiteral("batchSize") << QJsonValue(1);
    QTest::newRow("neighbours negative") << QStringLiteral("neighbourCount") << QJsonValue(-1);
    QTest::newRow("image rate 0") << QStringLiteral("imageLearningRate") << QJsonValue(0.0);
    QTest::newRow("text rate negative") << QStringLiteral("textLearningRate") << QJsonValue(-0.1);
    QTest::newRow("attention rate 0") << QStringLiteral("attentionLearningRate") << QJsonValue(0.0);
    QTest::newRow("momentum 1") << QStringLiteral("momentum") << QJsonValue(1.0);
    QTest::newRow("dropout 1") << QStringLiteral("dropout") << QJsonValue(1.0);
    QTest::newRow("coherence weight 2") << QStringLiteral("coherenceWeight") << QJsonValue(2.0);
    QTest::newRow("fusion scale 0") << QStringLiteral("fusionScale") << QJsonValue(0.0);
    QTest::newRow("temperature 0") << QStringLiteral("rowEntropyTemperature") << QJsonValue(0.0);
    QTest::newRow("optimizer unknown") << QStringLiteral("optimizer") << QJsonValue(QStringLiteral("rmsprop"));
    QTest::newRow("device unknown") << QStringLiteral("device") << QJsonValue(QStringLiteral("tpu"));
    QTest::newRow("threads negative") << QStringLiteral("threads") << QJsonValue(-2);
    QTest::newRow("djsrh beta above 1") << QStringLiteral("djsrhImageWeight") << QJsonValue(1.5);
    QTest::newRow("djsrh eta negative") << QStringLiteral("djsrhSecondOrderWeight") << QJsonValue(-0.1);
    QTest::newRow("jdsh alpha negative") << QStringLiteral("jdshImageWeight") << QJsonValue(-0.5);
    QTest::newRow("jdsh width negative") << QStringLiteral("jdshThresholdWidth") << QJsonValue(-1.0);
    QTest::newRow("jdsh boost negative") << QStringLiteral("jdshHighBoost") << QJsonValue(-0.1);
    QTest::newRow("dgcpn a1 above 1") << QStringLiteral("dgcpnTextWeight") << QJsonValue(2.0);
    QTest::newRow("dgcpn a2 negative") << QStringLiteral("dgcpnCoherenceWeight") << QJsonValue(-0.3);
    QTest::newRow("dgcpn k 0") << QStringLiteral("dgcpnNeighbours") << QJsonValue(0);
    QTest::newRow("method unknown") << QStringLiteral("method") << QJsonValue(QStringLiteral("ucch"));
}

void TestEsafhSettings::outOfRangeIsRejected()
{
    QFETCH(QString, key);
    QFETCH(QJsonValue, value);

    QJsonObject json;
    json[key] = value;
    const Result<EsafhSettings> read = EsafhSettings::fromJson(json);
    QVERIFY(!read.ok());
    QVERIFY2(read.error().contains(QLatin1Char('"') + key + QLatin1Char('"')), qPrintable(read.error()));
}

void TestEsafhSettings::largeSeedSurvivesJson()
{
    // Above 2^53 a JSON number loses bits, so the seed is written as text.
    EsafhSettings settings;
    settings.seed = 18446744073709551557ull;
    const QJsonObject json = settings.toJson();
    QVERIFY(json.value(QStringLiteral("seed")).isString());

    const Result<EsafhSettings> read = EsafhSettings::fromJson(json);
    QVERIFY2(read.ok(), qPrintable(read.error()));
    QCOMPARE(read->seed, settings.seed);
}

void TestEsafhSettings::forMethodGivesAnchorDefaults()
{
    QCOMPARE(EsafhSettings::methodNames().first(), QStringLiteral("esafh"));
    for (const QString &name : EsafhSettings::methodNames()) {
        const Result<EsafhSettings> settings = EsafhSettings::forMethod(name);
        QVERIFY2(settings.ok(), qPrintable(settings.error()));
        QCOMPARE(settings->method, name);
        QVERIFY2(settings->validate().ok(), qPrintable(name));
    }

    const EsafhSettings esafh = EsafhSettings::forMethod(QStringLiteral("esafh")).value();
    QCOMPARE(esafh.toJson(), EsafhSettings().toJson());

    const EsafhSettings djsrh = EsafhSettings::forMethod(QStringLiteral("DJSRH")).value();
    QCOMPARE(djsrh.fusionScale, 1.5);
    QCOMPARE(djsrh.djsrhImageWeight, 0.9);
    QCOMPARE(djsrh.djsrhSecondOrderWeight, 0.4);
    QVERIFY(!djsrh.learnedTextEncoder);
    QVERIFY(!djsrh.neighbourEnrichment);

    const EsafhSettings jdsh = EsafhSettings::forMethod(QStringLiteral("jdsh")).value();
    QCOMPARE(jdsh.fusionScale, 1.4);
    QCOMPARE(jdsh.jdshImageWeight, 0.5);
    QCOMPARE(jdsh.jdshTextWeight, 0.1);
    QCOMPARE(jdsh.jdshCrossWeight, 0.4);
    QVERIFY(jdsh.jdshDistributionWeighting);

    const EsafhSettings dgcpn = EsafhSettings::forMethod(QStringLiteral("dgcpn")).value();
    QCOMPARE(dgcpn.dgcpnCoherenceWeight, 0.3);
    QVERIFY(!dgcpn.learnedTextEncoder);
}

void TestEsafhSettings::forMethodRejectsUnknownName()
{
    const Result<EsafhSettings> settings = EsafhSettings::forMethod(QStringLiteral("ucch"));
    QVERIFY(!settings.ok());
    QVERIFY2(settings.error().contains(QStringLiteral("\"ucch\"")), qPrintable(settings.error()));
    QVERIFY2(settings.error().contains(QStringLiteral("djsrh")), qPrintable(settings.error()));
}

QTEST_GUILESS_MAIN(TestEsafhSettings)
#include "tst_esafh_settings.moc"
