#include "evaluate_page.h"

#include "comparison_table_model.h"
#include "curves_chart.h"
#include "run_list_model.h"

#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QListView>
#include <QLoggingCategory>
#include <QMenu>
#include <QPainter>
#include <QPushButton>
#include <QSaveFile>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QTime>
#include <QToolButton>
#include <QVBoxLayout>
#include <QtConcurrent>

namespace esafh::ui {

namespace {

Q_LOGGING_CATEGORY(lcEvaluate, "esafh.ui.evaluate")

// Source of a session model's run in the run list, which no file path can equal.
QString sessionRunSource(int serial)
{
    return QStringLiteral("(model %1 of this session)").arg(serial);
}

bool isSessionRunSource(const QString &source)
{
    return source.startsWith(QLatin1String("(model "));
}

bool sameProtocol(const ComparisonProtocol &a, const ComparisonProtocol &b)
{
    return a.ties == b.ties && a.k == b.k;
}

} // namespace

EvaluatePage::EvaluatePage(Session *session, QWidget *parent) : QWidget(parent), m_session(session)
{
    m_tableModel = new ComparisonTableModel(this);
    m_sortModel = new QSortFilterProxyModel(this);
    m_sortModel->setSourceModel(m_tableModel);
    m_sortModel->setSortRole(ComparisonTableModel::SortRole);
    m_runModel = new RunListModel(this);

    buildLayout();

    connect(m_runModel, &RunListModel::selectionChanged, this, &EvaluatePage::refreshCharts);
    connect(&m_evaluationWatcher, &QFutureWatcher<Result<ModelEvaluation>>::finished, this, &EvaluatePage::finishEvaluation);
    connect(m_session, &Session::modelChanged, this, [this] {
        // Another model becomes the one marked "current model"; earlier rows stay.
        refresh();
        m_evaluateButton->setEnabled(m_session->model() != nullptr);
        evaluateNewModel();
    });
    connect(m_session, &Session::datasetChanged, this, &EvaluatePage::evaluateNewModel);
    m_evaluateButton->setEnabled(m_session->model() != nullptr);
    showMessage(tr("Open a comparison folder written by esafh-cli compare, open run records, or evaluate the current model."));
    refresh();
}

EvaluatePage::~EvaluatePage()
{
    m_evaluationWatcher.waitForFinished();
}

void EvaluatePage::evaluateNewModel()
{
    if (!m_session->model() || !m_session->dataset() || hasCurrentModelRow() || m_evaluationWatcher.isRunning())
        return;
    if (m_autoEvaluatedModel == m_session->model() && m_autoEvaluatedDataset == m_session->dataset())
        return;
    m_autoEvaluatedModel = m_session->model();
    m_autoEvaluatedDataset = m_session->dataset();
    evaluateModel();
}

void EvaluatePage::buildLayout()
{
    auto *openComparisonButton = new QPushButton(tr("Open Comparison…"));
    openComparisonButton->setToolTip(tr("Open a folder with the results.json that esafh-cli compare writes."));
    connect(openComparisonButton, &QPushButton::clicked, this, &EvaluatePage::chooseComparison);

    auto *openRunsButton = new QPushButton(tr("Open Run Records…"));
    openRunsButton->setToolTip(tr("Add the scores and curves of run records (JSON files under runs/ of a comparison)."));
    connect(openRunsButton, &QPushButton::clicked, this, &EvaluatePage::chooseRunRecords);

    m_evaluateButton = new QPushButton(tr("Evaluate Current Model"));
    m_evaluateButton->setToolTip(tr("Compute mAP and both curves of the current model on the open dataset's query and database sets."));
    connect(m_evaluateButton, &QPushButton::clicked, this, &EvaluatePage::evaluateModel);

    m_exportButton = new QToolButton;
    m_exportButton->setText(tr("Export"));
    m_exportButton->setToolTip(tr("Write the table as CSV, JSON or LaTeX, or the charts as PNG."));
    m_exportButton->setPopupMode(QToolButton::InstantPopup);
    auto *exportMenu = new QMenu(m_exportButton);
    exportMenu->addAction(tr("Table and Charts…"), this, &EvaluatePage::chooseExportFile);
    m_exportButton->setMenu(exportMenu);

    m_directionBox = new QComboBox;
    m_directionBox->addItem(tr("Image → text"), int(Direction::ImageToText));
    m_directionBox->addItem(tr("Text → image"), int(Direction::TextToImage));
    m_directionBox->setToolTip(tr("Direction of the curves: image queries against database texts, or the reverse."));
    connect(m_directionBox, &QComboBox::currentIndexChanged, this, &EvaluatePage::refreshCharts);

    auto *buttons = new QHBoxLayout;
    buttons->addWidget(openComparisonButton);
    buttons->addWidget(openRunsButton);
    buttons->addWidget(m_evaluateButton);
    buttons->addWidget(m_exportButton);
    buttons->addStretch(1);
    buttons->addWidget(new QLabel(tr("Curves:")));
    buttons->addWidget(m_directionBox);

    m_message = new QLabel;
    m_message->setWordWrap(true);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_protocolLabel = new QLabel;
    m_protocolLabel->setWordWrap(true);
    m_protocolLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_table = new QTableView;
    m_table->setModel(m_sortModel);
    m_table->setSortingEnabled(true);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);

    m_runList = new QListView;
    m_runList->setModel(m_runModel);
    m_runList->setToolTip(tr("Check the runs whose curves the charts overlay."));
    m_runList->setMaximumWidth(320);

    m_precisionRecallChart = new CurvesChart(CurvesChart::Kind::PrecisionRecall);
    m_precisionAtKChart = new CurvesChart(CurvesChart::Kind::PrecisionAtK);

    auto *curves = new QWidget;
    auto *curvesLayout = new QHBoxLayout(curves);
    curvesLayout->setContentsMargins(0, 0, 0, 0);
    curvesLayout->addWidget(m_runList);
    curvesLayout->addWidget(m_precisionRecallChart, 1);
    curvesLayout->addWidget(m_precisionAtKChart, 1);

    auto *splitter = new QSplitter(Qt::Vertical);
    splitter->addWidget(m_table);
    splitter->addWidget(curves);
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 2);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(buttons);
    layout->addWidget(m_message);
    layout->addWidget(m_protocolLabel);
    layout->addWidget(splitter, 1);
}

void EvaluatePage::chooseComparison()
{
    const QString folder = QFileDialog::getExistingDirectory(this, tr("Open Comparison Folder"));
    if (!folder.isEmpty())
        openComparison(folder);
}

void EvaluatePage::chooseRunRecords()
{
    const QStringList paths = QFileDialog::getOpenFileNames(this, tr("Open Run Records"), QString(),
                                                            tr("Run records (*.json);;All files (*)"));
    for (const QString &path : paths)
        openRunRecord(path);
}

void EvaluatePage::chooseExportFile()
{
    QFileDialog dialog(this, tr("Export Evaluation"), QStringLiteral("results.csv"),
                       tr("CSV table (*.csv);;JSON comparison (*.json);;LaTeX table (*.tex);;PNG image of the charts (*.png)"));
    dialog.setAcceptMode(QFileDialog::AcceptSave);
    dialog.setDefaultSuffix(QStringLiteral("csv"));
    if (dialog.exec() == QDialog::Accepted && !dialog.selectedFiles().isEmpty())
        exportTo(dialog.selectedFiles().constFirst());
}

bool EvaluatePage::openComparison(const QString &path)
{
    Result<Comparison> comparison = readComparison(path);
    if (!comparison) {
        showError(comparison.error());
        return false;
    }

    if (!m_comparison.source.isEmpty())
        m_runModel->removeSource(m_comparison.source);
    m_comparison = std::move(comparison).value();
    for (const RunCurves &run : m_comparison.runs)
        m_runModel->addRun(run);
    // Every curve of a large comparison at once would bury the legend, so only the first four start checked.
    for (int row = 4; row < m_runModel->rowCount(); ++row)
        m_runModel->setData(m_runModel->index(row), Qt::Unchecked, Qt::CheckStateRole);

    const int rowCount = int(m_comparison.rows.size());
    showMessage(rowCount == 1 ? tr("Opened %1 with 1 row.").arg(QDir::toNativeSeparators(m_comparison.source))
                              : tr("Opened %1 with %2 rows.").arg(QDir::toNativeSeparators(m_comparison.source)).arg(rowCount));
    refresh();
    Q_EMIT comparisonOpened(path);
    return true;
}

bool EvaluatePage::openRunRecord(const QString &path)
{
    Result<Comparison> record = readRunRecord(path);
    if (!record) {
        showError(record.error());
        return false;
    }

    for (int i = 0; i < m_records.size(); ++i) {
        if (m_records[i].source == record->source) {
            m_records.removeAt(i);
            break;
        }
    }
    m_records.append(record.value());
    m_runModel->addRun(record->runs.constFirst());
    showMessage(tr("Added the run record %1.").arg(QDir::toNativeSeparators(path)));
    refresh();
    return true;
}

void EvaluatePage::evaluateModel()
{
    const TrainedModelPointer model = m_session->model();
    if (!model) {
        showError(tr("There is no model to evaluate. Train one on the Train screen or open a model file."));
        return;
    }
    if (!m_session->dataset()) {
        showError(tr("Open the dataset the model was trained on to evaluate it."));
        return;
    }
    if (m_evaluationWatcher.isRunning())
        return;

    const int k = m_comparison.protocol.k > 0 ? m_comparison.protocol.k : m_session->jobSettings().mapK;
    m_evaluatingModel = model;
    m_evaluatingLabel = m_session->modelPath().isEmpty()
                            ? tr("trained at %1").arg(QTime::currentTime().toString(QStringLiteral("HH:mm:ss")))
                            : QFileInfo(m_session->modelPath()).fileName();
    m_evaluateButton->setEnabled(false);
    showMessage(tr("Evaluating the model %1 on %2…").arg(m_evaluatingLabel, m_session->dataset()->dataset.name));
    qCInfo(lcEvaluate) << "Evaluating the current model at K =" << k;
    m_evaluationWatcher.setFuture(
        QtConcurrent::run(evaluateSessionModel, model, m_session->dataset(), k, sessionRunSource(++m_sessionRunSerial)));
}

void EvaluatePage::finishEvaluation()
{
    Result<ModelEvaluation> evaluation = m_evaluationWatcher.result();
    const TrainedModelPointer model = std::move(m_evaluatingModel);
    m_evaluatingModel.reset();
    m_evaluateButton->setEnabled(m_session->model() != nullptr);

    if (!evaluation) {
        qCWarning(lcEvaluate) << "Evaluation failed:" << evaluation.error();
        showError(evaluation.error());
        Q_EMIT modelEvaluated(false);
        evaluateNewModel();
        return;
    }

    // A model evaluated again (on another dataset, say) replaces its row.
    for (int i = 0; i < m_sessionRuns.size(); ++i) {
        if (m_sessionRuns[i].model.lock() == model) {
            m_runModel->removeSource(m_sessionRuns[i].evaluation.curves.source);
            m_sessionRuns.removeAt(i);
            break;
        }
    }
    // The model may have been replaced meanwhile; its row stays as an earlier run.
    m_sessionRuns.append(SessionRun{model, m_evaluatingLabel, std::move(evaluation).value()});
    const ModelEvaluation &added = m_sessionRuns.constLast().evaluation;
    m_runModel->addRun(added.curves);
    showMessage(tr("Evaluated the model %1 on %2 queries against %3 database items.")
                    .arg(m_evaluatingLabel)
                    .arg(added.protocol.queries)
                    .arg(added.protocol.database));
    refresh();
    Q_EMIT modelEvaluated(true);
    evaluateNewModel();
}

Comparison EvaluatePage::shownComparison() const
{
    Comparison shown = m_comparison;
    const bool hasComparison = !m_comparison.source.isEmpty();

    for (const Comparison &record : m_records) {
        if (!hasComparison && shown.rows.isEmpty()) {
            shown.protocol = record.protocol;
            shown.datasetName = record.datasetName;
            shown.backbone = record.backbone;
        }
        shown.rows.append(record.rows);
        shown.runs.append(record.runs);
        for (int seed : record.seeds) {
            if (!shown.seeds.contains(seed))
                shown.seeds.append(seed);
        }
    }

    for (const SessionRun &run : m_sessionRuns) {
        if (!hasComparison && shown.rows.isEmpty())
            shown.protocol = run.evaluation.protocol;
        const bool current = run.model.lock() == m_session->model() && m_session->model();
        const QString variant = current ? tr("current model") : run.label;
        ComparisonRow row = run.evaluation.row;
        row.variant = variant;
        RunCurves curves = run.evaluation.curves;
        curves.variant = variant;
        shown.rows.append(row);
        shown.runs.append(curves);
    }
    return shown;
}

void EvaluatePage::refresh()
{
    const Comparison shown = shownComparison();
    // The labels of the session's runs depend on which model is current.
    for (const RunCurves &run : shown.runs) {
        if (isSessionRunSource(run.source))
            m_runModel->addRun(run);
    }
    m_tableModel->setRows(shown.rows, shown.protocol.k);
    m_exportButton->setEnabled(!shown.rows.isEmpty());

    if (shown.rows.isEmpty()) {
        m_protocolLabel->setText(tr("No scores yet."));
    } else {
        QString text = tr("Protocol: %1").arg(shown.protocolText());
        QStringList others;
        for (const Comparison &record : m_records) {
            if (!sameProtocol(record.protocol, shown.protocol))
                others.append(QFileInfo(record.source).fileName());
        }
        for (const SessionRun &run : m_sessionRuns) {
            if (!sameProtocol(run.evaluation.protocol, shown.protocol))
                others.append(run.label);
        }
        if (!others.isEmpty())
            text += QLatin1Char(' ') + tr("Rows of %1 use another tie rule or K: compare them with care.").arg(others.join(QStringLiteral(", ")));
        m_protocolLabel->setText(text);
    }
    refreshCharts();
}

void EvaluatePage::refreshCharts()
{
    const auto direction = static_cast<Direction>(m_directionBox->currentData().toInt());
    const QList<RunCurves> runs = m_runModel->checkedRuns();
    m_precisionRecallChart->setRuns(runs, direction);
    m_precisionAtKChart->setRuns(runs, direction);
}

void EvaluatePage::setDirection(Direction direction)
{
    m_directionBox->setCurrentIndex(m_directionBox->findData(int(direction)));
}

bool EvaluatePage::exportTo(const QString &path)
{
    const Comparison shown = shownComparison();
    const QString suffix = QFileInfo(path).suffix().toLower();

    if (suffix == QLatin1String("png")) {
        const QPixmap left = m_precisionRecallChart->grab();
        const QPixmap right = m_precisionAtKChart->grab();
        QImage image(left.width() + right.width(), std::max(left.height(), right.height()), QImage::Format_RGB32);
        image.fill(Qt::white);
        QPainter painter(&image);
        painter.drawPixmap(0, 0, left);
        painter.drawPixmap(left.width(), 0, right);
        painter.end();
        if (!image.save(path, "PNG")) {
            showError(tr("Cannot write the charts to %1.").arg(QDir::toNativeSeparators(path)));
            return false;
        }
        showMessage(tr("Wrote the charts to %1.").arg(QDir::toNativeSeparators(path)));
        return true;
    }

    QByteArray bytes;
    if (suffix == QLatin1String("csv")) {
        bytes = comparisonCsv(shown).toUtf8();
    } else if (suffix == QLatin1String("json")) {
        bytes = comparisonJson(shown);
    } else if (suffix == QLatin1String("tex")) {
        bytes = comparisonLatex(shown).toUtf8();
    } else {
        showError(tr("Cannot export to %1: use the suffix .csv, .json, .tex or .png.").arg(QDir::toNativeSeparators(path)));
        return false;
    }

    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit()) {
        showError(tr("Cannot write %1: %2").arg(QDir::toNativeSeparators(path), file.errorString()));
        return false;
    }
    showMessage(tr("Wrote %1.").arg(QDir::toNativeSeparators(path)));
    return true;
}

bool EvaluatePage::hasCurrentModelRow() const
{
    const TrainedModelPointer model = m_session->model();
    if (!model)
        return false;
    for (const SessionRun &run : m_sessionRuns) {
        if (run.model.lock() == model)
            return true;
    }
    return false;
}

QString EvaluatePage::protocolText() const
{
    return m_protocolLabel->text();
}

QString EvaluatePage::messageText() const
{
    return m_message->text();
}

void EvaluatePage::showError(const QString &message)
{
    m_messageIsError = true;
    m_message->setStyleSheet(QStringLiteral("color: #b00020;"));
    m_message->setText(message);
}

void EvaluatePage::showMessage(const QString &message)
{
    m_messageIsError = false;
    m_message->setStyleSheet(QString());
    m_message->setText(message);
}

} // namespace esafh::ui
