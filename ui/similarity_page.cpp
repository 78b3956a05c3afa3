#include "similarity_page.h"

#include "cell_details_view.h"
#include "heatmap_widget.h"
#include "thumbnail_cache.h"

#include "common/logging.h"

#include <QComboBox>
#include <QElapsedTimer>
#include <QFileDialog>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QStandardItemModel>
#include <QTableView>
#include <QVBoxLayout>
#include <QtConcurrent>

namespace esafh::ui {

namespace {

constexpr int defaultSubsetSize = 200;
constexpr int maxSubsetSize = 4000;

struct MatrixChoice
{
    SimilarityPage::Matrix matrix;
    const char *name;
    const char *toolTip;
};

const MatrixChoice matrixChoices[] = {
    {SimilarityPage::Matrix::Image, QT_TRANSLATE_NOOP("SimilarityPage", "S_I image"),
     QT_TRANSLATE_NOOP("SimilarityPage", "Cosine similarity of the image features.")},
    {SimilarityPage::Matrix::Text, QT_TRANSLATE_NOOP("SimilarityPage", "S_T text"),
     QT_TRANSLATE_NOOP("SimilarityPage", "Cosine similarity of the captions' bags of words.")},
    {SimilarityPage::Matrix::EnrichedText, QT_TRANSLATE_NOOP("SimilarityPage", "Enriched S_T"),
     QT_TRANSLATE_NOOP("SimilarityPage", "Cosine similarity of the text features enriched with their graph neighbours.")},
    {SimilarityPage::Matrix::CrossModal, QT_TRANSLATE_NOOP("SimilarityPage", "S_C cross-modal"),
     QT_TRANSLATE_NOOP("SimilarityPage", "Second-order term from the row-normalised S_I and S_T.")},
    {SimilarityPage::Matrix::Fused, QT_TRANSLATE_NOOP("SimilarityPage", "S_F fused"),
     QT_TRANSLATE_NOOP("SimilarityPage", "The training target: the candidates fused with each item's attention weights.")},
    {SimilarityPage::Matrix::Code, QT_TRANSLATE_NOOP("SimilarityPage", "Code similarity"),
     QT_TRANSLATE_NOOP("SimilarityPage", "(B_I B_T^T + B_T B_I^T) / 2 of the model's real-valued codes: what training learned.")},
};

const SquareMatrix &matrixOf(const SimilarityMatrices &matrices, SimilarityPage::Matrix matrix)
{
    switch (matrix) {
    case SimilarityPage::Matrix::Image: return matrices.image;
    case SimilarityPage::Matrix::Text: return matrices.text;
    case SimilarityPage::Matrix::EnrichedText: return matrices.enrichedText;
    case SimilarityPage::Matrix::CrossModal: return matrices.crossModal;
    case SimilarityPage::Matrix::Fused: return matrices.fused;
    case SimilarityPage::Matrix::Code: break;
    }
    return matrices.code;
}

} // namespace

SimilarityPage::SimilarityPage(Session *session, ThumbnailCache *thumbnails, QWidget *parent)
    : QWidget(parent), m_session(session), m_thumbnails(thumbnails)
{
    m_attention = new QStandardItemModel(this);
    buildLayout();

    connect(m_computeButton, &QPushButton::clicked, this, &SimilarityPage::compute);
    connect(m_matrixChoice, &QComboBox::currentIndexChanged, this, &SimilarityPage::showSelectedMatrix);
    connect(m_exportPngButton, &QPushButton::clicked, this, &SimilarityPage::exportPng);
    connect(m_exportCsvButton, &QPushButton::clicked, this, &SimilarityPage::exportCsv);
    connect(m_heatmap, &HeatmapWidget::cellHovered, this, &SimilarityPage::showCell);
    connect(&m_watcher, &QFutureWatcherBase::finished, this, &SimilarityPage::finishComputation);
    connect(m_session, &Session::datasetChanged, this, &SimilarityPage::markStale);
    connect(m_session, &Session::modelChanged, this, &SimilarityPage::markStale);
    markStale();
}

SimilarityPage::~SimilarityPage()
{
    m_watcher.waitForFinished();
}

void SimilarityPage::buildLayout()
{
    m_matrixChoice = new QComboBox;
    for (const MatrixChoice &choice : matrixChoices) {
        m_matrixChoice->addItem(tr(choice.name), static_cast<int>(choice.matrix));
        m_matrixChoice->setItemData(m_matrixChoice->count() - 1, tr(choice.toolTip), Qt::ToolTipRole);
    }
    m_matrixChoice->setCurrentIndex(static_cast<int>(Matrix::Fused));

    m_subsetSize = new QSpinBox;
    m_subsetSize->setRange(2, maxSubsetSize);
    m_subsetSize->setSingleStep(50);
    m_subsetSize->setValue(defaultSubsetSize);
    m_subsetSize->setToolTip(tr("Number of database items drawn for the matrices; they are ordered by label."));

    m_computeButton = new QPushButton(tr("Compute"));
    m_exportPngButton = new QPushButton(tr("Export PNG…"));
    m_exportPngButton->setToolTip(tr("Save the matrix as an image of one pixel per cell."));
    m_exportCsvButton = new QPushButton(tr("Export CSV…"));
    m_exportCsvButton->setToolTip(tr("Save the matrix values as comma-separated values."));

    auto *controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("Matrix:")));
    controls->addWidget(m_matrixChoice);
    controls->addSpacing(12);
    controls->addWidget(new QLabel(tr("Items:")));
    controls->addWidget(m_subsetSize);
    controls->addWidget(m_computeButton);
    controls->addStretch();
    controls->addWidget(m_exportPngButton);
    controls->addWidget(m_exportCsvButton);

    m_message = new QLabel;
    m_message->setWordWrap(true);
    m_heatmap = new HeatmapWidget;

    m_details = new CellDetailsView(m_thumbnails);
    auto *detailsBox = new QGroupBox(tr("Hovered cell"));
    auto *detailsLayout = new QVBoxLayout(detailsBox);
    detailsLayout->addWidget(m_details);

    m_attentionTable = new QTableView;
    m_attentionTable->setModel(m_attention);
    m_attentionTable->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_attentionTable->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_attentionTable->verticalHeader()->hide();
    m_attentionTable->setWordWrap(false);
    m_attentionTable->verticalHeader()->setDefaultSectionSize(m_attentionTable->fontMetrics().height() + 6);
    m_attentionTable->horizontalHeader()->setStretchLastSection(true);
    m_attentionSummary = new QLabel;
    m_attentionSummary->setWordWrap(true);
    auto *attentionBox = new QGroupBox(tr("Attention weights per item"));
    auto *attentionLayout = new QVBoxLayout(attentionBox);
    attentionLayout->addWidget(m_attentionSummary);
    attentionLayout->addWidget(m_attentionTable);

    auto *side = new QWidget;
    auto *sideLayout = new QVBoxLayout(side);
    sideLayout->setContentsMargins(0, 0, 0, 0);
    sideLayout->addWidget(detailsBox);
    sideLayout->addWidget(attentionBox, 1);
    side->setMinimumWidth(380);

    auto *splitter = new QSplitter(Qt::Horizontal);
    splitter->addWidget(m_heatmap);
    splitter->addWidget(side);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 1);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(controls);
    layout->addWidget(m_message);
    layout->addWidget(splitter, 1);
}

QString SimilarityPage::messageText() const
{
    return m_message->text();
}

void SimilarityPage::setSubsetSize(int count)
{
    m_subsetSize->setValue(count);
}

void SimilarityPage::setMatrix(Matrix matrix)
{
    m_matrixChoice->setCurrentIndex(m_matrixChoice->findData(static_cast<int>(matrix)));
}

void SimilarityPage::markStale()
{
    m_stale = true;
    m_matrices.reset();
    m_subset = {};
    m_subsetDataset.reset();
    m_heatmap->clear();
    m_details->clear();
    m_attention->clear();
    m_attentionSummary->clear();

    const bool ready = m_session->dataset() && m_session->model();
    m_computeButton->setEnabled(ready && !isComputing());
    m_exportPngButton->setEnabled(false);
    m_exportCsvButton->setEnabled(false);
    if (!m_session->model())
        m_message->setText(tr("The matrices come from a model's attention network: train a model or open a model file."));
    else if (!m_session->dataset())
        m_message->setText(tr("Open the dataset the model was trained on to see its similarity matrices."));
    else
        m_message->setText(tr("Choose the number of items and press Compute."));

    if (ready && isVisible())
        compute();
}

void SimilarityPage::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    if (m_stale && m_session->dataset() && m_session->model() && !isComputing())
        compute();
}

void SimilarityPage::compute()
{
    const PreparedDatasetPointer prepared = m_session->dataset();
    const TrainedModelPointer model = m_session->model();
    if (!prepared || !model) {
        markStale();
        return;
    }
    if (isComputing())
        return;

    m_stale = false;
    m_pendingDataset = prepared;
    m_pendingSubset = chooseSimilaritySubset(prepared->dataset, m_subsetSize->value());
    m_computeButton->setEnabled(false);
    m_message->setText(tr("Computing the matrices of %n item(s)…", nullptr, static_cast<int>(m_pendingSubset.items.size())));

    const std::vector<int> items = m_pendingSubset.items;
    m_watcher.setFuture(QtConcurrent::run([model, prepared, items]() -> Result<Matrices> {
        QElapsedTimer timer;
        timer.start();
        Result<SimilarityMatrices> matrices = computeSubsetMatrices(*model, *prepared, items);
        if (!matrices)
            return Result<Matrices>::failure(matrices.error());
        qCInfo(lcUi) << "Computed similarity matrices of" << items.size() << "items in" << timer.elapsed() << "ms";
        return Result<Matrices>(std::make_shared<const SimilarityMatrices>(std::move(matrices).value()));
    }));
}

void SimilarityPage::finishComputation()
{
    const Result<Matrices> result = m_watcher.result();
    m_computeButton->setEnabled(m_session->dataset() && m_session->model());

    // The dataset or model changed while computing: the result no longer applies.
    if (m_stale || m_pendingDataset != m_session->dataset()) {
        m_pendingDataset.reset();
        if (m_session->dataset() && m_session->model() && isVisible())
            compute();
        return;
    }

    if (!result) {
        qCWarning(lcUi) << "Computing similarity matrices failed:" << result.error();
        m_message->setText(tr("Cannot compute the similarity matrices: %1").arg(result.error()));
        m_pendingDataset.reset();
        Q_EMIT computed(false);
        return;
    }

    m_matrices = result.value();
    m_subset = std::move(m_pendingSubset);
    m_subsetDataset = std::move(m_pendingDataset);
    m_heatmap->setItemDescriptions(describeItems(m_subsetDataset->dataset, m_subset.items));
    m_heatmap->setGroupStarts(m_subset.groupStarts);
    showSelectedMatrix();
    fillAttentionTable();
    m_exportPngButton->setEnabled(true);
    m_exportCsvButton->setEnabled(true);
    m_message->setText(tr("%1 items of the database in %2 label groups, ordered by their first label. "
                          "Scroll to zoom, drag to pan, double-click to reset.")
                           .arg(m_subset.items.size())
                           .arg(m_subset.groupStarts.size()));
    Q_EMIT computed(true);
}

void SimilarityPage::showSelectedMatrix()
{
    if (!m_matrices)
        return;

    const auto matrix = static_cast<Matrix>(m_matrixChoice->currentData().toInt());
    // Aliasing constructor: the heatmap shares ownership of all matrices and reads one.
    std::shared_ptr<const SquareMatrix> values(m_matrices, &matrixOf(*m_matrices, matrix));
    if (values->rows() != static_cast<Eigen::Index>(m_subset.items.size()) || values->rows() != values->cols()) {
        m_heatmap->clear();
        m_message->setText(tr("The model returned no %1 matrix for these items.").arg(m_matrixChoice->currentText()));
        return;
    }
    m_heatmap->setMatrix(values, m_matrixChoice->currentText());
}

void SimilarityPage::fillAttentionTable()
{
    m_attention->clear();
    const FeatureMatrix &weights = m_matrices->attention;
    const QStringList &names = m_matrices->candidateNames;
    if (weights.rows() != static_cast<Eigen::Index>(m_subset.items.size()) || weights.cols() != names.size()) {
        m_attentionSummary->setText(tr("This model reports no attention weights."));
        return;
    }

    QStringList headers{tr("#"), tr("Caption")};
    headers.append(names);
    m_attention->setHorizontalHeaderLabels(headers);

    const Dataset &dataset = m_subsetDataset->dataset;
    for (int row = 0; row < weights.rows(); ++row) {
        QList<QStandardItem *> cells;
        auto *position = new QStandardItem;
        position->setData(row + 1, Qt::DisplayRole);
        cells.append(position);
        cells.append(new QStandardItem(dataset.items[m_subset.items[row]].caption()));
        for (int candidate = 0; candidate < weights.cols(); ++candidate) {
            auto *weight = new QStandardItem(QString::number(weights(row, candidate), 'f', 3));
            weight->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            cells.append(weight);
        }
        m_attention->appendRow(cells);
    }
    m_attentionTable->resizeColumnsToContents();
    m_attentionTable->setColumnWidth(1, 130);

    QStringList means;
    for (int candidate = 0; candidate < weights.cols(); ++candidate)
        means.append(QStringLiteral("%1 %2").arg(names[candidate]).arg(weights.col(candidate).mean(), 0, 'f', 3));
    m_attentionSummary->setText(tr("Mean weights: %1").arg(means.join(QStringLiteral(", "))));
}

void SimilarityPage::showCell(int row, int column)
{
    if (row < 0 || column < 0 || !m_subsetDataset || row >= static_cast<int>(m_subset.items.size()) ||
        column >= static_cast<int>(m_subset.items.size())) {
        return;
    }

    const Dataset &dataset = m_subsetDataset->dataset;
    const QStringList descriptions = describeItems(dataset, {m_subset.items[row], m_subset.items[column]});
    const QString value = QStringLiteral("%1 = %2").arg(m_heatmap->title()).arg(m_heatmap->value(row, column), 0, 'f', 4);
    m_details->showItems(descriptions[0], dataset.items[m_subset.items[row]].imagePath, descriptions[1],
                         dataset.items[m_subset.items[column]].imagePath, value);

    if (row < m_attention->rowCount())
        m_attentionTable->selectRow(row);
}

void SimilarityPage::exportPng()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Export Matrix as PNG"), QStringLiteral("similarity.png"),
                                                      tr("PNG images (*.png)"));
    if (path.isEmpty())
        return;
    if (!m_heatmap->image().save(path, "PNG"))
        m_message->setText(tr("Cannot write the image %1.").arg(path));
    else
        m_message->setText(tr("Saved the matrix image to %1.").arg(path));
}

void SimilarityPage::exportCsv()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Export Matrix as CSV"), QStringLiteral("similarity.csv"),
                                                      tr("CSV files (*.csv)"));
    if (path.isEmpty())
        return;
    const Status status = m_heatmap->exportCsv(path);
    m_message->setText(status ? tr("Saved the matrix values to %1.").arg(path) : status.error());
}

} // namespace esafh::ui
