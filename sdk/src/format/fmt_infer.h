/* fmt_infer.h - schema inference internals (not installed).
 *
 * Inferred types are slf_ity trees merged value by value with Spark's
 * rules; they become an sl_schema at the end. */
#ifndef SLUICE_FMT_INFER_H
#define SLUICE_FMT_INFER_H

#include "fmt_csv.h"

typedef enum {
	ITY_NULL = 0, /* only nulls seen */
	ITY_LONG,
	ITY_DOUBLE,
	ITY_TS,
	ITY_BOOL,
	ITY_STRING,
	ITY_STRUCT,
	ITY_ARRAY
} slf_ity_kind;

typedef struct slf_ity slf_ity;
struct slf_ity {
	slf_ity_kind kind;
	size_t n, cap; /* struct: fields sorted by name */
	char **names;
	slf_ity **kids; /* struct fields; array: kids[0] the element */
};

slf_ity *slf_ity_new(slf_ity_kind kind);
void slf_ity_free(slf_ity *t);
/* Merges b into *a (b is consumed). */
int slf_ity_merge(slf_ity **a, slf_ity *b);
/* The struct field called name (created as ITY_NULL when missing). */
slf_ity **slf_ity_field(slf_ity *st, const char *name, size_t len);
/* The sl type; all-null fields become STRING, or are dropped with drop. */
sl_type *slf_ity_to_type(const slf_ity *t, bool drop_all_null);

struct sl_inferrer {
	sl_format_kind kind;
	sl_format_config opts;
	slf_ity *root;   /* JSON: the struct of all records */
	bool corrupt;    /* a record was malformed (PERMISSIVE) */
	int64_t records; /* records seen */
	int64_t sampled; /* records used */
	double acc;      /* samplingRatio accumulator */
	char *tail;      /* an unfinished record */
	size_t tail_len, tail_cap;
	int64_t offset, line;
	/* CSV */
	slf_csvtok tok;
	slf_tsfmt *tsfmt;
	bool have_names;
	size_t n_cols;
	char **names;       /* from the header, or NULL */
	slf_ity_kind *cols; /* per column */
};

/* Whether the next record is part of the sample. */
bool slf_infer_take(sl_inferrer *inf);
int slf_json_infer(sl_inferrer *inf, const char *buf, size_t len, bool eof, size_t *used,
                   sl_error *err);
int slf_json_infer_finish(sl_inferrer *inf, sl_schema **out, sl_error *err);
int slf_csv_infer(sl_inferrer *inf, const char *buf, size_t len, bool eof, size_t *used,
                  sl_error *err);
int slf_csv_infer_finish(sl_inferrer *inf, sl_schema **out, sl_error *err);

#endif
