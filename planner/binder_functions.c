/*
 * binder_functions.c: the typing rules of the built-in functions (functions.h): which
 * arguments each takes and what type it returns, as Flink types them. Also the aggregate
 * functions' result types and the names of group window functions.
 *
 * Result types (nullable when an argument is, unless said otherwise):
 *   COALESCE, IFNULL, IF, GREATEST, LEAST   the common type of the values
 *   string functions                        STRING; UPPER/LOWER/INITCAP keep their type;
 *                                           CHAR_LENGTH, POSITION, LOCATE, HASH_CODE INT;
 *                                           REGEXP BOOLEAN; REGEXP_EXTRACT, SPLIT_INDEX,
 *                                           JSON_VALUE, LPAD, RPAD always nullable
 *   TO_TIMESTAMP TIMESTAMP(3), TO_TIMESTAMP_LTZ TIMESTAMP_LTZ(3), TO_DATE DATE (nullable:
 *   unparsable text gives NULL); DATE_FORMAT, FROM_UNIXTIME STRING; UNIX_TIMESTAMP BIGINT;
 *   EXTRACT and YEAR .. SECOND BIGINT; FLOOR/CEIL(x TO unit) and TIMESTAMPADD the type of x;
 *   TIMESTAMPDIFF INT; CURRENT_TIMESTAMP, NOW, PROCTIME() TIMESTAMP_LTZ(3) NOT NULL (PROCTIME
 *   a processing-time attribute); LOCALTIMESTAMP TIMESTAMP(3) NOT NULL; CURRENT_DATE DATE.
 *   ABS, SIGN, ROUND, TRUNCATE the type of x (ROUND/TRUNCATE of DECIMAL as decimal.h says);
 *   MOD of integers the wider integer, of DECIMAL by decimal.h; FLOOR/CEIL of DECIMAL(p, s)
 *   DECIMAL(p - s + 1, 0); POWER, SQRT, LN, LOG*, EXP, trigonometry, RAND, PI DOUBLE.
 * Aggregates: COUNT BIGINT NOT NULL; SUM the integer type itself (Flink: SUM(INT) is INT),
 * DECIMAL(38, s), DOUBLE; AVG the same integer type (truncating), DOUBLE, DECIMAL(38,
 * max(6, s)); MIN, MAX, FIRST_VALUE, LAST_VALUE the argument's type; STDDEV/VAR* DOUBLE;
 * APPROX_COUNT_DISTINCT BIGINT NOT NULL; LISTAGG STRING; BOOL_AND/BOOL_OR BOOLEAN.
 */
#include <string.h>
#include <strings.h>

#include "../common/decimal.h"
#include "../common/timeutil.h"
#include "binder.h"
#include "ptype.h"

typedef struct fninfo {
    const char *name;
    int lo, hi;
} fninfo;

static const fninfo scalar_info[] = {
#define X(id, name, lo, hi) {name, lo, hi},
    EDDY_SCALAR_FUNCTIONS(X)
#undef X
};

static const fninfo agg_info[] = {
#define X(id, name, lo, hi) {name, lo, hi},
    EDDY_AGG_FUNCTIONS(X)
#undef X
};

const char *fn_name(eddy_fn fn)
{
    return (fn >= 0 && fn < EDDY_FN__COUNT) ? scalar_info[fn].name : "?";
}

const char *agg_name(eddy_agg fn)
{
    return (fn >= 0 && fn < EDDY_AGG__COUNT) ? agg_info[fn].name : "?";
}

int agg_by_name(const char *name)
{
    for (int i = 0; i < EDDY_AGG__COUNT; i++)
        if (i != EDDY_AGG_SUM0 && strcasecmp(agg_info[i].name, name) == 0) return i;
    return -1;
}

int group_window_fn(const char *name, int *aux)
{
    static const char *const base[] = {"TUMBLE", "HOP", "SESSION", "CUMULATE"};
    static const char *const sfx[] = {"_START", "_END", "_ROWTIME", "_PROCTIME"};
    *aux = 0;
    for (int i = 0; i < 4; i++) {
        size_t n = strlen(base[i]);
        if (strncasecmp(name, base[i], n) != 0) continue;
        if (name[n] == 0) return i + 1;
        if (i == 3) continue; /* CUMULATE has no group-window form */
        for (int k = 0; k < 4; k++)
            if (strcasecmp(name + n, sfx[k]) == 0) {
                *aux = k + 1;
                return i + 1;
            }
    }
    return 0;
}

bool expr_has_agg(const eddy_expr *e)
{
    if (!e) return false;
    switch (e->kind) {
    case EDDY_EXPR_CALL:
        if (!e->u.call.over && e->u.call.func->nparts == 1 && agg_by_name(e->u.call.func->parts[0].name) >= 0)
            return true;
        if (e->u.call.args)
            for (int i = 0; i < e->u.call.args->n; i++)
                if (expr_has_agg(e->u.call.args->a[i])) return true;
        return expr_has_agg(e->u.call.filter);
    case EDDY_EXPR_UNARY: return expr_has_agg(e->u.unary.arg);
    case EDDY_EXPR_BINARY: return expr_has_agg(e->u.binary.lhs) || expr_has_agg(e->u.binary.rhs);
    case EDDY_EXPR_IS: return expr_has_agg(e->u.is.arg) || expr_has_agg(e->u.is.rhs);
    case EDDY_EXPR_BETWEEN:
        return expr_has_agg(e->u.between.arg) || expr_has_agg(e->u.between.lo) || expr_has_agg(e->u.between.hi);
    case EDDY_EXPR_IN:
        if (expr_has_agg(e->u.in.arg)) return true;
        if (e->u.in.list)
            for (int i = 0; i < e->u.in.list->n; i++)
                if (expr_has_agg(e->u.in.list->a[i])) return true;
        return false;
    case EDDY_EXPR_LIKE:
        return expr_has_agg(e->u.like.arg) || expr_has_agg(e->u.like.pattern) || expr_has_agg(e->u.like.escape);
    case EDDY_EXPR_CASE:
        if (expr_has_agg(e->u.case_.operand) || expr_has_agg(e->u.case_.else_)) return true;
        for (int i = 0; i < e->u.case_.whens->n; i++)
            if (expr_has_agg(e->u.case_.whens->a[i]) || expr_has_agg(e->u.case_.thens->a[i])) return true;
        return false;
    case EDDY_EXPR_CAST: return expr_has_agg(e->u.cast.arg);
    case EDDY_EXPR_FIELD: return expr_has_agg(e->u.field.base);
    case EDDY_EXPR_SUBSCRIPT: return expr_has_agg(e->u.subscript.base) || expr_has_agg(e->u.subscript.index);
    case EDDY_EXPR_ROW:
    case EDDY_EXPR_ARRAY:
    case EDDY_EXPR_MAP:
        for (int i = 0; i < e->u.ctor.items->n; i++)
            if (expr_has_agg(e->u.ctor.items->a[i])) return true;
        return false;
    case EDDY_EXPR_NAMED_ARG: return expr_has_agg(e->u.named_arg.value);
    default: return false;
    }
}

const eddy_sqltype *agg_result_type(eddy_arena *a, eddy_agg fn, const eddy_sqltype *arg, const char **why)
{
    *why = NULL;
    switch (fn) {
    case EDDY_AGG_COUNT:
    case EDDY_AGG_APPROX_COUNT_DISTINCT: return pt_new(a, EDDY_TYPE_BIGINT, -1, -1, true);
    default: break;
    }
    if (!arg) {
        *why = "needs an argument";
        return NULL;
    }
    if (pt_is_null(arg)) {
        *why = "cannot take an untyped NULL (CAST it)";
        return NULL;
    }
    switch (fn) {
    case EDDY_AGG_SUM:
    case EDDY_AGG_SUM0: {
        bool nn = fn == EDDY_AGG_SUM0;
        if (!pt_is_numeric(arg)) break;
        if (arg->kind == EDDY_TYPE_DECIMAL) {
            int p, s, rp, rs;
            pt_decimal_of(arg, &p, &s);
            eddy_dec_sum_type(p, s, &rp, &rs);
            return pt_new(a, EDDY_TYPE_DECIMAL, rp, rs, nn);
        }
        return pt_with_null(a, pt_new(a, arg->kind, -1, -1, nn), nn);
    }
    case EDDY_AGG_AVG:
        if (!pt_is_numeric(arg)) break;
        if (arg->kind == EDDY_TYPE_DECIMAL) {
            int p, s, rp, rs;
            pt_decimal_of(arg, &p, &s);
            eddy_dec_avg_type(p, s, &rp, &rs);
            return pt_new(a, EDDY_TYPE_DECIMAL, rp, rs, false);
        }
        return pt_new(a, arg->kind, -1, -1, false);
    case EDDY_AGG_MIN:
    case EDDY_AGG_MAX:
        if (pt_is_nested(arg)) break;
        return pt_with_null(a, arg, false);
    case EDDY_AGG_FIRST_VALUE:
    case EDDY_AGG_LAST_VALUE: return pt_with_null(a, arg, false);
    case EDDY_AGG_STDDEV_POP:
    case EDDY_AGG_STDDEV_SAMP:
    case EDDY_AGG_STDDEV:
    case EDDY_AGG_VAR_POP:
    case EDDY_AGG_VAR_SAMP:
    case EDDY_AGG_VARIANCE:
        if (!pt_is_numeric(arg)) break;
        return pt_new(a, EDDY_TYPE_DOUBLE, -1, -1, false);
    case EDDY_AGG_LISTAGG:
        if (!pt_is_char(arg)) break;
        return pt_string(a, false);
    case EDDY_AGG_BOOL_AND:
    case EDDY_AGG_BOOL_OR:
        if (!pt_is_boolean(arg)) break;
        return pt_new(a, EDDY_TYPE_BOOLEAN, -1, -1, false);
    default: break;
    }
    *why = "does not accept";
    return NULL;
}

/* ---------------------------------------------------------------------------------------- */
/* Scalar functions                                                                          */

/* The function of a call by name and syntax, or -1. */
static int scalar_fn(const eddy_expr *e, const char *name)
{
    switch (e->u.call.syntax) {
    case EDDY_CALL_EXTRACT: return EDDY_FN_EXTRACT;
    case EDDY_CALL_FLOOR_TO: return EDDY_FN_FLOOR_TIME;
    case EDDY_CALL_CEIL_TO: return EDDY_FN_CEIL_TIME;
    case EDDY_CALL_TRIM:
        return e->u.call.trim_side == 2 ? EDDY_FN_LTRIM : e->u.call.trim_side == 3 ? EDDY_FN_RTRIM : EDDY_FN_TRIM;
    case EDDY_CALL_SUBSTRING_FROM: return EDDY_FN_SUBSTRING;
    case EDDY_CALL_POSITION_IN: return EDDY_FN_POSITION;
    case EDDY_CALL_OVERLAY: return -2;
    default: break;
    }
    if (strcasecmp(name, "CEILING") == 0) return EDDY_FN_CEIL;
    if (strcasecmp(name, "FLOOR") == 0) return EDDY_FN_FLOOR;
    if (strcasecmp(name, "CEIL") == 0) return EDDY_FN_CEIL;
    for (int i = 0; i < EDDY_FN__COUNT; i++) {
        if (i == EDDY_FN_FLOOR_TIME || i == EDDY_FN_CEIL_TIME || i == EDDY_FN_EXTRACT) continue;
        if (strcasecmp(scalar_info[i].name, name) == 0) return i;
    }
    return -1;
}

enum { A_ANY, A_STR, A_NUM, A_INT, A_TIME, A_BOOL, A_TS };

static const char *fam_name(int fam)
{
    switch (fam) {
    case A_STR: return "a string";
    case A_NUM: return "a number";
    case A_INT: return "an integer";
    case A_TIME: return "a date or time";
    case A_BOOL: return "a BOOLEAN";
    case A_TS: return "a TIMESTAMP";
    default: return "a value";
    }
}

static bool fam_ok(int fam, const eddy_sqltype *t)
{
    if (pt_is_null(t)) return true;
    switch (fam) {
    case A_STR: return pt_is_char(t);
    case A_NUM: return pt_is_numeric(t);
    case A_INT: return pt_is_integer(t);
    case A_TIME: return pt_is_datetime(t);
    case A_TS: return pt_is_timestamp(t);
    case A_BOOL: return pt_is_boolean(t);
    default: return true;
    }
}

typedef struct fcall {
    ectx *c;
    const eddy_expr *e;
    const char *name;       /* as written */
    eddy_bexpr **args;      /* bound value arguments */
    int n;
    bool nn;                /* every argument NOT NULL */
} fcall;

static bool want(fcall *f, int i, int fam)
{
    if (i >= f->n) return true;
    if (fam_ok(fam, f->args[i]->type)) {
        /* an untyped NULL gets the family's natural type */
        if (pt_is_null(f->args[i]->type)) {
            eddy_arena *a = f->c->b->a;
            const eddy_sqltype *t = fam == A_STR    ? pt_string(a, false)
                                    : fam == A_INT  ? pt_new(a, EDDY_TYPE_INT, -1, -1, false)
                                    : fam == A_NUM  ? pt_new(a, EDDY_TYPE_DOUBLE, -1, -1, false)
                                    : fam == A_BOOL ? pt_new(a, EDDY_TYPE_BOOLEAN, -1, -1, false)
                                    : fam == A_TIME || fam == A_TS ? pt_new(a, EDDY_TYPE_TIMESTAMP, 3, -1, false)
                                                                  : NULL;
            if (t) f->args[i] = bx_cast(a, f->args[i], t);
        }
        return true;
    }
    eddy_pos pos = {f->args[i]->line, f->args[i]->col, 0};
    if (!pos.line) pos = f->e->pos;
    bind_error(f->c->b, EDDY_EBIND, pos, "argument %d of %s must be %s, not %s", i + 1, f->name, fam_name(fam),
               pt_str(f->args[i]->type));
    return false;
}

static bool want_all(fcall *f, int from, int fam)
{
    for (int i = from; i < f->n; i++)
        if (!want(f, i, fam)) return false;
    return true;
}

/* Casts every argument from `from` on to their common type; returns it or NULL. */
static const eddy_sqltype *common_args(fcall *f, int from)
{
    eddy_arena *a = f->c->b->a;
    const eddy_sqltype *t = f->args[from]->type;
    for (int i = from + 1; i < f->n; i++) {
        const eddy_sqltype *u = pt_common(a, t, f->args[i]->type);
        if (!u) {
            bind_error(f->c->b, EDDY_EBIND, f->e->pos, "%s: no common type for %s and %s", f->name, pt_str(t),
                       pt_str(f->args[i]->type));
            return NULL;
        }
        t = u;
    }
    if (pt_is_null(t)) {
        bind_error(f->c->b, EDDY_EBIND, f->e->pos, "%s: every argument is NULL; CAST one to the type you want",
                   f->name);
        return NULL;
    }
    for (int i = from; i < f->n; i++) f->args[i] = bx_cast(a, f->args[i], pt_with_null(a, t, f->args[i]->type->not_null));
    return t;
}

/* The user's function of that name, if any, as an error. */
static bool user_function(ectx *c, const eddy_expr *e)
{
    binder *b = c->b;
    const eddy_name *n = e->u.call.func;
    const char *cat = NULL, *db = NULL, *name = n->parts[n->nparts - 1].name;
    if (n->nparts == 3) {
        cat = n->parts[0].name;
        db = n->parts[1].name;
    } else if (n->nparts == 2) {
        db = n->parts[0].name;
    }
    cat_function *f = cat_find_function(b->s, cat, db, name);
    if (!f) return false;
    const char *lang = f->language ? f->language : "JAVA";
    bool py = strcasecmp(lang, "PYTHON") == 0;
    bind_error(b, EDDY_EUNSUPPORTED, e->pos, "function '%s' is a %s UDF (%s); eddy cannot run %s functions", name,
               py ? "Python" : strcasecmp(lang, "SCALA") == 0 ? "Scala" : "Java", f->class_name,
               py ? "Python" : "JVM");
    return true;
}

static void unknown_function(ectx *c, const eddy_expr *e, const char *name)
{
    const char *cands[EDDY_FN__COUNT + EDDY_AGG__COUNT];
    int n = 0;
    for (int i = 0; i < EDDY_FN__COUNT; i++) cands[n++] = scalar_info[i].name;
    for (int i = 0; i < EDDY_AGG__COUNT; i++)
        if (i != EDDY_AGG_SUM0) cands[n++] = agg_info[i].name;
    const char *s = pl_suggest(name, cands, n);
    if (s) bind_error(c->b, EDDY_EBIND, e->pos, "function '%s' not found; did you mean '%s'?", name, s);
    else bind_error(c->b, EDDY_EBIND, e->pos, "function '%s' not found", name);
}

static const eddy_sqltype *ts3(eddy_arena *a, eddy_type_kind k, bool nn)
{
    return pt_new(a, k, 3, -1, nn);
}

eddy_bexpr *bind_function(ectx *c, const eddy_expr *e)
{
    binder *b = c->b;
    eddy_arena *a = b->a;
    const eddy_name *fname = e->u.call.func;
    const char *name = fname->parts[fname->nparts - 1].name;
    if (user_function(c, e)) return NULL;
    int fn = fname->nparts == 1 ? scalar_fn(e, name) : -1;
    if (fn == -2) {
        bind_error(b, EDDY_EUNSUPPORTED, e->pos, "OVERLAY is not supported yet");
        return NULL;
    }
    if (fn < 0) {
        unknown_function(c, e, name);
        return NULL;
    }
    if (e->u.call.distinct || e->u.call.filter || e->u.call.within_group || e->u.call.star) {
        bind_error(b, EDDY_EBIND, e->pos, "%s is not an aggregate function: DISTINCT, FILTER and * do not apply", name);
        return NULL;
    }
    /* arguments: time units become the node's unit */
    const eddy_expr_list *al = e->u.call.args;
    int nall = al ? al->n : 0;
    eddy_time_unit unit = EDDY_UNIT_NONE;
    fcall f = {c, e, fn_name((eddy_fn)fn), NULL, 0, true};
    if (fn == EDDY_FN_FLOOR_TIME || fn == EDDY_FN_CEIL_TIME || fn == EDDY_FN_EXTRACT) f.name = name;
    f.args = eddy_arena_alloc(a, sizeof(eddy_bexpr *) * (size_t)(nall > 0 ? nall : 1));
    for (int i = 0; i < nall; i++) {
        const eddy_expr *x = al->a[i];
        if (x->kind == EDDY_EXPR_TIME_UNIT &&
            (fn == EDDY_FN_EXTRACT || fn == EDDY_FN_FLOOR_TIME || fn == EDDY_FN_CEIL_TIME ||
             fn == EDDY_FN_TIMESTAMPADD || fn == EDDY_FN_TIMESTAMPDIFF)) {
            unit = x->u.unit;
            continue;
        }
        eddy_bexpr *v = bind_expr(c, x);
        if (!v) return NULL;
        f.args[f.n++] = v;
        f.nn = f.nn && v->type->not_null;
    }
    /* arity: functions with a unit count it */
    int lo = scalar_info[fn].lo, hi = scalar_info[fn].hi;
    bool has_unit = fn == EDDY_FN_EXTRACT || fn == EDDY_FN_FLOOR_TIME || fn == EDDY_FN_CEIL_TIME ||
                    fn == EDDY_FN_TIMESTAMPADD || fn == EDDY_FN_TIMESTAMPDIFF;
    int counted = f.n + (has_unit ? 1 : 0);
    if (has_unit && unit == EDDY_UNIT_NONE) {
        bind_error(b, EDDY_EBIND, e->pos, "%s needs a time unit such as DAY or HOUR", f.name);
        return NULL;
    }
    if (counted < lo || (hi >= 0 && counted > hi)) {
        if (lo == hi)
            bind_error(b, EDDY_EBIND, e->pos, "%s takes %d argument%s, not %d", f.name, lo, lo == 1 ? "" : "s", counted);
        else if (hi < 0)
            bind_error(b, EDDY_EBIND, e->pos, "%s takes at least %d argument%s, not %d", f.name, lo, lo == 1 ? "" : "s",
                       counted);
        else
            bind_error(b, EDDY_EBIND, e->pos, "%s takes %d to %d arguments, not %d", f.name, lo, hi, counted);
        return NULL;
    }
    const eddy_sqltype *t = NULL;
    bool nn = f.nn;
    switch (fn) {
    /* conditional */
    case EDDY_FN_COALESCE: {
        t = common_args(&f, 0);
        if (!t) return NULL;
        nn = false;
        for (int i = 0; i < f.n; i++) nn = nn || f.args[i]->type->not_null;
        break;
    }
    case EDDY_FN_IF:
        if (!want(&f, 0, A_BOOL)) return NULL;
        t = common_args(&f, 1);
        if (!t) return NULL;
        nn = f.args[1]->type->not_null && f.args[2]->type->not_null;
        break;
    case EDDY_FN_NULLIF:
        t = common_args(&f, 0);
        if (!t) return NULL;
        nn = false;
        break;
    case EDDY_FN_IFNULL:
        t = common_args(&f, 0);
        if (!t) return NULL;
        nn = f.args[0]->type->not_null || f.args[1]->type->not_null;
        break;
    case EDDY_FN_GREATEST:
    case EDDY_FN_LEAST:
        t = common_args(&f, 0);
        if (!t) return NULL;
        if (pt_is_nested(t) || pt_is_boolean(t)) {
            bind_error(b, EDDY_EBIND, e->pos, "%s cannot compare %s values", f.name, pt_str(t));
            return NULL;
        }
        break;
    /* strings */
    case EDDY_FN_CONCAT:
        if (!want_all(&f, 0, A_STR)) return NULL;
        t = pt_string(a, nn);
        break;
    case EDDY_FN_CONCAT_WS:
        if (!want_all(&f, 0, A_STR)) return NULL;
        nn = f.args[0]->type->not_null;
        t = pt_string(a, nn);
        break;
    case EDDY_FN_SUBSTRING:
    case EDDY_FN_SUBSTR:
    case EDDY_FN_LEFT:
    case EDDY_FN_RIGHT:
    case EDDY_FN_REPEAT:
        if (!want(&f, 0, A_STR) || !want_all(&f, 1, A_INT)) return NULL;
        t = pt_string(a, nn);
        break;
    case EDDY_FN_UPPER:
    case EDDY_FN_LOWER:
    case EDDY_FN_INITCAP:
        if (!want(&f, 0, A_STR)) return NULL;
        t = pt_is_null(f.args[0]->type) ? pt_string(a, false) : f.args[0]->type;
        break;
    case EDDY_FN_TRIM:
    case EDDY_FN_LTRIM:
    case EDDY_FN_RTRIM:
    case EDDY_FN_REVERSE:
    case EDDY_FN_REPLACE:
    case EDDY_FN_REGEXP_REPLACE:
    case EDDY_FN_MD5:
        if (!want_all(&f, 0, A_STR)) return NULL;
        t = pt_string(a, nn);
        break;
    case EDDY_FN_CHAR_LENGTH:
    case EDDY_FN_CHARACTER_LENGTH:
        if (!want(&f, 0, A_STR)) return NULL;
        t = pt_new(a, EDDY_TYPE_INT, -1, -1, nn);
        break;
    case EDDY_FN_SPLIT_INDEX:
        if (!want(&f, 0, A_STR) || !want(&f, 1, A_STR) || !want(&f, 2, A_INT)) return NULL;
        t = pt_string(a, false);
        break;
    case EDDY_FN_REGEXP:
        if (!want_all(&f, 0, A_STR)) return NULL;
        t = pt_new(a, EDDY_TYPE_BOOLEAN, -1, -1, nn);
        break;
    case EDDY_FN_REGEXP_EXTRACT:
        if (!want(&f, 0, A_STR) || !want(&f, 1, A_STR) || !want(&f, 2, A_INT)) return NULL;
        t = pt_string(a, false);
        break;
    case EDDY_FN_POSITION:
        if (!want_all(&f, 0, A_STR)) return NULL;
        t = pt_new(a, EDDY_TYPE_INT, -1, -1, nn);
        break;
    case EDDY_FN_LOCATE:
        if (!want(&f, 0, A_STR) || !want(&f, 1, A_STR) || !want(&f, 2, A_INT)) return NULL;
        t = pt_new(a, EDDY_TYPE_INT, -1, -1, nn);
        break;
    case EDDY_FN_LPAD:
    case EDDY_FN_RPAD:
        if (!want(&f, 0, A_STR) || !want(&f, 1, A_INT) || !want(&f, 2, A_STR)) return NULL;
        t = pt_string(a, false);
        break;
    case EDDY_FN_HASH_CODE:
        if (!want(&f, 0, A_STR)) return NULL;
        t = pt_new(a, EDDY_TYPE_INT, -1, -1, nn);
        break;
    case EDDY_FN_JSON_VALUE:
        if (!want_all(&f, 0, A_STR)) return NULL;
        t = pt_string(a, false);
        break;
    /* time */
    case EDDY_FN_TO_TIMESTAMP:
        if (!want_all(&f, 0, A_STR)) return NULL;
        t = ts3(a, EDDY_TYPE_TIMESTAMP, false);
        break;
    case EDDY_FN_TO_TIMESTAMP_LTZ:
        if (!pt_is_numeric(f.args[0]->type) && !pt_is_char(f.args[0]->type) && !pt_is_null(f.args[0]->type)) {
            want(&f, 0, A_NUM);
            return NULL;
        }
        if (f.n > 1 && !want(&f, 1, pt_is_char(f.args[0]->type) ? A_STR : A_INT)) return NULL;
        t = ts3(a, EDDY_TYPE_TIMESTAMP_LTZ, false);
        break;
    case EDDY_FN_TO_DATE:
        if (!want_all(&f, 0, A_STR)) return NULL;
        t = pt_new(a, EDDY_TYPE_DATE, -1, -1, false);
        break;
    case EDDY_FN_DATE_FORMAT:
        if (!pt_is_datetime(f.args[0]->type) && !pt_is_char(f.args[0]->type)) {
            want(&f, 0, A_TIME);
            return NULL;
        }
        if (!want(&f, 1, A_STR)) return NULL;
        t = pt_string(a, false);
        break;
    case EDDY_FN_FROM_UNIXTIME:
        if (!want(&f, 0, A_INT) || !want(&f, 1, A_STR)) return NULL;
        t = pt_string(a, false);
        break;
    case EDDY_FN_UNIX_TIMESTAMP:
        if (!want_all(&f, 0, A_STR)) return NULL;
        t = pt_new(a, EDDY_TYPE_BIGINT, -1, -1, f.n == 0);
        break;
    case EDDY_FN_EXTRACT:
        if (!want(&f, 0, A_TIME)) return NULL;
        if (!eddy_ts_extract_supported(unit)) {
            bind_error(b, EDDY_EBIND, e->pos, "EXTRACT(%s FROM ...) is not supported", eddy_time_unit_name(unit));
            return NULL;
        }
        t = pt_new(a, EDDY_TYPE_BIGINT, -1, -1, nn);
        break;
    case EDDY_FN_FLOOR_TIME:
    case EDDY_FN_CEIL_TIME:
        if (!want(&f, 0, A_TIME)) return NULL;
        if (!eddy_ts_floor_supported(unit) && unit != EDDY_UNIT_MICROSECOND && unit != EDDY_UNIT_NANOSECOND) {
            bind_error(b, EDDY_EBIND, e->pos, "%s(... TO %s) is not supported", name, eddy_time_unit_name(unit));
            return NULL;
        }
        t = f.args[0]->type;
        break;
    case EDDY_FN_TIMESTAMPADD:
        if (!want(&f, 0, A_INT) || !want(&f, 1, A_TIME)) return NULL;
        t = f.args[1]->type;
        if (t->kind == EDDY_TYPE_DATE && unit > EDDY_UNIT_DAY && unit <= EDDY_UNIT_NANOSECOND)
            t = ts3(a, EDDY_TYPE_TIMESTAMP, nn);
        t = pt_with_null(a, t, nn);
        break;
    case EDDY_FN_TIMESTAMPDIFF:
        if (!want(&f, 0, A_TIME) || !want(&f, 1, A_TIME)) return NULL;
        t = pt_new(a, EDDY_TYPE_INT, -1, -1, nn);
        break;
    case EDDY_FN_YEAR:
    case EDDY_FN_QUARTER:
    case EDDY_FN_MONTH:
    case EDDY_FN_WEEK:
    case EDDY_FN_DAYOFYEAR:
    case EDDY_FN_DAYOFMONTH:
    case EDDY_FN_DAYOFWEEK:
    case EDDY_FN_HOUR:
    case EDDY_FN_MINUTE:
    case EDDY_FN_SECOND:
        if (!want(&f, 0, A_TIME)) return NULL;
        t = pt_new(a, EDDY_TYPE_BIGINT, -1, -1, nn);
        break;
    case EDDY_FN_CURRENT_TIMESTAMP:
    case EDDY_FN_NOW:
    case EDDY_FN_PROCTIME: t = ts3(a, EDDY_TYPE_TIMESTAMP_LTZ, true); break;
    case EDDY_FN_LOCALTIMESTAMP: t = ts3(a, EDDY_TYPE_TIMESTAMP, true); break;
    case EDDY_FN_CURRENT_DATE: t = pt_new(a, EDDY_TYPE_DATE, -1, -1, true); break;
    case EDDY_FN_CURRENT_WATERMARK: {
        eddy_bexpr *x = f.args[0];
        bool rt = false, pt = false;
        pn_time_attr(c->sc ? c->sc->node : NULL, x, &rt, &pt);
        if (!rt) {
            bind_error(b, EDDY_EBIND, e->pos, "CURRENT_WATERMARK needs a rowtime attribute (a column with a WATERMARK)");
            return NULL;
        }
        t = pt_with_null(a, x->type, false);
        break;
    }
    /* math */
    case EDDY_FN_ABS:
    case EDDY_FN_SIGN:
        if (!want(&f, 0, A_NUM)) return NULL;
        t = pt_is_null(f.args[0]->type) ? pt_new(a, EDDY_TYPE_DOUBLE, -1, -1, false) : f.args[0]->type;
        break;
    case EDDY_FN_MOD: {
        if (!want_all(&f, 0, A_NUM)) return NULL;
        const eddy_sqltype *x = f.args[0]->type, *y = f.args[1]->type;
        if (pt_is_integer(x) && pt_is_integer(y)) {
            t = pt_common(a, x, y);
        } else if (pt_is_approx(x) || pt_is_approx(y)) {
            t = pt_new(a, EDDY_TYPE_DOUBLE, -1, -1, nn);
        } else {
            int p1, s1, p2, s2, p, s;
            pt_decimal_of(x, &p1, &s1);
            pt_decimal_of(y, &p2, &s2);
            eddy_dec_result_type(EDDY_DEC_MOD, p1, s1, p2, s2, &p, &s);
            t = pt_new(a, EDDY_TYPE_DECIMAL, p, s, nn);
        }
        break;
    }
    case EDDY_FN_ROUND:
    case EDDY_FN_TRUNCATE: {
        if (!want(&f, 0, A_NUM) || !want(&f, 1, A_INT)) return NULL;
        const eddy_sqltype *x = f.args[0]->type;
        t = x;
        if (x->kind == EDDY_TYPE_DECIMAL) {
            int r = 0;
            if (f.n > 1) {
                if (f.args[1]->kind != EDDY_BEXPR_CONST || f.args[1]->value.null) {
                    bind_error(b, EDDY_EBIND, e->pos, "%s of a DECIMAL needs a constant number of digits", f.name);
                    return NULL;
                }
                r = (int)f.args[1]->value.u.i;
            }
            int p, s, rp, rs;
            pt_decimal_of(x, &p, &s);
            eddy_dec_round_type(p, s, r, &rp, &rs);
            t = pt_new(a, EDDY_TYPE_DECIMAL, rp, rs, nn);
        }
        break;
    }
    case EDDY_FN_FLOOR:
    case EDDY_FN_CEIL: {
        if (!want(&f, 0, A_NUM)) return NULL;
        const eddy_sqltype *x = f.args[0]->type;
        t = x;
        if (x->kind == EDDY_TYPE_DECIMAL) {
            int p, s;
            pt_decimal_of(x, &p, &s);
            int rp = s > 0 ? p - s + 1 : p;
            if (rp > EDDY_DEC_MAX_PRECISION) rp = EDDY_DEC_MAX_PRECISION;
            t = pt_new(a, EDDY_TYPE_DECIMAL, rp, 0, nn);
        }
        break;
    }
    case EDDY_FN_POWER:
    case EDDY_FN_SQRT:
    case EDDY_FN_LN:
    case EDDY_FN_LOG10:
    case EDDY_FN_LOG2:
    case EDDY_FN_LOG:
    case EDDY_FN_EXP:
    case EDDY_FN_SIN:
    case EDDY_FN_COS:
    case EDDY_FN_TAN:
        if (!want_all(&f, 0, A_NUM)) return NULL;
        t = pt_new(a, EDDY_TYPE_DOUBLE, -1, -1, nn);
        break;
    case EDDY_FN_RAND:
        if (!want_all(&f, 0, A_INT)) return NULL;
        t = pt_new(a, EDDY_TYPE_DOUBLE, -1, -1, true);
        break;
    case EDDY_FN_PI: t = pt_new(a, EDDY_TYPE_DOUBLE, -1, -1, true); break;
    default:
        bind_error(b, EDDY_EUNSUPPORTED, e->pos, "function %s is not supported yet", f.name);
        return NULL;
    }
    eddy_bexpr *r = bx_new(a, EDDY_BEXPR_CALL, t, e->pos, f.n);
    /* functions whose type came from an argument take the nullability worked out above */
    switch (fn) {
    case EDDY_FN_COALESCE:
    case EDDY_FN_IF:
    case EDDY_FN_IFNULL:
    case EDDY_FN_NULLIF:
    case EDDY_FN_GREATEST:
    case EDDY_FN_LEAST:
    case EDDY_FN_ABS:
    case EDDY_FN_SIGN:
    case EDDY_FN_UPPER:
    case EDDY_FN_LOWER:
    case EDDY_FN_INITCAP:
    case EDDY_FN_ROUND:
    case EDDY_FN_TRUNCATE:
    case EDDY_FN_FLOOR:
    case EDDY_FN_CEIL:
    case EDDY_FN_FLOOR_TIME:
    case EDDY_FN_CEIL_TIME:
    case EDDY_FN_MOD: r->type = pt_with_null(a, t, nn); break;
    default: break;
    }
    r->fn = (eddy_fn)fn;
    r->unit = unit;
    for (int i = 0; i < f.n; i++) r->args[i] = f.args[i];
    return r;
}
