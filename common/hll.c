/*
 * hll.c: HyperLogLog with a sparse start (see hll.h for the representation and the estimator).
 *
 * A sparse entry is idx << 6 | rank: idx the top 25 bits of the hash, rank (1..40) one plus the
 * leading zeros of the remaining 39 bits. Entries sit in an open-addressing set keyed by idx
 * (linear probing on idx's low bits, 0 = empty slot, at most 7/8 full) that keeps the highest
 * rank per idx. Going dense, or merging a finer sketch into a coarser one, "folds" an
 * (index, rank) pair of precision pa into precision pb <= pa: the index loses its low d = pa - pb
 * bits; if those bits are not all zero they hold the first 1-bit and set the rank, otherwise
 * the rank grows by d. The result is exactly what adding the original hash at precision pb
 * would have given, which is why merges are exact.
 *
 * Serialized form (all sketches), version 1:
 *     byte 0  version (1)
 *     byte 1  precision p
 *     byte 2  kind: 0 empty, 1 sparse, 2 dense
 *     sparse: minimal LEB128 count n >= 1, then n minimal LEB128 deltas of the entries in
 *             increasing order (the first from 0); idx strictly increasing, ranks 1..40, n
 *             within the sparse limit.
 *     dense:  2^p register bytes, each at most 64 - p + 1.
 */
#include "hll.h"

#include "arena.h"
#include "error.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SP 25            /* precision of sparse entries */
#define SP_Q (64 - SP)   /* hash bits left for the rank when sparse */
#define SPARSE_MIN_P 8   /* smaller sketches are dense from the start */
#define SPARSE_MIN_CAP 8 /* first allocation of the entry set */
#define FORMAT_VERSION 1

enum { KIND_EMPTY = 0, KIND_SPARSE = 1, KIND_DENSE = 2 };

static inline int prec(const eddy_hll *h)
{
    return h->p ? h->p : EDDY_HLL_DEFAULT_P;
}

/* Entries a set of cap slots may hold: 7/8 (the set is small and in cache, so long probes are
 * cheap, and memory per small sketch is what counts: bench_hashmap's 100 k sketches of ~100
 * values take 59 MB instead of 86 MB at 3/4). */
static inline uint32_t set_limit(uint32_t cap)
{
    return cap / 8 * 7;
}

/* Slots of the largest entry set: as many bytes as the registers. */
static inline uint32_t sparse_cap_max(int p)
{
    return (uint32_t)1 << (p - 2);
}

static inline uint32_t sparse_max_n(int p)
{
    return set_limit(sparse_cap_max(p));
}

static inline uint32_t sparse_entry(uint64_t x)
{
    uint32_t idx = (uint32_t)(x >> SP_Q);
    uint32_t rank = (uint32_t)__builtin_clzll((x << SP) | (1ULL << (SP - 1))) + 1;
    return idx << 6 | rank;
}

/* (ia, r) at precision pa -> (*ib, *rb) at precision pb <= pa. */
static inline void fold(uint32_t ia, unsigned r, int pa, int pb, uint32_t *ib, unsigned *rb)
{
    int d = pa - pb;
    uint32_t low = ia & (((uint32_t)1 << d) - 1);
    *ib = ia >> d;
    *rb = low ? (unsigned)(d - (32 - __builtin_clz(low)) + 1) : (unsigned)d + r;
}

static inline void dense_add(uint8_t *regs, int p, uint64_t x)
{
    uint32_t idx = (uint32_t)(x >> (64 - p));
    uint8_t rank = (uint8_t)(__builtin_clzll((x << p) | (1ULL << (p - 1))) + 1);
    if (regs[idx] < rank) regs[idx] = rank;
}

static inline void dense_put_entry(uint8_t *regs, int p, uint32_t e)
{
    uint32_t idx;
    unsigned rank;
    fold(e >> 6, e & 63, SP, p, &idx, &rank);
    if (regs[idx] < rank) regs[idx] = (uint8_t)rank;
}

/* Turns an empty or sparse sketch dense. */
static void to_dense(eddy_hll *h)
{
    int p = prec(h);
    uint8_t *regs = eddy_xcalloc((size_t)1 << p, 1);
    if (h->data) {
        const uint32_t *set = h->data;
        for (uint32_t i = 0; i < h->cap; i++)
            if (set[i]) dense_put_entry(regs, p, set[i]);
        free(h->data);
    }
    h->data = regs;
    h->dense = 1;
    h->n = 0;
    h->cap = 0;
}

/* Puts e into the set of cap slots (which has room); returns 1 if its idx was new. */
static inline int set_put(uint32_t *set, uint32_t cap, uint32_t e)
{
    uint32_t key = e >> 6, mask = cap - 1;
    for (uint32_t i = key & mask;; i = (i + 1) & mask) {
        uint32_t s = set[i];
        if (!s) {
            set[i] = e;
            return 1;
        }
        if (s >> 6 == key) {
            if ((s & 63) < (e & 63)) set[i] = e;
            return 0;
        }
    }
}

static void set_resize(eddy_hll *h, uint32_t cap)
{
    uint32_t *set = eddy_xcalloc(cap, sizeof *set);
    const uint32_t *old = h->data;
    for (uint32_t i = 0; i < h->cap; i++)
        if (old[i]) set_put(set, cap, old[i]);
    free(h->data);
    h->data = set;
    h->cap = cap;
}

/* Adds entry e to a sketch of any kind. */
static void put_entry(eddy_hll *h, uint32_t e)
{
    int p = prec(h);
    if (!h->dense) {
        if (p < SPARSE_MIN_P) {
            to_dense(h);
        } else {
            if (!h->data) set_resize(h, SPARSE_MIN_CAP);
            uint32_t *set = h->data;
            uint32_t key = e >> 6, mask = h->cap - 1, i = key & mask;
            for (;; i = (i + 1) & mask) {
                uint32_t s = set[i];
                if (!s) break;
                if (s >> 6 == key) {
                    if ((s & 63) < (e & 63)) set[i] = e;
                    return;
                }
            }
            if (h->n + 1 <= set_limit(h->cap)) {
                set[i] = e;
                h->n++;
                return;
            }
            if (h->cap * 2 <= sparse_cap_max(p)) {
                set_resize(h, h->cap * 2);
                set_put(h->data, h->cap, e);
                h->n++;
                return;
            }
            to_dense(h);
        }
    }
    dense_put_entry(h->data, p, e);
}

void eddy_hll_init(eddy_hll *h, int p)
{
    memset(h, 0, sizeof *h);
    if (p == 0) p = EDDY_HLL_DEFAULT_P;
    if (p < EDDY_HLL_MIN_P) p = EDDY_HLL_MIN_P;
    if (p > EDDY_HLL_MAX_P) p = EDDY_HLL_MAX_P;
    h->p = (uint8_t)p;
}

void eddy_hll_free(eddy_hll *h)
{
    free(h->data);
    h->data = NULL;
    h->n = 0;
    h->cap = 0;
    h->dense = 0;
}

void eddy_hll_add(eddy_hll *h, uint64_t hash)
{
    if (h->dense)
        dense_add(h->data, prec(h), hash);
    else
        put_entry(h, sparse_entry(hash));
}

int eddy_hll_merge(eddy_hll *dst, const eddy_hll *src)
{
    int pd = prec(dst), ps = prec(src);
    if (ps < pd) return EDDY_EDATA;
    if (!src->data || dst == src) return 0;
    if (src->dense) {
        if (!dst->dense) to_dense(dst);
        uint8_t *d = dst->data;
        const uint8_t *s = src->data;
        size_t m = (size_t)1 << ps;
        if (ps == pd) {
            for (size_t j = 0; j < m; j++)
                d[j] = d[j] < s[j] ? s[j] : d[j];
        } else {
            for (size_t j = 0; j < m; j++) {
                if (!s[j]) continue;
                uint32_t idx;
                unsigned rank;
                fold((uint32_t)j, s[j], ps, pd, &idx, &rank);
                if (d[idx] < rank) d[idx] = (uint8_t)rank;
            }
        }
    } else {
        const uint32_t *set = src->data;
        for (uint32_t i = 0; i < src->cap; i++)
            if (set[i]) put_entry(dst, set[i]);
    }
    return 0;
}

/* ---- estimate ---- */

/* sigma(x) = x + sum_{k>=1} x^(2^k) 2^(k-1) */
static double sigma(double x)
{
    if (x == 1.0) return INFINITY;
    double y = 1.0, z = x, zp;
    do {
        x *= x;
        zp = z;
        z += x * y;
        y += y;
    } while (z != zp);
    return z;
}

/* tau(x) = (1 - x - sum_{k>=1} (1 - x^(2^-k))^2 2^-k) / 3 */
static double tau(double x)
{
    if (x == 0.0 || x == 1.0) return 0.0;
    double y = 1.0, z = 1.0 - x, zp;
    do {
        x = sqrt(x);
        zp = z;
        y *= 0.5;
        z -= (1.0 - x) * (1.0 - x) * y;
    } while (z != zp);
    return z / 3.0;
}

/* Ertl's improved estimator: c[k] registers of value k (k = 0 .. q+1) out of m. */
static double ertl_estimate(const uint32_t *c, int q, double m)
{
    if (c[0] == m) return 0.0;
    double z = m * tau(1.0 - c[q + 1] / m);
    for (int k = q; k >= 1; k--)
        z = 0.5 * (z + c[k]);
    z += m * sigma(c[0] / m);
    return m * m / (2.0 * M_LN2) / z;
}

double eddy_hll_estimate(const eddy_hll *h)
{
    uint32_t c[66] = {0};
    if (!h->data) return 0.0;
    if (h->dense) {
        int p = prec(h);
        size_t m = (size_t)1 << p;
        const uint8_t *regs = h->data;
        for (size_t j = 0; j < m; j++)
            c[regs[j]]++;
        return ertl_estimate(c, 64 - p, (double)m);
    }
    const uint32_t *set = h->data;
    for (uint32_t i = 0; i < h->cap; i++)
        if (set[i]) c[set[i] & 63]++;
    c[0] = ((uint32_t)1 << SP) - h->n;
    return ertl_estimate(c, SP_Q, (double)((uint32_t)1 << SP));
}

int eddy_hll_precision(const eddy_hll *h)
{
    return prec(h);
}

bool eddy_hll_is_dense(const eddy_hll *h)
{
    return h->dense;
}

size_t eddy_hll_memory(const eddy_hll *h)
{
    if (!h->data) return 0;
    return h->dense ? (size_t)1 << prec(h) : (size_t)h->cap * sizeof(uint32_t);
}

/* ---- serialization ---- */

static void put_varint(eddy_strbuf *out, uint32_t v)
{
    char b[5];
    size_t n = 0;
    while (v >= 0x80) {
        b[n++] = (char)(v | 0x80);
        v >>= 7;
    }
    b[n++] = (char)v;
    eddy_strbuf_append(out, b, n);
}

static int get_varint(const uint8_t **pp, const uint8_t *end, uint32_t *v)
{
    const uint8_t *p = *pp;
    uint64_t x = 0;
    for (int shift = 0; shift < 35; shift += 7) {
        if (p == end) return -1;
        uint8_t b = *p++;
        x |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            if (x > UINT32_MAX || (b == 0 && shift > 0)) return -1; /* too big, not minimal */
            *pp = p;
            *v = (uint32_t)x;
            return 0;
        }
    }
    return -1;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

void eddy_hll_serialize(const eddy_hll *h, eddy_strbuf *out)
{
    int p = prec(h);
    char head[3] = {FORMAT_VERSION, (char)p, KIND_EMPTY};
    if (!h->data || (!h->dense && h->n == 0)) {
        eddy_strbuf_append(out, head, 3);
        return;
    }
    if (h->dense) {
        head[2] = KIND_DENSE;
        eddy_strbuf_append(out, head, 3);
        eddy_strbuf_append(out, h->data, (size_t)1 << p);
        return;
    }
    head[2] = KIND_SPARSE;
    eddy_strbuf_append(out, head, 3);
    uint32_t *e = eddy_xmalloc((size_t)h->n * sizeof *e);
    const uint32_t *set = h->data;
    uint32_t n = 0;
    for (uint32_t i = 0; i < h->cap; i++)
        if (set[i]) e[n++] = set[i];
    qsort(e, n, sizeof *e, cmp_u32);
    put_varint(out, n);
    uint32_t prev = 0;
    for (uint32_t i = 0; i < n; i++) {
        put_varint(out, e[i] - prev);
        prev = e[i];
    }
    free(e);
}

int eddy_hll_deserialize(eddy_hll *h, const void *buf, size_t len)
{
    const uint8_t *p = buf, *end = p + len;
    eddy_hll_free(h);
    if (len < 3 || p[0] != FORMAT_VERSION || p[1] < EDDY_HLL_MIN_P || p[1] > EDDY_HLL_MAX_P)
        return EDDY_EDATA;
    int prec_ = p[1];
    int kind = p[2];
    h->p = (uint8_t)prec_;
    p += 3;
    if (kind == KIND_EMPTY) return p == end ? 0 : EDDY_EDATA;
    if (kind == KIND_DENSE) {
        size_t m = (size_t)1 << prec_;
        if ((size_t)(end - p) != m) return EDDY_EDATA;
        for (size_t j = 0; j < m; j++)
            if (p[j] > 64 - prec_ + 1) return EDDY_EDATA;
        h->data = eddy_xmalloc(m);
        memcpy(h->data, p, m);
        h->dense = 1;
        return 0;
    }
    if (kind != KIND_SPARSE || prec_ < SPARSE_MIN_P) return EDDY_EDATA;
    uint32_t n;
    if (get_varint(&p, end, &n) || n == 0 || n > sparse_max_n(prec_)) return EDDY_EDATA;
    uint32_t cap = SPARSE_MIN_CAP;
    while (n > set_limit(cap))
        cap *= 2;
    uint32_t *set = eddy_xcalloc(cap, sizeof *set);
    uint64_t e = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t d;
        if (get_varint(&p, end, &d)) goto bad;
        uint64_t prev = e;
        e += d;
        unsigned rank = (unsigned)(e & 63);
        if (e >> 6 >= (1u << SP) || rank < 1 || rank > SP_Q + 1) goto bad;
        if (i > 0 && e >> 6 <= prev >> 6) goto bad;
        set_put(set, cap, (uint32_t)e);
    }
    if (p != end) goto bad;
    h->data = set;
    h->cap = cap;
    h->n = n;
    return 0;
bad:
    free(set);
    return EDDY_EDATA;
}
