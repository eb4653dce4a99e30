/*
 * bench_sources.c: how fast the local sources fill batches, on one thread.
 *
 *   bench_sources [events]      (default 20,000,000 Nexmark events, 1,000,000 JSON lines)
 *
 * 1. The nexmark source producing Nexmark q0's columns (event_type and bid.auction,
 *    bid.bidder, bid.price, bid.dateTime, bid.extra), unpaced ('max-emit-speed'), without
 *    and with the pushed-down `event_type = 2` filter: events/s and bids/s.
 * 2. The JSON decoder on ~180-byte events of a shop's click stream, 6 of 8 fields projected,
 *    from memory (strings borrowed): MB/s and rows/s.
 * 3. The filesystem source reading the same events from a file (mmap, decode): rows/s.
 * Rates are per CPU-second of this process (the machine may be shared). Build in Release
 * (-O2) for numbers worth quoting.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/arena.h"
#include "connectors/connectors.h"
#include "connectors/format_json.h"
#include "runtime/batch.h"

/* CPU time of this process: the machine is shared, and a single-threaded rate is what we
 * want (wall-clock rates drop when other work runs on the same cores). */
static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static eddy_sqltype t_int = {.kind = EDDY_TYPE_INT, .precision = -1, .scale = -1};
static eddy_sqltype t_bigint = {.kind = EDDY_TYPE_BIGINT, .precision = -1, .scale = -1};
static eddy_sqltype t_double = {.kind = EDDY_TYPE_DOUBLE, .precision = -1, .scale = -1};
static eddy_sqltype t_str = {.kind = EDDY_TYPE_VARCHAR, .precision = -1, .scale = -1};
static eddy_sqltype t_ts = {.kind = EDDY_TYPE_TIMESTAMP, .precision = 3, .scale = -1};

static void bench_nexmark(uint64_t events, bool filter)
{
    const char *rows[6] = {"event_type", "bid", "bid", "bid", "bid", "bid"};
    const char *names[6] = {"event_type", "auction", "bidder", "price", "dateTime", "extra"};
    eddy_sqltype *types[6] = {&t_int, &t_bigint, &t_bigint, &t_bigint, &t_ts, &t_str};
    eddy_field fields[6];
    const char *pathv[6][2];
    const char *const *paths[6];
    int npath[6];
    for (int i = 0; i < 6; i++) {
        fields[i] = (eddy_field){.name = names[i], .type = types[i]};
        pathv[i][0] = rows[i];
        pathv[i][1] = names[i];
        paths[i] = pathv[i];
        npath[i] = i == 0 ? 1 : 2;
    }
    eddy_schema s = {fields, 6};
    char num[32];
    snprintf(num, sizeof num, "%" PRIu64, events);
    eddy_kv kv[] = {{"connector", "nexmark"}, {"events.num", num}, {"max-emit-speed", "true"},
                    {"first-event.rate", "10000000"}};
    eddy_bexpr col = {.kind = EDDY_BEXPR_COLUMN, .type = &t_int, .column = 0};
    eddy_bexpr cst = {.kind = EDDY_BEXPR_CONST, .type = &t_int};
    cst.value.u.i = 2;
    eddy_bexpr *args[2] = {&col, &cst};
    eddy_bexpr eq = {.kind = EDDY_BEXPR_COMPARE, .op = EDDY_BOP_EQ, .args = args, .nargs = 2};
    eddy_source_spec spec = {.table = "datagen", .options = kv, .noptions = 4, .schema = &s,
                             .paths = paths, .npath = npath, .batch_rows = EDDY_BATCH_ROWS};
    if (filter) spec.pushed_filter = &eq;
    const eddy_source_ops *ops = eddy_connector_find(eddy_connectors_builtin(), "nexmark")->source;
    void *st;
    eddy_error err;
    eddy_error_clear(&err);
    if (ops->open(&spec, &st, &err) != 0) {
        fprintf(stderr, "open: %s\n", err.msg);
        exit(1);
    }
    const eddy_sqltype *tt[6];
    for (int i = 0; i < 6; i++) tt[i] = types[i];
    eddy_batch *b = eddy_batch_new(6, tt, EDDY_BATCH_ROWS);
    uint64_t rows_out = 0, bids = 0;
    int64_t check = 0;
    double t0 = now_s();
    for (;;) {
        eddy_batch_reset(b);
        int r = ops->poll(st, b, 0, &err);
        if (r != EDDY_POLL_DATA) break;
        rows_out += (uint64_t)b->n;
        for (int i = 0; i < b->n; i++) {
            bids += b->cols[0].v.i64[i] == 2;
            check += b->cols[3].v.i64[i] + b->cols[5].v.str[i].n;
        }
    }
    double t = now_s() - t0;
    printf("nexmark q0 columns, %-9s %6.2f M events/s  %6.2f M bids/s  (%" PRIu64 " rows, %.2f s, check %" PRId64 ")\n",
           filter ? "filtered:" : "all:", (double)events / t / 1e6, (double)bids / t / 1e6, rows_out, t,
           check % 1000);
    eddy_batch_free(b);
    ops->close(st);
}

/* ~180-byte click events. */
static char *make_events(int n, size_t *len)
{
    static const char *types[] = {"view", "add_to_cart", "purchase", "view"};
    static const char *cats[] = {"electronics", "books", "garden", "toys", "fashion"};
    size_t cap = (size_t)n * 256;
    char *buf = malloc(cap), *p = buf;
    uint64_t x = 88172645463325252ULL;
    for (int i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        int64_t ms = INT64_C(1704067200000) + i * 7;
        time_t sec = (time_t)(ms / 1000);
        struct tm tm;
        gmtime_r(&sec, &tm);
        p += sprintf(p,
                     "{\"user_id\":%d,\"session\":\"s-%08x\",\"event_type\":\"%s\",\"product_id\":%d,"
                     "\"category\":\"%s\",\"price\":%d.%02d,\"ts\":\"%04d-%02d-%02d %02d:%02d:%02d.%03d\","
                     "\"ref\":\"https://shop.example/\"}\n",
                     (int)(x % 100000), (unsigned)(x >> 32), types[x % 4], (int)(x % 5000),
                     cats[(x >> 8) % 5], (int)(x % 500), (int)((x >> 16) % 100), tm.tm_year + 1900,
                     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(ms % 1000));
    }
    *len = (size_t)(p - buf);
    return buf;
}

static void bench_json(int n)
{
    size_t len;
    char *text = make_events(n, &len);
    const char *names[6] = {"user_id", "event_type", "product_id", "category", "price", "ts"};
    eddy_sqltype *types[6] = {&t_bigint, &t_str, &t_bigint, &t_str, &t_double, &t_ts};
    eddy_field fields[6];
    const eddy_sqltype *tt[6];
    for (int i = 0; i < 6; i++) {
        fields[i] = (eddy_field){.name = names[i], .type = types[i]};
        tt[i] = types[i];
    }
    eddy_schema s = {fields, 6};
    eddy_json_decoder *d = eddy_json_decoder_new(&s, NULL, NULL, NULL);
    eddy_batch *b = eddy_batch_new(6, tt, EDDY_BATCH_ROWS);
    int best_rows = 0;
    double best = 1e9;
    for (int rep = 0; rep < 3; rep++) {
        double t0 = now_s();
        const char *p = text, *end = text + len;
        int rows = 0;
        eddy_batch_reset(b);
        while (p < end) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            if (eddy_json_decode(d, p, (size_t)(nl - p), b, true) != 0) {
                fprintf(stderr, "decode: %s\n", eddy_json_decoder_error(d));
                exit(1);
            }
            rows++;
            if (b->n == b->cap) eddy_batch_reset(b);
            p = nl + 1;
        }
        double t = now_s() - t0;
        if (t < best) best = t;
        best_rows = rows;
    }
    printf("json decode, 6 of 8 fields:  %6.1f MB/s  %6.2f M rows/s  (%d rows of %.0f bytes)\n",
           (double)len / best / 1e6, (double)best_rows / best / 1e6, best_rows, (double)len / n);

    /* the same through the filesystem source */
    char path[] = "/tmp/eddy-bench-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0 || write(fd, text, len) != (ssize_t)len) {
        perror("write");
        exit(1);
    }
    close(fd);
    eddy_kv kv[] = {{"connector", "filesystem"}, {"path", path}, {"format", "json"}};
    eddy_source_spec spec = {.table = "events", .options = kv, .noptions = 3, .schema = &s,
                             .batch_rows = EDDY_BATCH_ROWS};
    const eddy_source_ops *ops = eddy_connector_find(eddy_connectors_builtin(), "filesystem")->source;
    void *st;
    eddy_error err;
    eddy_error_clear(&err);
    if (ops->open(&spec, &st, &err) != 0) {
        fprintf(stderr, "open: %s\n", err.msg);
        exit(1);
    }
    uint64_t rows = 0;
    double t0 = now_s();
    for (;;) {
        eddy_batch_reset(b);
        int r = ops->poll(st, b, 0, &err);
        if (r != EDDY_POLL_DATA) {
            if (r < 0) fprintf(stderr, "poll: %s\n", err.msg);
            break;
        }
        rows += (uint64_t)b->n;
    }
    double t = now_s() - t0;
    printf("filesystem json source:       %6.1f MB/s  %6.2f M rows/s  (%" PRIu64 " rows)\n",
           (double)len / t / 1e6, (double)rows / t / 1e6, rows);
    ops->close(st);
    unlink(path);
    eddy_batch_free(b);
    eddy_json_decoder_free(d);
    free(text);
}

int main(int argc, char **argv)
{
    uint64_t events = argc > 1 ? strtoull(argv[1], NULL, 10) : 20000000;
    int lines = argc > 2 ? atoi(argv[2]) : 1000000;
    bench_nexmark(events, false);
    bench_nexmark(events, true);
    bench_json(lines);
    return 0;
}
