#pragma once

// The network backbones behind createImageFeatureExtractor, one source file each.
// TorchScript and MobileNetV2 run on the CUDA device when LibTorch has one.
// NOTE: that path has not been run here, because Debian's LibTorch 1.13 is CPU-only.

#include "common/result.h"
#include "features/backbone_spec.h"
#include "features/image_extractor.h"

#include <QString>
#include <QStringList>

#include <memory>

namespace esafh {

/// Images per network pass for the CNN backbones. Sixteen 224 x 224 images of
/// MobileNetV2 need about 80 MB for the largest intermediate output.
constexpr int kNetworkBatchSize = 16;

Result<std::unique_ptr<ImageFeatureExtractor>> createTorchScriptExtractor(const BackboneSpec &spec, const QString &identity);
Result<std::unique_ptr<ImageFeatureExtractor>> createOnnxExtractor(const BackboneSpec &spec, const QString &identity);
Result<std::unique_ptr<ImageFeatureExtractor>> createMobileNetV2Extractor(const BackboneSpec &spec, const QString &identity);

Result<QStringList> torchScriptMethodNames(const QString &path);
Result<QStringList> onnxLayerNames(const QString &path);
Result<QStringList> mobileNetV2LayerNames(const QString &path);

/// The files of the nsfwjs MobileNetV2 found on this machine.
struct MobileNetV2Location
{
    QString modelFile;        ///< model.min.js (the package's bundle) or model.json.
    QStringList files;        ///< The model file and its weight shards, which the checksum covers.
    QString packageVersion;   ///< From the package's package.json; empty when not found.
};

/// Finds the MobileNetV2 model of nsfwjs under path: the model folder itself, the
/// nsfwjs package folder, or an npm prefix with node_modules/nsfwjs. An empty path
/// searches defaultNpmDirectory(). Fails with a message that names the folders
/// searched and the npm command that installs the package.
Result<MobileNetV2Location> locateMobileNetV2(const QString &path);

/// The npm command that installs the supported nsfwjs version into folder.
QString mobileNetV2InstallCommand(const QString &folder);

} // namespace esafh
