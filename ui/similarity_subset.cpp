#include "similarity_subset.h"

#include <QCoreApplication>

#include <algorithm>
#include <climits>
#include <random>

namespace esafh::ui {

namespace {

int firstLabel(const DatasetItem &item)
{
    return item.labels.empty() ? INT_MAX : item.labels.front();
}

} // namespace

SimilaritySubset chooseSimilaritySubset(const Dataset &dataset, int count, quint64 seed)
{
    SimilaritySubset subset;
    subset.items = dataset.split.database;
    if (subset.items.empty()) {
        subset.items.resize(dataset.items.size());
        for (int i = 0; i < dataset.size(); ++i)
            subset.items[i] = i;
    }

    if (count >= 0 && static_cast<int>(subset.items.size()) > count) {
        std::mt19937_64 generator(seed);
        std::shuffle(subset.items.begin(), subset.items.end(), generator);
        subset.items.resize(count);
    }

    std::sort(subset.items.begin(), subset.items.end(), [&dataset](int left, int right) {
        const int leftLabel = firstLabel(dataset.items[left]);
        const int rightLabel = firstLabel(dataset.items[right]);
        return leftLabel != rightLabel ? leftLabel < rightLabel : left < right;
    });

    int previousLabel = -1;
    for (int position = 0; position < static_cast<int>(subset.items.size()); ++position) {
        const int label = firstLabel(dataset.items[subset.items[position]]);
        if (position > 0 && label == previousLabel)
            continue;
        subset.groupStarts.push_back(position);
        subset.groupNames.append(label == INT_MAX ? QCoreApplication::translate("SimilaritySubset", "(no label)")
                                                  : dataset.labelNames.value(label));
        previousLabel = label;
    }
    return subset;
}

Result<SimilarityMatrices> computeSubsetMatrices(const TrainedModel &model, const PreparedDataset &prepared,
                                                 const std::vector<int> &items)
{
    const auto fail = [](const QString &message) { return Result<SimilarityMatrices>::failure(message); };

    if (!model.hashModel)
        return fail(QCoreApplication::translate("SimilaritySubset", "The model has no hash networks."));
    if (items.size() < 2)
        return fail(QCoreApplication::translate("SimilaritySubset", "A similarity matrix needs at least 2 items."));

    const FeatureMatrix &allImages = prepared.imageFeatures.features;
    if (!model.imageExtractor.isEmpty() && model.imageExtractor != prepared.imageFeatures.extractorIdentity) {
        return fail(QCoreApplication::translate("SimilaritySubset",
                                                "The model was trained on image features \"%1\", but the dataset's "
                                                "features are \"%2\".")
                        .arg(model.imageExtractor, prepared.imageFeatures.extractorIdentity));
    }
    if (allImages.cols() != model.hashModel->imageDimension()) {
        return fail(QCoreApplication::translate("SimilaritySubset",
                                                "The model expects image features of dimension %1, but the dataset's have %2.")
                        .arg(model.hashModel->imageDimension())
                        .arg(allImages.cols()));
    }

    const Dataset &dataset = prepared.dataset;
    FeatureMatrix images(static_cast<Eigen::Index>(items.size()), allImages.cols());
    QStringList texts;
    for (std::size_t row = 0; row < items.size(); ++row) {
        images.row(static_cast<Eigen::Index>(row)) = allImages.row(items[row]);
        texts.append(dataset.items[items[row]].captions.join(QLatin1Char('\n')));
    }

    const FeatureMatrix encodedTexts = model.vocabulary.encode(texts);
    if (encodedTexts.cols() != model.hashModel->textDimension()) {
        return fail(QCoreApplication::translate("SimilaritySubset",
                                                "The model's vocabulary has %1 words, but its text network expects %2.")
                        .arg(encodedTexts.cols())
                        .arg(model.hashModel->textDimension()));
    }
    return computeSimilarityMatrices(*model.hashModel, images, encodedTexts);
}

QStringList describeItems(const Dataset &dataset, const std::vector<int> &items)
{
    QStringList descriptions;
    descriptions.reserve(static_cast<int>(items.size()));
    for (int index : items) {
        const DatasetItem &item = dataset.items[index];
        QStringList labels;
        for (int label : item.labels)
            labels.append(dataset.labelNames.value(label));
        descriptions.append(QStringLiteral("%1 [%2]").arg(item.caption(), labels.join(QStringLiteral(", "))));
    }
    return descriptions;
}

} // namespace esafh::ui
