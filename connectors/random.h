/*
 * random.h: the small, fast, seedable random numbers the generators (datagen, nexmark) use.
 *
 * Generators must give the same rows for the same seed whatever the batch size, the columns
 * asked for or the filter pushed down, so they never keep one random stream across rows:
 * each (row, column) draws from its own stream, seeded by mixing the seed, the row's number
 * and the column's tag, and a stream is a splitmix64 sequence (Steele, Lea, Flood 2014: a
 * 64-bit counter through a bijective finalizer; one add and three multiply-xorshift steps per
 * number, and statistically sound for this use).
 *
 *     eddy_rng r = eddy_rng_for(seed, row, TAG_PRICE);
 *     int64_t price = eddy_rng_range(&r, 1, 100);
 */
#ifndef EDDY_CONNECTORS_RANDOM_H
#define EDDY_CONNECTORS_RANDOM_H

#include <stdint.h>

typedef struct eddy_rng {
    uint64_t s; /* splitmix64 state */
} eddy_rng;

static inline uint64_t eddy_mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static inline uint64_t eddy_rng_next(eddy_rng *r)
{
    return eddy_mix64(r->s += UINT64_C(0x9e3779b97f4a7c15));
}

/* The stream of (seed, row, tag). */
static inline eddy_rng eddy_rng_for(uint64_t seed, uint64_t row, uint64_t tag)
{
    eddy_rng r;
    r.s = eddy_mix64(seed ^ eddy_mix64(row * UINT64_C(0x9e3779b97f4a7c15) + tag));
    return r;
}

/* Uniform in [0, n) (n > 0), by Lemire's multiply-shift (bias below 2^-32 for n < 2^32). */
static inline uint64_t eddy_rng_below(eddy_rng *r, uint64_t n)
{
    return (uint64_t)(((unsigned __int128)eddy_rng_next(r) * n) >> 64);
}

/* Uniform in [lo, hi] (lo <= hi), the whole int64 range included. */
static inline int64_t eddy_rng_range(eddy_rng *r, int64_t lo, int64_t hi)
{
    uint64_t span = (uint64_t)hi - (uint64_t)lo;
    if (span == UINT64_MAX) return (int64_t)eddy_rng_next(r);
    return (int64_t)((uint64_t)lo + eddy_rng_below(r, span + 1));
}

/* Uniform in [0, 1). */
static inline double eddy_rng_double(eddy_rng *r)
{
    return (double)(eddy_rng_next(r) >> 11) * 0x1.0p-53;
}

#endif
