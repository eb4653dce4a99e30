/*
 * value_text.h: the text of one cell, both ways, in the forms Flink's connectors use.
 *
 * Formats read and write cells as text: CSV fields, JSON strings holding numbers, the print
 * connector's rows. The runtime's canonical text (runtime/cast.h, CAST to STRING and the SQL
 * client's display) differs from what Flink's connectors write for timestamps, times,
 * intervals, DECIMAL, BINARY and nested values, so those are here; numbers use cast.h's
 * Java-exact eddy_format_double / eddy_format_float:
 *
 *   type          EDDY_TEXT_SQL (json, csv)          EDDY_TEXT_JAVA (print: Java toString)
 *   TIMESTAMP     2015-07-15 00:00:01.5 (fraction    2015-07-15T00:00:01.500, and
 *                 trimmed, none when 0: Flink's       2015-07-15T00:00 when seconds and
 *                 TimeFormats.SQL_TIMESTAMP_FORMAT)   fraction are 0 (LocalDateTime)
 *   TIMESTAMP_LTZ 2015-07-15 00:00:01.5Z             2015-07-15T00:00:01.500Z (Instant)
 *   TIME          10:00:01.5                          10:00:01.500, 10:00 (LocalTime)
 *   DATE          2015-07-15                          2015-07-15
 *   DOUBLE        1.0, 1.0E10 (Double.toString)       same
 *   DECIMAL       12.500 (BigDecimal.toString)        same
 *   BINARY        base64                              [1, -2] (byte[] as Arrays.toString)
 *   INTERVAL      the number (ms or months)           PT5S / P1Y6M (Duration / Period)
 *   ROW, ARRAY,   their JSON text as is               +I[a, 1], [1, 2], {k=v} (Row, List,
 *   MAP                                               Map toString), fields by the type
 * EDDY_TEXT_ISO is EDDY_TEXT_SQL with 'T' in timestamps ('json.timestamp-format.standard' =
 * 'ISO-8601').
 *
 * Parsing goes the other way for CSV fields and JSON values given as strings: numbers (with
 * surrounding spaces trimmed, as Java's parseLong(s.trim())), booleans (Flink's
 * Boolean.parseBoolean: 'true' in any case is true, anything else false), timestamps in the
 * SQL or ISO form, dates, times, DECIMAL rounded HALF_UP (a value beyond the precision is
 * NULL, as Flink's DecimalData.fromBigDecimal), base64 for BINARY.
 */
#ifndef EDDY_CONNECTORS_VALUE_TEXT_H
#define EDDY_CONNECTORS_VALUE_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/sqltype.h"
#include "common/strbuf.h"
#include "runtime/batch.h"

typedef enum eddy_text_style {
    EDDY_TEXT_SQL,  /* json and csv ('SQL' timestamp standard) */
    EDDY_TEXT_ISO,  /* json with 'ISO-8601' timestamps */
    EDDY_TEXT_JAVA, /* print */
} eddy_text_style;

/* How a column's cells convert, decided once per column. */
typedef enum eddy_cell_kind {
    EDDY_CELL_BOOL,
    EDDY_CELL_INT,      /* TINYINT..BIGINT: min/max give the range */
    EDDY_CELL_FLOAT,
    EDDY_CELL_DOUBLE,
    EDDY_CELL_DEC,
    EDDY_CELL_STR,      /* CHAR, VARCHAR */
    EDDY_CELL_BYTES,    /* BINARY, VARBINARY */
    EDDY_CELL_DATE,
    EDDY_CELL_TIME,
    EDDY_CELL_TS,
    EDDY_CELL_TS_LTZ,
    EDDY_CELL_INTERVAL, /* milliseconds or months, as a number */
    EDDY_CELL_NESTED,   /* ROW, ARRAY, MAP, MULTISET, RAW: JSON text */
} eddy_cell_kind;

typedef struct eddy_cellfmt {
    eddy_cell_kind kind;
    const eddy_sqltype *type;   /* the column's type */
    int64_t min, max;           /* INT: range of the SQL type */
    int precision, scale;       /* DEC */
    const char *type_name;      /* "BIGINT", for messages */
} eddy_cellfmt;

/* Fills f for a column of type t. */
void eddy_cellfmt_init(eddy_cellfmt *f, const eddy_sqltype *t);

/*
 * Parses s[0..n) into row `row` of column `col` of b (the cell's null byte is cleared, or set
 * for a DECIMAL beyond its precision). Strings point into s when borrow is true, else are
 * copied into b's arena. Returns 0, or EDDY_EDATA with a reason in why ("cannot read 'x1' as
 * BIGINT").
 */
int eddy_cell_parse(const eddy_cellfmt *f, const char *s, size_t n, bool iso, eddy_batch *b,
                    int col, int row, bool borrow, char *why, size_t whysz);

/* Appends the text of a non-NULL cell. */
void eddy_cell_format(const eddy_cellfmt *f, const eddy_col *c, int row, eddy_text_style style,
                      eddy_strbuf *out);

/* BigDecimal.toString of unscaled v with `scale` (plain unless the exponent is below -6, as
 * Java: 1E-8); buf of 64 bytes. */
size_t eddy_text_decimal(__int128 v, int scale, char *buf);

/* Base64 (RFC 4648, with padding). */
void eddy_base64_encode(const uint8_t *p, size_t n, eddy_strbuf *out);
/* Decodes into out (room for n * 3 / 4 bytes); returns the length or -1 for bad input. */
long eddy_base64_decode(const char *s, size_t n, uint8_t *out);

/* The Java toString of a nested value's JSON text (ROW as +I[...], ARRAY as [...], MAP as
 * {k=v}) following its SQL type; falls back to the text itself when it does not parse. */
void eddy_text_nested_java(const eddy_sqltype *t, const char *json, size_t n, eddy_strbuf *out);

#endif
