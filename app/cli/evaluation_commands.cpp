#include "commands.h"

#include "console.h"
#include "options.h"

#include "pipeline/comparison.h"
#include "pipeline/run_record.h"

#include <QDir>
#include <QFileInfo>

#include <algorithm>

namespace esafh::cli {

namespace {

QString scoreLine(const QString &name, double recorded, double measured)
{
    return QStringLiteral("%1  %2  %3  %4")
        .arg(name, -14)
        .arg(recorded, 8, 'f', 4)
        .arg(measured, 8, 'f', 4)
        .arg(measured - recorded, 9, 'f', 4);
}

std::vector<int> parseIntegerList(const QString &text, bool *ok)
{
    std::vector<int> values;
    *ok = !text.trimmed().isEmpty();
    for (const QString &part : text.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        bool partOk = false;
        const int value = part.trimmed().toInt(&partOk);
        if (!partOk || value < 0) {
            *ok = false;
            return {};
        }
        values.push_back(value);
    }
    return values;
}

} // namespace

int runRerun(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Train again from a run record (the dataset, seed, split, settings and "
                                                    "backbone it names) and print the recorded and the new scores."));
    parser.addHelpOption();
    parser.addPositionalArgument(QStringLiteral("RECORD"), QStringLiteral("Run record written by train or compare."));
    parser.addOption({QStringLiteral("output"),
                      QStringLiteral("Folder to write the new run record into, under the record's file name."), QStringLiteral("DIR")});
    parser.addOption({QStringLiteral("dataset"),
                      QStringLiteral("Dataset to use instead of the path in the record, for a record made on another machine."),
                      QStringLiteral("PATH")});
    parser.addOption({QStringLiteral("cache-dir"), QStringLiteral("Folder of the image feature cache (default: the user's cache folder)."), QStringLiteral("DIR")});
    if (!parser.parse(arguments))
        return usageError(parser.errorText());
    if (parser.isSet(QStringLiteral("help"))) {
        QString help = parser.helpText();
        help.replace(help.section(QLatin1Char('\n'), 0, 0), QStringLiteral("Usage: esafh-cli rerun [options] RECORD"));
        printLine(help.trimmed());
        return ExitSuccess;
    }
    if (parser.positionalArguments().size() != 1)
        return usageError(QStringLiteral("Give exactly one run record: esafh-cli rerun RECORD.json."));

    const QString recordPath = parser.positionalArguments().first();
    Result<RunRecord> record = readRunRecord(recordPath);
    if (!record) {
        printError(record.error());
        return ExitFailure;
    }
    TrainingJobSettings settings = record->settings;
    if (parser.isSet(QStringLiteral("dataset")))
        settings.datasetPath = parser.value(QStringLiteral("dataset"));
    settings.featureCacheDirectory = parser.value(QStringLiteral("cache-dir"));

    QString outputPath;
    if (parser.isSet(QStringLiteral("output"))) {
        const QDir folder(parser.value(QStringLiteral("output")));
        if (!folder.exists() && !QDir().mkpath(folder.path())) {
            printError(QStringLiteral("Cannot create the folder %1.").arg(folder.path()));
            return ExitFailure;
        }
        outputPath = folder.filePath(QFileInfo(recordPath).fileName());
        if (QFileInfo(outputPath).absoluteFilePath() == QFileInfo(recordPath).absoluteFilePath() || QFileInfo::exists(outputPath))
            return usageError(QStringLiteral("%1 already exists: choose another --output folder.").arg(outputPath));
    }

    printError(QStringLiteral("Running %1 again: %2 at %3 bits, %4 epochs, seed %5 on %6")
                   .arg(recordPath, settings.esafh.method)
                   .arg(settings.esafh.bits)
                   .arg(settings.esafh.epochs)
                   .arg(settings.esafh.seed)
                   .arg(settings.datasetPath));
    const TrainingJobCallbacks callbacks = terminalCallbacks();
    Result<PreparedDataset> prepared = prepareDataset(settings, callbacks);
    if (!prepared) {
        printError(prepared.error());
        return ExitFailure;
    }
    printDatasetSummary(prepared.value());
    const QString recordedFeatures = record->json.value(QStringLiteral("image_features")).toString();
    if (!recordedFeatures.isEmpty() && recordedFeatures != prepared->imageFeatures.extractorIdentity) {
        printError(QStringLiteral("Warning: the record's image features were \"%1\", these are \"%2\"; the scores may differ.")
                       .arg(recordedFeatures, prepared->imageFeatures.extractorIdentity));
    }

    Result<TrainedModel> model = trainModel(prepared.value(), settings, callbacks);
    if (!model) {
        printError(model.error());
        return ExitFailure;
    }
    if (!outputPath.isEmpty()) {
        if (int code = writeRunRecord(model.value(), prepared.value(), settings, outputPath); code != ExitSuccess)
            return code;
    }

    const RetrievalScores &before = record->scores;
    const RetrievalScores &after = model->scores;
    printLine(QStringLiteral("%1  %2  %3  %4").arg(QString(), -14).arg(QStringLiteral("recorded"), 8).arg(QStringLiteral("rerun"), 8).arg(QStringLiteral("difference"), 9));
    printLine(scoreLine(QStringLiteral("mAP@all i2t"), before.imageToTextAll, after.imageToTextAll));
    printLine(scoreLine(QStringLiteral("mAP@all t2i"), before.textToImageAll, after.textToImageAll));
    printLine(scoreLine(QStringLiteral("mAP@%1 i2t").arg(after.k), before.imageToTextAtK, after.imageToTextAtK));
    printLine(scoreLine(QStringLiteral("mAP@%1 t2i").arg(after.k), before.textToImageAtK, after.textToImageAtK));
    printLine(QStringLiteral("best epoch: recorded %1, rerun %2").arg(record->bestEpoch).arg(model->bestEpoch));
    return ExitSuccess;
}

int runCompare(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Train every method at every code length and seed on one dataset and "
                                                    "write results.json, results.csv, results.tex and runs/ into --output "
                                                    "(docs/evaluation.md). Progress goes to standard error and the table "
                                                    "of mean ± standard deviation to standard output."));
    parser.addHelpOption();
    addDatasetOptions(&parser);
    addBackboneOptions(&parser);
    parser.addOption({QStringLiteral("methods"),
                      QStringLiteral("Comma-separated methods (default %1).").arg(EsafhSettings::methodNames().join(QLatin1Char(','))),
                      QStringLiteral("LIST"), EsafhSettings::methodNames().join(QLatin1Char(','))});
    parser.addOption({QStringLiteral("bits"), QStringLiteral("Comma-separated code lengths (default 32,64)."), QStringLiteral("LIST"), QStringLiteral("32,64")});
    parser.addOption({QStringLiteral("seeds"), QStringLiteral("Number of seeds, 1 to N (default 3)."), QStringLiteral("N"), QStringLiteral("3")});
    parser.addOption({QStringLiteral("epochs"), QStringLiteral("Training epochs of every run (default 50)."), QStringLiteral("N"), QStringLiteral("50")});
    parser.addOption({QStringLiteral("ablations"), QStringLiteral("Add ESAFH rows with each ablation switch flipped.")});
    parser.addOption({QStringLiteral("set"), QStringLiteral("Set one training setting for every run (KEY=VALUE); repeatable."), QStringLiteral("KEY=VALUE")});
    parser.addOption({QStringLiteral("device"), QStringLiteral("auto, cpu or cuda (default auto)."), QStringLiteral("DEVICE"), QStringLiteral("auto")});
    parser.addOption({QStringLiteral("threads"), QStringLiteral("CPU threads for LibTorch (default 0: chosen by batch size)."), QStringLiteral("N"), QStringLiteral("0")});
    parser.addOption({QStringLiteral("k"), QStringLiteral("K of mAP@K (default 50)."), QStringLiteral("K"), QStringLiteral("50")});
    parser.addOption({QStringLiteral("ties"),
                      QStringLiteral("\"tie-aware\" (default) or \"index\" (ties by database index)."), QStringLiteral("RULE"), QStringLiteral("tie-aware")});
    parser.addOption({QStringLiteral("output"), QStringLiteral("Folder for the results; it must be new or empty unless --force."), QStringLiteral("DIR")});
    parser.addOption({QStringLiteral("force"), QStringLiteral("Replace the results and run records already in --output.")});
    if (std::optional<int> exitCode = parseArguments(&parser, arguments))
        return *exitCode;

    ComparisonSettings settings;
    if (int code = readDatasetOptions(parser, &settings.base); code != ExitSuccess)
        return code;
    if (int code = readBackboneOptions(parser, &settings.base.backbone); code != ExitSuccess)
        return code;
    if (int code = readTieRule(parser, &settings.base.tieRule); code != ExitSuccess)
        return code;
    if (int code = readInt(parser, QStringLiteral("k"), 1, 1'000'000, &settings.base.mapK); code != ExitSuccess)
        return code;
    if (int code = readInt(parser, QStringLiteral("epochs"), 1, 100000, &settings.base.esafh.epochs); code != ExitSuccess)
        return code;
    if (int code = readInt(parser, QStringLiteral("threads"), 0, 1024, &settings.base.esafh.threads); code != ExitSuccess)
        return code;
    settings.base.esafh.device = parser.value(QStringLiteral("device"));
    if (settings.base.esafh.device != QStringLiteral("auto") && settings.base.esafh.device != QStringLiteral("cpu")
        && settings.base.esafh.device != QStringLiteral("cuda"))
        return usageError(QStringLiteral("--device must be auto, cpu or cuda, not \"%1\".").arg(settings.base.esafh.device));
    if (int code = readSettingAssignments(parser, &settings.settingOverrides); code != ExitSuccess)
        return code;

    settings.methods.clear();
    for (const QString &name : parser.value(QStringLiteral("methods")).split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        const QString method = name.trimmed().toLower();
        if (!EsafhSettings::methodNames().contains(method))
            return usageError(QStringLiteral("--methods: unknown method \"%1\"; the methods are %2.")
                                  .arg(name, EsafhSettings::methodNames().join(QStringLiteral(", "))));
        settings.methods.append(method);
    }
    if (settings.methods.isEmpty())
        return usageError(QStringLiteral("--methods needs at least one method."));

    bool ok = false;
    settings.bits = parseIntegerList(parser.value(QStringLiteral("bits")), &ok);
    if (!ok || std::any_of(settings.bits.begin(), settings.bits.end(), [](int bits) { return bits < 8 || bits > 1024; }))
        return usageError(QStringLiteral("--bits must be comma-separated code lengths from 8 to 1024, not \"%1\".").arg(parser.value(QStringLiteral("bits"))));
    int seedCount = 0;
    if (int code = readInt(parser, QStringLiteral("seeds"), 1, 1000, &seedCount); code != ExitSuccess)
        return code;
    // --seed sets the first seed; the others follow it.
    settings.seeds.clear();
    for (int i = 0; i < seedCount; ++i)
        settings.seeds.push_back(settings.base.split.seed + static_cast<quint64>(i));

    settings.ablations = parser.isSet(QStringLiteral("ablations"));
    settings.outputDirectory = parser.value(QStringLiteral("output"));
    if (settings.outputDirectory.isEmpty())
        return usageError(QStringLiteral("--output DIR is required."));
    settings.overwrite = parser.isSet(QStringLiteral("force"));

    ComparisonCallbacks callbacks;
    callbacks.onProgress = [](const QString &line) { printError(line); };
    callbacks.cancel = &interruptFlag();
    Result<QJsonObject> results = runComparison(settings, callbacks);
    if (!results) {
        printError(results.error());
        return ExitFailure;
    }
    printError(QStringLiteral("Results written to %1").arg(QDir(settings.outputDirectory).absolutePath()));
    printLine(comparisonMarkdownTable(results.value()));
    return ExitSuccess;
}

} // namespace esafh::cli
