/* util.h - libsluice's bottom layer: what every other component may use
 * and what uses nothing of theirs.
 *
 *   error.c      sl_error                     strbuf.c   sl_strbuf
 *   parse.c      durations, sizes, did-you-mean
 *   numfmt.c     numbers as text (Java's Double.toString), numparse.c back
 *   timestamp.c  timestamps as Spark writes and reads them
 *   calendar.c   civil dates <-> days since the epoch
 *   utf8.c       validation, repair, counting characters
 *   base64.c     RFC 4648 base64        json.c   JSON string escaping
 *   file.c       durable files (sl_file.h)
 *   tspattern.c  Java-style datetime patterns (tspattern.h)
 *
 * The public part is sl_common.h, sl_text.h and sl_file.h; this header adds
 * what only libsluice's own components share (prefix slu_).  Layering is one
 * way: util < data < host, group, format < expr (doc/ARCHITECTURE.md).
 */
#ifndef SLUICE_UTIL_H
#define SLUICE_UTIL_H

#include <sluice/sl_common.h>
#include <sluice/sl_text.h>

/* Drops leading and trailing bytes <= ' ' (spaces, control characters)
 * from the range *p, *len, as Spark's casts trim. */
static inline void slu_trim(const char **p, size_t *len)
{
	const char *s = *p;
	size_t n = *len;

	while (n > 0 && (unsigned char)s[0] <= ' ') {
		s++;
		n--;
	}
	while (n > 0 && (unsigned char)s[n - 1] <= ' ')
		n--;
	*p = s;
	*len = n;
}

/* Days since 1970-01-01 of a proleptic Gregorian date, and back. */
int64_t slu_days_from_civil(int64_t y, unsigned m, unsigned d);
void slu_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d);
/* 28..31; m in 1..12. */
int slu_days_in_month(int64_t y, int64_t m);

/* Two ASCII digits per value 0..99: "00" "01" ... "99". */
extern const char slu_digit_pairs[201];

/* Characters (not continuation bytes) in p[0..len). */
int64_t slu_utf8_count(const char *p, size_t len);
/* Byte offset of character k (clamped to len). */
size_t slu_utf8_offset(const char *p, size_t len, int64_t k);
/* Byte length of the character starting with byte c (1 for invalid). */
static inline size_t slu_utf8_clen(unsigned char c)
{
	if (c < 0xC0)
		return 1;
	if (c < 0xE0)
		return 2;
	if (c < 0xF0)
		return 3;
	return 4;
}
/* Copies p[0..len) to out (room for 3 * len) with every byte that is not
 * part of valid UTF-8 replaced by U+FFFD; returns the bytes written. */
size_t slu_utf8_repair(const char *p, size_t len, char *out);

#endif
