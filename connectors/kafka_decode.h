/*
 * kafka_decode.h: from Kafka messages to rows, for the kafka source (kafka_source.c).
 *
 * The decoder owns everything about what a message becomes: the value format ('format' or
 * 'value.format' = json | csv | raw with the format's options), the key format and the columns
 * decoded from the key ('key.format', 'key.fields', 'key.fields-prefix', 'value.fields-include'),
 * the columns that are metadata ('partition', 'offset', 'timestamp', 'timestamp-type', 'topic',
 * 'key', 'headers') and what happens to a message that cannot be decoded (an error naming
 * topic, partition and offset; with the format's ignore-parse-errors, spec->bad_record() and a
 * skip; with 'dead-letter.topic', the message produced to that topic, spec->bad_record() and a
 * skip). The source owns the consumer, the partitions and the offsets.
 *
 *     eddy_kafka_decoder *d;
 *     if (eddy_kafka_decoder_new(spec, source_keys, &d, err)) ...   // validates the options
 *     eddy_kafka_decoder_begin(d);                                // per batch
 *     while (eddy_kafka_decoder_rows(d) < cap && (m = next message)) {
 *         int rc = eddy_kafka_decode(d, m, out, err);             // 0 row, 1 skipped, <0 error
 *     }
 *     eddy_kafka_decoder_finish(d, out);                          // out->n = rows decoded
 *
 * Rows are decoded into scratch batches of the physical columns, one for the value's and one
 * for the key's (strings copied into their arenas); finish() copies their columns into out,
 * whose metadata cells decode() filled row by row already. The scratch is reset only by the
 * next begin(), after out was pushed.
 *
 * Threads: the job's thread only, as the source. The dead-letter producer's delivery reports
 * are served inside decode(), flush() and free(), on that thread.
 */
#ifndef EDDY_CONNECTORS_KAFKA_DECODE_H
#define EDDY_CONNECTORS_KAFKA_DECODE_H

#include <librdkafka/rdkafka.h>

#include "runtime/connector.h"

typedef struct eddy_kafka_decoder eddy_kafka_decoder;

/* Reads and checks the table's options for decoding, and every other key against source_keys
 * (the source's own option keys, NULL-terminated; 'properties.*' style patterns allowed, see
 * options.h): an unknown key is an error with a suggestion. Sorts spec's columns into physical
 * and metadata ones (a metadata key the connector does not have, or a column of the wrong
 * type, is an error naming the column). *out is the new decoder. */
int eddy_kafka_decoder_new(const eddy_source_spec *spec, const char *const *source_keys,
                           eddy_kafka_decoder **out, eddy_error *err);
/* Starts a batch (resets the scratch rows). */
void eddy_kafka_decoder_begin(eddy_kafka_decoder *d);
/* Rows decoded since begin(), and how many the scratch holds at most. */
int eddy_kafka_decoder_rows(const eddy_kafka_decoder *d);
int eddy_kafka_decoder_cap(const eddy_kafka_decoder *d);
/* Decodes message m (not an error message) as the next row: its metadata cells go to out's row
 * eddy_kafka_decoder_rows(d) directly. Returns 0 (a row), 1 (skipped: a bad message that was
 * reported and may be skipped or went to the dead-letter topic, or a CSV comment line), or a
 * negative error with err set (EDDY_EDATA: a bad message that may not be skipped;
 * EDDY_ECONNECTOR: the dead-letter topic failed). m is only read; the caller keeps it. */
int eddy_kafka_decode(eddy_kafka_decoder *d, const rd_kafka_message_t *m, eddy_batch *out,
                      eddy_error *err);
/* Copies the decoded physical columns into out and sets out->n. */
void eddy_kafka_decoder_finish(eddy_kafka_decoder *d, eddy_batch *out);
/* Makes durable whatever decoding sent elsewhere: waits until every dead letter produced so far
 * is acknowledged by the brokers (no time limit of its own: librdkafka fails a message after
 * the producer's 'message.timeout.ms'). Called before the source's position is taken for a
 * checkpoint. 0, or EDDY_ECONNECTOR when a dead letter could not be delivered (the job fails;
 * decode() returns the same error from then on). Without 'dead-letter.topic' it returns 0. */
int eddy_kafka_decoder_flush(eddy_kafka_decoder *d, eddy_error *err);
void eddy_kafka_decoder_free(eddy_kafka_decoder *d);

#endif
