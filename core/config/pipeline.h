/* pipeline.h - the pipeline model: what the file says (config/), what the
 * planner adds (plan/) and what a run keeps (run/).  Every layer above
 * config/ works on it; it names the loader, the checkpoint and the
 * scheduler only as opaque types, and owns the first two (and the state
 * store) until slc_pipeline_free.
 */
#ifndef SLUICE_CORE_PIPELINE_H
#define SLUICE_CORE_PIPELINE_H

#include <libconfig.h>

#include <sluice/sluice.h>

#include "config/trigger.h"
#include "store/state.h"
#include "util/diag.h"

struct slc_loader;
struct slc_sched;
struct slc_checkpoint;

/* A named counter of one stage (sl_metric_add). */
typedef struct slc_metric {
	char *name;
	int64_t batch; /* since the last progress report */
	int64_t total;
	bool touched; /* added to since the last progress report */
	int64_t last; /* `batch` of the last report that touched it */
} slc_metric;

/* What a source stage keeps between batches. */
typedef struct slc_source_state {
	char *start;      /* end offset of the last batch read; NULL before the first */
	char *last_start; /* where the last batch read began (for progress) */
	sl_strbuf end;    /* planned end of the current batch */
	int status;       /* last plan result: SL_OK, SL_AGAIN, SL_EOF */
	int64_t rows;     /* rows read in the current batch */
} slc_source_state;

/* A side output a stage declared in create (run/side.c). */
typedef struct slc_side {
	char *name;
	sl_schema *schema;
	size_t n_consumers; /* stages reading it: 0 means its rows are dropped */
	int64_t rows;       /* emitted this batch */
	int64_t total;
} slc_side;

/* What the core keeps of a stage's event time (run/watermark.c). */
typedef struct slc_event_time {
	bool declared;     /* the `watermark` key, or sl_watermark_declare */
	char *column;      /* the key's column; NULL when declared by the plugin */
	int64_t delay_us;
	int line;          /* of the key */
	int *cols;         /* per input port (one entry for a source: its output):
	                    * the column scanned, -1 when none */
	int64_t max_us;    /* max event time over every batch so far */
	int64_t batch_max; /* this batch's: scanned and observed */
	int64_t batch_min;
	int64_t batch_n;   /* rows with an event time this batch */
	double batch_sum;
	int64_t deadline;  /* next window end reported this batch */
} slc_event_time;

typedef struct slc_stage slc_stage;
typedef struct slc_pipeline slc_pipeline;

struct slc_stage {
	struct sl_stage base; /* must stay first: host calls get it back */
	slc_pipeline *pipeline;

	/* --- from the pipeline file --- */
	char *name;
	char *plugin_name;
	char **input_names;
	char **input_sides; /* per input: the side output read ("late" of
	                     * input = "win.late"), or NULL for the main output */
	size_t n_inputs;
	int mode;   /* SL_MODE_* given on this stage, or -1 */
	char *file; /* file holding the stage (include-aware) */
	int line;   /* line of the stage's group */
	int mode_line;
	const config_setting_t *setting; /* the stage's group, while the file is loaded */

	/* --- from the planner --- */
	sl_plugin_kind role;
	const sl_plugin *plugin;
	const char *module_path; /* borrowed from the loader */
	slc_stage **inputs;      /* n_inputs, NULL where unknown */
	slc_stage **consumers;
	size_t *consumer_ports; /* this stage's index in each consumer's inputs */
	const char **consumer_sides; /* the side output each consumer reads, or NULL */
	size_t n_consumers;
	size_t cap_consumers;
	sl_output_mode out_mode;
	int mode_set; /* out_mode decided */
	sl_options *options;
	sl_schema *schema; /* output schema; NULL for sinks */
	int broken;        /* an error was reported: skip it and what follows; 2: in a
	                    * cycle already reported */
	int created;
	void *ctx;

	/* --- while running --- */
	struct slc_sched *sched;
	sl_emitter emitter;
	int64_t rows_in;  /* this batch */
	int64_t rows_out; /* this batch */
	slc_source_state src;
	slc_metric *metrics;
	size_t n_metrics;

	/* --- event time and side outputs (run/watermark.c, run/side.c) --- */
	slc_event_time et;
	slc_side *sides;
	size_t n_sides;

	/* --- the state store (run/state_api.c) --- */
	slc_buf state_key;    /* "<name> NUL <key>" of the last call */
	slc_buf state_val;    /* the last value read (what get hands out) */
	int64_t state_writes; /* puts and deletes this batch */
};

struct slc_pipeline {
	char *path;
	char *name;
	slc_trigger trigger;
	char *checkpoint; /* NULL: none */
	char **plugin_path;
	size_t n_plugin_path;
	int progress; /* -1: not given */
	int dry_run;  /* created for validate/explain only */
	int mode;     /* top-level default output mode, or -1 */
	int mode_line;
	int wm_policy; /* SLC_WM_MIN or SLC_WM_MAX (`watermark_policy`) */

	slc_stage **stages; /* file order */
	size_t n_stages;
	slc_stage **order; /* topological order: every stage not in a cycle */
	size_t n_order;

	config_t *cfg;     /* the parsed file, until the options are built */
	char **file_names; /* included files' names as the user can open them */
	size_t n_file_names;
	struct slc_loader *loader;

	/* --- checkpoint and state (store/) --- */
	struct slc_checkpoint *chk; /* NULL: no checkpoint, or a dry run */
	slc_state *state;           /* durable with chk; else in memory, opened on first use */
	char query_id[37];          /* from the checkpoint's metadata; without one,
	                             * this run's own */
};

/* The stage behind an sl_stage handle (base is its first member). */
static inline slc_stage *slc_stage_of(sl_stage *st)
{
	return (slc_stage *)st;
}

/* How the global watermark combines the stages' (`watermark_policy`). */
enum { SLC_WM_MIN = 0, SLC_WM_MAX = 1 };

/* Reads and checks a pipeline file: top-level keys, stage keys, ${VAR}
 * expansion.  Errors go to d; *out is set whenever memory allowed (also
 * with errors, so more can be found).  Returns SL_OK, SL_EINVAL
 * (errors found) or SL_EIO (the file cannot be read or parsed). */
int slc_pipeline_read(const char *path, slc_pipeline **out, slc_diag *d);
/* Destroys the stages' contexts (if created), frees everything, unloads the
 * modules. */
void slc_pipeline_free(slc_pipeline *p);
/* Drops the parsed file once the options are built. */
void slc_pipeline_release_config(slc_pipeline *p);
/* Looks a stage up by name (NULL when none). */
slc_stage *slc_pipeline_stage(const slc_pipeline *p, const char *name);

#endif
