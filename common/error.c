/*
 * error.c: filling and rendering eddy_error (see error.h).
 */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void eddy_error_clear(eddy_error *err)
{
    if (!err) return;
    err->code = 0;
    err->line = 0;
    err->col = 0;
    err->msg[0] = 0;
}

int eddy_error_set(eddy_error *err, int code, int line, int col, const char *fmt, ...)
{
    if (!err || err->code != 0) return code;
    err->code = code;
    err->line = line;
    err->col = col;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return code;
}

const char *eddy_strerror(int code)
{
    switch (code) {
    case EDDY_OK: return "success";
    case EDDY_ESYNTAX: return "syntax error";
    case EDDY_ELEX: return "invalid token";
    case EDDY_EBIND: return "invalid name or type";
    case EDDY_EPLAN: return "query cannot be planned";
    case EDDY_EUNSUPPORTED: return "not supported";
    case EDDY_EUSAGE: return "usage error";
    case EDDY_EIO: return "I/O error";
    case EDDY_EDATA: return "malformed data";
    case EDDY_ERUNTIME: return "runtime error";
    case EDDY_ESTATE: return "state error";
    case EDDY_ENOMEM: return "out of memory";
    case EDDY_ECONNECTOR: return "connector error";
    case EDDY_ENOTFOUND: return "not found";
    case EDDY_EEXISTS: return "already exists";
    case EDDY_ESTATE_FULL: return "state store map full (grown; retry)";
    default: return "unknown error";
    }
}

void eddy_text_position(const char *text, size_t off, int *line, int *col)
{
    int l = 1, c = 1;
    for (size_t i = 0; i < off && text[i]; i++) {
        if (text[i] == '\n') {
            l++;
            c = 1;
        } else {
            c++;
        }
    }
    *line = l;
    *col = c;
}

char *eddy_error_render(const eddy_error *err, const char *sql, char *buf, size_t n)
{
    if (n == 0) return buf;
    buf[0] = 0;
    if (err->line <= 0) {
        snprintf(buf, n, "%s", err->msg);
        return buf;
    }
    size_t len = (size_t)snprintf(buf, n, "line %d, column %d: %s", err->line, err->col, err->msg);
    if (!sql || len >= n) return buf;
    /* find the start of the line */
    const char *p = sql;
    for (int l = 1; l < err->line && *p; p++)
        if (*p == '\n') l++;
    if (!*p && err->line > 1) return buf;
    const char *e = p;
    while (*e && *e != '\n') e++;
    int width = (int)(e - p);
    /* keep very long lines readable: show at most 120 bytes around the column */
    int from = 0;
    if (width > 120 && err->col > 80) from = err->col - 80;
    int show = width - from > 120 ? 120 : width - from;
    if (show < 0) show = 0;
    len += (size_t)snprintf(buf + len, n - len, "\n  %.*s\n  ", show, p + from);
    for (int i = 1; i < err->col - from && len + 2 < n; i++) {
        char ch = (from + i - 1 < width) ? p[from + i - 1] : ' ';
        buf[len++] = ch == '\t' ? '\t' : ' ';
    }
    if (len + 2 < n) {
        buf[len++] = '^';
        buf[len] = 0;
    }
    return buf;
}
