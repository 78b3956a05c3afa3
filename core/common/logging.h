#pragma once

#include <QLoggingCategory>

// One logging category per module; enable with QT_LOGGING_RULES="esafh.*=true".
Q_DECLARE_LOGGING_CATEGORY(lcData)
Q_DECLARE_LOGGING_CATEGORY(lcFeatures)
Q_DECLARE_LOGGING_CATEGORY(lcTraining)
Q_DECLARE_LOGGING_CATEGORY(lcRetrieval)
Q_DECLARE_LOGGING_CATEGORY(lcPipeline)
Q_DECLARE_LOGGING_CATEGORY(lcUi)
