#pragma once

#include "common/result.h"

#include <QByteArray>
#include <QStringList>

namespace esafh {

/// Returns, as 40 hexadecimal digits, the SHA-1 of one file (what sha1sum prints),
/// or for several files the SHA-1 of their digests in the given order. A file's digest is kept in memory and reused while its
/// size, inode and modification time stay the same, so that repeated checks of a
/// large weights file cost one stat. Fails with a message naming a file that is
/// missing or unreadable. Safe to call from several threads.
Result<QString> weightsChecksum(const QStringList &files);

} // namespace esafh
