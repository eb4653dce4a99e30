/*
 * options.c: typed connector options with clear errors (see options.h).
 */
#include "connectors/options.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "runtime/connector.h"

/* Session options the planner passes along with a table's own (plan.h); never "unknown". */
static const char *const pass_prefixes[] = {
    "table.", "pipeline.", "execution.", "state.", "sql-client.", "parallelism.", "eddy.", NULL,
};

const char *eddy_opt_str(const eddy_optset *o, const char *key, const char *def)
{
    return eddy_kv_get(o->kv, o->n, key, def);
}

bool eddy_opt_has(const eddy_optset *o, const char *key)
{
    return eddy_kv_get(o->kv, o->n, key, NULL) != NULL;
}

int eddy_opt_require(const eddy_optset *o, const char *key, const char **out)
{
    const char *v = eddy_kv_get(o->kv, o->n, key, NULL);
    if (!v)
        return eddy_error_set(o->err, EDDY_EUSAGE, 0, 0,
                              "option '%s' is required for connector '%s'", key, o->connector);
    *out = v;
    return 0;
}

/* Whether key matches pattern, where '*' in the pattern stands for one or more characters. */
static bool key_matches(const char *pat, const char *key)
{
    const char *star = strchr(pat, '*');
    if (!star) return strcmp(pat, key) == 0;
    size_t pre = (size_t)(star - pat), post = strlen(star + 1), n = strlen(key);
    if (n < pre + post + 1) return false;
    return strncmp(pat, key, pre) == 0 && strcmp(key + n - post, star + 1) == 0;
}

int eddy_levenshtein(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    if (na > 200 || nb > 200) return (int)(na > nb ? na : nb);
    int row[201];
    for (size_t j = 0; j <= nb; j++) row[j] = (int)j;
    for (size_t i = 1; i <= na; i++) {
        int diag = row[0];
        row[0] = (int)i;
        for (size_t j = 1; j <= nb; j++) {
            int up = row[j];
            int best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best) best = up + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[nb];
}

const char *eddy_nearest(const char *s, const char *const *cands)
{
    const char *best = NULL;
    int bestd = 1 << 30;
    for (int i = 0; cands[i]; i++) {
        int d = eddy_levenshtein(s, cands[i]);
        if (d < bestd) {
            bestd = d;
            best = cands[i];
        }
    }
    int limit = (int)strlen(s) / 3;
    if (limit < 2) limit = 2;
    return bestd <= limit ? best : NULL;
}

/* The known key closest to `key`, written into out (NULL when none is close); a pattern is
 * compared with its '*' replaced by the part of `key` that would stand there, so
 * 'fields.price.knd' is near 'fields.*.kind' and the suggestion is 'fields.price.kind'. */
static const char *suggest(const char *key, const char *const *known, char *out, size_t outsz)
{
    char cand[256];
    int bestd = 1 << 30;
    for (int i = 0; known[i]; i++) {
        const char *star = strchr(known[i], '*');
        if (star) {
            /* middle: after the pattern's prefix (if the key has it) up to the key's last '.' */
            size_t pre = (size_t)(star - known[i]);
            const char *mid = strncmp(key, known[i], pre) == 0 ? key + pre : NULL;
            const char *dot = strrchr(key, '.');
            if (!mid || !dot || dot <= mid) continue;
            snprintf(cand, sizeof cand, "%.*s%.*s%s", (int)pre, known[i], (int)(dot - mid), mid,
                     star + 1);
        } else {
            snprintf(cand, sizeof cand, "%s", known[i]);
        }
        int d = eddy_levenshtein(key, cand);
        if (d < bestd) {
            bestd = d;
            snprintf(out, outsz, "%s", cand);
        }
    }
    int limit = (int)strlen(key) / 3;
    if (limit < 2) limit = 2;
    return bestd <= limit ? out : NULL;
}

int eddy_opt_check_known(const eddy_optset *o, const char *const *known)
{
    for (int i = 0; i < o->n; i++) {
        const char *key = o->kv[i].key;
        if (strcmp(key, "connector") == 0 || strcmp(key, "partition.keys") == 0) continue;
        bool ok = false;
        for (int p = 0; pass_prefixes[p] && !ok; p++)
            ok = strncmp(key, pass_prefixes[p], strlen(pass_prefixes[p])) == 0;
        for (int k = 0; known[k] && !ok; k++) ok = key_matches(known[k], key);
        if (ok) continue;
        char buf[256];
        const char *near = suggest(key, known, buf, sizeof buf);
        if (near)
            return eddy_error_set(o->err, EDDY_EUSAGE, 0, 0,
                                  "unknown option '%s' for connector '%s'; did you mean '%s'?",
                                  key, o->connector, near);
        return eddy_error_set(o->err, EDDY_EUSAGE, 0, 0, "unknown option '%s' for connector '%s'",
                              key, o->connector);
    }
    return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Parsers                                                                                  */

static const char *skip_ws(const char *s)
{
    while (*s && isspace((unsigned char)*s)) s++;
    return s;
}

int eddy_parse_bool(const char *s, bool *out)
{
    if (strcasecmp(s, "true") == 0) {
        *out = true;
        return 0;
    }
    if (strcasecmp(s, "false") == 0) {
        *out = false;
        return 0;
    }
    return EDDY_EUSAGE;
}

/* Leading decimal integer of s (after spaces); *end after it. */
static int parse_count(const char *s, const char **end, int64_t *out)
{
    s = skip_ws(s);
    if (!isdigit((unsigned char)*s)) return EDDY_EUSAGE;
    int64_t v = 0;
    while (isdigit((unsigned char)*s)) {
        if (v > (INT64_MAX - 9) / 10) return EDDY_EUSAGE;
        v = v * 10 + (*s++ - '0');
    }
    *end = s;
    *out = v;
    return 0;
}

/* Trims a unit word from s into buf (lower case); "" when there is none. */
static int unit_word(const char *s, char *buf, size_t bufsz)
{
    s = skip_ws(s);
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1])) n--;
    if (n >= bufsz) return EDDY_EUSAGE;
    for (size_t i = 0; i < n; i++) buf[i] = (char)tolower((unsigned char)s[i]);
    buf[n] = 0;
    return 0;
}

int eddy_parse_duration(const char *s, int64_t *out_ms)
{
    static const struct {
        const char *names[6];
        int64_t num, den; /* ms = value * num / den */
    } units[] = {
        {{"d", "day", "days"}, 86400000, 1},
        {{"h", "hour", "hours"}, 3600000, 1},
        {{"min", "m", "minute", "minutes"}, 60000, 1},
        {{"s", "sec", "secs", "second", "seconds"}, 1000, 1},
        {{"ms", "milli", "millis", "millisecond", "milliseconds"}, 1, 1},
        {{"us", "µs", "micro", "micros", "microsecond", "microseconds"}, 1, 1000},
        {{"ns", "nano", "nanos", "nanosecond", "nanoseconds"}, 1, 1000000},
    };
    const char *end;
    int64_t v;
    char unit[32];
    if (parse_count(s, &end, &v) != 0 || unit_word(end, unit, sizeof unit) != 0) return EDDY_EUSAGE;
    if (!unit[0]) {
        *out_ms = v;
        return 0;
    }
    for (size_t u = 0; u < sizeof units / sizeof units[0]; u++)
        for (int k = 0; k < 6 && units[u].names[k]; k++)
            if (strcmp(unit, units[u].names[k]) == 0) {
                int64_t r;
                if (__builtin_mul_overflow(v, units[u].num, &r)) return EDDY_EUSAGE;
                *out_ms = r / units[u].den;
                return 0;
            }
    return EDDY_EUSAGE;
}

int eddy_parse_bytes(const char *s, int64_t *out)
{
    static const struct {
        const char *names[5];
        int64_t mul;
    } units[] = {
        {{"b", "bytes"}, 1},
        {{"k", "kb", "kibibytes"}, INT64_C(1) << 10},
        {{"m", "mb", "mebibytes"}, INT64_C(1) << 20},
        {{"g", "gb", "gibibytes"}, INT64_C(1) << 30},
        {{"t", "tb", "tebibytes"}, INT64_C(1) << 40},
    };
    const char *end;
    int64_t v;
    char unit[32];
    if (parse_count(s, &end, &v) != 0 || unit_word(end, unit, sizeof unit) != 0) return EDDY_EUSAGE;
    if (!unit[0]) {
        *out = v;
        return 0;
    }
    for (size_t u = 0; u < sizeof units / sizeof units[0]; u++)
        for (int k = 0; k < 5 && units[u].names[k]; k++)
            if (strcmp(unit, units[u].names[k]) == 0)
                return __builtin_mul_overflow(v, units[u].mul, out) ? EDDY_EUSAGE : 0;
    return EDDY_EUSAGE;
}

/* ---------------------------------------------------------------------------------------- */
/* Typed options                                                                            */

int eddy_opt_int(const eddy_optset *o, const char *key, int64_t def, int64_t min, int64_t max,
                 int64_t *out)
{
    const char *v = eddy_opt_str(o, key, NULL);
    if (!v) {
        *out = def;
        return 0;
    }
    const char *s = skip_ws(v);
    char *end;
    errno = 0;
    long long x = strtoll(s, &end, 10);
    if (end == s || *skip_ws(end) || errno == ERANGE)
        return eddy_error_set(o->err, EDDY_EUSAGE, 0, 0,
                              "option '%s' of connector '%s' must be an integer, not '%s'", key,
                              o->connector, v);
    if (x < min || x > max) {
        if (max == INT64_MAX)
            return eddy_error_set(o->err, EDDY_EUSAGE, 0, 0,
                                  "option '%s' of connector '%s' must be at least %lld, not '%s'",
                                  key, o->connector, (long long)min, v);
        return eddy_error_set(o->err, EDDY_EUSAGE, 0, 0,
                              "option '%s' of connector '%s' must be between %lld and %lld, not '%s'",
                              key, o->connector, (long long)min, (long long)max, v);
    }
    *out = x;
    return 0;
}

int eddy_opt_double(const eddy_optset *o, const char *key, double def, double *out)
{
    const char *v = eddy_opt_str(o, key, NULL);
    if (!v) {
        *out = def;
        return 0;
    }
    const char *s = skip_ws(v);
    char *end;
    double x = strtod(s, &end);
    if (end == s || *skip_ws(end) || isnan(x))
        return eddy_error_set(o->err, EDDY_EUSAGE, 0, 0,
                              "option '%s' of connector '%s' must be a number, not '%s'", key,
                              o->connector, v);
    *out = x;
    return 0;
}

int eddy_opt_bool(const eddy_optset *o, const char *key, bool def, bool *out)
{
    const char *v = eddy_opt_str(o, key, NULL);
    if (!v) {
        *out = def;
        return 0;
    }
    if (eddy_parse_bool(v, out) != 0)
        return eddy_error_set(o->err, EDDY_EUSAGE, 0, 0,
                              "option '%s' of connector '%s' must be 'true' or 'false', not '%s'",
                              key, o->connector, v);
    return 0;
}

int eddy_opt_duration(const eddy_optset *o, const char *key, int64_t def_ms, int64_t *out_ms)
{
    const char *v = eddy_opt_str(o, key, NULL);
    if (!v) {
        *out_ms = def_ms;
        return 0;
    }
    if (eddy_parse_duration(v, out_ms) != 0)
        return eddy_error_set(o->err, EDDY_EUSAGE, 0, 0,
                              "option '%s' of connector '%s' must be a duration such as '10 s', "
                              "'1 min' or '500 ms', not '%s'",
                              key, o->connector, v);
    return 0;
}

int eddy_opt_bytes(const eddy_optset *o, const char *key, int64_t def, int64_t *out)
{
    const char *v = eddy_opt_str(o, key, NULL);
    if (!v) {
        *out = def;
        return 0;
    }
    if (eddy_parse_bytes(v, out) != 0)
        return eddy_error_set(o->err, EDDY_EUSAGE, 0, 0,
                              "option '%s' of connector '%s' must be a size such as '128MB' or "
                              "'64 kb', not '%s'",
                              key, o->connector, v);
    return 0;
}

int eddy_opt_enum(const eddy_optset *o, const char *key, const char *const *choices, int def,
                  int *out)
{
    const char *v = eddy_opt_str(o, key, NULL);
    if (!v) {
        *out = def;
        return 0;
    }
    for (int i = 0; choices[i]; i++)
        if (strcasecmp(v, choices[i]) == 0) {
            *out = i;
            return 0;
        }
    char list[512];
    size_t len = 0;
    list[0] = 0;
    for (int i = 0; choices[i] && len < sizeof list - 1; i++)
        len += (size_t)snprintf(list + len, sizeof list - len, "%s'%s'", i ? ", " : "", choices[i]);
    const char *near = eddy_nearest(v, choices);
    if (near)
        return eddy_error_set(o->err, EDDY_EUSAGE, 0, 0,
                              "option '%s' of connector '%s' must be one of %s, not '%s'; did you "
                              "mean '%s'?",
                              key, o->connector, list, v, near);
    return eddy_error_set(o->err, EDDY_EUSAGE, 0, 0,
                          "option '%s' of connector '%s' must be one of %s, not '%s'", key,
                          o->connector, list, v);
}

int eddy_opt_char(const eddy_optset *o, const char *key, char def, char *out)
{
    const char *v = eddy_opt_str(o, key, NULL);
    if (!v) {
        *out = def;
        return 0;
    }
    if (v[0] && !v[1]) {
        *out = v[0];
        return 0;
    }
    if (v[0] == '\\' && v[1] && !v[2]) {
        switch (v[1]) {
        case 't': *out = '\t'; return 0;
        case '\\': *out = '\\'; return 0;
        case '0': *out = 0; return 0;
        default: break;
        }
    }
    return eddy_error_set(o->err, EDDY_EUSAGE, 0, 0,
                          "option '%s' of connector '%s' must be a single character, not '%s'", key,
                          o->connector, v);
}
