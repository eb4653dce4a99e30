/*
 * connectors.h: the connectors built into eddy, as a registry for the runtime (connector.h).
 *
 *     eddy_job_create(plan, eddy_connectors_builtin(), &opts, &job, &err);
 *
 * Built in: datagen, nexmark (sources), filesystem (source and sink; formats json and csv),
 * print, blackhole (sinks). Options follow Flink's connectors of the same names; each
 * connector's file says what it accepts and what eddy adds.
 */
#ifndef EDDY_CONNECTORS_CONNECTORS_H
#define EDDY_CONNECTORS_CONNECTORS_H

#include "runtime/connector.h"

/* The built-in connectors: a NULL-terminated array with static lifetime. */
eddy_connector_registry eddy_connectors_builtin(void);

/* Each connector's entry (for tests and for programs that build their own registry). */
extern const eddy_connector eddy_connector_datagen;
extern const eddy_connector eddy_connector_nexmark;
extern const eddy_connector eddy_connector_filesystem;
extern const eddy_connector eddy_connector_print;
extern const eddy_connector eddy_connector_blackhole;
extern const eddy_connector eddy_connector_kafka;
/* The two halves of 'kafka' (kafka_source.c, kafka_sink.c). */
extern const eddy_source_ops eddy_kafka_source_ops;
extern const eddy_sink_ops eddy_kafka_sink_ops;
/* 'upsert-kafka': a changelog by primary key (upsert_kafka_source.c; the sink in kafka_sink.c). */
extern const eddy_connector eddy_connector_upsert_kafka;
extern const eddy_source_ops eddy_upsert_kafka_source_ops;
extern const eddy_sink_ops eddy_upsert_kafka_sink_ops;

#endif
