/*
 * test_distinct_set.c: eddy_dset (runtime/distinct_set.c) against a plain array: random values
 * with masks of every width (4 bits to 8 bytes), narrow keys widening to 8 bytes at the first
 * value past 32 bits, growth, heap accounting, and encode/decode.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "runtime/distinct_set.h"

static uint64_t rng = 88172645463325252ULL;

static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

typedef struct ref {
    uint64_t v, mask;
} ref;

static void check_against(const eddy_dset *s, const ref *r, int nr)
{
    assert_int_equal(eddy_dset_count(s), (uint32_t)nr);
    int seen = 0;
    for (uint32_t i = 0; i < eddy_dset_capacity(s); i++) {
        uint64_t v, m;
        if (!eddy_dset_slot(s, i, &v, &m)) continue;
        seen++;
        int k = 0;
        while (k < nr && r[k].v != v) k++;
        if (k == nr) fail_msg("value %llu is in the set but was never added", (unsigned long long)v);
        assert_int_equal(m, r[k].mask);
    }
    assert_int_equal(seen, nr);
}

static void run(int mask_bytes, int nbits, uint64_t range, bool wide_late)
{
    eddy_dset *s = NULL;
    int64_t heap = 0;
    ref *r = calloc(3000, sizeof *r);
    int nr = 0;
    for (int i = 0; i < 3000; i++) {
        uint64_t v = next() % range;
        if (wide_late && i == 2000) v = UINT64_C(1) << 40;
        uint64_t bits = nbits == 64 ? next() | 1 : (next() % ((UINT64_C(1) << nbits) - 1)) + 1;
        int k = 0;
        while (k < nr && r[k].v != v) k++;
        uint64_t fresh_expected = k < nr ? bits & ~r[k].mask : bits;
        if (k == nr) r[nr++] = (ref){v, 0};
        r[k].mask |= bits;
        uint64_t fresh = eddy_dset_add(&s, mask_bytes, v, bits, &heap);
        assert_int_equal(fresh, fresh_expected);
        assert_int_equal(heap, (int64_t)eddy_dset_memory(s));
    }
    check_against(s, r, nr);
    eddy_strbuf b = {0};
    eddy_dset_encode(s, &b);
    eddy_dset *t = NULL;
    int64_t heap2 = 0;
    assert_int_equal(eddy_dset_decode(&t, mask_bytes, b.s, b.n, &heap2), (int64_t)b.n);
    check_against(t, r, nr);
    eddy_dset *u = NULL;
    assert_true(eddy_dset_decode(&u, mask_bytes, b.s, b.n - 1, &heap2) < 0);
    eddy_dset_free(u, &heap2);
    eddy_dset_free(t, &heap2);
    assert_int_equal(heap2, 0);
    eddy_dset_free(s, &heap);
    assert_int_equal(heap, 0);
    eddy_strbuf_free(&b);
    free(r);
}

static void test_mask_widths(void **state)
{
    (void)state;
    run(0, 4, 500, false);
    run(1, 8, 2000, false);
    run(2, 16, 100000, false);
    run(4, 32, 5000, false);
    run(8, 64, 5000, false);
}

static void test_widening(void **state)
{
    (void)state;
    run(0, 4, 700, true);            /* narrow, then one value past 32 bits */
    run(1, 3, UINT64_MAX, false);    /* wide from the first values on */
}

static void test_empty(void **state)
{
    (void)state;
    assert_int_equal(eddy_dset_count(NULL), 0);
    assert_int_equal(eddy_dset_capacity(NULL), 0);
    eddy_strbuf b = {0};
    eddy_dset_encode(NULL, &b);
    eddy_dset *t = NULL;
    int64_t heap = 0;
    assert_int_equal(eddy_dset_decode(&t, 0, b.s, b.n, &heap), 4);
    assert_null(t);
    eddy_strbuf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mask_widths),
        cmocka_unit_test(test_widening),
        cmocka_unit_test(test_empty),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
