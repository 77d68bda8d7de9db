/* expr_tree.c - what every stage of compilation shares: the arena a tree
 * lives in, its nodes, and errors that point at a character. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr_internal.h"

/* ------------------------------------------------------------------ arena */

struct slx_chunk {
	struct slx_chunk *next;
	size_t used, cap;
	max_align_t data[];
};

void *slx_alloc(slx_arena *a, size_t n)
{
	n = (n + 15) & ~(size_t)15;
	struct slx_chunk *c = a->head;
	if (c == NULL || c->cap - c->used < n) {
		size_t cap = n > 4000 ? n : 4000;
		c = malloc(sizeof(*c) + cap);
		if (c == NULL)
			return NULL;
		c->cap = cap;
		c->used = 0;
		c->next = a->head;
		a->head = c;
	}
	void *p = (char *)c->data + c->used;
	c->used += n;
	memset(p, 0, n);
	return p;
}

char *slx_strndup(slx_arena *a, const char *s, size_t n)
{
	char *p = slx_alloc(a, n + 1);
	if (p == NULL)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void slx_arena_free(slx_arena *a)
{
	struct slx_chunk *c = a->head;
	while (c != NULL) {
		struct slx_chunk *next = c->next;
		free(c);
		c = next;
	}
	a->head = NULL;
}

int slx_err(sl_error *err, int code, int pos, const char *fmt, ...)
{
	if (err == NULL)
		return code;
	va_list ap;
	va_start(ap, fmt);
	sl_error_setv(err, code, fmt, ap);
	va_end(ap);
	err->code = code;
	err->pos = pos;
	return code;
}

slx_node *slx_node_new(slx_tree *t, slx_kind kind, int pos)
{
	slx_node *n = slx_alloc(&t->arena, sizeof(*n));
	if (n == NULL)
		return NULL;
	n->kind = kind;
	n->pos = pos;
	n->op_pos = pos;
	n->col = -1;
	n->depth = 1;
	n->all_next = t->all;
	t->all = n;
	return n;
}
