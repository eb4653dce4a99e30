/*
 * test_conn_util.h: small helpers shared by the connector tests (test_conn_*.c): SQL types,
 * schemas, batches shaped like a schema, source/sink specs, and reading a cell as text.
 * Header-only (static functions) so that each test stays one program.
 */
#ifndef EDDY_TEST_CONN_UTIL_H
#define EDDY_TEST_CONN_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/arena.h"
#include "common/sqltype.h"
#include "connectors/connectors.h"
#include "planner/plan.h"
#include "runtime/batch.h"
#include "runtime/connector.h"

static eddy_sqltype __attribute__((unused)) tc_bool = {.kind = EDDY_TYPE_BOOLEAN, .precision = -1, .scale = -1};
static eddy_sqltype __attribute__((unused)) tc_tinyint = {.kind = EDDY_TYPE_TINYINT, .precision = -1, .scale = -1};
static eddy_sqltype __attribute__((unused)) tc_int = {.kind = EDDY_TYPE_INT, .precision = -1, .scale = -1};
static eddy_sqltype __attribute__((unused)) tc_bigint = {.kind = EDDY_TYPE_BIGINT, .precision = -1, .scale = -1};
static eddy_sqltype __attribute__((unused)) tc_double = {.kind = EDDY_TYPE_DOUBLE, .precision = -1, .scale = -1};
static eddy_sqltype __attribute__((unused)) tc_float = {.kind = EDDY_TYPE_FLOAT, .precision = -1, .scale = -1};
static eddy_sqltype __attribute__((unused)) tc_dec10_2 = {.kind = EDDY_TYPE_DECIMAL, .precision = 10, .scale = 2};
static eddy_sqltype __attribute__((unused)) tc_varchar = {.kind = EDDY_TYPE_VARCHAR, .precision = -1, .scale = -1};
static eddy_sqltype __attribute__((unused)) tc_bytes = {.kind = EDDY_TYPE_VARBINARY, .precision = -1, .scale = -1};
static eddy_sqltype __attribute__((unused)) tc_ts3 = {.kind = EDDY_TYPE_TIMESTAMP, .precision = 3, .scale = -1};
static eddy_sqltype __attribute__((unused)) tc_ltz3 = {.kind = EDDY_TYPE_TIMESTAMP_LTZ, .precision = 3, .scale = -1};
static eddy_sqltype __attribute__((unused)) tc_date = {.kind = EDDY_TYPE_DATE, .precision = -1, .scale = -1};
static eddy_sqltype __attribute__((unused)) tc_time = {.kind = EDDY_TYPE_TIME, .precision = 0, .scale = -1};
static eddy_sqltype __attribute__((unused)) tc_row = {.kind = EDDY_TYPE_ROW, .precision = -1, .scale = -1};

/* A schema of n columns; names and types are borrowed. Free with free(s.fields). */
static inline eddy_schema tc_schema(int n, const char *const *names, eddy_sqltype *const *types)
{
    eddy_schema s;
    s.n = n;
    s.fields = calloc(n > 0 ? (size_t)n : 1u, sizeof(eddy_field));
    for (int i = 0; i < n; i++) {
        s.fields[i].name = names[i];
        s.fields[i].type = types[i];
    }
    return s;
}

static inline eddy_batch *tc_batch(const eddy_schema *s, int cap)
{
    const eddy_sqltype *types[64];
    for (int i = 0; i < s->n; i++) types[i] = s->fields[i].type;
    return eddy_batch_new(s->n, types, cap);
}

static inline int tc_isnull(const eddy_batch *b, int c, int r)
{
    return b->cols[c].nulls && b->cols[c].nulls[r];
}

/* The string cell (c, r) as a NUL-terminated copy in a static ring of buffers. */
static inline const char *tc_str(const eddy_batch *b, int c, int r)
{
    static char ring[8][4096];
    static int k;
    char *o = ring[k++ & 7];
    eddy_str s = b->cols[c].v.str[r];
    size_t n = s.n < 4095 ? s.n : 4095;
    memcpy(o, s.p, n);
    o[n] = 0;
    return o;
}

/* A source spec over schema s with options kv (n pairs), paths by name. */
static inline eddy_source_spec tc_source_spec(const char *table, const eddy_schema *s,
                                              const eddy_kv *kv, int n)
{
    eddy_source_spec sp;
    memset(&sp, 0, sizeof sp);
    sp.table = table;
    sp.options = kv;
    sp.noptions = n;
    sp.schema = s;
    sp.batch_rows = EDDY_BATCH_ROWS;
    return sp;
}

static inline eddy_sink_spec tc_sink_spec(const char *table, const eddy_schema *s,
                                          const eddy_kv *kv, int n, FILE *out)
{
    eddy_sink_spec sp;
    memset(&sp, 0, sizeof sp);
    sp.table = table;
    sp.options = kv;
    sp.noptions = n;
    sp.schema = s;
    sp.out = out;
    sp.job_name = "test";
    return sp;
}

/* Reads a whole file into a malloc'ed NUL-terminated string (NULL if missing). */
static inline char *tc_read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    size_t got = fread(s, 1, (size_t)n, f);
    s[got] = 0;
    fclose(f);
    return s;
}

static inline void tc_write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    if (!f) return;
    fputs(text, f);
    fclose(f);
}

#endif
