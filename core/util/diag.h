/* diag.h - collected pipeline-file errors, each "file:line: message".
 *
 * The config reader, the planner and the stage builder add to one list so
 * `sluice validate` can report every problem it found, not only the first.
 */
#ifndef SLUICE_CORE_DIAG_H
#define SLUICE_CORE_DIAG_H

#include <stdio.h>

#include <sluice/sluice.h>

typedef struct slc_diag_entry {
	char *file; /* NULL when the message has no place */
	int line;
	char *msg; /* the whole line, "file:line: ..." */
} slc_diag_entry;

typedef struct slc_diag {
	slc_diag_entry *v;
	size_t n;
	size_t cap;
} slc_diag;

void slc_diag_init(slc_diag *d);
void slc_diag_free(slc_diag *d);

/* Adds "file:line: stage 'x': message" (file, line > 0 and stage are each
 * left out when NULL/0).  Returns SL_EINVAL so callers can return it. */
int slc_diag_add(slc_diag *d, const char *file, int line, const char *stage, const char *fmt, ...)
    SL_PRINTF(5, 6);
/* Adds an sl_error as "file:line: stage 'x': option 'y': message (at
 * character N)"; the option part only when err has one that the message
 * does not already quote, the position only when err has one. */
int slc_diag_add_error(slc_diag *d, const char *file, int line, const char *stage,
                       const sl_error *err);
/* The i-th message as added. */
const char *slc_diag_msg(const slc_diag *d, size_t i);
/* Prints every message as an error (slc_print_error), ordered by file (in
 * order of first mention) and line; messages of one line keep the order
 * they came in. */
void slc_diag_print(const slc_diag *d, FILE *f);

/* The one form of every error sluice prints, in validate and run alike:
 *   sluice: error: FILE:LINE: stage 'x': option 'y': message
 * (each place part only when known; "checkpoint DIR: ..." where the
 * checkpoint is the place), on one line: line breaks in the message (an
 * option's value, a plugin's text) become spaces. */
#define SLC_ERROR_PREFIX "sluice: error: "
void slc_print_error(FILE *f, const char *fmt, ...) SL_PRINTF(2, 3);
/* Replaces the line breaks of s with spaces, in place. */
void slc_one_line(char *s);

#endif
