/*
 * test_lexer.c: the tokenizer (parser/tokenizer.h) on tricky input: token codes, exact text and
 * positions (line, byte column, offset) through comments, quoted identifiers with doubled
 * quotes, every number and string shape, operators, hints, several lines, UTF-8 identifiers,
 * and the lexer's errors with their positions.
 *
 * Expected tokens are written as {code, text, line, col}; the code KW means "a keyword": the
 * token's code must be eddy_keyword_code(text), and that must not be TK_ID; WORD means a word
 * whose code is whatever eddy_keyword_code(text) says (type names, hint names).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/arena.h"
#include "grammar.h"
#include "parser/tokenizer.h"

#define KW (-1)   /* a keyword: the code of eddy_keyword_code(text), which is not TK_ID */
#define WORD (-2) /* a word that may or may not be a keyword: eddy_keyword_code(text) */
#define END 0

typedef struct want {
    int type;         /* TK_* code, KW, or END */
    const char *text; /* exact bytes of the token (NULL for END) */
    int line;         /* expected line */
    int col;          /* expected byte column */
} want;

static const char *code_name(int code)
{
    return code == 0 ? "end of input" : eddy_token_name(code);
}

/* Lexes sql and compares the tokens with w[0..n), the last of which should be END. */
static void check_tokens(const char *sql, const want *w, int n)
{
    eddy_lexer lx;
    eddy_lexer_init(&lx, sql, strlen(sql));
    for (int i = 0; i < n; i++) {
        eddy_token tok;
        eddy_error err;
        eddy_error_clear(&err);
        int rc = eddy_lexer_next(&lx, &tok, &err);
        if (rc != 0)
            fail_msg("token %d of <%s>: error at %d:%d: %s", i + 1, sql, err.line, err.col,
                     err.msg);
        int type = w[i].type;
        if (type == KW || type == WORD) {
            int kw = eddy_keyword_code(w[i].text, (int)strlen(w[i].text));
            if (type == KW && kw == TK_ID) fail_msg("'%s' is not a keyword", w[i].text);
            type = kw;
        }
        if (tok.type != type)
            fail_msg("token %d of <%s>: got %s <%.*s>, expected %s <%s>", i + 1, sql,
                     code_name(tok.type), tok.n, tok.z ? tok.z : "", code_name(type),
                     w[i].text ? w[i].text : "");
        if (type == END) return;
        if (tok.n != (int)strlen(w[i].text) || memcmp(tok.z, w[i].text, (size_t)tok.n) != 0)
            fail_msg("token %d of <%s>: text <%.*s>, expected <%s>", i + 1, sql, tok.n, tok.z,
                     w[i].text);
        if (tok.pos.line != w[i].line || tok.pos.col != w[i].col)
            fail_msg("token %d <%s> of <%s>: at %d:%d, expected %d:%d", i + 1, w[i].text, sql,
                     tok.pos.line, tok.pos.col, w[i].line, w[i].col);
        if (tok.pos.off != (int)(tok.z - sql))
            fail_msg("token %d <%s>: offset %d, expected %d", i + 1, w[i].text, tok.pos.off,
                     (int)(tok.z - sql));
    }
    fail_msg("the expected tokens of <%s> do not end with END", sql);
}

#define CHECK(sql, ...)                                                                            \
    do {                                                                                           \
        const want w_[] = {__VA_ARGS__};                                                           \
        check_tokens(sql, w_, (int)(sizeof w_ / sizeof w_[0]));                                    \
    } while (0)

/* Lexes until the error that sql must contain; returns it. */
static eddy_error lex_error(const char *sql, size_t len)
{
    eddy_lexer lx;
    eddy_lexer_init(&lx, sql, len);
    for (int i = 0; i < 1000; i++) {
        eddy_token tok;
        eddy_error err;
        eddy_error_clear(&err);
        int rc = eddy_lexer_next(&lx, &tok, &err);
        if (rc != 0) {
            assert_int_equal(rc, EDDY_ELEX);
            assert_int_equal(err.code, EDDY_ELEX);
            return err;
        }
        if (tok.type == 0) break;
    }
    fail_msg("no lexer error in <%s>", sql);
    return (eddy_error){0};
}

/* Checks that sql fails at line:col with fragment in the message; prints and counts a
 * mismatch in *nbad so that one test reports every case that fails. */
static void expect_error(const char *sql, int line, int col, const char *fragment, int *nbad)
{
    eddy_error err = lex_error(sql, strlen(sql));
    if (err.line != line || err.col != col || !strstr(err.msg, fragment)) {
        print_error("<%s>: error at %d:%d '%s', expected %d:%d with '%s'\n", sql, err.line, err.col,
                    err.msg, line, col, fragment);
        (*nbad)++;
    }
}

/* ---------------------------------------------------------------------------------------- */

static void test_basic(void **state)
{
    (void)state;
    CHECK("SELECT a, b FROM t", {KW, "SELECT", 1, 1}, {TK_ID, "a", 1, 8}, {TK_COMMA, ",", 1, 9},
          {TK_ID, "b", 1, 11}, {KW, "FROM", 1, 13}, {TK_ID, "t", 1, 18}, {END, NULL, 0, 0});
    /* keywords in any case have the same code; identifiers keep their text */
    int code = eddy_keyword_code("SELECT", 6);
    assert_int_not_equal(code, TK_ID);
    assert_int_equal(eddy_keyword_code("select", 6), code);
    assert_int_equal(eddy_keyword_code("SeLeCt", 6), code);
    assert_int_equal(eddy_keyword_code("selects", 7), TK_ID);
    assert_int_equal(eddy_keyword_code("SELECT_", 7), TK_ID);
    CHECK("select SeLeCt", {KW, "select", 1, 1}, {KW, "SeLeCt", 1, 8}, {END, NULL, 0, 0});
    /* the empty text and white space only */
    CHECK("", {END, NULL, 0, 0});
    CHECK(" \t\n\r\n ", {END, NULL, 0, 0});
    /* at the end, the lexer keeps saying so */
    eddy_lexer lx;
    eddy_token tok;
    eddy_error err;
    eddy_error_clear(&err);
    eddy_lexer_init(&lx, "a", 1);
    assert_int_equal(eddy_lexer_next(&lx, &tok, &err), 0);
    assert_int_equal(tok.type, TK_ID);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(eddy_lexer_next(&lx, &tok, &err), 0);
        assert_int_equal(tok.type, 0);
    }
}

static void test_comments_lines(void **state)
{
    (void)state;
    const char *sql = "-- head comment\n"
                      "SELECT /* inline */ x -- tail ; 'not a string\n"
                      "  /* multi\n"
                      " line; */ FROM\n"
                      "\tt;--no space\n"
                      "/**/a/* -- */b--";
    CHECK(sql, {KW, "SELECT", 2, 1}, {TK_ID, "x", 2, 21}, {KW, "FROM", 4, 11}, {TK_ID, "t", 5, 2},
          {TK_SEMI, ";", 5, 3}, {TK_ID, "a", 6, 5}, {TK_ID, "b", 6, 14}, {END, NULL, 0, 0});
    /* \r\n line ends count as one line */
    CHECK("SELECT\r\n  a\r\n,b", {KW, "SELECT", 1, 1}, {TK_ID, "a", 2, 3}, {TK_COMMA, ",", 3, 1},
          {TK_ID, "b", 3, 2}, {END, NULL, 0, 0});
    /* a comment up to the end of the text, without a newline */
    CHECK("a -- c", {TK_ID, "a", 1, 1}, {END, NULL, 0, 0});
    /* - - is two minus signs, -- a comment */
    CHECK("- -1--1", {TK_MINUS, "-", 1, 1}, {TK_MINUS, "-", 1, 3}, {TK_INTEGER, "1", 1, 4},
          {END, NULL, 0, 0});
}

static void test_quoted_identifiers(void **state)
{
    (void)state;
    const char *sql = "`a``b` \"c\"\"d\" `select` `with space` \"\" ``";
    CHECK(sql, {TK_QID, "`a``b`", 1, 1}, {TK_QID, "\"c\"\"d\"", 1, 8}, {TK_QID, "`select`", 1, 15},
          {TK_QID, "`with space`", 1, 24}, {TK_QID, "\"\"", 1, 37}, {TK_QID, "``", 1, 40},
          {END, NULL, 0, 0});

    eddy_arena *a = eddy_arena_new(0);
    eddy_lexer lx;
    eddy_token tok;
    eddy_error err;
    eddy_error_clear(&err);
    eddy_lexer_init(&lx, sql, strlen(sql));
    static const char *const unq[] = {"a`b", "c\"d", "select", "with space", "", ""};
    for (int i = 0; i < 6; i++) {
        assert_int_equal(eddy_lexer_next(&lx, &tok, &err), 0);
        assert_string_equal(eddy_lex_unquote(a, &tok), unq[i]);
    }
    /* a quoted identifier over two lines moves the line count */
    CHECK("`a\nb` c", {TK_QID, "`a\nb`", 1, 1}, {TK_ID, "c", 2, 4}, {END, NULL, 0, 0});
    eddy_arena_destroy(a);
}

static void test_numbers(void **state)
{
    (void)state;
    CHECK("1 1.5 .5 1e5 1.5E-3 1. 007 2E+10 0.001 123456789012345678901234567890",
          {TK_INTEGER, "1", 1, 1}, {TK_DECIMAL, "1.5", 1, 3}, {TK_DECIMAL, ".5", 1, 7},
          {TK_FLOAT, "1e5", 1, 10}, {TK_FLOAT, "1.5E-3", 1, 14}, {TK_DECIMAL, "1.", 1, 21},
          {TK_INTEGER, "007", 1, 24}, {TK_FLOAT, "2E+10", 1, 28}, {TK_DECIMAL, "0.001", 1, 34},
          {TK_INTEGER, "123456789012345678901234567890", 1, 40}, {END, NULL, 0, 0});
    /* signs are operators; names with dots are names and dots */
    CHECK("-1+2", {TK_MINUS, "-", 1, 1}, {TK_INTEGER, "1", 1, 2}, {TK_PLUS, "+", 1, 3},
          {TK_INTEGER, "2", 1, 4}, {END, NULL, 0, 0});
    CHECK("t.a t.* a1.b_2", {TK_ID, "t", 1, 1}, {TK_DOT, ".", 1, 2}, {TK_ID, "a", 1, 3},
          {TK_ID, "t", 1, 5}, {TK_DOT, ".", 1, 6}, {TK_STAR, "*", 1, 7}, {TK_ID, "a1", 1, 9},
          {TK_DOT, ".", 1, 11}, {TK_ID, "b_2", 1, 12}, {END, NULL, 0, 0});
    CHECK("1.5.5", {TK_DECIMAL, "1.5", 1, 1}, {TK_DECIMAL, ".5", 1, 4}, {END, NULL, 0, 0});
}

static void test_strings(void **state)
{
    (void)state;
    const char *sql = "'it''s' '' 'a\nb' X'0A' x'ff' X'' 'ok'x";
    CHECK(sql, {TK_STRING, "'it''s'", 1, 1}, {TK_STRING, "''", 1, 9}, {TK_STRING, "'a\nb'", 1, 12},
          {TK_BINSTR, "X'0A'", 2, 4}, {TK_BINSTR, "x'ff'", 2, 10}, {TK_BINSTR, "X''", 2, 16},
          {TK_STRING, "'ok'", 2, 20}, {TK_ID, "x", 2, 24}, {END, NULL, 0, 0});

    eddy_arena *a = eddy_arena_new(0);
    eddy_lexer lx;
    eddy_token tok;
    eddy_error err;
    eddy_error_clear(&err);
    eddy_lexer_init(&lx, sql, strlen(sql));
    static const char *const unq[] = {"it's", "", "a\nb", "0A", "ff", "", "ok"};
    for (int i = 0; i < 7; i++) {
        assert_int_equal(eddy_lexer_next(&lx, &tok, &err), 0);
        assert_string_equal(eddy_lex_unquote(a, &tok), unq[i]);
    }
    eddy_arena_destroy(a);

    /* X followed by a space is a name, then a string */
    CHECK("X '0A'", {TK_ID, "X", 1, 1}, {TK_STRING, "'0A'", 1, 3}, {END, NULL, 0, 0});
    /* UTF-8 in strings is kept byte for byte; columns count bytes */
    CHECK("'héllo' a", {TK_STRING, "'héllo'", 1, 1}, {TK_ID, "a", 1, 10}, {END, NULL, 0, 0});
    /* a comment mark inside a string is text */
    CHECK("'--' '/*'", {TK_STRING, "'--'", 1, 1}, {TK_STRING, "'/*'", 1, 6}, {END, NULL, 0, 0});
}

static void test_operators(void **state)
{
    (void)state;
    CHECK("<> != <= >= || => = == < > + - * / % ( ) [ ] , ; .", {TK_NE, "<>", 1, 1},
          {TK_NE, "!=", 1, 4}, {TK_LE, "<=", 1, 7}, {TK_GE, ">=", 1, 10}, {TK_CONCAT, "||", 1, 13},
          {TK_ARROW, "=>", 1, 16}, {TK_EQ, "=", 1, 19}, {TK_EQ, "==", 1, 21}, {TK_LT, "<", 1, 24},
          {TK_GT, ">", 1, 26}, {TK_PLUS, "+", 1, 28}, {TK_MINUS, "-", 1, 30}, {TK_STAR, "*", 1, 32},
          {TK_SLASH, "/", 1, 34}, {TK_PERCENT, "%", 1, 36}, {TK_LP, "(", 1, 38},
          {TK_RP, ")", 1, 40}, {TK_LBRACKET, "[", 1, 42}, {TK_RBRACKET, "]", 1, 44},
          {TK_COMMA, ",", 1, 46}, {TK_SEMI, ";", 1, 48}, {TK_DOT, ".", 1, 50}, {END, NULL, 0, 0});
    /* without spaces */
    CHECK("a<>b>=-1||'x'", {TK_ID, "a", 1, 1}, {TK_NE, "<>", 1, 2}, {TK_ID, "b", 1, 4},
          {TK_GE, ">=", 1, 5}, {TK_MINUS, "-", 1, 7}, {TK_INTEGER, "1", 1, 8},
          {TK_CONCAT, "||", 1, 9}, {TK_STRING, "'x'", 1, 11}, {END, NULL, 0, 0});
    /* nested types close with single '>' tokens */
    CHECK("ARRAY<MAP<INT,INT>>", {KW, "ARRAY", 1, 1}, {TK_LT, "<", 1, 6}, {KW, "MAP", 1, 7},
          {TK_LT, "<", 1, 10}, {WORD, "INT", 1, 11}, {TK_COMMA, ",", 1, 14}, {WORD, "INT", 1, 15},
          {TK_GT, ">", 1, 18}, {TK_GT, ">", 1, 19}, {END, NULL, 0, 0});
    /* SIZE => INTERVAL: a named argument */
    CHECK("size=>1", {WORD, "size", 1, 1}, {TK_ARROW, "=>", 1, 5}, {TK_INTEGER, "1", 1, 7},
          {END, NULL, 0, 0});
}

static void test_hints(void **state)
{
    (void)state;
    CHECK("FROM t /*+ OPTIONS('k'='v') */ WHERE", {KW, "FROM", 1, 1}, {TK_ID, "t", 1, 6},
          {TK_HINT_BEGIN, "/*+", 1, 8}, {WORD, "OPTIONS", 1, 12}, {TK_LP, "(", 1, 19},
          {TK_STRING, "'k'", 1, 20}, {TK_EQ, "=", 1, 23}, {TK_STRING, "'v'", 1, 24},
          {TK_RP, ")", 1, 27}, {TK_HINT_END, "*/", 1, 29}, {KW, "WHERE", 1, 32}, {END, NULL, 0, 0});
    /* a hint over two lines; a plain comment is no hint; '*' right before a comment */
    CHECK("/*+\n OPTIONS() */ /* + no hint */ a*/*c*/b", {TK_HINT_BEGIN, "/*+", 1, 1},
          {WORD, "OPTIONS", 2, 2}, {TK_LP, "(", 2, 9}, {TK_RP, ")", 2, 10},
          {TK_HINT_END, "*/", 2, 12}, {TK_ID, "a", 2, 31}, {TK_STAR, "*", 2, 32},
          {TK_ID, "b", 2, 38}, {END, NULL, 0, 0});
}

static void test_utf8_identifiers(void **state)
{
    (void)state;
    /* größe: 7 bytes; 名前: 6 bytes; columns count bytes */
    CHECK("größe 名前 café_1 ü", {TK_ID, "größe", 1, 1}, {TK_ID, "名前", 1, 9},
          {TK_ID, "café_1", 1, 16}, {TK_ID, "ü", 1, 24}, {END, NULL, 0, 0});
    CHECK("`größe`.名前", {TK_QID, "`größe`", 1, 1}, {TK_DOT, ".", 1, 10}, {TK_ID, "名前", 1, 11},
          {END, NULL, 0, 0});
}

static void test_errors(void **state)
{
    (void)state;
    int nbad = 0;
    expect_error("SELECT 'abc FROM t", 1, 8, "string", &nbad);
    expect_error("SELECT 'it''s", 1, 8, "string", &nbad);
    expect_error("SELECT a /* never closed", 1, 10, "comment", &nbad);
    /* an unclosed hint is reported where it opens, as an unclosed comment is */
    expect_error("SELECT a /*+ OPTIONS('a'='b') ", 1, 10, "hint", &nbad);
    expect_error("SELECT `abc FROM t", 1, 8, "", &nbad);
    expect_error("SELECT \"abc FROM t", 1, 8, "", &nbad);
    /* X'0A without its closing quote: the quote starts an unterminated string */
    expect_error("SELECT X'0A", 1, 9, "string", &nbad);
    expect_error("SELECT 1,\n  2 # 3", 2, 5, "#", &nbad);
    static const char stray[] = "@?^&|!~\\{}$";
    for (const char *p = stray; *p; p++) {
        char sql[32], frag[2] = {*p, 0};
        snprintf(sql, sizeof sql, "SELECT a %c b", *p);
        expect_error(sql, 1, 10, frag, &nbad);
    }
    /* an unfilled ${NAME} placeholder names itself and says how to fill it */
    expect_error("SELECT * FROM ${NEXMARK_TABLE} WHERE a = 1", 1, 15, "NEXMARK_TABLE", &nbad);
    expect_error("SELECT * FROM ${NEXMARK_TABLE} WHERE a = 1", 1, 15, "-D", &nbad);
    expect_error("SELECT 1\n  , ${X}", 2, 5, "-D", &nbad);
    /* a NUL byte before the end of the text is no end of input */
    static const char nul[] = "SELECT\0 1";
    eddy_error err = lex_error(nul, sizeof nul - 1);
    assert_int_equal(err.line, 1);
    assert_int_equal(err.col, 7);
    assert_int_equal(nbad, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_basic),
        cmocka_unit_test(test_comments_lines),
        cmocka_unit_test(test_quoted_identifiers),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_strings),
        cmocka_unit_test(test_operators),
        cmocka_unit_test(test_hints),
        cmocka_unit_test(test_utf8_identifiers),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
