#pragma once

#include "common/result.h"
#include "pipeline/trained_model.h"

#include <QString>

#include <vector>

namespace esafh {

/// The modality of the query and of the database items it is ranked against.
enum class SearchDirection
{
    ImageToText,
    TextToImage,
    ImageToImage,
    TextToText,
};

QString directionName(SearchDirection direction);      ///< "i2t", "t2i", "i2i", "t2t".
QString directionDisplayName(SearchDirection direction); ///< "Image to text", ...
bool parseDirection(const QString &name, SearchDirection *direction);
bool queryIsImage(SearchDirection direction);

/// One ranked database item.
struct SearchHit
{
    int rank = 0;          ///< 1-based.
    int databaseIndex = 0; ///< Index into TrainedModel::databaseItems.
    int distance = 0;      ///< Hamming distance.
    QString caption;
    QString imagePath;
    std::vector<int> labels;
};

/// A ranking with the time it took.
struct SearchResult
{
    std::vector<SearchHit> hits;
    int databaseSize = 0;
    double milliseconds = 0;
    QString note; ///< For the user, for example which query words were not in the vocabulary.
};

/// Ranks the database for a typed text. Fails when no word of the text is in the
/// vocabulary, since the code of an empty text ranks nothing meaningfully.
Result<SearchResult> searchByText(const TrainedModel &model, const QString &text, SearchDirection direction, int top);

/// Ranks the database for an image file, described by the model's image backbone.
/// Fails with a message when the image cannot be decoded or the backbone cannot be
/// loaded (its weights file is missing or invalid). It also fails when the backbone
/// no longer computes the features the model was trained on, because its weights
/// file changed. The last two networks loaded are kept for later queries. Safe to
/// call from several threads.
Result<SearchResult> searchByImage(const TrainedModel &model, const QString &imagePath, SearchDirection direction, int top);

/// Ranks the database for one of its own items, as image or text by the direction.
Result<SearchResult> searchByItem(const TrainedModel &model, int databaseIndex, SearchDirection direction, int top);

} // namespace esafh
