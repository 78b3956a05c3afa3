#pragma once

#include "common/result.h"
#include "data/dataset.h"

namespace esafh {

/// Options of the Tux Paint stamp tree loader.
struct TuxPaintOptions
{
    /// Number of folder levels below the root that form the label: 1 uses the
    /// top-level category ("animals"), 2 also the subcategory ("animals/birds").
    int labelDepth = 1;
};

/// Loads a tree of images with a caption file beside each image, as the Tux Paint
/// stamps are laid out: <root>/<category>/.../<name>.png with <name>.txt whose
/// first line is the caption. Labels come from the folders. Images without a
/// readable raster file (SVG-only stamps) are skipped and counted in importMessages.
Result<Dataset> loadImageTree(const QString &root, const TuxPaintOptions &options = {});

/// Loads an MS-COCO release: a folder holding annotations/captions_*.json,
/// annotations/instances_*.json and the image folder named by the annotation file
/// (train2017, val2014, ...). Labels are the object categories (multi-label).
Result<Dataset> loadCoco(const QString &root);

/// Writes the dataset, with its split, as a JSON dataset file, atomically.
Status saveDatasetFile(const Dataset &dataset, const QString &path);

/// Reads a dataset file written by saveDatasetFile.
Result<Dataset> loadDatasetFile(const QString &path);

/// Opens PATH as a dataset file, a COCO release or an image tree, whichever it is.
/// A folder whose dataset has no split gets one from splitSettings.
Result<Dataset> openDataset(const QString &path, const TuxPaintOptions &treeOptions = {},
                            const SplitSettings &splitSettings = {});

/// Draws a seeded random split: queries first, the rest is the database, and the
/// training set is a seeded sample of the database.
DatasetSplit makeRandomSplit(int itemCount, const SplitSettings &settings);

} // namespace esafh
