/*
 * agg.c: the accumulators of agg.h: layout, column-wise update kernels, merge, results.
 *
 * Each aggregate call becomes an agg1 (kind, argument column and type, FILTER column, offset
 * of its state in the row). The hot aggregates (COUNT, SUM, $SUM0, AVG, MIN, MAX over numbers)
 * have one loop per physical type; the others go through apply_one(), a switch on the kind
 * inside the loop: a well-predicted branch, not an indirect call. DISTINCT aggregates are
 * driven per value by their group's set (see agg.h).
 *
 * DECIMAL states hold the unscaled sum at the argument's scale in a 128-bit integer declared
 * with 8-byte alignment (i128a): hash-table value slots are 8-byte aligned, and the compiler
 * must not assume 16 for them.
 */
#include "agg.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../common/decimal.h"
#include "../common/hash.h"
#include "../common/hashmap.h"
#include "../common/hll.h"
#include "distinct_set.h"

typedef __int128 i128a __attribute__((aligned(8)));

/* ---- states ---- */

typedef struct vstr {
    char *p;        /* heap bytes, or NULL */
    uint32_t n;     /* length */
    uint32_t cap;   /* allocated */
} vstr;

typedef struct st_count {
    int64_t n;
} st_count;

typedef struct st_isum {
    int64_t sum;    /* BIGINT sum */
    int64_t n;      /* values added */
} st_isum;

typedef struct st_fsum {
    double sum;
    int64_t n;
} st_fsum;

typedef struct st_dsum {
    i128a sum;      /* unscaled, at the argument's scale */
    int64_t n;
} st_dsum;

typedef struct st_val {
    int64_t has;    /* a value is set */
    union {
        int64_t i;  /* I64, BOOL */
        double f;
        i128a d;
        vstr s;
    } v;            /* MIN/MAX/FIRST/LAST value; over an 8-byte type only v.i / v.f exist:
                     * the state is then 16 bytes (val_size), not sizeof(st_val) */
} st_val;

/* Bytes of a MIN/MAX/FIRST/LAST state over representation ph. */
static inline size_t val_size(eddy_phys ph)
{
    return ph == EDDY_PHYS_DEC || ph == EDDY_PHYS_STR ? sizeof(st_val) : 16;
}

typedef struct st_var {
    int64_t n;
    double mean;
    double m2;      /* sum of squared deviations from the mean */
} st_var;

typedef struct st_list {
    vstr s;         /* the joined text */
    vstr sep;       /* the separator seen first (NULL: ',') */
    int64_t has;    /* at least one value */
} st_list;

typedef struct st_bool {
    uint8_t has;
    uint8_t v;
    uint8_t pad[6];
} st_bool;

/* ---- compiled calls ---- */

typedef enum akind {
    A_COUNT_STAR,
    A_COUNT,
    A_SUM,
    A_SUM0,
    A_AVG,
    A_MIN,
    A_MAX,
    A_FIRST,
    A_LAST,
    A_VAR_POP,
    A_VAR_SAMP,
    A_STD_POP,
    A_STD_SAMP,
    A_HLL,
    A_LISTAGG,
    A_BOOL_AND,
    A_BOOL_OR,
} akind;

typedef struct agg1 {
    akind kind;
    const char *fname;          /* SQL name for messages */
    int arg;                    /* argument column, -1 for COUNT(*) */
    int arg2;                   /* LISTAGG separator column, -1 */
    int filter;                 /* FILTER column, -1 */
    eddy_phys in;               /* argument's representation */
    int in_scale;               /* argument's DECIMAL scale */
    const eddy_sqltype *rtype;  /* result type */
    eddy_phys out;              /* result representation */
    size_t off;                 /* state offset in the row */
    int dgroup;                 /* distinct group, -1 */
    bool heap;                  /* the state may own heap memory */
    bool shared;                /* reads the state of an earlier aggregate that is updated the
                                 * same way (SUM and AVG of one column, ...): no state, no update */
} agg1;

#define DG_MAX 64 /* aggregates per distinct set: bits of the mask */

typedef struct dgroup {
    int arg;            /* the argument column */
    eddy_phys phys;     /* its representation */
    bool compact;       /* 8-byte values: an eddy_dset (distinct_set.h), else an eddy_hset */
    int mb;             /* eddy_dset mask bytes */
    size_t off;         /* offset of the set pointer in the row */
    int n;              /* aggregates sharing the set */
    int aggs[DG_MAX];   /* their indexes; bit i of a mask is aggs[i] */
} dgroup;

struct eddy_aggs {
    int n;              /* aggregates */
    agg1 *a;
    int ndg;            /* distinct sets per row */
    dgroup *dg;
    size_t header;      /* operator header bytes */
    size_t size;        /* row size */
    bool heap;          /* rows may own heap memory */
    int line, col;      /* SQL position for errors */
};

/* A value taken from a column or a distinct set. */
typedef struct aval {
    int64_t i;          /* I64; BOOL as 0/1 */
    double f;
    __int128 d;
    const char *p;      /* STR */
    uint32_t n;
    const char *sep;    /* LISTAGG: the row's separator, or NULL */
    uint32_t sepn;
} aval;

/* ---- helpers ---- */

static size_t state_size(akind k, eddy_phys in)
{
    switch (k) {
    case A_COUNT_STAR:
    case A_COUNT: return sizeof(st_count);
    case A_SUM:
    case A_SUM0:
    case A_AVG:
        return in == EDDY_PHYS_DEC ? sizeof(st_dsum)
               : in == EDDY_PHYS_F64 ? sizeof(st_fsum) : sizeof(st_isum);
    case A_MIN:
    case A_MAX:
    case A_FIRST:
    case A_LAST: return val_size(in);
    case A_VAR_POP:
    case A_VAR_SAMP:
    case A_STD_POP:
    case A_STD_SAMP: return sizeof(st_var);
    case A_HLL: return sizeof(eddy_hll);
    case A_LISTAGG: return sizeof(st_list);
    case A_BOOL_AND:
    case A_BOOL_OR: return sizeof(st_bool);
    }
    return 8;
}

static inline uint64_t f64_bits(double d)
{
    uint64_t u;
    if (d == 0) d = 0.0;
    if (isnan(d)) d = NAN;
    memcpy(&u, &d, 8);
    return u;
}

static inline int str_cmp(const char *a, uint32_t an, const char *b, uint32_t bn)
{
    uint32_t m = an < bn ? an : bn;
    int c = m ? memcmp(a, b, m) : 0;
    if (c) return c;
    return an < bn ? -1 : an > bn ? 1 : 0;
}

static void vstr_reserve(vstr *s, uint32_t need, int64_t *heap)
{
    if (need <= s->cap) return;
    uint32_t cap = s->cap ? s->cap : 16;
    while (cap < need) cap = cap > UINT32_MAX / 2 ? need : cap * 2;
    s->p = eddy_xrealloc(s->p, cap);
    *heap += (int64_t)cap - (int64_t)s->cap;
    s->cap = cap;
}

static void vstr_set(vstr *s, const char *p, uint32_t n, int64_t *heap)
{
    vstr_reserve(s, n ? n : 1, heap);
    if (n) memcpy(s->p, p, n);
    s->n = n;
}

static void vstr_append(vstr *s, const char *p, uint32_t n, int64_t *heap)
{
    vstr_reserve(s, s->n + n, heap);
    if (n) memcpy(s->p + s->n, p, n);
    s->n += n;
}

static void vstr_free(vstr *s, int64_t *heap)
{
    free(s->p);
    *heap -= s->cap;
    s->p = NULL;
    s->n = s->cap = 0;
}

static inline void get_aval(const eddy_col *c, eddy_phys ph, int r, aval *v)
{
    switch (ph) {
    case EDDY_PHYS_BOOL: v->i = c->v.b[r] != 0; break;
    case EDDY_PHYS_I64: v->i = c->v.i64[r]; break;
    case EDDY_PHYS_F64: v->f = c->v.f64[r]; break;
    case EDDY_PHYS_DEC: v->d = c->v.dec[r]; break;
    case EDDY_PHYS_STR:
        v->p = c->v.str[r].p;
        v->n = c->v.str[r].n;
        break;
    }
}

static inline double aval_double(const agg1 *g, const aval *v)
{
    switch (g->in) {
    case EDDY_PHYS_F64: return v->f;
    case EDDY_PHYS_DEC: return eddy_dec_to_double(v->d, g->in_scale);
    default: return (double)v->i;
    }
}

static inline uint64_t aval_hash(eddy_phys ph, const aval *v)
{
    switch (ph) {
    case EDDY_PHYS_BOOL:
    case EDDY_PHYS_I64: return eddy_hash_u64((uint64_t)v->i);
    case EDDY_PHYS_F64: return eddy_hash_u64(f64_bits(v->f));
    case EDDY_PHYS_DEC: {
        __int128 d = v->d;
        return eddy_hash_bytes(&d, 16);
    }
    case EDDY_PHYS_STR: return eddy_hash_bytes(v->p, v->n);
    }
    return 0;
}

/* Sets a MIN/MAX/FIRST/LAST state to v. */
static inline void val_set(st_val *s, eddy_phys ph, const aval *v, int64_t *heap)
{
    switch (ph) {
    case EDDY_PHYS_BOOL:
    case EDDY_PHYS_I64: s->v.i = v->i; break;
    case EDDY_PHYS_F64: s->v.f = v->f; break;
    case EDDY_PHYS_DEC: s->v.d = v->d; break;
    case EDDY_PHYS_STR: vstr_set(&s->v.s, v->p, v->n, heap); break;
    }
    s->has = 1;
}

/* <0, 0, >0 as v is below, equal to, above the state's value. */
static inline int val_cmp(const st_val *s, eddy_phys ph, const aval *v)
{
    switch (ph) {
    case EDDY_PHYS_BOOL:
    case EDDY_PHYS_I64: return v->i < s->v.i ? -1 : v->i > s->v.i;
    case EDDY_PHYS_F64: return v->f < s->v.f ? -1 : v->f > s->v.f;
    case EDDY_PHYS_DEC: {
        __int128 d = s->v.d;
        return v->d < d ? -1 : v->d > d;
    }
    case EDDY_PHYS_STR: return str_cmp(v->p, v->n, s->v.s.p, s->v.s.n);
    }
    return 0;
}

static inline void welford(st_var *s, double x)
{
    s->n++;
    double d = x - s->mean;
    s->mean += d / (double)s->n;
    s->m2 += d * (x - s->mean);
}

/* Adds one value to one state; returns 1 on overflow. */
static int apply_one(const agg1 *g, char *st, const aval *v, int64_t *heap)
{
    switch (g->kind) {
    case A_COUNT_STAR:
    case A_COUNT: ((st_count *)st)->n++; return 0;
    case A_SUM:
    case A_SUM0:
    case A_AVG:
        if (g->in == EDDY_PHYS_F64) {
            st_fsum *s = (st_fsum *)st;
            s->sum += v->f;
            s->n++;
            return 0;
        } else if (g->in == EDDY_PHYS_DEC) {
            st_dsum *s = (st_dsum *)st;
            __int128 r;
            int o = __builtin_add_overflow((__int128)s->sum, v->d, &r);
            s->sum = r;
            s->n++;
            return o;
        } else {
            st_isum *s = (st_isum *)st;
            s->n++;
            return __builtin_add_overflow(s->sum, v->i, &s->sum);
        }
    case A_MIN: {
        st_val *s = (st_val *)st;
        if (!s->has || val_cmp(s, g->in, v) < 0) val_set(s, g->in, v, heap);
        return 0;
    }
    case A_MAX: {
        st_val *s = (st_val *)st;
        if (!s->has || val_cmp(s, g->in, v) > 0) val_set(s, g->in, v, heap);
        return 0;
    }
    case A_FIRST: {
        st_val *s = (st_val *)st;
        if (!s->has) val_set(s, g->in, v, heap);
        return 0;
    }
    case A_LAST: val_set((st_val *)st, g->in, v, heap); return 0;
    case A_VAR_POP:
    case A_VAR_SAMP:
    case A_STD_POP:
    case A_STD_SAMP: welford((st_var *)st, aval_double(g, v)); return 0;
    case A_HLL: {
        eddy_hll *h = (eddy_hll *)st;
        size_t m0 = eddy_hll_memory(h);
        eddy_hll_add(h, aval_hash(g->in, v));
        *heap += (int64_t)eddy_hll_memory(h) - (int64_t)m0;
        return 0;
    }
    case A_LISTAGG: {
        st_list *s = (st_list *)st;
        if (v->sep && !s->sep.p) vstr_set(&s->sep, v->sep, v->sepn, heap);
        if (s->has) {
            if (v->sep) vstr_append(&s->s, v->sep, v->sepn, heap);
            else if (s->sep.p) vstr_append(&s->s, s->sep.p, s->sep.n, heap);
            else vstr_append(&s->s, ",", 1, heap);
        }
        vstr_append(&s->s, v->p, v->n, heap);
        s->has = 1;
        return 0;
    }
    case A_BOOL_AND: {
        st_bool *s = (st_bool *)st;
        s->v = s->has ? (s->v && v->i) : (v->i != 0);
        s->has = 1;
        return 0;
    }
    case A_BOOL_OR: {
        st_bool *s = (st_bool *)st;
        s->v = s->has ? (s->v || v->i) : (v->i != 0);
        s->has = 1;
        return 0;
    }
    }
    return 0;
}

/* ---- compile ---- */

static akind kind_of(eddy_agg fn, int arg)
{
    switch (fn) {
    case EDDY_AGG_COUNT: return arg < 0 ? A_COUNT_STAR : A_COUNT;
    case EDDY_AGG_SUM: return A_SUM;
    case EDDY_AGG_SUM0: return A_SUM0;
    case EDDY_AGG_AVG: return A_AVG;
    case EDDY_AGG_MIN: return A_MIN;
    case EDDY_AGG_MAX: return A_MAX;
    case EDDY_AGG_FIRST_VALUE: return A_FIRST;
    case EDDY_AGG_LAST_VALUE: return A_LAST;
    case EDDY_AGG_STDDEV_POP: return A_STD_POP;
    case EDDY_AGG_STDDEV_SAMP:
    case EDDY_AGG_STDDEV: return A_STD_SAMP;
    case EDDY_AGG_VAR_POP: return A_VAR_POP;
    case EDDY_AGG_VAR_SAMP:
    case EDDY_AGG_VARIANCE: return A_VAR_SAMP;
    case EDDY_AGG_APPROX_COUNT_DISTINCT: return A_HLL;
    case EDDY_AGG_LISTAGG: return A_LISTAGG;
    case EDDY_AGG_BOOL_AND: return A_BOOL_AND;
    case EDDY_AGG_BOOL_OR: return A_BOOL_OR;
    case EDDY_AGG__COUNT: break;
    }
    return A_COUNT_STAR;
}

static const char *agg_sql_name(eddy_agg fn)
{
    static const char *names[] = {
#define EDDY_AGG_NAME(id, name, lo, hi) name,
        EDDY_AGG_FUNCTIONS(EDDY_AGG_NAME)
#undef EDDY_AGG_NAME
    };
    return (unsigned)fn < EDDY_AGG__COUNT ? names[fn] : "?";
}

/* Whether DISTINCT changes the result (otherwise it is ignored). */
static bool distinct_matters(akind k)
{
    switch (k) {
    case A_COUNT:
    case A_SUM:
    case A_SUM0:
    case A_AVG:
    case A_VAR_POP:
    case A_VAR_SAMP:
    case A_STD_POP:
    case A_STD_SAMP:
    case A_LISTAGG: return true;
    default: return false;
    }
}

/* Aggregates whose states are updated alike: the same class over the same column, FILTER and
 * representation keep one state (Flink shares them too: AVG is SUM / COUNT there). */
static int state_class(akind k)
{
    switch (k) {
    case A_SUM:
    case A_SUM0:
    case A_AVG: return 1;
    case A_COUNT_STAR: return 2;
    case A_COUNT: return 3;
    case A_MIN: return 4;
    case A_MAX: return 5;
    case A_VAR_POP:
    case A_VAR_SAMP:
    case A_STD_POP:
    case A_STD_SAMP: return 6;
    case A_BOOL_AND: return 7;
    case A_BOOL_OR: return 8;
    default: return 0;
    }
}

/* The earlier non-distinct aggregate whose state aggregate i can share, or -1. */
static int same_state(const eddy_aggs *a, int i)
{
    const agg1 *g = &a->a[i];
    int cls = state_class(g->kind);
    if (!cls) return -1;
    for (int j = 0; j < i; j++) {
        const agg1 *h = &a->a[j];
        if (h->shared || h->dgroup >= 0 || state_class(h->kind) != cls) continue;
        if (h->arg == g->arg && h->filter == g->filter && h->in == g->in &&
            h->in_scale == g->in_scale)
            return j;
    }
    return -1;
}

eddy_aggs *eddy_aggs_new(const eddy_agg_call *calls, int n, const eddy_schema *in,
                         size_t header, int line, int col, eddy_error *err)
{
    eddy_aggs *a = eddy_xcalloc(1, sizeof *a);
    a->n = n;
    a->a = eddy_xcalloc((size_t)(n ? n : 1), sizeof(agg1));
    a->dg = eddy_xcalloc((size_t)(n ? n : 1), sizeof(dgroup));
    a->header = (header + 7) & ~(size_t)7;
    a->line = line;
    a->col = col;
    size_t off = a->header;
    for (int i = 0; i < n; i++) {
        const eddy_agg_call *c = &calls[i];
        agg1 *g = &a->a[i];
        g->kind = kind_of(c->fn, c->arg);
        g->fname = agg_sql_name(c->fn);
        g->arg = c->arg;
        g->arg2 = c->arg2;
        g->filter = c->filter;
        g->rtype = c->type;
        g->out = eddy_phys_of(c->type);
        g->dgroup = -1;
        if (c->arg >= in->n || c->arg2 >= in->n || c->filter >= in->n ||
            (c->arg < 0 && c->fn != EDDY_AGG_COUNT)) {
            eddy_error_set(err, EDDY_EPLAN, line, col, "aggregate %s refers to a missing column",
                           g->fname);
            eddy_aggs_free(a);
            return NULL;
        }
        if (c->arg >= 0) {
            const eddy_sqltype *t = in->fields[c->arg].type;
            g->in = eddy_phys_of(t);
            g->in_scale = t->kind == EDDY_TYPE_DECIMAL && t->scale > 0 ? t->scale : 0;
        }
        bool ok = true;
        switch (g->kind) {
        case A_SUM:
        case A_SUM0:
        case A_AVG:
        case A_VAR_POP:
        case A_VAR_SAMP:
        case A_STD_POP:
        case A_STD_SAMP:
            ok = g->in == EDDY_PHYS_I64 || g->in == EDDY_PHYS_F64 || g->in == EDDY_PHYS_DEC;
            break;
        case A_LISTAGG: ok = g->in == EDDY_PHYS_STR; break;
        case A_BOOL_AND:
        case A_BOOL_OR: ok = g->in == EDDY_PHYS_BOOL; break;
        default: break;
        }
        if (!ok) {
            eddy_error_set(err, EDDY_EUNSUPPORTED, line, col,
                           "aggregate %s over %s is not supported", g->fname,
                           eddy_type_kind_name(in->fields[c->arg].type->kind));
            eddy_aggs_free(a);
            return NULL;
        }
        g->heap = g->kind == A_HLL || g->kind == A_LISTAGG ||
                  ((g->kind == A_MIN || g->kind == A_MAX || g->kind == A_FIRST ||
                    g->kind == A_LAST) && g->in == EDDY_PHYS_STR);
        a->heap |= g->heap;
        g->off = off;
        bool dist = c->distinct && distinct_matters(g->kind);
        int owner = dist ? -1 : same_state(a, i);
        if (owner >= 0) {
            g->shared = true;
            g->heap = false; /* the owner frees, encodes and decodes it */
            g->off = a->a[owner].off;
        } else {
            off += (state_size(g->kind, g->in) + 7) & ~(size_t)7;
        }

        if (dist) {
            int d = -1;
            for (int j = 0; j < a->ndg; j++)
                if (a->dg[j].arg == c->arg && a->dg[j].n < DG_MAX) d = j;
            if (d < 0) {
                d = a->ndg++;
                a->dg[d].arg = c->arg;
                a->dg[d].phys = g->in;
            }
            g->dgroup = d;
            a->dg[d].aggs[a->dg[d].n++] = i;
        }
    }
    for (int j = 0; j < a->ndg; j++) {
        dgroup *dg = &a->dg[j];
        dg->compact = dg->phys == EDDY_PHYS_I64 || dg->phys == EDDY_PHYS_F64 ||
                      dg->phys == EDDY_PHYS_BOOL;
        dg->mb = dg->n <= 4 ? 0 : dg->n <= 8 ? 1 : dg->n <= 16 ? 2 : dg->n <= 32 ? 4 : 8;
        dg->off = off;
        off += sizeof(void *);
        a->heap = true;
    }
    a->size = off;
    return a;
}

void eddy_aggs_free(eddy_aggs *a)
{
    if (!a) return;
    free(a->a);
    free(a->dg);
    free(a);
}

size_t eddy_aggs_row_size(const eddy_aggs *a)
{
    return a->size;
}

int eddy_aggs_count(const eddy_aggs *a)
{
    return a->n;
}

bool eddy_aggs_row_has_heap(const eddy_aggs *a)
{
    return a->heap;
}

/* ---- update ---- */

static int overflow_error(const eddy_aggs *a, const agg1 *g, eddy_error *err)
{
    return eddy_error_set(err, EDDY_ERUNTIME, a->line, a->col, "%s overflow in %s",
                          g->in == EDDY_PHYS_DEC ? "DECIMAL" : "BIGINT", g->fname);
}

#define ROWP(k) (r->base + (size_t)gs[k] * r->stride + g->off)

/* Runs aggregate g over the pairs (ss[k], gs[k]), k < m, whose arguments are not NULL and
 * whose FILTER is TRUE. Returns 1 on overflow. */
static int run_kernel(const agg1 *g, eddy_agg_rows *r, const eddy_batch *b, const int32_t *ss,
                      const uint32_t *gs, int m)
{
    const eddy_col *ac = g->arg >= 0 ? &b->cols[g->arg] : NULL;
    int ovf = 0;
    switch (g->kind) {
    case A_COUNT_STAR:
    case A_COUNT:
        for (int k = 0; k < m; k++) ((st_count *)ROWP(k))->n++;
        return 0;
    case A_SUM:
    case A_SUM0:
    case A_AVG:
        if (g->in == EDDY_PHYS_I64) {
            const int64_t *v = ac->v.i64;
            for (int k = 0; k < m; k++) {
                st_isum *s = (st_isum *)ROWP(k);
                ovf |= __builtin_add_overflow(s->sum, v[ss[k]], &s->sum);
                s->n++;
            }
        } else if (g->in == EDDY_PHYS_F64) {
            const double *v = ac->v.f64;
            for (int k = 0; k < m; k++) {
                st_fsum *s = (st_fsum *)ROWP(k);
                s->sum += v[ss[k]];
                s->n++;
            }
        } else {
            const __int128 *v = ac->v.dec;
            for (int k = 0; k < m; k++) {
                st_dsum *s = (st_dsum *)ROWP(k);
                __int128 t;
                ovf |= __builtin_add_overflow((__int128)s->sum, v[ss[k]], &t);
                s->sum = t;
                s->n++;
            }
        }
        return ovf;
    case A_MIN:
    case A_MAX:
        if (g->in == EDDY_PHYS_I64) {
            const int64_t *v = ac->v.i64;
            bool mx = g->kind == A_MAX;
            for (int k = 0; k < m; k++) {
                st_val *s = (st_val *)ROWP(k);
                int64_t x = v[ss[k]];
                if (!s->has || (mx ? x > s->v.i : x < s->v.i)) s->v.i = x;
                s->has = 1;
            }
            return 0;
        }
        if (g->in == EDDY_PHYS_F64) {
            const double *v = ac->v.f64;
            bool mx = g->kind == A_MAX;
            for (int k = 0; k < m; k++) {
                st_val *s = (st_val *)ROWP(k);
                double x = v[ss[k]];
                if (!s->has || (mx ? x > s->v.f : x < s->v.f)) s->v.f = x;
                s->has = 1;
            }
            return 0;
        }
        break;
    default: break;
    }
    /* the rest: one value at a time through apply_one */
    const eddy_col *sc = g->arg2 >= 0 ? &b->cols[g->arg2] : NULL;
    aval v;
    memset(&v, 0, sizeof v);
    for (int k = 0; k < m; k++) {
        int row = ss[k];
        get_aval(ac, g->in, row, &v);
        if (sc) {
            if (sc->nulls && sc->nulls[row]) {
                v.sep = NULL;
            } else {
                v.sep = sc->v.str[row].p;
                v.sepn = sc->v.str[row].n;
            }
        }
        ovf |= apply_one(g, ROWP(k), &v, &r->heap);
    }
    return ovf;
}

#undef ROWP

static inline bool filter_true(const eddy_col *fc, int r)
{
    return fc->v.b[r] && !(fc->nulls && fc->nulls[r]);
}

/* The mask slot of value v in set s (inserted with mask 0 when new). */
static uint64_t *dset_upsert(eddy_hset *s, eddy_phys ph, const aval *v, int64_t *heap)
{
    size_t m0 = eddy_hmap_memory(s);
    bool is_new = false;
    void *slot;
    switch (ph) {
    case EDDY_PHYS_BOOL:
    case EDDY_PHYS_I64:
        slot = eddy_hmap_upsert_u64(s, (uint64_t)v->i, eddy_hash_u64((uint64_t)v->i), &is_new,
                                    NULL);
        break;
    case EDDY_PHYS_F64: {
        uint64_t u = f64_bits(v->f);
        slot = eddy_hmap_upsert_u64(s, u, eddy_hash_u64(u), &is_new, NULL);
        break;
    }
    case EDDY_PHYS_DEC: {
        __int128 d = v->d;
        slot = eddy_hmap_upsert(s, &d, 16, eddy_hash_bytes(&d, 16), &is_new, NULL);
        break;
    }
    default:
        slot = eddy_hmap_upsert(s, v->p, v->n, eddy_hash_bytes(v->p, v->n), &is_new, NULL);
        break;
    }
    if (is_new) *heap += (int64_t)eddy_hmap_memory(s) - (int64_t)m0;
    return slot;
}

/* The value of a set's key. */
static void dset_value(eddy_phys ph, const void *key, size_t len, aval *v)
{
    memset(v, 0, sizeof *v);
    switch (ph) {
    case EDDY_PHYS_BOOL:
    case EDDY_PHYS_I64: memcpy(&v->i, key, 8); break;
    case EDDY_PHYS_F64: memcpy(&v->f, key, 8); break;
    case EDDY_PHYS_DEC: memcpy(&v->d, key, 16); break;
    case EDDY_PHYS_STR:
        v->p = key;
        v->n = (uint32_t)len;
        break;
    }
}

/* A compact set's 64 bits for value v, and back. */
static inline uint64_t compact_bits(const dgroup *d, const aval *v)
{
    return d->phys == EDDY_PHYS_F64 ? f64_bits(v->f) : (uint64_t)v->i;
}

static inline void compact_value(const dgroup *d, uint64_t u, aval *v)
{
    memset(v, 0, sizeof *v);
    if (d->phys == EDDY_PHYS_F64)
        memcpy(&v->f, &u, 8);
    else
        v->i = (int64_t)u;
}

static eddy_hset **dset_slot(const dgroup *d, char *row, int64_t *heap)
{
    eddy_hset **sp = (eddy_hset **)(row + d->off);
    if (!*sp) {
        *sp = eddy_hmap_new(sizeof(uint64_t), 0);
        *heap += (int64_t)eddy_hmap_memory(*sp);
    }
    return sp;
}

int eddy_aggs_update(const eddy_aggs *a, eddy_agg_rows *r, const eddy_batch *b,
                     const int32_t *sel, const uint32_t *gids, int n, eddy_arena *scratch,
                     eddy_error *err)
{
    if (n <= 0) return 0;
    size_t nn = (size_t)n;
    if (!sel) {
        int32_t *iota = eddy_arena_alloc(scratch, nn * sizeof(int32_t));
        for (int i = 0; i < n; i++) iota[i] = i;
        sel = iota;
    }
    int32_t *s2 = NULL;
    uint32_t *g2 = NULL;
    for (int j = 0; j < a->n; j++) {
        const agg1 *g = &a->a[j];
        if (g->dgroup >= 0 || g->shared) continue;
        const eddy_col *fc = g->filter >= 0 ? &b->cols[g->filter] : NULL;
        const eddy_col *ac = g->arg >= 0 ? &b->cols[g->arg] : NULL;
        const uint8_t *an = ac ? ac->nulls : NULL;
        const int32_t *ss = sel;
        const uint32_t *gs = gids;
        int m = n;
        if (fc || an) {
            if (!s2) {
                s2 = eddy_arena_alloc(scratch, nn * sizeof(int32_t));
                g2 = eddy_arena_alloc(scratch, nn * sizeof(uint32_t));
            }
            m = 0;
            for (int k = 0; k < n; k++) {
                int row = sel[k];
                bool keep = (!fc || filter_true(fc, row)) && !(an && an[row]);
                s2[m] = row;
                g2[m] = gids[k];
                m += keep;
            }
            ss = s2;
            gs = g2;
        }
        if (run_kernel(g, r, b, ss, gs, m)) return overflow_error(a, g, err);
    }
    for (int d = 0; d < a->ndg; d++) {
        const dgroup *dg = &a->dg[d];
        const eddy_col *ac = &b->cols[dg->arg];
        aval v;
        memset(&v, 0, sizeof v);
        for (int k = 0; k < n; k++) {
            int row = sel[k];
            if (ac->nulls && ac->nulls[row]) continue;
            uint64_t rowmask = 0;
            for (int i = 0; i < dg->n; i++) {
                const agg1 *g = &a->a[dg->aggs[i]];
                if (g->filter < 0 || filter_true(&b->cols[g->filter], row))
                    rowmask |= UINT64_C(1) << i;
            }
            if (!rowmask) continue;
            char *rp = r->base + (size_t)gids[k] * r->stride;
            get_aval(ac, dg->phys, row, &v);
            uint64_t nb;
            if (dg->compact) {
                nb = eddy_dset_add((eddy_dset **)(rp + dg->off), dg->mb, compact_bits(dg, &v),
                                   rowmask, &r->heap);
            } else {
                eddy_hset **sp = dset_slot(dg, rp, &r->heap);
                uint64_t *mask = dset_upsert(*sp, dg->phys, &v, &r->heap);
                nb = rowmask & ~*mask;
                *mask |= nb;
            }
            while (nb) {
                int i = __builtin_ctzll(nb);
                nb &= nb - 1;
                const agg1 *g = &a->a[dg->aggs[i]];
                if (g->arg2 >= 0) {
                    const eddy_col *sc = &b->cols[g->arg2];
                    if (sc->nulls && sc->nulls[row]) {
                        v.sep = NULL;
                    } else {
                        v.sep = sc->v.str[row].p;
                        v.sepn = sc->v.str[row].n;
                    }
                } else {
                    v.sep = NULL;
                }
                if (apply_one(g, rp + g->off, &v, &r->heap)) return overflow_error(a, g, err);
            }
        }
    }
    return 0;
}

/* ---- merge ---- */

static void val_copy(st_val *d, const st_val *s, eddy_phys ph, int64_t *heap)
{
    switch (ph) {
    case EDDY_PHYS_STR: vstr_set(&d->v.s, s->v.s.p, s->v.s.n, heap); break;
    case EDDY_PHYS_DEC: d->v.d = s->v.d; break;
    default: d->v.i = s->v.i; break; /* 8 bytes: also a DOUBLE's bits */
    }
    d->has = 1;
}

static int merge_one(const agg1 *g, char *dst, const char *src, int64_t *heap)
{
    switch (g->kind) {
    case A_COUNT_STAR:
    case A_COUNT: ((st_count *)dst)->n += ((const st_count *)src)->n; return 0;
    case A_SUM:
    case A_SUM0:
    case A_AVG:
        if (g->in == EDDY_PHYS_F64) {
            st_fsum *d = (st_fsum *)dst;
            const st_fsum *s = (const st_fsum *)src;
            d->sum += s->sum;
            d->n += s->n;
            return 0;
        } else if (g->in == EDDY_PHYS_DEC) {
            st_dsum *d = (st_dsum *)dst;
            const st_dsum *s = (const st_dsum *)src;
            __int128 t;
            int o = __builtin_add_overflow((__int128)d->sum, (__int128)s->sum, &t);
            d->sum = t;
            d->n += s->n;
            return o;
        } else {
            st_isum *d = (st_isum *)dst;
            const st_isum *s = (const st_isum *)src;
            d->n += s->n;
            return __builtin_add_overflow(d->sum, s->sum, &d->sum);
        }
    case A_MIN:
    case A_MAX: {
        st_val *d = (st_val *)dst;
        const st_val *s = (const st_val *)src;
        if (!s->has) return 0;
        if (!d->has) {
            val_copy(d, s, g->in, heap);
            return 0;
        }
        aval v;
        memset(&v, 0, sizeof v);
        switch (g->in) {
        case EDDY_PHYS_BOOL:
        case EDDY_PHYS_I64: v.i = s->v.i; break;
        case EDDY_PHYS_F64: v.f = s->v.f; break;
        case EDDY_PHYS_DEC: v.d = s->v.d; break;
        case EDDY_PHYS_STR:
            v.p = s->v.s.p;
            v.n = s->v.s.n;
            break;
        }
        int c = val_cmp(d, g->in, &v);
        if (g->kind == A_MIN ? c < 0 : c > 0) val_copy(d, s, g->in, heap);
        return 0;
    }
    case A_FIRST: {
        st_val *d = (st_val *)dst;
        const st_val *s = (const st_val *)src;
        if (!d->has && s->has) val_copy(d, s, g->in, heap);
        return 0;
    }
    case A_LAST: {
        st_val *d = (st_val *)dst;
        const st_val *s = (const st_val *)src;
        if (s->has) val_copy(d, s, g->in, heap);
        return 0;
    }
    case A_VAR_POP:
    case A_VAR_SAMP:
    case A_STD_POP:
    case A_STD_SAMP: {
        st_var *d = (st_var *)dst;
        const st_var *s = (const st_var *)src;
        if (s->n == 0) return 0;
        if (d->n == 0) {
            *d = *s;
            return 0;
        }
        double na = (double)d->n, nb = (double)s->n, n = na + nb;
        double delta = s->mean - d->mean;
        d->mean += delta * nb / n;
        d->m2 += s->m2 + delta * delta * na * nb / n;
        d->n += s->n;
        return 0;
    }
    case A_HLL: {
        eddy_hll *d = (eddy_hll *)dst;
        size_t m0 = eddy_hll_memory(d);
        eddy_hll_merge(d, (const eddy_hll *)src);
        *heap += (int64_t)eddy_hll_memory(d) - (int64_t)m0;
        return 0;
    }
    case A_LISTAGG: {
        st_list *d = (st_list *)dst;
        const st_list *s = (const st_list *)src;
        if (!s->has) return 0;
        if (!d->sep.p && s->sep.p) vstr_set(&d->sep, s->sep.p, s->sep.n, heap);
        if (d->has) {
            if (d->sep.p) vstr_append(&d->s, d->sep.p, d->sep.n, heap);
            else vstr_append(&d->s, ",", 1, heap);
        }
        vstr_append(&d->s, s->s.p, s->s.n, heap);
        d->has = 1;
        return 0;
    }
    case A_BOOL_AND:
    case A_BOOL_OR: {
        st_bool *d = (st_bool *)dst;
        const st_bool *s = (const st_bool *)src;
        if (!s->has) return 0;
        if (!d->has) d->v = s->v;
        else d->v = g->kind == A_BOOL_AND ? (d->v && s->v) : (d->v || s->v);
        d->has = 1;
        return 0;
    }
    }
    return 0;
}

int eddy_aggs_merge(const eddy_aggs *a, void *dst, const void *src, int64_t *heap,
                    eddy_error *err)
{
    char *d = dst;
    const char *s = src;
    for (int j = 0; j < a->n; j++) {
        const agg1 *g = &a->a[j];
        if (g->dgroup >= 0 || g->shared) continue;
        if (merge_one(g, d + g->off, s + g->off, heap)) return overflow_error(a, g, err);
    }
    for (int k = 0; k < a->ndg; k++) {
        const dgroup *dg = &a->dg[k];
        aval v;
        if (dg->compact) {
            const eddy_dset *ss = *(eddy_dset *const *)(s + dg->off);
            eddy_dset **dsp = (eddy_dset **)(d + dg->off);
            for (uint32_t i = 0; i < eddy_dset_capacity(ss); i++) {
                uint64_t u, smask;
                if (!eddy_dset_slot(ss, i, &u, &smask)) continue;
                uint64_t nb = eddy_dset_add(dsp, dg->mb, u, smask, heap);
                if (!nb) continue;
                compact_value(dg, u, &v);
                while (nb) {
                    int b = __builtin_ctzll(nb);
                    nb &= nb - 1;
                    const agg1 *g = &a->a[dg->aggs[b]];
                    if (apply_one(g, d + g->off, &v, heap)) return overflow_error(a, g, err);
                }
            }
            continue;
        }
        eddy_hset *ss = *(eddy_hset *const *)(s + dg->off);
        if (!ss) continue;
        eddy_hset **dsp = dset_slot(dg, d, heap);
        uint32_t end = eddy_hmap_end(ss);
        for (uint32_t id = 0; id < end; id++) {
            if (!eddy_hmap_live(ss, id)) continue;
            size_t klen;
            const void *key = eddy_hmap_key(ss, id, &klen);
            uint64_t smask = *(const uint64_t *)eddy_hmap_value(ss, id);
            dset_value(dg->phys, key, klen, &v);
            uint64_t *dmask = dset_upsert(*dsp, dg->phys, &v, heap);
            uint64_t nb = smask & ~*dmask;
            *dmask |= nb;
            /* the key pointer stays valid: inserts go to the other set */
            while (nb) {
                int i = __builtin_ctzll(nb);
                nb &= nb - 1;
                const agg1 *g = &a->a[dg->aggs[i]];
                if (apply_one(g, d + g->off, &v, heap)) return overflow_error(a, g, err);
            }
        }
    }
    return 0;
}

/* ---- results ---- */

static bool int_fits(eddy_type_kind k, int64_t v)
{
    switch (k) {
    case EDDY_TYPE_TINYINT: return v >= INT8_MIN && v <= INT8_MAX;
    case EDDY_TYPE_SMALLINT: return v >= INT16_MIN && v <= INT16_MAX;
    case EDDY_TYPE_INT: return v >= INT32_MIN && v <= INT32_MAX;
    default: return true;
    }
}

static int rtype_scale(const eddy_sqltype *t)
{
    return t->scale > 0 ? t->scale : 0;
}

static int rtype_precision(const eddy_sqltype *t)
{
    return t->precision > 0 ? t->precision : EDDY_DEC_MAX_PRECISION;
}

/* Writes a double result into a column of the result's representation. */
static int put_double(const eddy_aggs *a, const agg1 *g, eddy_col *c, int row, double x,
                      eddy_error *err)
{
    switch (g->out) {
    case EDDY_PHYS_F64: c->v.f64[row] = x; return 0;
    case EDDY_PHYS_I64:
        if (!(x > -9.3e18 && x < 9.3e18)) break;
        c->v.i64[row] = (int64_t)x;
        return 0;
    case EDDY_PHYS_DEC: {
        eddy_i128 d;
        if (eddy_dec_from_double(x, rtype_precision(g->rtype), rtype_scale(g->rtype), &d)) break;
        c->v.dec[row] = d;
        return 0;
    }
    default: break;
    }
    return eddy_error_set(err, EDDY_ERUNTIME, a->line, a->col,
                          "result of %s does not fit its type", g->fname);
}

static int put_i64(const eddy_aggs *a, const agg1 *g, eddy_col *c, int row, int64_t x,
                   eddy_error *err)
{
    switch (g->out) {
    case EDDY_PHYS_I64:
        if (!int_fits(g->rtype->kind, x))
            return eddy_error_set(err, EDDY_ERUNTIME, a->line, a->col, "%s overflow in %s",
                                  eddy_type_kind_name(g->rtype->kind), g->fname);
        c->v.i64[row] = x;
        return 0;
    case EDDY_PHYS_F64: c->v.f64[row] = (double)x; return 0;
    case EDDY_PHYS_DEC: {
        eddy_i128 d;
        if (eddy_dec_from_i64(x, rtype_precision(g->rtype), rtype_scale(g->rtype), &d))
            return eddy_error_set(err, EDDY_ERUNTIME, a->line, a->col,
                                  "DECIMAL overflow in %s", g->fname);
        c->v.dec[row] = d;
        return 0;
    }
    default: c->v.i64[row] = x; return 0;
    }
}

static void put_val(const agg1 *g, eddy_batch *out, eddy_col *c, int row, const st_val *s)
{
    switch (g->in) {
    case EDDY_PHYS_BOOL: c->v.b[row] = (uint8_t)s->v.i; break;
    case EDDY_PHYS_I64: c->v.i64[row] = s->v.i; break;
    case EDDY_PHYS_F64: c->v.f64[row] = s->v.f; break;
    case EDDY_PHYS_DEC: c->v.dec[row] = s->v.d; break;
    case EDDY_PHYS_STR: c->v.str[row] = eddy_batch_str(out, s->v.s.p, s->v.s.n); break;
    }
}

int eddy_aggs_output(const eddy_aggs *a, const void *rowp, eddy_batch *out, int first_col,
                     int out_row, eddy_error *err)
{
    const char *row = rowp;
    for (int j = 0; j < a->n; j++) {
        const agg1 *g = &a->a[j];
        int ci = first_col + j;
        eddy_col *c = &out->cols[ci];
        const char *st = row + g->off;
        bool null = false;
        int rc = 0;
        if (c->nulls) c->nulls[out_row] = 0;
        switch (g->kind) {
        case A_COUNT_STAR:
        case A_COUNT: rc = put_i64(a, g, c, out_row, ((const st_count *)st)->n, err); break;
        case A_SUM:
        case A_SUM0:
        case A_AVG: {
            int64_t n = g->in == EDDY_PHYS_F64 ? ((const st_fsum *)st)->n
                        : g->in == EDDY_PHYS_DEC ? ((const st_dsum *)st)->n
                                                 : ((const st_isum *)st)->n;
            if (n == 0 && g->kind != A_SUM0) {
                null = true;
                break;
            }
            if (g->in == EDDY_PHYS_F64) {
                double s = ((const st_fsum *)st)->sum;
                rc = put_double(a, g, c, out_row, g->kind == A_AVG ? s / (double)n : s, err);
            } else if (g->in == EDDY_PHYS_I64) {
                int64_t s = ((const st_isum *)st)->sum;
                if (g->kind != A_AVG) {
                    rc = put_i64(a, g, c, out_row, s, err);
                } else if (g->out == EDDY_PHYS_I64) {
                    c->v.i64[out_row] = s / n; /* truncates toward zero, as Java */
                } else if (g->out == EDDY_PHYS_F64) {
                    c->v.f64[out_row] = (double)s / (double)n;
                } else {
                    eddy_i128 d;
                    if (eddy_dec_avg(s, 0, n, rtype_precision(g->rtype), rtype_scale(g->rtype),
                                     &d))
                        rc = eddy_error_set(err, EDDY_ERUNTIME, a->line, a->col,
                                            "DECIMAL overflow in AVG");
                    else c->v.dec[out_row] = d;
                }
            } else {
                __int128 s = ((const st_dsum *)st)->sum;
                eddy_i128 d;
                if (g->out == EDDY_PHYS_F64) {
                    double x = eddy_dec_to_double(s, g->in_scale);
                    c->v.f64[out_row] = g->kind == A_AVG ? x / (double)n : x;
                } else if (g->out != EDDY_PHYS_DEC) {
                    rc = eddy_error_set(err, EDDY_EUNSUPPORTED, a->line, a->col,
                                        "%s of DECIMAL into %s", g->fname,
                                        eddy_type_kind_name(g->rtype->kind));
                } else if (g->kind == A_AVG
                               ? eddy_dec_avg(s, g->in_scale, n, rtype_precision(g->rtype),
                                              rtype_scale(g->rtype), &d)
                               : eddy_dec_rescale(s, g->in_scale, rtype_precision(g->rtype),
                                                  rtype_scale(g->rtype), &d)) {
                    rc = eddy_error_set(err, EDDY_ERUNTIME, a->line, a->col,
                                        "DECIMAL overflow in %s", g->fname);
                } else {
                    c->v.dec[out_row] = d;
                }
            }
            break;
        }
        case A_MIN:
        case A_MAX:
        case A_FIRST:
        case A_LAST: {
            const st_val *s = (const st_val *)st;
            if (!s->has) null = true;
            else put_val(g, out, c, out_row, s);
            break;
        }
        case A_VAR_POP:
        case A_VAR_SAMP:
        case A_STD_POP:
        case A_STD_SAMP: {
            const st_var *s = (const st_var *)st;
            bool samp = g->kind == A_VAR_SAMP || g->kind == A_STD_SAMP;
            if (s->n == 0 || (samp && s->n == 1)) {
                null = true;
                break;
            }
            double v = s->m2 / (double)(samp ? s->n - 1 : s->n);
            if (v < 0) v = 0; /* rounding */
            if (g->kind == A_STD_POP || g->kind == A_STD_SAMP) v = sqrt(v);
            rc = put_double(a, g, c, out_row, v, err);
            break;
        }
        case A_HLL:
            rc = put_i64(a, g, c, out_row, llround(eddy_hll_estimate((const eddy_hll *)st)),
                         err);
            break;
        case A_LISTAGG: {
            const st_list *s = (const st_list *)st;
            if (!s->has) null = true;
            else c->v.str[out_row] = eddy_batch_str(out, s->s.p, s->s.n);
            break;
        }
        case A_BOOL_AND:
        case A_BOOL_OR: {
            const st_bool *s = (const st_bool *)st;
            if (!s->has) null = true;
            else c->v.b[out_row] = s->v;
            break;
        }
        }
        if (rc) return rc;
        if (null) eddy_col_nulls(out, ci)[out_row] = 1;
    }
    return 0;
}

/* ---- checkpoints ---- */

/* Encoding of a row's aggregate part: the fixed bytes [header, size) as they are (pointers in
 * them are meaningless on reading and replaced), then, in order, each heap part: a string as
 * u32 length (UINT32_MAX: none) + bytes; a sketch as u32 length + eddy_hll_serialize; then each
 * distinct set: compact ones as eddy_dset_encode, general ones as u32 count + (u32 key length,
 * key, u64 mask) each. Native byte order: a checkpoint is read back by the same build. */

static void put_u32(eddy_strbuf *b, uint32_t v)
{
    eddy_strbuf_append(b, (const char *)&v, 4);
}

static void put_vstr(eddy_strbuf *b, const vstr *v)
{
    if (!v->p) {
        put_u32(b, UINT32_MAX);
        return;
    }
    put_u32(b, v->n);
    eddy_strbuf_append(b, v->p, v->n);
}

void eddy_aggs_row_encode(const eddy_aggs *a, const void *rowp, eddy_strbuf *buf)
{
    const char *row = rowp;
    eddy_strbuf_append(buf, row + a->header, a->size - a->header);
    if (!a->heap) return;
    for (int j = 0; j < a->n; j++) {
        const agg1 *g = &a->a[j];
        if (!g->heap) continue;
        const char *st = row + g->off;
        if (g->kind == A_HLL) {
            size_t at = buf->n;
            put_u32(buf, 0);
            eddy_hll_serialize((const eddy_hll *)st, buf);
            uint32_t len = (uint32_t)(buf->n - at - 4);
            memcpy(buf->s + at, &len, 4);
        } else if (g->kind == A_LISTAGG) {
            put_vstr(buf, &((const st_list *)st)->s);
            put_vstr(buf, &((const st_list *)st)->sep);
        } else {
            put_vstr(buf, &((const st_val *)st)->v.s);
        }
    }
    for (int k = 0; k < a->ndg; k++) {
        const dgroup *dg = &a->dg[k];
        if (dg->compact) {
            eddy_dset_encode(*(eddy_dset *const *)(row + dg->off), buf);
            continue;
        }
        const eddy_hset *hs = *(eddy_hset *const *)(row + dg->off);
        uint32_t end = hs ? eddy_hmap_end(hs) : 0, n = 0;
        for (uint32_t id = 0; id < end; id++) n += eddy_hmap_live(hs, id);
        put_u32(buf, n);
        for (uint32_t id = 0; id < end; id++) {
            if (!eddy_hmap_live(hs, id)) continue;
            size_t klen;
            const void *key = eddy_hmap_key(hs, id, &klen);
            put_u32(buf, (uint32_t)klen);
            eddy_strbuf_append(buf, key, klen);
            eddy_strbuf_append(buf, eddy_hmap_value(hs, id), 8);
        }
    }
}

typedef struct rd {
    const char *p;
    size_t left;
} rd;

static bool get_u32(rd *r, uint32_t *v)
{
    if (r->left < 4) return false;
    memcpy(v, r->p, 4);
    r->p += 4;
    r->left -= 4;
    return true;
}

static bool get_bytes(rd *r, size_t n, const char **out)
{
    if (r->left < n) return false;
    *out = r->p;
    r->p += n;
    r->left -= n;
    return true;
}

static bool get_vstr(rd *r, vstr *v, int64_t *heap)
{
    memset(v, 0, sizeof *v);
    uint32_t n;
    const char *p;
    if (!get_u32(r, &n)) return false;
    if (n == UINT32_MAX) return true;
    if (!get_bytes(r, n, &p)) return false;
    vstr_set(v, p, n, heap);
    return true;
}

int64_t eddy_aggs_row_decode(const eddy_aggs *a, void *rowp, const void *data, size_t len,
                             int64_t *heap, eddy_error *err)
{
    char *row = rowp;
    rd r = {data, len};
    const char *fixed;
    size_t fl = a->size - a->header;
    if (!get_bytes(&r, fl, &fixed)) goto bad;
    memcpy(row + a->header, fixed, fl);
    if (!a->heap) return (int64_t)fl;
    /* the pointers copied above are stale: clear every heap part before filling any */
    for (int j = 0; j < a->n; j++) {
        const agg1 *g = &a->a[j];
        if (!g->heap) continue;
        char *st = row + g->off;
        if (g->kind == A_HLL) {
            eddy_hll *h = (eddy_hll *)st;
            uint8_t p = h->p;
            memset(h, 0, sizeof *h);
            h->p = p;
        } else if (g->kind == A_LISTAGG) {
            memset(&((st_list *)st)->s, 0, sizeof(vstr));
            memset(&((st_list *)st)->sep, 0, sizeof(vstr));
        } else {
            memset(&((st_val *)st)->v.s, 0, sizeof(vstr));
        }
    }
    for (int k = 0; k < a->ndg; k++) memset(row + a->dg[k].off, 0, sizeof(void *));
    for (int j = 0; j < a->n; j++) {
        const agg1 *g = &a->a[j];
        if (!g->heap) continue;
        char *st = row + g->off;
        if (g->kind == A_HLL) {
            uint32_t n;
            const char *p;
            eddy_hll *h = (eddy_hll *)st;
            if (!get_u32(&r, &n) || !get_bytes(&r, n, &p)) goto bad_free;
            if (eddy_hll_deserialize(h, p, n)) goto bad_free;
            *heap += (int64_t)eddy_hll_memory(h);
        } else if (g->kind == A_LISTAGG) {
            if (!get_vstr(&r, &((st_list *)st)->s, heap) ||
                !get_vstr(&r, &((st_list *)st)->sep, heap))
                goto bad_free;
        } else if (!get_vstr(&r, &((st_val *)st)->v.s, heap)) {
            goto bad_free;
        }
    }
    for (int k = 0; k < a->ndg; k++) {
        const dgroup *dg = &a->dg[k];
        if (dg->compact) {
            int64_t used = eddy_dset_decode((eddy_dset **)(row + dg->off), dg->mb, r.p, r.left, heap);
            if (used < 0) goto bad_free;
            r.p += used;
            r.left -= (size_t)used;
            continue;
        }
        uint32_t n;
        if (!get_u32(&r, &n)) goto bad_free;
        for (uint32_t i = 0; i < n; i++) {
            uint32_t kl;
            const char *key, *mask;
            if (!get_u32(&r, &kl) || !get_bytes(&r, kl, &key) || !get_bytes(&r, 8, &mask))
                goto bad_free;
            aval v;
            dset_value(dg->phys, key, kl, &v);
            eddy_hset **sp = dset_slot(dg, row, heap);
            uint64_t *m = dset_upsert(*sp, dg->phys, &v, heap);
            uint64_t mv;
            memcpy(&mv, mask, 8);
            *m |= mv;
        }
    }
    return (int64_t)(len - r.left);
bad_free:
    eddy_aggs_row_free(a, row, heap);
bad:
    return eddy_error_set(err, EDDY_ESTATE, a->line, a->col,
                          "checkpointed aggregate state is truncated or does not fit the query");
}

void eddy_aggs_row_free(const eddy_aggs *a, void *rowp, int64_t *heap)
{
    char *row = rowp;
    if (a->heap) {
        for (int j = 0; j < a->n; j++) {
            const agg1 *g = &a->a[j];
            if (!g->heap) continue;
            char *st = row + g->off;
            if (g->kind == A_HLL) {
                *heap -= (int64_t)eddy_hll_memory((eddy_hll *)st);
                eddy_hll_free((eddy_hll *)st);
            } else if (g->kind == A_LISTAGG) {
                vstr_free(&((st_list *)st)->s, heap);
                vstr_free(&((st_list *)st)->sep, heap);
            } else {
                vstr_free(&((st_val *)st)->v.s, heap);
            }
        }
        for (int k = 0; k < a->ndg; k++) {
            if (a->dg[k].compact) {
                eddy_dset_free(*(eddy_dset **)(row + a->dg[k].off), heap);
                continue;
            }
            eddy_hset **sp = (eddy_hset **)(row + a->dg[k].off);
            if (*sp) {
                *heap -= (int64_t)eddy_hmap_memory(*sp);
                eddy_hmap_destroy(*sp);
            }
        }
    }
    memset(row + a->header, 0, a->size - a->header);
}
