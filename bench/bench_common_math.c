/*
 * bench_common_math.c: ns per call of the time and decimal functions the runtime calls in its
 * column loops (common/timeutil.h, common/datefmt.h, common/decimal.h).
 *
 *     bench_common_math             # all sections
 *     bench_common_math ts dec      # some: ts fmt dec
 *     bench_common_math -p 20 ...   # exactly 20 passes per line, no timing: for
 *         valgrind --tool=callgrind, then callgrind_annotate --inclusive=yes gives each b_*
 *         function's instructions; divide by 20 * 4096 for instructions per call
 *
 * Each line loops over 4096 prepared inputs (random timestamps of 2015..2025, decimals of the
 * sizes Nexmark and typical DDL use) for about 0.2 s and prints the median of 5 runs in ns per
 * call. Sections:
 *   ts   timestamp parse (fast path, 'yyyy-MM-dd HH:mm:ss.SSS'), the lenient parse, format
 *        (canonical and trimmed), FLOOR TO HOUR / MONTH, EXTRACT(DOY), window start, +1 MONTH.
 *   fmt  DATE_FORMAT with 'yyyy-MM-dd' and 'HH:mm' (Nexmark q10, q15-q17; hand-written paths),
 *        a pattern on the general path, and TO_TIMESTAMP with a pattern.
 *   dec  0.908 * price (DECIMAL(3,3) * BIGINT -> (23,3), no rescale), DECIMAL(10,2) * (10,2)
 *        rescaled to (12,2), DECIMAL(38,18) * (38,18) -> (38,6) (256-bit path), division, add of
 *        mixed scales, parse, format, to double.
 *
 * Build with -DCMAKE_BUILD_TYPE=Release for numbers worth quoting.
 */
#include "common/datefmt.h"
#include "common/decimal.h"
#include "common/timeutil.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define N 4096
#define RUNS 5

static uint64_t rng_state = 42;

static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static volatile uint64_t sink; /* keeps results alive */

/* inputs */
static int64_t ts_in[N];
static char ts_text[N][32];
static size_t ts_len[N];
static char ts_lenient[N][32];
static size_t ts_lenient_len[N];
static eddy_i128 price[N];    /* BIGINT prices */
static eddy_i128 d10_2[N];    /* DECIMAL(10,2) */
static eddy_i128 d38_18[N];   /* DECIMAL(38,18) */
static char dec_text[N][48];
static size_t dec_len[N];

typedef uint64_t (*bench_fn)(void);

static long fixed_passes; /* -p: run each line this many passes, untimed */

/* Runs fn (one pass over the N inputs) for ~0.2 s per run; prints the median ns per call. */
static void run(const char *name, bench_fn fn)
{
    if (fixed_passes) {
        for (long k = 0; k < fixed_passes; k++) sink += fn();
        return;
    }
    double per[RUNS];
    for (int r = 0; r < RUNS; r++) {
        long passes = 0;
        double t0 = now(), t;
        do {
            sink += fn();
            passes++;
            t = now();
        } while (t - t0 < 0.2);
        per[r] = (t - t0) * 1e9 / ((double)passes * N);
    }
    for (int i = 0; i < RUNS; i++) /* sort to take the median */
        for (int j = i + 1; j < RUNS; j++)
            if (per[j] < per[i]) {
                double x = per[i];
                per[i] = per[j];
                per[j] = x;
            }
    printf("  %-52s %8.1f ns/call\n", name, per[RUNS / 2]);
}

/* ---------------------------------------------------------------------------------------- */

static uint64_t b_ts_parse(void)
{
    uint64_t acc = 0;
    for (int i = 0; i < N; i++) {
        int64_t v;
        if (eddy_ts_parse(ts_text[i], ts_len[i], EDDY_TSP_SQL, &v) == 0) acc += (uint64_t)v;
    }
    return acc;
}

static uint64_t b_ts_parse_lenient(void)
{
    uint64_t acc = 0;
    for (int i = 0; i < N; i++) {
        int64_t v;
        if (eddy_ts_parse_lenient(ts_lenient[i], ts_lenient_len[i], &v) == 0) acc += (uint64_t)v;
    }
    return acc;
}

static uint64_t b_ts_format(void)
{
    uint64_t acc = 0;
    char buf[EDDY_TS_BUFSZ];
    for (int i = 0; i < N; i++) acc += eddy_ts_format(ts_in[i], buf) + (uint8_t)buf[18];
    return acc;
}

static uint64_t b_ts_format_trim(void)
{
    uint64_t acc = 0;
    char buf[EDDY_TS_BUFSZ];
    for (int i = 0; i < N; i++) acc += eddy_ts_format_ex(ts_in[i], 9, EDDY_TSF_TRIM, buf);
    return acc;
}

static uint64_t b_floor_hour(void)
{
    uint64_t acc = 0;
    for (int i = 0; i < N; i++) acc += (uint64_t)eddy_ts_floor(ts_in[i], EDDY_UNIT_HOUR);
    return acc;
}

static uint64_t b_floor_month(void)
{
    uint64_t acc = 0;
    for (int i = 0; i < N; i++) acc += (uint64_t)eddy_ts_floor(ts_in[i], EDDY_UNIT_MONTH);
    return acc;
}

static uint64_t b_extract_doy(void)
{
    uint64_t acc = 0;
    for (int i = 0; i < N; i++) acc += (uint64_t)eddy_ts_extract(ts_in[i], EDDY_UNIT_DOY);
    return acc;
}

static uint64_t b_window_start(void)
{
    uint64_t acc = 0;
    for (int i = 0; i < N; i++) acc += (uint64_t)eddy_window_start(ts_in[i], 10000, 0);
    return acc;
}

static uint64_t b_add_month(void)
{
    uint64_t acc = 0;
    for (int i = 0; i < N; i++) {
        int64_t v;
        if (eddy_ts_add(EDDY_UNIT_MONTH, 1, ts_in[i], &v) == 0) acc += (uint64_t)v;
    }
    return acc;
}

static eddy_datefmt *f_ymd, *f_hm, *f_general, *f_parse;

static uint64_t fmt_loop(const eddy_datefmt *f)
{
    uint64_t acc = 0;
    char buf[128];
    for (int i = 0; i < N; i++) acc += eddy_datefmt_format(f, ts_in[i], buf, sizeof buf) + (uint8_t)buf[1];
    return acc;
}
static uint64_t b_fmt_ymd(void)
{
    return fmt_loop(f_ymd);
}
static uint64_t b_fmt_hm(void)
{
    return fmt_loop(f_hm);
}
static uint64_t b_fmt_general(void)
{
    return fmt_loop(f_general);
}
static uint64_t b_fmt_parse(void)
{
    uint64_t acc = 0;
    for (int i = 0; i < N; i++) {
        int64_t v;
        if (eddy_datefmt_parse(f_parse, ts_text[i], 19, &v) == 0) acc += (uint64_t)v;
    }
    return acc;
}

/* ---------------------------------------------------------------------------------------- */

static uint64_t b_dec_q1(void)
{
    uint64_t acc = 0;
    for (int i = 0; i < N; i++) {
        eddy_i128 r;
        if (eddy_dec_mul(908, 3, price[i], 0, 23, 3, &r) == 0) acc += (uint64_t)r;
    }
    return acc;
}

static uint64_t b_dec_mul_rescale(void)
{
    uint64_t acc = 0;
    for (int i = 0; i < N; i++) {
        eddy_i128 r;
        if (eddy_dec_mul(d10_2[i], 2, d10_2[(i + 1) & (N - 1)], 2, 12, 2, &r) == 0) acc += (uint64_t)r;
    }
    return acc;
}

static uint64_t b_dec_mul38(void)
{
    uint64_t acc = 0;
    for (int i = 0; i < N; i++) {
        eddy_i128 r;
        if (eddy_dec_mul(d38_18[i], 18, d38_18[(i + 1) & (N - 1)], 18, 38, 6, &r) == 0)
            acc += (uint64_t)r;
    }
    return acc;
}

static uint64_t b_dec_div(void)
{
    uint64_t acc = 0;
    for (int i = 0; i < N; i++) {
        eddy_i128 r; /* DECIMAL(10,2) / DECIMAL(10,2) -> (23,13) */
        if (eddy_dec_div(d10_2[i], 2, d10_2[(i + 1) & (N - 1)] | 1, 2, 23, 13, &r) == 0)
            acc += (uint64_t)r;
    }
    return acc;
}

static uint64_t b_dec_div38(void)
{
    uint64_t acc = 0;
    for (int i = 0; i < N; i++) {
        eddy_i128 r; /* DECIMAL(38,18) / DECIMAL(38,18) -> (38,6) */
        if (eddy_dec_div(d38_18[i], 18, d38_18[(i + 1) & (N - 1)] | 1, 18, 38, 6, &r) == 0)
            acc += (uint64_t)r;
    }
    return acc;
}

static uint64_t b_dec_add(void)
{
    uint64_t acc = 0;
    for (int i = 0; i < N; i++) {
        eddy_i128 r; /* DECIMAL(10,2) + BIGINT -> (22,2) */
        if (eddy_dec_add(d10_2[i], 2, price[i], 0, 22, 2, &r) == 0) acc += (uint64_t)r;
    }
    return acc;
}

static uint64_t b_dec_parse(void)
{
    uint64_t acc = 0;
    for (int i = 0; i < N; i++) {
        eddy_i128 r;
        if (eddy_dec_parse(dec_text[i], dec_len[i], 10, 2, &r) == 0) acc += (uint64_t)r;
    }
    return acc;
}

static uint64_t b_dec_format(void)
{
    uint64_t acc = 0;
    char buf[EDDY_DEC_BUFSZ];
    for (int i = 0; i < N; i++) acc += eddy_dec_format(d10_2[i], 2, buf);
    return acc;
}

static uint64_t b_dec_format38(void)
{
    uint64_t acc = 0;
    char buf[EDDY_DEC_BUFSZ];
    for (int i = 0; i < N; i++) acc += eddy_dec_format(d38_18[i], 18, buf);
    return acc;
}

static uint64_t b_dec_to_double(void)
{
    double acc = 0;
    for (int i = 0; i < N; i++) acc += eddy_dec_to_double(d10_2[i], 2);
    return (uint64_t)acc;
}

/* ---------------------------------------------------------------------------------------- */

static int wanted(int argc, char **argv, const char *section)
{
    if (argc < 2) return 1;
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], section) == 0) return 1;
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 2 && strcmp(argv[1], "-p") == 0) {
        fixed_passes = atol(argv[2]);
        argv[2] = argv[0];
        argc -= 2;
        argv += 2;
    }
    const int64_t lo = eddy_ts_from_fields(2015, 1, 1, 0, 0, 0, 0);
    const int64_t span = eddy_ts_from_fields(2025, 1, 1, 0, 0, 0, 0) - lo;
    for (int i = 0; i < N; i++) {
        ts_in[i] = lo + (int64_t)(rnd() % (uint64_t)span);
        ts_len[i] = eddy_ts_format(ts_in[i], ts_text[i]);
        eddy_tm tm;
        eddy_ts_to_fields(ts_in[i], &tm);
        ts_lenient_len[i] = (size_t)snprintf(ts_lenient[i], sizeof ts_lenient[i], "%d-%d-%d %d:%d:%d",
                                             tm.year, tm.month, tm.day, tm.hour, tm.minute, tm.second);
        price[i] = (eddy_i128)(rnd() % 10000000);
        d10_2[i] = (eddy_i128)(rnd() % 10000000000) - 5000000000;
        d38_18[i] = ((eddy_i128)(rnd() % 100000000000000000) * 1000000000000000000 +
                     (eddy_i128)(rnd() % 1000000000000000000)) *
                    ((rnd() & 1) ? 1 : -1);
        dec_len[i] = eddy_dec_format(d10_2[i], 2, dec_text[i]);
    }
    eddy_error err;
    eddy_error_clear(&err);
    f_ymd = eddy_datefmt_compile("yyyy-MM-dd", &err);
    f_hm = eddy_datefmt_compile("HH:mm", &err);
    f_general = eddy_datefmt_compile("dd/MM/yyyy HH:mm:ss", &err);
    f_parse = eddy_datefmt_compile("yyyy-MM-dd HH:mm:ss", &err);
    if (!f_ymd || !f_hm || !f_general || !f_parse) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }

    if (wanted(argc, argv, "ts")) {
        printf("timestamps\n");
        run("parse 'yyyy-MM-dd HH:mm:ss.SSS' (fast path)", b_ts_parse);
        run("parse lenient 'yyyy-M-d H:m:s'", b_ts_parse_lenient);
        run("format 'yyyy-MM-dd HH:mm:ss.SSS'", b_ts_format);
        run("format trimmed fraction (JSON writer)", b_ts_format_trim);
        run("FLOOR(ts TO HOUR)", b_floor_hour);
        run("FLOOR(ts TO MONTH)", b_floor_month);
        run("EXTRACT(DOY FROM ts)", b_extract_doy);
        run("window start (10 s tumbling)", b_window_start);
        run("ts + INTERVAL '1' MONTH", b_add_month);
    }
    if (wanted(argc, argv, "fmt")) {
        printf("DATE_FORMAT / TO_TIMESTAMP\n");
        run("DATE_FORMAT(ts, 'yyyy-MM-dd')", b_fmt_ymd);
        run("DATE_FORMAT(ts, 'HH:mm')", b_fmt_hm);
        run("DATE_FORMAT(ts, 'dd/MM/yyyy HH:mm:ss') (general)", b_fmt_general);
        run("TO_TIMESTAMP(s, 'yyyy-MM-dd HH:mm:ss')", b_fmt_parse);
    }
    if (wanted(argc, argv, "dec")) {
        printf("DECIMAL\n");
        run("0.908 * price -> DECIMAL(23,3)", b_dec_q1);
        run("DECIMAL(10,2) * DECIMAL(10,2) rescaled to (12,2)", b_dec_mul_rescale);
        run("DECIMAL(38,18) * DECIMAL(38,18) -> (38,6)", b_dec_mul38);
        run("DECIMAL(10,2) / DECIMAL(10,2) -> (23,13)", b_dec_div);
        run("DECIMAL(38,18) / DECIMAL(38,18) -> (38,6)", b_dec_div38);
        run("DECIMAL(10,2) + BIGINT -> (22,2)", b_dec_add);
        run("parse '-12345678.90' to (10,2)", b_dec_parse);
        run("format DECIMAL(10,2)", b_dec_format);
        run("format DECIMAL(38,18)", b_dec_format38);
        run("DECIMAL(10,2) to DOUBLE", b_dec_to_double);
    }
    eddy_datefmt_free(f_ymd);
    eddy_datefmt_free(f_hm);
    eddy_datefmt_free(f_general);
    eddy_datefmt_free(f_parse);
    return 0;
}
