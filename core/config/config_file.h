/* config_file.h - pieces of the pipeline-file reader shared by config_*.c. */
#ifndef SLUICE_CORE_CONFIG_FILE_H
#define SLUICE_CORE_CONFIG_FILE_H

#include "config/pipeline.h"

/* Expands ${VAR}, ${VAR:-default} (default when unset or empty) and $$ in
 * text.  *out (malloc'ed) receives the result.  An unset variable without a
 * default, a bad name or a missing '}' is SL_EINVAL with err->pos at the '$'. */
int slc_expand(const char *text, char **out, sl_error *err);

/* The text form of a scalar setting, strings expanded: ints in decimal,
 * floats in the shortest form that reads back, bools "true"/"false".
 * SL_ETYPE with a message for groups, lists and arrays. */
int slc_setting_text(const config_setting_t *s, char **out, sl_error *err);

/* The name of a file libconfig read, usable from the current directory
 * (included files are relative to the pipeline file's directory); owned by
 * p. */
const char *slc_include_name(slc_pipeline *p, const char *file);
/* Points the file of s and every setting under it at such names. */
void slc_include_resolve(slc_pipeline *p, config_setting_t *s);

/* Whether text holds a control character (< 0x20 or 0x7f), which a
 * one-line message cannot quote (config_value.c). */
bool slc_has_control(const char *text);

/* The line and file of a setting, for messages. */
int slc_setting_line(const config_setting_t *s);
const char *slc_setting_file(const config_setting_t *s, const char *fallback);

/* Reads one element of `stages` into a new stage (core keys only; plugin
 * options stay in the setting until the plugin is known). */
int slc_stage_read(slc_pipeline *p, const config_setting_t *group, size_t index, slc_stage **out,
                   slc_diag *d);
void slc_stage_free(slc_stage *st);

/* A stage's `watermark = { column; delay; }` (config_watermark.c). */
int slc_stage_read_watermark(slc_stage *st, const config_setting_t *g, slc_diag *d);
/* The top-level `watermark_policy = "min" | "max"`. */
int slc_read_watermark_policy(slc_pipeline *p, const config_setting_t *s, slc_diag *d);

/* Is key one the core owns inside a stage? */
bool slc_stage_key_is_core(const char *key);
extern const char *const slc_stage_core_keys[];
extern const size_t slc_n_stage_core_keys;

/* Builds st->options from the stage's plugin options, checked against the
 * plugin's table; every problem goes to d. */
int slc_stage_build_options(slc_stage *st, slc_diag *d);

#endif
