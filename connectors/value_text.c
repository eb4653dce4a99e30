/*
 * value_text.c: cell text for the formats and print (see value_text.h).
 */
#include "connectors/value_text.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/arena.h"
#include "common/decimal.h"
#include "common/timeutil.h"
#include "connectors/format_json.h"
#include "runtime/cast.h"

void eddy_cellfmt_init(eddy_cellfmt *f, const eddy_sqltype *t)
{
    memset(f, 0, sizeof *f);
    f->type = t;
    f->type_name = eddy_type_kind_name(t->kind);
    switch (t->kind) {
    case EDDY_TYPE_BOOLEAN: f->kind = EDDY_CELL_BOOL; break;
    case EDDY_TYPE_TINYINT: f->kind = EDDY_CELL_INT; f->min = INT8_MIN; f->max = INT8_MAX; break;
    case EDDY_TYPE_SMALLINT: f->kind = EDDY_CELL_INT; f->min = INT16_MIN; f->max = INT16_MAX; break;
    case EDDY_TYPE_INT: f->kind = EDDY_CELL_INT; f->min = INT32_MIN; f->max = INT32_MAX; break;
    case EDDY_TYPE_BIGINT: f->kind = EDDY_CELL_INT; f->min = INT64_MIN; f->max = INT64_MAX; break;
    case EDDY_TYPE_FLOAT: f->kind = EDDY_CELL_FLOAT; break;
    case EDDY_TYPE_DOUBLE: f->kind = EDDY_CELL_DOUBLE; break;
    case EDDY_TYPE_DECIMAL:
        f->kind = EDDY_CELL_DEC;
        f->precision = t->precision > 0 ? t->precision : 10; /* DECIMAL = DECIMAL(10, 0) */
        f->scale = t->scale >= 0 ? t->scale : 0;
        break;
    case EDDY_TYPE_CHAR:
    case EDDY_TYPE_VARCHAR: f->kind = EDDY_CELL_STR; break;
    case EDDY_TYPE_BINARY:
    case EDDY_TYPE_VARBINARY: f->kind = EDDY_CELL_BYTES; break;
    case EDDY_TYPE_DATE: f->kind = EDDY_CELL_DATE; break;
    case EDDY_TYPE_TIME: f->kind = EDDY_CELL_TIME; break;
    case EDDY_TYPE_TIMESTAMP: f->kind = EDDY_CELL_TS; break;
    case EDDY_TYPE_TIMESTAMP_LTZ: f->kind = EDDY_CELL_TS_LTZ; break;
    case EDDY_TYPE_INTERVAL: f->kind = EDDY_CELL_INTERVAL; break;
    default: f->kind = EDDY_CELL_NESTED; break;
    }
}

/* ---------------------------------------------------------------------------------------- */
/* Parsing                                                                                  */

static void trim(const char **s, size_t *n)
{
    while (*n && (**s == ' ' || **s == '\t' || **s == '\r' || **s == '\n')) {
        (*s)++;
        (*n)--;
    }
    while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t' || (*s)[*n - 1] == '\r' ||
                  (*s)[*n - 1] == '\n'))
        (*n)--;
}

/* Java's Long.parseLong: optional sign and decimal digits. */
static bool parse_i64(const char *s, size_t n, int64_t *out)
{
    size_t i = 0;
    bool neg = false;
    if (i < n && (s[i] == '-' || s[i] == '+')) neg = s[i++] == '-';
    if (i == n) return false;
    uint64_t v = 0, lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    for (; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return false;
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (lim - d) / 10) return false;
        v = v * 10 + d;
    }
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return true;
}

static bool parse_double(const char *s, size_t n, double *out)
{
    char buf[128];
    if (n == 0 || n >= sizeof buf) return false;
    memcpy(buf, s, n);
    buf[n] = 0;
    /* Java's parseDouble takes NaN, Infinity, -Infinity; strtod also takes nan/inf spellings */
    if (strcmp(buf, "NaN") == 0) {
        *out = NAN;
        return true;
    }
    char *end;
    errno = 0;
    double v = strtod(buf, &end);
    if (end == buf) return false;
    if (*end == 'd' || *end == 'D' || *end == 'f' || *end == 'F') end++; /* Java suffixes */
    if (*end) return false;
    *out = v;
    return true;
}

static int why_cannot(char *why, size_t whysz, const char *s, size_t n, const char *what)
{
    snprintf(why, whysz, "cannot read '%.*s' as %s", (int)(n > 60 ? 60 : n), s, what);
    return EDDY_EDATA;
}

int eddy_cell_parse(const eddy_cellfmt *f, const char *s, size_t n, bool iso, eddy_batch *b,
                    int col, int row, bool borrow, char *why, size_t whysz)
{
    eddy_col *c = &b->cols[col];
    (void)iso; /* both timestamp forms are read whatever the standard (fixed positions) */
    switch (f->kind) {
    case EDDY_CELL_STR:
    case EDDY_CELL_NESTED:
        if (borrow) {
            c->v.str[row].p = s;
            c->v.str[row].n = (uint32_t)n;
        } else {
            c->v.str[row] = eddy_batch_str(b, s, n);
        }
        break;
    case EDDY_CELL_BOOL: {
        trim(&s, &n);
        c->v.b[row] = n == 4 && strncasecmp(s, "true", 4) == 0;
        break;
    }
    case EDDY_CELL_INT:
    case EDDY_CELL_INTERVAL: {
        int64_t v;
        trim(&s, &n);
        if (!parse_i64(s, n, &v)) return why_cannot(why, whysz, s, n, f->type_name);
        if (f->kind == EDDY_CELL_INT && (v < f->min || v > f->max)) {
            snprintf(why, whysz, "%.*s is out of range of %s", (int)n, s, f->type_name);
            return EDDY_EDATA;
        }
        c->v.i64[row] = v;
        break;
    }
    case EDDY_CELL_FLOAT:
    case EDDY_CELL_DOUBLE: {
        double v;
        trim(&s, &n);
        if (!parse_double(s, n, &v)) return why_cannot(why, whysz, s, n, f->type_name);
        c->v.f64[row] = f->kind == EDDY_CELL_FLOAT ? (double)(float)v : v;
        break;
    }
    case EDDY_CELL_DEC: {
        eddy_i128 v;
        int rc = eddy_dec_parse(s, n, f->precision, f->scale, &v);
        if (rc == EDDY_DEC_INVALID) {
            char name[32];
            snprintf(name, sizeof name, "DECIMAL(%d, %d)", f->precision, f->scale);
            return why_cannot(why, whysz, s, n, name);
        }
        if (rc == EDDY_DEC_OVERFLOW) {
            eddy_col_nulls(b, col)[row] = 1; /* Flink: DecimalData.fromBigDecimal gives null */
            return 0;
        }
        c->v.dec[row] = v;
        break;
    }
    case EDDY_CELL_BYTES: {
        uint8_t *o = eddy_arena_alloc(b->arena, n / 4 * 3 + 3);
        long len = eddy_base64_decode(s, n, o);
        if (len < 0) return why_cannot(why, whysz, s, n, "base64 bytes");
        c->v.str[row].p = (const char *)o;
        c->v.str[row].n = (uint32_t)len;
        break;
    }
    case EDDY_CELL_DATE: {
        int32_t d;
        if (eddy_date_parse(s, n, &d) != 0) return why_cannot(why, whysz, s, n, "DATE");
        c->v.i64[row] = d;
        break;
    }
    case EDDY_CELL_TIME: {
        int32_t ms;
        if (eddy_time_parse(s, n, &ms) != 0) return why_cannot(why, whysz, s, n, "TIME");
        c->v.i64[row] = ms;
        break;
    }
    case EDDY_CELL_TS:
    case EDDY_CELL_TS_LTZ: {
        int64_t ts;
        if (eddy_ts_parse(s, n, EDDY_TSP_ANY, &ts) != 0)
            return why_cannot(why, whysz, s, n, f->kind == EDDY_CELL_TS ? "TIMESTAMP" : "TIMESTAMP_LTZ");
        c->v.i64[row] = ts;
        break;
    }
    }
    if (c->nulls) c->nulls[row] = 0;
    return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Java number text                                                                         */

size_t eddy_text_decimal(__int128 v, int scale, char *buf)
{
    char digs[48];
    int nd = 0;
    unsigned __int128 u = v < 0 ? -(unsigned __int128)v : (unsigned __int128)v;
    do {
        digs[nd++] = (char)('0' + (int)(u % 10));
        u /= 10;
    } while (u);
    /* BigDecimal.toString: plain when scale >= 0 and the adjusted exponent >= -6 */
    int adjusted = nd - 1 - scale;
    if (scale >= 0 && adjusted >= -6) return eddy_dec_format(v, scale, buf);
    char *p = buf;
    if (v < 0) *p++ = '-';
    *p++ = digs[nd - 1];
    if (nd > 1) {
        *p++ = '.';
        for (int i = nd - 2; i >= 0; i--) *p++ = digs[i];
    }
    p += sprintf(p, "E%s%d", adjusted >= 0 ? "+" : "", adjusted);
    return (size_t)(p - buf);
}

/* ---------------------------------------------------------------------------------------- */
/* Base64                                                                                   */

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void eddy_base64_encode(const uint8_t *p, size_t n, eddy_strbuf *out)
{
    char q[4];
    size_t i = 0;
    for (; i + 3 <= n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
        q[0] = b64[v >> 18];
        q[1] = b64[(v >> 12) & 63];
        q[2] = b64[(v >> 6) & 63];
        q[3] = b64[v & 63];
        eddy_strbuf_append(out, q, 4);
    }
    if (i < n) {
        uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0);
        q[0] = b64[v >> 18];
        q[1] = b64[(v >> 12) & 63];
        q[2] = i + 1 < n ? b64[(v >> 6) & 63] : '=';
        q[3] = '=';
        eddy_strbuf_append(out, q, 4);
    }
}

static int b64val(char c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+' || c == '-') return 62;
    if (c == '/' || c == '_') return 63;
    return -1;
}

long eddy_base64_decode(const char *s, size_t n, uint8_t *out)
{
    while (n && s[n - 1] == '=') n--;
    if (n % 4 == 1) return -1;
    long o = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        int v = b64val(s[i]);
        if (v < 0) return -1;
        acc = acc << 6 | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (uint8_t)(acc >> bits);
        }
    }
    return o;
}

/* ---------------------------------------------------------------------------------------- */
/* Formatting                                                                               */

/* LocalDate.toString's year: 4 digits, '-' below 0, '+' above 9999. */
static char *java_date(char *p, int64_t days)
{
    int y, m, d;
    eddy_civil_from_days(days, &y, &m, &d);
    if (y > 9999)
        p += sprintf(p, "+%d", y);
    else if (y < 0)
        p += sprintf(p, "-%04d", -y);
    else
        p += sprintf(p, "%04d", y);
    return p + sprintf(p, "-%02d-%02d", m, d);
}

/* LocalTime.toString of a millisecond of the day: HH:mm, then :ss and .SSS when not zero. */
static char *java_time(char *p, int64_t msod, bool always_seconds)
{
    int h = (int)(msod / 3600000), mi = (int)(msod / 60000 % 60), s = (int)(msod / 1000 % 60),
        ms = (int)(msod % 1000);
    p += sprintf(p, "%02d:%02d", h, mi);
    if (s || ms || always_seconds) p += sprintf(p, ":%02d", s);
    if (ms) p += sprintf(p, ".%03d", ms);
    return p;
}

/* java.time.Duration.toString of milliseconds. */
static void java_duration(int64_t ms, eddy_strbuf *out)
{
    if (ms == 0) {
        eddy_strbuf_puts(out, "PT0S");
        return;
    }
    int64_t seconds = ms / 1000, rem = ms % 1000;
    if (rem < 0) {
        rem += 1000;
        seconds--;
    }
    int64_t nanos = rem * 1000000;
    int64_t eff = seconds;
    if (seconds < 0 && nanos > 0) eff++;
    int64_t hours = eff / 3600;
    int minutes = (int)((eff % 3600) / 60), secs = (int)(eff % 60);
    eddy_strbuf_puts(out, "PT");
    size_t start = out->n;
    if (hours) eddy_strbuf_printf(out, "%lldH", (long long)hours);
    if (minutes) eddy_strbuf_printf(out, "%dM", minutes);
    if (secs == 0 && nanos == 0 && out->n > start) return;
    if (seconds < 0 && nanos > 0) {
        if (secs == 0)
            eddy_strbuf_puts(out, "-0");
        else
            eddy_strbuf_printf(out, "%d", secs);
    } else {
        eddy_strbuf_printf(out, "%d", secs);
    }
    if (nanos > 0) {
        char frac[16];
        long long fv = seconds < 0 ? 2000000000LL - nanos : nanos + 1000000000LL;
        int fl = snprintf(frac, sizeof frac, "%lld", fv);
        while (fl > 1 && frac[fl - 1] == '0') fl--;
        frac[0] = '.';
        eddy_strbuf_append(out, frac, (size_t)fl);
    }
    eddy_strbuf_putc(out, 'S');
}

/* java.time.Period.toString of months (normalized to years and months). */
static void java_period(int64_t months, eddy_strbuf *out)
{
    if (months == 0) {
        eddy_strbuf_puts(out, "P0D");
        return;
    }
    long long y = months / 12, m = months % 12;
    eddy_strbuf_putc(out, 'P');
    if (y) eddy_strbuf_printf(out, "%lldY", y);
    if (m) eddy_strbuf_printf(out, "%lldM", m);
}

static void format_ts(int64_t ts, eddy_cell_kind kind, eddy_text_style style, eddy_strbuf *out)
{
    char buf[EDDY_TS_BUFSZ + 16];
    size_t n;
    if (style == EDDY_TEXT_JAVA) {
        char *p = java_date(buf, eddy_ts_days(ts));
        *p++ = 'T';
        p = java_time(p, eddy_ts_time_of_day(ts), kind == EDDY_CELL_TS_LTZ);
        if (kind == EDDY_CELL_TS_LTZ) *p++ = 'Z';
        n = (size_t)(p - buf);
    } else {
        unsigned flags = EDDY_TSF_TRIM;
        if (style == EDDY_TEXT_ISO) flags |= EDDY_TSF_ISO;
        if (kind == EDDY_CELL_TS_LTZ) flags |= EDDY_TSF_Z;
        n = eddy_ts_format_ex(ts, 3, flags, buf);
    }
    eddy_strbuf_append(out, buf, n);
}

void eddy_cell_format(const eddy_cellfmt *f, const eddy_col *c, int row, eddy_text_style style,
                      eddy_strbuf *out)
{
    char buf[96];
    size_t n;
    switch (f->kind) {
    case EDDY_CELL_BOOL:
        eddy_strbuf_puts(out, c->v.b[row] ? "true" : "false");
        return;
    case EDDY_CELL_INT:
        n = (size_t)snprintf(buf, sizeof buf, "%lld", (long long)c->v.i64[row]);
        break;
    case EDDY_CELL_INTERVAL:
        if (style == EDDY_TEXT_JAVA) {
            if (eddy_interval_is_months(f->type->from))
                java_period(c->v.i64[row], out);
            else
                java_duration(c->v.i64[row], out);
            return;
        }
        n = (size_t)snprintf(buf, sizeof buf, "%lld", (long long)c->v.i64[row]);
        break;
    case EDDY_CELL_FLOAT:
        n = eddy_format_float((float)c->v.f64[row], buf);
        break;
    case EDDY_CELL_DOUBLE:
        n = eddy_format_double(c->v.f64[row], buf);
        break;
    case EDDY_CELL_DEC:
        n = eddy_text_decimal(c->v.dec[row], f->scale, buf);
        break;
    case EDDY_CELL_STR:
        eddy_strbuf_append(out, c->v.str[row].p, c->v.str[row].n);
        return;
    case EDDY_CELL_NESTED:
        if (style == EDDY_TEXT_JAVA)
            eddy_text_nested_java(f->type, c->v.str[row].p, c->v.str[row].n, out);
        else
            eddy_strbuf_append(out, c->v.str[row].p, c->v.str[row].n);
        return;
    case EDDY_CELL_BYTES: {
        const uint8_t *p = (const uint8_t *)c->v.str[row].p;
        if (style != EDDY_TEXT_JAVA) {
            eddy_base64_encode(p, c->v.str[row].n, out);
            return;
        }
        eddy_strbuf_putc(out, '[');
        for (uint32_t i = 0; i < c->v.str[row].n; i++)
            eddy_strbuf_printf(out, "%s%d", i ? ", " : "", (int)(int8_t)p[i]);
        eddy_strbuf_putc(out, ']');
        return;
    }
    case EDDY_CELL_DATE:
        n = eddy_date_format(c->v.i64[row], buf);
        break;
    case EDDY_CELL_TIME:
        if (style == EDDY_TEXT_JAVA) {
            n = (size_t)(java_time(buf, c->v.i64[row], false) - buf);
        } else {
            n = eddy_time_format((int32_t)c->v.i64[row], 3, buf);
            while (n > 8 && buf[n - 1] == '0') n--; /* Flink's SQL_TIME_FORMAT trims */
            if (n == 9) n = 8;
        }
        break;
    case EDDY_CELL_TS:
    case EDDY_CELL_TS_LTZ:
        format_ts(c->v.i64[row], f->kind, style, out);
        return;
    default:
        return;
    }
    eddy_strbuf_append(out, buf, n);
}

/* ---------------------------------------------------------------------------------------- */
/* Nested values for print                                                                  */

static const char *ws(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) p++;
    return p;
}

static const char *nested_java(const eddy_sqltype *t, const char *p, const char *end,
                               eddy_strbuf *out, int depth);

/* A scalar JSON token [p, q) shown as Java shows a value of type t. */
static void scalar_java(const eddy_sqltype *t, const char *p, const char *q, eddy_strbuf *out)
{
    if (q - p == 4 && memcmp(p, "null", 4) == 0) {
        eddy_strbuf_puts(out, "null");
        return;
    }
    if (*p == '"') {
        size_t n = (size_t)(q - p - 2);
        char *tmp = eddy_xmalloc(n + 1);
        long len = eddy_json_unescape(p + 1, n, tmp);
        if (len < 0) len = 0;
        int64_t ts;
        if (t && (t->kind == EDDY_TYPE_TIMESTAMP || t->kind == EDDY_TYPE_TIMESTAMP_LTZ) &&
            eddy_ts_parse(tmp, (size_t)len, EDDY_TSP_ANY, &ts) == 0)
            format_ts(ts, t->kind == EDDY_TYPE_TIMESTAMP ? EDDY_CELL_TS : EDDY_CELL_TS_LTZ,
                      EDDY_TEXT_JAVA, out);
        else
            eddy_strbuf_append(out, tmp, (size_t)len);
        free(tmp);
        return;
    }
    if (t && (t->kind == EDDY_TYPE_DOUBLE || t->kind == EDDY_TYPE_FLOAT)) {
        double d;
        if (parse_double(p, (size_t)(q - p), &d)) {
            char buf[40];
            size_t n = t->kind == EDDY_TYPE_FLOAT ? eddy_format_float((float)d, buf)
                                                  : eddy_format_double(d, buf);
            eddy_strbuf_append(out, buf, n);
            return;
        }
    }
    eddy_strbuf_append(out, p, (size_t)(q - p));
}

static const char *nested_java(const eddy_sqltype *t, const char *p, const char *end,
                               eddy_strbuf *out, int depth)
{
    p = ws(p, end);
    if (p >= end) return NULL;
    const char *q = eddy_json_skip_value(p, end);
    if (!q) return NULL;
    if (depth > 64 || (*p != '{' && *p != '[')) {
        scalar_java(t, p, q, out);
        return q;
    }
    if (*p == '[') {
        const eddy_sqltype *et = t ? t->elem : NULL;
        eddy_strbuf_putc(out, '[');
        const char *s = ws(p + 1, q);
        bool first = true;
        while (s < q && *s != ']') {
            if (!first) eddy_strbuf_puts(out, ", ");
            first = false;
            s = nested_java(et, s, q, out, depth + 1);
            if (!s) return NULL;
            s = ws(s, q);
            if (s < q && *s == ',') s = ws(s + 1, q);
        }
        eddy_strbuf_putc(out, ']');
        return q;
    }
    /* an object: a ROW by its declared fields, else a MAP as {k=v, ...} */
    if (t && t->kind == EDDY_TYPE_ROW) {
        eddy_strbuf_puts(out, "+I[");
        for (int i = 0; i < t->nfields; i++) {
            if (i) eddy_strbuf_puts(out, ", ");
            const char *name = t->fields[i].name;
            size_t nlen = strlen(name);
            const char *s = ws(p + 1, q), *val = NULL;
            while (s < q && *s == '"') {
                const char *k = s + 1, *ke = eddy_json_skip_value(s, q);
                if (!ke) return NULL;
                bool match = (size_t)(ke - 1 - k) == nlen && memcmp(k, name, nlen) == 0;
                s = ws(ke, q);
                if (s < q && *s == ':') s = ws(s + 1, q);
                const char *ve = eddy_json_skip_value(s, q);
                if (!ve) return NULL;
                if (match) val = s;
                s = ws(ve, q);
                if (s < q && *s == ',') s = ws(s + 1, q);
            }
            if (val) {
                if (!nested_java(t->fields[i].type, val, q, out, depth + 1)) return NULL;
            } else {
                eddy_strbuf_puts(out, "null");
            }
        }
        eddy_strbuf_putc(out, ']');
        return q;
    }
    const eddy_sqltype *kt = t ? t->elem : NULL, *vt = t ? t->value : NULL;
    eddy_strbuf_putc(out, '{');
    const char *s = ws(p + 1, q);
    bool first = true;
    while (s < q && *s == '"') {
        if (!first) eddy_strbuf_puts(out, ", ");
        first = false;
        const char *ke = eddy_json_skip_value(s, q);
        if (!ke) return NULL;
        scalar_java(kt, s, ke, out);
        eddy_strbuf_putc(out, '=');
        s = ws(ke, q);
        if (s < q && *s == ':') s = ws(s + 1, q);
        s = nested_java(vt, s, q, out, depth + 1);
        if (!s) return NULL;
        s = ws(s, q);
        if (s < q && *s == ',') s = ws(s + 1, q);
    }
    eddy_strbuf_putc(out, '}');
    return q;
}

void eddy_text_nested_java(const eddy_sqltype *t, const char *json, size_t n, eddy_strbuf *out)
{
    size_t mark = out->n;
    if (!nested_java(t, json, json + n, out, 0)) {
        out->n = mark;
        if (out->s) out->s[mark] = 0;
        eddy_strbuf_append(out, json, n);
    }
}
