#pragma once

#include "features/image_decoding.h"

#include <vector>

// The blocks of the hand-crafted image descriptor. Each returns a vector of unit L2
// norm, or all zeros when the image gives it nothing to measure (for example the
// foreground histograms of a fully transparent image).
namespace esafh::descriptor {

/// Alpha at or below this value counts as background when cropping.
constexpr float kContentAlphaThreshold = 0.1f;

/// Crops the image to the bounding box of its non-transparent pixels and pads it to a
/// centred square with transparent white. Blocks on a fixed grid then see the object
/// at the same place whatever its size and position on the canvas. An opaque image
/// is only padded, and a fully transparent one is kept whole.
DecodedImage cropToContentSquare(const DecodedImage &image);

/// Shrinks the image so that its longer side is at most maxSide pixels.
DecodedImage limitSize(const DecodedImage &image, int maxSide);

/// HSV colour histogram of hueBins x saturationBins x valueBins, each pixel weighted by
/// its alpha, so that the white background of a cut-out does not count. Returned as
/// the square root of the L1-normalised histogram (Hellinger mapping).
std::vector<float> hsvHistogram(const DecodedImage &image, int hueBins, int saturationBins, int valueBins);

/// Histogram of the 59 uniform local binary patterns (8 neighbours at radius 1) of
/// the grey image, resized to side x side first unless side is 0, weighted by alpha
/// when weightByAlpha is set. Hellinger mapping as above.
std::vector<float> localBinaryPatternHistogram(const DecodedImage &image, int side, bool weightByAlpha);

/// Alpha downsampled to a grid x grid silhouette, square-rooted.
std::vector<float> silhouette(const DecodedImage &image, int grid);

/// Histogram of Sobel gradient magnitudes of the grey image resized to side x side,
/// in bins with fixed edges that separate flat drawings from photographs. Hellinger
/// mapping as above.
std::vector<float> gradientMagnitudeHistogram(const DecodedImage &image, int side);

/// Number of bins of gradientMagnitudeHistogram.
int gradientMagnitudeBinCount();

/// Mean and standard deviation of L*, a* and b* in each cell of a grid x grid layout
/// (6 values per cell, scaled to about [-1, 1]), signed-square-rooted.
std::vector<float> labMoments(const DecodedImage &image, int grid);

/// OpenCV's HOG of the grey image resized to side x side with cell x cell cells,
/// blocks of 2 x 2 cells moved by one cell, and 9 orientation bins, square-rooted.
std::vector<float> histogramOfOrientedGradients(const DecodedImage &image, int side, int cell);

/// Length of histogramOfOrientedGradients for these settings.
int histogramOfOrientedGradientsLength(int side, int cell);

} // namespace esafh::descriptor
