/*
 * hashmap.c: eddy_hmap, open addressing with linear probing over 8-byte slots, entries in an
 * insertion-ordered record array (see hashmap.h for the layout and the rules).
 *
 * A slot is (uint64_t)tag | (uint64_t)(id + 1) << 32 where tag is the low 32 bits of the hash;
 * 0 is an empty slot. The home bucket of a hash is hash >> shift (its high bits), so the tag and
 * the bucket use different bits of the hash.
 *
 * A record at recs + id * stride:
 *     0          8         12                 12 + key_cap          stride
 *     [hash u64 ][klen u32][key or key ptr   ][value (value_size)  ][pad to 8]
 * klen == DEAD_KLEN marks a removed entry. A key longer than key_cap lives in the arena and the
 * record holds its pointer (unaligned, read with memcpy).
 */
#include "hashmap.h"

#include "arena.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__linux__) && !defined(HMAP_NO_BIG_MAPS)
#define HMAP_BIG_MAPS 1 /* big arrays as huge-page mappings; -DHMAP_NO_BIG_MAPS: malloc */
#include <sys/mman.h>
#endif

#define KLEN_OFF 8
#define KEY_OFF 12
#define DEAD_KLEN UINT32_MAX
#define MIN_SLOTS 8
#define MAX_IDS (UINT32_MAX - 1) /* ids 0 .. MAX_IDS-1; id + 1 must fit in 32 bits, != 0 */
#ifndef PREFETCH_DIST
#define PREFETCH_DIST 8 /* keys ahead: records at +D, buckets at +2D */
#endif

/* Maximum load of the bucket array, in 1/8ths (6 = 3/4). */
#ifndef HMAP_MAX_LOAD_8THS
#define HMAP_MAX_LOAD_8THS 6
#endif

struct eddy_hmap {
    uint64_t *slots;     /* bucket array, mask + 1 slots */
    size_t mask;         /* bucket count - 1 (a power of two minus one) */
    unsigned shift;      /* 64 - log2(bucket count): home bucket = hash >> shift */
    uint32_t used;       /* live entries = occupied slots */
    uint32_t grow_at;    /* the bucket array doubles before used exceeds this */
    uint32_t end;        /* records handed out, live and dead */
    uint32_t rec_cap;    /* records allocated */
    uint32_t stride;     /* bytes per record, a multiple of 8 */
    uint32_t key_cap;    /* longest key stored inline */
    uint32_t val_off;    /* offset of the value slot in a record */
    uint32_t value_size; /* bytes of a value slot */
    uint8_t *recs;       /* record array, rec_cap * stride bytes */
    eddy_arena *arena;   /* long keys; NULL until the first one */
};

static void fatal(const char *what)
{
    fprintf(stderr, "eddy: hash table: %s\n", what);
    abort();
}

/* ---- big arrays ----
 *
 * An array of BIG_MIN bytes or more gets an anonymous mapping of its own, 2 MiB-aligned and
 * advised to use transparent huge pages; smaller ones come from malloc. Every first touch of a
 * 4 KiB page is a fault, and on the 2-core VM of ANCHORS.md a fault costs ~15 us: building the
 * Q2 table from nothing (bench/bench_hashmap.c) took 139 ns per batched upsert with malloc'ed
 * arrays and 45 ns with these (182 against 65 one call per row); lookups in a table already
 * built measured the same (29 against 30 ns). The record array grows by moving its pages into
 * a bigger aligned mapping with mremap: no copy, and the huge pages survive. Arrays are sized
 * by the caller, which passes the same size to free them. -DHMAP_NO_BIG_MAPS turns this off. */

#define HUGE_PAGE ((size_t)2 << 20)
#define BIG_MIN ((size_t)4 << 20)

static inline bool is_big(size_t n)
{
#ifdef HMAP_BIG_MAPS
    return n >= BIG_MIN;
#else
    (void)n;
    return false;
#endif
}

/* Bytes actually held for an array of n bytes. */
static inline size_t arr_len(size_t n)
{
    return is_big(n) ? (n + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1) : n;
}

#ifdef HMAP_BIG_MAPS
/* A zeroed, HUGE_PAGE-aligned mapping of len bytes (a multiple of HUGE_PAGE). */
static void *map_huge(size_t len)
{
    size_t span = len + HUGE_PAGE;
    uint8_t *raw = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED) fatal("out of memory");
    uint8_t *p = (uint8_t *)(((uintptr_t)raw + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1));
    if (p > raw) munmap(raw, (size_t)(p - raw));
    size_t tail = (size_t)(raw + span - (p + len));
    if (tail) munmap(p + len, tail);
    (void)madvise(p, len, MADV_HUGEPAGE); /* a hint: without THP it is just a mapping */
    return p;
}
#endif

/* n zeroed bytes */
static void *arr_zalloc(size_t n)
{
#ifdef HMAP_BIG_MAPS
    if (is_big(n)) return map_huge(arr_len(n));
#endif
    return eddy_xcalloc(1, n);
}

/* n bytes, contents undefined */
static void *arr_alloc(size_t n)
{
#ifdef HMAP_BIG_MAPS
    if (is_big(n)) return map_huge(arr_len(n));
#endif
    return eddy_xmalloc(n);
}

static void arr_free(void *p, size_t n)
{
    if (!p) return;
#ifdef HMAP_BIG_MAPS
    if (is_big(n)) {
        munmap(p, arr_len(n));
        return;
    }
#endif
    free(p);
}

/* Resizes an array of old_n bytes to new_n, keeping min(old_n, new_n) bytes of contents. */
static void *arr_resize(void *p, size_t old_n, size_t new_n)
{
    if (!is_big(old_n) && !is_big(new_n)) return eddy_xrealloc(p, new_n);
    void *q = arr_alloc(new_n);
#ifdef HMAP_BIG_MAPS
    if (is_big(old_n) && is_big(new_n) && new_n >= old_n &&
        mremap(p, arr_len(old_n), arr_len(old_n), MREMAP_MAYMOVE | MREMAP_FIXED, q) != MAP_FAILED)
        return q; /* the old pages now sit at the start of q, the rest of q is fresh */
#endif
    memcpy(q, p, old_n < new_n ? old_n : new_n);
    arr_free(p, old_n);
    return q;
}

/* ---- records ---- */

static inline uint8_t *rec_at(const eddy_hmap *m, uint32_t id)
{
    return m->recs + (size_t)id * m->stride;
}

static inline uint64_t rec_hash(const uint8_t *r)
{
    uint64_t h;
    memcpy(&h, r, 8);
    return h;
}

static inline uint32_t rec_klen(const uint8_t *r)
{
    uint32_t n;
    memcpy(&n, r + KLEN_OFF, 4);
    return n;
}

static inline const uint8_t *rec_key(const eddy_hmap *m, const uint8_t *r, uint32_t klen)
{
    if (klen <= m->key_cap) return r + KEY_OFF;
    const uint8_t *p;
    memcpy(&p, r + KEY_OFF, sizeof p);
    return p;
}

static inline uint64_t load64(const void *p)
{
    uint64_t x;
    memcpy(&x, p, 8);
    return x;
}

static inline uint32_t load32(const void *p)
{
    uint32_t x;
    memcpy(&x, p, 4);
    return x;
}

/* a == b for n bytes; short keys by overlapping word loads instead of a memcmp call */
static inline bool bytes_eq(const uint8_t *a, const uint8_t *b, size_t n)
{
    if (n >= 8) {
        if (n <= 16) return load64(a) == load64(b) && load64(a + n - 8) == load64(b + n - 8);
        return memcmp(a, b, n) == 0;
    }
    if (n >= 4) return load32(a) == load32(b) && load32(a + n - 4) == load32(b + n - 4);
    for (size_t i = 0; i < n; i++)
        if (a[i] != b[i]) return false;
    return true;
}

static inline bool rec_matches(const eddy_hmap *m, const uint8_t *r, const void *key, size_t klen,
                               uint64_t hash)
{
    return rec_hash(r) == hash && rec_klen(r) == klen &&
           bytes_eq(rec_key(m, r, (uint32_t)klen), key, klen);
}

static inline bool rec_matches_u64(const uint8_t *r, uint64_t k, uint64_t hash)
{
    return rec_hash(r) == hash && rec_klen(r) == 8 && load64(r + KEY_OFF) == k;
}

/* ---- slots ---- */

static inline uint64_t make_slot(uint64_t hash, uint32_t id)
{
    return (uint64_t)(uint32_t)hash | (uint64_t)(id + 1) << 32;
}

static inline uint32_t slot_id(uint64_t s)
{
    return (uint32_t)(s >> 32) - 1;
}

static inline bool slot_tag_is(uint64_t s, uint64_t hash)
{
    return (uint32_t)s == (uint32_t)hash;
}

/* Allocates an empty bucket array of cap slots (a power of two). */
static void slots_alloc(eddy_hmap *m, size_t cap)
{
    unsigned bits = 0;
    while (((size_t)1 << bits) < cap)
        bits++;
    m->slots = arr_zalloc(cap * sizeof *m->slots);
    m->mask = cap - 1;
    m->shift = 64 - bits;
    size_t g = cap / 8 * HMAP_MAX_LOAD_8THS;
    m->grow_at = g > MAX_IDS ? MAX_IDS : (uint32_t)g;
}

/* Bucket count for n entries. */
static size_t slots_for(size_t n)
{
    size_t cap = MIN_SLOTS;
    while (cap / 8 * HMAP_MAX_LOAD_8THS < n)
        cap *= 2;
    return cap;
}

/* Replaces the bucket array by one of cap slots and re-inserts every live record from its
 * stored hash, reading the records in order. */
static void slots_rebuild(eddy_hmap *m, size_t cap)
{
    arr_free(m->slots, (m->mask + 1) * sizeof *m->slots);
    slots_alloc(m, cap);
    uint64_t *slots = m->slots;
    size_t mask = m->mask;
    unsigned shift = m->shift;
    for (uint32_t id = 0; id < m->end; id++) {
        const uint8_t *r = rec_at(m, id);
        if (rec_klen(r) == DEAD_KLEN) continue;
        uint64_t h = rec_hash(r);
        size_t i = (size_t)(h >> shift);
        while (slots[i])
            i = (i + 1) & mask;
        slots[i] = make_slot(h, id);
    }
}

/* The first empty slot on hash's probe path (the key is known to be absent). */
static inline size_t empty_slot(const eddy_hmap *m, uint64_t hash)
{
    size_t i = (size_t)(hash >> m->shift);
    while (m->slots[i])
        i = (i + 1) & m->mask;
    return i;
}

/* Sets the record array's capacity to at least cap records (the whole of a big mapping). */
static void recs_resize(eddy_hmap *m, size_t cap)
{
    size_t old_n = (size_t)m->rec_cap * m->stride;
    size_t n = cap * m->stride;
    size_t fit = arr_len(n) / m->stride; /* a huge mapping's tail is free capacity */
    if (fit > MAX_IDS) fit = MAX_IDS;
    if (fit > cap) {
        cap = fit;
        n = cap * m->stride;
    }
    m->recs = m->recs ? arr_resize(m->recs, old_n, n) : arr_alloc(n);
    m->rec_cap = (uint32_t)cap;
}

/* ---- creation ---- */

eddy_hmap *eddy_hmap_new_ex(size_t value_size, size_t initial_capacity, size_t inline_key)
{
    if (inline_key > 252) inline_key = 252;
    if (value_size > (1u << 30)) fatal("value size too large");
    size_t key_cap = 12;
    while (key_cap < inline_key)
        key_cap += 8; /* 12 + key_cap stays a multiple of 8 */
    eddy_hmap *m = eddy_xcalloc(1, sizeof *m);
    m->key_cap = (uint32_t)key_cap;
    m->val_off = (uint32_t)(KEY_OFF + key_cap);
    m->value_size = (uint32_t)value_size;
    m->stride = (uint32_t)((m->val_off + value_size + 7) & ~(size_t)7);
    if (initial_capacity > MAX_IDS) initial_capacity = MAX_IDS;
    slots_alloc(m, slots_for(initial_capacity));
    recs_resize(m, initial_capacity ? initial_capacity : MIN_SLOTS);
    return m;
}

eddy_hmap *eddy_hmap_new(size_t value_size, size_t initial_capacity)
{
    return eddy_hmap_new_ex(value_size, initial_capacity, EDDY_HMAP_INLINE_KEY);
}

void eddy_hmap_destroy(eddy_hmap *m)
{
    if (!m) return;
    arr_free(m->slots, (m->mask + 1) * sizeof *m->slots);
    arr_free(m->recs, (size_t)m->rec_cap * m->stride);
    eddy_arena_destroy(m->arena);
    free(m);
}

void eddy_hmap_clear(eddy_hmap *m)
{
    size_t cap = m->mask + 1;
    if ((size_t)m->used * 32 < cap) {
        /* Few entries in a big array: empty each live record's run from its home bucket to the
         * first empty slot. The emptied part of a cluster is always a suffix of it, and the
         * record whose home starts the cluster empties the rest, so nothing is missed. */
        for (uint32_t id = 0; id < m->end; id++) {
            const uint8_t *r = rec_at(m, id);
            if (rec_klen(r) == DEAD_KLEN) continue;
            size_t i = (size_t)(rec_hash(r) >> m->shift);
            while (m->slots[i]) {
                m->slots[i] = 0;
                i = (i + 1) & m->mask;
            }
        }
    } else {
        memset(m->slots, 0, cap * sizeof *m->slots);
    }
    m->used = 0;
    m->end = 0;
    if (m->arena) eddy_arena_reset(m->arena);
}

void eddy_hmap_reserve(eddy_hmap *m, size_t n)
{
    if (n > MAX_IDS) n = MAX_IDS;
    if (n > m->grow_at) slots_rebuild(m, slots_for(n));
    if (n > m->rec_cap) recs_resize(m, n);
}

/* ---- insertion ---- */

/* Appends a record for (key, hash) with a zeroed value and returns its id. Inlined so that the
 * u64 path's constant klen turns the copies into plain stores. */
static inline __attribute__((always_inline)) uint32_t rec_append(eddy_hmap *m, const void *key,
                                                                 size_t klen, uint64_t hash)
{
    if (m->end == m->rec_cap) {
        if (m->rec_cap >= MAX_IDS) fatal("more than 2^32 - 2 entries");
        size_t cap = (size_t)m->rec_cap + m->rec_cap / 2 + 8;
        recs_resize(m, cap > MAX_IDS ? MAX_IDS : cap);
    }
    uint32_t id = m->end++;
    uint8_t *r = rec_at(m, id);
    uint32_t n = (uint32_t)klen;
    memcpy(r, &hash, 8);
    memcpy(r + KLEN_OFF, &n, 4);
    if (klen <= m->key_cap) {
        if (klen) memcpy(r + KEY_OFF, key, klen);
    } else {
        if (!m->arena) m->arena = eddy_arena_new(0);
        void *p = eddy_arena_alloc(m->arena, klen);
        memcpy(p, key, klen);
        memcpy(r + KEY_OFF, &p, sizeof p);
    }
    /* zero the value and the record's padding by words: value slots are mostly a few words,
     * and a memset call per insert costs more than the stores */
    for (uint32_t off = m->val_off; off < m->stride; off += 8)
        memset(r + off, 0, 8);
    return id;
}

/* Inserts an absent key whose probe ended at empty slot i; returns its id. */
static inline __attribute__((always_inline)) uint32_t
insert_at(eddy_hmap *m, size_t i, const void *key, size_t klen, uint64_t hash)
{
    if (klen >= DEAD_KLEN) fatal("key longer than 4 GiB");
    if (m->used >= m->grow_at) {
        if (m->used >= MAX_IDS) fatal("more than 2^32 - 2 entries");
        slots_rebuild(m, (m->mask + 1) * 2);
        i = empty_slot(m, hash);
    }
    uint32_t id = rec_append(m, key, klen, hash);
    m->slots[i] = make_slot(hash, id);
    m->used++;
    return id;
}

/* Finds key: returns its id, or UINT32_MAX with *empty the slot where it would go. */
static inline uint32_t lookup(const eddy_hmap *m, const void *key, size_t klen, uint64_t hash,
                              size_t *empty)
{
    size_t mask = m->mask;
    size_t i = (size_t)(hash >> m->shift);
    for (;;) {
        uint64_t s = m->slots[i];
        if (!s) break;
        if (slot_tag_is(s, hash)) {
            uint32_t id = slot_id(s);
            if (rec_matches(m, rec_at(m, id), key, klen, hash)) return id;
        }
        i = (i + 1) & mask;
    }
    *empty = i;
    return UINT32_MAX;
}

static inline uint32_t lookup_u64(const eddy_hmap *m, uint64_t k, uint64_t hash, size_t *empty)
{
    size_t mask = m->mask;
    size_t i = (size_t)(hash >> m->shift);
    for (;;) {
        uint64_t s = m->slots[i];
        if (!s) break;
        if (slot_tag_is(s, hash)) {
            uint32_t id = slot_id(s);
            if (rec_matches_u64(rec_at(m, id), k, hash)) return id;
        }
        i = (i + 1) & mask;
    }
    *empty = i;
    return UINT32_MAX;
}

/* The insert paths, out of line so that the hit path stays small (no callee-saved registers to
 * spill for code that runs once per new key). */
static __attribute__((noinline)) uint32_t insert_bytes(eddy_hmap *m, size_t i, const void *key,
                                                       size_t klen, uint64_t hash)
{
    return insert_at(m, i, key, klen, hash);
}

static __attribute__((noinline)) uint32_t insert_u64(eddy_hmap *m, size_t i, uint64_t k,
                                                     uint64_t hash)
{
    return insert_at(m, i, &k, 8, hash);
}

static inline uint32_t upsert_id(eddy_hmap *m, const void *key, size_t klen, uint64_t hash,
                                 bool *is_new)
{
    size_t i = 0;
    uint32_t id = lookup(m, key, klen, hash, &i);
    *is_new = id == UINT32_MAX;
    if (__builtin_expect(*is_new, 0)) id = insert_bytes(m, i, key, klen, hash);
    return id;
}

static inline uint32_t upsert_u64_id(eddy_hmap *m, uint64_t k, uint64_t hash, bool *is_new)
{
    size_t i = 0;
    uint32_t id = lookup_u64(m, k, hash, &i);
    *is_new = id == UINT32_MAX;
    if (__builtin_expect(*is_new, 0)) id = insert_u64(m, i, k, hash);
    return id;
}

void *eddy_hmap_upsert(eddy_hmap *m, const void *key, size_t klen, uint64_t hash, bool *is_new,
                       uint32_t *id)
{
    bool nw;
    uint32_t x = upsert_id(m, key, klen, hash, &nw);
    if (is_new) *is_new = nw;
    if (id) *id = x;
    return rec_at(m, x) + m->val_off;
}

void *eddy_hmap_upsert_u64(eddy_hmap *m, uint64_t k, uint64_t hash, bool *is_new, uint32_t *id)
{
    bool nw;
    uint32_t x = upsert_u64_id(m, k, hash, &nw);
    if (is_new) *is_new = nw;
    if (id) *id = x;
    return rec_at(m, x) + m->val_off;
}

/* Prefetches the home bucket of hash, for a probe PREFETCH_DIST keys later. */
static inline void prefetch_bucket(const eddy_hmap *m, uint64_t hash)
{
    __builtin_prefetch(&m->slots[hash >> m->shift]);
}

/* Reads the home bucket of hash (prefetched earlier) and prefetches the record it names if its
 * tag matches: the record a hit will read. */
static inline void prefetch_record(const eddy_hmap *m, uint64_t hash)
{
    uint64_t s = m->slots[hash >> m->shift];
    if (s && slot_tag_is(s, hash)) {
        const uint8_t *r = rec_at(m, slot_id(s));
        __builtin_prefetch(r, 1);
        __builtin_prefetch(r + m->stride - 1, 1);
    }
}

void eddy_hmap_upsert_batch(eddy_hmap *m, size_t n, const void *const *keys, const size_t *klens,
                            const uint64_t *hashes, uint32_t *ids_out, uint8_t *is_new_out)
{
    for (size_t j = 0; j < n && j < 2 * PREFETCH_DIST; j++)
        prefetch_bucket(m, hashes[j]);
    for (size_t j = 0; j < n && j < PREFETCH_DIST; j++)
        prefetch_record(m, hashes[j]);
    for (size_t i = 0; i < n; i++) {
        if (i + 2 * PREFETCH_DIST < n) prefetch_bucket(m, hashes[i + 2 * PREFETCH_DIST]);
        if (i + PREFETCH_DIST < n) prefetch_record(m, hashes[i + PREFETCH_DIST]);
        bool nw;
        ids_out[i] = upsert_id(m, keys[i], klens[i], hashes[i], &nw);
        if (is_new_out) is_new_out[i] = nw;
    }
}

void eddy_hmap_upsert_u64_batch(eddy_hmap *m, size_t n, const uint64_t *keys,
                                const uint64_t *hashes, uint32_t *ids_out, uint8_t *is_new_out)
{
    for (size_t j = 0; j < n && j < 2 * PREFETCH_DIST; j++)
        prefetch_bucket(m, hashes[j]);
    for (size_t j = 0; j < n && j < PREFETCH_DIST; j++)
        prefetch_record(m, hashes[j]);
    for (size_t i = 0; i < n; i++) {
        if (i + 2 * PREFETCH_DIST < n) prefetch_bucket(m, hashes[i + 2 * PREFETCH_DIST]);
        if (i + PREFETCH_DIST < n) prefetch_record(m, hashes[i + PREFETCH_DIST]);
        bool nw;
        ids_out[i] = upsert_u64_id(m, keys[i], hashes[i], &nw);
        if (is_new_out) is_new_out[i] = nw;
    }
}

/* ---- lookup ---- */

bool eddy_hmap_find_id(const eddy_hmap *m, const void *key, size_t klen, uint64_t hash,
                       uint32_t *id)
{
    size_t i = 0;
    uint32_t x = lookup(m, key, klen, hash, &i);
    if (x == UINT32_MAX) return false;
    if (id) *id = x;
    return true;
}

void *eddy_hmap_find(const eddy_hmap *m, const void *key, size_t klen, uint64_t hash)
{
    size_t i = 0;
    uint32_t x = lookup(m, key, klen, hash, &i);
    return x == UINT32_MAX ? NULL : rec_at(m, x) + m->val_off;
}

void *eddy_hmap_find_u64(const eddy_hmap *m, uint64_t k, uint64_t hash)
{
    size_t i = 0;
    uint32_t x = lookup_u64(m, k, hash, &i);
    return x == UINT32_MAX ? NULL : rec_at(m, x) + m->val_off;
}

/* ---- removal ---- */

bool eddy_hmap_remove(eddy_hmap *m, const void *key, size_t klen, uint64_t hash)
{
    size_t mask = m->mask;
    size_t i = (size_t)(hash >> m->shift);
    uint32_t id;
    for (;;) {
        uint64_t s = m->slots[i];
        if (!s) return false;
        if (slot_tag_is(s, hash)) {
            id = slot_id(s);
            if (rec_matches(m, rec_at(m, id), key, klen, hash)) break;
        }
        i = (i + 1) & mask;
    }
    /* Backward-shift deletion: walk the rest of the cluster and move back into the hole every
     * entry whose home bucket is not between the hole and its slot, so that no probe path
     * crosses an empty slot. */
    size_t hole = i;
    for (size_t j = (i + 1) & mask;; j = (j + 1) & mask) {
        uint64_t s = m->slots[j];
        if (!s) break;
        size_t home = (size_t)(rec_hash(rec_at(m, slot_id(s))) >> m->shift);
        if (((j - home) & mask) >= ((j - hole) & mask)) {
            m->slots[hole] = s;
            hole = j;
        }
    }
    m->slots[hole] = 0;
    uint32_t dead = DEAD_KLEN;
    memcpy(rec_at(m, id) + KLEN_OFF, &dead, 4);
    m->used--;
    return true;
}

void eddy_hmap_compact(eddy_hmap *m, uint32_t *old_to_new)
{
    eddy_arena *old = m->arena;
    m->arena = NULL;
    uint32_t w = 0;
    for (uint32_t id = 0; id < m->end; id++) {
        uint8_t *r = rec_at(m, id);
        uint32_t klen = rec_klen(r);
        if (klen == DEAD_KLEN) {
            if (old_to_new) old_to_new[id] = UINT32_MAX;
            continue;
        }
        uint8_t *dst = rec_at(m, w);
        if (dst != r) memmove(dst, r, m->stride);
        if (klen > m->key_cap) {
            if (!m->arena) m->arena = eddy_arena_new(0);
            void *p = eddy_arena_alloc(m->arena, klen);
            memcpy(p, rec_key(m, dst, klen), klen);
            memcpy(dst + KEY_OFF, &p, sizeof p);
        }
        if (old_to_new) old_to_new[id] = w;
        w++;
    }
    eddy_arena_destroy(old);
    m->end = w;
    /* right-size both arrays for what is left */
    size_t cap = (size_t)w + w / 2 + 8;
    if (arr_len(cap * m->stride) < arr_len((size_t)m->rec_cap * m->stride)) recs_resize(m, cap);
    size_t slots = slots_for(w);
    slots_rebuild(m, slots < m->mask + 1 ? slots : m->mask + 1);
}

/* ---- access ---- */

uint32_t eddy_hmap_count(const eddy_hmap *m)
{
    return m->used;
}

uint32_t eddy_hmap_end(const eddy_hmap *m)
{
    return m->end;
}

bool eddy_hmap_live(const eddy_hmap *m, uint32_t id)
{
    return id < m->end && rec_klen(rec_at(m, id)) != DEAD_KLEN;
}

void *eddy_hmap_value(const eddy_hmap *m, uint32_t id)
{
    return rec_at(m, id) + m->val_off;
}

void *eddy_hmap_values(const eddy_hmap *m, size_t *stride)
{
    *stride = m->stride;
    return m->recs + m->val_off;
}

const void *eddy_hmap_key(const eddy_hmap *m, uint32_t id, size_t *klen)
{
    const uint8_t *r = rec_at(m, id);
    uint32_t n = rec_klen(r);
    if (n == DEAD_KLEN) {
        *klen = 0;
        return NULL;
    }
    *klen = n;
    return rec_key(m, r, n);
}

uint64_t eddy_hmap_hash(const eddy_hmap *m, uint32_t id)
{
    return rec_hash(rec_at(m, id));
}

size_t eddy_hmap_value_size(const eddy_hmap *m)
{
    return m->value_size;
}

size_t eddy_hmap_memory(const eddy_hmap *m)
{
    return sizeof *m + arr_len((m->mask + 1) * sizeof *m->slots) +
           arr_len((size_t)m->rec_cap * m->stride) + (m->arena ? eddy_arena_used(m->arena) : 0);
}
