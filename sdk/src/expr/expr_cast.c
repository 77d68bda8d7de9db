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

/* Growing text for nested values; oom sticks once an append failed. */
typedef struct tbuf {
	sl_strbuf sb;
	bool oom;
} tbuf;

static void tput(tbuf *b, const char *s, size_t n)
{
	if (!b->oom && sl_strbuf_append(&b->sb, s, n) < 0)
		b->oom = true;
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
		n = sl_format_int64(sl_array_i64(a)[i], tmp);
		tput(b, tmp, n);
		break;
	case SL_TYPE_DOUBLE:
		n = sl_format_double(sl_array_f64(a)[i], tmp);
		tput(b, tmp, n);
		break;
	case SL_TYPE_TIMESTAMP:
		n = sl_format_timestamp(sl_array_i64(a)[i], tmp);
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

bool slx_parse_int64(const char *p, size_t len, int64_t *out)
{
	slu_trim(&p, &len);
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
	slu_trim(&p, &len);
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
	slu_trim(&p, &len);
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
			len = sl_format_int64(sl_array_i64(a)[i], w);
			break;
		case SL_TYPE_DOUBLE:
			if ((w = slx_strout_reserve(&so, 48)) == NULL)
				break;
			len = sl_format_double(sl_array_f64(a)[i], w);
			break;
		case SL_TYPE_TIMESTAMP:
			if ((w = slx_strout_reserve(&so, 48)) == NULL)
				break;
			len = sl_format_timestamp(sl_array_i64(a)[i], w);
			break;
		default:
			sl_strbuf_reset(&tb.sb);
			fmt_value(&tb, a, i, 0);
			if (tb.oom) {
				rc = SL_ENOMEM;
				continue;
			}
			rc = slx_strout_append(&so, tb.sb.buf ? tb.sb.buf : "", tb.sb.len);
			continue;
		}
		rc = w == NULL ? SL_ENOMEM : slx_strout_commit(&so, len);
	}
	sl_strbuf_free(&tb.sb);
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
				ok = sl_parse_timestamp(s.ptr, s.len, &ri[i]);
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
