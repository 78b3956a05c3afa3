#pragma once

#include "data/dataset.h"

#include <QFile>
#include <QString>
#include <QStringList>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <vector>

// Images generated inside the tests and written with QFile, so that paths with
// non-ASCII characters work the same way as in the product.
namespace esafh::test {

/// Encodes image in the format of extension (".png", ".jpg") and writes it to path.
/// Returns false when encoding or writing fails.
inline bool writeImage(const QString &path, const cv::Mat &image, const QString &extension = QStringLiteral(".png"))
{
    std::vector<uchar> encoded;
    if (!cv::imencode(extension.toStdString(), image, encoded))
        return false;
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return false;
    return file.write(reinterpret_cast<const char *>(encoded.data()), static_cast<qint64>(encoded.size()))
           == static_cast<qint64>(encoded.size());
}

inline bool writeBytes(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
}

/// Uniform random colour noise, reproducible from seed.
inline cv::Mat noiseImage(int width, int height, quint64 seed)
{
    cv::Mat image(height, width, CV_8UC3);
    cv::RNG random(seed);
    random.fill(image, cv::RNG::UNIFORM, 0, 256);
    return image;
}

/// A coloured disc on a transparent canvas, like a Tux Paint stamp.
inline cv::Mat cutOutImage(int side, const cv::Scalar &colour)
{
    cv::Mat image(side, side, CV_8UC4, cv::Scalar(0, 0, 0, 0));
    cv::circle(image, cv::Point(side / 2, side / 2), side / 3, cv::Scalar(colour[0], colour[1], colour[2], 255),
               cv::FILLED);
    return image;
}

/// Random bytes that no image decoder accepts.
inline QByteArray corruptBytes(int length, quint64 seed)
{
    QByteArray bytes(length, Qt::Uninitialized);
    cv::RNG random(seed);
    for (char &byte : bytes)
        byte = static_cast<char>(random.uniform(0, 256));
    return bytes;
}

/// A dataset whose items have the given image paths and no captions or labels.
inline Dataset datasetOf(const QStringList &imagePaths)
{
    Dataset dataset;
    dataset.name = QStringLiteral("generated");
    for (const QString &path : imagePaths)
        dataset.items.push_back(DatasetItem{path, {}, {}});
    return dataset;
}

} // namespace esafh::test
