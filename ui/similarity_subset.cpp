#include "similarity_subset.h"

#include "matrix_ordering.h"

#include <QCoreApplication>

#include <algorithm>
#include <climits>
#include <cmath>
#include <numeric>
#include <random>
#include <set>

namespace esafh::ui {

namespace {

int firstLabel(const DatasetItem &item)
{
    return item.labels.empty() ? INT_MAX : item.labels.front();
}

// Fills the groups of a subset whose items are ordered by label.
void groupByLabel(const Dataset &dataset, SimilaritySubset &subset)
{
    subset.groupStarts.clear();
    subset.groupNames.clear();
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
}

FeatureMatrix permutedRows(const FeatureMatrix &matrix, const std::vector<int> &order)
{
    FeatureMatrix result(matrix.rows(), matrix.cols());
    for (Eigen::Index row = 0; row < result.rows(); ++row)
        result.row(row) = matrix.row(order[static_cast<std::size_t>(row)]);
    return result;
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

    const std::vector<int> positions = labelOrder(dataset, subset.items);
    std::vector<int> ordered;
    ordered.reserve(positions.size());
    for (int position : positions)
        ordered.push_back(subset.items[static_cast<std::size_t>(position)]);
    subset.items = std::move(ordered);
    groupByLabel(dataset, subset);
    return subset;
}

std::vector<int> labelOrder(const Dataset &dataset, const std::vector<int> &items)
{
    std::vector<int> positions(items.size());
    std::iota(positions.begin(), positions.end(), 0);
    std::sort(positions.begin(), positions.end(), [&](int left, int right) {
        const int leftItem = items[static_cast<std::size_t>(left)];
        const int rightItem = items[static_cast<std::size_t>(right)];
        const int leftLabel = firstLabel(dataset.items[leftItem]);
        const int rightLabel = firstLabel(dataset.items[rightItem]);
        return leftLabel != rightLabel ? leftLabel < rightLabel : leftItem < rightItem;
    });
    return positions;
}

int clusterCountFor(const Dataset &dataset, const std::vector<int> &items)
{
    std::set<int> labels;
    for (int item : items) {
        if (!dataset.items[item].labels.empty())
            labels.insert(firstLabel(dataset.items[item]));
    }
    const int count = labels.size() >= 2 ? static_cast<int>(labels.size())
                                         : static_cast<int>(std::lround(std::sqrt(items.size() / 2.0)));
    return std::clamp(count, 2, 30);
}

SquareMatrix permuted(const SquareMatrix &matrix, const std::vector<int> &order)
{
    Q_ASSERT(matrix.rows() == matrix.cols() && matrix.rows() == static_cast<Eigen::Index>(order.size()));
    const Eigen::Index n = matrix.rows();
    SquareMatrix result(n, n);
    for (Eigen::Index row = 0; row < n; ++row) {
        const float *source = matrix.data() + order[static_cast<std::size_t>(row)] * n;
        float *target = result.data() + row * n;
        for (Eigen::Index column = 0; column < n; ++column)
            target[column] = source[order[static_cast<std::size_t>(column)]];
    }
    return result;
}

void orderSubset(const Dataset &dataset, SubsetOrder order, SimilaritySubset &subset, SimilarityMatrices &matrices)
{
    const auto n = static_cast<Eigen::Index>(subset.items.size());
    // Without a fused matrix there is nothing to cluster.
    if (matrices.fused.rows() != n || matrices.fused.cols() != n)
        order = SubsetOrder::Label;

    std::vector<int> positions;
    std::vector<int> clusterStarts;
    if (order == SubsetOrder::Label) {
        positions = labelOrder(dataset, subset.items);
    } else {
        ClusterOrdering clusters = clusterOrdering(matrices.fused, clusterCountFor(dataset, subset.items));
        positions = std::move(clusters.order);
        clusterStarts = std::move(clusters.groupStarts);
    }

    std::vector<int> items;
    items.reserve(positions.size());
    for (int position : positions)
        items.push_back(subset.items[static_cast<std::size_t>(position)]);
    subset.items = std::move(items);

    for (SquareMatrix *matrix : {&matrices.image, &matrices.text, &matrices.enrichedText, &matrices.crossModal,
                                 &matrices.fused, &matrices.code}) {
        if (matrix->rows() == n && matrix->cols() == n)
            *matrix = permuted(*matrix, positions);
    }
    if (matrices.attention.rows() == n)
        matrices.attention = permutedRows(matrices.attention, positions);

    if (order == SubsetOrder::Label) {
        groupByLabel(dataset, subset);
        return;
    }
    subset.groupStarts = std::move(clusterStarts);
    subset.groupNames.clear();
    for (std::size_t cluster = 0; cluster < subset.groupStarts.size(); ++cluster)
        subset.groupNames.append(QCoreApplication::translate("SimilaritySubset", "cluster %1").arg(cluster + 1));
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
