#include "search_results_model.h"

#include "thumbnail_cache.h"

#include <algorithm>

namespace esafh::ui {

SearchResultsModel::SearchResultsModel(ThumbnailCache *thumbnails, QObject *parent)
    : QAbstractListModel(parent), m_thumbnails(thumbnails)
{
    Q_ASSERT(m_thumbnails);
    connect(m_thumbnails, &ThumbnailCache::thumbnailReady, this, &SearchResultsModel::updateThumbnail);
}

void SearchResultsModel::setResults(std::vector<SearchHit> hits, const QStringList &labelNames,
                                    std::optional<std::vector<int>> queryLabels)
{
    beginResetModel();
    m_hits = std::move(hits);
    m_labelNames = labelNames;
    m_queryLabels = std::move(queryLabels);
    endResetModel();
}

void SearchResultsModel::clear()
{
    setResults({}, {});
}

int SearchResultsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_hits.size());
}

QVariant SearchResultsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};

    const SearchHit &hit = m_hits[static_cast<std::size_t>(index.row())];
    switch (role) {
    case Qt::DisplayRole:
    case CaptionRole:
        // Items of a feature dataset may have no caption: name them by number and labels.
        if (hit.caption.isEmpty())
            return tr("Database item %1 (%2)").arg(hit.databaseIndex).arg(labelNamesOf(hit).join(QStringLiteral(", ")));
        return hit.caption;
    case Qt::StatusTipRole:
        // The delegate writes this in place of a thumbnail.
        if (hit.imagePath.isEmpty())
            return tr("No image: precomputed features");
        return {};
    case Qt::DecorationRole: {
        const QPixmap thumbnail = m_thumbnails->thumbnail(hit.imagePath);
        return thumbnail.isNull() ? QVariant() : QVariant(thumbnail);
    }
    case Qt::ToolTipRole:
        return tr("Rank %1, Hamming distance %2\n%3\nLabels: %4")
            .arg(hit.rank)
            .arg(hit.distance)
            .arg(hit.caption, labelNamesOf(hit).join(QStringLiteral(", ")));
    case RankRole:
        return hit.rank;
    case DistanceRole:
        return hit.distance;
    case ImagePathRole:
        return hit.imagePath;
    case DatabaseIndexRole:
        return hit.databaseIndex;
    case LabelsRole:
        return labelNamesOf(hit);
    case RelevantRole:
        return m_queryLabels ? QVariant(isRelevant(hit)) : QVariant();
    default:
        return {};
    }
}

QHash<int, QByteArray> SearchResultsModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractListModel::roleNames();
    names.insert(RankRole, "rank");
    names.insert(DistanceRole, "distance");
    names.insert(CaptionRole, "caption");
    names.insert(ImagePathRole, "imagePath");
    names.insert(DatabaseIndexRole, "databaseIndex");
    names.insert(LabelsRole, "labels");
    names.insert(RelevantRole, "relevant");
    return names;
}

QStringList SearchResultsModel::labelNamesOf(const SearchHit &hit) const
{
    QStringList names;
    for (int label : hit.labels)
        names.append(m_labelNames.value(label));
    return names;
}

bool SearchResultsModel::isRelevant(const SearchHit &hit) const
{
    const std::vector<int> &query = *m_queryLabels;
    return std::any_of(hit.labels.begin(), hit.labels.end(), [&query](int label) {
        return std::find(query.begin(), query.end(), label) != query.end();
    });
}

void SearchResultsModel::updateThumbnail(const QString &path)
{
    for (int row = 0; row < static_cast<int>(m_hits.size()); ++row) {
        if (m_hits[static_cast<std::size_t>(row)].imagePath == path) {
            const QModelIndex changed = index(row);
            Q_EMIT dataChanged(changed, changed, {Qt::DecorationRole});
        }
    }
}

} // namespace esafh::ui
