/*
 * cast.c: CAST / TRY_CAST kernels and the text of values (see cast.h; node model in fn.h).
 *
 * A cast is compiled into one of: nothing (the representation already fits: INT to BIGINT,
 * TIMESTAMP to TIMESTAMP_LTZ, DECIMAL(5,2) to DECIMAL(10,2) ... the node becomes its operand),
 * a dedicated loop for the common numeric and time conversions, or a per-row conversion by a
 * code chosen at compile time. Rules (Flink 1.15+ cast rules, except where eddy is stricter):
 *   - numeric narrowing (BIGINT to INT, DOUBLE to INT, DECIMAL to SMALLINT) checks the range:
 *     an error for CAST, NULL for TRY_CAST (Flink would wrap);
 *   - DOUBLE and DECIMAL to integers truncate toward zero;
 *   - to DECIMAL rounds HALF_UP; a value too large for the precision is NULL (as Flink);
 *   - string to number trims whitespace; "1.9" to INT is 1 (Flink's toLong truncates a
 *     fraction); bad text is an error for CAST, NULL for TRY_CAST;
 *   - string to BOOLEAN accepts true/t/yes/y/1 and false/f/no/n/0 in any case;
 *   - string to TIMESTAMP is the lenient yyyy-M-d[ H:m[:s[.f]]] of common/timeutil.h, to DATE
 *     yyyy-M-d, to TIME H:m[:s[.f]];
 *   - BIGINT to TIMESTAMP/TIMESTAMP_LTZ reads seconds since the epoch; TIMESTAMP to BIGINT
 *     gives seconds (floor);
 *   - to VARCHAR(n) keeps the first n characters, to CHAR(n) pads with spaces to n (Flink
 *     1.15+); VARCHAR / STRING without a length keep everything;
 *   - TIMESTAMP(3) to TIMESTAMP(0) truncates the fraction.
 */
#include "cast.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/checked.h"
#include "../common/decimal.h"
#include "../common/timeutil.h"
#include "fn.h"

/* ---------------------------------------------------------------------------------------- */
/* Text of values                                                                             */

static size_t put_str(char *buf, const char *s)
{
    size_t n = strlen(s);
    memcpy(buf, s, n + 1);
    return n;
}

/* Java's layout of shortest digits d[0..nd) meaning 0.d * 10^e. */
static size_t java_layout(bool neg, const char *d, int nd, int e, char *buf)
{
    char *p = buf;
    if (neg) *p++ = '-';
    if (e >= -2 && e <= 7) {
        if (e <= 0) {
            *p++ = '0';
            *p++ = '.';
            for (int i = 0; i < -e; i++) *p++ = '0';
            memcpy(p, d, (size_t)nd);
            p += nd;
        } else if (e >= nd) {
            memcpy(p, d, (size_t)nd);
            p += nd;
            for (int i = nd; i < e; i++) *p++ = '0';
            *p++ = '.';
            *p++ = '0';
        } else {
            memcpy(p, d, (size_t)e);
            p += e;
            *p++ = '.';
            memcpy(p, d + e, (size_t)(nd - e));
            p += nd - e;
        }
    } else {
        *p++ = d[0];
        *p++ = '.';
        if (nd > 1) {
            memcpy(p, d + 1, (size_t)(nd - 1));
            p += nd - 1;
        } else {
            *p++ = '0';
        }
        p += sprintf(p, "E%d", e - 1);
    }
    *p = 0;
    return (size_t)(p - buf);
}

size_t eddy_format_double(double v, char *buf)
{
    if (isnan(v)) return put_str(buf, "NaN");
    if (isinf(v)) return put_str(buf, v > 0 ? "Infinity" : "-Infinity");
    if (v == 0) return put_str(buf, signbit(v) ? "-0.0" : "0.0");
    char d[18];
    int e;
    int nd = eddy_double_shortest(v, d, &e);
    return java_layout(v < 0, d, nd, e, buf);
}

size_t eddy_format_float(float v, char *buf)
{
    if (isnan(v)) return put_str(buf, "NaN");
    if (isinf(v)) return put_str(buf, v > 0 ? "Infinity" : "-Infinity");
    if (v == 0) return put_str(buf, signbit(v) ? "-0.0" : "0.0");
    /* the fewest significant digits that read back as the same float */
    char tmp[40], d[12];
    int nd = 0, e = 0;
    for (int prec = 1; prec <= 9; prec++) {
        snprintf(tmp, sizeof tmp, "%.*e", prec - 1, (double)fabsf(v));
        if (strtof(tmp, NULL) == fabsf(v) || prec == 9) {
            const char *q = tmp;
            nd = 0;
            while (*q && *q != 'e') {
                if (*q >= '0' && *q <= '9') d[nd++] = *q;
                q++;
            }
            e = atoi(q + 1) + 1;
            while (nd > 1 && d[nd - 1] == '0') nd--;
            break;
        }
    }
    return java_layout(v < 0, d, nd, e, buf);
}

static int ts_prec(const eddy_sqltype *t)
{
    if (!t || t->precision < 0) return 6;
    return t->precision > 9 ? 9 : t->precision;
}

/* Text of a non-string value; upper_bool for CAST's TRUE/FALSE. */
static size_t scalar_text(const eddy_sqltype *t, eddy_phys ph, eddy_col const *c, int row, char *buf, bool upper_bool)
{
    switch (ph) {
    case EDDY_PHYS_BOOL:
        if (upper_bool) return put_str(buf, c->v.b[row] ? "TRUE" : "FALSE");
        return put_str(buf, c->v.b[row] ? "true" : "false");
    case EDDY_PHYS_F64:
        if (t && t->kind == EDDY_TYPE_FLOAT) return eddy_format_float((float)c->v.f64[row], buf);
        return eddy_format_double(c->v.f64[row], buf);
    case EDDY_PHYS_DEC: return eddy_dec_format(c->v.dec[row], (t && t->scale > 0) ? t->scale : 0, buf);
    case EDDY_PHYS_I64: {
        int64_t v = c->v.i64[row];
        switch (t ? t->kind : EDDY_TYPE_BIGINT) {
        case EDDY_TYPE_DATE: return eddy_date_format(v, buf);
        case EDDY_TYPE_TIME: return eddy_time_format((int32_t)v, t->precision < 0 ? 0 : (t->precision > 9 ? 9 : t->precision), buf);
        case EDDY_TYPE_TIMESTAMP:
        case EDDY_TYPE_TIMESTAMP_LTZ: return eddy_ts_format_ex(v, ts_prec(t), 0, buf);
        case EDDY_TYPE_INTERVAL:
            if (eddy_interval_is_months(t->from)) return eddy_interval_format_ym((int32_t)v, buf);
            return eddy_interval_format_dt(v, buf);
        default: {
            /* digits, right to left */
            char tmp[24];
            int k = 0;
            uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
            do {
                tmp[k++] = (char)('0' + u % 10);
                u /= 10;
            } while (u);
            char *p = buf;
            if (v < 0) *p++ = '-';
            while (k) *p++ = tmp[--k];
            *p = 0;
            return (size_t)(p - buf);
        }
        }
    }
    case EDDY_PHYS_STR: break;
    }
    buf[0] = 0;
    return 0;
}

size_t eddy_value_text(const eddy_col *c, int row, char *buf)
{
    buf[0] = 0;
    if (c->nulls && c->nulls[row]) return 0;
    if (c->phys == EDDY_PHYS_STR) return 0;
    return scalar_text(c->type, c->phys, c, row, buf, false);
}

bool eddy_value_format(const eddy_col *c, int row, eddy_strbuf *out)
{
    if (c->nulls && c->nulls[row]) return true;
    if (c->phys == EDDY_PHYS_STR) {
        eddy_strbuf_append(out, c->v.str[row].p, c->v.str[row].n);
        if (!out->s) eddy_strbuf_append(out, "", 0);
        return false;
    }
    char buf[EDDY_VALUE_BUFSZ];
    size_t n = scalar_text(c->type, c->phys, c, row, buf, false);
    eddy_strbuf_append(out, buf, n);
    return false;
}

/* ---------------------------------------------------------------------------------------- */
/* Text to values                                                                             */

static bool is_space(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' || ch == '\v';
}

static void trim_text(const char **s, size_t *n)
{
    const char *p = *s;
    size_t m = *n;
    while (m && is_space(p[0])) {
        p++;
        m--;
    }
    while (m && is_space(p[m - 1])) m--;
    *s = p;
    *n = m;
}

/* Flink's BinaryStringDataUtil.toLong: [+|-]digits[.digits], the fraction truncated. */
static bool parse_long(const char *s, size_t n, int64_t *out)
{
    trim_text(&s, &n);
    if (n == 0) return false;
    size_t i = 0;
    bool neg = false;
    if (s[0] == '-' || s[0] == '+') {
        neg = s[0] == '-';
        i = 1;
        if (n == 1) return false;
    }
    int64_t acc = 0; /* accumulated negatively so that INT64_MIN fits */
    size_t digits = 0;
    for (; i < n; i++) {
        char ch = s[i];
        if (ch == '.') break;
        if (ch < '0' || ch > '9') return false;
        if (__builtin_mul_overflow(acc, 10, &acc) || __builtin_sub_overflow(acc, ch - '0', &acc)) return false;
        digits++;
    }
    if (i < n) { /* a fraction: digits only, dropped */
        i++;
        for (; i < n; i++)
            if (s[i] < '0' || s[i] > '9') return false;
    }
    if (digits == 0) return false;
    if (!neg) {
        if (acc == INT64_MIN) return false;
        acc = -acc;
    }
    *out = acc;
    return true;
}

/* Java's Double.parseDouble (after trimming): decimal or hex text, NaN, [+-]Infinity, an
 * optional d/D/f/F suffix. */
static bool parse_double(const char *s, size_t n, double *out)
{
    trim_text(&s, &n);
    if (n == 0 || n > 400) return false;
    char buf[408];
    memcpy(buf, s, n);
    buf[n] = 0;
    if (n > 1 && (buf[n - 1] == 'd' || buf[n - 1] == 'D' || buf[n - 1] == 'f' || buf[n - 1] == 'F') &&
        !(n >= 8 && strcmp(buf + n - 8, "Infinity") == 0))
        buf[--n] = 0;
    const char *b = buf;
    bool neg = false;
    if (*b == '+' || *b == '-') {
        neg = *b == '-';
        b++;
    }
    if (strcmp(b, "NaN") == 0) {
        *out = NAN;
        return true;
    }
    if (strcmp(b, "Infinity") == 0) {
        *out = neg ? -INFINITY : INFINITY;
        return true;
    }
    if (*b != '.' && (*b < '0' || *b > '9')) return false; /* no "inf", "nan" in other spellings */
    char *end;
    double v = strtod(buf, &end);
    if (end != buf + n) return false;
    *out = v;
    return true;
}

static bool ieq(const char *s, size_t n, const char *w)
{
    size_t m = strlen(w);
    if (n != m) return false;
    for (size_t i = 0; i < n; i++)
        if (tolower((unsigned char)s[i]) != w[i]) return false;
    return true;
}

static bool parse_bool(const char *s, size_t n, bool *out)
{
    trim_text(&s, &n);
    static const char *const yes[] = {"true", "t", "yes", "y", "1"};
    static const char *const no[] = {"false", "f", "no", "n", "0"};
    for (int i = 0; i < 5; i++) {
        if (ieq(s, n, yes[i])) {
            *out = true;
            return true;
        }
        if (ieq(s, n, no[i])) {
            *out = false;
            return true;
        }
    }
    return false;
}

static bool int_in_range(const eddy_sqltype *t, int64_t v)
{
    int64_t lo, hi;
    xn_int_range(t, &lo, &hi);
    return v >= lo && v <= hi;
}

static int dec_p(const eddy_sqltype *t)
{
    return t->precision > 0 ? t->precision : 10;
}

static int dec_s(const eddy_sqltype *t)
{
    return t->scale > 0 ? t->scale : 0;
}

/* Parses text into a value of type t (phys ph) at v[row]. 0 ok, 1 NULL, -1 bad text. */
static int text_to_value(const char *s, size_t n, const eddy_sqltype *t, eddy_phys ph, void *vals, int row)
{
    switch (ph) {
    case EDDY_PHYS_BOOL: {
        bool b;
        if (!parse_bool(s, n, &b)) return -1;
        ((uint8_t *)vals)[row] = b;
        return 0;
    }
    case EDDY_PHYS_F64: {
        double d;
        if (!parse_double(s, n, &d)) return -1;
        if (t->kind == EDDY_TYPE_FLOAT) d = (double)(float)d;
        ((double *)vals)[row] = d;
        return 0;
    }
    case EDDY_PHYS_DEC: {
        __int128 d;
        int st = eddy_dec_parse(s, n, dec_p(t), dec_s(t), &d);
        if (st == EDDY_DEC_OVERFLOW) return 1;
        if (st != EDDY_DEC_OK) return -1;
        ((__int128 *)vals)[row] = d;
        return 0;
    }
    case EDDY_PHYS_STR:
        ((eddy_str *)vals)[row] = (eddy_str){s, (uint32_t)n};
        return 0;
    case EDDY_PHYS_I64: break;
    }
    int64_t v;
    switch (t->kind) {
    case EDDY_TYPE_DATE: {
        int32_t d;
        if (eddy_date_parse(s, n, &d)) return -1;
        v = d;
        break;
    }
    case EDDY_TYPE_TIME: {
        int32_t ms;
        if (eddy_time_parse(s, n, &ms)) return -1;
        v = ms;
        break;
    }
    case EDDY_TYPE_TIMESTAMP:
    case EDDY_TYPE_TIMESTAMP_LTZ:
        if (eddy_ts_parse_lenient(s, n, &v)) return -1;
        break;
    case EDDY_TYPE_INTERVAL: return -1;
    default:
        if (!parse_long(s, n, &v) || !int_in_range(t, v)) return -1;
        break;
    }
    ((int64_t *)vals)[row] = v;
    return 0;
}

int eddy_value_parse(const char *s, size_t n, eddy_col *c, int row, eddy_error *err)
{
    int rc = text_to_value(s, n, c->type, c->phys, c->v.ptr, row);
    if (rc >= 0) return rc;
    return eddy_error_set(err, EDDY_EDATA, 0, 0, "cannot cast '%.*s' to %s", (int)(n > 60 ? 60 : n), s,
                          xn_type_name(c->type));
}

/* ---------------------------------------------------------------------------------------- */
/* Cast kernels                                                                               */

enum {
    C_NULL,      /* from the NULL type: every row NULL */
    C_INT_INT,   /* range check */
    C_INT_F64,
    C_INT_DEC,
    C_INT_BOOL,
    C_INT_TS,    /* seconds */
    C_F64_INT,
    C_F64_FLOAT,
    C_F64_DEC,
    C_F64_BOOL,
    C_DEC_INT,
    C_DEC_F64,
    C_DEC_DEC,
    C_DEC_BOOL,
    C_BOOL_INT,
    C_BOOL_F64,
    C_BOOL_DEC,
    C_STR_VAL,   /* string to anything but a string */
    C_STR_STR,   /* truncate / pad */
    C_TO_STR,    /* text of a non-string value */
    C_DATE_TS,
    C_TS_DATE,
    C_TS_TIME,
    C_TS_TS,     /* truncate to a precision below 3 */
    C_TS_INT,    /* seconds */
};

typedef struct castinfo {
    int code;
    bool try_cast;
    int64_t lo, hi;      /* integer target range */
    int tp, ts;          /* DECIMAL target precision, scale */
    int sp, ss;          /* DECIMAL source precision, scale */
    int64_t unit;        /* C_TS_TS: milliseconds per unit kept */
    int maxchars;        /* C_STR_STR / C_TO_STR: VARCHAR(n) / CHAR(n) length, -1 none */
    bool pad;            /* CHAR(n): pad with spaces */
} castinfo;

/* Fails row i: NULL for TRY_CAST, else an error naming the value. */
static int cast_fail(xnode *n, xeval *ev, const castinfo *ci, int i, uint8_t *nu)
{
    if (ci->try_cast) {
        nu[i] = 1;
        return 0;
    }
    const xnode *k = n->kid[0];
    char buf[EDDY_VALUE_BUFSZ + 8];
    if (k->phys == EDDY_PHYS_STR) {
        eddy_str v = k->out.v.str[i];
        int m = v.n > 60 ? 60 : (int)v.n;
        return xn_error(n, ev, EDDY_ERUNTIME, "cannot cast '%.*s' to %s", m, v.p, xn_type_name(n->type));
    }
    scalar_text(k->type, k->phys, &k->out, i, buf, false);
    return xn_error(n, ev, EDDY_ERUNTIME, "cannot cast %s to %s: out of range", buf, xn_type_name(n->type));
}

/* CHAR(n) / VARCHAR(n) length rule on a string result. */
static eddy_str fit_len(xeval *ev, const castinfo *ci, eddy_str v)
{
    if (ci->maxchars < 0) return v;
    size_t chars = xn_utf8_len(v.p, v.n);
    if (chars > (size_t)ci->maxchars) {
        v.n = (uint32_t)xn_utf8_offset(v.p, v.n, (size_t)ci->maxchars);
        return v;
    }
    if (ci->pad && chars < (size_t)ci->maxchars) {
        size_t extra = (size_t)ci->maxchars - chars;
        char *d = xn_stralloc(ev, v.n + extra);
        if (v.n) memcpy(d, v.p, v.n);
        memset(d + v.n, ' ', extra);
        return (eddy_str){d, (uint32_t)(v.n + extra)};
    }
    return v;
}

static int cast_int_f64(xnode *n, xeval *ev, const xsel *s)
{
    const int64_t *a = n->kid[0]->out.v.i64;
    double *r = xn_vals(n, ev);
    xn_nulls_or(n, ev, s, n->kid[0], NULL);
    if (n->type->kind == EDDY_TYPE_FLOAT) XLOOP(s, ev->n, i, { r[i] = (double)(float)a[i]; });
    else XLOOP(s, ev->n, i, { r[i] = (double)a[i]; });
    return 0;
}

static int cast_date_ts(xnode *n, xeval *ev, const xsel *s)
{
    const int64_t *a = n->kid[0]->out.v.i64;
    int64_t *r = xn_vals(n, ev);
    xn_nulls_or(n, ev, s, n->kid[0], NULL);
    XLOOP(s, ev->n, i, { __builtin_mul_overflow(a[i], EDDY_MS_PER_DAY, &r[i]); }); /* NULL rows may hold anything */
    return 0;
}

static int cast_ts_date(xnode *n, xeval *ev, const xsel *s)
{
    const int64_t *a = n->kid[0]->out.v.i64;
    int64_t *r = xn_vals(n, ev);
    xn_nulls_or(n, ev, s, n->kid[0], NULL);
    XLOOP(s, ev->n, i, { r[i] = eddy_ts_days(a[i]); });
    return 0;
}

static int cast_ts_time(xnode *n, xeval *ev, const xsel *s)
{
    const int64_t *a = n->kid[0]->out.v.i64;
    int64_t *r = xn_vals(n, ev);
    xn_nulls_or(n, ev, s, n->kid[0], NULL);
    XLOOP(s, ev->n, i, { r[i] = eddy_ts_time_of_day(a[i]); });
    return 0;
}

/* DECIMAL to a DECIMAL with at least as many integer digits and a scale as large: exact. */
static int cast_dec_widen(xnode *n, xeval *ev, const xsel *s)
{
    const __int128 *a = n->kid[0]->out.v.dec;
    __int128 *r = xn_vals(n, ev);
    const __int128 f = n->kd;
    xn_nulls_or(n, ev, s, n->kid[0], NULL);
    XLOOP(s, ev->n, i, { __builtin_mul_overflow(a[i], f, &r[i]); });
    return 0;
}

/* integer to a DECIMAL wide enough for every value of the integer type */
static int cast_int_dec_widen(xnode *n, xeval *ev, const xsel *s)
{
    const int64_t *a = n->kid[0]->out.v.i64;
    __int128 *r = xn_vals(n, ev);
    const __int128 f = n->kd;
    xn_nulls_or(n, ev, s, n->kid[0], NULL);
    XLOOP(s, ev->n, i, { r[i] = (__int128)a[i] * f; });
    return 0;
}

/* integer narrowing with a range check, no NULLs made (CAST) */
static int cast_int_int(xnode *n, xeval *ev, const xsel *s)
{
    const castinfo *ci = n->aux;
    const int64_t *a = n->kid[0]->out.v.i64;
    int64_t *r = xn_vals(n, ev);
    const uint8_t *nu = n->kid[0]->out.nulls;
    const int64_t lo = ci->lo, hi = ci->hi;
    unsigned bad = 0;
    XLOOP(s, ev->n, i, {
        int64_t x = a[i];
        r[i] = x;
        bad |= ((x < lo) | (x > hi)) & (nu ? nu[i] == 0 : 1);
    });
    if (!bad) {
        xn_nulls_or(n, ev, s, n->kid[0], NULL);
        return 0;
    }
    uint8_t *on = xn_nulls_own(n, ev, s, nu);
    XLOOP(s, ev->n, i, {
        if (on[i]) continue;
        if (a[i] < lo || a[i] > hi) {
            int rc = cast_fail(n, ev, ci, i, on);
            if (rc) return rc;
        }
    });
    return 0;
}

/* Every other conversion, a row at a time. */
static int cast_generic(xnode *n, xeval *ev, const xsel *s)
{
    const castinfo *ci = n->aux;
    const xnode *k = n->kid[0];
    void *rv = xn_vals(n, ev);
    uint8_t *nu = xn_nulls_own(n, ev, s, k->out.nulls);
    if (ci->code == C_NULL) {
        memset(rv, 0, (size_t)(ev->n ? ev->n : 1) * eddy_phys_size(n->phys));
        XLOOP(s, ev->n, i, {
            nu[i] = 1;
            if (n->phys == EDDY_PHYS_STR) ((eddy_str *)rv)[i] = (eddy_str){xn_empty, 0};
        });
        return 0;
    }
    char *tbuf = NULL;
    if (ci->code == C_TO_STR) {
        int cnt = s ? s->n : ev->n;
        tbuf = xn_stralloc(ev, (size_t)cnt * EDDY_VALUE_BUFSZ);
    }
    const eddy_col *src = &k->out;
    XLOOP(s, ev->n, i, {
        if (nu[i]) {
            if (n->phys == EDDY_PHYS_STR) ((eddy_str *)rv)[i] = (eddy_str){xn_empty, 0};
            continue;
        }
        bool ok = true;
        switch (ci->code) {
        case C_INT_DEC: {
            __int128 d;
            int st = eddy_dec_from_i64(src->v.i64[i], ci->tp, ci->ts, &d);
            if (st) nu[i] = 1;
            else ((__int128 *)rv)[i] = d;
            break;
        }
        case C_INT_BOOL: ((uint8_t *)rv)[i] = src->v.i64[i] != 0; break;
        case C_INT_TS: {
            int64_t x;
            ok = !__builtin_mul_overflow(src->v.i64[i], (int64_t)1000, &x);
            ((int64_t *)rv)[i] = x;
            break;
        }
        case C_F64_INT: {
            double d = src->v.f64[i];
            ok = d > -9223372036854775808.0 - 1024 && d < 9223372036854775808.0; /* NaN fails */
            if (ok) {
                double t = trunc(d);
                ok = t >= -9223372036854775808.0 && t < 9223372036854775808.0;
                if (ok) {
                    int64_t x = (int64_t)t;
                    ok = x >= ci->lo && x <= ci->hi;
                    ((int64_t *)rv)[i] = x;
                }
            }
            break;
        }
        case C_F64_FLOAT: ((double *)rv)[i] = (double)(float)src->v.f64[i]; break;
        case C_F64_DEC: {
            __int128 d;
            int st = eddy_dec_from_double(src->v.f64[i], ci->tp, ci->ts, &d);
            if (st == EDDY_DEC_OVERFLOW) nu[i] = 1;
            else if (st) ok = false;
            else ((__int128 *)rv)[i] = d;
            break;
        }
        case C_F64_BOOL: ((uint8_t *)rv)[i] = src->v.f64[i] != 0; break;
        case C_DEC_INT: {
            int64_t x;
            ok = eddy_dec_to_i64(src->v.dec[i], ci->ss, &x) == EDDY_DEC_OK && x >= ci->lo && x <= ci->hi;
            ((int64_t *)rv)[i] = x;
            break;
        }
        case C_DEC_F64: {
            double d = eddy_dec_to_double(src->v.dec[i], ci->ss);
            if (n->type->kind == EDDY_TYPE_FLOAT) d = (double)(float)d;
            ((double *)rv)[i] = d;
            break;
        }
        case C_DEC_DEC: {
            __int128 d;
            if (eddy_dec_rescale(src->v.dec[i], ci->ss, ci->tp, ci->ts, &d)) nu[i] = 1;
            else ((__int128 *)rv)[i] = d;
            break;
        }
        case C_DEC_BOOL: ((uint8_t *)rv)[i] = src->v.dec[i] != 0; break;
        case C_BOOL_INT: ((int64_t *)rv)[i] = src->v.b[i] != 0; break;
        case C_BOOL_F64: ((double *)rv)[i] = src->v.b[i] != 0; break;
        case C_BOOL_DEC: ((__int128 *)rv)[i] = (src->v.b[i] != 0) ? xn_pow10(ci->ts) : 0; break;
        case C_STR_VAL: {
            eddy_str v = src->v.str[i];
            int rc = text_to_value(v.p, v.n, n->type, n->phys, rv, i);
            if (rc > 0) nu[i] = 1;
            ok = rc >= 0;
            break;
        }
        case C_STR_STR: ((eddy_str *)rv)[i] = fit_len(ev, ci, src->v.str[i]); break;
        case C_TO_STR: {
            size_t len = scalar_text(k->type, k->phys, src, i, tbuf, true);
            ((eddy_str *)rv)[i] = fit_len(ev, ci, (eddy_str){tbuf, (uint32_t)len});
            tbuf += len;
            break;
        }
        case C_TS_TS: ((int64_t *)rv)[i] = eddy_floordiv_i64(src->v.i64[i], ci->unit) * ci->unit; break;
        case C_TS_INT: ((int64_t *)rv)[i] = eddy_floordiv_i64(src->v.i64[i], 1000); break;
        default: ok = false; break;
        }
        if (!ok) {
            int rc = cast_fail(n, ev, ci, i, nu);
            if (rc) return rc;
            if (n->phys == EDDY_PHYS_STR) ((eddy_str *)rv)[i] = (eddy_str){xn_empty, 0};
        }
    });
    return 0;
}

static bool int_kind(eddy_type_kind k)
{
    return k == EDDY_TYPE_TINYINT || k == EDDY_TYPE_SMALLINT || k == EDDY_TYPE_INT || k == EDDY_TYPE_BIGINT;
}

static bool ts_kind(eddy_type_kind k)
{
    return k == EDDY_TYPE_TIMESTAMP || k == EDDY_TYPE_TIMESTAMP_LTZ;
}

static bool char_kind(eddy_type_kind k)
{
    return k == EDDY_TYPE_CHAR || k == EDDY_TYPE_VARCHAR;
}

/* Length limit of a CHAR/VARCHAR target, -1 for none. */
static int char_limit(const eddy_sqltype *t)
{
    if (!char_kind(t->kind) || t->precision <= 0 || t->precision >= 2147483647 || t->string_kw) return -1;
    return t->precision;
}

int xcast_compile(xcomp *c, xnode *n, bool try_cast)
{
    xnode *k = n->kid[0];
    const eddy_sqltype *from = k->type, *to = n->type;
    const eddy_phys pf = k->phys, pt = n->phys;
    const eddy_type_kind fk = from->kind, tk = to->kind;
    castinfo ci;
    memset(&ci, 0, sizeof ci);
    ci.try_cast = try_cast;
    ci.maxchars = -1;
    xn_int_range(to, &ci.lo, &ci.hi);
    if (pt == EDDY_PHYS_DEC) {
        ci.tp = dec_p(to);
        ci.ts = dec_s(to);
    }
    if (pf == EDDY_PHYS_DEC) {
        ci.sp = dec_p(from);
        ci.ss = dec_s(from);
    }
    int code = -1;

    if (fk == EDDY_TYPE_NULL) {
        code = C_NULL;
    } else if (pt == EDDY_PHYS_STR) {
        ci.maxchars = char_limit(to);
        ci.pad = tk == EDDY_TYPE_CHAR && ci.maxchars > 0;
        if (pf == EDDY_PHYS_STR) {
            if (ci.maxchars < 0) {
                n->alias = k;
                return 0;
            }
            code = C_STR_STR;
        } else {
            code = C_TO_STR;
        }
    } else if (pf == EDDY_PHYS_STR) {
        if (fk == EDDY_TYPE_ARRAY || fk == EDDY_TYPE_MAP || fk == EDDY_TYPE_ROW || fk == EDDY_TYPE_MULTISET ||
            tk == EDDY_TYPE_INTERVAL || tk == EDDY_TYPE_ARRAY || tk == EDDY_TYPE_MAP || tk == EDDY_TYPE_ROW)
            return xc_error(c, n, EDDY_EUNSUPPORTED, "cannot cast %s to %s", xn_type_name(from), xn_type_name(to));
        code = C_STR_VAL;
    } else {
        switch (pf) {
        case EDDY_PHYS_BOOL:
            if (pt == EDDY_PHYS_BOOL) {
                n->alias = k;
                return 0;
            }
            if (pt == EDDY_PHYS_I64 && int_kind(tk)) code = C_BOOL_INT;
            else if (pt == EDDY_PHYS_F64) code = C_BOOL_F64;
            else if (pt == EDDY_PHYS_DEC) code = C_BOOL_DEC;
            break;
        case EDDY_PHYS_I64:
            if (int_kind(fk)) {
                if (pt == EDDY_PHYS_I64 && int_kind(tk)) {
                    int64_t flo, fhi;
                    xn_int_range(from, &flo, &fhi);
                    if (flo >= ci.lo && fhi <= ci.hi) {
                        n->alias = k;
                        return 0;
                    }
                    code = C_INT_INT;
                } else if (pt == EDDY_PHYS_I64 && ts_kind(tk)) code = C_INT_TS;
                else if (pt == EDDY_PHYS_F64) code = C_INT_F64;
                else if (pt == EDDY_PHYS_DEC) code = C_INT_DEC;
                else if (pt == EDDY_PHYS_BOOL) code = C_INT_BOOL;
            } else if (ts_kind(fk)) {
                if (ts_kind(tk)) {
                    int p = to->precision;
                    if (p < 0 || p >= 3 || (from->precision >= 0 && from->precision <= p)) {
                        n->alias = k;
                        return 0;
                    }
                    ci.unit = p == 0 ? 1000 : (p == 1 ? 100 : 10);
                    code = C_TS_TS;
                } else if (tk == EDDY_TYPE_DATE) code = C_TS_DATE;
                else if (tk == EDDY_TYPE_TIME) code = C_TS_TIME;
                else if (tk == EDDY_TYPE_BIGINT) code = C_TS_INT;
            } else if (fk == EDDY_TYPE_DATE) {
                if (tk == EDDY_TYPE_DATE) {
                    n->alias = k;
                    return 0;
                }
                if (ts_kind(tk)) code = C_DATE_TS;
            } else if (fk == EDDY_TYPE_TIME) {
                if (tk == EDDY_TYPE_TIME || ts_kind(tk)) {
                    n->alias = k; /* a time of day is the timestamp of that time on 1970-01-01 */
                    return 0;
                }
            } else if (fk == EDDY_TYPE_INTERVAL) {
                if (tk == EDDY_TYPE_INTERVAL && eddy_interval_is_months(from->from) == eddy_interval_is_months(to->from)) {
                    n->alias = k;
                    return 0;
                }
            }
            break;
        case EDDY_PHYS_F64:
            if (pt == EDDY_PHYS_F64) {
                if (tk == EDDY_TYPE_FLOAT && fk != EDDY_TYPE_FLOAT) code = C_F64_FLOAT;
                else {
                    n->alias = k;
                    return 0;
                }
            } else if (pt == EDDY_PHYS_I64 && int_kind(tk)) code = C_F64_INT;
            else if (pt == EDDY_PHYS_DEC) code = C_F64_DEC;
            else if (pt == EDDY_PHYS_BOOL) code = C_F64_BOOL;
            break;
        case EDDY_PHYS_DEC:
            if (pt == EDDY_PHYS_DEC) {
                if (ci.ts == ci.ss && ci.tp >= ci.sp) {
                    n->alias = k;
                    return 0;
                }
                code = C_DEC_DEC;
            } else if (pt == EDDY_PHYS_I64 && int_kind(tk)) code = C_DEC_INT;
            else if (pt == EDDY_PHYS_F64) code = C_DEC_F64;
            else if (pt == EDDY_PHYS_BOOL) code = C_DEC_BOOL;
            break;
        default: break;
        }
    }
    if (code < 0)
        return xc_error(c, n, EDDY_EUNSUPPORTED, "cannot cast %s to %s", xn_type_name(from), xn_type_name(to));

    castinfo *cp = eddy_arena_alloc(c->arena, sizeof *cp);
    ci.code = code;
    *cp = ci;
    n->aux = cp; /* in the prog's arena: no aux_free */
    n->can_fail = !try_cast && (code == C_INT_INT || code == C_INT_TS || code == C_F64_INT || code == C_F64_DEC ||
                                code == C_DEC_INT || code == C_STR_VAL);

    /* dedicated loops */
    switch (code) {
    case C_INT_F64: n->run = cast_int_f64; return 0;
    case C_DATE_TS: n->run = cast_date_ts; return 0;
    case C_TS_DATE: n->run = cast_ts_date; return 0;
    case C_TS_TIME: n->run = cast_ts_time; return 0;
    case C_INT_INT: n->run = cast_int_int; return 0; /* TRY_CAST too: cast_fail makes NULLs */
    case C_DEC_DEC:
        if (ci.ts >= ci.ss && ci.tp - ci.ts >= ci.sp - ci.ss) {
            n->kd = xn_pow10(ci.ts - ci.ss);
            n->run = cast_dec_widen;
            return 0;
        }
        break;
    case C_INT_DEC: {
        int ip = eddy_dec_int_precision(fk);
        if (ci.tp - ci.ts >= ip) {
            n->kd = xn_pow10(ci.ts);
            n->run = cast_int_dec_widen;
            return 0;
        }
        break;
    }
    default: break;
    }
    n->run = cast_generic;
    return 0;
}
