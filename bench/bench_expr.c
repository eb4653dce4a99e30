/*
 * bench_expr.c: rows per second of the expression evaluator on Nexmark's hot expressions,
 * over 1024-row batches of bid-like data, one thread.
 *
 *     bench_expr [million_rows [case]]      (default 20 million rows, every case)
 *
 * Rates are per CPU second of this thread (the build machine is shared, so wall-clock rates
 * swing with the load; they are printed too). For stable comparisons between versions count
 * instructions: valgrind --tool=callgrind bench_expr 1 <case>.
 *
 * Expressions (the plan's typed trees, built by hand as the binder would):
 *   q2   MOD(auction, 123) = 0
 *   q1   0.908 * price                          (BIGINT -> DECIMAL(23, 3))
 *   q10  DATE_FORMAT(dateTime, 'yyyy-MM-dd')     (and 'HH:mm')
 *   q21  CASE WHEN lower(channel) = 'apple' THEN '0' ... ELSE REGEXP_EXTRACT(url, ..., 2) END
 *   q21  its WHERE: REGEXP_EXTRACT(url, ...) IS NOT NULL OR lower(channel) IN (...)
 *   q22  SPLIT_INDEX(url, '/', 3)
 *   wm   dateTime - INTERVAL '4' SECOND
 * Data as the Nexmark generator makes it: auctions around a moving id, prices skewed low,
 * event time advancing ~0.1 s per bid on average (a slow stream: Nexmark at full rate puts
 * many bids in one millisecond), half the bids on the four hot channels, 90% of the other
 * URLs carrying a channel_id parameter.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/arena.h"
#include "common/timeutil.h"
#include "planner/plan.h"
#include "runtime/batch.h"
#include "runtime/expr.h"

static eddy_arena *A;

static const eddy_sqltype *ty(eddy_type_kind k, int p, int s)
{
    eddy_sqltype *t = eddy_arena_zalloc(A, sizeof *t);
    t->kind = k;
    t->precision = p;
    t->scale = s;
    return t;
}

static eddy_bexpr *mk(eddy_bexpr_kind kind, const eddy_sqltype *t, int nargs)
{
    eddy_bexpr *e = eddy_arena_zalloc(A, sizeof *e);
    e->kind = kind;
    e->type = t;
    e->line = 1;
    e->col = 1;
    e->nargs = nargs;
    if (nargs) e->args = eddy_arena_zalloc(A, sizeof(eddy_bexpr *) * (size_t)nargs);
    return e;
}

static eddy_bexpr *col(int i, const eddy_sqltype *t)
{
    eddy_bexpr *e = mk(EDDY_BEXPR_COLUMN, t, 0);
    e->column = i;
    return e;
}

static eddy_bexpr *ilit(int64_t v, const eddy_sqltype *t)
{
    eddy_bexpr *e = mk(EDDY_BEXPR_CONST, t, 0);
    e->value.u.i = v;
    return e;
}

static eddy_bexpr *slit(const char *s)
{
    eddy_bexpr *e = mk(EDDY_BEXPR_CONST, ty(EDDY_TYPE_VARCHAR, -1, -1), 0);
    e->value.u.s.p = s;
    e->value.u.s.n = (uint32_t)strlen(s);
    return e;
}

static eddy_bexpr *call(eddy_fn fn, const eddy_sqltype *t, int n, eddy_bexpr *a, eddy_bexpr *b, eddy_bexpr *c)
{
    eddy_bexpr *e = mk(EDDY_BEXPR_CALL, t, n);
    e->fn = fn;
    eddy_bexpr *x[3] = {a, b, c};
    for (int i = 0; i < n; i++) e->args[i] = x[i];
    return e;
}

static eddy_bexpr *bin(eddy_bexpr_kind kind, eddy_bop op, const eddy_sqltype *t, eddy_bexpr *a, eddy_bexpr *b)
{
    eddy_bexpr *e = mk(kind, t, 2);
    e->op = op;
    e->args[0] = a;
    e->args[1] = b;
    return e;
}

enum { C_AUCTION, C_PRICE, C_TS, C_CHANNEL, C_URL, NCOLS };
#define NBATCH 32

static uint64_t rs = 0x2545F4914F6CDD1DULL;

static uint64_t rnd(void)
{
    rs ^= rs << 13;
    rs ^= rs >> 7;
    rs ^= rs << 17;
    return rs;
}

int main(int argc, char **argv)
{
    long mrows = argc > 1 ? atol(argv[1]) : 20;
    int only = argc > 2 ? atoi(argv[2]) : -1;
    A = eddy_arena_new(0);
    const eddy_sqltype *BIG = ty(EDDY_TYPE_BIGINT, -1, -1), *INT = ty(EDDY_TYPE_INT, -1, -1),
                       *BOOL = ty(EDDY_TYPE_BOOLEAN, -1, -1), *STR = ty(EDDY_TYPE_VARCHAR, -1, -1),
                       *TS = ty(EDDY_TYPE_TIMESTAMP, 3, -1);
    const eddy_sqltype *types[NCOLS] = {BIG, BIG, TS, STR, STR};

    /* data */
    static const char *hot[] = {"Apple", "Google", "Facebook", "Baidu"};
    static const char *hot_url[] = {"https://www.nexmark.com/hot/apple/item.htm?query=1",
                                    "https://www.nexmark.com/hot/google/item.htm?query=1",
                                    "https://www.nexmark.com/hot/facebook/item.htm?query=1",
                                    "https://www.nexmark.com/hot/baidu/item.htm?query=1"};
    eddy_batch *batches[NBATCH];
    int64_t t = eddy_ts_from_fields(2015, 7, 15, 0, 0, 0, 0);
    for (int k = 0; k < NBATCH; k++) {
        eddy_batch *b = eddy_batch_new(NCOLS, types, EDDY_BATCH_ROWS);
        b->n = EDDY_BATCH_ROWS;
        for (int i = 0; i < b->n; i++) {
            b->cols[C_AUCTION].v.i64[i] = 1000 + (int64_t)(rnd() % 10000) + k * 50;
            b->cols[C_PRICE].v.i64[i] = (int64_t)(rnd() % 10000000) / (1 + (int64_t)(rnd() % 100));
            t += (int64_t)(rnd() % 200); /* ~0.1 s apart: a new minute every ~600 rows */
            b->cols[C_TS].v.i64[i] = t;
            if (rnd() % 2) {
                int h = (int)(rnd() % 4);
                b->cols[C_CHANNEL].v.str[i] = eddy_batch_str(b, hot[h], strlen(hot[h]));
                b->cols[C_URL].v.str[i] = eddy_batch_str(b, hot_url[h], strlen(hot_url[h]));
            } else {
                char ch[32], url[160];
                int id = (int)(rnd() % 10000);
                int n1 = snprintf(ch, sizeof ch, "channel-%d", id);
                int n2 = (rnd() % 10) ? snprintf(url, sizeof url,
                                                 "https://www.nexmark.com/%c%c%c%c/%c%c%c/item.htm?query=1&channel_id=%d",
                                                 'a' + (int)(rnd() % 26), 'a' + (int)(rnd() % 26), 'a' + (int)(rnd() % 26),
                                                 'a' + (int)(rnd() % 26), 'a' + (int)(rnd() % 26), 'a' + (int)(rnd() % 26),
                                                 'a' + (int)(rnd() % 26), id)
                                      : snprintf(url, sizeof url, "https://www.nexmark.com/x/y/item.htm?query=1");
                b->cols[C_CHANNEL].v.str[i] = eddy_batch_str(b, ch, (size_t)n1);
                b->cols[C_URL].v.str[i] = eddy_batch_str(b, url, (size_t)n2);
            }
        }
        batches[k] = b;
    }

    /* expressions */
    const char *pat = "(&|^)channel_id=([^&]*)";
    eddy_bexpr *q2 = bin(EDDY_BEXPR_COMPARE, EDDY_BOP_EQ, BOOL,
                         call(EDDY_FN_MOD, BIG, 2, col(C_AUCTION, BIG), ilit(123, INT), NULL), ilit(0, INT));
    eddy_bexpr *k908 = mk(EDDY_BEXPR_CONST, ty(EDDY_TYPE_DECIMAL, 3, 3), 0);
    k908->value.u.dec = 908;
    eddy_bexpr *q1 = bin(EDDY_BEXPR_ARITH, EDDY_BOP_MUL, ty(EDDY_TYPE_DECIMAL, 23, 3), k908, col(C_PRICE, BIG));
    eddy_bexpr *q10 = call(EDDY_FN_DATE_FORMAT, STR, 2, col(C_TS, TS), slit("yyyy-MM-dd"), NULL);
    eddy_bexpr *q10b = call(EDDY_FN_DATE_FORMAT, STR, 2, col(C_TS, TS), slit("HH:mm"), NULL);
    eddy_bexpr *q21 = mk(EDDY_BEXPR_CASE, STR, 9);
    q21->has_else = true;
    static const char *lowhot[] = {"apple", "google", "facebook", "baidu"}, *ids[] = {"0", "1", "2", "3"};
    for (int w = 0; w < 4; w++) {
        q21->args[2 * w] = bin(EDDY_BEXPR_COMPARE, EDDY_BOP_EQ, BOOL, call(EDDY_FN_LOWER, STR, 1, col(C_CHANNEL, STR), NULL, NULL),
                               slit(lowhot[w]));
        q21->args[2 * w + 1] = slit(ids[w]);
    }
    q21->args[8] = call(EDDY_FN_REGEXP_EXTRACT, STR, 3, col(C_URL, STR), slit(pat), ilit(2, INT));
    eddy_bexpr *isnn = mk(EDDY_BEXPR_IS, BOOL, 1);
    isnn->is_what = 0;
    isnn->negated = true;
    isnn->args[0] = call(EDDY_FN_REGEXP_EXTRACT, STR, 3, col(C_URL, STR), slit(pat), ilit(2, INT));
    eddy_bexpr *inl = mk(EDDY_BEXPR_IN, BOOL, 5);
    inl->args[0] = call(EDDY_FN_LOWER, STR, 1, col(C_CHANNEL, STR), NULL, NULL);
    for (int w = 0; w < 4; w++) inl->args[w + 1] = slit(lowhot[w]);
    eddy_bexpr *q21w = mk(EDDY_BEXPR_OR, BOOL, 2);
    q21w->args[0] = isnn;
    q21w->args[1] = inl;
    eddy_bexpr *q22 = call(EDDY_FN_SPLIT_INDEX, STR, 3, col(C_URL, STR), slit("/"), ilit(3, INT));
    eddy_sqltype *iv = (eddy_sqltype *)ty(EDDY_TYPE_INTERVAL, -1, -1);
    iv->from = EDDY_UNIT_SECOND;
    eddy_bexpr *wm = bin(EDDY_BEXPR_ARITH, EDDY_BOP_SUB, TS, col(C_TS, TS), ilit(4000, iv));

    struct {
        const char *name;
        eddy_bexpr *e;
    } cases[] = {
        {"q2   MOD(auction, 123) = 0", q2},
        {"q1   0.908 * price", q1},
        {"q10  DATE_FORMAT(dateTime, 'yyyy-MM-dd')", q10},
        {"q10  DATE_FORMAT(dateTime, 'HH:mm')", q10b},
        {"q21  CASE WHEN lower(channel) = ... ELSE REGEXP_EXTRACT END", q21},
        {"q21  WHERE REGEXP_EXTRACT(..) IS NOT NULL OR lower(..) IN (..)", q21w},
        {"q22  SPLIT_INDEX(url, '/', 3)", q22},
        {"wm   dateTime - INTERVAL '4' SECOND", wm},
    };
    long nb = mrows * 1000000 / EDDY_BATCH_ROWS;
    printf("%-64s %10s %9s %12s\n", "expression", "Mrows/s", "ns/row", "wall Mrows/s");
    eddy_arena *scratch = eddy_arena_new(256 * 1024);
    eddy_expr_ctx ctx = {0, INT64_MIN};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        if (only >= 0 && (size_t)only != c) continue;
        eddy_error err;
        eddy_error_clear(&err);
        eddy_expr_prog *p = eddy_expr_compile(cases[c].e, &err);
        if (!p) {
            fprintf(stderr, "%s: %s\n", cases[c].name, err.msg);
            return 1;
        }
        long cnt = cases[c].e->kind == EDDY_BEXPR_CASE || cases[c].e->kind == EDDY_BEXPR_OR ? nb / 8 : nb;
        if (cnt < 1) cnt = 1;
        uint64_t check = 0;
        struct timespec t0, t1, w0, w1;
        clock_gettime(CLOCK_MONOTONIC, &w0);
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0); /* CPU time: the machine is shared */
        for (long k = 0; k < cnt; k++) {
            eddy_col out;
            eddy_arena_reset(scratch);
            if (eddy_expr_eval(p, batches[k % NBATCH], &ctx, &out, scratch, &err)) {
                fprintf(stderr, "%s: %s\n", cases[c].name, err.msg);
                return 1;
            }
            check += (uint64_t)out.v.b[k % EDDY_BATCH_ROWS];
        }
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1);
        clock_gettime(CLOCK_MONOTONIC, &w1);
        double sec = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
        double wsec = (double)(w1.tv_sec - w0.tv_sec) + (double)(w1.tv_nsec - w0.tv_nsec) / 1e9;
        double rows = (double)cnt * EDDY_BATCH_ROWS;
        printf("%-64s %10.1f %9.2f %12.1f%s\n", cases[c].name, rows / sec / 1e6, sec * 1e9 / rows, rows / wsec / 1e6,
               check == 42 ? " " : "");
        eddy_expr_free(p);
    }
    eddy_arena_destroy(scratch);
    for (int k = 0; k < NBATCH; k++) eddy_batch_free(batches[k]);
    eddy_arena_destroy(A);
    return 0;
}
