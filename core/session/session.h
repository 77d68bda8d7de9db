/* session.h - from a pipeline file to created stages: read, link, bind,
 * modes, create.  What `run`, `validate` and `explain` share. */
#ifndef SLUICE_CORE_SESSION_H
#define SLUICE_CORE_SESSION_H

#include "config/pipeline.h"

/* Command-line settings that win over the file's. */
typedef struct slc_overrides {
	const slc_trigger *trigger; /* NULL: the file's */
	const char *checkpoint;     /* NULL: the file's */
	int progress;               /* -1: the file's */
	int dry_run;                /* validate/explain: stages do no I/O */
} slc_overrides;

/* Opens path and plans it.  Every problem goes to d; returns SL_OK,
 * SL_EINVAL (problems in d) or another negative code.  *out is set even on
 * failure when memory allowed; free it with slc_pipeline_free. */
int slc_session_open(const char *path, const slc_overrides *ov, slc_pipeline **out, slc_diag *d);

#endif
