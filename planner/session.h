/*
 * session.h: what the planner offers: a SQL session (catalog + SET options) that executes
 * parsed statements and turns queries into physical plans (plan.h) for the runtime.
 *
 *     eddy_session *s = eddy_session_new();
 *     eddy_script *script;
 *     eddy_error err;
 *     if (eddy_parse(sql, len, &script, &err) == 0) {
 *         eddy_session_adopt(s, script);                // the session frees it
 *         for (int i = 0; i < script->n; i++) {
 *             eddy_result r;
 *             if (eddy_session_execute(s, script->stmts[i], &r, &err) != 0) {
 *                 char msg[2048];
 *                 fprintf(stderr, "%s\n", eddy_error_render(&err, script->text, msg, sizeof msg));
 *                 break;
 *             }
 *             switch (r.kind) {
 *             case EDDY_RESULT_TEXT: fputs(r.text, stdout); break;
 *             case EDDY_RESULT_JOB:  run r.plan with runtime/job.h (take it: r.plan = NULL); break;
 *             ...
 *             }
 *             eddy_result_clear(&r);
 *         }
 *     }
 *     eddy_session_free(s);
 *
 * Catalog: one namespace per session. Names may be qualified (cat.db.t); unqualified names
 * live in the current catalog and database, default_catalog.default_database as in Flink
 * (USE / USE CATALOG change them). Tables and views share the namespace; functions have their
 * own. TEMPORARY objects are kept like the others (eddy has no persistent catalog yet).
 *
 * Views keep their syntax tree and are bound each time they are used, so the script that
 * defined them must stay alive: eddy_session_adopt() hands a script to the session, which
 * frees it in eddy_session_free(). Statements of scripts that were not adopted may still be
 * executed, except CREATE VIEW (which returns EDDY_EUSAGE: adopt the script first).
 *
 * Errors: err gets the first error with its line and column in the text of the script that
 * holds the statement (render it with eddy_error_render and that script's text). An error
 * inside a view's definition is reported at the place the view is used, and the message says
 * where in the view it is ("in view 'bid' (line 3, column 5): ...").
 *
 * Results: DDL and SET give EDDY_RESULT_NONE with a short message ("Table has been
 * created."); SHOW, DESCRIBE, EXPLAIN and a bare SET give EDDY_RESULT_TEXT; INSERT, a statement
 * set and a bare SELECT give EDDY_RESULT_JOB with a plan for runtime/job.h (a bare SELECT
 * writes to the print connector); SHOW JOBS and STOP JOB are for the program that runs jobs
 * (EDDY_RESULT_SHOW_JOBS, EDDY_RESULT_STOP_JOB).
 *
 * Thread rules: a session is used by one thread at a time. Plans are independent of the
 * session once made: they own copies of everything they point to, so a job may keep running
 * after the session is freed.
 */
#ifndef EDDY_PLANNER_SESSION_H
#define EDDY_PLANNER_SESSION_H

#include <stdbool.h>

#include "../common/error.h"
#include "../parser/ast.h"
#include "plan.h"

typedef struct eddy_session eddy_session;

typedef enum eddy_result_kind {
    EDDY_RESULT_NONE,       /* DDL, SET, RESET, USE: done; message says what happened */
    EDDY_RESULT_TEXT,       /* SHOW, DESCRIBE, EXPLAIN, bare SET: text to print */
    EDDY_RESULT_JOB,        /* INSERT, statement set, bare SELECT: plan to run */
    EDDY_RESULT_SHOW_JOBS,  /* SHOW JOBS: the caller lists the jobs it runs */
    EDDY_RESULT_STOP_JOB,   /* STOP JOB: the caller stops job_id */
} eddy_result_kind;

typedef struct eddy_result {
    eddy_result_kind kind;
    const char *message;    /* NONE: a one-line confirmation ("Table has been created.") */
    char *text;             /* TEXT: malloc'ed, each line ending in '\n' */
    eddy_job_plan *plan;    /* JOB: the plan, owned by the result; take it by setting
                             * r->plan = NULL and free it later with eddy_job_plan_free */
    bool bare_select;       /* JOB: the plan comes from a bare SELECT (result to the terminal) */
    char *job_id;           /* STOP_JOB: malloc'ed id as written */
    bool with_savepoint;    /* STOP_JOB: WITH SAVEPOINT */
    bool with_drain;        /* STOP_JOB: WITH DRAIN */
} eddy_result;

/* A new session with an empty catalog and no options set. Never NULL (aborts without memory). */
eddy_session *eddy_session_new(void);
/* Frees the session, its catalog and every adopted script. NULL is fine. Plans already handed
 * out stay valid. */
void eddy_session_free(eddy_session *s);

/* Hands script to the session, which keeps it (views point into it) and frees it at
 * eddy_session_free. Adopting the same script twice is harmless. */
void eddy_session_adopt(eddy_session *s, eddy_script *script);

/*
 * Executes one statement (normally of an adopted script). On success returns 0 and fills
 * *out (free with eddy_result_clear); on failure returns a negative EDDY_E* code, sets err
 * (first error, with position) and leaves *out empty (kind NONE). Nothing in the catalog
 * changes when a statement fails.
 *   EDDY_EBIND         unknown names, type errors, bad DDL
 *   EDDY_EPLAN         valid SQL that cannot be planned (a changelog into an append-only sink)
 *   EDDY_EUNSUPPORTED  features eddy does not have yet (JOIN, OVER, Java UDFs, ...)
 *   EDDY_ENOTFOUND, EDDY_EEXISTS   DROP / CREATE of missing / existing objects
 *   EDDY_EUSAGE        bad SET values
 */
int eddy_session_execute(eddy_session *s, const eddy_stmt *stmt, eddy_result *out, eddy_error *err);

/* Frees what a result holds and empties it. NULL and empty results are fine. */
void eddy_result_clear(eddy_result *r);

/* Frees a plan made by eddy_session_execute (everything lives in plan->arena). NULL is fine. */
void eddy_job_plan_free(eddy_job_plan *plan);

/* The EXPLAIN text of a plan: one indented tree per sink in Flink's style (`+- ` children),
 * operators with their keys, windows, watermarks and state. malloc'ed, lines end in '\n'. */
char *eddy_plan_explain(const eddy_job_plan *plan);

/* The value of a session option set with SET, or NULL. */
const char *eddy_session_get_option(const eddy_session *s, const char *key);

#endif
