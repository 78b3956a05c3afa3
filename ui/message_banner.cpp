#include "message_banner.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QStyle>
#include <QToolButton>

namespace esafh::ui {

MessageBanner::MessageBanner(QWidget *parent) : QWidget(parent)
{
    m_label = new QLabel;
    m_label->setWordWrap(true);
    m_label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_closeButton = new QToolButton;
    m_closeButton->setIcon(style()->standardIcon(QStyle::SP_TitleBarCloseButton));
    m_closeButton->setAutoRaise(true);
    m_closeButton->setToolTip(tr("Dismiss"));

    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(10, 6, 6, 6);
    layout->addWidget(m_label, 1);
    layout->addWidget(m_closeButton, 0, Qt::AlignTop);

    setAutoFillBackground(true);
    connect(m_closeButton, &QToolButton::clicked, this, &QWidget::hide);
    hide();
}

void MessageBanner::showMessage(const QString &message, Kind kind)
{
    m_kind = kind;
    m_label->setText(message);

    QPalette colours = palette();
    colours.setColor(QPalette::Window, kind == Kind::Error ? QColor(253, 236, 234) : QColor(232, 240, 254));
    colours.setColor(QPalette::WindowText, kind == Kind::Error ? QColor(140, 29, 24) : QColor(23, 78, 166));
    setPalette(colours);
    show();
}

QString MessageBanner::text() const
{
    return isHidden() ? QString() : m_label->text();
}

} // namespace esafh::ui
