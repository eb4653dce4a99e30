/*
 * timeutil.c: calendar, parsing, formatting, units and intervals (see timeutil.h).
 *
 * The day <-> civil date conversions follow the shape of Howard Hinnant's public-domain
 * algorithms (days_from_civil / civil_from_days): shift the year to start on March 1 so that the
 * leap day is last, split into 400-year eras of 146097 days, and compute month lengths with the
 * (153 * m + 2) / 5 trick; they are exact over the whole int64 range used here. For the years
 * any text can show (about -1.1 million to +1.6 million) both directions first take a 32-bit
 * unsigned path that shifts by whole eras to stay positive, which the compiler turns into a few
 * multiplications (civil_from_days in the shape of Neri and Schneider's algorithm); the tests
 * check the two paths against each other across their boundaries.
 *
 * Parsers read fixed positions and validate every field; formatters write two digits at a time
 * from a 200-byte table. Nothing allocates.
 */
#include "common/timeutil.h"

#include <stdio.h>
#include <string.h>

#include "common/checked.h"

/* Years beyond this (either sign) do not fit int64 milliseconds; guards month arithmetic. */
#define MAX_ABS_YEAR 292000000

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

static inline char *put3(char *p, unsigned v)
{
    *p++ = (char)('0' + v / 100);
    return put2(p, v % 100);
}

/* Year as Java's LocalDateTime prints it: 4 digits for 0..9999, "-0001" below, "+10000" above. */
static char *put_year(char *p, int64_t y)
{
    if (y >= 0 && y <= 9999) {
        p = put2(p, (unsigned)(y / 100));
        return put2(p, (unsigned)(y % 100));
    }
    char tmp[24];
    uint64_t u = y < 0 ? (uint64_t)0 - (uint64_t)y : (uint64_t)y;
    int n = 0;
    while (u) {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    }
    while (n < 4) tmp[n++] = '0';
    *p++ = y < 0 ? '-' : '+';
    while (n) *p++ = tmp[--n];
    return p;
}

/* ------------------------------------------------------------------------------------------ */
/* Calendar                                                                                   */

int eddy_days_in_month(int64_t y, int m)
{
    static const unsigned char len[13] = {0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12) return 0;
    return (m == 2 && eddy_is_leap(y)) ? 29 : len[m];
}

bool eddy_date_valid(int64_t y, int m, int d)
{
    return m >= 1 && m <= 12 && d >= 1 && d <= eddy_days_in_month(y, m);
}

/*
 * The same in 32-bit unsigned arithmetic, for |years| below about a million (every timestamp
 * that text can show): the shape of Neri and Schneider's "Euclidean affine functions" (2021).
 * Adding K 400-year eras keeps everything unsigned; (4n + 3) / 146097 counts centuries from
 * 0000-03-01, (4r + 3) / 1461 years within the century, and 2141 * doy + 197913 splits the
 * March-based day of year into month (high 16 bits) and day ((low 16 bits) / 2141).
 */
#define CIVIL_ERAS 2800u
#define CIVIL_FAST_MIN (-400000000)
#define CIVIL_FAST_MAX 600000000

static inline void civil_fast(int64_t days, int *y, int *m, int *d)
{
    const uint32_t n = (uint32_t)(days + 719468 + (int64_t)146097 * CIVIL_ERAS);
    const uint32_t n1 = 4 * n + 3;
    const uint32_t c = n1 / 146097, nc = n1 % 146097 / 4;
    const uint32_t n2 = 4 * nc + 3;
    const uint32_t z = n2 / 1461, ny = n2 % 1461 / 4;
    const uint32_t n3 = 2141 * ny + 197913;
    const uint32_t mo = n3 >> 16, da = (n3 & 0xFFFF) / 2141;
    const uint32_t jan_feb = ny >= 306;
    *y = (int)(100 * c + z + jan_feb) - (int)(400 * CIVIL_ERAS);
    *m = (int)(jan_feb ? mo - 12 : mo);
    *d = (int)da + 1;
}

int64_t eddy_days_from_civil(int64_t y, int m, int d)
{
    /* Years from -1120000 to +10000000 in 32-bit unsigned arithmetic: shift by CIVIL_ERAS
     * 400-year eras so that everything is positive, then count whole years of 365 days plus
     * the leap days of a March-based year, and the days before the (March-based) month. */
    static const uint16_t before_month[13] = {0, 306, 337, 0, 31, 61, 92, 122, 153, 184, 214, 245, 275};
    if (y >= -(int64_t)(400 * CIVIL_ERAS) + 1 && y <= 10000000 && m >= 1 && m <= 12) {
        const uint32_t yy = (uint32_t)(y + 400 * CIVIL_ERAS) - (m <= 2);
        const uint32_t n = yy * 365 + yy / 4 - yy / 100 + yy / 400 + before_month[m] + (uint32_t)d - 1;
        return (int64_t)n - (719468 + (int64_t)146097 * CIVIL_ERAS);
    }
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const int64_t yoe = y - era * 400;                                 /* [0, 399] */
    const int64_t mp = m > 2 ? m - 3 : m + 9;                          /* March = 0 */
    const int64_t doy = (153 * mp + 2) / 5 + d - 1;                    /* [0, 365] */
    const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;         /* [0, 146096] */
    return era * 146097 + doe - 719468;
}

void eddy_civil_from_days(int64_t days, int *y, int *m, int *d)
{
    if (days >= CIVIL_FAST_MIN && days <= CIVIL_FAST_MAX) {
        civil_fast(days, y, m, d);
        return;
    }
    const int64_t z = days + 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const int64_t doe = z - era * 146097;                                    /* [0, 146096] */
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);             /* [0, 365] */
    const int64_t mp = (5 * doy + 2) / 153;                                  /* [0, 11] */
    const int dd = (int)(doy - (153 * mp + 2) / 5 + 1);
    const int mm = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (mm <= 2));
    *m = mm;
    *d = dd;
}

int64_t eddy_ts_from_fields(int y, int mo, int d, int h, int mi, int s, int ms)
{
    int64_t days = eddy_days_from_civil(y, mo, d);
    return days * EDDY_MS_PER_DAY + (int64_t)h * EDDY_MS_PER_HOUR + (int64_t)mi * EDDY_MS_PER_MINUTE +
           (int64_t)s * 1000 + ms;
}

/* ISO day of week of a day number: 1 = Monday .. 7 = Sunday (1970-01-01 was a Thursday). */
static inline int iso_dow(int64_t days)
{
    return (int)eddy_floormod_i64(days + 3, 7) + 1;
}

/* Day of week with 0 = Sunday .. 6 = Saturday. */
static inline int sun_dow0(int64_t days)
{
    return (int)eddy_floormod_i64(days + 4, 7);
}

/* ISO-8601 week number and week-based year of a day number. */
static void iso_week(int64_t days, int *week, int *wyear)
{
    int64_t thursday = days - iso_dow(days) + 4; /* the Thursday of this ISO week */
    int y, m, d;
    eddy_civil_from_days(thursday, &y, &m, &d);
    int64_t jan1 = eddy_days_from_civil(y, 1, 1);
    *week = (int)((thursday - jan1) / 7 + 1);
    *wyear = y;
}

void eddy_ts_to_fields(int64_t ts, eddy_tm *tm)
{
    int64_t days = eddy_ts_days(ts);
    int32_t msod = eddy_ts_time_of_day(ts);
    eddy_civil_from_days(days, &tm->year, &tm->month, &tm->day);
    tm->hour = msod / 3600000;
    tm->minute = msod / 60000 % 60;
    tm->second = msod / 1000 % 60;
    tm->millis = msod % 1000;
    tm->doy = (int)(days - eddy_days_from_civil(tm->year, 1, 1) + 1);
    tm->dow_iso = iso_dow(days);
    tm->dow_sun = sun_dow0(days) + 1;
    iso_week(days, &tm->iso_week, &tm->iso_year);
}

/* ------------------------------------------------------------------------------------------ */
/* Parsing                                                                                    */

static inline unsigned dig(char c)
{
    return (unsigned)(unsigned char)c - '0';
}

/* The fraction digits at s[*i..n): 1..9 digits, truncated to milliseconds. */
static bool fraction(const char *s, size_t n, size_t *i, int *ms)
{
    size_t p = *i, start = p;
    int v = 0;
    while (p < n && dig(s[p]) <= 9) {
        if (p - start < 3) v = v * 10 + (int)dig(s[p]);
        p++;
    }
    size_t nd = p - start;
    if (nd < 1 || nd > 9) return false;
    for (size_t k = nd; k < 3; k++) v *= 10;
    *ms = v;
    *i = p;
    return true;
}

int eddy_ts_parse(const char *s, size_t n, unsigned flags, int64_t *out)
{
    if (n < 10) return EDDY_EDATA;
    /* yyyy-MM-dd: check all eight digits and both dashes with one branch */
    const unsigned y0 = dig(s[0]), y1 = dig(s[1]), y2 = dig(s[2]), y3 = dig(s[3]);
    const unsigned m0 = dig(s[5]), m1 = dig(s[6]), d0 = dig(s[8]), d1 = dig(s[9]);
    if ((y0 > 9) | (y1 > 9) | (y2 > 9) | (y3 > 9) | (m0 > 9) | (m1 > 9) | (d0 > 9) | (d1 > 9) |
        (s[4] != '-') | (s[7] != '-'))
        return EDDY_EDATA;
    const int y = (int)(y0 * 1000 + y1 * 100 + y2 * 10 + y3);
    const int mo = (int)(m0 * 10 + m1), d = (int)(d0 * 10 + d1);
    if (mo < 1 || mo > 12 || d < 1 || (d > 28 && d > eddy_days_in_month(y, mo))) return EDDY_EDATA;
    const int64_t days = eddy_days_from_civil(y, mo, d);
    if (n == 10) {
        if (!(flags & EDDY_TSP_DATE_ONLY)) return EDDY_EDATA;
        *out = days * EDDY_MS_PER_DAY;
        return 0;
    }
    const char sep = s[10];
    if (!((sep == ' ' && (flags & EDDY_TSP_SPACE)) || (sep == 'T' && (flags & EDDY_TSP_T))))
        return EDDY_EDATA;
    if (n < 16) return EDDY_EDATA;
    /* HH:mm */
    const unsigned h0 = dig(s[11]), h1 = dig(s[12]), i0 = dig(s[14]), i1 = dig(s[15]);
    if ((h0 > 9) | (h1 > 9) | (i0 > 9) | (i1 > 9) | (s[13] != ':')) return EDDY_EDATA;
    const unsigned h = h0 * 10 + h1, mi = i0 * 10 + i1;
    unsigned sec = 0, ms = 0;
    size_t i = 16;
    if (i < n && s[i] == ':') {
        if (n < 19) return EDDY_EDATA;
        const unsigned s0 = dig(s[17]), s1 = dig(s[18]);
        if ((s0 > 9) | (s1 > 9)) return EDDY_EDATA;
        sec = s0 * 10 + s1;
        i = 19;
        if (i < n && s[i] == '.') {
            i++;
            if (n - i >= 3 && dig(s[i]) <= 9 && dig(s[i + 1]) <= 9 && dig(s[i + 2]) <= 9) {
                /* the common .SSS, then up to 6 more digits that are truncated */
                ms = dig(s[i]) * 100 + dig(s[i + 1]) * 10 + dig(s[i + 2]);
                size_t start = i;
                i += 3;
                while (i < n && dig(s[i]) <= 9) i++;
                if (i - start > 9) return EDDY_EDATA;
            } else {
                int v;
                if (!fraction(s, n, &i, &v)) return EDDY_EDATA;
                ms = (unsigned)v;
            }
        }
    } else if (!(flags & EDDY_TSP_NO_SECONDS)) {
        return EDDY_EDATA;
    }
    if ((h > 23) | (mi > 59) | (sec > 59)) return EDDY_EDATA;
    if (i < n && s[i] == 'Z' && (flags & EDDY_TSP_Z)) i++;
    if (i != n) return EDDY_EDATA;
    *out = days * EDDY_MS_PER_DAY + (int64_t)(h * 3600000 + mi * 60000 + sec * 1000 + ms);
    return 0;
}

/* Reads lo..hi digits at s[*i..n) into *v. */
static bool digits(const char *s, size_t n, size_t *i, int lo, int hi, int *v)
{
    size_t p = *i;
    int x = 0, k = 0;
    while (p < n && k < hi && dig(s[p]) <= 9) {
        x = x * 10 + (int)dig(s[p]);
        p++;
        k++;
    }
    if (k < lo) return false;
    if (p < n && dig(s[p]) <= 9) return false; /* too many digits */
    *v = x;
    *i = p;
    return true;
}

static void trim(const char **s, size_t *n)
{
    const char *p = *s;
    size_t len = *n;
    while (len && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) p++, len--;
    while (len && (p[len - 1] == ' ' || p[len - 1] == '\t' || p[len - 1] == '\n' ||
                   p[len - 1] == '\r'))
        len--;
    *s = p;
    *n = len;
}

/* yyyy-M-d at s[*i..n), validated. */
static bool lenient_date(const char *s, size_t n, size_t *i, int64_t *days)
{
    int y, mo, d;
    if (!digits(s, n, i, 4, 4, &y) || *i >= n || s[*i] != '-') return false;
    ++*i;
    if (!digits(s, n, i, 1, 2, &mo) || *i >= n || s[*i] != '-') return false;
    ++*i;
    if (!digits(s, n, i, 1, 2, &d) || !eddy_date_valid(y, mo, d)) return false;
    *days = eddy_days_from_civil(y, mo, d);
    return true;
}

/* H:mm[:ss[.f]] at s[*i..n) (hour, minute and second of 1 or 2 digits), validated. */
static bool lenient_time(const char *s, size_t n, size_t *i, int32_t *msod)
{
    int h, mi, sec = 0, ms = 0;
    if (!digits(s, n, i, 1, 2, &h) || *i >= n || s[*i] != ':') return false;
    ++*i;
    if (!digits(s, n, i, 1, 2, &mi)) return false;
    if (*i < n && s[*i] == ':') {
        ++*i;
        if (!digits(s, n, i, 1, 2, &sec)) return false;
        if (*i < n && s[*i] == '.') {
            ++*i;
            if (!fraction(s, n, i, &ms)) return false;
        }
    }
    if (h > 23 || mi > 59 || sec > 59) return false;
    *msod = (int32_t)(h * 3600000 + mi * 60000 + sec * 1000 + ms);
    return true;
}

int eddy_ts_parse_lenient(const char *s, size_t n, int64_t *out)
{
    trim(&s, &n);
    size_t i = 0;
    int64_t days;
    int32_t msod = 0;
    if (!lenient_date(s, n, &i, &days)) return EDDY_EDATA;
    if (i < n) {
        if (s[i] != ' ' && s[i] != 'T') return EDDY_EDATA;
        i++;
        if (!lenient_time(s, n, &i, &msod)) return EDDY_EDATA;
    }
    if (i != n) return EDDY_EDATA;
    *out = days * EDDY_MS_PER_DAY + msod;
    return 0;
}

int eddy_date_parse(const char *s, size_t n, int32_t *days)
{
    trim(&s, &n);
    size_t i = 0;
    int64_t d;
    if (!lenient_date(s, n, &i, &d) || i != n) return EDDY_EDATA;
    *days = (int32_t)d;
    return 0;
}

int eddy_time_parse(const char *s, size_t n, int32_t *ms)
{
    trim(&s, &n);
    size_t i = 0;
    if (!lenient_time(s, n, &i, ms) || i != n) return EDDY_EDATA;
    return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Formatting                                                                                 */

static char *put_date(char *p, int64_t days)
{
    int y, m, d;
    eddy_civil_from_days(days, &y, &m, &d);
    p = put_year(p, y);
    *p++ = '-';
    p = put2(p, (unsigned)m);
    *p++ = '-';
    return put2(p, (unsigned)d);
}

/* HH:mm:ss of a millisecond of day (the fraction is the caller's). */
static char *put_hms(char *p, int32_t msod)
{
    unsigned sod = (unsigned)msod / 1000;
    p = put2(p, sod / 3600);
    *p++ = ':';
    p = put2(p, sod / 60 % 60);
    *p++ = ':';
    return put2(p, sod % 60);
}

/* '.' and the fraction of ms (0..999) in prec digits, or trimmed of zeros when trim is set. */
static char *put_frac(char *p, unsigned ms, int prec, bool trim_zeros)
{
    if (prec <= 0) return p;
    if (prec > 9) prec = 9;
    if (trim_zeros) {
        if (ms == 0) return p;
        int nd = 3;
        while (ms % 10 == 0) ms /= 10, nd--;
        if (nd > prec) { /* cannot happen for prec >= 3; show the first prec digits */
            for (int k = nd; k > prec; k--) ms /= 10;
            nd = prec;
        }
        *p++ = '.';
        char tmp[3];
        for (int k = nd - 1; k >= 0; k--) tmp[k] = (char)('0' + ms % 10), ms /= 10;
        memcpy(p, tmp, (size_t)nd);
        return p + nd;
    }
    *p++ = '.';
    char tmp[3] = {(char)('0' + ms / 100), (char)('0' + ms / 10 % 10), (char)('0' + ms % 10)};
    int k = prec < 3 ? prec : 3;
    memcpy(p, tmp, (size_t)k);
    p += k;
    for (; k < prec; k++) *p++ = '0';
    return p;
}

size_t eddy_ts_format(int64_t ts, char *buf)
{
    int64_t days = eddy_ts_days(ts);
    int32_t msod = eddy_ts_time_of_day(ts);
    char *p = put_date(buf, days);
    *p++ = ' ';
    p = put_hms(p, msod);
    *p++ = '.';
    p = put3(p, (unsigned)msod % 1000);
    *p = 0;
    return (size_t)(p - buf);
}

size_t eddy_ts_format_ex(int64_t ts, int prec, unsigned flags, char *buf)
{
    int64_t days = eddy_ts_days(ts);
    int32_t msod = eddy_ts_time_of_day(ts);
    char *p = put_date(buf, days);
    *p++ = (flags & EDDY_TSF_ISO) ? 'T' : ' ';
    p = put_hms(p, msod);
    p = put_frac(p, (unsigned)msod % 1000, prec, (flags & EDDY_TSF_TRIM) != 0);
    if (flags & EDDY_TSF_Z) *p++ = 'Z';
    *p = 0;
    return (size_t)(p - buf);
}

size_t eddy_date_format(int64_t days, char *buf)
{
    char *p = put_date(buf, days);
    *p = 0;
    return (size_t)(p - buf);
}

size_t eddy_time_format(int32_t ms, int prec, char *buf)
{
    int32_t msod = eddy_ts_time_of_day(ms);
    char *p = put_hms(buf, msod);
    p = put_frac(p, (unsigned)msod % 1000, prec, false);
    *p = 0;
    return (size_t)(p - buf);
}

/* ------------------------------------------------------------------------------------------ */
/* Units                                                                                      */

bool eddy_ts_floor_supported(eddy_time_unit u)
{
    return u >= EDDY_UNIT_MILLENNIUM && u <= EDDY_UNIT_NANOSECOND;
}

/* Fixed length in ms of WEEK .. MILLISECOND, or 0 for calendar units. */
static int64_t fixed_ms(eddy_time_unit u)
{
    switch (u) {
    case EDDY_UNIT_WEEK: return EDDY_MS_PER_WEEK;
    case EDDY_UNIT_DAY: return EDDY_MS_PER_DAY;
    case EDDY_UNIT_HOUR: return EDDY_MS_PER_HOUR;
    case EDDY_UNIT_MINUTE: return EDDY_MS_PER_MINUTE;
    case EDDY_UNIT_SECOND: return EDDY_MS_PER_SECOND;
    case EDDY_UNIT_MILLISECOND: return 1;
    default: return 0;
    }
}

/* Months in one calendar unit (MONTH .. MILLENNIUM), 0 for the others. */
static int unit_months(eddy_time_unit u)
{
    switch (u) {
    case EDDY_UNIT_MONTH: return 1;
    case EDDY_UNIT_QUARTER: return 3;
    case EDDY_UNIT_YEAR: return 12;
    case EDDY_UNIT_DECADE: return 120;
    case EDDY_UNIT_CENTURY: return 1200;
    case EDDY_UNIT_MILLENNIUM: return 12000;
    default: return 0;
    }
}

/* First day of the calendar unit (WEEK .. MILLENNIUM) holding day `days`. */
static int64_t floor_day(int64_t days, eddy_time_unit u)
{
    if (u == EDDY_UNIT_WEEK) return days - sun_dow0(days);
    int y, m, d;
    eddy_civil_from_days(days, &y, &m, &d);
    switch (u) {
    case EDDY_UNIT_MONTH: break;
    case EDDY_UNIT_QUARTER: m = (m - 1) / 3 * 3 + 1; break;
    case EDDY_UNIT_YEAR: m = 1; break;
    case EDDY_UNIT_DECADE:
        m = 1;
        y = (int)(eddy_floordiv_i64(y, 10) * 10);
        break;
    case EDDY_UNIT_CENTURY:
        m = 1;
        y = (int)(eddy_floordiv_i64((int64_t)y + 99, 100) * 100 - 99);
        break;
    case EDDY_UNIT_MILLENNIUM:
        m = 1;
        y = (int)(eddy_floordiv_i64((int64_t)y + 999, 1000) * 1000 - 999);
        break;
    default: return days;
    }
    return eddy_days_from_civil(y, m, 1);
}

int64_t eddy_ts_floor(int64_t ts, eddy_time_unit u)
{
    int64_t len = fixed_ms(u);
    if (u == EDDY_UNIT_WEEK) len = 0; /* weeks align to Sunday, not to the epoch's Thursday */
    if (len) return ts - eddy_floormod_i64(ts, len);
    if (u == EDDY_UNIT_MICROSECOND || u == EDDY_UNIT_NANOSECOND) return ts;
    if (u == EDDY_UNIT_WEEK || unit_months(u)) return floor_day(eddy_ts_days(ts), u) * EDDY_MS_PER_DAY;
    return ts;
}

int64_t eddy_ts_ceil(int64_t ts, eddy_time_unit u)
{
    int64_t f = eddy_ts_floor(ts, u);
    if (f == ts) return ts;
    int64_t len = fixed_ms(u);
    if (len) return f + len;
    int months = unit_months(u);
    if (!months) return ts;
    int y, m, d;
    eddy_civil_from_days(eddy_ts_days(f), &y, &m, &d);
    int64_t t = (int64_t)y * 12 + (m - 1) + months;
    return eddy_days_from_civil(eddy_floordiv_i64(t, 12), (int)eddy_floormod_i64(t, 12) + 1, 1) *
           EDDY_MS_PER_DAY;
}

bool eddy_ts_extract_supported(eddy_time_unit u)
{
    return u > EDDY_UNIT_NONE && u < EDDY_UNIT__COUNT;
}

int64_t eddy_ts_extract(int64_t ts, eddy_time_unit u)
{
    int32_t msod = eddy_ts_time_of_day(ts);
    switch (u) {
    case EDDY_UNIT_HOUR: return msod / 3600000;
    case EDDY_UNIT_MINUTE: return msod / 60000 % 60;
    case EDDY_UNIT_SECOND: return msod / 1000 % 60;
    case EDDY_UNIT_MILLISECOND: return msod % 60000;
    case EDDY_UNIT_MICROSECOND: return (int64_t)(msod % 60000) * 1000;
    case EDDY_UNIT_NANOSECOND: return (int64_t)(msod % 60000) * 1000000;
    case EDDY_UNIT_EPOCH: return eddy_floordiv_i64(ts, 1000);
    default: break;
    }
    int64_t days = eddy_ts_days(ts);
    switch (u) {
    case EDDY_UNIT_DOW: return sun_dow0(days) + 1;
    case EDDY_UNIT_ISODOW: return iso_dow(days);
    case EDDY_UNIT_WEEK:
    case EDDY_UNIT_ISOYEAR: {
        int w, wy;
        iso_week(days, &w, &wy);
        return u == EDDY_UNIT_WEEK ? w : wy;
    }
    default: break;
    }
    int y, m, d;
    eddy_civil_from_days(days, &y, &m, &d);
    switch (u) {
    case EDDY_UNIT_YEAR: return y;
    case EDDY_UNIT_QUARTER: return (m - 1) / 3 + 1;
    case EDDY_UNIT_MONTH: return m;
    case EDDY_UNIT_DAY: return d;
    case EDDY_UNIT_DOY: return days - eddy_days_from_civil(y, 1, 1) + 1;
    /* Calcite's julianExtract, with Java's truncating division */
    case EDDY_UNIT_DECADE: return y / 10;
    case EDDY_UNIT_CENTURY: return y > 0 ? (y + 99) / 100 : (y - 99) / 100;
    case EDDY_UNIT_MILLENNIUM: return y > 0 ? (y + 999) / 1000 : (y - 999) / 1000;
    default: return 0;
    }
}

int eddy_ts_add_months(int64_t ts, int64_t months, int64_t *out)
{
    int64_t days = eddy_ts_days(ts);
    int32_t msod = eddy_ts_time_of_day(ts);
    int y, m, d;
    eddy_civil_from_days(days, &y, &m, &d);
    int64_t t;
    if (eddy_add_i64((int64_t)y * 12 + (m - 1), months, &t)) return EDDY_ERUNTIME;
    int64_t ny = eddy_floordiv_i64(t, 12);
    int nm = (int)eddy_floormod_i64(t, 12) + 1;
    if (ny > MAX_ABS_YEAR || ny < -MAX_ABS_YEAR) return EDDY_ERUNTIME;
    int dim = eddy_days_in_month(ny, nm);
    int64_t nd = eddy_days_from_civil(ny, nm, d > dim ? dim : d), r;
    if (eddy_mul_i64(nd, EDDY_MS_PER_DAY, &r) || eddy_add_i64(r, msod, &r)) return EDDY_ERUNTIME;
    *out = r;
    return 0;
}

int eddy_date_add_months(int32_t days, int64_t months, int32_t *out)
{
    int64_t r;
    if (eddy_ts_add_months((int64_t)days * EDDY_MS_PER_DAY, months, &r)) return EDDY_ERUNTIME;
    r /= EDDY_MS_PER_DAY;
    if (r > INT32_MAX || r < INT32_MIN) return EDDY_ERUNTIME;
    *out = (int32_t)r;
    return 0;
}

int eddy_ts_add(eddy_time_unit u, int64_t n, int64_t ts, int64_t *out)
{
    int64_t len = fixed_ms(u), r;
    if (len) {
        if (eddy_mul_i64(n, len, &r) || eddy_add_i64(ts, r, &r)) return EDDY_ERUNTIME;
        *out = r;
        return 0;
    }
    int months;
    switch (u) {
    case EDDY_UNIT_MONTH: months = 1; break;
    case EDDY_UNIT_QUARTER: months = 3; break;
    case EDDY_UNIT_YEAR: months = 12; break;
    default: return EDDY_EUNSUPPORTED;
    }
    if (eddy_mul_i64(n, months, &r)) return EDDY_ERUNTIME;
    return eddy_ts_add_months(ts, r, out);
}

/* Month index (year * 12 + month - 1) and day of a day number. */
static int64_t month_index(int64_t days, int *d)
{
    int y, m;
    eddy_civil_from_days(days, &y, &m, d);
    return (int64_t)y * 12 + m - 1;
}

/* Calcite's subtractMonths(int d0, int d1) on day numbers: whole months from d1 to d0. */
static int64_t months_between_days(int64_t d1, int64_t d0)
{
    if (d0 < d1) return -months_between_days(d0, d1);
    int day0, day1;
    int64_t mi0 = month_index(d0, &day0), mi1 = month_index(d1, &day1);
    int64_t m = mi0 - mi1;
    /* d1 + m months lands in d0's month, on day1 clamped to the month's length */
    int dim = eddy_days_in_month(eddy_floordiv_i64(mi0, 12), (int)eddy_floormod_i64(mi0, 12) + 1);
    int landed = day1 > dim ? dim : day1;
    if (landed > day0) m--;
    return m;
}

int64_t eddy_ts_months_between(int64_t a, int64_t b)
{
    /* Calcite's subtractMonths(long t0 = b, long t1 = a): months between the days, then one
     * fewer when the day count lands exactly on b's day but b's time of day is earlier. */
    int64_t da = eddy_ts_days(a), db = eddy_ts_days(b);
    int32_t ma = eddy_ts_time_of_day(a), mb = eddy_ts_time_of_day(b);
    int64_t x = months_between_days(da, db);
    if (mb < ma) {
        int64_t landed;
        if (eddy_ts_add_months(da * EDDY_MS_PER_DAY, x, &landed) == 0 &&
            landed == db * EDDY_MS_PER_DAY)
            x--;
    }
    return x;
}

int eddy_ts_diff(eddy_time_unit u, int64_t a, int64_t b, int64_t *out)
{
    switch (u) {
    case EDDY_UNIT_YEAR: *out = eddy_ts_months_between(a, b) / 12; return 0;
    case EDDY_UNIT_QUARTER: *out = eddy_ts_months_between(a, b) / 3; return 0;
    case EDDY_UNIT_MONTH: *out = eddy_ts_months_between(a, b); return 0;
    default: break;
    }
    int64_t d;
    if (eddy_sub_i64(b, a, &d)) return EDDY_ERUNTIME;
    int64_t len = fixed_ms(u);
    if (len) {
        *out = d / len;
        return 0;
    }
    if (u == EDDY_UNIT_MICROSECOND) return eddy_mul_i64(d, 1000, out) ? EDDY_ERUNTIME : 0;
    if (u == EDDY_UNIT_NANOSECOND) return eddy_mul_i64(d, 1000000, out) ? EDDY_ERUNTIME : 0;
    return EDDY_EUNSUPPORTED;
}

/* ------------------------------------------------------------------------------------------ */
/* Intervals                                                                                  */

/* Length in ms of the day-time fields. */
static int64_t dt_field_ms(eddy_time_unit u)
{
    switch (u) {
    case EDDY_UNIT_DAY: return EDDY_MS_PER_DAY;
    case EDDY_UNIT_HOUR: return EDDY_MS_PER_HOUR;
    case EDDY_UNIT_MINUTE: return EDDY_MS_PER_MINUTE;
    case EDDY_UNIT_SECOND: return EDDY_MS_PER_SECOND;
    default: return 0;
    }
}

/* Whether `from [TO to]` is a qualifier Flink accepts. */
static bool qualifier_ok(eddy_time_unit from, eddy_time_unit to)
{
    if (to == EDDY_UNIT_NONE)
        return from == EDDY_UNIT_YEAR || from == EDDY_UNIT_MONTH || dt_field_ms(from) != 0;
    if (from == EDDY_UNIT_YEAR) return to == EDDY_UNIT_MONTH;
    return dt_field_ms(from) && dt_field_ms(to) && to > from;
}

static void qualifier_text(eddy_time_unit from, int lead_prec, eddy_time_unit to, char *buf,
                           size_t n)
{
    int k = snprintf(buf, n, "%s", eddy_time_unit_name(from));
    if (lead_prec >= 0 && k >= 0 && (size_t)k < n)
        k += snprintf(buf + k, n - (size_t)k, "(%d)", lead_prec);
    if (to != EDDY_UNIT_NONE && k >= 0 && (size_t)k < n)
        snprintf(buf + k, n - (size_t)k, " TO %s", eddy_time_unit_name(to));
}

int eddy_interval_parse(const char *text, size_t n, eddy_time_unit from, int lead_prec,
                        eddy_time_unit to, int frac_prec, int64_t *out, eddy_error *err)
{
    char q[64];
    qualifier_text(from, lead_prec, to, q, sizeof q);
    if (!qualifier_ok(from, to))
        return eddy_error_set(err, EDDY_ESYNTAX, 0, 0, "INTERVAL %s is not a valid interval qualifier", q);
    const int lead = lead_prec < 0 ? 2 : lead_prec;
    const int fracp = frac_prec < 0 ? 6 : frac_prec;
    const int shown = n > 200 ? 200 : (int)n;
#define BAD(...)                                                                                   \
    do {                                                                                           \
        char why_[160];                                                                            \
        snprintf(why_, sizeof why_, __VA_ARGS__);                                                  \
        return eddy_error_set(err, EDDY_ESYNTAX, 0, 0, "'%.*s' is not a valid INTERVAL %s%s%s",    \
                              shown, text, q, why_[0] ? ": " : "", why_);                          \
    } while (0)

    if (lead > 10) BAD("the leading precision must be at most 10");
    if (fracp > 9) BAD("the fractional second precision must be at most 9");

    /* the fields to read, in order, and the separator before each */
    eddy_time_unit fields[4];
    char seps[4];
    int nf = 0;
    if (eddy_interval_is_months(from)) {
        fields[nf] = from, seps[nf++] = 0;
        if (to == EDDY_UNIT_MONTH) fields[nf] = EDDY_UNIT_MONTH, seps[nf++] = '-';
    } else {
        eddy_time_unit last = to == EDDY_UNIT_NONE ? from : to;
        for (int u = from; u <= (int)last; u++) {
            fields[nf] = (eddy_time_unit)u;
            seps[nf] = nf == 0 ? 0 : (u == EDDY_UNIT_HOUR ? ' ' : ':');
            nf++;
        }
    }

    const char *s = text;
    size_t len = n;
    trim(&s, &len);
    size_t i = 0;
    bool neg = false;
    if (i < len && (s[i] == '-' || s[i] == '+')) neg = s[i++] == '-';
    int64_t total = 0; /* ms or months */
    int64_t ms_frac = 0;
    for (int f = 0; f < nf; f++) {
        if (seps[f]) {
            if (i >= len || s[i] != seps[f])
                BAD("expected '%c' before the %s field", seps[f], eddy_time_unit_name(fields[f]));
            i++;
        }
        size_t start = i;
        int64_t v = 0;
        while (i < len && dig(s[i]) <= 9) {
            if (v < INT64_C(100000000000)) v = v * 10 + dig(s[i]);
            i++;
        }
        if (i == start) BAD("expected digits for the %s field", eddy_time_unit_name(fields[f]));
        const char *fname = eddy_time_unit_name(fields[f]);
        if (f == 0) {
            int64_t lim = 1;
            for (int k = 0; k < lead; k++) lim *= 10;
            if (v >= lim)
                BAD("%s field value %lld exceeds its precision of %d digits; write %s(%d)", fname,
                    (long long)v, lead, fname, v >= INT64_C(10000000000) ? 10 : (int)(i - start));
        } else {
            int64_t max = fields[f] == EDDY_UNIT_MONTH ? 11 : fields[f] == EDDY_UNIT_HOUR ? 23 : 59;
            if (v > max) BAD("%s must be between 0 and %lld", fname, (long long)max);
        }
        if (fields[f] == EDDY_UNIT_YEAR)
            total = v * 12;
        else if (fields[f] == EDDY_UNIT_MONTH)
            total += v;
        else
            total += v * dt_field_ms(fields[f]);
    }
    if (i < len && s[i] == '.' && fields[nf - 1] == EDDY_UNIT_SECOND) {
        i++;
        size_t start = i;
        int64_t v = 0;
        while (i < len && dig(s[i]) <= 9) {
            if (i - start < 3) v = v * 10 + dig(s[i]);
            i++;
        }
        size_t nd = i - start;
        if (nd == 0) BAD("expected digits after '.'");
        if ((int)nd > fracp)
            BAD("the fraction has %zu digits, more than the fractional second precision %d", nd, fracp);
        for (size_t k = nd; k < 3; k++) v *= 10;
        ms_frac = v;
    }
    if (i != len) BAD("%s", "");
    total += ms_frac;
    if (neg) total = -total;
    if (eddy_interval_is_months(from) && (total > INT32_MAX || total < INT32_MIN))
        BAD("the value does not fit in 32 bits of months");
    *out = total;
    return 0;
#undef BAD
}

size_t eddy_interval_literal(int64_t v, eddy_time_unit from, eddy_time_unit to, char *buf)
{
    const size_t cap = EDDY_INTERVAL_BUFSZ;
    bool neg = v < 0;
    uint64_t a = neg ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    const char *sign = neg ? "-" : "";
    int k;
    if (to == from) to = EDDY_UNIT_NONE;
    if (eddy_interval_is_months(from)) {
        if (from == EDDY_UNIT_YEAR && (to == EDDY_UNIT_MONTH || a % 12)) {
            uint64_t y = a / 12;
            char prec[16] = "";
            if (y >= 100) snprintf(prec, sizeof prec, "(%d)", snprintf(NULL, 0, "%llu", (unsigned long long)y));
            k = snprintf(buf, cap, "INTERVAL '%s%llu-%llu' YEAR%s TO MONTH", sign,
                         (unsigned long long)y, (unsigned long long)(a % 12), prec);
        } else {
            uint64_t x = from == EDDY_UNIT_YEAR ? a / 12 : a;
            char prec[16] = "";
            if (x >= 100) snprintf(prec, sizeof prec, "(%d)", snprintf(NULL, 0, "%llu", (unsigned long long)x));
            k = snprintf(buf, cap, "INTERVAL '%s%llu' %s%s", sign, (unsigned long long)x,
                         eddy_time_unit_name(from), prec);
        }
        return k < 0 ? 0 : (size_t)k;
    }
    if (!dt_field_ms(from)) from = EDDY_UNIT_SECOND;
    eddy_time_unit last = to == EDDY_UNIT_NONE ? from : to;
    if (!dt_field_ms(last) || last < from) last = from;
    if (last != EDDY_UNIT_SECOND && a % (uint64_t)dt_field_ms(last)) last = EDDY_UNIT_SECOND;
    /* a leading field can have at most 10 digits: lead with DAY when it would need more */
    if ((a / (uint64_t)dt_field_ms(from)) >= UINT64_C(10000000000)) from = EDDY_UNIT_DAY;
    char body[48];
    char *p = body;
    uint64_t lead = a / (uint64_t)dt_field_ms(from), rest = a % (uint64_t)dt_field_ms(from);
    p += snprintf(p, sizeof body, "%llu", (unsigned long long)lead);
    int lead_digits = (int)(p - body);
    for (int u = from + 1; u <= (int)last; u++) {
        uint64_t fl = (uint64_t)dt_field_ms((eddy_time_unit)u);
        uint64_t x = rest / fl;
        rest %= fl;
        *p++ = u == EDDY_UNIT_HOUR ? ' ' : ':';
        p = put2(p, (unsigned)x);
    }
    if (last == EDDY_UNIT_SECOND) p = put_frac(p, (unsigned)(a % 1000), 3, true);
    *p = 0;
    char prec[16] = "";
    if (lead_digits > 2) snprintf(prec, sizeof prec, "(%d)", lead_digits);
    if (last != from)
        k = snprintf(buf, cap, "INTERVAL '%s%s' %s%s TO %s", sign, body, eddy_time_unit_name(from),
                     prec, eddy_time_unit_name(last));
    else
        k = snprintf(buf, cap, "INTERVAL '%s%s' %s%s", sign, body, eddy_time_unit_name(from), prec);
    return k < 0 ? 0 : (size_t)k;
}

size_t eddy_interval_format_dt(int64_t ms, char *buf)
{
    bool neg = ms < 0;
    uint64_t a = neg ? (uint64_t)0 - (uint64_t)ms : (uint64_t)ms;
    uint64_t days = a / (uint64_t)EDDY_MS_PER_DAY;
    unsigned msod = (unsigned)(a % (uint64_t)EDDY_MS_PER_DAY);
    int k = snprintf(buf, EDDY_TS_BUFSZ, "%c%llu ", neg ? '-' : '+', (unsigned long long)days);
    char *p = put_hms(buf + k, (int32_t)msod);
    *p++ = '.';
    p = put3(p, msod % 1000);
    *p = 0;
    return (size_t)(p - buf);
}

size_t eddy_interval_format_ym(int32_t months, char *buf)
{
    bool neg = months < 0;
    uint32_t a = neg ? (uint32_t)0 - (uint32_t)months : (uint32_t)months;
    int k = snprintf(buf, EDDY_TS_BUFSZ, "%c%u-%02u", neg ? '-' : '+', a / 12, a % 12);
    return k < 0 ? 0 : (size_t)k;
}

int64_t eddy_gcd_i64(int64_t a, int64_t b)
{
    uint64_t x = a < 0 ? (uint64_t)0 - (uint64_t)a : (uint64_t)a;
    uint64_t y = b < 0 ? (uint64_t)0 - (uint64_t)b : (uint64_t)b;
    while (y) {
        uint64_t t = x % y;
        x = y;
        y = t;
    }
    return (int64_t)x;
}
