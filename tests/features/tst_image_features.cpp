// Tests of image decoding and of the hand-crafted image descriptor on images
// generated here.

#include "features/image_decoding.h"
#include "features/image_features.h"
#include "image_fixtures.h"

#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace esafh;
using namespace esafh::test;

namespace {

bool allFinite(const std::vector<float> &values)
{
    for (float value : values) {
        if (!std::isfinite(value))
            return false;
    }
    return true;
}

double l2Norm(const std::vector<float> &values)
{
    double sum = 0.0;
    for (float value : values)
        sum += static_cast<double>(value) * value;
    return std::sqrt(sum);
}

QByteArray encoded(const cv::Mat &image, const char *extension = ".png")
{
    std::vector<uchar> bytes;
    if (!cv::imencode(extension, image, bytes))
        return {};
    return QByteArray(reinterpret_cast<const char *>(bytes.data()), static_cast<qsizetype>(bytes.size()));
}

} // namespace

class ImageFeaturesTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void identityNamesVersionAndBlocks();
    void featuresHaveDimensionAndUnitNorm_data();
    void featuresHaveDimensionAndUnitNorm();
    void identicalImagesGiveIdenticalFeatures();
    void differentImagesGiveDifferentFeatures();
    void transparentPixelsBecomeWhite();
    void halfTransparentPixelBlendsWithWhite();
    void hiddenColourOfTransparentPixelsIsIgnored();
    void transparentImageHasFiniteFeatures();
    void greyImageEqualsGreyColourImage();
    void sixteenBitImageEqualsEightBitImage();
    void corruptBytesFailWithFileName();
    void emptyBytesFailWithFileName();
    void missingFileFailsWithFileName();
    void nonAsciiPathIsRead();
};

void ImageFeaturesTest::identityNamesVersionAndBlocks()
{
    const QString identity = HandcraftedImageFeatures::identity();
    QVERIFY2(identity.startsWith(QStringLiteral("handcrafted-v1:")), qPrintable(identity));
    QVERIFY2(identity.contains(QStringLiteral("hsv18x3x3-alpha*0.25")), qPrintable(identity));
    QVERIFY2(identity.contains(QStringLiteral("hog64/16/9*0.15")), qPrintable(identity));
}

void ImageFeaturesTest::featuresHaveDimensionAndUnitNorm_data()
{
    QTest::addColumn<QByteArray>("bytes");

    QTest::newRow("noise 96x64") << encoded(noiseImage(96, 64, 1));
    QTest::newRow("noise jpeg 120x80") << encoded(noiseImage(120, 80, 2), ".jpg");
    QTest::newRow("solid black") << encoded(cv::Mat(50, 50, CV_8UC3, cv::Scalar(0, 0, 0)));
    QTest::newRow("solid white") << encoded(cv::Mat(50, 50, CV_8UC3, cv::Scalar(255, 255, 255)));
    QTest::newRow("one pixel") << encoded(cv::Mat(1, 1, CV_8UC3, cv::Scalar(10, 200, 30)));
    QTest::newRow("thin strip 300x2") << encoded(noiseImage(300, 2, 3));
    QTest::newRow("large 1500x900, shrunk") << encoded(noiseImage(1500, 900, 4));
    QTest::newRow("cut-out disc") << encoded(cutOutImage(80, cv::Scalar(0, 0, 255)));
}

void ImageFeaturesTest::featuresHaveDimensionAndUnitNorm()
{
    QFETCH(QByteArray, bytes);
    QVERIFY(!bytes.isEmpty());

    const Result<std::vector<float>> features = HandcraftedImageFeatures().extractFromEncoded(bytes, QStringLiteral("generated"));
    QVERIFY2(features.ok(), qPrintable(features.error()));
    QCOMPARE(static_cast<int>(features->size()), HandcraftedImageFeatures::dimension());
    QVERIFY(allFinite(features.value()));
    QVERIFY(std::abs(l2Norm(features.value()) - 1.0) < 1e-4);
}

void ImageFeaturesTest::identicalImagesGiveIdenticalFeatures()
{
    QTemporaryDir folder;
    QVERIFY(folder.isValid());
    const QString first = folder.filePath(QStringLiteral("first.png"));
    const QString second = folder.filePath(QStringLiteral("second.png"));
    QVERIFY(writeImage(first, noiseImage(70, 90, 7)));
    QVERIFY(writeImage(second, noiseImage(70, 90, 7)));

    const HandcraftedImageFeatures extractor;
    const Result<std::vector<float>> fromFirst = extractor.extractFromFile(first);
    const Result<std::vector<float>> fromSecond = extractor.extractFromFile(second);
    QVERIFY2(fromFirst.ok(), qPrintable(fromFirst.error()));
    QVERIFY2(fromSecond.ok(), qPrintable(fromSecond.error()));
    QVERIFY(fromFirst.value() == fromSecond.value());
}

void ImageFeaturesTest::differentImagesGiveDifferentFeatures()
{
    const HandcraftedImageFeatures extractor;
    const Result<std::vector<float>> red = extractor.extractFromEncoded(encoded(cutOutImage(64, cv::Scalar(0, 0, 255))), QStringLiteral("red"));
    const Result<std::vector<float>> blue = extractor.extractFromEncoded(encoded(cutOutImage(64, cv::Scalar(255, 0, 0))), QStringLiteral("blue"));
    QVERIFY(red.ok());
    QVERIFY(blue.ok());
    QVERIFY(red.value() != blue.value());
}

void ImageFeaturesTest::transparentPixelsBecomeWhite()
{
    const cv::Mat transparent(20, 30, CV_8UC4, cv::Scalar(40, 80, 120, 0));
    const Result<DecodedImage> decoded = decodeImage(encoded(transparent), QStringLiteral("transparent"));
    QVERIFY2(decoded.ok(), qPrintable(decoded.error()));

    const cv::Mat white(20, 30, CV_8UC3, cv::Scalar::all(255));
    QCOMPARE(decoded->bgr.type(), CV_8UC3);
    QCOMPARE(cv::norm(decoded->bgr, white, cv::NORM_INF), 0.0);
    QCOMPARE(cv::norm(decoded->alpha, cv::NORM_INF), 0.0);
}

void ImageFeaturesTest::halfTransparentPixelBlendsWithWhite()
{
    // Pure red (BGR 0, 0, 255) at alpha 128 of 255 over white.
    const cv::Mat halfRed(4, 4, CV_8UC4, cv::Scalar(0, 0, 255, 128));
    const Result<DecodedImage> decoded = decodeImage(encoded(halfRed), QStringLiteral("half red"));
    QVERIFY2(decoded.ok(), qPrintable(decoded.error()));

    const cv::Vec3b pixel = decoded->bgr.at<cv::Vec3b>(2, 2);
    const int expectedGreenBlue = static_cast<int>(std::lround(255.0 * (1.0 - 128.0 / 255.0)));
    QVERIFY2(std::abs(pixel[0] - expectedGreenBlue) <= 1, qPrintable(QString::number(pixel[0])));
    QVERIFY2(std::abs(pixel[1] - expectedGreenBlue) <= 1, qPrintable(QString::number(pixel[1])));
    QCOMPARE(int(pixel[2]), 255);
    QVERIFY(std::abs(decoded->alpha.at<float>(2, 2) - 128.0f / 255.0f) < 1e-6f);
}

void ImageFeaturesTest::hiddenColourOfTransparentPixelsIsIgnored()
{
    // The same red disc on canvases whose transparent pixels store different colours.
    cv::Mat onBlack = cutOutImage(60, cv::Scalar(0, 0, 255));
    cv::Mat onGreen = onBlack.clone();
    for (auto it = onGreen.begin<cv::Vec4b>(); it != onGreen.end<cv::Vec4b>(); ++it) {
        if ((*it)[3] == 0)
            *it = cv::Vec4b(0, 255, 0, 0);
    }

    const HandcraftedImageFeatures extractor;
    const Result<std::vector<float>> first = extractor.extractFromEncoded(encoded(onBlack), QStringLiteral("black"));
    const Result<std::vector<float>> second = extractor.extractFromEncoded(encoded(onGreen), QStringLiteral("green"));
    QVERIFY(first.ok());
    QVERIFY(second.ok());
    QVERIFY(first.value() == second.value());
}

void ImageFeaturesTest::transparentImageHasFiniteFeatures()
{
    // Nothing is visible, so the foreground blocks are zero, but the vector stays finite.
    const cv::Mat transparent(32, 32, CV_8UC4, cv::Scalar(0, 0, 0, 0));
    const Result<std::vector<float>> features =
        HandcraftedImageFeatures().extractFromEncoded(encoded(transparent), QStringLiteral("transparent"));
    QVERIFY2(features.ok(), qPrintable(features.error()));
    QCOMPARE(static_cast<int>(features->size()), HandcraftedImageFeatures::dimension());
    QVERIFY(allFinite(features.value()));
}

void ImageFeaturesTest::greyImageEqualsGreyColourImage()
{
    cv::Mat grey(40, 50, CV_8UC1);
    cv::RNG(11).fill(grey, cv::RNG::UNIFORM, 0, 256);
    cv::Mat colour;
    cv::cvtColor(grey, colour, cv::COLOR_GRAY2BGR);

    const HandcraftedImageFeatures extractor;
    const Result<std::vector<float>> fromGrey = extractor.extractFromEncoded(encoded(grey), QStringLiteral("grey"));
    const Result<std::vector<float>> fromColour = extractor.extractFromEncoded(encoded(colour), QStringLiteral("colour"));
    QVERIFY2(fromGrey.ok(), qPrintable(fromGrey.error()));
    QVERIFY(fromColour.ok());
    QVERIFY(fromGrey.value() == fromColour.value());
}

void ImageFeaturesTest::sixteenBitImageEqualsEightBitImage()
{
    const cv::Mat eightBit = noiseImage(40, 30, 12);
    cv::Mat sixteenBit;
    eightBit.convertTo(sixteenBit, CV_16UC3, 257.0); // 255 maps to 65535

    const Result<DecodedImage> decoded = decodeImage(encoded(sixteenBit), QStringLiteral("16-bit"));
    QVERIFY2(decoded.ok(), qPrintable(decoded.error()));
    QCOMPARE(decoded->bgr.type(), CV_8UC3);
    QCOMPARE(cv::norm(decoded->bgr, eightBit, cv::NORM_INF), 0.0);
}

void ImageFeaturesTest::corruptBytesFailWithFileName()
{
    QTemporaryDir folder;
    QVERIFY(folder.isValid());
    const QString path = folder.filePath(QStringLiteral("corrupt.png"));
    QVERIFY(writeBytes(path, corruptBytes(4096, 5)));

    const Result<std::vector<float>> features = HandcraftedImageFeatures().extractFromFile(path);
    QVERIFY(!features.ok());
    QVERIFY2(features.error().contains(path), qPrintable(features.error()));
}

void ImageFeaturesTest::emptyBytesFailWithFileName()
{
    const Result<std::vector<float>> features =
        HandcraftedImageFeatures().extractFromEncoded(QByteArray(), QStringLiteral("/photos/empty.jpg"));
    QVERIFY(!features.ok());
    QVERIFY2(features.error().contains(QStringLiteral("/photos/empty.jpg")), qPrintable(features.error()));
}

void ImageFeaturesTest::missingFileFailsWithFileName()
{
    QTemporaryDir folder;
    QVERIFY(folder.isValid());
    const QString path = folder.filePath(QStringLiteral("missing.png"));

    const Result<std::vector<float>> features = HandcraftedImageFeatures().extractFromFile(path);
    QVERIFY(!features.ok());
    QVERIFY2(features.error().contains(path), qPrintable(features.error()));
}

void ImageFeaturesTest::nonAsciiPathIsRead()
{
    QTemporaryDir folder;
    QVERIFY(folder.isValid());
    const QString path = folder.filePath(QStringLiteral("Bild-\u00e4\u00f6-\u732b.png"));
    QVERIFY(writeImage(path, noiseImage(30, 30, 13)));

    const Result<std::vector<float>> features = HandcraftedImageFeatures().extractFromFile(path);
    QVERIFY2(features.ok(), qPrintable(features.error()));
    QCOMPARE(static_cast<int>(features->size()), HandcraftedImageFeatures::dimension());
}

QTEST_GUILESS_MAIN(ImageFeaturesTest)
#include "tst_image_features.moc"
