#include "commands.h"

#include "console.h"
#include "options.h"

#include "data/dataset_io.h"
#include "features/image_extractor.h"
#include "pipeline/model_json.h"
#include "pipeline/run_record.h"
#include "pipeline/search.h"
#include "pipeline/training_job.h"

#include <QCommandLineParser>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>

namespace esafh::cli {

TrainingJobCallbacks terminalCallbacks()
{
    // Time since the current stage started, for the time left of feature extraction.
    auto stageTimer = std::make_shared<QElapsedTimer>();
    stageTimer->start();

    TrainingJobCallbacks callbacks;
    callbacks.onStage = [stageTimer](const QString &stage) {
        printError(stage);
        stageTimer->restart();
    };
    callbacks.onFeatureProgress = [stageTimer](int done, int total) {
        const double elapsed = stageTimer->elapsed() / 1000.0;
        const double secondsLeft = done > 0 ? elapsed / done * (total - done) : -1.0;
        printProgress(QStringLiteral("Image features"), done, total, secondsLeft);
    };
    callbacks.training.onEpoch = [](const EpochReport &report) {
        QString line = QStringLiteral("Epoch %1/%2  loss %3  %4 s")
                           .arg(report.epoch)
                           .arg(report.epochCount)
                           .arg(report.loss, 0, 'f', 5)
                           .arg(report.seconds, 0, 'f', 2);
        for (int i = 0; i < report.candidateNames.size() && i < static_cast<int>(report.meanAttention.size()); ++i)
            line += QStringLiteral("  w(%1) %2").arg(report.candidateNames[i]).arg(report.meanAttention[i], 0, 'f', 3);
        line += QStringLiteral("  constant bits %1").arg(report.constantBits);
        if (!std::isnan(report.validationScore))
            line += QStringLiteral("  validation mAP %1").arg(report.validationScore, 0, 'f', 4);
        printError(line);
    };
    callbacks.cancel = &interruptFlag();
    return callbacks;
}

void printDatasetSummary(const PreparedDataset &prepared)
{
    const Dataset &dataset = prepared.dataset;
    printError(QStringLiteral("Dataset %1 (%2): %3 items, %4 labels; %5 queries, %6 database items, %7 training items, "
                              "%8 validation items")
                   .arg(dataset.name, dataset.format)
                   .arg(dataset.size())
                   .arg(dataset.labelNames.size())
                   .arg(dataset.split.query.size())
                   .arg(dataset.split.database.size())
                   .arg(dataset.split.training.size())
                   .arg(dataset.split.validation.size()));
    for (const QString &message : dataset.importMessages)
        printError(QStringLiteral("  %1").arg(message));
    if (!prepared.imageFeatures.failureMessages.isEmpty()) {
        printError(QStringLiteral("Images that could not be decoded:"));
        for (const QString &message : prepared.imageFeatures.failureMessages)
            printError(QStringLiteral("  %1").arg(message));
    }
}

QJsonObject evaluationJson(const RetrievalScores &scores, int queryCount, int databaseCount)
{
    QJsonObject protocol;
    protocol[QStringLiteral("name")] = QStringLiteral("hamming-ranking");
    protocol[QStringLiteral("relevance")] = QStringLiteral("shares at least one label");
    protocol[QStringLiteral("ties")] = tieRuleName(scores.tieRule);
    protocol[QStringLiteral("k")] = scores.k;
    protocol[QStringLiteral("queries")] = queryCount;
    protocol[QStringLiteral("database")] = databaseCount;

    QJsonObject json = scoresToJson(scores);
    json.remove(QStringLiteral("ties"));
    json.remove(QStringLiteral("k"));
    json[QStringLiteral("protocol")] = protocol;
    return json;
}

namespace {

/// Replaces the checkpoint file atomically, so that a run stopped while writing
/// leaves the previous epoch's checkpoint. A failed write is reported and training goes on.
void writeCheckpoint(const QByteArray &checkpoint, const QString &path)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(checkpoint) != checkpoint.size() || !file.commit())
        printError(QStringLiteral("Writing the checkpoint %1 failed: %2").arg(path, file.errorString()));
}

QString throughputLine(const ImageFeatureSet &features)
{
    if (features.computedCount == 0)
        return QStringLiteral("Speed: every image came from the cache or failed; run with an empty --cache-dir to measure.");
    return QStringLiteral("Speed: %1 images in %2 s on %3 with %4, %5 images/s (decoding, resizing and features; "
                          "%6 cached images excluded)")
        .arg(features.computedCount)
        .arg(features.computeSeconds, 0, 'f', 2)
        .arg(features.deviceName, features.backbone.displayName())
        .arg(features.computedCount / std::max(features.computeSeconds, 1e-9), 0, 'f', 1)
        .arg(features.cachedCount);
}

QJsonObject backboneJson(const BackboneInfo &info)
{
    QJsonObject json;
    json[QStringLiteral("name")] = info.spec.toString();
    json[QStringLiteral("description")] = info.description;
    json[QStringLiteral("available")] = info.available;
    json[QStringLiteral("weights")] = info.weightsPath;
    json[QStringLiteral("identity")] = info.identity;
    json[QStringLiteral("dimension")] = info.dimension;
    json[QStringLiteral("message")] = info.message;
    return json;
}

void printBackbone(const BackboneInfo &info)
{
    const QString name = info.spec.kind == BackboneSpec::mobileNetV2 ? info.spec.kind : info.spec.toString();
    const bool isDefault = name == defaultBackbone().toString();
    if (!info.available) {
        printLine(QStringLiteral("%1\tnot available%2: %3")
                      .arg(name, isDefault ? QStringLiteral(" (the default; handcrafted is used in its place)") : QString(),
                           info.message));
        printLine(QStringLiteral("  %1").arg(info.description));
        return;
    }
    printLine(QStringLiteral("%1\tavailable, %2 features%3").arg(name).arg(info.dimension)
                  .arg(isDefault ? QStringLiteral(" (default)") : QString()));
    printLine(QStringLiteral("  %1").arg(info.description));
    if (!info.weightsPath.isEmpty())
        printLine(QStringLiteral("  weights: %1").arg(info.weightsPath));
    printLine(QStringLiteral("  identity: %1").arg(info.identity));
}

} // namespace

QString runRecordPathFor(const QString &modelPath)
{
    const QFileInfo info(modelPath);
    return info.dir().filePath(info.completeBaseName() + QStringLiteral(".run.json"));
}

int writeRunRecord(const TrainedModel &model, const PreparedDataset &prepared, const TrainingJobSettings &settings,
                   const QString &path, QJsonObject *record)
{
    Result<ModelEvaluation> evaluation =
        evaluateModelWithCurves(model, prepared, settings.mapK, settings.tieRule,
                                defaultCurveCutoffs(static_cast<int>(prepared.dataset.split.database.size())));
    if (!evaluation) {
        printError(evaluation.error());
        return ExitFailure;
    }
    const QJsonObject json = runRecordToJson(model, prepared, settings, evaluation.value());
    if (Status written = writeJsonFile(json, path); !written) {
        printError(written.error());
        return ExitFailure;
    }
    if (record)
        *record = json;
    printError(QStringLiteral("Run record written to %1").arg(path));
    return ExitSuccess;
}

int runBackbones(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("List the image backbones available on this machine with their feature "
                                                    "length, identity and weights, or describe the one --backbone names."));
    parser.addHelpOption();
    addBackboneOptions(&parser);
    parser.addOption({QStringLiteral("layers"), QStringLiteral("List the outputs --layer can choose for --backbone.")});
    parser.addOption({QStringLiteral("json"), QStringLiteral("Print one JSON array instead of text.")});
    if (std::optional<int> exitCode = parseArguments(&parser, arguments))
        return *exitCode;

    QList<BackboneInfo> backbones;
    if (parser.isSet(QStringLiteral("backbone"))) {
        BackboneSpec spec;
        if (int code = readBackboneOptions(parser, &spec); code != ExitSuccess)
            return code;
        if (parser.isSet(QStringLiteral("layers"))) {
            Result<QStringList> layers = backboneLayerNames(spec);
            if (!layers) {
                printError(layers.error());
                return ExitFailure;
            }
            for (const QString &layer : layers.value())
                printLine(layer);
            return ExitSuccess;
        }
        backbones.append(describeBackbone(spec));
    } else {
        if (parser.isSet(QStringLiteral("layers")))
            return usageError(QStringLiteral("--layers needs --backbone NAME."));
        backbones = builtInBackbones();
    }

    if (parser.isSet(QStringLiteral("json"))) {
        QJsonArray array;
        for (const BackboneInfo &info : backbones)
            array.append(backboneJson(info));
        printLine(QString::fromUtf8(QJsonDocument(array).toJson(QJsonDocument::Compact)));
    } else {
        for (const BackboneInfo &info : backbones)
            printBackbone(info);
        if (!parser.isSet(QStringLiteral("backbone")))
            printLine(QStringLiteral("Any TorchScript or ONNX model: --backbone torchscript:FILE or onnx:FILE."));
    }
    // A backbone named with --backbone that cannot be loaded is a failure, but a
    // built-in one that is not installed is not.
    const bool describedOne = parser.isSet(QStringLiteral("backbone"));
    return describedOne && !backbones.first().available ? ExitFailure : ExitSuccess;
}

int runImport(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Read a dataset folder (an image tree with captions, or a COCO release), "
                                                    "draw its seeded split and write it as a dataset file; or describe "
                                                    "the variables of a .mat or HDF5 feature file in a feature dataset "
                                                    "description for train, evaluate and compare."));
    parser.addHelpOption();
    addDatasetOptions(&parser);
    addFeatureImportOptions(&parser);
    parser.addOption({QStringLiteral("output"), QStringLiteral("Dataset file or feature dataset description to write (JSON)."), QStringLiteral("FILE")});
    if (std::optional<int> exitCode = parseArguments(&parser, arguments))
        return *exitCode;

    TrainingJobSettings settings;
    if (int code = readDatasetOptions(parser, &settings); code != ExitSuccess)
        return code;
    const QString output = parser.value(QStringLiteral("output"));
    if (output.isEmpty())
        return usageError(QStringLiteral("--output FILE is required."));
    if (isFeatureFile(settings.datasetPath))
        return importFeatureFile(parser, settings.datasetPath, output);
    for (const QString &name : {QStringLiteral("image-variable"), QStringLiteral("text-variable"), QStringLiteral("label-variable"),
                                QStringLiteral("query-variable"), QStringLiteral("database-variable"),
                                QStringLiteral("training-variable"), QStringLiteral("index-base"), QStringLiteral("name")}) {
        if (parser.isSet(name))
            return usageError(QStringLiteral("--%1 applies to .mat and HDF5 feature files only, not to %2.").arg(name, settings.datasetPath));
    }

    Result<Dataset> dataset = openDataset(settings.datasetPath, settings.treeOptions, settings.split);
    if (!dataset) {
        printError(dataset.error());
        return ExitFailure;
    }
    if (Status saved = saveDatasetFile(dataset.value(), output); !saved) {
        printError(saved.error());
        return ExitFailure;
    }

    for (const QString &message : dataset->importMessages)
        printError(message);
    printLine(QStringLiteral("Wrote %1: %2 items, %3 labels, %4 queries, %5 database items, %6 training items")
                  .arg(output)
                  .arg(dataset->size())
                  .arg(dataset->labelNames.size())
                  .arg(dataset->split.query.size())
                  .arg(dataset->split.database.size())
                  .arg(dataset->split.training.size()));
    return ExitSuccess;
}

int runFeatures(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Extract the image features of a dataset into the feature cache, "
                                                    "so that training and evaluation reuse them."));
    parser.addHelpOption();
    addDatasetOptions(&parser);
    addBackboneOptions(&parser);
    parser.addOption({QStringLiteral("report"),
                      QStringLiteral("Also print the extraction speed in images per second: decoding, resizing and "
                                     "the network, for the images not taken from the cache.")});
    if (std::optional<int> exitCode = parseArguments(&parser, arguments))
        return *exitCode;

    TrainingJobSettings settings;
    if (int code = readDatasetOptions(parser, &settings); code != ExitSuccess)
        return code;
    if (int code = readBackboneOptions(parser, &settings.backbone); code != ExitSuccess)
        return code;

    Result<PreparedDataset> prepared = prepareDataset(settings, terminalCallbacks());
    if (!prepared) {
        printError(prepared.error());
        return ExitFailure;
    }
    printDatasetSummary(prepared.value());
    const ImageFeatureSet &features = prepared->imageFeatures;
    if (parser.isSet(QStringLiteral("report")))
        printLine(throughputLine(features));
    printLine(QStringLiteral("%1 items, %2 features each (%3): %4 computed, %5 from the cache, %6 failed")
                  .arg(features.features.rows())
                  .arg(features.features.cols())
                  .arg(features.extractorIdentity)
                  .arg(features.features.rows() - features.cachedCount - int(features.failedItems.size()))
                  .arg(features.cachedCount)
                  .arg(features.failedItems.size()));
    return ExitSuccess;
}

int runTrain(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Train ESAFH or an anchor method on a dataset, evaluate it on the query set, "
                                                    "and write the model file and its run record."));
    parser.addHelpOption();
    addDatasetOptions(&parser);
    addTrainingOptions(&parser);
    addBackboneOptions(&parser);
    parser.addOption({QStringLiteral("output"), QStringLiteral("Model file to write."), QStringLiteral("MODEL")});
    parser.addOption({QStringLiteral("report"), QStringLiteral("Also write the settings and scores as JSON to FILE."), QStringLiteral("FILE")});
    parser.addOption({QStringLiteral("record"),
                      QStringLiteral("Run record to write, for 'esafh-cli rerun' (default: beside the model, MODEL with the "
                                     "suffix .run.json)."),
                      QStringLiteral("FILE")});
    parser.addOption({QStringLiteral("json"), QStringLiteral("Print the scores as one JSON object instead of a table.")});
    parser.addOption({QStringLiteral("checkpoint"),
                      QStringLiteral("Write a checkpoint to FILE after each epoch, from which --resume continues."),
                      QStringLiteral("FILE")});
    parser.addOption({QStringLiteral("resume"),
                      QStringLiteral("Continue the run that wrote checkpoint FILE; give the same dataset and training options."),
                      QStringLiteral("FILE")});
    if (std::optional<int> exitCode = parseArguments(&parser, arguments))
        return *exitCode;

    TrainingJobSettings settings;
    if (int code = readDatasetOptions(parser, &settings); code != ExitSuccess)
        return code;
    if (int code = readTrainingOptions(parser, &settings); code != ExitSuccess)
        return code;
    if (int code = readBackboneOptions(parser, &settings.backbone); code != ExitSuccess)
        return code;
    const QString output = parser.value(QStringLiteral("output"));
    if (output.isEmpty())
        return usageError(QStringLiteral("--output MODEL is required."));
    if (const QFileInfo outputInfo(output); !outputInfo.absoluteDir().exists())
        return usageError(QStringLiteral("The folder of --output %1 does not exist.").arg(output));
    const QString recordPath = parser.isSet(QStringLiteral("record")) ? parser.value(QStringLiteral("record")) : runRecordPathFor(output);
    if (const QFileInfo recordInfo(recordPath); !recordInfo.absoluteDir().exists())
        return usageError(QStringLiteral("The folder of --record %1 does not exist.").arg(recordPath));

    const QString checkpointPath = parser.value(QStringLiteral("checkpoint"));
    if (!checkpointPath.isEmpty() && !QFileInfo(checkpointPath).absoluteDir().exists())
        return usageError(QStringLiteral("The folder of --checkpoint %1 does not exist.").arg(checkpointPath));
    QByteArray resumeCheckpoint;
    if (parser.isSet(QStringLiteral("resume"))) {
        const QString resumePath = parser.value(QStringLiteral("resume"));
        QFile file(resumePath);
        if (!file.open(QIODevice::ReadOnly)) {
            printError(QStringLiteral("Cannot read the checkpoint %1: %2").arg(resumePath, file.errorString()));
            return ExitFailure;
        }
        resumeCheckpoint = file.readAll();
        printError(QStringLiteral("Resuming from the checkpoint %1.").arg(resumePath));
    }

    TrainingJobCallbacks callbacks = terminalCallbacks();
    if (!checkpointPath.isEmpty())
        callbacks.training.onCheckpoint = [checkpointPath](const QByteArray &checkpoint) { writeCheckpoint(checkpoint, checkpointPath); };
    Result<PreparedDataset> prepared = prepareDataset(settings, callbacks);
    if (!prepared) {
        printError(prepared.error());
        return ExitFailure;
    }
    printDatasetSummary(prepared.value());

    Result<TrainedModel> model = trainModel(prepared.value(), settings, callbacks, resumeCheckpoint);
    if (!model) {
        printError(model.error());
        return ExitFailure;
    }
    if (Status saved = saveModelFile(model.value(), output); !saved) {
        printError(saved.error());
        return ExitFailure;
    }
    printError(QStringLiteral("Trained in %1 s on %2; model written to %3")
                   .arg(model->trainingSeconds, 0, 'f', 1)
                   .arg(model->hashModel->deviceName(), output));
    if (int code = writeRunRecord(model.value(), prepared.value(), settings, recordPath); code != ExitSuccess)
        return code;

    const DatasetSplit &split = prepared->dataset.split;
    QJsonObject report = evaluationJson(model->scores, split.query.size(), split.database.size());
    report[QStringLiteral("model")] = QFileInfo(output).absoluteFilePath();
    report[QStringLiteral("run_record")] = QFileInfo(recordPath).absoluteFilePath();
    report[QStringLiteral("dataset")] = prepared->dataset.source;
    report[QStringLiteral("method")] = settings.esafh.method;
    report[QStringLiteral("best_epoch")] = model->bestEpoch;
    report[QStringLiteral("bits")] = settings.esafh.bits;
    report[QStringLiteral("epochs")] = settings.esafh.epochs;
    report[QStringLiteral("settings")] = settings.esafh.toJson();
    report[QStringLiteral("image_backbone")] = model->imageBackbone.toJson();
    report[QStringLiteral("image_extractor")] = model->imageExtractor;
    report[QStringLiteral("training_seconds")] = model->trainingSeconds;

    if (const QString reportPath = parser.value(QStringLiteral("report")); !reportPath.isEmpty()) {
        if (Status written = writeJsonFile(report, reportPath); !written) {
            printError(written.error());
            return ExitFailure;
        }
    }

    if (parser.isSet(QStringLiteral("json")))
        printLine(QString::fromUtf8(QJsonDocument(report).toJson(QJsonDocument::Compact)));
    else
        printLine(formatScoresTable(model->scores, split.query.size(), split.database.size()));
    return ExitSuccess;
}

int runEvaluate(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Compute mAP@all and mAP@K of a model for image-to-text and text-to-image "
                                                    "retrieval on a dataset's query and database sets."));
    parser.addHelpOption();
    addDatasetOptions(&parser);
    parser.addOption({QStringLiteral("model"), QStringLiteral("Model file to evaluate."), QStringLiteral("MODEL")});
    parser.addOption({QStringLiteral("k"), QStringLiteral("K of mAP@K (default 50)."), QStringLiteral("K"), QStringLiteral("50")});
    parser.addOption({QStringLiteral("ties"),
                      QStringLiteral("How equal Hamming distances are ordered: \"tie-aware\" (expected AP over all orders, default) "
                                     "or \"index\" (by database index, as the DJSRH family's code)."),
                      QStringLiteral("RULE"), QStringLiteral("tie-aware")});
    parser.addOption({QStringLiteral("json"), QStringLiteral("Print one JSON object instead of a table.")});
    if (std::optional<int> exitCode = parseArguments(&parser, arguments))
        return *exitCode;

    TrainingJobSettings settings;
    if (int code = readDatasetOptions(parser, &settings); code != ExitSuccess)
        return code;
    const QString modelPath = parser.value(QStringLiteral("model"));
    if (modelPath.isEmpty())
        return usageError(QStringLiteral("--model MODEL is required."));
    int k = 0;
    if (int code = readInt(parser, QStringLiteral("k"), 1, 1'000'000, &k); code != ExitSuccess)
        return code;
    const QString ties = parser.value(QStringLiteral("ties"));
    if (ties != QStringLiteral("tie-aware") && ties != QStringLiteral("index"))
        return usageError(QStringLiteral("--ties must be \"tie-aware\" or \"index\", not \"%1\".").arg(ties));
    const TieRule rule = ties == QStringLiteral("index") ? TieRule::DatabaseIndex : TieRule::TieAware;

    Result<TrainedModel> model = loadModelFile(modelPath);
    if (!model) {
        printError(model.error());
        return ExitFailure;
    }

    // The dataset's features are computed with the backbone the model was trained on.
    settings.backbone = model->imageBackbone;
    printError(QStringLiteral("The model was trained on image features of %1.").arg(model->imageBackbone.displayName()));
    Result<PreparedDataset> prepared = prepareDataset(settings, terminalCallbacks());
    if (!prepared) {
        printError(prepared.error());
        return ExitFailure;
    }

    // The dataset the model was trained on is evaluated on the model's own query and
    // database sets, unless a split option asks for another.
    const bool splitRequested = parser.isSet(QStringLiteral("seed")) || parser.isSet(QStringLiteral("query-fraction"))
                                || parser.isSet(QStringLiteral("split"));
    if (!splitRequested) {
        if (adoptModelSplit(model.value(), &prepared.value()))
            printError(QStringLiteral("Using the model's split of the dataset (seed %1).").arg(model->split.seed));
        else
            printError(QStringLiteral("The dataset differs from the one the model was trained on; using a new split (seed %1).").arg(settings.split.seed));
    }

    Result<RetrievalScores> scores = evaluateModel(model.value(), prepared.value(), k, rule);
    if (!scores) {
        printError(QStringLiteral("Cannot evaluate %1 on %2: %3").arg(modelPath, settings.datasetPath, scores.error()));
        return ExitFailure;
    }

    const DatasetSplit &split = prepared->dataset.split;
    if (parser.isSet(QStringLiteral("json"))) {
        QJsonObject json = evaluationJson(scores.value(), split.query.size(), split.database.size());
        json[QStringLiteral("model")] = QFileInfo(modelPath).absoluteFilePath();
        json[QStringLiteral("dataset")] = prepared->dataset.source;
        json[QStringLiteral("bits")] = model->settings.bits;
        printLine(QString::fromUtf8(QJsonDocument(json).toJson(QJsonDocument::Compact)));
    } else {
        printLine(formatScoresTable(scores.value(), split.query.size(), split.database.size()));
    }
    return ExitSuccess;
}

int runSearch(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Rank the model's database for a typed text, an image file or one of its items. "
                                                    "Prints one item per line: rank, Hamming distance, caption and image path, "
                                                    "separated by tabs."));
    parser.addHelpOption();
    parser.addOption({QStringLiteral("model"), QStringLiteral("Model file to search with."), QStringLiteral("MODEL")});
    parser.addOption({QStringLiteral("text"), QStringLiteral("Query text."), QStringLiteral("TEXT")});
    parser.addOption({QStringLiteral("image"), QStringLiteral("Query image file."), QStringLiteral("FILE")});
    parser.addOption({QStringLiteral("item"),
                      QStringLiteral("Query by database item N (0-based), as image for i2t and i2i, as text for t2i and t2t."),
                      QStringLiteral("N")});
    parser.addOption({QStringLiteral("top"), QStringLiteral("Number of results (default 10)."), QStringLiteral("N"), QStringLiteral("10")});
    parser.addOption({QStringLiteral("direction"),
                      QStringLiteral("t2i or t2t for a text, i2t or i2i for an image (default t2i for a text, i2t for an image)."),
                      QStringLiteral("DIRECTION")});
    if (std::optional<int> exitCode = parseArguments(&parser, arguments))
        return *exitCode;

    const QString modelPath = parser.value(QStringLiteral("model"));
    if (modelPath.isEmpty())
        return usageError(QStringLiteral("--model MODEL is required."));
    const bool hasText = parser.isSet(QStringLiteral("text"));
    const bool hasImage = parser.isSet(QStringLiteral("image"));
    const bool hasItem = parser.isSet(QStringLiteral("item"));
    if (int(hasText) + int(hasImage) + int(hasItem) != 1)
        return usageError(QStringLiteral("Give exactly one of --text TEXT, --image FILE and --item N."));
    int top = 0;
    if (int code = readInt(parser, QStringLiteral("top"), 1, 1'000'000, &top); code != ExitSuccess)
        return code;
    int item = 0;
    if (hasItem) {
        if (int code = readInt(parser, QStringLiteral("item"), 0, std::numeric_limits<int>::max(), &item); code != ExitSuccess)
            return code;
    }

    SearchDirection direction = hasText ? SearchDirection::TextToImage : SearchDirection::ImageToText;
    if (parser.isSet(QStringLiteral("direction"))) {
        const QString name = parser.value(QStringLiteral("direction"));
        if (!parseDirection(name, &direction))
            return usageError(QStringLiteral("--direction must be i2t, t2i, i2i or t2t, not \"%1\".").arg(name));
        if (!hasItem && queryIsImage(direction) == hasText)
            return usageError(QStringLiteral("--direction %1 does not fit %2 query: use %3.")
                                  .arg(name, hasText ? QStringLiteral("a text") : QStringLiteral("an image"),
                                       hasText ? QStringLiteral("t2i or t2t") : QStringLiteral("i2t or i2i")));
    }

    Result<TrainedModel> model = loadModelFile(modelPath);
    if (!model) {
        printError(model.error());
        return ExitFailure;
    }

    Result<SearchResult> result = hasItem   ? searchByItem(model.value(), item, direction, top)
                                  : hasText ? searchByText(model.value(), parser.value(QStringLiteral("text")), direction, top)
                                            : searchByImage(model.value(), parser.value(QStringLiteral("image")), direction, top);
    if (!result) {
        printError(result.error());
        return ExitFailure;
    }

    if (!result->note.isEmpty())
        printError(result->note);
    for (const SearchHit &hit : result->hits) {
        QString caption = hit.caption;
        caption.replace(QLatin1Char('\t'), QLatin1Char(' ')).replace(QLatin1Char('\n'), QLatin1Char(' '));
        printLine(QStringLiteral("%1\t%2\t%3\t%4").arg(hit.rank).arg(hit.distance).arg(caption, hit.imagePath));
    }
    printError(QStringLiteral("%1 of %2 database items, %3, in %4 ms")
                   .arg(result->hits.size())
                   .arg(result->databaseSize)
                   .arg(directionDisplayName(direction).toLower())
                   .arg(result->milliseconds, 0, 'f', 2));
    return ExitSuccess;
}

} // namespace esafh::cli
