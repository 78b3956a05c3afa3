#include "tux_paint_data.h"

#include <QDir>

#include <memory>

namespace esafh::bench {

namespace {

const QString stampsFolder = QStringLiteral("/usr/share/tuxpaint/stamps");

} // namespace

const PreparedDataset *tuxPaintDataset(QString *error)
{
    static std::unique_ptr<PreparedDataset> prepared;
    static QString failure;
    if (prepared || !failure.isEmpty()) {
        *error = failure;
        return prepared.get();
    }

    if (!QDir(stampsFolder).exists()) {
        failure = QStringLiteral("%1 is missing; install tuxpaint-stamps-default").arg(stampsFolder);
        *error = failure;
        return nullptr;
    }

    TrainingJobSettings settings;
    settings.datasetPath = stampsFolder;
    Result<PreparedDataset> result = prepareDataset(settings);
    if (!result) {
        failure = result.error();
        *error = failure;
        return nullptr;
    }
    prepared = std::make_unique<PreparedDataset>(std::move(result).value());
    return prepared.get();
}

FeatureMatrix gatherRows(const FeatureMatrix &matrix, const std::vector<int> &rows)
{
    FeatureMatrix gathered(static_cast<Eigen::Index>(rows.size()), matrix.cols());
    for (std::size_t i = 0; i < rows.size(); ++i)
        gathered.row(static_cast<Eigen::Index>(i)) = matrix.row(rows[i]);
    return gathered;
}

FeatureMatrix repeatRows(const FeatureMatrix &matrix, int count)
{
    FeatureMatrix repeated(count, matrix.cols());
    for (int i = 0; i < count; ++i)
        repeated.row(i) = matrix.row(i % matrix.rows());
    return repeated;
}

} // namespace esafh::bench
