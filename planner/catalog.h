/*
 * catalog.h: the session's catalog and options (inside planner/ only).
 *
 * The catalog is a list of objects: tables and views in one namespace keyed by
 * (catalog, database, name), functions in another. Objects point into the syntax trees of the
 * statements that created them (those scripts are adopted by the session and live as long as
 * it does); only names are copied. Lookups are exact (Flink's identifiers are case-sensitive);
 * misses come with a "did you mean" suggestion from pl_suggest().
 *
 * Options are the SET 'key' = 'value' pairs of the session, in the order first set.
 */
#ifndef EDDY_PLANNER_CATALOG_H
#define EDDY_PLANNER_CATALOG_H

#include <stdbool.h>
#include <stdint.h>

#include "../common/error.h"
#include "../parser/ast.h"
#include "session.h"

#define PL_DEFAULT_CATALOG "default_catalog"
#define PL_DEFAULT_DATABASE "default_database"

typedef enum cat_kind {
    CAT_TABLE,
    CAT_VIEW,
} cat_kind;

typedef struct cat_object {
    cat_kind kind;
    char *catalog;                  /* malloc'ed names */
    char *database;
    char *name;
    bool temporary;                 /* CREATE TEMPORARY ... */
    const eddy_stmt *stmt;          /* the CREATE statement */
    const eddy_script *script;      /* the adopted script holding it (text for messages) */
    const eddy_create_table *table; /* CAT_TABLE: its definition */
    const eddy_query *query;        /* CAT_VIEW: its query */
    const eddy_ident_list *cols;    /* CAT_VIEW: v (a, b) column names, or NULL */
} cat_object;

typedef struct cat_function {
    char *catalog;                  /* malloc'ed */
    char *database;
    char *name;
    char *class_name;               /* AS 'com.example.Fn' */
    char *language;                 /* JAVA, SCALA, PYTHON or NULL (= JAVA) */
    bool temporary;
    bool system;                    /* TEMPORARY SYSTEM FUNCTION */
} cat_function;

typedef struct session_opt {
    char *key;                      /* malloc'ed */
    char *value;
} session_opt;

struct eddy_session {
    eddy_script **scripts;          /* adopted scripts, freed with the session */
    int nscripts, cscripts;
    cat_object **objs;              /* tables and views */
    int nobjs, cobjs;
    cat_function **funcs;           /* user functions */
    int nfuncs, cfuncs;
    session_opt *opts;           /* SET options */
    int nopts, copts;
    char *cur_catalog;              /* USE CATALOG */
    char *cur_database;             /* USE */
};

/* Splits a dotted object name into catalog, database and name (current ones filled in).
 * Returns 0 or EDDY_EBIND for more than three parts. The strings point into n or s. */
int cat_split_name(const eddy_session *s, const eddy_name *n, const char **cat, const char **db,
                   const char **name, eddy_error *err);
/* The table or view of that name, or NULL. */
cat_object *cat_find(const eddy_session *s, const char *cat, const char *db, const char *name);
/* Looks a dotted name up; on a miss sets err: "table 'bids' not found; did you mean 'bid'?"
 * (at the name's position) and returns NULL. */
cat_object *cat_lookup(const eddy_session *s, const eddy_name *n, eddy_error *err);
/* Adds an object (takes it). */
void cat_add(eddy_session *s, cat_object *o);
/* Removes and frees object o. */
void cat_remove(eddy_session *s, cat_object *o);
void cat_object_free(cat_object *o);

/* The user function of that (unqualified or qualified) name, or NULL. */
cat_function *cat_find_function(const eddy_session *s, const char *cat, const char *db, const char *name);
void cat_function_free(cat_function *f);

/* The adopted script whose top-level statements include stmt, or NULL. */
const eddy_script *session_script_of(const eddy_session *s, const eddy_stmt *stmt);

/* Options. */
const char *session_option(const eddy_session *s, const char *key);
void session_option_set(eddy_session *s, const char *key, const char *value);
/* Removes one option (key) or all (key NULL). */
void session_option_reset(eddy_session *s, const char *key);

/* Durations as Flink's options accept them: '10 s', '1 min', '500 ms', '1h', '2 d', '100'
 * (milliseconds). Returns 0 or -1. */
int pl_parse_duration(const char *text, int64_t *ms);
/* Checks a SET: known keys get their values checked ('table.local-time-zone' must be UTC,
 * durations must parse, booleans must be true/false). Returns 0 or EDDY_EUSAGE with err set. */
int pl_check_option(const char *key, const char *value, eddy_error *err);
/* Duration option value in ms, def when unset (values were checked at SET). */
int64_t session_duration(const eddy_session *s, const char *key, int64_t def);
bool session_bool(const eddy_session *s, const char *key, bool def);

/* The candidate closest to name by edit distance (case differences count little), or NULL when
 * none is close enough to suggest. */
const char *pl_suggest(const char *name, const char *const *cands, int n);

#endif
