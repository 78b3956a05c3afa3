#include "dataset_items_model.h"

#include "thumbnail_cache.h"

namespace esafh::ui {

DatasetItemsModel::DatasetItemsModel(ThumbnailCache *thumbnails, QObject *parent)
    : QAbstractListModel(parent), m_thumbnails(thumbnails)
{
    Q_ASSERT(m_thumbnails);
    connect(m_thumbnails, &ThumbnailCache::thumbnailReady, this, &DatasetItemsModel::updateThumbnail);
}

void DatasetItemsModel::setDataset(PreparedDatasetPointer dataset)
{
    beginResetModel();
    m_dataset = std::move(dataset);
    m_splitSets.clear();
    m_rowByPath.clear();

    if (m_dataset) {
        const Dataset &data = m_dataset->dataset;
        m_splitSets.assign(data.items.size(), SplitSet::Unused);
        // Training items are also database items; the more specific set wins.
        for (int index : data.split.database)
            m_splitSets[index] = SplitSet::Database;
        for (int index : data.split.training)
            m_splitSets[index] = SplitSet::Training;
        for (int index : data.split.query)
            m_splitSets[index] = SplitSet::Query;
        for (int row = 0; row < data.size(); ++row)
            m_rowByPath.insert(data.items[row].imagePath, row);
    }
    endResetModel();
}

int DatasetItemsModel::rowCount(const QModelIndex &parent) const
{
    if (parent.isValid() || !m_dataset)
        return 0;
    return m_dataset->dataset.size();
}

QVariant DatasetItemsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};

    const Dataset &dataset = m_dataset->dataset;
    const DatasetItem &item = dataset.items[index.row()];
    const auto labelNames = [&] {
        QStringList names;
        for (int label : item.labels)
            names.append(dataset.labelNames.value(label));
        return names;
    };

    switch (role) {
    case Qt::DisplayRole:
    case CaptionRole:
        // Items of a feature dataset may have no caption: name them by number and labels.
        if (item.caption().isEmpty())
            return tr("Item %1 (%2)").arg(index.row()).arg(labelNames().join(QStringLiteral(", ")));
        return item.caption();
    case Qt::StatusTipRole:
        // The delegate writes this in place of a thumbnail.
        if (item.imagePath.isEmpty())
            return tr("No image: precomputed features");
        return {};
    case Qt::DecorationRole: {
        const QPixmap thumbnail = m_thumbnails->thumbnail(item.imagePath);
        return thumbnail.isNull() ? QVariant() : QVariant(thumbnail);
    }
    case Qt::ToolTipRole:
        return tr("%1\nLabels: %2\nSet: %3\n%4")
            .arg(item.captions.join(QLatin1Char('\n')),
                 labelNames().join(QStringLiteral(", ")),
                 splitName(m_splitSets[index.row()]),
                 item.imagePath);
    case ImagePathRole:
        return item.imagePath;
    case LabelsRole:
        return labelNames();
    case ItemIndexRole:
        return index.row();
    case SplitRole:
        return splitName(m_splitSets[index.row()]);
    case FilterTextRole:
        return QStringList(item.captions + labelNames()).join(QLatin1Char('\n'));
    default:
        return {};
    }
}

QHash<int, QByteArray> DatasetItemsModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractListModel::roleNames();
    names.insert(CaptionRole, "caption");
    names.insert(ImagePathRole, "imagePath");
    names.insert(LabelsRole, "labels");
    names.insert(ItemIndexRole, "itemIndex");
    names.insert(SplitRole, "split");
    return names;
}

QString DatasetItemsModel::splitName(SplitSet set) const
{
    switch (set) {
    case SplitSet::Query: return QStringLiteral("query");
    case SplitSet::Database: return QStringLiteral("database");
    case SplitSet::Training: return QStringLiteral("training");
    case SplitSet::Unused: break;
    }
    return QStringLiteral("unused");
}

void DatasetItemsModel::updateThumbnail(const QString &path)
{
    const auto found = m_rowByPath.constFind(path);
    if (found == m_rowByPath.constEnd())
        return;
    const QModelIndex changed = index(found.value());
    Q_EMIT dataChanged(changed, changed, {Qt::DecorationRole});
}

} // namespace esafh::ui
