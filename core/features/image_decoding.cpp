#include "features/image_decoding.h"

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <limits>
#include <vector>

namespace esafh {

namespace {

// Converts any depth OpenCV decoders produce to 8 bits. Returns an empty matrix for
// depths without an agreed range (signed integers).
cv::Mat toEightBit(const cv::Mat &image)
{
    cv::Mat converted;
    switch (image.depth()) {
    case CV_8U:
        return image;
    case CV_16U:
        image.convertTo(converted, CV_8U, 1.0 / 257.0);
        return converted;
    case CV_32F:
    case CV_64F:
        // Floating-point pixels are taken to span 0 (black) to 1 (white), OpenCV's
        // convention for float images. Brighter HDR values saturate at 255.
        image.convertTo(converted, CV_8U, 255.0);
        return converted;
    default:
        return {};
    }
}

// Blends the colour over a white background with the alpha channel as coverage.
cv::Mat compositeOverWhite(const cv::Mat &colour, const cv::Mat &alpha)
{
    cv::Mat colourFloat;
    colour.convertTo(colourFloat, CV_32FC3);

    cv::Mat alpha3;
    cv::merge(std::vector<cv::Mat>{alpha, alpha, alpha}, alpha3);

    cv::Mat blended = colourFloat.mul(alpha3) + (cv::Scalar::all(1.0) - alpha3) * 255.0;

    cv::Mat result;
    blended.convertTo(result, CV_8UC3);
    return result;
}

Result<DecodedImage> splitChannels(const cv::Mat &image, const QString &sourceName)
{
    DecodedImage decoded;

    if (image.channels() == 1 || image.channels() == 3) {
        if (image.channels() == 1)
            cv::cvtColor(image, decoded.bgr, cv::COLOR_GRAY2BGR);
        else
            decoded.bgr = image;
        decoded.alpha = cv::Mat(image.size(), CV_32FC1, cv::Scalar(1.0));
        return decoded;
    }

    if (image.channels() != 2 && image.channels() != 4) {
        return Result<DecodedImage>::failure(
            QStringLiteral("Image %1 has %2 channels; only grey, grey with alpha, colour "
                           "and colour with alpha images are supported.")
                .arg(sourceName)
                .arg(image.channels()));
    }

    std::vector<cv::Mat> channels;
    cv::split(image, channels);
    channels.back().convertTo(decoded.alpha, CV_32FC1, 1.0 / 255.0);

    cv::Mat colour;
    if (image.channels() == 2)
        cv::cvtColor(channels[0], colour, cv::COLOR_GRAY2BGR);
    else
        cv::merge(std::vector<cv::Mat>{channels[0], channels[1], channels[2]}, colour);

    decoded.bgr = compositeOverWhite(colour, decoded.alpha);
    return decoded;
}

} // namespace

Result<DecodedImage> decodeImage(const QByteArray &bytes, const QString &sourceName)
{
    if (bytes.isEmpty())
        return Result<DecodedImage>::failure(QStringLiteral("Image file %1 is empty.").arg(sourceName));
    if (bytes.size() > std::numeric_limits<int>::max()) {
        return Result<DecodedImage>::failure(
            QStringLiteral("Image file %1 is larger than 2 GiB, which OpenCV cannot decode.").arg(sourceName));
    }

    try {
        // imdecode only reads the buffer, so the const_cast does not allow a write.
        const cv::Mat encoded(1, static_cast<int>(bytes.size()), CV_8UC1,
                              const_cast<char *>(bytes.constData()));
        const cv::Mat image = cv::imdecode(encoded, cv::IMREAD_UNCHANGED);
        if (image.empty()) {
            return Result<DecodedImage>::failure(
                QStringLiteral("Failed to decode image %1: the format is not supported or the file is damaged.")
                    .arg(sourceName));
        }

        const cv::Mat eightBit = toEightBit(image);
        if (eightBit.empty()) {
            return Result<DecodedImage>::failure(
                QStringLiteral("Image %1 has signed integer pixels, which are not supported.").arg(sourceName));
        }
        return splitChannels(eightBit, sourceName);
    } catch (const cv::Exception &error) {
        return Result<DecodedImage>::failure(
            QStringLiteral("Failed to decode image %1: %2").arg(sourceName, QString::fromStdString(error.msg)));
    }
}

} // namespace esafh
