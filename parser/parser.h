/*
 * parser.h: what the parser folder offers: SQL text in, syntax tree (ast.h) out.
 *
 *     eddy_script *s;
 *     eddy_error err;
 *     if (eddy_parse(sql, strlen(sql), &s, &err) != 0) {
 *         char msg[2048];
 *         fprintf(stderr, "%s\n", eddy_error_render(&err, sql, msg, sizeof msg));
 *     } else {
 *         ... s->stmts[0] ...
 *         eddy_script_free(s);
 *     }
 *
 * A script is any number of statements separated by ';' (the last ';' is optional). The
 * parser reads no catalog; names are resolved by the planner. Errors carry the line and
 * column of the offending token, and for a syntax error the tokens that could have stood
 * there ("expected one of: ',', FROM, ...") where the grammar can tell.
 * Thread-safe: parses share no state.
 */
#ifndef EDDY_PARSER_PARSER_H
#define EDDY_PARSER_PARSER_H

#include <stddef.h>

#include "../common/error.h"
#include "ast.h"

/* Parses len bytes of sql. On success returns 0 and *out is a new script (free it with
 * eddy_script_free). On failure returns EDDY_ESYNTAX or EDDY_ELEX, *out is NULL and err holds
 * the first error with its position. The text need not be NUL-terminated; it is copied. */
int eddy_parse(const char *sql, size_t len, eddy_script **out, eddy_error *err);

/* Frees a script and every node in it. NULL is fine. */
void eddy_script_free(eddy_script *s);

#endif
