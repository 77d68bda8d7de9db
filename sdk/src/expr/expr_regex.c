/* expr_regex.c - split, rlike, regexp_extract, regexp_replace.
 *
 * Spark patterns are Java regular expressions; they run here on POSIX
 * extended expressions (regcomp) after a translation of the common Java
 * forms (\d \s \w and their negations inside and outside brackets, (?i),
 * (?:...), lazy quantifiers become greedy).  A pattern without
 * metacharacters (or a single escaped character such as '\\.') is matched as
 * a literal, with memmem.  Constant patterns are compiled once at compile
 * time; others are compiled per distinct value.
 */
#include "config.h"

#include <ctype.h>
#include <locale.h>
#include <pthread.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>

#include "expr_funcs.h"

#define MAX_GROUPS 10

typedef struct rx {
	bool ready; /* compiled (constant, or the cached last value) */
	bool literal;
	char *lit;
	size_t lit_len;
	bool has_re;
	regex_t re;
	size_t nsub;
	char *src; /* the pattern text this was compiled from */
	size_t src_len;
} rx;

/* Java matches characters, not bytes: compile and run under a UTF-8
 * locale when the C library has one (C.UTF-8), switched per thread only for
 * the call, so the process locale is never touched. */
static pthread_once_t utf8_once = PTHREAD_ONCE_INIT;
static locale_t utf8_loc;

static void utf8_init(void)
{
	utf8_loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	if (utf8_loc == (locale_t)0)
		utf8_loc = newlocale(LC_CTYPE_MASK, "en_US.UTF-8", (locale_t)0);
}

static locale_t enter_utf8(void)
{
	pthread_once(&utf8_once, utf8_init);
	return utf8_loc != (locale_t)0 ? uselocale(utf8_loc) : (locale_t)0;
}

static void leave_utf8(locale_t old)
{
	if (old != (locale_t)0)
		uselocale(old);
}

static void rx_clear(rx *r)
{
	if (r->has_re)
		regfree(&r->re);
	free(r->lit);
	free(r->src);
	r->lit = r->src = NULL;
	r->has_re = r->ready = r->literal = false;
	r->nsub = 0;
}

static void rx_free(void *state)
{
	rx *r = state;
	if (r == NULL)
		return;
	rx_clear(r);
	free(r);
}

static bool is_meta(char c)
{
	return strchr("\\^$.|?*+()[]{}", c) != NULL;
}

/* Appends to a growing string; false on ENOMEM. */
typedef struct sbuf {
	char *p;
	size_t n, cap;
	bool oom;
} sbuf;

static void put(sbuf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->n + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 64;
		while (cap < b->n + n + 1)
			cap *= 2;
		char *q = realloc(b->p, cap);
		if (q == NULL) {
			b->oom = true;
			return;
		}
		b->p = q;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
}

static void puts_(sbuf *b, const char *s)
{
	put(b, s, strlen(s));
}

/* Java escapes that are classes, as POSIX bracket contents, or NULL. */
static const char *class_body(char c)
{
	switch (c) {
	case 'd':
		return "0-9";
	case 's':
		return "[:space:]";
	case 'w':
		return "[:alnum:]_";
	default:
		return NULL;
	}
}

static const char *char_escape(char c)
{
	switch (c) {
	case 't':
		return "\t";
	case 'n':
		return "\n";
	case 'r':
		return "\r";
	case 'f':
		return "\f";
	case 'a':
		return "\a";
	case 'e':
		return "\x1b";
	default:
		return NULL;
	}
}

/* Translates a bracket expression starting at p[i] == '['; returns the
 * index after its ']'. */
static size_t translate_bracket(const char *p, size_t len, size_t i, sbuf *out)
{
	sbuf body = {0};
	bool neg = false, close = false, dash = false, caret = false;
	i++;
	if (i < len && p[i] == '^') {
		neg = true;
		i++;
	}
	bool first = true;
	for (; i < len; i++) {
		char c = p[i];
		if (c == ']' && !first) {
			i++;
			break;
		}
		first = false;
		if (c == '\\' && i + 1 < len) {
			char e = p[++i];
			const char *cls = class_body(e), *ce = char_escape(e);
			if (cls != NULL) {
				puts_(&body, cls);
			} else if (ce != NULL) {
				puts_(&body, ce);
			} else if (e == ']') {
				close = true;
			} else if (e == '-') {
				dash = true;
			} else if (e == '^') {
				caret = true;
			} else {
				put(&body, &e, 1);
			}
			continue;
		}
		if (c == '[' && i + 1 < len && p[i + 1] == ':') {
			/* a POSIX class written as such */
			const char *end = strstr(p + i, ":]");
			if (end != NULL && (size_t)(end - p) < len) {
				put(&body, p + i, (size_t)(end - (p + i)) + 2);
				i = (size_t)(end - p) + 1;
				continue;
			}
		}
		if (c == ']' && first)
			close = true;
		else
			put(&body, &c, 1);
	}
	puts_(out, "[");
	if (neg)
		puts_(out, "^");
	if (close)
		puts_(out, "]");
	if (body.p != NULL)
		put(out, body.p, body.n);
	if (caret)
		puts_(out, "^");
	if (dash)
		puts_(out, "-");
	if (!close && body.n == 0 && !caret && !dash)
		puts_(out, "\\x00"); /* [] never matches in Java: make it harmless */
	puts_(out, "]");
	if (body.oom)
		out->oom = true;
	free(body.p);
	return i;
}

/* Java pattern -> POSIX ERE.  *icase receives a leading (?i).  Refuses
 * (SL_EINVAL, msg) patterns whose automaton would be huge: glibc expands
 * counted and nested repetitions, so a{1000}{1000} would exhaust memory. */
#define MAX_STATES 50000.0

static int translate(const char *p, size_t len, bool *icase, char **res, char *msg, size_t msgsz)
{
	sbuf out = {0};
	size_t i = 0;
	double size = 0, last = 0, stack[32];
	int depth = 0;
	bool after_quant = false;
	*icase = false;
	*res = NULL;
	if (len >= 4 && memcmp(p, "(?i)", 4) == 0) {
		*icase = true;
		i = 4;
	}
	puts_(&out, "");
	while (i < len) {
		char c = p[i];
		bool quant = false;
		double mult = 1;
		if (c == '\\' && i + 1 < len) {
			char e = p[i + 1];
			const char *cls = class_body((char)tolower((unsigned char)e));
			const char *ce = char_escape(e);
			i += 2;
			if (cls != NULL) {
				puts_(&out, isupper((unsigned char)e) ? "[^" : "[");
				puts_(&out, cls);
				puts_(&out, "]");
			} else if (ce != NULL) {
				puts_(&out, ce);
			} else if (e == 'Q') {
				const char *q = NULL;
				for (size_t k = i; k + 1 < len; k++)
					if (p[k] == '\\' && p[k + 1] == 'E') {
						q = p + k;
						break;
					}
				size_t end = q ? (size_t)(q - p) : len;
				for (; i < end; i++) {
					if (is_meta(p[i]))
						puts_(&out, "\\");
					put(&out, p + i, 1);
					size += 1;
				}
				if (q)
					i += 2;
			} else if (isalnum((unsigned char)e) && e != 'b' && e != 'B') {
				put(&out, &e, 1); /* unknown letter escapes: the letter */
			} else {
				puts_(&out, "\\");
				put(&out, &e, 1);
			}
			last = 1;
		} else if (c == '[') {
			i = translate_bracket(p, len, i, &out);
			last = 1;
		} else if (c == '(') {
			if (depth == (int)(sizeof(stack) / sizeof(stack[0]))) {
				snprintf(msg, msgsz, "groups nested too deeply");
				goto fail;
			}
			stack[depth++] = size;
			if (i + 2 < len && p[i + 1] == '?' && p[i + 2] == ':')
				i += 2;
			puts_(&out, "(");
			i++;
			after_quant = false;
			continue;
		} else if (c == ')') {
			puts_(&out, ")");
			i++;
			last = depth > 0 ? size - stack[--depth] : 1;
			after_quant = false;
			continue;
		} else if (c == '*' || c == '+' || c == '?') {
			quant = true;
			mult = c == '?' ? 1 : 2;
			put(&out, &c, 1);
			i++;
		} else if (c == '{' && i + 1 < len && isdigit((unsigned char)p[i + 1])) {
			size_t k = i + 1;
			unsigned long lo = 0, hi;
			while (k < len && isdigit((unsigned char)p[k]) && lo < 100000)
				lo = lo * 10 + (unsigned long)(p[k++] - '0');
			hi = lo;
			if (k < len && p[k] == ',') {
				k++;
				hi = lo + 1;
				if (k < len && isdigit((unsigned char)p[k])) {
					hi = 0;
					while (k < len && isdigit((unsigned char)p[k]) &&
					       hi < 100000)
						hi = hi * 10 + (unsigned long)(p[k++] - '0');
				}
			}
			if (k < len && p[k] == '}') {
				if (lo > 1000 || hi > 1000) {
					snprintf(msg, msgsz, "repetition count above 1000");
					goto fail;
				}
				quant = true;
				mult = hi > lo ? (double)hi : (double)lo;
				if (mult < 1)
					mult = 1;
				put(&out, p + i, k + 1 - i);
				i = k + 1;
			} else {
				puts_(&out, "\\{");
				i++;
				last = 1;
			}
		} else {
			if (c == '{' || c == '}')
				puts_(&out, "\\");
			put(&out, &c, 1);
			i++;
			last = 1;
		}
		if (quant) {
			if (after_quant) {
				snprintf(msg, msgsz, "dangling quantifier '%c'", c);
				goto fail;
			}
			size += last * (mult - 1);
			last *= mult;
			after_quant = true;
			/* a lazy or possessive modifier: greedy here */
			if (i < len && (p[i] == '?' || p[i] == '+'))
				i++;
		} else {
			size += 1;
			after_quant = false;
		}
		if (size > MAX_STATES) {
			snprintf(msg, msgsz, "pattern too complex");
			goto fail;
		}
	}
	if (out.oom) {
		free(out.p);
		return SL_ENOMEM;
	}
	*res = out.p;
	return 0;
fail:
	free(out.p);
	return SL_EINVAL;
}

/* Compiles pattern (p, len) into r.  Returns 0, SL_ENOMEM, or SL_EINVAL
 * with msg filled. */
static int rx_compile(rx *r, const char *p, size_t len, char *msg, size_t msgsz)
{
	rx_clear(r);
	r->src = malloc(len + 1);
	if (r->src == NULL)
		return SL_ENOMEM;
	memcpy(r->src, p, len);
	r->src[len] = '\0';
	r->src_len = len;
	bool meta = false;
	for (size_t k = 0; k < len; k++)
		meta |= is_meta(p[k]);
	if (!meta || (len == 2 && p[0] == '\\' && !isalnum((unsigned char)p[1]))) {
		r->literal = true;
		r->lit_len = meta ? 1 : len;
		r->lit = malloc(r->lit_len + 1);
		if (r->lit == NULL)
			return SL_ENOMEM;
		memcpy(r->lit, meta ? p + 1 : p, r->lit_len);
		r->ready = true;
		return 0;
	}
	if (memchr(p, '\0', len) != NULL) {
		snprintf(msg, msgsz, "NUL character in pattern");
		return SL_EINVAL;
	}
	bool icase;
	char *t;
	int trc = translate(p, len, &icase, &t, msg, msgsz);
	if (trc < 0)
		return trc;
	locale_t old = enter_utf8();
	int rc = regcomp(&r->re, t, REG_EXTENDED | (icase ? REG_ICASE : 0));
	leave_utf8(old);
	free(t);
	if (rc != 0) {
		regerror(rc, &r->re, msg, msgsz);
		return SL_EINVAL;
	}
	r->has_re = true;
	r->nsub = r->re.re_nsub;
	r->ready = true;
	return 0;
}

int slx_prep_regex(slx_node *n, sl_error *err)
{
	if (n->state != NULL)
		return 0;
	rx *r = calloc(1, sizeof(*r));
	if (r == NULL)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	n->state = r;
	n->state_free = rx_free;
	slx_node *p = n->args[1];
	if (p->kind != SLX_LIT)
		return 0;
	slx_val v;
	slx_val_from_const(&v, p->cval, false);
	sl_array_unref(v.arr);
	if (v.null)
		return 0;
	if (strcmp(n->fn->name, "split") == 0 && v.s.len == 0)
		return 0; /* split on '' splits characters */
	char msg[256] = "";
	int rc = rx_compile(r, v.s.ptr, v.s.len, msg, sizeof(msg));
	if (rc == SL_ENOMEM)
		return sl_error_set(err, rc, "out of memory");
	if (rc < 0)
		return slx_err(err, SL_EINVAL, p->pos, "invalid regular expression '%.*s': %s",
		               (int)(v.s.len > 80 ? 80 : v.s.len), v.s.ptr, msg);
	/* regexp_extract's group must exist. */
	if (strcmp(n->fn->name, "regexp_extract") == 0 && n->n_args > 2 &&
	    n->args[2]->kind == SLX_LIT) {
		slx_val g;
		slx_val_from_const(&g, n->args[2]->cval, false);
		sl_array_unref(g.arr);
		size_t groups = r->literal ? 0 : r->nsub;
		if (!g.null && (g.i < 0 || (uint64_t)g.i > groups))
			return slx_err(err, SL_EINVAL, n->args[2]->pos,
			               "regexp_extract: group %lld does not exist (the pattern has "
			               "%zu)",
			               (long long)g.i, groups);
	}
	return 0;
}

/* The compiled form of row i's pattern (constant or cached). */
static int rx_for_row(slx_ctx *cx, slx_node *n, rx *r, sl_strview p)
{
	if (n->args[1]->kind == SLX_LIT && r->ready)
		return 0;
	if (r->ready && r->src_len == p.len && (p.len == 0 || memcmp(r->src, p.ptr, p.len) == 0))
		return 0;
	char msg[256] = "";
	int rc = rx_compile(r, p.ptr, p.len, msg, sizeof(msg));
	if (rc == SL_ENOMEM)
		return slx_oom(cx);
	if (rc < 0)
		return sl_error_set(cx->err, SL_EINVAL, "invalid regular expression '%.*s': %s",
		                    (int)(p.len > 80 ? 80 : p.len), p.ptr, msg);
	return 0;
}

/* Finds the first match in s at or after from: true with m[0..] filled
 * (offsets from s.ptr), groups not taking part set to -1. */
static bool rx_find(slx_ctx *cx, const rx *r, sl_strview s, size_t from, regmatch_t *m, size_t nm,
                    int *err)
{
	*err = 0;
	if (r->literal) {
		if (from > s.len)
			return false;
		if (r->lit_len == 0) {
			m[0].rm_so = m[0].rm_eo = (regoff_t)from;
			return true;
		}
		const char *q = s.len - from >= r->lit_len
		                    ? memmem(s.ptr + from, s.len - from, r->lit, r->lit_len)
		                    : NULL;
		if (q == NULL)
			return false;
		m[0].rm_so = (regoff_t)(q - s.ptr);
		m[0].rm_eo = m[0].rm_so + (regoff_t)r->lit_len;
		for (size_t k = 1; k < nm; k++)
			m[k].rm_so = m[k].rm_eo = -1;
		return true;
	}
	int flags = from > 0 ? REG_NOTBOL : 0;
#ifdef REG_STARTEND
	m[0].rm_so = (regoff_t)from;
	m[0].rm_eo = (regoff_t)s.len;
	locale_t old = enter_utf8();
	int rc = regexec(&r->re, s.ptr, nm, m, flags | REG_STARTEND);
	leave_utf8(old);
#else
	char *z = slx_scratch(cx, s.len - from + 1);
	if (z == NULL) {
		*err = SL_ENOMEM;
		return false;
	}
	memcpy(z, s.ptr + from, s.len - from);
	z[s.len - from] = '\0';
	locale_t old = enter_utf8();
	int rc = regexec(&r->re, z, nm, m, flags);
	leave_utf8(old);
	if (rc == 0)
		for (size_t k = 0; k < nm; k++)
			if (m[k].rm_so >= 0) {
				m[k].rm_so += (regoff_t)from;
				m[k].rm_eo += (regoff_t)from;
			}
#endif
	return rc == 0;
}

/* ------------------------------------------------------------------- split */

int slx_f_split(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out)
{
	rx *r = n->state;
	int64_t rows = cx->n;
	slx_strout so;
	slx_fixout vo;
	sl_buffer *lo = slx_buf(cx, (size_t)(rows + 1) * 4);
	if (lo == NULL)
		return slx_oom(cx);
	int rc = slx_strout_init(cx, &so, rows * 2, args[0].arr->data ? args[0].arr->data->len : 0);
	if (rc < 0) {
		sl_buffer_unref(lo);
		return rc;
	}
	if ((rc = slx_fixout_init(cx, &vo, 0)) < 0) {
		sl_buffer_unref(lo);
		slx_strout_free(&so);
		return rc;
	}
	int32_t *offs = (int32_t *)lo->data;
	offs[0] = 0;
	for (int64_t i = 0; i < rows && rc == 0; i++) {
		bool isnull = slx_null(&args[0], i) || slx_null(&args[1], i) ||
		              (n->n_args > 2 && slx_null(&args[2], i));
		if (isnull) {
			slx_fixout_null(&vo, i);
			offs[i + 1] = (int32_t)so.n;
			continue;
		}
		sl_strview s = slx_str(&args[0], i), p = slx_str(&args[1], i);
		int64_t limit = n->n_args > 2 ? slx_i64(&args[2], i) : -1;
		int64_t parts = 0;
		if (p.len == 0 && s.len > 0) {
			/* Spark: an empty pattern splits into characters. */
			int64_t chars = slu_utf8_count(s.ptr, s.len);
			int64_t lim = limit > 0 && limit < chars ? limit : chars;
			size_t b = 0;
			for (int64_t k = 0; k < lim - 1 && rc == 0; k++) {
				size_t l = slu_utf8_offset(s.ptr + b, s.len - b, 1);
				rc = slx_strout_append(&so, s.ptr + b, l);
				b += l;
			}
			if (rc == 0)
				rc = slx_strout_append(&so, s.ptr + b, s.len - b);
		} else if (p.len == 0) {
			rc = slx_strout_append(&so, "", 0);
		} else {
			if ((rc = rx_for_row(cx, n, r, p)) < 0)
				break;
			size_t index = 0, from = 0;
			regmatch_t m[1];
			int ferr;
			while (from <= s.len && rx_find(cx, r, s, from, m, 1, &ferr)) {
				size_t ms = (size_t)m[0].rm_so, me = (size_t)m[0].rm_eo;
				if (limit > 0 && parts == limit - 1)
					break;
				if (!(me == 0 && ms == 0)) {
					if ((rc = slx_strout_append(&so, s.ptr + index,
					                            ms - index)) < 0)
						break;
					parts++;
					index = me;
				}
				from = me > ms ? me
				               : me + (me < s.len
				                           ? slu_utf8_clen((unsigned char)s.ptr[me])
				                           : 1);
			}
			if (ferr < 0)
				rc = ferr;
			if (rc == 0)
				rc = slx_strout_append(&so, s.ptr + index, s.len - index);
		}
		if (so.n > INT32_MAX)
			rc = SL_EINVAL;
		offs[i + 1] = (int32_t)so.n;
	}
	if (rc < 0) {
		sl_buffer_unref(lo);
		slx_fixout_free(&vo);
		slx_strout_free(&so);
		if (rc == SL_EINVAL)
			return sl_error_set(cx->err, rc, "split: result too large");
		if (cx->err != NULL && cx->err->code == rc)
			return rc;
		return slx_oom(cx);
	}
	sl_array *child = slx_strout_finish(&so, sl_type_string());
	if (child == NULL) {
		sl_buffer_unref(lo);
		slx_fixout_free(&vo);
		return slx_oom(cx);
	}
	sl_buffer *valid = vo.valid;
	int64_t nulls = vo.nulls;
	vo.valid = NULL;
	slx_fixout_free(&vo);
	return slx_out(cx, out, n->type, nulls, valid, lo, NULL, 1, &child);
}

/* ------------------------------------------------------------------- rlike */

int slx_f_rlike(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out)
{
	rx *r = n->state;
	slx_fixout fo;
	int rc = slx_fixout_init(cx, &fo, 0);
	if (rc < 0)
		return rc;
	for (int64_t i = 0; i < cx->n; i++) {
		if (slx_null(&args[0], i) || slx_null(&args[1], i)) {
			slx_fixout_null(&fo, i);
			continue;
		}
		sl_strview s = slx_str(&args[0], i), p = slx_str(&args[1], i);
		if ((rc = rx_for_row(cx, n, r, p)) < 0) {
			slx_fixout_free(&fo);
			return rc;
		}
		regmatch_t m[1];
		int ferr;
		if (rx_find(cx, r, s, 0, m, 1, &ferr))
			sl_bit_set(fo.values->data, i);
		if (ferr < 0) {
			slx_fixout_free(&fo);
			return slx_oom(cx);
		}
	}
	return slx_fixout_finish(cx, &fo, sl_type_bool(), out);
}

/* ---------------------------------------------------------- regexp_extract */

int slx_f_regexp_extract(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out)
{
	rx *r = n->state;
	slx_strout so;
	int rc = slx_strout_init(cx, &so, cx->n, 0);
	if (rc < 0)
		return rc;
	for (int64_t i = 0; i < cx->n && rc == 0; i++) {
		if (slx_null(&args[0], i) || slx_null(&args[1], i) ||
		    (n->n_args > 2 && slx_null(&args[2], i))) {
			rc = slx_strout_null(&so);
			continue;
		}
		sl_strview s = slx_str(&args[0], i), p = slx_str(&args[1], i);
		int64_t g = n->n_args > 2 ? slx_i64(&args[2], i) : 1;
		if ((rc = rx_for_row(cx, n, r, p)) < 0)
			break;
		size_t groups = r->literal ? 0 : r->nsub;
		if (g < 0 || (uint64_t)g > groups || g >= MAX_GROUPS) {
			rc = slx_strout_null(&so);
			continue;
		}
		regmatch_t m[MAX_GROUPS];
		int ferr;
		if (!rx_find(cx, r, s, 0, m, (size_t)g + 1, &ferr) || m[g].rm_so < 0) {
			rc = ferr < 0 ? ferr : slx_strout_append(&so, "", 0);
			continue;
		}
		rc = slx_strout_append(&so, s.ptr + m[g].rm_so, (size_t)(m[g].rm_eo - m[g].rm_so));
	}
	if (rc < 0) {
		slx_strout_free(&so);
		if (cx->err != NULL && cx->err->code == rc)
			return rc;
		return rc == SL_EINVAL
		           ? sl_error_set(cx->err, rc, "string column larger than 2 GiB")
		           : slx_oom(cx);
	}
	return slx_out_array(cx, out, slx_strout_finish(&so, sl_type_string()));
}

/* ---------------------------------------------------------- regexp_replace */

/* Appends the replacement with $n groups and \x escapes expanded. */
static void expand(sbuf *b, sl_strview rep, sl_strview s, const regmatch_t *m, size_t nm)
{
	for (size_t k = 0; k < rep.len; k++) {
		char c = rep.ptr[k];
		if (c == '\\' && k + 1 < rep.len) {
			put(b, rep.ptr + ++k, 1);
		} else if (c == '$' && k + 1 < rep.len && isdigit((unsigned char)rep.ptr[k + 1])) {
			size_t g = (size_t)(rep.ptr[++k] - '0');
			if (g < nm && m[g].rm_so >= 0)
				put(b, s.ptr + m[g].rm_so, (size_t)(m[g].rm_eo - m[g].rm_so));
		} else {
			put(b, &c, 1);
		}
	}
}

int slx_f_regexp_replace(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out)
{
	rx *r = n->state;
	slx_strout so;
	sbuf b = {0};
	int rc = slx_strout_init(cx, &so, cx->n, args[0].arr->data ? args[0].arr->data->len : 0);
	if (rc < 0)
		return rc;
	for (int64_t i = 0; i < cx->n && rc == 0; i++) {
		if (slx_null(&args[0], i) || slx_null(&args[1], i) || slx_null(&args[2], i)) {
			rc = slx_strout_null(&so);
			continue;
		}
		sl_strview s = slx_str(&args[0], i), p = slx_str(&args[1], i);
		sl_strview rep = slx_str(&args[2], i);
		if (s.len == 0) {
			/* Spark: a source shorter than the position (1) is kept */
			rc = slx_strout_append(&so, "", 0);
			continue;
		}
		if ((rc = rx_for_row(cx, n, r, p)) < 0)
			break;
		b.n = 0;
		puts_(&b, "");
		size_t last = 0, from = 0;
		regmatch_t m[MAX_GROUPS];
		size_t nm = r->literal ? 1 : (r->nsub + 1 < MAX_GROUPS ? r->nsub + 1 : MAX_GROUPS);
		int ferr = 0;
		while (from <= s.len && rx_find(cx, r, s, from, m, nm, &ferr)) {
			size_t ms = (size_t)m[0].rm_so, me = (size_t)m[0].rm_eo;
			put(&b, s.ptr + last, ms - last);
			expand(&b, rep, s, m, nm);
			if (me == ms) {
				if (ms >= s.len) {
					last = s.len;
					break;
				}
				size_t l = slu_utf8_clen((unsigned char)s.ptr[ms]);
				if (l > s.len - ms)
					l = s.len - ms;
				put(&b, s.ptr + ms, l);
				last = from = ms + l;
			} else {
				last = from = me;
			}
			if (b.n > (16u << 20) + s.len) {
				ferr = SL_EINVAL;
				break;
			}
		}
		if (ferr < 0) {
			rc = ferr;
			break;
		}
		put(&b, s.ptr + last, s.len - last);
		if (b.oom) {
			rc = SL_ENOMEM;
			break;
		}
		rc = slx_strout_append(&so, b.p, b.n);
	}
	free(b.p);
	if (rc < 0) {
		slx_strout_free(&so);
		if (cx->err != NULL && cx->err->code == rc)
			return rc;
		return rc == SL_EINVAL
		           ? sl_error_set(cx->err, rc, "regexp_replace: result too large")
		           : slx_oom(cx);
	}
	return slx_out_array(cx, out, slx_strout_finish(&so, sl_type_string()));
}
