/*
 * bench_parse.c: how fast the parser turns SQL into trees.
 *
 * Reads the .sql files of tests/sql/parse/valid (the valid corpus), then parses each file
 * again and again for about two seconds (each parse is a whole script: lexer, grammar, tree in
 * an arena, eddy_script_free) and prints one line:
 *
 *     parse: 123456 statements/s, 45.6 MB/s (corpus: 333 statements, 60 KB)
 *
 * Options: -t SECONDS (default 2), -d DIR (default the source tree's corpus).
 * See bench/README.md for how to build it in release mode and run it.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/strbuf.h"
#include "parser/parser.h"

#ifndef EDDY_SOURCE_DIR
#define EDDY_SOURCE_DIR "."
#endif

typedef struct sql_file {
    char *text; /* whole file, NUL-terminated */
    size_t len; /* its length */
} sql_file;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    eddy_strbuf b = {0};
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        eddy_strbuf_append(&b, chunk, n);
    fclose(f);
    *len = b.n;
    return eddy_strbuf_take(&b);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Loads the .sql files of dir into *files (sorted by name); returns the count or -1. */
static int load_corpus(const char *dir, sql_file **files)
{
    DIR *d = opendir(dir);
    if (!d) return -1;
    char *names[1024];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n < 1024) {
        size_t l = strlen(e->d_name);
        if (l > 4 && strcmp(e->d_name + l - 4, ".sql") == 0) names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, (size_t)n, sizeof names[0], by_name);
    *files = calloc((size_t)n, sizeof **files);
    for (int i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        (*files)[i].text = read_file(path, &(*files)[i].len);
        if (!(*files)[i].text) {
            fprintf(stderr, "bench_parse: cannot read %s\n", path);
            return -1;
        }
        free(names[i]);
    }
    return n;
}

int main(int argc, char **argv)
{
    double seconds = 2.0;
    const char *dir = EDDY_SOURCE_DIR "/tests/sql/parse/valid";
    int opt;
    while ((opt = getopt(argc, argv, "t:d:")) != -1) {
        if (opt == 't')
            seconds = atof(optarg);
        else if (opt == 'd')
            dir = optarg;
        else {
            fprintf(stderr, "usage: bench_parse [-t SECONDS] [-d DIR]\n");
            return 2;
        }
    }

    sql_file *files;
    int nfiles = load_corpus(dir, &files);
    if (nfiles <= 0) {
        fprintf(stderr, "bench_parse: no .sql files in %s\n", dir);
        return 1;
    }

    /* one pass to check that everything parses and to count statements and bytes */
    long corpus_stmts = 0;
    size_t corpus_bytes = 0;
    for (int i = 0; i < nfiles; i++) {
        eddy_script *s;
        eddy_error err;
        eddy_error_clear(&err);
        if (eddy_parse(files[i].text, files[i].len, &s, &err) != 0) {
            char msg[2048];
            fprintf(stderr, "bench_parse: file %d does not parse: %s\n", i + 1,
                    eddy_error_render(&err, files[i].text, msg, sizeof msg));
            return 1;
        }
        corpus_stmts += s->n;
        corpus_bytes += files[i].len;
        eddy_script_free(s);
    }

    /* the timed loop: whole passes over the corpus until the time is up */
    long passes = 0;
    double start = now(), elapsed;
    do {
        for (int i = 0; i < nfiles; i++) {
            eddy_script *s;
            eddy_error err;
            eddy_error_clear(&err);
            if (eddy_parse(files[i].text, files[i].len, &s, &err) != 0) return 1;
            eddy_script_free(s);
        }
        passes++;
        elapsed = now() - start;
    } while (elapsed < seconds);

    double stmts_per_s = (double)(passes * corpus_stmts) / elapsed;
    double mb_per_s = (double)passes * (double)corpus_bytes / elapsed / 1e6;
    printf("parse: %.0f statements/s, %.1f MB/s (corpus: %ld statements, %.0f KB)\n", stmts_per_s,
           mb_per_s, corpus_stmts, (double)corpus_bytes / 1024.0);
    for (int i = 0; i < nfiles; i++)
        free(files[i].text);
    free(files);
    return 0;
}
