/* expr_math.c - numeric functions: abs, round (HALF_UP as Spark), floor,
 * ceil, pow, log, pmod and the one-argument functions of math.h.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "expr_funcs.h"

/* -------------------------------------------------------- one-argument */

static double f_degrees(double x)
{
	return x * (180.0 / M_PI);
}
static double f_radians(double x)
{
	return x * (M_PI / 180.0);
}
static double f_sign(double x)
{
	return x > 0 ? 1.0 : x < 0 ? -1.0 : x; /* keeps 0.0 and NaN */
}
static double f_e(double x)
{
	return M_E;
}
static double f_pi(double x)
{
	return M_PI;
}

static const struct {
	const char *name;
	double (*fn)(double);
	bool positive; /* NULL for x <= 0 (Spark's logarithms) */
} math1[] = {
    {"acos", acos, false},
    {"asin", asin, false},
    {"atan", atan, false},
    {"cbrt", cbrt, false},
    {"cos", cos, false},
    {"degrees", f_degrees, false},
    {"e", f_e, false},
    {"exp", exp, false},
    {"ln", log, true},
    {"log10", log10, true},
    {"log2", log2, true},
    {"pi", f_pi, false},
    {"radians", f_radians, false},
    {"sign", f_sign, false},
    {"signum", f_sign, false},
    {"sin", sin, false},
    {"sqrt", sqrt, false},
    {"tan", tan, false},
};

int slx_bind_math1(slx_binder *b, slx_node *n, sl_error *err)
{
	for (size_t k = 0; k < sizeof(math1) / sizeof(math1[0]); k++) {
		if (strcmp(math1[k].name, n->fn->name) == 0) {
			n->op = (int)k;
			return 0;
		}
	}
	return slx_err(err, SL_ERR, n->op_pos, "internal error: no math function '%s'",
	               n->fn->name);
}

int slx_f_math1(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out)
{
	double (*fn)(double) = math1[n->op].fn;
	bool positive = math1[n->op].positive;
	slx_fixout fo;
	int rc = slx_fixout_init(cx, &fo, 8);
	if (rc < 0)
		return rc;
	double *r = (double *)fo.values->data;
	if (n->n_args == 0) {
		for (int64_t i = 0; i < cx->n; i++)
			r[i] = fn(0);
		return slx_fixout_finish(cx, &fo, sl_type_double(), out);
	}
	for (int64_t i = 0; i < cx->n; i++) {
		double x = slx_f64(&args[0], i);
		if (slx_null(&args[0], i) || (positive && !(x > 0))) {
			slx_fixout_null(&fo, i);
			r[i] = 0;
			continue;
		}
		r[i] = fn(x);
	}
	return slx_fixout_finish(cx, &fo, sl_type_double(), out);
}

int slx_f_log(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out)
{
	slx_fixout fo;
	int rc = slx_fixout_init(cx, &fo, 8);
	if (rc < 0)
		return rc;
	double *r = (double *)fo.values->data;
	for (int64_t i = 0; i < cx->n; i++) {
		bool two = n->n_args == 2;
		const slx_val *xv = two ? &args[1] : &args[0];
		double x = slx_f64(xv, i), base = two ? slx_f64(&args[0], i) : M_E;
		r[i] = 0;
		if (slx_null(xv, i) || (two && slx_null(&args[0], i)) || !(x > 0) || !(base > 0)) {
			slx_fixout_null(&fo, i);
			continue;
		}
		r[i] = two ? log(x) / log(base) : log(x);
	}
	return slx_fixout_finish(cx, &fo, sl_type_double(), out);
}

int slx_f_pow(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out)
{
	slx_fixout fo;
	int rc = slx_fixout_init(cx, &fo, 8);
	if (rc < 0)
		return rc;
	double *r = (double *)fo.values->data;
	for (int64_t i = 0; i < cx->n; i++) {
		if (slx_null(&args[0], i) || slx_null(&args[1], i)) {
			slx_fixout_null(&fo, i);
			r[i] = 0;
			continue;
		}
		r[i] = pow(slx_f64(&args[0], i), slx_f64(&args[1], i));
	}
	return slx_fixout_finish(cx, &fo, sl_type_double(), out);
}

int slx_f_nanvl(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out)
{
	slx_fixout fo;
	int rc = slx_fixout_init(cx, &fo, 8);
	if (rc < 0)
		return rc;
	double *r = (double *)fo.values->data;
	for (int64_t i = 0; i < cx->n; i++) {
		r[i] = 0;
		if (slx_null(&args[0], i)) {
			slx_fixout_null(&fo, i);
			continue;
		}
		double x = slx_f64(&args[0], i);
		if (x == x) {
			r[i] = x;
		} else if (slx_null(&args[1], i)) {
			slx_fixout_null(&fo, i);
		} else {
			r[i] = slx_f64(&args[1], i);
		}
	}
	return slx_fixout_finish(cx, &fo, sl_type_double(), out);
}

int slx_f_isnan(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out)
{
	slx_fixout fo;
	int rc = slx_fixout_init(cx, &fo, 0);
	if (rc < 0)
		return rc;
	for (int64_t i = 0; i < cx->n; i++) {
		double x = slx_f64(&args[0], i);
		if (!slx_null(&args[0], i) && x != x)
			sl_bit_set(fo.values->data, i);
	}
	return slx_fixout_finish(cx, &fo, sl_type_bool(), out);
}

/* ------------------------------------------------------------ abs, floor */

/* Java's (long) of a double: NaN -> 0, out of range saturates. */
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

int slx_f_abs(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out)
{
	const sl_array *a = args[0].arr;
	sl_buffer *vb = slx_buf(cx, (size_t)cx->n * 8);
	if (vb == NULL)
		return slx_oom(cx);
	if (n->type->id == SL_TYPE_INT64) {
		const int64_t *x = sl_array_i64(a);
		int64_t *r = (int64_t *)vb->data;
		for (int64_t i = 0; i < cx->n; i++)
			r[i] = x[i] < 0 ? (int64_t)(0 - (uint64_t)x[i]) : x[i];
	} else {
		const double *x = sl_array_f64(a);
		double *r = (double *)vb->data;
		for (int64_t i = 0; i < cx->n; i++)
			r[i] = fabs(x[i]);
	}
	return slx_out(cx, out, n->type, a->null_count, sl_buffer_ref(a->validity), vb, NULL, 0,
	               NULL);
}

static int floor_ceil(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out, bool up)
{
	const sl_array *a = args[0].arr;
	if (a->type->id == SL_TYPE_INT64) {
		out->arr = sl_array_ref(args[0].arr);
		out->scalar = false;
		return 0;
	}
	sl_buffer *vb = slx_buf(cx, (size_t)cx->n * 8);
	if (vb == NULL)
		return slx_oom(cx);
	const double *x = sl_array_f64(a);
	int64_t *r = (int64_t *)vb->data;
	for (int64_t i = 0; i < cx->n; i++)
		r[i] = d2l(up ? ceil(x[i]) : floor(x[i]));
	return slx_out(cx, out, sl_type_int64(), a->null_count, sl_buffer_ref(a->validity), vb,
	               NULL, 0, NULL);
}

int slx_f_floor(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out)
{
	return floor_ceil(cx, n, args, out, false);
}

int slx_f_ceil(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out)
{
	return floor_ceil(cx, n, args, out, true);
}

/* ------------------------------------------------------------------ round */

static const double pow10_tab[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                   1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                   1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* HALF_UP on the shortest decimal form of x (as Spark's BigDecimal(x)). */
static double round_decimal(double x, int64_t d)
{
	char buf[64];
	int p;
	if (d > 400)
		return x;
	if (d < -400)
		return 0.0;
	for (p = 0; p < 17; p++) {
		snprintf(buf, sizeof(buf), "%.*e", p, fabs(x));
		if (strtod(buf, NULL) == fabs(x))
			break;
	}
	/* buf: D[.DDD]e[+-]XX */
	char digits[32];
	size_t nd = 0;
	const char *q = buf;
	for (; *q && *q != 'e'; q++)
		if (*q >= '0' && *q <= '9')
			digits[nd++] = *q;
	int exp10 = atoi(q + 1);               /* value = d.ddd x 10^exp10 */
	int64_t keep = (int64_t)exp10 + 1 + d; /* digits kept */
	if (keep >= (int64_t)nd)
		return x;
	if (keep < 0)
		return 0.0;
	bool up = digits[keep] >= '5';
	char out[40];
	size_t k = (size_t)keep;
	memcpy(out + 1, digits, k);
	out[0] = '0';
	if (up) {
		size_t j = k;
		while (j > 0 && out[j] == '9')
			out[j--] = '0';
		out[j]++; /* j == 0 turns the leading '0' into '1' */
	}
	snprintf(out + k + 1, sizeof(out) - k - 1, "e%lld", (long long)(exp10 + 1 - keep));
	double r = strtod(out, NULL);
	return x < 0 ? -r : r;
}

static double round_double(double x, int64_t d)
{
	if (!isfinite(x))
		return x;
	if (d > 22 || d < -22)
		return d > 0 ? x : round_decimal(x, d);
	double p = pow10_tab[d < 0 ? -d : d];
	double ax = fabs(x), y = d >= 0 ? ax * p : ax / p;
	if (y >= 4503599627370496.0) /* 2^52: no digits below the scale */
		return x;
	double fl = floor(y), frac = y - fl;
	if (fabs(frac - 0.5) <= y * 4e-16 + 1e-12)
		return round_decimal(x, d);
	double r = frac < 0.5 ? fl : fl + 1;
	r = d >= 0 ? r / p : r * p;
	return x < 0 ? -r : r;
}

static int64_t round_long(int64_t x, int64_t d)
{
	if (d >= 0)
		return x;
	if (d < -18)
		return 0;
	int64_t p = 1;
	for (int64_t k = 0; k < -d; k++)
		p *= 10;
	int64_t q = x / p, r = x % p;
	if (r < 0 ? -r * 2 >= p : r * 2 >= p)
		q += x < 0 ? -1 : 1;
	return (int64_t)((uint64_t)q * (uint64_t)p);
}

int slx_f_round(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out)
{
	bool is_int = n->type->id == SL_TYPE_INT64;
	slx_fixout fo;
	int rc = slx_fixout_init(cx, &fo, 8);
	if (rc < 0)
		return rc;
	int64_t *ri = (int64_t *)fo.values->data;
	double *rd = (double *)fo.values->data;
	for (int64_t i = 0; i < cx->n; i++) {
		ri[i] = 0;
		if (slx_null(&args[0], i) || (n->n_args > 1 && slx_null(&args[1], i))) {
			slx_fixout_null(&fo, i);
			continue;
		}
		int64_t d = n->n_args > 1 ? slx_i64(&args[1], i) : 0;
		if (is_int)
			ri[i] = round_long(slx_i64(&args[0], i), d);
		else
			rd[i] = round_double(slx_f64(&args[0], i), d);
	}
	return slx_fixout_finish(cx, &fo, n->type, out);
}

/* ------------------------------------------------------------------- pmod */

int slx_f_pmod(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out)
{
	bool is_int = n->type->id == SL_TYPE_INT64;
	slx_fixout fo;
	int rc = slx_fixout_init(cx, &fo, 8);
	if (rc < 0)
		return rc;
	int64_t *ri = (int64_t *)fo.values->data;
	double *rd = (double *)fo.values->data;
	for (int64_t i = 0; i < cx->n; i++) {
		ri[i] = 0;
		if (slx_null(&args[0], i) || slx_null(&args[1], i)) {
			slx_fixout_null(&fo, i);
			continue;
		}
		if (is_int) {
			int64_t a = slx_i64(&args[0], i), b = slx_i64(&args[1], i);
			if (b == 0) {
				slx_fixout_null(&fo, i);
				continue;
			}
			int64_t r = b == -1 ? 0 : a % b;
			if (r < 0)
				r = b == -1 ? 0 : (int64_t)((uint64_t)r + (uint64_t)b) % b;
			ri[i] = r;
		} else {
			double a = slx_f64(&args[0], i), b = slx_f64(&args[1], i);
			if (b == 0) {
				slx_fixout_null(&fo, i);
				continue;
			}
			double r = fmod(a, b);
			if (r < 0)
				r = fmod(r + b, b);
			rd[i] = r;
		}
	}
	return slx_fixout_finish(cx, &fo, n->type, out);
}
