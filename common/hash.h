/*
 * hash.h: the 64-bit hashes eddy uses for grouping, joins, DISTINCT and HyperLogLog.
 *
 *     uint64_t h1 = eddy_hash_bytes(s, n);            // a VARCHAR, an encoded key
 *     uint64_t h2 = eddy_hash_u64((uint64_t)bigint);  // one 8-byte value
 *     uint64_t h  = eddy_hash_combine(h1, h2);        // a key of two columns, hashed per column
 *
 * Which is used where:
 * - eddy_hash_bytes (XXH3_64bits from libxxhash) for byte strings: VARCHAR/VARBINARY values
 *   and the encoded multi-column keys of eddy_hmap (common/hashmap.h).
 * - eddy_hash_u64 for one 8-byte value (BIGINT, TIMESTAMP, DOUBLE's bits, ...): the key of the
 *   eddy_hmap_*_u64 fast path and the input of eddy_hll_add for numeric columns. It is the
 *   finalizer of MurmurHash3 (two multiplies, three xor-shifts): a bijection on 64 bits with full
 *   avalanche, so every bit of the result (the table uses the high bits for the bucket and the
 *   low 32 bits as a tag) depends on every bit of the input. Measured against XXH3_64bits on the
 *   same 8 bytes (bench/bench_hashmap.c, Release, the 2-core VM of ANCHORS.md): 0.9 ns per value
 *   over a column against 2.3 ns through the library call, and in eddy_hmap_upsert_u64 5.7
 *   against 6.6 ns per upsert on 100 keys, 78 against 93 ns on ANCHORS' Q2 shape.
 * - eddy_hash_combine to fold column hashes into one, left to right, when the runtime hashes a
 *   batch column by column. It is not symmetric: combine(a, b) != combine(b, a).
 *
 * One rule for callers: a given table or sketch must always see the same hash for the same key,
 * so pick one scheme per table (an 8-byte key hashed by eddy_hash_u64 in one place and by
 * eddy_hash_bytes in another will not be found).
 *
 * The values are stable across runs and machines of the same endianness (no random seed): state
 * stored in LMDB may keep them. Not for use against adversarial input (hash flooding).
 */
#ifndef EDDY_COMMON_HASH_H
#define EDDY_COMMON_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <xxhash.h>

/* Hash of n bytes at p (p may be NULL when n is 0). */
static inline uint64_t eddy_hash_bytes(const void *p, size_t n)
{
    return XXH3_64bits(p, n);
}

/* Hash of one 64-bit value (a bijection: distinct inputs give distinct hashes). */
static inline uint64_t eddy_hash_u64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

/* Hash of the pair (h1, h2) of hashes; order matters. */
static inline uint64_t eddy_hash_combine(uint64_t h1, uint64_t h2)
{
    return eddy_hash_u64(h1 * 0x9e3779b97f4a7c15ULL + h2);
}

/* out[i] = eddy_hash_u64(in[i]) for a column (a loop the compiler can vectorise); in == out is
 * fine. */
static inline void eddy_hash_u64_array(const uint64_t *in, uint64_t *out, size_t n)
{
    for (size_t i = 0; i < n; i++)
        out[i] = eddy_hash_u64(in[i]);
}

#endif
