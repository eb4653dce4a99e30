/*
 * batch.h: rows in columns, the unit of work between operators.
 *
 * A batch holds up to `cap` rows as columns of fixed-width values. Every SQL type maps to one
 * of five physical representations:
 *
 *   EDDY_PHYS_BOOL  uint8_t   BOOLEAN
 *   EDDY_PHYS_I64   int64_t   TINYINT, SMALLINT, INT, BIGINT, DATE (days), TIME (ms),
 *                             TIMESTAMP/TIMESTAMP_LTZ (ms since epoch), INTERVAL (ms or months)
 *   EDDY_PHYS_F64   double    FLOAT, DOUBLE
 *   EDDY_PHYS_DEC   __int128  DECIMAL(p, s): unscaled value, p and s in the column's type
 *   EDDY_PHYS_STR   eddy_str  CHAR, VARCHAR, BINARY, VARBINARY: pointer + length
 *
 * Narrow integer types keep the range of their SQL type (the runtime checks overflow against
 * it) but are stored as int64 so that kernels are few and loops are simple.
 *
 * NULLs: col->nulls is NULL when no row is NULL; otherwise nulls[i] != 0 marks row i NULL
 * (a byte per row keeps kernels branch-free). The value slot of a NULL row is unspecified.
 *
 * Lifetime: a batch is pushed down the pipeline synchronously; it and everything it points to
 * (string bytes included) are valid only until the push returns. An operator that keeps data
 * (keys, accumulators, buffered rows) copies it. Column arrays and string bytes live in the
 * batch's arena, which the producer resets before refilling the batch.
 *
 * Changelog: kinds is NULL for insert-only batches; otherwise kinds[i] is an eddy_row_kind.
 *
 * Watermarks per row: event time is exact to the row, not to the batch. The watermark operator
 * sets wm_before[i] to the watermark in force when row i arrived (the minimum over splits of the
 * largest watermark-expression value seen before that row). Operators that decide lateness or
 * fire windows behave as if the watermark advanced to wm_before[i] just before row i, so results
 * do not depend on how rows were cut into batches. Operators that filter or reorder rows carry
 * wm_before along; operators that create new rows (aggregations) emit batches without it, and
 * then the last watermark received applies to the whole batch.
 */
#ifndef EDDY_RUNTIME_BATCH_H
#define EDDY_RUNTIME_BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/arena.h"
#include "../common/sqltype.h"

#define EDDY_BATCH_ROWS 1024 /* default rows per batch */

typedef enum eddy_phys {
    EDDY_PHYS_BOOL,
    EDDY_PHYS_I64,
    EDDY_PHYS_F64,
    EDDY_PHYS_DEC,
    EDDY_PHYS_STR,
} eddy_phys;

typedef enum eddy_row_kind {
    EDDY_ROW_INSERT = 0,        /* +I */
    EDDY_ROW_UPDATE_BEFORE = 1, /* -U */
    EDDY_ROW_UPDATE_AFTER = 2,  /* +U */
    EDDY_ROW_DELETE = 3,        /* -D */
} eddy_row_kind;

typedef struct eddy_str {
    const char *p; /* bytes, not NUL-terminated */
    uint32_t n;    /* length in bytes */
} eddy_str;

typedef struct eddy_col {
    const eddy_sqltype *type; /* logical type (from the plan's schema) */
    eddy_phys phys;           /* physical representation */
    uint8_t *nulls;           /* NULL = no NULLs; else one byte per row, non-zero = NULL */
    union {
        uint8_t *b;
        int64_t *i64;
        double *f64;
        __int128 *dec;
        eddy_str *str;
        void *ptr;
    } v;                      /* values, cap entries */
} eddy_col;

typedef struct eddy_batch {
    int n;              /* rows in use */
    int cap;            /* rows the columns have room for */
    int ncols;          /* number of columns */
    eddy_col *cols;     /* the columns */
    uint8_t *kinds;     /* row kinds, or NULL when every row is +I */
    int64_t *wm_before; /* per-row watermark in force at arrival, or NULL (see above) */
    int split;          /* source split (partition) the rows come from; -1 if mixed */
    eddy_arena *arena;  /* owns the column arrays and string bytes */
} eddy_batch;

/* The physical representation of a SQL type. */
eddy_phys eddy_phys_of(const eddy_sqltype *t);
/* Bytes per value of a physical representation. */
size_t eddy_phys_size(eddy_phys p);

/* Returns a new batch with room for cap rows of the given column types (its own arena). */
eddy_batch *eddy_batch_new(int ncols, const eddy_sqltype *const *types, int cap);
/* Frees a batch made by eddy_batch_new. */
void eddy_batch_free(eddy_batch *b);
/* Empties the batch for refilling: n = 0, nulls cleared, string memory released. Column
 * arrays stay allocated (they live in a separate allocation from the string arena). */
void eddy_batch_reset(eddy_batch *b);

/* Makes col->nulls exist (all zero) and returns it. */
uint8_t *eddy_col_nulls(eddy_batch *b, int col);
/* Copies len bytes into the batch's arena and returns the eddy_str for them. */
eddy_str eddy_batch_str(eddy_batch *b, const char *p, size_t len);
/* Ensures the row-kind array exists (all +I) and returns it. */
uint8_t *eddy_batch_kinds(eddy_batch *b);

#endif
