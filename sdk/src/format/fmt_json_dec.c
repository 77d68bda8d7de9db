/* fmt_json_dec.c - the schema-directed JSON scanner.
 *
 * Records are scanned once, left to right, straight into the column
 * writers: no tree is built.  The schema is compiled into a plan (a node
 * per struct/list/primitive) whose struct nodes find a key by guessing the
 * field after the last one matched, then by hash.  Fields the schema does
 * not name are skipped by a validating skipper that writes nothing.
 *
 * Conversions follow Spark's JacksonParser (see doc/formats.md): a value of
 * the wrong JSON type for its column is null and makes the record bad but
 * keeps the record's other fields (PARTIAL); a record that is not
 * well-formed JSON is BROKEN and undone as a whole.  Strings are unescaped
 * (\uXXXX with surrogate pairs; a lone surrogate becomes U+FFFD) and
 * checked to be UTF-8. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "fmt_internal.h"

typedef struct jnode jnode;

typedef struct jfield {
	const char *name;
	size_t len;
	size_t col; /* child column of the struct's writer */
	jnode *node;
} jfield;

struct jnode {
	sl_type_id id;
	size_t n; /* struct: fields */
	jfield *fields;
	uint32_t *hash; /* struct: field index + 1 by name hash */
	uint32_t hmask;
	jnode *elem; /* list */
};

typedef struct jdec {
	jnode *root;
	slf_tsfmt *tsfmt;
	char *scratch;
	size_t scratch_cap;
	/* options */
	bool single_quotes, comments, unquoted_names, leading_zeros, nonnum, any_escape, ctrl_chars;
} jdec;

/* The scanner over one record. */
typedef struct jscan {
	const char *p, *end, *start;
	sl_decoder *d;
	jdec *j;
	int depth;
	int top; /* top-level field being decoded, or -1 */
} jscan;

/* Positive status inside the scanner: the record is broken (noted). */
#define JBROKEN 1

/* ----------------------------------------------------------------- plan */

static uint32_t name_hash(const char *p, size_t n)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ (uint8_t)p[i]) * 16777619u;
	return h;
}

static void plan_free(jnode *n)
{
	size_t i;

	if (n == NULL)
		return;
	for (i = 0; i < n->n; i++)
		plan_free(n->fields[i].node);
	plan_free(n->elem);
	free(n->fields);
	free(n->hash);
	free(n);
}

/* A plan for type t; skip: a top-level column not read from the input. */
static jnode *plan_new(const sl_type *t, int skip)
{
	jnode *n = calloc(1, sizeof(*n));
	size_t i, k, cap;

	if (n == NULL)
		return NULL;
	n->id = t->id;
	if (t->id == SL_TYPE_LIST) {
		n->elem = plan_new(t->fields[0].type, -1);
		if (n->elem == NULL)
			goto fail;
	}
	if (t->id != SL_TYPE_STRUCT)
		return n;
	n->fields = calloc(t->n_fields ? t->n_fields : 1, sizeof(*n->fields));
	for (cap = 4; cap < t->n_fields * 2; cap *= 2)
		;
	n->hash = calloc(cap, sizeof(*n->hash));
	if (n->fields == NULL || n->hash == NULL)
		goto fail;
	n->hmask = (uint32_t)cap - 1;
	for (i = 0; i < t->n_fields; i++) {
		jfield *f;
		uint32_t h;

		if ((int)i == skip)
			continue;
		f = &n->fields[n->n];
		f->name = t->fields[i].name;
		f->len = strlen(f->name);
		f->col = i;
		f->node = plan_new(t->fields[i].type, -1);
		if (f->node == NULL)
			goto fail;
		h = name_hash(f->name, f->len) & n->hmask;
		for (k = 0; n->hash[h] != 0; k++)
			h = (h + 1) & n->hmask;
		n->hash[h] = (uint32_t)n->n + 1;
		n->n++;
	}
	return n;
fail:
	plan_free(n);
	return NULL;
}

static inline const jfield *plan_find(const jnode *n, const char *k, size_t len, size_t *guess)
{
	const jfield *f;
	uint32_t h;

	if (*guess < n->n) {
		f = &n->fields[*guess];
		if (f->len == len && memcmp(f->name, k, len) == 0) {
			(*guess)++;
			return f;
		}
	}
	h = name_hash(k, len) & n->hmask;
	while (n->hash[h] != 0) {
		f = &n->fields[n->hash[h] - 1];
		if (f->len == len && memcmp(f->name, k, len) == 0) {
			*guess = n->hash[h];
			return f;
		}
		h = (h + 1) & n->hmask;
	}
	return NULL;
}

/* ------------------------------------------------------------ helpers */

static int broken(jscan *s, const char *at, const char *fmt, const char *what)
{
	size_t off = (size_t)(at - s->start);

	if (at >= s->end)
		slf_rec_error(s->d, SLF_REC_BROKEN, off, s->top, "%s, got the end of the record",
		              fmt);
	else if ((unsigned char)*at >= 0x20 && (unsigned char)*at < 0x7f)
		slf_rec_error(s->d, SLF_REC_BROKEN, off, s->top, "%s, got '%c'%s", fmt, *at,
		              what ? what : "");
	else
		slf_rec_error(s->d, SLF_REC_BROKEN, off, s->top, "%s, got byte 0x%02x%s", fmt,
		              (unsigned char)*at, what ? what : "");
	return JBROKEN;
}

static int broken_msg(jscan *s, const char *at, const char *msg)
{
	slf_rec_error(s->d, SLF_REC_BROKEN, (size_t)(at - s->start), s->top, "%s", msg);
	return JBROKEN;
}

static const char *type_name(sl_type_id id)
{
	return sl_type_id_name(id);
}

/* A value that does not fit its column: null, record PARTIAL. */
static int mismatch(jscan *s, const char *at, slf_col *c, const char *what)
{
	slf_rec_error(s->d, SLF_REC_PARTIAL, (size_t)(at - s->start), s->top,
	              "cannot convert %s to %s", what, type_name(c->id));
	return slf_col_null(c);
}

static int skip_ws_slow(jscan *s)
{
	const char *p = s->p;

	for (;;) {
		while (p < s->end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
			p++;
		if (p + 1 < s->end && *p == '/' && s->j->comments) {
			if (p[1] == '/') {
				while (p < s->end && *p != '\n')
					p++;
				continue;
			}
			if (p[1] == '*') {
				const char *q;

				for (q = p + 2; q + 1 < s->end && !(q[0] == '*' && q[1] == '/');
				     q++)
					;
				if (q + 1 >= s->end) {
					s->p = p;
					return broken_msg(s, p, "unterminated comment");
				}
				p = q + 2;
				continue;
			}
		}
		break;
	}
	s->p = p;
	return SL_OK;
}

/* Skips white space (and comments when allowed). */
static inline int ws(jscan *s)
{
	if (SL_LIKELY(s->p < s->end && (unsigned char)*s->p > ' ' && *s->p != '/'))
		return SL_OK;
	return skip_ws_slow(s);
}

#define ONES UINT64_C(0x0101010101010101)
#define HIGHS UINT64_C(0x8080808080808080)

/* Bytes of w that need a look inside a string: the quote q, a backslash, a
 * control character or a non-ASCII byte. */
static inline uint64_t str_special(uint64_t w, uint64_t qv)
{
	uint64_t x = w ^ qv, y = w ^ (ONES * '\\');

	return (((x - ONES) & ~x) | ((y - ONES) & ~y) | (w - ONES * 0x20) | w) & HIGHS;
}

static inline int ctz64(uint64_t v)
{
	return __builtin_ctzll(v);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool hex4(const char *p, const char *end, unsigned *out)
{
	unsigned v = 0;
	int i, h;

	if (end - p < 4)
		return false;
	for (i = 0; i < 4; i++) {
		h = hexval(p[i]);
		if (h < 0)
			return false;
		v = v << 4 | (unsigned)h;
	}
	*out = v;
	return true;
}

static size_t put_utf8(unsigned cp, char *w)
{
	if (cp < 0x80) {
		w[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		w[0] = (char)(0xc0 | cp >> 6);
		w[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		w[0] = (char)(0xe0 | cp >> 12);
		w[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		w[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	w[0] = (char)(0xf0 | cp >> 18);
	w[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	w[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	w[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Decodes the string whose opening quote is at s->p into w (room for the
 * rest of the record); *n: bytes written.  Leaves s->p after the closing
 * quote. */
static int read_string(jscan *s, char *w, size_t *n)
{
	const char q = *s->p;
	const uint64_t qv = ONES * (uint8_t)q;
	const char *p = s->p + 1, *end = s->end;
	char *w0 = w;

	for (;;) {
		uint64_t m = 0;

		while (end - p >= 8) {
			uint64_t x;

			memcpy(&x, p, 8);
			m = str_special(x, qv);
			memcpy(w, p, 8);
			if (m != 0) {
				int k = ctz64(m) >> 3;

				p += k;
				w += k;
				break;
			}
			p += 8;
			w += 8;
		}
		if (m == 0) {
			while (p < end && *p != q && *p != '\\' && (unsigned char)*p >= 0x20 &&
			       (unsigned char)*p < 0x80)
				*w++ = *p++;
		}
		if (p >= end)
			return broken_msg(s, s->p, "unterminated string");
		if (*p == q) {
			s->p = p + 1;
			*n = (size_t)(w - w0);
			return SL_OK;
		}
		if ((unsigned char)*p >= 0x80) {
			size_t v = sl_utf8_valid(p, (size_t)(end - p) < 4 ? (size_t)(end - p) : 4);

			if (v == 0)
				return broken_msg(s, p, "invalid UTF-8 in a string");
			/* one whole character (or more ASCII) */
			{
				unsigned char c = (unsigned char)*p;
				size_t cl = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;

				if (v < cl)
					return broken_msg(s, p, "invalid UTF-8 in a string");
				memcpy(w, p, cl);
				w += cl;
				p += cl;
			}
			continue;
		}
		if ((unsigned char)*p < 0x20) {
			if (!s->j->ctrl_chars) {
				char msg[64];

				snprintf(msg, sizeof(msg), "control character 0x%02x in a string",
				         (unsigned char)*p);
				return broken_msg(s, p, msg);
			}
			*w++ = *p++;
			continue;
		}
		/* backslash */
		if (end - p < 2)
			return broken_msg(s, p, "unterminated string");
		switch (p[1]) {
		case '"':
		case '\\':
		case '/':
			*w++ = p[1];
			p += 2;
			break;
		case 'b':
			*w++ = '\b';
			p += 2;
			break;
		case 'f':
			*w++ = '\f';
			p += 2;
			break;
		case 'n':
			*w++ = '\n';
			p += 2;
			break;
		case 'r':
			*w++ = '\r';
			p += 2;
			break;
		case 't':
			*w++ = '\t';
			p += 2;
			break;
		case 'u': {
			unsigned cp, lo;

			if (!hex4(p + 2, end, &cp))
				return broken_msg(s, p, "invalid \\u escape");
			p += 6;
			if (cp >= 0xd800 && cp <= 0xdbff) {
				if (end - p >= 6 && p[0] == '\\' && p[1] == 'u' &&
				    hex4(p + 2, end, &lo) && lo >= 0xdc00 && lo <= 0xdfff) {
					cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
					p += 6;
				} else {
					cp = 0xfffd;
				}
			} else if (cp >= 0xdc00 && cp <= 0xdfff) {
				cp = 0xfffd;
			}
			w += put_utf8(cp, w);
			break;
		}
		default:
			if ((p[1] == '\'' && s->j->single_quotes) ||
			    (s->j->any_escape && (unsigned char)p[1] >= 0x20 &&
			     (unsigned char)p[1] < 0x80)) {
				*w++ = p[1];
				p += 2;
				break;
			}
			return broken(s, p + 1, "invalid escape in a string", NULL);
		}
	}
}

/* Room for a string of the rest of the record in the scratch buffer. */
static char *scratch(jscan *s)
{
	size_t need = (size_t)(s->end - s->p) + 8;
	jdec *j = s->j;

	if (need > j->scratch_cap) {
		size_t cap = j->scratch_cap ? j->scratch_cap : 256;
		char *q;

		while (cap < need)
			cap *= 2;
		q = realloc(j->scratch, cap);
		if (q == NULL)
			return NULL;
		j->scratch = q;
		j->scratch_cap = cap;
	}
	return j->scratch;
}

/* A string value into the scratch buffer. */
static int string_to_scratch(jscan *s, const char **out, size_t *n)
{
	char *w = scratch(s);

	if (w == NULL)
		return SL_ENOMEM;
	*out = w;
	return read_string(s, w, n);
}

/* Scans a number token at s->p; *is_float when it has a fraction or an
 * exponent.  Leaves s->p after it. */
static int scan_number(jscan *s, const char **tok, size_t *len, bool *is_float)
{
	const char *p = s->p, *end = s->end, *d0;

	*tok = p;
	*is_float = false;
	if (p < end && *p == '-')
		p++;
	d0 = p;
	if (p < end && *p == 'I' && s->j->nonnum && end - p >= 8 && memcmp(p, "Infinity", 8) == 0) {
		s->p = p + 8;
		*len = (size_t)(s->p - *tok);
		*is_float = true;
		return SL_OK;
	}
	while (p < end && (unsigned)(*p - '0') <= 9)
		p++;
	if (p == d0)
		return broken(s, p, "expected a digit", NULL);
	if (*d0 == '0' && p - d0 > 1 && !s->j->leading_zeros)
		return broken_msg(s, d0, "leading zeros in a number");
	if (p < end && *p == '.') {
		const char *f0 = ++p;

		while (p < end && (unsigned)(*p - '0') <= 9)
			p++;
		if (p == f0)
			return broken(s, p, "expected a digit after '.'", NULL);
		*is_float = true;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		const char *e0;

		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		e0 = p;
		while (p < end && (unsigned)(*p - '0') <= 9)
			p++;
		if (p == e0)
			return broken(s, p, "expected a digit in the exponent", NULL);
		*is_float = true;
	}
	s->p = p;
	*len = (size_t)(p - *tok);
	return SL_OK;
}

static bool literal(jscan *s, const char *lit, size_t n)
{
	if ((size_t)(s->end - s->p) < n || memcmp(s->p, lit, n) != 0)
		return false;
	s->p += n;
	return true;
}

/* ------------------------------------------------------------ skipping */

/* Output of the compacting skipper (a STRING column given an object or an
 * array), or NULL. */
typedef struct jout {
	char *w;
} jout;

static inline void out_put(jout *o, const char *p, size_t n)
{
	if (o != NULL) {
		memcpy(o->w, p, n);
		o->w += n;
	}
}

static int skip_value(jscan *s, jout *o);

static int skip_string(jscan *s, jout *o)
{
	const char q = *s->p;
	const char *p = s->p + 1, *end = s->end;

	for (;;) {
		const char *hit;

		if (q == '"') {
			/* find the quote, then check what precedes */
			hit = memchr(p, '"', (size_t)(end - p));
			if (hit == NULL)
				return broken_msg(s, s->p, "unterminated string");
			{
				const char *k;
				bool esc = false;

				for (k = p; k < hit; k++) {
					if (*k == '\\') {
						esc = true;
						break;
					}
					if ((unsigned char)*k < 0x20 && !s->j->ctrl_chars)
						return broken_msg(s, k,
						                  "control character in a string");
				}
				if (!esc) {
					out_put(o, s->p, (size_t)(hit + 1 - s->p));
					s->p = hit + 1;
					return SL_OK;
				}
				p = k;
			}
		}
		while (p < end && *p != q) {
			if (*p == '\\') {
				if (p + 1 >= end)
					break;
				if (p[1] == 'u') {
					unsigned cp;

					if (!hex4(p + 2, end, &cp))
						return broken_msg(s, p, "invalid \\u escape");
					p += 6;
					continue;
				}
				if ((p[1] == '\0' || strchr("\"\\/bfnrt", p[1]) == NULL) &&
				    !(p[1] == '\'' && s->j->single_quotes) && !s->j->any_escape)
					return broken(s, p + 1, "invalid escape in a string", NULL);
				p += 2;
				continue;
			}
			if ((unsigned char)*p < 0x20 && !s->j->ctrl_chars)
				return broken_msg(s, p, "control character in a string");
			p++;
		}
		if (p >= end)
			return broken_msg(s, s->p, "unterminated string");
		out_put(o, s->p, (size_t)(p + 1 - s->p));
		s->p = p + 1;
		return SL_OK;
	}
}

/* A field name: quoted, or (allowUnquotedFieldNames) a bare identifier. */
static int skip_key(jscan *s, jout *o)
{
	if (*s->p == '"' || (*s->p == '\'' && s->j->single_quotes))
		return skip_string(s, o);
	if (s->j->unquoted_names) {
		const char *p = s->p;

		while (p < s->end && (isalnum((unsigned char)*p) || *p == '_' || *p == '$'))
			p++;
		if (p > s->p) {
			out_put(o, "\"", 1);
			out_put(o, s->p, (size_t)(p - s->p));
			out_put(o, "\"", 1);
			s->p = p;
			return SL_OK;
		}
	}
	return broken(s, s->p, "expected a field name", NULL);
}

static int skip_container(jscan *s, jout *o, bool obj)
{
	char close = obj ? '}' : ']';
	int rc;

	if (++s->depth > SLF_MAX_DEPTH)
		return broken_msg(s, s->p, "nested too deeply");
	out_put(o, s->p, 1);
	s->p++;
	if ((rc = ws(s)) != 0)
		return rc;
	if (s->p < s->end && *s->p == close) {
		out_put(o, s->p, 1);
		s->p++;
		s->depth--;
		return SL_OK;
	}
	for (;;) {
		if (obj) {
			if (s->p >= s->end)
				return broken(s, s->p, "expected a field name", NULL);
			if ((rc = skip_key(s, o)) != 0 || (rc = ws(s)) != 0)
				return rc;
			if (s->p >= s->end || *s->p != ':')
				return broken(s, s->p, "expected ':' after a field name", NULL);
			out_put(o, ":", 1);
			s->p++;
			if ((rc = ws(s)) != 0)
				return rc;
		}
		if ((rc = skip_value(s, o)) != 0 || (rc = ws(s)) != 0)
			return rc;
		if (s->p < s->end && *s->p == ',') {
			out_put(o, ",", 1);
			s->p++;
			if ((rc = ws(s)) != 0)
				return rc;
			continue;
		}
		if (s->p < s->end && *s->p == close) {
			out_put(o, s->p, 1);
			s->p++;
			s->depth--;
			return SL_OK;
		}
		return broken(s, s->p, obj ? "expected ',' or '}'" : "expected ',' or ']'", NULL);
	}
}

static int skip_value(jscan *s, jout *o)
{
	const char *t = s->p;
	size_t len;
	bool fl;
	int rc;

	if (t >= s->end)
		return broken(s, t, "expected a value", NULL);
	switch (*t) {
	case '"':
		return skip_string(s, o);
	case '\'':
		if (s->j->single_quotes)
			return skip_string(s, o);
		break;
	case '{':
		return skip_container(s, o, true);
	case '[':
		return skip_container(s, o, false);
	case 't':
		if (literal(s, "true", 4)) {
			out_put(o, t, 4);
			return SL_OK;
		}
		break;
	case 'f':
		if (literal(s, "false", 5)) {
			out_put(o, t, 5);
			return SL_OK;
		}
		break;
	case 'n':
		if (literal(s, "null", 4)) {
			out_put(o, t, 4);
			return SL_OK;
		}
		break;
	case 'N':
		if (s->j->nonnum && literal(s, "NaN", 3)) {
			out_put(o, t, 3);
			return SL_OK;
		}
		break;
	case '+':
		if (s->j->nonnum && literal(s, "+Infinity", 9)) {
			out_put(o, t, 9);
			return SL_OK;
		}
		break;
	default:
		if (*t == '-' || *t == 'I' || (*t >= '0' && *t <= '9')) {
			rc = scan_number(s, &t, &len, &fl);
			if (rc == 0)
				out_put(o, t, len);
			return rc;
		}
		break;
	}
	return broken(s, t, "expected a value", NULL);
}

/* ------------------------------------------------------------- values */

static int value(jscan *s, const jnode *n, slf_col *c);

/* An object or array into a STRING column: its compact text. */
static int text_of_container(jscan *s, slf_col *c)
{
	jout o;
	char *w0;
	int rc;

	w0 = slf_col_str_begin(c, (size_t)(s->end - s->p));
	if (w0 == NULL)
		return SL_ENOMEM;
	o.w = w0;
	rc = skip_value(s, &o);
	if (rc != 0)
		return rc;
	/* the skipper does not look inside strings: check them here */
	if (sl_utf8_valid(w0, (size_t)(o.w - w0)) != (size_t)(o.w - w0))
		return broken_msg(s, s->p, "invalid UTF-8 in a string");
	return slf_col_str_end(c, (size_t)(o.w - w0));
}

static int object(jscan *s, const jnode *n, slf_col *c);

static int array(jscan *s, const jnode *n, slf_col *c)
{
	slf_col *e = &c->kids[0];
	int rc;

	if (++s->depth > SLF_MAX_DEPTH)
		return broken_msg(s, s->p, "nested too deeply");
	s->p++;
	if ((rc = ws(s)) != 0)
		return rc;
	if (s->p < s->end && *s->p == ']') {
		s->p++;
		s->depth--;
		return slf_col_list_end(c);
	}
	for (;;) {
		if ((rc = value(s, n->elem, e)) != 0 || (rc = ws(s)) != 0)
			return rc;
		if (s->p < s->end && *s->p == ',') {
			s->p++;
			if ((rc = ws(s)) != 0)
				return rc;
			continue;
		}
		if (s->p < s->end && *s->p == ']') {
			s->p++;
			s->depth--;
			return slf_col_list_end(c);
		}
		return broken(s, s->p, "expected ',' or ']'", NULL);
	}
}

/* Reads a field name into (*k, *klen): a view of the input when it has no
 * escapes, else the unescaped copy in the scratch buffer. */
static int key(jscan *s, const char **k, size_t *klen)
{
	const char *p = s->p;
	char q = *p;

	if (q == '"' || (q == '\'' && s->j->single_quotes)) {
		const char *e = p + 1;

		while (e < s->end && *e != q && *e != '\\' && (unsigned char)*e >= 0x20)
			e++;
		if (e < s->end && *e == q) {
			*k = p + 1;
			*klen = (size_t)(e - p - 1);
			s->p = e + 1;
			return SL_OK;
		}
		return string_to_scratch(s, k, klen);
	}
	if (s->j->unquoted_names) {
		while (p < s->end && (isalnum((unsigned char)*p) || *p == '_' || *p == '$'))
			p++;
		if (p > s->p) {
			*k = s->p;
			*klen = (size_t)(p - s->p);
			s->p = p;
			return SL_OK;
		}
	}
	return broken(s, s->p, "expected a field name", NULL);
}

static int object(jscan *s, const jnode *n, slf_col *c)
{
	const int64_t r = c->len;
	const bool top = c == &s->d->root;
	size_t guess = 0, i;
	int rc;

	if (++s->depth > SLF_MAX_DEPTH)
		return broken_msg(s, s->p, "nested too deeply");
	s->p++;
	if ((rc = ws(s)) != 0)
		return rc;
	if (s->p < s->end && *s->p == '}') {
		s->p++;
		goto done;
	}
	for (;;) {
		const jfield *f;
		const char *k;
		size_t klen;

		if (s->p >= s->end)
			return broken(s, s->p, "expected a field name", NULL);
		if ((rc = key(s, &k, &klen)) != 0)
			return rc;
		if (SL_UNLIKELY(s->p >= s->end || *s->p != ':')) {
			if ((rc = ws(s)) != 0)
				return rc;
			if (s->p >= s->end || *s->p != ':')
				return broken(s, s->p, "expected ':' after a field name", NULL);
		}
		s->p++;
		if ((rc = ws(s)) != 0)
			return rc;
		f = plan_find(n, k, klen, &guess);
		if (f == NULL) {
			rc = skip_value(s, NULL);
		} else {
			slf_col *kc = &c->kids[f->col];

			if (SL_UNLIKELY(kc->len > r))
				slf_col_truncate(kc, r); /* a repeated key: the last wins */
			if (top)
				s->top = (int)f->col;
			rc = value(s, f->node, kc);
			if (top)
				s->top = -1;
		}
		if (rc != 0)
			return rc;
		if (SL_UNLIKELY(s->p >= s->end || (*s->p != ',' && *s->p != '}'))) {
			if ((rc = ws(s)) != 0)
				return rc;
		}
		if (s->p < s->end && *s->p == ',') {
			s->p++;
			if ((rc = ws(s)) != 0)
				return rc;
			continue;
		}
		if (s->p < s->end && *s->p == '}') {
			s->p++;
			break;
		}
		return broken(s, s->p, "expected ',' or '}'", NULL);
	}
done:
	s->depth--;
	for (i = 0; i < c->n_kids; i++) {
		if (c->kids[i].len == r) {
			rc = slf_col_null(&c->kids[i]);
			if (rc < 0)
				return rc;
		}
	}
	return slf_col_struct_end(c);
}

static int string_value(jscan *s, const jnode *n, slf_col *c)
{
	const char *at = s->p, *v;
	size_t len;
	int64_t iv;
	int rc;

	switch (n->id) {
	case SL_TYPE_STRING: {
		char *w = slf_col_str_begin(c, (size_t)(s->end - s->p));

		if (w == NULL)
			return SL_ENOMEM;
		rc = read_string(s, w, &len);
		if (rc != 0)
			return rc;
		return slf_col_str_end(c, len);
	}
	case SL_TYPE_BINARY:
		if ((rc = string_to_scratch(s, &v, &len)) != 0)
			return rc;
		{
			char *w = slf_col_str_begin(c, len);

			if (w == NULL)
				return SL_ENOMEM;
			if (!sl_base64_decode(v, len, w, &len))
				return mismatch(s, at, c, "a string that is not base64");
			return slf_col_str_end(c, len);
		}
	case SL_TYPE_DOUBLE:
		if ((rc = string_to_scratch(s, &v, &len)) != 0)
			return rc;
		if (s->j->nonnum) {
			if (len == 3 && memcmp(v, "NaN", 3) == 0)
				return slf_col_f64(c, NAN);
			if ((len == 8 && memcmp(v, "Infinity", 8) == 0) ||
			    (len == 9 && memcmp(v, "+Infinity", 9) == 0) ||
			    (len == 4 && memcmp(v, "+INF", 4) == 0))
				return slf_col_f64(c, INFINITY);
			if ((len == 9 && memcmp(v, "-Infinity", 9) == 0) ||
			    (len == 4 && memcmp(v, "-INF", 4) == 0))
				return slf_col_f64(c, -INFINITY);
		}
		return mismatch(s, at, c, "a string");
	case SL_TYPE_TIMESTAMP:
		if ((rc = string_to_scratch(s, &v, &len)) != 0)
			return rc;
		if (len > 0 && ((s->j->tsfmt && slf_tsfmt_parse(s->j->tsfmt, v, len, &iv)) ||
		                sl_parse_timestamp(v, len, &iv)))
			return slf_col_i64(c, iv);
		return mismatch(s, at, c, "a string that is not a timestamp");
	case SL_TYPE_NULL:
		if ((rc = skip_string(s, NULL)) != 0)
			return rc;
		return slf_col_null(c);
	default:
		if ((rc = skip_string(s, NULL)) != 0)
			return rc;
		return mismatch(s, at, c, "a string");
	}
}

static int number_value(jscan *s, const jnode *n, slf_col *c)
{
	const char *at = s->p, *t;
	size_t len;
	bool fl;
	int64_t iv;
	double dv;
	int rc;

	if ((rc = scan_number(s, &t, &len, &fl)) != 0)
		return rc;
	switch (n->id) {
	case SL_TYPE_INT64:
		if (fl)
			return mismatch(s, at, c, "a fractional number");
		if (!sl_parse_int64(t, len, &iv))
			return mismatch(s, at, c, "a number out of range");
		return slf_col_i64(c, iv);
	case SL_TYPE_DOUBLE:
		if (t[len - 1] == 'y') /* [-]Infinity */
			return slf_col_f64(c, t[0] == '-' ? -INFINITY : INFINITY);
		if (!sl_parse_double(t, len, 0, &dv))
			return mismatch(s, at, c, "a number");
		return slf_col_f64(c, dv);
	case SL_TYPE_STRING:
		if (fl && t[len - 1] != 'y' && sl_parse_double(t, len, 0, &dv)) {
			char buf[48];

			return slf_col_str(c, buf, sl_format_double(dv, buf));
		}
		return slf_col_str(c, t, len);
	case SL_TYPE_TIMESTAMP:
		if (fl || !sl_parse_int64(t, len, &iv) || iv > INT64_MAX / 1000000 ||
		    iv < INT64_MIN / 1000000)
			return mismatch(s, at, c, "a number that is not whole seconds");
		return slf_col_i64(c, iv * 1000000);
	case SL_TYPE_NULL:
		return slf_col_null(c);
	default:
		return mismatch(s, at, c, "a number");
	}
}

static int value(jscan *s, const jnode *n, slf_col *c)
{
	const char *at = s->p;
	int rc;

	if (SL_UNLIKELY(at >= s->end))
		return broken(s, at, "expected a value", NULL);
	switch (*at) {
	case '"':
		return string_value(s, n, c);
	case '\'':
		if (!s->j->single_quotes)
			break;
		return string_value(s, n, c);
	case '{':
		if (n->id == SL_TYPE_STRUCT)
			return object(s, n, c);
		if (n->id == SL_TYPE_STRING)
			return text_of_container(s, c);
		if ((rc = skip_value(s, NULL)) != 0)
			return rc;
		return n->id == SL_TYPE_NULL ? slf_col_null(c) : mismatch(s, at, c, "an object");
	case '[':
		if (n->id == SL_TYPE_LIST)
			return array(s, n, c);
		if (n->id == SL_TYPE_STRING)
			return text_of_container(s, c);
		if ((rc = skip_value(s, NULL)) != 0)
			return rc;
		return n->id == SL_TYPE_NULL ? slf_col_null(c) : mismatch(s, at, c, "an array");
	case 'n':
		if (literal(s, "null", 4))
			return slf_col_null(c);
		break;
	case 't':
	case 'f': {
		bool v = *at == 't';

		if (!(v ? literal(s, "true", 4) : literal(s, "false", 5)))
			break;
		if (n->id == SL_TYPE_BOOL)
			return slf_col_bool(c, v);
		if (n->id == SL_TYPE_STRING)
			return slf_col_str(c, at, v ? 4 : 5);
		if (n->id == SL_TYPE_NULL)
			return slf_col_null(c);
		return mismatch(s, at, c, "a boolean");
	}
	case 'N':
		if (!s->j->nonnum || !literal(s, "NaN", 3))
			break;
		if (n->id == SL_TYPE_DOUBLE)
			return slf_col_f64(c, NAN);
		if (n->id == SL_TYPE_STRING)
			return slf_col_str(c, "NaN", 3);
		return mismatch(s, at, c, "NaN");
	case '+':
		if (!s->j->nonnum || !literal(s, "+Infinity", 9))
			break;
		if (n->id == SL_TYPE_DOUBLE)
			return slf_col_f64(c, INFINITY);
		if (n->id == SL_TYPE_STRING)
			return slf_col_str(c, "Infinity", 8);
		return mismatch(s, at, c, "Infinity");
	default:
		if (*at == '-' || *at == 'I' || (*at >= '0' && *at <= '9'))
			return number_value(s, n, c);
		break;
	}
	return broken(s, at, "expected a value", NULL);
}

/* ------------------------------------------------------------- records */

/* One record: an object (one row) or an array of objects (a row each). */
static int record(sl_decoder *d, jdec *j, const char *p, size_t len)
{
	jscan s = {p, p + len, p, d, j, 0, -1};
	int rc;

	if ((rc = ws(&s)) != 0)
		return rc;
	if (s.p < s.end && *s.p == '{') {
		rc = object(&s, j->root, &d->root);
	} else if (s.p < s.end && *s.p == '[') {
		s.p++;
		if ((rc = ws(&s)) != 0)
			return rc;
		if (s.p < s.end && *s.p == ']') {
			s.p++;
		} else {
			for (;;) {
				if (s.p >= s.end || *s.p != '{')
					return broken(&s, s.p, "expected an object in the array",
					              NULL);
				if ((rc = object(&s, j->root, &d->root)) != 0 || (rc = ws(&s)) != 0)
					return rc;
				if (s.p < s.end && *s.p == ',') {
					s.p++;
					if ((rc = ws(&s)) != 0)
						return rc;
					continue;
				}
				if (s.p < s.end && *s.p == ']') {
					s.p++;
					break;
				}
				return broken(&s, s.p, "expected ',' or ']'", NULL);
			}
		}
	} else {
		return broken(&s, s.p, "expected a JSON object", NULL);
	}
	if (rc != 0)
		return rc;
	if ((rc = ws(&s)) != 0)
		return rc;
	if (s.p < s.end)
		return broken(&s, s.p, "expected the end of the record", NULL);
	return SL_OK;
}

static bool blank(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r' && p[i] != '\n')
			return false;
	return true;
}

static int one_record(sl_decoder *d, const char *p, size_t len, int64_t off, int64_t lines,
                      sl_error *err)
{
	int rc;

	slf_rec_begin(d, p, off);
	rc = record(d, d->impl, p, len);
	if (rc < 0)
		return sl_error_set(err, rc, "out of memory");
	return slf_rec_end(d, len, lines, err);
}

static int json_decode(sl_decoder *d, const char *buf, size_t len, bool eof, size_t *used,
                       sl_error *err)
{
	const char *p = buf, *end = buf + len;
	int rc;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t rl;

		if (nl == NULL) {
			if (!eof)
				break;
			nl = end;
		}
		rl = (size_t)(nl - p);
		if (rl > 0 && p[rl - 1] == '\r')
			rl--;
		if (blank(p, rl)) {
			if (nl < end)
				d->line++;
		} else {
			rc = one_record(d, p, rl, d->offset + (p - buf), nl < end, err);
			if (rc < 0) {
				*used = (size_t)(p - buf);
				return rc;
			}
		}
		p = nl < end ? nl + 1 : end;
	}
	*used = (size_t)(p - buf);
	return SL_OK;
}

static int json_one(sl_decoder *d, const char *buf, size_t len, sl_error *err)
{
	int64_t nl = 1;
	size_t i;

	for (i = 0; i < len; i++)
		nl += buf[i] == '\n';
	return one_record(d, buf, len, d->offset, nl, err);
}

static void json_free(void *impl)
{
	jdec *j = impl;

	plan_free(j->root);
	slf_tsfmt_free(j->tsfmt);
	free(j->scratch);
	free(j);
}

int slf_json_dec_new(sl_decoder *d, sl_error *err)
{
	const sl_format_options *o = &d->opts.o;
	jdec *j = calloc(1, sizeof(*j));
	int rc;

	if (j == NULL)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	d->impl = j;
	j->root = plan_new(d->schema, d->corrupt);
	if (j->root == NULL)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	if (o->timestamp_format != NULL) {
		rc = slf_tsfmt_compile(o->timestamp_format, &j->tsfmt, err);
		if (rc < 0)
			return rc;
	}
	j->single_quotes = o->allow_single_quotes;
	j->comments = o->allow_comments;
	j->unquoted_names = o->allow_unquoted_field_names;
	j->leading_zeros = o->allow_numeric_leading_zeros;
	j->nonnum = o->allow_non_numeric_numbers;
	j->any_escape = o->allow_backslash_escaping_any_character;
	j->ctrl_chars = o->allow_unquoted_control_chars;
	return SL_OK;
}

const slf_codec slf_json_codec = {json_decode, json_one, NULL, json_free};
