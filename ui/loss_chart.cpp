#include "loss_chart.h"

#include <QJsonObject>
#include <QLegendMarker>
#include <QLineSeries>
#include <QValueAxis>

#include <algorithm>
#include <cmath>
#include <iterator>

namespace esafh::ui {

namespace {

// Colours of the loss-term series, distinct from the two loss series and from each
// other (the Tableau 10 palette without its blue and grey).
const QColor termColours[] = {QColor(255, 127, 14), QColor(44, 160, 44), QColor(214, 39, 40), QColor(148, 103, 189),
                              QColor(140, 86, 75), QColor(227, 119, 194), QColor(188, 189, 34), QColor(23, 190, 207)};

// Approximate maximum of batch points per run, so that long runs keep repainting
// quickly. Beyond it only every k-th batch is plotted.
constexpr int maxBatchPoints = 4000;

} // namespace

LossChart::LossChart(QWidget *parent) : QChartView(parent)
{
    auto *chart = new QChart;
    chart->setTitle(tr("Training loss"));
    chart->legend()->setAlignment(Qt::AlignBottom);
    chart->setMargins(QMargins(4, 4, 4, 4));

    m_epochAxis = new QValueAxis;
    m_epochAxis->setTitleText(tr("Epoch"));
    m_epochAxis->setLabelFormat(QStringLiteral("%d"));
    m_lossAxis = new QValueAxis;
    m_lossAxis->setTitleText(tr("Loss"));
    chart->addAxis(m_epochAxis, Qt::AlignBottom);
    chart->addAxis(m_lossAxis, Qt::AlignLeft);

    m_batchLoss = new QLineSeries;
    m_batchLoss->setName(tr("Batch loss"));
    QPen batchPen(QColor(150, 150, 150));
    batchPen.setWidthF(1.0);
    m_batchLoss->setPen(batchPen);

    m_epochLoss = new QLineSeries;
    m_epochLoss->setName(tr("Epoch mean loss"));
    m_epochLoss->setPointsVisible(true);
    QPen epochPen(QColor(31, 119, 180));
    epochPen.setWidthF(2.5);
    m_epochLoss->setPen(epochPen);

    for (QLineSeries *series : {m_batchLoss, m_epochLoss}) {
        chart->addSeries(series);
        series->attachAxis(m_epochAxis);
        series->attachAxis(m_lossAxis);
    }

    // Validation mAP lies in [0, 1], a scale unrelated to the loss, so it has its own axis.
    m_validationAxis = new QValueAxis;
    m_validationAxis->setTitleText(tr("Validation mAP"));
    m_validationAxis->setRange(0, 1);
    chart->addAxis(m_validationAxis, Qt::AlignRight);
    m_validation = new QLineSeries;
    m_validation->setName(tr("Validation mAP"));
    m_validation->setPointsVisible(true);
    QPen validationPen(QColor(0, 0, 0));
    validationPen.setWidthF(2.0);
    validationPen.setStyle(Qt::DashLine);
    m_validation->setPen(validationPen);
    chart->addSeries(m_validation);
    m_validation->attachAxis(m_epochAxis);
    m_validation->attachAxis(m_validationAxis);

    setChart(chart);
    setRenderHint(QPainter::Antialiasing);
    setMinimumHeight(220);
    clear();
}

void LossChart::clear()
{
    m_batchLoss->clear();
    m_epochLoss->clear();
    m_validation->clear();
    for (QLineSeries *series : std::as_const(m_terms)) {
        chart()->removeSeries(series);
        delete series;
    }
    m_terms.clear();
    m_hasValues = false;
    m_lowest = 0;
    m_highest = 1;
    updateAxes();
}

void LossChart::setEpochCount(int epochs)
{
    m_epochCount = std::max(1, epochs);
    updateAxes();
}

void LossChart::addBatch(const BatchReport &report)
{
    if (report.batchCount <= 0 || !std::isfinite(report.loss))
        return;

    // Epochs and batches are counted from 1, so batch b of epoch e ends at
    // e - 1 + b / batchCount on the epoch axis.
    const int stride = 1 + m_epochCount * report.batchCount / maxBatchPoints;
    if (report.batch % stride != 0 && report.batch != report.batchCount)
        return;
    const double x = report.epoch - 1 + static_cast<double>(report.batch) / report.batchCount;
    m_batchLoss->append(x, report.loss);
    includeValue(report.loss);
    updateAxes();
}

void LossChart::addEpoch(const EpochReport &report)
{
    if (report.epochCount > 0 && report.epochCount != m_epochCount)
        m_epochCount = report.epochCount;
    if (std::isfinite(report.loss)) {
        m_epochLoss->append(report.epoch, report.loss);
        includeValue(report.loss);
    }
    for (const auto &[name, value] : report.lossTerms) {
        if (!std::isfinite(value))
            continue;
        termSeries(name)->append(report.epoch, value);
        includeValue(value);
    }
    // NaN means the run had no validation hook, or the core has not scored this epoch.
    if (std::isfinite(report.validationScore))
        m_validation->append(report.epoch, report.validationScore);
    updateAxes();
}

void LossChart::setHistory(const QJsonArray &history)
{
    clear();
    m_epochCount = std::max<int>(1, history.size());
    for (const QJsonValue &entry : history) {
        const QJsonObject epoch = entry.toObject();
        EpochReport report;
        report.epoch = epoch.value(QStringLiteral("epoch")).toInt();
        report.epochCount = static_cast<int>(history.size());
        report.loss = epoch.value(QStringLiteral("loss")).toDouble(std::nan(""));
        const QJsonObject terms = epoch.value(QStringLiteral("loss_terms")).toObject();
        for (auto term = terms.begin(); term != terms.end(); ++term)
            report.lossTerms[term.key()] = term.value().toDouble();
        report.validationScore = epoch.value(QStringLiteral("validation_map")).toDouble(std::nan(""));
        addEpoch(report);
    }
}

int LossChart::epochPointCount() const
{
    return static_cast<int>(m_epochLoss->count());
}

int LossChart::validationPointCount() const
{
    return static_cast<int>(m_validation->count());
}

int LossChart::batchPointCount() const
{
    return static_cast<int>(m_batchLoss->count());
}

QLineSeries *LossChart::termSeries(const QString &name)
{
    if (QLineSeries *series = m_terms.value(name))
        return series;

    auto *series = new QLineSeries;
    series->setName(name);
    series->setColor(termColours[m_terms.size() % std::size(termColours)]);
    chart()->addSeries(series);
    series->attachAxis(m_epochAxis);
    series->attachAxis(m_lossAxis);
    m_terms.insert(name, series);
    return series;
}

void LossChart::includeValue(double value)
{
    if (!m_hasValues) {
        m_lowest = value;
        m_highest = value;
        m_hasValues = true;
        return;
    }
    m_lowest = std::min(m_lowest, value);
    m_highest = std::max(m_highest, value);
}

void LossChart::updateAxes()
{
    // Runs without a validation hook have no validation points, so their axis would be empty.
    const bool hasValidation = m_validation->count() > 0;
    m_validationAxis->setVisible(hasValidation);
    for (QLegendMarker *marker : chart()->legend()->markers(m_validation))
        marker->setVisible(hasValidation);

    m_epochAxis->setRange(0, m_epochCount);
    m_epochAxis->setTickCount(std::min(m_epochCount, 10) + 1);

    const double padding = std::max(1e-3, (m_highest - m_lowest) * 0.05);
    m_lossAxis->setRange(m_lowest - padding, m_highest + padding);
    m_lossAxis->applyNiceNumbers();
}

} // namespace esafh::ui
