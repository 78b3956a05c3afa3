#include "search_page.h"

#include "search_results_model.h"
#include "thumbnail_cache.h"
#include "thumbnail_delegate.h"

#include "common/logging.h"

#include <QAction>
#include <QClipboard>
#include <QComboBox>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QElapsedTimer>
#include <QFileDialog>
#include <QFileInfo>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QImageReader>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMimeData>
#include <QPushButton>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QVBoxLayout>
#include <QtConcurrent>

#include <algorithm>

namespace esafh::ui {

namespace {

constexpr int defaultPageSize = 50;
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

QString databaseItemsText(int count)
{
    return count == 1 ? SearchPage::tr("1 database item") : SearchPage::tr("%1 database items").arg(count);
}

// The first local file among the URLs of dropped or pasted data, or an empty string.
QString firstLocalFile(const QMimeData *mimeData)
{
    if (!mimeData || !mimeData->hasUrls())
        return {};
    for (const QUrl &url : mimeData->urls()) {
        if (url.isLocalFile())
            return url.toLocalFile();
    }
    return {};
}

bool holdsImageQuery(const QMimeData *mimeData)
{
    return mimeData && (mimeData->hasImage() || !firstLocalFile(mimeData).isEmpty());
}

} // namespace

bool SearchPage::Query::operator==(const Query &other) const
{
    return kind == other.kind && text == other.text && imagePath == other.imagePath &&
           databaseIndex == other.databaseIndex && direction == other.direction;
}

SearchPage::SearchPage(Session *session, ThumbnailCache *thumbnails, QWidget *parent)
    : QWidget(parent), m_session(session), m_thumbnails(thumbnails)
{
    m_results = new SearchResultsModel(m_thumbnails, this);
    buildLayout();
    setAcceptDrops(true);

    // Ctrl+V pastes an image query anywhere on the screen. In the query field it
    // pastes text as usual, unless the clipboard contains an image (see eventFilter).
    auto *pasteAction = new QAction(tr("Paste Image Query"), this);
    pasteAction->setShortcut(QKeySequence::Paste);
    pasteAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(pasteAction, &QAction::triggered, this, &SearchPage::pasteQuery);
    addAction(pasteAction);
    m_queryEdit->installEventFilter(this);

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
    connect(m_pasteImageButton, &QPushButton::clicked, this, &SearchPage::pasteQuery);
    connect(m_previousButton, &QPushButton::clicked, this, &SearchPage::showPreviousPage);
    connect(m_nextButton, &QPushButton::clicked, this, &SearchPage::showNextPage);
    connect(m_resultsView, &QListView::clicked, this, [this](const QModelIndex &index) {
        searchByDatabaseItem(index.data(SearchResultsModel::DatabaseIndexRole).toInt());
    });
    connect(m_direction, &QComboBox::activated, this, [this] {
        if (m_queryKind != QueryKind::None)
            search();
    });
    connect(m_pageSize, &QSpinBox::editingFinished, this, [this] {
        if (m_rankedModel && m_results->rowCount() > 0 && m_results->rowCount() != m_pageSize->value()) {
            const int firstRank = m_results->hit(0).rank;
            showPage((firstRank - 1) / m_pageSize->value());
        }
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
    m_pasteImageButton = new QPushButton(tr("Paste Image"));
    m_pasteImageButton->setToolTip(tr("Search with the image or image file on the clipboard (%1).")
                                       .arg(QKeySequence(QKeySequence::Paste).toString(QKeySequence::NativeText)));

    m_direction = new QComboBox;
    for (SearchDirection direction : allDirections)
        m_direction->addItem(directionDisplayName(direction), static_cast<int>(direction));
    m_direction->setToolTip(tr("Modality of the query and of the database items it is ranked against."));

    auto *queryRow = new QHBoxLayout;
    queryRow->addWidget(m_queryEdit, 1);
    queryRow->addWidget(m_searchButton);
    queryRow->addWidget(m_openImageButton);
    queryRow->addWidget(m_pasteImageButton);
    queryRow->addWidget(m_direction);

    m_queryThumbnail = new QLabel;
    m_queryThumbnail->setFixedSize(previewSize, previewSize);
    m_queryThumbnail->setAlignment(Qt::AlignCenter);
    m_queryDescription = new QLabel;
    m_queryDescription->setWordWrap(true);
    m_queryDescription->setTextFormat(Qt::PlainText);
    m_message = new QLabel;
    m_message->setWordWrap(true);
    m_message->setTextFormat(Qt::PlainText);
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

    m_previousButton = new QPushButton(tr("Previous"));
    m_previousButton->setToolTip(tr("Show the previous page of the ranking."));
    m_nextButton = new QPushButton(tr("Next"));
    m_nextButton->setToolTip(tr("Show the next page of the ranking."));
    m_pageLabel = new QLabel;
    m_pageSize = new QSpinBox;
    m_pageSize->setRange(10, 500);
    m_pageSize->setSingleStep(10);
    m_pageSize->setValue(defaultPageSize);
    m_pageSize->setSuffix(tr(" per page"));
    m_pageSize->setToolTip(tr("Number of results on each page."));

    auto *pagerRow = new QHBoxLayout;
    pagerRow->addStretch();
    pagerRow->addWidget(m_previousButton);
    pagerRow->addWidget(m_pageLabel);
    pagerRow->addWidget(m_nextButton);
    pagerRow->addSpacing(12);
    pagerRow->addWidget(m_pageSize);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(queryRow);
    layout->addLayout(previewRow);
    layout->addWidget(m_resultsView, 1);
    layout->addLayout(pagerRow);
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

int SearchPage::pageCount() const
{
    const int pageSize = m_pageSize->value();
    return m_rankedModel ? (m_databaseSize + pageSize - 1) / pageSize : 0;
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
        m_queryDescription->setText(
            tr("Type a query, open, drop or paste an image, or click a result to search from it."));
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

void SearchPage::searchByText(const QString &text)
{
    m_queryEdit->setText(text);
    setQueryKind(QueryKind::Text);
    search();
}

void SearchPage::searchByImageFile(const QString &path)
{
    m_imagePath = path;
    // The text field would otherwise show a query that is not the one searched.
    m_queryEdit->clear();
    setQueryKind(QueryKind::Image);
    search();
}

void SearchPage::searchByDatabaseItem(int databaseIndex)
{
    m_databaseIndex = databaseIndex;
    const TrainedModelPointer model = m_session->model();
    if (model && databaseIndex >= 0 && databaseIndex < static_cast<int>(model->databaseItems.size()))
        m_queryEdit->setText(model->databaseItems[static_cast<std::size_t>(databaseIndex)].caption());
    else
        m_queryEdit->clear();
    setQueryKind(QueryKind::Item);
    search();
}

void SearchPage::searchByMimeData(const QMimeData *mimeData)
{
    if (!m_session->model()) {
        showError(tr("There is no model to search with. Train one on the Train screen or open a model file."));
        return;
    }

    const QString file = firstLocalFile(mimeData);
    if (!file.isEmpty()) {
        searchByImageFile(file);
        return;
    }

    const QImage image = mimeData && mimeData->hasImage() ? qvariant_cast<QImage>(mimeData->imageData()) : QImage();
    if (image.isNull()) {
        showError(tr("The pasted or dropped data is not an image or an image file. Copy an image, or an image "
                     "file in a file manager, and paste it again."));
        return;
    }
    if (!m_pastedImages.isValid()) {
        showError(tr("Cannot save the pasted image: no temporary folder can be created (%1).")
                      .arg(m_pastedImages.errorString()));
        return;
    }
    const QString path = m_pastedImages.filePath(QStringLiteral("pasted-image-%1.png").arg(++m_pastedImageCount));
    if (!image.save(path, "PNG")) {
        showError(tr("Cannot save the pasted image to %1.").arg(path));
        return;
    }
    searchByImageFile(path);
}

void SearchPage::pasteQuery()
{
    const QMimeData *mimeData = QGuiApplication::clipboard()->mimeData();
    if (!holdsImageQuery(mimeData) && mimeData && mimeData->hasText() && !mimeData->text().trimmed().isEmpty()) {
        // Plain text pastes into the query field, which is where a user expects it.
        m_queryEdit->setText(mimeData->text().simplified());
        m_queryEdit->setFocus();
        setQueryKind(QueryKind::Text);
        return;
    }
    searchByMimeData(mimeData);
}

bool SearchPage::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_queryEdit && event->type() == QEvent::KeyPress) {
        auto *key = static_cast<QKeyEvent *>(event);
        if (key->matches(QKeySequence::Paste) && holdsImageQuery(QGuiApplication::clipboard()->mimeData())) {
            pasteQuery();
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

SearchPage::Query SearchPage::currentQuery() const
{
    Query query;
    query.kind = m_queryKind;
    query.text = m_queryEdit->text().trimmed();
    query.imagePath = m_imagePath;
    query.databaseIndex = m_databaseIndex;
    query.direction = direction();
    return query;
}

void SearchPage::search()
{
    m_rankedHits.clear();
    m_rankedModel.reset();
    showPage(0);
}

void SearchPage::showNextPage()
{
    if (m_currentPage + 1 < pageCount())
        showPage(m_currentPage + 1);
}

void SearchPage::showPreviousPage()
{
    if (m_currentPage > 0)
        showPage(m_currentPage - 1);
}

void SearchPage::showPage(int page)
{
    m_requestedPage = page;
    if (isSearching()) {
        m_searchAgain = true;
        return;
    }

    const TrainedModelPointer model = m_session->model();
    if (!model) {
        showError(tr("There is no model to search with. Train one on the Train screen or open a model file."));
        return;
    }

    const Query query = currentQuery();
    if (query.kind == QueryKind::None || (query.kind == QueryKind::Text && query.text.isEmpty())) {
        showError(tr("The query is empty. Type a few words, open an image or click a result."));
        return;
    }

    // Pages within the hits fetched for this query show without searching again.
    const std::size_t pageEnd = static_cast<std::size_t>(page + 1) * static_cast<std::size_t>(m_pageSize->value());
    const bool fetched = m_rankedModel == model && m_rankedQuery == query &&
                         (m_rankedHits.size() >= pageEnd || static_cast<int>(m_rankedHits.size()) == m_databaseSize);
    if (fetched) {
        m_currentPage = page;
        displayPage();
        Q_EMIT searchFinished(true);
        return;
    }

    // One page more than shown, so that Next shows at once.
    startSearch(query, (page + 2) * m_pageSize->value());
}

void SearchPage::startSearch(const Query &query, int top)
{
    const TrainedModelPointer model = m_session->model();
    m_searchModel = model;
    m_runningQuery = query;
    showMessage(tr("Searching…"));
    m_watcher.setFuture(QtConcurrent::run([model, query, top]() -> Result<Ranking> {
        QElapsedTimer timer;
        timer.start();
        Result<SearchResult> result = Result<SearchResult>::failure(tr("The query is empty."));
        switch (query.kind) {
        case QueryKind::Text: result = esafh::searchByText(*model, query.text, query.direction, top); break;
        case QueryKind::Image: result = esafh::searchByImage(*model, query.imagePath, query.direction, top); break;
        case QueryKind::Item: result = esafh::searchByItem(*model, query.databaseIndex, query.direction, top); break;
        case QueryKind::None: break;
        }
        if (!result)
            return Result<Ranking>::failure(result.error());
        return Ranking{std::move(result).value(), timer.nsecsElapsed() / 1e6};
    }));
}

void SearchPage::finishSearch()
{
    Result<Ranking> result = m_watcher.result();
    const TrainedModelPointer model = std::move(m_searchModel);
    const Query query = m_runningQuery;

    // The query, the page or the model changed while this search ran: its results are stale.
    if (m_searchAgain || model != m_session->model()) {
        m_searchAgain = false;
        if (m_session->model())
            showPage(m_requestedPage);
        return;
    }

    if (!result) {
        qCInfo(lcUi) << "Search failed:" << result.error();
        m_rankedHits.clear();
        m_rankedModel.reset();
        m_results->clear();
        updatePager();
        showError(result.error());
        Q_EMIT searchFinished(false);
        return;
    }

    Ranking &ranking = result.value();
    m_rankedQuery = query;
    m_rankedModel = model;
    m_rankedHits = std::move(ranking.result.hits);
    m_databaseSize = ranking.result.databaseSize;
    m_lastMilliseconds = ranking.totalMilliseconds;
    m_lastNote = ranking.result.note;
    m_currentPage = std::clamp(m_requestedPage, 0, std::max(0, pageCount() - 1));
    qCDebug(lcUi) << "Ranked" << m_rankedHits.size() << "of" << m_databaseSize << "database items in"
                  << ranking.result.milliseconds << "ms," << m_lastMilliseconds << "ms with the query's encoding";
    displayPage();
    Q_EMIT searchFinished(true);
}

void SearchPage::displayPage()
{
    const std::size_t pageSize = static_cast<std::size_t>(m_pageSize->value());
    const std::size_t first = std::min(m_rankedHits.size(), static_cast<std::size_t>(m_currentPage) * pageSize);
    const std::size_t end = std::min(m_rankedHits.size(), first + pageSize);
    std::vector<SearchHit> pageHits(m_rankedHits.begin() + static_cast<std::ptrdiff_t>(first),
                                    m_rankedHits.begin() + static_cast<std::ptrdiff_t>(end));

    std::optional<std::vector<int>> queryLabels;
    if (m_rankedQuery.kind == QueryKind::Item)
        queryLabels = m_rankedModel->databaseItems[static_cast<std::size_t>(m_rankedQuery.databaseIndex)].labels;

    QString message = tr("Results %1–%2 of %3, %4, in %5 ms.")
                          .arg(first + 1)
                          .arg(end)
                          .arg(databaseItemsText(m_databaseSize))
                          .arg(directionDisplayName(m_rankedQuery.direction).toLower())
                          .arg(m_lastMilliseconds, 0, 'f', 2);
    if (first >= end)
        message = tr("No results: the database is empty.");
    if (queryLabels)
        message += tr(" The bar under each image is green when the result shares a label with the query.");
    if (!m_lastNote.isEmpty())
        message += QLatin1Char(' ') + m_lastNote;

    m_results->setResults(std::move(pageHits), m_rankedModel->labelNames, std::move(queryLabels));
    showMessage(message);
    m_resultsView->scrollToTop();
    updatePager();

    // Start loading the next page's thumbnails while the user looks at this one.
    for (std::size_t next = end; next < std::min(m_rankedHits.size(), end + pageSize); ++next)
        m_thumbnails->thumbnail(m_rankedHits[next].imagePath);
}

void SearchPage::updatePager()
{
    const int pages = pageCount();
    const bool hasResults = m_results->rowCount() > 0;
    m_previousButton->setEnabled(hasResults && m_currentPage > 0);
    m_nextButton->setEnabled(hasResults && m_currentPage + 1 < pages);
    m_pageLabel->setText(hasResults ? tr("Page %1 of %2").arg(m_currentPage + 1).arg(pages) : QString());
}

void SearchPage::showError(const QString &message)
{
    m_showsError = true;
    m_message->setStyleSheet(QStringLiteral("color: #b3261e;"));
    m_message->setText(message);
}

void SearchPage::showMessage(const QString &message)
{
    m_showsError = false;
    m_message->setStyleSheet(QString());
    m_message->setText(message);
}

void SearchPage::showModel()
{
    m_results->clear();
    m_rankedHits.clear();
    m_rankedModel.reset();
    m_currentPage = 0;
    updatePager();

    const TrainedModelPointer model = m_session->model();
    const bool ready = model != nullptr;
    m_searchButton->setEnabled(ready);
    m_openImageButton->setEnabled(ready);
    m_pasteImageButton->setEnabled(ready);
    if (!ready) {
        showMessage(tr("Train a model or open a model file to search its database."));
    } else {
        showMessage(tr("The model's database contains %1, coded with %2 bits.")
                        .arg(databaseItemsText(static_cast<int>(model->databaseItems.size())))
                        .arg(model->databaseImageCodes.bits()));
    }
    if (m_queryKind == QueryKind::Item)
        setQueryKind(QueryKind::None);
    else
        showQueryPreview();
}

void SearchPage::dragEnterEvent(QDragEnterEvent *event)
{
    if (m_session->model() && holdsImageQuery(event->mimeData()))
        event->acceptProposedAction();
}

void SearchPage::dropEvent(QDropEvent *event)
{
    if (!holdsImageQuery(event->mimeData()))
        return;
    event->acceptProposedAction();
    searchByMimeData(event->mimeData());
}

} // namespace esafh::ui
