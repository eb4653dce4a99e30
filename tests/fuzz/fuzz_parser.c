/*
 * fuzz_parser.c: libFuzzer target for the parser (lexer, grammar, printer and dump together).
 *
 * The input bytes are one script. When it parses, every statement must survive the round trip
 * of tests/support/parse_check.h (print it, parse the print, equal dumps, printing a fixpoint):
 * a failure aborts, so the fuzzer finds printer bugs as well as crashes, leaks and undefined
 * behaviour in the parser. When it does not parse, the error must carry a position inside the
 * text (line >= 1, column >= 1) and a message.
 *
 * Build: configure with CC=clang -DEDDY_FUZZ=ON (tests/fuzz/CMakeLists.txt); run with the
 * seed corpus and dictionary, e.g. `ctest -R fuzz_parser_60s` or
 *     build/tests/fuzz/fuzz_parser -dict=tests/fuzz/sql.dict build/tests/fuzz/corpus
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "parse_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    eddy_script *s = NULL;
    eddy_error err;
    eddy_error_clear(&err);
    if (eddy_parse((const char *)data, size, &s, &err) != 0) {
        if (s != NULL || err.code == 0 || err.line < 1 || err.col < 1 || !err.msg[0]) {
            fprintf(stderr, "bad error record: code %d at %d:%d: '%s'\n", err.code, err.line,
                    err.col, err.msg);
            abort();
        }
        return 0;
    }
    eddy_strbuf why = {0};
    for (int i = 0; i < s->n; i++) {
        if (eddy_test_roundtrip(s, i, &why) != 0) {
            fprintf(stderr, "round trip failed:\n%s\n", eddy_strbuf_cstr(&why));
            abort();
        }
    }
    eddy_strbuf_free(&why);
    eddy_script_free(s);
    return 0;
}
