/*
 * batch.c: allocation and reset of column batches (see batch.h).
 *
 * Column arrays are allocated once per batch with malloc (they are reused across refills);
 * the batch's arena holds string bytes and is reset on every refill.
 */
#include "batch.h"

#include <stdlib.h>
#include <string.h>

eddy_phys eddy_phys_of(const eddy_sqltype *t)
{
    switch (t->kind) {
    case EDDY_TYPE_BOOLEAN: return EDDY_PHYS_BOOL;
    case EDDY_TYPE_FLOAT:
    case EDDY_TYPE_DOUBLE: return EDDY_PHYS_F64;
    case EDDY_TYPE_DECIMAL: return EDDY_PHYS_DEC;
    case EDDY_TYPE_CHAR:
    case EDDY_TYPE_VARCHAR:
    case EDDY_TYPE_BINARY:
    case EDDY_TYPE_VARBINARY:
    case EDDY_TYPE_ARRAY:    /* nested values travel as their JSON text until they get a */
    case EDDY_TYPE_MULTISET: /* representation of their own */
    case EDDY_TYPE_MAP:
    case EDDY_TYPE_ROW:
    case EDDY_TYPE_RAW: return EDDY_PHYS_STR;
    default: return EDDY_PHYS_I64;
    }
}

size_t eddy_phys_size(eddy_phys p)
{
    switch (p) {
    case EDDY_PHYS_BOOL: return 1;
    case EDDY_PHYS_I64: return 8;
    case EDDY_PHYS_F64: return 8;
    case EDDY_PHYS_DEC: return 16;
    case EDDY_PHYS_STR: return sizeof(eddy_str);
    }
    return 8;
}

typedef struct batch_mem {
    eddy_batch b;        /* the batch handed out */
    uint8_t *nulls_mem;  /* ncols * cap null bytes, handed out on demand */
    uint8_t *kinds_mem;  /* cap row kinds */
} batch_mem;

eddy_batch *eddy_batch_new(int ncols, const eddy_sqltype *const *types, int cap)
{
    batch_mem *m = eddy_xcalloc(1, sizeof *m);
    eddy_batch *b = &m->b;
    if (cap <= 0) cap = EDDY_BATCH_ROWS;
    b->cap = cap;
    b->ncols = ncols;
    b->split = -1;
    b->cols = eddy_xcalloc((size_t)(ncols ? ncols : 1), sizeof(eddy_col));
    for (int i = 0; i < ncols; i++) {
        eddy_col *c = &b->cols[i];
        c->type = types[i];
        c->phys = eddy_phys_of(types[i]);
        c->v.ptr = eddy_xcalloc((size_t)cap, eddy_phys_size(c->phys));
    }
    m->nulls_mem = eddy_xcalloc((size_t)(ncols ? ncols : 1) * (size_t)cap, 1);
    m->kinds_mem = eddy_xcalloc((size_t)cap, 1);
    b->arena = eddy_arena_new(64 * 1024);
    return b;
}

void eddy_batch_free(eddy_batch *b)
{
    if (!b) return;
    batch_mem *m = (batch_mem *)b;
    for (int i = 0; i < b->ncols; i++) free(b->cols[i].v.ptr);
    free(b->cols);
    free(m->nulls_mem);
    free(m->kinds_mem);
    eddy_arena_destroy(b->arena);
    free(m);
}

void eddy_batch_reset(eddy_batch *b)
{
    batch_mem *m = (batch_mem *)b;
    for (int i = 0; i < b->ncols; i++) {
        if (b->cols[i].nulls) {
            memset(b->cols[i].nulls, 0, (size_t)b->cap);
            b->cols[i].nulls = NULL;
        }
    }
    b->kinds = NULL;
    b->wm_before = NULL;
    (void)m;
    b->n = 0;
    b->split = -1;
    eddy_arena_reset(b->arena);
}

uint8_t *eddy_col_nulls(eddy_batch *b, int col)
{
    batch_mem *m = (batch_mem *)b;
    eddy_col *c = &b->cols[col];
    if (!c->nulls) c->nulls = m->nulls_mem + (size_t)col * (size_t)b->cap;
    return c->nulls;
}

eddy_str eddy_batch_str(eddy_batch *b, const char *p, size_t len)
{
    eddy_str s;
    char *d = eddy_arena_alloc(b->arena, len ? len : 1);
    if (len) memcpy(d, p, len);
    s.p = d;
    s.n = (uint32_t)len;
    return s;
}

uint8_t *eddy_batch_kinds(eddy_batch *b)
{
    batch_mem *m = (batch_mem *)b;
    if (!b->kinds) {
        memset(m->kinds_mem, 0, (size_t)b->cap);
        b->kinds = m->kinds_mem;
    }
    return b->kinds;
}
