#include "features/descriptor_blocks.h"

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/objdetect.hpp>

#include <algorithm>
#include <array>
#include <cmath>

namespace esafh::descriptor {

namespace {

constexpr int kUniformPatternCount = 59; // 58 uniform patterns and one bin for all others

// Maps each 8-bit local binary pattern to its uniform-pattern bin: patterns with at
// most two 0/1 transitions around the circle get their own bin, the rest share one.
std::array<int, 256> makeUniformPatternTable()
{
    std::array<int, 256> table{};
    int nextBin = 0;
    for (int pattern = 0; pattern < 256; ++pattern) {
        int transitions = 0;
        for (int bit = 0; bit < 8; ++bit)
            transitions += ((pattern >> bit) & 1) != ((pattern >> ((bit + 1) % 8)) & 1);
        table[pattern] = transitions <= 2 ? nextBin++ : kUniformPatternCount - 1;
    }
    return table;
}

// Scales a non-negative histogram to sum 1 and takes the square root of each bin,
// which gives unit L2 norm. An empty histogram stays zero.
void applyHellingerMapping(std::vector<float> &histogram)
{
    double sum = 0.0;
    for (float value : histogram)
        sum += value;
    if (sum <= 0.0)
        return;
    for (float &value : histogram)
        value = static_cast<float>(std::sqrt(value / sum));
}

void applySignedSquareRootAndNormalise(std::vector<float> &values)
{
    double squaredNorm = 0.0;
    for (float &value : values) {
        value = std::copysign(std::sqrt(std::abs(value)), value);
        squaredNorm += static_cast<double>(value) * value;
    }
    if (squaredNorm <= 1e-24)
        return;
    const float scale = static_cast<float>(1.0 / std::sqrt(squaredNorm));
    for (float &value : values)
        value *= scale;
}

cv::Mat greyOf(const DecodedImage &image)
{
    cv::Mat grey;
    cv::cvtColor(image.bgr, grey, cv::COLOR_BGR2GRAY);
    return grey;
}

cv::Mat resizedTo(const cv::Mat &image, int side)
{
    cv::Mat resized;
    cv::resize(image, resized, cv::Size(side, side), 0, 0, cv::INTER_AREA);
    return resized;
}

} // namespace

DecodedImage cropToContentSquare(const DecodedImage &image)
{
    const cv::Mat content = image.alpha > kContentAlphaThreshold;
    cv::Rect box = cv::boundingRect(content);
    if (box.area() == 0)
        box = cv::Rect(0, 0, image.bgr.cols, image.bgr.rows);

    const int side = std::max(box.width, box.height);
    const int top = (side - box.height) / 2;
    const int left = (side - box.width) / 2;
    const int bottom = side - box.height - top;
    const int right = side - box.width - left;

    DecodedImage cropped;
    cv::copyMakeBorder(image.bgr(box), cropped.bgr, top, bottom, left, right, cv::BORDER_CONSTANT,
                       cv::Scalar::all(255));
    cv::copyMakeBorder(image.alpha(box), cropped.alpha, top, bottom, left, right, cv::BORDER_CONSTANT,
                       cv::Scalar::all(0));
    return cropped;
}

DecodedImage limitSize(const DecodedImage &image, int maxSide)
{
    const int longerSide = std::max(image.bgr.cols, image.bgr.rows);
    if (longerSide <= maxSide)
        return image;

    const double scale = static_cast<double>(maxSide) / longerSide;
    const cv::Size size(std::max(1, static_cast<int>(std::lround(image.bgr.cols * scale))),
                        std::max(1, static_cast<int>(std::lround(image.bgr.rows * scale))));
    DecodedImage smaller;
    cv::resize(image.bgr, smaller.bgr, size, 0, 0, cv::INTER_AREA);
    cv::resize(image.alpha, smaller.alpha, size, 0, 0, cv::INTER_AREA);
    return smaller;
}

std::vector<float> hsvHistogram(const DecodedImage &image, int hueBins, int saturationBins, int valueBins)
{
    cv::Mat hsv;
    cv::cvtColor(image.bgr, hsv, cv::COLOR_BGR2HSV_FULL); // all three channels span 0..255

    std::vector<float> histogram(static_cast<size_t>(hueBins * saturationBins * valueBins), 0.0f);
    for (int y = 0; y < hsv.rows; ++y) {
        const auto *pixels = hsv.ptr<cv::Vec3b>(y);
        const auto *alpha = image.alpha.ptr<float>(y);
        for (int x = 0; x < hsv.cols; ++x) {
            const int hue = pixels[x][0] * hueBins / 256;
            const int saturation = pixels[x][1] * saturationBins / 256;
            const int value = pixels[x][2] * valueBins / 256;
            histogram[static_cast<size_t>((hue * saturationBins + saturation) * valueBins + value)] += alpha[x];
        }
    }

    applyHellingerMapping(histogram);
    return histogram;
}

std::vector<float> localBinaryPatternHistogram(const DecodedImage &image, int side, bool weightByAlpha)
{
    static const std::array<int, 256> uniformBin = makeUniformPatternTable();
    // The 8 neighbours in circular order, starting top-left and going clockwise.
    static constexpr int dy[8] = {-1, -1, -1, 0, 1, 1, 1, 0};
    static constexpr int dx[8] = {-1, 0, 1, 1, 1, 0, -1, -1};

    cv::Mat grey = greyOf(image);
    cv::Mat alpha = image.alpha;
    if (side > 0) {
        grey = resizedTo(grey, side);
        alpha = resizedTo(alpha, side);
    }

    std::vector<float> histogram(kUniformPatternCount, 0.0f);
    for (int y = 1; y < grey.rows - 1; ++y) {
        for (int x = 1; x < grey.cols - 1; ++x) {
            const int centre = grey.at<uchar>(y, x);
            int pattern = 0;
            for (int k = 0; k < 8; ++k)
                pattern |= (grey.at<uchar>(y + dy[k], x + dx[k]) >= centre) << k;
            histogram[static_cast<size_t>(uniformBin[static_cast<size_t>(pattern)])] +=
                weightByAlpha ? alpha.at<float>(y, x) : 1.0f;
        }
    }

    applyHellingerMapping(histogram);
    return histogram;
}

std::vector<float> silhouette(const DecodedImage &image, int grid)
{
    const cv::Mat cells = resizedTo(image.alpha, grid);
    std::vector<float> values(cells.begin<float>(), cells.end<float>());
    applySignedSquareRootAndNormalise(values);
    return values;
}

namespace {
// Upper bin edges of Sobel (3 x 3) magnitudes of 8-bit grey values. The last bin is open.
constexpr std::array<float, 7> kGradientMagnitudeEdges = {1, 4, 16, 48, 128, 256, 512};
} // namespace

int gradientMagnitudeBinCount()
{
    return static_cast<int>(kGradientMagnitudeEdges.size()) + 1;
}

std::vector<float> gradientMagnitudeHistogram(const DecodedImage &image, int side)
{
    const cv::Mat grey = resizedTo(greyOf(image), side);
    cv::Mat dx, dy, magnitude;
    cv::Sobel(grey, dx, CV_32F, 1, 0);
    cv::Sobel(grey, dy, CV_32F, 0, 1);
    cv::magnitude(dx, dy, magnitude);

    std::vector<float> histogram(static_cast<size_t>(gradientMagnitudeBinCount()), 0.0f);
    for (auto it = magnitude.begin<float>(); it != magnitude.end<float>(); ++it) {
        const auto bin = std::upper_bound(kGradientMagnitudeEdges.begin(), kGradientMagnitudeEdges.end(), *it)
                         - kGradientMagnitudeEdges.begin();
        histogram[static_cast<size_t>(bin)] += 1.0f;
    }

    applyHellingerMapping(histogram);
    return histogram;
}

std::vector<float> labMoments(const DecodedImage &image, int grid)
{
    cv::Mat bgrFloat, lab;
    image.bgr.convertTo(bgrFloat, CV_32FC3, 1.0 / 255.0);
    cv::cvtColor(bgrFloat, lab, cv::COLOR_BGR2Lab); // L* in 0..100, a* and b* in about -128..127
    const double scale[3] = {100.0, 128.0, 128.0};

    std::vector<float> values;
    values.reserve(static_cast<size_t>(grid * grid * 6));
    for (int row = 0; row < grid; ++row) {
        for (int column = 0; column < grid; ++column) {
            const int x0 = column * lab.cols / grid, x1 = (column + 1) * lab.cols / grid;
            const int y0 = row * lab.rows / grid, y1 = (row + 1) * lab.rows / grid;
            cv::Scalar mean(0, 0, 0), deviation(0, 0, 0);
            if (x1 > x0 && y1 > y0)
                cv::meanStdDev(lab(cv::Rect(x0, y0, x1 - x0, y1 - y0)), mean, deviation);
            for (int channel = 0; channel < 3; ++channel) {
                values.push_back(static_cast<float>(mean[channel] / scale[channel]));
                values.push_back(static_cast<float>(deviation[channel] / scale[channel]));
            }
        }
    }

    applySignedSquareRootAndNormalise(values);
    return values;
}

int histogramOfOrientedGradientsLength(int side, int cell)
{
    const int blocksPerSide = side / cell - 1;
    return blocksPerSide * blocksPerSide * 4 * 9;
}

std::vector<float> histogramOfOrientedGradients(const DecodedImage &image, int side, int cell)
{
    const cv::Mat grey = resizedTo(greyOf(image), side);
    const cv::HOGDescriptor hog(cv::Size(side, side), cv::Size(2 * cell, 2 * cell), cv::Size(cell, cell),
                                cv::Size(cell, cell), 9);
    std::vector<float> values;
    hog.compute(grey, values);
    applySignedSquareRootAndNormalise(values);
    return values;
}

} // namespace esafh::descriptor
