#pragma once

#include "common/result.h"
#include "features/backbone_spec.h"
#include "method/esafh_settings.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace esafh::ui {

/// Editors for the image backbone and for the settings a user changes most: the
/// method (ESAFH or an anchor), code length, schedule, the main weights of the
/// method, the ablation switches, the optimiser and the device. Choosing another
/// method loads that method's defaults but keeps the code length, schedule, seed,
/// optimiser and device. Each editor's tooltip states what it sets and its default. Settings
/// without an editor keep the values passed to setSettings.
///
/// The backbone list contains the built-in backbones, the TorchScript and ONNX files
/// added so far, and an entry that opens a file dialog to add one. MobileNetV2 is
/// disabled, with the reason in its tooltip, when the nsfwjs package is not installed.
class TrainingSettingsForm : public QWidget
{
    Q_OBJECT

public:
    explicit TrainingSettingsForm(QWidget *parent = nullptr);

    /// The method editor; its item data are the names of EsafhSettings::methodNames().
    QComboBox *methodBox() const { return m_method; }
    /// The switch of a boolean setting named as in EsafhSettings::toJson(), or null.
    QCheckBox *ablationSwitch(const QString &name) const;

    EsafhSettings settings() const;
    void setSettings(const EsafhSettings &settings);
    void restoreDefaults();

    /// The chosen backbone with its input settings; fails with a message when the
    /// mean or standard deviation text is not three numbers.
    Result<BackboneSpec> backbone() const;
    /// Selects spec, adding a TorchScript or ONNX file to the list when needed.
    void setBackbone(const BackboneSpec &spec);
    /// Adds a TorchScript (.pt, .pth, .ptl) or ONNX (.onnx) file to the list and selects it.
    void addModelFile(const QString &path);

Q_SIGNALS:
    void settingsChanged();

private:
    void addBackboneEditors(QFormLayout *form);
    void chooseModelFile();
    void updateBackboneEditors();
    void updateDeviceLabel();
    void applyMethodDefaults(int index);
    void addAblationSwitches(QFormLayout *form, const EsafhSettings &defaults);

    EsafhSettings m_base;
    QComboBox *m_backbone = nullptr;
    QLabel *m_backboneLabel = nullptr;
    QSpinBox *m_inputSize = nullptr;
    QLineEdit *m_mean = nullptr;
    QLineEdit *m_standardDeviation = nullptr;
    QLineEdit *m_layer = nullptr;
    int m_previousBackboneIndex = 0;
    QComboBox *m_method = nullptr;
    QComboBox *m_bits = nullptr;
    QSpinBox *m_epochs = nullptr;
    QSpinBox *m_batchSize = nullptr;
    QSpinBox *m_seed = nullptr;
    QSpinBox *m_neighbourCount = nullptr;
    QDoubleSpinBox *m_enrichmentWeight = nullptr;
    QCheckBox *m_attentionFusion = nullptr;
    QCheckBox *m_neighbourCoherence = nullptr;
    QCheckBox *m_neighbourEnrichment = nullptr;
    QCheckBox *m_learnedTextEncoder = nullptr;
    QCheckBox *m_crossModalTerm = nullptr;
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
