/* side.c - the sl_side_* conveniences over the host table (sl_side.h).
 * On a host without side outputs, declare fails with SL_ESTATE and emit
 * drops the batch and fails the same way. */
#include <stddef.h>

#include <sluice/sl_side.h>

/* The host when it was built with member m and fills it, else NULL. */
#define HOST_WITH(st, m)                                                                           \
	((st) != NULL && (st)->host != NULL &&                                                     \
	         (st)->host->size >= offsetof(sl_host, m) + sizeof((st)->host->m) &&               \
	         (st)->host->m != NULL                                                             \
	     ? (st)->host                                                                          \
	     : NULL)

int sl_side_output_declare(sl_stage *st, const char *name, sl_schema *schema, sl_error *err)
{
	const sl_host *h = HOST_WITH(st, side_output_declare);

	if (h == NULL)
		return sl_error_set(err, SL_ESTATE, "this host has no side outputs");
	return h->side_output_declare(st, name, schema, err);
}

int sl_side_emit(sl_stage *st, const char *name, sl_batch *batch)
{
	const sl_host *h = HOST_WITH(st, side_emit);

	if (h == NULL) {
		sl_batch_unref(batch);
		return SL_ESTATE;
	}
	return h->side_emit(st, name, batch);
}
