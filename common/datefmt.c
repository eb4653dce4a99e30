/*
 * datefmt.c: compiled Java date patterns (see datefmt.h).
 *
 * A pattern compiles into a short array of items (a literal run, or a field with its letter
 * count) plus flags saying which calendar values formatting needs, so that 'HH:mm' never
 * converts days to a civil date. A few common whole patterns get a hand-written formatter.
 */
#include "common/datefmt.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/checked.h"
#include "common/timeutil.h"

/* What an item is. */
enum {
    F_LIT,       /* literal bytes */
    F_ERA,       /* G */
    F_YEAR,      /* y (and u when parsing) */
    F_DOWNUM,    /* u when formatting: ISO day number (parsing: year) */
    F_MONTH,     /* M L */
    F_DAY,       /* d */
    F_H24,       /* H 0-23 */
    F_K24,       /* k 1-24 */
    F_H12,       /* h 1-12 */
    F_K12,       /* K 0-11 */
    F_MIN,       /* m */
    F_SEC,       /* s */
    F_MILLI,     /* S */
    F_AMPM,      /* a */
    F_DOW,       /* E */
    F_DOY,       /* D */
    F_WEEK,      /* w */
    F_WEEKMONTH, /* W */
    F_WEEKYEAR,  /* Y */
    F_DOWMONTH,  /* F */
    F_PYEAR,     /* u in the java.time flavour: proleptic year */
};

/* Which derived values formatting needs. */
enum {
    NEED_DATE = 1 << 0, /* year, month, day */
    NEED_TIME = 1 << 1, /* ms of day */
    NEED_DOY = 1 << 2,
};

/* Whole patterns with a hand-written formatter. */
enum {
    FAST_NONE,
    FAST_YMD,       /* yyyy-MM-dd */
    FAST_HM,        /* HH:mm */
    FAST_HMS,       /* HH:mm:ss */
    FAST_YMD_HM,    /* yyyy-MM-dd HH:mm */
    FAST_YMD_HMS,   /* yyyy-MM-dd HH:mm:ss */
    FAST_YMD_HMS_S, /* yyyy-MM-dd HH:mm:ss.SSS */
    FAST_YMD_COMPACT, /* yyyyMMdd */
};

typedef struct item {
    unsigned char kind;    /* F_* */
    unsigned char count;   /* letters in the run (1..64) */
    unsigned short off;    /* F_LIT: offset in lits */
    unsigned short len;    /* F_LIT: length */
    unsigned char lo, hi;  /* parsing: digits a numeric field reads (0, 0 for text) */
    unsigned char reserve; /* parsing: digits of the fixed-width numbers right after it */
} item;

struct eddy_datefmt {
    char *pattern;       /* the pattern as given */
    int flavor;          /* EDDY_DATEFMT_SIMPLE or EDDY_DATEFMT_JAVA_TIME */
    char *lits;          /* literal bytes of all F_LIT items */
    item *items;         /* the program */
    int nitems;          /* number of items */
    int fast;            /* FAST_* */
    unsigned need;       /* NEED_* */
    size_t max_len;      /* most bytes a format writes */
    char parse_bad;      /* a letter that cannot be parsed, or 0 */
    int parse_bad_pos;   /* its 1-based position */
};

static const char *const MONTH_LONG[12] = {"January", "February", "March",     "April",
                                           "May",     "June",     "July",      "August",
                                           "September", "October", "November", "December"};
static const char *const DOW_LONG[7] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                        "Friday", "Saturday", "Sunday"}; /* ISO order */

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

static inline char *put2(char *p, unsigned v)
{
    memcpy(p, DIGITS2 + 2 * v, 2);
    return p + 2;
}

/* v (may be negative) with at least `width` digits, zero padded. */
static char *put_num(char *p, int64_t v, int width)
{
    if (width <= 2 && v >= 0 && v < 100) { /* most fields */
        if (v >= 10 || width == 2) return put2(p, (unsigned)v);
        *p = (char)('0' + v);
        return p + 1;
    }
    char tmp[24];
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    int n = 0;
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0) *p++ = '-';
    for (int k = n; k < width; k++) *p++ = '0';
    while (n) *p++ = tmp[--n];
    return p;
}

/* ------------------------------------------------------------------------------------------ */
/* Compiling                                                                                  */

static int letter_kind(char c)
{
    switch (c) {
    case 'G': return F_ERA;
    case 'y': return F_YEAR;
    case 'u': return F_DOWNUM;
    case 'M':
    case 'L': return F_MONTH;
    case 'd': return F_DAY;
    case 'H': return F_H24;
    case 'k': return F_K24;
    case 'h': return F_H12;
    case 'K': return F_K12;
    case 'm': return F_MIN;
    case 's': return F_SEC;
    case 'S': return F_MILLI;
    case 'a': return F_AMPM;
    case 'E': return F_DOW;
    case 'D': return F_DOY;
    case 'w': return F_WEEK;
    case 'W': return F_WEEKMONTH;
    case 'Y': return F_WEEKYEAR;
    case 'F': return F_DOWMONTH;
    default: return -1;
    }
}

/* Most bytes one item writes. */
static size_t item_max(const item *it)
{
    size_t c = it->count;
    size_t w;
    switch (it->kind) {
    case F_LIT: return it->len;
    case F_ERA: return 2;
    case F_YEAR:
    case F_PYEAR:
    case F_WEEKYEAR: return it->count == 2 ? 2 : (c > 10 ? c + 1 : 11);
    case F_MONTH:
        if (c == 3) return 3;
        if (c >= 4) return 9;
        w = 2;
        break;
    case F_DOW: return c >= 4 ? 9 : 3;
    case F_AMPM: return 2;
    case F_MILLI:
    case F_DOY: w = 3; break;
    case F_DOWNUM:
    case F_WEEKMONTH:
    case F_DOWMONTH: w = 1; break;
    default: w = 2; break;
    }
    return c > w ? c : w;
}

static unsigned item_need(int kind)
{
    switch (kind) {
    case F_LIT: return 0;
    case F_H24:
    case F_K24:
    case F_H12:
    case F_K12:
    case F_MIN:
    case F_SEC:
    case F_MILLI:
    case F_AMPM: return NEED_TIME;
    case F_DOY:
    case F_WEEK:
    case F_WEEKYEAR: return NEED_DATE | NEED_DOY;
    default: return NEED_DATE;
    }
}

/* Digits a numeric item reads when parsing: [lo, hi]; 0, 0 for a text item. */
static void item_width(const item *it, int *lo, int *hi)
{
    int c = it->count;
    switch (it->kind) {
    case F_YEAR:
    case F_PYEAR:
    case F_DOWNUM: /* u is a year when parsing */
        if (c == 2) *lo = *hi = 2;
        else *lo = c, *hi = c > 9 ? c : 9;
        return;
    case F_MILLI: *lo = *hi = c; return; /* fraction of second */
    case F_DOY:
        if (c == 1) *lo = 1, *hi = 3;
        else *lo = c, *hi = c < 3 ? 3 : c;
        return;
    case F_MONTH:
        if (c >= 3) break;
        /* fall through */
    case F_DAY:
    case F_H24:
    case F_K24:
    case F_H12:
    case F_K12:
    case F_MIN:
    case F_SEC:
        if (c == 1) *lo = 1, *hi = 2;
        else *lo = *hi = c;
        return;
    default: break;
    }
    *lo = *hi = 0;
}

eddy_datefmt *eddy_datefmt_compile(const char *pattern, eddy_error *err)
{
    return eddy_datefmt_compile_ex(pattern, EDDY_DATEFMT_SIMPLE, err);
}

eddy_datefmt *eddy_datefmt_compile_ex(const char *pattern, int flavor, eddy_error *err)
{
    size_t plen = strlen(pattern);
    if (plen > 4096) {
        eddy_error_set(err, EDDY_EBIND, 0, 0, "date format pattern is longer than 4096 bytes");
        return NULL;
    }
    eddy_datefmt *f = calloc(1, sizeof *f);
    if (!f) goto nomem;
    f->pattern = malloc(plen + 1);
    f->lits = malloc(plen + 1);
    f->items = malloc((plen + 1) * sizeof *f->items);
    if (!f->pattern || !f->lits || !f->items) goto nomem;
    memcpy(f->pattern, pattern, plen + 1);
    f->flavor = flavor;

    size_t nlit = 0;
    /* appends byte c to the literal item at the end of the program, starting one if needed */
#define LIT(c)                                                                                     \
    do {                                                                                           \
        if (f->nitems == 0 || f->items[f->nitems - 1].kind != F_LIT)                               \
            f->items[f->nitems++] = (item){F_LIT, 0, (unsigned short)nlit, 0, 0, 0, 0};                     \
        f->lits[nlit++] = (c);                                                                     \
        f->items[f->nitems - 1].len++;                                                             \
    } while (0)

    for (size_t i = 0; i < plen;) {
        char c = pattern[i];
        if (c == '\'') {
            if (i + 1 < plen && pattern[i + 1] == '\'') { /* '' is a quote */
                LIT('\'');
                i += 2;
                continue;
            }
            size_t start = i++;
            for (;;) {
                if (i >= plen) {
                    eddy_error_set(err, EDDY_EBIND, 0, 0,
                                   "unterminated quote at position %zu in date format '%s'",
                                   start + 1, pattern);
                    goto fail;
                }
                if (pattern[i] == '\'') {
                    if (i + 1 < plen && pattern[i + 1] == '\'') {
                        LIT('\'');
                        i += 2;
                        continue;
                    }
                    i++;
                    break;
                }
                LIT(pattern[i]);
                i++;
            }
            continue;
        }
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
            size_t run = 1;
            while (i + run < plen && pattern[i + run] == c) run++;
            int kind = letter_kind(c);
            if (kind < 0) {
                const char *why = (c == 'z' || c == 'Z' || c == 'X' || c == 'x' || c == 'O' ||
                                   c == 'V' || c == 'v')
                                      ? " (time zones are not supported: TIMESTAMP has no zone)"
                                      : "";
                eddy_error_set(err, EDDY_EBIND, 0, 0,
                               "unknown pattern letter '%c' at position %zu in date format '%s'%s",
                               c, i + 1, pattern, why);
                goto fail;
            }
            if (flavor == EDDY_DATEFMT_JAVA_TIME) {
                if (kind == F_DOWNUM) kind = F_PYEAR;
                if ((kind == F_MONTH || kind == F_DOW) && run > 5) {
                    eddy_error_set(err, EDDY_EBIND, 0, 0,
                                   "too many pattern letters '%c' at position %zu in date format '%s'",
                                   c, i + 1, pattern);
                    goto fail;
                }
            }
            if (run > 64) {
                eddy_error_set(err, EDDY_EBIND, 0, 0,
                               "pattern letter '%c' repeated more than 64 times at position %zu",
                               c, i + 1);
                goto fail;
            }
            if (!f->parse_bad && (kind == F_WEEK || kind == F_WEEKMONTH || kind == F_WEEKYEAR ||
                                  kind == F_DOWMONTH || (kind == F_MILLI && run > 9))) {
                f->parse_bad = c;
                f->parse_bad_pos = (int)i + 1;
            }
            f->items[f->nitems++] = (item){(unsigned char)kind, (unsigned char)run, 0, 0, 0, 0, 0};
            f->need |= item_need(kind);
            i += run;
            continue;
        }
        LIT(c);
        i++;
    }
#undef LIT
    for (int k = 0; k < f->nitems; k++) {
        item *it = &f->items[k];
        f->max_len += item_max(it);
        int lo, hi;
        item_width(it, &lo, &hi);
        it->lo = (unsigned char)lo;
        it->hi = (unsigned char)hi;
    }
    /* a variable-width number leaves room for the fixed-width numbers right after it, as
     * DateTimeFormatter's adjacent value parsing does ("yyyyMMdd") */
    for (int k = f->nitems - 1; k >= 0; k--) {
        item *it = &f->items[k];
        if (!it->hi || it->lo == it->hi || k + 1 >= f->nitems) continue;
        int reserve = 0;
        for (int j = k + 1; j < f->nitems; j++) {
            const item *nx = &f->items[j];
            if (!nx->hi || nx->lo != nx->hi) break;
            reserve += nx->lo;
        }
        it->reserve = (unsigned char)(reserve > 255 ? 255 : reserve);
    }

    static const struct {
        const char *pat;
        int fast;
    } fast[] = {
        {"yyyy-MM-dd", FAST_YMD},
        {"HH:mm", FAST_HM},
        {"HH:mm:ss", FAST_HMS},
        {"yyyy-MM-dd HH:mm", FAST_YMD_HM},
        {"yyyy-MM-dd HH:mm:ss", FAST_YMD_HMS},
        {"yyyy-MM-dd HH:mm:ss.SSS", FAST_YMD_HMS_S},
        {"yyyyMMdd", FAST_YMD_COMPACT},
    };
    for (size_t k = 0; k < sizeof fast / sizeof fast[0]; k++)
        if (strcmp(pattern, fast[k].pat) == 0) f->fast = fast[k].fast;
    return f;

nomem:
    eddy_error_set(err, EDDY_ENOMEM, 0, 0, "out of memory compiling a date format");
fail:
    eddy_datefmt_free(f);
    return NULL;
}

void eddy_datefmt_free(eddy_datefmt *f)
{
    if (!f) return;
    free(f->pattern);
    free(f->lits);
    free(f->items);
    free(f);
}

const char *eddy_datefmt_pattern(const eddy_datefmt *f)
{
    return f->pattern;
}

size_t eddy_datefmt_max_len(const eddy_datefmt *f)
{
    return f->max_len;
}

int eddy_datefmt_check_parse(const eddy_datefmt *f, eddy_error *err)
{
    if (!f->parse_bad) return 0;
    return eddy_error_set(err, EDDY_EUNSUPPORTED, 0, 0,
                          "pattern letter '%c' at position %d of '%s' cannot be used for parsing",
                          f->parse_bad, f->parse_bad_pos, f->pattern);
}

/* ------------------------------------------------------------------------------------------ */
/* Formatting                                                                                 */

static inline char *put_ymd(char *p, int y, int m, int d, bool dashes)
{
    p = put2(p, (unsigned)y / 100);
    p = put2(p, (unsigned)y % 100);
    if (dashes) *p++ = '-';
    p = put2(p, (unsigned)m);
    if (dashes) *p++ = '-';
    return put2(p, (unsigned)d);
}

static inline char *put_hm(char *p, unsigned msod)
{
    p = put2(p, msod / 3600000);
    *p++ = ':';
    return put2(p, msod / 60000 % 60);
}

/* The fast formatters; NULL when the value needs the general path (year outside 0..9999). */
static char *format_fast(int fast, int64_t ts, char *p)
{
    int y = 0, m = 0, d = 0;
    unsigned msod = (unsigned)eddy_ts_time_of_day(ts);
    if (fast != FAST_HM && fast != FAST_HMS) {
        eddy_civil_from_days(eddy_ts_days(ts), &y, &m, &d);
        if (y < 0 || y > 9999) return NULL;
    }
    switch (fast) {
    case FAST_YMD: return put_ymd(p, y, m, d, true);
    case FAST_YMD_COMPACT: return put_ymd(p, y, m, d, false);
    case FAST_HM: return put_hm(p, msod);
    case FAST_HMS:
        p = put_hm(p, msod);
        *p++ = ':';
        return put2(p, msod / 1000 % 60);
    default: break;
    }
    p = put_ymd(p, y, m, d, true);
    *p++ = ' ';
    p = put_hm(p, msod);
    if (fast == FAST_YMD_HM) return p;
    *p++ = ':';
    p = put2(p, msod / 1000 % 60);
    if (fast == FAST_YMD_HMS) return p;
    *p++ = '.';
    *p++ = (char)('0' + msod % 1000 / 100);
    return put2(p, msod % 100);
}

/* US week fields (SimpleDateFormat in Locale.US: weeks start on Sunday, week 1 holds Jan 1). */
static void us_week(int64_t days, int *week, int *wyear)
{
    int64_t sunday = days - eddy_floormod_i64(days + 4, 7);
    int y, m, d;
    eddy_civil_from_days(sunday + 6, &y, &m, &d); /* the week belongs to its Saturday's year */
    int64_t jan1 = eddy_days_from_civil(y, 1, 1);
    int64_t first = jan1 - eddy_floormod_i64(jan1 + 4, 7);
    *week = (int)((sunday - first) / 7 + 1);
    *wyear = y;
}

size_t eddy_datefmt_format(const eddy_datefmt *f, int64_t ts, char *buf, size_t cap)
{
    if (cap < f->max_len) return 0;
    if (f->fast) {
        char *e = format_fast(f->fast, ts, buf);
        if (e) return (size_t)(e - buf);
    }
    int64_t days = eddy_ts_days(ts);
    int msod = eddy_ts_time_of_day(ts);
    int y = 0, m = 0, d = 0, doy = 0;
    if (f->need & NEED_DATE) eddy_civil_from_days(days, &y, &m, &d);
    if (f->need & NEED_DOY) doy = (int)(days - eddy_days_from_civil(y, 1, 1) + 1);
    char *p = buf;
    for (int k = 0; k < f->nitems; k++) {
        const item *it = &f->items[k];
        int c = it->count;
        switch (it->kind) {
        case F_LIT:
            if (it->len == 1)
                *p = f->lits[it->off];
            else
                memcpy(p, f->lits + it->off, it->len);
            p += it->len;
            break;
        case F_ERA:
            memcpy(p, y > 0 ? "AD" : "BC", 2);
            p += 2;
            break;
        case F_YEAR:
        case F_PYEAR: {
            int64_t yy = y;
            if (f->flavor == EDDY_DATEFMT_JAVA_TIME && it->kind == F_YEAR && y <= 0)
                yy = 1 - (int64_t)y; /* year of era */
            if (c == 2) {
                p = put2(p, (unsigned)eddy_floormod_i64(yy, 100));
                break;
            }
            if (f->flavor == EDDY_DATEFMT_JAVA_TIME && c >= 4 && yy > 0) {
                /* SignStyle.EXCEEDS_PAD: a '+' when the year needs more than c digits */
                int64_t lim = 1;
                for (int j = 0; j < c && lim <= yy; j++) lim *= 10;
                if (yy >= lim) *p++ = '+';
            }
            p = put_num(p, yy, c);
            break;
        }
        case F_WEEKYEAR: {
            int w, wy;
            us_week(days, &w, &wy);
            p = c == 2 ? put2(p, (unsigned)eddy_floormod_i64(wy, 100)) : put_num(p, wy, c);
            break;
        }
        case F_WEEK: {
            int w, wy;
            us_week(days, &w, &wy);
            p = put_num(p, w, c);
            break;
        }
        case F_WEEKMONTH: {
            int64_t first = days - d + 1;
            int off = (int)eddy_floormod_i64(first + 4, 7); /* Sunday-based dow of the 1st */
            p = put_num(p, (d - 1 + off) / 7 + 1, c);
            break;
        }
        case F_DOWMONTH: p = put_num(p, (d - 1) / 7 + 1, c); break;
        case F_DOWNUM: p = put_num(p, eddy_floormod_i64(days + 3, 7) + 1, c); break;
        case F_MONTH:
            if (c >= 3) {
                const char *name = MONTH_LONG[m - 1];
                size_t len = c == 3 ? 3 : strlen(name);
                if (c == 5 && f->flavor == EDDY_DATEFMT_JAVA_TIME) len = 1; /* narrow: "A" */
                memcpy(p, name, len);
                p += len;
            } else {
                p = put_num(p, m, c);
            }
            break;
        case F_DAY: p = put_num(p, d, c); break;
        case F_H24: p = put_num(p, msod / 3600000, c); break;
        case F_K24: {
            int h = msod / 3600000;
            p = put_num(p, h == 0 ? 24 : h, c);
            break;
        }
        case F_H12: {
            int h = msod / 3600000 % 12;
            p = put_num(p, h == 0 ? 12 : h, c);
            break;
        }
        case F_K12: p = put_num(p, msod / 3600000 % 12, c); break;
        case F_MIN: p = put_num(p, msod / 60000 % 60, c); break;
        case F_SEC: p = put_num(p, msod / 1000 % 60, c); break;
        case F_MILLI:
            if (f->flavor == EDDY_DATEFMT_JAVA_TIME) { /* fraction of second, c digits */
                char fr[3] = {(char)('0' + msod % 1000 / 100), (char)('0' + msod % 100 / 10),
                              (char)('0' + msod % 10)};
                for (int j = 0; j < c; j++) *p++ = j < 3 ? fr[j] : '0';
            } else {
                p = put_num(p, msod % 1000, c);
            }
            break;
        case F_AMPM:
            memcpy(p, msod < 43200000 ? "AM" : "PM", 2);
            p += 2;
            break;
        case F_DOW: {
            const char *name = DOW_LONG[eddy_floormod_i64(days + 3, 7)];
            size_t len = c >= 4 ? strlen(name) : 3;
            if (c == 5 && f->flavor == EDDY_DATEFMT_JAVA_TIME) len = 1; /* narrow: "T" */
            memcpy(p, name, len);
            p += len;
            break;
        }
        case F_DOY: p = put_num(p, doy, c); break;
        default: break;
        }
    }
    return (size_t)(p - buf);
}

/* ------------------------------------------------------------------------------------------ */
/* Parsing                                                                                    */

static inline unsigned dig(char c)
{
    return (unsigned)(unsigned char)c - '0';
}

/* Matches one of names[0..n) (the first `len` bytes of each when len > 0) at s[*i..). */
static int match_name(const char *s, size_t n, size_t *i, const char *const *names, int count,
                      size_t len)
{
    for (int k = 0; k < count; k++) {
        size_t l = len ? len : strlen(names[k]);
        if (*i + l <= n && memcmp(s + *i, names[k], l) == 0) {
            *i += l;
            return k;
        }
    }
    return -1;
}

static int parse_pattern(const eddy_datefmt *f, const char *s, size_t n, int64_t *out)
{
    int64_t year = 1970;
    int month = 1, day = 1, doy = 0;
    int h24 = -1, k24 = -1, h12 = -1, k12 = -1, minute = 0, second = 0, ms = 0;
    int ampm = -1, dow = -1;
    bool two_digit_year = false, have_month = false, have_day = false;
    size_t i = 0;
    for (int k = 0; k < f->nitems; k++) {
        const item *it = &f->items[k];
        if (it->kind == F_LIT) {
            if (i + it->len > n) return EDDY_EDATA;
            if (it->len == 1 ? s[i] != f->lits[it->off] : memcmp(s + i, f->lits + it->off, it->len) != 0)
                return EDDY_EDATA;
            i += it->len;
            continue;
        }
        int lo = it->lo, hi = it->hi;
        if (hi) {
            if (it->reserve) {
                size_t avail = 0;
                while (i + avail < n && dig(s[i + avail]) <= 9) avail++;
                if ((int)avail - it->reserve < hi) hi = (int)avail - it->reserve;
                if (hi < lo) return EDDY_EDATA;
            }
            int64_t v = 0;
            int nd = 0;
            while (nd < hi && i < n && dig(s[i]) <= 9) {
                if (v < INT64_C(100000000000000000)) v = v * 10 + dig(s[i]); /* saturates */
                i++;
                nd++;
            }
            if (nd < lo) return EDDY_EDATA;
            switch (it->kind) {
            case F_YEAR:
            case F_PYEAR:
            case F_DOWNUM:
                year = v;
                two_digit_year = it->count == 2;
                break;
            case F_MILLI: {
                int64_t x = v;
                for (int d2 = nd; d2 > 3; d2--) x /= 10;
                for (int d2 = nd; d2 < 3; d2++) x *= 10;
                ms = (int)x;
                break;
            }
            case F_DOY:
                if (v < 1 || v > 366) return EDDY_EDATA;
                doy = (int)v;
                break;
            case F_MONTH:
                if (v < 1 || v > 12) return EDDY_EDATA;
                month = (int)v;
                have_month = true;
                break;
            case F_DAY:
                if (v < 1 || v > 31) return EDDY_EDATA;
                day = (int)v;
                have_day = true;
                break;
            case F_H24:
                if (v > 23) return EDDY_EDATA;
                h24 = (int)v;
                break;
            case F_K24:
                if (v < 1 || v > 24) return EDDY_EDATA;
                k24 = (int)v;
                break;
            case F_H12:
                if (v < 1 || v > 12) return EDDY_EDATA;
                h12 = (int)v;
                break;
            case F_K12:
                if (v > 11) return EDDY_EDATA;
                k12 = (int)v;
                break;
            case F_MIN:
                if (v > 59) return EDDY_EDATA;
                minute = (int)v;
                break;
            case F_SEC:
                if (v > 59) return EDDY_EDATA;
                second = (int)v;
                break;
            default: break;
            }
            continue;
        }
        int x;
        switch (it->kind) {
        case F_MONTH:
            x = match_name(s, n, &i, MONTH_LONG, 12, it->count == 3 ? 3 : 0);
            if (x < 0) return EDDY_EDATA;
            month = x + 1;
            have_month = true;
            break;
        case F_DOW:
            x = match_name(s, n, &i, DOW_LONG, 7, it->count >= 4 ? 0 : 3);
            if (x < 0) return EDDY_EDATA;
            dow = x + 1;
            break;
        case F_AMPM: {
            static const char *const ap[2] = {"AM", "PM"};
            x = match_name(s, n, &i, ap, 2, 0);
            if (x < 0) return EDDY_EDATA;
            ampm = x;
            break;
        }
        case F_ERA: {
            static const char *const ad[1] = {"AD"};
            if (match_name(s, n, &i, ad, 1, 0) < 0) return EDDY_EDATA;
            break;
        }
        default: return EDDY_EUNSUPPORTED;
        }
    }
    if (i != n) return EDDY_EDATA;

    if (two_digit_year) year += 2000;
    if (year > 200000000) return EDDY_EDATA; /* beyond what int64 milliseconds hold */
    int64_t days;
    if (doy) {
        int64_t jan1 = eddy_days_from_civil(year, 1, 1);
        if (doy > (eddy_is_leap(year) ? 366 : 365)) return EDDY_EDATA;
        days = jan1 + doy - 1;
        if (have_month || have_day) { /* both given: they must agree */
            int y2, m2, d2;
            eddy_civil_from_days(days, &y2, &m2, &d2);
            if ((have_month && m2 != month) || (have_day && d2 != day)) return EDDY_EDATA;
        }
    } else {
        if (!eddy_date_valid(year, month, day)) return EDDY_EDATA;
        days = eddy_days_from_civil(year, month, day);
    }
    if (dow > 0 && eddy_floormod_i64(days + 3, 7) + 1 != dow) return EDDY_EDATA;

    int hour = 0;
    if (h24 >= 0) hour = h24;
    else if (k24 >= 0) hour = k24 % 24;
    else if (h12 >= 0 || k12 >= 0) {
        if (ampm < 0) return EDDY_EDATA; /* an hour of AM/PM needs its AM/PM */
        hour = (h12 >= 0 ? h12 % 12 : k12) + 12 * ampm;
    }
    *out = days * EDDY_MS_PER_DAY + (int64_t)hour * EDDY_MS_PER_HOUR +
           (int64_t)minute * EDDY_MS_PER_MINUTE + (int64_t)second * 1000 + ms;
    return 0;
}

/* Flink's parseTimestampData falls back to Timestamp.valueOf (text with a space: seconds
 * required) or Date.valueOf (no space): no 'T', fields validated. */
static int fallback(const char *s, size_t n, int64_t *out)
{
    size_t start = 0;
    while (start < n && s[start] == ' ') start++;
    const char *sp = start < n ? memchr(s + start, ' ', n - start) : NULL;
    size_t end = n;
    while (end > start && s[end - 1] == ' ') end--;
    if (sp && (size_t)(sp - s) >= end) sp = NULL; /* only trailing spaces */
    if (memchr(s, 'T', n)) return EDDY_EDATA;
    if (sp) {
        int colons = 0;
        for (const char *p = sp; p < s + end; p++) colons += *p == ':';
        if (colons != 2) return EDDY_EDATA;
    }
    return eddy_ts_parse_lenient(s, n, out) == 0 ? 0 : EDDY_EDATA;
}

int eddy_datefmt_parse(const eddy_datefmt *f, const char *s, size_t n, int64_t *out)
{
    if (f->parse_bad) return EDDY_EUNSUPPORTED;
    if (parse_pattern(f, s, n, out) == 0) return 0;
    return fallback(s, n, out);
}
