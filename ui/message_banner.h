#pragma once

#include <QWidget>

class QLabel;
class QToolButton;

namespace esafh::ui {

/// A dismissible strip at the top of the window that shows an error or a note
/// without blocking the window the way a modal message box would.
class MessageBanner : public QWidget
{
    Q_OBJECT

public:
    enum class Kind { Error, Information };

    explicit MessageBanner(QWidget *parent = nullptr);

    void showMessage(const QString &message, Kind kind);
    QString text() const;
    Kind kind() const { return m_kind; }

private:
    QLabel *m_label = nullptr;
    QToolButton *m_closeButton = nullptr;
    Kind m_kind = Kind::Information;
};

} // namespace esafh::ui
