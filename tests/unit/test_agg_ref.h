/*
 * test_agg_ref.h: a naive reference for the aggregation tests: one input schema with a column
 * of each kind, one list of aggregate calls covering every aggregate function (with DISTINCT,
 * FILTER and NULLs), random rows, and plain loops that compute each aggregate over a list of
 * rows by its definition. Include after test_agg_util.h.
 */
#ifndef EDDY_TEST_AGG_REF_H
#define EDDY_TEST_AGG_REF_H

#include "test_agg_util.h"

/* Input columns. */
enum { IN_TS, IN_K, IN_KS, IN_V, IN_D, IN_DEC, IN_S, IN_FLAG, IN_B, IN_SEP, IN_NCOLS };

static const eddy_field ref_in_fields[IN_NCOLS] = {
    {"ts", &tu_ts, true, false},   {"k", &tu_bigint, false, false},
    {"ks", &tu_str, false, false}, {"v", &tu_bigint, false, false},
    {"d", &tu_double, false, false}, {"dec", &tu_dec102, false, false},
    {"s", &tu_str, false, false},  {"flag", &tu_bool, false, false},
    {"b", &tu_bool, false, false}, {"sep", &tu_str, false, false},
};

typedef struct ref_agg {
    eddy_agg fn;
    int arg;
    int filter;
    bool distinct;
    const eddy_sqltype *type;
    int arg2;
} ref_agg;

static const ref_agg ref_aggs[] = {
    {EDDY_AGG_COUNT, -1, -1, false, &tu_bigint, -1},
    {EDDY_AGG_COUNT, IN_V, -1, false, &tu_bigint, -1},
    {EDDY_AGG_SUM, IN_V, -1, false, &tu_bigint, -1},
    {EDDY_AGG_AVG, IN_V, -1, false, &tu_bigint, -1},
    {EDDY_AGG_MIN, IN_V, -1, false, &tu_bigint, -1},
    {EDDY_AGG_MAX, IN_V, -1, false, &tu_bigint, -1},
    {EDDY_AGG_COUNT, IN_V, -1, true, &tu_bigint, -1},
    {EDDY_AGG_SUM, IN_V, IN_FLAG, false, &tu_bigint, -1},
    {EDDY_AGG_COUNT, IN_V, IN_FLAG, true, &tu_bigint, -1},
    {EDDY_AGG_SUM, IN_V, -1, true, &tu_bigint, -1},
    {EDDY_AGG_MIN, IN_S, -1, false, &tu_str, -1},
    {EDDY_AGG_MAX, IN_S, -1, false, &tu_str, -1},
    {EDDY_AGG_SUM, IN_DEC, -1, false, &tu_dec382, -1},
    {EDDY_AGG_AVG, IN_DEC, -1, false, &tu_dec386, -1},
    {EDDY_AGG_AVG, IN_D, -1, false, &tu_double, -1},
    {EDDY_AGG_SUM, IN_D, -1, false, &tu_double, -1},
    {EDDY_AGG_FIRST_VALUE, IN_V, -1, false, &tu_bigint, -1},
    {EDDY_AGG_LAST_VALUE, IN_S, -1, false, &tu_str, -1},
    {EDDY_AGG_STDDEV_POP, IN_D, -1, false, &tu_double, -1},
    {EDDY_AGG_VAR_SAMP, IN_V, -1, false, &tu_double, -1},
    {EDDY_AGG_APPROX_COUNT_DISTINCT, IN_V, -1, false, &tu_bigint, -1},
    {EDDY_AGG_LISTAGG, IN_S, -1, false, &tu_str, -1},
    {EDDY_AGG_BOOL_AND, IN_B, -1, false, &tu_bool, -1},
    {EDDY_AGG_BOOL_OR, IN_B, -1, false, &tu_bool, -1},
    {EDDY_AGG_SUM0, IN_V, IN_FLAG, false, &tu_bigint, -1},
    {EDDY_AGG_MAX, IN_D, -1, false, &tu_double, -1},
    {EDDY_AGG_MIN, IN_TS, -1, false, &tu_ts, -1},
    {EDDY_AGG_COUNT, IN_S, IN_FLAG, true, &tu_bigint, -1},
    {EDDY_AGG_AVG, IN_V, -1, true, &tu_bigint, -1},
    {EDDY_AGG_STDDEV_SAMP, IN_DEC, -1, false, &tu_double, -1},
    {EDDY_AGG_VAR_POP, IN_D, IN_FLAG, false, &tu_double, -1},
    {EDDY_AGG_LISTAGG, IN_S, IN_FLAG, false, &tu_str, IN_SEP},
    {EDDY_AGG_MAX, IN_DEC, -1, false, &tu_dec102, -1},
    {EDDY_AGG_FIRST_VALUE, IN_S, -1, false, &tu_str, -1},
    {EDDY_AGG_LAST_VALUE, IN_D, -1, false, &tu_double, -1},
};
#define REF_NAGGS ((int)(sizeof ref_aggs / sizeof ref_aggs[0]))

/* The calls of ref_aggs in the arena (naggs of them, from index 0). */
static __attribute__((unused)) eddy_agg_call *ref_calls(int naggs)
{
    eddy_agg_call *c = eddy_arena_zalloc(tu_arena, sizeof(eddy_agg_call) * (size_t)naggs);
    for (int i = 0; i < naggs; i++) {
        c[i] = tu_call(ref_aggs[i].fn, ref_aggs[i].arg, ref_aggs[i].filter, ref_aggs[i].distinct,
                       ref_aggs[i].type);
        c[i].arg2 = ref_aggs[i].arg2;
    }
    return c;
}

static const char *ref_strs[] = {"a", "bb", "c", "dd", "", "zz", "abc", "b"};

static uint64_t ref_rng;
static __attribute__((unused)) uint32_t ref_rand(void)
{
    ref_rng ^= ref_rng << 13;
    ref_rng ^= ref_rng >> 7;
    ref_rng ^= ref_rng << 17;
    return (uint32_t)(ref_rng >> 11);
}
static __attribute__((unused)) int ref_between(int lo, int hi)
{
    return lo + (int)(ref_rand() % (uint32_t)(hi - lo + 1));
}

/* Random values for every column but IN_TS. nkeys: distinct keys; 1 in null_key_every rows
 * has a NULL key (0: never). */
static __attribute__((unused)) void ref_fill_row(tu_cell *r, int nkeys, int null_key_every)
{
    r[IN_K].i = ref_between(0, nkeys - 1);
    r[IN_K].null = null_key_every && ref_rand() % (uint32_t)null_key_every == 0;
    r[IN_KS].s = ref_strs[ref_rand() % 3];
    r[IN_V].i = ref_between(-20, 40);
    r[IN_V].null = ref_rand() % 10 == 0;
    r[IN_D].f = ref_between(-1000, 1000) / 8.0;
    r[IN_D].null = ref_rand() % 12 == 0;
    r[IN_DEC].d = ref_between(-100000, 100000);
    r[IN_DEC].null = ref_rand() % 9 == 0;
    r[IN_S].s = ref_strs[ref_rand() % 8];
    r[IN_S].null = ref_rand() % 8 == 0;
    r[IN_FLAG].i = ref_rand() % 2;
    r[IN_FLAG].null = ref_rand() % 7 == 0;
    r[IN_B].i = ref_rand() % 5 != 0;
    r[IN_B].null = ref_rand() % 6 == 0;
    r[IN_SEP].s = "|";
}

static __attribute__((unused)) bool ref_filter_ok(const tu_cell *r, int filter)
{
    return filter < 0 || (!r[filter].null && r[filter].i);
}

static __attribute__((unused)) bool ref_seen_before(const tu_cell *const *rows, int upto, int col,
                                                    int filter, const tu_cell *x)
{
    for (int j = 0; j < upto; j++) {
        const tu_cell *y = &rows[j][col];
        if (y->null || !ref_filter_ok(rows[j], filter)) continue;
        eddy_phys ph = eddy_phys_of(ref_in_fields[col].type);
        if (tu_cell_cmp(x, y, ph, 0) == 0) return true;
    }
    return false;
}

/* Computes aggregate a over rows[0..n) (in order) into out. */
static __attribute__((unused)) void ref_compute(const ref_agg *a, const tu_cell *const *rows,
                                                int n, tu_cell *out)
{
    memset(out, 0, sizeof *out);
    /* the values taken: non-NULL, filter TRUE, first occurrence for DISTINCT */
    const tu_cell **vals = malloc(sizeof(tu_cell *) * (size_t)(n ? n : 1));
    int m = 0;
    for (int i = 0; i < n; i++) {
        if (!ref_filter_ok(rows[i], a->filter)) continue;
        if (a->arg < 0) {
            vals[m++] = NULL;
            continue;
        }
        const tu_cell *x = &rows[i][a->arg];
        if (x->null) continue;
        if (a->distinct && ref_seen_before(rows, i, a->arg, a->filter, x)) continue;
        vals[m++] = x;
    }
    eddy_phys ph = a->arg >= 0 ? eddy_phys_of(ref_in_fields[a->arg].type) : EDDY_PHYS_I64;
    switch (a->fn) {
    case EDDY_AGG_COUNT: out->i = m; break;
    case EDDY_AGG_SUM:
    case EDDY_AGG_SUM0:
    case EDDY_AGG_AVG: {
        if (m == 0) {
            out->null = a->fn != EDDY_AGG_SUM0;
            break;
        }
        int64_t si = 0;
        double sf = 0;
        __int128 sd = 0;
        for (int i = 0; i < m; i++) {
            si += vals[i]->i;
            sf += vals[i]->f;
            sd += vals[i]->d;
        }
        if (ph == EDDY_PHYS_I64) out->i = a->fn == EDDY_AGG_AVG ? si / m : si;
        else if (ph == EDDY_PHYS_F64) out->f = a->fn == EDDY_AGG_AVG ? sf / m : sf;
        else if (a->fn != EDDY_AGG_AVG) out->d = sd;
        else {
            /* scale 2 -> 6, HALF_UP */
            __int128 num = sd * 10000, q = num / m, r = num % m;
            if (r < 0) r = -r;
            if (2 * r >= m) q += num < 0 ? -1 : 1;
            out->d = q;
        }
        break;
    }
    case EDDY_AGG_MIN:
    case EDDY_AGG_MAX: {
        if (m == 0) {
            out->null = true;
            break;
        }
        *out = *vals[0];
        for (int i = 1; i < m; i++) {
            int c = tu_cell_cmp(vals[i], out, ph, 0);
            if (ph == EDDY_PHYS_F64) c = vals[i]->f < out->f ? -1 : vals[i]->f > out->f;
            if (ph == EDDY_PHYS_STR) c = strcmp(vals[i]->s, out->s);
            if (a->fn == EDDY_AGG_MIN ? c < 0 : c > 0) *out = *vals[i];
        }
        break;
    }
    case EDDY_AGG_FIRST_VALUE:
        if (m == 0) out->null = true;
        else *out = *vals[0];
        break;
    case EDDY_AGG_LAST_VALUE:
        if (m == 0) out->null = true;
        else *out = *vals[m - 1];
        break;
    case EDDY_AGG_STDDEV_POP:
    case EDDY_AGG_STDDEV_SAMP:
    case EDDY_AGG_STDDEV:
    case EDDY_AGG_VAR_POP:
    case EDDY_AGG_VAR_SAMP:
    case EDDY_AGG_VARIANCE: {
        bool samp = a->fn == EDDY_AGG_STDDEV_SAMP || a->fn == EDDY_AGG_STDDEV ||
                    a->fn == EDDY_AGG_VAR_SAMP || a->fn == EDDY_AGG_VARIANCE;
        if (m == 0 || (samp && m == 1)) {
            out->null = true;
            break;
        }
        double mean = 0, ss = 0;
        for (int i = 0; i < m; i++) {
            double x = ph == EDDY_PHYS_F64 ? vals[i]->f
                       : ph == EDDY_PHYS_DEC ? (double)vals[i]->d / 100.0 : (double)vals[i]->i;
            mean += x;
        }
        mean /= m;
        for (int i = 0; i < m; i++) {
            double x = ph == EDDY_PHYS_F64 ? vals[i]->f
                       : ph == EDDY_PHYS_DEC ? (double)vals[i]->d / 100.0 : (double)vals[i]->i;
            ss += (x - mean) * (x - mean);
        }
        double v = ss / (samp ? m - 1 : m);
        bool sd = a->fn == EDDY_AGG_STDDEV_POP || a->fn == EDDY_AGG_STDDEV_SAMP ||
                  a->fn == EDDY_AGG_STDDEV;
        out->f = sd ? sqrt(v) : v;
        break;
    }
    case EDDY_AGG_APPROX_COUNT_DISTINCT: {
        int d = 0;
        for (int i = 0; i < m; i++) {
            bool dup = false;
            for (int j = 0; j < i && !dup; j++) dup = tu_cell_cmp(vals[i], vals[j], ph, 0) == 0;
            d += !dup;
        }
        out->i = d;
        break;
    }
    case EDDY_AGG_LISTAGG: {
        if (m == 0) {
            out->null = true;
            break;
        }
        size_t len = 1;
        for (int i = 0; i < m; i++) len += strlen(vals[i]->s) + 1;
        char *s = eddy_arena_alloc(tu_arena, len), *p = s;
        for (int i = 0; i < m; i++) {
            if (i) *p++ = a->arg2 >= 0 ? '|' : ',';
            size_t l = strlen(vals[i]->s);
            memcpy(p, vals[i]->s, l);
            p += l;
        }
        *p = 0;
        out->s = s;
        break;
    }
    case EDDY_AGG_BOOL_AND:
    case EDDY_AGG_BOOL_OR: {
        if (m == 0) {
            out->null = true;
            break;
        }
        bool r = a->fn == EDDY_AGG_BOOL_AND;
        for (int i = 0; i < m; i++) r = a->fn == EDDY_AGG_BOOL_AND ? r && vals[i]->i : r || vals[i]->i;
        out->i = r;
        break;
    }
    case EDDY_AGG__COUNT: break;
    }
    free(vals);
}

/* Compares one aggregate result of the operator (got) with the reference (want). */
static __attribute__((unused)) bool ref_agg_equal(const ref_agg *a, const tu_cell *got,
                                                  const tu_cell *want)
{
    eddy_phys ph = eddy_phys_of(a->type);
    if (a->fn == EDDY_AGG_APPROX_COUNT_DISTINCT) {
        if (got->null != want->null) return false;
        int64_t d = got->i - want->i;
        if (d < 0) d = -d;
        return d <= 1 + want->i / 50;
    }
    return tu_cell_cmp(got, want, ph, ph == EDDY_PHYS_F64 ? 1e-9 : 0) == 0;
}

#endif
