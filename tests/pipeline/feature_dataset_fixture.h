#pragma once

#include <QByteArray>
#include <QDir>
#include <QFile>
#include <QString>
#include <QStringList>

#include <random>
#include <vector>

namespace esafh::test {

/// Writes a float32 matrix (C order, little-endian) as a NumPy .npy file.
inline bool writeNpyMatrix(const QString &path, int rows, int columns, const std::vector<float> &values)
{
    QByteArray header = QStringLiteral("{'descr': '<f4', 'fortran_order': False, 'shape': (%1, %2), }")
                            .arg(rows)
                            .arg(columns)
                            .toLatin1();
    const int padding = 64 - int((10 + header.size() + 1) % 64);
    header.append(QByteArray(padding % 64, ' '));
    header.append('\n');

    QByteArray bytes("\x93NUMPY\x01\x00", 8);
    bytes.append(char(header.size() & 0xff));
    bytes.append(char(header.size() >> 8));
    bytes.append(header);
    bytes.append(reinterpret_cast<const char *>(values.data()), qsizetype(values.size() * sizeof(float)));

    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
}

/// Writes a small feature dataset into `folder`: `clusters` labels, image features
/// near a per-cluster centre, text features that are noisy cluster word counts, and
/// a description file "clusters.json" with a seeded random split of `queries`
/// queries. Returns the description's path, or an empty string when a write failed.
inline QString writeClusteredFeatureDataset(const QString &folder, int itemsPerCluster = 30, int clusters = 4,
                                            int queries = 20)
{
    const int count = itemsPerCluster * clusters;
    const int imageDimension = 16;
    const int textDimension = 12;
    std::mt19937_64 random(5);
    std::normal_distribution<float> noise(0.0f, 0.5f);
    std::uniform_real_distribution<float> uniform(0.0f, 1.0f);

    std::vector<float> centres(static_cast<size_t>(clusters * imageDimension));
    for (float &value : centres)
        value = noise(random) * 4.0f;

    std::vector<float> images;
    std::vector<float> texts;
    std::vector<float> labels;
    for (int i = 0; i < count; ++i) {
        const int cluster = i % clusters;
        for (int d = 0; d < imageDimension; ++d)
            images.push_back(centres[size_t(cluster * imageDimension + d)] + noise(random));
        for (int d = 0; d < textDimension; ++d) {
            // A word of the item's cluster appears with probability 0.8, any other with 0.1.
            const float probability = d % clusters == cluster ? 0.8f : 0.1f;
            texts.push_back(uniform(random) < probability ? 1.0f : 0.0f);
        }
        for (int c = 0; c < clusters; ++c)
            labels.push_back(c == cluster ? 1.0f : 0.0f);
    }

    const QDir dir(folder);
    if (!writeNpyMatrix(dir.filePath(QStringLiteral("images.npy")), count, imageDimension, images)
        || !writeNpyMatrix(dir.filePath(QStringLiteral("texts.npy")), count, textDimension, texts)
        || !writeNpyMatrix(dir.filePath(QStringLiteral("labels.npy")), count, clusters, labels))
        return {};

    const QString description = QStringLiteral(R"({
    "format": "esafh-feature-dataset", "version": 1, "name": "clusters",
    "imageFeatures": { "file": "images.npy", "items": "rows" },
    "textFeatures": { "file": "texts.npy", "items": "rows" },
    "labels": { "file": "labels.npy", "items": "rows", "form": "matrix" },
    "split": { "random": { "seed": "1", "queryCount": %1 } }
})").arg(queries);
    const QString path = dir.filePath(QStringLiteral("clusters.json"));
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(description.toUtf8()) < 0)
        return {};
    return path;
}

} // namespace esafh::test
