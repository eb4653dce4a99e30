/*
 * fuzz_csv.c: libFuzzer target for the 'csv' format (connectors/format_csv.h).
 *
 * The first input byte chooses the options, the rest is CSV text cut into records by
 * eddy_csv_record_len as the filesystem source cuts a file. The option byte, bit by bit:
 *   0-1  field delimiter  ',' ';' '\t' '|'
 *   2-3  quote character  '"' '\'' none '"'
 *   4    escape character '\\' (else none)
 *   5    allow-comments (and ignore-parse-errors, which the decoder itself does not read)
 *   6    null literal 'NULL' (else none)
 *   7    a record must have exactly 17 fields (else at least 17)
 * and the input's length: bit 0 borrow strings (else copy them), bit 1 DECIMAL written by
 * BigDecimal.toString (else plain).
 *
 * The decoder's schema has every column type eddy has (BOOLEAN, TINYINT..BIGINT, FLOAT,
 * DOUBLE, DECIMAL(10,2) and (38,10), STRING, BYTES, DATE, TIME, TIMESTAMP(3), TIMESTAMP_LTZ(3),
 * a ROW as JSON text); field 9 of a record is unused and field 5 feeds two columns. Checked:
 *   - a failure leaves the batch's row count alone and gives a reason "byte N: ...";
 *   - a decoded row decodes the same whether strings are borrowed from the input or copied;
 *   - each decoded row, written by the encoder, is one record by eddy_csv_record_len, decodes
 *     again (every column from its own field) to the same values, and encodes to the same
 *     text again; except where CSV cannot tell values apart, so the check allows it:
 *       * without a null literal a NULL string is written as an empty field, read back as '';
 *       * a string equal to the null literal is read back as NULL;
 *       * without a quote character, a text holding the delimiter, a line end or the escape
 *         character cannot be written at all (the row is not compared), and an empty BYTES or
 *         ROW value reads back as NULL;
 *   - no crash, leak, out-of-bounds read or undefined behaviour (ASan and UBSan).
 *
 * Run: `ctest -R fuzz_csv_45s` in a fuzz build, or
 *     build/fuzz/tests/fuzz/fuzz_csv -dict=tests/fuzz/csv.dict CORPUS tests/fuzz/seeds_csv
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/strbuf.h"
#include "connectors/format_csv.h"
#include "connectors/value_text.h"
#include "fuzz_cells.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const fz_column columns[] = {
    {"i", &fz_int},       {"b", &fz_bool},     {"l", &fz_bigint},   {"d", &fz_double},
    {"dec", &fz_dec10_2}, {"s", &fz_string},   {"ts", &fz_ts3},     {"ltz", &fz_ltz3},
    {"day", &fz_date},    {"bid", &fz_row},    {"t", &fz_tinyint},  {"f", &fz_float},
    {"tm", &fz_time3},    {"bin", &fz_bytes},  {"big", &fz_dec38_10}, {"s_again", &fz_string},
    {"sm", &fz_smallint},
};
#define NCOLS ((int)(sizeof columns / sizeof columns[0]))
#define NFIELDS 17 /* fields of a decoded record: 0..16, field 9 unused */
static const int positions[NCOLS] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14, 15, 5, 16};
#define ROWS 64

/* Whether the text s[0..n) can be written as one field without a quote character. */
static bool plain_ok(const eddy_csv_options *o, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] == o->delim || s[i] == '\n' || s[i] == '\r' || (o->escape && s[i] == o->escape))
            return false;
    return true;
}

/* Whether row r of a can be written so that it reads back (see the header comment). */
static bool row_writable(const eddy_csv_options *o, const eddy_batch *a, int r)
{
    if (o->quote) return true;
    for (int c = 0; c < NCOLS; c++) {
        if (fz_isnull(a, c, r) || a->cols[c].phys != EDDY_PHYS_STR) continue;
        const eddy_str *s = &a->cols[c].v.str[r];
        if (!plain_ok(o, s->p, s->n)) return false;
    }
    return true;
}

/* Cells that CSV cannot tell apart (see the header comment): one is NULL, the other's text is
 * the null literal, or empty where that reads as NULL. */
static bool same_in_csv(const eddy_csv_options *o, int c, const eddy_batch *a, int ra,
                        const eddy_batch *b, int rb)
{
    bool na = fz_isnull(a, c, ra), nb = fz_isnull(b, c, rb);
    if (na == nb) return false;
    const eddy_batch *x = na ? b : a;
    int rx = na ? rb : ra;
    eddy_cellfmt f;
    eddy_cellfmt_init(&f, columns[c].type);
    eddy_strbuf t = {0};
    if (f.kind == EDDY_CELL_STR || f.kind == EDDY_CELL_NESTED)
        eddy_strbuf_append(&t, x->cols[c].v.str[rx].p, x->cols[c].v.str[rx].n);
    else
        eddy_cell_format(&f, &x->cols[c], rx, EDDY_TEXT_SQL, &t);
    bool same = false;
    if (o->null_literal && t.n == strlen(o->null_literal) && memcmp(t.s, o->null_literal, t.n) == 0)
        same = true;
    else if (t.n == 0)
        same = (f.kind == EDDY_CELL_STR && !o->null_literal) || (f.kind != EDDY_CELL_STR && !o->quote);
    eddy_strbuf_free(&t);
    return same;
}

static void round_trip(const eddy_csv_options *o, const eddy_schema *schema, eddy_batch *a, int ra,
                       eddy_batch *b)
{
    if (!row_writable(o, a, ra)) return;
    eddy_csv_encoder *enc = eddy_csv_encoder_new(schema, NULL, 0, o);
    eddy_csv_decoder *flat = eddy_csv_decoder_new(schema, NULL, NCOLS, o);
    eddy_strbuf out = {0}, again = {0};
    eddy_csv_encode_row(enc, a, ra, &out);
    const char *text = out.s ? out.s : "";
    size_t content = 0, len = eddy_csv_record_len(o, text, out.n, &content);
    if (len != out.n || content != out.n) {
        fprintf(stderr, "the encoded row is not one record (%zu of %zu bytes): %.*s\n", content,
                out.n, (int)out.n, text);
        abort();
    }
    int rb = b->n;
    if (eddy_csv_decode(flat, text, out.n, b, false) != 0 || b->n != rb + 1) {
        fprintf(stderr, "the encoder's output does not decode: %s\nencoded text: %.*s\n",
                eddy_csv_decoder_error(flat), (int)out.n, text);
        abort();
    }
    bool exact = true;
    for (int c = 0; c < NCOLS; c++) {
        if (fz_cell_equal(a, c, ra, b, c, rb)) continue;
        if (!same_in_csv(o, c, a, ra, b, rb))
            fz_differ("csv round trip", columns[c].name, a, c, ra, b, c, rb, text, out.n);
        exact = false;
    }
    if (exact) {
        eddy_csv_encode_row(enc, b, rb, &again);
        if (again.n != out.n || (out.n && memcmp(again.s, out.s, out.n) != 0)) {
            fprintf(stderr, "encoding is not a fixpoint:\n%.*s\n%.*s\n", (int)out.n, text,
                    (int)again.n, again.s ? again.s : "");
            abort();
        }
    }
    eddy_strbuf_free(&out);
    eddy_strbuf_free(&again);
    eddy_csv_decoder_free(flat);
    eddy_csv_encoder_free(enc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    static const char delims[] = {',', ';', '\t', '|'};
    static const char quotes[] = {'"', '\'', 0, '"'};
    unsigned ob = data[0];
    eddy_csv_options o;
    eddy_csv_options_default(&o);
    o.delim = delims[ob & 3];
    o.quote = quotes[(ob >> 2) & 3];
    o.escape = (ob >> 4) & 1 ? '\\' : 0;
    o.allow_comments = o.ignore_parse_errors = (ob >> 5) & 1;
    o.null_literal = (ob >> 6) & 1 ? "NULL" : NULL;
    int nfields = (ob >> 7) & 1 ? NFIELDS : -1;
    bool borrow = size & 1;
    o.dec_scientific = (size >> 1) & 1;

    eddy_schema schema = fz_schema(columns, NCOLS);
    eddy_csv_decoder *dec = eddy_csv_decoder_new(&schema, positions, nfields, &o);
    eddy_batch *a = fz_batch(&schema, ROWS), *b = fz_batch(&schema, ROWS);
    const char *p = (const char *)data + 1, *end = (const char *)data + size;
    while (p < end && a->n < ROWS && b->n < ROWS) {
        size_t content = 0, len = eddy_csv_record_len(&o, p, (size_t)(end - p), &content);
        if (len == 0 || len > (size_t)(end - p) || content > len) {
            fprintf(stderr, "bad record length %zu (content %zu) of %zu bytes\n", len, content,
                    (size_t)(end - p));
            abort();
        }
        int n0 = a->n;
        if (eddy_csv_decode(dec, p, content, a, borrow) != 0) {
            const char *why = eddy_csv_decoder_error(dec);
            if (a->n != n0 || strncmp(why, "byte ", 5) != 0) {
                fprintf(stderr, "bad failure: %d rows (%d before), reason '%s'\n", a->n, n0, why);
                abort();
            }
        } else if (a->n == n0 + 1) {
            /* borrowing strings or copying them gives the same cells */
            eddy_batch *copy = fz_batch(&schema, 1);
            if (eddy_csv_decode(dec, p, content, copy, !borrow) != 0 || copy->n != 1) {
                fprintf(stderr, "decodes with borrow %d, not with %d: %s\n", borrow, !borrow,
                        eddy_csv_decoder_error(dec));
                abort();
            }
            for (int c = 0; c < NCOLS; c++)
                if (!fz_cell_equal(a, c, n0, copy, c, 0))
                    fz_differ("borrow and copy", columns[c].name, a, c, n0, copy, c, 0, p, content);
            eddy_batch_free(copy);
            round_trip(&o, &schema, a, n0, b);
        } else if (a->n != n0 || !o.allow_comments || content == 0 || p[0] != '#') {
            fprintf(stderr, "decoded, but the batch went from %d to %d rows\n", n0, a->n);
            abort();
        }
        p += len;
    }
    eddy_batch_free(a);
    eddy_batch_free(b);
    eddy_csv_decoder_free(dec);
    free(schema.fields);
    return 0;
}
