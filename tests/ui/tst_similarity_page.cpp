#include "heatmap_widget.h"
#include "session.h"
#include "similarity_page.h"
#include "similarity_subset.h"
#include "thumbnail_cache.h"
#include "ui_fixtures.h"

#include <QSignalSpy>
#include <QStandardItemModel>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>

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
    void modelChangeClearsMatrices();

private:
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

void TestSimilarityPage::computeShowsEveryMatrix()
{
    m_page->setSubsetSize(10);
    QSignalSpy computed(m_page, &SimilarityPage::computed);
    m_page->compute();
    QVERIFY(computed.wait(60000));
    QVERIFY2(computed.constFirst().constFirst().toBool(), qPrintable(m_page->messageText()));

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
    const QStandardItemModel *attention = m_page->attentionModel();
    QCOMPARE(attention->rowCount(), 10);
    QVERIFY(attention->columnCount() >= 3);
    double rowSum = 0;
    for (int column = 2; column < attention->columnCount(); ++column)
        rowSum += attention->item(0, column)->text().toDouble();
    QVERIFY2(std::abs(rowSum - 1.0) < 0.01, qPrintable(QString::number(rowSum)));
}

void TestSimilarityPage::modelChangeClearsMatrices()
{
    m_session->setModel(nullptr);
    QCOMPARE(m_page->heatmap()->itemCount(), 0);
    QVERIFY(!m_page->messageText().isEmpty());
}

QTEST_MAIN(TestSimilarityPage)
#include "tst_similarity_page.moc"
