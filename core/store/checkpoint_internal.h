/* checkpoint_internal.h - what the checkpoint*.c files share. */
#ifndef SLUICE_CORE_CHECKPOINT_INTERNAL_H
#define SLUICE_CORE_CHECKPOINT_INTERNAL_H

#include <jansson.h>

#include "store/checkpoint.h"

struct slc_checkpoint {
	char *dir;             /* without a trailing slash */
	char *where;           /* "checkpoint DIR" */
	int lock_fd;           /* flock()ed, -1 when not held */
	char id[37];           /* the query id */
	bool is_new;           /* no metadata yet */
	bool dirty;            /* a record was set: rewrite the metadata */
	json_t *meta;          /* the metadata read, NULL when new */
	json_t *stateful;      /* stage name -> record */
	size_t progress_lines; /* lines in progress.jsonl */
};

/* DIR/<fmt...> into buf; SL_EINVAL when it does not fit
 * (checkpoint_path.c). */
int slc_checkpoint_path(const slc_checkpoint *c, char *buf, size_t n, const char *fmt, ...)
    SL_PRINTF(4, 5);
/* Reads the metadata, or starts a new one with a new id when there is none
 * (checkpoint_meta.c). */
int slc_checkpoint_read_meta(slc_checkpoint *c, sl_error *err);
/* Counts the lines of progress.jsonl (checkpoint_progress.c). */
int slc_checkpoint_progress_open(slc_checkpoint *c, sl_error *err);

#endif
