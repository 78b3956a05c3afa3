// esafh-backbone-throughput: images per second of each image backbone, measured
// on real images with an empty feature cache, so that every image is decoded,
// resized and described.

#include "data/dataset.h"
#include "features/image_extractor.h"
#include "features/image_features.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QLoggingCategory>
#include <QTemporaryDir>
#include <QTextStream>
#include <QThread>

using namespace esafh;

namespace {

QStringList imageFiles(const QString &folder, int count)
{
    QStringList paths;
    QDirIterator it(folder, {QStringLiteral("*.png"), QStringLiteral("*.jpg"), QStringLiteral("*.jpeg")}, QDir::Files,
                    QDirIterator::Subdirectories);
    while (it.hasNext())
        paths << it.next();
    paths.sort();
    return paths.mid(0, count);
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("esafh-backbone-throughput"));
    QLoggingCategory::setFilterRules(QStringLiteral("esafh.*.info=false\nesafh.*.warning=false"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Measures the image feature extraction speed of each backbone in images "
                                                    "per second, with an empty cache, and prints a Markdown table."));
    parser.addHelpOption();
    parser.addOption({QStringLiteral("images"), QStringLiteral("Folder searched for PNG and JPEG files (default the Tux Paint stamps)."),
                      QStringLiteral("FOLDER"), QStringLiteral("/usr/share/tuxpaint/stamps")});
    parser.addOption({QStringLiteral("count"), QStringLiteral("Images to describe per backbone (default 160)."),
                      QStringLiteral("N"), QStringLiteral("160")});
    parser.addOption({QStringLiteral("layer"),
                      QStringLiteral("Output layer of every network backbone measured, as esafh-cli --layer takes it "
                                     "(default each backbone's own)."),
                      QStringLiteral("NAME")});
    parser.addOption({QStringLiteral("backbone"),
                      QStringLiteral("Backbone to measure, as esafh-cli --backbone takes it; may be repeated "
                                     "(default handcrafted and mobilenetv2)."),
                      QStringLiteral("NAME")});
    parser.process(app);

    const QStringList paths = imageFiles(parser.value(QStringLiteral("images")), parser.value(QStringLiteral("count")).toInt());
    if (paths.isEmpty()) {
        QTextStream(stderr) << "No PNG or JPEG files in " << parser.value(QStringLiteral("images")) << ".\n";
        return 1;
    }
    Dataset dataset;
    for (const QString &path : paths)
        dataset.items.push_back(DatasetItem{path, {}, {}});

    QStringList names = parser.values(QStringLiteral("backbone"));
    if (names.isEmpty())
        names = {QStringLiteral("handcrafted"), QStringLiteral("mobilenetv2")};

    QTextStream out(stdout);
    out << "Images: " << paths.size() << " from " << parser.value(QStringLiteral("images")) << ", "
        << QThread::idealThreadCount() << " hardware threads\n\n"
        << "| Backbone | Features | Device | Load (s) | Images/s |\n|---|---:|---|---:|---:|\n";
    for (const QString &name : names) {
        Result<BackboneSpec> spec = BackboneSpec::parse(name);
        if (!spec) {
            QTextStream(stderr) << spec.error() << "\n";
            return 2;
        }
        if (spec->kind != BackboneSpec::handcrafted)
            spec->layer = parser.value(QStringLiteral("layer"));

        QElapsedTimer timer;
        timer.start();
        Result<std::unique_ptr<ImageFeatureExtractor>> extractor = createImageFeatureExtractor(spec.value());
        const double loadSeconds = timer.elapsed() / 1000.0;
        if (!extractor) {
            out << "| " << name << " | not available: " << extractor.error() << " | | | |\n";
            continue;
        }

        QTemporaryDir cache;
        const Result<ImageFeatureSet> features = extractImageFeatures(dataset, *extractor.value(), cache.path());
        if (!features || features->computedCount == 0) {
            out << "| " << name << " | failed: " << (features ? features->failureMessages.join(QLatin1Char(' ')) : features.error())
                << " | | | |\n";
            continue;
        }
        out << "| " << spec->displayName() << " | " << extractor.value()->dimension() << " | " << features->deviceName << " | "
            << QString::number(loadSeconds, 'f', 2) << " | "
            << QString::number(features->computedCount / features->computeSeconds, 'f', 1) << " |\n";
        out.flush();
    }
    return 0;
}
