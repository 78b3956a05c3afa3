// Tests of the TensorFlow.js reader and the Keras network it builds in LibTorch: a
// tiny model generated here (stride-2 convolutions after explicit padding, a
// non-square kernel and input, depthwise convolutions, batch normalisation, ReLU6,
// an addition, flatten and dense layers, uint8-quantised weights) is run and
// compared with a reference computed by direct loops in Keras's own layouts. Where
// the nsfwjs package is installed, its MobileNetV2 is checked for plausible output.

#include "features/image_extractor.h"
#include "features/javascript_literal.h"
#include "features/keras_network.h"
#include "features/network_backbones.h"
#include "features/network_input.h"
#include "features/tfjs_model.h"
#include "image_fixtures.h"
#include "test_support.h"

#include <QDirIterator>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <random>

using namespace esafh;
using namespace esafh::test;

namespace {

// --- A tensor in Keras's layout (H, W, C) for one image, and the reference layers ---

struct Image
{
    int height = 0, width = 0, channels = 0;
    std::vector<double> values; // (H, W, C)

    double &at(int y, int x, int c) { return values[(static_cast<size_t>(y) * width + x) * channels + c]; }
    double at(int y, int x, int c) const { return values[(static_cast<size_t>(y) * width + x) * channels + c]; }
};

Image makeImage(int height, int width, int channels)
{
    return Image{height, width, channels, std::vector<double>(static_cast<size_t>(height) * width * channels, 0.0)};
}

Image pad(const Image &input, int top, int bottom, int left, int right)
{
    Image output = makeImage(input.height + top + bottom, input.width + left + right, input.channels);
    for (int y = 0; y < input.height; ++y)
        for (int x = 0; x < input.width; ++x)
            for (int c = 0; c < input.channels; ++c)
                output.at(y + top, x + left, c) = input.at(y, x, c);
    return output;
}

// Valid convolution with an HWIO kernel.
Image convolve(const Image &input, const std::vector<float> &kernel, int kernelHeight, int kernelWidth, int filters,
               int stride, const std::vector<float> &bias)
{
    Image output = makeImage((input.height - kernelHeight) / stride + 1, (input.width - kernelWidth) / stride + 1, filters);
    for (int y = 0; y < output.height; ++y)
        for (int x = 0; x < output.width; ++x)
            for (int f = 0; f < filters; ++f) {
                double sum = bias.empty() ? 0.0 : bias[static_cast<size_t>(f)];
                for (int i = 0; i < kernelHeight; ++i)
                    for (int j = 0; j < kernelWidth; ++j)
                        for (int c = 0; c < input.channels; ++c)
                            sum += input.at(y * stride + i, x * stride + j, c)
                                   * kernel[((static_cast<size_t>(i) * kernelWidth + j) * input.channels + c) * filters + f];
                output.at(y, x, f) = sum;
            }
    return output;
}

// Valid depthwise convolution with a (H, W, C, M) kernel; output channel c * M + m.
Image depthwise(const Image &input, const std::vector<float> &kernel, int side, int multiplier, int stride)
{
    Image output = makeImage((input.height - side) / stride + 1, (input.width - side) / stride + 1, input.channels * multiplier);
    for (int y = 0; y < output.height; ++y)
        for (int x = 0; x < output.width; ++x)
            for (int c = 0; c < input.channels; ++c)
                for (int m = 0; m < multiplier; ++m) {
                    double sum = 0.0;
                    for (int i = 0; i < side; ++i)
                        for (int j = 0; j < side; ++j)
                            sum += input.at(y * stride + i, x * stride + j, c)
                                   * kernel[((static_cast<size_t>(i) * side + j) * input.channels + c) * multiplier + m];
                    output.at(y, x, c * multiplier + m) = sum;
                }
    return output;
}

struct Normalisation
{
    std::vector<float> gamma, beta, mean, variance;
};

Image normaliseAndClip(const Image &input, const Normalisation &bn, double epsilon)
{
    Image output = input;
    for (size_t i = 0; i < output.values.size(); ++i) {
        const size_t c = i % static_cast<size_t>(input.channels);
        const double value = bn.gamma[c] * (input.values[i] - bn.mean[c]) / std::sqrt(bn.variance[c] + epsilon) + bn.beta[c];
        output.values[i] = std::min(6.0, std::max(0.0, value));
    }
    return output;
}

std::vector<double> dense(const std::vector<double> &input, const std::vector<float> &kernel, const std::vector<float> &bias,
                          bool softmax)
{
    const size_t units = bias.size();
    std::vector<double> output(units);
    for (size_t u = 0; u < units; ++u) {
        output[u] = bias[u];
        for (size_t i = 0; i < input.size(); ++i)
            output[u] += input[i] * kernel[i * units + u];
    }
    if (softmax) {
        double total = 0.0;
        for (double &value : output)
            total += (value = std::exp(value));
        for (double &value : output)
            value /= total;
    }
    return output;
}

// --- The generated TensorFlow.js model ------------------------------------------------

QJsonObject layer(const QString &name, const QString &className, QJsonObject config, const QStringList &inputs)
{
    config[QStringLiteral("name")] = name;
    QJsonArray inbound;
    for (const QString &input : inputs)
        inbound.append(QJsonArray{input, 0, 0, QJsonObject()});
    QJsonObject json;
    json[QStringLiteral("name")] = name;
    json[QStringLiteral("class_name")] = className;
    json[QStringLiteral("config")] = config;
    json[QStringLiteral("inbound_nodes")] = inputs.isEmpty() ? QJsonArray() : QJsonArray{inbound};
    return json;
}

QJsonObject conv(int filters, QJsonArray kernel, int stride, const QString &padding, bool bias)
{
    return QJsonObject{{QStringLiteral("filters"), filters},
                       {QStringLiteral("kernel_size"), kernel},
                       {QStringLiteral("strides"), QJsonArray{stride, stride}},
                       {QStringLiteral("padding"), padding},
                       {QStringLiteral("data_format"), QStringLiteral("channels_last")},
                       {QStringLiteral("dilation_rate"), QJsonArray{1, 1}},
                       {QStringLiteral("activation"), QStringLiteral("linear")},
                       {QStringLiteral("use_bias"), bias}};
}

QJsonObject depthwiseConv(int multiplier, int stride, const QString &padding)
{
    return QJsonObject{{QStringLiteral("kernel_size"), QJsonArray{3, 3}},
                       {QStringLiteral("strides"), QJsonArray{stride, stride}},
                       {QStringLiteral("padding"), padding},
                       {QStringLiteral("depth_multiplier"), multiplier},
                       {QStringLiteral("activation"), QStringLiteral("linear")},
                       {QStringLiteral("use_bias"), false}};
}

const QJsonObject kBatchNorm{{QStringLiteral("axis"), -1}, {QStringLiteral("epsilon"), 0.001},
                             {QStringLiteral("center"), true}, {QStringLiteral("scale"), true}};
const QJsonObject kRelu6{{QStringLiteral("max_value"), 6}, {QStringLiteral("negative_slope"), 0}, {QStringLiteral("threshold"), 0}};
const QJsonObject kPadBottomRight{{QStringLiteral("padding"), QJsonArray{QJsonArray{0, 1}, QJsonArray{0, 1}}}};

constexpr int kHeight = 9;
constexpr int kWidth = 7;

// Weights quantised to uint8 as tfjs-converter stores them: q, and min and scale
// per tensor. The values are dequantised here exactly as the reader must.
struct QuantisedWeight
{
    QString name;
    std::vector<int> shape;
    double minimum;
    double scale;
    std::vector<quint8> q;

    std::vector<float> values() const
    {
        std::vector<float> result;
        for (quint8 level : q)
            result.push_back(static_cast<float>(minimum + level * scale));
        return result;
    }
};

struct TinyModel
{
    QJsonObject topology;
    std::vector<QuantisedWeight> weights;

    const QuantisedWeight &weight(const QString &name) const
    {
        return *std::find_if(weights.begin(), weights.end(), [&name](const QuantisedWeight &w) { return w.name == name; });
    }

    QJsonArray manifestEntries() const
    {
        QJsonArray entries;
        for (const QuantisedWeight &w : weights) {
            QJsonArray shape;
            for (int size : w.shape)
                shape.append(size);
            entries.append(QJsonObject{{QStringLiteral("name"), w.name},
                                       {QStringLiteral("shape"), shape},
                                       {QStringLiteral("dtype"), QStringLiteral("float32")},
                                       {QStringLiteral("quantization"),
                                        QJsonObject{{QStringLiteral("min"), w.minimum},
                                                    {QStringLiteral("scale"), w.scale},
                                                    {QStringLiteral("dtype"), QStringLiteral("uint8")}}}});
        }
        return entries;
    }

    QByteArray weightBytes() const
    {
        QByteArray bytes;
        for (const QuantisedWeight &w : weights)
            for (quint8 level : w.q)
                bytes.append(static_cast<char>(level));
        return bytes;
    }
};

TinyModel makeTinyModel()
{
    TinyModel model;
    std::mt19937 random(5);
    auto addWeight = [&](const QString &name, std::vector<int> shape, double minimum, double scale) {
        int count = 1;
        for (int size : shape)
            count *= size;
        QuantisedWeight weight{name, std::move(shape), minimum, scale, {}};
        std::uniform_int_distribution<int> level(0, 255);
        for (int i = 0; i < count; ++i)
            weight.q.push_back(static_cast<quint8>(level(random)));
        model.weights.push_back(std::move(weight));
    };
    auto addBatchNorm = [&](const QString &name, int channels) {
        addWeight(name + QStringLiteral("/gamma"), {channels}, 0.5, 0.004);
        addWeight(name + QStringLiteral("/beta"), {channels}, -0.5, 0.004);
        addWeight(name + QStringLiteral("/moving_mean"), {channels}, -0.3, 0.0025);
        addWeight(name + QStringLiteral("/moving_variance"), {channels}, 0.2, 0.01);
    };

    QJsonArray layers;
    QJsonObject input{{QStringLiteral("batch_input_shape"), QJsonArray{QJsonValue(), kHeight, kWidth, 3}},
                      {QStringLiteral("dtype"), QStringLiteral("float32")}};
    layers.append(layer(QStringLiteral("input_1"), QStringLiteral("InputLayer"), input, {}));
    layers.append(layer(QStringLiteral("pad_1"), QStringLiteral("ZeroPadding2D"), kPadBottomRight, {QStringLiteral("input_1")}));
    layers.append(layer(QStringLiteral("conv_1"), QStringLiteral("Conv2D"), conv(4, QJsonArray{3, 2}, 2, QStringLiteral("valid"), true),
                        {QStringLiteral("pad_1")}));
    addWeight(QStringLiteral("conv_1/kernel"), {3, 2, 3, 4}, -1.0, 2.0 / 255);
    addWeight(QStringLiteral("conv_1/bias"), {4}, -0.2, 0.4 / 255);
    layers.append(layer(QStringLiteral("bn_1"), QStringLiteral("BatchNormalization"), kBatchNorm, {QStringLiteral("conv_1")}));
    addBatchNorm(QStringLiteral("bn_1"), 4);
    layers.append(layer(QStringLiteral("relu_1"), QStringLiteral("ReLU"), kRelu6, {QStringLiteral("bn_1")}));
    layers.append(layer(QStringLiteral("dw_1"), QStringLiteral("DepthwiseConv2D"), depthwiseConv(2, 1, QStringLiteral("same")),
                        {QStringLiteral("relu_1")}));
    addWeight(QStringLiteral("dw_1/depthwise_kernel"), {3, 3, 4, 2}, -1.0, 2.0 / 255);
    layers.append(layer(QStringLiteral("bn_2"), QStringLiteral("BatchNormalization"), kBatchNorm, {QStringLiteral("dw_1")}));
    addBatchNorm(QStringLiteral("bn_2"), 8);
    layers.append(layer(QStringLiteral("relu_2"), QStringLiteral("ReLU"), kRelu6, {QStringLiteral("bn_2")}));
    layers.append(layer(QStringLiteral("pad_2"), QStringLiteral("ZeroPadding2D"), kPadBottomRight, {QStringLiteral("relu_2")}));
    layers.append(layer(QStringLiteral("dw_2"), QStringLiteral("DepthwiseConv2D"), depthwiseConv(1, 2, QStringLiteral("valid")),
                        {QStringLiteral("pad_2")}));
    addWeight(QStringLiteral("dw_2/depthwise_kernel"), {3, 3, 8, 1}, -1.0, 2.0 / 255);
    layers.append(layer(QStringLiteral("project_a"), QStringLiteral("Conv2D"), conv(5, QJsonArray{1, 1}, 1, QStringLiteral("same"), false),
                        {QStringLiteral("dw_2")}));
    addWeight(QStringLiteral("project_a/kernel"), {1, 1, 8, 5}, -1.0, 2.0 / 255);
    layers.append(layer(QStringLiteral("project_b"), QStringLiteral("Conv2D"), conv(5, QJsonArray{1, 1}, 1, QStringLiteral("valid"), false),
                        {QStringLiteral("dw_2")}));
    addWeight(QStringLiteral("project_b/kernel"), {1, 1, 8, 5}, -1.0, 2.0 / 255);
    layers.append(layer(QStringLiteral("add"), QStringLiteral("Add"), {}, {QStringLiteral("project_a"), QStringLiteral("project_b")}));
    layers.append(layer(QStringLiteral("pool"), QStringLiteral("GlobalAveragePooling2D"), {}, {QStringLiteral("add")}));
    layers.append(layer(QStringLiteral("dense"), QStringLiteral("Dense"),
                        {{QStringLiteral("units"), 3}, {QStringLiteral("activation"), QStringLiteral("softmax")},
                         {QStringLiteral("use_bias"), true}},
                        {QStringLiteral("pool")}));
    addWeight(QStringLiteral("dense/kernel"), {5, 3}, -1.0, 2.0 / 255);
    addWeight(QStringLiteral("dense/bias"), {3}, -0.1, 0.2 / 255);
    layers.append(layer(QStringLiteral("flatten"), QStringLiteral("Flatten"), {}, {QStringLiteral("add")}));
    layers.append(layer(QStringLiteral("dropout"), QStringLiteral("Dropout"), {{QStringLiteral("rate"), 0.5}}, {QStringLiteral("flatten")}));
    layers.append(layer(QStringLiteral("dense_flat"), QStringLiteral("Dense"),
                        {{QStringLiteral("units"), 2}, {QStringLiteral("activation"), QStringLiteral("linear")},
                         {QStringLiteral("use_bias"), true}},
                        {QStringLiteral("dropout")}));
    addWeight(QStringLiteral("dense_flat/kernel"), {20, 2}, -1.0, 2.0 / 255);
    addWeight(QStringLiteral("dense_flat/bias"), {2}, -0.1, 0.2 / 255);

    const QJsonObject config{{QStringLiteral("name"), QStringLiteral("tiny")},
                             {QStringLiteral("layers"), layers},
                             {QStringLiteral("input_layers"), QJsonArray{QJsonArray{QStringLiteral("input_1"), 0, 0}}},
                             {QStringLiteral("output_layers"), QJsonArray{QJsonArray{QStringLiteral("dense"), 0, 0}}}};
    model.topology = QJsonObject{{QStringLiteral("keras_version"), QStringLiteral("2.2.4")},
                                 {QStringLiteral("backend"), QStringLiteral("tensorflow")},
                                 {QStringLiteral("model_config"),
                                  QJsonObject{{QStringLiteral("class_name"), QStringLiteral("Model")}, {QStringLiteral("config"), config}}}};
    return model;
}

// Writes the model as tfjs-converter does: model.json and two binary shards.
bool writeConverterFormat(const TinyModel &model, const QString &folder)
{
    const QByteArray bytes = model.weightBytes();
    const qsizetype half = bytes.size() / 2;
    const QJsonObject manifest{{QStringLiteral("paths"), QJsonArray{QStringLiteral("group1-shard1of2.bin"), QStringLiteral("group1-shard2of2.bin")}},
                               {QStringLiteral("weights"), model.manifestEntries()}};
    const QJsonObject root{{QStringLiteral("format"), QStringLiteral("layers-model")},
                           {QStringLiteral("modelTopology"), model.topology},
                           {QStringLiteral("weightsManifest"), QJsonArray{manifest}}};
    QDir().mkpath(folder);
    return writeBytes(QDir(folder).filePath(QStringLiteral("model.json")), QJsonDocument(root).toJson())
           && writeBytes(QDir(folder).filePath(QStringLiteral("group1-shard1of2.bin")), bytes.left(half))
           && writeBytes(QDir(folder).filePath(QStringLiteral("group1-shard2of2.bin")), bytes.mid(half));
}

// A JavaScript literal as a minifier writes it: bare keys, !0 and !1, ".5".
QByteArray javaScriptLiteral(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Object: {
        QByteArrayList members;
        const QJsonObject object = value.toObject();
        for (auto it = object.begin(); it != object.end(); ++it)
            members << it.key().toUtf8() + ':' + javaScriptLiteral(it.value());
        return '{' + members.join(',') + '}';
    }
    case QJsonValue::Array: {
        QByteArrayList elements;
        for (const QJsonValue &element : value.toArray())
            elements << javaScriptLiteral(element);
        return '[' + elements.join(',') + ']';
    }
    case QJsonValue::Bool: return value.toBool() ? "!0" : "!1";
    case QJsonValue::Double: {
        QByteArray number = QByteArray::number(value.toDouble(), 'g', 17);
        if (number.startsWith("0."))
            number.remove(0, 1);
        else if (number.startsWith("-0."))
            number.remove(1, 1);
        return number;
    }
    case QJsonValue::String: return QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact).mid(1).chopped(1);
    default: return "null";
    }
}

// The browserify wrapper of the nsfwjs bundles, whose prelude also assigns exports.
QByteArray bundle(const QByteArray &exported, const QByteArray &name)
{
    return "!function(e){if(\"object\"==typeof exports&&\"undefined\"!=typeof module)module.exports=e();else "
           "(window||this)." + name + "=e()}(function(){return function(){return{1:[function(e,a,n){a.exports="
           + exported + "},{}]}}()(1)});";
}

// Writes the model as the nsfwjs package ships it: model.min.js and one base64 shard.
bool writeBundleFormat(const TinyModel &model, const QString &folder)
{
    const QJsonObject manifest{{QStringLiteral("paths"), QJsonArray{QStringLiteral("group1-shard1of1")}},
                               {QStringLiteral("weights"), model.manifestEntries()}};
    const QJsonObject root{{QStringLiteral("modelTopology"), model.topology}, {QStringLiteral("weightsManifest"), QJsonArray{manifest}}};
    QDir().mkpath(folder);
    return writeBytes(QDir(folder).filePath(QStringLiteral("model.min.js")), bundle(javaScriptLiteral(root), "model"))
           && writeBytes(QDir(folder).filePath(QStringLiteral("group1-shard1of1.min.js")),
                         bundle('"' + model.weightBytes().toBase64() + '"', "group1_shard1of1"));
}

struct Reference
{
    Image added;                 // output of "add", (H, W, C)
    std::vector<double> classes; // output of "dense"
    std::vector<double> flat;    // output of "dense_flat"
};

Reference reference(const TinyModel &model, const Image &input)
{
    auto values = [&model](const QString &name) { return model.weight(name).values(); };
    auto batchNorm = [&values](const QString &name) {
        return Normalisation{values(name + QStringLiteral("/gamma")), values(name + QStringLiteral("/beta")),
                             values(name + QStringLiteral("/moving_mean")), values(name + QStringLiteral("/moving_variance"))};
    };

    Image x = convolve(pad(input, 0, 1, 0, 1), values(QStringLiteral("conv_1/kernel")), 3, 2, 4, 2, values(QStringLiteral("conv_1/bias")));
    x = normaliseAndClip(x, batchNorm(QStringLiteral("bn_1")), 1e-3);
    x = depthwise(pad(x, 1, 1, 1, 1), values(QStringLiteral("dw_1/depthwise_kernel")), 3, 2, 1); // "same" at stride 1
    x = normaliseAndClip(x, batchNorm(QStringLiteral("bn_2")), 1e-3);
    x = depthwise(pad(x, 0, 1, 0, 1), values(QStringLiteral("dw_2/depthwise_kernel")), 3, 1, 2);
    const Image a = convolve(x, values(QStringLiteral("project_a/kernel")), 1, 1, 5, 1, {});
    const Image b = convolve(x, values(QStringLiteral("project_b/kernel")), 1, 1, 5, 1, {});

    Reference result;
    result.added = a;
    for (size_t i = 0; i < a.values.size(); ++i)
        result.added.values[i] += b.values[i];

    std::vector<double> pooled(5, 0.0);
    for (size_t i = 0; i < result.added.values.size(); ++i)
        pooled[i % 5] += result.added.values[i] / (result.added.height * result.added.width);
    result.classes = dense(pooled, values(QStringLiteral("dense/kernel")), values(QStringLiteral("dense/bias")), true);
    result.flat = dense(result.added.values, values(QStringLiteral("dense_flat/kernel")), values(QStringLiteral("dense_flat/bias")), false);
    return result;
}

Image randomInput(quint64 seed)
{
    std::mt19937_64 random(seed);
    std::uniform_real_distribution<double> uniform(0.0, 1.0);
    Image input = makeImage(kHeight, kWidth, 3);
    for (double &value : input.values)
        value = uniform(random);
    return input;
}

// The planes (C, H, W) KerasNetwork::run takes, from an (H, W, C) image.
std::vector<float> toPlanes(const Image &image)
{
    std::vector<float> planes(image.values.size());
    for (int y = 0; y < image.height; ++y)
        for (int x = 0; x < image.width; ++x)
            for (int c = 0; c < image.channels; ++c)
                planes[(static_cast<size_t>(c) * image.height + y) * image.width + x] = static_cast<float>(image.at(y, x, c));
    return planes;
}

double maxDifference(const std::vector<float> &actual, const std::vector<double> &expected)
{
    double difference = actual.size() == expected.size() ? 0.0 : 1e9;
    for (size_t i = 0; i < std::min(actual.size(), expected.size()); ++i)
        difference = std::max(difference, std::abs(actual[i] - expected[i]));
    return difference;
}

} // namespace

class KerasNetworkTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();

    void javaScriptValuesParse_data();
    void javaScriptValuesParse();
    void javaScriptRejectsExpressions();

    void readsWeightsDequantised();
    void bothPackagingsReadTheSame();
    void networkMatchesReference_data();
    void networkMatchesReference();
    void batchOfTwoMatchesSingles();
    void missingShardFails();
    void shortShardFails();
    void unsupportedQuantisationFails();
    void unsupportedLayerFails();
    void unknownLayerIsRejectedAtRun();

    void mobileNetV2OutputIsPlausible();

private:
    QTemporaryDir m_folder;
    TinyModel m_model;
    QString m_converterFolder;
    QString m_bundleFolder;
};

void KerasNetworkTest::initTestCase()
{
    QVERIFY(m_folder.isValid());
    m_model = makeTinyModel();
    m_converterFolder = m_folder.filePath(QStringLiteral("converter"));
    m_bundleFolder = m_folder.filePath(QStringLiteral("bundle"));
    QVERIFY(writeConverterFormat(m_model, m_converterFolder));
    QVERIFY(writeBundleFormat(m_model, m_bundleFolder));
}

void KerasNetworkTest::javaScriptValuesParse_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QByteArray>("json");

    QTest::newRow("bare keys") << QByteArray("{a:1,b_2:\"x\"}") << QByteArray(R"({"a":1,"b_2":"x"})");
    QTest::newRow("minified booleans") << QByteArray("[!0,!1,true,false,null,void 0]") << QByteArray("[true,false,true,false,null,null]");
    QTest::newRow("short numbers") << QByteArray("[.5,-.25,1e-3,-2E2,+3]") << QByteArray("[0.5,-0.25,0.001,-200,3]");
    QTest::newRow("single quotes and escapes") << QByteArray(R"(['it\'s',"a\"b\\c\u00e9\n"])") << QByteArray(R"(["it's","a\"b\\cé\n"])");
    QTest::newRow("nesting and spaces") << QByteArray(" { x : [ { y : [ ] } , { } ] , } ") << QByteArray(R"({"x":[{"y":[]},{}]})");
}

void KerasNetworkTest::javaScriptValuesParse()
{
    QFETCH(QByteArray, text);
    QFETCH(QByteArray, json);

    qsizetype position = 0;
    const Result<QJsonValue> value = parseJavaScriptValue(text, &position);
    QVERIFY2(value.ok(), qPrintable(value.error()));
    const QJsonValue expected = QJsonDocument::fromJson("[" + json + "]").array().first();
    QCOMPARE(value.value(), expected);
    QCOMPARE(text.mid(position).trimmed(), QByteArray());
}

void KerasNetworkTest::javaScriptRejectsExpressions()
{
    for (const QByteArray &text : {QByteArray("{a:function(){}}"), QByteArray("[1,2"), QByteArray("{a 1}"), QByteArray("'open")}) {
        qsizetype position = 0;
        const Result<QJsonValue> value = parseJavaScriptValue(text, &position);
        QVERIFY2(!value.ok(), text.constData());
        QVERIFY2(value.error().contains(QStringLiteral("byte")), qPrintable(value.error()));
    }
}

void KerasNetworkTest::readsWeightsDequantised()
{
    const Result<TfjsLayersModel> model = readTfjsLayersModel(QDir(m_converterFolder).filePath(QStringLiteral("model.json")));
    QVERIFY2(model.ok(), qPrintable(model.error()));
    QCOMPARE(model->weights.size(), m_model.weights.size());
    QCOMPARE(model->weightFiles.size(), 2);
    QCOMPARE(model->kerasVersion, QStringLiteral("2.2.4"));

    const QuantisedWeight &kernel = m_model.weight(QStringLiteral("conv_1/kernel"));
    const TfjsWeight &read = model->weights.at(QStringLiteral("conv_1/kernel"));
    QCOMPARE(read.shape, (std::vector<std::int64_t>{3, 2, 3, 4}));
    QVERIFY(read.values == kernel.values());
    QCOMPARE(read.values.front(), static_cast<float>(kernel.minimum + kernel.q.front() * kernel.scale));
}

void KerasNetworkTest::bothPackagingsReadTheSame()
{
    const Result<QString> bundleFile = findTfjsModelFile(m_bundleFolder);
    QVERIFY2(bundleFile.ok(), qPrintable(bundleFile.error()));
    QVERIFY(bundleFile->endsWith(QStringLiteral("model.min.js")));

    const Result<TfjsLayersModel> fromBundle = readTfjsLayersModel(bundleFile.value());
    const Result<TfjsLayersModel> fromConverter = readTfjsLayersModel(findTfjsModelFile(m_converterFolder).value());
    QVERIFY2(fromBundle.ok(), qPrintable(fromBundle.error()));
    QVERIFY2(fromConverter.ok(), qPrintable(fromConverter.error()));
    QCOMPARE(fromBundle->modelConfig, fromConverter->modelConfig);
    for (const auto &[name, weight] : fromConverter->weights) {
        QVERIFY2(fromBundle->weights.count(name) == 1, qPrintable(name));
        QVERIFY2(fromBundle->weights.at(name).values == weight.values, qPrintable(name));
    }
}

void KerasNetworkTest::networkMatchesReference_data()
{
    QTest::addColumn<QString>("folder");
    QTest::newRow("converter format") << QStringLiteral("converter");
    QTest::newRow("nsfwjs bundle") << QStringLiteral("bundle");
}

void KerasNetworkTest::networkMatchesReference()
{
    QFETCH(QString, folder);
    const Result<TfjsLayersModel> model = readTfjsLayersModel(findTfjsModelFile(m_folder.filePath(folder)).value());
    QVERIFY2(model.ok(), qPrintable(model.error()));
    const Result<std::unique_ptr<KerasNetwork>> network = KerasNetwork::build(model.value());
    QVERIFY2(network.ok(), qPrintable(network.error()));
    QCOMPARE(network.value()->inputHeight(), kHeight);
    QCOMPARE(network.value()->inputWidth(), kWidth);

    const Image input = randomInput(21);
    const Reference expected = reference(m_model, input);
    const std::vector<float> planes = toPlanes(input);

    // The 4-D output comes back as planes; the reference is (H, W, C).
    const Result<LayerOutput> added = network.value()->run(planes.data(), 1, kHeight, kWidth, QStringLiteral("add"));
    QVERIFY2(added.ok(), qPrintable(added.error()));
    QCOMPARE(added->shape, (std::vector<std::int64_t>{1, 5, 2, 2}));
    std::vector<double> addedPlanes(expected.added.values.size());
    for (int y = 0; y < 2; ++y)
        for (int x = 0; x < 2; ++x)
            for (int c = 0; c < 5; ++c)
                addedPlanes[(static_cast<size_t>(c) * 2 + y) * 2 + x] = expected.added.at(y, x, c);
    QVERIFY2(maxDifference(added->values, addedPlanes) < 1e-5, qPrintable(QString::number(maxDifference(added->values, addedPlanes))));

    const Result<LayerOutput> classes = network.value()->run(planes.data(), 1, kHeight, kWidth, QStringLiteral("dense"));
    QVERIFY2(classes.ok(), qPrintable(classes.error()));
    QVERIFY2(maxDifference(classes->values, expected.classes) < 1e-5, qPrintable(QString::number(maxDifference(classes->values, expected.classes))));

    // Flatten reads (H, W, C) as Keras does, which only matches when the layout is right.
    const Result<LayerOutput> flat = network.value()->run(planes.data(), 1, kHeight, kWidth, QStringLiteral("dense_flat"));
    QVERIFY2(flat.ok(), qPrintable(flat.error()));
    QVERIFY2(maxDifference(flat->values, expected.flat) < 1e-5, qPrintable(QString::number(maxDifference(flat->values, expected.flat))));
}

void KerasNetworkTest::batchOfTwoMatchesSingles()
{
    const Result<TfjsLayersModel> model = readTfjsLayersModel(findTfjsModelFile(m_converterFolder).value());
    const Result<std::unique_ptr<KerasNetwork>> network = KerasNetwork::build(model.value());
    QVERIFY(network.ok());

    const Image first = randomInput(1);
    const Image second = randomInput(2);
    std::vector<float> planes = toPlanes(first);
    const std::vector<float> secondPlanes = toPlanes(second);
    planes.insert(planes.end(), secondPlanes.begin(), secondPlanes.end());

    const Result<LayerOutput> both = network.value()->run(planes.data(), 2, kHeight, kWidth, QStringLiteral("dense"));
    QVERIFY2(both.ok(), qPrintable(both.error()));
    const std::vector<double> expectedFirst = reference(m_model, first).classes;
    const std::vector<double> expectedSecond = reference(m_model, second).classes;
    std::vector<double> expected = expectedFirst;
    expected.insert(expected.end(), expectedSecond.begin(), expectedSecond.end());
    QVERIFY(maxDifference(both->values, expected) < 1e-5);
}

void KerasNetworkTest::missingShardFails()
{
    const QString folder = m_folder.filePath(QStringLiteral("missing-shard"));
    QVERIFY(writeConverterFormat(m_model, folder));
    QVERIFY(QFile::remove(QDir(folder).filePath(QStringLiteral("group1-shard2of2.bin"))));

    const Result<TfjsLayersModel> model = readTfjsLayersModel(QDir(folder).filePath(QStringLiteral("model.json")));
    QVERIFY(!model.ok());
    QVERIFY2(model.error().contains(QStringLiteral("group1-shard2of2.bin")), qPrintable(model.error()));
}

void KerasNetworkTest::shortShardFails()
{
    const QString folder = m_folder.filePath(QStringLiteral("short-shard"));
    QVERIFY(writeConverterFormat(m_model, folder));
    QVERIFY(writeBytes(QDir(folder).filePath(QStringLiteral("group1-shard2of2.bin")), QByteArray(10, '\0')));

    const Result<TfjsLayersModel> model = readTfjsLayersModel(QDir(folder).filePath(QStringLiteral("model.json")));
    QVERIFY(!model.ok());
    QVERIFY2(model.error().contains(QStringLiteral("end before weight")), qPrintable(model.error()));
}

void KerasNetworkTest::unsupportedQuantisationFails()
{
    const QString folder = m_folder.filePath(QStringLiteral("int4"));
    QVERIFY(writeConverterFormat(m_model, folder));
    const QString path = QDir(folder).filePath(QStringLiteral("model.json"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QByteArray json = file.readAll();
    file.close();
    json.replace("\"uint8\"", "\"int4\"");
    QVERIFY(writeBytes(path, json));

    const Result<TfjsLayersModel> model = readTfjsLayersModel(path);
    QVERIFY(!model.ok());
    QVERIFY2(model.error().contains(QStringLiteral("int4")), qPrintable(model.error()));
}

void KerasNetworkTest::unsupportedLayerFails()
{
    Result<TfjsLayersModel> model = readTfjsLayersModel(findTfjsModelFile(m_converterFolder).value());
    QVERIFY(model.ok());
    QJsonObject config = model->modelConfig.value(QStringLiteral("config")).toObject();
    QJsonArray layers = config.value(QStringLiteral("layers")).toArray();
    QJsonObject lstm = layers[3].toObject();
    lstm[QStringLiteral("class_name")] = QStringLiteral("LSTM");
    layers[3] = lstm;
    config[QStringLiteral("layers")] = layers;
    model->modelConfig[QStringLiteral("config")] = config;

    const Result<std::unique_ptr<KerasNetwork>> network = KerasNetwork::build(model.value());
    QVERIFY(!network.ok());
    QVERIFY2(network.error().contains(QStringLiteral("LSTM")), qPrintable(network.error()));
    QVERIFY2(network.error().contains(lstm.value(QStringLiteral("name")).toString()), qPrintable(network.error()));
}

void KerasNetworkTest::unknownLayerIsRejectedAtRun()
{
    const Result<TfjsLayersModel> model = readTfjsLayersModel(findTfjsModelFile(m_converterFolder).value());
    const Result<std::unique_ptr<KerasNetwork>> network = KerasNetwork::build(model.value());
    QVERIFY(network.ok());
    const std::vector<float> planes = toPlanes(randomInput(3));
    const Result<LayerOutput> output = network.value()->run(planes.data(), 1, kHeight, kWidth, QStringLiteral("no_such_layer"));
    QVERIFY(!output.ok());
    QVERIFY2(output.error().contains(QStringLiteral("no_such_layer")), qPrintable(output.error()));
}

void KerasNetworkTest::mobileNetV2OutputIsPlausible()
{
    const Result<MobileNetV2Location> location = locateMobileNetV2(QString());
    if (!location)
        QSKIP(qPrintable(location.error()));
    const QString stamps = tuxPaintStamps();
    ESAFH_REQUIRE_FOLDER(stamps, QStringLiteral("Tux Paint stamps"));

    const Result<TfjsLayersModel> model = readTfjsLayersModel(location->modelFile);
    QVERIFY2(model.ok(), qPrintable(model.error()));
    const Result<std::unique_ptr<KerasNetwork>> network = KerasNetwork::build(model.value());
    QVERIFY2(network.ok(), qPrintable(network.error()));

    NetworkInputSettings input;
    input.side = 224;
    input.resize = InputResize::BilinearAlignCorners;
    QStringList paths;
    QDirIterator it(stamps, {QStringLiteral("*.png")}, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext() && paths.size() < 6)
        paths << it.next();
    QVERIFY(!paths.isEmpty());

    // The classes of nsfwjs are Drawing, Hentai, Neutral, Porn and Sexy; children's
    // clip art belongs to the first or the third.
    for (const QString &path : paths) {
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        std::vector<float> planes(3 * 224 * 224);
        QVERIFY(prepareNetworkInput(file.readAll(), path, input, planes.data()).ok());
        const Result<LayerOutput> classes = network.value()->run(planes.data(), 1, 224, 224, QStringLiteral("dense_3"));
        QVERIFY2(classes.ok(), qPrintable(classes.error()));
        QCOMPARE(classes->values.size(), size_t(5));
        double sum = 0;
        for (float probability : classes->values) {
            QVERIFY(probability >= 0.0f && probability <= 1.0f);
            sum += probability;
        }
        QVERIFY2(std::abs(sum - 1.0) < 1e-4, qPrintable(QString::number(sum)));
        const double drawingOrNeutral = classes->values[0] + classes->values[2];
        QVERIFY2(drawingOrNeutral > 0.9, qPrintable(QStringLiteral("%1: %2").arg(path).arg(drawingOrNeutral)));
    }

    // The backbone gives unit-length pooled features of its default layer, 576
    // channels, and names that layer in the spec that models store.
    BackboneSpec spec;
    spec.kind = BackboneSpec::mobileNetV2;
    Result<std::unique_ptr<ImageFeatureExtractor>> extractor = createImageFeatureExtractor(spec);
    QVERIFY2(extractor.ok(), qPrintable(extractor.error()));
    QCOMPARE(extractor.value()->dimension(), 576);
    QCOMPARE(extractor.value()->spec().layer, defaultMobileNetV2Layer());

    BackboneSpec lastStage = spec;
    lastStage.layer = QStringLiteral("out_relu");
    Result<std::unique_ptr<ImageFeatureExtractor>> lastStageExtractor = createImageFeatureExtractor(lastStage);
    QVERIFY2(lastStageExtractor.ok(), qPrintable(lastStageExtractor.error()));
    QCOMPARE(lastStageExtractor.value()->dimension(), 1280);
    const Result<std::vector<float>> features = extractor.value()->extractFromFile(paths.first());
    QVERIFY2(features.ok(), qPrintable(features.error()));
    double squaredNorm = 0;
    for (float value : features.value())
        squaredNorm += double(value) * value;
    QVERIFY(std::abs(squaredNorm - 1.0) < 1e-4);
}

QTEST_GUILESS_MAIN(KerasNetworkTest)
#include "tst_keras_network.moc"
