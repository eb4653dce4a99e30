/*
 * grammar.y: the Lemon grammar of eddy's SQL dialect (Flink SQL), turned into grammar.c and
 * grammar.h by `lemon` at build time (parser/CMakeLists.txt).
 *
 * What it does: reads the tokens of tokenizer.h and builds the tree of ast.h, one statement at a
 * time, appending each finished statement to the script in the parse context. It resolves no
 * name and reads no catalog (that is the planner's binder).
 *
 * How parse.c drives it: eddy_grammar_new() / eddy_grammar_feed() / eddy_grammar_free() in the
 * %code section at the end (they wrap Lemon's eddyParserInit / eddyParser / eddyParserFinalize
 * around the parse context, which only this file knows). eddy_grammar_expected() lists the
 * terminals the parser could shift in its current state; parse.c uses it for "expected one of:".
 *
 * Rules that keep the grammar honest:
 *  - Lemon must report zero conflicts. The few places where SQL is ambiguous are settled on
 *    purpose by declared precedence, and say so where they are settled:
 *      * operators (the %left / %right / %nonassoc block below);
 *      * `((SELECT 1))` in an expression: the inner parentheses belong to the query (see
 *        SUBQUERY_PREC), which gives the same tree either way;
 *      * FLOOR(INTERVAL '1' DAY TO HOUR): TO continues the interval (INTERVAL_PREC).
 *    `lemon -p` lists what precedence settled: only operator tokens, one RP and one TO.
 *    Everything else is written so that one token of lookahead decides.
 *  - Two expression levels, as in PostgreSQL's gram.y: `bexpr` (arithmetic, ||, unary signs,
 *    primaries) and `expr` (adds comparisons, IS, BETWEEN, IN, LIKE, NOT, AND, OR). Places
 *    where AND or IN would be ambiguous take a bexpr: BETWEEN's bounds (`a BETWEEN 1 AND 2 AND
 *    b`), POSITION's first operand (`POSITION(a IN b)`), LIKE patterns, IS DISTINCT FROM,
 *    LIMIT/OFFSET, window frame offsets and FOR SYSTEM_TIME AS OF.
 *  - Queries have the same split as PostgreSQL's select_no_parens / select_with_parens:
 *    `query_np` is a query that is not just a parenthesized query, `subquery` is one in
 *    parentheses (any number of them). A parenthesized operand of UNION/INTERSECT/EXCEPT, or a
 *    parenthesized query that gets WITH/ORDER BY/LIMIT, becomes an EDDY_QUERY_PAREN node; a
 *    query that is only parenthesized as a whole (a statement `(SELECT 1)`, a FROM subquery)
 *    keeps no node for its parentheses. INTERSECT binds tighter than UNION and EXCEPT by the
 *    layering qexpr > qterm > qprimary, not by precedence declarations.
 *
 * Keywords: every keyword token is declared below; keywords.c maps their text to these codes.
 * `%fallback ID ...` lists the non-reserved ones: such a keyword is read as an identifier
 * wherever the keyword itself cannot stand. Lemon applies a fallback only when the keyword has
 * no action of its own in the current state, and its tables fold the most common reduction of
 * a state into a default; a non-reserved keyword that could follow an optional identifier (an
 * alias without AS) would then be read as that identifier. So every keyword that can follow an
 * optional alias or an expression in a select list or FROM clause is reserved (FROM, WHERE,
 * GROUP, HAVING, WINDOW, ORDER, LIMIT, OFFSET, FETCH, UNION, INTERSECT, EXCEPT, JOIN and its
 * modifiers, ON, USING, AS, END, ...). The smoke test checks this property on Lemon's own
 * report of the states.
 *
 * Memory: every node lives in the script's arena (ast.h), so the destructors below have
 * nothing to free, and a syntax error in the middle of a statement leaks nothing: the half-built
 * nodes are in the arena, which eddy_script_free() (or parse.c on an error) destroys whole.
 *
 * Positions: every node gets the eddy_pos of its first token (parentheses around an expression
 * make no node, so `(a + b) * c` starts at `a`). A statement also records the byte range of its
 * text without the closing ';' (src_off, src_len): reductions happen when the token after the
 * statement arrives, and parse.c passes the end of the token before it.
 *
 * Limits: the parser's stack holds 1000 entries (%stack_size), about 1000 levels of nested
 * parentheses; deeper input is an error ("statement is nested too deeply"), which also keeps
 * the recursive walkers of the tree (printer, binder) far from the C stack's end.
 */

%name eddyParser
%token_prefix TK_
%token_type {eddy_token}
%extra_context {eddy_parse_ctx *ctx}
%default_type {int}
%stack_size 1000
%start_symbol input

/* Tokens of the lexer (tokenizer.h), first so that their codes are small and stable. */
%token ID QID STRING BINSTR INTEGER DECIMAL FLOAT
       LP RP LBRACKET RBRACKET COMMA SEMI DOT STAR PLUS MINUS SLASH PERCENT CONCAT
       EQ NE LT LE GT GE ARROW HINT_BEGIN HINT_END.

/* Keywords whose text equals the name of a lexer token are spelled KW_ here; keywords.c maps
 * "INTEGER" to TK_KW_INTEGER, and so on. */
%token KW_INTEGER KW_DECIMAL KW_FLOAT KW_STRING.

/* Reserved keywords: never identifiers (quote them: `order`). */
%token ALL AND ARRAY AS ASC BETWEEN BY CASE CAST CREATE CROSS DESC DISTINCT DROP ELSE END
       ESCAPE EXCEPT EXISTS FALSE FETCH FILTER FOR FROM FULL GROUP HAVING IN INNER INSERT
       INTERSECT INTERVAL INTO IS JOIN LATERAL LEFT LIKE LIMIT MAP MULTISET NATURAL NOT NULL
       OFFSET ON OR ORDER OUTER OVER RIGHT ROW SELECT SIMILAR TABLE THEN TO TRUE UNION UNKNOWN
       UNNEST USING VALUES WHEN WHERE WINDOW WITH WITHIN.

/* Non-reserved keywords: identifiers wherever the keyword itself cannot stand. */
%token ASYMMETRIC BEGIN BIGINT BINARY BOOLEAN BOTH BYTES CATALOG CATALOGS CEIL CEILING
       CENTURY CHANGELOG_MODE CHAR COMMENT CONSTRAINT CURRENT CURRENT_DATE CURRENT_ROW_TIMESTAMP
       CURRENT_TIME CURRENT_TIMESTAMP DATABASE DATABASES DATE DAY DAYS DEC DECADE DESCRIBE
       DESCRIPTOR DOUBLE DOW DOY DRAIN ENFORCED EPOCH ESTIMATED_COST EXECUTE EXPLAIN EXTENDED
       EXTRACT FIRST FLOOR FOLLOWING FUNCTION FUNCTIONS HOUR HOURS IF IGNORE INT ISODOW ISOYEAR
       JAVA JOB JOBS JSON_EXECUTION_PLAN KEY LANGUAGE LAST LEADING LOCAL LOCALTIME
       LOCALTIMESTAMP METADATA MICROSECOND MILLENNIUM MILLISECOND MINUTE MINUTES MONTH MONTHS
       NANOSECOND NEXT NULLS NUMERIC OF ONLY OPTIONS ORDINALITY OVERLAY OVERWRITE PARTITION
       PARTITIONED PLACING PLAN PLAN_ADVICE POSITION PRECEDING PRECISION PRIMARY PYTHON QUARTER
       RANGE RAW REAL RESET RESPECT ROWS SAVEPOINT SCALA SECOND SECONDS SET SHOW SMALLINT STATEMENT
       STOP SUBSTRING SYMMETRIC SYSTEM SYSTEM_TIME TABLES TEMPORARY TIME TIMESTAMP TIMESTAMPADD
       TIMESTAMPDIFF TIMESTAMP_LTZ TINYINT TRAILING TRIM TRY_CAST UNBOUNDED USE VARBINARY VARCHAR
       VIEW VIEWS VIRTUAL WATERMARK WEEK WITHOUT YEAR YEARS ZONE.

%fallback ID
       ASYMMETRIC BEGIN BIGINT BINARY BOOLEAN BOTH BYTES CATALOG CATALOGS CEIL CEILING
       CENTURY CHANGELOG_MODE CHAR COMMENT CONSTRAINT CURRENT CURRENT_DATE CURRENT_ROW_TIMESTAMP
       CURRENT_TIME CURRENT_TIMESTAMP DATABASE DATABASES DATE DAY DAYS DEC DECADE DESCRIBE
       DESCRIPTOR DOUBLE DOW DOY DRAIN ENFORCED EPOCH ESTIMATED_COST EXECUTE EXPLAIN EXTENDED
       EXTRACT FIRST FLOOR FOLLOWING FUNCTION FUNCTIONS HOUR HOURS IF IGNORE INT ISODOW ISOYEAR
       JAVA JOB JOBS JSON_EXECUTION_PLAN KEY LANGUAGE LAST LEADING LOCAL LOCALTIME
       LOCALTIMESTAMP METADATA MICROSECOND MILLENNIUM MILLISECOND MINUTE MINUTES MONTH MONTHS
       NANOSECOND NEXT NULLS NUMERIC OF ONLY OPTIONS ORDINALITY OVERLAY OVERWRITE PARTITION
       PARTITIONED PLACING PLAN PLAN_ADVICE POSITION PRECEDING PRECISION PRIMARY PYTHON QUARTER
       RANGE RAW REAL RESET RESPECT ROWS SAVEPOINT SCALA SECOND SECONDS SET SHOW SMALLINT STATEMENT
       STOP SUBSTRING SYMMETRIC SYSTEM SYSTEM_TIME TABLES TEMPORARY TIME TIMESTAMP TIMESTAMPADD
       TIMESTAMPDIFF TIMESTAMP_LTZ TINYINT TRAILING TRIM TRY_CAST UNBOUNDED USE VARBINARY VARCHAR
       VIEW VIEWS VIRTUAL WATERMARK WEEK WITHOUT YEAR YEARS ZONE
       KW_INTEGER KW_DECIMAL KW_FLOAT KW_STRING.

/* Operator precedence, loosest first (as PostgreSQL and Calcite order them: comparisons bind
 * looser than BETWEEN/IN/LIKE, IS looser than comparisons). UMINUS is only a level for %prec. */
%left OR.
%left AND.
%right NOT.
%nonassoc IS.
%nonassoc EQ NE LT LE GT GE.
%nonassoc BETWEEN IN LIKE SIMILAR.
%left PLUS MINUS CONCAT.
%left STAR SLASH PERCENT.
%right UMINUS.
/* `( (SELECT 1) )` in an expression: after `( subquery` with `)` ahead, the parser may reduce
 * the inner query to an expression (to close `( expr )`) or shift the `)` into a subquery of
 * the query (`subquery ::= LP subquery RP`). Both give the same tree, a scalar subquery; the
 * rule `primary_x ::= subquery` gets the level SUBQUERY_PREC, below RP, so the parser shifts.
 * RP has no other precedence role: no other state has a conflict on it (lemon's report). */
%nonassoc SUBQUERY_PREC.
%nonassoc RP.
/* FLOOR(INTERVAL '1' DAY TO HOUR): TO may continue the INTERVAL qualifier or be FLOOR's TO.
 * The qualifier rule gets INTERVAL_PREC, below TO, so TO continues the interval (FLOOR of an
 * interval to a unit is not a thing; write FLOOR((INTERVAL '1' DAY) TO HOUR) if ever needed). */
%nonassoc INTERVAL_PREC.
%nonassoc TO.

%include {
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "../common/arena.h"
#include "../common/error.h"
#include "ast.h"
#include "grammar.h" /* the TK_* codes, also defined below by Lemon (identically) */
#include "tokenizer.h"

/* The state of one parse, handed to every action (%extra_context). */
typedef struct eddy_parse_ctx {
    eddy_arena *arena;    /* the script's arena: every node goes here */
    eddy_script *script;  /* finished statements are appended here */
    eddy_error *err;      /* the first error */
    const char *text;     /* the SQL text (NUL-terminated copy in the arena) */
    size_t prev_end;      /* byte offset just past the token before the one being fed */
    eddy_token cur;       /* the token being fed (position for a stack overflow) */
    bool syntax_error;    /* the error is Lemon's syntax error (parse.c adds "expected") */
} eddy_parse_ctx;

/* Values of nonterminals that are not tree nodes. Small ones travel by value on Lemon's stack,
 * larger ones are allocated in the arena. */
typedef struct call_args {
    eddy_expr_list *list;  /* arguments, never NULL */
    bool distinct;         /* f(DISTINCT ...) */
    bool star;             /* COUNT(*) */
} call_args;

typedef struct alias_t {
    eddy_ident *name;      /* alias, or NULL */
    eddy_ident_list *cols; /* alias (c1, c2), or NULL */
} alias_t;

typedef struct case_arms {
    eddy_expr_list *whens; /* WHEN values */
    eddy_expr_list *thens; /* THEN results */
} case_arms;

typedef struct window_list {
    eddy_named_window *a;  /* WINDOW w AS (...), ... */
    int n;
    int cap;
} window_list;

typedef struct cte_list {
    eddy_cte *a;           /* WITH a AS (...), ... */
    int n;
    int cap;
} cte_list;

typedef struct prec_scale {
    int p;                 /* precision or length, -1 when not written */
    int s;                 /* scale, -1 when not written */
} prec_scale;

typedef struct iqual {
    eddy_time_unit from;   /* INTERVAL start unit */
    int from_prec;         /* its precision, -1 */
    eddy_time_unit to;     /* TO unit, or EDDY_UNIT_NONE */
    int to_prec;           /* its precision, -1 */
} iqual;

typedef struct unit_tok {
    eddy_time_unit unit;   /* a time unit keyword */
    eddy_pos pos;          /* where it is */
} unit_tok;

typedef struct subq {
    eddy_query *q;         /* the query inside the parentheses */
    eddy_pos pos;          /* position of the outermost '(' */
} subq;

typedef struct span {
    int off;               /* first byte of a run of tokens */
    int end;               /* byte after its last token */
    eddy_pos pos;          /* position of its first token */
} span;

typedef struct frame_t {
    int frame;             /* 1 ROWS, 2 RANGE */
    bool between;          /* BETWEEN lo AND hi */
    eddy_frame_bound lo;
    eddy_frame_bound hi;
} frame_t;

typedef struct limit_t {
    eddy_expr *limit;      /* LIMIT n / FETCH FIRST n */
    eddy_expr *offset;     /* OFFSET n */
    bool fetch_first;      /* written with FETCH */
} limit_t;

enum { ELEM_COLUMN, ELEM_WATERMARK, ELEM_PRIMARY_KEY };

/* One element of CREATE TABLE's parenthesized list. */
typedef struct table_elem {
    int kind;                  /* ELEM_* */
    eddy_column_def col;       /* ELEM_COLUMN */
    eddy_ident *wm_column;     /* ELEM_WATERMARK */
    eddy_expr *wm_expr;
    eddy_ident_list *pk;       /* ELEM_PRIMARY_KEY */
    const char *pk_name;       /* CONSTRAINT name, or NULL */
    eddy_pos pos;              /* first token */
} table_elem;

/* Join keyword combinations, packed into an int: kind | INNER written | OUTER written. */
#define JOIN_INNER_KW 0x100
#define JOIN_OUTER_KW 0x200

/* Records an error found by an action (not a Lemon syntax error). The first error wins;
 * parse.c stops feeding tokens once one is set. */
static void sem_error(eddy_parse_ctx *c, eddy_pos pos, const char *msg)
{
    eddy_error_set(c->err, EDDY_ESYNTAX, pos.line, pos.col, "%s", msg);
}

/* The identifier a token stands for: ID (or a keyword read as one) as written, QID unquoted. */
static eddy_ident *tok_ident(eddy_parse_ctx *c, const eddy_token *t)
{
    if (t->type == TK_QID) {
        char *s = eddy_lex_unquote(c->arena, t);
        return eddy_ast_ident(c->arena, s, strlen(s), true, t->pos);
    }
    return eddy_ast_ident(c->arena, t->z, (size_t)t->n, false, t->pos);
}

/* A one-part name from a token (keyword-named functions: LEFT(s, n), FLOOR(x), ...). */
static eddy_name *tok_name(eddy_parse_ctx *c, const eddy_token *t)
{
    return eddy_ast_name(c->arena, tok_ident(c, t));
}

/* The text of a token as written, NUL-terminated in the arena. */
static char *tok_text(eddy_parse_ctx *c, const eddy_token *t)
{
    return eddy_arena_strndup(c->arena, t->z, (size_t)t->n);
}

/* The contents of a string literal. */
static char *tok_string(eddy_parse_ctx *c, const eddy_token *t)
{
    return eddy_lex_unquote(c->arena, t);
}

/* The value of an unsigned integer literal used as a precision, length or scale. */
static int tok_int(eddy_parse_ctx *c, const eddy_token *t)
{
    long v = 0;
    for (int i = 0; i < t->n; i++) {
        v = v * 10 + (t->z[i] - '0');
        if (v > INT_MAX) {
            sem_error(c, t->pos, "number too large for a length or precision");
            return 0;
        }
    }
    return (int)v;
}

static eddy_expr *mk_lit(eddy_parse_ctx *c, eddy_lit_kind kind, const char *text, eddy_pos pos)
{
    eddy_expr *e = eddy_ast_expr(c->arena, EDDY_EXPR_LITERAL, pos);
    e->u.lit.kind = kind;
    e->u.lit.text = text;
    return e;
}

static eddy_expr *mk_binary(eddy_parse_ctx *c, eddy_op op, eddy_expr *l, eddy_expr *r)
{
    eddy_expr *e = eddy_ast_expr(c->arena, EDDY_EXPR_BINARY, l->pos);
    e->u.binary.op = op;
    e->u.binary.lhs = l;
    e->u.binary.rhs = r;
    return e;
}

static eddy_expr *mk_unary(eddy_parse_ctx *c, eddy_op op, eddy_expr *arg, eddy_pos pos)
{
    eddy_expr *e = eddy_ast_expr(c->arena, EDDY_EXPR_UNARY, pos);
    e->u.unary.op = op;
    e->u.unary.arg = arg;
    return e;
}

static eddy_expr *mk_is(eddy_parse_ctx *c, eddy_expr *arg, eddy_is_kind what, bool neg,
                        eddy_expr *rhs)
{
    eddy_expr *e = eddy_ast_expr(c->arena, EDDY_EXPR_IS, arg->pos);
    e->u.is.arg = arg;
    e->u.is.what = what;
    e->u.is.negated = neg;
    e->u.is.rhs = rhs;
    return e;
}

static eddy_expr *mk_between(eddy_parse_ctx *c, eddy_expr *arg, bool neg, int sym,
                             eddy_expr *lo, eddy_expr *hi)
{
    eddy_expr *e = eddy_ast_expr(c->arena, EDDY_EXPR_BETWEEN, arg->pos);
    e->u.between.arg = arg;
    e->u.between.lo = lo;
    e->u.between.hi = hi;
    e->u.between.negated = neg;
    e->u.between.symmetric = sym;
    return e;
}

static eddy_expr *mk_in(eddy_parse_ctx *c, eddy_expr *arg, bool neg, eddy_expr_list *list,
                        eddy_query *q)
{
    eddy_expr *e = eddy_ast_expr(c->arena, EDDY_EXPR_IN, arg->pos);
    e->u.in.arg = arg;
    e->u.in.list = list;
    e->u.in.query = q;
    e->u.in.negated = neg;
    return e;
}

static eddy_expr *mk_like(eddy_parse_ctx *c, eddy_expr *arg, bool neg, bool similar,
                          eddy_expr *pat, eddy_expr *esc)
{
    eddy_expr *e = eddy_ast_expr(c->arena, EDDY_EXPR_LIKE, arg->pos);
    e->u.like.arg = arg;
    e->u.like.pattern = pat;
    e->u.like.escape = esc;
    e->u.like.negated = neg;
    e->u.like.similar = similar;
    return e;
}

/* A call node; args NULL means an empty list. */
static eddy_expr *mk_call(eddy_parse_ctx *c, eddy_name *func, eddy_expr_list *args,
                          eddy_call_syntax syntax, eddy_pos pos)
{
    eddy_expr *e = eddy_ast_expr(c->arena, EDDY_EXPR_CALL, pos);
    e->u.call.func = func;
    e->u.call.args = args ? args : eddy_arena_zalloc(c->arena, sizeof(eddy_expr_list));
    e->u.call.syntax = syntax;
    return e;
}

static eddy_expr *mk_unit(eddy_parse_ctx *c, unit_tok u)
{
    eddy_expr *e = eddy_ast_expr(c->arena, EDDY_EXPR_TIME_UNIT, u.pos);
    e->u.unit = u.unit;
    return e;
}

static eddy_expr_list *list2(eddy_parse_ctx *c, eddy_expr *a, eddy_expr *b)
{
    return eddy_ast_expr_list_append(c->arena, eddy_ast_expr_list_append(c->arena, NULL, a), b);
}

static eddy_expr_list *list3(eddy_parse_ctx *c, eddy_expr *a, eddy_expr *b, eddy_expr *d)
{
    return eddy_ast_expr_list_append(c->arena, list2(c, a, b), d);
}

static eddy_query *mk_paren(eddy_parse_ctx *c, subq s)
{
    eddy_query *q = eddy_ast_query(c->arena, EDDY_QUERY_PAREN, s.pos);
    q->u.inner = s.q;
    return q;
}

static eddy_query *mk_setop(eddy_parse_ctx *c, eddy_setop op, int quant, eddy_query *l,
                            eddy_query *r)
{
    eddy_query *q = eddy_ast_query(c->arena, EDDY_QUERY_SETOP, l->pos);
    q->u.setop.op = op;
    q->u.setop.quantifier = quant;
    q->u.setop.left = l;
    q->u.setop.right = r;
    return q;
}

static void set_limit(eddy_query *q, const limit_t *l)
{
    if (l) {
        q->limit = l->limit;
        q->offset = l->offset;
        q->fetch_first = l->fetch_first;
    }
}

static limit_t *mk_limit(eddy_parse_ctx *c, eddy_expr *limit, eddy_expr *offset, bool fetch)
{
    limit_t *l = eddy_arena_zalloc(c->arena, sizeof *l);
    l->limit = limit;
    l->offset = offset;
    l->fetch_first = fetch;
    return l;
}

static eddy_tableref *mk_join(eddy_parse_ctx *c, int kind, bool natural, eddy_tableref *l,
                              eddy_tableref *r, eddy_expr *on, eddy_ident_list *using_)
{
    eddy_tableref *t = eddy_ast_tableref(c->arena, EDDY_TABLEREF_JOIN, l->pos);
    t->u.join.kind = (eddy_join_kind)(kind & 0xff);
    t->u.join.inner_kw = (kind & JOIN_INNER_KW) != 0;
    t->u.join.outer_kw = (kind & JOIN_OUTER_KW) != 0;
    t->u.join.natural = natural;
    t->u.join.left = l;
    t->u.join.right = r;
    t->u.join.on = on;
    t->u.join.using_ = using_;
    return t;
}

static eddy_tableref *with_alias(eddy_tableref *t, alias_t a)
{
    t->alias = a.name;
    t->alias_cols = a.cols;
    return t;
}

static eddy_sqltype *mk_type(eddy_parse_ctx *c, eddy_type_kind k, int prec, int scale)
{
    eddy_sqltype *t = eddy_ast_type(c->arena, k);
    t->precision = prec;
    t->scale = scale;
    return t;
}

static void window_add(eddy_parse_ctx *c, window_list *w, eddy_ident *name, eddy_over *spec)
{
    if (w->n == w->cap) {
        int ncap = w->cap ? w->cap * 2 : 4;
        eddy_named_window *a = eddy_arena_zalloc(c->arena, (size_t)ncap * sizeof *a);
        if (w->n)
            memcpy(a, w->a, (size_t)w->n * sizeof *a);
        w->a = a;
        w->cap = ncap;
    }
    w->a[w->n].name = name;
    w->a[w->n].spec = spec;
    w->n++;
}

static void cte_add(eddy_parse_ctx *c, cte_list *l, eddy_ident *name, eddy_ident_list *cols,
                    eddy_query *q)
{
    if (l->n == l->cap) {
        int ncap = l->cap ? l->cap * 2 : 4;
        eddy_cte *a = eddy_arena_zalloc(c->arena, (size_t)ncap * sizeof *a);
        if (l->n)
            memcpy(a, l->a, (size_t)l->n * sizeof *a);
        l->a = a;
        l->cap = ncap;
    }
    l->a[l->n].name = name;
    l->a[l->n].cols = cols;
    l->a[l->n].query = q;
    l->n++;
}

static table_elem *mk_elem(eddy_parse_ctx *c, int kind, eddy_pos pos)
{
    table_elem *e = eddy_arena_zalloc(c->arena, sizeof *e);
    e->kind = kind;
    e->pos = pos;
    return e;
}

static table_elem *mk_column(eddy_parse_ctx *c, eddy_column_kind kind, eddy_ident *name,
                             eddy_sqltype *type, eddy_expr *expr, const char *comment)
{
    table_elem *e = mk_elem(c, ELEM_COLUMN, name->pos);
    e->col.kind = kind;
    e->col.name = name;
    e->col.type = type;
    e->col.expr = expr;
    e->col.comment = comment;
    e->col.pos = name->pos;
    return e;
}

static bool has_primary_key(const eddy_create_table *ct)
{
    if (ct->primary_key)
        return true;
    for (int i = 0; i < ct->ncols; i++)
        if (ct->cols[i].primary_key)
            return true;
    return false;
}

/* Adds one element of CREATE TABLE (...) to ct; a table has at most one WATERMARK and one
 * primary key, which the tree has room for only once. */
static void add_elem(eddy_parse_ctx *c, eddy_create_table *ct, const table_elem *e)
{
    switch (e->kind) {
    case ELEM_COLUMN:
        if (e->col.primary_key && has_primary_key(ct))
            sem_error(c, e->pos, "a table can have only one PRIMARY KEY");
        eddy_ast_create_table_add_column(c->arena, ct, e->col);
        break;
    case ELEM_WATERMARK:
        if (ct->wm_column)
            sem_error(c, e->pos, "a table can have only one WATERMARK");
        ct->wm_column = e->wm_column;
        ct->wm_expr = e->wm_expr;
        ct->wm_pos = e->pos;
        break;
    case ELEM_PRIMARY_KEY:
        if (has_primary_key(ct))
            sem_error(c, e->pos, "a table can have only one PRIMARY KEY");
        ct->primary_key = e->pk;
        ct->pk_constraint = e->pk_name;
        break;
    }
}

/* Records where a finished statement's text lies: from its first token to the end of the
 * token before the current lookahead. */
static eddy_stmt *stmt_done(eddy_parse_ctx *c, eddy_stmt *s)
{
    s->src_off = (size_t)s->pos.off;
    s->src_len = c->prev_end > s->src_off ? c->prev_end - s->src_off : 0;
    return s;
}

static eddy_stmt *mk_show(eddy_parse_ctx *c, eddy_show_kind what, eddy_name *name, eddy_pos pos)
{
    eddy_stmt *s = eddy_ast_stmt(c->arena, EDDY_STMT_SHOW, pos);
    s->u.show.what = what;
    s->u.show.name = name;
    return s;
}

static eddy_stmt *mk_describe(eddy_parse_ctx *c, eddy_name *name, bool extended, bool desc_kw,
                              eddy_pos pos)
{
    eddy_stmt *s = eddy_ast_stmt(c->arena, EDDY_STMT_DESCRIBE, pos);
    s->u.describe.name = name;
    s->u.describe.extended = extended;
    s->u.describe.desc_kw = desc_kw;
    return s;
}

static eddy_stmt *mk_explain(eddy_parse_ctx *c, eddy_stmt *inner, bool plan_for,
                             eddy_ident_list *details, eddy_pos pos)
{
    eddy_stmt *s = eddy_ast_stmt(c->arena, EDDY_STMT_EXPLAIN, pos);
    s->u.explain.stmt = inner;
    s->u.explain.plan_for = plan_for;
    s->u.explain.details = details;
    return s;
}

/* The text of an unquoted SET key or value, written as a run of tokens without white space
 * (table.local-time-zone, 10s). */
static char *span_text(eddy_parse_ctx *c, span s)
{
    return eddy_arena_strndup(c->arena, c->text + s.off, (size_t)(s.end - s.off));
}

static span span_join(eddy_parse_ctx *c, span a, const eddy_token *t)
{
    if (t->pos.off != a.end)
        sem_error(c, t->pos, "an unquoted SET key or value cannot contain spaces: quote it ('...')");
    a.end = t->pos.off + t->n;
    return a;
}

static span span_of(const eddy_token *t)
{
    span s;
    s.off = t->pos.off;
    s.end = t->pos.off + t->n;
    s.pos = t->pos;
    return s;
}

static eddy_stmt *finish_statement_set(eddy_parse_ctx *c, eddy_stmt *set, bool execute_kw,
                                       eddy_pos pos, eddy_pos end_pos)
{
    if (set == NULL) {
        sem_error(c, end_pos, "a statement set needs at least one INSERT statement");
        set = eddy_ast_stmt(c->arena, EDDY_STMT_STATEMENT_SET, pos);
    }
    set->pos = pos;
    set->u.statement_set.execute_kw = execute_kw;
    return set;
}

static void syntax_error(eddy_parse_ctx *c, int major, const eddy_token *t);

/* What parse.c calls (defined in %code at the end of this file; parse.c repeats these
 * declarations, since Lemon writes no header for them). */
typedef struct eddy_grammar eddy_grammar;
eddy_grammar *eddy_grammar_new(eddy_script *s, eddy_error *err);
int eddy_grammar_feed(eddy_grammar *g, const eddy_token *tok, size_t prev_end);
bool eddy_grammar_syntax_error(const eddy_grammar *g);
int eddy_grammar_expected(const eddy_grammar *g, int *codes, int max);
int eddy_grammar_ntokens(void);
void eddy_grammar_free(eddy_grammar *g);
} /* end %include */

/* Every semantic value lives in the arena (or is a plain value): nothing to free, whether the
 * parser pops a symbol after a syntax error or discards an unused one during a reduction. */
%default_destructor { (void)$$; (void)ctx; }
%token_destructor { (void)$$; (void)ctx; }

%syntax_error {
    syntax_error(ctx, yymajor, &TOKEN);
}
%parse_failure {
    if (ctx->err->code == 0)
        ctx->syntax_error = true;
    eddy_error_set(ctx->err, EDDY_ESYNTAX, ctx->cur.pos.line, ctx->cur.pos.col, "syntax error");
}
%stack_overflow {
    eddy_error_set(ctx->err, EDDY_ESYNTAX, ctx->cur.pos.line, ctx->cur.pos.col,
                   "statement is nested too deeply");
}

/////////////////////////////////////// SCRIPT ///////////////////////////////////////////////
// Statements separated by ';'; empty statements (`;;`, a trailing ';', an empty script) are
// allowed and make nothing.

input ::= cmdlist.
cmdlist ::= cmdlist SEMI ecmd.
cmdlist ::= ecmd.
ecmd ::= .
ecmd ::= cmd(S). { eddy_ast_script_append(ctx->script, stmt_done(ctx, S)); }

%type cmd {eddy_stmt *}
/* A query statement starts at its first token, which for `(SELECT 1)` is the '(' that the
 * tree keeps no node for. */
cmd(A) ::= query_np(Q). {
    A = eddy_ast_stmt(ctx->arena, EDDY_STMT_QUERY, Q->pos);
    A->u.query = Q;
}
cmd(A) ::= subquery(S). {
    A = eddy_ast_stmt(ctx->arena, EDDY_STMT_QUERY, S.pos);
    A->u.query = S.q;
}
cmd(A) ::= insert_stmt(A).
cmd(A) ::= exec_set(A).

/////////////////////////////////////// CREATE TABLE /////////////////////////////////////////

cmd(A) ::= CREATE(C) temp_opt(T) TABLE ifne_opt(I) qname(N) tab_body_opt(B) comment_opt(M)
           partitioned_opt(P) with_opts_opt(W) like_opt(L) ctas_opt(Q). {
    eddy_create_table *ct = B ? B : eddy_ast_create_table(ctx->arena);
    ct->name = N;
    ct->temporary = T;
    ct->if_not_exists = I;
    ct->comment = M;
    ct->partitioned_by = P;
    ct->options = W;
    ct->like = L;
    ct->as_query = Q;
    A = eddy_ast_stmt(ctx->arena, EDDY_STMT_CREATE_TABLE, C.pos);
    A->u.create_table = ct;
}

%type temp_opt {bool}
temp_opt(A) ::= . { A = false; }
temp_opt(A) ::= TEMPORARY. { A = true; }

%type ifne_opt {bool}
ifne_opt(A) ::= . { A = false; }
ifne_opt(A) ::= IF NOT EXISTS. { A = true; }

%type tab_body_opt {eddy_create_table *}
tab_body_opt(A) ::= . { A = NULL; }
tab_body_opt(A) ::= LP tab_elems(B) RP. { A = B; }

%type tab_elems {eddy_create_table *}
tab_elems(A) ::= tab_elem(E). {
    A = eddy_ast_create_table(ctx->arena);
    add_elem(ctx, A, E);
}
tab_elems(A) ::= tab_elems(B) COMMA tab_elem(E). {
    A = B;
    add_elem(ctx, A, E);
}

%type tab_elem {table_elem *}
tab_elem(A) ::= ident(N) typ(T) col_pk_opt(K) comment_opt(M). {
    A = mk_column(ctx, EDDY_COLUMN_PHYSICAL, N, T, NULL, M);
    A->col.primary_key = K;
}
tab_elem(A) ::= ident(N) typ(T) METADATA meta_from_opt(F) virtual_opt(V) comment_opt(M). {
    A = mk_column(ctx, EDDY_COLUMN_METADATA, N, T, NULL, M);
    A->col.metadata_key = F;
    A->col.is_virtual = V;
}
tab_elem(A) ::= ident(N) AS expr(E) comment_opt(M). {
    A = mk_column(ctx, EDDY_COLUMN_COMPUTED, N, NULL, E, M);
}
tab_elem(A) ::= WATERMARK(W) FOR ident(N) AS expr(E). {
    A = mk_elem(ctx, ELEM_WATERMARK, W.pos);
    A->wm_column = N;
    A->wm_expr = E;
}
tab_elem(A) ::= PRIMARY(P) KEY LP ident_list(L) RP NOT ENFORCED. {
    A = mk_elem(ctx, ELEM_PRIMARY_KEY, P.pos);
    A->pk = L;
}
tab_elem(A) ::= CONSTRAINT(C) ident(N) PRIMARY KEY LP ident_list(L) RP NOT ENFORCED. {
    A = mk_elem(ctx, ELEM_PRIMARY_KEY, C.pos);
    A->pk = L;
    A->pk_name = N->name;
}

%type col_pk_opt {bool}
col_pk_opt(A) ::= . { A = false; }
col_pk_opt(A) ::= PRIMARY KEY NOT ENFORCED. { A = true; }

%type meta_from_opt {const char *}
meta_from_opt(A) ::= . { A = NULL; }
meta_from_opt(A) ::= FROM STRING(S). { A = tok_string(ctx, &S); }

%type virtual_opt {bool}
virtual_opt(A) ::= . { A = false; }
virtual_opt(A) ::= VIRTUAL. { A = true; }

%type comment_opt {const char *}
comment_opt(A) ::= . { A = NULL; }
comment_opt(A) ::= COMMENT STRING(S). { A = tok_string(ctx, &S); }

%type partitioned_opt {eddy_ident_list *}
partitioned_opt(A) ::= . { A = NULL; }
partitioned_opt(A) ::= PARTITIONED BY LP ident_list(L) RP. { A = L; }

%type with_opts_opt {eddy_option_list *}
with_opts_opt(A) ::= . { A = NULL; }
with_opts_opt(A) ::= WITH LP option_list(L) RP. { A = L; }

%type option_list {eddy_option_list *}
option_list(A) ::= STRING(K) EQ STRING(V). {
    A = eddy_ast_option_list_append(ctx->arena, NULL, tok_string(ctx, &K), K.pos,
                                    tok_string(ctx, &V), V.pos);
}
option_list(A) ::= option_list(B) COMMA STRING(K) EQ STRING(V). {
    A = eddy_ast_option_list_append(ctx->arena, B, tok_string(ctx, &K), K.pos,
                                    tok_string(ctx, &V), V.pos);
}

%type like_opt {eddy_name *}
like_opt(A) ::= . { A = NULL; }
like_opt(A) ::= LIKE qname(N). { A = N; }

%type ctas_opt {eddy_query *}
ctas_opt(A) ::= . { A = NULL; }
ctas_opt(A) ::= AS query(Q). { A = Q; }

/////////////////////////////////////// TYPES ////////////////////////////////////////////////

%type typ {eddy_sqltype *}
typ(A) ::= typ_base(A).
typ(A) ::= typ(B) NOT NULL. {
    A = B;
    A->not_null = true;
}
typ(A) ::= typ(B) ARRAY. {
    A = eddy_ast_type(ctx->arena, EDDY_TYPE_ARRAY);
    A->elem = B;
    A->postfix_array = true;
}
typ(A) ::= typ(B) MULTISET. {
    A = eddy_ast_type(ctx->arena, EDDY_TYPE_MULTISET);
    A->elem = B;
    A->postfix_array = true;
}

%type typ_base {eddy_sqltype *}
typ_base(A) ::= BOOLEAN. { A = eddy_ast_type(ctx->arena, EDDY_TYPE_BOOLEAN); }
typ_base(A) ::= TINYINT. { A = eddy_ast_type(ctx->arena, EDDY_TYPE_TINYINT); }
typ_base(A) ::= SMALLINT. { A = eddy_ast_type(ctx->arena, EDDY_TYPE_SMALLINT); }
typ_base(A) ::= INT. { A = eddy_ast_type(ctx->arena, EDDY_TYPE_INT); }
typ_base(A) ::= KW_INTEGER. { A = eddy_ast_type(ctx->arena, EDDY_TYPE_INT); }
typ_base(A) ::= BIGINT. { A = eddy_ast_type(ctx->arena, EDDY_TYPE_BIGINT); }
typ_base(A) ::= KW_FLOAT. { A = eddy_ast_type(ctx->arena, EDDY_TYPE_FLOAT); }
typ_base(A) ::= REAL. { A = eddy_ast_type(ctx->arena, EDDY_TYPE_FLOAT); }
typ_base(A) ::= DOUBLE. { A = eddy_ast_type(ctx->arena, EDDY_TYPE_DOUBLE); }
typ_base(A) ::= DOUBLE PRECISION. { A = eddy_ast_type(ctx->arena, EDDY_TYPE_DOUBLE); }
typ_base(A) ::= KW_DECIMAL prec_scale_opt(P). { A = mk_type(ctx, EDDY_TYPE_DECIMAL, P.p, P.s); }
typ_base(A) ::= DEC prec_scale_opt(P). { A = mk_type(ctx, EDDY_TYPE_DECIMAL, P.p, P.s); }
typ_base(A) ::= NUMERIC prec_scale_opt(P). { A = mk_type(ctx, EDDY_TYPE_DECIMAL, P.p, P.s); }
typ_base(A) ::= CHAR len_opt(L). { A = mk_type(ctx, EDDY_TYPE_CHAR, L, -1); }
typ_base(A) ::= VARCHAR len_opt(L). { A = mk_type(ctx, EDDY_TYPE_VARCHAR, L, -1); }
typ_base(A) ::= KW_STRING. {
    A = eddy_ast_type(ctx->arena, EDDY_TYPE_VARCHAR);
    A->string_kw = true;
}
typ_base(A) ::= BINARY len_opt(L). { A = mk_type(ctx, EDDY_TYPE_BINARY, L, -1); }
typ_base(A) ::= VARBINARY len_opt(L). { A = mk_type(ctx, EDDY_TYPE_VARBINARY, L, -1); }
typ_base(A) ::= BYTES. {
    A = eddy_ast_type(ctx->arena, EDDY_TYPE_VARBINARY);
    A->string_kw = true;
}
typ_base(A) ::= DATE. { A = eddy_ast_type(ctx->arena, EDDY_TYPE_DATE); }
typ_base(A) ::= TIME len_opt(L) without_tz_opt. { A = mk_type(ctx, EDDY_TYPE_TIME, L, -1); }
typ_base(A) ::= TIMESTAMP len_opt(L) without_tz_opt. {
    A = mk_type(ctx, EDDY_TYPE_TIMESTAMP, L, -1);
}
typ_base(A) ::= TIMESTAMP len_opt(L) WITH LOCAL TIME ZONE. {
    A = mk_type(ctx, EDDY_TYPE_TIMESTAMP_LTZ, L, -1);
}
typ_base(A) ::= TIMESTAMP_LTZ len_opt(L). { A = mk_type(ctx, EDDY_TYPE_TIMESTAMP_LTZ, L, -1); }
/* INTERVAL types keep the start unit's precision in precision, the end unit's in scale. */
typ_base(A) ::= INTERVAL iqual(Q). {
    A = mk_type(ctx, EDDY_TYPE_INTERVAL, Q.from_prec, Q.to_prec);
    A->from = Q.from;
    A->to = Q.to;
}
typ_base(A) ::= ARRAY LT typ(E) GT. {
    A = eddy_ast_type(ctx->arena, EDDY_TYPE_ARRAY);
    A->elem = E;
}
typ_base(A) ::= MULTISET LT typ(E) GT. {
    A = eddy_ast_type(ctx->arena, EDDY_TYPE_MULTISET);
    A->elem = E;
}
typ_base(A) ::= MAP LT typ(K) COMMA typ(V) GT. {
    A = eddy_ast_type(ctx->arena, EDDY_TYPE_MAP);
    A->elem = K;
    A->value = V;
}
typ_base(A) ::= ROW LT row_fields(F) GT. { A = F; }
typ_base(A) ::= ROW LP row_fields(F) RP. {
    A = F;
    A->paren_row = true;
}
typ_base(A) ::= RAW LP STRING(C) RP. {
    A = eddy_ast_type(ctx->arena, EDDY_TYPE_RAW);
    A->raw_class = tok_string(ctx, &C);
}
typ_base(A) ::= RAW LP STRING(C) COMMA STRING RP. {
    A = eddy_ast_type(ctx->arena, EDDY_TYPE_RAW);
    A->raw_class = tok_string(ctx, &C);
}

without_tz_opt ::= .
without_tz_opt ::= WITHOUT TIME ZONE.

%type row_fields {eddy_sqltype *}
row_fields(A) ::= ident(N) typ(T) field_comment_opt(C). {
    A = eddy_ast_type(ctx->arena, EDDY_TYPE_ROW);
    eddy_ast_type_add_field(ctx->arena, A, N->name, T, C);
}
row_fields(A) ::= row_fields(B) COMMA ident(N) typ(T) field_comment_opt(C). {
    A = B;
    eddy_ast_type_add_field(ctx->arena, A, N->name, T, C);
}

/* ROW<x DOUBLE 'the x'> (Flink's form) or ROW<x DOUBLE COMMENT 'the x'> */
%type field_comment_opt {const char *}
field_comment_opt(A) ::= comment_opt(A).
field_comment_opt(A) ::= STRING(S). { A = tok_string(ctx, &S); }

%type len_opt {int}
len_opt(A) ::= . { A = -1; }
len_opt(A) ::= LP INTEGER(N) RP. { A = tok_int(ctx, &N); }

%type prec_scale_opt {prec_scale}
prec_scale_opt(A) ::= . { A.p = -1; A.s = -1; }
prec_scale_opt(A) ::= LP INTEGER(P) RP. { A.p = tok_int(ctx, &P); A.s = -1; }
prec_scale_opt(A) ::= LP INTEGER(P) COMMA INTEGER(S) RP. {
    A.p = tok_int(ctx, &P);
    A.s = tok_int(ctx, &S);
}

/* INTERVAL qualifiers: the SQL units, plus Flink's plural spellings (INTERVAL '10' MINUTES),
 * which mean the same unit. */
%type iqual {iqual}
iqual(A) ::= iunit(F) len_opt(P). [INTERVAL_PREC] {
    A.from = F.unit;
    A.from_prec = P;
    A.to = EDDY_UNIT_NONE;
    A.to_prec = -1;
}
iqual(A) ::= iunit(F) len_opt(P) TO iunit(T) len_opt(Q). {
    A.from = F.unit;
    A.from_prec = P;
    A.to = T.unit;
    A.to_prec = Q;
}

%type iunit {unit_tok}
iunit(A) ::= YEAR(T). { A.unit = EDDY_UNIT_YEAR; A.pos = T.pos; }
iunit(A) ::= YEARS(T). { A.unit = EDDY_UNIT_YEAR; A.pos = T.pos; }
iunit(A) ::= MONTH(T). { A.unit = EDDY_UNIT_MONTH; A.pos = T.pos; }
iunit(A) ::= MONTHS(T). { A.unit = EDDY_UNIT_MONTH; A.pos = T.pos; }
iunit(A) ::= DAY(T). { A.unit = EDDY_UNIT_DAY; A.pos = T.pos; }
iunit(A) ::= DAYS(T). { A.unit = EDDY_UNIT_DAY; A.pos = T.pos; }
iunit(A) ::= HOUR(T). { A.unit = EDDY_UNIT_HOUR; A.pos = T.pos; }
iunit(A) ::= HOURS(T). { A.unit = EDDY_UNIT_HOUR; A.pos = T.pos; }
iunit(A) ::= MINUTE(T). { A.unit = EDDY_UNIT_MINUTE; A.pos = T.pos; }
iunit(A) ::= MINUTES(T). { A.unit = EDDY_UNIT_MINUTE; A.pos = T.pos; }
iunit(A) ::= SECOND(T). { A.unit = EDDY_UNIT_SECOND; A.pos = T.pos; }
iunit(A) ::= SECONDS(T). { A.unit = EDDY_UNIT_SECOND; A.pos = T.pos; }

/* Units of EXTRACT, FLOOR/CEIL ... TO, TIMESTAMPADD/TIMESTAMPDIFF. */
%type tunit {unit_tok}
tunit(A) ::= iunit(A).
tunit(A) ::= MILLENNIUM(T). { A.unit = EDDY_UNIT_MILLENNIUM; A.pos = T.pos; }
tunit(A) ::= CENTURY(T). { A.unit = EDDY_UNIT_CENTURY; A.pos = T.pos; }
tunit(A) ::= DECADE(T). { A.unit = EDDY_UNIT_DECADE; A.pos = T.pos; }
tunit(A) ::= QUARTER(T). { A.unit = EDDY_UNIT_QUARTER; A.pos = T.pos; }
tunit(A) ::= WEEK(T). { A.unit = EDDY_UNIT_WEEK; A.pos = T.pos; }
tunit(A) ::= MILLISECOND(T). { A.unit = EDDY_UNIT_MILLISECOND; A.pos = T.pos; }
tunit(A) ::= MICROSECOND(T). { A.unit = EDDY_UNIT_MICROSECOND; A.pos = T.pos; }
tunit(A) ::= NANOSECOND(T). { A.unit = EDDY_UNIT_NANOSECOND; A.pos = T.pos; }
tunit(A) ::= DOW(T). { A.unit = EDDY_UNIT_DOW; A.pos = T.pos; }
tunit(A) ::= DOY(T). { A.unit = EDDY_UNIT_DOY; A.pos = T.pos; }
tunit(A) ::= EPOCH(T). { A.unit = EDDY_UNIT_EPOCH; A.pos = T.pos; }
tunit(A) ::= ISODOW(T). { A.unit = EDDY_UNIT_ISODOW; A.pos = T.pos; }
tunit(A) ::= ISOYEAR(T). { A.unit = EDDY_UNIT_ISOYEAR; A.pos = T.pos; }

/////////////////////////////////////// CREATE VIEW, CREATE FUNCTION, DROP ///////////////////

cmd(A) ::= CREATE(C) temp_opt(T) VIEW ifne_opt(I) qname(N) view_cols_opt(L) comment_opt(M)
           AS query(Q). {
    A = eddy_ast_stmt(ctx->arena, EDDY_STMT_CREATE_VIEW, C.pos);
    A->u.create_view.name = N;
    A->u.create_view.temporary = T;
    A->u.create_view.if_not_exists = I;
    A->u.create_view.cols = L;
    A->u.create_view.comment = M;
    A->u.create_view.query = Q;
}

%type view_cols_opt {eddy_ident_list *}
view_cols_opt(A) ::= . { A = NULL; }
view_cols_opt(A) ::= LP ident_list(L) RP. { A = L; }

cmd(A) ::= CREATE(C) ftemp_opt(T) FUNCTION ifne_opt(I) qname(N) AS STRING(S) lang_opt(L). {
    A = eddy_ast_stmt(ctx->arena, EDDY_STMT_CREATE_FUNCTION, C.pos);
    A->u.create_function.name = N;
    A->u.create_function.temporary = T >= 1;
    A->u.create_function.temporary_system = T == 2;
    A->u.create_function.if_not_exists = I;
    A->u.create_function.class_name = tok_string(ctx, &S);
    A->u.create_function.language = L;
}

/* 0 = not temporary, 1 = TEMPORARY, 2 = TEMPORARY SYSTEM */
%type ftemp_opt {int}
ftemp_opt(A) ::= . { A = 0; }
ftemp_opt(A) ::= TEMPORARY. { A = 1; }
ftemp_opt(A) ::= TEMPORARY SYSTEM. { A = 2; }

%type lang_opt {const char *}
lang_opt(A) ::= . { A = NULL; }
lang_opt(A) ::= LANGUAGE JAVA. { A = "JAVA"; }
lang_opt(A) ::= LANGUAGE SCALA. { A = "SCALA"; }
lang_opt(A) ::= LANGUAGE PYTHON. { A = "PYTHON"; }

cmd(A) ::= DROP(D) temp_opt(T) drop_what(W) if_exists_opt(E) qname(N). {
    A = eddy_ast_stmt(ctx->arena, EDDY_STMT_DROP, D.pos);
    A->u.drop.what = (eddy_object_kind)W;
    A->u.drop.name = N;
    A->u.drop.temporary = T;
    A->u.drop.if_exists = E;
}

%type drop_what {int}
drop_what(A) ::= TABLE. { A = EDDY_OBJECT_TABLE; }
drop_what(A) ::= VIEW. { A = EDDY_OBJECT_VIEW; }
drop_what(A) ::= FUNCTION. { A = EDDY_OBJECT_FUNCTION; }
drop_what(A) ::= DATABASE. { A = EDDY_OBJECT_DATABASE; }
drop_what(A) ::= CATALOG. { A = EDDY_OBJECT_CATALOG; }

%type if_exists_opt {bool}
if_exists_opt(A) ::= . { A = false; }
if_exists_opt(A) ::= IF EXISTS. { A = true; }

/////////////////////////////////////// SHOW, DESCRIBE, USE, SET, RESET //////////////////////

cmd(A) ::= SHOW(S) TABLES. { A = mk_show(ctx, EDDY_SHOW_TABLES, NULL, S.pos); }
cmd(A) ::= SHOW(S) VIEWS. { A = mk_show(ctx, EDDY_SHOW_VIEWS, NULL, S.pos); }
cmd(A) ::= SHOW(S) JOBS. { A = mk_show(ctx, EDDY_SHOW_JOBS, NULL, S.pos); }
cmd(A) ::= SHOW(S) FUNCTIONS. { A = mk_show(ctx, EDDY_SHOW_FUNCTIONS, NULL, S.pos); }
cmd(A) ::= SHOW(S) CATALOGS. { A = mk_show(ctx, EDDY_SHOW_CATALOGS, NULL, S.pos); }
cmd(A) ::= SHOW(S) DATABASES. { A = mk_show(ctx, EDDY_SHOW_DATABASES, NULL, S.pos); }
cmd(A) ::= SHOW(S) CREATE TABLE qname(N). { A = mk_show(ctx, EDDY_SHOW_CREATE_TABLE, N, S.pos); }
cmd(A) ::= SHOW(S) CREATE VIEW qname(N). { A = mk_show(ctx, EDDY_SHOW_CREATE_VIEW, N, S.pos); }

cmd(A) ::= DESCRIBE(D) extended_opt(E) qname(N). { A = mk_describe(ctx, N, E, false, D.pos); }
cmd(A) ::= DESC(D) extended_opt(E) qname(N). { A = mk_describe(ctx, N, E, true, D.pos); }

%type extended_opt {bool}
extended_opt(A) ::= . { A = false; }
extended_opt(A) ::= EXTENDED. { A = true; }

cmd(A) ::= USE(U) qname(N). {
    A = eddy_ast_stmt(ctx->arena, EDDY_STMT_USE, U.pos);
    A->u.use.name = N;
}
cmd(A) ::= USE(U) CATALOG qname(N). {
    A = eddy_ast_stmt(ctx->arena, EDDY_STMT_USE, U.pos);
    A->u.use.name = N;
    A->u.use.catalog = true;
}

/* SET 'key' = 'value' (Flink's form); the older unquoted form SET table.local-time-zone = UTC
 * is read too, its key and value being the text of a run of tokens with no space inside. */
cmd(A) ::= SET(S). { A = eddy_ast_stmt(ctx->arena, EDDY_STMT_SET, S.pos); }
cmd(A) ::= SET(S) set_word(K) EQ set_word(V). {
    A = eddy_ast_stmt(ctx->arena, EDDY_STMT_SET, S.pos);
    A->u.set.key = K;
    A->u.set.value = V;
}
cmd(A) ::= RESET(S). { A = eddy_ast_stmt(ctx->arena, EDDY_STMT_RESET, S.pos); }
cmd(A) ::= RESET(S) set_word(K). {
    A = eddy_ast_stmt(ctx->arena, EDDY_STMT_RESET, S.pos);
    A->u.set.key = K;
}

%type set_word {const char *}
set_word(A) ::= STRING(S). { A = tok_string(ctx, &S); }
set_word(A) ::= set_raw(R). { A = span_text(ctx, R); }

%type set_raw {span}
set_raw(A) ::= set_piece(T). { A = span_of(&T); }
set_raw(A) ::= set_raw(B) set_piece(T). { A = span_join(ctx, B, &T); }

/* The pieces of an unquoted key or value: words (reserved ones that occur in Flink's option
 * names included), numbers, dots and dashes. */
%type set_piece {eddy_token}
set_piece(A) ::= ID(A).
set_piece(A) ::= INTEGER(A).
set_piece(A) ::= DECIMAL(A).
set_piece(A) ::= DOT(A).
set_piece(A) ::= MINUS(A).
set_piece(A) ::= TABLE(A).
set_piece(A) ::= INTERVAL(A).
set_piece(A) ::= WINDOW(A).
set_piece(A) ::= JOIN(A).
set_piece(A) ::= TRUE(A).
set_piece(A) ::= FALSE(A).

/////////////////////////////////////// EXPLAIN //////////////////////////////////////////////

cmd(A) ::= EXPLAIN(E) explainable(S). { A = mk_explain(ctx, S, false, NULL, E.pos); }
cmd(A) ::= EXPLAIN(E) PLAN FOR explainable(S). { A = mk_explain(ctx, S, true, NULL, E.pos); }
cmd(A) ::= EXPLAIN(E) explain_details(D) explainable(S). { A = mk_explain(ctx, S, false, D, E.pos); }

%type explainable {eddy_stmt *}
explainable(A) ::= query_np(Q). {
    A = eddy_ast_stmt(ctx->arena, EDDY_STMT_QUERY, Q->pos);
    A->u.query = Q;
    stmt_done(ctx, A);
}
explainable(A) ::= subquery(S). {
    A = eddy_ast_stmt(ctx->arena, EDDY_STMT_QUERY, S.pos);
    A->u.query = S.q;
    stmt_done(ctx, A);
}
explainable(A) ::= insert_stmt(S). { A = stmt_done(ctx, S); }
explainable(A) ::= exec_set(S). { A = stmt_done(ctx, S); }

%type explain_details {eddy_ident_list *}
explain_details(A) ::= explain_detail(I). { A = eddy_ast_ident_list_append(ctx->arena, NULL, I); }
explain_details(A) ::= explain_details(B) COMMA explain_detail(I). {
    A = eddy_ast_ident_list_append(ctx->arena, B, I);
}

%type explain_detail {eddy_ident *}
explain_detail(A) ::= CHANGELOG_MODE(T). { A = tok_ident(ctx, &T); }
explain_detail(A) ::= ESTIMATED_COST(T). { A = tok_ident(ctx, &T); }
explain_detail(A) ::= JSON_EXECUTION_PLAN(T). { A = tok_ident(ctx, &T); }
explain_detail(A) ::= PLAN_ADVICE(T). { A = tok_ident(ctx, &T); }

/////////////////////////////////////// INSERT, STATEMENT SET, STOP JOB //////////////////////

%type insert_stmt {eddy_stmt *}
insert_stmt(A) ::= INSERT(I) insert_kw(O) qname(N) hint_opt(H) insert_part_opt(P) query(Q). {
    A = eddy_ast_stmt(ctx->arena, EDDY_STMT_INSERT, I.pos);
    A->u.insert.table = N;
    A->u.insert.overwrite = O;
    A->u.insert.hints = H;
    A->u.insert.partition = P;
    A->u.insert.query = Q;
}
insert_stmt(A) ::= INSERT(I) insert_kw(O) qname(N) hint_opt(H) insert_part_opt(P)
                   LP ident_list(L) RP query(Q). {
    A = eddy_ast_stmt(ctx->arena, EDDY_STMT_INSERT, I.pos);
    A->u.insert.table = N;
    A->u.insert.overwrite = O;
    A->u.insert.hints = H;
    A->u.insert.partition = P;
    A->u.insert.cols = L;
    A->u.insert.query = Q;
}

%type insert_kw {bool}
insert_kw(A) ::= INTO. { A = false; }
insert_kw(A) ::= OVERWRITE. { A = true; }

%type insert_part_opt {eddy_option_list *}
insert_part_opt(A) ::= . { A = NULL; }
insert_part_opt(A) ::= PARTITION LP part_list(L) RP. { A = L; }

%type part_list {eddy_option_list *}
part_list(A) ::= ident(K) EQ part_value(V). {
    A = eddy_ast_option_list_append(ctx->arena, NULL, K->name, K->pos,
                                    V.type == TK_STRING ? tok_string(ctx, &V) : tok_text(ctx, &V),
                                    V.pos);
}
part_list(A) ::= part_list(B) COMMA ident(K) EQ part_value(V). {
    A = eddy_ast_option_list_append(ctx->arena, B, K->name, K->pos,
                                    V.type == TK_STRING ? tok_string(ctx, &V) : tok_text(ctx, &V),
                                    V.pos);
}

%type part_value {eddy_token}
part_value(A) ::= STRING(A).
part_value(A) ::= INTEGER(A).
part_value(A) ::= DECIMAL(A).

/* Table hints: only OPTIONS('k' = 'v', ...) is known; several are merged into one list. */
%type hint_opt {eddy_option_list *}
hint_opt(A) ::= . { A = NULL; }
hint_opt(A) ::= HINT_BEGIN hint_list(L) HINT_END. { A = L; }

%type hint_list {eddy_option_list *}
hint_list(A) ::= OPTIONS LP option_list(L) RP. { A = L; }
hint_list(A) ::= hint_list(B) COMMA OPTIONS LP option_list(L) RP. {
    A = B;
    for (int i = 0; i < L->n; i++)
        A = eddy_ast_option_list_append(ctx->arena, A, L->a[i].key, L->a[i].pos, L->a[i].value,
                                        L->a[i].vpos);
}

/* EXECUTE STATEMENT SET BEGIN insert; ... END, and the SQL client's form over several
 * ';'-separated pieces: BEGIN STATEMENT SET; insert; ...; END. */
%type exec_set {eddy_stmt *}
exec_set(A) ::= EXECUTE(E) STATEMENT SET BEGIN sset_list(L) END(D). {
    A = finish_statement_set(ctx, L, true, E.pos, D.pos);
}
cmd(A) ::= BEGIN(B) STATEMENT SET SEMI sset_list(L) END(D). {
    A = finish_statement_set(ctx, L, false, B.pos, D.pos);
}

%type sset_list {eddy_stmt *}
sset_list(A) ::= sset_elem(E). {
    A = E ? eddy_ast_statement_set_append(ctx->arena, NULL, E) : NULL;
}
sset_list(A) ::= sset_list(B) SEMI sset_elem(E). {
    A = E ? eddy_ast_statement_set_append(ctx->arena, B, E) : B;
}

%type sset_elem {eddy_stmt *}
sset_elem(A) ::= . { A = NULL; }
sset_elem(A) ::= insert_stmt(S). { A = stmt_done(ctx, S); }

cmd(A) ::= STOP(S) JOB STRING(J) stop_opts(O). {
    A = eddy_ast_stmt(ctx->arena, EDDY_STMT_STOP_JOB, S.pos);
    A->u.stop_job.job_id = tok_string(ctx, &J);
    A->u.stop_job.with_savepoint = (O & 1) != 0;
    A->u.stop_job.with_drain = (O & 2) != 0;
}

%type stop_opts {int}
stop_opts(A) ::= . { A = 0; }
stop_opts(A) ::= stop_opts(B) WITH SAVEPOINT. { A = B | 1; }
stop_opts(A) ::= stop_opts(B) WITH DRAIN. { A = B | 2; }

/////////////////////////////////////// QUERIES //////////////////////////////////////////////
// query     any query, parenthesized or not
// query_np  a query that is not only a parenthesized query
// subquery  ( query_np ) or ( subquery ): the parentheses and what is inside
// qexpr > qterm > qprimary: UNION/EXCEPT, then INTERSECT, then SELECT/VALUES/( ... );
// the _np variants exclude a bare subquery, which is what keeps `(SELECT 1)` unambiguous.

%type query {eddy_query *}
query(A) ::= query_np(A).
query(A) ::= subquery(S). { A = S.q; }

%type subquery {subq}
subquery(A) ::= LP(L) query_np(Q) RP. {
    A.q = Q;
    A.pos = L.pos;
}
subquery(A) ::= LP(L) subquery(S) RP. {
    A.q = S.q;
    A.pos = L.pos;
}

%type query_np {eddy_query *}
query_np(A) ::= qexpr_np(A).
query_np(A) ::= qexpr(B) orderby(O) limit_opt(L). {
    A = B;
    A->order_by = O;
    set_limit(A, L);
}
query_np(A) ::= qexpr(B) limit(L). {
    A = B;
    set_limit(A, L);
}
query_np(A) ::= WITH(W) cte_list(C) qexpr(B) orderby_opt(O) limit_opt(L). {
    A = B;
    A->pos = W.pos;
    A->with = C.a;
    A->nwith = C.n;
    A->order_by = O;
    set_limit(A, L);
}

%type cte_list {cte_list}
cte_list(A) ::= ident(N) cte_cols_opt(C) AS subquery(S). {
    memset(&A, 0, sizeof A);
    cte_add(ctx, &A, N, C, S.q);
}
cte_list(A) ::= cte_list(B) COMMA ident(N) cte_cols_opt(C) AS subquery(S). {
    A = B;
    cte_add(ctx, &A, N, C, S.q);
}

%type cte_cols_opt {eddy_ident_list *}
cte_cols_opt(A) ::= . { A = NULL; }
cte_cols_opt(A) ::= LP ident_list(L) RP. { A = L; }

%type qexpr {eddy_query *}
qexpr(A) ::= qexpr_np(A).
qexpr(A) ::= subquery(S). { A = mk_paren(ctx, S); }

%type qexpr_np {eddy_query *}
qexpr_np(A) ::= qterm_np(A).
qexpr_np(A) ::= qexpr(L) UNION setq(Q) qterm(R). { A = mk_setop(ctx, EDDY_SETOP_UNION, Q, L, R); }
qexpr_np(A) ::= qexpr(L) EXCEPT setq(Q) qterm(R). { A = mk_setop(ctx, EDDY_SETOP_EXCEPT, Q, L, R); }

%type qterm {eddy_query *}
qterm(A) ::= qterm_np(A).
qterm(A) ::= subquery(S). { A = mk_paren(ctx, S); }

%type qterm_np {eddy_query *}
qterm_np(A) ::= qprimary_np(A).
qterm_np(A) ::= qterm(L) INTERSECT setq(Q) qprimary(R). {
    A = mk_setop(ctx, EDDY_SETOP_INTERSECT, Q, L, R);
}

%type qprimary {eddy_query *}
qprimary(A) ::= qprimary_np(A).
qprimary(A) ::= subquery(S). { A = mk_paren(ctx, S); }

%type qprimary_np {eddy_query *}
qprimary_np(A) ::= select_core(A).
qprimary_np(A) ::= values(A).

/* 0 = not written, 1 = DISTINCT, 2 = ALL */
%type setq {int}
setq(A) ::= . { A = 0; }
setq(A) ::= DISTINCT. { A = 1; }
setq(A) ::= ALL. { A = 2; }

%type values {eddy_query *}
values(A) ::= VALUES(V) LP expr_list(E) RP. {
    A = eddy_ast_values_append(ctx->arena, NULL, E);
    A->pos = V.pos;
}
values(A) ::= values(B) COMMA LP expr_list(E) RP. { A = eddy_ast_values_append(ctx->arena, B, E); }

%type select_core {eddy_query *}
select_core(A) ::= SELECT(S) setq(Q) sel_items(I) from_opt(F) where_opt(W) groupby_opt(G)
                   having_opt(H) window_opt(N). {
    eddy_select *s = eddy_ast_select(ctx->arena, S.pos);
    s->quantifier = Q;
    s->items = I;
    s->from = F;
    s->where = W;
    s->group_by = G;
    s->having = H;
    s->windows = N.a;
    s->nwindows = N.n;
    A = eddy_ast_query(ctx->arena, EDDY_QUERY_SELECT, S.pos);
    A->u.select = s;
}

%type sel_items {eddy_select_list *}
sel_items(A) ::= expr(E) as_opt(N). { A = eddy_ast_select_list_append(ctx->arena, NULL, E, N); }
sel_items(A) ::= sel_star(E). { A = eddy_ast_select_list_append(ctx->arena, NULL, E, NULL); }
sel_items(A) ::= sel_items(B) COMMA expr(E) as_opt(N). {
    A = eddy_ast_select_list_append(ctx->arena, B, E, N);
}
sel_items(A) ::= sel_items(B) COMMA sel_star(E). {
    A = eddy_ast_select_list_append(ctx->arena, B, E, NULL);
}

%type sel_star {eddy_expr *}
sel_star(A) ::= STAR(S). { A = eddy_ast_expr(ctx->arena, EDDY_EXPR_STAR, S.pos); }
sel_star(A) ::= ename(N) DOT STAR. {
    A = eddy_ast_expr(ctx->arena, EDDY_EXPR_STAR, N->pos);
    A->u.star.qualifier = N;
}

/* [AS] alias of a select item */
%type as_opt {eddy_ident *}
as_opt(A) ::= . { A = NULL; }
as_opt(A) ::= AS ident(B). { A = B; }
as_opt(A) ::= ident(A).

%type from_opt {eddy_tableref *}
from_opt(A) ::= . { A = NULL; }
from_opt(A) ::= FROM from(B). { A = B; }

%type where_opt {eddy_expr *}
where_opt(A) ::= . { A = NULL; }
where_opt(A) ::= WHERE expr(B). { A = B; }

%type groupby_opt {eddy_expr_list *}
groupby_opt(A) ::= . { A = NULL; }
groupby_opt(A) ::= GROUP BY expr_list(B). { A = B; }

%type having_opt {eddy_expr *}
having_opt(A) ::= . { A = NULL; }
having_opt(A) ::= HAVING expr(B). { A = B; }

%type window_opt {window_list}
window_opt(A) ::= . { memset(&A, 0, sizeof A); }
window_opt(A) ::= WINDOW window_defs(B). { A = B; }

%type window_defs {window_list}
window_defs(A) ::= ident(N) AS LP(L) window_spec(S) RP. {
    memset(&A, 0, sizeof A);
    S->pos = L.pos;
    window_add(ctx, &A, N, S);
}
window_defs(A) ::= window_defs(B) COMMA ident(N) AS LP(L) window_spec(S) RP. {
    A = B;
    S->pos = L.pos;
    window_add(ctx, &A, N, S);
}

%type orderby_opt {eddy_order_list *}
orderby_opt(A) ::= . { A = NULL; }
orderby_opt(A) ::= orderby(A).

%type orderby {eddy_order_list *}
orderby(A) ::= ORDER BY order_list(B). { A = B; }

%type order_list {eddy_order_list *}
order_list(A) ::= expr(E) dir_opt(D) nulls_opt(N). {
    A = eddy_ast_order_list_append(ctx->arena, NULL, E, D, N);
}
order_list(A) ::= order_list(B) COMMA expr(E) dir_opt(D) nulls_opt(N). {
    A = eddy_ast_order_list_append(ctx->arena, B, E, D, N);
}

%type dir_opt {int}
dir_opt(A) ::= . { A = 0; }
dir_opt(A) ::= ASC. { A = 1; }
dir_opt(A) ::= DESC. { A = -1; }

%type nulls_opt {int}
nulls_opt(A) ::= . { A = 0; }
nulls_opt(A) ::= NULLS FIRST. { A = 1; }
nulls_opt(A) ::= NULLS LAST. { A = -1; }

%type limit_opt {limit_t *}
limit_opt(A) ::= . { A = NULL; }
limit_opt(A) ::= limit(A).

%type limit {limit_t *}
limit(A) ::= LIMIT bexpr(N). { A = mk_limit(ctx, N, NULL, false); }
limit(A) ::= LIMIT bexpr(N) OFFSET bexpr(O). { A = mk_limit(ctx, N, O, false); }
limit(A) ::= OFFSET bexpr(O) rows_opt. { A = mk_limit(ctx, NULL, O, false); }
limit(A) ::= OFFSET bexpr(O) rows_opt FETCH first_next bexpr(N) row_rows ONLY. {
    A = mk_limit(ctx, N, O, true);
}
limit(A) ::= FETCH first_next bexpr(N) row_rows ONLY. { A = mk_limit(ctx, N, NULL, true); }

rows_opt ::= .
rows_opt ::= row_rows.
row_rows ::= ROW.
row_rows ::= ROWS.
first_next ::= FIRST.
first_next ::= NEXT.

/////////////////////////////////////// FROM /////////////////////////////////////////////////
// Joins associate to the left, ',' included (as in Calcite): a, b JOIN c ON .. is (a, b) JOIN c.

%type from {eddy_tableref *}
from(A) ::= tref(A).
from(A) ::= joined(A).

/* a from list with at least one join (or ','); in parentheses it is a table reference too:
 * a JOIN (b JOIN c ON ..) ON .. (no node for the parentheses; a single table in parentheses
 * is not allowed, which keeps `((SELECT 1))` a subquery) */
%type joined {eddy_tableref *}
joined(A) ::= from(L) COMMA tref(R). { A = mk_join(ctx, EDDY_JOIN_COMMA, false, L, R, NULL, NULL); }
joined(A) ::= from(L) join_kind(K) tref(R) ON expr(C). { A = mk_join(ctx, K, false, L, R, C, NULL); }
joined(A) ::= from(L) join_kind(K) tref(R) USING LP ident_list(U) RP. {
    A = mk_join(ctx, K, false, L, R, NULL, U);
}
joined(A) ::= from(L) CROSS JOIN tref(R). { A = mk_join(ctx, EDDY_JOIN_CROSS, false, L, R, NULL, NULL); }
joined(A) ::= from(L) NATURAL join_kind(K) tref(R). { A = mk_join(ctx, K, true, L, R, NULL, NULL); }

%type join_kind {int}
join_kind(A) ::= JOIN. { A = EDDY_JOIN_INNER; }
join_kind(A) ::= INNER JOIN. { A = EDDY_JOIN_INNER | JOIN_INNER_KW; }
join_kind(A) ::= LEFT JOIN. { A = EDDY_JOIN_LEFT; }
join_kind(A) ::= LEFT OUTER JOIN. { A = EDDY_JOIN_LEFT | JOIN_OUTER_KW; }
join_kind(A) ::= RIGHT JOIN. { A = EDDY_JOIN_RIGHT; }
join_kind(A) ::= RIGHT OUTER JOIN. { A = EDDY_JOIN_RIGHT | JOIN_OUTER_KW; }
join_kind(A) ::= FULL JOIN. { A = EDDY_JOIN_FULL; }
join_kind(A) ::= FULL OUTER JOIN. { A = EDDY_JOIN_FULL | JOIN_OUTER_KW; }

%type tref {eddy_tableref *}
tref(A) ::= qname(N) hint_opt(H) systime_opt(S) alias_opt(L). {
    A = eddy_ast_tableref(ctx->arena, EDDY_TABLEREF_NAME, N->pos);
    A->u.table.name = N;
    A->u.table.hints = H;
    A->u.table.system_time = S;
    with_alias(A, L);
}
tref(A) ::= subquery(Q) alias_opt(L). {
    A = eddy_ast_tableref(ctx->arena, EDDY_TABLEREF_SUBQUERY, Q.pos);
    A->u.subquery = Q.q;
    with_alias(A, L);
}
tref(A) ::= TABLE(T) LP call(C) RP alias_opt(L). {
    A = eddy_ast_tableref(ctx->arena, EDDY_TABLEREF_FUNCTION, T.pos);
    A->u.func.call = C;
    with_alias(A, L);
}
tref(A) ::= LATERAL(T) TABLE LP call(C) RP alias_opt(L). {
    A = eddy_ast_tableref(ctx->arena, EDDY_TABLEREF_FUNCTION, T.pos);
    A->u.func.call = C;
    A->u.func.lateral = true;
    with_alias(A, L);
}
tref(A) ::= UNNEST(U) LP expr_list(E) RP ordinality_opt(O) alias_opt(L). {
    A = eddy_ast_tableref(ctx->arena, EDDY_TABLEREF_UNNEST, U.pos);
    A->u.unnest.args = E;
    A->u.unnest.ordinality = O;
    with_alias(A, L);
}

tref(A) ::= LP joined(J) RP. { A = J; }

%type systime_opt {eddy_expr *}
systime_opt(A) ::= . { A = NULL; }
systime_opt(A) ::= FOR SYSTEM_TIME AS OF bexpr(B). { A = B; }

%type ordinality_opt {bool}
ordinality_opt(A) ::= . { A = false; }
ordinality_opt(A) ::= WITH ORDINALITY. { A = true; }

%type alias_opt {alias_t}
alias_opt(A) ::= . { A.name = NULL; A.cols = NULL; }
alias_opt(A) ::= AS ident(N). { A.name = N; A.cols = NULL; }
alias_opt(A) ::= ident(N). { A.name = N; A.cols = NULL; }
alias_opt(A) ::= AS ident(N) LP ident_list(L) RP. { A.name = N; A.cols = L; }
alias_opt(A) ::= ident(N) LP ident_list(L) RP. { A.name = N; A.cols = L; }

/////////////////////////////////////// NAMES ////////////////////////////////////////////////

%type ident {eddy_ident *}
ident(A) ::= ID(T). { A = tok_ident(ctx, &T); }
ident(A) ::= QID(T). { A = tok_ident(ctx, &T); }

%type ident_list {eddy_ident_list *}
ident_list(A) ::= ident(I). { A = eddy_ast_ident_list_append(ctx->arena, NULL, I); }
ident_list(A) ::= ident_list(B) COMMA ident(I). { A = eddy_ast_ident_list_append(ctx->arena, B, I); }

/* names of tables, views, functions, catalogs: t, db.t, cat.db.t */
%type qname {eddy_name *}
qname(A) ::= ident(I). { A = eddy_ast_name(ctx->arena, I); }
qname(A) ::= qname(B) DOT ident(I). { A = eddy_ast_name_append(ctx->arena, B, I); }

/* names in expressions: a, t.a, t.row.field; the first part may also be DATE, TIME or
 * TIMESTAMP (common column names), which the lexer gives as keywords: followed by a string
 * they start a literal instead. */
%type ename {eddy_name *}
ename(A) ::= colid(I). { A = eddy_ast_name(ctx->arena, I); }
ename(A) ::= ename(B) DOT ident(I). { A = eddy_ast_name_append(ctx->arena, B, I); }

%type colid {eddy_ident *}
colid(A) ::= ident(A).
colid(A) ::= DATE(T). { A = tok_ident(ctx, &T); }
colid(A) ::= TIME(T). { A = tok_ident(ctx, &T); }
colid(A) ::= TIMESTAMP(T). { A = tok_ident(ctx, &T); }

/////////////////////////////////////// EXPRESSIONS //////////////////////////////////////////

%type expr_list {eddy_expr_list *}
expr_list(A) ::= expr(E). { A = eddy_ast_expr_list_append(ctx->arena, NULL, E); }
expr_list(A) ::= expr_list(B) COMMA expr(E). { A = eddy_ast_expr_list_append(ctx->arena, B, E); }

/* expr: the full expression (boolean logic and predicates over bexprs) */
%type expr {eddy_expr *}
expr(A) ::= bexpr(A).
expr(A) ::= expr(L) OR expr(R). { A = mk_binary(ctx, EDDY_OP_OR, L, R); }
expr(A) ::= expr(L) AND expr(R). { A = mk_binary(ctx, EDDY_OP_AND, L, R); }
expr(A) ::= NOT(T) expr(E). { A = mk_unary(ctx, EDDY_OP_NOT, E, T.pos); }
expr(A) ::= expr(L) EQ expr(R). { A = mk_binary(ctx, EDDY_OP_EQ, L, R); }
expr(A) ::= expr(L) NE expr(R). { A = mk_binary(ctx, EDDY_OP_NE, L, R); }
expr(A) ::= expr(L) LT expr(R). { A = mk_binary(ctx, EDDY_OP_LT, L, R); }
expr(A) ::= expr(L) LE expr(R). { A = mk_binary(ctx, EDDY_OP_LE, L, R); }
expr(A) ::= expr(L) GT expr(R). { A = mk_binary(ctx, EDDY_OP_GT, L, R); }
expr(A) ::= expr(L) GE expr(R). { A = mk_binary(ctx, EDDY_OP_GE, L, R); }
expr(A) ::= expr(L) IS NULL. { A = mk_is(ctx, L, EDDY_IS_NULL, false, NULL); }
expr(A) ::= expr(L) IS NOT NULL. { A = mk_is(ctx, L, EDDY_IS_NULL, true, NULL); }
expr(A) ::= expr(L) IS TRUE. { A = mk_is(ctx, L, EDDY_IS_TRUE, false, NULL); }
expr(A) ::= expr(L) IS NOT TRUE. { A = mk_is(ctx, L, EDDY_IS_TRUE, true, NULL); }
expr(A) ::= expr(L) IS FALSE. { A = mk_is(ctx, L, EDDY_IS_FALSE, false, NULL); }
expr(A) ::= expr(L) IS NOT FALSE. { A = mk_is(ctx, L, EDDY_IS_FALSE, true, NULL); }
expr(A) ::= expr(L) IS UNKNOWN. { A = mk_is(ctx, L, EDDY_IS_UNKNOWN, false, NULL); }
expr(A) ::= expr(L) IS NOT UNKNOWN. { A = mk_is(ctx, L, EDDY_IS_UNKNOWN, true, NULL); }
expr(A) ::= expr(L) IS DISTINCT FROM bexpr(R). {
    A = mk_is(ctx, L, EDDY_IS_DISTINCT_FROM, false, R);
}
expr(A) ::= expr(L) IS NOT DISTINCT FROM bexpr(R). {
    A = mk_is(ctx, L, EDDY_IS_DISTINCT_FROM, true, R);
}
expr(A) ::= expr(L) BETWEEN symmetric_opt(S) bexpr(X) AND bexpr(Y). {
    A = mk_between(ctx, L, false, S, X, Y);
}
expr(A) ::= expr(L) NOT BETWEEN symmetric_opt(S) bexpr(X) AND bexpr(Y). [BETWEEN] {
    A = mk_between(ctx, L, true, S, X, Y);
}
expr(A) ::= expr(L) IN LP expr_list(E) RP. { A = mk_in(ctx, L, false, E, NULL); }
expr(A) ::= expr(L) NOT IN LP expr_list(E) RP. [IN] { A = mk_in(ctx, L, true, E, NULL); }
expr(A) ::= expr(L) IN subquery(S). { A = mk_in(ctx, L, false, NULL, S.q); }
expr(A) ::= expr(L) NOT IN subquery(S). [IN] { A = mk_in(ctx, L, true, NULL, S.q); }
expr(A) ::= expr(L) LIKE bexpr(P) escape_opt(E). { A = mk_like(ctx, L, false, false, P, E); }
expr(A) ::= expr(L) NOT LIKE bexpr(P) escape_opt(E). [LIKE] { A = mk_like(ctx, L, true, false, P, E); }
expr(A) ::= expr(L) SIMILAR TO bexpr(P) escape_opt(E). { A = mk_like(ctx, L, false, true, P, E); }
expr(A) ::= expr(L) NOT SIMILAR TO bexpr(P) escape_opt(E). [SIMILAR] {
    A = mk_like(ctx, L, true, true, P, E);
}

/* 0 = not written, 1 = SYMMETRIC, 2 = ASYMMETRIC */
%type symmetric_opt {int}
symmetric_opt(A) ::= . { A = 0; }
symmetric_opt(A) ::= SYMMETRIC. { A = 1; }
symmetric_opt(A) ::= ASYMMETRIC. { A = 2; }

%type escape_opt {eddy_expr *}
escape_opt(A) ::= . { A = NULL; }
escape_opt(A) ::= ESCAPE bexpr(B). { A = B; }

/* bexpr: arithmetic and string concatenation over primaries */
%type bexpr {eddy_expr *}
bexpr(A) ::= primary(A).
bexpr(A) ::= bexpr(L) PLUS bexpr(R). { A = mk_binary(ctx, EDDY_OP_ADD, L, R); }
bexpr(A) ::= bexpr(L) MINUS bexpr(R). { A = mk_binary(ctx, EDDY_OP_SUB, L, R); }
bexpr(A) ::= bexpr(L) CONCAT bexpr(R). { A = mk_binary(ctx, EDDY_OP_CONCAT, L, R); }
bexpr(A) ::= bexpr(L) STAR bexpr(R). { A = mk_binary(ctx, EDDY_OP_MUL, L, R); }
bexpr(A) ::= bexpr(L) SLASH bexpr(R). { A = mk_binary(ctx, EDDY_OP_DIV, L, R); }
bexpr(A) ::= bexpr(L) PERCENT bexpr(R). { A = mk_binary(ctx, EDDY_OP_MOD, L, R); }
bexpr(A) ::= MINUS(T) bexpr(E). [UMINUS] { A = mk_unary(ctx, EDDY_OP_NEG, E, T.pos); }
bexpr(A) ::= PLUS(T) bexpr(E). [UMINUS] { A = mk_unary(ctx, EDDY_OP_PLUS, E, T.pos); }

/* primary: a name, or anything else that binds tightest (primary_x) */
%type primary {eddy_expr *}
primary(A) ::= ename(N). {
    A = eddy_ast_expr(ctx->arena, EDDY_EXPR_NAME, N->pos);
    A->u.name = N;
}
primary(A) ::= primary_x(A).

%type primary_x {eddy_expr *}
primary_x(A) ::= literal(A).
primary_x(A) ::= LP expr(E) RP. { A = E; }
primary_x(A) ::= LP(L) expr(E) COMMA expr_list(R) RP. {
    A = eddy_ast_expr(ctx->arena, EDDY_EXPR_ROW, L.pos);
    A->u.ctor.items = eddy_ast_expr_list_append(ctx->arena, NULL, E);
    for (int i = 0; i < R->n; i++)
        A->u.ctor.items = eddy_ast_expr_list_append(ctx->arena, A->u.ctor.items, R->a[i]);
}
primary_x(A) ::= subquery(S). [SUBQUERY_PREC] {
    A = eddy_ast_expr(ctx->arena, EDDY_EXPR_SUBQUERY, S.pos);
    A->u.subquery = S.q;
}
primary_x(A) ::= EXISTS(T) subquery(S). {
    A = eddy_ast_expr(ctx->arena, EDDY_EXPR_EXISTS, T.pos);
    A->u.subquery = S.q;
}
primary_x(A) ::= call(C) nulls_treatment_opt(N) within_group_opt(W) filter_opt(F) over_opt(O). {
    A = C;
    A->u.call.nulls_treatment = N;
    A->u.call.within_group = W;
    A->u.call.filter = F;
    A->u.call.over = O;
}
primary_x(A) ::= CASE(C) case_operand_opt(O) case_arms(W) case_else_opt(E) END. {
    A = eddy_ast_expr(ctx->arena, EDDY_EXPR_CASE, C.pos);
    A->u.case_.operand = O;
    A->u.case_.whens = W.whens;
    A->u.case_.thens = W.thens;
    A->u.case_.else_ = E;
}
primary_x(A) ::= CAST(T) LP expr(E) AS typ(Y) RP. {
    A = eddy_ast_expr(ctx->arena, EDDY_EXPR_CAST, T.pos);
    A->u.cast.arg = E;
    A->u.cast.type = Y;
}
primary_x(A) ::= TRY_CAST(T) LP expr(E) AS typ(Y) RP. {
    A = eddy_ast_expr(ctx->arena, EDDY_EXPR_CAST, T.pos);
    A->u.cast.arg = E;
    A->u.cast.type = Y;
    A->u.cast.try_ = true;
}
primary_x(A) ::= ROW(T) LP expr_list(E) RP. {
    A = eddy_ast_expr(ctx->arena, EDDY_EXPR_ROW, T.pos);
    A->u.ctor.items = E;
    A->u.ctor.explicit_kw = true;
}
primary_x(A) ::= ARRAY(T) LBRACKET expr_list(E) RBRACKET. {
    A = eddy_ast_expr(ctx->arena, EDDY_EXPR_ARRAY, T.pos);
    A->u.ctor.items = E;
}
primary_x(A) ::= MAP(T) LBRACKET expr_list(E) RBRACKET. {
    A = eddy_ast_expr(ctx->arena, EDDY_EXPR_MAP, T.pos);
    A->u.ctor.items = E;
}
primary_x(A) ::= primary(B) LBRACKET expr(I) RBRACKET. {
    A = eddy_ast_expr(ctx->arena, EDDY_EXPR_SUBSCRIPT, B->pos);
    A->u.subscript.base = B;
    A->u.subscript.index = I;
}
primary_x(A) ::= primary_x(B) DOT ident(F). {
    A = eddy_ast_expr(ctx->arena, EDDY_EXPR_FIELD, B->pos);
    A->u.field.base = B;
    A->u.field.field = F;
}

/* Calls with their own syntax. The function name is the keyword as written. */
primary_x(A) ::= EXTRACT(T) LP tunit(U) FROM expr(E) RP. {
    A = mk_call(ctx, tok_name(ctx, &T), list2(ctx, mk_unit(ctx, U), E), EDDY_CALL_EXTRACT, T.pos);
}
primary_x(A) ::= floor_ceil(T) LP expr(E) RP. {
    A = mk_call(ctx, tok_name(ctx, &T), eddy_ast_expr_list_append(ctx->arena, NULL, E),
                EDDY_CALL_PLAIN, T.pos);
}
primary_x(A) ::= floor_ceil(T) LP expr(E) TO tunit(U) RP. {
    A = mk_call(ctx, tok_name(ctx, &T), list2(ctx, E, mk_unit(ctx, U)),
                T.type == TK_FLOOR ? EDDY_CALL_FLOOR_TO : EDDY_CALL_CEIL_TO, T.pos);
}
primary_x(A) ::= TRIM(T) LP expr(E) RP. {
    A = mk_call(ctx, tok_name(ctx, &T), eddy_ast_expr_list_append(ctx->arena, NULL, E),
                EDDY_CALL_PLAIN, T.pos);
}
primary_x(A) ::= TRIM(T) LP FROM expr(S) RP. {
    A = mk_call(ctx, tok_name(ctx, &T), eddy_ast_expr_list_append(ctx->arena, NULL, S),
                EDDY_CALL_TRIM, T.pos);
}
primary_x(A) ::= TRIM(T) LP expr(C) FROM expr(S) RP. {
    A = mk_call(ctx, tok_name(ctx, &T), list2(ctx, S, C), EDDY_CALL_TRIM, T.pos);
}
primary_x(A) ::= TRIM(T) LP trim_side(D) FROM expr(S) RP. {
    A = mk_call(ctx, tok_name(ctx, &T), eddy_ast_expr_list_append(ctx->arena, NULL, S),
                EDDY_CALL_TRIM, T.pos);
    A->u.call.trim_side = D;
}
primary_x(A) ::= TRIM(T) LP trim_side(D) expr(C) FROM expr(S) RP. {
    A = mk_call(ctx, tok_name(ctx, &T), list2(ctx, S, C), EDDY_CALL_TRIM, T.pos);
    A->u.call.trim_side = D;
}
primary_x(A) ::= SUBSTRING(T) LP expr_list(E) RP. {
    A = mk_call(ctx, tok_name(ctx, &T), E, EDDY_CALL_PLAIN, T.pos);
}
primary_x(A) ::= SUBSTRING(T) LP expr(S) FROM expr(F) RP. {
    A = mk_call(ctx, tok_name(ctx, &T), list2(ctx, S, F), EDDY_CALL_SUBSTRING_FROM, T.pos);
}
primary_x(A) ::= SUBSTRING(T) LP expr(S) FROM expr(F) FOR expr(N) RP. {
    A = mk_call(ctx, tok_name(ctx, &T), list3(ctx, S, F, N), EDDY_CALL_SUBSTRING_FROM, T.pos);
}
primary_x(A) ::= POSITION(T) LP bexpr(X) IN expr(Y) RP. {
    A = mk_call(ctx, tok_name(ctx, &T), list2(ctx, X, Y), EDDY_CALL_POSITION_IN, T.pos);
}
primary_x(A) ::= OVERLAY(T) LP expr(S) PLACING expr(R) FROM expr(F) RP. {
    A = mk_call(ctx, tok_name(ctx, &T), list3(ctx, S, R, F), EDDY_CALL_OVERLAY, T.pos);
}
primary_x(A) ::= OVERLAY(T) LP expr(S) PLACING expr(R) FROM expr(F) FOR expr(N) RP. {
    A = mk_call(ctx, tok_name(ctx, &T), eddy_ast_expr_list_append(ctx->arena, list3(ctx, S, R, F), N),
                EDDY_CALL_OVERLAY, T.pos);
}
primary_x(A) ::= timestamp_fn(T) LP tunit(U) COMMA expr(X) COMMA expr(Y) RP. {
    A = mk_call(ctx, tok_name(ctx, &T), list3(ctx, mk_unit(ctx, U), X, Y),
                EDDY_CALL_PLAIN, T.pos);
}
primary_x(A) ::= niladic(T). {
    A = mk_call(ctx, tok_name(ctx, &T), NULL, EDDY_CALL_NILADIC, T.pos);
}
primary_x(A) ::= niladic(T) LP RP. {
    A = mk_call(ctx, tok_name(ctx, &T), NULL, EDDY_CALL_PLAIN, T.pos);
}

%type floor_ceil {eddy_token}
floor_ceil(A) ::= FLOOR(A).
floor_ceil(A) ::= CEIL(A).
floor_ceil(A) ::= CEILING(A).

%type timestamp_fn {eddy_token}
timestamp_fn(A) ::= TIMESTAMPADD(A).
timestamp_fn(A) ::= TIMESTAMPDIFF(A).

%type niladic {eddy_token}
niladic(A) ::= CURRENT_TIMESTAMP(A).
niladic(A) ::= LOCALTIMESTAMP(A).
niladic(A) ::= CURRENT_DATE(A).
niladic(A) ::= CURRENT_TIME(A).
niladic(A) ::= LOCALTIME(A).
niladic(A) ::= CURRENT_ROW_TIMESTAMP(A).

/* 1 BOTH, 2 LEADING, 3 TRAILING */
%type trim_side {int}
trim_side(A) ::= BOTH. { A = 1; }
trim_side(A) ::= LEADING. { A = 2; }
trim_side(A) ::= TRAILING. { A = 3; }

%type case_operand_opt {eddy_expr *}
case_operand_opt(A) ::= . { A = NULL; }
case_operand_opt(A) ::= expr(A).

%type case_arms {case_arms}
case_arms(A) ::= WHEN expr(W) THEN expr(T). {
    A.whens = eddy_ast_expr_list_append(ctx->arena, NULL, W);
    A.thens = eddy_ast_expr_list_append(ctx->arena, NULL, T);
}
case_arms(A) ::= case_arms(B) WHEN expr(W) THEN expr(T). {
    A.whens = eddy_ast_expr_list_append(ctx->arena, B.whens, W);
    A.thens = eddy_ast_expr_list_append(ctx->arena, B.thens, T);
}

%type case_else_opt {eddy_expr *}
case_else_opt(A) ::= . { A = NULL; }
case_else_opt(A) ::= ELSE expr(B). { A = B; }

/////////////////////////////////////// LITERALS /////////////////////////////////////////////

%type literal {eddy_expr *}
literal(A) ::= INTEGER(T). { A = mk_lit(ctx, EDDY_LIT_INTEGER, tok_text(ctx, &T), T.pos); }
literal(A) ::= DECIMAL(T). { A = mk_lit(ctx, EDDY_LIT_DECIMAL, tok_text(ctx, &T), T.pos); }
literal(A) ::= FLOAT(T). { A = mk_lit(ctx, EDDY_LIT_FLOAT, tok_text(ctx, &T), T.pos); }
literal(A) ::= STRING(T). { A = mk_lit(ctx, EDDY_LIT_STRING, tok_string(ctx, &T), T.pos); }
literal(A) ::= BINSTR(T). { A = mk_lit(ctx, EDDY_LIT_BINARY, tok_string(ctx, &T), T.pos); }
literal(A) ::= TRUE(T). { A = mk_lit(ctx, EDDY_LIT_TRUE, NULL, T.pos); }
literal(A) ::= FALSE(T). { A = mk_lit(ctx, EDDY_LIT_FALSE, NULL, T.pos); }
literal(A) ::= NULL(T). { A = mk_lit(ctx, EDDY_LIT_NULL, NULL, T.pos); }
literal(A) ::= UNKNOWN(T). { A = mk_lit(ctx, EDDY_LIT_UNKNOWN, NULL, T.pos); }
literal(A) ::= DATE(T) STRING(S). { A = mk_lit(ctx, EDDY_LIT_DATE, tok_string(ctx, &S), T.pos); }
literal(A) ::= TIME(T) STRING(S). { A = mk_lit(ctx, EDDY_LIT_TIME, tok_string(ctx, &S), T.pos); }
literal(A) ::= TIMESTAMP(T) STRING(S). {
    A = mk_lit(ctx, EDDY_LIT_TIMESTAMP, tok_string(ctx, &S), T.pos);
}
literal(A) ::= TIMESTAMP_LTZ(T) STRING(S). {
    A = mk_lit(ctx, EDDY_LIT_TIMESTAMP_LTZ, tok_string(ctx, &S), T.pos);
}
literal(A) ::= INTERVAL(T) interval_sign(N) STRING(S) iqual(Q). {
    A = mk_lit(ctx, EDDY_LIT_INTERVAL, tok_string(ctx, &S), T.pos);
    A->u.lit.negative = N;
    A->u.lit.from = Q.from;
    A->u.lit.from_precision = Q.from_prec;
    A->u.lit.to = Q.to;
    A->u.lit.to_precision = Q.to_prec;
}

/* INTERVAL -'5' DAY: true for the minus */
%type interval_sign {bool}
interval_sign(A) ::= . { A = false; }
interval_sign(A) ::= PLUS. { A = false; }
interval_sign(A) ::= MINUS. { A = true; }

/////////////////////////////////////// CALLS ////////////////////////////////////////////////
// f(args), with aggregate and window decorations in primary_x above. Arguments of table
// functions (TUMBLE, HOP, CUMULATE, SESSION, user functions) can also be TABLE t [PARTITION BY
// ..] [ORDER BY ..], DESCRIPTOR(cols) and named arguments `name => value`; any call accepts
// them and the planner decides where they make sense.

%type call {eddy_expr *}
call(A) ::= fname(F) LP call_args(G) RP. {
    A = mk_call(ctx, F, G.list, EDDY_CALL_PLAIN, F->pos);
    A->u.call.distinct = G.distinct;
    A->u.call.star = G.star;
}

/* LEFT and RIGHT are reserved (joins) but are also string functions. */
%type fname {eddy_name *}
fname(A) ::= ename(A).
fname(A) ::= LEFT(T). { A = tok_name(ctx, &T); }
fname(A) ::= RIGHT(T). { A = tok_name(ctx, &T); }

%type call_args {call_args}
call_args(A) ::= . {
    A.list = eddy_arena_zalloc(ctx->arena, sizeof(eddy_expr_list));
    A.distinct = false;
    A.star = false;
}
call_args(A) ::= STAR. {
    A.list = eddy_arena_zalloc(ctx->arena, sizeof(eddy_expr_list));
    A.distinct = false;
    A.star = true;
}
call_args(A) ::= arg_list(L). { A.list = L; A.distinct = false; A.star = false; }
call_args(A) ::= DISTINCT arg_list(L). { A.list = L; A.distinct = true; A.star = false; }
call_args(A) ::= ALL arg_list(L). { A.list = L; A.distinct = false; A.star = false; }

%type arg_list {eddy_expr_list *}
arg_list(A) ::= arg(E). { A = eddy_ast_expr_list_append(ctx->arena, NULL, E); }
arg_list(A) ::= arg_list(B) COMMA arg(E). { A = eddy_ast_expr_list_append(ctx->arena, B, E); }

%type arg {eddy_expr *}
arg(A) ::= arg_value(A).
arg(A) ::= arg_name(N) ARROW arg_value(V). {
    A = eddy_ast_expr(ctx->arena, EDDY_EXPR_NAMED_ARG, N->pos);
    A->u.named_arg.name = N;
    A->u.named_arg.value = V;
}

/* Named-argument names: identifiers, and OFFSET (HOP's and TUMBLE's `OFFSET => ...`). */
%type arg_name {eddy_ident *}
arg_name(A) ::= ident(A).
arg_name(A) ::= OFFSET(T). { A = tok_ident(ctx, &T); }

%type arg_value {eddy_expr *}
arg_value(A) ::= expr(A).
arg_value(A) ::= TABLE(T) qname(N) targ_partition_opt(P) targ_order_opt(O). {
    A = eddy_ast_expr(ctx->arena, EDDY_EXPR_TABLE_ARG, T.pos);
    A->u.table_arg.table = N;
    A->u.table_arg.partition = P;
    A->u.table_arg.order = O;
}
arg_value(A) ::= DESCRIPTOR(T) LP ident_list(L) RP. {
    A = eddy_ast_expr(ctx->arena, EDDY_EXPR_DESCRIPTOR, T.pos);
    A->u.descriptor = L;
}

/* TABLE t PARTITION BY k | PARTITION BY (k1, k2): a list needs parentheses, since a comma
 * would otherwise end the argument (Calcite's rule). The same for ORDER BY. */
%type targ_partition_opt {eddy_expr_list *}
targ_partition_opt(A) ::= . { A = NULL; }
targ_partition_opt(A) ::= PARTITION BY ename(N). {
    eddy_expr *e = eddy_ast_expr(ctx->arena, EDDY_EXPR_NAME, N->pos);
    e->u.name = N;
    A = eddy_ast_expr_list_append(ctx->arena, NULL, e);
}
targ_partition_opt(A) ::= PARTITION BY LP expr_list(B) RP. { A = B; }

%type targ_order_opt {eddy_order_list *}
targ_order_opt(A) ::= . { A = NULL; }
targ_order_opt(A) ::= ORDER BY ename(N) dir_opt(D) nulls_opt(U). {
    eddy_expr *e = eddy_ast_expr(ctx->arena, EDDY_EXPR_NAME, N->pos);
    e->u.name = N;
    A = eddy_ast_order_list_append(ctx->arena, NULL, e, D, U);
}
targ_order_opt(A) ::= ORDER BY LP order_list(B) RP. { A = B; }

/* 0 = not written, 1 = IGNORE NULLS, 2 = RESPECT NULLS */
%type nulls_treatment_opt {int}
nulls_treatment_opt(A) ::= . { A = 0; }
nulls_treatment_opt(A) ::= IGNORE NULLS. { A = 1; }
nulls_treatment_opt(A) ::= RESPECT NULLS. { A = 2; }

%type within_group_opt {eddy_order_list *}
within_group_opt(A) ::= . { A = NULL; }
within_group_opt(A) ::= WITHIN GROUP LP ORDER BY order_list(B) RP. { A = B; }

%type filter_opt {eddy_expr *}
filter_opt(A) ::= . { A = NULL; }
filter_opt(A) ::= FILTER LP WHERE expr(B) RP. { A = B; }

%type over_opt {eddy_over *}
over_opt(A) ::= . { A = NULL; }
over_opt(A) ::= OVER(O) LP window_spec(S) RP. {
    A = S;
    A->pos = O.pos;
}
over_opt(A) ::= OVER(O) ident(N). {
    A = eddy_ast_over(ctx->arena, O.pos);
    A->ref = N;
}

/* The inside of OVER (...) and WINDOW w AS (...); the caller sets the position. */
%type window_spec {eddy_over *}
window_spec(A) ::= window_partition_opt(P) orderby_opt(O) frame_opt(F). {
    A = eddy_ast_over(ctx->arena, (eddy_pos){0, 0, 0});
    A->partition = P;
    A->order = O;
    if (F) {
        A->frame = F->frame;
        A->between = F->between;
        A->lo = F->lo;
        A->hi = F->hi;
    }
}

%type window_partition_opt {eddy_expr_list *}
window_partition_opt(A) ::= . { A = NULL; }
window_partition_opt(A) ::= PARTITION BY expr_list(B). { A = B; }

%type frame_opt {frame_t *}
frame_opt(A) ::= . { A = NULL; }
frame_opt(A) ::= ROWS frame_extent(E). { A = E; A->frame = 1; }
frame_opt(A) ::= RANGE frame_extent(E). { A = E; A->frame = 2; }

%type frame_extent {frame_t *}
frame_extent(A) ::= frame_bound(B). {
    A = eddy_arena_zalloc(ctx->arena, sizeof *A);
    A->lo = B;
}
frame_extent(A) ::= BETWEEN frame_bound(L) AND frame_bound(H). {
    A = eddy_arena_zalloc(ctx->arena, sizeof *A);
    A->between = true;
    A->lo = L;
    A->hi = H;
}

%type frame_bound {eddy_frame_bound}
frame_bound(A) ::= UNBOUNDED PRECEDING. { A.kind = EDDY_BOUND_UNBOUNDED_PRECEDING; A.offset = NULL; }
frame_bound(A) ::= UNBOUNDED FOLLOWING. { A.kind = EDDY_BOUND_UNBOUNDED_FOLLOWING; A.offset = NULL; }
frame_bound(A) ::= CURRENT ROW. { A.kind = EDDY_BOUND_CURRENT_ROW; A.offset = NULL; }
frame_bound(A) ::= bexpr(E) PRECEDING. { A.kind = EDDY_BOUND_PRECEDING; A.offset = E; }
frame_bound(A) ::= bexpr(E) FOLLOWING. { A.kind = EDDY_BOUND_FOLLOWING; A.offset = E; }

/////////////////////////////////////// THE ENGINE PARSE.C DRIVES ////////////////////////////

%code {

/* One parse: the context the actions see, and Lemon's parser (embedded, Lemon's section
 * "Allocating The Parse Object On Stack": all calls to eddyParser() are in this file). */
struct eddy_grammar {
    eddy_parse_ctx ctx;  /* what the actions see */
    yyParser parser;     /* Lemon's state */
};

eddy_grammar *eddy_grammar_new(eddy_script *s, eddy_error *err)
{
    eddy_grammar *g = eddy_xcalloc(1, sizeof *g);
    g->ctx.arena = s->arena;
    g->ctx.script = s;
    g->ctx.err = err;
    g->ctx.text = s->text;
    eddyParserInit(&g->parser, &g->ctx);
    return g;
}

void eddy_grammar_free(eddy_grammar *g)
{
    if (g == NULL)
        return;
    eddyParserFinalize(&g->parser);
    free(g);
}

int eddy_grammar_feed(eddy_grammar *g, const eddy_token *tok, size_t prev_end)
{
    g->ctx.prev_end = prev_end;
    g->ctx.cur = *tok;
    eddyParser(&g->parser, tok->type, *tok);
    return g->ctx.err->code;
}

bool eddy_grammar_syntax_error(const eddy_grammar *g)
{
    return g->ctx.syntax_error;
}

int eddy_grammar_ntokens(void)
{
    return YYNTOKEN;
}

/* The action of state `state` for terminal `la`, without %fallback: Lemon's
 * yy_find_shift_action() minus the fallback (and the wildcard, which this grammar has not). */
static YYACTIONTYPE action_without_fallback(YYCODETYPE la, YYACTIONTYPE state)
{
    if (state > YY_MAX_SHIFT)
        return state; /* a pending reduction (the second half of a SHIFTREDUCE) */
    int i = yy_shift_ofst[state] + la;
    if (yy_lookahead[i] != la)
        return yy_default[state];
    return yy_action[i];
}

/* Whether the parser, in its current state, would shift terminal la (after whatever
 * reductions la causes), as la itself rather than through a fallback. The stack is not
 * touched: reductions pop a virtual stack made of the real one (read-only) below an overlay
 * of the states they push. */
static bool would_shift(const yyParser *p, YYCODETYPE la)
{
    enum { OVERLAY = 128 };
    YYACTIONTYPE overlay[OVERLAY];
    int nover = 0;
    int depth = (int)(p->yytos - p->yystack); /* index of the real stack's top */
    YYACTIONTYPE act = p->yytos->stateno;
    for (int steps = 0; steps < 10000; steps++) {
        act = action_without_fallback(la, act);
        if (act >= YY_MIN_REDUCE && act <= YY_MAX_REDUCE) {
            unsigned rule = act - YY_MIN_REDUCE;
            int pop = -yyRuleInfoNRhs[rule];
            while (pop-- > 0) {
                if (nover > 0)
                    nover--;
                else if (depth > 0)
                    depth--;
            }
            YYACTIONTYPE under = nover > 0 ? overlay[nover - 1] : p->yystack[depth].stateno;
            act = yy_find_reduce_action(under, (YYCODETYPE)yyRuleInfoLhs[rule]);
            if (nover == OVERLAY)
                return false;
            overlay[nover++] = act;
        } else if (act <= YY_MAX_SHIFTREDUCE || act == YY_ACCEPT_ACTION) {
            return true;
        } else {
            return false; /* YY_ERROR_ACTION */
        }
    }
    return false;
}

int eddy_grammar_expected(const eddy_grammar *g, int *codes, int max)
{
    int n = 0;
    for (int t = 0; t < YYNTOKEN && n < max; t++) {
        if (would_shift(&g->parser, (YYCODETYPE)t))
            codes[n++] = t;
    }
    return n;
}

/* %syntax_error: the first error of the parse, at the token Lemon could not take. */
static void syntax_error(eddy_parse_ctx *c, int major, const eddy_token *t)
{
    if (c->err->code != 0)
        return;
    c->syntax_error = true;
    if (major == 0) {
        eddy_error_set(c->err, EDDY_ESYNTAX, t->pos.line, t->pos.col, "syntax error at end of input");
        return;
    }
    /* the token as written, cut at a line end and at 40 bytes */
    int n = 0;
    while (n < t->n && t->z[n] != '\n' && t->z[n] != '\r')
        n++;
    const char *more = n < t->n || n > 40 ? "..." : "";
    if (n > 40)
        n = 40;
    eddy_error_set(c->err, EDDY_ESYNTAX, t->pos.line, t->pos.col, "syntax error near '%.*s%s'", n,
                   t->z, more);
}

} /* end %code */
