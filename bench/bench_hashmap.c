/*
 * bench_hashmap.c: throughput of eddy_hmap (common/hashmap.h), the hashes (common/hash.h) and
 * HyperLogLog (common/hll.h).
 *
 *     bench_hashmap            # all sections
 *     bench_hashmap q2 hll     # some: hash q2 small key16 inline hll
 *
 * Times are thread CPU time, the best of 3 runs; a run builds its tables from nothing, growth
 * and page faults included, unless it says "reused" (a cleared table filled again: the steady
 * state of a runtime that recycles its slice tables). Sections:
 *   hash   ns per value of eddy_hash_u64 (MurmurHash3's finalizer) against XXH3 on 8 bytes.
 *   q2     ANCHORS.md Q2's shape: 5 M upserts of 1.58 M distinct 8-byte keys (every key once,
 *          the rest drawn at random, shuffled), an int64 count per key: the u64 call per row, the
 *          batch call (1024 rows: hash the column, upsert the batch, bump the counts), the byte
 *          call on 8-byte keys, and the u64 call with XXH3 as the hash.
 *   small  10 M upserts over 100 keys (a table in L1).
 *   key16  5 M upserts of 1 M distinct 16-byte keys (two BIGINTs), one call per row and batch.
 *   inline q2 with 12-byte inline keys (records of 32 bytes instead of 40).
 *   hll    adds per second: one dense sketch; one sparse sketch; 100 k sketches (per-group
 *          APPROX_COUNT_DISTINCT, random group per row); merges and estimates of dense sketches.
 *
 * Build with -DCMAKE_BUILD_TYPE=Release for numbers worth quoting.
 */
#include "common/hash.h"
#include "common/hashmap.h"
#include "common/hll.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xxhash.h>

#define REPS 3
#define BATCH 1024

static uint64_t rng_state = 42;

static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* CPU time of this thread (page faults included): on a shared machine it leaves out the time
 * other processes hold the core, which wall-clock time does not. */
static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static volatile uint64_t sink; /* keeps results alive */

/* An operation stream over nkeys distinct keys (indexes into a key array): every key once, the
 * rest uniform, shuffled. */
static uint32_t *make_stream(size_t nkeys, size_t nops)
{
    uint32_t *s = malloc(nops * sizeof *s);
    for (size_t i = 0; i < nops; i++)
        s[i] = (uint32_t)(i < nkeys ? i : rnd() % nkeys);
    for (size_t i = nops; i > 1; i--) {
        size_t j = rnd() % i;
        uint32_t t = s[i - 1];
        s[i - 1] = s[j];
        s[j] = t;
    }
    return s;
}

static void report(const char *what, size_t nops, double secs, const eddy_hmap *m)
{
    printf("  %-44s %7.2f M ops/s  %6.1f ns/op", what, (double)nops / secs / 1e6,
           secs * 1e9 / (double)nops);
    if (m) printf("  %u entries, %.1f MB", eddy_hmap_count(m), (double)eddy_hmap_memory(m) / 1e6);
    printf("\n");
}

/* ---- u64 keys ---- */

typedef enum { U64_SINGLE, U64_BATCH, U64_BYTES, U64_XXH3, U64_REUSED, U64_REUSED_BATCH } u64_mode;

/* One run over the key column col (nops keys): a new table, or m itself cleared when reused. */
static double run_u64(const uint64_t *col, size_t nops, u64_mode mode, size_t inline_key,
                      eddy_hmap **keep)
{
    bool reuse = mode == U64_REUSED || mode == U64_REUSED_BATCH;
    eddy_hmap *m = reuse && *keep ? *keep : eddy_hmap_new_ex(sizeof(int64_t), 0, inline_key);
    if (reuse) eddy_hmap_clear(m);
    uint64_t hashes[BATCH];
    uint32_t ids[BATCH];
    double t0 = now();
    switch (mode) {
    case U64_SINGLE:
    case U64_REUSED:
        for (size_t i = 0; i < nops; i++) {
            uint64_t k = col[i];
            int64_t *v = eddy_hmap_upsert_u64(m, k, eddy_hash_u64(k), NULL, NULL);
            (*v)++;
        }
        break;
    case U64_XXH3:
        for (size_t i = 0; i < nops; i++) {
            uint64_t k = col[i];
            int64_t *v = eddy_hmap_upsert_u64(m, k, XXH3_64bits(&k, 8), NULL, NULL);
            (*v)++;
        }
        break;
    case U64_BYTES:
        for (size_t i = 0; i < nops; i++) {
            uint64_t k = col[i];
            int64_t *v = eddy_hmap_upsert(m, &k, 8, eddy_hash_u64(k), NULL, NULL);
            (*v)++;
        }
        break;
    case U64_BATCH:
    case U64_REUSED_BATCH:
        for (size_t b = 0; b < nops; b += BATCH) {
            size_t n = nops - b < BATCH ? nops - b : BATCH;
            eddy_hash_u64_array(col + b, hashes, n);
            eddy_hmap_upsert_u64_batch(m, n, col + b, hashes, ids, NULL);
            size_t stride;
            char *base = eddy_hmap_values(m, &stride);
            for (size_t i = 0; i < n; i++)
                (*(int64_t *)(base + ids[i] * stride))++;
        }
        break;
    }
    double t = now() - t0;
    sink += eddy_hmap_count(m);
    if (*keep != m) eddy_hmap_destroy(*keep);
    *keep = m;
    return t;
}

static void bench_u64(const char *title, size_t nkeys, size_t nops, size_t inline_key)
{
    printf("%s: %zu distinct 8-byte keys, %zu upserts, int64 count per key\n", title, nkeys, nops);
    uint64_t *keys = malloc(nkeys * sizeof *keys);
    for (size_t i = 0; i < nkeys; i++)
        keys[i] = rnd();
    uint32_t *stream = make_stream(nkeys, nops);
    uint64_t *col = malloc(nops * sizeof *col); /* the key column, as decoded batches give it */
    for (size_t i = 0; i < nops; i++)
        col[i] = keys[stream[i]];
    static const struct {
        u64_mode mode;
        const char *name;
    } modes[] = {
        {U64_SINGLE, "upsert_u64, one call per row"},
        {U64_BATCH, "upsert_u64_batch (1024) + count via ids"},
        {U64_BYTES, "upsert (byte path, 8-byte key)"},
        {U64_XXH3, "upsert_u64 with XXH3 as the hash"},
        {U64_REUSED, "upsert_u64, cleared table reused"},
        {U64_REUSED_BATCH, "upsert_u64_batch, cleared table reused"},
    };
    for (size_t mi = 0; mi < sizeof modes / sizeof *modes; mi++) {
        double best = 1e30;
        eddy_hmap *m = NULL;
        for (int r = 0; r < REPS + 1; r++) {
            double t = run_u64(col, nops, modes[mi].mode, inline_key, &m);
            if (t < best &&
                !(r == 0 && (modes[mi].mode == U64_REUSED || modes[mi].mode == U64_REUSED_BATCH)))
                best = t; /* a reused table's first run is a fresh one */
        }
        /* the counts add up */
        int64_t total = 0;
        for (uint32_t id = 0; id < eddy_hmap_end(m); id++)
            total += *(int64_t *)eddy_hmap_value(m, id);
        if ((size_t)total != nops || eddy_hmap_count(m) != nkeys) {
            fprintf(stderr, "bench_hashmap: wrong result\n");
            exit(1);
        }
        report(modes[mi].name, nops, best, m);
        eddy_hmap_destroy(m);
    }
    free(keys);
    free(stream);
    free(col);
}

/* ---- 16-byte keys ---- */

static void bench_key16(void)
{
    size_t nkeys = 1000000, nops = 5000000;
    printf("key16: %zu distinct 16-byte keys, %zu upserts, int64 count per key\n", nkeys, nops);
    uint64_t(*keys)[2] = malloc(nkeys * sizeof *keys);
    for (size_t i = 0; i < nkeys; i++) {
        keys[i][0] = rnd() % 1000;
        keys[i][1] = rnd();
    }
    uint32_t *stream = make_stream(nkeys, nops);
    for (int batch = 0; batch < 2; batch++) {
        double best = 1e30;
        eddy_hmap *keep = NULL;
        for (int r = 0; r < REPS; r++) {
            eddy_hmap *m = eddy_hmap_new(sizeof(int64_t), 0);
            const void *kp[BATCH];
            size_t kl[BATCH];
            uint64_t hashes[BATCH];
            uint32_t ids[BATCH];
            double t0 = now();
            if (!batch) {
                for (size_t i = 0; i < nops; i++) {
                    const uint64_t *k = keys[stream[i]];
                    int64_t *v = eddy_hmap_upsert(m, k, 16, eddy_hash_bytes(k, 16), NULL, NULL);
                    (*v)++;
                }
            } else {
                for (size_t b = 0; b < nops; b += BATCH) {
                    size_t n = nops - b < BATCH ? nops - b : BATCH;
                    for (size_t i = 0; i < n; i++) {
                        kp[i] = keys[stream[b + i]];
                        kl[i] = 16;
                        hashes[i] = eddy_hash_bytes(kp[i], 16);
                    }
                    eddy_hmap_upsert_batch(m, n, kp, kl, hashes, ids, NULL);
                    size_t stride;
                    char *base = eddy_hmap_values(m, &stride);
                    for (size_t i = 0; i < n; i++)
                        (*(int64_t *)(base + ids[i] * stride))++;
                }
            }
            double t = now() - t0;
            if (t < best) best = t;
            eddy_hmap_destroy(keep);
            keep = m;
        }
        report(batch ? "upsert_batch (1024) + count via ids" : "upsert, one call per row", nops,
               best, keep);
        eddy_hmap_destroy(keep);
    }
    free(keys);
    free(stream);
}

/* ---- hashes ---- */

static void bench_hash(void)
{
    size_t n = 10000000;
    printf("hash: %zu values\n", n);
    uint64_t *in = malloc(n * sizeof *in), *out = malloc(n * sizeof *out);
    for (size_t i = 0; i < n; i++)
        in[i] = rnd();
    double best[3] = {1e30, 1e30, 1e30};
    for (int r = 0; r < REPS; r++) {
        double t0 = now();
        eddy_hash_u64_array(in, out, n);
        double t1 = now();
        for (size_t i = 0; i < n; i++)
            out[i] = XXH3_64bits(&in[i], 8);
        double t2 = now();
        for (size_t i = 0; i + 1 < n; i += 2)
            out[i] = eddy_hash_bytes(&in[i], 16);
        double t3 = now();
        sink += out[n / 2];
        if (t1 - t0 < best[0]) best[0] = t1 - t0;
        if (t2 - t1 < best[1]) best[1] = t2 - t1;
        if (t3 - t2 < best[2]) best[2] = t3 - t2;
    }
    printf("  %-44s %7.2f ns/value\n", "eddy_hash_u64 (fmix64) over an array", best[0] * 1e9 / n);
    printf("  %-44s %7.2f ns/value\n", "XXH3_64bits on 8 bytes", best[1] * 1e9 / n);
    printf("  %-44s %7.2f ns/value\n", "eddy_hash_bytes on 16 bytes", best[2] * 1e9 / (n / 2));
    free(in);
    free(out);
}

/* ---- HyperLogLog ---- */

static void bench_hll(void)
{
    size_t n = 10000000;
    printf("hll: p = 14\n");
    uint64_t *h = malloc(n * sizeof *h);
    for (size_t i = 0; i < n; i++)
        h[i] = rnd();
    double best;

    best = 1e30;
    for (int r = 0; r < REPS; r++) {
        eddy_hll s = {0};
        double t0 = now();
        for (size_t i = 0; i < n; i++)
            eddy_hll_add(&s, h[i]);
        double t = now() - t0;
        sink += (uint64_t)eddy_hll_estimate(&s);
        eddy_hll_free(&s);
        if (t < best) best = t;
    }
    printf("  %-44s %7.2f M adds/s  %6.1f ns/add\n", "one sketch, 10 M distinct (dense)",
           n / best / 1e6, best * 1e9 / n);

    best = 1e30;
    for (int r = 0; r < REPS; r++) {
        eddy_hll s = {0};
        double t0 = now();
        for (size_t i = 0; i < n; i++)
            eddy_hll_add(&s, h[i % 2000]);
        double t = now() - t0;
        if (eddy_hll_is_dense(&s)) exit(1);
        eddy_hll_free(&s);
        if (t < best) best = t;
    }
    printf("  %-44s %7.2f M adds/s  %6.1f ns/add\n", "one sketch, 2000 distinct (sparse)",
           n / best / 1e6, best * 1e9 / n);

    size_t groups = 100000;
    best = 1e30;
    size_t mem = 0;
    for (int r = 0; r < REPS; r++) {
        eddy_hll *s = calloc(groups, sizeof *s);
        double t0 = now();
        for (size_t i = 0; i < n; i++)
            eddy_hll_add(&s[h[i] % groups], eddy_hash_u64(h[i]));
        double t = now() - t0;
        mem = groups * sizeof *s;
        for (size_t g = 0; g < groups; g++) {
            mem += eddy_hll_memory(&s[g]);
            eddy_hll_free(&s[g]);
        }
        free(s);
        if (t < best) best = t;
    }
    printf("  %-44s %7.2f M adds/s  %6.1f ns/add  %.1f MB\n",
           "100 k sketches of ~100 values (sparse)", n / best / 1e6, best * 1e9 / n,
           (double)mem / 1e6);

    enum { NS = 16 };
    eddy_hll src[NS];
    for (int k = 0; k < NS; k++) {
        eddy_hll_init(&src[k], 14);
        for (size_t i = 0; i < 100000; i++)
            eddy_hll_add(&src[k], h[k * 100000 + i]);
    }
    size_t merges = 20000;
    best = 1e30;
    for (int r = 0; r < REPS; r++) {
        eddy_hll d = {0};
        double t0 = now();
        for (size_t i = 0; i < merges; i++)
            eddy_hll_merge(&d, &src[i % NS]);
        double t = now() - t0;
        eddy_hll_free(&d);
        if (t < best) best = t;
    }
    printf("  %-44s %7.2f us/merge\n", "merge dense into dense", best * 1e6 / merges);
    best = 1e30;
    for (int r = 0; r < REPS; r++) {
        double t0 = now();
        for (size_t i = 0; i < merges; i++)
            sink += (uint64_t)eddy_hll_estimate(&src[i % NS]);
        double t = now() - t0;
        if (t < best) best = t;
    }
    printf("  %-44s %7.2f us/estimate\n", "estimate of a dense sketch", best * 1e6 / merges);
    for (int k = 0; k < NS; k++)
        eddy_hll_free(&src[k]);
    free(h);
}

static bool wanted(int argc, char **argv, const char *name)
{
    if (argc < 2) return true;
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], name) == 0) return true;
    return false;
}

int main(int argc, char **argv)
{
    if (wanted(argc, argv, "hash")) bench_hash();
    if (wanted(argc, argv, "q2")) bench_u64("q2", 1580000, 5000000, EDDY_HMAP_INLINE_KEY);
    if (wanted(argc, argv, "small")) bench_u64("small", 100, 10000000, EDDY_HMAP_INLINE_KEY);
    if (wanted(argc, argv, "key16")) bench_key16();
    if (wanted(argc, argv, "inline")) bench_u64("inline 12", 1580000, 5000000, 12);
    if (wanted(argc, argv, "hll")) bench_hll();
    return 0;
}
