#pragma once

#include "session.h"

#include "pipeline/search.h"

#include <QFutureWatcher>
#include <QTemporaryDir>
#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QListView;
class QMimeData;
class QPushButton;
class QSpinBox;

namespace esafh::ui {

class SearchResultsModel;
class ThumbnailCache;

/// The Search screen. The query is a typed text, an image (opened, dropped, or
/// pasted with Ctrl+V as image data or as an image file) or a database item from a
/// clicked result. The user picks the direction. The ranking of the whole database
/// appears one page at a time in a grid of thumbnails with captions and Hamming
/// distances. Searches run off the GUI thread on the session's model.
class SearchPage : public QWidget
{
    Q_OBJECT

public:
    /// What the current query is; it decides which directions apply.
    enum class QueryKind { None, Text, Image, Item };

    SearchPage(Session *session, ThumbnailCache *thumbnails, QWidget *parent = nullptr);
    /// Waits for a running search.
    ~SearchPage() override;

    QLineEdit *queryEdit() const { return m_queryEdit; }
    QPushButton *searchButton() const { return m_searchButton; }
    QComboBox *directionBox() const { return m_direction; }
    QSpinBox *pageSizeBox() const { return m_pageSize; }
    QPushButton *previousPageButton() const { return m_previousButton; }
    QPushButton *nextPageButton() const { return m_nextButton; }
    QListView *resultsView() const { return m_resultsView; }
    SearchResultsModel *resultsModel() const { return m_results; }
    QueryKind queryKind() const { return m_queryKind; }
    SearchDirection direction() const;
    QString messageText() const;
    /// Whether the message reports an error.
    bool showsError() const { return m_showsError; }
    bool isSearching() const { return m_watcher.isRunning(); }
    /// The page shown, from 0, and the number of pages of the whole ranking.
    int currentPage() const { return m_currentPage; }
    int pageCount() const;

    void setDirection(SearchDirection direction);

public Q_SLOTS:
    /// Types `text` into the query field and searches with it.
    void searchByText(const QString &text);
    /// Uses an image file as the query and searches with it.
    void searchByImageFile(const QString &path);
    /// Uses a database item of the model as the query and searches with it.
    void searchByDatabaseItem(int databaseIndex);
    /// Uses an image file or image data, as dropped or pasted, as the query. Shows a
    /// message when the data contains no image.
    void searchByMimeData(const QMimeData *mimeData);
    /// Searches with the image or image file on the clipboard, as Ctrl+V does.
    void pasteQuery();
    /// Runs the current query from its first page.
    void search();
    void showNextPage();
    void showPreviousPage();

Q_SIGNALS:
    /// A search or a page ended. succeeded is false when it failed, and messageText()
    /// then gives the reason.
    void searchFinished(bool succeeded);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    struct Query
    {
        QueryKind kind = QueryKind::None;
        QString text;
        QString imagePath;
        int databaseIndex = -1;
        SearchDirection direction = SearchDirection::TextToImage;

        bool operator==(const Query &other) const;
    };

    /// A finished search: the hits of the ranking's first ranks, and how long it took.
    struct Ranking
    {
        SearchResult result;
        double totalMilliseconds = 0; ///< Encoding the query and ranking, as the user waited.
    };

    void buildLayout();
    void setQueryKind(QueryKind kind);
    void updateDirections();
    void showQueryPreview();
    void refreshQueryThumbnail(const QString &path);
    void openImage();
    void showModel();
    Query currentQuery() const;
    void showPage(int page);
    void startSearch(const Query &query, int top);
    void finishSearch();
    void displayPage();
    void updatePager();
    void showError(const QString &message);
    void showMessage(const QString &message);

    Session *m_session = nullptr;
    ThumbnailCache *m_thumbnails = nullptr;
    QLineEdit *m_queryEdit = nullptr;
    QPushButton *m_searchButton = nullptr;
    QPushButton *m_openImageButton = nullptr;
    QPushButton *m_pasteImageButton = nullptr;
    QComboBox *m_direction = nullptr;
    QSpinBox *m_pageSize = nullptr;
    QPushButton *m_previousButton = nullptr;
    QPushButton *m_nextButton = nullptr;
    QLabel *m_pageLabel = nullptr;
    QLabel *m_queryThumbnail = nullptr;
    QLabel *m_queryDescription = nullptr;
    QLabel *m_message = nullptr;
    QListView *m_resultsView = nullptr;
    SearchResultsModel *m_results = nullptr;
    bool m_showsError = false;

    QueryKind m_queryKind = QueryKind::None;
    QString m_imagePath;
    int m_databaseIndex = -1;
    QString m_queryImagePath; ///< Image shown in the query preview.
    QTemporaryDir m_pastedImages; ///< Pasted and dropped image data, saved as files to search with.
    int m_pastedImageCount = 0;

    QFutureWatcher<Result<Ranking>> m_watcher;
    TrainedModelPointer m_searchModel; ///< Model of the running search.
    Query m_runningQuery;
    bool m_searchAgain = false; ///< The query changed while a search ran.

    // The ranked hits fetched so far for m_rankedQuery; pages within them show at once.
    Query m_rankedQuery;
    TrainedModelPointer m_rankedModel;
    std::vector<SearchHit> m_rankedHits;
    int m_databaseSize = 0;
    double m_lastMilliseconds = 0;
    QString m_lastNote;
    int m_currentPage = 0;
    int m_requestedPage = 0;
};

} // namespace esafh::ui
