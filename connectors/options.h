/*
 * options.h: reading a connector's WITH options, typed, with errors that say what to do.
 *
 * Every connector validates its options in open(): unknown keys are rejected with the nearest
 * known key as a suggestion, required keys are named, and values that do not parse say what
 * was expected:
 *
 *     eddy_optset o = {"datagen", spec->options, spec->noptions, err};
 *     static const char *const known[] = {"rows-per-second", "number-of-rows",
 *                                         "fields.*.kind", NULL};
 *     if (eddy_opt_check_known(&o, known) != 0) return err->code;
 *     // "unknown option 'rows-per-secnd' for connector 'datagen'; did you mean 'rows-per-second'?"
 *     int64_t rps;
 *     if (eddy_opt_int(&o, "rows-per-second", 10000, 0, INT64_MAX, &rps) != 0) return err->code;
 *
 * A known key may contain '*' standing for one or more characters of a column name
 * ('fields.*.kind' matches 'fields.price.kind' and 'fields.a.b.kind').
 *
 * Keys that are not the connector's own pass the check without being listed:
 *   - 'connector' itself;
 *   - session options the planner passes along with the table's (plan.h: eddy_kv), which
 *     start with 'table.', 'pipeline.', 'execution.', 'state.', 'sql-client.', 'parallelism.'
 *     or 'eddy.';
 *   - 'partition.keys', which the planner adds from PARTITIONED BY (filesystem reads it).
 *
 * Values: integers are decimal with an optional sign; booleans 'true'/'false' in any case;
 * durations as Flink's TimeUtils.parseDuration: a number and an optional unit, with or
 * without a space: '1 min', '10 s', '500 ms', '1min', '2h', '1 d' (no unit = milliseconds;
 * units d/day/days, h/hour/hours, min/m/minute/minutes, s/sec/secs/second/seconds,
 * ms/milli/millis/millisecond/milliseconds, us/micro/micros/..., ns/nano/nanos/...; the result
 * is whole milliseconds, truncated); memory sizes as Flink's MemorySize: '128MB', '1 gb',
 * '4096' (bytes).
 *
 * All functions return 0, or a negative EDDY_E* code with the optset's err set (EDDY_EUSAGE
 * for options). Lookups take the first entry with the key.
 */
#ifndef EDDY_CONNECTORS_OPTIONS_H
#define EDDY_CONNECTORS_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "planner/plan.h"

typedef struct eddy_optset {
    const char *connector;  /* connector name, for messages */
    const eddy_kv *kv;      /* the options */
    int n;                  /* number of options */
    eddy_error *err;        /* where errors go */
} eddy_optset;

/* The value of key, or def when it is absent. */
const char *eddy_opt_str(const eddy_optset *o, const char *key, const char *def);
/* True when key is present. */
bool eddy_opt_has(const eddy_optset *o, const char *key);
/* The value of a required key: "option 'path' is required for connector 'filesystem'". */
int eddy_opt_require(const eddy_optset *o, const char *key, const char **out);

/* Rejects any key that matches none of `known` (NULL-terminated) nor the pass-through keys
 * above, suggesting the nearest known key (Levenshtein distance) when one is close. */
int eddy_opt_check_known(const eddy_optset *o, const char *const *known);

/* Typed values; def is used when the key is absent. Ranges are inclusive. */
int eddy_opt_int(const eddy_optset *o, const char *key, int64_t def, int64_t min, int64_t max,
                 int64_t *out);
int eddy_opt_double(const eddy_optset *o, const char *key, double def, double *out);
int eddy_opt_bool(const eddy_optset *o, const char *key, bool def, bool *out);
int eddy_opt_duration(const eddy_optset *o, const char *key, int64_t def_ms, int64_t *out_ms);
int eddy_opt_bytes(const eddy_optset *o, const char *key, int64_t def, int64_t *out);
/* One of choices (NULL-terminated, compared without case): *out = its index, def when the
 * key is absent. "option 'format' of connector 'filesystem' must be one of 'json', 'csv'". */
int eddy_opt_enum(const eddy_optset *o, const char *key, const char *const *choices, int def,
                  int *out);
/* A single character ('csv.field-delimiter' = ';', also '\t' written as backslash-t). */
int eddy_opt_char(const eddy_optset *o, const char *key, char def, char *out);

/* The parsers behind the typed options, for other callers: 0 or EDDY_EUSAGE (no message). */
int eddy_parse_duration(const char *s, int64_t *out_ms);
int eddy_parse_bool(const char *s, bool *out);
int eddy_parse_bytes(const char *s, int64_t *out);

/* Levenshtein distance between a and b (insert, delete, substitute cost 1). */
int eddy_levenshtein(const char *a, const char *b);
/* The entry of cands (NULL-terminated) nearest to s when it is close enough to be a likely
 * typo (distance <= max(2, strlen(s) / 3)), else NULL. */
const char *eddy_nearest(const char *s, const char *const *cands);

#endif
