#pragma once

#include "method/esafh_settings.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QSpinBox;

namespace esafh::ui {

/// Editors for the ESAFH settings a user changes most: code length, schedule,
/// the main weights of the method, the optimiser and the device. Each editor's
/// tooltip states what it sets and its default. Settings without an editor keep the
/// values passed to setSettings.
class TrainingSettingsForm : public QWidget
{
    Q_OBJECT

public:
    explicit TrainingSettingsForm(QWidget *parent = nullptr);

    EsafhSettings settings() const;
    void setSettings(const EsafhSettings &settings);
    void restoreDefaults() { setSettings(EsafhSettings{}); }

Q_SIGNALS:
    void settingsChanged();

private:
    void updateDeviceLabel();

    EsafhSettings m_base;
    QComboBox *m_bits = nullptr;
    QSpinBox *m_epochs = nullptr;
    QSpinBox *m_batchSize = nullptr;
    QSpinBox *m_seed = nullptr;
    QSpinBox *m_neighbourCount = nullptr;
    QDoubleSpinBox *m_enrichmentWeight = nullptr;
    QCheckBox *m_attentionFusion = nullptr;
    QDoubleSpinBox *m_fusionScale = nullptr;
    QDoubleSpinBox *m_attentionKlWeight = nullptr;
    QDoubleSpinBox *m_intraModalWeight = nullptr;
    QComboBox *m_optimizer = nullptr;
    QDoubleSpinBox *m_imageLearningRate = nullptr;
    QDoubleSpinBox *m_textLearningRate = nullptr;
    QComboBox *m_device = nullptr;
    QSpinBox *m_threads = nullptr;
    QLabel *m_deviceLabel = nullptr;
};

} // namespace esafh::ui
