/*
 * agg.h: accumulators of the aggregate functions (planner/functions.h EDDY_AGG_*), shared by
 * the window, session and group aggregation operators.
 *
 * An eddy_aggs is compiled once per operator from the plan's aggregate calls. It fixes the
 * layout of an accumulator row: a fixed-size struct per group (a value slot of the operator's
 * hash table, common/hashmap.h, or an element of a plain array) made of
 *
 *     [operator header: `header` bytes][state of agg 0][state of agg 1]...[distinct sets]
 *
 * A zeroed row is an empty accumulator. Variable-size parts hang off the row on the heap and
 * are counted in eddy_agg_rows.heap: strings of MIN/MAX/FIRST_VALUE/LAST_VALUE over VARCHAR
 * (one buffer per row, reused), LISTAGG text, HyperLogLog sketches (common/hll.h) and the
 * DISTINCT value sets. eddy_aggs_row_free releases them (call it before dropping a row whose
 * eddy_aggs_row_has_heap is true).
 *
 * Work is batch at a time and column-wise: eddy_aggs_update takes the rows of a batch as
 * (row index, group id) pairs and runs each aggregate over all of them in one loop chosen by
 * (function, physical type) before the loop: no indirect call per row. FILTER (WHERE c) and
 * the NULL skipping shrink the pairs per aggregate first, so the loops have no branches.
 *
 * DISTINCT: the distinct aggregates over the same argument column share one value set per
 * group (an eddy_hset in the row, value -> 64-bit mask): bit i of a value's mask says that
 * distinct aggregate i of that column has taken the value (with its own FILTER), as Flink's
 * DistinctAccumulator does (Nexmark q15/q16: several COUNT(DISTINCT bidder) FILTER (WHERE ...)
 * share one set). A distinct aggregate's state is the plain one (COUNT/SUM/AVG/...), fed only
 * by values new to its bit. MIN, MAX, FIRST_VALUE, LAST_VALUE, BOOL_AND/OR and
 * APPROX_COUNT_DISTINCT ignore DISTINCT (it does not change their result).
 * Sets are per row rather than one (group id, value) set per table because rows move: session
 * windows merge rows and group aggregation drops expired ones; per-row sets make that a
 * pointer move. TODO(perf): a shared set per slice for windows with many keys.
 *
 * Merge (slices into a window, sessions into one): eddy_aggs_merge(dst, src) adds src's state
 * to dst's, src being later in time (FIRST_VALUE keeps dst's, LAST_VALUE takes src's); the
 * distinct aggregates replay src's set values that are new in dst's set.
 *
 * Results follow Flink: NULLs are skipped; an aggregate over no value is NULL except COUNT (0)
 * and $SUM0 (0). SUM of integers sums in BIGINT and is an error on overflow (also when the
 * result type is narrower and the sum does not fit it); SUM of DECIMAL(p, s) is
 * DECIMAL(38, s); AVG of an integer type is that type (division truncating toward zero), of
 * DOUBLE a DOUBLE, of DECIMAL a DECIMAL(38, max(6, s)) rounded HALF_UP (common/decimal.h).
 * STDDEV/VAR use Welford's update and Chan's parallel merge; the SAMP forms are NULL for one
 * value. LISTAGG joins in arrival order with ',' or the row's separator.
 */
#ifndef EDDY_RUNTIME_AGG_H
#define EDDY_RUNTIME_AGG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/arena.h"
#include "../common/error.h"
#include "../common/strbuf.h"
#include "../planner/plan.h"
#include "batch.h"

typedef struct eddy_aggs eddy_aggs;

/* A set of accumulator rows: the row of group id g is base + g * stride. */
typedef struct eddy_agg_rows {
    char *base;     /* first row */
    size_t stride;  /* bytes between rows (>= eddy_aggs_row_size) */
    int64_t heap;   /* heap bytes held by the rows' variable parts */
} eddy_agg_rows;

/* Compiles the aggregate calls calls[0..n) over an input of schema in; rows start with
 * `header` bytes for the operator (rounded up to 8). line/col: the SQL position for runtime
 * errors. Returns NULL with err set for a call the runtime cannot do (EDDY_EUNSUPPORTED). */
eddy_aggs *eddy_aggs_new(const eddy_agg_call *calls, int n, const eddy_schema *in,
                         size_t header, int line, int col, eddy_error *err);
void eddy_aggs_free(eddy_aggs *a);

/* Bytes of a row (header included), a multiple of 8. */
size_t eddy_aggs_row_size(const eddy_aggs *a);
/* Number of aggregates (output columns). */
int eddy_aggs_count(const eddy_aggs *a);
/* Whether rows can hold heap memory (so eddy_aggs_row_free must be called). */
bool eddy_aggs_row_has_heap(const eddy_aggs *a);

/*
 * Adds rows sel[0..n) of b (sel NULL: rows 0..n-1) to the groups gids[0..n) of r. Scratch
 * memory comes from `scratch` (not reset here). Returns 0, or EDDY_ERUNTIME on an overflow
 * (the rows of that batch may then be partly added: the job stops anyway).
 */
int eddy_aggs_update(const eddy_aggs *a, eddy_agg_rows *r, const eddy_batch *b,
                     const int32_t *sel, const uint32_t *gids, int n, eddy_arena *scratch,
                     eddy_error *err);

/* dst += src (src later in time); src is unchanged. heap: the counter of dst's rows. */
int eddy_aggs_merge(const eddy_aggs *a, void *dst, const void *src, int64_t *heap,
                    eddy_error *err);

/* Writes the results of row `row` into columns first_col .. first_col + count - 1 of row
 * out_row of out (strings are copied into out's arena). Returns 0 or EDDY_ERUNTIME (a SUM that
 * does not fit its result type). */
int eddy_aggs_output(const eddy_aggs *a, const void *row, eddy_batch *out, int first_col,
                     int out_row, eddy_error *err);

/* Checkpoints: appends the accumulator part of row (everything after the operator's header,
 * variable parts included: strings, LISTAGG text, HyperLogLog sketches, DISTINCT sets) to buf,
 * in a form eddy_aggs_row_decode reads back on the same build of eddy. */
void eddy_aggs_row_encode(const eddy_aggs *a, const void *row, eddy_strbuf *buf);
/* Restores into row (its aggregate part zeroed, the header untouched) an accumulator written by
 * eddy_aggs_row_encode from data[0..len); heap grows by what the row holds. Returns the bytes
 * read, or EDDY_ESTATE with err set when data is truncated or does not fit this eddy_aggs. */
int64_t eddy_aggs_row_decode(const eddy_aggs *a, void *row, const void *data, size_t len,
                             int64_t *heap, eddy_error *err);

/* Frees the variable parts of a row and zeroes its aggregate part (the header is kept);
 * heap: the counter to decrease. */
void eddy_aggs_row_free(const eddy_aggs *a, void *row, int64_t *heap);

#endif
