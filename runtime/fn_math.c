/*
 * fn_math.c: numeric functions (node model in fn.h).
 *
 *   ABS, SIGN          keep the operand's type; ABS of the smallest integer is an overflow error
 *   MOD(a, b)          integers with Java's % (the remainder has a's sign); division by zero is
 *                      an error; a constant divisor gets its own loop (Nexmark q2's
 *                      MOD(auction, 123)); DECIMAL exact; DOUBLE fmod
 *   ROUND(x [, d])     HALF_UP: DECIMAL exactly, DOUBLE as Flink through BigDecimal.valueOf
 *                      (round(2.675, 2) = 2.68), integers for d < 0 (round(125, -1) = 130)
 *   TRUNCATE(x [, d])  toward zero, the same three ways
 *   FLOOR, CEIL        of numbers (FLOOR(ts TO unit) is in fn_time.c)
 *   POWER SQRT LN LOG10 LOG2 LOG EXP SIN COS TAN PI   DOUBLE, IEEE (LN(-1) is NaN)
 *   RAND([seed])       java.util.Random's sequence: RAND(42) gives the numbers Flink gives; one
 *                      generator per expression, advanced row by row
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../common/decimal.h"
#include "fn.h"

static bool int_kind(eddy_type_kind k)
{
    return k == EDDY_TYPE_TINYINT || k == EDDY_TYPE_SMALLINT || k == EDDY_TYPE_INT || k == EDDY_TYPE_BIGINT;
}

static bool kconst(const xnode *k)
{
    return k->is_const && !k->volatile_const && !k->cval.null;
}

static int dprec(const eddy_sqltype *t)
{
    return t->precision > 0 ? t->precision : 10;
}

static int dscale(const eddy_sqltype *t)
{
    return t->scale > 0 ? t->scale : 0;
}

static const eddy_sqltype *dbl(xcomp *c)
{
    return xc_type(c, EDDY_TYPE_DOUBLE, -1, -1);
}

/* ---------------------------------------------------------------------------------------- */
/* ABS, SIGN                                                                                  */

static int abs_run(xnode *n, xeval *ev, const xsel *s)
{
    const xnode *k = n->kid[0];
    const uint8_t *nu = xn_nulls_or(n, ev, s, k, NULL);
    switch (n->phys) {
    case EDDY_PHYS_I64: {
        const int64_t *a = k->out.v.i64;
        int64_t *r = xn_vals(n, ev);
        unsigned bad = 0;
        XLOOP(s, ev->n, i, {
            int64_t x = a[i];
            int64_t y = x < 0 ? (int64_t)(0 - (uint64_t)x) : x;
            r[i] = y;
            bad |= (y > n->hi || x == INT64_MIN) & (nu ? nu[i] == 0 : 1);
        });
        if (bad) return xn_error(n, ev, EDDY_ERUNTIME, "%s overflow in ABS", xn_type_name(n->type));
        break;
    }
    case EDDY_PHYS_F64: {
        const double *a = k->out.v.f64;
        double *r = xn_vals(n, ev);
        XLOOP(s, ev->n, i, { r[i] = fabs(a[i]); });
        break;
    }
    case EDDY_PHYS_DEC: {
        const __int128 *a = k->out.v.dec;
        __int128 *r = xn_vals(n, ev);
        XLOOP(s, ev->n, i, { r[i] = a[i] < 0 ? -a[i] : a[i]; });
        break;
    }
    default: break;
    }
    if (n->out.nulls != nu) n->out.nulls = (uint8_t *)nu;
    return 0;
}

static int sign_run(xnode *n, xeval *ev, const xsel *s)
{
    const xnode *k = n->kid[0];
    xn_nulls_or(n, ev, s, k, NULL);
    switch (n->phys) {
    case EDDY_PHYS_I64: {
        const int64_t *a = k->out.v.i64;
        int64_t *r = xn_vals(n, ev);
        XLOOP(s, ev->n, i, { r[i] = (a[i] > 0) - (a[i] < 0); });
        break;
    }
    case EDDY_PHYS_F64: {
        const double *a = k->out.v.f64;
        double *r = xn_vals(n, ev);
        XLOOP(s, ev->n, i, {
            double x = a[i];
            r[i] = (x > 0) ? 1.0 : (x < 0 ? -1.0 : x); /* Math.signum: NaN and +-0 stay */
        });
        break;
    }
    case EDDY_PHYS_DEC: {
        const __int128 *a = k->out.v.dec;
        __int128 *r = xn_vals(n, ev);
        const __int128 one = xn_pow10(dscale(n->type));
        XLOOP(s, ev->n, i, { r[i] = (a[i] > 0) ? one : (a[i] < 0 ? -one : 0); });
        break;
    }
    default: break;
    }
    return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* MOD                                                                                        */

/* MOD(a, k), k a constant other than 0 and -1: the hot Nexmark q2 filter. */
static int mod_ck(xnode *n, xeval *ev, const xsel *s)
{
    const int64_t *a = n->kid[0]->out.v.i64;
    int64_t *r = xn_vals(n, ev);
    xn_nulls_or(n, ev, s, n->kid[0], NULL);
    /* a % k == a % -k (the remainder takes a's sign), so only |k| matters */
    const int64_t k = (n->ki < 0 && n->ki != INT64_MIN) ? -n->ki : n->ki;
    if (k >= 2) {
        /* a % k without a division (slow): with m = floor(2^64 / k) + 1 (< 2^64 for k >= 2),
         * q = floor(|a| * m / 2^64) is |a| / k or one more, since |a| * (m - 2^64/k) / 2^64 <
         * 2^63 / 2^64; the remainder is then fixed up by one k. */
        const uint64_t m = (uint64_t)((((unsigned __int128)1 << 64) / (uint64_t)k) + 1);
        const uint64_t uk = (uint64_t)k;
        XLOOP(s, ev->n, i, {
            int64_t x = a[i];
            uint64_t ux = x < 0 ? 0 - (uint64_t)x : (uint64_t)x;
            uint64_t q = (uint64_t)(((unsigned __int128)ux * m) >> 64);
            uint64_t rem = ux - q * uk;     /* in (-k, k) as a two's complement value */
            rem += (int64_t)rem < 0 ? uk : 0;
            r[i] = x < 0 ? -(int64_t)rem : (int64_t)rem;
        });
    } else if (k == 1) {
        XLOOP(s, ev->n, i, { r[i] = 0; });
    } else {
        XLOOP(s, ev->n, i, { r[i] = a[i] % k; });
    }
    return 0;
}

static int mod_cc(xnode *n, xeval *ev, const xsel *s)
{
    const int64_t *a = n->kid[0]->out.v.i64, *b = n->kid[1]->out.v.i64;
    int64_t *r = xn_vals(n, ev);
    const uint8_t *nu = xn_nulls_or(n, ev, s, n->kid[0], n->kid[1]);
    XLOOP(s, ev->n, i, {
        if (nu && nu[i]) {
            r[i] = 0;
            continue;
        }
        if (b[i] == 0) return xn_error(n, ev, EDDY_ERUNTIME, "division by zero in MOD");
        r[i] = b[i] == -1 ? 0 : a[i] % b[i];
        if (r[i] < n->lo || r[i] > n->hi)
            return xn_error(n, ev, EDDY_ERUNTIME, "%s overflow in MOD", xn_type_name(n->type));
    });
    return 0;
}

static int mod_f64(xnode *n, xeval *ev, const xsel *s)
{
    const double *a = n->kid[0]->out.v.f64, *b = n->kid[1]->out.v.f64;
    double *r = xn_vals(n, ev);
    xn_nulls_or(n, ev, s, n->kid[0], n->kid[1]);
    XLOOP(s, ev->n, i, { r[i] = fmod(a[i], b[i]); });
    return 0;
}

static int mod_dec(xnode *n, xeval *ev, const xsel *s)
{
    const __int128 *a = n->kid[0]->out.v.dec, *b = n->kid[1]->out.v.dec;
    const int sa = dscale(n->kid[0]->type), sb = dscale(n->kid[1]->type);
    const int p = dprec(n->type), rs = dscale(n->type);
    __int128 *r = xn_vals(n, ev);
    const uint8_t *pn = xn_nulls_or(n, ev, s, n->kid[0], n->kid[1]);
    uint8_t *nu = NULL;
    XLOOP(s, ev->n, i, {
        if (pn && pn[i]) continue;
        __int128 x = 0;
        int st = eddy_dec_mod(a[i], sa, b[i], sb, p, rs, &x);
        if (st == EDDY_DEC_DIVZERO) return xn_error(n, ev, EDDY_ERUNTIME, "division by zero in MOD");
        if (st) {
            if (!nu) nu = xn_nulls_own(n, ev, s, pn);
            nu[i] = 1;
        }
        r[i] = x;
    });
    return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* ROUND, TRUNCATE, FLOOR, CEIL                                                               */

/* Rounds or truncates an integer to 10^-d (d < 0). */
static int64_t int_round(int64_t x, int64_t d, bool trunc_only, bool *ovf)
{
    if (d >= 0) return x;
    if (d < -18) {
        /* |x| < 10^19: rounding to 10^19 or more gives 0, or 10^19 which does not fit */
        if (!trunc_only && d == -19 && (x >= INT64_C(5000000000000000000) || x <= -INT64_C(5000000000000000000)))
            *ovf = true;
        return 0;
    }
    int64_t f = 1;
    for (int64_t k = 0; k < -d; k++) f *= 10;
    int64_t q = x / f, rem = x % f;
    if (!trunc_only) {
        if (rem >= (f + 1) / 2 && f > 1 && 2 * (rem) >= f) q++;
        else if (rem <= -(f + 1) / 2 && f > 1 && -2 * (rem) >= f) q--;
    }
    int64_t out;
    if (__builtin_mul_overflow(q, f, &out)) *ovf = true;
    return out;
}

/* Truncates a double to d fraction digits as BigDecimal.valueOf(x).setScale(d, DOWN). */
static double trunc_double(double x, int64_t d)
{
    if (!isfinite(x) || x == 0) return x;
    if (d > 17) return x;
    if (d < -308) return 0.0 * x;
    char dg[18];
    int e;
    int nd = eddy_double_shortest(x, dg, &e);
    /* value = 0.dg * 10^e: keep e + d digits */
    int64_t keep = (int64_t)e + d;
    if (keep <= 0) return x < 0 ? -0.0 : 0.0;
    if (keep >= nd) return x;
    char buf[64];
    int k = 0;
    if (x < 0) buf[k++] = '-';
    buf[k++] = '0';
    buf[k++] = '.';
    for (int64_t j = 0; j < keep; j++) buf[k++] = dg[j];
    k += snprintf(buf + k, sizeof buf - (size_t)k, "e%d", e);
    return strtod(buf, NULL);
}

/* ROUND / TRUNCATE: iparam[0] 1 = truncate; kid 1 the digits (absent = 0). */
static int round_run(xnode *n, xeval *ev, const xsel *s)
{
    const bool tr = n->iparam[0];
    const xnode *k = n->kid[0];
    const bool has_d = n->nkid > 1;
    const uint8_t *nu = xn_nulls_or_all(n, ev, s);
    uint8_t *own = NULL;
    switch (n->phys) {
    case EDDY_PHYS_I64: {
        const int64_t *a = k->out.v.i64;
        int64_t *r = xn_vals(n, ev);
        XLOOP(s, ev->n, i, {
            if (nu && nu[i]) {
                r[i] = 0;
                continue;
            }
            bool ovf = false;
            r[i] = int_round(a[i], has_d ? n->kid[1]->out.v.i64[i] : 0, tr, &ovf);
            if (ovf || r[i] < n->lo || r[i] > n->hi)
                return xn_error(n, ev, EDDY_ERUNTIME, "%s overflow in %s", xn_type_name(n->type), tr ? "TRUNCATE" : "ROUND");
        });
        break;
    }
    case EDDY_PHYS_F64: {
        const double *a = k->out.v.f64;
        double *r = xn_vals(n, ev);
        XLOOP(s, ev->n, i, {
            int64_t d = has_d ? n->kid[1]->out.v.i64[i] : 0;
            if (nu && nu[i]) r[i] = 0;
            else if (tr) r[i] = trunc_double(a[i], d);
            else r[i] = eddy_round_double(a[i], d > 400 ? 400 : (d < -400 ? -400 : (int)d));
        });
        break;
    }
    case EDDY_PHYS_DEC: {
        const __int128 *a = k->out.v.dec;
        __int128 *r = xn_vals(n, ev);
        const int p = dprec(k->type), sc = dscale(k->type);
        const int rp = dprec(n->type), rs = dscale(n->type);
        XLOOP(s, ev->n, i, {
            if (nu && nu[i]) {
                r[i] = 0;
                continue;
            }
            int64_t d = has_d ? n->kid[1]->out.v.i64[i] : 0;
            if (d > 38) d = 38;
            if (d < -38) d = -38;
            __int128 v = a[i], x;
            int st;
            if (!tr) {
                int tp, ts;
                eddy_dec_round_type(p, sc, (int)d, &tp, &ts);
                st = eddy_dec_round(v, p, sc, (int)d, &x);
                if (!st) st = eddy_dec_rescale(x, ts, rp, rs, &x);
            } else {
                /* toward zero to d digits, then to the result scale */
                int drop = sc - (int)d;
                if (drop > 0) {
                    __int128 f = xn_pow10(drop > 38 ? 38 : drop);
                    x = drop > 38 ? 0 : (v / f) * f;
                } else {
                    x = v;
                }
                st = eddy_dec_rescale(x, sc, rp, rs, &x);
            }
            if (st) {
                if (!own) own = xn_nulls_own(n, ev, s, nu);
                own[i] = 1;
                x = 0;
            }
            r[i] = x;
        });
        break;
    }
    default: break;
    }
    return 0;
}

static int floorceil_run(xnode *n, xeval *ev, const xsel *s)
{
    const bool ceil_ = n->iparam[0];
    const xnode *k = n->kid[0];
    const uint8_t *nu = xn_nulls_or(n, ev, s, k, NULL);
    if (n->phys == EDDY_PHYS_F64) {
        const double *a = k->out.v.f64;
        double *r = xn_vals(n, ev);
        if (ceil_) XLOOP(s, ev->n, i, { r[i] = ceil(a[i]); });
        else XLOOP(s, ev->n, i, { r[i] = floor(a[i]); });
        return 0;
    }
    /* DECIMAL to scale 0, then the result type's scale */
    const __int128 *a = k->out.v.dec;
    __int128 *r = xn_vals(n, ev);
    const int sc = dscale(k->type), rp = dprec(n->type), rs = dscale(n->type);
    uint8_t *own = NULL;
    XLOOP(s, ev->n, i, {
        if (nu && nu[i]) {
            r[i] = 0;
            continue;
        }
        __int128 x = ceil_ ? eddy_dec_ceil(a[i], sc) : eddy_dec_floor(a[i], sc);
        if (eddy_dec_rescale(x, 0, rp, rs, &x)) {
            if (!own) own = xn_nulls_own(n, ev, s, nu);
            own[i] = 1;
            x = 0;
        }
        r[i] = x;
    });
    return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* DOUBLE functions                                                                           */

enum { F_SQRT, F_LN, F_LOG10, F_LOG2, F_EXP, F_SIN, F_COS, F_TAN };

static int f1_run(xnode *n, xeval *ev, const xsel *s)
{
    const double *a = n->kid[0]->out.v.f64;
    double *r = xn_vals(n, ev);
    xn_nulls_or(n, ev, s, n->kid[0], NULL);
    switch (n->iparam[0]) {
    case F_SQRT: XLOOP(s, ev->n, i, { r[i] = sqrt(a[i]); }); break;
    case F_LN: XLOOP(s, ev->n, i, { r[i] = log(a[i]); }); break;
    case F_LOG10: XLOOP(s, ev->n, i, { r[i] = log10(a[i]); }); break;
    case F_LOG2: XLOOP(s, ev->n, i, { r[i] = log2(a[i]); }); break;
    case F_EXP: XLOOP(s, ev->n, i, { r[i] = exp(a[i]); }); break;
    case F_SIN: XLOOP(s, ev->n, i, { r[i] = sin(a[i]); }); break;
    case F_COS: XLOOP(s, ev->n, i, { r[i] = cos(a[i]); }); break;
    default: XLOOP(s, ev->n, i, { r[i] = tan(a[i]); }); break;
    }
    return 0;
}

/* POWER(a, b); LOG(base, x) when iparam[0] = 1. */
static int f2_run(xnode *n, xeval *ev, const xsel *s)
{
    const double *a = n->kid[0]->out.v.f64, *b = n->kid[1]->out.v.f64;
    double *r = xn_vals(n, ev);
    xn_nulls_or(n, ev, s, n->kid[0], n->kid[1]);
    if (n->iparam[0]) XLOOP(s, ev->n, i, { r[i] = log(b[i]) / log(a[i]); });
    else XLOOP(s, ev->n, i, { r[i] = pow(a[i], b[i]); });
    return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* RAND                                                                                       */

typedef struct jrandom {
    uint64_t seed;      /* java.util.Random's 48-bit state */
    bool seeded;        /* state set (RAND(seed) sets it once, from the first row) */
} jrandom;

static void jr_set(jrandom *j, int64_t seed)
{
    j->seed = ((uint64_t)seed ^ UINT64_C(0x5DEECE66D)) & ((UINT64_C(1) << 48) - 1);
    j->seeded = true;
}

static uint32_t jr_next(jrandom *j, int bits)
{
    j->seed = (j->seed * UINT64_C(0x5DEECE66D) + UINT64_C(0xB)) & ((UINT64_C(1) << 48) - 1);
    return (uint32_t)(j->seed >> (48 - bits));
}

static double jr_double(jrandom *j)
{
    uint64_t hi = jr_next(j, 26), lo = jr_next(j, 27);
    return (double)((hi << 27) + lo) * 0x1.0p-53;
}

static int rand_run(xnode *n, xeval *ev, const xsel *s)
{
    jrandom *j = n->aux;
    double *r = xn_vals(n, ev);
    n->out.nulls = NULL;
    if (!j->seeded) {
        if (n->nkid > 0) {
            /* Flink seeds once per operator from the (constant) seed */
            int64_t seed = 0;
            const xnode *k = n->kid[0];
            XLOOP(s, ev->n, i, {
                if (!xn_isnull(k, i)) {
                    seed = k->out.v.i64[i];
                    break;
                }
            });
            jr_set(j, seed);
        } else {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            jr_set(j, (int64_t)ts.tv_nsec ^ ((int64_t)ts.tv_sec << 20) ^ (int64_t)(uintptr_t)j);
        }
    }
    XLOOP(s, ev->n, i, { r[i] = jr_double(j); });
    return 0;
}

static int pi_run(xnode *n, xeval *ev, const xsel *s)
{
    double *r = xn_vals(n, ev);
    n->out.nulls = NULL;
    XLOOP(s, ev->n, i, { r[i] = M_PI; });
    return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Dispatch                                                                                   */

bool xf_is_math_fn(eddy_fn fn)
{
    switch (fn) {
    case EDDY_FN_ABS:
    case EDDY_FN_MOD:
    case EDDY_FN_ROUND:
    case EDDY_FN_TRUNCATE:
    case EDDY_FN_FLOOR:
    case EDDY_FN_CEIL:
    case EDDY_FN_POWER:
    case EDDY_FN_SQRT:
    case EDDY_FN_LN:
    case EDDY_FN_LOG10:
    case EDDY_FN_LOG2:
    case EDDY_FN_LOG:
    case EDDY_FN_EXP:
    case EDDY_FN_SIGN:
    case EDDY_FN_RAND:
    case EDDY_FN_PI:
    case EDDY_FN_SIN:
    case EDDY_FN_COS:
    case EDDY_FN_TAN: return true;
    default: return false;
    }
}

static int to_type(xcomp *c, xnode *n, int k, const eddy_sqltype *t)
{
    n->kid[k] = xc_coerce(c, n->kid[k], t);
    return n->kid[k] ? 0 : c->err->code;
}

static int want_bigint(xcomp *c, xnode *n, int k)
{
    if (int_kind(n->kid[k]->type->kind)) return 0;
    return to_type(c, n, k, xc_type(c, EDDY_TYPE_BIGINT, -1, -1));
}

int xf_math_compile(xcomp *c, xnode *n, eddy_fn fn)
{
    const eddy_sqltype *t = n->type;
    switch (fn) {
    case EDDY_FN_ABS:
    case EDDY_FN_SIGN:
        if (to_type(c, n, 0, t)) return c->err->code;
        if (n->phys != EDDY_PHYS_I64 && n->phys != EDDY_PHYS_F64 && n->phys != EDDY_PHYS_DEC)
            return xc_error(c, n, EDDY_EUNSUPPORTED, "%s needs a number", fn == EDDY_FN_ABS ? "ABS" : "SIGN");
        xn_int_range(t, &n->lo, &n->hi);
        n->run = fn == EDDY_FN_ABS ? abs_run : sign_run;
        n->can_fail = fn == EDDY_FN_ABS && n->phys == EDDY_PHYS_I64;
        return 0;
    case EDDY_FN_MOD:
        if (n->phys == EDDY_PHYS_I64) {
            for (int k = 0; k < 2; k++)
                if (!int_kind(n->kid[k]->type->kind) && to_type(c, n, k, t)) return c->err->code;
            const xnode *b = n->kid[1];
            xn_int_range(t, &n->lo, &n->hi);
            int64_t ak = kconst(b) ? (b->cval.u.i < 0 ? -(b->cval.u.i + 1) : b->cval.u.i - 1) : 0; /* |k| - 1 */
            if (kconst(b) && b->cval.u.i != 0 && b->cval.u.i != -1 && ak <= n->hi) {
                n->ki = b->cval.u.i;
                n->run = mod_ck;
            } else {
                n->run = mod_cc;
                n->can_fail = true;
            }
            return 0;
        }
        if (n->phys == EDDY_PHYS_F64) {
            if (to_type(c, n, 0, t) || to_type(c, n, 1, t)) return c->err->code;
            n->run = mod_f64;
            return 0;
        }
        if (n->phys == EDDY_PHYS_DEC) {
            for (int k = 0; k < 2; k++) {
                const eddy_sqltype *kt = n->kid[k]->type;
                if (n->kid[k]->phys == EDDY_PHYS_DEC) continue;
                int ip = eddy_dec_int_precision(kt->kind);
                if (to_type(c, n, k, xc_type(c, EDDY_TYPE_DECIMAL, ip ? ip : 38, ip ? 0 : dscale(t))))
                    return c->err->code;
            }
            n->run = mod_dec;
            n->can_fail = true;
            return 0;
        }
        return xc_error(c, n, EDDY_EUNSUPPORTED, "MOD needs numbers");
    case EDDY_FN_ROUND:
    case EDDY_FN_TRUNCATE:
        n->iparam[0] = fn == EDDY_FN_TRUNCATE;
        if (n->nkid > 1 && want_bigint(c, n, 1)) return c->err->code;
        if (n->phys == EDDY_PHYS_I64 || n->phys == EDDY_PHYS_F64) {
            if (to_type(c, n, 0, t)) return c->err->code;
        } else if (n->phys == EDDY_PHYS_DEC) {
            if (n->kid[0]->phys != EDDY_PHYS_DEC) {
                int ip = eddy_dec_int_precision(n->kid[0]->type->kind);
                if (to_type(c, n, 0, xc_type(c, EDDY_TYPE_DECIMAL, ip ? ip : 38, ip ? 0 : dscale(t)))) return c->err->code;
            }
        } else {
            return xc_error(c, n, EDDY_EUNSUPPORTED, "ROUND needs a number");
        }
        xn_int_range(t, &n->lo, &n->hi);
        n->run = round_run;
        n->can_fail = n->phys == EDDY_PHYS_I64;
        return 0;
    case EDDY_FN_FLOOR:
    case EDDY_FN_CEIL:
        if (n->phys == EDDY_PHYS_I64) {
            if (int_kind(n->kid[0]->type->kind)) {
                n->alias = xc_coerce(c, n->kid[0], t);
                return n->alias ? 0 : c->err->code;
            }
            /* FLOOR(DOUBLE) typed as an integer: through DOUBLE, then a checked cast */
            return xc_error(c, n, EDDY_EUNSUPPORTED, "FLOOR/CEIL to an integer type is not supported");
        }
        n->iparam[0] = fn == EDDY_FN_CEIL;
        if (n->phys == EDDY_PHYS_F64) {
            if (to_type(c, n, 0, t)) return c->err->code;
        } else if (n->phys == EDDY_PHYS_DEC) {
            if (n->kid[0]->phys != EDDY_PHYS_DEC) {
                if (n->kid[0]->phys == EDDY_PHYS_I64) {
                    n->alias = xc_coerce(c, n->kid[0], t);
                    return n->alias ? 0 : c->err->code;
                }
                return xc_error(c, n, EDDY_EUNSUPPORTED, "FLOOR/CEIL of %s as DECIMAL", xn_type_name(n->kid[0]->type));
            }
        } else {
            return xc_error(c, n, EDDY_EUNSUPPORTED, "FLOOR/CEIL needs a number");
        }
        n->run = floorceil_run;
        return 0;
    case EDDY_FN_POWER:
    case EDDY_FN_LOG:
        if (n->phys != EDDY_PHYS_F64) return xc_error(c, n, EDDY_EPLAN, "%s must return DOUBLE", fn == EDDY_FN_LOG ? "LOG" : "POWER");
        for (int k = 0; k < n->nkid; k++)
            if (to_type(c, n, k, dbl(c))) return c->err->code;
        if (fn == EDDY_FN_LOG && n->nkid == 1) {
            n->iparam[0] = F_LN;
            n->run = f1_run;
            return 0;
        }
        n->iparam[0] = fn == EDDY_FN_LOG;
        n->run = f2_run;
        return 0;
    case EDDY_FN_SQRT:
    case EDDY_FN_LN:
    case EDDY_FN_LOG10:
    case EDDY_FN_LOG2:
    case EDDY_FN_EXP:
    case EDDY_FN_SIN:
    case EDDY_FN_COS:
    case EDDY_FN_TAN:
        if (n->phys != EDDY_PHYS_F64) return xc_error(c, n, EDDY_EPLAN, "this function must return DOUBLE");
        if (to_type(c, n, 0, dbl(c))) return c->err->code;
        n->iparam[0] = fn == EDDY_FN_SQRT ? F_SQRT
                       : fn == EDDY_FN_LN ? F_LN
                       : fn == EDDY_FN_LOG10 ? F_LOG10
                       : fn == EDDY_FN_LOG2 ? F_LOG2
                       : fn == EDDY_FN_EXP ? F_EXP
                       : fn == EDDY_FN_SIN ? F_SIN
                       : fn == EDDY_FN_COS ? F_COS
                                           : F_TAN;
        n->run = f1_run;
        return 0;
    case EDDY_FN_RAND: {
        if (n->phys != EDDY_PHYS_F64) return xc_error(c, n, EDDY_EPLAN, "RAND must return DOUBLE");
        if (n->nkid > 0 && want_bigint(c, n, 0)) return c->err->code;
        jrandom *j = eddy_xcalloc(1, sizeof *j);
        n->aux = j;
        n->aux_free = free;
        n->nondet = true;
        n->run = rand_run;
        return 0;
    }
    case EDDY_FN_PI:
        if (n->phys != EDDY_PHYS_F64) return xc_error(c, n, EDDY_EPLAN, "PI must return DOUBLE");
        n->run = pi_run;
        return 0;
    default: return xc_error(c, n, EDDY_EUNSUPPORTED, "unknown math function");
    }
}
