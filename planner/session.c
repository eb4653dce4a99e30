/*
 * session.c: executing statements against a session (see session.h): DDL into the catalog,
 * SHOW / DESCRIBE / SET listings as text tables in the SQL client's style, EXPLAIN, and the
 * statements that make jobs (planned by bind_stmt.c).
 *
 * CREATE TABLE and CREATE VIEW are checked before they enter the catalog, as Flink checks
 * them: the table's columns, computed columns, watermark, primary and partition keys are bound
 * (a throwaway plan), a view's query is bound. A statement that fails leaves the catalog as
 * it was.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../parser/parser.h"
#include "binder.h"
#include "catalog.h"
#include "ptype.h"
#include "session.h"

eddy_session *eddy_session_new(void)
{
    eddy_session *s = eddy_xcalloc(1, sizeof *s);
    s->cur_catalog = eddy_xstrdup(PL_DEFAULT_CATALOG);
    s->cur_database = eddy_xstrdup(PL_DEFAULT_DATABASE);
    return s;
}

void eddy_session_free(eddy_session *s)
{
    if (!s) return;
    for (int i = 0; i < s->nobjs; i++) cat_object_free(s->objs[i]);
    free(s->objs);
    for (int i = 0; i < s->nfuncs; i++) cat_function_free(s->funcs[i]);
    free(s->funcs);
    session_option_reset(s, NULL);
    free(s->opts);
    for (int i = 0; i < s->nscripts; i++) eddy_script_free(s->scripts[i]);
    free(s->scripts);
    free(s->cur_catalog);
    free(s->cur_database);
    free(s);
}

void eddy_session_adopt(eddy_session *s, eddy_script *script)
{
    if (!script) return;
    for (int i = 0; i < s->nscripts; i++)
        if (s->scripts[i] == script) return;
    if (s->nscripts == s->cscripts) {
        s->cscripts = s->cscripts ? s->cscripts * 2 : 8;
        s->scripts = eddy_xrealloc(s->scripts, sizeof *s->scripts * (size_t)s->cscripts);
    }
    s->scripts[s->nscripts++] = script;
}

const char *eddy_session_get_option(const eddy_session *s, const char *key)
{
    return session_option(s, key);
}

void eddy_result_clear(eddy_result *r)
{
    if (!r) return;
    free(r->text);
    eddy_job_plan_free(r->plan);
    free(r->job_id);
    memset(r, 0, sizeof *r);
}

void eddy_job_plan_free(eddy_job_plan *plan)
{
    if (plan) eddy_arena_destroy(plan->arena);
}

/* ---------------------------------------------------------------------------------------- */
/* Text tables                                                                               */

typedef struct ttable {
    int ncols;
    const char **head;
    char **cells;       /* malloc'ed, row-major */
    int nrows, cap;
} ttable;

static void tt_add(ttable *t, char **row)
{
    if (t->nrows == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 16;
        t->cells = eddy_xrealloc(t->cells, sizeof(char *) * (size_t)t->cap * (size_t)t->ncols);
    }
    for (int c = 0; c < t->ncols; c++) t->cells[t->nrows * t->ncols + c] = row[c];
    t->nrows++;
}

/* UTF-8 characters in s (display width for the tables). */
static int width(const char *s)
{
    int n = 0;
    for (; *s; s++) n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static void tt_line(eddy_strbuf *b, const int *w, int n)
{
    eddy_strbuf_putc(b, '+');
    for (int c = 0; c < n; c++) {
        for (int k = 0; k < w[c] + 2; k++) eddy_strbuf_putc(b, '-');
        eddy_strbuf_putc(b, '+');
    }
    eddy_strbuf_putc(b, '\n');
}

static void tt_row(eddy_strbuf *b, const int *w, int n, const char *const *cells)
{
    eddy_strbuf_putc(b, '|');
    for (int c = 0; c < n; c++) {
        eddy_strbuf_printf(b, " %s", cells[c]);
        for (int k = width(cells[c]); k < w[c] + 1; k++) eddy_strbuf_putc(b, ' ');
        eddy_strbuf_putc(b, '|');
    }
    eddy_strbuf_putc(b, '\n');
}

/* Renders the table as the SQL client does, then frees its cells. */
static char *tt_render(ttable *t)
{
    eddy_strbuf b = {0};
    int *w = eddy_xcalloc((size_t)t->ncols, sizeof *w);
    for (int c = 0; c < t->ncols; c++) {
        w[c] = width(t->head[c]);
        for (int r = 0; r < t->nrows; r++) {
            int x = width(t->cells[r * t->ncols + c]);
            if (x > w[c]) w[c] = x;
        }
    }
    if (t->nrows == 0) {
        eddy_strbuf_puts(&b, "Empty set\n");
    } else {
        tt_line(&b, w, t->ncols);
        tt_row(&b, w, t->ncols, t->head);
        tt_line(&b, w, t->ncols);
        for (int r = 0; r < t->nrows; r++) tt_row(&b, w, t->ncols, (const char *const *)&t->cells[r * t->ncols]);
        tt_line(&b, w, t->ncols);
        eddy_strbuf_printf(&b, "%d row%s in set\n", t->nrows, t->nrows == 1 ? "" : "s");
    }
    for (int i = 0; i < t->nrows * t->ncols; i++) free(t->cells[i]);
    free(t->cells);
    free(w);
    return eddy_strbuf_take(&b);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A one-column table of sorted names. */
static char *name_table(const char *head, char **names, int n)
{
    qsort(names, (size_t)n, sizeof *names, cmp_str);
    ttable t = {1, &head, NULL, 0, 0};
    for (int i = 0; i < n; i++) tt_add(&t, &names[i]);
    return tt_render(&t);
}

/* ---------------------------------------------------------------------------------------- */
/* DDL                                                                                       */

static int set_err(eddy_error *err, int code, eddy_pos pos, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int set_err(eddy_error *err, int code, eddy_pos pos, const char *fmt, ...)
{
    char msg[EDDY_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return eddy_error_set(err, code, pos.line, pos.col, "%s", msg);
}

/* The bound columns of table o. A table without a 'connector' option may exist (Flink checks
 * the connector when the table is used), so its columns are checked with a stand-in. */
static int table_schema(eddy_session *s, const cat_object *o, eddy_arena *a, eddy_schema *out, eddy_error *err)
{
    const eddy_create_table *ct = o->table;
    if (ct->options)
        for (int i = 0; i < ct->options->n; i++)
            if (strcmp(ct->options->a[i].key, "connector") == 0) return bind_table_schema(s, o, a, out, err);
    eddy_create_table copy = *ct;
    eddy_option stub = {"connector", "-", ct->name->pos, ct->name->pos};
    eddy_option_list ol = {&stub, 1, 1};
    copy.options = &ol;
    cat_object tmp = *o;
    tmp.table = &copy;
    return bind_table_schema(s, &tmp, a, out, err);
}

static const char *obj_word(const cat_object *o)
{
    return o->kind == CAT_VIEW ? "view" : "table";
}

static int create_table(eddy_session *s, const eddy_stmt *st, const eddy_script *script, eddy_result *out,
                        eddy_error *err)
{
    const eddy_create_table *ct = st->u.create_table;
    const char *cat, *db, *name;
    if (cat_split_name(s, ct->name, &cat, &db, &name, err)) return err->code;
    cat_object *old = cat_find(s, cat, db, name);
    if (old) {
        if (ct->if_not_exists) {
            out->message = "Table already exists; nothing done.";
            return 0;
        }
        return set_err(err, EDDY_EEXISTS, ct->name->pos, "%s '%s' already exists", obj_word(old), name);
    }
    if (ct->like) return set_err(err, EDDY_EUNSUPPORTED, ct->like->pos, "CREATE TABLE ... LIKE is not supported yet");
    if (ct->as_query)
        return set_err(err, EDDY_EUNSUPPORTED, ct->as_query->pos, "CREATE TABLE ... AS SELECT is not supported yet");
    if (!script)
        return set_err(err, EDDY_EUSAGE, st->pos,
                       "CREATE TABLE: the statement's script must be adopted by the session first (eddy_session_adopt)");
    /* columns: names unique, keys known */
    for (int i = 0; i < ct->ncols; i++)
        for (int j = 0; j < i; j++)
            if (strcmp(ct->cols[i].name->name, ct->cols[j].name->name) == 0)
                return set_err(err, EDDY_EBIND, ct->cols[i].name->pos, "column '%s' is declared twice",
                               ct->cols[i].name->name);
    int npk = 0;
    for (int i = 0; i < ct->ncols; i++) npk += ct->cols[i].primary_key;
    if (npk > 1 || (npk && ct->primary_key))
        return set_err(err, EDDY_EBIND, st->pos, "a table has at most one PRIMARY KEY");
    const eddy_ident_list *lists[2] = {ct->primary_key, ct->partitioned_by};
    static const char *const what[2] = {"PRIMARY KEY", "PARTITIONED BY"};
    for (int l = 0; l < 2; l++) {
        if (!lists[l]) continue;
        for (int i = 0; i < lists[l]->n; i++) {
            const eddy_ident *id = &lists[l]->a[i];
            int k;
            for (k = 0; k < ct->ncols; k++)
                if (strcmp(ct->cols[k].name->name, id->name) == 0) break;
            if (k == ct->ncols) return set_err(err, EDDY_EBIND, id->pos, "%s column '%s' is not a column of the table", what[l], id->name);
            if (ct->cols[k].kind != EDDY_COLUMN_PHYSICAL)
                return set_err(err, EDDY_EBIND, id->pos, "%s column '%s' must be a physical column", what[l], id->name);
        }
    }
    cat_object *o = eddy_xcalloc(1, sizeof *o);
    o->kind = CAT_TABLE;
    o->catalog = eddy_xstrdup(cat);
    o->database = eddy_xstrdup(db);
    o->name = eddy_xstrdup(name);
    o->temporary = ct->temporary;
    o->stmt = st;
    o->script = script;
    o->table = ct;
    /* the columns, computed columns and watermark must bind */
    eddy_arena *a = eddy_arena_new(0);
    eddy_schema sch;
    int rc = table_schema(s, o, a, &sch, err);
    eddy_arena_destroy(a);
    if (rc) {
        cat_object_free(o);
        return rc;
    }
    cat_add(s, o);
    out->message = "Table has been created.";
    return 0;
}

static int create_view(eddy_session *s, const eddy_stmt *st, const eddy_script *script, eddy_result *out,
                       eddy_error *err)
{
    const char *cat, *db, *name;
    if (cat_split_name(s, st->u.create_view.name, &cat, &db, &name, err)) return err->code;
    cat_object *old = cat_find(s, cat, db, name);
    if (old) {
        if (st->u.create_view.if_not_exists) {
            out->message = "View already exists; nothing done.";
            return 0;
        }
        return set_err(err, EDDY_EEXISTS, st->u.create_view.name->pos, "%s '%s' already exists", obj_word(old), name);
    }
    if (!script)
        return set_err(err, EDDY_EUSAGE, st->pos,
                       "CREATE VIEW: the statement's script must be adopted by the session first (eddy_session_adopt)");
    cat_object *o = eddy_xcalloc(1, sizeof *o);
    o->kind = CAT_VIEW;
    o->catalog = eddy_xstrdup(cat);
    o->database = eddy_xstrdup(db);
    o->name = eddy_xstrdup(name);
    o->temporary = st->u.create_view.temporary;
    o->stmt = st;
    o->script = script;
    o->query = st->u.create_view.query;
    o->cols = st->u.create_view.cols;
    eddy_arena *a = eddy_arena_new(0);
    eddy_schema sch;
    int rc = bind_view_schema(s, o, a, &sch, err);
    eddy_arena_destroy(a);
    if (rc) {
        cat_object_free(o);
        return rc;
    }
    cat_add(s, o);
    out->message = "View has been created.";
    return 0;
}

static int create_function(eddy_session *s, const eddy_stmt *st, eddy_result *out, eddy_error *err)
{
    const char *cat, *db, *name;
    if (cat_split_name(s, st->u.create_function.name, &cat, &db, &name, err)) return err->code;
    cat_function *old = cat_find_function(s, cat, db, name);
    if (old) {
        if (st->u.create_function.if_not_exists) {
            out->message = "Function already exists; nothing done.";
            return 0;
        }
        return set_err(err, EDDY_EEXISTS, st->u.create_function.name->pos, "function '%s' already exists", name);
    }
    cat_function *f = eddy_xcalloc(1, sizeof *f);
    f->catalog = eddy_xstrdup(cat);
    f->database = eddy_xstrdup(db);
    f->name = eddy_xstrdup(name);
    f->class_name = eddy_xstrdup(st->u.create_function.class_name ? st->u.create_function.class_name : "?");
    f->language = st->u.create_function.language ? eddy_xstrdup(st->u.create_function.language) : NULL;
    f->temporary = st->u.create_function.temporary;
    f->system = st->u.create_function.temporary_system;
    if (s->nfuncs == s->cfuncs) {
        s->cfuncs = s->cfuncs ? s->cfuncs * 2 : 8;
        s->funcs = eddy_xrealloc(s->funcs, sizeof *s->funcs * (size_t)s->cfuncs);
    }
    s->funcs[s->nfuncs++] = f;
    out->message = "Function has been created (eddy cannot call it: it runs on the JVM).";
    return 0;
}

static int drop(eddy_session *s, const eddy_stmt *st, eddy_result *out, eddy_error *err)
{
    const char *cat, *db, *name;
    eddy_object_kind what = st->u.drop.what;
    eddy_pos pos = st->u.drop.name->pos;
    if (what == EDDY_OBJECT_DATABASE || what == EDDY_OBJECT_CATALOG)
        return set_err(err, EDDY_EUNSUPPORTED, st->pos, "DROP %s is not supported",
                       what == EDDY_OBJECT_DATABASE ? "DATABASE" : "CATALOG");
    if (cat_split_name(s, st->u.drop.name, &cat, &db, &name, err)) return err->code;
    if (what == EDDY_OBJECT_FUNCTION) {
        cat_function *f = cat_find_function(s, cat, db, name);
        if (!f || (st->u.drop.temporary && !f->temporary)) {
            if (st->u.drop.if_exists) {
                out->message = "Function does not exist; nothing done.";
                return 0;
            }
            return set_err(err, EDDY_ENOTFOUND, pos, "%sfunction '%s' not found", st->u.drop.temporary ? "temporary " : "",
                           name);
        }
        for (int i = 0; i < s->nfuncs; i++)
            if (s->funcs[i] == f) {
                memmove(&s->funcs[i], &s->funcs[i + 1], sizeof *s->funcs * (size_t)(s->nfuncs - i - 1));
                s->nfuncs--;
                break;
            }
        cat_function_free(f);
        out->message = "Function has been removed.";
        return 0;
    }
    cat_object *o = cat_find(s, cat, db, name);
    cat_kind want = what == EDDY_OBJECT_VIEW ? CAT_VIEW : CAT_TABLE;
    const char *word = want == CAT_VIEW ? "view" : "table";
    if (!o || (st->u.drop.temporary && !o->temporary)) {
        if (st->u.drop.if_exists) {
            out->message = want == CAT_VIEW ? "View does not exist; nothing done." : "Table does not exist; nothing done.";
            return 0;
        }
        return eddy_error_set(err, EDDY_ENOTFOUND, pos.line, pos.col, "%s%s '%s' not found",
                              st->u.drop.temporary ? "temporary " : "", word, name);
    }
    if (o->kind != want)
        return eddy_error_set(err, EDDY_EBIND, pos.line, pos.col, "'%s' is a %s; use DROP %s", name, obj_word(o),
                              o->kind == CAT_VIEW ? "VIEW" : "TABLE");
    cat_remove(s, o);
    out->message = want == CAT_VIEW ? "View has been removed." : "Table has been removed.";
    return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* SHOW and DESCRIBE                                                                         */

static char *xstrdup_buf(eddy_strbuf *b)
{
    return eddy_strbuf_take(b);
}

static int show(eddy_session *s, const eddy_stmt *st, eddy_result *out, eddy_error *err)
{
    char **names = NULL;
    int n = 0;
    switch (st->u.show.what) {
    case EDDY_SHOW_TABLES:
    case EDDY_SHOW_VIEWS: {
        bool views = st->u.show.what == EDDY_SHOW_VIEWS;
        names = eddy_xcalloc((size_t)s->nobjs + 1, sizeof *names);
        for (int i = 0; i < s->nobjs; i++) {
            const cat_object *o = s->objs[i];
            if (strcmp(o->catalog, s->cur_catalog) != 0 || strcmp(o->database, s->cur_database) != 0) continue;
            if (views && o->kind != CAT_VIEW) continue;
            names[n++] = eddy_xstrdup(o->name);
        }
        out->kind = EDDY_RESULT_TEXT;
        out->text = name_table(views ? "view name" : "table name", names, n);
        free(names);
        return 0;
    }
    case EDDY_SHOW_FUNCTIONS: {
        int total = s->nfuncs + EDDY_FN__COUNT + EDDY_AGG__COUNT;
        names = eddy_xcalloc((size_t)total + 1, sizeof *names);
        for (int i = 0; i < s->nfuncs; i++) names[n++] = eddy_xstrdup(s->funcs[i]->name);
        for (int i = 0; i < EDDY_FN__COUNT; i++) {
            const char *fnm = fn_name((eddy_fn)i);
            bool dup = false;
            for (int k = 0; k < n && !dup; k++) dup = strcasecmp(names[k], fnm) == 0;
            if (!dup) names[n++] = eddy_xstrdup(fnm);
        }
        for (int i = 0; i < EDDY_AGG__COUNT; i++)
            if (i != EDDY_AGG_SUM0) names[n++] = eddy_xstrdup(agg_name((eddy_agg)i));
        for (int i = 0; i < n; i++)
            for (char *p = names[i]; *p; p++) *p = (char)((*p >= 'A' && *p <= 'Z') ? *p - 'A' + 'a' : *p);
        out->kind = EDDY_RESULT_TEXT;
        out->text = name_table("function name", names, n);
        free(names);
        return 0;
    }
    case EDDY_SHOW_CATALOGS:
    case EDDY_SHOW_DATABASES: {
        bool cats = st->u.show.what == EDDY_SHOW_CATALOGS;
        names = eddy_xcalloc((size_t)s->nobjs + 2, sizeof *names);
        names[n++] = eddy_xstrdup(cats ? s->cur_catalog : s->cur_database);
        for (int i = 0; i < s->nobjs; i++) {
            const cat_object *o = s->objs[i];
            if (!cats && strcmp(o->catalog, s->cur_catalog) != 0) continue;
            const char *v = cats ? o->catalog : o->database;
            bool dup = false;
            for (int k = 0; k < n && !dup; k++) dup = strcmp(names[k], v) == 0;
            if (!dup) names[n++] = eddy_xstrdup(v);
        }
        out->kind = EDDY_RESULT_TEXT;
        out->text = name_table(cats ? "catalog name" : "database name", names, n);
        free(names);
        return 0;
    }
    case EDDY_SHOW_JOBS: out->kind = EDDY_RESULT_SHOW_JOBS; return 0;
    case EDDY_SHOW_CREATE_TABLE:
    case EDDY_SHOW_CREATE_VIEW: {
        cat_object *o = cat_lookup(s, st->u.show.name, err);
        if (!o) return err->code;
        bool view = st->u.show.what == EDDY_SHOW_CREATE_VIEW;
        if (view != (o->kind == CAT_VIEW))
            return eddy_error_set(err, EDDY_EBIND, st->u.show.name->pos.line, st->u.show.name->pos.col,
                                  "'%s' is a %s; use SHOW CREATE %s", o->name, obj_word(o),
                                  o->kind == CAT_VIEW ? "VIEW" : "TABLE");
        eddy_strbuf b = {0};
        eddy_ast_print_stmt(&b, o->stmt);
        eddy_strbuf_puts(&b, ";\n");
        out->kind = EDDY_RESULT_TEXT;
        out->text = xstrdup_buf(&b);
        return 0;
    }
    }
    return set_err(err, EDDY_EUNSUPPORTED, st->pos, "this SHOW is not supported");
}

static char *sql_type_text(const eddy_field *f)
{
    eddy_strbuf b = {0};
    pt_sql(&b, f->type, false);
    if (f->rowtime) eddy_strbuf_puts(&b, " *ROWTIME*");
    if (f->proctime) eddy_strbuf_puts(&b, " *PROCTIME*");
    return eddy_strbuf_take(&b);
}

static int describe(eddy_session *s, const eddy_stmt *st, eddy_result *out, eddy_error *err)
{
    cat_object *o = cat_lookup(s, st->u.describe.name, err);
    if (!o) return err->code;
    eddy_arena *a = eddy_arena_new(0);
    eddy_schema sch;
    int rc;
    if (o->kind == CAT_VIEW) {
        rc = bind_view_schema(s, o, a, &sch, err);
    } else {
        rc = table_schema(s, o, a, &sch, err);
    }
    if (rc) {
        eddy_arena_destroy(a);
        return rc;
    }
    static const char *head[6] = {"name", "type", "null", "key", "extras", "watermark"};
    ttable t = {6, head, NULL, 0, 0};
    const eddy_create_table *ct = o->kind == CAT_TABLE ? o->table : NULL;
    for (int i = 0; i < sch.n; i++) {
        const eddy_field *f = &sch.fields[i];
        char *row[6];
        row[0] = eddy_xstrdup(f->name);
        row[1] = sql_type_text(f);
        row[2] = eddy_xstrdup(f->type->not_null ? "FALSE" : "TRUE");
        row[3] = eddy_xstrdup("");
        row[4] = eddy_xstrdup("");
        row[5] = eddy_xstrdup("");
        if (ct) {
            const eddy_column_def *cd = &ct->cols[i];
            bool pk = cd->primary_key;
            if (ct->primary_key)
                for (int k = 0; k < ct->primary_key->n; k++) pk = pk || strcmp(ct->primary_key->a[k].name, f->name) == 0;
            if (pk) {
                eddy_strbuf b = {0};
                eddy_strbuf_puts(&b, "PRI(");
                if (ct->primary_key)
                    for (int k = 0; k < ct->primary_key->n; k++)
                        eddy_strbuf_printf(&b, "%s%s", k ? ", " : "", ct->primary_key->a[k].name);
                else
                    eddy_strbuf_puts(&b, f->name);
                eddy_strbuf_putc(&b, ')');
                free(row[3]);
                row[3] = eddy_strbuf_take(&b);
            }
            eddy_strbuf b = {0};
            if (cd->kind == EDDY_COLUMN_COMPUTED) {
                eddy_strbuf_puts(&b, "AS ");
                eddy_ast_print_expr(&b, cd->expr);
            } else if (cd->kind == EDDY_COLUMN_METADATA) {
                eddy_strbuf_puts(&b, "METADATA");
                if (cd->metadata_key) eddy_strbuf_printf(&b, " FROM '%s'", cd->metadata_key);
                if (cd->is_virtual) eddy_strbuf_puts(&b, " VIRTUAL");
            }
            free(row[4]);
            row[4] = eddy_strbuf_take(&b);
            if (ct->wm_column && strcmp(ct->wm_column->name, f->name) == 0) {
                eddy_strbuf w = {0};
                eddy_ast_print_expr(&w, ct->wm_expr);
                free(row[5]);
                row[5] = eddy_strbuf_take(&w);
            }
        }
        tt_add(&t, row);
    }
    eddy_arena_destroy(a);
    out->kind = EDDY_RESULT_TEXT;
    out->text = tt_render(&t);
    return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* SET, RESET, USE                                                                           */

static int set_stmt(eddy_session *s, const eddy_stmt *st, eddy_result *out, eddy_error *err)
{
    const char *key = st->u.set.key;
    if (!key) {
        static const char *head[2] = {"key", "value"};
        ttable t = {2, head, NULL, 0, 0};
        for (int i = 0; i < s->nopts; i++) {
            char *row[2] = {eddy_xstrdup(s->opts[i].key), eddy_xstrdup(s->opts[i].value)};
            tt_add(&t, row);
        }
        out->kind = EDDY_RESULT_TEXT;
        out->text = tt_render(&t);
        return 0;
    }
    const char *value = st->u.set.value ? st->u.set.value : "";
    if (pl_check_option(key, value, err)) {
        err->line = st->pos.line;
        err->col = st->pos.col;
        return err->code;
    }
    session_option_set(s, key, value);
    out->message = "Session property has been set.";
    return 0;
}

static int use_stmt(eddy_session *s, const eddy_stmt *st, eddy_result *out, eddy_error *err)
{
    const eddy_name *n = st->u.use.name;
    if (st->u.use.catalog) {
        if (n->nparts != 1) return set_err(err, EDDY_EBIND, n->pos, "USE CATALOG takes one name");
        free(s->cur_catalog);
        s->cur_catalog = eddy_xstrdup(n->parts[0].name);
        free(s->cur_database);
        s->cur_database = eddy_xstrdup(PL_DEFAULT_DATABASE);
        out->message = "Catalog changed.";
        return 0;
    }
    if (n->nparts > 2) return set_err(err, EDDY_EBIND, n->pos, "USE takes a database or catalog.database");
    if (n->nparts == 2) {
        free(s->cur_catalog);
        s->cur_catalog = eddy_xstrdup(n->parts[0].name);
    }
    free(s->cur_database);
    s->cur_database = eddy_xstrdup(n->parts[n->nparts - 1].name);
    out->message = "Database changed.";
    return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Dispatch                                                                                  */

static int explain(eddy_session *s, const eddy_stmt *st, const char *text, eddy_result *out, eddy_error *err)
{
    const eddy_stmt *in = st->u.explain.stmt;
    if (in->kind != EDDY_STMT_QUERY && in->kind != EDDY_STMT_INSERT && in->kind != EDDY_STMT_STATEMENT_SET)
        return set_err(err, EDDY_EBIND, in->pos, "EXPLAIN takes a query, an INSERT or a statement set, not %s",
                       eddy_ast_stmt_kind_name(in->kind));
    eddy_job_plan *plan;
    bool bare;
    int rc = plan_statement(s, in, text, &plan, &bare, err);
    if (rc) return rc;
    out->kind = EDDY_RESULT_TEXT;
    out->text = eddy_plan_explain(plan);
    eddy_job_plan_free(plan);
    return 0;
}

int eddy_session_execute(eddy_session *s, const eddy_stmt *st, eddy_result *out, eddy_error *err)
{
    memset(out, 0, sizeof *out);
    eddy_error_clear(err);
    const eddy_script *script = session_script_of(s, st);
    const char *text = script ? script->text : NULL;
    int rc = 0;
    switch (st->kind) {
    case EDDY_STMT_CREATE_TABLE: rc = create_table(s, st, script, out, err); break;
    case EDDY_STMT_CREATE_VIEW: rc = create_view(s, st, script, out, err); break;
    case EDDY_STMT_CREATE_FUNCTION: rc = create_function(s, st, out, err); break;
    case EDDY_STMT_DROP: rc = drop(s, st, out, err); break;
    case EDDY_STMT_SHOW: rc = show(s, st, out, err); break;
    case EDDY_STMT_DESCRIBE: rc = describe(s, st, out, err); break;
    case EDDY_STMT_SET: rc = set_stmt(s, st, out, err); break;
    case EDDY_STMT_RESET:
        session_option_reset(s, st->u.set.key);
        out->message = "Session properties have been reset.";
        break;
    case EDDY_STMT_USE: rc = use_stmt(s, st, out, err); break;
    case EDDY_STMT_EXPLAIN: rc = explain(s, st, text, out, err); break;
    case EDDY_STMT_QUERY:
    case EDDY_STMT_INSERT:
    case EDDY_STMT_STATEMENT_SET: {
        bool bare;
        rc = plan_statement(s, st, text, &out->plan, &bare, err);
        if (!rc) {
            out->kind = EDDY_RESULT_JOB;
            out->bare_select = bare;
        }
        break;
    }
    case EDDY_STMT_STOP_JOB:
        out->kind = EDDY_RESULT_STOP_JOB;
        out->job_id = eddy_xstrdup(st->u.stop_job.job_id ? st->u.stop_job.job_id : "");
        out->with_savepoint = st->u.stop_job.with_savepoint;
        out->with_drain = st->u.stop_job.with_drain;
        break;
    default: rc = set_err(err, EDDY_EUNSUPPORTED, st->pos, "%s is not supported", eddy_ast_stmt_kind_name(st->kind)); break;
    }
    if (rc) {
        eddy_result_clear(out);
        if (!err->code) eddy_error_set(err, rc, st->pos.line, st->pos.col, "%s", eddy_strerror(rc));
        return err->code;
    }
    return 0;
}
