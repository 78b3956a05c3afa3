#pragma once

#include "method/hash_model.h"

#include <QChartView>
#include <QJsonArray>
#include <QMap>

class QLineSeries;
class QValueAxis;

namespace esafh::ui {

/// Live line chart of the training loss: the loss of each batch, the mean loss of
/// each epoch and the mean of each loss term per epoch, against the epoch, and the
/// validation mAP of each epoch on a second axis from 0 to 1 where training scored it.
class LossChart : public QChartView
{
    Q_OBJECT

public:
    explicit LossChart(QWidget *parent = nullptr);

    void clear();
    void setEpochCount(int epochs);
    void addBatch(const BatchReport &report);
    void addEpoch(const EpochReport &report);
    /// Plots the per-epoch history a model file stores (objects with "epoch",
    /// "loss", "loss_terms" and, where training scored it, "validation_map").
    void setHistory(const QJsonArray &history);

    int epochPointCount() const;
    int batchPointCount() const;
    int validationPointCount() const;

private:
    QLineSeries *termSeries(const QString &name);
    void includeValue(double value);
    void updateAxes();

    QLineSeries *m_batchLoss = nullptr;
    QLineSeries *m_epochLoss = nullptr;
    QMap<QString, QLineSeries *> m_terms;
    QValueAxis *m_epochAxis = nullptr;
    QValueAxis *m_lossAxis = nullptr;
    QLineSeries *m_validation = nullptr;
    QValueAxis *m_validationAxis = nullptr;
    int m_epochCount = 1;
    double m_lowest = 0;
    double m_highest = 0;
    bool m_hasValues = false;
};

} // namespace esafh::ui
