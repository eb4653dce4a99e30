/*
 * arena.h: a bump allocator for memory that dies all at once.
 *
 * An arena hands out memory from chunks and frees nothing until it is reset or destroyed. The
 * parser builds a whole AST in one; the runtime gives each batch one and resets it per batch.
 *
 *     eddy_arena *a = eddy_arena_new(0);
 *     char *s = eddy_arena_strndup(a, "abc", 3);
 *     eddy_arena_destroy(a);          // frees s and everything else
 *
 * Allocation failure is fatal (abort with a message): eddy does not try to limp on without memory.
 * Not thread-safe: one arena belongs to one thread at a time.
 */
#ifndef EDDY_COMMON_ARENA_H
#define EDDY_COMMON_ARENA_H

#include <stddef.h>

typedef struct eddy_arena eddy_arena;

/* Returns a new arena whose chunks are at least chunk_size bytes (0 = a default of 16 KiB). */
eddy_arena *eddy_arena_new(size_t chunk_size);
/* Frees the arena and every block it handed out. NULL is fine. */
void eddy_arena_destroy(eddy_arena *a);
/* Frees every block but keeps the first chunk for reuse. */
void eddy_arena_reset(eddy_arena *a);

/* Returns n bytes aligned to 16, uninitialised / zeroed. Valid until reset or destroy. */
void *eddy_arena_alloc(eddy_arena *a, size_t n);
void *eddy_arena_zalloc(eddy_arena *a, size_t n);
/* Copies n bytes of s and appends a NUL. */
char *eddy_arena_strndup(eddy_arena *a, const char *s, size_t n);
char *eddy_arena_strdup(eddy_arena *a, const char *s);
/* printf into the arena. */
char *eddy_arena_sprintf(eddy_arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Bytes handed out since the last reset (for metrics and tests). */
size_t eddy_arena_used(const eddy_arena *a);

/* Allocation helpers for the rest of eddy: abort on failure instead of returning NULL. */
void *eddy_xmalloc(size_t n);
void *eddy_xcalloc(size_t n, size_t size);
void *eddy_xrealloc(void *p, size_t n);
char *eddy_xstrdup(const char *s);

#endif
