/* fmt_csv_tok.c - the CSV tokenizer: one field at a time, quoted or not,
 * without copying unless a quoted field has escapes. */
#include <string.h>

#include "fmt_csv.h"

int slf_csvtok_init(slf_csvtok *t, const sl_format_options *o, sl_error *err)
{
	memset(t, 0, sizeof(*t));
	t->sep = o->sep ? o->sep : ',';
	t->quote = o->quote;
	t->escape = o->escape ? o->escape : o->quote;
	t->comment = o->comment;
	t->multi_line = o->multi_line;
	t->trim_lead = o->ignore_leading_white_space;
	t->trim_trail = o->ignore_trailing_white_space;
	if (t->quote != '\0' && (t->sep == t->quote || t->sep == t->escape))
		return sl_error_at(err, SL_EINVAL, "sep", -1,
		                   "the separator cannot also be the quote or escape character");
	if (t->sep == '\n' || t->sep == '\r' || t->quote == '\n' || t->quote == '\r')
		return sl_error_at(err, SL_EINVAL, "sep", -1,
		                   "a line break cannot be the separator or the quote");
	t->cls[(uint8_t)t->sep] = SLF_C_SEP;
	t->cls['\n'] = SLF_C_NL;
	t->cls['\r'] = SLF_C_NL;
	return SL_OK;
}

void slf_csvtok_free(slf_csvtok *t)
{
	free(t->scratch);
	t->scratch = NULL;
}

/* Scans the field at *pp.  SLF_F_MORE: the buffer ended inside the record and
 * more input may come. */
int slf_csv_field(slf_csvtok *c, const char **pp, const char *end, bool eof, slf_cfield *f,
                  int64_t *lines, const char **bad)
{
	const char *p = *pp;

	f->quoted = false;
	f->escaped = false;
	if (c->trim_lead)
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
	if (p < end && *p == c->quote && c->quote != '\0') {
		const char *s = ++p;
		const char *after;

		f->quoted = true;
		for (;;) {
			while (p < end && *p != c->quote && *p != c->escape && *p != '\n')
				p++;
			if (p >= end)
				goto unterminated;
			if (*p == '\n') {
				if (!c->multi_line) {
					*bad = s - 1;
					*pp = p;
					return SLF_F_BROKEN;
				}
				(*lines)++;
				p++;
				continue;
			}
			if (*p == c->escape && c->escape != c->quote) {
				if (p + 1 >= end)
					goto unterminated;
				if (p[1] == c->quote || p[1] == c->escape) {
					f->escaped = true;
					p += 2;
				} else {
					p++;
				}
				continue;
			}
			/* a quote: doubled, or the end of the field */
			if (p + 1 >= end && !eof)
				goto unterminated;
			if (p + 1 < end && p[1] == c->quote) {
				f->escaped = true;
				p += 2;
				continue;
			}
			break;
		}
		f->p = s;
		f->len = (size_t)(p - s);
		after = ++p;
		/* text between the closing quote and the separator is kept */
		while (p < end && *p != c->sep && *p != '\n' && *p != '\r')
			p++;
		if (p > after) {
			if (c->trim_trail) {
				const char *q = after;

				while (q < p && (*q == ' ' || *q == '\t'))
					q++;
				if (q == p)
					goto ended;
			}
			f->escaped = true;
			f->len = (size_t)(p - s);
		}
		goto ended;
	unterminated:
		if (!eof) {
			*pp = p;
			return SLF_F_MORE;
		}
		*bad = s - 1;
		*pp = end;
		return SLF_F_BROKEN;
	}
	f->p = p;
	/* eight bytes at a time while none is the separator or a line end */
	{
		const uint64_t ones = UINT64_C(0x0101010101010101), highs = ones << 7;
		const uint64_t sv = ones * (uint8_t)c->sep, nv = ones * '\n', rv = ones * '\r';

		while (end - p >= 8) {
			uint64_t w, a, b, d;

			memcpy(&w, p, 8);
			a = w ^ sv;
			b = w ^ nv;
			d = w ^ rv;
			if ((((a - ones) & ~a) | ((b - ones) & ~b) | ((d - ones) & ~d)) & highs)
				break;
			p += 8;
		}
	}
	while (p < end && c->cls[(uint8_t)*p] == SLF_C_PLAIN)
		p++;
	f->len = (size_t)(p - f->p);
	if (c->trim_trail)
		while (f->len > 0 && (f->p[f->len - 1] == ' ' || f->p[f->len - 1] == '\t'))
			f->len--;
ended:
	if (p >= end) {
		*pp = p;
		return eof ? SLF_F_END : SLF_F_MORE;
	}
	if (*p == c->sep) {
		*pp = p + 1;
		return SLF_F_SEP;
	}
	/* \n, \r\n or \r */
	if (*p == '\r') {
		if (p + 1 >= end && !eof) {
			*pp = p;
			return SLF_F_MORE;
		}
		if (p + 1 < end && p[1] == '\n')
			p++;
	}
	(*lines)++;
	*pp = p + 1;
	return SLF_F_EOL;
}

/* The unescaped content of a quoted field with escapes, into scratch. */
int slf_csv_unescape(slf_csvtok *c, slf_cfield *f)
{
	const char *p = f->p, *end = f->p + f->len;
	char *w;

	if (f->len + 1 > c->scratch_cap) {
		size_t cap = c->scratch_cap ? c->scratch_cap : 256;
		char *q;

		while (cap < f->len + 1)
			cap *= 2;
		q = realloc(c->scratch, cap);
		if (q == NULL)
			return SL_ENOMEM;
		c->scratch = q;
		c->scratch_cap = cap;
	}
	w = c->scratch;
	while (p < end) {
		if (*p == c->quote && p + 1 < end && p[1] == c->quote) {
			*w++ = c->quote;
			p += 2;
		} else if (*p == c->quote) {
			p++; /* the closing quote before trailing text */
		} else if (*p == c->escape && c->escape != c->quote && p + 1 < end &&
		           (p[1] == c->quote || p[1] == c->escape)) {
			*w++ = p[1];
			p += 2;
		} else {
			*w++ = *p++;
		}
	}
	f->p = c->scratch;
	f->len = (size_t)(w - c->scratch);
	return SL_OK;
}
