/*
 * print.c: the 'print' sink: rows as text on standard output (or error), as Flink prints them.
 *
 *   CREATE TABLE out (...) WITH ('connector' = 'print', 'print-identifier' = 'q1');
 *   q1> +I[1001, 2015-07-15T00:00:00.012, 42.5, null]
 *
 * Each row is its row kind (+I, -U, +U, -D) and its values in brackets, separated by ", ",
 * each value as Flink's print connector shows it: the Java toString of Flink's external type
 * (RowData converted to a Row, then Row.toString): NULL is `null`, TIMESTAMP is
 * LocalDateTime's text (2015-07-15T00:00:00.012, or 2015-07-15T00:00 on a whole minute),
 * DOUBLE as Java prints it (1.0, 1.0E10), DECIMAL as BigDecimal, BYTES as [1, -2], nested rows
 * as +I[...] (value_text.h has the whole table).
 *
 * Options: 'print-identifier' (prefix "id> "), 'standard-error' = 'true' (write to stderr),
 * 'sink.parallelism' (accepted; eddy prints from one task, so no ":task" in the prefix), and,
 * an eddy extension, 'format' = 'json': one JSON object per row (format_json.h, json.* options
 * apply) with the row kind first as "op": {"op":"+I","id":1,...}.
 *
 * The row kind is shown when the sink spec asks for it (print_kinds, which the planner sets for
 * print tables, Flink always showing it) or when the input is a changelog; otherwise rows are
 * just [v1, v2]. Output goes to spec->out (stdout when NULL).
 *
 * When rows appear (runtime/connector.h, exactly-once):
 *   - Without checkpoints, and with checkpoints when the output is a terminal (people watch
 *     it): rows are written per batch and flushed at flush(), commit() and close(). After a
 *     crash, the rows printed since the last checkpoint are printed again by the recovered run
 *     (at-least-once).
 *   - With checkpoints (spec->checkpointing) and the output not a terminal (a pipe or a file,
 *     isatty() false): exactly-once. Formatted rows are held in memory; prepare_commit() moves
 *     them to a pending buffer, and commit(), called once the checkpoint is durable, writes
 *     that buffer and flushes. Rows written between prepare_commit(N) and commit(N) (the job
 *     runs on while checkpoint N is written, runtime/checkpoint.h) are held for the next
 *     checkpoint: commit(N) prints only what prepare_commit(N) moved. A recovered run therefore prints exactly the rows after the
 *     last checkpoint, and the concatenated output of every run equals that of a run that
 *     never crashed. Rows not yet committed when the job fails are never printed. The held
 *     rows cost memory until the next checkpoint.
 *   - 'sink.delivery-guarantee' (Flink's option name) overrides the terminal test:
 *     'exactly-once' holds rows even on a terminal, 'at-least-once' or 'none' prints at once
 *     even into a pipe. Without checkpoints rows are always printed at once.
 *   The marker is empty and recover() has nothing to redo: the pending text is not stored in
 *   the checkpoint (no sink could tell after a crash how much of it a pipe had taken). So that
 *   a checkpoint's rows come out even when the job dies right after the checkpoint is durable,
 *   a checkpoint written by a writer process (the default, runtime/checkpoint.h) prints them
 *   from the writer, right after its commit (writer_commit), and the writer finishes that even
 *   when the job is gone. A checkpoint written in the job's process (EDDY_CHECKPOINT_SYNC, or
 *   a stop's last one) prints in commit(): a kill between its commit and that write(2) loses
 *   those rows (never doubles them). Into a pipe whose reader does not keep up, the write
 *   blocks, and a kill of the writer then leaves part of the rows in the pipe.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "connectors/connectors.h"
#include "connectors/format_json.h"
#include "connectors/options.h"
#include "connectors/value_text.h"

typedef struct print_sink {
    FILE *out;
    char *prefix;               /* "id> " or "" */
    bool kinds;                 /* show +I/-U/+U/-D */
    int ncols;
    eddy_cellfmt *fmt;
    eddy_json_encoder *je;      /* format json */
    eddy_strbuf buf;            /* rows of the batch being formatted */
    bool hold;                  /* exactly-once: rows wait for commit() */
    eddy_strbuf held;           /* rows written since the last prepare_commit() */
    eddy_strbuf pending;        /* rows prepared, printed at the next commit() */
} print_sink;

static const char *const kind_text[] = {"+I", "-U", "+U", "-D"};

static void print_free(print_sink *p)
{
    if (!p) return;
    free(p->prefix);
    free(p->fmt);
    eddy_json_encoder_free(p->je);
    eddy_strbuf_free(&p->buf);
    eddy_strbuf_free(&p->held);
    eddy_strbuf_free(&p->pending);
    free(p);
}

static int print_open(const eddy_sink_spec *spec, void **state, eddy_error *err)
{
    eddy_optset o = {"print", spec->options, spec->noptions, err};
    static const char *const formats[] = {"text", "json", NULL};
    static const char *const guarantees[] = {"exactly-once", "at-least-once", "none", NULL};
    int fmt, guarantee;
    if (eddy_opt_enum(&o, "format", formats, 0, &fmt) ||
        eddy_opt_enum(&o, "sink.delivery-guarantee", guarantees, -1, &guarantee))
        return err->code;
    const char *known[24];
    int nk = 0;
    known[nk++] = "print-identifier";
    known[nk++] = "standard-error";
    known[nk++] = "sink.parallelism";
    known[nk++] = "format";
    known[nk++] = "sink.delivery-guarantee";
    if (fmt == 1)
        for (int i = 0; eddy_json_option_keys[i]; i++) known[nk++] = eddy_json_option_keys[i];
    known[nk] = NULL;
    if (eddy_opt_check_known(&o, known)) return err->code;
    bool to_stderr;
    int64_t par;
    eddy_json_options jo;
    memset(&jo, 0, sizeof jo);
    if (eddy_opt_bool(&o, "standard-error", false, &to_stderr) ||
        eddy_opt_int(&o, "sink.parallelism", 1, 1, INT32_MAX, &par) ||
        (fmt == 1 && eddy_json_options_read(&o, &jo)))
        return err->code;
    print_sink *p = eddy_xcalloc(1, sizeof *p);
    p->out = to_stderr ? stderr : spec->out ? spec->out : stdout;
    const char *id = eddy_opt_str(&o, "print-identifier", NULL);
    if (id) {
        size_t n = strlen(id) + 3;
        p->prefix = eddy_xmalloc(n);
        snprintf(p->prefix, n, "%s> ", id);
    } else {
        p->prefix = eddy_xstrdup("");
    }
    p->kinds = spec->print_kinds || spec->changelog;
    if (spec->checkpointing) {
        if (guarantee < 0) {
            int fd = fileno(p->out);
            p->hold = fd < 0 || !isatty(fd); /* a memory stream has no descriptor: not a tty */
        } else {
            p->hold = guarantee == 0;
        }
    }
    p->ncols = spec->schema->n;
    p->fmt = eddy_xcalloc((size_t)(p->ncols ? p->ncols : 1), sizeof *p->fmt);
    for (int i = 0; i < p->ncols; i++) eddy_cellfmt_init(&p->fmt[i], spec->schema->fields[i].type);
    if (fmt == 1) p->je = eddy_json_encoder_new(spec->schema, NULL, 0, &jo);
    *state = p;
    return 0;
}

static int print_write(void *state, const eddy_batch *b, eddy_error *err)
{
    print_sink *p = state;
    eddy_strbuf *s = &p->buf;
    eddy_strbuf_clear(s);
    for (int r = 0; r < b->n; r++) {
        int kind = b->kinds ? b->kinds[r] & 3 : EDDY_ROW_INSERT;
        eddy_strbuf_puts(s, p->prefix);
        if (p->je) {
            char op[16];
            snprintf(op, sizeof op, "\"op\":\"%s\"", kind_text[kind]);
            eddy_json_encode_row(p->je, b, r, op, s);
            eddy_strbuf_putc(s, '\n');
            continue;
        }
        if (p->kinds) eddy_strbuf_puts(s, kind_text[kind]);
        eddy_strbuf_putc(s, '[');
        for (int c = 0; c < p->ncols; c++) {
            if (c) eddy_strbuf_append(s, ", ", 2);
            const eddy_col *col = &b->cols[c];
            if (col->nulls && col->nulls[r])
                eddy_strbuf_append(s, "null", 4);
            else
                eddy_cell_format(&p->fmt[c], col, r, EDDY_TEXT_JAVA, s);
        }
        eddy_strbuf_append(s, "]\n", 2);
    }
    if (p->hold) {
        eddy_strbuf_append(&p->held, s->s, s->n);
        return 0;
    }
    if (s->n && fwrite(s->s, 1, s->n, p->out) != s->n)
        return eddy_error_set(err, EDDY_EIO, 0, 0, "print: cannot write the output: %s",
                              strerror(errno));
    return 0;
}

/* Holding rows, flush() shows nothing: only commit() does. */
static int print_flush(void *state, eddy_error *err)
{
    print_sink *p = state;
    if (!p->hold && fflush(p->out) != 0)
        return eddy_error_set(err, EDDY_EIO, 0, 0, "print: cannot write the output: %s",
                              strerror(errno));
    return 0;
}

static int print_prepare_commit(void *state, uint64_t checkpoint, eddy_strbuf *marker,
                                eddy_error *err)
{
    print_sink *p = state;
    (void)checkpoint;
    (void)marker; /* nothing to store: see the header comment */
    (void)err;
    if (p->hold && p->held.n) {
        eddy_strbuf_append(&p->pending, p->held.s, p->held.n);
        eddy_strbuf_clear(&p->held);
    }
    return 0;
}

static int print_commit(void *state, uint64_t checkpoint, eddy_error *err)
{
    print_sink *p = state;
    (void)checkpoint;
    if (fflush(p->out) != 0)
        return eddy_error_set(err, EDDY_EIO, 0, 0, "print: cannot write the output: %s",
                              strerror(errno));
    if (!p->pending.n) return 0;
    /* one write(2) where there is a descriptor, not stdio's chunks: the moment between the
     * durable checkpoint and the rows being out is as short as it can be */
    int fd = fileno(p->out);
    const char *s = p->pending.s;
    size_t n = p->pending.n;
    if (fd < 0) {
        if (fwrite(s, 1, n, p->out) != n || fflush(p->out) != 0) n = 1;
        else n = 0;
    }
    while (fd >= 0 && n > 0) {
        ssize_t w = write(fd, s, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) break;
        s += w;
        n -= (size_t)w;
    }
    if (n > 0)
        return eddy_error_set(err, EDDY_EIO, 0, 0, "print: cannot write the output: %s",
                              strerror(errno));
    eddy_strbuf_clear(&p->pending);
    return 0;
}

/* A checkpoint written by a writer process: the writer prints the rows (in_writer), the job
 * forgets them (connector.h writer_commit): the rows are out even if the job dies as soon as
 * the checkpoint is durable. */
static int print_writer_commit(void *state, uint64_t checkpoint, bool in_writer, eddy_error *err)
{
    print_sink *p = state;
    if (in_writer) return print_commit(state, checkpoint, err);
    eddy_strbuf_clear(&p->pending);
    return 0;
}

/* Nothing to redo or remove: print keeps no output outside the process. */
static int print_recover(void *state, const char *marker, size_t len, eddy_error *err)
{
    (void)state;
    (void)marker;
    (void)len;
    (void)err;
    return 0;
}

/* Rows held or pending here were never committed: they are dropped. */
static void print_close(void *state)
{
    print_sink *p = state;
    if (!p) return;
    fflush(p->out);
    print_free(p);
}

static const eddy_sink_ops print_ops = {
    .name = "print",
    .open = print_open,
    .write = print_write,
    .flush = print_flush,
    .prepare_commit = print_prepare_commit,
    .commit = print_commit,
    .recover = print_recover,
    .writer_commit = print_writer_commit,
    .close = print_close,
};

const eddy_connector eddy_connector_print = {
    .name = "print",
    .source = NULL,
    .sink = &print_ops,
    .accepts_changelog = true,
};
