#include "comparison.h"
#include "comparison_table_model.h"
#include "curves_chart.h"
#include "evaluate_page.h"
#include "model_evaluation.h"
#include "run_list_model.h"
#include "session.h"
#include "ui_fixtures.h"

#include <QAbstractItemModelTester>
#include <QFile>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace esafh;
using esafh::ui::ComparisonTableModel;
using esafh::ui::Direction;
using esafh::ui::EvaluatePage;

namespace {

QJsonObject meanStd(double mean, double std)
{
    return {{QStringLiteral("mean"), mean}, {QStringLiteral("std"), std}};
}

QJsonObject scores(double i2t, double t2i, double std)
{
    return {{QStringLiteral("i2t"), meanStd(i2t, std)}, {QStringLiteral("t2i"), meanStd(t2i, std)}};
}

QJsonArray precisionRecall(double scale)
{
    QJsonArray points;
    // At radius 0 no query retrieves anything, as with real codes of many bits.
    for (int radius = 0; radius <= 4; ++radius) {
        points.append(QJsonObject{{QStringLiteral("radius"), radius},
                                  {QStringLiteral("precision"), radius == 0 ? 0.0 : scale * (1.0 - radius * 0.1)},
                                  {QStringLiteral("recall"), radius / 4.0},
                                  {QStringLiteral("retrieving_queries"), radius == 0 ? 0 : 3}});
    }
    return points;
}

QJsonArray precisionAtK(double scale)
{
    QJsonArray points;
    for (int k : {1, 10, 100})
        points.append(QJsonObject{{QStringLiteral("k"), k}, {QStringLiteral("precision"), scale / std::log10(10.0 * k)}});
    return points;
}

QJsonObject curve(const QString &method, const QString &variant, int seed, const QString &direction, double scale)
{
    return {{QStringLiteral("method"), method},
            {QStringLiteral("variant"), variant},
            {QStringLiteral("bits"), 64},
            {QStringLiteral("seed"), seed},
            {QStringLiteral("direction"), direction},
            {QStringLiteral("precision_recall"), precisionRecall(scale)},
            {QStringLiteral("precision_at_k"), precisionAtK(scale)}};
}

/// A comparison of ESAFH, an ablation of it and DJSRH at 64 bits over three seeds,
/// with curves of seed 1 of each row in both directions.
QJsonObject sampleComparison()
{
    const QJsonObject protocol{{QStringLiteral("ranking"), QStringLiteral("Hamming distance")},
                               {QStringLiteral("ties"), QStringLiteral("tie-aware")},
                               {QStringLiteral("relevance"), QStringLiteral("shares a label")},
                               {QStringLiteral("k"), 50},
                               {QStringLiteral("split"), QStringLiteral("random")},
                               {QStringLiteral("queries"), 200},
                               {QStringLiteral("database"), 1800},
                               {QStringLiteral("training"), 1000},
                               {QStringLiteral("validation"), 100}};
    QJsonArray rows;
    rows.append(QJsonObject{{QStringLiteral("method"), QStringLiteral("esafh")},
                            {QStringLiteral("variant"), QString()},
                            {QStringLiteral("bits"), 64},
                            {QStringLiteral("seeds"), 3},
                            {QStringLiteral("map_all"), scores(0.7, 0.68, 0.01)},
                            {QStringLiteral("map_at_k"), scores(0.8, 0.79, 0.02)},
                            {QStringLiteral("runs"), QJsonArray{QStringLiteral("runs/esafh-64-seed1.json")}}});
    rows.append(QJsonObject{{QStringLiteral("method"), QStringLiteral("esafh")},
                            {QStringLiteral("variant"), QStringLiteral("attentionFusion=false")},
                            {QStringLiteral("bits"), 64},
                            {QStringLiteral("seeds"), 3},
                            {QStringLiteral("map_all"), scores(0.65, 0.63, 0.015)},
                            {QStringLiteral("map_at_k"), scores(0.75, 0.74, 0.02)},
                            {QStringLiteral("runs"), QJsonArray()}});
    rows.append(QJsonObject{{QStringLiteral("method"), QStringLiteral("djsrh")},
                            {QStringLiteral("variant"), QString()},
                            {QStringLiteral("bits"), 64},
                            {QStringLiteral("seeds"), 3},
                            {QStringLiteral("map_all"), scores(0.6, 0.61, 0.02)},
                            {QStringLiteral("map_at_k"), scores(0.7, 0.71, 0.03)},
                            {QStringLiteral("runs"), QJsonArray()}});

    QJsonArray curves;
    for (const QString &direction : {QStringLiteral("i2t"), QStringLiteral("t2i")}) {
        curves.append(curve(QStringLiteral("esafh"), QString(), 1, direction, 0.9));
        curves.append(curve(QStringLiteral("esafh"), QStringLiteral("attentionFusion=false"), 1, direction, 0.8));
        curves.append(curve(QStringLiteral("djsrh"), QString(), 1, direction, 0.7));
    }

    return {{QStringLiteral("format"), QStringLiteral("esafh-comparison")},
            {QStringLiteral("version"), 1},
            {QStringLiteral("dataset"), QStringLiteral("/data/tiny")},
            {QStringLiteral("dataset_name"), QStringLiteral("tiny")},
            {QStringLiteral("protocol"), protocol},
            {QStringLiteral("seeds"), QJsonArray{1, 2, 3}},
            {QStringLiteral("epochs"), 5},
            {QStringLiteral("backbone"), QStringLiteral("descriptor")},
            {QStringLiteral("rows"), rows},
            {QStringLiteral("curves"), curves}};
}

/// A run record of DGCPN at 32 bits, seed 2, scored with ties by database index at K = 100.
QJsonObject sampleRunRecord()
{
    return {{QStringLiteral("format"), QStringLiteral("esafh-run")},
            {QStringLiteral("version"), 1},
            {QStringLiteral("dataset"), QStringLiteral("tiny")},
            {QStringLiteral("seed"), 2},
            {QStringLiteral("split"), QJsonObject{{QStringLiteral("query"), QJsonArray{0, 1}}, {QStringLiteral("database"), QJsonArray{2, 3, 4}}}},
            {QStringLiteral("settings"), QJsonObject{{QStringLiteral("method"), QStringLiteral("dgcpn")}}},
            {QStringLiteral("backbone"), QStringLiteral("descriptor")},
            {QStringLiteral("bits"), 32},
            {QStringLiteral("method"), QStringLiteral("dgcpn")},
            {QStringLiteral("epochs"), QJsonArray{QJsonObject{{QStringLiteral("epoch"), 1}, {QStringLiteral("loss"), 0.5},
                                                              {QStringLiteral("validation_map"), QJsonValue()}}}},
            {QStringLiteral("best_epoch"), 1},
            {QStringLiteral("scores"),
             QJsonObject{{QStringLiteral("map_all"), QJsonObject{{QStringLiteral("i2t"), 0.55}, {QStringLiteral("t2i"), 0.57}}},
                         {QStringLiteral("map_at_k"), QJsonObject{{QStringLiteral("i2t"), 0.66}, {QStringLiteral("t2i"), 0.67}}},
                         {QStringLiteral("k"), 100},
                         {QStringLiteral("ties"), QStringLiteral("database index")}}},
            {QStringLiteral("curves"),
             QJsonObject{{QStringLiteral("i2t"), QJsonObject{{QStringLiteral("precision_recall"), precisionRecall(0.6)},
                                                            {QStringLiteral("precision_at_k"), precisionAtK(0.6)}}},
                         {QStringLiteral("t2i"), QJsonObject{{QStringLiteral("precision_recall"), precisionRecall(0.5)},
                                                            {QStringLiteral("precision_at_k"), precisionAtK(0.5)}}}}}};
}

bool writeJson(const QString &path, const QJsonObject &object)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(QJsonDocument(object).toJson()) > 0;
}

QString readText(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : QString();
}

} // namespace

class TestEvaluatePage : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void comparisonFillsTable();
    void comparisonNamesProtocol();
    void runListSelectsCurves();
    void directionSwitchesCurves();
    void runRecordAddsRow();
    void otherFormatKeepsRows();
    void invalidJsonShowsMessage();
    void missingFolderShowsMessage();
    void wrongValueTypeNamesKey();
    void exportCsv();
    void exportJsonRoundTrip();
    void exportLatex();
    void exportPng();
    void exportUnknownSuffixFails();
    void precisionCutoffs_data();
    void precisionCutoffs();
    void currentModelAppearsAsRun();
    void replacedModelKeepsItsRow();
    void modelWithoutDatasetShowsMessage();

private:
    void trainTinyModel();

    QTemporaryDir m_folder;
    TrainingJobSettings m_tinySettings;
    ui::PreparedDatasetPointer m_tinyDataset;
    ui::TrainedModelPointer m_tinyModel;
    QString m_comparisonFolder;
    QString m_recordPath;
    ui::Session *m_session = nullptr;
    EvaluatePage *m_page = nullptr;
};

void TestEvaluatePage::initTestCase()
{
    QVERIFY(m_folder.isValid());
    m_comparisonFolder = m_folder.filePath(QStringLiteral("comparison"));
    QVERIFY(QDir().mkpath(m_comparisonFolder + QStringLiteral("/runs")));
    QVERIFY(writeJson(m_comparisonFolder + QStringLiteral("/results.json"), sampleComparison()));
    m_recordPath = m_comparisonFolder + QStringLiteral("/runs/dgcpn-32-seed2.json");
    QVERIFY(writeJson(m_recordPath, sampleRunRecord()));
}

void TestEvaluatePage::init()
{
    m_session = new ui::Session;
    m_page = new EvaluatePage(m_session);
    m_page->resize(1200, 800);
    m_page->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_page));
    new QAbstractItemModelTester(m_page->tableModel(), QAbstractItemModelTester::FailureReportingMode::QtTest, m_page);
    new QAbstractItemModelTester(m_page->runModel(), QAbstractItemModelTester::FailureReportingMode::QtTest, m_page);
}

void TestEvaluatePage::cleanup()
{
    delete m_page;
    delete m_session;
}

void TestEvaluatePage::comparisonFillsTable()
{
    QVERIFY2(m_page->openComparison(m_comparisonFolder), qPrintable(m_page->messageText()));
    const ComparisonTableModel *model = m_page->tableModel();
    QCOMPARE(model->rowCount(), 3);
    QCOMPARE(model->columnCount(), int(ComparisonTableModel::ColumnCount));

    const QModelIndex method = model->index(1, ComparisonTableModel::MethodColumn);
    QCOMPARE(method.data().toString(), QStringLiteral("esafh"));
    QCOMPARE(model->index(1, ComparisonTableModel::VariantColumn).data().toString(), QStringLiteral("attentionFusion=false"));
    QCOMPARE(model->index(0, ComparisonTableModel::VariantColumn).data().toString(), QStringLiteral("default"));
    QCOMPARE(model->index(2, ComparisonTableModel::BitsColumn).data().toInt(), 64);
    QCOMPARE(model->index(2, ComparisonTableModel::SeedsColumn).data().toInt(), 3);

    const QModelIndex score = model->index(0, ComparisonTableModel::MapAllImageToTextColumn);
    QCOMPARE(score.data().toString(), QStringLiteral("0.7000 ± 0.0100"));
    QCOMPARE(score.data(ComparisonTableModel::MeanRole).toDouble(), 0.7);
    QCOMPARE(score.data(ComparisonTableModel::StdRole).toDouble(), 0.01);
    QCOMPARE(model->index(2, ComparisonTableModel::MapAtKTextToImageColumn).data(ComparisonTableModel::MeanRole).toDouble(), 0.71);
    QCOMPARE(model->headerData(ComparisonTableModel::MapAtKImageToTextColumn, Qt::Horizontal).toString(),
             QStringLiteral("mAP@50 i→t"));
    QVERIFY(!m_page->messageIsError());
}

void TestEvaluatePage::comparisonNamesProtocol()
{
    QVERIFY(m_page->openComparison(m_comparisonFolder + QStringLiteral("/results.json")));
    const QString protocol = m_page->protocolText();
    QVERIFY2(protocol.contains(QStringLiteral("ties tie-aware")), qPrintable(protocol));
    QVERIFY2(protocol.contains(QStringLiteral("K = 50")), qPrintable(protocol));
    QVERIFY2(protocol.contains(QStringLiteral("random split")), qPrintable(protocol));
    QVERIFY2(protocol.contains(QStringLiteral("3 seeds")), qPrintable(protocol));
    QVERIFY2(protocol.contains(QStringLiteral("200 queries, 1800 database items")), qPrintable(protocol));
}

void TestEvaluatePage::runListSelectsCurves()
{
    QVERIFY(m_page->openComparison(m_comparisonFolder));
    ui::RunListModel *runs = m_page->runModel();
    QCOMPARE(runs->rowCount(), 3);
    QCOMPARE(m_page->precisionRecallChart()->seriesCount(), 3);
    QCOMPARE(m_page->precisionAtKChart()->seriesCount(), 3);
    QVERIFY(m_page->precisionRecallChart()->legendNames().contains(QStringLiteral("djsrh 64 bits, seed 1")));
    QCOMPARE(runs->index(1).data(ui::RunListModel::VariantRole).toString(), QStringLiteral("attentionFusion=false"));

    QSignalSpy selection(runs, &ui::RunListModel::selectionChanged);
    QVERIFY(runs->setData(runs->index(2), Qt::Unchecked, Qt::CheckStateRole));
    QCOMPARE(selection.count(), 1);
    QCOMPARE(runs->index(2).data(Qt::CheckStateRole).toInt(), int(Qt::Unchecked));
    QCOMPARE(m_page->precisionRecallChart()->seriesCount(), 2);
    QVERIFY(!m_page->precisionAtKChart()->legendNames().contains(QStringLiteral("djsrh 64 bits, seed 1")));
}

void TestEvaluatePage::directionSwitchesCurves()
{
    QVERIFY(m_page->openComparison(m_comparisonFolder));
    const ui::RunCurves &first = m_page->runModel()->runs().constFirst();
    // The radius where no query retrieves anything is left out.
    QCOMPARE(first.precisionRecall[int(Direction::ImageToText)].size(), 4);
    QCOMPARE(first.precisionAtK[int(Direction::TextToImage)].size(), 3);
    QCOMPARE(first.precisionRecall[int(Direction::TextToImage)].at(0), QPointF(0.25, 0.9 * 0.9));

    m_page->setDirection(Direction::TextToImage);
    QVERIFY(m_page->precisionRecallChart()->chart()->title().contains(QStringLiteral("text → image")));
    QCOMPARE(m_page->precisionRecallChart()->seriesCount(), 3);
}

void TestEvaluatePage::runRecordAddsRow()
{
    QVERIFY(m_page->openComparison(m_comparisonFolder));
    QVERIFY2(m_page->openRunRecord(m_recordPath), qPrintable(m_page->messageText()));
    const ComparisonTableModel *model = m_page->tableModel();
    QCOMPARE(model->rowCount(), 4);
    QCOMPARE(model->index(3, ComparisonTableModel::MethodColumn).data().toString(), QStringLiteral("dgcpn"));
    QCOMPARE(model->index(3, ComparisonTableModel::BitsColumn).data().toInt(), 32);
    QCOMPARE(model->index(3, ComparisonTableModel::MapAllTextToImageColumn).data(ComparisonTableModel::MeanRole).toDouble(), 0.57);
    // One seed has no spread to show.
    QCOMPARE(model->index(3, ComparisonTableModel::MapAllTextToImageColumn).data().toString(), QStringLiteral("0.5700"));
    QCOMPARE(m_page->runModel()->rowCount(), 4);
    QVERIFY(m_page->runModel()->isChecked(3));

    // The record was scored at another K with another tie rule, which the protocol line points out.
    QVERIFY2(m_page->protocolText().contains(QStringLiteral("dgcpn-32-seed2.json")), qPrintable(m_page->protocolText()));

    // Opening it again replaces the row.
    QVERIFY(m_page->openRunRecord(m_recordPath));
    QCOMPARE(model->rowCount(), 4);
}

void TestEvaluatePage::otherFormatKeepsRows()
{
    QVERIFY(m_page->openComparison(m_comparisonFolder));
    const QString other = m_folder.filePath(QStringLiteral("other.json"));
    QVERIFY(writeJson(other, QJsonObject{{QStringLiteral("format"), QStringLiteral("something-else")}, {QStringLiteral("version"), 1}}));

    QVERIFY(!m_page->openComparison(other));
    QVERIFY(m_page->messageIsError());
    QVERIFY2(m_page->messageText().contains(QStringLiteral("something-else")), qPrintable(m_page->messageText()));
    QVERIFY2(m_page->messageText().contains(QStringLiteral("other.json")), qPrintable(m_page->messageText()));
    QCOMPARE(m_page->tableModel()->rowCount(), 3);

    // A run record is not a comparison either, and a newer version is rejected.
    QVERIFY(!m_page->openComparison(m_recordPath));
    QVERIFY2(m_page->messageText().contains(QStringLiteral("esafh-run")), qPrintable(m_page->messageText()));
    QJsonObject newer = sampleComparison();
    newer.insert(QStringLiteral("version"), 2);
    QVERIFY(writeJson(other, newer));
    QVERIFY(!m_page->openComparison(other));
    QVERIFY2(m_page->messageText().contains(QStringLiteral("version 2")), qPrintable(m_page->messageText()));
    QCOMPARE(m_page->tableModel()->rowCount(), 3);

    // The page stays usable.
    QVERIFY(m_page->openRunRecord(m_recordPath));
    QCOMPARE(m_page->tableModel()->rowCount(), 4);
}

void TestEvaluatePage::invalidJsonShowsMessage()
{
    const QString path = m_folder.filePath(QStringLiteral("broken.json"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("{\"format\": \"esafh-comparison\", ");
    file.close();

    QVERIFY(!m_page->openComparison(path));
    QVERIFY(m_page->messageIsError());
    QVERIFY2(m_page->messageText().contains(QStringLiteral("not valid JSON")), qPrintable(m_page->messageText()));
    QCOMPARE(m_page->tableModel()->rowCount(), 0);
}

void TestEvaluatePage::missingFolderShowsMessage()
{
    QVERIFY(!m_page->openComparison(m_folder.filePath(QStringLiteral("absent"))));
    QVERIFY(m_page->messageIsError());
    QVERIFY2(m_page->messageText().contains(QStringLiteral("results.json")), qPrintable(m_page->messageText()));
}

void TestEvaluatePage::wrongValueTypeNamesKey()
{
    QJsonObject comparison = sampleComparison();
    QJsonArray rows = comparison.value(QStringLiteral("rows")).toArray();
    QJsonObject row = rows.at(1).toObject();
    row.insert(QStringLiteral("bits"), QStringLiteral("sixty-four"));
    rows.replace(1, row);
    comparison.insert(QStringLiteral("rows"), rows);
    const QString path = m_folder.filePath(QStringLiteral("wrong-type.json"));
    QVERIFY(writeJson(path, comparison));

    QVERIFY(!m_page->openComparison(path));
    QVERIFY2(m_page->messageText().contains(QStringLiteral("rows[1].bits")), qPrintable(m_page->messageText()));
}

void TestEvaluatePage::exportCsv()
{
    QVERIFY(m_page->openComparison(m_comparisonFolder));
    const QString path = m_folder.filePath(QStringLiteral("export.csv"));
    QVERIFY2(m_page->exportTo(path), qPrintable(m_page->messageText()));

    const QStringList lines = readText(path).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 4);
    QVERIFY(lines[0].startsWith(QStringLiteral("method,variant,bits,seeds,")));
    QVERIFY(lines[0].contains(QStringLiteral("map_all_i2t_mean,map_all_i2t_std,map_all_t2i_mean")));
    const QStringList header = lines[0].split(QLatin1Char(','));
    const QStringList second = lines[2].split(QLatin1Char(','));
    QCOMPARE(second.size(), header.size());
    QCOMPARE(second[header.indexOf(QStringLiteral("variant"))], QStringLiteral("attentionFusion=false"));
    QCOMPARE(second[header.indexOf(QStringLiteral("map_at_k_t2i_mean"))].toDouble(), 0.74);
    QCOMPARE(second[header.indexOf(QStringLiteral("k"))], QStringLiteral("50"));
}

void TestEvaluatePage::exportJsonRoundTrip()
{
    QVERIFY(m_page->openComparison(m_comparisonFolder));
    QVERIFY(m_page->openRunRecord(m_recordPath));
    const QString path = m_folder.filePath(QStringLiteral("export.json"));
    QVERIFY2(m_page->exportTo(path), qPrintable(m_page->messageText()));

    Result<ui::Comparison> read = ui::readComparison(path);
    QVERIFY2(read.ok(), qPrintable(read.error()));
    const ui::Comparison shown = m_page->shownComparison();
    QCOMPARE(read->rows.size(), shown.rows.size());
    for (int i = 0; i < shown.rows.size(); ++i) {
        QCOMPARE(read->rows[i].method, shown.rows[i].method);
        QCOMPARE(read->rows[i].variant, shown.rows[i].variant);
        QCOMPARE(read->rows[i].bits, shown.rows[i].bits);
        QCOMPARE(read->rows[i].mapAll[1].mean, shown.rows[i].mapAll[1].mean);
        QCOMPARE(read->rows[i].mapAtK[0].std, shown.rows[i].mapAtK[0].std);
    }
    QCOMPARE(read->runs.size(), 4);
    QCOMPARE(read->runs[3].precisionAtK[1], shown.runs[3].precisionAtK[1]);
    QCOMPARE(read->protocol.k, 50);
    QCOMPARE(read->seeds, (QList<int>{1, 2, 3}));
}

void TestEvaluatePage::exportLatex()
{
    QVERIFY(m_page->openComparison(m_comparisonFolder));
    const QString path = m_folder.filePath(QStringLiteral("export.tex"));
    QVERIFY(m_page->exportTo(path));

    const QString tex = readText(path);
    QVERIFY(tex.contains(QStringLiteral("\\toprule")));
    QVERIFY(tex.contains(QStringLiteral("\\bottomrule")));
    QVERIFY(tex.contains(QStringLiteral("0.7000 $\\pm$ 0.0100")));
    QVERIFY(tex.contains(QStringLiteral("mAP@50")));
    QVERIFY2(tex.contains(QStringLiteral("3 seeds")), qPrintable(tex));
    QCOMPARE(tex.count(QStringLiteral("\\\\\n")), 4);
}

void TestEvaluatePage::exportPng()
{
    QVERIFY(m_page->openComparison(m_comparisonFolder));
    const QString path = m_folder.filePath(QStringLiteral("curves.png"));
    QVERIFY2(m_page->exportTo(path), qPrintable(m_page->messageText()));
    const QImage image(path);
    QVERIFY(!image.isNull());
    QCOMPARE(image.width(), m_page->precisionRecallChart()->width() + m_page->precisionAtKChart()->width());
}

void TestEvaluatePage::exportUnknownSuffixFails()
{
    QVERIFY(m_page->openComparison(m_comparisonFolder));
    QVERIFY(!m_page->exportTo(m_folder.filePath(QStringLiteral("table.xlsx"))));
    QVERIFY(m_page->messageIsError());
    QVERIFY(m_page->messageText().contains(QStringLiteral(".csv")));
    QVERIFY(!QFile::exists(m_folder.filePath(QStringLiteral("table.xlsx"))));
}

void TestEvaluatePage::precisionCutoffs_data()
{
    QTest::addColumn<int>("databaseSize");
    QTest::addColumn<std::vector<int>>("expected");
    QTest::newRow("empty") << 0 << std::vector<int>{};
    QTest::newRow("one item") << 1 << std::vector<int>{1};
    QTest::newRow("twelve") << 12 << std::vector<int>{1, 2, 5, 10, 12};
    QTest::newRow("exactly fifty") << 50 << std::vector<int>{1, 2, 5, 10, 20, 50};
    QTest::newRow("thousand and one") << 1001 << std::vector<int>{1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 1001};
}

void TestEvaluatePage::precisionCutoffs()
{
    QFETCH(int, databaseSize);
    QFETCH(std::vector<int>, expected);
    QCOMPARE(ui::precisionCutoffs(databaseSize), expected);
}

void TestEvaluatePage::trainTinyModel()
{
    if (m_tinyModel)
        return;
    const QString root = m_folder.filePath(QStringLiteral("tiny"));
    QVERIFY(test::writeTinyImageTree(root));
    m_tinySettings = test::tinyJobSettings(root, m_folder.filePath(QStringLiteral("cache")));
    Result<PreparedDataset> prepared = prepareDataset(m_tinySettings);
    QVERIFY2(prepared.ok(), qPrintable(prepared.error()));
    Result<TrainedModel> trained = trainModel(prepared.value(), m_tinySettings);
    QVERIFY2(trained.ok(), qPrintable(trained.error()));
    m_tinyDataset = std::make_shared<const PreparedDataset>(std::move(prepared).value());
    m_tinyModel = std::make_shared<const TrainedModel>(std::move(trained).value());
}

void TestEvaluatePage::currentModelAppearsAsRun()
{
    trainTinyModel();
    QVERIFY(m_tinyModel);
    const ui::PreparedDatasetPointer dataset = m_tinyDataset;
    const ui::TrainedModelPointer model = m_tinyModel;
    m_session->setJobSettings(m_tinySettings);
    m_session->setDataset(dataset);

    // A new model of the session is evaluated without a request.
    QSignalSpy evaluated(m_page, &EvaluatePage::modelEvaluated);
    m_session->setModel(model);
    QVERIFY(m_page->isEvaluating());
    QVERIFY(evaluated.wait(60000));
    QCOMPARE(evaluated.takeFirst().at(0).toBool(), true);

    // The row's scores are those the training job computed with the core evaluation.
    const ComparisonTableModel *table = m_page->tableModel();
    QCOMPARE(table->rowCount(), 1);
    QCOMPARE(table->index(0, ComparisonTableModel::VariantColumn).data().toString(), QStringLiteral("current model"));
    QCOMPARE(table->index(0, ComparisonTableModel::MapAllImageToTextColumn).data(ComparisonTableModel::MeanRole).toDouble(),
             model->scores.imageToTextAll);
    QCOMPARE(table->index(0, ComparisonTableModel::MapAtKTextToImageColumn).data(ComparisonTableModel::MeanRole).toDouble(),
             model->scores.textToImageAtK);

    // Brute force: at K = the database size every item is retrieved, so precision@K is
    // the mean share of relevant database items per query.
    const DatasetSplit &split = dataset->dataset.split;
    double shareSum = 0;
    double shareSumOfRelevantQueries = 0;
    int relevantQueryCount = 0;
    for (int query : split.query) {
        int relevant = 0;
        for (int item : split.database) {
            const auto &a = dataset->dataset.items[query].labels;
            const auto &b = dataset->dataset.items[item].labels;
            bool shares = false;
            for (int label : a)
                shares = shares || std::find(b.begin(), b.end(), label) != b.end();
            relevant += shares ? 1 : 0;
        }
        shareSum += double(relevant) / split.database.size();
        if (relevant > 0) {
            shareSumOfRelevantQueries += double(relevant) / split.database.size();
            ++relevantQueryCount;
        }
    }
    const ui::RunCurves &run = m_page->runModel()->runs().constFirst();
    QCOMPARE(m_page->runModel()->rowCount(), 1);
    const QList<QPointF> &atK = run.precisionAtK[int(Direction::ImageToText)];
    QVERIFY(!atK.isEmpty());
    QCOMPARE(int(atK.last().x()), int(split.database.size()));
    QVERIFY(std::abs(atK.last().y() - shareSum / split.query.size()) < 1e-9);
    // One point per Hamming radius at which some query retrieves an item.
    const QList<QPointF> &precisionRecall = run.precisionRecall[int(Direction::TextToImage)];
    QVERIFY(!precisionRecall.isEmpty());
    QVERIFY(precisionRecall.size() <= model->settings.bits + 1);
    // At the largest radius every item is retrieved: recall 1, and precision the mean
    // share of relevant items over the queries that have one.
    QCOMPARE(precisionRecall.last().x(), 1.0);
    QVERIFY(std::abs(precisionRecall.last().y() - shareSumOfRelevantQueries / relevantQueryCount) < 1e-9);
    QCOMPARE(m_page->precisionRecallChart()->seriesCount(), 1);

    QVERIFY2(run.settings.contains(QStringLiteral("%1 bits").arg(model->settings.bits)), qPrintable(run.settings));
    QVERIFY(m_page->hasCurrentModelRow());

    // The run stays in the list when the session moves on to another model.
    m_session->setModel(nullptr);
    QVERIFY(!m_page->hasCurrentModelRow());
    QCOMPARE(table->rowCount(), 1);
    QVERIFY2(table->index(0, ComparisonTableModel::VariantColumn).data().toString().startsWith(QStringLiteral("trained at")),
             qPrintable(table->index(0, ComparisonTableModel::VariantColumn).data().toString()));
    QCOMPARE(m_page->runModel()->rowCount(), 1);
    QVERIFY(m_page->runModel()->index(0).data().toString().contains(QStringLiteral("trained at")));
}

void TestEvaluatePage::replacedModelKeepsItsRow()
{
    trainTinyModel();
    QVERIFY(m_tinyModel);
    m_session->setJobSettings(m_tinySettings);
    m_session->setDataset(m_tinyDataset);
    QSignalSpy evaluated(m_page, &EvaluatePage::modelEvaluated);
    m_session->setModel(m_tinyModel, m_folder.filePath(QStringLiteral("first.esafh")));
    QVERIFY(m_page->isEvaluating());

    // The session moves on before the evaluation ends; the run is still listed, under its file name.
    m_session->setModel(nullptr);
    QVERIFY(evaluated.wait(60000));
    QCOMPARE(evaluated.constFirst().at(0).toBool(), true);
    QCOMPARE(m_page->tableModel()->rowCount(), 1);
    QCOMPARE(m_page->tableModel()->index(0, ComparisonTableModel::VariantColumn).data().toString(), QStringLiteral("first.esafh"));
    QVERIFY(!m_page->hasCurrentModelRow());
    QVERIFY2(m_page->messageText().contains(QStringLiteral("first.esafh")), qPrintable(m_page->messageText()));
}

void TestEvaluatePage::modelWithoutDatasetShowsMessage()
{
    m_page->evaluateModel();
    QVERIFY(m_page->messageIsError());
    QVERIFY2(m_page->messageText().contains(QStringLiteral("no model")), qPrintable(m_page->messageText()));
    QVERIFY(!m_page->isEvaluating());
}

QTEST_MAIN(TestEvaluatePage)
#include "tst_evaluate_page.moc"
