/*
 * cmd_kafka_mock.c: `eddy kafka-mock [--brokers N] [--topic NAME:PARTITIONS]... [--port P]`:
 * a local Kafka cluster for trying eddy out and for tests, with no broker installed.
 *
 * It is librdkafka's own mock cluster (rdkafka_mock.h), which speaks the Kafka protocol over TCP
 * on 127.0.0.1: a producer handle is created only to own it (it sends nothing), the topics asked
 * for are created, and the bootstrap address ("127.0.0.1:PORT", a comma-separated list with
 * several brokers) is printed as the first line of stdout and flushed, so a script can read it.
 * Then the process waits for SIGINT or SIGTERM and exits 0 after destroying the cluster.
 *
 * Control on stdin (for tests of broker failures, and for trying them by hand): while it runs,
 * the mock reads commands from stdin, one per line, and answers each with one line on stdout
 * that starts with "ok " or "error ":
 *   down ID|all              the broker stops serving: connections closed, no new ones
 *                            (rd_kafka_mock_broker_set_down; partition leaders do not move)
 *   up ID|all                it serves again (rd_kafka_mock_broker_set_up)
 *   create NAME PARTITIONS   creates a topic (replicas: min(brokers, 3), as --topic)
 *   leader TOPIC PARTITION ID  makes broker ID the leader of a partition of a topic made by
 *                            --topic or create (rd_kafka_mock_partition_set_leader)
 *   status                   "ok brokers=3 up=1,3 down=2 topics=ev:4,out:1" (the topics made by
 *                            --topic and create; not those a client made by asking for them)
 *   help                     the list of commands
 * Blank lines and lines starting with '#' get no answer. Broker ids are 1..N, as the mock
 * numbers them.
 *
 * Rules of the control:
 * - It runs on a thread of its own, which polls stdin and a wake pipe (so the main thread can
 *   stop it at shutdown) and reads whole lines itself (no stdio on stdin). EOF on stdin ends
 *   the reading, not the mock: `eddy kafka-mock &` in a script (stdin /dev/null) keeps running
 *   until a signal, as before.
 * - A background job of an interactive shell must not be stopped by reading the terminal, so
 *   SIGTTIN is ignored: such a read fails with EIO instead, and the thread tries again a second
 *   later (the job may be brought to the foreground with `fg`).
 * - Only the control thread writes to stdout once the address is printed, and it flushes every
 *   answer; its state (which brokers are down, the topics) is its own. A broker that is down
 *   refuses connections, so the --port relay simply connects a new client to the next one.
 *
 * Rules:
 * - SIGINT and SIGTERM are blocked before librdkafka starts its threads, so every thread inherits
 *   the mask and the main thread takes them with sigwait(): no handler runs inside librdkafka.
 * - Usage errors (a bad --topic, --brokers out of range, an unknown option) print what to do
 *   and exit 2; a cluster that cannot be set up exits 3.
 * - --port P: librdkafka 2.0.2's mock binds every broker to a free port of its own choosing and
 *   has no setting or call to pick one, so eddy listens on 127.0.0.1:P itself and relays each
 *   connection to a broker of the mock (the first that accepts), byte for byte. That is enough
 *   for a fixed bootstrap address: a client learns the brokers' own addresses from the metadata
 *   it asks for through P and then connects to them directly. The relay is hand-written (a
 *   poll() loop on one thread, below) because no library here does it; it understands nothing
 *   of Kafka. A port in use is a usage error (exit 2), found before the cluster starts.
 * - Nothing in eddy depends on this mock: the connectors are clients of any Kafka cluster.
 *   The mock's known limits are in docs/connectors/kafka.md.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cli.h"

#define MAX_BROKERS 32       /* more is no use on one machine */
#define MAX_PARTITIONS 10000 /* per topic */
#define MAX_TOPIC_NAME 249   /* Kafka's limit */

/* One --topic NAME:PARTITIONS. */
typedef struct mock_topic {
    char zName[MAX_TOPIC_NAME + 1]; /* the topic's name */
    int nPartition;                 /* its partition count */
} mock_topic;

/* What the command line asked for. */
typedef struct mock_args {
    int nBroker;        /* --brokers N (default 1) */
    mock_topic *aTopic; /* --topic values, in order (malloc'd) */
    int nTopic;         /* number of them */
    int port;           /* --port P, or 0 for the mock's own ports */
    bool help;          /* --help or -h was given */
} mock_args;

/* Reads a decimal integer in [lo, hi] from z (all of it); returns 0, or -1 when it is not one. */
static int read_int(const char *z, long lo, long hi, int *out)
{
    if (!*z || *z == '+' || *z == '-') return -1;
    errno = 0;
    char *end;
    long v = strtol(z, &end, 10);
    if (errno != 0 || *end || v < lo || v > hi) return -1;
    *out = (int)v;
    return 0;
}

/* A topic name Kafka accepts: 1-249 of [a-zA-Z0-9._-], neither "." nor "..". */
static bool valid_topic_name(const char *z, size_t n)
{
    if (n == 0 || n > MAX_TOPIC_NAME) return false;
    if ((n == 1 && z[0] == '.') || (n == 2 && z[0] == '.' && z[1] == '.')) return false;
    for (size_t i = 0; i < n; i++) {
        char c = z[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == '-';
        if (!ok) return false;
    }
    return true;
}

/* Adds one --topic value "NAME:PARTITIONS"; returns 0 or a usage error. */
static int add_topic(mock_args *a, const char *z)
{
    const char *colon = strrchr(z, ':');
    if (!colon)
        return eddy_cli_usage_error(
            "kafka-mock", "--topic needs NAME:PARTITIONS (e.g. --topic bids:4), got '%s'", z);
    size_t n = (size_t)(colon - z);
    if (!valid_topic_name(z, n))
        return eddy_cli_usage_error("kafka-mock",
                                    "--topic '%s': a topic name is 1 to %d of the characters "
                                    "a-z A-Z 0-9 . _ - (and not '.' or '..')",
                                    z, MAX_TOPIC_NAME);
    int nPartition;
    if (read_int(colon + 1, 1, MAX_PARTITIONS, &nPartition) != 0)
        return eddy_cli_usage_error("kafka-mock",
                                    "--topic '%s': PARTITIONS must be a whole number from 1 to %d",
                                    z, MAX_PARTITIONS);
    for (int i = 0; i < a->nTopic; i++) {
        if (strlen(a->aTopic[i].zName) == n && memcmp(a->aTopic[i].zName, z, n) == 0)
            return eddy_cli_usage_error("kafka-mock", "--topic '%.*s' is given twice; give it once",
                                        (int)n, z);
    }
    mock_topic *p = realloc(a->aTopic, sizeof *p * (size_t)(a->nTopic + 1));
    if (!p) {
        fputs("eddy: out of memory reading the topics\n", stderr);
        return EDDY_EXIT_RUNTIME;
    }
    a->aTopic = p;
    memcpy(p[a->nTopic].zName, z, n);
    p[a->nTopic].zName[n] = 0;
    p[a->nTopic].nPartition = nPartition;
    a->nTopic++;
    return 0;
}

/* If argv[*i] is option `name` ("--name V" or "--name=V"), sets *value (advancing *i past a
 * separate value) and returns 1. Returns 0 when argv[*i] is another option, and prints a usage
 * error and returns EDDY_EXIT_USAGE (2) when the value is missing. */
static int option_value(int argc, char **argv, int *i, const char *name, const char **value)
{
    const char *arg = argv[*i];
    size_t n = strlen(name);
    if (strncmp(arg, name, n) != 0) return 0;
    if (arg[n] == '=') {
        *value = arg + n + 1;
        return 1;
    }
    if (arg[n] != 0) return 0;
    if (*i + 1 >= argc)
        return eddy_cli_usage_error("kafka-mock", "%s needs a value after it", name);
    *value = argv[++*i];
    return 1;
}

/* Reads the command line into a; returns 0 or an exit code (the error is printed). */
static int read_args(int argc, char **argv, mock_args *a)
{
    memset(a, 0, sizeof *a);
    a->nBroker = 1;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *value = NULL;
        int rc;
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            a->help = true;
        } else if ((rc = option_value(argc, argv, &i, "--brokers", &value)) != 0) {
            if (rc != 1) return rc;
            if (read_int(value, 1, MAX_BROKERS, &a->nBroker) != 0)
                return eddy_cli_usage_error("kafka-mock",
                                            "--brokers must be a whole number from 1 to %d, "
                                            "got '%s'",
                                            MAX_BROKERS, value);
        } else if ((rc = option_value(argc, argv, &i, "--topic", &value)) != 0) {
            if (rc != 1) return rc;
            rc = add_topic(a, value);
            if (rc != 0) return rc;
        } else if ((rc = option_value(argc, argv, &i, "--port", &value)) != 0) {
            if (rc != 1) return rc;
            if (read_int(value, 1, 65535, &a->port) != 0)
                return eddy_cli_usage_error("kafka-mock",
                                            "--port must be a port number from 1 to 65535, got "
                                            "'%s'",
                                            value);
        } else {
            return eddy_cli_usage_error("kafka-mock", "'kafka-mock' has no option '%s'", arg);
        }
    }
    return 0;
}

/* ---- the --port relay ------------------------------------------------------------------ */

#define RELAY_MAX_CONN 64     /* clients at once; more are closed at once (they retry) */
#define RELAY_BUF (64 * 1024) /* bytes in flight per direction */

/* One relayed connection: side 0 is the client, side 1 the mock's broker; aBuf[s] holds what
 * was read from side s and is not yet written to the other side. */
typedef struct relay_conn {
    int aFd[2];     /* client, broker; -1 when the slot is free */
    char *aBuf[2];  /* RELAY_BUF bytes each */
    size_t nBuf[2]; /* bytes waiting in aBuf[s] */
    size_t iBuf[2]; /* of which the first iBuf[s] are already written */
} relay_conn;

/* The relay: a listening socket on 127.0.0.1:port and the thread that serves it. */
typedef struct relay {
    int fdListen;                     /* bound and listening before the cluster starts */
    int aWake[2];                     /* a pipe: a byte written to aWake[1] stops the thread */
    int aPort[MAX_BROKERS];           /* the mock's brokers' ports, tried in order */
    int nPort;                        /* how many */
    relay_conn aConn[RELAY_MAX_CONN]; /* the connections */
    pthread_t thread;                 /* runs relay_main */
} relay;

/* Binds and listens on 127.0.0.1:port; returns 0, or a usage error when the port is taken. */
static int relay_listen(relay *r, int port)
{
    memset(r, 0, sizeof *r);
    r->fdListen = r->aWake[0] = r->aWake[1] = -1;
    for (int i = 0; i < RELAY_MAX_CONN; i++)
        r->aConn[i].aFd[0] = r->aConn[i].aFd[1] = -1;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        perror("eddy: kafka-mock: socket");
        return EDDY_EXIT_RUNTIME;
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(fd, 64) != 0) {
        int e = errno;
        close(fd);
        if (e == EADDRINUSE || e == EACCES)
            return eddy_cli_usage_error("kafka-mock",
                                        "--port %d: cannot listen on 127.0.0.1:%d (%s); pick "
                                        "another port, or leave --port out for a free one",
                                        port, port, strerror(e));
        fprintf(stderr, "eddy: kafka-mock: cannot listen on 127.0.0.1:%d: %s\n", port, strerror(e));
        return EDDY_EXIT_RUNTIME;
    }
    r->fdListen = fd;
    return 0;
}

static void conn_close(relay_conn *c)
{
    for (int s = 0; s < 2; s++) {
        if (c->aFd[s] >= 0) close(c->aFd[s]);
        c->aFd[s] = -1;
        free(c->aBuf[s]);
        c->aBuf[s] = NULL;
        c->nBuf[s] = c->iBuf[s] = 0;
    }
}

/* A new socket connected to the first broker of the mock that accepts, or -1 (a broker that is
 * down refuses connections: its listening socket is closed). */
static int connect_broker(const relay *r)
{
    for (int i = 0; i < r->nPort; i++) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) return -1;
        struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)r->aPort[i])};
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0) return fd;
        close(fd);
    }
    return -1;
}

/* Accepts one client and pairs it with a broker connection (or closes it). */
static void relay_accept(relay *r)
{
    int fd = accept4(r->fdListen, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;
    relay_conn *c = NULL;
    for (int i = 0; i < RELAY_MAX_CONN && !c; i++)
        if (r->aConn[i].aFd[0] < 0) c = &r->aConn[i];
    int up = c ? connect_broker(r) : -1;
    char *b0 = up >= 0 ? malloc(RELAY_BUF) : NULL, *b1 = b0 ? malloc(RELAY_BUF) : NULL;
    if (!b1) {
        free(b0);
        if (up >= 0) close(up);
        close(fd);
        return;
    }
    fcntl(up, F_SETFL, fcntl(up, F_GETFL) | O_NONBLOCK);
    c->aFd[0] = fd;
    c->aFd[1] = up;
    c->aBuf[0] = b0;
    c->aBuf[1] = b1;
}

/* Moves what poll() allows on connection c; closes it at an end or an error of either side. */
static void relay_pump(relay_conn *c, const struct pollfd *aPoll)
{
    for (int s = 0; s < 2; s++) {
        short ev = aPoll[s].revents;
        if (ev & (POLLERR | POLLNVAL)) {
            conn_close(c);
            return;
        }
        int o = 1 - s; /* the other side: what was read from it is written to s */
        if ((ev & POLLOUT) && c->iBuf[o] < c->nBuf[o]) {
            ssize_t w =
                send(c->aFd[s], c->aBuf[o] + c->iBuf[o], c->nBuf[o] - c->iBuf[o], MSG_NOSIGNAL);
            if (w < 0 && errno != EAGAIN && errno != EINTR) {
                conn_close(c);
                return;
            }
            if (w > 0) c->iBuf[o] += (size_t)w;
            if (c->iBuf[o] == c->nBuf[o]) c->iBuf[o] = c->nBuf[o] = 0;
        }
        if ((ev & (POLLIN | POLLHUP)) && c->nBuf[s] == 0) {
            ssize_t n = read(c->aFd[s], c->aBuf[s], RELAY_BUF);
            if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
                conn_close(c); /* Kafka is request/response: a half-closed side ends the talk */
                return;
            }
            if (n > 0) c->nBuf[s] = (size_t)n;
        }
    }
}

static void *relay_main(void *arg)
{
    relay *r = arg;
    struct pollfd aPoll[2 + 2 * RELAY_MAX_CONN];
    for (;;) {
        aPoll[0] = (struct pollfd){.fd = r->aWake[0], .events = POLLIN};
        aPoll[1] = (struct pollfd){.fd = r->fdListen, .events = POLLIN};
        for (int i = 0; i < RELAY_MAX_CONN; i++) {
            relay_conn *c = &r->aConn[i];
            for (int s = 0; s < 2; s++) {
                struct pollfd *p = &aPoll[2 + 2 * i + s];
                p->fd = c->aFd[s]; /* -1: poll() skips it */
                p->events = 0;
                p->revents = 0;
                if (c->aFd[s] < 0) continue;
                if (c->nBuf[s] == 0) p->events |= POLLIN;
                if (c->nBuf[1 - s] > c->iBuf[1 - s]) p->events |= POLLOUT;
            }
        }
        if (poll(aPoll, 2 + 2 * RELAY_MAX_CONN, -1) < 0) {
            if (errno == EINTR) continue;
            perror("eddy: kafka-mock: the --port relay stops: poll");
            break;
        }
        if (aPoll[0].revents) break;
        for (int i = 0; i < RELAY_MAX_CONN; i++)
            if (r->aConn[i].aFd[0] >= 0) relay_pump(&r->aConn[i], &aPoll[2 + 2 * i]);
        if (aPoll[1].revents & POLLIN) relay_accept(r);
    }
    return NULL;
}

/* Starts the relay thread towards the brokers of bootstraps ("127.0.0.1:P1,127.0.0.1:P2");
 * returns 0 or EDDY_EXIT_RUNTIME (printed). */
static int relay_start(relay *r, const char *bootstraps)
{
    for (const char *z = bootstraps; z && *z && r->nPort < MAX_BROKERS;) {
        const char *colon = strchr(z, ':');
        if (!colon) break;
        r->aPort[r->nPort++] = atoi(colon + 1);
        z = strchr(colon, ',');
        if (z) z++;
    }
    if (r->nPort == 0) {
        fprintf(stderr, "eddy: kafka-mock: cannot read the mock's address '%s'\n", bootstraps);
        return EDDY_EXIT_RUNTIME;
    }
    if (pipe2(r->aWake, O_CLOEXEC) != 0) {
        perror("eddy: kafka-mock: pipe");
        return EDDY_EXIT_RUNTIME;
    }
    int e = pthread_create(&r->thread, NULL, relay_main, r);
    if (e != 0) {
        fprintf(stderr, "eddy: kafka-mock: cannot start the --port relay: %s\n", strerror(e));
        close(r->aWake[0]);
        close(r->aWake[1]);
        r->aWake[0] = r->aWake[1] = -1;
        return EDDY_EXIT_RUNTIME;
    }
    return 0;
}

/* Stops the thread (when started) and closes everything; a second call does nothing. */
static void relay_stop(relay *r)
{
    if (r->aWake[1] >= 0) {
        char b = 0;
        while (write(r->aWake[1], &b, 1) < 0 && errno == EINTR) {
        }
        pthread_join(r->thread, NULL);
        close(r->aWake[0]);
        close(r->aWake[1]);
        r->aWake[0] = r->aWake[1] = -1;
    }
    for (int i = 0; i < RELAY_MAX_CONN; i++)
        conn_close(&r->aConn[i]);
    if (r->fdListen >= 0) close(r->fdListen);
    r->fdListen = -1;
}

/* ---- the control on stdin --------------------------------------------------------------- */

#define CTL_LINE 1024 /* longest command line; a longer one is answered with an error */

/* The control: the cluster it drives, what it knows of it, and its thread. */
typedef struct mock_ctl {
    rd_kafka_mock_cluster_t *mc; /* the cluster (owned by serve()) */
    int nBroker;                 /* brokers 1..nBroker */
    bool aDown[MAX_BROKERS];     /* broker id - 1 is down (as told by the control) */
    mock_topic *aTopic;          /* the topics made by --topic and create (malloc'd) */
    int nTopic;                  /* number of them */
    int aWake[2];                /* a pipe: a byte written to aWake[1] stops the thread */
    pthread_t thread;            /* runs ctl_main */
    bool started;                /* the thread runs (ctl_stop joins it) */
    char zLine[CTL_LINE + 1];    /* the line being read */
    size_t nLine;                /* bytes of it so far */
    bool tooLong;                /* the line outgrew zLine: answered with an error at its end */
} mock_ctl;

/* Writes one answer line to stdout and flushes it. */
__attribute__((format(printf, 1, 2))) static void ctl_answer(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    fflush(stdout);
}

/* Reads a broker id (1..nBroker) or "all" (-1) into *id; returns 0, or -1 after answering. */
static int ctl_broker(const mock_ctl *c, const char *cmd, const char *z, int *id)
{
    if (z && strcmp(z, "all") == 0) {
        *id = -1;
        return 0;
    }
    if (!z || read_int(z, 1, c->nBroker, id) != 0) {
        ctl_answer("error %s: broker id must be 1 to %d or 'all', got '%s'", cmd, c->nBroker,
                   z ? z : "");
        return -1;
    }
    return 0;
}

/* down ID|all, up ID|all */
static void ctl_updown(mock_ctl *c, bool down, const char *zId)
{
    const char *cmd = down ? "down" : "up";
    int id;
    if (ctl_broker(c, cmd, zId, &id) != 0) return;
    /* one broker at a time, also for "all", so that aDown follows each call that succeeded */
    for (int b = id < 0 ? 1 : id; b <= (id < 0 ? c->nBroker : id); b++) {
        rd_kafka_resp_err_t err =
            down ? rd_kafka_mock_broker_set_down(c->mc, b) : rd_kafka_mock_broker_set_up(c->mc, b);
        if (err) {
            ctl_answer("error %s %d: %s", cmd, b, rd_kafka_err2str(err));
            return;
        }
        c->aDown[b - 1] = down;
    }
    if (id < 0)
        ctl_answer("ok all %d brokers %s", c->nBroker, cmd);
    else
        ctl_answer("ok broker %d %s", id, cmd);
}

/* create NAME PARTITIONS */
static void ctl_create(mock_ctl *c, const char *zName, const char *zPart)
{
    int nPartition;
    if (!zName || !zPart) {
        ctl_answer("error create needs NAME PARTITIONS (e.g. 'create bids 4')");
        return;
    }
    size_t n = strlen(zName);
    if (!valid_topic_name(zName, n)) {
        ctl_answer("error create %s: a topic name is 1 to %d of the characters a-z A-Z 0-9 . _ - "
                   "(and not '.' or '..')",
                   zName, MAX_TOPIC_NAME);
        return;
    }
    if (read_int(zPart, 1, MAX_PARTITIONS, &nPartition) != 0) {
        ctl_answer("error create %s: PARTITIONS must be a whole number from 1 to %d, got '%s'",
                   zName, MAX_PARTITIONS, zPart);
        return;
    }
    for (int i = 0; i < c->nTopic; i++)
        if (strcmp(c->aTopic[i].zName, zName) == 0) {
            ctl_answer("error create %s: topic '%s' exists already (%d partitions)", zName, zName,
                       c->aTopic[i].nPartition);
            return;
        }
    mock_topic *p = realloc(c->aTopic, sizeof *p * (size_t)(c->nTopic + 1));
    if (!p) {
        ctl_answer("error create %s: out of memory", zName);
        return;
    }
    c->aTopic = p;
    int nReplica = c->nBroker < 3 ? c->nBroker : 3;
    rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(c->mc, zName, nPartition, nReplica);
    if (err) {
        ctl_answer("error create %s: %s", zName, rd_kafka_err2str(err));
        return;
    }
    memcpy(p[c->nTopic].zName, zName, n + 1);
    p[c->nTopic].nPartition = nPartition;
    c->nTopic++;
    ctl_answer("ok topic %s created with %d partitions", zName, nPartition);
}

/* leader TOPIC PARTITION ID */
static void ctl_leader(mock_ctl *c, const char *zTopic, const char *zPart, const char *zId)
{
    int part, id;
    if (!zTopic || !zPart || !zId) {
        ctl_answer("error leader needs TOPIC PARTITION BROKER (e.g. 'leader bids 0 2')");
        return;
    }
    const mock_topic *t = NULL;
    for (int i = 0; i < c->nTopic && !t; i++)
        if (strcmp(c->aTopic[i].zName, zTopic) == 0) t = &c->aTopic[i];
    if (!t) {
        /* the mock would make the topic, with its default partitions: refuse that surprise */
        ctl_answer("error leader %s: no topic '%s' was made by --topic or create; create it "
                   "first",
                   zTopic, zTopic);
        return;
    }
    if (read_int(zPart, 0, t->nPartition - 1, &part) != 0) {
        ctl_answer("error leader %s: partition must be 0 to %d, got '%s'", zTopic,
                   t->nPartition - 1, zPart);
        return;
    }
    if (read_int(zId, 1, c->nBroker, &id) != 0) {
        ctl_answer("error leader: broker id must be 1 to %d, got '%s'", c->nBroker, zId);
        return;
    }
    rd_kafka_resp_err_t err = rd_kafka_mock_partition_set_leader(c->mc, zTopic, part, id);
    if (err)
        ctl_answer("error leader %s %d %d: %s", zTopic, part, id, rd_kafka_err2str(err));
    else
        ctl_answer("ok topic %s partition %d leader %d", zTopic, part, id);
}

/* status: "ok brokers=3 up=1,3 down=2 topics=ev:4,out:1" */
static void ctl_status(const mock_ctl *c)
{
    printf("ok brokers=%d", c->nBroker);
    for (int down = 0; down < 2; down++) {
        printf(" %s=", down ? "down" : "up");
        int n = 0;
        for (int b = 0; b < c->nBroker; b++)
            if (c->aDown[b] == (down != 0)) printf("%s%d", n++ ? "," : "", b + 1);
    }
    printf(" topics=");
    for (int i = 0; i < c->nTopic; i++)
        printf("%s%s:%d", i ? "," : "", c->aTopic[i].zName, c->aTopic[i].nPartition);
    ctl_answer("%s", "");
}

/* Runs one command line (NUL-terminated, without its newline). */
static void ctl_command(mock_ctl *c, char *zLine)
{
    zLine += strspn(zLine, " \t\r");
    if (zLine[0] == '#') return; /* a comment, whatever it holds */
    char *aTok[5] = {0};
    int nTok = 0;
    char *save = NULL;
    for (char *t = strtok_r(zLine, " \t\r", &save); t; t = strtok_r(NULL, " \t\r", &save)) {
        if (nTok == 5) {
            ctl_answer("error too many words in '%s ...'; try 'help'", aTok[0]);
            return;
        }
        aTok[nTok++] = t;
    }
    if (nTok == 0) return;
    const char *cmd = aTok[0];
    int nArg = strcmp(cmd, "down") == 0 || strcmp(cmd, "up") == 0       ? 1
               : strcmp(cmd, "create") == 0                             ? 2
               : strcmp(cmd, "leader") == 0                             ? 3
               : strcmp(cmd, "status") == 0 || strcmp(cmd, "help") == 0 ? 0
                                                                        : -1;
    if (nArg < 0) {
        ctl_answer("error unknown command '%s'; commands: down ID|all, up ID|all, create NAME "
                   "PARTITIONS, leader TOPIC PARTITION ID, status, help",
                   cmd);
    } else if (nTok - 1 > nArg) {
        ctl_answer("error %s takes %d argument%s, got %d; try 'help'", cmd, nArg,
                   nArg == 1 ? "" : "s", nTok - 1);
    } else if (strcmp(cmd, "down") == 0 || strcmp(cmd, "up") == 0) {
        ctl_updown(c, cmd[0] == 'd', aTok[1]);
    } else if (strcmp(cmd, "create") == 0) {
        ctl_create(c, aTok[1], aTok[2]);
    } else if (strcmp(cmd, "leader") == 0) {
        ctl_leader(c, aTok[1], aTok[2], aTok[3]);
    } else if (strcmp(cmd, "status") == 0) {
        ctl_status(c);
    } else {
        ctl_answer("ok commands: down ID|all, up ID|all, create NAME PARTITIONS, leader TOPIC "
                   "PARTITION ID, status, help (broker ids 1..%d)",
                   c->nBroker);
    }
}

/* Takes the bytes of one read(): runs each complete line. */
static void ctl_take(mock_ctl *c, const char *buf, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (buf[i] != '\n') {
            if (c->nLine < CTL_LINE)
                c->zLine[c->nLine++] = buf[i];
            else
                c->tooLong = true;
            continue;
        }
        c->zLine[c->nLine] = 0;
        if (c->tooLong)
            ctl_answer("error a command line is at most %d bytes", CTL_LINE);
        else
            ctl_command(c, c->zLine);
        c->nLine = 0;
        c->tooLong = false;
    }
}

static void *ctl_main(void *arg)
{
    mock_ctl *c = arg;
    char buf[4096];
    for (;;) {
        struct pollfd aPoll[2] = {{.fd = c->aWake[0], .events = POLLIN},
                                  {.fd = STDIN_FILENO, .events = POLLIN}};
        if (poll(aPoll, 2, -1) < 0) {
            if (errno == EINTR) continue;
            break;
        }
        if (aPoll[0].revents) break;
        if (aPoll[1].revents & POLLNVAL) break; /* stdin closed */
        if (!aPoll[1].revents) continue;
        ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
        if (n > 0) {
            ctl_take(c, buf, (size_t)n);
        } else if (n == 0) {
            if (c->nLine > 0) ctl_take(c, "\n", 1); /* a last line without its newline */
            break;                                  /* EOF: the mock goes on */
        } else if (errno == EIO) {
            /* a background job reading its terminal (SIGTTIN ignored): try again later */
            struct pollfd w = {.fd = c->aWake[0], .events = POLLIN};
            if (poll(&w, 1, 1000) > 0) break;
        } else if (errno != EINTR && errno != EAGAIN) {
            break;
        }
    }
    return NULL;
}

/* Starts the control thread; returns 0, or -1 when it cannot (the mock then runs without it,
 * as told on stderr). */
static int ctl_start(mock_ctl *c)
{
    if (pipe2(c->aWake, O_CLOEXEC) != 0) {
        perror("eddy: kafka-mock: no control on stdin: pipe");
        return -1;
    }
    signal(SIGTTIN, SIG_IGN); /* a background job's read of the terminal fails, not stops */
    int e = pthread_create(&c->thread, NULL, ctl_main, c);
    if (e != 0) {
        fprintf(stderr, "eddy: kafka-mock: no control on stdin: %s\n", strerror(e));
        close(c->aWake[0]);
        close(c->aWake[1]);
        return -1;
    }
    c->started = true;
    return 0;
}

/* Stops the control thread (when started). */
static void ctl_stop(mock_ctl *c)
{
    if (!c->started) return;
    char b = 0;
    while (write(c->aWake[1], &b, 1) < 0 && errno == EINTR) {
    }
    pthread_join(c->thread, NULL);
    close(c->aWake[0]);
    close(c->aWake[1]);
    c->started = false;
}

/* librdkafka's log lines, on stderr with eddy's prefix (only warnings and worse: see below). */
static void log_line(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
    fprintf(stderr, "eddy kafka-mock: librdkafka %s: %s\n", fac, buf);
}

/* Creates the cluster and its topics, starts the relay r (with --port: r is listening), prints
 * the address, waits for a signal. */
static int serve(const mock_args *a, relay *r)
{
    char errstr[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    /* the owning producer never connects to anything; its notice that it has no
     * bootstrap.servers would only confuse, so only warnings and errors are shown */
    if (rd_kafka_conf_set(conf, "log_level", "4", errstr, sizeof errstr) != RD_KAFKA_CONF_OK) {
        fprintf(stderr, "eddy: kafka-mock: %s\n", errstr);
        rd_kafka_conf_destroy(conf);
        return EDDY_EXIT_RUNTIME;
    }
    rd_kafka_conf_set_log_cb(conf, log_line);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    if (!rk) {
        fprintf(stderr, "eddy: kafka-mock: cannot create librdkafka's handle: %s\n", errstr);
        rd_kafka_conf_destroy(conf);
        return EDDY_EXIT_RUNTIME;
    }
    rd_kafka_mock_cluster_t *mc = rd_kafka_mock_cluster_new(rk, a->nBroker);
    if (!mc) {
        fprintf(stderr,
                "eddy: kafka-mock: librdkafka could not start a mock cluster of %d broker(s) "
                "(see its messages above; are loopback sockets allowed here?)\n",
                a->nBroker);
        rd_kafka_destroy(rk);
        return EDDY_EXIT_RUNTIME;
    }
    int rc = EDDY_EXIT_OK;
    mock_ctl *ctl = calloc(1, sizeof *ctl);
    if (!ctl) {
        fputs("eddy: kafka-mock: out of memory\n", stderr);
        rc = EDDY_EXIT_RUNTIME;
    } else {
        ctl->mc = mc;
        ctl->nBroker = a->nBroker;
        ctl->aWake[0] = ctl->aWake[1] = -1;
    }
    int nReplica = a->nBroker < 3 ? a->nBroker : 3;
    for (int i = 0; i < a->nTopic && rc == EDDY_EXIT_OK; i++) {
        rd_kafka_resp_err_t err =
            rd_kafka_mock_topic_create(mc, a->aTopic[i].zName, a->aTopic[i].nPartition, nReplica);
        if (err) {
            fprintf(stderr, "eddy: kafka-mock: cannot create topic '%s' (%d partitions): %s\n",
                    a->aTopic[i].zName, a->aTopic[i].nPartition, rd_kafka_err2str(err));
            rc = EDDY_EXIT_RUNTIME;
        }
    }
    if (rc == EDDY_EXIT_OK && a->nTopic > 0) {
        ctl->aTopic = malloc(sizeof *ctl->aTopic * (size_t)a->nTopic);
        if (ctl->aTopic) {
            memcpy(ctl->aTopic, a->aTopic, sizeof *ctl->aTopic * (size_t)a->nTopic);
            ctl->nTopic = a->nTopic;
        }
    }
    if (rc == EDDY_EXIT_OK && a->port) rc = relay_start(r, rd_kafka_mock_cluster_bootstraps(mc));
    if (rc == EDDY_EXIT_OK) {
        if (a->port)
            printf("127.0.0.1:%d\n", a->port);
        else
            printf("%s\n", rd_kafka_mock_cluster_bootstraps(mc));
        if (fflush(stdout) != 0) {
            perror("eddy: kafka-mock: writing the bootstrap address");
            rc = EDDY_EXIT_RUNTIME;
        }
    }
    if (rc == EDDY_EXIT_OK) ctl_start(ctl); /* after the address: answers follow it on stdout */
    if (rc == EDDY_EXIT_OK) {
        sigset_t stop;
        sigemptyset(&stop);
        sigaddset(&stop, SIGINT);
        sigaddset(&stop, SIGTERM);
        int sig;
        while (sigwait(&stop, &sig) != 0) {
        }
    }
    if (ctl) {
        ctl_stop(ctl); /* before the cluster it drives goes */
        free(ctl->aTopic);
        free(ctl);
    }
    if (r) relay_stop(r); /* before the brokers it talks to go */
    rd_kafka_mock_cluster_destroy(mc);
    rd_kafka_destroy(rk);
    return rc;
}

int eddy_cmd_kafka_mock(int argc, char **argv)
{
    mock_args a;
    int rc = read_args(argc, argv, &a);
    relay *r = NULL;
    if (rc == 0 && a.help) {
        rc = eddy_cli_print_help("kafka-mock");
    } else if (rc == 0 && a.port) {
        r = malloc(sizeof *r);
        if (!r) {
            fputs("eddy: kafka-mock: out of memory\n", stderr);
            rc = EDDY_EXIT_RUNTIME;
        } else if ((rc = relay_listen(r, a.port)) != 0) {
            free(r);
            r = NULL;
        }
    }
    if (rc == 0 && !a.help) {
        /* blocked before librdkafka starts threads: they inherit it, sigwait() takes them */
        sigset_t stop, old;
        sigemptyset(&stop);
        sigaddset(&stop, SIGINT);
        sigaddset(&stop, SIGTERM);
        pthread_sigmask(SIG_BLOCK, &stop, &old);
        rc = serve(&a, r);
        pthread_sigmask(SIG_SETMASK, &old, NULL);
    }
    if (r) relay_stop(r); /* serve() stopped it already, unless it failed before the start */
    free(r);
    free(a.aTopic);
    return rc;
}
