/*
 * fn_string.c: string functions (node model in fn.h); the regular-expression functions and
 * LIKE / SIMILAR TO are in fn_regex.c, JSON_VALUE in fn_json.c, and the helpers they share in
 * fn_string_util.h. The compile dispatch of every string function is here.
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
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/hash.h"
#include "cast.h"
#include "fn.h"
#include "fn_string_util.h"

/* ---------------------------------------------------------------------------------------- */
/* CONCAT, CONCAT_WS                                                                          */

static int concat_run(xnode *n, xeval *ev, const xsel *s)
{
    const uint8_t *nu;
    eddy_str *r = str_out(n, ev, s, &nu);
    size_t total = 0;
    XLOOP(s, ev->n, i, {
        if (rownull(nu, i)) continue;
        for (int k = 0; k < n->nkid; k++)
            total += n->kid[k]->out.v.str[i].n;
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
        if (pos > 0)
            start = pos - 1;
        else if (pos < 0)
            start = nchars + pos;
        else
            start = 0;
        if (start < 0 || start >= nchars) {
            r[i] = (eddy_str){xn_empty, 0};
            continue;
        }
        int64_t end = (nchars - start) < len ? nchars : start + len;
        size_t b0 = xn_utf8_offset(v.p, v.n, (size_t)start);
        size_t b1 =
            end >= nchars ? v.n : b0 + xn_utf8_offset(v.p + b0, v.n - b0, (size_t)(end - start));
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
        if (!right)
            r[i] = (eddy_str){v.p, (uint32_t)xn_utf8_offset(v.p, v.n, (size_t)k)};
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
                while (a < b && v.p[a] == ' ')
                    a++;
            if (trail)
                while (b > a && v.p[b - 1] == ' ')
                    b--;
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
                    while (st > a && ((unsigned char)v.p[st] & 0xC0) == 0x80)
                        st--;
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
        if ((uint64_t)k * v.n > (1u << 30))
            return xn_error(n, ev, EDDY_ERUNTIME, "REPEAT result too long");
        size_t len = (size_t)k * v.n;
        char *d = sb_reserve(&b, len);
        for (int64_t j = 0; j < k; j++)
            memcpy(d + (size_t)j * v.n, v.p, v.n);
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
        if (len > (1 << 28))
            return xn_error(n, ev, EDDY_ERUNTIME, "%s length too large", right ? "RPAD" : "LPAD");
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
            bool digit = ch >= '0' && ch <= '9', up = ch >= 'A' && ch <= 'Z',
                 lo = ch >= 'a' && ch <= 'z';
            if (start) {
                if (lo) ch = (unsigned char)(ch - 32);
                if (digit || up || lo) start = false;
            } else {
                if (up)
                    ch = (unsigned char)(ch + 32);
                else if (!digit && !lo)
                    start = true;
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
        if (b0 >= h.n &&
            !(b0 == h.n && nd.n == 0 && xn_utf8_len(h.p, h.n) >= (size_t)(start - 1))) {
            r[i] = 0;
            continue;
        }
        const char *m = find_bytes(h.p + b0, h.n - b0, nd.p, nd.n);
        r[i] = m ? (int64_t)xn_utf8_len(h.p, (size_t)(m - h.p)) + 1 : 0;
    });
    return 0;
}

/* Start of the field after the k-th (k >= 1) occurrence of byte c in [p, end), or NULL. */
static const char *after_nth_byte(const char *p, const char *end, char c, int64_t k)
{
#if defined(__SSE2__)
    const __m128i vc = _mm_set1_epi8(c);
    while (end - p >= 16) {
        unsigned m =
            (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)p), vc));
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
                while (m < end && !is_ws(*m))
                    m++;
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
        0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613,
        0xfd469501, 0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193,
        0xa679438e, 0x49b40821, 0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d,
        0x02441453, 0xd8a1e681, 0xe7d3fbc8, 0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed,
        0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a, 0xfffa3942, 0x8771f681, 0x6d9d6122,
        0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70, 0x289b7ec6, 0xeaa127fa,
        0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665, 0xf4292244,
        0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
        0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb,
        0xeb86d391};
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
    for (; i + 64 <= n; i += 64)
        md5_block(&m, p + i);
    unsigned char tail[128];
    size_t r = n - i;
    memcpy(tail, p + i, r);
    tail[r++] = 0x80;
    size_t tl = r <= 56 ? 64 : 128;
    memset(tail + r, 0, tl - r);
    uint64_t bits = (uint64_t)n * 8;
    for (int k = 0; k < 8; k++)
        tail[tl - 8 + k] = (unsigned char)(bits >> (8 * k));
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
        case EDDY_PHYS_STR:
            h = java_str_hash(k->out.v.str[i].p, k->out.v.str[i].n);
            break;
        case EDDY_PHYS_BOOL:
            h = k->out.v.b[i] ? 1231 : 1237;
            break;
        case EDDY_PHYS_F64: {
            double d = k->out.v.f64[i];
            uint64_t bits;
            if (d != d)
                bits = 0x7ff8000000000000ULL;
            else
                memcpy(&bits, &d, 8);
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
            h = (int32_t)((uint32_t)(lo ^ (lo >> 32)) * 31u +
                          (uint32_t)(k->type->scale > 0 ? k->type->scale : 0));
            break;
        }
        default: {
            int64_t v = k->out.v.i64[i];
            if (kk == EDDY_TYPE_TINYINT || kk == EDDY_TYPE_SMALLINT || kk == EDDY_TYPE_INT ||
                kk == EDDY_TYPE_DATE || kk == EDDY_TYPE_TIME)
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
    case EDDY_FN_JSON_VALUE:
        return true;
    default:
        return false;
    }
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
        if (kconst(n->kid[1]) && kconst(n->kid[2]) && !n->kid[1]->cval.null &&
            !n->kid[2]->cval.null && n->kid[1]->cval.u.s.n == 1 && n->kid[2]->cval.u.i >= 0) {
            n->iparam[0] = (unsigned char)n->kid[1]->cval.u.s.p[0];
            n->ki = n->kid[2]->cval.u.i;
            n->run = split_index_c1;
        }
        return need_str_result(c, n, "SPLIT_INDEX");
    case EDDY_FN_REGEXP:
    case EDDY_FN_REGEXP_EXTRACT:
    case EDDY_FN_REGEXP_REPLACE:
        return xf_regex_compile(c, n, fn);
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
    case EDDY_FN_HASH_CODE:
        n->run = hash_code_run;
        return 0;
    case EDDY_FN_JSON_VALUE:
        return xf_json_value_compile(c, n);
    default:
        return xc_error(c, n, EDDY_EUNSUPPORTED, "unknown string function");
    }
}
