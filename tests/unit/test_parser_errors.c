/*
 * test_parser_errors.c: the parser's errors: that it rejects what is not SQL, where it says the
 * error is, and what it says.
 *
 * The cases live in tests/sql/parse/invalid.txt (its head comment gives the format): each is a
 * script with the expected kind (syntax or lex), 1-based line and byte column of the offending
 * token, and a fragment of the message. This program checks every case, reports all that fail
 * with the expected and the actual error, and prints how many it checked. Below the corpus are
 * checks of the rendered message with its caret (eddy_error_render) and of the "expected one
 * of" list of a syntax error.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#include "parse_check.h"

#define INVALID_FILE EDDY_SOURCE_DIR "/tests/sql/parse/invalid.txt"
#define MIN_CASES 60

typedef struct error_case {
    int line;           /* line of the "-- expect" line in invalid.txt */
    int want_line;      /* expected error line, in the case's text */
    int want_col;       /* expected error column */
    int want_code;      /* EDDY_ESYNTAX or EDDY_ELEX */
    char fragment[128]; /* must occur in the message, case-insensitive */
    char *sql;          /* the case's text, malloc'ed */
} error_case;

/* Splits invalid.txt into cases. Returns the count; *out is a malloc'ed array. */
static int read_cases(const char *text, error_case **out)
{
    static const char tag[] = "-- expect ";
    error_case *a = NULL;
    int n = 0, cap = 0, lineno = 1;
    const char *p = text;
    error_case *cur = NULL;
    eddy_strbuf body = {0};

    for (;;) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        bool is_tag = len > sizeof tag - 1 && strncmp(p, tag, sizeof tag - 1) == 0;
        if (is_tag || !*p) {
            if (cur) {
                while (body.n && strchr(" \t\r\n", body.s[body.n - 1]))
                    body.s[--body.n] = 0;
                cur->sql = eddy_strbuf_take(&body);
            }
            if (!*p) break;
            if (n == cap) {
                cap = cap ? 2 * cap : 64;
                a = eddy_xrealloc(a, (size_t)cap * sizeof *a);
            }
            cur = &a[n++];
            memset(cur, 0, sizeof *cur);
            cur->line = lineno;
            char kind[16];
            int used = 0;
            char head[512];
            snprintf(head, sizeof head, "%.*s", (int)len, p);
            if (sscanf(head + sizeof tag - 1, "%d:%d %15[a-z]:%n", &cur->want_line, &cur->want_col,
                       kind, &used) != 3 ||
                used == 0)
                fail_msg("invalid.txt:%d: bad record header: %s", lineno, head);
            if (strcmp(kind, "syntax") == 0)
                cur->want_code = EDDY_ESYNTAX;
            else if (strcmp(kind, "lex") == 0)
                cur->want_code = EDDY_ELEX;
            else
                fail_msg("invalid.txt:%d: kind must be syntax or lex: %s", lineno, kind);
            const char *frag = head + sizeof tag - 1 + used;
            while (*frag == ' ')
                frag++;
            snprintf(cur->fragment, sizeof cur->fragment, "%s", frag);
        } else if (cur) {
            eddy_strbuf_append(&body, p, len);
            eddy_strbuf_putc(&body, '\n');
        }
        if (!eol) {
            p += len;
        } else {
            p = eol + 1;
            lineno++;
        }
    }
    eddy_strbuf_free(&body);
    *out = a;
    return n;
}

static void test_invalid_corpus(void **state)
{
    (void)state;
    char *text = eddy_test_read_file(INVALID_FILE, NULL);
    if (!text) fail_msg("cannot read %s", INVALID_FILE);
    error_case *cases;
    int n = read_cases(text, &cases);
    int nfailed = 0;
    eddy_strbuf why = {0};

    for (int i = 0; i < n; i++) {
        error_case *c = &cases[i];
        eddy_script *s = NULL;
        eddy_error err;
        eddy_error_clear(&err);
        int rc = eddy_parse(c->sql, strlen(c->sql), &s, &err);
        char msg[2048];
        if (rc == 0) {
            eddy_strbuf_printf(&why, "invalid.txt:%d: parsed, but should fail at %d:%d\n  %s\n\n",
                               c->line, c->want_line, c->want_col, c->sql);
            eddy_script_free(s);
            nfailed++;
            continue;
        }
        bool ok = rc == c->want_code && err.code == rc && s == NULL && err.line == c->want_line &&
                  err.col == c->want_col && strcasestr(err.msg, c->fragment) != NULL;
        if (!ok) {
            eddy_strbuf_printf(&why,
                               "invalid.txt:%d: expected %s error at %d:%d with '%s', got %s "
                               "(%d):\n%s\n\n",
                               c->line, c->want_code == EDDY_ELEX ? "lex" : "syntax", c->want_line,
                               c->want_col, c->fragment,
                               rc == EDDY_ELEX      ? "lex"
                               : rc == EDDY_ESYNTAX ? "syntax"
                                                    : "other",
                               rc, eddy_error_render(&err, c->sql, msg, sizeof msg));
            nfailed++;
        }
    }
    printf("[ invalid  ] %d cases checked, %d failed\n", n, nfailed);
    fflush(stdout);
    if (why.n) fprintf(stderr, "%s", why.s);
    eddy_strbuf_free(&why);
    for (int i = 0; i < n; i++)
        free(cases[i].sql);
    free(cases);
    free(text);
    assert_int_equal(nfailed, 0);
    assert_true(n >= MIN_CASES);
}

/* Parses sql, which must fail; returns its error. */
static eddy_error fail_of(const char *sql)
{
    eddy_script *s = (eddy_script *)&s; /* must be set to NULL */
    eddy_error err;
    eddy_error_clear(&err);
    int rc = eddy_parse(sql, strlen(sql), &s, &err);
    if (rc == 0) fail_msg("parsed, should not: %s", sql);
    assert_null(s);
    assert_int_equal(err.code, rc);
    return err;
}

static void test_render_caret(void **state)
{
    (void)state;
    char buf[2048], want[2048];

    const char *sql = "SELECT a, FROM t";
    eddy_error err = fail_of(sql);
    snprintf(want, sizeof want, "line 1, column 11: %s\n  SELECT a, FROM t\n            ^",
             err.msg);
    assert_string_equal(eddy_error_render(&err, sql, buf, sizeof buf), want);

    /* the error line, not the first, is shown; the caret sits under FROM */
    sql = "SELECT a,\n       b,\n       FROM t\n";
    err = fail_of(sql);
    snprintf(want, sizeof want, "line 3, column 8: %s\n         FROM t\n         ^", err.msg);
    assert_string_equal(eddy_error_render(&err, sql, buf, sizeof buf), want);

    /* tabs before the error stay tabs so that the caret lines up */
    sql = "SELECT\ta,\tFROM t";
    err = fail_of(sql);
    assert_int_equal(err.col, 11);
    snprintf(want, sizeof want, "line 1, column 11: %s\n  SELECT\ta,\tFROM t\n        \t  \t^",
             err.msg);
    assert_string_equal(eddy_error_render(&err, sql, buf, sizeof buf), want);

    /* a lexer error in the second statement */
    sql = "SELECT 1;\nSELECT a # b FROM t;";
    err = fail_of(sql);
    assert_int_equal(err.code, EDDY_ELEX);
    snprintf(want, sizeof want, "line 2, column 10: %s\n  SELECT a # b FROM t;\n           ^",
             err.msg);
    assert_string_equal(eddy_error_render(&err, sql, buf, sizeof buf), want);

    /* the message itself carries no position: render adds it once */
    assert_null(strstr(err.msg, "line 2"));
}

static void test_expected_tokens(void **state)
{
    (void)state;
    /* GROUP must be followed by BY */
    eddy_error err = fail_of("SELECT a FROM t GROUP a");
    if (!strcasestr(err.msg, "expected") || !strstr(err.msg, "BY"))
        fail_msg("no useful 'expected' list: %s", err.msg);
    /* CREATE VIEW v needs AS */
    err = fail_of("CREATE VIEW v SELECT 1");
    if (!strcasestr(err.msg, "expected") || !strstr(err.msg, "AS"))
        fail_msg("no useful 'expected' list: %s", err.msg);
    /* an unclosed parenthesis: ')' is among the expected tokens */
    err = fail_of("SELECT (a + b FROM t");
    if (!strcasestr(err.msg, "expected") || !strstr(err.msg, ")"))
        fail_msg("no useful 'expected' list: %s", err.msg);
}

static void test_error_then_success(void **state)
{
    (void)state;
    /* errors leave nothing behind: the next parse works and sees a clean error record */
    for (int i = 0; i < 3; i++) {
        eddy_error err =
            fail_of("CREATE TABLE t (a INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts -)");
        assert_int_equal(err.code, EDDY_ESYNTAX);
        eddy_script *s = NULL;
        eddy_error_clear(&err);
        assert_int_equal(eddy_parse("SELECT 1", 8, &s, &err), 0);
        assert_int_equal(err.code, 0);
        assert_non_null(s);
        eddy_script_free(s);
    }
    /* a text that is not NUL-terminated: only len bytes are read */
    const char buf[] = {'S', 'E', 'L', 'E', 'C', 'T', ' ', '1', ' ', '#'};
    eddy_script *s = NULL;
    eddy_error err;
    eddy_error_clear(&err);
    assert_int_equal(eddy_parse(buf, 8, &s, &err), 0);
    eddy_script_free(s);
    eddy_error_clear(&err);
    assert_int_equal(eddy_parse(buf, sizeof buf, &s, &err), EDDY_ELEX);
    assert_int_equal(err.col, 10);
}

static void test_embedded_nul(void **state)
{
    (void)state;
    /* a NUL byte inside the text does not silently end the script */
    const char sql[] = "SELECT 1;\0DROP TABLE t";
    eddy_script *s = NULL;
    eddy_error err;
    eddy_error_clear(&err);
    int rc = eddy_parse(sql, sizeof sql - 1, &s, &err);
    if (rc == 0) {
        int n = s->n;
        eddy_script_free(s);
        fail_msg("a script with a NUL byte parsed into %d statement(s)", n);
    }
    assert_int_equal(rc, EDDY_ELEX);
    assert_int_equal(err.line, 1);
    assert_int_equal(err.col, 10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_invalid_corpus),  cmocka_unit_test(test_render_caret),
        cmocka_unit_test(test_expected_tokens), cmocka_unit_test(test_error_then_success),
        cmocka_unit_test(test_embedded_nul),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
