/* test_sdk_array.c - buffers, builders, arrays (take/slice/concat/validate)
 * and batches. */
#include <stdlib.h>
#include <string.h>

#include "test_sdk.h"

static sl_type *parse_type(const char *text)
{
	sl_type *t = NULL;
	sl_error err;

	CU_ASSERT_EQUAL_FATAL(sl_type_parse(text, &t, &err), SL_OK);
	return t;
}

static void assert_valid(const sl_array *a)
{
	sl_error err;

	sl_error_clear(&err);
	CU_ASSERT_EQUAL(sl_array_validate(a, &err), SL_OK);
	if (err.msg[0])
		fprintf(stderr, "validate: %s\n", err.msg);
}

static sl_array *ints(const int64_t *v, const bool *valid, int64_t n)
{
	sl_builder *b = sl_builder_new(sl_type_int64(), 0);
	sl_array *a;
	int64_t i;

	for (i = 0; i < n; i++) {
		if (valid && !valid[i]) {
			CU_ASSERT_EQUAL(sl_builder_append_null(b), SL_OK);
		} else {
			CU_ASSERT_EQUAL(sl_builder_append_int64(b, v[i]), SL_OK);
		}
	}
	a = sl_builder_finish(b);
	sl_builder_free(b);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	return a;
}

static sl_array *strs(const char *const *v, int64_t n)
{
	sl_builder *b = sl_builder_new(sl_type_string(), 2);
	sl_array *a;
	int64_t i;

	for (i = 0; i < n; i++) {
		if (v[i] == NULL) {
			CU_ASSERT_EQUAL(sl_builder_append_null(b), SL_OK);
		} else {
			CU_ASSERT_EQUAL(sl_builder_append_string(b, v[i], strlen(v[i])), SL_OK);
		}
	}
	a = sl_builder_finish(b);
	sl_builder_free(b);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	return a;
}

static sl_array *bools(const char *pattern) /* '1', '0', 'n' (null) */
{
	sl_builder *b = sl_builder_new(sl_type_bool(), 0);
	sl_array *a;
	const char *p;

	for (p = pattern; *p; p++) {
		if (*p == 'n') {
			CU_ASSERT_EQUAL(sl_builder_append_null(b), SL_OK);
		} else {
			CU_ASSERT_EQUAL(sl_builder_append_bool(b, *p == '1'), SL_OK);
		}
	}
	a = sl_builder_finish(b);
	sl_builder_free(b);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	return a;
}

static const char *bool_pattern(const sl_array *a)
{
	static char out[256];
	int64_t i;

	for (i = 0; i < a->length && i < 255; i++)
		out[i] = sl_array_is_null(a, i) ? 'n' : sl_array_bool(a, i) ? '1' : '0';
	out[i] = '\0';
	return out;
}

/* A nested column: ARRAY<STRUCT<x: BIGINT, tags: ARRAY<STRING>>>, rows:
 *   [{x: 1, tags: ["a", "b"]}, {x: null, tags: []}]
 *   null
 *   []
 *   [{x: 3, tags: null}]
 *   [{x: 4, tags: ["c"]}, null] */
static const char nested_text[] = "[[{x: 1, tags: [\"a\", \"b\"]}, {x: null, tags: []}], null, [], "
                                  "[{x: 3, tags: null}], [{x: 4, tags: [\"c\"]}, null]]";

static sl_array *nested(void)
{
	sl_type *t = parse_type("ARRAY<STRUCT<x: BIGINT, tags: ARRAY<STRING>>>");
	sl_builder *b = sl_builder_new(t, 0);
	sl_builder *st = sl_builder_child(b, 0);
	sl_builder *x = sl_builder_child(st, 0), *tags = sl_builder_child(st, 1);
	sl_builder *tag = sl_builder_child(tags, 0);
	sl_array *a;

	CU_ASSERT_PTR_NOT_NULL_FATAL(tag);
	/* row 0 */
	CU_ASSERT_EQUAL(sl_builder_list_begin(b), SL_OK);
	sl_builder_append_int64(x, 1);
	sl_builder_list_begin(tags);
	sl_builder_append_string(tag, "a", 1);
	sl_builder_append_string(tag, "b", 1);
	sl_builder_list_end(tags);
	CU_ASSERT_EQUAL(sl_builder_append_struct(st), SL_OK);
	sl_builder_append_null(x);
	sl_builder_list_begin(tags);
	sl_builder_list_end(tags);
	CU_ASSERT_EQUAL(sl_builder_append_struct(st), SL_OK);
	CU_ASSERT_EQUAL(sl_builder_list_end(b), SL_OK);
	/* row 1 */
	CU_ASSERT_EQUAL(sl_builder_append_null(b), SL_OK);
	/* row 2 */
	sl_builder_list_begin(b);
	sl_builder_list_end(b);
	/* row 3 */
	sl_builder_list_begin(b);
	sl_builder_append_int64(x, 3);
	sl_builder_append_null(tags);
	sl_builder_append_struct(st);
	sl_builder_list_end(b);
	/* row 4 */
	sl_builder_list_begin(b);
	sl_builder_append_int64(x, 4);
	sl_builder_list_begin(tags);
	sl_builder_append_string(tag, "c", 1);
	sl_builder_list_end(tags);
	sl_builder_append_struct(st);
	CU_ASSERT_EQUAL(sl_builder_append_null(st), SL_OK);
	sl_builder_list_end(b);
	CU_ASSERT_EQUAL(sl_builder_length(b), 5);
	a = sl_builder_finish(b);
	sl_builder_free(b);
	sl_type_unref(t);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	return a;
}

/* --- buffers --- */

static int released;
static void count_release(void *owner, uint8_t *data)
{
	(void)data;
	released += *(int *)owner;
}

static void test_buffer_basics(void)
{
	sl_buffer *b = sl_buffer_new(10), *c, *w;
	static uint8_t foreign[5] = {1, 2, 3, 4, 5};
	int one = 1;
	size_t i;
	bool zero = true;

	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_EQUAL((uintptr_t)b->data % 64, 0);
	CU_ASSERT_EQUAL(b->cap, 64);
	CU_ASSERT_EQUAL(b->len, 0);
	CU_ASSERT_EQUAL(b->refcount, 1);
	for (i = 0; i < b->cap; i++)
		zero &= b->data[i] == 0;
	CU_ASSERT(zero);
	for (i = 0; i < 1000; i++)
		CU_ASSERT_EQUAL(sl_buffer_append(b, "abcdefg", 7), SL_OK);
	CU_ASSERT_EQUAL(b->len, 7000);
	CU_ASSERT(b->cap >= 7000);
	CU_ASSERT_EQUAL(b->cap % 64, 0);
	CU_ASSERT_EQUAL((uintptr_t)b->data % 64, 0);
	CU_ASSERT_EQUAL(memcmp(b->data + 6993, "abcdefg", 7), 0);
	zero = true;
	for (i = b->len; i < b->cap; i++)
		zero &= b->data[i] == 0;
	CU_ASSERT(zero);
	/* shrink zeroes the tail, grow zero-fills */
	CU_ASSERT_EQUAL(sl_buffer_resize(b, 3), SL_OK);
	CU_ASSERT_EQUAL(b->data[3], 0);
	CU_ASSERT_EQUAL(sl_buffer_resize(b, 20000), SL_OK);
	CU_ASSERT_EQUAL(b->len, 20000);
	CU_ASSERT_EQUAL(b->data[2], 'c');
	CU_ASSERT_EQUAL(b->data[5], 0);
	CU_ASSERT_EQUAL(b->data[19999], 0);
	/* shared: immutable */
	CU_ASSERT_PTR_EQUAL(sl_buffer_ref(b), b);
	CU_ASSERT_EQUAL(b->refcount, 2);
	CU_ASSERT_EQUAL(sl_buffer_reserve(b, 1 << 20), SL_ESTATE);
	sl_buffer_unref(b);
	CU_ASSERT_EQUAL(b->refcount, 1);
	sl_buffer_unref(b);
	sl_buffer_unref(NULL);
	CU_ASSERT_PTR_NULL(sl_buffer_ref(NULL));

	c = sl_buffer_copy("hello", 5);
	CU_ASSERT_EQUAL(c->len, 5);
	CU_ASSERT_EQUAL(memcmp(c->data, "hello", 5), 0);
	CU_ASSERT_EQUAL(c->data[5], 0);
	sl_buffer_unref(c);
	c = sl_buffer_new(0);
	CU_ASSERT_PTR_NOT_NULL(c->data); /* never NULL, even empty */
	CU_ASSERT_EQUAL(sl_buffer_append(c, "x", 1), SL_OK);
	CU_ASSERT_EQUAL(c->data[0], 'x');
	sl_buffer_unref(c);

	released = 0;
	w = sl_buffer_wrap(foreign, 5, count_release, &one);
	CU_ASSERT_PTR_EQUAL(w->data, foreign);
	CU_ASSERT_EQUAL(w->len, 5);
	CU_ASSERT_EQUAL(sl_buffer_reserve(w, 100), SL_ESTATE);
	sl_buffer_ref(w);
	sl_buffer_unref(w);
	CU_ASSERT_EQUAL(released, 0);
	sl_buffer_unref(w);
	CU_ASSERT_EQUAL(released, 1);
}

static void test_bitmap(void)
{
	uint8_t bits[32] = {0};
	uint8_t ff[8];
	int64_t i;

	memset(ff, 0xff, sizeof(ff));
	CU_ASSERT_EQUAL(sl_bitmap_count(bits, 200), 0);
	CU_ASSERT_EQUAL(sl_bitmap_count(ff, 64), 64);
	CU_ASSERT_EQUAL(sl_bitmap_count(ff, 13), 13);
	CU_ASSERT_EQUAL(sl_bitmap_count(ff, 0), 0);
	for (i = 0; i < 200; i += 3)
		sl_bit_set(bits, i);
	CU_ASSERT_EQUAL(sl_bitmap_count(bits, 200), 67);
	CU_ASSERT_EQUAL(sl_bitmap_count(bits, 100), 34);
	CU_ASSERT_EQUAL(sl_bitmap_count(bits, 65), 22);
	CU_ASSERT(sl_bit_get(bits, 99));
	CU_ASSERT(!sl_bit_get(bits, 100));
	sl_bit_clear(bits, 99);
	CU_ASSERT(!sl_bit_get(bits, 99));
	sl_bit_put(bits, 100, true);
	CU_ASSERT(sl_bit_get(bits, 100));
	CU_ASSERT_EQUAL(sl_bitmap_bytes(0), 0);
	CU_ASSERT_EQUAL(sl_bitmap_bytes(9), 2);
}

/* --- builders --- */

static void test_builder_int64(void)
{
	static const int64_t v[] = {1, 0, 3, -4};
	static const bool valid[] = {true, false, true, true};
	sl_builder *b;
	sl_array *a;
	int64_t i;

	a = ints(v, valid, 4);
	CU_ASSERT_STRING_EQUAL(test_render(a), "[1, null, 3, -4]");
	CU_ASSERT_EQUAL(a->null_count, 1);
	CU_ASSERT_PTR_NOT_NULL(a->validity);
	CU_ASSERT_EQUAL(a->type->id, SL_TYPE_INT64);
	CU_ASSERT_EQUAL(a->refcount, 1);
	assert_valid(a);
	sl_array_unref(a);

	a = ints(v, NULL, 4);
	CU_ASSERT_PTR_NULL(a->validity); /* no nulls: no bitmap */
	CU_ASSERT_EQUAL(a->null_count, 0);
	sl_array_unref(a);

	/* growth well past the hint; nulls late in the array */
	b = sl_builder_new(sl_type_int64(), 4);
	for (i = 0; i < 100000; i++) {
		if (i % 1000 == 999)
			sl_builder_append_null(b);
		else
			CU_ASSERT_EQUAL_FATAL(sl_builder_append_int64(b, i * 7), SL_OK);
	}
	a = sl_builder_finish(b);
	CU_ASSERT_EQUAL(a->length, 100000);
	CU_ASSERT_EQUAL(a->null_count, 100);
	CU_ASSERT_EQUAL(sl_array_i64(a)[99998], 99998 * 7);
	CU_ASSERT(sl_array_is_null(a, 999));
	CU_ASSERT(!sl_array_is_null(a, 998));
	CU_ASSERT_EQUAL(sl_array_i64(a)[999], 0);
	CU_ASSERT_EQUAL((uintptr_t)a->values->data % 64, 0);
	assert_valid(a);
	/* finish reset the builder: a second array, independent */
	CU_ASSERT_EQUAL(sl_builder_length(b), 0);
	CU_ASSERT_EQUAL(sl_builder_append_int64(b, 42), SL_OK);
	CU_ASSERT_EQUAL(sl_builder_append_double(b, 1.0), SL_ETYPE);
	CU_ASSERT_EQUAL(sl_builder_append_string(b, "x", 1), SL_ETYPE);
	CU_ASSERT_EQUAL(sl_builder_append_bool(b, true), SL_ETYPE);
	{
		sl_array *a2 = sl_builder_finish(b);

		CU_ASSERT_STRING_EQUAL(test_render(a2), "[42]");
		CU_ASSERT_EQUAL(a2->null_count, 0);
		sl_array_unref(a2);
	}
	CU_ASSERT_EQUAL(sl_array_i64(a)[1], 7);
	sl_array_unref(a);
	/* empty */
	a = sl_builder_finish(b);
	CU_ASSERT_EQUAL(a->length, 0);
	CU_ASSERT_PTR_NOT_NULL(a->values);
	assert_valid(a);
	sl_array_unref(a);
	sl_builder_free(b);
}

static void test_builder_scalars(void)
{
	sl_builder *b;
	sl_array *a;

	a = bools("10n1");
	CU_ASSERT_STRING_EQUAL(test_render(a), "[true, false, null, true]");
	CU_ASSERT_EQUAL(a->null_count, 1);
	assert_valid(a);
	sl_array_unref(a);

	b = sl_builder_new(sl_type_double(), 0);
	sl_builder_append_double(b, 1.5);
	sl_builder_append_null(b);
	sl_builder_append_double(b, -2.25);
	CU_ASSERT_EQUAL(sl_builder_append_int64(b, 1), SL_ETYPE);
	a = sl_builder_finish(b);
	CU_ASSERT_STRING_EQUAL(test_render(a), "[1.5, null, -2.25]");
	CU_ASSERT_EQUAL(sl_array_f64(a)[2], -2.25);
	assert_valid(a);
	sl_array_unref(a);
	sl_builder_free(b);

	b = sl_builder_new(sl_type_timestamp(), 0);
	sl_builder_append_int64(b, 1700000000000000LL);
	sl_builder_append_null(b);
	a = sl_builder_finish(b);
	CU_ASSERT_STRING_EQUAL(test_render(a), "[ts1700000000000000, null]");
	CU_ASSERT_EQUAL(a->type->id, SL_TYPE_TIMESTAMP);
	assert_valid(a);
	sl_array_unref(a);
	sl_builder_free(b);

	{
		static const char *const v[] = {"hello", "", NULL, "w\xc3\xb6rld"};

		a = strs(v, 4);
		CU_ASSERT_STRING_EQUAL(test_render(a), "[\"hello\", \"\", null, \"w\xc3\xb6rld\"]");
		CU_ASSERT_EQUAL(sl_array_offsets(a)[4], 11);
		CU_ASSERT_EQUAL(sl_array_str(a, 3).len, 6);
		CU_ASSERT_EQUAL(a->data->len, 11);
		assert_valid(a);
		sl_array_unref(a);
	}

	b = sl_builder_new(sl_type_binary(), 0);
	sl_builder_append_string(b, "a\0b", 3);
	sl_builder_append_string(b, "\xff\xfe", 2); /* not UTF-8, fine for binary */
	a = sl_builder_finish(b);
	CU_ASSERT_EQUAL(sl_array_str(a, 0).len, 3);
	CU_ASSERT_EQUAL(memcmp(sl_array_str(a, 0).ptr, "a\0b", 3), 0);
	CU_ASSERT_EQUAL(memcmp(sl_array_str(a, 1).ptr, "\xff\xfe", 2), 0);
	assert_valid(a);
	sl_array_unref(a);
	sl_builder_free(b);

	b = sl_builder_new(sl_type_null(), 0);
	sl_builder_append_null(b);
	sl_builder_append_null(b);
	CU_ASSERT_EQUAL(sl_builder_append_int64(b, 1), SL_ETYPE);
	a = sl_builder_finish(b);
	CU_ASSERT_EQUAL(a->length, 2);
	CU_ASSERT_EQUAL(a->null_count, 2);
	CU_ASSERT(sl_array_is_null(a, 1));
	assert_valid(a);
	sl_array_unref(a);
	sl_builder_free(b);

	/* many strings: data buffer growth */
	b = sl_builder_new(sl_type_string(), 0);
	{
		int i;
		char tmp[32];

		for (i = 0; i < 20000; i++) {
			int n = snprintf(tmp, sizeof(tmp), "value-%d", i);

			CU_ASSERT_EQUAL_FATAL(sl_builder_append_string(b, tmp, (size_t)n), SL_OK);
		}
		a = sl_builder_finish(b);
		CU_ASSERT_EQUAL(a->length, 20000);
		CU_ASSERT_EQUAL(sl_array_str(a, 12345).len, 11);
		CU_ASSERT_EQUAL(memcmp(sl_array_str(a, 12345).ptr, "value-12345", 11), 0);
		assert_valid(a);
		sl_array_unref(a);
	}
	sl_builder_free(b);
}

static void test_builder_struct(void)
{
	sl_type *t = parse_type("STRUCT<a: BIGINT, b: STRING>");
	sl_builder *b = sl_builder_new(t, 0);
	sl_builder *ba = sl_builder_child(b, 0), *bs = sl_builder_child(b, 1);
	sl_array *a;

	CU_ASSERT_PTR_NOT_NULL_FATAL(bs);
	CU_ASSERT_PTR_NULL(sl_builder_child(b, 2));
	CU_ASSERT(sl_type_equal(sl_builder_type(b), t));
	sl_builder_append_int64(ba, 1);
	sl_builder_append_string(bs, "x", 1);
	CU_ASSERT_EQUAL(sl_builder_append_struct(b), SL_OK);
	CU_ASSERT_EQUAL(sl_builder_append_null(b), SL_OK);
	CU_ASSERT_EQUAL(sl_builder_length(ba), 2); /* the null reached the children */
	sl_builder_append_null(ba);
	sl_builder_append_string(bs, "y", 1);
	CU_ASSERT_EQUAL(sl_builder_append_struct(b), SL_OK);
	/* a field missing: refused */
	sl_builder_append_int64(ba, 5);
	CU_ASSERT_EQUAL(sl_builder_append_struct(b), SL_ESTATE);
	sl_builder_append_string(bs, "z", 1);
	CU_ASSERT_EQUAL(sl_builder_append_struct(b), SL_OK);
	a = sl_builder_finish(b);
	CU_ASSERT_STRING_EQUAL(test_render(a),
	                       "[{a: 1, b: \"x\"}, null, {a: null, b: \"y\"}, {a: 5, b: \"z\"}]");
	CU_ASSERT_EQUAL(a->null_count, 1);
	CU_ASSERT_EQUAL(a->n_children, 2);
	CU_ASSERT_EQUAL(a->children[0]->null_count, 2);
	CU_ASSERT_EQUAL(a->children[1]->null_count, 1);
	assert_valid(a);
	sl_array_unref(a);
	/* reuse */
	sl_builder_append_int64(ba, 9);
	sl_builder_append_null(bs);
	sl_builder_append_struct(b);
	a = sl_builder_finish(b);
	CU_ASSERT_STRING_EQUAL(test_render(a), "[{a: 9, b: null}]");
	sl_array_unref(a);
	sl_builder_free(b);
	sl_type_unref(t);
}

static void test_builder_list(void)
{
	sl_type *t = sl_type_list(sl_type_int64(), true);
	sl_builder *b = sl_builder_new(t, 0), *e = sl_builder_child(b, 0);
	sl_array *a;

	CU_ASSERT_EQUAL(sl_builder_list_end(b), SL_ESTATE);
	CU_ASSERT_EQUAL(sl_builder_list_begin(b), SL_OK);
	CU_ASSERT_EQUAL(sl_builder_list_begin(b), SL_ESTATE);
	sl_builder_append_int64(e, 1);
	sl_builder_append_int64(e, 2);
	CU_ASSERT_EQUAL(sl_builder_append_null(b), SL_ESTATE); /* inside a list */
	CU_ASSERT_EQUAL(sl_builder_list_end(b), SL_OK);
	sl_builder_list_begin(b);
	sl_builder_list_end(b);
	sl_builder_append_null(b);
	sl_builder_list_begin(b);
	sl_builder_append_null(e);
	sl_builder_append_int64(e, 3);
	sl_builder_list_end(b);
	a = sl_builder_finish(b);
	CU_ASSERT_STRING_EQUAL(test_render(a), "[[1, 2], [], null, [null, 3]]");
	CU_ASSERT_EQUAL(a->children[0]->length, 4);
	CU_ASSERT_EQUAL(sl_array_offsets(a)[3], 2);
	CU_ASSERT_EQUAL(sl_array_offsets(a)[4], 4);
	assert_valid(a);
	sl_array_unref(a);
	sl_builder_free(b);
	sl_type_unref(t);

	a = nested();
	CU_ASSERT_STRING_EQUAL(test_render(a), nested_text);
	CU_ASSERT_EQUAL(a->null_count, 1);
	assert_valid(a);
	sl_array_unref(a);
}

static void test_builder_append_from(void)
{
	sl_array *src = nested(), *out;
	sl_type *other = parse_type("ARRAY<STRUCT<x: BIGINT, tags: ARRAY<BINARY>>>");
	sl_builder *b = sl_builder_new(src->type, 0), *wrong = sl_builder_new(other, 0);
	int64_t i;

	for (i = src->length - 1; i >= 0; i--)
		CU_ASSERT_EQUAL(sl_builder_append_from(b, src, i), SL_OK);
	for (i = 0; i < src->length; i++)
		CU_ASSERT_EQUAL(sl_builder_append_from(b, src, i), SL_OK);
	CU_ASSERT_EQUAL(sl_builder_append_from(b, src, 5), SL_EINVAL);
	CU_ASSERT_EQUAL(sl_builder_append_from(wrong, src, 0), SL_ETYPE);
	out = sl_builder_finish(b);
	CU_ASSERT_STRING_EQUAL(test_render(out),
	                       "[[{x: 4, tags: [\"c\"]}, null], [{x: 3, tags: null}], [], null, "
	                       "[{x: 1, tags: [\"a\", \"b\"]}, {x: null, tags: []}], "
	                       "[{x: 1, tags: [\"a\", \"b\"]}, {x: null, tags: []}], null, [], "
	                       "[{x: 3, tags: null}], [{x: 4, tags: [\"c\"]}, null]]");
	CU_ASSERT_EQUAL(out->null_count, 2);
	assert_valid(out);
	sl_array_unref(out);
	sl_array_unref(src);
	sl_builder_free(b);
	sl_builder_free(wrong);
	sl_type_unref(other);

	/* an equal type that is another object is accepted (and remembered) */
	{
		sl_type *t1 = parse_type("STRUCT<a: BIGINT, b: STRING>");
		sl_type *t2 = parse_type("struct<a bigint, b string>");
		sl_builder *b1 = sl_builder_new(t1, 0), *b2 = sl_builder_new(t2, 0);
		sl_array *s1, *r;

		sl_builder_append_int64(sl_builder_child(b1, 0), 7);
		sl_builder_append_string(sl_builder_child(b1, 1), "q", 1);
		sl_builder_append_struct(b1);
		sl_builder_append_null(b1);
		s1 = sl_builder_finish(b1);
		for (i = 0; i < 4; i++)
			CU_ASSERT_EQUAL(sl_builder_append_from(b2, s1, i % 2), SL_OK);
		r = sl_builder_finish(b2);
		CU_ASSERT_STRING_EQUAL(test_render(r),
		                       "[{a: 7, b: \"q\"}, null, {a: 7, b: \"q\"}, null]");
		CU_ASSERT_PTR_EQUAL(r->type, t2);
		sl_array_unref(r);
		sl_array_unref(s1);
		sl_builder_free(b1);
		sl_builder_free(b2);
		CU_ASSERT_EQUAL(t1->refcount, 1);
		sl_type_unref(t1);
		sl_type_unref(t2);
	}

	/* every primitive type */
	{
		static const char *const sv[] = {"a", NULL, "ccc"};
		sl_array *s = strs(sv, 3), *bo = bools("n01"), *r;
		sl_builder *bs = sl_builder_new(sl_type_string(), 0);
		sl_builder *bb = sl_builder_new(sl_type_bool(), 0);

		for (i = 2; i >= 0; i--) {
			CU_ASSERT_EQUAL(sl_builder_append_from(bs, s, i), SL_OK);
			CU_ASSERT_EQUAL(sl_builder_append_from(bb, bo, i), SL_OK);
		}
		CU_ASSERT_EQUAL(sl_builder_append_from(bs, bo, 0), SL_ETYPE);
		r = sl_builder_finish(bs);
		CU_ASSERT_STRING_EQUAL(test_render(r), "[\"ccc\", null, \"a\"]");
		sl_array_unref(r);
		r = sl_builder_finish(bb);
		CU_ASSERT_STRING_EQUAL(bool_pattern(r), "10n");
		sl_array_unref(r);
		sl_builder_free(bs);
		sl_builder_free(bb);
		sl_array_unref(s);
		sl_array_unref(bo);
	}
}

/* --- take / slice / concat --- */

static void test_take(void)
{
	static const int64_t v[] = {10, 20, 30, 40};
	static const bool valid[] = {true, false, true, true};
	static const int32_t idx[] = {3, 1, 1, 0, 2};
	static const int32_t nonnull[] = {0, 2, 3, 3};
	static const char *const sv[] = {"a", "bb", NULL, ""};
	sl_array *a = ints(v, valid, 4), *t, *s;

	t = sl_array_take(a, idx, 5);
	CU_ASSERT_STRING_EQUAL(test_render(t), "[40, null, null, 10, 30]");
	CU_ASSERT_EQUAL(t->null_count, 2);
	assert_valid(t);
	sl_array_unref(t);
	t = sl_array_take(a, nonnull, 4);
	CU_ASSERT_STRING_EQUAL(test_render(t), "[10, 30, 40, 40]");
	CU_ASSERT_EQUAL(t->null_count, 0);
	CU_ASSERT_PTR_NULL(t->validity);
	sl_array_unref(t);
	t = sl_array_take(a, NULL, 0);
	CU_ASSERT_EQUAL(t->length, 0);
	assert_valid(t);
	sl_array_unref(t);
	sl_array_unref(a);

	s = strs(sv, 4);
	t = sl_array_take(s, idx, 5);
	CU_ASSERT_STRING_EQUAL(test_render(t), "[\"\", \"bb\", \"bb\", \"a\", null]");
	CU_ASSERT_EQUAL(t->null_count, 1);
	CU_ASSERT_EQUAL(sl_array_offsets(t)[5], 5);
	assert_valid(t);
	sl_array_unref(t);
	sl_array_unref(s);

	/* bools past one byte, both the 8-at-a-time and the tail path */
	{
		const char *pat = "1100101n0111n00010110";
		int32_t rev[21];
		char expect[22];
		int i, n = (int)strlen(pat);

		a = bools(pat);
		for (i = 0; i < n; i++) {
			rev[i] = n - 1 - i;
			expect[i] = pat[n - 1 - i];
		}
		expect[n] = '\0';
		t = sl_array_take(a, rev, n);
		CU_ASSERT_STRING_EQUAL(bool_pattern(t), expect);
		CU_ASSERT_EQUAL(t->null_count, 2);
		assert_valid(t);
		sl_array_unref(t);
		sl_array_unref(a);
	}

	/* nested: the list of structs of lists */
	{
		static const int32_t ni[] = {4, 1, 0, 0, 3};

		a = nested();
		t = sl_array_take(a, ni, 5);
		CU_ASSERT_STRING_EQUAL(test_render(t),
		                       "[[{x: 4, tags: [\"c\"]}, null], null, "
		                       "[{x: 1, tags: [\"a\", \"b\"]}, {x: null, tags: []}], "
		                       "[{x: 1, tags: [\"a\", \"b\"]}, {x: null, tags: []}], "
		                       "[{x: 3, tags: null}]]");
		CU_ASSERT_EQUAL(t->null_count, 1);
		CU_ASSERT_EQUAL(t->children[0]->length, 7);
		assert_valid(t);
		sl_array_unref(t);
		sl_array_unref(a);
	}

	a = sl_array_new_nulls(sl_type_null(), 3);
	t = sl_array_take(a, idx, 5);
	CU_ASSERT_EQUAL(t->length, 5);
	CU_ASSERT_EQUAL(t->null_count, 5);
	assert_valid(t);
	sl_array_unref(t);
	sl_array_unref(a);
}

static void test_take_large(void)
{
	enum { N = 1000000 };
	sl_builder *b = sl_builder_new(sl_type_double(), N);
	int32_t *idx = malloc(N / 2 * sizeof(*idx));
	sl_array *a, *t;
	int i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(idx);
	for (i = 0; i < N; i++) {
		if (i % 10 == 0)
			sl_builder_append_null(b);
		else
			sl_builder_append_double(b, i * 0.5);
	}
	a = sl_builder_finish(b);
	for (i = 0; i < N / 2; i++)
		idx[i] = 2 * i + 1;
	t = sl_array_take(a, idx, N / 2);
	CU_ASSERT_EQUAL(t->length, N / 2);
	CU_ASSERT_EQUAL(t->null_count, 0);
	CU_ASSERT_EQUAL(sl_array_f64(t)[100], 201 * 0.5);
	sl_array_unref(t);
	for (i = 0; i < N / 2; i++)
		idx[i] = 2 * i;
	t = sl_array_take(a, idx, N / 2);
	CU_ASSERT_EQUAL(t->null_count, N / 10);
	assert_valid(t);
	sl_array_unref(t);
	sl_array_unref(a);
	sl_builder_free(b);
	free(idx);
}

static void test_slice(void)
{
	static const int64_t v[] = {1, 2, 3, 4, 5};
	static const bool valid[] = {true, false, true, true, false};
	static const char *const sv[] = {"ab", "c", NULL, "def", "g"};
	sl_array *a = ints(v, valid, 5), *s;

	s = sl_array_slice(a, 1, 3);
	CU_ASSERT_STRING_EQUAL(test_render(s), "[null, 3, 4]");
	CU_ASSERT_EQUAL(s->null_count, 1);
	assert_valid(s);
	sl_array_unref(s);
	s = sl_array_slice(a, 2, 2);
	CU_ASSERT_EQUAL(s->null_count, 0);
	CU_ASSERT_PTR_NULL(s->validity);
	sl_array_unref(s);
	s = sl_array_slice(a, 0, 5); /* the whole array is shared */
	CU_ASSERT_PTR_EQUAL(s, a);
	CU_ASSERT_EQUAL(a->refcount, 2);
	sl_array_unref(s);
	s = sl_array_slice(a, 5, 0);
	CU_ASSERT_EQUAL(s->length, 0);
	assert_valid(s);
	sl_array_unref(s);
	CU_ASSERT_PTR_NULL(sl_array_slice(a, 3, 3));
	CU_ASSERT_PTR_NULL(sl_array_slice(a, -1, 1));
	sl_array_unref(a);

	a = strs(sv, 5);
	s = sl_array_slice(a, 1, 3);
	CU_ASSERT_STRING_EQUAL(test_render(s), "[\"c\", null, \"def\"]");
	CU_ASSERT_EQUAL(sl_array_offsets(s)[0], 0);
	CU_ASSERT_EQUAL(s->data->len, 4);
	assert_valid(s);
	sl_array_unref(s);
	sl_array_unref(a);

	a = bools("1n0110101100n1101");
	s = sl_array_slice(a, 3, 13);
	CU_ASSERT_STRING_EQUAL(bool_pattern(s), "110101100n110");
	CU_ASSERT_EQUAL(s->null_count, 1);
	assert_valid(s);
	sl_array_unref(s);
	sl_array_unref(a);

	a = nested();
	s = sl_array_slice(a, 3, 2);
	CU_ASSERT_STRING_EQUAL(test_render(s),
	                       "[[{x: 3, tags: null}], [{x: 4, tags: [\"c\"]}, null]]");
	CU_ASSERT_EQUAL(sl_array_offsets(s)[0], 0);
	CU_ASSERT_EQUAL(s->children[0]->length, 3);
	assert_valid(s);
	sl_array_unref(s);
	sl_array_unref(a);
}

static void test_concat(void)
{
	static const int64_t v1[] = {1, 2, 3};
	static const int64_t v2[] = {4, 5};
	static const bool valid2[] = {false, true};
	static const char *const s1[] = {"x", NULL};
	static const char *const s2[] = {"yy", "", "z"};
	sl_array *parts[3], *c;

	parts[0] = ints(v1, NULL, 3);
	parts[1] = ints(v2, valid2, 2);
	c = sl_array_concat(parts, 2);
	CU_ASSERT_STRING_EQUAL(test_render(c), "[1, 2, 3, null, 5]");
	CU_ASSERT_EQUAL(c->null_count, 1);
	assert_valid(c);
	sl_array_unref(c);
	c = sl_array_concat(parts, 1);
	CU_ASSERT_PTR_EQUAL(c, parts[0]);
	sl_array_unref(c);
	parts[2] = strs(s1, 2);
	CU_ASSERT_PTR_NULL(sl_array_concat(parts + 1, 2)); /* type mismatch */
	CU_ASSERT_PTR_NULL(sl_array_concat(parts, 0));
	sl_array_unref(parts[0]);
	sl_array_unref(parts[1]);
	sl_array_unref(parts[2]);

	parts[0] = strs(s1, 2);
	parts[1] = strs(s2, 3);
	c = sl_array_concat(parts, 2);
	CU_ASSERT_STRING_EQUAL(test_render(c), "[\"x\", null, \"yy\", \"\", \"z\"]");
	assert_valid(c);
	sl_array_unref(c);
	sl_array_unref(parts[0]);
	sl_array_unref(parts[1]);

	parts[0] = bools("101");
	parts[1] = bools("0n10110011");
	parts[2] = bools("11100");
	c = sl_array_concat(parts, 3);
	CU_ASSERT_STRING_EQUAL(bool_pattern(c), "1010n1011001111100");
	CU_ASSERT_EQUAL(c->null_count, 1);
	assert_valid(c);
	sl_array_unref(c);
	sl_array_unref(parts[0]);
	sl_array_unref(parts[1]);
	sl_array_unref(parts[2]);

	/* nested, with sliced pieces */
	{
		sl_array *n = nested();

		parts[0] = sl_array_slice(n, 3, 2);
		parts[1] = sl_array_slice(n, 0, 2);
		parts[2] = n;
		c = sl_array_concat(parts, 3);
		CU_ASSERT_EQUAL(c->length, 9);
		CU_ASSERT_EQUAL(c->null_count, 2);
		assert_valid(c);
		{
			sl_array *tail = sl_array_slice(c, 4, 5);

			CU_ASSERT_STRING_EQUAL(test_render(tail), nested_text);
			sl_array_unref(tail);
		}
		sl_array_unref(c);
		sl_array_unref(parts[0]);
		sl_array_unref(parts[1]);
		sl_array_unref(n);
	}
}

/* A list array whose offsets do not start at 0 (legal in the layout). */
static void test_list_offsets_not_zero(void)
{
	static const int64_t cv[] = {0, 0, 7, 8, 9, 0};
	static const int32_t off[] = {2, 3, 5};
	static const int32_t idx[] = {1, 0};
	sl_type *t = sl_type_list(sl_type_int64(), true);
	sl_array *child = ints(cv, NULL, 6), *kids[1] = {child}, *a, *parts[2], *c, *tk;

	a = sl_array_new(t, 2, 0, NULL, sl_buffer_copy(off, sizeof(off)), NULL, 1, kids);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	assert_valid(a);
	CU_ASSERT_STRING_EQUAL(test_render(a), "[[7], [8, 9]]");
	tk = sl_array_take(a, idx, 2);
	CU_ASSERT_STRING_EQUAL(test_render(tk), "[[8, 9], [7]]");
	parts[0] = a;
	parts[1] = tk;
	c = sl_array_concat(parts, 2);
	CU_ASSERT_STRING_EQUAL(test_render(c), "[[7], [8, 9], [8, 9], [7]]");
	CU_ASSERT_EQUAL(c->children[0]->length, 6);
	assert_valid(c);
	sl_array_unref(c);
	c = sl_array_slice(a, 1, 1);
	CU_ASSERT_STRING_EQUAL(test_render(c), "[[8, 9]]");
	CU_ASSERT_EQUAL(c->children[0]->length, 2);
	sl_array_unref(c);
	sl_array_unref(tk);
	sl_array_unref(a);
	sl_type_unref(t);
}

static void test_new_nulls(void)
{
	static const char *const types[] = {
	    "BIGINT", "DOUBLE",        "BOOLEAN",
	    "STRING", "BINARY",        "TIMESTAMP",
	    "VOID",   "ARRAY<STRING>", "STRUCT<a: BIGINT, b: ARRAY<STRUCT<c: STRING>>>"};
	size_t i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		sl_type *t = parse_type(types[i]);
		sl_array *a = sl_array_new_nulls(t, 3);

		CU_ASSERT_PTR_NOT_NULL_FATAL(a);
		CU_ASSERT_EQUAL(a->length, 3);
		CU_ASSERT_EQUAL(a->null_count, 3);
		CU_ASSERT_STRING_EQUAL(test_render(a), "[null, null, null]");
		assert_valid(a);
		sl_array_unref(a);
		a = sl_array_new_nulls(t, 0);
		CU_ASSERT_EQUAL(a->length, 0);
		assert_valid(a);
		sl_array_unref(a);
		sl_type_unref(t);
	}
}

/* --- validate catches broken arrays --- */

static void expect_invalid(sl_array *a, const char *needle)
{
	sl_error err;

	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	sl_error_clear(&err);
	CU_ASSERT_EQUAL(sl_array_validate(a, &err), SL_EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, needle));
	if (strstr(err.msg, needle) == NULL)
		fprintf(stderr, "message '%s' lacks '%s'\n", err.msg, needle);
	sl_array_unref(a);
}

static void test_validate(void)
{
	static const int32_t bad_off[] = {0, 3, 2};
	static const int32_t long_off[] = {0, 1, 9};
	static const int64_t v[] = {1, 2, 3};
	static const uint8_t valid_101 = 0x5;
	static const int32_t loff[] = {0, 2, 4};
	sl_type *lt = sl_type_list(sl_type_int64(), true);
	sl_type *st;
	sl_array *kids[2];

	expect_invalid(sl_array_new(sl_type_string(), 2, 0, NULL,
	                            sl_buffer_copy(bad_off, sizeof(bad_off)),
	                            sl_buffer_copy("abc", 3), 0, NULL),
	               "offsets decrease");
	expect_invalid(sl_array_new(sl_type_string(), 2, 0, NULL,
	                            sl_buffer_copy(long_off, sizeof(long_off)),
	                            sl_buffer_copy("abc", 3), 0, NULL),
	               "beyond");
	expect_invalid(sl_array_new(sl_type_string(), 2, 0, NULL,
	                            sl_buffer_copy(long_off, sizeof(long_off)), NULL, 0, NULL),
	               "data buffer missing");
	expect_invalid(sl_array_new(sl_type_string(), 1, 0, NULL,
	                            sl_buffer_copy(loff, 2 * sizeof(int32_t)),
	                            sl_buffer_copy("\xc3\x28", 2), 0, NULL),
	               "UTF-8");
	expect_invalid(sl_array_new(sl_type_int64(), 3, 0, NULL,
	                            sl_buffer_copy(v, 2 * sizeof(int64_t)), NULL, 0, NULL),
	               "values has 16 bytes");
	expect_invalid(sl_array_new(sl_type_int64(), 3, 2, sl_buffer_copy(&valid_101, 1),
	                            sl_buffer_copy(v, sizeof(v)), NULL, 0, NULL),
	               "null_count is 2 but the bitmap has 1");
	expect_invalid(
	    sl_array_new(sl_type_int64(), 3, 5, NULL, sl_buffer_copy(v, sizeof(v)), NULL, 0, NULL),
	    "null_count 5");
	expect_invalid(sl_array_new(sl_type_int64(), 3, 0, NULL, NULL, NULL, 0, NULL),
	               "values buffer missing");
	/* list: offsets beyond the child, wrong child type, no child */
	kids[0] = ints(v, NULL, 3);
	expect_invalid(
	    sl_array_new(lt, 2, 0, NULL, sl_buffer_copy(loff, sizeof(loff)), NULL, 1, kids),
	    "child length");
	kids[0] = sl_array_new_nulls(sl_type_string(), 4);
	expect_invalid(
	    sl_array_new(lt, 2, 0, NULL, sl_buffer_copy(loff, sizeof(loff)), NULL, 1, kids),
	    "child type");
	expect_invalid(
	    sl_array_new(lt, 2, 0, NULL, sl_buffer_copy(loff, sizeof(loff)), NULL, 0, NULL),
	    "exactly one child");
	/* struct: child of another length, nested breakage */
	st = parse_type("STRUCT<a: BIGINT, b: BIGINT>");
	kids[0] = ints(v, NULL, 3);
	kids[1] = ints(v, NULL, 2);
	expect_invalid(sl_array_new(st, 3, 0, NULL, NULL, NULL, 2, kids), "array.b: child has 2");
	kids[0] = ints(v, NULL, 3);
	kids[1] =
	    sl_array_new(sl_type_int64(), 3, 1, NULL, sl_buffer_copy(v, sizeof(v)), NULL, 0, NULL);
	expect_invalid(sl_array_new(st, 3, 0, NULL, NULL, NULL, 2, kids),
	               "array.b: null_count 1 without");
	kids[0] = ints(v, NULL, 3);
	expect_invalid(sl_array_new(st, 3, 0, NULL, NULL, NULL, 1, kids), "1 children for 2");
	sl_type_unref(st);
	sl_type_unref(lt);
	CU_ASSERT_EQUAL(sl_array_validate(NULL, NULL), SL_EINVAL);
}

static void test_array_new(void)
{
	static const int64_t v[] = {1, 2, 3};
	static const uint8_t all = 0x7, one_null = 0x5;
	sl_array *a;

	/* null_count < 0: counted from the bitmap */
	a = sl_array_new(sl_type_int64(), 3, -1, sl_buffer_copy(&one_null, 1),
	                 sl_buffer_copy(v, sizeof(v)), NULL, 0, NULL);
	CU_ASSERT_EQUAL(a->null_count, 1);
	CU_ASSERT_STRING_EQUAL(test_render(a), "[1, null, 3]");
	CU_ASSERT(sl_array_nbytes(a) >= 3 * 8);
	assert_valid(a);
	sl_array_unref(a);
	/* a bitmap without nulls is dropped */
	a = sl_array_new(sl_type_int64(), 3, -1, sl_buffer_copy(&all, 1),
	                 sl_buffer_copy(v, sizeof(v)), NULL, 0, NULL);
	CU_ASSERT_EQUAL(a->null_count, 0);
	CU_ASSERT_PTR_NULL(a->validity);
	CU_ASSERT_PTR_EQUAL(sl_array_ref(a), a);
	CU_ASSERT_EQUAL(a->refcount, 2);
	sl_array_unref(a);
	sl_array_unref(a);
	sl_array_unref(NULL);
	/* no type: NULL, and the buffers are released (ASan checks) */
	CU_ASSERT_PTR_NULL(
	    sl_array_new(NULL, 3, 0, NULL, sl_buffer_copy(v, sizeof(v)), NULL, 0, NULL));
}

/* --- batches --- */

static void test_batch(void)
{
	sl_schema *s = NULL;
	sl_error err;
	sl_batch_builder *bb;
	sl_batch *b, *t, *sl;
	sl_array *cols[2];
	static const int32_t idx[] = {2, 0};
	int64_t i;

	CU_ASSERT_EQUAL_FATAL(sl_schema_parse("id BIGINT, Name STRING", &s, &err), SL_OK);
	bb = sl_batch_builder_new(s, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(bb);
	CU_ASSERT_PTR_NULL(sl_batch_builder_column(bb, 2));
	for (i = 0; i < 3; i++) {
		char name[8];

		sl_builder_append_int64(sl_batch_builder_column(bb, 0), i + 1);
		snprintf(name, sizeof(name), "n%d", (int)i);
		if (i == 1)
			sl_builder_append_null(sl_batch_builder_column(bb, 1));
		else
			sl_builder_append_string(sl_batch_builder_column(bb, 1), name, 2);
	}
	CU_ASSERT_EQUAL(sl_batch_builder_rows(bb), 3);
	b = sl_batch_builder_finish(bb);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_EQUAL(b->n_rows, 3);
	CU_ASSERT_EQUAL(b->refcount, 1);
	CU_ASSERT_EQUAL(sl_batch_validate(b, &err), SL_OK);
	CU_ASSERT_STRING_EQUAL(test_render(sl_batch_column(b, "name")), "[\"n0\", null, \"n2\"]");
	CU_ASSERT_PTR_EQUAL(sl_batch_column(b, "Name"), b->columns[1]);
	CU_ASSERT_PTR_NULL(sl_batch_column(b, "nope"));
	CU_ASSERT(sl_batch_nbytes(b) > 0);
	CU_ASSERT_EQUAL(sl_batch_builder_rows(bb), 0); /* reset */

	t = sl_batch_take(b, idx, 2);
	CU_ASSERT_EQUAL(t->n_rows, 2);
	CU_ASSERT_STRING_EQUAL(test_render(t->columns[0]), "[3, 1]");
	CU_ASSERT_STRING_EQUAL(test_render(t->columns[1]), "[\"n2\", \"n0\"]");
	CU_ASSERT_EQUAL(sl_batch_validate(t, &err), SL_OK);
	sl_batch_unref(t);
	sl = sl_batch_slice(b, 1, 2);
	CU_ASSERT_STRING_EQUAL(test_render(sl->columns[0]), "[2, 3]");
	CU_ASSERT_STRING_EQUAL(test_render(sl->columns[1]), "[null, \"n2\"]");
	sl_batch_unref(sl);
	CU_ASSERT_PTR_NULL(sl_batch_slice(b, 2, 2));

	/* a projection shares columns */
	cols[0] = sl_array_ref(b->columns[1]);
	cols[1] = sl_array_ref(b->columns[0]);
	{
		sl_schema *p = NULL;
		sl_batch *pb;

		CU_ASSERT_EQUAL(sl_schema_parse("name STRING, id BIGINT", &p, &err), SL_OK);
		pb = sl_batch_new(p, 3, cols);
		CU_ASSERT_PTR_NOT_NULL(pb);
		CU_ASSERT_EQUAL(b->columns[0]->refcount, 2);
		CU_ASSERT_EQUAL(p->refcount, 2);
		sl_batch_unref(pb);
		CU_ASSERT_EQUAL(b->columns[0]->refcount, 1);
		/* mismatches: wrong length, wrong type (columns are taken over) */
		cols[0] = sl_array_ref(b->columns[1]);
		cols[1] = sl_array_ref(b->columns[0]);
		CU_ASSERT_PTR_NULL(sl_batch_new(p, 2, cols));
		cols[0] = sl_array_ref(b->columns[0]);
		cols[1] = sl_array_ref(b->columns[1]);
		CU_ASSERT_PTR_NULL(sl_batch_new(p, 3, cols));
		CU_ASSERT_EQUAL(b->columns[0]->refcount, 1);
		CU_ASSERT_EQUAL(p->refcount, 1);
		sl_type_unref(p);
	}
	CU_ASSERT_PTR_EQUAL(sl_batch_ref(b), b);
	CU_ASSERT_EQUAL(b->refcount, 2);
	sl_batch_unref(b);
	sl_batch_unref(b);
	sl_batch_unref(NULL);

	/* columns that disagree in length: no batch */
	sl_builder_append_int64(sl_batch_builder_column(bb, 0), 1);
	CU_ASSERT_PTR_NULL(sl_batch_builder_finish(bb));
	/* and the builder is usable again */
	sl_builder_append_int64(sl_batch_builder_column(bb, 0), 1);
	sl_builder_append_string(sl_batch_builder_column(bb, 1), "a", 1);
	b = sl_batch_builder_finish(bb);
	CU_ASSERT_PTR_NOT_NULL(b);
	CU_ASSERT_EQUAL(b ? b->n_rows : -1, 1);
	sl_batch_unref(b);
	sl_batch_builder_free(bb);

	/* a hand-broken batch */
	{
		static const int64_t v[] = {1, 2};
		sl_array *c[2];

		c[0] = ints(v, NULL, 2);
		c[1] = sl_array_new_nulls(sl_type_string(), 2);
		b = sl_batch_new(s, 2, c);
		CU_ASSERT_PTR_NOT_NULL_FATAL(b);
		b->columns[1]->null_count = 1; /* break it */
		CU_ASSERT_EQUAL(sl_batch_validate(b, &err), SL_EINVAL);
		CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "column 'Name'"));
		b->columns[1]->null_count = 2;
		sl_batch_unref(b);
	}
	sl_type_unref(s);
}

static void test_refcounts(void)
{
	sl_type *t = parse_type("STRUCT<a: ARRAY<BIGINT>>");
	sl_builder *b;
	sl_array *a;

	CU_ASSERT_EQUAL(t->refcount, 1);
	CU_ASSERT_EQUAL(t->fields[0].type->refcount, 1);
	b = sl_builder_new(t, 0);
	CU_ASSERT_EQUAL(t->refcount, 2);
	CU_ASSERT_EQUAL(t->fields[0].type->refcount, 2); /* the child builder */
	sl_builder_append_null(b);
	a = sl_builder_finish(b);
	CU_ASSERT_EQUAL(t->refcount, 3);
	sl_builder_free(b);
	CU_ASSERT_EQUAL(t->refcount, 2);
	sl_array_unref(a);
	CU_ASSERT_EQUAL(t->refcount, 1);
	CU_ASSERT_EQUAL(sl_type_int64()->refcount, -1);
	sl_type_ref(sl_type_int64());
	sl_type_unref(sl_type_int64());
	CU_ASSERT_EQUAL(sl_type_int64()->refcount, -1);
	sl_type_unref(t);
}

int test_sdk_add_array(void)
{
	static const test_case buffers[] = {
	    {"buffer basics", test_buffer_basics},
	    {"bitmap", test_bitmap},
	    {NULL, NULL},
	};
	static const test_case builders[] = {
	    {"int64", test_builder_int64},
	    {"scalars", test_builder_scalars},
	    {"struct", test_builder_struct},
	    {"list", test_builder_list},
	    {"append_from", test_builder_append_from},
	    {NULL, NULL},
	};
	static const test_case arrays[] = {
	    {"new", test_array_new},
	    {"new_nulls", test_new_nulls},
	    {"take", test_take},
	    {"take large", test_take_large},
	    {"slice", test_slice},
	    {"concat", test_concat},
	    {"list offsets not at zero", test_list_offsets_not_zero},
	    {"validate", test_validate},
	    {"refcounts", test_refcounts},
	    {NULL, NULL},
	};
	static const test_case batches[] = {
	    {"batch", test_batch},
	    {NULL, NULL},
	};

	if (test_add_suite("buffer", buffers) < 0 || test_add_suite("builder", builders) < 0 ||
	    test_add_suite("array", arrays) < 0 || test_add_suite("batch", batches) < 0)
		return -1;
	return 0;
}
