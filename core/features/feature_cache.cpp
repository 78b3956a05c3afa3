#include "features/feature_cache.h"

#include <QCryptographicHash>
#include <QDataStream>
#include <QDir>
#include <QFile>
#include <QSaveFile>
#include <QtEndian>

#include <cstring>
#include <utility>

namespace esafh {

namespace {

const QByteArray kMagic = QByteArrayLiteral("ESAFHFTC");
constexpr quint32 kFormatVersion = 1;
constexpr int kChecksumLength = 20; // SHA-1

// Magic, format version, identity length, dimension and entry count. The identity
// bytes follow the length.
constexpr qsizetype kFixedHeaderLength = 8 + 4 + 4 + 4 + 8;

QByteArray checksumOf(const char *data, qsizetype length)
{
    return QCryptographicHash::hash(QByteArrayView(data, length), QCryptographicHash::Sha1);
}

} // namespace

FeatureCache::FeatureCache(QString directory, QString extractorIdentity, int dimension)
    : m_directory(std::move(directory)), m_identity(std::move(extractorIdentity)), m_dimension(dimension)
{
    Q_ASSERT(dimension > 0);
}

QByteArray FeatureCache::contentKey(const QByteArray &fileBytes)
{
    return QCryptographicHash::hash(fileBytes, QCryptographicHash::Sha1);
}

QString FeatureCache::fileNameFor(const QString &extractorIdentity)
{
    const QByteArray hash = QCryptographicHash::hash(extractorIdentity.toUtf8(), QCryptographicHash::Sha1);
    return QStringLiteral("image-features-%1.cache").arg(QString::fromLatin1(hash.toHex().left(16)));
}

QString FeatureCache::filePath() const
{
    return QDir(m_directory).filePath(fileNameFor(m_identity));
}

bool FeatureCache::lookup(const QByteArray &key, float *row) const
{
    const auto found = m_rowOfKey.constFind(key);
    if (found == m_rowOfKey.constEnd())
        return false;
    std::memcpy(row, m_values.data() + found.value() * m_dimension, sizeof(float) * static_cast<size_t>(m_dimension));
    return true;
}

void FeatureCache::insert(const QByteArray &key, const float *row)
{
    Q_ASSERT(key.size() == kKeyLength);

    auto found = m_rowOfKey.find(key);
    if (found == m_rowOfKey.end()) {
        found = m_rowOfKey.insert(key, static_cast<qsizetype>(m_values.size()) / m_dimension);
        m_values.resize(m_values.size() + static_cast<size_t>(m_dimension));
    }
    std::memcpy(m_values.data() + found.value() * m_dimension, row, sizeof(float) * static_cast<size_t>(m_dimension));
    m_modified = true;
}

Status FeatureCache::load()
{
    m_rowOfKey.clear();
    m_values.clear();
    m_modified = false;

    QFile file(filePath());
    if (!file.exists())
        return Status::success();
    if (!file.open(QIODevice::ReadOnly))
        return Status::failure(QStringLiteral("Failed to open feature cache %1: %2").arg(file.fileName(), file.errorString()));

    const Status parsed = parse(file.readAll());
    if (!parsed) {
        m_rowOfKey.clear();
        m_values.clear();
    }
    return parsed;
}

Status FeatureCache::parse(const QByteArray &contents)
{
    const QString path = filePath();
    const auto fail = [&path](const QString &problem) {
        return Status::failure(QStringLiteral("Feature cache %1 is invalid: %2.").arg(path, problem));
    };

    if (!contents.startsWith(kMagic))
        return fail(QStringLiteral("it is not an esafh feature cache file"));
    if (contents.size() < kFixedHeaderLength + kChecksumLength)
        return fail(QStringLiteral("the file is truncated"));

    const qsizetype bodyLength = contents.size() - kChecksumLength;
    if (checksumOf(contents.constData(), bodyLength) != contents.mid(bodyLength))
        return fail(QStringLiteral("the checksum does not match, so the file is damaged"));

    QDataStream stream(contents.left(bodyLength));
    stream.setByteOrder(QDataStream::LittleEndian);
    stream.skipRawData(static_cast<int>(kMagic.size()));

    quint32 version = 0, identityLength = 0, dimension = 0;
    stream >> version >> identityLength;
    if (version != kFormatVersion)
        return fail(QStringLiteral("format version %1, expected %2").arg(version).arg(kFormatVersion));
    const qsizetype headerLength = kFixedHeaderLength + static_cast<qsizetype>(identityLength);
    if (identityLength > static_cast<quint64>(bodyLength) || headerLength > bodyLength)
        return fail(QStringLiteral("the identity length %1 exceeds the file size").arg(identityLength));

    QByteArray identity(static_cast<qsizetype>(identityLength), Qt::Uninitialized);
    stream.readRawData(identity.data(), static_cast<int>(identityLength));
    if (QString::fromUtf8(identity) != m_identity) {
        return fail(QStringLiteral("it was written by extractor \"%1\", expected \"%2\"")
                        .arg(QString::fromUtf8(identity), m_identity));
    }

    quint64 entryCount = 0;
    stream >> dimension >> entryCount;
    if (dimension != static_cast<quint32>(m_dimension))
        return fail(QStringLiteral("dimension %1, expected %2").arg(dimension).arg(m_dimension));

    const quint64 payloadLength = static_cast<quint64>(bodyLength - headerLength);
    const quint64 entryLength = kKeyLength + sizeof(float) * static_cast<quint64>(m_dimension);
    if (stream.status() != QDataStream::Ok || entryCount != payloadLength / entryLength
        || payloadLength % entryLength != 0) {
        return fail(QStringLiteral("the header lists %1 entries, which does not match the file size").arg(entryCount));
    }

    m_values.resize(static_cast<size_t>(entryCount) * static_cast<size_t>(m_dimension));
    m_rowOfKey.reserve(static_cast<qsizetype>(entryCount));
    const char *entry = contents.constData() + headerLength;
    for (quint64 row = 0; row < entryCount; ++row, entry += entryLength) {
        const QByteArray key(entry, kKeyLength);
        if (m_rowOfKey.contains(key))
            return fail(QStringLiteral("content key %1 appears twice").arg(QString::fromLatin1(key.toHex())));
        m_rowOfKey.insert(key, static_cast<qsizetype>(row));
        qFromLittleEndian<float>(entry + kKeyLength, m_dimension, m_values.data() + row * static_cast<quint64>(m_dimension));
    }
    return Status::success();
}

Status FeatureCache::save()
{
    const QString path = filePath();
    if (!QDir().mkpath(m_directory))
        return Status::failure(QStringLiteral("Failed to create the feature cache folder %1.").arg(m_directory));

    const QByteArray identity = m_identity.toUtf8();
    QByteArray contents;
    {
        QDataStream stream(&contents, QIODevice::WriteOnly);
        stream.setByteOrder(QDataStream::LittleEndian);
        stream.writeRawData(kMagic.constData(), static_cast<int>(kMagic.size()));
        stream << kFormatVersion << static_cast<quint32>(identity.size());
        stream.writeRawData(identity.constData(), static_cast<int>(identity.size()));
        stream << static_cast<quint32>(m_dimension) << static_cast<quint64>(m_rowOfKey.size());
    }

    // Rows go out in storage order, so a reloaded cache has the same row indices.
    std::vector<QByteArray> keyOfRow(m_rowOfKey.size());
    for (auto it = m_rowOfKey.constBegin(); it != m_rowOfKey.constEnd(); ++it)
        keyOfRow[static_cast<size_t>(it.value())] = it.key();

    const qsizetype rowBytes = static_cast<qsizetype>(sizeof(float)) * m_dimension;
    QByteArray row(rowBytes, Qt::Uninitialized);
    for (size_t index = 0; index < keyOfRow.size(); ++index) {
        contents.append(keyOfRow[index]);
        qToLittleEndian<float>(m_values.data() + index * static_cast<size_t>(m_dimension), m_dimension, row.data());
        contents.append(row);
    }
    contents.append(checksumOf(contents.constData(), contents.size()));

    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return Status::failure(QStringLiteral("Failed to write feature cache %1: %2").arg(path, file.errorString()));
    file.write(contents);
    if (!file.commit())
        return Status::failure(QStringLiteral("Failed to write feature cache %1: %2").arg(path, file.errorString()));

    m_modified = false;
    return Status::success();
}

} // namespace esafh
