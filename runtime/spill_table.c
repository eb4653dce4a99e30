/*
 * spill_table.c: accumulator tables written to spill runs and merged back (spill_table.h).
 */

#include "spill_table.h"

#include <stdlib.h>
#include <string.h>

#include "../common/arena.h"
#include "../common/strbuf.h"
#include "opstate.h"
#include "state.h"

#define SK (EDDY_SPILLTAB_KEY + 8) /* longest skey */

/* The skey of a group key: the key itself, or its prefix and hash (built in buf). */
static const unsigned char *skey_of(const void *gkey, size_t gklen, uint64_t hash,
                                    unsigned char *buf, size_t *n)
{
    if (gklen <= EDDY_SPILLTAB_KEY) {
        *n = gklen;
        return gkey;
    }
    memcpy(buf, gkey, EDDY_SPILLTAB_KEY);
    for (int i = 0; i < 8; i++) buf[EDDY_SPILLTAB_KEY + i] = (unsigned char)(hash >> (56 - 8 * i));
    *n = SK;
    return buf;
}

size_t eddy_spilltab_skey(const void *gkey, size_t gklen, uint64_t hash,
                          unsigned char out[EDDY_SPILLTAB_KEY + 8])
{
    size_t n;
    const unsigned char *k = skey_of(gkey, gklen, hash, out, &n);
    if (k != out) memcpy(out, k, n);
    return n;
}

/* LMDB's order: bytes, then the shorter first. */
static int bytes_cmp(const unsigned char *a, size_t na, const unsigned char *b, size_t nb)
{
    int c = memcmp(a, b, na < nb ? na : nb);
    if (c) return c;
    return na < nb ? -1 : na > nb;
}

/* ---- sorting a table by skey ---- */

typedef struct ord {
    uint64_t pfx;   /* the skey's first 8 bytes, big-endian, zero-padded */
    uint32_t id;
} ord;

static int ord_cmp(const void *a, const void *b, void *ctx)
{
    const ord *x = a, *y = b;
    if (x->pfx != y->pfx) return x->pfx < y->pfx ? -1 : 1;
    const eddy_hmap *m = ctx;
    size_t lx, ly, nx, ny;
    const void *kx = eddy_hmap_key(m, x->id, &lx);
    const void *ky = eddy_hmap_key(m, y->id, &ly);
    unsigned char bx[SK], by[SK];
    const unsigned char *sx = skey_of(kx, lx, eddy_hmap_hash(m, x->id), bx, &nx);
    const unsigned char *sy = skey_of(ky, ly, eddy_hmap_hash(m, y->id), by, &ny);
    return bytes_cmp(sx, nx, sy, ny);
}

/* The live ids of m in skey order (malloc'ed; *n of them). */
static ord *sorted(eddy_hmap *m, uint32_t *n)
{
    uint32_t end = eddy_hmap_end(m), k = 0;
    ord *o = eddy_xmalloc(sizeof *o * (end ? end : 1));
    for (uint32_t id = 0; id < end; id++) {
        if (!eddy_hmap_live(m, id)) continue;
        size_t klen, sn;
        unsigned char buf[SK];
        const void *key = eddy_hmap_key(m, id, &klen);
        const unsigned char *s = skey_of(key, klen, eddy_hmap_hash(m, id), buf, &sn);
        uint64_t p = 0;
        for (size_t i = 0; i < 8; i++) p = p << 8 | (i < sn ? s[i] : 0);
        o[k].pfx = p;
        o[k++].id = id;
    }
    qsort_r(o, k, sizeof *o, ord_cmp, m);
    *n = k;
    return o;
}

/* ---- writing ---- */

struct eddy_spilltab_writer {
    eddy_spill_writer *w;
    eddy_strbuf k, v;
};

int eddy_spilltab_begin(eddy_spill *sp, const char *owner, uint32_t *run,
                        eddy_spilltab_writer **out, eddy_error *err)
{
    eddy_spill_writer *w;
    *out = NULL;
    int rc = eddy_spill_run_begin(sp, owner, run, &w, err);
    if (rc) return rc;
    *out = eddy_xcalloc(1, sizeof **out);
    (*out)->w = w;
    return 0;
}

int eddy_spilltab_put(eddy_spilltab_writer *w, const eddy_aggs *aggs, int64_t t, const void *gkey,
                      size_t gklen, uint64_t hash, const void *row, eddy_error *err)
{
    unsigned char t8[8], buf[SK];
    size_t sn;
    const unsigned char *s = skey_of(gkey, gklen, hash, buf, &sn);
    eddy_state_key_i64(t8, t);
    eddy_strbuf_clear(&w->k);
    eddy_strbuf_clear(&w->v);
    eddy_strbuf_append(&w->k, (const char *)t8, 8);
    if (sn) eddy_strbuf_append(&w->k, (const char *)s, sn);
    bool lng = gklen > EDDY_SPILLTAB_KEY;
    eddy_strbuf_putc(&w->v, lng ? 1 : 0);
    if (lng) {
        eddy_opstate_put_u32(&w->v, (uint32_t)gklen);
        eddy_strbuf_append(&w->v, gkey, gklen);
    }
    eddy_aggs_row_encode(aggs, row, &w->v);
    return eddy_spill_put(w->w, w->k.s, w->k.n, w->v.s, w->v.n, err);
}

int eddy_spilltab_end(eddy_spilltab_writer *w, bool ok, eddy_error *err)
{
    int rc = eddy_spill_run_end(w->w, ok, err);
    eddy_strbuf_free(&w->k);
    eddy_strbuf_free(&w->v);
    free(w);
    return rc;
}

int eddy_spilltab_write(eddy_spill *sp, const char *owner, const eddy_aggs *aggs,
                        const int64_t *ts, eddy_hmap *const *maps, int n, uint32_t *run,
                        eddy_error *err)
{
    eddy_spilltab_writer *w;
    int rc = eddy_spilltab_begin(sp, owner, run, &w, err);
    if (rc) return rc;
    for (int i = 0; i < n && !rc; i++) {
        uint32_t cnt;
        ord *o = sorted(maps[i], &cnt);
        for (uint32_t j = 0; j < cnt && !rc; j++) {
            uint32_t id = o[j].id;
            size_t klen;
            const void *gkey = eddy_hmap_key(maps[i], id, &klen);
            rc = eddy_spilltab_put(w, aggs, ts[i], gkey, klen, eddy_hmap_hash(maps[i], id),
                                   eddy_hmap_value(maps[i], id), err);
        }
        free(o);
    }
    int rc2 = eddy_spilltab_end(w, rc == 0, err);
    return rc ? rc : rc2;
}

/* ---- merging ---- */

typedef struct msrc {
    eddy_hmap *map;             /* memory: the table, its ids in skey order */
    ord *order;
    uint32_t n, pos;
    eddy_spill_cursor *cur;     /* run: the cursor, positioned in its t */
    unsigned char t8[8];
    bool done;
    const unsigned char *sk;    /* the current group's skey */
    size_t sklen;
    unsigned char buf[SK];
    const void *gkey;           /* its whole key */
    size_t gklen;
    uint64_t hash;              /* memory: its hash */
    const void *row;            /* memory: its accumulator */
    const void *payload;        /* run: its encoded accumulator */
    size_t plen;
} msrc;

/* Loads the current group of s (or marks it done). */
static int load(msrc *s, eddy_error *err)
{
    if (s->map) {
        if (s->pos >= s->n) {
            s->done = true;
            return 0;
        }
        uint32_t id = s->order[s->pos].id;
        s->gkey = eddy_hmap_key(s->map, id, &s->gklen);
        s->hash = eddy_hmap_hash(s->map, id);
        s->row = eddy_hmap_value(s->map, id);
        s->sk = skey_of(s->gkey, s->gklen, s->hash, s->buf, &s->sklen);
        return 0;
    }
    const void *k, *v;
    size_t kl, vl;
    int got = eddy_spill_cursor_get(s->cur, &k, &kl, &v, &vl, err);
    if (got < 0) return got;
    if (got == 0 || kl < 8 || memcmp(k, s->t8, 8) != 0) {
        s->done = true;
        return 0;
    }
    s->sk = (const unsigned char *)k + 8;
    s->sklen = kl - 8;
    const unsigned char *p = v;
    if (vl < 1) goto bad;
    if (p[0] == 0) {
        s->gkey = s->sk;
        s->gklen = s->sklen;
        s->payload = p + 1;
        s->plen = vl - 1;
    } else {
        if (vl < 5) goto bad;
        eddy_opstate_rd r = eddy_opstate_rd_of(p + 1, vl - 1);
        uint32_t n = eddy_opstate_get_u32(&r);
        if (n > vl - 5) goto bad;
        s->gkey = p + 5;
        s->gklen = n;
        s->payload = p + 5 + n;
        s->plen = vl - 5 - n;
    }
    return 0;
bad:
    return eddy_error_set(err, EDDY_ESTATE, 0, 0, "a spilled entry is damaged (spill store)");
}

static int advance_src(msrc *s, eddy_error *err)
{
    if (s->map) s->pos++;
    else {
        int rc = eddy_spill_cursor_next(s->cur, err);
        if (rc) return rc;
    }
    return load(s, err);
}

int eddy_spilltab_merge(eddy_spill *sp, const char *owner, const eddy_aggs *aggs,
                        const eddy_rowkey *key, const eddy_spilltab_src *srcs, int n, bool newest,
                        eddy_spilltab_visit visit, void *ctx, eddy_error *err)
{
    if (n == 0) return 0;
    int rc = eddy_spill_read_begin(sp, err);
    if (rc) return rc;
    msrc *s = eddy_xcalloc((size_t)n, sizeof *s);
    int *same = eddy_xmalloc(sizeof(int) * (size_t)n);
    size_t rs = eddy_aggs_row_size(aggs);
    void *tmp = eddy_xcalloc(1, rs), *tmp2 = eddy_xcalloc(1, rs);
    int64_t heap = 0;
    for (int i = 0; i < n && !rc; i++) {
        if (srcs[i].map) {
            s[i].map = srcs[i].map;
            s[i].order = sorted(srcs[i].map, &s[i].n);
        } else {
            eddy_state_key_i64(s[i].t8, srcs[i].t);
            rc = eddy_spill_cursor_open(sp, owner, srcs[i].run, s[i].t8, 8, &s[i].cur, err);
        }
        if (!rc) rc = load(&s[i], err);
    }
    while (!rc) {
        int m = -1, ns = 0;
        for (int i = 0; i < n; i++) {
            if (s[i].done) continue;
            int c = m < 0 ? -1 : bytes_cmp(s[i].sk, s[i].sklen, s[m].sk, s[m].sklen);
            if (c < 0) {
                m = i;
                ns = 0;
            }
            if (c <= 0) same[ns++] = i;
        }
        if (m < 0) break;
        if (newest && ns > 1) { /* only the last source's piece counts */
            for (int j = 0; j < ns - 1 && !rc; j++) rc = advance_src(&s[same[j]], err);
            if (rc) break;
            same[0] = same[ns - 1];
            ns = 1;
        }
        msrc *f = &s[same[0]];
        const void *acc;
        bool used = false;
        uint64_t hash = 0;
        bool have_hash = false;
        if (ns == 1 && f->map) {
            acc = f->row;
        } else {
            for (int j = 0; j < ns && !rc; j++) {
                msrc *x = &s[same[j]];
                if (j > 0 && f->gklen > EDDY_SPILLTAB_KEY &&
                    (x->gklen != f->gklen || memcmp(x->gkey, f->gkey, f->gklen) != 0)) {
                    rc = eddy_error_set(err, EDDY_ESTATE, 0, 0,
                                        "two group keys of more than %d bytes share a prefix "
                                        "and a hash: they cannot spill (raise "
                                        "'state.memory.budget')",
                                        EDDY_SPILLTAB_KEY);
                    break;
                }
                if (x->map) {
                    rc = eddy_aggs_merge(aggs, tmp, x->row, &heap, err);
                    if (!have_hash) hash = x->hash, have_hash = true;
                } else if (!used) {
                    int64_t got = eddy_aggs_row_decode(aggs, tmp, x->payload, x->plen, &heap, err);
                    if (got < 0) rc = (int)got;
                } else {
                    int64_t got = eddy_aggs_row_decode(aggs, tmp2, x->payload, x->plen, &heap, err);
                    if (got < 0) rc = (int)got;
                    if (!rc) rc = eddy_aggs_merge(aggs, tmp, tmp2, &heap, err);
                    eddy_aggs_row_free(aggs, tmp2, &heap);
                }
                used = true;
            }
            acc = tmp;
        }
        if (!rc) {
            if (ns == 1 && f->map) hash = f->hash;
            else if (!have_hash) hash = eddy_opstate_key_hash(key, f->gkey, f->gklen);
            rc = visit(ctx, f->gkey, f->gklen, hash, acc, err);
        }
        if (used) eddy_aggs_row_free(aggs, tmp, &heap);
        for (int j = ns - 1; j >= 0 && !rc; j--) rc = advance_src(&s[same[j]], err);
    }
    for (int i = 0; i < n; i++) {
        free(s[i].order);
        eddy_spill_cursor_close(s[i].cur);
    }
    free(s);
    free(same);
    free(tmp);
    free(tmp2);
    eddy_spill_read_end(sp);
    return rc;
}

int eddy_spilltab_find(eddy_spill *sp, const char *owner, const eddy_aggs *aggs, uint32_t run,
                       int64_t t, const void *gkey, size_t gklen, uint64_t hash, void *row,
                       int64_t *heap, eddy_error *err)
{
    unsigned char want[8 + SK], buf[SK];
    size_t sn;
    const unsigned char *s = skey_of(gkey, gklen, hash, buf, &sn);
    eddy_state_key_i64(want, t);
    memcpy(want + 8, s, sn);
    int rc = eddy_spill_read_begin(sp, err);
    if (rc) return rc;
    msrc m = {0};
    memcpy(m.t8, want, 8);
    rc = eddy_spill_cursor_open(sp, owner, run, want, 8 + sn, &m.cur, err);
    if (!rc) rc = load(&m, err);
    int found = 0;
    if (!rc && !m.done && bytes_cmp(m.sk, m.sklen, s, sn) == 0 && m.gklen == gklen &&
        memcmp(m.gkey, gkey, gklen) == 0) {
        int64_t got = eddy_aggs_row_decode(aggs, row, m.payload, m.plen, heap, err);
        if (got < 0) rc = (int)got;
        else found = 1;
    }
    eddy_spill_cursor_close(m.cur);
    eddy_spill_read_end(sp);
    return rc ? rc : found;
}

/* ---- Bloom filters ---- */

void eddy_spilltab_bloom_init(eddy_spilltab_bloom *b, uint32_t keys)
{
    uint64_t bits = 1024;
    while (bits < (uint64_t)keys * 12) bits <<= 1;
    b->bits = eddy_xcalloc(bits / 64, sizeof(uint64_t));
    b->mask = bits - 1;
}

static inline uint64_t probe(uint64_t h, int i)
{
    return h + (uint64_t)i * ((h >> 29) | 1) * 0x9E3779B97F4A7C15ull;
}

void eddy_spilltab_bloom_add(eddy_spilltab_bloom *b, uint64_t hash)
{
    for (int i = 0; i < 3; i++) {
        uint64_t x = probe(hash, i) & b->mask;
        b->bits[x >> 6] |= 1ull << (x & 63);
    }
}

bool eddy_spilltab_bloom_may(const eddy_spilltab_bloom *b, uint64_t hash)
{
    if (!b->bits) return true;
    for (int i = 0; i < 3; i++) {
        uint64_t x = probe(hash, i) & b->mask;
        if (!(b->bits[x >> 6] >> (x & 63) & 1)) return false;
    }
    return true;
}

void eddy_spilltab_bloom_free(eddy_spilltab_bloom *b)
{
    free(b->bits);
    b->bits = NULL;
}
