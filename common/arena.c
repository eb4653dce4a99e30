/*
 * arena.c: chunked bump allocator (see arena.h). Large requests get a chunk of their own so
 * that a big string does not waste the rest of a normal chunk.
 */
#include "arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_ALIGN 16
#define ARENA_DEFAULT_CHUNK (16 * 1024)

typedef struct chunk {
    struct chunk *next; /* older chunk */
    size_t cap;         /* usable bytes in data */
    size_t used;        /* bytes handed out */
    _Alignas(16) unsigned char data[];
} chunk;

struct eddy_arena {
    chunk *head;       /* newest chunk, allocation happens here */
    size_t chunk_size; /* minimum size of a new chunk */
    size_t used;       /* bytes handed out since last reset */
};

static void oom(size_t n)
{
    fprintf(stderr, "eddy: out of memory (allocating %zu bytes)\n", n);
    abort();
}

void *eddy_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) oom(n);
    return p;
}

void *eddy_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p) oom(n * size);
    return p;
}

void *eddy_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) oom(n);
    return q;
}

char *eddy_xstrdup(const char *s)
{
    size_t n = strlen(s);
    char *p = eddy_xmalloc(n + 1);
    memcpy(p, s, n + 1);
    return p;
}

static chunk *chunk_new(size_t cap)
{
    chunk *c = eddy_xmalloc(sizeof(chunk) + cap);
    c->next = NULL;
    c->cap = cap;
    c->used = 0;
    return c;
}

eddy_arena *eddy_arena_new(size_t chunk_size)
{
    eddy_arena *a = eddy_xcalloc(1, sizeof *a);
    a->chunk_size = chunk_size ? chunk_size : ARENA_DEFAULT_CHUNK;
    return a;
}

void eddy_arena_destroy(eddy_arena *a)
{
    if (!a) return;
    chunk *c = a->head;
    while (c) {
        chunk *next = c->next;
        free(c);
        c = next;
    }
    free(a);
}

void eddy_arena_reset(eddy_arena *a)
{
    chunk *c = a->head;
    chunk *keep = NULL;
    while (c) {
        chunk *next = c->next;
        if (!next && c->cap == a->chunk_size) {
            keep = c; /* the oldest normal-sized chunk survives */
        } else {
            free(c);
        }
        c = next;
    }
    if (keep) keep->used = 0;
    a->head = keep;
    a->used = 0;
}

void *eddy_arena_alloc(eddy_arena *a, size_t n)
{
    size_t need = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    if (need < n) oom(n);
    chunk *c = a->head;
    if (!c || c->cap - c->used < need) {
        if (need > a->chunk_size / 4) {
            /* big block: own chunk, linked behind the head so the head keeps filling */
            chunk *big = chunk_new(need);
            big->used = need;
            if (c) {
                big->next = c->next;
                c->next = big;
            } else {
                a->head = big;
            }
            a->used += need;
            return big->data;
        }
        c = chunk_new(a->chunk_size);
        c->next = a->head;
        a->head = c;
    }
    void *p = c->data + c->used;
    c->used += need;
    a->used += need;
    return p;
}

void *eddy_arena_zalloc(eddy_arena *a, size_t n)
{
    void *p = eddy_arena_alloc(a, n);
    memset(p, 0, n);
    return p;
}

char *eddy_arena_strndup(eddy_arena *a, const char *s, size_t n)
{
    char *p = eddy_arena_alloc(a, n + 1);
    if (n) memcpy(p, s, n);
    p[n] = 0;
    return p;
}

char *eddy_arena_strdup(eddy_arena *a, const char *s)
{
    return eddy_arena_strndup(a, s, strlen(s));
}

char *eddy_arena_sprintf(eddy_arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) n = 0;
    char *p = eddy_arena_alloc(a, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

size_t eddy_arena_used(const eddy_arena *a)
{
    return a->used;
}
