/*
 * strbuf.h: a growing, NUL-terminated string buffer on the heap.
 *
 *     eddy_strbuf b = {0};
 *     eddy_strbuf_printf(&b, "%d rows", n);
 *     puts(b.s);
 *     eddy_strbuf_free(&b);
 *
 * A zeroed eddy_strbuf is an empty buffer; b.s is NULL until the first append (use
 * eddy_strbuf_cstr() for a string that is never NULL).
 */
#ifndef EDDY_COMMON_STRBUF_H
#define EDDY_COMMON_STRBUF_H

#include <stddef.h>

typedef struct eddy_strbuf {
    char *s;    /* NUL-terminated text (NULL while empty and never grown) */
    size_t n;   /* length */
    size_t cap; /* capacity */
} eddy_strbuf;

void eddy_strbuf_append(eddy_strbuf *b, const char *s, size_t n);
void eddy_strbuf_puts(eddy_strbuf *b, const char *s);
void eddy_strbuf_putc(eddy_strbuf *b, char c);
void eddy_strbuf_printf(eddy_strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Empties the buffer, keeping its memory. */
void eddy_strbuf_clear(eddy_strbuf *b);
/* The text, "" for an empty buffer. Valid until the next append. */
const char *eddy_strbuf_cstr(const eddy_strbuf *b);
/* Frees the memory; the buffer is empty and usable again. */
void eddy_strbuf_free(eddy_strbuf *b);
/* Hands the malloc'ed text to the caller (never NULL) and empties the buffer. */
char *eddy_strbuf_take(eddy_strbuf *b);

#endif
