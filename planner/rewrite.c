/*
 * rewrite.c: from the binder's naive plan to the one the runtime gets (see binder.h).
 *
 *   1. Merge CALCs: a CALC over a CALC becomes one (the upper expressions with the lower ones
 *      substituted, filters ANDed lower first); a CALC that passes its input through unchanged
 *      disappears. A lower expression that is not deterministic (RAND) is never duplicated.
 *   2. Prune columns top-down: every node produces only what its parents read; sources produce
 *      only the columns (and nested fields) the query uses; unused aggregates go.
 *   3. Merge again (pruning can leave identity CALCs).
 *   4. Push filters: a conjunct `col = constant` of a CALC whose col is a plain source column
 *      (through CALCs and WATERMARK) becomes the source's pushed_filter; the CALC keeps it.
 *   5. Share equal subtrees between the sinks of a statement set.
 *   6. Number nodes post-order (sinks in order) and fingerprint the stateful ones. The late-row
 *      sinks of window nodes (plan.h window_agg.late_sink) join the job's sinks here, after the
 *      statement's own: steps 1-5 must not see them as trees of their own (their CALC reads
 *      the window's input, not the window), so step 2 keeps and renumbers the columns they
 *      read when it prunes the window's input.
 *
 * The plan is a tree until step 5, so steps 1-4 may rewrite nodes in place.
 */
#include <stdlib.h>
#include <string.h>

#include "../common/hash.h"
#include "binder.h"
#include "ptype.h"

/* ---------------------------------------------------------------------------------------- */
/* 1. CALC merging                                                                           */

static bool calc_is_identity(const eddy_plan *p)
{
    const eddy_plan *in = p->inputs[0];
    if (p->u.calc.filter || p->out.n != in->out.n) return false;
    for (int i = 0; i < p->out.n; i++) {
        const eddy_bexpr *e = p->u.calc.exprs[i];
        if (e->kind != EDDY_BEXPR_COLUMN || e->column != i) return false;
        if (p->out.fields[i].rowtime != in->out.fields[i].rowtime ||
            p->out.fields[i].proctime != in->out.fields[i].proctime)
            return false;
    }
    return true;
}

static bool can_merge(const eddy_plan *upper, const eddy_plan *lower)
{
    int n = lower->out.n;
    bool *used = calloc((size_t)n + 1, 1);
    for (int i = 0; i < upper->out.n; i++) bx_uses(upper->u.calc.exprs[i], used);
    bx_uses(upper->u.calc.filter, used);
    bool ok = true;
    for (int i = 0; i < n && ok; i++)
        if (used[i] && bx_nondeterministic(lower->u.calc.exprs[i])) ok = false;
    free(used);
    return ok;
}

static eddy_plan *merge(eddy_arena *a, eddy_plan *p)
{
    for (int i = 0; i < p->ninputs; i++) p->inputs[i] = merge(a, p->inputs[i]);
    if (p->kind != EDDY_PLAN_CALC) return p;
    eddy_plan *in = p->inputs[0];
    if (in->kind == EDDY_PLAN_CALC && can_merge(p, in)) {
        for (int i = 0; i < p->out.n; i++) p->u.calc.exprs[i] = bx_subst(a, p->u.calc.exprs[i], in->u.calc.exprs);
        eddy_bexpr *f = p->u.calc.filter ? bx_subst(a, p->u.calc.filter, in->u.calc.exprs) : NULL;
        p->u.calc.filter = bx_and(a, in->u.calc.filter, f);
        p->inputs[0] = in->inputs[0];
        in = p->inputs[0];
    }
    if (calc_is_identity(p)) return in;
    return p;
}

/* ---------------------------------------------------------------------------------------- */
/* 2. Column pruning                                                                         */

static eddy_plan *prune(eddy_arena *a, eddy_plan *p, const bool *need, int **map_out);

static bool *need_new(eddy_arena *a, int n)
{
    return eddy_arena_zalloc(a, (size_t)n + 1);
}

static int *map_new(eddy_arena *a, int n)
{
    int *m = eddy_arena_alloc(a, sizeof(int) * (size_t)(n + 1));
    for (int i = 0; i <= n; i++) m[i] = -1;
    return m;
}

/* Prunes p so that it produces exactly the needed columns, in order (a CALC on top if needed). */
static eddy_plan *prune_exact(eddy_arena *a, eddy_plan *p, const bool *need, int **map_out)
{
    int n = p->out.n;
    int *m;
    eddy_plan *q = prune(a, p, need, &m);
    int k = 0;
    bool exact = true;
    for (int i = 0; i < n; i++)
        if (need[i]) {
            if (m[i] != k) exact = false;
            k++;
        }
    if (q->out.n != k) exact = false;
    int *out = map_new(a, n);
    k = 0;
    for (int i = 0; i < n; i++)
        if (need[i]) out[i] = k++;
    *map_out = out;
    if (exact) return q;
    eddy_bexpr **ex = eddy_arena_alloc(a, sizeof *ex * (size_t)(k ? k : 1));
    const char **nm = eddy_arena_alloc(a, sizeof *nm * (size_t)(k ? k : 1));
    k = 0;
    for (int i = 0; i < n; i++)
        if (need[i]) {
            ex[k] = bx_col(a, m[i], q->out.fields[m[i]].type);
            nm[k] = q->out.fields[m[i]].name;
            k++;
        }
    eddy_pos pos = {p->line, p->col, 0};
    return pn_calc(a, q, ex, nm, k, NULL, pos);
}

static eddy_plan *prune_source(eddy_arena *a, eddy_plan *p, const bool *need, int **map_out)
{
    int n = p->out.n;
    int *m = map_new(a, n);
    int k = 0;
    for (int i = 0; i < n; i++) k += need[i];
    bool keep0 = k == 0 && n > 0; /* a source produces at least one column */
    if (keep0) k = 1;
    eddy_field *f = pn_fields(a, k);
    const char ***paths = eddy_arena_alloc(a, sizeof *paths * (size_t)(k ? k : 1));
    int *np = eddy_arena_alloc(a, sizeof *np * (size_t)(k ? k : 1));
    const char **md = eddy_arena_alloc(a, sizeof *md * (size_t)(k ? k : 1));
    int j = 0;
    for (int i = 0; i < n; i++) {
        if (!need[i] && !(keep0 && i == 0)) continue;
        f[j] = p->out.fields[i];
        paths[j] = p->u.source.paths[i];
        np[j] = p->u.source.npath[i];
        md[j] = p->u.source.metadata[i];
        m[i] = j++;
    }
    p->out.fields = f;
    p->out.n = k;
    p->u.source.paths = paths;
    p->u.source.npath = np;
    p->u.source.metadata = md;
    *map_out = m;
    return p;
}

static eddy_plan *prune_calc(eddy_arena *a, eddy_plan *p, const bool *need, int **map_out)
{
    int n = p->out.n;
    int *m = map_new(a, n);
    eddy_plan *in = p->inputs[0];
    bool *used = need_new(a, in->out.n);
    int k = 0;
    for (int i = 0; i < n; i++)
        if (need[i]) {
            bx_uses(p->u.calc.exprs[i], used);
            k++;
        }
    bx_uses(p->u.calc.filter, used);
    int *im;
    in = prune(a, in, used, &im);
    p->inputs[0] = in;
    eddy_bexpr **ex = eddy_arena_alloc(a, sizeof *ex * (size_t)(k ? k : 1));
    eddy_field *f = pn_fields(a, k);
    int j = 0;
    for (int i = 0; i < n; i++) {
        if (!need[i]) continue;
        ex[j] = bx_remap(a, p->u.calc.exprs[i], im);
        f[j] = p->out.fields[i];
        m[i] = j++;
    }
    if (p->u.calc.filter) p->u.calc.filter = bx_remap(a, p->u.calc.filter, im);
    p->u.calc.exprs = ex;
    p->out.fields = f;
    p->out.n = k;
    *map_out = m;
    return p;
}

static eddy_plan *prune_watermark(eddy_arena *a, eddy_plan *p, const bool *need, int **map_out)
{
    int n = p->out.n;
    bool *nd = need_new(a, n);
    memcpy(nd, need, (size_t)n);
    nd[p->u.watermark.rowtime] = true;
    bx_uses(p->u.watermark.expr, nd);
    int *im;
    eddy_plan *in = prune(a, p->inputs[0], nd, &im);
    p->inputs[0] = in;
    int rt = im[p->u.watermark.rowtime];
    p->u.watermark.expr = bx_remap(a, p->u.watermark.expr, im);
    p->u.watermark.rowtime = rt;
    p->out.n = in->out.n;
    p->out.fields = pn_fields(a, in->out.n);
    memcpy(p->out.fields, in->out.fields, sizeof(eddy_field) * (size_t)in->out.n);
    p->out.fields[rt].rowtime = true;
    p->out.fields[rt].proctime = false;
    *map_out = im;
    return p;
}

static eddy_plan *prune_window_tvf(eddy_arena *a, eddy_plan *p, const bool *need, int **map_out)
{
    eddy_plan *in = p->inputs[0];
    int nin = in->out.n, n = p->out.n;
    bool *nd = need_new(a, nin);
    memcpy(nd, need, (size_t)nin);
    nd[p->u.window_tvf.win.time_col] = true;
    int *im;
    in = prune(a, in, nd, &im);
    p->inputs[0] = in;
    int *m = map_new(a, n);
    eddy_field *f = pn_fields(a, in->out.n + 3);
    for (int i = 0; i < in->out.n; i++) {
        f[i] = in->out.fields[i];
        f[i].rowtime = f[i].proctime = false;
    }
    for (int k = 0; k < 3; k++) f[in->out.n + k] = p->out.fields[nin + k];
    for (int i = 0; i < nin; i++) m[i] = im[i];
    for (int k = 0; k < 3; k++) m[nin + k] = in->out.n + k;
    p->u.window_tvf.win.time_col = im[p->u.window_tvf.win.time_col];
    p->out.fields = f;
    p->out.n = in->out.n + 3;
    *map_out = m;
    return p;
}

static eddy_plan *prune_agg(eddy_arena *a, eddy_plan *p, const bool *need, int **map_out)
{
    bool group = p->kind == EDDY_PLAN_GROUP_AGG;
    int *keys = group ? p->u.group_agg.keys : p->u.window_agg.keys;
    int nkeys = group ? p->u.group_agg.nkeys : p->u.window_agg.nkeys;
    eddy_agg_call *aggs = group ? p->u.group_agg.aggs : p->u.window_agg.aggs;
    int naggs = group ? p->u.group_agg.naggs : p->u.window_agg.naggs;
    int nwin = group ? 0 : 3;
    int n = p->out.n;
    eddy_plan *in = p->inputs[0];
    bool *nd = need_new(a, in->out.n);
    for (int k = 0; k < nkeys; k++) nd[keys[k]] = true;
    if (!group) nd[p->u.window_agg.win.time_col] = true;
    /* the late-row CALC reads this node's input (plan.h window_agg.late_sink) */
    eddy_plan *late = !group && p->u.window_agg.late_sink ? p->u.window_agg.late_sink->inputs[0] : NULL;
    if (late)
        for (int i = 0; i < late->out.n; i++) bx_uses(late->u.calc.exprs[i], nd);
    int nkeep = 0;
    for (int j = 0; j < naggs; j++) {
        if (!need[nkeys + nwin + j]) continue;
        nkeep++;
        if (aggs[j].arg >= 0) nd[aggs[j].arg] = true;
        if (aggs[j].arg2 >= 0) nd[aggs[j].arg2] = true;
        if (aggs[j].filter >= 0) nd[aggs[j].filter] = true;
    }
    int *im;
    in = prune(a, in, nd, &im);
    p->inputs[0] = in;
    int *nk = eddy_arena_alloc(a, sizeof(int) * (size_t)(nkeys ? nkeys : 1));
    for (int k = 0; k < nkeys; k++) nk[k] = im[keys[k]];
    if (late)
        for (int i = 0; i < late->out.n; i++) late->u.calc.exprs[i] = bx_remap(a, late->u.calc.exprs[i], im);
    eddy_agg_call *na = eddy_arena_alloc(a, sizeof *na * (size_t)(nkeep ? nkeep : 1));
    int *m = map_new(a, n);
    eddy_field *f = pn_fields(a, nkeys + nwin + nkeep);
    for (int i = 0; i < nkeys + nwin; i++) {
        f[i] = p->out.fields[i];
        m[i] = i;
    }
    int j2 = 0;
    for (int j = 0; j < naggs; j++) {
        if (!need[nkeys + nwin + j]) continue;
        na[j2] = aggs[j];
        if (na[j2].arg >= 0) na[j2].arg = im[na[j2].arg];
        if (na[j2].arg2 >= 0) na[j2].arg2 = im[na[j2].arg2];
        if (na[j2].filter >= 0) na[j2].filter = im[na[j2].filter];
        f[nkeys + nwin + j2] = p->out.fields[nkeys + nwin + j];
        m[nkeys + nwin + j] = nkeys + nwin + j2;
        j2++;
    }
    if (group) {
        p->u.group_agg.keys = nk;
        p->u.group_agg.aggs = na;
        p->u.group_agg.naggs = nkeep;
    } else {
        p->u.window_agg.keys = nk;
        p->u.window_agg.aggs = na;
        p->u.window_agg.naggs = nkeep;
        p->u.window_agg.win.time_col = im[p->u.window_agg.win.time_col];
    }
    p->out.fields = f;
    p->out.n = nkeys + nwin + nkeep;
    *map_out = m;
    return p;
}

static eddy_plan *prune_union(eddy_arena *a, eddy_plan *p, const bool *need, int **map_out)
{
    int n = p->out.n;
    int *m = NULL;
    for (int i = 0; i < p->ninputs; i++) p->inputs[i] = prune_exact(a, p->inputs[i], need, &m);
    int k = 0;
    for (int i = 0; i < n; i++) k += need[i];
    eddy_field *f = pn_fields(a, k);
    for (int i = 0, j = 0; i < n; i++)
        if (need[i]) f[j++] = p->out.fields[i];
    p->out.fields = f;
    p->out.n = k;
    *map_out = m;
    return p;
}

static eddy_plan *prune(eddy_arena *a, eddy_plan *p, const bool *need, int **map_out)
{
    switch (p->kind) {
    case EDDY_PLAN_SOURCE: return prune_source(a, p, need, map_out);
    case EDDY_PLAN_CALC: return prune_calc(a, p, need, map_out);
    case EDDY_PLAN_WATERMARK: return prune_watermark(a, p, need, map_out);
    case EDDY_PLAN_WINDOW_TVF: return prune_window_tvf(a, p, need, map_out);
    case EDDY_PLAN_WINDOW_AGG:
    case EDDY_PLAN_SESSION_AGG:
    case EDDY_PLAN_GROUP_AGG: return prune_agg(a, p, need, map_out);
    case EDDY_PLAN_UNION: return prune_union(a, p, need, map_out);
    case EDDY_PLAN_SINK: {
        eddy_plan *in = p->inputs[0];
        bool *all = need_new(a, in->out.n);
        memset(all, 1, (size_t)in->out.n);
        int *m;
        p->inputs[0] = prune_exact(a, in, all, &m);
        *map_out = NULL;
        return p;
    }
    default: break;
    }
    *map_out = NULL;
    return p;
}

/* ---------------------------------------------------------------------------------------- */
/* 4. Filter pushdown                                                                        */

/* The source and its column that column col of node reads unchanged, or NULL. */
static eddy_plan *trace_source(eddy_plan *node, int col, int *src_col)
{
    for (;;) {
        if (node->kind == EDDY_PLAN_SOURCE) {
            *src_col = col;
            return node;
        }
        if (node->kind == EDDY_PLAN_WATERMARK) {
            node = node->inputs[0];
            continue;
        }
        if (node->kind == EDDY_PLAN_CALC) {
            const eddy_bexpr *e = node->u.calc.exprs[col];
            if (e->kind != EDDY_BEXPR_COLUMN) return NULL;
            col = e->column;
            node = node->inputs[0];
            continue;
        }
        return NULL;
    }
}

static void try_push(eddy_arena *a, eddy_plan *calc, const eddy_bexpr *c)
{
    if (c->kind != EDDY_BEXPR_COMPARE || c->op != EDDY_BOP_EQ || c->nargs != 2) return;
    const eddy_bexpr *col = c->args[0], *k = c->args[1];
    if (col->kind == EDDY_BEXPR_CONST) {
        const eddy_bexpr *t = col;
        col = k;
        k = t;
    }
    if (col->kind != EDDY_BEXPR_COLUMN || k->kind != EDDY_BEXPR_CONST || k->value.null) return;
    int sc;
    eddy_plan *src = trace_source(calc->inputs[0], col->column, &sc);
    if (!src || src->u.source.pushed_filter) return;
    if (!pt_equal(src->out.fields[sc].type, k->type, false)) return;
    eddy_pos pos = {c->line, c->col, 0};
    eddy_bexpr *f = bx_new(a, EDDY_BEXPR_COMPARE, c->type, pos, 2);
    f->op = EDDY_BOP_EQ;
    f->args[0] = bx_col(a, sc, src->out.fields[sc].type);
    f->args[1] = bx_copy(a, k);
    src->u.source.pushed_filter = f;
}

static void push_filters(eddy_arena *a, eddy_plan *p)
{
    for (int i = 0; i < p->ninputs; i++) push_filters(a, p->inputs[i]);
    if (p->kind != EDDY_PLAN_CALC || !p->u.calc.filter) return;
    const eddy_bexpr *f = p->u.calc.filter;
    if (f->kind == EDDY_BEXPR_AND)
        for (int i = 0; i < f->nargs; i++) try_push(a, p, f->args[i]);
    else
        try_push(a, p, f);
}

/* ---------------------------------------------------------------------------------------- */
/* 5. Sharing equal subtrees                                                                 */

static bool schema_equal(const eddy_schema *x, const eddy_schema *y)
{
    if (x->n != y->n) return false;
    for (int i = 0; i < x->n; i++) {
        const eddy_field *f = &x->fields[i], *g = &y->fields[i];
        if (strcmp(f->name, g->name) != 0 || !pt_equal(f->type, g->type, true) || f->rowtime != g->rowtime ||
            f->proctime != g->proctime)
            return false;
    }
    return true;
}

static bool kv_equal(const eddy_kv *x, int nx, const eddy_kv *y, int ny)
{
    if (nx != ny) return false;
    for (int i = 0; i < nx; i++)
        if (strcmp(x[i].key, y[i].key) != 0 || strcmp(x[i].value, y[i].value) != 0) return false;
    return true;
}

static bool aggs_equal(const eddy_agg_call *x, const eddy_agg_call *y, int n)
{
    for (int i = 0; i < n; i++)
        if (x[i].fn != y[i].fn || x[i].arg != y[i].arg || x[i].arg2 != y[i].arg2 || x[i].filter != y[i].filter ||
            x[i].distinct != y[i].distinct || !pt_equal(x[i].type, y[i].type, true) ||
            strcmp(x[i].name, y[i].name) != 0)
            return false;
    return true;
}

static bool node_equal(const eddy_plan *x, const eddy_plan *y)
{
    if (x->kind != y->kind || x->ninputs != y->ninputs || x->changelog != y->changelog) return false;
    for (int i = 0; i < x->ninputs; i++)
        if (x->inputs[i] != y->inputs[i]) return false;
    if (!schema_equal(&x->out, &y->out)) return false;
    switch (x->kind) {
    case EDDY_PLAN_SOURCE:
        if (strcmp(x->u.source.table, y->u.source.table) != 0 ||
            !kv_equal(x->u.source.options, x->u.source.noptions, y->u.source.options, y->u.source.noptions) ||
            !bx_equal(x->u.source.pushed_filter, y->u.source.pushed_filter))
            return false;
        for (int i = 0; i < x->out.n; i++) {
            if (x->u.source.npath[i] != y->u.source.npath[i]) return false;
            for (int k = 0; k < x->u.source.npath[i]; k++)
                if (strcmp(x->u.source.paths[i][k], y->u.source.paths[i][k]) != 0) return false;
            const char *mx = x->u.source.metadata[i], *my = y->u.source.metadata[i];
            if ((mx == NULL) != (my == NULL) || (mx && strcmp(mx, my) != 0)) return false;
        }
        return true;
    case EDDY_PLAN_CALC:
        if (!bx_equal(x->u.calc.filter, y->u.calc.filter)) return false;
        for (int i = 0; i < x->out.n; i++)
            if (!bx_equal(x->u.calc.exprs[i], y->u.calc.exprs[i])) return false;
        return true;
    case EDDY_PLAN_WATERMARK:
        return x->u.watermark.rowtime == y->u.watermark.rowtime && bx_equal(x->u.watermark.expr, y->u.watermark.expr) &&
               x->u.watermark.idle_timeout_ms == y->u.watermark.idle_timeout_ms;
    case EDDY_PLAN_WINDOW_TVF: return memcmp(&x->u.window_tvf.win, &y->u.window_tvf.win, sizeof(eddy_window_spec)) == 0;
    case EDDY_PLAN_WINDOW_AGG:
    case EDDY_PLAN_SESSION_AGG:
        return memcmp(&x->u.window_agg.win, &y->u.window_agg.win, sizeof(eddy_window_spec)) == 0 &&
               x->u.window_agg.nkeys == y->u.window_agg.nkeys &&
               memcmp(x->u.window_agg.keys, y->u.window_agg.keys, sizeof(int) * (size_t)x->u.window_agg.nkeys) == 0 &&
               x->u.window_agg.naggs == y->u.window_agg.naggs &&
               aggs_equal(x->u.window_agg.aggs, y->u.window_agg.aggs, x->u.window_agg.naggs) &&
               x->u.window_agg.allowed_lateness_ms == y->u.window_agg.allowed_lateness_ms &&
               x->u.window_agg.early_fire_ms == y->u.window_agg.early_fire_ms &&
               x->u.window_agg.late_fire == y->u.window_agg.late_fire &&
               x->u.window_agg.late_fire_ms == y->u.window_agg.late_fire_ms;
    case EDDY_PLAN_GROUP_AGG:
        return x->u.group_agg.nkeys == y->u.group_agg.nkeys &&
               memcmp(x->u.group_agg.keys, y->u.group_agg.keys, sizeof(int) * (size_t)x->u.group_agg.nkeys) == 0 &&
               x->u.group_agg.naggs == y->u.group_agg.naggs &&
               aggs_equal(x->u.group_agg.aggs, y->u.group_agg.aggs, x->u.group_agg.naggs) &&
               x->u.group_agg.state_ttl_ms == y->u.group_agg.state_ttl_ms &&
               x->u.group_agg.mini_batch == y->u.group_agg.mini_batch;
    case EDDY_PLAN_UNION: return true;
    default: return false; /* sinks are never shared */
    }
}

typedef struct uniq {
    eddy_plan **nodes;
    int n, cap;
} uniq;

static eddy_plan *share(uniq *u, eddy_plan *p)
{
    for (int i = 0; i < p->ninputs; i++) p->inputs[i] = share(u, p->inputs[i]);
    for (int i = 0; i < u->n; i++)
        if (u->nodes[i] == p || node_equal(u->nodes[i], p)) return u->nodes[i];
    if (u->n == u->cap) {
        u->cap = u->cap ? u->cap * 2 : 32;
        u->nodes = realloc(u->nodes, sizeof *u->nodes * (size_t)u->cap);
    }
    u->nodes[u->n++] = p;
    return p;
}

/* ---------------------------------------------------------------------------------------- */
/* 6. Ids and fingerprint                                                                    */

/* Appends the late-row sinks of the window nodes below p (plan.h window_agg.late_sink) to the
 * job's sinks, once each (a window shared by two INSERTs writes its late rows once). */
static void add_late_sinks(eddy_arena *a, eddy_job_plan *jp, eddy_plan *p, int *cap)
{
    for (int i = 0; i < p->ninputs; i++) add_late_sinks(a, jp, p->inputs[i], cap);
    if (p->kind != EDDY_PLAN_WINDOW_AGG && p->kind != EDDY_PLAN_SESSION_AGG) return;
    eddy_plan *ls = p->u.window_agg.late_sink;
    if (!ls) return;
    for (int i = 0; i < jp->nsinks; i++)
        if (jp->sinks[i] == ls) return;
    if (jp->nsinks == *cap) {
        *cap = *cap ? *cap * 2 : 4;
        eddy_plan **n = eddy_arena_alloc(a, sizeof *n * (size_t)*cap);
        memcpy(n, jp->sinks, sizeof *n * (size_t)jp->nsinks);
        jp->sinks = n;
    }
    jp->sinks[jp->nsinks++] = ls;
}

static void number(eddy_plan *p, int *next)
{
    if (p->id >= 0) return;
    for (int i = 0; i < p->ninputs; i++) number(p->inputs[i], next);
    p->id = (*next)++;
}

static void clear_ids(eddy_plan *p)
{
    p->id = -1;
    for (int i = 0; i < p->ninputs; i++) clear_ids(p->inputs[i]);
}

static void fp_type(eddy_strbuf *b, const eddy_sqltype *t)
{
    pt_sql(b, t, true);
    eddy_strbuf_putc(b, ';');
}

static const char *shape_kind(eddy_plan_kind k)
{
    switch (k) {
    case EDDY_PLAN_WINDOW_AGG: return "WindowAggregate";
    case EDDY_PLAN_SESSION_AGG: return "SessionWindowAggregate";
    case EDDY_PLAN_GROUP_AGG: return "GroupAggregate";
    case EDDY_PLAN_WINDOW_TVF: return "WindowTableFunction";
    case EDDY_PLAN_WATERMARK: return "WatermarkAssigner";
    case EDDY_PLAN_SOURCE: return "Source";
    case EDDY_PLAN_SINK: return "Sink";
    default: return "?";
    }
}

/* Writes node p's state shape (plan.h state_shape) into b; nothing for a stateless node. */
static void shape_of(eddy_strbuf *b, const eddy_plan *p)
{
    const eddy_plan *in = p->ninputs ? p->inputs[0] : NULL;
    switch (p->kind) {
    case EDDY_PLAN_WINDOW_AGG:
    case EDDY_PLAN_SESSION_AGG:
    case EDDY_PLAN_GROUP_AGG: {
        bool group = p->kind == EDDY_PLAN_GROUP_AGG;
        const int *keys = group ? p->u.group_agg.keys : p->u.window_agg.keys;
        int nkeys = group ? p->u.group_agg.nkeys : p->u.window_agg.nkeys;
        const eddy_agg_call *aggs = group ? p->u.group_agg.aggs : p->u.window_agg.aggs;
        int naggs = group ? p->u.group_agg.naggs : p->u.window_agg.naggs;
        eddy_strbuf_printf(b, "%s keys(", shape_kind(p->kind));
        for (int k = 0; k < nkeys; k++) fp_type(b, in->out.fields[keys[k]].type);
        eddy_strbuf_putc(b, ')');
        if (!group) {
            const eddy_window_spec *w = &p->u.window_agg.win;
            eddy_strbuf_printf(b, " window(%d %d %lld %lld %lld %lld late %d)", (int)w->kind, (int)w->proctime,
                               (long long)w->size, (long long)w->slide, (long long)w->offset, (long long)w->gap,
                               (int)p->u.window_agg.late_fire);
        }
        eddy_strbuf_puts(b, " aggs(");
        for (int j = 0; j < naggs; j++) {
            eddy_strbuf_printf(b, " %d/%d/%d/", (int)aggs[j].fn, (int)aggs[j].distinct, aggs[j].filter >= 0);
            if (aggs[j].arg >= 0) fp_type(b, in->out.fields[aggs[j].arg].type);
            fp_type(b, aggs[j].type);
        }
        eddy_strbuf_putc(b, ')');
        break;
    }
    case EDDY_PLAN_WINDOW_TVF:
    case EDDY_PLAN_WATERMARK:
        eddy_strbuf_puts(b, shape_kind(p->kind));
        break;
    case EDDY_PLAN_SOURCE:
        /* positions in sources are state too */
        eddy_strbuf_printf(b, "Source %s %s", p->u.source.table, p->u.source.connector);
        break;
    case EDDY_PLAN_SINK:
        eddy_strbuf_printf(b, "Sink %s %s", p->u.sink.table, p->u.sink.connector);
        break;
    default: break;
    }
}

static void fp_node(eddy_arena *a, eddy_strbuf *b, eddy_plan *p, bool *seen)
{
    if (seen[p->id]) return;
    seen[p->id] = true;
    for (int i = 0; i < p->ninputs; i++) fp_node(a, b, p->inputs[i], seen);
    eddy_strbuf s = {0};
    shape_of(&s, p);
    if (s.n) {
        p->state_shape = eddy_arena_strdup(a, eddy_strbuf_cstr(&s));
        eddy_strbuf_printf(b, "node %d %s\n", p->id, p->state_shape);
    }
    eddy_strbuf_free(&s);
}

void pl_optimize(eddy_arena *a, eddy_job_plan *jp)
{
    for (int s = 0; s < jp->nsinks; s++) {
        eddy_plan *sink = jp->sinks[s];
        merge(a, sink);
        int *m;
        prune(a, sink, NULL, &m);
        merge(a, sink);
        push_filters(a, sink);
    }
    uniq u = {0};
    for (int s = 0; s < jp->nsinks; s++) {
        eddy_plan *sink = jp->sinks[s];
        for (int i = 0; i < sink->ninputs; i++) sink->inputs[i] = share(&u, sink->inputs[i]);
    }
    free(u.nodes);
    int nown = jp->nsinks, cap = jp->nsinks;
    for (int s = 0; s < nown; s++) add_late_sinks(a, jp, jp->sinks[s], &cap);
    for (int s = 0; s < jp->nsinks; s++) clear_ids(jp->sinks[s]);
    int next = 0;
    for (int s = 0; s < jp->nsinks; s++) number(jp->sinks[s], &next);
    jp->nnodes = next;
    eddy_strbuf b = {0};
    bool *seen = calloc((size_t)next + 1, 1);
    for (int s = 0; s < jp->nsinks; s++) fp_node(a, &b, jp->sinks[s], seen);
    free(seen);
    jp->fingerprint = eddy_hash_bytes(eddy_strbuf_cstr(&b), b.n);
    eddy_strbuf_free(&b);
}
