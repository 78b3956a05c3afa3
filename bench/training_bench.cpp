// Training and encoding benchmarks on the Tux Paint stamps: the time of one ESAFH
// epoch in this program and in the minimal PyTorch script esafh_epoch.py on the
// same features and settings, and the encoding rate of features to codes.

#include "bench_sections.h"
#include "tux_paint_data.h"

#include "method/hash_model.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QThread>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

namespace esafh::bench {

namespace {

using Clock = std::chrono::steady_clock;

double median(std::vector<double> values)
{
    if (values.empty())
        return std::numeric_limits<double>::quiet_NaN();
    std::nth_element(values.begin(), values.begin() + values.size() / 2, values.end());
    return values[values.size() / 2];
}

/// Wall-clock and CPU seconds of each epoch after the first, measured between the
/// epoch callbacks, so that each includes its end-of-epoch diagnostics.
struct TimedTraining
{
    std::vector<double> epochSeconds;
    std::vector<double> epochCpuSeconds;
    std::unique_ptr<HashModel> model;
    QString error;
};

TimedTraining trainTimed(const FeatureMatrix &images, const FeatureMatrix &texts, const EsafhSettings &settings)
{
    TimedTraining timed;
    Clock::time_point previous;
    double previousCpu = 0;
    bool seenFirst = false;
    TrainingCallbacks callbacks;
    callbacks.onEpoch = [&](const EpochReport &) {
        const Clock::time_point now = Clock::now();
        const double cpu = processCpuSeconds();
        if (seenFirst) {
            timed.epochSeconds.push_back(std::chrono::duration<double>(now - previous).count());
            timed.epochCpuSeconds.push_back(cpu - previousCpu);
        }
        seenFirst = true;
        previous = now;
        previousCpu = cpu;
    };

    Result<TrainingOutcome> outcome = trainEsafh(images, texts, settings, callbacks);
    if (!outcome)
        timed.error = outcome.error();
    else
        timed.model = std::move(outcome->model);
    return timed;
}

bool writeFloats(const QString &path, const FeatureMatrix &matrix)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return false;
    const qint64 bytes = static_cast<qint64>(sizeof(float)) * matrix.size();
    return file.write(reinterpret_cast<const char *>(matrix.data()), bytes) == bytes;
}

/// Median wall-clock and CPU seconds of the PyTorch script's epochs after its
/// first, or NaN with the reason in `error`.
struct EpochTimes
{
    double seconds = std::numeric_limits<double>::quiet_NaN();
    double cpuSeconds = std::numeric_limits<double>::quiet_NaN();
};

/// The PyTorch script that mirrors a method's epoch.
QString scriptName(const EsafhSettings &settings)
{
    return QStringLiteral("%1_epoch.py").arg(settings.method);
}

EpochTimes pytorchEpochTimes(const FeatureMatrix &images, const FeatureMatrix &texts, const EsafhSettings &settings,
                             int threads, QString *error)
{
    const QString python = qEnvironmentVariable("ESAFH_PYTHON", QStringLiteral(ESAFH_BENCH_PYTHON));
    const QString script = QStringLiteral(ESAFH_BENCH_SOURCE_DIR "/") + scriptName(settings);
    QTemporaryDir folder;
    const QString imagePath = folder.filePath(QStringLiteral("images.f32"));
    const QString textPath = folder.filePath(QStringLiteral("texts.f32"));
    if (!folder.isValid() || !writeFloats(imagePath, images) || !writeFloats(textPath, texts)) {
        *error = QStringLiteral("cannot write the features to a temporary folder");
        return {};
    }

    // LibTorch's thread count does not reach OpenBLAS, which the program sets too.
    QProcess process;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("OPENBLAS_NUM_THREADS"), QString::number(threads));
    process.setProcessEnvironment(environment);
    process.start(python, {script, QStringLiteral("--images"), imagePath, QStringLiteral("--texts"), textPath,
                           QStringLiteral("--rows"), QString::number(images.rows()),
                           QStringLiteral("--image-dim"), QString::number(images.cols()),
                           QStringLiteral("--text-dim"), QString::number(texts.cols()),
                           QStringLiteral("--epochs"), QString::number(settings.epochs),
                           QStringLiteral("--batch"), QString::number(settings.batchSize),
                           QStringLiteral("--bits"), QString::number(settings.bits),
                           QStringLiteral("--threads"), QString::number(threads)});
    if (!process.waitForFinished(-1) || process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0) {
        *error = QStringLiteral("%1 %2 failed: %3").arg(python, script,
                                                        QString::fromLocal8Bit(process.readAllStandardError()).trimmed().right(300));
        return {};
    }

    // Lines "epoch 3: 0.1234 s, CPU 0.1200 s (...)".
    std::vector<double> seconds;
    std::vector<double> cpuSeconds;
    static const QRegularExpression line(QStringLiteral("^epoch (\\d+): ([0-9.eE+-]+) s, CPU ([0-9.eE+-]+) s"),
                                         QRegularExpression::MultilineOption);
    auto matches = line.globalMatch(QString::fromLocal8Bit(process.readAllStandardOutput()));
    while (matches.hasNext()) {
        const QRegularExpressionMatch match = matches.next();
        if (match.captured(1).toInt() > 1) {
            seconds.push_back(match.captured(2).toDouble());
            cpuSeconds.push_back(match.captured(3).toDouble());
        }
    }
    if (seconds.empty())
        *error = QStringLiteral("%1 printed no epoch times").arg(script);
    return EpochTimes{median(seconds), median(cpuSeconds)};
}

void compareEpochs(const QString &label, const FeatureMatrix &images, const FeatureMatrix &texts,
                   const EsafhSettings &settings, Report &report, std::unique_ptr<HashModel> *trainedModel = nullptr)
{
    // The program's choice for this batch size, which the script copies.
    const int threads = settings.batchSize < 256 ? 1 : std::clamp(QThread::idealThreadCount(), 1, 8);

    QString error;
    const EpochTimes pytorch = pytorchEpochTimes(images, texts, settings, threads, &error);
    const QString pytorchName = QStringLiteral("PyTorch script");
    if (std::isnan(pytorch.seconds)) {
        report.note(QStringLiteral("PyTorch baseline skipped: %1").arg(error));
    } else {
        report.add(QStringLiteral("%1, PyTorch script (%2), one epoch").arg(label, scriptName(settings)),
                   pytorch.seconds, QStringLiteral("s"));
        report.add(QStringLiteral("%1, PyTorch script (%2), one epoch, CPU time").arg(label, scriptName(settings)),
                   pytorch.cpuSeconds, QStringLiteral("s"));
    }

    TimedTraining timed = trainTimed(images, texts, settings);
    if (!timed.error.isEmpty()) {
        report.note(QStringLiteral("%1: training failed: %2").arg(label, timed.error));
        return;
    }
    report.add(QStringLiteral("%1, esafh, one epoch").arg(label), median(timed.epochSeconds), QStringLiteral("s"),
               pytorch.seconds, pytorchName);
    report.add(QStringLiteral("%1, esafh, one epoch, CPU time").arg(label), median(timed.epochCpuSeconds),
               QStringLiteral("s"), pytorch.cpuSeconds, pytorchName);
    if (trainedModel)
        *trainedModel = std::move(timed.model);
}

/// Items per second of encoding `rows` one call per item and in one batched call.
void compareEncoding(const QString &label, int rows, const std::function<void(int first, int count)> &encode,
                     Report &report)
{
    const int singles = std::min(rows, 300);
    const double oneByOne = singles / medianSecondsOf(1, [&] {
        for (int i = 0; i < singles; ++i)
            encode(i, 1);
    });
    const double batched = rows / medianSecondsOf(1, [&] { encode(0, rows); });
    report.add(QStringLiteral("%1, one item per call").arg(label), oneByOne, QStringLiteral("items/s"));
    report.add(QStringLiteral("%1, %2 items in batches of 1024").arg(label).arg(rows), batched, QStringLiteral("items/s"),
               oneByOne, QStringLiteral("one per call"));
}

} // namespace

void runTrainingBenchmarks(const BenchOptions &options, Report &report)
{
    report.section(QStringLiteral("Training and encoding, Tux Paint stamps"));
    QString error;
    const PreparedDataset *prepared = tuxPaintDataset(&error);
    if (!prepared) {
        report.note(QStringLiteral("Skipped: %1").arg(error));
        return;
    }

    const std::vector<int> &training = prepared->dataset.split.training;
    const FeatureMatrix images = gatherRows(prepared->imageFeatures.features, training);
    const FeatureMatrix texts = gatherRows(prepared->textFeatures, training);
    EsafhSettings settings; // 64 bits, batches of 32, the method's defaults
    settings.epochs = options.quick ? 3 : 8;
    report.note(QStringLiteral("%1 training items, %2 image and %3 text dimensions, %4 bits, batches of %5; median of "
                               "epochs 2 to %6, each with its end-of-epoch diagnostics")
                    .arg(images.rows()).arg(images.cols()).arg(texts.cols()).arg(settings.bits)
                    .arg(settings.batchSize).arg(settings.epochs));

    std::unique_ptr<HashModel> model;
    compareEpochs(QStringLiteral("%1 items").arg(images.rows()), images, texts, settings, report, &model);

    const int larger = options.quick ? 2000 : 5000;
    EsafhSettings largerSettings = settings;
    largerSettings.epochs = options.quick ? 2 : 5;
    compareEpochs(QStringLiteral("%1 items (training set repeated)").arg(larger), repeatRows(images, larger),
                  repeatRows(texts, larger), largerSettings, report);

    // The anchor DJSRH with its own settings: no text graph, a plain MLP for texts.
    EsafhSettings djsrh = EsafhSettings::forMethod(QStringLiteral("djsrh")).value();
    djsrh.epochs = settings.epochs;
    compareEpochs(QStringLiteral("%1 items, DJSRH").arg(images.rows()), images, texts, djsrh, report);
    if (!options.quick) {
        djsrh.epochs = largerSettings.epochs;
        compareEpochs(QStringLiteral("%1 items (training set repeated), DJSRH").arg(larger), repeatRows(images, larger),
                      repeatRows(texts, larger), djsrh, report);
    }

    if (!model)
        return;
    const int rows = options.quick ? 20000 : 100000;
    const FeatureMatrix manyImages = repeatRows(images, rows);
    const FeatureMatrix manyTexts = repeatRows(texts, rows);
    compareEncoding(QStringLiteral("Image encoding"), rows, [&](int first, int count) {
        model->encodeImages(manyImages.middleRows(first, count));
    }, report);
    compareEncoding(QStringLiteral("Text encoding (with neighbours among the training texts)"), rows,
                    [&](int first, int count) { model->encodeTexts(manyTexts.middleRows(first, count)); }, report);
}

} // namespace esafh::bench
