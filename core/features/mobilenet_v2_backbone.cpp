#include "features/network_backbones.h"

#include "common/logging.h"
#include "features/keras_network.h"
#include "features/network_input.h"
#include "features/tfjs_model.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace esafh {

namespace {

// The package version this port was checked against, and the folder of its model.
const QString kPackageVersion = QStringLiteral("4.3.0");
const QString kModelFolder = QStringLiteral("dist/models/mobilenet_v2");
constexpr int kInputSide = 224;

// Layers that identify the nsfwjs MobileNetV2 among other models.
const QStringList &requiredLayers()
{
    static const QStringList layers = {QStringLiteral("Conv1"), QStringLiteral("block_16_project_BN"),
                                       QStringLiteral("out_relu"), QStringLiteral("dense_3")};
    return layers;
}

QString packageVersionOf(const QString &packageFolder)
{
    QFile file(QDir(packageFolder).filePath(QStringLiteral("package.json")));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(file.readAll()).object().value(QStringLiteral("version")).toString();
}

class MobileNetV2Extractor final : public ImageFeatureExtractor
{
public:
    MobileNetV2Extractor(BackboneSpec spec, QString identity, std::unique_ptr<KerasNetwork> network)
        : m_spec(std::move(spec)), m_identity(std::move(identity)), m_network(std::move(network))
    {
        m_layer = m_spec.layer.isEmpty() ? defaultMobileNetV2Layer() : m_spec.layer;
        // nsfwjs divides RGB by 255 and resizes with tf.image.resizeBilinear(alignCorners = true).
        m_input.side = kInputSide;
        m_input.resize = InputResize::BilinearAlignCorners;
    }

    BackboneSpec spec() const override { return m_spec; }
    QString identity() const override { return m_identity; }
    int dimension() const override { return m_dimension; }
    int preferredBatchSize() const override { return kNetworkBatchSize; }
    QString deviceName() const override { return m_network->deviceName(); }

    Result<FeatureMatrix> run(const float *planes, int count) const
    {
        Result<LayerOutput> output = m_network->run(planes, count, kInputSide, kInputSide, m_layer);
        if (!output)
            return Result<FeatureMatrix>::failure(output.error());
        FeatureMatrix features;
        if (!outputToFeatures(output->values.data(), output->shape, count, m_spec.averagePool, &features))
            return Result<FeatureMatrix>::failure(QStringLiteral("MobileNetV2 layer %1 returned a wrong number of rows.").arg(m_layer));
        return features;
    }

    Status measureDimension()
    {
        const Result<int> length = measureFeatureLength(
            [this](const float *values, int count) { return run(values, count); }, kInputSide, QStringLiteral("MobileNetV2"));
        if (!length)
            return Status::failure(length.error());
        m_dimension = length.value();
        return Status::success();
    }

    BatchFeatures extractBatch(const std::vector<EncodedImage> &images) const override
    {
        return extractNetworkBatch(images, m_input, m_dimension,
                                   [this](const float *values, int count) { return run(values, count); });
    }

private:
    BackboneSpec m_spec;
    QString m_identity;
    QString m_layer;
    std::unique_ptr<KerasNetwork> m_network;
    NetworkInputSettings m_input;
    int m_dimension = 0;
};

} // namespace

QString mobileNetV2InstallCommand(const QString &folder)
{
    return QStringLiteral("npm install --prefix %1 nsfwjs@%2").arg(folder, kPackageVersion);
}

Result<MobileNetV2Location> locateMobileNetV2(const QString &path)
{
    const QString base = path.isEmpty() ? defaultNpmDirectory() : path;
    const QStringList candidates = {
        base,
        QDir(base).filePath(kModelFolder),
        QDir(base).filePath(QStringLiteral("node_modules/nsfwjs/") + kModelFolder),
    };

    for (const QString &folder : candidates) {
        Result<QString> modelFile = findTfjsModelFile(folder);
        if (!modelFile || !QFileInfo(folder).isDir())
            continue;
        Result<TfjsLayersModel> model = readTfjsLayersModel(modelFile.value(), false);
        if (!model)
            return Result<MobileNetV2Location>::failure(model.error());

        MobileNetV2Location location;
        location.modelFile = modelFile.value();
        location.files = QStringList{modelFile.value()} + model->weightFiles;
        // The package folder is three levels above dist/models/mobilenet_v2.
        location.packageVersion = packageVersionOf(QFileInfo(modelFile.value()).absoluteDir().filePath(QStringLiteral("../../..")));
        return location;
    }

    return Result<MobileNetV2Location>::failure(
        QStringLiteral("The MobileNetV2 of the npm package nsfwjs was not found in %1. Install it with: %2")
            .arg(base, mobileNetV2InstallCommand(path.isEmpty() ? defaultNpmDirectory() : path)));
}

Result<QStringList> mobileNetV2LayerNames(const QString &path)
{
    Result<MobileNetV2Location> location = locateMobileNetV2(path);
    if (!location)
        return Result<QStringList>::failure(location.error());
    Result<TfjsLayersModel> model = readTfjsLayersModel(location->modelFile, false);
    if (!model)
        return Result<QStringList>::failure(model.error());

    QStringList names;
    const QJsonArray layers = model->modelConfig.value(QStringLiteral("config")).toObject().value(QStringLiteral("layers")).toArray();
    for (const QJsonValue &layer : layers)
        names << layer.toObject().value(QStringLiteral("name")).toString();
    return names;
}

Result<std::unique_ptr<ImageFeatureExtractor>> createMobileNetV2Extractor(const BackboneSpec &spec, const QString &identity)
{
    using ExtractorResult = Result<std::unique_ptr<ImageFeatureExtractor>>;
    Result<MobileNetV2Location> location = locateMobileNetV2(spec.path);
    if (!location)
        return ExtractorResult::failure(location.error());

    Result<TfjsLayersModel> model = readTfjsLayersModel(location->modelFile);
    if (!model)
        return ExtractorResult::failure(model.error());
    Result<std::unique_ptr<KerasNetwork>> network = KerasNetwork::build(model.value(), true);
    if (!network)
        return ExtractorResult::failure(network.error());

    const QStringList layers = network.value()->layerNames();
    for (const QString &layer : requiredLayers()) {
        if (!layers.contains(layer)) {
            return ExtractorResult::failure(
                QStringLiteral("%1 is not the MobileNetV2 of nsfwjs: it has no layer %2.").arg(location->modelFile, layer));
        }
    }
    const QString layer = spec.layer.isEmpty() ? defaultMobileNetV2Layer() : spec.layer;
    if (!layers.contains(layer)) {
        return ExtractorResult::failure(QStringLiteral("MobileNetV2 has no layer %1. Layers include block_13_expand_relu, "
                                                       "block_16_project_BN and out_relu; `esafh-cli backbones --backbone mobilenetv2 --layers` lists all.")
                                            .arg(layer));
    }

    // The spec that models store names the folder and layer used, so that a later
    // change of the default layer cannot change what a stored spec means.
    BackboneSpec resolved = spec;
    resolved.path = QFileInfo(location->modelFile).absolutePath();
    resolved.layer = layer;
    auto extractor = std::make_unique<MobileNetV2Extractor>(resolved, identity, std::move(network).value());
    if (Status measured = extractor->measureDimension(); !measured)
        return ExtractorResult::failure(measured.error());

    if (!location->packageVersion.isEmpty() && location->packageVersion != kPackageVersion) {
        qCWarning(lcFeatures).noquote() << "nsfwjs" << location->packageVersion << "found; this port was checked against"
                                        << kPackageVersion;
    }
    qCInfo(lcFeatures).noquote() << "Loaded MobileNetV2 from" << location->modelFile << "on" << extractor->deviceName()
                                 << "giving" << extractor->dimension() << "features from layer" << layer;
    return std::unique_ptr<ImageFeatureExtractor>(std::move(extractor));
}

} // namespace esafh
