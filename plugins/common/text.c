/* text.c - JSON strings, UTF-8, base64 and ISO-8601 timestamps, shared by
 * the bundled plugins that read and write text formats. */
#include "slplug.h"

#include <string.h>

int slp_json_str(sl_strbuf *sb, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t run = 0;
	int rc = sl_strbuf_append(sb, "\"", 1);

	for (size_t i = 0; i < len && rc >= 0; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[7];
		size_t n = 0;

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		rc = sl_strbuf_append(sb, s + run, i - run);
		run = i + 1;
		esc[n++] = '\\';
		switch (c) {
		case '"':
			esc[n++] = '"';
			break;
		case '\\':
			esc[n++] = '\\';
			break;
		case '\n':
			esc[n++] = 'n';
			break;
		case '\r':
			esc[n++] = 'r';
			break;
		case '\t':
			esc[n++] = 't';
			break;
		case '\b':
			esc[n++] = 'b';
			break;
		case '\f':
			esc[n++] = 'f';
			break;
		default:
			esc[n++] = 'u';
			esc[n++] = '0';
			esc[n++] = '0';
			esc[n++] = hex[c >> 4];
			esc[n++] = hex[c & 15];
		}
		if (rc >= 0)
			rc = sl_strbuf_append(sb, esc, n);
	}
	if (rc >= 0)
		rc = sl_strbuf_append(sb, s + run, len - run);
	return rc < 0 ? rc : sl_strbuf_append(sb, "\"", 1);
}

int slp_utf8_valid(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	while (i < len) {
		unsigned char c = s[i];
		uint32_t cp;
		size_t n;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			cp = c & 0x07;
		} else {
			return 0;
		}
		if (len - i <= n)
			return 0;
		for (size_t k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		/* Overlong forms, surrogates, beyond U+10FFFF. */
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += n + 1;
	}
	return 1;
}

static int b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

long slp_base64_decode(const char *s, size_t len, unsigned char *out)
{
	uint32_t acc = 0;
	int bits = 0;
	long n = 0;

	while (len > 0 && s[len - 1] == '=')
		len--;
	if (len % 4 == 1)
		return -1;
	for (size_t i = 0; i < len; i++) {
		int v = b64_value((unsigned char)s[i]);
		if (v < 0)
			return -1;
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = (unsigned char)(acc >> bits);
		}
	}
	return n;
}

/* ---- ISO-8601 ---- */

/* Reads exactly `width` digits at s[*i]. */
static int digits(const char *s, size_t len, size_t *i, int width, int *out)
{
	int v = 0;

	if (len - *i < (size_t)width)
		return -1;
	for (int k = 0; k < width; k++) {
		char c = s[*i + (size_t)k];
		if (c < '0' || c > '9')
			return -1;
		v = v * 10 + (c - '0');
	}
	*i += (size_t)width;
	*out = v;
	return 0;
}

static int64_t days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int month_days(int y, int m)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : days[m - 1];
}

int slp_parse_ts(const char *s, size_t len, int64_t *us)
{
	int y, mo, d, h = 0, mi = 0, sec = 0, zh = 0, zm = 0;
	int64_t frac = 0, offset = 0;
	size_t i = 0;

	if (digits(s, len, &i, 4, &y) < 0 || i >= len || s[i++] != '-' ||
	    digits(s, len, &i, 2, &mo) < 0 || i >= len || s[i++] != '-' ||
	    digits(s, len, &i, 2, &d) < 0)
		return SL_EINVAL;
	if (mo < 1 || mo > 12 || d < 1 || d > month_days(y, mo))
		return SL_EINVAL;
	if (i < len && (s[i] == 'T' || s[i] == ' ')) {
		i++;
		if (digits(s, len, &i, 2, &h) < 0 || i >= len || s[i++] != ':' ||
		    digits(s, len, &i, 2, &mi) < 0)
			return SL_EINVAL;
		if (i < len && s[i] == ':') {
			i++;
			if (digits(s, len, &i, 2, &sec) < 0)
				return SL_EINVAL;
			if (i < len && s[i] == '.') {
				int nd = 0;
				i++;
				while (i < len && s[i] >= '0' && s[i] <= '9') {
					if (nd < 6)
						frac = frac * 10 + (s[i] - '0');
					nd++;
					i++;
				}
				if (nd == 0 || nd > 9)
					return SL_EINVAL;
				for (; nd < 6; nd++)
					frac *= 10;
			}
		}
		if (h > 23 || mi > 59 || sec > 59)
			return SL_EINVAL;
	}
	if (i < len && s[i] == 'Z') {
		i++;
	} else if (i < len && (s[i] == '+' || s[i] == '-')) {
		int sign = s[i++] == '-' ? -1 : 1;
		if (digits(s, len, &i, 2, &zh) < 0)
			return SL_EINVAL;
		if (i < len && s[i] == ':')
			i++;
		if (i < len && digits(s, len, &i, 2, &zm) < 0)
			return SL_EINVAL;
		if (zh > 18 || zm > 59)
			return SL_EINVAL;
		offset = sign * ((int64_t)zh * 3600 + zm * 60);
	}
	if (i != len)
		return SL_EINVAL;
	*us = ((days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec) - offset) * 1000000 +
	      frac;
	return SL_OK;
}
