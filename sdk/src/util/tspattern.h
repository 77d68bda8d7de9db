/* tspattern.h - Java/Spark datetime patterns (yyyy-MM-dd HH:mm:ss.SSS),
 * shared by the expression functions and the formats' timestampFormat.
 * Internal to libsluice. */
#ifndef SLUICE_TSPATTERN_H
#define SLUICE_TSPATTERN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Dialects: the expression functions (y M d D H h m s S a E X x Z z u, with
 * Java's limits on repeats, month and day names) or the formats'
 * timestampFormat (y M d H h a m s S X x Z only, numeric months). */
enum { SLT_EXPR = 0, SLT_FMT = 1 };

typedef struct slt_item {
	char letter; /* 0: literal */
	int count;
	const char *lit;
	size_t lit_len;
} slt_item;

typedef struct slt_pattern {
	slt_item *items;
	size_t n;
	char *text; /* owned copy of the pattern (literals point into it) */
	size_t text_len;
	int mode;
	bool ready;
} slt_pattern;

/* Compiles pat; SL_ENOMEM, or SL_EINVAL with *bad set to the offending
 * offset.  Any earlier program in p is released first. */
int slt_compile(slt_pattern *p, const char *pat, size_t len, int mode, size_t *bad);
void slt_clear(slt_pattern *p);
/* Parses s into microseconds UTC; false when it does not match. */
bool slt_parse(const slt_pattern *p, const char *s, size_t len, int64_t *out);
/* Writes us formatted into buf when it fits in cap bytes; returns the length
 * needed (SLT_EXPR) or written (SLT_FMT, which stops short of the end the
 * way timestampFormat always has). */
size_t slt_format(const slt_pattern *p, int64_t us, char *buf, size_t cap);

#endif
