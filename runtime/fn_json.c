/*
 * fn_json.c: JSON_VALUE (node model in fn.h; split from fn_string.c).
 *
 * Paths of member names and array indexes ($.a.b, $.a[0], $['a b']); the result is a scalar's
 * text (strings unescaped) and NULL for null, objects, arrays, missing members and malformed
 * JSON (Flink's NULL ON EMPTY / NULL ON ERROR defaults). A constant path is parsed once when the
 * query starts; one that is not supported is an error there.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fn.h"
#include "fn_string_util.h"

/* ---------------------------------------------------------------------------------------- */
/* JSON_VALUE                                                                                 */

typedef struct jstep {
    bool index; /* [n] rather than .name */
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
    for (int i = 0; i < j->n; i++)
        free(j->steps[i].name);
    free(j->steps);
    free(j);
}

static jpath *jpath_parse(const char *p, size_t n)
{
    jpath *j = eddy_xcalloc(1, sizeof *j);
    j->steps = eddy_xcalloc(n + 1, sizeof(jstep));
    size_t i = 0;
    while (i < n && is_ws(p[i]))
        i++;
    if (i < n && (p[i] == 'l' || p[i] == 's')) { /* lax / strict mode word */
        while (i < n && !is_ws(p[i]))
            i++;
        while (i < n && is_ws(p[i]))
            i++;
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
            while (i < n && p[i] != '.' && p[i] != '[')
                i++;
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
                while (i < n && p[i] != q)
                    i++;
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
                while (i < n && p[i] >= '0' && p[i] <= '9')
                    v = v * 10 + (p[i++] - '0');
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
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
        i++;
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
    while (i < n && s[i] != ',' && s[i] != '}' && s[i] != ']' && s[i] != ' ' && s[i] != '\t' &&
           s[i] != '\n' && s[i] != '\r')
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
            if (ch == 'n')
                ch = '\n';
            else if (ch == 't')
                ch = '\t';
            else if (ch == 'r')
                ch = '\r';
            else if (ch == 'b')
                ch = '\b';
            else if (ch == 'f')
                ch = '\f';
            else if (ch == 'u')
                return false; /* \uXXXX keys: not compared */
        }
        if (k >= nn || name[k] != ch) return false;
        k++;
    }
    return k == nn;
}

static void put_utf8(char **d, uint32_t cp)
{
    char *p = *d;
    if (cp < 0x80)
        *p++ = (char)cp;
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
        case 'n':
            *d++ = '\n';
            break;
        case 't':
            *d++ = '\t';
            break;
        case 'r':
            *d++ = '\r';
            break;
        case 'b':
            *d++ = '\b';
            break;
        case 'f':
            *d++ = '\f';
            break;
        case 'u': {
            if (i + 4 >= b - 1 + 1 || i + 4 > b - 2) return false;
            uint32_t cp = 0;
            for (int k = 1; k <= 4; k++) {
                int h = hexval(s[i + k]);
                if (h < 0) return false;
                cp = cp * 16 + (uint32_t)h;
            }
            i += 4;
            if (cp >= 0xD800 && cp < 0xDC00 && i + 6 <= b - 2 && s[i + 1] == '\\' &&
                s[i + 2] == 'u') {
                uint32_t lo = 0;
                bool ok = true;
                for (int k = 3; k <= 6; k++) {
                    int h = hexval(s[i + k]);
                    if (h < 0)
                        ok = false;
                    else
                        lo = lo * 16 + (uint32_t)h;
                }
                if (ok && lo >= 0xDC00 && lo < 0xE000) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    i += 6;
                }
            }
            put_utf8(&d, cp);
            break;
        }
        default:
            *d++ = ch;
            break;
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
            if (ch == '{' || ch == '[' || (e - a == 4 && memcmp(v.p + a, "null", 4) == 0))
                ok = false;
            else if (ch == '"') {
                bool esc = memchr(v.p + a + 1, '\\', e - a - 2) != NULL;
                if (!esc)
                    r[i] = (eddy_str){v.p + a + 1, (uint32_t)(e - a - 2)};
                else
                    ok = js_unescape(&b, v.p, a, e, &r[i]);
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
/* Compiling                                                                                */

int xf_json_value_compile(xcomp *c, xnode *n)
{
    for (int k = 0; k < 2; k++)
        if (want_str(c, n, k)) return c->err->code;
    n->run = json_value_run;
    if (kconst(n->kid[1]) && !n->kid[1]->cval.null) {
        jpath *j = jpath_parse(n->kid[1]->cval.u.s.p, n->kid[1]->cval.u.s.n);
        n->aux = j;
        n->aux_free = jpath_free;
        if (j->bad)
            return xc_error(c, n->kid[1], EDDY_EBIND,
                            "JSON path '%.*s' is not supported (use $.a.b or $.a[0])",
                            (int)n->kid[1]->cval.u.s.n, n->kid[1]->cval.u.s.p);
    }
    return need_str_result(c, n, "JSON_VALUE");
}
