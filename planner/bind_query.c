/*
 * bind_query.c: binding queries into plan nodes: FROM items (tables, views, WITH queries,
 * subqueries, window table functions), WHERE, aggregation (GROUP BY with group windows or over
 * a window TVF, HAVING), the select list, DISTINCT, UNION [ALL], ORDER BY and LIMIT.
 *
 * A table becomes SOURCE (every physical column, each nested ROW field also as a flat column
 * with its path, metadata columns) -> CALC (computed columns, when the table has any) ->
 * WATERMARK (when it declares one). Scopes name these columns as the table does: `bid` and
 * `bid.price` both resolve; `*` gives the declared columns.
 *
 * Aggregation. The GROUP BY keys, the time column of a window, the aggregates' arguments and
 * FILTER conditions are computed by a CALC below the aggregate node (pre-CALC: keys first); the
 * select list and HAVING are bound in "aggregate mode" (agg_hook): an expression equal to a key
 * becomes a reference to that key column, an aggregate call a reference to its result column,
 * window_start/_end/_time and TUMBLE_START(...) etc. references to the window columns, and
 * anything else must be built from those (Flink's "expression 'x' is not being grouped").
 * GROUP BY window_start, window_end over TABLE(TUMBLE/HOP/CUMULATE/SESSION(...)) fuses the
 * window assignment into the aggregation (WINDOW_AGG / SESSION_AGG); a window TVF without such
 * a GROUP BY stays a WINDOW_TVF node. With SET 'eddy.late-rows.table', each window aggregate
 * also gets its late-row sink here (bind_late_sink, bind_stmt.c), so that an error about it
 * inside a view is reported where the view is used.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../common/timeutil.h"
#include "binder.h"
#include "ptype.h"

/* ---------------------------------------------------------------------------------------- */
/* Errors inside views and tables                                                            */

typedef struct errsave {
    eddy_error *outer;
    eddy_error inner;
} errsave;

static void err_enter(binder *b, errsave *s)
{
    s->outer = b->err;
    eddy_error_clear(&s->inner);
    b->err = &s->inner;
}

/* Restores the outer error record; an error inside becomes "in view 'v' (line L, column C):
 * ..." at the place of use. */
static int err_leave(binder *b, errsave *s, const char *what, const char *name, eddy_pos use)
{
    b->err = s->outer;
    if (!s->inner.code) return 0;
    if (s->inner.line)
        return eddy_error_set(b->err, s->inner.code, use.line, use.col, "in %s '%s' (line %d, column %d): %s", what,
                              name, s->inner.line, s->inner.col, s->inner.msg);
    return eddy_error_set(b->err, s->inner.code, use.line, use.col, "in %s '%s': %s", what, name, s->inner.msg);
}

static const char *astr(binder *b, const char *s)
{
    return s ? eddy_arena_strdup(b->a, s) : NULL;
}

/* The SQL text of an expression (for messages), in the arena. */
static const char *expr_text(binder *b, const eddy_expr *e)
{
    eddy_strbuf sb = {0};
    eddy_ast_print_expr(&sb, e);
    const char *r = eddy_arena_strdup(b->a, eddy_strbuf_cstr(&sb));
    eddy_strbuf_free(&sb);
    return r;
}

/* ---------------------------------------------------------------------------------------- */
/* Tables                                                                                    */

static int count_nested(const eddy_sqltype *t)
{
    if (t->kind != EDDY_TYPE_ROW) return 0;
    int n = 0;
    for (int i = 0; i < t->nfields; i++) n += 1 + count_nested(t->fields[i].type);
    return n;
}

typedef struct srcbuild {
    binder *b;
    eddy_plan *src;
    bscope *sc;
    const char *qual;
    int n;
} srcbuild;

/* Adds a source column with path[0..np) (and its nested fields, for a ROW). */
static void add_source_col(srcbuild *sb, const char **path, int np, const eddy_sqltype *type, bool nullable_parent,
                           const char *metadata)
{
    binder *b = sb->b;
    eddy_plan *src = sb->src;
    int i = sb->n++;
    eddy_strbuf nm = {0};
    for (int k = 0; k < np; k++) {
        if (k) eddy_strbuf_putc(&nm, '.');
        eddy_strbuf_puts(&nm, path[k]);
    }
    eddy_field *f = &src->out.fields[i];
    f->name = eddy_arena_strdup(b->a, eddy_strbuf_cstr(&nm));
    eddy_strbuf_free(&nm);
    eddy_sqltype *t = pt_copy(b->a, type);
    if (nullable_parent) t->not_null = false;
    f->type = t;
    const char **p = eddy_arena_alloc(b->a, sizeof *p * (size_t)np);
    for (int k = 0; k < np; k++) p[k] = path[k];
    src->u.source.paths[i] = p;
    src->u.source.npath[i] = np;
    src->u.source.metadata[i] = metadata;
    bcol *c = scope_add(b->a, sb->sc, sb->qual, path[np - 1], i);
    c->path = p;
    c->npath = np;
    c->nested = np > 1;
    if (type->kind == EDDY_TYPE_ROW) {
        bool nullp = nullable_parent || !type->not_null;
        for (int k = 0; k < type->nfields; k++) {
            const char **sub = eddy_arena_alloc(b->a, sizeof *sub * (size_t)(np + 1));
            memcpy(sub, path, sizeof *sub * (size_t)np);
            sub[np] = eddy_arena_strdup(b->a, type->fields[k].name);
            add_source_col(sb, sub, np + 1, type->fields[k].type, nullp, NULL);
        }
    }
}

static bool opt_true(const eddy_kv *kv, int n, const char *key)
{
    for (int i = 0; i < n; i++)
        if (strcmp(kv[i].key, key) == 0) return strcasecmp(kv[i].value, "true") == 0;
    return false;
}

static const char *opt_get(const eddy_kv *kv, int n, const char *key)
{
    for (int i = 0; i < n; i++)
        if (strcmp(kv[i].key, key) == 0) return kv[i].value;
    return NULL;
}

/* The table's WITH options with hints laid over them, copied into the arena. */
static eddy_kv *table_options(binder *b, const eddy_create_table *ct, const eddy_option_list *hints, int *nout)
{
    int n = (ct->options ? ct->options->n : 0) + (hints ? hints->n : 0);
    eddy_kv *kv = eddy_arena_zalloc(b->a, sizeof *kv * (size_t)(n > 0 ? n : 1));
    int k = 0;
    for (int pass = 0; pass < 2; pass++) {
        const eddy_option_list *l = pass ? hints : ct->options;
        if (!l) continue;
        for (int i = 0; i < l->n; i++) {
            int j;
            for (j = 0; j < k; j++)
                if (strcmp(kv[j].key, l->a[i].key) == 0) break;
            kv[j].key = astr(b, l->a[i].key);
            kv[j].value = astr(b, l->a[i].value);
            if (j == k) k++;
        }
    }
    /* PARTITIONED BY (dt, hm): the filesystem connector reads it as 'partition.keys' = 'dt,hm' */
    if (ct->partitioned_by && ct->partitioned_by->n > 0) {
        eddy_strbuf sb = {0};
        for (int i = 0; i < ct->partitioned_by->n; i++)
            eddy_strbuf_printf(&sb, "%s%s", i ? "," : "", ct->partitioned_by->a[i].name);
        eddy_kv *k2 = eddy_arena_zalloc(b->a, sizeof *k2 * (size_t)(k + 1));
        if (k) memcpy(k2, kv, sizeof *kv * (size_t)k);
        k2[k].key = "partition.keys";
        k2[k].value = eddy_arena_strdup(b->a, eddy_strbuf_cstr(&sb));
        eddy_strbuf_free(&sb);
        kv = k2;
        k++;
    }
    *nout = k;
    return kv;
}

/* The 'connector' option of a table, or NULL with an error. */
static const char *table_connector(binder *b, const char *table, const eddy_kv *kv, int n, eddy_pos pos)
{
    const char *c = opt_get(kv, n, "connector");
    if (c) return c;
    if (opt_get(kv, n, "connector.type")) {
        bind_error(b, EDDY_EUNSUPPORTED, pos,
                   "table '%s' uses Flink's legacy option keys ('connector.type' = '%s', ...); write 'connector' = "
                   "'...' and the connector's current option names instead",
                   table, opt_get(kv, n, "connector.type"));
        return NULL;
    }
    bind_error(b, EDDY_EBIND, pos, "table '%s' has no 'connector' option", table);
    return NULL;
}

/* Built-in connectors that cannot be read from (sinks only). */
static bool sink_only(const char *connector)
{
    return strcmp(connector, "print") == 0 || strcmp(connector, "blackhole") == 0;
}

static bool source_bounded(const char *connector, const eddy_kv *kv, int n)
{
    if (strcmp(connector, "filesystem") == 0) return true;
    if (strcmp(connector, "datagen") == 0) return opt_get(kv, n, "number-of-rows") != NULL;
    if (strcmp(connector, "nexmark") == 0) {
        const char *ev = opt_get(kv, n, "events.num");
        return ev && atoll(ev) > 0 && !opt_true(kv, n, "keep-alive");
    }
    return false;
}

/* Binds table o into a scope. wrap: errors in its DDL are reported at pos, naming the table
 * (when the table is used by a query; not when its own CREATE TABLE is checked). */
static bscope *bind_table(binder *b, const cat_object *o, const char *qual, const eddy_option_list *hints,
                          eddy_pos pos, bool wrap)
{
    /* wrap is set exactly when a query reads the table (not for CREATE TABLE's own check) */
    const eddy_create_table *ct = o->table;
    int nopt;
    eddy_kv *kv = table_options(b, ct, hints, &nopt);
    const char *connector = table_connector(b, o->name, kv, nopt, pos);
    if (!connector) return NULL;
    if (wrap && sink_only(connector)) {
        bind_error(b, EDDY_EBIND, pos, "table '%s' uses connector '%s', which can only be written to", o->name,
                   connector);
        return NULL;
    }

    /* SOURCE: physical columns with their nested fields, metadata columns */
    int ncols = 0, nphys = 0;
    bool computed = false;
    for (int i = 0; i < ct->ncols; i++) {
        const eddy_column_def *cd = &ct->cols[i];
        if (cd->kind == EDDY_COLUMN_COMPUTED) {
            computed = true;
            continue;
        }
        ncols += 1 + (cd->kind == EDDY_COLUMN_PHYSICAL ? count_nested(cd->type) : 0);
        if (cd->kind == EDDY_COLUMN_PHYSICAL) nphys++;
    }
    eddy_plan *src = pn_new(b->a, EDDY_PLAN_SOURCE, 0, pos);
    src->out.n = ncols;
    src->out.fields = pn_fields(b->a, ncols);
    src->u.source.table = astr(b, o->name);
    src->u.source.connector = astr(b, connector);
    src->u.source.options = kv;
    src->u.source.noptions = nopt;
    src->u.source.paths = eddy_arena_zalloc(b->a, sizeof(char **) * (size_t)(ncols ? ncols : 1));
    src->u.source.npath = eddy_arena_zalloc(b->a, sizeof(int) * (size_t)(ncols ? ncols : 1));
    src->u.source.metadata = eddy_arena_zalloc(b->a, sizeof(char *) * (size_t)(ncols ? ncols : 1));
    src->u.source.bounded = source_bounded(connector, kv, nopt);
    src->u.source.physical.n = nphys;
    src->u.source.physical.fields = pn_fields(b->a, nphys);
    srcbuild sb = {b, src, scope_new(b->a, src), qual, 0};
    int ip = 0;
    for (int i = 0; i < ct->ncols; i++) {
        const eddy_column_def *cd = &ct->cols[i];
        if (cd->kind == EDDY_COLUMN_COMPUTED) continue;
        const char **path = eddy_arena_alloc(b->a, sizeof(char *));
        path[0] = astr(b, cd->name->name);
        const char *md = NULL;
        if (cd->kind == EDDY_COLUMN_METADATA) md = astr(b, cd->metadata_key ? cd->metadata_key : cd->name->name);
        int at = sb.n;
        add_source_col(&sb, path, 1, cd->type, false, md);
        if (cd->kind == EDDY_COLUMN_PHYSICAL) {
            /* a primary key column is NOT NULL (Flink) */
            if (cd->primary_key) ((eddy_sqltype *)src->out.fields[at].type)->not_null = true;
            if (ct->primary_key)
                for (int k = 0; k < ct->primary_key->n; k++)
                    if (strcmp(ct->primary_key->a[k].name, cd->name->name) == 0)
                        ((eddy_sqltype *)src->out.fields[at].type)->not_null = true;
            src->u.source.physical.fields[ip++] = src->out.fields[at];
        }
    }
    /* PRIMARY KEY (column constraint or table constraint) as indexes into physical, in key
     * order (upsert-kafka decodes these columns from the message key) */
    int npk = ct->primary_key ? ct->primary_key->n : 0;
    for (int i = 0; i < ct->ncols; i++) npk += ct->cols[i].primary_key;
    if (npk > 0) {
        src->u.source.primary_key = eddy_arena_zalloc(b->a, sizeof(int) * (size_t)npk);
        for (int k = 0; k < npk; k++) {
            const char *kn = NULL;
            if (ct->primary_key) {
                kn = ct->primary_key->a[k].name;
            } else {
                for (int i = 0; i < ct->ncols && !kn; i++)
                    if (ct->cols[i].primary_key) kn = ct->cols[i].name->name;
            }
            for (int j = 0; j < nphys; j++)
                if (strcmp(src->u.source.physical.fields[j].name, kn) == 0)
                    src->u.source.primary_key[src->u.source.nprimary_key++] = j;
        }
    }
    /* upsert-kafka reads a topic as a table: its rows are a changelog (+I, -U/+U, -D) */
    if (strcmp(connector, "upsert-kafka") == 0) {
        if (wrap && npk == 0) {
            bind_error(b, EDDY_EBIND, pos,
                       "table '%s': 'upsert-kafka' tables require to define a PRIMARY KEY constraint. The PRIMARY KEY "
                       "specifies which columns should be read from or write to the Kafka message key. The PRIMARY "
                       "KEY also defines records in the 'upsert-kafka' table should update or delete on which keys.",
                       o->name);
            return NULL;
        }
        src->changelog = true;
    }
    bscope *sc = sb.sc;
    eddy_plan *top = src;

    errsave es;
    if (wrap) err_enter(b, &es);
    /* CALC: the declared columns in order, computed ones bound over the source */
    if (computed) {
        int n = 0;
        for (int i = 0; i < ct->ncols; i++)
            n += 1 + (ct->cols[i].kind == EDDY_COLUMN_PHYSICAL ? count_nested(ct->cols[i].type) : 0);
        eddy_bexpr **ex = eddy_arena_alloc(b->a, sizeof *ex * (size_t)n);
        const char **names = eddy_arena_alloc(b->a, sizeof *names * (size_t)n);
        bscope *csc = scope_new(b->a, NULL);
        ectx c = {b, sc, NULL, "a computed column"};
        int k = 0, si = 0;
        bool ok = true;
        for (int i = 0; i < ct->ncols && ok; i++) {
            const eddy_column_def *cd = &ct->cols[i];
            if (cd->kind == EDDY_COLUMN_COMPUTED) {
                if (expr_has_agg(cd->expr)) {
                    bind_error(b, EDDY_EBIND, cd->expr->pos, "a computed column cannot use aggregate functions");
                    ok = false;
                    break;
                }
                eddy_bexpr *x = bind_expr(&c, cd->expr);
                if (!x) {
                    ok = false;
                    break;
                }
                if (pt_is_null(x->type)) x = bx_cast(b->a, x, pt_string(b->a, false));
                ex[k] = x;
                names[k] = astr(b, cd->name->name);
                scope_add(b->a, csc, qual, names[k], k);
                k++;
                continue;
            }
            int cnt = 1 + (cd->kind == EDDY_COLUMN_PHYSICAL ? count_nested(cd->type) : 0);
            for (int j = 0; j < cnt; j++, si++, k++) {
                ex[k] = bx_col(b->a, si, src->out.fields[si].type);
                names[k] = src->out.fields[si].name;
                bcol *col = scope_add(b->a, csc, qual, sc->cols[si].name, k);
                col->path = sc->cols[si].path;
                col->npath = sc->cols[si].npath;
                col->nested = sc->cols[si].nested;
            }
        }
        if (!ok) {
            if (wrap) err_leave(b, &es, "table", o->name, pos);
            return NULL;
        }
        top = pn_calc(b->a, src, ex, names, n, NULL, pos);
        csc->node = top;
        sc = csc;
    }
    /* WATERMARK */
    if (ct->wm_column) {
        const eddy_ident *wc = ct->wm_column;
        int col = -1;
        for (int i = 0; i < sc->n; i++)
            if (!sc->cols[i].nested && strcmp(sc->cols[i].name, wc->name) == 0) col = sc->cols[i].index;
        if (col < 0) {
            bind_error(b, EDDY_EBIND, wc->pos, "WATERMARK FOR '%s': no such column", wc->name);
            if (wrap) err_leave(b, &es, "table", o->name, pos);
            return NULL;
        }
        const eddy_sqltype *t = top->out.fields[col].type;
        if (!pt_is_timestamp(t) || t->precision > 3) {
            bind_error(b, EDDY_EBIND, wc->pos,
                       "WATERMARK FOR '%s': the rowtime column must be TIMESTAMP(p) or TIMESTAMP_LTZ(p) with p <= 3, "
                       "not %s",
                       wc->name, pt_str(t));
            if (wrap) err_leave(b, &es, "table", o->name, pos);
            return NULL;
        }
        ectx c = {b, sc, NULL, "WATERMARK"};
        eddy_bexpr *x = expr_has_agg(ct->wm_expr) ? NULL : bind_expr(&c, ct->wm_expr);
        if (x && !pt_is_timestamp(x->type)) {
            bind_error(b, EDDY_EBIND, ct->wm_expr->pos,
                       "the WATERMARK expression must give a TIMESTAMP(3) or TIMESTAMP_LTZ(3), not %s", pt_str(x->type));
            x = NULL;
        }
        if (!x) {
            if (!b->err->code) bind_error(b, EDDY_EBIND, ct->wm_expr->pos, "aggregate functions are not allowed in WATERMARK");
            if (wrap) err_leave(b, &es, "table", o->name, pos);
            return NULL;
        }
        eddy_plan *wm = pn_new(b->a, EDDY_PLAN_WATERMARK, 1, ct->wm_pos);
        wm->inputs[0] = top;
        wm->changelog = top->changelog;
        wm->out.n = top->out.n;
        wm->out.fields = pn_fields(b->a, top->out.n);
        memcpy(wm->out.fields, top->out.fields, sizeof(eddy_field) * (size_t)top->out.n);
        wm->out.fields[col].rowtime = true;
        wm->out.fields[col].proctime = false;
        wm->u.watermark.rowtime = col;
        wm->u.watermark.expr = x;
        wm->u.watermark.idle_timeout_ms = session_duration(b->s, "table.exec.source.idle-timeout", 0);
        top = wm;
        sc->node = wm;
    }
    if (wrap && err_leave(b, &es, "table", o->name, pos)) return NULL;
    sc->node = top;
    return sc;
}

/* ---------------------------------------------------------------------------------------- */
/* Views, WITH queries, renaming                                                             */

/* A scope over node whose columns are named names (or the node's field names), qualified by
 * qual; with names a renaming CALC is put on top. */
static bscope *rename_scope(binder *b, eddy_plan *node, const char *qual, const eddy_ident_list *names,
                            eddy_pos pos, const char *what)
{
    if (names) {
        if (names->n != node->out.n) {
            bind_error(b, EDDY_EBIND, pos, "%s lists %d column names but its query has %d columns", what, names->n,
                       node->out.n);
            return NULL;
        }
        int n = node->out.n;
        eddy_bexpr **ex = eddy_arena_alloc(b->a, sizeof *ex * (size_t)(n ? n : 1));
        const char **nm = eddy_arena_alloc(b->a, sizeof *nm * (size_t)(n ? n : 1));
        for (int i = 0; i < n; i++) {
            ex[i] = bx_col(b->a, i, node->out.fields[i].type);
            nm[i] = astr(b, names->a[i].name);
        }
        node = pn_calc(b->a, node, ex, nm, n, NULL, pos);
    }
    return scope_of_node(b->a, node, qual);
}

static bscope *bind_view(binder *b, const cat_object *o, const char *qual, eddy_pos pos)
{
    for (int i = 0; i < b->nviews; i++)
        if (b->views[i] == o) {
            bind_error(b, EDDY_EBIND, pos, "view '%s' refers to itself", o->name);
            return NULL;
        }
    if (b->nviews == (int)(sizeof b->views / sizeof b->views[0])) {
        bind_error(b, EDDY_EBIND, pos, "views nest too deeply");
        return NULL;
    }
    b->views[b->nviews++] = o;
    int base = b->nctes_base;
    b->nctes_base = b->nctes;
    errsave es;
    err_enter(b, &es);
    bscope *inner = bind_query(b, o->query, false);
    b->nctes_base = base;
    b->nviews--;
    if (err_leave(b, &es, "view", o->name, pos) || !inner) return NULL;
    return rename_scope(b, inner->node, qual, o->cols, pos, "the view");
}

bscope *bind_catalog_object(binder *b, const cat_object *o, const char *qual, const eddy_option_list *hints,
                            eddy_pos pos)
{
    if (o->kind == CAT_VIEW) {
        if (hints) {
            bind_error(b, EDDY_EBIND, pos, "OPTIONS hints apply to tables, and '%s' is a view", o->name);
            return NULL;
        }
        return bind_view(b, o, qual, pos);
    }
    return bind_table(b, o, qual, hints, pos, true);
}

static const eddy_cte *find_cte(binder *b, const char *name)
{
    for (int i = b->nctes - 1; i >= b->nctes_base; i--)
        if (strcmp(b->ctes[i]->name->name, name) == 0) return b->ctes[i];
    return NULL;
}

static void push_cte(binder *b, const eddy_cte *c)
{
    if (b->nctes == b->cctes) {
        int cap = b->cctes ? b->cctes * 2 : 8;
        const eddy_cte **n = eddy_arena_alloc(b->a, sizeof *n * (size_t)cap);
        if (b->nctes) memcpy(n, b->ctes, sizeof *n * (size_t)b->nctes);
        b->ctes = n;
        b->cctes = cap;
    }
    b->ctes[b->nctes++] = c;
}

static bscope *bind_cte(binder *b, const eddy_cte *cte, const char *qual, eddy_pos pos)
{
    /* a WITH query sees the ones in reach before it, not itself nor later ones: they are copied
     * to the top of the stack (so that the query's own WITH pushes above them) */
    int save = b->nctes, base = b->nctes_base;
    int idx = -1;
    for (int i = b->nctes - 1; i >= b->nctes_base; i--)
        if (b->ctes[i] == cte) idx = i;
    if (idx < 0) idx = b->nctes;
    for (int i = base; i < idx; i++) push_cte(b, b->ctes[i]);
    b->nctes_base = save;
    errsave es;
    err_enter(b, &es);
    bscope *inner = bind_query(b, cte->query, false);
    b->nctes = save;
    b->nctes_base = base;
    if (err_leave(b, &es, "WITH query", cte->name->name, pos) || !inner) return NULL;
    return rename_scope(b, inner->node, qual, cte->cols, pos, "the WITH query");
}

/* A named FROM item: WITH query, table or view. */
static bscope *bind_named(binder *b, const eddy_name *n, const char *alias, const eddy_option_list *hints,
                          eddy_pos pos)
{
    const char *last = n->parts[n->nparts - 1].name;
    const char *qual = alias ? alias : last;
    if (n->nparts == 1) {
        const eddy_cte *cte = find_cte(b, last);
        if (cte) return bind_cte(b, cte, qual, pos);
    }
    cat_object *o = cat_lookup(b->s, n, b->err);
    if (!o) return NULL;
    return bind_catalog_object(b, o, astr(b, qual), hints, pos);
}

/* ---------------------------------------------------------------------------------------- */
/* Window table functions                                                                    */

enum { TA_DATA, TA_TIMECOL, TA_SIZE, TA_SLIDE, TA_STEP, TA_GAP, TA_OFFSET, TA__COUNT };
static const char *const ta_names[TA__COUNT] = {"DATA", "TIMECOL", "SIZE", "SLIDE", "STEP", "GAP", "OFFSET"};

static bool time_attr_field(const eddy_field *f)
{
    return f->rowtime || f->proctime;
}

static bscope *bind_window_tvf(binder *b, const eddy_tableref *t)
{
    const eddy_expr *call = t->u.func.call;
    const eddy_name *fname = call->u.call.func;
    const char *name = fname->parts[fname->nparts - 1].name;
    int aux;
    int gw = fname->nparts == 1 ? group_window_fn(name, &aux) : 0;
    if (!gw || aux) {
        bind_error(b, EDDY_EUNSUPPORTED, call->pos,
                   "table function '%s' is not supported (eddy has the window functions TUMBLE, HOP, CUMULATE and "
                   "SESSION)",
                   name);
        return NULL;
    }
    if (t->u.func.lateral) {
        bind_error(b, EDDY_EUNSUPPORTED, t->pos, "LATERAL TABLE(...) is not supported yet");
        return NULL;
    }
    eddy_window_kind kind = gw == 1 ? EDDY_WINDOW_TUMBLE : gw == 2 ? EDDY_WINDOW_HOP : gw == 3 ? EDDY_WINDOW_SESSION
                                                                                              : EDDY_WINDOW_CUMULATE;
    static const int order[4][5] = {
        {TA_DATA, TA_TIMECOL, TA_SIZE, TA_OFFSET, -1},          /* TUMBLE */
        {TA_DATA, TA_TIMECOL, TA_SLIDE, TA_SIZE, TA_OFFSET},    /* HOP */
        {TA_DATA, TA_TIMECOL, TA_STEP, TA_SIZE, TA_OFFSET},     /* CUMULATE */
        {TA_DATA, TA_TIMECOL, TA_GAP, -1, -1},                  /* SESSION */
    };
    const int *ord = order[kind == EDDY_WINDOW_TUMBLE ? 0 : kind == EDDY_WINDOW_HOP ? 1 : kind == EDDY_WINDOW_CUMULATE ? 2 : 3];
    const char *kname = kind == EDDY_WINDOW_TUMBLE ? "TUMBLE" : kind == EDDY_WINDOW_HOP ? "HOP" : kind == EDDY_WINDOW_CUMULATE ? "CUMULATE" : "SESSION";
    const eddy_expr *slot[TA__COUNT] = {0};
    const eddy_expr_list *args = call->u.call.args;
    int nargs = args ? args->n : 0;
    bool named = false;
    for (int i = 0; i < nargs; i++) {
        const eddy_expr *x = args->a[i];
        int s = -1;
        if (x->kind == EDDY_EXPR_NAMED_ARG) {
            named = true;
            for (int k = 0; k < 5; k++)
                if (ord[k] >= 0 && strcasecmp(ta_names[ord[k]], x->u.named_arg.name->name) == 0) s = ord[k];
            if (s < 0) {
                bind_error(b, EDDY_EBIND, x->pos, "%s has no parameter named %s", kname, x->u.named_arg.name->name);
                return NULL;
            }
            x = x->u.named_arg.value;
        } else {
            if (named) {
                bind_error(b, EDDY_EBIND, x->pos, "%s: positional arguments cannot follow named ones", kname);
                return NULL;
            }
            if (i >= 5 || ord[i] < 0) {
                bind_error(b, EDDY_EBIND, x->pos, "%s takes at most %d arguments", kname,
                           kind == EDDY_WINDOW_TUMBLE ? 4 : kind == EDDY_WINDOW_SESSION ? 3 : 5);
                return NULL;
            }
            s = ord[i];
        }
        if (slot[s]) {
            bind_error(b, EDDY_EBIND, x->pos, "%s: %s is given twice", kname, ta_names[s]);
            return NULL;
        }
        slot[s] = x;
    }
    for (int k = 0; k < 5; k++) {
        int s = ord[k];
        if (s < 0 || s == TA_OFFSET || slot[s]) continue;
        bind_error(b, EDDY_EBIND, call->pos, "%s needs its %s argument", kname, ta_names[s]);
        return NULL;
    }
    /* DATA => TABLE t */
    const eddy_expr *data = slot[TA_DATA];
    if (data->kind != EDDY_EXPR_TABLE_ARG || !data->u.table_arg.table) {
        bind_error(b, EDDY_EBIND, data->pos, "the first argument of %s must be TABLE name (a table or view)", kname);
        return NULL;
    }
    if (data->u.table_arg.order) {
        bind_error(b, EDDY_EUNSUPPORTED, data->pos, "ORDER BY in a window table argument is not supported");
        return NULL;
    }
    if (data->u.table_arg.partition && kind != EDDY_WINDOW_SESSION) {
        bind_error(b, EDDY_EBIND, data->pos, "PARTITION BY applies to SESSION windows only");
        return NULL;
    }
    bscope *d = bind_named(b, data->u.table_arg.table, NULL, NULL, data->pos);
    if (!d) return NULL;
    /* TIMECOL => DESCRIPTOR(ts) */
    const eddy_expr *tc = slot[TA_TIMECOL];
    if (tc->kind != EDDY_EXPR_DESCRIPTOR || tc->u.descriptor->n != 1) {
        bind_error(b, EDDY_EBIND, tc->pos, "the time column of %s must be DESCRIPTOR(column)", kname);
        return NULL;
    }
    const eddy_ident *tid = &tc->u.descriptor->a[0];
    int tcol = -1;
    for (int i = 0; i < d->n; i++)
        if (!d->cols[i].nested && strcmp(d->cols[i].name, tid->name) == 0) tcol = d->cols[i].index;
    if (tcol < 0) {
        const char **cands = eddy_arena_alloc(b->a, sizeof *cands * (size_t)(d->n + 1));
        int nc = 0;
        for (int i = 0; i < d->n; i++)
            if (!d->cols[i].nested) cands[nc++] = d->cols[i].name;
        const char *s = pl_suggest(tid->name, cands, nc);
        if (s)
            bind_error(b, EDDY_EBIND, tid->pos, "DESCRIPTOR(%s): column '%s' not found; did you mean '%s'?", tid->name,
                       tid->name, s);
        else
            bind_error(b, EDDY_EBIND, tid->pos, "DESCRIPTOR(%s): column '%s' not found", tid->name, tid->name);
        return NULL;
    }
    const eddy_field *tf = &d->node->out.fields[tcol];
    if (!time_attr_field(tf)) {
        bind_error(b, EDDY_EBIND, tc->pos,
                   "DESCRIPTOR(%s): column '%s' is not a time attribute; declare WATERMARK FOR %s ... or use PROCTIME()",
                   tid->name, tid->name, tid->name);
        return NULL;
    }
    /* sizes */
    ectx c = {b, d, NULL, "a window argument"};
    eddy_window_spec w;
    memset(&w, 0, sizeof w);
    w.kind = kind;
    w.time_col = tcol;
    w.proctime = tf->proctime;
    if (kind == EDDY_WINDOW_SESSION) {
        if ((w.gap = bind_interval_ms(&c, slot[TA_GAP], "the SESSION gap")) < 0) return NULL;
    } else {
        if ((w.size = bind_interval_ms(&c, slot[TA_SIZE], "the window size")) < 0) return NULL;
        w.slide = w.size;
        if (kind == EDDY_WINDOW_HOP && (w.slide = bind_interval_ms(&c, slot[TA_SLIDE], "the HOP slide")) < 0)
            return NULL;
        if (kind == EDDY_WINDOW_CUMULATE) {
            if ((w.slide = bind_interval_ms(&c, slot[TA_STEP], "the CUMULATE step")) < 0) return NULL;
            if (w.size % w.slide != 0) {
                bind_error(b, EDDY_EBIND, slot[TA_SIZE]->pos,
                           "CUMULATE: the max window size must be a whole multiple of the step");
                return NULL;
            }
        }
        if (slot[TA_OFFSET]) {
            eddy_bexpr *x = bind_expr(&c, slot[TA_OFFSET]);
            if (!x) return NULL;
            if (x->kind != EDDY_BEXPR_CONST || !pt_is_interval(x->type) || eddy_interval_is_months(x->type->from) ||
                x->value.null) {
                bind_error(b, EDDY_EBIND, slot[TA_OFFSET]->pos,
                           "the window offset must be a constant INTERVAL such as INTERVAL '1' MINUTE");
                return NULL;
            }
            w.offset = x->value.u.i;
        }
    }
    /* the node: input columns (the time column loses its attribute), then the window columns */
    eddy_plan *in = d->node;
    if (in->changelog) {
        const eddy_plan *origin = pn_changelog_origin(in);
        if (origin && origin->kind == EDDY_PLAN_SOURCE)
            bind_error(b, EDDY_EUNSUPPORTED, call->pos,
                       "%s over table '%s' is not supported: connector '%s' makes it a changelog (updates and "
                       "deletes), and window functions take appends only; read the topic with connector 'kafka' to "
                       "window its messages",
                       kname, origin->u.source.table, origin->u.source.connector);
        else
            bind_error(b, EDDY_EUNSUPPORTED, call->pos,
                       "%s over a changelog (the result of a non-windowed GROUP BY) is not supported: window "
                       "functions take appends only",
                       kname);
        return NULL;
    }
    eddy_plan *p = pn_new(b->a, EDDY_PLAN_WINDOW_TVF, 1, call->pos);
    p->inputs[0] = in;
    p->changelog = in->changelog;
    int n = in->out.n;
    p->out.n = n + 3;
    p->out.fields = pn_fields(b->a, n + 3);
    memcpy(p->out.fields, in->out.fields, sizeof(eddy_field) * (size_t)n);
    for (int i = 0; i < n; i++) p->out.fields[i].rowtime = p->out.fields[i].proctime = false;
    static const char *const wn[3] = {"window_start", "window_end", "window_time"};
    for (int k = 0; k < 3; k++) {
        eddy_field *f = &p->out.fields[n + k];
        f->name = wn[k];
        f->type = pt_new(b->a, k == 2 && tf->type->kind == EDDY_TYPE_TIMESTAMP_LTZ ? EDDY_TYPE_TIMESTAMP_LTZ : EDDY_TYPE_TIMESTAMP,
                         3, -1, true);
        if (k == 2) {
            f->rowtime = !w.proctime;
            f->proctime = w.proctime;
        }
    }
    p->u.window_tvf.win = w;
    const char *qual = t->alias ? astr(b, t->alias->name) : NULL;
    bscope *sc = scope_new(b->a, p);
    for (int i = 0; i < d->n; i++) {
        bcol *col = scope_add(b->a, sc, qual ? qual : d->cols[i].qual, d->cols[i].name, d->cols[i].index);
        col->path = d->cols[i].path;
        col->npath = d->cols[i].npath;
        col->nested = d->cols[i].nested;
    }
    for (int k = 0; k < 3; k++) {
        bcol *col = scope_add(b->a, sc, qual, wn[k], n + k);
        col->win = WIN_START + k;
    }
    tvf_info *ti = eddy_arena_zalloc(b->a, sizeof *ti);
    ti->node = p;
    ti->input = in;
    ti->pos = call->pos;
    if (data->u.table_arg.partition) {
        const eddy_expr_list *pl = data->u.table_arg.partition;
        ti->part = eddy_arena_alloc(b->a, sizeof(int) * (size_t)pl->n);
        ectx pc = {b, d, NULL, "PARTITION BY"};
        for (int i = 0; i < pl->n; i++) {
            eddy_bexpr *x = bind_expr(&pc, pl->a[i]);
            if (!x) return NULL;
            if (x->kind != EDDY_BEXPR_COLUMN) {
                bind_error(b, EDDY_EBIND, pl->a[i]->pos, "PARTITION BY takes column names");
                return NULL;
            }
            ti->part[ti->npart++] = x->column;
        }
    }
    sc->tvf = ti;
    if (t->alias_cols) {
        bind_error(b, EDDY_EUNSUPPORTED, t->pos, "column aliases on a window table function are not supported");
        return NULL;
    }
    return sc;
}

/* ---------------------------------------------------------------------------------------- */
/* FROM                                                                                      */

static bscope *bind_from(binder *b, const eddy_tableref *t)
{
    switch (t->kind) {
    case EDDY_TABLEREF_NAME: {
        if (t->u.table.system_time) {
            bind_error(b, EDDY_EUNSUPPORTED, t->u.table.system_time->pos,
                       "temporal joins (FOR SYSTEM_TIME AS OF) are not supported yet");
            return NULL;
        }
        bscope *sc = bind_named(b, t->u.table.name, t->alias ? t->alias->name : NULL, t->u.table.hints, t->pos);
        if (!sc) return NULL;
        if (t->alias_cols)
            return rename_scope(b, sc->node, sc->n ? sc->cols[0].qual : NULL, t->alias_cols, t->pos, "the alias");
        return sc;
    }
    case EDDY_TABLEREF_SUBQUERY: {
        bscope *inner = bind_query(b, t->u.subquery, false);
        if (!inner) return NULL;
        return rename_scope(b, inner->node, t->alias ? astr(b, t->alias->name) : NULL, t->alias_cols, t->pos,
                            "the alias");
    }
    case EDDY_TABLEREF_FUNCTION: return bind_window_tvf(b, t);
    case EDDY_TABLEREF_UNNEST:
        bind_error(b, EDDY_EUNSUPPORTED, t->pos, "UNNEST is not supported yet");
        return NULL;
    case EDDY_TABLEREF_JOIN:
        if (t->u.join.kind == EDDY_JOIN_COMMA)
            bind_error(b, EDDY_EUNSUPPORTED, t->u.join.right->pos, "joins (FROM a, b) are not supported yet");
        else
            bind_error(b, EDDY_EUNSUPPORTED, t->pos, "JOIN is not supported yet");
        return NULL;
    }
    bind_error(b, EDDY_EBIND, t->pos, "unknown FROM item");
    return NULL;
}

/* ---------------------------------------------------------------------------------------- */
/* Select lists                                                                              */

static const char *item_name(binder *b, const eddy_select_item *it, int i)
{
    if (it->alias) return astr(b, it->alias->name);
    if (it->expr->kind == EDDY_EXPR_NAME) {
        const eddy_name *n = it->expr->u.name;
        return astr(b, n->parts[n->nparts - 1].name);
    }
    return eddy_arena_sprintf(b->a, "EXPR$%d", i);
}

/* Makes names unique as Calcite does: a repeated name gets a number (price, price0, price1). */
static void uniquify(binder *b, const char **names, int n)
{
    for (int i = 1; i < n; i++) {
        bool dup = false;
        for (int j = 0; j < i && !dup; j++) dup = strcmp(names[i], names[j]) == 0;
        if (!dup) continue;
        for (int k = 0;; k++) {
            const char *cand = eddy_arena_sprintf(b->a, "%s%d", names[i], k);
            bool used = false;
            for (int j = 0; j < n && !used; j++) used = j != i && strcmp(names[j], cand) == 0;
            if (!used) {
                names[i] = cand;
                break;
            }
        }
    }
}

/* The visible columns a `*` or `t.*` item stands for; NULL with an error when q names no table. */
static int star_columns(binder *b, const bscope *sc, const eddy_expr *star, int *out)
{
    const eddy_name *q = star->u.star.qualifier;
    const char *qn = q ? q->parts[q->nparts - 1].name : NULL;
    int n = 0;
    for (int i = 0; i < sc->n; i++) {
        const bcol *c = &sc->cols[i];
        if (c->nested) continue;
        if (qn && (!c->qual || strcmp(c->qual, qn) != 0)) continue;
        out[n++] = i;
    }
    if (qn && n == 0) {
        bind_error(b, EDDY_EBIND, star->pos, "table '%s' not found in FROM", qn);
        return -1;
    }
    return n;
}

/* Number of output columns a select list gives (stars expanded). */
static int count_items(const eddy_select *sel, const bscope *sc)
{
    int n = 0;
    for (int i = 0; i < sel->items->n; i++)
        n += sel->items->a[i].expr->kind == EDDY_EXPR_STAR ? sc->n : 1;
    return n;
}

/* ---------------------------------------------------------------------------------------- */
/* Aggregation                                                                               */

struct aggctx {
    ectx in;                    /* plain binding over the input scope */
    bscope *insc;
    eddy_bexpr **pre;           /* pre-aggregation projection: keys first */
    const char **pre_names;
    bool *pre_gen;              /* name was generated ($fN) */
    int npre, cpre;
    int nkeys;
    int nwin;                   /* 3 when windowed */
    eddy_window_spec win;       /* the window; time_col indexes pre */
    const eddy_sqltype *wtime_type;
    int gw;                     /* group window: TUMBLE 1, HOP 2, SESSION 3; 0 none */
    eddy_bexpr *gw_time;        /* its time column over the input scope */
    tvf_info *tvf;              /* fused window TVF */
    int ninput;                 /* columns of the TVF's input */
    eddy_agg_call *aggs;
    int naggs, caggs;
    const eddy_expr *item;      /* the select item being bound */
    const char *item_name;      /* and its name */
};

static int pre_add(aggctx *A, eddy_bexpr *x)
{
    binder *b = A->in.b;
    for (int i = 0; i < A->npre; i++)
        if (bx_equal(A->pre[i], x)) return i;
    if (A->npre == A->cpre) {
        int cap = A->cpre ? A->cpre * 2 : 16;
        eddy_bexpr **p = eddy_arena_alloc(b->a, sizeof *p * (size_t)cap);
        const char **nm = eddy_arena_alloc(b->a, sizeof *nm * (size_t)cap);
        bool *g = eddy_arena_alloc(b->a, sizeof *g * (size_t)cap);
        if (A->npre) {
            memcpy(p, A->pre, sizeof *p * (size_t)A->npre);
            memcpy(nm, A->pre_names, sizeof *nm * (size_t)A->npre);
            memcpy(g, A->pre_gen, sizeof *g * (size_t)A->npre);
        }
        A->pre = p;
        A->pre_names = nm;
        A->pre_gen = g;
        A->cpre = cap;
    }
    int i = A->npre++;
    A->pre[i] = x;
    if (x->kind == EDDY_BEXPR_COLUMN) {
        A->pre_names[i] = A->insc->node->out.fields[x->column].name;
        A->pre_gen[i] = false;
    } else {
        A->pre_names[i] = eddy_arena_sprintf(b->a, "$f%d", i);
        A->pre_gen[i] = true;
    }
    return i;
}

/* Checks that a bound expression of a fused window aggregation reads no window column. */
static bool no_window_cols(aggctx *A, const eddy_bexpr *x, eddy_pos pos, const char *what)
{
    if (!A->tvf) return true;
    bool *used = eddy_arena_zalloc(A->in.b->a, (size_t)A->insc->node->out.n + 1);
    bx_uses(x, used);
    for (int i = A->ninput; i < A->insc->node->out.n; i++)
        if (used[i]) {
            bind_error(A->in.b, EDDY_EUNSUPPORTED, pos,
                       "%s of a window aggregation cannot use window_start, window_end or window_time", what);
            return false;
        }
    return true;
}

static eddy_bexpr *col_at(binder *b, int idx, const eddy_sqltype *t, eddy_pos pos)
{
    eddy_bexpr *x = bx_col(b->a, idx, t);
    x->line = pos.line;
    x->col = pos.col;
    return x;
}

static const eddy_sqltype *wcol_type(aggctx *A, int k)
{
    if (k == 2) return A->wtime_type;
    return pt_new(A->in.b->a, EDDY_TYPE_TIMESTAMP, 3, -1, true);
}

static eddy_bexpr *bind_agg_call(ectx *c, aggctx *A, const eddy_expr *e, int fn)
{
    binder *b = c->b;
    const char *name = agg_name((eddy_agg)fn);
    const eddy_expr_list *args = e->u.call.args;
    int n = args ? args->n : 0;
    if (e->u.call.star && fn != EDDY_AGG_COUNT) {
        bind_error(b, EDDY_EBIND, e->pos, "only COUNT takes *");
        return NULL;
    }
    /* COUNT(*) has none; LISTAGG takes a separator too; the others one argument */
    int lo = e->u.call.star ? 0 : 1;
    int hi = e->u.call.star ? 0 : fn == EDDY_AGG_LISTAGG ? 2 : 1;
    if (n < lo || n > hi) {
        if (lo == hi) bind_error(b, EDDY_EBIND, e->pos, "%s takes 1 argument, not %d", name, n);
        else bind_error(b, EDDY_EBIND, e->pos, "%s takes 1 or 2 arguments, not %d", name, n);
        return NULL;
    }
    if (e->u.call.within_group) {
        bind_error(b, EDDY_EUNSUPPORTED, e->pos, "WITHIN GROUP is not supported yet");
        return NULL;
    }
    for (int i = 0; i < n; i++)
        if (expr_has_agg(args->a[i])) {
            bind_error(b, EDDY_EBIND, args->a[i]->pos, "aggregate function calls cannot be nested");
            return NULL;
        }
    eddy_agg_call call;
    memset(&call, 0, sizeof call);
    call.fn = (eddy_agg)fn;
    call.arg = call.arg2 = call.filter = -1;
    call.distinct = e->u.call.distinct;
    ectx ic = A->in;
    ic.clause = "an aggregate argument";
    const eddy_sqltype *argt = NULL;
    if (n >= 1) {
        eddy_bexpr *x = bind_expr(&ic, args->a[0]);
        if (!x || !no_window_cols(A, x, args->a[0]->pos, "an argument")) return NULL;
        call.arg = pre_add(A, x);
        argt = x->type;
    }
    const char *why;
    call.type = agg_result_type(b->a, call.fn, argt, &why);
    if (!call.type) {
        if (argt && !pt_is_null(argt))
            bind_error(b, EDDY_EBIND, e->pos, "%s %s %s", name, why, pt_str(argt));
        else
            bind_error(b, EDDY_EBIND, e->pos, "%s %s", name, why);
        return NULL;
    }
    if (n == 2) {
        eddy_bexpr *s = bind_expr(&ic, args->a[1]);
        if (!s) return NULL;
        if (s->kind != EDDY_BEXPR_CONST || !pt_is_char(s->type)) {
            bind_error(b, EDDY_EBIND, args->a[1]->pos, "the separator of LISTAGG must be a string literal");
            return NULL;
        }
        call.arg2 = pre_add(A, s);
    }
    if (e->u.call.filter) {
        if (expr_has_agg(e->u.call.filter)) {
            bind_error(b, EDDY_EBIND, e->u.call.filter->pos, "aggregate functions are not allowed in FILTER");
            return NULL;
        }
        ic.clause = "FILTER";
        eddy_bexpr *f = bind_cond(&ic, e->u.call.filter, "FILTER (WHERE ...)");
        if (!f || !no_window_cols(A, f, e->u.call.filter->pos, "a FILTER condition")) return NULL;
        call.filter = pre_add(A, f);
    }
    for (int j = 0; j < A->naggs; j++) {
        const eddy_agg_call *o = &A->aggs[j];
        if (o->fn == call.fn && o->arg == call.arg && o->arg2 == call.arg2 && o->filter == call.filter &&
            o->distinct == call.distinct)
            return col_at(b, A->nkeys + A->nwin + j, o->type, e->pos);
    }
    call.name = (A->item == e && A->item_name) ? A->item_name : eddy_arena_sprintf(b->a, "$a%d", A->naggs);
    if (A->naggs == A->caggs) {
        int cap = A->caggs ? A->caggs * 2 : 8;
        eddy_agg_call *na = eddy_arena_alloc(b->a, sizeof *na * (size_t)cap);
        if (A->naggs) memcpy(na, A->aggs, sizeof *na * (size_t)A->naggs);
        A->aggs = na;
        A->caggs = cap;
    }
    A->aggs[A->naggs++] = call;
    return col_at(b, A->nkeys + A->nwin + A->naggs - 1, call.type, e->pos);
}

static const char *gw_name(int gw)
{
    return gw == 1 ? "TUMBLE" : gw == 2 ? "HOP" : "SESSION";
}

/* Binds the interval arguments of a group window call (from argument 1 on). */
static bool gw_intervals(ectx *c, int gw, const eddy_expr *call, int64_t *iv, int *niv)
{
    const eddy_expr_list *args = call->u.call.args;
    int n = args ? args->n : 0;
    int lo = gw == 2 ? 3 : 2, hi = gw == 3 ? 2 : gw == 1 ? 3 : 4;
    const char *name = call->u.call.func->parts[call->u.call.func->nparts - 1].name;
    if (n < lo || n > hi) {
        bind_error(c->b, EDDY_EBIND, call->pos, "%s takes %d to %d arguments (time column and intervals), not %d", name,
                   lo, hi, n);
        return false;
    }
    *niv = 0;
    for (int i = 1; i < n; i++) {
        int64_t v;
        if (i == n - 1 && n == hi && gw != 3) {
            /* the optional alignment offset may be zero or negative */
            eddy_bexpr *x = bind_expr(c, args->a[i]);
            if (!x) return false;
            if (x->kind != EDDY_BEXPR_CONST || !pt_is_interval(x->type) || x->value.null) {
                bind_error(c->b, EDDY_EBIND, args->a[i]->pos, "the window offset must be a constant INTERVAL");
                return false;
            }
            v = x->value.u.i;
        } else if ((v = bind_interval_ms(c, args->a[i], "a window interval")) < 0) {
            return false;
        }
        iv[(*niv)++] = v;
    }
    return true;
}

static bool bind_group_window(aggctx *A, const eddy_expr *g, int gw)
{
    binder *b = A->in.b;
    if (A->gw) {
        bind_error(b, EDDY_EBIND, g->pos, "only one group window is allowed in GROUP BY");
        return false;
    }
    const eddy_expr_list *args = g->u.call.args;
    if (!args || args->n < 1) {
        bind_error(b, EDDY_EBIND, g->pos, "%s needs a time column and intervals", gw_name(gw));
        return false;
    }
    eddy_bexpr *t = bind_expr(&A->in, args->a[0]);
    if (!t) return false;
    bool rt = false, pt = false;
    pn_time_attr(A->insc->node, t, &rt, &pt);
    if (!rt && !pt) {
        const char *txt = expr_text(b, args->a[0]);
        bind_error(b, EDDY_EBIND, args->a[0]->pos,
                   "%s(%s, ...): '%s' is not a time attribute; declare WATERMARK FOR %s ... or use PROCTIME()",
                   gw_name(gw), txt, txt, txt);
        return false;
    }
    int64_t iv[3];
    int niv;
    if (!gw_intervals(&A->in, gw, g, iv, &niv)) return false;
    A->gw = gw;
    A->gw_time = t;
    memset(&A->win, 0, sizeof A->win);
    A->win.proctime = pt;
    A->wtime_type = pt_new(b->a, t->type->kind == EDDY_TYPE_TIMESTAMP_LTZ ? EDDY_TYPE_TIMESTAMP_LTZ : EDDY_TYPE_TIMESTAMP, 3,
                           -1, true);
    switch (gw) {
    case 1:
        A->win.kind = EDDY_WINDOW_TUMBLE;
        A->win.size = A->win.slide = iv[0];
        if (niv > 1) A->win.offset = iv[1];
        break;
    case 2:
        A->win.kind = EDDY_WINDOW_HOP;
        A->win.slide = iv[0];
        A->win.size = iv[1];
        if (niv > 2) A->win.offset = iv[2];
        break;
    default:
        A->win.kind = EDDY_WINDOW_SESSION;
        A->win.gap = iv[0];
        break;
    }
    return true;
}

/* TUMBLE_START(ts, size) and friends: must repeat the GROUP BY window. */
static eddy_bexpr *bind_window_aux(ectx *c, aggctx *A, const eddy_expr *e, int gw, int aux, const char *name)
{
    binder *b = c->b;
    if (!A->gw) {
        bind_error(b, EDDY_EBIND, e->pos, "%s may only be used with GROUP BY %s(...)", name, gw_name(gw));
        return NULL;
    }
    if (gw != A->gw) {
        bind_error(b, EDDY_EBIND, e->pos, "%s does not match the group window %s(...) of GROUP BY", name,
                   gw_name(A->gw));
        return NULL;
    }
    const eddy_expr_list *args = e->u.call.args;
    if (!args || args->n < 1) {
        bind_error(b, EDDY_EBIND, e->pos, "%s needs the arguments of the group window", name);
        return NULL;
    }
    eddy_bexpr *t = bind_expr(&A->in, args->a[0]);
    if (!t) return NULL;
    int64_t iv[3];
    int niv;
    if (!gw_intervals(&A->in, gw, e, iv, &niv)) return NULL;
    bool same = bx_equal(t, A->gw_time);
    switch (gw) {
    case 1: same = same && iv[0] == A->win.size && (niv > 1 ? iv[1] : 0) == A->win.offset; break;
    case 2:
        same = same && iv[0] == A->win.slide && iv[1] == A->win.size && (niv > 2 ? iv[2] : 0) == A->win.offset;
        break;
    default: same = same && iv[0] == A->win.gap; break;
    }
    if (!same) {
        bind_error(b, EDDY_EBIND, e->pos, "%s(...) must repeat the arguments of %s(...) in GROUP BY", name, gw_name(gw));
        return NULL;
    }
    if (aux == 3 && A->win.proctime) {
        bind_error(b, EDDY_EBIND, e->pos, "%s: the window is in processing time; use %s_PROCTIME", name, gw_name(gw));
        return NULL;
    }
    if (aux == 4 && !A->win.proctime) {
        bind_error(b, EDDY_EBIND, e->pos, "%s: the window is in event time; use %s_ROWTIME", name, gw_name(gw));
        return NULL;
    }
    int k = aux == 1 ? 0 : aux == 2 ? 1 : 2;
    return col_at(b, A->nkeys + k, wcol_type(A, k), e->pos);
}

int agg_hook(ectx *c, const eddy_expr *e, eddy_bexpr **out)
{
    aggctx *A = c->agg;
    binder *b = c->b;
    *out = NULL;
    if (e->kind == EDDY_EXPR_CALL && !e->u.call.over && e->u.call.func->nparts == 1) {
        const char *name = e->u.call.func->parts[0].name;
        int fn = agg_by_name(name);
        if (fn >= 0) {
            *out = bind_agg_call(c, A, e, fn);
            return 1;
        }
        int aux;
        int gw = group_window_fn(name, &aux);
        if (gw && aux) {
            *out = bind_window_aux(c, A, e, gw, aux, name);
            return 1;
        }
    }
    if (e->kind == EDDY_EXPR_STAR || expr_has_agg(e)) return 0;
    if (e->kind == EDDY_EXPR_CALL) {
        int aux;
        if (group_window_fn(e->u.call.func->parts[e->u.call.func->nparts - 1].name, &aux)) return 0;
    }
    eddy_bexpr *x = bind_expr(&A->in, e);
    if (!x) return 1;
    for (int k = 0; k < A->nkeys; k++)
        if (bx_equal(A->pre[k], x)) {
            *out = col_at(b, k, A->pre[k]->type, e->pos);
            return 1;
        }
    if (A->tvf && x->kind == EDDY_BEXPR_COLUMN && x->column >= A->ninput) {
        int k = x->column - A->ninput;
        *out = col_at(b, A->nkeys + k, wcol_type(A, k), e->pos);
        return 1;
    }
    if (bx_is_constant(x)) {
        *out = x;
        return 1;
    }
    if (e->kind == EDDY_EXPR_NAME || x->kind == EDDY_BEXPR_COLUMN) {
        bind_error(b, EDDY_EBIND, e->pos, "expression '%s' is not being grouped", expr_text(b, e));
        return 1;
    }
    return 0;
}

/* GROUP BY items before the window decision: plain keys and window TVF columns. */
typedef struct gitem {
    eddy_bexpr *x;
    int win;            /* WIN_* when x is a window TVF column */
    eddy_pos pos;
} gitem;

static int scope_win_of(const bscope *sc, const eddy_bexpr *x)
{
    if (x->kind != EDDY_BEXPR_COLUMN) return 0;
    for (int i = 0; i < sc->n; i++)
        if (sc->cols[i].index == x->column && sc->cols[i].win) return sc->cols[i].win;
    return 0;
}

static int64_t opt_ms(binder *b, const char *key)
{
    return session_duration(b->s, key, 0);
}

/* The aggregation of a select block over scope sc; returns the scope of its output. */
static bscope *bind_aggregate(binder *b, const eddy_select *sel, bscope *sc, const char ***names_out)
{
    aggctx *A = eddy_arena_zalloc(b->a, sizeof *A);
    A->in.b = b;
    A->in.sc = sc;
    A->in.clause = "GROUP BY";
    A->insc = sc;
    /* GROUP BY */
    int ng = sel->group_by ? sel->group_by->n : 0;
    gitem *items = eddy_arena_zalloc(b->a, sizeof *items * (size_t)(ng ? ng : 1));
    int nitems = 0;
    bool seen[4] = {0};
    for (int i = 0; i < ng; i++) {
        const eddy_expr *g = sel->group_by->a[i];
        if (g->kind == EDDY_EXPR_CALL && !g->u.call.over && g->u.call.func->nparts == 1) {
            int aux;
            int gw = group_window_fn(g->u.call.func->parts[0].name, &aux);
            if (gw && gw != 4 && !aux) {
                if (!bind_group_window(A, g, gw)) return NULL;
                continue;
            }
        }
        if (expr_has_agg(g)) {
            bind_error(b, EDDY_EBIND, g->pos, "aggregate functions are not allowed in GROUP BY");
            return NULL;
        }
        if (g->kind == EDDY_EXPR_LITERAL && g->u.lit.kind == EDDY_LIT_INTEGER) {
            bind_error(b, EDDY_EUNSUPPORTED, g->pos, "GROUP BY by column position is not supported; name the column");
            return NULL;
        }
        eddy_bexpr *x = bind_expr(&A->in, g);
        if (!x) return NULL;
        if (pt_is_nested(x->type)) {
            bind_error(b, EDDY_EUNSUPPORTED, g->pos, "grouping by a %s column is not supported yet", pt_str(x->type));
            return NULL;
        }
        items[nitems].x = x;
        items[nitems].pos = g->pos;
        items[nitems].win = sc->tvf ? scope_win_of(sc, x) : 0;
        seen[items[nitems].win] = true;
        nitems++;
    }
    bool fused = sc->tvf && seen[WIN_START] && seen[WIN_END] && !A->gw;
    if (sc->tvf && !fused && sc->tvf->node->u.window_tvf.win.kind == EDDY_WINDOW_SESSION) {
        bind_error(b, EDDY_EUNSUPPORTED, sc->tvf->pos,
                   "a SESSION window table function needs GROUP BY window_start, window_end (and its PARTITION BY "
                   "columns)");
        return NULL;
    }
    if (fused) {
        A->tvf = sc->tvf;
        A->ninput = sc->tvf->input->out.n;
    }
    /* keys (window columns of a fused TVF are not keys) */
    for (int i = 0; i < nitems; i++) {
        if (fused && items[i].win) continue;
        if (!no_window_cols(A, items[i].x, items[i].pos, "a GROUP BY key")) return NULL;
        bool dup = false;
        for (int k = 0; k < A->npre && !dup; k++) dup = bx_equal(A->pre[k], items[i].x);
        if (!dup) pre_add(A, items[i].x);
    }
    A->nkeys = A->npre;
    eddy_plan_kind kind = EDDY_PLAN_GROUP_AGG;
    if (fused) {
        const eddy_window_spec *w = &sc->tvf->node->u.window_tvf.win;
        if (w->kind == EDDY_WINDOW_SESSION) {
            /* the keys must be the PARTITION BY columns */
            tvf_info *ti = sc->tvf;
            bool ok = A->nkeys == ti->npart;
            for (int k = 0; k < A->nkeys && ok; k++) {
                bool in = false;
                for (int j = 0; j < ti->npart; j++)
                    in = in || (A->pre[k]->kind == EDDY_BEXPR_COLUMN && A->pre[k]->column == ti->part[j]);
                ok = in;
            }
            if (!ok) {
                bind_error(b, EDDY_EUNSUPPORTED, ti->pos,
                           "a SESSION window aggregation must GROUP BY exactly its PARTITION BY columns (and "
                           "window_start, window_end)");
                return NULL;
            }
            kind = EDDY_PLAN_SESSION_AGG;
        } else {
            kind = EDDY_PLAN_WINDOW_AGG;
        }
        A->win = *w;
        const eddy_field *wt = &sc->tvf->node->out.fields[A->ninput + 2];
        A->wtime_type = wt->type;
        A->win.time_col = pre_add(A, bx_col(b->a, w->time_col, sc->tvf->input->out.fields[w->time_col].type));
        A->nwin = 3;
    } else if (A->gw) {
        kind = A->gw == 3 ? EDDY_PLAN_SESSION_AGG : EDDY_PLAN_WINDOW_AGG;
        A->win.time_col = pre_add(A, A->gw_time);
        A->nwin = 3;
    }
    /* the select list and HAVING in aggregate mode */
    ectx ac = {b, sc, A, "SELECT"};
    int cap = count_items(sel, sc);
    eddy_bexpr **ex = eddy_arena_alloc(b->a, sizeof *ex * (size_t)(cap ? cap : 1));
    const char **names = eddy_arena_alloc(b->a, sizeof *names * (size_t)(cap ? cap : 1));
    int nout = 0;
    int *stars = eddy_arena_alloc(b->a, sizeof(int) * (size_t)(sc->n ? sc->n : 1));
    for (int i = 0; i < sel->items->n; i++) {
        const eddy_select_item *it = &sel->items->a[i];
        if (it->expr->kind == EDDY_EXPR_STAR) {
            int ns = star_columns(b, sc, it->expr, stars);
            if (ns < 0) return NULL;
            for (int k = 0; k < ns; k++) {
                const bcol *col = &sc->cols[stars[k]];
                eddy_bexpr *x = bx_col(b->a, col->index, sc->node->out.fields[col->index].type);
                eddy_bexpr *r = NULL;
                for (int j = 0; j < A->nkeys && !r; j++)
                    if (bx_equal(A->pre[j], x)) r = col_at(b, j, x->type, it->expr->pos);
                if (!r && A->tvf && col->win) r = col_at(b, A->nkeys + col->win - 1, wcol_type(A, col->win - 1), it->expr->pos);
                if (!r) {
                    bind_error(b, EDDY_EBIND, it->expr->pos, "expression '%s' is not being grouped", col->name);
                    return NULL;
                }
                ex[nout] = r;
                names[nout++] = col->name;
            }
            continue;
        }
        A->item = it->expr;
        A->item_name = item_name(b, it, i);
        eddy_bexpr *x = bind_expr(&ac, it->expr);
        A->item = NULL;
        if (!x) return NULL;
        ex[nout] = x;
        names[nout] = A->item_name;
        /* a key selected as a whole gives the key its name */
        if (x->kind == EDDY_BEXPR_COLUMN && x->column < A->nkeys && A->pre_gen[x->column]) {
            A->pre_names[x->column] = names[nout];
            A->pre_gen[x->column] = false;
        }
        nout++;
    }
    eddy_bexpr *having = NULL;
    if (sel->having) {
        ac.clause = "HAVING";
        having = bind_cond(&ac, sel->having, "HAVING");
        if (!having) return NULL;
    }
    uniquify(b, names, nout);
    /* pre-CALC, aggregate node, post-CALC */
    eddy_plan *input = fused ? A->tvf->input : sc->node;
    if (input->changelog) {
        const eddy_plan *origin = pn_changelog_origin(input);
        if (origin && origin->kind == EDDY_PLAN_SOURCE)
            bind_error(b, EDDY_EUNSUPPORTED, sel->pos,
                       "aggregating table '%s' is not supported yet: connector '%s' makes it a changelog (updates "
                       "and deletes)",
                       origin->u.source.table, origin->u.source.connector);
        else
            bind_error(b, EDDY_EUNSUPPORTED, sel->pos,
                       "aggregating the result of a non-windowed GROUP BY (a changelog) is not supported yet");
        return NULL;
    }
    eddy_plan *pre = pn_calc(b->a, input, A->pre, A->pre_names, A->npre, NULL, sel->pos);
    eddy_plan *agg = pn_new(b->a, kind, 1, sel->pos);
    agg->inputs[0] = pre;
    int nagg_out = A->nkeys + A->nwin + A->naggs;
    agg->out.n = nagg_out;
    agg->out.fields = pn_fields(b->a, nagg_out);
    int *keys = eddy_arena_alloc(b->a, sizeof(int) * (size_t)(A->nkeys ? A->nkeys : 1));
    for (int k = 0; k < A->nkeys; k++) {
        keys[k] = k;
        agg->out.fields[k].name = A->pre_names[k];
        agg->out.fields[k].type = A->pre[k]->type;
    }
    static const char *const wn[3] = {"window_start", "window_end", "window_time"};
    for (int k = 0; k < A->nwin; k++) {
        eddy_field *f = &agg->out.fields[A->nkeys + k];
        f->name = wn[k];
        f->type = wcol_type(A, k);
        if (k == 2) {
            f->rowtime = !A->win.proctime;
            f->proctime = A->win.proctime;
        }
    }
    for (int j = 0; j < A->naggs; j++) {
        eddy_field *f = &agg->out.fields[A->nkeys + A->nwin + j];
        f->name = A->aggs[j].name;
        f->type = A->aggs[j].type;
    }
    if (kind == EDDY_PLAN_GROUP_AGG) {
        agg->changelog = true;
        agg->u.group_agg.keys = keys;
        agg->u.group_agg.nkeys = A->nkeys;
        agg->u.group_agg.aggs = A->aggs;
        agg->u.group_agg.naggs = A->naggs;
        agg->u.group_agg.state_ttl_ms = opt_ms(b, "table.exec.state.ttl");
        agg->u.group_agg.mini_batch = session_bool(b->s, "table.exec.mini-batch.enabled", false);
    } else {
        agg->u.window_agg.win = A->win;
        agg->u.window_agg.keys = keys;
        agg->u.window_agg.nkeys = A->nkeys;
        agg->u.window_agg.aggs = A->aggs;
        agg->u.window_agg.naggs = A->naggs;
        agg->u.window_agg.allowed_lateness_ms = opt_ms(b, "table.exec.emit.allow-lateness");
        if (agg->u.window_agg.allowed_lateness_ms > 0 && session_bool(b->s, "table.exec.emit.late-fire.enabled", false)) {
            agg->u.window_agg.late_fire = true;
            agg->u.window_agg.late_fire_ms = opt_ms(b, "table.exec.emit.late-fire.delay");
            agg->changelog = true;
        }
        if (session_bool(b->s, "table.exec.emit.early-fire.enabled", false)) {
            int64_t d = opt_ms(b, "table.exec.emit.early-fire.delay");
            if (d <= 0) {
                bind_error(b, EDDY_EUSAGE, sel->pos,
                           "'table.exec.emit.early-fire.enabled' is true but 'table.exec.emit.early-fire.delay' is "
                           "not set");
                return NULL;
            }
            agg->u.window_agg.early_fire_ms = d;
            agg->changelog = true;
        }
        if (bind_late_sink(b, agg)) return NULL;
    }
    eddy_plan *post = pn_calc(b->a, agg, ex, names, nout, having, sel->pos);
    *names_out = names;
    return scope_of_node(b->a, post, NULL);
}

/* ---------------------------------------------------------------------------------------- */
/* SELECT blocks                                                                             */

static bool select_has_agg(const eddy_select *sel)
{
    if (sel->group_by || sel->having) return true;
    for (int i = 0; i < sel->items->n; i++)
        if (expr_has_agg(sel->items->a[i].expr)) return true;
    return false;
}

/* SELECT DISTINCT: a GROUP_AGG with every column as a key. */
static bscope *distinct_of(binder *b, bscope *sc, eddy_pos pos)
{
    eddy_plan *in = sc->node;
    if (in->changelog) {
        bind_error(b, EDDY_EUNSUPPORTED, pos, "DISTINCT over a changelog is not supported yet");
        return NULL;
    }
    int n = in->out.n;
    eddy_plan *agg = pn_new(b->a, EDDY_PLAN_GROUP_AGG, 1, pos);
    agg->inputs[0] = in;
    agg->changelog = true;
    agg->out.n = n;
    agg->out.fields = pn_fields(b->a, n);
    int *keys = eddy_arena_alloc(b->a, sizeof(int) * (size_t)(n ? n : 1));
    for (int i = 0; i < n; i++) {
        keys[i] = i;
        agg->out.fields[i].name = in->out.fields[i].name;
        agg->out.fields[i].type = in->out.fields[i].type;
        if (pt_is_nested(in->out.fields[i].type)) {
            bind_error(b, EDDY_EUNSUPPORTED, pos, "DISTINCT over a %s column is not supported yet",
                       pt_str(in->out.fields[i].type));
            return NULL;
        }
    }
    agg->u.group_agg.keys = keys;
    agg->u.group_agg.nkeys = n;
    agg->u.group_agg.state_ttl_ms = opt_ms(b, "table.exec.state.ttl");
    agg->u.group_agg.mini_batch = session_bool(b->s, "table.exec.mini-batch.enabled", false);
    return scope_of_node(b->a, agg, NULL);
}

static bscope *bind_select(binder *b, const eddy_select *sel)
{
    if (!sel->from) {
        bind_error(b, EDDY_EUNSUPPORTED, sel->pos, "SELECT without FROM is not supported yet");
        return NULL;
    }
    if (sel->nwindows) {
        bind_error(b, EDDY_EUNSUPPORTED, sel->windows[0].name->pos, "the WINDOW clause (OVER windows) is not supported yet");
        return NULL;
    }
    bscope *sc = bind_from(b, sel->from);
    if (!sc) return NULL;
    if (sel->where) {
        ectx c = {b, sc, NULL, "WHERE"};
        if (expr_has_agg(sel->where)) {
            bind_error(b, EDDY_EBIND, sel->where->pos, "aggregate functions are not allowed in WHERE; use HAVING");
            return NULL;
        }
        eddy_bexpr *f = bind_cond(&c, sel->where, "WHERE");
        if (!f) return NULL;
        if (sc->tvf) {
            /* a filter that reads no window column goes below the window assignment */
            tvf_info *ti = sc->tvf;
            int nin = ti->input->out.n;
            bool *used = eddy_arena_zalloc(b->a, (size_t)sc->node->out.n + 1);
            bx_uses(f, used);
            bool win = false;
            for (int i = nin; i < sc->node->out.n; i++) win = win || used[i];
            if (!win) {
                eddy_plan *fc = pn_filter(b->a, ti->input, f, sel->where->pos);
                ti->node->inputs[0] = fc;
                ti->input = fc;
            } else {
                eddy_plan *fc = pn_filter(b->a, sc->node, f, sel->where->pos);
                bscope *ns = scope_new(b->a, fc);
                for (int i = 0; i < sc->n; i++) {
                    bcol *col = scope_add(b->a, ns, sc->cols[i].qual, sc->cols[i].name, sc->cols[i].index);
                    *col = sc->cols[i];
                }
                sc = ns;
            }
        } else {
            eddy_plan *fc = pn_filter(b->a, sc->node, f, sel->where->pos);
            sc->node = fc;
        }
    }
    const char **names = NULL;
    bscope *out;
    if (select_has_agg(sel)) {
        out = bind_aggregate(b, sel, sc, &names);
        if (!out) return NULL;
    } else {
        if (sc->tvf && sc->tvf->node->u.window_tvf.win.kind == EDDY_WINDOW_SESSION) {
            bind_error(b, EDDY_EUNSUPPORTED, sc->tvf->pos,
                       "a SESSION window table function needs GROUP BY window_start, window_end (and its PARTITION BY "
                       "columns)");
            return NULL;
        }
        ectx c = {b, sc, NULL, "SELECT"};
        int cap = count_items(sel, sc);
        eddy_bexpr **ex = eddy_arena_alloc(b->a, sizeof *ex * (size_t)(cap ? cap : 1));
        names = eddy_arena_alloc(b->a, sizeof *names * (size_t)(cap ? cap : 1));
        int *stars = eddy_arena_alloc(b->a, sizeof(int) * (size_t)(sc->n ? sc->n : 1));
        int n = 0;
        for (int i = 0; i < sel->items->n; i++) {
            const eddy_select_item *it = &sel->items->a[i];
            if (it->expr->kind == EDDY_EXPR_STAR) {
                int ns = star_columns(b, sc, it->expr, stars);
                if (ns < 0) return NULL;
                for (int k = 0; k < ns; k++) {
                    const bcol *col = &sc->cols[stars[k]];
                    ex[n] = bx_col(b->a, col->index, sc->node->out.fields[col->index].type);
                    names[n++] = col->name;
                }
                continue;
            }
            eddy_bexpr *x = bind_expr(&c, it->expr);
            if (!x) return NULL;
            if (pt_is_null(x->type)) x = bx_cast(b->a, x, pt_string(b->a, false));
            ex[n] = x;
            names[n++] = item_name(b, it, i);
        }
        uniquify(b, names, n);
        eddy_plan *calc = pn_calc(b->a, sc->node, ex, names, n, NULL, sel->pos);
        out = scope_of_node(b->a, calc, NULL);
    }
    if (sel->quantifier == 1) out = distinct_of(b, out, sel->pos);
    return out;
}

/* ---------------------------------------------------------------------------------------- */
/* Set operations                                                                            */

/* Casts the columns of node to types (a CALC when any differs). */
static eddy_plan *cast_to(binder *b, eddy_plan *node, const eddy_sqltype **types, eddy_pos pos)
{
    int n = node->out.n;
    bool any = false;
    for (int i = 0; i < n; i++) any = any || !pt_equal(node->out.fields[i].type, types[i], false);
    if (!any) return node;
    eddy_bexpr **ex = eddy_arena_alloc(b->a, sizeof *ex * (size_t)n);
    const char **nm = eddy_arena_alloc(b->a, sizeof *nm * (size_t)n);
    for (int i = 0; i < n; i++) {
        const eddy_field *f = &node->out.fields[i];
        ex[i] = bx_cast(b->a, bx_col(b->a, i, f->type), pt_with_null(b->a, types[i], f->type->not_null));
        nm[i] = f->name;
    }
    return pn_calc(b->a, node, ex, nm, n, NULL, pos);
}

static bscope *bind_setop(binder *b, const eddy_query *q)
{
    const char *opname = q->u.setop.op == EDDY_SETOP_UNION ? "UNION" : q->u.setop.op == EDDY_SETOP_INTERSECT ? "INTERSECT" : "EXCEPT";
    if (q->u.setop.op != EDDY_SETOP_UNION) {
        bind_error(b, EDDY_EUNSUPPORTED, q->pos, "%s is not supported yet", opname);
        return NULL;
    }
    bool all = q->u.setop.quantifier == 2;
    bscope *l = bind_query(b, q->u.setop.left, false);
    if (!l) return NULL;
    bscope *r = bind_query(b, q->u.setop.right, false);
    if (!r) return NULL;
    eddy_plan *ln = l->node, *rn = r->node;
    if (ln->out.n != rn->out.n) {
        bind_error(b, EDDY_EBIND, q->u.setop.right->pos, "%s%s: the left input has %d columns, the right one %d", opname,
                   all ? " ALL" : "", ln->out.n, rn->out.n);
        return NULL;
    }
    int n = ln->out.n;
    const eddy_sqltype **types = eddy_arena_alloc(b->a, sizeof *types * (size_t)(n ? n : 1));
    for (int i = 0; i < n; i++) {
        const eddy_sqltype *t = pt_common(b->a, ln->out.fields[i].type, rn->out.fields[i].type);
        if (!t) {
            bind_error(b, EDDY_EBIND, q->u.setop.right->pos,
                       "%s%s: column %d ('%s') is %s in the left input and %s in the right one", opname, all ? " ALL" : "",
                       i + 1, ln->out.fields[i].name, pt_str(ln->out.fields[i].type), pt_str(rn->out.fields[i].type));
            return NULL;
        }
        if (pt_is_null(t)) t = pt_string(b->a, false);
        types[i] = t;
    }
    ln = cast_to(b, ln, types, q->pos);
    rn = cast_to(b, rn, types, q->pos);
    /* flatten UNION ALL chains */
    int ni = 0;
    eddy_plan *parts[2] = {ln, rn};
    for (int s = 0; s < 2; s++) ni += (parts[s]->kind == EDDY_PLAN_UNION && all) ? parts[s]->ninputs : 1;
    eddy_plan *u = pn_new(b->a, EDDY_PLAN_UNION, ni, q->pos);
    int k = 0;
    for (int s = 0; s < 2; s++) {
        if (parts[s]->kind == EDDY_PLAN_UNION && all)
            for (int j = 0; j < parts[s]->ninputs; j++) u->inputs[k++] = parts[s]->inputs[j];
        else
            u->inputs[k++] = parts[s];
    }
    u->out.n = n;
    u->out.fields = pn_fields(b->a, n);
    for (int i = 0; i < n; i++) {
        eddy_field *f = &u->out.fields[i];
        f->name = ln->out.fields[i].name;
        bool nn = true, rt = true, ptm = true;
        for (int j = 0; j < u->ninputs; j++) {
            const eddy_field *g = &u->inputs[j]->out.fields[i];
            nn = nn && g->type->not_null;
            rt = rt && g->rowtime;
            ptm = ptm && g->proctime;
        }
        f->type = pt_with_null(b->a, types[i], nn);
        f->rowtime = rt;
        f->proctime = ptm;
    }
    for (int j = 0; j < u->ninputs; j++) u->changelog = u->changelog || u->inputs[j]->changelog;
    bscope *sc = scope_of_node(b->a, u, NULL);
    if (!all) return distinct_of(b, sc, q->pos);
    return sc;
}

/* ---------------------------------------------------------------------------------------- */
/* Queries                                                                                   */

static bool order_item_rowtime(binder *b, const bscope *sc, const eddy_order_item *oi)
{
    const eddy_expr *e = oi->expr;
    int col = -1;
    if (e->kind == EDDY_EXPR_NAME && e->u.name->nparts == 1) {
        for (int i = 0; i < sc->n; i++)
            if (strcmp(sc->cols[i].name, e->u.name->parts[0].name) == 0) col = sc->cols[i].index;
    } else if (e->kind == EDDY_EXPR_LITERAL && e->u.lit.kind == EDDY_LIT_INTEGER) {
        int k = atoi(e->u.lit.text);
        if (k >= 1 && k <= sc->node->out.n) col = k - 1;
    }
    (void)b;
    return col >= 0 && sc->node->out.fields[col].rowtime;
}

bscope *bind_query(binder *b, const eddy_query *q, bool top)
{
    int save = b->nctes;
    for (int i = 0; i < q->nwith; i++) push_cte(b, &q->with[i]);
    bscope *sc = NULL;
    switch (q->kind) {
    case EDDY_QUERY_SELECT: sc = bind_select(b, q->u.select); break;
    case EDDY_QUERY_SETOP: sc = bind_setop(b, q); break;
    case EDDY_QUERY_PAREN: sc = bind_query(b, q->u.inner, false); break;
    case EDDY_QUERY_VALUES:
        bind_error(b, EDDY_EUNSUPPORTED, q->pos, "VALUES is not supported yet");
        break;
    }
    b->nctes = save;
    if (!sc) return NULL;
    if (q->order_by) {
        if (q->limit) {
            bind_error(b, EDDY_EUNSUPPORTED, q->order_by->a[0].expr->pos,
                       "ORDER BY with LIMIT (Top-N) is not supported yet");
            return NULL;
        }
        const eddy_order_item *oi = &q->order_by->a[0];
        if (q->order_by->n == 1 && oi->dir != -1 && order_item_rowtime(b, sc, oi)) {
            bind_error(b, EDDY_EUNSUPPORTED, oi->expr->pos, "ORDER BY a time attribute is not supported yet");
            return NULL;
        }
        bind_error(b, EDDY_EPLAN, oi->expr->pos,
                   "Sort on a non-time-attribute field is not supported (a stream can only be ordered by its time "
                   "attribute, ascending)");
        return NULL;
    }
    if (q->offset) {
        bind_error(b, EDDY_EUNSUPPORTED, q->offset->pos, "OFFSET is not supported");
        return NULL;
    }
    if (q->limit) {
        const eddy_expr *l = q->limit;
        if (l->kind != EDDY_EXPR_LITERAL || l->u.lit.kind != EDDY_LIT_INTEGER) {
            bind_error(b, EDDY_EBIND, l->pos, "LIMIT takes a non-negative integer literal");
            return NULL;
        }
        if (!top) {
            bind_error(b, EDDY_EUNSUPPORTED, l->pos, "LIMIT is only supported on the outermost query");
            return NULL;
        }
        bscope *ns = scope_of_node(b->a, sc->node, NULL);
        ns->limit = strtoll(l->u.lit.text, NULL, 10);
        sc = ns;
    }
    return sc;
}

/* ---------------------------------------------------------------------------------------- */
/* Schemas for DESCRIBE and CREATE checks                                                    */

int bind_table_schema(eddy_session *s, const cat_object *o, eddy_arena *a, eddy_schema *out, eddy_error *err)
{
    binder b;
    memset(&b, 0, sizeof b);
    b.s = s;
    b.a = a;
    b.err = err;
    eddy_pos pos = o->stmt ? o->stmt->pos : (eddy_pos){0, 0, 0};
    bscope *sc = bind_table(&b, o, o->name, NULL, pos, false);
    if (!sc) return err->code ? err->code : EDDY_EBIND;
    int n = 0;
    for (int i = 0; i < sc->n; i++) n += !sc->cols[i].nested;
    out->n = n;
    out->fields = pn_fields(a, n);
    int k = 0;
    for (int i = 0; i < sc->n; i++) {
        if (sc->cols[i].nested) continue;
        out->fields[k] = sc->node->out.fields[sc->cols[i].index];
        out->fields[k].name = sc->cols[i].name;
        k++;
    }
    return 0;
}

int bind_view_schema(eddy_session *s, const cat_object *o, eddy_arena *a, eddy_schema *out, eddy_error *err)
{
    binder b;
    memset(&b, 0, sizeof b);
    b.s = s;
    b.a = a;
    b.err = err;
    b.views[b.nviews++] = o;
    bscope *sc = bind_query(&b, o->query, false);
    if (!sc) return err->code ? err->code : EDDY_EBIND;
    eddy_plan *node = sc->node;
    if (o->cols) {
        eddy_pos pos = o->stmt ? o->stmt->pos : (eddy_pos){0, 0, 0};
        bscope *r = rename_scope(&b, node, NULL, o->cols, pos, "the view");
        if (!r) return err->code;
        node = r->node;
    }
    *out = node->out;
    return 0;
}
