#include "recent_files.h"

#include <QDir>
#include <QFileInfo>
#include <QMenu>
#include <QSettings>

namespace esafh::ui {

namespace {

constexpr int maxRecentFiles = 8;

} // namespace

RecentFiles::RecentFiles(const QString &key, QMenu *menu, QObject *parent)
    : QObject(parent), m_key(key), m_menu(menu)
{
    rebuildMenu();
}

QStringList RecentFiles::files() const
{
    return QSettings().value(m_key).toStringList();
}

void RecentFiles::add(const QString &path)
{
    const QString absolute = QFileInfo(path).absoluteFilePath();
    QStringList list = files();
    list.removeAll(absolute);
    list.prepend(absolute);
    while (list.size() > maxRecentFiles)
        list.removeLast();
    QSettings().setValue(m_key, list);
    rebuildMenu();
}

void RecentFiles::rebuildMenu()
{
    m_menu->clear();
    const QStringList list = files();
    for (const QString &path : list) {
        QAction *action = m_menu->addAction(QDir::toNativeSeparators(path));
        action->setEnabled(QFileInfo::exists(path));
        connect(action, &QAction::triggered, this, [this, path] { Q_EMIT fileRequested(path); });
    }
    m_menu->setEnabled(!list.isEmpty());
}

} // namespace esafh::ui
