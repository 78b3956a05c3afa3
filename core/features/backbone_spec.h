#pragma once

#include "common/result.h"

#include <QJsonObject>
#include <QString>

#include <vector>

namespace esafh {

/// The image feature extractor ("backbone") a job uses, with its settings. A spec
/// names a kind of extractor and, for the network kinds, the weights file. It is
/// stored in model files so that search by a new image can rebuild the extractor.
///
/// Kinds:
/// - "handcrafted": the OpenCV descriptor of HandcraftedImageFeatures; no settings.
/// - "torchscript": a TorchScript module loaded with LibTorch from path.
/// - "onnx": an ONNX network loaded with OpenCV's dnn module from path.
/// - "mobilenetv2": the MobileNetV2 of the npm package nsfwjs 4.x. Its path is the
///   package folder, its npm prefix or its model folder. An empty path searches
///   defaultNpmDirectory().
struct BackboneSpec
{
    static inline const QString handcrafted = QStringLiteral("handcrafted");
    static inline const QString torchScript = QStringLiteral("torchscript");
    static inline const QString onnx = QStringLiteral("onnx");
    static inline const QString mobileNetV2 = QStringLiteral("mobilenetv2");

    QString kind = handcrafted;
    QString path;

    // Settings of the network kinds. The input is RGB, scaled to [0, 1], resized to
    // inputSize x inputSize and normalised per channel as (value - mean) /
    // standardDeviation. mobilenetv2 has its own fixed input (224 x 224, no
    // normalisation) and ignores these three.
    int inputSize = 224;
    std::vector<float> mean{0.485f, 0.456f, 0.406f}; ///< ImageNet statistics, the usual ones of pretrained CNNs.
    std::vector<float> standardDeviation{0.229f, 0.224f, 0.225f};

    /// Which output to use: the ONNX layer name (empty: the network's output), the
    /// TorchScript method (empty: forward) or the MobileNetV2 layer (empty:
    /// defaultMobileNetV2Layer()).
    QString layer;

    /// Average a 4-D (N, C, H, W) output over H and W, giving C features. When false,
    /// a 4-D output is flattened whole.
    bool averagePool = true;

    /// Parses "handcrafted", "mobilenetv2", "mobilenetv2:FOLDER", "torchscript:FILE"
    /// or "onnx:FILE", keeping the default settings. A relative FILE is made absolute.
    static Result<BackboneSpec> parse(const QString &text);

    /// The text parse() reads back: the kind, then ":" and the path when there is one.
    QString toString() const;

    /// A short name for lists and labels: "hand-crafted descriptor", "MobileNetV2
    /// (nsfwjs), layer block_13_expand_relu" or "TorchScript model.pt".
    QString displayName() const;

    bool usesWeightsFile() const { return kind != handcrafted; }
    bool usesInputSettings() const { return kind == torchScript || kind == onnx; }

    /// The settings that change the features, as text for the extractor identity.
    QString settingsText() const;

    /// Checks ranges: input size 8 to 4096, three means, three positive standard deviations, a known
    /// kind, a path for torchscript and onnx. The message names the value.
    Status validate() const;

    QJsonObject toJson() const;
    /// Reads what toJson() writes; a missing key keeps its default. Fails, naming the
    /// key, on a value of the wrong type or out of range.
    static Result<BackboneSpec> fromJson(const QJsonObject &json);

    bool operator==(const BackboneSpec &other) const;
    bool operator!=(const BackboneSpec &other) const { return !(*this == other); }
};

/// The layer of MobileNetV2 whose pooled output is used when none is given.
QString defaultMobileNetV2Layer();

/// The backbone used when none is chosen: mobilenetv2 with its default layer, which
/// scored the best mAP in the measurements of docs/backbones.md. Where the nsfwjs
/// package is not installed, the jobs fall back to the hand-crafted descriptor.
BackboneSpec defaultBackbone();

/// Folder that scripts/setup-and-run installs npm packages into: $ESAFH_NPM_DIR, or
/// <generic cache location>/esafh/npm (~/.cache/esafh/npm on Linux).
QString defaultNpmDirectory();

/// Parses "0.485,0.456,0.406" into three numbers; fails naming the text otherwise.
Result<std::vector<float>> parseChannelValues(const QString &text);

} // namespace esafh
