/* sl_plugin.h - the plugin ABI: module guard, plugin descriptors, the host
 * services table, the per-batch calls.
 *
 * A module (.so) exports one function, sl_module_info(), returning an
 * sl_module: the ABI version it was built for, the sizes of the structs it
 * was compiled with, and its plugin descriptors.  Write it with SL_MODULE().
 *
 * Lifecycle of a stage:
 *   create(init) -> (per micro-batch: begin_batch, read|process..., end_batch,
 *   commit) ... -> destroy.
 * All state lives in the context returned by create (STYLE habit 8): two
 * stages of one plugin never share anything.  Plugins never exit or abort;
 * they return a status code and fill the sl_error.
 */
#ifndef SLUICE_SL_PLUGIN_H
#define SLUICE_SL_PLUGIN_H

#include <sluice/sl_batch.h>
#include <sluice/sl_options.h>
#include <sluice/sl_version.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum sl_plugin_kind {
	SL_PLUGIN_SOURCE = 1,
	SL_PLUGIN_TRANSFORM = 2, /* includes aggregates and windows */
	SL_PLUGIN_SINK = 3
} sl_plugin_kind;

/* Descriptor flags. */
enum {
	SL_PLUGIN_STATEFUL = 1u << 0,   /* keeps state across batches */
	SL_PLUGIN_REPLAYABLE = 1u << 1, /* source: can re-read a logged range */
	SL_PLUGIN_MULTI_INPUT = 1u << 2 /* transform: accepts several inputs */
};

/* Output modes (Spark's): which rows of a stateful result reach the sink. */
typedef enum sl_output_mode {
	SL_MODE_APPEND = 0,   /* rows that will never change again */
	SL_MODE_UPDATE = 1,   /* rows changed by this batch */
	SL_MODE_COMPLETE = 2  /* the whole result, every batch */
} sl_output_mode;

typedef enum sl_log_level {
	SL_LOG_ERROR = 0,
	SL_LOG_WARN = 1,
	SL_LOG_INFO = 2,
	SL_LOG_DEBUG = 3
} sl_log_level;

#define SL_NO_WATERMARK INT64_MIN

/* What every per-batch call learns about the micro-batch. */
typedef struct sl_batch_ctx {
	uint32_t size;          /* sizeof(sl_batch_ctx) */
	int64_t batch_id;       /* 0, 1, 2, ... */
	int64_t watermark_us;   /* in force for this batch, or SL_NO_WATERMARK */
	int64_t trigger_us;     /* wall clock when the batch started, us */
	int last;               /* non-zero: end of input, no batch follows */
} sl_batch_ctx;

/* Where a stage's output goes.  sl_emit takes over the batch (transfer full,
 * also on failure); the core pushes it to every consumer before returning. */
typedef struct sl_emitter sl_emitter;
struct sl_emitter {
	int (*emit)(sl_emitter *self, sl_batch *batch);
	void *priv;
};
static inline int sl_emit(sl_emitter *out, sl_batch *batch)
{
	return out->emit(out, batch);
}

/* The handle of a stage, passed back with every host call.  Its first
 * member is the host table; the rest belongs to the core. */
typedef struct sl_stage sl_stage;
struct sl_host;
struct sl_state_api;
struct sl_watermark_api;
struct sl_stage {
	const struct sl_host *host;
};

/* Core services, handed to create (Redis-module style).  Append-only: new
 * members go at the end and bump SL_ABI_MINOR; check `size` before using a
 * member newer than your minimum. */
typedef struct sl_host {
	uint32_t size;    /* sizeof(sl_host) as built by the host */
	uint32_t version; /* (SL_ABI_MAJOR << 16) | SL_ABI_MINOR */
	void (*logv)(sl_stage *st, sl_log_level level, const char *fmt, va_list ap);
	/* Adds delta to a named counter of the stage, shown in progress reports
	 * (e.g. "rowsDropped", "badRecords"). */
	void (*metric_add)(sl_stage *st, const char *name, int64_t delta);
	/* Becomes non-zero when the pipeline is asked to stop (SIGINT/SIGTERM);
	 * long-running loops inside a plugin should check it. */
	int (*stopping)(sl_stage *st);
	/* The stage's name in the pipeline file. */
	const char *(*stage_name)(sl_stage *st);
	/* The pipeline's checkpoint directory, or NULL when it has none. */
	const char *(*checkpoint_dir)(sl_stage *st);
	/* The state store (sl_state.h); NULL on a host without one. */
	const struct sl_state_api *state;
	/* The event-time watermark service (sl_watermark.h); NULL on a host
	 * without one. */
	const struct sl_watermark_api *watermark;
	/* Side outputs (sl_side.h), ABI 1.1: extra named outputs of a stage.
	 * declare: in create; the schema is borrowed (the core takes a
	 * reference).  emit: takes the batch (transfer full, also on failure). */
	int (*side_output_declare)(sl_stage *st, const char *name, sl_schema *schema,
				   sl_error *err);
	int (*side_emit)(sl_stage *st, const char *name, sl_batch *batch);
	/* ABI 1.2: the query's id, a UUID string: the checkpoint's (stable
	 * across restarts), or one for this run without a checkpoint.  Sinks
	 * that deduplicate their output by batch id tag what they write with
	 * it.  Valid until destroy. */
	const char *(*query_id)(sl_stage *st);
	/* Reserved for services that arrive later (timers, dead letters). */
	void *reserved[11];
} sl_host;

/* Everything create() gets.  Borrowed for the duration of create, except
 * host and self, which stay valid until destroy. */
typedef struct sl_stage_init {
	uint32_t size;                       /* sizeof(sl_stage_init) */
	const char *stage_name;
	const sl_options *options;
	size_t n_inputs;                     /* 0 for sources */
	const sl_schema *const *input_schemas;
	sl_output_mode output_mode;          /* the query's mode at this stage */
	const sl_host *host;
	sl_stage *self;
	const char *checkpoint_dir;          /* NULL when the pipeline has none */
	/* Non-zero when the stage is created only to be checked (`sluice
	 * validate`, `explain`): work out the schema and check the options, but
	 * open no connections and touch no files.  No batch call follows. */
	int dry_run;
	/* ABI 1.1: the stage's `watermark = { column; delay; }` declaration
	 * (core-owned key, sl_watermark.h): the TIMESTAMP input column the core
	 * scans, and the delay in microseconds; NULL / 0 when none. */
	const char *watermark_column;
	int64_t watermark_delay_us;
	/* ABI 1.2: non-zero with the trigger available-now (and once): the run
	 * processes what exists when it starts, then stops.  A source whose
	 * input keeps arriving (Kafka) bounds its plans to the end offsets it
	 * sees at its first plan, as Spark's Trigger.AvailableNow does.  Check
	 * init->size before reading it. */
	int available_now;
} sl_stage_init;

typedef struct sl_plugin sl_plugin;

struct sl_plugin {
	uint32_t size;            /* sizeof(sl_plugin) as compiled */
	const char *name;         /* what `plugin = "..."` names */
	sl_plugin_kind kind;
	uint32_t flags;           /* SL_PLUGIN_* */
	const char *summary;      /* one line for `sluice plugins` */
	const char *doc;          /* a paragraph, may be NULL */
	const sl_option_spec *options;

	/* Creates a stage.  *out_schema receives the output schema (transfer
	 * full) for sources and transforms; sinks leave it NULL. */
	int (*create)(const sl_stage_init *init, void **ctx, sl_schema **out_schema, sl_error *err);
	void (*destroy)(void *ctx);

	/* --- sources --- */
	/* Decides what the next batch will read.  `start` is the end offset of
	 * the previous batch (NULL before the first).  Writes the end offset as
	 * text (JSON is recommended) into end.  Returns SL_OK when there is data
	 * up to end, SL_AGAIN when there is none now, SL_EOF when the source is
	 * finished and has nothing more. */
	int (*plan)(void *ctx, const char *start, sl_strbuf *end, sl_error *err);
	/* Reads (start, end] and emits it as one or more batches. */
	int (*read)(void *ctx, const char *start, const char *end, const sl_batch_ctx *bc,
		    sl_emitter *out, sl_error *err);
	/* The batch that read up to end is committed: data before it may be
	 * released (files archived, buffers freed). */
	int (*source_commit)(void *ctx, const char *end, sl_error *err);

	/* --- transforms and sinks --- */
	int (*begin_batch)(void *ctx, const sl_batch_ctx *bc, sl_error *err);
	/* One input batch (borrowed) arriving on input port `port`. */
	int (*process)(void *ctx, size_t port, const sl_batch *in, const sl_batch_ctx *bc,
		       sl_emitter *out, sl_error *err);
	/* Every input of the batch has arrived: stateful stages emit their
	 * results here; sinks write out batch bc->batch_id (idempotently). */
	int (*end_batch)(void *ctx, const sl_batch_ctx *bc, sl_emitter *out, sl_error *err);
	/* The batch is durable everywhere; sinks make it visible. */
	int (*commit)(void *ctx, int64_t batch_id, sl_error *err);

	const void *reserved[8];
};

/* The module guard (PostgreSQL's PG_MODULE_MAGIC, GStreamer's plugin
 * define): build facts the loader compares before touching anything else. */
typedef struct sl_module {
	uint32_t abi_major;
	uint32_t abi_minor;
	uint32_t sizeof_plugin;
	uint32_t sizeof_host;
	const char *sdk_version; /* SL_VERSION_STRING of the headers used */
	const char *name;        /* the module's name */
	size_t n_plugins;
	const sl_plugin *const *plugins;
} sl_module;

typedef const sl_module *(*sl_module_info_fn)(void);
#define SL_MODULE_SYMBOL "sl_module_info"

/* Declares the module: SL_MODULE(my_module, &plugin_a, &plugin_b); */
#define SL_MODULE(modname, ...)                                                             \
	static const sl_plugin *const sl_module_plugins_[] = {__VA_ARGS__};                \
	SL_EXPORT const sl_module *sl_module_info(void);                                   \
	SL_EXPORT const sl_module *sl_module_info(void)                                    \
	{                                                                                   \
		static const sl_module m = {                                                \
			SL_ABI_MAJOR,                                                       \
			SL_ABI_MINOR,                                                       \
			(uint32_t)sizeof(sl_plugin),                                        \
			(uint32_t)sizeof(sl_host),                                          \
			SL_VERSION_STRING,                                                  \
			#modname,                                                           \
			sizeof(sl_module_plugins_) / sizeof(sl_module_plugins_[0]),         \
			sl_module_plugins_};                                                \
		return &m;                                                                  \
	}

/* --- conveniences over the host table (implemented in libsluice) --- */
void sl_log(sl_stage *st, sl_log_level level, const char *fmt, ...) SL_PRINTF(3, 4);
void sl_metric_add(sl_stage *st, const char *name, int64_t delta);
int sl_stopping(sl_stage *st);
/* host->query_id, or NULL on a host older than ABI 1.2. */
const char *sl_query_id(sl_stage *st);

/* Test hook for crash tests: when the environment variable SLUICE_CRASH_AT
 * is "point:batch" (or just "point", any batch) and matches, prints one line
 * on stderr and kills the process with SIGKILL, as a power cut would.  The
 * core and the plugins call it at the named points of the commit protocol. */
void sl_crash_point(const char *point, int64_t batch_id);

#ifdef __cplusplus
}
#endif
#endif
