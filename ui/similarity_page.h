#pragma once

#include "similarity_subset.h"

#include <QFutureWatcher>
#include <QWidget>

#include <functional>
#include <memory>

class QButtonGroup;
class QComboBox;
class QLabel;
class QPushButton;
class QSpinBox;
class QStackedWidget;
class QTableView;

namespace esafh::ui {

class AttentionChart;
class AttentionTableModel;
class CellDetailsView;
class HeatmapWidget;
class ThumbnailCache;

/// The Similarity screen. It shows the image, text, enriched-text, cross-modal and
/// fused similarity matrices and the learned code similarity as heatmaps over a
/// subset of the database, one at a time or all six side by side. The items are
/// ordered by label or by clusters of the fused matrix. Hovering a cell shows both
/// items and the cell's value in every matrix, and the attention weights of each
/// item are plotted and listed. The subset, the matrices and their order are
/// computed off the GUI thread, and they need a dataset and a model.
class SimilarityPage : public QWidget
{
    Q_OBJECT

public:
    enum class Matrix { Image, Text, EnrichedText, CrossModal, Fused, Code };
    enum class View { Single, SideBySide };
    static constexpr int matrixCount = 6;

    SimilarityPage(Session *session, ThumbnailCache *thumbnails, QWidget *parent = nullptr);
    /// Waits for a running computation.
    ~SimilarityPage() override;

    /// The heatmap of the one-matrix view.
    HeatmapWidget *heatmap() const { return m_heatmap; }
    /// The heatmap of `matrix` in the side-by-side view.
    HeatmapWidget *tile(Matrix matrix) const { return m_tiles[static_cast<int>(matrix)]; }
    CellDetailsView *cellDetails() const { return m_details; }
    AttentionChart *attentionChart() const { return m_attentionChart; }
    AttentionTableModel *attentionModel() const { return m_attention; }
    const SimilaritySubset &subset() const { return m_subset; }
    QString messageText() const;
    bool isComputing() const { return m_watcher.isRunning(); }
    Matrix matrix() const;
    View view() const;
    SubsetOrder order() const;
    /// Name of a matrix as the matrix list shows it, for example "S_F fused".
    static QString matrixName(Matrix matrix);

    void setSubsetSize(int count);
    void setMatrix(Matrix matrix);
    void setView(View view);
    /// Orders the items by label or by cluster; reorders computed matrices in the background.
    void setOrder(SubsetOrder order);

public Q_SLOTS:
    /// Computes the matrices for a fresh subset of the current size.
    void compute();
    /// Shows a cell in the details panel, as hovering it does: both items and the
    /// cell's value in every matrix. Positions are in the current order.
    void showCell(int row, int column);

Q_SIGNALS:
    /// A computation or a reordering ended; succeeded is false when it failed.
    void computed(bool succeeded);

protected:
    void showEvent(QShowEvent *event) override;

private:
    using Matrices = std::shared_ptr<const SimilarityMatrices>;

    /// Result of a background job: the subset in display order and its matrices.
    struct Computation
    {
        SimilaritySubset subset;
        Matrices matrices;
        PreparedDatasetPointer dataset;
        SubsetOrder order = SubsetOrder::Label;
    };

    void buildLayout();
    QWidget *buildControls();
    QWidget *buildSidePanel();
    QWidget *buildTileGrid();
    void markStale();
    void startJob(const std::function<Result<Computation>()> &job);
    void reorder();
    void finishComputation();
    void showComputation(Computation computation);
    void showSelectedMatrix();
    void showTiles();
    void fillAttention();
    void showSummary();
    void exportPng();
    void exportCsv();

    Session *m_session = nullptr;
    ThumbnailCache *m_thumbnails = nullptr;
    QComboBox *m_matrixChoice = nullptr;
    QButtonGroup *m_viewChoice = nullptr;
    QComboBox *m_orderChoice = nullptr;
    QSpinBox *m_subsetSize = nullptr;
    QPushButton *m_computeButton = nullptr;
    QPushButton *m_exportPngButton = nullptr;
    QPushButton *m_exportCsvButton = nullptr;
    QLabel *m_message = nullptr;
    QStackedWidget *m_views = nullptr;
    HeatmapWidget *m_heatmap = nullptr;
    HeatmapWidget *m_tiles[matrixCount] = {};
    CellDetailsView *m_details = nullptr;
    AttentionChart *m_attentionChart = nullptr;
    AttentionTableModel *m_attention = nullptr;
    QTableView *m_attentionTable = nullptr;
    QLabel *m_attentionSummary = nullptr;

    QFutureWatcher<Result<Computation>> m_watcher;
    SimilaritySubset m_subset;              ///< Subset of the matrices shown, in display order.
    PreparedDatasetPointer m_subsetDataset; ///< Dataset the subset's indices refer to.
    Matrices m_matrices;
    QPoint m_hoveredCell{-1, -1};           ///< (column, row) of the cell in the details panel.
    bool m_tilesShowMatrices = false;       ///< Whether the tiles show m_matrices.
    bool m_stale = true;
};

} // namespace esafh::ui
