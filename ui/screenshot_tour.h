#pragma once

#include <QObject>
#include <QString>

#include <functional>

namespace esafh::ui {

class MainWindow;

/// Drives the main window through its screens and saves one PNG of each into a
/// folder, then quits the application: the screenshots of the documentation. The
/// desktop program starts it when the environment variable ESAFH_SCREENSHOT_DIR
/// names the folder. It waits for the dataset and the model that the command line
/// opens, computes the similarity matrices, runs a search for the caption of a
/// database item and evaluates the model on the Evaluate screen. Exits with status 1 and a logged message when a step fails or
/// times out.
class ScreenshotTour : public QObject
{
    Q_OBJECT

public:
    ScreenshotTour(MainWindow *window, const QString &folder);

    /// The environment variable that names the screenshot folder.
    static const char *environmentVariable() { return "ESAFH_SCREENSHOT_DIR"; }

    void start();
    /// Whether the tour quits the application when it ends; true by default.
    void setQuitWhenDone(bool quit) { m_quitWhenDone = quit; }
    int savedCount() const { return m_saved; }

Q_SIGNALS:
    /// The tour ended; succeeded is false when a step failed or timed out.
    void finished(bool succeeded);

private:
    using Condition = std::function<bool()>;
    using Step = std::function<void()>;

    void waitFor(const QString &awaited, const Condition &condition, int timeoutSeconds, const Step &next);
    void settleThenSave(const QString &fileName, const Step &next);
    void save(const QString &fileName);
    void fail(const QString &message);

    void showDataset();
    void showTrain();
    void showSimilarity();
    void showSimilaritySideBySide();
    void showSearch();
    void showSearchFromItem();
    void showEvaluate();
    void finish();

    MainWindow *m_window = nullptr;
    QString m_folder;
    int m_saved = 0;
    bool m_quitWhenDone = true;
};

} // namespace esafh::ui
