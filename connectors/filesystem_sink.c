/*
 * filesystem_sink.c: the 'filesystem' connector's sink: rows as JSON-lines or CSV part files in
 * a local directory, partitioned as Flink's filesystem sink does (the source and the shared
 * options are in filesystem.c and filesystem_common.h).
 *
 *   CREATE TABLE out (...) PARTITIONED BY (dt) WITH ('connector' = 'filesystem',
 *     'path' = 'file:///data/out', 'format' = 'csv');
 *
 * Options (Flink's names):
 *   'sink.rolling-policy.file-size' (default 128MB), 'sink.rolling-policy.rollover-interval'
 *                     (default 30 min): a part file is closed once it is that big or that old;
 *                     checked at every write ('...check-interval' and '...inactivity-interval'
 *                     are accepted; eddy needs no timer for them).
 *   'sink.partition-commit.policy.kind'  'success-file' writes an empty success file
 *                     ('sink.partition-commit.success-file.name', default _SUCCESS) into every
 *                     partition written, when the sink closes with nothing left uncommitted
 *                     after a successful final flush or commit (a job that failed leaves its
 *                     partitions unmarked). 'metastore' and 'custom' need Hive / Java classes:
 *                     refused.
 *   'sink.partition-commit.trigger' ('process-time' or 'partition-time'),
 *   'sink.partition-commit.delay' (a duration), 'sink.partition-commit.watermark-time-zone',
 *   'partition.time-extractor.kind' ('default'), 'partition.time-extractor.timestamp-pattern'
 *                     (each $name must be a partition key), '...timestamp-formatter':
 *                     validated; eddy commits partitions when the sink closes, not when the
 *                     watermark passes a partition's time (a sink sees no watermarks yet).
 *   'auto-compaction', 'compaction.file-size', 'sink.parallelism',
 *   'sink.shuffle-by-partition.enable': accepted and ignored (one writer, no compaction).
 *
 * Rows go to part files in `path` (or in its partition directories `dt=2015-07-15/hm=12%3A30/`,
 * values escaped as Hive and Flink escape them; partition columns are not written into the
 * files, as Flink). A part file is written under a hidden name ending in `.inprogress`, which
 * readers (and eddy's own source) skip, and renamed to its final name when it is complete, so
 * a reader never sees half a file. The sink takes inserts only: a changelog input is refused
 * at open, as Flink refuses it.
 *
 * Without checkpoints (at-least-once): `.part-<run>-<n>.<ext>.inprogress` becomes
 * `part-<run>-<n>.<ext>` (after fsync) at flush(), close() or when it rolls. <run> is the job's
 * name when it is a plain word, plus a run id from the clock and process id, so that two runs
 * never overwrite each other's files (Flink uses a UUID).
 *
 * With checkpoints (spec->checkpointing: exactly-once, runtime/connector.h): names are
 *     .part-<job>-s<index>-r<run>-c<checkpoint>-<n>.<ext>.inprogress
 *         -> part-<job>-s<index>-r<run>-c<checkpoint>-<n>.<ext>
 *     e.g. part-q1-s0-r0-c3-0.csv, part-q1-s0-r0-c3-1.csv
 * (`<job>-` only when the job's name is a plain word), where <index> is the sink's index in
 * the job, <checkpoint> the checkpoint that will commit the file, <n> counts the files of that
 * checkpoint, and <run> is 0 unless the directory already holds final files of this job and
 * sink from an earlier run (then one more than the largest such run, so an earlier run's
 * output is never overwritten). No clock, no process id: a run recovered from checkpoint N
 * writes exactly the names that a run that never crashed writes after N, because the run and
 * the next checkpoint number are kept in the commit marker. Rolling closes a file but no
 * longer makes it visible; flush() only writes out buffers.
 *   prepare_commit(N): closes and fsyncs every open part file, fsyncs their directories, and
 *     appends to the marker every (in-progress, final) pair not yet committed, as text:
 *         filesystem-sink 1 run=<run> checkpoint=<N> next=<next checkpoint number>\n
 *         <in-progress path>\t<final path>\n ...      (paths relative to 'path')
 *     It is the cut: rows written after it (the job goes on while checkpoint N is written,
 *     runtime/checkpoint.h) go to new files named for the next checkpoint (c<next>), which
 *     commit(N) leaves alone. A prepare_commit that is not followed by its commit (the
 *     checkpoint failed) leaves its files pending: the next marker lists them again.
 *   commit(N): renames the files prepare_commit(N) staged to their final names and fsyncs their
 *     directories.
 *   recover(marker): redoes each rename whose in-progress file still exists (the others were
 *     done), then deletes every in-progress file of this job and sink index under 'path'
 *     (partition directories too) that is left: no checkpoint covers it. recover(NULL) (no
 *     checkpoint yet) deletes them all. It must come before the first write.
 *   close() without a commit keeps what a marker may cover and removes what no marker can.
 * Limits: two jobs of the same name (and sink index) writing into one directory at the same
 * time would choose the same run and clean each other's in-progress files: give them
 * different names ('pipeline.name'). 'sink.rolling-policy.rollover-interval' follows the
 * clock, so where a recovered run cuts its files may differ; the rows they hold do not.
 *
 * Threads: the job's thread only. Errors name the table, the file and what failed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/arena.h"
#include "connectors/connectors.h"
#include "connectors/filesystem_common.h"
#include "connectors/format_csv.h"
#include "connectors/format_json.h"
#include "connectors/options.h"
#include "connectors/value_text.h"

#define MARKER_MAGIC "filesystem-sink 1"

typedef struct fs_writer {
    char *part;                 /* partition directory relative to the root, "" if none */
    bool open;                  /* a part file is being written */
    int fd;
    char *tmp_path, *final_path;
    uint64_t bytes;             /* written into the current part file */
    int64_t opened;             /* monotonic ms */
    eddy_strbuf buf;            /* encoded rows not yet written */
} fs_writer;

/* A closed part file waiting for its rename (exactly-once). */
typedef struct fs_pair {
    char *tmp;                  /* full path of the in-progress file */
    char *final;                /* full path it is renamed to */
} fs_pair;

typedef struct fs_pairs {
    fs_pair *v;
    int n, cap;
} fs_pairs;

typedef struct fs_sink {
    const char *table;
    eddy_fs_common c;
    eddy_json_encoder *je;
    eddy_csv_encoder *ce;
    int *key_col;               /* partition key -> sink column */
    eddy_cellfmt *key_fmt;
    const char *ext;            /* "json" / "csv" */
    char *job;                  /* "<job name>-" when it is a plain word, else "" */
    char *stem;                 /* at-least-once: part file name stem "<job>-<run id>" */
    uint64_t seq;               /* next part file number (per checkpoint when exactly-once) */
    int64_t file_size, rollover_ms;
    bool success_file;
    const char *success_name;
    fs_writer *w;
    int nw;
    int last;                   /* writer of the previous row */
    eddy_strbuf pbuf, vbuf;     /* partition path scratch */
    bool dirty;                 /* rows written since the last successful flush / commit */
    bool failed;
    /* exactly-once (spec->checkpointing) */
    bool exactly_once;
    int index;                  /* spec->index */
    bool run_known;             /* run chosen (by recover() or on first use) */
    uint64_t run;               /* r<run> in names */
    uint64_t epoch;             /* c<epoch>: the checkpoint the files now written belong to */
    fs_pairs rolled;            /* closed and synced, in no marker yet */
    fs_pairs prepared;          /* in a marker, not renamed yet */
} fs_sink;

static const char *const trigger_kinds[] = {"process-time", "partition-time", NULL};
static const char *const extractor_kinds[] = {"default", "custom", NULL};

static int sink_options(const eddy_optset *o, fs_sink *k, const eddy_sink_spec *spec)
{
    eddy_error *err = o->err;
    int trig, ext;
    int64_t delay, check, inact, dummy;
    bool b;
    if (eddy_opt_bytes(o, "sink.rolling-policy.file-size", INT64_C(128) << 20, &k->file_size) ||
        eddy_opt_duration(o, "sink.rolling-policy.rollover-interval", 30 * 60000, &k->rollover_ms) ||
        eddy_opt_duration(o, "sink.rolling-policy.check-interval", 60000, &check) ||
        eddy_opt_duration(o, "sink.rolling-policy.inactivity-interval", 0, &inact) ||
        eddy_opt_enum(o, "sink.partition-commit.trigger", trigger_kinds, 0, &trig) ||
        eddy_opt_duration(o, "sink.partition-commit.delay", 0, &delay) ||
        eddy_opt_enum(o, "partition.time-extractor.kind", extractor_kinds, 0, &ext) ||
        eddy_opt_bool(o, "auto-compaction", false, &b) ||
        eddy_opt_bytes(o, "compaction.file-size", 0, &dummy) ||
        eddy_opt_int(o, "sink.parallelism", 1, 1, INT32_MAX, &dummy) ||
        eddy_opt_bool(o, "sink.shuffle-by-partition.enable", false, &b))
        return err->code;
    if (k->file_size <= 0) k->file_size = INT64_MAX;
    if (k->rollover_ms <= 0) k->rollover_ms = INT64_MAX;
    if (ext == 1 || eddy_opt_has(o, "partition.time-extractor.class"))
        return eddy_error_set(err, EDDY_EUNSUPPORTED, 0, 0,
                              "table '%s': a custom partition time extractor (a Java class) is "
                              "not supported by eddy; use the default extractor",
                              k->table ? k->table : "?");
    const char *pat = eddy_opt_str(o, "partition.time-extractor.timestamp-pattern", NULL);
    for (const char *p = pat; p && (p = strchr(p, '$')) != NULL;) {
        const char *s = ++p;
        while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
               *p == '_')
            p++;
        char name[128];
        snprintf(name, sizeof name, "%.*s", (int)(p - s), s);
        if (eddy_fs_key_index(&k->c, name) < 0)
            return eddy_error_set(err, EDDY_EUSAGE, 0, 0,
                                  "option 'partition.time-extractor.timestamp-pattern' of table "
                                  "'%s' refers to '$%s', which is not a partition key",
                                  k->table ? k->table : "?", name);
    }
    const char *pol = eddy_opt_str(o, "sink.partition-commit.policy.kind", NULL);
    for (const char *p = pol; p && *p;) {
        while (*p == ' ' || *p == ',') p++;
        const char *s = p;
        while (*p && *p != ',') p++;
        const char *e = p;
        while (e > s && e[-1] == ' ') e--;
        size_t n = (size_t)(e - s);
        if (n == 0) continue;
        if (n == 12 && strncasecmp(s, "success-file", 12) == 0) {
            k->success_file = true;
        } else if ((n == 9 && strncasecmp(s, "metastore", 9) == 0) ||
                   (n == 6 && strncasecmp(s, "custom", 6) == 0)) {
            return eddy_error_set(err, EDDY_EUNSUPPORTED, 0, 0,
                                  "partition commit policy '%.*s' of table '%s' needs %s, which eddy "
                                  "does not have; use 'success-file'",
                                  (int)n, s, k->table ? k->table : "?",
                                  n == 9 ? "a Hive metastore" : "a Java class");
        } else {
            return eddy_error_set(err, EDDY_EUSAGE, 0, 0,
                                  "unknown partition commit policy '%.*s' for table '%s'; use "
                                  "'success-file'",
                                  (int)n, s, k->table ? k->table : "?");
        }
    }
    if (k->success_file && k->c.nkeys == 0)
        k->success_file = false; /* Flink commits partitions only */
    k->success_name = eddy_opt_str(o, "sink.partition-commit.success-file.name", "_SUCCESS");
    (void)spec;
    return 0;
}

static void pairs_push(fs_pairs *p, char *tmp, char *final)
{
    if (p->n == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 8;
        p->v = eddy_xrealloc(p->v, (size_t)p->cap * sizeof *p->v);
    }
    p->v[p->n].tmp = tmp;
    p->v[p->n].final = final;
    p->n++;
}

/* Frees the pairs; with unlink_tmp, their in-progress files are removed too. */
static void pairs_clear(fs_pairs *p, bool unlink_tmp)
{
    for (int i = 0; i < p->n; i++) {
        if (unlink_tmp) unlink(p->v[i].tmp);
        free(p->v[i].tmp);
        free(p->v[i].final);
    }
    p->n = 0;
}

static void sink_free(fs_sink *k)
{
    if (!k) return;
    for (int i = 0; i < k->nw; i++) {
        fs_writer *w = &k->w[i];
        if (w->open) {
            /* a file still open is in no marker: nothing may ever publish it */
            close(w->fd);
            unlink(w->tmp_path);
        }
        free(w->part);
        free(w->tmp_path);
        free(w->final_path);
        eddy_strbuf_free(&w->buf);
    }
    free(k->w);
    pairs_clear(&k->rolled, true); /* closed files no marker lists */
    pairs_clear(&k->prepared, false); /* these a stored marker may list: recover() decides */
    free(k->rolled.v);
    free(k->prepared.v);
    eddy_json_encoder_free(k->je);
    eddy_csv_encoder_free(k->ce);
    free(k->key_col);
    free(k->key_fmt);
    free(k->job);
    free(k->stem);
    eddy_strbuf_free(&k->pbuf);
    eddy_strbuf_free(&k->vbuf);
    eddy_fs_common_free(&k->c);
    free(k);
}

static const char *tname(const fs_sink *k)
{
    return k->table ? k->table : "?";
}

static int fs_sink_open(const eddy_sink_spec *spec, void **state, eddy_error *err)
{
    eddy_optset o = {"filesystem", spec->options, spec->noptions, err};
    fs_sink *k = eddy_xcalloc(1, sizeof *k);
    k->table = spec->table;
    k->last = -1;
    if (eddy_fs_common_open(&o, spec->table, &k->c) || sink_options(&o, k, spec)) goto fail;
    if (spec->changelog) {
        eddy_error_set(err, EDDY_EPLAN, 0, 0,
                       "table '%s' (connector 'filesystem') accepts only inserts, but the query "
                       "produces updates and deletes; aggregate in a window, or write to a sink "
                       "that takes a changelog such as 'upsert-kafka' or 'print'",
                       tname(k));
        goto fail;
    }
    const eddy_schema *sch = spec->schema;
    k->key_col = eddy_xcalloc((size_t)(k->c.nkeys ? k->c.nkeys : 1), sizeof(int));
    k->key_fmt = eddy_xcalloc((size_t)(k->c.nkeys ? k->c.nkeys : 1), sizeof(eddy_cellfmt));
    for (int i = 0; i < k->c.nkeys; i++) {
        k->key_col[i] = -1;
        for (int c = 0; c < sch->n; c++)
            if (strcmp(sch->fields[c].name, k->c.keys[i]) == 0) k->key_col[i] = c;
        if (k->key_col[i] < 0) {
            eddy_error_set(err, EDDY_EBIND, 0, 0,
                           "partition key '%s' is not a column of table '%s'",
                           k->c.keys[i], tname(k));
            goto fail;
        }
        eddy_cellfmt_init(&k->key_fmt[i], sch->fields[k->key_col[i]].type);
    }
    int *cols = eddy_xcalloc((size_t)(sch->n ? sch->n : 1), sizeof(int));
    int ncols = 0;
    for (int c = 0; c < sch->n; c++)
        if (eddy_fs_key_index(&k->c, sch->fields[c].name) < 0) cols[ncols++] = c;
    if (k->c.format == EDDY_FS_JSON) {
        k->je = eddy_json_encoder_new(sch, cols, ncols, &k->c.json);
        k->ext = "json";
    } else {
        k->ce = eddy_csv_encoder_new(sch, cols, ncols, &k->c.csv);
        k->ext = "csv";
    }
    free(cols);
    if (eddy_fs_mkdirs(k->c.root, err)) goto fail;

    /* the job's name goes into file names when it is a plain word */
    const char *jn = spec->job_name;
    if (jn && *jn && strlen(jn) < 40 &&
        strspn(jn, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") ==
            strlen(jn)) {
        size_t n = strlen(jn) + 2;
        k->job = eddy_xmalloc(n);
        snprintf(k->job, n, "%s-", jn);
    } else {
        k->job = eddy_xstrdup("");
    }
    k->exactly_once = spec->checkpointing;
    k->index = spec->index;
    k->epoch = 1;
    if (!k->exactly_once) {
        /* part-<job>-<run id>: a run id from the clock and the process id */
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        uint64_t run = ((uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000) << 16 ^
                       (uint64_t)getpid();
        static int counter;
        run += (uint64_t)__atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED) << 56;
        size_t rl = strlen(k->job) + 32;
        k->stem = eddy_xmalloc(rl);
        snprintf(k->stem, rl, "%s%016" PRIx64, k->job, run);
    }
    *state = k;
    return 0;
fail:
    sink_free(k);
    return err->code ? err->code : EDDY_EUSAGE;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* fsync of a directory, so that renames and new names in it survive a power loss. */
static int sync_dir(const fs_sink *k, const char *dir, eddy_error *err)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return eddy_error_set(err, EDDY_EIO, 0, 0, "table '%s': cannot open directory %s: %s",
                              tname(k), dir, strerror(errno));
    int rc = 0;
    if (fsync(fd) != 0 && errno != EINVAL)
        rc = eddy_error_set(err, EDDY_EIO, 0, 0, "table '%s': cannot sync directory %s: %s",
                            tname(k), dir, strerror(errno));
    close(fd);
    return rc;
}

/* Syncs the directories of the given paths (final names when `final`), each once. */
static int sync_dirs(const fs_sink *k, const fs_pairs *p, int from, bool final, eddy_error *err)
{
    char **seen = NULL;
    int nseen = 0, rc = 0;
    for (int i = from; i < p->n && rc == 0; i++) {
        const char *path = final ? p->v[i].final : p->v[i].tmp;
        const char *slash = strrchr(path, '/');
        size_t dl = slash ? (size_t)(slash - path) : 0;
        char *d = eddy_xmalloc(dl + 2);
        if (dl == 0) {
            strcpy(d, slash ? "/" : ".");
        } else {
            memcpy(d, path, dl);
            d[dl] = 0;
        }
        bool dup = false;
        for (int j = 0; j < nseen && !dup; j++) dup = strcmp(seen[j], d) == 0;
        if (dup) {
            free(d);
            continue;
        }
        seen = eddy_xrealloc(seen, (size_t)(nseen + 1) * sizeof *seen);
        seen[nseen++] = d;
        rc = sync_dir(k, d, err);
    }
    for (int j = 0; j < nseen; j++) free(seen[j]);
    free(seen);
    return rc;
}

/* ---------------------------------------------------------------------------------------- */
/* Exactly-once names: [.]part-<job>-s<index>-r<run>-c<checkpoint>-<n>.<ext>[.inprogress]     */

/* Reads decimal digits at *p; false when there are none. */
static bool digits(const char **p, uint64_t *out)
{
    const char *q = *p;
    uint64_t v = 0;
    if (*q < '0' || *q > '9') return false;
    while (*q >= '0' && *q <= '9') v = v * 10 + (uint64_t)(*q++ - '0');
    *p = q;
    *out = v;
    return true;
}

/* Whether `name` is a part file of this job and sink index (any run, checkpoint and format):
 * in-progress (hidden, ".inprogress") or final; *run is its run. */
static bool own_name(const fs_sink *k, const char *name, bool inprogress, uint64_t *run)
{
    const char *p = name;
    if (inprogress && *p++ != '.') return false;
    if (strncmp(p, "part-", 5) != 0) return false;
    p += 5;
    size_t jl = strlen(k->job);
    if (strncmp(p, k->job, jl) != 0) return false;
    p += jl;
    uint64_t idx, c, n;
    if (*p++ != 's' || !digits(&p, &idx) || idx != (uint64_t)k->index) return false;
    if (strncmp(p, "-r", 2) != 0) return false;
    p += 2;
    if (!digits(&p, run) || strncmp(p, "-c", 2) != 0) return false;
    p += 2;
    if (!digits(&p, &c) || *p++ != '-' || !digits(&p, &n) || *p++ != '.') return false;
    const char *dot = strchr(p, '.');
    if (!inprogress) return *p && !dot; /* the extension, and nothing after it */
    return dot && dot > p && strcmp(dot, ".inprogress") == 0;
}

/* Walks the directory tree under dir: removes this sink's in-progress files (with `clean`),
 * and raises *next_run above the run of every final file of this sink. */
static int walk(const fs_sink *k, const char *dir, int depth, bool clean, uint64_t *next_run,
                eddy_error *err)
{
    DIR *d = opendir(dir);
    if (!d) {
        if (errno == ENOENT) return 0;
        return eddy_error_set(err, EDDY_EIO, 0, 0, "table '%s': cannot read directory %s: %s",
                              tname(k), dir, strerror(errno));
    }
    int rc = 0;
    struct dirent *de;
    while (rc == 0 && (de = readdir(d)) != NULL) {
        const char *nm = de->d_name;
        if (strcmp(nm, ".") == 0 || strcmp(nm, "..") == 0) continue;
        size_t pl = strlen(dir) + strlen(nm) + 2;
        char *path = eddy_xmalloc(pl);
        snprintf(path, pl, "%s/%s", dir, nm);
        struct stat st;
        uint64_t run;
        if (lstat(path, &st) != 0) {
            /* gone meanwhile */
        } else if (S_ISDIR(st.st_mode)) {
            if (depth < 32) rc = walk(k, path, depth + 1, clean, next_run, err);
        } else if (own_name(k, nm, true, &run)) {
            if (clean && unlink(path) != 0 && errno != ENOENT)
                rc = eddy_error_set(err, EDDY_EIO, 0, 0,
                                    "table '%s': cannot remove the uncommitted part file %s: %s",
                                    tname(k), path, strerror(errno));
        } else if (own_name(k, nm, false, &run)) {
            if (run + 1 > *next_run) *next_run = run + 1;
        }
        free(path);
    }
    closedir(d);
    return rc;
}

/* Chooses the run number on first use when recover() did not: past every earlier run's. */
static int ensure_run(fs_sink *k, eddy_error *err)
{
    if (k->run_known) return 0;
    uint64_t next = 0;
    int rc = walk(k, k->c.root, 0, false, &next, err);
    if (rc) return rc;
    k->run = next;
    k->run_known = true;
    return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Writers: one open part file per partition                                                 */

static int writer_drain(fs_sink *k, fs_writer *w, eddy_error *err)
{
    if (!w->buf.n) return 0;
    if (write_all(w->fd, w->buf.s, w->buf.n) != 0)
        return eddy_error_set(err, EDDY_EIO, 0, 0, "table '%s': cannot write %s: %s", tname(k),
                              w->tmp_path, strerror(errno));
    w->bytes += w->buf.n;
    eddy_strbuf_clear(&w->buf);
    return 0;
}

static int writer_open(fs_sink *k, fs_writer *w, eddy_error *err)
{
    size_t dl = strlen(k->c.root) + strlen(w->part) + 2;
    char *d = eddy_xmalloc(dl);
    snprintf(d, dl, "%s%s%s", k->c.root, w->part[0] ? "/" : "", w->part);
    if (w->part[0] && eddy_fs_mkdirs(d, err)) {
        free(d);
        return err->code;
    }
    if (k->exactly_once && ensure_run(k, err)) {
        free(d);
        return err->code;
    }
    uint64_t seq = k->seq++;
    size_t pl = dl + strlen(k->job) + (k->stem ? strlen(k->stem) : 0) + 128;
    free(w->tmp_path);
    free(w->final_path);
    w->tmp_path = eddy_xmalloc(pl);
    w->final_path = eddy_xmalloc(pl);
    if (k->exactly_once) {
        char name[160];
        snprintf(name, sizeof name, "part-%ss%d-r%" PRIu64 "-c%" PRIu64 "-%" PRIu64 ".%s", k->job,
                 k->index, k->run, k->epoch, seq, k->ext);
        snprintf(w->tmp_path, pl, "%s/.%s.inprogress", d, name);
        snprintf(w->final_path, pl, "%s/%s", d, name);
    } else {
        snprintf(w->tmp_path, pl, "%s/.part-%s-%" PRIu64 ".%s.inprogress", d, k->stem, seq, k->ext);
        snprintf(w->final_path, pl, "%s/part-%s-%" PRIu64 ".%s", d, k->stem, seq, k->ext);
    }
    free(d);
    w->fd = open(w->tmp_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (w->fd < 0)
        return eddy_error_set(err, EDDY_EIO, 0, 0, "table '%s': cannot create %s: %s", tname(k),
                              w->tmp_path, strerror(errno));
    w->open = true;
    w->bytes = 0;
    w->opened = eddy_fs_mono_ms();
    return 0;
}

/* Writes out, syncs and closes the writer's part file (still under its in-progress name). */
static int writer_finish(fs_sink *k, fs_writer *w, eddy_error *err)
{
    int rc = writer_drain(k, w, err);
    if (rc) return rc;
    if (fsync(w->fd) != 0 && errno != EINVAL)
        return eddy_error_set(err, EDDY_EIO, 0, 0, "table '%s': cannot sync %s: %s", tname(k),
                              w->tmp_path, strerror(errno));
    close(w->fd);
    w->open = false;
    return 0;
}

/* Ends the writer's part file: at-least-once, renamed at once (readers see it from now on);
 * exactly-once, kept for the next prepare_commit. */
static int writer_roll(fs_sink *k, fs_writer *w, eddy_error *err)
{
    if (!w->open) return 0;
    int rc = writer_finish(k, w, err);
    if (rc) return rc;
    if (k->exactly_once) {
        pairs_push(&k->rolled, w->tmp_path, w->final_path);
        w->tmp_path = w->final_path = NULL;
        return 0;
    }
    if (rename(w->tmp_path, w->final_path) != 0)
        return eddy_error_set(err, EDDY_EIO, 0, 0, "table '%s': cannot rename %s to %s: %s",
                              tname(k), w->tmp_path, w->final_path, strerror(errno));
    return 0;
}

/* The writer of row r's partition. */
static int writer_for(fs_sink *k, const eddy_batch *b, int r, eddy_error *err)
{
    if (k->c.nkeys == 0) {
        if (k->nw == 0) {
            k->w = eddy_xcalloc(1, sizeof *k->w);
            k->w[0].part = eddy_xstrdup("");
            k->nw = 1;
        }
        return 0;
    }
    eddy_strbuf *p = &k->pbuf;
    eddy_strbuf_clear(p);
    for (int i = 0; i < k->c.nkeys; i++) {
        const eddy_col *c = &b->cols[k->key_col[i]];
        if (i) eddy_strbuf_putc(p, '/');
        eddy_fs_escape_part(p, k->c.keys[i], strlen(k->c.keys[i]));
        eddy_strbuf_putc(p, '=');
        eddy_strbuf_clear(&k->vbuf);
        if (!(c->nulls && c->nulls[r]))
            eddy_cell_format(&k->key_fmt[i], c, r, EDDY_TEXT_SQL, &k->vbuf);
        if (k->vbuf.n == 0)
            eddy_strbuf_puts(p, k->c.default_part);
        else
            eddy_fs_escape_part(p, k->vbuf.s, k->vbuf.n);
    }
    const char *key = eddy_strbuf_cstr(p);
    if (k->last >= 0 && strcmp(k->w[k->last].part, key) == 0) return k->last;
    for (int i = 0; i < k->nw; i++)
        if (strcmp(k->w[i].part, key) == 0) return k->last = i;
    k->w = eddy_xrealloc(k->w, (size_t)(k->nw + 1) * sizeof *k->w);
    memset(&k->w[k->nw], 0, sizeof *k->w);
    k->w[k->nw].part = eddy_xstrdup(key);
    (void)err;
    return k->last = k->nw++;
}

#define MAX_OPEN_WRITERS 64

/* Ends the open writer that was used longest ago when too many are open. */
static int limit_open(fs_sink *k, int keep, eddy_error *err)
{
    int open = 0, oldest = -1;
    for (int i = 0; i < k->nw; i++)
        if (k->w[i].open) {
            open++;
            if (i != keep && (oldest < 0 || k->w[i].opened < k->w[oldest].opened)) oldest = i;
        }
    if (open > MAX_OPEN_WRITERS && oldest >= 0) return writer_roll(k, &k->w[oldest], err);
    return 0;
}

static int fs_sink_write(void *state, const eddy_batch *b, eddy_error *err)
{
    fs_sink *k = state;
    if (b->n == 0) return 0;
    k->dirty = true;
    int64_t now = eddy_fs_mono_ms();
    for (int r = 0; r < b->n; r++) {
        int wi = writer_for(k, b, r, err);
        fs_writer *w = &k->w[wi];
        if (!w->open) {
            int rc = writer_open(k, w, err);
            if (rc) return rc;
            if ((rc = limit_open(k, wi, err)) != 0) return rc;
            w = &k->w[wi];
        }
        if (k->je)
            eddy_json_encode_row(k->je, b, r, NULL, &w->buf);
        else
            eddy_csv_encode_row(k->ce, b, r, &w->buf);
        eddy_strbuf_putc(&w->buf, '\n');
        if (w->buf.n >= 256 * 1024) {
            int rc = writer_drain(k, w, err);
            if (rc) return rc;
        }
        if ((int64_t)(w->bytes + w->buf.n) >= k->file_size || now - w->opened >= k->rollover_ms) {
            int rc = writer_roll(k, w, err);
            if (rc) return rc;
        }
    }
    return 0;
}

/* At-least-once: every open part file becomes visible. Exactly-once: buffers are written out
 * and nothing becomes visible (only commit() publishes). */
static int fs_sink_flush(void *state, eddy_error *err)
{
    fs_sink *k = state;
    for (int i = 0; i < k->nw; i++) {
        fs_writer *w = &k->w[i];
        int rc = k->exactly_once ? (w->open ? writer_drain(k, w, err) : 0) : writer_roll(k, w, err);
        if (rc) {
            k->failed = true;
            return rc;
        }
    }
    if (!k->exactly_once) k->dirty = false;
    return 0;
}

/* The path relative to the root (paths the sink makes always start with it). */
static const char *rel(const fs_sink *k, const char *path)
{
    size_t rl = strlen(k->c.root);
    return strncmp(path, k->c.root, rl) == 0 && path[rl] == '/' ? path + rl + 1 : path;
}

static int fs_sink_prepare_commit(void *state, uint64_t checkpoint, eddy_strbuf *marker,
                                  eddy_error *err)
{
    fs_sink *k = state;
    if (!k->exactly_once) return fs_sink_flush(k, err); /* no checkpoints: nothing to stage */
    int rc = ensure_run(k, err);
    for (int i = 0; i < k->nw && rc == 0; i++) rc = writer_roll(k, &k->w[i], err);
    /* the new names must be durable before a marker can point at them */
    if (rc == 0) rc = sync_dirs(k, &k->rolled, 0, false, err);
    if (rc) {
        k->failed = true;
        return rc;
    }
    for (int i = 0; i < k->rolled.n; i++)
        pairs_push(&k->prepared, k->rolled.v[i].tmp, k->rolled.v[i].final);
    k->rolled.n = 0;
    /* the cut: rows from now on belong to the next checkpoint (the job may write them before
     * commit(checkpoint), while the checkpoint is being written); numbers never go back */
    k->epoch = k->epoch + 1 > checkpoint + 1 ? k->epoch + 1 : checkpoint + 1;
    k->seq = 0;
    eddy_strbuf_printf(marker,
                       MARKER_MAGIC " run=%" PRIu64 " checkpoint=%" PRIu64 " next=%" PRIu64 "\n",
                       k->run, checkpoint, k->epoch);
    for (int i = 0; i < k->prepared.n; i++) {
        eddy_strbuf_puts(marker, rel(k, k->prepared.v[i].tmp));
        eddy_strbuf_putc(marker, '\t');
        eddy_strbuf_puts(marker, rel(k, k->prepared.v[i].final));
        eddy_strbuf_putc(marker, '\n');
    }
    return 0;
}

/* Renames tmp to final: 1, or 0 when that was done before (a missing tmp: in commit() only if
 * final exists; in recover(), `redo`, in any case, as a reader may have moved the committed
 * file away), or an error. */
static int publish(const fs_sink *k, const char *tmp, const char *final, bool redo,
                   eddy_error *err)
{
    if (rename(tmp, final) == 0) return 1;
    int e = errno;
    struct stat st;
    if (e == ENOENT && (redo || stat(final, &st) == 0) && stat(tmp, &st) != 0) return 0;
    return eddy_error_set(err, EDDY_EIO, 0, 0, "table '%s': cannot rename %s to %s: %s", tname(k),
                          tmp, final, strerror(e));
}

static int fs_sink_commit(void *state, uint64_t checkpoint, eddy_error *err)
{
    fs_sink *k = state;
    if (!k->exactly_once) return 0;
    int rc = 0;
    for (int i = 0; i < k->prepared.n && rc >= 0; i++)
        rc = publish(k, k->prepared.v[i].tmp, k->prepared.v[i].final, false, err);
    if (rc > 0) rc = 0;
    if (rc == 0) rc = sync_dirs(k, &k->prepared, 0, true, err);
    if (rc) {
        k->failed = true;
        return rc;
    }
    pairs_clear(&k->prepared, false);
    (void)checkpoint; /* what it publishes is what prepare_commit(checkpoint) staged */
    bool open = false;
    for (int i = 0; i < k->nw; i++) open |= k->w[i].open;
    k->dirty = open || k->rolled.n > 0;
    return 0;
}

static int bad_marker(const fs_sink *k, const char *why, eddy_error *err)
{
    return eddy_error_set(err, EDDY_ESTATE, 0, 0,
                          "table '%s': the checkpoint's commit marker of the filesystem sink is "
                          "not readable (%s); the state directory does not belong to this query, "
                          "or is damaged: start with a fresh state directory",
                          tname(k), why);
}

/* Whether [p, e) is a relative path below the root: not empty, not absolute, no ".." part. */
static bool safe_rel(const char *p, const char *e)
{
    if (p >= e || *p == '/') return false;
    for (const char *c = p; c < e;) {
        const char *slash = memchr(c, '/', (size_t)(e - c));
        const char *end = slash ? slash : e;
        if (end - c == 2 && c[0] == '.' && c[1] == '.') return false;
        c = end + 1;
    }
    return true;
}

static int fs_sink_recover(void *state, const char *marker, size_t len, eddy_error *err)
{
    fs_sink *k = state;
    if (!k || !k->exactly_once) return 0;
    fs_pairs redo = {0};
    int rc = 0;
    uint64_t run = 0, next = 1;
    bool have = marker && len > 0;
    if (have) {
        char *m = eddy_xmalloc(len + 1);
        memcpy(m, marker, len);
        m[len] = 0;
        char *line = m, *nl = strchr(line, '\n');
        uint64_t cp;
        if (!nl) {
            rc = bad_marker(k, "no header line", err);
        } else {
            *nl = 0;
            if (sscanf(line, MARKER_MAGIC " run=%" SCNu64 " checkpoint=%" SCNu64 " next=%" SCNu64,
                       &run, &cp, &next) != 3)
                rc = bad_marker(k, "unknown header", err);
            line = nl + 1;
        }
        while (rc == 0 && *line) {
            nl = strchr(line, '\n');
            if (nl) *nl = 0;
            char *tab = strchr(line, '\t');
            if (!tab || !safe_rel(line, tab) || !safe_rel(tab + 1, tab + 1 + strlen(tab + 1))) {
                rc = bad_marker(k, "a file line is not 'in-progress<TAB>final'", err);
                break;
            }
            *tab = 0;
            size_t rl = strlen(k->c.root);
            size_t a = rl + strlen(line) + 2, b = rl + strlen(tab + 1) + 2;
            char *tmp = eddy_xmalloc(a), *final = eddy_xmalloc(b);
            snprintf(tmp, a, "%s/%s", k->c.root, line);
            snprintf(final, b, "%s/%s", k->c.root, tab + 1);
            pairs_push(&redo, tmp, final);
            line = nl ? nl + 1 : line + strlen(line);
        }
        free(m);
    }
    /* complete the last checkpoint's commit (the renames it had not done yet) */
    fs_pairs done = {0};
    for (int i = 0; i < redo.n && rc == 0; i++) {
        rc = publish(k, redo.v[i].tmp, redo.v[i].final, true, err);
        if (rc > 0) {
            pairs_push(&done, redo.v[i].tmp, redo.v[i].final);
            redo.v[i].tmp = redo.v[i].final = NULL;
            rc = 0;
        }
    }
    if (rc == 0 && done.n) rc = sync_dirs(k, &done, 0, true, err);
    pairs_clear(&redo, false);
    pairs_clear(&done, false);
    free(redo.v);
    free(done.v);
    /* everything still in progress is covered by no checkpoint */
    uint64_t next_run = 0;
    if (rc == 0) rc = walk(k, k->c.root, 0, true, &next_run, err);
    if (rc) {
        k->failed = true;
        return rc;
    }
    k->run = have ? run : next_run;
    k->run_known = true;
    k->epoch = have ? next : 1;
    k->seq = 0;
    return 0;
}

static void fs_sink_close(void *state)
{
    fs_sink *k = state;
    if (!k) return;
    eddy_error err;
    eddy_error_clear(&err);
    bool clean;
    if (k->exactly_once) {
        /* nothing is published here: what no commit made visible is not the job's output */
        clean = !k->dirty && !k->failed && k->prepared.n == 0;
    } else {
        /* the job flushes every sink when it ends well; rows still pending here mean it did
         * not: they are committed (nothing is lost), but no partition is marked successful */
        clean = !k->dirty && !k->failed;
        if (k->dirty && fs_sink_flush(k, &err) != 0) fprintf(stderr, "eddy: %s\n", err.msg);
    }
    if (k->success_file && clean) {
        for (int i = 0; i < k->nw; i++) {
            size_t pl = strlen(k->c.root) + strlen(k->w[i].part) + strlen(k->success_name) + 3;
            char *p = eddy_xmalloc(pl);
            snprintf(p, pl, "%s/%s/%s", k->c.root, k->w[i].part, k->success_name);
            int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
            if (fd >= 0) close(fd);
            free(p);
        }
    }
    sink_free(k);
}

const eddy_sink_ops eddy_fs_sink_ops = {
    .name = "filesystem",
    .open = fs_sink_open,
    .write = fs_sink_write,
    .flush = fs_sink_flush,
    .prepare_commit = fs_sink_prepare_commit,
    .commit = fs_sink_commit,
    .recover = fs_sink_recover,
    .close = fs_sink_close,
};
