/*
 * test_expr_fn.c: the built-in functions of the expression evaluator, family by family:
 * strings (incl. UTF-8), LIKE / SIMILAR TO, regular expressions (Nexmark q21's
 * REGEXP_EXTRACT), SPLIT_INDEX (q22), JSON_VALUE, MD5, HASH_CODE; time (DATE_FORMAT as q10
 * and q15-q17 use it, parsing, EXTRACT, FLOOR/CEIL TO, TIMESTAMPADD/DIFF, per-batch clocks);
 * math (MOD as q2 uses it, ROUND/TRUNCATE HALF_UP, RAND's Java sequence). Expected values are
 * Flink's (see the comments for the few places where eddy differs on purpose).
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

/* One-row evaluation of a constant-free call over a batch with a single string column. */
static eddy_col on_str(eddy_bexpr *e, const char *v)
{
    eddy_batch *b = tb_new(1, 1, STR);
    if (v) tb_s(b, 0, 0, v);
    else tb_null(b, 0, 0);
    return ev(e, b);
}

#define S0 COL(0, STR)

/* ---------------------------------------------------------------------------------------- */
/* Strings                                                                                    */

static void test_concat_substring(void **state)
{
    (void)state;
    eddy_batch *b = tb_new(3, 2, STR, STR);
    tb_s(b, 0, 0, "ab");
    tb_s(b, 1, 0, "cd");
    tb_s(b, 0, 1, "");
    tb_null(b, 1, 1);
    tb_s(b, 0, 2, "x");
    tb_s(b, 1, 2, "");
    eddy_col r = ev(FN(EDDY_FN_CONCAT, STR, 3, COL(0, STR), S("-"), COL(1, STR)), b);
    assert_s(r, 0, "ab-cd");
    assert_isnull(r, 1);
    assert_s(r, 2, "x-");
    r = ev(CONCAT(COL(0, STR), COL(1, STR)), b);
    assert_s(r, 0, "abcd");
    assert_isnull(r, 1);
    r = ev(FN(EDDY_FN_CONCAT_WS, STR, 3, S(","), COL(0, STR), COL(1, STR)), b);
    assert_s(r, 0, "ab,cd");
    assert_s(r, 1, ""); /* NULL arguments are skipped */
    assert_s(r, 2, "x,");
    r = ev(FN(EDDY_FN_CONCAT_WS, STR, 2, NUL(STR), COL(0, STR)), b);
    assert_isnull(r, 0);
    r = ev(FN(EDDY_FN_CONCAT, STR, 2, S("n="), I(5)), b); /* numbers are cast */
    assert_s(r, 0, "n=5");

    static const struct {
        int64_t pos, len; /* len -1: no length */
        const char *want;
    } sub[] = {
        {7, -1, "World"}, {1, 5, "Hello"}, {2, 3, "ell"}, {-5, -1, "World"}, {-5, 2, "Wo"}, {0, 2, "He"},
        {20, -1, ""},     {-20, 3, ""},    {11, 5, "d"},  {3, 0, ""},        {5, 100, "o World"},
    };
    for (size_t i = 0; i < sizeof sub / sizeof sub[0]; i++) {
        eddy_bexpr *e = sub[i].len < 0 ? FN(EDDY_FN_SUBSTRING, STR, 2, S0, I32(sub[i].pos))
                                       : FN(EDDY_FN_SUBSTR, STR, 3, S0, I32(sub[i].pos), I32(sub[i].len));
        eddy_col c = on_str(e, "Hello World");
        if (strcmp(str_of(&c, 0), sub[i].want) != 0)
            fail_msg("SUBSTRING('Hello World', %lld, %lld) = '%s', want '%s'", (long long)sub[i].pos,
                     (long long)sub[i].len, str_of(&c, 0), sub[i].want);
    }
    r = on_str(FN(EDDY_FN_SUBSTRING, STR, 3, S0, I32(2), I32(-1)), "abc");
    assert_isnull(r, 0);
    r = on_str(FN(EDDY_FN_SUBSTRING, STR, 3, S0, I32(2), I32(2)), "h\xc3\xa9llo");
    assert_s(r, 0, "\xc3\xa9l");
    r = on_str(FN(EDDY_FN_SUBSTRING, STR, 2, S0, I32(2)), NULL);
    assert_isnull(r, 0);
}

static void test_string_fns(void **state)
{
    (void)state;
    eddy_col r = on_str(FN(EDDY_FN_UPPER, STR, 1, S0), "Hello W\xc3\xb6rld \xce\xb1\xce\xb2 \xd0\xb4");
    assert_s(r, 0, "HELLO W\xc3\x96RLD \xce\x91\xce\x92 \xd0\x94");
    r = on_str(FN(EDDY_FN_LOWER, STR, 1, S0), "ApPLE \xc3\x89T\xc3\x89");
    assert_s(r, 0, "apple \xc3\xa9t\xc3\xa9");
    r = on_str(FN(EDDY_FN_TRIM, STR, 1, S0), "  a b  ");
    assert_s(r, 0, "a b");
    r = on_str(FN(EDDY_FN_LTRIM, STR, 1, S0), "  a b  ");
    assert_s(r, 0, "a b  ");
    r = on_str(FN(EDDY_FN_RTRIM, STR, 1, S0), "  a b  ");
    assert_s(r, 0, "  a b");
    r = on_str(FN(EDDY_FN_TRIM, STR, 2, S0, S("x\xc3\xa9")), "x\xc3\xa9xabx\xc3\xa9");
    assert_s(r, 0, "ab");
    r = on_str(FN(EDDY_FN_TRIM, STR, 1, S0), "   ");
    assert_s(r, 0, "");
    r = on_str(FN(EDDY_FN_CHAR_LENGTH, INT_, 1, S0), "h\xc3\xa9llo");
    assert_i(r, 0, 5);
    r = on_str(FN(EDDY_FN_CHARACTER_LENGTH, INT_, 1, S0), "");
    assert_i(r, 0, 0);
    r = on_str(FN(EDDY_FN_REPLACE, STR, 3, S0, S("a"), S("bb")), "banana");
    assert_s(r, 0, "bbbnbbnbb");
    r = on_str(FN(EDDY_FN_REPLACE, STR, 3, S0, S(""), S("-")), "abc");
    assert_s(r, 0, "-a-b-c-");
    r = on_str(FN(EDDY_FN_REPLACE, STR, 3, S0, S("zz"), S("-")), "abc");
    assert_s(r, 0, "abc");
    r = on_str(FN(EDDY_FN_REPLACE, STR, 3, S0, S("ab"), S("")), "abcabd");
    assert_s(r, 0, "cd");
    r = on_str(FN(EDDY_FN_POSITION, INT_, 2, S("lo"), S0), "hello");
    assert_i(r, 0, 4);
    r = on_str(FN(EDDY_FN_POSITION, INT_, 2, S("z"), S0), "hello");
    assert_i(r, 0, 0);
    r = on_str(FN(EDDY_FN_LOCATE, INT_, 3, S("l"), S0, I32(4)), "hello");
    assert_i(r, 0, 4);
    r = on_str(FN(EDDY_FN_LOCATE, INT_, 2, S("l"), S0), "h\xc3\xa9llo");
    assert_i(r, 0, 3);
    r = on_str(FN(EDDY_FN_LOCATE, INT_, 2, S(""), S0), "abc");
    assert_i(r, 0, 1);
    r = on_str(FN(EDDY_FN_LPAD, STR, 3, S0, I32(5), S("xy")), "hi");
    assert_s(r, 0, "xyxhi");
    r = on_str(FN(EDDY_FN_RPAD, STR, 3, S0, I32(5), S("xy")), "hi");
    assert_s(r, 0, "hixyx");
    r = on_str(FN(EDDY_FN_LPAD, STR, 3, S0, I32(3), S("x")), "hello");
    assert_s(r, 0, "hel");
    r = on_str(FN(EDDY_FN_LPAD, STR, 3, S0, I32(-1), S("x")), "hello");
    assert_isnull(r, 0);
    r = on_str(FN(EDDY_FN_RPAD, STR, 3, S0, I32(4), S("")), "hi");
    assert_isnull(r, 0);
    r = on_str(FN(EDDY_FN_INITCAP, STR, 1, S0), "hello wORLD 3rd-x");
    assert_s(r, 0, "Hello World 3rd-X");
    r = on_str(FN(EDDY_FN_REVERSE, STR, 1, S0), "h\xc3\xa9llo");
    assert_s(r, 0, "oll\xc3\xa9h");
    r = on_str(FN(EDDY_FN_LEFT, STR, 2, S0, I32(2)), "hello");
    assert_s(r, 0, "he");
    r = on_str(FN(EDDY_FN_RIGHT, STR, 2, S0, I32(2)), "hello");
    assert_s(r, 0, "lo");
    r = on_str(FN(EDDY_FN_LEFT, STR, 2, S0, I32(-1)), "hello");
    assert_s(r, 0, "");
    r = on_str(FN(EDDY_FN_RIGHT, STR, 2, S0, I32(9)), "hi");
    assert_s(r, 0, "hi");
    r = on_str(FN(EDDY_FN_REPEAT, STR, 2, S0, I32(3)), "ab");
    assert_s(r, 0, "ababab");
    r = on_str(FN(EDDY_FN_REPEAT, STR, 2, S0, I32(0)), "ab");
    assert_s(r, 0, "");
    r = on_str(FN(EDDY_FN_MD5, STR, 1, S0), "");
    assert_s(r, 0, "d41d8cd98f00b204e9800998ecf8427e");
    r = on_str(FN(EDDY_FN_MD5, STR, 1, S0), "The quick brown fox jumps over the lazy dog");
    assert_s(r, 0, "9e107d9d372bb6826bd81d3542a419d6");
    r = on_str(FN(EDDY_FN_MD5, STR, 1, S0),
               "12345678901234567890123456789012345678901234567890123456789012345678901234567890");
    assert_s(r, 0, "57edf4a22be3c955ac49da2e2107b67a");
    r = on_str(FN(EDDY_FN_HASH_CODE, INT_, 1, S0), "abc");
    assert_i(r, 0, 96354);
    r = on_str(FN(EDDY_FN_HASH_CODE, INT_, 1, S0), "Hello, World!");
    assert_i(r, 0, 1498789909);
    r = ev0(FN(EDDY_FN_HASH_CODE, INT_, 1, I(-1)));
    assert_i(r, 0, 0);
    r = ev0(FN(EDDY_FN_HASH_CODE, INT_, 1, BOOL_(true)));
    assert_i(r, 0, 1231);
    /* NULL in, NULL out */
    r = on_str(FN(EDDY_FN_UPPER, STR, 1, S0), NULL);
    assert_isnull(r, 0);
    r = on_str(FN(EDDY_FN_CHAR_LENGTH, INT_, 1, S0), NULL);
    assert_isnull(r, 0);
}

static void test_split_index(void **state)
{
    (void)state;
    const char *want[] = {"a", "b", "", "c", "NULL"};
    for (int i = 0; i < 5; i++) {
        eddy_col r = on_str(FN(EDDY_FN_SPLIT_INDEX, STR, 3, S0, S("/"), I32(i)), "a/b//c");
        assert_s(r, 0, want[i]);
    }
    eddy_col r = on_str(FN(EDDY_FN_SPLIT_INDEX, STR, 3, S0, S("/"), I32(-1)), "a/b");
    assert_isnull(r, 0);
    r = on_str(FN(EDDY_FN_SPLIT_INDEX, STR, 3, S0, S("::"), I32(1)), "x::y::z");
    assert_s(r, 0, "y");
    r = on_str(FN(EDDY_FN_SPLIT_INDEX, STR, 3, S0, S("/"), I32(0)), "");
    assert_isnull(r, 0);
    /* Nexmark q22 */
    const char *url = "https://www.nexmark.com/dzxb/ertm/cvjg/item.htm?query=1";
    const char *dirs[] = {"dzxb", "ertm", "cvjg"};
    for (int i = 0; i < 3; i++) {
        r = on_str(FN(EDDY_FN_SPLIT_INDEX, STR, 3, S0, S("/"), I32(3 + i)), url);
        assert_s(r, 0, dirs[i]);
    }
}

/* ---------------------------------------------------------------------------------------- */
/* LIKE, SIMILAR TO, regular expressions                                                      */

static void test_like(void **state)
{
    (void)state;
    const char *subj[] = {"abc", "abcde", "xabc", "a%b", "axb", "", "\xc3\xa9t\xc3\xa9", "ab"};
    enum { N = 8 };
    eddy_batch *b = tb_new(N + 1, 2, STR, STR);
    for (int i = 0; i < N; i++) tb_s(b, 0, i, subj[i]);
    tb_null(b, 0, N);
    static const struct {
        const char *pat;
        const char *esc; /* NULL: default */
        int want[N];
    } cases[] = {
        {"abc", NULL, {1, 0, 0, 0, 0, 0, 0, 0}},
        {"ab%", NULL, {1, 1, 0, 0, 0, 0, 0, 1}},
        {"%bc", NULL, {1, 0, 1, 0, 0, 0, 0, 0}},
        {"%bc%", NULL, {1, 1, 1, 0, 0, 0, 0, 0}},
        {"%", NULL, {1, 1, 1, 1, 1, 1, 1, 1}},
        {"a_c", NULL, {1, 0, 0, 0, 0, 0, 0, 0}},
        {"a%c%e", NULL, {0, 1, 0, 0, 0, 0, 0, 0}},
        {"_t_", NULL, {0, 0, 0, 0, 0, 0, 1, 0}},
        {"a\\%b", NULL, {0, 0, 0, 1, 0, 0, 0, 0}},
        {"a!%b", "!", {0, 0, 0, 1, 0, 0, 0, 0}},
        {"a%b", NULL, {0, 0, 0, 1, 1, 0, 0, 1}},
        {"", NULL, {0, 0, 0, 0, 0, 1, 0, 0}},
        {"%%c", NULL, {1, 0, 1, 0, 0, 0, 0, 0}},
        {"_%_", NULL, {1, 1, 1, 1, 1, 0, 1, 1}},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        for (int neg = 0; neg < 2; neg++) {
            eddy_bexpr *e = LIKE(COL(0, STR), S(cases[k].pat), cases[k].esc ? S(cases[k].esc) : NULL, neg, false);
            eddy_col r = ev(e, b);
            for (int i = 0; i < N; i++)
                if (tv(&r, i) != (neg ? !cases[k].want[i] : cases[k].want[i]))
                    fail_msg("'%s' %sLIKE '%s' = %d", subj[i], neg ? "NOT " : "", cases[k].pat, tv(&r, i));
            assert_isnull(r, N);
            /* the same patterns from a column (compiled per row) */
            for (int i = 0; i <= N; i++) tb_s(b, 1, i, cases[k].pat);
            e = LIKE(COL(0, STR), COL(1, STR), cases[k].esc ? S(cases[k].esc) : NULL, neg, false);
            r = ev(e, b);
            for (int i = 0; i < N; i++)
                if (tv(&r, i) != (neg ? !cases[k].want[i] : cases[k].want[i]))
                    fail_msg("'%s' %sLIKE column '%s' = %d", subj[i], neg ? "NOT " : "", cases[k].pat, tv(&r, i));
        }
    }
    /* SIMILAR TO */
    eddy_col r = ev(LIKE(COL(0, STR), S("(abc|ax)%"), NULL, false, true), b);
    assert_b(r, 0, 1);
    assert_b(r, 1, 1);
    assert_b(r, 4, 1);
    assert_b(r, 2, 0);
    r = ev(LIKE(S("a.c"), S("a.c"), NULL, false, true), b);
    assert_b(r, 0, 1);
    r = ev(LIKE(S("abc"), S("a.c"), NULL, false, true), b);
    assert_b(r, 0, 0); /* '.' is literal in SIMILAR TO */
    r = ev(LIKE(COL(0, STR), S("[a-c]+"), NULL, true, true), b);
    assert_b(r, 0, 0);
    assert_b(r, 2, 1);
    eddy_error err;
    assert_int_not_equal(ev_err(LIKE(COL(0, STR), S("ab\\"), NULL, false, false), b, &err), 0);
}

static void test_regexp(void **state)
{
    (void)state;
    /* Nexmark q21 */
    const char *urls[] = {"https://www.nexmark.com/a/b/item.htm?query=1&channel_id=1234",
                          "channel_id=77&x=1", "https://www.nexmark.com/item.htm?query=1", "channel_id="};
    eddy_batch *b = tb_new(5, 1, STR);
    for (int i = 0; i < 4; i++) tb_s(b, 0, i, urls[i]);
    tb_null(b, 0, 4);
    eddy_bexpr *pat = S("(&|^)channel_id=([^&]*)");
    eddy_col r = ev(FN(EDDY_FN_REGEXP_EXTRACT, STR, 3, S0, pat, I32(2)), b);
    assert_s(r, 0, "1234");
    assert_s(r, 1, "77");
    assert_isnull(r, 2);
    assert_s(r, 3, "");
    assert_isnull(r, 4);
    r = ev(FN(EDDY_FN_REGEXP_EXTRACT, STR, 3, S0, pat, I32(1)), b);
    assert_s(r, 0, "&");
    assert_s(r, 1, "");
    r = ev(FN(EDDY_FN_REGEXP_EXTRACT, STR, 2, S0, S("[0-9]+")), b); /* default group 0 */
    assert_s(r, 0, "1");
    r = ev(FN(EDDY_FN_REGEXP_EXTRACT, STR, 3, S0, pat, I32(3)), b); /* no such group */
    assert_isnull(r, 0);
    r = ev(FN(EDDY_FN_REGEXP_EXTRACT, STR, 3, S("foothebar"), S("foo(.*?)(bar)"), I32(2)), b);
    assert_s(r, 0, "bar");
    r = ev(FN(EDDY_FN_REGEXP_EXTRACT, STR, 3, S("ab"), S("a(x)?b"), I32(1)), b); /* group not taken */
    assert_isnull(r, 0);
    r = ev(FN(EDDY_FN_REGEXP, BOOL, 2, S0, S("item\\.htm")), b);
    assert_b(r, 0, 1);
    assert_b(r, 1, 0);
    assert_isnull(r, 4);
    /* UTF-8 and invalid UTF-8 subjects */
    r = ev(FN(EDDY_FN_REGEXP_EXTRACT, STR, 2, S("x\xc3\xa9y"), S("x.y")), b);
    assert_s(r, 0, "x\xc3\xa9y");
    r = ev(FN(EDDY_FN_REGEXP, BOOL, 2, S("a\xff\xfe b"), S("b$")), b);
    assert_b(r, 0, 1);
    /* REGEXP_REPLACE: Java's replaceAll */
    r = ev(FN(EDDY_FN_REGEXP_REPLACE, STR, 3, S("foobar"), S("o+"), S("x")), b);
    assert_s(r, 0, "fxbar");
    r = ev(FN(EDDY_FN_REGEXP_REPLACE, STR, 3, S("2020-01-31"), S("(\\d+)-(\\d+)-(\\d+)"), S("$3.$2.$1")), b);
    assert_s(r, 0, "31.01.2020");
    r = ev(FN(EDDY_FN_REGEXP_REPLACE, STR, 3, S("abc"), S("x*"), S("-")), b);
    assert_s(r, 0, "-a-b-c-");
    r = ev(FN(EDDY_FN_REGEXP_REPLACE, STR, 3, S("a.b"), S("\\."), S("\\$")), b);
    assert_s(r, 0, "a$b");
    r = ev(FN(EDDY_FN_REGEXP_REPLACE, STR, 3, S0, S("[0-9]"), S("#")), b);
    assert_s(r, 1, "channel_id=##&x=#");
    /* patterns from a column */
    eddy_batch *p = tb_new(3, 2, STR, STR);
    tb_s(p, 0, 0, "abc123");
    tb_s(p, 1, 0, "[0-9]+");
    tb_s(p, 0, 1, "abc123");
    tb_s(p, 1, 1, "[a-z]+");
    tb_s(p, 0, 2, "abc");
    tb_s(p, 1, 2, "(unclosed");
    r = ev(FN(EDDY_FN_REGEXP_EXTRACT, STR, 2, COL(0, STR), COL(1, STR)), p);
    assert_s(r, 0, "123");
    assert_s(r, 1, "abc");
    assert_isnull(r, 2); /* a bad pattern from data: NULL */
    /* a bad constant pattern: an error when compiling */
    eddy_error err;
    assert_int_equal(ev_err(FN(EDDY_FN_REGEXP, BOOL, 2, S0, S("(unclosed")), b, &err), EDDY_EBIND);
    assert_non_null(strstr(err.msg, "invalid regular expression"));
}

/* Constant patterns get a literal pre-filter and a start offset; patterns from a column do
 * not. Both must give the same answers on random subjects. */
static void test_regexp_prefilter(void **state)
{
    (void)state;
    static const char *pats[] = {
        "(&|^)channel_id=([^&]*)", "ab+c", "a(b|cd)?ef", "x.y=z", "^abc", "abc$", "(a|b)[cd]e\\.f",
        "k(?:ab|b)c", "ab*c", "\\bword\\b", "[0-9]{2}-ab", "(?i)ABC", "c(?=d)e?", "a\\x62c", "é+t",
        "(x|yy|zzz)end",
    };
    const char alphabet[] = "abcdef&=_.-xyzkKABCé";
    const int rows = 400;
    uint64_t rs = 12345;
    for (size_t k = 0; k < sizeof pats / sizeof pats[0]; k++) {
        eddy_batch *b = tb_new(rows, 2, STR, STR);
        for (int i = 0; i < rows; i++) {
            char buf[64];
            rs ^= rs << 13;
            rs ^= rs >> 7;
            rs ^= rs << 17;
            int len = 0, want = (int)(rs % 40);
            while (len < want) {
                rs ^= rs << 13;
                rs ^= rs >> 7;
                rs ^= rs << 17;
                if (rs % 7 == 0 && len + 12 < 60) {
                    const char *frag[] = {"channel_id=", "abc",   "ef",  "x.y=z", "end",  "word ", "12-ab", "kabc",
                                          "cde",         "&channel_id=", "abef", "acdef", "bde.f", "kbc", " word ", "99-ab",
                                          "ccde",        "\xc3\xa9t",  "yyend", "zzzend", "ac"};
                    const char *f = frag[(rs >> 20) % 21];
                    memcpy(buf + len, f, strlen(f));
                    len += (int)strlen(f);
                } else {
                    buf[len++] = alphabet[rs % (sizeof alphabet - 1)];
                }
            }
            buf[len] = 0;
            tb_s(b, 0, i, buf);
            tb_s(b, 1, i, pats[k]);
        }
        eddy_col c1 = ev(FN(EDDY_FN_REGEXP_EXTRACT, STR, 2, COL(0, STR), S(pats[k])), b);
        eddy_col c2 = ev(FN(EDDY_FN_REGEXP_EXTRACT, STR, 2, COL(0, STR), COL(1, STR)), b);
        eddy_col r1 = ev(FN(EDDY_FN_REGEXP_REPLACE, STR, 3, COL(0, STR), S(pats[k]), S("<$0>")), b);
        eddy_col r2 = ev(FN(EDDY_FN_REGEXP_REPLACE, STR, 3, COL(0, STR), COL(1, STR), S("<$0>")), b);
        int matches = 0;
        for (int i = 0; i < rows; i++) {
            if (strcmp(str_of(&c1, i), str_of(&c2, i)) != 0)
                fail_msg("'%s' on '%s': '%s' vs '%s'", pats[k], str_of(&b->cols[0], i), str_of(&c1, i), str_of(&c2, i));
            if (strcmp(str_of(&r1, i), str_of(&r2, i)) != 0)
                fail_msg("replace '%s' on '%s': '%s' vs '%s'", pats[k], str_of(&b->cols[0], i), str_of(&r1, i),
                         str_of(&r2, i));
            matches += !isnull(&c1, i);
        }
        if (matches == 0) fail_msg("pattern '%s' never matched: a weak test", pats[k]);
    }
}

/* Nexmark q21 as the plan has it: a CASE over lower(channel) with a REGEXP_EXTRACT fallback,
 * and its WHERE clause; lower(channel) is computed once per batch (shared). */
static void test_q21_shape(void **state)
{
    (void)state;
    const char *channel[] = {"Apple", "GOOGLE", "channel-77", "Baidu", "other", "facebook", NULL};
    const char *url[] = {"https://x/item.htm?query=1", "u", "https://x/y/item.htm?query=1&channel_id=77",
                         "u&channel_id=9", "https://x/item.htm?query=1", "u", "channel_id=5"};
    const char *want_id[] = {"0", "1", "77", "3", "NULL", "2", "5"};
    const int want_where[] = {1, 1, 1, 1, 0, 1, 1};
    eddy_batch *b = tb_new(7, 2, STR, STR);
    for (int i = 0; i < 7; i++) {
        if (channel[i]) tb_s(b, 0, i, channel[i]);
        else tb_null(b, 0, i);
        tb_s(b, 1, i, url[i]);
    }
    const char *pat = "(&|^)channel_id=([^&]*)";
    eddy_bexpr *e = CASE(STR, true, 9, CMP(EDDY_BOP_EQ, FN(EDDY_FN_LOWER, STR, 1, COL(0, STR)), S("apple")), S("0"),
                         CMP(EDDY_BOP_EQ, FN(EDDY_FN_LOWER, STR, 1, COL(0, STR)), S("google")), S("1"),
                         CMP(EDDY_BOP_EQ, FN(EDDY_FN_LOWER, STR, 1, COL(0, STR)), S("facebook")), S("2"),
                         CMP(EDDY_BOP_EQ, FN(EDDY_FN_LOWER, STR, 1, COL(0, STR)), S("baidu")), S("3"),
                         FN(EDDY_FN_REGEXP_EXTRACT, STR, 3, COL(1, STR), S(pat), I32(2)));
    eddy_col r = ev(e, b);
    for (int i = 0; i < 7; i++) assert_s(r, i, want_id[i]);
    eddy_bexpr *w = OR(2, IS(FN(EDDY_FN_REGEXP_EXTRACT, STR, 3, COL(1, STR), S(pat), I32(2)), 0, true),
                       IN(false, FN(EDDY_FN_LOWER, STR, 1, COL(0, STR)), 4, S("apple"), S("google"), S("facebook"),
                          S("baidu")));
    r = ev(w, b);
    for (int i = 0; i < 7; i++) assert_int_equal(tv(&r, i), want_where[i]);
}

static void test_json_value(void **state)
{
    (void)state;
    const char *doc = "{\"a\": {\"b\": [1, \"x\\ny\", true, null, {\"c\": 2.5e3}]}, \"s\": \"pl\\u00e9in\", "
                      "\"k y\": \"v\", \"n\": null}";
    static const struct {
        const char *path, *want;
    } cases[] = {
        {"$.a.b[0]", "1"}, {"$.a.b[1]", "x\ny"},   {"$.a.b[2]", "true"}, {"$.a.b[3]", "NULL"},
        {"$.a.b[4].c", "2.5e3"}, {"$.a.b[5]", "NULL"}, {"$.a", "NULL"},     {"$.a.b", "NULL"},
        {"$.s", "pl\xc3\xa9in"}, {"$['k y']", "v"},    {"$.n", "NULL"},      {"$.missing", "NULL"},
        {"lax $.a.b[0]", "1"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        eddy_col r = on_str(FN(EDDY_FN_JSON_VALUE, STR, 2, S0, S(cases[i].path)), doc);
        if (strcmp(str_of(&r, 0), cases[i].want) != 0)
            fail_msg("JSON_VALUE(.., '%s') = '%s', want '%s'", cases[i].path, str_of(&r, 0), cases[i].want);
    }
    eddy_col r = on_str(FN(EDDY_FN_JSON_VALUE, STR, 2, S0, S("$.a")), "{\"a\": ");
    assert_isnull(r, 0);
    r = on_str(FN(EDDY_FN_JSON_VALUE, STR, 2, S0, S("$.a")), "not json");
    assert_isnull(r, 0);
    r = on_str(FN(EDDY_FN_JSON_VALUE, STR, 2, S0, S("$.id")), "{\"id\": 42, \"name\": \"x\"}");
    assert_s(r, 0, "42");
    eddy_error err;
    assert_int_equal(ev_err(FN(EDDY_FN_JSON_VALUE, STR, 2, S0, S("a.b")), tb_new(1, 1, STR), &err), EDDY_EBIND);
}

/* ---------------------------------------------------------------------------------------- */
/* Time                                                                                       */

static int64_t ts(int y, int mo, int d, int h, int mi, int s, int ms)
{
    return eddy_ts_from_fields(y, mo, d, h, mi, s, ms);
}

static void test_date_format(void **state)
{
    (void)state;
    /* rows alternate between days so that the per-day text sharing is exercised */
    int64_t v[] = {ts(2020, 1, 1, 10, 5, 0, 0),  ts(2020, 1, 1, 23, 59, 59, 999), ts(2020, 1, 2, 0, 0, 0, 0),
                   ts(2020, 1, 1, 0, 0, 0, 1),   ts(1969, 12, 31, 23, 59, 0, 0), ts(1969, 12, 31, 23, 59, 30, 0),
                   ts(2020, 1, 2, 0, 0, 0, 500)};
    const char *day[] = {"2020-01-01", "2020-01-01", "2020-01-02", "2020-01-01", "1969-12-31", "1969-12-31", "2020-01-02"};
    const char *hm[] = {"10:05", "23:59", "00:00", "00:00", "23:59", "23:59", "00:00"};
    eddy_batch *b = tb_new(8, 2, TS, STR);
    for (int i = 0; i < 7; i++) tb_i(b, 0, i, v[i]);
    tb_null(b, 0, 7);
    eddy_col r = ev(FN(EDDY_FN_DATE_FORMAT, STR, 2, COL(0, TS), S("yyyy-MM-dd")), b);
    for (int i = 0; i < 7; i++) assert_s(r, i, day[i]);
    assert_isnull(r, 7);
    r = ev(FN(EDDY_FN_DATE_FORMAT, STR, 2, COL(0, TS), S("HH:mm")), b);
    for (int i = 0; i < 7; i++) assert_s(r, i, hm[i]);
    r = ev(FN(EDDY_FN_DATE_FORMAT, STR, 2, COL(0, TS), S("yyyy-MM-dd HH:mm:ss.SSS")), b);
    assert_s(r, 1, "2020-01-01 23:59:59.999");
    assert_s(r, 6, "2020-01-02 00:00:00.500");
    r = ev(FN(EDDY_FN_DATE_FORMAT, STR, 2, COL(0, TS), S("EEE, d MMM yyyy 'at' h a")), b);
    assert_s(r, 0, "Wed, 1 Jan 2020 at 10 AM");
    /* the pattern from a column */
    const char *pats[] = {"yyyy", "MM/dd", "HH", "yyyy", "ss", "ss", "SSS"};
    for (int i = 0; i < 7; i++) tb_s(b, 1, i, pats[i]);
    r = ev(FN(EDDY_FN_DATE_FORMAT, STR, 2, COL(0, TS), COL(1, STR)), b);
    const char *wantp[] = {"2020", "01/01", "00", "2020", "00", "30", "500"};
    for (int i = 0; i < 7; i++) assert_s(r, i, wantp[i]);
    /* DATE_FORMAT of a string and of a DATE */
    r = on_str(FN(EDDY_FN_DATE_FORMAT, STR, 2, S0, S("yyyy/MM/dd")), "2021-05-06 07:08:09");
    assert_s(r, 0, "2021/05/06");
    r = on_str(FN(EDDY_FN_DATE_FORMAT, STR, 2, S0, S("yyyy/MM/dd")), "garbage");
    assert_isnull(r, 0);
    r = ev0(FN(EDDY_FN_DATE_FORMAT, STR, 2, IT(eddy_days_from_civil(2022, 2, 3), DATE), S("dd.MM.yyyy")));
    assert_s(r, 0, "03.02.2022");
    eddy_error err;
    assert_int_equal(ev_err(FN(EDDY_FN_DATE_FORMAT, STR, 2, COL(0, TS), S("yyyy-MM-dd Z")), b, &err), EDDY_EBIND);
}

static void test_time_fns(void **state)
{
    (void)state;
    eddy_col r = on_str(FN(EDDY_FN_TO_TIMESTAMP, TS, 1, S0), "2020-01-02 03:04:05");
    assert_txt(r, 0, "2020-01-02 03:04:05.000");
    r = on_str(FN(EDDY_FN_TO_TIMESTAMP, TS, 2, S0, S("yyyy/MM/dd HH:mm")), "2020/01/02 03:04");
    assert_txt(r, 0, "2020-01-02 03:04:00.000");
    r = on_str(FN(EDDY_FN_TO_TIMESTAMP, TS, 1, S0), "not a time");
    assert_isnull(r, 0);
    r = on_str(FN(EDDY_FN_TO_DATE, DATE, 1, S0), "2020-02-29");
    assert_txt(r, 0, "2020-02-29");
    r = on_str(FN(EDDY_FN_TO_DATE, DATE, 2, S0, S("dd.MM.yyyy")), "02.01.2020");
    assert_txt(r, 0, "2020-01-02");
    r = on_str(FN(EDDY_FN_TO_DATE, DATE, 1, S0), "2020-02-30");
    assert_isnull(r, 0);
    r = ev0(FN(EDDY_FN_FROM_UNIXTIME, STR, 1, I(0)));
    assert_s(r, 0, "1970-01-01 00:00:00");
    r = ev0(FN(EDDY_FN_FROM_UNIXTIME, STR, 2, I(86400 + 3600), S("yyyy-MM-dd HH")));
    assert_s(r, 0, "1970-01-02 01");
    r = on_str(FN(EDDY_FN_UNIX_TIMESTAMP, BIG, 1, S0), "1970-01-01 00:01:00");
    assert_i(r, 0, 60);
    r = on_str(FN(EDDY_FN_UNIX_TIMESTAMP, BIG, 2, S0, S("yyyyMMdd")), "19700102");
    assert_i(r, 0, 86400);
    r = on_str(FN(EDDY_FN_UNIX_TIMESTAMP, BIG, 1, S0), "bad");
    assert_isnull(r, 0);
    te_ctx.proctime_ms = 1234567;
    r = ev0(FN(EDDY_FN_UNIX_TIMESTAMP, BIG, 0));
    assert_i(r, 0, 1234);
    r = ev0(FN(EDDY_FN_CURRENT_TIMESTAMP, T(EDDY_TYPE_TIMESTAMP_LTZ), 0));
    assert_i(r, 0, 1234567);
    r = ev0(FN(EDDY_FN_NOW, T(EDDY_TYPE_TIMESTAMP_LTZ), 0));
    assert_i(r, 0, 1234567);
    r = ev0(FN(EDDY_FN_TO_TIMESTAMP_LTZ, T(EDDY_TYPE_TIMESTAMP_LTZ), 2, I(1000), I32(0)));
    assert_txt(r, 0, "1970-01-01 00:16:40.000");
    r = ev0(FN(EDDY_FN_TO_TIMESTAMP_LTZ, T(EDDY_TYPE_TIMESTAMP_LTZ), 1, I(1500)));
    assert_txt(r, 0, "1970-01-01 00:00:01.500");

    /* EXTRACT and friends: 2021-03-14 15:09:26.535 is a Sunday */
    int64_t t = ts(2021, 3, 14, 15, 9, 26, 535);
    eddy_batch *b = tb_new(3, 2, TS, DATE);
    tb_i(b, 0, 0, t);
    tb_i(b, 1, 0, eddy_days_from_civil(2021, 3, 14));
    tb_i(b, 0, 1, ts(1969, 12, 31, 23, 59, 59, 999));
    tb_i(b, 1, 1, -1);
    tb_null(b, 0, 2);
    tb_null(b, 1, 2);
    static const struct {
        eddy_fn fn;
        eddy_time_unit u;
        int64_t want, want_neg;
    } ex[] = {
        {EDDY_FN_EXTRACT, EDDY_UNIT_YEAR, 2021, 1969},   {EDDY_FN_EXTRACT, EDDY_UNIT_MONTH, 3, 12},
        {EDDY_FN_EXTRACT, EDDY_UNIT_DAY, 14, 31},        {EDDY_FN_EXTRACT, EDDY_UNIT_HOUR, 15, 23},
        {EDDY_FN_EXTRACT, EDDY_UNIT_MINUTE, 9, 59},      {EDDY_FN_EXTRACT, EDDY_UNIT_SECOND, 26, 59},
        {EDDY_FN_EXTRACT, EDDY_UNIT_QUARTER, 1, 4},      {EDDY_FN_EXTRACT, EDDY_UNIT_DOW, 1, 4},
        {EDDY_FN_EXTRACT, EDDY_UNIT_DOY, 73, 365},       {EDDY_FN_EXTRACT, EDDY_UNIT_WEEK, 10, 1},
        {EDDY_FN_YEAR, EDDY_UNIT_NONE, 2021, 1969},      {EDDY_FN_QUARTER, EDDY_UNIT_NONE, 1, 4},
        {EDDY_FN_MONTH, EDDY_UNIT_NONE, 3, 12},          {EDDY_FN_WEEK, EDDY_UNIT_NONE, 10, 1},
        {EDDY_FN_DAYOFYEAR, EDDY_UNIT_NONE, 73, 365},    {EDDY_FN_DAYOFMONTH, EDDY_UNIT_NONE, 14, 31},
        {EDDY_FN_DAYOFWEEK, EDDY_UNIT_NONE, 1, 4},       {EDDY_FN_HOUR, EDDY_UNIT_NONE, 15, 23},
        {EDDY_FN_MINUTE, EDDY_UNIT_NONE, 9, 59},         {EDDY_FN_SECOND, EDDY_UNIT_NONE, 26, 59},
    };
    for (size_t i = 0; i < sizeof ex / sizeof ex[0]; i++) {
        eddy_bexpr *e = ex[i].fn == EDDY_FN_EXTRACT ? FNU(ex[i].fn, ex[i].u, BIG, 2, NUL(BIG), COL(0, TS))
                                                    : FN(ex[i].fn, BIG, 1, COL(0, TS));
        eddy_col c = ev(e, b);
        if (c.v.i64[0] != ex[i].want || c.v.i64[1] != ex[i].want_neg)
            fail_msg("fn %d unit %d: %lld %lld, want %lld %lld", ex[i].fn, ex[i].u, (long long)c.v.i64[0],
                     (long long)c.v.i64[1], (long long)ex[i].want, (long long)ex[i].want_neg);
        assert_isnull(c, 2);
        /* the same on the DATE column (time fields are 0) */
        e = ex[i].fn == EDDY_FN_EXTRACT ? FNU(ex[i].fn, ex[i].u, BIG, 1, COL(1, DATE)) : FN(ex[i].fn, BIG, 1, COL(1, DATE));
        c = ev(e, b);
        bool timefield = ex[i].u == EDDY_UNIT_HOUR || ex[i].u == EDDY_UNIT_MINUTE || ex[i].u == EDDY_UNIT_SECOND ||
                         ex[i].fn == EDDY_FN_HOUR || ex[i].fn == EDDY_FN_MINUTE || ex[i].fn == EDDY_FN_SECOND;
        assert_int_equal(c.v.i64[0], timefield ? 0 : ex[i].want);
        assert_isnull(c, 2);
    }
    /* FLOOR / CEIL TO */
    r = ev(FNU(EDDY_FN_FLOOR_TIME, EDDY_UNIT_HOUR, TS, 1, COL(0, TS)), b);
    assert_txt(r, 0, "2021-03-14 15:00:00.000");
    assert_txt(r, 1, "1969-12-31 23:00:00.000");
    assert_isnull(r, 2);
    r = ev(FNU(EDDY_FN_CEIL_TIME, EDDY_UNIT_DAY, TS, 1, COL(0, TS)), b);
    assert_txt(r, 0, "2021-03-15 00:00:00.000");
    r = ev(FNU(EDDY_FN_FLOOR_TIME, EDDY_UNIT_MONTH, DATE, 1, COL(1, DATE)), b);
    assert_txt(r, 0, "2021-03-01");
    assert_txt(r, 1, "1969-12-01");
    /* TIMESTAMPADD / TIMESTAMPDIFF */
    int64_t jan31 = ts(2020, 1, 31, 10, 0, 0, 0);
    r = ev0(FNU(EDDY_FN_TIMESTAMPADD, EDDY_UNIT_MONTH, TS, 2, I32(1), IT(jan31, TS)));
    assert_txt(r, 0, "2020-02-29 10:00:00.000");
    r = ev0(FNU(EDDY_FN_TIMESTAMPADD, EDDY_UNIT_HOUR, TS, 3, NUL(BIG), I32(-11), IT(jan31, TS)));
    assert_txt(r, 0, "2020-01-30 23:00:00.000");
    r = ev0(FNU(EDDY_FN_TIMESTAMPADD, EDDY_UNIT_DAY, DATE, 2, I32(1), IT(eddy_days_from_civil(2020, 2, 28), DATE)));
    assert_txt(r, 0, "2020-02-29");
    r = ev0(FNU(EDDY_FN_TIMESTAMPDIFF, EDDY_UNIT_DAY, INT_, 2, IT(jan31, TS), IT(ts(2020, 3, 1, 9, 0, 0, 0), TS)));
    assert_i(r, 0, 29);
    r = ev0(FNU(EDDY_FN_TIMESTAMPDIFF, EDDY_UNIT_MONTH, INT_, 2, IT(jan31, TS), IT(ts(2020, 2, 29, 10, 0, 0, 0), TS)));
    assert_i(r, 0, 1);
    r = ev0(FNU(EDDY_FN_TIMESTAMPDIFF, EDDY_UNIT_SECOND, INT_, 2, IT(ts(2020, 1, 1, 0, 0, 1, 0), TS),
                IT(ts(2020, 1, 1, 0, 0, 0, 0), TS)));
    assert_i(r, 0, -1);
}

/* ---------------------------------------------------------------------------------------- */
/* Math                                                                                       */

static void test_mod(void **state)
{
    (void)state;
    /* Nexmark q2: MOD(auction, 123) = 0 over many values, against C's % */
    const int rows = 5000;
    eddy_batch *b = tb_new(rows, 1, BIG);
    uint64_t x = 88172645463325252ULL;
    for (int i = 0; i < rows; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        int64_t v = (i < 1000) ? (int64_t)i - 500 : (i < 2000 ? (int64_t)x : (int64_t)(x % 100000000));
        if (i == 3) v = INT64_MIN;
        if (i == 4) v = INT64_MAX;
        tb_i(b, 0, i, v);
    }
    tb_null(b, 0, 7);
    int64_t divs[] = {123, 1, 2, 7, 1000003, -3, -123, INT64_MAX, INT64_MIN + 1};
    for (size_t d = 0; d < sizeof divs / sizeof divs[0]; d++) {
        eddy_col r = ev(FN(EDDY_FN_MOD, BIG, 2, COL(0, BIG), I(divs[d])), b);
        for (int i = 0; i < rows; i++) {
            if (i == 7) {
                assert_isnull(r, i);
                continue;
            }
            int64_t a = b->cols[0].v.i64[i];
            if (r.v.i64[i] != a % divs[d])
                fail_msg("MOD(%lld, %lld) = %lld", (long long)a, (long long)divs[d], (long long)r.v.i64[i]);
        }
    }
    eddy_col r = ev(CMP(EDDY_BOP_EQ, FN(EDDY_FN_MOD, BIG, 2, COL(0, BIG), I32(123)), I32(0)), b);
    assert_b(r, 500, 1);
    assert_b(r, 501, 0);
    assert_b(r, 623, 1);
    r = ev(FN(EDDY_FN_MOD, BIG, 2, COL(0, BIG), I(-1)), b);
    assert_i(r, 3, 0);
    eddy_error err;
    assert_int_equal(ev_err(FN(EDDY_FN_MOD, BIG, 2, COL(0, BIG), I(0)), b, &err), EDDY_ERUNTIME);
    r = ev0(FN(EDDY_FN_MOD, TD(4, 2), 2, DEC(1050, 4, 2), DEC(300, 3, 2)));
    assert_txt(r, 0, "1.50");
    r = ev0(FN(EDDY_FN_MOD, DBL, 2, F(-7.5), F(2)));
    assert_true(r.v.f64[0] == -1.5);
}

static double dv(eddy_bexpr *e)
{
    eddy_col c = ev0(e);
    return c.v.f64[0];
}

static void test_math_fns(void **state)
{
    (void)state;
    eddy_col r = ev0(FN(EDDY_FN_ABS, BIG, 1, I(-5)));
    assert_i(r, 0, 5);
    eddy_batch *m = tb_new(1, 1, BIG);
    tb_i(m, 0, 0, INT64_MIN);
    eddy_error err;
    assert_int_equal(ev_err(FN(EDDY_FN_ABS, BIG, 1, COL(0, BIG)), m, &err), EDDY_ERUNTIME);
    assert_true(dv(FN(EDDY_FN_ABS, DBL, 1, F(-2.5))) == 2.5);
    r = ev0(FN(EDDY_FN_ABS, TD(3, 2), 1, DEC(-150, 3, 2)));
    assert_txt(r, 0, "1.50");
    /* ROUND HALF_UP */
    assert_true(dv(FN(EDDY_FN_ROUND, DBL, 2, F(2.675), I32(2))) == 2.68);
    assert_true(dv(FN(EDDY_FN_ROUND, DBL, 1, F(-2.5))) == -3.0);
    assert_true(dv(FN(EDDY_FN_ROUND, DBL, 1, F(2.4))) == 2.0);
    assert_true(dv(FN(EDDY_FN_ROUND, DBL, 2, F(1234.5), I32(-2))) == 1200.0);
    int p, s;
    eddy_dec_round_type(5, 4, 2, &p, &s);
    r = ev0(FN(EDDY_FN_ROUND, TD(p, s), 2, DEC(12345, 5, 4), I32(2)));
    assert_txt(r, 0, "1.23");
    r = ev0(FN(EDDY_FN_ROUND, TD(p, s), 2, DEC(12355, 5, 4), I32(2)));
    assert_txt(r, 0, "1.24");
    r = ev0(FN(EDDY_FN_ROUND, TD(p, s), 2, DEC(-12350, 5, 4), I32(2)));
    assert_txt(r, 0, "-1.24");
    r = ev0(FN(EDDY_FN_ROUND, INT_, 2, I32(125), I32(-1)));
    assert_i(r, 0, 130);
    r = ev0(FN(EDDY_FN_ROUND, INT_, 2, I32(-125), I32(-1)));
    assert_i(r, 0, -130);
    r = ev0(FN(EDDY_FN_ROUND, INT_, 2, I32(124), I32(-1)));
    assert_i(r, 0, 120);
    r = ev0(FN(EDDY_FN_ROUND, INT_, 1, I32(7)));
    assert_i(r, 0, 7);
    /* TRUNCATE */
    assert_true(dv(FN(EDDY_FN_TRUNCATE, DBL, 2, F(1.999), I32(2))) == 1.99);
    assert_true(dv(FN(EDDY_FN_TRUNCATE, DBL, 2, F(-1.999), I32(2))) == -1.99);
    assert_true(dv(FN(EDDY_FN_TRUNCATE, DBL, 1, F(-1.999))) == -1.0);
    assert_true(dv(FN(EDDY_FN_TRUNCATE, DBL, 2, F(1999.5), I32(-2))) == 1900.0);
    r = ev0(FN(EDDY_FN_TRUNCATE, TD(4, 1), 2, DEC(1999, 4, 3), I32(1)));
    assert_txt(r, 0, "1.9");
    r = ev0(FN(EDDY_FN_TRUNCATE, INT_, 2, I32(-129), I32(-1)));
    assert_i(r, 0, -120);
    /* FLOOR / CEIL */
    assert_true(dv(FN(EDDY_FN_FLOOR, DBL, 1, F(-1.5))) == -2.0);
    assert_true(dv(FN(EDDY_FN_CEIL, DBL, 1, F(1.2))) == 2.0);
    r = ev0(FN(EDDY_FN_FLOOR, TD(2, 0), 1, DEC(-150, 3, 2)));
    assert_txt(r, 0, "-2");
    r = ev0(FN(EDDY_FN_CEIL, TD(2, 0), 1, DEC(-150, 3, 2)));
    assert_txt(r, 0, "-1");
    r = ev0(FN(EDDY_FN_CEIL, BIG, 1, I(7)));
    assert_i(r, 0, 7);
    /* the DOUBLE functions */
    assert_true(dv(FN(EDDY_FN_POWER, DBL, 2, I32(2), I32(10))) == 1024.0);
    assert_true(dv(FN(EDDY_FN_SQRT, DBL, 1, I32(16))) == 4.0);
    assert_true(fabs(dv(FN(EDDY_FN_LN, DBL, 1, F(M_E))) - 1.0) < 1e-15);
    assert_true(dv(FN(EDDY_FN_LOG10, DBL, 1, I32(1000))) == 3.0);
    assert_true(dv(FN(EDDY_FN_LOG2, DBL, 1, I32(8))) == 3.0);
    assert_true(fabs(dv(FN(EDDY_FN_LOG, DBL, 2, I32(2), I32(8))) - 3.0) < 1e-15);
    assert_true(fabs(dv(FN(EDDY_FN_LOG, DBL, 1, F(M_E))) - 1.0) < 1e-15);
    assert_true(isnan(dv(FN(EDDY_FN_LN, DBL, 1, F(-1)))));
    assert_true(dv(FN(EDDY_FN_EXP, DBL, 1, I32(0))) == 1.0);
    assert_true(dv(FN(EDDY_FN_SIN, DBL, 1, I32(0))) == 0.0);
    assert_true(dv(FN(EDDY_FN_COS, DBL, 1, I32(0))) == 1.0);
    assert_true(dv(FN(EDDY_FN_TAN, DBL, 1, I32(0))) == 0.0);
    assert_true(dv(FN(EDDY_FN_PI, DBL, 0)) == M_PI);
    r = ev0(FN(EDDY_FN_SIGN, BIG, 1, I(-3)));
    assert_i(r, 0, -1);
    r = ev0(FN(EDDY_FN_SIGN, TD(3, 2), 1, DEC(5, 3, 2)));
    assert_txt(r, 0, "1.00");
    assert_true(dv(FN(EDDY_FN_SIGN, DBL, 1, F(-0.5))) == -1.0);
    /* RAND(seed): java.util.Random(42).nextDouble(), then the next one */
    eddy_col rr = ev(FN(EDDY_FN_RAND, DBL, 1, I32(42)), tb_rows(2));
    assert_true(fabs(rr.v.f64[0] - 0.7275636800328681) < 1e-16);
    assert_true(fabs(rr.v.f64[1] - 0.6832234717598454) < 1e-16);
    rr = ev(FN(EDDY_FN_RAND, DBL, 0), tb_rows(100));
    for (int i = 0; i < 100; i++) assert_true(rr.v.f64[i] >= 0 && rr.v.f64[i] < 1);
    /* NULL in, NULL out */
    r = ev0(FN(EDDY_FN_SQRT, DBL, 1, NUL(DBL)));
    assert_isnull(r, 0);
    r = ev0(FN(EDDY_FN_ROUND, DBL, 2, F(1.5), NUL(INT_)));
    assert_isnull(r, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_concat_substring, te_setup, te_teardown),
        cmocka_unit_test_setup_teardown(test_string_fns, te_setup, te_teardown),
        cmocka_unit_test_setup_teardown(test_split_index, te_setup, te_teardown),
        cmocka_unit_test_setup_teardown(test_like, te_setup, te_teardown),
        cmocka_unit_test_setup_teardown(test_regexp, te_setup, te_teardown),
        cmocka_unit_test_setup_teardown(test_regexp_prefilter, te_setup, te_teardown),
        cmocka_unit_test_setup_teardown(test_q21_shape, te_setup, te_teardown),
        cmocka_unit_test_setup_teardown(test_json_value, te_setup, te_teardown),
        cmocka_unit_test_setup_teardown(test_date_format, te_setup, te_teardown),
        cmocka_unit_test_setup_teardown(test_time_fns, te_setup, te_teardown),
        cmocka_unit_test_setup_teardown(test_mod, te_setup, te_teardown),
        cmocka_unit_test_setup_teardown(test_math_fns, te_setup, te_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
