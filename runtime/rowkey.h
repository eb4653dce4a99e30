/*
 * rowkey.h: encoding the group-key columns of a batch into byte strings (the keys of the
 * aggregation hash tables, common/hashmap.h) and decoding them back into output columns.
 *
 *     eddy_rowkey k;
 *     eddy_rowkey_init(&k, keys, nkeys, &input_schema);
 *     eddy_rowkey_batch kb;
 *     eddy_rowkey_encode(&k, batch, scratch_arena, &kb);       // every row of the batch
 *     if (kb.u64) eddy_hmap_upsert_u64_batch(m, n, kb.u64, kb.hashes, ids, is_new);
 *     else        eddy_hmap_upsert_batch(m, n, kb.keys, kb.lens, kb.hashes, ids, is_new);
 *     ...
 *     eddy_rowkey_decode(&k, key_bytes, key_len, out_batch, first_col, row);
 *     eddy_rowkey_free(&k);
 *
 * Encoding (equal SQL values give equal bytes, so a key is found whatever batch it came in):
 *   - One key column of the I64 representation (BIGINT, INT, TIMESTAMP, DATE, ...): a non-NULL
 *     value is its 8 bytes in host order, hashed with eddy_hash_u64: exactly the entry
 *     eddy_hmap_upsert_u64 uses, so batches without NULLs take the u64 fast path
 *     (kb.u64 != NULL). A NULL is the single byte 0x00 hashed with eddy_hash_bytes (no 8-byte
 *     key can equal it).
 *   - Otherwise every column in turn: a tag byte (0 NULL, 1 value) and, for a value, BOOL 1 byte,
 *     I64 and F64 8 bytes (a DOUBLE's -0.0 is written as 0.0 and every NaN as one NaN, so that
 *     values equal in SQL group together), DEC 16 bytes; STR of up to 200 bytes as the tag
 *     2 + length and the bytes, longer ones as tag 1, a 4-byte length and the bytes.
 *     Hashed with eddy_hash_bytes. No key columns: the empty key (a global aggregate).
 *   Integers are in host byte order: keys are compared for equality only, never for order.
 *
 * The same encoding serves for any list of columns of one row (eddy_rowkey_encode_row): the
 * operators that emit changelogs keep their last output row of a group this way and decode it
 * for the -U row.
 */
#ifndef EDDY_RUNTIME_ROWKEY_H
#define EDDY_RUNTIME_ROWKEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/arena.h"
#include "../common/strbuf.h"
#include "../planner/plan.h"
#include "batch.h"

typedef struct eddy_rowkey {
    int n;              /* number of key columns */
    int *cols;          /* their input columns */
    eddy_phys *phys;    /* their physical representations */
    const eddy_sqltype **types; /* their types (for decoding into output columns) */
    bool single_i64;    /* one column of the I64 representation: the u64 encoding */
} eddy_rowkey;

/* The keys of one batch, in the caller's arena. */
typedef struct eddy_rowkey_batch {
    int n;                  /* rows */
    uint64_t *u64;          /* single_i64 and no NULL in the batch: the keys as u64, else NULL */
    const void **keys;      /* otherwise: key bytes per row */
    size_t *lens;           /* and their lengths */
    uint64_t *hashes;       /* hash per row (both cases) */
} eddy_rowkey_batch;

/* Sets k up for key columns cols[0..n) of an input with schema in (types from the schema). */
void eddy_rowkey_init(eddy_rowkey *k, const int *cols, int n, const eddy_schema *in);
/* The same for columns given by their types only (column i of a row is cols[i] = i). */
void eddy_rowkey_init_types(eddy_rowkey *k, const eddy_sqltype *const *types, int n);
void eddy_rowkey_free(eddy_rowkey *k);

/* Encodes the key of every row of b (scratch memory from a). */
void eddy_rowkey_encode(const eddy_rowkey *k, const eddy_batch *b, eddy_arena *a,
                        eddy_rowkey_batch *out);
/* Appends the encoding of row `row` of columns cols[first .. first + k->n) of b to out (the
 * general encoding, also for a single I64 column: for stored rows, not for hash keys). */
void eddy_rowkey_encode_row(const eddy_rowkey *k, const eddy_col *cols, int row,
                            eddy_strbuf *out);
/* Decodes a key made by eddy_rowkey_encode into columns first_col .. first_col + k->n - 1 of
 * row `row` of out (strings are copied into out's arena). */
void eddy_rowkey_decode(const eddy_rowkey *k, const void *key, size_t len, eddy_batch *out,
                        int first_col, int row);
/* Decodes bytes made by eddy_rowkey_encode_row the same way. */
void eddy_rowkey_decode_row(const eddy_rowkey *k, const void *bytes, size_t len,
                            eddy_batch *out, int first_col, int row);

/* The hash of the empty key (no key columns). */
uint64_t eddy_rowkey_empty_hash(void);

#endif
