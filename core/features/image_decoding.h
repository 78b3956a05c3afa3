#pragma once

#include "common/result.h"

#include <QByteArray>
#include <QString>

#include <opencv2/core/mat.hpp>

namespace esafh {

/// An image decoded into the form the descriptors read.
struct DecodedImage
{
    cv::Mat bgr;   ///< CV_8UC3 colour, with transparent pixels composited over white.
    cv::Mat alpha; ///< CV_32FC1 coverage in [0, 1], the size of bgr, all ones for an opaque image.
};

/// Decodes encoded image bytes (PNG, JPEG or any format OpenCV reads) into 8-bit BGR
/// and alpha. 16-bit and floating-point images are scaled to 8 bits, and grey images
/// are expanded to BGR. Fails with a message naming sourceName when the bytes are
/// empty, not an image, or of an unsupported pixel layout.
Result<DecodedImage> decodeImage(const QByteArray &bytes, const QString &sourceName);

} // namespace esafh
