/* side.h - side outputs of stages (sl_side.h): declaration, binding of
 * readers, the warning about unused ones, the counts (side.c).  What is
 * emitted into one is the scheduler's to push (scheduler.h). */
#ifndef SLUICE_CORE_SIDE_H
#define SLUICE_CORE_SIDE_H

#include "config/pipeline.h"
#include "util/diag.h"

/* host->side_output_declare. */
int slc_side_declare(sl_stage *h, const char *name, sl_schema *schema, sl_error *err);

/* st's side output called name, or NULL. */
slc_side *slc_side_find(const slc_stage *st, const char *name);
/* For each input of st that reads a side output: its schema into
 * schemas[j] and one more reader; a missing one goes to d (with
 * did-you-mean). */
int slc_side_bind_inputs(slc_stage *st, const sl_schema **schemas, slc_diag *d);
/* One warning per side output nobody reads (at start). */
void slc_side_warn_unused(const slc_pipeline *p);
/* Starts a new batch's counts. */
void slc_side_next_batch(slc_stage *st);

#endif
