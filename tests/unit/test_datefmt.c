/*
 * test_datefmt.c: unit tests of common/datefmt (DATE_FORMAT / TO_TIMESTAMP patterns).
 *
 * Formatting is checked by hand-written cases of every letter, against glibc's strftime for
 * random timestamps, and fast paths against the general program; parsing by cases, strictness
 * and format -> parse round trips.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/datefmt.h"
#include "common/timeutil.h"

static uint64_t rng_state = 0x2545F4914F6CDD1Du;
static uint64_t rnd(void)
{
    uint64_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return rng_state = x;
}

static int64_t TS(const char *s)
{
    int64_t v = 0;
    if (eddy_ts_parse(s, strlen(s), EDDY_TSP_ANY, &v) != 0) fail_msg("bad literal '%s'", s);
    return v;
}

static eddy_datefmt *compile_ok(const char *pat)
{
    eddy_error err;
    eddy_error_clear(&err);
    eddy_datefmt *f = eddy_datefmt_compile(pat, &err);
    if (!f) fail_msg("compile '%s': %s", pat, err.msg);
    return f;
}

/* DATE_FORMAT(ts, pat) as a NUL-terminated static string */
static const char *fmt(const char *pat, int64_t ts)
{
    static char out[512];
    eddy_datefmt *f = compile_ok(pat);
    char buf[512];
    size_t n = eddy_datefmt_format(f, ts, buf, sizeof buf);
    assert_true(n <= eddy_datefmt_max_len(f));
    memcpy(out, buf, n);
    out[n] = 0;
    eddy_datefmt_free(f);
    return out;
}

static void test_format_letters(void **state)
{
    (void)state;
    int64_t ts = TS("2021-08-03 14:05:09.007"); /* a Tuesday, day 215 */
    assert_string_equal(fmt("yyyy-MM-dd", ts), "2021-08-03");
    assert_string_equal(fmt("HH:mm", ts), "14:05");
    assert_string_equal(fmt("HH:mm:ss", ts), "14:05:09");
    assert_string_equal(fmt("yyyy-MM-dd HH:mm", ts), "2021-08-03 14:05");
    assert_string_equal(fmt("yyyy-MM-dd HH:mm:ss", ts), "2021-08-03 14:05:09");
    assert_string_equal(fmt("yyyy-MM-dd HH:mm:ss.SSS", ts), "2021-08-03 14:05:09.007");
    assert_string_equal(fmt("yyyyMMdd", ts), "20210803");
    assert_string_equal(fmt("y", ts), "2021");
    assert_string_equal(fmt("yy", ts), "21");
    assert_string_equal(fmt("yyy", ts), "2021");
    assert_string_equal(fmt("yyyyy", ts), "02021");
    assert_string_equal(fmt("M", ts), "8");
    assert_string_equal(fmt("MM", ts), "08");
    assert_string_equal(fmt("MMM", ts), "Aug");
    assert_string_equal(fmt("MMMM", ts), "August");
    assert_string_equal(fmt("MMMMM", ts), "August");
    assert_string_equal(fmt("LLL", ts), "Aug");
    assert_string_equal(fmt("d", ts), "3");
    assert_string_equal(fmt("dd", ts), "03");
    assert_string_equal(fmt("ddd", ts), "003");
    assert_string_equal(fmt("H", ts), "14");
    assert_string_equal(fmt("h", ts), "2");
    assert_string_equal(fmt("hh", ts), "02");
    assert_string_equal(fmt("k", ts), "14");
    assert_string_equal(fmt("K", ts), "2");
    assert_string_equal(fmt("m", ts), "5");
    assert_string_equal(fmt("mm", ts), "05");
    assert_string_equal(fmt("s", ts), "9");
    assert_string_equal(fmt("ss", ts), "09");
    assert_string_equal(fmt("S", ts), "7"); /* SimpleDateFormat: milliseconds as a number */
    assert_string_equal(fmt("SS", ts), "07");
    assert_string_equal(fmt("SSS", ts), "007");
    assert_string_equal(fmt("SSSS", ts), "0007");
    assert_string_equal(fmt("S", TS("2021-08-03 14:05:09.123")), "123");
    assert_string_equal(fmt("a", ts), "PM");
    assert_string_equal(fmt("E", ts), "Tue");
    assert_string_equal(fmt("EEE", ts), "Tue");
    assert_string_equal(fmt("EEEE", ts), "Tuesday");
    assert_string_equal(fmt("D", ts), "215");
    assert_string_equal(fmt("DD", TS("2021-01-05 00:00:00")), "05");
    assert_string_equal(fmt("u", ts), "2");
    assert_string_equal(fmt("u", TS("2021-08-01 00:00:00")), "7"); /* Sunday */
    assert_string_equal(fmt("F", ts), "1");
    assert_string_equal(fmt("F", TS("2021-08-31 00:00:00")), "5");
    assert_string_equal(fmt("G", ts), "AD");
    assert_string_equal(fmt("w", ts), "32");
    assert_string_equal(fmt("W", ts), "1");
    assert_string_equal(fmt("W", TS("2021-08-08 00:00:00")), "2"); /* weeks start on Sunday */
    assert_string_equal(fmt("W", TS("2021-08-07 00:00:00")), "1");
    /* US week of year: the week of Jan 1 is week 1 even in December */
    assert_string_equal(fmt("w Y", TS("2019-12-31 00:00:00")), "1 2020");
    assert_string_equal(fmt("w Y", TS("2019-12-28 00:00:00")), "52 2019");
    assert_string_equal(fmt("w Y", TS("2021-01-01 00:00:00")), "1 2021");
    assert_string_equal(fmt("w", TS("2021-01-03 00:00:00")), "2");
    assert_string_equal(fmt("w", TS("2017-01-01 00:00:00")), "1"); /* Jan 1 a Sunday */
    assert_string_equal(fmt("w", TS("2017-01-08 00:00:00")), "2");
    /* midnight and noon in the 12-hour clocks */
    assert_string_equal(fmt("h K k H a", TS("2021-08-03 00:30:00")), "12 0 24 0 AM");
    assert_string_equal(fmt("h K k H a", TS("2021-08-03 12:30:00")), "12 0 12 12 PM");
    assert_string_equal(fmt("h K k H a", TS("2021-08-03 23:30:00")), "11 11 23 23 PM");
    /* literals and quotes */
    assert_string_equal(fmt("yyyy-MM-dd'T'HH:mm:ss'Z'", ts), "2021-08-03T14:05:09Z");
    assert_string_equal(fmt("'at' HH 'o''clock'", ts), "at 14 o'clock");
    assert_string_equal(fmt("''yy''", ts), "'21'");
    assert_string_equal(fmt("dd/MM/yyyy", ts), "03/08/2021");
    assert_string_equal(fmt("EEE, d MMM yyyy", ts), "Tue, 3 Aug 2021");
    assert_string_equal(fmt("", ts), "");
    assert_string_equal(fmt("--", ts), "--");
    assert_string_equal(fmt("'yyyy'", ts), "yyyy");
    assert_string_equal(fmt("h:mm a", TS("2021-08-03 09:07:00")), "9:07 AM");
    /* before 1970, year 0 and beyond 9999 */
    assert_string_equal(fmt("yyyy-MM-dd HH:mm:ss.SSS", -1), "1969-12-31 23:59:59.999");
    assert_string_equal(fmt("yyyy-MM-dd", -1), "1969-12-31");
    assert_string_equal(fmt("HH:mm", -1), "23:59");
    assert_string_equal(fmt("yyyy-MM-dd", eddy_ts_from_fields(12345, 6, 7, 0, 0, 0, 0)), "12345-06-07");
    assert_string_equal(fmt("yyyy-MM-dd", eddy_ts_from_fields(-5, 6, 7, 0, 0, 0, 0)), "-0005-06-07");
    assert_string_equal(fmt("G", eddy_ts_from_fields(-5, 6, 7, 0, 0, 0, 0)), "BC");
    assert_string_equal(fmt("yyyy-MM-dd", eddy_ts_from_fields(0, 1, 1, 0, 0, 0, 0)), "0000-01-01");
    assert_string_equal(fmt("yyyy-MM-dd", TS("1900-02-28 00:00:00")), "1900-02-28");
    assert_string_equal(fmt("yyyy-MM-dd", TS("2000-02-29 00:00:00")), "2000-02-29");
}

/* DATE_FORMAT in the java.time flavour */
static const char *fmt_jt(const char *pat, int64_t ts)
{
    static char out[512];
    eddy_error err;
    eddy_error_clear(&err);
    eddy_datefmt *f = eddy_datefmt_compile_ex(pat, EDDY_DATEFMT_JAVA_TIME, &err);
    if (!f) fail_msg("compile '%s': %s", pat, err.msg);
    char buf[512];
    size_t n = eddy_datefmt_format(f, ts, buf, sizeof buf);
    assert_true(n <= eddy_datefmt_max_len(f));
    memcpy(out, buf, n);
    out[n] = 0;
    eddy_datefmt_free(f);
    return out;
}

static void test_java_time_flavor(void **state)
{
    (void)state;
    int64_t ts = TS("2021-08-03 14:05:09.123");
    /* the same as SimpleDateFormat for the usual letters */
    assert_string_equal(fmt_jt("yyyy-MM-dd HH:mm:ss.SSS", ts), "2021-08-03 14:05:09.123");
    assert_string_equal(fmt_jt("yyyy-MM-dd", ts), "2021-08-03");
    assert_string_equal(fmt_jt("HH:mm", ts), "14:05");
    assert_string_equal(fmt_jt("EEE, d MMM yy h:mm a", ts), "Tue, 3 Aug 21 2:05 PM");
    /* S is the fraction of the second */
    assert_string_equal(fmt_jt("S", ts), "1");
    assert_string_equal(fmt_jt("SS", ts), "12");
    assert_string_equal(fmt_jt("SSSSSS", ts), "123000");
    assert_string_equal(fmt("S", ts), "123"); /* SimpleDateFormat: milliseconds */
    /* u is the year, y the year of era */
    assert_string_equal(fmt_jt("uuuu", ts), "2021");
    assert_string_equal(fmt("u", ts), "2"); /* SimpleDateFormat: day number of week */
    int64_t bc = eddy_ts_from_fields(-5, 6, 7, 0, 0, 0, 0);
    assert_string_equal(fmt_jt("yyyy G", bc), "0006 BC");
    assert_string_equal(fmt_jt("uuuu", bc), "-0005");
    assert_string_equal(fmt_jt("yyyy-MM-dd", eddy_ts_from_fields(12345, 6, 7, 0, 0, 0, 0)),
                        "+12345-06-07");
    assert_string_equal(fmt("yyyy-MM-dd", eddy_ts_from_fields(12345, 6, 7, 0, 0, 0, 0)),
                        "12345-06-07");
    assert_string_equal(fmt_jt("y", eddy_ts_from_fields(12345, 6, 7, 0, 0, 0, 0)), "12345");
    /* narrow names */
    assert_string_equal(fmt_jt("MMMMM EEEEE", ts), "A T");
    assert_string_equal(fmt("MMMMM EEEEE", ts), "August Tuesday");
    eddy_error err;
    eddy_error_clear(&err);
    assert_null(eddy_datefmt_compile_ex("MMMMMM", EDDY_DATEFMT_JAVA_TIME, &err));
    assert_string_equal(err.msg, "too many pattern letters 'M' at position 1 in date format 'MMMMMM'");
    /* parsing does not depend on the flavour */
    eddy_datefmt *f = eddy_datefmt_compile_ex("uuuu-MM-dd HH:mm:ss.SSS", EDDY_DATEFMT_JAVA_TIME, &err);
    assert_non_null(f);
    int64_t v;
    assert_int_equal(eddy_datefmt_parse(f, "2021-08-03 14:05:09.123", 23, &v), 0);
    assert_int_equal(v, ts);
    eddy_datefmt_free(f);
}

static void test_compile_errors(void **state)
{
    (void)state;
    eddy_error err;
    eddy_error_clear(&err);
    assert_null(eddy_datefmt_compile("yyyy-qq", &err));
    assert_int_equal(err.code, EDDY_EBIND);
    assert_string_equal(err.msg, "unknown pattern letter 'q' at position 6 in date format 'yyyy-qq'");
    eddy_error_clear(&err);
    assert_null(eddy_datefmt_compile("HH:mm Z", &err));
    assert_string_equal(err.msg, "unknown pattern letter 'Z' at position 7 in date format 'HH:mm Z' "
                                 "(time zones are not supported: TIMESTAMP has no zone)");
    eddy_error_clear(&err);
    assert_null(eddy_datefmt_compile("yyyy 'abc", &err));
    assert_string_equal(err.msg, "unterminated quote at position 6 in date format 'yyyy 'abc'");
    eddy_error_clear(&err);
    assert_null(eddy_datefmt_compile("b", &err));
    eddy_error_clear(&err);
    assert_null(eddy_datefmt_compile("X", &err));
    char big[80];
    memset(big, 'd', 65);
    big[65] = 0;
    eddy_error_clear(&err);
    assert_null(eddy_datefmt_compile(big, &err));

    /* parse-only restrictions */
    eddy_datefmt *f = compile_ok("yyyy 'week' w");
    eddy_error_clear(&err);
    assert_int_equal(eddy_datefmt_check_parse(f, &err), EDDY_EUNSUPPORTED);
    assert_string_equal(err.msg,
                        "pattern letter 'w' at position 13 of 'yyyy 'week' w' cannot be used for parsing");
    int64_t v;
    assert_int_equal(eddy_datefmt_parse(f, "2020 week 3", 11, &v), EDDY_EUNSUPPORTED);
    eddy_datefmt_free(f);
    f = compile_ok("yyyy-MM-dd");
    assert_int_equal(eddy_datefmt_check_parse(f, &err), 0);
    assert_string_equal(eddy_datefmt_pattern(f), "yyyy-MM-dd");
    /* the buffer must hold max_len */
    char buf[64];
    assert_int_equal(eddy_datefmt_max_len(f), 17); /* a year may need a sign and 10 digits */
    assert_int_equal(eddy_datefmt_format(f, 0, buf, 5), 0);
    assert_int_equal(eddy_datefmt_format(f, 0, buf, sizeof buf), 10);
    eddy_datefmt_free(f);
    eddy_datefmt_free(NULL);
}

/* the fast paths agree with the general program (same pattern hidden behind quotes) */
static void test_fast_paths(void **state)
{
    (void)state;
    const char *pairs[][2] = {
        {"yyyy-MM-dd", "yyyy'-'MM'-'dd"},
        {"HH:mm", "HH':'mm"},
        {"HH:mm:ss", "HH':'mm':'ss"},
        {"yyyy-MM-dd HH:mm", "yyyy-MM-dd' 'HH:mm"},
        {"yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd' 'HH:mm:ss"},
        {"yyyy-MM-dd HH:mm:ss.SSS", "yyyy-MM-dd' 'HH:mm:ss.SSS"},
        {"yyyyMMdd", "yyyy'-'MMdd"},
    };
    for (size_t k = 0; k < sizeof pairs / sizeof pairs[0]; k++) {
        eddy_datefmt *a = compile_ok(pairs[k][0]), *b = compile_ok(pairs[k][1]);
        char x[128], y[128];
        for (int i = 0; i < 3000; i++) {
            int64_t ts = (int64_t)(rnd() % (UINT64_C(1) << 50)) - (INT64_C(1) << 49);
            size_t n1 = eddy_datefmt_format(a, ts, x, sizeof x);
            size_t n2 = eddy_datefmt_format(b, ts, y, sizeof y);
            if (strcmp(pairs[k][0], "yyyyMMdd") == 0) {
                /* drop the '-' that keeps the general program from the fast path */
                memmove(y + n2 - 5, y + n2 - 4, 4);
                n2--;
            }
            assert_int_equal(n1, n2);
            assert_memory_equal(x, y, n1);
        }
        eddy_datefmt_free(a);
        eddy_datefmt_free(b);
    }
}

/* random timestamps against strftime in the C locale */
static void test_vs_strftime(void **state)
{
    (void)state;
    eddy_datefmt *f = compile_ok("yyyy-MM-dd HH:mm:ss EEE EEEE MMM MMMM DDD a hh");
    const int64_t lo = eddy_ts_from_fields(1000, 1, 1, 0, 0, 0, 0);
    const int64_t hi = eddy_ts_from_fields(9999, 12, 31, 23, 59, 59, 999);
    for (int i = 0; i < 3000; i++) {
        int64_t ts = lo + (int64_t)(rnd() % (uint64_t)(hi - lo));
        time_t secs = (time_t)eddy_ts_days(ts) * 86400 + eddy_ts_time_of_day(ts) / 1000;
        struct tm g;
        gmtime_r(&secs, &g);
        char want[128], got[128];
        strftime(want, sizeof want, "%Y-%m-%d %H:%M:%S %a %A %b %B %j %p %I", &g);
        size_t n = eddy_datefmt_format(f, ts, got, sizeof got);
        got[n] = 0;
        assert_string_equal(got, want);
    }
    eddy_datefmt_free(f);
}

/* ------------------------------------------------------------------------------------------ */

static int parse(const char *pat, const char *text, int64_t *out)
{
    eddy_datefmt *f = compile_ok(pat);
    int rc = eddy_datefmt_parse(f, text, strlen(text), out);
    eddy_datefmt_free(f);
    return rc;
}

static void test_parse(void **state)
{
    (void)state;
    int64_t v;
#define OK(pat, text, want)                                                                        \
    do {                                                                                           \
        if (parse(pat, text, &v) != 0) fail_msg("TO_TIMESTAMP('%s', '%s') failed", text, pat);    \
        assert_int_equal(v, TS(want));                                                             \
    } while (0)
#define BAD(pat, text)                                                                             \
    do {                                                                                           \
        if (parse(pat, text, &v) != EDDY_EDATA)                                                    \
            fail_msg("TO_TIMESTAMP('%s', '%s') should fail", text, pat);                           \
    } while (0)
    OK("yyyy-MM-dd HH:mm:ss", "2020-01-01 12:00:00", "2020-01-01 12:00:00");
    OK("yyyy-MM-dd HH:mm:ss.SSS", "2020-01-01 12:00:00.123", "2020-01-01 12:00:00.123");
    OK("yyyy-MM-dd HH:mm:ss.S", "2020-01-01 12:00:00.5", "2020-01-01 12:00:00.500");
    OK("yyyy-MM-dd HH:mm:ss.SSSSSS", "2020-01-01 12:00:00.123456", "2020-01-01 12:00:00.123");
    OK("yyyy-MM-dd", "2020-02-29", "2020-02-29 00:00:00");
    OK("yyyyMMdd", "20200229", "2020-02-29 00:00:00");
    OK("yyyyMMddHHmmss", "20200229235958", "2020-02-29 23:59:58");
    OK("dd/MM/yyyy HH:mm", "03/08/2021 14:05", "2021-08-03 14:05:00");
    OK("d/M/yyyy", "3/8/2021", "2021-08-03 00:00:00");
    OK("d/M/yyyy", "13/12/2021", "2021-12-13 00:00:00");
    OK("yy-MM-dd", "21-08-03", "2021-08-03 00:00:00");
    OK("MMM d, yyyy h:mm a", "Aug 3, 2021 2:05 PM", "2021-08-03 14:05:00");
    OK("MMMM d, yyyy hh:mm a", "August 3, 2021 12:05 AM", "2021-08-03 00:05:00");
    OK("EEE, dd MMM yyyy HH:mm:ss", "Tue, 03 Aug 2021 14:05:09", "2021-08-03 14:05:09");
    OK("EEEE yyyy-MM-dd", "Tuesday 2021-08-03", "2021-08-03 00:00:00");
    OK("yyyy-DDD", "2021-215", "2021-08-03 00:00:00");
    OK("yyyy-D", "2020-366", "2020-12-31 00:00:00");
    OK("HH:mm", "14:05", "1970-01-01 14:05:00"); /* missing date: 1970-01-01 */
    OK("yyyy", "1999", "1999-01-01 00:00:00");
    OK("yyyy-MM", "1999-07", "1999-07-01 00:00:00");
    OK("yyyy-MM-dd'T'HH:mm:ss'Z'", "2021-08-03T14:05:09Z", "2021-08-03 14:05:09");
    OK("'day' dd 'of' MM yyyy", "day 03 of 08 2021", "2021-08-03 00:00:00");
    OK("yyyy-MM-dd k:mm", "2021-08-03 24:30", "2021-08-03 00:30:00");
    OK("yyyy-MM-dd K:mm a", "2021-08-03 11:30 PM", "2021-08-03 23:30:00");
    OK("uuuu-MM-dd", "2021-08-03", "2021-08-03 00:00:00"); /* u is a year when parsing */
    OK("G yyyy", "AD 2021", "2021-01-01 00:00:00");
    OK("yyyy-MM-dd", "0000-01-01", "0000-01-01 00:00:00");
    /* Flink's fallback when the pattern does not match */
    OK("yyyy-MM-dd", "1999-9-10 05:20:10", "1999-09-10 05:20:10");
    OK("yyyy/MM/dd", "1999-9-10", "1999-09-10 00:00:00");
    OK("yyyy-MM-dd HH:mm:ss", "2020-01-01", "2020-01-01 00:00:00");
    OK("yyyy-MM-dd HH:mm:ss", " 2020-1-1 1:2:3.5 ", "2020-01-01 01:02:03.500");

    BAD("yyyy-MM-dd", "2021-02-29");      /* strict: no clamping to Feb 28 */
    BAD("yyyy-MM-dd", "2020-02-30");
    BAD("yyyy-MM-dd", "2020-13-01");
    BAD("yyyy-MM-dd", "2020-00-01");
    BAD("yyyy-MM-dd", "2020-01-32");
    BAD("yyyy-MM-dd HH:mm:ss", "2020-01-01 24:00:00");
    BAD("yyyy-MM-dd HH:mm:ss", "2020-01-01 23:60:00");
    BAD("yyyy-MM-dd HH:mm:ss", "2020-01-01 23:59:60");
    BAD("yyyy-MM-dd HH:mm:ss", "2020-01-01 23:59:59x");
    BAD("yyyy-MM-dd HH:mm:ss", "2020-01-01 23:59");
    BAD("yyyy-MM-dd", "2020-1-1x");
    BAD("yyyy-MM-dd", "");
    BAD("yyyy-MM-dd", "abc");
    BAD("dd/MM/yyyy", "3/08/2021");     /* dd needs two digits (and no fallback matches) */
    BAD("yyyy-MM-dd HH:mm:ss.SSS", "2020-01-01 12:00:00.12x");
    BAD("EEE yyyy-MM-dd", "Mon 2021-08-03"); /* it was a Tuesday */
    BAD("MMM yyyy", "aug 2021");              /* names are case-sensitive */
    BAD("hh:mm", "02:05");                    /* hour of AM/PM without AM/PM */
    BAD("yyyy-D", "2021-366");
    BAD("yyyy-DDD-MM", "2021-215-07");        /* day of year and month disagree */
    BAD("yyyy-MM-dd h:mm a", "2021-08-03 13:05 PM");
    BAD("G yyyy", "BC 2021");
    BAD("yyyy-MM-dd", "2020-01-01T10:00:00"); /* the fallback takes no 'T' */
    BAD("yyyy", "2020-01-01 10:00");          /* nor a time without seconds */
#undef OK
#undef BAD
}

/* format then parse gives the timestamp back */
static void test_round_trip(void **state)
{
    (void)state;
    const char *pats[] = {"yyyy-MM-dd HH:mm:ss.SSS", "yyyyMMddHHmmssSSS",
                          "dd MMM yyyy hh:mm:ss.SSS a", "EEEE, MMMM d, yyyy H:m:s.SSS",
                          "yyyy-DDD HH:mm:ss.SSS", "'ts='yyyy/MM/dd'T'HH.mm.ss,SSS"};
    for (size_t k = 0; k < sizeof pats / sizeof pats[0]; k++) {
        eddy_datefmt *f = compile_ok(pats[k]);
        const int64_t lo = eddy_ts_from_fields(1000, 1, 1, 0, 0, 0, 0);
        const int64_t hi = eddy_ts_from_fields(9999, 12, 31, 23, 59, 59, 999);
        for (int i = 0; i < 2000; i++) {
            int64_t ts = lo + (int64_t)(rnd() % (uint64_t)(hi - lo));
            char buf[128];
            size_t n = eddy_datefmt_format(f, ts, buf, sizeof buf);
            int64_t back = 0;
            if (eddy_datefmt_parse(f, buf, n, &back) != 0 || back != ts) {
                buf[n] = 0;
                fail_msg("pattern '%s': '%s' did not parse back", pats[k], buf);
            }
        }
        eddy_datefmt_free(f);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_letters), cmocka_unit_test(test_compile_errors),
        cmocka_unit_test(test_fast_paths),     cmocka_unit_test(test_vs_strftime),
        cmocka_unit_test(test_parse),          cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_java_time_flavor),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
