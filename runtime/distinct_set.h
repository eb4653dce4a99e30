/*
 * distinct_set.h: eddy_dset, the compact set behind COUNT(DISTINCT x) and the other DISTINCT
 * aggregates (agg.h) when x is held in 8 bytes (BIGINT, INT, ..., DOUBLE bits, timestamps).
 *
 * Each value carries a mask: bit i says that distinct aggregate i over the same argument has
 * taken the value (agg.h explains the sharing). A group of a GROUP BY has one set per distinct
 * argument, so a query like Nexmark q16 (10,004 channels, two distinct columns, millions of
 * values) holds millions of small sets: the per-value cost is what counts.
 *
 *     eddy_dset *s = NULL;                                    // an empty set is NULL
 *     uint64_t fresh = eddy_dset_add(&s, 2, v, bits, &heap);  // bits new to v's mask
 *     for (uint32_t i = 0; i < eddy_dset_capacity(s); i++)    // every value, in slot order
 *         if (eddy_dset_slot(s, i, &v, &mask)) ...
 *     eddy_dset_free(s, &heap);
 *
 * Layout: one allocation per set: a small header, then `cap` keys, then `cap` masks; open
 * addressing with linear probing, at most 7/8 full, growing by half (so the average fill is
 * about 0.7, where doubling at 3/4 gave 0.55: Nexmark q16's 11 M values took 118 MB that way);
 * a slot's index is the hash's high 32 bits scaled to the capacity (any capacity works, no
 * power of two). Probing stays cheap at 7/8 because 16 narrow keys share a cache line. A slot is empty
 * when its mask is 0 (a value is only ever added with at least one bit). Keys are 4 bytes
 * while every value fits in 32 bits unsigned (ids, small counters: the common case) and widen
 * to 8 bytes at the first one that does not; masks are 4 bits, 1, 2, 4 or 8 bytes as the
 * number of aggregates sharing the set needs. A value of a narrow set with 4-bit masks costs 4.5
 * bytes per slot, about 6.5 bytes at the average fill, against about 45 for a general hash set
 * of 8-byte keys. Nexmark q16 (4 + 4 distinct aggregates over two columns, 11 M values in
 * 20,008 sets after 10 M events): 118 MB with doubling at 3/4 and byte masks, 82 MB growing by
 * half to 7/8, 74 MB with 4-bit masks.
 *
 * heap counters: every call that allocates or frees adds the change in bytes to *heap.
 */
#ifndef EDDY_RUNTIME_DISTINCT_SET_H
#define EDDY_RUNTIME_DISTINCT_SET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/strbuf.h"

typedef struct eddy_dset eddy_dset;

/* Adds `bits` (non-zero) to the mask of value v in *s, creating the set when *s is NULL with
 * masks of mask_bytes bytes: 0 (half a byte: up to 4 aggregates), 1, 2, 4 or 8. Returns the
 * bits that were not yet set. */
uint64_t eddy_dset_add(eddy_dset **s, int mask_bytes, uint64_t v, uint64_t bits, int64_t *heap);

/* Slots, for iteration: capacity, and the value and mask in slot i (false: empty). */
uint32_t eddy_dset_capacity(const eddy_dset *s);
bool eddy_dset_slot(const eddy_dset *s, uint32_t i, uint64_t *v, uint64_t *mask);
/* Number of values. */
uint32_t eddy_dset_count(const eddy_dset *s);
/* Bytes allocated. */
size_t eddy_dset_memory(const eddy_dset *s);
void eddy_dset_free(eddy_dset *s, int64_t *heap);

/* Checkpoints: appends the set (count, then value and mask pairs) to buf; decode reads one
 * back from data[0..len) into *s (NULL before), returning the bytes read or -1 when data is
 * short or malformed. */
void eddy_dset_encode(const eddy_dset *s, eddy_strbuf *buf);
int64_t eddy_dset_decode(eddy_dset **s, int mask_bytes, const void *data, size_t len,
                         int64_t *heap);

#endif
