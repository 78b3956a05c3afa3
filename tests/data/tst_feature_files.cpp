#include "data/feature_files.h"
#include "feature_file_writers.h"
#include "test_support.h"

#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

using namespace esafh;
using namespace esafh::test;

Q_DECLARE_METATYPE(esafh::ItemOrientation)

namespace {

constexpr int itemCount = 5;
constexpr int featureCount = 3;

/// The value of feature j of item i in every generated file: exact in half, single
/// and double precision, and an integer when `offset` is 0.
double fixtureValue(int item, int feature, double offset = 0.5)
{
    return 10.0 * item + feature + offset;
}

FeatureMatrix fixtureMatrix(double offset)
{
    FeatureMatrix matrix(itemCount, featureCount);
    for (int i = 0; i < itemCount; ++i) {
        for (int j = 0; j < featureCount; ++j)
            matrix(i, j) = float(fixtureValue(i, j, offset));
    }
    return matrix;
}

/// The fixture stored with items as rows (5 x 3) or as columns (3 x 5), in
/// column-major (MATLAB, Fortran) or row-major (C) order.
template <typename T>
std::vector<T> storedFixture(bool itemsAsRows, bool columnMajor, double offset = 0.5)
{
    const int rows = itemsAsRows ? itemCount : featureCount;
    const int columns = itemsAsRows ? featureCount : itemCount;
    std::vector<T> values;
    const auto append = [&](int r, int c) {
        values.push_back(T(itemsAsRows ? fixtureValue(r, c, offset) : fixtureValue(c, r, offset)));
    };
    if (columnMajor) {
        for (int c = 0; c < columns; ++c) {
            for (int r = 0; r < rows; ++r)
                append(r, c);
        }
    } else {
        for (int r = 0; r < rows; ++r) {
            for (int c = 0; c < columns; ++c)
                append(r, c);
        }
    }
    return values;
}

/// Half precision bits of a float that half precision represents exactly.
quint16 exactHalf(float value)
{
    quint32 bits = 0;
    std::memcpy(&bits, &value, sizeof bits);
    const quint32 sign = (bits >> 16) & 0x8000u;
    if ((bits & 0x7fffffffu) == 0)
        return quint16(sign);
    const int exponent = int((bits >> 23) & 0xffu) - 127 + 15;
    return quint16(sign | quint32(exponent) << 10 | ((bits >> 13) & 0x3ffu));
}

/// The sparse fixture: 5 items x 3 features with a few entries, stored as a 3 x 5
/// matrix (items as columns) in compressed columns.
FeatureMatrix sparseFixture()
{
    FeatureMatrix matrix = FeatureMatrix::Zero(itemCount, featureCount);
    matrix(0, 2) = 1.5f;
    matrix(1, 0) = 2;
    matrix(1, 1) = -3;
    matrix(4, 2) = 7;
    return matrix;
}

matvar_t *sparseFixtureVariable(const char *name)
{
    // Column c of the stored matrix is item c; rows are features.
    return matSparse(name, featureCount, itemCount, {2, 0, 1, 2}, {0, 1, 3, 3, 3, 4}, {1.5, 2, -3, 7});
}

} // namespace

/// Reads features, indices, labels and strings from .mat (v5 and v7.3), HDF5 and
/// .npy files generated here in every supported layout and type, checks each error
/// message a user can cause, and reads the benchmark files as distributed.
class TestFeatureFiles : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();

    void readsDenseMatrix_data();
    void readsDenseMatrix();
    void readsSparseMatrix_data();
    void readsSparseMatrix();
    void autoOrientationTakesLongerDimension();
    void listsVariables_data();
    void listsVariables();
    void describesOneVariable();
    void readsIndices_data();
    void readsIndices();
    void readsStrings_data();
    void readsStrings();
    void readsLabelMatrix_data();
    void readsLabelMatrix();
    void readsClassIds();
    void rejectsInvalidInput_data();
    void rejectsInvalidInput();

    void readsWikiMat();
    void readsMirflickrText();

private:
    QString path(const QString &name) const { return m_folder.filePath(name); }
    void writeMatFiles();
    void writeHdf5File();
    void writeNpyFiles();

    QTemporaryDir m_folder;
};

void TestFeatureFiles::initTestCase()
{
    QVERIFY(m_folder.isValid());
    writeMatFiles();
    writeHdf5File();
    writeNpyFiles();
}

void TestFeatureFiles::writeMatFiles()
{
    for (mat_ft version : {MAT_FT_MAT5, MAT_FT_MAT73}) {
        const QString file = path(version == MAT_FT_MAT5 ? "v5.mat" : "v73.mat");
        const std::vector<double> rows = storedFixture<double>(true, true);
        const std::vector<double> columns = storedFixture<double>(false, true);
        const std::vector<float> singles = storedFixture<float>(false, true);
        const std::vector<std::int32_t> integers = storedFixture<std::int32_t>(true, true, 0);
        const std::vector<std::uint8_t> bytes = storedFixture<std::uint8_t>(false, true, 0);
        const std::vector<double> oneBased{3, 1, 5};
        const std::vector<std::uint8_t> logical{1, 0, 0, 1, 1, 0, 0, 0, 1, 0, 1, 1, 0, 0, 0}; // 3 labels x 5 items
        const std::vector<double> labels{1, 0, 0, 1, 1, 0, 0, 0, 1, 0, 1, 1, 0, 0, 0};
        const std::vector<double> classIds{2, 1, 3, 3, 1};

        QVERIFY(writeMat(file, version,
                         {
                             matDouble("X", itemCount, featureCount, rows),
                             matDouble("XT", featureCount, itemCount, columns),
                             matMatrix("S", MAT_C_SINGLE, MAT_T_SINGLE, featureCount, itemCount, singles.data()),
                             matMatrix("I", MAT_C_INT32, MAT_T_INT32, itemCount, featureCount, integers.data()),
                             matMatrix("U", MAT_C_UINT8, MAT_T_UINT8, featureCount, itemCount, bytes.data()),
                             matMatrix("L", MAT_C_UINT8, MAT_T_UINT8, 3, itemCount, logical.data(), MAT_F_LOGICAL),
                             matDouble("Y", 3, itemCount, labels),
                             matDouble("ids", itemCount, 1, classIds),
                             sparseFixtureVariable("sp"),
                             matSparse("spL", 3, itemCount, {0, 0, 1, 2, 1, 2}, {0, 1, 3, 4, 6, 6}, {1, 1, 1, 1, 1, 1},
                                       true),
                             matStruct("data", {matDouble("X", featureCount, itemCount, columns),
                                                sparseFixtureVariable("Y"),
                                                matStruct("split", {matDouble("ind_test", 1, 3, oneBased),
                                                                    matDouble("ind_col", 3, 1, oneBased)})}),
                             matCellStrings("captions", {"A cat.", "Crêpe über Ångström", "", "日本語", "end"}),
                             matCharMatrix("names", {"alpha", "be", "gamma"}),
                         }));
    }

    // A file compressed with zlib, as MATLAB's default -v7 writes.
    QVERIFY(writeMat(path("v7-compressed.mat"), MAT_FT_MAT5,
                     {matDouble("X", itemCount, featureCount, storedFixture<double>(true, true))},
                     MAT_COMPRESSION_ZLIB));

    // Invalid contents, each in its own file.
    std::vector<double> nan = storedFixture<double>(false, true);
    nan[1 + 3 * featureCount] = std::nan(""); // feature 1 of item 3
    std::vector<double> cube(2 * 3 * 4, 1.0);
    size_t cubeDims[3] = {2, 3, 4};
    std::vector<double> real{1, 2};
    std::vector<double> imaginary{0, 1};
    mat_complex_split_t complex{real.data(), imaginary.data()};
    std::vector<double> negative = storedFixture<double>(true, true, 0);
    negative[2 + 1 * itemCount] = -1; // item 2, label 1
    std::vector<double> fractional{1, 2.5, 3};
    std::vector<double> square(9, 1.0);
    QVERIFY(writeMat(path("invalid.mat"), MAT_FT_MAT5,
                     {
                         matDouble("N", featureCount, itemCount, nan),
                         Mat_VarCreate("cube", MAT_C_DOUBLE, MAT_T_DOUBLE, 3, cubeDims, cube.data(), 0),
                         matMatrix("complex", MAT_C_DOUBLE, MAT_T_DOUBLE, 1, 2, &complex, MAT_F_COMPLEX),
                         matDouble("negative", itemCount, featureCount, negative),
                         matDouble("fractional", 1, 3, fractional),
                         matDouble("square", 3, 3, square),
                         matCellStrings("cells", {"a", "b"}),
                         matDouble("zeroBased", 1, 3, {0, 1, 2}),
                     }));

    QVERIFY(writeBytes(path("text.mat"), "This is a text file with a .mat name.\n"));
}

void TestFeatureFiles::writeHdf5File()
{
    Hdf5Writer writer(path("features.h5"));
    writer.doubles("X", {itemCount, featureCount}, storedFixture<double>(true, false));
    const std::vector<float> singles = storedFixture<float>(false, false);
    writer.dataset("XT", H5T_IEEE_F32BE, H5T_NATIVE_FLOAT, {featureCount, itemCount}, singles.data());
    const std::vector<std::int64_t> integers = storedFixture<std::int64_t>(true, false, 0);
    writer.dataset("group/sub/x", H5T_STD_I64LE, H5T_NATIVE_INT64, {itemCount, featureCount}, integers.data());
    writer.halves("f16", {itemCount, featureCount}, storedFixture<float>(true, false));
    const std::vector<std::uint8_t> bytes = storedFixture<std::uint8_t>(true, false, 0);
    writer.dataset("u8", H5T_STD_U8LE, H5T_NATIVE_UINT8, {itemCount, featureCount}, bytes.data());
    writer.booleans("labels", {itemCount, 3}, {1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1, 0, 1, 1, 1});
    const std::vector<std::int32_t> indices{2, 0, 4};
    writer.dataset("split/query", H5T_STD_I32LE, H5T_NATIVE_INT32, {3}, indices.data());
    writer.variableStrings("captions", {"A cat.", "Crêpe über Ångström", "", "日本語", "end"});
    writer.fixedStrings("paths", {"a.jpg", "dir/b.png", "c.jpg"}, 12);
    std::vector<double> infinite = storedFixture<double>(true, false);
    infinite[2 * featureCount + 0] = std::numeric_limits<double>::infinity(); // item 2, feature 0
    writer.doubles("inf", {itemCount, featureCount}, infinite);
    QVERIFY(writer.ok());
}

void TestFeatureFiles::writeNpyFiles()
{
    const std::vector<float> rowsF4 = storedFixture<float>(true, false);
    QVERIFY(writeBytes(path("f4.npy"), npyFile("<f4", false, {itemCount, featureCount}, rawBytes(rowsF4))));
    const std::vector<double> fortran = storedFixture<double>(true, true);
    QVERIFY(writeBytes(path("fortran.npy"), npyFile("<f8", true, {itemCount, featureCount}, rawBytes(fortran))));
    const std::vector<double> columns = storedFixture<double>(false, false);
    QVERIFY(writeBytes(path("big-endian.npy"), npyFile(">f8", false, {featureCount, itemCount}, swappedBytes(columns))));
    const std::vector<std::int16_t> shorts = storedFixture<std::int16_t>(true, false, 0);
    QVERIFY(writeBytes(path("i2.npy"), npyFile("<i2", false, {itemCount, featureCount}, rawBytes(shorts))));
    const std::vector<std::int32_t> bigInts = storedFixture<std::int32_t>(true, false, 0);
    QVERIFY(writeBytes(path("i4-big.npy"), npyFile(">i4", false, {itemCount, featureCount}, swappedBytes(bigInts))));
    const std::vector<std::uint8_t> bytes = storedFixture<std::uint8_t>(true, false, 0);
    QVERIFY(writeBytes(path("u1.npy"), npyFile("|u1", false, {itemCount, featureCount}, rawBytes(bytes))));
    std::vector<quint16> halves;
    for (float value : rowsF4)
        halves.push_back(exactHalf(value));
    QVERIFY(writeBytes(path("f2.npy"), npyFile("<f2", false, {itemCount, featureCount}, rawBytes(halves))));
    QVERIFY(writeBytes(path("version2.npy"), npyFile("<f4", false, {itemCount, featureCount}, rawBytes(rowsF4), 2)));

    const std::vector<std::uint8_t> booleans{1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1, 0, 1, 1, 1};
    QVERIFY(writeBytes(path("b1.npy"), npyFile("|b1", false, {itemCount, 3}, rawBytes(booleans))));
    const std::vector<std::int64_t> indices{2, 0, 4};
    QVERIFY(writeBytes(path("indices.npy"), npyFile("<i8", false, {3}, rawBytes(indices))));

    // Strings: NumPy "U" is UTF-32 padded with NUL characters, "S" is bytes.
    const QStringList unicode{"A cat.", "Crêpe über Ångström", "", "日本語", "end"};
    QByteArray utf32;
    for (const QString &text : unicode) {
        std::vector<char32_t> characters(20, U'\0');
        const QList<uint> points = text.toUcs4();
        std::copy(points.begin(), points.end(), characters.begin());
        utf32.append(rawBytes(characters));
    }
    QVERIFY(writeBytes(path("unicode.npy"), npyFile("<U20", false, {5}, utf32)));
    QVERIFY(writeBytes(path("bytes.npy"), npyFile("|S6", false, {3}, QByteArray("a.jpg\0b.png\0c\0\0\0\0\0", 18))));

    // Invalid contents.
    std::vector<double> huge = storedFixture<double>(true, false);
    huge[4 * featureCount + 2] = 1e300; // item 4, feature 2
    QVERIFY(writeBytes(path("huge.npy"), npyFile("<f8", false, {itemCount, featureCount}, rawBytes(huge))));
    std::vector<float> minusInf = rowsF4;
    minusInf[0] = -std::numeric_limits<float>::infinity();
    QVERIFY(writeBytes(path("minus-inf.npy"), npyFile("<f4", false, {itemCount, featureCount}, rawBytes(minusInf))));
    QVERIFY(writeBytes(path("truncated.npy"),
                       npyFile("<f8", false, {itemCount, featureCount}, rawBytes(huge).left(60))));
    QVERIFY(writeBytes(path("complex.npy"), npyFile("<c8", false, {2}, QByteArray(16, '\0'))));
    QVERIFY(writeBytes(path("cube.npy"), npyFile("<f4", false, {2, 2, 2}, QByteArray(32, '\0'))));
    QVERIFY(writeBytes(path("structured.npy"),
                       npyFileWithHeader("{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (2,), }",
                                         QByteArray(16, '\0'))));
    QByteArray version9 = npyFile("<f4", false, {1}, QByteArray(4, '\0'));
    version9[6] = 9;
    QVERIFY(writeBytes(path("version9.npy"), version9));

    QVERIFY(writeBytes(path("captions.txt"), "A cat.\nCrêpe über Ångström\n\n日本語\nend\n"));
}

void TestFeatureFiles::readsDenseMatrix_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("variable");
    QTest::addColumn<ItemOrientation>("orientation");
    QTest::addColumn<double>("offset");

    for (const char *version : {"v5", "v73"}) {
        const QString file = QStringLiteral("%1.mat").arg(version);
        const auto row = [&](const char *what) -> QTestData & {
            return QTest::newRow(qPrintable(QStringLiteral("%1 %2").arg(version, what)));
        };
        row("double, items as rows") << file << "X" << ItemOrientation::Rows << 0.5;
        row("double, items as columns") << file << "XT" << ItemOrientation::Columns << 0.5;
        row("double, auto rows") << file << "X" << ItemOrientation::Auto << 0.5;
        row("double, auto columns") << file << "XT" << ItemOrientation::Auto << 0.5;
        row("single") << file << "S" << ItemOrientation::Columns << 0.5;
        row("int32") << file << "I" << ItemOrientation::Rows << 0.0;
        row("uint8") << file << "U" << ItemOrientation::Columns << 0.0;
        row("struct field") << file << "data.X" << ItemOrientation::Columns << 0.5;
    }
    QTest::newRow("v7 compressed") << "v7-compressed.mat" << "X" << ItemOrientation::Rows << 0.5;

    QTest::newRow("hdf5 float64") << "features.h5" << "X" << ItemOrientation::Rows << 0.5;
    QTest::newRow("hdf5 big-endian float32, columns") << "features.h5" << "XT" << ItemOrientation::Columns << 0.5;
    QTest::newRow("hdf5 leading slash") << "features.h5" << "/XT" << ItemOrientation::Auto << 0.5;
    QTest::newRow("hdf5 int64 in groups") << "features.h5" << "group/sub/x" << ItemOrientation::Rows << 0.0;
    QTest::newRow("hdf5 uint8") << "features.h5" << "u8" << ItemOrientation::Auto << 0.0;
    QTest::newRow("hdf5 float16") << "features.h5" << "f16" << ItemOrientation::Rows << 0.5;

    QTest::newRow("npy <f4") << "f4.npy" << "" << ItemOrientation::Rows << 0.5;
    QTest::newRow("npy fortran order") << "fortran.npy" << "" << ItemOrientation::Rows << 0.5;
    QTest::newRow("npy >f8, columns") << "big-endian.npy" << "" << ItemOrientation::Columns << 0.5;
    QTest::newRow("npy <i2") << "i2.npy" << "" << ItemOrientation::Rows << 0.0;
    QTest::newRow("npy >i4") << "i4-big.npy" << "" << ItemOrientation::Rows << 0.0;
    QTest::newRow("npy |u1") << "u1.npy" << "" << ItemOrientation::Auto << 0.0;
    QTest::newRow("npy <f2") << "f2.npy" << "" << ItemOrientation::Rows << 0.5;
    QTest::newRow("npy version 2") << "version2.npy" << "" << ItemOrientation::Rows << 0.5;
}

void TestFeatureFiles::readsDenseMatrix()
{
    QFETCH(QString, file);
    QFETCH(QString, variable);
    QFETCH(ItemOrientation, orientation);
    QFETCH(double, offset);

    const Result<FeatureMatrix> matrix = readMatrix(path(file), variable, orientation);
    QVERIFY2(matrix.ok(), qPrintable(matrix.error()));
    QCOMPARE(int(matrix->rows()), itemCount);
    QCOMPARE(int(matrix->cols()), featureCount);
    QCOMPARE(matrix.value(), fixtureMatrix(offset));
}

void TestFeatureFiles::readsSparseMatrix_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("variable");

    QTest::newRow("v5") << "v5.mat" << "sp";
    QTest::newRow("v5 struct field") << "v5.mat" << "data.Y";
    QTest::newRow("v73") << "v73.mat" << "sp";
    QTest::newRow("v73 struct field") << "v73.mat" << "data.Y";
}

void TestFeatureFiles::readsSparseMatrix()
{
    QFETCH(QString, file);
    QFETCH(QString, variable);

    const Result<FeatureMatrix> matrix = readMatrix(path(file), variable, ItemOrientation::Columns);
    QVERIFY2(matrix.ok(), qPrintable(matrix.error()));
    QCOMPARE(matrix.value(), sparseFixture());

    // Items as rows reads the stored matrix as it is: 3 rows of 5 values.
    const Result<FeatureMatrix> stored = readMatrix(path(file), variable, ItemOrientation::Rows);
    QVERIFY2(stored.ok(), qPrintable(stored.error()));
    QCOMPARE(stored.value(), FeatureMatrix(sparseFixture().transpose()));
}

void TestFeatureFiles::autoOrientationTakesLongerDimension()
{
    // Both X (5 x 3) and XT (3 x 5) give 5 items; a wide matrix would give its columns.
    const Result<FeatureMatrix> rows = readMatrix(path("v5.mat"), "X", ItemOrientation::Auto);
    const Result<FeatureMatrix> columns = readMatrix(path("v5.mat"), "XT", ItemOrientation::Auto);
    QVERIFY(rows.ok());
    QVERIFY(columns.ok());
    QCOMPARE(int(rows->rows()), itemCount);
    QCOMPARE(int(columns->rows()), itemCount);

    const Result<FeatureMatrix> asColumns = readMatrix(path("v5.mat"), "X", ItemOrientation::Columns);
    QVERIFY(asColumns.ok());
    QCOMPARE(int(asColumns->rows()), featureCount);
    QCOMPARE(asColumns.value(), FeatureMatrix(fixtureMatrix(0.5).transpose()));
}

void TestFeatureFiles::listsVariables_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QStringList>("expected");

    const QStringList mat{
        "X (5 x 3 double)",      "XT (3 x 5 double)",     "S (3 x 5 single)",
        "I (5 x 3 int32)",       "U (3 x 5 uint8)",       "L (3 x 5 logical)",
        "Y (3 x 5 double)",      "ids (5 x 1 double)",    "sp (3 x 5 sparse double)",
        "spL (3 x 5 sparse logical)",
        "data (1 x 1 struct)",   "data.X (3 x 5 double)", "data.Y (3 x 5 sparse double)",
        "data.split (1 x 1 struct)", "data.split.ind_test (1 x 3 double)", "data.split.ind_col (3 x 1 double)",
        "captions (5 x 1 cell)", "names (3 x 5 char)",
    };
    QTest::newRow("v5") << "v5.mat" << mat;
    // HDF5 keeps the variables of a v7.3 file in name order; struct fields keep theirs.
    QStringList nameOrder = mat;
    std::stable_sort(nameOrder.begin(), nameOrder.end(), [](const QString &a, const QString &b) {
        return a.section(QLatin1Char(' '), 0, 0).section(QLatin1Char('.'), 0, 0)
               < b.section(QLatin1Char(' '), 0, 0).section(QLatin1Char('.'), 0, 0);
    });
    QTest::newRow("v73") << "v73.mat" << nameOrder;
    QTest::newRow("hdf5") << "features.h5"
                          << QStringList{"X (5 x 3 float64)",       "XT (3 x 5 float32)",
                                         "captions (5 string)",     "f16 (5 x 3 float16)",
                                         "group/sub/x (5 x 3 int64)",
                                         "inf (5 x 3 float64)",     "labels (5 x 3 bool)",
                                         "paths (3 string)",        "split/query (3 int32)",
                                         "u8 (5 x 3 uint8)"};
    QTest::newRow("npy") << "f2.npy" << QStringList{"the array (5 x 3 float16)"};
    QTest::newRow("npy strings") << "unicode.npy" << QStringList{"the array (5 str20)"};
}

void TestFeatureFiles::listsVariables()
{
    QFETCH(QString, file);
    QFETCH(QStringList, expected);

    const Result<std::vector<VariableInfo>> variables = listVariables(path(file));
    QVERIFY2(variables.ok(), qPrintable(variables.error()));
    QStringList described;
    for (const VariableInfo &info : variables.value())
        described.append(info.describe());
    QCOMPARE(described, expected);
}

void TestFeatureFiles::describesOneVariable()
{
    const Result<VariableInfo> field = variableInfo(path("v73.mat"), "data.split.ind_test");
    QVERIFY2(field.ok(), qPrintable(field.error()));
    QCOMPARE(field->shape, (std::vector<qint64>{1, 3}));
    QCOMPARE(field->type, QStringLiteral("double"));

    const Result<VariableInfo> dataset = variableInfo(path("features.h5"), "/group/sub/x");
    QVERIFY2(dataset.ok(), qPrintable(dataset.error()));
    QCOMPARE(dataset->path, QStringLiteral("group/sub/x"));
    QCOMPARE(dataset->shape, (std::vector<qint64>{itemCount, featureCount}));

    const Result<VariableInfo> missing = variableInfo(path("v5.mat"), "data.split.ind_val");
    QVERIFY(!missing.ok());
    QVERIFY2(missing.error().contains("data.split.ind_test (1 x 3 double)"), qPrintable(missing.error()));
}

void TestFeatureFiles::readsIndices_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("variable");
    QTest::addColumn<int>("base");
    QTest::addColumn<std::vector<int>>("expected");

    QTest::newRow("v5 row vector, 1-based") << "v5.mat" << "data.split.ind_test" << 1 << std::vector<int>{2, 0, 4};
    QTest::newRow("v5 column vector, 1-based") << "v5.mat" << "data.split.ind_col" << 1 << std::vector<int>{2, 0, 4};
    QTest::newRow("v73 row vector, 1-based") << "v73.mat" << "data.split.ind_test" << 1 << std::vector<int>{2, 0, 4};
    QTest::newRow("v5 read 0-based") << "v5.mat" << "data.split.ind_test" << 0 << std::vector<int>{3, 1, 5};
    QTest::newRow("hdf5 int32, 0-based") << "features.h5" << "split/query" << 0 << std::vector<int>{2, 0, 4};
    QTest::newRow("npy int64, 0-based") << "indices.npy" << "" << 0 << std::vector<int>{2, 0, 4};
}

void TestFeatureFiles::readsIndices()
{
    QFETCH(QString, file);
    QFETCH(QString, variable);
    QFETCH(int, base);
    QFETCH(std::vector<int>, expected);

    const Result<std::vector<int>> indices = readIndices(path(file), variable, base);
    QVERIFY2(indices.ok(), qPrintable(indices.error()));
    QCOMPARE(indices.value(), expected);
}

void TestFeatureFiles::readsStrings_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("variable");
    QTest::addColumn<QStringList>("expected");

    const QStringList captions{"A cat.", "Crêpe über Ångström", "", "日本語", "end"};
    QTest::newRow("v5 cell array") << "v5.mat" << "captions" << captions;
    QTest::newRow("v73 cell array") << "v73.mat" << "captions" << captions;
    QTest::newRow("v5 char matrix") << "v5.mat" << "names" << QStringList{"alpha", "be", "gamma"};
    QTest::newRow("v73 char matrix") << "v73.mat" << "names" << QStringList{"alpha", "be", "gamma"};
    QTest::newRow("hdf5 variable length") << "features.h5" << "captions" << captions;
    QTest::newRow("hdf5 fixed length") << "features.h5" << "paths" << QStringList{"a.jpg", "dir/b.png", "c.jpg"};
    QTest::newRow("npy unicode") << "unicode.npy" << "" << captions;
    QTest::newRow("npy bytes") << "bytes.npy" << "" << QStringList{"a.jpg", "b.png", "c"};
    QTest::newRow("text file") << "captions.txt" << "" << captions;
}

void TestFeatureFiles::readsStrings()
{
    QFETCH(QString, file);
    QFETCH(QString, variable);
    QFETCH(QStringList, expected);

    const Result<QStringList> strings = readStrings(path(file), variable);
    QVERIFY2(strings.ok(), qPrintable(strings.error()));
    QCOMPARE(strings.value(), expected);
}

void TestFeatureFiles::readsLabelMatrix_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("variable");
    QTest::addColumn<ItemOrientation>("orientation");
    QTest::addColumn<std::vector<std::vector<int>>>("expected");

    // Stored 3 labels x 5 items, column-major: item 0 has labels {0}, item 1 {0, 1}, ...
    const std::vector<std::vector<int>> matLabels{{0}, {0, 1}, {2}, {1, 2}, {}};
    QTest::newRow("v5 logical") << "v5.mat" << "L" << ItemOrientation::Columns << matLabels;
    QTest::newRow("v5 double") << "v5.mat" << "Y" << ItemOrientation::Auto << matLabels;
    QTest::newRow("v73 logical") << "v73.mat" << "L" << ItemOrientation::Columns << matLabels;
    QTest::newRow("v5 sparse logical") << "v5.mat" << "spL" << ItemOrientation::Columns << matLabels;
    QTest::newRow("v73 sparse logical") << "v73.mat" << "spL" << ItemOrientation::Columns << matLabels;

    const std::vector<std::vector<int>> rowLabels{{0, 2}, {2}, {0}, {1}, {0, 1, 2}};
    QTest::newRow("hdf5 bool") << "features.h5" << "labels" << ItemOrientation::Rows << rowLabels;
    QTest::newRow("npy bool") << "b1.npy" << "" << ItemOrientation::Auto << rowLabels;
}

void TestFeatureFiles::readsLabelMatrix()
{
    QFETCH(QString, file);
    QFETCH(QString, variable);
    QFETCH(ItemOrientation, orientation);
    QFETCH(std::vector<std::vector<int>>, expected);

    const Result<LabelTable> table = readLabelMatrix(path(file), variable, orientation);
    QVERIFY2(table.ok(), qPrintable(table.error()));
    QCOMPARE(table->labelCount, 3);
    QCOMPARE(table->labels, expected);
}

void TestFeatureFiles::readsClassIds()
{
    const Result<LabelTable> counted = readClassIds(path("v5.mat"), "ids", 1);
    QVERIFY2(counted.ok(), qPrintable(counted.error()));
    QCOMPARE(counted->labelCount, 3);
    QCOMPARE(counted->labels, (std::vector<std::vector<int>>{{1}, {0}, {2}, {2}, {0}}));

    const Result<LabelTable> tenClasses = readClassIds(path("v5.mat"), "ids", 1, 10);
    QVERIFY2(tenClasses.ok(), qPrintable(tenClasses.error()));
    QCOMPARE(tenClasses->labelCount, 10);
}

void TestFeatureFiles::rejectsInvalidInput_data()
{
    QTest::addColumn<QString>("reader");
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("variable");
    QTest::addColumn<QStringList>("expected");

    QTest::newRow("missing file") << "matrix" << "absent.mat" << "X" << QStringList{"not found", "absent.mat"};
    QTest::newRow("folder") << "matrix" << "." << "X" << QStringList{"is a folder"};
    QTest::newRow("text named .mat") << "matrix" << "text.mat" << "X"
                                     << QStringList{"text.mat", "is not a MAT-file (version 5, 7 or 7.3)"};
    QTest::newRow("v5 wrong variable") << "matrix" << "v5.mat" << "X9"
                                       << QStringList{"Variable \"X9\" not found", "v5.mat", "X (5 x 3 double)",
                                                      "data.split.ind_test (1 x 3 double)"};
    QTest::newRow("v73 wrong field") << "matrix" << "v73.mat" << "data.X9"
                                     << QStringList{"Variable \"data.X9\" not found", "v73.mat",
                                                    "data.X (3 x 5 double)"};
    QTest::newRow("field of a matrix") << "matrix" << "v5.mat" << "X.Y"
                                       << QStringList{"Variable \"X.Y\" not found", "X (5 x 3 double)"};
    QTest::newRow("hdf5 wrong dataset") << "matrix" << "features.h5" << "group/sub/y"
                                        << QStringList{"Variable \"group/sub/y\" not found", "features.h5",
                                                       "group/sub/x (5 x 3 int64)"};
    QTest::newRow("hdf5 group") << "matrix" << "features.h5" << "group/sub"
                                << QStringList{"group/sub", "is a group", "group/sub/x (5 x 3 int64)"};
    QTest::newRow("hdf5 no dataset named") << "matrix" << "features.h5" << ""
                                           << QStringList{"No dataset given", "features.h5"};
    QTest::newRow("mat no variable named") << "matrix" << "v5.mat" << "" << QStringList{"No variable given"};
    QTest::newRow("struct instead of field")
        << "matrix" << "v5.mat" << "data"
        << QStringList{"data (1 x 1 struct)", "Name one of its fields: data.X, data.Y, data.split"};
    QTest::newRow("npy with a variable") << "matrix" << "f4.npy" << "X"
                                         << QStringList{"f4.npy", "leave the variable empty instead of \"X\""};

    QTest::newRow("NaN in .mat")
        << "matrix" << "invalid.mat" << "N"
        << QStringList{"invalid.mat", "N contains NaN at item 3, feature 1 (0-based), stored as N(2, 4)"};
    QTest::newRow("Inf in .h5")
        << "matrix" << "features.h5" << "inf"
        << QStringList{"features.h5", "inf contains Inf at item 2, feature 0 (0-based), stored as [2, 0]"};
    QTest::newRow("-Inf in .npy") << "matrix" << "minus-inf.npy" << ""
                                  << QStringList{"minus-inf.npy", "contains -Inf at item 0, feature 0 (0-based)"};
    QTest::newRow("beyond float in .npy")
        << "matrix" << "huge.npy" << ""
        << QStringList{"huge.npy", "contains 1.0000000000000001e+300, beyond single precision, at item 4, feature 2"};
    QTest::newRow("3-D .mat") << "matrix" << "invalid.mat" << "cube"
                              << QStringList{"cube (2 x 3 x 4 double)", "at most 2 dimensions"};
    QTest::newRow("complex .mat") << "matrix" << "invalid.mat" << "complex"
                                  << QStringList{"complex (1 x 2 complex double)", "expected a real numeric matrix"};
    QTest::newRow("cell as matrix") << "matrix" << "invalid.mat" << "cells" << QStringList{"cells (2 x 1 cell)"};
    QTest::newRow("strings in .h5 as matrix") << "matrix" << "features.h5" << "captions"
                                              << QStringList{"captions (5 string)", "expected a numeric dataset"};
    QTest::newRow("3-D .npy") << "matrix" << "cube.npy" << "" << QStringList{"2 x 2 x 2 float32", "at most 2 dimensions"};
    QTest::newRow("truncated .npy") << "matrix" << "truncated.npy" << ""
                                    << QStringList{"truncated.npy", "needs 120 bytes of values, but the file has 60"};
    QTest::newRow("complex .npy") << "matrix" << "complex.npy" << "" << QStringList{"complex.npy", "<c8"};
    QTest::newRow("structured .npy") << "matrix" << "structured.npy" << "" << QStringList{"structured dtype"};
    QTest::newRow("unknown .npy version") << "matrix" << "version9.npy" << "" << QStringList{"format version 9.0"};

    QTest::newRow("fractional index") << "indices" << "invalid.mat" << "fractional"
                                      << QStringList{"fractional[1] (0-based) is 2.5, not an integer"};
    QTest::newRow("index below base") << "indices" << "invalid.mat" << "zeroBased"
                                      << QStringList{"zeroBased[0] (0-based) is 0, below the index base 1"};
    QTest::newRow("matrix as indices") << "indices" << "invalid.mat" << "square"
                                       << QStringList{"square is a 3 x 3 matrix, expected a vector"};
    QTest::newRow("negative label") << "labels" << "invalid.mat" << "negative"
                                    << QStringList{"negative has -1 at item 2, label 1 (0-based)",
                                                   "must be 0 (absent) or positive"};
    QTest::newRow("class id beyond count") << "class ids" << "v5.mat" << "ids"
                                           << QStringList{"ids[2] (0-based) is 3, but there are 2 classes"};
    QTest::newRow("matrix as strings") << "strings" << "v5.mat" << "X"
                                       << QStringList{"X (5 x 3 double)", "Expected a cell array of char vectors"};
    QTest::newRow("variable of a text file") << "strings" << "captions.txt" << "lines"
                                             << QStringList{"is a text file", "\"lines\""};
}

void TestFeatureFiles::rejectsInvalidInput()
{
    QFETCH(QString, reader);
    QFETCH(QString, file);
    QFETCH(QString, variable);
    QFETCH(QStringList, expected);

    QString error;
    const QString filePath = path(file);
    if (reader == QLatin1String("matrix"))
        error = readMatrix(filePath, variable, ItemOrientation::Auto).error();
    else if (reader == QLatin1String("indices"))
        error = readIndices(filePath, variable, 1).error();
    else if (reader == QLatin1String("labels"))
        error = readLabelMatrix(filePath, variable, ItemOrientation::Rows).error();
    else if (reader == QLatin1String("class ids"))
        error = readClassIds(filePath, variable, 1, 2).error();
    else if (reader == QLatin1String("strings"))
        error = readStrings(filePath, variable).error();
    else
        QFAIL("unknown reader");

    QVERIFY2(!error.isEmpty(), "the reader accepted invalid input");
    for (const QString &part : expected)
        QVERIFY2(error.contains(part), qPrintable(QStringLiteral("\"%1\" not in: %2").arg(part, error)));
}

void TestFeatureFiles::readsWikiMat()
{
    const QString folder = sharedDatasets() + QStringLiteral("/wiki");
    ESAFH_REQUIRE_FOLDER(folder, "The Wikipedia features");
    const QString file = folder + QStringLiteral("/wiki.mat");

    const Result<std::vector<VariableInfo>> variables = listVariables(file);
    QVERIFY2(variables.ok(), qPrintable(variables.error()));
    QStringList described;
    for (const VariableInfo &info : variables.value())
        described.append(info.describe());
    QCOMPARE(described, (QStringList{"data (1 x 1 struct)", "data.X1 (128 x 2866 double)",
                                     "data.X2 (100 x 2866 double)", "data.Y (10 x 2866 sparse logical)",
                                     "data.split (1 x 1 struct)", "data.split.ind_train (1 x 2173 double)",
                                     "data.split.ind_test (1 x 693 double)"}));

    const Result<FeatureMatrix> image = readMatrix(file, "data.X1", ItemOrientation::Columns);
    QVERIFY2(image.ok(), qPrintable(image.error()));
    QCOMPARE(int(image->rows()), 2866);
    QCOMPARE(int(image->cols()), 128);
    const Result<FeatureMatrix> text = readMatrix(file, "data.X2", ItemOrientation::Auto);
    QVERIFY2(text.ok(), qPrintable(text.error()));
    QCOMPARE(int(text->rows()), 2866);
    QCOMPARE(int(text->cols()), 100);

    // Wikipedia is single-label: every item has exactly one of the 10 categories.
    const Result<LabelTable> labels = readLabelMatrix(file, "data.Y", ItemOrientation::Columns);
    QVERIFY2(labels.ok(), qPrintable(labels.error()));
    QCOMPARE(labels->labelCount, 10);
    QCOMPARE(int(labels->labels.size()), 2866);
    for (const std::vector<int> &itemLabels : labels->labels)
        QCOMPARE(int(itemLabels.size()), 1);

    const Result<std::vector<int>> training = readIndices(file, "data.split.ind_train", 1);
    const Result<std::vector<int>> test = readIndices(file, "data.split.ind_test", 1);
    QVERIFY2(training.ok(), qPrintable(training.error()));
    QVERIFY2(test.ok(), qPrintable(test.error()));
    QCOMPARE(int(training->size()), 2173);
    QCOMPARE(int(test->size()), 693);
    QCOMPARE(training->front(), 102); // 103 in MATLAB's numbering

    // Training and test sets partition the 2866 items.
    std::vector<int> covered(2866, 0);
    for (const std::vector<int> *set : {&training.value(), &test.value()}) {
        for (int index : *set) {
            QVERIFY(index >= 0 && index < 2866);
            ++covered[std::size_t(index)];
        }
    }
    QCOMPARE(int(std::count(covered.begin(), covered.end(), 1)), 2866);
}

void TestFeatureFiles::readsMirflickrText()
{
    const QString folder = sharedDatasets() + QStringLiteral("/mirflickr25k-text");
    ESAFH_REQUIRE_FOLDER(folder, "The MIRFlickr-25K text files");

    const Result<FeatureMatrix> tags = readMatrix(folder + "/mirflickr25k-yall.mat", "YAll", ItemOrientation::Rows);
    QVERIFY2(tags.ok(), qPrintable(tags.error()));
    QCOMPARE(int(tags->rows()), 20015);
    QCOMPARE(int(tags->cols()), 1386);
    // A binary bag of words.
    QVERIFY((tags->array() == 0.0f || tags->array() == 1.0f).all());

    const Result<LabelTable> labels = readLabelMatrix(folder + "/mirflickr25k-lall.mat", "LAll", ItemOrientation::Auto);
    QVERIFY2(labels.ok(), qPrintable(labels.error()));
    QCOMPARE(labels->labelCount, 24);
    QCOMPARE(int(labels->labels.size()), 20015);

    const Result<FeatureMatrix> wrong = readMatrix(folder + "/mirflickr25k-yall.mat", "XAll");
    QVERIFY(!wrong.ok());
    QVERIFY2(wrong.error().contains("YAll (20015 x 1386 double)"), qPrintable(wrong.error()));
}

QTEST_GUILESS_MAIN(TestFeatureFiles)
#include "tst_feature_files.moc"
