// esafh-bench: measures search, encoding and training speed and memory, printing
// one line per measure with its ratio to a baseline measured in the same run.

#include "bench_report.h"
#include "bench_sections.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QLoggingCategory>
#include <QTextStream>

using namespace esafh::bench;

namespace {

const QStringList sectionNames = {QStringLiteral("search"), QStringLiteral("training"), QStringLiteral("text-query"),
                                  QStringLiteral("scaling")};

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("esafh-bench"));
    QLoggingCategory::setFilterRules(QStringLiteral("esafh.*.info=false"));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Measures the speed and memory of esafh's search, encoding and training. Each line reads "
                       "\"name: value unit (ratio x baseline)\", with the baseline measured in the same run."));
    parser.addHelpOption();
    const QCommandLineOption quick(QStringLiteral("quick"), QStringLiteral("Smaller sizes; about a minute in all."));
    const QCommandLineOption markdown(QStringLiteral("markdown"), QStringLiteral("Print Markdown tables."));
    const QCommandLineOption only(QStringLiteral("only"),
                                  QStringLiteral("Run only this section (%1); may be repeated.")
                                      .arg(sectionNames.join(QStringLiteral(", "))),
                                  QStringLiteral("section"));
    QCommandLineOption child(QStringLiteral("child"), QStringLiteral("Internal: run one scaling stage."),
                                   QStringLiteral("stage"));
    QCommandLineOption items(QStringLiteral("items"), QStringLiteral("Internal: items of a scaling stage."),
                                   QStringLiteral("count"));
    child.setFlags(QCommandLineOption::HiddenFromHelp);
    items.setFlags(QCommandLineOption::HiddenFromHelp);
    parser.addOptions({quick, markdown, only, child, items});
    parser.process(app);

    if (parser.isSet(child))
        return runScalingChild(parser.value(child), parser.value(items).toInt());

    BenchOptions options;
    options.quick = parser.isSet(quick);
    options.markdown = parser.isSet(markdown);
    options.sections = parser.values(only);
    for (const QString &section : options.sections) {
        if (!sectionNames.contains(section)) {
            QTextStream(stderr) << "Unknown section \"" << section << "\": expected one of "
                                << sectionNames.join(QStringLiteral(", ")) << ".\n";
            return 2;
        }
    }

    Report report(options.markdown);
    const auto wanted = [&](const QString &section) { return options.sections.isEmpty() || options.sections.contains(section); };
    if (wanted(QStringLiteral("search")))
        runSearchBenchmarks(options, report);
    if (wanted(QStringLiteral("training")))
        runTrainingBenchmarks(options, report);
    if (wanted(QStringLiteral("text-query")))
        runTextQueryBenchmark(options, report);
    if (wanted(QStringLiteral("scaling")))
        runScalingBenchmarks(options, report);
    return 0;
}
