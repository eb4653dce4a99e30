/*
 * fn_string.c: string functions, LIKE / SIMILAR TO and the regular-expression functions (node
 * model in fn.h).
 *
 * Semantics follow Flink's SqlFunctionUtils / BinaryStringDataUtil; strings are UTF-8 and
 * "characters" are code points (Flink counts UTF-16 units, which differ only for characters
 * outside the BMP). Results that are a piece of an operand (SUBSTRING, TRIM, LEFT, RIGHT,
 * SPLIT_INDEX, REGEXP_EXTRACT, JSON_VALUE of an unescaped string) point into the operand: no
 * copy. New strings are built in the caller's arena through a bump builder.
 *
 * Notes on Flink compatibility:
 *   - UPPER/LOWER map ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic letters; other
 *     scripts stay as they are, and one-to-many mappings (German sharp s to "SS") are not done.
 *   - LIKE: '%' any run, '_' one character; the escape character is '\' unless ESCAPE names
 *     another. Constant patterns are compiled once with fast paths for 'abc', 'abc%', '%abc',
 *     '%abc%'. SIMILAR TO is translated to an anchored PCRE2 expression.
 *   - Regular expressions are PCRE2 (JIT-compiled when available) in UTF mode that tolerates
 *     invalid UTF-8. Java's syntax is close enough for common patterns; differences: no
 *     character-class intersection ([a-z&&[^aeiou]]), no \p{javaLowerCase}-style classes, and
 *     PCRE2's own extensions are accepted. A constant pattern that does not compile is an
 *     error when the query starts; a pattern from data that does not compile gives NULL.
 *   - REGEXP_EXTRACT's group index defaults to 0 (the whole match), as Flink's
 *     regexpExtract(str, regex) does; a group that did not take part in the match is NULL.
 *   - REGEXP_REPLACE follows Java's replaceAll: $n and ${n} in the replacement name groups,
 *     '\' quotes the next character, empty matches insert between characters.
 *   - HASH_CODE of a string is Java's String.hashCode over its UTF-16 units; of numbers
 *     Long/Integer/Double/Boolean.hashCode.
 *   - JSON_VALUE supports paths of member names and array indexes ($.a.b, $.a[0], $['a b']);
 *     it returns a scalar's text (strings unescaped) and NULL for null, objects, arrays,
 *     missing members and malformed JSON (Flink's NULL ON EMPTY / NULL ON ERROR defaults).
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/hash.h"
#include "cast.h"
#include "fn.h"

/* ---------------------------------------------------------------------------------------- */
/* Helpers                                                                                    */

/* Bump allocation of result bytes in the caller's arena, in blocks. */
typedef struct sbuild {
    xeval *ev;
    char *p;       /* next free byte */
    size_t left;   /* bytes left in the block */
} sbuild;

static char *sb_reserve(sbuild *b, size_t n)
{
    if (n > b->left) {
        size_t sz = n > 16384 ? n : 16384;
        b->p = xn_stralloc(b->ev, sz);
        b->left = sz;
    }
    return b->p;
}

static void sb_commit(sbuild *b, size_t n)
{
    b->p += n;
    b->left -= n;
}

static eddy_str sb_copy(sbuild *b, const char *s, size_t n)
{
    char *d = sb_reserve(b, n);
    if (n) memcpy(d, s, n);
    sb_commit(b, n);
    return (eddy_str){d, (uint32_t)n};
}

static inline eddy_str sarg(const xnode *k, int i)
{
    return k->out.v.str[i];
}

static inline int64_t iarg(const xnode *k, int i)
{
    return k->out.v.i64[i];
}

static inline bool rownull(const uint8_t *nu, int i)
{
    return nu && nu[i];
}

/* Length in bytes of the UTF-8 character starting with byte c (1 for invalid bytes). */
static inline size_t u8len(unsigned char c)
{
    if (c < 0xC0) return 1;
    if (c < 0xE0) return 2;
    if (c < 0xF0) return 3;
    return 4;
}

/* Decodes one code point at s[*i] (advancing *i); invalid bytes decode as themselves. */
static uint32_t u8next(const char *s, size_t n, size_t *i)
{
    unsigned char c = (unsigned char)s[*i];
    size_t l = u8len(c);
    if (l == 1 || *i + l > n) {
        (*i)++;
        return c;
    }
    uint32_t cp = c & (l == 2 ? 0x1F : l == 3 ? 0x0F : 0x07);
    for (size_t k = 1; k < l; k++) {
        unsigned char d = (unsigned char)s[*i + k];
        if ((d & 0xC0) != 0x80) {
            (*i)++;
            return c;
        }
        cp = (cp << 6) | (d & 0x3F);
    }
    *i += l;
    return cp;
}

static const eddy_sqltype *varchar_type(xcomp *c)
{
    return xc_type(c, EDDY_TYPE_VARCHAR, -1, -1);
}

/* Casts operands that are not strings to VARCHAR. */
static int want_str(xcomp *c, xnode *n, int k)
{
    if (n->kid[k]->phys == EDDY_PHYS_STR) return 0;
    n->kid[k] = xc_coerce(c, n->kid[k], varchar_type(c));
    return n->kid[k] ? 0 : c->err->code;
}

/* Makes an operand an integer (BIGINT range). */
static int want_int(xcomp *c, xnode *n, int k)
{
    const eddy_sqltype *t = n->kid[k]->type;
    if (n->kid[k]->phys == EDDY_PHYS_I64 &&
        (t->kind == EDDY_TYPE_TINYINT || t->kind == EDDY_TYPE_SMALLINT || t->kind == EDDY_TYPE_INT ||
         t->kind == EDDY_TYPE_BIGINT || t->kind == EDDY_TYPE_NULL))
        return 0;
    n->kid[k] = xc_coerce(c, n->kid[k], xc_type(c, EDDY_TYPE_BIGINT, -1, -1));
    return n->kid[k] ? 0 : c->err->code;
}

static bool kconst(const xnode *k)
{
    return k->is_const && !k->volatile_const;
}

/* Result arrays for a string kernel whose result is NULL when any operand is. */
static eddy_str *str_out(xnode *n, xeval *ev, const xsel *s, const uint8_t **nu)
{
    eddy_str *r = xn_vals(n, ev);
    *nu = xn_nulls_or_all(n, ev, s);
    return r;
}

/* ---------------------------------------------------------------------------------------- */
/* CONCAT, CONCAT_WS                                                                          */

static int concat_run(xnode *n, xeval *ev, const xsel *s)
{
    const uint8_t *nu;
    eddy_str *r = str_out(n, ev, s, &nu);
    size_t total = 0;
    XLOOP(s, ev->n, i, {
        if (rownull(nu, i)) continue;
        for (int k = 0; k < n->nkid; k++) total += n->kid[k]->out.v.str[i].n;
    });
    char *d = xn_stralloc(ev, total);
    XLOOP(s, ev->n, i, {
        if (rownull(nu, i)) {
            r[i] = (eddy_str){xn_empty, 0};
            continue;
        }
        char *st = d;
        for (int k = 0; k < n->nkid; k++) {
            eddy_str a = n->kid[k]->out.v.str[i];
            if (a.n) memcpy(d, a.p, a.n);
            d += a.n;
        }
        r[i] = (eddy_str){st, (uint32_t)(d - st)};
    });
    return 0;
}

static int concat_ws_run(xnode *n, xeval *ev, const xsel *s)
{
    eddy_str *r = xn_vals(n, ev);
    const uint8_t *sn = n->kid[0]->out.nulls;
    n->out.nulls = sn ? xn_nulls_own(n, ev, s, sn) : NULL;
    sbuild b = {ev, NULL, 0};
    XLOOP(s, ev->n, i, {
        if (rownull(sn, i)) {
            r[i] = (eddy_str){xn_empty, 0};
            continue;
        }
        eddy_str sep = sarg(n->kid[0], i);
        size_t len = 0;
        int cnt = 0;
        for (int k = 1; k < n->nkid; k++) {
            if (xn_isnull(n->kid[k], i)) continue;
            len += n->kid[k]->out.v.str[i].n;
            cnt++;
        }
        if (cnt > 1) len += (size_t)(cnt - 1) * sep.n;
        char *d = sb_reserve(&b, len), *st = d;
        bool first = true;
        for (int k = 1; k < n->nkid; k++) {
            if (xn_isnull(n->kid[k], i)) continue;
            if (!first && sep.n) {
                memcpy(d, sep.p, sep.n);
                d += sep.n;
            }
            first = false;
            eddy_str a = n->kid[k]->out.v.str[i];
            if (a.n) memcpy(d, a.p, a.n);
            d += a.n;
        }
        sb_commit(&b, len);
        r[i] = (eddy_str){st, (uint32_t)len};
    });
    return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* SUBSTRING, LEFT, RIGHT, TRIM, CHAR_LENGTH, REVERSE, REPEAT, LPAD/RPAD, INITCAP             */

/* Flink's substringSQL: pos 1-based; pos < 0 counts from the end; pos 0 is 1; a start past
 * the end (or before the start) gives ''; negative length gives NULL. */
static int substring_run(xnode *n, xeval *ev, const xsel *s)
{
    const uint8_t *nu;
    eddy_str *r = str_out(n, ev, s, &nu);
    const bool has_len = n->nkid > 2;
    uint8_t *own = NULL;
    XLOOP(s, ev->n, i, {
        if (rownull(nu, i)) {
            r[i] = (eddy_str){xn_empty, 0};
            continue;
        }
        eddy_str v = sarg(n->kid[0], i);
        int64_t pos = iarg(n->kid[1], i);
        int64_t len = has_len ? iarg(n->kid[2], i) : INT64_MAX;
        if (len < 0) {
            if (!own) own = xn_nulls_own(n, ev, s, nu);
            own[i] = 1;
            r[i] = (eddy_str){xn_empty, 0};
            continue;
        }
        int64_t nchars = (int64_t)xn_utf8_len(v.p, v.n);
        int64_t start;
        if (pos > 0) start = pos - 1;
        else if (pos < 0) start = nchars + pos;
        else start = 0;
        if (start < 0 || start >= nchars) {
            r[i] = (eddy_str){xn_empty, 0};
            continue;
        }
        int64_t end = (nchars - start) < len ? nchars : start + len;
        size_t b0 = xn_utf8_offset(v.p, v.n, (size_t)start);
        size_t b1 = end >= nchars ? v.n : b0 + xn_utf8_offset(v.p + b0, v.n - b0, (size_t)(end - start));
        r[i] = (eddy_str){v.p + b0, (uint32_t)(b1 - b0)};
    });
    return 0;
}

static int left_right_run(xnode *n, xeval *ev, const xsel *s)
{
    const uint8_t *nu;
    eddy_str *r = str_out(n, ev, s, &nu);
    const bool right = n->iparam[0];
    XLOOP(s, ev->n, i, {
        if (rownull(nu, i)) {
            r[i] = (eddy_str){xn_empty, 0};
            continue;
        }
        eddy_str v = sarg(n->kid[0], i);
        int64_t k = iarg(n->kid[1], i);
        if (k <= 0) {
            r[i] = (eddy_str){xn_empty, 0};
            continue;
        }
        size_t nchars = xn_utf8_len(v.p, v.n);
        if ((uint64_t)k >= nchars) {
            r[i] = v;
            continue;
        }
        if (!right) r[i] = (eddy_str){v.p, (uint32_t)xn_utf8_offset(v.p, v.n, (size_t)k)};
        else {
            size_t b0 = xn_utf8_offset(v.p, v.n, nchars - (size_t)k);
            r[i] = (eddy_str){v.p + b0, (uint32_t)(v.n - b0)};
        }
    });
    return 0;
}

/* TRIM / LTRIM / RTRIM: iparam[0] bit 1 = leading, bit 2 = trailing. Characters to remove:
 * the second operand's characters, or ' '. */
static bool in_charset(uint32_t cp, eddy_str set)
{
    size_t j = 0;
    while (j < set.n)
        if (u8next(set.p, set.n, &j) == cp) return true;
    return false;
}

static int trim_run(xnode *n, xeval *ev, const xsel *s)
{
    const uint8_t *nu;
    eddy_str *r = str_out(n, ev, s, &nu);
    const bool lead = n->iparam[0] & 1, trail = n->iparam[0] & 2;
    const bool has_set = n->nkid > 1;
    XLOOP(s, ev->n, i, {
        if (rownull(nu, i)) {
            r[i] = (eddy_str){xn_empty, 0};
            continue;
        }
        eddy_str v = sarg(n->kid[0], i);
        size_t a = 0, b = v.n;
        if (!has_set) {
            if (lead)
                while (a < b && v.p[a] == ' ') a++;
            if (trail)
                while (b > a && v.p[b - 1] == ' ') b--;
        } else {
            eddy_str set = sarg(n->kid[1], i);
            if (lead) {
                while (a < b) {
                    size_t j = a;
                    uint32_t cp = u8next(v.p, b, &j);
                    if (!in_charset(cp, set)) break;
                    a = j;
                }
            }
            if (trail) {
                while (b > a) {
                    size_t st = b - 1;
                    while (st > a && ((unsigned char)v.p[st] & 0xC0) == 0x80) st--;
                    size_t j = st;
                    uint32_t cp = u8next(v.p, b, &j);
                    if (!in_charset(cp, set)) break;
                    b = st;
                }
            }
        }
        r[i] = (eddy_str){v.p + a, (uint32_t)(b - a)};
    });
    return 0;
}

static int char_length_run(xnode *n, xeval *ev, const xsel *s)
{
    int64_t *r = xn_vals(n, ev);
    const uint8_t *nu = xn_nulls_or(n, ev, s, n->kid[0], NULL);
    const eddy_str *v = n->kid[0]->out.v.str;
    XLOOP(s, ev->n, i, { r[i] = rownull(nu, i) ? 0 : (int64_t)xn_utf8_len(v[i].p, v[i].n); });
    return 0;
}

static int reverse_run(xnode *n, xeval *ev, const xsel *s)
{
    const uint8_t *nu;
    eddy_str *r = str_out(n, ev, s, &nu);
    sbuild b = {ev, NULL, 0};
    XLOOP(s, ev->n, i, {
        if (rownull(nu, i)) {
            r[i] = (eddy_str){xn_empty, 0};
            continue;
        }
        eddy_str v = sarg(n->kid[0], i);
        char *d = sb_reserve(&b, v.n);
        size_t j = 0;
        while (j < v.n) {
            size_t l = u8len((unsigned char)v.p[j]);
            if (j + l > v.n) l = v.n - j;
            memcpy(d + v.n - j - l, v.p + j, l);
            j += l;
        }
        sb_commit(&b, v.n);
        r[i] = (eddy_str){d, v.n};
    });
    return 0;
}

static int repeat_run(xnode *n, xeval *ev, const xsel *s)
{
    const uint8_t *nu;
    eddy_str *r = str_out(n, ev, s, &nu);
    sbuild b = {ev, NULL, 0};
    XLOOP(s, ev->n, i, {
        if (rownull(nu, i)) {
            r[i] = (eddy_str){xn_empty, 0};
            continue;
        }
        eddy_str v = sarg(n->kid[0], i);
        int64_t k = iarg(n->kid[1], i);
        if (k <= 0 || v.n == 0) {
            r[i] = (eddy_str){xn_empty, 0};
            continue;
        }
        if ((uint64_t)k * v.n > (1u << 30)) return xn_error(n, ev, EDDY_ERUNTIME, "REPEAT result too long");
        size_t len = (size_t)k * v.n;
        char *d = sb_reserve(&b, len);
        for (int64_t j = 0; j < k; j++) memcpy(d + (size_t)j * v.n, v.p, v.n);
        sb_commit(&b, len);
        r[i] = (eddy_str){d, (uint32_t)len};
    });
    return 0;
}

/* LPAD / RPAD (Flink): NULL for a negative length or an empty pad; the result has exactly len
 * characters (the string is cut when longer). iparam[0]: 1 = RPAD. */
static int pad_run(xnode *n, xeval *ev, const xsel *s)
{
    const uint8_t *nu;
    eddy_str *r = str_out(n, ev, s, &nu);
    const bool right = n->iparam[0];
    uint8_t *own = NULL;
    sbuild b = {ev, NULL, 0};
    XLOOP(s, ev->n, i, {
        if (rownull(nu, i)) {
            r[i] = (eddy_str){xn_empty, 0};
            continue;
        }
        eddy_str v = sarg(n->kid[0], i), pad = sarg(n->kid[2], i);
        int64_t len = iarg(n->kid[1], i);
        if (len < 0 || pad.n == 0) {
            if (!own) own = xn_nulls_own(n, ev, s, nu);
            own[i] = 1;
            r[i] = (eddy_str){xn_empty, 0};
            continue;
        }
        if (len > (1 << 28)) return xn_error(n, ev, EDDY_ERUNTIME, "%s length too large", right ? "RPAD" : "LPAD");
        size_t vch = xn_utf8_len(v.p, v.n), pch = xn_utf8_len(pad.p, pad.n);
        if ((size_t)len <= vch) {
            r[i] = (eddy_str){v.p, (uint32_t)xn_utf8_offset(v.p, v.n, (size_t)len)};
            continue;
        }
        size_t need = (size_t)len - vch; /* characters of padding */
        size_t full = need / pch, rest = need % pch;
        size_t restb = xn_utf8_offset(pad.p, pad.n, rest);
        size_t bytes = v.n + full * pad.n + restb;
        char *d = sb_reserve(&b, bytes), *p = d;
        if (right) {
            memcpy(p, v.p, v.n);
            p += v.n;
        }
        for (size_t j = 0; j < full; j++) {
            memcpy(p, pad.p, pad.n);
            p += pad.n;
        }
        memcpy(p, pad.p, restb);
        p += restb;
        if (!right) {
            memcpy(p, v.p, v.n);
            p += v.n;
        }
        sb_commit(&b, bytes);
        r[i] = (eddy_str){d, (uint32_t)bytes};
    });
    return 0;
}

/* Calcite's initcap: ASCII letters and digits form words; the first letter of a word goes to
 * upper case, the others to lower case. */
static int initcap_run(xnode *n, xeval *ev, const xsel *s)
{
    const uint8_t *nu;
    eddy_str *r = str_out(n, ev, s, &nu);
    sbuild b = {ev, NULL, 0};
    XLOOP(s, ev->n, i, {
        if (rownull(nu, i)) {
            r[i] = (eddy_str){xn_empty, 0};
            continue;
        }
        eddy_str v = sarg(n->kid[0], i);
        char *d = sb_reserve(&b, v.n);
        bool start = true;
        for (uint32_t j = 0; j < v.n; j++) {
            unsigned char ch = (unsigned char)v.p[j];
            bool digit = ch >= '0' && ch <= '9', up = ch >= 'A' && ch <= 'Z', lo = ch >= 'a' && ch <= 'z';
            if (start) {
                if (lo) ch = (unsigned char)(ch - 32);
                if (digit || up || lo) start = false;
            } else {
                if (up) ch = (unsigned char)(ch + 32);
                else if (!digit && !lo) start = true;
            }
            d[j] = (char)ch;
        }
        sb_commit(&b, v.n);
        r[i] = (eddy_str){d, v.n};
    });
    return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* UPPER / LOWER                                                                              */

static uint32_t cp_lower(uint32_t c)
{
    if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return c + 0x20;
    if (c >= 0x100 && c <= 0x17F) {
        if ((c >= 0x100 && c <= 0x137) || (c >= 0x14A && c <= 0x177)) return (c & 1) ? c : c + 1;
        if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E)) return (c & 1) ? c + 1 : c;
        if (c == 0x178) return 0xFF;
        return c;
    }
    if (c >= 0x391 && c <= 0x3A9 && c != 0x3A2) return c + 0x20;
    if (c >= 0x410 && c <= 0x42F) return c + 0x20;
    if (c >= 0x400 && c <= 0x40F) return c + 0x50;
    return c;
}

static uint32_t cp_upper(uint32_t c)
{
    if (c >= 0xE0 && c <= 0xFE && c != 0xF7) return c - 0x20;
    if (c == 0xFF) return 0x178;
    if (c >= 0x100 && c <= 0x17F) {
        if ((c >= 0x100 && c <= 0x137) || (c >= 0x14A && c <= 0x177)) return (c & 1) ? c - 1 : c;
        if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E)) return (c & 1) ? c : c - 1;
        return c;
    }
    if (c >= 0x3B1 && c <= 0x3C9 && c != 0x3C2) return c - 0x20;
    if (c >= 0x430 && c <= 0x44F) return c - 0x20;
    if (c >= 0x450 && c <= 0x45F) return c - 0x50;
    return c;
}

/* ASCII case mapping of 8 bytes at once (all bytes < 0x80): the high bit of v + (0x80 - lo)
 * is set for bytes >= lo, so (>= 'A') and not (> 'Z') marks the letters, whose 0x20 bit flips. */
static inline uint64_t swar_lower(uint64_t v)
{
    uint64_t m = (v + 0x3f3f3f3f3f3f3f3fULL) & ~(v + 0x2525252525252525ULL) & 0x8080808080808080ULL;
    return v | (m >> 2);
}

static inline uint64_t swar_upper(uint64_t v)
{
    uint64_t m = (v + 0x1f1f1f1f1f1f1f1fULL) & ~(v + 0x0505050505050505ULL) & 0x8080808080808080ULL;
    return v & ~(m >> 2);
}

static int case_run_str(xnode *n, xeval *ev, const xsel *s)
{
    const uint8_t *nu;
    eddy_str *r = str_out(n, ev, s, &nu);
    const bool upper = n->iparam[0];
    const eddy_str *in = n->kid[0]->out.v.str;
    size_t total = 0;
    XLOOP(s, ev->n, i, { total += rownull(nu, i) ? 0 : in[i].n; });
    char *d = xn_stralloc(ev, total);
    XLOOP(s, ev->n, i, {
        if (rownull(nu, i)) {
            r[i] = (eddy_str){xn_empty, 0};
            continue;
        }
        eddy_str v = in[i];
        const unsigned char *p = (const unsigned char *)v.p;
        unsigned char hi = 0;
        uint32_t j0 = 0;
        for (; j0 + 8 <= v.n; j0 += 8) {
            uint64_t w;
            memcpy(&w, p + j0, 8);
            if (w & 0x8080808080808080ULL) {
                hi = 0x80;
                break;
            }
            w = upper ? swar_upper(w) : swar_lower(w);
            memcpy(d + j0, &w, 8);
        }
        if (!hi && j0 < v.n && v.n >= 8) {
            /* the tail as the last 8 bytes (mapping a byte twice gives the same byte) */
            uint64_t w;
            memcpy(&w, p + v.n - 8, 8);
            if (!(w & 0x8080808080808080ULL)) {
                w = upper ? swar_upper(w) : swar_lower(w);
                memcpy(d + v.n - 8, &w, 8);
                j0 = v.n;
            }
        }
        if (upper)
            for (uint32_t j = j0; j < v.n; j++) {
                unsigned char ch = p[j];
                hi |= ch;
                d[j] = (char)(ch - ((ch >= 'a' && ch <= 'z') << 5));
            }
        else
            for (uint32_t j = j0; j < v.n; j++) {
                unsigned char ch = p[j];
                hi |= ch;
                d[j] = (char)(ch + ((ch >= 'A' && ch <= 'Z') << 5));
            }
        if (hi & 0x80) {
            /* two-byte letters: map code points, keeping the length */
            size_t j = 0;
            while (j < v.n) {
                unsigned char ch = p[j];
                if (ch >= 0xC2 && ch < 0xE0 && j + 1 < v.n && (p[j + 1] & 0xC0) == 0x80) {
                    uint32_t cp = ((uint32_t)(ch & 0x1F) << 6) | (p[j + 1] & 0x3F);
                    uint32_t m = upper ? cp_upper(cp) : cp_lower(cp);
                    if (m >= 0x80 && m < 0x800) {
                        d[j] = (char)(0xC0 | (m >> 6));
                        d[j + 1] = (char)(0x80 | (m & 0x3F));
                    }
                    j += 2;
                } else {
                    j += ch < 0x80 ? 1 : u8len(ch);
                }
            }
        }
        r[i] = (eddy_str){d, v.n};
        d += v.n;
    });
    return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* REPLACE, POSITION, LOCATE, SPLIT_INDEX                                                    */

/* memmem for the short strings of rows: candidates are positions where both the needle's first
 * and last byte match (16 at a time with SSE2), checked with memcmp. glibc's memmem sets up a
 * two-way search per call, which costs more than the whole search in a 100-byte URL. */
static const char *find_bytes(const char *h, size_t hn, const char *nd, size_t nn)
{
    if (nn == 0) return h;
    if (nn > hn) return NULL;
    if (nn == 1) return memchr(h, nd[0], hn);
    const size_t last = hn - nn; /* the last possible start */
    size_t i = 0;
#if defined(__SSE2__)
    const __m128i f = _mm_set1_epi8(nd[0]), l = _mm_set1_epi8(nd[nn - 1]);
    for (; i + 16 <= last + 1; i += 16) {
        __m128i a = _mm_loadu_si128((const __m128i *)(h + i));
        __m128i b = _mm_loadu_si128((const __m128i *)(h + i + nn - 1));
        unsigned m = (unsigned)_mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(a, f), _mm_cmpeq_epi8(b, l)));
        while (m) {
            size_t k = i + (size_t)__builtin_ctz(m);
            if (memcmp(h + k + 1, nd + 1, nn - 2) == 0) return h + k;
            m &= m - 1;
        }
    }
    if (i <= last && last + 1 >= 16) {
        /* the rest as one last block overlapping the previous ones (which held no match) */
        i = last + 1 - 16;
        __m128i a = _mm_loadu_si128((const __m128i *)(h + i));
        __m128i b = _mm_loadu_si128((const __m128i *)(h + i + nn - 1));
        unsigned m = (unsigned)_mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(a, f), _mm_cmpeq_epi8(b, l)));
        while (m) {
            size_t k = i + (size_t)__builtin_ctz(m);
            if (memcmp(h + k + 1, nd + 1, nn - 2) == 0) return h + k;
            m &= m - 1;
        }
        return NULL;
    }
#endif
    for (; i <= last; i++)
        if (h[i] == nd[0] && h[i + nn - 1] == nd[nn - 1] && memcmp(h + i + 1, nd + 1, nn - 2) == 0) return h + i;
    return NULL;
}

/* Java's String.replace(target, replacement): every occurrence, left to right; an empty
 * target inserts the replacement between characters and at both ends. */
static int replace_run(xnode *n, xeval *ev, const xsel *s)
{
    const uint8_t *nu;
    eddy_str *r = str_out(n, ev, s, &nu);
    sbuild b = {ev, NULL, 0};
    XLOOP(s, ev->n, i, {
        if (rownull(nu, i)) {
            r[i] = (eddy_str){xn_empty, 0};
            continue;
        }
        eddy_str v = sarg(n->kid[0], i), f = sarg(n->kid[1], i), t = sarg(n->kid[2], i);
        if (f.n == 0) {
            size_t nch = xn_utf8_len(v.p, v.n);
            size_t len = v.n + (nch + 1) * t.n;
            char *d = sb_reserve(&b, len), *p = d;
            size_t j = 0;
            memcpy(p, t.p, t.n);
            p += t.n;
            while (j < v.n) {
                size_t l = u8len((unsigned char)v.p[j]);
                if (j + l > v.n) l = v.n - j;
                memcpy(p, v.p + j, l);
                p += l;
                j += l;
                memcpy(p, t.p, t.n);
                p += t.n;
            }
            sb_commit(&b, len);
            r[i] = (eddy_str){d, (uint32_t)len};
            continue;
        }
        /* count, then write */
        size_t cnt = 0;
        const char *q = v.p, *end = v.p + v.n;
        while ((q = find_bytes(q, (size_t)(end - q), f.p, f.n)) != NULL) {
            cnt++;
            q += f.n;
        }
        if (cnt == 0) {
            r[i] = v;
            continue;
        }
        size_t len = v.n - cnt * f.n + cnt * t.n;
        char *d = sb_reserve(&b, len), *p = d;
        q = v.p;
        const char *m;
        while ((m = find_bytes(q, (size_t)(end - q), f.p, f.n)) != NULL) {
            memcpy(p, q, (size_t)(m - q));
            p += m - q;
            memcpy(p, t.p, t.n);
            p += t.n;
            q = m + f.n;
        }
        memcpy(p, q, (size_t)(end - q));
        sb_commit(&b, len);
        r[i] = (eddy_str){d, (uint32_t)len};
    });
    return 0;
}

/* POSITION(needle IN s) and LOCATE(needle, s [, start]): 1-based character position, 0 when
 * absent; an empty needle is found at the start position. LOCATE with start < 1 gives 0. */
static int locate_run(xnode *n, xeval *ev, const xsel *s)
{
    int64_t *r = xn_vals(n, ev);
    const uint8_t *nu = xn_nulls_or_all(n, ev, s);
    const bool has_start = n->nkid > 2;
    XLOOP(s, ev->n, i, {
        if (rownull(nu, i)) {
            r[i] = 0;
            continue;
        }
        eddy_str nd = sarg(n->kid[0], i), h = sarg(n->kid[1], i);
        int64_t start = has_start ? iarg(n->kid[2], i) : 1;
        if (start < 1) {
            r[i] = 0;
            continue;
        }
        size_t b0 = xn_utf8_offset(h.p, h.n, (size_t)(start - 1));
        if (b0 >= h.n && !(b0 == h.n && nd.n == 0 && xn_utf8_len(h.p, h.n) >= (size_t)(start - 1))) {
            r[i] = 0;
            continue;
        }
        const char *m = find_bytes(h.p + b0, h.n - b0, nd.p, nd.n);
        r[i] = m ? (int64_t)xn_utf8_len(h.p, (size_t)(m - h.p)) + 1 : 0;
    });
    return 0;
}

static bool is_ws(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' || ch == '\v';
}

/* Start of the field after the k-th (k >= 1) occurrence of byte c in [p, end), or NULL. */
static const char *after_nth_byte(const char *p, const char *end, char c, int64_t k)
{
#if defined(__SSE2__)
    const __m128i vc = _mm_set1_epi8(c);
    while (end - p >= 16) {
        unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)p), vc));
        while (m) {
            if (--k == 0) return p + __builtin_ctz(m) + 1;
            m &= m - 1;
        }
        p += 16;
    }
#endif
    for (; p < end; p++)
        if (*p == c && --k == 0) return p + 1;
    return NULL;
}

/* SPLIT_INDEX with a constant one-byte separator and a constant index (Nexmark q22). */
static int split_index_c1(xnode *n, xeval *ev, const xsel *s)
{
    const uint8_t *nu;
    eddy_str *r = str_out(n, ev, s, &nu);
    const char c = (char)n->iparam[0];
    const int64_t idx = n->ki;
    uint8_t *own = NULL;
    const eddy_str *in = n->kid[0]->out.v.str;
    XLOOP(s, ev->n, i, {
        r[i] = (eddy_str){xn_empty, 0};
        if (rownull(nu, i)) continue;
        eddy_str v = in[i];
        const char *end = v.p + v.n;
        const char *st = v.n == 0 ? NULL : (idx == 0 ? v.p : after_nth_byte(v.p, end, c, idx));
        if (!st) {
            if (!own) own = xn_nulls_own(n, ev, s, nu);
            own[i] = 1;
            continue;
        }
        const char *e = after_nth_byte(st, end, c, 1);
        r[i] = (eddy_str){st, (uint32_t)((e ? e - 1 : end) - st)};
    });
    return 0;
}

/* SPLIT_INDEX(s, sep, i): field i (0-based) of s split at every sep (empty fields kept, as
 * commons-lang's splitByWholeSeparatorPreserveAllTokens); NULL when out of range or s is
 * empty. An empty separator splits at each whitespace character. */
static int split_index_run(xnode *n, xeval *ev, const xsel *s)
{
    const uint8_t *nu;
    eddy_str *r = str_out(n, ev, s, &nu);
    uint8_t *own = xn_nulls_own(n, ev, s, nu);
    XLOOP(s, ev->n, i, {
        r[i] = (eddy_str){xn_empty, 0};
        if (own[i]) continue;
        eddy_str v = sarg(n->kid[0], i), sep = sarg(n->kid[1], i);
        int64_t idx = iarg(n->kid[2], i);
        if (idx < 0 || v.n == 0) {
            own[i] = 1;
            continue;
        }
        const char *p = v.p, *end = v.p + v.n;
        int64_t k = 0;
        for (;;) {
            const char *m;
            size_t sl = sep.n;
            if (sep.n == 0) {
                m = p;
                while (m < end && !is_ws(*m)) m++;
                if (m == end) m = NULL;
                sl = 1;
            } else {
                m = find_bytes(p, (size_t)(end - p), sep.p, sep.n);
            }
            if (k == idx) {
                r[i] = (eddy_str){p, (uint32_t)((m ? m : end) - p)};
                break;
            }
            if (!m) {
                own[i] = 1;
                break;
            }
            p = m + sl;
            k++;
        }
    });
    return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* MD5, HASH_CODE                                                                             */

typedef struct md5ctx {
    uint32_t h[4];
    uint64_t len;
    unsigned char buf[64];
    size_t nbuf;
} md5ctx;

static uint32_t rol32(uint32_t x, int c)
{
    return (x << c) | (x >> (32 - c));
}

static void md5_block(md5ctx *m, const unsigned char *p)
{
    static const uint32_t K[64] = {
        0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
        0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
        0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
        0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
        0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
        0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
        0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
        0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391};
    static const int S[64] = {7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
                              5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20,
                              4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
                              6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21};
    uint32_t w[16];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] | ((uint32_t)p[4 * i + 1] << 8) | ((uint32_t)p[4 * i + 2] << 16) |
               ((uint32_t)p[4 * i + 3] << 24);
    uint32_t a = m->h[0], b = m->h[1], c = m->h[2], d = m->h[3];
    for (int i = 0; i < 64; i++) {
        uint32_t f;
        int g;
        if (i < 16) {
            f = (b & c) | (~b & d);
            g = i;
        } else if (i < 32) {
            f = (d & b) | (~d & c);
            g = (5 * i + 1) & 15;
        } else if (i < 48) {
            f = b ^ c ^ d;
            g = (3 * i + 5) & 15;
        } else {
            f = c ^ (b | ~d);
            g = (7 * i) & 15;
        }
        uint32_t t = d;
        d = c;
        c = b;
        b = b + rol32(a + f + K[i] + w[g], S[i]);
        a = t;
    }
    m->h[0] += a;
    m->h[1] += b;
    m->h[2] += c;
    m->h[3] += d;
}

static void md5_hex(const char *s, size_t n, char out[32])
{
    md5ctx m = {{0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476}, 0, {0}, 0};
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    for (; i + 64 <= n; i += 64) md5_block(&m, p + i);
    unsigned char tail[128];
    size_t r = n - i;
    memcpy(tail, p + i, r);
    tail[r++] = 0x80;
    size_t tl = r <= 56 ? 64 : 128;
    memset(tail + r, 0, tl - r);
    uint64_t bits = (uint64_t)n * 8;
    for (int k = 0; k < 8; k++) tail[tl - 8 + k] = (unsigned char)(bits >> (8 * k));
    md5_block(&m, tail);
    if (tl == 128) md5_block(&m, tail + 64);
    static const char hx[] = "0123456789abcdef";
    for (int k = 0; k < 16; k++) {
        unsigned char byte = (unsigned char)(m.h[k / 4] >> (8 * (k % 4)));
        out[2 * k] = hx[byte >> 4];
        out[2 * k + 1] = hx[byte & 15];
    }
}

static int md5_run(xnode *n, xeval *ev, const xsel *s)
{
    const uint8_t *nu;
    eddy_str *r = str_out(n, ev, s, &nu);
    int cnt = s ? s->n : ev->n;
    char *d = xn_stralloc(ev, (size_t)cnt * 32);
    XLOOP(s, ev->n, i, {
        if (rownull(nu, i)) {
            r[i] = (eddy_str){xn_empty, 0};
            continue;
        }
        eddy_str v = sarg(n->kid[0], i);
        md5_hex(v.p, v.n, d);
        r[i] = (eddy_str){d, 32};
        d += 32;
    });
    return 0;
}

static int32_t java_str_hash(const char *s, size_t n)
{
    uint32_t h = 0;
    size_t j = 0;
    while (j < n) {
        uint32_t cp = u8next(s, n, &j);
        if (cp >= 0x10000) {
            cp -= 0x10000;
            h = 31 * h + (0xD800 + (cp >> 10));
            h = 31 * h + (0xDC00 + (cp & 0x3FF));
        } else {
            h = 31 * h + cp;
        }
    }
    return (int32_t)h;
}

static int hash_code_run(xnode *n, xeval *ev, const xsel *s)
{
    int64_t *r = xn_vals(n, ev);
    const xnode *k = n->kid[0];
    const uint8_t *nu = xn_nulls_or(n, ev, s, k, NULL);
    const eddy_type_kind kk = k->type->kind;
    XLOOP(s, ev->n, i, {
        if (rownull(nu, i)) {
            r[i] = 0;
            continue;
        }
        int32_t h;
        switch (k->phys) {
        case EDDY_PHYS_STR: h = java_str_hash(k->out.v.str[i].p, k->out.v.str[i].n); break;
        case EDDY_PHYS_BOOL: h = k->out.v.b[i] ? 1231 : 1237; break;
        case EDDY_PHYS_F64: {
            double d = k->out.v.f64[i];
            uint64_t bits;
            if (d != d) bits = 0x7ff8000000000000ULL;
            else memcpy(&bits, &d, 8);
            if (kk == EDDY_TYPE_FLOAT) {
                float f = (float)d;
                uint32_t fb;
                memcpy(&fb, &f, 4);
                if (f != f) fb = 0x7fc00000;
                h = (int32_t)fb;
            } else {
                h = (int32_t)(uint32_t)(bits ^ (bits >> 32));
            }
            break;
        }
        case EDDY_PHYS_DEC: {
            uint64_t lo = (uint64_t)k->out.v.dec[i];
            h = (int32_t)((uint32_t)(lo ^ (lo >> 32)) * 31u + (uint32_t)(k->type->scale > 0 ? k->type->scale : 0));
            break;
        }
        default: {
            int64_t v = k->out.v.i64[i];
            if (kk == EDDY_TYPE_TINYINT || kk == EDDY_TYPE_SMALLINT || kk == EDDY_TYPE_INT || kk == EDDY_TYPE_DATE ||
                kk == EDDY_TYPE_TIME)
                h = (int32_t)v;
            else
                h = (int32_t)(uint32_t)((uint64_t)v ^ ((uint64_t)v >> 32));
            break;
        }
        }
        r[i] = h;
    });
    return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Regular expressions                                                                        */

typedef struct rxpat {
    pcre2_code *code;          /* compiled pattern, NULL when the constant failed */
    pcre2_match_data *md;      /* match data sized for the pattern */
    uint32_t ngroups;          /* capture groups */
    /* per-row patterns: the last one compiled */
    char *last;                /* its text */
    size_t nlast;
    bool last_bad;             /* it did not compile */
    /* REGEXP_REPLACE: the replacement template */
    struct rpiece *pieces;
    int npieces;
    char *rtext;               /* its text (per-row replacements: the last one) */
    size_t nrtext;
    bool rconst;               /* replacement constant */
    int64_t group;             /* REGEXP_EXTRACT: constant group index, -1 per row */
    bool jit;                  /* JIT-compiled: match with pcre2_jit_match */
    char lit[64];              /* a literal every match contains (constant patterns), or "" */
    size_t nlit;
    int64_t litpre;            /* most bytes a match can have before that literal, -1 unknown */
} rxpat;

typedef struct rpiece {
    bool group;                /* a group reference */
    int64_t g;                 /* its number */
    const char *p;             /* literal bytes */
    size_t n;
} rpiece;

static void rx_free_code(rxpat *r)
{
    if (r->md) pcre2_match_data_free(r->md);
    if (r->code) pcre2_code_free(r->code);
    r->md = NULL;
    r->code = NULL;
}

static void rxpat_free(void *p)
{
    rxpat *r = p;
    rx_free_code(r);
    free(r->last);
    free(r->pieces);
    free(r->rtext);
    free(r);
}

/* Compiles pattern text; on failure writes PCRE2's message into msg. */
static int rx_compile(rxpat *r, const char *p, size_t n, uint32_t extra, char *msg, size_t msgsz, size_t *erroff)
{
    int ec;
    PCRE2_SIZE eo;
    rx_free_code(r);
    r->code = pcre2_compile((PCRE2_SPTR)p, n, PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | extra, &ec, &eo, NULL);
    if (!r->code) {
        if (msg) pcre2_get_error_message(ec, (PCRE2_UCHAR *)msg, msgsz);
        if (erroff) *erroff = eo;
        return -1;
    }
    r->jit = pcre2_jit_compile(r->code, PCRE2_JIT_COMPLETE) == 0; /* else the interpreter */
    r->md = pcre2_match_data_create_from_pattern(r->code, NULL);
    uint32_t cnt = 0;
    pcre2_pattern_info(r->code, PCRE2_INFO_CAPTURECOUNT, &cnt);
    r->ngroups = cnt;
    return 0;
}

/* The pattern for row i: the constant one, or this row's (recompiled when it changed).
 * Returns NULL when the row's pattern does not compile. */
static rxpat *rx_for_row(xnode *n, int kid, int i, uint32_t extra)
{
    rxpat *r = n->aux;
    if (kconst(n->kid[kid])) return r->code ? r : NULL;
    eddy_str p = n->kid[kid]->out.v.str[i];
    if (r->last && r->nlast == p.n && memcmp(r->last, p.p, p.n) == 0) return r->last_bad ? NULL : r;
    free(r->last);
    r->last = eddy_xmalloc(p.n + 1);
    memcpy(r->last, p.p, p.n);
    r->nlast = p.n;
    r->last_bad = rx_compile(r, p.p, p.n, extra, NULL, 0, NULL) != 0;
    return r->last_bad ? NULL : r;
}

static int rx_match(rxpat *r, eddy_str v, size_t start)
{
    if (start == 0 && r->nlit) {
        /* every match contains the literal: none without it, and none that starts more than
         * litpre bytes before its first occurrence */
        const char *q = find_bytes(v.p, v.n, r->lit, r->nlit);
        if (!q) return PCRE2_ERROR_NOMATCH;
        if (r->litpre >= 0 && q - v.p > r->litpre) start = (size_t)(q - v.p - r->litpre);
    }
    if (r->jit) return pcre2_jit_match(r->code, (PCRE2_SPTR)(v.p ? v.p : ""), v.n, start, 0, r->md, NULL);
    return pcre2_match(r->code, (PCRE2_SPTR)(v.p ? v.p : ""), v.n, start, 0, r->md, NULL);
}

/* Most bytes that pattern text p[0..n) can match (UTF-8: a character class or '.' up to 4
 * bytes), or -1 when unbounded or not understood. */
static int64_t max_match_len(const char *p, size_t n)
{
    int64_t total = 0, alt_best = 0;
    size_t i = 0;
    while (i < n) {
        unsigned char ch = (unsigned char)p[i];
        int64_t atom;
        size_t len = 1;
        if (ch == '|') { /* alternatives: the longest */
            if (total > alt_best) alt_best = total;
            total = 0;
            i++;
            continue;
        }
        if (ch == '\\') {
            if (i + 1 >= n) return -1;
            unsigned char nx = (unsigned char)p[i + 1];
            len = 2;
            if (strchr("bBAzZ", nx)) atom = 0;
            else if (strchr("dDwWsShHvVN", nx)) atom = 4;
            else if ((nx >= '0' && nx <= '9') || (nx >= 'a' && nx <= 'z') || (nx >= 'A' && nx <= 'Z') || nx >= 0x80)
                return -1; /* back references, \x, \p, \G ...: not analysed */
            else atom = 1;
        } else if (ch == '[') {
            size_t j = i + 1;
            if (j < n && p[j] == '^') j++;
            if (j < n && p[j] == ']') j++;
            while (j < n && p[j] != ']') {
                if (p[j] == '[') return -1; /* POSIX classes and the like */
                j += (p[j] == '\\') ? 2 : 1;
            }
            if (j >= n) return -1;
            len = j + 1 - i;
            atom = 4;
        } else if (ch == '(') {
            if (i + 1 < n && p[i + 1] == '?' && !(i + 2 < n && p[i + 2] == ':')) return -1;
            size_t j = i + 1, body = j;
            if (j + 1 < n && p[j] == '?') body = j + 2;
            int depth = 1;
            while (j < n && depth) {
                if (p[j] == '\\') j++;
                else if (p[j] == '[') {
                    j++;
                    while (j < n && p[j] != ']') j += (p[j] == '\\') ? 2 : 1;
                } else if (p[j] == '(') depth++;
                else if (p[j] == ')') depth--;
                j++;
            }
            if (depth) return -1;
            atom = max_match_len(p + body, j - 1 - body);
            if (atom < 0) return -1;
            len = j - i;
        } else if (ch == '^' || ch == '$') {
            atom = 0;
        } else if (ch == '.') {
            atom = 4;
        } else if (ch == '*' || ch == '+' || ch == '?' || ch == '{' || ch == ')') {
            return -1;
        } else {
            atom = 1; /* a byte of a literal (multi-byte characters count their bytes) */
            if (ch >= 0x80) {
                while (i + len < n && ((unsigned char)p[i + len] & 0xC0) == 0x80) len++;
                atom = (int64_t)len;
            }
        }
        i += len;
        if (i < n && (p[i] == '*' || p[i] == '+' || p[i] == '{')) return -1;
        if (i < n && p[i] == '?') {
            i++;
            if (i < n && (p[i] == '?' || p[i] == '+')) i++; /* lazy / possessive */
        }
        total += atom;
        if (total > (1 << 20)) return -1;
    }
    return total > alt_best ? total : alt_best;
}

/* A run of literal characters that every match of pattern p must contain (outside groups,
 * not under a quantifier or a top-level '|'), for a quick memmem before running the regex.
 * Conservative: any construct it does not know gives no literal. */
static void required_literal(const char *p, size_t n, char *out, size_t cap, size_t *outn, size_t *outpos)
{
    char cur[64];
    size_t nc = 0, best = 0, cur_pos = 0;
    int depth = 0;
    *outn = 0;
    *outpos = 0;
    for (size_t i = 0; i < n;) {
        unsigned char ch = (unsigned char)p[i];
        size_t len = 1;
        int lit = -1; /* the literal byte of this atom, or -1 */
        if (ch >= 0x80) return; /* multi-byte characters: keep it simple */
        if (ch == '\\') {
            if (i + 1 >= n) return;
            unsigned char nx = (unsigned char)p[i + 1];
            if (nx == 'Q' || nx == 'E' || nx >= 0x80) return;
            len = 2;
            bool alnum = (nx >= '0' && nx <= '9') || (nx >= 'a' && nx <= 'z') || (nx >= 'A' && nx <= 'Z');
            if (!alnum) lit = nx;
            else if (!strchr("dDwWsSbBAzZGhHvVRXKnrtfea", nx)) return; /* \x41, \p{L}, \1 ...: give up */
        } else if (ch == '[') {
            size_t j = i + 1;
            if (j < n && p[j] == '^') j++;
            if (j < n && p[j] == ']') j++;
            while (j < n && p[j] != ']') j += (p[j] == '\\') ? 2 : 1;
            if (j >= n) return;
            len = j + 1 - i;
        } else if (ch == '(') {
            if (i + 1 < n && p[i + 1] == '?' && !(i + 2 < n && p[i + 2] == ':')) return; /* flags, lookaround */
            depth++;
        } else if (ch == ')') {
            depth--;
        } else if (ch == '|') {
            if (depth == 0) return;
        } else if (ch == '{') {
            /* a quantifier {m}, {m,}, {m,n}: skip it whole (its atom was not taken) */
            size_t j = i + 1;
            while (j < n && ((p[j] >= '0' && p[j] <= '9') || p[j] == ',')) j++;
            if (j >= n || p[j] != '}' || j == i + 1) return; /* a literal '{': not analysed */
            len = j + 1 - i;
        } else if (ch == '*' || ch == '+' || ch == '?' || ch == '.' || ch == '^' || ch == '$') {
            /* quantifiers were handled with their atom; anchors and dots end a run */
        } else {
            lit = ch;
        }
        size_t nx = i + len;
        bool quant = nx < n && (p[nx] == '*' || p[nx] == '?' || p[nx] == '{');
        bool plus = nx < n && p[nx] == '+';
        if (lit >= 0 && depth == 0 && !quant && nc < sizeof cur) {
            if (nc == 0) cur_pos = i;
            cur[nc++] = (char)lit;
            if (plus) {
                if (nc > best && nc <= cap) {
                    memcpy(out, cur, nc);
                    best = nc;
                    *outpos = cur_pos;
                }
                nc = 0;
            }
        } else {
            if (nc > best && nc <= cap) {
                memcpy(out, cur, nc);
                best = nc;
                *outpos = cur_pos;
            }
            nc = 0;
        }
        i = nx;
    }
    if (depth != 0) return;
    if (nc > best && nc <= cap) {
        memcpy(out, cur, nc);
        best = nc;
        *outpos = cur_pos;
    }
    *outn = best;
}

static int regexp_run(xnode *n, xeval *ev, const xsel *s)
{
    uint8_t *r = xn_vals(n, ev);
    uint8_t *nu = xn_nulls_own(n, ev, s, NULL);
    const uint8_t *pn = NULL;
    for (int k = 0; k < 2; k++) {
        const uint8_t *kn = n->kid[k]->out.nulls;
        if (kn) XLOOP(s, ev->n, i, { nu[i] |= kn[i]; });
        pn = pn ? pn : kn;
    }
    (void)pn;
    XLOOP(s, ev->n, i, {
        r[i] = 0;
        if (nu[i]) continue;
        rxpat *rx = rx_for_row(n, 1, i, 0);
        if (!rx) {
            nu[i] = 1;
            continue;
        }
        r[i] = rx_match(rx, sarg(n->kid[0], i), 0) >= 0;
    });
    return 0;
}

static int regexp_extract_run(xnode *n, xeval *ev, const xsel *s)
{
    eddy_str *r = xn_vals(n, ev);
    uint8_t *nu = xn_nulls_own(n, ev, s, NULL);
    for (int k = 0; k < n->nkid; k++) {
        const uint8_t *kn = n->kid[k]->out.nulls;
        if (kn) XLOOP(s, ev->n, i, { nu[i] |= kn[i]; });
    }
    rxpat *base = n->aux;
    XLOOP(s, ev->n, i, {
        r[i] = (eddy_str){xn_empty, 0};
        if (nu[i]) continue;
        rxpat *rx = rx_for_row(n, 1, i, 0);
        int64_t g = base->group >= 0 ? base->group : (n->nkid > 2 ? iarg(n->kid[2], i) : 0);
        if (!rx || g < 0 || (uint64_t)g > rx->ngroups) {
            nu[i] = 1;
            continue;
        }
        eddy_str v = sarg(n->kid[0], i);
        int rc = rx_match(rx, v, 0);
        if (rc < 0) {
            nu[i] = 1;
            continue;
        }
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(rx->md);
        if (ov[2 * g] == PCRE2_UNSET) {
            nu[i] = 1;
            continue;
        }
        r[i] = (eddy_str){v.p + ov[2 * g], (uint32_t)(ov[2 * g + 1] - ov[2 * g])};
    });
    return 0;
}

/* Parses a Java replacement string into pieces (into r->pieces; literal pieces point into
 * text, which the caller keeps). */
static void parse_replacement(rxpat *r, const char *text, size_t n)
{
    free(r->pieces);
    r->pieces = eddy_xmalloc(sizeof(rpiece) * (n + 1));
    r->npieces = 0;
    size_t i = 0, lit = 0;
    while (i < n) {
        char ch = text[i];
        if (ch == '\\' && i + 1 < n) {
            if (i > lit) r->pieces[r->npieces++] = (rpiece){false, 0, text + lit, i - lit};
            r->pieces[r->npieces++] = (rpiece){false, 0, text + i + 1, 1};
            i += 2;
            lit = i;
            continue;
        }
        if (ch == '$' && i + 1 < n && (text[i + 1] >= '0' && text[i + 1] <= '9')) {
            if (i > lit) r->pieces[r->npieces++] = (rpiece){false, 0, text + lit, i - lit};
            int64_t g = text[i + 1] - '0';
            i += 2;
            /* Java takes more digits while the group exists */
            while (i < n && text[i] >= '0' && text[i] <= '9' && g * 10 + (text[i] - '0') <= (int64_t)r->ngroups) {
                g = g * 10 + (text[i] - '0');
                i++;
            }
            r->pieces[r->npieces++] = (rpiece){true, g, NULL, 0};
            lit = i;
            continue;
        }
        if (ch == '$' && i + 2 < n && text[i + 1] == '{') {
            size_t j = i + 2;
            int64_t g = 0;
            bool digits = j < n && text[j] >= '0' && text[j] <= '9';
            while (j < n && text[j] >= '0' && text[j] <= '9') g = g * 10 + (text[j++] - '0');
            if (digits && j < n && text[j] == '}') {
                if (i > lit) r->pieces[r->npieces++] = (rpiece){false, 0, text + lit, i - lit};
                r->pieces[r->npieces++] = (rpiece){true, g, NULL, 0};
                i = j + 1;
                lit = i;
                continue;
            }
        }
        i++;
    }
    if (i > lit) r->pieces[r->npieces++] = (rpiece){false, 0, text + lit, i - lit};
}

static void rbuf_put(char **buf, size_t *len, size_t *cap, const char *p, size_t n)
{
    if (*len + n > *cap) {
        *cap = (*len + n) * 2 + 64;
        *buf = eddy_xrealloc(*buf, *cap);
    }
    if (n) memcpy(*buf + *len, p, n);
    *len += n;
}

static int regexp_replace_run(xnode *n, xeval *ev, const xsel *s)
{
    eddy_str *r = xn_vals(n, ev);
    uint8_t *nu = xn_nulls_own(n, ev, s, NULL);
    for (int k = 0; k < n->nkid; k++) {
        const uint8_t *kn = n->kid[k]->out.nulls;
        if (kn) XLOOP(s, ev->n, i, { nu[i] |= kn[i]; });
    }
    rxpat *base = n->aux;
    char *tmp = NULL;
    size_t tcap = 0;
    sbuild b = {ev, NULL, 0};
    XLOOP(s, ev->n, i, {
        r[i] = (eddy_str){xn_empty, 0};
        if (nu[i]) continue;
        rxpat *rx = rx_for_row(n, 1, i, 0);
        if (!rx) {
            nu[i] = 1;
            continue;
        }
        if (!base->rconst) {
            eddy_str t = sarg(n->kid[2], i);
            if (!base->rtext || base->nrtext != t.n || memcmp(base->rtext, t.p, t.n) != 0 || !kconst(n->kid[1])) {
                free(base->rtext);
                base->rtext = eddy_xmalloc(t.n + 1);
                memcpy(base->rtext, t.p, t.n);
                base->nrtext = t.n;
                parse_replacement(base, base->rtext, t.n);
            }
        }
        eddy_str v = sarg(n->kid[0], i);
        size_t len = 0, start = 0, last = 0;
        bool any = false;
        while (start <= v.n) {
            int rc = rx_match(rx, v, start);
            if (rc < 0) break;
            any = true;
            PCRE2_SIZE *ov = pcre2_get_ovector_pointer(rx->md);
            size_t ms = ov[0], me = ov[1];
            rbuf_put(&tmp, &len, &tcap, v.p + last, ms - last);
            for (int k = 0; k < base->npieces; k++) {
                const rpiece *pc = &base->pieces[k];
                if (!pc->group) rbuf_put(&tmp, &len, &tcap, pc->p, pc->n);
                else if ((uint64_t)pc->g <= rx->ngroups && ov[2 * pc->g] != PCRE2_UNSET)
                    rbuf_put(&tmp, &len, &tcap, v.p + ov[2 * pc->g], ov[2 * pc->g + 1] - ov[2 * pc->g]);
            }
            last = me;
            if (me == ms) {
                if (me >= v.n) break;
                size_t l = u8len((unsigned char)v.p[me]);
                if (me + l > v.n) l = v.n - me;
                rbuf_put(&tmp, &len, &tcap, v.p + me, l);
                last = me + l;
                start = me + l;
            } else {
                start = me;
            }
        }
        if (!any) {
            r[i] = v;
            continue;
        }
        if (last < v.n) rbuf_put(&tmp, &len, &tcap, v.p + last, v.n - last);
        r[i] = sb_copy(&b, tmp, len);
    });
    free(tmp);
    return 0;
}

/* Sets up rxpat for a function whose pattern is operand `kid`. */
static int rx_setup(xcomp *c, xnode *n, int kid, uint32_t extra, const char *pattern, size_t plen)
{
    rxpat *r = eddy_xcalloc(1, sizeof *r);
    n->aux = r;
    n->aux_free = rxpat_free;
    r->group = -1;
    if (pattern || kconst(n->kid[kid])) {
        const char *p = pattern;
        size_t pn = plen;
        if (!p) {
            if (n->kid[kid]->cval.null) return 0; /* NULL pattern: NULL results */
            p = n->kid[kid]->cval.u.s.p;
            pn = n->kid[kid]->cval.u.s.n;
        }
        char msg[256];
        size_t off = 0;
        if (rx_compile(r, p, pn, extra, msg, sizeof msg, &off))
            return xc_error(c, n, EDDY_EBIND, "invalid regular expression '%.*s' at offset %zu: %s",
                            (int)(pn > 100 ? 100 : pn), p, off, msg);
        if (extra == 0) {
            size_t pos;
            required_literal(p, pn, r->lit, sizeof r->lit, &r->nlit, &pos);
            r->litpre = r->nlit ? max_match_len(p, pos) : -1;
            for (size_t i = 0; i + 1 < pn; i++)
                if (p[i] == '\\' && p[i + 1] == 'G') r->litpre = -1; /* \G depends on the start */
        }
    }
    return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* LIKE                                                                                       */

enum { LK_EXACT, LK_PREFIX, LK_SUFFIX, LK_CONTAINS, LK_ALL, LK_GENERAL };
enum { U_LIT, U_ONE, U_ANY };

typedef struct likepat {
    int kind;
    char *lit;         /* literal of the simple kinds */
    size_t nlit;
    uint8_t *ut;       /* general: unit types */
    char *ub;          /* general: literal bytes */
    int nu;            /* units */
    bool has_one;      /* '_' in an EXACT pattern */
    bool bad;          /* invalid escape */
    /* per-row patterns: the last one */
    char *last;
    size_t nlast;
    int last_esc;
    rxpat *rx;         /* SIMILAR TO */
} likepat;

static void likepat_clear(likepat *l)
{
    free(l->lit);
    free(l->ut);
    free(l->ub);
    l->lit = NULL;
    l->ut = NULL;
    l->ub = NULL;
    l->nu = 0;
}

static void likepat_free(void *p)
{
    likepat *l = p;
    likepat_clear(l);
    free(l->last);
    if (l->rx) rxpat_free(l->rx);
    free(l);
}

/* Parses pattern p with escape esc (-1 none) into units and picks the fast kind. */
static void like_parse(likepat *l, const char *p, size_t n, int esc)
{
    likepat_clear(l);
    l->bad = false;
    l->ut = eddy_xmalloc(n + 1);
    l->ub = eddy_xmalloc(n + 1);
    int m = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)p[i];
        if (esc >= 0 && ch == (unsigned)esc) {
            if (i + 1 >= n) {
                l->bad = true;
                break;
            }
            i++;
            l->ut[m] = U_LIT;
            l->ub[m++] = p[i];
        } else if (ch == '%') {
            if (m > 0 && l->ut[m - 1] == U_ANY) continue;
            l->ut[m++] = U_ANY;
        } else if (ch == '_') {
            l->ut[m++] = U_ONE;
        } else {
            l->ut[m] = U_LIT;
            l->ub[m++] = (char)ch;
        }
    }
    l->nu = m;
    /* classify: literal runs with '%' only at the ends */
    int anys = 0, ones = 0;
    for (int i = 0; i < m; i++) {
        anys += l->ut[i] == U_ANY;
        ones += l->ut[i] == U_ONE;
    }
    l->kind = LK_GENERAL;
    if (ones) return;
    bool lead = m > 0 && l->ut[0] == U_ANY, trail = m > 0 && l->ut[m - 1] == U_ANY;
    if (anys != (int)lead + (int)trail || (lead && trail && m == 1 && anys == 2)) {
        if (!(m == 1 && lead)) return;
    }
    int a = lead ? 1 : 0, b = trail ? m - 1 : m;
    if (m == 1 && lead) {
        l->kind = LK_ALL;
        return;
    }
    l->nlit = (size_t)(b - a);
    l->lit = eddy_xmalloc(l->nlit + 1);
    for (int i = a; i < b; i++) l->lit[i - a] = l->ub[i];
    l->kind = !lead && !trail ? LK_EXACT : (lead && trail ? LK_CONTAINS : (trail ? LK_PREFIX : LK_SUFFIX));
}

static bool like_general(const likepat *l, const char *s, size_t n)
{
    size_t si = 0, star_s = 0;
    int pi = 0, star_p = -1;
    const int np = l->nu;
    while (si < n) {
        if (pi < np && l->ut[pi] == U_ONE) {
            si += u8len((unsigned char)s[si]);
            if (si > n) si = n;
            pi++;
        } else if (pi < np && l->ut[pi] == U_LIT && l->ub[pi] == s[si]) {
            si++;
            pi++;
        } else if (pi < np && l->ut[pi] == U_ANY) {
            star_p = pi++;
            star_s = si;
        } else if (star_p >= 0) {
            pi = star_p + 1;
            star_s += u8len((unsigned char)s[star_s]);
            if (star_s > n) star_s = n;
            si = star_s;
        } else {
            return false;
        }
    }
    while (pi < np && l->ut[pi] == U_ANY) pi++;
    return pi == np;
}

static inline bool like_match(const likepat *l, const char *s, size_t n)
{
    switch (l->kind) {
    case LK_ALL: return true;
    case LK_EXACT: return n == l->nlit && (n == 0 || memcmp(s, l->lit, n) == 0);
    case LK_PREFIX: return n >= l->nlit && memcmp(s, l->lit, l->nlit) == 0;
    case LK_SUFFIX: return n >= l->nlit && memcmp(s + n - l->nlit, l->lit, l->nlit) == 0;
    case LK_CONTAINS: return find_bytes(s, n, l->lit, l->nlit) != NULL;
    default: return like_general(l, s, n);
    }
}

/* Translates a SIMILAR TO pattern into a PCRE2 pattern (malloc'ed). */
static char *similar_to_pcre(const char *p, size_t n, int esc, size_t *outn)
{
    char *o = eddy_xmalloc(n * 4 + 16);
    size_t k = 0;
    memcpy(o, "(?s)^(?:", 8);
    k = 8;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)p[i];
        if (esc >= 0 && ch == (unsigned)esc && i + 1 < n) {
            i++;
            o[k++] = '\\';
            o[k++] = p[i];
            continue;
        }
        switch (ch) {
        case '%':
            o[k++] = '.';
            o[k++] = '*';
            break;
        case '_': o[k++] = '.'; break;
        case '.':
        case '^':
        case '$':
        case '\\':
            o[k++] = '\\';
            o[k++] = (char)ch;
            break;
        default: o[k++] = (char)ch; break;
        }
    }
    memcpy(o + k, ")\\z", 3);
    k += 3;
    o[k] = 0;
    *outn = k;
    return o;
}

static int like_escape_of(const xnode *n, int i)
{
    if (n->nkid < 3) return '\\';
    eddy_str e = n->kid[2]->out.v.str[i];
    return e.n ? (unsigned char)e.p[0] : -1;
}

static int like_run(xnode *n, xeval *ev, const xsel *s)
{
    likepat *l = n->aux;
    uint8_t *r = xn_vals(n, ev);
    const uint8_t *nu = xn_nulls_or_all(n, ev, s);
    const uint8_t neg = n->iparam[0];
    const eddy_str *v = n->kid[0]->out.v.str;
    const bool pconst = kconst(n->kid[1]) && (n->nkid < 3 || kconst(n->kid[2]));
    if (pconst && !n->iparam[1]) {
        if (l->bad) {
            XLOOP(s, ev->n, i, {
                if (!rownull(nu, i)) return xn_error(n, ev, EDDY_ERUNTIME, "invalid escape sequence in LIKE pattern");
            });
        }
        switch (l->kind) {
        case LK_EXACT: {
            const size_t kn = l->nlit;
            const char *kp = l->lit;
            XLOOP(s, ev->n, i, { r[i] = (!rownull(nu, i) && v[i].n == kn && (kn == 0 || memcmp(v[i].p, kp, kn) == 0)) ^ neg; });
            break;
        }
        case LK_PREFIX: {
            const size_t kn = l->nlit;
            const char *kp = l->lit;
            XLOOP(s, ev->n, i, { r[i] = (!rownull(nu, i) && v[i].n >= kn && memcmp(v[i].p, kp, kn) == 0) ^ neg; });
            break;
        }
        default: XLOOP(s, ev->n, i, { r[i] = (!rownull(nu, i) && like_match(l, v[i].p, v[i].n)) ^ neg; }); break;
        }
        return 0;
    }
    XLOOP(s, ev->n, i, {
        if (rownull(nu, i)) {
            r[i] = 0;
            continue;
        }
        eddy_str p = n->kid[1]->out.v.str[i];
        int esc = like_escape_of(n, i);
        if (n->iparam[1]) {
            /* SIMILAR TO */
            if (!pconst && (!l->last || l->nlast != p.n || l->last_esc != esc || memcmp(l->last, p.p, p.n) != 0)) {
                free(l->last);
                l->last = eddy_xmalloc(p.n + 1);
                memcpy(l->last, p.p, p.n);
                l->nlast = p.n;
                l->last_esc = esc;
                size_t tn;
                char *t = similar_to_pcre(p.p, p.n, esc, &tn);
                if (!l->rx) l->rx = eddy_xcalloc(1, sizeof(rxpat));
                char msg[128];
                int rc = rx_compile(l->rx, t, tn, 0, msg, sizeof msg, NULL);
                free(t);
                if (rc) return xn_error(n, ev, EDDY_ERUNTIME, "invalid SIMILAR TO pattern: %s", msg);
            }
            r[i] = (rx_match(l->rx, v[i], 0) >= 0) ^ neg;
            continue;
        }
        if (!l->last || l->nlast != p.n || l->last_esc != esc || memcmp(l->last, p.p, p.n) != 0) {
            free(l->last);
            l->last = eddy_xmalloc(p.n + 1);
            memcpy(l->last, p.p, p.n);
            l->nlast = p.n;
            l->last_esc = esc;
            like_parse(l, p.p, p.n, esc);
        }
        if (l->bad) return xn_error(n, ev, EDDY_ERUNTIME, "invalid escape sequence in LIKE pattern");
        r[i] = like_match(l, v[i].p, v[i].n) ^ neg;
    });
    return 0;
}

int xf_like_compile(xcomp *c, xnode *n, bool similar)
{
    for (int k = 0; k < n->nkid; k++)
        if (want_str(c, n, k)) return c->err->code;
    likepat *l = eddy_xcalloc(1, sizeof *l);
    n->aux = l;
    n->aux_free = likepat_free;
    n->iparam[0] = n->e ? n->e->negated : 0;
    n->iparam[1] = similar;
    n->run = like_run;
    bool pconst = kconst(n->kid[1]) && (n->nkid < 3 || kconst(n->kid[2]));
    if (!pconst) return 0;
    if (n->kid[1]->cval.null || (n->nkid > 2 && n->kid[2]->cval.null)) return 0; /* NULL results */
    int esc = '\\';
    if (n->nkid > 2) {
        const eddy_value *e = &n->kid[2]->cval;
        if (e->u.s.n != 1)
            return xc_error(c, n->kid[2], EDDY_EBIND, "the ESCAPE of LIKE must be a single character");
        esc = (unsigned char)e->u.s.p[0];
    }
    const char *p = n->kid[1]->cval.u.s.p;
    size_t pn = n->kid[1]->cval.u.s.n;
    if (similar) {
        size_t tn;
        char *t = similar_to_pcre(p, pn, esc, &tn);
        l->rx = eddy_xcalloc(1, sizeof(rxpat));
        char msg[128];
        int rc = rx_compile(l->rx, t, tn, 0, msg, sizeof msg, NULL);
        free(t);
        if (rc) return xc_error(c, n, EDDY_EBIND, "invalid SIMILAR TO pattern '%.*s': %s", (int)pn, p, msg);
        /* constant SIMILAR TO goes through the per-row path with a prepared regex */
        l->last = eddy_xmalloc(pn + 1);
        memcpy(l->last, p, pn);
        l->nlast = pn;
        l->last_esc = esc;
        return 0;
    }
    like_parse(l, p, pn, esc);
    if (l->bad) return xc_error(c, n->kid[1], EDDY_EBIND, "invalid escape sequence in LIKE pattern '%.*s'", (int)pn, p);
    return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* JSON_VALUE                                                                                 */

typedef struct jstep {
    bool index;        /* [n] rather than .name */
    int64_t i;
    char *name;
    size_t nname;
} jstep;

typedef struct jpath {
    jstep *steps;
    int n;
    bool bad;
} jpath;

static void jpath_free(void *p)
{
    jpath *j = p;
    if (!j) return;
    for (int i = 0; i < j->n; i++) free(j->steps[i].name);
    free(j->steps);
    free(j);
}

static jpath *jpath_parse(const char *p, size_t n)
{
    jpath *j = eddy_xcalloc(1, sizeof *j);
    j->steps = eddy_xcalloc(n + 1, sizeof(jstep));
    size_t i = 0;
    while (i < n && is_ws(p[i])) i++;
    if (i < n && (p[i] == 'l' || p[i] == 's')) { /* lax / strict mode word */
        while (i < n && !is_ws(p[i])) i++;
        while (i < n && is_ws(p[i])) i++;
    }
    if (i >= n || p[i] != '$') {
        j->bad = true;
        return j;
    }
    i++;
    while (i < n) {
        jstep *st = &j->steps[j->n];
        if (p[i] == '.') {
            i++;
            size_t a = i;
            while (i < n && p[i] != '.' && p[i] != '[') i++;
            if (i == a) {
                j->bad = true;
                return j;
            }
            st->name = eddy_xmalloc(i - a + 1);
            memcpy(st->name, p + a, i - a);
            st->nname = i - a;
            j->n++;
        } else if (p[i] == '[') {
            i++;
            if (i < n && (p[i] == '\'' || p[i] == '"')) {
                char q = p[i++];
                size_t a = i;
                while (i < n && p[i] != q) i++;
                if (i >= n) {
                    j->bad = true;
                    return j;
                }
                st->name = eddy_xmalloc(i - a + 1);
                memcpy(st->name, p + a, i - a);
                st->nname = i - a;
                i++;
            } else {
                int64_t v = 0;
                size_t a = i;
                while (i < n && p[i] >= '0' && p[i] <= '9') v = v * 10 + (p[i++] - '0');
                if (i == a) {
                    j->bad = true;
                    return j;
                }
                st->index = true;
                st->i = v;
            }
            if (i >= n || p[i] != ']') {
                j->bad = true;
                return j;
            }
            i++;
            j->n++;
        } else if (is_ws(p[i])) {
            i++;
        } else {
            j->bad = true;
            return j;
        }
    }
    return j;
}

/* A minimal JSON scanner: positions over s[0..n). */
static size_t js_ws(const char *s, size_t n, size_t i)
{
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) i++;
    return i;
}

/* Skips a string starting at s[i] == '"'; returns the index after the closing quote, or
 * SIZE_MAX. *esc tells whether it holds escapes. */
static size_t js_str(const char *s, size_t n, size_t i, bool *esc)
{
    i++;
    *esc = false;
    while (i < n) {
        if (s[i] == '"') return i + 1;
        if (s[i] == '\\') {
            *esc = true;
            i += 2;
            continue;
        }
        i++;
    }
    return SIZE_MAX;
}

/* Skips any value at s[i]; returns the index after it or SIZE_MAX. */
static size_t js_skip(const char *s, size_t n, size_t i, int depth)
{
    i = js_ws(s, n, i);
    if (i >= n || depth > 200) return SIZE_MAX;
    char ch = s[i];
    bool esc;
    if (ch == '"') return js_str(s, n, i, &esc);
    if (ch == '{' || ch == '[') {
        char close = ch == '{' ? '}' : ']';
        i = js_ws(s, n, i + 1);
        if (i < n && s[i] == close) return i + 1;
        for (;;) {
            if (ch == '{') {
                i = js_ws(s, n, i);
                if (i >= n || s[i] != '"') return SIZE_MAX;
                i = js_str(s, n, i, &esc);
                if (i == SIZE_MAX) return i;
                i = js_ws(s, n, i);
                if (i >= n || s[i] != ':') return SIZE_MAX;
                i++;
            }
            i = js_skip(s, n, i, depth + 1);
            if (i == SIZE_MAX) return i;
            i = js_ws(s, n, i);
            if (i >= n) return SIZE_MAX;
            if (s[i] == ',') {
                i++;
                continue;
            }
            if (s[i] == close) return i + 1;
            return SIZE_MAX;
        }
    }
    /* number, true, false, null */
    size_t a = i;
    while (i < n && s[i] != ',' && s[i] != '}' && s[i] != ']' && s[i] != ' ' && s[i] != '\t' && s[i] != '\n' &&
           s[i] != '\r')
        i++;
    return i > a ? i : SIZE_MAX;
}

/* Compares a JSON string token s[a..b) (with quotes) with a plain name. */
static bool js_key_eq(const char *s, size_t a, size_t b, bool esc, const char *name, size_t nn)
{
    if (!esc) return b - a - 2 == nn && memcmp(s + a + 1, name, nn) == 0;
    /* decode simple escapes for the comparison */
    size_t k = 0;
    for (size_t i = a + 1; i < b - 1; i++) {
        char ch = s[i];
        if (ch == '\\' && i + 1 < b - 1) {
            ch = s[++i];
            if (ch == 'n') ch = '\n';
            else if (ch == 't') ch = '\t';
            else if (ch == 'r') ch = '\r';
            else if (ch == 'b') ch = '\b';
            else if (ch == 'f') ch = '\f';
            else if (ch == 'u') return false; /* \uXXXX keys: not compared */
        }
        if (k >= nn || name[k] != ch) return false;
        k++;
    }
    return k == nn;
}

static void put_utf8(char **d, uint32_t cp)
{
    char *p = *d;
    if (cp < 0x80) *p++ = (char)cp;
    else if (cp < 0x800) {
        *p++ = (char)(0xC0 | (cp >> 6));
        *p++ = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        *p++ = (char)(0xE0 | (cp >> 12));
        *p++ = (char)(0x80 | ((cp >> 6) & 0x3F));
        *p++ = (char)(0x80 | (cp & 0x3F));
    } else {
        *p++ = (char)(0xF0 | (cp >> 18));
        *p++ = (char)(0x80 | ((cp >> 12) & 0x3F));
        *p++ = (char)(0x80 | ((cp >> 6) & 0x3F));
        *p++ = (char)(0x80 | (cp & 0x3F));
    }
    *d = p;
}

static int hexval(char ch)
{
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
    return -1;
}

/* Unescapes the JSON string s[a..b) (with quotes) into the builder. */
static bool js_unescape(sbuild *bld, const char *s, size_t a, size_t b, eddy_str *out)
{
    char *d = sb_reserve(bld, b - a), *st = d;
    for (size_t i = a + 1; i < b - 1; i++) {
        char ch = s[i];
        if (ch != '\\') {
            *d++ = ch;
            continue;
        }
        ch = s[++i];
        switch (ch) {
        case 'n': *d++ = '\n'; break;
        case 't': *d++ = '\t'; break;
        case 'r': *d++ = '\r'; break;
        case 'b': *d++ = '\b'; break;
        case 'f': *d++ = '\f'; break;
        case 'u': {
            if (i + 4 >= b - 1 + 1 || i + 4 > b - 2) return false;
            uint32_t cp = 0;
            for (int k = 1; k <= 4; k++) {
                int h = hexval(s[i + k]);
                if (h < 0) return false;
                cp = cp * 16 + (uint32_t)h;
            }
            i += 4;
            if (cp >= 0xD800 && cp < 0xDC00 && i + 6 <= b - 2 && s[i + 1] == '\\' && s[i + 2] == 'u') {
                uint32_t lo = 0;
                bool ok = true;
                for (int k = 3; k <= 6; k++) {
                    int h = hexval(s[i + k]);
                    if (h < 0) ok = false;
                    else lo = lo * 16 + (uint32_t)h;
                }
                if (ok && lo >= 0xDC00 && lo < 0xE000) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    i += 6;
                }
            }
            put_utf8(&d, cp);
            break;
        }
        default: *d++ = ch; break;
        }
    }
    size_t len = (size_t)(d - st);
    sb_commit(bld, len);
    *out = (eddy_str){st, (uint32_t)len};
    return true;
}

/* Finds the value at path in s; returns true with its [a, b) span. */
static bool js_find(const char *s, size_t n, const jpath *jp, size_t *va, size_t *vb)
{
    size_t i = js_ws(s, n, 0);
    for (int k = 0; k < jp->n; k++) {
        const jstep *st = &jp->steps[k];
        i = js_ws(s, n, i);
        if (i >= n) return false;
        if (st->index) {
            if (s[i] != '[') return false;
            i = js_ws(s, n, i + 1);
            if (i < n && s[i] == ']') return false;
            for (int64_t e = 0;; e++) {
                if (e == st->i) break;
                i = js_skip(s, n, i, 0);
                if (i == SIZE_MAX) return false;
                i = js_ws(s, n, i);
                if (i >= n || s[i] != ',') return false;
                i++;
            }
        } else {
            if (s[i] != '{') return false;
            i = js_ws(s, n, i + 1);
            if (i < n && s[i] == '}') return false;
            for (;;) {
                i = js_ws(s, n, i);
                if (i >= n || s[i] != '"') return false;
                bool esc;
                size_t ke = js_str(s, n, i, &esc);
                if (ke == SIZE_MAX) return false;
                bool match = js_key_eq(s, i, ke, esc, st->name, st->nname);
                i = js_ws(s, n, ke);
                if (i >= n || s[i] != ':') return false;
                i = js_ws(s, n, i + 1);
                if (match) break;
                i = js_skip(s, n, i, 0);
                if (i == SIZE_MAX) return false;
                i = js_ws(s, n, i);
                if (i >= n || s[i] != ',') return false;
                i++;
            }
        }
    }
    i = js_ws(s, n, i);
    size_t e = js_skip(s, n, i, 0);
    if (e == SIZE_MAX) return false;
    *va = i;
    *vb = e;
    return true;
}

static int json_value_run(xnode *n, xeval *ev, const xsel *s)
{
    eddy_str *r = xn_vals(n, ev);
    uint8_t *nu = xn_nulls_own(n, ev, s, NULL);
    for (int k = 0; k < n->nkid; k++) {
        const uint8_t *kn = n->kid[k]->out.nulls;
        if (kn) XLOOP(s, ev->n, i, { nu[i] |= kn[i]; });
    }
    jpath *cj = n->aux;
    sbuild b = {ev, NULL, 0};
    XLOOP(s, ev->n, i, {
        r[i] = (eddy_str){xn_empty, 0};
        if (nu[i]) continue;
        jpath *jp = cj;
        if (!kconst(n->kid[1])) {
            eddy_str p = sarg(n->kid[1], i);
            jp = jpath_parse(p.p, p.n);
        }
        eddy_str v = sarg(n->kid[0], i);
        size_t a, e;
        bool ok = jp && !jp->bad && js_find(v.p, v.n, jp, &a, &e);
        if (ok) {
            char ch = v.p[a];
            if (ch == '{' || ch == '[' || (e - a == 4 && memcmp(v.p + a, "null", 4) == 0)) ok = false;
            else if (ch == '"') {
                bool esc = memchr(v.p + a + 1, '\\', e - a - 2) != NULL;
                if (!esc) r[i] = (eddy_str){v.p + a + 1, (uint32_t)(e - a - 2)};
                else ok = js_unescape(&b, v.p, a, e, &r[i]);
            } else {
                r[i] = (eddy_str){v.p + a, (uint32_t)(e - a)};
            }
        }
        if (!ok) {
            nu[i] = 1;
            r[i] = (eddy_str){xn_empty, 0};
        }
        if (jp != cj) jpath_free(jp);
    });
    return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Dispatch                                                                                   */

bool xf_is_string_fn(eddy_fn fn)
{
    switch (fn) {
    case EDDY_FN_CONCAT:
    case EDDY_FN_CONCAT_WS:
    case EDDY_FN_SUBSTRING:
    case EDDY_FN_SUBSTR:
    case EDDY_FN_UPPER:
    case EDDY_FN_LOWER:
    case EDDY_FN_TRIM:
    case EDDY_FN_LTRIM:
    case EDDY_FN_RTRIM:
    case EDDY_FN_CHAR_LENGTH:
    case EDDY_FN_CHARACTER_LENGTH:
    case EDDY_FN_REPLACE:
    case EDDY_FN_SPLIT_INDEX:
    case EDDY_FN_REGEXP:
    case EDDY_FN_REGEXP_EXTRACT:
    case EDDY_FN_REGEXP_REPLACE:
    case EDDY_FN_POSITION:
    case EDDY_FN_LOCATE:
    case EDDY_FN_LPAD:
    case EDDY_FN_RPAD:
    case EDDY_FN_INITCAP:
    case EDDY_FN_REVERSE:
    case EDDY_FN_LEFT:
    case EDDY_FN_RIGHT:
    case EDDY_FN_REPEAT:
    case EDDY_FN_MD5:
    case EDDY_FN_HASH_CODE:
    case EDDY_FN_JSON_VALUE: return true;
    default: return false;
    }
}

static int need_str_result(xcomp *c, xnode *n, const char *what)
{
    if (n->phys != EDDY_PHYS_STR) return xc_error(c, n, EDDY_EPLAN, "%s must return a string type", what);
    return 0;
}

int xf_string_compile(xcomp *c, xnode *n, eddy_fn fn)
{
    switch (fn) {
    case EDDY_FN_CONCAT:
        for (int k = 0; k < n->nkid; k++)
            if (want_str(c, n, k)) return c->err->code;
        n->run = concat_run;
        return need_str_result(c, n, "CONCAT");
    case EDDY_FN_CONCAT_WS:
        for (int k = 0; k < n->nkid; k++)
            if (want_str(c, n, k)) return c->err->code;
        n->run = concat_ws_run;
        return need_str_result(c, n, "CONCAT_WS");
    case EDDY_FN_SUBSTRING:
    case EDDY_FN_SUBSTR:
        if (want_str(c, n, 0)) return c->err->code;
        for (int k = 1; k < n->nkid; k++)
            if (want_int(c, n, k)) return c->err->code;
        n->run = substring_run;
        return need_str_result(c, n, "SUBSTRING");
    case EDDY_FN_UPPER:
    case EDDY_FN_LOWER:
        if (want_str(c, n, 0)) return c->err->code;
        n->iparam[0] = fn == EDDY_FN_UPPER;
        n->run = case_run_str;
        return need_str_result(c, n, "UPPER/LOWER");
    case EDDY_FN_TRIM:
    case EDDY_FN_LTRIM:
    case EDDY_FN_RTRIM:
        for (int k = 0; k < n->nkid; k++)
            if (want_str(c, n, k)) return c->err->code;
        n->iparam[0] = fn == EDDY_FN_TRIM ? 3 : (fn == EDDY_FN_LTRIM ? 1 : 2);
        n->run = trim_run;
        return need_str_result(c, n, "TRIM");
    case EDDY_FN_CHAR_LENGTH:
    case EDDY_FN_CHARACTER_LENGTH:
        if (want_str(c, n, 0)) return c->err->code;
        n->run = char_length_run;
        return 0;
    case EDDY_FN_REPLACE:
        for (int k = 0; k < 3; k++)
            if (want_str(c, n, k)) return c->err->code;
        n->run = replace_run;
        return need_str_result(c, n, "REPLACE");
    case EDDY_FN_SPLIT_INDEX:
        for (int k = 0; k < 2; k++)
            if (want_str(c, n, k)) return c->err->code;
        if (want_int(c, n, 2)) return c->err->code;
        n->run = split_index_run;
        if (kconst(n->kid[1]) && kconst(n->kid[2]) && !n->kid[1]->cval.null && !n->kid[2]->cval.null &&
            n->kid[1]->cval.u.s.n == 1 && n->kid[2]->cval.u.i >= 0) {
            n->iparam[0] = (unsigned char)n->kid[1]->cval.u.s.p[0];
            n->ki = n->kid[2]->cval.u.i;
            n->run = split_index_c1;
        }
        return need_str_result(c, n, "SPLIT_INDEX");
    case EDDY_FN_REGEXP:
        for (int k = 0; k < 2; k++)
            if (want_str(c, n, k)) return c->err->code;
        n->run = regexp_run;
        return rx_setup(c, n, 1, 0, NULL, 0);
    case EDDY_FN_REGEXP_EXTRACT: {
        for (int k = 0; k < 2; k++)
            if (want_str(c, n, k)) return c->err->code;
        if (n->nkid > 2 && want_int(c, n, 2)) return c->err->code;
        n->run = regexp_extract_run;
        int rc = rx_setup(c, n, 1, 0, NULL, 0);
        if (rc) return rc;
        rxpat *r = n->aux;
        if (n->nkid < 3) r->group = 0;
        else if (kconst(n->kid[2])) r->group = n->kid[2]->cval.null ? INT64_MAX : n->kid[2]->cval.u.i;
        if (r->group < -1) r->group = INT64_MAX; /* a negative constant index: always NULL */
        return need_str_result(c, n, "REGEXP_EXTRACT");
    }
    case EDDY_FN_REGEXP_REPLACE: {
        for (int k = 0; k < 3; k++)
            if (want_str(c, n, k)) return c->err->code;
        n->run = regexp_replace_run;
        int rc = rx_setup(c, n, 1, 0, NULL, 0);
        if (rc) return rc;
        rxpat *r = n->aux;
        if (kconst(n->kid[2]) && kconst(n->kid[1]) && !n->kid[2]->cval.null) {
            r->rconst = true;
            r->rtext = eddy_xmalloc(n->kid[2]->cval.u.s.n + 1);
            memcpy(r->rtext, n->kid[2]->cval.u.s.p, n->kid[2]->cval.u.s.n);
            r->nrtext = n->kid[2]->cval.u.s.n;
            parse_replacement(r, r->rtext, r->nrtext);
        }
        return need_str_result(c, n, "REGEXP_REPLACE");
    }
    case EDDY_FN_POSITION:
    case EDDY_FN_LOCATE:
        for (int k = 0; k < 2; k++)
            if (want_str(c, n, k)) return c->err->code;
        if (n->nkid > 2 && want_int(c, n, 2)) return c->err->code;
        n->run = locate_run;
        return 0;
    case EDDY_FN_LPAD:
    case EDDY_FN_RPAD:
        if (want_str(c, n, 0) || want_int(c, n, 1) || want_str(c, n, 2)) return c->err->code;
        n->iparam[0] = fn == EDDY_FN_RPAD;
        n->run = pad_run;
        return need_str_result(c, n, "LPAD/RPAD");
    case EDDY_FN_INITCAP:
        if (want_str(c, n, 0)) return c->err->code;
        n->run = initcap_run;
        return need_str_result(c, n, "INITCAP");
    case EDDY_FN_REVERSE:
        if (want_str(c, n, 0)) return c->err->code;
        n->run = reverse_run;
        return need_str_result(c, n, "REVERSE");
    case EDDY_FN_LEFT:
    case EDDY_FN_RIGHT:
        if (want_str(c, n, 0) || want_int(c, n, 1)) return c->err->code;
        n->iparam[0] = fn == EDDY_FN_RIGHT;
        n->run = left_right_run;
        return need_str_result(c, n, "LEFT/RIGHT");
    case EDDY_FN_REPEAT:
        if (want_str(c, n, 0) || want_int(c, n, 1)) return c->err->code;
        n->run = repeat_run;
        n->can_fail = true;
        return need_str_result(c, n, "REPEAT");
    case EDDY_FN_MD5:
        if (want_str(c, n, 0)) return c->err->code;
        n->run = md5_run;
        return need_str_result(c, n, "MD5");
    case EDDY_FN_HASH_CODE: n->run = hash_code_run; return 0;
    case EDDY_FN_JSON_VALUE:
        for (int k = 0; k < 2; k++)
            if (want_str(c, n, k)) return c->err->code;
        n->run = json_value_run;
        if (kconst(n->kid[1]) && !n->kid[1]->cval.null) {
            jpath *j = jpath_parse(n->kid[1]->cval.u.s.p, n->kid[1]->cval.u.s.n);
            n->aux = j;
            n->aux_free = jpath_free;
            if (j->bad)
                return xc_error(c, n->kid[1], EDDY_EBIND, "JSON path '%.*s' is not supported (use $.a.b or $.a[0])",
                                (int)n->kid[1]->cval.u.s.n, n->kid[1]->cval.u.s.p);
        }
        return need_str_result(c, n, "JSON_VALUE");
    default: return xc_error(c, n, EDDY_EUNSUPPORTED, "unknown string function");
    }
}
