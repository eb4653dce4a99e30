/*
 * kafka_conf.c: librdkafka configurations from WITH options (kafka_conf.h).
 */
#include "connectors/kafka_conf.h"

#include <string.h>

rd_kafka_conf_t *eddy_kafka_conf_new(const eddy_kv *kv, int n, const char *prefix,
                                     const char *const (*defaults)[2], const char *table,
                                     eddy_error *err)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    char msg[512];
    const char *tname = table ? table : "?";
    rd_kafka_conf_set(conf, "log_level", "3", msg, sizeof msg);
    for (int i = 0; defaults && defaults[i][0]; i++)
        if (rd_kafka_conf_set(conf, defaults[i][0], defaults[i][1], msg, sizeof msg) !=
            RD_KAFKA_CONF_OK) {
            rd_kafka_conf_destroy(conf);
            eddy_error_set(err, EDDY_ECONNECTOR, 0, 0, "table '%s': librdkafka refuses '%s': %s",
                           tname, defaults[i][0], msg);
            return NULL;
        }
    size_t pn = strlen(prefix);
    for (int i = 0; i < n; i++) {
        const char *k = kv[i].key;
        if (!k || strncmp(k, prefix, pn) != 0) continue;
        if (rd_kafka_conf_set(conf, k + pn, kv[i].value ? kv[i].value : "", msg, sizeof msg) !=
            RD_KAFKA_CONF_OK) {
            rd_kafka_conf_destroy(conf);
            eddy_error_set(err, EDDY_EUSAGE, 0, 0,
                           "option '%s' of table '%s' is not accepted by librdkafka: %s (see "
                           "librdkafka's CONFIGURATION.md)",
                           k, tname, msg);
            return NULL;
        }
    }
    return conf;
}
