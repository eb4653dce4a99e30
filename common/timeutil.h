/*
 * timeutil.h: calendar and time arithmetic on eddy's time values, with Flink SQL's semantics.
 *
 * Representations (DESIGN.md):
 *   TIMESTAMP(p), p <= 3   int64 milliseconds since 1970-01-01 00:00:00 of a wall clock with no
 *                          zone; proleptic Gregorian calendar, negative values before 1970.
 *   DATE                   int32 days since 1970-01-01.
 *   TIME(p)                int32 milliseconds of the day, 0 .. 86399999.
 *   INTERVAL DAY TO SECOND int64 milliseconds (any day-time qualifier).
 *   INTERVAL YEAR TO MONTH int32 months (YEAR, MONTH, YEAR TO MONTH).
 *
 * Everything here is pure computation on those integers: no allocation, no locale, no time
 * zone, thread-safe. Functions meant for the runtime's column loops (parse, format, floor,
 * extract, window start) are written to be fast: formatting writes into a caller buffer and
 * returns the length. The supported range is what int64 milliseconds can hold (about year
 * -292 million to +292 million); parsing and formatting by pattern handle years 0000..9999 in
 * four digits, and others with a sign as Java's LocalDateTime does (-0001, +10000).
 *
 * Unit semantics (FLOOR/CEIL TO, EXTRACT) follow Calcite's DateTimeUtils as Flink uses them:
 *   - WEEK floors to the Sunday on or before the day (Calcite's julianDateFloor: dow 0 = Sunday).
 *     EXTRACT(WEEK) is the ISO-8601 week number (weeks start on Monday, week 1 holds the
 *     year's first Thursday), as Calcite's getIso8601WeekNumber. Both are Flink's; they
 *     disagree with each other, as in Flink.
 *   - DECADE starts at years divisible by 10; CENTURY at year 100*k+1 (2001-01-01 starts the
 *     21st century); MILLENNIUM at 1000*k+1 (2001-01-01).
 *   - CEIL(x TO unit) is the smallest unit boundary >= x: an aligned value stays, and the time
 *     of day counts (CEIL(TIMESTAMP '2020-01-01 10:00:00' TO YEAR) = 2021-01-01). Flink's
 *     timestampCeil looks only at the day for calendar units and always moves MILLENNIUM,
 *     CENTURY and DECADE forward; eddy takes the mathematical ceiling instead.
 *   - EXTRACT(DOW) is 1 = Sunday .. 7 = Saturday; ISODOW is 1 = Monday .. 7 = Sunday.
 *     MILLISECOND is seconds * 1000 + milliseconds (ms within the minute), MICROSECOND the same
 *     in microseconds, as Flink's convertExtract. EPOCH is whole seconds since the epoch (floor).
 *     CENTURY and MILLENNIUM count as Calcite: (year + 99) / 100, (year + 999) / 1000.
 *   - Negative timestamps use floor division everywhere: -1 ms is 1969-12-31 23:59:59.999.
 */
#ifndef EDDY_COMMON_TIMEUTIL_H
#define EDDY_COMMON_TIMEUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "common/sqltype.h"

#define EDDY_MS_PER_SECOND INT64_C(1000)
#define EDDY_MS_PER_MINUTE INT64_C(60000)
#define EDDY_MS_PER_HOUR INT64_C(3600000)
#define EDDY_MS_PER_DAY INT64_C(86400000)
#define EDDY_MS_PER_WEEK INT64_C(604800000)

/* Size of a buffer big enough for any timestamp, date, time or interval text written here. */
#define EDDY_TS_BUFSZ 48
/* Size of a buffer big enough for any eddy_interval_literal text. */
#define EDDY_INTERVAL_BUFSZ 96

/* ------------------------------------------------------------------------------------------ */
/* Calendar                                                                                   */

/* A timestamp broken into fields. */
typedef struct eddy_tm {
    int year;     /* proleptic Gregorian year, 0 = 1 BC */
    int month;    /* 1 .. 12 */
    int day;      /* 1 .. 31 */
    int hour;     /* 0 .. 23 */
    int minute;   /* 0 .. 59 */
    int second;   /* 0 .. 59 */
    int millis;   /* 0 .. 999 */
    int doy;      /* day of year, 1 .. 366 */
    int dow_iso;  /* ISO day of week, 1 = Monday .. 7 = Sunday */
    int dow_sun;  /* day of week, 1 = Sunday .. 7 = Saturday (Flink's DOW) */
    int iso_week; /* ISO-8601 week number, 1 .. 53 */
    int iso_year; /* ISO-8601 week-based year (differs from year near Jan 1) */
} eddy_tm;

static inline bool eddy_is_leap(int64_t y)
{
    return (y % 4 == 0) && (y % 100 != 0 || y % 400 == 0);
}
/* Days in month m (1..12) of year y. */
int eddy_days_in_month(int64_t y, int m);
/* True when y-m-d is a real day (month 1..12, day within the month). */
bool eddy_date_valid(int64_t y, int m, int d);

/* Days since 1970-01-01 of the civil date y-m-d (m 1..12, d 1..31; not validated). */
int64_t eddy_days_from_civil(int64_t y, int m, int d);
/* The civil date of a day number. */
void eddy_civil_from_days(int64_t days, int *y, int *m, int *d);

/* Timestamp of the given fields (not validated: out-of-range fields just add up). */
int64_t eddy_ts_from_fields(int y, int mo, int d, int h, int mi, int s, int ms);
/* All fields of a timestamp. */
void eddy_ts_to_fields(int64_t ts, eddy_tm *tm);

/* Splits a timestamp into its day number (floor) and millisecond of that day (0..86399999). */
static inline int64_t eddy_ts_days(int64_t ts)
{
    int64_t d = ts / EDDY_MS_PER_DAY;
    if (ts % EDDY_MS_PER_DAY < 0) d--;
    return d;
}
static inline int32_t eddy_ts_time_of_day(int64_t ts)
{
    int64_t m = ts % EDDY_MS_PER_DAY;
    return (int32_t)(m < 0 ? m + EDDY_MS_PER_DAY : m);
}

/* ------------------------------------------------------------------------------------------ */
/* Parsing                                                                                    */

/* What eddy_ts_parse accepts. The date is always yyyy-MM-dd with exactly 4-2-2 digits. */
enum {
    EDDY_TSP_SPACE = 1 << 0,    /* ' ' between date and time */
    EDDY_TSP_T = 1 << 1,        /* 'T' between date and time */
    EDDY_TSP_Z = 1 << 2,        /* an optional trailing 'Z' (only after a time) */
    EDDY_TSP_DATE_ONLY = 1 << 3,/* yyyy-MM-dd alone means midnight */
    EDDY_TSP_NO_SECONDS = 1 << 4,/* HH:mm without :ss */
};
/* Flink JSON 'SQL' standard (yyyy-MM-dd HH:mm:ss[.f{1,9}]) plus date only and HH:mm. */
#define EDDY_TSP_SQL (EDDY_TSP_SPACE | EDDY_TSP_DATE_ONLY | EDDY_TSP_NO_SECONDS)
/* Flink JSON 'ISO-8601' (yyyy-MM-ddTHH:mm:ss[.f{1,9}][Z]) plus date only and HH:mm. */
#define EDDY_TSP_ISO (EDDY_TSP_T | EDDY_TSP_Z | EDDY_TSP_DATE_ONLY | EDDY_TSP_NO_SECONDS)
#define EDDY_TSP_ANY (EDDY_TSP_SQL | EDDY_TSP_ISO)

/*
 * Parses s[0..n) by fixed positions: yyyy-MM-dd[<sep>HH:mm[:ss[.f{1,9}]]][Z] as `flags` allow.
 * The fraction is truncated to milliseconds. Every field is validated (month 13, Feb 30,
 * hour 24 are errors). No surrounding spaces. Returns 0 and sets *out, or EDDY_EDATA.
 */
int eddy_ts_parse(const char *s, size_t n, unsigned flags, int64_t *out);

/*
 * Flink's lenient form for CAST(string AS TIMESTAMP) and TO_TIMESTAMP's fallback (Java's
 * Timestamp.valueOf / Date.valueOf shapes): surrounding spaces trimmed, year of 4 digits,
 * month, day, hour, minute and second of 1 or 2 digits, ' ' or 'T' before the time, seconds
 * and a fraction of 1..9 digits optional, date alone = midnight. Fields are validated.
 * Returns 0 or EDDY_EDATA.
 */
int eddy_ts_parse_lenient(const char *s, size_t n, int64_t *out);

/* DATE 'yyyy-MM-dd' (also 1-digit month and day, surrounding spaces): 0 or EDDY_EDATA. */
int eddy_date_parse(const char *s, size_t n, int32_t *days);
/* TIME 'HH:mm[:ss[.f{1,9}]]' (hour also 1 digit, surrounding spaces): 0 or EDDY_EDATA. */
int eddy_time_parse(const char *s, size_t n, int32_t *ms);

/* ------------------------------------------------------------------------------------------ */
/* Formatting: each writes text and a NUL into buf (EDDY_TS_BUFSZ bytes) and returns the      */
/* length without the NUL.                                                                    */

/* eddy's canonical form yyyy-MM-dd HH:mm:ss.SSS (always three fraction digits). */
size_t eddy_ts_format(int64_t ts, char *buf);

enum {
    EDDY_TSF_ISO = 1 << 0,  /* 'T' between date and time instead of ' ' */
    EDDY_TSF_Z = 1 << 1,    /* append 'Z' (TIMESTAMP_LTZ in ISO-8601) */
    EDDY_TSF_TRIM = 1 << 2, /* fraction without trailing zeros, none when 0 (Flink's JSON writer) */
};
/*
 * The general form: `prec` fraction digits (0..9; digits past milliseconds are 0), as Flink
 * prints a TIMESTAMP(prec) value (CAST to STRING, the SQL client); with EDDY_TSF_TRIM the
 * fraction drops its trailing zeros (prec is then the most digits shown).
 */
size_t eddy_ts_format_ex(int64_t ts, int prec, unsigned flags, char *buf);

/* yyyy-MM-dd */
size_t eddy_date_format(int64_t days, char *buf);
/* HH:mm:ss plus `prec` fraction digits (0..9), as Flink prints TIME(prec). */
size_t eddy_time_format(int32_t ms, int prec, char *buf);

/* ------------------------------------------------------------------------------------------ */
/* Units: FLOOR / CEIL / EXTRACT / TIMESTAMPADD / TIMESTAMPDIFF                               */

/* Whether FLOOR/CEIL(x TO u) is defined: MILLENNIUM .. MILLISECOND (MICROSECOND and
 * NANOSECOND are finer than a millisecond, so they leave the value as it is). */
bool eddy_ts_floor_supported(eddy_time_unit u);
/* FLOOR(ts TO u), CEIL(ts TO u); u must be supported (else ts is returned). */
int64_t eddy_ts_floor(int64_t ts, eddy_time_unit u);
int64_t eddy_ts_ceil(int64_t ts, eddy_time_unit u);

/* Whether EXTRACT(u FROM x) is defined: every unit but NONE. */
bool eddy_ts_extract_supported(eddy_time_unit u);
/* EXTRACT(u FROM ts) (see the header comment); 0 for an unsupported unit. DATE values use
 * days * EDDY_MS_PER_DAY, TIME values their milliseconds. */
int64_t eddy_ts_extract(int64_t ts, eddy_time_unit u);

/*
 * TIMESTAMPADD(u, n, ts) and `ts + INTERVAL`: YEAR, QUARTER, MONTH move by calendar months and
 * clamp to the month's last day (2020-01-31 + 1 MONTH = 2020-02-29), keeping the time of day;
 * WEEK, DAY, HOUR, MINUTE, SECOND, MILLISECOND add fixed milliseconds. Returns 0, EDDY_ERUNTIME
 * on overflow of the timestamp range, EDDY_EUNSUPPORTED for another unit.
 */
int eddy_ts_add(eddy_time_unit u, int64_t n, int64_t ts, int64_t *out);
/* ts + months calendar months (clamping); 0 or EDDY_ERUNTIME. */
int eddy_ts_add_months(int64_t ts, int64_t months, int64_t *out);
/* date + months calendar months (clamping); 0 or EDDY_ERUNTIME (outside int32 days). */
int eddy_date_add_months(int32_t days, int64_t months, int32_t *out);

/*
 * Whole calendar months from a to b, truncated toward zero: the largest m with
 * a + m months <= b (for b >= a), as Calcite's subtractMonths: 2020-01-31 .. 2020-02-29 is one
 * month, 2020-01-15 10:00 .. 2020-02-15 09:59 is zero.
 */
int64_t eddy_ts_months_between(int64_t a, int64_t b);
/*
 * TIMESTAMPDIFF(u, a, b): b - a in whole units, truncated toward zero. YEAR, QUARTER, MONTH by
 * calendar (months / 12, months / 3); WEEK .. MILLISECOND by fixed lengths; MICROSECOND and
 * NANOSECOND scale milliseconds. Flink's result type is INT: the caller checks the range.
 * Returns 0, EDDY_ERUNTIME on overflow, EDDY_EUNSUPPORTED for another unit.
 */
int eddy_ts_diff(eddy_time_unit u, int64_t a, int64_t b, int64_t *out);

/* ------------------------------------------------------------------------------------------ */
/* Intervals                                                                                  */

/* True for YEAR, MONTH (and YEAR TO MONTH): such intervals count months, others milliseconds. */
static inline bool eddy_interval_is_months(eddy_time_unit from)
{
    return from == EDDY_UNIT_YEAR || from == EDDY_UNIT_MONTH;
}

/*
 * The value of INTERVAL 'text' from[(lead_prec)] [TO to[(frac_prec)]] (to = EDDY_UNIT_NONE
 * for a single field; frac_prec may also come from SECOND(lead, frac)): milliseconds for
 * day-time qualifiers, months for year-month ones, into *out.
 *
 * Accepted text, after trimming spaces, with an optional leading '+' or '-':
 *   YEAR 'Y'  YEAR TO MONTH 'Y-M'  MONTH 'M'
 *   DAY 'D'  DAY TO HOUR 'D H'  DAY TO MINUTE 'D H:M'  DAY TO SECOND 'D H:M:S[.f]'
 *   HOUR 'H'  HOUR TO MINUTE 'H:M'  HOUR TO SECOND 'H:M:S[.f]'
 *   MINUTE 'M'  MINUTE TO SECOND 'M:S[.f]'  SECOND 'S[.f]'
 * The leading field has at most lead_prec digits (-1 = Calcite's default of 2, so '100' DAY
 * needs DAY(3)); the others are bounded (MONTH 0..11, HOUR 0..23, MINUTE and SECOND 0..59);
 * the fraction has at most frac_prec digits (-1 = 6) and is truncated to milliseconds.
 * Returns 0, or EDDY_ESYNTAX with a message like
 * "'1:99' is not a valid INTERVAL MINUTE TO SECOND: SECOND must be between 0 and 59"
 * (no position: the caller knows where the literal is).
 */
int eddy_interval_parse(const char *text, size_t n, eddy_time_unit from, int lead_prec,
                        eddy_time_unit to, int frac_prec, int64_t *out, eddy_error *err);

/*
 * SQL text of an interval value for EXPLAIN and printing plans: "INTERVAL '5' SECOND" from
 * 5000 with from = SECOND. The literal uses the given qualifier when the value is exact in it
 * and widens `to` down to SECOND when it is not (90000 ms as MINUTE gives
 * "INTERVAL '1:30' MINUTE TO SECOND"); a leading field of more than 2 digits gets its
 * precision ("INTERVAL '100' DAY(3)") so that the text parses back to the same value.
 * Writes a NUL-terminated string into buf (EDDY_INTERVAL_BUFSZ bytes); returns its length.
 */
size_t eddy_interval_literal(int64_t v, eddy_time_unit from, eddy_time_unit to, char *buf);

/* Flink's display of a day-time interval (INTERVAL DAY TO SECOND(3)): "+0 00:00:05.000",
 * "-1 02:03:04.500". */
size_t eddy_interval_format_dt(int64_t ms, char *buf);
/* Flink's display of a year-month interval: "+1-06" (18 months), "-0-03". */
size_t eddy_interval_format_ym(int32_t months, char *buf);

/* ------------------------------------------------------------------------------------------ */
/* Windows                                                                                    */

/*
 * Start of the tumbling window of size size_ms (> 0) shifted by offset_ms that contains ts:
 * the largest start <= ts with start = offset (mod size). Negative ts floor correctly
 * (Flink's TimeWindow.getWindowStartWithOffset). HOP/CUMULATE slices use the same with the
 * slice size; the caller keeps ts - size away from INT64_MIN.
 */
static inline int64_t eddy_window_start(int64_t ts, int64_t size_ms, int64_t offset_ms)
{
    int64_t r = (ts - offset_ms) % size_ms;
    if (r < 0) r += size_ms;
    return ts - r;
}

/* Greatest common divisor of |a| and |b| (gcd(0, 0) = 0): the slice size of HOP(slide, size). */
int64_t eddy_gcd_i64(int64_t a, int64_t b);

#endif
