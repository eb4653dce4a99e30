/*
 * datefmt.h: Java date patterns compiled once, for DATE_FORMAT, TO_TIMESTAMP(s, fmt),
 * FROM_UNIXTIME and UNIX_TIMESTAMP(s, fmt).
 *
 * Flink documents DATE_FORMAT and FROM_UNIXTIME as SimpleDateFormat patterns and parses
 * TO_TIMESTAMP with java.time.DateTimeFormatter (DateTimeUtils.parseTimestampData); its
 * formatTimestamp on a TIMESTAMP has also gone through DateTimeFormatter in recent versions (see
 * eddy_datefmt_compile_ex for the few letters where that shows). Both read the same pattern
 * letters, but a few mean different things, and eddy follows each side:
 *
 *   letter  formatting (SimpleDateFormat)            parsing (DateTimeFormatter)
 *   y       year; yy = last two digits, else the      year; yy = 2000..2099, else >= count
 *           year padded to count digits               digits
 *   u       day number of week, 1 = Monday            year (as y)
 *   M, L    month: M/MM number, MMM "Jan", MMMM+ "January"  (same; names are case-sensitive)
 *   d       day of month                              (same)
 *   H k     hour 0-23, hour 1-24                      (same)
 *   h K     hour 1-12, hour 0-11 (with a)             (same; needs a)
 *   m s     minute, second                            (same)
 *   S       milliseconds as a number (S on 5 ms = 5,  fraction of second, exactly count digits
 *           SSS = 005)
 *   a       AM / PM                                   (same)
 *   E       Mon (E..EEE), Monday (EEEE+)              (same; checked against the date)
 *   D       day of year                               (same)
 *   G       AD / BC                                   AD only
 *   w W Y F week of year, week of month, week year,   not supported (compile succeeds,
 *           day-of-week-in-month (US weeks: Sunday   eddy_datefmt_check_parse reports it)
 *           first, week 1 holds Jan 1)
 *   'text'  literal text; '' is a quote; any other non-letter is literal.
 * A count of 1 reads 1..2 digits (D: 1..3) when parsing, a count of 2 or more exactly count.
 * Other letters (time zones z Z X included: a TIMESTAMP has no zone) are an error at compile
 * time with their position. Names are English (Locale.US), dates proleptic Gregorian (Java's
 * old Date/Calendar switch to Julian before 1582 is not reproduced), and years <= 0 print
 * with a minus sign.
 *
 * Parsing is strict: every field must be present with its digits, month 1..12, a real day of
 * the month (Feb 30 is an error, not clamped), hours/minutes/seconds in range, nothing left
 * over. Missing fields default to 1970-01-01 00:00:00.000 (Flink's fromTemporalAccessor). Like
 * Flink, when the pattern does not match, the text is tried once more as Java's
 * Timestamp.valueOf / Date.valueOf read it: `yyyy-[M]M-[d]d[ [H]H:[m]m:[s]s[.f]]` (surrounding
 * spaces allowed, seconds required after a space, no 'T'; fields validated).
 *
 *     eddy_error err; eddy_error_clear(&err);
 *     eddy_datefmt *f = eddy_datefmt_compile("yyyy-MM-dd", &err);  // once, at plan time
 *     char buf[64];                                             // >= eddy_datefmt_max_len(f)
 *     size_t n = eddy_datefmt_format(f, ts, buf, sizeof buf);   // per value, no allocation
 *     eddy_datefmt_free(f);
 *
 * A compiled pattern is immutable: many threads may format and parse with it at once.
 * 'yyyy-MM-dd', 'HH:mm', 'yyyy-MM-dd HH:mm:ss', 'yyyy-MM-dd HH:mm:ss.SSS', 'HH:mm:ss',
 * 'yyyy-MM-dd HH:mm' and 'yyyyMMdd' have hand-written fast paths (Nexmark q10, q15-q17).
 */
#ifndef EDDY_COMMON_DATEFMT_H
#define EDDY_COMMON_DATEFMT_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

typedef struct eddy_datefmt eddy_datefmt;

/* How formatting reads the letters that SimpleDateFormat and java.time disagree on. */
enum {
    EDDY_DATEFMT_SIMPLE = 0,    /* SimpleDateFormat, as Flink documents DATE_FORMAT, FROM_UNIXTIME */
    EDDY_DATEFMT_JAVA_TIME = 1, /* DateTimeFormatter, as Flink's formatTimestamp runs on TIMESTAMP */
};

/* Compiles a pattern (SimpleDateFormat flavour). Returns a new object to free with
 * eddy_datefmt_free, or NULL with err set (EDDY_EBIND, message naming the letter and its
 * 1-based position in the pattern). */
eddy_datefmt *eddy_datefmt_compile(const char *pattern, eddy_error *err);
/* The same with a flavour. EDDY_DATEFMT_JAVA_TIME changes formatting only: S..S is the fraction
 * of the second in as many digits (S on 123 ms = 1), u is the proleptic year, y the year of era
 * (year 0 = 1, BC), yyyy of a year beyond 9999 gets a '+' (SignStyle.EXCEEDS_PAD), MMMMM and
 * EEEEE are the narrow names ("A", "T"), and more than 5 M or E is an error. Parsing is the
 * same in both (it always follows DateTimeFormatter). */
eddy_datefmt *eddy_datefmt_compile_ex(const char *pattern, int flavor, eddy_error *err);
void eddy_datefmt_free(eddy_datefmt *f);

/* The pattern text as compiled. */
const char *eddy_datefmt_pattern(const eddy_datefmt *f);

/* Most bytes eddy_datefmt_format can write for this pattern (any timestamp). */
size_t eddy_datefmt_max_len(const eddy_datefmt *f);

/* Formats ts (ms since epoch) into buf; returns the length (no NUL is written), or 0 when cap
 * is below eddy_datefmt_max_len(f). */
size_t eddy_datefmt_format(const eddy_datefmt *f, int64_t ts, char *buf, size_t cap);

/* 0 when the pattern can be used for parsing, else EDDY_EUNSUPPORTED with err set. */
int eddy_datefmt_check_parse(const eddy_datefmt *f, eddy_error *err);

/* Parses s[0..n) into ms since epoch. Returns 0, or EDDY_EDATA for text that matches neither
 * the pattern nor the lenient fallback (Flink's TO_TIMESTAMP then gives NULL), or
 * EDDY_EUNSUPPORTED for a pattern eddy_datefmt_check_parse rejects. */
int eddy_datefmt_parse(const eddy_datefmt *f, const char *s, size_t n, int64_t *out);

#endif
