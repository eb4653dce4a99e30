/*
 * functions.h: the built-in functions of eddy's SQL, one list shared by the planner (which
 * resolves names and infers types) and the runtime (which implements them).
 *
 * EDDY_SCALAR_FUNCTIONS(X) expands X(ID, "SQL NAME", min_args, max_args) for every scalar
 * function; EDDY_AGG_FUNCTIONS(X) the same for aggregates. max_args -1 = any number. The
 * planner's binder owns the typing rules (binder_functions.c), the runtime owns the kernels
 * (runtime/fn_*.c). Operators that have syntax of their own (arithmetic, comparison, AND/OR,
 * CASE, CAST, IS NULL, IN, LIKE, BETWEEN) are expression kinds in plan.h, not functions here.
 */
#ifndef EDDY_PLANNER_FUNCTIONS_H
#define EDDY_PLANNER_FUNCTIONS_H

#define EDDY_SCALAR_FUNCTIONS(X)                                                        \
    /* conditional */                                                                   \
    X(COALESCE, "COALESCE", 1, -1)                                                      \
    X(IF, "IF", 3, 3)                                                                   \
    X(NULLIF, "NULLIF", 2, 2)                                                           \
    X(IFNULL, "IFNULL", 2, 2)                                                           \
    X(GREATEST, "GREATEST", 1, -1)                                                      \
    X(LEAST, "LEAST", 1, -1)                                                            \
    /* strings */                                                                       \
    X(CONCAT, "CONCAT", 1, -1)                                                          \
    X(CONCAT_WS, "CONCAT_WS", 2, -1)                                                    \
    X(SUBSTRING, "SUBSTRING", 2, 3)                                                     \
    X(SUBSTR, "SUBSTR", 2, 3)                                                           \
    X(UPPER, "UPPER", 1, 1)                                                             \
    X(LOWER, "LOWER", 1, 1)                                                             \
    X(TRIM, "TRIM", 1, 2)       /* TRIM(BOTH [chars] FROM s): args s [, chars] */       \
    X(LTRIM, "LTRIM", 1, 2)     /* TRIM(LEADING ...) binds here */                      \
    X(RTRIM, "RTRIM", 1, 2)     /* TRIM(TRAILING ...) binds here */                     \
    X(CHAR_LENGTH, "CHAR_LENGTH", 1, 1)                                                 \
    X(CHARACTER_LENGTH, "CHARACTER_LENGTH", 1, 1)                                       \
    X(REPLACE, "REPLACE", 3, 3)                                                         \
    X(SPLIT_INDEX, "SPLIT_INDEX", 3, 3)                                                 \
    X(REGEXP, "REGEXP", 2, 2)                                                           \
    X(REGEXP_EXTRACT, "REGEXP_EXTRACT", 2, 3)                                           \
    X(REGEXP_REPLACE, "REGEXP_REPLACE", 3, 3)                                           \
    X(POSITION, "POSITION", 2, 2)                                                       \
    X(LOCATE, "LOCATE", 2, 3)                                                           \
    X(LPAD, "LPAD", 3, 3)                                                               \
    X(RPAD, "RPAD", 3, 3)                                                               \
    X(INITCAP, "INITCAP", 1, 1)                                                         \
    X(REVERSE, "REVERSE", 1, 1)                                                         \
    X(LEFT, "LEFT", 2, 2)                                                               \
    X(RIGHT, "RIGHT", 2, 2)                                                             \
    X(REPEAT, "REPEAT", 2, 2)                                                           \
    X(MD5, "MD5", 1, 1)                                                                 \
    X(HASH_CODE, "HASH_CODE", 1, 1)                                                     \
    X(JSON_VALUE, "JSON_VALUE", 2, 2)                                                   \
    /* time */                                                                          \
    X(TO_TIMESTAMP, "TO_TIMESTAMP", 1, 2)                                               \
    X(TO_TIMESTAMP_LTZ, "TO_TIMESTAMP_LTZ", 1, 2)                                       \
    X(TO_DATE, "TO_DATE", 1, 2)                                                         \
    X(DATE_FORMAT, "DATE_FORMAT", 2, 2)                                                 \
    X(FROM_UNIXTIME, "FROM_UNIXTIME", 1, 2)                                             \
    X(UNIX_TIMESTAMP, "UNIX_TIMESTAMP", 0, 2)                                           \
    X(EXTRACT, "EXTRACT", 2, 2)       /* args: TIME_UNIT constant, value */             \
    X(FLOOR_TIME, "FLOOR", 2, 2)      /* FLOOR(ts TO unit): value, unit */              \
    X(CEIL_TIME, "CEIL", 2, 2)        /* CEIL(ts TO unit) */                            \
    X(TIMESTAMPADD, "TIMESTAMPADD", 3, 3)                                               \
    X(TIMESTAMPDIFF, "TIMESTAMPDIFF", 3, 3)                                             \
    X(YEAR, "YEAR", 1, 1)                                                               \
    X(QUARTER, "QUARTER", 1, 1)                                                         \
    X(MONTH, "MONTH", 1, 1)                                                             \
    X(WEEK, "WEEK", 1, 1)                                                               \
    X(DAYOFYEAR, "DAYOFYEAR", 1, 1)                                                     \
    X(DAYOFMONTH, "DAYOFMONTH", 1, 1)                                                   \
    X(DAYOFWEEK, "DAYOFWEEK", 1, 1)                                                     \
    X(HOUR, "HOUR", 1, 1)                                                               \
    X(MINUTE, "MINUTE", 1, 1)                                                           \
    X(SECOND, "SECOND", 1, 1)                                                           \
    X(CURRENT_TIMESTAMP, "CURRENT_TIMESTAMP", 0, 0)                                     \
    X(LOCALTIMESTAMP, "LOCALTIMESTAMP", 0, 0)                                           \
    X(CURRENT_DATE, "CURRENT_DATE", 0, 0)                                               \
    X(CURRENT_WATERMARK, "CURRENT_WATERMARK", 1, 1)                                     \
    X(PROCTIME, "PROCTIME", 0, 0)                                                       \
    X(NOW, "NOW", 0, 0)                                                                 \
    /* math */                                                                          \
    X(ABS, "ABS", 1, 1)                                                                 \
    X(MOD, "MOD", 2, 2)                                                                 \
    X(ROUND, "ROUND", 1, 2)                                                             \
    X(TRUNCATE, "TRUNCATE", 1, 2)                                                       \
    X(FLOOR, "FLOOR", 1, 1)                                                             \
    X(CEIL, "CEIL", 1, 1)                                                               \
    X(POWER, "POWER", 2, 2)                                                             \
    X(SQRT, "SQRT", 1, 1)                                                               \
    X(LN, "LN", 1, 1)                                                                   \
    X(LOG10, "LOG10", 1, 1)                                                             \
    X(LOG2, "LOG2", 1, 1)                                                               \
    X(LOG, "LOG", 1, 2)                                                                 \
    X(EXP, "EXP", 1, 1)                                                                 \
    X(SIGN, "SIGN", 1, 1)                                                               \
    X(RAND, "RAND", 0, 1)                                                               \
    X(PI, "PI", 0, 0)                                                                   \
    X(SIN, "SIN", 1, 1)                                                                 \
    X(COS, "COS", 1, 1)                                                                 \
    X(TAN, "TAN", 1, 1)

#define EDDY_AGG_FUNCTIONS(X)                                                           \
    X(COUNT, "COUNT", 0, 1)       /* COUNT(*) is COUNT with no argument */              \
    X(SUM, "SUM", 1, 1)                                                                 \
    X(SUM0, "$SUM0", 1, 1)                                                              \
    X(AVG, "AVG", 1, 1)                                                                 \
    X(MIN, "MIN", 1, 1)                                                                 \
    X(MAX, "MAX", 1, 1)                                                                 \
    X(FIRST_VALUE, "FIRST_VALUE", 1, 1)                                                 \
    X(LAST_VALUE, "LAST_VALUE", 1, 1)                                                   \
    X(STDDEV_POP, "STDDEV_POP", 1, 1)                                                   \
    X(STDDEV_SAMP, "STDDEV_SAMP", 1, 1)                                                 \
    X(STDDEV, "STDDEV", 1, 1)                                                           \
    X(VAR_POP, "VAR_POP", 1, 1)                                                         \
    X(VAR_SAMP, "VAR_SAMP", 1, 1)                                                       \
    X(VARIANCE, "VARIANCE", 1, 1)                                                       \
    X(APPROX_COUNT_DISTINCT, "APPROX_COUNT_DISTINCT", 1, 1)                             \
    X(LISTAGG, "LISTAGG", 1, 2)                                                         \
    X(BOOL_AND, "BOOL_AND", 1, 1)                                                       \
    X(BOOL_OR, "BOOL_OR", 1, 1)

typedef enum eddy_fn {
#define EDDY_FN_ENUM(id, name, lo, hi) EDDY_FN_##id,
    EDDY_SCALAR_FUNCTIONS(EDDY_FN_ENUM)
#undef EDDY_FN_ENUM
    EDDY_FN__COUNT
} eddy_fn;

typedef enum eddy_agg {
#define EDDY_AGG_ENUM(id, name, lo, hi) EDDY_AGG_##id,
    EDDY_AGG_FUNCTIONS(EDDY_AGG_ENUM)
#undef EDDY_AGG_ENUM
    EDDY_AGG__COUNT
} eddy_agg;

#endif
