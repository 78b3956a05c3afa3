#pragma once

#include <QObject>
#include <QStringList>

class QMenu;

namespace esafh::ui {

/// A list of recently opened files of one kind, kept in QSettings under `key` and
/// shown as a menu whose actions emit fileRequested.
class RecentFiles : public QObject
{
    Q_OBJECT

public:
    RecentFiles(const QString &key, QMenu *menu, QObject *parent = nullptr);

    /// Puts `path` first, dropping an older entry for it and entries beyond the limit.
    void add(const QString &path);
    QStringList files() const;

Q_SIGNALS:
    void fileRequested(const QString &path);

private:
    void rebuildMenu();

    QString m_key;
    QMenu *m_menu = nullptr;
};

} // namespace esafh::ui
