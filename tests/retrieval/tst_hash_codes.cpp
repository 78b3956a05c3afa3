#include "retrieval/hash_codes.h"
#include "retrieval_oracles.h"

#include <QTest>

#include <cmath>
#include <limits>

using namespace esafh;
using namespace esafh::test;

class TestHashCodes : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void fromRealValued_data();
    void fromRealValued();
    void fromRealValuedTwoItemsManyWords();
    void setBitClearsAndSets();
    void subsetKeepsRequestedOrder();
    void equalityComparesBitsCountAndWords();
    void constantAndDistinct_data();
    void constantAndDistinct();
    void distinctCodesManyWords();
    void hammingDistanceMatchesBitOracle_data();
    void hammingDistanceMatchesBitOracle();
};

void TestHashCodes::fromRealValued_data()
{
    QTest::addColumn<std::vector<float>>("values");
    QTest::addColumn<QString>("expectedBits");

    const float nan = std::numeric_limits<float>::quiet_NaN();
    QTest::newRow("signs") << std::vector<float>{0.5f, -0.5f, 1.0f, -1.0f} << QStringLiteral("1010");
    QTest::newRow("zero sets the bit") << std::vector<float>{0.0f, -0.0f, -1e-30f} << QStringLiteral("110");
    QTest::newRow("NaN clears the bit") << std::vector<float>{nan, 1.0f} << QStringLiteral("01");
    QTest::newRow("infinities") << std::vector<float>{std::numeric_limits<float>::infinity(),
                                                      -std::numeric_limits<float>::infinity()}
                                << QStringLiteral("10");

    // 70 values cross the first 64-bit word: bits 0, 63, 64 and 69 are set.
    std::vector<float> wide(70, -1.0f);
    wide[0] = wide[63] = wide[64] = wide[69] = 1.0f;
    QString wideBits(70, QLatin1Char('0'));
    wideBits[0] = wideBits[63] = wideBits[64] = wideBits[69] = QLatin1Char('1');
    QTest::newRow("70 bits") << wide << wideBits;
}

void TestHashCodes::fromRealValued()
{
    QFETCH(std::vector<float>, values);
    QFETCH(QString, expectedBits);

    const int bits = int(values.size());
    const HashCodes codes = HashCodes::fromRealValued(values.data(), 1, bits);

    QCOMPARE(codes.bits(), bits);
    QCOMPARE(codes.size(), 1);
    QCOMPARE(codes, codesFromStrings({expectedBits}, bits));

    // The unused high bits of the last word stay zero.
    const int usedInLastWord = bits % 64;
    if (usedInLastWord != 0)
        QCOMPARE(codes.code(0)[codes.wordsPerCode() - 1] >> usedInLastWord, std::uint64_t(0));
}

void TestHashCodes::fromRealValuedTwoItemsManyWords()
{
    // Two rows of 130 values, row-major. Row 1 is row 0 negated, except value 129,
    // which is 0 in both rows and so sets bit 129 in both codes.
    const int bits = 130;
    std::vector<float> values(2 * bits);
    for (int b = 0; b < bits; ++b) {
        values[b] = (b % 3 == 0) ? 1.0f : -1.0f;
        values[bits + b] = -values[b];
    }
    values[bits - 1] = 0.0f;
    values[2 * bits - 1] = 0.0f;

    const HashCodes codes = HashCodes::fromRealValued(values.data(), 2, bits);

    QCOMPARE(codes.wordsPerCode(), 3);
    for (int b = 0; b < bits - 1; ++b) {
        QCOMPARE(codes.bit(0, b), b % 3 == 0);
        QCOMPARE(codes.bit(1, b), b % 3 != 0);
    }
    QVERIFY(codes.bit(0, bits - 1));
    QVERIFY(codes.bit(1, bits - 1));
    QCOMPARE(hammingDistance(codes.code(0), codes.code(1), codes.wordsPerCode()), bits - 1);
}

void TestHashCodes::setBitClearsAndSets()
{
    HashCodes codes(100, 2);
    codes.setBit(1, 99, true);
    codes.setBit(1, 0, true);
    QVERIFY(codes.bit(1, 99));
    QVERIFY(codes.bit(1, 0));
    QVERIFY(!codes.bit(0, 99));

    codes.setBit(1, 99, false);
    QVERIFY(!codes.bit(1, 99));
    QVERIFY(codes.bit(1, 0));
}

void TestHashCodes::subsetKeepsRequestedOrder()
{
    const HashCodes codes = codesFromStrings({"000", "100", "010", "001"}, 3);

    const HashCodes picked = codes.subset({3, 1, 3});

    QCOMPARE(picked, codesFromStrings({"001", "100", "001"}, 3));
    QCOMPARE(codes.subset({}), HashCodes(3, 0));
}

void TestHashCodes::equalityComparesBitsCountAndWords()
{
    const HashCodes codes = codesFromStrings({"101", "011"}, 3);

    QVERIFY(codes == codesFromStrings({"101", "011"}, 3));
    QVERIFY(codes != codesFromStrings({"101", "010"}, 3));
    QVERIFY(codes != codesFromStrings({"101"}, 3));
    QVERIFY(codes != codesFromStrings({"1010", "0110"}, 4));
    QVERIFY(HashCodes(8, 0) != HashCodes(16, 0));
}

void TestHashCodes::constantAndDistinct_data()
{
    QTest::addColumn<QStringList>("codes");
    QTest::addColumn<int>("expectedConstantBits");
    QTest::addColumn<int>("expectedDistinctCodes");

    // Bits 0 and 3 are 1 and 0 in every code. Bits 1 and 2 vary.
    QTest::newRow("two constant bits") << QStringList{"1100", "1010", "1100"} << 2 << 2;
    QTest::newRow("one code: all constant") << QStringList{"0110"} << 4 << 1;
    QTest::newRow("identical codes") << QStringList{"0101", "0101", "0101"} << 4 << 1;
    QTest::newRow("no constant bit") << QStringList{"0000", "1111", "0110"} << 0 << 3;
    QTest::newRow("no codes") << QStringList{} << 4 << 0;
}

void TestHashCodes::constantAndDistinct()
{
    QFETCH(QStringList, codes);
    QFETCH(int, expectedConstantBits);
    QFETCH(int, expectedDistinctCodes);

    const HashCodes hashCodes = codesFromStrings(codes, 4);

    QCOMPARE(hashCodes.constantBitCount(), expectedConstantBits);
    QCOMPARE(hashCodes.distinctCodeCount(), expectedDistinctCodes);
}

void TestHashCodes::distinctCodesManyWords()
{
    // 100-bit codes: 5 distinct codes that differ only in the second word, each
    // repeated, so every bit of the first word and the unused bits stay constant.
    HashCodes codes(100, 20);
    for (int item = 0; item < 20; ++item) {
        codes.setBit(item, 3, true);
        codes.setBit(item, 64 + item % 5, true);
    }

    QCOMPARE(codes.distinctCodeCount(), 5);
    // Each of bits 64..68 is set in 4 of the 20 codes. The other 95 bits are constant.
    QCOMPARE(codes.constantBitCount(), 95);
}

void TestHashCodes::hammingDistanceMatchesBitOracle_data()
{
    QTest::addColumn<int>("bits");

    for (int bits : {1, 16, 32, 63, 64, 65, 100, 128, 200})
        QTest::addRow("%d bits", bits) << bits;
}

void TestHashCodes::hammingDistanceMatchesBitOracle()
{
    QFETCH(int, bits);

    QRandomGenerator random(1234 + bits);
    const HashCodes codes = randomCodes(random, bits, 40);

    for (int a = 0; a < codes.size(); ++a) {
        for (int b = 0; b < codes.size(); ++b) {
            const int distance = hammingDistance(codes.code(a), codes.code(b), codes.wordsPerCode());
            QCOMPARE(distance, bitByBitDistance(codes, a, codes, b));
        }
    }

    // The complement of a code is at distance `bits`.
    HashCodes complement(bits, 1);
    for (int b = 0; b < bits; ++b)
        complement.setBit(0, b, !codes.bit(0, b));
    QCOMPARE(hammingDistance(codes.code(0), complement.code(0), codes.wordsPerCode()), bits);
}

QTEST_GUILESS_MAIN(TestHashCodes)
#include "tst_hash_codes.moc"
