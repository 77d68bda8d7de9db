/* checkpoint.h - the checkpoint directory (ARCHITECTURE.md, "Checkpoints,
 * state and exactly-once"):
 *
 *   CHK/metadata        {"version":1, "id", "name", "created", "stateful"}
 *   CHK/lock            flock()ed by the running process (holds its pid)
 *   CHK/offsets/N       batch N's plan + "crc32c <hex>", fsynced before N runs
 *   CHK/commits/N       mirror of batch N's commit (the truth is in the store)
 *   CHK/state/          the Berkeley DB environment (state.h)
 *   CHK/progress.jsonl  the last progress lines
 *
 * Every message is one line and names the checkpoint ("checkpoint DIR").
 */
#ifndef SLUICE_CORE_CHECKPOINT_H
#define SLUICE_CORE_CHECKPOINT_H

#include <jansson.h>
#include <sluice/sluice.h>

#include "pipeline.h"

/* How many offsets/commits entries and progress lines are kept. */
#define SLC_CHECKPOINT_KEEP 100

typedef struct slc_checkpoint slc_checkpoint;

/* --- the directory, the lock, the metadata (checkpoint.c) --- */

/* Creates dir if needed, takes the lock (a second process gets SL_ESTATE
 * at once, and nothing is changed), creates the layout and reads the
 * metadata when there is one. */
int slc_checkpoint_open(const char *dir, slc_checkpoint **out, sl_error *err);
/* Releases the lock. */
void slc_checkpoint_close(slc_checkpoint *c);
const char *slc_checkpoint_dir(const slc_checkpoint *c);
/* "checkpoint DIR", the prefix of every message. */
const char *slc_checkpoint_where(const slc_checkpoint *c);
/* The query id (from the metadata, or a new one for a new checkpoint). */
const char *slc_checkpoint_id(const slc_checkpoint *c);

/* What a stateful stage's state was built under (checkpoint_fp.c): its
 * plugin, input schemas, every option in canonical form, then the output
 * schema.  Before create the first three are compared with the metadata's
 * record, after create the output schema; a stage the metadata does not
 * know is added.  A difference is SL_ESTATE naming what changed, from what
 * to what (err->option set for an option, whose file:line the caller
 * shows).  Records written by an older sluice (a fingerprint string) are
 * compared as fingerprints and rewritten as records. */
int slc_checkpoint_check_before(slc_checkpoint *c, const slc_stage *st,
                                const sl_schema *const *inputs, sl_error *err);
int slc_checkpoint_check_after(slc_checkpoint *c, const slc_stage *st, sl_error *err);
/* Writes the metadata (fsynced) when it is new or a stateful stage was
 * added; warns about stateful stages of the metadata the pipeline lost. */
int slc_checkpoint_save_metadata(slc_checkpoint *c, const slc_pipeline *p, sl_error *err);

/* --- records and fingerprints (checkpoint_fp.c) --- */

/* {"plugin", "inputs", "options"} of a stateful stage (a new reference, NULL
 * when out of memory); _output adds "output". */
json_t *slc_stage_record(const slc_stage *st, const sl_schema *const *inputs);
int slc_stage_record_output(json_t *record, const slc_stage *st);
/* Older checkpoints' fingerprints: 16 hex digits over plugin name, input
 * schemas and EXPR/EXPR_LIST option texts (whitespace-normalised); over the
 * output schema. */
int slc_fingerprint_before(const slc_stage *st, const sl_schema *const *inputs, char out[17]);
int slc_fingerprint_after(const slc_stage *st, char out[17]);

/* --- offsets and commits (checkpoint_log.c) --- */

/* One offsets entry: where every source stands after batch_id. */
typedef struct slc_offsets {
	int64_t batch_id;
	int64_t timestamp_us; /* the batch's trigger time (wall clock) */
	int64_t watermark_us; /* in force for the batch, or SL_NO_WATERMARK */
	size_t n;
	char **names; /* source stage names */
	char **ends;  /* end offsets; NULL when the source has none yet */
	/* "eventTimeMaxUs": the largest event time each stage tracking event
	 * time saw before this batch (informative; the state store's record is
	 * what a restart reads). */
	size_t n_event;
	char **event_names;
	int64_t *event_max;
} slc_offsets;

void slc_offsets_free(slc_offsets *o);
/* The end of source `name`; *found says whether the entry has it. */
const char *slc_offsets_end(const slc_offsets *o, const char *name, bool *found);

/* Writes offsets/N (temp file, fsync, rename, fsync of the directory). */
int slc_checkpoint_write_offsets(slc_checkpoint *c, const slc_offsets *o, sl_error *err);
/* Reads and checks offsets/N: SL_ENOTFOUND when absent, SL_EIO with
 * "damaged" in the message when the checksum fails or it is cut short. */
int slc_checkpoint_read_offsets(const char *dir, int64_t n, slc_offsets *out, sl_error *err);
/* Writes the commits/N mirror and prunes entries older than the last
 * SLC_CHECKPOINT_KEEP. */
int slc_checkpoint_write_commit(slc_checkpoint *c, int64_t n, int64_t timestamp_us, sl_error *err);
/* Applies the damaged-entry rule against the last committed batch
 * (-1: none): every entry is checked; a damaged last entry after it is
 * moved to offsets/N.damaged with a warning; any other damage, a missing
 * entry for `committed` or an entry beyond committed + 1 is an error.
 * *last: the highest good entry (-1 when none). */
int slc_checkpoint_check_log(slc_checkpoint *c, int64_t committed, int64_t *last, sl_error *err);
/* Entry numbers in dir/sub ("offsets", "commits"), ascending. */
int slc_checkpoint_list(const char *dir, const char *sub, int64_t **ids, size_t *n);
/* Drops offsets and commits entries below first_kept. */
void slc_checkpoint_prune(slc_checkpoint *c, int64_t first_kept);

/* --- progress (checkpoint_progress.c) --- */

/* Appends one line to progress.jsonl, keeping the last
 * SLC_CHECKPOINT_KEEP lines. */
int slc_checkpoint_add_progress(slc_checkpoint *c, const char *line, sl_error *err);

/* --- the scheduler's side (checkpoint_batch.c) --- */

/* Where the run starts: the first batch id, and whether that batch is a
 * logged one replayed (its sources' statuses and ends are set). */
typedef struct slc_resume {
	int64_t batch_id;
	bool replay;
	int64_t trigger_us;   /* the replayed batch's trigger time */
	int64_t watermark_us; /* the replayed batch's watermark */
	int64_t next_watermark_us; /* not replaying: the watermark computed at the
	                            * end of the last committed batch */
	int64_t last_watermark_us; /* the watermark in force for the last
	                            * committed batch (its offsets entry's) */
} slc_resume;

/* Restart logic: the last committed batch from the store, the log checked,
 * sources moved to their committed offsets, the uncommitted batch (if any)
 * prepared for replay.  Without a checkpoint: batch 0, nothing to replay. */
int slc_chk_restore(slc_pipeline *p, slc_resume *r, sl_error *err);
/* Before batch bc->batch_id runs: offsets/N written and fsynced, crash
 * point "offsets-written", the state transaction begun. */
int slc_chk_log_offsets(slc_pipeline *p, const sl_batch_ctx *bc, sl_error *err);
/* After the sinks committed: crash point "state-commit", the commit record
 * and the state transaction committed, commits/N written. */
int slc_chk_log_commit(slc_pipeline *p, const sl_batch_ctx *bc, sl_error *err);
/* A failed batch: its state writes are dropped. */
void slc_chk_abort(slc_pipeline *p);

/* --- shared small helpers (fsutil.c, crc32c.c) --- */

uint32_t slc_crc32c(uint32_t crc, const void *data, size_t len);
/* Writes path through a temporary file and a rename; sync: fsync the file
 * and its directory. */
int slc_write_file(const char *path, const void *data, size_t len, bool sync, sl_error *err);
/* Reads a whole file (NUL-terminated); SL_ENOTFOUND when absent. */
int slc_read_file(const char *path, char **data, size_t *len, sl_error *err);
int slc_fsync_dir(const char *dir, sl_error *err);
/* ISO-8601 UTC with milliseconds. */
void slc_iso_time(int64_t us, char *buf, size_t n);

#endif
