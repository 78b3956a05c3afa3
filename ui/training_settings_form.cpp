#include "training_settings_form.h"

#include "features/image_extractor.h"
#include "method/device.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QSpinBox>
#include <QStandardItemModel>

#include <limits>

namespace esafh::ui {

namespace {

QString withDefault(const QString &description, const QString &defaultValue)
{
    return TrainingSettingsForm::tr("%1 Default: %2.").arg(description, defaultValue);
}

QSpinBox *makeSpinBox(int minimum, int maximum, const QString &toolTip)
{
    auto *spinBox = new QSpinBox;
    spinBox->setRange(minimum, maximum);
    spinBox->setToolTip(toolTip);
    return spinBox;
}

QDoubleSpinBox *makeDoubleSpinBox(double minimum, double maximum, int decimals, double step, const QString &toolTip)
{
    auto *spinBox = new QDoubleSpinBox;
    spinBox->setRange(minimum, maximum);
    spinBox->setDecimals(decimals);
    spinBox->setSingleStep(step);
    spinBox->setToolTip(toolTip);
    return spinBox;
}

QString methodDisplayName(const QString &name)
{
    if (name == QLatin1String("esafh"))
        return TrainingSettingsForm::tr("ESAFH");
    if (name == QLatin1String("djsrh"))
        return TrainingSettingsForm::tr("DJSRH (anchor)");
    if (name == QLatin1String("jdsh"))
        return TrainingSettingsForm::tr("JDSH (anchor)");
    if (name == QLatin1String("dgcpn"))
        return TrainingSettingsForm::tr("DGCPN (anchor)");
    return name;
}

// Item data of the backbone entry that opens a file dialog instead of naming a backbone.
const QString kOtherFile = QStringLiteral("other-file");

QString channelText(const std::vector<float> &values)
{
    QStringList parts;
    for (float value : values)
        parts << QString::number(value);
    return parts.join(QLatin1Char(','));
}

} // namespace

TrainingSettingsForm::TrainingSettingsForm(QWidget *parent) : QWidget(parent)
{
    const EsafhSettings defaults;
    auto *form = new QFormLayout(this);
    form->setContentsMargins(0, 0, 0, 0);

    addBackboneEditors(form);

    m_method = new QComboBox;
    for (const QString &name : EsafhSettings::methodNames())
        m_method->addItem(methodDisplayName(name), name);
    m_method->setToolTip(withDefault(tr("The hashing method trained: ESAFH, or one of the anchors it is compared with "
                                        "(DJSRH, JDSH, DGCPN). Choosing one loads its defaults."),
                                     methodDisplayName(defaults.method)));
    form->addRow(tr("Method:"), m_method);

    m_bits = new QComboBox;
    for (int bits : {16, 32, 64, 128})
        m_bits->addItem(tr("%1 bits").arg(bits), bits);
    m_bits->setToolTip(withDefault(tr("Length of each hash code."), tr("%1 bits").arg(defaults.bits)));
    form->addRow(tr("Code length:"), m_bits);

    m_epochs = makeSpinBox(1, 10000, withDefault(tr("Passes over the training set."), QString::number(defaults.epochs)));
    form->addRow(tr("Epochs:"), m_epochs);

    m_batchSize = makeSpinBox(2, 8192, withDefault(tr("Items per training batch; similarity targets are built per batch."),
                                                   QString::number(defaults.batchSize)));
    form->addRow(tr("Batch size:"), m_batchSize);

    m_seed = makeSpinBox(0, std::numeric_limits<int>::max(),
                         withDefault(tr("Seed of the network initialisation and batch order."), QString::number(defaults.seed)));
    form->addRow(tr("Seed:"), m_seed);

    m_neighbourCount = makeSpinBox(0, 500, withDefault(tr("k, the text neighbours of each item in the text graph; 0 builds no graph."),
                                                       QString::number(defaults.neighbourCount)));
    form->addRow(tr("Text neighbours (k):"), m_neighbourCount);

    m_enrichmentWeight = makeDoubleSpinBox(0, 10, 2, 0.1,
                                           withDefault(tr("β, the weight of the neighbours' texts in the enriched text features."),
                                                       QString::number(defaults.enrichmentWeight)));
    form->addRow(tr("Enrichment weight (β):"), m_enrichmentWeight);

    addAblationSwitches(form, defaults);

    m_fusionScale = makeDoubleSpinBox(0.1, 5, 2, 0.1, withDefault(tr("μ, the scale of the fused similarity target."),
                                                                  QString::number(defaults.fusionScale)));
    form->addRow(tr("Fusion scale (μ):"), m_fusionScale);

    m_attentionKlWeight = makeDoubleSpinBox(0, 10, 2, 0.1,
                                            withDefault(tr("λ, how strongly the attention weights are kept near the uniform prior."),
                                                        QString::number(defaults.attentionKlWeight)));
    form->addRow(tr("Attention prior weight (λ):"), m_attentionKlWeight);

    m_intraModalWeight = makeDoubleSpinBox(0, 10, 3, 0.05,
                                           withDefault(tr("δ, the weight of the image-image and text-text terms of the hash loss."),
                                                       QString::number(defaults.intraModalWeight)));
    form->addRow(tr("Intra-modal weight (δ):"), m_intraModalWeight);

    m_optimizer = new QComboBox;
    m_optimizer->addItem(tr("SGD with momentum"), QStringLiteral("sgd"));
    m_optimizer->addItem(tr("Adam"), QStringLiteral("adam"));
    m_optimizer->setToolTip(withDefault(tr("Optimiser of both hash networks."), tr("SGD with momentum")));
    form->addRow(tr("Optimiser:"), m_optimizer);

    m_imageLearningRate = makeDoubleSpinBox(1e-6, 1, 6, 0.0005, withDefault(tr("Learning rate of the image network."),
                                                                             QString::number(defaults.imageLearningRate)));
    form->addRow(tr("Image learning rate:"), m_imageLearningRate);

    m_textLearningRate = makeDoubleSpinBox(1e-6, 1, 6, 0.005, withDefault(tr("Learning rate of the text network."),
                                                                           QString::number(defaults.textLearningRate)));
    form->addRow(tr("Text learning rate:"), m_textLearningRate);

    m_device = new QComboBox;
    m_device->addItem(tr("Automatic"), QStringLiteral("auto"));
    m_device->addItem(tr("CPU"), QStringLiteral("cpu"));
    m_device->addItem(tr("CUDA GPU"), QStringLiteral("cuda"));
    if (!cudaAvailable()) {
        auto *items = qobject_cast<QStandardItemModel *>(m_device->model());
        items->item(2)->setEnabled(false);
        items->item(2)->setToolTip(tr("This LibTorch build has no CUDA, or no GPU is present."));
    }
    m_device->setToolTip(withDefault(tr("Where training runs; automatic uses a CUDA GPU when one is available."), tr("automatic")));
    m_deviceLabel = new QLabel;
    form->addRow(tr("Device:"), m_device);
    form->addRow(QString(), m_deviceLabel);

    m_threads = makeSpinBox(0, 1024, withDefault(tr("CPU threads of LibTorch; 0 uses one per hardware thread."),
                                                 QString::number(defaults.threads)));
    form->addRow(tr("CPU threads:"), m_threads);

    restoreDefaults();

    connect(m_backbone, &QComboBox::activated, this, [this](int index) {
        if (m_backbone->itemData(index).toString() == kOtherFile)
            chooseModelFile();
        else
            m_previousBackboneIndex = index;
    });
    connect(m_backbone, &QComboBox::currentIndexChanged, this, &TrainingSettingsForm::updateBackboneEditors);
    for (QLineEdit *edit : {m_mean, m_standardDeviation, m_layer})
        connect(edit, &QLineEdit::textChanged, this, &TrainingSettingsForm::settingsChanged);
    connect(m_device, &QComboBox::currentIndexChanged, this, &TrainingSettingsForm::updateDeviceLabel);
    for (QSpinBox *spinBox : findChildren<QSpinBox *>())
        connect(spinBox, &QSpinBox::valueChanged, this, &TrainingSettingsForm::settingsChanged);
    for (QDoubleSpinBox *spinBox : findChildren<QDoubleSpinBox *>())
        connect(spinBox, &QDoubleSpinBox::valueChanged, this, &TrainingSettingsForm::settingsChanged);
    for (QComboBox *comboBox : findChildren<QComboBox *>())
        connect(comboBox, &QComboBox::currentIndexChanged, this, &TrainingSettingsForm::settingsChanged);
    for (QCheckBox *checkBox : findChildren<QCheckBox *>())
        connect(checkBox, &QCheckBox::toggled, this, &TrainingSettingsForm::settingsChanged);
    connect(m_method, &QComboBox::activated, this, &TrainingSettingsForm::applyMethodDefaults);
}

void TrainingSettingsForm::addAblationSwitches(QFormLayout *form, const EsafhSettings &defaults)
{
    auto onOff = [](bool value) { return value ? tr("on") : tr("off"); };

    m_attentionFusion = new QCheckBox(tr("Learn per-item fusion weights"));
    m_attentionFusion->setObjectName(QStringLiteral("attentionFusion"));
    m_attentionFusion->setToolTip(withDefault(tr("When off, the similarity matrices are fused with fixed equal weights."),
                                              onOff(defaults.attentionFusion)));
    form->addRow(tr("Attention fusion:"), m_attentionFusion);

    m_neighbourEnrichment = new QCheckBox(tr("Enrich texts with their neighbours"));
    m_neighbourEnrichment->setObjectName(QStringLiteral("neighbourEnrichment"));
    m_neighbourEnrichment->setToolTip(
        withDefault(tr("Builds S_T from the texts enriched with their graph neighbours; when off, from the plain "
                       "texts, and β has no effect."),
                    onOff(defaults.neighbourEnrichment)));
    form->addRow(tr("Neighbour enrichment:"), m_neighbourEnrichment);

    m_learnedTextEncoder = new QCheckBox(tr("Graph-convolution text encoder"));
    m_learnedTextEncoder->setObjectName(QStringLiteral("learnedTextEncoder"));
    m_learnedTextEncoder->setToolTip(
        withDefault(tr("Gives the text network its graph-convolution layer; when off, the text network is a plain "
                       "MLP as in the anchors. A saved model's network shape depends on it."),
                    onOff(defaults.learnedTextEncoder)));
    form->addRow(tr("Learned text encoder:"), m_learnedTextEncoder);

    m_crossModalTerm = new QCheckBox(tr("Fuse the cross-modal matrix S_C"));
    m_crossModalTerm->setObjectName(QStringLiteral("crossModalTerm"));
    m_crossModalTerm->setToolTip(withDefault(tr("Makes S_C a candidate of the fusion; when off, only S_I and S_T are fused."),
                                             onOff(defaults.crossModalTerm)));
    form->addRow(tr("Cross-modal term:"), m_crossModalTerm);

    m_neighbourCoherence = new QCheckBox(tr("Blend in neighbour coherence"));
    m_neighbourCoherence->setObjectName(QStringLiteral("neighbourCoherence"));
    m_neighbourCoherence->setToolTip(
        withDefault(tr("Mixes into each similarity matrix how many of their top-k neighbours two items share "
                       "(the DGCPN term)."),
                    onOff(defaults.neighbourCoherence)));
    form->addRow(tr("Neighbour coherence:"), m_neighbourCoherence);
}

QCheckBox *TrainingSettingsForm::ablationSwitch(const QString &name) const
{
    return findChild<QCheckBox *>(name);
}

void TrainingSettingsForm::applyMethodDefaults(int index)
{
    const Result<EsafhSettings> defaults = EsafhSettings::forMethod(m_method->itemData(index).toString());
    if (!defaults)
        return;

    // The method changes how the targets and losses are built, not the run's schedule or hardware.
    const EsafhSettings current = settings();
    EsafhSettings next = defaults.value();
    next.bits = current.bits;
    next.epochs = current.epochs;
    next.batchSize = current.batchSize;
    next.seed = current.seed;
    next.optimizer = current.optimizer;
    next.device = current.device;
    next.threads = current.threads;
    setSettings(next);
}

EsafhSettings TrainingSettingsForm::settings() const
{
    EsafhSettings settings = m_base;
    settings.method = m_method->currentData().toString();
    settings.neighbourCoherence = m_neighbourCoherence->isChecked();
    settings.neighbourEnrichment = m_neighbourEnrichment->isChecked();
    settings.learnedTextEncoder = m_learnedTextEncoder->isChecked();
    settings.crossModalTerm = m_crossModalTerm->isChecked();
    settings.bits = m_bits->currentData().toInt();
    settings.epochs = m_epochs->value();
    settings.batchSize = m_batchSize->value();
    settings.seed = static_cast<quint64>(m_seed->value());
    settings.neighbourCount = m_neighbourCount->value();
    settings.enrichmentWeight = m_enrichmentWeight->value();
    settings.attentionFusion = m_attentionFusion->isChecked();
    settings.fusionScale = m_fusionScale->value();
    settings.attentionKlWeight = m_attentionKlWeight->value();
    settings.intraModalWeight = m_intraModalWeight->value();
    settings.optimizer = m_optimizer->currentData().toString();
    settings.imageLearningRate = m_imageLearningRate->value();
    settings.textLearningRate = m_textLearningRate->value();
    settings.device = m_device->currentData().toString();
    settings.threads = m_threads->value();
    return settings;
}

void TrainingSettingsForm::setSettings(const EsafhSettings &settings)
{
    m_base = settings;

    m_method->setCurrentIndex(qMax(0, m_method->findData(settings.method)));
    m_neighbourCoherence->setChecked(settings.neighbourCoherence);
    m_neighbourEnrichment->setChecked(settings.neighbourEnrichment);
    m_learnedTextEncoder->setChecked(settings.learnedTextEncoder);
    m_crossModalTerm->setChecked(settings.crossModalTerm);

    const int bitsIndex = m_bits->findData(settings.bits);
    if (bitsIndex < 0)
        m_bits->addItem(tr("%1 bits").arg(settings.bits), settings.bits);
    m_bits->setCurrentIndex(m_bits->findData(settings.bits));
    m_epochs->setValue(settings.epochs);
    m_batchSize->setValue(settings.batchSize);
    m_seed->setValue(static_cast<int>(qMin<quint64>(settings.seed, std::numeric_limits<int>::max())));
    m_neighbourCount->setValue(settings.neighbourCount);
    m_enrichmentWeight->setValue(settings.enrichmentWeight);
    m_attentionFusion->setChecked(settings.attentionFusion);
    m_fusionScale->setValue(settings.fusionScale);
    m_attentionKlWeight->setValue(settings.attentionKlWeight);
    m_intraModalWeight->setValue(settings.intraModalWeight);
    m_optimizer->setCurrentIndex(qMax(0, m_optimizer->findData(settings.optimizer)));
    m_imageLearningRate->setValue(settings.imageLearningRate);
    m_textLearningRate->setValue(settings.textLearningRate);
    m_device->setCurrentIndex(qMax(0, m_device->findData(settings.device)));
    m_threads->setValue(settings.threads);
    updateDeviceLabel();
}

void TrainingSettingsForm::addBackboneEditors(QFormLayout *form)
{
    const BackboneSpec defaults;
    m_backbone = new QComboBox;
    m_backbone->setToolTip(withDefault(tr("What describes each image for the image network: the hand-crafted descriptor, "
                                          "or the pooled output of a pretrained CNN. Changing it extracts the dataset's "
                                          "image features again before training."),
                                       defaultBackbone().displayName()));
    m_backbone->addItem(tr("Hand-crafted descriptor"), BackboneSpec::handcrafted);

    BackboneSpec mobileNet;
    mobileNet.kind = BackboneSpec::mobileNetV2;
    m_backbone->addItem(tr("MobileNetV2 (nsfwjs)"), BackboneSpec::mobileNetV2);
    // Checking for the package reads its model description and checksums its weights
    // (a few MB). The network is loaded only when features are extracted.
    if (const Result<QString> identity = backboneIdentity(mobileNet); !identity) {
        auto *items = qobject_cast<QStandardItemModel *>(m_backbone->model());
        items->item(1)->setEnabled(false);
        items->item(1)->setToolTip(identity.error());
    }
    m_backbone->addItem(tr("Other TorchScript or ONNX file…"), kOtherFile);
    form->addRow(tr("Image features:"), m_backbone);

    m_backboneLabel = new QLabel;
    m_backboneLabel->setWordWrap(true);
    form->addRow(QString(), m_backboneLabel);

    m_inputSize = makeSpinBox(8, 4096, withDefault(tr("Side in pixels of the square network input."),
                                                   QString::number(defaults.inputSize)));
    form->addRow(tr("Input size:"), m_inputSize);
    m_mean = new QLineEdit;
    m_mean->setToolTip(withDefault(tr("Mean subtracted from R, G and B scaled to [0, 1]."), channelText(defaults.mean)));
    form->addRow(tr("Mean (R,G,B):"), m_mean);
    m_standardDeviation = new QLineEdit;
    m_standardDeviation->setToolTip(withDefault(tr("Standard deviation R, G and B are divided by after the mean."),
                                                channelText(defaults.standardDeviation)));
    form->addRow(tr("Std (R,G,B):"), m_standardDeviation);
    m_layer = new QLineEdit;
    m_layer->setPlaceholderText(tr("default"));
    m_layer->setToolTip(tr("Output to use: the ONNX layer, the TorchScript method or the MobileNetV2 layer. "
                           "Empty uses the network's output, forward() or %1.")
                            .arg(defaultMobileNetV2Layer()));
    form->addRow(tr("Output layer:"), m_layer);
}

void TrainingSettingsForm::restoreDefaults()
{
    setSettings(EsafhSettings{});

    // The default MobileNetV2 falls back to the hand-crafted descriptor where its
    // package is not installed, and so does the form.
    const BackboneSpec preferred = defaultBackbone();
    const int index = m_backbone->findData(preferred.kind);
    const auto *items = qobject_cast<QStandardItemModel *>(m_backbone->model());
    setBackbone(index >= 0 && items->item(index)->isEnabled() ? preferred : BackboneSpec{});
}

Result<BackboneSpec> TrainingSettingsForm::backbone() const
{
    Result<BackboneSpec> spec = BackboneSpec::parse(m_backbone->currentData().toString());
    if (!spec)
        return spec;

    spec->layer = m_layer->text().trimmed();
    if (!spec->usesInputSettings())
        return spec;
    spec->inputSize = m_inputSize->value();
    Result<std::vector<float>> mean = parseChannelValues(m_mean->text());
    if (!mean)
        return Result<BackboneSpec>::failure(tr("Mean: %1").arg(mean.error()));
    Result<std::vector<float>> deviation = parseChannelValues(m_standardDeviation->text());
    if (!deviation)
        return Result<BackboneSpec>::failure(tr("Std: %1").arg(deviation.error()));
    spec->mean = mean.value();
    spec->standardDeviation = deviation.value();
    if (Status valid = spec->validate(); !valid)
        return Result<BackboneSpec>::failure(valid.error());
    return spec;
}

void TrainingSettingsForm::setBackbone(const BackboneSpec &spec)
{
    // MobileNetV2 has one entry, wherever its package was found.
    int index = m_backbone->findData(spec.kind == BackboneSpec::mobileNetV2 ? spec.kind : spec.toString());
    if (index < 0) {
        // A file backbone not listed yet goes before the "Other file" entry.
        index = m_backbone->count() - 1;
        m_backbone->insertItem(index, spec.displayName(), spec.toString());
        m_backbone->setItemData(index, spec.path, Qt::ToolTipRole);
    }
    m_backbone->setCurrentIndex(index);
    m_previousBackboneIndex = index;

    m_inputSize->setValue(spec.inputSize);
    m_mean->setText(channelText(spec.mean));
    m_standardDeviation->setText(channelText(spec.standardDeviation));
    m_layer->setText(spec.layer);
    updateBackboneEditors();
}

void TrainingSettingsForm::addModelFile(const QString &path)
{
    BackboneSpec spec;
    spec.kind = path.endsWith(QStringLiteral(".onnx"), Qt::CaseInsensitive) ? BackboneSpec::onnx : BackboneSpec::torchScript;
    spec.path = QFileInfo(path).absoluteFilePath();
    const Result<BackboneSpec> current = backbone();
    if (current && current->usesInputSettings()) {
        spec.inputSize = current->inputSize;
        spec.mean = current->mean;
        spec.standardDeviation = current->standardDeviation;
    }
    setBackbone(spec);
}

void TrainingSettingsForm::chooseModelFile()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Choose a TorchScript or ONNX Model"), QString(),
                                                      tr("Models (*.pt *.pth *.ptl *.onnx);;All files (*)"));
    if (path.isEmpty()) {
        m_backbone->setCurrentIndex(m_previousBackboneIndex);
        return;
    }
    addModelFile(path);
}

void TrainingSettingsForm::updateBackboneEditors()
{
    const Result<BackboneSpec> parsed = BackboneSpec::parse(m_backbone->currentData().toString());
    const BackboneSpec spec = parsed ? parsed.value() : BackboneSpec{}; // The "Other file" entry shows no settings.
    for (QWidget *editor : std::initializer_list<QWidget *>{m_inputSize, m_mean, m_standardDeviation})
        editor->setEnabled(spec.usesInputSettings());
    m_layer->setEnabled(spec.kind != BackboneSpec::handcrafted);

    if (spec.kind == BackboneSpec::mobileNetV2)
        m_backboneLabel->setText(tr("224 x 224 RGB input, fixed by the model; the features are its pooled output."));
    else if (spec.usesInputSettings())
        m_backboneLabel->setText(spec.path);
    else
        m_backboneLabel->setText(tr("Needs no model file."));
}

void TrainingSettingsForm::updateDeviceLabel()
{
    const Result<QString> device = resolveDevice(m_device->currentData().toString());
    if (!device) {
        m_deviceLabel->setText(device.error());
        return;
    }
    m_deviceLabel->setText(device.value() == QLatin1String("cuda") ? tr("Training runs on the CUDA GPU.")
                                                                   : tr("Training runs on the CPU."));
}

} // namespace esafh::ui
