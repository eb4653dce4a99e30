/*
 * parse_check.h: helpers shared by the parser's test programs (tests/unit/test_parser_*.c), its
 * fuzz target (tests/fuzz/fuzz_parser.c) and the fuzz seed maker (tests/fuzz/make_seeds.c).
 *
 * The round trip that every statement that parses must survive:
 *
 *     dump(parse(q)) == dump(parse(print(parse(q))))       the printer loses nothing
 *     print(parse(print(parse(q)))) == print(parse(q))     the printer is a fixpoint
 *
 * where dump is eddy_ast_dump_stmt() without positions and print is eddy_ast_print_stmt().
 *
 *     eddy_strbuf why = {0};
 *     for (int i = 0; i < s->n; i++)
 *         if (eddy_test_roundtrip(s, i, &why) != 0) fprintf(stderr, "%s", why.s);
 *     eddy_strbuf_free(&why);
 *
 * Files: eddy_test_read_file() and eddy_test_list_dir() return malloc'ed memory that the caller
 * frees (free() and eddy_test_free_list()).
 */
#ifndef EDDY_TESTS_PARSE_CHECK_H
#define EDDY_TESTS_PARSE_CHECK_H

#include <stddef.h>

#include "common/strbuf.h"
#include "parser/parser.h"

/* Checks the round trip of statement i of script s. Returns 0, or -1 after appending to why a
 * report that names the statement and gives both SQL texts and both dumps (or the error of the
 * reparse). */
int eddy_test_roundtrip(const eddy_script *s, int i, eddy_strbuf *why);

/* The text of statement i of s as written (its byte range in the script), malloc'ed. */
char *eddy_test_stmt_text(const eddy_script *s, int i);

/* Reads a whole file into a new NUL-terminated buffer; *len (if not NULL) gets its length.
 * Returns NULL when the file cannot be read. */
char *eddy_test_read_file(const char *path, size_t *len);

/* Lists the names (not paths) of the files in dir whose name ends with suffix, sorted
 * bytewise, into a new array *names. Returns the count, or -1 when dir cannot be opened. */
int eddy_test_list_dir(const char *dir, const char *suffix, char ***names);
void eddy_test_free_list(char **names, int n);

#endif
