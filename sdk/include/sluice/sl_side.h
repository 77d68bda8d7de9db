/* sl_side.h - side outputs: extra named outputs of a stage (ABI 1.1).
 *
 * A stage declares them in create and emits into them like into its main
 * output; another stage reads one with `input = "stage.name"` in the
 * pipeline file.  Used for late records (windows: "late") and dead letters.
 * A side output nobody reads is counted in progress and dropped (the core
 * warns at start).  Rows emitted to a side output count in the stage's
 * progress as `sideOutputRows.NAME`.
 */
#ifndef SLUICE_SL_SIDE_H
#define SLUICE_SL_SIDE_H

#include <sluice/sl_plugin.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Declares side output `name` (letters, digits, '_') with its schema
 * (borrowed: the core takes its own reference).  Call in create, dry run
 * included, so validate and explain know it.  SL_EINVAL on a bad or
 * duplicate name; SL_ESTATE on a host without side outputs. */
int sl_side_output_declare(sl_stage *st, const char *name, sl_schema *schema, sl_error *err);

/* Emits batch (transfer full, also on failure) into side output `name`;
 * call from process or end_batch.  Its schema must be the declared one.
 * Returns SL_OK or a negative code; on failure the core also fails the
 * calling stage's call with the consumer's error, so a plugin may simply
 * return the code. */
int sl_side_emit(sl_stage *st, const char *name, sl_batch *batch);

#ifdef __cplusplus
}
#endif
#endif
