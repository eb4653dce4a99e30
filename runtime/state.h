/*
 * state.h: the job's durable state store: one LMDB environment in the job's state directory,
 * one named database per stateful operator and per source, and a meta database with the
 * checkpoint record (issue 4, DESIGN.md "State, checkpoints, exactly-once").
 *
 *     eddy_state *st;
 *     if (eddy_state_open(dir, &st, &err)) ...            // creates, locks, validates
 *     uint64_t last = eddy_state_last_checkpoint(st);      // 0: nothing to restore
 *
 *     // restore: read what the last checkpoint wrote
 *     eddy_state_txn *rt;
 *     eddy_state_begin(st, EDDY_STATE_READ, &rt, &err);
 *     eddy_state_db db;
 *     if (eddy_state_db_open(rt, "op/2", &db, &err) == 0) eddy_state_scan(&db, visit, ctx, &err);
 *     eddy_state_abort(rt);
 *
 *     // checkpoint: everything in ONE write transaction
 *     eddy_state_txn *t;
 *     eddy_state_begin(st, EDDY_STATE_WRITE, &t, &err);
 *     eddy_state_db_open(t, "op/2", &db, &err);            // created when missing
 *     eddy_state_clear(&db, &err);                         // a full snapshot, or
 *     eddy_state_put(&db, key, klen, val, vlen, &err);     // put / del what changed
 *     eddy_state_meta_put(t, "source/0", pos, poslen, &err);
 *     eddy_state_commit(t, checkpoint_id, &err);           // durable when this returns 0
 *
 * Layout on disk: DIR/data.mdb and DIR/lock.mdb (LMDB), DIR/LOCK (flock: one running job per
 * directory), nothing else. The unnamed database is not used; the named database "meta" holds
 *     "format"        "eddy-state 1"   (written when the directory is created)
 *     "checkpoint"    the id of the last completed checkpoint, 8 bytes little-endian
 *     "checkpoint.at" wall-clock ms of that checkpoint, 8 bytes little-endian
 *     any key the caller puts with eddy_state_meta_put ("plan", "source/N", "sink/N", "op/N.wm")
 * and every other named database belongs to the caller (operators: "op/N", N the operator's
 * index among the job's stateful operators, see checkpoint.h).
 *
 * Keys sort as bytes (LMDB's default), so an operator that wants its state in firing order
 * writes the window end first, big-endian (eddy_state_key_i64).
 *
 * Errors say what to do next and leave the directory as it was:
 *   - a directory locked by another running eddy: EDDY_ESTATE "state directory DIR is in use by
 *     another eddy process (pid N); stop it or choose another --state-dir"
 *   - a directory that exists, is not empty and holds no eddy state (foreign): EDDY_ESTATE
 *     "DIR is not an eddy state directory (no data.mdb); ..."
 *   - a truncated or damaged data.mdb, or a "format" it does not know: EDDY_ESTATE naming it
 *   - a full disk (ENOSPC) or any I/O error during commit: EDDY_ESTATE with strerror, and the
 *     transaction is aborted: the previous checkpoint stays the last one.
 * The LMDB map starts at 1 GiB (address space only: the file grows with its pages) and is
 * doubled by eddy_state_begin(WRITE) whenever more than half of it is in use. Should a write
 * transaction still hit MDB_MAP_FULL, put/commit return EDDY_ESTATE_FULL with the transaction
 * aborted and the map already doubled: the caller runs the same checkpoint again (snapshots
 * are repeatable until their commit succeeds, see operator.h), so a full map never fails a job.
 * (db_open, clear, del and meta_put of a write transaction can return it too.) After
 * EDDY_ESTATE_FULL from any call but commit, the eddy_state_txn stays allocated and every call on
 * it returns EDDY_ESTATE_FULL again until the caller ends it with eddy_state_abort. Growing the
 * map remaps the file, so it needs every transaction ended: with a read transaction open,
 * begin(WRITE) does not grow the map and a full map is EDDY_ESTATE, not EDDY_ESTATE_FULL.
 * Tests only: the environment variable EDDY_STATE_TEST_MAPSIZE (bytes) replaces the first 1 GiB.
 *
 * Locked directory: DIR/LOCK is flock'd by the job; an open that finds it locked although the
 * pid written in it has ended waits (up to 30 s) for the holder, a checkpoint writer that
 * outlived its killed job, instead of refusing.
 *
 * Threads: one thread at a time per eddy_state (the job's thread). Processes: see
 * eddy_state_open_child.
 */
#ifndef EDDY_RUNTIME_STATE_H
#define EDDY_RUNTIME_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/error.h"

typedef struct eddy_state eddy_state;
typedef struct eddy_state_txn eddy_state_txn;

/* A named database inside a transaction; valid until that transaction ends. */
typedef struct eddy_state_db {
    eddy_state_txn *txn;
    unsigned int dbi;       /* LMDB's MDB_dbi */
} eddy_state_db;

enum { EDDY_STATE_READ = 0, EDDY_STATE_WRITE = 1 };

/* Opens (creating when missing, with its parents) and locks the state directory dir. */
int eddy_state_open(const char *dir, eddy_state **out, eddy_error *err);
/* For a process forked by the owner of parent (an asynchronous checkpoint's writer,
 * checkpoint.c): opens the same directory in an environment of its own, with parent's map
 * size, taking no lock (the inherited LOCK descriptor keeps the directory locked for as long as
 * either process lives) and creating nothing. Never use parent's handles in the child. */
int eddy_state_open_child(const eddy_state *parent, eddy_state **out, eddy_error *err);
/* Re-reads the last checkpoint's id and time after another process (that writer) committed
 * one; no transaction of st may be open. A map that the other process grew is adopted by the
 * next begin (MDB_MAP_RESIZED is handled there). */
int eddy_state_refresh(eddy_state *st, eddy_error *err);
/* Commits nothing: ends every transaction still open (their handles become invalid), unlocks
 * and closes. NULL is allowed. */
void eddy_state_close(eddy_state *st);
const char *eddy_state_dir(const eddy_state *st);

/* The id of the last completed checkpoint (0 when the store has none) and its wall-clock ms. */
uint64_t eddy_state_last_checkpoint(const eddy_state *st);
int64_t eddy_state_last_checkpoint_at(const eddy_state *st);

/* Bytes the environment uses on disk (pages in use * page size). */
uint64_t eddy_state_size(const eddy_state *st);

/* Begins a read or write transaction (one write transaction at a time). */
int eddy_state_begin(eddy_state *st, int mode, eddy_state_txn **out, eddy_error *err);
/* Commits a write transaction and records it as checkpoint `checkpoint` (> the last one).
 * After a return of 0 the checkpoint is durable (fsync'd). On error the transaction is
 * aborted and the store still holds the previous checkpoint. Frees txn either way. */
int eddy_state_commit(eddy_state_txn *txn, uint64_t checkpoint, eddy_error *err);
/* Ends a read transaction, or aborts a write one. NULL is allowed. */
void eddy_state_abort(eddy_state_txn *txn);

/* Opens the named database `name` in txn. A write transaction creates it when missing; a read
 * transaction returns EDDY_ENOTFOUND (no error message needed) when it does not exist. "meta"
 * and "" are refused. Opening a name again in the same transaction is a table lookup. */
int eddy_state_db_open(eddy_state_txn *txn, const char *name, eddy_state_db *db, eddy_error *err);
/* Deletes every entry of db (write transactions). */
int eddy_state_clear(eddy_state_db *db, eddy_error *err);
int eddy_state_put(eddy_state_db *db, const void *key, size_t klen, const void *val, size_t vlen,
                   eddy_error *err);
/* Deleting a key that is not there is not an error. */
int eddy_state_del(eddy_state_db *db, const void *key, size_t klen, eddy_error *err);
/* Looks up key: 0 and *val, *vlen (valid until the transaction ends), or EDDY_ENOTFOUND. */
int eddy_state_get(eddy_state_db *db, const void *key, size_t klen, const void **val, size_t *vlen,
                   eddy_error *err);
/* Calls visit for every entry in key order (keys >= from when from != NULL); visit returns 0 to
 * go on, 1 to stop early (eddy_state_scan then returns 0), or a negative error. visit must not
 * write to db. */
typedef int (*eddy_state_visit)(void *ctx, const void *key, size_t klen, const void *val,
                                size_t vlen, eddy_error *err);
int eddy_state_scan(eddy_state_db *db, const void *from, size_t fromlen, eddy_state_visit visit,
                    void *ctx, eddy_error *err);

/* The "meta" database: small values the job keeps with a checkpoint. meta_put refuses the
 * store's own keys ("format", "checkpoint", "checkpoint.at"). */
int eddy_state_meta_put(eddy_state_txn *txn, const char *key, const void *val, size_t vlen,
                        eddy_error *err);
int eddy_state_meta_get(eddy_state_txn *txn, const char *key, const void **val, size_t *vlen,
                        eddy_error *err);

/* Writes a compacted copy of the environment (mdb_env_copy2 with MDB_CP_COMPACT) into the
 * directory dst (created; must be empty or missing), as the state directory of a savepoint:
 * eddy_state_open(dst) reads it like any state directory. The copy holds the last completed
 * checkpoint and is fsync'd when this returns 0; not while a write transaction is open. */
int eddy_state_copy(eddy_state *st, const char *dst, eddy_error *err);

/* Big-endian encoding of v into out[8] for keys that must sort by number; for signed values
 * (window ends) the sign bit is flipped so that negative values sort first. */
void eddy_state_key_i64(unsigned char out[8], int64_t v);
int64_t eddy_state_key_i64_get(const unsigned char in[8]);

#endif
