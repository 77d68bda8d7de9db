/* create.h - creating the stages of a planned pipeline (create.c). */
#ifndef SLUICE_CORE_CREATE_H
#define SLUICE_CORE_CREATE_H

#include "config/pipeline.h"
#include "util/diag.h"

/* Creates every stage in topological order with its input schemas and the
 * host table; a stage whose input failed is skipped silently.  Side outputs
 * read and watermark columns are checked first, a stateful stage against
 * the checkpoint's record before and after.  Errors go to d. */
int slc_stages_create(slc_pipeline *p, slc_diag *d);

#endif
