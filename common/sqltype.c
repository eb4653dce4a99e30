/*
 * sqltype.c: names of types and time units (see sqltype.h).
 */
#include "sqltype.h"

const char *eddy_time_unit_name(eddy_time_unit u)
{
    static const char *const names[EDDY_UNIT__COUNT] = {
        [EDDY_UNIT_NONE] = "",
        [EDDY_UNIT_MILLENNIUM] = "MILLENNIUM",
        [EDDY_UNIT_CENTURY] = "CENTURY",
        [EDDY_UNIT_DECADE] = "DECADE",
        [EDDY_UNIT_YEAR] = "YEAR",
        [EDDY_UNIT_QUARTER] = "QUARTER",
        [EDDY_UNIT_MONTH] = "MONTH",
        [EDDY_UNIT_WEEK] = "WEEK",
        [EDDY_UNIT_DAY] = "DAY",
        [EDDY_UNIT_HOUR] = "HOUR",
        [EDDY_UNIT_MINUTE] = "MINUTE",
        [EDDY_UNIT_SECOND] = "SECOND",
        [EDDY_UNIT_MILLISECOND] = "MILLISECOND",
        [EDDY_UNIT_MICROSECOND] = "MICROSECOND",
        [EDDY_UNIT_NANOSECOND] = "NANOSECOND",
        [EDDY_UNIT_DOW] = "DOW",
        [EDDY_UNIT_DOY] = "DOY",
        [EDDY_UNIT_EPOCH] = "EPOCH",
        [EDDY_UNIT_ISODOW] = "ISODOW",
        [EDDY_UNIT_ISOYEAR] = "ISOYEAR",
    };
    return (u >= 0 && u < EDDY_UNIT__COUNT) ? names[u] : "?";
}

const char *eddy_type_kind_name(eddy_type_kind k)
{
    static const char *const names[EDDY_TYPE__COUNT] = {
        [EDDY_TYPE_NULL] = "NULL",
        [EDDY_TYPE_BOOLEAN] = "BOOLEAN",
        [EDDY_TYPE_TINYINT] = "TINYINT",
        [EDDY_TYPE_SMALLINT] = "SMALLINT",
        [EDDY_TYPE_INT] = "INT",
        [EDDY_TYPE_BIGINT] = "BIGINT",
        [EDDY_TYPE_FLOAT] = "FLOAT",
        [EDDY_TYPE_DOUBLE] = "DOUBLE",
        [EDDY_TYPE_DECIMAL] = "DECIMAL",
        [EDDY_TYPE_CHAR] = "CHAR",
        [EDDY_TYPE_VARCHAR] = "VARCHAR",
        [EDDY_TYPE_BINARY] = "BINARY",
        [EDDY_TYPE_VARBINARY] = "VARBINARY",
        [EDDY_TYPE_DATE] = "DATE",
        [EDDY_TYPE_TIME] = "TIME",
        [EDDY_TYPE_TIMESTAMP] = "TIMESTAMP",
        [EDDY_TYPE_TIMESTAMP_LTZ] = "TIMESTAMP_LTZ",
        [EDDY_TYPE_INTERVAL] = "INTERVAL",
        [EDDY_TYPE_ARRAY] = "ARRAY",
        [EDDY_TYPE_MULTISET] = "MULTISET",
        [EDDY_TYPE_MAP] = "MAP",
        [EDDY_TYPE_ROW] = "ROW",
        [EDDY_TYPE_RAW] = "RAW",
    };
    return (k >= 0 && k < EDDY_TYPE__COUNT) ? names[k] : "?";
}
