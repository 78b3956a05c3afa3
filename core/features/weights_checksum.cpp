#include "features/weights_checksum.h"

#include <QCryptographicHash>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QMutex>

#include <sys/stat.h>

namespace esafh {

namespace {

// The size, inode and modification time that identify one version of a file
// without reading it. The modification time has nanosecond resolution, so
// rewriting a file of the same size is noticed.
struct FileStamp
{
    qint64 size = -1;
    quint64 inode = 0;
    qint64 modifiedSeconds = 0;
    qint64 modifiedNanoseconds = 0;

    bool operator==(const FileStamp &other) const
    {
        return size == other.size && inode == other.inode && modifiedSeconds == other.modifiedSeconds
               && modifiedNanoseconds == other.modifiedNanoseconds;
    }
};

struct KnownDigest
{
    FileStamp stamp;
    QByteArray digest; ///< Raw SHA-1 of the file alone.
};

bool readStamp(const QString &path, FileStamp *stamp)
{
    struct stat status {};
    if (::stat(QFile::encodeName(path).constData(), &status) != 0 || !S_ISREG(status.st_mode))
        return false;
    stamp->size = static_cast<qint64>(status.st_size);
    stamp->inode = static_cast<quint64>(status.st_ino);
    stamp->modifiedSeconds = static_cast<qint64>(status.st_mtim.tv_sec);
    stamp->modifiedNanoseconds = static_cast<qint64>(status.st_mtim.tv_nsec);
    return true;
}

Result<QByteArray> fileDigest(const QString &path)
{
    static QMutex mutex;
    static QHash<QString, KnownDigest> known;

    FileStamp stamp;
    if (!readStamp(path, &stamp))
        return Result<QByteArray>::failure(QStringLiteral("Weights file not found: %1").arg(path));
    {
        QMutexLocker lock(&mutex);
        const auto found = known.constFind(path);
        if (found != known.constEnd() && found->stamp == stamp)
            return found->digest;
    }

    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Result<QByteArray>::failure(QStringLiteral("Failed to read weights file %1: %2").arg(path, file.errorString()));
    QCryptographicHash hash(QCryptographicHash::Sha1);
    if (!hash.addData(&file))
        return Result<QByteArray>::failure(QStringLiteral("Failed to read weights file %1: %2").arg(path, file.errorString()));

    const QByteArray digest = hash.result();
    QMutexLocker lock(&mutex);
    known.insert(path, KnownDigest{stamp, digest});
    return digest;
}

} // namespace

Result<QString> weightsChecksum(const QStringList &files)
{
    // One file hashes to its own SHA-1, so the checksum can be compared with
    // sha1sum's output. Several files hash to the SHA-1 of their digests in order.
    QCryptographicHash combined(QCryptographicHash::Sha1);
    QByteArray single;
    for (const QString &path : files) {
        Result<QByteArray> digest = fileDigest(QFileInfo(path).absoluteFilePath());
        if (!digest)
            return Result<QString>::failure(digest.error());
        combined.addData(digest.value());
        single = digest.value();
    }
    const QByteArray result = files.size() == 1 ? single : combined.result();
    return QString::fromLatin1(result.toHex());
}

} // namespace esafh
