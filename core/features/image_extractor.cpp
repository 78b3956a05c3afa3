#include "features/image_extractor.h"

#include "common/logging.h"
#include "features/image_features.h"
#include "features/network_backbones.h"
#include "features/weights_checksum.h"

#include <QFile>
#include <QFileInfo>
#include <QList>
#include <QThreadPool>
#include <QtConcurrent/QtConcurrentMap>

#include <algorithm>
#include <numeric>

namespace esafh {

namespace {

// Version of the way network outputs become features (pooling, L2 norm). Changing
// that computation needs a new number so that cached features are recomputed.
constexpr int kNetworkFeaturesVersion = 1;

class HandcraftedExtractor final : public ImageFeatureExtractor
{
public:
    BackboneSpec spec() const override { return BackboneSpec{}; }
    QString identity() const override { return HandcraftedImageFeatures::identity(); }
    int dimension() const override { return HandcraftedImageFeatures::dimension(); }
    int preferredBatchSize() const override { return std::max(8, 4 * QThreadPool::globalInstance()->maxThreadCount()); }

    BatchFeatures extractBatch(const std::vector<EncodedImage> &images) const override
    {
        BatchFeatures batch;
        batch.features = FeatureMatrix::Zero(static_cast<Eigen::Index>(images.size()), dimension());
        QList<int> indices(static_cast<qsizetype>(images.size()));
        std::iota(indices.begin(), indices.end(), 0);
        batch.errors = QtConcurrent::blockingMapped<QList<QString>>(indices, [&](int index) {
            const EncodedImage &image = images[static_cast<size_t>(index)];
            const Result<std::vector<float>> features = m_descriptor.extractFromEncoded(image.bytes, image.sourceName);
            if (!features)
                return features.error();
            std::copy(features->begin(), features->end(), batch.features.row(index).data());
            return QString();
        });
        return batch;
    }

private:
    HandcraftedImageFeatures m_descriptor;
};

// The files whose bytes the identity of spec covers.
Result<QStringList> weightsFiles(const BackboneSpec &spec)
{
    if (spec.kind == BackboneSpec::mobileNetV2) {
        Result<MobileNetV2Location> location = locateMobileNetV2(spec.path);
        if (!location)
            return Result<QStringList>::failure(location.error());
        return location->files;
    }
    if (!QFileInfo(spec.path).isFile()) {
        return Result<QStringList>::failure(
            QStringLiteral("%1 model file not found: %2").arg(spec.kind == BackboneSpec::onnx ? QStringLiteral("ONNX") : QStringLiteral("TorchScript"), spec.path));
    }
    return QStringList{spec.path};
}

// A model trained with MobileNetV2 stores the folder it was read from. On another
// machine, or after the cache folder moved, the package is searched for again. The
// identity check still rejects other weights.
BackboneSpec withReachableWeights(BackboneSpec spec)
{
    if (spec.kind == BackboneSpec::mobileNetV2 && !spec.path.isEmpty() && !QFileInfo::exists(spec.path)) {
        qCInfo(lcFeatures).noquote() << "MobileNetV2 folder" << spec.path << "not found; searching the default location";
        spec.path.clear();
    }
    return spec;
}

} // namespace

Result<std::vector<float>> ImageFeatureExtractor::extractFromFile(const QString &path) const
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return Result<std::vector<float>>::failure(
            QStringLiteral("Failed to open image file %1: %2").arg(path, file.errorString()));
    }
    const BatchFeatures batch = extractBatch({EncodedImage{file.readAll(), path}});
    if (!batch.errors.first().isEmpty())
        return Result<std::vector<float>>::failure(batch.errors.first());
    const auto row = batch.features.row(0);
    return std::vector<float>(row.data(), row.data() + row.size());
}

Result<QString> backboneIdentity(const BackboneSpec &requested)
{
    if (Status valid = requested.validate(); !valid)
        return Result<QString>::failure(valid.error());
    if (requested.kind == BackboneSpec::handcrafted)
        return HandcraftedImageFeatures::identity();

    const BackboneSpec spec = withReachableWeights(requested);
    Result<QStringList> files = weightsFiles(spec);
    if (!files)
        return Result<QString>::failure(files.error());
    Result<QString> checksum = weightsChecksum(files.value());
    if (!checksum)
        return Result<QString>::failure(checksum.error());

    QString identity = QStringLiteral("%1-v%2:sha1=%3;%4;norm=l2")
                           .arg(spec.kind)
                           .arg(kNetworkFeaturesVersion)
                           .arg(checksum.value(), spec.settingsText());
    if (spec.kind == BackboneSpec::mobileNetV2)
        identity += QStringLiteral(";input=224,rgb/255,bilinear-aligned-corners");
    return identity;
}

Result<std::unique_ptr<ImageFeatureExtractor>> createImageFeatureExtractor(const BackboneSpec &requested)
{
    using ExtractorResult = Result<std::unique_ptr<ImageFeatureExtractor>>;
    if (requested.kind == BackboneSpec::handcrafted)
        return std::unique_ptr<ImageFeatureExtractor>(std::make_unique<HandcraftedExtractor>());

    Result<QString> identity = backboneIdentity(requested);
    if (!identity)
        return ExtractorResult::failure(identity.error());

    const BackboneSpec spec = withReachableWeights(requested);
    if (spec.kind == BackboneSpec::torchScript)
        return createTorchScriptExtractor(spec, identity.value());
    if (spec.kind == BackboneSpec::onnx)
        return createOnnxExtractor(spec, identity.value());
    return createMobileNetV2Extractor(spec, identity.value());
}

Result<QStringList> backboneLayerNames(const BackboneSpec &requested)
{
    const BackboneSpec spec = withReachableWeights(requested);
    if (spec.kind == BackboneSpec::torchScript)
        return torchScriptMethodNames(spec.path);
    if (spec.kind == BackboneSpec::onnx)
        return onnxLayerNames(spec.path);
    if (spec.kind == BackboneSpec::mobileNetV2)
        return mobileNetV2LayerNames(spec.path);
    return QStringList();
}

BackboneInfo describeBackbone(const BackboneSpec &spec)
{
    BackboneInfo info;
    info.spec = spec;
    if (spec.kind == BackboneSpec::handcrafted) {
        info.description = QStringLiteral("OpenCV colour, texture, shape and gradient histograms, with no weights file");
    } else if (spec.kind == BackboneSpec::mobileNetV2) {
        info.description = QStringLiteral("MobileNetV2 of the npm package nsfwjs (MIT), pooled layer %1")
                               .arg(spec.layer.isEmpty() ? defaultMobileNetV2Layer() : spec.layer);
    } else {
        info.description = QStringLiteral("%1 model, %2 x %2 input")
                               .arg(spec.kind == BackboneSpec::onnx ? QStringLiteral("ONNX") : QStringLiteral("TorchScript"))
                               .arg(spec.inputSize);
    }

    Result<std::unique_ptr<ImageFeatureExtractor>> extractor = createImageFeatureExtractor(spec);
    if (!extractor) {
        info.message = extractor.error();
        return info;
    }
    info.available = true;
    info.spec = extractor.value()->spec();
    info.weightsPath = spec.kind == BackboneSpec::handcrafted ? QString() : info.spec.path;
    info.identity = extractor.value()->identity();
    info.dimension = extractor.value()->dimension();
    return info;
}

QList<BackboneInfo> builtInBackbones()
{
    BackboneSpec mobileNet;
    mobileNet.kind = BackboneSpec::mobileNetV2;
    return {describeBackbone(BackboneSpec{}), describeBackbone(mobileNet)};
}

} // namespace esafh
