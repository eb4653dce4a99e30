/*
 * keywords.c: the keywords of eddy's SQL and the names of tokens, beside the grammar that
 * declares their codes (grammar.y; Lemon writes the TK_* codes into grammar.h).
 *
 * The lexer reads every word as an identifier and asks eddy_keyword_code() whether it is a
 * keyword. The table below is sorted by name and searched by binary search on the word in
 * upper case: about eight string comparisons for the ~200 keywords, with no table to build and
 * nothing to keep in step but this sorted list (the smoke test checks the order and that every
 * keyword token of the grammar is in it). A perfect hash would save a few comparisons per word,
 * which does not matter next to the rest of a parse, and would need a generator in the build.
 *
 * Whether a keyword is reserved is not decided here but by the grammar's %fallback list: a
 * non-reserved keyword comes out of the lexer as its keyword code and the parser reads it as
 * an identifier wherever the keyword itself cannot stand.
 */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "grammar.h"
#include "tokenizer.h"

typedef struct keyword {
    const char *name; /* upper case */
    int code;         /* TK_* */
} keyword;

/* Sorted by name (strcmp order). */
static const keyword keywords[] = {
    {"ALL", TK_ALL},
    {"AND", TK_AND},
    {"ARRAY", TK_ARRAY},
    {"AS", TK_AS},
    {"ASC", TK_ASC},
    {"ASYMMETRIC", TK_ASYMMETRIC},
    {"BEGIN", TK_BEGIN},
    {"BETWEEN", TK_BETWEEN},
    {"BIGINT", TK_BIGINT},
    {"BINARY", TK_BINARY},
    {"BOOLEAN", TK_BOOLEAN},
    {"BOTH", TK_BOTH},
    {"BY", TK_BY},
    {"BYTES", TK_BYTES},
    {"CASE", TK_CASE},
    {"CAST", TK_CAST},
    {"CATALOG", TK_CATALOG},
    {"CATALOGS", TK_CATALOGS},
    {"CEIL", TK_CEIL},
    {"CEILING", TK_CEILING},
    {"CENTURY", TK_CENTURY},
    {"CHANGELOG_MODE", TK_CHANGELOG_MODE},
    {"CHAR", TK_CHAR},
    {"COMMENT", TK_COMMENT},
    {"CONSTRAINT", TK_CONSTRAINT},
    {"CREATE", TK_CREATE},
    {"CROSS", TK_CROSS},
    {"CURRENT", TK_CURRENT},
    {"CURRENT_DATE", TK_CURRENT_DATE},
    {"CURRENT_ROW_TIMESTAMP", TK_CURRENT_ROW_TIMESTAMP},
    {"CURRENT_TIME", TK_CURRENT_TIME},
    {"CURRENT_TIMESTAMP", TK_CURRENT_TIMESTAMP},
    {"DATABASE", TK_DATABASE},
    {"DATABASES", TK_DATABASES},
    {"DATE", TK_DATE},
    {"DAY", TK_DAY},
    {"DAYS", TK_DAYS},
    {"DEC", TK_DEC},
    {"DECADE", TK_DECADE},
    {"DECIMAL", TK_KW_DECIMAL},
    {"DESC", TK_DESC},
    {"DESCRIBE", TK_DESCRIBE},
    {"DESCRIPTOR", TK_DESCRIPTOR},
    {"DISTINCT", TK_DISTINCT},
    {"DOUBLE", TK_DOUBLE},
    {"DOW", TK_DOW},
    {"DOY", TK_DOY},
    {"DRAIN", TK_DRAIN},
    {"DROP", TK_DROP},
    {"ELSE", TK_ELSE},
    {"END", TK_END},
    {"ENFORCED", TK_ENFORCED},
    {"EPOCH", TK_EPOCH},
    {"ESCAPE", TK_ESCAPE},
    {"ESTIMATED_COST", TK_ESTIMATED_COST},
    {"EXCEPT", TK_EXCEPT},
    {"EXECUTE", TK_EXECUTE},
    {"EXISTS", TK_EXISTS},
    {"EXPLAIN", TK_EXPLAIN},
    {"EXTENDED", TK_EXTENDED},
    {"EXTRACT", TK_EXTRACT},
    {"FALSE", TK_FALSE},
    {"FETCH", TK_FETCH},
    {"FILTER", TK_FILTER},
    {"FIRST", TK_FIRST},
    {"FLOAT", TK_KW_FLOAT},
    {"FLOOR", TK_FLOOR},
    {"FOLLOWING", TK_FOLLOWING},
    {"FOR", TK_FOR},
    {"FROM", TK_FROM},
    {"FULL", TK_FULL},
    {"FUNCTION", TK_FUNCTION},
    {"FUNCTIONS", TK_FUNCTIONS},
    {"GROUP", TK_GROUP},
    {"HAVING", TK_HAVING},
    {"HOUR", TK_HOUR},
    {"HOURS", TK_HOURS},
    {"IF", TK_IF},
    {"IGNORE", TK_IGNORE},
    {"IN", TK_IN},
    {"INNER", TK_INNER},
    {"INSERT", TK_INSERT},
    {"INT", TK_INT},
    {"INTEGER", TK_KW_INTEGER},
    {"INTERSECT", TK_INTERSECT},
    {"INTERVAL", TK_INTERVAL},
    {"INTO", TK_INTO},
    {"IS", TK_IS},
    {"ISODOW", TK_ISODOW},
    {"ISOYEAR", TK_ISOYEAR},
    {"JAVA", TK_JAVA},
    {"JOB", TK_JOB},
    {"JOBS", TK_JOBS},
    {"JOIN", TK_JOIN},
    {"JSON_EXECUTION_PLAN", TK_JSON_EXECUTION_PLAN},
    {"KEY", TK_KEY},
    {"LANGUAGE", TK_LANGUAGE},
    {"LAST", TK_LAST},
    {"LATERAL", TK_LATERAL},
    {"LEADING", TK_LEADING},
    {"LEFT", TK_LEFT},
    {"LIKE", TK_LIKE},
    {"LIMIT", TK_LIMIT},
    {"LOCAL", TK_LOCAL},
    {"LOCALTIME", TK_LOCALTIME},
    {"LOCALTIMESTAMP", TK_LOCALTIMESTAMP},
    {"MAP", TK_MAP},
    {"METADATA", TK_METADATA},
    {"MICROSECOND", TK_MICROSECOND},
    {"MILLENNIUM", TK_MILLENNIUM},
    {"MILLISECOND", TK_MILLISECOND},
    {"MINUTE", TK_MINUTE},
    {"MINUTES", TK_MINUTES},
    {"MONTH", TK_MONTH},
    {"MONTHS", TK_MONTHS},
    {"MULTISET", TK_MULTISET},
    {"NANOSECOND", TK_NANOSECOND},
    {"NATURAL", TK_NATURAL},
    {"NEXT", TK_NEXT},
    {"NOT", TK_NOT},
    {"NULL", TK_NULL},
    {"NULLS", TK_NULLS},
    {"NUMERIC", TK_NUMERIC},
    {"OF", TK_OF},
    {"OFFSET", TK_OFFSET},
    {"ON", TK_ON},
    {"ONLY", TK_ONLY},
    {"OPTIONS", TK_OPTIONS},
    {"OR", TK_OR},
    {"ORDER", TK_ORDER},
    {"ORDINALITY", TK_ORDINALITY},
    {"OUTER", TK_OUTER},
    {"OVER", TK_OVER},
    {"OVERLAY", TK_OVERLAY},
    {"OVERWRITE", TK_OVERWRITE},
    {"PARTITION", TK_PARTITION},
    {"PARTITIONED", TK_PARTITIONED},
    {"PLACING", TK_PLACING},
    {"PLAN", TK_PLAN},
    {"PLAN_ADVICE", TK_PLAN_ADVICE},
    {"POSITION", TK_POSITION},
    {"PRECEDING", TK_PRECEDING},
    {"PRECISION", TK_PRECISION},
    {"PRIMARY", TK_PRIMARY},
    {"PYTHON", TK_PYTHON},
    {"QUARTER", TK_QUARTER},
    {"RANGE", TK_RANGE},
    {"RAW", TK_RAW},
    {"REAL", TK_REAL},
    {"RESET", TK_RESET},
    {"RESPECT", TK_RESPECT},
    {"RIGHT", TK_RIGHT},
    {"ROW", TK_ROW},
    {"ROWS", TK_ROWS},
    {"SAVEPOINT", TK_SAVEPOINT},
    {"SCALA", TK_SCALA},
    {"SECOND", TK_SECOND},
    {"SECONDS", TK_SECONDS},
    {"SELECT", TK_SELECT},
    {"SET", TK_SET},
    {"SHOW", TK_SHOW},
    {"SIMILAR", TK_SIMILAR},
    {"SMALLINT", TK_SMALLINT},
    {"STATEMENT", TK_STATEMENT},
    {"STOP", TK_STOP},
    {"STRING", TK_KW_STRING},
    {"SUBSTRING", TK_SUBSTRING},
    {"SYMMETRIC", TK_SYMMETRIC},
    {"SYSTEM", TK_SYSTEM},
    {"SYSTEM_TIME", TK_SYSTEM_TIME},
    {"TABLE", TK_TABLE},
    {"TABLES", TK_TABLES},
    {"TEMPORARY", TK_TEMPORARY},
    {"THEN", TK_THEN},
    {"TIME", TK_TIME},
    {"TIMESTAMP", TK_TIMESTAMP},
    {"TIMESTAMPADD", TK_TIMESTAMPADD},
    {"TIMESTAMPDIFF", TK_TIMESTAMPDIFF},
    {"TIMESTAMP_LTZ", TK_TIMESTAMP_LTZ},
    {"TINYINT", TK_TINYINT},
    {"TO", TK_TO},
    {"TRAILING", TK_TRAILING},
    {"TRIM", TK_TRIM},
    {"TRUE", TK_TRUE},
    {"TRY_CAST", TK_TRY_CAST},
    {"UNBOUNDED", TK_UNBOUNDED},
    {"UNION", TK_UNION},
    {"UNKNOWN", TK_UNKNOWN},
    {"UNNEST", TK_UNNEST},
    {"USE", TK_USE},
    {"USING", TK_USING},
    {"VALUES", TK_VALUES},
    {"VARBINARY", TK_VARBINARY},
    {"VARCHAR", TK_VARCHAR},
    {"VIEW", TK_VIEW},
    {"VIEWS", TK_VIEWS},
    {"VIRTUAL", TK_VIRTUAL},
    {"WATERMARK", TK_WATERMARK},
    {"WEEK", TK_WEEK},
    {"WHEN", TK_WHEN},
    {"WHERE", TK_WHERE},
    {"WINDOW", TK_WINDOW},
    {"WITH", TK_WITH},
    {"WITHIN", TK_WITHIN},
    {"WITHOUT", TK_WITHOUT},
    {"YEAR", TK_YEAR},
    {"YEARS", TK_YEARS},
    {"ZONE", TK_ZONE},
};

#define NKEYWORDS ((int)(sizeof keywords / sizeof keywords[0]))
#define KEYWORD_MAX 24 /* longer than the longest keyword (CURRENT_ROW_TIMESTAMP, 21) */

int eddy_keyword_code(const char *z, int n)
{
    char up[KEYWORD_MAX + 1];
    if (n <= 0 || n > KEYWORD_MAX)
        return TK_ID;
    for (int i = 0; i < n; i++) {
        char c = z[i];
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        else if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'))
            return TK_ID; /* keywords are ASCII letters, digits and '_' only */
        up[i] = c;
    }
    up[n] = 0;
    int lo = 0, hi = NKEYWORDS - 1;
    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2;
        int cmp = strcmp(up, keywords[mid].name);
        if (cmp == 0)
            return keywords[mid].code;
        if (cmp < 0)
            hi = mid - 1;
        else
            lo = mid + 1;
    }
    return TK_ID;
}

const char *eddy_token_name(int code)
{
    switch (code) {
    case 0: return "end of input";
    case TK_ID: return "identifier";
    case TK_QID: return "identifier";
    case TK_STRING: return "string literal";
    case TK_BINSTR: return "binary literal";
    case TK_INTEGER: return "number";
    case TK_DECIMAL: return "number";
    case TK_FLOAT: return "number";
    case TK_LP: return "'('";
    case TK_RP: return "')'";
    case TK_LBRACKET: return "'['";
    case TK_RBRACKET: return "']'";
    case TK_COMMA: return "','";
    case TK_SEMI: return "';'";
    case TK_DOT: return "'.'";
    case TK_STAR: return "'*'";
    case TK_PLUS: return "'+'";
    case TK_MINUS: return "'-'";
    case TK_SLASH: return "'/'";
    case TK_PERCENT: return "'%'";
    case TK_CONCAT: return "'||'";
    case TK_EQ: return "'='";
    case TK_NE: return "'<>'";
    case TK_LT: return "'<'";
    case TK_LE: return "'<='";
    case TK_GT: return "'>'";
    case TK_GE: return "'>='";
    case TK_ARROW: return "'=>'";
    case TK_HINT_BEGIN: return "'/*+'";
    case TK_HINT_END: return "'*/'";
    default: break;
    }
    for (int i = 0; i < NKEYWORDS; i++)
        if (keywords[i].code == code)
            return keywords[i].name;
    return "?";
}
