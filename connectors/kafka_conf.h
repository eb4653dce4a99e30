/*
 * kafka_conf.h: librdkafka configurations from a table's WITH options, for every Kafka client
 * eddy makes (the kafka and upsert-kafka sources and sinks, the dead-letter producer).
 *
 *     static const char *const defaults[][2] = {{"enable.auto.commit", "false"}, {NULL, NULL}};
 *     rd_kafka_conf_t *conf = eddy_kafka_conf_new(kv, n, "properties.", defaults, "bids", err);
 *
 * eddy's defaults are set first, then every option whose key starts with the prefix, the prefix
 * removed ('properties.fetch.min.bytes' -> 'fetch.min.bytes'), so that a user may override a
 * default. 'log_level' defaults to 3 (errors) for every client.
 */
#ifndef EDDY_CONNECTORS_KAFKA_CONF_H
#define EDDY_CONNECTORS_KAFKA_CONF_H

#include <librdkafka/rdkafka.h>

#include "common/error.h"
#include "planner/plan.h"

/* A new configuration (the caller owns it), or NULL with err set when librdkafka refuses a
 * default or an option: "option 'properties.x' of table 't' is not accepted by librdkafka: ...".
 * defaults: pairs ending with {NULL, NULL}, or NULL. */
rd_kafka_conf_t *eddy_kafka_conf_new(const eddy_kv *kv, int n, const char *prefix,
                                     const char *const (*defaults)[2], const char *table,
                                     eddy_error *err);

#endif
