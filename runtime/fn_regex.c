/*
 * fn_regex.c: the regular-expression functions REGEXP, REGEXP_EXTRACT, REGEXP_REPLACE, and
 * LIKE / SIMILAR TO (node model in fn.h; split from fn_string.c, whose header comment gives the
 * Flink-compatibility notes they follow).
 *
 *   - Regular expressions are PCRE2 (JIT-compiled when available) in UTF mode that tolerates
 *     invalid UTF-8; a constant pattern is compiled once when the query starts (an error if it
 *     does not compile), a pattern from data per row (NULL if it does not compile).
 *   - LIKE: constant patterns are compiled once with fast paths for 'abc', 'abc%', '%abc',
 *     '%abc%'; SIMILAR TO is translated to an anchored PCRE2 expression.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fn.h"
#include "fn_string_util.h"

/* ---------------------------------------------------------------------------------------- */
/* Regular expressions                                                                        */

typedef struct rxpat {
    pcre2_code *code;     /* compiled pattern, NULL when the constant failed */
    pcre2_match_data *md; /* match data sized for the pattern */
    uint32_t ngroups;     /* capture groups */
    /* per-row patterns: the last one compiled */
    char *last; /* its text */
    size_t nlast;
    bool last_bad; /* it did not compile */
    /* REGEXP_REPLACE: the replacement template */
    struct rpiece *pieces;
    int npieces;
    char *rtext; /* its text (per-row replacements: the last one) */
    size_t nrtext;
    bool rconst;   /* replacement constant */
    int64_t group; /* REGEXP_EXTRACT: constant group index, -1 per row */
    bool jit;      /* JIT-compiled: match with pcre2_jit_match */
    char lit[64];  /* a literal every match contains (constant patterns), or "" */
    size_t nlit;
    int64_t litpre; /* most bytes a match can have before that literal, -1 unknown */
} rxpat;

typedef struct rpiece {
    bool group;    /* a group reference */
    int64_t g;     /* its number */
    const char *p; /* literal bytes */
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
static int rx_compile(rxpat *r, const char *p, size_t n, uint32_t extra, char *msg, size_t msgsz,
                      size_t *erroff)
{
    int ec;
    PCRE2_SIZE eo;
    rx_free_code(r);
    r->code = pcre2_compile((PCRE2_SPTR)p, n, PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | extra, &ec, &eo,
                            NULL);
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
    if (r->jit)
        return pcre2_jit_match(r->code, (PCRE2_SPTR)(v.p ? v.p : ""), v.n, start, 0, r->md, NULL);
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
            if (strchr("bBAzZ", nx))
                atom = 0;
            else if (strchr("dDwWsShHvVN", nx))
                atom = 4;
            else if ((nx >= '0' && nx <= '9') || (nx >= 'a' && nx <= 'z') ||
                     (nx >= 'A' && nx <= 'Z') || nx >= 0x80)
                return -1; /* back references, \x, \p, \G ...: not analysed */
            else
                atom = 1;
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
                if (p[j] == '\\')
                    j++;
                else if (p[j] == '[') {
                    j++;
                    while (j < n && p[j] != ']')
                        j += (p[j] == '\\') ? 2 : 1;
                } else if (p[j] == '(')
                    depth++;
                else if (p[j] == ')')
                    depth--;
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
                while (i + len < n && ((unsigned char)p[i + len] & 0xC0) == 0x80)
                    len++;
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
static void required_literal(const char *p, size_t n, char *out, size_t cap, size_t *outn,
                             size_t *outpos)
{
    char cur[64];
    size_t nc = 0, best = 0, cur_pos = 0;
    int depth = 0;
    *outn = 0;
    *outpos = 0;
    for (size_t i = 0; i < n;) {
        unsigned char ch = (unsigned char)p[i];
        size_t len = 1;
        int lit = -1;           /* the literal byte of this atom, or -1 */
        if (ch >= 0x80) return; /* multi-byte characters: keep it simple */
        if (ch == '\\') {
            if (i + 1 >= n) return;
            unsigned char nx = (unsigned char)p[i + 1];
            if (nx == 'Q' || nx == 'E' || nx >= 0x80) return;
            len = 2;
            bool alnum =
                (nx >= '0' && nx <= '9') || (nx >= 'a' && nx <= 'z') || (nx >= 'A' && nx <= 'Z');
            if (!alnum)
                lit = nx;
            else if (!strchr("dDwWsSbBAzZGhHvVRXKnrtfea", nx))
                return; /* \x41, \p{L}, \1 ...: give up */
        } else if (ch == '[') {
            size_t j = i + 1;
            if (j < n && p[j] == '^') j++;
            if (j < n && p[j] == ']') j++;
            while (j < n && p[j] != ']')
                j += (p[j] == '\\') ? 2 : 1;
            if (j >= n) return;
            len = j + 1 - i;
        } else if (ch == '(') {
            if (i + 1 < n && p[i + 1] == '?' && !(i + 2 < n && p[i + 2] == ':'))
                return; /* flags, lookaround */
            depth++;
        } else if (ch == ')') {
            depth--;
        } else if (ch == '|') {
            if (depth == 0) return;
        } else if (ch == '{') {
            /* a quantifier {m}, {m,}, {m,n}: skip it whole (its atom was not taken) */
            size_t j = i + 1;
            while (j < n && ((p[j] >= '0' && p[j] <= '9') || p[j] == ','))
                j++;
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
            while (i < n && text[i] >= '0' && text[i] <= '9' &&
                   g * 10 + (text[i] - '0') <= (int64_t)r->ngroups) {
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
            while (j < n && text[j] >= '0' && text[j] <= '9')
                g = g * 10 + (text[j++] - '0');
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
            if (!base->rtext || base->nrtext != t.n || memcmp(base->rtext, t.p, t.n) != 0 ||
                !kconst(n->kid[1])) {
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
                if (!pc->group)
                    rbuf_put(&tmp, &len, &tcap, pc->p, pc->n);
                else if ((uint64_t)pc->g <= rx->ngroups && ov[2 * pc->g] != PCRE2_UNSET)
                    rbuf_put(&tmp, &len, &tcap, v.p + ov[2 * pc->g],
                             ov[2 * pc->g + 1] - ov[2 * pc->g]);
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
    char *lit; /* literal of the simple kinds */
    size_t nlit;
    uint8_t *ut;  /* general: unit types */
    char *ub;     /* general: literal bytes */
    int nu;       /* units */
    bool has_one; /* '_' in an EXACT pattern */
    bool bad;     /* invalid escape */
    /* per-row patterns: the last one */
    char *last;
    size_t nlast;
    int last_esc;
    rxpat *rx; /* SIMILAR TO */
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
    for (int i = a; i < b; i++)
        l->lit[i - a] = l->ub[i];
    l->kind = !lead && !trail ? LK_EXACT
                              : (lead && trail ? LK_CONTAINS : (trail ? LK_PREFIX : LK_SUFFIX));
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
    while (pi < np && l->ut[pi] == U_ANY)
        pi++;
    return pi == np;
}

static inline bool like_match(const likepat *l, const char *s, size_t n)
{
    switch (l->kind) {
    case LK_ALL:
        return true;
    case LK_EXACT:
        return n == l->nlit && (n == 0 || memcmp(s, l->lit, n) == 0);
    case LK_PREFIX:
        return n >= l->nlit && memcmp(s, l->lit, l->nlit) == 0;
    case LK_SUFFIX:
        return n >= l->nlit && memcmp(s + n - l->nlit, l->lit, l->nlit) == 0;
    case LK_CONTAINS:
        return find_bytes(s, n, l->lit, l->nlit) != NULL;
    default:
        return like_general(l, s, n);
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
        case '_':
            o[k++] = '.';
            break;
        case '.':
        case '^':
        case '$':
        case '\\':
            o[k++] = '\\';
            o[k++] = (char)ch;
            break;
        default:
            o[k++] = (char)ch;
            break;
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
                if (!rownull(nu, i))
                    return xn_error(n, ev, EDDY_ERUNTIME,
                                    "invalid escape sequence in LIKE pattern");
            });
        }
        switch (l->kind) {
        case LK_EXACT: {
            const size_t kn = l->nlit;
            const char *kp = l->lit;
            XLOOP(s, ev->n, i, {
                r[i] =
                    (!rownull(nu, i) && v[i].n == kn && (kn == 0 || memcmp(v[i].p, kp, kn) == 0)) ^
                    neg;
            });
            break;
        }
        case LK_PREFIX: {
            const size_t kn = l->nlit;
            const char *kp = l->lit;
            XLOOP(s, ev->n, i, {
                r[i] = (!rownull(nu, i) && v[i].n >= kn && memcmp(v[i].p, kp, kn) == 0) ^ neg;
            });
            break;
        }
        default:
            XLOOP(s, ev->n, i,
                  { r[i] = (!rownull(nu, i) && like_match(l, v[i].p, v[i].n)) ^ neg; });
            break;
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
            if (!pconst && (!l->last || l->nlast != p.n || l->last_esc != esc ||
                            memcmp(l->last, p.p, p.n) != 0)) {
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
                if (rc)
                    return xn_error(n, ev, EDDY_ERUNTIME, "invalid SIMILAR TO pattern: %s", msg);
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
        if (l->bad)
            return xn_error(n, ev, EDDY_ERUNTIME, "invalid escape sequence in LIKE pattern");
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
            return xc_error(c, n->kid[2], EDDY_EBIND,
                            "the ESCAPE of LIKE must be a single character");
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
        if (rc)
            return xc_error(c, n, EDDY_EBIND, "invalid SIMILAR TO pattern '%.*s': %s", (int)pn, p,
                            msg);
        /* constant SIMILAR TO goes through the per-row path with a prepared regex */
        l->last = eddy_xmalloc(pn + 1);
        memcpy(l->last, p, pn);
        l->nlast = pn;
        l->last_esc = esc;
        return 0;
    }
    like_parse(l, p, pn, esc);
    if (l->bad)
        return xc_error(c, n->kid[1], EDDY_EBIND, "invalid escape sequence in LIKE pattern '%.*s'",
                        (int)pn, p);
    return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Compiling                                                                                */

int xf_regex_compile(xcomp *c, xnode *n, eddy_fn fn)
{
    switch (fn) {
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
        if (n->nkid < 3)
            r->group = 0;
        else if (kconst(n->kid[2]))
            r->group = n->kid[2]->cval.null ? INT64_MAX : n->kid[2]->cval.u.i;
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
    default:
        return xc_error(c, n, EDDY_EUNSUPPORTED, "unknown regular-expression function");
    }
}
