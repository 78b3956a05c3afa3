#pragma once

#include "common/result.h"

#include <QByteArray>
#include <QHash>
#include <QString>

#include <vector>

namespace esafh {

/// Feature vectors of one extractor stored on disk, keyed by the SHA-1 of each image
/// file's bytes, so that a renamed or moved image is still found and a changed image
/// misses only its own entry.
///
/// Each extractor identity has its own file in the cache folder, named from a hash
/// of the identity. The file contains a magic number, format version, the identity,
/// the dimension, the entries and a SHA-1 checksum of all of these, and it is
/// replaced atomically on save. Entries of every dataset ever extracted stay in the
/// file, because nothing is evicted.
///
/// Concurrent const calls (contains, lookup) are safe, but load, insert and save are not.
class FeatureCache
{
public:
    /// Length in bytes of a content key (SHA-1).
    static constexpr int kKeyLength = 20;

    FeatureCache(QString directory, QString extractorIdentity, int dimension);

    /// Returns the content key of an image file: the SHA-1 of its bytes.
    static QByteArray contentKey(const QByteArray &fileBytes);

    /// File name of the cache of one extractor identity, without the folder.
    static QString fileNameFor(const QString &extractorIdentity);

    QString filePath() const;
    int dimension() const { return m_dimension; }
    int size() const { return static_cast<int>(m_rowOfKey.size()); }

    /// True when entries were inserted since the last load or save.
    bool isModified() const { return m_modified; }

    /// Reads the cache file, replacing the entries in memory. A missing file gives an
    /// empty cache. A damaged file, or one written for another identity, dimension or
    /// format version, also leaves the cache empty. Then the returned failure names the
    /// file and the fault, and the next save overwrites the file.
    Status load();

    /// Writes all entries to the cache file atomically, creating the folder if needed.
    /// On failure the file on disk is unchanged and the message names it.
    Status save();

    bool contains(const QByteArray &key) const { return m_rowOfKey.contains(key); }

    /// Copies the cached vector of key into row (dimension() values). Returns false and
    /// leaves row untouched when key is not cached.
    bool lookup(const QByteArray &key, float *row) const;

    /// Adds or replaces the vector of key (dimension() values).
    void insert(const QByteArray &key, const float *row);

private:
    Status parse(const QByteArray &contents);

    QString m_directory;
    QString m_identity;
    int m_dimension;
    QHash<QByteArray, qsizetype> m_rowOfKey;
    std::vector<float> m_values; ///< Row-major, m_dimension values per row.
    bool m_modified = false;
};

} // namespace esafh
