#pragma once

#include "similarity_subset.h"

#include <QFutureWatcher>
#include <QWidget>

#include <memory>

class QComboBox;
class QLabel;
class QPushButton;
class QSpinBox;
class QStandardItemModel;
class QTableView;

namespace esafh::ui {

class CellDetailsView;
class HeatmapWidget;
class ThumbnailCache;

/// The Similarity screen. It shows one of the image, text, enriched-text,
/// cross-modal and fused similarity matrices, or the learned code similarity, as a
/// heatmap over a subset of the database ordered by label, beside the attention
/// weights of each item. The matrices need a dataset and a model, and they are
/// computed off the GUI thread.
class SimilarityPage : public QWidget
{
    Q_OBJECT

public:
    enum class Matrix { Image, Text, EnrichedText, CrossModal, Fused, Code };

    SimilarityPage(Session *session, ThumbnailCache *thumbnails, QWidget *parent = nullptr);
    /// Waits for a running computation.
    ~SimilarityPage() override;

    HeatmapWidget *heatmap() const { return m_heatmap; }
    QStandardItemModel *attentionModel() const { return m_attention; }
    const SimilaritySubset &subset() const { return m_subset; }
    QString messageText() const;
    bool isComputing() const { return m_watcher.isRunning(); }

    void setSubsetSize(int count);
    void setMatrix(Matrix matrix);

public Q_SLOTS:
    /// Computes the matrices for a fresh subset of the current size.
    void compute();

Q_SIGNALS:
    /// A computation ended; succeeded is false when it failed.
    void computed(bool succeeded);

protected:
    void showEvent(QShowEvent *event) override;

private:
    using Matrices = std::shared_ptr<const SimilarityMatrices>;

    void buildLayout();
    void markStale();
    void finishComputation();
    void showSelectedMatrix();
    void fillAttentionTable();
    void showCell(int row, int column);
    void exportPng();
    void exportCsv();

    Session *m_session = nullptr;
    ThumbnailCache *m_thumbnails = nullptr;
    QComboBox *m_matrixChoice = nullptr;
    QSpinBox *m_subsetSize = nullptr;
    QPushButton *m_computeButton = nullptr;
    QPushButton *m_exportPngButton = nullptr;
    QPushButton *m_exportCsvButton = nullptr;
    QLabel *m_message = nullptr;
    HeatmapWidget *m_heatmap = nullptr;
    CellDetailsView *m_details = nullptr;
    QStandardItemModel *m_attention = nullptr;
    QTableView *m_attentionTable = nullptr;
    QLabel *m_attentionSummary = nullptr;

    QFutureWatcher<Result<Matrices>> m_watcher;
    SimilaritySubset m_subset;        ///< Subset of the matrices shown.
    SimilaritySubset m_pendingSubset; ///< Subset being computed.
    PreparedDatasetPointer m_subsetDataset; ///< Dataset the subset's indices refer to.
    PreparedDatasetPointer m_pendingDataset;
    Matrices m_matrices;
    bool m_stale = true;
};

} // namespace esafh::ui
