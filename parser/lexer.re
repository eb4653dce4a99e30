/*
 * lexer.re: the tokenizer of eddy's SQL, turned into lexer.c by re2c at build time.
 *
 * The contract is tokenizer.h: tokens point into the text and carry line, column and offset;
 * keywords are decided by eddy_keyword_code() beside the grammar. This file knows the shapes
 * of tokens only. re2c runs with its end-of-input rule (re2c:eof): the text must have a NUL at
 * text[len], and a NUL before that is an ordinary (invalid) byte, reported as such.
 *
 * Block comments are skipped by a small loop rather than by a regular expression so that an
 * unterminated one can be reported where it starts. A comment that opens with slash-star-plus is
 * a hint (Flink's OPTIONS hints): its opening and closing marks become tokens and its inside is
 * tokenized as SQL.
 */
#include "tokenizer.h"

#include <string.h>

#include "grammar.h"

void eddy_lexer_init(eddy_lexer *lx, const char *text, size_t len)
{
    lx->text = text;
    lx->len = len;
    lx->cur = text;
    lx->bol = text;
    lx->line = 1;
    lx->in_hint = false;
}

/* Moves the line counter over [from, to). */
static void advance_lines(eddy_lexer *lx, const char *from, const char *to)
{
    for (const char *p = from; p < to; p++) {
        p = memchr(p, '\n', (size_t)(to - p));
        if (!p) break;
        lx->line++;
        lx->bol = p + 1;
    }
}

static eddy_pos pos_of(const eddy_lexer *lx, const char *p)
{
    eddy_pos pos;
    pos.line = lx->line;
    pos.col = (int)(p - lx->bol) + 1;
    pos.off = (int)(p - lx->text);
    return pos;
}

static int lex_error(eddy_lexer *lx, const char *at, eddy_error *err, const char *what)
{
    eddy_pos pos = pos_of(lx, at);
    return eddy_error_set(err, EDDY_ELEX, pos.line, pos.col, "%s", what);
}

/* Skips a block comment whose opening mark starts at p; returns the byte after its closing
 * mark, or NULL when it never closes. */
static const char *skip_block_comment(const char *p, const char *lim)
{
    for (p += 2; p + 1 < lim; p++) {
        if (p[0] == '*' && p[1] == '/') return p + 2;
    }
    return NULL;
}

static int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/*!re2c
    re2c:api:style = free-form;
    re2c:define:YYCTYPE = "unsigned char";
    re2c:define:YYCURSOR = "cur";
    re2c:define:YYLIMIT = "lim";
    re2c:define:YYMARKER = "mar";
    re2c:yyfill:enable = 0;
    re2c:eof = 0;

    digit   = [0-9];
    idstart = [a-zA-Z_] | [\x80-\xff];
    idchar  = [a-zA-Z0-9_$] | [\x80-\xff];
    exp     = [eE] [+-]? digit+;
    ws      = [ \t\r\n\f\v]+;
*/

int eddy_lexer_next(eddy_lexer *lx, eddy_token *tok, eddy_error *err)
{
    const unsigned char *lim = (const unsigned char *)lx->text + lx->len;
    for (;;) {
        const unsigned char *start = (const unsigned char *)lx->cur;
        const unsigned char *cur = start;
        const unsigned char *mar = start;
        int type = -1;
        (void)mar;
        /*!re2c
            $ {
                tok->type = 0;
                tok->z = (const char *)start;
                tok->n = 0;
                tok->pos = pos_of(lx, (const char *)start);
                if (lx->in_hint) {
                    eddy_pos hp = lx->hint_pos;
                    return eddy_error_set(err, EDDY_ELEX, hp.line, hp.col,
                                          "unterminated hint: '/*+' has no closing '*/'");
                }
                return 0;
            }
            ws {
                advance_lines(lx, (const char *)start, (const char *)cur);
                lx->cur = (const char *)cur;
                continue;
            }
            "--" [^\n\x00]* {
                lx->cur = (const char *)cur;
                continue;
            }
            "/*+" {
                if (lx->in_hint)
                    return lex_error(lx, (const char *)start, err, "a hint cannot contain another hint");
                lx->in_hint = true;
                lx->hint_pos = pos_of(lx, (const char *)start);
                type = TK_HINT_BEGIN;
                goto done;
            }
            "/*" {
                const char *end = skip_block_comment((const char *)start, (const char *)lim);
                if (!end)
                    return lex_error(lx, (const char *)start, err,
                                     "unterminated comment: '/*' has no closing '*/'");
                advance_lines(lx, (const char *)start, end);
                lx->cur = end;
                continue;
            }
            "*/" {
                if (!lx->in_hint) {
                    /* outside a hint this is a '*' followed by whatever starts at '/' */
                    cur = start + 1;
                    type = TK_STAR;
                    goto done;
                }
                lx->in_hint = false;
                type = TK_HINT_END;
                goto done;
            }
            "${" {
                const unsigned char *e = cur;
                while (e < lim && *e != '}' && *e != '\n' && e - cur < 64) e++;
                eddy_pos p = pos_of(lx, (const char *)start);
                if (e < lim && *e == '}')
                    return eddy_error_set(err, EDDY_ELEX, p.line, p.col,
                                          "placeholder ${%.*s} is not filled in: pass -D %.*s=VALUE",
                                          (int)(e - cur), (const char *)cur, (int)(e - cur),
                                          (const char *)cur);
                return eddy_error_set(err, EDDY_ELEX, p.line, p.col, "unexpected character '$'");
            }

            idstart idchar*                 { type = TK_ID; goto done; }
            "`" ([^`] | "``")* "`"          { type = TK_QID; goto quoted; }
            ["] ([^"] | ["]["])* ["]        { type = TK_QID; goto quoted; }
            "'" ([^'] | "''")* "'"          { type = TK_STRING; goto quoted; }
            [xX] "'" [^']* "'" {
                for (const unsigned char *h = start + 2; h < cur - 1; h++) {
                    if (hexval(*h) < 0)
                        return lex_error(lx, (const char *)h, err,
                                         "invalid hexadecimal digit in binary literal X'...'");
                }
                if ((cur - start - 3) % 2 != 0)
                    return lex_error(lx, (const char *)start, err,
                                     "binary literal X'...' needs an even number of hex digits");
                type = TK_BINSTR;
                goto done;
            }

            digit+                          { type = TK_INTEGER; goto done; }
            digit+ "." digit* | "." digit+  { type = TK_DECIMAL; goto done; }
            (digit+ ("." digit*)? | "." digit+) exp { type = TK_FLOAT; goto done; }

            "("  { type = TK_LP; goto done; }
            ")"  { type = TK_RP; goto done; }
            "["  { type = TK_LBRACKET; goto done; }
            "]"  { type = TK_RBRACKET; goto done; }
            ","  { type = TK_COMMA; goto done; }
            ";"  { type = TK_SEMI; goto done; }
            "."  { type = TK_DOT; goto done; }
            "*"  { type = TK_STAR; goto done; }
            "+"  { type = TK_PLUS; goto done; }
            "-"  { type = TK_MINUS; goto done; }
            "/"  { type = TK_SLASH; goto done; }
            "%"  { type = TK_PERCENT; goto done; }
            "||" { type = TK_CONCAT; goto done; }
            "=>" { type = TK_ARROW; goto done; }
            "=" | "==" { type = TK_EQ; goto done; }
            "<>" | "!=" { type = TK_NE; goto done; }
            "<"  { type = TK_LT; goto done; }
            "<=" { type = TK_LE; goto done; }
            ">"  { type = TK_GT; goto done; }
            ">=" { type = TK_GE; goto done; }

            "'" {
                return lex_error(lx, (const char *)start, err,
                                 "unterminated string literal: missing closing quote (')");
            }
            "`" {
                return lex_error(lx, (const char *)start, err,
                                 "unterminated quoted identifier: missing closing backquote (`)");
            }
            ["] {
                return lex_error(lx, (const char *)start, err,
                                 "unterminated quoted identifier: missing closing double quote (\")");
            }
            * {
                eddy_pos p = pos_of(lx, (const char *)start);
                unsigned char c = *start;
                if (c >= 0x21 && c < 0x7f)
                    return eddy_error_set(err, EDDY_ELEX, p.line, p.col,
                                          "unexpected character '%c'", c);
                return eddy_error_set(err, EDDY_ELEX, p.line, p.col,
                                      "unexpected byte 0x%02x", c);
            }
        */
    quoted:
        /* A complete quoted token directly followed by its own quote character means the
         * doubled quote after it started an escape that never closed: `'it''s` is one
         * unterminated string, reported where it starts. */
        if (cur < lim && *cur == *start) {
            const char *what = *start == '\'' ? "unterminated string literal: missing closing quote (')"
                               : *start == '`' ? "unterminated quoted identifier: missing closing backquote (`)"
                                               : "unterminated quoted identifier: missing closing double quote (\")";
            return lex_error(lx, (const char *)start, err, what);
        }
    done:
        tok->type = type;
        tok->z = (const char *)start;
        tok->n = (int)(cur - start);
        tok->pos = pos_of(lx, (const char *)start);
        if (type == TK_ID) tok->type = eddy_keyword_code(tok->z, tok->n);
        if (type == TK_QID || type == TK_STRING)
            advance_lines(lx, (const char *)start, (const char *)cur);
        lx->cur = (const char *)cur;
        return 0;
    }
}

char *eddy_lex_unquote(eddy_arena *a, const eddy_token *tok)
{
    const char *z = tok->z;
    int n = tok->n;
    if (tok->type == TK_BINSTR) return eddy_arena_strndup(a, z + 2, (size_t)(n - 3));
    if (n < 2) return eddy_arena_strndup(a, z, (size_t)n);
    char q = z[0];
    char *out = eddy_arena_alloc(a, (size_t)n);
    int o = 0;
    for (int i = 1; i < n - 1; i++) {
        out[o++] = z[i];
        if (z[i] == q && i + 1 < n - 1 && z[i + 1] == q) i++;
    }
    out[o] = 0;
    return out;
}
