#pragma once

#include "retrieval/metrics.h"

#include <QWidget>

class QLabel;
class QTableWidget;

namespace esafh::ui {

/// The retrieval scores of a model: mAP@all and mAP@K for image-to-text and
/// text-to-image, with the tie rule and relevance definition they were computed under.
class ScoresView : public QWidget
{
    Q_OBJECT

public:
    explicit ScoresView(QWidget *parent = nullptr);

    void setScores(const RetrievalScores &scores);
    void clear();

    /// The score shown in a cell, as text; row 0 is i2t, row 1 t2i, column 0 mAP@all, column 1 mAP@K.
    QString cellText(int row, int column) const;
    QString protocolText() const;

private:
    QTableWidget *m_table = nullptr;
    QLabel *m_protocol = nullptr;
};

} // namespace esafh::ui
