/*
 * catalog.c: the session's catalog (tables, views, functions), its SET options, durations as
 * option values, and "did you mean" suggestions (see catalog.h).
 *
 * Durations are parsed here rather than with connectors/options.c because the planner may not
 * include connectors (DESIGN.md's include directions); the accepted forms are Flink's
 * TimeUtils.parseDuration ones.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "catalog.h"

/* ---------------------------------------------------------------------------------------- */
/* Names and objects                                                                         */

int cat_split_name(const eddy_session *s, const eddy_name *n, const char **cat, const char **db,
                   const char **name, eddy_error *err)
{
    *cat = s->cur_catalog;
    *db = s->cur_database;
    switch (n->nparts) {
    case 1: *name = n->parts[0].name; return 0;
    case 2:
        *db = n->parts[0].name;
        *name = n->parts[1].name;
        return 0;
    case 3:
        *cat = n->parts[0].name;
        *db = n->parts[1].name;
        *name = n->parts[2].name;
        return 0;
    default:
        return eddy_error_set(err, EDDY_EBIND, n->pos.line, n->pos.col,
                              "object names have at most three parts (catalog.database.name)");
    }
}

cat_object *cat_find(const eddy_session *s, const char *cat, const char *db, const char *name)
{
    for (int i = 0; i < s->nobjs; i++) {
        cat_object *o = s->objs[i];
        if (strcmp(o->name, name) == 0 && strcmp(o->database, db) == 0 && strcmp(o->catalog, cat) == 0) return o;
    }
    return NULL;
}

cat_object *cat_lookup(const eddy_session *s, const eddy_name *n, eddy_error *err)
{
    const char *cat = NULL, *db = NULL, *name = NULL;
    if (cat_split_name(s, n, &cat, &db, &name, err)) return NULL;
    cat_object *o = cat_find(s, cat, db, name);
    if (o) return o;
    const char **cands = malloc(sizeof *cands * (size_t)(s->nobjs + 1));
    int nc = 0;
    for (int i = 0; i < s->nobjs; i++)
        if (strcmp(s->objs[i]->database, db) == 0 && strcmp(s->objs[i]->catalog, cat) == 0) cands[nc++] = s->objs[i]->name;
    const char *sug = pl_suggest(name, cands, nc);
    const eddy_pos *p = &n->parts[n->nparts - 1].pos;
    if (sug)
        eddy_error_set(err, EDDY_EBIND, p->line, p->col, "table '%s' not found; did you mean '%s'?", name, sug);
    else
        eddy_error_set(err, EDDY_EBIND, p->line, p->col, "table '%s' not found", name);
    free(cands);
    return NULL;
}

void cat_add(eddy_session *s, cat_object *o)
{
    if (s->nobjs == s->cobjs) {
        s->cobjs = s->cobjs ? s->cobjs * 2 : 16;
        s->objs = eddy_xrealloc(s->objs, sizeof *s->objs * (size_t)s->cobjs);
    }
    s->objs[s->nobjs++] = o;
}

void cat_object_free(cat_object *o)
{
    if (!o) return;
    free(o->catalog);
    free(o->database);
    free(o->name);
    free(o);
}

void cat_remove(eddy_session *s, cat_object *o)
{
    for (int i = 0; i < s->nobjs; i++)
        if (s->objs[i] == o) {
            memmove(&s->objs[i], &s->objs[i + 1], sizeof *s->objs * (size_t)(s->nobjs - i - 1));
            s->nobjs--;
            break;
        }
    cat_object_free(o);
}

cat_function *cat_find_function(const eddy_session *s, const char *cat, const char *db, const char *name)
{
    for (int i = 0; i < s->nfuncs; i++) {
        cat_function *f = s->funcs[i];
        /* function names are case-insensitive in Flink */
        if (strcasecmp(f->name, name) != 0) continue;
        if (db && strcmp(f->database, db) != 0) continue;
        if (cat && strcmp(f->catalog, cat) != 0) continue;
        if (!db && !f->system && (strcmp(f->database, s->cur_database) != 0 || strcmp(f->catalog, s->cur_catalog) != 0))
            continue;
        return f;
    }
    return NULL;
}

void cat_function_free(cat_function *f)
{
    if (!f) return;
    free(f->catalog);
    free(f->database);
    free(f->name);
    free(f->class_name);
    free(f->language);
    free(f);
}

const eddy_script *session_script_of(const eddy_session *s, const eddy_stmt *stmt)
{
    for (int i = s->nscripts - 1; i >= 0; i--) {
        const eddy_script *sc = s->scripts[i];
        for (int k = 0; k < sc->n; k++)
            if (sc->stmts[k] == stmt) return sc;
    }
    return NULL;
}

/* ---------------------------------------------------------------------------------------- */
/* Options                                                                                   */

const char *session_option(const eddy_session *s, const char *key)
{
    for (int i = 0; i < s->nopts; i++)
        if (strcmp(s->opts[i].key, key) == 0) return s->opts[i].value;
    return NULL;
}

void session_option_set(eddy_session *s, const char *key, const char *value)
{
    for (int i = 0; i < s->nopts; i++)
        if (strcmp(s->opts[i].key, key) == 0) {
            free(s->opts[i].value);
            s->opts[i].value = eddy_xstrdup(value);
            return;
        }
    if (s->nopts == s->copts) {
        s->copts = s->copts ? s->copts * 2 : 8;
        s->opts = eddy_xrealloc(s->opts, sizeof *s->opts * (size_t)s->copts);
    }
    s->opts[s->nopts].key = eddy_xstrdup(key);
    s->opts[s->nopts].value = eddy_xstrdup(value);
    s->nopts++;
}

void session_option_reset(eddy_session *s, const char *key)
{
    for (int i = 0; i < s->nopts;) {
        if (!key || strcmp(s->opts[i].key, key) == 0) {
            free(s->opts[i].key);
            free(s->opts[i].value);
            memmove(&s->opts[i], &s->opts[i + 1], sizeof *s->opts * (size_t)(s->nopts - i - 1));
            s->nopts--;
        } else {
            i++;
        }
    }
}

int pl_parse_duration(const char *text, int64_t *ms)
{
    const char *p = text;
    while (isspace((unsigned char)*p)) p++;
    if (!isdigit((unsigned char)*p)) return -1;
    errno = 0;
    char *end;
    long long v = strtoll(p, &end, 10);
    if (errno) return -1;
    p = end;
    while (isspace((unsigned char)*p)) p++;
    const char *u = p;
    while (isalpha((unsigned char)*p) || (unsigned char)*p >= 0x80) p++;
    size_t ul = (size_t)(p - u);
    while (isspace((unsigned char)*p)) p++;
    if (*p) return -1;
    static const struct {
        const char *name;
        int64_t ms;
    } units[] = {
        {"", 1},          {"ms", 1},        {"milli", 1},       {"millis", 1},       {"millisecond", 1},
        {"milliseconds", 1}, {"s", 1000},   {"sec", 1000},      {"secs", 1000},      {"second", 1000},
        {"seconds", 1000}, {"m", 60000},    {"min", 60000},     {"mins", 60000},     {"minute", 60000},
        {"minutes", 60000}, {"h", 3600000}, {"hour", 3600000},  {"hours", 3600000},  {"d", 86400000},
        {"day", 86400000}, {"days", 86400000},
    };
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (strlen(units[i].name) == ul && strncasecmp(units[i].name, u, ul) == 0) {
            if (v > INT64_MAX / units[i].ms) return -1;
            *ms = (int64_t)v * units[i].ms;
            return 0;
        }
    }
    return -1;
}

static const char *const duration_keys[] = {
    "table.exec.emit.allow-lateness", "table.exec.emit.early-fire.delay", "table.exec.emit.late-fire.delay",
    "table.exec.source.idle-timeout", "table.exec.state.ttl", "table.exec.mini-batch.allow-latency",
    "execution.checkpointing.interval", NULL,
};
static const char *const bool_keys[] = {
    "table.exec.emit.early-fire.enabled", "table.exec.emit.late-fire.enabled", "table.exec.mini-batch.enabled", NULL,
};

int pl_check_option(const char *key, const char *value, eddy_error *err)
{
    if (strcmp(key, "table.local-time-zone") == 0) {
        if (strcasecmp(value, "UTC") != 0 && strcasecmp(value, "GMT") != 0 && strcmp(value, "Z") != 0 &&
            strcasecmp(value, "Etc/UTC") != 0)
            return eddy_error_set(err, EDDY_EUNSUPPORTED, 0, 0,
                                  "'table.local-time-zone' = '%s': eddy supports only 'UTC' for now", value);
        return 0;
    }
    for (int i = 0; duration_keys[i]; i++)
        if (strcmp(key, duration_keys[i]) == 0) {
            int64_t ms;
            if (pl_parse_duration(value, &ms) != 0)
                return eddy_error_set(err, EDDY_EUSAGE, 0, 0,
                                      "'%s' = '%s' is not a duration (write e.g. '5 s', '1 min', '500 ms' or '1h')",
                                      key, value);
            return 0;
        }
    for (int i = 0; bool_keys[i]; i++)
        if (strcmp(key, bool_keys[i]) == 0) {
            if (strcasecmp(value, "true") != 0 && strcasecmp(value, "false") != 0)
                return eddy_error_set(err, EDDY_EUSAGE, 0, 0, "'%s' must be 'true' or 'false', not '%s'", key, value);
            return 0;
        }
    return 0;
}

int64_t session_duration(const eddy_session *s, const char *key, int64_t def)
{
    const char *v = session_option(s, key);
    int64_t ms;
    if (!v || pl_parse_duration(v, &ms) != 0) return def;
    return ms;
}

bool session_bool(const eddy_session *s, const char *key, bool def)
{
    const char *v = session_option(s, key);
    if (!v) return def;
    return strcasecmp(v, "true") == 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Suggestions                                                                               */

/* Edit distance between a and b, letters compared without regard to case. */
static int distance(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    if (na > 64 || nb > 64) return 1000;
    int d[65][65];
    for (size_t i = 0; i <= na; i++) d[i][0] = (int)i;
    for (size_t j = 0; j <= nb; j++) d[0][j] = (int)j;
    for (size_t i = 1; i <= na; i++)
        for (size_t j = 1; j <= nb; j++) {
            int c = tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 1]) ? 0 : 1;
            int m = d[i - 1][j - 1] + c;
            if (d[i - 1][j] + 1 < m) m = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < m) m = d[i][j - 1] + 1;
            /* a swap of two neighbours counts as one edit */
            if (i > 1 && j > 1 && tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 2]) &&
                tolower((unsigned char)a[i - 2]) == tolower((unsigned char)b[j - 1]) && d[i - 2][j - 2] + 1 < m)
                m = d[i - 2][j - 2] + 1;
            d[i][j] = m;
        }
    return d[na][nb];
}

const char *pl_suggest(const char *name, const char *const *cands, int n)
{
    const char *best = NULL;
    int bd = 1000;
    size_t len = strlen(name);
    int limit = len <= 3 ? 1 : len <= 6 ? 2 : 3;
    for (int i = 0; i < n; i++) {
        if (strcmp(cands[i], name) == 0) continue;
        int d = distance(name, cands[i]);
        if (d < bd) {
            bd = d;
            best = cands[i];
        }
    }
    return bd <= limit ? best : NULL;
}
