/* expr_time.c - timestamps: calendar arithmetic, date parts, date_trunc,
 * and the pattern-driven functions (date_format, from_unixtime,
 * to_timestamp, unix_timestamp) with a subset of Java's DateTimeFormatter
 * letters: y M d D H h m s S a E and the zone letters X x Z z (always UTC),
 * 'quoted text' and other punctuation as literals.
 *
 * Timestamps are microseconds since 1970-01-01 00:00:00 UTC; the calendar is
 * the proleptic Gregorian one.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include "expr_funcs.h"
#include "../util/tspattern.h"

#define US_PER_DAY 86400000000LL

/* Howard Hinnant's days_from_civil / civil_from_days. */
typedef struct tm_parts {
	int64_t year;
	unsigned month, day;
	int hour, minute, second;
	int64_t micros;
	int64_t days; /* since the epoch */
} tm_parts;

static void split_ts(int64_t us, tm_parts *t)
{
	int64_t days = us / US_PER_DAY, rem = us % US_PER_DAY;
	if (rem < 0) {
		rem += US_PER_DAY;
		days--;
	}
	t->days = days;
	slu_civil_from_days(days, &t->year, &t->month, &t->day);
	int64_t secs = rem / 1000000;
	t->micros = rem % 1000000;
	t->hour = (int)(secs / 3600);
	t->minute = (int)(secs / 60 % 60);
	t->second = (int)(secs % 60);
}

/* ------------------------------------------------------------ date parts */

int slx_f_datepart(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out)
{
	const char *f = n->fn->name;
	const sl_array *a = args[0].arr;
	sl_buffer *vb = slx_buf(cx, (size_t)cx->n * 8);
	if (vb == NULL)
		return slx_oom(cx);
	int64_t *r = (int64_t *)vb->data;
	const int64_t *x = sl_array_i64(a);
	for (int64_t i = 0; i < cx->n; i++) {
		tm_parts t;
		split_ts(x[i], &t);
		switch (f[0]) {
		case 'y':
			r[i] = t.year;
			break;
		case 'q':
			r[i] = (t.month - 1) / 3 + 1;
			break;
		case 'h':
			r[i] = t.hour;
			break;
		case 's':
			r[i] = t.second;
			break;
		case 'm':
			r[i] = f[1] == 'o' ? (int64_t)t.month : t.minute;
			break;
		default: /* day, dayofmonth, dayofweek, dayofyear */
			if (strcmp(f, "dayofweek") == 0) {
				int64_t w = (t.days + 4) % 7;   /* 1970-01-01 was a Thursday */
				r[i] = (w < 0 ? w + 7 : w) + 1; /* Sunday = 1 */
			} else if (strcmp(f, "dayofyear") == 0) {
				r[i] = t.days - slu_days_from_civil(t.year, 1, 1) + 1;
			} else {
				r[i] = t.day;
			}
			break;
		}
	}
	return slx_out(cx, out, sl_type_int64(), a->null_count, sl_buffer_ref(a->validity), vb,
	               NULL, 0, NULL);
}

static int64_t sat_mul(int64_t a, int64_t b)
{
	int64_t r;
	if (__builtin_mul_overflow(a, b, &r))
		return (a < 0) != (b < 0) ? INT64_MIN : INT64_MAX;
	return r;
}

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return q - ((a % b != 0) && ((a < 0) != (b < 0)));
}

int slx_f_timestamp_from(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out)
{
	const char *f = n->fn->name; /* timestamp_seconds, _millis, _micros */
	const sl_array *a = args[0].arr;
	slx_fixout fo;
	int rc = slx_fixout_init(cx, &fo, 8);
	if (rc < 0)
		return rc;
	int64_t *r = (int64_t *)fo.values->data;
	for (int64_t i = 0; i < cx->n; i++) {
		r[i] = 0;
		if (sl_array_is_null(a, i)) {
			slx_fixout_null(&fo, i);
			continue;
		}
		if (a->type->id == SL_TYPE_DOUBLE) {
			double d = sl_array_f64(a)[i] * 1e6;
			if (!(d > -9.2e18 && d < 9.2e18)) {
				slx_fixout_null(&fo, i);
				continue;
			}
			r[i] = (int64_t)d;
			continue;
		}
		int64_t v = sl_array_i64(a)[i];
		if (strcmp(f, "timestamp_seconds") == 0)
			r[i] = sat_mul(v, 1000000);
		else if (strcmp(f, "timestamp_millis") == 0)
			r[i] = sat_mul(v, 1000);
		else
			r[i] = v;
	}
	return slx_fixout_finish(cx, &fo, sl_type_timestamp(), out);
}

int slx_f_unix_from(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out)
{
	const char *f = n->fn->name; /* unix_seconds, unix_millis, unix_micros */
	const sl_array *a = args[0].arr;
	int64_t div = strcmp(f, "unix_seconds") == 0  ? 1000000
	              : strcmp(f, "unix_millis") == 0 ? 1000
	                                              : 1;
	sl_buffer *vb = slx_buf(cx, (size_t)cx->n * 8);
	if (vb == NULL)
		return slx_oom(cx);
	int64_t *r = (int64_t *)vb->data;
	const int64_t *x = sl_array_i64(a);
	for (int64_t i = 0; i < cx->n; i++)
		r[i] = floor_div(x[i], div);
	return slx_out(cx, out, sl_type_int64(), a->null_count, sl_buffer_ref(a->validity), vb,
	               NULL, 0, NULL);
}

/* Truncation unit: 0 year, 1 quarter, 2 month, 3 week, 4 day, 5 hour,
 * 6 minute, 7 second, 8 millisecond, 9 microsecond; -1 unknown. */
static int trunc_unit(sl_strview u)
{
	static const struct {
		const char *name;
		int unit;
	} units[] = {{"year", 0},   {"yyyy", 0},        {"yy", 0},         {"quarter", 1},
	             {"month", 2},  {"mon", 2},         {"mm", 2},         {"week", 3},
	             {"day", 4},    {"dd", 4},          {"hour", 5},       {"minute", 6},
	             {"second", 7}, {"millisecond", 8}, {"microsecond", 9}};
	for (size_t k = 0; k < sizeof(units) / sizeof(units[0]); k++)
		if (strlen(units[k].name) == u.len && strncasecmp(units[k].name, u.ptr, u.len) == 0)
			return units[k].unit;
	return -1;
}

int slx_f_date_trunc(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out)
{
	slx_fixout fo;
	int rc = slx_fixout_init(cx, &fo, 8);
	if (rc < 0)
		return rc;
	int64_t *r = (int64_t *)fo.values->data;
	for (int64_t i = 0; i < cx->n; i++) {
		r[i] = 0;
		int unit = slx_null(&args[0], i) ? -1 : trunc_unit(slx_str(&args[0], i));
		if (unit < 0 || slx_null(&args[1], i)) {
			slx_fixout_null(&fo, i);
			continue;
		}
		int64_t us = slx_i64(&args[1], i);
		tm_parts t;
		split_ts(us, &t);
		int64_t days = t.days;
		switch (unit) {
		case 0:
			r[i] = sat_mul(slu_days_from_civil(t.year, 1, 1), US_PER_DAY);
			break;
		case 1:
			r[i] = sat_mul(slu_days_from_civil(t.year, (t.month - 1) / 3 * 3 + 1, 1),
			               US_PER_DAY);
			break;
		case 2:
			r[i] = sat_mul(slu_days_from_civil(t.year, t.month, 1), US_PER_DAY);
			break;
		case 3: { /* Monday */
			int64_t w = (days + 3) % 7;
			if (w < 0)
				w += 7;
			r[i] = sat_mul(days - w, US_PER_DAY);
			break;
		}
		case 4:
			r[i] = sat_mul(days, US_PER_DAY);
			break;
		default: {
			static const int64_t step[] = {3600000000LL, 60000000LL, 1000000LL, 1000LL,
			                               1LL};
			int64_t s = step[unit - 5];
			r[i] = sat_mul(floor_div(us, s), s);
			break;
		}
		}
	}
	return slx_fixout_finish(cx, &fo, sl_type_timestamp(), out);
}

/* --------------------------------------------------------------- patterns */

static void prog_free(void *state)
{
	slt_pattern *p = state;
	if (p != NULL) {
		slt_clear(p);
		free(p);
	}
}

static int prep_common(slx_node *n, sl_error *err, const char *def)
{
	if (n->state != NULL)
		return 0;
	slt_pattern *p = calloc(1, sizeof(*p));
	if (p == NULL)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	n->state = p;
	n->state_free = prog_free;
	sl_strview pat = {def, def ? strlen(def) : 0};
	int pos = n->pos;
	if (n->n_args > 1) {
		slx_node *f = n->args[1];
		if (f->kind != SLX_LIT)
			return 0;
		slx_val v;
		slx_val_from_const(&v, f->cval, false);
		sl_array_unref(v.arr);
		if (v.null)
			return 0;
		pat = v.s;
		pos = f->pos;
	} else if (def == NULL) {
		return 0;
	}
	size_t bad = 0;
	int rc = slt_compile(p, pat.ptr, pat.len, SLT_EXPR, &bad);
	if (rc == SL_ENOMEM)
		return sl_error_set(err, rc, "out of memory");
	if (rc < 0)
		return slx_err(err, SL_EINVAL, pos,
		               "unsupported letter '%c' (or too many of it) in the date pattern "
		               "'%.*s' (use y M d H h m s S a E, quote text with '')",
		               pat.ptr[bad], (int)(pat.len > 60 ? 60 : pat.len), pat.ptr);
	return 0;
}

int slx_prep_format1(slx_node *n, sl_error *err)
{
	return prep_common(n, err, "yyyy-MM-dd HH:mm:ss");
}

int slx_prep_format2(slx_node *n, sl_error *err)
{
	bool unix_ts = strcmp(n->fn->name, "unix_timestamp") == 0;
	return prep_common(n, err, unix_ts ? "yyyy-MM-dd HH:mm:ss" : NULL);
}

/* The program for row i (the constant one, or compiled from the row). */
static int prog_for_row(slx_ctx *cx, slx_node *n, slt_pattern *p, const slx_val *fmt, int64_t i,
                        bool *invalid)
{
	*invalid = false;
	if (fmt == NULL || (n->args[1]->kind == SLX_LIT && p->ready))
		return 0;
	sl_strview s = slx_str(fmt, i);
	if (p->ready && p->text_len == s.len && (s.len == 0 || memcmp(p->text, s.ptr, s.len) == 0))
		return 0;
	size_t bad;
	int rc = slt_compile(p, s.ptr, s.len, SLT_EXPR, &bad);
	if (rc == SL_ENOMEM)
		return slx_oom(cx);
	if (rc < 0) {
		p->ready = false;
		*invalid = true;
	}
	return 0;
}

/* Formats ts (or NULL rows) of tsv by the pattern in args[fmt_arg]. */
static int format_col(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out, bool from_secs)
{
	slt_pattern *p = n->state;
	const slx_val *fmt = n->n_args > 1 ? &args[1] : NULL;
	slx_strout so;
	int rc = slx_strout_init(cx, &so, cx->n, (size_t)cx->n * 20);
	if (rc < 0)
		return rc;
	for (int64_t i = 0; i < cx->n && rc == 0; i++) {
		bool invalid;
		if (slx_null(&args[0], i) || (fmt && slx_null(fmt, i))) {
			rc = slx_strout_null(&so);
			continue;
		}
		if ((rc = prog_for_row(cx, n, p, fmt, i, &invalid)) < 0)
			break;
		if (invalid || !p->ready) {
			rc = slx_strout_null(&so);
			continue;
		}
		int64_t us = slx_i64(&args[0], i);
		if (from_secs)
			us = sat_mul(us, 1000000);
		size_t cap = 64;
		char *buf = slx_strout_reserve(&so, cap);
		if (buf == NULL) {
			rc = SL_ENOMEM;
			break;
		}
		size_t len = slt_format(p, us, buf, cap);
		if (len > cap) {
			cap = len;
			buf = slx_strout_reserve(&so, cap);
			if (buf == NULL) {
				rc = SL_ENOMEM;
				break;
			}
			len = slt_format(p, us, buf, cap);
		}
		rc = slx_strout_commit(&so, len);
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

int slx_f_date_format(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out)
{
	return format_col(cx, n, args, out, false);
}

int slx_f_from_unixtime(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out)
{
	return format_col(cx, n, args, out, true);
}

int slx_bind_to_timestamp(slx_binder *b, slx_node *n, sl_error *err)
{
	char tn[128];
	sl_type_id id = n->args[0]->type->id;
	if (id != SL_TYPE_STRING && id != SL_TYPE_TIMESTAMP && id != SL_TYPE_INT64 &&
	    id != SL_TYPE_DOUBLE && id != SL_TYPE_NULL)
		return slx_err(err, SL_ETYPE, n->args[0]->pos,
		               "function '%s' needs a STRING, TIMESTAMP or number, got %s",
		               n->fn->name, slx_type_name(n->args[0]->type, tn, sizeof(tn)));
	if (id == SL_TYPE_NULL)
		return slx_coerce(b, &n->args[0], sl_type_string(), err);
	return 0;
}

/* x as a timestamp for to_timestamp / unix_timestamp; false for NULL. */
static int to_ts_col(slx_ctx *cx, slx_node *n, slx_val *args, slx_fixout *fo, int64_t *r)
{
	slt_pattern *p = n->state;
	const slx_val *x = &args[0];
	const slx_val *fmt = n->n_args > 1 ? &args[1] : NULL;
	sl_type_id id = x->arr->type->id;
	for (int64_t i = 0; i < cx->n; i++) {
		r[i] = 0;
		if (slx_null(x, i) || (fmt && slx_null(fmt, i))) {
			slx_fixout_null(fo, i);
			continue;
		}
		bool ok = true;
		switch (id) {
		case SL_TYPE_TIMESTAMP:
			r[i] = slx_i64(x, i);
			break;
		case SL_TYPE_INT64:
			r[i] = sat_mul(slx_i64(x, i), 1000000);
			break;
		case SL_TYPE_DOUBLE: {
			double d = slx_f64(x, i) * 1e6;
			ok = d > -9.2e18 && d < 9.2e18;
			r[i] = ok ? (int64_t)d : 0;
			break;
		}
		default: {
			sl_strview s = slx_str(x, i);
			bool invalid;
			int rc = prog_for_row(cx, n, p, fmt, i, &invalid);
			if (rc < 0)
				return rc;
			if (invalid)
				ok = false;
			else if (p->ready)
				ok = slt_parse(p, s.ptr, s.len, &r[i]);
			else
				ok = sl_parse_timestamp(s.ptr, s.len, &r[i]);
			break;
		}
		}
		if (!ok) {
			r[i] = 0;
			slx_fixout_null(fo, i);
		}
	}
	return 0;
}

int slx_f_to_timestamp(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out)
{
	slx_fixout fo;
	int rc = slx_fixout_init(cx, &fo, 8);
	if (rc < 0)
		return rc;
	if ((rc = to_ts_col(cx, n, args, &fo, (int64_t *)fo.values->data)) < 0) {
		slx_fixout_free(&fo);
		return rc;
	}
	return slx_fixout_finish(cx, &fo, sl_type_timestamp(), out);
}

int slx_f_unix_timestamp(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out)
{
	slx_fixout fo;
	int rc = slx_fixout_init(cx, &fo, 8);
	if (rc < 0)
		return rc;
	int64_t *r = (int64_t *)fo.values->data;
	if ((rc = to_ts_col(cx, n, args, &fo, r)) < 0) {
		slx_fixout_free(&fo);
		return rc;
	}
	for (int64_t i = 0; i < cx->n; i++)
		r[i] = floor_div(r[i], 1000000);
	return slx_fixout_finish(cx, &fo, sl_type_int64(), out);
}
