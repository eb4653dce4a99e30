/*
 * bind_stmt.c: from a statement to a job plan: INSERT INTO (target columns, implicit casts,
 * the changelog check of append-only sinks), statement sets (one sink per INSERT), and bare
 * SELECTs (a print sink named "stdout"). The plan is then optimized (rewrite.c) and given the
 * session's options and a name.
 *
 * INSERT maps query columns to the table's physical columns by position (or to the listed
 * columns), as Flink: Nexmark q7 selects price and bidder into columns declared bidder, price,
 * and the values land swapped there too. A query column whose type differs from its target's
 * is cast when Flink would cast implicitly (numeric widening, DECIMAL to DECIMAL, string
 * lengths, timestamp precisions); anything else is an error naming the column.
 *
 * Late rows: with SET 'eddy.late-rows.table' = 'T' (eddy's own; Flink has no SQL for side
 * outputs), every WINDOW_AGG / SESSION_AGG of the statement gets a late_sink (plan.h): a SINK of
 * T over a CALC that takes T's columns BY NAME from the window's input columns (the rowtime,
 * the grouping keys, the aggregated columns: what the query gives the window; computed ones
 * named $fN are not offered), cast as INSERT casts. A column of T with no such input column is
 * an error at the query's SELECT that lists the names there are. '' or RESET = drop late rows.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "binder.h"
#include "ptype.h"

bool pl_connector_accepts_changelog(const char *connector)
{
    static const char *const append_only[] = {"filesystem", "kafka", "datagen", "nexmark", NULL};
    for (int i = 0; append_only[i]; i++)
        if (strcmp(connector, append_only[i]) == 0) return false;
    return true;
}

static const char *astr(binder *b, const char *s)
{
    return s ? eddy_arena_strdup(b->a, s) : NULL;
}

/* Fails when a changelog reaches a sink that takes only inserts. */
static int check_changelog(binder *b, eddy_plan *sink, eddy_pos pos)
{
    const eddy_plan *origin = pn_changelog_origin(sink->inputs[0]);
    if (!origin || pl_connector_accepts_changelog(sink->u.sink.connector)) return 0;
    eddy_strbuf sb = {0};
    pl_explain_node(&sb, origin);
    bind_error(b, EDDY_EPLAN, pos,
               "Table sink '%s' doesn't support consuming update changes which is produced by node %s "
               "(connector '%s' writes appends only; aggregate over a window instead, or use a sink that takes "
               "updates such as 'print' or 'upsert-kafka')",
               sink->u.sink.table, eddy_strbuf_cstr(&sb), sink->u.sink.connector);
    eddy_strbuf_free(&sb);
    return b->err->code;
}

/* LIMIT n on the sink; LIMIT 0 is a filter that keeps nothing. */
static eddy_plan *apply_limit(binder *b, eddy_plan *sink, bscope *q, eddy_pos pos)
{
    if (q->limit > 0) sink->u.sink.limit = q->limit;
    if (q->limit == 0) sink->inputs[0] = pn_filter(b->a, sink->inputs[0], bx_bool(b->a, false), pos);
    return sink;
}

/* Whether a sink writes column cd: physical columns and METADATA columns that are not VIRTUAL
 * (Flink's persisted columns: a sink writes 'headers' or 'timestamp' back into the message). */
static bool persisted(const eddy_column_def *cd)
{
    return cd->kind == EDDY_COLUMN_PHYSICAL || (cd->kind == EDDY_COLUMN_METADATA && !cd->is_virtual);
}

/* The persisted columns of table o, in table order, as a sink writes them (PRIMARY KEY columns
 * NOT NULL). */
static eddy_schema target_schema(binder *b, const cat_object *o)
{
    const eddy_create_table *ct = o->table;
    int nt = 0;
    for (int i = 0; i < ct->ncols; i++) nt += persisted(&ct->cols[i]);
    eddy_schema target = {pn_fields(b->a, nt), nt};
    for (int i = 0, k = 0; i < ct->ncols; i++) {
        const eddy_column_def *cd = &ct->cols[i];
        if (!persisted(cd)) continue;
        eddy_sqltype *t = pt_copy(b->a, cd->type);
        if (cd->primary_key) t->not_null = true;
        if (ct->primary_key)
            for (int j = 0; j < ct->primary_key->n; j++)
                if (strcmp(ct->primary_key->a[j].name, cd->name->name) == 0) t->not_null = true;
        target.fields[k].name = astr(b, cd->name->name);
        target.fields[k].type = t;
        k++;
    }
    return target;
}

/* Fills the sink part of sink (whose out is table o's target schema) from o's WITH options and
 * the statement's hints: connector, options, 'partition.keys' of PARTITIONED BY. Checks that
 * the connector can be written to; errors name tpos, the table's name in the statement.
 * Returns 0 or the error code. */
static int sink_connector(binder *b, eddy_plan *sink, const cat_object *o, const eddy_option_list *hints,
                          eddy_pos tpos)
{
    const eddy_create_table *ct = o->table;
    const eddy_schema target = sink->out;
    int nt = target.n;
    sink->u.sink.table = astr(b, o->name);
    /* options and hints */
    int n = (ct->options ? ct->options->n : 0) + (hints ? hints->n : 0);
    eddy_kv *kv = eddy_arena_zalloc(b->a, sizeof *kv * (size_t)(n ? n : 1));
    int nk = 0;
    for (int pass = 0; pass < 2; pass++) {
        const eddy_option_list *l = pass ? hints : ct->options;
        if (!l) continue;
        for (int i = 0; i < l->n; i++) {
            int j;
            for (j = 0; j < nk; j++)
                if (strcmp(kv[j].key, l->a[i].key) == 0) break;
            kv[j].key = astr(b, l->a[i].key);
            kv[j].value = astr(b, l->a[i].value);
            if (j == nk) nk++;
        }
    }
    /* PARTITIONED BY: filesystem reads them as 'partition.keys' (comma separated) */
    if (ct->partitioned_by) {
        for (int i = 0; i < ct->partitioned_by->n; i++) {
            bool found = false;
            for (int k = 0; k < nt; k++) found = found || strcmp(target.fields[k].name, ct->partitioned_by->a[i].name) == 0;
            if (!found) {
                return bind_error(b, EDDY_EBIND, ct->partitioned_by->a[i].pos,
                                  "PARTITIONED BY column '%s' is not a column of '%s'", ct->partitioned_by->a[i].name,
                                  o->name);
            }
        }
        eddy_strbuf sb = {0};
        for (int i = 0; i < ct->partitioned_by->n; i++)
            eddy_strbuf_printf(&sb, "%s%s", i ? "," : "", ct->partitioned_by->a[i].name);
        eddy_kv *k2 = eddy_arena_zalloc(b->a, sizeof *k2 * (size_t)(nk + 1));
        memcpy(k2, kv, sizeof *kv * (size_t)nk);
        k2[nk].key = "partition.keys";
        k2[nk].value = eddy_arena_strdup(b->a, eddy_strbuf_cstr(&sb));
        eddy_strbuf_free(&sb);
        kv = k2;
        nk++;
    }
    const char *connector = NULL;
    for (int i = 0; i < nk; i++)
        if (strcmp(kv[i].key, "connector") == 0) connector = kv[i].value;
    if (!connector) return bind_error(b, EDDY_EBIND, tpos, "table '%s' has no 'connector' option", o->name);
    if (strcmp(connector, "datagen") == 0 || strcmp(connector, "nexmark") == 0)
        return bind_error(b, EDDY_EBIND, tpos, "table '%s' uses connector '%s', which can only be read from", o->name,
                          connector);
    sink->u.sink.connector = connector;
    sink->u.sink.options = kv;
    sink->u.sink.noptions = nk;
    sink->u.sink.target = target;
    sink->u.sink.print_changelog = strcmp(connector, "print") == 0;
    /* the metadata key of each persisted METADATA column (target order), NULL for physical ones */
    const char **md = eddy_arena_zalloc(b->a, sizeof *md * (size_t)(nt ? nt : 1));
    bool any = false;
    for (int i = 0, k = 0; i < ct->ncols && k < nt; i++) {
        const eddy_column_def *cd = &ct->cols[i];
        if (!persisted(cd)) continue;
        if (cd->kind == EDDY_COLUMN_METADATA) {
            md[k] = astr(b, cd->metadata_key ? cd->metadata_key : cd->name->name);
            any = true;
        }
        k++;
    }
    sink->u.sink.metadata = any ? md : NULL;
    /* PRIMARY KEY (table or column constraint) as indexes into the target (upsert-kafka's key) */
    int npk = ct->primary_key ? ct->primary_key->n : 0;
    if (!ct->primary_key)
        for (int i = 0; i < ct->ncols; i++) npk += ct->cols[i].primary_key ? 1 : 0;
    if (npk > 0) {
        int *pk = eddy_arena_zalloc(b->a, sizeof *pk * (size_t)npk);
        int npk_found = 0;
        for (int i = 0; i < ct->ncols && !ct->primary_key; i++)
            for (int k = 0; ct->cols[i].primary_key && k < nt; k++)
                if (strcmp(target.fields[k].name, ct->cols[i].name->name) == 0) pk[npk_found++] = k;
        for (int j = 0; ct->primary_key && j < ct->primary_key->n; j++)
            for (int k = 0; k < nt; k++)
                if (strcmp(target.fields[k].name, ct->primary_key->a[j].name) == 0) pk[npk_found++] = k;
        sink->u.sink.primary_key = pk;
        sink->u.sink.nprimary_key = npk_found;
    }
    return 0;
}

static eddy_plan *plan_insert(binder *b, const eddy_stmt *st)
{
    const eddy_name *tn = st->u.insert.table;
    if (st->u.insert.overwrite) {
        bind_error(b, EDDY_EUNSUPPORTED, st->pos, "INSERT OVERWRITE is not supported in streaming mode");
        return NULL;
    }
    if (st->u.insert.partition) {
        bind_error(b, EDDY_EUNSUPPORTED, st->pos, "INSERT with a static PARTITION (...) is not supported yet");
        return NULL;
    }
    cat_object *o = cat_lookup(b->s, tn, b->err);
    if (!o) return NULL;
    if (o->kind != CAT_TABLE) {
        bind_error(b, EDDY_EBIND, tn->pos, "cannot INSERT INTO '%s': it is a view", o->name);
        return NULL;
    }
    eddy_schema target = target_schema(b, o);
    int nt = target.n;
    bscope *q = bind_query(b, st->u.insert.query, true);
    if (!q) return NULL;
    eddy_plan *in = q->node;
    /* which query column feeds which target column (-1: NULL) */
    int *src = eddy_arena_alloc(b->a, sizeof(int) * (size_t)(nt ? nt : 1));
    const eddy_ident_list *cl = st->u.insert.cols;
    if (cl) {
        for (int k = 0; k < nt; k++) src[k] = -1;
        for (int i = 0; i < cl->n; i++) {
            int k;
            for (k = 0; k < nt; k++)
                if (strcmp(target.fields[k].name, cl->a[i].name) == 0) break;
            if (k == nt) {
                const char **cands = eddy_arena_alloc(b->a, sizeof *cands * (size_t)(nt ? nt : 1));
                for (int j = 0; j < nt; j++) cands[j] = target.fields[j].name;
                const char *s = pl_suggest(cl->a[i].name, cands, nt);
                if (s)
                    bind_error(b, EDDY_EBIND, cl->a[i].pos, "column '%s' not found in table '%s'; did you mean '%s'?",
                               cl->a[i].name, o->name, s);
                else
                    bind_error(b, EDDY_EBIND, cl->a[i].pos, "column '%s' not found in table '%s'", cl->a[i].name,
                               o->name);
                return NULL;
            }
            if (src[k] >= 0) {
                bind_error(b, EDDY_EBIND, cl->a[i].pos, "column '%s' is listed twice", cl->a[i].name);
                return NULL;
            }
            src[k] = i;
        }
        if (cl->n != in->out.n) {
            bind_error(b, EDDY_EBIND, st->u.insert.query->pos,
                       "INSERT INTO %s lists %d columns but the query gives %d", o->name, cl->n, in->out.n);
            return NULL;
        }
        for (int k = 0; k < nt; k++)
            if (src[k] < 0 && target.fields[k].type->not_null) {
                bind_error(b, EDDY_EBIND, tn->pos, "column '%s' of '%s' is NOT NULL and gets no value",
                           target.fields[k].name, o->name);
                return NULL;
            }
    } else {
        if (in->out.n != nt) {
            eddy_strbuf sb = {0};
            for (int k = 0; k < nt; k++) eddy_strbuf_printf(&sb, "%s%s", k ? ", " : "", target.fields[k].name);
            bind_error(b, EDDY_EBIND, st->u.insert.query->pos,
                       "Column types of query result and sink for '%s' do not match: the query has %d columns, the "
                       "table %d (%s)",
                       o->name, in->out.n, nt, eddy_strbuf_cstr(&sb));
            eddy_strbuf_free(&sb);
            return NULL;
        }
        for (int k = 0; k < nt; k++) src[k] = k;
    }
    /* the projection with implicit casts */
    eddy_bexpr **ex = eddy_arena_alloc(b->a, sizeof *ex * (size_t)(nt ? nt : 1));
    const char **names = eddy_arena_alloc(b->a, sizeof *names * (size_t)(nt ? nt : 1));
    for (int k = 0; k < nt; k++) {
        const eddy_sqltype *tt = target.fields[k].type;
        names[k] = target.fields[k].name;
        if (src[k] < 0) {
            ex[k] = bx_null(b->a, tt);
            continue;
        }
        const eddy_field *f = &in->out.fields[src[k]];
        if (!pt_implicit(f->type, tt)) {
            bind_error(b, EDDY_EBIND, st->u.insert.query->pos,
                       "Incompatible types for sink column '%s' at position %d: the query gives %s ('%s'), the table "
                       "'%s' wants %s; CAST the value",
                       target.fields[k].name, k + 1, pt_str(f->type), f->name, o->name, pt_str(tt));
            return NULL;
        }
        ex[k] = bx_cast(b->a, bx_col(b->a, src[k], f->type), pt_with_null(b->a, tt, f->type->not_null));
    }
    eddy_plan *calc = pn_calc(b->a, in, ex, names, nt, NULL, st->pos);
    eddy_plan *sink = pn_new(b->a, EDDY_PLAN_SINK, 1, st->pos);
    sink->inputs[0] = calc;
    sink->changelog = calc->changelog;
    sink->out = target;
    if (sink_connector(b, sink, o, st->u.insert.hints, tn->pos)) return NULL;
    apply_limit(b, sink, q, st->pos);
    if (check_changelog(b, sink, st->pos)) return NULL;
    return sink;
}

static eddy_plan *plan_select(binder *b, const eddy_query *query, eddy_pos pos)
{
    bscope *q = bind_query(b, query, true);
    if (!q) return NULL;
    eddy_plan *in = q->node;
    eddy_plan *sink = pn_new(b->a, EDDY_PLAN_SINK, 1, pos);
    sink->inputs[0] = in;
    sink->changelog = in->changelog;
    eddy_schema target = {pn_fields(b->a, in->out.n), in->out.n};
    for (int i = 0; i < in->out.n; i++) {
        target.fields[i].name = in->out.fields[i].name;
        target.fields[i].type = in->out.fields[i].type;
    }
    sink->out = target;
    sink->u.sink.table = "stdout";
    sink->u.sink.connector = "print";
    eddy_kv *kv = eddy_arena_zalloc(b->a, sizeof *kv);
    kv[0].key = "connector";
    kv[0].value = "print";
    sink->u.sink.options = kv;
    sink->u.sink.noptions = 1;
    sink->u.sink.target = target;
    sink->u.sink.print_changelog = true;
    apply_limit(b, sink, q, pos);
    return sink;
}

/* ---------------------------------------------------------------------------------------- */
/* Late rows: SET 'eddy.late-rows.table'                                                     */

/* Sets the first error as "'eddy.late-rows.table' = 'T': <inner message>" at pos (the window's
 * query): the SET has no position of its own once the query is planned. */
static int late_error(binder *b, const eddy_error *inner, const char *table, eddy_pos pos)
{
    return bind_error(b, inner->code, pos, "SET 'eddy.late-rows.table' = '%s': %s", table, inner->msg);
}

/* The table named by the option's value (t, db.t or cat.db.t; parts may be `quoted`), or NULL
 * with an error at pos. */
static cat_object *late_table(binder *b, const char *value, eddy_pos pos)
{
    eddy_ident parts[4];
    eddy_name n = {parts, 0, 4, pos};
    eddy_error inner;
    eddy_error_clear(&inner);
    const char *p = value;
    for (;;) {
        const char *dot = strchr(p, '.');
        size_t len = dot ? (size_t)(dot - p) : strlen(p);
        if (n.nparts == 4 || len == 0) {
            eddy_error_set(&inner, EDDY_EUSAGE, 0, 0, "not a table name (write t, db.t or catalog.db.t)");
            late_error(b, &inner, value, pos);
            return NULL;
        }
        bool quoted = len >= 2 && p[0] == '`' && p[len - 1] == '`';
        parts[n.nparts].name = quoted ? eddy_arena_strndup(b->a, p + 1, len - 2) : eddy_arena_strndup(b->a, p, len);
        parts[n.nparts].quoted = quoted;
        parts[n.nparts].pos = pos;
        n.nparts++;
        if (!dot) break;
        p = dot + 1;
    }
    cat_object *o = cat_lookup(b->s, &n, &inner);
    if (o && o->kind != CAT_TABLE) {
        eddy_error_set(&inner, EDDY_EBIND, 0, 0, "'%s' is a view; late rows go to a table", o->name);
        o = NULL;
    }
    if (!o) late_error(b, &inner, value, pos);
    return o;
}

/* A generated name of a computed column ($f3): not a name the query has. */
static bool generated_name(const char *name)
{
    if (name[0] != '$' || name[1] != 'f' || !name[2]) return false;
    for (const char *c = name + 2; *c; c++)
        if (*c < '0' || *c > '9') return false;
    return true;
}

/* The late-row sink of window node w into table o: a CALC over w reading w's input layout
 * (plan.h window_agg.late_sink) that gives each of o's columns the input column of that name,
 * cast as INSERT casts, and a SINK of o. Returns 0 or an error at w's position. */
static int late_sink_of(binder *b, eddy_plan *w, const cat_object *o, const char *value)
{
    eddy_pos pos = {w->line, w->col, 0};
    const eddy_schema *in = &w->inputs[0]->out;
    eddy_schema target = target_schema(b, o);
    int nt = target.n;
    eddy_bexpr **ex = eddy_arena_alloc(b->a, sizeof *ex * (size_t)(nt ? nt : 1));
    const char *what = w->kind == EDDY_PLAN_SESSION_AGG ? "session window" : "window";
    eddy_error inner;
    eddy_error_clear(&inner);
    for (int k = 0; k < nt; k++) {
        const eddy_field *tf = &target.fields[k];
        int j;
        for (j = 0; j < in->n; j++)
            if (!generated_name(in->fields[j].name) && strcmp(in->fields[j].name, tf->name) == 0) break;
        if (j == in->n) {
            const char **cands = eddy_arena_alloc(b->a, sizeof *cands * (size_t)(in->n ? in->n : 1));
            int nc = 0;
            eddy_strbuf sb = {0};
            for (int i = 0; i < in->n; i++) {
                if (generated_name(in->fields[i].name)) continue;
                eddy_strbuf_printf(&sb, "%s%s", nc ? ", " : "", in->fields[i].name);
                cands[nc++] = in->fields[i].name;
            }
            const char *sug = strlen(tf->name) >= 3 ? pl_suggest(tf->name, cands, nc) : NULL;
            eddy_error_set(&inner, EDDY_EBIND, 0, 0,
                           "table '%s' has column '%s'%s%s%s, but the late rows of this %s have only: %s (its "
                           "rowtime, grouping keys and aggregated columns); drop the column from the table or SET "
                           "another one",
                           o->name, tf->name, sug ? " (did you mean '" : "", sug ? sug : "", sug ? "'?)" : "", what,
                           nc ? eddy_strbuf_cstr(&sb) : "no named column");
            eddy_strbuf_free(&sb);
            return late_error(b, &inner, value, pos);
        }
        const eddy_field *f = &in->fields[j];
        if (!pt_implicit(f->type, tf->type)) {
            eddy_error_set(&inner, EDDY_EBIND, 0, 0,
                           "Incompatible types for column '%s' of table '%s': the %s reads %s, the table wants %s; declare "
                           "the column with a type that %s casts to",
                           tf->name, o->name, what, pt_str(f->type), pt_str(tf->type), pt_str(f->type));
            return late_error(b, &inner, value, pos);
        }
        ex[k] = bx_cast(b->a, bx_col(b->a, j, f->type), pt_with_null(b->a, tf->type, f->type->not_null));
    }
    /* not pn_calc: the expressions read w's input, not w */
    eddy_plan *calc = pn_new(b->a, EDDY_PLAN_CALC, 1, pos);
    calc->inputs[0] = w;
    calc->out.n = nt;
    calc->out.fields = pn_fields(b->a, nt);
    for (int k = 0; k < nt; k++) {
        calc->out.fields[k].name = target.fields[k].name;
        calc->out.fields[k].type = ex[k]->type;
    }
    calc->u.calc.exprs = ex;
    eddy_plan *sink = pn_new(b->a, EDDY_PLAN_SINK, 1, pos);
    sink->inputs[0] = calc;
    sink->out = target;
    eddy_error *outer = b->err;
    b->err = &inner;
    int rc = sink_connector(b, sink, o, NULL, pos);
    b->err = outer;
    if (rc) return late_error(b, &inner, value, pos);
    w->u.window_agg.late_sink = sink;
    return 0;
}

int bind_late_sink(binder *b, eddy_plan *w)
{
    const char *value = session_option(b->s, "eddy.late-rows.table");
    if (!value || !*value) return 0;
    eddy_pos pos = {w->line, w->col, 0};
    cat_object *o = late_table(b, value, pos);
    if (!o) return b->err->code;
    return late_sink_of(b, w, o, value);
}

static void add_sink(binder *b, eddy_job_plan *jp, eddy_plan *sink, int *cap)
{
    if (jp->nsinks == *cap) {
        int c = *cap ? *cap * 2 : 4;
        eddy_plan **n = eddy_arena_alloc(b->a, sizeof *n * (size_t)c);
        if (jp->nsinks) memcpy(n, jp->sinks, sizeof *n * (size_t)jp->nsinks);
        jp->sinks = n;
        *cap = c;
    }
    jp->sinks[jp->nsinks++] = sink;
}

/* The job's name: 'pipeline.name', else the statement's first line. */
static const char *job_name(binder *b, const eddy_stmt *st, const char *text)
{
    const char *pn = session_option(b->s, "pipeline.name");
    if (pn) return eddy_arena_strdup(b->a, pn);
    if (text) {
        const char *p = text + st->src_off, *end = p + st->src_len;
        while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) p++;
        const char *e = p;
        while (e < end && *e != '\n' && *e != '\r') e++;
        while (e > p && (e[-1] == ' ' || e[-1] == '\t')) e--;
        size_t n = (size_t)(e - p);
        if (n > 80) n = 80;
        if (n) return eddy_arena_strndup(b->a, p, n);
    }
    if (st->kind == EDDY_STMT_INSERT) {
        const eddy_name *t = st->u.insert.table;
        return eddy_arena_sprintf(b->a, "insert-into_%s", t->parts[t->nparts - 1].name);
    }
    return st->kind == EDDY_STMT_QUERY ? "select" : "statement set";
}

int plan_statement(eddy_session *s, const eddy_stmt *st, const char *text, eddy_job_plan **out, bool *bare,
                   eddy_error *err)
{
    *out = NULL;
    *bare = false;
    eddy_arena *a = eddy_arena_new(0);
    eddy_job_plan *jp = eddy_arena_zalloc(a, sizeof *jp);
    jp->arena = a;
    binder b;
    memset(&b, 0, sizeof b);
    b.s = s;
    b.a = a;
    b.err = err;
    int cap = 0;
    switch (st->kind) {
    case EDDY_STMT_INSERT: {
        eddy_plan *sink = plan_insert(&b, st);
        if (sink) add_sink(&b, jp, sink, &cap);
        break;
    }
    case EDDY_STMT_STATEMENT_SET:
        if (st->u.statement_set.n == 0) {
            bind_error(&b, EDDY_EBIND, st->pos, "the statement set has no INSERT");
            break;
        }
        for (int i = 0; i < st->u.statement_set.n; i++) {
            const eddy_stmt *in = st->u.statement_set.stmts[i];
            if (in->kind != EDDY_STMT_INSERT) {
                bind_error(&b, EDDY_EBIND, in->pos, "a statement set holds INSERT statements only");
                break;
            }
            eddy_plan *sink = plan_insert(&b, in);
            if (!sink) break;
            add_sink(&b, jp, sink, &cap);
        }
        break;
    case EDDY_STMT_QUERY: {
        eddy_plan *sink = plan_select(&b, st->u.query, st->pos);
        if (sink) add_sink(&b, jp, sink, &cap);
        *bare = true;
        break;
    }
    default: bind_error(&b, EDDY_EBIND, st->pos, "%s does not make a job", eddy_ast_stmt_kind_name(st->kind)); break;
    }
    if (err->code) {
        eddy_arena_destroy(a);
        *bare = false;
        return err->code;
    }
    pl_optimize(a, jp);
    jp->nconfig = s->nopts;
    jp->config = eddy_arena_zalloc(a, sizeof(eddy_kv) * (size_t)(s->nopts ? s->nopts : 1));
    for (int i = 0; i < s->nopts; i++) {
        jp->config[i].key = eddy_arena_strdup(a, s->opts[i].key);
        jp->config[i].value = eddy_arena_strdup(a, s->opts[i].value);
    }
    jp->name = job_name(&b, st, text);
    *out = jp;
    return 0;
}
