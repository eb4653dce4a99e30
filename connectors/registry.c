/*
 * registry.c: the list of built-in connectors, and the lookups runtime/connector.h declares
 * (eddy_connector_find, eddy_kv_get). They live here rather than in runtime/ because they
 * only read the registry and option arrays that this folder hands out; the runtime calls them.
 */
#include "connectors/connectors.h"

#include <string.h>

/* 'kafka': the source and the sink live in files of their own. */
const eddy_connector eddy_connector_kafka = {
    .name = "kafka",
    .source = &eddy_kafka_source_ops,
    .sink = &eddy_kafka_sink_ops,
    .accepts_changelog = false,
    .sink_metadata = (const char *const[]){"headers", "timestamp", NULL},
};

/* 'upsert-kafka': reads a (compacted) topic as a table, writes a changelog as upserts. */
const eddy_connector eddy_connector_upsert_kafka = {
    .name = "upsert-kafka",
    .source = &eddy_upsert_kafka_source_ops,
    .sink = &eddy_upsert_kafka_sink_ops,
    .accepts_changelog = true,
    .sink_metadata = (const char *const[]){"headers", "timestamp", NULL},
};

static const eddy_connector *const builtin[] = {
    &eddy_connector_datagen,
    &eddy_connector_nexmark,
    &eddy_connector_filesystem,
    &eddy_connector_print,
    &eddy_connector_blackhole,
    &eddy_connector_kafka,
    &eddy_connector_upsert_kafka,
    NULL,
};

eddy_connector_registry eddy_connectors_builtin(void)
{
    return builtin;
}

const eddy_connector *eddy_connector_find(eddy_connector_registry reg, const char *name)
{
    if (!reg || !name) return NULL;
    for (int i = 0; reg[i]; i++)
        if (strcmp(reg[i]->name, name) == 0) return reg[i];
    return NULL;
}

const char *eddy_kv_get(const eddy_kv *kv, int n, const char *key, const char *def)
{
    for (int i = 0; i < n; i++)
        if (kv[i].key && strcmp(kv[i].key, key) == 0) return kv[i].value;
    return def;
}
