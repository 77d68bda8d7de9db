/* sl_common.h - status codes, error buffer, small shared helpers.
 *
 * Sign convention (STYLE habit 4): negative = error, zero = ok,
 * positive = a signal (end of stream, nothing yet).
 */
#ifndef SLUICE_SL_COMMON_H
#define SLUICE_SL_COMMON_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define SL_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#define SL_EXPORT __attribute__((visibility("default")))
#define SL_LIKELY(x) __builtin_expect(!!(x), 1)
#define SL_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define SL_PRINTF(fmt, args)
#define SL_EXPORT
#define SL_LIKELY(x) (x)
#define SL_UNLIKELY(x) (x)
#endif

enum {
	SL_OK = 0,
	SL_EOF = 1,   /* end of input: nothing more will come */
	SL_AGAIN = 2, /* nothing now, ask again later */

	SL_ERR = -1,       /* generic failure, message in sl_error */
	SL_ENOMEM = -2,    /* out of memory */
	SL_EINVAL = -3,    /* bad argument, option or input */
	SL_EIO = -4,       /* I/O failure */
	SL_ETYPE = -5,     /* type mismatch */
	SL_ENOTFOUND = -6, /* unknown name (column, plugin, function) */
	SL_EABI = -7,      /* module built for another ABI */
	SL_ESTATE = -8     /* called in the wrong state */
};

#define SL_ERROR_MAX 512

/* An error report.  Functions that can fail take an sl_error * (may be
 * NULL) and return a negative code; the message is one line without a
 * trailing newline.  `option` names the option at fault (a static string or
 * one owned by the options object) so the core can add file:line; `pos` is a
 * 0-based character position inside that option's text, or -1. */
typedef struct sl_error {
	int code;
	int pos;
	const char *option;
	char msg[SL_ERROR_MAX];
} sl_error;

/* Sets code and message (printf style); returns code so callers can write
 * `return sl_error_set(err, SL_EINVAL, "...")`.  err may be NULL. */
int sl_error_set(sl_error *err, int code, const char *fmt, ...) SL_PRINTF(3, 4);
int sl_error_setv(sl_error *err, int code, const char *fmt, va_list ap);
/* Like sl_error_set but also records the option and position at fault. */
int sl_error_at(sl_error *err, int code, const char *option, int pos, const char *fmt, ...)
	SL_PRINTF(5, 6);
/* Prefixes the message with "prefix: " (keeps code, option, pos). */
void sl_error_prefix(sl_error *err, const char *fmt, ...) SL_PRINTF(2, 3);
void sl_error_clear(sl_error *err);
const char *sl_strerror(int code);

/* A byte range that is not owned: a view into someone else's memory. */
typedef struct sl_strview {
	const char *ptr;
	size_t len;
} sl_strview;

/* A growable NUL-terminated string (used for offsets, JSON, messages). */
typedef struct sl_strbuf {
	char *buf; /* always NUL-terminated once anything was appended */
	size_t len;
	size_t cap;
} sl_strbuf;

int sl_strbuf_append(sl_strbuf *sb, const char *s, size_t len);
/* Makes room for `extra` more bytes and a NUL after sb->len, so that a
 * writer may fill sb->buf + sb->len directly and then advance sb->len. */
int sl_strbuf_reserve(sl_strbuf *sb, size_t extra);
int sl_strbuf_puts(sl_strbuf *sb, const char *s);
int sl_strbuf_printf(sl_strbuf *sb, const char *fmt, ...) SL_PRINTF(2, 3);
void sl_strbuf_reset(sl_strbuf *sb); /* len = 0, keeps memory */
void sl_strbuf_free(sl_strbuf *sb);

/* Parses "250ms", "1s", "1.5 seconds", "30 minutes", "2h", "1 day" into
 * microseconds.  Returns SL_OK or SL_EINVAL with a message. */
int sl_parse_duration(const char *text, int64_t *out_us, sl_error *err);
/* Parses "64", "64k", "10MB", "1GiB" into bytes. */
int sl_parse_size(const char *text, int64_t *out_bytes, sl_error *err);
/* Levenshtein distance, capped at `limit` + 1; for did-you-mean messages. */
size_t sl_edit_distance(const char *a, const char *b, size_t limit);
/* Best match for `name` among `n` candidates within a small distance, or
 * NULL.  Case-insensitive. */
const char *sl_did_you_mean(const char *name, const char *const *candidates, size_t n);

#ifdef __cplusplus
}
#endif
#endif
