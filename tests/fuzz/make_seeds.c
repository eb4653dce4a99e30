/*
 * make_seeds.c: writes the fuzz seed corpus, one file per statement of the given SQL files.
 *
 *     make_seeds OUTDIR FILE.sql...
 *
 * Each statement's own text (its source range, eddy_stmt.src_off/src_len) goes into
 * OUTDIR/<file>_<n>.sql, so the seeds stay in step with the valid corpus
 * (tests/sql/parse/valid) without a second copy in git. A file that does not parse is written
 * whole, as one seed. Runs at build time (tests/fuzz/CMakeLists.txt).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "parse_check.h"

static int write_seed(const char *dir, const char *base, int n, const char *text, size_t len)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s_%03d.sql", dir, base, n);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(text, 1, len, f) != len || fclose(f) != 0) {
        fprintf(stderr, "make_seeds: cannot write %s: %s\n", path, strerror(errno));
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: make_seeds OUTDIR FILE.sql...\n");
        return 2;
    }
    const char *dir = argv[1];
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "make_seeds: cannot create %s: %s\n", dir, strerror(errno));
        return 1;
    }
    int nseeds = 0;
    for (int a = 2; a < argc; a++) {
        size_t len;
        char *text = eddy_test_read_file(argv[a], &len);
        if (!text) {
            fprintf(stderr, "make_seeds: cannot read %s\n", argv[a]);
            return 1;
        }
        const char *slash = strrchr(argv[a], '/');
        char base[256];
        snprintf(base, sizeof base, "%s", slash ? slash + 1 : argv[a]);
        char *dot = strrchr(base, '.');
        if (dot) *dot = 0;

        eddy_script *s = NULL;
        eddy_error err;
        eddy_error_clear(&err);
        if (eddy_parse(text, len, &s, &err) != 0) {
            fprintf(stderr, "make_seeds: %s:%d:%d: %s (written whole)\n", argv[a], err.line,
                    err.col, err.msg);
            if (write_seed(dir, base, 0, text, len) != 0) return 1;
            nseeds++;
        } else {
            for (int i = 0; i < s->n; i++) {
                char *st = eddy_test_stmt_text(s, i);
                int rc = write_seed(dir, base, i + 1, st, strlen(st));
                free(st);
                if (rc != 0) return 1;
                nseeds++;
            }
            eddy_script_free(s);
        }
        free(text);
    }
    printf("make_seeds: %d seeds in %s\n", nseeds, dir);
    return 0;
}
