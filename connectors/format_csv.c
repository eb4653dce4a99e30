/*
 * format_csv.c: the 'csv' format's decoder and encoder (see format_csv.h).
 */
#include "connectors/format_csv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/arena.h"
#include "common/decimal.h"
#include "connectors/value_text.h"

const char *const eddy_csv_option_keys[] = {
    "csv.field-delimiter",
    "csv.disable-quote-character",
    "csv.quote-character",
    "csv.allow-comments",
    "csv.ignore-parse-errors",
    "csv.array-element-delimiter",
    "csv.escape-character",
    "csv.null-literal",
    "csv.write-bigdecimal-in-scientific-notation",
    NULL,
};

void eddy_csv_options_default(eddy_csv_options *co)
{
    memset(co, 0, sizeof *co);
    co->delim = ',';
    co->quote = '"';
    co->dec_scientific = true;
}

int eddy_csv_options_read(const eddy_optset *o, eddy_csv_options *co)
{
    bool noquote;
    char arr;
    eddy_csv_options_default(co);
    if (eddy_opt_char(o, "csv.field-delimiter", ',', &co->delim) ||
        eddy_opt_bool(o, "csv.disable-quote-character", false, &noquote) ||
        eddy_opt_char(o, "csv.quote-character", '"', &co->quote) ||
        eddy_opt_bool(o, "csv.allow-comments", false, &co->allow_comments) ||
        eddy_opt_bool(o, "csv.ignore-parse-errors", false, &co->ignore_parse_errors) ||
        eddy_opt_char(o, "csv.array-element-delimiter", ';', &arr) ||
        eddy_opt_char(o, "csv.escape-character", 0, &co->escape) ||
        eddy_opt_bool(o, "csv.write-bigdecimal-in-scientific-notation", true, &co->dec_scientific))
        return o->err->code;
    co->null_literal = eddy_opt_str(o, "csv.null-literal", NULL);
    if (noquote) {
        if (eddy_opt_has(o, "csv.quote-character"))
            return eddy_error_set(o->err, EDDY_EUSAGE, 0, 0,
                                  "options 'csv.disable-quote-character' and 'csv.quote-character' "
                                  "of connector '%s' cannot be set together",
                                  o->connector);
        co->quote = 0;
    }
    if (co->delim == '\n' || co->delim == '\r' || (co->quote && co->quote == co->delim))
        return eddy_error_set(o->err, EDDY_EUSAGE, 0, 0,
                              "option 'csv.field-delimiter' of connector '%s' cannot be a line end "
                              "or the quote character",
                              o->connector);
    return 0;
}

size_t eddy_csv_record_len(const eddy_csv_options *opt, const char *p, size_t n, size_t *content)
{
    const char *nl = memchr(p, '\n', n);
    size_t len = nl ? (size_t)(nl - p) : n;
    if (opt->quote && memchr(p, opt->quote, len)) {
        /* a quoted field may hold line ends: walk the quotes */
        bool in = false;
        size_t i = 0;
        for (; i < n; i++) {
            char c = p[i];
            if (opt->escape && c == opt->escape && i + 1 < n) {
                i++;
            } else if (c == opt->quote) {
                in = !in; /* a doubled quote toggles twice */
            } else if (c == '\n' && !in) {
                break;
            }
        }
        len = i;
        nl = i < n ? p + i : NULL;
    }
    size_t c = len;
    if (c > 0 && p[c - 1] == '\r') c--;
    *content = c;
    return nl ? len + 1 : len;
}

/* ---------------------------------------------------------------------------------------- */
/* Decoder                                                                                  */

struct eddy_csv_decoder {
    int ncols;
    eddy_cellfmt *fmt;      /* per column */
    const char **names;     /* column names, for messages */
    int *col_of_field;      /* field -> column, -1 if unused (maxpos + 1 entries) */
    int *next_same;         /* column -> another column of the same field, or -1 */
    int maxpos;
    int nfields;            /* fields a record must have, -1 = at least maxpos + 1 */
    eddy_csv_options opt;
    char err[320];
};

eddy_csv_decoder *eddy_csv_decoder_new(const eddy_schema *schema, const int *positions,
                                       int nfields, const eddy_csv_options *opt)
{
    eddy_csv_decoder *d = eddy_xcalloc(1, sizeof *d);
    if (opt)
        d->opt = *opt;
    else
        eddy_csv_options_default(&d->opt);
    d->ncols = schema->n;
    size_t nc = (size_t)(schema->n ? schema->n : 1);
    d->fmt = eddy_xcalloc(nc, sizeof *d->fmt);
    d->names = eddy_xcalloc(nc, sizeof(char *));
    d->next_same = eddy_xcalloc(nc, sizeof(int));
    d->maxpos = -1;
    for (int i = 0; i < schema->n; i++) {
        int pos = positions ? positions[i] : i;
        if (pos > d->maxpos) d->maxpos = pos;
    }
    d->col_of_field = eddy_xcalloc((size_t)(d->maxpos + 2), sizeof(int));
    for (int f = 0; f <= d->maxpos; f++) d->col_of_field[f] = -1;
    for (int i = 0; i < schema->n; i++) {
        int pos = positions ? positions[i] : i;
        eddy_cellfmt_init(&d->fmt[i], schema->fields[i].type);
        d->names[i] = schema->fields[i].name;
        d->next_same[i] = -1;
        if (pos < 0) continue; /* not from the record: the caller fills it */
        d->next_same[i] = d->col_of_field[pos];
        d->col_of_field[pos] = i;
    }
    d->nfields = nfields;
    return d;
}

void eddy_csv_decoder_free(eddy_csv_decoder *d)
{
    if (!d) return;
    free(d->fmt);
    free(d->names);
    free(d->col_of_field);
    free(d->next_same);
    free(d);
}

const char *eddy_csv_decoder_error(const eddy_csv_decoder *d)
{
    return d->err;
}

/* Removes quoting (doubled quotes, escapes) from a field into out; returns the length. */
static size_t unquote(const eddy_csv_options *o, const char *s, size_t n, char *out)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (o->escape && c == o->escape && i + 1 < n) {
            out[k++] = s[++i];
        } else if (o->quote && c == o->quote && i + 1 < n && s[i + 1] == o->quote) {
            out[k++] = c;
            i++;
        } else {
            out[k++] = c;
        }
    }
    return k;
}

/* Converts one field's text into column col (and the columns sharing its field). */
static int field_value(eddy_csv_decoder *d, int col, int field, size_t at, const char *s, size_t n,
                       bool quoted, bool special, eddy_batch *b, bool borrow)
{
    for (; col >= 0; col = d->next_same[col]) {
        const eddy_cellfmt *f = &d->fmt[col];
        int row = b->n;
        const char *text = s;
        size_t len = n;
        bool own = borrow;
        char *tmp = NULL;
        if (special) {
            tmp = eddy_arena_alloc(b->arena, n ? n : 1);
            len = unquote(&d->opt, s, n, tmp);
            text = tmp;
            own = true; /* the arena outlives the row */
        }
        bool is_null = (d->opt.null_literal && strlen(d->opt.null_literal) == len &&
                        memcmp(d->opt.null_literal, text, len) == 0) ||
                       (len == 0 && f->kind != EDDY_CELL_STR && f->kind != EDDY_CELL_NESTED &&
                        !(quoted && f->kind == EDDY_CELL_BYTES)) || /* "" is X'' (the encoder) */
                       (len == 0 && !quoted && !d->opt.null_literal && f->kind == EDDY_CELL_NESTED);
        if (is_null) {
            eddy_col_nulls(b, col)[row] = 1;
            continue;
        }
        char why[200];
        if (eddy_cell_parse(f, text, len, false, b, col, row, own, why, sizeof why) != 0) {
            snprintf(d->err, sizeof d->err, "byte %zu: field %d (%s): %s", at + 1, field + 1,
                     d->names[col], why);
            return EDDY_EDATA;
        }
    }
    return 0;
}

int eddy_csv_decode(eddy_csv_decoder *d, const char *p, size_t n, eddy_batch *b, bool borrow)
{
    const eddy_csv_options *o = &d->opt;
    d->err[0] = 0;
    if (o->allow_comments && n > 0 && p[0] == '#') return 0;
    size_t i = 0;
    int field = 0;
    for (;;) {
        size_t at = i, s, e;
        bool quoted = false, special = false;
        if (o->quote && i < n && p[i] == o->quote) {
            quoted = true;
            size_t j = i + 1;
            for (;;) {
                if (j >= n) {
                    snprintf(d->err, sizeof d->err, "byte %zu: quoted field %d is not closed",
                             at + 1, field + 1);
                    return EDDY_EDATA;
                }
                char c = p[j];
                if (o->escape && c == o->escape) {
                    special = true;
                    j += 2;
                } else if (c == o->quote) {
                    if (j + 1 < n && p[j + 1] == o->quote) {
                        special = true;
                        j += 2;
                    } else {
                        break;
                    }
                } else {
                    j++;
                }
            }
            s = i + 1;
            e = j;
            i = j + 1;
            if (i < n && p[i] != o->delim) {
                snprintf(d->err, sizeof d->err,
                         "byte %zu: expected '%c' or the end of the line after a quoted field",
                         i + 1, o->delim);
                return EDDY_EDATA;
            }
        } else {
            const char *q = memchr(p + i, o->delim, n - i);
            s = i;
            e = q ? (size_t)(q - p) : n;
            if (o->escape && memchr(p + s, o->escape, e - s)) {
                /* an escaped delimiter does not end the field */
                special = true;
                size_t j = s;
                while (j < n && p[j] != o->delim) j += (p[j] == o->escape) ? 2 : 1;
                e = j < n ? j : n;
            }
            i = e;
        }
        if (field <= d->maxpos && d->col_of_field[field] >= 0) {
            int rc = field_value(d, d->col_of_field[field], field, at, p + s, e - s, quoted, special,
                                 b, borrow);
            if (rc) return rc;
        }
        field++;
        if (i < n && p[i] == o->delim) {
            i++;
            continue;
        }
        break;
    }
    int need = d->nfields >= 0 ? d->nfields : d->maxpos + 1;
    if (d->nfields >= 0 ? field != need : field < need) {
        snprintf(d->err, sizeof d->err, "byte %zu: expected %d fields, found %d", n + 1, need, field);
        return EDDY_EDATA;
    }
    b->n++;
    return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Encoder                                                                                  */

struct eddy_csv_encoder {
    int ncols;
    int *cols;
    eddy_cellfmt *fmt;
    eddy_csv_options opt;
    eddy_strbuf tmp;        /* a field's text before quoting */
};

eddy_csv_encoder *eddy_csv_encoder_new(const eddy_schema *schema, const int *cols, int ncols,
                                       const eddy_csv_options *opt)
{
    eddy_csv_encoder *e = eddy_xcalloc(1, sizeof *e);
    if (opt)
        e->opt = *opt;
    else
        eddy_csv_options_default(&e->opt);
    if (!cols) ncols = schema->n;
    e->ncols = ncols;
    e->cols = eddy_xcalloc((size_t)(ncols ? ncols : 1), sizeof(int));
    e->fmt = eddy_xcalloc((size_t)(ncols ? ncols : 1), sizeof(eddy_cellfmt));
    for (int i = 0; i < ncols; i++) {
        e->cols[i] = cols ? cols[i] : i;
        eddy_cellfmt_init(&e->fmt[i], schema->fields[e->cols[i]].type);
    }
    return e;
}

void eddy_csv_encoder_free(eddy_csv_encoder *e)
{
    if (!e) return;
    free(e->cols);
    free(e->fmt);
    eddy_strbuf_free(&e->tmp);
    free(e);
}

static void put_field(const eddy_csv_options *o, const char *s, size_t n, eddy_strbuf *out)
{
    bool q = false;
    if (n == 0) {
        q = o->quote != 0; /* "" keeps an empty string apart from NULL */
    } else {
        for (size_t i = 0; i < n && !q; i++) {
            char c = s[i];
            q = c == o->delim || c == '\n' || c == '\r' || (o->quote && c == o->quote) ||
                (o->escape && c == o->escape);
        }
    }
    if (!q || !o->quote) {
        eddy_strbuf_append(out, s, n);
        return;
    }
    eddy_strbuf_putc(out, o->quote);
    const char *run = s;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == o->quote || (o->escape && s[i] == o->escape)) {
            eddy_strbuf_append(out, run, (size_t)(s + i + 1 - run));
            eddy_strbuf_putc(out, s[i] == o->quote ? o->quote : o->escape);
            run = s + i + 1;
        }
    }
    eddy_strbuf_append(out, run, (size_t)(s + n - run));
    eddy_strbuf_putc(out, o->quote);
}

void eddy_csv_encode_row(const eddy_csv_encoder *e, const eddy_batch *b, int row, eddy_strbuf *out)
{
    eddy_csv_encoder *me = (eddy_csv_encoder *)e; /* tmp is scratch */
    for (int i = 0; i < e->ncols; i++) {
        if (i) eddy_strbuf_putc(out, e->opt.delim);
        const eddy_col *c = &b->cols[e->cols[i]];
        const eddy_cellfmt *f = &e->fmt[i];
        if (c->nulls && c->nulls[row]) {
            if (e->opt.null_literal) eddy_strbuf_puts(out, e->opt.null_literal);
            continue;
        }
        switch (f->kind) {
        case EDDY_CELL_INT: {
            char buf[24], *p = buf + sizeof buf;
            int64_t v = c->v.i64[row];
            uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
            do {
                *--p = (char)('0' + u % 10);
                u /= 10;
            } while (u);
            if (v < 0) *--p = '-';
            eddy_strbuf_append(out, p, (size_t)(buf + sizeof buf - p));
            break;
        }
        case EDDY_CELL_STR:
        case EDDY_CELL_NESTED:
            put_field(&e->opt, c->v.str[row].p, c->v.str[row].n, out);
            break;
        case EDDY_CELL_DEC: {
            char buf[80];
            size_t n = e->opt.dec_scientific ? eddy_text_decimal(c->v.dec[row], f->scale, buf)
                                             : eddy_dec_format(c->v.dec[row], f->scale, buf);
            eddy_strbuf_append(out, buf, n);
            break;
        }
        default:
            eddy_strbuf_clear(&me->tmp);
            eddy_cell_format(f, c, row, EDDY_TEXT_SQL, &me->tmp);
            put_field(&e->opt, eddy_strbuf_cstr(&me->tmp), me->tmp.n, out);
            break;
        }
    }
}
