/*
 * format_csv.h: the 'csv' format (RFC 4180 with Flink's csv.* options): decoder and encoder.
 *
 * CSV is positional: field k of a record is the table's k-th physical column. The decoder is
 * told, per output column, which field it comes from, and how many fields a record has
 * (Flink rejects a record of another length: "Row length mismatch"); it converts only the
 * fields it needs and points unquoted and plainly quoted strings into the input when the
 * input outlives the batch (borrow), else copies them into the batch's arena.
 *
 * Options (Flink's names): 'csv.field-delimiter' (default ','; '\t' for tab),
 * 'csv.quote-character' ('"'), 'csv.disable-quote-character', 'csv.allow-comments' (lines
 * starting with '#' are skipped), 'csv.ignore-parse-errors', 'csv.escape-character' (none by
 * default; the character after it is taken literally), 'csv.null-literal' (none by default),
 * 'csv.array-element-delimiter' (accepted; arrays are not split), and
 * 'csv.write-bigdecimal-in-scientific-notation' (default true: BigDecimal.toString).
 *
 * Values: text as value_text.h reads it. NULL is the null literal when one is set; besides,
 * an empty unquoted field is NULL for every type but CHAR/VARCHAR, which read it as the empty
 * string (as Jackson's CSV reader does without a null literal). The encoder writes NULL as
 * the null literal (empty without one), quotes a field that holds the delimiter, the quote,
 * CR or LF (doubling quotes), and quotes an empty string so that it stays apart from NULL.
 * Timestamps are written 'yyyy-MM-dd HH:mm:ss[.f]' as Flink's CSV writer does.
 */
#ifndef EDDY_CONNECTORS_FORMAT_CSV_H
#define EDDY_CONNECTORS_FORMAT_CSV_H

#include <stdbool.h>
#include <stddef.h>

#include "common/strbuf.h"
#include "connectors/options.h"
#include "planner/plan.h"
#include "runtime/batch.h"

typedef struct eddy_csv_options {
    char delim;               /* field delimiter */
    char quote;               /* quote character; 0 when disabled */
    char escape;              /* escape character, 0 = none */
    bool allow_comments;      /* skip lines starting with '#' */
    bool ignore_parse_errors; /* the source skips bad lines */
    const char *null_literal; /* text of NULL, or NULL for none */
    bool dec_scientific;      /* DECIMAL via BigDecimal.toString (else plain) */
} eddy_csv_options;

/* The csv.* option keys (NULL-terminated). */
extern const char *const eddy_csv_option_keys[];
/* Reads the csv.* options (the null literal points into the options). */
int eddy_csv_options_read(const eddy_optset *o, eddy_csv_options *co);
/* Defaults: ',' and '"'. */
void eddy_csv_options_default(eddy_csv_options *co);

/* Length of the record at p[0..n): through the first line end outside quotes (or n). *content
 * gets the length without the line end ("\n" or "\r\n"). */
size_t eddy_csv_record_len(const eddy_csv_options *opt, const char *p, size_t n, size_t *content);

typedef struct eddy_csv_decoder eddy_csv_decoder;

/* A decoder for the columns of schema; column i is field positions[i] (0-based) of a record
 * (NULL: column i is field i; -1: not from the record, the caller fills it). A record must have nfields fields (-1: at least the largest
 * position + 1). */
eddy_csv_decoder *eddy_csv_decoder_new(const eddy_schema *schema, const int *positions,
                                       int nfields, const eddy_csv_options *opt);
void eddy_csv_decoder_free(eddy_csv_decoder *d);
/* Decodes one record (without its line end) into row b->n and counts it. A comment line
 * (with allow_comments) adds no row and returns 0. Returns 0 or EDDY_EDATA (reason in
 * eddy_csv_decoder_error: "byte 12: field 3 (price): cannot read 'x' as BIGINT"). */
int eddy_csv_decode(eddy_csv_decoder *d, const char *p, size_t n, eddy_batch *b, bool borrow);
const char *eddy_csv_decoder_error(const eddy_csv_decoder *d);

typedef struct eddy_csv_encoder eddy_csv_encoder;

/* An encoder of columns cols[0..ncols) of the batches (NULL = all columns of schema). */
eddy_csv_encoder *eddy_csv_encoder_new(const eddy_schema *schema, const int *cols, int ncols,
                                       const eddy_csv_options *opt);
void eddy_csv_encoder_free(eddy_csv_encoder *e);
/* Appends row `row` as one record, without a line end. */
void eddy_csv_encode_row(const eddy_csv_encoder *e, const eddy_batch *b, int row, eddy_strbuf *out);

#endif
