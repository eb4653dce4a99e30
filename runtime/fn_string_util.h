/*
 * fn_string_util.h: helpers shared by the string function files (fn_string.c, fn_regex.c,
 * fn_json.c): building result strings in the caller's arena, reading operands, UTF-8 steps,
 * byte search, and operand coercions at compile time. Private to runtime/.
 */
#ifndef EDDY_RUNTIME_FN_STRING_UTIL_H
#define EDDY_RUNTIME_FN_STRING_UTIL_H

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "fn.h"

/* Bump allocation of result bytes in the caller's arena, in blocks. */
typedef struct sbuild {
    xeval *ev;
    char *p;     /* next free byte */
    size_t left; /* bytes left in the block */
} sbuild;

static inline char *sb_reserve(sbuild *b, size_t n)
{
    if (n > b->left) {
        size_t sz = n > 16384 ? n : 16384;
        b->p = xn_stralloc(b->ev, sz);
        b->left = sz;
    }
    return b->p;
}

static inline void sb_commit(sbuild *b, size_t n)
{
    b->p += n;
    b->left -= n;
}

static inline eddy_str sb_copy(sbuild *b, const char *s, size_t n)
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
static inline uint32_t u8next(const char *s, size_t n, size_t *i)
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

static inline const eddy_sqltype *varchar_type(xcomp *c)
{
    return xc_type(c, EDDY_TYPE_VARCHAR, -1, -1);
}

/* Casts operands that are not strings to VARCHAR. */
static inline int want_str(xcomp *c, xnode *n, int k)
{
    if (n->kid[k]->phys == EDDY_PHYS_STR) return 0;
    n->kid[k] = xc_coerce(c, n->kid[k], varchar_type(c));
    return n->kid[k] ? 0 : c->err->code;
}

/* Makes an operand an integer (BIGINT range). */
static inline int want_int(xcomp *c, xnode *n, int k)
{
    const eddy_sqltype *t = n->kid[k]->type;
    if (n->kid[k]->phys == EDDY_PHYS_I64 &&
        (t->kind == EDDY_TYPE_TINYINT || t->kind == EDDY_TYPE_SMALLINT ||
         t->kind == EDDY_TYPE_INT || t->kind == EDDY_TYPE_BIGINT || t->kind == EDDY_TYPE_NULL))
        return 0;
    n->kid[k] = xc_coerce(c, n->kid[k], xc_type(c, EDDY_TYPE_BIGINT, -1, -1));
    return n->kid[k] ? 0 : c->err->code;
}

static inline bool kconst(const xnode *k)
{
    return k->is_const && !k->volatile_const;
}

/* Result arrays for a string kernel whose result is NULL when any operand is. */
static inline eddy_str *str_out(xnode *n, xeval *ev, const xsel *s, const uint8_t **nu)
{
    eddy_str *r = xn_vals(n, ev);
    *nu = xn_nulls_or_all(n, ev, s);
    return r;
}

/* memmem for the short strings of rows: candidates are positions where both the needle's first
 * and last byte match (16 at a time with SSE2), checked with memcmp. glibc's memmem sets up a
 * two-way search per call, which costs more than the whole search in a 100-byte URL. */
static inline const char *find_bytes(const char *h, size_t hn, const char *nd, size_t nn)
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
        unsigned m =
            (unsigned)_mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(a, f), _mm_cmpeq_epi8(b, l)));
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
        unsigned m =
            (unsigned)_mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(a, f), _mm_cmpeq_epi8(b, l)));
        while (m) {
            size_t k = i + (size_t)__builtin_ctz(m);
            if (memcmp(h + k + 1, nd + 1, nn - 2) == 0) return h + k;
            m &= m - 1;
        }
        return NULL;
    }
#endif
    for (; i <= last; i++)
        if (h[i] == nd[0] && h[i + nn - 1] == nd[nn - 1] && memcmp(h + i + 1, nd + 1, nn - 2) == 0)
            return h + i;
    return NULL;
}

/* ASCII white space (Java's Character.isWhitespace for the ASCII range). */
static inline bool is_ws(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' || ch == '\v';
}

/* Fails unless n's result type is a string (what names the function). */
static inline int need_str_result(xcomp *c, xnode *n, const char *what)
{
    if (n->phys != EDDY_PHYS_STR)
        return xc_error(c, n, EDDY_EPLAN, "%s must return a string type", what);
    return 0;
}

#endif
