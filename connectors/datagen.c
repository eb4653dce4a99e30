/*
 * datagen.c: the 'datagen' source, Flink's random and sequence row generator.
 *
 *   CREATE TABLE orders (id BIGINT, price DOUBLE, buyer STRING, ts TIMESTAMP(3))
 *   WITH ('connector' = 'datagen', 'rows-per-second' = '100',
 *         'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '1000',
 *         'fields.price.min' = '1', 'fields.price.max' = '100', 'fields.buyer.length' = '8');
 *
 * Options (Flink's):
 *   'rows-per-second'      rows per second, default 10000, throttled by the wall clock; 0 (an
 *                          eddy extension) or 1e9 and more mean as fast as possible.
 *   'number-of-rows'       rows in all; the source ends after them (bounded). Without it the
 *                          source runs until stopped, unless a sequence field ends first.
 *   'fields.#.kind'        'random' (default) or 'sequence'.
 *   'fields.#.min'/'max'   bounds (inclusive) of random numbers; the type's range by default
 *                          (FLOAT and DOUBLE: [MIN_VALUE, MAX_VALUE] as Flink).
 *   'fields.#.length'      length of random strings and bytes (default 100, or CHAR(n) / a
 *                          shorter VARCHAR(n)); 'fields.#.var-len' = 'true' picks 1..length.
 *   'fields.#.start'/'end' the range of a sequence (both required); the source ends when the
 *                          first sequence is exhausted.
 *   'fields.#.max-past'    random TIMESTAMP/DATE values lie up to this far (a duration) before
 *                          the current time; default 0.
 *   'fields.#.null-rate'   the fraction of NULLs, 0..1 (default 0).
 *   'scan.parallelism'     accepted; eddy generates one split.
 * eddy extensions:
 *   'seed'                 makes every value deterministic: the same seed gives the same rows,
 *                          whatever the batch size and the columns a query reads (each value is
 *                          drawn from a stream of (seed, row number, column name)). Without a
 *                          seed the streams are seeded from the clock and the process id.
 *   'base-time'            with a seed, timestamps come from a virtual clock instead of the
 *                          wall clock (which no seed could make repeatable): row n's "current
 *                          time" is base-time + n * 1000 / rows-per-second ms (n ms when
 *                          unthrottled), base-time in epoch milliseconds, default 1577836800000
 *                          (2020-01-01 00:00:00). Without a seed, TIMESTAMP columns take the
 *                          current time (as Flink), minus a random max-past.
 * Random strings are lower-case hex digits, as Flink's nextHexString. ROW, ARRAY and MAP
 * columns are not generated (open fails naming the column).
 *
 * Position: the number of rows generated so far ("120"); a sequence value is start + row
 * number and every random value a function of (seed, row number, column), so a source that
 * seeks there goes on with exactly the rows that would have followed. Without a 'seed' the
 * position also carries the seed drawn at open ("120,<seed>") when some column is random,
 * and seek() takes it over: a recovered job then goes on with the same random values
 * (timestamps that follow the wall clock are the exception: they are the time of generation).
 * Pacing ('rows-per-second') restarts at seek().
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/arena.h"
#include "common/decimal.h"
#include "common/hash.h"
#include "common/timeutil.h"
#include "connectors/connectors.h"
#include "connectors/options.h"
#include "connectors/random.h"
#include "connectors/value_text.h"

#define NULL_TAG UINT64_C(0x6e756c6c)  /* stream for the null draw of a column */
#define UNLIMITED_RPS INT64_C(1000000000)

typedef struct dg_field {
    const char *name;       /* column name */
    eddy_cellfmt fmt;
    bool sequence;          /* kind = sequence */
    int64_t imin, imax;     /* INT, INTERVAL bounds */
    double dmin, dmax;      /* FLOAT, DOUBLE bounds */
    __int128 umin, umax;    /* DECIMAL unscaled bounds */
    int length;             /* strings, bytes */
    bool var_len;
    int64_t start, end;     /* sequence */
    int64_t max_past;       /* ms */
    double null_rate;
    uint64_t tag;           /* hash of the name: the column's random streams */
} dg_field;

typedef struct datagen {
    const char *table;
    int nfields;
    dg_field *f;
    uint64_t seed;
    bool seeded;            /* 'seed' given: virtual clock */
    int64_t base_time;
    int64_t rps;            /* rows per second, UNLIMITED_RPS = no throttle */
    uint64_t total;         /* rows to produce, UINT64_MAX = unbounded */
    uint64_t produced;      /* rows generated so far (the position) */
    int64_t t0;             /* monotonic ms when throttling started */
    uint64_t produced0;     /* produced at t0 */
    bool started;
    bool random;            /* some value depends on the seed (a random column, a null-rate) */
} datagen;

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A per-field option key: fields.<name>.<what>. */
static const char *fkey(char *buf, size_t n, const char *name, const char *what)
{
    snprintf(buf, n, "fields.%s.%s", name, what);
    return buf;
}

static int parse_dec_opt(const eddy_optset *o, const char *key, const dg_field *f, __int128 *out)
{
    const char *v = eddy_opt_str(o, key, NULL);
    if (eddy_dec_parse(v, strlen(v), f->fmt.precision, f->fmt.scale, out) != EDDY_DEC_OK)
        return eddy_error_set(o->err, EDDY_EUSAGE, 0, 0,
                              "option '%s' of connector 'datagen' must be a number that fits "
                              "DECIMAL(%d, %d), not '%s'",
                              key, f->fmt.precision, f->fmt.scale, v);
    return 0;
}

static int field_setup(const eddy_optset *o, dg_field *f, eddy_error *err)
{
    char k[300];
    static const char *const kinds[] = {"random", "sequence", NULL};
    int kind;
    const eddy_sqltype *t = f->fmt.type;
    if (eddy_opt_enum(o, fkey(k, sizeof k, f->name, "kind"), kinds, 0, &kind)) return err->code;
    f->sequence = kind == 1;
    if (f->fmt.kind == EDDY_CELL_NESTED)
        return eddy_error_set(err, EDDY_EUNSUPPORTED, 0, 0,
                              "connector 'datagen' cannot generate column '%s' of type %s yet",
                              f->name, f->fmt.type_name);
    if (eddy_opt_double(o, fkey(k, sizeof k, f->name, "null-rate"), 0, &f->null_rate))
        return err->code;
    if (f->null_rate < 0 || f->null_rate > 1)
        return eddy_error_set(err, EDDY_EUSAGE, 0, 0,
                              "option '%s' of connector 'datagen' must be between 0 and 1", k);
    if (eddy_opt_duration(o, fkey(k, sizeof k, f->name, "max-past"), 0, &f->max_past))
        return err->code;
    if (eddy_opt_bool(o, fkey(k, sizeof k, f->name, "var-len"), false, &f->var_len))
        return err->code;
    int deflen = 100;
    if ((t->kind == EDDY_TYPE_CHAR || t->kind == EDDY_TYPE_BINARY) && t->precision > 0)
        deflen = t->precision;
    else if (t->precision > 0 && t->precision < deflen &&
             (t->kind == EDDY_TYPE_VARCHAR || t->kind == EDDY_TYPE_VARBINARY))
        deflen = t->precision;
    int64_t len;
    if (eddy_opt_int(o, fkey(k, sizeof k, f->name, "length"), deflen, 0, 1 << 24, &len))
        return err->code;
    f->length = (int)len;

    if (f->sequence) {
        char ks[300], ke[300];
        const char *sv, *ev;
        if (eddy_opt_require(o, fkey(ks, sizeof ks, f->name, "start"), &sv) ||
            eddy_opt_require(o, fkey(ke, sizeof ke, f->name, "end"), &ev))
            return err->code;
        switch (f->fmt.kind) {
        case EDDY_CELL_INT: case EDDY_CELL_FLOAT: case EDDY_CELL_DOUBLE: case EDDY_CELL_DEC:
        case EDDY_CELL_STR: case EDDY_CELL_INTERVAL:
            break;
        default:
            return eddy_error_set(err, EDDY_EUSAGE, 0, 0,
                                  "column '%s' of type %s cannot be a 'sequence' in connector "
                                  "'datagen'; use 'random'",
                                  f->name, f->fmt.type_name);
        }
        if (eddy_opt_int(o, ks, 0, INT64_MIN, INT64_MAX, &f->start) ||
            eddy_opt_int(o, ke, 0, INT64_MIN, INT64_MAX, &f->end))
            return err->code;
        if (f->end < f->start)
            return eddy_error_set(err, EDDY_EUSAGE, 0, 0,
                                  "option '%s' of connector 'datagen' must not be below '%s'", ke, ks);
        if (f->fmt.kind == EDDY_CELL_INT && (f->start < f->fmt.min || f->end > f->fmt.max))
            return eddy_error_set(err, EDDY_EUSAGE, 0, 0,
                                  "the sequence %" PRId64 "..%" PRId64 " of column '%s' does not fit %s",
                                  f->start, f->end, f->name, f->fmt.type_name);
        return 0;
    }

    char kmin[300], kmax[300];
    fkey(kmin, sizeof kmin, f->name, "min");
    fkey(kmax, sizeof kmax, f->name, "max");
    switch (f->fmt.kind) {
    case EDDY_CELL_INT:
    case EDDY_CELL_INTERVAL: {
        int64_t lo = f->fmt.kind == EDDY_CELL_INT ? f->fmt.min : 0;
        int64_t hi = f->fmt.kind == EDDY_CELL_INT ? f->fmt.max : INT32_MAX;
        if (eddy_opt_int(o, kmin, lo, lo, hi, &f->imin) ||
            eddy_opt_int(o, kmax, hi, lo, hi, &f->imax))
            return err->code;
        if (f->imax < f->imin)
            return eddy_error_set(err, EDDY_EUSAGE, 0, 0,
                                  "option '%s' of connector 'datagen' must not be below '%s'", kmax, kmin);
        break;
    }
    case EDDY_CELL_FLOAT:
    case EDDY_CELL_DOUBLE: {
        bool fl = f->fmt.kind == EDDY_CELL_FLOAT;
        if (eddy_opt_double(o, kmin, fl ? 1.40129846e-45 : 4.9e-324, &f->dmin) ||
            eddy_opt_double(o, kmax, fl ? 3.40282347e+38 : 1.7976931348623157e308, &f->dmax))
            return err->code;
        if (f->dmax < f->dmin)
            return eddy_error_set(err, EDDY_EUSAGE, 0, 0,
                                  "option '%s' of connector 'datagen' must not be below '%s'", kmax, kmin);
        break;
    }
    case EDDY_CELL_DEC: {
        __int128 lim = eddy_dec_pow10[f->fmt.precision] - 1;
        f->umin = -lim;
        f->umax = lim;
        if (eddy_opt_has(o, kmin) && parse_dec_opt(o, kmin, f, &f->umin)) return err->code;
        if (eddy_opt_has(o, kmax) && parse_dec_opt(o, kmax, f, &f->umax)) return err->code;
        if (f->umax < f->umin)
            return eddy_error_set(err, EDDY_EUSAGE, 0, 0,
                                  "option '%s' of connector 'datagen' must not be below '%s'", kmax, kmin);
        break;
    }
    default:
        break;
    }
    return 0;
}

static void dg_free(datagen *g)
{
    if (!g) return;
    free(g->f);
    free(g);
}

static int dg_open(const eddy_source_spec *spec, void **state, eddy_error *err)
{
    eddy_optset o = {"datagen", spec->options, spec->noptions, err};
    static const char *const known[] = {
        "rows-per-second", "number-of-rows", "seed", "base-time", "scan.parallelism",
        "fields.*.kind", "fields.*.min", "fields.*.max", "fields.*.max-past", "fields.*.length",
        "fields.*.var-len", "fields.*.start", "fields.*.end", "fields.*.null-rate", NULL,
    };
    if (eddy_opt_check_known(&o, known)) return err->code;

    datagen *g = eddy_xcalloc(1, sizeof *g);
    g->table = spec->table;
    int64_t rps, nrows, seed, base;
    if (eddy_opt_int(&o, "rows-per-second", 10000, 0, INT64_MAX, &rps) ||
        eddy_opt_int(&o, "number-of-rows", -1, 0, INT64_MAX, &nrows) ||
        eddy_opt_int(&o, "seed", 0, INT64_MIN, INT64_MAX, &seed) ||
        eddy_opt_int(&o, "base-time", INT64_C(1577836800000), INT64_MIN / 4, INT64_MAX / 4, &base))
        goto fail;
    g->rps = (rps == 0 || rps >= UNLIMITED_RPS) ? UNLIMITED_RPS : rps;
    g->total = nrows >= 0 ? (uint64_t)nrows : UINT64_MAX;
    g->seeded = eddy_opt_has(&o, "seed");
    g->seed = g->seeded ? (uint64_t)seed : eddy_mix64((uint64_t)wall_ms() ^ ((uint64_t)getpid() << 32));
    g->base_time = base;

    /* per-field options must name a column of the table */
    for (int i = 0; i < spec->noptions; i++) {
        const char *key = spec->options[i].key;
        if (strncmp(key, "fields.", 7) != 0) continue;
        const char *dot = strrchr(key, '.');
        size_t nlen = (size_t)(dot - key) - 7;
        bool found = false;
        const eddy_schema *all = spec->physical ? spec->physical : spec->schema;
        for (int c = 0; c < all->n && !found; c++)
            found = strlen(all->fields[c].name) == nlen && strncmp(all->fields[c].name, key + 7, nlen) == 0;
        if (!found && spec->physical) {
            eddy_error_set(err, EDDY_EUSAGE, 0, 0,
                           "option '%s' of connector 'datagen' names no column of table '%s'", key,
                           spec->table ? spec->table : "?");
            goto fail;
        }
    }

    g->nfields = spec->schema->n;
    g->f = eddy_xcalloc((size_t)(g->nfields ? g->nfields : 1), sizeof *g->f);
    for (int i = 0; i < g->nfields; i++) {
        dg_field *f = &g->f[i];
        if (spec->metadata && spec->metadata[i]) {
            eddy_error_set(err, EDDY_EUSAGE, 0, 0, "connector 'datagen' has no metadata '%s'",
                           spec->metadata[i]);
            goto fail;
        }
        if (spec->paths && spec->npath[i] != 1) {
            eddy_error_set(err, EDDY_EUNSUPPORTED, 0, 0,
                           "connector 'datagen' cannot generate nested field '%s.%s' yet",
                           spec->paths[i][0], spec->paths[i][1]);
            goto fail;
        }
        f->name = spec->paths ? spec->paths[i][0] : spec->schema->fields[i].name;
        eddy_cellfmt_init(&f->fmt, spec->schema->fields[i].type);
        f->tag = eddy_hash_bytes(f->name, strlen(f->name));
        if (field_setup(&o, f, err)) goto fail;
        if (!f->sequence || f->null_rate > 0) g->random = true;
        if (f->sequence) {
            uint64_t n = (uint64_t)(f->end - f->start) + 1;
            if (n != 0 && n < g->total) g->total = n;
        }
    }
    *state = g;
    return 0;
fail:
    dg_free(g);
    return err->code ? err->code : EDDY_EUSAGE;
}

static int dg_splits(void *state)
{
    (void)state;
    return 1;
}

static const char hexdig[] = "0123456789abcdef";

/* Fills n rows of column c starting at row number first. */
static void gen_column(datagen *g, const dg_field *f, eddy_batch *b, int c, int n, uint64_t first,
                       int64_t now)
{
    eddy_col *col = &b->cols[c];
    for (int r = 0; r < n; r++) {
        uint64_t rowno = first + (uint64_t)r;
        if (f->null_rate > 0) {
            eddy_rng nr = eddy_rng_for(g->seed, rowno, f->tag ^ NULL_TAG);
            if (eddy_rng_double(&nr) < f->null_rate) {
                eddy_col_nulls(b, c)[r] = 1;
                continue;
            }
        }
        if (f->sequence) {
            int64_t v = f->start + (int64_t)rowno;
            switch (f->fmt.kind) {
            case EDDY_CELL_FLOAT:
            case EDDY_CELL_DOUBLE: col->v.f64[r] = (double)v; break;
            case EDDY_CELL_DEC: {
                __int128 u;
                if (eddy_dec_from_i64(v, f->fmt.precision, f->fmt.scale, &u) != 0)
                    eddy_col_nulls(b, c)[r] = 1;
                else
                    col->v.dec[r] = u;
                break;
            }
            case EDDY_CELL_STR: {
                char buf[24];
                int len = snprintf(buf, sizeof buf, "%" PRId64, v);
                col->v.str[r] = eddy_batch_str(b, buf, (size_t)len);
                break;
            }
            default: col->v.i64[r] = v; break;
            }
            continue;
        }
        eddy_rng rng = eddy_rng_for(g->seed, rowno, f->tag);
        switch (f->fmt.kind) {
        case EDDY_CELL_BOOL: col->v.b[r] = (uint8_t)(eddy_rng_next(&rng) >> 63); break;
        case EDDY_CELL_INT:
        case EDDY_CELL_INTERVAL: col->v.i64[r] = eddy_rng_range(&rng, f->imin, f->imax); break;
        case EDDY_CELL_FLOAT:
        case EDDY_CELL_DOUBLE: {
            double v = f->dmin + eddy_rng_double(&rng) * (f->dmax - f->dmin);
            if (!isfinite(v)) v = f->dmax;
            col->v.f64[r] = f->fmt.kind == EDDY_CELL_FLOAT ? (double)(float)v : v;
            break;
        }
        case EDDY_CELL_DEC: {
            unsigned __int128 span = (unsigned __int128)(f->umax - f->umin) + 1;
            unsigned __int128 x = ((unsigned __int128)eddy_rng_next(&rng) << 64) | eddy_rng_next(&rng);
            col->v.dec[r] = f->umin + (__int128)(span ? x % span : x);
            break;
        }
        case EDDY_CELL_STR:
        case EDDY_CELL_BYTES: {
            int len = f->length;
            if (f->var_len && len > 0) len = 1 + (int)eddy_rng_below(&rng, (uint64_t)len);
            char *p = eddy_arena_alloc(b->arena, (size_t)(len ? len : 1));
            uint64_t bits = 0;
            for (int i = 0; i < len; i++) {
                if (f->fmt.kind == EDDY_CELL_BYTES) {
                    if ((i & 7) == 0) bits = eddy_rng_next(&rng);
                    p[i] = (char)(bits >> ((i & 7) * 8));
                } else {
                    if ((i & 15) == 0) bits = eddy_rng_next(&rng);
                    p[i] = hexdig[(bits >> ((i & 15) * 4)) & 15];
                }
            }
            col->v.str[r].p = p;
            col->v.str[r].n = (uint32_t)len;
            break;
        }
        case EDDY_CELL_TS:
        case EDDY_CELL_TS_LTZ:
        case EDDY_CELL_DATE:
        case EDDY_CELL_TIME: {
            int64_t t = now;
            if (g->seeded)
                t = g->base_time + (g->rps >= UNLIMITED_RPS ? (int64_t)rowno
                                                              : (int64_t)(rowno * 1000 / (uint64_t)g->rps));
            if (f->max_past > 0) t -= (int64_t)eddy_rng_below(&rng, (uint64_t)f->max_past + 1);
            if (f->fmt.kind == EDDY_CELL_DATE)
                t = eddy_ts_days(t);
            else if (f->fmt.kind == EDDY_CELL_TIME)
                t = eddy_ts_time_of_day(t);
            col->v.i64[r] = t;
            break;
        }
        default: break;
        }
    }
}

static int dg_poll(void *state, eddy_batch *out, int64_t timeout_ms, eddy_error *err)
{
    datagen *g = state;
    (void)err;
    if (g->produced >= g->total) return EDDY_POLL_END;
    uint64_t want = (uint64_t)out->cap;
    if (g->total - g->produced < want) want = g->total - g->produced;
    if (g->rps < UNLIMITED_RPS) {
        int64_t now = mono_ms();
        if (!g->started) {
            g->started = true;
            g->t0 = now;
            g->produced0 = g->produced;
        }
        for (;;) {
            uint64_t allowed = g->produced0 + (uint64_t)((now - g->t0) * g->rps / 1000) + 1;
            if (allowed > g->produced) {
                if (allowed - g->produced < want) want = allowed - g->produced;
                break;
            }
            /* the next row is due at t0 + (produced - produced0) * 1000 / rps */
            int64_t due = g->t0 + (int64_t)((g->produced - g->produced0) * 1000 / (uint64_t)g->rps);
            int64_t wait = due - now;
            if (wait < 1) wait = 1;
            if (timeout_ms <= 0) return EDDY_POLL_IDLE;
            if (wait > timeout_ms) wait = timeout_ms;
            struct timespec ts = {wait / 1000, (wait % 1000) * 1000000};
            nanosleep(&ts, NULL);
            timeout_ms -= wait;
            now = mono_ms();
        }
    }
    int64_t now = g->seeded ? 0 : wall_ms();
    for (int c = 0; c < g->nfields; c++) gen_column(g, &g->f[c], out, c, (int)want, g->produced, now);
    out->n = (int)want;
    out->split = 0;
    g->produced += want;
    return EDDY_POLL_DATA;
}

static int dg_position(void *state, eddy_strbuf *buf, eddy_error *err)
{
    datagen *g = state;
    (void)err;
    eddy_strbuf_printf(buf, "%" PRIu64, g->produced);
    if (!g->seeded && g->random) eddy_strbuf_printf(buf, ",%" PRIu64, g->seed);
    return 0;
}

static int dg_seek(void *state, const char *data, size_t len, eddy_error *err)
{
    datagen *g = state;
    char tmp[48];
    char *end;
    if (len == 0 || len >= sizeof tmp || data[0] < '0' || data[0] > '9') goto bad;
    memcpy(tmp, data, len);
    tmp[len] = 0;
    errno = 0;
    unsigned long long v = strtoull(tmp, &end, 10), seed = 0;
    bool has_seed = *end == ',';
    if (has_seed) {
        const char *s = end + 1;
        if (*s < '0' || *s > '9') goto bad;
        seed = strtoull(s, &end, 10);
    }
    if (*end || errno == ERANGE) goto bad;
    g->produced = v;
    /* the table's own 'seed' wins over the one drawn by the run that took the position */
    if (has_seed && !g->seeded) g->seed = seed;
    g->started = false;
    return 0;
bad:
    return eddy_error_set(err, EDDY_ESTATE, 0, 0, "table '%s': bad datagen position '%.*s'",
                          g->table ? g->table : "?", (int)(len > 40 ? 40 : len), data);
}

static void dg_progress(void *state, uint64_t *done, uint64_t *total)
{
    datagen *g = state;
    *done = g->produced;
    *total = g->total == UINT64_MAX ? 0 : g->total;
}

static void dg_close(void *state)
{
    dg_free(state);
}

static const eddy_source_ops datagen_source = {
    .name = "datagen",
    .open = dg_open,
    .splits = dg_splits,
    .poll = dg_poll,
    .position = dg_position,
    .seek = dg_seek,
    .progress = dg_progress,
    .close = dg_close,
};

const eddy_connector eddy_connector_datagen = {
    .name = "datagen",
    .source = &datagen_source,
    .sink = NULL,
    .accepts_changelog = false,
};
