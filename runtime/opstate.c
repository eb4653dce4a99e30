/*
 * opstate.c: the checkpoint entry layout of the window operators (see opstate.h).
 */
#include "opstate.h"

#include <stdlib.h>
#include <string.h>

#include "../common/arena.h"
#include "../common/hash.h"

void eddy_opstate_put_u32(eddy_strbuf *b, uint32_t v)
{
    unsigned char x[4];
    for (int i = 0; i < 4; i++) x[i] = (unsigned char)(v >> (8 * i));
    eddy_strbuf_append(b, (const char *)x, 4);
}

void eddy_opstate_put_u64(eddy_strbuf *b, uint64_t v)
{
    unsigned char x[8];
    for (int i = 0; i < 8; i++) x[i] = (unsigned char)(v >> (8 * i));
    eddy_strbuf_append(b, (const char *)x, 8);
}

void eddy_opstate_put_i64(eddy_strbuf *b, int64_t v)
{
    eddy_opstate_put_u64(b, (uint64_t)v);
}

void eddy_opstate_entry(eddy_strbuf *key, eddy_strbuf *val, int64_t t, char tag,
                        const void *gkey, size_t gklen, uint32_t ordinal)
{
    eddy_strbuf_clear(key);
    eddy_strbuf_clear(val);
    unsigned char k[8];
    eddy_state_key_i64(k, t);
    eddy_strbuf_append(key, (const char *)k, 8);
    eddy_strbuf_putc(key, tag);
    eddy_opstate_put_u32(val, ordinal);
    if (gklen <= EDDY_OPSTATE_KEY_PREFIX) {
        if (gklen) eddy_strbuf_append(key, gkey, gklen);
        eddy_strbuf_putc(val, 0);
        return;
    }
    eddy_strbuf_append(key, gkey, EDDY_OPSTATE_KEY_PREFIX);
    unsigned char o[4] = {(unsigned char)(ordinal >> 24), (unsigned char)(ordinal >> 16),
                          (unsigned char)(ordinal >> 8), (unsigned char)ordinal};
    eddy_strbuf_append(key, (const char *)o, 4);
    eddy_strbuf_putc(val, 1);
    eddy_opstate_put_u32(val, (uint32_t)gklen);
    eddy_strbuf_append(val, gkey, gklen);
}

void eddy_opstate_order_key(eddy_opstate_order *o, const eddy_hmap *keys)
{
    size_t klen;
    const unsigned char *k = eddy_hmap_key(keys, o->key, &klen);
    uint64_t p = 0;
    for (size_t i = 0; i < 8; i++) p = p << 8 | (i < klen ? k[i] : 0);
    o->pfx = p;
}

static _Thread_local const eddy_hmap *order_keys; /* the table being sorted (REPL jobs: a thread each) */

static int order_cmp(const void *a, const void *b)
{
    const eddy_opstate_order *x = a, *y = b;
    if (x->t != y->t) return x->t < y->t ? -1 : 1;
    if (x->pfx != y->pfx) return x->pfx < y->pfx ? -1 : 1;
    size_t lx, ly;
    const void *kx = eddy_hmap_key(order_keys, x->key, &lx);
    const void *ky = eddy_hmap_key(order_keys, y->key, &ly);
    int c = memcmp(kx, ky, lx < ly ? lx : ly);
    if (c) return c;
    return lx < ly ? -1 : lx > ly;
}

void eddy_opstate_sort(eddy_opstate_order *o, size_t n, const eddy_hmap *keys)
{
    order_keys = keys;
    qsort(o, n, sizeof *o, order_cmp);
    order_keys = NULL;
}

static const unsigned char *take(eddy_opstate_rd *r, size_t n)
{
    if (r->bad || r->n - r->off < n) {
        r->bad = true;
        return NULL;
    }
    const unsigned char *p = r->p + r->off;
    r->off += n;
    return p;
}

uint32_t eddy_opstate_get_u32(eddy_opstate_rd *r)
{
    const unsigned char *p = take(r, 4);
    if (!p) return 0;
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) v |= (uint32_t)p[i] << (8 * i);
    return v;
}

uint64_t eddy_opstate_get_u64(eddy_opstate_rd *r)
{
    const unsigned char *p = take(r, 8);
    if (!p) return 0;
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v |= (uint64_t)p[i] << (8 * i);
    return v;
}

int64_t eddy_opstate_get_i64(eddy_opstate_rd *r)
{
    return (int64_t)eddy_opstate_get_u64(r);
}

bool eddy_opstate_parse(const void *key, size_t klen, const void *val, size_t vlen,
                        eddy_opstate_entry_t *e)
{
    if (klen < 9) return false;
    const unsigned char *k = key;
    e->t = eddy_state_key_i64_get(k);
    e->tag = (char)k[8];
    eddy_opstate_rd r = eddy_opstate_rd_of(val, vlen);
    e->ordinal = eddy_opstate_get_u32(&r);
    const unsigned char *flag = take(&r, 1);
    if (!flag) return false;
    if (*flag == 0) {
        e->gkey = k + 9;
        e->gklen = klen - 9;
    } else if (*flag == 1) {
        uint32_t n = eddy_opstate_get_u32(&r);
        e->gkey = take(&r, n);
        e->gklen = n;
        if (!e->gkey) return false;
    } else {
        return false;
    }
    e->payload = r.p + r.off;
    e->plen = r.n - r.off;
    return true;
}

uint64_t eddy_opstate_key_hash(const eddy_rowkey *k, const void *gkey, size_t gklen)
{
    if (k->single_i64 && gklen == 8) {
        uint64_t v;
        memcpy(&v, gkey, 8);
        return eddy_hash_u64(v);
    }
    return eddy_hash_bytes(gklen ? gkey : NULL, gklen);
}

void eddy_opstate_table_add(eddy_opstate_table *tb, const eddy_opstate_entry_t *e)
{
    if (tb->n == tb->cap) {
        tb->cap = tb->cap ? tb->cap * 2 : 64;
        tb->e = eddy_xrealloc(tb->e, (size_t)tb->cap * sizeof *tb->e);
        tb->goff = eddy_xrealloc(tb->goff, (size_t)tb->cap * sizeof *tb->goff);
        tb->poff = eddy_xrealloc(tb->poff, (size_t)tb->cap * sizeof *tb->poff);
    }
    tb->t = e->t;
    tb->tag = e->tag;
    int i = tb->n++;
    tb->e[i] = *e;
    tb->goff[i] = tb->bytes.n;
    if (e->gklen) eddy_strbuf_append(&tb->bytes, e->gkey, e->gklen);
    tb->poff[i] = tb->bytes.n;
    if (e->plen) eddy_strbuf_append(&tb->bytes, e->payload, e->plen);
}

static int by_ordinal(const void *a, const void *b)
{
    const eddy_opstate_entry_t *x = a, *y = b;
    return x->ordinal < y->ordinal ? -1 : x->ordinal > y->ordinal;
}

void eddy_opstate_table_sort(eddy_opstate_table *tb)
{
    /* point at the copies first (the buffer no longer moves), then sort */
    for (int i = 0; i < tb->n; i++) {
        tb->e[i].gkey = tb->bytes.s ? tb->bytes.s + tb->goff[i] : NULL;
        tb->e[i].payload = tb->bytes.s ? tb->bytes.s + tb->poff[i] : NULL;
    }
    qsort(tb->e, (size_t)tb->n, sizeof *tb->e, by_ordinal);
}

void eddy_opstate_table_reset(eddy_opstate_table *tb)
{
    tb->n = 0;
    eddy_strbuf_clear(&tb->bytes);
}

void eddy_opstate_table_free(eddy_opstate_table *tb)
{
    free(tb->e);
    free(tb->goff);
    free(tb->poff);
    eddy_strbuf_free(&tb->bytes);
    memset(tb, 0, sizeof *tb);
}

int eddy_opstate_get_meta(eddy_state_db *db, const void **val, size_t *vlen, eddy_error *err)
{
    int rc = eddy_state_get(db, EDDY_OPSTATE_META_KEY, EDDY_OPSTATE_META_KLEN, val, vlen, err);
    if (rc == EDDY_ENOTFOUND) eddy_error_clear(err);
    return rc;
}
