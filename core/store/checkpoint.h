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
 * The store knows directories, batch ids and bytes only: what a stage's
 * record says, and how a run uses the log, is decided above it (stateful.h,
 * protocol.h).  Every message is one line and names the checkpoint
 * ("checkpoint DIR").
 */
#ifndef SLUICE_CORE_CHECKPOINT_H
#define SLUICE_CORE_CHECKPOINT_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>
#include <sluice/sluice.h>

/* How many offsets/commits entries and progress lines are kept. */
#define SLC_CHECKPOINT_KEEP 100

typedef struct slc_checkpoint slc_checkpoint;

/* --- the directory and the lock (checkpoint.c, checkpoint_path.c) --- */

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

/* --- the metadata (checkpoint_meta.c) --- */

/* The metadata's "stateful" object, stage name -> record (borrowed): what
 * each stateful stage's state was built under, as the layer above wrote
 * it (an object, or a fingerprint string from sluice 0.1). */
const json_t *slc_checkpoint_records(const slc_checkpoint *c);
/* The record of stage, or NULL. */
const json_t *slc_checkpoint_record(const slc_checkpoint *c, const char *stage);
/* Sets the record of stage (record borrowed, a reference is taken); the
 * next save rewrites the metadata. */
int slc_checkpoint_set_record(slc_checkpoint *c, const char *stage, json_t *record, sl_error *err);
/* Writes the metadata (fsynced) when it is new or a record was set; name:
 * the query's (NULL: ""), kept from the first write. */
int slc_checkpoint_save_metadata(slc_checkpoint *c, const char *name, sl_error *err);

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

#endif
