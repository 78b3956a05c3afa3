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

    /// Whether <name>_mirror.png, the mirrored copy that some stamps have beside
    /// <name>.png, becomes an item of its own. It is a near-duplicate without a
    /// caption file, so it is skipped by default. An included one takes the
    /// caption of <name>.txt when it has no .txt file of its own.
    bool includeMirroredStamps = false;
};

/// Loads a tree of images with a caption file beside each image, as the Tux Paint
/// stamps are laid out: <root>/<category>/.../<name>.png with <name>.txt whose
/// first line is the caption (later lines, the translations, are ignored).
///
/// Raster files are those OpenCV decodes: png, jpg, jpeg, jpe, bmp, webp, tif,
/// tiff, jp2, pbm, pgm and ppm. Each item has one label: the first
/// options.labelDepth folders below the root joined by "/", fewer for an image
/// that lies less deep, and "(root)" for an image directly in the root. Items are
/// in the order of their paths relative to the root, and labelNames are sorted.
///
/// SVG-only stamps (an .svg without a raster file of the same name) are skipped,
/// and images without a caption keep an empty captions list. Both are counted in
/// importMessages. Fails when the root is missing or not a folder, when it
/// contains no raster image, or when labelDepth is below 1. The dataset's format is
/// "tuxpaint" and its name is the root folder's name.
Result<Dataset> loadImageTree(const QString &root, const TuxPaintOptions &options = {});

/// Loads an MS-COCO release: a folder with annotations/captions_<split>.json,
/// annotations/instances_<split>.json and the image folder <root>/<split> or
/// <root>/images/<split> (train2017, val2014, ...).
///
/// Every split with a caption file and an image folder is loaded, in the order of
/// the split names, and its items follow in image id order. A split whose image
/// folder is missing is skipped with a note in importMessages. An item's captions
/// are those of its image in annotation id order. Its labels are the distinct
/// object categories of its instances (multi-label). labelNames lists every
/// category of the instances files in category id order, used or not, so that a
/// subset keeps the label indices of the full release. A split without an
/// instances file loads without labels.
///
/// Images missing on disk are skipped and images without a caption are kept;
/// importMessages counts both. Fails on invalid JSON (naming the file, line and
/// column), a missing or mistyped field, a category id that is not in the
/// categories list, or when no listed image is found on disk.
Result<Dataset> loadCoco(const QString &root);

/// Writes the dataset, with its split, as a JSON dataset file, atomically. Image
/// paths are stored as absolute paths. The file carries "format": "esafh-dataset"
/// and "version": 1, and records the dataset's format and source as "importedFrom".
Status saveDatasetFile(const Dataset &dataset, const QString &path);

/// Reads a dataset file written by saveDatasetFile. Relative image paths, as in a
/// hand-edited file, are resolved against the file's folder. Fails, naming the file
/// and the value, on another format or version, a mistyped field, an index out of
/// range, or a split whose query set overlaps the database or whose training or
/// validation items are not in the database. The dataset's format is
/// "dataset-file" and its source is the file.
Result<Dataset> loadDatasetFile(const QString &path);

/// Opens PATH as a dataset file, a COCO release (a folder with
/// annotations/captions_*.json) or otherwise an image tree. A dataset without a
/// split, which is every folder and a dataset file without one, gets
/// drawSplit(dataset, splitSettings).
Result<Dataset> openDataset(const QString &path, const TuxPaintOptions &treeOptions = {},
                            const SplitSettings &splitSettings = {});

/// Draws a seeded random split of items 0..itemCount-1 from a permutation that is
/// the same on every platform for a given seed. The first q items of the
/// permutation are the queries, where q is settings.queryCount, or
/// round(queryFraction * itemCount) when that is 0, capped at maxQueryCount and at
/// itemCount - 1. The rest, in permuted order and not sorted, is the database. The
/// training set is the first maxTrainingCount items of the database, and the
/// validation set is empty.
DatasetSplit makeRandomSplit(int itemCount, const SplitSettings &settings);

/// Draws a seeded split by label, as the DCMH and DJSRH family sample their
/// benchmark splits: for each label in index order, the first
/// settings.queriesPerLabel items of a seeded permutation that carry that label and
/// are not yet queries become queries. The database is every other item in permuted
/// order. The training set is drawn the same way from the database with
/// settings.trainingPerLabel items per label, capped at maxTrainingCount. An item
/// with several labels is taken for the first label that reaches it, so a set has
/// at most (labels x per-label count) items. Items without labels are never queries
/// or training items. At least one item always stays in the database. The
/// validation set is empty.
DatasetSplit makePerLabelSplit(const std::vector<std::vector<int>> &itemLabels, int labelCount,
                               const SplitSettings &settings);

/// Draws the split that settings.mode names for the dataset's items and labels, and
/// then the validation set of settings.validationCount items.
DatasetSplit drawSplit(const Dataset &dataset, const SplitSettings &settings);

/// Replaces the split's validation set with `count` database items held out of
/// training, chosen by a permutation seeded with `seed`. Database items outside the
/// training set are taken first; when there are too few, training items are taken
/// and removed from the training set, always leaving at least one training item.
/// Queries are never taken. Returns the number of validation items drawn.
int drawValidationSet(DatasetSplit *split, int count, quint64 seed);

} // namespace esafh
