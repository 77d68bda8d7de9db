/* diag.c - collected pipeline-file errors. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util/diag.h"

void slc_diag_init(slc_diag *d)
{
	memset(d, 0, sizeof(*d));
}

void slc_diag_free(slc_diag *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].file);
		free(d->v[i].msg);
	}
	free(d->v);
	memset(d, 0, sizeof(*d));
}

const char *slc_diag_msg(const slc_diag *d, size_t i)
{
	return i < d->n ? d->v[i].msg : NULL;
}

/* Takes over msg (a malloc'ed string); drops it when memory runs out. */
static void push(slc_diag *d, const char *file, int line, char *msg)
{
	slc_diag_entry *v;
	size_t cap;

	if (msg == NULL)
		return;
	if (d->n == d->cap) {
		cap = d->cap ? d->cap * 2 : 8;
		v = realloc(d->v, cap * sizeof(*v));
		if (v == NULL) {
			free(msg);
			return;
		}
		d->v = v;
		d->cap = cap;
	}
	d->v[d->n].file = file ? strdup(file) : NULL;
	d->v[d->n].line = line;
	d->v[d->n].msg = msg;
	d->n++;
}

static void where(sl_strbuf *sb, const char *file, int line, const char *stage)
{
	if (file != NULL && line > 0)
		sl_strbuf_printf(sb, "%s:%d: ", file, line);
	else if (file != NULL)
		sl_strbuf_printf(sb, "%s: ", file);
	if (stage != NULL)
		sl_strbuf_printf(sb, "stage '%s': ", stage);
}

int slc_diag_add(slc_diag *d, const char *file, int line, const char *stage, const char *fmt, ...)
{
	sl_strbuf sb = {0};
	char msg[SL_ERROR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	where(&sb, file, line, stage);
	sl_strbuf_puts(&sb, msg);
	push(d, file, line, sb.buf);
	return SL_EINVAL;
}

/* Does msg already name the option ('name')? */
static bool quotes(const char *msg, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = strchr(msg, '\''); p != NULL; p = strchr(p + 1, '\''))
		if (strncmp(p + 1, name, n) == 0 && p[n + 1] == '\'')
			return true;
	return false;
}

int slc_diag_add_error(slc_diag *d, const char *file, int line, const char *stage,
                       const sl_error *err)
{
	sl_strbuf sb = {0};
	const char *msg = err->msg[0] ? err->msg : sl_strerror(err->code);

	where(&sb, file, line, stage);
	if (err->option != NULL && !quotes(msg, err->option))
		sl_strbuf_printf(&sb, "option '%s': ", err->option);
	sl_strbuf_puts(&sb, msg);
	if (err->pos >= 0)
		sl_strbuf_printf(&sb, " (at character %d)", err->pos + 1);
	push(d, file, line, sb.buf);
	return SL_EINVAL;
}

/* Rank of a file: the index of its first mention (NULL files first). */
static size_t file_rank(const slc_diag *d, const char *file)
{
	if (file == NULL)
		return 0;
	for (size_t i = 0; i < d->n; i++)
		if (d->v[i].file && strcmp(d->v[i].file, file) == 0)
			return i + 1;
	return d->n + 1;
}

static bool before(const slc_diag *d, const slc_diag_entry *a, const slc_diag_entry *b)
{
	size_t ra = file_rank(d, a->file), rb = file_rank(d, b->file);

	return ra < rb || (ra == rb && a->line < b->line);
}

void slc_one_line(char *s)
{
	for (; s && *s; s++)
		if (*s == '\n' || *s == '\r')
			*s = ' ';
}

void slc_print_error(FILE *f, const char *fmt, ...)
{
	char msg[SL_ERROR_MAX * 2];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	slc_one_line(msg);
	/* One fprintf, so lines from several writers do not mix. */
	fprintf(f, SLC_ERROR_PREFIX "%s\n", msg);
}

void slc_diag_print(const slc_diag *d, FILE *f)
{
	const slc_diag_entry **order = calloc(d->n + 1, sizeof(*order));
	size_t j;

	if (order == NULL) {
		for (size_t i = 0; i < d->n; i++)
			slc_print_error(f, "%s", d->v[i].msg);
		return;
	}
	/* Insertion sort: stable, and lists are short. */
	for (size_t i = 0; i < d->n; i++) {
		for (j = i; j > 0 && before(d, &d->v[i], order[j - 1]); j--)
			order[j] = order[j - 1];
		order[j] = &d->v[i];
	}
	for (size_t i = 0; i < d->n; i++)
		slc_print_error(f, "%s", order[i]->msg);
	free(order);
}
