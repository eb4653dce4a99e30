/*
 * filesystem.c: the 'filesystem' connector on local paths: a bounded (or monitored) source of
 * JSON-lines or CSV files, and the connector's entry; the sink, which writes such files
 * partitioned as Flink's filesystem sink does, is in filesystem_sink.c, and what both share
 * (options, partition paths) in filesystem_common.h.
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
 *   'source.rows-per-second' (eddy's own): emit at most that many rows per second, paced by
 *                     the wall clock as datagen's 'rows-per-second' (the pace restarts at
 *                     open and at seek); to replay a recorded file at a set speed. Default 0:
 *                     as fast as possible.
 *   The sink's options ('sink.rolling-policy.*', 'sink.partition-commit.*',
 *   'partition.time-extractor.*', ...) are described in filesystem_sink.c.
 *   'partition.keys'  eddy-internal: the planner passes PARTITIONED BY (dt, hm) as 'dt,hm'.
 *
 * Source: the files of the directory and its subdirectories in name order (hidden files,
 * names starting with '.' or '_', are skipped: in-progress parts and _SUCCESS), one split
 * (files are read one after the other, so one watermark covers them, as one Flink reader
 * does). Files are mmap'ed and decoded a line (a CSV record may span lines inside quotes) at a
 * time; strings point into the mapping, which stays until the next poll (a batch never spans
 * two files). Blank lines are skipped. Values of partition columns come from `key=value`
 * directory names. A malformed line fails the job with "file F, line N: <why>" (EDDY_EDATA)
 * unless 'json.ignore-parse-errors' / 'csv.ignore-parse-errors' is 'true': then
 * spec->bad_record() is told and the line skipped. Progress: rows read, and the rows expected
 * in all, estimated from the bytes read so far.
 *
 * Position: "<file index>,<byte offset>,<lines consumed>,<file name>" of the next record to
 * read, the name relative to 'path' (empty when 'path' is one file). The decoder reads one
 * record at a time and nothing ahead, so the offset is exact to the row. seek() finds the file
 * by its name, so that files added or removed before it since the checkpoint (a monitored
 * directory with retention) do not shift it; if that file is gone, reading resumes at the
 * start of the next name. The older form without the name is read by index.
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
#include "connectors/filesystem_common.h"
#include "connectors/format_csv.h"
#include "connectors/format_json.h"
#include "connectors/options.h"
#include "connectors/value_text.h"

const char *const eddy_fs_option_keys[] = {
    "path", "format", "partition.default-name", "source.monitor-interval",
    "source.rows-per-second",
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

/* ---------------------------------------------------------------------------------------- */
/* Shared: options, paths, partition keys                                                   */

void eddy_fs_common_free(eddy_fs_common *c)
{
    free(c->root);
    for (int i = 0; i < c->nkeys; i++) free(c->keys[i]);
    free(c->keys);
}

/* Reads the options both sides share; validates the key list for the chosen format. */
int eddy_fs_common_open(const eddy_optset *o, const char *table, eddy_fs_common *c)
{
    eddy_error *err = o->err;
    const char *path, *format;
    if (eddy_opt_require(o, "path", &path) || eddy_opt_require(o, "format", &format))
        return err->code;
    if (strcasecmp(format, "json") == 0) {
        c->format = EDDY_FS_JSON;
    } else if (strcasecmp(format, "csv") == 0) {
        c->format = EDDY_FS_CSV;
    } else {
        return eddy_error_set(err, EDDY_EUNSUPPORTED, 0, 0,
                              "format '%s' of table '%s' is not supported by connector "
                              "'filesystem' yet; use 'json' or 'csv'",
                              format, table ? table : "?");
    }
    /* known keys: the connector's own and the chosen format's */
    const char *known[64];
    int nk = 0;
    for (int i = 0; eddy_fs_option_keys[i]; i++) known[nk++] = eddy_fs_option_keys[i];
    const char *const *fk =
        c->format == EDDY_FS_JSON ? eddy_json_option_keys : eddy_csv_option_keys;
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

    if (c->format == EDDY_FS_JSON) {
        if (eddy_json_options_read(o, &c->json)) return err->code;
        c->ignore_errors = c->json.ignore_parse_errors;
    } else {
        if (eddy_csv_options_read(o, &c->csv)) return err->code;
        c->ignore_errors = c->csv.ignore_parse_errors;
    }
    c->default_part = eddy_opt_str(o, "partition.default-name", EDDY_FS_DEFAULT_PARTITION);

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

int eddy_fs_key_index(const eddy_fs_common *c, const char *name)
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

void eddy_fs_escape_part(eddy_strbuf *out, const char *s, size_t n)
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

size_t eddy_fs_unescape_part(const char *s, size_t n, char *out)
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

int eddy_fs_mkdirs(const char *path, eddy_error *err)
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

int64_t eddy_fs_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
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
    eddy_fs_common c;
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
    /* pacing ('source.rows-per-second') */
    int64_t rps;                /* 0 = as fast as possible */
    bool paced;                 /* t0 and rows0 are set */
    int64_t t0;                 /* monotonic ms when pacing (re)started */
    uint64_t rows0;             /* rows at t0 */
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
                kl = eddy_fs_unescape_part(p, kl, key);
                key[kl] = 0;
                int k = eddy_fs_key_index(&s->c, key);
                if (k >= 0) {
                    size_t vl = (size_t)(slash - eq - 1);
                    char *v = eddy_xmalloc(vl + 1);
                    vl = eddy_fs_unescape_part(eq + 1, vl, v);
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
    eddy_fs_common_free(&s->c);
    free(s);
}

static int fs_src_open(const eddy_source_spec *spec, void **state, eddy_error *err)
{
    eddy_optset o = {"filesystem", spec->options, spec->noptions, err};
    fs_source *s = eddy_xcalloc(1, sizeof *s);
    s->table = spec->table;
    s->spec = spec;
    if (eddy_fs_common_open(&o, spec->table, &s->c)) goto fail;
    if (eddy_opt_duration(&o, "source.monitor-interval", 0, &s->monitor_ms) ||
        eddy_opt_int(&o, "source.rows-per-second", 0, 0, INT64_MAX, &s->rps))
        goto fail;

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
        s->col_key[i] = top ? eddy_fs_key_index(&s->c, name) : -1;
        eddy_cellfmt_init(&s->fmt[i], sch->fields[i].type);
    }
    if (s->c.format == EDDY_FS_JSON) {
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
                    if (eddy_fs_key_index(&s->c, phys->fields[k].name) >= 0) continue;
                    if (strcmp(phys->fields[k].name, name) == 0) found = p;
                    p++;
                }
                if (found < 0) {
                    free(pos);
                    eddy_error_set(err, EDDY_EBIND, 0, 0,
                                   "column '%s' is not a column of table '%s'",
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

/* How many rows the pace lets out now (at most cap); 0 after waiting up to timeout_ms. */
static int paced_limit(fs_source *s, int cap, int64_t timeout_ms)
{
    int64_t now = eddy_fs_mono_ms();
    if (!s->paced) {
        s->paced = true;
        s->t0 = now;
        s->rows0 = s->rows;
    }
    for (;;) {
        /* rows due by now: one at t0, then one every 1000 / rps ms */
        uint64_t allowed = s->rows0 + (uint64_t)((__int128)(now - s->t0) * s->rps / 1000) + 1;
        if (allowed > s->rows)
            return allowed - s->rows < (uint64_t)cap ? (int)(allowed - s->rows) : cap;
        int64_t due = s->t0 + (int64_t)((__int128)(s->rows - s->rows0) * 1000 / s->rps);
        int64_t wait = due - now;
        if (wait < 1) wait = 1;
        if (timeout_ms <= 0) return 0;
        if (wait > timeout_ms) wait = timeout_ms;
        struct timespec ts = {wait / 1000, (wait % 1000) * 1000000};
        nanosleep(&ts, NULL);
        timeout_ms -= wait;
        now = eddy_fs_mono_ms();
    }
}

static int fs_src_poll(void *state, eddy_batch *out, int64_t timeout_ms, eddy_error *err)
{
    fs_source *s = state;
    int limit = out->cap;
    if (s->rps > 0 && (limit = paced_limit(s, out->cap, timeout_ms)) == 0) return EDDY_POLL_IDLE;
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
            int64_t now = eddy_fs_mono_ms();
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
        while (out->n < limit && s->off < size) {
            const char *p = base + s->off;
            size_t avail = size - s->off, len, content;
            if (s->c.format == EDDY_FS_JSON) {
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
            if (s->c.format == EDDY_FS_CSV) {
                /* a quoted field may have held line ends */
                const char *q = p, *e = p + content;
                while ((q = memchr(q, '\n', (size_t)(e - q))) != NULL) {
                    s->line++;
                    q++;
                }
            }
            s->line++;
            if (blank(p, content)) continue;
            int rc = s->c.format == EDDY_FS_JSON ? eddy_json_decode(s->jd, p, content, out, true)
                                             : eddy_csv_decode(s->cd, p, content, out, true);
            if (rc != 0) {
                const char *why = s->c.format == EDDY_FS_JSON ? eddy_json_decoder_error(s->jd)
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

/* The name of file i relative to the root ("" when 'path' is one file). */
static const char *rel_name(const fs_source *s, int i)
{
    if (s->single) return "";
    return s->files[i].path + strlen(s->c.root) + 1;
}

static int fs_src_position(void *state, eddy_strbuf *buf, eddy_error *err)
{
    fs_source *s = state;
    (void)err;
    /* A finished file is reported at its end: seek() then moves on to the next name, which
     * also finds files that a monitored directory gained since. After the last file the
     * position is the last file's end. */
    int fi = s->fi;
    uint64_t off = s->off, line = s->line;
    if (fi >= s->nfiles && s->nfiles > 0) {
        fi = s->nfiles - 1;
        off = s->files[fi].size;
        line = 0; /* not known any more; only messages about later lines of it would use it */
    }
    const char *name = fi < s->nfiles ? rel_name(s, fi) : "";
    eddy_strbuf_printf(buf, "%d,%" PRIu64 ",%" PRIu64 ",%s", fi, off, line, name);
    return 0;
}

/* Reads an unsigned decimal from *p (up to end) followed by `sep` or the end. */
static bool read_u64(const char **p, const char *end, char sep, uint64_t *out)
{
    const char *q = *p;
    uint64_t v = 0;
    if (q >= end || *q < '0' || *q > '9') return false;
    while (q < end && *q >= '0' && *q <= '9') {
        if (v > (UINT64_MAX - 9) / 10) return false;
        v = v * 10 + (uint64_t)(*q++ - '0');
    }
    if (q < end) {
        if (*q != sep) return false;
        q++;
    } else if (sep != 0) {
        return false;
    }
    *p = q;
    *out = v;
    return true;
}

static int fs_src_seek(void *state, const char *data, size_t len, eddy_error *err)
{
    fs_source *s = state;
    const char *p = data, *end = data + len;
    uint64_t fi, off, line;
    if (!read_u64(&p, end, ',', &fi) || !read_u64(&p, end, ',', &off)) goto bad;
    /* "fi,off,line" (by index) or "fi,off,line,name" (by name) */
    bool named = memchr(p, ',', (size_t)(end - p)) != NULL;
    if (!read_u64(&p, end, named ? ',' : 0, &line)) goto bad;
    if (named && !s->single) {
        size_t nl = (size_t)(end - p);
        /* the first file whose name is not below the stored one (files are in name order) */
        int lo = 0, hi = s->nfiles;
        while (lo < hi) {
            int mid = lo + (hi - lo) / 2;
            const char *m = rel_name(s, mid);
            int c = strncmp(m, p, nl);
            if (c == 0 && m[nl]) c = 1;
            if (c < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        bool same = lo < s->nfiles && strlen(rel_name(s, lo)) == nl &&
                    memcmp(rel_name(s, lo), p, nl) == 0;
        fi = (uint64_t)lo;
        if (!same) off = line = 0; /* that file is gone: start the next one */
    } else if (fi > (uint64_t)s->nfiles) {
        goto bad;
    }
    unmap(s);
    s->fi = (int)fi;
    s->off = off;
    s->line = line;
    s->file_done = false;
    s->paced = false;
    s->bytes_done = off;
    for (int i = 0; i < s->fi && i < s->nfiles; i++) s->bytes_done += s->files[i].size;
    return 0;
bad:
    return eddy_error_set(err, EDDY_ESTATE, 0, 0,
                          "table '%s': bad filesystem position '%.*s' (expected 'file index,byte "
                          "offset,line,file name'); the checkpoint is not this table's",
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

const eddy_connector eddy_connector_filesystem = {
    .name = "filesystem",
    .source = &fs_source_ops,
    .sink = &eddy_fs_sink_ops,
    .accepts_changelog = false,
};
