#pragma once

#include "pipeline/search.h"

#include <QAbstractListModel>
#include <QStringList>

#include <optional>
#include <vector>

namespace esafh::ui {

class ThumbnailCache;

/// A ranked list of search hits. DisplayRole is the caption and DecorationRole the
/// thumbnail, which loads in the background and is announced by dataChanged. The
/// custom roles carry the rank, Hamming distance, caption, image path, database
/// index and labels, and whether the hit is relevant when the query has labels.
class SearchResultsModel : public QAbstractListModel
{
    Q_OBJECT

public:
    enum Role {
        RankRole = Qt::UserRole + 1, ///< int, 1-based.
        DistanceRole,                ///< int: Hamming distance to the query.
        CaptionRole,                 ///< QString.
        ImagePathRole,               ///< QString.
        DatabaseIndexRole,           ///< int: index into the model's database items.
        LabelsRole,                  ///< QStringList: label names.
        RelevantRole,                ///< bool when the query has labels (it shares one); invalid otherwise.
    };

    explicit SearchResultsModel(ThumbnailCache *thumbnails, QObject *parent = nullptr);

    /// Replaces the results. queryLabels are the labels of a query taken from the
    /// database; a typed text or an opened image has none, and relevance stays unknown.
    void setResults(std::vector<SearchHit> hits, const QStringList &labelNames,
                    std::optional<std::vector<int>> queryLabels = std::nullopt);
    void clear();

    const SearchHit &hit(int row) const { return m_hits[static_cast<std::size_t>(row)]; }

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

private:
    QStringList labelNamesOf(const SearchHit &hit) const;
    bool isRelevant(const SearchHit &hit) const;
    void updateThumbnail(const QString &path);

    ThumbnailCache *m_thumbnails = nullptr;
    std::vector<SearchHit> m_hits;
    QStringList m_labelNames;
    std::optional<std::vector<int>> m_queryLabels;
};

} // namespace esafh::ui
