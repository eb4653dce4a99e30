/*
 * opstate.h: the entry layout that the window operators (op_window_agg.c, op_session_agg.c,
 * op_watermark.c) share for their checkpoints (operator.h snapshot/restore, state.h), and the
 * little readers and writers behind it. Internal to runtime/.
 *
 * An operator's named database holds
 *   - one meta entry under the 1-byte key "\0" (it sorts before every other key): the
 *     operator's scalars, written with eddy_opstate_put_* and read back with an
 *     eddy_opstate_rd, all integers little-endian and fixed-width;
 *   - one entry per (table, group): the key is
 *         eddy_state_key_i64(t) | tag | group key bytes
 *     t a time that orders the entries by firing (a slice's end, a window's end, a session's
 *     end), tag one byte naming the kind of table, then the group key exactly as the
 *     operator's hash table holds it (rowkey.h); the value is
 *         u32 ordinal | u8 long | (long: u32 length, group key bytes) | payload
 *     ordinal: the entry's position in its table (hash-table insertion order, which decides the
 *     order of the output), so restore re-inserts the groups of one table in the order they had.
 *     A group key too long for an LMDB key (511 bytes at most) is cut to its first
 *     EDDY_OPSTATE_KEY_PREFIX bytes followed by the big-endian ordinal (unique within its table)
 *     and written whole in the value ("long" = 1).
 *
 * Restore reads the entries of one table (same t and tag: they are adjacent in key order)
 * into an eddy_opstate_table, which copies them and hands them back sorted by ordinal.
 *
 * The payload of an accumulator is eddy_aggs_row_encode's (agg.h): the format holds on the same
 * build of eddy; a checkpoint of another build is refused by the job's plan check or by
 * eddy_aggs_row_decode.
 */
#ifndef EDDY_RUNTIME_OPSTATE_H
#define EDDY_RUNTIME_OPSTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/error.h"
#include "../common/hashmap.h"
#include "../common/strbuf.h"
#include "rowkey.h"
#include "state.h"

/* The meta entry's key. */
#define EDDY_OPSTATE_META_KEY "\0"
#define EDDY_OPSTATE_META_KLEN 1

/* Longest group key kept as it is in an entry key (8 + 1 + 400 stays well inside LMDB's 511). */
#define EDDY_OPSTATE_KEY_PREFIX 400

/* ---- writing ---- */

void eddy_opstate_put_u32(eddy_strbuf *b, uint32_t v);
void eddy_opstate_put_u64(eddy_strbuf *b, uint64_t v);
void eddy_opstate_put_i64(eddy_strbuf *b, int64_t v);

/* Clears key and val and writes an entry's key and the head of its value (ordinal, long flag,
 * long key); the caller appends the payload to val. */
void eddy_opstate_entry(eddy_strbuf *key, eddy_strbuf *val, int64_t t, char tag,
                        const void *gkey, size_t gklen, uint32_t ordinal);

/* The order in which a snapshot puts its entries: by (t, group key bytes), the order LMDB keeps
 * them in, so that the B-tree is written page after page instead of all over. Measured on a
 * window of 1 M BIGINT groups (Release): 0.7 s per snapshot in hash-table order, 0.3 s
 * sorted. */
typedef struct eddy_opstate_order {
    int64_t t;          /* the entry's time */
    uint64_t pfx;       /* the group key's first 8 bytes, big-endian (zero-padded) */
    uint32_t key;       /* the group key's id in the hash table passed to eddy_opstate_sort */
    uint32_t id;        /* the caller's: what to write */
} eddy_opstate_order;

/* Fills pfx from the group key of o->key in keys. */
void eddy_opstate_order_key(eddy_opstate_order *o, const eddy_hmap *keys);
/* Sorts o[0..n) by t, then by the bytes of the group keys (ids in keys). */
void eddy_opstate_sort(eddy_opstate_order *o, size_t n, const eddy_hmap *keys);

/* ---- reading ---- */

typedef struct eddy_opstate_rd {
    const unsigned char *p;
    size_t n;           /* bytes */
    size_t off;         /* read so far */
    bool bad;           /* a read went past the end */
} eddy_opstate_rd;

static inline eddy_opstate_rd eddy_opstate_rd_of(const void *p, size_t n)
{
    eddy_opstate_rd r = {p, n, 0, false};
    return r;
}
uint32_t eddy_opstate_get_u32(eddy_opstate_rd *r);
uint64_t eddy_opstate_get_u64(eddy_opstate_rd *r);
int64_t eddy_opstate_get_i64(eddy_opstate_rd *r);

/* One entry as read back. */
typedef struct eddy_opstate_entry_t {
    int64_t t;              /* the time of the key */
    char tag;
    uint32_t ordinal;
    const void *gkey;       /* the whole group key */
    size_t gklen;
    const void *payload;
    size_t plen;
} eddy_opstate_entry_t;

/* Splits an entry (not the meta one); false when it is malformed. Pointers go into key/val. */
bool eddy_opstate_parse(const void *key, size_t klen, const void *val, size_t vlen,
                        eddy_opstate_entry_t *e);

/* The hash that eddy_rowkey_encode gives the group key gkey (the one its tables use). */
uint64_t eddy_opstate_key_hash(const eddy_rowkey *k, const void *gkey, size_t gklen);

/* ---- one table's entries during restore ---- */

typedef struct eddy_opstate_table {
    int64_t t;              /* the table: time and tag of its entries */
    char tag;
    int n, cap;
    eddy_opstate_entry_t *e;/* entries (their pointers into `bytes` once sorted) */
    size_t *goff, *poff;    /* offsets of each entry's key and payload in bytes */
    eddy_strbuf bytes;      /* copies of the keys and payloads */
} eddy_opstate_table;

/* Copies e into the table (which then has e's t and tag). */
void eddy_opstate_table_add(eddy_opstate_table *tb, const eddy_opstate_entry_t *e);
/* Sorts the entries by ordinal and points them at the copies; valid until the next add or
 * reset. */
void eddy_opstate_table_sort(eddy_opstate_table *tb);
/* Empties the table, keeping its memory. */
void eddy_opstate_table_reset(eddy_opstate_table *tb);
void eddy_opstate_table_free(eddy_opstate_table *tb);

/* Reads the meta entry of db: 0 and *val, *vlen; EDDY_ENOTFOUND (err left clear) when the
 * operator wrote nothing; another error with err set. */
int eddy_opstate_get_meta(eddy_state_db *db, const void **val, size_t *vlen, eddy_error *err);

#endif
