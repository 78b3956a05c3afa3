#pragma once

#include "common/result.h"
#include "pipeline/trained_model.h"

#include <QJsonObject>

namespace esafh {

/// Everything of a model except the networks and the codes, as the JSON stored in a model file.
QJsonObject modelMetadataToJson(const TrainedModel &model);

/// Reads the metadata part of a model file; `path` names the file in messages.
Result<TrainedModel> modelMetadataFromJson(const QJsonObject &json, const QString &path);

QJsonObject scoresToJson(const RetrievalScores &scores);

} // namespace esafh
