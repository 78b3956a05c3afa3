#pragma once

#include "pipeline/training_job.h"

#include <QStringList>

#include <random>

namespace esafh::test {

/// A prepared dataset with cluster structure and no image files: `clusters` labels,
/// image features near a per-cluster centre, captions drawn from per-cluster words.
inline PreparedDataset makeClusteredDataset(int itemsPerCluster = 20, int clusters = 4, int imageDimension = 32,
                                            quint64 seed = 7)
{
    static const QStringList clusterWords[] = {
        {QStringLiteral("cat"), QStringLiteral("kitten"), QStringLiteral("paw"), QStringLiteral("whiskers")},
        {QStringLiteral("car"), QStringLiteral("wheel"), QStringLiteral("road"), QStringLiteral("engine")},
        {QStringLiteral("apple"), QStringLiteral("fruit"), QStringLiteral("juice"), QStringLiteral("orchard")},
        {QStringLiteral("boat"), QStringLiteral("sea"), QStringLiteral("sail"), QStringLiteral("harbour")},
    };

    std::mt19937_64 random(seed);
    std::normal_distribution<float> noise(0.0f, 0.6f);
    std::uniform_int_distribution<int> pickWord(0, 3);

    FeatureMatrix centres(clusters, imageDimension);
    for (Eigen::Index i = 0; i < centres.size(); ++i)
        centres.data()[i] = noise(random) * 2.0f;

    PreparedDataset prepared;
    Dataset &dataset = prepared.dataset;
    dataset.name = QStringLiteral("clusters");
    dataset.format = QStringLiteral("synthetic");
    dataset.source = QStringLiteral("synthetic");
    for (int c = 0; c < clusters; ++c)
        dataset.labelNames.append(QStringLiteral("cluster%1").arg(c));

    const int count = itemsPerCluster * clusters;
    prepared.imageFeatures.features.resize(count, imageDimension);
    prepared.imageFeatures.extractorIdentity = QStringLiteral("synthetic-v1");
    for (int i = 0; i < count; ++i) {
        const int cluster = i % clusters;
        DatasetItem item;
        item.labels = {cluster};
        const QStringList &words = clusterWords[cluster % 4];
        item.captions = QStringList{QStringLiteral("a %1 and a %2").arg(words[pickWord(random)], words[pickWord(random)])};
        dataset.items.push_back(item);
        for (int d = 0; d < imageDimension; ++d)
            prepared.imageFeatures.features(i, d) = centres(cluster, d) + noise(random);
    }

    dataset.split = makeRandomSplit(count, SplitSettings{});
    QStringList trainingCaptions;
    for (int index : dataset.split.training)
        trainingCaptions.append(dataset.items[index].caption());
    prepared.vocabulary = Vocabulary::build(trainingCaptions);

    QStringList captions;
    for (const DatasetItem &item : dataset.items)
        captions.append(item.caption());
    prepared.textFeatures = prepared.vocabulary.encode(captions);
    return prepared;
}

} // namespace esafh::test
