#include "commands.h"
#include "console.h"

#include <QCoreApplication>
#include <QLoggingCategory>

#include <functional>
#include <map>

namespace {

const char usage[] =
    "Usage: esafh-cli COMMAND [OPTIONS]\n"
    "\n"
    "Unsupervised cross-modal hashing with ESAFH: train on an image-text dataset,\n"
    "evaluate mAP, compare with the anchor methods, and search images and captions\n"
    "by Hamming distance.\n"
    "\n"
    "Commands:\n"
    "  backbones  List the image feature extractors available on this machine\n"
    "  import     Read a dataset folder, draw its split and write a dataset file\n"
    "  features   Extract and cache the image features of a dataset\n"
    "  train      Train a model, evaluate it and write the model file\n"
    "  evaluate   Compute mAP@all and mAP@K of a model on a dataset\n"
    "  search     Rank the model's database for a text, an image or an item\n"
    "  rerun      Train again from a run record and compare the scores\n"
    "  compare    Train several methods over code lengths and seeds; write tables\n"
    "\n"
    "Run 'esafh-cli COMMAND --help' for the options of a command.\n"
    "Set QT_LOGGING_RULES=\"esafh.*=true\" for detailed logs on standard error.\n";

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("esafh"));
    QCoreApplication::setOrganizationName(QStringLiteral("esafh"));
    QCoreApplication::setApplicationVersion(QStringLiteral(ESAFH_VERSION));

    const std::map<QString, std::function<int(const QStringList &)>> commands = {
        {QStringLiteral("backbones"), esafh::cli::runBackbones},
        {QStringLiteral("import"), esafh::cli::runImport},
        {QStringLiteral("features"), esafh::cli::runFeatures},
        {QStringLiteral("train"), esafh::cli::runTrain},
        {QStringLiteral("evaluate"), esafh::cli::runEvaluate},
        {QStringLiteral("search"), esafh::cli::runSearch},
        {QStringLiteral("rerun"), esafh::cli::runRerun},
        {QStringLiteral("compare"), esafh::cli::runCompare},
    };

    QStringList arguments = QCoreApplication::arguments();
    if (arguments.size() < 2 || arguments[1] == QStringLiteral("--help") || arguments[1] == QStringLiteral("-h")) {
        std::fputs(usage, arguments.size() < 2 ? stderr : stdout);
        return arguments.size() < 2 ? esafh::cli::ExitUsage : esafh::cli::ExitSuccess;
    }
    if (arguments[1] == QStringLiteral("--version")) {
        esafh::cli::printLine(QStringLiteral("esafh-cli %1").arg(QCoreApplication::applicationVersion()));
        return esafh::cli::ExitSuccess;
    }

    const auto command = commands.find(arguments[1]);
    if (command == commands.end()) {
        esafh::cli::printError(QStringLiteral("Unknown command \"%1\".\n").arg(arguments[1]));
        std::fputs(usage, stderr);
        return esafh::cli::ExitUsage;
    }

    // QCommandLineParser names the program from the first argument: "esafh-cli train".
    arguments[1] = arguments[0] + QLatin1Char(' ') + arguments[1];
    arguments.removeFirst();
    // The commands print their own progress and every error the core returns, so
    // the core's info and warning logs are opt-in.
    if (qEnvironmentVariableIsEmpty("QT_LOGGING_RULES"))
        QLoggingCategory::setFilterRules(QStringLiteral("esafh.*.info=false\nesafh.*.warning=false"));

    esafh::cli::installInterruptHandler();
    return command->second(arguments);
}
