/*
 * rowkey.c: group keys as bytes and back (see rowkey.h for the encoding).
 *
 * A batch is encoded column by column into one block of the scratch arena: a first pass sums
 * the key lengths (fixed for keys without strings), a second writes each column's part of
 * every key, then the keys are hashed. The single-I64 case hashes the values directly.
 */
#include "rowkey.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../common/hash.h"

void eddy_rowkey_init_types(eddy_rowkey *k, const eddy_sqltype *const *types, int n)
{
    memset(k, 0, sizeof *k);
    k->n = n;
    k->cols = eddy_xcalloc((size_t)(n ? n : 1), sizeof(int));
    k->phys = eddy_xcalloc((size_t)(n ? n : 1), sizeof(eddy_phys));
    k->types = eddy_xcalloc((size_t)(n ? n : 1), sizeof(*k->types));
    for (int i = 0; i < n; i++) {
        k->cols[i] = i;
        k->types[i] = types[i];
        k->phys[i] = eddy_phys_of(types[i]);
    }
    k->single_i64 = n == 1 && k->phys[0] == EDDY_PHYS_I64;
}

void eddy_rowkey_init(eddy_rowkey *k, const int *cols, int n, const eddy_schema *in)
{
    const eddy_sqltype *types[n ? n : 1];
    types[0] = NULL; /* n may be 0 (a global aggregate) */
    for (int i = 0; i < n; i++) types[i] = in->fields[cols[i]].type;
    eddy_rowkey_init_types(k, types, n);
    for (int i = 0; i < n; i++) k->cols[i] = cols[i];
}

void eddy_rowkey_free(eddy_rowkey *k)
{
    free(k->cols);
    free(k->phys);
    free((void *)k->types);
    memset(k, 0, sizeof *k);
}

uint64_t eddy_rowkey_empty_hash(void)
{
    return eddy_hash_bytes(NULL, 0);
}

static inline uint64_t f64_key_bits(double d)
{
    uint64_t u;
    if (d == 0) d = 0.0;      /* -0.0 groups with 0.0 */
    if (isnan(d)) d = NAN;    /* one NaN */
    memcpy(&u, &d, 8);
    return u;
}

static size_t fixed_size(eddy_phys p)
{
    switch (p) {
    case EDDY_PHYS_BOOL: return 1;
    case EDDY_PHYS_I64:
    case EDDY_PHYS_F64: return 8;
    case EDDY_PHYS_DEC: return 16;
    case EDDY_PHYS_STR: return 4;
    }
    return 8;
}

/* Strings of up to this many bytes are written as one tag byte 2 + length and the bytes (most
 * group keys: country codes, days, channel names), longer ones as tag 1, a 4-byte length and
 * the bytes: a (BIGINT, 10-character VARCHAR) key is 20 bytes and fits a hash table record. */
#define SHORT_STR_MAX 200

/* Writes value `row` of column c (tag byte included) at p; returns the bytes written. */
static size_t put_value(const eddy_col *c, eddy_phys phys, int row, unsigned char *p)
{
    if (c->nulls && c->nulls[row]) {
        p[0] = 0;
        return 1;
    }
    p[0] = 1;
    switch (phys) {
    case EDDY_PHYS_BOOL: p[1] = c->v.b[row] ? 1 : 0; return 2;
    case EDDY_PHYS_I64: memcpy(p + 1, &c->v.i64[row], 8); return 9;
    case EDDY_PHYS_F64: {
        uint64_t u = f64_key_bits(c->v.f64[row]);
        memcpy(p + 1, &u, 8);
        return 9;
    }
    case EDDY_PHYS_DEC: memcpy(p + 1, &c->v.dec[row], 16); return 17;
    case EDDY_PHYS_STR: {
        uint32_t n = c->v.str[row].n;
        if (n <= SHORT_STR_MAX) { /* the tag says the length */
            p[0] = (unsigned char)(2 + n);
            if (n) memcpy(p + 1, c->v.str[row].p, n);
            return 1 + (size_t)n;
        }
        memcpy(p + 1, &n, 4);
        memcpy(p + 5, c->v.str[row].p, n);
        return 5 + (size_t)n;
    }
    }
    return 1;
}

void eddy_rowkey_encode(const eddy_rowkey *k, const eddy_batch *b, eddy_arena *a,
                        eddy_rowkey_batch *out)
{
    int n = b->n;
    size_t nn = (size_t)(n ? n : 1);
    memset(out, 0, sizeof *out);
    out->n = n;
    out->hashes = eddy_arena_alloc(a, nn * sizeof(uint64_t));

    if (k->single_i64) {
        const eddy_col *c = &b->cols[k->cols[0]];
        bool has_null = false;
        if (c->nulls)
            for (int i = 0; i < n; i++) has_null |= c->nulls[i] != 0;
        if (!has_null) {
            out->u64 = eddy_arena_alloc(a, nn * sizeof(uint64_t));
            memcpy(out->u64, c->v.i64, (size_t)n * sizeof(uint64_t));
            eddy_hash_u64_array(out->u64, out->hashes, (size_t)n);
            return;
        }
        /* NULLs present: 8 raw bytes (same entries as the u64 path) or the byte 0x00 */
        static const unsigned char zero = 0;
        out->keys = eddy_arena_alloc(a, nn * sizeof(void *));
        out->lens = eddy_arena_alloc(a, nn * sizeof(size_t));
        for (int i = 0; i < n; i++) {
            if (c->nulls[i]) {
                out->keys[i] = &zero;
                out->lens[i] = 1;
                out->hashes[i] = eddy_hash_bytes(&zero, 1);
            } else {
                out->keys[i] = &c->v.i64[i];
                out->lens[i] = 8;
                out->hashes[i] = eddy_hash_u64((uint64_t)c->v.i64[i]);
            }
        }
        return;
    }

    out->keys = eddy_arena_alloc(a, nn * sizeof(void *));
    out->lens = eddy_arena_alloc(a, nn * sizeof(size_t));
    if (k->n == 0) {
        uint64_t h = eddy_rowkey_empty_hash();
        for (int i = 0; i < n; i++) {
            out->keys[i] = NULL;
            out->lens[i] = 0;
            out->hashes[i] = h;
        }
        return;
    }
    /* lengths: fixed part plus string bytes */
    size_t fixed = 0;
    bool has_str = false;
    for (int j = 0; j < k->n; j++) {
        fixed += 1 + fixed_size(k->phys[j]);
        has_str |= k->phys[j] == EDDY_PHYS_STR;
    }
    size_t total = fixed * (size_t)n;
    if (has_str) {
        for (int j = 0; j < k->n; j++) {
            if (k->phys[j] != EDDY_PHYS_STR) continue;
            const eddy_col *c = &b->cols[k->cols[j]];
            for (int i = 0; i < n; i++) total += c->v.str[i].n;
        }
    }
    unsigned char *buf = eddy_arena_alloc(a, total ? total : 1);
    /* each key's start: fixed-size keys are evenly spaced; with strings, sum as we go */
    if (!has_str) {
        for (int i = 0; i < n; i++) {
            unsigned char *p = buf + (size_t)i * fixed;
            size_t off = 0;
            for (int j = 0; j < k->n; j++)
                off += put_value(&b->cols[k->cols[j]], k->phys[j], i, p + off);
            out->keys[i] = p;
            out->lens[i] = off;
        }
    } else {
        unsigned char *p = buf;
        for (int i = 0; i < n; i++) {
            size_t off = 0;
            for (int j = 0; j < k->n; j++)
                off += put_value(&b->cols[k->cols[j]], k->phys[j], i, p + off);
            out->keys[i] = p;
            out->lens[i] = off;
            p += off;
        }
    }
    for (int i = 0; i < n; i++) out->hashes[i] = eddy_hash_bytes(out->keys[i], out->lens[i]);
}

void eddy_rowkey_encode_row(const eddy_rowkey *k, const eddy_col *cols, int row,
                            eddy_strbuf *out)
{
    unsigned char tmp[32];
    for (int j = 0; j < k->n; j++) {
        const eddy_col *c = &cols[j];
        if (k->phys[j] == EDDY_PHYS_STR && !(c->nulls && c->nulls[row])) {
            uint32_t n = c->v.str[row].n;
            if (n <= SHORT_STR_MAX) {
                tmp[0] = (unsigned char)(2 + n);
                eddy_strbuf_append(out, (const char *)tmp, 1);
            } else {
                tmp[0] = 1;
                memcpy(tmp + 1, &n, 4);
                eddy_strbuf_append(out, (const char *)tmp, 5);
            }
            if (n) eddy_strbuf_append(out, c->v.str[row].p, n);
            continue;
        }
        size_t len = put_value(c, k->phys[j], row, tmp);
        eddy_strbuf_append(out, (const char *)tmp, len);
    }
}

/* Reads one tagged value at p into column c row `row`; returns the bytes consumed. */
static size_t get_value(eddy_batch *out, int col, eddy_phys phys, int row,
                        const unsigned char *p)
{
    eddy_col *c = &out->cols[col];
    if (p[0] == 0) {
        eddy_col_nulls(out, col)[row] = 1;
        return 1;
    }
    if (c->nulls) c->nulls[row] = 0;
    switch (phys) {
    case EDDY_PHYS_BOOL: c->v.b[row] = p[1]; return 2;
    case EDDY_PHYS_I64: memcpy(&c->v.i64[row], p + 1, 8); return 9;
    case EDDY_PHYS_F64: memcpy(&c->v.f64[row], p + 1, 8); return 9;
    case EDDY_PHYS_DEC: memcpy(&c->v.dec[row], p + 1, 16); return 17;
    case EDDY_PHYS_STR: {
        if (p[0] >= 2) {
            uint32_t n = (uint32_t)p[0] - 2;
            c->v.str[row] = eddy_batch_str(out, (const char *)p + 1, n);
            return 1 + (size_t)n;
        }
        uint32_t n;
        memcpy(&n, p + 1, 4);
        c->v.str[row] = eddy_batch_str(out, (const char *)p + 5, n);
        return 5 + (size_t)n;
    }
    }
    return 1;
}

void eddy_rowkey_decode_row(const eddy_rowkey *k, const void *bytes, size_t len,
                            eddy_batch *out, int first_col, int row)
{
    const unsigned char *p = bytes;
    size_t off = 0;
    for (int j = 0; j < k->n && off < len; j++)
        off += get_value(out, first_col + j, k->phys[j], row, p + off);
}

void eddy_rowkey_decode(const eddy_rowkey *k, const void *key, size_t len, eddy_batch *out,
                        int first_col, int row)
{
    if (k->single_i64) {
        eddy_col *c = &out->cols[first_col];
        if (len == 8) {
            memcpy(&c->v.i64[row], key, 8);
            if (c->nulls) c->nulls[row] = 0;
        } else {
            eddy_col_nulls(out, first_col)[row] = 1;
        }
        return;
    }
    eddy_rowkey_decode_row(k, key, len, out, first_col, row);
}
