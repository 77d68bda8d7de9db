/* stateful.h - what a stateful stage's state was built under, as the
 * checkpoint's metadata records it (ARCHITECTURE.md, "Checkpoints"): the
 * record of a stage (stage_record.c) and its check against the checkpoint
 * at every start (stateful.c).  The store keeps the records as bytes. */
#ifndef SLUICE_CORE_STATEFUL_H
#define SLUICE_CORE_STATEFUL_H

#include <jansson.h>
#include <sluice/sluice.h>

#include "config/pipeline.h"
#include "store/checkpoint.h"

/* --- records and fingerprints (stage_record.c) --- */

/* {"plugin", "inputs", "options"} of a stateful stage (a new reference, NULL
 * when out of memory); _output adds "output". */
json_t *slc_stage_record(const slc_stage *st, const sl_schema *const *inputs);
int slc_stage_record_output(json_t *record, const slc_stage *st);
/* Older checkpoints' fingerprints: 16 hex digits over plugin name, input
 * schemas and EXPR/EXPR_LIST option texts (whitespace-normalised); over the
 * output schema. */
int slc_fingerprint_before(const slc_stage *st, const sl_schema *const *inputs, char out[17]);
int slc_fingerprint_after(const slc_stage *st, char out[17]);

/* --- the check (stateful.c) --- */

/* Its plugin, input schemas and every option in canonical form are compared
 * before create with the checkpoint's record, the output schema after
 * create; a stage the checkpoint does not know is added.  A difference is
 * SL_ESTATE naming what changed, from what to what (err->option set for an
 * option, whose file:line the caller shows).  Records written by an older
 * sluice (a fingerprint string) are compared as fingerprints and rewritten
 * as records. */
int slc_stateful_check_before(const slc_checkpoint *c, const slc_stage *st,
                              const sl_schema *const *inputs, sl_error *err);
int slc_stateful_check_after(slc_checkpoint *c, const slc_stage *st, sl_error *err);
/* Warns about stateful stages of the checkpoint the pipeline lost (their
 * state is kept), then writes the metadata when it is new or a record was
 * added. */
int slc_stateful_save(slc_checkpoint *c, const slc_pipeline *p, sl_error *err);

#endif
