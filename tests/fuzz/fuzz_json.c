/*
 * fuzz_json.c: libFuzzer target for the 'json' format (connectors/format_json.h).
 *
 * The input bytes are one JSON record. A decoder over a schema with every column type eddy has
 * (BOOLEAN, TINYINT..BIGINT, FLOAT, DOUBLE, DECIMAL, STRING, BYTES, DATE, TIME, TIMESTAMP(3),
 * TIMESTAMP_LTZ(3), a ROW and an ARRAY as JSON text) and nested paths ({"bid","price"}, a
 * ROW column that is also a path's parent, two columns of one path, a path three deep, a field
 * name that needs escaping) decodes it into a batch. Either outcome is fine; what is checked:
 *   - a failure leaves the batch's row count alone and has a reason "byte N: ...";
 *   - a decoded row decodes the same whether strings are borrowed from the input or copied;
 *   - a decoded row, written by the encoder (one flat object, fields named by column), decodes
 *     again with a decoder by column name, to the same values cell by cell (the round trip),
 *     and encoding that row gives the same text again (a fixpoint);
 *   - no crash, leak, out-of-bounds read (libFuzzer hands the input in a buffer of its exact
 *     size) or undefined behaviour (the fuzz build has ASan and UBSan).
 * The options vary with the sum of the input's bytes (so that a reproducer keeps them):
 * borrowing strings or copying them, ISO-8601 timestamps, fail-on-missing-field when decoding,
 * ignore-null-fields and decimal-as-plain-number when encoding.
 *
 * Run: `ctest -R fuzz_json_45s` in a fuzz build, or
 *     build/fuzz/tests/fuzz/fuzz_json -dict=tests/fuzz/json.dict CORPUS tests/fuzz/seeds_json
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/strbuf.h"
#include "connectors/format_json.h"
#include "fuzz_cells.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const fz_column columns[] = {
    {"b", &fz_bool},          {"i", &fz_int},          {"l", &fz_bigint},
    {"d", &fz_double},        {"dec", &fz_dec10_2},    {"s", &fz_string},
    {"ts", &fz_ts3},          {"ltz", &fz_ltz3},       {"day", &fz_date},
    {"bid_price", &fz_bigint}, {"bid", &fz_row},       {"bid_auction", &fz_string},
    {"t", &fz_tinyint},       {"sm", &fz_smallint},    {"f", &fz_float},
    {"tm", &fz_time3},        {"bin", &fz_bytes},      {"arr", &fz_array},
    {"big", &fz_dec38_10},    {"bid_price2", &fz_bigint}, {"deep", &fz_bigint},
    {"k\"ey", &fz_string},
};
#define NCOLS ((int)(sizeof columns / sizeof columns[0]))

/* Each column's path in the decoded text (the encoder writes them flat, by column name). */
static const char *const p_b[] = {"b"}, *const p_i[] = {"i"}, *const p_l[] = {"l"},
                         *const p_d[] = {"d"}, *const p_dec[] = {"dec"}, *const p_s[] = {"s"},
                         *const p_ts[] = {"ts"}, *const p_ltz[] = {"ltz"},
                         *const p_day[] = {"day"}, *const p_bid_price[] = {"bid", "price"},
                         *const p_bid[] = {"bid"}, *const p_bid_auction[] = {"bid", "auction"},
                         *const p_t[] = {"t"}, *const p_sm[] = {"sm"}, *const p_f[] = {"f"},
                         *const p_tm[] = {"tm"}, *const p_bin[] = {"bin"}, *const p_arr[] = {"arr"},
                         *const p_big[] = {"big"}, *const p_deep[] = {"a", "b", "c"},
                         *const p_key[] = {"k\"ey"};
static const char *const *const paths[NCOLS] = {
    p_b, p_i, p_l, p_d, p_dec, p_s, p_ts, p_ltz, p_day, p_bid_price, p_bid,
    p_bid_auction, p_t, p_sm, p_f, p_tm, p_bin, p_arr, p_big, p_bid_price, p_deep, p_key,
};
static const int npath[NCOLS] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 1, 2, 1, 1, 1, 1, 1, 1, 1, 2, 3, 1};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned sum = 0;
    for (size_t i = 0; i < size; i++) sum += data[i];
    bool borrow = sum & 1;
    eddy_json_options dopt = {0}, eopt = {0}, bopt = {0};
    dopt.iso8601 = eopt.iso8601 = bopt.iso8601 = (sum >> 1) & 1;
    dopt.fail_on_missing = (sum >> 4) & 1;
    eopt.ignore_null_fields = (sum >> 2) & 1;
    eopt.decimal_plain = (sum >> 3) & 1;

    eddy_schema schema = fz_schema(columns, NCOLS);
    eddy_json_decoder *dec = eddy_json_decoder_new(&schema, paths, npath, &dopt);
    eddy_batch *a = fz_batch(&schema, 2);
    const char *text = (const char *)data;

    if (eddy_json_decode(dec, text, size, a, borrow) != 0) {
        const char *why = eddy_json_decoder_error(dec);
        if (a->n != 0 || strncmp(why, "byte ", 5) != 0) {
            fprintf(stderr, "bad failure: %d rows, reason '%s'\n", a->n, why);
            abort();
        }
        goto out;
    }
    if (a->n != 1) {
        fprintf(stderr, "decoded, but the batch has %d rows\n", a->n);
        abort();
    }
    /* borrowing strings or copying them gives the same cells */
    eddy_batch *copy = fz_batch(&schema, 2);
    if (eddy_json_decode(dec, text, size, copy, !borrow) != 0) {
        fprintf(stderr, "decodes with borrow %d, not with %d: %s\n", borrow, !borrow,
                eddy_json_decoder_error(dec));
        abort();
    }
    for (int c = 0; c < NCOLS; c++)
        if (!fz_cell_equal(a, c, 0, copy, c, 0))
            fz_differ("borrow and copy", columns[c].name, a, c, 0, copy, c, 0, text, size);
    eddy_batch_free(copy);

    /* the round trip: encode flat, decode by name, compare, encode again */
    eddy_json_encoder *enc = eddy_json_encoder_new(&schema, NULL, 0, &eopt);
    eddy_json_decoder *flat = eddy_json_decoder_new(&schema, NULL, NULL, &bopt);
    eddy_batch *b = fz_batch(&schema, 2);
    eddy_strbuf out = {0}, again = {0};
    eddy_json_encode_row(enc, a, 0, NULL, &out);
    if (eddy_json_decode(flat, out.s, out.n, b, false) != 0) {
        fprintf(stderr, "the encoder's output does not decode: %s\nencoded text: %.*s\n",
                eddy_json_decoder_error(flat), (int)out.n, out.s);
        abort();
    }
    for (int c = 0; c < NCOLS; c++)
        if (!fz_cell_equal(a, c, 0, b, c, 0))
            fz_differ("json round trip", columns[c].name, a, c, 0, b, c, 0, out.s, out.n);
    eddy_json_encode_row(enc, b, 0, NULL, &again);
    if (again.n != out.n || memcmp(again.s, out.s, out.n) != 0) {
        fprintf(stderr, "encoding is not a fixpoint:\n%.*s\n%.*s\n", (int)out.n, out.s,
                (int)again.n, again.s);
        abort();
    }
    eddy_strbuf_free(&out);
    eddy_strbuf_free(&again);
    eddy_batch_free(b);
    eddy_json_decoder_free(flat);
    eddy_json_encoder_free(enc);
out:
    eddy_batch_free(a);
    eddy_json_decoder_free(dec);
    free(schema.fields);
    return 0;
}
