/*
 * tokenizer.h: tokens and the lexer's interface (written by hand; the lexer itself is lexer.re,
 * turned into lexer.c by re2c at build time).
 *
 * A token points into the SQL text (it allocates nothing) and carries its position. Token codes
 * are the TK_* codes that Lemon writes into grammar.h. The lexer itself knows only the shapes
 * of tokens: identifiers, quoted identifiers, literals, operators and punctuation. Whether an
 * identifier is a keyword is asked of eddy_keyword_code() (keywords.c, next to the grammar that
 * declares them), so the list of keywords lives in one place.
 *
 * Token codes the lexer produces (all declared by grammar.y):
 *   TK_ID       plain identifier or keyword not reserved (via eddy_keyword_code)
 *   TK_QID      `quoted` or "quoted" identifier (z/n include the quotes; see eddy_lex_unquote)
 *   TK_STRING   'string' (quotes included)
 *   TK_BINSTR   X'0A1B' (X and quotes included)
 *   TK_INTEGER  123
 *   TK_DECIMAL  1.5  .5  1.
 *   TK_FLOAT    1e5  1.5E-3
 *   TK_LP ( TK_RP ) TK_LBRACKET [ TK_RBRACKET ] TK_COMMA , TK_SEMI ; TK_DOT .
 *   TK_STAR * TK_PLUS + TK_MINUS - TK_SLASH / TK_PERCENT % TK_CONCAT ||
 *   TK_EQ = or ==   TK_NE <> or !=   TK_LT <   TK_LE <=   TK_GT >   TK_GE >=
 *   TK_ARROW =>
 *   TK_HINT_BEGIN   slash-star-plus, opening a hint such as OPTIONS('k' = 'v')
 *   TK_HINT_END     star-slash closing a hint
 *   0           end of input
 * Comments (-- to end of line, and block comments) and white space are skipped.
 */
#ifndef EDDY_PARSER_TOKENIZER_H
#define EDDY_PARSER_TOKENIZER_H

#include <stdbool.h>
#include <stddef.h>

#include "../common/arena.h"
#include "../common/error.h"
#include "ast.h"

typedef struct eddy_token {
    int type;      /* TK_* code, 0 at the end of input */
    const char *z; /* first byte, in the SQL text */
    int n;         /* length in bytes */
    eddy_pos pos;  /* line, column and offset of z */
} eddy_token;

typedef struct eddy_lexer {
    const char *text;  /* start of the SQL text; text[len] must be NUL */
    size_t len;        /* length of the text */
    const char *cur;   /* next byte to read */
    const char *bol;   /* start of the current line */
    int line;          /* current line (1-based) */
    bool in_hint;      /* inside a hint comment, whose closing mark is a token */
    eddy_pos hint_pos; /* where the open hint started (for an error) */
} eddy_lexer;

/* Starts reading text, which must have a NUL at text[len]. */
void eddy_lexer_init(eddy_lexer *lx, const char *text, size_t len);

/* Reads the next token into tok. Returns 0, or EDDY_ELEX with err set (position included) for
 * an unterminated string, identifier or comment, an unfilled ${...} placeholder, or a byte that
 * starts no token. At the end of input tok->type is 0. */
int eddy_lexer_next(eddy_lexer *lx, eddy_token *tok, eddy_error *err);

/* The text of a TK_STRING, TK_QID or TK_BINSTR token without its quotes and with doubled
 * quotes made single, as a new NUL-terminated string in arena a. */
char *eddy_lex_unquote(eddy_arena *a, const eddy_token *tok);

/* The TK_* code of a keyword (case-insensitive), or TK_ID when z[0..n) is no keyword.
 * Defined in keywords.c beside the grammar. */
int eddy_keyword_code(const char *z, int n);

/* The text a user would recognise for a token code ("','", "SELECT", "identifier"), for error
 * messages. Defined in keywords.c. */
const char *eddy_token_name(int code);

#endif
