/*
 * placeholders.h: filling ${NAME} placeholders in a SQL file before it is parsed.
 *
 * Published query files (the Nexmark SQL, templates shared between environments) carry
 * placeholders such as ${TPS}; `eddy run -D TPS=1000 file.sql` fills them.
 *
 *     const char *names[] = {"TPS"}, *values[] = {"1000"};
 *     char *sql = eddy_placeholders_fill(text, names, values, 1, &err);
 *
 * A placeholder is '$', '{', a name of letters, digits, '_' and '.', and '}'. A '$' not
 * followed by '{' is left alone.
 */
#ifndef EDDY_COMMON_PLACEHOLDERS_H
#define EDDY_COMMON_PLACEHOLDERS_H

#include "error.h"

/* Returns a new malloc'ed copy of text with every ${NAME} replaced by its value. When a
 * placeholder has no value, returns NULL and sets err (EDDY_EUSAGE, with its line and column,
 * suggesting -D NAME=VALUE). */
char *eddy_placeholders_fill(const char *text, const char *const *names,
                             const char *const *values, int n, eddy_error *err);

#endif
