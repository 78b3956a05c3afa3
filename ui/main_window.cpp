#include "main_window.h"

#include "dataset_page.h"
#include "evaluate_page.h"
#include "message_banner.h"
#include "recent_files.h"
#include "screenshot_tour.h"
#include "search_page.h"
#include "session.h"
#include "similarity_page.h"
#include "thumbnail_cache.h"
#include "train_page.h"

#include <QAction>
#include <QApplication>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QStatusBar>
#include <QTabWidget>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

namespace esafh::ui {

namespace {

const QString modelFileSuffix = QStringLiteral("esafh");

QString modelFileFilter()
{
    return MainWindow::tr("ESAFH models (*.esafh);;All files (*)");
}

} // namespace

MainWindow::MainWindow(QWidget *parent) : QMainWindow(parent)
{
    m_session = new Session(this);
    m_thumbnails = new ThumbnailCache(QSize(128, 128), this);

    m_datasetPage = new DatasetPage(m_session, m_thumbnails);
    m_trainPage = new TrainPage(m_session);
    m_similarityPage = new SimilarityPage(m_session, m_thumbnails);
    m_searchPage = new SearchPage(m_session, m_thumbnails);
    m_evaluatePage = new EvaluatePage(m_session);

    m_tabs = new QTabWidget;
    m_tabs->setDocumentMode(true);
    m_tabs->addTab(m_datasetPage, tr("&Dataset"));
    m_tabs->addTab(m_trainPage, tr("&Train"));
    m_tabs->addTab(m_similarityPage, tr("S&imilarity"));
    m_tabs->addTab(m_searchPage, tr("&Search"));
    m_tabs->addTab(m_evaluatePage, tr("&Evaluate"));

    m_banner = new MessageBanner;
    auto *central = new QWidget;
    auto *layout = new QVBoxLayout(central);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(m_banner);
    layout->addWidget(m_tabs, 1);
    setCentralWidget(central);

    createActions();
    createMenus();
    createStatusBar();

    connect(m_session, &Session::datasetChanged, this, &MainWindow::showDatasetStatus);
    connect(m_session, &Session::modelChanged, this, &MainWindow::showModelStatus);
    connect(m_session, &Session::modelSaved, this, [this](const QString &path) {
        m_recentModels->add(path);
        showModelStatus();
    });
    connect(m_session, &Session::busyChanged, this, &MainWindow::showBusy);
    connect(m_session, &Session::progressChanged, this, &MainWindow::showProgress);
    connect(m_session, &Session::errorOccurred, this, &MainWindow::showError);
    connect(m_session, &Session::statusMessage, this, &MainWindow::showNote);

    showDatasetStatus();
    showModelStatus();
    setWindowTitle(tr("esafh"));
    resize(1280, 820);

    const QString screenshotFolder = qEnvironmentVariable(ScreenshotTour::environmentVariable());
    if (!screenshotFolder.isEmpty()) {
        auto *tour = new ScreenshotTour(this, screenshotFolder);
        QTimer::singleShot(0, tour, &ScreenshotTour::start);
    }
}

MainWindow::~MainWindow() = default;

void MainWindow::createActions()
{
    m_openDatasetFolderAction = new QAction(tr("&Open Dataset…"), this);
    m_openDatasetFolderAction->setShortcut(QKeySequence::Open);
    m_openDatasetFolderAction->setStatusTip(tr("Open a folder of images with captions or an MS-COCO release."));
    connect(m_openDatasetFolderAction, &QAction::triggered, this, &MainWindow::openDatasetFolder);

    m_openDatasetFileAction = new QAction(tr("Open Dataset &File…"), this);
    m_openDatasetFileAction->setStatusTip(tr("Open a dataset file (JSON) with its split."));
    connect(m_openDatasetFileAction, &QAction::triggered, this, &MainWindow::openDatasetFile);

    m_openModelAction = new QAction(tr("Open &Model…"), this);
    m_openModelAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    m_openModelAction->setStatusTip(tr("Open a trained model file to search with it and see its matrices."));
    connect(m_openModelAction, &QAction::triggered, this, &MainWindow::openModel);

    m_saveModelAction = new QAction(tr("&Save Model As…"), this);
    m_saveModelAction->setShortcut(QKeySequence::Save);
    m_saveModelAction->setStatusTip(tr("Write the current model to a file."));
    connect(m_saveModelAction, &QAction::triggered, this, &MainWindow::saveModelAs);

    m_openComparisonAction = new QAction(tr("Open &Comparison…"), this);
    m_openComparisonAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    m_openComparisonAction->setStatusTip(tr("Open a folder written by esafh-cli compare on the Evaluate screen."));
    connect(m_openComparisonAction, &QAction::triggered, this, &MainWindow::openComparison);

    m_openRunRecordsAction = new QAction(tr("Open &Run Records…"), this);
    m_openRunRecordsAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E));
    m_openRunRecordsAction->setStatusTip(tr("Add run records to the Evaluate screen."));
    connect(m_openRunRecordsAction, &QAction::triggered, this, [this] {
        showScreen(EvaluateScreen);
        m_evaluatePage->chooseRunRecords();
    });

    m_quitAction = new QAction(tr("&Quit"), this);
    m_quitAction->setShortcut(QKeySequence::Quit);
    m_quitAction->setMenuRole(QAction::QuitRole);
    connect(m_quitAction, &QAction::triggered, this, &QWidget::close);
}

void MainWindow::createMenus()
{
    QMenu *fileMenu = menuBar()->addMenu(tr("&File"));
    fileMenu->addAction(m_openDatasetFolderAction);
    fileMenu->addAction(m_openDatasetFileAction);
    QMenu *recentDatasetsMenu = fileMenu->addMenu(tr("Recent &Datasets"));
    fileMenu->addSeparator();
    fileMenu->addAction(m_openModelAction);
    QMenu *recentModelsMenu = fileMenu->addMenu(tr("Recent Mo&dels"));
    fileMenu->addAction(m_saveModelAction);
    fileMenu->addSeparator();
    fileMenu->addAction(m_openComparisonAction);
    QMenu *recentComparisonsMenu = fileMenu->addMenu(tr("Recent Co&mparisons"));
    fileMenu->addAction(m_openRunRecordsAction);
    fileMenu->addSeparator();
    fileMenu->addAction(m_quitAction);

    m_recentDatasets = new RecentFiles(QStringLiteral("recentDatasets"), recentDatasetsMenu, this);
    m_recentModels = new RecentFiles(QStringLiteral("recentModels"), recentModelsMenu, this);
    connect(m_recentDatasets, &RecentFiles::fileRequested, m_session, &Session::openDataset);
    connect(m_recentModels, &RecentFiles::fileRequested, m_session, &Session::openModel);
    m_recentComparisons = new RecentFiles(QStringLiteral("recentComparisons"), recentComparisonsMenu, this);
    connect(m_recentComparisons, &RecentFiles::fileRequested, this, [this](const QString &path) {
        showScreen(EvaluateScreen);
        m_evaluatePage->openComparison(path);
    });
    connect(m_evaluatePage, &EvaluatePage::comparisonOpened, m_recentComparisons, &RecentFiles::add);

    QMenu *viewMenu = menuBar()->addMenu(tr("&View"));
    const QStringList screenNames{tr("Dataset"), tr("Train"), tr("Similarity"), tr("Search"), tr("Evaluate")};
    for (int screen = 0; screen < screenNames.size(); ++screen) {
        QAction *action = viewMenu->addAction(screenNames[screen]);
        action->setShortcut(QKeySequence(Qt::CTRL | static_cast<Qt::Key>(Qt::Key_1 + screen)));
        connect(action, &QAction::triggered, this, [this, screen] { showScreen(static_cast<Screen>(screen)); });
    }

    QMenu *helpMenu = menuBar()->addMenu(tr("&Help"));
    helpMenu->addAction(tr("&About esafh"), this, &MainWindow::showAbout);
}

void MainWindow::createStatusBar()
{
    m_datasetStatus = new QLabel;
    m_modelStatus = new QLabel;
    m_jobProgress = new QProgressBar;
    m_jobProgress->setMaximumWidth(220);
    m_jobProgress->setTextVisible(true);
    m_jobProgress->hide();
    m_cancelJobButton = new QToolButton;
    m_cancelJobButton->setText(tr("Cancel"));
    m_cancelJobButton->setToolTip(tr("Stop opening the dataset."));
    m_cancelJobButton->hide();
    connect(m_cancelJobButton, &QToolButton::clicked, m_session, &Session::cancel);

    statusBar()->addWidget(m_datasetStatus);
    statusBar()->addWidget(m_modelStatus);
    statusBar()->addPermanentWidget(m_jobProgress);
    statusBar()->addPermanentWidget(m_cancelJobButton);
}

void MainWindow::showScreen(Screen screen)
{
    m_tabs->setCurrentIndex(screen);
}

MainWindow::Screen MainWindow::currentScreen() const
{
    return static_cast<Screen>(m_tabs->currentIndex());
}

void MainWindow::openDatasetFolder()
{
    const QString folder = QFileDialog::getExistingDirectory(this, tr("Open Dataset Folder"));
    if (!folder.isEmpty())
        m_session->openDataset(folder);
}

void MainWindow::openDatasetFile()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Open Dataset File"), QString(),
                                                      tr("Dataset files (*.json);;All files (*)"));
    if (!path.isEmpty())
        m_session->openDataset(path);
}

void MainWindow::openModel()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Open Model"), QString(), modelFileFilter());
    if (!path.isEmpty())
        m_session->openModel(path);
}

void MainWindow::saveModelAs()
{
    if (!m_session->model()) {
        showError(tr("There is no model to save. Train one on the Train screen first."));
        return;
    }

    QFileDialog dialog(this, tr("Save Model As"), m_session->modelPath(), modelFileFilter());
    dialog.setAcceptMode(QFileDialog::AcceptSave);
    dialog.setDefaultSuffix(modelFileSuffix);
    if (dialog.exec() == QDialog::Accepted && !dialog.selectedFiles().isEmpty())
        m_session->saveModel(dialog.selectedFiles().constFirst());
}

void MainWindow::openComparison()
{
    const QString folder = QFileDialog::getExistingDirectory(this, tr("Open Comparison Folder"));
    if (folder.isEmpty())
        return;
    showScreen(EvaluateScreen);
    m_evaluatePage->openComparison(folder);
}

void MainWindow::showDatasetStatus()
{
    const auto dataset = m_session->dataset();
    if (!dataset) {
        m_datasetStatus->setText(tr("No dataset"));
        setWindowTitle(tr("esafh"));
        return;
    }
    const int itemCount = dataset->dataset.size();
    m_datasetStatus->setText(itemCount == 1 ? tr("Dataset: %1, 1 item").arg(dataset->dataset.name)
                                            : tr("Dataset: %1, %2 items").arg(dataset->dataset.name).arg(itemCount));
    m_datasetStatus->setToolTip(dataset->dataset.source);
    m_recentDatasets->add(dataset->dataset.source);
    setWindowTitle(tr("%1 – esafh").arg(dataset->dataset.name));
}

void MainWindow::showModelStatus()
{
    const auto model = m_session->model();
    m_saveModelAction->setEnabled(model != nullptr);
    if (!model) {
        m_modelStatus->setText(tr("No model"));
        m_modelStatus->setToolTip(QString());
        return;
    }

    const QString path = m_session->modelPath();
    const QString name = path.isEmpty() ? tr("trained, not saved") : QFileInfo(path).fileName();
    m_modelStatus->setText(tr("Model: %1, %2 bits, trained on %3")
                               .arg(name)
                               .arg(model->settings.bits)
                               .arg(model->datasetName));
    m_modelStatus->setToolTip(path);
    if (!path.isEmpty())
        m_recentModels->add(path);
}

void MainWindow::showBusy(bool busy)
{
    m_jobProgress->setVisible(busy);
    m_cancelJobButton->setVisible(busy);
    if (!busy)
        statusBar()->clearMessage();
}

void MainWindow::showProgress(const QString &stage, int done, int total)
{
    m_jobProgress->setRange(0, total);
    m_jobProgress->setValue(done);
    m_jobProgress->setFormat(total > 0 ? tr("%p%") : QString());
    statusBar()->showMessage(stage);
}

void MainWindow::showError(const QString &message)
{
    m_banner->showMessage(message, MessageBanner::Kind::Error);
}

void MainWindow::showNote(const QString &message)
{
    statusBar()->showMessage(message, 8000);
}

void MainWindow::showAbout()
{
    QMessageBox::about(this, tr("About esafh"),
                       tr("<p><b>esafh</b> %1</p><p>Explores unsupervised cross-modal hashing: trains ESAFH, shows "
                          "its similarity matrices and searches image-text collections by Hamming distance.</p>"
                          "<p>ESAFH is reconstructed from the abstract of Li and Ge, \"Enhanced-Similarity Attention "
                          "Fusion for Unsupervised Cross-Modal Hashing Retrieval\", Data Science and Engineering, 2025.</p>")
                           .arg(QApplication::applicationVersion()));
}

} // namespace esafh::ui
