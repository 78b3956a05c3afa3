#pragma once

#include "common/result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <map>
#include <vector>

namespace esafh {

/// One weight tensor of a TensorFlow.js model, dequantised to float.
struct TfjsWeight
{
    std::vector<std::int64_t> shape; ///< As Keras stores it: HWIO kernels, [in, out] dense kernels.
    std::vector<float> values;       ///< Row-major in shape.
};

/// A Keras model saved in the TensorFlow.js layers format: the topology (model.json's
/// modelTopology) and the weights of its manifest.
///
/// Two packagings are read. The format of tfjs-converter: model.json with binary
/// shards named in its weightsManifest. And the bundles of the nsfwjs npm package:
/// model.min.js, a browserify module whose export is the same object written as a
/// JavaScript literal, and one group1-shardNofM.min.js per shard whose export is the
/// shard's bytes in base64.
///
/// Weights stored quantised are dequantised as min + q * scale per tensor (uint8 or
/// uint16 quantisation) or read as IEEE half floats (float16 quantisation).
struct TfjsLayersModel
{
    QString modelFile;
    QStringList weightFiles;      ///< The shard files, in manifest order.
    QJsonObject modelConfig;      ///< {"class_name": "Model" or "Sequential", "config": {...}}.
    QString kerasVersion;
    std::map<QString, TfjsWeight> weights; ///< By manifest name, such as "Conv1/kernel".
};

/// Finds the model file in folder: model.json, else model.min.js. A path to a file
/// is returned as it is. Fails naming the folder when neither exists.
Result<QString> findTfjsModelFile(const QString &path);

/// Reads a model file and, when loadWeights is set, its shards. Without loadWeights
/// only modelFile, weightFiles, modelConfig and kerasVersion are filled, which is
/// enough to checksum the files. Fails with a message naming the file and the fault:
/// not a layers model, a missing shard, a shard shorter than its manifest, an
/// unsupported data type.
Result<TfjsLayersModel> readTfjsLayersModel(const QString &modelFile, bool loadWeights = true);

} // namespace esafh
