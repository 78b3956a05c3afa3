#pragma once

#include "session.h"

#include <QWidget>

class QComboBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QListView;
class QPushButton;
class QSpinBox;
class QPlainTextEdit;
class QSortFilterProxyModel;
class QStandardItemModel;
class QTableView;

namespace esafh::ui {

class DatasetItemsModel;
class ThumbnailCache;

/// The Dataset screen: counts of items and split sets, empty captions, import
/// messages, the label distribution and a filterable thumbnail grid of the items.
class DatasetPage : public QWidget
{
    Q_OBJECT

public:
    DatasetPage(Session *session, ThumbnailCache *thumbnails, QWidget *parent = nullptr);

    DatasetItemsModel *itemsModel() const { return m_itemsModel; }
    QStandardItemModel *labelCountModel() const { return m_labelCounts; }
    QListView *itemsView() const { return m_itemsView; }
    QLineEdit *filterEdit() const { return m_filter; }
    QTableView *labelTable() const { return m_labelTable; }
    QSpinBox *validationCountBox() const { return m_validationCount; }
    QComboBox *textWeightingBox() const { return m_textWeighting; }
    /// Opens the dataset again with the validation size and caption weighting chosen
    /// here. The query set stays; the vocabulary and caption features are rebuilt.
    void applyDatasetSettings();
    /// Text of a summary value, for example "Items" -> "80".
    QString summaryValue(const QString &field) const;

private:
    void buildLayout(QSize thumbnailSize);
    void showDataset();
    void showVisibleItemCount();
    void setSummary(const QString &field, const QString &value);
    void filterBySelectedLabel();

    Session *m_session = nullptr;
    QFormLayout *m_summaryForm = nullptr;
    QHash<QString, QLabel *> m_summaryLabels;
    QPlainTextEdit *m_messages = nullptr;
    QStandardItemModel *m_labelCounts = nullptr;
    QTableView *m_labelTable = nullptr;
    DatasetItemsModel *m_itemsModel = nullptr;
    QSortFilterProxyModel *m_filterModel = nullptr;
    QLineEdit *m_filter = nullptr;
    QListView *m_itemsView = nullptr;
    QLabel *m_gridLabel = nullptr;
    QSpinBox *m_validationCount = nullptr;
    QComboBox *m_textWeighting = nullptr;
    QPushButton *m_redrawButton = nullptr;
};

} // namespace esafh::ui
