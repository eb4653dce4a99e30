/*
 * fuzz_cells.h: what the format fuzz targets (fuzz_json.c, fuzz_csv.c) share: SQL types for a
 * schema that covers every column type eddy has, and comparing one row of two batches.
 *
 * Header-only (static functions) so that each fuzz target stays one program. A failed check
 * prints what differed and aborts: libFuzzer then keeps the input as a crash reproducer.
 */
#ifndef EDDY_TESTS_FUZZ_CELLS_H
#define EDDY_TESTS_FUZZ_CELLS_H

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/sqltype.h"
#include "planner/plan.h"
#include "runtime/batch.h"

#define FZ_TYPE(k, p, s) {.kind = (k), .precision = (p), .scale = (s)}

static eddy_sqltype fz_bool __attribute__((unused)) = FZ_TYPE(EDDY_TYPE_BOOLEAN, -1, -1);
static eddy_sqltype fz_tinyint __attribute__((unused)) = FZ_TYPE(EDDY_TYPE_TINYINT, -1, -1);
static eddy_sqltype fz_smallint __attribute__((unused)) = FZ_TYPE(EDDY_TYPE_SMALLINT, -1, -1);
static eddy_sqltype fz_int __attribute__((unused)) = FZ_TYPE(EDDY_TYPE_INT, -1, -1);
static eddy_sqltype fz_bigint __attribute__((unused)) = FZ_TYPE(EDDY_TYPE_BIGINT, -1, -1);
static eddy_sqltype fz_float __attribute__((unused)) = FZ_TYPE(EDDY_TYPE_FLOAT, -1, -1);
static eddy_sqltype fz_double __attribute__((unused)) = FZ_TYPE(EDDY_TYPE_DOUBLE, -1, -1);
static eddy_sqltype fz_dec10_2 __attribute__((unused)) = FZ_TYPE(EDDY_TYPE_DECIMAL, 10, 2);
static eddy_sqltype fz_dec38_10 __attribute__((unused)) = FZ_TYPE(EDDY_TYPE_DECIMAL, 38, 10);
static eddy_sqltype fz_string __attribute__((unused)) = {.kind = EDDY_TYPE_VARCHAR, .precision = -1,
                                                        .scale = -1, .string_kw = true};
static eddy_sqltype fz_bytes __attribute__((unused)) = {.kind = EDDY_TYPE_VARBINARY, .precision = -1,
                                                       .scale = -1, .string_kw = true};
static eddy_sqltype fz_ts3 __attribute__((unused)) = FZ_TYPE(EDDY_TYPE_TIMESTAMP, 3, -1);
static eddy_sqltype fz_ltz3 __attribute__((unused)) = FZ_TYPE(EDDY_TYPE_TIMESTAMP_LTZ, 3, -1);
static eddy_sqltype fz_date __attribute__((unused)) = FZ_TYPE(EDDY_TYPE_DATE, -1, -1);
static eddy_sqltype fz_time3 __attribute__((unused)) = FZ_TYPE(EDDY_TYPE_TIME, 3, -1);
/* ROW<price BIGINT, auction BIGINT>: its cells are JSON text whatever the fields */
static eddy_sqlfield fz_bid_fields[] __attribute__((unused)) = {{"price", &fz_bigint, NULL},
                                                                {"auction", &fz_bigint, NULL}};
static eddy_sqltype fz_row __attribute__((unused)) = {.kind = EDDY_TYPE_ROW, .precision = -1,
                                                     .scale = -1, .fields = fz_bid_fields,
                                                     .nfields = 2};
static eddy_sqltype fz_array __attribute__((unused)) = {.kind = EDDY_TYPE_ARRAY, .precision = -1,
                                                       .scale = -1, .elem = &fz_bigint};

/* The columns of a fuzz schema: name and type (names are the fields of the encoded rows). */
typedef struct fz_column {
    const char *name;
    eddy_sqltype *type;
} fz_column;

/* A schema over cols[0..n) (borrowed). Free with free(s.fields). */
static inline eddy_schema fz_schema(const fz_column *cols, int n)
{
    eddy_schema s;
    s.n = n;
    s.fields = calloc((size_t)n, sizeof(eddy_field));
    if (!s.fields) abort();
    for (int i = 0; i < n; i++) {
        s.fields[i].name = cols[i].name;
        s.fields[i].type = cols[i].type;
    }
    return s;
}

static inline eddy_batch *fz_batch(const eddy_schema *s, int cap)
{
    const eddy_sqltype *types[64];
    for (int i = 0; i < s->n && i < 64; i++) types[i] = s->fields[i].type;
    return eddy_batch_new(s->n, types, cap);
}

static inline bool fz_isnull(const eddy_batch *b, int c, int r)
{
    return b->cols[c].nulls && b->cols[c].nulls[r];
}

/* Prints a cell for a failure report. */
static inline void fz_print_cell(const eddy_batch *b, int c, int r)
{
    const eddy_col *col = &b->cols[c];
    if (fz_isnull(b, c, r)) {
        fprintf(stderr, "NULL");
        return;
    }
    switch (col->phys) {
    case EDDY_PHYS_BOOL: fprintf(stderr, "%s", col->v.b[r] ? "true" : "false"); break;
    case EDDY_PHYS_I64: fprintf(stderr, "%lld", (long long)col->v.i64[r]); break;
    case EDDY_PHYS_F64: fprintf(stderr, "%.17g", col->v.f64[r]); break;
    case EDDY_PHYS_DEC: {
        __int128 v = col->v.dec[r];
        fprintf(stderr, "unscaled hi %lld lo %llu", (long long)(v >> 64),
                (unsigned long long)(uint64_t)v);
        break;
    }
    case EDDY_PHYS_STR:
        fprintf(stderr, "'%.*s' (%u bytes)", (int)col->v.str[r].n, col->v.str[r].p,
                (unsigned)col->v.str[r].n);
        break;
    }
}

/* Whether cell (ca, ra) of a equals cell (cb, rb) of b: NULLs equal, doubles by value with
 * NaN equal to NaN and -0.0 apart from 0.0, strings by their bytes. */
static inline bool fz_cell_equal(const eddy_batch *a, int ca, int ra, const eddy_batch *b, int cb,
                                 int rb)
{
    bool na = fz_isnull(a, ca, ra), nb = fz_isnull(b, cb, rb);
    if (na || nb) return na == nb;
    const eddy_col *x = &a->cols[ca], *y = &b->cols[cb];
    if (x->phys != y->phys) return false;
    switch (x->phys) {
    case EDDY_PHYS_BOOL: return (x->v.b[ra] != 0) == (y->v.b[rb] != 0);
    case EDDY_PHYS_I64: return x->v.i64[ra] == y->v.i64[rb];
    case EDDY_PHYS_F64: {
        double u = x->v.f64[ra], v = y->v.f64[rb];
        if (isnan(u) || isnan(v)) return isnan(u) && isnan(v);
        return u == v && signbit(u) == signbit(v);
    }
    case EDDY_PHYS_DEC: return x->v.dec[ra] == y->v.dec[rb];
    case EDDY_PHYS_STR:
        return x->v.str[ra].n == y->v.str[rb].n &&
               (x->v.str[ra].n == 0 || memcmp(x->v.str[ra].p, y->v.str[rb].p, x->v.str[ra].n) == 0);
    }
    return false;
}

/* Reports a difference between two cells and aborts. */
static inline void fz_differ(const char *what, const char *col, const eddy_batch *a, int ca, int ra,
                             const eddy_batch *b, int cb, int rb, const char *text, size_t ntext)
{
    fprintf(stderr, "%s: column '%s' differs: decoded ", what, col);
    fz_print_cell(a, ca, ra);
    fprintf(stderr, ", after the round trip ");
    fz_print_cell(b, cb, rb);
    fprintf(stderr, "\nencoded text: %.*s\n", (int)ntext, text);
    abort();
}

#endif
