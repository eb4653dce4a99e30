/*
 * test_shell_cli.c: the eddy program as a user and a script see it: exit codes, messages,
 * -D placeholders, `version`, and the REPL driven through standard input.
 *
 * Each case runs the built binary (EDDY_BINARY_DIR/shell/eddy) with posix_spawn, standard input
 * from a file and standard output and error captured into files of a scratch folder, and
 * checks what came back against texts written here by hand.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define EDDY EDDY_BINARY_DIR "/shell/eddy"

static char scratch[] = "/tmp/eddy-test-cli-XXXXXX";

/* What one run of eddy gave back. */
typedef struct result {
    int status; /* exit code, or 128 + signal */
    char *out;  /* standard output */
    char *err;  /* standard error */
} result;

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *buf = NULL;
    size_t n = 0, cap = 0;
    int c;
    while ((c = fgetc(f)) != EOF) {
        if (n + 2 > cap) {
            cap = cap ? cap * 2 : 4096;
            buf = realloc(buf, cap);
            assert_non_null(buf);
        }
        buf[n++] = (char)c;
    }
    fclose(f);
    if (!buf) buf = calloc(1, 1);
    buf[n] = 0;
    return buf;
}

/* Writes text to scratch/name and returns the path (static buffer per call site's copy). */
static char *put_file(const char *name, const char *text)
{
    char *path = malloc(strlen(scratch) + strlen(name) + 2);
    sprintf(path, "%s/%s", scratch, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

/* Runs eddy with the NULL-terminated arguments after argv[0], stdin from the text `input`. */
static result run_eddy(const char *input, ...)
{
    const char *argv[32];
    int argc = 0;
    argv[argc++] = EDDY;
    va_list ap;
    va_start(ap, input);
    const char *a;
    while ((a = va_arg(ap, const char *)) != NULL && argc < 31)
        argv[argc++] = a;
    va_end(ap);
    argv[argc] = NULL;

    char *in = put_file("stdin.txt", input ? input : "");
    char out_path[256], err_path[256];
    snprintf(out_path, sizeof out_path, "%s/stdout.txt", scratch);
    snprintf(err_path, sizeof err_path, "%s/stderr.txt", scratch);

    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, in, O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, 2, err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    pid_t pid;
    int rc = posix_spawn(&pid, EDDY, &fa, NULL, (char *const *)argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    free(in);
    if (rc != 0) fail_msg("cannot start %s: %s (is it built?)", EDDY, strerror(rc));
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);

    result r;
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    r.out = slurp(out_path);
    r.err = slurp(err_path);
    /* in the sanitizer builds, a report fails the test whatever the exit code */
    if (strstr(r.err, "Sanitizer") || strstr(r.err, "runtime error:"))
        fail_msg("sanitizer report from eddy %s:\n%s", argc > 1 ? argv[1] : "(repl)", r.err);
    return r;
}

static void result_free(result *r)
{
    free(r->out);
    free(r->err);
}

#define assert_contains(hay, needle)                                                               \
    do {                                                                                           \
        if (!strstr((hay), (needle)))                                                              \
            fail_msg("expected to find \"%s\" in:\n%s", (needle), (hay));                          \
    } while (0)

#define assert_status(r, want)                                                                     \
    do {                                                                                           \
        if ((r).status != (want))                                                                  \
            fail_msg("exit code %d, expected %d\nstdout:\n%s\nstderr:\n%s", (r).status, (want),    \
                     (r).out, (r).err);                                                            \
    } while (0)

static const char windowed_sql[] =
    "-- revenue per category and minute\n"
    "CREATE TABLE orders (\n"
    "  category STRING,\n"
    "  price DECIMAL(10, 2),\n"
    "  ts TIMESTAMP(3),\n"
    "  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND\n"
    ") WITH ('connector' = 'datagen', 'rows-per-second' = '${RATE}');\n"
    "\n"
    "select window_start, category, sum(price) as revenue\n"
    "from table(tumble(table orders, descriptor(ts), interval '1' minute))\n"
    "group by window_start, window_end, category;\n";

/* ---------------------------------------------------------------------------------------- */

static void test_parse_good_file(void **state)
{
    (void)state;
    char *path = put_file("good.sql", "select a+b*2 from t where x=1;\nSELECT 1\n");
    result r = run_eddy(NULL, "parse", path, NULL);
    assert_status(r, 0);
    assert_string_equal(r.err, "");
    /* two statements, each printed back on its own and closed by ';' */
    assert_contains(r.out, "SELECT");
    assert_contains(r.out, "a + b * 2");
    assert_contains(r.out, "WHERE x = 1;\n");
    const char *second = strstr(r.out, ";\n");
    assert_non_null(second);
    assert_contains(second + 2, "SELECT 1;\n");
    result_free(&r);

    /* --tree gives S-expressions, one statement per line */
    r = run_eddy(NULL, "parse", "--tree", path, NULL);
    assert_status(r, 0);
    assert_true(r.out[0] == '(');
    assert_contains(r.out, "\n(");
    result_free(&r);
    free(path);
}

static void test_parse_stdin(void **state)
{
    (void)state;
    result r = run_eddy("SELECT x FROM t;\n", "parse", "-", NULL);
    assert_status(r, 0);
    assert_contains(r.out, "SELECT x FROM t;");
    result_free(&r);
}

static void test_syntax_error(void **state)
{
    (void)state;
    /* the error is the second ',' on line 3, column 12 */
    char *path = put_file("bad.sql", "-- a comment\n"
                                     "SELECT a,\n"
                                     "       b,, c\n"
                                     "FROM t;\n");
    result r = run_eddy(NULL, "parse", path, NULL);
    assert_status(r, 1);
    assert_string_equal(r.out, "");
    char want[512];
    snprintf(want, sizeof want, "%s: line 3, column 10: syntax error", path);
    assert_contains(r.err, want);
    /* the offending line, then a caret under column 10 */
    assert_contains(r.err, "\n         b,, c\n           ^");
    result_free(&r);

    /* run and explain report the same error with the same code */
    r = run_eddy(NULL, "run", path, NULL);
    assert_status(r, 1);
    assert_contains(r.err, want);
    result_free(&r);
    r = run_eddy(NULL, "explain", path, NULL);
    assert_status(r, 1);
    result_free(&r);
    free(path);
}

#define GEN_TABLE                                                                            \
    "CREATE TABLE t (a INT, b STRING) WITH ('connector' = 'datagen', 'number-of-rows' = '3', "  \
    "'fields.a.kind' = 'sequence', 'fields.a.start' = '1', 'fields.a.end' = '3', "             \
    "'fields.b.length' = '4', 'seed' = '7');\n"

static void test_run_and_explain(void **state)
{
    (void)state;
    char *path = put_file("ok.sql", GEN_TABLE "SELECT a * 10 AS x FROM t WHERE a <> 2;\n");
    result r = run_eddy(NULL, "run", path, NULL);
    assert_status(r, 0);
    assert_string_equal(r.out, "+I[10]\n+I[30]\n");
    result_free(&r);
    r = run_eddy(NULL, "explain", path, NULL);
    assert_status(r, 0);
    assert_contains(r.out, "TableSourceScan(table=[t], connector=[datagen]");
    assert_contains(r.out, "Calc(");
    result_free(&r);
    free(path);

    /* a bind error: exit 1, position and suggestion */
    path = put_file("bind.sql", GEN_TABLE "SELECT aa FROM t;\n");
    r = run_eddy(NULL, "run", path, NULL);
    assert_status(r, 1);
    assert_contains(r.err, "line 2, column 8");
    assert_contains(r.err, "did you mean 'a'?");
    result_free(&r);
    free(path);

    /* a runtime failure: exit 3 (BIGINT overflow while running) */
    path = put_file("overflow.sql", GEN_TABLE "SELECT CAST(a AS BIGINT) * 9223372036854775807 FROM t;\n");
    r = run_eddy(NULL, "run", path, NULL);
    assert_status(r, 3);
    assert_contains(r.err, "overflow");
    result_free(&r);
    free(path);
}

static void test_usage_errors(void **state)
{
    (void)state;
    result r = run_eddy(NULL, "frobnicate", NULL);
    assert_status(r, 2);
    assert_contains(r.err, "unknown command 'frobnicate'");
    assert_contains(r.err, "try 'eddy help'");
    result_free(&r);

    r = run_eddy(NULL, "pars", NULL); /* a near miss gets a suggestion */
    assert_status(r, 2);
    assert_contains(r.err, "did you mean 'parse'?");
    result_free(&r);

    r = run_eddy(NULL, "--bogus", NULL);
    assert_status(r, 2);
    assert_contains(r.err, "try 'eddy help'");
    result_free(&r);

    r = run_eddy(NULL, "parse", "--bogus", "x.sql", NULL);
    assert_status(r, 2);
    assert_contains(r.err, "'--bogus'");
    assert_contains(r.err, "try 'eddy help parse'");
    result_free(&r);

    r = run_eddy(NULL, "parse", NULL); /* FILE missing */
    assert_status(r, 2);
    assert_contains(r.err, "FILE");
    result_free(&r);

    r = run_eddy(NULL, "run", "-D", "NOEQUALS", "x.sql", NULL);
    assert_status(r, 2);
    assert_contains(r.err, "NAME=VALUE");
    result_free(&r);

    char missing[256];
    snprintf(missing, sizeof missing, "%s/no-such-file.sql", scratch);
    r = run_eddy(NULL, "parse", missing, NULL);
    assert_status(r, 2);
    assert_contains(r.err, "no-such-file.sql");
    assert_contains(r.err, "No such file");
    result_free(&r);

    r = run_eddy(NULL, "help", "nosuch", NULL);
    assert_status(r, 2);
    result_free(&r);
}

static void test_help(void **state)
{
    (void)state;
    static const char *const cmds[] = {"repl", "run", "explain", "parse", "version", "help"};
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        char want[64];
        snprintf(want, sizeof want, "usage: eddy ");
        result r = run_eddy(NULL, cmds[i], "--help", NULL);
        assert_status(r, 0);
        assert_contains(r.out, want);
        assert_contains(r.out, cmds[i]);
        result_free(&r);
        r = run_eddy(NULL, "help", cmds[i], NULL);
        assert_status(r, 0);
        assert_contains(r.out, want);
        result_free(&r);
    }
    result r = run_eddy(NULL, "--help", NULL);
    assert_status(r, 0);
    assert_contains(r.out, "commands:");
    assert_contains(r.out, "parse");
    result_free(&r);
    r = run_eddy(NULL, "help", NULL);
    assert_status(r, 0);
    assert_contains(r.out, "exit codes");
    result_free(&r);
}

static void test_placeholders(void **state)
{
    (void)state;
    char *path = put_file("window.sql", windowed_sql);
    result r = run_eddy(NULL, "parse", "-D", "RATE=42", path, NULL);
    assert_status(r, 0);
    assert_contains(r.out, "'rows-per-second' = '42'");
    assert_non_null(strcasestr(r.out, "TUMBLE(TABLE orders"));
    assert_non_null(strcasestr(r.out, "DESCRIPTOR(ts)"));
    result_free(&r);

    /* the attached form and a later value winning */
    r = run_eddy(NULL, "parse", path, "-DRATE=1", "--define", "RATE=7", NULL);
    assert_status(r, 0);
    assert_contains(r.out, "'rows-per-second' = '7'");
    result_free(&r);

    /* without a value: a usage error pointing at the placeholder and saying what to pass */
    r = run_eddy(NULL, "parse", path, NULL);
    assert_status(r, 2);
    assert_contains(r.err, "line 7, column 55");
    assert_contains(r.err, "-D RATE=VALUE");
    result_free(&r);
    free(path);
}

static void test_version(void **state)
{
    (void)state;
    result r = run_eddy(NULL, "version", NULL);
    assert_status(r, 0);
    assert_true(strncmp(r.out, "eddy ", 5) == 0);
    assert_contains(r.out, "librdkafka ");
    assert_contains(r.out, "LMDB ");
    assert_contains(r.out, "libcurl ");
    /* each library line carries a dotted version number */
    const char *libs[] = {"librdkafka", "LMDB", "libcurl"};
    for (int i = 0; i < 3; i++) {
        const char *p = strstr(r.out, libs[i]) + strlen(libs[i]);
        while (*p == ' ')
            p++;
        assert_true(*p >= '0' && *p <= '9');
        assert_non_null(strchr(p, '.'));
    }
    result_free(&r);
    r = run_eddy(NULL, "--version", NULL);
    assert_status(r, 0);
    assert_contains(r.out, "librdkafka");
    result_free(&r);
    r = run_eddy(NULL, "version", "extra", NULL);
    assert_status(r, 2);
    result_free(&r);
}

static void test_repl_stdin(void **state)
{
    (void)state;
    /* a table; a query on one line; one over two lines; a syntax error (line 5) that does not
     * end the session; help; a query whose ';' inside a string does not end it */
    const char *input = GEN_TABLE
                        "select a from t;\n"
                        "select a + 1,\n"
                        "  'q' from t where a = 3;\n"
                        "select from where;\n"
                        "help\n"
                        "select 'x;\n"
                        "y' from t where a = 1;\n";
    result r = run_eddy(input, NULL);
    assert_status(r, 1); /* a statement failed */
    assert_contains(r.out, "+I[1]\n+I[2]\n+I[3]\n");
    assert_contains(r.out, "+I[4, q]\n");
    assert_contains(r.out, "quit"); /* the help text */
    assert_contains(r.out, "+I[x;\ny]\n");
    /* no prompts when stdin is not a terminal */
    assert_null(strstr(r.out, "eddy>"));
    assert_null(strstr(r.out, "->"));
    /* the error names the line of the whole input, with the caret */
    assert_contains(r.err, "stdin: line 5, column 8: syntax error");
    assert_contains(r.err, "select from where;\n         ^");
    result_free(&r);

    /* quit ends the session; a last statement without ';' still runs at the end of input */
    r = run_eddy(GEN_TABLE "select a from t where a = 1;\nquit\nselect 2;\n", NULL);
    assert_status(r, 0);
    assert_contains(r.out, "+I[1]");
    assert_null(strstr(r.out, "+I[2]"));
    result_free(&r);
    r = run_eddy(GEN_TABLE "-- only a comment\nselect a from t where a = 3\n", "repl", NULL);
    assert_status(r, 0);
    assert_contains(r.out, "+I[3]");
    result_free(&r);
}

/* Every example the README and docs point at parses, with the placeholders they document. */
static void test_examples_parse(void **state)
{
    (void)state;
    const char *dir = EDDY_SOURCE_DIR "/sql/examples";
    DIR *d = opendir(dir);
    if (!d) fail_msg("cannot open %s", dir);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 4, ".sql") != 0) continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        result r =
            run_eddy(NULL, "parse", "-D", "RATE=10", "-D", "BOOTSTRAP_SERVERS=localhost:9092", "-D",
                     "ES_HOSTS=http://localhost:9200", path, NULL);
        if (r.status != 0) fail_msg("%s does not parse:\n%s", e->d_name, r.err);
        result_free(&r);
        n++;
    }
    closedir(d);
    assert_true(n >= 1);
}

/* Every ```sql block of the SQL reference parses: the examples in the docs stay true. */
static void test_reference_examples_parse(void **state)
{
    (void)state;
    char *doc = slurp(EDDY_SOURCE_DIR "/docs/sql-reference.md");
    int n = 0;
    for (char *p = doc; (p = strstr(p, "```sql\n")) != NULL;) {
        p += 7;
        char *end = strstr(p, "```");
        assert_non_null(end);
        *end = 0;
        result r = run_eddy(p, "parse", "-", NULL);
        if (r.status != 0)
            fail_msg("an example of docs/sql-reference.md does not parse:\n%s\n%s", p, r.err);
        result_free(&r);
        n++;
        p = end + 3;
    }
    free(doc);
    assert_true(n >= 10);
}

/* ---------------------------------------------------------------------------------------- */

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static int setup(void **state)
{
    (void)state;
    if (!mkdtemp(scratch)) return -1;
    if (access(EDDY, X_OK) != 0) {
        fprintf(stderr, "%s is not built: build the whole tree (ninja) before ctest\n", EDDY);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    nftw(scratch, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_good_file),
        cmocka_unit_test(test_parse_stdin),
        cmocka_unit_test(test_syntax_error),
        cmocka_unit_test(test_run_and_explain),
        cmocka_unit_test(test_usage_errors),
        cmocka_unit_test(test_help),
        cmocka_unit_test(test_placeholders),
        cmocka_unit_test(test_version),
        cmocka_unit_test(test_repl_stdin),
        cmocka_unit_test(test_examples_parse),
        cmocka_unit_test(test_reference_examples_parse),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
