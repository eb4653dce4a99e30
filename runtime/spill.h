/*
 * spill.h: state beyond memory (issue 4, DESIGN.md "State, checkpoints, exactly-once"). A job's
 * stateful operators share one memory budget ('state.memory.budget', default 256 MB); when
 * their state (eddy_op.state_bytes) goes above it, the job asks the operator that holds the
 * most to spill (operator.h spill()): it writes its in-memory tables, sorted, as a *run* into
 * the job's spill store and frees them; what it needs of a run later (a window that fires) it
 * reads back with a cursor, merging runs and memory by key.
 *
 * The spill store is one LMDB environment of its own (so that writing a run never waits for a
 * checkpoint's write transaction in the state store): STATE_DIR/spill/ when the job has a
 * state directory, else a private temporary directory ($TMPDIR or /tmp, "eddy-spill-XXXXXX")
 * removed when the job ends. It is opened at the first run, so a job that stays under its
 * budget never creates it. Each run is one named database "OWNER/RUN" (OWNER the operator's
 * "op/K", RUN a number that only grows), written once and never changed: a checkpoint names
 * the runs an operator's state is made of (in its own snapshot) instead of copying them, and a
 * run is dropped only when no checkpoint that may be restored names it any more. Restoring an
 * operator drops the runs it owns that its checkpoint does not name (written after it).
 *
 * Durability: run commits do not wait for the disk; eddy_spill_sync() (called by a snapshot,
 * possibly in a forked child) makes every committed run durable before the checkpoint that names
 * them commits. A process crash (kill -9) loses nothing; after an operating-system crash a run
 * written after the last checkpoint may be damaged, and such runs are never read (they are
 * dropped at restore).
 *
 * Threads: the job's thread (and eddy_spill_sync from a forked child).
 */
#ifndef EDDY_RUNTIME_SPILL_H
#define EDDY_RUNTIME_SPILL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/error.h"

typedef struct eddy_spill eddy_spill;

/* The default of 'state.memory.budget'. */
#define EDDY_SPILL_DEFAULT_BUDGET ((int64_t)256 << 20)

/* Parses a memory size as Flink writes them ('256 mb', '64m', '1 gb', '512kb', '1048576' bytes;
 * units b, k/kb, m/mb, g/gb, t/tb, any case, binary multiples). 0 and *bytes, or -1. */
int eddy_spill_parse_size(const char *text, int64_t *bytes);

/* A spill store for a job whose state directory is state_dir (NULL: none; a temporary directory
 * is used) with the given budget in bytes (> 0). Nothing is created on disk yet. */
eddy_spill *eddy_spill_new(const char *state_dir, int64_t budget);
int64_t eddy_spill_budget(const eddy_spill *sp);
/* True once a run was written or restored (the store exists on disk). */
bool eddy_spill_used(const eddy_spill *sp);
/* What was spilled so far: runs written and their bytes (keys and values). */
void eddy_spill_stats(const eddy_spill *sp, uint64_t *runs, uint64_t *bytes);
/* Closes the store; a temporary directory is removed. NULL is fine. */
void eddy_spill_free(eddy_spill *sp);

/* ---- for the checkpoint coordinator ---- */

/* Makes every committed run durable (fdatasync of the store's file; safe in a forked child, it
 * touches no LMDB handle). 0 when the store was never used. */
int eddy_spill_sync(eddy_spill *sp, eddy_error *err);
/* Savepoint: writes a compacted copy of the store into dst_dir/spill (dst_dir exists). Nothing
 * when the store was never used. */
int eddy_spill_copy(eddy_spill *sp, const char *dst_dir, eddy_error *err);
/* --from-savepoint: copies savepoint_dir/spill (when it exists) to state_dir/spill, before the
 * job's spill store is opened. */
int eddy_spill_adopt(const char *savepoint_dir, const char *state_dir, eddy_error *err);
/* The job has ended by itself: closes the store and removes STATE_DIR/spill. */
void eddy_spill_remove(eddy_spill *sp);

/* ---- runs, for operators ---- */

typedef struct eddy_spill_writer eddy_spill_writer;

/* Starts a new run of owner ("op/K"); *run gets its number. */
int eddy_spill_run_begin(eddy_spill *sp, const char *owner, uint32_t *run, eddy_spill_writer **w,
                         eddy_error *err);
/* Appends an entry; keys must come in strictly increasing byte order (LMDB's: memcmp, then the
 * shorter first), at most EDDY_SPILL_MAX_KEY bytes. */
#define EDDY_SPILL_MAX_KEY 480
int eddy_spill_put(eddy_spill_writer *w, const void *key, size_t klen, const void *val,
                   size_t vlen, eddy_error *err);
/* Commits the run (0) or, on error, drops what was written; frees w either way. */
int eddy_spill_run_end(eddy_spill_writer *w, bool ok, eddy_error *err);
/* Drops run `run` of owner (missing is fine). */
int eddy_spill_run_drop(eddy_spill *sp, const char *owner, uint32_t run, eddy_error *err);
/* Restore: checks that every run in keep[0..n) of owner exists (EDDY_ESTATE naming the missing
 * one) and drops the other runs of owner. */
int eddy_spill_runs_keep(eddy_spill *sp, const char *owner, const uint32_t *keep, int n,
                         eddy_error *err);

/* Reading runs back: cursors live in one read pass (eddy_spill_read_begin ... end; passes nest:
 * the last end closes it); runs may be written during a pass (MDB_NOTLS) but not dropped. */
typedef struct eddy_spill_cursor eddy_spill_cursor;
int eddy_spill_read_begin(eddy_spill *sp, eddy_error *err);
void eddy_spill_read_end(eddy_spill *sp);
/* A cursor over run `run` of owner at the first key >= from (from may be NULL: the first). */
int eddy_spill_cursor_open(eddy_spill *sp, const char *owner, uint32_t run, const void *from,
                           size_t fromlen, eddy_spill_cursor **c, eddy_error *err);
/* The current entry: 1 and key/val (valid until the next call), 0 at the end, or an error. */
int eddy_spill_cursor_get(eddy_spill_cursor *c, const void **key, size_t *klen, const void **val,
                          size_t *vlen, eddy_error *err);
/* Moves to the next entry. */
int eddy_spill_cursor_next(eddy_spill_cursor *c, eddy_error *err);
void eddy_spill_cursor_close(eddy_spill_cursor *c);

#endif
