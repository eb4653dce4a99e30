/*
 * spill_table.h: accumulator tables in spill runs (spill.h), for the window operators. Internal
 * to runtime/.
 *
 * A table is a hash table (common/hashmap.h) of group key -> accumulator row (agg.h) that
 * belongs to a time t (a slice's start). eddy_spilltab_write writes several tables as one run;
 * each group becomes one entry
 *     key:   eddy_state_key_i64(t) | skey
 *     value: u8 long | (long: u32 length, the whole group key) | eddy_aggs_row_encode(row)
 * where skey is the group key itself when it has at most EDDY_SPILLTAB_KEY bytes, else its
 * first EDDY_SPILLTAB_KEY bytes followed by its 64-bit hash, big-endian ("long"). Entries of a
 * run thus sort by (t, skey), and a merge compares skeys.
 *
 * eddy_spilltab_merge reads a window back: it takes sources (in-memory tables and (run, t)
 * ranges), given in merge order (time order, and for the same t the older first), walks them
 * together in skey order, and for every group merges its pieces in source order into one
 * accumulator (eddy_aggs_merge: FIRST_VALUE keeps the earlier, LAST_VALUE takes the later),
 * which it hands to a callback. So a window whose state went partly to disk comes out with
 * its groups in key order rather than in the order they were first seen.
 */
#ifndef EDDY_RUNTIME_SPILL_TABLE_H
#define EDDY_RUNTIME_SPILL_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/error.h"
#include "../common/hashmap.h"
#include "agg.h"
#include "rowkey.h"
#include "spill.h"

/* Longest group key kept whole in an entry's key. */
#define EDDY_SPILLTAB_KEY 400

/* Writing a run entry by entry: (t, skey) strictly increasing (eddy_spilltab_write sorts). */
typedef struct eddy_spilltab_writer eddy_spilltab_writer;
int eddy_spilltab_begin(eddy_spill *sp, const char *owner, uint32_t *run,
                        eddy_spilltab_writer **w, eddy_error *err);
/* One group: its key (and rowkey hash) and accumulator row. */
int eddy_spilltab_put(eddy_spilltab_writer *w, const eddy_aggs *aggs, int64_t t, const void *gkey,
                      size_t gklen, uint64_t hash, const void *row, eddy_error *err);
/* Commits the run (ok) or drops it; frees w. */
int eddy_spilltab_end(eddy_spilltab_writer *w, bool ok, eddy_error *err);

/* The skey of group key gkey (hash: its rowkey hash) into out; returns its length. */
size_t eddy_spilltab_skey(const void *gkey, size_t gklen, uint64_t hash,
                          unsigned char out[EDDY_SPILLTAB_KEY + 8]);

/* Writes the tables maps[i] (times ts[i], strictly increasing) of owner as a new run (its
 * number in *run). Tables may be empty. */
int eddy_spilltab_write(eddy_spill *sp, const char *owner, const eddy_aggs *aggs,
                        const int64_t *ts, eddy_hmap *const *maps, int n, uint32_t *run,
                        eddy_error *err);

/* A source of a merge: an in-memory table (map != NULL) or the entries of time t in run `run`. */
typedef struct eddy_spilltab_src {
    eddy_hmap *map;
    uint32_t run;
    int64_t t;
} eddy_spilltab_src;

/* Called once per group: key (its bytes as the operator's hash tables hold them), its hash
 * (rowkey.h), the merged accumulator (valid during the call). */
typedef int (*eddy_spilltab_visit)(void *ctx, const void *key, size_t klen, uint64_t hash,
                                   const void *acc, eddy_error *err);

/* Merges srcs[0..n) (see above) and calls visit for every group, in skey order. Runs are read
 * in one read pass of sp. key: the group key encoding (for the hashes of keys read back).
 * newest: a group's accumulator is its piece in the last source that has it, not the merge of
 * all (GROUP BY: a newer piece already holds the older ones). */
int eddy_spilltab_merge(eddy_spill *sp, const char *owner, const eddy_aggs *aggs,
                        const eddy_rowkey *key, const eddy_spilltab_src *srcs, int n, bool newest,
                        eddy_spilltab_visit visit, void *ctx, eddy_error *err);

/* Looks group gkey (hash: its rowkey hash) up in run `run` at time t: 1 and its accumulator
 * decoded into row (zeroed by the caller; heap grows), or 0 when the run has no such entry. */
int eddy_spilltab_find(eddy_spill *sp, const char *owner, const eddy_aggs *aggs, uint32_t run,
                       int64_t t, const void *gkey, size_t gklen, uint64_t hash, void *row,
                       int64_t *heap, eddy_error *err);

/* A Bloom filter over the group keys of a run (their rowkey hashes): about 12 bits and 3 probes
 * per key, under 1% false positives, so that a key new to the job costs no lookup on disk.
 * bits NULL: nothing known (a run restored from a checkpoint): every key may be there. */
typedef struct eddy_spilltab_bloom {
    uint64_t *bits;
    uint64_t mask;
} eddy_spilltab_bloom;
void eddy_spilltab_bloom_init(eddy_spilltab_bloom *b, uint32_t keys);
void eddy_spilltab_bloom_add(eddy_spilltab_bloom *b, uint64_t hash);
bool eddy_spilltab_bloom_may(const eddy_spilltab_bloom *b, uint64_t hash);
static inline size_t eddy_spilltab_bloom_bytes(const eddy_spilltab_bloom *b)
{
    return b->bits ? (size_t)(b->mask + 1) / 8 : 0;
}
void eddy_spilltab_bloom_free(eddy_spilltab_bloom *b);

#endif
