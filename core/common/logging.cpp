#include "logging.h"

Q_LOGGING_CATEGORY(lcData, "esafh.data", QtInfoMsg)
Q_LOGGING_CATEGORY(lcFeatures, "esafh.features", QtInfoMsg)
Q_LOGGING_CATEGORY(lcTraining, "esafh.training", QtInfoMsg)
Q_LOGGING_CATEGORY(lcRetrieval, "esafh.retrieval", QtInfoMsg)
Q_LOGGING_CATEGORY(lcPipeline, "esafh.pipeline", QtInfoMsg)
Q_LOGGING_CATEGORY(lcUi, "esafh.ui", QtInfoMsg)
