#include "pipeline/search.h"

#include "pipeline/training_job.h"

#include "common/logging.h"
#include "features/image_extractor.h"
#include "retrieval/hamming_search.h"

#include <QElapsedTimer>
#include <QMutex>

#include <map>
#include <memory>

namespace esafh {

namespace {

const HashCodes &databaseCodesFor(const TrainedModel &model, SearchDirection direction)
{
    const bool databaseIsText = direction == SearchDirection::ImageToText || direction == SearchDirection::TextToText;
    return databaseIsText ? model.databaseTextCodes : model.databaseImageCodes;
}

SearchResult rank(const TrainedModel &model, const std::uint64_t *queryCode, SearchDirection direction, int top)
{
    QElapsedTimer timer;
    timer.start();

    const HashCodes &database = databaseCodesFor(model, direction);
    SearchResult result;
    result.databaseSize = database.size();

    const std::vector<RankedItem> ranking = rankByHamming(database, queryCode, top);
    result.hits.reserve(ranking.size());
    for (std::size_t position = 0; position < ranking.size(); ++position) {
        const DatasetItem &item = model.databaseItems[ranking[position].index];
        SearchHit hit;
        hit.rank = static_cast<int>(position) + 1;
        hit.databaseIndex = ranking[position].index;
        hit.distance = ranking[position].distance;
        hit.caption = item.caption();
        hit.imagePath = item.imagePath;
        hit.labels = item.labels;
        result.hits.push_back(std::move(hit));
    }

    result.milliseconds = timer.nsecsElapsed() / 1e6;
    return result;
}

// Ends text with a full stop, for a message that continues after it.
QString asSentence(const QString &text)
{
    return text.endsWith(QLatin1Char('.')) ? text : text + QLatin1Char('.');
}

// Builds the model's image backbone, or takes it from the extractors of earlier
// searches, after checking that it still computes the features the model was
// trained on.
Result<std::shared_ptr<const ImageFeatureExtractor>> extractorForModel(const TrainedModel &model)
{
    using ExtractorResult = Result<std::shared_ptr<const ImageFeatureExtractor>>;
    const BackboneSpec &spec = model.imageBackbone;

    Result<QString> identity = backboneIdentity(spec);
    if (!identity) {
        return ExtractorResult::failure(
            QStringLiteral("The model's image backbone, %1, cannot be loaded: %2 Search by text still works.")
                .arg(spec.toString(), asSentence(identity.error())));
    }
    if (identity.value() != model.imageExtractor) {
        return ExtractorResult::failure(
            QStringLiteral("The model was trained on image features \"%1\", but its backbone %2 now computes \"%3\": "
                           "the weights file or the program changed since training. Train the model again, or restore "
                           "the weights it was trained with. Search by text still works.")
                .arg(model.imageExtractor, spec.toString(), identity.value()));
    }

    // A network takes seconds to load, so the last two are kept for the next queries.
    static QMutex mutex;
    static std::map<QString, std::shared_ptr<const ImageFeatureExtractor>> loaded;
    QMutexLocker lock(&mutex);
    const auto found = loaded.find(identity.value());
    if (found != loaded.end())
        return found->second;

    Result<std::unique_ptr<ImageFeatureExtractor>> created = createImageFeatureExtractor(spec);
    if (!created) {
        return ExtractorResult::failure(
            QStringLiteral("The model's image backbone, %1, cannot be loaded: %2 Search by text still works.")
                .arg(spec.toString(), asSentence(created.error())));
    }
    if (loaded.size() >= 2)
        loaded.clear();
    std::shared_ptr<const ImageFeatureExtractor> extractor = std::move(created).value();
    loaded.emplace(identity.value(), extractor);
    return extractor;
}

Status checkReady(const TrainedModel &model, int top)
{
    if (!model.hashModel)
        return Status::failure(QStringLiteral("No model is loaded."));
    if (top <= 0)
        return Status::failure(QStringLiteral("The number of results must be at least 1, not %1.").arg(top));
    return Status::success();
}

} // namespace

QString directionName(SearchDirection direction)
{
    switch (direction) {
    case SearchDirection::ImageToText: return QStringLiteral("i2t");
    case SearchDirection::TextToImage: return QStringLiteral("t2i");
    case SearchDirection::ImageToImage: return QStringLiteral("i2i");
    case SearchDirection::TextToText: return QStringLiteral("t2t");
    }
    return {};
}

QString directionDisplayName(SearchDirection direction)
{
    switch (direction) {
    case SearchDirection::ImageToText: return QStringLiteral("Image to text");
    case SearchDirection::TextToImage: return QStringLiteral("Text to image");
    case SearchDirection::ImageToImage: return QStringLiteral("Image to image");
    case SearchDirection::TextToText: return QStringLiteral("Text to text");
    }
    return {};
}

bool parseDirection(const QString &name, SearchDirection *direction)
{
    for (SearchDirection candidate : {SearchDirection::ImageToText, SearchDirection::TextToImage,
                                      SearchDirection::ImageToImage, SearchDirection::TextToText}) {
        if (name == directionName(candidate)) {
            *direction = candidate;
            return true;
        }
    }
    return false;
}

bool queryIsImage(SearchDirection direction)
{
    return direction == SearchDirection::ImageToText || direction == SearchDirection::ImageToImage;
}

Result<SearchResult> searchByText(const TrainedModel &model, const QString &text, SearchDirection direction, int top)
{
    if (Status ready = checkReady(model, top); !ready)
        return Result<SearchResult>::failure(ready.error());
    if (queryIsImage(direction))
        return Result<SearchResult>::failure(QStringLiteral("A text query searches text to image or text to text, not %1.").arg(directionDisplayName(direction).toLower()));

    if (model.vocabulary.size() == 0) {
        return Result<SearchResult>::failure(
            QStringLiteral("The model was trained on precomputed text features (%1), not on words, so it cannot encode a "
                           "typed text. Search by a database item instead.")
                .arg(model.datasetSource));
    }

    const QStringList words = Vocabulary::tokenize(text);
    if (words.isEmpty())
        return Result<SearchResult>::failure(QStringLiteral("The query is empty: type a few words."));

    int knownWordCount = 0;
    const std::vector<float> bagOfWords = model.vocabulary.encode(text, &knownWordCount);
    if (knownWordCount == 0) {
        return Result<SearchResult>::failure(
            QStringLiteral("None of the words in \"%1\" is in the model's vocabulary of %2 words, so there is nothing to rank by. "
                           "Try words from the captions of the dataset.")
                .arg(text.trimmed())
                .arg(model.vocabulary.size()));
    }

    FeatureMatrix features(1, static_cast<Eigen::Index>(bagOfWords.size()));
    std::copy(bagOfWords.begin(), bagOfWords.end(), features.data());
    const HashCodes code = model.hashModel->encodeTexts(features);

    SearchResult result = rank(model, code.code(0), direction, top);

    QStringList unknownWords;
    for (const QString &word : words) {
        if (model.vocabulary.indexOf(word) < 0 && !unknownWords.contains(word))
            unknownWords.append(word);
    }
    if (!unknownWords.isEmpty())
        result.note = QStringLiteral("Not in the vocabulary, ignored: %1").arg(unknownWords.join(QStringLiteral(", ")));
    return result;
}

Result<SearchResult> searchByImage(const TrainedModel &model, const QString &imagePath, SearchDirection direction, int top)
{
    if (Status ready = checkReady(model, top); !ready)
        return Result<SearchResult>::failure(ready.error());
    if (!queryIsImage(direction))
        return Result<SearchResult>::failure(QStringLiteral("An image query searches image to text or image to image, not %1.").arg(directionDisplayName(direction).toLower()));
    if (model.imageExtractor.startsWith(precomputedFeaturesPrefix())) {
        return Result<SearchResult>::failure(
            QStringLiteral("The model was trained on precomputed image features (%1), which no backbone here computes "
                           "for a new image. Search by a database item instead.")
                .arg(model.imageExtractor.mid(precomputedFeaturesPrefix().size())));
    }

    Result<std::shared_ptr<const ImageFeatureExtractor>> extractor = extractorForModel(model);
    if (!extractor)
        return Result<SearchResult>::failure(extractor.error());

    Result<std::vector<float>> feature = extractor.value()->extractFromFile(imagePath);
    if (!feature)
        return Result<SearchResult>::failure(feature.error());

    FeatureMatrix features(1, static_cast<Eigen::Index>(feature->size()));
    std::copy(feature->begin(), feature->end(), features.data());
    const HashCodes code = model.hashModel->encodeImages(features);
    return rank(model, code.code(0), direction, top);
}

Result<SearchResult> searchByItem(const TrainedModel &model, int databaseIndex, SearchDirection direction, int top)
{
    if (Status ready = checkReady(model, top); !ready)
        return Result<SearchResult>::failure(ready.error());
    if (databaseIndex < 0 || databaseIndex >= static_cast<int>(model.databaseItems.size())) {
        return Result<SearchResult>::failure(QStringLiteral("Database item %1 does not exist; the database has %2 items.")
                                                 .arg(databaseIndex)
                                                 .arg(model.databaseItems.size()));
    }

    const HashCodes &queryCodes = queryIsImage(direction) ? model.databaseImageCodes : model.databaseTextCodes;
    return rank(model, queryCodes.code(databaseIndex), direction, top);
}

} // namespace esafh
