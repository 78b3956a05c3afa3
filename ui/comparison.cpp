#include "comparison.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStringBuilder>

#include <cmath>

namespace esafh::ui {

namespace {

const QString comparisonFormat = QStringLiteral("esafh-comparison");
const QString runFormat = QStringLiteral("esafh-run");
constexpr int supportedVersion = 1;

/// Reads the values of a JSON file, keeping the first error with the file name and
/// the key path at fault.
class JsonReader
{
public:
    explicit JsonReader(QString path) : m_path(std::move(path)) {}

    bool failed() const { return !m_error.isEmpty(); }
    const QString &error() const { return m_error; }

    void fail(const QString &message)
    {
        if (m_error.isEmpty())
            m_error = QStringLiteral("%1: %2").arg(QDir::toNativeSeparators(m_path), message);
    }

    QJsonObject object(const QJsonObject &parent, const QString &key, const QString &where, bool required = true)
    {
        const QJsonValue value = parent.value(key);
        if (value.isUndefined() && !required)
            return {};
        if (!value.isObject())
            fail(QStringLiteral("\"%1%2\" is missing or not an object.").arg(where, key));
        return value.toObject();
    }

    QJsonArray array(const QJsonObject &parent, const QString &key, const QString &where, bool required = true)
    {
        const QJsonValue value = parent.value(key);
        if (value.isUndefined() && !required)
            return {};
        if (!value.isArray())
            fail(QStringLiteral("\"%1%2\" is missing or not an array.").arg(where, key));
        return value.toArray();
    }

    QString string(const QJsonObject &parent, const QString &key, const QString &where, bool required = true)
    {
        const QJsonValue value = parent.value(key);
        if (value.isUndefined() && !required)
            return {};
        if (!value.isString())
            fail(QStringLiteral("\"%1%2\" is missing or not a string.").arg(where, key));
        return value.toString();
    }

    /// A number; JSON null reads as NaN, for scores a run did not compute.
    double number(const QJsonObject &parent, const QString &key, const QString &where, bool required = true)
    {
        const QJsonValue value = parent.value(key);
        if ((value.isUndefined() && !required) || value.isNull())
            return std::numeric_limits<double>::quiet_NaN();
        if (!value.isDouble()) {
            fail(QStringLiteral("\"%1%2\" is missing or not a number.").arg(where, key));
            return std::numeric_limits<double>::quiet_NaN();
        }
        return value.toDouble();
    }

    int integer(const QJsonObject &parent, const QString &key, const QString &where, bool required = true)
    {
        const double value = number(parent, key, where, required);
        if (std::isnan(value))
            return 0;
        if (value != std::floor(value)) {
            fail(QStringLiteral("\"%1%2\" is %3, not a whole number.").arg(where, key).arg(value));
            return 0;
        }
        return static_cast<int>(value);
    }

private:
    QString m_path;
    QString m_error;
};

Result<QJsonObject> readJsonObject(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return Result<QJsonObject>::failure(
            QStringLiteral("Cannot open %1: %2").arg(QDir::toNativeSeparators(path), file.errorString()));
    }

    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        return Result<QJsonObject>::failure(QStringLiteral("%1 is not valid JSON: %2 at byte %3.")
                                                .arg(QDir::toNativeSeparators(path), parseError.errorString())
                                                .arg(parseError.offset));
    }
    if (!document.isObject())
        return Result<QJsonObject>::failure(QStringLiteral("%1 does not contain a JSON object.").arg(QDir::toNativeSeparators(path)));
    return document.object();
}

Status checkFormat(const QJsonObject &root, const QString &path, const QString &expected)
{
    const QString format = root.value(QStringLiteral("format")).toString();
    if (format != expected) {
        const QString found = format.isEmpty() ? QStringLiteral("no \"format\" key") : QStringLiteral("format \"%1\"").arg(format);
        return Status::failure(QStringLiteral("%1 has %2; expected format \"%3\".")
                                   .arg(QDir::toNativeSeparators(path), found, expected));
    }
    const int version = root.value(QStringLiteral("version")).toInt(-1);
    if (version != supportedVersion) {
        return Status::failure(QStringLiteral("%1 has format version %2; this program reads version %3.")
                                   .arg(QDir::toNativeSeparators(path), root.value(QStringLiteral("version")).toVariant().toString())
                                   .arg(supportedVersion));
    }
    return Status::success();
}

MeanStd readMeanStd(JsonReader &reader, const QJsonObject &parent, const QString &key, const QString &where)
{
    const QJsonObject object = reader.object(parent, key, where);
    const QString inner = where + key + QLatin1Char('.');
    return {reader.number(object, QStringLiteral("mean"), inner), reader.number(object, QStringLiteral("std"), inner)};
}

void readDirections(JsonReader &reader, const QJsonObject &parent, const QString &key, const QString &where,
                    MeanStd scores[2])
{
    const QJsonObject object = reader.object(parent, key, where);
    for (Direction direction : {Direction::ImageToText, Direction::TextToImage})
        scores[int(direction)] = readMeanStd(reader, object, directionKey(direction), where + key + QLatin1Char('.'));
}

QList<QPointF> readPoints(JsonReader &reader, const QJsonArray &array, const QString &xKey, const QString &yKey,
                          const QString &where)
{
    QList<QPointF> points;
    for (int i = 0; i < array.size(); ++i) {
        const QString at = QStringLiteral("%1[%2].").arg(where).arg(i);
        const QJsonObject point = array.at(i).toObject();
        // A radius at which no query retrieves anything has no precision; drawing its 0
        // would pull the curve down to the origin.
        if (point.value(QStringLiteral("retrieving_queries")).toInt(1) == 0)
            continue;
        points.append(QPointF(reader.number(point, xKey, at), reader.number(point, yKey, at)));
    }
    return points;
}

void readCurves(JsonReader &reader, const QJsonObject &object, const QString &where, RunCurves *run, Direction direction)
{
    const int index = int(direction);
    run->precisionRecall[index] = readPoints(reader, reader.array(object, QStringLiteral("precision_recall"), where),
                                             QStringLiteral("recall"), QStringLiteral("precision"),
                                             where + QStringLiteral("precision_recall"));
    run->precisionAtK[index] = readPoints(reader, reader.array(object, QStringLiteral("precision_at_k"), where),
                                          QStringLiteral("k"), QStringLiteral("precision"),
                                          where + QStringLiteral("precision_at_k"));
}

RunCurves *findRun(QList<RunCurves> &runs, const QString &method, const QString &variant, int bits, int seed)
{
    for (RunCurves &run : runs) {
        if (run.method == method && run.variant == variant && run.bits == bits && run.seed == seed)
            return &run;
    }
    return nullptr;
}

void readProtocol(JsonReader &reader, const QJsonObject &object, ComparisonProtocol *protocol)
{
    const QString where = QStringLiteral("protocol.");
    protocol->ranking = reader.string(object, QStringLiteral("ranking"), where, false);
    protocol->ties = reader.string(object, QStringLiteral("ties"), where);
    protocol->relevance = reader.string(object, QStringLiteral("relevance"), where, false);
    protocol->k = reader.integer(object, QStringLiteral("k"), where);
    protocol->split = reader.string(object, QStringLiteral("split"), where, false);
    protocol->queries = reader.integer(object, QStringLiteral("queries"), where, false);
    protocol->database = reader.integer(object, QStringLiteral("database"), where, false);
    protocol->training = reader.integer(object, QStringLiteral("training"), where, false);
    protocol->validation = reader.integer(object, QStringLiteral("validation"), where, false);
}

QString csvNumber(double value)
{
    return std::isnan(value) ? QString() : QString::number(value, 'g', 10);
}

QString csvField(const QString &text)
{
    if (!text.contains(QLatin1Char(',')) && !text.contains(QLatin1Char('"')) && !text.contains(QLatin1Char('\n')))
        return text;
    QString quoted = text;
    quoted.replace(QLatin1Char('"'), QStringLiteral("\"\""));
    return QLatin1Char('"') + quoted + QLatin1Char('"');
}

QString latexEscape(QString text)
{
    text.replace(QLatin1Char('\\'), QStringLiteral("\\textbackslash{}"));
    for (const char *special : {"&", "%", "$", "#", "_", "{", "}"})
        text.replace(QLatin1String(special), QLatin1Char('\\') + QLatin1String(special));
    return text;
}

QString latexScore(const MeanStd &score)
{
    if (std::isnan(score.mean))
        return QStringLiteral("--");
    if (std::isnan(score.std))
        return QString::number(score.mean, 'f', 4);
    return QStringLiteral("%1 $\\pm$ %2").arg(score.mean, 0, 'f', 4).arg(score.std, 0, 'f', 4);
}

QJsonObject meanStdJson(const MeanStd &score)
{
    auto number = [](double value) { return std::isnan(value) ? QJsonValue() : QJsonValue(value); };
    return {{QStringLiteral("mean"), number(score.mean)}, {QStringLiteral("std"), number(score.std)}};
}

QJsonObject directionsJson(const MeanStd scores[2])
{
    return {{QStringLiteral("i2t"), meanStdJson(scores[0])}, {QStringLiteral("t2i"), meanStdJson(scores[1])}};
}

QJsonArray pointsJson(const QList<QPointF> &points, const QString &xKey)
{
    QJsonArray array;
    for (const QPointF &point : points)
        array.append(QJsonObject{{xKey, point.x()}, {QStringLiteral("precision"), point.y()}});
    return array;
}

/// Takes what a run record's "split" object states about the protocol. The record
/// copies the split as used, so each set may be a count or a list of item indices.
void readRecordSplit(const QJsonObject &split, ComparisonProtocol *protocol)
{
    for (const char *key : {"kind", "mode", "method", "split"}) {
        if (split.value(QLatin1String(key)).isString()) {
            protocol->split = split.value(QLatin1String(key)).toString();
            break;
        }
    }

    auto count = [&split](std::initializer_list<const char *> keys) {
        for (const char *key : keys) {
            const QJsonValue value = split.value(QLatin1String(key));
            if (value.isArray())
                return int(value.toArray().size());
            if (value.isDouble())
                return value.toInt();
        }
        return 0;
    };
    protocol->queries = count({"queries", "query"});
    protocol->database = count({"database"});
    protocol->training = count({"training"});
    protocol->validation = count({"validation"});
}

} // namespace

QString directionKey(Direction direction)
{
    return direction == Direction::ImageToText ? QStringLiteral("i2t") : QStringLiteral("t2i");
}

QString RunCurves::displayName() const
{
    QString name = method;
    if (!variant.isEmpty())
        name += QStringLiteral(" (%1)").arg(variant);
    name += QStringLiteral(" %1 bits").arg(bits);
    if (seed > 0)
        name += QStringLiteral(", seed %1").arg(seed);
    return name;
}

QString settingsSummary(const EsafhSettings &settings)
{
    auto onOff = [](bool value) { return value ? QStringLiteral("on") : QStringLiteral("off"); };
    return QStringLiteral("%1, %2 bits, %3 epochs, batch %4, seed %5; neighbour enrichment %6, learned text encoder %7, "
                          "cross-modal term %8, neighbour coherence %9, attention fusion %10")
        .arg(settings.method)
        .arg(settings.bits)
        .arg(settings.epochs)
        .arg(settings.batchSize)
        .arg(settings.seed)
        .arg(onOff(settings.neighbourEnrichment), onOff(settings.learnedTextEncoder), onOff(settings.crossModalTerm),
             onOff(settings.neighbourCoherence), onOff(settings.attentionFusion));
}

QString Comparison::protocolText() const
{
    QStringList parts;
    parts << QStringLiteral("Ranking by %1").arg(protocol.ranking.isEmpty() ? QStringLiteral("Hamming distance") : protocol.ranking);
    if (!protocol.ties.isEmpty())
        parts << QStringLiteral("ties %1").arg(protocol.ties);
    parts << QStringLiteral("relevant when it %1").arg(protocol.relevance.isEmpty() ? QStringLiteral("shares a label") : protocol.relevance);
    if (protocol.k > 0)
        parts << QStringLiteral("K = %1").arg(protocol.k);
    if (!protocol.split.isEmpty())
        parts << QStringLiteral("%1 split").arg(protocol.split);
    if (protocol.queries > 0 || protocol.database > 0)
        parts << QStringLiteral("%1 queries, %2 database items").arg(protocol.queries).arg(protocol.database);
    if (!seeds.isEmpty())
        parts << (seeds.size() == 1 ? QStringLiteral("1 seed") : QStringLiteral("%1 seeds").arg(seeds.size()));
    return parts.join(QStringLiteral(", ")) + QLatin1Char('.');
}

Result<Comparison> readComparison(const QString &path)
{
    // A path that is no JSON file names the folder that esafh-cli compare wrote.
    QString filePath = path;
    if (QFileInfo(path).isDir() || !path.endsWith(QLatin1String(".json"), Qt::CaseInsensitive))
        filePath = QDir(path).filePath(QStringLiteral("results.json"));

    Result<QJsonObject> root = readJsonObject(filePath);
    if (!root)
        return Result<Comparison>::failure(root.error());
    if (Status status = checkFormat(root.value(), filePath, comparisonFormat); !status)
        return Result<Comparison>::failure(status.error());

    JsonReader reader(filePath);
    Comparison comparison;
    comparison.source = filePath;
    comparison.datasetName = reader.string(root.value(), QStringLiteral("dataset_name"), QString(), false);
    if (comparison.datasetName.isEmpty())
        comparison.datasetName = reader.string(root.value(), QStringLiteral("dataset"), QString(), false);
    readProtocol(reader, reader.object(root.value(), QStringLiteral("protocol"), QString()), &comparison.protocol);
    for (const QJsonValue &seed : reader.array(root.value(), QStringLiteral("seeds"), QString(), false))
        comparison.seeds.append(seed.toInt());
    comparison.epochs = reader.integer(root.value(), QStringLiteral("epochs"), QString(), false);
    comparison.backbone = reader.string(root.value(), QStringLiteral("backbone"), QString(), false);

    const QJsonArray rows = reader.array(root.value(), QStringLiteral("rows"), QString());
    for (int i = 0; i < rows.size() && !reader.failed(); ++i) {
        const QString where = QStringLiteral("rows[%1].").arg(i);
        const QJsonObject object = rows.at(i).toObject();
        ComparisonRow row;
        row.method = reader.string(object, QStringLiteral("method"), where);
        row.variant = reader.string(object, QStringLiteral("variant"), where, false);
        row.bits = reader.integer(object, QStringLiteral("bits"), where);
        row.seeds = reader.integer(object, QStringLiteral("seeds"), where, false);
        readDirections(reader, object, QStringLiteral("map_all"), where, row.mapAll);
        readDirections(reader, object, QStringLiteral("map_at_k"), where, row.mapAtK);
        for (const QJsonValue &run : reader.array(object, QStringLiteral("runs"), where, false))
            row.runs.append(run.toString());
        comparison.rows.append(row);
    }

    const QJsonArray curves = reader.array(root.value(), QStringLiteral("curves"), QString(), false);
    for (int i = 0; i < curves.size() && !reader.failed(); ++i) {
        const QString where = QStringLiteral("curves[%1].").arg(i);
        const QJsonObject object = curves.at(i).toObject();
        const QString method = reader.string(object, QStringLiteral("method"), where);
        const QString variant = reader.string(object, QStringLiteral("variant"), where, false);
        const int bits = reader.integer(object, QStringLiteral("bits"), where);
        const int seed = reader.integer(object, QStringLiteral("seed"), where, false);
        const QString directionName = reader.string(object, QStringLiteral("direction"), where);
        if (directionName != QLatin1String("i2t") && directionName != QLatin1String("t2i")) {
            reader.fail(QStringLiteral("\"%1direction\" is \"%2\"; expected \"i2t\" or \"t2i\".").arg(where, directionName));
            break;
        }

        RunCurves *run = findRun(comparison.runs, method, variant, bits, seed);
        if (!run) {
            comparison.runs.append(RunCurves{QString(), method, variant, bits, seed, comparison.source, QString(), {}, {}});
            run = &comparison.runs.last();
            run->id = comparison.source + QLatin1Char('#') + run->displayName();
        }
        readCurves(reader, object, where,
                   run, directionName == QLatin1String("i2t") ? Direction::ImageToText : Direction::TextToImage);
    }

    if (reader.failed())
        return Result<Comparison>::failure(reader.error());
    return comparison;
}

Result<Comparison> readRunRecord(const QString &path)
{
    Result<QJsonObject> root = readJsonObject(path);
    if (!root)
        return Result<Comparison>::failure(root.error());
    if (Status status = checkFormat(root.value(), path, runFormat); !status)
        return Result<Comparison>::failure(status.error());

    JsonReader reader(path);
    Comparison comparison;
    comparison.source = path;
    comparison.datasetName = reader.string(root.value(), QStringLiteral("dataset"), QString(), false);
    comparison.backbone = reader.string(root.value(), QStringLiteral("backbone"), QString(), false);
    const int seed = reader.integer(root.value(), QStringLiteral("seed"), QString(), false);
    comparison.seeds = {seed};
    comparison.epochs = reader.array(root.value(), QStringLiteral("epochs"), QString(), false).size();

    const QJsonObject split = reader.object(root.value(), QStringLiteral("split"), QString(), false);
    readRecordSplit(split, &comparison.protocol);

    ComparisonRow row;
    row.method = reader.string(root.value(), QStringLiteral("method"), QString());
    row.variant = reader.string(root.value(), QStringLiteral("variant"), QString(), false);
    row.bits = reader.integer(root.value(), QStringLiteral("bits"), QString());
    row.seeds = 1;
    row.runs = {QFileInfo(path).fileName()};

    const QJsonObject scores = reader.object(root.value(), QStringLiteral("scores"), QString());
    comparison.protocol.k = reader.integer(scores, QStringLiteral("k"), QStringLiteral("scores."));
    comparison.protocol.ties = reader.string(scores, QStringLiteral("ties"), QStringLiteral("scores."));
    const QJsonObject mapAll = reader.object(scores, QStringLiteral("map_all"), QStringLiteral("scores."));
    const QJsonObject mapAtK = reader.object(scores, QStringLiteral("map_at_k"), QStringLiteral("scores."));
    for (Direction direction : {Direction::ImageToText, Direction::TextToImage}) {
        const int index = int(direction);
        row.mapAll[index] = {reader.number(mapAll, directionKey(direction), QStringLiteral("scores.map_all.")), 0.0};
        row.mapAtK[index] = {reader.number(mapAtK, directionKey(direction), QStringLiteral("scores.map_at_k.")), 0.0};
    }
    comparison.rows = {row};

    RunCurves run{path, row.method, row.variant, row.bits, seed, path, QString(), {}, {}};
    if (const QJsonObject settings = reader.object(root.value(), QStringLiteral("settings"), QString(), false); !settings.isEmpty()) {
        const Result<EsafhSettings> parsed = EsafhSettings::fromJson(settings);
        run.settings = parsed ? settingsSummary(parsed.value()) : QString::fromUtf8(QJsonDocument(settings).toJson(QJsonDocument::Compact));
    }
    const QJsonObject curves = reader.object(root.value(), QStringLiteral("curves"), QString(), false);
    for (Direction direction : {Direction::ImageToText, Direction::TextToImage}) {
        const QString key = directionKey(direction);
        if (curves.contains(key))
            readCurves(reader, reader.object(curves, key, QStringLiteral("curves.")), QStringLiteral("curves.%1.").arg(key), &run, direction);
    }
    comparison.runs = {run};

    if (reader.failed())
        return Result<Comparison>::failure(reader.error());
    return comparison;
}

QString comparisonCsv(const Comparison &comparison)
{
    const ComparisonProtocol &protocol = comparison.protocol;
    QString csv = QStringLiteral(
        "method,variant,bits,seeds,ranking,ties,relevance,k,split,queries,database,training,validation,"
        "map_all_i2t_mean,map_all_i2t_std,map_all_t2i_mean,map_all_t2i_std,"
        "map_at_k_i2t_mean,map_at_k_i2t_std,map_at_k_t2i_mean,map_at_k_t2i_std\n");
    for (const ComparisonRow &row : comparison.rows) {
        QStringList fields{csvField(row.method), csvField(row.variant), QString::number(row.bits), QString::number(row.seeds),
                           csvField(protocol.ranking), csvField(protocol.ties), csvField(protocol.relevance),
                           QString::number(protocol.k), csvField(protocol.split), QString::number(protocol.queries),
                           QString::number(protocol.database), QString::number(protocol.training),
                           QString::number(protocol.validation)};
        for (const MeanStd *scores : {row.mapAll, row.mapAtK}) {
            for (int direction = 0; direction < 2; ++direction)
                fields << csvNumber(scores[direction].mean) << csvNumber(scores[direction].std);
        }
        csv += fields.join(QLatin1Char(',')) + QLatin1Char('\n');
    }
    return csv;
}

QByteArray comparisonJson(const Comparison &comparison)
{
    const ComparisonProtocol &protocol = comparison.protocol;
    QJsonObject root{
        {QStringLiteral("format"), comparisonFormat},
        {QStringLiteral("version"), supportedVersion},
        {QStringLiteral("dataset"), comparison.datasetName},
        {QStringLiteral("dataset_name"), comparison.datasetName},
        {QStringLiteral("protocol"),
         QJsonObject{{QStringLiteral("ranking"), protocol.ranking}, {QStringLiteral("ties"), protocol.ties},
                     {QStringLiteral("relevance"), protocol.relevance}, {QStringLiteral("k"), protocol.k},
                     {QStringLiteral("split"), protocol.split}, {QStringLiteral("queries"), protocol.queries},
                     {QStringLiteral("database"), protocol.database}, {QStringLiteral("training"), protocol.training},
                     {QStringLiteral("validation"), protocol.validation}}},
        {QStringLiteral("epochs"), comparison.epochs},
        {QStringLiteral("backbone"), comparison.backbone},
    };

    QJsonArray seeds;
    for (int seed : comparison.seeds)
        seeds.append(seed);
    root.insert(QStringLiteral("seeds"), seeds);

    QJsonArray rows;
    for (const ComparisonRow &row : comparison.rows) {
        rows.append(QJsonObject{{QStringLiteral("method"), row.method},
                                {QStringLiteral("variant"), row.variant},
                                {QStringLiteral("bits"), row.bits},
                                {QStringLiteral("seeds"), row.seeds},
                                {QStringLiteral("map_all"), directionsJson(row.mapAll)},
                                {QStringLiteral("map_at_k"), directionsJson(row.mapAtK)},
                                {QStringLiteral("runs"), QJsonArray::fromStringList(row.runs)}});
    }
    root.insert(QStringLiteral("rows"), rows);

    QJsonArray curves;
    for (const RunCurves &run : comparison.runs) {
        for (Direction direction : {Direction::ImageToText, Direction::TextToImage}) {
            const int index = int(direction);
            QJsonArray precisionRecall;
            for (const QPointF &point : run.precisionRecall[index])
                precisionRecall.append(QJsonObject{{QStringLiteral("recall"), point.x()}, {QStringLiteral("precision"), point.y()}});
            curves.append(QJsonObject{{QStringLiteral("method"), run.method},
                                      {QStringLiteral("variant"), run.variant},
                                      {QStringLiteral("bits"), run.bits},
                                      {QStringLiteral("seed"), run.seed},
                                      {QStringLiteral("direction"), directionKey(direction)},
                                      {QStringLiteral("precision_recall"), precisionRecall},
                                      {QStringLiteral("precision_at_k"), pointsJson(run.precisionAtK[index], QStringLiteral("k"))}});
        }
    }
    root.insert(QStringLiteral("curves"), curves);
    return QJsonDocument(root).toJson(QJsonDocument::Indented);
}

QString comparisonLatex(const Comparison &comparison)
{
    const ComparisonProtocol &protocol = comparison.protocol;
    QString tex;
    tex += QStringLiteral("\\begin{table}\n\\centering\n\\begin{tabular}{llrcccc}\n\\toprule\n");
    tex += QStringLiteral("Method & Variant & Bits & mAP@all i2t & mAP@all t2i & mAP@%1 i2t & mAP@%1 t2i \\\\\n\\midrule\n")
               .arg(protocol.k);
    for (const ComparisonRow &row : comparison.rows) {
        tex += QStringLiteral("%1 & %2 & %3 & %4 & %5 & %6 & %7 \\\\\n")
                   .arg(latexEscape(row.method), latexEscape(row.variant))
                   .arg(row.bits)
                   .arg(latexScore(row.mapAll[0]), latexScore(row.mapAll[1]), latexScore(row.mapAtK[0]),
                        latexScore(row.mapAtK[1]));
    }
    tex += QStringLiteral("\\bottomrule\n\\end{tabular}\n");
    tex += QStringLiteral("\\caption{%1}\n\\end{table}\n").arg(latexEscape(comparison.protocolText()));
    return tex;
}

QString formatMeanStd(const MeanStd &score)
{
    if (std::isnan(score.mean))
        return QStringLiteral("–");
    if (std::isnan(score.std))
        return QString::number(score.mean, 'f', 4);
    return QStringLiteral("%1 ± %2").arg(score.mean, 0, 'f', 4).arg(score.std, 0, 'f', 4);
}

} // namespace esafh::ui
