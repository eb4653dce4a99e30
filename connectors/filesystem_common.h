/*
 * filesystem_common.h: what the 'filesystem' connector's source (filesystem.c) and sink
 * (filesystem_sink.c) share: the options both sides read, partition keys, Hive's escaping of
 * partition values in directory names, and creating directories. Internal to connectors/:
 * nothing outside the filesystem connector includes it.
 *
 * Rules: eddy_fs_common_open() validates the whole option list once (the source's and the
 * sink's keys together, as one table may be read and written), so a typo in either side's
 * option gets the did-you-mean message from the same table (eddy_fs_option_keys). Every
 * function returns 0 or a negative EDDY_E* code with err set, naming the table and the path.
 */
#ifndef EDDY_CONNECTORS_FILESYSTEM_COMMON_H
#define EDDY_CONNECTORS_FILESYSTEM_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "common/strbuf.h"
#include "connectors/format_csv.h"
#include "connectors/format_json.h"
#include "connectors/options.h"
#include "runtime/connector.h"

enum { EDDY_FS_JSON = 0, EDDY_FS_CSV = 1 };

#define EDDY_FS_DEFAULT_PARTITION "__DEFAULT_PARTITION__"

/* The connector's own option keys (NULL-terminated); the format's keys are added to them. */
extern const char *const eddy_fs_option_keys[];

typedef struct eddy_fs_common {
    char *root;                 /* local path, 'file://' prefix and trailing '/' stripped */
    int format;                 /* EDDY_FS_JSON / EDDY_FS_CSV */
    eddy_json_options json;
    eddy_csv_options csv;
    bool ignore_errors;         /* '<format>.ignore-parse-errors' */
    char **keys;                /* partition keys, from 'partition.keys' */
    int nkeys;
    const char *default_part;   /* 'partition.default-name' (borrowed from the options) */
} eddy_fs_common;

/* Reads and checks the options both sides share; on error c may be half filled: free it. */
int eddy_fs_common_open(const eddy_optset *o, const char *table, eddy_fs_common *c);
void eddy_fs_common_free(eddy_fs_common *c);

/* Index of partition key `name`, or -1. */
int eddy_fs_key_index(const eddy_fs_common *c, const char *name);

/* Appends s[0..n) escaped as Hive and Flink escape partition values in paths (%XX). */
void eddy_fs_escape_part(eddy_strbuf *out, const char *s, size_t n);
/* The reverse: writes the unescaped text to out (at most n bytes); returns its length. */
size_t eddy_fs_unescape_part(const char *s, size_t n, char *out);

/* mkdir -p; an existing directory is fine. */
int eddy_fs_mkdirs(const char *path, eddy_error *err);

/* Monotonic clock in milliseconds (pacing, rolling). */
int64_t eddy_fs_mono_ms(void);

/* The sink's operations (filesystem_sink.c), for the connector entry in filesystem.c. */
extern const eddy_sink_ops eddy_fs_sink_ops;

#endif
