// End-to-end latency of a typed text query, as the Search screen and
// `esafh-cli search --text` run it: bag of words over the vocabulary, the text
// network with neighbours among the training texts, the binary code, and the top
// 100 of a database of 1,000,000 image codes (the Tux Paint database repeated).

#include "bench_sections.h"
#include "tux_paint_data.h"

#include "pipeline/search.h"
#include "retrieval/hamming_search.h"

#include <algorithm>

namespace esafh::bench {

namespace {

constexpr int databaseSize = 1000000;
constexpr int topK = 100;

/// Repeats the model's database until it has `count` items.
void repeatDatabase(TrainedModel &model, int count)
{
    const int original = static_cast<int>(model.databaseItems.size());
    HashCodes images(model.databaseImageCodes.bits(), count);
    HashCodes texts(model.databaseTextCodes.bits(), count);
    std::vector<DatasetItem> items;
    items.reserve(static_cast<std::size_t>(count));
    const int words = images.wordsPerCode();
    for (int i = 0; i < count; ++i) {
        std::copy_n(model.databaseImageCodes.code(i % original), words, images.code(i));
        std::copy_n(model.databaseTextCodes.code(i % original), words, texts.code(i));
        items.push_back(model.databaseItems[static_cast<std::size_t>(i % original)]);
    }
    model.databaseImageCodes = std::move(images);
    model.databaseTextCodes = std::move(texts);
    model.databaseItems = std::move(items);
}

} // namespace

void runTextQueryBenchmark(const BenchOptions &options, Report &report)
{
    report.section(QStringLiteral("Typed text query over %1 items").arg(databaseSize));
    QString error;
    const PreparedDataset *prepared = tuxPaintDataset(&error);
    if (!prepared) {
        report.note(QStringLiteral("Skipped: %1").arg(error));
        return;
    }

    // A briefly trained model: the latency does not depend on how well it ranks.
    TrainingJobSettings settings;
    settings.datasetPath = prepared->dataset.source;
    settings.esafh.epochs = 2;
    Result<TrainedModel> trained = trainModel(*prepared, settings);
    if (!trained) {
        report.note(QStringLiteral("Skipped: training failed: %1").arg(trained.error()));
        return;
    }
    TrainedModel &model = trained.value();
    repeatDatabase(model, databaseSize);
    report.note(QStringLiteral("Model trained for %1 epochs on %2 Tux Paint stamps; its %3 database codes repeated "
                               "to %4; top %5, text to image")
                    .arg(settings.esafh.epochs).arg(prepared->dataset.split.training.size())
                    .arg(prepared->dataset.split.database.size()).arg(databaseSize).arg(topK));

    const QStringList queries = {QStringLiteral("a red apple"), QStringLiteral("a cat with a long tail"),
                                 QStringLiteral("a big truck"), QStringLiteral("a birthday cake with candles"),
                                 QStringLiteral("a green tree"), QStringLiteral("a fish in the sea"),
                                 QStringLiteral("a yellow flower"), QStringLiteral("a flag of a country")};
    const int repeats = options.quick ? 3 : 10;

    std::vector<double> endToEnd;
    std::vector<double> encoding;
    std::vector<double> naive;
    for (int r = 0; r < repeats; ++r) {
        for (const QString &query : queries) {
            Result<SearchResult> result = Result<SearchResult>::failure(QString());
            endToEnd.push_back(secondsOf([&] { result = searchByText(model, query, SearchDirection::TextToImage, topK); }));
            if (!result) {
                endToEnd.pop_back();
                continue;
            }

            // The same query in two parts, with the naive loop in place of rankByHamming.
            HashCodes code;
            encoding.push_back(secondsOf([&] {
                FeatureMatrix features(1, model.vocabulary.size());
                const std::vector<float> bagOfWords = model.vocabulary.encode(query);
                std::copy(bagOfWords.begin(), bagOfWords.end(), features.data());
                code = model.hashModel->encodeTexts(features);
            }));
            naive.push_back(encoding.back() + secondsOf([&] {
                rankByHammingReference(model.databaseImageCodes, code.code(0), topK);
            }));
        }
    }
    if (endToEnd.empty()) {
        report.note(QStringLiteral("Skipped: no query had a word in the vocabulary"));
        return;
    }

    const auto median = [](std::vector<double> values) {
        std::nth_element(values.begin(), values.begin() + values.size() / 2, values.end());
        return values[values.size() / 2] * 1000;
    };
    report.add(QStringLiteral("Text query, encoding and naive loop"), median(naive), QStringLiteral("ms"));
    report.add(QStringLiteral("Text query, encoding (vocabulary, text network, code)"), median(encoding),
               QStringLiteral("ms"));
    report.add(QStringLiteral("Text query end to end (searchByText)"), median(endToEnd), QStringLiteral("ms"),
               median(naive), QStringLiteral("naive loop"));
}

} // namespace esafh::bench
