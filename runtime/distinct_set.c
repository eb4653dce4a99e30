/*
 * distinct_set.c: eddy_dset (see distinct_set.h): one allocation per set, keys then masks.
 */
#include "distinct_set.h"

#include <stdlib.h>
#include <string.h>

#include "../common/arena.h"
#include "../common/hash.h"

struct eddy_dset {
    uint32_t cap;       /* slots, a power of two */
    uint32_t n;         /* values */
    uint8_t wide;       /* keys are 8 bytes (else 4) */
    uint8_t mb;         /* bytes per mask; 0: half a byte (up to 4 aggregates) */
    uint8_t pad[6];
    /* then cap keys, then cap masks */
};

#define MIN_CAP 4

static inline char *keys(const eddy_dset *s)
{
    return (char *)(s + 1);
}

static inline char *masks(const eddy_dset *s)
{
    return keys(s) + (size_t)s->cap * (s->wide ? 8u : 4u);
}

static inline size_t bytes_for(uint32_t cap, bool wide, int mb)
{
    size_t m = mb ? (size_t)cap * (size_t)mb : ((size_t)cap + 1) / 2;
    return sizeof(eddy_dset) + (size_t)cap * (wide ? 8u : 4u) + m;
}

static inline uint64_t mask_get(const char *m, int mb, uint32_t i)
{
    switch (mb) {
    case 0: return ((uint8_t)m[i >> 1] >> ((i & 1) * 4)) & 15;
    case 1: return (uint8_t)m[i];
    case 2: {
        uint16_t v;
        memcpy(&v, m + (size_t)i * 2, 2);
        return v;
    }
    case 4: {
        uint32_t v;
        memcpy(&v, m + (size_t)i * 4, 4);
        return v;
    }
    default: {
        uint64_t v;
        memcpy(&v, m + (size_t)i * 8, 8);
        return v;
    }
    }
}

static inline void mask_set(char *m, int mb, uint32_t i, uint64_t v)
{
    switch (mb) {
    case 0: {
        unsigned sh = (i & 1) * 4;
        uint8_t b = (uint8_t)m[i >> 1];
        m[i >> 1] = (char)(uint8_t)((b & ~(15u << sh)) | ((unsigned)(v & 15) << sh));
        break;
    }
    case 1: m[i] = (char)(uint8_t)v; break;
    case 2: {
        uint16_t x = (uint16_t)v;
        memcpy(m + (size_t)i * 2, &x, 2);
        break;
    }
    case 4: {
        uint32_t x = (uint32_t)v;
        memcpy(m + (size_t)i * 4, &x, 4);
        break;
    }
    default: memcpy(m + (size_t)i * 8, &v, 8); break;
    }
}

static inline uint64_t key_get(const eddy_dset *s, uint32_t i)
{
    if (s->wide) {
        uint64_t v;
        memcpy(&v, keys(s) + (size_t)i * 8, 8);
        return v;
    }
    uint32_t v;
    memcpy(&v, keys(s) + (size_t)i * 4, 4);
    return v;
}

static inline void key_set(eddy_dset *s, uint32_t i, uint64_t v)
{
    if (s->wide) {
        memcpy(keys(s) + (size_t)i * 8, &v, 8);
    } else {
        uint32_t x = (uint32_t)v;
        memcpy(keys(s) + (size_t)i * 4, &x, 4);
    }
}

static eddy_dset *alloc_set(uint32_t cap, bool wide, int mb, int64_t *heap)
{
    size_t sz = bytes_for(cap, wide, mb);
    eddy_dset *s = eddy_xcalloc(1, sz);
    s->cap = cap;
    s->wide = wide;
    s->mb = (uint8_t)mb;
    *heap += (int64_t)sz;
    return s;
}

/* Finds v's slot: the slot holding it, or the empty slot where it goes. */
static inline uint32_t probe(const eddy_dset *s, uint64_t v, bool *found)
{
    uint32_t i = (uint32_t)(((eddy_hash_u64(v) >> 32) * (uint64_t)s->cap) >> 32);
    const char *mk = masks(s);
    for (;;) {
        if (mask_get(mk, s->mb, i) == 0) {
            *found = false;
            return i;
        }
        if (key_get(s, i) == v) {
            *found = true;
            return i;
        }
        if (++i == s->cap) i = 0;
    }
}

/* A copy of s with cap slots and the given key width; frees s. */
static eddy_dset *rebuild(eddy_dset *s, uint32_t cap, bool wide, int64_t *heap)
{
    eddy_dset *t = alloc_set(cap, wide, s->mb, heap);
    const char *mk = masks(s);
    for (uint32_t i = 0; i < s->cap; i++) {
        uint64_t mask = mask_get(mk, s->mb, i);
        if (!mask) continue;
        uint64_t v = key_get(s, i);
        bool found;
        uint32_t j = probe(t, v, &found);
        key_set(t, j, v);
        mask_set(masks(t), t->mb, j, mask);
    }
    t->n = s->n;
    eddy_dset_free(s, heap);
    return t;
}

uint64_t eddy_dset_add(eddy_dset **sp, int mask_bytes, uint64_t v, uint64_t bits, int64_t *heap)
{
    eddy_dset *s = *sp;
    if (!s) s = *sp = alloc_set(MIN_CAP, v > UINT32_MAX, mask_bytes, heap);
    if (!s->wide && v > UINT32_MAX) s = *sp = rebuild(s, s->cap, true, heap);
    bool found;
    uint32_t i = probe(s, v, &found);
    if (found) {
        uint64_t old = mask_get(masks(s), s->mb, i);
        uint64_t fresh = bits & ~old;
        if (fresh) mask_set(masks(s), s->mb, i, old | fresh);
        return fresh;
    }
    if ((uint64_t)(s->n + 1) * 8 > (uint64_t)s->cap * 7) {
        s = *sp = rebuild(s, s->cap + (s->cap >> 1), s->wide, heap);
        i = probe(s, v, &found);
    }
    key_set(s, i, v);
    mask_set(masks(s), s->mb, i, bits);
    s->n++;
    return bits;
}

uint32_t eddy_dset_capacity(const eddy_dset *s)
{
    return s ? s->cap : 0;
}

bool eddy_dset_slot(const eddy_dset *s, uint32_t i, uint64_t *v, uint64_t *mask)
{
    uint64_t m = mask_get(masks(s), s->mb, i);
    if (!m) return false;
    *v = key_get(s, i);
    *mask = m;
    return true;
}

uint32_t eddy_dset_count(const eddy_dset *s)
{
    return s ? s->n : 0;
}

size_t eddy_dset_memory(const eddy_dset *s)
{
    return s ? bytes_for(s->cap, s->wide, s->mb) : 0;
}

void eddy_dset_free(eddy_dset *s, int64_t *heap)
{
    if (!s) return;
    *heap -= (int64_t)eddy_dset_memory(s);
    free(s);
}

/* Encoding: u32 count, then count x (u64 value, u64 mask), little-endian as the machine. */
void eddy_dset_encode(const eddy_dset *s, eddy_strbuf *buf)
{
    uint32_t n = eddy_dset_count(s);
    eddy_strbuf_append(buf, (const char *)&n, 4);
    for (uint32_t i = 0; i < eddy_dset_capacity(s); i++) {
        uint64_t v, m;
        if (!eddy_dset_slot(s, i, &v, &m)) continue;
        eddy_strbuf_append(buf, (const char *)&v, 8);
        eddy_strbuf_append(buf, (const char *)&m, 8);
    }
}

int64_t eddy_dset_decode(eddy_dset **s, int mask_bytes, const void *data, size_t len,
                         int64_t *heap)
{
    const char *p = data;
    uint32_t n;
    if (len < 4) return -1;
    memcpy(&n, p, 4);
    if ((len - 4) / 16 < n) return -1;
    for (uint32_t k = 0; k < n; k++) {
        uint64_t v, m;
        memcpy(&v, p + 4 + (size_t)k * 16, 8);
        memcpy(&m, p + 12 + (size_t)k * 16, 8);
        if (!m) return -1;
        eddy_dset_add(s, mask_bytes, v, m, heap);
    }
    return 4 + (int64_t)n * 16;
}
