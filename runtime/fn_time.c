/*
 * fn_time.c: date and time functions (node model in fn.h; calendar math in
 * common/timeutil.h, Java date patterns in common/datefmt.h).
 *
 * Times are wall-clock milliseconds without a zone, and the session zone is UTC, so
 * TIMESTAMP and TIMESTAMP_LTZ behave alike here. Rules worth knowing:
 *   - DATE_FORMAT(ts, fmt) compiles a constant fmt once. A pattern's output only depends on
 *     the timestamp floored to its finest field (a day for 'yyyy-MM-dd', a minute for 'HH:mm'),
 *     so rows whose floored value equals the previous row's share its text: in a batch of
 *     events from the same day (Nexmark q10/q15-q17) one formatting per batch is all it costs.
 *     DATE_FORMAT of a string parses it leniently first (NULL when it does not parse).
 *   - TO_TIMESTAMP(s [, fmt]), TO_DATE(s [, fmt]) and UNIX_TIMESTAMP(s [, fmt]) give NULL for
 *     text that does not parse (Flink: NULL; Flink's UNIX_TIMESTAMP returns Long.MIN_VALUE,
 *     eddy NULL). Defaults: 'yyyy-MM-dd HH:mm:ss' (lenient), 'yyyy-MM-dd'.
 *   - TO_TIMESTAMP_LTZ(n [, p]) reads epoch seconds (p = 0) or milliseconds (p = 3, the
 *     default).
 *   - EXTRACT, FLOOR/CEIL TO, TIMESTAMPADD/DIFF follow timeutil.h (Calcite's semantics). The
 *     unit is eddy_bexpr.unit; the value operands are the last operands of the call, so a
 *     binder may or may not pass a placeholder for the unit.
 *   - CURRENT_TIMESTAMP, NOW, LOCALTIMESTAMP, PROCTIME, CURRENT_DATE and UNIX_TIMESTAMP()
 *     read eddy_expr_ctx.proctime_ms: one value per batch. CURRENT_WATERMARK(ts) is the
 *     context's watermark, NULL before the first one.
 */
#include <stdlib.h>
#include <string.h>

#include "../common/checked.h"
#include "../common/datefmt.h"
#include "../common/timeutil.h"
#include "fn.h"

static bool ts_kind(eddy_type_kind k)
{
    return k == EDDY_TYPE_TIMESTAMP || k == EDDY_TYPE_TIMESTAMP_LTZ;
}

static bool kconst(const xnode *k)
{
    return k->is_const && !k->volatile_const;
}

/* ---------------------------------------------------------------------------------------- */
/* Compiled patterns                                                                          */

typedef struct dfstate {
    eddy_datefmt *f;        /* constant pattern, or the last per-row one */
    char *last;             /* text of the per-row pattern f came from */
    size_t nlast;
    bool last_bad;
    int64_t gran;           /* DATE_FORMAT: ms of the finest field (1 = none shared) */
    int64_t scale;          /* FROM_UNIXTIME: 1000 (seconds); TO_TIMESTAMP_LTZ: 1000 or 1 */
} dfstate;

static void dfstate_free(void *p)
{
    dfstate *d = p;
    if (d->f) eddy_datefmt_free(d->f);
    free(d->last);
    free(d);
}

/* The finest field of a Java pattern, in ms: text in quotes and non-letters do not count. */
static int64_t pattern_granularity(const char *p)
{
    int64_t g = EDDY_MS_PER_DAY;
    bool quoted = false;
    for (; *p; p++) {
        char ch = *p;
        if (ch == '\'') {
            quoted = !quoted;
            continue;
        }
        if (quoted || !((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z'))) continue;
        int64_t u;
        switch (ch) {
        case 'S': u = 1; break;
        case 's': u = EDDY_MS_PER_SECOND; break;
        case 'm': u = EDDY_MS_PER_MINUTE; break;
        case 'H':
        case 'h':
        case 'k':
        case 'K':
        case 'a': u = EDDY_MS_PER_HOUR; break;
        case 'y':
        case 'Y':
        case 'u':
        case 'M':
        case 'L':
        case 'd':
        case 'D':
        case 'E':
        case 'G':
        case 'w':
        case 'W':
        case 'F': u = EDDY_MS_PER_DAY; break;
        default: u = 1; break;
        }
        if (u < g) g = u;
    }
    return g;
}

/* The pattern for row i of operand kid (constant: compiled once). NULL when it is bad. */
static eddy_datefmt *fmt_for_row(xnode *n, int kid, int i)
{
    dfstate *d = n->aux;
    if (kid < 0 || kconst(n->kid[kid])) return d->f;
    eddy_str p = n->kid[kid]->out.v.str[i];
    if (d->last && d->nlast == p.n && memcmp(d->last, p.p, p.n) == 0) return d->last_bad ? NULL : d->f;
    free(d->last);
    d->last = eddy_xmalloc(p.n + 1);
    memcpy(d->last, p.p, p.n);
    d->last[p.n] = 0;
    d->nlast = p.n;
    if (d->f) eddy_datefmt_free(d->f);
    eddy_error err;
    eddy_error_clear(&err);
    d->f = eddy_datefmt_compile(d->last, &err);
    d->last_bad = d->f == NULL || memchr(p.p, 0, p.n) != NULL;
    d->gran = d->f ? pattern_granularity(d->last) : 1;
    return d->last_bad ? NULL : d->f;
}

/* Compiles a constant pattern operand (or the default text) into n->aux. */
static int setup_fmt(xcomp *c, xnode *n, int kid, const char *deflt, bool for_parse)
{
    dfstate *d = eddy_xcalloc(1, sizeof *d);
    n->aux = d;
    n->aux_free = dfstate_free;
    d->gran = 1;
    const char *text = deflt;
    char *tmp = NULL;
    if (kid >= 0) {
        if (!kconst(n->kid[kid])) return 0;
        if (n->kid[kid]->cval.null) return 0; /* NULL pattern: NULL results */
        const eddy_value *v = &n->kid[kid]->cval;
        tmp = eddy_xmalloc(v->u.s.n + 1);
        memcpy(tmp, v->u.s.p, v->u.s.n);
        tmp[v->u.s.n] = 0;
        text = tmp;
    }
    eddy_error err;
    eddy_error_clear(&err);
    d->f = eddy_datefmt_compile(text, &err);
    if (!d->f) {
        int rc = xc_error(c, kid >= 0 ? n->kid[kid] : n, EDDY_EBIND, "%s", err.msg);
        free(tmp);
        return rc;
    }
    if (for_parse && eddy_datefmt_check_parse(d->f, &err)) {
        int rc = xc_error(c, kid >= 0 ? n->kid[kid] : n, EDDY_EUNSUPPORTED, "%s", err.msg);
        free(tmp);
        return rc;
    }
    d->gran = pattern_granularity(text);
    free(tmp);
    return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Formatting                                                                                 */

/* DATE_FORMAT(ts, fmt) and FROM_UNIXTIME(secs [, fmt]) with a constant pattern: rows whose
 * time falls in the same `gran` interval as the previous formatted row share its text. */
static int format_const_run(xnode *n, xeval *ev, const xsel *s)
{
    dfstate *d = n->aux;
    const int64_t scale = d->scale ? d->scale : 1;
    eddy_str *r = xn_vals(n, ev);
    const uint8_t *in = xn_nulls_or_all(n, ev, s);
    const int64_t *t = n->kid[0]->out.v.i64;
    const eddy_datefmt *f = d->f;
    if (!f) { /* a NULL pattern */
        uint8_t *nu = xn_nulls_own(n, ev, s, NULL);
        XLOOP(s, ev->n, i, {
            nu[i] = 1;
            r[i] = (eddy_str){xn_empty, 0};
        });
        return 0;
    }
    const size_t need = eddy_datefmt_max_len(f);
    const int64_t gran = d->gran;
    char *buf = NULL;
    size_t left = 0;
    int64_t lo = 1, hi = 0; /* [lo, hi): the times that format as `last` */
    eddy_str last = {xn_empty, 0};
    XLOOP(s, ev->n, i, {
        if (in && in[i]) {
            r[i] = (eddy_str){xn_empty, 0};
            continue;
        }
        int64_t ts = t[i];
        if (scale != 1 && __builtin_mul_overflow(t[i], scale, &ts))
            return xn_error(n, ev, EDDY_ERUNTIME, "timestamp overflow");
        if (ts >= lo && ts < hi) {
            r[i] = last;
            continue;
        }
        if (need > left) {
            left = need * 64 > 4096 ? need * 64 : 4096;
            buf = xn_stralloc(ev, left);
        }
        size_t len = eddy_datefmt_format(f, ts, buf, left);
        last = (eddy_str){buf, (uint32_t)len};
        buf += len;
        left -= len;
        r[i] = last;
        lo = eddy_floordiv_i64(ts, gran) * gran;
        if (__builtin_add_overflow(lo, gran, &hi)) hi = INT64_MAX;
    });
    return 0;
}

/* The same with the pattern from a column (compiled when it changes). */
static int format_run(xnode *n, xeval *ev, const xsel *s)
{
    const int fk = n->iparam[0];
    dfstate *d = n->aux;
    const int64_t scale = d->scale ? d->scale : 1;
    eddy_str *r = xn_vals(n, ev);
    const uint8_t *in = xn_nulls_or_all(n, ev, s);
    uint8_t *nu = NULL;
    const int64_t *t = n->kid[0]->out.v.i64;
    XLOOP(s, ev->n, i, {
        r[i] = (eddy_str){xn_empty, 0};
        if (in && in[i]) continue;
        eddy_datefmt *f = fmt_for_row(n, fk, i);
        if (!f) {
            if (!nu) nu = xn_nulls_own(n, ev, s, in);
            nu[i] = 1;
            continue;
        }
        int64_t ts;
        if (__builtin_mul_overflow(t[i], scale, &ts)) return xn_error(n, ev, EDDY_ERUNTIME, "timestamp overflow");
        size_t need = eddy_datefmt_max_len(f);
        char *b = xn_stralloc(ev, need);
        r[i] = (eddy_str){b, (uint32_t)eddy_datefmt_format(f, ts, b, need)};
    });
    return 0;
}

/* DATE_FORMAT(string, fmt): the string is parsed leniently first. */
static int format_str_run(xnode *n, xeval *ev, const xsel *s)
{
    dfstate *d = n->aux;
    eddy_str *r = xn_vals(n, ev);
    uint8_t *nu = xn_nulls_own(n, ev, s, NULL);
    for (int k = 0; k < n->nkid; k++) {
        const uint8_t *kn = n->kid[k]->out.nulls;
        if (kn) XLOOP(s, ev->n, i, { nu[i] |= kn[i]; });
    }
    (void)d;
    XLOOP(s, ev->n, i, {
        r[i] = (eddy_str){xn_empty, 0};
        if (nu[i]) continue;
        eddy_datefmt *f = fmt_for_row(n, n->iparam[0], i);
        eddy_str v = n->kid[0]->out.v.str[i];
        int64_t ts;
        if (!f || eddy_ts_parse_lenient(v.p, v.n, &ts)) {
            nu[i] = 1;
            continue;
        }
        size_t need = eddy_datefmt_max_len(f);
        char *b = xn_stralloc(ev, need);
        r[i] = (eddy_str){b, (uint32_t)eddy_datefmt_format(f, ts, b, need)};
    });
    return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Parsing                                                                                    */

/* TO_TIMESTAMP / TO_DATE / UNIX_TIMESTAMP of strings. iparam[0]: pattern kid or -1;
 * iparam[1]: 0 timestamp, 1 date (days), 2 seconds; iparam[2]: 1 = no pattern (lenient). */
static int parse_run(xnode *n, xeval *ev, const xsel *s)
{
    int64_t *r = xn_vals(n, ev);
    uint8_t *nu = xn_nulls_own(n, ev, s, NULL);
    for (int k = 0; k < n->nkid; k++) {
        const uint8_t *kn = n->kid[k]->out.nulls;
        if (kn) XLOOP(s, ev->n, i, { nu[i] |= kn[i]; });
    }
    const int what = n->iparam[1];
    const bool lenient = n->iparam[2];
    XLOOP(s, ev->n, i, {
        r[i] = 0;
        if (nu[i]) continue;
        eddy_str v = n->kid[0]->out.v.str[i];
        int64_t ts;
        int rc;
        if (lenient) {
            if (what == 1) {
                int32_t days;
                rc = eddy_date_parse(v.p, v.n, &days);
                ts = (int64_t)days * EDDY_MS_PER_DAY;
            } else {
                rc = eddy_ts_parse_lenient(v.p, v.n, &ts);
            }
        } else {
            eddy_datefmt *f = fmt_for_row(n, n->iparam[0], i);
            rc = f ? eddy_datefmt_parse(f, v.p, v.n, &ts) : -1;
        }
        if (rc) {
            nu[i] = 1;
            continue;
        }
        r[i] = what == 0 ? ts : (what == 1 ? eddy_ts_days(ts) : eddy_floordiv_i64(ts, 1000));
    });
    return 0;
}

/* TO_TIMESTAMP_LTZ(number [, precision]): seconds or milliseconds. */
static int epoch_run(xnode *n, xeval *ev, const xsel *s)
{
    int64_t *r = xn_vals(n, ev);
    const uint8_t *nu = xn_nulls_or_all(n, ev, s);
    const bool has_p = n->nkid > 1;
    const int64_t *a = n->kid[0]->out.v.i64;
    XLOOP(s, ev->n, i, {
        if (nu && nu[i]) {
            r[i] = 0;
            continue;
        }
        int64_t p = has_p ? n->kid[1]->out.v.i64[i] : 3;
        int64_t m = p == 0 ? 1000 : 1;
        if (p != 0 && p != 3)
            return xn_error(n, ev, EDDY_ERUNTIME, "TO_TIMESTAMP_LTZ precision must be 0 or 3, not %lld", (long long)p);
        if (__builtin_mul_overflow(a[i], m, &r[i])) return xn_error(n, ev, EDDY_ERUNTIME, "TIMESTAMP_LTZ overflow");
    });
    return 0;
}

static int epoch_f64_run(xnode *n, xeval *ev, const xsel *s)
{
    int64_t *r = xn_vals(n, ev);
    const uint8_t *nu = xn_nulls_or_all(n, ev, s);
    const bool has_p = n->nkid > 1;
    const double *a = n->kid[0]->out.v.f64;
    XLOOP(s, ev->n, i, {
        if (nu && nu[i]) {
            r[i] = 0;
            continue;
        }
        int64_t p = has_p ? n->kid[1]->out.v.i64[i] : 3;
        double x = p == 0 ? a[i] * 1000.0 : a[i];
        if (!(x > -9.2e18 && x < 9.2e18)) return xn_error(n, ev, EDDY_ERUNTIME, "TIMESTAMP_LTZ overflow");
        r[i] = (int64_t)x;
    });
    return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Units                                                                                      */

/* EXTRACT and YEAR(...) etc.: iparam[0] unit, iparam[1] 1 = DATE operand (days). */
static int extract_run(xnode *n, xeval *ev, const xsel *s)
{
    int64_t *r = xn_vals(n, ev);
    const uint8_t *nu = xn_nulls_or(n, ev, s, n->kid[0], NULL);
    const int64_t *a = n->kid[0]->out.v.i64;
    const eddy_time_unit u = (eddy_time_unit)n->iparam[0];
    const int64_t mul = n->iparam[1] ? EDDY_MS_PER_DAY : 1;
    if (mul == 1 && u == EDDY_UNIT_HOUR) {
        XLOOP(s, ev->n, i, { r[i] = eddy_ts_time_of_day(a[i]) / EDDY_MS_PER_HOUR; });
    } else if (mul == 1 && u == EDDY_UNIT_MINUTE) {
        XLOOP(s, ev->n, i, { r[i] = eddy_ts_time_of_day(a[i]) / EDDY_MS_PER_MINUTE % 60; });
    } else if (mul == 1 && u == EDDY_UNIT_SECOND) {
        XLOOP(s, ev->n, i, { r[i] = eddy_ts_time_of_day(a[i]) / EDDY_MS_PER_SECOND % 60; });
    } else {
        XLOOP(s, ev->n, i, {
            int64_t ts;
            if ((nu && nu[i]) || __builtin_mul_overflow(a[i], mul, &ts)) r[i] = 0;
            else r[i] = eddy_ts_extract(ts, u);
        });
    }
    return 0;
}

/* FLOOR / CEIL (x TO unit): iparam[0] unit, [1] 1 = ceil, [2] 1 = DATE operand. */
static int floor_time_run(xnode *n, xeval *ev, const xsel *s)
{
    int64_t *r = xn_vals(n, ev);
    const uint8_t *nu = xn_nulls_or(n, ev, s, n->kid[0], NULL);
    const int64_t *a = n->kid[0]->out.v.i64;
    const eddy_time_unit u = (eddy_time_unit)n->iparam[0];
    const bool ceil = n->iparam[1], date = n->iparam[2];
    XLOOP(s, ev->n, i, {
        if (nu && nu[i]) {
            r[i] = 0;
            continue;
        }
        int64_t ts = a[i];
        if (date && __builtin_mul_overflow(a[i], EDDY_MS_PER_DAY, &ts)) return xn_error(n, ev, EDDY_ERUNTIME, "DATE overflow");
        int64_t v = ceil ? eddy_ts_ceil(ts, u) : eddy_ts_floor(ts, u);
        r[i] = date ? eddy_ts_days(v) : v;
    });
    return 0;
}

/* TIMESTAMPADD(unit, n, ts): iparam[0] unit, [1] 1 = DATE operand and result. */
static int tsadd_run(xnode *n, xeval *ev, const xsel *s)
{
    int64_t *r = xn_vals(n, ev);
    const uint8_t *nu = xn_nulls_or(n, ev, s, n->kid[0], n->kid[1]);
    const int64_t *cnt = n->kid[0]->out.v.i64, *a = n->kid[1]->out.v.i64;
    const eddy_time_unit u = (eddy_time_unit)n->iparam[0];
    const bool date = n->iparam[1];
    XLOOP(s, ev->n, i, {
        if (nu && nu[i]) {
            r[i] = 0;
            continue;
        }
        int64_t ts = a[i], v;
        if (date && __builtin_mul_overflow(a[i], EDDY_MS_PER_DAY, &ts)) return xn_error(n, ev, EDDY_ERUNTIME, "DATE overflow");
        if (eddy_ts_add(u, cnt[i], ts, &v)) return xn_error(n, ev, EDDY_ERUNTIME, "TIMESTAMPADD overflow");
        r[i] = date ? eddy_ts_days(v) : v;
    });
    return 0;
}

/* TIMESTAMPDIFF(unit, a, b): iparam[0] unit, [1]/[2] 1 = that operand is a DATE. */
static int tsdiff_run(xnode *n, xeval *ev, const xsel *s)
{
    int64_t *r = xn_vals(n, ev);
    const uint8_t *nu = xn_nulls_or(n, ev, s, n->kid[0], n->kid[1]);
    const int64_t *a = n->kid[0]->out.v.i64, *b = n->kid[1]->out.v.i64;
    const eddy_time_unit u = (eddy_time_unit)n->iparam[0];
    const int64_t ma = n->iparam[1] ? EDDY_MS_PER_DAY : 1, mb = n->iparam[2] ? EDDY_MS_PER_DAY : 1;
    XLOOP(s, ev->n, i, {
        if (nu && nu[i]) {
            r[i] = 0;
            continue;
        }
        int64_t v, x, y;
        if (__builtin_mul_overflow(a[i], ma, &x) || __builtin_mul_overflow(b[i], mb, &y) ||
            eddy_ts_diff(u, x, y, &v) || v < n->lo || v > n->hi)
            return xn_error(n, ev, EDDY_ERUNTIME, "TIMESTAMPDIFF result out of range for %s", xn_type_name(n->type));
        r[i] = v;
    });
    return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Per-batch constants                                                                        */

static int now_run(xnode *n, xeval *ev, const xsel *s)
{
    (void)s;
    n->cval.null = false;
    switch (n->iparam[0]) {
    case 0: n->cval.u.i = ev->ctx->proctime_ms; break;
    case 1: n->cval.u.i = eddy_ts_days(ev->ctx->proctime_ms); break;
    case 2: n->cval.u.i = eddy_floordiv_i64(ev->ctx->proctime_ms, 1000); break;
    default:
        n->cval.null = ev->ctx->watermark == INT64_MIN;
        n->cval.u.i = ev->ctx->watermark;
        break;
    }
    return 0;
}

static void make_volatile(xnode *n, int what)
{
    n->is_const = true;
    n->volatile_const = true;
    n->nondet = true;
    n->nkid = 0;
    n->iparam[0] = what;
    n->run = now_run;
}

/* ---------------------------------------------------------------------------------------- */
/* Dispatch                                                                                   */

bool xf_is_time_fn(eddy_fn fn)
{
    switch (fn) {
    case EDDY_FN_TO_TIMESTAMP:
    case EDDY_FN_TO_TIMESTAMP_LTZ:
    case EDDY_FN_TO_DATE:
    case EDDY_FN_DATE_FORMAT:
    case EDDY_FN_FROM_UNIXTIME:
    case EDDY_FN_UNIX_TIMESTAMP:
    case EDDY_FN_EXTRACT:
    case EDDY_FN_FLOOR_TIME:
    case EDDY_FN_CEIL_TIME:
    case EDDY_FN_TIMESTAMPADD:
    case EDDY_FN_TIMESTAMPDIFF:
    case EDDY_FN_YEAR:
    case EDDY_FN_QUARTER:
    case EDDY_FN_MONTH:
    case EDDY_FN_WEEK:
    case EDDY_FN_DAYOFYEAR:
    case EDDY_FN_DAYOFMONTH:
    case EDDY_FN_DAYOFWEEK:
    case EDDY_FN_HOUR:
    case EDDY_FN_MINUTE:
    case EDDY_FN_SECOND:
    case EDDY_FN_CURRENT_TIMESTAMP:
    case EDDY_FN_LOCALTIMESTAMP:
    case EDDY_FN_CURRENT_DATE:
    case EDDY_FN_CURRENT_WATERMARK:
    case EDDY_FN_PROCTIME:
    case EDDY_FN_NOW: return true;
    default: return false;
    }
}

/* Keeps only the last `keep` operands (the values; a unit placeholder goes). */
static void keep_last(xnode *n, int keep)
{
    if (n->nkid <= keep) return;
    int off = n->nkid - keep;
    for (int k = 0; k < keep; k++) n->kid[k] = n->kid[off + k];
    n->nkid = keep;
}

static const eddy_sqltype *ts3(xcomp *c)
{
    return xc_type(c, EDDY_TYPE_TIMESTAMP, 3, -1);
}

/* Operand k as a time value: TIMESTAMP/_LTZ/DATE/TIME stay; strings are cast to TIMESTAMP. */
static int want_time(xcomp *c, xnode *n, int k)
{
    eddy_type_kind tk = n->kid[k]->type->kind;
    if (ts_kind(tk) || tk == EDDY_TYPE_DATE || tk == EDDY_TYPE_TIME) return 0;
    n->kid[k] = xc_coerce(c, n->kid[k], ts3(c));
    return n->kid[k] ? 0 : c->err->code;
}

static int want_str(xcomp *c, xnode *n, int k)
{
    if (n->kid[k]->phys == EDDY_PHYS_STR) return 0;
    n->kid[k] = xc_coerce(c, n->kid[k], xc_type(c, EDDY_TYPE_VARCHAR, -1, -1));
    return n->kid[k] ? 0 : c->err->code;
}

static int want_bigint(xcomp *c, xnode *n, int k)
{
    eddy_type_kind tk = n->kid[k]->type->kind;
    if (tk == EDDY_TYPE_TINYINT || tk == EDDY_TYPE_SMALLINT || tk == EDDY_TYPE_INT || tk == EDDY_TYPE_BIGINT) return 0;
    n->kid[k] = xc_coerce(c, n->kid[k], xc_type(c, EDDY_TYPE_BIGINT, -1, -1));
    return n->kid[k] ? 0 : c->err->code;
}

static eddy_time_unit fn_unit(eddy_fn fn)
{
    switch (fn) {
    case EDDY_FN_YEAR: return EDDY_UNIT_YEAR;
    case EDDY_FN_QUARTER: return EDDY_UNIT_QUARTER;
    case EDDY_FN_MONTH: return EDDY_UNIT_MONTH;
    case EDDY_FN_WEEK: return EDDY_UNIT_WEEK;
    case EDDY_FN_DAYOFYEAR: return EDDY_UNIT_DOY;
    case EDDY_FN_DAYOFMONTH: return EDDY_UNIT_DAY;
    case EDDY_FN_DAYOFWEEK: return EDDY_UNIT_DOW;
    case EDDY_FN_HOUR: return EDDY_UNIT_HOUR;
    case EDDY_FN_MINUTE: return EDDY_UNIT_MINUTE;
    default: return EDDY_UNIT_SECOND;
    }
}

int xf_time_compile(xcomp *c, xnode *n, eddy_fn fn)
{
    const eddy_bexpr *e = n->e;
    switch (fn) {
    case EDDY_FN_CURRENT_TIMESTAMP:
    case EDDY_FN_LOCALTIMESTAMP:
    case EDDY_FN_PROCTIME:
    case EDDY_FN_NOW: make_volatile(n, 0); return 0;
    case EDDY_FN_CURRENT_DATE: make_volatile(n, 1); return 0;
    case EDDY_FN_CURRENT_WATERMARK: make_volatile(n, 3); return 0;
    case EDDY_FN_UNIX_TIMESTAMP:
        if (n->nkid == 0) {
            make_volatile(n, 2);
            return 0;
        }
        /* UNIX_TIMESTAMP(s [, fmt]): as TO_TIMESTAMP */
        __attribute__((fallthrough));
    case EDDY_FN_TO_TIMESTAMP:
    case EDDY_FN_TO_DATE: {
        if (fn == EDDY_FN_TO_TIMESTAMP && n->kid[0]->phys != EDDY_PHYS_STR) {
            return xc_error(c, n, EDDY_EUNSUPPORTED, "TO_TIMESTAMP needs a string; use TO_TIMESTAMP_LTZ for numbers");
        }
        for (int k = 0; k < n->nkid; k++)
            if (want_str(c, n, k)) return c->err->code;
        n->iparam[1] = fn == EDDY_FN_TO_TIMESTAMP ? 0 : (fn == EDDY_FN_TO_DATE ? 1 : 2);
        n->run = parse_run;
        if (n->nkid < 2) {
            if (fn == EDDY_FN_UNIX_TIMESTAMP) {
                n->iparam[0] = -1;
                return setup_fmt(c, n, -1, "yyyy-MM-dd HH:mm:ss", true);
            }
            n->iparam[2] = 1; /* lenient */
            return 0;
        }
        n->iparam[0] = 1;
        return setup_fmt(c, n, 1, NULL, true);
    }
    case EDDY_FN_TO_TIMESTAMP_LTZ:
        if (n->kid[0]->phys == EDDY_PHYS_STR) {
            for (int k = 0; k < n->nkid; k++)
                if (want_str(c, n, k)) return c->err->code;
            n->run = parse_run;
            if (n->nkid < 2) {
                n->iparam[2] = 1;
                return 0;
            }
            n->iparam[0] = 1;
            return setup_fmt(c, n, 1, NULL, true);
        }
        if (n->nkid > 1 && want_bigint(c, n, 1)) return c->err->code;
        if (n->kid[0]->phys == EDDY_PHYS_I64) {
            if (want_bigint(c, n, 0)) return c->err->code;
            n->run = epoch_run;
        } else {
            n->kid[0] = xc_coerce(c, n->kid[0], xc_type(c, EDDY_TYPE_DOUBLE, -1, -1));
            if (!n->kid[0]) return c->err->code;
            n->run = epoch_f64_run;
        }
        n->can_fail = true;
        return 0;
    case EDDY_FN_DATE_FORMAT:
        if (n->phys != EDDY_PHYS_STR) return xc_error(c, n, EDDY_EPLAN, "DATE_FORMAT must return a string");
        if (want_str(c, n, 1)) return c->err->code;
        n->iparam[0] = 1;
        if (n->kid[0]->phys == EDDY_PHYS_STR) {
            n->run = format_str_run;
        } else {
            if (n->kid[0]->type->kind != EDDY_TYPE_TIMESTAMP && n->kid[0]->type->kind != EDDY_TYPE_TIMESTAMP_LTZ) {
                n->kid[0] = xc_coerce(c, n->kid[0], ts3(c));
                if (!n->kid[0]) return c->err->code;
            }
            n->run = kconst(n->kid[1]) ? format_const_run : format_run;
            n->can_fail = true;
        }
        return setup_fmt(c, n, 1, NULL, false);
    case EDDY_FN_FROM_UNIXTIME: {
        if (n->phys != EDDY_PHYS_STR) return xc_error(c, n, EDDY_EPLAN, "FROM_UNIXTIME must return a string");
        if (want_bigint(c, n, 0)) return c->err->code;
        if (n->nkid > 1 && want_str(c, n, 1)) return c->err->code;
        n->iparam[0] = n->nkid > 1 ? 1 : -1;
        n->run = (n->nkid < 2 || kconst(n->kid[1])) ? format_const_run : format_run;
        n->can_fail = true;
        int rc = setup_fmt(c, n, n->nkid > 1 ? 1 : -1, "yyyy-MM-dd HH:mm:ss", false);
        ((dfstate *)n->aux)->scale = 1000;
        return rc;
    }
    case EDDY_FN_EXTRACT:
    case EDDY_FN_YEAR:
    case EDDY_FN_QUARTER:
    case EDDY_FN_MONTH:
    case EDDY_FN_WEEK:
    case EDDY_FN_DAYOFYEAR:
    case EDDY_FN_DAYOFMONTH:
    case EDDY_FN_DAYOFWEEK:
    case EDDY_FN_HOUR:
    case EDDY_FN_MINUTE:
    case EDDY_FN_SECOND: {
        keep_last(n, 1);
        if (want_time(c, n, 0)) return c->err->code;
        eddy_time_unit u = fn == EDDY_FN_EXTRACT ? e->unit : fn_unit(fn);
        if (!eddy_ts_extract_supported(u))
            return xc_error(c, n, EDDY_EUNSUPPORTED, "EXTRACT(%s ...) is not supported", eddy_time_unit_name(u));
        n->iparam[0] = (int)u;
        n->iparam[1] = n->kid[0]->type->kind == EDDY_TYPE_DATE;
        n->run = extract_run;
        return 0;
    }
    case EDDY_FN_FLOOR_TIME:
    case EDDY_FN_CEIL_TIME:
        n->nkid = 1; /* value, [unit placeholder] */
        if (want_time(c, n, 0)) return c->err->code;
        if (!eddy_ts_floor_supported(e->unit) && e->unit != EDDY_UNIT_MICROSECOND && e->unit != EDDY_UNIT_NANOSECOND)
            return xc_error(c, n, EDDY_EUNSUPPORTED, "%s(... TO %s) is not supported",
                            fn == EDDY_FN_FLOOR_TIME ? "FLOOR" : "CEIL", eddy_time_unit_name(e->unit));
        n->iparam[0] = (int)e->unit;
        n->iparam[1] = fn == EDDY_FN_CEIL_TIME;
        n->iparam[2] = n->kid[0]->type->kind == EDDY_TYPE_DATE;
        n->run = floor_time_run;
        if (n->kid[0]->type->kind != n->type->kind && !(ts_kind(n->kid[0]->type->kind) && ts_kind(n->type->kind)))
            return xc_error(c, n, EDDY_EPLAN, "FLOOR/CEIL result type differs from its operand");
        return 0;
    case EDDY_FN_TIMESTAMPADD:
        keep_last(n, 2);
        if (want_bigint(c, n, 0) || want_time(c, n, 1)) return c->err->code;
        n->iparam[0] = (int)e->unit;
        n->iparam[1] = n->kid[1]->type->kind == EDDY_TYPE_DATE;
        if (n->iparam[1] && n->type->kind != EDDY_TYPE_DATE) {
            n->kid[1] = xc_coerce(c, n->kid[1], ts3(c));
            if (!n->kid[1]) return c->err->code;
            n->iparam[1] = 0;
        }
        n->run = tsadd_run;
        n->can_fail = true;
        return 0;
    case EDDY_FN_TIMESTAMPDIFF:
        keep_last(n, 2);
        if (want_time(c, n, 0) || want_time(c, n, 1)) return c->err->code;
        n->iparam[0] = (int)e->unit;
        n->iparam[1] = n->kid[0]->type->kind == EDDY_TYPE_DATE;
        n->iparam[2] = n->kid[1]->type->kind == EDDY_TYPE_DATE;
        xn_int_range(n->type, &n->lo, &n->hi);
        n->run = tsdiff_run;
        n->can_fail = true;
        return 0;
    default: return xc_error(c, n, EDDY_EUNSUPPORTED, "unknown time function");
    }
}
