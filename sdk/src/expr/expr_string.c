/* expr_string.c - string functions: case, trim, length, concat, substring,
 * replace, padding, search.
 *
 * Positions and lengths count characters (UTF-8 aware) as Spark does.  Case
 * mapping covers ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic with
 * mappings that keep the byte length (so upper() and lower() share the
 * input's offsets); characters outside those blocks are kept as they are
 * (Java's ß -> SS is not done).
 */
#include "config.h"

#include <stdlib.h>

#include "expr_funcs.h"

/* Longest string a function may build from one row (lpad, repeat). */
#define MAX_BUILT (16 << 20)

static int strout_error(slx_ctx *cx, slx_strout *so, int rc)
{
	slx_strout_free(so);
	if (rc == SL_EINVAL)
		return sl_error_set(cx->err, SL_EINVAL, "string column larger than 2 GiB");
	if (rc < 0 && cx->err != NULL && cx->err->code == rc)
		return rc;
	return slx_oom(cx);
}

static inline bool null_at(const slx_val *args, size_t k, int64_t i)
{
	for (size_t j = 0; j < k; j++)
		if (slx_null(&args[j], i))
			return true;
	return false;
}

static int finish_str(slx_ctx *cx, slx_strout *so, slx_val *out)
{
	return slx_out_array(cx, out, slx_strout_finish(so, sl_type_string()));
}

/* ------------------------------------------------------------ case mapping */

static uint32_t cp_upper(uint32_t c)
{
	if (c >= 0xE0 && c <= 0xFE && c != 0xF7)
		return c - 0x20;
	if (c == 0xFF)
		return 0x178;
	if (c == 0xB5)
		return 0x39C;
	if (c >= 0x100 && c <= 0x17E) {
		if ((c <= 0x137 || (c >= 0x14A && c <= 0x177)) && (c & 1) && c != 0x131)
			return c - 1;
		if (((c >= 0x139 && c <= 0x148) || c >= 0x179) && !(c & 1))
			return c - 1;
		return c;
	}
	if (c >= 0x3B1 && c <= 0x3CB)
		return c == 0x3C2 ? 0x3A3 : c - 0x20;
	if (c == 0x3AC)
		return 0x386;
	if (c >= 0x3AD && c <= 0x3AF)
		return c - 0x25;
	if (c == 0x3CC)
		return 0x38C;
	if (c == 0x3CD || c == 0x3CE)
		return c - 0x3F;
	if (c >= 0x430 && c <= 0x44F)
		return c - 0x20;
	if (c >= 0x450 && c <= 0x45F)
		return c - 0x50;
	return c;
}

static uint32_t cp_lower(uint32_t c)
{
	if (c >= 0xC0 && c <= 0xDE && c != 0xD7)
		return c + 0x20;
	if (c == 0x178)
		return 0xFF;
	if (c >= 0x100 && c <= 0x17E) {
		if ((c <= 0x137 || (c >= 0x14A && c <= 0x177)) && !(c & 1) && c != 0x130)
			return c + 1;
		if (((c >= 0x139 && c <= 0x148) || c >= 0x179) && (c & 1))
			return c + 1;
		return c;
	}
	if ((c >= 0x391 && c <= 0x3A1) || (c >= 0x3A3 && c <= 0x3AB))
		return c + 0x20;
	if (c == 0x386)
		return 0x3AC;
	if (c >= 0x388 && c <= 0x38A)
		return c + 0x25;
	if (c == 0x38C)
		return 0x3CC;
	if (c == 0x38E || c == 0x38F)
		return c + 0x3F;
	if (c >= 0x410 && c <= 0x42F)
		return c + 0x20;
	if (c >= 0x400 && c <= 0x40F)
		return c + 0x50;
	return c;
}

/* A letter of the blocks mapped here (for Greek's final sigma). */
static bool is_letter(uint32_t c)
{
	return (c < 0x80 && ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')) ||
	       (c >= 0xC0 && c <= 0x24F && c != 0xD7 && c != 0xF7) || (c >= 0x370 && c <= 0x4FF);
}

/* The code point of the two-byte character at p (len >= 2), or of p[0]. */
static uint32_t cp_at(const unsigned char *p, size_t len)
{
	if (len >= 2 && p[0] >= 0xC2 && p[0] < 0xE0 && (p[1] & 0xC0) == 0x80)
		return ((uint32_t)(p[0] & 0x1F) << 6) | (p[1] & 0x3F);
	return p[0];
}

/* Maps the two-byte characters of one string p[0..len) in place. */
static void map_2byte(unsigned char *p, size_t len, bool up)
{
	uint32_t prev = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = p[i];
		if (c < 0xC2 || c > 0xD1 || i + 1 >= len || (p[i + 1] & 0xC0) != 0x80) {
			prev = c;
			continue;
		}
		uint32_t cp = ((uint32_t)(c & 0x1F) << 6) | (p[i + 1] & 0x3F);
		uint32_t m = up ? cp_upper(cp) : cp_lower(cp);
		/* Java: a capital sigma ending a word becomes the final sigma. */
		if (!up && cp == 0x3A3 && is_letter(prev) &&
		    (i + 2 >= len || !is_letter(cp_at(p + i + 2, len - i - 2))))
			m = 0x3C2;
		if (m != cp && m >= 0x80 && m < 0x800) {
			p[i] = (unsigned char)(0xC0 | (m >> 6));
			p[i + 1] = (unsigned char)(0x80 | (m & 0x3F));
		}
		prev = cp;
		i++;
	}
}

static int case_map(slx_ctx *cx, slx_val *args, slx_val *out, bool up)
{
	const sl_array *a = args[0].arr;
	int64_t n = cx->n;
	const int32_t *o = sl_array_offsets(a);
	size_t hi = (size_t)o[n];
	const unsigned char *src = (const unsigned char *)slx_bytes(a);
	sl_buffer *db = slx_buf(cx, hi);
	if (db == NULL)
		return slx_oom(cx);
	unsigned char *dst = db->data;
	unsigned char lo_c = up ? 'a' : 'A';
	unsigned char high = 0;
	for (size_t i = 0; i < hi; i++) {
		unsigned char c = src[i];
		high |= c;
		dst[i] = c ^ (unsigned char)(((unsigned char)(c - lo_c) < 26) << 5);
	}
	if (high & 0x80) {
		for (int64_t i = 0; i < n; i++)
			map_2byte(dst + o[i], (size_t)(o[i + 1] - o[i]), up);
	}
	/* Same offsets and validity as the input: share them. */
	return slx_out(cx, out, sl_type_string(), a->null_count, sl_buffer_ref(a->validity),
	               sl_buffer_ref(a->values), db, 0, NULL);
}

int slx_f_upper(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out)
{
	return case_map(cx, args, out, true);
}

int slx_f_lower(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out)
{
	return case_map(cx, args, out, false);
}

static uint32_t decode(const unsigned char *p, size_t len, size_t *used)
{
	unsigned char c = p[0];
	size_t l = slu_utf8_clen(c);
	if (l == 1 || l > len) {
		*used = 1;
		return c;
	}
	uint32_t cp = c & (0x7F >> l);
	for (size_t k = 1; k < l; k++) {
		if ((p[k] & 0xC0) != 0x80) {
			*used = 1;
			return c;
		}
		cp = (cp << 6) | (p[k] & 0x3F);
	}
	*used = l;
	return cp;
}

int slx_f_initcap(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out)
{
	/* Lower everything, then raise the first letter of each word. */
	int rc = case_map(cx, args, out, false);
	if (rc < 0)
		return rc;
	sl_array *a = out->arr;
	const int32_t *o = sl_array_offsets(a);
	unsigned char *d = a->data->data;
	for (int64_t i = 0; i < cx->n; i++) {
		bool start = true;
		for (int32_t k = o[i]; k < o[i + 1];) {
			size_t used;
			uint32_t cp = decode(d + k, (size_t)(o[i + 1] - k), &used);
			if (cp == ' ') {
				start = true;
			} else if (start) {
				if (cp < 0x80) {
					if (cp >= 'a' && cp <= 'z')
						d[k] = (unsigned char)(cp - 32);
				} else if (used == 2) {
					uint32_t m = cp_upper(cp);
					if (m >= 0x80 && m < 0x800) {
						d[k] = (unsigned char)(0xC0 | (m >> 6));
						d[k + 1] = (unsigned char)(0x80 | (m & 0x3F));
					}
				}
				start = false;
			}
			k += (int32_t)used;
		}
	}
	return 0;
}

/* ------------------------------------------------------------------- trim */

/* Is the character at p one of set (UTF-8 characters)? */
static bool in_set(const char *p, size_t clen, sl_strview set)
{
	for (size_t k = 0; k < set.len;) {
		size_t l = slu_utf8_clen((unsigned char)set.ptr[k]);
		if (l > set.len - k)
			l = set.len - k;
		if (l == clen && memcmp(set.ptr + k, p, clen) == 0)
			return true;
		k += l;
	}
	return false;
}

static size_t prev_char(const char *p, size_t end)
{
	size_t i = end - 1;
	while (i > 0 && ((unsigned char)p[i] & 0xC0) == 0x80 && end - i < 4)
		i--;
	return i;
}

int slx_f_trim(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out)
{
	const char *name = n->fn->name;
	bool left = name[0] != 'r', right = name[0] != 'l';
	int64_t rows = cx->n;
	slx_strout so;
	int rc = slx_strout_init(cx, &so, rows, args[0].arr->data ? args[0].arr->data->len : 0);
	if (rc < 0)
		return rc;
	for (int64_t i = 0; i < rows && rc == 0; i++) {
		if (null_at(args, n->n_args, i)) {
			rc = slx_strout_null(&so);
			continue;
		}
		sl_strview s = slx_str(&args[0], i);
		size_t b = 0, e = s.len;
		if (n->n_args == 1) {
			if (left)
				while (b < e && s.ptr[b] == ' ')
					b++;
			if (right)
				while (e > b && s.ptr[e - 1] == ' ')
					e--;
		} else {
			sl_strview set = slx_str(&args[1], i);
			while (left && b < e) {
				size_t l = slu_utf8_clen((unsigned char)s.ptr[b]);
				if (l > e - b)
					l = e - b;
				if (!in_set(s.ptr + b, l, set))
					break;
				b += l;
			}
			while (right && e > b) {
				size_t p = prev_char(s.ptr, e);
				if (p < b)
					p = b;
				if (!in_set(s.ptr + p, e - p, set))
					break;
				e = p;
			}
		}
		rc = slx_strout_append(&so, s.ptr + b, e - b);
	}
	if (rc < 0)
		return strout_error(cx, &so, rc);
	return finish_str(cx, &so, out);
}

/* ----------------------------------------------------------------- length */

int slx_f_length(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out)
{
	const sl_array *a = args[0].arr;
	sl_buffer *vb = slx_buf(cx, (size_t)cx->n * 8);
	if (vb == NULL)
		return slx_oom(cx);
	int64_t *r = (int64_t *)vb->data;
	const int32_t *o = sl_array_offsets(a);
	const char *d = slx_bytes(a);
	for (int64_t i = 0; i < cx->n; i++)
		r[i] = slu_utf8_count(d + o[i], (size_t)(o[i + 1] - o[i]));
	return slx_out(cx, out, sl_type_int64(), a->null_count, sl_buffer_ref(a->validity), vb,
	               NULL, 0, NULL);
}

/* ----------------------------------------------------------------- concat */

int slx_f_concat(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out)
{
	int64_t rows = cx->n;
	size_t k = n->n_args, bytes = 0;
	for (size_t j = 0; j < k; j++) {
		if (args[j].scalar)
			bytes += args[j].s.len * (size_t)rows;
		else if (args[j].arr->data)
			bytes += args[j].arr->data->len;
	}
	slx_strout so;
	int rc = slx_strout_init(cx, &so, rows, bytes);
	if (rc < 0)
		return rc;
	for (int64_t i = 0; i < rows && rc == 0; i++) {
		if (null_at(args, k, i)) {
			rc = slx_strout_null(&so);
			continue;
		}
		size_t len = 0;
		for (size_t j = 0; j < k; j++)
			len += slx_str(&args[j], i).len;
		char *w = slx_strout_reserve(&so, len);
		if (w == NULL) {
			rc = len > (size_t)INT32_MAX ? SL_EINVAL : SL_ENOMEM;
			break;
		}
		for (size_t j = 0; j < k; j++) {
			sl_strview s = slx_str(&args[j], i);
			if (s.len)
				memcpy(w, s.ptr, s.len);
			w += s.len;
		}
		rc = slx_strout_commit(&so, len);
	}
	if (rc < 0)
		return strout_error(cx, &so, rc);
	return finish_str(cx, &so, out);
}

int slx_f_concat_ws(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out)
{
	int64_t rows = cx->n;
	size_t k = n->n_args;
	slx_strout so;
	int rc = slx_strout_init(cx, &so, rows, 0);
	if (rc < 0)
		return rc;
	for (int64_t i = 0; i < rows && rc == 0; i++) {
		if (slx_null(&args[0], i)) {
			rc = slx_strout_null(&so);
			continue;
		}
		sl_strview sep = slx_str(&args[0], i);
		size_t len = 0;
		bool first = true;
		/* Two passes over the parts: measure, then copy. */
		for (int pass = 0; pass < 2 && rc == 0; pass++) {
			char *w = NULL;
			if (pass == 1 && (w = slx_strout_reserve(&so, len)) == NULL) {
				rc = len > (size_t)INT32_MAX ? SL_EINVAL : SL_ENOMEM;
				break;
			}
			first = true;
			for (size_t j = 1; j < k; j++) {
				const slx_val *v = &args[j];
				if (slx_null(v, i))
					continue;
				const sl_array *el = NULL;
				int32_t from = 0, to = 1;
				if (v->arr->type->id == SL_TYPE_LIST) {
					const int32_t *lo = sl_array_offsets(v->arr);
					int64_t r = slx_row(v, i);
					el = v->arr->children[0];
					from = lo[r];
					to = lo[r + 1];
				}
				for (int32_t e = from; e < to; e++) {
					sl_strview s;
					if (el != NULL) {
						if (sl_array_is_null(el, e))
							continue;
						s = slx_arr_str(el, e);
					} else {
						s = slx_str(v, i);
					}
					if (pass == 0) {
						len += s.len + (first ? 0 : sep.len);
					} else {
						if (!first && sep.len) {
							memcpy(w, sep.ptr, sep.len);
							w += sep.len;
						}
						if (s.len)
							memcpy(w, s.ptr, s.len);
						w += s.len;
					}
					first = false;
				}
			}
		}
		if (rc == 0)
			rc = slx_strout_commit(&so, len);
	}
	if (rc < 0)
		return strout_error(cx, &so, rc);
	return finish_str(cx, &so, out);
}

/* -------------------------------------------------------------- substring */

/* Spark's substringSQL: 1-based pos, 0 means 1, negative counts from the
 * end; the result is clamped to the string. */
static sl_strview substr_sql(sl_strview s, int64_t pos, int64_t len)
{
	sl_strview r = {s.ptr, 0};
	int64_t start;
	if (pos > 0) {
		start = pos - 1;
	} else if (pos < 0) {
		start = slu_utf8_count(s.ptr, s.len) + pos;
	} else {
		start = 0;
	}
	int64_t end;
	if (__builtin_add_overflow(start, len, &end))
		end = len > 0 ? INT64_MAX : INT64_MIN; /* Spark clamps */
	if (start < 0)
		start = 0;
	if (start >= end)
		return r;
	size_t b = slu_utf8_offset(s.ptr, s.len, start);
	size_t e = b + slu_utf8_offset(s.ptr + b, s.len - b, end - start);
	r.ptr = s.ptr + b;
	r.len = e - b;
	return r;
}

static int substr_common(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out, int mode)
{
	int64_t rows = cx->n;
	slx_strout so;
	int rc = slx_strout_init(cx, &so, rows, args[0].arr->data ? args[0].arr->data->len : 0);
	if (rc < 0)
		return rc;
	for (int64_t i = 0; i < rows && rc == 0; i++) {
		if (null_at(args, n->n_args, i)) {
			rc = slx_strout_null(&so);
			continue;
		}
		sl_strview s = slx_str(&args[0], i), r;
		if (mode == 0) {
			int64_t len = n->n_args > 2 ? slx_i64(&args[2], i) : INT64_MAX;
			r = substr_sql(s, slx_i64(&args[1], i), len);
		} else {
			int64_t len = slx_i64(&args[1], i);
			if (len <= 0)
				r = (sl_strview){s.ptr, 0};
			else if (mode == 1)
				r = substr_sql(s, 1, len);
			else
				r = substr_sql(s, len == INT64_MIN ? 0 : -len, len);
		}
		rc = slx_strout_append(&so, r.ptr, r.len);
	}
	if (rc < 0)
		return strout_error(cx, &so, rc);
	return finish_str(cx, &so, out);
}

int slx_f_substring(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out)
{
	return substr_common(cx, n, args, out, 0);
}

int slx_f_left(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out)
{
	return substr_common(cx, n, args, out, 1);
}

int slx_f_right(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out)
{
	return substr_common(cx, n, args, out, 2);
}

/* ---------------------------------------------------------------- replace */

static const char *find(const char *h, size_t hl, const char *nd, size_t nl)
{
	if (nl == 0)
		return h;
	if (nl > hl)
		return NULL;
	return memmem(h, hl, nd, nl);
}

int slx_f_replace(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out)
{
	int64_t rows = cx->n;
	slx_strout so;
	int rc = slx_strout_init(cx, &so, rows, args[0].arr->data ? args[0].arr->data->len : 0);
	if (rc < 0)
		return rc;
	for (int64_t i = 0; i < rows && rc == 0; i++) {
		if (null_at(args, n->n_args, i)) {
			rc = slx_strout_null(&so);
			continue;
		}
		sl_strview s = slx_str(&args[0], i), f = slx_str(&args[1], i);
		sl_strview w = n->n_args > 2 ? slx_str(&args[2], i) : (sl_strview){"", 0};
		if (f.len == 0) {
			rc = slx_strout_append(&so, s.ptr, s.len);
			continue;
		}
		/* Count the matches to size the row, then write it. */
		size_t count = 0;
		for (const char *p = s.ptr, *q;
		     (q = find(p, s.len - (size_t)(p - s.ptr), f.ptr, f.len)) != NULL;
		     p = q + f.len)
			count++;
		size_t len = s.len + count * w.len - count * f.len;
		if (count > 0 && w.len > f.len && (len - s.len) / count != w.len - f.len) {
			rc = SL_EINVAL;
			break;
		}
		char *d = slx_strout_reserve(&so, len);
		if (d == NULL) {
			rc = len > (size_t)INT32_MAX ? SL_EINVAL : SL_ENOMEM;
			break;
		}
		const char *p = s.ptr, *end = s.ptr + s.len, *q;
		while ((q = find(p, (size_t)(end - p), f.ptr, f.len)) != NULL) {
			memcpy(d, p, (size_t)(q - p));
			d += q - p;
			if (w.len)
				memcpy(d, w.ptr, w.len);
			d += w.len;
			p = q + f.len;
		}
		memcpy(d, p, (size_t)(end - p));
		rc = slx_strout_commit(&so, len);
	}
	if (rc < 0)
		return strout_error(cx, &so, rc);
	return finish_str(cx, &so, out);
}

/* ----------------------------------------------------------------- search */

int slx_f_instr(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out)
{
	slx_fixout fo;
	int rc = slx_fixout_init(cx, &fo, 8);
	if (rc < 0)
		return rc;
	int64_t *r = (int64_t *)fo.values->data;
	for (int64_t i = 0; i < cx->n; i++) {
		r[i] = 0;
		if (null_at(args, 2, i)) {
			slx_fixout_null(&fo, i);
			continue;
		}
		sl_strview s = slx_str(&args[0], i), f = slx_str(&args[1], i);
		const char *q = find(s.ptr, s.len, f.ptr, f.len);
		if (q != NULL)
			r[i] = slu_utf8_count(s.ptr, (size_t)(q - s.ptr)) + 1;
	}
	return slx_fixout_finish(cx, &fo, sl_type_int64(), out);
}

int slx_f_locate(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out)
{
	slx_fixout fo;
	int rc = slx_fixout_init(cx, &fo, 8);
	if (rc < 0)
		return rc;
	int64_t *r = (int64_t *)fo.values->data;
	for (int64_t i = 0; i < cx->n; i++) {
		r[i] = 0;
		if (null_at(args, 2, i)) {
			slx_fixout_null(&fo, i);
			continue;
		}
		int64_t pos = 1;
		if (n->n_args > 2) {
			if (slx_null(&args[2], i))
				continue; /* Spark: 0 */
			pos = slx_i64(&args[2], i);
		}
		if (pos < 1)
			continue;
		sl_strview f = slx_str(&args[0], i), s = slx_str(&args[1], i);
		size_t b = slu_utf8_offset(s.ptr, s.len, pos - 1);
		if (b == s.len && slu_utf8_count(s.ptr, s.len) < pos - 1)
			continue;
		const char *q = find(s.ptr + b, s.len - b, f.ptr, f.len);
		if (q != NULL)
			r[i] = slu_utf8_count(s.ptr, (size_t)(q - s.ptr)) + 1;
	}
	return slx_fixout_finish(cx, &fo, sl_type_int64(), out);
}

static int match_fn(slx_ctx *cx, slx_val *args, slx_val *out, int mode)
{
	slx_fixout fo;
	int rc = slx_fixout_init(cx, &fo, 0);
	if (rc < 0)
		return rc;
	uint8_t *bits = fo.values->data;
	for (int64_t i = 0; i < cx->n; i++) {
		if (null_at(args, 2, i)) {
			slx_fixout_null(&fo, i);
			continue;
		}
		sl_strview s = slx_str(&args[0], i), f = slx_str(&args[1], i);
		bool m;
		if (f.len > s.len)
			m = false;
		else if (mode == 0)
			m = f.len == 0 || memcmp(s.ptr, f.ptr, f.len) == 0;
		else if (mode == 1)
			m = f.len == 0 || memcmp(s.ptr + s.len - f.len, f.ptr, f.len) == 0;
		else
			m = find(s.ptr, s.len, f.ptr, f.len) != NULL;
		if (m)
			sl_bit_set(bits, i);
	}
	return slx_fixout_finish(cx, &fo, sl_type_bool(), out);
}

int slx_f_startswith(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out)
{
	return match_fn(cx, args, out, 0);
}

int slx_f_endswith(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out)
{
	return match_fn(cx, args, out, 1);
}

int slx_f_contains(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out)
{
	return match_fn(cx, args, out, 2);
}

/* ---------------------------------------------------------------- padding */

static int pad(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out, bool left)
{
	int64_t rows = cx->n;
	slx_strout so;
	int rc = slx_strout_init(cx, &so, rows, 0);
	if (rc < 0)
		return rc;
	for (int64_t i = 0; i < rows && rc == 0; i++) {
		if (null_at(args, n->n_args, i)) {
			rc = slx_strout_null(&so);
			continue;
		}
		sl_strview s = slx_str(&args[0], i);
		sl_strview p = n->n_args > 2 ? slx_str(&args[2], i) : (sl_strview){" ", 1};
		int64_t want = slx_i64(&args[1], i);
		if (want <= 0) {
			rc = slx_strout_append(&so, "", 0);
			continue;
		}
		int64_t have = slu_utf8_count(s.ptr, s.len);
		if (have >= want || p.len == 0) {
			size_t e = slu_utf8_offset(s.ptr, s.len, want);
			rc = slx_strout_append(&so, s.ptr, e);
			continue;
		}
		int64_t fill = want - have, pchars = slu_utf8_count(p.ptr, p.len);
		/* Bytes of fill characters taken cyclically from the pad. */
		int64_t reps = fill / pchars, rest = fill % pchars;
		size_t rest_bytes = slu_utf8_offset(p.ptr, p.len, rest);
		if ((double)reps * (double)p.len + (double)s.len > (double)MAX_BUILT) {
			slx_strout_free(&so);
			return sl_error_set(cx->err, SL_EINVAL,
			                    "%s would build a string longer than %d bytes",
			                    n->fn->name, MAX_BUILT);
		}
		size_t flen = (size_t)reps * p.len + rest_bytes, len = flen + s.len;
		char *w = slx_strout_reserve(&so, len);
		if (w == NULL) {
			rc = SL_ENOMEM;
			break;
		}
		char *f = left ? w : w + s.len;
		memcpy(left ? w + flen : w, s.ptr, s.len);
		for (int64_t k = 0; k < reps; k++, f += p.len)
			memcpy(f, p.ptr, p.len);
		memcpy(f, p.ptr, rest_bytes);
		rc = slx_strout_commit(&so, len);
	}
	if (rc < 0)
		return strout_error(cx, &so, rc);
	return finish_str(cx, &so, out);
}

int slx_f_lpad(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out)
{
	return pad(cx, n, args, out, true);
}

int slx_f_rpad(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out)
{
	return pad(cx, n, args, out, false);
}

int slx_f_repeat(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out)
{
	int64_t rows = cx->n;
	slx_strout so;
	int rc = slx_strout_init(cx, &so, rows, 0);
	if (rc < 0)
		return rc;
	for (int64_t i = 0; i < rows && rc == 0; i++) {
		if (null_at(args, 2, i)) {
			rc = slx_strout_null(&so);
			continue;
		}
		sl_strview s = slx_str(&args[0], i);
		int64_t times = slx_i64(&args[1], i);
		if (times <= 0 || s.len == 0) {
			rc = slx_strout_append(&so, "", 0);
			continue;
		}
		if ((double)times * (double)s.len > (double)MAX_BUILT) {
			slx_strout_free(&so);
			return sl_error_set(cx->err, SL_EINVAL,
			                    "repeat would build a string longer than %d bytes",
			                    MAX_BUILT);
		}
		size_t len = (size_t)times * s.len;
		char *w = slx_strout_reserve(&so, len);
		if (w == NULL) {
			rc = SL_ENOMEM;
			break;
		}
		for (int64_t k = 0; k < times; k++)
			memcpy(w + (size_t)k * s.len, s.ptr, s.len);
		rc = slx_strout_commit(&so, len);
	}
	if (rc < 0)
		return strout_error(cx, &so, rc);
	return finish_str(cx, &so, out);
}

int slx_f_reverse(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out)
{
	int64_t rows = cx->n;
	slx_strout so;
	int rc = slx_strout_init(cx, &so, rows, args[0].arr->data ? args[0].arr->data->len : 0);
	if (rc < 0)
		return rc;
	for (int64_t i = 0; i < rows && rc == 0; i++) {
		if (slx_null(&args[0], i)) {
			rc = slx_strout_null(&so);
			continue;
		}
		sl_strview s = slx_str(&args[0], i);
		char *w = slx_strout_reserve(&so, s.len);
		if (w == NULL) {
			rc = SL_ENOMEM;
			break;
		}
		/* Characters are copied whole, last first. */
		size_t k = 0;
		while (k < s.len) {
			size_t l = slu_utf8_clen((unsigned char)s.ptr[k]);
			if (l > s.len - k)
				l = s.len - k;
			for (size_t j = 1; j < l; j++) {
				if (((unsigned char)s.ptr[k + j] & 0xC0) != 0x80) {
					l = j;
					break;
				}
			}
			memcpy(w + s.len - k - l, s.ptr + k, l);
			k += l;
		}
		rc = slx_strout_commit(&so, s.len);
	}
	if (rc < 0)
		return strout_error(cx, &so, rc);
	return finish_str(cx, &so, out);
}
