/*
 * upsert_kafka_source.c: the 'upsert-kafka' source (placeholder until it is written: opening
 * one is refused with a clear message).
 */
#include "connectors/connectors.h"

static int uks_open(const eddy_source_spec *spec, void **state, eddy_error *err)
{
    (void)state;
    return eddy_error_set(err, EDDY_EUNSUPPORTED, 0, 0,
                          "table '%s': reading connector 'upsert-kafka' is not supported yet",
                          spec->table ? spec->table : "?");
}

const eddy_source_ops eddy_upsert_kafka_source_ops = {
    .name = "upsert-kafka",
    .open = uks_open,
};
