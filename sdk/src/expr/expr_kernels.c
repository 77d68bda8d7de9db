/* expr_kernels.c - arithmetic, comparison and logic over whole columns.
 *
 * Each operator has loops specialised for column-op-column and
 * column-op-scalar (scalar-op-column flips or mirrors), written so the
 * compiler can keep them branch-free.  Comparisons produce bitmaps 64 rows
 * at a time; validity is combined with word-wide ANDs.  Spark's non-ANSI
 * rules: integer overflow wraps, x / 0 and x % 0 are NULL, NaN equals NaN
 * and sorts above every other double.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>

#include "expr_internal.h"

/* ---------------------------------------------------------------- helpers */

static inline int64_t wadd(int64_t a, int64_t b)
{
	return (int64_t)((uint64_t)a + (uint64_t)b);
}
static inline int64_t wsub(int64_t a, int64_t b)
{
	return (int64_t)((uint64_t)a - (uint64_t)b);
}
static inline int64_t wmul(int64_t a, int64_t b)
{
	return (int64_t)((uint64_t)a * (uint64_t)b);
}
static inline int64_t safe_mod(int64_t a, int64_t b)
{
	return (b == 0 || b == -1) ? 0 : a % b;
}

/* A bitmap where bit i is EXPR (which may use i). */
#define BITS_LOOP(n, out, EXPR)                                                                    \
	do {                                                                                       \
		int64_t i0_ = 0;                                                                   \
		for (; i0_ + 64 <= (n); i0_ += 64) {                                               \
			uint64_t w_ = 0;                                                           \
			for (int j_ = 0; j_ < 64; j_++) {                                          \
				int64_t i = i0_ + j_;                                              \
				(void)i;                                                           \
				w_ |= (uint64_t)(EXPR) << j_;                                      \
			}                                                                          \
			memcpy((out) + i0_ / 8, &w_, 8);                                           \
		}                                                                                  \
		if (i0_ < (n)) {                                                                   \
			uint64_t w_ = 0;                                                           \
			for (int j_ = 0; i0_ + j_ < (n); j_++) {                                   \
				int64_t i = i0_ + j_;                                              \
				(void)i;                                                           \
				w_ |= (uint64_t)(EXPR) << j_;                                      \
			}                                                                          \
			memcpy((out) + i0_ / 8, &w_, 8);                                           \
		}                                                                                  \
	} while (0)

/* ------------------------------------------------------------- arithmetic */

#define ARITH_LOOPS(T, NAME, EXPR)                                                                 \
	static void NAME##_cc(const T *restrict a, const T *restrict b, T *restrict r, int64_t n)  \
	{                                                                                          \
		for (int64_t i = 0; i < n; i++) {                                                  \
			T x = a[i], y = b[i];                                                      \
			r[i] = (EXPR);                                                             \
		}                                                                                  \
	}                                                                                          \
	static void NAME##_cs(const T *restrict a, T y, T *restrict r, int64_t n)                  \
	{                                                                                          \
		for (int64_t i = 0; i < n; i++) {                                                  \
			T x = a[i];                                                                \
			r[i] = (EXPR);                                                             \
		}                                                                                  \
	}                                                                                          \
	static void NAME##_sc(T x, const T *restrict b, T *restrict r, int64_t n)                  \
	{                                                                                          \
		for (int64_t i = 0; i < n; i++) {                                                  \
			T y = b[i];                                                                \
			r[i] = (EXPR);                                                             \
		}                                                                                  \
	}

ARITH_LOOPS(int64_t, add_i64, wadd(x, y))
ARITH_LOOPS(int64_t, sub_i64, wsub(x, y))
ARITH_LOOPS(int64_t, mul_i64, wmul(x, y))
ARITH_LOOPS(int64_t, mod_i64, safe_mod(x, y))
ARITH_LOOPS(double, add_f64, x + y)
ARITH_LOOPS(double, sub_f64, x - y)
ARITH_LOOPS(double, mul_f64, x *y)
ARITH_LOOPS(double, div_f64, y == 0 ? 0.0 : x / y)
ARITH_LOOPS(double, mod_f64, y == 0 ? 0.0 : fmod(x, y))

/* x % d for a constant d: powers of two with masks, others with a
 * multiply by the magic reciprocal (Hacker's Delight, 10-1), since a
 * 64-bit hardware division costs tens of cycles. */
#ifdef __SIZEOF_INT128__
static void magic_s64(int64_t d, int64_t *M, int *s)
{
	const uint64_t two63 = UINT64_C(1) << 63;
	uint64_t ad = d < 0 ? 0 - (uint64_t)d : (uint64_t)d;
	uint64_t t = two63 + ((uint64_t)d >> 63);
	uint64_t anc = t - 1 - t % ad;
	int p = 63;
	uint64_t q1 = two63 / anc, r1 = two63 - q1 * anc;
	uint64_t q2 = two63 / ad, r2 = two63 - q2 * ad;
	uint64_t delta;
	do {
		p++;
		q1 *= 2;
		r1 *= 2;
		if (r1 >= anc) {
			q1++;
			r1 -= anc;
		}
		q2 *= 2;
		r2 *= 2;
		if (r2 >= ad) {
			q2++;
			r2 -= ad;
		}
		delta = ad - r2;
	} while (q1 < delta || (q1 == delta && r1 == 0));
	uint64_t m = q2 + 1;
	*M = (int64_t)(d < 0 ? 0 - m : m);
	*s = p - 64;
}
#endif

static void mod_i64_const(const int64_t *restrict a, int64_t d, int64_t *restrict r, int64_t n)
{
	if (d == 1 || d == -1) {
		memset(r, 0, (size_t)n * 8);
		return;
	}
	if (d == INT64_MIN) {
		for (int64_t i = 0; i < n; i++)
			r[i] = a[i] == INT64_MIN ? 0 : a[i];
		return;
	}
	int64_t ad = d < 0 ? -d : d;
	if ((ad & (ad - 1)) == 0) {
		int64_t m = ad - 1;
		for (int64_t i = 0; i < n; i++) {
			int64_t x = a[i], y = x & m;
			r[i] = (x < 0 && y != 0) ? y - ad : y;
		}
		return;
	}
#ifdef __SIZEOF_INT128__
	int64_t M;
	int s;
	magic_s64(d, &M, &s);
	int64_t corr = (d > 0 && M < 0) ? 1 : (d < 0 && M > 0) ? -1 : 0;
	for (int64_t i = 0; i < n; i++) {
		int64_t x = a[i];
		int64_t q = (int64_t)(((__int128)M * x) >> 64);
		q = wadd(q, wmul(corr, x));
		q >>= s;
		q += (int64_t)((uint64_t)q >> 63);
		r[i] = wsub(x, wmul(q, d));
	}
#else
	for (int64_t i = 0; i < n; i++)
		r[i] = a[i] % d;
#endif
}

/* Bitmap of rows where the divisor column is non-zero; NULL when all are. */
static int nonzero_mask(slx_ctx *cx, const slx_val *b, bool is_int, sl_buffer **mask)
{
	int64_t n = cx->n;
	*mask = NULL;
	bool any = false;
	if (is_int) {
		const int64_t *y = sl_array_i64(b->arr);
		for (int64_t i = 0; i < n; i++)
			any |= y[i] == 0;
	} else {
		const double *y = sl_array_f64(b->arr);
		for (int64_t i = 0; i < n; i++)
			any |= y[i] == 0;
	}
	if (!any)
		return 0;
	sl_buffer *m = slx_bitmap(cx, n);
	if (m == NULL)
		return slx_oom(cx);
	if (is_int) {
		const int64_t *y = sl_array_i64(b->arr);
		BITS_LOOP(n, m->data, y[i] != 0);
	} else {
		const double *y = sl_array_f64(b->arr);
		BITS_LOOP(n, m->data, y[i] != 0);
	}
	*mask = m;
	return 0;
}

int slx_k_arith(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out)
{
	slx_val *a = &args[0], *b = &args[1];
	int64_t rows = cx->n;
	int op = n->op;
	/* TIMESTAMP results (and TIMESTAMP - TIMESTAMP) are int64 arithmetic
	 * on microseconds. */
	bool is_int = n->type->id == SL_TYPE_INT64 || n->type->id == SL_TYPE_TIMESTAMP;
	if (slx_any_null_scalar(args, 2))
		return slx_out_nulls(cx, n, out);
	if (b->scalar && (op == SLX_DIV || op == SLX_MOD) && (is_int ? b->i == 0 : b->d == 0))
		return slx_out_nulls(cx, n, out);
	sl_buffer *valid = NULL, *mask = NULL;
	int64_t nulls = 0;
	int rc = slx_valid_and(cx, args, 2, &valid, &nulls);
	if (rc < 0)
		return rc;
	sl_buffer *vb = slx_buf(cx, (size_t)rows * 8);
	if (vb == NULL) {
		sl_buffer_unref(valid);
		return slx_oom(cx);
	}
	if (is_int) {
		int64_t *r = (int64_t *)vb->data;
		const int64_t *x = a->scalar ? NULL : sl_array_i64(a->arr);
		const int64_t *y = b->scalar ? NULL : sl_array_i64(b->arr);
#define DISPATCH_I(NAME)                                                                           \
	if (x && y)                                                                                \
		NAME##_cc(x, y, r, rows);                                                          \
	else if (x)                                                                                \
		NAME##_cs(x, b->i, r, rows);                                                       \
	else                                                                                       \
		NAME##_sc(a->i, y, r, rows);
		switch (op) {
		case SLX_ADD:
			DISPATCH_I(add_i64)
			break;
		case SLX_SUB:
			DISPATCH_I(sub_i64)
			break;
		case SLX_MUL:
			DISPATCH_I(mul_i64)
			break;
		default:
			if (x && !y)
				mod_i64_const(x, b->i, r, rows);
			else
				DISPATCH_I(mod_i64)
			break;
		}
#undef DISPATCH_I
	} else {
		double *r = (double *)vb->data;
		const double *x = a->scalar ? NULL : sl_array_f64(a->arr);
		const double *y = b->scalar ? NULL : sl_array_f64(b->arr);
#define DISPATCH_F(NAME)                                                                           \
	if (x && y)                                                                                \
		NAME##_cc(x, y, r, rows);                                                          \
	else if (x)                                                                                \
		NAME##_cs(x, b->d, r, rows);                                                       \
	else                                                                                       \
		NAME##_sc(a->d, y, r, rows);
		switch (op) {
		case SLX_ADD:
			DISPATCH_F(add_f64)
			break;
		case SLX_SUB:
			DISPATCH_F(sub_f64)
			break;
		case SLX_MUL:
			DISPATCH_F(mul_f64)
			break;
		case SLX_DIV:
			DISPATCH_F(div_f64)
			break;
		default:
			DISPATCH_F(mod_f64)
			break;
		}
#undef DISPATCH_F
	}
	if ((op == SLX_DIV || op == SLX_MOD) && !b->scalar) {
		if ((rc = nonzero_mask(cx, b, is_int, &mask)) < 0)
			goto fail;
	}
	if (mask != NULL) {
		slx_val tmp;
		rc = slx_out(cx, &tmp, n->type, nulls, valid, vb, NULL, 0, NULL);
		valid = vb = NULL;
		if (rc < 0)
			goto fail;
		rc = slx_with_mask(cx, tmp.arr, mask->data, out);
		sl_buffer_unref(mask);
		return rc;
	}
	return slx_out(cx, out, n->type, nulls, valid, vb, NULL, 0, NULL);
fail:
	sl_buffer_unref(valid);
	sl_buffer_unref(vb);
	sl_buffer_unref(mask);
	return rc;
}

int slx_k_neg(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out)
{
	slx_val *a = &args[0];
	int64_t rows = cx->n;
	sl_buffer *vb = slx_buf(cx, (size_t)rows * 8);
	if (vb == NULL)
		return slx_oom(cx);
	if (n->type->id == SL_TYPE_INT64) {
		const int64_t *x = sl_array_i64(a->arr);
		int64_t *r = (int64_t *)vb->data;
		for (int64_t i = 0; i < rows; i++)
			r[i] = wsub(0, x[i]);
	} else {
		const double *x = sl_array_f64(a->arr);
		double *r = (double *)vb->data;
		for (int64_t i = 0; i < rows; i++)
			r[i] = -x[i];
	}
	return slx_out(cx, out, n->type, a->arr->null_count, sl_buffer_ref(a->arr->validity), vb,
	               NULL, 0, NULL);
}

/* ------------------------------------------------------------- comparison */

static int flip_op(int op)
{
	switch (op) {
	case SLX_LT:
		return SLX_GT;
	case SLX_LE:
		return SLX_GE;
	case SLX_GT:
		return SLX_LT;
	case SLX_GE:
		return SLX_LE;
	default:
		return op;
	}
}

static void cmp_i64_cs(int op, const int64_t *restrict a, int64_t b, int64_t n, uint8_t *out)
{
	switch (op) {
	case SLX_EQ:
		BITS_LOOP(n, out, a[i] == b);
		break;
	case SLX_NE:
		BITS_LOOP(n, out, a[i] != b);
		break;
	case SLX_LT:
		BITS_LOOP(n, out, a[i] < b);
		break;
	case SLX_LE:
		BITS_LOOP(n, out, a[i] <= b);
		break;
	case SLX_GT:
		BITS_LOOP(n, out, a[i] > b);
		break;
	default:
		BITS_LOOP(n, out, a[i] >= b);
		break;
	}
}

static void cmp_i64_cc(int op, const int64_t *restrict a, const int64_t *restrict b, int64_t n,
                       uint8_t *out)
{
	switch (op) {
	case SLX_EQ:
		BITS_LOOP(n, out, a[i] == b[i]);
		break;
	case SLX_NE:
		BITS_LOOP(n, out, a[i] != b[i]);
		break;
	case SLX_LT:
		BITS_LOOP(n, out, a[i] < b[i]);
		break;
	case SLX_LE:
		BITS_LOOP(n, out, a[i] <= b[i]);
		break;
	case SLX_GT:
		BITS_LOOP(n, out, a[i] > b[i]);
		break;
	default:
		BITS_LOOP(n, out, a[i] >= b[i]);
		break;
	}
}

/* Doubles with Spark's NaN order: NaN = NaN, NaN above everything. */
#define F_EQ(x, y) (((x) == (y)) | (((x) != (x)) & ((y) != (y))))
#define F_LT(x, y) (((x) < (y)) | (((x) == (x)) & ((y) != (y))))

static void cmp_f64_cs(int op, const double *restrict a, double b, int64_t n, uint8_t *out)
{
	if (b == b) {
		/* A non-NaN constant: NaN rows are only greater. */
		switch (op) {
		case SLX_EQ:
			BITS_LOOP(n, out, a[i] == b);
			break;
		case SLX_NE:
			BITS_LOOP(n, out, !(a[i] == b));
			break;
		case SLX_LT:
			BITS_LOOP(n, out, a[i] < b);
			break;
		case SLX_LE:
			BITS_LOOP(n, out, a[i] <= b);
			break;
		case SLX_GT:
			BITS_LOOP(n, out, !(a[i] <= b));
			break;
		default:
			BITS_LOOP(n, out, !(a[i] < b));
			break;
		}
		return;
	}
	switch (op) {
	case SLX_EQ:
		BITS_LOOP(n, out, a[i] != a[i]);
		break;
	case SLX_NE:
		BITS_LOOP(n, out, a[i] == a[i]);
		break;
	case SLX_LT:
		BITS_LOOP(n, out, a[i] == a[i]);
		break;
	case SLX_LE:
		BITS_LOOP(n, out, 1);
		break;
	case SLX_GT:
		BITS_LOOP(n, out, 0);
		break;
	default:
		BITS_LOOP(n, out, a[i] != a[i]);
		break;
	}
}

static void cmp_f64_cc(int op, const double *restrict a, const double *restrict b, int64_t n,
                       uint8_t *out)
{
	switch (op) {
	case SLX_EQ:
		BITS_LOOP(n, out, F_EQ(a[i], b[i]));
		break;
	case SLX_NE:
		BITS_LOOP(n, out, !F_EQ(a[i], b[i]));
		break;
	case SLX_LT:
		BITS_LOOP(n, out, F_LT(a[i], b[i]));
		break;
	case SLX_LE:
		BITS_LOOP(n, out, F_LT(a[i], b[i]) | F_EQ(a[i], b[i]));
		break;
	case SLX_GT:
		BITS_LOOP(n, out, F_LT(b[i], a[i]));
		break;
	default:
		BITS_LOOP(n, out, F_LT(b[i], a[i]) | F_EQ(a[i], b[i]));
		break;
	}
}

static inline int str_cmp(sl_strview x, sl_strview y)
{
	size_t m = x.len < y.len ? x.len : y.len;
	int c = m ? memcmp(x.ptr, y.ptr, m) : 0;
	if (c != 0)
		return c < 0 ? -1 : 1;
	return x.len < y.len ? -1 : x.len > y.len ? 1 : 0;
}

static inline bool op_holds(int op, int c)
{
	switch (op) {
	case SLX_EQ:
		return c == 0;
	case SLX_NE:
		return c != 0;
	case SLX_LT:
		return c < 0;
	case SLX_LE:
		return c <= 0;
	case SLX_GT:
		return c > 0;
	default:
		return c >= 0;
	}
}

static void cmp_str(int op, const slx_val *a, const slx_val *b, int64_t n, uint8_t *out)
{
	const int32_t *ao = sl_array_offsets(a->arr);
	const char *ad = slx_bytes(a->arr);
	if (b->scalar) {
		sl_strview y = b->s;
		if (op == SLX_EQ || op == SLX_NE) {
			bool want = op == SLX_EQ;
			BITS_LOOP(n, out,
			          ((size_t)(ao[i + 1] - ao[i]) == y.len &&
			           (y.len == 0 || memcmp(ad + ao[i], y.ptr, y.len) == 0)) == want);
			return;
		}
		BITS_LOOP(
		    n, out,
		    op_holds(op,
		             str_cmp((sl_strview){ad + ao[i], (size_t)(ao[i + 1] - ao[i])}, y)));
		return;
	}
	const int32_t *bo = sl_array_offsets(b->arr);
	const char *bd = slx_bytes(b->arr);
	BITS_LOOP(n, out,
	          op_holds(op, str_cmp((sl_strview){ad + ao[i], (size_t)(ao[i + 1] - ao[i])},
	                               (sl_strview){bd + bo[i], (size_t)(bo[i + 1] - bo[i])})));
}

static void cmp_bool(int op, const slx_val *a, const slx_val *b, int64_t n, uint8_t *out)
{
	int64_t nw = (n + 63) / 64;
	for (int64_t w = 0; w < nw; w++) {
		uint64_t x = slx_bm_word(a->arr->values->data, w, n);
		uint64_t y =
		    b->scalar ? (b->b ? ~UINT64_C(0) : 0) : slx_bm_word(b->arr->values->data, w, n);
		uint64_t r;
		switch (op) {
		case SLX_EQ:
			r = ~(x ^ y);
			break;
		case SLX_NE:
			r = x ^ y;
			break;
		case SLX_LT:
			r = ~x & y;
			break;
		case SLX_LE:
			r = ~x | y;
			break;
		case SLX_GT:
			r = x & ~y;
			break;
		default:
			r = x | ~y;
			break;
		}
		slx_bm_store(out, w, r);
	}
}

int slx_compare(slx_ctx *cx, int op, const slx_val *a, const slx_val *b, slx_val *out)
{
	int64_t n = cx->n;
	if (a->scalar && !b->scalar) {
		const slx_val *t = a;
		a = b;
		b = t;
		op = flip_op(op);
	}
	sl_type_id id = a->arr->type->id;
	if ((a->scalar && a->null) || (b->scalar && b->null) || id == SL_TYPE_NULL)
		return slx_out_array(cx, out, slx_make_nulls(sl_type_bool(), n));
	if (a->scalar) {
		/* Both constant (inside IN, BETWEEN, CASE): one answer. */
		slx_val r = {.arr = NULL, .scalar = true};
		sl_array *col = NULL;
		r.b = op_holds(op, slx_cmp_rows(a->arr->type, a, 0, b, 0));
		uint8_t bit = r.b;
		sl_buffer *one = sl_buffer_copy(&bit, 1);
		r.arr = one ? sl_array_new(sl_type_bool(), 1, 0, NULL, one, NULL, 0, NULL) : NULL;
		if (r.arr == NULL)
			return slx_oom(cx);
		int rc = slx_broadcast(cx, &r, n, &col);
		sl_array_unref(r.arr);
		return rc < 0 ? rc : slx_out_array(cx, out, col);
	}
	slx_val pair[2] = {*a, *b};
	sl_buffer *valid = NULL;
	int64_t nulls = 0;
	int rc = slx_valid_and(cx, pair, 2, &valid, &nulls);
	if (rc < 0)
		return rc;
	sl_buffer *vb = slx_bitmap(cx, n);
	if (vb == NULL) {
		sl_buffer_unref(valid);
		return slx_oom(cx);
	}
	uint8_t *bits = vb->data;
	switch (id) {
	case SL_TYPE_INT64:
	case SL_TYPE_TIMESTAMP:
		if (b->scalar)
			cmp_i64_cs(op, sl_array_i64(a->arr), b->i, n, bits);
		else
			cmp_i64_cc(op, sl_array_i64(a->arr), sl_array_i64(b->arr), n, bits);
		break;
	case SL_TYPE_DOUBLE:
		if (b->scalar)
			cmp_f64_cs(op, sl_array_f64(a->arr), b->d, n, bits);
		else
			cmp_f64_cc(op, sl_array_f64(a->arr), sl_array_f64(b->arr), n, bits);
		break;
	case SL_TYPE_STRING:
	case SL_TYPE_BINARY:
		cmp_str(op, a, b, n, bits);
		break;
	case SL_TYPE_BOOL:
		cmp_bool(op, a, b, n, bits);
		break;
	default:
		sl_buffer_unref(valid);
		sl_buffer_unref(vb);
		return sl_error_set(cx->err, SL_ETYPE, "cannot compare values of this type");
	}
	slx_bm_clear_tail(bits, n);
	return slx_out(cx, out, sl_type_bool(), nulls, valid, vb, NULL, 0, NULL);
}

int slx_k_cmp(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out)
{
	return slx_compare(cx, n->op, &args[0], &args[1], out);
}

int slx_cmp_rows(const sl_type *t, const slx_val *a, int64_t i, const slx_val *b, int64_t j)
{
	switch (t->id) {
	case SL_TYPE_INT64:
	case SL_TYPE_TIMESTAMP: {
		int64_t x = slx_i64(a, i), y = slx_i64(b, j);
		return x < y ? -1 : x > y;
	}
	case SL_TYPE_DOUBLE: {
		double x = slx_f64(a, i), y = slx_f64(b, j);
		if (F_EQ(x, y))
			return 0;
		return F_LT(x, y) ? -1 : 1;
	}
	case SL_TYPE_BOOL:
		return (int)slx_bool(a, i) - (int)slx_bool(b, j);
	case SL_TYPE_STRING:
	case SL_TYPE_BINARY:
		return str_cmp(slx_str(a, i), slx_str(b, j));
	default:
		return 0;
	}
}

/* ------------------------------------------------------------------ logic */

/* Value bits and validity bits of word w of a bool value. */
static inline void bool_word(const slx_val *v, int64_t w, int64_t n, uint64_t *val, uint64_t *valid)
{
	if (v->scalar) {
		*valid = v->null ? 0 : ~UINT64_C(0);
		*val = v->b ? ~UINT64_C(0) : 0;
		return;
	}
	*val = slx_bm_word(v->arr->values->data, w, n);
	*valid = v->arr->validity ? slx_bm_word(v->arr->validity->data, w, n) : ~UINT64_C(0);
}

int slx_logic(slx_ctx *cx, bool is_and, const slx_val *a, const slx_val *b, slx_val *out)
{
	int64_t n = cx->n, nw = (n + 63) / 64, ones = 0;
	sl_buffer *vb = slx_bitmap(cx, n), *valid = slx_bitmap(cx, n);
	if (vb == NULL || valid == NULL) {
		sl_buffer_unref(vb);
		sl_buffer_unref(valid);
		return slx_oom(cx);
	}
	for (int64_t w = 0; w < nw; w++) {
		uint64_t x, xk, y, yk, r, rk;
		bool_word(a, w, n, &x, &xk);
		bool_word(b, w, n, &y, &yk);
		if (is_and) {
			uint64_t xf = xk & ~x, yf = yk & ~y;
			rk = (xk & yk) | xf | yf;
			r = x & xk & y & yk;
		} else {
			uint64_t xt = xk & x, yt = yk & y;
			rk = (xk & yk) | xt | yt;
			r = xt | yt;
		}
		if (w == nw - 1 && (n & 63)) {
			uint64_t m = (UINT64_C(1) << (n & 63)) - 1;
			rk &= m;
			r &= m;
		}
		ones += __builtin_popcountll(rk);
		slx_bm_store(vb->data, w, r);
		slx_bm_store(valid->data, w, rk);
	}
	return slx_out(cx, out, sl_type_bool(), n - ones, valid, vb, NULL, 0, NULL);
}

int slx_negate(slx_ctx *cx, const slx_val *a, slx_val *out)
{
	int64_t n = cx->n, nw = (n + 63) / 64;
	if (a->scalar) {
		slx_val t = *a;
		t.b = !a->b;
		sl_array *r = NULL;
		int rc = slx_broadcast(cx, &t, n, &r);
		return rc < 0 ? rc : slx_out_array(cx, out, r);
	}
	sl_buffer *vb = slx_bitmap(cx, n);
	if (vb == NULL)
		return slx_oom(cx);
	for (int64_t w = 0; w < nw; w++)
		slx_bm_store(vb->data, w, ~slx_bm_word(a->arr->values->data, w, n));
	slx_bm_clear_tail(vb->data, n);
	return slx_out(cx, out, sl_type_bool(), a->arr->null_count, sl_buffer_ref(a->arr->validity),
	               vb, NULL, 0, NULL);
}

int slx_k_and(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out)
{
	return slx_logic(cx, true, &args[0], &args[1], out);
}

int slx_k_or(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out)
{
	return slx_logic(cx, false, &args[0], &args[1], out);
}

int slx_k_not(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out)
{
	return slx_negate(cx, &args[0], out);
}

int slx_k_isnull(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out)
{
	int64_t rows = cx->n, nw = (rows + 63) / 64;
	const sl_array *a = args[0].arr;
	sl_buffer *vb = slx_bitmap(cx, rows);
	if (vb == NULL)
		return slx_oom(cx);
	for (int64_t w = 0; w < nw; w++) {
		uint64_t v = a->validity ? slx_bm_word(a->validity->data, w, rows) : ~UINT64_C(0);
		slx_bm_store(vb->data, w, n->negated ? v : ~v);
	}
	slx_bm_clear_tail(vb->data, rows);
	return slx_out(cx, out, sl_type_bool(), 0, NULL, vb, NULL, 0, NULL);
}

/* x IN (constants): one pass over x for the common case. */
static int in_const(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out, bool *done)
{
	const slx_val *x = &args[0];
	int64_t rows = cx->n;
	size_t k = n->n_args - 1;
	sl_type_id id = x->arr->type->id;
	*done = false;
	if (x->scalar || k > 64 ||
	    (id != SL_TYPE_INT64 && id != SL_TYPE_TIMESTAMP && id != SL_TYPE_STRING))
		return 0;
	for (size_t j = 1; j <= k; j++)
		if (!args[j].scalar || args[j].null)
			return 0;
	sl_buffer *vb = slx_bitmap(cx, rows);
	if (vb == NULL)
		return slx_oom(cx);
	bool neg = n->negated;
	if (id == SL_TYPE_STRING) {
		const int32_t *o = sl_array_offsets(x->arr);
		const char *d = slx_bytes(x->arr);
		BITS_LOOP(rows, vb->data, ({
			          bool f_ = false;
			          size_t l_ = (size_t)(o[i + 1] - o[i]);
			          for (size_t j = 1; j <= k && !f_; j++)
				          f_ =
				              args[j].s.len == l_ &&
				              (l_ == 0 || memcmp(args[j].s.ptr, d + o[i], l_) == 0);
			          f_ != neg;
		          }));
	} else {
		int64_t c[64];
		for (size_t j = 0; j < k; j++)
			c[j] = args[j + 1].i;
		const int64_t *v = sl_array_i64(x->arr);
		BITS_LOOP(rows, vb->data, ({
			          bool f_ = false;
			          for (size_t j = 0; j < k; j++)
				          f_ |= v[i] == c[j];
			          f_ != neg;
		          }));
	}
	slx_bm_clear_tail(vb->data, rows);
	*done = true;
	return slx_out(cx, out, sl_type_bool(), x->arr->null_count, sl_buffer_ref(x->arr->validity),
	               vb, NULL, 0, NULL);
}

int slx_k_in(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out)
{
	bool done;
	int rc = in_const(cx, n, args, out, &done);
	if (rc < 0 || done)
		return rc;
	slx_val acc = {0}, t = {0}, r = {0};
	for (size_t j = 1; j < n->n_args; j++) {
		if ((rc = slx_compare(cx, SLX_EQ, &args[0], &args[j], &t)) < 0)
			goto fail;
		if (j == 1) {
			acc = t;
			t.arr = NULL;
			continue;
		}
		rc = slx_logic(cx, false, &acc, &t, &r);
		slx_val_drop(cx, &t);
		slx_val_drop(cx, &acc);
		if (rc < 0)
			goto fail;
		acc = r;
		r.arr = NULL;
	}
	if (!n->negated) {
		*out = acc;
		return 0;
	}
	rc = slx_negate(cx, &acc, out);
fail:
	slx_val_drop(cx, &acc);
	slx_val_drop(cx, &t);
	return rc;
}

int slx_k_between(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out)
{
	slx_val ge = {0}, le = {0}, r = {0};
	int rc = slx_compare(cx, SLX_GE, &args[0], &args[1], &ge);
	if (rc == 0)
		rc = slx_compare(cx, SLX_LE, &args[0], &args[2], &le);
	if (rc == 0)
		rc = slx_logic(cx, true, &ge, &le, &r);
	slx_val_drop(cx, &ge);
	slx_val_drop(cx, &le);
	if (rc < 0)
		return rc;
	if (!n->negated) {
		*out = r;
		return 0;
	}
	rc = slx_negate(cx, &r, out);
	slx_val_drop(cx, &r);
	return rc;
}
