/*
 * hashmap.h: eddy_hmap, an open-addressing hash table from byte-string keys to fixed-size value
 * slots, for grouped aggregation (a group's encoded key -> its accumulator row), and eddy_hset,
 * the same table with no value, for DISTINCT.
 *
 *     eddy_hmap *m = eddy_hmap_new(sizeof(int64_t), 0);
 *     bool is_new;
 *     uint32_t id;
 *     int64_t *cnt = eddy_hmap_upsert_u64(m, user_id, eddy_hash_u64(user_id), &is_new, &id);
 *     (*cnt)++;                                   // a new value slot starts zeroed
 *     ...
 *     for (uint32_t i = 0; i < eddy_hmap_end(m); i++) {      // insertion order
 *         if (!eddy_hmap_live(m, i)) continue;                // only after removes
 *         size_t klen;
 *         const void *k = eddy_hmap_key(m, i, &klen);
 *         const int64_t *v = eddy_hmap_value(m, i);
 *         ...
 *     }
 *     eddy_hmap_destroy(m);
 *
 * The caller hashes (common/hash.h) and passes the hash, so that a batch can hash a whole column
 * first and then probe (eddy_hmap_upsert_batch). The same key must always come with the same
 * hash. The table uses the hash's high bits for the bucket and its low 32 bits as a tag, so it
 * must be well mixed: use eddy_hash_bytes / eddy_hash_u64 / eddy_hash_combine.
 *
 * Layout (why it is fast):
 * - Entries ("records") live in one growable array in insertion order and are named by a dense
 *   uint32 id (0, 1, 2, ...). A record is [64-bit hash][32-bit key length][key bytes inline, or
 *   a pointer to them in the map's arena][value slot]: the key check and the value update of a
 *   hit touch the same cache line (or two adjacent ones).
 * - The bucket array holds 8-byte slots {32-bit hash tag, id + 1} (0 = empty), linear probing,
 *   power-of-two capacity, at most 3/4 full. A lookup reads one slot cache line and, if the tag
 *   matches, one record: two cache misses for a table bigger than the cache, and a key compare
 *   only on a tag match (a false tag match is a 2^-32 event). Measured with
 *   bench/bench_hashmap.c on the Q2 shape: 7/8 builds a table from nothing ~10% faster (a
 *   smaller bucket array: fewer page faults) but probes ~10% slower once built (33 against
 *   30 ns per batched upsert); 1/2 gives the same bucket count as 3/4 at the sizes measured.
 * - Growth doubles the bucket array and re-inserts from the hashes stored in the records, which
 *   it reads in order; keys are never hashed again. The record array grows by half.
 * - Arrays of 4 MiB or more are mappings of their own with transparent huge pages (see
 *   hashmap.c): on the 2-core VM of ANCHORS.md, where a 4 KiB page fault costs ~15 us, that
 *   makes building the Q2 table three times faster (lookups in a built table: the same).
 * - The batch calls prefetch buckets 16 keys ahead and records 8 keys ahead: 30 against 46 ns
 *   per upsert at the Q2 shape (steady state); distances 4 to 32 measure the same.
 * - Keys of up to EDDY_HMAP_INLINE_KEY (20) bytes are stored in the record (one BIGINT, two
 *   BIGINTs, BIGINT + INT, ...); longer keys are copied into the map's arena. A table whose
 *   keys are one BIGINT should be made with eddy_hmap_new_ex(value_size, n, 8): records of 24
 *   bytes + the value, so an 8-byte value gives 32-byte records that never straddle a cache
 *   line; at the Q2 shape 27 against 29 ns per batched upsert, 40 against 47 when built from
 *   nothing.
 *
 * Speed (bench/bench_hashmap.c, Release, 2-core VM, thread CPU time): Q2's shape (5 M upserts of
 * 1.58 M BIGINT keys) 34 M upserts/s batched into a reused table, 21 M/s batched into a new
 * one, 13 M/s one call per row; 100 keys (all in L1) 150-190 M/s; 1 M 16-byte keys 12 M/s
 * batched. A runtime that keeps its slice tables and clears them (eddy_hmap_clear keeps the
 * memory) gets the reused numbers.
 *
 * Rules:
 * - A value slot is value_size bytes, 8-byte aligned, zeroed when its key is inserted.
 *   value_size 0 is allowed (that is eddy_hset).
 * - Pointers returned by upsert/find/value/values/key are valid until the next call that may
 *   insert (upsert*, upsert_batch*) or reserve/compact/clear/destroy. Ids stay valid until clear
 *   or compact. Long keys never move until then.
 * - eddy_hmap_remove takes a key out (backward-shift deletion: no tombstones in the buckets).
 *   Its record stays as a dead hole so that the other ids do not move; eddy_hmap_live says which
 *   ids are holes and eddy_hmap_compact squeezes them out (ids change; the caller gets the
 *   mapping). Without removes, ids are exactly 0 .. count-1.
 * - At most 2^32 - 2 records (live or dead) per table; beyond is fatal, like running out of
 *   memory (abort with a message, as common/arena.h's allocators do).
 * - Not thread-safe: one table belongs to one thread at a time.
 *
 * COUNT(DISTINCT x) per group: rather than one eddy_hset per group, one set keyed by
 * (group id, x) per slice is far smaller and faster; when the pair is new, the group's count
 * goes up by one.
 */
#ifndef EDDY_COMMON_HASHMAP_H
#define EDDY_COMMON_HASHMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EDDY_HMAP_INLINE_KEY 20 /* default longest key stored inside the record */

typedef struct eddy_hmap eddy_hmap;

/* A new empty table whose values are value_size bytes, with room for initial_capacity entries
 * before it first grows (0 = a small default). */
eddy_hmap *eddy_hmap_new(size_t value_size, size_t initial_capacity);
/* The same with keys of up to inline_key bytes stored in the record (rounded up to 12, 20, 28,
 * ...; at most 252). */
eddy_hmap *eddy_hmap_new_ex(size_t value_size, size_t initial_capacity, size_t inline_key);
/* Frees the table, its records and its keys. NULL is fine. */
void eddy_hmap_destroy(eddy_hmap *m);
/* Empties the table, keeping the bucket and record arrays for reuse (the arena of long keys
 * keeps its first chunk). Cheap for a big table holding few entries. */
void eddy_hmap_clear(eddy_hmap *m);

/* Makes room so that neither the buckets nor the records grow before the table holds n entries
 * (ids of removed entries count until compact): for a table that will get about as many groups
 * as the previous one. Never shrinks. */
void eddy_hmap_reserve(eddy_hmap *m, size_t n);

/* Finds key (klen bytes; key may be NULL when klen is 0) or inserts it with a zeroed value.
 * Returns the value slot; *is_new tells whether it was inserted and *id (either may be NULL)
 * gets the entry's id. */
void *eddy_hmap_upsert(eddy_hmap *m, const void *key, size_t klen, uint64_t hash, bool *is_new,
                       uint32_t *id);
/* The value slot of key, or NULL. */
void *eddy_hmap_find(const eddy_hmap *m, const void *key, size_t klen, uint64_t hash);
/* As eddy_hmap_find, giving the id instead: returns true and sets *id when key is present. */
bool eddy_hmap_find_id(const eddy_hmap *m, const void *key, size_t klen, uint64_t hash,
                       uint32_t *id);

/* The fast path for 8-byte keys (one BIGINT): the key is the 8 bytes of k in host order, the
 * same entry as eddy_hmap_upsert(m, &k, 8, hash, ...) would give. */
void *eddy_hmap_upsert_u64(eddy_hmap *m, uint64_t k, uint64_t hash, bool *is_new, uint32_t *id);
void *eddy_hmap_find_u64(const eddy_hmap *m, uint64_t k, uint64_t hash);

/* Upserts n keys: ids_out[i] gets the id of keys[i] (klens[i] bytes, hashes[i]) and, if
 * is_new_out is not NULL, is_new_out[i] 1 when this call inserted it (a key repeated within the
 * batch is new only at its first position). Buckets and records are prefetched a few keys
 * ahead, which hides most cache misses of a big table. Values are then reached through
 * eddy_hmap_value(m, ids_out[i]). */
void eddy_hmap_upsert_batch(eddy_hmap *m, size_t n, const void *const *keys, const size_t *klens,
                            const uint64_t *hashes, uint32_t *ids_out, uint8_t *is_new_out);
/* The same for 8-byte keys (a BIGINT column). */
void eddy_hmap_upsert_u64_batch(eddy_hmap *m, size_t n, const uint64_t *keys,
                                const uint64_t *hashes, uint32_t *ids_out, uint8_t *is_new_out);

/* Removes key; returns whether it was there. Its id becomes a dead hole (see the rules). */
bool eddy_hmap_remove(eddy_hmap *m, const void *key, size_t klen, uint64_t hash);

/* Number of live entries. */
uint32_t eddy_hmap_count(const eddy_hmap *m);
/* One past the highest id handed out since the last clear/compact (== count without removes). */
uint32_t eddy_hmap_end(const eddy_hmap *m);
/* Whether id (< eddy_hmap_end) is a live entry rather than a removed one. */
bool eddy_hmap_live(const eddy_hmap *m, uint32_t id);
/* The value slot / key of entry id (id < eddy_hmap_end). *klen may not be NULL. The key of a
 * removed entry is reported as NULL with length 0. */
void *eddy_hmap_value(const eddy_hmap *m, uint32_t id);
const void *eddy_hmap_key(const eddy_hmap *m, uint32_t id, size_t *klen);
/* The value slots as a strided array, for loops over ids without a call per row: the value of
 * id is (char *)base + id * *stride. Valid until the next insert, clear or compact. */
void *eddy_hmap_values(const eddy_hmap *m, size_t *stride);
/* The stored hash of entry id. */
uint64_t eddy_hmap_hash(const eddy_hmap *m, uint32_t id);
/* The value size given to eddy_hmap_new. */
size_t eddy_hmap_value_size(const eddy_hmap *m);

/* Drops the holes left by removes: live entries keep their order and get ids 0 .. count-1.
 * If old_to_new is not NULL it must have eddy_hmap_end() (before the call) elements and gets
 * each old id's new id, or UINT32_MAX for a removed one. Long keys are copied into a fresh
 * arena, so the memory of removed keys comes back. */
void eddy_hmap_compact(eddy_hmap *m, uint32_t *old_to_new);

/* Bytes of memory the table holds: the table struct, the bucket array, the record array (all
 * of its capacity: records hold the values and short keys) and the long keys' arena (bytes
 * handed out). For the runtime's memory budget. */
size_t eddy_hmap_memory(const eddy_hmap *m);

/* ---- eddy_hset: a set of byte strings, the same table with value_size 0 ---- */

typedef eddy_hmap eddy_hset;

static inline eddy_hset *eddy_hset_new(size_t initial_capacity)
{
    return eddy_hmap_new(0, initial_capacity);
}
static inline void eddy_hset_destroy(eddy_hset *s)
{
    eddy_hmap_destroy(s);
}
static inline void eddy_hset_clear(eddy_hset *s)
{
    eddy_hmap_clear(s);
}
/* Adds key; returns true when it was not there before. *id may be NULL. */
static inline bool eddy_hset_add(eddy_hset *s, const void *key, size_t klen, uint64_t hash,
                                 uint32_t *id)
{
    bool is_new;
    eddy_hmap_upsert(s, key, klen, hash, &is_new, id);
    return is_new;
}
static inline bool eddy_hset_add_u64(eddy_hset *s, uint64_t k, uint64_t hash)
{
    bool is_new;
    eddy_hmap_upsert_u64(s, k, hash, &is_new, NULL);
    return is_new;
}
static inline bool eddy_hset_contains(const eddy_hset *s, const void *key, size_t klen,
                                      uint64_t hash)
{
    return eddy_hmap_find(s, key, klen, hash) != NULL;
}
static inline bool eddy_hset_remove(eddy_hset *s, const void *key, size_t klen, uint64_t hash)
{
    return eddy_hmap_remove(s, key, klen, hash);
}
static inline uint32_t eddy_hset_count(const eddy_hset *s)
{
    return eddy_hmap_count(s);
}
static inline size_t eddy_hset_memory(const eddy_hset *s)
{
    return eddy_hmap_memory(s);
}

#endif
