#pragma once

#include "session.h"

#include "pipeline/search.h"

#include <QFutureWatcher>
#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QListView;
class QPushButton;
class QSpinBox;

namespace esafh::ui {

class SearchResultsModel;
class ThumbnailCache;

/// The Search screen. The query is a typed text, an opened or dropped image, or a
/// clicked result, and the user picks the direction and the number of results. Hits
/// appear in a ranked grid with their Hamming distances. Searches run off the GUI
/// thread on the session's model.
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
    QSpinBox *resultCountBox() const { return m_resultCount; }
    QListView *resultsView() const { return m_resultsView; }
    SearchResultsModel *resultsModel() const { return m_results; }
    QueryKind queryKind() const { return m_queryKind; }
    SearchDirection direction() const;
    QString messageText() const;
    bool isSearching() const { return m_watcher.isRunning(); }

    void setDirection(SearchDirection direction);

public Q_SLOTS:
    /// Uses an image file as the query and searches with it.
    void searchByImageFile(const QString &path);
    /// Uses a database item of the model as the query and searches with it.
    void searchByDatabaseItem(int databaseIndex);
    /// Runs the current query.
    void search();

Q_SIGNALS:
    /// A search ended. succeeded is false when it failed, and messageText() then gives the reason.
    void searchFinished(bool succeeded);

protected:
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    struct Query
    {
        QueryKind kind = QueryKind::None;
        QString text;
        QString imagePath;
        int databaseIndex = -1;
    };

    void buildLayout();
    void setQueryKind(QueryKind kind);
    void updateDirections();
    void showQueryPreview();
    void refreshQueryThumbnail(const QString &path);
    void openImage();
    void showModel();
    void finishSearch();
    void showError(const QString &message);

    Session *m_session = nullptr;
    ThumbnailCache *m_thumbnails = nullptr;
    QLineEdit *m_queryEdit = nullptr;
    QPushButton *m_searchButton = nullptr;
    QPushButton *m_openImageButton = nullptr;
    QComboBox *m_direction = nullptr;
    QSpinBox *m_resultCount = nullptr;
    QLabel *m_queryThumbnail = nullptr;
    QLabel *m_queryDescription = nullptr;
    QLabel *m_message = nullptr;
    QListView *m_resultsView = nullptr;
    SearchResultsModel *m_results = nullptr;

    QueryKind m_queryKind = QueryKind::None;
    QString m_imagePath;
    int m_databaseIndex = -1;
    QString m_queryImagePath; ///< Image shown in the query preview.

    QFutureWatcher<Result<SearchResult>> m_watcher;
    TrainedModelPointer m_searchModel; ///< Model of the running search.
    Query m_runningQuery;
    bool m_searchAgain = false; ///< The query changed while a search ran.
};

} // namespace esafh::ui
