/* config_include.c - names of @include'd files as the user can open them.
 *
 * libconfig keeps the name written after @include, which is relative to the
 * include directory (the pipeline file's); messages need a name that works
 * from the current directory. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config_file.h"

/* A relative include whose name the user could not open as printed. */
static bool included(const slc_pipeline *p, const char *file)
{
	const char *dir = config_get_include_dir(p->cfg);

	return file[0] != '/' && strcmp(file, p->path) != 0 && dir != NULL && strcmp(dir, ".") != 0;
}

static const char *joined(slc_pipeline *p, const char *file)
{
	const char *dir = config_get_include_dir(p->cfg);
	size_t n = strlen(dir) + strlen(file) + 2;
	char **v, *name = malloc(n);

	if (name == NULL)
		return file;
	snprintf(name, n, "%s/%s", dir, file);
	for (size_t i = 0; i < p->n_file_names; i++) {
		if (strcmp(p->file_names[i], name) == 0) {
			free(name);
			return p->file_names[i];
		}
	}
	v = realloc(p->file_names, (p->n_file_names + 1) * sizeof(*v));
	if (v == NULL) {
		free(name);
		return file;
	}
	p->file_names = v;
	p->file_names[p->n_file_names++] = name;
	return name;
}

const char *slc_include_name(slc_pipeline *p, const char *file)
{
	return included(p, file) ? joined(p, file) : file;
}

void slc_include_resolve(slc_pipeline *p, config_setting_t *s)
{
	int n;

	if (s->file != NULL)
		s->file = slc_include_name(p, s->file);
	if (!config_setting_is_aggregate(s))
		return;
	n = config_setting_length(s);
	for (int i = 0; i < n; i++)
		slc_include_resolve(p, config_setting_get_elem(s, (unsigned)i));
}
