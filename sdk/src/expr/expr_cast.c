/* expr_cast.c - CAST and the text forms of values, as Spark's non-ANSI
 * casts: a string that does not parse gives NULL; doubles print like Java
 * (1.0, 1.0E10, NaN); timestamps print as "yyyy-MM-dd HH:mm:ss[.ffffff]" in
 * UTC; arrays as [a, b] and structs as {a, b}.
 */
#include "config.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include "expr_internal.h"

/* ------------------------------------------------------------ formatting */

static size_t fmt_i64(int64_t v, char *buf)
{
	char tmp[24];
	size_t n = 0, len = 0;
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	do {
		tmp[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		buf[len++] = '-';
	while (n)
		buf[len++] = tmp[--n];
	buf[len] = '\0';
	return len;
}

size_t slx_format_double(double d, char *buf, size_t size)
{
	char tmp[48];
	if (d != d)
		return (size_t)snprintf(buf, size, "NaN");
	if (isinf(d))
		return (size_t)snprintf(buf, size, d > 0 ? "Infinity" : "-Infinity");
	if (d == 0)
		return (size_t)snprintf(buf, size, signbit(d) ? "-0.0" : "0.0");
	/* Shortest digits that read back as d (15, 16 or 17 significant). */
	for (int p = 14; p <= 16; p++) {
		snprintf(tmp, sizeof(tmp), "%.*e", p, d);
		if (strtod(tmp, NULL) == d)
			break;
	}
	char digits[24];
	size_t nd = 0;
	const char *q = tmp;
	bool neg = *q == '-';
	if (neg)
		q++;
	for (; *q && *q != 'e'; q++)
		if (*q >= '0' && *q <= '9')
			digits[nd++] = *q;
	int e = atoi(q + 1);
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	char out[64];
	size_t o = 0;
	if (neg)
		out[o++] = '-';
	double ad = fabs(d);
	if (ad >= 1e-3 && ad < 1e7) {
		if (e >= 0) {
			for (int k = 0; k <= e; k++)
				out[o++] = (size_t)k < nd ? digits[k] : '0';
			out[o++] = '.';
			if ((size_t)e + 1 >= nd)
				out[o++] = '0';
			for (size_t k = (size_t)e + 1; k < nd; k++)
				out[o++] = digits[k];
		} else {
			out[o++] = '0';
			out[o++] = '.';
			for (int k = 0; k < -e - 1; k++)
				out[o++] = '0';
			for (size_t k = 0; k < nd; k++)
				out[o++] = digits[k];
		}
		out[o] = '\0';
	} else {
		out[o++] = digits[0];
		out[o++] = '.';
		if (nd == 1)
			out[o++] = '0';
		for (size_t k = 1; k < nd; k++)
			out[o++] = digits[k];
		o += (size_t)snprintf(out + o, sizeof(out) - o, "E%d", e);
	}
	return (size_t)snprintf(buf, size, "%s", out);
}

size_t slx_format_timestamp(int64_t us, char *buf, size_t size)
{
	int64_t days = us / 86400000000LL, rem = us % 86400000000LL;
	if (rem < 0) {
		rem += 86400000000LL;
		days--;
	}
	int64_t y;
	unsigned m, d;
	slx_civil_from_days(days, &y, &m, &d);
	int64_t secs = rem / 1000000, frac = rem % 1000000;
	int n = snprintf(buf, size, "%04lld-%02u-%02u %02d:%02d:%02d", (long long)y, m, d,
	                 (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
	if (frac && n > 0 && (size_t)n + 8 < size) {
		char f[8];
		snprintf(f, sizeof(f), "%06lld", (long long)frac);
		int fl = 6;
		while (fl > 0 && f[fl - 1] == '0')
			fl--;
		n += snprintf(buf + n, size - (size_t)n, ".%.*s", fl, f);
	}
	return n > 0 ? (size_t)n : 0;
}

/* Growing text for nested values. */
typedef struct tbuf {
	char *p;
	size_t n, cap;
	bool oom;
} tbuf;

static void tput(tbuf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->n + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 128;
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
}

/* Appends Spark's text of row i of a (not NULL at the top). */
static void fmt_value(tbuf *b, const sl_array *a, int64_t i, int depth)
{
	char tmp[64];
	size_t n;
	if (a->type->id == SL_TYPE_NULL || sl_array_is_null(a, i)) {
		tput(b, "null", 4);
		return;
	}
	switch (a->type->id) {
	case SL_TYPE_BOOL:
		if (sl_array_bool(a, i))
			tput(b, "true", 4);
		else
			tput(b, "false", 5);
		break;
	case SL_TYPE_INT64:
		n = fmt_i64(sl_array_i64(a)[i], tmp);
		tput(b, tmp, n);
		break;
	case SL_TYPE_DOUBLE:
		n = slx_format_double(sl_array_f64(a)[i], tmp, sizeof(tmp));
		tput(b, tmp, n);
		break;
	case SL_TYPE_TIMESTAMP:
		n = slx_format_timestamp(sl_array_i64(a)[i], tmp, sizeof(tmp));
		tput(b, tmp, n);
		break;
	case SL_TYPE_STRING:
	case SL_TYPE_BINARY: {
		sl_strview s = slx_arr_str(a, i);
		tput(b, s.ptr, s.len);
		break;
	}
	case SL_TYPE_LIST: {
		const int32_t *o = sl_array_offsets(a);
		tput(b, "[", 1);
		for (int32_t k = o[i]; k < o[i + 1]; k++) {
			if (k > o[i])
				tput(b, ", ", 2);
			if (depth > 64)
				tput(b, "...", 3);
			else
				fmt_value(b, a->children[0], k, depth + 1);
		}
		tput(b, "]", 1);
		break;
	}
	case SL_TYPE_STRUCT:
		tput(b, "{", 1);
		for (size_t k = 0; k < a->n_children; k++) {
			if (k > 0)
				tput(b, ", ", 2);
			if (depth > 64)
				tput(b, "...", 3);
			else
				fmt_value(b, a->children[k], i, depth + 1);
		}
		tput(b, "}", 1);
		break;
	default:
		break;
	}
}

/* --------------------------------------------------------------- parsing */

static void trim(const char **p, size_t *len)
{
	const char *s = *p;
	size_t n = *len;
	while (n > 0 && (unsigned char)s[0] <= ' ') {
		s++;
		n--;
	}
	while (n > 0 && (unsigned char)s[n - 1] <= ' ')
		n--;
	*p = s;
	*len = n;
}

bool slx_parse_int64(const char *p, size_t len, int64_t *out)
{
	trim(&p, &len);
	if (len == 0)
		return false;
	size_t i = 0;
	bool neg = false;
	if (p[0] == '+' || p[0] == '-') {
		neg = p[0] == '-';
		i++;
	}
	uint64_t v = 0;
	size_t digits = 0;
	for (; i < len && p[i] >= '0' && p[i] <= '9'; i++, digits++) {
		unsigned dg = (unsigned)(p[i] - '0');
		if (v > (UINT64_C(1) << 63) / 10 || v * 10 + dg > (UINT64_C(1) << 63))
			return false;
		v = v * 10 + dg;
	}
	if (i < len && p[i] == '.') {
		/* Spark truncates a fractional part. */
		for (i++; i < len; i++)
			if (p[i] < '0' || p[i] > '9')
				return false;
	}
	if (i != len || digits == 0)
		return false;
	if (!neg && v > (uint64_t)INT64_MAX)
		return false;
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return true;
}

bool slx_parse_double(const char *p, size_t len, double *out)
{
	char buf[512];
	trim(&p, &len);
	if (len == 0 || len >= sizeof(buf))
		return false;
	memcpy(buf, p, len);
	buf[len] = '\0';
	/* Java accepts a trailing d or f. */
	if (len > 1 && strchr("dDfF", buf[len - 1]) && isdigit((unsigned char)buf[len - 2]))
		buf[--len] = '\0';
	const char *s = buf + (buf[0] == '+' || buf[0] == '-');
	if (strncasecmp(s, "nan", 3) == 0 && s[3] != '\0')
		return false; /* nan(...) */
	if (strncasecmp(s, "0x", 2) == 0)
		return false;
	char *end;
	double d = strtod(buf, &end);
	if (end != buf + len)
		return false;
	*out = d;
	return true;
}

bool slx_parse_bool(const char *p, size_t len, bool *out)
{
	static const char *const yes[] = {"t", "true", "y", "yes", "1"};
	static const char *const no[] = {"f", "false", "n", "no", "0"};
	trim(&p, &len);
	for (size_t k = 0; k < 5; k++) {
		if (strlen(yes[k]) == len && strncasecmp(p, yes[k], len) == 0) {
			*out = true;
			return true;
		}
		if (strlen(no[k]) == len && strncasecmp(p, no[k], len) == 0) {
			*out = false;
			return true;
		}
	}
	return false;
}

/* Reads 1..max digits; false when none. */
static bool num(const char *p, size_t len, size_t *i, size_t max, int64_t *v)
{
	size_t k = 0;
	*v = 0;
	while (*i < len && k < max && p[*i] >= '0' && p[*i] <= '9') {
		*v = *v * 10 + (p[*i] - '0');
		(*i)++;
		k++;
	}
	return k > 0;
}

static int days_in_month(int64_t y, int64_t m)
{
	static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : dm[m - 1];
}

bool slx_parse_timestamp(const char *p, size_t len, int64_t *out)
{
	trim(&p, &len);
	size_t i = 0;
	int64_t y, mo = 1, d = 1, h = 0, mi = 0, s = 0, us = 0, off = 0;
	bool neg = false;
	if (i < len && (p[i] == '-' || p[i] == '+')) {
		neg = p[i] == '-';
		i++;
	}
	size_t y0 = i;
	if (!num(p, len, &i, 6, &y) || i - y0 < 4)
		return false;
	if (neg)
		y = -y;
	if (y > 290000 || y < -290000)
		return false; /* beyond what microseconds since 1970 can hold */
	if (i < len && p[i] == '-') {
		i++;
		if (!num(p, len, &i, 2, &mo))
			return false;
		if (i < len && p[i] == '-') {
			i++;
			if (!num(p, len, &i, 2, &d))
				return false;
		}
	}
	if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo))
		return false;
	if (i < len && (p[i] == ' ' || p[i] == 'T')) {
		i++;
		if (i < len) {
			if (!num(p, len, &i, 2, &h) || i >= len || p[i] != ':')
				return false;
			i++;
			if (!num(p, len, &i, 2, &mi))
				return false;
			if (i < len && p[i] == ':') {
				i++;
				if (!num(p, len, &i, 2, &s))
					return false;
				if (i < len && p[i] == '.') {
					i++;
					size_t f0 = i;
					int64_t f;
					if (!num(p, len, &i, 9, &f))
						return false;
					size_t nd = i - f0;
					while (nd > 6) {
						f /= 10;
						nd--;
					}
					while (nd < 6) {
						f *= 10;
						nd++;
					}
					us = f;
				}
			}
			if (h > 23 || mi > 59 || s > 59)
				return false;
			/* zone */
			while (i < len && p[i] == ' ')
				i++;
			if (i < len) {
				if (len - i == 1 && (p[i] == 'Z' || p[i] == 'z')) {
					i++;
				} else if (len - i >= 3 && (strncasecmp(p + i, "UTC", 3) == 0 ||
				                            strncasecmp(p + i, "GMT", 3) == 0)) {
					i += 3;
				}
				if (i < len && (p[i] == '+' || p[i] == '-')) {
					bool zn = p[i] == '-';
					int64_t zh, zm = 0;
					i++;
					size_t z0 = i;
					if (!num(p, len, &i, 2, &zh))
						return false;
					if (i < len && p[i] == ':')
						i++;
					if (i < len && !num(p, len, &i, 2, &zm))
						return false;
					if (i - z0 == 0 || zh > 18 || zm > 59)
						return false;
					off = (zh * 3600 + zm * 60) * (zn ? -1 : 1);
				}
			}
		}
	}
	if (i != len)
		return false;
	int64_t days = slx_days_from_civil(y, (unsigned)mo, (unsigned)d);
	*out = ((days * 86400 + h * 3600 + mi * 60 + s - off) * 1000000) + us;
	return true;
}

/* ------------------------------------------------------------------ casts */

static int cast_prim(slx_ctx *cx, const sl_array *a, sl_type *to, slx_val *out);

static int to_string(slx_ctx *cx, const sl_array *a, sl_type *to, slx_val *out)
{
	int64_t n = cx->n;
	sl_type_id from = a->type->id;
	if (from == SL_TYPE_BINARY || from == SL_TYPE_STRING) /* same layout */
		return slx_out(cx, out, to, a->null_count, sl_buffer_ref(a->validity),
		               sl_buffer_ref(a->values), sl_buffer_ref(a->data), 0, NULL);
	slx_strout so;
	size_t per = from == SL_TYPE_BOOL ? 5 : from == SL_TYPE_INT64 ? 20 : 24;
	int rc = slx_strout_init(cx, &so, n, (size_t)n * (per / 2 + 1));
	if (rc < 0)
		return rc;
	tbuf tb = {0};
	for (int64_t i = 0; i < n && rc == 0; i++) {
		if (sl_array_is_null(a, i)) {
			rc = slx_strout_null(&so);
			continue;
		}
		char *w = NULL;
		size_t len = 0;
		switch (from) {
		case SL_TYPE_BOOL:
			rc = sl_array_bool(a, i) ? slx_strout_append(&so, "true", 4)
			                         : slx_strout_append(&so, "false", 5);
			continue;
		case SL_TYPE_INT64:
			if ((w = slx_strout_reserve(&so, 24)) == NULL)
				break;
			len = fmt_i64(sl_array_i64(a)[i], w);
			break;
		case SL_TYPE_DOUBLE:
			if ((w = slx_strout_reserve(&so, 48)) == NULL)
				break;
			len = slx_format_double(sl_array_f64(a)[i], w, 48);
			break;
		case SL_TYPE_TIMESTAMP:
			if ((w = slx_strout_reserve(&so, 48)) == NULL)
				break;
			len = slx_format_timestamp(sl_array_i64(a)[i], w, 48);
			break;
		default:
			tb.n = 0;
			fmt_value(&tb, a, i, 0);
			if (tb.oom) {
				rc = SL_ENOMEM;
				continue;
			}
			rc = slx_strout_append(&so, tb.p ? tb.p : "", tb.n);
			continue;
		}
		rc = w == NULL ? SL_ENOMEM : slx_strout_commit(&so, len);
	}
	free(tb.p);
	if (rc < 0) {
		slx_strout_free(&so);
		return rc == SL_EINVAL
		           ? sl_error_set(cx->err, rc, "string column larger than 2 GiB")
		           : slx_oom(cx);
	}
	return slx_out_array(cx, out, slx_strout_finish(&so, to));
}

static int from_string(slx_ctx *cx, const sl_array *a, sl_type *to, slx_val *out)
{
	int64_t n = cx->n;
	slx_fixout fo;
	int rc = slx_fixout_init(cx, &fo, to->id == SL_TYPE_BOOL ? 0 : 8);
	if (rc < 0)
		return rc;
	int64_t *ri = (int64_t *)fo.values->data;
	double *rd = (double *)fo.values->data;
	for (int64_t i = 0; i < n; i++) {
		bool ok = false;
		if (!sl_array_is_null(a, i)) {
			sl_strview s = slx_arr_str(a, i);
			switch (to->id) {
			case SL_TYPE_BOOL: {
				bool b;
				ok = slx_parse_bool(s.ptr, s.len, &b);
				if (ok && b)
					sl_bit_set(fo.values->data, i);
				break;
			}
			case SL_TYPE_INT64:
				ok = slx_parse_int64(s.ptr, s.len, &ri[i]);
				break;
			case SL_TYPE_DOUBLE:
				ok = slx_parse_double(s.ptr, s.len, &rd[i]);
				break;
			default:
				ok = slx_parse_timestamp(s.ptr, s.len, &ri[i]);
				break;
			}
		}
		if (!ok) {
			if (to->id != SL_TYPE_BOOL)
				ri[i] = 0;
			slx_fixout_null(&fo, i);
		}
	}
	return slx_fixout_finish(cx, &fo, to, out);
}

static int64_t d2l(double d)
{
	if (d != d)
		return 0;
	if (d >= 9223372036854775807.0)
		return INT64_MAX;
	if (d <= -9223372036854775808.0)
		return INT64_MIN;
	return (int64_t)d;
}

static int64_t sat_mul(int64_t a, int64_t b)
{
	int64_t r;
	if (__builtin_mul_overflow(a, b, &r))
		return (a < 0) != (b < 0) ? INT64_MIN : INT64_MAX;
	return r;
}

/* Between bool, int64, double and timestamp. */
static int cast_prim(slx_ctx *cx, const sl_array *a, sl_type *to, slx_val *out)
{
	int64_t n = cx->n;
	sl_type_id from = a->type->id;
	slx_fixout fo;
	int rc = slx_fixout_init(cx, &fo, to->id == SL_TYPE_BOOL ? 0 : 8);
	if (rc < 0)
		return rc;
	int64_t *ri = (int64_t *)fo.values->data;
	double *rd = (double *)fo.values->data;
	const int64_t *xi = from == SL_TYPE_BOOL ? NULL : sl_array_i64(a);
	const double *xd = from == SL_TYPE_BOOL ? NULL : sl_array_f64(a);
	for (int64_t i = 0; i < n; i++) {
		if (sl_array_is_null(a, i)) {
			slx_fixout_null(&fo, i);
			if (to->id != SL_TYPE_BOOL)
				ri[i] = 0;
			continue;
		}
		switch (to->id) {
		case SL_TYPE_BOOL: {
			bool b = from == SL_TYPE_DOUBLE ? xd[i] != 0 : xi[i] != 0;
			if (b)
				sl_bit_set(fo.values->data, i);
			break;
		}
		case SL_TYPE_INT64:
			if (from == SL_TYPE_BOOL)
				ri[i] = sl_array_bool(a, i);
			else if (from == SL_TYPE_DOUBLE)
				ri[i] = d2l(xd[i]);
			else if (from == SL_TYPE_TIMESTAMP)
				ri[i] = xi[i] / 1000000 - (xi[i] % 1000000 < 0);
			else
				ri[i] = xi[i];
			break;
		case SL_TYPE_DOUBLE:
			if (from == SL_TYPE_BOOL)
				rd[i] = sl_array_bool(a, i);
			else if (from == SL_TYPE_TIMESTAMP)
				rd[i] = (double)xi[i] / 1e6;
			else
				rd[i] = (double)xi[i];
			break;
		default: /* timestamp */
			if (from == SL_TYPE_DOUBLE) {
				if (!isfinite(xd[i])) {
					slx_fixout_null(&fo, i);
					ri[i] = 0;
				} else {
					ri[i] = d2l(xd[i] * 1e6);
				}
			} else {
				ri[i] = sat_mul(xi[i], 1000000);
			}
			break;
		}
	}
	return slx_fixout_finish(cx, &fo, to, out);
}

static int cast_array(slx_ctx *cx, const sl_array *a, sl_type *to, slx_val *out)
{
	sl_type_id from = a->type->id;
	if (sl_type_equal(a->type, to))
		return slx_out_array(cx, out, sl_array_ref((sl_array *)a));
	if (from == SL_TYPE_NULL)
		return slx_out_array(cx, out, slx_make_nulls(to, cx->n));
	switch (to->id) {
	case SL_TYPE_STRING:
		return to_string(cx, a, to, out);
	case SL_TYPE_BINARY:
		return slx_out(cx, out, to, a->null_count, sl_buffer_ref(a->validity),
		               sl_buffer_ref(a->values), sl_buffer_ref(a->data), 0, NULL);
	case SL_TYPE_BOOL:
	case SL_TYPE_INT64:
	case SL_TYPE_DOUBLE:
	case SL_TYPE_TIMESTAMP:
		if (from == SL_TYPE_STRING)
			return from_string(cx, a, to, out);
		return cast_prim(cx, a, to, out);
	case SL_TYPE_LIST: {
		const sl_array *el = a->children[0];
		slx_ctx sub = *cx;
		slx_val ev = {0};
		sub.n = el->length;
		int rc = cast_array(&sub, el, to->fields[0].type, &ev);
		if (rc < 0)
			return rc;
		sl_array *ch = ev.arr;
		return slx_out(cx, out, to, a->null_count, sl_buffer_ref(a->validity),
		               sl_buffer_ref(a->values), NULL, 1, &ch);
	}
	case SL_TYPE_STRUCT: {
		size_t k = to->n_fields;
		sl_array **ch = calloc(k ? k : 1, sizeof(*ch));
		if (ch == NULL)
			return slx_oom(cx);
		for (size_t j = 0; j < k; j++) {
			slx_val cv = {0};
			int rc = cast_array(cx, a->children[j], to->fields[j].type, &cv);
			if (rc < 0) {
				for (size_t q = 0; q < j; q++)
					sl_array_unref(ch[q]);
				free(ch);
				return rc;
			}
			ch[j] = cv.arr;
		}
		int rc = slx_out(cx, out, to, a->null_count, sl_buffer_ref(a->validity), NULL, NULL,
		                 k, ch);
		free(ch);
		return rc;
	}
	default:
		return sl_error_set(cx->err, SL_ETYPE, "unsupported cast");
	}
}

int slx_cast_val(slx_ctx *cx, const slx_val *v, sl_type *t, slx_val *out)
{
	if (v->scalar) {
		sl_array *col = NULL;
		int rc = slx_broadcast(cx, v, cx->n, &col);
		if (rc < 0)
			return rc;
		rc = cast_array(cx, col, t, out);
		sl_array_unref(col);
		return rc;
	}
	return cast_array(cx, v->arr, t, out);
}

int slx_k_cast(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out)
{
	return slx_cast_val(cx, &args[0], n->type, out);
}
