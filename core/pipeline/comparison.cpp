#include "pipeline/comparison.h"

#include "pipeline/run_record.h"

#include "common/logging.h"

#include <QDir>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>

#include <cmath>
#include <numeric>

namespace esafh {

namespace {

// One table row: a method or ablation variant at one code length, over the seeds.
struct RowRuns
{
    QString method;
    QString variant;
    int bits = 0;
    std::vector<RetrievalScores> scores;
    QStringList runFiles;
};

void report(const ComparisonCallbacks &callbacks, const QString &line)
{
    qCInfo(lcPipeline).noquote() << line;
    if (callbacks.onProgress)
        callbacks.onProgress(line);
}

Status writeFile(const QString &path, const QByteArray &content)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(content) != content.size() || !file.commit())
        return Status::failure(QStringLiteral("Cannot write %1: %2").arg(path, file.errorString()));
    return Status::success();
}

Status writeJson(const QString &path, const QJsonObject &json)
{
    return writeFile(path, QJsonDocument(json).toJson(QJsonDocument::Indented));
}

// Creates the output folder, or empties the results of an earlier comparison in it
// when overwriting is allowed.
Status prepareOutputFolder(const ComparisonSettings &settings)
{
    QDir folder(settings.outputDirectory);
    if (settings.outputDirectory.isEmpty())
        return Status::failure(QStringLiteral("No output folder given for the comparison."));
    if (folder.exists()) {
        const QStringList entries = folder.entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden);
        if (!entries.isEmpty() && !settings.overwrite) {
            return Status::failure(QStringLiteral("The output folder %1 is not empty (it contains %2). Choose a new folder, "
                                                  "or pass --force to replace the results in it.")
                                       .arg(settings.outputDirectory, entries.mid(0, 5).join(QStringLiteral(", "))));
        }
        for (const QString &name : {QStringLiteral("results.json"), QStringLiteral("results.csv"), QStringLiteral("results.tex")})
            folder.remove(name);
        QDir runs(folder.filePath(QStringLiteral("runs")));
        for (const QString &name : runs.entryList({QStringLiteral("*.json")}, QDir::Files))
            runs.remove(name);
    }
    if (!folder.mkpath(QStringLiteral("runs")))
        return Status::failure(QStringLiteral("Cannot create the folder %1.").arg(folder.filePath(QStringLiteral("runs"))));
    return Status::success();
}

QJsonObject meanDeviationJson(const std::vector<double> &values)
{
    const MeanDeviation summary = meanAndDeviation(values);
    QJsonObject json;
    json[QStringLiteral("mean")] = summary.mean;
    json[QStringLiteral("std")] = summary.deviation;
    return json;
}

QJsonObject directionsJson(const std::vector<RetrievalScores> &scores, bool atK)
{
    std::vector<double> imageToText;
    std::vector<double> textToImage;
    for (const RetrievalScores &score : scores) {
        imageToText.push_back(atK ? score.imageToTextAtK : score.imageToTextAll);
        textToImage.push_back(atK ? score.textToImageAtK : score.textToImageAll);
    }
    QJsonObject json;
    json[QStringLiteral("i2t")] = meanDeviationJson(imageToText);
    json[QStringLiteral("t2i")] = meanDeviationJson(textToImage);
    return json;
}

QJsonObject rowJson(const RowRuns &row)
{
    QJsonObject json;
    json[QStringLiteral("method")] = row.method;
    json[QStringLiteral("variant")] = row.variant;
    json[QStringLiteral("bits")] = row.bits;
    json[QStringLiteral("seeds")] = static_cast<int>(row.scores.size());
    json[QStringLiteral("map_all")] = directionsJson(row.scores, false);
    json[QStringLiteral("map_at_k")] = directionsJson(row.scores, true);
    json[QStringLiteral("runs")] = QJsonArray::fromStringList(row.runFiles);
    return json;
}

QJsonArray curveEntries(const QString &method, const QString &variant, int bits, quint64 seed, const QJsonObject &curves)
{
    QJsonArray entries;
    for (const QString &direction : {QStringLiteral("i2t"), QStringLiteral("t2i")}) {
        const QJsonObject curve = curves.value(direction).toObject();
        QJsonObject entry;
        entry[QStringLiteral("method")] = method;
        entry[QStringLiteral("variant")] = variant;
        entry[QStringLiteral("bits")] = bits;
        entry[QStringLiteral("seed")] = static_cast<double>(seed);
        entry[QStringLiteral("direction")] = direction;
        entry[QStringLiteral("precision_recall")] = curve.value(QStringLiteral("precision_recall"));
        entry[QStringLiteral("precision_at_k")] = curve.value(QStringLiteral("precision_at_k"));
        entries.append(entry);
    }
    return entries;
}

QJsonObject protocolJson(const ComparisonSettings &settings, const QJsonObject &split)
{
    QJsonObject protocol;
    protocol[QStringLiteral("ranking")] = QStringLiteral("Hamming distance");
    protocol[QStringLiteral("ties")] = tieRuleProtocolName(settings.base.tieRule);
    protocol[QStringLiteral("relevance")] = QStringLiteral("shares a label");
    protocol[QStringLiteral("k")] = settings.base.mapK;
    protocol[QStringLiteral("split")] = split.value(QStringLiteral("mode"));
    protocol[QStringLiteral("split_source")] = split.value(QStringLiteral("source"));
    for (const QString &key : {QStringLiteral("queries"), QStringLiteral("database"), QStringLiteral("training"), QStringLiteral("validation")})
        protocol[key] = split.value(key);
    return protocol;
}

QString csvField(QString text)
{
    if (text.contains(QLatin1Char(',')) || text.contains(QLatin1Char('"')) || text.contains(QLatin1Char('\n')))
        return QLatin1Char('"') + text.replace(QLatin1Char('"'), QStringLiteral("\"\"")) + QLatin1Char('"');
    return text;
}

QString number(double value)
{
    return QString::number(value, 'g', 10);
}

QByteArray csvContent(const QJsonObject &results)
{
    const QJsonObject protocol = results.value(QStringLiteral("protocol")).toObject();
    QStringList lines = {QStringLiteral("method,variant,bits,seeds,ranking,ties,relevance,k,split,queries,database,training,validation,"
                                        "map_all_i2t_mean,map_all_i2t_std,map_all_t2i_mean,map_all_t2i_std,"
                                        "map_at_k_i2t_mean,map_at_k_i2t_std,map_at_k_t2i_mean,map_at_k_t2i_std")};
    for (const QJsonValue &value : results.value(QStringLiteral("rows")).toArray()) {
        const QJsonObject row = value.toObject();
        QStringList fields = {csvField(row.value(QStringLiteral("method")).toString()),
                              csvField(row.value(QStringLiteral("variant")).toString()),
                              QString::number(row.value(QStringLiteral("bits")).toInt()),
                              QString::number(row.value(QStringLiteral("seeds")).toInt()),
                              csvField(protocol.value(QStringLiteral("ranking")).toString()),
                              csvField(protocol.value(QStringLiteral("ties")).toString()),
                              csvField(protocol.value(QStringLiteral("relevance")).toString()),
                              QString::number(protocol.value(QStringLiteral("k")).toInt()),
                              csvField(protocol.value(QStringLiteral("split")).toString()),
                              QString::number(protocol.value(QStringLiteral("queries")).toInt()),
                              QString::number(protocol.value(QStringLiteral("database")).toInt()),
                              QString::number(protocol.value(QStringLiteral("training")).toInt()),
                              QString::number(protocol.value(QStringLiteral("validation")).toInt())};
        for (const QString &measure : {QStringLiteral("map_all"), QStringLiteral("map_at_k")}) {
            for (const QString &direction : {QStringLiteral("i2t"), QStringLiteral("t2i")}) {
                const QJsonObject summary = row.value(measure).toObject().value(direction).toObject();
                fields << number(summary.value(QStringLiteral("mean")).toDouble())
                       << number(summary.value(QStringLiteral("std")).toDouble());
            }
        }
        lines.append(fields.join(QLatin1Char(',')));
    }
    return (lines.join(QLatin1Char('\n')) + QLatin1Char('\n')).toUtf8();
}

QString latexEscaped(QString text)
{
    text.replace(QLatin1Char('\\'), QStringLiteral("\\textbackslash{}"));
    for (const char *special : {"&", "%", "$", "#", "_", "{", "}"})
        text.replace(QLatin1String(special), QLatin1Char('\\') + QLatin1String(special));
    return text;
}

/// Writes "mean ± std", or the mean alone for one seed, whose sample standard
/// deviation is undefined.
QString meanDeviationText(const QJsonObject &summary, const QString &separator, int seeds)
{
    if (seeds < 2)
        return QString::number(summary.value(QStringLiteral("mean")).toDouble(), 'f', 3);
    return QStringLiteral("%1%2%3")
        .arg(summary.value(QStringLiteral("mean")).toDouble(), 0, 'f', 3)
        .arg(separator)
        .arg(summary.value(QStringLiteral("std")).toDouble(), 0, 'f', 3);
}

QString methodLabel(const QJsonObject &row)
{
    const QString method = row.value(QStringLiteral("method")).toString().toUpper();
    const QString variant = row.value(QStringLiteral("variant")).toString();
    return variant.isEmpty() ? method : QStringLiteral("%1 (%2)").arg(method, variant);
}

QString seedCountText(const QJsonObject &results)
{
    const int seeds = results.value(QStringLiteral("seeds")).toArray().size();
    return seeds == 1 ? QStringLiteral("1 seed") : QStringLiteral("%1 seeds").arg(seeds);
}

QString protocolSentence(const QJsonObject &results)
{
    const QJsonObject protocol = results.value(QStringLiteral("protocol")).toObject();
    const QString split = protocol.value(QStringLiteral("split_source")).toString() == QStringLiteral("dataset")
                              ? QStringLiteral("the dataset's own split")
                              : QStringLiteral("%1 split drawn per seed").arg(protocol.value(QStringLiteral("split")).toString());
    return QStringLiteral("Hamming ranking, relevant when sharing a label, %1 ties, K = %2; %3, %4 queries, "
                          "%5 database items, %6 training items, %7 validation items; %8 epochs; mean ± sample standard "
                          "deviation over %9.")
        .arg(protocol.value(QStringLiteral("ties")).toString())
        .arg(protocol.value(QStringLiteral("k")).toInt())
        .arg(split)
        .arg(protocol.value(QStringLiteral("queries")).toInt())
        .arg(protocol.value(QStringLiteral("database")).toInt())
        .arg(protocol.value(QStringLiteral("training")).toInt())
        .arg(protocol.value(QStringLiteral("validation")).toInt())
        .arg(results.value(QStringLiteral("epochs")).toInt())
        .arg(seedCountText(results));
}

QByteArray latexContent(const QJsonObject &results)
{
    const QJsonObject protocol = results.value(QStringLiteral("protocol")).toObject();
    const int k = protocol.value(QStringLiteral("k")).toInt();
    QStringList lines;
    lines << QStringLiteral("% Requires \\usepackage{booktabs}.")
          << QStringLiteral("\\begin{table}")
          << QStringLiteral("\\centering")
          << QStringLiteral("\\caption{mAP of Hamming ranking on %1 (relevant: shares a label; %2 ties; mAP@%3), "
                            "mean $\\pm$ sample standard deviation over %4.}")
                 .arg(latexEscaped(results.value(QStringLiteral("dataset_name")).toString()),
                      latexEscaped(protocol.value(QStringLiteral("ties")).toString()))
                 .arg(k)
                 .arg(seedCountText(results))
          << QStringLiteral("\\begin{tabular}{lrcccc}")
          << QStringLiteral("\\toprule")
          << QStringLiteral("Method & Bits & mAP@all I$\\to$T & mAP@all T$\\to$I & mAP@%1 I$\\to$T & mAP@%1 T$\\to$I \\\\").arg(k)
          << QStringLiteral("\\midrule");
    for (const QJsonValue &value : results.value(QStringLiteral("rows")).toArray()) {
        const QJsonObject row = value.toObject();
        QStringList cells = {latexEscaped(methodLabel(row)), QString::number(row.value(QStringLiteral("bits")).toInt())};
        for (const QString &measure : {QStringLiteral("map_all"), QStringLiteral("map_at_k")}) {
            for (const QString &direction : {QStringLiteral("i2t"), QStringLiteral("t2i")})
                cells << meanDeviationText(row.value(measure).toObject().value(direction).toObject(), QStringLiteral(" $\\pm$ "),
                                           row.value(QStringLiteral("seeds")).toInt());
        }
        lines << cells.join(QStringLiteral(" & ")) + QStringLiteral(" \\\\");
    }
    lines << QStringLiteral("\\bottomrule") << QStringLiteral("\\end{tabular}") << QStringLiteral("\\end{table}");
    return (lines.join(QLatin1Char('\n')) + QLatin1Char('\n')).toUtf8();
}

QString runFileName(const QString &method, const QString &variant, int bits, quint64 seed)
{
    const QString name = variant.isEmpty() ? method : QStringLiteral("%1-%2").arg(method, variant);
    return QStringLiteral("runs/%1-%2-seed%3.json").arg(name).arg(bits).arg(seed);
}

} // namespace

QStringList ablationSwitches()
{
    const QJsonObject defaults = EsafhSettings().toJson();
    QStringList switches;
    for (const QString &key : {QStringLiteral("neighbourEnrichment"), QStringLiteral("learnedTextEncoder"),
                               QStringLiteral("crossModalTerm"), QStringLiteral("neighbourCoherence"),
                               QStringLiteral("attentionFusion")}) {
        if (defaults.value(key).isBool())
            switches.append(key);
    }
    return switches;
}

MeanDeviation meanAndDeviation(const std::vector<double> &values)
{
    MeanDeviation summary;
    if (values.empty())
        return summary;
    const double count = static_cast<double>(values.size());
    summary.mean = std::accumulate(values.begin(), values.end(), 0.0) / count;
    if (values.size() > 1) {
        double squares = 0;
        for (double value : values)
            squares += (value - summary.mean) * (value - summary.mean);
        summary.deviation = std::sqrt(squares / (count - 1));
    }
    return summary;
}

Result<EsafhSettings> runSettings(const ComparisonSettings &settings, const QString &method, const QString &variant,
                                  int bits, quint64 seed)
{
    Result<EsafhSettings> defaults = EsafhSettings::forMethod(method);
    if (!defaults)
        return defaults;

    QJsonObject json = defaults->toJson();
    for (auto it = settings.settingOverrides.begin(); it != settings.settingOverrides.end(); ++it)
        json[it.key()] = it.value();
    if (!variant.isEmpty()) {
        const QString key = variant.section(QLatin1Char('='), 0, 0);
        const QString value = variant.section(QLatin1Char('='), 1);
        if (!json.value(key).isBool() || (value != QStringLiteral("true") && value != QStringLiteral("false")))
            return Result<EsafhSettings>::failure(QStringLiteral("Invalid ablation variant \"%1\": expected a boolean setting as KEY=true or KEY=false.").arg(variant));
        json[key] = value == QStringLiteral("true");
    }
    json[QStringLiteral("bits")] = bits;
    json[QStringLiteral("seed")] = static_cast<double>(seed);
    json[QStringLiteral("epochs")] = settings.base.esafh.epochs;
    json[QStringLiteral("device")] = settings.base.esafh.device;
    json[QStringLiteral("threads")] = settings.base.esafh.threads;
    return EsafhSettings::fromJson(json);
}

Result<QJsonObject> runComparison(const ComparisonSettings &settings, const ComparisonCallbacks &callbacks)
{
    using JsonResult = Result<QJsonObject>;
    if (settings.methods.isEmpty() || settings.bits.empty() || settings.seeds.empty())
        return JsonResult::failure(QStringLiteral("A comparison needs at least one method, one code length and one seed."));

    // Every run's settings are checked before any training starts.
    struct Variant
    {
        QString method;
        QString variant;
    };
    std::vector<Variant> variants;
    for (const QString &method : settings.methods)
        variants.push_back({method, QString()});
    if (settings.ablations) {
        const QJsonObject defaults = EsafhSettings().toJson();
        for (const QString &key : ablationSwitches())
            variants.push_back({QStringLiteral("esafh"), QStringLiteral("%1=%2").arg(key, defaults.value(key).toBool() ? QStringLiteral("false") : QStringLiteral("true"))});
    }
    for (const Variant &variant : variants) {
        for (int bits : settings.bits) {
            Result<EsafhSettings> checked = runSettings(settings, variant.method, variant.variant, bits, settings.seeds.front());
            if (!checked)
                return JsonResult::failure(checked.error());
        }
    }
    if (Status folder = prepareOutputFolder(settings); !folder)
        return JsonResult::failure(folder.error());

    TrainingJobSettings jobSettings = settings.base;
    jobSettings.split.seed = settings.seeds.front();
    TrainingJobCallbacks jobCallbacks;
    jobCallbacks.onStage = [&callbacks](const QString &stage) { report(callbacks, stage); };
    jobCallbacks.cancel = callbacks.cancel;
    Result<PreparedDataset> prepared = prepareDataset(jobSettings, jobCallbacks);
    if (!prepared)
        return JsonResult::failure(prepared.error());
    // Later runs report only their summary line.
    jobCallbacks.onStage = nullptr;

    std::vector<RowRuns> rows;
    for (const Variant &variant : variants) {
        for (int bits : settings.bits)
            rows.push_back({variant.method, variant.variant, bits, {}, {}});
    }

    const QDir folder(settings.outputDirectory);
    QJsonArray curves;
    QJsonObject firstSplit;
    const int runCount = static_cast<int>(rows.size() * settings.seeds.size());
    int runNumber = 0;
    for (quint64 seed : settings.seeds) {
        jobSettings.split.seed = seed;
        if (Status resplit = resplitPreparedDataset(&prepared.value(), jobSettings); !resplit)
            return JsonResult::failure(resplit.error());
        if (firstSplit.isEmpty())
            firstSplit = splitToJson(jobSettings, prepared.value());

        for (RowRuns &row : rows) {
            ++runNumber;
            Result<EsafhSettings> esafh = runSettings(settings, row.method, row.variant, row.bits, seed);
            if (!esafh)
                return JsonResult::failure(esafh.error());
            jobSettings.esafh = esafh.value();

            const QString label = QStringLiteral("[%1/%2] %3%4 at %5 bits, seed %6")
                                      .arg(runNumber)
                                      .arg(runCount)
                                      .arg(row.method, row.variant.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(row.variant))
                                      .arg(row.bits)
                                      .arg(seed);
            report(callbacks, label + QStringLiteral(": training"));
            QElapsedTimer timer;
            timer.start();
            Result<TrainedModel> model = trainModel(prepared.value(), jobSettings, jobCallbacks);
            if (!model)
                return JsonResult::failure(QStringLiteral("%1 failed: %2").arg(label, model.error()));
            Result<ModelEvaluation> evaluation =
                evaluateModelWithCurves(model.value(), prepared.value(), jobSettings.mapK, jobSettings.tieRule,
                                        defaultCurveCutoffs(static_cast<int>(prepared->dataset.split.database.size())));
            if (!evaluation)
                return JsonResult::failure(QStringLiteral("%1 failed: %2").arg(label, evaluation.error()));

            const QJsonObject record = runRecordToJson(model.value(), prepared.value(), jobSettings, evaluation.value());
            const QString runFile = runFileName(row.method, row.variant, row.bits, seed);
            if (Status written = writeJson(folder.filePath(runFile), record); !written)
                return JsonResult::failure(written.error());
            row.scores.push_back(evaluation->scores);
            row.runFiles.append(runFile);
            for (const QJsonValue &entry : curveEntries(row.method, row.variant, row.bits, seed, record.value(QStringLiteral("curves")).toObject()))
                curves.append(entry);

            const RetrievalScores &scores = evaluation->scores;
            report(callbacks, QStringLiteral("%1: mAP@all i2t %2, t2i %3; mAP@%4 i2t %5, t2i %6; best epoch %7; %8 s")
                                  .arg(label)
                                  .arg(scores.imageToTextAll, 0, 'f', 4)
                                  .arg(scores.textToImageAll, 0, 'f', 4)
                                  .arg(scores.k)
                                  .arg(scores.imageToTextAtK, 0, 'f', 4)
                                  .arg(scores.textToImageAtK, 0, 'f', 4)
                                  .arg(model->bestEpoch)
                                  .arg(timer.elapsed() / 1000.0, 0, 'f', 1));
        }
    }

    QJsonArray seeds;
    for (quint64 seed : settings.seeds)
        seeds.append(static_cast<double>(seed));
    QJsonArray rowArray;
    for (const RowRuns &row : rows)
        rowArray.append(rowJson(row));

    QJsonObject results;
    results[QStringLiteral("format")] = QStringLiteral("esafh-comparison");
    results[QStringLiteral("version")] = 1;
    results[QStringLiteral("dataset")] = settings.base.datasetPath;
    results[QStringLiteral("dataset_name")] = prepared->dataset.name;
    results[QStringLiteral("protocol")] = protocolJson(settings, firstSplit);
    results[QStringLiteral("seeds")] = seeds;
    results[QStringLiteral("epochs")] = settings.base.esafh.epochs;
    results[QStringLiteral("backbone")] = prepared->precomputedFeatures ? QStringLiteral("precomputed features")
                                                                        : prepared->imageFeatures.backbone.toString();
    results[QStringLiteral("image_features")] = prepared->imageFeatures.extractorIdentity;
    results[QStringLiteral("rows")] = rowArray;
    results[QStringLiteral("curves")] = curves;

    if (Status written = writeJson(folder.filePath(QStringLiteral("results.json")), results); !written)
        return JsonResult::failure(written.error());
    if (Status written = writeFile(folder.filePath(QStringLiteral("results.csv")), csvContent(results)); !written)
        return JsonResult::failure(written.error());
    if (Status written = writeFile(folder.filePath(QStringLiteral("results.tex")), latexContent(results)); !written)
        return JsonResult::failure(written.error());
    return results;
}

QString comparisonMarkdownTable(const QJsonObject &results)
{
    const int k = results.value(QStringLiteral("protocol")).toObject().value(QStringLiteral("k")).toInt();
    QStringList lines;
    lines << QStringLiteral("| Method | Bits | mAP@all i2t | mAP@all t2i | mAP@%1 i2t | mAP@%1 t2i |").arg(k)
          << QStringLiteral("|---|---:|---:|---:|---:|---:|");
    for (const QJsonValue &value : results.value(QStringLiteral("rows")).toArray()) {
        const QJsonObject row = value.toObject();
        QStringList cells = {methodLabel(row), QString::number(row.value(QStringLiteral("bits")).toInt())};
        for (const QString &measure : {QStringLiteral("map_all"), QStringLiteral("map_at_k")}) {
            for (const QString &direction : {QStringLiteral("i2t"), QStringLiteral("t2i")})
                cells << meanDeviationText(row.value(measure).toObject().value(direction).toObject(), QStringLiteral(" ± "),
                                           row.value(QStringLiteral("seeds")).toInt());
        }
        lines << QStringLiteral("| %1 |").arg(cells.join(QStringLiteral(" | ")));
    }
    lines << QString()
          << QStringLiteral("%1: %2").arg(results.value(QStringLiteral("dataset_name")).toString(), protocolSentence(results));
    return lines.join(QLatin1Char('\n'));
}

} // namespace esafh
