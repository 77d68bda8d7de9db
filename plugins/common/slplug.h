/* slplug.h - helpers shared by the bundled plugins (console, file, ...).
 *
 * A noinst convenience library linked into each module that needs it; the
 * symbols stay hidden inside every module (only sl_module_info is exported).
 * Candidates for the SDK once their shape has settled.
 */
#ifndef SLUICE_PLUGINS_SLPLUG_H
#define SLUICE_PLUGINS_SLPLUG_H

#include <sluice/sluice.h>
#include <sluice/sl_format.h>

/* Enough for any output of the formatters below, NUL included. */
#define SLP_FMT_MAX 40

/* Formats d as Java's Double.toString does (Spark prints doubles this way):
 * shortest round-tripping digits, "1896.0", "0.1", "1.0E10", "1.0E-5",
 * "NaN", "Infinity", "-0.0".  Returns the length written into buf
 * (capacity SLP_FMT_MAX). */
size_t slp_fmt_double(char *buf, double d);

/* Splits microseconds since the epoch (UTC) into a civil date and time. */
typedef struct slp_tm {
	int64_t year;
	int month, day, hour, min, sec;
	int usec; /* 0 .. 999999 */
} slp_tm;
void slp_tm_from_us(int64_t us, slp_tm *tm);

/* "2019-02-05 10:05:00", "2019-02-05 10:05:00.348", "...:00.000001": the
 * form of Spark's cast to string (fraction with trailing zeros trimmed). */
size_t slp_fmt_ts_show(char *buf, int64_t us);
/* "2020-07-25T14:55:00.348Z": Spark's JSON default (milliseconds, UTC). */
size_t slp_fmt_ts_iso(char *buf, int64_t us);

/* Parses {"name": integer, ...} offsets written by the bundled sources: the
 * integer member `key` of a flat JSON object.  Returns SL_OK, SL_ENOTFOUND
 * when absent, SL_EINVAL when not an integer. */
int slp_json_get_int(const char *json, const char *key, int64_t *out);

/* ---- JSON text ---- */

/* Appends s (len bytes, UTF-8) as a quoted JSON string, escaping '"', '\\'
 * and control characters as Jackson does. */
int slp_json_str(sl_strbuf *sb, const char *s, size_t len);
/* Non-zero when s[0..len) is well-formed UTF-8 (what a JSON string may hold). */
int slp_utf8_valid(const char *s, size_t len);
/* Decodes standard base64 (with or without '=' padding) into out, which has
 * room for len * 3 / 4 + 3 bytes.  Returns the bytes written or -1 when s is
 * not base64. */
long slp_base64_decode(const char *s, size_t len, unsigned char *out);
/* Parses an ISO-8601 timestamp as Spark's JSON reader accepts it:
 * "2020-07-25T14:55:00.348Z", "2020-07-25 14:55:00", "2020-07-25T14:55",
 * "2020-07-25", an optional fraction (up to microseconds) and zone ("Z",
 * "+05:30", "-0800"; none means UTC).  SL_OK or SL_EINVAL. */
int slp_parse_ts(const char *s, size_t len, int64_t *us);

/* ---- files (fsio.c) ---- */

/* mkdir -p; errors name `option` (may be NULL) and the directory. */
int slp_mkdirs(const char *path, const char *option, sl_error *err);
/* Writes all n bytes (retrying short writes and EINTR); 0 or -errno. */
int slp_write_all(int fd, const void *p, size_t n);
/* fsyncs a directory so that renames and creations inside it are durable. */
int slp_fsync_dir(const char *dir, sl_error *err);
/* Replaces dir/name atomically and durably: writes dir/.name.tmp, fsyncs it,
 * renames it to dir/name and fsyncs dir.  A reader sees the old file or the
 * new one, never a part; after a crash, the file or nothing. */
int slp_write_atomic(const char *dir, const char *name, const void *data, size_t len,
                     sl_error *err);

/* ---- format options (fmtopt.c) ---- */

/* A plugin's format options in pipeline style (snake_case: null_value,
 * parse_mode, corrupt_record_column, ...) applied to an sl_format_options
 * under Spark's names.  Only options the plugin's table declares and the
 * pipeline sets are applied; the strings are kept here, valid until
 * slp_fmtopts_free. */
#define SLP_FMTOPTS_MAX 40
typedef struct slp_fmtopts {
	sl_format_options o;
	char *strs[SLP_FMTOPTS_MAX];
	size_t n;
} slp_fmtopts;
int slp_fmtopts_load(slp_fmtopts *f, const sl_options *opts, sl_error *err);
void slp_fmtopts_free(slp_fmtopts *f);

#endif
