/*
 * sqltype.h: the SQL data types of eddy's dialect (Flink's), shared by the parser's AST, the
 * planner's schemas and the runtime's columns.
 *
 * A type is a kind plus its parameters. Parameters that the SQL text did not give are -1 so
 * that printing gives back what the user wrote (VARCHAR stays VARCHAR, not VARCHAR(2147483647)).
 * Nested types (ARRAY, MAP, MULTISET, ROW) point at their element types; who owns them is said
 * by the structure that holds the type (the AST's arena, the catalog, ...).
 */
#ifndef EDDY_COMMON_SQLTYPE_H
#define EDDY_COMMON_SQLTYPE_H

#include <stdbool.h>

typedef enum eddy_type_kind {
    EDDY_TYPE_NULL = 0,   /* the type of a bare NULL literal before it is cast */
    EDDY_TYPE_BOOLEAN,
    EDDY_TYPE_TINYINT,
    EDDY_TYPE_SMALLINT,
    EDDY_TYPE_INT,
    EDDY_TYPE_BIGINT,
    EDDY_TYPE_FLOAT,      /* FLOAT, REAL */
    EDDY_TYPE_DOUBLE,     /* DOUBLE, DOUBLE PRECISION */
    EDDY_TYPE_DECIMAL,    /* DECIMAL(p, s), DEC, NUMERIC */
    EDDY_TYPE_CHAR,       /* CHAR(n) */
    EDDY_TYPE_VARCHAR,    /* VARCHAR(n); STRING is VARCHAR with string_kw set */
    EDDY_TYPE_BINARY,     /* BINARY(n) */
    EDDY_TYPE_VARBINARY,  /* VARBINARY(n); BYTES is VARBINARY with string_kw set */
    EDDY_TYPE_DATE,
    EDDY_TYPE_TIME,       /* TIME(p) */
    EDDY_TYPE_TIMESTAMP,  /* TIMESTAMP(p) [WITHOUT TIME ZONE] */
    EDDY_TYPE_TIMESTAMP_LTZ, /* TIMESTAMP_LTZ(p), TIMESTAMP(p) WITH LOCAL TIME ZONE */
    EDDY_TYPE_INTERVAL,   /* INTERVAL <from> [TO <to>]; see interval fields */
    EDDY_TYPE_ARRAY,      /* ARRAY<T>, T ARRAY */
    EDDY_TYPE_MULTISET,   /* MULTISET<T> */
    EDDY_TYPE_MAP,        /* MAP<K, V> */
    EDDY_TYPE_ROW,        /* ROW<name T, ...>, ROW(name T, ...) */
    EDDY_TYPE_RAW,        /* RAW('class', 'snapshot') accepted for completeness */
    EDDY_TYPE__COUNT
} eddy_type_kind;

/* Units of time, used by INTERVAL literals and types, EXTRACT, FLOOR/CEIL TO, TIMESTAMPADD. */
typedef enum eddy_time_unit {
    EDDY_UNIT_NONE = 0,
    EDDY_UNIT_MILLENNIUM,
    EDDY_UNIT_CENTURY,
    EDDY_UNIT_DECADE,
    EDDY_UNIT_YEAR,
    EDDY_UNIT_QUARTER,
    EDDY_UNIT_MONTH,
    EDDY_UNIT_WEEK,
    EDDY_UNIT_DAY,
    EDDY_UNIT_HOUR,
    EDDY_UNIT_MINUTE,
    EDDY_UNIT_SECOND,
    EDDY_UNIT_MILLISECOND,
    EDDY_UNIT_MICROSECOND,
    EDDY_UNIT_NANOSECOND,
    EDDY_UNIT_DOW,
    EDDY_UNIT_DOY,
    EDDY_UNIT_EPOCH,
    EDDY_UNIT_ISODOW,     /* EXTRACT(ISODOW ...): 1 = Monday .. 7 = Sunday */
    EDDY_UNIT_ISOYEAR,    /* EXTRACT(ISOYEAR ...): ISO-8601 week-based year */
    EDDY_UNIT__COUNT
} eddy_time_unit;

typedef struct eddy_sqltype eddy_sqltype;
typedef struct eddy_sqlfield eddy_sqlfield;

struct eddy_sqlfield {
    const char *name;      /* field name as written (unquoted) */
    eddy_sqltype *type;    /* field type */
    const char *comment;   /* 'comment' after the type, or NULL */
};

struct eddy_sqltype {
    eddy_type_kind kind;   /* which type */
    int precision;         /* DECIMAL p, CHAR/VARCHAR/BINARY length, TIME/TIMESTAMP p; -1 = not given */
    int scale;             /* DECIMAL s; -1 = not given */
    bool not_null;         /* NOT NULL was written after the type */
    bool string_kw;        /* written as STRING / BYTES */
    bool postfix_array;    /* ARRAY written as `T ARRAY` (or MULTISET as `T MULTISET`) */
    bool paren_row;        /* ROW written as ROW(...) rather than ROW<...> */
    eddy_time_unit from;   /* INTERVAL start unit */
    eddy_time_unit to;     /* INTERVAL end unit or EDDY_UNIT_NONE */
    eddy_sqltype *elem;    /* ARRAY/MULTISET element, MAP key */
    eddy_sqltype *value;   /* MAP value */
    eddy_sqlfield *fields; /* ROW fields */
    int nfields;           /* number of ROW fields */
    const char *raw_class; /* RAW('class', ...) */
};

/* The SQL keyword of a unit ("SECOND"), and of a type kind ("TIMESTAMP"). */
const char *eddy_time_unit_name(eddy_time_unit u);
const char *eddy_type_kind_name(eddy_type_kind k);

#endif
