#pragma once

#include "common/matrix.h"

#include <QtGlobal>

#include <random>
#include <vector>

namespace esafh::test {

/// Paired image and text features with cluster structure, for tests that need data
/// with something to learn. The cluster is the label.
struct ClusteredData
{
    FeatureMatrix images; ///< Cluster centre plus Gaussian noise.
    FeatureMatrix texts;  ///< Binary bag of words: words of the item's cluster plus random words.
    std::vector<int> clusters;
};

/// Shape of the generated data.
struct ClusteredDataShape
{
    int items = 400;
    int clusters = 4;
    int imageDimension = 32;
    double imageNoise = 1.5;    ///< Noise standard deviation; the centres have unit variance per dimension.
    int wordsPerCluster = 12;
    int sharedWords = 40;       ///< Vocabulary words that belong to no cluster.
    int clusterWordsPerText = 3;
    int randomWordsPerText = 3; ///< Drawn from the whole vocabulary.
};

/// Generates clustered data; item i belongs to cluster i % clusters. The same seed
/// gives the same data on the same standard library.
inline ClusteredData makeClusteredData(const ClusteredDataShape &shape, quint64 seed)
{
    std::mt19937_64 generator(seed);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    const int vocabulary = shape.clusters * shape.wordsPerCluster + shape.sharedWords;

    FeatureMatrix centres(shape.clusters, shape.imageDimension);
    for (int c = 0; c < shape.clusters; ++c)
        for (int j = 0; j < shape.imageDimension; ++j)
            centres(c, j) = normal(generator);

    ClusteredData data;
    data.images.resize(shape.items, shape.imageDimension);
    data.texts = FeatureMatrix::Zero(shape.items, vocabulary);
    std::uniform_int_distribution<int> clusterWord(0, shape.wordsPerCluster - 1);
    std::uniform_int_distribution<int> anyWord(0, vocabulary - 1);
    for (int i = 0; i < shape.items; ++i) {
        const int cluster = i % shape.clusters;
        data.clusters.push_back(cluster);
        for (int j = 0; j < shape.imageDimension; ++j)
            data.images(i, j) = centres(cluster, j) + static_cast<float>(shape.imageNoise) * normal(generator);
        for (int w = 0; w < shape.clusterWordsPerText; ++w)
            data.texts(i, cluster * shape.wordsPerCluster + clusterWord(generator)) = 1.0f;
        for (int w = 0; w < shape.randomWordsPerText; ++w)
            data.texts(i, anyWord(generator)) = 1.0f;
    }
    return data;
}

/// Rows [first, first + count) of a matrix.
inline FeatureMatrix rowRange(const FeatureMatrix &matrix, int first, int count)
{
    return matrix.middleRows(first, count);
}

} // namespace esafh::test
