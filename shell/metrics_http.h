/*
 * metrics_http.h: the HTTP server of `eddy run --metrics-port P` (and of SET
 * 'eddy.metrics.port'): GET /metrics answers the Prometheus text of every job in a metrics
 * registry (runtime/metrics.h); any other path is 404, any other method 405.
 *
 *     eddy_metrics_http *h;
 *     if (eddy_metrics_http_start(reg, "127.0.0.1", 0, &h, &err) == 0) {
 *         fprintf(stderr, "eddy: metrics on http://127.0.0.1:%d/metrics\n", eddy_metrics_http_port(h));
 *         ... jobs run and publish into reg ...
 *         eddy_metrics_http_stop(h);    // the port is closed when this returns
 *     }
 *
 * libmicrohttpd serves on a thread of its own (DESIGN.md's choice); that thread reads the
 * registry only through eddy_metrics_render(), under the registry's mutex, and never touches a
 * job. It runs with SIGINT, SIGTERM and SIGPIPE blocked, so stop signals go to the shell's
 * threads.
 */
#ifndef EDDY_SHELL_METRICS_HTTP_H
#define EDDY_SHELL_METRICS_HTTP_H

#include "common/error.h"
#include "runtime/metrics.h"

typedef struct eddy_metrics_http eddy_metrics_http;

/* Listens on address (a numeric IPv4 or IPv6 address, or a host name that resolves to one;
 * NULL: 127.0.0.1) and port (0: a free one) and serves reg, which must outlive the server.
 * Returns 0, or EDDY_EIO with err naming the address, the port and the system's reason. */
int eddy_metrics_http_start(eddy_metrics *reg, const char *address, int port,
                            eddy_metrics_http **out, eddy_error *err);
/* The port it listens on (the one chosen when 0 was asked). */
int eddy_metrics_http_port(const eddy_metrics_http *h);
/* The address as it can be put in a URL ("127.0.0.1", "[::1]"). */
const char *eddy_metrics_http_host(const eddy_metrics_http *h);
/* Stops serving, closes the port and frees h. NULL is fine. */
void eddy_metrics_http_stop(eddy_metrics_http *h);

#endif
