/*
 * explain.c: the text of plans (EXPLAIN, eddy_plan_explain) and of typed expressions.
 *
 * A plan prints as Flink prints its physical plans: one operator per line, children below
 * their parent with "+- " (the last child) or ":- " (the others) and the matching
 * indentation, each operator with its attributes in name=[value] form:
 *
 *   Sink(table=[nexmark_q11], fields=[bidder, bid_count, starttime, endtime])
 *   +- Calc(select=[bidder, bid_count, window_start AS starttime, window_end AS endtime])
 *      +- SessionWindowAggregate(groupBy=[bidder], window=[SESSION(dateTime, gap=[10 s])], ...)
 *
 * The late-row sink of a window (SET 'eddy.late-rows.table') prints as a tree of its own after
 * the statement's sinks, ending in a LateRowsOf(...) line that names the window instead of
 * repeating it; the window itself shows lateRows=[-> table].
 *
 * Expressions print as SQL (`dateTime - INTERVAL '4' SECOND`, `CAST(price AS DECIMAL(23, 3))`)
 * with column references by their input's field names. Output is deterministic: golden tests
 * compare it.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/decimal.h"
#include "../common/timeutil.h"
#include "binder.h"
#include "ptype.h"
#include "session.h"

/* ---------------------------------------------------------------------------------------- */
/* Values and expressions                                                                    */

void pl_print_duration(eddy_strbuf *b, int64_t ms)
{
    if (ms != 0 && ms % EDDY_MS_PER_DAY == 0) eddy_strbuf_printf(b, "%" PRId64 " d", ms / EDDY_MS_PER_DAY);
    else if (ms != 0 && ms % EDDY_MS_PER_HOUR == 0) eddy_strbuf_printf(b, "%" PRId64 " h", ms / EDDY_MS_PER_HOUR);
    else if (ms != 0 && ms % EDDY_MS_PER_MINUTE == 0) eddy_strbuf_printf(b, "%" PRId64 " min", ms / EDDY_MS_PER_MINUTE);
    else if (ms != 0 && ms % EDDY_MS_PER_SECOND == 0) eddy_strbuf_printf(b, "%" PRId64 " s", ms / EDDY_MS_PER_SECOND);
    else eddy_strbuf_printf(b, "%" PRId64 " ms", ms);
}

/* A double as Java's Double.toString shows it: 1000.0, 0.5, 1.0E10, 1.0E-4. */
static void print_double(eddy_strbuf *b, double v)
{
    if (v != v) {
        eddy_strbuf_puts(b, "NaN");
        return;
    }
    if (v == 0) {
        eddy_strbuf_puts(b, signbit(v) ? "-0.0" : "0.0");
        return;
    }
    if (isinf(v)) {
        eddy_strbuf_puts(b, v < 0 ? "-Infinity" : "Infinity");
        return;
    }
    char d[18];
    int e;
    int n = eddy_double_shortest(v, d, &e);
    if (v < 0) eddy_strbuf_putc(b, '-');
    /* |v| = 0.d1d2... * 10^e */
    if (e > -3 && e <= 7) {
        if (e <= 0) {
            eddy_strbuf_puts(b, "0.");
            for (int i = 0; i < -e; i++) eddy_strbuf_putc(b, '0');
            eddy_strbuf_append(b, d, (size_t)n);
        } else {
            for (int i = 0; i < e; i++) eddy_strbuf_putc(b, i < n ? d[i] : '0');
            eddy_strbuf_putc(b, '.');
            if (n > e) eddy_strbuf_append(b, d + e, (size_t)(n - e));
            else eddy_strbuf_putc(b, '0');
        }
    } else {
        eddy_strbuf_putc(b, d[0]);
        eddy_strbuf_putc(b, '.');
        if (n > 1) eddy_strbuf_append(b, d + 1, (size_t)(n - 1));
        else eddy_strbuf_putc(b, '0');
        eddy_strbuf_printf(b, "E%d", e - 1);
    }
}

static void print_string(eddy_strbuf *b, const char *p, uint32_t n)
{
    eddy_strbuf_putc(b, '\'');
    for (uint32_t i = 0; i < n; i++) {
        if (p[i] == '\'') eddy_strbuf_putc(b, '\'');
        eddy_strbuf_putc(b, p[i]);
    }
    eddy_strbuf_putc(b, '\'');
}

static void print_const(eddy_strbuf *b, const eddy_bexpr *e)
{
    const eddy_sqltype *t = e->type;
    const eddy_value *v = &e->value;
    if (v->null) {
        if (t->kind == EDDY_TYPE_NULL) {
            eddy_strbuf_puts(b, "NULL");
        } else {
            eddy_strbuf_puts(b, "CAST(NULL AS ");
            pt_sql(b, t, false);
            eddy_strbuf_putc(b, ')');
        }
        return;
    }
    char buf[EDDY_INTERVAL_BUFSZ + EDDY_DEC_BUFSZ];
    switch (t->kind) {
    case EDDY_TYPE_BOOLEAN: eddy_strbuf_puts(b, v->u.b ? "TRUE" : "FALSE"); return;
    case EDDY_TYPE_TINYINT:
    case EDDY_TYPE_SMALLINT:
    case EDDY_TYPE_INT:
    case EDDY_TYPE_BIGINT: eddy_strbuf_printf(b, "%" PRId64, v->u.i); return;
    case EDDY_TYPE_FLOAT:
    case EDDY_TYPE_DOUBLE: print_double(b, v->u.f); return;
    case EDDY_TYPE_DECIMAL: {
        int p, s;
        pt_decimal_of(t, &p, &s);
        eddy_dec_format(v->u.dec, s, buf);
        eddy_strbuf_puts(b, buf);
        return;
    }
    case EDDY_TYPE_CHAR:
    case EDDY_TYPE_VARCHAR: print_string(b, v->u.s.p, v->u.s.n); return;
    case EDDY_TYPE_BINARY:
    case EDDY_TYPE_VARBINARY:
        eddy_strbuf_puts(b, "X'");
        for (uint32_t i = 0; i < v->u.s.n; i++) eddy_strbuf_printf(b, "%02X", (unsigned char)v->u.s.p[i]);
        eddy_strbuf_putc(b, '\'');
        return;
    case EDDY_TYPE_DATE:
        eddy_date_format(v->u.i, buf);
        eddy_strbuf_printf(b, "DATE '%s'", buf);
        return;
    case EDDY_TYPE_TIME:
        eddy_time_format((int32_t)v->u.i, t->precision > 0 ? t->precision : 0, buf);
        eddy_strbuf_printf(b, "TIME '%s'", buf);
        return;
    case EDDY_TYPE_TIMESTAMP:
    case EDDY_TYPE_TIMESTAMP_LTZ:
        eddy_ts_format(v->u.i, buf);
        eddy_strbuf_printf(b, "%s '%s'", t->kind == EDDY_TYPE_TIMESTAMP ? "TIMESTAMP" : "TIMESTAMP_LTZ", buf);
        return;
    case EDDY_TYPE_INTERVAL:
        eddy_interval_literal(v->u.i, t->from ? t->from : EDDY_UNIT_SECOND, t->to, buf);
        eddy_strbuf_puts(b, buf);
        return;
    default: eddy_strbuf_puts(b, "?"); return;
    }
}

/* Binding strength, for parentheses. */
static int prec_of(const eddy_bexpr *e)
{
    switch (e->kind) {
    case EDDY_BEXPR_OR: return 1;
    case EDDY_BEXPR_AND: return 2;
    case EDDY_BEXPR_NOT: return 3;
    case EDDY_BEXPR_COMPARE:
    case EDDY_BEXPR_IS:
    case EDDY_BEXPR_DISTINCT:
    case EDDY_BEXPR_IN:
    case EDDY_BEXPR_LIKE: return 4;
    case EDDY_BEXPR_CONCAT: return 5;
    case EDDY_BEXPR_ARITH:
        if (e->op == EDDY_BOP_NEG) return 8;
        return (e->op == EDDY_BOP_ADD || e->op == EDDY_BOP_SUB) ? 6 : 7;
    case EDDY_BEXPR_CONST:
        /* a negative number binds like a unary minus */
        if (!e->value.null && ((pt_is_integer(e->type) && e->value.u.i < 0) ||
                               (e->type->kind == EDDY_TYPE_DECIMAL && e->value.u.dec < 0)))
            return 8;
        return 9;
    default: return 9;
    }
}

static void pexpr(eddy_strbuf *b, const eddy_bexpr *e, const eddy_schema *in, int min);

static void pargs(eddy_strbuf *b, const eddy_bexpr *e, const eddy_schema *in, int from)
{
    for (int i = from; i < e->nargs; i++) {
        if (i > from) eddy_strbuf_puts(b, ", ");
        pexpr(b, e->args[i], in, 0);
    }
}

static const char *bop_sql(eddy_bop op)
{
    static const char *const s[] = {"+", "-", "*", "/", "%", "-", "=", "<>", "<", "<=", ">", ">="};
    return s[op];
}

static void print_call(eddy_strbuf *b, const eddy_bexpr *e, const eddy_schema *in)
{
    const char *unit = eddy_time_unit_name(e->unit);
    switch (e->fn) {
    case EDDY_FN_EXTRACT:
        eddy_strbuf_printf(b, "EXTRACT(%s FROM ", unit);
        pargs(b, e, in, 0);
        eddy_strbuf_putc(b, ')');
        return;
    case EDDY_FN_FLOOR_TIME:
    case EDDY_FN_CEIL_TIME:
        eddy_strbuf_puts(b, e->fn == EDDY_FN_FLOOR_TIME ? "FLOOR(" : "CEIL(");
        pargs(b, e, in, 0);
        eddy_strbuf_printf(b, " TO %s)", unit);
        return;
    case EDDY_FN_TIMESTAMPADD:
    case EDDY_FN_TIMESTAMPDIFF:
        eddy_strbuf_printf(b, "%s(%s, ", fn_name(e->fn), unit);
        pargs(b, e, in, 0);
        eddy_strbuf_putc(b, ')');
        return;
    case EDDY_FN_CURRENT_TIMESTAMP:
    case EDDY_FN_LOCALTIMESTAMP:
    case EDDY_FN_CURRENT_DATE: eddy_strbuf_puts(b, fn_name(e->fn)); return;
    default:
        eddy_strbuf_printf(b, "%s(", fn_name(e->fn));
        pargs(b, e, in, 0);
        eddy_strbuf_putc(b, ')');
        return;
    }
}

static void pexpr(eddy_strbuf *b, const eddy_bexpr *e, const eddy_schema *in, int min)
{
    int p = prec_of(e);
    bool paren = p < min;
    if (paren) eddy_strbuf_putc(b, '(');
    switch (e->kind) {
    case EDDY_BEXPR_CONST: print_const(b, e); break;
    case EDDY_BEXPR_COLUMN:
        if (in && e->column >= 0 && e->column < in->n) eddy_strbuf_puts(b, in->fields[e->column].name);
        else eddy_strbuf_printf(b, "$%d", e->column);
        break;
    case EDDY_BEXPR_ARITH:
        if (e->op == EDDY_BOP_NEG || e->nargs == 1) {
            eddy_strbuf_putc(b, '-');
            pexpr(b, e->args[0], in, 8);
        } else {
            pexpr(b, e->args[0], in, p);
            eddy_strbuf_printf(b, " %s ", bop_sql(e->op));
            pexpr(b, e->args[1], in, p + 1);
        }
        break;
    case EDDY_BEXPR_COMPARE:
        pexpr(b, e->args[0], in, 5);
        eddy_strbuf_printf(b, " %s ", bop_sql(e->op));
        pexpr(b, e->args[1], in, 5);
        break;
    case EDDY_BEXPR_AND:
    case EDDY_BEXPR_OR:
        for (int i = 0; i < e->nargs; i++) {
            if (i) eddy_strbuf_puts(b, e->kind == EDDY_BEXPR_AND ? " AND " : " OR ");
            pexpr(b, e->args[i], in, p + 1);
        }
        break;
    case EDDY_BEXPR_NOT:
        eddy_strbuf_puts(b, "NOT ");
        pexpr(b, e->args[0], in, 4);
        break;
    case EDDY_BEXPR_IS: {
        static const char *const w[] = {"NULL", "TRUE", "FALSE", "UNKNOWN"};
        pexpr(b, e->args[0], in, 5);
        eddy_strbuf_printf(b, " IS %s%s", e->negated ? "NOT " : "", w[e->is_what & 3]);
        break;
    }
    case EDDY_BEXPR_DISTINCT:
        pexpr(b, e->args[0], in, 5);
        eddy_strbuf_printf(b, " IS %sDISTINCT FROM ", e->negated ? "NOT " : "");
        pexpr(b, e->args[1], in, 5);
        break;
    case EDDY_BEXPR_IN:
        pexpr(b, e->args[0], in, 5);
        eddy_strbuf_printf(b, " %sIN (", e->negated ? "NOT " : "");
        pargs(b, e, in, 1);
        eddy_strbuf_putc(b, ')');
        break;
    case EDDY_BEXPR_LIKE:
        pexpr(b, e->args[0], in, 5);
        eddy_strbuf_printf(b, " %s%s ", e->negated ? "NOT " : "", e->similar ? "SIMILAR TO" : "LIKE");
        pexpr(b, e->args[1], in, 5);
        if (e->nargs > 2) {
            eddy_strbuf_puts(b, " ESCAPE ");
            pexpr(b, e->args[2], in, 5);
        }
        break;
    case EDDY_BEXPR_CASE: {
        eddy_strbuf_puts(b, "CASE");
        int nw = (e->nargs - (e->has_else ? 1 : 0)) / 2;
        for (int i = 0; i < nw; i++) {
            eddy_strbuf_puts(b, " WHEN ");
            pexpr(b, e->args[2 * i], in, 0);
            eddy_strbuf_puts(b, " THEN ");
            pexpr(b, e->args[2 * i + 1], in, 0);
        }
        if (e->has_else) {
            eddy_strbuf_puts(b, " ELSE ");
            pexpr(b, e->args[e->nargs - 1], in, 0);
        }
        eddy_strbuf_puts(b, " END");
        break;
    }
    case EDDY_BEXPR_CAST:
        eddy_strbuf_puts(b, e->try_cast ? "TRY_CAST(" : "CAST(");
        pexpr(b, e->args[0], in, 0);
        eddy_strbuf_puts(b, " AS ");
        pt_sql(b, e->type, false);
        eddy_strbuf_putc(b, ')');
        break;
    case EDDY_BEXPR_CONCAT:
        pexpr(b, e->args[0], in, p);
        eddy_strbuf_puts(b, " || ");
        pexpr(b, e->args[1], in, p + 1);
        break;
    case EDDY_BEXPR_CALL: print_call(b, e, in); break;
    default: eddy_strbuf_puts(b, "?"); break;
    }
    if (paren) eddy_strbuf_putc(b, ')');
}

void pl_print_bexpr(eddy_strbuf *b, const eddy_bexpr *e, const eddy_schema *in)
{
    pexpr(b, e, in, 0);
}

/* ---------------------------------------------------------------------------------------- */
/* Nodes                                                                                     */

static void names_list(eddy_strbuf *b, const eddy_schema *s)
{
    for (int i = 0; i < s->n; i++) {
        if (i) eddy_strbuf_puts(b, ", ");
        eddy_strbuf_puts(b, s->fields[i].name);
    }
}

static void print_window(eddy_strbuf *b, const eddy_window_spec *w, const eddy_schema *in)
{
    static const char *const kn[] = {"TUMBLE", "HOP", "CUMULATE", "SESSION"};
    const char *tc = (w->time_col >= 0 && w->time_col < in->n) ? in->fields[w->time_col].name : "?";
    eddy_strbuf_printf(b, "%s(%s", kn[w->kind], tc);
    switch (w->kind) {
    case EDDY_WINDOW_TUMBLE:
        eddy_strbuf_puts(b, ", size=[");
        pl_print_duration(b, w->size);
        eddy_strbuf_putc(b, ']');
        break;
    case EDDY_WINDOW_HOP:
        eddy_strbuf_puts(b, ", slide=[");
        pl_print_duration(b, w->slide);
        eddy_strbuf_puts(b, "], size=[");
        pl_print_duration(b, w->size);
        eddy_strbuf_putc(b, ']');
        break;
    case EDDY_WINDOW_CUMULATE:
        eddy_strbuf_puts(b, ", step=[");
        pl_print_duration(b, w->slide);
        eddy_strbuf_puts(b, "], size=[");
        pl_print_duration(b, w->size);
        eddy_strbuf_putc(b, ']');
        break;
    case EDDY_WINDOW_SESSION:
        eddy_strbuf_puts(b, ", gap=[");
        pl_print_duration(b, w->gap);
        eddy_strbuf_putc(b, ']');
        break;
    }
    if (w->offset) {
        eddy_strbuf_puts(b, ", offset=[");
        pl_print_duration(b, w->offset);
        eddy_strbuf_putc(b, ']');
    }
    if (w->proctime) eddy_strbuf_puts(b, ", proctime");
    eddy_strbuf_putc(b, ')');
}

static void print_agg(eddy_strbuf *b, const eddy_agg_call *a, const eddy_schema *in)
{
    eddy_strbuf_printf(b, "%s(", agg_name(a->fn));
    if (a->distinct) eddy_strbuf_puts(b, "DISTINCT ");
    if (a->arg < 0) eddy_strbuf_putc(b, '*');
    else eddy_strbuf_puts(b, in->fields[a->arg].name);
    if (a->arg2 >= 0) eddy_strbuf_printf(b, ", %s", in->fields[a->arg2].name);
    eddy_strbuf_putc(b, ')');
    if (a->filter >= 0) eddy_strbuf_printf(b, " FILTER (WHERE %s)", in->fields[a->filter].name);
    eddy_strbuf_printf(b, " AS %s", a->name);
}

static void print_aggregate(eddy_strbuf *b, const eddy_plan *p)
{
    const eddy_schema *in = &p->inputs[0]->out;
    bool group = p->kind == EDDY_PLAN_GROUP_AGG;
    const int *keys = group ? p->u.group_agg.keys : p->u.window_agg.keys;
    int nkeys = group ? p->u.group_agg.nkeys : p->u.window_agg.nkeys;
    const eddy_agg_call *aggs = group ? p->u.group_agg.aggs : p->u.window_agg.aggs;
    int naggs = group ? p->u.group_agg.naggs : p->u.window_agg.naggs;
    eddy_strbuf_puts(b, group ? "GroupAggregate(" : p->kind == EDDY_PLAN_SESSION_AGG ? "SessionWindowAggregate(" : "WindowAggregate(");
    bool first = true;
    if (nkeys) {
        eddy_strbuf_puts(b, "groupBy=[");
        for (int k = 0; k < nkeys; k++) eddy_strbuf_printf(b, "%s%s", k ? ", " : "", in->fields[keys[k]].name);
        eddy_strbuf_putc(b, ']');
        first = false;
    }
    if (!group) {
        eddy_strbuf_puts(b, first ? "window=[" : ", window=[");
        print_window(b, &p->u.window_agg.win, in);
        eddy_strbuf_putc(b, ']');
        first = false;
    }
    eddy_strbuf_puts(b, first ? "select=[" : ", select=[");
    for (int k = 0; k < nkeys; k++) eddy_strbuf_printf(b, "%s%s", k ? ", " : "", in->fields[keys[k]].name);
    for (int j = 0; j < naggs; j++) {
        if (nkeys || j) eddy_strbuf_puts(b, ", ");
        print_agg(b, &aggs[j], in);
    }
    eddy_strbuf_putc(b, ']');
    if (!group) {
        if (p->u.window_agg.allowed_lateness_ms) {
            eddy_strbuf_puts(b, ", lateness=[");
            pl_print_duration(b, p->u.window_agg.allowed_lateness_ms);
            eddy_strbuf_putc(b, ']');
        }
        if (p->u.window_agg.late_fire) {
            eddy_strbuf_puts(b, ", emit=[late every ");
            pl_print_duration(b, p->u.window_agg.late_fire_ms);
            eddy_strbuf_putc(b, ']');
        }
        if (p->u.window_agg.early_fire_ms) {
            eddy_strbuf_puts(b, ", emit=[early every ");
            pl_print_duration(b, p->u.window_agg.early_fire_ms);
            eddy_strbuf_putc(b, ']');
        }
        if (p->u.window_agg.late_sink)
            eddy_strbuf_printf(b, ", lateRows=[-> %s]", p->u.window_agg.late_sink->u.sink.table);
    }
    if (group && p->u.group_agg.mini_batch) eddy_strbuf_puts(b, ", miniBatch=[true]");
    if (p->changelog) eddy_strbuf_puts(b, ", changelog=[I, UB, UA]");
    if (group) {
        eddy_strbuf_puts(b, ", state=[per key: accumulators");
        if (p->u.group_agg.state_ttl_ms) {
            eddy_strbuf_puts(b, ", ttl ");
            pl_print_duration(b, p->u.group_agg.state_ttl_ms);
        }
        eddy_strbuf_puts(b, "])");
    } else if (p->kind == EDDY_PLAN_SESSION_AGG) {
        eddy_strbuf_puts(b, ", state=[per key: open sessions])");
    } else {
        eddy_strbuf_puts(b, ", state=[per key and slice: accumulators])");
    }
}

/* The window node whose late rows CALC p reads (plan.h window_agg.late_sink), or NULL. */
static const eddy_plan *late_rows_of(const eddy_plan *p)
{
    if (p->kind != EDDY_PLAN_CALC || p->ninputs != 1) return NULL;
    const eddy_plan *w = p->inputs[0];
    if (w->kind != EDDY_PLAN_WINDOW_AGG && w->kind != EDDY_PLAN_SESSION_AGG) return NULL;
    const eddy_plan *ls = w->u.window_agg.late_sink;
    return ls && ls->inputs[0] == p ? w : NULL;
}

void pl_explain_node(eddy_strbuf *b, const eddy_plan *p)
{
    const eddy_plan *late = late_rows_of(p);
    /* a late-row CALC reads its window's input */
    const eddy_schema *in = late ? &late->inputs[0]->out : p->ninputs ? &p->inputs[0]->out : NULL;
    switch (p->kind) {
    case EDDY_PLAN_SOURCE:
        eddy_strbuf_printf(b, "TableSourceScan(table=[%s], connector=[%s], fields=[", p->u.source.table,
                           p->u.source.connector);
        for (int i = 0; i < p->out.n; i++) {
            if (i) eddy_strbuf_puts(b, ", ");
            eddy_strbuf_puts(b, p->out.fields[i].name);
            if (p->u.source.metadata && p->u.source.metadata[i] &&
                strcmp(p->u.source.metadata[i], p->out.fields[i].name) != 0)
                eddy_strbuf_printf(b, " (METADATA '%s')", p->u.source.metadata[i]);
        }
        eddy_strbuf_putc(b, ']');
        if (p->u.source.pushed_filter) {
            eddy_strbuf_puts(b, ", filter=[");
            pl_print_bexpr(b, p->u.source.pushed_filter, &p->out);
            eddy_strbuf_putc(b, ']');
        }
        eddy_strbuf_putc(b, ')');
        return;
    case EDDY_PLAN_CALC:
        eddy_strbuf_puts(b, "Calc(select=[");
        for (int i = 0; i < p->out.n; i++) {
            if (i) eddy_strbuf_puts(b, ", ");
            const eddy_bexpr *e = p->u.calc.exprs[i];
            size_t at = b->n;
            pl_print_bexpr(b, e, in);
            const char *nm = p->out.fields[i].name;
            if (strcmp(eddy_strbuf_cstr(b) + at, nm) != 0) eddy_strbuf_printf(b, " AS %s", nm);
        }
        eddy_strbuf_putc(b, ']');
        if (p->u.calc.filter) {
            eddy_strbuf_puts(b, ", where=[");
            pl_print_bexpr(b, p->u.calc.filter, in);
            eddy_strbuf_putc(b, ']');
        }
        if (late) eddy_strbuf_puts(b, ", input=[late rows]");
        eddy_strbuf_putc(b, ')');
        return;
    case EDDY_PLAN_WATERMARK:
        eddy_strbuf_printf(b, "WatermarkAssigner(rowtime=[%s], watermark=[", in->fields[p->u.watermark.rowtime].name);
        pl_print_bexpr(b, p->u.watermark.expr, in);
        eddy_strbuf_putc(b, ']');
        if (p->u.watermark.idle_timeout_ms) {
            eddy_strbuf_puts(b, ", idleTimeout=[");
            pl_print_duration(b, p->u.watermark.idle_timeout_ms);
            eddy_strbuf_putc(b, ']');
        }
        eddy_strbuf_putc(b, ')');
        return;
    case EDDY_PLAN_WINDOW_TVF:
        eddy_strbuf_puts(b, "WindowTableFunction(window=[");
        print_window(b, &p->u.window_tvf.win, in);
        eddy_strbuf_puts(b, "])");
        return;
    case EDDY_PLAN_WINDOW_AGG:
    case EDDY_PLAN_SESSION_AGG:
    case EDDY_PLAN_GROUP_AGG: print_aggregate(b, p); return;
    case EDDY_PLAN_UNION:
        eddy_strbuf_puts(b, "Union(all=[true], union=[");
        names_list(b, &p->out);
        eddy_strbuf_puts(b, "])");
        return;
    case EDDY_PLAN_SINK:
        eddy_strbuf_printf(b, "Sink(table=[%s], fields=[", p->u.sink.table);
        names_list(b, &p->u.sink.target);
        eddy_strbuf_putc(b, ']');
        if (p->u.sink.limit > 0) eddy_strbuf_printf(b, ", limit=[%" PRId64 "]", p->u.sink.limit);
        eddy_strbuf_putc(b, ')');
        return;
    default: eddy_strbuf_printf(b, "Node(kind=[%d])", (int)p->kind); return;
    }
}

/* Which window a late-row CALC reads: "WindowAggregate, groupBy=[k], window=[TUMBLE(...)]". */
static void print_late_source(eddy_strbuf *b, const eddy_plan *w)
{
    const eddy_schema *in = &w->inputs[0]->out;
    eddy_strbuf_puts(b, w->kind == EDDY_PLAN_SESSION_AGG ? "SessionWindowAggregate" : "WindowAggregate");
    if (w->u.window_agg.nkeys) {
        eddy_strbuf_puts(b, ", groupBy=[");
        for (int k = 0; k < w->u.window_agg.nkeys; k++)
            eddy_strbuf_printf(b, "%s%s", k ? ", " : "", in->fields[w->u.window_agg.keys[k]].name);
        eddy_strbuf_putc(b, ']');
    }
    eddy_strbuf_puts(b, ", window=[");
    print_window(b, &w->u.window_agg.win, in);
    eddy_strbuf_putc(b, ']');
}

/* One node and its inputs; prefix is the indentation of this node's line. */
static void print_tree(eddy_strbuf *b, const eddy_plan *p, const char *prefix, const char *branch)
{
    eddy_strbuf_printf(b, "%s%s", prefix, branch);
    pl_explain_node(b, p);
    eddy_strbuf_putc(b, '\n');
    size_t pl = strlen(prefix);
    char *child = malloc(pl + 4);
    memcpy(child, prefix, pl);
    /* the children's prefix continues this node's branch */
    if (!*branch) child[pl] = 0;
    else if (strcmp(branch, ":- ") == 0) memcpy(child + pl, ":  ", 4);
    else memcpy(child + pl, "   ", 4);
    const eddy_plan *late = late_rows_of(p);
    if (late) {
        /* the window is printed in the tree of the query's own sink: name it, do not repeat it */
        eddy_strbuf_printf(b, "%s+- LateRowsOf(", child);
        print_late_source(b, late);
        eddy_strbuf_puts(b, ")\n");
    } else {
        for (int i = 0; i < p->ninputs; i++) print_tree(b, p->inputs[i], child, i == p->ninputs - 1 ? "+- " : ":- ");
    }
    free(child);
}

char *eddy_plan_explain(const eddy_job_plan *plan)
{
    eddy_strbuf b = {0};
    for (int i = 0; i < plan->nsinks; i++) {
        if (i) eddy_strbuf_putc(&b, '\n');
        print_tree(&b, plan->sinks[i], "", "");
    }
    return eddy_strbuf_take(&b);
}
