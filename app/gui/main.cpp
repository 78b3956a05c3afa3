#include "evaluate_page.h"
#include "main_window.h"
#include "session.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QFileInfo>

#include <cstdio>
#include <cstdlib>

namespace {

struct StartupFiles
{
    QString dataset;
    QString model;
    QString comparison;
};

// Parses the command line; exits with a message on an unknown option or a missing file.
StartupFiles parseArguments(const QCoreApplication &application)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QApplication::translate(
        "main", "Desktop explorer for unsupervised cross-modal hashing: train ESAFH, inspect its similarity "
                "matrices and search image-text collections."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption datasetOption(
        QStringLiteral("dataset"),
        QApplication::translate("main", "Dataset to open on start: a folder of images with captions, an MS-COCO "
                                        "release or a dataset file."),
        QStringLiteral("PATH"));
    const QCommandLineOption modelOption(QStringLiteral("model"),
                                         QApplication::translate("main", "Model file to open on start."),
                                         QStringLiteral("MODEL"));
    const QCommandLineOption comparisonOption(
        QStringLiteral("comparison"),
        QApplication::translate("main", "Comparison folder (written by esafh-cli compare) to show on the Evaluate screen."),
        QStringLiteral("DIR"));
    parser.addOption(datasetOption);
    parser.addOption(modelOption);
    parser.addOption(comparisonOption);
    parser.process(application);

    if (!parser.positionalArguments().isEmpty()) {
        std::fprintf(stderr, "%s\n",
                     qPrintable(QApplication::translate("main", "Unexpected argument %1. Use --dataset PATH or --model MODEL.")
                                    .arg(parser.positionalArguments().constFirst())));
        std::exit(2);
    }

    StartupFiles files{parser.value(datasetOption), parser.value(modelOption), parser.value(comparisonOption)};
    for (const QString &path : {files.dataset, files.model, files.comparison}) {
        if (!path.isEmpty() && !QFileInfo::exists(path)) {
            std::fprintf(stderr, "%s\n", qPrintable(QApplication::translate("main", "%1 not found. Check the path.").arg(path)));
            std::exit(2);
        }
    }
    return files;
}

// Whether the command line requests only help or the version, which need no display.
bool requestsTextOnly(int argc, char *argv[])
{
    for (int i = 1; i < argc; ++i) {
        const QByteArray argument(argv[i]);
        if (argument == "-h" || argument == "--help" || argument == "--help-all" || argument == "-v" ||
            argument == "--version") {
            return true;
        }
    }
    return false;
}

void setApplicationNames()
{
    QCoreApplication::setOrganizationName(QStringLiteral("esafh"));
    QCoreApplication::setApplicationName(QStringLiteral("esafh"));
    QCoreApplication::setApplicationVersion(QStringLiteral(ESAFH_VERSION));
}

} // namespace

int main(int argc, char *argv[])
{
    if (requestsTextOnly(argc, argv)) {
        QCoreApplication application(argc, argv);
        setApplicationNames();
        parseArguments(application); // Prints and exits.
        return 0;
    }

    QApplication application(argc, argv);
    setApplicationNames();
    QApplication::setApplicationDisplayName(QStringLiteral("esafh"));

    const StartupFiles files = parseArguments(application);

    esafh::ui::MainWindow window;
    window.show();

    // The dataset first, so that opening the model does not also open the dataset it records.
    if (!files.dataset.isEmpty())
        window.session()->openDataset(files.dataset);
    if (!files.model.isEmpty()) {
        window.session()->openModel(files.model);
        window.showScreen(esafh::ui::MainWindow::SearchScreen);
    }
    // A comparison that cannot be read leaves its message on the Evaluate screen.
    if (!files.comparison.isEmpty() && window.evaluatePage()->openComparison(files.comparison))
        window.showScreen(esafh::ui::MainWindow::EvaluateScreen);

    return QApplication::exec();
}
