#include "dataset_page.h"

#include "dataset_items_model.h"
#include "label_counts.h"
#include "thumbnail_cache.h"
#include "thumbnail_delegate.h"

#include <QComboBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QPlainTextEdit>
#include <QSortFilterProxyModel>
#include <QItemSelectionModel>
#include <QSpinBox>
#include <QPushButton>
#include <QSplitter>
#include <QStandardItemModel>
#include <QTableView>
#include <QVBoxLayout>

namespace esafh::ui {

namespace {

// Summary fields: the key used by summaryValue() and the label shown.
const char *const summaryFields[][2] = {
    {"name", QT_TRANSLATE_NOOP("DatasetPage", "Name:")},
    {"source", QT_TRANSLATE_NOOP("DatasetPage", "Source:")},
    {"items", QT_TRANSLATE_NOOP("DatasetPage", "Items:")},
    {"query", QT_TRANSLATE_NOOP("DatasetPage", "Query set:")},
    {"database", QT_TRANSLATE_NOOP("DatasetPage", "Database:")},
    {"training", QT_TRANSLATE_NOOP("DatasetPage", "Training set:")},
    {"validation", QT_TRANSLATE_NOOP("DatasetPage", "Validation set:")},
    {"labels", QT_TRANSLATE_NOOP("DatasetPage", "Labels:")},
    {"emptyCaptions", QT_TRANSLATE_NOOP("DatasetPage", "Empty captions:")},
    {"vocabulary", QT_TRANSLATE_NOOP("DatasetPage", "Vocabulary:")},
    {"imageFeatures", QT_TRANSLATE_NOOP("DatasetPage", "Image features:")},
};

} // namespace

DatasetPage::DatasetPage(Session *session, ThumbnailCache *thumbnails, QWidget *parent)
    : QWidget(parent), m_session(session)
{
    m_itemsModel = new DatasetItemsModel(thumbnails, this);
    m_filterModel = new QSortFilterProxyModel(this);
    m_filterModel->setSourceModel(m_itemsModel);
    m_filterModel->setFilterRole(DatasetItemsModel::FilterTextRole);
    m_filterModel->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_labelCounts = new QStandardItemModel(this);

    buildLayout(thumbnails->thumbnailSize());

    connect(m_filter, &QLineEdit::textChanged, m_filterModel, &QSortFilterProxyModel::setFilterFixedString);
    connect(m_filter, &QLineEdit::textChanged, this, [this] {
        showVisibleItemCount();
    });
    connect(m_labelTable->selectionModel(), &QItemSelectionModel::selectionChanged, this, &DatasetPage::filterBySelectedLabel);
    connect(m_redrawButton, &QPushButton::clicked, this, &DatasetPage::applyDatasetSettings);
    connect(m_session, &Session::busyChanged, m_redrawButton, [this](bool busy) { m_redrawButton->setEnabled(!busy && m_session->dataset()); });
    connect(m_session, &Session::datasetChanged, this, &DatasetPage::showDataset);
    showDataset();
}

void DatasetPage::filterBySelectedLabel()
{
    const QModelIndexList rows = m_labelTable->selectionModel()->selectedRows(0);
    if (!rows.isEmpty())
        m_filter->setText(rows.first().data(Qt::DisplayRole).toString());
}

void DatasetPage::applyDatasetSettings()
{
    const PreparedDatasetPointer prepared = m_session->dataset();
    if (!prepared || m_session->isBusy())
        return;

    TrainingJobSettings settings = m_session->jobSettings();
    settings.split.validationCount = m_validationCount->value();
    settings.vocabulary.weighting = static_cast<TextWeighting>(m_textWeighting->currentData().toInt());
    m_session->setJobSettings(settings);
    m_session->openDataset(prepared->dataset.source);
}

void DatasetPage::buildLayout(QSize thumbnailSize)
{
    auto *summaryBox = new QGroupBox(tr("Dataset"));
    m_summaryForm = new QFormLayout(summaryBox);
    for (const auto &field : summaryFields) {
        auto *value = new QLabel;
        value->setTextInteractionFlags(Qt::TextSelectableByMouse);
        value->setWordWrap(true);
        m_summaryLabels.insert(QString::fromLatin1(field[0]), value);
        m_summaryForm->addRow(tr(field[1]), value);
    }

    m_validationCount = new QSpinBox;
    m_validationCount->setRange(0, 100000);
    m_validationCount->setValue(m_session->jobSettings().split.validationCount);
    m_validationCount->setToolTip(tr("Database items held out of training. After each epoch their mAP is measured, "
                                     "and training keeps the epoch with the best one. 0 keeps the last epoch."));
    m_textWeighting = new QComboBox;
    m_textWeighting->addItem(tr("Binary bag of words"), static_cast<int>(TextWeighting::Binary));
    m_textWeighting->addItem(tr("TF-IDF"), static_cast<int>(TextWeighting::TfIdf));
    m_textWeighting->setCurrentIndex(m_textWeighting->findData(static_cast<int>(m_session->jobSettings().vocabulary.weighting)));
    m_textWeighting->setToolTip(tr("Caption features: 1 for each vocabulary word, or word counts times smoothed "
                                   "inverse document frequency, scaled to unit length."));
    m_redrawButton = new QPushButton(tr("Apply"));
    m_redrawButton->setToolTip(tr("Open the dataset again with this validation set and caption weighting; "
                                  "the query set stays the same."));
    auto *settingsRow = new QHBoxLayout;
    settingsRow->addWidget(m_validationCount, 1);
    settingsRow->addWidget(m_redrawButton);
    m_summaryForm->addRow(tr("Hold out for validation:"), settingsRow);
    m_summaryForm->addRow(tr("Caption features:"), m_textWeighting);

    auto *labelsBox = new QGroupBox(tr("Label distribution"));
    m_labelTable = new QTableView;
    m_labelTable->setModel(m_labelCounts);
    m_labelTable->setSortingEnabled(true);
    m_labelTable->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_labelTable->verticalHeader()->hide();
    m_labelTable->horizontalHeader()->setStretchLastSection(true);
    auto *labelsLayout = new QVBoxLayout(labelsBox);
    labelsLayout->addWidget(m_labelTable);

    auto *messagesBox = new QGroupBox(tr("Import messages"));
    m_messages = new QPlainTextEdit;
    m_messages->setReadOnly(true);
    m_messages->setPlaceholderText(tr("Notes from reading the dataset: skipped files, empty captions."));
    auto *messagesLayout = new QVBoxLayout(messagesBox);
    messagesLayout->addWidget(m_messages);

    auto *left = new QSplitter(Qt::Vertical);
    left->addWidget(summaryBox);
    left->addWidget(labelsBox);
    left->addWidget(messagesBox);
    left->setStretchFactor(1, 2);
    left->setStretchFactor(2, 1);

    m_filter = new QLineEdit;
    m_filter->setPlaceholderText(tr("Filter by caption or label"));
    m_filter->setClearButtonEnabled(true);
    m_gridLabel = new QLabel;

    m_itemsView = new QListView;
    m_itemsView->setModel(m_filterModel);
    m_itemsView->setViewMode(QListView::IconMode);
    m_itemsView->setResizeMode(QListView::Adjust);
    m_itemsView->setMovement(QListView::Static);
    m_itemsView->setUniformItemSizes(true);
    auto *delegate = new ThumbnailDelegate(thumbnailSize, DatasetItemsModel::CaptionRole, m_itemsView);
    delegate->setHeaderFunction([](const QModelIndex &index) {
        const QStringList labels = index.data(DatasetItemsModel::LabelsRole).toStringList();
        const QString split = index.data(DatasetItemsModel::SplitRole).toString();
        // The split first, because a long list of labels is elided.
        return labels.isEmpty() ? split : QStringLiteral("%1 · %2").arg(split, labels.join(QStringLiteral(", ")));
    });
    m_itemsView->setItemDelegate(delegate);
    m_itemsView->setSpacing(4);
    m_itemsView->setLayoutMode(QListView::Batched);
    m_itemsView->setBatchSize(200);

    auto *gridBox = new QWidget;
    auto *gridLayout = new QVBoxLayout(gridBox);
    gridLayout->setContentsMargins(0, 0, 0, 0);
    auto *filterRow = new QHBoxLayout;
    filterRow->addWidget(m_filter, 1);
    filterRow->addWidget(m_gridLabel);
    gridLayout->addLayout(filterRow);
    gridLayout->addWidget(m_itemsView, 1);

    auto *splitter = new QSplitter(Qt::Horizontal);
    splitter->addWidget(left);
    splitter->addWidget(gridBox);
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 3);
    splitter->setSizes({380, 900});

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(splitter);
}

QString DatasetPage::summaryValue(const QString &field) const
{
    const QLabel *label = m_summaryLabels.value(field);
    return label ? label->text() : QString();
}

void DatasetPage::setSummary(const QString &field, const QString &value)
{
    if (QLabel *label = m_summaryLabels.value(field))
        label->setText(value);
}

void DatasetPage::showVisibleItemCount()
{
    const int visible = m_filterModel->rowCount();
    m_gridLabel->setText(visible == 1 ? tr("1 item shown") : tr("%1 items shown").arg(visible));
}

void DatasetPage::showDataset()
{
    const PreparedDatasetPointer prepared = m_session->dataset();
    m_itemsModel->setDataset(prepared);
    m_filter->clear();
    showVisibleItemCount();
    m_redrawButton->setEnabled(prepared && !m_session->isBusy());

    if (!prepared) {
        for (QLabel *label : std::as_const(m_summaryLabels))
            label->clear();
        setSummary(QStringLiteral("name"), tr("No dataset is open. Use File > Open Dataset."));
        m_labelCounts->clear();
        m_messages->clear();
        return;
    }

    const Dataset &dataset = prepared->dataset;
    const ImageFeatureSet &features = prepared->imageFeatures;
    setSummary(QStringLiteral("name"), tr("%1 (%2)").arg(dataset.name, dataset.format));
    setSummary(QStringLiteral("source"), dataset.source);
    setSummary(QStringLiteral("items"), QString::number(dataset.size()));
    setSummary(QStringLiteral("query"), QString::number(dataset.split.query.size()));
    setSummary(QStringLiteral("database"), QString::number(dataset.split.database.size()));
    setSummary(QStringLiteral("training"), tr("%1 (drawn from the database)").arg(dataset.split.training.size()));
    setSummary(QStringLiteral("validation"), QString::number(dataset.split.validation.size()));
    setSummary(QStringLiteral("labels"), QString::number(dataset.labelNames.size()));
    setSummary(QStringLiteral("emptyCaptions"), tr("%1 (no word of the vocabulary)").arg(prepared->emptyCaptionCount));
    setSummary(QStringLiteral("vocabulary"), prepared->vocabulary.size() == 1 ? tr("1 word") : tr("%1 words").arg(prepared->vocabulary.size()));
    setSummary(QStringLiteral("imageFeatures"),
               tr("%1, %2 dimensions; %3 from the cache, %4 failed")
                   .arg(features.backbone.displayName())
                   .arg(features.features.cols())
                   .arg(features.cachedCount)
                   .arg(features.failedItems.size()));
    if (QLabel *label = m_summaryLabels.value(QStringLiteral("imageFeatures")))
        label->setToolTip(tr("Identity of the features: %1").arg(features.extractorIdentity));

    fillLabelCountModel(m_labelCounts, countLabels(dataset));
    m_labelTable->sortByColumn(1, Qt::DescendingOrder);
    m_labelTable->resizeColumnsToContents();

    QStringList messages = dataset.importMessages;
    messages.append(features.failureMessages);
    m_messages->setPlainText(messages.join(QLatin1Char('\n')));
}

} // namespace esafh::ui
