/* sl_builder.h - building arrays and batches value by value.
 *
 * Builders grow their buffers geometrically; nothing is allocated per value
 * once capacity is reached.  A finished builder is reset and can be reused.
 * Hot paths that know their sizes may instead fill buffers directly and call
 * sl_array_new.
 */
#ifndef SLUICE_SL_BUILDER_H
#define SLUICE_SL_BUILDER_H

#include <sluice/sl_batch.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sl_builder sl_builder;

/* A builder for values of type (a reference is added). */
sl_builder *sl_builder_new(sl_type *type, int64_t capacity_hint);
void sl_builder_free(sl_builder *b);
const sl_type *sl_builder_type(const sl_builder *b);
int64_t sl_builder_length(const sl_builder *b);

int sl_builder_append_null(sl_builder *b);
int sl_builder_append_bool(sl_builder *b, bool v);
int sl_builder_append_int64(sl_builder *b, int64_t v);   /* int64 and timestamp */
int sl_builder_append_double(sl_builder *b, double v);
int sl_builder_append_string(sl_builder *b, const char *s, size_t len); /* string, binary */

/* Struct rows: append each field's value to sl_builder_child(b, i), then call
 * sl_builder_append_struct(b) (or append_null, which appends nulls to every
 * child itself). */
sl_builder *sl_builder_child(sl_builder *b, size_t i);
int sl_builder_append_struct(sl_builder *b);
/* List rows: sl_builder_list_begin(b), append elements to
 * sl_builder_child(b, 0), then sl_builder_list_end(b). */
int sl_builder_list_begin(sl_builder *b);
int sl_builder_list_end(sl_builder *b);

/* Appends row `row` of src (same type) including nested values. */
int sl_builder_append_from(sl_builder *b, const sl_array *src, int64_t row);

/* The built array (transfer full); the builder is reset for reuse. */
sl_array *sl_builder_finish(sl_builder *b);

/* One builder per column of a schema. */
typedef struct sl_batch_builder sl_batch_builder;
sl_batch_builder *sl_batch_builder_new(sl_schema *schema, int64_t capacity_hint);
void sl_batch_builder_free(sl_batch_builder *bb);
sl_builder *sl_batch_builder_column(sl_batch_builder *bb, size_t i);
/* Rows appended so far (the length of column 0). */
int64_t sl_batch_builder_rows(const sl_batch_builder *bb);
/* The built batch (transfer full); NULL when columns disagree in length. */
sl_batch *sl_batch_builder_finish(sl_batch_builder *bb);

#ifdef __cplusplus
}
#endif
#endif
