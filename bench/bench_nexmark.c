/*
 * bench_nexmark.c: runs the published Nexmark queries through `eddy run` on one thread and
 * reports events per second and peak memory (ru_maxrss of the eddy process).
 *
 *     bench_nexmark [--eddy PATH] [--events N] [--nexmark DIR] [--checkpoint-interval MS]
 *                   [q0 q1 ... | NAME ...]
 *
 * A NAME that is not a file of the Nexmark folder is looked up in bench/sql/NAME.sql (queries
 * of eddy's own benchmarks over the same generator tables, e.g. tumble_distinct).
 * Without --checkpoint-interval the jobs run with --no-checkpoints (the throughput figures);
 * with it, each job checkpoints every MS milliseconds into a state directory under /tmp
 * (the cost-of-checkpointing figures of issue 4), and the checkpoint durations eddy reports
 * on stderr are summarized (count, p50, p99, last state size).
 *
 * Each query runs as the published files make it: ddl_gen.sql (the nexmark generator table),
 * ddl_views.sql (person, auction, bid) and qN.sql, with the placeholders filled as the Nexmark
 * benchmark fills them (TPS = 10,000,000, the published event mix 1:3:46) and the settings of
 * the Nexmark Flink configuration (mini-batch enabled: 'table.exec.mini-batch.enabled' = 'true'),
 * writing into the blackhole connector the queries declare. The clock covers the whole process:
 * parsing, planning, generating, and every operator.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    if (fread(s, 1, (size_t)n, f) != (size_t)n) n = 0;
    s[n] = 0;
    fclose(f);
    return s;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_ll(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return x < y ? -1 : x > y;
}

/* Summarizes the lines "eddy: checkpoint N: D ms, B bytes" that eddy writes with
 * EDDY_CHECKPOINT_LOG=1: count, p50 and p99 of D, the last B. */
static void print_checkpoints(const char *errfile)
{
    FILE *f = fopen(errfile, "r");
    if (!f) return;
    long long ms[4096], bytes = 0;
    int n = 0;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        long long id, d, b;
        if (sscanf(line, "eddy: checkpoint %lld: %lld ms, %lld bytes", &id, &d, &b) == 3) {
            if (n < 4096) ms[n++] = d;
            bytes = b;
        }
    }
    fclose(f);
    if (n == 0) {
        printf("   (no checkpoint reported)");
        return;
    }
    qsort(ms, (size_t)n, sizeof ms[0], cmp_ll);
    printf("   %d checkpoints, p50 %lld ms, p99 %lld ms, state %.1f MB", n, ms[n / 2],
           ms[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1], (double)bytes / 1e6);
}

int main(int argc, char **argv)
{
    const char *eddy = "shell/eddy";
    const char *dir = EDDY_SOURCE_DIR "/../shared/nexmark";
    long long events = 10000000;
    long long ckpt_ms = 0;
    const char *queries[64];
    int nq = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--eddy") && i + 1 < argc) eddy = argv[++i];
        else if (!strcmp(argv[i], "--events") && i + 1 < argc) events = atoll(argv[++i]);
        else if (!strcmp(argv[i], "--nexmark") && i + 1 < argc) dir = argv[++i];
        else if (!strcmp(argv[i], "--checkpoint-interval") && i + 1 < argc) ckpt_ms = atoll(argv[++i]);
        else if (nq < 64) queries[nq++] = argv[i];
    }
    static const char *defaults[] = {"q0", "q1", "q2", "q10", "q11", "q12",
                                     "q15", "q16", "q17", "q21", "q22"};
    if (nq == 0) {
        nq = (int)(sizeof defaults / sizeof defaults[0]);
        memcpy(queries, defaults, sizeof defaults);
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/ddl_gen.sql", dir);
    char *ddl = slurp(path);
    snprintf(path, sizeof path, "%s/ddl_views.sql", dir);
    char *views = slurp(path);
    if (!ddl || !views) {
        fprintf(stderr, "bench_nexmark: cannot read the Nexmark SQL in %s (--nexmark DIR)\n", dir);
        return 2;
    }
    char tmpdir[] = "/tmp/eddy-bench-XXXXXX";
    if (!mkdtemp(tmpdir)) return 2;

    printf("%-5s %12s %14s %12s\n", "query", "events", "events/s", "peak RSS MB");
    for (int q = 0; q < nq; q++) {
        snprintf(path, sizeof path, "%s/%s.sql", dir, queries[q]);
        char *body = slurp(path);
        if (!body) {
            snprintf(path, sizeof path, "%s/bench/sql/%s.sql", EDDY_SOURCE_DIR, queries[q]);
            body = slurp(path);
        }
        if (!body) {
            fprintf(stderr, "bench_nexmark: no %s\n", path);
            continue;
        }
        char file[4200];
        snprintf(file, sizeof file, "%s/%s.sql", tmpdir, queries[q]);
        FILE *f = fopen(file, "w");
        fprintf(f, "SET 'table.exec.mini-batch.enabled' = 'true';\n");
        if (ckpt_ms > 0) fprintf(f, "SET 'execution.checkpointing.interval' = '%lldms';\n", ckpt_ms);
        fprintf(f, "%s;\n%s;\n%s\n", ddl, views, body);
        fclose(f);
        free(body);

        char d_events[64], d_dir[4200];
        snprintf(d_events, sizeof d_events, "EVENTS_NUM=%lld", events);
        snprintf(d_dir, sizeof d_dir, "NEXMARK_DIR=%s", tmpdir);
        char d_state[4300], errfile[4300];
        snprintf(d_state, sizeof d_state, "%s/state-%s", tmpdir, queries[q]);
        snprintf(errfile, sizeof errfile, "%s/%s.stderr", tmpdir, queries[q]);
        char *args[] = {(char *)eddy, "run", "-D", "TPS=10000000", "-D", d_events,
                        "-D", "PERSON_PROPORTION=1", "-D", "AUCTION_PROPORTION=3",
                        "-D", "BID_PROPORTION=46", "-D", "NEXMARK_TABLE=datagen",
                        "-D", d_dir, "-D", "SUBMIT_TIME=bench",
                        ckpt_ms > 0 ? "--state-dir" : "--no-checkpoints",
                        ckpt_ms > 0 ? d_state : file, file, NULL};
        if (ckpt_ms <= 0) args[sizeof args / sizeof args[0] - 2] = NULL;
        double t0 = now_s();
        pid_t pid = fork();
        if (pid == 0) {
            setenv("EDDY_NO_STATUS", "1", 1);
            if (ckpt_ms > 0) {
                setenv("EDDY_CHECKPOINT_LOG", "1", 1);
                if (!freopen(errfile, "w", stderr)) _exit(126);
            }
            execv(eddy, args);
            fprintf(stderr, "bench_nexmark: cannot run %s: %s\n", eddy, strerror(errno));
            _exit(127);
        }
        int status = 0;
        struct rusage ru;
        wait4(pid, &status, 0, &ru);
        double secs = now_s() - t0;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            printf("%-5s failed (exit %d)\n", queries[q], WIFEXITED(status) ? WEXITSTATUS(status) : -1);
            continue;
        }
        printf("%-5s %12lld %14.0f %12.1f", queries[q], events, (double)events / secs,
               (double)ru.ru_maxrss / 1024.0);
        if (ckpt_ms > 0) print_checkpoints(errfile);
        printf("\n");
        fflush(stdout);
    }
    char cmd[4300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    if (system(cmd) != 0) fprintf(stderr, "bench_nexmark: could not remove %s\n", tmpdir);
    free(ddl);
    free(views);
    return 0;
}
