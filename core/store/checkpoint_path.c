/* checkpoint_path.c - where things are in a checkpoint: its directory, the
 * "checkpoint DIR" of messages, its query id, DIR/<name>. */
#include <stdarg.h>
#include <stdio.h>

#include "store/checkpoint.h"
#include "store/checkpoint_internal.h"

const char *slc_checkpoint_dir(const slc_checkpoint *c)
{
	return c->dir;
}

const char *slc_checkpoint_where(const slc_checkpoint *c)
{
	return c->where;
}

const char *slc_checkpoint_id(const slc_checkpoint *c)
{
	return c->id;
}

int slc_checkpoint_path(const slc_checkpoint *c, char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;
	int k = snprintf(buf, n, "%s/", c->dir);

	if (k < 0 || (size_t)k >= n)
		return SL_EINVAL;
	va_start(ap, fmt);
	k += vsnprintf(buf + k, n - (size_t)k, fmt, ap);
	va_end(ap);
	return k < 0 || (size_t)k >= n ? SL_EINVAL : SL_OK;
}
