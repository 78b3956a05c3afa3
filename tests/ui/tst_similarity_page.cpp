#include "attention_chart.h"
#include "attention_table_model.h"
#include "cell_details_view.h"
#include "heatmap_widget.h"
#include "session.h"
#include "similarity_page.h"
#include "similarity_subset.h"
#include "thumbnail_cache.h"
#include "ui_fixtures.h"

#include <QAbstractItemModelTester>
#include <QAreaSeries>
#include <QLineSeries>
#include <QMouseEvent>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <map>
#include <set>

using namespace esafh;
using esafh::ui::SimilarityPage;

class TestSimilarityPage : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void subsetComesFromDatabaseByLabel();
    void computeShowsEveryMatrix();
    void hoverShowsValueInEveryMatrix();
    void switchingMatrixRefreshesHoveredCell();
    void sideBySideShowsSixMatrices();
    void clusterOrderPermutesMatrices();
    void attentionChartFollowsHover();
    void attentionChartBinsManyItems();
    void legendTitleIsComplete();
    void modelChangeClearsMatrices();

private:
    void hoverCell(ui::HeatmapWidget *heatmap, int row, int column);
    bool computeMatrices(int count);

    QTemporaryDir m_folder;
    ui::Session *m_session = nullptr;
    ui::ThumbnailCache *m_thumbnails = nullptr;
    SimilarityPage *m_page = nullptr;
};

void TestSimilarityPage::initTestCase()
{
    QVERIFY(m_folder.isValid());
    const QString root = m_folder.filePath(QStringLiteral("tiny"));
    QVERIFY(test::writeTinyImageTree(root));
    const TrainingJobSettings settings = test::tinyJobSettings(root, m_folder.filePath(QStringLiteral("cache")));

    Result<PreparedDataset> prepared = prepareDataset(settings);
    QVERIFY2(prepared.ok(), qPrintable(prepared.error()));
    Result<TrainedModel> model = trainModel(prepared.value(), settings);
    QVERIFY2(model.ok(), qPrintable(model.error()));

    m_session = new ui::Session;
    m_session->setDataset(std::make_shared<const PreparedDataset>(std::move(prepared).value()));
    m_session->setModel(std::make_shared<const TrainedModel>(std::move(model).value()));
    m_thumbnails = new ui::ThumbnailCache;
    m_page = new SimilarityPage(m_session, m_thumbnails);
}

void TestSimilarityPage::cleanupTestCase()
{
    delete m_page;
    delete m_thumbnails;
    delete m_session;
}

void TestSimilarityPage::subsetComesFromDatabaseByLabel()
{
    const Dataset &dataset = m_session->dataset()->dataset;
    const ui::SimilaritySubset subset = ui::chooseSimilaritySubset(dataset, 10);

    QCOMPARE(subset.items.size(), std::size_t(10));
    int previousLabel = -1;
    for (int item : subset.items) {
        QVERIFY(std::find(dataset.split.database.begin(), dataset.split.database.end(), item) != dataset.split.database.end());
        QVERIFY(dataset.items[item].labels.front() >= previousLabel);
        previousLabel = dataset.items[item].labels.front();
    }
    QCOMPARE(subset.groupStarts.front(), 0);
    QCOMPARE(static_cast<int>(subset.groupStarts.size()), subset.groupNames.size());

    // The same seed draws the same items; a subset larger than the database takes all of it.
    QCOMPARE(ui::chooseSimilaritySubset(dataset, 10).items, subset.items);
    QCOMPARE(ui::chooseSimilaritySubset(dataset, 5000).items.size(), dataset.split.database.size());
}

// Moves the mouse over a cell, as a user hovering it does.
void TestSimilarityPage::hoverCell(ui::HeatmapWidget *heatmap, int row, int column)
{
    const QPointF position = heatmap->cellRect(row, column).center();
    QMouseEvent move(QEvent::MouseMove, position, heatmap->mapToGlobal(position), Qt::NoButton, Qt::NoButton,
                     Qt::NoModifier);
    QCoreApplication::sendEvent(heatmap, &move);
}

bool TestSimilarityPage::computeMatrices(int count)
{
    m_page->setSubsetSize(count);
    QSignalSpy computed(m_page, &SimilarityPage::computed);
    m_page->compute();
    // The subset and the matrices are computed off the GUI thread.
    if (!m_page->isComputing())
        return false;
    return computed.wait(60000) && computed.constFirst().constFirst().toBool();
}

void TestSimilarityPage::computeShowsEveryMatrix()
{
    QVERIFY2(computeMatrices(10), qPrintable(m_page->messageText()));

    ui::HeatmapWidget *heatmap = m_page->heatmap();
    for (auto matrix : {SimilarityPage::Matrix::Image, SimilarityPage::Matrix::Text, SimilarityPage::Matrix::EnrichedText,
                        SimilarityPage::Matrix::CrossModal, SimilarityPage::Matrix::Fused, SimilarityPage::Matrix::Code}) {
        m_page->setMatrix(matrix);
        QCOMPARE(heatmap->itemCount(), 10);
        QCOMPARE(heatmap->image().size(), QSize(10, 10));
        QVERIFY(heatmap->minimum() < heatmap->maximum());
    }

    const QString description = heatmap->cellDescription(0, 9);
    const Dataset &dataset = m_session->dataset()->dataset;
    QVERIFY2(description.contains(dataset.items[m_page->subset().items[0]].caption()), qPrintable(description));

    // One row of attention weights per item: position, caption and one column per candidate.
    ui::AttentionTableModel *attention = m_page->attentionModel();
    QAbstractItemModelTester tester(attention, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(attention->rowCount(), 10);
    QVERIFY(attention->columnCount() >= 3);
    QCOMPARE(attention->index(3, 0).data().toInt(), 4);
    const Dataset &captioned = m_session->dataset()->dataset;
    QCOMPARE(attention->index(3, 1).data().toString(), captioned.items[m_page->subset().items[3]].caption());
    QCOMPARE(attention->headerData(2, Qt::Horizontal).toString(), QStringLiteral("S_I"));
    double rowSum = 0;
    for (int column = 2; column < attention->columnCount(); ++column)
        rowSum += attention->index(0, column).data().toDouble();
    QVERIFY2(std::abs(rowSum - 1.0) < 0.01, qPrintable(QString::number(rowSum)));
}

void TestSimilarityPage::hoverShowsValueInEveryMatrix()
{
    m_page->resize(1280, 800);
    m_page->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_page));
    m_page->setMatrix(SimilarityPage::Matrix::Fused);
    hoverCell(m_page->heatmap(), 2, 7);

    const ui::CellDetailsView *details = m_page->cellDetails();
    const Dataset &dataset = m_session->dataset()->dataset;
    QVERIFY(details->rowText().startsWith(dataset.items[m_page->subset().items[2]].caption()));
    QVERIFY(details->columnText().startsWith(dataset.items[m_page->subset().items[7]].caption()));

    // A copy, since switching the matrix below refreshes the details.
    const QList<ui::CellDetailsView::MatrixValue> values = details->values();
    QCOMPARE(values.size(), SimilarityPage::matrixCount);
    for (int index = 0; index < SimilarityPage::matrixCount; ++index) {
        const auto matrix = static_cast<SimilarityPage::Matrix>(index);
        QCOMPARE(values[index].matrixName, SimilarityPage::matrixName(matrix));
        QCOMPARE(values[index].shown, matrix == SimilarityPage::Matrix::Fused);
        m_page->setMatrix(matrix);
        QCOMPARE(values[index].value, m_page->heatmap()->value(2, 7));
    }
}

// Switching the matrix keeps the hovered cell and moves the emphasis to the new matrix.
void TestSimilarityPage::switchingMatrixRefreshesHoveredCell()
{
    m_page->setMatrix(SimilarityPage::Matrix::Fused);
    hoverCell(m_page->heatmap(), 4, 1);
    QCOMPARE(m_page->cellDetails()->values().at(static_cast<int>(SimilarityPage::Matrix::Fused)).shown, true);

    m_page->setMatrix(SimilarityPage::Matrix::Image);
    const QList<ui::CellDetailsView::MatrixValue> &values = m_page->cellDetails()->values();
    const auto image = static_cast<int>(SimilarityPage::Matrix::Image);
    QVERIFY(values.at(image).shown);
    QVERIFY(!values.at(static_cast<int>(SimilarityPage::Matrix::Fused)).shown);
    QCOMPARE(values.at(image).value, m_page->heatmap()->value(4, 1));
    QCOMPARE(m_page->heatmap()->title(), SimilarityPage::matrixName(SimilarityPage::Matrix::Image));
    QCOMPARE(m_page->heatmap()->highlightedCell(), QPoint(1, 4));
}

void TestSimilarityPage::sideBySideShowsSixMatrices()
{
    m_page->setView(SimilarityPage::View::SideBySide);
    QCOMPARE(m_page->view(), SimilarityPage::View::SideBySide);
    QVERIFY(m_page->tile(SimilarityPage::Matrix::Image)->isVisible());
    QVERIFY(!m_page->heatmap()->isVisible());

    for (int index = 0; index < SimilarityPage::matrixCount; ++index) {
        const auto matrix = static_cast<SimilarityPage::Matrix>(index);
        ui::HeatmapWidget *tile = m_page->tile(matrix);
        QCOMPARE(tile->itemCount(), 10);
        QCOMPARE(tile->image().size(), QSize(10, 10));
        QCOMPARE(tile->title(), SimilarityPage::matrixName(matrix));
    }

    // Hovering one tile outlines the cell in all of them.
    hoverCell(m_page->tile(SimilarityPage::Matrix::Code), 3, 6);
    for (int index = 0; index < SimilarityPage::matrixCount; ++index)
        QCOMPARE(m_page->tile(static_cast<SimilarityPage::Matrix>(index))->highlightedCell(), QPoint(6, 3));
    QCOMPARE(m_page->cellDetails()->values().size(), SimilarityPage::matrixCount);

    // A double click opens the tile's matrix in the one-matrix view.
    ui::HeatmapWidget *textTile = m_page->tile(SimilarityPage::Matrix::Text);
    QTest::mouseDClick(textTile, Qt::LeftButton, {}, textTile->cellRect(1, 1).center().toPoint());
    QCOMPARE(m_page->view(), SimilarityPage::View::Single);
    QCOMPARE(m_page->matrix(), SimilarityPage::Matrix::Text);
}

void TestSimilarityPage::clusterOrderPermutesMatrices()
{
    const std::vector<int> itemsByLabel = m_page->subset().items;
    m_page->setMatrix(SimilarityPage::Matrix::Fused);
    std::map<std::pair<int, int>, float> fusedByItems;
    for (std::size_t row = 0; row < itemsByLabel.size(); ++row)
        for (std::size_t column = 0; column < itemsByLabel.size(); ++column)
            fusedByItems[{itemsByLabel[row], itemsByLabel[column]}] = m_page->heatmap()->value(int(row), int(column));

    QSignalSpy computed(m_page, &SimilarityPage::computed);
    m_page->setOrder(ui::SubsetOrder::Cluster);
    QVERIFY(computed.wait(30000));
    QVERIFY2(computed.constFirst().constFirst().toBool(), qPrintable(m_page->messageText()));

    // The same items in another order, with each value moved along with its items.
    const std::vector<int> &clustered = m_page->subset().items;
    QCOMPARE(std::multiset<int>(clustered.begin(), clustered.end()),
             std::multiset<int>(itemsByLabel.begin(), itemsByLabel.end()));
    for (std::size_t row = 0; row < clustered.size(); ++row)
        for (std::size_t column = 0; column < clustered.size(); ++column)
            QCOMPARE(m_page->heatmap()->value(int(row), int(column)), (fusedByItems[{clustered[row], clustered[column]}]));
    QVERIFY(!m_page->subset().groupStarts.empty());
    QCOMPARE(m_page->subset().groupStarts.front(), 0);
    QVERIFY2(m_page->messageText().contains(QStringLiteral("cluster")), qPrintable(m_page->messageText()));

    // Back to label order gives the first order again.
    m_page->setOrder(ui::SubsetOrder::Label);
    QVERIFY(computed.wait(30000));
    QCOMPARE(m_page->subset().items, itemsByLabel);
}

void TestSimilarityPage::attentionChartFollowsHover()
{
    const ui::AttentionChart *chart = m_page->attentionChart();
    QCOMPARE(chart->itemCount(), 10);
    QCOMPARE(chart->areas().size(), m_page->attentionModel()->columnCount() - 2);

    hoverCell(m_page->heatmap(), 5, 2);
    QCOMPARE(chart->markedItem(), 5);
}

// 1,500 items plot as 500 means of 3; the stacked areas still reach 1.
void TestSimilarityPage::attentionChartBinsManyItems()
{
    FeatureMatrix weights(1500, 3);
    for (int item = 0; item < 1500; ++item) {
        const float first = (item % 10) / 20.0f;
        weights(item, 0) = first;
        weights(item, 1) = 0.25f;
        weights(item, 2) = 0.75f - first;
    }
    ui::AttentionChart chart;
    chart.setWeights(weights, {QStringLiteral("S_I"), QStringLiteral("S_T"), QStringLiteral("S_C")});

    QCOMPARE(chart.itemCount(), 1500);
    QCOMPARE(chart.areas().size(), 3);
    const QList<QPointF> bottom = chart.areas().at(0)->upperSeries()->points();
    const QList<QPointF> top = chart.areas().at(2)->upperSeries()->points();
    QCOMPARE(bottom.size(), 500);
    // The first bin contains items 1 to 3, whose S_I weights are 0, 0.05 and 0.1.
    QCOMPARE(bottom.at(0).x(), 2.0);
    QVERIFY(std::abs(bottom.at(0).y() - 0.05) < 1e-6);
    for (const QPointF &point : top)
        QVERIFY(std::abs(point.y() - 1.0) < 1e-5);

    chart.setMarkedItem(700);
    QCOMPARE(chart.markedItem(), 700);
    chart.setMarkedItem(1500);
    QCOMPARE(chart.markedItem(), -1);
}

void TestSimilarityPage::legendTitleIsComplete()
{
    for (int index = 0; index < SimilarityPage::matrixCount; ++index) {
        m_page->setMatrix(static_cast<SimilarityPage::Matrix>(index));
        QCOMPARE(m_page->heatmap()->visibleTitle(), m_page->heatmap()->title());
    }
}

void TestSimilarityPage::modelChangeClearsMatrices()
{
    m_session->setModel(nullptr);
    QCOMPARE(m_page->heatmap()->itemCount(), 0);
    QVERIFY(!m_page->messageText().isEmpty());
}

QTEST_MAIN(TestSimilarityPage)
#include "tst_similarity_page.moc"
