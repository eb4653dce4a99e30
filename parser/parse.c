/*
 * parse.c: SQL text in, syntax tree out (parser.h): runs the lexer (lexer.re) and feeds its
 * tokens to the Lemon parser (grammar.y), then turns a syntax error into a message.
 *
 *     text --copy--> script arena --lexer--> tokens --eddy_grammar_feed--> statements
 *
 * The script owns one arena that holds the copy of the text, every node and the script itself;
 * eddy_script_free() destroys it. On an error the half-built script goes the same way.
 *
 * Syntax errors. The grammar's %syntax_error sets "syntax error near 'tok'" (or "... at end of
 * input") at the offending token. What could have stood there is added here: the tokens the
 * parser would have shifted in the state it was in *before* that token arrived. That state is
 * gone by the time Lemon reports the error (Lemon first performs the reductions the token
 * causes, and its tables fold a state's most common reduction into a default taken for any
 * token), so the text is parsed a second time, up to the token before the error, in a scratch
 * arena, and the parser is asked there (eddy_grammar_expected: for each terminal, simulate
 * the reductions and see whether it ends in a shift). This costs a second parse only when the
 * first one fails. The raw list is long wherever an expression may start or continue, so it is
 * condensed before it is shown: the ~50 tokens that can start an expression become the one word
 * "expression", and after a complete operand the operators that could continue it (+, AND,
 * IS, [, ...) are left out, since they are always possible there and hide what closes the
 * construct (`SELECT (a + b FROM t`: expected ')' or ','). At most MAX_EXPECTED names are
 * shown, then "...".
 *
 * Lexer errors (EDDY_ELEX) pass through as the lexer wrote them.
 */
#include "parser.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "../common/arena.h"
#include "grammar.h"
#include "tokenizer.h"

/* The grammar engine (grammar.y's %code section; Lemon writes no header for it). */
typedef struct eddy_grammar eddy_grammar;
eddy_grammar *eddy_grammar_new(eddy_script *s, eddy_error *err);
int eddy_grammar_feed(eddy_grammar *g, const eddy_token *tok, size_t prev_end);
bool eddy_grammar_syntax_error(const eddy_grammar *g);
int eddy_grammar_expected(const eddy_grammar *g, int *codes, int max);
int eddy_grammar_ntokens(void);
void eddy_grammar_free(eddy_grammar *g);

#define MAX_EXPECTED 8 /* longest "expected one of" list worth showing */

/* A new empty script holding a NUL-terminated copy of sql in its own arena. */
static eddy_script *script_new(const char *sql, size_t len)
{
    eddy_arena *a = eddy_arena_new(0);
    eddy_script *s = eddy_arena_zalloc(a, sizeof *s);
    char *text = eddy_arena_alloc(a, len + 1);
    if (len > 0)
        memcpy(text, sql, len);
    text[len] = 0;
    s->arena = a;
    s->text = text;
    s->len = len;
    return s;
}

void eddy_script_free(eddy_script *s)
{
    if (s != NULL)
        eddy_arena_destroy(s->arena);
}

/* Feeds the tokens of s->text to g, at most max_tokens of them (-1: all, end of input
 * included). Returns 0 or the first error; *nfed counts the tokens taken without error. */
static int run(eddy_grammar *g, const eddy_script *s, eddy_error *err, int max_tokens, int *nfed)
{
    eddy_lexer lx;
    eddy_token tok;
    size_t prev_end = 0;
    int rc = 0;
    *nfed = 0;
    eddy_lexer_init(&lx, s->text, s->len);
    while (max_tokens < 0 || *nfed < max_tokens) {
        rc = eddy_lexer_next(&lx, &tok, err);
        if (rc != 0)
            break;
        rc = eddy_grammar_feed(g, &tok, prev_end);
        if (rc != 0 || tok.type == 0)
            break;
        prev_end = (size_t)tok.pos.off + (size_t)tok.n;
        (*nfed)++;
    }
    return rc;
}

/* Tokens that start an expression (and nothing but an expression, CASE above all). */
static bool starts_expression(int t)
{
    switch (t) {
    case TK_ID: case TK_QID: case TK_STRING: case TK_BINSTR: case TK_INTEGER: case TK_DECIMAL:
    case TK_FLOAT: case TK_LP: case TK_PLUS: case TK_MINUS: case TK_NOT: case TK_CASE:
    case TK_CAST: case TK_TRY_CAST: case TK_EXISTS: case TK_ROW: case TK_ARRAY: case TK_MAP:
    case TK_INTERVAL: case TK_TRUE: case TK_FALSE: case TK_NULL: case TK_UNKNOWN: case TK_DATE:
    case TK_TIME: case TK_TIMESTAMP: case TK_TIMESTAMP_LTZ: case TK_EXTRACT: case TK_FLOOR:
    case TK_CEIL: case TK_CEILING: case TK_TRIM: case TK_SUBSTRING: case TK_POSITION:
    case TK_OVERLAY: case TK_TIMESTAMPADD: case TK_TIMESTAMPDIFF: case TK_CURRENT_TIMESTAMP:
    case TK_LOCALTIMESTAMP: case TK_CURRENT_DATE: case TK_CURRENT_TIME: case TK_LOCALTIME:
    case TK_CURRENT_ROW_TIMESTAMP: case TK_LEFT: case TK_RIGHT:
        return true;
    default:
        return false;
    }
}

/* Tokens that continue a complete operand (operators, predicates, call decorations). */
static bool continues_operand(int t)
{
    switch (t) {
    case TK_STAR: case TK_SLASH: case TK_PERCENT: case TK_PLUS: case TK_MINUS: case TK_CONCAT:
    case TK_EQ: case TK_NE: case TK_LT: case TK_LE: case TK_GT: case TK_GE: case TK_AND:
    case TK_OR: case TK_IS: case TK_NOT: case TK_BETWEEN: case TK_IN: case TK_LIKE:
    case TK_SIMILAR: case TK_ESCAPE: case TK_LBRACKET: case TK_DOT: case TK_LP: case TK_OVER:
    case TK_FILTER: case TK_WITHIN: case TK_IGNORE: case TK_RESPECT:
        return true;
    default:
        return false;
    }
}

/* Condenses the expected terminals into names for the message (see the header comment).
 * Returns the number of names written to names (room for n + 1). */
static int expected_names(const int *codes, int n, const char **names)
{
    bool any_start = false, any_cont = false, other = false;
    for (int i = 0; i < n; i++) {
        if (codes[i] == TK_CASE)
            any_start = true;
        if (codes[i] == TK_CONCAT)
            any_cont = true;
    }
    for (int i = 0; i < n; i++)
        if (!(any_start && starts_expression(codes[i])) && !(any_cont && continues_operand(codes[i])))
            other = true;
    int k = 0;
    for (int i = 0; i < n; i++) {
        int t = codes[i];
        if (any_start && starts_expression(t))
            continue;
        if (any_cont && other && continues_operand(t))
            continue;
        names[k++] = eddy_token_name(t);
    }
    if (any_start)
        names[k++] = "expression";
    return k;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Appends "; expected one of: ..." to err when the parser can tell, by parsing the first
 * ntokens tokens of the script again and asking for the terminals it would take next. */
static void add_expected(const eddy_script *orig, int ntokens, eddy_error *err)
{
    eddy_script *s = script_new(orig->text, orig->len);
    eddy_error scratch;
    eddy_error_clear(&scratch);
    eddy_grammar *g = eddy_grammar_new(s, &scratch);
    int nfed = 0;
    int rc = run(g, s, &scratch, ntokens, &nfed);
    int nterm = eddy_grammar_ntokens();
    int *codes = eddy_xmalloc((size_t)nterm * sizeof *codes);
    int ncodes = rc == 0 && nfed == ntokens ? eddy_grammar_expected(g, codes, nterm) : 0;
    eddy_grammar_free(g);
    eddy_script_free(s);

    /* names, sorted, without duplicates (ID and QID are both "identifier", ...) */
    const char **names = eddy_xmalloc((size_t)(ncodes + 1) * sizeof *names);
    int nnames = expected_names(codes, ncodes, names);
    qsort(names, (size_t)nnames, sizeof *names, cmp_names);
    int nuniq = 0;
    for (int i = 0; i < nnames; i++)
        if (nuniq == 0 || strcmp(names[nuniq - 1], names[i]) != 0)
            names[nuniq++] = names[i];

    if (nuniq >= 1) {
        size_t used = strlen(err->msg);
        size_t room = sizeof err->msg;
        const char *head = nuniq == 1 ? "; expected " : "; expected one of: ";
        char buf[EDDY_ERROR_MSG_MAX];
        size_t n = 0;
        buf[0] = 0;
        for (int i = 0; i < nuniq && i <= MAX_EXPECTED; i++) {
            const char *name = i < MAX_EXPECTED ? names[i] : "...";
            size_t len = strlen(name);
            if (n + len + 3 >= sizeof buf)
                break;
            if (i > 0) {
                memcpy(buf + n, ", ", 2);
                n += 2;
            }
            memcpy(buf + n, name, len);
            n += len;
            buf[n] = 0;
        }
        if (used + strlen(head) + n < room) {
            strcat(err->msg, head);
            strcat(err->msg, buf);
        }
    }
    free(names);
    free(codes);
}

int eddy_parse(const char *sql, size_t len, eddy_script **out, eddy_error *err)
{
    eddy_error local;
    if (err == NULL)
        err = &local;
    eddy_error_clear(err);
    *out = NULL;
    if (sql == NULL)
        len = 0;

    eddy_script *s = script_new(sql, len);
    eddy_grammar *g = eddy_grammar_new(s, err);
    int nfed = 0;
    int rc = run(g, s, err, -1, &nfed);
    bool syntax = eddy_grammar_syntax_error(g);
    eddy_grammar_free(g);
    if (rc != 0) {
        if (rc == EDDY_ESYNTAX && syntax)
            add_expected(s, nfed, err);
        eddy_script_free(s);
        return rc;
    }
    *out = s;
    return 0;
}
