#include "features/image_features.h"

#include "features/descriptor_blocks.h"
#include "features/image_decoding.h"

#include <QFile>
#include <QStringList>

#include <opencv2/core.hpp>

#include <cmath>
#include <functional>

namespace esafh {

namespace {

// Settings of the descriptor. Each one appears in identity(), so changing any of them
// changes the identity and invalidates cached features. A change to a computation
// that has no setting here needs a new kDescriptorVersion.
constexpr int kDescriptorVersion = 1;
constexpr int kMaxSide = 512; // larger images are shrunk first, which bounds the time per image
constexpr int kHueBins = 18;
constexpr int kSaturationBins = 3;
constexpr int kValueBins = 3;
constexpr int kTextureSide = 192;
constexpr int kSilhouetteGrid = 8;
constexpr int kGradientSide = 128;
constexpr int kLabGrid = 2;
constexpr int kHogSide = 64;
constexpr int kHogCell = 16;

// One block of the descriptor. Every block has unit L2 norm (or is zero), so the
// weight sets its share of the squared distance between two images.
struct DescriptorBlock
{
    QString name;
    int length;
    float weight;
    std::function<std::vector<float>(const DecodedImage &)> compute;
};

// The weights were chosen by leave-one-out image-to-image mAP@all on the 796 Tux
// Paint stamp images (relevance: same top-level category), where they reach 0.436
// (test features_extraction). Colour and fine texture separate those categories
// best. HOG adds nothing there but keeps some shape information for photographs.
const std::vector<DescriptorBlock> &descriptorBlocks()
{
    using namespace descriptor;
    static const std::vector<DescriptorBlock> blocks = {
        {QStringLiteral("hsv%1x%2x%3-alpha").arg(kHueBins).arg(kSaturationBins).arg(kValueBins),
         kHueBins * kSaturationBins * kValueBins, 0.25f,
         [](const DecodedImage &image) { return hsvHistogram(image, kHueBins, kSaturationBins, kValueBins); }},
        {QStringLiteral("lbp-u2@%1").arg(kTextureSide), 59, 0.75f,
         [](const DecodedImage &image) { return localBinaryPatternHistogram(image, kTextureSide, false); }},
        {QStringLiteral("lbp-u2-alpha@native"), 59, 0.25f,
         [](const DecodedImage &image) { return localBinaryPatternHistogram(image, 0, true); }},
        {QStringLiteral("silhouette%1x%1").arg(kSilhouetteGrid), kSilhouetteGrid * kSilhouetteGrid, 0.25f,
         [](const DecodedImage &image) { return silhouette(image, kSilhouetteGrid); }},
        {QStringLiteral("gradient-magnitude%1@%2").arg(gradientMagnitudeBinCount()).arg(kGradientSide),
         gradientMagnitudeBinCount(), 0.6f,
         [](const DecodedImage &image) { return gradientMagnitudeHistogram(image, kGradientSide); }},
        {QStringLiteral("lab-moments%1x%1").arg(kLabGrid), kLabGrid * kLabGrid * 6, 0.25f,
         [](const DecodedImage &image) { return labMoments(image, kLabGrid); }},
        {QStringLiteral("hog%1/%2/9").arg(kHogSide).arg(kHogCell), histogramOfOrientedGradientsLength(kHogSide, kHogCell),
         0.15f, [](const DecodedImage &image) { return histogramOfOrientedGradients(image, kHogSide, kHogCell); }},
    };
    return blocks;
}

// Concatenates the weighted blocks and scales the result to unit L2 norm.
std::vector<float> describe(const DecodedImage &image)
{
    std::vector<float> features;
    features.reserve(static_cast<size_t>(HandcraftedImageFeatures::dimension()));
    for (const DescriptorBlock &block : descriptorBlocks()) {
        const std::vector<float> values = block.compute(image);
        Q_ASSERT(static_cast<int>(values.size()) == block.length);
        for (float value : values)
            features.push_back(block.weight * value);
    }

    double squaredNorm = 0.0;
    for (float value : features)
        squaredNorm += static_cast<double>(value) * value;
    if (squaredNorm > 1e-24) {
        const float scale = static_cast<float>(1.0 / std::sqrt(squaredNorm));
        for (float &value : features)
            value *= scale;
    }
    return features;
}

} // namespace

QString HandcraftedImageFeatures::identity()
{
    static const QString text = [] {
        QStringList parts;
        for (const DescriptorBlock &block : descriptorBlocks())
            parts << QStringLiteral("%1*%2").arg(block.name, QString::number(block.weight));
        return QStringLiteral("handcrafted-v%1:max%2,crop-square@alpha>%3,%4")
            .arg(kDescriptorVersion)
            .arg(kMaxSide)
            .arg(QString::number(descriptor::kContentAlphaThreshold), parts.join(QLatin1Char('+')));
    }();
    return text;
}

int HandcraftedImageFeatures::dimension()
{
    static const int length = [] {
        int sum = 0;
        for (const DescriptorBlock &block : descriptorBlocks())
            sum += block.length;
        return sum;
    }();
    return length;
}

Result<std::vector<float>> HandcraftedImageFeatures::extractFromFile(const QString &path) const
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return Result<std::vector<float>>::failure(
            QStringLiteral("Failed to open image file %1: %2").arg(path, file.errorString()));
    }
    return extractFromEncoded(file.readAll(), path);
}

Result<std::vector<float>> HandcraftedImageFeatures::extractFromEncoded(const QByteArray &bytes,
                                                                        const QString &sourceName) const
{
    Result<DecodedImage> decoded = decodeImage(bytes, sourceName);
    if (!decoded)
        return Result<std::vector<float>>::failure(decoded.error());

    try {
        const DecodedImage prepared =
            descriptor::cropToContentSquare(descriptor::limitSize(decoded.value(), kMaxSide));
        return describe(prepared);
    } catch (const cv::Exception &error) {
        return Result<std::vector<float>>::failure(
            QStringLiteral("Failed to compute features of image %1: %2")
                .arg(sourceName, QString::fromStdString(error.msg)));
    }
}

} // namespace esafh
