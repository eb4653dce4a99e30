/*
 * metrics_http.c: /metrics over libmicrohttpd (see metrics_http.h).
 *
 * The listening socket is made here, not by libmicrohttpd: so that a port in use or an address
 * that cannot be bound is reported with the system's own reason (libmicrohttpd only returns
 * NULL), so that port 0 is resolved by getsockname(), and so that any address family works.
 * libmicrohttpd is handed the socket (MHD_OPTION_LISTEN_SOCKET) and closes it when stopped.
 *
 * Rules:
 * - One internal polling thread (MHD_USE_INTERNAL_POLLING_THREAD): a scrape renders a few
 *   kilobytes under the registry's mutex, so one thread is plenty, and it is started with
 *   SIGINT, SIGTERM and SIGPIPE blocked (the shell's threads take the stop signals).
 * - A checkpoint's writer is a fork() of the job (runtime/checkpoint.h) and may outlive it; so
 *   that it does not keep the port open, a pthread_atfork() child handler closes the listening
 *   socket in every child.
 * - GET and HEAD of /metrics: 200 with the registry's text; other paths 404; other methods 405
 *   (with an Allow header). The answer is rendered afresh for every request.
 */
#include "metrics_http.h"

#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/arena.h"
#include "common/strbuf.h"

struct eddy_metrics_http {
    struct MHD_Daemon *d; /* the server */
    eddy_metrics *reg;    /* what it serves */
    int port;             /* the port it listens on */
    char host[300];       /* the address for a URL */
};

/* The listening socket of the running server, for the fork handler (-1: none). */
static volatile int listen_fd = -1;
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

static void close_in_child(void)
{
    if (listen_fd >= 0) close(listen_fd);
    listen_fd = -1;
}

static void install_atfork(void)
{
    pthread_atfork(NULL, NULL, close_in_child);
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *type,
                             char *body, size_t len, bool allow)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        free(body);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    if (allow) MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

static char *text_copy(const char *s, size_t *len)
{
    *len = strlen(s);
    return eddy_xstrdup(s);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
    eddy_metrics_http *h = cls;
    size_t len;
    if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0) {
        /* a body, if any, is not read: the answer goes out at once */
        char *body = text_copy("method not allowed: GET /metrics\n", &len);
        return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain; charset=utf-8", body, len, true);
    }
    if (strcmp(url, "/metrics") != 0) {
        char *body = text_copy("not found: eddy serves its metrics at /metrics\n", &len);
        return reply(c, MHD_HTTP_NOT_FOUND, "text/plain; charset=utf-8", body, len, false);
    }
    eddy_strbuf text = {0};
    eddy_metrics_render(h->reg, &text);
    len = text.n;
    char *body = eddy_strbuf_take(&text);
    return reply(c, MHD_HTTP_OK, EDDY_METRICS_CONTENT_TYPE, body, len, false);
}

/* A socket listening on address:port (O_NONBLOCK, close-on-exec); -1 with err set. */
static int listen_on(const char *address, int port, eddy_error *err)
{
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    char serv[16];
    snprintf(serv, sizeof serv, "%d", port);
    int gai = getaddrinfo(address, serv, &hints, &res);
    if (gai != 0) {
        eddy_error_set(err, EDDY_EIO, 0, 0,
                       "metrics: cannot listen on '%s' ('eddy.metrics.address'): %s", address,
                       gai_strerror(gai));
        return -1;
    }
    int fd = -1, e = 0;
    for (struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
        if (fd < 0) {
            e = errno;
            continue;
        }
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, 64) != 0) {
            e = errno;
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    if (fd < 0)
        eddy_error_set(err, EDDY_EIO, 0, 0,
                       "metrics: cannot listen on %s port %d: %s (give another --metrics-port, "
                       "or 0 for a free one)",
                       address, port, strerror(e));
    return fd;
}

static int bound_port(int fd)
{
    struct sockaddr_storage ss;
    socklen_t n = sizeof ss;
    if (getsockname(fd, (struct sockaddr *)&ss, &n) != 0) return -1;
    char serv[16];
    if (getnameinfo((struct sockaddr *)&ss, n, NULL, 0, serv, sizeof serv, NI_NUMERICSERV) != 0)
        return -1;
    return atoi(serv);
}

int eddy_metrics_http_start(eddy_metrics *reg, const char *address, int port,
                            eddy_metrics_http **out, eddy_error *err)
{
    *out = NULL;
    if (!address || !*address) address = "127.0.0.1";
    pthread_once(&atfork_once, install_atfork);
    int fd = listen_on(address, port, err);
    if (fd < 0) return EDDY_EIO;
    eddy_metrics_http *h = eddy_xcalloc(1, sizeof *h);
    h->reg = reg;
    h->port = bound_port(fd);
    snprintf(h->host, sizeof h->host, strchr(address, ':') ? "[%s]" : "%s", address);
    /* the server's thread inherits this mask: stop signals stay with the shell's threads */
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    h->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, on_request, h,
                            MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_CONNECTION_TIMEOUT,
                            (unsigned int)10, MHD_OPTION_CONNECTION_LIMIT, (unsigned int)64,
                            MHD_OPTION_END);
    int e = errno;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (!h->d) {
        close(fd);
        free(h);
        return eddy_error_set(err, EDDY_EIO, 0, 0,
                              "metrics: the HTTP server on %s port %d did not start (%s)",
                              address, port, e ? strerror(e) : "libmicrohttpd refused");
    }
    listen_fd = fd;
    *out = h;
    return 0;
}

int eddy_metrics_http_port(const eddy_metrics_http *h)
{
    return h->port;
}

const char *eddy_metrics_http_host(const eddy_metrics_http *h)
{
    return h->host;
}

void eddy_metrics_http_stop(eddy_metrics_http *h)
{
    if (!h) return;
    listen_fd = -1;
    MHD_stop_daemon(h->d); /* closes the listening socket */
    free(h);
}
