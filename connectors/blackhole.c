/*
 * blackhole.c: the 'blackhole' sink: takes every row and keeps none, as Flink's (used by the
 * Nexmark queries to measure the engine without a sink's cost). It counts rows and batches,
 * and accepts a changelog. Options: none besides 'connector' ('sink.parallelism' accepted).
 * Checkpoints (runtime/connector.h): nothing to stage, commit or recover; prepare_commit()
 * appends nothing to the marker, and every call accepts a NULL state or marker.
 */
#include <stdint.h>
#include <stdlib.h>

#include "connectors/connectors.h"
#include "connectors/options.h"

typedef struct blackhole {
    uint64_t rows;              /* rows received */
    uint64_t batches;
} blackhole;

static int bh_open(const eddy_sink_spec *spec, void **state, eddy_error *err)
{
    eddy_optset o = {"blackhole", spec->options, spec->noptions, err};
    static const char *const known[] = {"sink.parallelism", NULL};
    if (eddy_opt_check_known(&o, known)) return err->code;
    *state = eddy_xcalloc(1, sizeof(blackhole));
    return 0;
}

static int bh_write(void *state, const eddy_batch *b, eddy_error *err)
{
    blackhole *h = state;
    (void)err;
    if (!h || !b) return 0;
    h->rows += (uint64_t)b->n;
    h->batches++;
    return 0;
}

static int bh_flush(void *state, eddy_error *err)
{
    (void)state;
    (void)err;
    return 0;
}

static int bh_prepare_commit(void *state, uint64_t checkpoint, eddy_strbuf *marker, eddy_error *err)
{
    (void)state;
    (void)checkpoint;
    (void)marker;
    (void)err;
    return 0;
}

static int bh_commit(void *state, uint64_t checkpoint, eddy_error *err)
{
    (void)state;
    (void)checkpoint;
    (void)err;
    return 0;
}

static int bh_recover(void *state, const char *marker, size_t len, eddy_error *err)
{
    (void)state;
    (void)marker;
    (void)len;
    (void)err;
    return 0;
}

static void bh_close(void *state)
{
    free(state);
}

static const eddy_sink_ops blackhole_ops = {
    .name = "blackhole",
    .open = bh_open,
    .write = bh_write,
    .flush = bh_flush,
    .prepare_commit = bh_prepare_commit,
    .commit = bh_commit,
    .recover = bh_recover,
    .close = bh_close,
};

const eddy_connector eddy_connector_blackhole = {
    .name = "blackhole",
    .source = NULL,
    .sink = &blackhole_ops,
    .accepts_changelog = true,
};
