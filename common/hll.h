/*
 * hll.h: HyperLogLog sketches for APPROX_COUNT_DISTINCT.
 *
 *     eddy_hll h = {0};                        // a zeroed sketch is empty, precision 14
 *     eddy_hll_add(&h, eddy_hash_bytes(s, n)); // add values by their 64-bit hash
 *     eddy_hll_merge(&window, &h);             // union (slices of a HOP window)
 *     int64_t approx = llround(eddy_hll_estimate(&window));
 *     eddy_hll_free(&h);
 *
 * The struct is public and 16 bytes so that it can sit inside an aggregation's accumulator row
 * (an eddy_hmap value slot, which starts zeroed: that is an empty sketch). It owns one heap
 * block; moving the struct with memcpy is fine, copying it is not (use eddy_hll_merge into an
 * empty one).
 *
 * Precision p (4..18, default 14) gives m = 2^p one-byte registers: about 1.04 / sqrt(m)
 * relative standard error (0.81% at p = 14) and 16 KiB per sketch. Because most groups see few
 * values, a sketch starts sparse: a small open-addressing set of 32-bit entries (25-bit index,
 * 6-bit rank), i.e. at precision 25, 4 bytes per distinct entry, exact-like for small counts.
 * It turns dense when the set would grow past the size of the registers (7/8 of 2^p / 4
 * entries: 3584 at p = 14); sketches with p < 8 are dense from their first value.
 *
 * Hash bits: the top p bits (25 when sparse) pick the register, the rank is 1 + the number of
 * leading zeros of the rest (capped at 64 - p + 1). Feed well-mixed 64-bit hashes (hash.h).
 *
 * Estimator: Otmar Ertl's improved raw estimator ("New cardinality estimation algorithms for
 * HyperLogLog sketches", 2017) on the register histogram, for dense (m = 2^p) and sparse
 * (m = 2^25) sketches alike. It is unbiased over the whole range without HLL++'s empirical bias
 * tables or a switch to linear counting: its sigma term is linear counting's limit for small
 * counts and its tau term corrects saturated registers for huge ones.
 *
 * Merge, estimate and serialize give the same answer whatever the order of adds and merges:
 * the sketch of A u B equals the merge of the sketches of A and B, byte for byte once
 * serialized. Not thread-safe.
 */
#ifndef EDDY_COMMON_HLL_H
#define EDDY_COMMON_HLL_H

#include "strbuf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EDDY_HLL_DEFAULT_P 14
#define EDDY_HLL_MIN_P 4
#define EDDY_HLL_MAX_P 18

typedef struct eddy_hll {
    void *data;    /* NULL (empty), the sparse entry set, or the 2^p registers */
    uint32_t n;    /* sparse: entries in the set */
    uint32_t cap;  /* sparse: slots of the set (a power of two); 0 when empty or dense */
    uint8_t p;     /* precision; 0 means EDDY_HLL_DEFAULT_P */
    uint8_t dense; /* 1 when data holds the registers */
    uint8_t pad[6];
} eddy_hll;

/* Makes h an empty sketch of precision p (0 = default; clamped to MIN_P..MAX_P). h's old
 * contents are not freed: use on fresh memory. */
void eddy_hll_init(eddy_hll *h, int p);
/* Frees h's memory; h is an empty sketch of the same precision again. */
void eddy_hll_free(eddy_hll *h);

/* Adds a value by its 64-bit hash. */
void eddy_hll_add(eddy_hll *h, uint64_t hash);
/* dst := dst u src. src may have a higher precision than dst (it is folded down); a lower one
 * returns EDDY_EDATA and leaves dst alone. Returns 0. */
int eddy_hll_merge(eddy_hll *dst, const eddy_hll *src);

/* The estimated number of distinct values added (0 for an empty sketch). */
double eddy_hll_estimate(const eddy_hll *h);

int eddy_hll_precision(const eddy_hll *h);
bool eddy_hll_is_dense(const eddy_hll *h);
/* Heap bytes held by h (not counting the struct itself). */
size_t eddy_hll_memory(const eddy_hll *h);

/* Appends h's bytes to out: a canonical, little-endian, versioned encoding (the same sketch
 * always gives the same bytes). Empty: 3 bytes; sparse: 3 to 4 bytes per entry; dense: 2^p + 3
 * bytes. */
void eddy_hll_serialize(const eddy_hll *h, eddy_strbuf *out);
/* Replaces h's contents (h must be initialised or zeroed) by the sketch in buf[0..len). Returns 0,
 * or EDDY_EDATA for bytes that are not a valid sketch, leaving h empty. */
int eddy_hll_deserialize(eddy_hll *h, const void *buf, size_t len);

#endif
