/* slplug.h - helpers shared by the bundled plugins (console, file, ...).
 *
 * A noinst convenience library linked into each module that needs it; the
 * symbols stay hidden inside every module (only sl_module_info is exported).
 * Candidates for the SDK once their shape has settled.
 */
#ifndef SLUICE_PLUGINS_SLPLUG_H
#define SLUICE_PLUGINS_SLPLUG_H

#include <sluice/sluice.h>

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

#endif
