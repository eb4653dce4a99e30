/*
 * ptype.h: SQL type rules of the planner (inside planner/ only): making and copying types,
 * families, Flink's common-type and cast rules, and the text of types for messages and
 * DESCRIBE.
 *
 * Types the planner makes live in an arena (the plan's, or a scratch arena for DESCRIBE). Types
 * copied from a syntax tree are normalized on the way as Flink reads them: DECIMAL = (10, 0),
 * DECIMAL(p) = (p, 0), TIMESTAMP = TIMESTAMP(6), TIME = TIME(0), CHAR = CHAR(1); VARCHAR
 * without a length stays -1 and means STRING (VARCHAR(2147483647)).
 */
#ifndef EDDY_PLANNER_PTYPE_H
#define EDDY_PLANNER_PTYPE_H

#include <stdbool.h>

#include "../common/arena.h"
#include "../common/sqltype.h"
#include "../common/strbuf.h"

#define PT_STRING_MAX 2147483647

/* A new type (fields zeroed, units NONE). */
eddy_sqltype *pt_new(eddy_arena *a, eddy_type_kind k, int precision, int scale, bool not_null);
/* A deep, normalized copy. */
eddy_sqltype *pt_copy(eddy_arena *a, const eddy_sqltype *t);
/* t itself when its nullability is already `not_null`, else a shallow copy with it changed. */
const eddy_sqltype *pt_with_null(eddy_arena *a, const eddy_sqltype *t, bool not_null);
/* STRING (VARCHAR without length). */
eddy_sqltype *pt_string(eddy_arena *a, bool not_null);

bool pt_is_integer(const eddy_sqltype *t);    /* TINYINT .. BIGINT */
bool pt_is_approx(const eddy_sqltype *t);     /* FLOAT, DOUBLE */
bool pt_is_numeric(const eddy_sqltype *t);    /* integers, DECIMAL, FLOAT, DOUBLE */
bool pt_is_char(const eddy_sqltype *t);       /* CHAR, VARCHAR */
bool pt_is_binary(const eddy_sqltype *t);     /* BINARY, VARBINARY */
bool pt_is_timestamp(const eddy_sqltype *t);  /* TIMESTAMP, TIMESTAMP_LTZ */
bool pt_is_datetime(const eddy_sqltype *t);   /* DATE, TIME, TIMESTAMP, TIMESTAMP_LTZ */
bool pt_is_interval(const eddy_sqltype *t);
bool pt_is_null(const eddy_sqltype *t);       /* the type of a bare NULL */
bool pt_is_boolean(const eddy_sqltype *t);
bool pt_is_nested(const eddy_sqltype *t);     /* ARRAY, MULTISET, MAP, ROW, RAW */

/* DECIMAL precision and scale of an exact numeric type (integers as (3|5|10|19, 0)). */
void pt_decimal_of(const eddy_sqltype *t, int *p, int *s);

/* Equal types; nullability counts only when with_null. */
bool pt_equal(const eddy_sqltype *a, const eddy_sqltype *b, bool with_null);

/* The common type of a and b for comparison, CASE, COALESCE, IN and UNION (Flink's
 * leastRestrictive): numeric widening, CHAR/VARCHAR to the longer VARCHAR, timestamp
 * precisions, NULL to the other. Nullable when either is. NULL when there is none. */
const eddy_sqltype *pt_common(eddy_arena *a, const eddy_sqltype *x, const eddy_sqltype *y);

/* Whether CAST(from AS to) exists in Flink; and whether an INSERT may cast implicitly. */
bool pt_castable(const eddy_sqltype *from, const eddy_sqltype *to);
bool pt_implicit(const eddy_sqltype *from, const eddy_sqltype *to);

/* A short name for messages: INT, DECIMAL(23, 3), VARCHAR, TIMESTAMP(3). */
void pt_name(eddy_strbuf *b, const eddy_sqltype *t);
/* Flink's full text: STRING, VARCHAR(10), TIMESTAMP(3), ROW<`a` INT>, ... with NOT NULL when
 * with_null and the type is not nullable. */
void pt_sql(eddy_strbuf *b, const eddy_sqltype *t, bool with_null);
/* pt_name into a static rotating buffer (four slots), for one-line messages. */
const char *pt_str(const eddy_sqltype *t);

#endif
