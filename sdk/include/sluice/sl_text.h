/* sl_text.h - values as text, written and read the way Spark does.
 *
 * One implementation of each, shared by the expression engine (CAST, string
 * functions), the formats (JSON, CSV) and the plugins (console, offsets):
 *
 *   numbers     sl_format_double (Java's Double.toString), sl_format_int64,
 *               sl_parse_int64, sl_parse_double
 *   timestamps  sl_format_timestamp ("2019-02-05 10:05:00.348", Spark's
 *               cast to string), sl_format_timestamp_iso
 *               ("2019-02-05T10:05:00.348Z", Spark's JSON), sl_parse_timestamp
 *               (Spark's lenient ISO-8601 reading)
 *   UTF-8       sl_utf8_valid
 *   base64      sl_base64_encode, sl_base64_decode (standard alphabet)
 *   JSON        sl_json_escape, sl_json_append_string, sl_json_get_int
 *
 * Formatters write into a caller's buffer of a stated size and return the
 * length written (a NUL follows it); none allocates.  Timestamps are int64
 * microseconds since 1970-01-01 UTC.
 */
#ifndef SLUICE_SL_TEXT_H
#define SLUICE_SL_TEXT_H

#include "sl_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Room for the text of any number or timestamp below, NUL included. */
#define SL_TEXT_MAX 48

/* --- numbers --- */

/* d as Java's Double.toString prints it (Spark writes doubles so): the
 * shortest decimal of at least two digits that reads back as d, the
 * closest such when there are several; plain notation for 1e-3 <= |d| <
 * 1e7 ("0.001", "674.8000000000001", "9999999.0"), computerised scientific
 * otherwise ("1.0E7", "1.0E-5", "4.9E-324"); "NaN", "Infinity",
 * "-Infinity", "0.0", "-0.0".  buf holds SL_TEXT_MAX bytes. */
size_t sl_format_double(double d, char *buf);
/* v in decimal ("-12"); buf holds SL_TEXT_MAX bytes (21 are enough). */
size_t sl_format_int64(int64_t v, char *buf);

/* A strict integer: an optional sign and digits, nothing else (no spaces),
 * within int64.  false otherwise. */
bool sl_parse_int64(const char *p, size_t len, int64_t *out);
/* A JSON number ("-0.25", "1.5e3", "7"; ".5" and "5." too), correctly
 * rounded.  With SL_PARSE_JAVA, what Java's Double.parseDouble also takes
 * (Spark's CSV reader): surrounding spaces, a leading '+', a trailing d/D/f/F,
 * "Infinity", "-Infinity", "NaN".  false when p is not such a number. */
#define SL_PARSE_JAVA 1u
bool sl_parse_double(const char *p, size_t len, unsigned flags, double *out);

/* --- timestamps --- */

/* "2019-02-05 10:05:00", "2019-02-05 10:05:00.348", "...:00.000001": Spark's
 * cast to string (fraction with trailing zeros trimmed).  buf holds
 * SL_TEXT_MAX bytes. */
size_t sl_format_timestamp(int64_t us, char *buf);
/* "2019-02-05T10:05:00.348Z": milliseconds, UTC, Spark's JSON default;
 * years outside 0..9999 as "+10000" / "-0001".  buf holds SL_TEXT_MAX
 * bytes. */
size_t sl_format_timestamp_iso(int64_t us, char *buf);
/* Spark's lenient reading of a timestamp (its cast from string and the JSON
 * and CSV readers' default): surrounding spaces; [+-]yyyy[yy][-[m]m[-[d]d]]
 * then optionally 'T' or ' ' and [h]h:[m]m[:[s]s[.fraction]] (a fraction of
 * up to 9 digits, kept to microseconds), then a zone: "Z", "UTC", "GMT",
 * "+05:30", "-0800", "+5" (none means UTC).  false when invalid. */
bool sl_parse_timestamp(const char *p, size_t len, int64_t *us);

/* --- UTF-8 --- */

/* The length of the longest well-formed UTF-8 prefix of p[0..len) (no
 * overlong forms, surrogates or code points past U+10FFFF): len when all of
 * it is valid. */
size_t sl_utf8_valid(const char *p, size_t len);

/* --- base64 --- */

/* Standard base64 (RFC 4648 alphabet, '=' padding) of p[0..len) into out,
 * which has room for 4 * ((len + 2) / 3) bytes (no NUL is written). */
size_t sl_base64_encode(const void *p, size_t len, char *out);
/* Decodes standard base64 with or without '=' padding (Jackson's default
 * variant, what Spark's JSON reader takes) into out, which has room for
 * len * 3 / 4 + 3 bytes.  false when p holds any other character or a
 * stray final one. */
bool sl_base64_decode(const char *p, size_t len, void *out, size_t *out_len);

/* --- JSON text --- */

/* s[0..n) escaped for a JSON string as Jackson writes it: '"' and '\\'
 * backslashed, \n \r \t \b \f, other control characters as \u00XX, every
 * other byte (non-ASCII included) as it is.  out has room for 6 * n bytes;
 * returns the bytes written (no quotes, no NUL). */
size_t sl_json_escape(const char *s, size_t n, char *out);
/* Appends s[0..n) to sb as a quoted, escaped JSON string. */
int sl_json_append_string(sl_strbuf *sb, const char *s, size_t n);
/* The integer member `key` of a flat JSON object such as the offsets the
 * bundled sources write ({"file": 3, "line": 120}).  SL_OK, SL_ENOTFOUND
 * when absent (or json is NULL), SL_EINVAL when not an integer. */
int sl_json_get_int(const char *json, const char *key, int64_t *out);

#ifdef __cplusplus
}
#endif
#endif
