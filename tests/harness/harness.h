/* harness.h - a small fake host that drives one plugin through the public
 * ABI only (STYLE habit 11): it loads NAME.so from $SLUICE_PLUGIN_PATH,
 * builds the stage's options, calls create, pushes batches in and captures
 * what the stage emits, its log lines and its metrics.
 */
#ifndef SLUICE_TESTS_HARNESS_H
#define SLUICE_TESTS_HARNESS_H

#include <sluice/sluice.h>

typedef struct slh slh;

/* Loads module `plugin`.so and prepares a stage of the plugin of that name.
 * NULL (with a message on stderr) when the module cannot be used.  When the
 * module holds several plugins of that name (file: a source and a sink),
 * slh_new takes the first; slh_new_kind the one of the given role. */
slh *slh_new(const char *plugin);
slh *slh_new_kind(const char *plugin, sl_plugin_kind kind);
/* Destroys the stage (if created), drops captured batches, unloads. */
void slh_free(slh *h);

/* Options, from their text form (as a pipeline file gives them). */
int slh_set(slh *h, const char *name, const char *text);
int slh_add(slh *h, const char *name, const char *text); /* one list item */
/* Finishes the options and creates the stage with one input of schema
 * `input` (NULL for a source). */
int slh_create(slh *h, const sl_schema *input, sl_output_mode mode);
const sl_schema *slh_schema(const slh *h); /* the stage's output schema */
const sl_error *slh_error(const slh *h);   /* of the last failing call */
const sl_plugin *slh_plugin(const slh *h);
void slh_set_stopping(slh *h, int stopping);
/* The checkpoint directory the stage is told about (init and host); NULL
 * (the default) for none.  Call before slh_create; dir is copied. */
void slh_set_checkpoint(slh *h, const char *dir);

/* --- a state store for the fake host: in memory and transactional, like
 * the core's (writes of the running batch become visible to later reads at
 * once and durable at slh_store_commit).  It outlives stages, so a "restart"
 * is a new stage on the same store and a "crash" slh_store_abort then a new
 * stage.  One stage per store (keys are not namespaced). --- */
typedef struct slh_store slh_store;
slh_store *slh_store_new(void);
void slh_store_free(slh_store *db);
void slh_store_commit(slh_store *db);
void slh_store_abort(slh_store *db);
/* Committed keys that start with prefix. */
size_t slh_store_count(const slh_store *db, const char *prefix);
/* The committed value of key as a NUL-terminated copy (free it), or NULL. */
char *slh_store_get(const slh_store *db, const char *key);
/* Gives the stage host->state over db (borrowed; it must outlive h).
 * Without it the host has no state service.  Call before slh_create. */
void slh_use_store(slh *h, slh_store *db);

/* --- sources --- */
/* One source batch: plan from the last committed offset; on SL_OK read
 * (start, end] into the capture, commit the store (if any) and
 * source_commit(end).  Returns plan's result (or a read/commit error). */
int slh_pull(slh *h);
/* Sets the offset slh_pull starts from (a restart from a checkpoint). */
void slh_set_offset(slh *h, const char *offset);
/* The offset after the last slh_pull (NULL before the first). */
const char *slh_offset(const slh *h);
/* The lower-level calls, with explicit offsets. */
int slh_plan(slh *h, const char *start, sl_strbuf *end);
int slh_read(slh *h, const char *start, const char *end);
int slh_source_commit(slh *h, const char *end);

/* --- transforms and sinks --- */
int slh_begin(slh *h, int64_t batch_id);
int slh_push(slh *h, const sl_batch *in); /* process on port 0; in stays the caller's */
int slh_end(slh *h);
int slh_commit(slh *h);
/* begin, push each of n batches, end, commit. */
int slh_run(slh *h, int64_t batch_id, sl_batch *const *in, size_t n);

/* --- what came out --- */
size_t slh_n_out(const slh *h);
sl_batch *slh_out(const slh *h, size_t i); /* borrowed */
int64_t slh_out_rows(const slh *h);
void slh_clear(slh *h);
/* The captured rows as text, one line per row, values separated by ", "
 * (null as null, structs {a, b}, lists [a, b], doubles as Java prints
 * them, timestamps as yyyy-MM-dd HH:mm:ss[.f]).  Owned by h, valid until
 * the next call. */
const char *slh_out_text(slh *h);
/* Log lines so far, "LEVEL: message\n" each. */
const char *slh_logs(const slh *h);
void slh_clear_logs(slh *h);
int64_t slh_metric(const slh *h, const char *name);

/* --- event time and side outputs (harness_event.c) --- */
/* The watermark in force (bc->watermark_us) for the following batch calls;
 * SL_NO_WATERMARK (the default) for none. */
void slh_set_watermark(slh *h, int64_t watermark_us);
/* The stage's `watermark = { column; delay; }` as init tells it; call
 * before slh_create (column is copied). */
void slh_declare_watermark(slh *h, const char *column, int64_t delay_us);
/* The last deadline the stage reported with sl_watermark_next_deadline
 * (SL_NO_WATERMARK when none); the largest event time it observed. */
int64_t slh_deadline(const slh *h);
/* Side outputs the stage declared and the batches it emitted into them. */
size_t slh_side_declared(const slh *h);
const sl_schema *slh_side_schema(const slh *h, const char *name); /* NULL: undeclared */
size_t slh_side_n_out(const slh *h, const char *name);
int64_t slh_side_rows(const slh *h, const char *name);
/* Rendered like slh_out_text; owned by h, valid until the next call. */
const char *slh_side_text(slh *h, const char *name);
void slh_side_clear(slh *h);

/* --- test data --- */
/* A schema from DDL text ("a STRING, b BIGINT"); NULL (message on stderr)
 * on error. */
sl_schema *slh_schema_parse(const char *ddl);
/* A batch of schema `ddl` from a JSON array of rows, each row a JSON array of
 * values (null, numbers, strings, true/false, arrays for lists, arrays or
 * objects for structs; timestamps as microseconds).  NULL on error. */
sl_batch *slh_batch(const char *ddl, const char *json_rows);
/* Renders rows of a batch like slh_out_text. */
int slh_render(const sl_batch *b, sl_strbuf *sb);

#endif
