/*
 * checked.h: overflow-checked integer arithmetic for the SQL integer types.
 *
 * Flink (Java) lets TINYINT..BIGINT arithmetic wrap silently; eddy's DESIGN says integer
 * overflow is an error. These helpers only detect: each returns true when the exact result does
 * not fit the type (and then *r holds the wrapped value), false when *r is exact. The runtime
 * decides what an overflow means (a runtime error naming the expression).
 *
 *     int64_t r;
 *     if (eddy_add_i64(a, b, &r)) return overflow_error(...);
 *
 * Division and remainder can fail two ways, so they return an eddy_div_status instead:
 * EDDY_DIV_ZERO for a zero divisor, EDDY_DIV_OVERFLOW for MIN / -1 (the only overflowing
 * quotient). Both truncate toward zero and the remainder takes the dividend's sign, as Java's
 * `/` and `%` (and C's) do; MIN % -1 is 0 (exact, though C leaves it undefined).
 *
 * All functions are static inline over __builtin_*_overflow so that a column loop compiles to
 * an add and a jump on the overflow flag. Narrow types (int8/int16) check against their own
 * range, not against int's: eddy_add_i8(100, 100) overflows.
 */
#ifndef EDDY_COMMON_CHECKED_H
#define EDDY_COMMON_CHECKED_H

#include <stdbool.h>
#include <stdint.h>

typedef enum eddy_div_status {
    EDDY_DIV_OK = 0,       /* *r holds the exact result */
    EDDY_DIV_ZERO = 1,     /* divisor was zero; *r untouched */
    EDDY_DIV_OVERFLOW = 2, /* MIN / -1; *r untouched */
} eddy_div_status;

#define EDDY_CHECKED_DEFINE(T, sfx, MIN)                                                        \
    static inline bool eddy_add_##sfx(T a, T b, T *r)                                          \
    {                                                                                          \
        return __builtin_add_overflow(a, b, r);                                                \
    }                                                                                          \
    static inline bool eddy_sub_##sfx(T a, T b, T *r)                                          \
    {                                                                                          \
        return __builtin_sub_overflow(a, b, r);                                                \
    }                                                                                          \
    static inline bool eddy_mul_##sfx(T a, T b, T *r)                                          \
    {                                                                                          \
        return __builtin_mul_overflow(a, b, r);                                                \
    }                                                                                          \
    static inline bool eddy_neg_##sfx(T a, T *r)                                               \
    {                                                                                          \
        return __builtin_sub_overflow((T)0, a, r);                                             \
    }                                                                                          \
    static inline bool eddy_abs_##sfx(T a, T *r)                                               \
    {                                                                                          \
        if (a >= 0) {                                                                          \
            *r = a;                                                                            \
            return false;                                                                      \
        }                                                                                      \
        return __builtin_sub_overflow((T)0, a, r);                                             \
    }                                                                                          \
    static inline eddy_div_status eddy_div_##sfx(T a, T b, T *r)                               \
    {                                                                                          \
        if (b == 0) return EDDY_DIV_ZERO;                                                      \
        if (b == -1 && a == (MIN)) return EDDY_DIV_OVERFLOW;                                   \
        *r = (T)(a / b);                                                                       \
        return EDDY_DIV_OK;                                                                    \
    }                                                                                          \
    static inline eddy_div_status eddy_mod_##sfx(T a, T b, T *r)                               \
    {                                                                                          \
        if (b == 0) return EDDY_DIV_ZERO;                                                      \
        *r = (b == -1) ? (T)0 : (T)(a % b);                                                    \
        return EDDY_DIV_OK;                                                                    \
    }

EDDY_CHECKED_DEFINE(int8_t, i8, INT8_MIN)
EDDY_CHECKED_DEFINE(int16_t, i16, INT16_MIN)
EDDY_CHECKED_DEFINE(int32_t, i32, INT32_MIN)
EDDY_CHECKED_DEFINE(int64_t, i64, INT64_MIN)

#undef EDDY_CHECKED_DEFINE

/* Floor division and modulo (result of mod has the divisor's sign), as Java's Math.floorDiv /
 * floorMod; b must not be 0 and (a, b) must not be (INT64_MIN, -1). Used for time arithmetic
 * on negative timestamps. */
static inline int64_t eddy_floordiv_i64(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) q--;
    return q;
}

static inline int64_t eddy_floormod_i64(int64_t a, int64_t b)
{
    int64_t m = a % b;
    if (m != 0 && ((m < 0) != (b < 0))) m += b;
    return m;
}

#endif
