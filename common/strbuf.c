/*
 * strbuf.c: growing string buffer (see strbuf.h).
 */
#include "strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"

static void grow(eddy_strbuf *b, size_t extra)
{
    size_t need = b->n + extra + 1;
    if (need <= b->cap) return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need) cap *= 2;
    b->s = eddy_xrealloc(b->s, cap);
    b->cap = cap;
}

void eddy_strbuf_append(eddy_strbuf *b, const char *s, size_t n)
{
    grow(b, n);
    if (n) memcpy(b->s + b->n, s, n);
    b->n += n;
    b->s[b->n] = 0;
}

void eddy_strbuf_puts(eddy_strbuf *b, const char *s)
{
    eddy_strbuf_append(b, s, strlen(s));
}

void eddy_strbuf_putc(eddy_strbuf *b, char c)
{
    eddy_strbuf_append(b, &c, 1);
}

void eddy_strbuf_printf(eddy_strbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n <= 0) return;
    grow(b, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(b->s + b->n, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->n += (size_t)n;
}

void eddy_strbuf_clear(eddy_strbuf *b)
{
    b->n = 0;
    if (b->s) b->s[0] = 0;
}

const char *eddy_strbuf_cstr(const eddy_strbuf *b)
{
    return b->s ? b->s : "";
}

void eddy_strbuf_free(eddy_strbuf *b)
{
    free(b->s);
    b->s = NULL;
    b->n = b->cap = 0;
}

char *eddy_strbuf_take(eddy_strbuf *b)
{
    char *s = b->s ? b->s : eddy_xstrdup("");
    b->s = NULL;
    b->n = b->cap = 0;
    return s;
}
