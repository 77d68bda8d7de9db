/* sl_batch.h - record batches: n_rows rows of one schema, column by column.
 *
 * Ownership (GStreamer's rule): a stage receives a batch it may read for the
 * duration of the call (borrowed); a batch it emits it hands over (transfer
 * full).  Batches and their columns are immutable once emitted; a projection
 * shares columns by taking references instead of copying.
 */
#ifndef SLUICE_SL_BATCH_H
#define SLUICE_SL_BATCH_H

#include <sluice/sl_array.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sl_batch {
	sl_schema *schema;   /* reference held */
	int64_t n_rows;
	sl_array **columns;  /* schema->n_fields references held */
	long refcount;
} sl_batch;

/* A batch of schema (a reference is added) from columns: the column
 * references are taken over (transfer full, also on failure), the pointer
 * array is copied.  Every column must have n_rows rows and its field's type.
 * Returns NULL on ENOMEM or mismatch. */
sl_batch *sl_batch_new(sl_schema *schema, int64_t n_rows, sl_array **columns);
sl_batch *sl_batch_ref(sl_batch *b);  /* NULL-safe */
void sl_batch_unref(sl_batch *b);     /* NULL-safe */

/* Gathers rows idx[0..n) of every column into a new batch. */
sl_batch *sl_batch_take(const sl_batch *b, const int32_t *idx, int64_t n);
/* Rows [start, start + n). */
sl_batch *sl_batch_slice(const sl_batch *b, int64_t start, int64_t n);
/* Column by name, or NULL. */
const sl_array *sl_batch_column(const sl_batch *b, const char *name);
int sl_batch_validate(const sl_batch *b, sl_error *err);
size_t sl_batch_nbytes(const sl_batch *b);

#ifdef __cplusplus
}
#endif
#endif
