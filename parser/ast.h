/*
 * ast.h: the syntax tree of eddy's SQL dialect (Flink SQL).
 *
 * The parser builds this tree and nothing else: it reads no catalog and resolves no name
 * (that is the planner's binder). Every node carries the position of its first token so that
 * later phases can point at it in an error.
 *
 * Memory: every node, list and string of one parse lives in the script's arena (eddy_script),
 * and is freed all at once by eddy_script_free(). Nothing in the tree is freed on its own, so a
 * half-built tree after a syntax error leaks nothing: the arena goes with it.
 *
 * Lists are arrays of pointers with a count (n) and a capacity (cap), grown in the arena by
 * eddy_ast_*_append(). A NULL list pointer means "absent" (no GROUP BY), a list with n == 0
 * means "present but empty" (f()).
 *
 * Names: identifiers are stored unquoted (`dateTime` -> dateTime) with a flag saying whether
 * they were quoted, so that the printer can quote where needed. Case is kept as written; the
 * binder decides how to match (Flink: case-sensitive).
 */
#ifndef EDDY_PARSER_AST_H
#define EDDY_PARSER_AST_H

#include <stdbool.h>
#include <stddef.h>

#include "../common/arena.h"
#include "../common/sqltype.h"
#include "../common/strbuf.h"

typedef struct eddy_pos {
    int line; /* 1-based line, 0 = unknown */
    int col;  /* 1-based column in bytes */
    int off;  /* byte offset of the first byte in the SQL text */
} eddy_pos;

typedef struct eddy_expr eddy_expr;
typedef struct eddy_query eddy_query;
typedef struct eddy_select eddy_select;
typedef struct eddy_tableref eddy_tableref;
typedef struct eddy_stmt eddy_stmt;

/* An identifier as written. */
typedef struct eddy_ident {
    const char *name; /* unquoted text, NUL-terminated, in the arena */
    bool quoted;      /* was `quoted` or "quoted" */
    eddy_pos pos;     /* where it starts */
} eddy_ident;

/* A dotted name: t, db.t, cat.db.t, or t.col, t.row.field in expressions. */
typedef struct eddy_name {
    eddy_ident *parts; /* array of nparts identifiers */
    int nparts;        /* >= 1 */
    int cap;           /* capacity of parts */
    eddy_pos pos;      /* position of the first part */
} eddy_name;

/* ---------------------------------------------------------------------------------------- */
/* Lists                                                                                     */

typedef struct eddy_expr_list {
    eddy_expr **a; /* elements */
    int n;         /* count */
    int cap;       /* capacity */
} eddy_expr_list;

/* A SELECT item: expr [AS alias]. `*` and `t.*` are expressions of kind EDDY_EXPR_STAR. */
typedef struct eddy_select_item {
    eddy_expr *expr;    /* the expression */
    eddy_ident *alias;  /* AS alias, or NULL */
} eddy_select_item;

typedef struct eddy_select_list {
    eddy_select_item *a; /* elements, by value */
    int n;
    int cap;
} eddy_select_list;

/* ORDER BY item. */
typedef struct eddy_order_item {
    eddy_expr *expr;   /* sort key */
    int dir;           /* 0 = not written, 1 = ASC, -1 = DESC */
    int nulls;         /* 0 = not written, 1 = NULLS FIRST, -1 = NULLS LAST */
} eddy_order_item;

typedef struct eddy_order_list {
    eddy_order_item *a;
    int n;
    int cap;
} eddy_order_list;

/* 'key' = 'value' in WITH (...), SET, and table hints. */
typedef struct eddy_option {
    const char *key;   /* unquoted key */
    const char *value; /* unquoted value */
    eddy_pos pos;      /* position of the key */
    eddy_pos vpos;     /* position of the value */
} eddy_option;

typedef struct eddy_option_list {
    eddy_option *a;
    int n;
    int cap;
} eddy_option_list;

typedef struct eddy_ident_list {
    eddy_ident *a;
    int n;
    int cap;
} eddy_ident_list;

/* ---------------------------------------------------------------------------------------- */
/* Expressions                                                                               */

typedef enum eddy_expr_kind {
    EDDY_EXPR_LITERAL,   /* number, string, boolean, NULL, typed literal, INTERVAL */
    EDDY_EXPR_NAME,      /* column or field reference: a, t.a, t.row.field (binder decides) */
    EDDY_EXPR_STAR,      /* * or t.* (u.star.qualifier) */
    EDDY_EXPR_UNARY,     /* -x, +x, NOT x */
    EDDY_EXPR_BINARY,    /* x op y (arithmetic, comparison, AND, OR, ||) */
    EDDY_EXPR_IS,        /* x IS [NOT] NULL|TRUE|FALSE|UNKNOWN, x IS [NOT] DISTINCT FROM y */
    EDDY_EXPR_BETWEEN,   /* x [NOT] BETWEEN [SYMMETRIC] lo AND hi */
    EDDY_EXPR_IN,        /* x [NOT] IN (list) | x [NOT] IN (subquery) */
    EDDY_EXPR_LIKE,      /* x [NOT] LIKE|SIMILAR TO pattern [ESCAPE e] */
    EDDY_EXPR_CASE,      /* CASE [operand] WHEN .. THEN .. [ELSE ..] END */
    EDDY_EXPR_CAST,      /* CAST(x AS type), TRY_CAST(x AS type) */
    EDDY_EXPR_CALL,      /* f(args), aggregates, window functions, special-syntax calls */
    EDDY_EXPR_FIELD,     /* (expr).field, where the base is not a plain name */
    EDDY_EXPR_SUBSCRIPT, /* x[i], m['k'] */
    EDDY_EXPR_SUBQUERY,  /* (SELECT ...) as a scalar */
    EDDY_EXPR_EXISTS,    /* EXISTS (SELECT ...) */
    EDDY_EXPR_ROW,       /* ROW(a, b) or (a, b) */
    EDDY_EXPR_ARRAY,     /* ARRAY[a, b] */
    EDDY_EXPR_MAP,       /* MAP[k1, v1, k2, v2] */
    EDDY_EXPR_TABLE_ARG, /* TABLE t [PARTITION BY cols] [ORDER BY ..], argument of a table function */
    EDDY_EXPR_DESCRIPTOR,/* DESCRIPTOR(col, ...), argument of a table function */
    EDDY_EXPR_NAMED_ARG, /* name => expr, a named argument of a table function */
    EDDY_EXPR_TIME_UNIT, /* a bare unit keyword as an argument: TIMESTAMPADD(DAY, 1, ts) */
    EDDY_EXPR__COUNT
} eddy_expr_kind;

typedef enum eddy_lit_kind {
    EDDY_LIT_NULL,
    EDDY_LIT_TRUE,
    EDDY_LIT_FALSE,
    EDDY_LIT_UNKNOWN,
    EDDY_LIT_INTEGER,   /* 123: text holds the digits */
    EDDY_LIT_DECIMAL,   /* 1.50, .5: text as written */
    EDDY_LIT_FLOAT,     /* 1e10, 1.5E-3: text as written */
    EDDY_LIT_STRING,    /* 'it''s' -> text it's */
    EDDY_LIT_BINARY,    /* X'0AFF' -> text 0AFF */
    EDDY_LIT_DATE,      /* DATE '2020-01-01' -> text 2020-01-01 */
    EDDY_LIT_TIME,      /* TIME '12:00:00' */
    EDDY_LIT_TIMESTAMP, /* TIMESTAMP '2020-01-01 12:00:00.000' */
    EDDY_LIT_TIMESTAMP_LTZ, /* TIMESTAMP_LTZ '...' */
    EDDY_LIT_INTERVAL,  /* INTERVAL [-]'text' unit [(p)] [TO unit [(p)]] */
} eddy_lit_kind;

typedef enum eddy_op {
    EDDY_OP_NONE = 0,
    /* unary */
    EDDY_OP_NEG,    /* -x */
    EDDY_OP_PLUS,   /* +x */
    EDDY_OP_NOT,    /* NOT x */
    /* binary, arithmetic */
    EDDY_OP_ADD,
    EDDY_OP_SUB,
    EDDY_OP_MUL,
    EDDY_OP_DIV,
    EDDY_OP_MOD,    /* % */
    EDDY_OP_CONCAT, /* || */
    /* binary, comparison */
    EDDY_OP_EQ,     /* = (== is accepted and printed as =) */
    EDDY_OP_NE,     /* <> (!= is accepted and printed as <>) */
    EDDY_OP_LT,
    EDDY_OP_LE,
    EDDY_OP_GT,
    EDDY_OP_GE,
    /* binary, logical */
    EDDY_OP_AND,
    EDDY_OP_OR,
} eddy_op;

/* What follows IS [NOT]. */
typedef enum eddy_is_kind {
    EDDY_IS_NULL,
    EDDY_IS_TRUE,
    EDDY_IS_FALSE,
    EDDY_IS_UNKNOWN,
    EDDY_IS_DISTINCT_FROM, /* uses u.is.rhs */
} eddy_is_kind;

/* Calls whose SQL syntax is not f(a, b, ...); the printer gives them back in their own form. */
typedef enum eddy_call_syntax {
    EDDY_CALL_PLAIN = 0,   /* f(a, b) */
    EDDY_CALL_EXTRACT,     /* EXTRACT(unit FROM x): args = [TIME_UNIT, x] */
    EDDY_CALL_FLOOR_TO,    /* FLOOR(x TO unit): args = [x, TIME_UNIT] */
    EDDY_CALL_CEIL_TO,     /* CEIL(x TO unit):  args = [x, TIME_UNIT] */
    EDDY_CALL_TRIM,        /* TRIM([BOTH|LEADING|TRAILING] [chars] FROM s): args = [s] or [s, chars],
                              trim_side = 0 both-not-written, 1 BOTH, 2 LEADING, 3 TRAILING */
    EDDY_CALL_SUBSTRING_FROM, /* SUBSTRING(s FROM a [FOR b]): args = [s, a] or [s, a, b] */
    EDDY_CALL_POSITION_IN, /* POSITION(a IN b): args = [a, b] */
    EDDY_CALL_OVERLAY,     /* OVERLAY(s PLACING r FROM a [FOR b]): args = [s, r, a] or [s, r, a, b] */
    EDDY_CALL_NILADIC,     /* CURRENT_TIMESTAMP, LOCALTIMESTAMP, CURRENT_DATE, ... without () */
} eddy_call_syntax;

/* A window frame bound in OVER (... ROWS|RANGE BETWEEN lo AND hi). */
typedef enum eddy_bound_kind {
    EDDY_BOUND_UNBOUNDED_PRECEDING,
    EDDY_BOUND_PRECEDING,       /* expr PRECEDING */
    EDDY_BOUND_CURRENT_ROW,
    EDDY_BOUND_FOLLOWING,       /* expr FOLLOWING */
    EDDY_BOUND_UNBOUNDED_FOLLOWING,
} eddy_bound_kind;

typedef struct eddy_frame_bound {
    eddy_bound_kind kind;   /* which bound */
    eddy_expr *offset;      /* for PRECEDING / FOLLOWING: 10 or INTERVAL '1' HOUR */
} eddy_frame_bound;

/* OVER (...) of a window (analytic) function call, or OVER name. */
typedef struct eddy_over {
    eddy_ident *ref;             /* OVER w (named window), else NULL */
    eddy_expr_list *partition;   /* PARTITION BY, or NULL */
    eddy_order_list *order;      /* ORDER BY, or NULL */
    int frame;                   /* 0 = no frame, 1 = ROWS, 2 = RANGE */
    bool between;                /* written as BETWEEN lo AND hi (else just lo) */
    eddy_frame_bound lo;         /* start bound */
    eddy_frame_bound hi;         /* end bound (when between) */
    eddy_pos pos;                /* position of OVER */
} eddy_over;

struct eddy_expr {
    eddy_expr_kind kind;  /* which member of u is valid */
    eddy_pos pos;         /* first token of the expression */
    union {
        struct {
            eddy_lit_kind kind;  /* which literal */
            const char *text;    /* see eddy_lit_kind; NULL for NULL/TRUE/FALSE/UNKNOWN */
            bool negative;       /* INTERVAL -'5' SECOND (sign outside the string) */
            eddy_time_unit from; /* INTERVAL start unit */
            int from_precision;  /* INTERVAL '5' SECOND(3): 3; -1 if not written */
            eddy_time_unit to;   /* INTERVAL ... TO unit, or EDDY_UNIT_NONE */
            int to_precision;    /* -1 if not written */
        } lit;
        eddy_name *name;         /* EDDY_EXPR_NAME */
        struct {
            eddy_name *qualifier; /* t in t.*, or NULL for * */
        } star;
        struct {
            eddy_op op;           /* NEG, PLUS or NOT */
            eddy_expr *arg;
        } unary;
        struct {
            eddy_op op;           /* arithmetic, comparison or logical */
            eddy_expr *lhs;
            eddy_expr *rhs;
        } binary;
        struct {
            eddy_expr *arg;       /* left operand */
            eddy_is_kind what;    /* NULL, TRUE, ... */
            bool negated;         /* IS NOT */
            eddy_expr *rhs;       /* for IS [NOT] DISTINCT FROM */
        } is;
        struct {
            eddy_expr *arg;
            eddy_expr *lo;
            eddy_expr *hi;
            bool negated;         /* NOT BETWEEN */
            int symmetric;        /* 0 not written, 1 SYMMETRIC, 2 ASYMMETRIC */
        } between;
        struct {
            eddy_expr *arg;
            eddy_expr_list *list; /* IN (a, b), or NULL */
            eddy_query *query;    /* IN (SELECT ...), or NULL */
            bool negated;         /* NOT IN */
        } in;
        struct {
            eddy_expr *arg;
            eddy_expr *pattern;
            eddy_expr *escape;    /* ESCAPE 'x', or NULL */
            bool negated;         /* NOT LIKE */
            bool similar;         /* SIMILAR TO instead of LIKE */
        } like;
        struct {
            eddy_expr *operand;   /* CASE x WHEN ..., or NULL for searched CASE */
            eddy_expr_list *whens;/* WHEN conditions/values */
            eddy_expr_list *thens;/* THEN results, same count as whens */
            eddy_expr *else_;     /* ELSE, or NULL */
        } case_;
        struct {
            eddy_expr *arg;
            eddy_sqltype *type;   /* target type */
            bool try_;            /* TRY_CAST */
        } cast;
        struct {
            eddy_name *func;      /* function name (may be qualified) */
            eddy_expr_list *args; /* arguments, never NULL for calls with (), may be empty */
            bool distinct;        /* f(DISTINCT x) */
            bool star;            /* COUNT(*): args is empty */
            eddy_call_syntax syntax; /* how it was written */
            int trim_side;        /* for EDDY_CALL_TRIM */
            eddy_expr *filter;    /* FILTER (WHERE cond), or NULL */
            eddy_over *over;      /* OVER (...), or NULL */
            eddy_order_list *within_group; /* WITHIN GROUP (ORDER BY ...), or NULL */
            int nulls_treatment;  /* 0 not written, 1 IGNORE NULLS, 2 RESPECT NULLS */
        } call;
        struct {
            eddy_expr *base;      /* (expr) */
            eddy_ident *field;    /* .field */
        } field;
        struct {
            eddy_expr *base;
            eddy_expr *index;
        } subscript;
        eddy_query *subquery;     /* EDDY_EXPR_SUBQUERY and EDDY_EXPR_EXISTS */
        struct {
            eddy_expr_list *items; /* ROW / ARRAY / MAP elements (MAP: k, v, k, v) */
            bool explicit_kw;      /* ROW(a, b) vs (a, b) */
        } ctor;
        struct {
            eddy_name *table;           /* TABLE t */
            eddy_query *query;          /* TABLE(...) is not allowed; a subquery arg is (SELECT ...) */
            eddy_expr_list *partition;  /* PARTITION BY cols, or NULL */
            eddy_order_list *order;     /* ORDER BY, or NULL */
        } table_arg;
        eddy_ident_list *descriptor;    /* DESCRIPTOR(a, b) */
        struct {
            eddy_ident *name;           /* DATA, TIMECOL, SIZE, ... */
            eddy_expr *value;
        } named_arg;
        eddy_time_unit unit;            /* EDDY_EXPR_TIME_UNIT */
    } u;
};

/* ---------------------------------------------------------------------------------------- */
/* Queries                                                                                   */

typedef enum eddy_tableref_kind {
    EDDY_TABLEREF_NAME,     /* t [AS a] [FOR SYSTEM_TIME AS OF expr] */
    EDDY_TABLEREF_SUBQUERY, /* (query) [AS] a [(cols)] */
    EDDY_TABLEREF_FUNCTION, /* TABLE(f(args)) / LATERAL TABLE(f(args)) [AS] a [(cols)] */
    EDDY_TABLEREF_UNNEST,   /* UNNEST(expr, ...) [WITH ORDINALITY] [AS] a [(cols)] */
    EDDY_TABLEREF_JOIN,     /* left JOIN right ON cond | USING (cols) */
} eddy_tableref_kind;

typedef enum eddy_join_kind {
    EDDY_JOIN_COMMA,        /* FROM a, b */
    EDDY_JOIN_INNER,        /* [INNER] JOIN (inner_kw says whether INNER was written) */
    EDDY_JOIN_LEFT,         /* LEFT [OUTER] JOIN */
    EDDY_JOIN_RIGHT,        /* RIGHT [OUTER] JOIN */
    EDDY_JOIN_FULL,         /* FULL [OUTER] JOIN */
    EDDY_JOIN_CROSS,        /* CROSS JOIN */
} eddy_join_kind;

struct eddy_tableref {
    eddy_tableref_kind kind;
    eddy_pos pos;               /* first token */
    eddy_ident *alias;          /* [AS] alias, or NULL */
    eddy_ident_list *alias_cols;/* alias (c1, c2), or NULL */
    union {
        struct {
            eddy_name *name;            /* table or view name */
            eddy_expr *system_time;     /* FOR SYSTEM_TIME AS OF expr, or NULL */
            eddy_option_list *hints;    /* hint OPTIONS('k'='v') after the name, or NULL */
        } table;
        eddy_query *subquery;           /* EDDY_TABLEREF_SUBQUERY */
        struct {
            eddy_expr *call;            /* the table function call (EDDY_EXPR_CALL) */
            bool lateral;               /* LATERAL TABLE(...) */
        } func;
        struct {
            eddy_expr_list *args;       /* UNNEST arguments */
            bool ordinality;            /* WITH ORDINALITY */
        } unnest;
        struct {
            eddy_join_kind kind;
            bool natural;               /* NATURAL JOIN */
            bool inner_kw;              /* INNER was written */
            bool outer_kw;              /* OUTER was written */
            eddy_tableref *left;
            eddy_tableref *right;
            eddy_expr *on;              /* ON cond, or NULL */
            eddy_ident_list *using_;    /* USING (cols), or NULL */
        } join;
    } u;
};

typedef struct eddy_tableref_list {
    eddy_tableref **a;
    int n;
    int cap;
} eddy_tableref_list;

/* A named window in WINDOW w AS (...). */
typedef struct eddy_named_window {
    eddy_ident *name;
    eddy_over *spec;
} eddy_named_window;

/* One SELECT block. */
struct eddy_select {
    eddy_pos pos;                /* position of SELECT */
    int quantifier;              /* 0 not written, 1 DISTINCT, 2 ALL */
    eddy_select_list *items;     /* the select list, n >= 1 */
    eddy_tableref *from;         /* FROM: a single ref; a, b is a JOIN of kind COMMA; NULL if absent */
    eddy_expr *where;            /* WHERE, or NULL */
    eddy_expr_list *group_by;    /* GROUP BY, or NULL; window calls like TUMBLE(ts, ...) are items */
    eddy_expr *having;           /* HAVING, or NULL */
    eddy_named_window *windows;  /* WINDOW clause, or NULL */
    int nwindows;
};

typedef enum eddy_query_kind {
    EDDY_QUERY_SELECT,   /* u.select */
    EDDY_QUERY_SETOP,    /* u.setop: left UNION|INTERSECT|EXCEPT [ALL|DISTINCT] right */
    EDDY_QUERY_VALUES,   /* u.values: VALUES (..), (..) */
    EDDY_QUERY_PAREN,    /* u.inner: ( query ) used as an operand of a set operation */
} eddy_query_kind;

typedef enum eddy_setop {
    EDDY_SETOP_UNION,
    EDDY_SETOP_INTERSECT,
    EDDY_SETOP_EXCEPT,
} eddy_setop;

/* Common table expression in WITH. */
typedef struct eddy_cte {
    eddy_ident *name;
    eddy_ident_list *cols;  /* name (c1, c2), or NULL */
    eddy_query *query;
} eddy_cte;

struct eddy_query {
    eddy_query_kind kind;
    eddy_pos pos;
    eddy_cte *with;              /* WITH ctes (only on the outermost query of a block), or NULL */
    int nwith;
    union {
        eddy_select *select;
        struct {
            eddy_setop op;
            int quantifier;      /* 0 not written, 1 DISTINCT, 2 ALL */
            eddy_query *left;
            eddy_query *right;
        } setop;
        struct {
            eddy_expr_list **rows; /* each row is a list of expressions */
            int nrows;
            int cap;
        } values;
        eddy_query *inner;
    } u;
    eddy_order_list *order_by;   /* ORDER BY, or NULL */
    eddy_expr *limit;            /* LIMIT n / FETCH FIRST n ROWS ONLY, or NULL */
    eddy_expr *offset;           /* OFFSET n, or NULL */
    bool fetch_first;            /* written as FETCH FIRST n ROWS ONLY */
};

/* ---------------------------------------------------------------------------------------- */
/* Statements                                                                                */

typedef enum eddy_stmt_kind {
    EDDY_STMT_QUERY,            /* SELECT ... (push query) */
    EDDY_STMT_CREATE_TABLE,
    EDDY_STMT_CREATE_VIEW,
    EDDY_STMT_CREATE_FUNCTION,
    EDDY_STMT_DROP,             /* DROP TABLE|VIEW|FUNCTION */
    EDDY_STMT_SHOW,             /* SHOW TABLES|VIEWS|JOBS|FUNCTIONS|CREATE TABLE x|... */
    EDDY_STMT_DESCRIBE,         /* DESCRIBE|DESC name */
    EDDY_STMT_SET,              /* SET ['k' = 'v'] */
    EDDY_STMT_RESET,            /* RESET ['k'] */
    EDDY_STMT_EXPLAIN,          /* EXPLAIN [PLAN FOR] stmt */
    EDDY_STMT_INSERT,           /* INSERT INTO|OVERWRITE t [(cols)] query */
    EDDY_STMT_STATEMENT_SET,    /* EXECUTE STATEMENT SET BEGIN insert; ... END, BEGIN STATEMENT SET; ... END */
    EDDY_STMT_STOP_JOB,         /* STOP JOB 'id' [WITH SAVEPOINT] [WITH DRAIN] */
    EDDY_STMT_USE,              /* USE [CATALOG] name */
} eddy_stmt_kind;

/* One column definition in CREATE TABLE. */
typedef enum eddy_column_kind {
    EDDY_COLUMN_PHYSICAL,       /* name TYPE */
    EDDY_COLUMN_COMPUTED,       /* name AS expr */
    EDDY_COLUMN_METADATA,       /* name TYPE METADATA [FROM 'key'] [VIRTUAL] */
} eddy_column_kind;

typedef struct eddy_column_def {
    eddy_column_kind kind;
    eddy_ident *name;
    eddy_sqltype *type;         /* PHYSICAL and METADATA; NULL for COMPUTED */
    eddy_expr *expr;            /* COMPUTED */
    const char *metadata_key;   /* METADATA FROM 'key', or NULL */
    bool is_virtual;            /* METADATA ... VIRTUAL */
    bool primary_key;           /* name TYPE PRIMARY KEY NOT ENFORCED (column constraint) */
    const char *comment;        /* COMMENT '...', or NULL */
    eddy_pos pos;
} eddy_column_def;

typedef struct eddy_create_table {
    eddy_name *name;
    bool temporary;
    bool if_not_exists;
    eddy_column_def *cols;       /* column definitions */
    int ncols;
    int cap;
    eddy_ident *wm_column;       /* WATERMARK FOR col AS expr: col, or NULL */
    eddy_expr *wm_expr;          /* ... and expr */
    eddy_pos wm_pos;             /* position of WATERMARK */
    eddy_ident_list *primary_key;/* PRIMARY KEY (cols) NOT ENFORCED, or NULL */
    const char *pk_constraint;   /* CONSTRAINT name before PRIMARY KEY, or NULL */
    const char *comment;         /* COMMENT '...' after the column list, or NULL */
    eddy_ident_list *partitioned_by; /* PARTITIONED BY (cols), or NULL */
    eddy_option_list *options;   /* WITH (...), or NULL */
    eddy_name *like;             /* LIKE other_table, or NULL */
    eddy_query *as_query;        /* CREATE TABLE t WITH (...) AS SELECT ..., or NULL */
} eddy_create_table;

typedef enum eddy_object_kind {
    EDDY_OBJECT_TABLE,
    EDDY_OBJECT_VIEW,
    EDDY_OBJECT_FUNCTION,
    EDDY_OBJECT_DATABASE,
    EDDY_OBJECT_CATALOG,
} eddy_object_kind;

typedef enum eddy_show_kind {
    EDDY_SHOW_TABLES,
    EDDY_SHOW_VIEWS,
    EDDY_SHOW_JOBS,
    EDDY_SHOW_FUNCTIONS,
    EDDY_SHOW_CATALOGS,
    EDDY_SHOW_DATABASES,
    EDDY_SHOW_CREATE_TABLE,     /* uses name */
    EDDY_SHOW_CREATE_VIEW,      /* uses name */
} eddy_show_kind;

struct eddy_stmt {
    eddy_stmt_kind kind;
    eddy_pos pos;               /* first token of the statement */
    size_t src_off;             /* byte range of the statement's text in the script, */
    size_t src_len;             /* without the closing ';' */
    union {
        eddy_query *query;              /* EDDY_STMT_QUERY */
        eddy_create_table *create_table;
        struct {
            eddy_name *name;
            bool temporary;
            bool if_not_exists;
            eddy_ident_list *cols;      /* CREATE VIEW v (a, b) AS ..., or NULL */
            eddy_query *query;
            const char *comment;        /* COMMENT '...', or NULL */
        } create_view;
        struct {
            eddy_name *name;
            bool temporary;
            bool temporary_system;      /* CREATE TEMPORARY SYSTEM FUNCTION */
            bool if_not_exists;
            const char *class_name;     /* AS 'com.example.Fn' */
            const char *language;       /* LANGUAGE JAVA|SCALA|PYTHON, or NULL */
        } create_function;
        struct {
            eddy_object_kind what;
            eddy_name *name;
            bool temporary;
            bool if_exists;
        } drop;
        struct {
            eddy_show_kind what;
            eddy_name *name;            /* SHOW CREATE TABLE name */
        } show;
        struct {
            eddy_name *name;
            bool extended;              /* DESCRIBE EXTENDED */
            bool desc_kw;               /* written as DESC */
        } describe;
        struct {
            const char *key;            /* NULL for a bare SET / RESET */
            const char *value;          /* NULL for RESET */
        } set;
        struct {
            eddy_stmt *stmt;            /* the explained statement */
            bool plan_for;              /* EXPLAIN PLAN FOR */
            eddy_ident_list *details;   /* EXPLAIN CHANGELOG_MODE, ESTIMATED_COST, ... stmt, or NULL */
        } explain;
        struct {
            eddy_name *table;
            bool overwrite;             /* INSERT OVERWRITE */
            eddy_option_list *hints;    /* hint OPTIONS(...) on the target, or NULL */
            eddy_option_list *partition;/* PARTITION (k = 'v', ...), or NULL */
            eddy_ident_list *cols;      /* (c1, c2), or NULL */
            eddy_query *query;
        } insert;
        struct {
            eddy_stmt **stmts;          /* the INSERT statements */
            int n;
            int cap;
            bool execute_kw;            /* EXECUTE STATEMENT SET BEGIN ... END vs BEGIN STATEMENT SET; ... END; */
        } statement_set;
        struct {
            const char *job_id;
            bool with_savepoint;
            bool with_drain;
        } stop_job;
        struct {
            eddy_name *name;
            bool catalog;               /* USE CATALOG */
        } use;
    } u;
};

/* A parsed script: the statements of one text, and the arena that holds them. */
typedef struct eddy_script {
    eddy_stmt **stmts;      /* statements in order */
    int n;                  /* count */
    int cap;
    eddy_arena *arena;      /* owns every node */
    const char *text;       /* copy of the parsed text, NUL-terminated, in the arena */
    size_t len;             /* its length */
} eddy_script;

/* ---------------------------------------------------------------------------------------- */
/* Construction (used by the grammar's actions; all allocate in arena a)                     */

eddy_expr *eddy_ast_expr(eddy_arena *a, eddy_expr_kind kind, eddy_pos pos);
eddy_ident *eddy_ast_ident(eddy_arena *a, const char *text, size_t n, bool quoted, eddy_pos pos);
eddy_name *eddy_ast_name(eddy_arena *a, eddy_ident *first);
eddy_name *eddy_ast_name_append(eddy_arena *a, eddy_name *name, eddy_ident *part);
eddy_expr_list *eddy_ast_expr_list_append(eddy_arena *a, eddy_expr_list *list, eddy_expr *e);
eddy_select_list *eddy_ast_select_list_append(eddy_arena *a, eddy_select_list *list,
                                              eddy_expr *e, eddy_ident *alias);
eddy_order_list *eddy_ast_order_list_append(eddy_arena *a, eddy_order_list *list, eddy_expr *e,
                                            int dir, int nulls);
eddy_option_list *eddy_ast_option_list_append(eddy_arena *a, eddy_option_list *list,
                                              const char *key, eddy_pos pos, const char *value,
                                              eddy_pos vpos);
eddy_ident_list *eddy_ast_ident_list_append(eddy_arena *a, eddy_ident_list *list, eddy_ident *id);
eddy_tableref_list *eddy_ast_tableref_list_append(eddy_arena *a, eddy_tableref_list *list,
                                                  eddy_tableref *t);
eddy_tableref *eddy_ast_tableref(eddy_arena *a, eddy_tableref_kind kind, eddy_pos pos);
eddy_select *eddy_ast_select(eddy_arena *a, eddy_pos pos);
eddy_query *eddy_ast_query(eddy_arena *a, eddy_query_kind kind, eddy_pos pos);
eddy_query *eddy_ast_values_append(eddy_arena *a, eddy_query *values, eddy_expr_list *row);
eddy_stmt *eddy_ast_stmt(eddy_arena *a, eddy_stmt_kind kind, eddy_pos pos);
eddy_create_table *eddy_ast_create_table(eddy_arena *a);
void eddy_ast_create_table_add_column(eddy_arena *a, eddy_create_table *ct, eddy_column_def col);
eddy_stmt *eddy_ast_statement_set_append(eddy_arena *a, eddy_stmt *set, eddy_stmt *insert);
eddy_sqltype *eddy_ast_type(eddy_arena *a, eddy_type_kind kind);
void eddy_ast_type_add_field(eddy_arena *a, eddy_sqltype *row, const char *name,
                             eddy_sqltype *type, const char *comment);
eddy_over *eddy_ast_over(eddy_arena *a, eddy_pos pos);
void eddy_ast_script_append(eddy_script *s, eddy_stmt *stmt);

/* ---------------------------------------------------------------------------------------- */
/* Printing                                                                                  */

/* Appends SQL text for a node to buf. The output parses back to an equal tree (see
 * eddy_ast_dump_*): identifiers are quoted with backquotes where needed (keywords, special
 * characters, case), strings re-escaped, parentheses added where precedence needs them. */
void eddy_ast_print_stmt(eddy_strbuf *buf, const eddy_stmt *stmt);
void eddy_ast_print_query(eddy_strbuf *buf, const eddy_query *q);
void eddy_ast_print_expr(eddy_strbuf *buf, const eddy_expr *e);
void eddy_ast_print_type(eddy_strbuf *buf, const eddy_sqltype *t);
/* Every statement followed by ";\n". */
void eddy_ast_print_script(eddy_strbuf *buf, const eddy_script *s);

/* Appends an S-expression of the whole tree, every field included except positions (or with
 * positions when with_pos): two trees are equal exactly when their dumps are equal. */
void eddy_ast_dump_stmt(eddy_strbuf *buf, const eddy_stmt *stmt, bool with_pos);
void eddy_ast_dump_expr(eddy_strbuf *buf, const eddy_expr *e, bool with_pos);

/* Names for messages and dumps. */
const char *eddy_ast_op_sql(eddy_op op);            /* "+", "AND", ... */
const char *eddy_ast_expr_kind_name(eddy_expr_kind k);
const char *eddy_ast_stmt_kind_name(eddy_stmt_kind k);

#endif
