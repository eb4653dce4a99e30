/*
 * parse_check.c: the parser's round-trip check and small file helpers for its tests (see
 * parse_check.h).
 */
#include "parse_check.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/arena.h"

static void add_text(eddy_strbuf *why, const char *label, const char *text)
{
    eddy_strbuf_printf(why, "  %s:\n    %s\n", label, text);
}

char *eddy_test_stmt_text(const eddy_script *s, int i)
{
    const eddy_stmt *st = s->stmts[i];
    size_t off = st->src_off, len = st->src_len;
    if (off > s->len) off = s->len;
    if (len > s->len - off) len = s->len - off;
    char *t = eddy_xmalloc(len + 1);
    memcpy(t, s->text + off, len);
    t[len] = 0;
    return t;
}

int eddy_test_roundtrip(const eddy_script *s, int i, eddy_strbuf *why)
{
    const eddy_stmt *st = s->stmts[i];
    eddy_strbuf d1 = {0}, p1 = {0}, d2 = {0}, p2 = {0};
    eddy_script *s2 = NULL;
    eddy_error err;
    int rc = 0;

    eddy_error_clear(&err);
    eddy_ast_dump_stmt(&d1, st, false);
    eddy_ast_print_stmt(&p1, st);
    const char *printed = eddy_strbuf_cstr(&p1);

    char *orig = eddy_test_stmt_text(s, i);
    if (eddy_parse(printed, p1.n, &s2, &err) != 0) {
        char msg[2048];
        eddy_strbuf_printf(why, "statement %d (line %d): its printed SQL does not parse\n", i + 1,
                           st->pos.line);
        add_text(why, "statement", orig);
        add_text(why, "printed", printed);
        add_text(why, "error", eddy_error_render(&err, printed, msg, sizeof msg));
        add_text(why, "dump", eddy_strbuf_cstr(&d1));
        rc = -1;
    } else if (s2->n != 1) {
        eddy_strbuf_printf(why, "statement %d (line %d): its printed SQL holds %d statements\n",
                           i + 1, st->pos.line, s2->n);
        add_text(why, "statement", orig);
        add_text(why, "printed", printed);
        rc = -1;
    } else {
        eddy_ast_dump_stmt(&d2, s2->stmts[0], false);
        eddy_ast_print_stmt(&p2, s2->stmts[0]);
        if (strcmp(eddy_strbuf_cstr(&d1), eddy_strbuf_cstr(&d2)) != 0) {
            eddy_strbuf_printf(why,
                               "statement %d (line %d): dump(parse(print(q))) != dump(parse(q))\n",
                               i + 1, st->pos.line);
            add_text(why, "statement", orig);
            add_text(why, "printed", printed);
            add_text(why, "dump of the statement", eddy_strbuf_cstr(&d1));
            add_text(why, "dump of the printed SQL", eddy_strbuf_cstr(&d2));
            rc = -1;
        } else if (strcmp(printed, eddy_strbuf_cstr(&p2)) != 0) {
            eddy_strbuf_printf(why, "statement %d (line %d): the printer is not a fixpoint\n",
                               i + 1, st->pos.line);
            add_text(why, "statement", orig);
            add_text(why, "printed once", printed);
            add_text(why, "printed twice", eddy_strbuf_cstr(&p2));
            rc = -1;
        }
    }
    free(orig);
    eddy_script_free(s2);
    eddy_strbuf_free(&d1);
    eddy_strbuf_free(&p1);
    eddy_strbuf_free(&d2);
    eddy_strbuf_free(&p2);
    return rc;
}

char *eddy_test_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    eddy_strbuf b = {0};
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        eddy_strbuf_append(&b, chunk, n);
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        eddy_strbuf_free(&b);
        return NULL;
    }
    if (len) *len = b.n;
    return eddy_strbuf_take(&b);
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int eddy_test_list_dir(const char *dir, const char *suffix, char ***names)
{
    DIR *d = opendir(dir);
    if (!d) return -1;
    char **a = NULL;
    int n = 0, cap = 0;
    size_t ls = strlen(suffix);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t l = strlen(e->d_name);
        if (e->d_name[0] == '.' || l < ls || strcmp(e->d_name + l - ls, suffix) != 0) continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 32;
            a = eddy_xrealloc(a, (size_t)cap * sizeof *a);
        }
        a[n++] = eddy_xstrdup(e->d_name);
    }
    closedir(d);
    if (n > 1) qsort(a, (size_t)n, sizeof *a, cmp_names);
    *names = a;
    return n;
}

void eddy_test_free_list(char **names, int n)
{
    for (int i = 0; i < n; i++)
        free(names[i]);
    free(names);
}
