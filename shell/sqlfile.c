/*
 * sqlfile.c: loading, filling and parsing the SQL file of a command (see sqlfile.h).
 */
#include "sqlfile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/placeholders.h"
#include "common/strbuf.h"

void eddy_sqlfile_report(const char *name, const eddy_error *err, const char *text)
{
    char msg[4096];
    eddy_error_render(err, text, msg, sizeof msg);
    if (name)
        fprintf(stderr, "%s: %s\n", name, msg);
    else
        fprintf(stderr, "%s\n", msg);
}

/* Reads all of fp into a new NUL-terminated buffer; returns 0 or errno. */
static int read_all(FILE *fp, char **out, size_t *len)
{
    eddy_strbuf b = {0};
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
        eddy_strbuf_append(&b, chunk, n);
    if (ferror(fp)) {
        int e = errno ? errno : EIO;
        eddy_strbuf_free(&b);
        return e;
    }
    *len = b.n;
    *out = eddy_strbuf_take(&b);
    return 0;
}

int eddy_sqlfile_load(const eddy_cli_args *a, eddy_sqlfile *f)
{
    memset(f, 0, sizeof *f);
    bool is_stdin = strcmp(a->file, "-") == 0;
    f->name = is_stdin ? "stdin" : a->file;

    FILE *fp = is_stdin ? stdin : fopen(a->file, "rb");
    if (!fp) {
        fprintf(stderr, "eddy: cannot open '%s': %s\n", a->file, strerror(errno));
        if (errno == ENOENT)
            fputs("check the path; '-' reads the SQL from standard input\n", stderr);
        return EDDY_EXIT_USAGE;
    }
    char *raw = NULL;
    size_t len = 0;
    int e = read_all(fp, &raw, &len);
    if (!is_stdin) fclose(fp);
    if (e != 0) {
        fprintf(stderr, "eddy: cannot read '%s': %s\n", a->file, strerror(e));
        if (e == EISDIR) fputs("give the path of a .sql file inside that folder\n", stderr);
        return EDDY_EXIT_USAGE;
    }
    if (strlen(raw) != len) {
        int line, col;
        eddy_text_position(raw, strlen(raw), &line, &col);
        fprintf(stderr, "eddy: %s: line %d, column %d: a NUL byte: is this a SQL text file?\n",
                f->name, line, col);
        free(raw);
        return EDDY_EXIT_USAGE;
    }

    eddy_error err;
    eddy_error_clear(&err);
    f->text = eddy_placeholders_fill(raw, a->def_names, a->def_values, a->ndefs, &err);
    if (!f->text) {
        eddy_sqlfile_report(f->name, &err, raw);
        free(raw);
        return EDDY_EXIT_USAGE;
    }
    free(raw);
    f->len = strlen(f->text);
    return EDDY_EXIT_OK;
}

int eddy_sqlfile_parse(const eddy_sqlfile *f, eddy_script **out)
{
    eddy_error err;
    eddy_error_clear(&err);
    if (eddy_parse(f->text, f->len, out, &err) != 0) {
        eddy_sqlfile_report(f->name, &err, f->text);
        *out = NULL;
        return EDDY_EXIT_QUERY;
    }
    return EDDY_EXIT_OK;
}

void eddy_sqlfile_free(eddy_sqlfile *f)
{
    free(f->text);
    f->text = NULL;
    f->len = 0;
}
