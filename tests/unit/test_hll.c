/*
 * test_hll.c: HyperLogLog (common/hll.h).
 *
 * Error within 2% at p = 14 for 1e3, 1e5 and 1e6 distinct values (sparse and dense), no bias
 * around the sparse -> dense switch and elsewhere, registers equal to a naive computation, merge
 * equal to the sketch of the union (byte for byte), folding of a finer sketch into a coarser
 * one, serialize round trips and rejection of corrupt bytes.
 */
#include "common/error.h"
#include "common/hash.h"
#include "common/hll.h"
#include "common/strbuf.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* the hash of the i-th value of stream s: distinct (i, s) give distinct hashes */
static uint64_t val(uint64_t s, uint64_t i)
{
    return eddy_hash_u64(s << 40 | i);
}

static double rel_err(double est, double n)
{
    return fabs(est - n) / n;
}

/* naive registers: the rank counted bit by bit */
static void naive_add(uint8_t *regs, int p, uint64_t h)
{
    uint64_t idx = h >> (64 - p);
    unsigned rank = 1;
    for (int b = 63 - p; b >= 0 && !(h >> b & 1); b--)
        rank++;
    if (regs[idx] < rank) regs[idx] = (uint8_t)rank;
}

static void serialize(const eddy_hll *h, eddy_strbuf *b)
{
    eddy_strbuf_clear(b);
    eddy_hll_serialize(h, b);
}

static void test_empty(void **state)
{
    (void)state;
    eddy_hll h = {0};
    assert_true(eddy_hll_estimate(&h) == 0.0);
    assert_int_equal(eddy_hll_precision(&h), 14);
    assert_false(eddy_hll_is_dense(&h));
    assert_int_equal(eddy_hll_memory(&h), 0);
    eddy_hll_add(&h, val(0, 1));
    assert_true(fabs(eddy_hll_estimate(&h) - 1.0) < 0.01);
    eddy_hll_add(&h, val(0, 1));
    assert_true(fabs(eddy_hll_estimate(&h) - 1.0) < 0.01);
    eddy_hll_add(&h, val(0, 2));
    assert_true(fabs(eddy_hll_estimate(&h) - 2.0) < 0.01);
    eddy_hll_free(&h);
    assert_true(eddy_hll_estimate(&h) == 0.0);
    eddy_hll_free(&h);
    eddy_hll_init(&h, 99);
    assert_int_equal(eddy_hll_precision(&h), EDDY_HLL_MAX_P);
    eddy_hll_init(&h, 1);
    assert_int_equal(eddy_hll_precision(&h), EDDY_HLL_MIN_P);
}

/* A dense p=14 sketch with no value, built through the public API (a dense encoding). */
static void make_dense_empty(eddy_hll *h)
{
    size_t len = 3 + (1 << 14);
    uint8_t *b = calloc(1, len);
    b[0] = 1;
    b[1] = 14;
    b[2] = 2;
    assert_int_equal(eddy_hll_deserialize(h, b, len), 0);
    free(b);
    assert_true(eddy_hll_is_dense(h));
}

static void test_error(void **state)
{
    (void)state;
    static const uint64_t sizes[] = {1000, 100000, 1000000};
    for (size_t si = 0; si < 3; si++) {
        for (uint64_t seed = 1; seed <= 3; seed++) {
            uint64_t n = sizes[si];
            eddy_hll h = {0}, d = {0};
            make_dense_empty(&d);
            for (uint64_t i = 0; i < n; i++) {
                eddy_hll_add(&h, val(seed, i));
                eddy_hll_add(&d, val(seed, i));
                if (i % 3 == 0) eddy_hll_add(&h, val(seed, i)); /* repeats change nothing */
            }
            double e = eddy_hll_estimate(&h), ed = eddy_hll_estimate(&d);
            print_message("n=%llu seed=%llu: estimate %.1f (%.3f%%), dense-only %.1f (%.3f%%)\n",
                          (unsigned long long)n, (unsigned long long)seed, e,
                          100 * rel_err(e, (double)n), ed, 100 * rel_err(ed, (double)n));
            assert_true(rel_err(e, (double)n) < 0.02);
            assert_true(rel_err(ed, (double)n) < 0.02);
            if (n == 1000) {
                assert_false(eddy_hll_is_dense(&h)); /* sparse: near exact */
                assert_true(rel_err(e, (double)n) < 0.002);
            }
            eddy_hll_free(&h);
            eddy_hll_free(&d);
        }
    }
}

/* Mean error over many sketches: no bias, and the spread the theory gives (1.04 / sqrt(m)). */
static void test_bias(void **state)
{
    (void)state;
    static const uint64_t sizes[] = {10, 200, 2500, 3100, 5000, 12000, 30000, 60000, 200000};
    enum { RUNS = 24 };
    for (size_t si = 0; si < sizeof sizes / sizeof *sizes; si++) {
        uint64_t n = sizes[si];
        double sum = 0, sum2 = 0;
        for (uint64_t r = 0; r < RUNS; r++) {
            eddy_hll h = {0};
            for (uint64_t i = 0; i < n; i++)
                eddy_hll_add(&h, val(100 + r, i));
            double e = (eddy_hll_estimate(&h) - (double)n) / (double)n;
            sum += e;
            sum2 += e * e;
            eddy_hll_free(&h);
        }
        double mean = sum / RUNS, rms = sqrt(sum2 / RUNS);
        print_message("n=%llu: mean error %+.3f%%, rms %.3f%%\n", (unsigned long long)n, 100 * mean,
                      100 * rms);
        assert_true(fabs(mean) < 0.006);
        assert_true(rms < 0.0125);
    }
}

/* The dense registers are exactly the naive ones, whether the sketch went through sparse or not,
 * for several precisions. */
static void test_registers(void **state)
{
    (void)state;
    static const int ps[] = {4, 7, 8, 10, 14, 16, 18};
    eddy_strbuf b = {0};
    for (size_t pi = 0; pi < sizeof ps / sizeof *ps; pi++) {
        int p = ps[pi];
        size_t m = (size_t)1 << p;
        uint8_t *regs = calloc(m, 1);
        eddy_hll h;
        eddy_hll_init(&h, p);
        uint64_t n = m * 2;
        for (uint64_t i = 0; i < n; i++) {
            uint64_t x = val(7, i);
            if (i % 1000 == 3) x = (uint64_t)i << (64 - p); /* rest all zero: top rank */
            eddy_hll_add(&h, x);
            naive_add(regs, p, x);
        }
        assert_true(eddy_hll_is_dense(&h));
        assert_int_equal(eddy_hll_memory(&h), m);
        serialize(&h, &b);
        assert_int_equal(b.n, 3 + m);
        assert_memory_equal(b.s + 3, regs, m);
        eddy_hll_free(&h);
        free(regs);
    }
    eddy_strbuf_free(&b);
}

/* Values sharing a sparse index (top 25 bits) with different ranks: the highest rank wins
 * whatever the order, in the sparse set, through its serialization and when folded to dense. */
static void test_same_index(void **state)
{
    (void)state;
    eddy_strbuf b1 = {0}, b2 = {0};
    enum { N = 600 };
    uint64_t x[N];
    uint8_t regs[1 << 14] = {0};
    for (int i = 0; i < N; i++) {
        uint64_t idx = eddy_hash_u64((uint64_t)i / 6) >> 39;   /* 6 values per index */
        int rank = 1 + (int)(eddy_hash_u64((uint64_t)i) % 40); /* 1 .. 40 */
        x[i] = idx << 39 | (rank <= 39 ? (uint64_t)1 << (39 - rank) : 0);
        naive_add(regs, 14, x[i]);
    }
    eddy_hll fwd = {0}, bwd = {0}, dense = {0};
    make_dense_empty(&dense);
    for (int i = 0; i < N; i++) {
        eddy_hll_add(&fwd, x[i]);
        eddy_hll_add(&bwd, x[N - 1 - i]);
    }
    assert_false(eddy_hll_is_dense(&fwd));
    serialize(&fwd, &b1);
    serialize(&bwd, &b2);
    assert_int_equal(b1.n, b2.n);
    assert_memory_equal(b1.s, b2.s, b1.n);
    assert_true(eddy_hll_estimate(&fwd) == eddy_hll_estimate(&bwd));
    assert_true(rel_err(eddy_hll_estimate(&fwd), N / 6) < 0.01);
    assert_int_equal(eddy_hll_merge(&dense, &bwd), 0);
    serialize(&dense, &b1);
    assert_memory_equal(b1.s + 3, regs, sizeof regs);
    eddy_hll_free(&fwd);
    eddy_hll_free(&bwd);
    eddy_hll_free(&dense);
    eddy_strbuf_free(&b1);
    eddy_strbuf_free(&b2);
}

/* The switch happens after 7/8 of 2^p/4 distinct entries, sparse memory never exceeds dense, and
 * the estimate stays right across it. */
static void test_sparse_to_dense(void **state)
{
    (void)state;
    eddy_hll h = {0};
    uint64_t i = 0;
    size_t last_mem = 0;
    while (!eddy_hll_is_dense(&h)) {
        eddy_hll_add(&h, val(9, i++));
        assert_true(eddy_hll_memory(&h) <= 16384);
        assert_true(eddy_hll_memory(&h) >= last_mem);
        last_mem = eddy_hll_memory(&h);
        if (i % 500 == 0) assert_true(rel_err(eddy_hll_estimate(&h), (double)i) < 0.01);
    }
    /* 3584 distinct entries at 25 bits; i values may share an entry (rare) */
    print_message("dense after %llu values\n", (unsigned long long)i);
    assert_true(i >= 3585 && i < 3600);
    assert_int_equal(eddy_hll_memory(&h), 16384);
    assert_true(rel_err(eddy_hll_estimate(&h), (double)i) < 0.02);
    eddy_hll_free(&h);

    /* p < 8: dense from the first value */
    eddy_hll s;
    eddy_hll_init(&s, 6);
    eddy_hll_add(&s, 1);
    assert_true(eddy_hll_is_dense(&s));
    assert_int_equal(eddy_hll_memory(&s), 64);
    eddy_hll_free(&s);
}

/* merge(A, B) == sketch(A u B), byte for byte, for all combinations of kinds. */
static void test_merge_union(void **state)
{
    (void)state;
    /* (size of A, size of B, overlap): sparse+sparse->sparse, ->dense, dense+sparse, sparse+dense,
     * dense+dense, empty on either side */
    static const uint64_t cases[][3] = {
        {100, 200, 50},        {2000, 2000, 500}, {50000, 300, 100}, {300, 50000, 100},
        {50000, 80000, 20000}, {0, 1000, 0},      {1000, 0, 0},      {0, 0, 0},
        {3000, 3000, 3000}};
    eddy_strbuf b1 = {0}, b2 = {0}, b3 = {0};
    for (size_t ci = 0; ci < sizeof cases / sizeof *cases; ci++) {
        uint64_t na = cases[ci][0], nb = cases[ci][1], ov = cases[ci][2];
        eddy_hll a = {0}, b = {0}, u = {0}, ab = {0}, ba = {0};
        /* A = values 0 .. na-1, B = values na-ov .. na-ov+nb-1 */
        for (uint64_t i = 0; i < na; i++)
            eddy_hll_add(&a, val(11, i));
        for (uint64_t i = na - ov; i < na - ov + nb; i++)
            eddy_hll_add(&b, val(11, i));
        uint64_t hi = na > na - ov + nb ? na : na - ov + nb;
        for (uint64_t i = hi; i-- > 0;)
            eddy_hll_add(&u, val(11, i)); /* other order */
        assert_int_equal(eddy_hll_merge(&ab, &a), 0);
        assert_int_equal(eddy_hll_merge(&ab, &b), 0);
        assert_int_equal(eddy_hll_merge(&ba, &b), 0);
        assert_int_equal(eddy_hll_merge(&ba, &a), 0);
        serialize(&u, &b1);
        serialize(&ab, &b2);
        serialize(&ba, &b3);
        assert_int_equal(b1.n, b2.n);
        assert_memory_equal(b1.s, b2.s, b1.n);
        assert_int_equal(b1.n, b3.n);
        assert_memory_equal(b1.s, b3.s, b1.n);
        assert_true(eddy_hll_estimate(&u) == eddy_hll_estimate(&ab));
        /* merging into A in place, and a merge with itself, change nothing more */
        assert_int_equal(eddy_hll_merge(&a, &b), 0);
        assert_int_equal(eddy_hll_merge(&a, &a), 0);
        serialize(&a, &b2);
        assert_int_equal(b1.n, b2.n);
        assert_memory_equal(b1.s, b2.s, b1.n);
        if (hi) assert_true(rel_err(eddy_hll_estimate(&u), (double)hi) < 0.02);
        eddy_hll_free(&a);
        eddy_hll_free(&b);
        eddy_hll_free(&u);
        eddy_hll_free(&ab);
        eddy_hll_free(&ba);
    }
    eddy_strbuf_free(&b1);
    eddy_strbuf_free(&b2);
    eddy_strbuf_free(&b3);
}

/* A finer sketch folds into a coarser one exactly; the other way is refused. */
static void test_merge_precisions(void **state)
{
    (void)state;
    static const uint64_t sizes[] = {500, 100000};
    eddy_strbuf b1 = {0}, b2 = {0};
    for (size_t si = 0; si < 2; si++) {
        for (int pf = 14; pf <= 18; pf += 2) {
            eddy_hll fine, coarse, direct;
            eddy_hll_init(&fine, pf);
            eddy_hll_init(&coarse, 12);
            eddy_hll_init(&direct, 12);
            for (uint64_t i = 0; i < sizes[si]; i++) {
                eddy_hll_add(&fine, val(13, i));
                eddy_hll_add(&direct, val(13, i));
            }
            assert_int_equal(eddy_hll_merge(&coarse, &fine), 0);
            serialize(&coarse, &b1);
            serialize(&direct, &b2);
            assert_int_equal(b1.n, b2.n);
            assert_memory_equal(b1.s, b2.s, b1.n);
            assert_int_equal(eddy_hll_merge(&fine, &coarse), EDDY_EDATA);
            eddy_hll_free(&fine);
            eddy_hll_free(&coarse);
            eddy_hll_free(&direct);
        }
    }
    eddy_strbuf_free(&b1);
    eddy_strbuf_free(&b2);
}

static void test_serialize(void **state)
{
    (void)state;
    static const uint64_t sizes[] = {0, 1, 10, 1000, 3000, 5000, 1000000};
    static const int ps[] = {14, 4, 8, 18};
    eddy_strbuf b1 = {0}, b2 = {0};
    for (size_t pi = 0; pi < 4; pi++) {
        for (size_t si = 0; si < sizeof sizes / sizeof *sizes; si++) {
            eddy_hll h, g = {0};
            eddy_hll_init(&h, ps[pi]);
            for (uint64_t i = 0; i < sizes[si]; i++)
                eddy_hll_add(&h, val(17, i));
            serialize(&h, &b1);
            if (sizes[si] == 0) assert_int_equal(b1.n, 3);
            if (ps[pi] == 14 && sizes[si] == 1000) assert_true(b1.n < 1000 * 4); /* compact */
            assert_int_equal(eddy_hll_deserialize(&g, b1.s, b1.n), 0);
            assert_int_equal(eddy_hll_precision(&g), ps[pi]);
            assert_int_equal(eddy_hll_is_dense(&g), eddy_hll_is_dense(&h));
            assert_true(eddy_hll_estimate(&g) == eddy_hll_estimate(&h));
            serialize(&g, &b2);
            assert_int_equal(b1.n, b2.n);
            assert_memory_equal(b1.s, b2.s, b1.n);
            /* the copy keeps working like the original */
            for (uint64_t i = 0; i < 5000; i++) {
                eddy_hll_add(&h, val(18, i));
                eddy_hll_add(&g, val(18, i));
            }
            serialize(&h, &b1);
            serialize(&g, &b2);
            assert_int_equal(b1.n, b2.n);
            assert_memory_equal(b1.s, b2.s, b1.n);
            eddy_hll_free(&h);
            eddy_hll_free(&g);
        }
    }
    eddy_strbuf_free(&b1);
    eddy_strbuf_free(&b2);
}

static void test_deserialize_bad(void **state)
{
    (void)state;
    eddy_strbuf b = {0};
    eddy_hll h = {0}, g = {0};
    for (uint64_t i = 0; i < 100; i++)
        eddy_hll_add(&h, val(19, i));
    serialize(&h, &b);
    uint8_t *x = malloc(b.n + 1);
    /* every truncation fails */
    for (size_t n = 0; n < b.n; n++)
        assert_int_equal(eddy_hll_deserialize(&g, b.s, n), EDDY_EDATA);
    /* trailing byte */
    memcpy(x, b.s, b.n);
    x[b.n] = 0;
    assert_int_equal(eddy_hll_deserialize(&g, x, b.n + 1), EDDY_EDATA);
    /* bad version, precision, kind */
    memcpy(x, b.s, b.n);
    x[0] = 2;
    assert_int_equal(eddy_hll_deserialize(&g, x, b.n), EDDY_EDATA);
    memcpy(x, b.s, b.n);
    x[1] = 19;
    assert_int_equal(eddy_hll_deserialize(&g, x, b.n), EDDY_EDATA);
    memcpy(x, b.s, b.n);
    x[1] = 6; /* sparse below p 8 */
    assert_int_equal(eddy_hll_deserialize(&g, x, b.n), EDDY_EDATA);
    memcpy(x, b.s, b.n);
    x[2] = 3;
    assert_int_equal(eddy_hll_deserialize(&g, x, b.n), EDDY_EDATA);
    /* a zero delta (repeated entry) */
    static const uint8_t rep[] = {1, 14, 1, 2, 0x41, 0};
    assert_int_equal(eddy_hll_deserialize(&g, rep, sizeof rep), EDDY_EDATA);
    /* a rank of 0 / 41 */
    static const uint8_t r0[] = {1, 14, 1, 1, 0x40};
    static const uint8_t r41[] = {1, 14, 1, 1, 0x69};
    assert_int_equal(eddy_hll_deserialize(&g, r0, sizeof r0), EDDY_EDATA);
    assert_int_equal(eddy_hll_deserialize(&g, r41, sizeof r41), EDDY_EDATA);
    /* the same idx twice with growing rank */
    static const uint8_t twice[] = {1, 14, 1, 2, 0x41, 1};
    assert_int_equal(eddy_hll_deserialize(&g, twice, sizeof twice), EDDY_EDATA);
    /* fine ones */
    static const uint8_t one[] = {1, 14, 1, 1, 0x41};
    assert_int_equal(eddy_hll_deserialize(&g, one, sizeof one), 0);
    assert_true(fabs(eddy_hll_estimate(&g) - 1.0) < 0.01);
    /* an index past 25 bits, an overlong varint */
    static const uint8_t big[] = {1, 14, 1, 1, 0x81, 0x80, 0x80, 0x80, 0x08};
    static const uint8_t longv[] = {1, 14, 1, 0x81, 0x80, 0x80, 0x80, 0x80, 0x01, 0x41};
    assert_int_equal(eddy_hll_deserialize(&g, big, sizeof big), EDDY_EDATA);
    assert_int_equal(eddy_hll_deserialize(&g, longv, sizeof longv), EDDY_EDATA);
    /* a dense register above 64 - p + 1 */
    size_t dl = 3 + (1 << 14);
    uint8_t *d = calloc(1, dl);
    d[0] = 1;
    d[1] = 14;
    d[2] = 2;
    d[100] = 52;
    assert_int_equal(eddy_hll_deserialize(&g, d, dl), EDDY_EDATA);
    d[100] = 51;
    assert_int_equal(eddy_hll_deserialize(&g, d, dl), 0);
    /* too many sparse entries */
    eddy_strbuf_clear(&b);
    eddy_strbuf_append(&b, "\x01\x0e\x01", 3);
    eddy_strbuf_append(&b, "\x81\x1c", 2); /* 3585 */
    eddy_strbuf_append(&b, "\x41", 1);     /* idx 1, rank 1 */
    for (int i = 1; i < 3585; i++)
        eddy_strbuf_append(&b, "\x40", 1); /* next idx, rank 1 */
    assert_int_equal(eddy_hll_deserialize(&g, b.s, b.n), EDDY_EDATA);
    b.n -= 1; /* 3584 entries: fine once the count says so */
    b.s[3] = (char)0x80;
    assert_int_equal(eddy_hll_deserialize(&g, b.s, b.n), 0);
    assert_false(eddy_hll_is_dense(&g));
    /* random bytes never crash and, when accepted, re-serialize to the same bytes */
    uint64_t s = 12345;
    eddy_strbuf out = {0};
    for (int round = 0; round < 20000; round++) {
        uint8_t r[24];
        size_t n = (size_t)(round % 24);
        for (size_t i = 0; i < n; i++) {
            s = s * 6364136223846793005ULL + 1442695040888963407ULL;
            r[i] = (uint8_t)(s >> 56);
        }
        if (n >= 3 && round % 2) {
            r[0] = 1;
            r[1] = 14;
            r[2] = 1;
        }
        if (eddy_hll_deserialize(&g, r, n) == 0) {
            serialize(&g, &out);
            assert_int_equal(out.n, n);
            assert_memory_equal(out.s, r, n);
        }
    }
    eddy_hll_free(&g);
    eddy_hll_free(&h);
    free(d);
    free(x);
    eddy_strbuf_free(&b);
    eddy_strbuf_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty),       cmocka_unit_test(test_error),
        cmocka_unit_test(test_bias),        cmocka_unit_test(test_registers),
        cmocka_unit_test(test_same_index),  cmocka_unit_test(test_sparse_to_dense),
        cmocka_unit_test(test_merge_union), cmocka_unit_test(test_merge_precisions),
        cmocka_unit_test(test_serialize),   cmocka_unit_test(test_deserialize_bad),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
