/* fmt_csv.h - the CSV tokenizer shared by the decoder and inference (not
 * installed). */
#ifndef SLUICE_FMT_CSV_H
#define SLUICE_FMT_CSV_H

#include "fmt_internal.h"

enum { SLF_C_PLAIN = 0, SLF_C_SEP, SLF_C_NL };

typedef struct slf_csvtok {
	uint8_t cls[256]; /* unquoted field scanning */
	char sep, quote, escape, comment;
	bool multi_line, trim_lead, trim_trail;
	char *scratch; /* unescaped fields */
	size_t scratch_cap;
} slf_csvtok;

/* A field as found in the input. */
typedef struct slf_cfield {
	const char *p;
	size_t len;
	bool quoted;
	bool escaped; /* p/len is the raw quoted content: unescape it */
} slf_cfield;

/* Outcome of scanning a field: followed by a separator, by a line end, by
 * the end of the input; F_MORE: the buffer ended inside the record and more
 * input may come; F_BROKEN: an unterminated quote (*bad: where it opened). */
enum { SLF_F_SEP, SLF_F_EOL, SLF_F_END, SLF_F_MORE, SLF_F_BROKEN };

int slf_csvtok_init(slf_csvtok *t, const sl_format_options *o, sl_error *err);
void slf_csvtok_free(slf_csvtok *t);
/* Scans the field at *pp (lines inside and after it are added to *lines). */
int slf_csv_field(slf_csvtok *t, const char **pp, const char *end, bool eof, slf_cfield *f,
                  int64_t *lines, const char **bad);
/* Replaces an escaped field by its unescaped copy (in t->scratch). */
int slf_csv_unescape(slf_csvtok *t, slf_cfield *f);

#endif
