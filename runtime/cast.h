/*
 * cast.h: the text of values, and text to values, with Flink's rules.
 *
 * Writers (print, CSV, JSON, the REPL) need the canonical text of a value of any type; readers
 * (CSV, option values) need text turned into a typed value as CAST(text AS type) does. The
 * expression kernels of CAST (cast.c) use the same functions, so a value prints the way
 * CAST(x AS STRING) shows it, with one exception named below.
 *
 *     eddy_strbuf sb = {0};
 *     for (int r = 0; r < b->n; r++)
 *         if (eddy_value_format(&b->cols[c], r, &sb)) eddy_strbuf_puts(&sb, "NULL");
 *
 * Canonical text per type:
 *   TINYINT .. BIGINT     decimal digits                                  -42
 *   DOUBLE                Java's Double.toString: the shortest digits that read back as the
 *                         same double; plain between 1e-3 and 1e7, else scientific
 *                                                                         1.0  0.1  1.0E10  1.0E-4
 *   FLOAT                 Java's Float.toString (shortest digits for a float)
 *   DECIMAL(p, s)         exactly s fraction digits (BigDecimal.toPlainString)   12.300
 *   BOOLEAN               true / false: lower case, as Flink's print sink, CSV and JSON show
 *                         them (Row.toString, Jackson). CAST(b AS STRING) gives TRUE / FALSE
 *                         (Flink's cast rule); that is the one difference.
 *   TIMESTAMP(p), _LTZ    yyyy-MM-dd HH:mm:ss with p fraction digits (p = 3: .SSS; a TIMESTAMP
 *                         without precision is TIMESTAMP(6), as Flink)    2020-01-01 10:00:00.000
 *   DATE                  yyyy-MM-dd
 *   TIME(p)               HH:mm:ss plus p fraction digits
 *   INTERVAL              Flink's display: +1 02:03:04.500 (day-time), +1-06 (year-month)
 *   CHAR .. VARBINARY     the bytes as they are (also ARRAY/MAP/ROW, which travel as JSON text)
 * NULL is left to the caller: the functions return true and write nothing.
 */
#ifndef EDDY_RUNTIME_CAST_H
#define EDDY_RUNTIME_CAST_H

#include <stdbool.h>
#include <stddef.h>

#include "../common/error.h"
#include "../common/sqltype.h"
#include "../common/strbuf.h"
#include "batch.h"

/* Bytes enough for the text of any non-string value (eddy_value_text). */
#define EDDY_VALUE_BUFSZ 64

/* Appends the canonical text of row `row` of column c to out. Returns true (and appends
 * nothing) when the value is NULL. */
bool eddy_value_format(const eddy_col *c, int row, eddy_strbuf *out);

/* The canonical text of a non-string value into buf (EDDY_VALUE_BUFSZ bytes, NUL-terminated):
 * returns its length, or 0 for a string column (whose text is its bytes) and for NULL. */
size_t eddy_value_text(const eddy_col *c, int row, char *buf);

/* Java's Double.toString / Float.toString into buf (at least 32 bytes); returns the length.
 * NaN, Infinity, -Infinity, 0.0 and -0.0 as Java prints them. */
size_t eddy_format_double(double v, char *buf);
size_t eddy_format_float(float v, char *buf);

/*
 * Parses text s[0..n) as CAST(s AS c->type) and stores it in row `row` of column c (a string
 * type keeps pointing at s: the caller keeps s alive or copies it). Surrounding whitespace is
 * ignored for non-string types. Returns 0, 1 when the value is NULL (a DECIMAL that does not
 * fit its precision, as Flink; c->nulls is not touched), or EDDY_EDATA with err naming the
 * text and the type ("cannot cast 'abc' to INT").
 */
int eddy_value_parse(const char *s, size_t n, eddy_col *c, int row, eddy_error *err);

#endif
