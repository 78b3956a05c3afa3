#pragma once

#include "common/result.h"
#include "retrieval/hamming_index.h"

#include <memory>

namespace esafh {

/// Whether this build links FAISS (Debian's libfaiss-dev, found by CMake). Without
/// it the create functions below fail with a message.
bool faissAvailable();

/// FAISS's exhaustive binary index, IndexBinaryFlat: exact, and the reference the
/// product's own exhaustive search is measured against. FAISS pads codes to whole
/// 64-bit words, which leaves every distance unchanged.
Result<std::unique_ptr<HammingIndex>> createFaissFlatIndex(const HashCodes &codes);

/// FAISS's IndexBinaryMultiHash, approximate: `tables` hash tables, each keyed by
/// `tableBits` bits of the code, and a query probes the buckets within `flips` bit
/// flips of its key in each table. Codes in no probed bucket are missed, and of the
/// codes tied at the K-th distance it may keep others than the lowest indices. Fails
/// when tables * tableBits exceeds the padded code length.
Result<std::unique_ptr<HammingIndex>> createFaissMultiHashIndex(const HashCodes &codes, int tables, int tableBits,
                                                                int flips);

/// Sets the number of OpenMP threads FAISS searches with; threads <= 0 restores
/// the default of one per core.
void setFaissThreads(int threads);

} // namespace esafh
