/*
 * decimal.c: DECIMAL arithmetic on scaled 128-bit integers (see decimal.h).
 *
 * Every operation computes the exact result and rounds it once (HALF_UP) to the result scale.
 * The fast paths stay in 128 bits (operands that fit int64, equal scales, rescales by at most
 * 38 digits). Anything larger goes through u256, a 256-bit unsigned magnitude in four 64-bit
 * limbs, with sign kept aside:
 *   - products of two 128-bit magnitudes (38 digits x 38 digits = at most 76 digits < 2^256);
 *   - alignment of operands to a common scale (at most 38 + 38 digits);
 *   - dividends scaled up by 10^e before an integer division: if such a dividend overflows
 *     256 bits the quotient is >= 2^256 / 10^38 > 10^38 and overflows any result anyway.
 * Rounding a 256-bit magnitude down by 10^k divides by 10^(k-1) (in steps of 10^19, a u64) and
 * then by 10: the last remainder is the first discarded digit, and HALF_UP rounds up exactly
 * when it is >= 5. Division of two 256-bit magnitudes is Knuth's algorithm D on 32-bit digits.
 */
#include "common/decimal.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef unsigned __int128 u128;

#define P10_19 UINT64_C(10000000000000000000)
#define I128(x) ((eddy_i128)(x))

const eddy_i128 eddy_dec_pow10[EDDY_DEC_MAX_PRECISION + 1] = {
    I128(1),
    I128(10),
    I128(100),
    I128(1000),
    I128(10000),
    I128(100000),
    I128(1000000),
    I128(10000000),
    I128(100000000),
    I128(1000000000),
    I128(10000000000),
    I128(100000000000),
    I128(1000000000000),
    I128(10000000000000),
    I128(100000000000000),
    I128(1000000000000000),
    I128(10000000000000000),
    I128(100000000000000000),
    I128(1000000000000000000),
    I128(1000000000000000000) * 10,
    I128(1000000000000000000) * 100,
    I128(1000000000000000000) * 1000,
    I128(1000000000000000000) * 10000,
    I128(1000000000000000000) * 100000,
    I128(1000000000000000000) * 1000000,
    I128(1000000000000000000) * 10000000,
    I128(1000000000000000000) * 100000000,
    I128(1000000000000000000) * 1000000000,
    I128(1000000000000000000) * 10000000000,
    I128(1000000000000000000) * 100000000000,
    I128(1000000000000000000) * 1000000000000,
    I128(1000000000000000000) * 10000000000000,
    I128(1000000000000000000) * 100000000000000,
    I128(1000000000000000000) * 1000000000000000,
    I128(1000000000000000000) * 10000000000000000,
    I128(1000000000000000000) * 100000000000000000,
    I128(1000000000000000000) * 1000000000000000000,
    I128(1000000000000000000) * 1000000000000000000 * 10,
    I128(1000000000000000000) * 1000000000000000000 * 100,
};

#define POW10U(k) ((u128)eddy_dec_pow10[k])

static inline u128 uabs(eddy_i128 v)
{
    return v < 0 ? (u128)0 - (u128)v : (u128)v;
}

/* ------------------------------------------------------------------------------------------ */
/* Types                                                                                      */

#define MIN_ADJUSTED_SCALE 6

void eddy_dec_adjust_type(int p, int s, int *rp, int *rs)
{
    if (p <= EDDY_DEC_MAX_PRECISION) {
        *rp = p;
        *rs = s;
        return;
    }
    int digits = p - s;
    int min_scale = s < MIN_ADJUSTED_SCALE ? s : MIN_ADJUSTED_SCALE;
    int adj = EDDY_DEC_MAX_PRECISION - digits;
    *rp = EDDY_DEC_MAX_PRECISION;
    *rs = adj > min_scale ? adj : min_scale;
}

static inline int imax(int a, int b)
{
    return a > b ? a : b;
}
static inline int imin(int a, int b)
{
    return a < b ? a : b;
}

void eddy_dec_result_type(eddy_dec_op op, int p1, int s1, int p2, int s2, int *p, int *s)
{
    int rp, rs;
    switch (op) {
    case EDDY_DEC_ADD:
    case EDDY_DEC_SUB: /* LogicalTypeMerging.findAdditionDecimalType */
        rs = imax(s1, s2);
        rp = imax(p1 - s1, p2 - s2) + rs + 1;
        break;
    case EDDY_DEC_MUL: /* findMultiplicationDecimalType */
        rs = s1 + s2;
        rp = p1 + p2 + 1;
        break;
    case EDDY_DEC_DIV: /* findDivisionDecimalType */
        rs = imax(6, s1 + p2 + 1);
        rp = p1 - s1 + s2 + rs;
        break;
    case EDDY_DEC_MOD: /* findModuloDecimalType */
    default:
        rs = imax(s1, s2);
        rp = imin(p1 - s1, p2 - s2) + rs;
        break;
    }
    eddy_dec_adjust_type(rp, rs, p, s);
}

void eddy_dec_round_type(int p, int s, int r, int *rp, int *rs)
{
    /* LogicalTypeMerging.findRoundDecimalType */
    if (r >= s) {
        *rp = p;
        *rs = s;
    } else if (r < 0) {
        *rp = imin(EDDY_DEC_MAX_PRECISION, 1 + p - s);
        *rs = 0;
    } else { /* rounding may add a digit: 9.99 -> 10.0 */
        *rp = 1 + p - s + r;
        *rs = r;
    }
}

void eddy_dec_sum_type(int p, int s, int *rp, int *rs)
{
    (void)p;
    *rp = EDDY_DEC_MAX_PRECISION;
    *rs = s;
}

void eddy_dec_avg_type(int p, int s, int *rp, int *rs)
{
    (void)p;
    eddy_dec_result_type(EDDY_DEC_DIV, EDDY_DEC_MAX_PRECISION, s, 20, 0, rp, rs);
}

int eddy_dec_int_precision(eddy_type_kind k)
{
    switch (k) {
    case EDDY_TYPE_TINYINT: return 3;
    case EDDY_TYPE_SMALLINT: return 5;
    case EDDY_TYPE_INT: return 10;
    case EDDY_TYPE_BIGINT: return 19;
    default: return 0;
    }
}

/* ------------------------------------------------------------------------------------------ */
/* 256-bit magnitudes                                                                         */

typedef struct u256 {
    uint64_t w[4]; /* little-endian limbs */
} u256;

static inline u256 u256_from(u128 v)
{
    u256 r = {{(uint64_t)v, (uint64_t)(v >> 64), 0, 0}};
    return r;
}

static inline bool u256_fits128(const u256 *x)
{
    return (x->w[2] | x->w[3]) == 0;
}

static inline u128 u256_lo(const u256 *x)
{
    return ((u128)x->w[1] << 64) | x->w[0];
}

static inline bool u256_is_zero(const u256 *x)
{
    return (x->w[0] | x->w[1] | x->w[2] | x->w[3]) == 0;
}

static int u256_cmp(const u256 *a, const u256 *b)
{
    for (int i = 3; i >= 0; i--)
        if (a->w[i] != b->w[i]) return a->w[i] < b->w[i] ? -1 : 1;
    return 0;
}

/* a + b; true on carry out of 256 bits. */
static bool u256_add(u256 *r, const u256 *a, const u256 *b)
{
    u128 c = 0;
    for (int i = 0; i < 4; i++) {
        c += (u128)a->w[i] + b->w[i];
        r->w[i] = (uint64_t)c;
        c >>= 64;
    }
    return c != 0;
}

/* a - b for a >= b. */
static void u256_sub(u256 *r, const u256 *a, const u256 *b)
{
    uint64_t borrow = 0;
    for (int i = 0; i < 4; i++) {
        uint64_t x = a->w[i], y = b->w[i];
        uint64_t d = x - y - borrow;
        borrow = (x < y) || (x == y && borrow) ? 1 : 0;
        r->w[i] = d;
    }
}

/* The full 256-bit product of two 128-bit magnitudes. */
static u256 u256_mul128(u128 a, u128 b)
{
    uint64_t a0 = (uint64_t)a, a1 = (uint64_t)(a >> 64);
    uint64_t b0 = (uint64_t)b, b1 = (uint64_t)(b >> 64);
    u128 p00 = (u128)a0 * b0, p01 = (u128)a0 * b1, p10 = (u128)a1 * b0, p11 = (u128)a1 * b1;
    u256 r;
    r.w[0] = (uint64_t)p00;
    u128 mid = (p00 >> 64) + (uint64_t)p01 + (uint64_t)p10;
    r.w[1] = (uint64_t)mid;
    u128 hi = (mid >> 64) + (p01 >> 64) + (p10 >> 64) + (uint64_t)p11;
    r.w[2] = (uint64_t)hi;
    r.w[3] = (uint64_t)((hi >> 64) + (p11 >> 64));
    return r;
}

/* x *= m; true when the product needs more than 256 bits. */
static bool u256_mul64(u256 *x, uint64_t m)
{
    u128 c = 0;
    for (int i = 0; i < 4; i++) {
        c += (u128)x->w[i] * m;
        x->w[i] = (uint64_t)c;
        c >>= 64;
    }
    return c != 0;
}

/* (hi:lo) / d for hi < d, with the remainder: one divq on x86-64 (the generic 128-bit division
 * of libgcc is several times slower). */
static inline uint64_t div128_64(uint64_t hi, uint64_t lo, uint64_t d, uint64_t *rem)
{
#if defined(__x86_64__)
    uint64_t q, r;
    __asm__("divq %4" : "=a"(q), "=d"(r) : "a"(lo), "d"(hi), "rm"(d) : "cc");
    *rem = r;
    return q;
#else
    u128 n = ((u128)hi << 64) | lo;
    *rem = (uint64_t)(n % d);
    return (uint64_t)(n / d);
#endif
}

/* x /= d; returns the remainder. */
static uint64_t u256_div64(u256 *x, uint64_t d)
{
    uint64_t r = 0;
    int i = 3;
    while (i > 0 && x->w[i] == 0) i--;
    for (; i >= 0; i--) x->w[i] = div128_64(r, x->w[i], d, &r);
    return r;
}

/* m /= d for a 128-bit m and 64-bit d; returns the remainder. */
static inline uint64_t u128_div64(u128 *m, uint64_t d)
{
    uint64_t hi = (uint64_t)(*m >> 64), lo = (uint64_t)*m, r;
    uint64_t qhi = hi / d;
    uint64_t qlo = div128_64(hi % d, lo, d, &r);
    *m = ((u128)qhi << 64) | qlo;
    return r;
}

static const uint64_t POW10_64[20] = {1,
                                      10,
                                      100,
                                      1000,
                                      10000,
                                      100000,
                                      1000000,
                                      10000000,
                                      100000000,
                                      1000000000,
                                      10000000000,
                                      100000000000,
                                      1000000000000,
                                      10000000000000,
                                      100000000000000,
                                      1000000000000000,
                                      10000000000000000,
                                      100000000000000000,
                                      1000000000000000000,
                                      P10_19};

/* x *= 10^k; true on overflow of 256 bits. */
static bool u256_mul_pow10(u256 *x, int k)
{
    while (k > 0) {
        int step = k > 19 ? 19 : k;
        if (u256_mul64(x, POW10_64[step])) return true;
        k -= step;
    }
    return false;
}

/* x = round_half_up(x / 10^k), k >= 1: truncating divisions down to the last <= 19 digits,
 * then one whose remainder decides the rounding (truncation composes: floor(floor(x/a)/b) =
 * floor(x/(ab)), and HALF_UP depends only on the discarded part). */
static void u256_div_pow10_round(u256 *x, int k)
{
    while (k > 19) {
        int step = k - 19 > 19 ? 19 : k - 19;
        u256_div64(x, POW10_64[step]);
        k -= step;
    }
    uint64_t r = u256_div64(x, POW10_64[k]);
    if (r >= POW10_64[k] / 2) {
        u256 one = u256_from(1);
        u256_add(x, x, &one); /* cannot carry out: x < 2^256 / 10 */
    }
}

/*
 * q = u / v, r = u % v (v != 0), by Knuth's algorithm D (TAOCP 4.3.1) on 32-bit digits: normalise
 * so that v's top digit has its high bit set, estimate each quotient digit from the top two
 * digits of the running remainder, correct the estimate at most twice, multiply-subtract, and
 * add back in the rare case the estimate was still one too big.
 */
static void u256_divmod(const u256 *u, const u256 *v, u256 *q, u256 *r)
{
    uint32_t un[9], vn[8], ud[8], vd[8], qd[8] = {0};
    for (int i = 0; i < 4; i++) {
        ud[2 * i] = (uint32_t)u->w[i];
        ud[2 * i + 1] = (uint32_t)(u->w[i] >> 32);
        vd[2 * i] = (uint32_t)v->w[i];
        vd[2 * i + 1] = (uint32_t)(v->w[i] >> 32);
    }
    int m = 8, n = 8;
    if ((v->w[1] | v->w[2] | v->w[3]) == 0) { /* a 64-bit divisor: one divq per limb */
        *q = *u;
        *r = u256_from(u256_div64(q, v->w[0]));
        return;
    }
    while (m > 0 && ud[m - 1] == 0) m--;
    while (n > 0 && vd[n - 1] == 0) n--;
    if (m < n) {
        *q = u256_from(0);
        *r = *u;
        return;
    }
    if (n == 1) {
        uint64_t rem = 0;
        for (int j = m - 1; j >= 0; j--) {
            uint64_t cur = (rem << 32) | ud[j];
            qd[j] = (uint32_t)(cur / vd[0]);
            rem = cur % vd[0];
        }
        for (int i = 0; i < 4; i++) q->w[i] = ((uint64_t)qd[2 * i + 1] << 32) | qd[2 * i];
        *r = u256_from(rem);
        return;
    }
    const uint64_t B = UINT64_C(1) << 32;
    int s = __builtin_clz(vd[n - 1]);
    for (int i = n - 1; i > 0; i--)
        vn[i] = (uint32_t)(((uint64_t)vd[i] << s) | ((uint64_t)vd[i - 1] >> (32 - s)));
    vn[0] = (uint32_t)((uint64_t)vd[0] << s);
    un[m] = (uint32_t)((uint64_t)ud[m - 1] >> (32 - s));
    for (int i = m - 1; i > 0; i--)
        un[i] = (uint32_t)(((uint64_t)ud[i] << s) | ((uint64_t)ud[i - 1] >> (32 - s)));
    un[0] = (uint32_t)((uint64_t)ud[0] << s);

    for (int j = m - n; j >= 0; j--) {
        uint64_t num = ((uint64_t)un[j + n] << 32) | un[j + n - 1];
        uint64_t qhat = num / vn[n - 1];
        uint64_t rhat = num % vn[n - 1];
        while (qhat >= B || qhat * vn[n - 2] > ((rhat << 32) | un[j + n - 2])) {
            qhat--;
            rhat += vn[n - 1];
            if (rhat >= B) break;
        }
        /* un[j .. j+n] -= qhat * vn[0 .. n-1] */
        int64_t borrow = 0;
        uint64_t carry = 0;
        for (int i = 0; i < n; i++) {
            uint64_t p = qhat * vn[i] + carry;
            carry = p >> 32;
            int64_t t = (int64_t)un[i + j] - (int64_t)(uint32_t)p + borrow;
            un[i + j] = (uint32_t)t;
            borrow = t < 0 ? -1 : 0;
        }
        int64_t t = (int64_t)un[j + n] - (int64_t)carry + borrow;
        un[j + n] = (uint32_t)t;
        if (t < 0) { /* qhat was one too big: add v back */
            qhat--;
            uint64_t c = 0;
            for (int i = 0; i < n; i++) {
                uint64_t sum = (uint64_t)un[i + j] + vn[i] + c;
                un[i + j] = (uint32_t)sum;
                c = sum >> 32;
            }
            un[j + n] = (uint32_t)(un[j + n] + c);
        }
        qd[j] = (uint32_t)qhat;
    }
    uint32_t rd[8] = {0};
    for (int i = 0; i < n; i++)
        rd[i] = (uint32_t)(((uint64_t)un[i] >> s) | ((uint64_t)un[i + 1] << (32 - s)));
    for (int i = 0; i < 4; i++) {
        q->w[i] = ((uint64_t)qd[2 * i + 1] << 32) | qd[2 * i];
        r->w[i] = ((uint64_t)rd[2 * i + 1] << 32) | rd[2 * i];
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Rounding a magnitude into a result type                                                    */

/* Sets *out to +-m, m of scale s_in rounded to DECIMAL(p, s). */
static int finish128(bool neg, u128 m, int s_in, int p, int s, eddy_i128 *out)
{
    if (s_in > s) {
        int k = s_in - s;
        if (k > EDDY_DEC_MAX_PRECISION) {
            m = 0; /* m < 2^128 < 5 * 10^38: the first discarded digit is < 5 */
        } else if (k <= 19) {
            uint64_t r = u128_div64(&m, POW10_64[k]);
            if (r >= POW10_64[k] / 2) m++;
        } else {
            u128 d = POW10U(k);
            u128 q = m / d, r = m - q * d;
            if (r >= d / 2) q++;
            m = q;
        }
    } else if (s_in < s) {
        int k = s - s_in;
        if (m != 0 && (k > EDDY_DEC_MAX_PRECISION || __builtin_mul_overflow(m, POW10U(k), &m)))
            return EDDY_DEC_OVERFLOW;
    }
    if (m >= POW10U(p)) return EDDY_DEC_OVERFLOW;
    *out = neg ? -(eddy_i128)m : (eddy_i128)m;
    return EDDY_DEC_OK;
}

static int finish256(bool neg, u256 m, int s_in, int p, int s, eddy_i128 *out)
{
    if (s_in > s)
        u256_div_pow10_round(&m, s_in - s);
    else if (s_in < s && u256_mul_pow10(&m, s - s_in))
        return EDDY_DEC_OVERFLOW;
    if (!u256_fits128(&m)) return EDDY_DEC_OVERFLOW;
    u128 v = u256_lo(&m);
    if (v >= POW10U(p)) return EDDY_DEC_OVERFLOW;
    *out = neg ? -(eddy_i128)v : (eddy_i128)v;
    return EDDY_DEC_OK;
}

/* v * 10^k in 128 bits; false on overflow. */
static inline bool scale_up(eddy_i128 v, int k, eddy_i128 *r)
{
    if (k == 0) {
        *r = v;
        return true;
    }
    if (k > EDDY_DEC_MAX_PRECISION) {
        *r = 0;
        return v == 0;
    }
    return !__builtin_mul_overflow(v, eddy_dec_pow10[k], r);
}

/* ------------------------------------------------------------------------------------------ */
/* Arithmetic                                                                                 */

int eddy_dec_add(eddy_i128 a, int sa, eddy_i128 b, int sb, int p, int s, eddy_i128 *out)
{
    int sc = imax(sa, sb);
    eddy_i128 x, y, r;
    if (scale_up(a, sc - sa, &x) && scale_up(b, sc - sb, &y) && !__builtin_add_overflow(x, y, &r)) {
        if (sc == s) {
            if (!eddy_dec_fits(r, p)) return EDDY_DEC_OVERFLOW;
            *out = r;
            return EDDY_DEC_OK;
        }
        return finish128(r < 0, uabs(r), sc, p, s, out);
    }
    /* align in 256 bits: at most 38 + 38 digits, and a sum of two stays below 2^256 */
    u256 A = u256_from(uabs(a)), B = u256_from(uabs(b)), R;
    u256_mul_pow10(&A, sc - sa);
    u256_mul_pow10(&B, sc - sb);
    bool na = a < 0, nb = b < 0, neg;
    if (na == nb) {
        u256_add(&R, &A, &B);
        neg = na;
    } else if (u256_cmp(&A, &B) >= 0) {
        u256_sub(&R, &A, &B);
        neg = na;
    } else {
        u256_sub(&R, &B, &A);
        neg = nb;
    }
    return finish256(neg && !u256_is_zero(&R), R, sc, p, s, out);
}

int eddy_dec_sub(eddy_i128 a, int sa, eddy_i128 b, int sb, int p, int s, eddy_i128 *out)
{
    return eddy_dec_add(a, sa, -b, sb, p, s, out);
}

int eddy_dec_mul(eddy_i128 a, int sa, eddy_i128 b, int sb, int p, int s, eddy_i128 *out)
{
    eddy_i128 r;
    int sr = sa + sb;
    if (a == (int64_t)a && b == (int64_t)b) /* one 64x64->128 multiply, cannot overflow */
        r = (eddy_i128)(int64_t)a * (int64_t)b;
    else if (__builtin_mul_overflow(a, b, &r))
        return finish256((a < 0) != (b < 0), u256_mul128(uabs(a), uabs(b)), sr, p, s, out);
    if (sr == s) {
        if (!eddy_dec_fits(r, p)) return EDDY_DEC_OVERFLOW;
        *out = r;
        return EDDY_DEC_OK;
    }
    return finish128(r < 0, uabs(r), sr, p, s, out);
}

int eddy_dec_div(eddy_i128 a, int sa, eddy_i128 b, int sb, int p, int s, eddy_i128 *out)
{
    if (b == 0) return EDDY_DEC_DIVZERO;
    if (a == 0) {
        *out = 0;
        return EDDY_DEC_OK;
    }
    bool neg = (a < 0) != (b < 0);
    u128 ua = uabs(a), ub = uabs(b);
    /* quotient = ua * 10^e / ub at scale s */
    int e = s + sb - sa;
    u128 n;
    if (e >= 0 && e <= EDDY_DEC_MAX_PRECISION && !__builtin_mul_overflow(ua, POW10U(e), &n)) {
        u128 q = n / ub, r = n - q * ub;
        if (r >= ub - r) q++; /* 2r >= ub */
        if (q >= POW10U(p)) return EDDY_DEC_OVERFLOW;
        *out = neg ? -(eddy_i128)q : (eddy_i128)q;
        return EDDY_DEC_OK;
    }
    u256 N = u256_from(ua), D = u256_from(ub), Q, R;
    if (e >= 0) {
        if (u256_mul_pow10(&N, e)) return EDDY_DEC_OVERFLOW;
    } else if (u256_mul_pow10(&D, -e)) {
        *out = 0; /* D >= 2^256 > 2 * N: the quotient rounds to 0 */
        return EDDY_DEC_OK;
    }
    u256_divmod(&N, &D, &Q, &R);
    u256 rest;
    u256_sub(&rest, &D, &R);
    if (u256_cmp(&R, &rest) >= 0) {
        u256 one = u256_from(1);
        u256_add(&Q, &Q, &one);
    }
    return finish256(neg, Q, s, p, s, out);
}

int eddy_dec_mod(eddy_i128 a, int sa, eddy_i128 b, int sb, int p, int s, eddy_i128 *out)
{
    if (b == 0) return EDDY_DEC_DIVZERO;
    int sc = imax(sa, sb);
    eddy_i128 x, y;
    if (scale_up(a, sc - sa, &x) && scale_up(b, sc - sb, &y)) {
        u128 r = uabs(x) % uabs(y);
        return finish128(a < 0 && r != 0, r, sc, p, s, out);
    }
    u256 A = u256_from(uabs(a)), B = u256_from(uabs(b)), Q, R;
    u256_mul_pow10(&A, sc - sa);
    u256_mul_pow10(&B, sc - sb);
    u256_divmod(&A, &B, &Q, &R);
    return finish256(a < 0 && !u256_is_zero(&R), R, sc, p, s, out);
}

int eddy_dec_rescale(eddy_i128 v, int sv, int p, int s, eddy_i128 *out)
{
    if (sv == s) {
        if (!eddy_dec_fits(v, p)) return EDDY_DEC_OVERFLOW;
        *out = v;
        return EDDY_DEC_OK;
    }
    return finish128(v < 0, uabs(v), sv, p, s, out);
}

int eddy_dec_cmp(eddy_i128 a, int sa, eddy_i128 b, int sb)
{
    if (sa != sb) {
        if ((a < 0) != (b < 0) || a == 0 || b == 0) {
            int ca = (a > 0) - (a < 0), cb = (b > 0) - (b < 0);
            return (ca > cb) - (ca < cb);
        }
        /* same sign, both non-zero: scale the smaller scale up; if that overflows it is the
         * bigger magnitude */
        eddy_i128 t;
        if (sa < sb) {
            if (!scale_up(a, sb - sa, &t)) return a < 0 ? -1 : 1;
            a = t;
        } else {
            if (!scale_up(b, sa - sb, &t)) return b < 0 ? 1 : -1;
            b = t;
        }
    }
    return (a > b) - (a < b);
}

int eddy_dec_round(eddy_i128 v, int p, int s, int r, eddy_i128 *out)
{
    int rp, rs;
    eddy_dec_round_type(p, s, r, &rp, &rs);
    if (r >= s) {
        *out = v;
        return EDDY_DEC_OK;
    }
    if (r >= 0) return finish128(v < 0, uabs(v), s, rp, rs, out);
    /* r < 0: round to 10^-r, keep the value in scale 0 */
    int k = s - r; /* digits dropped */
    u128 q;
    if (k > EDDY_DEC_MAX_PRECISION) {
        q = 0;
    } else {
        u128 d = POW10U(k), m = uabs(v);
        q = m / d;
        if (m - q * d >= d / 2) q++;
    }
    if (q != 0 && (-r > EDDY_DEC_MAX_PRECISION || __builtin_mul_overflow(q, POW10U(-r), &q)))
        return EDDY_DEC_OVERFLOW;
    if (q >= POW10U(rp)) return EDDY_DEC_OVERFLOW;
    *out = v < 0 ? -(eddy_i128)q : (eddy_i128)q;
    return EDDY_DEC_OK;
}

eddy_i128 eddy_dec_floor(eddy_i128 v, int s)
{
    if (s <= 0) return v;
    eddy_i128 d = eddy_dec_pow10[s], q = v / d;
    if (v % d < 0) q--;
    return q;
}

eddy_i128 eddy_dec_ceil(eddy_i128 v, int s)
{
    if (s <= 0) return v;
    eddy_i128 d = eddy_dec_pow10[s], q = v / d;
    if (v % d > 0) q++;
    return q;
}

int eddy_dec_avg(eddy_i128 sum, int s_sum, int64_t count, int p, int s, eddy_i128 *out)
{
    return eddy_dec_div(sum, s_sum, (eddy_i128)count, 0, p, s, out);
}

/* ------------------------------------------------------------------------------------------ */
/* Conversions                                                                                */

int eddy_dec_from_i64(int64_t v, int p, int s, eddy_i128 *out)
{
    eddy_i128 r;
    if (!scale_up((eddy_i128)v, s, &r) || !eddy_dec_fits(r, p)) return EDDY_DEC_OVERFLOW;
    *out = r;
    return EDDY_DEC_OK;
}

int eddy_dec_to_i64(eddy_i128 v, int s, int64_t *out)
{
    eddy_i128 q = s > 0 ? v / eddy_dec_pow10[s] : v;
    if (q > INT64_MAX || q < INT64_MIN) return EDDY_DEC_OVERFLOW;
    *out = (int64_t)q;
    return EDDY_DEC_OK;
}

/* Decimal digits of m (no leading zeros; "0" for 0) into buf; returns the count. */
static const char DIGITS2[201] = "00010203040506070809"
                                 "10111213141516171819"
                                 "20212223242526272829"
                                 "30313233343536373839"
                                 "40414243444546474849"
                                 "50515253545556575859"
                                 "60616263646566676869"
                                 "70717273747576777879"
                                 "80818283848586878889"
                                 "90919293949596979899";

/* Writes the digits of v backwards ending at end (at least min digits, zero padded); returns the
 * start. */
static char *u64_digits_back(uint64_t v, char *end, int min)
{
    char *p = end;
    while (v >= 100) {
        p -= 2;
        memcpy(p, DIGITS2 + 2 * (v % 100), 2);
        v /= 100;
    }
    if (v >= 10) {
        p -= 2;
        memcpy(p, DIGITS2 + 2 * v, 2);
    } else {
        *--p = (char)('0' + v);
    }
    while (end - p < min) *--p = '0';
    return p;
}

static int u128_digits(u128 m, char *buf)
{
    char tmp[40];
    char *end = tmp + sizeof tmp, *p;
    if ((m >> 64) == 0) {
        p = u64_digits_back((uint64_t)m, end, 1);
    } else {
        /* peel 19 digits at a time with a 64-bit divisor */
        uint64_t lo = u128_div64(&m, P10_19);
        if ((m >> 64) == 0) {
            p = u64_digits_back(lo, end, 19);
            p = u64_digits_back((uint64_t)m, p, 1);
        } else {
            uint64_t mid = u128_div64(&m, P10_19);
            p = u64_digits_back(lo, end, 19);
            p = u64_digits_back(mid, p, 19);
            p = u64_digits_back((uint64_t)m, p, 1);
        }
    }
    int n = (int)(end - p);
    memcpy(buf, p, (size_t)n);
    return n;
}

double eddy_dec_to_double(eddy_i128 v, int s)
{
    static const double exact[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                     1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                     1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    u128 m = uabs(v);
    if (m < ((u128)1 << 53) && s <= 22) {
        /* both exact doubles: one IEEE division rounds correctly */
        double d = (double)(uint64_t)m / exact[s];
        return v < 0 ? -d : d;
    }
    char buf[64];
    int n = 0;
    if (v < 0) buf[n++] = '-';
    n += u128_digits(m, buf + n);
    snprintf(buf + n, sizeof buf - (size_t)n, "e-%d", s);
    return strtod(buf, NULL); /* no decimal point: independent of the locale */
}

/*
 * The rounding core shared by parsing and from_double: the value is the digit string
 * digs[0..nd) (no leading zero unless nd == 1 and it is "0") times 10^e, and *out becomes it
 * rounded HALF_UP to scale s, checked against p. Digits may be given lazily: `digs` needs
 * only its first min(nd, keep + 1) bytes, where keep = nd + e + s.
 */
static int from_digits(bool neg, const char *digs, int64_t nd, int64_t e, int p, int s,
                       eddy_i128 *out)
{
    if (nd == 0 || (nd == 1 && digs[0] == '0')) {
        *out = 0;
        return EDDY_DEC_OK;
    }
    int64_t keep = nd + e + s; /* digits at or above 10^-s */
    if (keep > p) return EDDY_DEC_OVERFLOW;
    u128 m = 0;
    if (keep < 0) {
        m = 0;
    } else {
        int64_t take = keep < nd ? keep : nd;
        for (int64_t i = 0; i < take; i++) m = m * 10 + (u128)(digs[i] - '0');
        for (int64_t i = take; i < keep; i++) m *= 10;
        if (keep < nd && digs[keep] >= '5') m++;
    }
    if (m >= POW10U(p)) return EDDY_DEC_OVERFLOW;
    *out = neg ? -(eddy_i128)m : (eddy_i128)m;
    return EDDY_DEC_OK;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* The common text: [-]digits[.digits], at most 18 digits in all, no more fraction digits than
 * the scale. Returns false to leave it to the general parser. */
static inline bool parse_simple(const char *str, size_t n, int p, int scale, eddy_i128 *out)
{
    size_t i = 0;
    bool neg = false;
    if (n && str[0] == '-') neg = true, i = 1;
    uint64_t v = 0;
    int nd = 0, frac = -1;
    for (; i < n; i++) {
        unsigned c = (unsigned)(unsigned char)str[i] - '0';
        if (c <= 9) {
            v = v * 10 + c;
            nd++;
            if (frac >= 0) frac++;
        } else if (str[i] == '.' && frac < 0) {
            frac = 0;
        } else {
            return false;
        }
    }
    if (frac < 0) frac = 0;
    if (nd == 0 || nd > 18 || frac > scale || scale - frac > 19) return false;
    u128 m = (u128)v * POW10_64[scale - frac];
    if (m >= POW10U(p)) return false; /* let the general path say OVERFLOW */
    *out = neg ? -(eddy_i128)m : (eddy_i128)m;
    return true;
}

int eddy_dec_parse(const char *str, size_t n, int p, int scale, eddy_i128 *out)
{
    if (parse_simple(str, n, p, scale, out)) return EDDY_DEC_OK;
    size_t i = 0;
    while (n && is_space(str[n - 1])) n--;
    while (i < n && is_space(str[i])) i++;
    bool neg = false;
    if (i < n && (str[i] == '+' || str[i] == '-')) neg = str[i++] == '-';
    size_t int_start = i;
    while (i < n && str[i] >= '0' && str[i] <= '9') i++;
    size_t int_end = i, frac_start = i, frac_end = i;
    if (i < n && str[i] == '.') {
        frac_start = ++i;
        while (i < n && str[i] >= '0' && str[i] <= '9') i++;
        frac_end = i;
    }
    if (int_end == int_start && frac_end == frac_start) return EDDY_DEC_INVALID;
    int64_t exp = 0;
    if (i < n && (str[i] == 'e' || str[i] == 'E')) {
        i++;
        bool eneg = false;
        if (i < n && (str[i] == '+' || str[i] == '-')) eneg = str[i++] == '-';
        size_t es = i;
        while (i < n && str[i] >= '0' && str[i] <= '9') {
            if (exp < 100000000) exp = exp * 10 + (str[i] - '0');
            i++;
        }
        if (i == es) return EDDY_DEC_INVALID;
        if (eneg) exp = -exp;
    }
    if (i != n) return EDDY_DEC_INVALID;

    /* significant digits: skip leading zeros of the integer part, then of the fraction if the
     * integer part is all zeros; copy at most what from_digits reads */
    char digs[EDDY_DEC_MAX_PRECISION + 2];
    int64_t nd = 0, frac_digits = (int64_t)(frac_end - frac_start);
    size_t k = int_start;
    while (k < int_end && str[k] == '0') k++;
    bool in_frac = false;
    if (k == int_end) {
        k = frac_start;
        in_frac = true;
        while (k < frac_end && str[k] == '0') k++;
    }
    /* count and copy */
    for (;;) {
        if (!in_frac && k == int_end) {
            in_frac = true;
            k = frac_start;
        }
        if (k >= (in_frac ? frac_end : int_end)) break;
        if (nd < (int64_t)sizeof digs) digs[nd] = str[k];
        nd++;
        k++;
    }
    if (nd == 0) {
        *out = 0;
        return EDDY_DEC_OK;
    }
    /* from_digits reads at most p + 1 <= 39 of them */
    return from_digits(neg, digs, nd, exp - frac_digits, p, scale, out);
}

size_t eddy_dec_format(eddy_i128 v, int scale, char *buf)
{
    char d[40];
    int nd = u128_digits(uabs(v), d);
    char *p = buf;
    if (v < 0) *p++ = '-';
    if (scale <= 0) {
        memcpy(p, d, (size_t)nd);
        p += nd;
    } else if (nd > scale) {
        memcpy(p, d, (size_t)(nd - scale));
        p += nd - scale;
        *p++ = '.';
        memcpy(p, d + nd - scale, (size_t)scale);
        p += scale;
    } else {
        *p++ = '0';
        *p++ = '.';
        for (int k = nd; k < scale; k++) *p++ = '0';
        memcpy(p, d, (size_t)nd);
        p += nd;
    }
    *p = 0;
    return (size_t)(p - buf);
}

int eddy_dec_literal_type(const char *s, size_t n, int *p, int *scale)
{
    size_t i = 0, dot = n;
    int sig = 0, frac = 0;
    bool any = false, leading = true;
    for (; i < n; i++) {
        char c = s[i];
        if (c == '.') {
            if (dot != n) return EDDY_DEC_INVALID;
            dot = i;
            continue;
        }
        if (c < '0' || c > '9') return EDDY_DEC_INVALID;
        any = true;
        if (dot != n) frac++;
        if (c != '0') leading = false;
        if (!leading) sig++;
    }
    if (!any || frac > EDDY_DEC_MAX_PRECISION) return EDDY_DEC_INVALID;
    int prec = imax(imax(sig, frac), 1);
    if (prec > EDDY_DEC_MAX_PRECISION) return EDDY_DEC_INVALID;
    *p = prec;
    *scale = frac;
    return EDDY_DEC_OK;
}

int eddy_double_shortest(double x, char digits[18], int *exp10)
{
    if (x == 0) {
        digits[0] = '0';
        *exp10 = 1;
        return 1;
    }
    double ax = fabs(x);
    char buf[64], check[64], d[20];
    /* For a normal double, a decimal of <= 15 digits that reads back as x is the nearest
     * 15-digit one (the 15-digit grid is coarser than x's ulp), so 15, 16, 17 digits are the
     * only candidates; subnormals have fewer bits and start the search at 1 digit. */
    for (int prec = ax < DBL_MIN ? 1 : 15; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*e", prec - 1, ax);
        /* "d.ddd...e+XX": take the digits, skipping whatever the locale uses as the point */
        int nd = 0;
        const char *q = buf;
        while (*q && *q != 'e') {
            if (*q >= '0' && *q <= '9') d[nd++] = *q;
            q++;
        }
        int e = *q == 'e' ? atoi(q + 1) : 0;
        memcpy(check, d, (size_t)nd);
        snprintf(check + nd, sizeof check - (size_t)nd, "e%d", e - (nd - 1));
        if (prec < 17 && strtod(check, NULL) != ax) continue;
        while (nd > 1 && d[nd - 1] == '0') nd--;
        memcpy(digits, d, (size_t)nd);
        *exp10 = e + 1;
        return nd;
    }
    return 0; /* not reached: 17 digits always read back */
}

int eddy_dec_from_double(double x, int p, int s, eddy_i128 *out)
{
    if (!isfinite(x)) return EDDY_DEC_INVALID;
    char d[18];
    int e10;
    int nd = eddy_double_shortest(x, d, &e10);
    /* |x| = 0.d1d2..dn * 10^e10 = d1..dn * 10^(e10 - n) */
    return from_digits(x < 0, d, nd, (int64_t)e10 - nd, p, s, out);
}

double eddy_round_double(double x, int n)
{
    if (!isfinite(x) || x == 0) return x == 0 ? 0.0 : x;
    char d[20];
    int e10;
    int nd = eddy_double_shortest(x, d, &e10);
    int64_t keep = (int64_t)e10 + n; /* digits kept: places >= 10^-n */
    if (keep >= nd) return x;
    if (keep < 0) return 0.0;
    int64_t exp; /* value = d[0..keep) * 10^exp after rounding */
    if (keep == 0) {
        if (d[0] < '5') return 0.0;
        d[0] = '1';
        keep = 1;
        exp = -(int64_t)n;
    } else {
        exp = (int64_t)e10 - keep;
        if (d[keep] >= '5') {
            int64_t i = keep - 1;
            while (i >= 0 && d[i] == '9') d[i--] = '0';
            if (i >= 0) {
                d[i]++;
            } else { /* 99.9 -> 100 */
                d[0] = '1';
                for (int64_t j = 1; j < keep; j++) d[j] = '0';
                exp++;
            }
        }
    }
    char buf[48];
    memcpy(buf, d, (size_t)keep);
    snprintf(buf + keep, sizeof buf - (size_t)keep, "e%lld", (long long)exp);
    double r = strtod(buf, NULL);
    return x < 0 ? -r : r;
}
