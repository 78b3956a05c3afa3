#pragma once

#include "session.h"

#include <QAbstractListModel>

#include <vector>

namespace esafh::ui {

class ThumbnailCache;

/// The items of a dataset for a thumbnail grid: caption as display text, the
/// image's thumbnail as decoration, and the item's labels and split set.
class DatasetItemsModel : public QAbstractListModel
{
    Q_OBJECT

public:
    enum Role {
        CaptionRole = Qt::UserRole + 1, ///< QString: the first caption.
        ImagePathRole,                  ///< QString: absolute path of the image.
        LabelsRole,                     ///< QStringList: label names.
        ItemIndexRole,                  ///< int: index in the dataset.
        SplitRole,                      ///< QString: "query", "training", "database" or "unused".
        FilterTextRole,                 ///< QString: the captions and label names, which the grid filter matches.
    };

    explicit DatasetItemsModel(ThumbnailCache *thumbnails, QObject *parent = nullptr);

    void setDataset(PreparedDatasetPointer dataset);

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

private:
    enum class SplitSet : unsigned char { Unused, Query, Database, Training };

    QString splitName(SplitSet set) const;
    void updateThumbnail(const QString &path);

    ThumbnailCache *m_thumbnails = nullptr;
    PreparedDatasetPointer m_dataset;
    std::vector<SplitSet> m_splitSets;
    QHash<QString, int> m_rowByPath;
};

} // namespace esafh::ui
