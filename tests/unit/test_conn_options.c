/*
 * test_conn_options.c: connector option helpers: typed values (durations, sizes, booleans,
 * integers, enums, characters), required and unknown options with suggestions, pass-through
 * session keys, and the registry lookups.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "connectors/options.h"
#include "test_conn_util.h"

static void test_durations(void **st)
{
    (void)st;
    struct {
        const char *text;
        int64_t ms;
    } ok[] = {{"1 min", 60000}, {"10 s", 10000}, {"500 ms", 500}, {"1min", 60000}, {"2h", 7200000},
              {"1 d", 86400000}, {"250", 250}, {" 3 seconds ", 3000}, {"1500us", 1}, {"7 MIN", 420000}};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        int64_t v = -1;
        assert_int_equal(eddy_parse_duration(ok[i].text, &v), 0);
        assert_int_equal(v, ok[i].ms);
    }
    const char *bad[] = {"", "min", "1 fortnight", "-5 s", "1.5 s", "99999999999999999999 d"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t v;
        assert_int_not_equal(eddy_parse_duration(bad[i], &v), 0);
    }
    int64_t b;
    assert_int_equal(eddy_parse_bytes("128MB", &b), 0);
    assert_int_equal(b, INT64_C(128) << 20);
    assert_int_equal(eddy_parse_bytes("64 kb", &b), 0);
    assert_int_equal(b, 65536);
    assert_int_equal(eddy_parse_bytes("100", &b), 0);
    assert_int_equal(b, 100);
    assert_int_not_equal(eddy_parse_bytes("12 parsecs", &b), 0);
    bool t;
    assert_int_equal(eddy_parse_bool("TRUE", &t), 0);
    assert_true(t);
    assert_int_equal(eddy_parse_bool("false", &t), 0);
    assert_false(t);
    assert_int_not_equal(eddy_parse_bool("yes", &t), 0);
}

static void test_typed_and_errors(void **st)
{
    (void)st;
    const eddy_kv kv[] = {{"connector", "x"}, {"n", "42"}, {"neg", "-3"}, {"big", "1e3"},
                          {"d", "10 s"}, {"b", "maybe"}, {"e", "CSV"}, {"c", "\\t"}, {"cc", "ab"},
                          {"n", "99"}};
    eddy_error err;
    eddy_error_clear(&err);
    eddy_optset o = {"x", kv, 10, &err};
    int64_t v;
    assert_int_equal(eddy_opt_int(&o, "n", 0, 0, 100, &v), 0);
    assert_int_equal(v, 42); /* the first entry wins */
    assert_int_equal(eddy_opt_int(&o, "absent", 7, 0, 100, &v), 0);
    assert_int_equal(v, 7);
    assert_int_not_equal(eddy_opt_int(&o, "neg", 0, 0, 100, &v), 0);
    assert_string_equal(err.msg, "option 'neg' of connector 'x' must be between 0 and 100, not '-3'");
    eddy_error_clear(&err);
    assert_int_not_equal(eddy_opt_int(&o, "big", 0, 0, 100, &v), 0);
    assert_string_equal(err.msg, "option 'big' of connector 'x' must be an integer, not '1e3'");
    eddy_error_clear(&err);
    assert_int_equal(eddy_opt_duration(&o, "d", 0, &v), 0);
    assert_int_equal(v, 10000);
    bool bv;
    assert_int_not_equal(eddy_opt_bool(&o, "b", false, &bv), 0);
    assert_string_equal(err.msg, "option 'b' of connector 'x' must be 'true' or 'false', not 'maybe'");
    eddy_error_clear(&err);
    static const char *const fmts[] = {"json", "csv", NULL};
    int e;
    assert_int_equal(eddy_opt_enum(&o, "e", fmts, 0, &e), 0);
    assert_int_equal(e, 1);
    char c;
    assert_int_equal(eddy_opt_char(&o, "c", ',', &c), 0);
    assert_int_equal(c, '\t');
    assert_int_not_equal(eddy_opt_char(&o, "cc", ',', &c), 0);
    eddy_error_clear(&err);
    const char *s;
    assert_int_not_equal(eddy_opt_require(&o, "path", &s), 0);
    assert_string_equal(err.msg, "option 'path' is required for connector 'x'");
}

static void test_unknown_keys(void **st)
{
    (void)st;
    static const char *const known[] = {"rows-per-second", "number-of-rows", "fields.*.kind",
                                        "fields.*.length", NULL};
    const eddy_kv ok[] = {{"connector", "datagen"}, {"rows-per-second", "1"},
                          {"fields.a.b.kind", "random"}, {"table.exec.source.idle-timeout", "1 s"},
                          {"pipeline.name", "j"}, {"partition.keys", "dt"}};
    eddy_error err;
    eddy_error_clear(&err);
    eddy_optset o = {"datagen", ok, 6, &err};
    assert_int_equal(eddy_opt_check_known(&o, known), 0);
    const eddy_kv bad[] = {{"fields.x.lenght", "3"}};
    eddy_optset o2 = {"datagen", bad, 1, &err};
    assert_int_not_equal(eddy_opt_check_known(&o2, known), 0);
    assert_string_equal(err.msg, "unknown option 'fields.x.lenght' for connector 'datagen'; did you "
                                 "mean 'fields.x.length'?");
    eddy_error_clear(&err);
    const eddy_kv far[] = {{"topic", "t"}};
    eddy_optset o3 = {"datagen", far, 1, &err};
    assert_int_not_equal(eddy_opt_check_known(&o3, known), 0);
    assert_string_equal(err.msg, "unknown option 'topic' for connector 'datagen'");
    assert_int_equal(eddy_levenshtein("kitten", "sitting"), 3);
    assert_int_equal(eddy_levenshtein("", "abc"), 3);
    assert_int_equal(eddy_levenshtein("same", "same"), 0);
}

static void test_registry(void **st)
{
    (void)st;
    eddy_connector_registry reg = eddy_connectors_builtin();
    const char *names[] = {"datagen", "nexmark",   "filesystem",  "print",
                           "blackhole", "kafka", "upsert-kafka"};
    int n = 0;
    while (reg[n]) n++;
    assert_int_equal(n, 7);
    for (int i = 0; i < 7; i++) {
        const eddy_connector *c = eddy_connector_find(reg, names[i]);
        assert_non_null(c);
        assert_string_equal(c->name, names[i]);
        assert_true(c->source || c->sink);
    }
    const eddy_connector *k = eddy_connector_find(reg, "kafka");
    assert_true(k->source && k->sink && !k->accepts_changelog);
    const eddy_connector *u = eddy_connector_find(reg, "upsert-kafka");
    assert_true(u->source && u->sink && u->accepts_changelog);
    assert_null(eddy_connector_find(reg, "no-such-connector"));
    assert_null(eddy_connector_find(NULL, "print"));
    const eddy_kv kv[] = {{"a", "1"}, {"b", "2"}};
    assert_string_equal(eddy_kv_get(kv, 2, "b", NULL), "2");
    assert_string_equal(eddy_kv_get(kv, 2, "c", "def"), "def");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_durations),
        cmocka_unit_test(test_typed_and_errors),
        cmocka_unit_test(test_unknown_keys),
        cmocka_unit_test(test_registry),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
