/* map.c - a string-keyed open-addressing hash table (FNV-1a, linear
 * probing, load <= 1/2).  Records are never removed. */
#include <stdlib.h>
#include <string.h>

#include "fsrc.h"

static uint64_t hash(const char *p, size_t len)
{
	uint64_t h = 14695981039346656037ull;

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)p[i];
		h *= 1099511628211ull;
	}
	return h;
}

static bool same(const fsrc_rec *r, const char *name, size_t len)
{
	return strncmp(r->name, name, len) == 0 && r->name[len] == '\0';
}

fsrc_rec *fsrc_map_find(const fsrc_map *m, const char *name, size_t len)
{
	size_t i;

	if (m->cap == 0)
		return NULL;
	for (i = hash(name, len) & (m->cap - 1); m->slots[i].name != NULL;
	     i = (i + 1) & (m->cap - 1))
		if (same(&m->slots[i], name, len))
			return &m->slots[i];
	return NULL;
}

static int grow(fsrc_map *m)
{
	size_t cap = m->cap ? m->cap * 2 : 64;
	fsrc_rec *slots = calloc(cap, sizeof(*slots));

	if (slots == NULL)
		return SL_ENOMEM;
	for (size_t k = 0; k < m->cap; k++) {
		fsrc_rec *r = &m->slots[k];
		size_t i;

		if (r->name == NULL)
			continue;
		for (i = hash(r->name, strlen(r->name)) & (cap - 1); slots[i].name != NULL;
		     i = (i + 1) & (cap - 1))
			;
		slots[i] = *r;
	}
	free(m->slots);
	m->slots = slots;
	m->cap = cap;
	return SL_OK;
}

fsrc_rec *fsrc_map_put(fsrc_map *m, const char *name, size_t len)
{
	fsrc_rec *r = fsrc_map_find(m, name, len);
	size_t i;

	if (r != NULL)
		return r;
	if ((m->n + 1) * 2 > m->cap && grow(m) < 0)
		return NULL;
	for (i = hash(name, len) & (m->cap - 1); m->slots[i].name != NULL;
	     i = (i + 1) & (m->cap - 1))
		;
	r = &m->slots[i];
	r->name = malloc(len + 1);
	if (r->name == NULL)
		return NULL;
	memcpy(r->name, name, len);
	r->name[len] = '\0';
	r->batch = r->size = r->mtime_us = 0;
	r->warned = false;
	r->committed = false;
	m->n++;
	return r;
}

void fsrc_map_free(fsrc_map *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->slots[i].name);
	free(m->slots);
	memset(m, 0, sizeof(*m));
}
