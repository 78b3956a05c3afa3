#pragma once

#include "pipeline/trained_model.h"
#include "pipeline/training_job.h"

#include <QDir>
#include <QFile>
#include <QImage>
#include <QPainter>
#include <QPolygon>
#include <QSignalSpy>
#include <QString>
#include <QTest>

#include <memory>

namespace esafh::test {

/// One category of the generated image tree: its folder, shape colour and the
/// words its captions draw from.
struct TinyCategory
{
    const char *folder;
    QColor colour;
    const char *captions[6];
};

inline const TinyCategory tinyCategories[] = {
    {"fruit", QColor(220, 30, 30),
     {"a red apple", "red apple on a plate", "ripe red apple", "a shiny red apple fruit", "red fruit apple slice",
      "an apple that is red"}},
    {"vehicles", QColor(30, 60, 220),
     {"a blue car", "blue car on the road", "small blue car parked", "a fast blue car", "blue toy car",
      "car painted blue"}},
    {"animals", QColor(30, 170, 60),
     {"a green frog", "green frog on a leaf", "small green frog", "a frog that is green", "green frog jumping",
      "frog in green grass"}},
};

inline constexpr int tinyItemsPerCategory = 6;
inline constexpr int tinyItemCount = 18;

/// Draws one image of a category: a red disc, a blue box or a green triangle,
/// shifted and scaled a little per item so that no two images are equal.
inline QImage drawTinyImage(int category, int item)
{
    QImage image(96, 96, QImage::Format_RGB32);
    image.fill(QColor(245 - item * 4, 245, 240));

    QPainter painter(&image);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(Qt::NoPen);
    painter.setBrush(tinyCategories[category].colour.darker(100 + item * 8));
    const int offset = item * 3;
    const int size = 50 + item * 4;
    if (category == 0) {
        painter.drawEllipse(QRect(10 + offset, 12 + offset, size, size));
    } else if (category == 1) {
        painter.drawRect(QRect(8 + offset, 24, size + 10, size / 2));
    } else {
        painter.drawPolygon(QPolygon({QPoint(48, 8 + offset), QPoint(10 + offset, 88), QPoint(88 - offset, 88)}));
    }
    return image;
}

/// Writes 18 PNG images, each with a caption file beside it, in three category
/// folders under `root`. Returns false when a file cannot be written.
inline bool writeTinyImageTree(const QString &root)
{
    for (int category = 0; category < 3; ++category) {
        const QString folder = root + QLatin1Char('/') + QLatin1String(tinyCategories[category].folder);
        if (!QDir().mkpath(folder))
            return false;
        for (int item = 0; item < tinyItemsPerCategory; ++item) {
            const QString base = folder + QStringLiteral("/item%1").arg(item);
            if (!drawTinyImage(category, item).save(base + QStringLiteral(".png")))
                return false;
            QFile caption(base + QStringLiteral(".txt"));
            if (!caption.open(QIODevice::WriteOnly | QIODevice::Text))
                return false;
            caption.write(tinyCategories[category].captions[item]);
            caption.write("\n");
        }
    }
    return true;
}

/// Job settings for the tiny tree: features cached inside `cacheFolder`, and small
/// networks, few bits and few epochs so that training takes seconds on a CPU.
inline TrainingJobSettings tinyJobSettings(const QString &datasetPath, const QString &cacheFolder)
{
    TrainingJobSettings settings;
    settings.datasetPath = datasetPath;
    settings.featureCacheDirectory = cacheFolder;
    settings.esafh.bits = 16;
    settings.esafh.epochs = 2;
    settings.esafh.batchSize = 8;
    settings.esafh.neighbourCount = 3;
    settings.esafh.textHiddenUnits = 64;
    settings.esafh.graphUnits = 32;
    settings.esafh.imageHiddenUnits = 64;
    settings.esafh.device = QStringLiteral("cpu");
    settings.esafh.threads = 2;
    return settings;
}

} // namespace esafh::test
