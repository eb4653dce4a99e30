/*
 * test_timeutil.c: unit tests of common/timeutil (calendar, parse, format, units, intervals,
 * windows).
 *
 * Besides hand-picked edge cases (before 1970, leap years 1900/2000/2024, ends of months), a few
 * thousand random timestamps in years 0000..9999 are checked against glibc's timegm/gmtime_r
 * and strftime (%V/%G for ISO weeks), which share no code with eddy's.
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

#include "common/checked.h"
#include "common/timeutil.h"

static uint64_t rng_state = 0x9E3779B97F4A7C15u;
static uint64_t rnd(void)
{
    uint64_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return rng_state = x;
}

/* ms of a literal via the fast parser (must succeed) */
static int64_t TS(const char *s)
{
    int64_t v = 0;
    int rc = eddy_ts_parse(s, strlen(s), EDDY_TSP_ANY, &v);
    if (rc != 0) fail_msg("could not parse '%s'", s);
    return v;
}

static const char *FMT(int64_t ts)
{
    static char buf[EDDY_TS_BUFSZ];
    eddy_ts_format(ts, buf);
    return buf;
}

/* ------------------------------------------------------------------------------------------ */

static void test_civil_basics(void **state)
{
    (void)state;
    assert_int_equal(eddy_days_from_civil(1970, 1, 1), 0);
    assert_int_equal(eddy_days_from_civil(1969, 12, 31), -1);
    assert_int_equal(eddy_days_from_civil(2000, 3, 1), 11017);
    assert_int_equal(eddy_days_from_civil(0, 1, 1), -719528);
    assert_int_equal(eddy_days_from_civil(9999, 12, 31), 2932896);
    int y, m, d;
    eddy_civil_from_days(-719528, &y, &m, &d);
    assert_int_equal(y, 0);
    assert_int_equal(m, 1);
    assert_int_equal(d, 1);
    eddy_civil_from_days(-1, &y, &m, &d);
    assert_true(y == 1969 && m == 12 && d == 31);
    /* every day of +-3000 years round-trips and advances by one */
    int py, pm, pd;
    eddy_civil_from_days(-1800000, &py, &pm, &pd);
    for (int64_t z = -1800000 + 1; z <= 1800000; z++) {
        eddy_civil_from_days(z, &y, &m, &d);
        assert_int_equal(eddy_days_from_civil(y, m, d), z);
        assert_true(eddy_date_valid(y, m, d));
        if (d == 1) {
            assert_int_equal(pd, eddy_days_in_month(py, pm));
            assert_true((m == pm + 1 && y == py) || (m == 1 && pm == 12 && y == py + 1));
        } else {
            assert_true(d == pd + 1 && m == pm && y == py);
        }
        py = y, pm = m, pd = d;
    }
}

/* the 32-bit fast paths and the 64-bit general ones agree, across their range boundaries */
static void test_civil_extremes(void **state)
{
    (void)state;
    const int years[] = {-292000000, -5000000, -1120001, -1120000, -1119999, -1119601, -1000000,
                         -400, -1, 0, 1, 1582, 1600, 1900, 2000, 9999, 10000, 1000000, 1095000,
                         1096000, 1100000, 1643000, 1644000, 9999999, 10000000, 10000001, 292000000};
    for (size_t i = 0; i < sizeof years / sizeof years[0]; i++) {
        for (int m = 1; m <= 12; m++) {
            int dim = eddy_days_in_month(years[i], m);
            int64_t first = eddy_days_from_civil(years[i], m, 1);
            for (int d = 1; d <= dim; d++) {
                int64_t z = eddy_days_from_civil(years[i], m, d);
                assert_int_equal(z, first + d - 1);
                int y2, m2, d2;
                eddy_civil_from_days(z, &y2, &m2, &d2);
                if (y2 != years[i] || m2 != m || d2 != d)
                    fail_msg("%d-%d-%d -> %lld -> %d-%d-%d", years[i], m, d, (long long)z, y2, m2, d2);
            }
            /* the next month starts right after this one */
            int ny = m == 12 ? years[i] + 1 : years[i], nm = m == 12 ? 1 : m + 1;
            assert_int_equal(eddy_days_from_civil(ny, nm, 1), first + dim);
        }
        /* 400 years are always 146097 days */
        assert_int_equal(eddy_days_from_civil((int64_t)years[i] + 400, 3, 1) -
                             eddy_days_from_civil(years[i], 3, 1),
                         146097);
    }
    /* day numbers around the fast path's limits (-400 M .. 600 M days) */
    for (int64_t z = -400000000 - 800; z <= -400000000 + 800; z++) {
        int y, m, d;
        eddy_civil_from_days(z, &y, &m, &d);
        assert_int_equal(eddy_days_from_civil(y, m, d), z);
    }
    for (int64_t z = 600000000 - 800; z <= 600000000 + 800; z++) {
        int y, m, d;
        eddy_civil_from_days(z, &y, &m, &d);
        assert_int_equal(eddy_days_from_civil(y, m, d), z);
    }
    /* the ends of the int64 millisecond range */
    eddy_tm tm;
    eddy_ts_to_fields(INT64_MAX, &tm);
    assert_true(tm.year == 292278994 && tm.month == 8 && tm.day == 17 && tm.hour == 7 &&
                tm.minute == 12 && tm.second == 55 && tm.millis == 807);
    eddy_ts_to_fields(INT64_MIN, &tm);
    assert_true(tm.year == -292275055 && tm.month == 5 && tm.day == 16 && tm.hour == 16 &&
                tm.minute == 47 && tm.second == 4 && tm.millis == 192);
    char b[EDDY_TS_BUFSZ];
    eddy_ts_format(INT64_MAX, b);
    assert_string_equal(b, "+292278994-08-17 07:12:55.807");
    eddy_ts_format(INT64_MIN, b);
    assert_string_equal(b, "-292275055-05-16 16:47:04.192");
}

static void test_leap_years(void **state)
{
    (void)state;
    assert_false(eddy_is_leap(1900));
    assert_true(eddy_is_leap(2000));
    assert_true(eddy_is_leap(2024));
    assert_false(eddy_is_leap(2023));
    assert_true(eddy_is_leap(0));
    assert_true(eddy_is_leap(-4));
    assert_false(eddy_date_valid(1900, 2, 29));
    assert_true(eddy_date_valid(2000, 2, 29));
    assert_true(eddy_date_valid(2024, 2, 29));
    assert_false(eddy_date_valid(2023, 2, 29));
    assert_false(eddy_date_valid(2021, 4, 31));
    assert_false(eddy_date_valid(2021, 13, 1));
    assert_false(eddy_date_valid(2021, 0, 1));
    assert_false(eddy_date_valid(2021, 1, 0));
    assert_int_equal(eddy_days_in_month(1900, 2), 28);
    assert_int_equal(eddy_days_in_month(2000, 2), 29);
    int64_t v;
    assert_int_equal(eddy_ts_parse("1900-02-29 00:00:00", 19, EDDY_TSP_SQL, &v), EDDY_EDATA);
    assert_int_equal(eddy_ts_parse("2000-02-29 00:00:00", 19, EDDY_TSP_SQL, &v), 0);
    assert_string_equal(FMT(v), "2000-02-29 00:00:00.000");
    assert_int_equal(eddy_ts_parse("2024-02-29 23:59:59.999", 23, EDDY_TSP_SQL, &v), 0);
    assert_string_equal(FMT(v + 1), "2024-03-01 00:00:00.000");
    assert_int_equal(eddy_ts_parse("2023-02-29", 10, EDDY_TSP_SQL, &v), EDDY_EDATA);
}

static void test_fields(void **state)
{
    (void)state;
    eddy_tm tm;
    eddy_ts_to_fields(TS("2021-01-03 04:05:06.789"), &tm); /* a Sunday */
    assert_int_equal(tm.year, 2021);
    assert_int_equal(tm.month, 1);
    assert_int_equal(tm.day, 3);
    assert_int_equal(tm.hour, 4);
    assert_int_equal(tm.minute, 5);
    assert_int_equal(tm.second, 6);
    assert_int_equal(tm.millis, 789);
    assert_int_equal(tm.doy, 3);
    assert_int_equal(tm.dow_iso, 7);
    assert_int_equal(tm.dow_sun, 1);
    assert_int_equal(tm.iso_week, 53); /* belongs to 2020-W53 */
    assert_int_equal(tm.iso_year, 2020);
    eddy_ts_to_fields(-1, &tm);
    assert_true(tm.year == 1969 && tm.month == 12 && tm.day == 31 && tm.hour == 23 &&
                tm.minute == 59 && tm.second == 59 && tm.millis == 999);
    assert_int_equal(tm.dow_iso, 3); /* Wednesday */
    assert_int_equal(tm.doy, 365);
    assert_int_equal(eddy_ts_from_fields(1969, 12, 31, 23, 59, 59, 999), -1);
    assert_int_equal(eddy_ts_from_fields(1970, 1, 1, 0, 0, 0, 0), 0);
    assert_int_equal(eddy_ts_from_fields(2020, 12, 31, 0, 0, 0, 0) + EDDY_MS_PER_DAY,
                     eddy_ts_from_fields(2021, 1, 1, 0, 0, 0, 0));
    assert_int_equal(eddy_ts_days(-1), -1);
    assert_int_equal(eddy_ts_time_of_day(-1), 86399999);
    assert_int_equal(eddy_ts_days(-86400000), -1);
    assert_int_equal(eddy_ts_time_of_day(-86400000), 0);
}

/* glibc cross-check: fields, timegm, strftime's ISO week, format/parse round trip */
static void test_random_vs_glibc(void **state)
{
    (void)state;
    const int64_t lo = eddy_ts_from_fields(0, 1, 1, 0, 0, 0, 0);
    const int64_t hi = eddy_ts_from_fields(9999, 12, 31, 23, 59, 59, 999);
    for (int iter = 0; iter < 5000; iter++) {
        int64_t ts = lo + (int64_t)(rnd() % (uint64_t)(hi - lo + 1));
        if (iter < 1000) ts = (int64_t)(rnd() % (uint64_t)(4 * EDDY_MS_PER_DAY * 366 * 100)) -
                              2 * EDDY_MS_PER_DAY * 366 * 100; /* around 1970 */
        time_t secs = (time_t)eddy_ts_days(ts) * 86400 + eddy_ts_time_of_day(ts) / 1000;
        struct tm g;
        assert_non_null(gmtime_r(&secs, &g));
        eddy_tm tm;
        eddy_ts_to_fields(ts, &tm);
        assert_int_equal(tm.year, g.tm_year + 1900);
        assert_int_equal(tm.month, g.tm_mon + 1);
        assert_int_equal(tm.day, g.tm_mday);
        assert_int_equal(tm.hour, g.tm_hour);
        assert_int_equal(tm.minute, g.tm_min);
        assert_int_equal(tm.second, g.tm_sec);
        assert_int_equal(tm.doy, g.tm_yday + 1);
        assert_int_equal(tm.dow_sun, g.tm_wday + 1);
        assert_int_equal(tm.millis, eddy_ts_time_of_day(ts) % 1000);
        char v[16], gy[16];
        strftime(v, sizeof v, "%V", &g);
        strftime(gy, sizeof gy, "%G", &g);
        assert_int_equal(tm.iso_week, atoi(v));
        assert_int_equal(tm.iso_year, atoi(gy));
        strftime(v, sizeof v, "%u", &g);
        assert_int_equal(tm.dow_iso, atoi(v));
        assert_int_equal(eddy_ts_extract(ts, EDDY_UNIT_WEEK), tm.iso_week);

        /* timegm from the fields gives back the seconds */
        struct tm t2 = {0};
        t2.tm_year = tm.year - 1900;
        t2.tm_mon = tm.month - 1;
        t2.tm_mday = tm.day;
        t2.tm_hour = tm.hour;
        t2.tm_min = tm.minute;
        t2.tm_sec = tm.second;
        assert_int_equal((int64_t)timegm(&t2), (int64_t)secs);
        assert_int_equal(eddy_ts_from_fields(tm.year, tm.month, tm.day, tm.hour, tm.minute,
                                             tm.second, tm.millis),
                         ts);

        /* canonical text from glibc's fields, and back */
        char want[64], got[EDDY_TS_BUFSZ];
        snprintf(want, sizeof want, "%04d-%02d-%02d %02d:%02d:%02d.%03d", g.tm_year + 1900,
                 g.tm_mon + 1, g.tm_mday, g.tm_hour, g.tm_min, g.tm_sec, tm.millis);
        size_t n = eddy_ts_format(ts, got);
        assert_int_equal(n, 23);
        assert_string_equal(got, want);
        int64_t back;
        assert_int_equal(eddy_ts_parse(got, n, EDDY_TSP_SQL, &back), 0);
        assert_int_equal(back, ts);
        assert_int_equal(eddy_ts_parse_lenient(got, n, &back), 0);
        assert_int_equal(back, ts);
        n = eddy_ts_format_ex(ts, 3, EDDY_TSF_ISO | EDDY_TSF_Z, got);
        assert_int_equal(eddy_ts_parse(got, n, EDDY_TSP_ISO, &back), 0);
        assert_int_equal(back, ts);
        n = eddy_ts_format_ex(ts, 9, EDDY_TSF_TRIM, got);
        assert_int_equal(eddy_ts_parse(got, n, EDDY_TSP_SQL, &back), 0);
        assert_int_equal(back, ts);

        /* floors against timegm of truncated fields */
        struct tm f = t2;
        f.tm_hour = f.tm_min = f.tm_sec = 0;
        f.tm_mday = 1;
        assert_int_equal(eddy_ts_floor(ts, EDDY_UNIT_MONTH), (int64_t)timegm(&f) * 1000);
        f = t2;
        f.tm_hour = f.tm_min = f.tm_sec = 0;
        f.tm_mday = 1;
        f.tm_mon = 0;
        assert_int_equal(eddy_ts_floor(ts, EDDY_UNIT_YEAR), (int64_t)timegm(&f) * 1000);
        f = t2;
        f.tm_hour = f.tm_min = f.tm_sec = 0;
        f.tm_mday -= g.tm_wday; /* back to Sunday; timegm normalises */
        assert_int_equal(eddy_ts_floor(ts, EDDY_UNIT_WEEK), (int64_t)timegm(&f) * 1000);
        f = t2;
        f.tm_min = f.tm_sec = 0;
        assert_int_equal(eddy_ts_floor(ts, EDDY_UNIT_HOUR), (int64_t)timegm(&f) * 1000);

        /* add months against timegm with a clamped day */
        int add = (int)(rnd() % 61) - 30;
        if (tm.year < 5 || tm.year > 9994) add = 0;
        int64_t got_ts;
        assert_int_equal(eddy_ts_add(EDDY_UNIT_MONTH, add, ts, &got_ts), 0);
        f = t2;
        int mi = f.tm_mon + add;
        int ny = tm.year + (mi >= 0 ? mi / 12 : -((11 - mi) / 12));
        int nm = ((mi % 12) + 12) % 12;
        f.tm_year = ny - 1900;
        f.tm_mon = nm;
        int dim = eddy_days_in_month(ny, nm + 1);
        if (f.tm_mday > dim) f.tm_mday = dim;
        assert_int_equal(got_ts, (int64_t)timegm(&f) * 1000 + tm.millis);
        int64_t diff;
        assert_int_equal(eddy_ts_diff(EDDY_UNIT_MONTH, ts, got_ts, &diff), 0);
        if (f.tm_mday == tm.day) assert_int_equal(diff, add); /* no clamping: exact inverse */
    }
}

/* ------------------------------------------------------------------------------------------ */

static void test_parse_fast(void **state)
{
    (void)state;
    int64_t v;
#define OK(s, flags, want)                                                                         \
    do {                                                                                           \
        assert_int_equal(eddy_ts_parse(s, strlen(s), flags, &v), 0);                               \
        assert_string_equal(FMT(v), want);                                                         \
    } while (0)
#define BAD(s, flags) assert_int_equal(eddy_ts_parse(s, strlen(s), flags, &v), EDDY_EDATA)
    OK("2020-01-01 12:34:56", EDDY_TSP_SQL, "2020-01-01 12:34:56.000");
    OK("2020-01-01 12:34:56.7", EDDY_TSP_SQL, "2020-01-01 12:34:56.700");
    OK("2020-01-01 12:34:56.78", EDDY_TSP_SQL, "2020-01-01 12:34:56.780");
    OK("2020-01-01 12:34:56.789", EDDY_TSP_SQL, "2020-01-01 12:34:56.789");
    OK("2020-01-01 12:34:56.789999999", EDDY_TSP_SQL, "2020-01-01 12:34:56.789"); /* truncated */
    OK("2020-01-01 12:34", EDDY_TSP_SQL, "2020-01-01 12:34:00.000");
    OK("2020-01-01", EDDY_TSP_SQL, "2020-01-01 00:00:00.000");
    OK("2020-01-01T12:34:56.789Z", EDDY_TSP_ISO, "2020-01-01 12:34:56.789");
    OK("2020-01-01T12:34:56Z", EDDY_TSP_ISO, "2020-01-01 12:34:56.000");
    OK("2020-01-01T12:34:56", EDDY_TSP_ISO, "2020-01-01 12:34:56.000");
    OK("2020-01-01T12:34", EDDY_TSP_ISO, "2020-01-01 12:34:00.000");
    OK("1969-12-31 23:59:59.999", EDDY_TSP_SQL, "1969-12-31 23:59:59.999");
    assert_int_equal(v, -1);
    OK("0000-01-01 00:00:00", EDDY_TSP_SQL, "0000-01-01 00:00:00.000");
    OK("9999-12-31 23:59:59.999", EDDY_TSP_SQL, "9999-12-31 23:59:59.999");
    OK("1900-03-01 00:00:00", EDDY_TSP_SQL, "1900-03-01 00:00:00.000");

    BAD("2020-01-01T12:34:56", EDDY_TSP_SQL);  /* T not allowed in SQL style */
    BAD("2020-01-01 12:34:56", EDDY_TSP_ISO);  /* space not allowed in ISO style */
    BAD("2020-01-01 12:34:56Z", EDDY_TSP_SQL); /* Z only in ISO */
    BAD("2020-13-01 00:00:00", EDDY_TSP_SQL);
    BAD("2020-00-01 00:00:00", EDDY_TSP_SQL);
    BAD("2021-02-29 00:00:00", EDDY_TSP_SQL);
    BAD("2020-02-30 00:00:00", EDDY_TSP_SQL);
    BAD("2020-04-31 00:00:00", EDDY_TSP_SQL);
    BAD("2020-01-00 00:00:00", EDDY_TSP_SQL);
    BAD("2020-01-01 24:00:00", EDDY_TSP_SQL);
    BAD("2020-01-01 23:60:00", EDDY_TSP_SQL);
    BAD("2020-01-01 23:59:60", EDDY_TSP_SQL);
    BAD("2020-1-01 00:00:00", EDDY_TSP_SQL);
    BAD("2020-01-01 0:00:00", EDDY_TSP_SQL);
    BAD("2020-01-01 00:00:00.", EDDY_TSP_SQL);
    BAD("2020-01-01 00:00:00.1234567890", EDDY_TSP_SQL); /* 10 fraction digits */
    BAD("2020-01-01 00:00:00 ", EDDY_TSP_SQL);
    BAD(" 2020-01-01 00:00:00", EDDY_TSP_SQL);
    BAD("2020-01-01 00:00:0", EDDY_TSP_SQL);
    BAD("2020-01-01 00", EDDY_TSP_SQL);
    BAD("2020-01-01 ", EDDY_TSP_SQL);
    BAD("2020/01/01 00:00:00", EDDY_TSP_SQL);
    BAD("20x0-01-01 00:00:00", EDDY_TSP_SQL);
    BAD("", EDDY_TSP_SQL);
    BAD("2020-01-01", EDDY_TSP_SPACE); /* date alone needs EDDY_TSP_DATE_ONLY */
    BAD("2020-01-01 12:34", EDDY_TSP_SPACE);
    BAD("2020-01-01Z", EDDY_TSP_ISO);
    assert_int_equal(eddy_ts_parse("2020-01-01 12:34:56.789", 19, EDDY_TSP_SQL, &v), 0);
    assert_string_equal(FMT(v), "2020-01-01 12:34:56.000"); /* n limits the text */
#undef OK
#undef BAD
}

static void test_parse_lenient(void **state)
{
    (void)state;
    int64_t v;
#define OK(s, want)                                                                                \
    do {                                                                                           \
        assert_int_equal(eddy_ts_parse_lenient(s, strlen(s), &v), 0);                              \
        assert_string_equal(FMT(v), want);                                                         \
    } while (0)
#define BAD(s) assert_int_equal(eddy_ts_parse_lenient(s, strlen(s), &v), EDDY_EDATA)
    OK("1999-9-10 05:20:10", "1999-09-10 05:20:10.000");
    OK("1999-9-10", "1999-09-10 00:00:00.000");
    OK(" 2020-01-01 1:2:3.4 ", "2020-01-01 01:02:03.400");
    OK("2020-1-1T1:02", "2020-01-01 01:02:00.000");
    OK("2020-01-01 12:00:00.123456789", "2020-01-01 12:00:00.123");
    BAD("1999-9-31");
    BAD("99-09-10");
    BAD("1999-009-10");
    BAD("1999-09-10 25:00:00");
    BAD("1999-09-10 05:20:10 x");
    BAD("1999-09-10T");
    BAD("1999-09-10 12");
    BAD("");

    int32_t d, t;
    assert_int_equal(eddy_date_parse("2020-01-01", 10, &d), 0);
    assert_int_equal(d, 18262);
    assert_int_equal(eddy_date_parse("1969-12-31", 10, &d), 0);
    assert_int_equal(d, -1);
    assert_int_equal(eddy_date_parse("2020-2-3", 8, &d), 0);
    assert_int_equal(d, eddy_days_from_civil(2020, 2, 3));
    assert_int_equal(eddy_date_parse("2020-02-30", 10, &d), EDDY_EDATA);
    assert_int_equal(eddy_date_parse("2020-02-03 00:00", 16, &d), EDDY_EDATA);
    assert_int_equal(eddy_time_parse("12:34:56.789", 12, &t), 0);
    assert_int_equal(t, 45296789);
    assert_int_equal(eddy_time_parse("12:34", 5, &t), 0);
    assert_int_equal(t, 45240000);
    assert_int_equal(eddy_time_parse("0:00:00", 7, &t), 0);
    assert_int_equal(t, 0);
    assert_int_equal(eddy_time_parse("23:59:59.999", 12, &t), 0);
    assert_int_equal(t, 86399999);
    assert_int_equal(eddy_time_parse("24:00:00", 8, &t), EDDY_EDATA);
    assert_int_equal(eddy_time_parse("12:60", 5, &t), EDDY_EDATA);
    assert_int_equal(eddy_time_parse("12", 2, &t), EDDY_EDATA);
#undef OK
#undef BAD
}

static void test_format(void **state)
{
    (void)state;
    char b[EDDY_TS_BUFSZ];
    int64_t ts = TS("2020-03-04 05:06:07.890");
    assert_int_equal(eddy_ts_format(ts, b), 23);
    assert_string_equal(b, "2020-03-04 05:06:07.890");
    eddy_ts_format_ex(ts, 3, EDDY_TSF_TRIM, b);
    assert_string_equal(b, "2020-03-04 05:06:07.89");
    eddy_ts_format_ex(ts, 9, EDDY_TSF_TRIM | EDDY_TSF_ISO, b);
    assert_string_equal(b, "2020-03-04T05:06:07.89");
    eddy_ts_format_ex(TS("2020-03-04 05:06:07"), 9, EDDY_TSF_TRIM, b);
    assert_string_equal(b, "2020-03-04 05:06:07");
    eddy_ts_format_ex(TS("2020-03-04 05:06:07.5"), 9, EDDY_TSF_TRIM, b);
    assert_string_equal(b, "2020-03-04 05:06:07.5");
    eddy_ts_format_ex(TS("2020-03-04 05:06:07.001"), 9, EDDY_TSF_TRIM | EDDY_TSF_ISO | EDDY_TSF_Z, b);
    assert_string_equal(b, "2020-03-04T05:06:07.001Z");
    eddy_ts_format_ex(ts, 0, 0, b);
    assert_string_equal(b, "2020-03-04 05:06:07");
    eddy_ts_format_ex(ts, 1, 0, b);
    assert_string_equal(b, "2020-03-04 05:06:07.8");
    eddy_ts_format_ex(ts, 6, 0, b);
    assert_string_equal(b, "2020-03-04 05:06:07.890000");
    eddy_ts_format_ex(ts, 9, EDDY_TSF_ISO, b);
    assert_string_equal(b, "2020-03-04T05:06:07.890000000");
    eddy_ts_format(-1, b);
    assert_string_equal(b, "1969-12-31 23:59:59.999");
    eddy_ts_format(eddy_ts_from_fields(-1, 12, 31, 0, 0, 0, 0), b);
    assert_string_equal(b, "-0001-12-31 00:00:00.000");
    eddy_ts_format(eddy_ts_from_fields(12345, 1, 2, 0, 0, 0, 0), b);
    assert_string_equal(b, "+12345-01-02 00:00:00.000");
    eddy_ts_format(eddy_ts_from_fields(999, 1, 2, 0, 0, 0, 0), b);
    assert_string_equal(b, "0999-01-02 00:00:00.000");

    assert_int_equal(eddy_date_format(0, b), 10);
    assert_string_equal(b, "1970-01-01");
    eddy_date_format(-719528, b);
    assert_string_equal(b, "0000-01-01");
    eddy_date_format(18321, b);
    assert_string_equal(b, "2020-02-29");
    assert_int_equal(eddy_time_format(45296789, 3, b), 12);
    assert_string_equal(b, "12:34:56.789");
    eddy_time_format(45296789, 0, b);
    assert_string_equal(b, "12:34:56");
    eddy_time_format(0, 0, b);
    assert_string_equal(b, "00:00:00");
    eddy_time_format(86399999, 2, b);
    assert_string_equal(b, "23:59:59.99");
}

static void test_floor_ceil(void **state)
{
    (void)state;
    int64_t ts = TS("2021-08-18 13:47:25.678"); /* a Wednesday */
    struct {
        eddy_time_unit u;
        const char *floor, *ceil;
    } cases[] = {
        {EDDY_UNIT_MILLENNIUM, "2001-01-01 00:00:00.000", "3001-01-01 00:00:00.000"},
        {EDDY_UNIT_CENTURY, "2001-01-01 00:00:00.000", "2101-01-01 00:00:00.000"},
        {EDDY_UNIT_DECADE, "2020-01-01 00:00:00.000", "2030-01-01 00:00:00.000"},
        {EDDY_UNIT_YEAR, "2021-01-01 00:00:00.000", "2022-01-01 00:00:00.000"},
        {EDDY_UNIT_QUARTER, "2021-07-01 00:00:00.000", "2021-10-01 00:00:00.000"},
        {EDDY_UNIT_MONTH, "2021-08-01 00:00:00.000", "2021-09-01 00:00:00.000"},
        {EDDY_UNIT_WEEK, "2021-08-15 00:00:00.000", "2021-08-22 00:00:00.000"},
        {EDDY_UNIT_DAY, "2021-08-18 00:00:00.000", "2021-08-19 00:00:00.000"},
        {EDDY_UNIT_HOUR, "2021-08-18 13:00:00.000", "2021-08-18 14:00:00.000"},
        {EDDY_UNIT_MINUTE, "2021-08-18 13:47:00.000", "2021-08-18 13:48:00.000"},
        {EDDY_UNIT_SECOND, "2021-08-18 13:47:25.000", "2021-08-18 13:47:26.000"},
        {EDDY_UNIT_MILLISECOND, "2021-08-18 13:47:25.678", "2021-08-18 13:47:25.678"},
        {EDDY_UNIT_MICROSECOND, "2021-08-18 13:47:25.678", "2021-08-18 13:47:25.678"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_true(eddy_ts_floor_supported(cases[i].u));
        assert_string_equal(FMT(eddy_ts_floor(ts, cases[i].u)), cases[i].floor);
        assert_string_equal(FMT(eddy_ts_ceil(ts, cases[i].u)), cases[i].ceil);
        /* aligned values stay */
        int64_t f = eddy_ts_floor(ts, cases[i].u);
        assert_int_equal(eddy_ts_floor(f, cases[i].u), f);
        assert_int_equal(eddy_ts_ceil(f, cases[i].u), f);
    }
    assert_false(eddy_ts_floor_supported(EDDY_UNIT_DOW));
    assert_false(eddy_ts_floor_supported(EDDY_UNIT_EPOCH));
    assert_false(eddy_ts_floor_supported(EDDY_UNIT_NONE));
    /* boundaries of centuries and millennia: 2000 belongs to the 20th century */
    assert_string_equal(FMT(eddy_ts_floor(TS("2000-12-31 23:00:00"), EDDY_UNIT_CENTURY)),
                        "1901-01-01 00:00:00.000");
    assert_string_equal(FMT(eddy_ts_floor(TS("2001-01-01 00:00:00"), EDDY_UNIT_CENTURY)),
                        "2001-01-01 00:00:00.000");
    assert_string_equal(FMT(eddy_ts_floor(TS("2000-06-01 00:00:00"), EDDY_UNIT_MILLENNIUM)),
                        "1001-01-01 00:00:00.000");
    assert_string_equal(FMT(eddy_ts_floor(TS("1999-06-01 00:00:00"), EDDY_UNIT_DECADE)),
                        "1990-01-01 00:00:00.000");
    /* CEIL counts the time of day (eddy's mathematical ceiling) */
    assert_string_equal(FMT(eddy_ts_ceil(TS("2020-01-01 10:00:00"), EDDY_UNIT_YEAR)),
                        "2021-01-01 00:00:00.000");
    assert_string_equal(FMT(eddy_ts_ceil(TS("2020-01-31 00:00:00.001"), EDDY_UNIT_MONTH)),
                        "2020-02-01 00:00:00.000");
    /* negative timestamps floor downwards */
    assert_string_equal(FMT(eddy_ts_floor(-1, EDDY_UNIT_SECOND)), "1969-12-31 23:59:59.000");
    assert_string_equal(FMT(eddy_ts_floor(-1, EDDY_UNIT_DAY)), "1969-12-31 00:00:00.000");
    assert_string_equal(FMT(eddy_ts_floor(-1, EDDY_UNIT_WEEK)), "1969-12-28 00:00:00.000");
    assert_string_equal(FMT(eddy_ts_ceil(-1, EDDY_UNIT_HOUR)), "1970-01-01 00:00:00.000");
    assert_string_equal(FMT(eddy_ts_floor(TS("1969-05-05 05:05:05"), EDDY_UNIT_QUARTER)),
                        "1969-04-01 00:00:00.000");
    /* WEEK on a Sunday and a Saturday */
    assert_string_equal(FMT(eddy_ts_floor(TS("2021-08-15 00:00:00"), EDDY_UNIT_WEEK)),
                        "2021-08-15 00:00:00.000");
    assert_string_equal(FMT(eddy_ts_floor(TS("2021-08-21 23:59:59.999"), EDDY_UNIT_WEEK)),
                        "2021-08-15 00:00:00.000");
    assert_string_equal(FMT(eddy_ts_floor(TS("1970-01-01 00:00:00"), EDDY_UNIT_WEEK)),
                        "1969-12-28 00:00:00.000");
}

static void test_extract(void **state)
{
    (void)state;
    int64_t ts = TS("2021-08-18 13:47:25.678");
    struct {
        eddy_time_unit u;
        int64_t want;
    } c[] = {
        {EDDY_UNIT_YEAR, 2021},    {EDDY_UNIT_QUARTER, 3},       {EDDY_UNIT_MONTH, 8},
        {EDDY_UNIT_WEEK, 33},      {EDDY_UNIT_DAY, 18},          {EDDY_UNIT_DOW, 4},
        {EDDY_UNIT_ISODOW, 3},     {EDDY_UNIT_DOY, 230},         {EDDY_UNIT_HOUR, 13},
        {EDDY_UNIT_MINUTE, 47},    {EDDY_UNIT_SECOND, 25},       {EDDY_UNIT_MILLISECOND, 25678},
        {EDDY_UNIT_MICROSECOND, 25678000}, {EDDY_UNIT_NANOSECOND, 25678000000},
        {EDDY_UNIT_EPOCH, 1629294445}, {EDDY_UNIT_DECADE, 202},  {EDDY_UNIT_CENTURY, 21},
        {EDDY_UNIT_MILLENNIUM, 3}, {EDDY_UNIT_ISOYEAR, 2021},
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        assert_true(eddy_ts_extract_supported(c[i].u));
        if (eddy_ts_extract(ts, c[i].u) != c[i].want)
            fail_msg("EXTRACT(%s) = %lld, want %lld", eddy_time_unit_name(c[i].u),
                     (long long)eddy_ts_extract(ts, c[i].u), (long long)c[i].want);
    }
    assert_false(eddy_ts_extract_supported(EDDY_UNIT_NONE));
    /* DOW: Sunday = 1 .. Saturday = 7 */
    assert_int_equal(eddy_ts_extract(TS("2021-08-15 00:00:00"), EDDY_UNIT_DOW), 1);
    assert_int_equal(eddy_ts_extract(TS("2021-08-21 00:00:00"), EDDY_UNIT_DOW), 7);
    assert_int_equal(eddy_ts_extract(TS("2021-08-15 00:00:00"), EDDY_UNIT_ISODOW), 7);
    assert_int_equal(eddy_ts_extract(TS("2021-08-16 00:00:00"), EDDY_UNIT_ISODOW), 1);
    /* ISO weeks around new year */
    assert_int_equal(eddy_ts_extract(TS("2021-01-03 00:00:00"), EDDY_UNIT_WEEK), 53);
    assert_int_equal(eddy_ts_extract(TS("2021-01-04 00:00:00"), EDDY_UNIT_WEEK), 1);
    assert_int_equal(eddy_ts_extract(TS("2019-12-30 00:00:00"), EDDY_UNIT_WEEK), 1);
    assert_int_equal(eddy_ts_extract(TS("2019-12-30 00:00:00"), EDDY_UNIT_ISOYEAR), 2020);
    assert_int_equal(eddy_ts_extract(TS("2024-12-31 00:00:00"), EDDY_UNIT_DOY), 366);
    assert_int_equal(eddy_ts_extract(TS("2000-01-01 00:00:00"), EDDY_UNIT_CENTURY), 20);
    assert_int_equal(eddy_ts_extract(TS("2001-01-01 00:00:00"), EDDY_UNIT_CENTURY), 21);
    assert_int_equal(eddy_ts_extract(TS("2000-01-01 00:00:00"), EDDY_UNIT_MILLENNIUM), 2);
    assert_int_equal(eddy_ts_extract(TS("1900-01-01 00:00:00"), EDDY_UNIT_CENTURY), 19);
    /* negative timestamps */
    assert_int_equal(eddy_ts_extract(-1, EDDY_UNIT_SECOND), 59);
    assert_int_equal(eddy_ts_extract(-1, EDDY_UNIT_MILLISECOND), 59999);
    assert_int_equal(eddy_ts_extract(-1, EDDY_UNIT_EPOCH), -1);
    assert_int_equal(eddy_ts_extract(-1, EDDY_UNIT_YEAR), 1969);
    assert_int_equal(eddy_ts_extract(-1, EDDY_UNIT_HOUR), 23);
    assert_int_equal(eddy_ts_extract(-1000, EDDY_UNIT_EPOCH), -1);
    assert_int_equal(eddy_ts_extract(-1001, EDDY_UNIT_EPOCH), -2);
    /* DATE values as days * ms per day, TIME as ms */
    assert_int_equal(eddy_ts_extract((int64_t)18262 * EDDY_MS_PER_DAY, EDDY_UNIT_YEAR), 2020);
    assert_int_equal(eddy_ts_extract(45296789, EDDY_UNIT_MINUTE), 34);
}

static void test_add_diff(void **state)
{
    (void)state;
    int64_t r;
#define ADD(u, n, from, want)                                                                      \
    do {                                                                                           \
        assert_int_equal(eddy_ts_add(u, n, TS(from), &r), 0);                                      \
        assert_string_equal(FMT(r), want);                                                         \
    } while (0)
    ADD(EDDY_UNIT_MONTH, 1, "2020-01-31 10:00:00", "2020-02-29 10:00:00.000");
    ADD(EDDY_UNIT_MONTH, 1, "2021-01-31 10:00:00", "2021-02-28 10:00:00.000");
    ADD(EDDY_UNIT_MONTH, 1, "1900-01-31 00:00:00", "1900-02-28 00:00:00.000");
    ADD(EDDY_UNIT_MONTH, -1, "2020-03-31 00:00:00", "2020-02-29 00:00:00.000");
    ADD(EDDY_UNIT_MONTH, 13, "2020-01-31 00:00:00", "2021-02-28 00:00:00.000");
    ADD(EDDY_UNIT_MONTH, -13, "2020-01-15 00:00:00", "2018-12-15 00:00:00.000");
    ADD(EDDY_UNIT_MONTH, 12, "1969-12-31 23:59:59.999", "1970-12-31 23:59:59.999");
    ADD(EDDY_UNIT_YEAR, 1, "2020-02-29 12:00:00", "2021-02-28 12:00:00.000");
    ADD(EDDY_UNIT_YEAR, 4, "2020-02-29 12:00:00", "2024-02-29 12:00:00.000");
    ADD(EDDY_UNIT_YEAR, -100, "2000-02-29 12:00:00", "1900-02-28 12:00:00.000");
    ADD(EDDY_UNIT_QUARTER, 1, "2020-11-30 00:00:00", "2021-02-28 00:00:00.000");
    ADD(EDDY_UNIT_WEEK, 1, "2020-12-28 00:00:00", "2021-01-04 00:00:00.000");
    ADD(EDDY_UNIT_DAY, -1, "1970-01-01 00:00:00", "1969-12-31 00:00:00.000");
    ADD(EDDY_UNIT_HOUR, 25, "2020-02-28 00:00:00", "2020-02-29 01:00:00.000");
    ADD(EDDY_UNIT_MINUTE, 90, "2020-02-28 23:00:00", "2020-02-29 00:30:00.000");
    ADD(EDDY_UNIT_SECOND, -1, "1970-01-01 00:00:00", "1969-12-31 23:59:59.000");
    ADD(EDDY_UNIT_MILLISECOND, 1500, "2020-01-01 00:00:00", "2020-01-01 00:00:01.500");
#undef ADD
    assert_int_equal(eddy_ts_add(EDDY_UNIT_DAY, INT64_MAX / 2, 0, &r), EDDY_ERUNTIME);
    assert_int_equal(eddy_ts_add(EDDY_UNIT_MILLISECOND, 1, INT64_MAX, &r), EDDY_ERUNTIME);
    assert_int_equal(eddy_ts_add(EDDY_UNIT_YEAR, INT64_MAX / 2, 0, &r), EDDY_ERUNTIME);
    assert_int_equal(eddy_ts_add(EDDY_UNIT_MONTH, INT64_MIN, 0, &r), EDDY_ERUNTIME);
    assert_int_equal(eddy_ts_add(EDDY_UNIT_YEAR, 1000000000, 0, &r), EDDY_ERUNTIME);
    assert_int_equal(eddy_ts_add(EDDY_UNIT_DOW, 1, 0, &r), EDDY_EUNSUPPORTED);
    int32_t d;
    assert_int_equal(eddy_date_add_months((int32_t)eddy_days_from_civil(2020, 1, 31), 1, &d), 0);
    assert_int_equal(d, eddy_days_from_civil(2020, 2, 29));
    assert_int_equal(eddy_date_add_months(0, INT64_C(1) << 40, &d), EDDY_ERUNTIME);

    int64_t x;
#define DIFF(u, a, b, want)                                                                        \
    do {                                                                                           \
        assert_int_equal(eddy_ts_diff(u, TS(a), TS(b), &x), 0);                                    \
        if (x != (want))                                                                           \
            fail_msg("TIMESTAMPDIFF(%s, %s, %s) = %lld, want %lld", eddy_time_unit_name(u), a, b,  \
                     (long long)x, (long long)(want));                                             \
    } while (0)
    DIFF(EDDY_UNIT_SECOND, "2020-01-01 00:00:00", "2020-01-01 00:00:10.999", 10);
    DIFF(EDDY_UNIT_SECOND, "2020-01-01 00:00:10.999", "2020-01-01 00:00:00", -10);
    DIFF(EDDY_UNIT_MINUTE, "1969-12-31 23:59:00", "1970-01-01 00:00:59", 1);
    DIFF(EDDY_UNIT_HOUR, "2020-01-01 00:00:00", "2020-01-02 23:59:59", 47);
    DIFF(EDDY_UNIT_DAY, "2020-01-01 12:00:00", "2020-01-03 11:59:59", 1);
    DIFF(EDDY_UNIT_DAY, "2020-01-03 11:59:59", "2020-01-01 12:00:00", -1);
    DIFF(EDDY_UNIT_WEEK, "2020-01-01 00:00:00", "2020-01-15 00:00:00", 2);
    DIFF(EDDY_UNIT_MILLISECOND, "2020-01-01 00:00:00", "2020-01-01 00:00:01.5", 1500);
    DIFF(EDDY_UNIT_MICROSECOND, "2020-01-01 00:00:00", "2020-01-01 00:00:01.5", 1500000);
    DIFF(EDDY_UNIT_MONTH, "2020-01-31 00:00:00", "2020-02-29 00:00:00", 1);
    DIFF(EDDY_UNIT_MONTH, "2020-01-31 00:00:00", "2020-02-28 00:00:00", 0);
    DIFF(EDDY_UNIT_MONTH, "2021-01-31 00:00:00", "2021-02-28 00:00:00", 1);
    DIFF(EDDY_UNIT_MONTH, "2020-01-15 10:00:00", "2020-02-15 09:59:59", 0);
    DIFF(EDDY_UNIT_MONTH, "2020-01-15 10:00:00", "2020-02-15 10:00:00", 1);
    DIFF(EDDY_UNIT_MONTH, "2020-03-31 00:00:00", "2020-02-29 00:00:00", -1);
    DIFF(EDDY_UNIT_MONTH, "2020-02-15 00:00:00", "2020-01-15 00:00:00", -1);
    /* Calcite's subtractMonths: a later time of day on an earlier date counts one more month */
    DIFF(EDDY_UNIT_MONTH, "2020-02-15 12:00:00", "2020-01-15 10:00:00", -2);
    DIFF(EDDY_UNIT_MONTH, "2020-02-15 10:00:00", "2020-01-15 12:00:00", -1);
    DIFF(EDDY_UNIT_YEAR, "2020-02-29 00:00:00", "2021-02-28 00:00:00", 1);
    DIFF(EDDY_UNIT_YEAR, "2019-03-01 00:00:00", "2021-02-28 00:00:00", 1);
    DIFF(EDDY_UNIT_YEAR, "2021-02-28 00:00:00", "2019-03-01 00:00:00", -1);
    DIFF(EDDY_UNIT_QUARTER, "2020-01-01 00:00:00", "2020-12-31 00:00:00", 3);
    DIFF(EDDY_UNIT_YEAR, "1900-01-01 00:00:00", "2000-01-01 00:00:00", 100);
#undef DIFF
    assert_int_equal(eddy_ts_diff(EDDY_UNIT_DOW, 0, 1, &x), EDDY_EUNSUPPORTED);
    assert_int_equal(eddy_ts_diff(EDDY_UNIT_SECOND, INT64_MIN, 1, &x), EDDY_ERUNTIME);
    assert_int_equal(eddy_ts_months_between(TS("2020-01-31 00:00:00"), TS("2020-02-29 00:00:00")), 1);
}

/* ------------------------------------------------------------------------------------------ */

static int64_t ivl(const char *text, eddy_time_unit from, eddy_time_unit to)
{
    eddy_error err;
    eddy_error_clear(&err);
    int64_t v = 0;
    int rc = eddy_interval_parse(text, strlen(text), from, -1, to, -1, &v, &err);
    if (rc != 0) fail_msg("INTERVAL '%s': %s", text, err.msg);
    return v;
}

static const char *ivl_err(const char *text, eddy_time_unit from, int lead, eddy_time_unit to)
{
    static eddy_error err;
    eddy_error_clear(&err);
    int64_t v = 0;
    int rc = eddy_interval_parse(text, strlen(text), from, lead, to, -1, &v, &err);
    if (rc != EDDY_ESYNTAX) fail_msg("INTERVAL '%s' should fail", text);
    return err.msg;
}

static void test_interval_parse(void **state)
{
    (void)state;
    assert_int_equal(ivl("5", EDDY_UNIT_SECOND, EDDY_UNIT_NONE), 5000);
    assert_int_equal(ivl("1.5", EDDY_UNIT_SECOND, EDDY_UNIT_NONE), 1500);
    assert_int_equal(ivl("0.001", EDDY_UNIT_SECOND, EDDY_UNIT_NONE), 1);
    assert_int_equal(ivl("1.123456", EDDY_UNIT_SECOND, EDDY_UNIT_NONE), 1123);
    assert_int_equal(ivl("10", EDDY_UNIT_MINUTE, EDDY_UNIT_NONE), 600000);
    assert_int_equal(ivl("2", EDDY_UNIT_HOUR, EDDY_UNIT_NONE), 7200000);
    assert_int_equal(ivl("1", EDDY_UNIT_DAY, EDDY_UNIT_NONE), 86400000);
    assert_int_equal(ivl("1:30", EDDY_UNIT_MINUTE, EDDY_UNIT_SECOND), 90000);
    assert_int_equal(ivl("1:30.25", EDDY_UNIT_MINUTE, EDDY_UNIT_SECOND), 90250);
    assert_int_equal(ivl("1 2:03:04.5", EDDY_UNIT_DAY, EDDY_UNIT_SECOND),
                     86400000 + 2 * 3600000 + 3 * 60000 + 4500);
    assert_int_equal(ivl("10 00:00:00.004", EDDY_UNIT_DAY, EDDY_UNIT_SECOND), 864000004);
    assert_int_equal(ivl("1 12", EDDY_UNIT_DAY, EDDY_UNIT_HOUR), 36 * 3600000);
    assert_int_equal(ivl("1 12:30", EDDY_UNIT_DAY, EDDY_UNIT_MINUTE), 36 * 3600000 + 1800000);
    assert_int_equal(ivl("02:30", EDDY_UNIT_HOUR, EDDY_UNIT_MINUTE), 9000000);
    assert_int_equal(ivl("2:30:15", EDDY_UNIT_HOUR, EDDY_UNIT_SECOND), 9015000);
    assert_int_equal(ivl("1-6", EDDY_UNIT_YEAR, EDDY_UNIT_MONTH), 18);
    assert_int_equal(ivl("2-10", EDDY_UNIT_YEAR, EDDY_UNIT_MONTH), 34);
    assert_int_equal(ivl("3", EDDY_UNIT_MONTH, EDDY_UNIT_NONE), 3);
    assert_int_equal(ivl("2", EDDY_UNIT_YEAR, EDDY_UNIT_NONE), 24);
    assert_int_equal(ivl("-5", EDDY_UNIT_SECOND, EDDY_UNIT_NONE), -5000);
    assert_int_equal(ivl("+5", EDDY_UNIT_SECOND, EDDY_UNIT_NONE), 5000);
    assert_int_equal(ivl("-1-6", EDDY_UNIT_YEAR, EDDY_UNIT_MONTH), -18);
    assert_int_equal(ivl("-1 2:03:04.5", EDDY_UNIT_DAY, EDDY_UNIT_SECOND),
                     -(86400000 + 2 * 3600000 + 3 * 60000 + 4500));
    assert_int_equal(ivl(" 5 ", EDDY_UNIT_SECOND, EDDY_UNIT_NONE), 5000);
    assert_int_equal(ivl("99", EDDY_UNIT_SECOND, EDDY_UNIT_NONE), 99000);
    assert_string_equal(ivl_err("5", EDDY_UNIT_SECOND, -1, EDDY_UNIT_SECOND),
                        "INTERVAL SECOND TO SECOND is not a valid interval qualifier");

    /* leading precision */
    eddy_error err;
    eddy_error_clear(&err);
    int64_t v;
    assert_int_equal(eddy_interval_parse("100", 3, EDDY_UNIT_DAY, 3, EDDY_UNIT_NONE, -1, &v, &err), 0);
    assert_int_equal(v, 100 * EDDY_MS_PER_DAY);
    assert_int_equal(eddy_interval_parse("1.1234567", 9, EDDY_UNIT_SECOND, -1, EDDY_UNIT_NONE, 9,
                                         &v, &err),
                     0);
    assert_int_equal(v, 1123);
    assert_string_equal(ivl_err("100", EDDY_UNIT_DAY, -1, EDDY_UNIT_NONE),
                        "'100' is not a valid INTERVAL DAY: DAY field value 100 exceeds its "
                        "precision of 2 digits; write DAY(3)");
    assert_string_equal(ivl_err("1:99", EDDY_UNIT_MINUTE, -1, EDDY_UNIT_SECOND),
                        "'1:99' is not a valid INTERVAL MINUTE TO SECOND: SECOND must be between "
                        "0 and 59");
    assert_string_equal(ivl_err("1:30", EDDY_UNIT_MINUTE, -1, EDDY_UNIT_NONE),
                        "'1:30' is not a valid INTERVAL MINUTE");
    assert_string_equal(ivl_err("1-12", EDDY_UNIT_YEAR, -1, EDDY_UNIT_MONTH),
                        "'1-12' is not a valid INTERVAL YEAR TO MONTH: MONTH must be between 0 "
                        "and 11");
    assert_string_equal(ivl_err("1 24", EDDY_UNIT_DAY, -1, EDDY_UNIT_HOUR),
                        "'1 24' is not a valid INTERVAL DAY TO HOUR: HOUR must be between 0 and 23");
    assert_string_equal(ivl_err("1 2:60", EDDY_UNIT_DAY, -1, EDDY_UNIT_MINUTE),
                        "'1 2:60' is not a valid INTERVAL DAY TO MINUTE: MINUTE must be between 0 "
                        "and 59");
    assert_string_equal(ivl_err("1:2", EDDY_UNIT_DAY, -1, EDDY_UNIT_HOUR),
                        "'1:2' is not a valid INTERVAL DAY TO HOUR: expected ' ' before the HOUR "
                        "field");
    assert_string_equal(ivl_err("", EDDY_UNIT_SECOND, -1, EDDY_UNIT_NONE),
                        "'' is not a valid INTERVAL SECOND: expected digits for the SECOND field");
    assert_string_equal(ivl_err("abc", EDDY_UNIT_HOUR, -1, EDDY_UNIT_NONE),
                        "'abc' is not a valid INTERVAL HOUR: expected digits for the HOUR field");
    assert_string_equal(ivl_err("1.5", EDDY_UNIT_MINUTE, -1, EDDY_UNIT_NONE),
                        "'1.5' is not a valid INTERVAL MINUTE");
    assert_string_equal(ivl_err("1.", EDDY_UNIT_SECOND, -1, EDDY_UNIT_NONE),
                        "'1.' is not a valid INTERVAL SECOND: expected digits after '.'");
    assert_string_equal(ivl_err("1.1234567", EDDY_UNIT_SECOND, -1, EDDY_UNIT_NONE),
                        "'1.1234567' is not a valid INTERVAL SECOND: the fraction has 7 digits, "
                        "more than the fractional second precision 6");
    assert_string_equal(ivl_err("10", EDDY_UNIT_SECOND, 1, EDDY_UNIT_NONE),
                        "'10' is not a valid INTERVAL SECOND(1): SECOND field value 10 exceeds its "
                        "precision of 1 digits; write SECOND(2)");
    assert_string_equal(ivl_err("--5", EDDY_UNIT_SECOND, -1, EDDY_UNIT_NONE),
                        "'--5' is not a valid INTERVAL SECOND: expected digits for the SECOND field");
    eddy_error_clear(&err);
    assert_int_equal(eddy_interval_parse("1", 1, EDDY_UNIT_SECOND, -1, EDDY_UNIT_MINUTE, -1, &v, &err),
                     EDDY_ESYNTAX);
    assert_string_equal(err.msg, "INTERVAL SECOND TO MINUTE is not a valid interval qualifier");
    eddy_error_clear(&err);
    assert_int_equal(eddy_interval_parse("1", 1, EDDY_UNIT_WEEK, -1, EDDY_UNIT_NONE, -1, &v, &err),
                     EDDY_ESYNTAX);
    eddy_error_clear(&err);
    assert_int_equal(eddy_interval_parse("1", 1, EDDY_UNIT_MONTH, -1, EDDY_UNIT_DAY, -1, &v, &err),
                     EDDY_ESYNTAX);
    /* the widest leading field */
    eddy_error_clear(&err);
    assert_int_equal(eddy_interval_parse("9999999999", 10, EDDY_UNIT_SECOND, 10, EDDY_UNIT_NONE,
                                         -1, &v, &err),
                     0);
    assert_int_equal(v, INT64_C(9999999999000));
    eddy_error_clear(&err);
    assert_int_equal(eddy_interval_parse("9999999999", 10, EDDY_UNIT_YEAR, 10, EDDY_UNIT_NONE, -1,
                                         &v, &err),
                     EDDY_ESYNTAX); /* months beyond int32 */
}

static void test_interval_format(void **state)
{
    (void)state;
    char b[EDDY_INTERVAL_BUFSZ];
#define LIT(v, from, to, want)                                                                     \
    do {                                                                                           \
        size_t n_ = eddy_interval_literal(v, from, to, b);                                         \
        assert_string_equal(b, want);                                                              \
        assert_int_equal(n_, strlen(want));                                                        \
    } while (0)
    LIT(5000, EDDY_UNIT_SECOND, EDDY_UNIT_NONE, "INTERVAL '5' SECOND");
    LIT(1500, EDDY_UNIT_SECOND, EDDY_UNIT_NONE, "INTERVAL '1.5' SECOND");
    LIT(-5000, EDDY_UNIT_SECOND, EDDY_UNIT_NONE, "INTERVAL '-5' SECOND");
    LIT(600000, EDDY_UNIT_MINUTE, EDDY_UNIT_NONE, "INTERVAL '10' MINUTE");
    LIT(90000, EDDY_UNIT_MINUTE, EDDY_UNIT_NONE, "INTERVAL '1:30' MINUTE TO SECOND");
    LIT(90000, EDDY_UNIT_MINUTE, EDDY_UNIT_SECOND, "INTERVAL '1:30' MINUTE TO SECOND");
    LIT(9000000, EDDY_UNIT_HOUR, EDDY_UNIT_MINUTE, "INTERVAL '2:30' HOUR TO MINUTE");
    LIT(86400000 + 2 * 3600000 + 3 * 60000 + 4500, EDDY_UNIT_DAY, EDDY_UNIT_SECOND,
        "INTERVAL '1 02:03:04.5' DAY TO SECOND");
    LIT(100 * EDDY_MS_PER_DAY, EDDY_UNIT_DAY, EDDY_UNIT_NONE, "INTERVAL '100' DAY(3)");
    LIT(120000, EDDY_UNIT_SECOND, EDDY_UNIT_NONE, "INTERVAL '120' SECOND(3)");
    LIT(7200000, EDDY_UNIT_HOUR, EDDY_UNIT_NONE, "INTERVAL '2' HOUR");
    LIT(18, EDDY_UNIT_YEAR, EDDY_UNIT_MONTH, "INTERVAL '1-6' YEAR TO MONTH");
    LIT(18, EDDY_UNIT_YEAR, EDDY_UNIT_NONE, "INTERVAL '1-6' YEAR TO MONTH");
    LIT(24, EDDY_UNIT_YEAR, EDDY_UNIT_NONE, "INTERVAL '2' YEAR");
    LIT(-3, EDDY_UNIT_MONTH, EDDY_UNIT_NONE, "INTERVAL '-3' MONTH");
    LIT(INT64_MIN, EDDY_UNIT_SECOND, EDDY_UNIT_NONE,
        "INTERVAL '-106751991167 07:12:55.808' DAY(12) TO SECOND");
#undef LIT
    /* every literal parses back to its value */
    eddy_time_unit quals[][2] = {
        {EDDY_UNIT_SECOND, EDDY_UNIT_NONE}, {EDDY_UNIT_MINUTE, EDDY_UNIT_NONE},
        {EDDY_UNIT_HOUR, EDDY_UNIT_NONE},   {EDDY_UNIT_DAY, EDDY_UNIT_NONE},
        {EDDY_UNIT_DAY, EDDY_UNIT_SECOND},  {EDDY_UNIT_HOUR, EDDY_UNIT_MINUTE},
    };
    for (int i = 0; i < 2000; i++) {
        int64_t v = (int64_t)(rnd() % 2000000000000) - 1000000000000;
        if (i % 3 == 0) v = v / 1000 * 1000;
        if (i % 5 == 0) v = v / 60000 * 60000;
        eddy_time_unit from = quals[i % 6][0], to = quals[i % 6][1];
        eddy_interval_literal(v, from, to, b);
        /* parse "INTERVAL 'text' FROM(p) [TO X]" back */
        char text[64], f1[16], f2[16] = "";
        int prec = -1;
        const char *q1 = strchr(b, '\''), *q2 = strchr(q1 + 1, '\'');
        memcpy(text, q1 + 1, (size_t)(q2 - q1 - 1));
        text[q2 - q1 - 1] = 0;
        const char *rest = q2 + 2;
        sscanf(rest, "%15[A-Z]", f1);
        const char *par = strchr(rest, '(');
        const char *sp = strchr(rest, ' ');
        if (par && (!sp || par < sp)) prec = atoi(par + 1);
        const char *to_kw = strstr(rest, " TO ");
        if (to_kw) sscanf(to_kw + 4, "%15[A-Z]", f2);
        eddy_time_unit uf = EDDY_UNIT_NONE, ut = EDDY_UNIT_NONE;
        for (int u = 1; u < EDDY_UNIT__COUNT; u++) {
            if (strcmp(eddy_time_unit_name((eddy_time_unit)u), f1) == 0) uf = (eddy_time_unit)u;
            if (f2[0] && strcmp(eddy_time_unit_name((eddy_time_unit)u), f2) == 0) ut = (eddy_time_unit)u;
        }
        eddy_error err;
        eddy_error_clear(&err);
        int64_t back;
        if (eddy_interval_parse(text, strlen(text), uf, prec, ut, -1, &back, &err) != 0)
            fail_msg("%s: %s", b, err.msg);
        assert_int_equal(back, v);
    }

    assert_int_equal(eddy_interval_format_dt(5000, b), 15);
    assert_string_equal(b, "+0 00:00:05.000");
    eddy_interval_format_dt(-(86400000 + 2 * 3600000 + 3 * 60000 + 4500), b);
    assert_string_equal(b, "-1 02:03:04.500");
    eddy_interval_format_dt(10 * EDDY_MS_PER_DAY + 4, b);
    assert_string_equal(b, "+10 00:00:00.004");
    eddy_interval_format_dt(INT64_MIN, b);
    assert_string_equal(b, "-106751991167 07:12:55.808");
    assert_int_equal(eddy_interval_format_ym(18, b), 5);
    assert_string_equal(b, "+1-06");
    eddy_interval_format_ym(-3, b);
    assert_string_equal(b, "-0-03");
    eddy_interval_format_ym(0, b);
    assert_string_equal(b, "+0-00");
    eddy_interval_format_ym(INT32_MIN, b);
    assert_string_equal(b, "-178956970-08");
}

static void test_window(void **state)
{
    (void)state;
    const int64_t min = EDDY_MS_PER_MINUTE;
    assert_int_equal(eddy_window_start(0, min, 0), 0);
    assert_int_equal(eddy_window_start(59999, min, 0), 0);
    assert_int_equal(eddy_window_start(60000, min, 0), 60000);
    assert_int_equal(eddy_window_start(-1, min, 0), -60000);
    assert_int_equal(eddy_window_start(-60000, min, 0), -60000);
    assert_int_equal(eddy_window_start(-60001, min, 0), -120000);
    assert_int_equal(eddy_window_start(10, 5000, 1000), 1000 - 5000);
    assert_int_equal(eddy_window_start(1000, 5000, 1000), 1000);
    assert_int_equal(eddy_window_start(7000, 5000, 1000), 6000);
    assert_int_equal(eddy_window_start(7000, 5000, -1000), 4000);
    assert_int_equal(eddy_window_start(TS("2021-08-18 13:47:25.678"), EDDY_MS_PER_HOUR, 0),
                     TS("2021-08-18 13:00:00"));
    /* property: start <= ts < start + size, start = offset (mod size) */
    for (int i = 0; i < 10000; i++) {
        int64_t ts = (int64_t)(rnd() % 4000000000000) - 2000000000000;
        int64_t size = (int64_t)(rnd() % 86400000) + 1;
        int64_t off = (int64_t)(rnd() % (uint64_t)size) - size / 2;
        int64_t s = eddy_window_start(ts, size, off);
        assert_true(s <= ts && ts < s + size);
        assert_int_equal(eddy_floormod_i64(s - off, size), 0);
    }
    assert_int_equal(eddy_gcd_i64(10 * min, 4 * min), 2 * min);
    assert_int_equal(eddy_gcd_i64(5000, 3000), 1000);
    assert_int_equal(eddy_gcd_i64(-12, 18), 6);
    assert_int_equal(eddy_gcd_i64(0, 7), 7);
    assert_int_equal(eddy_gcd_i64(0, 0), 0);
    assert_int_equal(eddy_gcd_i64(INT64_MIN, 2), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_civil_basics),    cmocka_unit_test(test_civil_extremes),
        cmocka_unit_test(test_leap_years),
        cmocka_unit_test(test_fields),          cmocka_unit_test(test_random_vs_glibc),
        cmocka_unit_test(test_parse_fast),      cmocka_unit_test(test_parse_lenient),
        cmocka_unit_test(test_format),          cmocka_unit_test(test_floor_ceil),
        cmocka_unit_test(test_extract),         cmocka_unit_test(test_add_diff),
        cmocka_unit_test(test_interval_parse),  cmocka_unit_test(test_interval_format),
        cmocka_unit_test(test_window),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
