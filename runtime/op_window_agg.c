/*
 * op_window_agg.c: TUMBLE, HOP and CUMULATE window aggregation by slices
 * (plan.h EDDY_PLAN_WINDOW_AGG; output: group keys, window_start, window_end, window_time,
 * aggregates).
 *
 * Slices (Flink's window-TVF operators do the same): the time line is cut into slices of width
 * TUMBLE size, HOP gcd(size, slide), CUMULATE step, aligned to the epoch plus the offset. A row
 * updates exactly one slice: its accumulators for the row's key, in the slice's hash table
 * (common/hashmap.h: group key bytes from rowkey.h -> accumulator row of agg.h). A window is a
 * run of slices: TUMBLE one, HOP size / g, CUMULATE the slices from the start of its size-long
 * period up to its end. When a window fires, its slices' rows are merged per key (or, for a
 * window of one slice, read directly) and emitted; a slice is freed, with its table and the
 * heap parts of its rows, once the last window that contains it has fired (and is past its
 * allowed lateness).
 *
 * CUMULATE is incremental (without allowed lateness, which needs each window's slices): when a
 * window of a period fires, the period's slices up to its end are merged into the period's
 * cumulative table (the first slice's table is adopted as it) and freed, and the window is
 * emitted from that table; so each slice is merged once, not once per later window (a day in
 * one-minute steps would otherwise merge 1440 * 1441 / 2 slices). A row that arrives for an
 * already merged slice (late for some windows of its period, not for all) goes straight into
 * the cumulative table. The cost: FIRST_VALUE, LAST_VALUE and LISTAGG see such rows in arrival
 * order rather than in slice order.
 *
 * Geometry: window ends form an arithmetic progression (step TUMBLE size, HOP slide, CUMULATE
 * step) with a fixed phase. A slice starting at s belongs to the windows whose ends lie in
 * [first_end(s), last_end(s)] on that progression.
 *
 * Time: a window [start, end) fires when the watermark reaches end - 1. `seen` is the highest
 * watermark applied: every window with end <= seen + 1 has fired, or was skipped (it had no row
 * when the watermark passed it). With allowed lateness L ('table.exec.emit.allow-lateness',
 * Flink's late firing with no delay), a window's state stays until the watermark reaches
 * end - 1 + L, and every row that arrives for it meanwhile fires it again: its key's result is
 * emitted as -U (what was emitted) / +U (the new result), or +I if the window never fired with
 * that key. A row is late when the last window of its slice is past end - 1 + L: it is counted
 * in op->late_rows and dropped. Per-row watermarks (batch.h wm_before) are honoured exactly: the
 * loop over a batch compares each row's watermark with `next_fire` (the lowest watermark at
 * which any window fires) and `next_expire`; only when one is crossed are the rows before it
 * applied and the windows fired or dropped, mid-batch. So results do not depend on how rows
 * are cut into batches.
 *
 * Emission: at one watermark, windows fire in end order; within a window, keys come in the
 * order they were first seen (insertion order of the slice tables, slices in time order).
 *
 * Early firing (early_fire_ms > 0, processing time through tick()): every early_fire_ms the
 * current results of open windows that hold rows are emitted as a changelog: +I the first time
 * a key of a window is emitted, -U/+U when its result changed since; the final firing then
 * emits only what changed (+I for keys never emitted). The last emitted aggregate values per
 * (window, key) are kept encoded (rowkey.h) until the window fires, or, with allowed lateness,
 * until it expires. Early or late firing makes the output a changelog.
 *
 * Processing-time windows (win.proctime): the watermark is the wall clock (CLOCK_REALTIME, as
 * PROCTIME() in op_calc.c), advanced by tick(); input watermarks are ignored and no row is
 * late (a row behind the clock counts at the clock's time).
 *
 * All state is reachable from the operator: slices (start, table) sorted by start, CUMULATE
 * periods, and the kept results of early/late firing, so that a checkpoint can iterate it.
 *
 * Checkpoints (operator.h snapshot/restore, entry layout in opstate.h): a full snapshot each
 * time. The meta entry holds the settings (a checkpoint restores only into the same window,
 * aggregates, lateness and early/late firing), `seen`, `next_fire`, `next_expire`, the late-row
 * count and the lists of slices, CUMULATE periods and windows with kept results; then one entry
 * per group: eddy_state_key_i64(slice end) | 'S' | group key -> the accumulator
 * (eddy_aggs_row_encode), (period end) | 'C' | key -> the period's cumulative accumulator,
 * (window end) | 'E' | key -> the aggregate values last emitted. Restore rebuilds every table
 * with its groups in their old insertion order (so the output order is the same) and restarts
 * the early/late firing timers from the first tick.
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../common/checked.h"
#include "../common/hashmap.h"
#include "../common/strbuf.h"
#include "../common/timeutil.h"
#include "agg.h"
#include "operator.h"
#include "opstate.h"
#include "rowkey.h"
#include "spill_table.h"

typedef struct slice {
    int64_t start;      /* the slice is [start, start + width) */
    eddy_hmap *map;     /* group key -> accumulator row */
    int64_t heap;       /* heap bytes of its rows' variable parts */
} slice;

/* CUMULATE: the merged state of one period's slices whose windows have fired. */
typedef struct cumul {
    int64_t ws;         /* period start (window_start of all its windows) */
    int64_t upto;       /* slices starting below this are merged in (end of the last fired window) */
    eddy_hmap *map;     /* group key -> accumulator row */
    int64_t heap;
} cumul;

/* What early firing emitted for one window. */
typedef struct emitted {
    int64_t end;        /* window end */
    eddy_hmap *map;     /* group key -> prevrow */
} emitted;

typedef struct prevrow {
    char *p;            /* encoded aggregate values last emitted (malloc) */
    uint32_t n;
    uint32_t pad;
} prevrow;

/* A spill run (spill.h, spill_table.h): the groups of some tables, written when the state went
 * above the memory budget. */
typedef struct srun {
    uint32_t id;
    int64_t *starts;        /* the times of its tables (slice starts; CUMULATE period starts for
                             * a period's table), increasing */
    int nstarts;
    bool dead;              /* every window that reads it has expired */
    uint64_t named;         /* the last checkpoint (begin sequence) that saw it live; 0: none */
} srun;

typedef struct win_op {
    eddy_op base;           /* must be first */
    eddy_window_kind kind;
    int time_col;           /* input column of the time attribute */
    bool proctime;          /* processing-time windows */
    int64_t size;           /* TUMBLE/HOP size, CUMULATE max size */
    int64_t step;           /* distance between window ends */
    int64_t width;          /* slice width */
    int64_t offset;         /* window offset */
    int64_t phase;          /* window ends are = phase (mod step) */
    int64_t lateness;       /* allowed lateness: state is dropped at end - 1 + lateness */
    int64_t delay;          /* firing at end - 1 + delay: the lateness without late firing, else 0 */
    int64_t keep;           /* results kept after firing for late firing: lateness or 0 */
    int64_t late_ms;        /* late firing every late_ms of processing time; 0 = at each row */
    int64_t next_late;      /* processing time of the next late firing */
    eddy_aggs *aggs;
    size_t row_size;
    int naggs;
    eddy_rowkey key;        /* group key encoding */
    int nkeys;

    slice *slices;          /* live slices, sorted by start */
    int nslices, capslices;
    uint32_t last_count;    /* groups of the last slice created (to size the next table) */
    int64_t seen;           /* highest watermark applied */
    int64_t next_fire;      /* lowest watermark at which a window may fire */
    int64_t next_expire;    /* lowest watermark at which some state may expire */

    cumul *cum;             /* CUMULATE: periods with fired windows, sorted by ws */
    int ncum, capcum;
    eddy_hmap *merged;      /* HOP/CUMULATE: a firing window's rows merged per key */
    int64_t merged_heap;

    int64_t early_ms;       /* early firing interval, 0 = off */
    int64_t next_early;     /* processing time of the next early firing (0: not started) */
    emitted *em;            /* windows with emitted early results */
    int nem, capem;
    int64_t em_bytes;       /* bytes of the prevrow texts */
    eddy_rowkey outkey;     /* encoding of the aggregate output columns */
    eddy_strbuf sb;         /* scratch for encoded rows */

    eddy_batch *out;        /* output rows being filled */
    bool changelog;         /* output carries row kinds */
    eddy_arena *scratch;    /* per-call memory */

    char owner[48];         /* name of its runs in the spill store ("" until the first spill) */
    srun *runs;             /* spill runs, oldest first */
    int nruns, capruns;
    uint64_t ckpt_begun;    /* checkpoints begun / completed (sequence numbers) */
    uint64_t ckpt_done;
} win_op;

/* ---- time helpers ---- */

static inline int64_t sat_add(int64_t a, int64_t b)
{
    int64_t r;
    if (__builtin_add_overflow(a, b, &r)) return b > 0 ? INT64_MAX : INT64_MIN;
    return r;
}

/* Windows with end <= fired_end(w, wm) have fired once the watermark is wm. */
static inline int64_t fired_end(const win_op *w, int64_t wm)
{
    if (wm == INT64_MAX) return INT64_MAX;
    return sat_add(wm + 1, -w->delay);
}

/* Windows with end <= expired_end(wm) are past their allowed lateness: their state is gone
 * and rows for them are late. */
static inline int64_t expired_end(const win_op *w, int64_t wm)
{
    if (wm == INT64_MAX) return INT64_MAX;
    return sat_add(wm + 1, -w->lateness);
}

/* The watermark at which the window ending at e fires. */
static inline int64_t fire_wm(const win_op *w, int64_t e)
{
    if (e == INT64_MAX) return INT64_MAX;
    return sat_add(e - 1, w->delay);
}

/* The watermark at which the window ending at e expires. */
static inline int64_t expire_wm(const win_op *w, int64_t e)
{
    if (e == INT64_MAX) return INT64_MAX;
    return sat_add(e - 1, w->lateness);
}

/* Smallest window end >= x. */
static inline int64_t align_up(const win_op *w, int64_t x)
{
    int64_t r = eddy_floormod_i64(x - w->phase, w->step);
    return r == 0 ? x : sat_add(x, w->step - r);
}

static inline int64_t first_end(const win_op *w, int64_t s)
{
    switch (w->kind) {
    case EDDY_WINDOW_HOP: return align_up(w, s + w->width);
    case EDDY_WINDOW_CUMULATE: return s + w->step;
    default: return s + w->size;
    }
}

static inline int64_t last_end(const win_op *w, int64_t s)
{
    switch (w->kind) {
    case EDDY_WINDOW_HOP: return eddy_window_start(s, w->step, w->offset) + w->size;
    case EDDY_WINDOW_CUMULATE: return eddy_window_start(s, w->size, w->offset) + w->size;
    default: return s + w->size;
    }
}

/* Smallest end > x of a window containing slice s; INT64_MAX if none. */
static inline int64_t first_end_after(const win_op *w, int64_t s, int64_t x)
{
    int64_t ef = first_end(w, s);
    int64_t el = last_end(w, s);
    int64_t c;
    if (x < ef) c = ef;
    else if (x >= el) return INT64_MAX;
    else c = align_up(w, x + 1);
    return c <= el ? c : INT64_MAX;
}

/* Start of the window ending at e. */
static inline int64_t window_start_of(const win_op *w, int64_t e)
{
    if (w->kind == EDDY_WINDOW_CUMULATE) return eddy_window_start(e - 1, w->size, w->offset);
    return e - w->size;
}

static int64_t realtime_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- slices ---- */

static void slice_free(win_op *w, slice *s)
{
    if (eddy_aggs_row_has_heap(w->aggs)) {
        uint32_t end = eddy_hmap_end(s->map);
        for (uint32_t id = 0; id < end; id++)
            eddy_aggs_row_free(w->aggs, eddy_hmap_value(s->map, id), &s->heap);
    }
    eddy_hmap_destroy(s->map);
    s->map = NULL;
}

/* The slice starting at start, created if missing. */
static slice *slice_get(win_op *w, int64_t start)
{
    int lo = 0, hi = w->nslices;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (w->slices[mid].start < start) lo = mid + 1;
        else hi = mid;
    }
    if (lo < w->nslices && w->slices[lo].start == start) return &w->slices[lo];
    if (w->nslices == w->capslices) {
        w->capslices = w->capslices ? w->capslices * 2 : 8;
        w->slices = eddy_xrealloc(w->slices, (size_t)w->capslices * sizeof(slice));
    }
    memmove(&w->slices[lo + 1], &w->slices[lo], (size_t)(w->nslices - lo) * sizeof(slice));
    w->nslices++;
    slice *s = &w->slices[lo];
    s->start = start;
    s->heap = 0;
    s->map = eddy_hmap_new(w->row_size, 0);
    if (w->last_count) eddy_hmap_reserve(s->map, w->last_count);
    int64_t f = fire_wm(w, first_end_after(w, start, fired_end(w, w->seen)));
    if (f < w->next_fire) w->next_fire = f;
    int64_t x = expire_wm(w, last_end(w, start));
    if (x < w->next_expire) w->next_expire = x;
    return s;
}

static cumul *find_cumul(win_op *w, int64_t ws)
{
    for (int i = 0; i < w->ncum; i++)
        if (w->cum[i].ws == ws) return &w->cum[i];
    return NULL;
}

static cumul *new_cumul(win_op *w, int64_t ws)
{
    if (w->ncum == w->capcum) {
        w->capcum = w->capcum ? w->capcum * 2 : 4;
        w->cum = eddy_xrealloc(w->cum, (size_t)w->capcum * sizeof(cumul));
    }
    int i = w->ncum++;
    while (i > 0 && w->cum[i - 1].ws > ws) {
        w->cum[i] = w->cum[i - 1];
        i--;
    }
    cumul *c = &w->cum[i];
    c->ws = ws;
    c->upto = ws;
    c->map = NULL;
    c->heap = 0;
    return c;
}

static void cumul_drop(win_op *w, int i)
{
    cumul *c = &w->cum[i];
    slice tmp = {c->ws, c->map, c->heap};
    slice_free(w, &tmp);
    memmove(&w->cum[i], &w->cum[i + 1], (size_t)(w->ncum - i - 1) * sizeof(cumul));
    w->ncum--;
}

/* Smallest end > cursor of a window holding rows (a live slice or a CUMULATE period). */
static int64_t next_end(const win_op *w, int64_t cursor)
{
    int64_t e = INT64_MAX;
    for (int i = 0; i < w->nslices; i++) {
        int64_t x = first_end_after(w, w->slices[i].start, cursor);
        if (x < e) e = x;
    }
    for (int i = 0; i < w->ncum; i++) {
        int64_t x = first_end_after(w, w->cum[i].ws, cursor);
        if (x < e) e = x;
    }
    return e;
}

static void update_state_bytes(win_op *w)
{
    int64_t b = 0;
    for (int i = 0; i < w->nslices; i++)
        b += (int64_t)eddy_hmap_memory(w->slices[i].map) + w->slices[i].heap;
    for (int i = 0; i < w->ncum; i++)
        b += (int64_t)eddy_hmap_memory(w->cum[i].map) + w->cum[i].heap;
    if (w->merged) b += (int64_t)eddy_hmap_memory(w->merged) + w->merged_heap;
    for (int i = 0; i < w->nem; i++) b += (int64_t)eddy_hmap_memory(w->em[i].map);
    b += w->em_bytes;
    w->base.state_bytes = b > 0 ? (uint64_t)b : 0;
}

/* ---- output ---- */

static int flush(win_op *w, eddy_error *err)
{
    if (w->out->n == 0) return 0;
    int rc = eddy_op_emit(&w->base, w->out, err);
    eddy_batch_reset(w->out);
    return rc;
}

/* Writes keys, window columns and results of one group into row r of the output. */
static int write_row(win_op *w, int r, const void *key, size_t klen, int64_t ws, int64_t we,
                     const void *acc, eddy_error *err)
{
    eddy_batch *o = w->out;
    eddy_rowkey_decode(&w->key, key, klen, o, 0, r);
    int c = w->nkeys;
    int64_t vals[3] = {ws, we, we - 1};
    for (int i = 0; i < 3; i++) {
        o->cols[c + i].v.i64[r] = vals[i];
        if (o->cols[c + i].nulls) o->cols[c + i].nulls[r] = 0;
    }
    return eddy_aggs_output(w->aggs, acc, o, c + 3, r, err);
}

static emitted *find_emitted(win_op *w, int64_t end, bool create)
{
    for (int i = 0; i < w->nem; i++)
        if (w->em[i].end == end) return &w->em[i];
    if (!create) return NULL;
    if (w->nem == w->capem) {
        w->capem = w->capem ? w->capem * 2 : 4;
        w->em = eddy_xrealloc(w->em, (size_t)w->capem * sizeof(emitted));
    }
    emitted *e = &w->em[w->nem++];
    e->end = end;
    e->map = eddy_hmap_new(sizeof(prevrow), 0);
    if (expire_wm(w, end) < w->next_expire) w->next_expire = expire_wm(w, end);
    return e;
}

static void drop_emitted(win_op *w, emitted *e)
{
    uint32_t end = eddy_hmap_end(e->map);
    for (uint32_t id = 0; id < end; id++) {
        prevrow *p = eddy_hmap_value(e->map, id);
        w->em_bytes -= p->n;
        free(p->p);
    }
    eddy_hmap_destroy(e->map);
    *e = w->em[--w->nem];
}

/*
 * Emits the result of one group (key, its accumulator row acc) for window [ws, we). With em
 * (early or late firing: the window's results are kept), only a change is emitted, as +I or
 * -U +U, and em remembers what was emitted.
 */
static int emit_one(win_op *w, const void *key, size_t klen, uint64_t hash, const void *acc,
                    int64_t ws, int64_t we, emitted *em, eddy_error *err)
{
    eddy_batch *o = w->out;
    int first_agg = w->nkeys + 3;
    if (o->n + 2 > o->cap) {
        int rc = flush(w, err);
        if (rc) return rc;
    }
    int r = o->n;
    int rc = write_row(w, r, key, klen, ws, we, acc, err);
    if (rc) return rc;
    if (!w->changelog) {
        o->n++;
        return 0;
    }
    uint8_t *kinds = eddy_batch_kinds(o);
    if (!em) {
        kinds[r] = EDDY_ROW_INSERT;
        o->n++;
        return 0;
    }
    eddy_strbuf_clear(&w->sb);
    eddy_rowkey_encode_row(&w->outkey, &o->cols[first_agg], r, &w->sb);
    bool is_new;
    prevrow *p = eddy_hmap_upsert(em->map, key, klen, hash, &is_new, NULL);
    if (is_new) {
        kinds[r] = EDDY_ROW_INSERT;
        o->n++;
    } else if (p->n == w->sb.n && memcmp(p->p, w->sb.s, w->sb.n) == 0) {
        return 0; /* unchanged: nothing to emit */
    } else {
        eddy_rowkey_decode_row(&w->outkey, p->p, p->n, o, first_agg, r);
        kinds[r] = EDDY_ROW_UPDATE_BEFORE;
        rc = write_row(w, r + 1, key, klen, ws, we, acc, err);
        if (rc) return rc;
        kinds[r + 1] = EDDY_ROW_UPDATE_AFTER;
        o->n += 2;
    }
    w->em_bytes += (int64_t)w->sb.n - (int64_t)p->n;
    p->p = eddy_xrealloc(p->p, w->sb.n ? w->sb.n : 1);
    memcpy(p->p, w->sb.s ? w->sb.s : "", w->sb.n);
    p->n = (uint32_t)w->sb.n;
    return 0;
}

/* Emits every group of table m (a slice's or the merged one) as results of window [ws, we). */
static int emit_groups(win_op *w, eddy_hmap *m, int64_t ws, int64_t we, emitted *em,
                       eddy_error *err)
{
    uint32_t end = eddy_hmap_end(m);
    for (uint32_t id = 0; id < end; id++) {
        size_t klen;
        const void *key = eddy_hmap_key(m, id, &klen);
        int rc = emit_one(w, key, klen, eddy_hmap_hash(m, id), eddy_hmap_value(m, id), ws, we,
                          em, err);
        if (rc) return rc;
    }
    return 0;
}

static void merged_reset(win_op *w)
{
    if (eddy_aggs_row_has_heap(w->aggs)) {
        uint32_t end = eddy_hmap_end(w->merged);
        for (uint32_t id = 0; id < end; id++)
            eddy_aggs_row_free(w->aggs, eddy_hmap_value(w->merged, id), &w->merged_heap);
    }
    eddy_hmap_clear(w->merged);
}

/* Merges the tables m[0..n) (in time order) into w->merged. */
static int merge_tables(win_op *w, eddy_hmap **m, int n, eddy_error *err)
{
    if (!w->merged) w->merged = eddy_hmap_new(w->row_size, 0);
    for (int i = 0; i < n; i++) {
        uint32_t end = eddy_hmap_end(m[i]);
        for (uint32_t id = 0; id < end; id++) {
            size_t klen;
            const void *key = eddy_hmap_key(m[i], id, &klen);
            void *dst = eddy_hmap_upsert(w->merged, key, klen, eddy_hmap_hash(m[i], id), NULL,
                                         NULL);
            int rc = eddy_aggs_merge(w->aggs, dst, eddy_hmap_value(m[i], id), &w->merged_heap,
                                     err);
            if (rc) return rc;
        }
    }
    return 0;
}

/* ---- spilled state (spill.h, spill_table.h) ---- */

static slice *find_slice(win_op *w, int64_t start);

/* Index of the first time >= t in run r. */
static int run_lower(const srun *r, int64_t t)
{
    int lo = 0, hi = r->nstarts;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (r->starts[mid] < t) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

/* Whether a live run holds a table of a time in [lo, hi]. */
static bool runs_in(const win_op *w, int64_t lo, int64_t hi)
{
    for (int i = 0; i < w->nruns; i++) {
        const srun *r = &w->runs[i];
        if (r->dead) continue;
        int k = run_lower(r, lo);
        if (k < r->nstarts && r->starts[k] <= hi) return true;
    }
    return false;
}

typedef struct rsrc {
    eddy_spilltab_src s;
    int rank;               /* for the same time: runs oldest first, then memory */
} rsrc;

static int rsrc_cmp(const void *a, const void *b)
{
    const rsrc *x = a, *y = b;
    if (x->s.t != y->s.t) return x->s.t < y->s.t ? -1 : 1;
    return x->rank < y->rank ? -1 : x->rank > y->rank;
}

typedef struct emit_ctx {
    win_op *w;
    int64_t ws, we;
    emitted *em;
} emit_ctx;

static int emit_visit(void *ctx, const void *key, size_t klen, uint64_t hash, const void *acc,
                      eddy_error *err)
{
    emit_ctx *c = ctx;
    return emit_one(c->w, key, klen, hash, acc, c->ws, c->we, c->em, err);
}

/*
 * Emits the window [ws, e) whose state is partly in spill runs: merges, in time order, the
 * runs' tables of times in [ws, e - width], the CUMULATE period table cu (time ws; may be NULL)
 * and the live slices with start in [lo, e - width].
 */
static int emit_merged(win_op *w, int64_t ws, int64_t e, int64_t lo, cumul *cu, emitted *em,
                       eddy_error *err)
{
    int64_t hi = e - w->width;
    int n = 0, cap = 8;
    rsrc *r = eddy_xmalloc(sizeof *r * (size_t)cap);
    for (int i = 0; i < w->nruns; i++) {
        const srun *ru = &w->runs[i];
        if (ru->dead) continue;
        for (int k = run_lower(ru, ws); k < ru->nstarts && ru->starts[k] <= hi; k++) {
            if (n == cap) r = eddy_xrealloc(r, sizeof *r * (size_t)(cap *= 2));
            r[n++] = (rsrc){{NULL, ru->id, ru->starts[k]}, i};
        }
    }
    if (cu) {
        if (n == cap) r = eddy_xrealloc(r, sizeof *r * (size_t)(cap *= 2));
        r[n++] = (rsrc){{cu->map, 0, ws}, w->nruns};
    }
    for (int i = 0; i < w->nslices; i++) {
        if (w->slices[i].start < lo || w->slices[i].start < ws) continue;
        if (w->slices[i].start > hi) break;
        if (n == cap) r = eddy_xrealloc(r, sizeof *r * (size_t)(cap *= 2));
        r[n++] = (rsrc){{w->slices[i].map, 0, w->slices[i].start}, w->nruns};
    }
    qsort(r, (size_t)n, sizeof *r, rsrc_cmp);
    eddy_spilltab_src *src = eddy_xmalloc(sizeof *src * (size_t)(n ? n : 1));
    for (int i = 0; i < n; i++) src[i] = r[i].s;
    free(r);
    emit_ctx c = {w, ws, e, em};
    int rc = eddy_spilltab_merge(w->base.spill, w->owner, w->aggs, &w->key, src, n, false,
                                 emit_visit, &c, err);
    free(src);
    return rc;
}

/* Drops run i (from the store and the list). */
static int run_drop(win_op *w, int i, eddy_error *err)
{
    int rc = eddy_spill_run_drop(w->base.spill, w->owner, w->runs[i].id, err);
    free(w->runs[i].starts);
    memmove(&w->runs[i], &w->runs[i + 1], sizeof(srun) * (size_t)(w->nruns - i - 1));
    w->nruns--;
    return rc;
}

/* Marks the runs that no window will read again as dead and drops those that no checkpoint
 * which may still be restored names: one named by the last completed checkpoint, or by one
 * in flight, waits for the next completed one (win_checkpoint_done). */
static int runs_expire(win_op *w, eddy_error *err)
{
    int64_t x = expired_end(w, w->seen);
    int rc = 0;
    for (int i = 0; i < w->nruns && !rc;) {
        srun *r = &w->runs[i];
        if (!r->dead && r->nstarts > 0 && last_end(w, r->starts[r->nstarts - 1]) <= x) r->dead = true;
        if (r->dead && (r->named == 0 || r->named < w->ckpt_done)) {
            rc = run_drop(w, i, err);
            continue;
        }
        i++;
    }
    return rc;
}

/* CUMULATE, final firing of the window ending at e: merges the period's slices up to e into
 * its cumulative table (the first one is adopted as the table) and frees them. */
static int cumulate(win_op *w, int64_t ws, int64_t e, cumul **out, eddy_error *err)
{
    cumul *cu = find_cumul(w, ws);
    int64_t lo = cu ? cu->upto : ws, hi = e - w->width;
    int rc = 0;
    for (int i = 0; i < w->nslices;) {
        slice *sl = &w->slices[i];
        if (sl->start < lo) {
            i++;
            continue;
        }
        if (sl->start > hi) break;
        if (!cu) {
            cu = new_cumul(w, ws);
            cu->map = sl->map;
            cu->heap = sl->heap;
        } else if (!rc) {
            uint32_t end = eddy_hmap_end(sl->map);
            for (uint32_t id = 0; id < end && !rc; id++) {
                size_t klen;
                const void *key = eddy_hmap_key(sl->map, id, &klen);
                void *dst = eddy_hmap_upsert(cu->map, key, klen, eddy_hmap_hash(sl->map, id),
                                             NULL, NULL);
                rc = eddy_aggs_merge(w->aggs, dst, eddy_hmap_value(sl->map, id), &cu->heap, err);
            }
            w->last_count = eddy_hmap_count(sl->map);
            slice_free(w, sl);
        } else {
            slice_free(w, sl);
        }
        memmove(&w->slices[i], &w->slices[i + 1], (size_t)(w->nslices - i - 1) * sizeof(slice));
        w->nslices--;
    }
    if (cu && e > cu->upto) cu->upto = e;
    *out = cu;
    return rc;
}

/* Emits the window ending at e from the live slices (and, for CUMULATE, the cumulative
 * table) it contains. final: the window fires (else early firing). */
static int emit_window(win_op *w, int64_t e, bool final, eddy_error *err)
{
    int64_t ws = window_start_of(w, e);
    /* results are kept while early firing may update them, and after the on-time firing
     * while late rows may (allowed lateness) */
    emitted *em = w->early_ms > 0 || w->keep > 0
                      ? find_emitted(w, e, !final || w->keep > 0)
                      : NULL;
    int rc;
    if (final && w->kind == EDDY_WINDOW_CUMULATE && w->keep == 0) {
        cumul *cu;
        rc = cumulate(w, ws, e, &cu, err);
        if (!rc && w->nruns && runs_in(w, ws, e - w->width))
            rc = emit_merged(w, ws, e, INT64_MAX, cu, em, err);
        else if (!rc && cu) rc = emit_groups(w, cu->map, ws, e, em, err);
        if (em) drop_emitted(w, em);
        if (cu && e >= ws + w->size) cumul_drop(w, (int)(cu - w->cum));
        return rc;
    }
    eddy_hmap *tabs[64];
    eddy_hmap **t = tabs;
    int n = 0;
    cumul *cu = w->kind == EDDY_WINDOW_CUMULATE ? find_cumul(w, ws) : NULL;
    int64_t lo = cu ? cu->upto : ws, hi = e - w->width;
    if (w->nruns && runs_in(w, ws, hi)) {
        rc = emit_merged(w, ws, e, lo, cu, em, err);
        if (final && em && w->keep == 0) drop_emitted(w, em);
        return rc;
    }
    int cap = w->nslices + 1;
    if (cap > 64) t = eddy_xmalloc(sizeof(eddy_hmap *) * (size_t)cap);
    if (cu) t[n++] = cu->map;
    for (int i = 0; i < w->nslices; i++) {
        if (w->slices[i].start < lo) continue;
        if (w->slices[i].start > hi) break;
        t[n++] = w->slices[i].map;
    }
    if (n == 0) rc = 0;
    else if (n == 1) rc = emit_groups(w, t[0], ws, e, em, err);
    else {
        rc = merge_tables(w, t, n, err);
        if (!rc) rc = emit_groups(w, w->merged, ws, e, em, err);
        merged_reset(w);
    }
    if (t != tabs) free(t);
    if (final && em && w->keep == 0) drop_emitted(w, em);
    return rc;
}

/* Drops what is past the allowed lateness at watermark wm: slices whose last window
 * expired, CUMULATE periods, kept results; finds the next expiry watermark. */
static void expire(win_op *w, int64_t wm)
{
    int64_t x = expired_end(w, wm);
    int k = 0;
    for (int i = 0; i < w->nslices; i++) {
        if (last_end(w, w->slices[i].start) <= x) {
            w->last_count = eddy_hmap_count(w->slices[i].map);
            slice_free(w, &w->slices[i]);
        } else {
            w->slices[k++] = w->slices[i];
        }
    }
    w->nslices = k;
    for (int i = 0; i < w->ncum;) {
        if (w->cum[i].ws + w->size <= x) cumul_drop(w, i);
        else i++;
    }
    for (int i = 0; i < w->nem;) {
        if (w->em[i].end <= x) drop_emitted(w, &w->em[i]);
        else i++;
    }
    if (k == 0 && w->ncum == 0) { /* idle: give the merge table's memory back */
        eddy_hmap_destroy(w->merged);
        w->merged = NULL;
    }
    w->next_expire = INT64_MAX;
    for (int i = 0; i < w->nslices; i++) {
        int64_t t = expire_wm(w, last_end(w, w->slices[i].start));
        if (t < w->next_expire) w->next_expire = t;
    }
    for (int i = 0; i < w->ncum; i++) {
        int64_t t = expire_wm(w, w->cum[i].ws + w->size);
        if (t < w->next_expire) w->next_expire = t;
    }
    for (int i = 0; i < w->nem; i++) {
        int64_t t = expire_wm(w, w->em[i].end);
        if (t < w->next_expire) w->next_expire = t;
    }
}

/* Fires every window with end in (fired_end(seen), fired_end(w, wm)], in end order, then drops
 * what expired and finds the next firing watermark. */
static int fire(win_op *w, int64_t wm, eddy_error *err)
{
    int64_t cursor = fired_end(w, w->seen);
    int64_t target = fired_end(w, wm);
    for (;;) {
        int64_t e = next_end(w, cursor);
        if (e == INT64_MAX || e > target) break;
        int rc = emit_window(w, e, true, err);
        if (rc) return rc;
        cursor = e;
    }
    if (wm > w->seen) w->seen = wm;
    expire(w, wm);
    w->next_fire = fire_wm(w, next_end(w, target));
    return w->nruns ? runs_expire(w, err) : 0;
}

/* Advances the watermark to wm (firing what it completes) and flushes the output. */
static int advance(win_op *w, int64_t wm, eddy_error *err)
{
    if (wm <= w->seen) return 0;
    if (wm < w->next_fire && wm < w->next_expire) {
        w->seen = wm;
        return 0;
    }
    int rc = fire(w, wm, err);
    if (rc) return rc;
    return flush(w, err);
}

/* ---- rows ---- */

typedef struct pend {
    int64_t start;  /* slice */
    int32_t row;    /* batch row */
} pend;

static int pend_cmp(const void *a, const void *b)
{
    const pend *x = a, *y = b;
    if (x->start != y->start) return x->start < y->start ? -1 : 1;
    return x->row < y->row ? -1 : x->row > y->row;
}

/* Adds the pending rows p[0..n) (in row order) to their slices. */
static int apply(win_op *w, const eddy_batch *b, const eddy_rowkey_batch *kb, pend *p, int n,
                 eddy_error *err)
{
    if (n == 0) return 0;
    if (w->kind == EDDY_WINDOW_CUMULATE && w->ncum > 0) {
        /* rows of slices already merged into their period's table all go to that table (named
         * by the period start, whose own slice is merged): one group, in arrival order */
        for (int i = 0; i < n; i++) {
            cumul *cu = find_cumul(w, eddy_window_start(p[i].start, w->size, w->offset));
            if (cu && p[i].start < cu->upto) p[i].start = cu->ws;
        }
    }
    bool same = true;
    for (int i = 1; i < n && same; i++) same = p[i].start == p[0].start;
    if (!same) qsort(p, (size_t)n, sizeof *p, pend_cmp);
    size_t nn = (size_t)n;
    int32_t *sel = eddy_arena_alloc(w->scratch, nn * sizeof(int32_t));
    uint32_t *gids = eddy_arena_alloc(w->scratch, nn * sizeof(uint32_t));
    uint64_t *hashes = eddy_arena_alloc(w->scratch, nn * sizeof(uint64_t));
    uint64_t *u64 = kb->u64 ? eddy_arena_alloc(w->scratch, nn * sizeof(uint64_t)) : NULL;
    const void **keys = kb->u64 ? NULL : eddy_arena_alloc(w->scratch, nn * sizeof(void *));
    size_t *lens = kb->u64 ? NULL : eddy_arena_alloc(w->scratch, nn * sizeof(size_t));
    for (int i = 0; i < n;) {
        int j = i;
        while (j < n && p[j].start == p[i].start) j++;
        int m = j - i;
        for (int k = 0; k < m; k++) {
            int row = p[i + k].row;
            sel[k] = row;
            hashes[k] = kb->hashes[row];
            if (u64) {
                u64[k] = kb->u64[row];
            } else {
                keys[k] = kb->keys[row];
                lens[k] = kb->lens[row];
            }
        }
        eddy_hmap *map;
        int64_t *heap;
        cumul *cu = NULL;
        if (w->kind == EDDY_WINDOW_CUMULATE && w->ncum > 0)
            cu = find_cumul(w, eddy_window_start(p[i].start, w->size, w->offset));
        if (cu && p[i].start < cu->upto) {
            /* late for some windows of its period: its slice is already merged */
            map = cu->map;
            heap = &cu->heap;
        } else {
            slice *s = slice_get(w, p[i].start);
            map = s->map;
            heap = &s->heap;
        }
        if (u64) eddy_hmap_upsert_u64_batch(map, (size_t)m, u64, hashes, gids, NULL);
        else eddy_hmap_upsert_batch(map, (size_t)m, keys, lens, hashes, gids, NULL);
        eddy_agg_rows rows;
        rows.base = eddy_hmap_values(map, &rows.stride);
        rows.heap = *heap;
        int rc = eddy_aggs_update(w->aggs, &rows, b, sel, gids, m, w->scratch, err);
        *heap = rows.heap;
        if (rc) return rc;
        i = j;
    }
    return 0;
}

/* late_fire for a window [ws, e) whose state is partly in spill runs: looks the key up in the
 * runs' tables and the live slices, in time order, and emits its new result. */
static int late_fire_spilled(win_op *w, const void *key, size_t klen, uint64_t hash, int64_t ws,
                             int64_t e, eddy_error *err)
{
    int64_t hi = e - w->width, heap = 0;
    void *acc = eddy_xcalloc(1, w->row_size), *tmp = eddy_xcalloc(1, w->row_size);
    bool any = false;
    int rc = 0;
    for (int64_t t = ws; t <= hi && !rc; t += w->width) {
        for (int i = 0; i < w->nruns && !rc; i++) {
            const srun *r = &w->runs[i];
            int k = run_lower(r, t);
            if (r->dead || k >= r->nstarts || r->starts[k] != t) continue;
            int found = eddy_spilltab_find(w->base.spill, w->owner, w->aggs, r->id, t, key, klen,
                                           hash, tmp, &heap, err);
            if (found < 0) rc = found;
            else if (found) rc = eddy_aggs_merge(w->aggs, acc, tmp, &heap, err), any = true;
            eddy_aggs_row_free(w->aggs, tmp, &heap);
        }
        slice *s = rc ? NULL : find_slice(w, t);
        const void *src = s ? eddy_hmap_find(s->map, key, klen, hash) : NULL;
        if (src) rc = eddy_aggs_merge(w->aggs, acc, src, &heap, err), any = true;
    }
    if (!rc && any) rc = emit_one(w, key, klen, hash, acc, ws, e, find_emitted(w, e, true), err);
    eddy_aggs_row_free(w->aggs, acc, &heap);
    free(acc);
    free(tmp);
    return rc;
}

/*
 * A row for slice s some of whose windows have fired but not expired (allowed lateness): adds
 * it, then emits the new result of its key in each such window (Flink's late firing with no
 * delay: every late row fires), as -U/+U (+I if the window had not been emitted).
 */
static int late_fire(win_op *w, const eddy_batch *b, const eddy_rowkey_batch *kb, int row,
                     int64_t s, eddy_error *err)
{
    pend one = {s, row};
    int rc = apply(w, b, kb, &one, 1, err);
    if (rc) return rc;
    const void *key = kb->u64 ? (const void *)&kb->u64[row] : kb->keys[row];
    size_t klen = kb->u64 ? 8 : kb->lens[row];
    uint64_t hash = kb->hashes[row];
    int64_t fe = fired_end(w, w->seen), xe = expired_end(w, w->seen);
    int64_t e = first_end(w, s), el = last_end(w, s);
    if (e <= xe) e = align_up(w, xe + 1);
    for (; e <= el && e <= fe && !rc; e += w->step) {
        int64_t ws = window_start_of(w, e), hi = e - w->width;
        if (w->nruns && runs_in(w, ws, hi)) {
            rc = late_fire_spilled(w, key, klen, hash, ws, e, err);
            continue;
        }
        const void *acc = NULL;
        int n = 0;
        for (int i = 0; i < w->nslices; i++) {
            if (w->slices[i].start < ws) continue;
            if (w->slices[i].start > hi) break;
            const void *src = eddy_hmap_find(w->slices[i].map, key, klen, hash);
            if (!src) continue;
            if (n == 0) {
                acc = src;
            } else {
                if (n == 1) {
                    if (!w->merged) w->merged = eddy_hmap_new(w->row_size, 0);
                    void *dst = eddy_hmap_upsert(w->merged, key, klen, hash, NULL, NULL);
                    rc = eddy_aggs_merge(w->aggs, dst, acc, &w->merged_heap, err);
                    acc = dst;
                }
                if (!rc) rc = eddy_aggs_merge(w->aggs, (void *)acc, src, &w->merged_heap, err);
            }
            n++;
        }
        if (!rc && acc) rc = emit_one(w, key, klen, hash, acc, ws, e, find_emitted(w, e, true),
                                      err);
        if (n > 1) merged_reset(w);
    }
    return rc;
}

static int win_push(eddy_op *op, int input, eddy_batch *b, eddy_error *err)
{
    win_op *w = (win_op *)op;
    (void)input;
    if (b->n == 0) return 0;
    eddy_arena_reset(w->scratch);
    if (b->kinds) {
        for (int i = 0; i < b->n; i++)
            if (b->kinds[i] != EDDY_ROW_INSERT)
                return eddy_error_set(err, EDDY_EUNSUPPORTED, op->plan->line, op->plan->col,
                                      "window aggregation over updating rows is not supported "
                                      "yet");
    }
    eddy_rowkey_batch kb;
    eddy_rowkey_encode(&w->key, b, w->scratch, &kb);
    const eddy_col *tc = &b->cols[w->time_col];
    const int64_t *wmb = w->proctime ? NULL : b->wm_before;
    pend *p = eddy_arena_alloc(w->scratch, (size_t)b->n * sizeof(pend));
    int np = 0;
    int32_t *late = eddy_arena_alloc(w->scratch, (size_t)b->n * sizeof(int32_t));
    int nlate = 0;
    int64_t now = w->proctime ? realtime_ms() : 0;
    int64_t last_s = INT64_MIN, last_el = 0;
    for (int i = 0; i < b->n; i++) {
        if (wmb && wmb[i] > w->seen) {
            if (wmb[i] >= w->next_fire || wmb[i] >= w->next_expire) {
                int rc = apply(w, b, &kb, p, np, err);
                if (rc) return rc;
                np = 0;
                rc = advance(w, wmb[i], err);
                if (rc) return rc;
                last_s = INT64_MIN;
            } else {
                w->seen = wmb[i];
            }
        }
        if (tc->nulls && tc->nulls[i]) continue; /* no time: in no window */
        int64_t ts = tc->v.i64[i];
        if (w->proctime && ts <= w->seen) ts = w->seen + 1 > now ? w->seen + 1 : now;
        int64_t s = eddy_window_start(ts, w->width, w->offset);
        int64_t el;
        if (s == last_s) {
            el = last_el;
        } else {
            el = last_end(w, s);
            if (first_end(w, s) > el) continue; /* HOP with slide > size: between windows */
            /* the slice's next window may fire before anything held now */
            int64_t f = fire_wm(w, first_end_after(w, s, fired_end(w, w->seen)));
            if (f < w->next_fire) w->next_fire = f;
            last_s = s;
            last_el = el;
        }
        if (el <= expired_end(w, w->seen)) {
            op->late_rows++;
            late[nlate++] = i; /* to the late-row sink, if any (after the loop) */
            continue;
        }
        if (w->keep > 0 && w->late_ms == 0 && first_end(w, s) <= fired_end(w, w->seen)) {
            /* late for a fired window, within its lateness: add it and fire again */
            int rc = apply(w, b, &kb, p, np, err);
            np = 0;
            if (!rc) rc = late_fire(w, b, &kb, i, s, err);
            if (!rc) rc = flush(w, err);
            if (rc) return rc;
            continue;
        }
        p[np].start = s;
        p[np].row = i;
        np++;
    }
    int rc = apply(w, b, &kb, p, np, err);
    if (!rc) rc = eddy_op_emit_late(op, b, late, nlate, err);
    update_state_bytes(w);
    return rc;
}

static int win_watermark(eddy_op *op, int input, int64_t wm, eddy_error *err)
{
    win_op *w = (win_op *)op;
    int64_t m = eddy_op_input_watermark(op, input, wm);
    if (!w->proctime) {
        eddy_arena_reset(w->scratch);
        int rc = advance(w, m, err);
        update_state_bytes(w);
        if (rc) return rc;
    }
    return eddy_op_emit_watermark(op, m, err);
}

static int win_finish(eddy_op *op, int input, eddy_error *err)
{
    win_op *w = (win_op *)op;
    (void)input;
    if (++op->ninputs_finished < op->ninputs) return 0;
    eddy_arena_reset(w->scratch);
    int rc = advance(w, INT64_MAX, err);
    update_state_bytes(w);
    if (rc) return rc;
    return eddy_op_emit_finish(op, err);
}

/* Emits what changed in the windows with end in (from, to] that hold rows: early firing (the
 * open windows) and late firing with a delay (the fired ones within their lateness). */
static int refire(win_op *w, int64_t from, int64_t to, eddy_error *err)
{
    int64_t cursor = from;
    for (;;) {
        int64_t e = next_end(w, cursor);
        if (e == INT64_MAX || e > to) break;
        int rc = emit_window(w, e, false, err);
        if (rc) return rc;
        cursor = e;
    }
    return flush(w, err);
}

static int win_tick(eddy_op *op, int64_t now_ms, eddy_error *err)
{
    win_op *w = (win_op *)op;
    int rc = 0;
    eddy_arena_reset(w->scratch);
    if (w->proctime && op->ninputs_finished < op->ninputs) {
        rc = advance(w, realtime_ms() - 1, err);
        if (rc) return rc;
    }
    if (w->late_ms > 0) {
        if (w->next_late == 0) {
            w->next_late = now_ms + w->late_ms;
        } else if (now_ms >= w->next_late) {
            w->next_late = now_ms + w->late_ms;
            rc = refire(w, expired_end(w, w->seen), fired_end(w, w->seen), err);
            if (rc) return rc;
        }
    }
    if (w->early_ms > 0) {
        if (w->next_early == 0) {
            w->next_early = now_ms + w->early_ms;
        } else if (now_ms >= w->next_early) {
            w->next_early = now_ms + w->early_ms;
            rc = refire(w, fired_end(w, w->seen), INT64_MAX, err);
        }
    }
    update_state_bytes(w);
    return rc;
}

/* ---- state beyond memory (operator.h spill) ---- */

typedef struct spill_tab {
    int64_t t;
    eddy_hmap *map;
    int64_t *heap;
} spill_tab;

static int spill_tab_cmp(const void *a, const void *b)
{
    const spill_tab *x = a, *y = b;
    return x->t < y->t ? -1 : x->t > y->t;
}

/*
 * Writes the groups of every live slice and CUMULATE period table as one run and empties the
 * tables (a slice stays listed: its windows still fire, reading the run). What stays in memory:
 * the kept results of early/late firing. Nothing is written while the tables hold less than an
 * eighth of the budget (so that a job whose state is mostly elsewhere does not write a tiny
 * run after every batch).
 */
static int win_spill(eddy_op *op, eddy_error *err)
{
    win_op *w = (win_op *)op;
    if (!op->spill) return 0;
    int64_t bytes = 0;
    int n = 0;
    spill_tab *tabs = eddy_xmalloc(sizeof *tabs * (size_t)(w->nslices + w->ncum + 1));
    for (int i = 0; i < w->nslices; i++) {
        if (eddy_hmap_count(w->slices[i].map) == 0) continue;
        bytes += (int64_t)eddy_hmap_memory(w->slices[i].map) + w->slices[i].heap;
        tabs[n++] = (spill_tab){w->slices[i].start, w->slices[i].map, &w->slices[i].heap};
    }
    for (int i = 0; i < w->ncum; i++) {
        if (!w->cum[i].map || eddy_hmap_count(w->cum[i].map) == 0) continue;
        if (find_slice(w, w->cum[i].ws)) continue; /* (never: the period adopted that slice) */
        bytes += (int64_t)eddy_hmap_memory(w->cum[i].map) + w->cum[i].heap;
        tabs[n++] = (spill_tab){w->cum[i].ws, w->cum[i].map, &w->cum[i].heap};
    }
    if (n == 0 || bytes < eddy_spill_budget(op->spill) / 8) {
        free(tabs);
        return 0;
    }
    qsort(tabs, (size_t)n, sizeof *tabs, spill_tab_cmp);
    if (!w->owner[0]) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        snprintf(w->owner, sizeof w->owner, "w%d-%x", op->plan->id,
                 (unsigned)(ts.tv_nsec ^ ts.tv_sec ^ getpid()));
    }
    int64_t *ts = eddy_xmalloc(sizeof *ts * (size_t)n);
    eddy_hmap **maps = eddy_xmalloc(sizeof *maps * (size_t)n);
    for (int i = 0; i < n; i++) ts[i] = tabs[i].t, maps[i] = tabs[i].map;
    uint32_t id;
    int rc = eddy_spilltab_write(op->spill, w->owner, w->aggs, ts, maps, n, &id, err);
    free(maps);
    if (rc) {
        free(ts);
        free(tabs);
        return rc;
    }
    if (w->nruns == w->capruns) {
        w->capruns = w->capruns ? w->capruns * 2 : 4;
        w->runs = eddy_xrealloc(w->runs, sizeof(srun) * (size_t)w->capruns);
    }
    w->runs[w->nruns++] = (srun){.id = id, .starts = ts, .nstarts = n};
    if (getenv("EDDY_SPILL_LOG"))
        fprintf(stderr, "eddy: spill: %s run %u: %d table(s), %lld bytes of state\n", w->owner,
                id, n, (long long)bytes);
    for (int i = 0; i < n; i++) {
        slice tmp = {tabs[i].t, tabs[i].map, *tabs[i].heap};
        slice_free(w, &tmp);
        eddy_hmap *fresh = eddy_hmap_new(w->row_size, 0);
        for (int j = 0; j < w->nslices; j++)
            if (w->slices[j].map == tabs[i].map) w->slices[j].map = fresh, w->slices[j].heap = 0;
        for (int j = 0; j < w->ncum; j++)
            if (w->cum[j].map == tabs[i].map) w->cum[j].map = fresh, w->cum[j].heap = 0;
    }
    free(tabs);
    if (w->merged) {
        merged_reset(w);
        eddy_hmap_destroy(w->merged);
        w->merged = NULL;
    }
    w->last_count = 0;
    update_state_bytes(w);
    malloc_trim(0); /* the freed tables go back to the system, not only to malloc */
    return 0;
}

/* ---- checkpoints (operator.h; entry layout in opstate.h) ---- */

#define WIN_STATE_VERSION 2 /* 2: the spill runs follow the lists of the meta entry */
enum { TAG_CUMUL = 'C', TAG_EMITTED = 'E', TAG_SLICE = 'S' };

/* The settings that decide how the state is read and fired: a checkpoint restores only into an
 * operator with the same ones. */
typedef struct win_config {
    int64_t kind, proctime, size, step, width, offset, lateness, delay, keep, early_ms, late_ms;
    int64_t changelog, nkeys, naggs;
} win_config;

static win_config config_of(const win_op *w)
{
    win_config c = {w->kind,     w->proctime, w->size,     w->step,  w->width,
                    w->offset,   w->lateness, w->delay,    w->keep,  w->early_ms,
                    w->late_ms,  w->changelog, w->nkeys,   w->naggs};
    return c;
}

/* "allowed lateness 5000 ms with late firing at every late row, early firing off" */
static void describe_emit(const win_config *c, char *buf, size_t n)
{
    char late[64], early[48];
    if (c->keep > 0 && c->late_ms > 0)
        snprintf(late, sizeof late, " with late firing every %lld ms", (long long)c->late_ms);
    else if (c->keep > 0)
        snprintf(late, sizeof late, " with late firing at every late row");
    else
        late[0] = 0;
    if (c->early_ms > 0) snprintf(early, sizeof early, "every %lld ms", (long long)c->early_ms);
    else snprintf(early, sizeof early, "off");
    snprintf(buf, n, "allowed lateness %lld ms%s, early firing %s", (long long)c->lateness, late,
             early);
}

/* Writes every group of table m as entries (t, tag), in key order (opstate.h); acc: values are
 * accumulator rows, else the prevrows of early/late firing. */
static int put_table(win_op *w, eddy_state_db *db, eddy_hmap *m, int64_t t, char tag, bool acc,
                     eddy_strbuf *k, eddy_strbuf *v, eddy_error *err)
{
    uint32_t end = eddy_hmap_end(m), n = 0;
    eddy_opstate_order *o = eddy_xmalloc(sizeof *o * (end ? end : 1));
    for (uint32_t id = 0; id < end; id++) {
        if (!eddy_hmap_live(m, id)) continue;
        o[n] = (eddy_opstate_order){.t = 0, .key = id, .id = id};
        eddy_opstate_order_key(&o[n++], m);
    }
    eddy_opstate_sort(o, n, m);
    int rc = 0;
    for (uint32_t j = 0; j < n && !rc; j++) {
        uint32_t id = o[j].id;
        size_t klen;
        const void *key = eddy_hmap_key(m, id, &klen);
        eddy_opstate_entry(k, v, t, tag, key, klen, id);
        const void *val = eddy_hmap_value(m, id);
        if (acc) {
            eddy_aggs_row_encode(w->aggs, val, v);
        } else {
            const prevrow *p = val;
            if (p->n) eddy_strbuf_append(v, p->p, p->n);
        }
        rc = eddy_state_put(db, k->s, k->n, v->s, v->n, err);
    }
    free(o);
    return rc;
}

/*
 * A full snapshot: the meta entry (settings, watermark bookkeeping, the list of slices, CUMULATE
 * periods and windows with kept results) and one entry per group of each: slices under their
 * end, CUMULATE periods under the period's end, kept results under the window's end.
 * TODO(perf): write only the slices that changed since the last committed snapshot (their
 * groups are never removed, so a slice is either untouched or rewritten whole).
 */
static int win_snapshot(eddy_op *op, eddy_state_db *db, eddy_error *err)
{
    win_op *w = (win_op *)op;
    eddy_strbuf k = {0}, v = {0};
    int rc = eddy_state_clear(db, err);
    if (!rc) {
        win_config c = config_of(w);
        eddy_opstate_put_u32(&v, WIN_STATE_VERSION);
        eddy_opstate_put_u32(&v, (uint32_t)(sizeof c / sizeof(int64_t)));
        const int64_t *cv = (const int64_t *)&c;
        for (size_t i = 0; i < sizeof c / sizeof(int64_t); i++) eddy_opstate_put_i64(&v, cv[i]);
        eddy_opstate_put_i64(&v, w->seen);
        eddy_opstate_put_i64(&v, w->next_fire);
        eddy_opstate_put_i64(&v, w->next_expire);
        eddy_opstate_put_u32(&v, w->last_count);
        eddy_opstate_put_u64(&v, op->late_rows);
        eddy_opstate_put_u32(&v, (uint32_t)w->nslices);
        for (int i = 0; i < w->nslices; i++) eddy_opstate_put_i64(&v, w->slices[i].start);
        eddy_opstate_put_u32(&v, (uint32_t)w->ncum);
        for (int i = 0; i < w->ncum; i++) {
            eddy_opstate_put_i64(&v, w->cum[i].ws);
            eddy_opstate_put_i64(&v, w->cum[i].upto);
        }
        eddy_opstate_put_u32(&v, (uint32_t)w->nem);
        for (int i = 0; i < w->nem; i++) eddy_opstate_put_i64(&v, w->em[i].end);
        /* the live spill runs: named, not copied (spill.h) */
        uint32_t live = 0;
        for (int i = 0; i < w->nruns; i++) live += !w->runs[i].dead;
        size_t ol = strlen(w->owner);
        eddy_opstate_put_u32(&v, (uint32_t)ol);
        eddy_strbuf_append(&v, w->owner, ol);
        eddy_opstate_put_u32(&v, live);
        for (int i = 0; i < w->nruns; i++) {
            const srun *r = &w->runs[i];
            if (r->dead) continue;
            eddy_opstate_put_u32(&v, r->id);
            eddy_opstate_put_u32(&v, (uint32_t)r->nstarts);
            for (int j = 0; j < r->nstarts; j++) eddy_opstate_put_i64(&v, r->starts[j]);
        }
        rc = eddy_state_put(db, EDDY_OPSTATE_META_KEY, EDDY_OPSTATE_META_KLEN, v.s, v.n, err);
        if (!rc && live) rc = eddy_spill_sync(op->spill, err);
    }
    for (int i = 0; i < w->nslices && !rc; i++)
        rc = put_table(w, db, w->slices[i].map, sat_add(w->slices[i].start, w->width), TAG_SLICE,
                       true, &k, &v, err);
    for (int i = 0; i < w->ncum && !rc; i++)
        rc = put_table(w, db, w->cum[i].map, sat_add(w->cum[i].ws, w->size), TAG_CUMUL, true, &k,
                       &v, err);
    for (int i = 0; i < w->nem && !rc; i++)
        rc = put_table(w, db, w->em[i].map, w->em[i].end, TAG_EMITTED, false, &k, &v, err);
    eddy_strbuf_free(&k);
    eddy_strbuf_free(&v);
    return rc;
}

static int damaged(const win_op *w, eddy_error *err, const char *what)
{
    return eddy_error_set(err, EDDY_ESTATE, w->base.plan->line, w->base.plan->col,
                          "the checkpointed state of this window aggregation is damaged or from "
                          "another version of eddy (%s); start without it: remove the state "
                          "directory or choose another --state-dir",
                          what);
}

typedef struct restore_ctx {
    win_op *w;
    eddy_opstate_table tb;
} restore_ctx;

static slice *find_slice(win_op *w, int64_t start)
{
    int lo = 0, hi = w->nslices;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (w->slices[mid].start < start) lo = mid + 1;
        else hi = mid;
    }
    return lo < w->nslices && w->slices[lo].start == start ? &w->slices[lo] : NULL;
}

/* Puts the collected entries of one table back into it, in their old order. */
static int restore_table(win_op *w, eddy_opstate_table *tb, eddy_error *err)
{
    if (tb->n == 0) return 0;
    eddy_opstate_table_sort(tb);
    eddy_hmap *m = NULL;
    int64_t *heap = NULL;
    emitted *em = NULL;
    if (tb->tag == TAG_SLICE) {
        slice *s = find_slice(w, tb->t - w->width);
        if (s) m = s->map, heap = &s->heap;
    } else if (tb->tag == TAG_CUMUL) {
        cumul *c = find_cumul(w, tb->t - w->size);
        if (c) m = c->map, heap = &c->heap;
    } else if (tb->tag == TAG_EMITTED) {
        for (int i = 0; i < w->nem && !em; i++)
            if (w->em[i].end == tb->t) em = &w->em[i];
        if (em) m = em->map;
    }
    if (!m) return damaged(w, err, "an entry of no known slice or window");
    for (int i = 0; i < tb->n; i++) {
        const eddy_opstate_entry_t *e = &tb->e[i];
        bool is_new;
        void *val = eddy_hmap_upsert(m, e->gkey, e->gklen,
                                     eddy_opstate_key_hash(&w->key, e->gkey, e->gklen), &is_new,
                                     NULL);
        if (!is_new) return damaged(w, err, "a group twice in one slice");
        if (em) {
            prevrow *p = val;
            p->p = eddy_xmalloc(e->plen ? e->plen : 1);
            if (e->plen) memcpy(p->p, e->payload, e->plen);
            p->n = (uint32_t)e->plen;
            w->em_bytes += (int64_t)e->plen;
            continue;
        }
        eddy_error derr;
        eddy_error_clear(&derr);
        int64_t got = eddy_aggs_row_decode(w->aggs, val, e->payload, e->plen, heap, &derr);
        if (got < 0) return damaged(w, err, derr.msg);
        if ((size_t)got != e->plen) return damaged(w, err, "an accumulator longer than expected");
    }
    eddy_opstate_table_reset(tb);
    return 0;
}

static int restore_visit(void *ctx, const void *key, size_t klen, const void *val, size_t vlen,
                         eddy_error *err)
{
    restore_ctx *c = ctx;
    if (klen == EDDY_OPSTATE_META_KLEN && memcmp(key, EDDY_OPSTATE_META_KEY, klen) == 0) return 0;
    eddy_opstate_entry_t e;
    if (!eddy_opstate_parse(key, klen, val, vlen, &e)) return damaged(c->w, err, "a short entry");
    if (c->tb.n > 0 && (e.t != c->tb.t || e.tag != c->tb.tag)) {
        int rc = restore_table(c->w, &c->tb, err);
        if (rc) return rc;
    }
    eddy_opstate_table_add(&c->tb, &e);
    return 0;
}

static int win_restore(eddy_op *op, eddy_state_db *db, eddy_error *err)
{
    win_op *w = (win_op *)op;
    const void *val;
    size_t vlen;
    int rc = eddy_opstate_get_meta(db, &val, &vlen, err);
    if (rc == EDDY_ENOTFOUND) return 0;
    if (rc) return rc;
    eddy_opstate_rd r = eddy_opstate_rd_of(val, vlen);
    uint32_t version = eddy_opstate_get_u32(&r);
    uint32_t nconf = eddy_opstate_get_u32(&r);
    win_config mine = config_of(w), theirs;
    if (r.bad || version < 1 || version > WIN_STATE_VERSION ||
        nconf != sizeof theirs / sizeof(int64_t))
        return damaged(w, err, "unknown format");
    int64_t *tv = (int64_t *)&theirs;
    for (uint32_t i = 0; i < nconf; i++) tv[i] = eddy_opstate_get_i64(&r);
    if (r.bad) return damaged(w, err, "short meta entry");
    if (memcmp(&mine, &theirs, sizeof mine) != 0) {
        char a[160], b[160];
        describe_emit(&theirs, a, sizeof a);
        describe_emit(&mine, b, sizeof b);
        if (strcmp(a, b) == 0)
            return eddy_error_set(err, EDDY_ESTATE, op->plan->line, op->plan->col,
                                  "the checkpoint holds this window aggregation with another "
                                  "window or other aggregates; run the query it was taken "
                                  "with, or start without it (another --state-dir)");
        return eddy_error_set(err, EDDY_ESTATE, op->plan->line, op->plan->col,
                              "the checkpoint of this window aggregation was taken with %s; the "
                              "query now has %s: set 'table.exec.emit.*' as before, or start "
                              "without the checkpoint (another --state-dir)",
                              a, b);
    }
    w->seen = eddy_opstate_get_i64(&r);
    w->next_fire = eddy_opstate_get_i64(&r);
    w->next_expire = eddy_opstate_get_i64(&r);
    w->last_count = eddy_opstate_get_u32(&r);
    op->late_rows = eddy_opstate_get_u64(&r);
    uint32_t n = eddy_opstate_get_u32(&r);
    for (uint32_t i = 0; i < n && !r.bad; i++) {
        int64_t start = eddy_opstate_get_i64(&r);
        if (w->nslices > 0 && start <= w->slices[w->nslices - 1].start) r.bad = true;
        if (r.bad) break;
        if (w->nslices == w->capslices) {
            w->capslices = w->capslices ? w->capslices * 2 : 8;
            w->slices = eddy_xrealloc(w->slices, (size_t)w->capslices * sizeof(slice));
        }
        slice *s = &w->slices[w->nslices++];
        s->start = start;
        s->heap = 0;
        s->map = eddy_hmap_new(w->row_size, 0);
    }
    n = eddy_opstate_get_u32(&r);
    for (uint32_t i = 0; i < n && !r.bad; i++) {
        int64_t ws = eddy_opstate_get_i64(&r), upto = eddy_opstate_get_i64(&r);
        if (r.bad || find_cumul(w, ws)) {
            r.bad = true;
            break;
        }
        cumul *c = new_cumul(w, ws);
        c->upto = upto;
        c->map = eddy_hmap_new(w->row_size, 0);
    }
    n = eddy_opstate_get_u32(&r);
    for (uint32_t i = 0; i < n && !r.bad; i++) {
        int64_t end = eddy_opstate_get_i64(&r);
        if (r.bad) break;
        if (w->nem == w->capem) {
            w->capem = w->capem ? w->capem * 2 : 4;
            w->em = eddy_xrealloc(w->em, (size_t)w->capem * sizeof(emitted));
        }
        emitted *e = &w->em[w->nem++];
        e->end = end;
        e->map = eddy_hmap_new(sizeof(prevrow), 0);
    }
    if (version >= 2) {
        uint32_t ol = eddy_opstate_get_u32(&r);
        if (!r.bad && (ol >= sizeof w->owner || r.n - r.off < ol)) r.bad = true;
        if (!r.bad) {
            memcpy(w->owner, r.p + r.off, ol);
            w->owner[ol] = 0;
            r.off += ol;
        }
        n = eddy_opstate_get_u32(&r);
        for (uint32_t i = 0; i < n && !r.bad; i++) {
            uint32_t id = eddy_opstate_get_u32(&r), ns = eddy_opstate_get_u32(&r);
            if (r.bad || ns > (r.n - r.off) / 8) {
                r.bad = true;
                break;
            }
            int64_t *st = eddy_xmalloc(sizeof *st * (ns ? ns : 1));
            for (uint32_t k = 0; k < ns; k++) st[k] = eddy_opstate_get_i64(&r);
            if (w->nruns == w->capruns) {
                w->capruns = w->capruns ? w->capruns * 2 : 4;
                w->runs = eddy_xrealloc(w->runs, sizeof(srun) * (size_t)w->capruns);
            }
            /* named by the checkpoint restored: kept until a later one completes */
            w->runs[w->nruns++] = (srun){.id = id, .starts = st, .nstarts = (int)ns, .named = 1};
        }
    }
    if (r.bad || r.off != r.n) return damaged(w, err, "bad meta entry");
    w->ckpt_begun = w->ckpt_done = 1;
    if (w->nruns || w->owner[0]) {
        if (!op->spill) return damaged(w, err, "spilled state but no spill store");
        uint32_t *ids = eddy_xmalloc(sizeof *ids * (size_t)(w->nruns + 1));
        for (int i = 0; i < w->nruns; i++) ids[i] = w->runs[i].id;
        rc = eddy_spill_runs_keep(op->spill, w->owner, ids, w->nruns, err);
        free(ids);
        if (rc) return rc;
    }

    restore_ctx c = {.w = w};
    rc = eddy_state_scan(db, NULL, 0, restore_visit, &c, err);
    if (!rc) rc = restore_table(w, &c.tb, err);
    eddy_opstate_table_free(&c.tb);
    update_state_bytes(w);
    /* processing-time timers start again with the first tick */
    w->next_early = 0;
    w->next_late = 0;
    return rc;
}

/* The runs live now are the ones the snapshot about to be taken names. */
static void win_checkpoint_begin(eddy_op *op)
{
    win_op *w = (win_op *)op;
    w->ckpt_begun++;
    for (int i = 0; i < w->nruns; i++)
        if (!w->runs[i].dead) w->runs[i].named = w->ckpt_begun;
}

/* The last checkpoint begun is durable: runs that died before it began can go. */
static void win_checkpoint_done(eddy_op *op)
{
    win_op *w = (win_op *)op;
    w->ckpt_done = w->ckpt_begun;
    eddy_error err;
    eddy_error_clear(&err);
    if (w->nruns) (void)runs_expire(w, &err); /* a run that stays is dropped at the next try */
}

static void win_destroy(eddy_op *op)
{
    win_op *w = (win_op *)op;
    for (int i = 0; i < w->nruns; i++) free(w->runs[i].starts);
    free(w->runs);
    for (int i = 0; i < w->nslices; i++) slice_free(w, &w->slices[i]);
    free(w->slices);
    while (w->ncum > 0) cumul_drop(w, w->ncum - 1);
    free(w->cum);
    if (w->merged) {
        merged_reset(w);
        eddy_hmap_destroy(w->merged);
    }
    while (w->nem > 0) drop_emitted(w, &w->em[0]);
    free(w->em);
    eddy_rowkey_free(&w->key);
    eddy_rowkey_free(&w->outkey);
    eddy_strbuf_free(&w->sb);
    eddy_aggs_free(w->aggs);
    eddy_batch_free(w->out);
    eddy_arena_destroy(w->scratch);
    eddy_op_base_free(op);
    free(w);
}

static const eddy_op_ops win_ops = {
    .name = "WindowAggregate",
    .push = win_push,
    .watermark = win_watermark,
    .finish = win_finish,
    .tick = win_tick,
    .destroy = win_destroy,
    .snapshot = win_snapshot,
    .restore = win_restore,
    .checkpoint_done = win_checkpoint_done,
    .checkpoint_begin = win_checkpoint_begin,
    .spill = win_spill,
};

eddy_op *eddy_op_window_agg_new(const eddy_plan *p, eddy_error *err)
{
    const eddy_window_spec *ws = &p->u.window_agg.win;
    if (p->ninputs != 1 || !p->inputs || !p->inputs[0]) {
        eddy_error_set(err, EDDY_EPLAN, p->line, p->col, "window aggregation needs one input");
        return NULL;
    }
    const eddy_schema *in = &p->inputs[0]->out;
    int64_t size = ws->size, slide = ws->slide;
    if (ws->kind == EDDY_WINDOW_TUMBLE) slide = size;
    if (ws->kind == EDDY_WINDOW_SESSION || size <= 0 || slide <= 0 || ws->time_col < 0 ||
        ws->time_col >= in->n) {
        eddy_error_set(err, EDDY_EPLAN, p->line, p->col, "bad window specification");
        return NULL;
    }
    if (ws->kind == EDDY_WINDOW_CUMULATE && size % slide != 0) {
        eddy_error_set(err, EDDY_EPLAN, p->line, p->col,
                       "CUMULATE window size must be a multiple of its step");
        return NULL;
    }
    int nkeys = p->u.window_agg.nkeys, naggs = p->u.window_agg.naggs;
    if (p->out.n != nkeys + 3 + naggs) {
        eddy_error_set(err, EDDY_EPLAN, p->line, p->col,
                       "window aggregation output has %d columns, expected %d", p->out.n,
                       nkeys + 3 + naggs);
        return NULL;
    }
    eddy_aggs *aggs = eddy_aggs_new(p->u.window_agg.aggs, naggs, in, 0, p->line, p->col, err);
    if (!aggs) return NULL;

    win_op *w = eddy_xcalloc(1, sizeof *w);
    w->base.ops = &win_ops;
    w->base.plan = p;
    eddy_op_init_inputs(&w->base, 1);
    w->kind = ws->kind;
    w->time_col = ws->time_col;
    w->proctime = ws->proctime;
    w->size = size;
    w->offset = ws->offset;
    switch (ws->kind) {
    case EDDY_WINDOW_HOP:
        w->step = slide;
        w->width = eddy_gcd_i64(size, slide);
        w->phase = eddy_floormod_i64(ws->offset + size, slide);
        break;
    case EDDY_WINDOW_CUMULATE:
        w->step = slide;
        w->width = slide;
        w->phase = eddy_floormod_i64(ws->offset, slide);
        break;
    default:
        w->step = size;
        w->width = size;
        w->phase = eddy_floormod_i64(ws->offset, size);
        break;
    }
    w->lateness = p->u.window_agg.allowed_lateness_ms > 0 ? p->u.window_agg.allowed_lateness_ms
                                                          : 0;
    w->aggs = aggs;
    w->row_size = eddy_aggs_row_size(aggs);
    w->naggs = naggs;
    w->nkeys = nkeys;
    eddy_rowkey_init(&w->key, p->u.window_agg.keys, nkeys, in);
    w->seen = INT64_MIN;
    w->next_fire = INT64_MAX;
    w->next_expire = INT64_MAX;
    w->early_ms = p->u.window_agg.early_fire_ms > 0 ? p->u.window_agg.early_fire_ms : 0;
    if (p->u.window_agg.late_fire && w->lateness > 0) {
        w->keep = w->lateness;
        w->late_ms = p->u.window_agg.late_fire_ms > 0 ? p->u.window_agg.late_fire_ms : 0;
    } else {
        w->delay = w->lateness;
    }
    w->changelog = w->early_ms > 0 || w->keep > 0 || p->changelog;

    const eddy_sqltype *types[p->out.n ? p->out.n : 1];
    for (int i = 0; i < p->out.n; i++) types[i] = p->out.fields[i].type;
    eddy_rowkey_init_types(&w->outkey, types + nkeys + 3, naggs);
    w->out = eddy_batch_new(p->out.n, types, EDDY_BATCH_ROWS);
    w->scratch = eddy_arena_new(64 * 1024);
    return &w->base;
}
