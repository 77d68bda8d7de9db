/* sl_options.h - declared plugin options (STYLE habit 3).
 *
 * A plugin declares its options in a {0}-terminated table.  The core reads
 * the pipeline file, validates every key against the table (unknown keys are
 * errors with a did-you-mean, values are converted to the declared type,
 * required options are checked) and hands the plugin a read-only sl_options.
 * The same table prints `sluice plugins NAME` and the generated reference.
 * Plugins never parse configuration themselves.
 */
#ifndef SLUICE_SL_OPTIONS_H
#define SLUICE_SL_OPTIONS_H

#include <sluice/sl_common.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum sl_opt_type {
	SL_OPT_STRING = 1,
	SL_OPT_INT,         /* int64; "9999" is accepted too */
	SL_OPT_DOUBLE,
	SL_OPT_BOOL,        /* true/false, yes/no, on/off, 1/0 */
	SL_OPT_DURATION,    /* "1s", "250 ms", "30 minutes" -> microseconds */
	SL_OPT_SIZE,        /* "64k", "10MB" -> bytes */
	SL_OPT_ENUM,        /* one of `choices` ("a|b|c") */
	SL_OPT_EXPR,        /* an expression; compiled by the plugin */
	SL_OPT_EXPR_LIST,   /* a list of expressions (or one string) */
	SL_OPT_STRING_LIST, /* a list of strings (or one string) */
	SL_OPT_GROUP        /* a nested group { ... } with its own table */
} sl_opt_type;

/* Flags of an option, in sl_option_spec.required (1, "must be given", is
 * the first of them). */
enum {
	SL_OPT_REQUIRED = 1 << 0, /* must be given */
	/* The option does not shape the state of a stateful stage (how late
	 * rows are routed, a test hook): it may change on a live checkpoint.
	 * Every other option of a stateful plugin is recorded in the
	 * checkpoint, and a change is refused at start, naming the option. */
	SL_OPT_NO_STATE = 1 << 1
};

typedef struct sl_option_spec {
	const char *name;
	sl_opt_type type;
	const char *def;      /* default in text form; NULL: none */
	int required;         /* SL_OPT_* flags; 1 (SL_OPT_REQUIRED): must be given */
	const char *doc;      /* one line */
	const char *choices;  /* SL_OPT_ENUM: "append|update|complete" */
	const struct sl_option_spec *group; /* SL_OPT_GROUP: member table */
} sl_option_spec;

const char *sl_opt_type_name(sl_opt_type t);

typedef struct sl_options sl_options;

/* --- read side, for plugins (names must be declared in the table) --- */
bool sl_opt_is_set(const sl_options *o, const char *name);   /* given or defaulted */
const char *sl_opt_string(const sl_options *o, const char *name); /* NULL if unset */
int64_t sl_opt_int(const sl_options *o, const char *name);
double sl_opt_double(const sl_options *o, const char *name);
bool sl_opt_bool(const sl_options *o, const char *name);
int64_t sl_opt_duration_us(const sl_options *o, const char *name);
int64_t sl_opt_size(const sl_options *o, const char *name);
/* List options (and single values of list type: a list of one). */
size_t sl_opt_list_len(const sl_options *o, const char *name);
const char *sl_opt_list_at(const sl_options *o, const char *name, size_t i);
/* A group option's members, or NULL when the group was not given. */
const sl_options *sl_opt_group(const sl_options *o, const char *name);
/* The pipeline-file line of an option (0 when unknown/defaulted). */
int sl_opt_line(const sl_options *o, const char *name);
/* The file the option came from (NULL when unknown). */
const char *sl_opt_file(const sl_options *o, const char *name);

/* --- write side, for the core and for test harnesses --- */
sl_options *sl_options_new(const sl_option_spec *spec);
void sl_options_free(sl_options *o);
const sl_option_spec *sl_options_spec(const sl_options *o);
/* Sets a scalar option from its text form, converting and checking it.
 * Unknown names: SL_ENOTFOUND with "unknown option 'x' (did you mean 'y'?)".
 * file may be NULL; it is copied. */
int sl_options_set(sl_options *o, const char *name, const char *text, const char *file, int line,
		   sl_error *err);
/* Appends one item to a list option. */
int sl_options_add(sl_options *o, const char *name, const char *text, const char *file, int line,
		   sl_error *err);
/* The members of a group option (created on first call). */
sl_options *sl_options_group_get(sl_options *o, const char *name, const char *file, int line,
				 sl_error *err);
/* Applies defaults and checks required options (recursively). */
int sl_options_finish(sl_options *o, sl_error *err);

#ifdef __cplusplus
}
#endif
#endif
