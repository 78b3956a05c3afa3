#pragma once

#include <QMainWindow>

class QAction;
class QLabel;
class QProgressBar;
class QTabWidget;
class QToolButton;

namespace esafh::ui {

class DatasetPage;
class EvaluatePage;
class MessageBanner;
class RecentFiles;
class SearchPage;
class Session;
class SimilarityPage;
class ThumbnailCache;
class TrainPage;

/// The main window: the Dataset, Train, Similarity, Search and Evaluate screens as tabs over
/// one session, the File menu, a banner for errors and notes, and a status bar with
/// the open dataset, the model and the progress of background jobs.
class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    enum Screen { DatasetScreen, TrainScreen, SimilarityScreen, SearchScreen, EvaluateScreen };

    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    Session *session() const { return m_session; }
    DatasetPage *datasetPage() const { return m_datasetPage; }
    TrainPage *trainPage() const { return m_trainPage; }
    SimilarityPage *similarityPage() const { return m_similarityPage; }
    SearchPage *searchPage() const { return m_searchPage; }
    EvaluatePage *evaluatePage() const { return m_evaluatePage; }
    MessageBanner *banner() const { return m_banner; }
    void showScreen(Screen screen);
    Screen currentScreen() const;

public Q_SLOTS:
    void openDatasetFolder();
    void openDatasetFile();
    void openModel();
    void saveModelAs();
    void openComparison();

private:
    void createActions();
    void createMenus();
    void createStatusBar();
    void showDatasetStatus();
    void showModelStatus();
    void showBusy(bool busy);
    void showProgress(const QString &stage, int done, int total);
    void showError(const QString &message);
    void showNote(const QString &message);
    void showAbout();

    Session *m_session = nullptr;
    ThumbnailCache *m_thumbnails = nullptr;
    QTabWidget *m_tabs = nullptr;
    MessageBanner *m_banner = nullptr;
    DatasetPage *m_datasetPage = nullptr;
    TrainPage *m_trainPage = nullptr;
    SimilarityPage *m_similarityPage = nullptr;
    SearchPage *m_searchPage = nullptr;
    EvaluatePage *m_evaluatePage = nullptr;

    QAction *m_openDatasetFolderAction = nullptr;
    QAction *m_openDatasetFileAction = nullptr;
    QAction *m_openModelAction = nullptr;
    QAction *m_saveModelAction = nullptr;
    QAction *m_openComparisonAction = nullptr;
    QAction *m_openRunRecordsAction = nullptr;
    QAction *m_quitAction = nullptr;
    RecentFiles *m_recentDatasets = nullptr;
    RecentFiles *m_recentModels = nullptr;
    RecentFiles *m_recentComparisons = nullptr;

    QLabel *m_datasetStatus = nullptr;
    QLabel *m_modelStatus = nullptr;
    QProgressBar *m_jobProgress = nullptr;
    QToolButton *m_cancelJobButton = nullptr;
};

} // namespace esafh::ui
