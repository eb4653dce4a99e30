/*
 * test_expr.c: the expression evaluator's operators: arithmetic (overflow errors with their
 * position, DECIMAL, time +/- intervals), comparison, three-valued logic, IS, DISTINCT, IN,
 * CASE and the conditional functions, CAST / TRY_CAST, the canonical text of values, sharing
 * of equal subexpressions, and a randomized cross-check of integer/double arithmetic and
 * comparisons against a naive row-at-a-time evaluator written here.
 *
 * Expressions and batches are built by hand (test_expr_util.h); NULL rows carry junk values so
 * that a kernel that looks at them fails.
 */
#include "test_expr_util.h"

#include "common/decimal.h"
#include "common/timeutil.h"

#define BIG T(EDDY_TYPE_BIGINT)
#define INT_ T(EDDY_TYPE_INT)
#define DBL T(EDDY_TYPE_DOUBLE)
#define BOOL T(EDDY_TYPE_BOOLEAN)
#define STR T(EDDY_TYPE_VARCHAR)
#define TS T(EDDY_TYPE_TIMESTAMP)
#define DATE T(EDDY_TYPE_DATE)

/* ---------------------------------------------------------------------------------------- */
/* Integer arithmetic                                                                         */

static void test_int_arith(void **state)
{
    (void)state;
    eddy_batch *b = tb_new(5, 2, BIG, BIG);
    int64_t a[] = {7, -7, 100, 0, 5}, c[] = {2, 2, -3, 9, 0};
    for (int i = 0; i < 5; i++) {
        tb_i(b, 0, i, a[i]);
        tb_i(b, 1, i, c[i]);
    }
    tb_null(b, 1, 4); /* junk 0-ish divisor in a NULL row: no error */
    eddy_bexpr *x = COL(0, BIG), *y = COL(1, BIG);
    eddy_col r = ev(OP(EDDY_BOP_ADD, BIG, x, y), b);
    assert_i(r, 0, 9);
    assert_i(r, 1, -5);
    assert_i(r, 2, 97);
    assert_isnull(r, 4);
    r = ev(OP(EDDY_BOP_SUB, BIG, x, y), b);
    assert_i(r, 2, 103);
    r = ev(OP(EDDY_BOP_MUL, BIG, x, y), b);
    assert_i(r, 2, -300);
    r = ev(OP(EDDY_BOP_DIV, BIG, x, y), b);
    assert_i(r, 0, 3);
    assert_i(r, 1, -3); /* truncation toward zero */
    assert_i(r, 2, -33);
    assert_i(r, 3, 0);
    assert_isnull(r, 4);
    r = ev(OP(EDDY_BOP_MOD, BIG, x, y), b);
    assert_i(r, 0, 1);
    assert_i(r, 1, -1); /* sign of the dividend, as Java */
    assert_i(r, 2, 1);
    /* constants on either side */
    r = ev(OP(EDDY_BOP_SUB, BIG, I(10), x), b);
    assert_i(r, 0, 3);
    assert_i(r, 1, 17);
    r = ev(OP(EDDY_BOP_MUL, BIG, I(3), x), b);
    assert_i(r, 1, -21);
    r = ev(OP(EDDY_BOP_DIV, BIG, x, I(2)), b);
    assert_i(r, 1, -3);
    r = ev(OP(EDDY_BOP_MOD, BIG, x, I(-3)), b);
    assert_i(r, 0, 1);
    assert_i(r, 1, -1);
    r = ev(OP(EDDY_BOP_NEG, BIG, x, NULL), b);
    assert_i(r, 1, 7);
    /* constant folding */
    r = ev0(OP(EDDY_BOP_ADD, BIG, I(40), I(2)));
    assert_i(r, 0, 42);
}

static void test_int_overflow(void **state)
{
    (void)state;
    eddy_batch *b = tb_new(3, 2, BIG, INT_);
    tb_i(b, 0, 0, 1);
    tb_i(b, 0, 1, INT64_MAX);
    tb_i(b, 0, 2, 5);
    tb_i(b, 1, 0, INT32_MAX);
    tb_i(b, 1, 1, 1);
    tb_i(b, 1, 2, 2);
    eddy_error err;
    /* BIGINT overflow with the expression's position */
    int rc = ev_err(at(OP(EDDY_BOP_ADD, BIG, COL(0, BIG), I(1)), 3, 9), b, &err);
    assert_int_equal(rc, EDDY_ERUNTIME);
    assert_int_equal(err.line, 3);
    assert_int_equal(err.col, 9);
    assert_non_null(strstr(err.msg, "BIGINT overflow"));
    char buf[256];
    eddy_error_render(&err, NULL, buf, sizeof buf);
    assert_true(strncmp(buf, "line 3, column 9: BIGINT overflow", 33) == 0);
    /* INT + INT typed INT overflows at the INT range */
    rc = ev_err(OP(EDDY_BOP_ADD, INT_, COL(1, INT_), COL(1, INT_)), b, &err);
    assert_int_equal(rc, EDDY_ERUNTIME);
    assert_non_null(strstr(err.msg, "INT overflow"));
    /* the same in BIGINT is fine */
    eddy_col r = ev(OP(EDDY_BOP_ADD, BIG, COL(1, INT_), COL(1, INT_)), b);
    assert_i(r, 0, 2 * (int64_t)INT32_MAX);
    /* multiplication, negation, MIN / -1 */
    rc = ev_err(OP(EDDY_BOP_MUL, BIG, COL(0, BIG), I(2)), b, &err);
    assert_int_equal(rc, EDDY_ERUNTIME);
    eddy_batch *m = tb_new(1, 1, BIG);
    tb_i(m, 0, 0, INT64_MIN);
    rc = ev_err(OP(EDDY_BOP_NEG, BIG, COL(0, BIG), NULL), m, &err);
    assert_int_equal(rc, EDDY_ERUNTIME);
    rc = ev_err(OP(EDDY_BOP_DIV, BIG, COL(0, BIG), I(-1)), m, &err);
    assert_int_equal(rc, EDDY_ERUNTIME);
    r = ev(OP(EDDY_BOP_MOD, BIG, COL(0, BIG), I(-1)), m);
    assert_i(r, 0, 0);
    /* division by zero */
    rc = ev_err(at(OP(EDDY_BOP_DIV, BIG, COL(0, BIG), I(0)), 2, 5), b, &err);
    assert_int_equal(rc, EDDY_ERUNTIME);
    assert_non_null(strstr(err.msg, "division by zero"));
    assert_int_equal(err.line, 2);
    rc = ev_err(OP(EDDY_BOP_MOD, BIG, COL(0, BIG), OP(EDDY_BOP_SUB, BIG, COL(1, INT_), COL(1, INT_))), b, &err);
    assert_int_equal(rc, EDDY_ERUNTIME);
    /* NULL rows never overflow, whatever their junk */
    eddy_batch *nb = tb_new(2, 1, BIG);
    tb_i(nb, 0, 0, 1);
    tb_null(nb, 0, 1);
    r = ev(OP(EDDY_BOP_MUL, BIG, COL(0, BIG), I(1000000)), nb);
    assert_i(r, 0, 1000000);
    assert_isnull(r, 1);
    r = ev(OP(EDDY_BOP_SUB, BIG, I(-10), COL(0, BIG)), nb);
    assert_isnull(r, 1);
    /* TINYINT range */
    eddy_batch *tb = tb_new(1, 1, T(EDDY_TYPE_TINYINT));
    tb_i(tb, 0, 0, 100);
    rc = ev_err(OP(EDDY_BOP_ADD, T(EDDY_TYPE_TINYINT), COL(0, T(EDDY_TYPE_TINYINT)), IT(100, T(EDDY_TYPE_TINYINT))), tb, &err);
    assert_int_equal(rc, EDDY_ERUNTIME);
    assert_non_null(strstr(err.msg, "TINYINT overflow"));
}

static void test_double_arith(void **state)
{
    (void)state;
    eddy_batch *b = tb_new(3, 2, DBL, BIG);
    tb_f(b, 0, 0, 1.5);
    tb_f(b, 0, 1, -2.0);
    tb_null(b, 0, 2);
    tb_i(b, 1, 0, 2);
    tb_i(b, 1, 1, 0);
    tb_i(b, 1, 2, 1);
    eddy_col r = ev(OP(EDDY_BOP_MUL, DBL, COL(0, DBL), COL(1, BIG)), b);
    assert_true(r.v.f64[0] == 3.0);
    assert_isnull(r, 2);
    r = ev(OP(EDDY_BOP_DIV, DBL, COL(0, DBL), COL(1, BIG)), b);
    assert_true(isinf(r.v.f64[1]) && r.v.f64[1] < 0); /* IEEE: no error */
    r = ev(OP(EDDY_BOP_MOD, DBL, COL(0, DBL), F(1.0)), b);
    assert_true(r.v.f64[0] == 0.5);
    r = ev(OP(EDDY_BOP_ADD, DBL, F(0.25), COL(0, DBL)), b);
    assert_true(r.v.f64[0] == 1.75);
    r = ev(OP(EDDY_BOP_NEG, DBL, COL(0, DBL), NULL), b);
    assert_true(r.v.f64[1] == 2.0);
}

/* ---------------------------------------------------------------------------------------- */
/* DECIMAL                                                                                    */

static void test_decimal_arith(void **state)
{
    (void)state;
    /* Nexmark q1: 0.908 * price, price BIGINT -> DECIMAL(23, 3) */
    eddy_batch *b = tb_new(4, 2, BIG, TD(10, 2));
    int64_t price[] = {100, 12345, -7, 0};
    for (int i = 0; i < 4; i++) tb_i(b, 0, i, price[i]);
    tb_null(b, 0, 3);
    tb_d(b, 1, 0, 150);   /* 1.50 */
    tb_d(b, 1, 1, -1);    /* -0.01 */
    tb_d(b, 1, 2, 99999); /* 999.99 */
    tb_null(b, 1, 3);
    eddy_col r = ev(OP(EDDY_BOP_MUL, TD(23, 3), DEC(908, 3, 3), COL(0, BIG)), b);
    assert_txt(r, 0, "90.800");
    assert_txt(r, 1, "11209.260");
    assert_txt(r, 2, "-6.356");
    assert_isnull(r, 3);
    assert_int_equal((int)r.v.dec[1], 11209260);
    /* as DECIMAL(22, 3) (Calcite's p1 + p2): the same values */
    r = ev(OP(EDDY_BOP_MUL, TD(22, 3), DEC(908, 3, 3), COL(0, BIG)), b);
    assert_txt(r, 1, "11209.260");
    /* the same with the constant on the right */
    r = ev(OP(EDDY_BOP_MUL, TD(23, 3), COL(0, BIG), DEC(908, 3, 3)), b);
    assert_txt(r, 1, "11209.260");
    /* DECIMAL(10,2) + BIGINT -> DECIMAL(21, 2) */
    r = ev(OP(EDDY_BOP_ADD, TD(21, 2), COL(1, TD(10, 2)), COL(0, BIG)), b);
    assert_txt(r, 0, "101.50");
    assert_txt(r, 1, "12344.99");
    assert_isnull(r, 3);
    /* different scales: 1.50 (10,2) - 0.908 (3,3) -> (11,3) */
    r = ev(OP(EDDY_BOP_SUB, TD(11, 3), COL(1, TD(10, 2)), DEC(908, 3, 3)), b);
    assert_txt(r, 0, "0.592");
    /* division: (10,2) / (10,2) -> Flink's type */
    int p, s;
    eddy_dec_result_type(EDDY_DEC_DIV, 10, 2, 10, 2, &p, &s);
    r = ev(OP(EDDY_BOP_DIV, TD(p, s), COL(1, TD(10, 2)), DEC(300, 10, 2)), b);
    assert_txt(r, 0, "0.5000000000000"); /* 1.50 / 3.00 in DECIMAL(23, 13) */
    assert_int_equal(s, 13);
    /* overflow of the result precision gives NULL, as Flink */
    r = ev(OP(EDDY_BOP_MUL, TD(4, 2), COL(1, TD(10, 2)), DEC(100, 3, 0)), b);
    assert_isnull(r, 0); /* 150.00 does not fit DECIMAL(4,2) */
    r = ev(OP(EDDY_BOP_MUL, TD(5, 2), COL(1, TD(10, 2)), DEC(100, 3, 0)), b);
    assert_txt(r, 0, "150.00");
    assert_isnull(r, 2); /* 99999.00 does not fit DECIMAL(5,2) */
    r = ev(OP(EDDY_BOP_MUL, TD(5, 3), DEC(908, 3, 3), COL(0, BIG)), b);
    assert_txt(r, 0, "90.800");
    assert_isnull(r, 1); /* 11209.260 does not fit DECIMAL(5,3) */
    /* division by zero is an error */
    eddy_error err;
    assert_int_equal(ev_err(OP(EDDY_BOP_DIV, TD(p, s), COL(1, TD(10, 2)), DEC(0, 10, 2)), b, &err), EDDY_ERUNTIME);
    /* MOD and negation */
    r = ev(OP(EDDY_BOP_MOD, TD(10, 2), COL(1, TD(10, 2)), DEC(100, 10, 2)), b);
    assert_txt(r, 0, "0.50");
    assert_txt(r, 1, "-0.01");
    r = ev(OP(EDDY_BOP_NEG, TD(10, 2), COL(1, TD(10, 2)), NULL), b);
    assert_txt(r, 0, "-1.50");
    /* rounding HALF_UP to the result scale: 0.005 * 1 in DECIMAL(10,2) -> 0.01 */
    r = ev(OP(EDDY_BOP_MUL, TD(10, 2), DEC(5, 4, 3), I(1)), b);
    assert_txt(r, 0, "0.01");
    r = ev(OP(EDDY_BOP_MUL, TD(10, 2), DEC(-5, 4, 3), I(1)), b);
    assert_txt(r, 0, "-0.01");
}

/* ---------------------------------------------------------------------------------------- */
/* Time arithmetic                                                                            */

static void test_time_arith(void **state)
{
    (void)state;
    int64_t t0 = eddy_ts_from_fields(2020, 1, 31, 10, 0, 0, 0);
    eddy_batch *b = tb_new(2, 2, TS, DATE);
    tb_i(b, 0, 0, t0);
    tb_null(b, 0, 1);
    tb_i(b, 1, 0, eddy_days_from_civil(2020, 1, 31));
    tb_i(b, 1, 1, eddy_days_from_civil(2020, 3, 1));
    const eddy_sqltype *ivs = TIV(EDDY_UNIT_SECOND, EDDY_UNIT_NONE), *ivm = TIV(EDDY_UNIT_MONTH, EDDY_UNIT_NONE);
    eddy_col r = ev(OP(EDDY_BOP_SUB, TS, COL(0, TS), IT(4000, ivs)), b);
    assert_txt(r, 0, "2020-01-31 09:59:56.000");
    assert_isnull(r, 1);
    r = ev(OP(EDDY_BOP_ADD, TS, IT(1, ivm), COL(0, TS)), b);
    assert_txt(r, 0, "2020-02-29 10:00:00.000");
    r = ev(OP(EDDY_BOP_ADD, DATE, COL(1, DATE), IT(EDDY_MS_PER_DAY, TIV(EDDY_UNIT_DAY, EDDY_UNIT_NONE))), b);
    assert_txt(r, 0, "2020-02-01");
    r = ev(OP(EDDY_BOP_SUB, DATE, COL(1, DATE), IT(EDDY_MS_PER_HOUR, TIV(EDDY_UNIT_HOUR, EDDY_UNIT_NONE))), b);
    assert_txt(r, 1, "2020-02-29");
    r = ev(OP(EDDY_BOP_SUB, DATE, COL(1, DATE), IT(1, ivm)), b);
    assert_txt(r, 0, "2019-12-31");
    assert_txt(r, 1, "2020-02-01");
    /* interval arithmetic */
    r = ev(OP(EDDY_BOP_MUL, ivs, IT(1500, ivs), I(3)), b);
    assert_i(r, 0, 4500);
    assert_txt(r, 0, "+0 00:00:04.500");
    /* comparisons of timestamps and of DATE with TIMESTAMP */
    r = ev(CMP(EDDY_BOP_LT, COL(0, TS), IT(t0 + 1, TS)), b);
    assert_b(r, 0, 1);
    assert_isnull(r, 1);
    r = ev(CMP(EDDY_BOP_LT, COL(1, DATE), COL(0, TS)), b);
    assert_b(r, 0, 1);
}

/* ---------------------------------------------------------------------------------------- */
/* Comparison                                                                                 */

static void test_compare(void **state)
{
    (void)state;
    eddy_batch *b = tb_new(5, 4, STR, STR, TD(5, 2), TD(6, 3));
    const char *a[] = {"a", "ab", "", "\xc3\xa9", "z"}, *c[] = {"b", "b", "a", "z", "z"};
    for (int i = 0; i < 5; i++) {
        tb_s(b, 0, i, a[i]);
        tb_s(b, 1, i, c[i]);
    }
    tb_d(b, 2, 0, 150);  /* 1.50 */
    tb_d(b, 3, 0, 1500); /* 1.500 */
    tb_d(b, 2, 1, 151);
    tb_d(b, 3, 1, 1509);
    tb_d(b, 2, 2, -1);
    tb_d(b, 3, 2, -11);
    tb_null(b, 2, 3);
    tb_d(b, 3, 3, 0);
    tb_d(b, 2, 4, 0);
    tb_null(b, 3, 4);
    eddy_col r = ev(CMP(EDDY_BOP_LT, COL(0, STR), COL(1, STR)), b);
    assert_b(r, 0, 1);
    assert_b(r, 1, 1);
    assert_b(r, 2, 1);
    assert_b(r, 3, 0); /* bytewise: 0xc3 > 'z' */
    assert_b(r, 4, 0);
    r = ev(CMP(EDDY_BOP_EQ, COL(0, STR), COL(1, STR)), b);
    assert_b(r, 4, 1);
    assert_b(r, 0, 0);
    r = ev(CMP(EDDY_BOP_EQ, COL(0, STR), S("ab")), b);
    assert_b(r, 1, 1);
    assert_b(r, 0, 0);
    r = ev(CMP(EDDY_BOP_GE, S("ab"), COL(0, STR)), b); /* constant on the left */
    assert_b(r, 0, 1);
    assert_b(r, 1, 1);
    assert_b(r, 4, 0);
    /* DECIMAL with different scales */
    r = ev(CMP(EDDY_BOP_EQ, COL(2, TD(5, 2)), COL(3, TD(6, 3))), b);
    assert_b(r, 0, 1);
    assert_b(r, 1, 0);
    assert_isnull(r, 3);
    assert_isnull(r, 4);
    r = ev(CMP(EDDY_BOP_LT, COL(2, TD(5, 2)), COL(3, TD(6, 3))), b);
    assert_b(r, 1, 0);
    assert_b(r, 2, 0); /* -0.01 < -0.011 is false */
    r = ev(CMP(EDDY_BOP_GT, COL(2, TD(5, 2)), I32(1)), b); /* DECIMAL vs INT */
    assert_b(r, 0, 1);
    assert_b(r, 2, 0);
    r = ev(CMP(EDDY_BOP_LE, COL(2, TD(5, 2)), F(1.5)), b); /* DECIMAL vs DOUBLE */
    assert_b(r, 0, 1);
    assert_b(r, 1, 0);
    /* NULL constant: NULL for every row */
    r = ev(CMP(EDDY_BOP_EQ, COL(0, STR), NUL(STR)), b);
    assert_isnull(r, 0);
    assert_isnull(r, 4);
    /* integers and doubles, booleans */
    eddy_batch *n = tb_new(3, 3, BIG, DBL, BOOL);
    tb_i(n, 0, 0, 3);
    tb_f(n, 1, 0, 3.0);
    tb_b(n, 2, 0, true);
    tb_i(n, 0, 1, -1);
    tb_f(n, 1, 1, NAN);
    tb_b(n, 2, 1, false);
    tb_null(n, 0, 2);
    tb_f(n, 1, 2, 0);
    tb_null(n, 2, 2);
    r = ev(CMP(EDDY_BOP_EQ, COL(0, BIG), COL(1, DBL)), n);
    assert_b(r, 0, 1);
    assert_b(r, 1, 0);
    assert_isnull(r, 2);
    r = ev(CMP(EDDY_BOP_NE, COL(1, DBL), COL(1, DBL)), n);
    assert_b(r, 1, 1); /* NaN != NaN */
    r = ev(CMP(EDDY_BOP_GT, COL(2, BOOL), BOOL_(false)), n);
    assert_b(r, 0, 1);
    assert_b(r, 1, 0);
    assert_isnull(r, 2);
    /* IS DISTINCT FROM on strings never reads the bytes of NULL rows */
    eddy_batch *sd = tb_new(4, 2, STR, STR);
    tb_s(sd, 0, 0, "a");
    tb_s(sd, 1, 0, "a");
    tb_null(sd, 0, 1);
    tb_s(sd, 1, 1, "a");
    tb_null(sd, 0, 2);
    tb_null(sd, 1, 2);
    tb_s(sd, 0, 3, "a");
    tb_s(sd, 1, 3, "b");
    r = ev(DISTINCT(COL(0, STR), COL(1, STR), false), sd);
    assert_b(r, 0, 0);
    assert_b(r, 1, 1);
    assert_b(r, 2, 0);
    assert_b(r, 3, 1);
    r = ev(FN(EDDY_FN_GREATEST, STR, 2, COL(0, STR), COL(1, STR)), sd);
    assert_s(r, 3, "b");
    assert_isnull(r, 1);
    static const eddy_bop ops[] = {EDDY_BOP_EQ, EDDY_BOP_NE, EDDY_BOP_LT, EDDY_BOP_LE, EDDY_BOP_GT, EDDY_BOP_GE};
    static const int want[] = {0, 1, 0, 0, 1, 1}; /* 3 vs 2 */
    for (int k = 0; k < 6; k++) {
        r = ev(CMP(ops[k], COL(0, BIG), I(2)), n);
        assert_b(r, 0, want[k]);
        r = ev(CMP(ops[k], I(3), I(2)), n);
        assert_b(r, 0, want[k]);
        r = ev(CMP(ops[k], COL(1, DBL), F(2)), n);
        assert_b(r, 0, want[k]);
        r = ev(CMP(ops[k], S("b"), COL(0, STR)), b);
        assert_b(r, 0, want[k]);
    }
}

/* ---------------------------------------------------------------------------------------- */
/* Three-valued logic                                                                         */

/* A batch of the 9 combinations of (TRUE, FALSE, NULL) x (TRUE, FALSE, NULL) in 2 columns. */
static eddy_batch *tv_batch(void)
{
    eddy_batch *b = tb_new(9, 3, BOOL, BOOL, BIG);
    for (int i = 0; i < 9; i++) {
        int x = i / 3, y = i % 3; /* 0 TRUE, 1 FALSE, 2 NULL */
        if (x == 2) tb_null(b, 0, i);
        else tb_b(b, 0, i, x == 0);
        if (y == 2) tb_null(b, 1, i);
        else tb_b(b, 1, i, y == 0);
        tb_i(b, 2, i, i % 2); /* 0 for some rows: a divisor */
    }
    return b;
}

static int k3and(int x, int y)
{
    if (x == 0 || y == 0) return 0;
    if (x < 0 || y < 0) return -1;
    return 1;
}

static int k3or(int x, int y)
{
    if (x == 1 || y == 1) return 1;
    if (x < 0 || y < 0) return -1;
    return 0;
}

static void test_logic(void **state)
{
    (void)state;
    eddy_batch *b = tv_batch();
    const int vals[3] = {1, 0, -1};
    eddy_bexpr *x = COL(0, BOOL), *y = COL(1, BOOL);
    /* a second operand that can fail makes AND/OR short-circuit (lazy); compare both paths */
    eddy_bexpr *yl = AND(2, y, CMP(EDDY_BOP_GE, OP(EDDY_BOP_DIV, BIG, I(10), OP(EDDY_BOP_ADD, BIG, COL(2, BIG), I(1))), I(0)));
    eddy_col ra = ev(AND(2, x, y), b), ro = ev(OR(2, x, y), b);
    eddy_col la = ev(AND(2, x, yl), b), lo = ev(OR(2, x, yl), b);
    eddy_col nx = ev(NOT(x), b);
    for (int i = 0; i < 9; i++) {
        int xv = vals[i / 3], yv = vals[i % 3];
        assert_int_equal(tv(&ra, i), k3and(xv, yv));
        assert_int_equal(tv(&ro, i), k3or(xv, yv));
        assert_int_equal(tv(&la, i), k3and(xv, yv));
        assert_int_equal(tv(&lo, i), k3or(xv, yv));
        assert_int_equal(tv(&nx, i), xv < 0 ? -1 : !xv);
    }
    /* n-ary */
    eddy_col r3 = ev(AND(3, x, y, BOOL_(true)), b), o3 = ev(OR(3, x, y, NUL(BOOL)), b);
    for (int i = 0; i < 9; i++) {
        int xv = vals[i / 3], yv = vals[i % 3];
        assert_int_equal(tv(&r3, i), k3and(xv, yv));
        assert_int_equal(tv(&o3, i), k3or(k3or(xv, yv), -1));
    }
    /* short-circuit: division by zero only where the left side is TRUE... which it never is */
    eddy_bexpr *div0 = CMP(EDDY_BOP_EQ, OP(EDDY_BOP_DIV, BIG, I(1), COL(2, BIG)), I(1));
    eddy_col sc = ev(AND(2, CMP(EDDY_BOP_NE, COL(2, BIG), I(0)), div0), b);
    for (int i = 0; i < 9; i++) assert_int_equal(tv(&sc, i), (i % 2) ? 1 : 0);
    sc = ev(OR(2, CMP(EDDY_BOP_EQ, COL(2, BIG), I(0)), div0), b);
    for (int i = 0; i < 9; i++) assert_int_equal(tv(&sc, i), 1);
    eddy_error err;
    assert_int_equal(ev_err(AND(2, BOOL_(true), div0), b, &err), EDDY_ERUNTIME);
    /* IS [NOT] NULL / TRUE / FALSE / UNKNOWN */
    for (int what = 0; what < 4; what++)
        for (int neg = 0; neg < 2; neg++) {
            eddy_col r = ev(IS(x, what, neg), b);
            for (int i = 0; i < 9; i++) {
                int xv = vals[i / 3], want;
                switch (what) {
                case 0:
                case 3: want = xv < 0; break;
                case 1: want = xv == 1; break;
                default: want = xv == 0; break;
                }
                assert_false(isnull(&r, i));
                assert_int_equal(r.v.b[i] != 0, neg ? !want : want);
            }
        }
    /* IS NULL of other types */
    eddy_col r = ev(IS(COL(2, BIG), 0, false), b);
    assert_b(r, 0, 0);
    /* IS [NOT] DISTINCT FROM */
    eddy_col d = ev(DISTINCT(x, y, false), b), nd = ev(DISTINCT(x, y, true), b);
    for (int i = 0; i < 9; i++) {
        int xv = vals[i / 3], yv = vals[i % 3];
        int same = xv == yv;
        assert_int_equal(tv(&d, i), !same);
        assert_int_equal(tv(&nd, i), same);
    }
}

/* ---------------------------------------------------------------------------------------- */
/* IN                                                                                         */

static void test_in(void **state)
{
    (void)state;
    eddy_batch *b = tb_new(4, 3, BIG, STR, TD(5, 1));
    int64_t iv[] = {1, 5, 12, 0};
    const char *sv[] = {"apple", "pear", "baidu", ""};
    for (int i = 0; i < 4; i++) {
        tb_i(b, 0, i, iv[i]);
        tb_s(b, 1, i, sv[i]);
        tb_d(b, 2, i, iv[i] * 10);
    }
    tb_null(b, 0, 3);
    tb_null(b, 1, 3);
    eddy_col r = ev(IN(false, COL(0, BIG), 3, I(1), I(2), I(12)), b);
    assert_b(r, 0, 1);
    assert_b(r, 1, 0);
    assert_b(r, 2, 1);
    assert_isnull(r, 3);
    r = ev(IN(true, COL(0, BIG), 3, I(1), I(2), I(12)), b);
    assert_b(r, 0, 0);
    assert_b(r, 1, 1);
    assert_isnull(r, 3);
    /* a NULL in the list: no match gives NULL */
    r = ev(IN(false, COL(0, BIG), 2, I(1), NUL(BIG)), b);
    assert_b(r, 0, 1);
    assert_isnull(r, 1);
    r = ev(IN(true, COL(0, BIG), 2, I(1), NUL(BIG)), b);
    assert_b(r, 0, 0);
    assert_isnull(r, 1);
    /* a long list: hashed */
    eddy_bexpr *e = mk(EDDY_BEXPR_IN, BOOL, 21);
    e->args[0] = COL(0, BIG);
    for (int k = 0; k < 20; k++) e->args[k + 1] = I(k * 3);
    r = ev(e, b);
    assert_b(r, 0, 0);
    assert_b(r, 1, 0);
    assert_b(r, 2, 1);
    /* strings (Nexmark q21) */
    r = ev(IN(false, COL(1, STR), 4, S("apple"), S("google"), S("facebook"), S("baidu")), b);
    assert_b(r, 0, 1);
    assert_b(r, 1, 0);
    assert_b(r, 2, 1);
    assert_isnull(r, 3);
    e = mk(EDDY_BEXPR_IN, BOOL, 11);
    e->args[0] = COL(1, STR);
    const char *words[] = {"a", "b", "c", "d", "e", "f", "g", "pear", "h", "i"};
    for (int k = 0; k < 10; k++) e->args[k + 1] = S(words[k]);
    r = ev(e, b);
    assert_b(r, 0, 0);
    assert_b(r, 1, 1);
    /* DECIMAL(5,1) IN (INT constants): compared as DECIMAL */
    r = ev(IN(false, COL(2, TD(5, 1)), 2, I32(5), I32(7)), b);
    assert_b(r, 0, 0);
    assert_b(r, 1, 1);
    /* non-constant list */
    r = ev(IN(false, I(5), 2, COL(0, BIG), I(99)), b);
    assert_b(r, 0, 0);
    assert_b(r, 1, 1);
    assert_isnull(r, 3);
}

/* ---------------------------------------------------------------------------------------- */
/* CASE and conditional functions                                                            */

static void test_case(void **state)
{
    (void)state;
    eddy_batch *b = tb_new(5, 2, BIG, BIG);
    int64_t a[] = {10, 20, 30, 40, 50}, c[] = {2, 0, 3, 0, 5};
    for (int i = 0; i < 5; i++) {
        tb_i(b, 0, i, a[i]);
        tb_i(b, 1, i, c[i]);
    }
    tb_null(b, 1, 4);
    /* CASE WHEN b <> 0 THEN a / b ELSE -1 END: the division never sees a zero */
    eddy_bexpr *x = COL(0, BIG), *y = COL(1, BIG);
    eddy_col r = ev(CASE(BIG, true, 3, CMP(EDDY_BOP_NE, y, I(0)), OP(EDDY_BOP_DIV, BIG, x, y), I(-1)), b);
    assert_i(r, 0, 5);
    assert_i(r, 1, -1);
    assert_i(r, 2, 10);
    assert_i(r, 3, -1);
    assert_i(r, 4, -1); /* NULL condition goes to ELSE */
    /* several WHENs, no ELSE */
    r = ev(CASE(STR, false, 4, CMP(EDDY_BOP_LT, x, I(25)), S("small"), CMP(EDDY_BOP_LT, x, I(45)), S("medium")), b);
    assert_s(r, 0, "small");
    assert_s(r, 1, "small");
    assert_s(r, 2, "medium");
    assert_s(r, 3, "medium");
    assert_isnull(r, 4);
    /* a THEN that is NULL for some rows; INT branch widened to BIGINT */
    r = ev(CASE(BIG, true, 3, CMP(EDDY_BOP_GT, x, I(15)), y, I32(7)), b);
    assert_i(r, 0, 7);
    assert_i(r, 1, 0);
    assert_isnull(r, 4);
    /* CASE as the operand of a CASE (nested selections) */
    eddy_bexpr *inner = CASE(BIG, true, 3, CMP(EDDY_BOP_EQ, y, I(0)), I(100), OP(EDDY_BOP_DIV, BIG, I(60), y));
    r = ev(CASE(BIG, true, 3, CMP(EDDY_BOP_GT, x, I(15)), inner, I(-5)), b);
    assert_i(r, 0, -5);
    assert_i(r, 1, 100);
    assert_i(r, 2, 20);
    assert_i(r, 3, 100);
    assert_isnull(r, 4);
    /* COALESCE / IFNULL / IF / NULLIF / GREATEST / LEAST */
    r = ev(FN(EDDY_FN_COALESCE, BIG, 3, x, OP(EDDY_BOP_DIV, BIG, x, I(0)), I(9)), b); /* never divides */
    assert_i(r, 1, 20);
    eddy_error err;
    assert_int_equal(ev_err(FN(EDDY_FN_COALESCE, BIG, 2, y, OP(EDDY_BOP_DIV, BIG, x, I(0))), b, &err), EDDY_ERUNTIME);
    r = ev(FN(EDDY_FN_COALESCE, BIG, 3, y, NUL(BIG), I(9)), b);
    assert_i(r, 4, 9);
    r = ev(FN(EDDY_FN_IFNULL, BIG, 2, y, x), b);
    assert_i(r, 4, 50);
    assert_i(r, 3, 0);
    r = ev(FN(EDDY_FN_COALESCE, BIG, 2, y, NUL(BIG)), b);
    assert_isnull(r, 4);
    assert_i(r, 2, 3);
    r = ev(FN(EDDY_FN_IF, STR, 3, CMP(EDDY_BOP_GT, y, I(1)), S("yes"), S("no")), b);
    assert_s(r, 0, "yes");
    assert_s(r, 1, "no");
    assert_s(r, 4, "no");
    r = ev(FN(EDDY_FN_NULLIF, BIG, 2, y, I(0)), b);
    assert_i(r, 0, 2);
    assert_isnull(r, 1);
    assert_isnull(r, 4);
    r = ev(FN(EDDY_FN_GREATEST, BIG, 3, x, y, I(25)), b);
    assert_i(r, 0, 25);
    assert_i(r, 2, 30);
    assert_isnull(r, 4); /* any NULL -> NULL (Flink) */
    r = ev(FN(EDDY_FN_LEAST, BIG, 2, x, OP(EDDY_BOP_MUL, BIG, y, I(10))), b);
    assert_i(r, 0, 10);
    assert_i(r, 1, 0);
    r = ev(FN(EDDY_FN_GREATEST, STR, 2, S("b"), CAST(x, STR, false)), b);
    assert_s(r, 0, "b");
    r = ev(FN(EDDY_FN_LEAST, DBL, 2, x, F(25.5)), b);
    assert_true(r.v.f64[0] == 10.0 && r.v.f64[3] == 25.5);
}

/* ---------------------------------------------------------------------------------------- */
/* CAST                                                                                       */

static void test_cast(void **state)
{
    (void)state;
    eddy_batch *b = tb_new(6, 1, STR);
    const char *in[] = {" 42 ", "-7.9", "abc", "1e3", "9999999999", ""};
    for (int i = 0; i < 6; i++) tb_s(b, 0, i, in[i]);
    eddy_bexpr *s = COL(0, STR);
    eddy_col r = ev(CAST(s, INT_, true), b);
    assert_i(r, 0, 42);
    assert_i(r, 1, -7); /* Flink's toLong truncates the fraction */
    assert_isnull(r, 2);
    assert_isnull(r, 3);
    assert_isnull(r, 4); /* out of INT range */
    assert_isnull(r, 5);
    eddy_error err;
    assert_int_equal(ev_err(CAST(s, INT_, false), b, &err), EDDY_ERUNTIME);
    assert_non_null(strstr(err.msg, "cannot cast 'abc' to INT"));
    r = ev(CAST(s, DBL, true), b);
    assert_true(r.v.f64[0] == 42 && r.v.f64[1] == -7.9 && r.v.f64[3] == 1000);
    assert_isnull(r, 2);
    r = ev(CAST(s, TD(6, 2), true), b);
    assert_txt(r, 0, "42.00");
    assert_txt(r, 1, "-7.90");
    assert_txt(r, 3, "1000.00");
    assert_isnull(r, 4); /* too large for DECIMAL(6,2): NULL */
    assert_isnull(r, 2);
    /* numbers and booleans to strings */
    eddy_batch *n = tb_new(4, 4, BIG, DBL, BOOL, TD(6, 3));
    tb_i(n, 0, 0, -12);
    tb_f(n, 1, 0, 1e10);
    tb_b(n, 2, 0, true);
    tb_d(n, 3, 0, 1500);
    tb_i(n, 0, 1, 300);
    tb_f(n, 1, 1, 0.1);
    tb_b(n, 2, 1, false);
    tb_d(n, 3, 1, -5);
    tb_i(n, 0, 2, 1);
    tb_f(n, 1, 2, 2.5);
    tb_null(n, 2, 2);
    tb_d(n, 3, 2, 999999);
    tb_null(n, 0, 3);
    tb_f(n, 1, 3, -3.99);
    tb_b(n, 2, 3, true);
    tb_d(n, 3, 3, -999999);
    r = ev(CAST(COL(0, BIG), STR, false), n);
    assert_s(r, 0, "-12");
    assert_isnull(r, 3);
    r = ev(CAST(COL(1, DBL), STR, false), n);
    assert_s(r, 0, "1.0E10");
    assert_s(r, 1, "0.1");
    r = ev(CAST(COL(2, BOOL), STR, false), n);
    assert_s(r, 0, "TRUE");
    assert_s(r, 1, "FALSE");
    assert_isnull(r, 2);
    r = ev(CAST(COL(3, TD(6, 3)), STR, false), n);
    assert_s(r, 0, "1.500");
    assert_s(r, 1, "-0.005");
    /* numeric narrowing */
    r = ev(CAST(COL(0, BIG), T(EDDY_TYPE_TINYINT), true), n);
    assert_i(r, 0, -12);
    assert_isnull(r, 1);
    assert_int_equal(ev_err(CAST(COL(0, BIG), T(EDDY_TYPE_TINYINT), false), n, &err), EDDY_ERUNTIME);
    assert_non_null(strstr(err.msg, "300"));
    r = ev(CAST(COL(1, DBL), INT_, true), n);
    assert_isnull(r, 0);
    assert_i(r, 1, 0);
    assert_i(r, 2, 2);
    assert_i(r, 3, -3);
    assert_int_equal(ev_err(CAST(COL(1, DBL), INT_, false), n, &err), EDDY_ERUNTIME); /* 1e10 */
    r = ev(CAST(COL(3, TD(6, 3)), BIG, false), n);
    assert_i(r, 0, 1);
    assert_i(r, 1, 0);
    assert_i(r, 2, 999);
    assert_i(r, 3, -999);
    r = ev(CAST(COL(3, TD(6, 3)), DBL, false), n);
    assert_true(r.v.f64[0] == 1.5 && r.v.f64[1] == -0.005);
    r = ev(CAST(COL(3, TD(6, 3)), TD(4, 1), false), n);
    assert_txt(r, 0, "1.5");
    assert_txt(r, 1, "0.0"); /* -0.005 HALF_UP to one digit is zero */
    assert_isnull(r, 2); /* 1000.0 does not fit DECIMAL(4,1) */
    r = ev(CAST(COL(3, TD(6, 3)), TD(10, 4), false), n);
    assert_txt(r, 0, "1.5000");
    r = ev(CAST(COL(0, BIG), TD(5, 2), false), n);
    assert_txt(r, 0, "-12.00");
    assert_txt(r, 1, "300.00");
    r = ev(CAST(COL(0, BIG), TD(3, 1), false), n);
    assert_isnull(r, 1); /* 300.0 does not fit (3,1) */
    r = ev(CAST(COL(1, DBL), TD(10, 2), false), n);
    assert_txt(r, 1, "0.10");
    assert_txt(r, 3, "-3.99");
    r = ev(CAST(COL(0, BIG), DBL, false), n);
    assert_true(r.v.f64[0] == -12.0);
    r = ev(CAST(COL(0, BIG), BOOL, false), n);
    assert_b(r, 0, 1);
    r = ev(CAST(COL(2, BOOL), INT_, false), n);
    assert_i(r, 0, 1);
    assert_i(r, 1, 0);
    /* string to boolean, date, time, timestamp */
    eddy_batch *t = tb_new(4, 1, STR);
    const char *tin[] = {"2020-03-04 05:06:07.089", "2020-3-4", "yes", "24:00"};
    for (int i = 0; i < 4; i++) tb_s(t, 0, i, tin[i]);
    r = ev(CAST(COL(0, STR), TS, true), t);
    assert_txt(r, 0, "2020-03-04 05:06:07.089");
    assert_txt(r, 1, "2020-03-04 00:00:00.000");
    assert_isnull(r, 2);
    r = ev(CAST(COL(0, STR), DATE, true), t);
    assert_txt(r, 1, "2020-03-04");
    r = ev(CAST(COL(0, STR), BOOL, true), t);
    assert_b(r, 2, 1);
    assert_isnull(r, 0);
    r = ev(CAST(COL(0, STR), T(EDDY_TYPE_TIME), true), t);
    assert_isnull(r, 3);
    r = ev(CAST(S("TRUE"), BOOL, false), t);
    assert_b(r, 0, 1);
    r = ev(CAST(S(" f "), BOOL, false), t);
    assert_b(r, 0, 0);
    /* timestamps to dates, times, strings and back */
    r = ev(CAST(CAST(COL(0, STR), TS, true), DATE, false), t);
    assert_txt(r, 0, "2020-03-04");
    r = ev(CAST(CAST(COL(0, STR), TS, true), T(EDDY_TYPE_TIME), false), t);
    assert_txt(r, 0, "05:06:07");
    r = ev(CAST(CAST(COL(0, STR), DATE, true), TS, false), t);
    assert_txt(r, 1, "2020-03-04 00:00:00.000");
    r = ev(CAST(CAST(COL(0, STR), TS, true), STR, false), t);
    assert_s(r, 0, "2020-03-04 05:06:07.089");
    r = ev(CAST(CAST(COL(0, STR), TS, true), TT(EDDY_TYPE_TIMESTAMP, 0, -1), false), t);
    assert_txt(r, 0, "2020-03-04 05:06:07");
    /* VARCHAR(n) truncates, CHAR(n) pads */
    r = ev(CAST(S("abcdef"), TT(EDDY_TYPE_VARCHAR, 3, -1), false), t);
    assert_s(r, 0, "abc");
    r = ev(CAST(S("ab"), TT(EDDY_TYPE_CHAR, 4, -1), false), t);
    assert_s(r, 0, "ab  ");
    /* no-op casts hand back the operand */
    r = ev(CAST(COL(0, INT_), BIG, false), tb_new(1, 1, INT_));
    assert_notnull(r, 0);
    r = ev(CAST(NUL(T(EDDY_TYPE_NULL)), BIG, false), t);
    assert_isnull(r, 0);
}

/* ---------------------------------------------------------------------------------------- */
/* Text of values                                                                             */

static void test_format(void **state)
{
    (void)state;
    static const struct {
        double v;
        const char *want;
    } d[] = {
        {1.0, "1.0"},       {0.1, "0.1"},          {1e10, "1.0E10"},         {1e-4, "1.0E-4"},
        {0.001, "0.001"},   {1e7, "1.0E7"},        {9999999.0, "9999999.0"}, {123456.789, "123456.789"},
        {-2.5, "-2.5"},     {0.0, "0.0"},          {-0.0, "-0.0"},           {100.0, "100.0"},
        {1.0 / 3, "0.3333333333333333"},           {1.2345e-7, "1.2345E-7"}, {2e22, "2.0E22"},
        {5e-324, "4.9E-324"},
    };
    char buf[64];
    for (size_t i = 0; i < sizeof d / sizeof d[0]; i++) {
        eddy_format_double(d[i].v, buf);
        if (strcmp(buf, d[i].want) != 0 && !(d[i].v == 5e-324 && strcmp(buf, "5.0E-324") == 0))
            fail_msg("format_double(%.17g) = %s, want %s", d[i].v, buf, d[i].want);
    }
    eddy_format_double(NAN, buf);
    assert_string_equal(buf, "NaN");
    eddy_format_double(-INFINITY, buf);
    assert_string_equal(buf, "-Infinity");
    eddy_format_float(0.1f, buf);
    assert_string_equal(buf, "0.1");
    eddy_format_float(1.0e10f, buf);
    assert_string_equal(buf, "1.0E10");
    eddy_format_float(3.4028235e38f, buf);
    assert_string_equal(buf, "3.4028235E38");
    /* every type through eddy_value_format */
    eddy_batch *b = tb_new(2, 8, BIG, DBL, BOOL, TD(10, 3), TS, DATE, TT(EDDY_TYPE_TIME, 0, -1), STR);
    tb_i(b, 0, 0, -5);
    tb_f(b, 1, 0, 12.0);
    tb_b(b, 2, 0, true);
    tb_d(b, 3, 0, 12300);
    tb_i(b, 4, 0, eddy_ts_from_fields(2021, 12, 31, 23, 59, 58, 7));
    tb_i(b, 5, 0, eddy_days_from_civil(1969, 12, 31));
    tb_i(b, 6, 0, 3723000);
    tb_s(b, 7, 0, "héllo");
    for (int c = 0; c < 8; c++) tb_null(b, c, 1);
    const char *want[] = {"-5", "12.0", "true", "12.300", "2021-12-31 23:59:58.007", "1969-12-31", "01:02:03", "héllo"};
    for (int c = 0; c < 8; c++) {
        eddy_strbuf sb = {0};
        assert_false(eddy_value_format(&b->cols[c], 0, &sb));
        assert_string_equal(eddy_strbuf_cstr(&sb), want[c]);
        eddy_strbuf_clear(&sb);
        assert_true(eddy_value_format(&b->cols[c], 1, &sb));
        assert_int_equal(sb.n, 0);
        eddy_strbuf_free(&sb);
    }
    /* text to values */
    eddy_error err;
    eddy_error_clear(&err);
    eddy_col c = b->cols[3];
    assert_int_equal(eddy_value_parse(" 1.2345 ", 8, &c, 0, &err), 0);
    assert_true(c.v.dec[0] == 1235);
    assert_int_equal(eddy_value_parse("x", 1, &b->cols[0], 0, &err), EDDY_EDATA);
    assert_non_null(strstr(err.msg, "cannot cast 'x' to BIGINT"));
}

/* ---------------------------------------------------------------------------------------- */
/* Evaluation machinery                                                                       */

static void test_machinery(void **state)
{
    (void)state;
    /* a column reference hands back the input column itself */
    eddy_batch *b = tb_new(3000, 2, BIG, STR);
    for (int i = 0; i < 3000; i++) {
        tb_i(b, 0, i, i);
        tb_s(b, 1, i, (i % 3) ? "Apple" : "Google");
    }
    eddy_col r = ev(COL(0, BIG), b);
    assert_ptr_equal(r.v.i64, b->cols[0].v.i64);
    /* a constant root is a full column */
    r = ev(I(7), b);
    for (int i = 0; i < 3000; i++) assert_int_equal(r.v.i64[i], 7);
    r = ev(NUL(STR), b);
    assert_isnull(r, 2999);
    /* batches larger than 1024 rows; the same program over several batches */
    eddy_error err;
    eddy_error_clear(&err);
    eddy_bexpr *lc = FN(EDDY_FN_LOWER, STR, 1, COL(1, STR));
    eddy_bexpr *e = CASE(STR, true, 5, CMP(EDDY_BOP_EQ, lc, S("apple")), S("0"),
                         CMP(EDDY_BOP_EQ, FN(EDDY_FN_LOWER, STR, 1, COL(1, STR)), S("google")), S("1"),
                         FN(EDDY_FN_LOWER, STR, 1, COL(1, STR)));
    eddy_expr_prog *p = te_compile(e, &err);
    assert_non_null(p);
    for (int round = 0; round < 3; round++) {
        b->n = round == 1 ? 10 : 3000;
        eddy_col out;
        assert_int_equal(eddy_expr_eval(p, b, &te_ctx, &out, te_out, &err), 0);
        for (int i = 0; i < b->n; i++) assert_string_equal(str_of(&out, i), (i % 3) ? "0" : "1");
        eddy_arena_reset(te_out);
    }
    b->n = 3000;
    /* an expression over a zero-row batch */
    eddy_batch *z = tb_new(0, 1, BIG);
    r = ev(OP(EDDY_BOP_ADD, BIG, COL(0, BIG), I(1)), z);
    (void)r;
    /* compile errors name the problem */
    eddy_bexpr *bad = OP(EDDY_BOP_ADD, BIG, COL(0, BIG), S("x"));
    bad->args[1]->type = T(EDDY_TYPE_ARRAY);
    eddy_error_clear(&err);
    assert_null(eddy_expr_compile(bad, &err));
    assert_int_not_equal(err.code, 0);
    /* PROCTIME / CURRENT_WATERMARK come from the context, per batch */
    te_ctx.proctime_ms = 86400000 * 3 + 5;
    te_ctx.watermark = INT64_MIN;
    r = ev(FN(EDDY_FN_CURRENT_WATERMARK, TS, 1, COL(0, BIG)), tb_new(2, 1, BIG));
    assert_isnull(r, 1);
    r = ev(FN(EDDY_FN_CURRENT_DATE, DATE, 0), tb_new(2, 1, BIG));
    assert_txt(r, 1, "1970-01-04");
    te_ctx.watermark = 1000;
    r = ev(CMP(EDDY_BOP_LT, FN(EDDY_FN_CURRENT_WATERMARK, TS, 1, COL(0, BIG)), FN(EDDY_FN_PROCTIME, TS, 0)), tb_new(2, 1, BIG));
    assert_b(r, 1, 1);
}

/* ---------------------------------------------------------------------------------------- */
/* Randomized cross-check against a naive row-at-a-time evaluator                            */

static uint64_t rng_state;

static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

#define NCOLS 4 /* columns 0,1: BIGINT; 2,3: DOUBLE */

/* A random integer expression (BIGINT or INT result). */
static eddy_bexpr *rand_int(int depth);
static eddy_bexpr *rand_bool(int depth);

static eddy_bexpr *rand_dbl(int depth)
{
    int k = (int)(rnd() % (depth > 0 ? 6 : 2));
    switch (k) {
    case 0: return COL(2 + (int)(rnd() % 2), DBL);
    case 1: return F((double)((int64_t)(rnd() % 200) - 100) / 4);
    case 2: return CAST(rand_int(depth - 1), DBL, false);
    case 3: {
        static const eddy_bop ops[] = {EDDY_BOP_ADD, EDDY_BOP_SUB, EDDY_BOP_MUL, EDDY_BOP_DIV, EDDY_BOP_MOD};
        return OP(ops[rnd() % 5], DBL, rand_dbl(depth - 1), rand_dbl(depth - 1));
    }
    case 4: return CASE(DBL, true, 3, rand_bool(depth - 1), rand_dbl(depth - 1), rand_dbl(depth - 1));
    default: return OP(EDDY_BOP_NEG, DBL, rand_dbl(depth - 1), NULL);
    }
}

static eddy_bexpr *rand_int(int depth)
{
    int k = (int)(rnd() % (depth > 0 ? 7 : 2));
    switch (k) {
    case 0: return COL((int)(rnd() % 2), BIG);
    case 1: return I((int64_t)(rnd() % 41) - 20 + ((rnd() % 16 == 0) ? INT64_MAX / 2 : 0));
    case 2:
    case 3: {
        static const eddy_bop ops[] = {EDDY_BOP_ADD, EDDY_BOP_SUB, EDDY_BOP_MUL, EDDY_BOP_DIV, EDDY_BOP_MOD};
        const eddy_sqltype *t = (rnd() % 4 == 0) ? INT_ : BIG;
        return OP(ops[rnd() % 5], t, rand_int(depth - 1), rand_int(depth - 1));
    }
    case 4: return CASE(BIG, rnd() % 2, 3, rand_bool(depth - 1), rand_int(depth - 1), rand_int(depth - 1));
    case 5: return FN(EDDY_FN_MOD, BIG, 2, rand_int(depth - 1), I((int64_t)(rnd() % 7) - 3));
    default: return FN(EDDY_FN_COALESCE, BIG, 2, rand_int(depth - 1), rand_int(depth - 1));
    }
}

static eddy_bexpr *rand_bool(int depth)
{
    int k = (int)(rnd() % (depth > 0 ? 7 : 1));
    static const eddy_bop cmps[] = {EDDY_BOP_EQ, EDDY_BOP_NE, EDDY_BOP_LT, EDDY_BOP_LE, EDDY_BOP_GT, EDDY_BOP_GE};
    switch (k) {
    case 0: return CMP(cmps[rnd() % 6], COL((int)(rnd() % 2), BIG), I((int64_t)(rnd() % 21) - 10));
    case 1: return CMP(cmps[rnd() % 6], rand_int(depth - 1), rand_int(depth - 1));
    case 2: return CMP(cmps[rnd() % 6], rand_dbl(depth - 1), rand_dbl(depth - 1));
    case 3: return AND(2, rand_bool(depth - 1), rand_bool(depth - 1));
    case 4: return OR(3, rand_bool(depth - 1), rand_bool(depth - 1), rand_bool(depth - 1));
    case 5: return NOT(rand_bool(depth - 1));
    default: return IS(rand_int(depth - 1), 0, rnd() % 2);
    }
}

/* Naive evaluation of row r: a value with a null flag; *fail set on a runtime error. */
typedef struct nval {
    bool null;
    int64_t i;
    double f;
    int b; /* booleans */
} nval;

static const eddy_batch *nb;
static int nrow;

static nval naive(const eddy_bexpr *e, bool *fail)
{
    nval v = {0};
    if (*fail) return v;
    switch (e->kind) {
    case EDDY_BEXPR_CONST:
        v.null = e->value.null;
        if (e->type->kind == EDDY_TYPE_DOUBLE) v.f = e->value.u.f;
        else if (e->type->kind == EDDY_TYPE_BOOLEAN) v.b = e->value.u.b;
        else v.i = e->value.u.i;
        return v;
    case EDDY_BEXPR_COLUMN: {
        const eddy_col *c = &nb->cols[e->column];
        v.null = c->nulls && c->nulls[nrow];
        if (c->phys == EDDY_PHYS_I64) v.i = c->v.i64[nrow];
        else v.f = c->v.f64[nrow];
        return v;
    }
    case EDDY_BEXPR_CAST: {
        nval a = naive(e->args[0], fail);
        v.null = a.null;
        v.f = (double)a.i;
        return v;
    }
    case EDDY_BEXPR_ARITH: {
        nval a = naive(e->args[0], fail);
        if (e->op == EDDY_BOP_NEG) {
            v.null = a.null;
            if (e->type->kind == EDDY_TYPE_DOUBLE) v.f = -a.f;
            else if (!a.null && a.i == INT64_MIN) *fail = true;
            else v.i = -a.i;
            return v;
        }
        nval b = naive(e->args[1], fail);
        v.null = a.null || b.null;
        if (v.null || *fail) return v;
        if (e->type->kind == EDDY_TYPE_DOUBLE) {
            switch (e->op) {
            case EDDY_BOP_ADD: v.f = a.f + b.f; break;
            case EDDY_BOP_SUB: v.f = a.f - b.f; break;
            case EDDY_BOP_MUL: v.f = a.f * b.f; break;
            case EDDY_BOP_DIV: v.f = a.f / b.f; break;
            default: v.f = fmod(a.f, b.f); break;
            }
            return v;
        }
        __int128 x = a.i, y = b.i, r;
        switch (e->op) {
        case EDDY_BOP_ADD: r = x + y; break;
        case EDDY_BOP_SUB: r = x - y; break;
        case EDDY_BOP_MUL: r = x * y; break;
        case EDDY_BOP_DIV:
            if (y == 0) {
                *fail = true;
                return v;
            }
            r = x / y;
            break;
        default:
            if (y == 0) {
                *fail = true;
                return v;
            }
            r = x % y;
            break;
        }
        __int128 lo = e->type->kind == EDDY_TYPE_INT ? INT32_MIN : INT64_MIN;
        __int128 hi = e->type->kind == EDDY_TYPE_INT ? INT32_MAX : INT64_MAX;
        if (r < lo || r > hi) *fail = true;
        v.i = (int64_t)r;
        return v;
    }
    case EDDY_BEXPR_COMPARE: {
        nval a = naive(e->args[0], fail), b = naive(e->args[1], fail);
        v.null = a.null || b.null;
        bool dbl = e->args[0]->type->kind == EDDY_TYPE_DOUBLE;
        int c = dbl ? (a.f > b.f) - (a.f < b.f) : (a.i > b.i) - (a.i < b.i);
        bool unordered = dbl && (a.f != a.f || b.f != b.f);
        switch (e->op) {
        case EDDY_BOP_EQ: v.b = !unordered && c == 0; break;
        case EDDY_BOP_NE: v.b = unordered || c != 0; break;
        case EDDY_BOP_LT: v.b = !unordered && c < 0; break;
        case EDDY_BOP_LE: v.b = !unordered && c <= 0; break;
        case EDDY_BOP_GT: v.b = !unordered && c > 0; break;
        default: v.b = !unordered && c >= 0; break;
        }
        return v;
    }
    case EDDY_BEXPR_AND:
    case EDDY_BEXPR_OR: {
        bool is_and = e->kind == EDDY_BEXPR_AND, anynull = false;
        for (int k = 0; k < e->nargs; k++) {
            nval a = naive(e->args[k], fail);
            if (*fail) return v;
            if (!a.null && a.b != is_and) {
                v.b = !is_and;
                return v;
            }
            anynull |= a.null;
        }
        v.null = anynull;
        v.b = is_and;
        return v;
    }
    case EDDY_BEXPR_NOT: {
        nval a = naive(e->args[0], fail);
        v.null = a.null;
        v.b = !a.b;
        return v;
    }
    case EDDY_BEXPR_IS: {
        nval a = naive(e->args[0], fail);
        v.b = a.null ^ e->negated;
        return v;
    }
    case EDDY_BEXPR_CASE: {
        int nw = e->has_else ? (e->nargs - 1) / 2 : e->nargs / 2;
        for (int w = 0; w < nw; w++) {
            nval c = naive(e->args[2 * w], fail);
            if (*fail) return v;
            if (!c.null && c.b) return naive(e->args[2 * w + 1], fail);
        }
        if (e->has_else) return naive(e->args[2 * nw], fail);
        v.null = true;
        return v;
    }
    case EDDY_BEXPR_CALL:
        if (e->fn == EDDY_FN_COALESCE) {
            for (int k = 0; k < e->nargs; k++) {
                nval a = naive(e->args[k], fail);
                if (*fail || !a.null) return a;
            }
            v.null = true;
            return v;
        } else {
            nval a = naive(e->args[0], fail), b = naive(e->args[1], fail);
            v.null = a.null || b.null;
            if (v.null || *fail) return v;
            if (b.i == 0) *fail = true;
            else v.i = b.i == -1 ? 0 : a.i % b.i;
            return v;
        }
    default: fail_msg("naive: unexpected kind %d", e->kind);
    }
    return v;
}

/* SQL-ish text of a generated expression, for failure messages. */
static void dump(const eddy_bexpr *e, char *buf, size_t cap)
{
    size_t n = strlen(buf);
    char *p = buf + n;
    size_t left = cap - n;
    if (left < 64) return;
    static const char *const ops[] = {"+", "-", "*", "/", "%", "-", "=", "<>", "<", "<=", ">", ">="};
    switch (e->kind) {
    case EDDY_BEXPR_CONST:
        if (e->type->kind == EDDY_TYPE_DOUBLE) snprintf(p, left, "%g", e->value.u.f);
        else snprintf(p, left, "%lld", (long long)e->value.u.i);
        return;
    case EDDY_BEXPR_COLUMN: snprintf(p, left, "c%d", e->column); return;
    default: break;
    }
    const char *name = e->kind == EDDY_BEXPR_ARITH || e->kind == EDDY_BEXPR_COMPARE ? ops[e->op]
                       : e->kind == EDDY_BEXPR_AND                                 ? "AND"
                       : e->kind == EDDY_BEXPR_OR                                  ? "OR"
                       : e->kind == EDDY_BEXPR_NOT                                 ? "NOT"
                       : e->kind == EDDY_BEXPR_IS                                  ? (e->negated ? "ISNOTNULL" : "ISNULL")
                       : e->kind == EDDY_BEXPR_CASE                                ? (e->has_else ? "CASE" : "CASE-noelse")
                       : e->kind == EDDY_BEXPR_CAST                                ? "CAST"
                       : e->fn == EDDY_FN_MOD                                      ? "MOD"
                                                                                   : "COALESCE";
    snprintf(p, left, "%s:%s(", name, e->type->kind == EDDY_TYPE_INT ? "int" : "");
    for (int i = 0; i < e->nargs; i++) {
        if (i) strncat(buf, ", ", cap - strlen(buf) - 1);
        dump(e->args[i], buf, cap);
    }
    strncat(buf, ")", cap - strlen(buf) - 1);
}

static void test_random_crosscheck(void **state)
{
    (void)state;
    const int rows = 300;
    int checked = 0, errors = 0;
    for (uint64_t seed = 1; seed <= 1500; seed++) {
        rng_state = seed * 0x9E3779B97F4A7C15ULL;
        eddy_batch *b = tb_new(rows, NCOLS, BIG, BIG, DBL, DBL);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < NCOLS; c++) {
                if (rnd() % 8 == 0) {
                    tb_null(b, c, r);
                    continue;
                }
                if (c < 2) tb_i(b, c, r, (rnd() % 50 == 0) ? (int64_t)rnd() : (int64_t)(rnd() % 41) - 20);
                else tb_f(b, c, r, (rnd() % 20 == 0) ? NAN : (double)((int64_t)(rnd() % 81) - 40) / 8);
            }
        }
        int kind = (int)(rnd() % 3);
        eddy_bexpr *e = kind == 0 ? rand_int(4) : (kind == 1 ? rand_dbl(4) : rand_bool(4));
        bool want_fail = false;
        nb = b;
        for (nrow = 0; nrow < rows && !want_fail; nrow++) naive(e, &want_fail);
        eddy_error err;
        eddy_error_clear(&err);
        eddy_expr_prog *p = te_compile(e, &err);
        if (!p) fail_msg("seed %llu: compile: %s", (unsigned long long)seed, err.msg);
        eddy_col out;
        int rc = eddy_expr_eval(p, b, &te_ctx, &out, te_out, &err);
        if (want_fail != (rc != 0)) {
            char text[4096] = "";
            dump(e, text, sizeof text);
            fail_msg("seed %llu: naive %s, kernels %s (%s) in %s", (unsigned long long)seed,
                     want_fail ? "fails" : "succeeds", rc ? "fail" : "succeed", err.msg, text);
        }
        if (want_fail) {
            errors++;
            continue;
        }
        for (nrow = 0; nrow < rows; nrow++) {
            bool f = false;
            nval v = naive(e, &f);
            bool isn = out.nulls && out.nulls[nrow];
            if (v.null != isn) fail_msg("seed %llu row %d: null %d vs %d", (unsigned long long)seed, nrow, v.null, isn);
            if (v.null) continue;
            if (kind == 0 && out.v.i64[nrow] != v.i)
                fail_msg("seed %llu row %d: %lld vs %lld", (unsigned long long)seed, nrow, (long long)out.v.i64[nrow],
                         (long long)v.i);
            if (kind == 1 && !(out.v.f64[nrow] == v.f || (out.v.f64[nrow] != out.v.f64[nrow] && v.f != v.f)))
                fail_msg("seed %llu row %d: %g vs %g", (unsigned long long)seed, nrow, out.v.f64[nrow], v.f);
            if (kind == 2 && (out.v.b[nrow] != 0) != (v.b != 0))
                fail_msg("seed %llu row %d: bool %d vs %d", (unsigned long long)seed, nrow, out.v.b[nrow], v.b);
            checked++;
        }
        eddy_arena_reset(te_out);
    }
    assert_true(checked > 10000);
    assert_true(errors > 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_int_arith, te_setup, te_teardown),
        cmocka_unit_test_setup_teardown(test_int_overflow, te_setup, te_teardown),
        cmocka_unit_test_setup_teardown(test_double_arith, te_setup, te_teardown),
        cmocka_unit_test_setup_teardown(test_decimal_arith, te_setup, te_teardown),
        cmocka_unit_test_setup_teardown(test_time_arith, te_setup, te_teardown),
        cmocka_unit_test_setup_teardown(test_compare, te_setup, te_teardown),
        cmocka_unit_test_setup_teardown(test_logic, te_setup, te_teardown),
        cmocka_unit_test_setup_teardown(test_in, te_setup, te_teardown),
        cmocka_unit_test_setup_teardown(test_case, te_setup, te_teardown),
        cmocka_unit_test_setup_teardown(test_cast, te_setup, te_teardown),
        cmocka_unit_test_setup_teardown(test_format, te_setup, te_teardown),
        cmocka_unit_test_setup_teardown(test_machinery, te_setup, te_teardown),
        cmocka_unit_test_setup_teardown(test_random_crosscheck, te_setup, te_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
