/*
 * filesystem.c: the 'filesystem' connector on local paths: a bounded source of JSON-lines or
 * CSV files, and a sink writing such files, partitioned as Flink's filesystem sink does.
 *
 *   CREATE TABLE logs (...) PARTITIONED BY (dt, hm) WITH ('connector' = 'filesystem',
 *     'path' = 'file:///data/logs', 'format' = 'json');
 *
 * Options (Flink's names; one list for reading and writing, as a table may do both):
 *   'path'            required: a file or a directory, local ('file://' and 'file:' prefixes
 *                     accepted; other schemes are refused until eddy has them).
 *   'format'          required: 'json' or 'csv', with their json.* / csv.* options
 *                     (format_json.h, format_csv.h).
 *   'partition.default-name'  directory value for a NULL or empty partition value
 *                     (default __DEFAULT_PARTITION__).
 *   'source.monitor-interval' (a duration): the source keeps watching the directory for new
 *                     files every interval instead of ending (unbounded, as Flink).
 *   'sink.rolling-policy.file-size' (default 128MB), 'sink.rolling-policy.rollover-interval'
 *                     (default 30 min): a part file is closed, and becomes visible, once it is
 *                     that big or that old; checked at every write ('...check-interval' and
 *                     '...inactivity-interval' are accepted; eddy needs no timer for them).
 *   'sink.partition-commit.policy.kind'  'success-file' writes an empty success file
 *                     ('sink.partition-commit.success-file.name', default _SUCCESS) into every
 *                     partition written, when the sink closes after a successful final flush
 *                     (a job that failed leaves its partitions unmarked).
 *                     'metastore' and 'custom' need Hive / Java classes: refused.
 *   'sink.partition-commit.trigger' ('process-time' or 'partition-time'),
 *   'sink.partition-commit.delay' (a duration), 'sink.partition-commit.watermark-time-zone',
 *   'partition.time-extractor.kind' ('default'), 'partition.time-extractor.timestamp-pattern'
 *                     (each $name must be a partition key), '...timestamp-formatter':
 *                     validated; eddy commits partitions when the sink closes, not when the
 *                     watermark passes a partition's time (a sink sees no watermarks yet).
 *   'auto-compaction', 'compaction.file-size', 'sink.parallelism',
 *   'sink.shuffle-by-partition.enable': accepted and ignored (one writer, no compaction).
 *   'partition.keys'  eddy-internal: the planner passes PARTITIONED BY (dt, hm) as 'dt,hm'.
 *
 * Source: the files of the directory and its subdirectories in name order (hidden files,
 * names starting with '.' or '_', are skipped: in-progress parts and _SUCCESS), one split.
 * Files are mmap'ed and decoded a line (a CSV record may span lines inside quotes) at a time;
 * strings point into the mapping, which stays until the next poll (a batch never spans two
 * files). Blank lines are skipped. Values of partition columns come from `key=value`
 * directory names. A malformed line fails the job with "file F, line N: <why>" (EDDY_EDATA)
 * unless 'json.ignore-parse-errors' / 'csv.ignore-parse-errors' is 'true': then
 * spec->bad_record() is told and the line skipped. Position = "file index,byte offset,line".
 * Progress: rows read, and the rows expected in all, estimated from the bytes read so far.
 *
 * Sink: rows go to part files in `path` (or in its partition directories
 * `dt=2015-07-15/hm=12%3A30/`, values escaped as Hive and Flink escape them; partition columns
 * are not written into the files, as Flink). A part file is written as a hidden
 * `.part-<run>-<n>.<ext>.inprogress` and renamed to `part-<run>-<n>.<ext>` (after fsync) at
 * flush(), close() or when it rolls, so a reader never sees half a file. <run> is the job's
 * name when it is a plain word, plus a run id from the clock and process id, so that two runs
 * never overwrite each other's files (Flink uses a UUID). The sink takes inserts only: a
 * changelog input is refused at open, as Flink refuses it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/arena.h"
#include "connectors/connectors.h"
#include "connectors/format_csv.h"
#include "connectors/format_json.h"
#include "connectors/options.h"
#include "connectors/value_text.h"

enum { FMT_JSON = 0, FMT_CSV = 1 };

static const char *const fs_own_keys[] = {
    "path", "format", "partition.default-name", "source.monitor-interval",
    "sink.rolling-policy.file-size", "sink.rolling-policy.rollover-interval",
    "sink.rolling-policy.check-interval", "sink.rolling-policy.inactivity-interval",
    "sink.partition-commit.trigger", "sink.partition-commit.delay",
    "sink.partition-commit.watermark-time-zone", "sink.partition-commit.policy.kind",
    "sink.partition-commit.policy.class", "sink.partition-commit.success-file.name",
    "partition.time-extractor.kind", "partition.time-extractor.class",
    "partition.time-extractor.timestamp-pattern", "partition.time-extractor.timestamp-formatter",
    "auto-compaction", "compaction.file-size", "sink.parallelism",
    "sink.shuffle-by-partition.enable", NULL,
};

#define DEFAULT_PARTITION "__DEFAULT_PARTITION__"

/* ---------------------------------------------------------------------------------------- */
/* Shared: options, paths, partition keys                                                   */

typedef struct fs_common {
    char *root;                 /* local path, prefix stripped */
    int format;                 /* FMT_JSON / FMT_CSV */
    eddy_json_options json;
    eddy_csv_options csv;
    bool ignore_errors;
    char **keys;                /* partition keys */
    int nkeys;
    const char *default_part;
} fs_common;

static void common_free(fs_common *c)
{
    free(c->root);
    for (int i = 0; i < c->nkeys; i++) free(c->keys[i]);
    free(c->keys);
}

/* Reads the options both sides share; validates the key list for the chosen format. */
static int common_open(const eddy_optset *o, const char *table, fs_common *c)
{
    eddy_error *err = o->err;
    const char *path, *format;
    if (eddy_opt_require(o, "path", &path) || eddy_opt_require(o, "format", &format))
        return err->code;
    if (strcasecmp(format, "json") == 0) {
        c->format = FMT_JSON;
    } else if (strcasecmp(format, "csv") == 0) {
        c->format = FMT_CSV;
    } else {
        return eddy_error_set(err, EDDY_EUNSUPPORTED, 0, 0,
                              "format '%s' of table '%s' is not supported by connector "
                              "'filesystem' yet; use 'json' or 'csv'",
                              format, table ? table : "?");
    }
    /* known keys: the connector's own and the chosen format's */
    const char *known[64];
    int nk = 0;
    for (int i = 0; fs_own_keys[i]; i++) known[nk++] = fs_own_keys[i];
    const char *const *fk = c->format == FMT_JSON ? eddy_json_option_keys : eddy_csv_option_keys;
    for (int i = 0; fk[i]; i++) known[nk++] = fk[i];
    known[nk] = NULL;
    if (eddy_opt_check_known(o, known)) return err->code;

    if (strncmp(path, "file://", 7) == 0)
        path += 7;
    else if (strncmp(path, "file:", 5) == 0)
        path += 5;
    else if (strstr(path, "://"))
        return eddy_error_set(err, EDDY_EUNSUPPORTED, 0, 0,
                              "path '%s' of table '%s' is not a local path; connector 'filesystem' "
                              "reads and writes local files only for now",
                              path, table ? table : "?");
    if (!*path)
        return eddy_error_set(err, EDDY_EUSAGE, 0, 0, "option 'path' of table '%s' is empty",
                              table ? table : "?");
    c->root = eddy_xstrdup(path);
    size_t n = strlen(c->root);
    while (n > 1 && c->root[n - 1] == '/') c->root[--n] = 0;

    if (c->format == FMT_JSON) {
        if (eddy_json_options_read(o, &c->json)) return err->code;
        c->ignore_errors = c->json.ignore_parse_errors;
    } else {
        if (eddy_csv_options_read(o, &c->csv)) return err->code;
        c->ignore_errors = c->csv.ignore_parse_errors;
    }
    c->default_part = eddy_opt_str(o, "partition.default-name", DEFAULT_PARTITION);

    const char *keys = eddy_opt_str(o, "partition.keys", NULL);
    if (keys) {
        const char *p = keys;
        while (*p) {
            while (*p == ' ' || *p == ',') p++;
            const char *s = p;
            while (*p && *p != ',') p++;
            const char *e = p;
            while (e > s && e[-1] == ' ') e--;
            if (e > s) {
                c->keys = eddy_xrealloc(c->keys, (size_t)(c->nkeys + 1) * sizeof(char *));
                char *k = eddy_xmalloc((size_t)(e - s) + 1);
                memcpy(k, s, (size_t)(e - s));
                k[e - s] = 0;
                c->keys[c->nkeys++] = k;
            }
        }
    }
    return 0;
}

static int key_index(const fs_common *c, const char *name)
{
    for (int i = 0; i < c->nkeys; i++)
        if (strcmp(c->keys[i], name) == 0) return i;
    return -1;
}

/* Hive's (and Flink's PartitionPathUtils) escaping of a partition value in a path. */
static bool needs_escape(unsigned char ch)
{
    return ch < 0x20 || ch == 0x7f || strchr("\"#%'*/:=?\\{[]^", ch) != NULL;
}

static void escape_part(eddy_strbuf *out, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (needs_escape(ch)) {
            char e[3] = {'%', hex[ch >> 4], hex[ch & 15]};
            eddy_strbuf_append(out, e, 3);
        } else {
            eddy_strbuf_putc(out, (char)ch);
        }
    }
}

static int hexdigit(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

static size_t unescape_part(const char *s, size_t n, char *out)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%' && i + 2 < n && hexdigit(s[i + 1]) >= 0 &&
            hexdigit(s[i + 2]) >= 0) {
            out[k++] = (char)(hexdigit(s[i + 1]) * 16 + hexdigit(s[i + 2]));
            i += 2;
        } else {
            out[k++] = s[i];
        }
    }
    return k;
}

static int mkdirs(const char *path, eddy_error *err)
{
    char *tmp = eddy_xstrdup(path);
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/') continue;
        *p = 0;
        if (mkdir(tmp, 0777) != 0 && errno != EEXIST) {
            int e = errno;
            free(tmp);
            return eddy_error_set(err, EDDY_EIO, 0, 0, "cannot create directory '%s': %s", path,
                                  strerror(e));
        }
        *p = '/';
    }
    int rc = 0;
    if (mkdir(tmp, 0777) != 0 && errno != EEXIST)
        rc = eddy_error_set(err, EDDY_EIO, 0, 0, "cannot create directory '%s': %s", path,
                            strerror(errno));
    free(tmp);
    return rc;
}

/* ---------------------------------------------------------------------------------------- */
/* Source                                                                                   */

typedef struct fs_file {
    char *path;                 /* full path */
    char **part;                /* partition value text per key (NULL = not in the path) */
    size_t *partn;
    uint64_t size;
} fs_file;

typedef struct fs_source {
    const char *table;
    fs_common c;
    const eddy_source_spec *spec;
    fs_file *files;
    int nfiles;
    bool single;                /* 'path' is one file */
    eddy_json_decoder *jd;
    eddy_csv_decoder *cd;
    int ncols;
    int *col_key;               /* output column -> partition key index, or -1 */
    eddy_cellfmt *fmt;          /* per output column (partition values) */
    /* where we are */
    int fi;                     /* current file */
    uint64_t off;               /* byte offset in it */
    uint64_t line;              /* lines consumed in it */
    const char *map;            /* its mapping (NULL while not mapped) */
    size_t maplen;
    bool file_done;             /* finished: move on at the next poll */
    /* progress */
    uint64_t rows;
    uint64_t bytes_done, bytes_total;
    /* monitoring */
    int64_t monitor_ms;         /* 0 = bounded */
    int64_t last_scan;
} fs_source;

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Collects regular files under dir (relative names, hidden ones skipped). */
static int list_dir(const char *root, const char *rel, char ***out, int *n, int *cap, int depth,
                    eddy_error *err)
{
    size_t plen = strlen(root) + strlen(rel) + 2;
    char *full = eddy_xmalloc(plen);
    snprintf(full, plen, "%s%s%s", root, rel[0] ? "/" : "", rel);
    DIR *d = opendir(full);
    if (!d) {
        int e = errno;
        free(full);
        return eddy_error_set(err, EDDY_EIO, 0, 0, "cannot read directory '%s': %s", root,
                              strerror(e));
    }
    struct dirent *de;
    int rc = 0;
    while ((de = readdir(d)) != NULL && rc == 0) {
        if (de->d_name[0] == '.' || de->d_name[0] == '_') continue;
        size_t rl = strlen(rel) + strlen(de->d_name) + 2;
        char *r = eddy_xmalloc(rl);
        snprintf(r, rl, "%s%s%s", rel, rel[0] ? "/" : "", de->d_name);
        size_t fl = strlen(root) + rl + 1;
        char *f = eddy_xmalloc(fl);
        snprintf(f, fl, "%s/%s", root, r);
        struct stat st;
        if (stat(f, &st) != 0) {
            free(r);
        } else if (S_ISDIR(st.st_mode)) {
            if (depth < 32) rc = list_dir(root, r, out, n, cap, depth + 1, err);
            free(r);
        } else if (S_ISREG(st.st_mode)) {
            if (*n == *cap) {
                *cap = *cap ? *cap * 2 : 16;
                *out = eddy_xrealloc(*out, (size_t)*cap * sizeof(char *));
            }
            (*out)[(*n)++] = r;
        } else {
            free(r);
        }
        free(f);
    }
    closedir(d);
    free(full);
    return rc;
}

static void file_free(fs_file *f, int nkeys)
{
    free(f->path);
    if (f->part)
        for (int k = 0; k < nkeys; k++) free(f->part[k]);
    free(f->part);
    free(f->partn);
}

/* Adds a file (rel: its name under the root, whose key=value parts give partition values). */
static void add_file(fs_source *s, const char *full, const char *rel, uint64_t size)
{
    s->files = eddy_xrealloc(s->files, (size_t)(s->nfiles + 1) * sizeof *s->files);
    fs_file *f = &s->files[s->nfiles++];
    memset(f, 0, sizeof *f);
    f->path = eddy_xstrdup(full);
    f->size = size;
    s->bytes_total += size;
    if (s->c.nkeys == 0 || !rel) return;
    f->part = eddy_xcalloc((size_t)s->c.nkeys, sizeof(char *));
    f->partn = eddy_xcalloc((size_t)s->c.nkeys, sizeof(size_t));
    const char *p = rel;
    while (*p) {
        const char *slash = strchr(p, '/');
        if (!slash) break; /* the last segment is the file name */
        const char *eq = memchr(p, '=', (size_t)(slash - p));
        if (eq) {
            char key[256];
            size_t kl = (size_t)(eq - p);
            if (kl < sizeof key) {
                kl = unescape_part(p, kl, key);
                key[kl] = 0;
                int k = key_index(&s->c, key);
                if (k >= 0) {
                    size_t vl = (size_t)(slash - eq - 1);
                    char *v = eddy_xmalloc(vl + 1);
                    vl = unescape_part(eq + 1, vl, v);
                    v[vl] = 0;
                    free(f->part[k]);
                    f->part[k] = v;
                    f->partn[k] = vl;
                }
            }
        }
        p = slash + 1;
    }
}

/* Lists the root: first time, and again when monitoring (only names not seen yet, i.e. after
 * the last file in name order, are added: files arrive with increasing names). */
static int scan_files(fs_source *s, eddy_error *err)
{
    struct stat st;
    if (stat(s->c.root, &st) != 0)
        return eddy_error_set(err, EDDY_EIO, 0, 0, "table '%s': path '%s' does not exist",
                              s->table ? s->table : "?", s->c.root);
    if (!S_ISDIR(st.st_mode)) {
        if (s->nfiles == 0) add_file(s, s->c.root, NULL, (uint64_t)st.st_size);
        s->single = true;
        return 0;
    }
    char **names = NULL;
    int n = 0, cap = 0;
    int rc = list_dir(s->c.root, "", &names, &n, &cap, 0, err);
    if (rc == 0) {
        qsort(names, (size_t)n, sizeof *names, cmp_str);
        size_t rootlen = strlen(s->c.root);
        const char *last = s->nfiles ? s->files[s->nfiles - 1].path + rootlen + 1 : NULL;
        for (int i = 0; i < n; i++) {
            if (last && strcmp(names[i], last) <= 0) continue;
            size_t fl = rootlen + strlen(names[i]) + 2;
            char *full = eddy_xmalloc(fl);
            snprintf(full, fl, "%s/%s", s->c.root, names[i]);
            if (stat(full, &st) == 0) add_file(s, full, names[i], (uint64_t)st.st_size);
            free(full);
        }
    }
    for (int i = 0; i < n; i++) free(names[i]);
    free(names);
    return rc;
}

static void unmap(fs_source *s)
{
    if (s->map && s->maplen) munmap((void *)s->map, s->maplen);
    s->map = NULL;
    s->maplen = 0;
}

static void src_free(fs_source *s)
{
    if (!s) return;
    unmap(s);
    for (int i = 0; i < s->nfiles; i++) file_free(&s->files[i], s->c.nkeys);
    free(s->files);
    eddy_json_decoder_free(s->jd);
    eddy_csv_decoder_free(s->cd);
    free(s->col_key);
    free(s->fmt);
    common_free(&s->c);
    free(s);
}

static int fs_src_open(const eddy_source_spec *spec, void **state, eddy_error *err)
{
    eddy_optset o = {"filesystem", spec->options, spec->noptions, err};
    fs_source *s = eddy_xcalloc(1, sizeof *s);
    s->table = spec->table;
    s->spec = spec;
    if (common_open(&o, spec->table, &s->c)) goto fail;
    if (eddy_opt_duration(&o, "source.monitor-interval", 0, &s->monitor_ms)) goto fail;

    const eddy_schema *sch = spec->schema;
    s->ncols = sch->n;
    size_t nc = (size_t)(sch->n ? sch->n : 1);
    s->col_key = eddy_xcalloc(nc, sizeof(int));
    s->fmt = eddy_xcalloc(nc, sizeof(eddy_cellfmt));
    for (int i = 0; i < sch->n; i++) {
        if (spec->metadata && spec->metadata[i]) {
            eddy_error_set(err, EDDY_EUSAGE, 0, 0,
                           "connector 'filesystem' has no metadata '%s' (table '%s')",
                           spec->metadata[i], spec->table ? spec->table : "?");
            goto fail;
        }
        const char *name = spec->paths ? spec->paths[i][0] : sch->fields[i].name;
        bool top = !spec->paths || spec->npath[i] == 1;
        s->col_key[i] = top ? key_index(&s->c, name) : -1;
        eddy_cellfmt_init(&s->fmt[i], sch->fields[i].type);
    }
    if (s->c.format == FMT_JSON) {
        s->jd = eddy_json_decoder_new(sch, spec->paths, spec->npath, &s->c.json);
    } else {
        /* CSV: a column's field is its place among the table's physical, non-partition
         * columns; without the table's column list, the projection is taken as the file's
         * columns in order. Partition columns come from the path (position -1). */
        int *pos = eddy_xcalloc(nc, sizeof(int));
        int nfields = -1;
        const eddy_schema *phys = spec->physical && spec->physical->n ? spec->physical : NULL;
        int next = 0;
        for (int i = 0; i < sch->n; i++) {
            const char *name = spec->paths ? spec->paths[i][0] : sch->fields[i].name;
            if (spec->paths && spec->npath[i] != 1) {
                free(pos);
                eddy_error_set(err, EDDY_EUNSUPPORTED, 0, 0,
                               "format 'csv' cannot read nested field '%s.%s' (table '%s')", name,
                               spec->paths[i][1], spec->table ? spec->table : "?");
                goto fail;
            }
            if (s->col_key[i] >= 0) {
                pos[i] = -1;
            } else if (!phys) {
                pos[i] = next++;
            } else {
                int p = 0, found = -1;
                for (int k = 0; k < phys->n; k++) {
                    if (key_index(&s->c, phys->fields[k].name) >= 0) continue;
                    if (strcmp(phys->fields[k].name, name) == 0) found = p;
                    p++;
                }
                if (found < 0) {
                    free(pos);
                    eddy_error_set(err, EDDY_EBIND, 0, 0, "column '%s' is not a column of table '%s'",
                                   name, spec->table ? spec->table : "?");
                    goto fail;
                }
                pos[i] = found;
                nfields = p;
            }
        }
        s->cd = eddy_csv_decoder_new(sch, pos, nfields, &s->c.csv);
        free(pos);
    }
    if (scan_files(s, err)) goto fail;
    *state = s;
    return 0;
fail:
    src_free(s);
    return err->code ? err->code : EDDY_EUSAGE;
}

static int fs_src_splits(void *state)
{
    (void)state;
    return 1;
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Maps file fi; 0, or an error. An empty file maps to nothing. */
static int map_file(fs_source *s, eddy_error *err)
{
    fs_file *f = &s->files[s->fi];
    int fd = open(f->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return eddy_error_set(err, EDDY_EIO, 0, 0, "table '%s': cannot open file %s: %s",
                              s->table ? s->table : "?", f->path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return eddy_error_set(err, EDDY_EIO, 0, 0, "table '%s': cannot read file %s: %s",
                              s->table ? s->table : "?", f->path, strerror(e));
    }
    s->maplen = (size_t)st.st_size;
    s->map = NULL;
    if (s->maplen) {
        /* small files are mapped in one go (fewer page faults); big ones on demand, read ahead */
        int flags = MAP_PRIVATE | (s->maplen <= ((size_t)64 << 20) ? MAP_POPULATE : 0);
        void *m = mmap(NULL, s->maplen, PROT_READ, flags, fd, 0);
        if (m == MAP_FAILED) {
            int e = errno;
            close(fd);
            s->maplen = 0;
            return eddy_error_set(err, EDDY_EIO, 0, 0, "table '%s': cannot map file %s: %s",
                                  s->table ? s->table : "?", f->path, strerror(e));
        }
        madvise(m, s->maplen, MADV_SEQUENTIAL);
        s->map = m;
    }
    close(fd);
    if (s->off > s->maplen) s->off = s->maplen;
    return 0;
}

static bool blank(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r') return false;
    return true;
}

/* Sets the partition columns of the last decoded row from the file's path. */
static int fill_partitions(fs_source *s, eddy_batch *b, eddy_error *err)
{
    const fs_file *f = &s->files[s->fi];
    int row = b->n - 1;
    for (int c = 0; c < s->ncols; c++) {
        int k = s->col_key[c];
        if (k < 0) continue;
        const char *v = f->part ? f->part[k] : NULL;
        size_t vn = f->part ? f->partn[k] : 0;
        if (!v || (vn == strlen(s->c.default_part) && memcmp(v, s->c.default_part, vn) == 0)) {
            eddy_col_nulls(b, c)[row] = 1;
            continue;
        }
        char why[200];
        if (eddy_cell_parse(&s->fmt[c], v, vn, false, b, c, row, true, why, sizeof why) != 0)
            return eddy_error_set(err, EDDY_EDATA, 0, 0, "file %s: partition value of '%s': %s",
                                  f->path, s->c.keys[k], why);
    }
    return 0;
}

static int fs_src_poll(void *state, eddy_batch *out, int64_t timeout_ms, eddy_error *err)
{
    fs_source *s = state;
    (void)timeout_ms;
    for (;;) {
        if (s->file_done) {
            unmap(s);
            s->file_done = false;
            s->fi++;
            s->off = 0;
            s->line = 0;
        }
        if (s->fi >= s->nfiles) {
            if (s->monitor_ms <= 0 || s->single) return EDDY_POLL_END;
            int64_t now = mono_ms();
            if (now - s->last_scan < s->monitor_ms) return EDDY_POLL_IDLE;
            s->last_scan = now;
            if (scan_files(s, err)) return err->code;
            if (s->fi >= s->nfiles) return EDDY_POLL_IDLE;
        }
        if (!s->map && s->maplen == 0) {
            int rc = map_file(s, err);
            if (rc) return rc;
        }
        const char *base = s->map;
        size_t size = s->maplen;
        const fs_file *f = &s->files[s->fi];
        while (out->n < out->cap && s->off < size) {
            const char *p = base + s->off;
            size_t avail = size - s->off, len, content;
            if (s->c.format == FMT_JSON) {
                const char *nl = memchr(p, '\n', avail);
                len = nl ? (size_t)(nl - p) + 1 : avail;
                content = nl ? (size_t)(nl - p) : avail;
                if (content && p[content - 1] == '\r') content--;
            } else {
                len = eddy_csv_record_len(&s->c.csv, p, avail, &content);
            }
            uint64_t line = s->line + 1;
            s->off += len;
            s->bytes_done += len;
            if (s->c.format == FMT_CSV) {
                /* a quoted field may have held line ends */
                const char *q = p, *e = p + content;
                while ((q = memchr(q, '\n', (size_t)(e - q))) != NULL) {
                    s->line++;
                    q++;
                }
            }
            s->line++;
            if (blank(p, content)) continue;
            int rc = s->c.format == FMT_JSON ? eddy_json_decode(s->jd, p, content, out, true)
                                             : eddy_csv_decode(s->cd, p, content, out, true);
            if (rc != 0) {
                const char *why = s->c.format == FMT_JSON ? eddy_json_decoder_error(s->jd)
                                                          : eddy_csv_decoder_error(s->cd);
                if (!s->c.ignore_errors)
                    return eddy_error_set(err, EDDY_EDATA, 0, 0, "file %s, line %" PRIu64 ": %s",
                                          f->path, line, why);
                if (s->spec->bad_record) {
                    char where[1200];
                    snprintf(where, sizeof where, "file %s, line %" PRIu64, f->path, line);
                    s->spec->bad_record(s->spec->ctx, where, why);
                }
                continue;
            }
            if (s->c.nkeys && out->n > 0 && (rc = fill_partitions(s, out, err)) != 0) return rc;
        }
        if (s->off >= size) s->file_done = true;
        if (out->n > 0) {
            s->rows += (uint64_t)out->n;
            out->split = 0;
            return EDDY_POLL_DATA;
        }
    }
}

static int fs_src_position(void *state, eddy_strbuf *buf, eddy_error *err)
{
    fs_source *s = state;
    (void)err;
    int fi = s->fi;
    uint64_t off = s->off, line = s->line;
    if (s->file_done) {
        fi++;
        off = 0;
        line = 0;
    }
    eddy_strbuf_printf(buf, "%d,%" PRIu64 ",%" PRIu64, fi, off, line);
    return 0;
}

static int fs_src_seek(void *state, const char *data, size_t len, eddy_error *err)
{
    fs_source *s = state;
    char tmp[80];
    int fi;
    unsigned long long off, line;
    char extra;
    if (len >= sizeof tmp) goto bad;
    memcpy(tmp, data, len);
    tmp[len] = 0;
    if (sscanf(tmp, "%d,%llu,%llu%c", &fi, &off, &line, &extra) != 3 || fi < 0 || fi > s->nfiles)
        goto bad;
    unmap(s);
    s->fi = fi;
    s->off = off;
    s->line = line;
    s->file_done = false;
    s->bytes_done = off;
    for (int i = 0; i < fi && i < s->nfiles; i++) s->bytes_done += s->files[i].size;
    return 0;
bad:
    return eddy_error_set(err, EDDY_ESTATE, 0, 0, "table '%s': bad filesystem position '%.*s'",
                          s->table ? s->table : "?", (int)(len > 60 ? 60 : len), data);
}

static void fs_src_progress(void *state, uint64_t *done, uint64_t *total)
{
    fs_source *s = state;
    *done = s->rows;
    *total = 0;
    if (s->monitor_ms <= 0 && s->bytes_done > 0 && s->bytes_total >= s->bytes_done)
        *total = (uint64_t)((double)s->rows * (double)s->bytes_total / (double)s->bytes_done);
}

static void fs_src_close(void *state)
{
    src_free(state);
}

/* ---------------------------------------------------------------------------------------- */
/* Sink                                                                                     */

typedef struct fs_writer {
    char *part;                 /* partition directory relative to the root, "" if none */
    bool open;                  /* a part file is being written */
    int fd;
    char *tmp_path, *final_path;
    uint64_t bytes;             /* written into the current part file */
    int64_t opened;             /* monotonic ms */
    eddy_strbuf buf;            /* encoded rows not yet written */
} fs_writer;

typedef struct fs_sink {
    const char *table;
    fs_common c;
    eddy_json_encoder *je;
    eddy_csv_encoder *ce;
    int *key_col;               /* partition key -> sink column */
    eddy_cellfmt *key_fmt;
    const char *ext;            /* "json" / "csv" */
    char *run;                  /* part file name stem */
    uint64_t seq;               /* next part file number */
    int64_t file_size, rollover_ms;
    bool success_file;
    const char *success_name;
    fs_writer *w;
    int nw;
    int last;                   /* writer of the previous row */
    eddy_strbuf pbuf, vbuf;     /* partition path scratch */
    bool dirty;                 /* rows written since the last successful flush */
    bool failed;
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
        if (key_index(&k->c, name) < 0)
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

static void sink_free(fs_sink *k)
{
    if (!k) return;
    for (int i = 0; i < k->nw; i++) {
        fs_writer *w = &k->w[i];
        if (w->open) {
            close(w->fd);
            unlink(w->tmp_path);
        }
        free(w->part);
        free(w->tmp_path);
        free(w->final_path);
        eddy_strbuf_free(&w->buf);
    }
    free(k->w);
    eddy_json_encoder_free(k->je);
    eddy_csv_encoder_free(k->ce);
    free(k->key_col);
    free(k->key_fmt);
    free(k->run);
    eddy_strbuf_free(&k->pbuf);
    eddy_strbuf_free(&k->vbuf);
    common_free(&k->c);
    free(k);
}

static int fs_sink_open(const eddy_sink_spec *spec, void **state, eddy_error *err)
{
    eddy_optset o = {"filesystem", spec->options, spec->noptions, err};
    fs_sink *k = eddy_xcalloc(1, sizeof *k);
    k->table = spec->table;
    k->last = -1;
    if (common_open(&o, spec->table, &k->c) || sink_options(&o, k, spec)) goto fail;
    if (spec->changelog) {
        eddy_error_set(err, EDDY_EPLAN, 0, 0,
                       "table '%s' (connector 'filesystem') accepts only inserts, but the query "
                       "produces updates and deletes; aggregate in a window, or write to a sink "
                       "that takes a changelog such as 'upsert-kafka' or 'print'",
                       spec->table ? spec->table : "?");
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
            eddy_error_set(err, EDDY_EBIND, 0, 0, "partition key '%s' is not a column of table '%s'",
                           k->c.keys[i], spec->table ? spec->table : "?");
            goto fail;
        }
        eddy_cellfmt_init(&k->key_fmt[i], sch->fields[k->key_col[i]].type);
    }
    int *cols = eddy_xcalloc((size_t)(sch->n ? sch->n : 1), sizeof(int));
    int ncols = 0;
    for (int c = 0; c < sch->n; c++)
        if (key_index(&k->c, sch->fields[c].name) < 0) cols[ncols++] = c;
    if (k->c.format == FMT_JSON) {
        k->je = eddy_json_encoder_new(sch, cols, ncols, &k->c.json);
        k->ext = "json";
    } else {
        k->ce = eddy_csv_encoder_new(sch, cols, ncols, &k->c.csv);
        k->ext = "csv";
    }
    free(cols);
    if (mkdirs(k->c.root, err)) goto fail;

    /* part-<job>-<run id>: the job's name when it is a plain word */
    char job[48] = "";
    const char *jn = spec->job_name;
    if (jn && *jn && strlen(jn) < 40 && strspn(jn, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == strlen(jn))
        snprintf(job, sizeof job, "%s-", jn);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t run = ((uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000) << 16 ^ (uint64_t)getpid();
    static int counter;
    run += (uint64_t)__atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED) << 56;
    size_t rl = strlen(job) + 32;
    k->run = eddy_xmalloc(rl);
    snprintf(k->run, rl, "%s%016" PRIx64, job, run);
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

static int writer_drain(fs_sink *k, fs_writer *w, eddy_error *err)
{
    if (!w->buf.n) return 0;
    if (write_all(w->fd, w->buf.s, w->buf.n) != 0)
        return eddy_error_set(err, EDDY_EIO, 0, 0, "table '%s': cannot write %s: %s",
                              k->table ? k->table : "?", w->tmp_path, strerror(errno));
    w->bytes += w->buf.n;
    eddy_strbuf_clear(&w->buf);
    return 0;
}

static int writer_open(fs_sink *k, fs_writer *w, eddy_error *err)
{
    size_t dl = strlen(k->c.root) + strlen(w->part) + 2;
    char *d = eddy_xmalloc(dl);
    snprintf(d, dl, "%s%s%s", k->c.root, w->part[0] ? "/" : "", w->part);
    if (w->part[0] && mkdirs(d, err)) {
        free(d);
        return err->code;
    }
    uint64_t seq = k->seq++;
    size_t pl = dl + strlen(k->run) + 64;
    free(w->tmp_path);
    free(w->final_path);
    w->tmp_path = eddy_xmalloc(pl);
    w->final_path = eddy_xmalloc(pl);
    snprintf(w->tmp_path, pl, "%s/.part-%s-%" PRIu64 ".%s.inprogress", d, k->run, seq, k->ext);
    snprintf(w->final_path, pl, "%s/part-%s-%" PRIu64 ".%s", d, k->run, seq, k->ext);
    free(d);
    w->fd = open(w->tmp_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (w->fd < 0)
        return eddy_error_set(err, EDDY_EIO, 0, 0, "table '%s': cannot create %s: %s",
                              k->table ? k->table : "?", w->tmp_path, strerror(errno));
    w->open = true;
    w->bytes = 0;
    w->opened = mono_ms();
    return 0;
}

/* Writes out, syncs and renames the writer's part file: from now on readers see it. */
static int writer_commit(fs_sink *k, fs_writer *w, eddy_error *err)
{
    if (!w->open) return 0;
    int rc = writer_drain(k, w, err);
    if (rc) return rc;
    if (fsync(w->fd) != 0 && errno != EINVAL)
        return eddy_error_set(err, EDDY_EIO, 0, 0, "table '%s': cannot sync %s: %s",
                              k->table ? k->table : "?", w->tmp_path, strerror(errno));
    close(w->fd);
    w->open = false;
    if (rename(w->tmp_path, w->final_path) != 0)
        return eddy_error_set(err, EDDY_EIO, 0, 0, "table '%s': cannot rename %s to %s: %s",
                              k->table ? k->table : "?", w->tmp_path, w->final_path, strerror(errno));
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
        escape_part(p, k->c.keys[i], strlen(k->c.keys[i]));
        eddy_strbuf_putc(p, '=');
        eddy_strbuf_clear(&k->vbuf);
        if (!(c->nulls && c->nulls[r])) eddy_cell_format(&k->key_fmt[i], c, r, EDDY_TEXT_SQL, &k->vbuf);
        if (k->vbuf.n == 0)
            eddy_strbuf_puts(p, k->c.default_part);
        else
            escape_part(p, k->vbuf.s, k->vbuf.n);
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

/* Commits the open writer that was used longest ago when too many are open. */
static int limit_open(fs_sink *k, int keep, eddy_error *err)
{
    int open = 0, oldest = -1;
    for (int i = 0; i < k->nw; i++)
        if (k->w[i].open) {
            open++;
            if (i != keep && (oldest < 0 || k->w[i].opened < k->w[oldest].opened)) oldest = i;
        }
    if (open > MAX_OPEN_WRITERS && oldest >= 0) return writer_commit(k, &k->w[oldest], err);
    return 0;
}

static int fs_sink_write(void *state, const eddy_batch *b, eddy_error *err)
{
    fs_sink *k = state;
    if (b->n == 0) return 0;
    k->dirty = true;
    int64_t now = mono_ms();
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
            int rc = writer_commit(k, w, err);
            if (rc) return rc;
        }
    }
    return 0;
}

static int fs_sink_flush(void *state, eddy_error *err)
{
    fs_sink *k = state;
    for (int i = 0; i < k->nw; i++) {
        int rc = writer_commit(k, &k->w[i], err);
        if (rc) {
            k->failed = true;
            return rc;
        }
    }
    k->dirty = false;
    return 0;
}

static void fs_sink_close(void *state)
{
    fs_sink *k = state;
    eddy_error err;
    eddy_error_clear(&err);
    /* the job flushes every sink when it ends well; rows still pending here mean it did not:
     * they are committed (nothing is lost), but no partition is marked successful */
    bool clean = !k->dirty && !k->failed;
    if (k->dirty && fs_sink_flush(k, &err) != 0) fprintf(stderr, "eddy: %s\n", err.msg);
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

static const eddy_source_ops fs_source_ops = {
    .name = "filesystem",
    .open = fs_src_open,
    .splits = fs_src_splits,
    .poll = fs_src_poll,
    .position = fs_src_position,
    .seek = fs_src_seek,
    .progress = fs_src_progress,
    .close = fs_src_close,
};

static const eddy_sink_ops fs_sink_ops = {
    .name = "filesystem",
    .open = fs_sink_open,
    .write = fs_sink_write,
    .flush = fs_sink_flush,
    .prepare_commit = NULL,
    .commit = NULL,
    .close = fs_sink_close,
};

const eddy_connector eddy_connector_filesystem = {
    .name = "filesystem",
    .source = &fs_source_ops,
    .sink = &fs_sink_ops,
    .accepts_changelog = false,
};
