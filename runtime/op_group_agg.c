/*
 * op_group_agg.c: non-windowed GROUP BY (plan.h EDDY_PLAN_GROUP_AGG; output: group keys, then
 * aggregates, as a changelog).
 *
 * Groups live in a hash table keyed by the encoded group key (rowkey.h) whose value slots are
 * agg.h rows behind a small header. A change of a group is emitted as +I for a group seen for
 * the first time, -U (the previous result) and +U (the new one) for a changed group, and
 * nothing when the result did not change (COUNT(DISTINCT x) of a value already seen). The
 * previous result is not stored: before a run updates its groups, the results of the groups
 * that have been emitted are computed and encoded (rowkey.h) into scratch memory, and after the
 * update the new results are compared with them. That costs one more result per changed group
 * but saves memory per group (Nexmark q17: 600,000 groups after 10 M events, ~45 bytes each
 * with malloc's overhead).
 *
 * Without mini-batch (Flink's default) every input row emits its group's change, in row order.
 * The work stays column-wise: a batch is cut into runs in which no group repeats; a run
 * updates its groups in one pass and then emits their changes in row order, which is exactly
 * the change each row made. With 'table.exec.mini-batch.enabled' (plan mini_batch) each input
 * batch is one mini-batch: every group it touched emits ONE change, in first-touch order.
 *
 * The input must be append-only: a -U or -D row is refused (EDDY_EUNSUPPORTED) until
 * retractable accumulators arrive; +U rows count as inserts.
 *
 * State TTL ('table.exec.state.ttl' = state_ttl_ms > 0), in processing time from tick(): a group
 * not updated for that long is expired. As Flink's NeverReturnExpired visibility, an expired
 * group that gets a row again starts from scratch and is emitted as +I; nothing is emitted when
 * a group expires. Expired groups are swept from the table every ttl / 4 (at least every 10 ms
 * of ticks), and the table is compacted when most of its ids are holes.
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../common/hash.h"
#include "../common/hashmap.h"
#include "../common/strbuf.h"
#include "agg.h"
#include "operator.h"
#include "rowkey.h"
#include "spill_table.h"

typedef struct grp_hdr {
    uint32_t touched;   /* stamp of the last batch that touched the group */
    uint32_t emitted;   /* 1 once the group's result has been emitted (+I) */
    int64_t last;       /* processing time of the last update; only with a state TTL: without
                         * one the header is 8 bytes (HDR_SMALL) and `last` does not exist */
} grp_hdr;

#define HDR_SMALL 8

/* The longest key that the group table stores in its records (longer ones go to its arena):
 * the encoding of rowkey.h with strings of up to 16 bytes (Nexmark q17's (auction, day) is 20
 * bytes), which saves the arena copy and its pointer. */
static size_t inline_key_for(const eddy_plan *p, const eddy_schema *in)
{
    int n = p->u.group_agg.nkeys;
    if (n == 1 && eddy_phys_of(in->fields[p->u.group_agg.keys[0]].type) == EDDY_PHYS_I64)
        return 8;
    size_t len = 0;
    for (int i = 0; i < n; i++) {
        switch (eddy_phys_of(in->fields[p->u.group_agg.keys[i]].type)) {
        case EDDY_PHYS_BOOL: len += 2; break;
        case EDDY_PHYS_I64:
        case EDDY_PHYS_F64: len += 9; break;
        case EDDY_PHYS_DEC: len += 17; break;
        case EDDY_PHYS_STR: len += 1 + 16; break;
        }
    }
    return len > 60 ? 60 : len < 12 ? 12 : len;
}

typedef struct grp_op {
    eddy_op base;           /* must be first */
    eddy_aggs *aggs;
    size_t row_size;
    size_t key_cap;         /* keys stored inline in the table's records */
    eddy_rowkey key;        /* group key encoding (input columns) */
    eddy_rowkey outkey;     /* encoding of the aggregate output columns */
    int nkeys, naggs;
    eddy_hmap *groups;      /* group key -> grp_hdr + accumulators */
    int64_t heap;           /* heap bytes of the accumulators */
    uint32_t stamp;         /* batch counter */
    int64_t ttl;            /* state TTL, 0 = forever */
    bool mini_batch;        /* one change per group per batch (else one per row) */
    int64_t now;            /* processing time of the last tick */
    int64_t next_sweep;     /* when to sweep expired groups next */
    eddy_strbuf sb;         /* scratch for an encoded result */
    char *kbuf;             /* scratch for a state key */
    size_t kbufn;
    eddy_batch *old;        /* the aggregate results of a run's groups before the run */
    const char **oldp;      /* per touched group of the run: its encoded old result, or NULL */
    uint32_t *oldn;
    int oldcap;
    eddy_batch *out;
    eddy_arena *scratch;

    char owner[48];         /* name of its spill runs ("" until the first) */
    struct grun {
        uint32_t id;
        bool dead;          /* merged into a newer run */
        uint64_t named;     /* the last checkpoint (begin sequence) that saw it live; 0: none */
        eddy_spilltab_bloom bloom; /* which keys it may hold */
        uint32_t count;     /* groups in it */
    } *runs;                /* oldest first; a group's newest piece wins */
    int nruns, capruns;
    uint64_t ckpt_begun, ckpt_done;
} grp_op;

#define MAX_RUNS 4          /* more live runs than this are merged into one */

static void update_state_bytes(grp_op *g)
{
    int64_t b = (int64_t)eddy_hmap_memory(g->groups) + g->heap;
    for (int i = 0; i < g->nruns; i++)
        b += (int64_t)eddy_spilltab_bloom_bytes(&g->runs[i].bloom);
    g->base.state_bytes = b > 0 ? (uint64_t)b : 0;
}

static int flush(grp_op *g, eddy_error *err)
{
    if (g->out->n == 0) return 0;
    int rc = eddy_op_emit(&g->base, g->out, err);
    eddy_batch_reset(g->out);
    return rc;
}

/* Drops a group's accumulators (the header's times are kept). */
static void reset_group(grp_op *g, grp_hdr *h)
{
    eddy_aggs_row_free(g->aggs, h, &g->heap);
    h->emitted = 0;
}

static inline bool expired(const grp_op *g, const grp_hdr *h)
{
    return g->ttl > 0 && h->last + g->ttl <= g->now;
}

/* Writes group id's key and results into row r. */
static int write_row(grp_op *g, uint32_t id, int r, eddy_error *err)
{
    size_t klen;
    const void *key = eddy_hmap_key(g->groups, id, &klen);
    eddy_rowkey_decode(&g->key, key, klen, g->out, 0, r);
    return eddy_aggs_output(g->aggs, eddy_hmap_value(g->groups, id), g->out, g->nkeys, r, err);
}

/* Encodes the current result of the touched group j (id) before the run updates it, when it
 * has been emitted; else records that it has none. */
static int keep_old(grp_op *g, uint32_t j, uint32_t id, eddy_error *err)
{
    const grp_hdr *h = eddy_hmap_value(g->groups, id);
    g->oldp[j] = NULL;
    if (!h->emitted) return 0;
    int r = g->old->n++;
    int rc = eddy_aggs_output(g->aggs, h, g->old, 0, r, err);
    if (rc) return rc;
    eddy_strbuf_clear(&g->sb);
    eddy_rowkey_encode_row(&g->outkey, g->old->cols, r, &g->sb);
    char *p = eddy_arena_alloc(g->scratch, g->sb.n ? g->sb.n : 1);
    if (g->sb.n) memcpy(p, g->sb.s, g->sb.n);
    g->oldp[j] = p;
    g->oldn[j] = (uint32_t)g->sb.n;
    return 0;
}

/* Emits the change of the touched group j (id) after the run. */
static int emit_change(grp_op *g, uint32_t j, uint32_t id, eddy_error *err)
{
    eddy_batch *o = g->out;
    if (o->n + 2 > o->cap) {
        int rc = flush(g, err);
        if (rc) return rc;
    }
    int r = o->n;
    int rc = write_row(g, id, r, err);
    if (rc) return rc;
    grp_hdr *h = eddy_hmap_value(g->groups, id);
    uint8_t *kinds = eddy_batch_kinds(o);
    const char *prev = g->oldp[j];
    if (!prev) {
        kinds[r] = EDDY_ROW_INSERT;
        o->n++;
        h->emitted = 1;
        return 0;
    }
    eddy_strbuf_clear(&g->sb);
    eddy_rowkey_encode_row(&g->outkey, &o->cols[g->nkeys], r, &g->sb);
    uint32_t prevn = g->oldn[j];
    if (prevn == g->sb.n && (g->sb.n == 0 || memcmp(prev, g->sb.s, g->sb.n) == 0)) return 0;
    eddy_rowkey_decode_row(&g->outkey, prev, prevn, o, g->nkeys, r);
    kinds[r] = EDDY_ROW_UPDATE_BEFORE;
    rc = write_row(g, id, r + 1, err);
    if (rc) return rc;
    kinds[r + 1] = EDDY_ROW_UPDATE_AFTER;
    o->n += 2;
    return 0;
}

/* A new batch or run stamp; when the counter wraps, the old stamps are cleared first. */
static void next_stamp(grp_op *g)
{
    if (++g->stamp != 0) return;
    uint32_t end = eddy_hmap_end(g->groups);
    for (uint32_t id = 0; id < end; id++)
        if (eddy_hmap_live(g->groups, id)) ((grp_hdr *)eddy_hmap_value(g->groups, id))->touched = 0;
    g->stamp = 1;
}

/* ---- state beyond memory (operator.h spill; spill_table.h) ----
 * Over the budget, every group goes to a new run and the table starts empty; a group that comes
 * back is read from the newest run that has it (newer runs hold the later state), and more than
 * MAX_RUNS live runs are merged into one. Not with a state TTL (expired groups would come back
 * from disk). */

/* The groups a batch inserted (isnew) that have a spilled state: read it back. */
static int load_spilled(grp_op *g, const uint32_t *gids, const uint8_t *isnew, size_t n,
                        eddy_error *err)
{
    eddy_spill *sp = g->base.spill;
    int rc = eddy_spill_read_begin(sp, err);
    if (rc) return rc;
    for (size_t i = 0; i < n && !rc; i++) {
        if (!isnew[i]) continue;
        grp_hdr *h = eddy_hmap_value(g->groups, gids[i]);
        size_t klen;
        const void *key = eddy_hmap_key(g->groups, gids[i], &klen);
        uint64_t hash = eddy_hmap_hash(g->groups, gids[i]);
        for (int r = g->nruns - 1; r >= 0; r--) {
            if (g->runs[r].dead || !eddy_spilltab_bloom_may(&g->runs[r].bloom, hash)) continue;
            int found = eddy_spilltab_find(sp, g->owner, g->aggs, g->runs[r].id, 0, key, klen,
                                           hash, h, &g->heap, err);
            if (found < 0) rc = found;
            if (found) {
                h->emitted = 1;
                break;
            }
        }
    }
    eddy_spill_read_end(sp);
    return rc;
}

static void add_run(grp_op *g, uint32_t id)
{
    if (g->nruns == g->capruns) {
        g->capruns = g->capruns ? g->capruns * 2 : 8;
        g->runs = eddy_xrealloc(g->runs, sizeof *g->runs * (size_t)g->capruns);
    }
    g->runs[g->nruns++] = (struct grun){.id = id};
}

static void run_free(struct grun *r)
{
    eddy_spilltab_bloom_free(&r->bloom);
}

/* Drops the dead runs that no checkpoint which may still be restored names. */
static int drop_dead(grp_op *g, eddy_error *err)
{
    int rc = 0;
    for (int i = 0; i < g->nruns && !rc;) {
        struct grun *r = &g->runs[i];
        if (r->dead && (r->named == 0 || r->named < g->ckpt_done)) {
            rc = eddy_spill_run_drop(g->base.spill, g->owner, r->id, err);
            run_free(r);
            memmove(r, r + 1, sizeof *r * (size_t)(g->nruns - i - 1));
            g->nruns--;
            continue;
        }
        i++;
    }
    return rc;
}

static int put_visit(void *ctx, const void *key, size_t klen, uint64_t hash, const void *acc,
                     eddy_error *err)
{
    grp_op *g = ((void **)ctx)[0];
    struct grun *into = ((void **)ctx)[2];
    eddy_spilltab_bloom_add(&into->bloom, hash);
    into->count++;
    return eddy_spilltab_put(((void **)ctx)[1], g->aggs, 0, key, klen, hash, acc, err);
}

/* Merges the live runs into one (the newest piece of each group). */
static int compact_runs(grp_op *g, eddy_error *err)
{
    eddy_spilltab_src *src = eddy_xmalloc(sizeof *src * (size_t)g->nruns);
    int n = 0;
    uint32_t total = 0;
    for (int i = 0; i < g->nruns; i++)
        if (!g->runs[i].dead) {
            src[n++] = (eddy_spilltab_src){NULL, g->runs[i].id, 0};
            total += g->runs[i].count;
        }
    eddy_spilltab_writer *w;
    uint32_t id;
    struct grun merged = {0};
    eddy_spilltab_bloom_init(&merged.bloom, total);
    int rc = eddy_spilltab_begin(g->base.spill, g->owner, &id, &w, err);
    if (!rc) {
        void *ctx[3] = {g, w, &merged};
        rc = eddy_spilltab_merge(g->base.spill, g->owner, g->aggs, &g->key, src, n, true,
                                 put_visit, ctx, err);
        int rc2 = eddy_spilltab_end(w, rc == 0, err);
        if (!rc) rc = rc2;
    }
    free(src);
    if (rc) {
        run_free(&merged);
        return rc;
    }
    for (int i = 0; i < g->nruns; i++) g->runs[i].dead = true;
    add_run(g, id);
    g->runs[g->nruns - 1].bloom = merged.bloom;
    g->runs[g->nruns - 1].count = merged.count;
    return drop_dead(g, err);
}

static int grp_spill(eddy_op *op, eddy_error *err)
{
    grp_op *g = (grp_op *)op;
    if (!op->spill || g->ttl > 0 || eddy_hmap_count(g->groups) == 0) return 0;
    if ((int64_t)op->state_bytes < eddy_spill_budget(op->spill) / 8) return 0;
    if (!g->owner[0]) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        snprintf(g->owner, sizeof g->owner, "g%d-%x", op->plan->id,
                 (unsigned)(ts.tv_nsec ^ ts.tv_sec ^ getpid()));
    }
    int64_t t0 = 0;
    eddy_hmap *maps[1] = {g->groups};
    uint32_t id;
    int rc = eddy_spilltab_write(op->spill, g->owner, g->aggs, &t0, maps, 1, &id, err);
    if (rc) return rc;
    add_run(g, id);
    struct grun *r = &g->runs[g->nruns - 1];
    eddy_spilltab_bloom_init(&r->bloom, eddy_hmap_count(g->groups));
    uint32_t end0 = eddy_hmap_end(g->groups);
    for (uint32_t i = 0; i < end0; i++)
        if (eddy_hmap_live(g->groups, i)) eddy_spilltab_bloom_add(&r->bloom, eddy_hmap_hash(g->groups, i));
    r->count = eddy_hmap_count(g->groups);
    if (getenv("EDDY_SPILL_LOG"))
        fprintf(stderr, "eddy: spill: %s run %u: %u group(s), %llu bytes of state\n", g->owner,
                id, eddy_hmap_count(g->groups), (unsigned long long)op->state_bytes);
    uint32_t end = eddy_hmap_end(g->groups);
    for (uint32_t i = 0; i < end; i++)
        if (eddy_hmap_live(g->groups, i)) reset_group(g, eddy_hmap_value(g->groups, i));
    eddy_hmap_destroy(g->groups);
    g->groups = eddy_hmap_new_ex(g->row_size, 0, g->key_cap);
    int live = 0;
    for (int i = 0; i < g->nruns; i++) live += !g->runs[i].dead;
    if (live > MAX_RUNS) rc = compact_runs(g, err);
    update_state_bytes(g);
    malloc_trim(0);
    return rc;
}

static int grp_push(eddy_op *op, int input, eddy_batch *b, eddy_error *err)
{
    grp_op *g = (grp_op *)op;
    (void)input;
    if (b->n == 0) return 0;
    if (b->kinds) {
        for (int i = 0; i < b->n; i++)
            if (b->kinds[i] == EDDY_ROW_UPDATE_BEFORE || b->kinds[i] == EDDY_ROW_DELETE)
                return eddy_error_set(err, EDDY_EUNSUPPORTED, op->plan->line, op->plan->col,
                                      "retractions into GROUP BY are not supported yet");
    }
    eddy_arena_reset(g->scratch);
    size_t n = (size_t)b->n;
    eddy_rowkey_batch kb;
    eddy_rowkey_encode(&g->key, b, g->scratch, &kb);
    uint32_t *gids = eddy_arena_alloc(g->scratch, n * sizeof(uint32_t));
    uint8_t *isnew = g->nruns ? eddy_arena_alloc(g->scratch, n) : NULL;
    if (kb.u64) eddy_hmap_upsert_u64_batch(g->groups, n, kb.u64, kb.hashes, gids, isnew);
    else eddy_hmap_upsert_batch(g->groups, n, kb.keys, kb.lens, kb.hashes, gids, isnew);
    if (isnew) {
        int lrc = load_spilled(g, gids, isnew, n, err);
        if (lrc) return lrc;
    }

    uint32_t *touched = eddy_arena_alloc(g->scratch, n * sizeof(uint32_t));
    if ((int)n > g->oldcap) {
        const eddy_sqltype *types[g->naggs ? g->naggs : 1];
        for (int i = 0; i < g->naggs; i++) types[i] = op->plan->out.fields[g->nkeys + i].type;
        eddy_batch_free(g->old);
        g->old = eddy_batch_new(g->naggs, types, (int)n);
        free(g->oldp);
        free(g->oldn);
        g->oldp = eddy_xcalloc(n, sizeof *g->oldp);
        g->oldn = eddy_xcalloc(n, sizeof *g->oldn);
        g->oldcap = (int)n;
    }
    int32_t *sel = eddy_arena_alloc(g->scratch, n * sizeof(int32_t));
    size_t stride;
    char *base = eddy_hmap_values(g->groups, &stride);
    int rc = 0;
    for (size_t start = 0; start < n && !rc;) {
        /* the groups of a run (the whole batch with mini-batch; else up to the first row whose
         * group the run already has), in first-touch order; expired groups start again */
        next_stamp(g);
        uint32_t nt = 0;
        size_t end = start;
        for (; end < n; end++) {
            grp_hdr *h = (grp_hdr *)(base + (size_t)gids[end] * stride);
            if (h->touched == g->stamp) {
                if (g->mini_batch) continue;
                break;
            }
            if (h->touched && expired(g, h)) reset_group(g, h);
            h->touched = g->stamp;
            if (g->ttl > 0) h->last = g->now;
            touched[nt++] = gids[end];
        }
        for (size_t i = start; i < end; i++) sel[i - start] = (int32_t)i;
        eddy_batch_reset(g->old);
        for (uint32_t j = 0; j < nt && !rc; j++) rc = keep_old(g, j, touched[j], err);
        if (rc) break;
        eddy_agg_rows rows = {base, stride, g->heap};
        rc = eddy_aggs_update(g->aggs, &rows, b, sel, gids + start, (int)(end - start),
                              g->scratch, err);
        g->heap = rows.heap;
        for (uint32_t j = 0; j < nt && !rc; j++) rc = emit_change(g, j, touched[j], err);
        start = end;
    }
    if (!rc) rc = flush(g, err);
    update_state_bytes(g);
    return rc;
}

/* Removes the expired groups from the table. */
static void sweep(grp_op *g)
{
    uint32_t end = eddy_hmap_end(g->groups);
    unsigned char small[64];
    for (uint32_t id = 0; id < end; id++) {
        if (!eddy_hmap_live(g->groups, id)) continue;
        grp_hdr *h = eddy_hmap_value(g->groups, id);
        if (!expired(g, h)) continue;
        reset_group(g, h);
        size_t klen;
        const void *k = eddy_hmap_key(g->groups, id, &klen);
        void *kc = klen <= sizeof small ? small : eddy_xmalloc(klen);
        if (klen) memcpy(kc, k, klen);
        eddy_hmap_remove(g->groups, kc, klen, eddy_hmap_hash(g->groups, id));
        if (kc != small) free(kc);
    }
    uint32_t live = eddy_hmap_count(g->groups);
    end = eddy_hmap_end(g->groups);
    if (live == 0 && end > 0) {
        eddy_hmap_destroy(g->groups);
        g->groups = eddy_hmap_new_ex(g->row_size, 0, g->key_cap);
    } else if (end - live > live && end - live > 1024) {
        eddy_hmap_compact(g->groups, NULL);
    }
}

static int grp_tick(eddy_op *op, int64_t now_ms, eddy_error *err)
{
    grp_op *g = (grp_op *)op;
    (void)err;
    g->now = now_ms;
    if (g->ttl > 0 && now_ms >= g->next_sweep) {
        int64_t every = g->ttl / 4 > 10 ? g->ttl / 4 : 10;
        g->next_sweep = now_ms + every;
        sweep(g);
        update_state_bytes(g);
    }
    return 0;
}

static int grp_watermark(eddy_op *op, int input, int64_t wm, eddy_error *err)
{
    return eddy_op_emit_watermark(op, eddy_op_input_watermark(op, input, wm), err);
}

static int grp_finish(eddy_op *op, int input, eddy_error *err)
{
    (void)input;
    if (++op->ninputs_finished < op->ninputs) return 0;
    return eddy_op_emit_finish(op, err);
}

static void grp_destroy(eddy_op *op)
{
    grp_op *g = (grp_op *)op;
    uint32_t end = eddy_hmap_end(g->groups);
    for (uint32_t id = 0; id < end; id++)
        if (eddy_hmap_live(g->groups, id)) reset_group(g, eddy_hmap_value(g->groups, id));
    eddy_hmap_destroy(g->groups);
    eddy_rowkey_free(&g->key);
    eddy_rowkey_free(&g->outkey);
    eddy_strbuf_free(&g->sb);
    free(g->kbuf);
    eddy_aggs_free(g->aggs);
    eddy_batch_free(g->out);
    eddy_batch_free(g->old);
    free(g->oldp);
    free(g->oldn);
    eddy_arena_destroy(g->scratch);
    for (int i = 0; i < g->nruns; i++) run_free(&g->runs[i]);
    free(g->runs);
    eddy_op_base_free(op);
    free(g);
}

/* ---- checkpoints ----
 * A full snapshot: one entry per group, key = 'g' + the group's encoded key (rowkey.h: LMDB
 * takes no empty key, and a global aggregate's key is empty), value = u32
 * "emitted" flag then the accumulator (agg.h eddy_aggs_row_encode). TTL clocks restart at
 * restore (processing time). */

static int grp_snapshot(eddy_op *op, eddy_state_db *db, eddy_error *err)
{
    grp_op *g = (grp_op *)op;
    int rc = eddy_state_clear(db, err);
    if (rc) return rc;
    uint32_t end = eddy_hmap_end(g->groups);
    for (uint32_t id = 0; id < end && !rc; id++) {
        if (!eddy_hmap_live(g->groups, id)) continue;
        const grp_hdr *h = eddy_hmap_value(g->groups, id);
        if (!h->emitted) continue; /* expired and reset, or never finished a run */
        size_t klen;
        const void *key = eddy_hmap_key(g->groups, id, &klen);
        eddy_strbuf_clear(&g->sb);
        uint32_t em = h->emitted;
        eddy_strbuf_append(&g->sb, (const char *)&em, 4);
        eddy_aggs_row_encode(g->aggs, h, &g->sb);
        size_t need = klen + 1;
        if (need > g->kbufn) {
            g->kbuf = eddy_xrealloc(g->kbuf, need);
            g->kbufn = need;
        }
        g->kbuf[0] = 'g';
        if (klen) memcpy(g->kbuf + 1, key, klen);
        rc = eddy_state_put(db, g->kbuf, need, g->sb.s, g->sb.n, err);
    }
    if (rc || !g->owner[0]) return rc;
    /* the spill runs the state is made of (named, not copied: spill.h) */
    eddy_strbuf_clear(&g->sb);
    uint32_t ol = (uint32_t)strlen(g->owner), live = 0;
    for (int i = 0; i < g->nruns; i++) live += !g->runs[i].dead;
    eddy_strbuf_append(&g->sb, (const char *)&ol, 4);
    eddy_strbuf_append(&g->sb, g->owner, ol);
    eddy_strbuf_append(&g->sb, (const char *)&live, 4);
    for (int i = 0; i < g->nruns; i++)
        if (!g->runs[i].dead) eddy_strbuf_append(&g->sb, (const char *)&g->runs[i].id, 4);
    rc = eddy_state_put(db, "m", 1, g->sb.s, g->sb.n, err);
    if (!rc && live) rc = eddy_spill_sync(op->spill, err);
    return rc;
}

/* The "m" entry: the spill runs of the checkpoint; the others of this owner go. */
static int restore_runs(grp_op *g, const char *val, size_t vlen, eddy_error *err)
{
    uint32_t ol, n;
    if (vlen < 8) return -1;
    memcpy(&ol, val, 4);
    if (ol >= sizeof g->owner || vlen < 8 + (size_t)ol) return -1;
    memcpy(g->owner, val + 4, ol);
    g->owner[ol] = 0;
    memcpy(&n, val + 4 + ol, 4);
    if (vlen != 8 + (size_t)ol + 4 * (size_t)n || !g->base.spill) return -1;
    uint32_t *ids = eddy_xmalloc(sizeof *ids * (n ? n : 1));
    for (uint32_t i = 0; i < n; i++) {
        memcpy(&ids[i], val + 8 + ol + 4 * i, 4);
        add_run(g, ids[i]);
        g->runs[g->nruns - 1].named = 1; /* kept until a later checkpoint completes */
    }
    int rc = eddy_spill_runs_keep(g->base.spill, g->owner, ids, (int)n, err);
    free(ids);
    return rc;
}

static int restore_one(void *ctx, const void *key, size_t klen, const void *val, size_t vlen,
                       eddy_error *err)
{
    grp_op *g = ctx;
    uint32_t em;
    if (klen == 1 && *(const char *)key == 'm') {
        int rc = restore_runs(g, val, vlen, err);
        if (rc == -1) goto bad;
        return rc;
    }
    if (vlen < 4 || klen < 1 || *(const char *)key != 'g') goto bad;
    key = (const char *)key + 1;
    klen--;
    memcpy(&em, val, 4);
    bool is_new;
    uint32_t id;
    grp_hdr *h;
    if (g->key.single_i64 && klen == 8) {
        uint64_t k;
        memcpy(&k, key, 8);
        h = eddy_hmap_upsert_u64(g->groups, k, eddy_hash_u64(k), &is_new, &id);
    } else {
        h = eddy_hmap_upsert(g->groups, key, klen, eddy_hash_bytes(key, klen), &is_new, &id);
    }
    if (!is_new) goto bad;
    int64_t used = eddy_aggs_row_decode(g->aggs, h, (const char *)val + 4, vlen - 4, &g->heap, err);
    if (used < 0) return (int)used;
    if ((size_t)used != vlen - 4) goto bad;
    h->emitted = em;
    h->touched = 0;
    if (g->ttl > 0) h->last = g->now;
    return 0;
bad:
    return eddy_error_set(err, EDDY_ESTATE, g->base.plan->line, g->base.plan->col,
                          "checkpointed state of GROUP BY does not fit the query (bad entry)");
}

static int grp_restore(eddy_op *op, eddy_state_db *db, eddy_error *err)
{
    grp_op *g = (grp_op *)op;
    g->ckpt_begun = g->ckpt_done = 1;
    int rc = eddy_state_scan(db, NULL, 0, restore_one, g, err);
    update_state_bytes(g);
    return rc;
}

/* The live runs are the ones the snapshot about to be taken names. */
static void grp_checkpoint_begin(eddy_op *op)
{
    grp_op *g = (grp_op *)op;
    g->ckpt_begun++;
    for (int i = 0; i < g->nruns; i++)
        if (!g->runs[i].dead) g->runs[i].named = g->ckpt_begun;
}

static void grp_checkpoint_done(eddy_op *op)
{
    grp_op *g = (grp_op *)op;
    g->ckpt_done = g->ckpt_begun;
    eddy_error err;
    eddy_error_clear(&err);
    if (g->nruns) (void)drop_dead(g, &err); /* a run that stays is dropped at the next try */
}


static const eddy_op_ops grp_ops = {
    .name = "GroupAggregate",
    .push = grp_push,
    .watermark = grp_watermark,
    .finish = grp_finish,
    .tick = grp_tick,
    .destroy = grp_destroy,
    .snapshot = grp_snapshot,
    .restore = grp_restore,
    .checkpoint_begin = grp_checkpoint_begin,
    .checkpoint_done = grp_checkpoint_done,
    .spill = grp_spill,
};

eddy_op *eddy_op_group_agg_new(const eddy_plan *p, eddy_error *err)
{
    if (p->ninputs != 1 || !p->inputs || !p->inputs[0]) {
        eddy_error_set(err, EDDY_EPLAN, p->line, p->col, "group aggregation needs one input");
        return NULL;
    }
    const eddy_schema *in = &p->inputs[0]->out;
    int nkeys = p->u.group_agg.nkeys, naggs = p->u.group_agg.naggs;
    if (p->out.n != nkeys + naggs) {
        eddy_error_set(err, EDDY_EPLAN, p->line, p->col,
                       "group aggregation output has %d columns, expected %d", p->out.n,
                       nkeys + naggs);
        return NULL;
    }
    bool ttl = p->u.group_agg.state_ttl_ms > 0;
    eddy_aggs *aggs = eddy_aggs_new(p->u.group_agg.aggs, naggs, in, ttl ? sizeof(grp_hdr) : HDR_SMALL,
                                    p->line, p->col, err);
    if (!aggs) return NULL;
    grp_op *g = eddy_xcalloc(1, sizeof *g);
    g->base.ops = &grp_ops;
    g->base.plan = p;
    eddy_op_init_inputs(&g->base, 1);
    g->aggs = aggs;
    g->row_size = eddy_aggs_row_size(aggs);
    g->nkeys = nkeys;
    g->naggs = naggs;
    g->ttl = p->u.group_agg.state_ttl_ms > 0 ? p->u.group_agg.state_ttl_ms : 0;
    g->mini_batch = p->u.group_agg.mini_batch;
    eddy_rowkey_init(&g->key, p->u.group_agg.keys, nkeys, in);
    const eddy_sqltype *types[p->out.n ? p->out.n : 1];
    for (int i = 0; i < p->out.n; i++) types[i] = p->out.fields[i].type;
    eddy_rowkey_init_types(&g->outkey, types + nkeys, naggs);
    g->key_cap = inline_key_for(p, in);
    g->groups = eddy_hmap_new_ex(g->row_size, 0, g->key_cap);
    g->out = eddy_batch_new(p->out.n, types, EDDY_BATCH_ROWS);
    g->scratch = eddy_arena_new(64 * 1024);
    return &g->base;
}
