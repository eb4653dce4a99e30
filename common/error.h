/*
 * error.h: eddy's error codes and the error record every phase fills.
 *
 * Functions return int: 0 for success, a negative EDDY_E* code for failure, and fill an
 * eddy_error the caller passed in with the first error's message and, where the error is in
 * SQL text, its line and column (1-based; 0 = no position). eddy_error_render() turns an error
 * on SQL text into the message a user sees:
 *
 *     line 3, column 14: syntax error near ','
 *       SELECT a, b,, c
 *                   ^
 *
 * Errors in data name topic/file, partition and offset in the message itself.
 */
#ifndef EDDY_COMMON_ERROR_H
#define EDDY_COMMON_ERROR_H

#include <stddef.h>

enum {
    EDDY_OK = 0,
    EDDY_ESYNTAX = -1000, /* SQL does not parse */
    EDDY_ELEX = -1001,    /* SQL has a byte or literal that starts no token */
    EDDY_EBIND = -1002,   /* unknown name, wrong type, ... */
    EDDY_EPLAN = -1003,   /* valid SQL that eddy cannot plan */
    EDDY_EUNSUPPORTED = -1004,
    EDDY_EUSAGE = -1005,  /* bad command line or option */
    EDDY_EIO = -1006,     /* file or network I/O failed */
    EDDY_EDATA = -1007,   /* malformed input data */
    EDDY_ERUNTIME = -1008,/* overflow, division by zero, ... while running */
    EDDY_ESTATE = -1009,  /* state directory missing, locked, foreign, corrupt */
    EDDY_ENOMEM = -1010,
    EDDY_ECONNECTOR = -1011,
    EDDY_ENOTFOUND = -1012,
    EDDY_EEXISTS = -1013,
    EDDY_ESTATE_FULL = -1014, /* the state store's map was full: grown, run the checkpoint again */
};

#define EDDY_ERROR_MSG_MAX 1024

typedef struct eddy_error {
    int code;                     /* 0 or an EDDY_E* code */
    int line;                     /* 1-based line in the SQL text, 0 if none */
    int col;                      /* 1-based column (bytes), 0 if none */
    char msg[EDDY_ERROR_MSG_MAX]; /* message without position, e.g. "syntax error near ','" */
} eddy_error;

/* Clears err to "no error". */
void eddy_error_clear(eddy_error *err);
/* Sets err unless it already holds an error (the first error wins). Returns code. */
int eddy_error_set(eddy_error *err, int code, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* A short description of an EDDY_E* code. */
const char *eddy_strerror(int code);

/* Writes into buf (size n) the user-facing text of err: "line L, column C: msg" plus, when sql
 * is not NULL and the position is inside it, the offending line and a caret under the column.
 * Without a position it is just msg. Returns buf. */
char *eddy_error_render(const eddy_error *err, const char *sql, char *buf, size_t n);

/* Finds the (line, col) of byte offset off in text (1-based). */
void eddy_text_position(const char *text, size_t off, int *line, int *col);

#endif
