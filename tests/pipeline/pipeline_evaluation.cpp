#include "feature_dataset_fixture.h"
#include "test_support.h"

#include "pipeline/comparison.h"
#include "pipeline/run_record.h"
#include "pipeline/search.h"
#include "pipeline/training_job.h"
#include "retrieval/metrics.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <random>

using namespace esafh;

namespace {

QJsonObject readJson(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(file.readAll()).object();
}

TrainingJobSettings quickSettings(const QString &dataset, int epochs = 2)
{
    TrainingJobSettings settings;
    settings.datasetPath = dataset;
    settings.esafh.bits = 16;
    settings.esafh.epochs = epochs;
    settings.esafh.batchSize = 16;
    settings.esafh.neighbourCount = 5;
    settings.esafh.textHiddenUnits = 64;
    settings.esafh.graphUnits = 32;
    settings.esafh.imageHiddenUnits = 64;
    settings.esafh.threads = 1;
    settings.esafh.device = QStringLiteral("cpu");
    return settings;
}

} // namespace

/// Feature datasets end to end, validation, run records and comparisons, on a small
/// feature dataset generated here and on the real Wikipedia features when present.
class TestEvaluation : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_folder;
    QString m_dataset;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_folder.isValid());
        m_dataset = test::writeClusteredFeatureDataset(m_folder.path());
        QVERIFY(!m_dataset.isEmpty());
    }

    void featureDatasetTrainsAndSearches()
    {
        const TrainingJobSettings settings = quickSettings(m_dataset);
        Result<PreparedDataset> prepared = prepareDataset(settings);
        QVERIFY2(prepared.ok(), qPrintable(prepared.error()));
        QVERIFY(prepared->precomputedFeatures);
        QCOMPARE(prepared->vocabulary.size(), 0);
        QCOMPARE(prepared->dataset.split.query.size(), size_t(20));
        QCOMPARE(prepared->textFeatures.cols(), Eigen::Index(12));
        QVERIFY(prepared->imageFeatures.extractorIdentity.startsWith(precomputedFeaturesPrefix()));

        Result<TrainedModel> model = trainModel(prepared.value(), settings);
        QVERIFY2(model.ok(), qPrintable(model.error()));
        for (double score : {model->scores.imageToTextAll, model->scores.textToImageAll}) {
            QVERIFY(score > 0.0);
            QVERIFY(score <= 1.0);
        }

        Result<SearchResult> byText = searchByText(model.value(), QStringLiteral("a red apple"), SearchDirection::TextToImage, 5);
        QVERIFY(!byText.ok());
        QVERIFY2(byText.error().contains(QStringLiteral("precomputed text features")), qPrintable(byText.error()));
        Result<SearchResult> byImage = searchByImage(model.value(), m_dataset, SearchDirection::ImageToText, 5);
        QVERIFY(!byImage.ok());
        QVERIFY2(byImage.error().contains(QStringLiteral("precomputed image features")), qPrintable(byImage.error()));
        Result<SearchResult> byItem = searchByItem(model.value(), 0, SearchDirection::ImageToText, 5);
        QVERIFY2(byItem.ok(), qPrintable(byItem.error()));
        QCOMPARE(byItem->hits.size(), size_t(5));

        // The model file keeps what evaluation of the feature dataset needs.
        const QString modelPath = m_folder.filePath(QStringLiteral("features.esafh"));
        Status saved = saveModelFile(model.value(), modelPath);
        QVERIFY2(saved.ok(), qPrintable(saved.error()));
        Result<TrainedModel> loaded = loadModelFile(modelPath);
        QVERIFY2(loaded.ok(), qPrintable(loaded.error()));
        Result<RetrievalScores> scores = evaluateModel(loaded.value(), prepared.value(), settings.mapK);
        QVERIFY2(scores.ok(), qPrintable(scores.error()));
        QCOMPARE(scores->imageToTextAll, model->scores.imageToTextAll);
        QCOMPARE(scores->textToImageAtK, model->scores.textToImageAtK);
    }

    void textOnlyDatasetIsRejected()
    {
        const QString path = m_folder.filePath(QStringLiteral("text-only.json"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(R"({"format": "esafh-feature-dataset", "version": 1,
                       "textFeatures": {"file": "texts.npy", "items": "rows"},
                       "labels": {"file": "labels.npy", "items": "rows"}})");
        file.close();

        Result<PreparedDataset> prepared = prepareDataset(quickSettings(path));
        QVERIFY(!prepared.ok());
        QVERIFY2(prepared.error().contains(QStringLiteral("text features only")), qPrintable(prepared.error()));
        QVERIFY2(prepared.error().contains(QStringLiteral("imageFeatures")), qPrintable(prepared.error()));
    }

    void validationScoreMatchesDirectMap()
    {
        TrainingJobSettings settings = quickSettings(m_dataset, 3);
        settings.split.validationCount = 15;
        Result<PreparedDataset> prepared = prepareDataset(settings);
        QVERIFY2(prepared.ok(), qPrintable(prepared.error()));
        const DatasetSplit &split = prepared->dataset.split;
        QCOMPARE(split.validation.size(), size_t(15));
        for (int item : split.validation) {
            QVERIFY(std::find(split.query.begin(), split.query.end(), item) == split.query.end());
            QVERIFY(std::find(split.training.begin(), split.training.end(), item) == split.training.end());
        }

        Result<TrainedModel> model = trainModel(prepared.value(), settings);
        QVERIFY2(model.ok(), qPrintable(model.error()));

        // The hook's score is the mean of i2t and t2i mAP@all of validation items
        // against the training items, computed here without the helper.
        const Dataset &dataset = prepared->dataset;
        FeatureMatrix validationImages(Eigen::Index(split.validation.size()), prepared->imageFeatures.features.cols());
        FeatureMatrix validationTexts(Eigen::Index(split.validation.size()), prepared->textFeatures.cols());
        for (size_t i = 0; i < split.validation.size(); ++i) {
            validationImages.row(Eigen::Index(i)) = prepared->imageFeatures.features.row(split.validation[i]);
            validationTexts.row(Eigen::Index(i)) = prepared->textFeatures.row(split.validation[i]);
        }
        FeatureMatrix trainingImages(Eigen::Index(split.training.size()), prepared->imageFeatures.features.cols());
        FeatureMatrix trainingTexts(Eigen::Index(split.training.size()), prepared->textFeatures.cols());
        for (size_t i = 0; i < split.training.size(); ++i) {
            trainingImages.row(Eigen::Index(i)) = prepared->imageFeatures.features.row(split.training[i]);
            trainingTexts.row(Eigen::Index(i)) = prepared->textFeatures.row(split.training[i]);
        }
        const HashModel &hashModel = *model->hashModel;
        const double imageToText = meanAveragePrecision(hashModel.encodeImages(validationImages), hashModel.encodeTexts(trainingTexts),
                                                        dataset.labelsOf(split.validation), dataset.labelsOf(split.training));
        const double textToImage = meanAveragePrecision(hashModel.encodeTexts(validationTexts), hashModel.encodeImages(trainingImages),
                                                        dataset.labelsOf(split.validation), dataset.labelsOf(split.training));
        QCOMPARE(validationScore(hashModel, prepared.value()), (imageToText + textToImage) / 2.0);
    }

    void bestEpochHasBestValidationScore()
    {
        TrainingJobSettings settings = quickSettings(m_dataset, 4);
        settings.split.validationCount = 15;
        Result<PreparedDataset> prepared = prepareDataset(settings);
        QVERIFY2(prepared.ok(), qPrintable(prepared.error()));
        Result<TrainedModel> model = trainModel(prepared.value(), settings);
        QVERIFY2(model.ok(), qPrintable(model.error()));

        QCOMPARE(model->epochReports.size(), size_t(4));
        int best = 0;
        for (const EpochReport &report : model->epochReports) {
            QVERIFY2(!std::isnan(report.validationScore), "every epoch is scored on the validation set");
            if (best == 0 || report.validationScore > model->epochReports[size_t(best - 1)].validationScore)
                best = report.epoch;
        }
        QCOMPARE(model->bestEpoch, best);
        // The model keeps the best epoch's state, so it scores that epoch's validation mAP.
        QCOMPARE(validationScore(*model->hashModel, prepared.value()), model->epochReports[size_t(best - 1)].validationScore);
    }

    void runRecordRoundTrip()
    {
        TrainingJobSettings settings = quickSettings(m_dataset);
        settings.split.validationCount = 10;
        settings.split.mode = SplitMode::PerLabel;
        settings.split.queriesPerLabel = 4;
        settings.split.trainingPerLabel = 15;
        settings.replaceDatasetSplit = true;
        settings.mapK = 20;
        settings.tieRule = TieRule::DatabaseIndex;
        settings.esafh.seed = 7;
        settings.split.seed = 7;

        Result<PreparedDataset> prepared = prepareDataset(settings);
        QVERIFY2(prepared.ok(), qPrintable(prepared.error()));
        QCOMPARE(prepared->dataset.split.query.size(), size_t(16));
        Result<TrainedModel> model = trainModel(prepared.value(), settings);
        QVERIFY2(model.ok(), qPrintable(model.error()));
        Result<ModelEvaluation> evaluation = evaluateModelWithCurves(model.value(), prepared.value(), settings.mapK,
                                                                     settings.tieRule, defaultCurveCutoffs(100));
        QVERIFY2(evaluation.ok(), qPrintable(evaluation.error()));
        QCOMPARE(evaluation->scores.imageToTextAll, model->scores.imageToTextAll);

        const QJsonObject json = runRecordToJson(model.value(), prepared.value(), settings, evaluation.value());
        QCOMPARE(json.value(QStringLiteral("format")).toString(), QStringLiteral("esafh-run"));
        QCOMPARE(json.value(QStringLiteral("epochs")).toArray().size(), 2);
        QCOMPARE(json.value(QStringLiteral("split")).toObject().value(QStringLiteral("validation")).toInt(), 10);
        const QJsonObject curves = json.value(QStringLiteral("curves")).toObject();
        QCOMPARE(curves.value(QStringLiteral("i2t")).toObject().value(QStringLiteral("precision_recall")).toArray().size(), 17);

        Result<RunRecord> record = runRecordFromJson(json, QStringLiteral("record.json"));
        QVERIFY2(record.ok(), qPrintable(record.error()));
        const TrainingJobSettings &read = record->settings;
        QCOMPARE(read.datasetPath, settings.datasetPath);
        QCOMPARE(read.esafh.toJson(), settings.esafh.toJson());
        QCOMPARE(read.split.mode, SplitMode::PerLabel);
        QCOMPARE(read.split.seed, quint64(7));
        QCOMPARE(read.split.queriesPerLabel, 4);
        QCOMPARE(read.split.trainingPerLabel, 15);
        QCOMPARE(read.split.validationCount, 10);
        QVERIFY(read.replaceDatasetSplit);
        QCOMPARE(read.mapK, 20);
        QCOMPARE(read.tieRule, TieRule::DatabaseIndex);
        QCOMPARE(record->scores.imageToTextAll, model->scores.imageToTextAll);
        QCOMPARE(record->scores.textToImageAtK, model->scores.textToImageAtK);

        // Training again from the record reproduces the scores: one CPU thread and the same seeds.
        Result<PreparedDataset> again = prepareDataset(read);
        QVERIFY2(again.ok(), qPrintable(again.error()));
        QCOMPARE(again->dataset.split.query, prepared->dataset.split.query);
        QCOMPARE(again->dataset.split.validation, prepared->dataset.split.validation);
        Result<TrainedModel> rerun = trainModel(again.value(), read);
        QVERIFY2(rerun.ok(), qPrintable(rerun.error()));
        QCOMPARE(rerun->scores.imageToTextAll, record->scores.imageToTextAll);
        QCOMPARE(rerun->scores.textToImageAll, record->scores.textToImageAll);
    }

    void runRecordErrorsNameTheKey()
    {
        QJsonObject json{{QStringLiteral("format"), QStringLiteral("esafh-run")}, {QStringLiteral("version"), 1},
                         {QStringLiteral("dataset"), QStringLiteral("x.json")}};
        Result<RunRecord> missing = runRecordFromJson(json, QStringLiteral("r.json"));
        QVERIFY(!missing.ok());
        QVERIFY2(missing.error().contains(QStringLiteral("r.json")), qPrintable(missing.error()));
        QVERIFY2(missing.error().contains(QStringLiteral("\"split\"")), qPrintable(missing.error()));

        json[QStringLiteral("format")] = QStringLiteral("esafh-comparison");
        Result<RunRecord> wrongFormat = runRecordFromJson(json, QStringLiteral("r.json"));
        QVERIFY(!wrongFormat.ok());
        QVERIFY2(wrongFormat.error().contains(QStringLiteral("esafh-comparison")), qPrintable(wrongFormat.error()));

        Result<RunRecord> noFile = readRunRecord(m_folder.filePath(QStringLiteral("absent.json")));
        QVERIFY(!noFile.ok());
        QVERIFY2(noFile.error().contains(QStringLiteral("absent.json")), qPrintable(noFile.error()));
    }

    void meanAndDeviationArithmetic()
    {
        const MeanDeviation four = meanAndDeviation({1.0, 2.0, 3.0, 4.0});
        QCOMPARE(four.mean, 2.5);
        QCOMPARE(four.deviation, std::sqrt(5.0 / 3.0));
        const MeanDeviation one = meanAndDeviation({0.7});
        QCOMPARE(one.mean, 0.7);
        QCOMPARE(one.deviation, 0.0);
    }

    void comparisonWritesTheFiles()
    {
        ComparisonSettings settings;
        settings.base = quickSettings(m_dataset, 1);
        settings.base.split.validationCount = 10;
        settings.settingOverrides = QJsonObject{{QStringLiteral("batchSize"), 16}, {QStringLiteral("neighbourCount"), 5},
                                                {QStringLiteral("textHiddenUnits"), 64}, {QStringLiteral("graphUnits"), 32},
                                                {QStringLiteral("imageHiddenUnits"), 64}};
        settings.methods = {QStringLiteral("esafh"), QStringLiteral("djsrh")};
        settings.bits = {8, 16};
        settings.seeds = {1, 2};
        settings.outputDirectory = m_folder.filePath(QStringLiteral("comparison"));

        Result<QJsonObject> results = runComparison(settings);
        QVERIFY2(results.ok(), qPrintable(results.error()));
        const QDir folder(settings.outputDirectory);
        QCOMPARE(readJson(folder.filePath(QStringLiteral("results.json"))), results.value());
        QCOMPARE(results->value(QStringLiteral("format")).toString(), QStringLiteral("esafh-comparison"));
        const QJsonObject protocol = results->value(QStringLiteral("protocol")).toObject();
        QCOMPARE(protocol.value(QStringLiteral("ties")).toString(), QStringLiteral("tie-aware"));
        QCOMPARE(protocol.value(QStringLiteral("k")).toInt(), 50);
        QCOMPARE(protocol.value(QStringLiteral("queries")).toInt(), 20);
        QCOMPARE(protocol.value(QStringLiteral("validation")).toInt(), 10);
        QCOMPARE(protocol.value(QStringLiteral("training")).toInt(), 90);

        const QJsonArray rows = results->value(QStringLiteral("rows")).toArray();
        QCOMPARE(rows.size(), 4);
        for (const QJsonValue &value : rows) {
            const QJsonObject row = value.toObject();
            QCOMPARE(row.value(QStringLiteral("seeds")).toInt(), 2);
            const QJsonArray runs = row.value(QStringLiteral("runs")).toArray();
            QCOMPARE(runs.size(), 2);

            // The row's mean and deviation are those of its run records' scores.
            for (const QString &measure : {QStringLiteral("map_all"), QStringLiteral("map_at_k")}) {
                for (const QString &direction : {QStringLiteral("i2t"), QStringLiteral("t2i")}) {
                    std::vector<double> values;
                    for (const QJsonValue &run : runs) {
                        const QJsonObject record = readJson(folder.filePath(run.toString()));
                        QCOMPARE(record.value(QStringLiteral("method")).toString(), row.value(QStringLiteral("method")).toString());
                        QCOMPARE(record.value(QStringLiteral("bits")).toInt(), row.value(QStringLiteral("bits")).toInt());
                        values.push_back(record.value(QStringLiteral("scores")).toObject().value(measure).toObject().value(direction).toDouble(-1));
                    }
                    QCOMPARE(values.size(), size_t(2));
                    const double mean = (values[0] + values[1]) / 2.0;
                    const double deviation = std::abs(values[0] - values[1]) / std::sqrt(2.0);
                    const QJsonObject summary = row.value(measure).toObject().value(direction).toObject();
                    QVERIFY(qFuzzyCompare(1.0 + summary.value(QStringLiteral("mean")).toDouble(), 1.0 + mean));
                    QVERIFY(qFuzzyCompare(1.0 + summary.value(QStringLiteral("std")).toDouble(), 1.0 + deviation));
                }
            }
        }
        QCOMPARE(folder.entryList({QStringLiteral("*.json")}, QDir::Files, QDir::Name).size(), 1);
        QCOMPARE(QDir(folder.filePath(QStringLiteral("runs"))).entryList(QDir::Files).size(), 8);
        QVERIFY(QFile::exists(folder.filePath(QStringLiteral("runs/djsrh-16-seed2.json"))));
        QCOMPARE(results->value(QStringLiteral("curves")).toArray().size(), 16);

        QFile csv(folder.filePath(QStringLiteral("results.csv")));
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const QStringList lines = QString::fromUtf8(csv.readAll()).trimmed().split(QLatin1Char('\n'));
        QCOMPARE(lines.size(), 5);
        const QStringList header = lines.first().split(QLatin1Char(','));
        QCOMPARE(header.mid(0, 4), (QStringList{QStringLiteral("method"), QStringLiteral("variant"), QStringLiteral("bits"), QStringLiteral("seeds")}));
        QCOMPARE(header.last(), QStringLiteral("map_at_k_t2i_std"));
        QVERIFY(header.contains(QStringLiteral("map_all_i2t_mean")));
        for (const QString &line : lines)
            QCOMPARE(line.split(QLatin1Char(',')).size(), header.size());
        const QStringList firstRow = lines[1].split(QLatin1Char(','));
        const QJsonObject firstSummary = rows[0].toObject().value(QStringLiteral("map_all")).toObject().value(QStringLiteral("i2t")).toObject();
        QCOMPARE(firstRow[header.indexOf(QStringLiteral("map_all_i2t_mean"))].toDouble(), QString::number(firstSummary.value(QStringLiteral("mean")).toDouble(), 'g', 10).toDouble());

        QFile tex(folder.filePath(QStringLiteral("results.tex")));
        QVERIFY(tex.open(QIODevice::ReadOnly));
        const QString latex = QString::fromUtf8(tex.readAll());
        QVERIFY(latex.contains(QStringLiteral("\\toprule")));
        QVERIFY(latex.contains(QStringLiteral("over 2 seeds")));
        QVERIFY(latex.contains(QStringLiteral("mAP@50")));
        QCOMPARE(latex.count(QStringLiteral("$\\pm$")), 4 * 4 + 1);

        const QString table = comparisonMarkdownTable(results.value());
        QVERIFY(table.contains(QStringLiteral("| DJSRH | 16 |")));
        QVERIFY(table.contains(QStringLiteral("over 2 seeds")));
    }

    void comparisonRejectsNonEmptyFolder()
    {
        ComparisonSettings settings;
        settings.base = quickSettings(m_dataset, 1);
        settings.methods = {QStringLiteral("esafh")};
        settings.bits = {8};
        settings.seeds = {1};
        settings.outputDirectory = m_folder.filePath(QStringLiteral("occupied"));
        QVERIFY(QDir().mkpath(settings.outputDirectory + QStringLiteral("/runs")));
        QFile stale(settings.outputDirectory + QStringLiteral("/runs/stale-8-seed9.json"));
        QVERIFY(stale.open(QIODevice::WriteOnly));
        stale.close();

        Result<QJsonObject> rejected = runComparison(settings);
        QVERIFY(!rejected.ok());
        QVERIFY2(rejected.error().contains(QStringLiteral("--force")), qPrintable(rejected.error()));
        QVERIFY(QFile::exists(stale.fileName()));

        settings.overwrite = true;
        Result<QJsonObject> replaced = runComparison(settings);
        QVERIFY2(replaced.ok(), qPrintable(replaced.error()));
        QVERIFY(!QFile::exists(stale.fileName()));
        QCOMPARE(QDir(settings.outputDirectory + QStringLiteral("/runs")).entryList(QDir::Files), QStringList{QStringLiteral("esafh-8-seed1.json")});

        // One seed has no sample standard deviation, so the table shows means alone.
        const QString table = comparisonMarkdownTable(replaced.value());
        const QString row = table.section(QStringLiteral("| ESAFH | 8 |"), 1, 1).section(QLatin1Char('\n'), 0, 0);
        QVERIFY2(!row.isEmpty(), qPrintable(table));
        QVERIFY2(!row.contains(QStringLiteral("±")), qPrintable(row));
    }

    void comparisonRejectsInvalidRuns()
    {
        ComparisonSettings settings;
        settings.base = quickSettings(m_dataset, 1);
        settings.outputDirectory = m_folder.filePath(QStringLiteral("never-written"));
        settings.methods = {QStringLiteral("esafh"), QStringLiteral("cvh")};
        Result<QJsonObject> unknown = runComparison(settings);
        QVERIFY(!unknown.ok());
        QVERIFY2(unknown.error().contains(QStringLiteral("cvh")), qPrintable(unknown.error()));
        QVERIFY(!QDir(settings.outputDirectory).exists());

        Result<EsafhSettings> variant = runSettings(settings, QStringLiteral("esafh"), QStringLiteral("bits=false"), 16, 1);
        QVERIFY(!variant.ok());
        QVERIFY2(variant.error().contains(QStringLiteral("bits=false")), qPrintable(variant.error()));
        QVERIFY(ablationSwitches().contains(QStringLiteral("attentionFusion")));
    }

    void wikiFeaturesTrainEndToEnd()
    {
        const QString mat = test::wikiMat();
        if (!QFile::exists(mat))
            QSKIP(qPrintable(QStringLiteral("Wikipedia features not found at %1; skipping").arg(mat)));

        // The shipped description with the data file's absolute path.
        const QString path = test::writeWikiDescription(m_folder.path());
        QVERIFY(!path.isEmpty());

        TrainingJobSettings settings;
        settings.datasetPath = path;
        settings.esafh.bits = 32;
        settings.esafh.epochs = 10;
        settings.esafh.device = QStringLiteral("cpu");
        Result<PreparedDataset> prepared = prepareDataset(settings);
        QVERIFY2(prepared.ok(), qPrintable(prepared.error()));
        QCOMPARE(prepared->dataset.size(), 2866);
        QCOMPARE(prepared->dataset.split.query.size(), size_t(693));
        QCOMPARE(prepared->dataset.split.training.size(), size_t(2173));
        QCOMPARE(prepared->imageFeatures.features.cols(), Eigen::Index(128));
        QCOMPARE(prepared->textFeatures.cols(), Eigen::Index(100));

        Result<TrainedModel> model = trainModel(prepared.value(), settings);
        QVERIFY2(model.ok(), qPrintable(model.error()));
        // Random codes on the same split give the chance level of these ten unbalanced classes.
        std::mt19937_64 random(3);
        std::normal_distribution<float> normal;
        auto randomCodes = [&](size_t count) {
            std::vector<float> values(count * 32);
            for (float &value : values)
                value = normal(random);
            return HashCodes::fromRealValued(values.data(), int(count), 32);
        };
        const DatasetSplit &split = prepared->dataset.split;
        const double chance = meanAveragePrecision(randomCodes(split.query.size()), randomCodes(split.database.size()),
                                                   prepared->dataset.labelsOf(split.query), prepared->dataset.labelsOf(split.database));
        const QString scores = QStringLiteral("i2t %1, t2i %2, random codes %3")
                                   .arg(model->scores.imageToTextAll)
                                   .arg(model->scores.textToImageAll)
                                   .arg(chance);
        QVERIFY2(model->scores.imageToTextAll > chance + 0.03, qPrintable(scores));
        QVERIFY2(model->scores.textToImageAll > chance + 0.03, qPrintable(scores));
    }
};

QTEST_GUILESS_MAIN(TestEvaluation)
#include "pipeline_evaluation.moc"
