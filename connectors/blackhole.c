/*
 * blackhole.c: the 'blackhole' sink: takes every row and keeps none, as Flink's (used by the
 * Nexmark queries to measure the engine without a sink's cost). It counts rows and batches,
 * and accepts a changelog. Options: none besides 'connector' ('sink.parallelism' accepted).
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

static void bh_close(void *state)
{
    free(state);
}

static const eddy_sink_ops blackhole_ops = {
    .name = "blackhole",
    .open = bh_open,
    .write = bh_write,
    .flush = bh_flush,
    .close = bh_close,
};

const eddy_connector eddy_connector_blackhole = {
    .name = "blackhole",
    .source = NULL,
    .sink = &blackhole_ops,
    .accepts_changelog = true,
};
