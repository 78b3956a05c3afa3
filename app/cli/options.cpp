#include "options.h"

#include "console.h"

#include <QJsonDocument>
#include <QSaveFile>

#include <tuple>
#include <utility>

namespace esafh::cli {

int usageError(const QString &message)
{
    printError(message);
    printError(QStringLiteral("Run with --help for the options."));
    return ExitUsage;
}

int readInt(const QCommandLineParser &parser, const QString &name, int minimum, int maximum, int *value)
{
    bool ok = false;
    const QString text = parser.value(name);
    const int parsed = text.toInt(&ok);
    if (!ok || parsed < minimum || parsed > maximum)
        return usageError(QStringLiteral("--%1 must be an integer from %2 to %3, not \"%4\".").arg(name).arg(minimum).arg(maximum).arg(text));
    *value = parsed;
    return ExitSuccess;
}

std::optional<int> parseArguments(QCommandLineParser *parser, const QStringList &arguments)
{
    // QCommandLineParser::process() would exit with code 1 on an unknown option and
    // name the program without its command, so errors and help are handled here.
    if (!parser->parse(arguments))
        return usageError(parser->errorText());

    const QString command = arguments.value(0).section(QLatin1Char(' '), -1);
    if (parser->isSet(QStringLiteral("help"))) {
        QString help = parser->helpText();
        help.replace(help.section(QLatin1Char('\n'), 0, 0), QStringLiteral("Usage: esafh-cli %1 [options]").arg(command));
        printLine(help.trimmed());
        return ExitSuccess;
    }
    if (!parser->positionalArguments().isEmpty()) {
        return usageError(QStringLiteral("Unexpected argument \"%1\" for esafh-cli %2.")
                              .arg(parser->positionalArguments().first(), command));
    }
    return std::nullopt;
}

namespace {

int readDouble(const QCommandLineParser &parser, const QString &name, double minimum, double maximum, double *value)
{
    bool ok = false;
    const QString text = parser.value(name);
    const double parsed = text.toDouble(&ok);
    if (!ok || parsed < minimum || parsed > maximum)
        return usageError(QStringLiteral("--%1 must be a number from %2 to %3, not \"%4\".").arg(name).arg(minimum).arg(maximum).arg(text));
    *value = parsed;
    return ExitSuccess;
}

} // namespace

void addDatasetOptions(QCommandLineParser *parser)
{
    parser->addOption({QStringLiteral("dataset"),
                       QStringLiteral("Dataset: an image folder with a caption file beside each image (such as the Tux Paint "
                                      "stamps), a COCO release folder, or a dataset file written by 'import'."),
                       QStringLiteral("PATH")});
    parser->addOption({QStringLiteral("label-depth"),
                       QStringLiteral("Folder levels of an image tree that form the label (default 1: the top-level folder)."),
                       QStringLiteral("N"), QStringLiteral("1")});
    parser->addOption({QStringLiteral("seed"), QStringLiteral("Seed of the split, and of training where there is training (default 1)."), QStringLiteral("N"), QStringLiteral("1")});
    parser->addOption({QStringLiteral("query-fraction"),
                       QStringLiteral("Share of the items drawn as queries, from 0.001 to 0.9; at most 2000 queries are drawn (default 0.2)."),
                       QStringLiteral("F"), QStringLiteral("0.2")});
    parser->addOption({QStringLiteral("split"),
                       QStringLiteral("How to draw the split: \"random\" (queries drawn at random, the default) or "
                                      "\"per-label\" (a fixed number of queries and training items per label). "
                                      "Given, it also replaces the split a dataset file or description brings."),
                       QStringLiteral("MODE"), QStringLiteral("random")});
    parser->addOption({QStringLiteral("queries-per-label"), QStringLiteral("Queries sampled per label with --split per-label (default 100)."),
                       QStringLiteral("N"), QStringLiteral("100")});
    parser->addOption({QStringLiteral("training-per-label"),
                       QStringLiteral("Training items sampled per label with --split per-label (default 500)."),
                       QStringLiteral("N"), QStringLiteral("500")});
    parser->addOption({QStringLiteral("validation"),
                       QStringLiteral("Database items held out of training to choose the epoch with the best validation "
                                      "mAP (default 0: none, the last epoch is kept)."),
                       QStringLiteral("N"), QStringLiteral("0")});
    parser->addOption({QStringLiteral("cache-dir"), QStringLiteral("Folder of the image feature cache (default: the user's cache folder)."), QStringLiteral("DIR")});
    parser->addOption({QStringLiteral("text-weighting"),
                       QStringLiteral("Caption features: \"binary\" bag of words (the default) or \"tfidf\" (counts times smoothed "
                                      "inverse document frequency, unit L2 norm)."),
                       QStringLiteral("MODE"), QStringLiteral("binary")});
    parser->addOption({QStringLiteral("min-document-frequency"),
                       QStringLiteral("Leave out of the vocabulary words in fewer training captions than N (default 1)."),
                       QStringLiteral("N"), QStringLiteral("1")});
    parser->addOption({QStringLiteral("keep-stop-words"), QStringLiteral("Keep common English function words (\"the\", \"of\", ...) in the vocabulary.")});
}

int readDatasetOptions(const QCommandLineParser &parser, TrainingJobSettings *settings)
{
    settings->datasetPath = parser.value(QStringLiteral("dataset"));
    if (settings->datasetPath.isEmpty())
        return usageError(QStringLiteral("--dataset PATH is required."));

    int depth = 1;
    if (int code = readInt(parser, QStringLiteral("label-depth"), 1, 16, &depth); code != ExitSuccess)
        return code;
    settings->treeOptions.labelDepth = depth;

    bool ok = false;
    const quint64 seed = parser.value(QStringLiteral("seed")).toULongLong(&ok);
    if (!ok)
        return usageError(QStringLiteral("--seed must be a non-negative integer, not \"%1\".").arg(parser.value(QStringLiteral("seed"))));
    settings->split.seed = seed;
    settings->esafh.seed = seed;

    if (int code = readDouble(parser, QStringLiteral("query-fraction"), 0.001, 0.9, &settings->split.queryFraction); code != ExitSuccess)
        return code;

    const QString mode = parser.value(QStringLiteral("split"));
    if (!parseSplitMode(mode, &settings->split.mode))
        return usageError(QStringLiteral("--split must be \"random\" or \"per-label\", not \"%1\".").arg(mode));
    settings->replaceDatasetSplit = parser.isSet(QStringLiteral("split"));
    if (int code = readInt(parser, QStringLiteral("queries-per-label"), 1, 1'000'000, &settings->split.queriesPerLabel); code != ExitSuccess)
        return code;
    if (int code = readInt(parser, QStringLiteral("training-per-label"), 1, 1'000'000, &settings->split.trainingPerLabel); code != ExitSuccess)
        return code;
    if (int code = readInt(parser, QStringLiteral("validation"), 0, 1'000'000, &settings->split.validationCount); code != ExitSuccess)
        return code;
    for (const QString &name : {QStringLiteral("queries-per-label"), QStringLiteral("training-per-label")}) {
        if (parser.isSet(name) && settings->split.mode != SplitMode::PerLabel)
            return usageError(QStringLiteral("--%1 applies to --split per-label only.").arg(name));
    }
    settings->featureCacheDirectory = parser.value(QStringLiteral("cache-dir"));

    const QString weighting = parser.value(QStringLiteral("text-weighting"));
    const Result<TextWeighting> parsedWeighting = parseTextWeighting(weighting);
    if (!parsedWeighting)
        return usageError(QStringLiteral("--text-weighting must be \"binary\" or \"tfidf\", not \"%1\".").arg(weighting));
    settings->vocabulary.weighting = parsedWeighting.value();
    if (int code = readInt(parser, QStringLiteral("min-document-frequency"), 1, 1'000'000, &settings->vocabulary.minDocumentFrequency);
        code != ExitSuccess)
        return code;
    settings->vocabulary.removeStopWords = !parser.isSet(QStringLiteral("keep-stop-words"));
    return ExitSuccess;
}

void addTrainingOptions(QCommandLineParser *parser)
{
    const EsafhSettings defaults;
    parser->addOption({QStringLiteral("method"),
                       QStringLiteral("Method to train: %1 (default esafh). Each starts from its own defaults.")
                           .arg(EsafhSettings::methodNames().join(QStringLiteral(", "))),
                       QStringLiteral("NAME"), QStringLiteral("esafh")});
    parser->addOption({QStringLiteral("set"),
                       QStringLiteral("Set one training setting, after the other options; repeatable. KEY is a key of the "
                                      "\"settings\" object of a model report, such as neighbourCount=5 or attentionFusion=false."),
                       QStringLiteral("KEY=VALUE")});
    parser->addOption({QStringLiteral("bits"), QStringLiteral("Code length in bits (default %1).").arg(defaults.bits),
                       QStringLiteral("N"), QString::number(defaults.bits)});
    parser->addOption({QStringLiteral("epochs"), QStringLiteral("Training epochs (default %1).").arg(defaults.epochs),
                       QStringLiteral("N"), QString::number(defaults.epochs)});
    parser->addOption({QStringLiteral("batch-size"), QStringLiteral("Items per training batch (default: the method's, %1 for ESAFH).").arg(defaults.batchSize),
                       QStringLiteral("N"), QString::number(defaults.batchSize)});
    parser->addOption({QStringLiteral("device"), QStringLiteral("auto, cpu or cuda (default auto: the GPU when LibTorch has CUDA and one is present)."),
                       QStringLiteral("DEVICE"), QStringLiteral("auto")});
    parser->addOption({QStringLiteral("threads"), QStringLiteral("CPU threads for LibTorch (default 0: one for batches under 256 items, else one per hardware thread up to 8)."),
                       QStringLiteral("N"), QStringLiteral("0")});
    parser->addOption({QStringLiteral("fixed-weights"), QStringLiteral("Fuse the similarity matrices with fixed equal weights instead of attention.")});
    parser->addOption({QStringLiteral("k"), QStringLiteral("K of mAP@K (default 50)."), QStringLiteral("K"), QStringLiteral("50")});
    parser->addOption({QStringLiteral("ties"),
                       QStringLiteral("How equal Hamming distances are ordered: \"tie-aware\" (expected AP over all orders, default) "
                                      "or \"index\" (by database index, as the DJSRH family's code)."),
                       QStringLiteral("RULE"), QStringLiteral("tie-aware")});
}

int readTieRule(const QCommandLineParser &parser, TieRule *rule)
{
    const QString ties = parser.value(QStringLiteral("ties"));
    if (ties != QStringLiteral("tie-aware") && ties != QStringLiteral("index"))
        return usageError(QStringLiteral("--ties must be \"tie-aware\" or \"index\", not \"%1\".").arg(ties));
    *rule = ties == QStringLiteral("index") ? TieRule::DatabaseIndex : TieRule::TieAware;
    return ExitSuccess;
}

int readSettingAssignments(const QCommandLineParser &parser, QJsonObject *assignments)
{
    const QJsonObject known = EsafhSettings().toJson();
    for (const QString &assignment : parser.values(QStringLiteral("set"))) {
        const qsizetype equals = assignment.indexOf(QLatin1Char('='));
        if (equals <= 0)
            return usageError(QStringLiteral("--set needs KEY=VALUE, not \"%1\".").arg(assignment));
        const QString key = assignment.left(equals).trimmed();
        const QString text = assignment.mid(equals + 1).trimmed();
        if (!known.contains(key)) {
            QStringList keys = known.keys();
            return usageError(QStringLiteral("--set %1: unknown setting \"%2\". The settings are: %3.")
                                  .arg(assignment, key, keys.join(QStringLiteral(", "))));
        }

        const QJsonValue example = known.value(key);
        QJsonValue value;
        bool ok = true;
        if (example.isBool()) {
            ok = text == QStringLiteral("true") || text == QStringLiteral("false");
            value = text == QStringLiteral("true");
        } else if (example.isDouble() && key != QStringLiteral("seed")) {
            value = text.toDouble(&ok);
        } else if (key == QStringLiteral("seed")) {
            text.toULongLong(&ok);
            value = text;
        } else {
            value = text;
        }
        if (!ok) {
            return usageError(QStringLiteral("--set %1: \"%2\" is not %3.")
                                  .arg(assignment, text, example.isBool() ? QStringLiteral("true or false") : QStringLiteral("a number")));
        }
        assignments->insert(key, value);
    }
    return ExitSuccess;
}

int readTrainingOptions(const QCommandLineParser &parser, TrainingJobSettings *settings)
{
    Result<EsafhSettings> methodDefaults = EsafhSettings::forMethod(parser.value(QStringLiteral("method")));
    if (!methodDefaults)
        return usageError(QStringLiteral("--method: %1").arg(methodDefaults.error()));
    const quint64 seed = settings->esafh.seed;
    settings->esafh = methodDefaults.value();
    settings->esafh.seed = seed;

    // Options not given keep the method's defaults.
    EsafhSettings &esafh = settings->esafh;
    for (const auto &[name, value, minimum, maximum] : {std::tuple{QStringLiteral("bits"), &esafh.bits, 8, 1024},
                                                        std::tuple{QStringLiteral("epochs"), &esafh.epochs, 1, 100000},
                                                        std::tuple{QStringLiteral("batch-size"), &esafh.batchSize, 2, 1'000'000},
                                                        std::tuple{QStringLiteral("threads"), &esafh.threads, 0, 1024}}) {
        if (!parser.isSet(name))
            continue;
        if (int code = readInt(parser, name, minimum, maximum, value); code != ExitSuccess)
            return code;
    }
    if (int code = readInt(parser, QStringLiteral("k"), 1, 1'000'000, &settings->mapK); code != ExitSuccess)
        return code;
    if (int code = readTieRule(parser, &settings->tieRule); code != ExitSuccess)
        return code;

    esafh.device = parser.value(QStringLiteral("device"));
    if (esafh.device != QStringLiteral("auto") && esafh.device != QStringLiteral("cpu") && esafh.device != QStringLiteral("cuda"))
        return usageError(QStringLiteral("--device must be auto, cpu or cuda, not \"%1\".").arg(esafh.device));
    if (parser.isSet(QStringLiteral("fixed-weights")))
        esafh.attentionFusion = false;

    QJsonObject assignments;
    if (int code = readSettingAssignments(parser, &assignments); code != ExitSuccess)
        return code;
    if (!assignments.isEmpty()) {
        QJsonObject json = esafh.toJson();
        for (auto it = assignments.begin(); it != assignments.end(); ++it)
            json[it.key()] = it.value();
        Result<EsafhSettings> assigned = EsafhSettings::fromJson(json);
        if (!assigned)
            return usageError(QStringLiteral("--set: %1").arg(assigned.error()));
        esafh = assigned.value();
    }

    if (Status valid = esafh.validate(); !valid)
        return usageError(valid.error());
    return ExitSuccess;
}

void addBackboneOptions(QCommandLineParser *parser)
{
    const BackboneSpec defaults;
    parser->addOption({QStringLiteral("backbone"),
                       QStringLiteral("Image feature extractor: handcrafted, mobilenetv2 (the npm package nsfwjs, see "
                                      "'esafh-cli backbones'), torchscript:FILE or onnx:FILE (default %1).")
                           .arg(defaultBackbone().toString()),
                       QStringLiteral("NAME"), defaultBackbone().toString()});
    parser->addOption({QStringLiteral("input-size"),
                       QStringLiteral("torchscript and onnx: side in pixels of the square network input (default %1).")
                           .arg(defaults.inputSize),
                       QStringLiteral("N"), QString::number(defaults.inputSize)});
    parser->addOption({QStringLiteral("mean"),
                       QStringLiteral("torchscript and onnx: mean subtracted from R, G and B in [0, 1] (default the "
                                      "ImageNet mean, 0.485,0.456,0.406)."),
                       QStringLiteral("R,G,B"), QStringLiteral("0.485,0.456,0.406")});
    parser->addOption({QStringLiteral("std"),
                       QStringLiteral("torchscript and onnx: standard deviation R, G and B are divided by (default the "
                                      "ImageNet one, 0.229,0.224,0.225)."),
                       QStringLiteral("R,G,B"), QStringLiteral("0.229,0.224,0.225")});
    parser->addOption({QStringLiteral("layer"),
                       QStringLiteral("Output to use: the ONNX layer, the TorchScript method (default forward) or the "
                                      "MobileNetV2 layer (default %1). 'esafh-cli backbones --layers' lists them.")
                           .arg(defaultMobileNetV2Layer()),
                       QStringLiteral("NAME")});
    parser->addOption({QStringLiteral("no-pooling"),
                       QStringLiteral("Flatten a 4-D network output whole instead of averaging it over the image positions.")});
}

int readBackboneOptions(const QCommandLineParser &parser, BackboneSpec *spec)
{
    Result<BackboneSpec> parsed = BackboneSpec::parse(parser.value(QStringLiteral("backbone")));
    if (!parsed)
        return usageError(parsed.error());
    *spec = parsed.value();

    for (const QString &name : {QStringLiteral("input-size"), QStringLiteral("mean"), QStringLiteral("std")}) {
        if (parser.isSet(name) && !spec->usesInputSettings())
            return usageError(QStringLiteral("--%1 applies to torchscript and onnx backbones only, not %2.").arg(name, spec->kind));
    }
    if (parser.isSet(QStringLiteral("layer")) && spec->kind == BackboneSpec::handcrafted)
        return usageError(QStringLiteral("--layer does not apply to the handcrafted backbone."));

    if (int code = readInt(parser, QStringLiteral("input-size"), 8, 4096, &spec->inputSize); code != ExitSuccess)
        return code;
    for (const auto &[name, values] : {std::pair{QStringLiteral("mean"), &spec->mean},
                                       std::pair{QStringLiteral("std"), &spec->standardDeviation}}) {
        Result<std::vector<float>> channels = parseChannelValues(parser.value(name));
        if (!channels)
            return usageError(QStringLiteral("--%1: %2").arg(name, channels.error()));
        *values = channels.value();
    }
    spec->layer = parser.value(QStringLiteral("layer"));
    spec->averagePool = !parser.isSet(QStringLiteral("no-pooling"));

    if (Status valid = spec->validate(); !valid)
        return usageError(valid.error());
    return ExitSuccess;
}

Status writeJsonFile(const QJsonObject &json, const QString &path)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return Status::failure(QStringLiteral("Cannot write %1: %2").arg(path, file.errorString()));
    file.write(QJsonDocument(json).toJson(QJsonDocument::Indented));
    if (!file.commit())
        return Status::failure(QStringLiteral("Cannot write %1: %2").arg(path, file.errorString()));
    return Status::success();
}

} // namespace esafh::cli
