/*
 * fuzz_kafka_headers.c: libFuzzer target for the Kafka sink's 'headers' scanner: the JSON
 * object of strings and nulls ({"name":"value","n2":null}) that a 'headers' metadata column
 * holds, turned into librdkafka headers (headers_parse in connectors/kafka_sink.c).
 *
 * headers_parse is static and runs only inside the sink's write path, which needs a producer;
 * rather than change kafka_sink.c, this file includes it whole (as SQLite's test harnesses
 * include a .c to reach its statics) and calls the scanner directly: no broker, no producer.
 * The library's copy of kafka_sink.o is then never linked in, because this file defines every
 * symbol it does.
 *
 * The input bytes are one cell. Checked:
 *   - a failure gives a reason, an offset within the cell and no headers;
 *   - parsed headers, written back as a JSON object (eddy_json_put_string), parse again, and
 *     writing those gives the same text (a fixpoint; names are compared as librdkafka hands
 *     them back, up to a NUL);
 *   - no crash, leak, out-of-bounds read or undefined behaviour (ASan and UBSan).
 *
 * Run: `ctest -R fuzz_kafka_headers_8s` in a fuzz build, or
 *     build/fuzz/tests/fuzz/fuzz_kafka_headers -dict=tests/fuzz/json.dict CORPUS tests/fuzz/seeds_headers
 */
#include "connectors/kafka_sink.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Writes headers h (may be NULL) as a JSON object into out; returns how many there are. */
static size_t headers_json(const rd_kafka_headers_t *h, eddy_strbuf *out)
{
    size_t k = 0;
    const char *name;
    const void *value;
    size_t vn;
    eddy_strbuf_putc(out, '{');
    while (h && rd_kafka_header_get_all(h, k, &name, &value, &vn) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        if (k) eddy_strbuf_putc(out, ',');
        eddy_json_put_string(out, name, strlen(name));
        eddy_strbuf_putc(out, ':');
        if (value)
            eddy_json_put_string(out, value, vn);
        else
            eddy_strbuf_append(out, "null", 4);
        k++;
    }
    eddy_strbuf_putc(out, '}');
    return k;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rd_kafka_headers_t *h = (rd_kafka_headers_t *)1;
    size_t at = (size_t)-1;
    const char *why = headers_parse((const char *)data, size, &h, &at);
    if (why) {
        if (h != NULL || at > size || !why[0]) {
            fprintf(stderr, "bad failure: '%s' at %zu of %zu bytes, headers %p\n", why, at, size,
                    (void *)h);
            abort();
        }
        return 0;
    }
    eddy_strbuf one = {0}, two = {0};
    size_t n1 = headers_json(h, &one);
    if (h && n1 == 0) {
        fprintf(stderr, "headers made but empty\n");
        abort();
    }
    rd_kafka_headers_t *h2 = NULL;
    why = headers_parse(one.s, one.n, &h2, &at);
    if (why) {
        fprintf(stderr, "headers written back do not parse: %s at %zu: %s\n", why, at, one.s);
        abort();
    }
    size_t n2 = headers_json(h2, &two);
    if (n1 != n2 || one.n != two.n || memcmp(one.s, two.s, one.n) != 0) {
        fprintf(stderr, "headers round trip differs:\n%s\n%s\n", one.s, two.s);
        abort();
    }
    if (h) rd_kafka_headers_destroy(h);
    if (h2) rd_kafka_headers_destroy(h2);
    eddy_strbuf_free(&one);
    eddy_strbuf_free(&two);
    return 0;
}
