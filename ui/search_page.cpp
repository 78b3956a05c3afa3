#include "search_page.h"

#include "search_results_model.h"
#include "thumbnail_cache.h"
#include "thumbnail_delegate.h"

#include "common/logging.h"

#include <QComboBox>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QImageReader>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMimeData>
#include <QPushButton>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QVBoxLayout>
#include <QtConcurrent>

namespace esafh::ui {

namespace {

constexpr int defaultResultCount = 20;
constexpr int previewSize = 64;

const SearchDirection allDirections[] = {SearchDirection::TextToImage, SearchDirection::TextToText,
                                         SearchDirection::ImageToText, SearchDirection::ImageToImage};

bool directionFits(SearchDirection direction, SearchPage::QueryKind kind)
{
    switch (kind) {
    case SearchPage::QueryKind::Text: return !queryIsImage(direction);
    case SearchPage::QueryKind::Image: return queryIsImage(direction);
    case SearchPage::QueryKind::None:
    case SearchPage::QueryKind::Item: break;
    }
    return true; // A database item has both an image and a caption.
}

QString imageFileFilter()
{
    QStringList patterns;
    for (const QByteArray &format : QImageReader::supportedImageFormats())
        patterns.append(QStringLiteral("*.") + QString::fromLatin1(format));
    return SearchPage::tr("Images (%1);;All files (*)").arg(patterns.join(QLatin1Char(' ')));
}

} // namespace

SearchPage::SearchPage(Session *session, ThumbnailCache *thumbnails, QWidget *parent)
    : QWidget(parent), m_session(session), m_thumbnails(thumbnails)
{
    m_results = new SearchResultsModel(m_thumbnails, this);
    buildLayout();
    setAcceptDrops(true);

    connect(m_queryEdit, &QLineEdit::textEdited, this, [this] { setQueryKind(QueryKind::Text); });
    connect(m_queryEdit, &QLineEdit::returnPressed, this, [this] {
        setQueryKind(QueryKind::Text);
        search();
    });
    connect(m_searchButton, &QPushButton::clicked, this, [this] {
        if (!m_queryEdit->text().trimmed().isEmpty() && m_queryKind == QueryKind::None)
            setQueryKind(QueryKind::Text);
        search();
    });
    connect(m_openImageButton, &QPushButton::clicked, this, &SearchPage::openImage);
    connect(m_resultsView, &QListView::clicked, this, [this](const QModelIndex &index) {
        searchByDatabaseItem(index.data(SearchResultsModel::DatabaseIndexRole).toInt());
    });
    connect(m_direction, &QComboBox::activated, this, [this] {
        if (m_queryKind != QueryKind::None)
            search();
    });
    connect(m_resultCount, &QSpinBox::editingFinished, this, [this] {
        if (m_queryKind != QueryKind::None && m_results->rowCount() != m_resultCount->value())
            search();
    });
    connect(m_thumbnails, &ThumbnailCache::thumbnailReady, this, &SearchPage::refreshQueryThumbnail);
    connect(&m_watcher, &QFutureWatcherBase::finished, this, &SearchPage::finishSearch);
    connect(m_session, &Session::modelChanged, this, &SearchPage::showModel);

    showModel();
}

SearchPage::~SearchPage()
{
    m_watcher.waitForFinished();
}

void SearchPage::buildLayout()
{
    m_queryEdit = new QLineEdit;
    m_queryEdit->setPlaceholderText(tr("Type words to search for, for example: dog running on grass"));
    m_queryEdit->setClearButtonEnabled(true);
    m_searchButton = new QPushButton(tr("Search"));
    m_openImageButton = new QPushButton(tr("Open Image…"));
    m_openImageButton->setToolTip(tr("Search with an image file; you can also drop an image onto this screen."));

    m_direction = new QComboBox;
    for (SearchDirection direction : allDirections)
        m_direction->addItem(directionDisplayName(direction), static_cast<int>(direction));
    m_direction->setToolTip(tr("Modality of the query and of the database items it is ranked against."));

    m_resultCount = new QSpinBox;
    m_resultCount->setRange(1, 1000);
    m_resultCount->setValue(defaultResultCount);
    m_resultCount->setPrefix(tr("Top "));
    m_resultCount->setToolTip(tr("Number of results to show."));

    auto *queryRow = new QHBoxLayout;
    queryRow->addWidget(m_queryEdit, 1);
    queryRow->addWidget(m_searchButton);
    queryRow->addWidget(m_openImageButton);
    queryRow->addWidget(m_direction);
    queryRow->addWidget(m_resultCount);

    m_queryThumbnail = new QLabel;
    m_queryThumbnail->setFixedSize(previewSize, previewSize);
    m_queryThumbnail->setAlignment(Qt::AlignCenter);
    m_queryDescription = new QLabel;
    m_queryDescription->setWordWrap(true);
    m_message = new QLabel;
    m_message->setWordWrap(true);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto *descriptionColumn = new QVBoxLayout;
    descriptionColumn->addWidget(m_queryDescription);
    descriptionColumn->addWidget(m_message);
    auto *previewRow = new QHBoxLayout;
    previewRow->addWidget(m_queryThumbnail);
    previewRow->addLayout(descriptionColumn, 1);

    m_resultsView = new QListView;
    m_resultsView->setModel(m_results);
    auto *delegate = new ThumbnailDelegate(m_thumbnails->thumbnailSize(), SearchResultsModel::CaptionRole, m_resultsView);
    delegate->setHeaderFunction([](const QModelIndex &index) {
        return tr("#%1 · distance %2")
            .arg(index.data(SearchResultsModel::RankRole).toInt())
            .arg(index.data(SearchResultsModel::DistanceRole).toInt());
    });
    delegate->setMarkerRole(SearchResultsModel::RelevantRole);
    m_resultsView->setItemDelegate(delegate);
    m_resultsView->setViewMode(QListView::IconMode);
    m_resultsView->setResizeMode(QListView::Adjust);
    m_resultsView->setMovement(QListView::Static);
    m_resultsView->setUniformItemSizes(true);
    m_resultsView->setSpacing(4);
    m_resultsView->setSelectionMode(QAbstractItemView::SingleSelection);
    m_resultsView->setMouseTracking(true);
    m_resultsView->setToolTip(QString());

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(queryRow);
    layout->addLayout(previewRow);
    layout->addWidget(m_resultsView, 1);
}

SearchDirection SearchPage::direction() const
{
    return static_cast<SearchDirection>(m_direction->currentData().toInt());
}

void SearchPage::setDirection(SearchDirection direction)
{
    m_direction->setCurrentIndex(m_direction->findData(static_cast<int>(direction)));
}

QString SearchPage::messageText() const
{
    return m_message->text();
}

void SearchPage::setQueryKind(QueryKind kind)
{
    m_queryKind = kind;
    updateDirections();
    showQueryPreview();
}

void SearchPage::updateDirections()
{
    auto *items = qobject_cast<QStandardItemModel *>(m_direction->model());
    for (int row = 0; row < m_direction->count(); ++row) {
        const auto candidate = static_cast<SearchDirection>(m_direction->itemData(row).toInt());
        items->item(row)->setEnabled(directionFits(candidate, m_queryKind));
    }

    if (!directionFits(direction(), m_queryKind))
        setDirection(m_queryKind == QueryKind::Image ? SearchDirection::ImageToText : SearchDirection::TextToImage);
}

void SearchPage::showQueryPreview()
{
    const TrainedModelPointer model = m_session->model();
    m_queryImagePath.clear();

    switch (m_queryKind) {
    case QueryKind::None:
        m_queryDescription->setText(tr("Type a query, open or drop an image, or click a result to search from it."));
        break;
    case QueryKind::Text:
        m_queryDescription->setText(tr("Query: the text \"%1\".").arg(m_queryEdit->text().trimmed()));
        break;
    case QueryKind::Image:
        m_queryImagePath = m_imagePath;
        m_queryDescription->setText(tr("Query: the image %1.").arg(QFileInfo(m_imagePath).fileName()));
        break;
    case QueryKind::Item:
        if (model && m_databaseIndex >= 0 && m_databaseIndex < static_cast<int>(model->databaseItems.size())) {
            const DatasetItem &item = model->databaseItems[static_cast<std::size_t>(m_databaseIndex)];
            m_queryImagePath = item.imagePath;
            m_queryDescription->setText(tr("Query: database item %1, \"%2\".").arg(m_databaseIndex).arg(item.caption()));
        }
        break;
    }

    m_queryThumbnail->clear();
    m_queryThumbnail->setVisible(!m_queryImagePath.isEmpty());
    refreshQueryThumbnail(m_queryImagePath);
}

void SearchPage::refreshQueryThumbnail(const QString &path)
{
    if (path.isEmpty() || path != m_queryImagePath)
        return;
    const QPixmap thumbnail = m_thumbnails->thumbnail(path);
    if (!thumbnail.isNull())
        m_queryThumbnail->setPixmap(thumbnail.scaled(previewSize, previewSize, Qt::KeepAspectRatio, Qt::SmoothTransformation));
}

void SearchPage::openImage()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Open Query Image"), QString(), imageFileFilter());
    if (!path.isEmpty())
        searchByImageFile(path);
}

void SearchPage::searchByImageFile(const QString &path)
{
    m_imagePath = path;
    setQueryKind(QueryKind::Image);
    search();
}

void SearchPage::searchByDatabaseItem(int databaseIndex)
{
    m_databaseIndex = databaseIndex;
    setQueryKind(QueryKind::Item);
    search();
}

void SearchPage::search()
{
    if (isSearching()) {
        m_searchAgain = true;
        return;
    }

    const TrainedModelPointer model = m_session->model();
    if (!model) {
        showError(tr("There is no model to search with. Train one on the Train screen or open a model file."));
        return;
    }

    Query query;
    query.kind = m_queryKind;
    query.text = m_queryEdit->text().trimmed();
    query.imagePath = m_imagePath;
    query.databaseIndex = m_databaseIndex;
    if (query.kind == QueryKind::None || (query.kind == QueryKind::Text && query.text.isEmpty())) {
        showError(tr("The query is empty. Type a few words, open an image or click a result."));
        return;
    }

    const SearchDirection searchDirection = direction();
    const int top = m_resultCount->value();
    m_searchModel = model;
    m_runningQuery = query;
    m_message->setText(tr("Searching…"));
    m_watcher.setFuture(QtConcurrent::run([model, query, searchDirection, top]() -> Result<SearchResult> {
        switch (query.kind) {
        case QueryKind::Text: return searchByText(*model, query.text, searchDirection, top);
        case QueryKind::Image: return searchByImage(*model, query.imagePath, searchDirection, top);
        case QueryKind::Item: return searchByItem(*model, query.databaseIndex, searchDirection, top);
        case QueryKind::None: break;
        }
        return Result<SearchResult>::failure(tr("The query is empty."));
    }));
}

void SearchPage::finishSearch()
{
    Result<SearchResult> result = m_watcher.result();
    const TrainedModelPointer model = std::move(m_searchModel);
    const Query query = m_runningQuery;

    // The query or the model changed while this search ran: its results are stale.
    if (m_searchAgain || model != m_session->model()) {
        m_searchAgain = false;
        if (m_session->model())
            search();
        return;
    }

    if (!result) {
        qCInfo(lcUi) << "Search failed:" << result.error();
        m_results->clear();
        showError(result.error());
        Q_EMIT searchFinished(false);
        return;
    }

    std::optional<std::vector<int>> queryLabels;
    if (query.kind == QueryKind::Item)
        queryLabels = model->databaseItems[static_cast<std::size_t>(query.databaseIndex)].labels;

    const SearchResult &found = result.value();
    QString message = tr("%1 of %2 database items, %3, in %4 ms.")
                          .arg(found.hits.size())
                          .arg(found.databaseSize)
                          .arg(directionDisplayName(direction()).toLower())
                          .arg(found.milliseconds, 0, 'f', 2);
    if (queryLabels)
        message += tr(" The bar under each image is green when the result shares a label with the query.");
    if (!found.note.isEmpty())
        message += QLatin1Char(' ') + found.note;

    m_results->setResults(std::move(result.value().hits), model->labelNames, std::move(queryLabels));
    m_message->setStyleSheet(QString());
    m_message->setText(message);
    m_resultsView->scrollToTop();
    Q_EMIT searchFinished(true);
}

void SearchPage::showError(const QString &message)
{
    m_message->setStyleSheet(QStringLiteral("color: #b3261e;"));
    m_message->setText(message);
}

void SearchPage::showModel()
{
    m_results->clear();
    const TrainedModelPointer model = m_session->model();
    const bool ready = model != nullptr;
    m_searchButton->setEnabled(ready);
    m_openImageButton->setEnabled(ready);
    m_message->setStyleSheet(QString());
    if (!ready) {
        m_message->setText(tr("Train a model or open a model file to search its database."));
    } else {
        m_message->setText(tr("The model's database contains %n item(s), coded with %1 bits.", nullptr,
                              static_cast<int>(model->databaseItems.size()))
                               .arg(model->databaseImageCodes.bits()));
    }
    if (m_queryKind == QueryKind::Item)
        setQueryKind(QueryKind::None);
    else
        showQueryPreview();
}

void SearchPage::dragEnterEvent(QDragEnterEvent *event)
{
    const QList<QUrl> urls = event->mimeData()->urls();
    if (m_session->model() && !urls.isEmpty() && urls.first().isLocalFile())
        event->acceptProposedAction();
}

void SearchPage::dropEvent(QDropEvent *event)
{
    const QList<QUrl> urls = event->mimeData()->urls();
    if (urls.isEmpty() || !urls.first().isLocalFile())
        return;
    event->acceptProposedAction();
    searchByImageFile(urls.first().toLocalFile());
}

} // namespace esafh::ui
