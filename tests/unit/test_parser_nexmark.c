/*
 * test_parser_nexmark.c: the parser on the published Nexmark queries, every .sql file in
 * ../shared/nexmark.
 *
 * Each file's ${...} placeholders are filled as the benchmark runner fills them
 * (common/placeholders.h), then the file is parsed and every statement round-trips (print,
 * reparse, equal dumps; tests/support/parse_check.h). A few facts about the trees are checked
 * against the published text: how many statements each file holds and of which kind, the
 * watermark of the generator table, the group window of q11.
 *
 * The folder is not part of a user's clone: without it the test says so and is skipped.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "common/placeholders.h"
#include "parse_check.h"

#define NEXMARK_DIR EDDY_SHARED_DIR "/nexmark"
#define NEXMARK_FILES 29 /* ddl_gen, ddl_gen_v2, ddl_kafka, ddl_views, insert_kafka, q0..q23 */

static const char *const names[] = {
    "TPS",
    "EVENTS_NUM",
    "PERSON_PROPORTION",
    "AUCTION_PROPORTION",
    "BID_PROPORTION",
    "NEXMARK_TABLE",
    "BOOTSTRAP_SERVERS",
    "NEXMARK_DIR",
    "SUBMIT_TIME",
    "FLINK_HOME",
    "KEEP_ALIVE",
    "STOP_AT",
};
static const char *const values[] = {
    "10000000",     "100000000",     "1",          "3",     "46", "datagen", "localhost:9092",
    "/tmp/nexmark", "1700000000000", "/opt/flink", "false", "-1",
};

/* The expected statement kinds of a file, by name. */
typedef struct file_shape {
    const char *file;
    int n;
    eddy_stmt_kind kinds[4];
} file_shape;

static const file_shape shapes[] = {
    {"ddl_gen.sql", 1, {EDDY_STMT_CREATE_TABLE}},
    {"ddl_gen_v2.sql", 1, {EDDY_STMT_CREATE_TABLE}},
    {"ddl_kafka.sql", 1, {EDDY_STMT_CREATE_TABLE}},
    {"ddl_views.sql", 3, {EDDY_STMT_CREATE_VIEW, EDDY_STMT_CREATE_VIEW, EDDY_STMT_CREATE_VIEW}},
    {"insert_kafka.sql", 1, {EDDY_STMT_INSERT}},
    {"q0.sql", 2, {EDDY_STMT_CREATE_TABLE, EDDY_STMT_INSERT}},
    {"q5.sql", 2, {EDDY_STMT_CREATE_TABLE, EDDY_STMT_INSERT}},
    {"q12.sql", 3, {EDDY_STMT_CREATE_TABLE, EDDY_STMT_CREATE_VIEW, EDDY_STMT_INSERT}},
    {"q13.sql", 3, {EDDY_STMT_CREATE_TABLE, EDDY_STMT_CREATE_TABLE, EDDY_STMT_INSERT}},
    {"q14.sql", 3, {EDDY_STMT_CREATE_FUNCTION, EDDY_STMT_CREATE_TABLE, EDDY_STMT_INSERT}},
    {"q23.sql", 2, {EDDY_STMT_CREATE_TABLE, EDDY_STMT_INSERT}},
};

/* Reads, fills and parses one file; fails the test on any error. */
static eddy_script *parse_file(const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", NEXMARK_DIR, name);
    char *raw = eddy_test_read_file(path, NULL);
    if (!raw) fail_msg("cannot read %s", path);
    eddy_error err;
    eddy_error_clear(&err);
    char *sql =
        eddy_placeholders_fill(raw, names, values, (int)(sizeof names / sizeof names[0]), &err);
    free(raw);
    if (!sql) fail_msg("%s: %s", name, err.msg);
    eddy_script *s = NULL;
    if (eddy_parse(sql, strlen(sql), &s, &err) != 0) {
        char msg[2048];
        eddy_error_render(&err, sql, msg, sizeof msg);
        free(sql);
        fail_msg("%s does not parse: %s", name, msg);
    }
    free(sql);
    return s;
}

static void skip_without_folder(void)
{
    struct stat st;
    if (stat(NEXMARK_DIR, &st) != 0 || !S_ISDIR(st.st_mode)) {
        printf("skipped: ../shared/nexmark not found (%s)\n", NEXMARK_DIR);
        skip();
    }
}

static void test_nexmark_roundtrip(void **state)
{
    (void)state;
    skip_without_folder();
    char **files;
    int nfiles = eddy_test_list_dir(NEXMARK_DIR, ".sql", &files);
    assert_int_equal(nfiles, NEXMARK_FILES);
    int nstmts = 0, nfailed = 0;
    eddy_strbuf why = {0};
    for (int f = 0; f < nfiles; f++) {
        eddy_script *s = parse_file(files[f]);
        for (int i = 0; i < s->n; i++) {
            nstmts++;
            eddy_strbuf one = {0};
            if (eddy_test_roundtrip(s, i, &one) != 0) {
                nfailed++;
                eddy_strbuf_printf(&why, "%s: %s\n", files[f], eddy_strbuf_cstr(&one));
            }
            eddy_strbuf_free(&one);
        }
        eddy_script_free(s);
    }
    printf("[ nexmark  ] %d files, %d statements, %d round trips failed\n", nfiles, nstmts,
           nfailed);
    if (why.n) fprintf(stderr, "%s", why.s);
    eddy_strbuf_free(&why);
    eddy_test_free_list(files, nfiles);
    assert_int_equal(nfailed, 0);
}

static void test_nexmark_shapes(void **state)
{
    (void)state;
    skip_without_folder();
    for (size_t k = 0; k < sizeof shapes / sizeof shapes[0]; k++) {
        const file_shape *sh = &shapes[k];
        eddy_script *s = parse_file(sh->file);
        if (s->n != sh->n) {
            int n = s->n;
            eddy_script_free(s);
            fail_msg("%s: %d statements, expected %d", sh->file, n, sh->n);
        }
        for (int i = 0; i < sh->n; i++) {
            if (s->stmts[i]->kind != sh->kinds[i]) {
                eddy_stmt_kind got = s->stmts[i]->kind;
                eddy_script_free(s);
                fail_msg("%s: statement %d is %s, expected %s", sh->file, i + 1,
                         eddy_ast_stmt_kind_name(got), eddy_ast_stmt_kind_name(sh->kinds[i]));
            }
        }
        eddy_script_free(s);
    }
}

static void test_nexmark_facts(void **state)
{
    (void)state;
    skip_without_folder();

    /* ddl_gen: 5 columns, the quoted `dateTime` watermark 4 s behind, 7 options with filled
     * placeholders */
    eddy_script *s = parse_file("ddl_gen.sql");
    const eddy_create_table *ct = s->stmts[0]->u.create_table;
    assert_int_equal(ct->ncols, 5);
    assert_int_equal(ct->cols[1].type->kind, EDDY_TYPE_ROW);
    assert_int_equal(ct->cols[1].type->nfields, 8);
    assert_string_equal(ct->cols[1].type->fields[6].name, "dateTime");
    assert_int_equal(ct->cols[4].kind, EDDY_COLUMN_COMPUTED);
    assert_int_equal(ct->cols[4].expr->kind, EDDY_EXPR_CASE);
    assert_string_equal(ct->wm_column->name, "dateTime");
    assert_true(ct->wm_column->quoted);
    const eddy_expr *wm = ct->wm_expr;
    assert_int_equal(wm->kind, EDDY_EXPR_BINARY);
    assert_int_equal(wm->u.binary.op, EDDY_OP_SUB);
    assert_string_equal(wm->u.binary.rhs->u.lit.text, "4");
    assert_int_equal(wm->u.binary.rhs->u.lit.from, EDDY_UNIT_SECOND);
    assert_int_equal(ct->options->n, 7);
    assert_string_equal(ct->options->a[1].key, "first-event.rate");
    assert_string_equal(ct->options->a[1].value, "10000000");
    eddy_script_free(s);

    /* q11: the older group-window form, GROUP BY B.bidder, SESSION(B.`dateTime`, ...) */
    s = parse_file("q11.sql");
    const eddy_query *q = s->stmts[1]->u.insert.query;
    assert_int_equal(q->kind, EDDY_QUERY_SELECT);
    const eddy_expr_list *g = q->u.select->group_by;
    assert_int_equal(g->n, 2);
    assert_int_equal(g->a[1]->kind, EDDY_EXPR_CALL);
    assert_int_equal(strcasecmp(g->a[1]->u.call.func->parts[0].name, "SESSION"), 0);
    eddy_script_free(s);

    /* q12: FROM TABLE(TUMBLE(TABLE B, DESCRIPTOR(p_time), INTERVAL '10' SECOND)) */
    s = parse_file("q12.sql");
    q = s->stmts[2]->u.insert.query;
    const eddy_tableref *from = q->u.select->from;
    assert_int_equal(from->kind, EDDY_TABLEREF_FUNCTION);
    const eddy_expr *call = from->u.func.call;
    assert_int_equal(call->u.call.args->n, 3);
    assert_int_equal(call->u.call.args->a[0]->kind, EDDY_EXPR_TABLE_ARG);
    assert_int_equal(call->u.call.args->a[1]->kind, EDDY_EXPR_DESCRIPTOR);
    eddy_script_free(s);

    /* q13: a processing-time temporal join */
    s = parse_file("q13.sql");
    from = s->stmts[2]->u.insert.query->u.select->from;
    assert_int_equal(from->kind, EDDY_TABLEREF_JOIN);
    assert_non_null(from->u.join.right->u.table.system_time);
    eddy_script_free(s);

    /* q15: count(distinct bidder) filter (where ...) */
    s = parse_file("q15.sql");
    const eddy_select_list *items = s->stmts[1]->u.insert.query->u.select->items;
    assert_int_equal(items->n, 13);
    const eddy_expr *e = items->a[6].expr;
    assert_true(e->u.call.distinct);
    assert_non_null(e->u.call.filter);
    eddy_script_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nexmark_roundtrip),
        cmocka_unit_test(test_nexmark_shapes),
        cmocka_unit_test(test_nexmark_facts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
