/*
 * format_json.h: the 'json' format: a projection-pushed JSON-lines decoder and an encoder.
 *
 * Decoder. Built once per source from the columns the plan needs, each named by its path in
 * the table ({"event_type"}, {"bid", "price"} for the ROW field bid.price). It reads one JSON
 * object per call, straight into a row of a batch, and builds no tree: fields that no column
 * asks for are skipped by a scanner that checks their structure and converts nothing; nested
 * objects are entered only where a path goes. A column whose type is ROW, ARRAY or MAP gets
 * the JSON text of its value (batch.h: nested values travel as JSON text). Hand-written
 * rather than jansson (DESIGN.md): it decodes only what the plan uses, without allocating.
 *
 *     eddy_json_decoder *d = eddy_json_decoder_new(schema, paths, npath, &opts);
 *     if (eddy_json_decode(d, line, len, batch, true) != 0)
 *         printf("%s\n", eddy_json_decoder_error(d));   // "byte 17: expected ':' after a name"
 *     eddy_json_decoder_free(d);
 *
 * Values follow Flink's JsonToRowDataConverters: JSON null and a missing field are NULL (or an
 * error with 'json.fail-on-missing-field'); integers fill TINYINT..BIGINT (a number with a
 * fraction is truncated, a string holding a number is read, out of range is an error);
 * DOUBLE/FLOAT/DECIMAL read numbers or numeric strings (DECIMAL rounds HALF_UP to its scale and
 * is NULL beyond its precision, as Flink); BOOLEAN true/false or a string ('true' in any case;
 * any other string is false, as Java's Boolean.parseBoolean); VARCHAR a string, or the JSON
 * text of any other value; TIMESTAMP(p) 'yyyy-MM-dd HH:mm:ss[.fff]', parsed by fixed positions
 * (common/timeutil.h), and also the ISO-8601 form 'yyyy-MM-ddTHH:mm:ss[.fff][Z]' whatever
 * 'json.timestamp-format.standard' says (Flink reads only the configured one; reading both
 * costs nothing and spares users an error), and, an eddy extension, a JSON integer as epoch
 * milliseconds; TIMESTAMP_LTZ the same with an optional 'Z' (UTC); DATE 'yyyy-MM-dd', TIME 'HH:mm:ss';
 * BINARY base64. Field names match exactly (case-sensitive); of duplicate fields the last wins.
 *
 * Strings: a string value without escapes points into the input when the caller says the input
 * outlives the batch (borrow = true: an mmap'ed file, a Kafka message kept until the batch is
 * pushed); otherwise, and always for strings with escapes (decoded to UTF-8, \uXXXX surrogate
 * pairs joined, a lone surrogate becomes U+FFFD), the bytes go into the batch's arena.
 *
 * Errors: the reason names the byte position within the text, 1-based ("byte 17: ..."), and
 * the field for conversion errors ("byte 30: field 'bid.price': cannot read 'x' as BIGINT").
 * The caller adds the file and line. On error the batch's row count is unchanged.
 *
 * Encoder. One JSON object per row as Flink's JSON format writes it: field names = column
 * names in order, NULL as null (or left out with 'json.encode.ignore-null-fields'), timestamps
 * as 'yyyy-MM-dd HH:mm:ss[.f]' (Flink trims the fraction's zeros; ISO-8601 on request), DECIMAL
 * as a number (BigDecimal.toString), DOUBLE as Java prints it (NaN and infinities as strings),
 * BINARY base64, nested values (their JSON text) as they are.
 */
#ifndef EDDY_CONNECTORS_FORMAT_JSON_H
#define EDDY_CONNECTORS_FORMAT_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include "common/strbuf.h"
#include "connectors/options.h"
#include "planner/plan.h"
#include "runtime/batch.h"

typedef struct eddy_json_options {
    bool iso8601;             /* 'json.timestamp-format.standard' = 'ISO-8601' */
    bool fail_on_missing;     /* 'json.fail-on-missing-field' */
    bool ignore_parse_errors; /* 'json.ignore-parse-errors' (the source skips bad lines) */
    bool ignore_null_fields;  /* 'json.encode.ignore-null-fields' */
    bool decimal_plain;       /* 'json.encode.decimal-as-plain-number' */
} eddy_json_options;

/* The json.* option keys a connector with format 'json' accepts (NULL-terminated). */
extern const char *const eddy_json_option_keys[];
/* Reads the json.* options. 0 or EDDY_EUSAGE (err in o). */
int eddy_json_options_read(const eddy_optset *o, eddy_json_options *jo);

/* ---------------------------------------------------------------------------------------- */
/* Decoder                                                                                  */

typedef struct eddy_json_decoder eddy_json_decoder;

/* A decoder for the columns of schema; paths[i] (npath[i] names) is column i's path, or, when
 * paths is NULL, its name. opt may be NULL (defaults). */
eddy_json_decoder *eddy_json_decoder_new(const eddy_schema *schema, const char *const *const *paths,
                                         const int *npath, const eddy_json_options *opt);
void eddy_json_decoder_free(eddy_json_decoder *d);

/* Decodes the JSON object in p[0..n) into row b->n of b (shaped like the schema) and counts
 * it. Surrounding whitespace is fine. Returns 0 or EDDY_EDATA (reason in
 * eddy_json_decoder_error). */
int eddy_json_decode(eddy_json_decoder *d, const char *p, size_t n, eddy_batch *b, bool borrow);
/* The reason of the last failure. */
const char *eddy_json_decoder_error(const eddy_json_decoder *d);

/* ---------------------------------------------------------------------------------------- */
/* Encoder                                                                                  */

typedef struct eddy_json_encoder eddy_json_encoder;

/* An encoder of the columns cols[0..ncols) (NULL = all columns of schema, in order). */
eddy_json_encoder *eddy_json_encoder_new(const eddy_schema *schema, const int *cols, int ncols,
                                         const eddy_json_options *opt);
void eddy_json_encoder_free(eddy_json_encoder *e);
/* Appends row `row` of b as one JSON object (no newline). first, when not NULL, is written as
 * the object's first member as it is (print writes "\"op\":\"+I\""). */
void eddy_json_encode_row(const eddy_json_encoder *e, const eddy_batch *b, int row,
                          const char *first, eddy_strbuf *out);

/* ---------------------------------------------------------------------------------------- */
/* Small helpers other formats use                                                          */

/* Appends s[0..n) as a JSON string literal (quotes included). */
void eddy_json_put_string(eddy_strbuf *out, const char *s, size_t n);
/* The end of the JSON value starting at p (after leading whitespace), or NULL when it is
 * malformed or ends past `end`. */
const char *eddy_json_skip_value(const char *p, const char *end);
/* Decodes the body of a string literal (between the quotes) into out, which has room for n
 * bytes (the decoded text is never longer). Returns the length or -1 for a bad escape. */
long eddy_json_unescape(const char *p, size_t n, char *out);

#endif
