/*
 * connector.h: the interface between the runtime and the connectors (sources and sinks).
 *
 * The runtime declares it; the connectors folder implements it (datagen, nexmark, filesystem,
 * print, blackhole; kafka, elasticsearch, s3 later). The runtime never names a connector: the
 * program (shell/) hands the job a registry, and the job looks connectors up by the table's
 * 'connector' option.
 *
 * Sources
 *   A source reads one table. It has one or more splits (Kafka partitions, files, generator
 *   streams); every batch it returns comes from one split (batch->split), so that watermarks
 *   can be kept per split. It produces exactly the columns of spec->schema, in that order,
 *   each named by its path in the table (a nested ROW field `bid.price` has path {bid, price})
 *   or by its metadata key. It may apply spec->pushed_filter itself to skip rows early (the
 *   plan re-checks it), which lets the nexmark generator produce only bids for the bid view.
 *
 *   poll() returns EDDY_POLL_DATA with 1..cap rows in the batch, EDDY_POLL_IDLE when nothing is
 *   there right now (an unbounded source), EDDY_POLL_END once a bounded source is exhausted, or
 *   a negative error code with err set. It must not block longer than timeout_ms.
 *
 *   Malformed input: a source that cannot decode a record either fails (returns EDDY_EDATA with
 *   an error naming file/topic, partition or line, and offset) or, when the table's options say
 *   so ('json.ignore-parse-errors' = 'true', ...), calls spec->bad_record() and goes on. Either
 *   way nothing is lost silently: the job counts what was skipped.
 *
 *   Positions (checkpoints): position() serializes where every split is (a byte offset and
 *   line number per file, an event number, a Kafka offset) as of the last batch poll()
 *   returned, so that seek() on a freshly opened source with the same options makes the next
 *   poll() return exactly the rows that would have followed (the same rows, in the same order,
 *   split for split). Generators that are random must therefore keep their random state in the
 *   position (or derive it from the event number). seek() is called once, before the first
 *   poll(). Pacing by wall clock ('rows-per-second') restarts from the time of seek().
 *
 * Sinks
 *   A sink writes the rows of its input batches (with their row kinds when the input is a
 *   changelog). flush() makes everything written so far durable or visible (the at-least-once
 *   point); used when the job has no checkpoints.
 *
 *   Exactly-once (spec->checkpointing): output becomes visible only with the checkpoint that
 *   covers it. At checkpoint N the job calls prepare_commit(N, marker): the sink makes what it
 *   wrote since checkpoint N-1 durable but still invisible (files closed and fsync'd under their
 *   in-progress names, print rows held in memory) and appends to marker what commit needs
 *   (which in-progress files become which final files). The marker is stored in the
 *   checkpoint's LMDB transaction; once that transaction is durable the job calls commit(N),
 *   which makes the output visible (renames, prints). After a crash the job reopens the sink
 *   and calls recover(marker of the last checkpoint, or NULL when there is none) before any
 *   write: the sink completes that commit if it had not happened (idempotent: a rename whose
 *   source is gone is done already) and deletes its in-progress output that no checkpoint
 *   covers. Names of output files must not depend on wall-clock time so that a recovered run
 *   writes the same files as one that never crashed. recover() is also called with NULL on a
 *   fresh start with checkpointing, to remove in-progress leftovers of an earlier run.
 *
 * Threads: all calls of one source or sink come from the job's thread.
 */
#ifndef EDDY_RUNTIME_CONNECTOR_H
#define EDDY_RUNTIME_CONNECTOR_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "../common/error.h"
#include "../common/strbuf.h"
#include "../planner/plan.h"
#include "batch.h"

enum {
    EDDY_POLL_DATA = 1,
    EDDY_POLL_IDLE = 2,
    EDDY_POLL_END = 3,
};

typedef struct eddy_source_spec {
    const char *table;              /* catalog name, for messages */
    const eddy_kv *options;         /* WITH options of the table */
    int noptions;
    const eddy_schema *schema;      /* columns to produce, in order */
    const char *const *const *paths;/* paths[i]: the column's path in the table (npath[i] names) */
    const int *npath;
    const char *const *metadata;    /* metadata key of column i, or NULL for a physical column */
    const eddy_bexpr *pushed_filter;/* optional filter over schema the source may apply */
    /* All physical columns of the table in declared order, or NULL when not known: positional
     * formats (csv) find a column's field by it, and generators check option names with it. */
    const eddy_schema *physical;
    /* The table's PRIMARY KEY (... NOT ENFORCED) as indexes into *physical, in the key's order
     * (upsert-kafka decodes these columns from the message key); NULL / 0 when it has none. */
    const int *primary_key;
    int nprimary_key;
    int batch_rows;                 /* preferred rows per batch */
    /* Reports a record that was skipped; where = "file data.json, line 17" or
     * "topic t, partition 3, offset 1234". */
    void (*bad_record)(void *ctx, const char *where, const char *why);
    void *ctx;                      /* passed to bad_record */
} eddy_source_spec;

typedef struct eddy_source_ops {
    const char *name;               /* connector name: 'datagen' */
    /* Opens a source; on success *state is the connector's handle. Validates the options and
     * names a missing or bad one ("option 'path' is required for connector 'filesystem'"). */
    int (*open)(const eddy_source_spec *spec, void **state, eddy_error *err);
    /* Number of splits (fixed after open in this issue). */
    int (*splits)(void *state);
    /* Fills out (already shaped like spec->schema and reset) with up to out->cap rows. */
    int (*poll)(void *state, eddy_batch *out, int64_t timeout_ms, eddy_error *err);
    /* Serializes the current position into buf / restores it. May be NULL (no recovery). */
    int (*position)(void *state, eddy_strbuf *buf, eddy_error *err);
    int (*seek)(void *state, const char *data, size_t len, eddy_error *err);
    /* Optional: a checkpoint that stored `pos` (what position() gave for it) is durable. A
     * source that shows its progress outside eddy does it here (kafka: the consumer group's
     * committed offsets, for lag tools; eddy itself restarts from the checkpoint's position,
     * never from these). Best effort: an error is reported once and the job goes on. */
    int (*commit_offsets)(void *state, const char *pos, size_t len, eddy_error *err);
    /* Optional, for a source whose splits come and go while it runs (Kafka partitions assigned
     * to this process by a consumer group): whether this process reads split i now. A split it
     * does not read holds no watermark back. The job asks after every poll(). NULL: all are. */
    bool (*split_owned)(void *state, int split);
    /* Optional: how far split i is behind the end of its stream (Kafka: the partition's high
     * watermark minus the next offset to read, as last seen), or -1 when unknown or the split is
     * not read by this process. For the consumer-lag metric. */
    int64_t (*lag)(void *state, int split);
    /* Optional: writes split i's name for the metrics' labels into buf (size n, NUL-terminated;
     * Kafka: "topic:partition"). NULL: the split's index is its name. */
    void (*split_name)(void *state, int split, char *buf, size_t n);
    /* Rows read so far and, when known, the total (bounded sources): for progress and ETA. */
    void (*progress)(void *state, uint64_t *done, uint64_t *total);
    void (*close)(void *state);
} eddy_source_ops;

typedef struct eddy_sink_spec {
    const char *table;              /* catalog name, for messages */
    const eddy_kv *options;         /* WITH options of the table */
    int noptions;
    const eddy_schema *schema;      /* the columns of the batches it receives, in table order */
    bool changelog;                 /* input batches may carry -U/+U/-D rows */
    bool print_kinds;               /* print: show the row kind (+I[...]) */
    const char *job_name;           /* for print's prefix and file names */
    FILE *out;                      /* print: where to write (stdout unless tests redirect) */
    bool checkpointing;             /* exactly-once: output visible at commit() (see above) */
    int index;                      /* the sink's index in the job (0, 1, ...): unique names */
    /* Per column of schema: the metadata key it writes (a persisted METADATA column: Kafka's
     * 'headers', 'timestamp'), or NULL for a physical column. NULL when no column is metadata.
     * The job opens a sink with metadata columns only when its connector lists every key in
     * eddy_connector.sink_metadata. */
    const char *const *metadata;
    /* The table's PRIMARY KEY as indexes into schema, in the key's order (upsert-kafka writes
     * these columns as the message key); NULL / 0 when it has none. */
    const int *primary_key;
    int nprimary_key;
} eddy_sink_spec;

typedef struct eddy_sink_ops {
    const char *name;
    int (*open)(const eddy_sink_spec *spec, void **state, eddy_error *err);
    int (*write)(void *state, const eddy_batch *b, eddy_error *err);
    int (*flush)(void *state, eddy_error *err);
    /* Exactly-once (see above); each may be NULL for a sink with nothing to commit. */
    int (*prepare_commit)(void *state, uint64_t checkpoint, eddy_strbuf *marker, eddy_error *err);
    int (*commit)(void *state, uint64_t checkpoint, eddy_error *err);
    int (*recover)(void *state, const char *marker, size_t len, eddy_error *err);
    /* Optional, for a sink whose output cannot be redone (print: rows on a pipe): when checkpoint
     * N is written by a writer process (runtime/checkpoint.h), the writer, a copy of the job,
     * calls writer_commit(N, true) right after N is durable, so that N's output comes out even
     * if the job dies that moment; the job then calls writer_commit(N, false) instead of
     * commit(N), to forget what the writer wrote. A checkpoint written in the job's process
     * calls commit(N) as usual. */
    int (*writer_commit)(void *state, uint64_t checkpoint, bool in_writer, eddy_error *err);
    void (*close)(void *state);
} eddy_sink_ops;

typedef struct eddy_connector {
    const char *name;               /* 'datagen', 'filesystem', ... */
    const eddy_source_ops *source;  /* NULL if it cannot be read */
    const eddy_sink_ops *sink;      /* NULL if it cannot be written */
    bool accepts_changelog;         /* the sink takes updates and deletes */
    const char *const *sink_metadata; /* metadata keys the sink writes (NULL-terminated), or NULL */
} eddy_connector;

/* A registry is a NULL-terminated array of connectors. */
typedef const eddy_connector *const *eddy_connector_registry;

/* Finds a connector by name in a registry, or NULL. */
const eddy_connector *eddy_connector_find(eddy_connector_registry reg, const char *name);

/* Looks up an option in a list; returns its value or def. */
const char *eddy_kv_get(const eddy_kv *kv, int n, const char *key, const char *def);

#endif
