#include "colour_map.h"
#include "heatmap_widget.h"

#include <QFile>
#include <QMouseEvent>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using esafh::SquareMatrix;
using esafh::ui::HeatmapWidget;

namespace {

// A 5 x 5 matrix with 1 on the diagonal and (row + column) / 10 elsewhere, so the
// off-diagonal range is [0.1, 0.7].
std::shared_ptr<const SquareMatrix> sampleMatrix()
{
    auto matrix = std::make_shared<SquareMatrix>(5, 5);
    for (int row = 0; row < 5; ++row)
        for (int column = 0; column < 5; ++column)
            (*matrix)(row, column) = row == column ? 1.0f : (row + column) / 10.0f;
    return matrix;
}

} // namespace

class TestHeatmapWidget : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void imageHasOnePixelPerCell();
    void colourRangeSkipsDiagonal();
    void cellAtMapsPositionsToCells();
    void cellDescriptionNamesBothItems();
    void zoomKeepsCellUnderCursor();
    void dragPansTheMatrix();
    void hoverEmitsCell();
    void exportCsvWritesValues();
    void viridisEndsAreDarkPurpleAndYellow();

private:
    HeatmapWidget *m_widget = nullptr;
};

void TestHeatmapWidget::init()
{
    m_widget = new HeatmapWidget;
    m_widget->resize(600, 500);
    m_widget->setMatrix(sampleMatrix(), QStringLiteral("S_F fused"));
    m_widget->setItemDescriptions({QStringLiteral("a red apple [fruit]"), QStringLiteral("a blue car [vehicles]"),
                                   QStringLiteral("a green frog [animals]"), QStringLiteral("d"), QStringLiteral("e")});
    m_widget->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_widget));
}

void TestHeatmapWidget::cleanup()
{
    delete m_widget;
    m_widget = nullptr;
}

void TestHeatmapWidget::imageHasOnePixelPerCell()
{
    QCOMPARE(m_widget->itemCount(), 5);
    QCOMPARE(m_widget->image().size(), QSize(5, 5));
    QCOMPARE(m_widget->value(1, 2), 0.3f);
    QCOMPARE(m_widget->value(4, 4), 1.0f);
}

void TestHeatmapWidget::colourRangeSkipsDiagonal()
{
    QCOMPARE(m_widget->minimum(), 0.1f);
    QCOMPARE(m_widget->maximum(), 0.7f);

    // The lowest off-diagonal value takes the first colour, the highest and the
    // clamped diagonal the last.
    QCOMPARE(m_widget->image().pixel(1, 0), esafh::ui::viridis(0.0));
    QCOMPARE(m_widget->image().pixel(4, 3), esafh::ui::viridis(1.0));
    QCOMPARE(m_widget->image().pixel(2, 2), esafh::ui::viridis(1.0));
}

void TestHeatmapWidget::cellAtMapsPositionsToCells()
{
    for (int row = 0; row < 5; ++row) {
        for (int column = 0; column < 5; ++column) {
            const std::optional<QPoint> cell = m_widget->cellAt(m_widget->cellRect(row, column).center());
            QVERIFY(cell.has_value());
            QCOMPARE(*cell, QPoint(column, row));
        }
    }
    QVERIFY(!m_widget->cellAt(QPointF(-5, -5)).has_value());
    QVERIFY(!m_widget->cellAt(m_widget->cellRect(4, 4).bottomRight() + QPointF(3, 3)).has_value());
}

void TestHeatmapWidget::cellDescriptionNamesBothItems()
{
    const QString description = m_widget->cellDescription(0, 2);
    QVERIFY2(description.contains(QStringLiteral("a red apple [fruit]")), qPrintable(description));
    QVERIFY2(description.contains(QStringLiteral("a green frog [animals]")), qPrintable(description));
    QVERIFY2(description.contains(QStringLiteral("S_F fused = 0.2000")), qPrintable(description));
}

void TestHeatmapWidget::zoomKeepsCellUnderCursor()
{
    const QPointF anchor = m_widget->cellRect(3, 1).center();
    const double sizeBefore = m_widget->cellRect(0, 0).width();

    m_widget->zoomBy(2.0, anchor);

    QCOMPARE(m_widget->zoom(), 2.0);
    QCOMPARE(m_widget->cellRect(0, 0).width(), 2 * sizeBefore);
    QCOMPARE(m_widget->cellAt(anchor).value_or(QPoint(-1, -1)), QPoint(1, 3));

    m_widget->resetView();
    QCOMPARE(m_widget->zoom(), 1.0);
}

void TestHeatmapWidget::dragPansTheMatrix()
{
    const QPointF start = m_widget->cellRect(2, 2).center();
    const QPointF before = m_widget->cellRect(0, 0).topLeft();

    QMouseEvent press(QEvent::MouseButtonPress, start, m_widget->mapToGlobal(start), Qt::LeftButton, Qt::LeftButton,
                      Qt::NoModifier);
    QCoreApplication::sendEvent(m_widget, &press);
    const QPointF end = start + QPointF(30, -20);
    QMouseEvent move(QEvent::MouseMove, end, m_widget->mapToGlobal(end), Qt::NoButton, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(m_widget, &move);
    QMouseEvent release(QEvent::MouseButtonRelease, end, m_widget->mapToGlobal(end), Qt::LeftButton, Qt::NoButton,
                        Qt::NoModifier);
    QCoreApplication::sendEvent(m_widget, &release);

    QCOMPARE(m_widget->cellRect(0, 0).topLeft(), before + QPointF(30, -20));
}

void TestHeatmapWidget::hoverEmitsCell()
{
    QSignalSpy hovered(m_widget, &HeatmapWidget::cellHovered);
    const QPointF position = m_widget->cellRect(4, 0).center();
    QMouseEvent move(QEvent::MouseMove, position, m_widget->mapToGlobal(position), Qt::NoButton, Qt::NoButton,
                     Qt::NoModifier);
    QCoreApplication::sendEvent(m_widget, &move);

    QCOMPARE(hovered.count(), 1);
    QCOMPARE(hovered.at(0).at(0).toInt(), 4);
    QCOMPARE(hovered.at(0).at(1).toInt(), 0);
}

void TestHeatmapWidget::exportCsvWritesValues()
{
    QTemporaryDir folder;
    QVERIFY(folder.isValid());
    const QString path = folder.filePath(QStringLiteral("matrix.csv"));

    QVERIFY(m_widget->exportCsv(path).ok());

    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly | QIODevice::Text));
    const QStringList lines = QString::fromUtf8(file.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 5);
    QCOMPARE(lines[0], QStringLiteral("1,0.1,0.2,0.3,0.4"));
}

void TestHeatmapWidget::viridisEndsAreDarkPurpleAndYellow()
{
    QCOMPARE(esafh::ui::viridis(0.0), qRgb(0x44, 0x01, 0x54));
    QCOMPARE(esafh::ui::viridis(1.0), qRgb(0xfd, 0xe7, 0x25));
    QCOMPARE(esafh::ui::viridis(-3.0), esafh::ui::viridis(0.0));
    QCOMPARE(esafh::ui::viridis(std::nan("")), esafh::ui::viridis(0.0));
    QCOMPARE(esafh::ui::viridisTable(256).size(), 256);
}

QTEST_MAIN(TestHeatmapWidget)
#include "tst_heatmap_widget.moc"
