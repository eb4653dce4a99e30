/*
 * op_session_agg.c: SESSION window aggregation (plan.h EDDY_PLAN_SESSION_AGG: the window_agg
 * fields with win.kind SESSION; keys = PARTITION BY / group keys; output: keys, window_start,
 * window_end, window_time, aggregates).
 *
 * Semantics (Flink's): each row opens the window [ts, ts + gap); windows of one key that
 * overlap or touch merge (new.start <= old.end and old.start <= new.end), so a row exactly
 * `gap` after the previous one joins its session and a row that bridges two sessions merges
 * them, accumulators and all. window_start is the first row's time, window_end the last row's
 * time + gap. A session fires when the watermark reaches end - 1 (+ allowed lateness). As in
 * Flink's MergingWindowSet, a row's window is merged first and lateness is checked after: a row
 * is late when its own window [ts, ts + gap) has fired (ts + gap - 1 (+ lateness) <= watermark
 * at its arrival) and it touches no session still open; late rows are counted and dropped.
 * Per-row watermarks (batch.h) are honoured as in op_window_agg.c.
 *
 * State, all reachable from the operator:
 *   keys      eddy_hmap: group key bytes -> head of the key's list of open sessions
 *   sess[]    session records (start, end, key id, list link, generation), reused through a
 *             free list; row i of `rows` is session i's accumulator row (agg.h, per-row
 *             DISTINCT sets so that merging two sessions moves pointers, not tables)
 *   timers    a min-heap of (end, session, generation) with one entry per open session:
 *             when a popped entry is older than its session's end (the session grew), it goes
 *             back with the new end; entries of merged-away sessions are recognised by their
 *             generation and dropped.
 * Rows are applied to sessions in runs, column-wise (eddy_aggs_update with session ids as
 * group ids); a run is flushed before any merge or firing so that no pending row points at a
 * session that goes away. Keys whose last session fired are removed from the key table at the
 * end of the call (ids of pending rows stay valid meanwhile); the table is compacted when most
 * of its ids are holes.
 *
 * Checkpoints (operator.h snapshot/restore, entry layout in opstate.h): a full snapshot each
 * time: a meta entry (gap, lateness and aggregates, checked on restore; `seen`, `next_fire`, the
 * creation counter, the late-row count) and one entry per open session,
 * eddy_state_key_i64(end) | 'W' | group key -> start, creation order, accumulator. Restore
 * re-creates the sessions with their creation order (which orders ties when they fire) and one
 * timer each.
 *
 * Version 2 of the meta entry adds the spill runs (see "state beyond memory" below).
 *
 * Sessions that fire at one watermark are emitted in end order, ties in creation order (those
 * fired from spill runs after the ones in memory, in (end, key) order).
 * Allowed lateness delays the firing to end - 1 + lateness. Early firing and late firing
 * ('table.exec.emit.late-fire.enabled') are not supported for session windows yet: the
 * constructor says so.
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../common/hash.h"
#include "../common/hashmap.h"
#include "agg.h"
#include "operator.h"
#include "opstate.h"
#include "rowkey.h"
#include "spill_table.h"

typedef struct sess {
    int64_t start;      /* first row's time */
    int64_t end;        /* last row's time + gap */
    uint64_t seq;       /* creation order */
    uint32_t key;       /* id in the key table */
    uint32_t next;      /* next session of the key (index + 1), or next free one */
    uint32_t gen;       /* bumped when the session is freed */
    uint32_t live;      /* 1 while open */
} sess;

typedef struct keyval {
    uint32_t head;      /* first open session of the key, index + 1; 0 = none */
    uint32_t pad;
} keyval;

typedef struct timer {
    int64_t end;        /* session end when the entry was pushed */
    uint32_t idx;       /* session */
    uint32_t gen;       /* its generation then */
} timer;

typedef struct pendrow {
    int32_t row;        /* batch row */
    uint32_t sid;       /* session */
} pendrow;

typedef struct ses_op {
    eddy_op base;           /* must be first */
    int time_col;
    bool proctime;
    int64_t gap;
    int64_t lateness;
    eddy_aggs *aggs;
    size_t row_size;
    eddy_rowkey key;
    int nkeys;

    eddy_hmap *keys;        /* group key -> keyval */
    sess *sess;             /* sessions */
    char *rows;             /* accumulator rows, parallel to sess */
    uint32_t nsess, capsess;/* used slots / allocated */
    uint32_t free_head;     /* free list (index + 1) */
    uint32_t nlive;
    int64_t heap;           /* heap bytes of the rows */
    uint64_t seq;

    timer *timers;          /* min-heap by end */
    uint32_t ntimers, captimers;

    uint32_t *emptied;      /* key ids whose last session fired during this call */
    uint32_t nemptied, capemptied;

    int64_t seen;           /* highest watermark applied */
    int64_t next_fire;      /* lowest watermark at which a session may fire */

    eddy_batch *out;
    eddy_arena *scratch;

    char owner[48];         /* name of its spill runs ("" until the first) */
    struct xrun {
        uint32_t id;
        bool dead;          /* every session in it has fired or come back */
        uint64_t named;     /* the last checkpoint (begin sequence) that saw it live; 0: none */
        int64_t from;       /* sessions ending before this have fired or come back */
        int64_t next_end;   /* the first end >= from in it; INT64_MAX: none */
        eddy_spilltab_bloom bloom; /* its keys */
    } *runs;
    int nruns, capruns;
    uint64_t ckpt_begun, ckpt_done;
    eddy_hset *back;        /* creation numbers (seq) of spilled sessions that came back into
                             * memory, until their run's firing passes them */
    eddy_strbuf kb, vb;     /* scratch for run entries */
} ses_op;

static inline int64_t sat_add(int64_t a, int64_t b)
{
    int64_t r;
    if (__builtin_add_overflow(a, b, &r)) return b > 0 ? INT64_MAX : INT64_MIN;
    return r;
}

static inline int64_t fire_wm(const ses_op *s, int64_t end)
{
    return sat_add(end - 1, s->lateness);
}

static int64_t realtime_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static inline char *row_of(const ses_op *s, uint32_t i)
{
    return s->rows + (size_t)i * s->row_size;
}

/* ---- timers ---- */

static void timer_push(ses_op *s, int64_t end, uint32_t idx, uint32_t gen)
{
    if (s->ntimers == s->captimers) {
        s->captimers = s->captimers ? s->captimers * 2 : 64;
        s->timers = eddy_xrealloc(s->timers, (size_t)s->captimers * sizeof(timer));
    }
    uint32_t i = s->ntimers++;
    timer t = {end, idx, gen};
    while (i > 0) {
        uint32_t p = (i - 1) / 2;
        if (s->timers[p].end <= end) break;
        s->timers[i] = s->timers[p];
        i = p;
    }
    s->timers[i] = t;
}

static timer timer_pop(ses_op *s)
{
    timer top = s->timers[0];
    timer last = s->timers[--s->ntimers];
    uint32_t i = 0, n = s->ntimers;
    for (;;) {
        uint32_t c = 2 * i + 1;
        if (c >= n) break;
        if (c + 1 < n && s->timers[c + 1].end < s->timers[c].end) c++;
        if (s->timers[c].end >= last.end) break;
        s->timers[i] = s->timers[c];
        i = c;
    }
    if (n) s->timers[i] = last;
    return top;
}

/* ---- sessions ---- */

static uint32_t sess_new(ses_op *s, uint32_t key, int64_t start, int64_t end)
{
    uint32_t i;
    if (s->free_head) {
        i = s->free_head - 1;
        s->free_head = s->sess[i].next;
    } else {
        if (s->nsess == s->capsess) {
            uint32_t cap = s->capsess ? s->capsess * 2 : 64;
            s->sess = eddy_xrealloc(s->sess, (size_t)cap * sizeof(sess));
            s->rows = eddy_xrealloc(s->rows, (size_t)cap * s->row_size);
            memset(s->rows + (size_t)s->capsess * s->row_size, 0,
                   (size_t)(cap - s->capsess) * s->row_size);
            memset(s->sess + s->capsess, 0, (size_t)(cap - s->capsess) * sizeof(sess));
            s->capsess = cap;
        }
        i = s->nsess++;
    }
    sess *x = &s->sess[i];
    x->start = start;
    x->end = end;
    x->seq = s->seq++;
    x->key = key;
    x->live = 1;
    keyval *kv = eddy_hmap_value(s->keys, key);
    x->next = kv->head;
    kv->head = i + 1;
    s->nlive++;
    timer_push(s, end, i, x->gen);
    int64_t f = fire_wm(s, end);
    if (f < s->next_fire) s->next_fire = f;
    return i;
}

/* Takes session i off its key's list and frees its row. */
static void sess_free(ses_op *s, uint32_t i)
{
    sess *x = &s->sess[i];
    keyval *kv = eddy_hmap_value(s->keys, x->key);
    uint32_t *link = &kv->head;
    while (*link && *link != i + 1) link = &s->sess[*link - 1].next;
    if (*link) *link = x->next;
    if (kv->head == 0) {
        if (s->nemptied == s->capemptied) {
            s->capemptied = s->capemptied ? s->capemptied * 2 : 64;
            s->emptied = eddy_xrealloc(s->emptied, (size_t)s->capemptied * sizeof(uint32_t));
        }
        s->emptied[s->nemptied++] = x->key;
    }
    eddy_aggs_row_free(s->aggs, row_of(s, i), &s->heap);
    x->live = 0;
    x->gen++;
    x->next = s->free_head;
    s->free_head = i + 1;
    s->nlive--;
}

/* Removes keys left without sessions; compacts the key table when mostly holes. */
static void tidy_keys(ses_op *s)
{
    for (uint32_t j = 0; j < s->nemptied; j++) {
        uint32_t id = s->emptied[j];
        if (!eddy_hmap_live(s->keys, id)) continue;
        const keyval *kv = eddy_hmap_value(s->keys, id);
        if (kv->head) continue;
        size_t klen;
        const void *k = eddy_hmap_key(s->keys, id, &klen);
        /* copy: remove may move the bytes it points at */
        unsigned char small[64];
        void *kc = klen <= sizeof small ? small : eddy_xmalloc(klen);
        if (klen) memcpy(kc, k, klen);
        eddy_hmap_remove(s->keys, kc, klen, eddy_hmap_hash(s->keys, id));
        if (kc != small) free(kc);
    }
    s->nemptied = 0;
    if (s->nlive == 0 && s->capsess > 1024) {
        /* nothing open: give the arrays and the key table back */
        free(s->sess);
        free(s->rows);
        free(s->timers);
        s->sess = NULL;
        s->rows = NULL;
        s->timers = NULL;
        s->nsess = s->capsess = s->free_head = 0;
        s->ntimers = s->captimers = 0;
        eddy_hmap_destroy(s->keys);
        s->keys = eddy_hmap_new(sizeof(keyval), 0);
        return;
    }
    uint32_t end = eddy_hmap_end(s->keys), live = eddy_hmap_count(s->keys);
    if (end - live > 4096 && end - live > live) {
        uint32_t *map = eddy_xmalloc((size_t)end * sizeof(uint32_t));
        eddy_hmap_compact(s->keys, map);
        for (uint32_t i = 0; i < s->nsess; i++)
            if (s->sess[i].live) s->sess[i].key = map[s->sess[i].key];
        free(map);
    }
}

static void update_state_bytes(ses_op *s)
{
    int64_t b = (int64_t)eddy_hmap_memory(s->keys) + s->heap + (int64_t)eddy_hset_memory(s->back) +
                (int64_t)s->capsess * (int64_t)(sizeof(sess) + s->row_size) +
                (int64_t)s->captimers * (int64_t)sizeof(timer);
    for (int r = 0; r < s->nruns; r++) b += (int64_t)eddy_spilltab_bloom_bytes(&s->runs[r].bloom);
    s->base.state_bytes = b > 0 ? (uint64_t)b : 0;
}

/* ---- output ---- */

static int flush_out(ses_op *s, eddy_error *err)
{
    if (s->out->n == 0) return 0;
    int rc = eddy_op_emit(&s->base, s->out, err);
    eddy_batch_reset(s->out);
    return rc;
}

static int emit_session(ses_op *s, uint32_t i, eddy_error *err)
{
    eddy_batch *o = s->out;
    if (o->n == o->cap) {
        int rc = flush_out(s, err);
        if (rc) return rc;
    }
    const sess *x = &s->sess[i];
    int r = o->n;
    size_t klen;
    const void *key = eddy_hmap_key(s->keys, x->key, &klen);
    eddy_rowkey_decode(&s->key, key, klen, o, 0, r);
    int c = s->nkeys;
    int64_t vals[3] = {x->start, x->end, x->end - 1};
    for (int j = 0; j < 3; j++) {
        o->cols[c + j].v.i64[r] = vals[j];
        if (o->cols[c + j].nulls) o->cols[c + j].nulls[r] = 0;
    }
    int rc = eddy_aggs_output(s->aggs, row_of(s, i), o, c + 3, r, err);
    if (rc) return rc;
    if (o->kinds) o->kinds[r] = EDDY_ROW_INSERT;
    o->n++;
    return 0;
}

static int fire_runs(ses_op *s, int64_t wm, eddy_error *err);
static void next_fire_of_runs(ses_op *s);

static _Thread_local const ses_op *cmp_op;
static int fired_cmp(const void *a, const void *b)
{
    const sess *x = &cmp_op->sess[*(const uint32_t *)a], *y = &cmp_op->sess[*(const uint32_t *)b];
    if (x->end != y->end) return x->end < y->end ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Fires every session whose end - 1 + lateness <= wm. */
static int fire(ses_op *s, int64_t wm, eddy_error *err)
{
    uint32_t *fired = NULL;
    uint32_t nf = 0, capf = 0;
    while (s->ntimers > 0 && fire_wm(s, s->timers[0].end) <= wm) {
        timer t = timer_pop(s);
        sess *x = &s->sess[t.idx];
        if (!x->live || x->gen != t.gen) continue;       /* merged away or fired */
        if (fire_wm(s, x->end) > wm) {                   /* grew since: wait again */
            timer_push(s, x->end, t.idx, t.gen);
            continue;
        }
        if (nf == capf) {
            capf = capf ? capf * 2 : 64;
            fired = eddy_xrealloc(fired, (size_t)capf * sizeof(uint32_t));
        }
        fired[nf++] = t.idx;
        x->gen++; /* a second timer entry of this session (none expected) is now stale */
    }
    int rc = 0;
    if (nf > 1) {
        cmp_op = s;
        qsort(fired, nf, sizeof(uint32_t), fired_cmp);
    }
    for (uint32_t j = 0; j < nf && !rc; j++) rc = emit_session(s, fired[j], err);
    for (uint32_t j = 0; j < nf; j++) sess_free(s, fired[j]);
    free(fired);
    if (!rc && s->nruns) rc = fire_runs(s, wm, err); /* the sessions on disk (spill) */
    if (wm > s->seen) s->seen = wm;
    s->next_fire = s->ntimers ? fire_wm(s, s->timers[0].end) : INT64_MAX;
    next_fire_of_runs(s);
    if (rc) return rc;
    return flush_out(s, err);
}

static int advance(ses_op *s, int64_t wm, eddy_error *err)
{
    if (wm <= s->seen) return 0;
    if (wm < s->next_fire) {
        s->seen = wm;
        return 0;
    }
    return fire(s, wm, err);
}

/* ---- state beyond memory (operator.h spill; spill.h) ----
 * A spill writes every open session as one run and empties the operator. A run holds, per
 * session, 'D' | end | skey | seq -> long flag (+ key) | start | accumulator, in firing order,
 * and per key 'K' | skey -> its sessions' (end, seq) (skey: spill_table.h). A row whose key is
 * not in memory first brings the key's spilled sessions back (load_key; the runs' Bloom filters
 * spare most lookups), so that merging and lateness see them as before; sessions that stay on
 * disk fire from their runs, in (end, key) order, when the watermark passes them. The creation
 * numbers of sessions that came back are kept (back) until their run's firing passes them, so
 * that they fire only once. */

#define SK (EDDY_SPILLTAB_KEY + 8)

static void put_be64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++) p[i] = (unsigned char)(v >> (56 - 8 * i));
}

static uint64_t get_be64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v = v << 8 | p[i];
    return v;
}

/* The key of a session in `back`: its run and creation number. */
static uint64_t back_key(unsigned char out[12], uint32_t run, uint64_t seq)
{
    memcpy(out, &run, 4);
    memcpy(out + 4, &seq, 8);
    return eddy_hash_bytes(out, 12);
}

static size_t skey_of_sess(const ses_op *s, uint32_t i, unsigned char *out)
{
    size_t klen;
    const void *key = eddy_hmap_key(s->keys, s->sess[i].key, &klen);
    return eddy_spilltab_skey(key, klen, eddy_hmap_hash(s->keys, s->sess[i].key), out);
}

static int skey_cmp(const ses_op *s, uint32_t a, uint32_t b)
{
    unsigned char x[SK], y[SK];
    size_t nx = skey_of_sess(s, a, x), ny = skey_of_sess(s, b, y);
    int c = memcmp(x, y, nx < ny ? nx : ny);
    return c ? c : (nx < ny ? -1 : nx > ny);
}

static int fire_order(const void *a, const void *b, void *ctx)
{
    const ses_op *s = ctx;
    uint32_t i = *(const uint32_t *)a, j = *(const uint32_t *)b;
    const sess *x = &s->sess[i], *y = &s->sess[j];
    if (x->end != y->end) return x->end < y->end ? -1 : 1;
    int c = skey_cmp(s, i, j);
    return c ? c : (x->seq < y->seq ? -1 : x->seq > y->seq);
}

static int key_order(const void *a, const void *b, void *ctx)
{
    const ses_op *s = ctx;
    uint32_t i = *(const uint32_t *)a, j = *(const uint32_t *)b;
    int c = skey_cmp(s, i, j);
    if (c) return c;
    const sess *x = &s->sess[i], *y = &s->sess[j];
    if (x->end != y->end) return x->end < y->end ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* The data entry's key of a session: 'D' | end | skey | seq. */
static void data_key(eddy_strbuf *k, int64_t end, const unsigned char *sk, size_t skn, uint64_t seq)
{
    unsigned char b[8];
    eddy_strbuf_clear(k);
    eddy_strbuf_putc(k, 'D');
    eddy_state_key_i64(b, end);
    eddy_strbuf_append(k, (const char *)b, 8);
    eddy_strbuf_append(k, (const char *)sk, skn);
    put_be64(b, seq);
    eddy_strbuf_append(k, (const char *)b, 8);
}

static void next_fire_of_runs(ses_op *s)
{
    for (int r = 0; r < s->nruns; r++) {
        if (s->runs[r].dead || s->runs[r].next_end == INT64_MAX) continue;
        int64_t f = fire_wm(s, s->runs[r].next_end);
        if (f < s->next_fire) s->next_fire = f;
    }
}

/* Drops the dead runs that no checkpoint which may still be restored names. */
static int drop_dead(ses_op *s, eddy_error *err)
{
    int rc = 0;
    for (int i = 0; i < s->nruns && !rc;) {
        struct xrun *r = &s->runs[i];
        if (r->dead && (r->named == 0 || r->named < s->ckpt_done)) {
            rc = eddy_spill_run_drop(s->base.spill, s->owner, r->id, err);
            eddy_spilltab_bloom_free(&r->bloom);
            memmove(r, r + 1, sizeof *r * (size_t)(s->nruns - i - 1));
            s->nruns--;
            continue;
        }
        i++;
    }
    return rc;
}

static void reset_all(ses_op *s);

static int ses_spill(eddy_op *op, eddy_error *err)
{
    ses_op *s = (ses_op *)op;
    if (!op->spill || s->nlive == 0) return 0;
    if ((int64_t)op->state_bytes < eddy_spill_budget(op->spill) / 8) return 0;
    if (!s->owner[0]) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        snprintf(s->owner, sizeof s->owner, "s%d-%x", op->plan->id,
                 (unsigned)(ts.tv_nsec ^ ts.tv_sec ^ getpid()));
    }
    uint32_t *o = eddy_xmalloc(sizeof *o * s->nlive), n = 0;
    for (uint32_t i = 0; i < s->nsess; i++)
        if (s->sess[i].live) o[n++] = i;
    eddy_spill_writer *w;
    uint32_t id;
    int rc = eddy_spill_run_begin(op->spill, s->owner, &id, &w, err);
    if (rc) {
        free(o);
        return rc;
    }
    unsigned char sk[SK], b[8];
    int64_t min_end = INT64_MAX;
    qsort_r(o, n, sizeof *o, fire_order, s);
    for (uint32_t j = 0; j < n && !rc; j++) {
        const sess *x = &s->sess[o[j]];
        size_t klen, skn = skey_of_sess(s, o[j], sk);
        const void *key = eddy_hmap_key(s->keys, x->key, &klen);
        data_key(&s->kb, x->end, sk, skn, x->seq);
        eddy_strbuf_clear(&s->vb);
        eddy_strbuf_putc(&s->vb, klen > EDDY_SPILLTAB_KEY);
        if (klen > EDDY_SPILLTAB_KEY) {
            eddy_opstate_put_u32(&s->vb, (uint32_t)klen);
            eddy_strbuf_append(&s->vb, key, klen);
        }
        eddy_opstate_put_i64(&s->vb, x->start);
        eddy_aggs_row_encode(s->aggs, row_of(s, o[j]), &s->vb);
        rc = eddy_spill_put(w, s->kb.s, s->kb.n, s->vb.s, s->vb.n, err);
        if (x->end < min_end) min_end = x->end;
    }
    /* the key index, and the Bloom filter of the keys */
    struct xrun run = {.id = id, .from = INT64_MIN, .next_end = min_end};
    eddy_spilltab_bloom_init(&run.bloom, eddy_hmap_count(s->keys));
    qsort_r(o, n, sizeof *o, key_order, s);
    for (uint32_t j = 0; j < n && !rc;) {
        uint32_t k = j;
        eddy_strbuf_clear(&s->vb);
        while (k < n && (k == j || skey_cmp(s, o[j], o[k]) == 0)) k++;
        eddy_opstate_put_u32(&s->vb, k - j);
        for (uint32_t m = j; m < k; m++) {
            eddy_opstate_put_i64(&s->vb, s->sess[o[m]].end);
            eddy_opstate_put_u64(&s->vb, s->sess[o[m]].seq);
        }
        size_t skn = skey_of_sess(s, o[j], sk);
        eddy_strbuf_clear(&s->kb);
        eddy_strbuf_putc(&s->kb, 'K');
        eddy_strbuf_append(&s->kb, (const char *)sk, skn);
        eddy_spilltab_bloom_add(&run.bloom, eddy_hmap_hash(s->keys, s->sess[o[j]].key));
        rc = eddy_spill_put(w, s->kb.s, s->kb.n, s->vb.s, s->vb.n, err);
        j = k;
    }
    (void)b;
    free(o);
    int rc2 = eddy_spill_run_end(w, rc == 0, err);
    if (rc || rc2) {
        eddy_spilltab_bloom_free(&run.bloom);
        return rc ? rc : rc2;
    }
    if (s->nruns == s->capruns) {
        s->capruns = s->capruns ? s->capruns * 2 : 8;
        s->runs = eddy_xrealloc(s->runs, sizeof *s->runs * (size_t)s->capruns);
    }
    s->runs[s->nruns++] = run;
    if (getenv("EDDY_SPILL_LOG"))
        fprintf(stderr, "eddy: spill: %s run %u: %u session(s), %llu bytes of state\n", s->owner,
                id, n, (unsigned long long)op->state_bytes);
    reset_all(s);
    s->next_fire = INT64_MAX;
    next_fire_of_runs(s);
    update_state_bytes(s);
    malloc_trim(0);
    return 0;
}

/* The entry of run r under key k exactly: 1 and its value (valid until the cursor closes), 0. */
static int run_get(ses_op *s, uint32_t run, const eddy_strbuf *k, eddy_spill_cursor **c,
                   const void **val, size_t *vlen, eddy_error *err)
{
    int rc = eddy_spill_cursor_open(s->base.spill, s->owner, run, k->s, k->n, c, err);
    if (rc) return rc;
    const void *key;
    size_t klen;
    int got = eddy_spill_cursor_get(*c, &key, &klen, val, vlen, err);
    if (got <= 0) return got;
    return klen == k->n && memcmp(key, k->s, klen) == 0;
}

static int spilled_damaged(const ses_op *s, eddy_error *err)
{
    return eddy_error_set(err, EDDY_ESTATE, s->base.plan->line, s->base.plan->col,
                          "a spilled SESSION window entry is damaged (spill store)");
}

/* Brings the spilled sessions of key (not in memory) back: each becomes an open session again
 * with its start, end, creation number and accumulator. */
static int load_key(ses_op *s, const void *key, size_t klen, uint64_t hash, eddy_error *err)
{
    unsigned char sk[SK];
    size_t skn = eddy_spilltab_skey(key, klen, hash, sk);
    int rc = 0;
    for (int r = 0; r < s->nruns && !rc; r++) {
        struct xrun *x = &s->runs[r];
        if (x->dead || !eddy_spilltab_bloom_may(&x->bloom, hash)) continue;
        eddy_strbuf_clear(&s->kb);
        eddy_strbuf_putc(&s->kb, 'K');
        eddy_strbuf_append(&s->kb, (const char *)sk, skn);
        eddy_spill_cursor *c = NULL;
        const void *val;
        size_t vlen;
        int got = run_get(s, x->id, &s->kb, &c, &val, &vlen, err);
        if (got <= 0) {
            eddy_spill_cursor_close(c);
            rc = got;
            continue;
        }
        /* copy the index: the cursors below move */
        eddy_strbuf idx = {0};
        eddy_strbuf_append(&idx, val, vlen);
        eddy_spill_cursor_close(c);
        eddy_opstate_rd rd = eddy_opstate_rd_of(idx.s, idx.n);
        uint32_t n = eddy_opstate_get_u32(&rd);
        for (uint32_t j = 0; j < n && !rc; j++) {
            int64_t end = eddy_opstate_get_i64(&rd);
            uint64_t seq = eddy_opstate_get_u64(&rd);
            if (rd.bad) {
                rc = spilled_damaged(s, err);
                break;
            }
            unsigned char bk[12];
            uint64_t bh = back_key(bk, x->id, seq);
            if (end < x->from || eddy_hset_contains(s->back, bk, 12, bh)) continue;
            data_key(&s->kb, end, sk, skn, seq);
            got = run_get(s, x->id, &s->kb, &c, &val, &vlen, err);
            if (got == 0) rc = spilled_damaged(s, err);
            if (got <= 0) {
                if (!rc) rc = got;
                eddy_spill_cursor_close(c);
                break;
            }
            const unsigned char *p = val;
            size_t off = 1;
            if (vlen < 1 + 8) got = -1;
            else if (p[0]) off += 4 + (size_t)(p[1] | p[2] << 8 | p[3] << 16 | (uint32_t)p[4] << 24);
            if (got < 0 || off + 8 > vlen) {
                eddy_spill_cursor_close(c);
                rc = spilled_damaged(s, err);
                break;
            }
            eddy_opstate_rd v = eddy_opstate_rd_of(p + off, vlen - off);
            int64_t start = eddy_opstate_get_i64(&v);
            uint32_t kid;
            eddy_hmap_upsert(s->keys, key, klen, hash, NULL, &kid);
            uint32_t i = sess_new(s, kid, start, end);
            s->sess[i].seq = seq;
            int64_t used = eddy_aggs_row_decode(s->aggs, row_of(s, i), p + off + 8, vlen - off - 8,
                                                &s->heap, err);
            eddy_spill_cursor_close(c);
            if (used < 0) rc = (int)used;
            eddy_hset_add(s->back, bk, 12, bh, NULL);
        }
        eddy_strbuf_free(&idx);
    }
    return rc;
}

/* Brings back the spilled sessions of the keys of rows take[i] != 0 that are not in memory. */
static int load_spilled(ses_op *s, const eddy_rowkey_batch *kb, const uint8_t *take, int n,
                        eddy_error *err)
{
    int rc = eddy_spill_read_begin(s->base.spill, err);
    if (rc) return rc;
    for (int i = 0; i < n && !rc; i++) {
        if (!take[i]) continue;
        const void *key = kb->u64 ? (const void *)&kb->u64[i] : kb->keys[i];
        size_t klen = kb->u64 ? 8 : kb->lens[i];
        uint32_t id;
        if (eddy_hmap_find_id(s->keys, key, klen, kb->hashes[i], &id)) continue;
        rc = load_key(s, key, klen, kb->hashes[i], err);
        /* the key stays in memory (without sessions, tidy_keys removes it): looked up once */
        if (!rc && !eddy_hmap_find_id(s->keys, key, klen, kb->hashes[i], &id)) {
            if (kb->u64) eddy_hmap_upsert_u64(s->keys, kb->u64[i], kb->hashes[i], NULL, &id);
            else eddy_hmap_upsert(s->keys, key, klen, kb->hashes[i], NULL, &id);
            if (s->nemptied == s->capemptied) {
                s->capemptied = s->capemptied ? s->capemptied * 2 : 64;
                s->emptied = eddy_xrealloc(s->emptied, (size_t)s->capemptied * sizeof(uint32_t));
            }
            s->emptied[s->nemptied++] = id;
        }
    }
    eddy_spill_read_end(s->base.spill);
    return rc;
}

/* Emits a session read from a run: its key, window and accumulator. */
static int emit_raw(ses_op *s, const void *key, size_t klen, int64_t start, int64_t end,
                    const void *row, eddy_error *err)
{
    eddy_batch *o = s->out;
    if (o->n == o->cap) {
        int rc = flush_out(s, err);
        if (rc) return rc;
    }
    int r = o->n;
    eddy_rowkey_decode(&s->key, key, klen, o, 0, r);
    int c = s->nkeys;
    int64_t vals[3] = {start, end, end - 1};
    for (int j = 0; j < 3; j++) {
        o->cols[c + j].v.i64[r] = vals[j];
        if (o->cols[c + j].nulls) o->cols[c + j].nulls[r] = 0;
    }
    int rc = eddy_aggs_output(s->aggs, row, o, c + 3, r, err);
    if (rc) return rc;
    if (o->kinds) o->kinds[r] = EDDY_ROW_INSERT;
    o->n++;
    return 0;
}

/* Fires the spilled sessions with end - 1 + lateness <= wm, run by run. */
static int fire_runs(ses_op *s, int64_t wm, eddy_error *err)
{
    int rc = 0;
    bool any = false;
    for (int r = 0; r < s->nruns; r++)
        any |= !s->runs[r].dead && s->runs[r].next_end != INT64_MAX &&
               fire_wm(s, s->runs[r].next_end) <= wm;
    if (!any) return 0;
    rc = eddy_spill_read_begin(s->base.spill, err);
    if (rc) return rc;
    void *row = eddy_xcalloc(1, s->row_size);
    int64_t heap = 0;
    for (int r = 0; r < s->nruns && !rc; r++) {
        struct xrun *x = &s->runs[r];
        if (x->dead || x->next_end == INT64_MAX || fire_wm(s, x->next_end) > wm) continue;
        eddy_strbuf_clear(&s->kb);
        eddy_strbuf_putc(&s->kb, 'D');
        unsigned char b[8];
        eddy_state_key_i64(b, x->from);
        eddy_strbuf_append(&s->kb, (const char *)b, 8);
        eddy_spill_cursor *c;
        rc = eddy_spill_cursor_open(s->base.spill, s->owner, x->id, s->kb.s, s->kb.n, &c, err);
        if (rc) break;
        x->next_end = INT64_MAX;
        for (;;) {
            const void *k, *v;
            size_t kl, vl;
            int got = eddy_spill_cursor_get(c, &k, &kl, &v, &vl, err);
            if (got < 0) rc = got;
            if (got <= 0) break;
            const unsigned char *kp = k, *vp = v;
            if (kp[0] != 'D') break;
            if (kl < 1 + 8 + 8 || vl < 1 + 8) {
                rc = spilled_damaged(s, err);
                break;
            }
            int64_t end = eddy_state_key_i64_get(kp + 1);
            if (fire_wm(s, end) > wm) {
                x->next_end = end;
                break;
            }
            x->from = end; /* entries of this end stay to be read while others qualify */
            unsigned char bk[12];
            uint64_t bh = back_key(bk, x->id, get_be64(kp + kl - 8));
            if (eddy_hset_remove(s->back, bk, 12, bh)) { /* came back: it fires from memory */
                rc = eddy_spill_cursor_next(c, err);
                if (rc) break;
                continue;
            }
            const void *key = kp + 9;
            size_t klen = kl - 17, off = 1;
            if (vp[0]) {
                uint32_t n = (uint32_t)(vp[1] | vp[2] << 8 | vp[3] << 16 | (uint32_t)vp[4] << 24);
                key = vp + 5;
                klen = n;
                off = 5 + (size_t)n;
            }
            if (off + 8 > vl) {
                rc = spilled_damaged(s, err);
                break;
            }
            eddy_opstate_rd rd = eddy_opstate_rd_of(vp + off, 8);
            int64_t start = eddy_opstate_get_i64(&rd);
            int64_t used = eddy_aggs_row_decode(s->aggs, row, vp + off + 8, vl - off - 8, &heap, err);
            if (used < 0) rc = (int)used;
            if (!rc) rc = emit_raw(s, key, klen, start, end, row, err);
            eddy_aggs_row_free(s->aggs, row, &heap);
            if (!rc) rc = eddy_spill_cursor_next(c, err);
            if (rc) break;
        }
        eddy_spill_cursor_close(c);
        if (!rc && x->next_end == INT64_MAX) x->dead = true;
        else if (!rc) x->from = x->next_end;
    }
    free(row);
    eddy_spill_read_end(s->base.spill);
    if (!rc) rc = drop_dead(s, err);
    return rc;
}

/* Frees every session and key: the state went to a run (or the operator goes). */
static void reset_all(ses_op *s)
{
    if (eddy_aggs_row_has_heap(s->aggs))
        for (uint32_t i = 0; i < s->nsess; i++)
            if (s->sess[i].live) eddy_aggs_row_free(s->aggs, row_of(s, i), &s->heap);
    free(s->sess);
    free(s->rows);
    free(s->timers);
    s->sess = NULL;
    s->rows = NULL;
    s->timers = NULL;
    s->nsess = s->capsess = s->free_head = s->nlive = 0;
    s->ntimers = s->captimers = 0;
    s->nemptied = 0;
    s->heap = 0;
    eddy_hmap_destroy(s->keys);
    s->keys = eddy_hmap_new(sizeof(keyval), 0);
}

/* ---- rows ---- */

static int apply(ses_op *s, const eddy_batch *b, pendrow *p, uint32_t n, eddy_error *err)
{
    if (n == 0) return 0;
    int32_t *sel = eddy_arena_alloc(s->scratch, (size_t)n * sizeof(int32_t));
    uint32_t *gid = eddy_arena_alloc(s->scratch, (size_t)n * sizeof(uint32_t));
    for (uint32_t i = 0; i < n; i++) {
        sel[i] = p[i].row;
        gid[i] = p[i].sid;
    }
    eddy_agg_rows rows = {s->rows, s->row_size, s->heap};
    int rc = eddy_aggs_update(s->aggs, &rows, b, sel, gid, (int)n, s->scratch, err);
    s->heap = rows.heap;
    return rc;
}

static int ses_push(eddy_op *op, int input, eddy_batch *b, eddy_error *err)
{
    ses_op *s = (ses_op *)op;
    (void)input;
    if (b->n == 0) return 0;
    eddy_arena_reset(s->scratch);
    if (b->kinds) {
        for (int i = 0; i < b->n; i++)
            if (b->kinds[i] != EDDY_ROW_INSERT)
                return eddy_error_set(err, EDDY_EUNSUPPORTED, op->plan->line, op->plan->col,
                                      "session window aggregation over updating rows is not "
                                      "supported yet");
    }
    const eddy_col *tc = &b->cols[s->time_col];
    const int64_t *wmb = s->proctime ? NULL : b->wm_before;
    int n = b->n;
    int64_t now = s->proctime ? realtime_ms() : 0;

    /* which rows are late (the watermark only grows along the batch) */
    uint8_t *take = eddy_arena_alloc(s->scratch, (size_t)n);
    int64_t *ts = eddy_arena_alloc(s->scratch, (size_t)n * sizeof(int64_t));
    int64_t wm = s->seen;
    for (int i = 0; i < n; i++) {
        if (wmb && wmb[i] > wm) wm = wmb[i];
        take[i] = 0;
        if (tc->nulls && tc->nulls[i]) continue;
        int64_t t = tc->v.i64[i];
        if (s->proctime && t <= wm) t = wm + 1 > now ? wm + 1 : now;
        ts[i] = t;
        /* its own window has fired: late unless it touches a session still open (decided
         * below, at the row) */
        take[i] = fire_wm(s, sat_add(t, s->gap)) <= wm ? 2 : 1;
    }

    /* key ids of the rows taken */
    eddy_rowkey_batch kb;
    eddy_rowkey_encode(&s->key, b, s->scratch, &kb);
    if (s->nruns) {
        int lrc = load_spilled(s, &kb, take, n, err);
        if (lrc) return lrc;
    }
    uint32_t *kid = eddy_arena_alloc(s->scratch, (size_t)n * sizeof(uint32_t));
    {
        int m = 0;
        int32_t *idx = eddy_arena_alloc(s->scratch, (size_t)n * sizeof(int32_t));
        uint64_t *hs = eddy_arena_alloc(s->scratch, (size_t)n * sizeof(uint64_t));
        uint64_t *u = kb.u64 ? eddy_arena_alloc(s->scratch, (size_t)n * sizeof(uint64_t)) : NULL;
        const void **ks = kb.u64 ? NULL : eddy_arena_alloc(s->scratch, (size_t)n * sizeof(void *));
        size_t *ls = kb.u64 ? NULL : eddy_arena_alloc(s->scratch, (size_t)n * sizeof(size_t));
        for (int i = 0; i < n; i++) {
            if (take[i] != 1) continue;
            idx[m] = i;
            hs[m] = kb.hashes[i];
            if (u) {
                u[m] = kb.u64[i];
            } else {
                ks[m] = kb.keys[i];
                ls[m] = kb.lens[i];
            }
            m++;
        }
        uint32_t *ids = eddy_arena_alloc(s->scratch, (size_t)(m ? m : 1) * sizeof(uint32_t));
        if (u) eddy_hmap_upsert_u64_batch(s->keys, (size_t)m, u, hs, ids, NULL);
        else eddy_hmap_upsert_batch(s->keys, (size_t)m, ks, ls, hs, ids, NULL);
        for (int j = 0; j < m; j++) kid[idx[j]] = ids[j];
    }

    pendrow *p = eddy_arena_alloc(s->scratch, (size_t)n * sizeof(pendrow));
    uint32_t np = 0;
    int32_t *late = eddy_arena_alloc(s->scratch, (size_t)n * sizeof(int32_t));
    int nlate = 0;
    int rc = 0;
    for (int i = 0; i < n; i++) {
        if (wmb && wmb[i] > s->seen) {
            if (wmb[i] >= s->next_fire) {
                rc = apply(s, b, p, np, err);
                np = 0;
                if (!rc) rc = fire(s, wmb[i], err);
                if (rc) break;
            } else {
                s->seen = wmb[i];
            }
        }
        if (!take[i]) continue;
        int64_t t = ts[i], e = sat_add(t, s->gap);
        if (take[i] == 2) {
            /* Flink merges first and then checks lateness: the row counts when its window
             * overlaps or touches an open session of its key */
            uint32_t id;
            bool open = kb.u64 ? eddy_hmap_find_id(s->keys, &kb.u64[i], 8, kb.hashes[i], &id)
                               : eddy_hmap_find_id(s->keys, kb.keys[i], kb.lens[i], kb.hashes[i],
                                                   &id);
            if (open) {
                open = false;
                const keyval *kv0 = eddy_hmap_value(s->keys, id);
                for (uint32_t c = kv0->head; c && !open; c = s->sess[c - 1].next)
                    open = t <= s->sess[c - 1].end && s->sess[c - 1].start <= e;
            }
            if (!open) {
                op->late_rows++;
                late[nlate++] = i; /* to the late-row sink, if any (after the loop) */
                continue;
            }
            kid[i] = id;
        }
        keyval *kv = eddy_hmap_value(s->keys, kid[i]);
        /* sessions of the key that the row's window [t, e) overlaps or touches */
        uint32_t hit = 0, nhit = 0;
        for (uint32_t c = kv->head; c; c = s->sess[c - 1].next) {
            const sess *x = &s->sess[c - 1];
            if (t <= x->end && x->start <= e) {
                if (!hit || x->start < s->sess[hit - 1].start) hit = c;
                nhit++;
            }
        }
        uint32_t sid;
        if (nhit == 0) {
            sid = sess_new(s, kid[i], t, e);
        } else {
            sid = hit - 1;
            if (nhit > 1) {
                /* the row bridges sessions: merge them into the earliest, in start order */
                rc = apply(s, b, p, np, err);
                np = 0;
                if (rc) break;
                for (;;) {
                    uint32_t next = 0;
                    for (uint32_t c = kv->head; c; c = s->sess[c - 1].next) {
                        const sess *x = &s->sess[c - 1];
                        if (c - 1 == sid || !(t <= x->end && x->start <= e)) continue;
                        if (!next || x->start < s->sess[next - 1].start) next = c;
                    }
                    if (!next) break;
                    sess *src = &s->sess[next - 1], *dst = &s->sess[sid];
                    rc = eddy_aggs_merge(s->aggs, row_of(s, sid), row_of(s, next - 1), &s->heap,
                                         err);
                    if (rc) break;
                    if (src->end > dst->end) dst->end = src->end;
                    if (src->start < dst->start) dst->start = src->start;
                    sess_free(s, next - 1);
                    kv = eddy_hmap_value(s->keys, kid[i]);
                }
                if (rc) break;
            }
            sess *x = &s->sess[sid];
            if (t < x->start) x->start = t;
            if (e > x->end) x->end = e;
        }
        p[np].row = i;
        p[np].sid = sid;
        np++;
    }
    if (!rc) rc = apply(s, b, p, np, err);
    if (!rc) rc = eddy_op_emit_late(op, b, late, nlate, err);
    tidy_keys(s);
    update_state_bytes(s);
    return rc;
}

static int ses_watermark(eddy_op *op, int input, int64_t wm, eddy_error *err)
{
    ses_op *s = (ses_op *)op;
    int64_t m = eddy_op_input_watermark(op, input, wm);
    if (!s->proctime) {
        int rc = advance(s, m, err);
        tidy_keys(s);
        update_state_bytes(s);
        if (rc) return rc;
    }
    return eddy_op_emit_watermark(op, m, err);
}

static int ses_finish(eddy_op *op, int input, eddy_error *err)
{
    ses_op *s = (ses_op *)op;
    (void)input;
    if (++op->ninputs_finished < op->ninputs) return 0;
    int rc = advance(s, INT64_MAX, err);
    tidy_keys(s);
    update_state_bytes(s);
    if (rc) return rc;
    return eddy_op_emit_finish(op, err);
}

static int ses_tick(eddy_op *op, int64_t now_ms, eddy_error *err)
{
    ses_op *s = (ses_op *)op;
    (void)now_ms;
    if (!s->proctime || op->ninputs_finished >= op->ninputs) return 0;
    int rc = advance(s, realtime_ms() - 1, err);
    tidy_keys(s);
    update_state_bytes(s);
    return rc;
}

/* ---- checkpoints (operator.h; entry layout in opstate.h) ---- */

#define SES_STATE_VERSION 2 /* 2: the spill runs and the sessions that came back follow */
#define TAG_SESSION 'W'

/* The settings the state depends on, checked on restore. */
static void put_config(const ses_op *s, eddy_strbuf *v)
{
    eddy_opstate_put_i64(v, s->gap);
    eddy_opstate_put_i64(v, s->lateness);
    eddy_opstate_put_i64(v, s->proctime);
    eddy_opstate_put_i64(v, s->nkeys);
    eddy_opstate_put_i64(v, eddy_aggs_count(s->aggs));
}

/* A full snapshot: the meta entry, then one entry per open session under its end and key,
 * holding its start, creation order and accumulator. */
static int ses_snapshot(eddy_op *op, eddy_state_db *db, eddy_error *err)
{
    ses_op *s = (ses_op *)op;
    eddy_strbuf k = {0}, v = {0};
    int rc = eddy_state_clear(db, err);
    if (!rc) {
        eddy_opstate_put_u32(&v, SES_STATE_VERSION);
        put_config(s, &v);
        eddy_opstate_put_i64(&v, s->seen);
        eddy_opstate_put_i64(&v, s->next_fire);
        eddy_opstate_put_u64(&v, s->seq);
        eddy_opstate_put_u64(&v, op->late_rows);
        eddy_opstate_put_u32(&v, s->nlive);
        /* version 2: the spill runs (named, not copied: spill.h) and the sessions that came back */
        uint32_t ol = (uint32_t)strlen(s->owner), live = 0;
        eddy_opstate_put_u32(&v, ol);
        eddy_strbuf_append(&v, s->owner, ol);
        for (int r = 0; r < s->nruns; r++) live += !s->runs[r].dead;
        eddy_opstate_put_u32(&v, live);
        for (int r = 0; r < s->nruns; r++) {
            if (s->runs[r].dead) continue;
            eddy_opstate_put_u32(&v, s->runs[r].id);
            eddy_opstate_put_i64(&v, s->runs[r].from);
            eddy_opstate_put_i64(&v, s->runs[r].next_end);
        }
        eddy_opstate_put_u32(&v, eddy_hset_count(s->back));
        uint32_t bend = eddy_hmap_end(s->back);
        for (uint32_t i = 0; i < bend; i++) {
            if (!eddy_hmap_live(s->back, i)) continue;
            size_t bl;
            const char *bk = eddy_hmap_key(s->back, i, &bl);
            eddy_strbuf_append(&v, bk, 12);
        }
        rc = eddy_state_put(db, EDDY_OPSTATE_META_KEY, EDDY_OPSTATE_META_KLEN, v.s, v.n, err);
        if (!rc && live) rc = eddy_spill_sync(op->spill, err);
    }
    /* in key order (opstate.h) */
    eddy_opstate_order *o = eddy_xmalloc(sizeof *o * (s->nlive ? s->nlive : 1));
    uint32_t n = 0;
    for (uint32_t i = 0; i < s->nsess && n < s->nlive; i++) {
        if (!s->sess[i].live) continue;
        o[n] = (eddy_opstate_order){.t = s->sess[i].end, .key = s->sess[i].key, .id = i};
        eddy_opstate_order_key(&o[n++], s->keys);
    }
    eddy_opstate_sort(o, n, s->keys);
    for (uint32_t j = 0; j < n && !rc; j++) {
        uint32_t i = o[j].id;
        const sess *x = &s->sess[i];
        size_t klen;
        const void *key = eddy_hmap_key(s->keys, x->key, &klen);
        eddy_opstate_entry(&k, &v, x->end, TAG_SESSION, key, klen, i);
        eddy_opstate_put_i64(&v, x->start);
        eddy_opstate_put_u64(&v, x->seq);
        eddy_aggs_row_encode(s->aggs, row_of(s, i), &v);
        rc = eddy_state_put(db, k.s, k.n, v.s, v.n, err);
    }
    free(o);
    eddy_strbuf_free(&k);
    eddy_strbuf_free(&v);
    return rc;
}

static int damaged(const ses_op *s, eddy_error *err, const char *what)
{
    return eddy_error_set(err, EDDY_ESTATE, s->base.plan->line, s->base.plan->col,
                          "the checkpointed state of this SESSION window aggregation is damaged "
                          "or from another version of eddy (%s); start without it: remove the "
                          "state directory or choose another --state-dir",
                          what);
}

static int ses_restore_visit(void *ctx, const void *key, size_t klen, const void *val,
                             size_t vlen, eddy_error *err)
{
    ses_op *s = ctx;
    if (klen == EDDY_OPSTATE_META_KLEN && memcmp(key, EDDY_OPSTATE_META_KEY, klen) == 0) return 0;
    eddy_opstate_entry_t e;
    if (!eddy_opstate_parse(key, klen, val, vlen, &e) || e.tag != TAG_SESSION)
        return damaged(s, err, "a bad session entry");
    eddy_opstate_rd r = eddy_opstate_rd_of(e.payload, e.plen);
    int64_t start = eddy_opstate_get_i64(&r);
    uint64_t seq = eddy_opstate_get_u64(&r);
    if (r.bad || start > e.t) return damaged(s, err, "a bad session entry");
    uint32_t kid;
    eddy_hmap_upsert(s->keys, e.gkey, e.gklen, eddy_opstate_key_hash(&s->key, e.gkey, e.gklen),
                     NULL, &kid);
    uint32_t i = sess_new(s, kid, start, e.t);
    s->sess[i].seq = seq;
    eddy_error derr;
    eddy_error_clear(&derr);
    int64_t got = eddy_aggs_row_decode(s->aggs, row_of(s, i), (const char *)e.payload + r.off,
                                       e.plen - r.off, &s->heap, &derr);
    if (got < 0) return damaged(s, err, derr.msg);
    if ((size_t)got != e.plen - r.off) return damaged(s, err, "an accumulator longer than expected");
    return 0;
}

static int ses_restore(eddy_op *op, eddy_state_db *db, eddy_error *err)
{
    ses_op *s = (ses_op *)op;
    const void *val;
    size_t vlen;
    int rc = eddy_opstate_get_meta(db, &val, &vlen, err);
    if (rc == EDDY_ENOTFOUND) return 0;
    if (rc) return rc;
    eddy_opstate_rd r = eddy_opstate_rd_of(val, vlen);
    uint32_t version = eddy_opstate_get_u32(&r);
    if (r.bad || version < 1 || version > SES_STATE_VERSION)
        return damaged(s, err, "unknown format");
    eddy_strbuf mine = {0};
    put_config(s, &mine);
    bool same = vlen - r.off >= mine.n && memcmp(r.p + r.off, mine.s, mine.n) == 0;
    r.off += mine.n;
    eddy_strbuf_free(&mine);
    if (!same)
        return eddy_error_set(err, EDDY_ESTATE, op->plan->line, op->plan->col,
                              "the checkpoint holds this SESSION window aggregation with another "
                              "gap, allowed lateness or aggregates; run the query with the "
                              "settings it was taken with, or start without it (another "
                              "--state-dir)");
    int64_t seen = eddy_opstate_get_i64(&r);
    int64_t next_fire = eddy_opstate_get_i64(&r);
    uint64_t seq = eddy_opstate_get_u64(&r);
    uint64_t late = eddy_opstate_get_u64(&r);
    uint32_t nlive = eddy_opstate_get_u32(&r);
    if (version >= 2) {
        uint32_t ol = eddy_opstate_get_u32(&r);
        if (!r.bad && (ol >= sizeof s->owner || r.n - r.off < ol)) r.bad = true;
        if (!r.bad) {
            memcpy(s->owner, r.p + r.off, ol);
            s->owner[ol] = 0;
            r.off += ol;
        }
        uint32_t nr = eddy_opstate_get_u32(&r);
        for (uint32_t i = 0; i < nr && !r.bad; i++) {
            struct xrun x = {.named = 1};
            x.id = eddy_opstate_get_u32(&r);
            x.from = eddy_opstate_get_i64(&r);
            x.next_end = eddy_opstate_get_i64(&r);
            if (s->nruns == s->capruns) {
                s->capruns = s->capruns ? s->capruns * 2 : 8;
                s->runs = eddy_xrealloc(s->runs, sizeof *s->runs * (size_t)s->capruns);
            }
            s->runs[s->nruns++] = x;
        }
        uint32_t nb = eddy_opstate_get_u32(&r);
        for (uint32_t i = 0; i < nb && !r.bad; i++) {
            if (r.n - r.off < 12) {
                r.bad = true;
                break;
            }
            eddy_hset_add(s->back, r.p + r.off, 12, eddy_hash_bytes(r.p + r.off, 12), NULL);
            r.off += 12;
        }
    }
    if (r.bad || r.off != r.n) return damaged(s, err, "bad meta entry");
    s->ckpt_begun = s->ckpt_done = 1;
    if (s->owner[0]) {
        if (!op->spill) return damaged(s, err, "spilled state but no spill store");
        uint32_t *ids = eddy_xmalloc(sizeof *ids * (size_t)(s->nruns + 1));
        for (int i = 0; i < s->nruns; i++) ids[i] = s->runs[i].id;
        rc = eddy_spill_runs_keep(op->spill, s->owner, ids, s->nruns, err);
        free(ids);
        if (rc) return rc;
    }
    rc = eddy_state_scan(db, NULL, 0, ses_restore_visit, s, err);
    if (rc) return rc;
    if (s->nlive != nlive) return damaged(s, err, "sessions missing");
    s->seen = seen;
    s->seq = seq;
    if (next_fire < s->next_fire) s->next_fire = next_fire;
    next_fire_of_runs(s);
    op->late_rows = late;
    update_state_bytes(s);
    return 0;
}

/* The live runs are the ones the snapshot about to be taken names. */
static void ses_checkpoint_begin(eddy_op *op)
{
    ses_op *s = (ses_op *)op;
    s->ckpt_begun++;
    for (int i = 0; i < s->nruns; i++)
        if (!s->runs[i].dead) s->runs[i].named = s->ckpt_begun;
}

static void ses_checkpoint_done(eddy_op *op)
{
    ses_op *s = (ses_op *)op;
    s->ckpt_done = s->ckpt_begun;
    eddy_error err;
    eddy_error_clear(&err);
    if (s->nruns) (void)drop_dead(s, &err); /* a run that stays is dropped at the next try */
}

static void ses_destroy(eddy_op *op)
{
    ses_op *s = (ses_op *)op;
    for (int i = 0; i < s->nruns; i++) eddy_spilltab_bloom_free(&s->runs[i].bloom);
    free(s->runs);
    eddy_hset_destroy(s->back);
    eddy_strbuf_free(&s->kb);
    eddy_strbuf_free(&s->vb);
    reset_all(s);
    free(s->emptied);
    eddy_hmap_destroy(s->keys);
    eddy_rowkey_free(&s->key);
    eddy_aggs_free(s->aggs);
    eddy_batch_free(s->out);
    eddy_arena_destroy(s->scratch);
    eddy_op_base_free(op);
    free(s);
}

static const eddy_op_ops ses_ops = {
    .name = "SessionWindowAggregate",
    .push = ses_push,
    .watermark = ses_watermark,
    .finish = ses_finish,
    .tick = ses_tick,
    .destroy = ses_destroy,
    .snapshot = ses_snapshot,
    .restore = ses_restore,
    .checkpoint_begin = ses_checkpoint_begin,
    .checkpoint_done = ses_checkpoint_done,
    .spill = ses_spill,
};

eddy_op *eddy_op_session_agg_new(const eddy_plan *p, eddy_error *err)
{
    const eddy_window_spec *ws = &p->u.window_agg.win;
    if (p->ninputs != 1 || !p->inputs || !p->inputs[0]) {
        eddy_error_set(err, EDDY_EPLAN, p->line, p->col, "session aggregation needs one input");
        return NULL;
    }
    const eddy_schema *in = &p->inputs[0]->out;
    if (ws->kind != EDDY_WINDOW_SESSION || ws->gap <= 0 || ws->time_col < 0 ||
        ws->time_col >= in->n) {
        eddy_error_set(err, EDDY_EPLAN, p->line, p->col, "bad SESSION window specification");
        return NULL;
    }
    if (p->u.window_agg.early_fire_ms > 0) {
        eddy_error_set(err, EDDY_EUNSUPPORTED, p->line, p->col,
                       "early firing of SESSION windows is not supported yet");
        return NULL;
    }
    if (p->u.window_agg.late_fire && p->u.window_agg.allowed_lateness_ms > 0) {
        eddy_error_set(err, EDDY_EUNSUPPORTED, p->line, p->col,
                       "late firing of SESSION windows is not supported yet (without "
                       "'table.exec.emit.late-fire.enabled' the allowed lateness delays the "
                       "firing instead)");
        return NULL;
    }
    int nkeys = p->u.window_agg.nkeys, naggs = p->u.window_agg.naggs;
    if (p->out.n != nkeys + 3 + naggs) {
        eddy_error_set(err, EDDY_EPLAN, p->line, p->col,
                       "session aggregation output has %d columns, expected %d", p->out.n,
                       nkeys + 3 + naggs);
        return NULL;
    }
    eddy_aggs *aggs = eddy_aggs_new(p->u.window_agg.aggs, naggs, in, 0, p->line, p->col, err);
    if (!aggs) return NULL;
    ses_op *s = eddy_xcalloc(1, sizeof *s);
    s->base.ops = &ses_ops;
    s->base.plan = p;
    eddy_op_init_inputs(&s->base, 1);
    s->time_col = ws->time_col;
    s->proctime = ws->proctime;
    s->gap = ws->gap;
    s->lateness = p->u.window_agg.allowed_lateness_ms > 0 ? p->u.window_agg.allowed_lateness_ms
                                                          : 0;
    s->aggs = aggs;
    s->row_size = eddy_aggs_row_size(aggs);
    if (s->row_size == 0) s->row_size = 8;
    s->nkeys = nkeys;
    eddy_rowkey_init(&s->key, p->u.window_agg.keys, nkeys, in);
    s->keys = eddy_hmap_new(sizeof(keyval), 0);
    s->back = eddy_hset_new(0);
    s->seen = INT64_MIN;
    s->next_fire = INT64_MAX;
    const eddy_sqltype *types[p->out.n ? p->out.n : 1];
    for (int i = 0; i < p->out.n; i++) types[i] = p->out.fields[i].type;
    s->out = eddy_batch_new(p->out.n, types, EDDY_BATCH_ROWS);
    s->scratch = eddy_arena_new(64 * 1024);
    return &s->base;
}
