/*
 * sqlfile.h: reading the SQL file a command was given, filling its ${NAME} placeholders,
 * parsing it, and showing its errors the way every command shows them:
 *
 *     q.sql: line 3, column 14: syntax error near ','
 *       SELECT a, b,, c
 *                   ^
 *
 * Used by run, explain and parse; the REPL uses eddy_sqlfile_report() for its own buffer.
 */
#ifndef EDDY_SHELL_SQLFILE_H
#define EDDY_SHELL_SQLFILE_H

#include <stddef.h>

#include "cli.h"
#include "common/error.h"
#include "parser/parser.h"

/* A SQL text ready to parse. */
typedef struct eddy_sqlfile {
    const char *name; /* for messages: the path as given, or "stdin" */
    char *text;       /* the text with placeholders filled, NUL-terminated, malloc'ed */
    size_t len;       /* its length */
} eddy_sqlfile;

/* Reads a->file ("-" = stdin) and fills the placeholders from a's -D definitions. Returns
 * EDDY_EXIT_OK, or prints the error and returns EDDY_EXIT_USAGE (unreadable file, a NUL byte,
 * a placeholder without a value). On success free f with eddy_sqlfile_free. */
int eddy_sqlfile_load(const eddy_cli_args *a, eddy_sqlfile *f);

/* Parses f. Returns EDDY_EXIT_OK with *out a new script (free with eddy_script_free), or prints
 * the error and returns EDDY_EXIT_QUERY with *out NULL. */
int eddy_sqlfile_parse(const eddy_sqlfile *f, eddy_script **out);

void eddy_sqlfile_free(eddy_sqlfile *f);

/* Prints err on text to stderr: "name: " (when name is not NULL), then the rendered error with
 * the line and a caret (eddy_error_render). */
void eddy_sqlfile_report(const char *name, const eddy_error *err, const char *text);

#endif
