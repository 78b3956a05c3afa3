#pragma once

#include "common/matrix.h"
#include "common/result.h"
#include "features/backbone_spec.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

#include <memory>
#include <vector>

namespace esafh {

/// The encoded bytes of one image (PNG, JPEG or any format OpenCV decodes) and the
/// name used for it in messages, usually its path.
struct EncodedImage
{
    QByteArray bytes;
    QString sourceName;
};

/// Features of a batch of images, one row per image in input order. A failed image
/// has a zero row and a message at its index in errors; the other entries are empty.
struct BatchFeatures
{
    FeatureMatrix features;
    QStringList errors;
};

/// An image feature extractor: the hand-crafted descriptor or a pretrained network.
/// Every implementation is safe to call from several threads at once, and none
/// throws: failures are messages.
class ImageFeatureExtractor
{
public:
    virtual ~ImageFeatureExtractor() = default;

    /// The spec the extractor was built from, with its path made absolute.
    virtual BackboneSpec spec() const = 0;

    /// Text that changes whenever the features could change: the kind, the SHA-1 of
    /// the weights and every setting. Stored in feature caches and model files, so
    /// that features of another extractor, another weights file or other settings are
    /// never mixed in.
    virtual QString identity() const = 0;

    /// Length of one feature vector.
    virtual int dimension() const = 0;

    /// Images per call of extractBatch that use the extractor well: one network pass
    /// for the networks, enough to keep every core busy for the descriptor.
    virtual int preferredBatchSize() const = 0;

    /// "cpu" or "cuda": where the network runs.
    virtual QString deviceName() const { return QStringLiteral("cpu"); }

    /// Decodes and describes the images. An image that cannot be decoded fails
    /// alone, and a network error fails the images of that network pass.
    virtual BatchFeatures extractBatch(const std::vector<EncodedImage> &images) const = 0;

    /// Reads one image file and describes it; fails with a message naming the file.
    Result<std::vector<float>> extractFromFile(const QString &path) const;
};

/// Builds the extractor of spec: loads and checks the network and measures its
/// output dimension with one pass on a blank image. Fails with a message naming the
/// file and what is wrong: not found, not a model of that kind, an unknown output
/// layer, or an output without one row per image.
Result<std::unique_ptr<ImageFeatureExtractor>> createImageFeatureExtractor(const BackboneSpec &spec);

/// The identity createImageFeatureExtractor(spec) would give, computed from the
/// weights file's checksum and the settings without loading the network. Fails when
/// the weights file is missing or unreadable.
Result<QString> backboneIdentity(const BackboneSpec &spec);

/// Names of the outputs BackboneSpec::layer can choose: the layers of MobileNetV2 or
/// of an ONNX network, or the methods of a TorchScript module. Empty for the
/// hand-crafted descriptor. Fails when the model cannot be read.
Result<QStringList> backboneLayerNames(const BackboneSpec &spec);

/// One backbone as `esafh-cli backbones` and the Train screen list it.
struct BackboneInfo
{
    BackboneSpec spec;
    QString description;
    bool available = false;  ///< The weights were found and the network loaded.
    QString weightsPath;     ///< The file or folder the weights were read from; empty for handcrafted.
    QString identity;        ///< Empty when not available.
    int dimension = 0;       ///< 0 when not available.
    QString message;         ///< Why it is not available and how to get it.
};

/// Loads spec's extractor to describe it. Never fails: an unavailable backbone has
/// available = false and a message.
BackboneInfo describeBackbone(const BackboneSpec &spec);

/// The built-in backbones on this machine: handcrafted and mobilenetv2 (available
/// when the nsfwjs package is found).
QList<BackboneInfo> builtInBackbones();

} // namespace esafh
