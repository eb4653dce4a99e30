/*
 * plan.h: the physical plan, the contract between the planner and the runtime.
 *
 * The planner turns bound statements into a plan: a tree of operator nodes, each with its
 * output schema, whose expressions are typed and refer to input columns by index. The plan is
 * data only and read-only to the runtime, which builds its own operator state from it (the
 * PostgreSQL split of plannodes.h and the executor). All of a plan lives in its arena.
 *
 * Shape of a typical windowed query, bottom up:
 *
 *   SOURCE (connector, physical columns it must produce, pushed-down event_type filter)
 *     -> CALC (computed columns such as `dateTime` AS CASE ...)
 *     -> WATERMARK (rowtime column, watermark expression, idle timeout)
 *     -> CALC (view filters, projections, aggregate arguments)
 *     -> WINDOW_AGG (TUMBLE/HOP/CUMULATE by slices) | SESSION_AGG | GROUP_AGG
 *     -> CALC (HAVING, final projection in SELECT order)
 *     -> SINK (connector of the INSERT target, or print for a bare SELECT)
 *
 * Late rows: with SET 'eddy.late-rows.table', a WINDOW_AGG / SESSION_AGG node also has a
 * late_sink: SINK (that table) -> CALC (its columns by name, cast as INSERT casts) whose
 * input is the window node itself, reading the rows it drops as late in the layout of the
 * window node's input (see window_agg.late_sink). Those sinks follow the query's own in
 * eddy_job_plan.sinks.
 *
 * Column layout rules (the runtime relies on them):
 *   - CALC output = its projection list, in order, after its filter.
 *   - WINDOW_AGG / SESSION_AGG output = group keys, then window_start, window_end,
 *     window_time, then one column per aggregate, in plan order.
 *   - GROUP_AGG output = group keys, then aggregates; its rows form a changelog.
 *   - WINDOW_TVF output = input columns, then window_start, window_end, window_time.
 *
 * Time attributes: TIMESTAMP(3) values are int64 milliseconds (wall clock, no zone). A schema
 * field marked rowtime carries event time; watermarks refer to it.
 */
#ifndef EDDY_PLANNER_PLAN_H
#define EDDY_PLANNER_PLAN_H

#include <stdbool.h>
#include <stdint.h>

#include "../common/arena.h"
#include "../common/sqltype.h"
#include "functions.h"

/* ---------------------------------------------------------------------------------------- */
/* Values and schemas                                                                       */

/* A constant value; which member is valid follows from the type it belongs to. */
typedef struct eddy_value {
    bool null;              /* SQL NULL */
    union {
        bool b;             /* BOOLEAN */
        int64_t i;          /* TINYINT..BIGINT, DATE (days), TIME (ms), TIMESTAMP (ms), INTERVAL */
        double f;           /* FLOAT, DOUBLE */
        __int128 dec;       /* DECIMAL unscaled value */
        struct {
            const char *p;  /* bytes (not NUL-terminated in general) */
            uint32_t n;     /* length */
        } s;                /* CHAR, VARCHAR, BINARY, VARBINARY */
    } u;
} eddy_value;

typedef struct eddy_field {
    const char *name;           /* column name */
    const eddy_sqltype *type;   /* its type; type->not_null says it is never NULL */
    bool rowtime;               /* an event-time attribute (has a watermark upstream) */
    bool proctime;              /* a processing-time attribute (PROCTIME()) */
} eddy_field;

typedef struct eddy_schema {
    eddy_field *fields;
    int n;
} eddy_schema;

/* ---------------------------------------------------------------------------------------- */
/* Typed expressions                                                                         */

typedef enum eddy_bexpr_kind {
    EDDY_BEXPR_CONST,     /* value */
    EDDY_BEXPR_COLUMN,    /* input column `col` */
    EDDY_BEXPR_ARITH,     /* op ADD/SUB/MUL/DIV/MOD/NEG on numbers, DECIMAL, timestamps +/- intervals */
    EDDY_BEXPR_COMPARE,   /* op EQ/NE/LT/LE/GT/GE, args of one comparable type (binder inserts casts) */
    EDDY_BEXPR_AND,       /* n-ary, three-valued */
    EDDY_BEXPR_OR,        /* n-ary, three-valued */
    EDDY_BEXPR_NOT,
    EDDY_BEXPR_IS,        /* args[0] IS [NOT] NULL/TRUE/FALSE/UNKNOWN: is_what, negated */
    EDDY_BEXPR_DISTINCT,  /* args[0] IS [NOT] DISTINCT FROM args[1]: negated */
    EDDY_BEXPR_IN,        /* args[0] [NOT] IN (args[1..]): negated */
    EDDY_BEXPR_LIKE,      /* args[0] [NOT] LIKE args[1] [ESCAPE args[2]]: negated, similar */
    EDDY_BEXPR_CASE,      /* args = when1, then1, when2, then2, ..., [else] (has_else) */
    EDDY_BEXPR_CAST,      /* args[0] to type; try_cast: NULL instead of an error */
    EDDY_BEXPR_CONCAT,    /* args[0] || args[1] */
    EDDY_BEXPR_CALL,      /* built-in scalar function fn(args); unit for EXTRACT/FLOOR/TIMESTAMPADD */
    EDDY_BEXPR__COUNT
} eddy_bexpr_kind;

typedef enum eddy_bop {
    EDDY_BOP_ADD, EDDY_BOP_SUB, EDDY_BOP_MUL, EDDY_BOP_DIV, EDDY_BOP_MOD, EDDY_BOP_NEG,
    EDDY_BOP_EQ, EDDY_BOP_NE, EDDY_BOP_LT, EDDY_BOP_LE, EDDY_BOP_GT, EDDY_BOP_GE,
} eddy_bop;

typedef struct eddy_bexpr eddy_bexpr;
struct eddy_bexpr {
    eddy_bexpr_kind kind;       /* which fields are valid */
    const eddy_sqltype *type;   /* result type (not_null when provably never NULL) */
    int line, col;              /* position in the SQL text, for runtime errors */
    eddy_value value;           /* CONST */
    int column;                 /* COLUMN: input column index */
    eddy_bop op;                /* ARITH, COMPARE */
    eddy_fn fn;                 /* CALL */
    eddy_time_unit unit;        /* CALL of EXTRACT, FLOOR/CEIL TO, TIMESTAMPADD/DIFF */
    int is_what;                /* IS: 0 NULL, 1 TRUE, 2 FALSE, 3 UNKNOWN */
    bool negated;               /* IS NOT, NOT IN, NOT LIKE, IS NOT DISTINCT */
    bool similar;               /* LIKE: SIMILAR TO */
    bool has_else;              /* CASE */
    bool try_cast;              /* CAST: TRY_CAST */
    eddy_bexpr **args;          /* operands */
    int nargs;
};

/* ---------------------------------------------------------------------------------------- */
/* Aggregates                                                                               */

typedef struct eddy_agg_call {
    eddy_agg fn;                /* COUNT, SUM, ... */
    int arg;                    /* input column of the argument, -1 for COUNT(*) */
    int arg2;                   /* LISTAGG separator column, else -1 */
    int filter;                 /* input BOOLEAN column of FILTER (WHERE ...), -1 if none */
    bool distinct;              /* AGG(DISTINCT x) */
    const eddy_sqltype *type;   /* result type */
    const char *name;           /* output column name */
} eddy_agg_call;

/* ---------------------------------------------------------------------------------------- */
/* Plan nodes                                                                               */

typedef enum eddy_plan_kind {
    EDDY_PLAN_SOURCE,       /* reads a table through a connector */
    EDDY_PLAN_CALC,         /* filter, then projection */
    EDDY_PLAN_WATERMARK,    /* assigns watermarks per source split */
    EDDY_PLAN_WINDOW_TVF,   /* TUMBLE/HOP/CUMULATE without aggregation: a row per window */
    EDDY_PLAN_WINDOW_AGG,   /* TUMBLE/HOP/CUMULATE aggregation by slices */
    EDDY_PLAN_SESSION_AGG,  /* SESSION window aggregation */
    EDDY_PLAN_GROUP_AGG,    /* non-windowed GROUP BY, emits a changelog */
    EDDY_PLAN_UNION,        /* UNION ALL of inputs with equal schemas */
    EDDY_PLAN_SINK,         /* writes through a connector */
    EDDY_PLAN__COUNT
} eddy_plan_kind;

typedef enum eddy_window_kind {
    EDDY_WINDOW_TUMBLE,
    EDDY_WINDOW_HOP,
    EDDY_WINDOW_CUMULATE,
    EDDY_WINDOW_SESSION,
} eddy_window_kind;

/* The window of WINDOW_TVF, WINDOW_AGG and SESSION_AGG. */
typedef struct eddy_window_spec {
    eddy_window_kind kind;
    int time_col;           /* input column with the time attribute */
    bool proctime;          /* windows in processing time (PROCTIME()) instead of event time */
    int64_t size;           /* ms: TUMBLE/HOP size, CUMULATE max size */
    int64_t slide;          /* ms: HOP slide, CUMULATE step; = size for TUMBLE */
    int64_t offset;         /* ms: window offset (TUMBLE/HOP optional 4th/5th argument) */
    int64_t gap;            /* ms: SESSION gap */
} eddy_window_spec;

/* Options of a connector: 'key' = 'value' pairs as written in WITH (...) plus SET options the
 * connector may read (prefixed as written, e.g. 'table.exec.source.idle-timeout'). */
typedef struct eddy_kv {
    const char *key;
    const char *value;
} eddy_kv;

typedef struct eddy_plan eddy_plan;
struct eddy_plan {
    eddy_plan_kind kind;
    int id;                 /* stable operator id within the job (state is keyed by it) */
    eddy_schema out;        /* output schema */
    eddy_plan **inputs;     /* inputs (one, except UNION) */
    int ninputs;
    bool changelog;         /* output rows carry row kinds other than +I */
    int line, col;          /* SQL position the node comes from (for runtime errors) */
    /* What the node's checkpointed state looks like (stateful operators, sources, watermark
     * assigners; NULL for the others): one line naming the operator kind, key and aggregate
     * types and window, without node ids, so that a savepoint still fits a plan that adds a
     * stateless operator. Compared on restore (job.h). */
    const char *state_shape;
    union {
        struct {
            const char *table;       /* catalog name of the table */
            const char *connector;   /* 'connector' option */
            eddy_kv *options;        /* all WITH options */
            int noptions;
            /* What to produce: the table's physical columns that the query uses, in the order
             * of out.fields. A nested ROW field used as `bid.price` is produced as its own flat
             * column whose path is {"bid", "price"}. */
            const char ***paths;     /* paths[i] = array of npath[i] names */
            int *npath;
            const char **metadata;   /* metadata key for a METADATA column, else NULL */
            bool bounded;            /* the connector ends by itself (file, number-of-rows) */
            eddy_schema physical;    /* all physical columns of the table, in declared order
                                      * (csv field positions; n = 0 when not filled) */
            int *primary_key;        /* PRIMARY KEY columns as indexes into physical, in the
                                      * key's order; NULL when the table has none */
            int nprimary_key;
            eddy_bexpr *pushed_filter; /* a conjunct the source may apply itself, or NULL
                                        * (evaluated over out; the source may ignore it, a CALC
                                        * above still checks it) */
        } source;
        struct {
            eddy_bexpr *filter;      /* over the input, or NULL */
            eddy_bexpr **exprs;      /* projection over the input; out.n entries */
        } calc;
        struct {
            int rowtime;             /* column of the rowtime attribute (input = output) */
            eddy_bexpr *expr;        /* watermark expression over the input */
            int64_t idle_timeout_ms; /* 'table.exec.source.idle-timeout', 0 = never idle */
        } watermark;
        struct {
            eddy_window_spec win;
        } window_tvf;
        struct {
            eddy_window_spec win;
            int *keys;               /* input columns of the group keys (window columns excluded) */
            int nkeys;
            eddy_agg_call *aggs;
            int naggs;
            int64_t allowed_lateness_ms; /* 'table.exec.emit.allow-lateness' */
            int64_t early_fire_ms;   /* 'table.exec.emit.early-fire.delay' when enabled, else 0 */
            bool late_fire;          /* 'table.exec.emit.late-fire.enabled' with a lateness (Flink):
                                      * windows fire when the watermark passes their end, and rows
                                      * within the allowed lateness then update the result
                                      * (-U/+U: the node is a changelog). Without it the lateness
                                      * only delays the one firing to end - 1 + lateness */
            int64_t late_fire_ms;    /* 'table.exec.emit.late-fire.delay' (0 = at every late row) */
            /* Late rows ('eddy.late-rows.table'): the SINK the rows this node drops as late go
             * to, or NULL to drop them. The sink's input is a CALC whose input is this node and
             * whose expressions read this node's INPUT layout: the one edge of a plan that
             * carries not its input's output but the rows the window operator refused, as
             * they reached it (the runtime wires it to eddy_op.late_outs). The planner
             * appends late sinks to the job's sinks after the query's own, so they get ids,
             * fingerprints and operators like every sink. */
            eddy_plan *late_sink;
        } window_agg;                /* WINDOW_AGG and SESSION_AGG (win.kind SESSION; keys = PARTITION BY / group keys) */
        struct {
            int *keys;
            int nkeys;
            eddy_agg_call *aggs;
            int naggs;
            int64_t state_ttl_ms;    /* 'table.exec.state.ttl', 0 = forever */
            bool mini_batch;         /* 'table.exec.mini-batch.enabled': one change per group per
                                      * input batch; false (Flink's default): a change per input row */
        } group_agg;
        struct {
            const char *table;       /* catalog name of the target */
            const char *connector;
            eddy_kv *options;
            int noptions;
            eddy_schema target;      /* the target table's persisted columns (physical, and
                                      * METADATA not VIRTUAL), in table order */
            const char **metadata;   /* per target column: its metadata key, or NULL for a
                                      * physical column; the array is NULL when none is metadata */
            int *primary_key;        /* PRIMARY KEY columns as indexes into target, in key order */
            int nprimary_key;        /* 0: the table has none */
            bool print_changelog;    /* print row kinds (+I, -U, ...) */
            int64_t limit;           /* > 0: LIMIT n of the query; the job ends once the sink
                                      * has written n rows. 0 = no limit (LIMIT 0 is planned as
                                      * a filter that keeps nothing) */
        } sink;
    } u;
};

/* A job: the sinks of one INSERT, one statement set, or one bare SELECT (whose sink is the
 * terminal). Sources reached from several sinks are shared. */
typedef struct eddy_job_plan {
    eddy_plan **sinks;      /* the statement's sinks, then the late-row sinks of its windows */
    int nsinks;
    int nnodes;             /* node ids are 0 .. nnodes-1 */
    eddy_kv *config;        /* the session's SET options at submit time */
    int nconfig;
    const char *name;       /* job name ('pipeline.name' or the statement's first line) */
    uint64_t fingerprint;   /* hash of the plan's stateful shape (savepoint compatibility) */
    eddy_arena *arena;      /* owns everything above */
} eddy_job_plan;

#endif
