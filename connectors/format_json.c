/*
 * format_json.c: the 'json' format's decoder and encoder (see format_json.h).
 *
 * The decoder walks the text once. The columns' paths form a tree of nodes (the root is the
 * top-level object); at each object the parser matches a field name against the node's
 * children (trying first the child that followed the previously matched one, since lines of
 * one source tend to keep their field order), decodes a matched leaf straight into its
 * column, enters a matched inner node, and skips everything else with a validating scanner.
 * Strings are scanned eight bytes at a time for '"', '\' and control characters.
 */
#include "connectors/format_json.h"

#include <math.h>
#include <stdarg.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/arena.h"
#include "common/decimal.h"
#include "common/timeutil.h"
#include "connectors/value_text.h"
#include "runtime/cast.h"

#define MAX_DEPTH 256 /* nesting beyond this is an error, not a stack overflow */
#define TS_EPOCH_MIN INT64_C(-62167219200000) /* 0000-01-01 00:00:00.000 */
#define TS_EPOCH_MAX INT64_C(253402300799999)  /* 9999-12-31 23:59:59.999 */

const char *const eddy_json_option_keys[] = {
    "json.fail-on-missing-field",
    "json.ignore-parse-errors",
    "json.timestamp-format.standard",
    "json.map-null-key.mode",
    "json.map-null-key.literal",
    "json.encode.decimal-as-plain-number",
    "json.encode.ignore-null-fields",
    NULL,
};

int eddy_json_options_read(const eddy_optset *o, eddy_json_options *jo)
{
    static const char *const standards[] = {"SQL", "ISO-8601", NULL};
    static const char *const nullkey[] = {"FAIL", "DROP", "LITERAL", NULL};
    int std, nk;
    memset(jo, 0, sizeof *jo);
    if (eddy_opt_bool(o, "json.fail-on-missing-field", false, &jo->fail_on_missing) ||
        eddy_opt_bool(o, "json.ignore-parse-errors", false, &jo->ignore_parse_errors) ||
        eddy_opt_enum(o, "json.timestamp-format.standard", standards, 0, &std) ||
        eddy_opt_enum(o, "json.map-null-key.mode", nullkey, 0, &nk) ||
        eddy_opt_bool(o, "json.encode.decimal-as-plain-number", false, &jo->decimal_plain) ||
        eddy_opt_bool(o, "json.encode.ignore-null-fields", false, &jo->ignore_null_fields))
        return o->err->code;
    if (jo->fail_on_missing && jo->ignore_parse_errors)
        return eddy_error_set(o->err, EDDY_EUSAGE, 0, 0,
                              "options 'json.fail-on-missing-field' and 'json.ignore-parse-errors' "
                              "of connector '%s' cannot both be 'true'",
                              o->connector);
    jo->iso8601 = std == 1;
    return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Scanning                                                                                 */

static inline const char *skip_ws(const char *p, const char *end)
{
    /* machine-written JSON rarely has spaces: one compare in the common case */
    while (p < end && (unsigned char)*p <= ' ' &&
           (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    return p;
}

static inline int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

#define ONES UINT64_C(0x0101010101010101)
#define HIGHS UINT64_C(0x8080808080808080)

/*
 * Finds the closing quote of a string whose body starts at p. Sets *esc when the body has a
 * backslash. Returns the quote, or NULL with *bad at the offending byte (a control character,
 * a bad escape) or at end (unterminated).
 */
static inline __attribute__((always_inline)) const char *scan_string(const char *p, const char *end,
                                                                      bool *esc, const char **bad)
{
    for (;;) {
#if defined(__SSE2__)
        /* 16 bytes at a time: '"', '\\' or a byte below 0x20 (signed compare: bytes >= 0x80,
         * UTF-8, are negative, so exclude them with the sign mask) */
        const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\'),
                      ctl = _mm_set1_epi8(0x20);
        while (end - p >= 16) {
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
            unsigned m = (unsigned)_mm_movemask_epi8(
                _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bslash)));
            m |= (unsigned)_mm_movemask_epi8(_mm_cmplt_epi8(v, ctl)) &
                 ~(unsigned)_mm_movemask_epi8(v);
            if (m) {
                p += __builtin_ctz(m);
                goto found;
            }
            p += 16;
        }
#endif
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        while (end - p >= 8) {
            uint64_t x;
            memcpy(&x, p, 8);
            uint64_t q = x ^ (ONES * '"'), s = x ^ (ONES * '\\');
            uint64_t m = ((q - ONES) & ~q) | ((s - ONES) & ~s) | ((x - ONES * 0x20) & ~x);
            m &= HIGHS;
            if (m) {
                p += __builtin_ctzll(m) >> 3;
                goto found;
            }
            p += 8;
        }
#endif
        while (p < end && *p != '"' && *p != '\\' && (unsigned char)*p >= 0x20) p++;
        if (p >= end) {
            *bad = end;
            return NULL;
        }
    found:
        if (*p == '"') return p;
        if (*p != '\\') {
            *bad = p;
            return NULL;
        }
        *esc = true;
        if (p + 1 >= end) {
            *bad = end;
            return NULL;
        }
        switch (p[1]) {
        case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
            p += 2;
            break;
        case 'u':
            if (end - p < 6 || hexval(p[2]) < 0 || hexval(p[3]) < 0 || hexval(p[4]) < 0 ||
                hexval(p[5]) < 0) {
                *bad = p;
                return NULL;
            }
            p += 6;
            break;
        default:
            *bad = p;
            return NULL;
        }
    }
}

static char *put_utf8(char *o, uint32_t cp)
{
    if (cp < 0x80) {
        *o++ = (char)cp;
    } else if (cp < 0x800) {
        *o++ = (char)(0xC0 | (cp >> 6));
        *o++ = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        *o++ = (char)(0xE0 | (cp >> 12));
        *o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
        *o++ = (char)(0x80 | (cp & 0x3F));
    } else {
        *o++ = (char)(0xF0 | (cp >> 18));
        *o++ = (char)(0x80 | ((cp >> 12) & 0x3F));
        *o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
        *o++ = (char)(0x80 | (cp & 0x3F));
    }
    return o;
}

/* The value of four hex digits, or -1 when one is not a hex digit (callers other than the
 * decoder, such as the Kafka sink's headers, pass unchecked text). */
static int hex4(const char *p)
{
    int a = hexval(p[0]), b = hexval(p[1]), c = hexval(p[2]), d = hexval(p[3]);
    if ((a | b | c | d) < 0) return -1;
    return (a << 12) | (b << 8) | (c << 4) | d;
}

long eddy_json_unescape(const char *p, size_t n, char *out)
{
    const char *end = p + n;
    char *o = out;
    while (p < end) {
        const char *bs = memchr(p, '\\', (size_t)(end - p));
        if (!bs) {
            memcpy(o, p, (size_t)(end - p));
            o += end - p;
            break;
        }
        memcpy(o, p, (size_t)(bs - p));
        o += bs - p;
        p = bs;
        if (p + 1 >= end) return -1;
        char c = p[1];
        p += 2;
        switch (c) {
        case '"': *o++ = '"'; break;
        case '\\': *o++ = '\\'; break;
        case '/': *o++ = '/'; break;
        case 'b': *o++ = '\b'; break;
        case 'f': *o++ = '\f'; break;
        case 'n': *o++ = '\n'; break;
        case 'r': *o++ = '\r'; break;
        case 't': *o++ = '\t'; break;
        case 'u': {
            if (end - p < 4) return -1;
            int cp = hex4(p);
            if (cp < 0) return -1;
            p += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF && end - p >= 6 && p[0] == '\\' && p[1] == 'u') {
                int lo = hex4(p + 2);
                if (lo >= 0xDC00 && lo <= 0xDFFF) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    p += 6;
                }
            }
            if (cp >= 0xD800 && cp <= 0xDFFF) cp = 0xFFFD; /* a lone surrogate */
            o = put_utf8(o, (uint32_t)cp);
            break;
        }
        default: return -1;
        }
    }
    return o - out;
}

/* The end of a number at p, or NULL. *is_int: no fraction and no exponent. */
static const char *scan_number(const char *p, const char *end, bool *is_int)
{
    *is_int = true;
    if (p < end && *p == '-') p++;
    if (p >= end) return NULL;
    if (*p == '0') {
        p++;
    } else if (*p >= '1' && *p <= '9') {
        while (p < end && *p >= '0' && *p <= '9') p++;
    } else {
        return NULL;
    }
    if (p < end && *p == '.') {
        *is_int = false;
        p++;
        if (p >= end || *p < '0' || *p > '9') return NULL;
        while (p < end && *p >= '0' && *p <= '9') p++;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        *is_int = false;
        p++;
        if (p < end && (*p == '+' || *p == '-')) p++;
        if (p >= end || *p < '0' || *p > '9') return NULL;
        while (p < end && *p >= '0' && *p <= '9') p++;
    }
    return p;
}

static bool is_lit(const char *p, const char *end, const char *lit, size_t n)
{
    return (size_t)(end - p) >= n && memcmp(p, lit, n) == 0;
}

/* Skips one value at p (no leading whitespace). Returns its end or NULL; *bad = where. */
static const char *skip_value(const char *p, const char *end, int depth, const char **bad)
{
    if (p >= end) {
        *bad = end;
        return NULL;
    }
    bool dummy;
    switch (*p) {
    case '"': {
        const char *q = scan_string(p + 1, end, &dummy, bad);
        return q ? q + 1 : NULL;
    }
    case '{':
    case '[': {
        char close = *p == '{' ? '}' : ']';
        bool obj = *p == '{';
        if (depth >= MAX_DEPTH) {
            *bad = p;
            return NULL;
        }
        p = skip_ws(p + 1, end);
        if (p < end && *p == close) return p + 1;
        for (;;) {
            if (obj) {
                if (p >= end || *p != '"') {
                    *bad = p;
                    return NULL;
                }
                const char *q = scan_string(p + 1, end, &dummy, bad);
                if (!q) return NULL;
                p = skip_ws(q + 1, end);
                if (p >= end || *p != ':') {
                    *bad = p;
                    return NULL;
                }
                p = skip_ws(p + 1, end);
            }
            p = skip_value(p, end, depth + 1, bad);
            if (!p) return NULL;
            p = skip_ws(p, end);
            if (p < end && *p == ',') {
                p = skip_ws(p + 1, end);
                continue;
            }
            if (p < end && *p == close) return p + 1;
            *bad = p;
            return NULL;
        }
    }
    case 't':
        if (is_lit(p, end, "true", 4)) return p + 4;
        break;
    case 'f':
        if (is_lit(p, end, "false", 5)) return p + 5;
        break;
    case 'n':
        if (is_lit(p, end, "null", 4)) return p + 4;
        break;
    default: {
        const char *q = scan_number(p, end, &dummy);
        if (q) return q;
        break;
    }
    }
    *bad = p;
    return NULL;
}

const char *eddy_json_skip_value(const char *p, const char *end)
{
    const char *bad;
    p = skip_ws(p, end);
    return skip_value(p, end, 0, &bad);
}

/* ---------------------------------------------------------------------------------------- */
/* Decoder                                                                                  */

typedef struct jnode {
    const char *name;   /* field name (not owned: the plan's path strings) */
    uint32_t nlen;      /* its length */
    int col;            /* column decoded from this field's value, -1 if none */
    int *kids;          /* child node indices */
    int nkids;
    int hint;           /* position in kids expected to match next */
} jnode;

struct eddy_json_decoder {
    jnode *nodes;           /* nodes[0] is the top-level object */
    int nnodes;
    int ncols;
    eddy_cellfmt *fmt;      /* per column */
    char **colname;         /* dotted path per column, for messages */
    uint32_t *seen;         /* seen[col] == gen: written in the current row */
    int *dup_of;            /* column with the same path whose cell this one copies, or -1 */
    uint32_t gen;
    eddy_json_options opt;
    char err[320];          /* last failure */
};

static int node_add(eddy_json_decoder *d, const char *name)
{
    d->nodes = eddy_xrealloc(d->nodes, (size_t)(d->nnodes + 1) * sizeof *d->nodes);
    jnode *n = &d->nodes[d->nnodes];
    memset(n, 0, sizeof *n);
    n->name = name;
    n->nlen = name ? (uint32_t)strlen(name) : 0;
    n->col = -1;
    return d->nnodes++;
}

static int node_child(eddy_json_decoder *d, int parent, const char *name)
{
    jnode *p = &d->nodes[parent];
    for (int i = 0; i < p->nkids; i++)
        if (strcmp(d->nodes[p->kids[i]].name, name) == 0) return p->kids[i];
    int k = node_add(d, name);
    p = &d->nodes[parent];
    p->kids = eddy_xrealloc(p->kids, (size_t)(p->nkids + 1) * sizeof(int));
    p->kids[p->nkids++] = k;
    return k;
}

eddy_json_decoder *eddy_json_decoder_new(const eddy_schema *schema, const char *const *const *paths,
                                         const int *npath, const eddy_json_options *opt)
{
    eddy_json_decoder *d = eddy_xcalloc(1, sizeof *d);
    if (opt) d->opt = *opt;
    d->ncols = schema->n;
    d->fmt = eddy_xcalloc((size_t)(schema->n ? schema->n : 1), sizeof *d->fmt);
    d->colname = eddy_xcalloc((size_t)(schema->n ? schema->n : 1), sizeof(char *));
    d->seen = eddy_xcalloc((size_t)(schema->n ? schema->n : 1), sizeof(uint32_t));
    d->dup_of = eddy_xcalloc((size_t)(schema->n ? schema->n : 1), sizeof(int));
    node_add(d, NULL);
    for (int i = 0; i < schema->n; i++) {
        eddy_cellfmt_init(&d->fmt[i], schema->fields[i].type);
        const char *const one[1] = {schema->fields[i].name};
        const char *const *path = paths ? paths[i] : one;
        int np = paths ? npath[i] : 1;
        eddy_strbuf nm = {0};
        int node = 0;
        for (int k = 0; k < np; k++) {
            node = node_child(d, node, path[k]);
            if (k) eddy_strbuf_putc(&nm, '.');
            eddy_strbuf_puts(&nm, path[k]);
        }
        d->colname[i] = eddy_strbuf_take(&nm);
        /* two columns with one path (rare): the first decodes, the others copy its cell */
        int first = d->nodes[node].col;
        d->dup_of[i] = first >= 0 && eddy_phys_of(schema->fields[first].type) ==
                                         eddy_phys_of(schema->fields[i].type)
                           ? first
                           : -1;
        if (first < 0) d->nodes[node].col = i;
    }
    return d;
}

void eddy_json_decoder_free(eddy_json_decoder *d)
{
    if (!d) return;
    for (int i = 0; i < d->nnodes; i++) free(d->nodes[i].kids);
    free(d->nodes);
    for (int i = 0; i < d->ncols; i++) free(d->colname[i]);
    free(d->colname);
    free(d->fmt);
    free(d->seen);
    free(d->dup_of);
    free(d);
}

const char *eddy_json_decoder_error(const eddy_json_decoder *d)
{
    return d->err;
}

typedef struct jparse {
    eddy_json_decoder *d;
    const char *start, *end;    /* the text */
    eddy_batch *b;
    int row;
    bool borrow;                /* strings may point into the text */
} jparse;

static bool fail(jparse *jp, const char *at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static bool fail(jparse *jp, const char *at, const char *fmt, ...)
{
    int n = snprintf(jp->d->err, sizeof jp->d->err, "byte %ld: ", (long)(at - jp->start) + 1);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(jp->d->err + n, sizeof jp->d->err - (size_t)n, fmt, ap);
    va_end(ap);
    return false;
}

/* Describes the byte at p for a syntax error. */
static bool syntax(jparse *jp, const char *p, const char *expected)
{
    if (p >= jp->end) return fail(jp, p, "unexpected end of the text, expected %s", expected);
    unsigned char c = (unsigned char)*p;
    if (c >= 0x20 && c < 0x7f) return fail(jp, p, "expected %s, found '%c'", expected, c);
    return fail(jp, p, "expected %s, found byte 0x%02x", expected, c);
}

static bool skip_failed(jparse *jp, const char *bad)
{
    if (bad >= jp->end) return fail(jp, bad, "unexpected end of the text inside a value");
    unsigned char c = (unsigned char)*bad;
    if (c < 0x20) return fail(jp, bad, "control character 0x%02x in a string must be escaped", c);
    if (c == '\\') return fail(jp, bad, "invalid escape sequence in a string");
    if (c >= 0x20 && c < 0x7f) return fail(jp, bad, "invalid JSON near '%c'", c);
    return fail(jp, bad, "invalid JSON near byte 0x%02x", c);
}

static inline void cell_null(jparse *jp, int col)
{
    eddy_col_nulls(jp->b, col)[jp->row] = 1;
    jp->d->seen[col] = jp->d->gen;
}

static inline void cell_mark(jparse *jp, int col)
{
    eddy_col *c = &jp->b->cols[col];
    if (c->nulls) c->nulls[jp->row] = 0;
    jp->d->seen[col] = jp->d->gen;
}

static void null_subtree(jparse *jp, int node)
{
    jnode *n = &jp->d->nodes[node];
    if (n->col >= 0) cell_null(jp, n->col);
    for (int i = 0; i < n->nkids; i++) null_subtree(jp, n->kids[i]);
}

/* Sets a string cell to s[0..n): a view of the text when allowed, else a copy. */
static inline void cell_str(jparse *jp, int col, const char *s, size_t n)
{
    eddy_str *dst = &jp->b->cols[col].v.str[jp->row];
    if (jp->borrow) {
        dst->p = s;
        dst->n = (uint32_t)n;
    } else {
        *dst = eddy_batch_str(jp->b, s, n);
    }
    cell_mark(jp, col);
}

/* Decodes a string body with escapes into the arena. */
static bool cell_str_escaped(jparse *jp, int col, const char *s, size_t n)
{
    char *o = eddy_arena_alloc(jp->b->arena, n ? n : 1);
    long len = eddy_json_unescape(s, n, o);
    if (len < 0) return fail(jp, s, "invalid escape sequence in a string");
    eddy_str *dst = &jp->b->cols[col].v.str[jp->row];
    dst->p = o;
    dst->n = (uint32_t)len;
    cell_mark(jp, col);
    return true;
}

static const double pow10_exact[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                     1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                     1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* A JSON number's double value: exact fast path when the digits fit 2^53 and the exponent is
 * small (Clinger), else strtod on a copy. */
static double number_double(const char *p, const char *q)
{
    const char *s = p;
    bool neg = false;
    if (*s == '-') {
        neg = true;
        s++;
    }
    uint64_t m = 0;
    int nd = 0, exp10 = 0;
    while (s < q && *s >= '0' && *s <= '9') {
        if (nd < 19) {
            m = m * 10 + (uint64_t)(*s - '0');
            if (m) nd++;
        } else {
            exp10++;
        }
        s++;
    }
    if (s < q && *s == '.') {
        s++;
        while (s < q && *s >= '0' && *s <= '9') {
            if (nd < 19) {
                m = m * 10 + (uint64_t)(*s - '0');
                if (m) nd++;
                exp10--;
            }
            s++;
        }
    }
    if (s < q && (*s == 'e' || *s == 'E')) {
        s++;
        bool eneg = false;
        if (*s == '+' || *s == '-') eneg = *s++ == '-';
        int e = 0;
        while (s < q && *s >= '0' && *s <= '9') {
            if (e < 100000) e = e * 10 + (*s - '0');
            s++;
        }
        exp10 += eneg ? -e : e;
    }
    if (nd < 19 && m < (UINT64_C(1) << 53) && exp10 >= -22 && exp10 <= 22) {
        double v = (double)m;
        v = exp10 < 0 ? v / pow10_exact[-exp10] : v * pow10_exact[exp10];
        return neg ? -v : v;
    }
    char buf[128];
    size_t n = (size_t)(q - p);
    if (n < sizeof buf) {
        memcpy(buf, p, n);
        buf[n] = 0;
        return strtod(buf, NULL);
    }
    char *tmp = eddy_xmalloc(n + 1);
    memcpy(tmp, p, n);
    tmp[n] = 0;
    double v = strtod(tmp, NULL);
    free(tmp);
    return v;
}

/* A JSON integer (no fraction, no exponent) into int64; false on overflow. */
static inline bool number_i64(const char *p, const char *q, int64_t *out)
{
    bool neg = *p == '-';
    if (neg) p++;
    uint64_t v = 0;
    if (q - p > 19) return false;
    for (; p < q; p++) v = v * 10 + (uint64_t)(*p - '0'); /* 19 digits fit uint64 */
    if (neg) {
        if (v > (uint64_t)INT64_MAX + 1) return false;
        *out = (int64_t)(0 - v);
    } else {
        if (v > (uint64_t)INT64_MAX) return false;
        *out = (int64_t)v;
    }
    return true;
}

static bool convert_failed(jparse *jp, int col, const char *at, const char *why)
{
    return fail(jp, at, "field '%s': %s", jp->d->colname[col], why);
}

static bool cell_from_text(jparse *jp, int col, const char *at, const char *s, size_t n,
                           bool borrow)
{
    char why[200];
    if (eddy_cell_parse(&jp->d->fmt[col], s, n, jp->d->opt.iso8601, jp->b, col, jp->row, borrow,
                        why, sizeof why) != 0)
        return convert_failed(jp, col, at, why);
    jp->d->seen[col] = jp->d->gen;
    return true;
}

/* Decodes the value at p into column col; *next = after it. */
static bool decode_leaf(jparse *jp, int col, const char *p, const char **next)
{
    const eddy_cellfmt *f = &jp->d->fmt[col];
    eddy_col *c = &jp->b->cols[col];
    const char *end = jp->end, *bad;
    int row = jp->row;
    char ch = p < end ? *p : 0;

    if (ch == '"') {
        bool esc = false;
        const char *q = scan_string(p + 1, end, &esc, &bad);
        if (!q) return skip_failed(jp, bad);
        *next = q + 1;
        const char *s = p + 1;
        size_t n = (size_t)(q - s);
        if (f->kind == EDDY_CELL_STR) {
            if (!esc) {
                cell_str(jp, col, s, n);
                return true;
            }
            return cell_str_escaped(jp, col, s, n);
        }
        if (f->kind == EDDY_CELL_NESTED) {
            cell_str(jp, col, p, (size_t)(q + 1 - p));
            return true;
        }
        if (!esc && (f->kind == EDDY_CELL_TS || f->kind == EDDY_CELL_TS_LTZ) &&
            eddy_ts_parse(s, n, EDDY_TSP_ANY, &c->v.i64[row]) == 0) {
            cell_mark(jp, col); /* by fixed positions; errors take the general path */
            return true;
        }
        if (!esc) return cell_from_text(jp, col, p, s, n, jp->borrow);
        char small[256];
        char *tmp = n <= sizeof small ? small : eddy_xmalloc(n);
        long len = eddy_json_unescape(s, n, tmp);
        bool ok = len >= 0 ? cell_from_text(jp, col, p, tmp, (size_t)len, false)
                           : fail(jp, p, "invalid escape sequence in a string");
        if (tmp != small) free(tmp);
        return ok;
    }
    if (ch == 'n') {
        if (!is_lit(p, end, "null", 4)) return syntax(jp, p, "a value");
        cell_null(jp, col);
        *next = p + 4;
        return true;
    }
    if (f->kind == EDDY_CELL_INT && ch >= '1' && ch <= '9') {
        /* the common case: a short positive integer, parsed while scanned */
        const char *q = p;
        uint64_t v = 0;
        while (q < end && *q >= '0' && *q <= '9' && q - p < 18) v = v * 10 + (uint64_t)(*q++ - '0');
        if (q >= end || (*q != '.' && *q != 'e' && *q != 'E' && (*q < '0' || *q > '9'))) {
            if ((int64_t)v > f->max) {
                char why[96];
                snprintf(why, sizeof why, "%.*s is out of range of %s", (int)(q - p), p, f->type_name);
                return convert_failed(jp, col, p, why);
            }
            c->v.i64[row] = (int64_t)v;
            cell_mark(jp, col);
            *next = q;
            return true;
        }
    }
    if (ch == '-' || (ch >= '0' && ch <= '9')) {
        bool is_int;
        const char *q = scan_number(p, end, &is_int);
        if (!q) return syntax(jp, p, "a number");
        *next = q;
        switch (f->kind) {
        case EDDY_CELL_INT:
        case EDDY_CELL_INTERVAL:
        case EDDY_CELL_TS:
        case EDDY_CELL_TS_LTZ: {
            int64_t v;
            if (is_int) {
                if (!number_i64(p, q, &v))
                    return convert_failed(jp, col, p, "number out of range of BIGINT");
            } else {
                if (f->kind == EDDY_CELL_TS || f->kind == EDDY_CELL_TS_LTZ)
                    return convert_failed(jp, col, p, "expected a timestamp string");
                double dv = number_double(p, q);
                if (!(dv > -9223372036854775808.0 && dv < 9223372036854775808.0))
                    return convert_failed(jp, col, p, "number out of range of BIGINT");
                v = (int64_t)dv; /* Jackson's asLong truncates */
            }
            /* epoch milliseconds: only the years the timestamp text has (0000..9999), so that
             * what the encoder writes of it reads back */
            if ((f->kind == EDDY_CELL_TS || f->kind == EDDY_CELL_TS_LTZ) &&
                (v < TS_EPOCH_MIN || v > TS_EPOCH_MAX))
                return convert_failed(jp, col, p,
                                      "epoch milliseconds beyond the years 0000 to 9999");
            if (f->kind == EDDY_CELL_INT && (v < f->min || v > f->max)) {
                char why[96];
                snprintf(why, sizeof why, "%.*s is out of range of %s", (int)(q - p), p, f->type_name);
                return convert_failed(jp, col, p, why);
            }
            c->v.i64[row] = v;
            cell_mark(jp, col);
            return true;
        }
        case EDDY_CELL_DOUBLE:
            c->v.f64[row] = number_double(p, q);
            cell_mark(jp, col);
            return true;
        case EDDY_CELL_FLOAT:
            c->v.f64[row] = (double)(float)number_double(p, q);
            cell_mark(jp, col);
            return true;
        case EDDY_CELL_STR:
        case EDDY_CELL_NESTED:
            cell_str(jp, col, p, (size_t)(q - p));
            return true;
        case EDDY_CELL_BOOL:
            c->v.b[row] = 0; /* Boolean.parseBoolean("1") */
            cell_mark(jp, col);
            return true;
        default:
            return cell_from_text(jp, col, p, p, (size_t)(q - p), false);
        }
    }
    if (ch == 't' || ch == 'f') {
        bool t = ch == 't';
        if (!is_lit(p, end, t ? "true" : "false", t ? 4 : 5)) return syntax(jp, p, "a value");
        *next = p + (t ? 4 : 5);
        if (f->kind == EDDY_CELL_BOOL) {
            c->v.b[row] = t;
            cell_mark(jp, col);
            return true;
        }
        if (f->kind == EDDY_CELL_STR || f->kind == EDDY_CELL_NESTED) {
            cell_str(jp, col, p, t ? 4 : 5);
            return true;
        }
        char why[96];
        snprintf(why, sizeof why, "cannot read %s as %s", t ? "true" : "false", f->type_name);
        return convert_failed(jp, col, p, why);
    }
    if (ch == '{' || ch == '[') {
        const char *q = skip_value(p, end, 1, &bad);
        if (!q) return skip_failed(jp, bad);
        *next = q;
        if (f->kind == EDDY_CELL_STR || f->kind == EDDY_CELL_NESTED) {
            cell_str(jp, col, p, (size_t)(q - p));
            return true;
        }
        char why[96];
        snprintf(why, sizeof why, "cannot read an %s as %s", ch == '{' ? "object" : "array",
                 f->type_name);
        return convert_failed(jp, col, p, why);
    }
    return syntax(jp, p, "a value");
}

static bool decode_object(jparse *jp, int node, const char *p, const char **next, int depth);

/* Decodes the value at p for node (a leaf column, an inner node, or both). */
static bool decode_node(jparse *jp, int node, const char *p, const char **next, int depth)
{
    jnode *n = &jp->d->nodes[node];
    if (n->nkids == 0) return decode_leaf(jp, n->col, p, next);
    if (p < jp->end && *p == '{') {
        if (!decode_object(jp, node, p, next, depth + 1)) return false;
        n = &jp->d->nodes[node];
        if (n->col >= 0) cell_str(jp, n->col, p, (size_t)(*next - p));
        return true;
    }
    if (is_lit(p, jp->end, "null", 4)) {
        null_subtree(jp, node);
        *next = p + 4;
        return true;
    }
    const char *bad;
    if (!skip_value(p, jp->end, depth, &bad)) return skip_failed(jp, bad);
    return fail(jp, p, "field '%.*s' is not an object", (int)n->nlen, n->name);
}

/* Short byte strings compare faster inline than through memcmp. */
static inline bool same_bytes(const char *a, const char *b, size_t n)
{
    while (n >= 8) {
        uint64_t x, y;
        memcpy(&x, a, 8);
        memcpy(&y, b, 8);
        if (x != y) return false;
        a += 8;
        b += 8;
        n -= 8;
    }
    while (n--)
        if (*a++ != *b++) return false;
    return true;
}

static inline int match_kid(eddy_json_decoder *d, jnode *n, const char *k, size_t kn)
{
    int h = n->hint;
    if (h < n->nkids) {
        const jnode *c = &d->nodes[n->kids[h]];
        if (c->nlen == kn && same_bytes(c->name, k, kn)) {
            n->hint = h + 1;
            return n->kids[h];
        }
    }
    for (int i = 0; i < n->nkids; i++) {
        const jnode *c = &d->nodes[n->kids[i]];
        if (c->nlen == kn && same_bytes(c->name, k, kn)) {
            n->hint = i + 1;
            return n->kids[i];
        }
    }
    return -1;
}

static bool decode_object(jparse *jp, int node, const char *p, const char **next, int depth)
{
    const char *end = jp->end, *bad;
    if (depth >= MAX_DEPTH) return fail(jp, p, "JSON nested too deeply");
    jp->d->nodes[node].hint = 0;
    p = skip_ws(p + 1, end);
    if (p < end && *p == '}') {
        *next = p + 1;
        return true;
    }
    for (;;) {
        if (p >= end || *p != '"') return syntax(jp, p, "a field name in double quotes");
        bool esc = false;
        const char *q = scan_string(p + 1, end, &esc, &bad);
        if (!q) return skip_failed(jp, bad);
        int kid;
        if (!esc) {
            kid = match_kid(jp->d, &jp->d->nodes[node], p + 1, (size_t)(q - p - 1));
        } else {
            char small[256];
            size_t n = (size_t)(q - p - 1);
            char *tmp = n <= sizeof small ? small : eddy_xmalloc(n);
            long len = eddy_json_unescape(p + 1, n, tmp);
            kid = len < 0 ? -1 : match_kid(jp->d, &jp->d->nodes[node], tmp, (size_t)len);
            if (tmp != small) free(tmp);
        }
        p = q + 1;
        if (p >= end || *p != ':') {
            p = skip_ws(p, end);
            if (p >= end || *p != ':') return syntax(jp, p, "':' after a field name");
        }
        p = skip_ws(p + 1, end);
        if (kid >= 0) {
            if (!decode_node(jp, kid, p, &p, depth)) return false;
        } else {
            const char *v = skip_value(p, end, depth, &bad);
            if (!v) {
                if (bad == p) return syntax(jp, p, "a value");
                return skip_failed(jp, bad);
            }
            p = v;
        }
        if (p < end && *p == ',') {
            p = skip_ws(p + 1, end);
            continue;
        }
        p = skip_ws(p, end);
        if (p < end && *p == ',') {
            p = skip_ws(p + 1, end);
            continue;
        }
        if (p < end && *p == '}') {
            *next = p + 1;
            return true;
        }
        return syntax(jp, p, "',' or '}'");
    }
}

int eddy_json_decode(eddy_json_decoder *d, const char *p, size_t n, eddy_batch *b, bool borrow)
{
    jparse jp = {d, p, p + n, b, b->n, borrow};
    d->err[0] = 0;
    if (++d->gen == 0) {
        memset(d->seen, 0, (size_t)d->ncols * sizeof *d->seen);
        d->gen = 1;
    }
    const char *s = skip_ws(p, jp.end);
    if (s >= jp.end || *s != '{') {
        syntax(&jp, s, "a JSON object");
        return EDDY_EDATA;
    }
    const char *after;
    if (!decode_object(&jp, 0, s, &after, 0)) return EDDY_EDATA;
    after = skip_ws(after, jp.end);
    if (after < jp.end) {
        fail(&jp, after, "unexpected text after the JSON object");
        return EDDY_EDATA;
    }
    for (int c = 0; c < d->ncols; c++) {
        int src = d->dup_of[c];
        if (src >= 0) {
            eddy_col *to = &b->cols[c], *from = &b->cols[src];
            if (from->nulls && from->nulls[jp.row]) {
                eddy_col_nulls(b, c)[jp.row] = 1;
            } else {
                memcpy((char *)to->v.ptr + (size_t)jp.row * eddy_phys_size(to->phys),
                       (char *)from->v.ptr + (size_t)jp.row * eddy_phys_size(from->phys),
                       eddy_phys_size(to->phys));
                if (to->nulls) to->nulls[jp.row] = 0;
            }
            continue;
        }
        if (d->seen[c] == d->gen) continue;
        if (d->opt.fail_on_missing) {
            fail(&jp, jp.end, "field '%s' is missing", d->colname[c]);
            return EDDY_EDATA;
        }
        eddy_col_nulls(b, c)[jp.row] = 1;
    }
    b->n++;
    return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Encoder                                                                                  */

struct eddy_json_encoder {
    int ncols;
    int *cols;              /* batch column of each member */
    char **keys;            /* "\"name\":" per member */
    size_t *keylen;
    eddy_cellfmt *fmt;
    eddy_json_options opt;
};

void eddy_json_put_string(eddy_strbuf *out, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    eddy_strbuf_putc(out, '"');
    const char *run = s, *end = s + n;
    for (const char *p = s; p < end; p++) {
        unsigned char c = (unsigned char)*p;
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        eddy_strbuf_append(out, run, (size_t)(p - run));
        run = p + 1;
        char esc[7] = {'\\', 0};
        size_t en = 2;
        switch (c) {
        case '"': esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        case '\b': esc[1] = 'b'; break;
        case '\f': esc[1] = 'f'; break;
        default:
            esc[1] = 'u';
            esc[2] = '0';
            esc[3] = '0';
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            en = 6;
        }
        eddy_strbuf_append(out, esc, en);
    }
    eddy_strbuf_append(out, run, (size_t)(end - run));
    eddy_strbuf_putc(out, '"');
}

eddy_json_encoder *eddy_json_encoder_new(const eddy_schema *schema, const int *cols, int ncols,
                                         const eddy_json_options *opt)
{
    eddy_json_encoder *e = eddy_xcalloc(1, sizeof *e);
    if (opt) e->opt = *opt;
    if (!cols) ncols = schema->n;
    e->ncols = ncols;
    size_t n = (size_t)(ncols ? ncols : 1);
    e->cols = eddy_xcalloc(n, sizeof(int));
    e->keys = eddy_xcalloc(n, sizeof(char *));
    e->keylen = eddy_xcalloc(n, sizeof(size_t));
    e->fmt = eddy_xcalloc(n, sizeof(eddy_cellfmt));
    for (int i = 0; i < ncols; i++) {
        int c = cols ? cols[i] : i;
        e->cols[i] = c;
        eddy_cellfmt_init(&e->fmt[i], schema->fields[c].type);
        eddy_strbuf k = {0};
        eddy_json_put_string(&k, schema->fields[c].name, strlen(schema->fields[c].name));
        eddy_strbuf_putc(&k, ':');
        e->keylen[i] = k.n;
        e->keys[i] = eddy_strbuf_take(&k);
    }
    return e;
}

void eddy_json_encoder_free(eddy_json_encoder *e)
{
    if (!e) return;
    for (int i = 0; i < e->ncols; i++) free(e->keys[i]);
    free(e->keys);
    free(e->keylen);
    free(e->cols);
    free(e->fmt);
    free(e);
}

static void put_i64(eddy_strbuf *out, int64_t v)
{
    char buf[24], *p = buf + sizeof buf;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0) *--p = '-';
    eddy_strbuf_append(out, p, (size_t)(buf + sizeof buf - p));
}

void eddy_json_encode_row(const eddy_json_encoder *e, const eddy_batch *b, int row,
                          const char *first, eddy_strbuf *out)
{
    eddy_strbuf_putc(out, '{');
    bool sep = false;
    if (first) {
        eddy_strbuf_puts(out, first);
        sep = true;
    }
    eddy_text_style style = e->opt.iso8601 ? EDDY_TEXT_ISO : EDDY_TEXT_SQL;
    for (int i = 0; i < e->ncols; i++) {
        const eddy_col *c = &b->cols[e->cols[i]];
        const eddy_cellfmt *f = &e->fmt[i];
        bool null = c->nulls && c->nulls[row];
        if (null && e->opt.ignore_null_fields) continue;
        if (sep) eddy_strbuf_putc(out, ',');
        sep = true;
        eddy_strbuf_append(out, e->keys[i], e->keylen[i]);
        if (null) {
            eddy_strbuf_append(out, "null", 4);
            continue;
        }
        switch (f->kind) {
        case EDDY_CELL_INT:
        case EDDY_CELL_INTERVAL:
            put_i64(out, c->v.i64[row]);
            break;
        case EDDY_CELL_BOOL:
            if (c->v.b[row])
                eddy_strbuf_append(out, "true", 4);
            else
                eddy_strbuf_append(out, "false", 5);
            break;
        case EDDY_CELL_DOUBLE:
        case EDDY_CELL_FLOAT: {
            char buf[40];
            double v = c->v.f64[row];
            size_t n = f->kind == EDDY_CELL_FLOAT ? eddy_format_float((float)v, buf)
                                                  : eddy_format_double(v, buf);
            if (isfinite(v)) {
                eddy_strbuf_append(out, buf, n);
            } else {
                eddy_strbuf_putc(out, '"');
                eddy_strbuf_append(out, buf, n);
                eddy_strbuf_putc(out, '"');
            }
            break;
        }
        case EDDY_CELL_DEC: {
            char buf[80];
            size_t n = e->opt.decimal_plain ? eddy_dec_format(c->v.dec[row], f->scale, buf)
                                            : eddy_text_decimal(c->v.dec[row], f->scale, buf);
            eddy_strbuf_append(out, buf, n);
            break;
        }
        case EDDY_CELL_STR:
            eddy_json_put_string(out, c->v.str[row].p, c->v.str[row].n);
            break;
        case EDDY_CELL_NESTED:
            if (c->v.str[row].n)
                eddy_strbuf_append(out, c->v.str[row].p, c->v.str[row].n);
            else
                eddy_strbuf_append(out, "null", 4);
            break;
        default:
            /* dates, times, timestamps, base64: text that never needs escaping */
            eddy_strbuf_putc(out, '"');
            eddy_cell_format(f, c, row, style, out);
            eddy_strbuf_putc(out, '"');
            break;
        }
    }
    eddy_strbuf_putc(out, '}');
}
