#include "similarity_page.h"

#include "attention_chart.h"
#include "attention_table_model.h"
#include "cell_details_view.h"
#include "heatmap_widget.h"
#include "thumbnail_cache.h"

#include "common/logging.h"

#include <QButtonGroup>
#include <QComboBox>
#include <QElapsedTimer>
#include <QFileDialog>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QStackedWidget>
#include <QTabWidget>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>
#include <QtConcurrent>

#include <utility>

namespace esafh::ui {

namespace {

constexpr int defaultSubsetSize = 200;
constexpr int maxSubsetSize = 5000;
// The tiles of the side-by-side view are a few hundred pixels wide, so their
// images need no more detail than this.
constexpr int tileOverviewSide = 512;

struct MatrixChoice
{
    SimilarityPage::Matrix matrix;
    const char *name;
    const char *toolTip;
};

const MatrixChoice matrixChoices[SimilarityPage::matrixCount] = {
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

bool fitsSubset(const SquareMatrix &matrix, std::size_t itemCount)
{
    return matrix.rows() == static_cast<Eigen::Index>(itemCount) && matrix.cols() == matrix.rows();
}

QString itemCountText(int count)
{
    return count == 1 ? SimilarityPage::tr("1 item") : SimilarityPage::tr("%1 items").arg(count);
}

} // namespace

SimilarityPage::SimilarityPage(Session *session, ThumbnailCache *thumbnails, QWidget *parent)
    : QWidget(parent), m_session(session), m_thumbnails(thumbnails)
{
    m_attention = new AttentionTableModel(this);
    buildLayout();

    connect(m_computeButton, &QPushButton::clicked, this, &SimilarityPage::compute);
    connect(m_matrixChoice, &QComboBox::currentIndexChanged, this, &SimilarityPage::showSelectedMatrix);
    connect(m_viewChoice, &QButtonGroup::idClicked, this, [this](int id) { setView(static_cast<View>(id)); });
    connect(m_orderChoice, &QComboBox::activated, this, &SimilarityPage::reorder);
    connect(m_exportPngButton, &QPushButton::clicked, this, &SimilarityPage::exportPng);
    connect(m_exportCsvButton, &QPushButton::clicked, this, &SimilarityPage::exportCsv);
    connect(m_heatmap, &HeatmapWidget::cellHovered, this, &SimilarityPage::showCell);
    for (int index = 0; index < matrixCount; ++index) {
        connect(m_tiles[index], &HeatmapWidget::cellHovered, this, &SimilarityPage::showCell);
        connect(m_tiles[index], &HeatmapWidget::activated, this, [this, index] {
            setMatrix(static_cast<Matrix>(index));
            setView(View::Single);
        });
    }
    connect(&m_watcher, &QFutureWatcherBase::finished, this, &SimilarityPage::finishComputation);
    connect(m_session, &Session::datasetChanged, this, &SimilarityPage::markStale);
    connect(m_session, &Session::modelChanged, this, &SimilarityPage::markStale);
    markStale();
}

SimilarityPage::~SimilarityPage()
{
    m_watcher.waitForFinished();
}

QString SimilarityPage::matrixName(Matrix matrix)
{
    return tr(matrixChoices[static_cast<int>(matrix)].name);
}

void SimilarityPage::buildLayout()
{
    m_message = new QLabel;
    m_message->setWordWrap(true);

    m_heatmap = new HeatmapWidget;
    m_views = new QStackedWidget;
    m_views->addWidget(m_heatmap);
    m_views->addWidget(buildTileGrid());

    auto *splitter = new QSplitter(Qt::Horizontal);
    splitter->addWidget(m_views);
    splitter->addWidget(buildSidePanel());
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 1);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(buildControls());
    layout->addWidget(m_message);
    layout->addWidget(splitter, 1);
}

QWidget *SimilarityPage::buildControls()
{
    m_matrixChoice = new QComboBox;
    for (const MatrixChoice &choice : matrixChoices) {
        m_matrixChoice->addItem(tr(choice.name), static_cast<int>(choice.matrix));
        m_matrixChoice->setItemData(m_matrixChoice->count() - 1, tr(choice.toolTip), Qt::ToolTipRole);
    }
    m_matrixChoice->setCurrentIndex(static_cast<int>(Matrix::Fused));
    m_matrixChoice->setToolTip(tr("Matrix shown in the one-matrix view and written by the exports."));

    m_viewChoice = new QButtonGroup(this);
    auto *singleButton = new QToolButton;
    singleButton->setText(tr("One Matrix"));
    singleButton->setToolTip(tr("Show the chosen matrix large, with zoom and pan."));
    auto *sideBySideButton = new QToolButton;
    sideBySideButton->setText(tr("Side by Side"));
    sideBySideButton->setToolTip(tr("Show all six matrices in a grid; double-click one to open it large."));
    for (QToolButton *button : {singleButton, sideBySideButton}) {
        button->setCheckable(true);
        button->setAutoRaise(false);
    }
    m_viewChoice->addButton(singleButton, static_cast<int>(View::Single));
    m_viewChoice->addButton(sideBySideButton, static_cast<int>(View::SideBySide));
    singleButton->setChecked(true);

    m_orderChoice = new QComboBox;
    m_orderChoice->addItem(tr("By label"), static_cast<int>(SubsetOrder::Label));
    m_orderChoice->addItem(tr("By cluster"), static_cast<int>(SubsetOrder::Cluster));
    m_orderChoice->setToolTip(tr("By label: items grouped by their first label. By cluster: items ordered by "
                                 "average-linkage clustering of the fused matrix, so that blocks show what it groups."));

    m_subsetSize = new QSpinBox;
    m_subsetSize->setRange(2, maxSubsetSize);
    m_subsetSize->setSingleStep(100);
    m_subsetSize->setValue(defaultSubsetSize);
    m_subsetSize->setToolTip(tr("Number of database items drawn at random (seeded) for the matrices."));

    m_computeButton = new QPushButton(tr("Compute"));
    m_exportPngButton = new QPushButton(tr("Export PNG…"));
    m_exportPngButton->setToolTip(tr("Save the chosen matrix as an image of one pixel per cell."));
    m_exportCsvButton = new QPushButton(tr("Export CSV…"));
    m_exportCsvButton->setToolTip(tr("Save the values of the chosen matrix as comma-separated values."));

    auto *controls = new QWidget;
    auto *layout = new QHBoxLayout(controls);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(new QLabel(tr("Matrix:")));
    layout->addWidget(m_matrixChoice);
    layout->addWidget(singleButton);
    layout->addWidget(sideBySideButton);
    layout->addSpacing(12);
    layout->addWidget(new QLabel(tr("Order:")));
    layout->addWidget(m_orderChoice);
    layout->addSpacing(12);
    layout->addWidget(new QLabel(tr("Items:")));
    layout->addWidget(m_subsetSize);
    layout->addWidget(m_computeButton);
    layout->addStretch();
    layout->addWidget(m_exportPngButton);
    layout->addWidget(m_exportCsvButton);
    return controls;
}

QWidget *SimilarityPage::buildTileGrid()
{
    auto *grid = new QWidget;
    auto *layout = new QGridLayout(grid);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(4);
    for (int index = 0; index < matrixCount; ++index) {
        auto *tile = new HeatmapWidget;
        tile->setFullResolution(false);
        tile->setOverviewSide(tileOverviewSide);
        tile->setToolTip(tr(matrixChoices[index].toolTip));
        m_tiles[index] = tile;
        layout->addWidget(tile, index / 3, index % 3);
    }
    return grid;
}

QWidget *SimilarityPage::buildSidePanel()
{
    m_details = new CellDetailsView(m_thumbnails);
    auto *detailsBox = new QGroupBox(tr("Hovered cell"));
    auto *detailsLayout = new QVBoxLayout(detailsBox);
    detailsLayout->addWidget(m_details);

    m_attentionChart = new AttentionChart;
    m_attentionTable = new QTableView;
    m_attentionTable->setModel(m_attention);
    m_attentionTable->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_attentionTable->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_attentionTable->verticalHeader()->hide();
    m_attentionTable->setWordWrap(false);
    m_attentionTable->verticalHeader()->setDefaultSectionSize(m_attentionTable->fontMetrics().height() + 6);
    m_attentionTable->horizontalHeader()->setStretchLastSection(true);
    auto *attentionTabs = new QTabWidget;
    attentionTabs->setDocumentMode(true);
    attentionTabs->addTab(m_attentionChart, tr("Chart"));
    attentionTabs->addTab(m_attentionTable, tr("Table"));

    m_attentionSummary = new QLabel;
    m_attentionSummary->setWordWrap(true);
    auto *attentionBox = new QGroupBox(tr("Attention weights per item"));
    auto *attentionLayout = new QVBoxLayout(attentionBox);
    attentionLayout->addWidget(m_attentionSummary);
    attentionLayout->addWidget(attentionTabs, 1);

    auto *side = new QWidget;
    auto *sideLayout = new QVBoxLayout(side);
    sideLayout->setContentsMargins(0, 0, 0, 0);
    sideLayout->addWidget(detailsBox);
    sideLayout->addWidget(attentionBox, 1);
    side->setMinimumWidth(380);
    return side;
}

QString SimilarityPage::messageText() const
{
    return m_message->text();
}

SimilarityPage::Matrix SimilarityPage::matrix() const
{
    return static_cast<Matrix>(m_matrixChoice->currentData().toInt());
}

SimilarityPage::View SimilarityPage::view() const
{
    return static_cast<View>(m_views->currentIndex());
}

SubsetOrder SimilarityPage::order() const
{
    return static_cast<SubsetOrder>(m_orderChoice->currentData().toInt());
}

void SimilarityPage::setSubsetSize(int count)
{
    m_subsetSize->setValue(count);
}

void SimilarityPage::setMatrix(Matrix matrix)
{
    m_matrixChoice->setCurrentIndex(m_matrixChoice->findData(static_cast<int>(matrix)));
}

void SimilarityPage::setView(View view)
{
    m_viewChoice->button(static_cast<int>(view))->setChecked(true);
    m_views->setCurrentIndex(static_cast<int>(view));
    if (view == View::SideBySide)
        showTiles();
}

void SimilarityPage::setOrder(SubsetOrder order)
{
    m_orderChoice->setCurrentIndex(m_orderChoice->findData(static_cast<int>(order)));
    reorder();
}

void SimilarityPage::markStale()
{
    m_stale = true;
    m_matrices.reset();
    m_subset = {};
    m_subsetDataset.reset();
    m_hoveredCell = {-1, -1};
    m_tilesShowMatrices = false;
    m_heatmap->clear();
    for (HeatmapWidget *tile : m_tiles)
        tile->clear();
    m_details->clear();
    m_attention->clear();
    m_attentionChart->clear();
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
    const int count = m_subsetSize->value();
    const SubsetOrder order = this->order();
    m_message->setText(tr("Drawing %1 from the database and computing their matrices…").arg(itemCountText(count)));
    startJob([model, prepared, count, order]() -> Result<Computation> {
        QElapsedTimer timer;
        timer.start();
        Computation computation;
        computation.dataset = prepared;
        computation.order = order;
        computation.subset = chooseSimilaritySubset(prepared->dataset, count);

        Result<SimilarityMatrices> matrices = computeSubsetMatrices(*model, *prepared, computation.subset.items);
        if (!matrices)
            return Result<Computation>::failure(matrices.error());
        SimilarityMatrices values = std::move(matrices).value();
        if (order != SubsetOrder::Label)
            orderSubset(prepared->dataset, order, computation.subset, values);
        computation.matrices = std::make_shared<const SimilarityMatrices>(std::move(values));

        qCInfo(lcUi) << "Computed similarity matrices of" << computation.subset.items.size() << "items in"
                     << timer.elapsed() << "ms";
        return Result<Computation>(std::move(computation));
    });
}

void SimilarityPage::reorder()
{
    if (!m_matrices || isComputing())
        return; // A running job checks the order when it ends.

    Computation current;
    current.subset = m_subset;
    current.matrices = m_matrices;
    current.dataset = m_subsetDataset;
    current.order = order();
    m_message->setText(current.order == SubsetOrder::Cluster ? tr("Clustering the fused matrix…")
                                                             : tr("Ordering the items by label…"));
    startJob([current]() -> Result<Computation> {
        QElapsedTimer timer;
        timer.start();
        Computation ordered = current;
        SimilarityMatrices values = *current.matrices;
        orderSubset(current.dataset->dataset, current.order, ordered.subset, values);
        ordered.matrices = std::make_shared<const SimilarityMatrices>(std::move(values));
        qCInfo(lcUi) << "Ordered" << ordered.subset.items.size() << "items in" << timer.elapsed() << "ms";
        return Result<Computation>(std::move(ordered));
    });
}

void SimilarityPage::startJob(const std::function<Result<Computation>()> &job)
{
    m_computeButton->setEnabled(false);
    m_orderChoice->setEnabled(false);
    m_watcher.setFuture(QtConcurrent::run(job));
}

void SimilarityPage::finishComputation()
{
    Result<Computation> result = m_watcher.result();
    m_computeButton->setEnabled(m_session->dataset() && m_session->model());
    m_orderChoice->setEnabled(true);

    // The dataset or model changed while computing: the result no longer applies.
    if (m_stale || (result && result->dataset != m_session->dataset())) {
        if (m_session->dataset() && m_session->model() && isVisible())
            compute();
        return;
    }

    if (!result) {
        qCWarning(lcUi) << "Computing similarity matrices failed:" << result.error();
        m_message->setText(tr("Cannot compute the similarity matrices: %1").arg(result.error()));
        Q_EMIT computed(false);
        return;
    }

    const SubsetOrder resultOrder = result->order;
    showComputation(std::move(result).value());
    // The order changed while the job ran.
    if (order() != resultOrder) {
        reorder();
        return;
    }
    Q_EMIT computed(true);
}

void SimilarityPage::showComputation(Computation computation)
{
    QElapsedTimer timer;
    timer.start();
    Matrices previous = std::exchange(m_matrices, std::move(computation.matrices));
    m_subset = std::move(computation.subset);
    m_subsetDataset = std::move(computation.dataset);
    m_tilesShowMatrices = false;

    const QStringList descriptions = describeItems(m_subsetDataset->dataset, m_subset.items);
    m_heatmap->setItemDescriptions(descriptions);
    m_heatmap->setGroupStarts(m_subset.groupStarts);
    for (HeatmapWidget *tile : m_tiles) {
        tile->setItemDescriptions(descriptions);
        tile->setGroupStarts(m_subset.groupStarts);
    }
    showSelectedMatrix();
    if (view() == View::SideBySide) {
        showTiles();
    } else {
        for (HeatmapWidget *tile : m_tiles)
            tile->clear();
    }

    // Freeing six matrices of thousands of rows takes long enough to stall the
    // window, and the views no longer refer to them, so a worker frees them.
    if (previous)
        QtConcurrent::run([previous = std::move(previous)]() mutable { previous.reset(); });
    const qint64 matricesShown = timer.elapsed();
    fillAttention();
    qCDebug(lcUi) << "Showed the matrices of" << m_subset.items.size() << "items in" << matricesShown
                  << "ms and their attention weights in" << timer.elapsed() - matricesShown << "ms";
    m_exportPngButton->setEnabled(true);
    m_exportCsvButton->setEnabled(true);
    showSummary();
}

void SimilarityPage::showSummary()
{
    const int itemCount = static_cast<int>(m_subset.items.size());
    const int groupCount = static_cast<int>(m_subset.groupStarts.size());
    QString groups;
    if (order() == SubsetOrder::Cluster)
        groups = groupCount == 1 ? tr("in 1 cluster of the fused matrix") : tr("in %1 clusters of the fused matrix").arg(groupCount);
    else
        groups = groupCount == 1 ? tr("in 1 label group") : tr("in %1 label groups, ordered by their first label").arg(groupCount);
    m_message->setText(tr("%1 of the database %2. Scroll to zoom, drag to pan, double-click to reset.")
                           .arg(itemCountText(itemCount), groups));
}

void SimilarityPage::showSelectedMatrix()
{
    if (!m_matrices)
        return;

    const Matrix chosen = matrix();
    // Aliasing constructor: the heatmap shares ownership of all matrices and reads one.
    std::shared_ptr<const SquareMatrix> values(m_matrices, &matrixOf(*m_matrices, chosen));
    if (!fitsSubset(*values, m_subset.items.size())) {
        m_heatmap->clear();
        m_message->setText(tr("The model returned no %1 matrix for these items.").arg(matrixName(chosen)));
        return;
    }
    m_heatmap->setMatrix(values, matrixName(chosen));

    // The details panel sets the matrix on screen in bold, so it changes too.
    if (m_hoveredCell.x() >= 0)
        showCell(m_hoveredCell.y(), m_hoveredCell.x());
}

// Gives each tile its matrix; done only while the grid is visible, since each
// tile renders its own image.
void SimilarityPage::showTiles()
{
    if (!m_matrices || m_tilesShowMatrices)
        return;

    for (int index = 0; index < matrixCount; ++index) {
        const auto tileMatrix = static_cast<Matrix>(index);
        std::shared_ptr<const SquareMatrix> values(m_matrices, &matrixOf(*m_matrices, tileMatrix));
        if (fitsSubset(*values, m_subset.items.size()))
            m_tiles[index]->setMatrix(values, matrixName(tileMatrix));
        else
            m_tiles[index]->clear();
        m_tiles[index]->setHighlightedCell(m_hoveredCell.y(), m_hoveredCell.x());
    }
    m_tilesShowMatrices = true;
}

void SimilarityPage::fillAttention()
{
    m_attention->clear();
    m_attentionChart->clear();
    const FeatureMatrix &weights = m_matrices->attention;
    const QStringList &names = m_matrices->candidateNames;
    if (weights.rows() != static_cast<Eigen::Index>(m_subset.items.size()) || weights.cols() != names.size()) {
        m_attentionSummary->setText(tr("This model reports no attention weights."));
        return;
    }
    m_attentionChart->setWeights(weights, names);

    const Dataset &dataset = m_subsetDataset->dataset;
    QStringList captions;
    captions.reserve(static_cast<int>(m_subset.items.size()));
    for (int item : m_subset.items)
        captions.append(dataset.items[item].caption());
    m_attention->setWeights(weights, names, captions);
    m_attentionTable->resizeColumnsToContents();
    m_attentionTable->setColumnWidth(1, 130);

    QStringList means;
    for (int candidate = 0; candidate < weights.cols(); ++candidate)
        means.append(QStringLiteral("%1 %2").arg(names[candidate]).arg(weights.col(candidate).mean(), 0, 'f', 3));
    m_attentionSummary->setText(tr("Mean weights: %1. Each item's weights sum to 1; the chart follows the matrix order.")
                                    .arg(means.join(QStringLiteral(", "))));
}

void SimilarityPage::showCell(int row, int column)
{
    const int n = static_cast<int>(m_subset.items.size());
    if (row < 0 || column < 0 || !m_subsetDataset || !m_matrices || row >= n || column >= n)
        return;

    m_hoveredCell = QPoint(column, row);
    const Dataset &dataset = m_subsetDataset->dataset;
    const QStringList descriptions = describeItems(dataset, {m_subset.items[row], m_subset.items[column]});

    QList<CellDetailsView::MatrixValue> values;
    for (int index = 0; index < matrixCount; ++index) {
        const auto candidate = static_cast<Matrix>(index);
        const SquareMatrix &candidateValues = matrixOf(*m_matrices, candidate);
        if (fitsSubset(candidateValues, m_subset.items.size()))
            values.append({matrixName(candidate), candidateValues(row, column), candidate == matrix()});
    }
    m_details->showItems(descriptions[0], dataset.items[m_subset.items[row]].imagePath, descriptions[1],
                         dataset.items[m_subset.items[column]].imagePath, values);

    // Every view of the matrices outlines the same cell.
    m_heatmap->setHighlightedCell(row, column);
    if (m_tilesShowMatrices) {
        for (HeatmapWidget *tile : m_tiles)
            tile->setHighlightedCell(row, column);
    }
    m_attentionChart->setMarkedItem(row);
    if (row < m_attention->rowCount())
        m_attentionTable->selectRow(row);
}

void SimilarityPage::exportPng()
{
    if (m_heatmap->image().isNull()) {
        m_message->setText(tr("The matrix is still being drawn. Export it when it appears."));
        return;
    }
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
