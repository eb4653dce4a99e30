/*
 * decimal.h: exact DECIMAL(p, s) arithmetic with Flink's result types and rounding.
 *
 * A DECIMAL value is a signed __int128 "unscaled" integer u meaning u * 10^-s; p (1..38) and
 * s (0..p) belong to the type, not to the value, so every function takes them alongside. A value
 * of DECIMAL(p, s) satisfies |u| < 10^p. Values of one type compare and hash as plain integers.
 *
 * Arithmetic is exact and then rounded once to the result scale with HALF_UP (ties away from
 * zero, java.math.RoundingMode.HALF_UP), as Flink's DecimalDataUtils does through BigDecimal;
 * a result whose magnitude does not fit the result precision is reported as EDDY_DEC_OVERFLOW
 * (Flink's fromBigDecimal then returns NULL; the runtime decides). Products and quotients of
 * 38-digit operands go through a 256-bit intermediate, so DECIMAL(38,18) * DECIMAL(38,18) is
 * exact before rounding. The common cases (operands below 2^63, equal scales) stay in 128 bits.
 *
 * Result types (Flink's LogicalTypeMerging, which FlinkTypeSystem plugs into Calcite; Flink took
 * the rules from SQL Server's "Precision, scale, and length" table):
 *   + -   findAdditionDecimalType:       s = max(s1, s2), p = max(p1 - s1, p2 - s2) + s + 1
 *   *     findMultiplicationDecimalType: s = s1 + s2,     p = p1 + p2 + 1
 *   /     findDivisionDecimalType:       s = max(6, s1 + p2 + 1), p = p1 - s1 + s2 + s
 *   %     findModuloDecimalType:         s = max(s1, s2), p = min(p1 - s1, p2 - s2) + s
 *   then adjustPrecisionScale when p > 38: p' = 38, s' = max(38 - (p - s), min(s, 6)).
 *   ROUND(x, r) findRoundDecimalType: r >= s: unchanged; r < 0: (min(38, 1 + p - s), 0);
 *         else (1 + p - s + r, r).
 *   SUM   findSumAggType: (38, s).   AVG findAvgAggType: findDivisionDecimalType(38, s, 20, 0)
 *         = (38, max(6, s)).
 * Integer operands enter as DECIMAL(3,0) TINYINT, (5,0) SMALLINT, (10,0) INT, (19,0) BIGINT; a
 * literal 0.908 is DECIMAL(3,3), so Nexmark's 0.908 * price (BIGINT) is DECIMAL(23,3).
 * Note on *: Calcite's own default is p1 + p2; Flink adds 1 (hence the (23,3) above).
 *
 * Status codes (int): EDDY_DEC_OK, EDDY_DEC_OVERFLOW, EDDY_DEC_DIVZERO, EDDY_DEC_INVALID
 * (unparsable text, NaN or infinity). On failure *out is left untouched.
 * Nothing allocates; everything is thread-safe.
 */
#ifndef EDDY_COMMON_DECIMAL_H
#define EDDY_COMMON_DECIMAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/sqltype.h"

typedef __int128 eddy_i128;

#define EDDY_DEC_MAX_PRECISION 38
/* Enough for any DECIMAL text: sign, 38 digits, '.', a leading "0", NUL. */
#define EDDY_DEC_BUFSZ 48

enum {
    EDDY_DEC_OK = 0,
    EDDY_DEC_OVERFLOW = 1, /* the result does not fit its precision */
    EDDY_DEC_DIVZERO = 2,  /* division or remainder by zero */
    EDDY_DEC_INVALID = 3,  /* text that is not a number; NaN or infinity */
};

/* 10^0 .. 10^38. */
extern const eddy_i128 eddy_dec_pow10[EDDY_DEC_MAX_PRECISION + 1];

/* Whether v fits DECIMAL(p, *): |v| < 10^p. */
static inline bool eddy_dec_fits(eddy_i128 v, int p)
{
    return v < eddy_dec_pow10[p] && v > -eddy_dec_pow10[p];
}

/* ------------------------------------------------------------------------------------------ */
/* Types                                                                                      */

typedef enum eddy_dec_op {
    EDDY_DEC_ADD,
    EDDY_DEC_SUB,
    EDDY_DEC_MUL,
    EDDY_DEC_DIV,
    EDDY_DEC_MOD,
} eddy_dec_op;

/* The result type of DECIMAL(p1,s1) op DECIMAL(p2,s2) (rules above). */
void eddy_dec_result_type(eddy_dec_op op, int p1, int s1, int p2, int s2, int *p, int *s);
/* Flink's adjustPrecisionScale: (p, s) as is when p <= 38, else reduced to 38 digits. */
void eddy_dec_adjust_type(int p, int s, int *rp, int *rs);
/* ROUND(DECIMAL(p,s), r). */
void eddy_dec_round_type(int p, int s, int r, int *rp, int *rs);
/* SUM and AVG over DECIMAL(p, s). */
void eddy_dec_sum_type(int p, int s, int *rp, int *rs);
void eddy_dec_avg_type(int p, int s, int *rp, int *rs);
/* Precision of an integer type as a DECIMAL(p, 0): 3, 5, 10, 19; 0 for a non-integer kind. */
int eddy_dec_int_precision(eddy_type_kind k);
/* Type of an exact numeric literal's text: s = digits after '.', p = max(significant digits,
 * s, 1) with leading zeros not counted ("0.908" -> (3,3), "12.50" -> (4,2), "0.05" -> (2,2),
 * "12" -> (2,0); the caller types integer literals as INT/BIGINT when they fit). A literal with
 * an exponent is approximate (DOUBLE) in Flink: EDDY_DEC_INVALID, as for more than 38 digits. */
int eddy_dec_literal_type(const char *s, size_t n, int *p, int *scale);

/* ------------------------------------------------------------------------------------------ */
/* Text                                                                                       */

/*
 * Parses s[0..n) into DECIMAL(p, scale): [spaces][+|-]digits[.digits][(e|E)[+|-]digits][spaces]
 * (either side of '.' may be empty, not both), rounded HALF_UP to `scale` digits. Any length
 * of input is fine ("0.000...0001" with a thousand zeros is 0). Returns EDDY_DEC_OK,
 * EDDY_DEC_INVALID or EDDY_DEC_OVERFLOW (|value| >= 10^(p - scale) after rounding).
 */
int eddy_dec_parse(const char *s, size_t n, int p, int scale, eddy_i128 *out);

/* Plain text with exactly `scale` fraction digits, as Flink prints DECIMAL (BigDecimal's
 * toPlainString): 1.500, -0.05, 12. Writes a NUL; returns the length. buf: EDDY_DEC_BUFSZ. */
size_t eddy_dec_format(eddy_i128 v, int scale, char *buf);

/* ------------------------------------------------------------------------------------------ */
/* Arithmetic: a is DECIMAL(*, sa), b DECIMAL(*, sb); the result goes to DECIMAL(p, s), which   */
/* is normally eddy_dec_result_type's answer (any p, s works: the exact result is rounded).   */

int eddy_dec_add(eddy_i128 a, int sa, eddy_i128 b, int sb, int p, int s, eddy_i128 *out);
int eddy_dec_sub(eddy_i128 a, int sa, eddy_i128 b, int sb, int p, int s, eddy_i128 *out);
int eddy_dec_mul(eddy_i128 a, int sa, eddy_i128 b, int sb, int p, int s, eddy_i128 *out);
/* a / b rounded HALF_UP to scale s (Flink: BigDecimal.divide(b, s, HALF_UP)). */
int eddy_dec_div(eddy_i128 a, int sa, eddy_i128 b, int sb, int p, int s, eddy_i128 *out);
/* MOD(a, b), a % b: the remainder of truncated division, with a's sign (BigDecimal.remainder). */
int eddy_dec_mod(eddy_i128 a, int sa, eddy_i128 b, int sb, int p, int s, eddy_i128 *out);

/* CAST between DECIMAL types: v of scale sv to DECIMAL(p, s), HALF_UP. */
int eddy_dec_rescale(eddy_i128 v, int sv, int p, int s, eddy_i128 *out);

/* -1, 0, 1 as a < b, a == b, a > b (exact, any scales). */
int eddy_dec_cmp(eddy_i128 a, int sa, eddy_i128 b, int sb);

/* ROUND(v, r) for v of DECIMAL(p, s): rounds HALF_UP to r fraction digits (r < 0 rounds to
 * tens, hundreds, ...) and returns the value in eddy_dec_round_type(p, s, r)'s scale (so for
 * r < 0 ROUND(125, -1) is 130 in scale 0). */
int eddy_dec_round(eddy_i128 v, int p, int s, int r, eddy_i128 *out);
/* FLOOR(v) and CEIL(v) of scale s, as a value of scale 0 (it fits DECIMAL(p - s + 1, 0)). */
eddy_i128 eddy_dec_floor(eddy_i128 v, int s);
eddy_i128 eddy_dec_ceil(eddy_i128 v, int s);

/* AVG's final division: sum (scale s_sum) / count to DECIMAL(p, s) HALF_UP; count > 0. */
int eddy_dec_avg(eddy_i128 sum, int s_sum, int64_t count, int p, int s, eddy_i128 *out);

/* ------------------------------------------------------------------------------------------ */
/* Conversions                                                                                */

/* CAST(integer AS DECIMAL(p, s)). */
int eddy_dec_from_i64(int64_t v, int p, int s, eddy_i128 *out);
/* CAST(DECIMAL(*, s) AS BIGINT): truncates toward zero, as Flink; OVERFLOW outside int64
 * (Java would wrap). The caller narrows further for INT/SMALLINT/TINYINT. */
int eddy_dec_to_i64(eddy_i128 v, int s, int64_t *out);
/* CAST(DECIMAL AS DOUBLE): the double nearest to the exact value (BigDecimal.doubleValue). */
double eddy_dec_to_double(eddy_i128 v, int s);
/* CAST(DOUBLE AS DECIMAL(p, s)): Flink goes through BigDecimal.valueOf(d), i.e. the shortest
 * decimal text that reads back as d (0.1 stays 0.1, 2.675 is 2.675 and rounds to 2.68), then
 * rounds HALF_UP. INVALID for NaN and infinities. */
int eddy_dec_from_double(double d, int p, int s, eddy_i128 *out);

/* ROUND(x, n) for DOUBLE as Flink: BigDecimal.valueOf(x).setScale(n, HALF_UP).doubleValue(),
 * so round(2.5, 0) = 3, round(-2.5, 0) = -3, round(2.675, 2) = 2.68, round(1234.5, -2) = 1200.
 * NaN and infinities come back unchanged. */
double eddy_round_double(double x, int n);

/* The shortest decimal digits of a finite double that read back as it (Java's Double.toString
 * digits): writes 1..17 digits into digits (no NUL), returns their count, and sets *exp10 so
 * that |x| = 0.d1d2d3... * 10^exp10. x == 0 gives "0" and exponent 1. */
int eddy_double_shortest(double x, char digits[18], int *exp10);

#endif
