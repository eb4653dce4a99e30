/*
 * cmd_version.c: `eddy version` (and `eddy --version`): eddy's version and the versions of the
 * libraries it was linked with, as they report themselves at run time, for bug reports.
 */
#include <curl/curl.h>
#include <librdkafka/rdkafka.h>
#include <lmdb.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

#ifndef EDDY_VERSION
#define EDDY_VERSION "unknown" /* set by shell/CMakeLists.txt from the project's version */
#endif

int eddy_cmd_version(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return eddy_cli_print_help("version");
        return eddy_cli_usage_error("version", "'version' takes no argument, got '%s'", argv[i]);
    }
    int major, minor, patch;
    mdb_version(&major, &minor, &patch);
    const curl_version_info_data *curl = curl_version_info(CURLVERSION_NOW);

    printf("eddy %s\n", EDDY_VERSION);
    printf("  librdkafka %s\n", rd_kafka_version_str());
    printf("  LMDB       %d.%d.%d\n", major, minor, patch);
    printf("  libcurl    %s", curl->version);
    if (curl->ssl_version) printf(" (%s)", curl->ssl_version);
    putchar('\n');
#ifdef __clang__
    printf("  built with clang %s\n", __clang_version__);
#elif defined(__GNUC__)
    printf("  built with gcc %s\n", __VERSION__);
#endif
    return EDDY_EXIT_OK;
}
