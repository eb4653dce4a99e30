/*
 * plan_build.c: making plan nodes and scopes (see binder.h).
 */
#include <string.h>

#include "binder.h"
#include "ptype.h"

eddy_plan *pn_new(eddy_arena *a, eddy_plan_kind kind, int ninputs, eddy_pos pos)
{
    eddy_plan *p = eddy_arena_zalloc(a, sizeof *p);
    p->kind = kind;
    p->id = -1;
    p->line = pos.line;
    p->col = pos.col;
    if (ninputs > 0) {
        p->inputs = eddy_arena_zalloc(a, sizeof *p->inputs * (size_t)ninputs);
        p->ninputs = ninputs;
    }
    return p;
}

eddy_field *pn_fields(eddy_arena *a, int n)
{
    return eddy_arena_zalloc(a, sizeof(eddy_field) * (size_t)(n > 0 ? n : 1));
}

void pn_time_attr(const eddy_plan *in, const eddy_bexpr *e, bool *rowtime, bool *proctime)
{
    *rowtime = *proctime = false;
    if (e->kind == EDDY_BEXPR_COLUMN && in && e->column >= 0 && e->column < in->out.n) {
        *rowtime = in->out.fields[e->column].rowtime;
        *proctime = in->out.fields[e->column].proctime;
    } else if (e->kind == EDDY_BEXPR_CALL && e->fn == EDDY_FN_PROCTIME) {
        *proctime = true;
    }
}

eddy_plan *pn_calc(eddy_arena *a, eddy_plan *input, eddy_bexpr **exprs, const char **names, int n,
                   eddy_bexpr *filter, eddy_pos pos)
{
    eddy_plan *p = pn_new(a, EDDY_PLAN_CALC, 1, pos);
    p->inputs[0] = input;
    p->changelog = input->changelog;
    p->out.n = n;
    p->out.fields = pn_fields(a, n);
    p->u.calc.exprs = eddy_arena_zalloc(a, sizeof(eddy_bexpr *) * (size_t)(n > 0 ? n : 1));
    for (int i = 0; i < n; i++) {
        p->u.calc.exprs[i] = exprs[i];
        eddy_field *f = &p->out.fields[i];
        f->name = names[i];
        f->type = exprs[i]->type;
        pn_time_attr(input, exprs[i], &f->rowtime, &f->proctime);
    }
    p->u.calc.filter = filter;
    return p;
}

eddy_plan *pn_filter(eddy_arena *a, eddy_plan *input, eddy_bexpr *filter, eddy_pos pos)
{
    int n = input->out.n;
    eddy_bexpr **ex = eddy_arena_alloc(a, sizeof *ex * (size_t)(n > 0 ? n : 1));
    const char **names = eddy_arena_alloc(a, sizeof *names * (size_t)(n > 0 ? n : 1));
    for (int i = 0; i < n; i++) {
        ex[i] = bx_col(a, i, input->out.fields[i].type);
        names[i] = input->out.fields[i].name;
    }
    return pn_calc(a, input, ex, names, n, filter, pos);
}

const eddy_plan *pn_changelog_origin(const eddy_plan *p)
{
    if (!p || !p->changelog) return NULL;
    for (int i = 0; i < p->ninputs; i++)
        if (p->inputs[i]->changelog) return pn_changelog_origin(p->inputs[i]);
    return p;
}

bscope *scope_new(eddy_arena *a, eddy_plan *node)
{
    bscope *sc = eddy_arena_zalloc(a, sizeof *sc);
    sc->node = node;
    sc->limit = -1;
    return sc;
}

bcol *scope_add(eddy_arena *a, bscope *sc, const char *qual, const char *name, int index)
{
    if (sc->n == sc->cap) {
        int cap = sc->cap ? sc->cap * 2 : 16;
        bcol *c = eddy_arena_alloc(a, sizeof *c * (size_t)cap);
        if (sc->n) memcpy(c, sc->cols, sizeof *c * (size_t)sc->n);
        sc->cols = c;
        sc->cap = cap;
    }
    bcol *c = &sc->cols[sc->n++];
    memset(c, 0, sizeof *c);
    c->qual = qual;
    c->name = name;
    c->path = eddy_arena_alloc(a, sizeof(char *));
    c->path[0] = name;
    c->npath = 1;
    c->index = index;
    return c;
}

bscope *scope_of_node(eddy_arena *a, eddy_plan *node, const char *qual)
{
    bscope *sc = scope_new(a, node);
    for (int i = 0; i < node->out.n; i++) scope_add(a, sc, qual, node->out.fields[i].name, i);
    return sc;
}
