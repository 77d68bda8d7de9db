/* fmt_text.c - numbers, timestamps, UTF-8 and base64 for the formats.
 *
 * Doubles print as Java's Double.toString (Spark's and Jackson's text):
 * the shortest decimal that reads back, "1.0", "13.8925", "1.0E10".  The
 * common case, a value with a few decimals, takes an exact integer path;
 * the rest goes through the expression engine's formatter. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../expr/expr_internal.h"
#include "fmt_internal.h"

static const double pow10_tab[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                   1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                   1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

static const char digit_pairs[201] = "00010203040506070809"
                                     "10111213141516171819"
                                     "20212223242526272829"
                                     "30313233343536373839"
                                     "40414243444546474849"
                                     "50515253545556575859"
                                     "60616263646566676869"
                                     "70717273747576777879"
                                     "80818283848586878889"
                                     "90919293949596979899";

/* Writes u in decimal at buf; returns the length. */
static size_t put_u64(uint64_t u, char *buf)
{
	char tmp[24];
	size_t n = sizeof(tmp), len;

	while (u >= 100) {
		unsigned r = (unsigned)(u % 100);

		u /= 100;
		n -= 2;
		memcpy(tmp + n, digit_pairs + r * 2, 2);
	}
	if (u >= 10) {
		n -= 2;
		memcpy(tmp + n, digit_pairs + u * 2, 2);
	} else {
		tmp[--n] = (char)('0' + u);
	}
	len = sizeof(tmp) - n;
	memcpy(buf, tmp + n, len);
	return len;
}

size_t slf_format_i64(int64_t v, char *buf)
{
	if (v < 0) {
		buf[0] = '-';
		return 1 + put_u64(0 - (uint64_t)v, buf + 1);
	}
	return put_u64((uint64_t)v, buf);
}

size_t slf_format_f64(double d, char *buf)
{
	double a = fabs(d);
	int k;

	if (a >= 1e-3 && a < 1e7) {
		uint64_t ip = (uint64_t)a;

		if ((double)ip == a) {
			size_t n = 0;

			if (d < 0)
				buf[n++] = '-';
			n += put_u64(ip, buf + n);
			memcpy(buf + n, ".0", 3);
			return n + 2;
		}
		for (k = 1; k <= 15; k++) {
			double m = nearbyint(a * pow10_tab[k]);

			if (m >= 9007199254740992.0)
				break;
			if (m / pow10_tab[k] == a) {
				uint64_t mi = (uint64_t)m, p = (uint64_t)pow10_tab[k];
				uint64_t whole = mi / p, frac = mi % p;
				char fr[24];
				size_t n = 0, fl;

				if (d < 0)
					buf[n++] = '-';
				n += put_u64(whole, buf + n);
				buf[n++] = '.';
				fl = put_u64(frac, fr);
				for (; fl < (size_t)k; k--)
					buf[n++] = '0';
				memcpy(buf + n, fr, fl);
				n += fl;
				buf[n] = '\0';
				return n;
			}
		}
	}
	return slx_format_double(d, buf, 48);
}

/* ------------------------------------------------------------- parsing */

bool slf_parse_i64(const char *p, size_t len, int64_t *out)
{
	size_t i = 0;
	bool neg = false;
	uint64_t v = 0;

	if (len == 0)
		return false;
	if (p[0] == '-' || p[0] == '+') {
		neg = p[0] == '-';
		i = 1;
		if (len == 1)
			return false;
	}
	if (len - i > 19) {
		/* leading zeros could make a long text fit */
		while (i < len - 1 && p[i] == '0')
			i++;
		if (len - i > 19)
			return false;
	}
	for (; i < len; i++) {
		unsigned dg = (unsigned)(p[i] - '0');

		if (dg > 9)
			return false;
		v = v * 10 + dg;
	}
	if (v > (uint64_t)INT64_MAX + neg)
		return false;
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return true;
}

/* The digits of a JSON number: [-]int[.frac][e[+-]exp]; fast exact path
 * for up to 15 significant digits and small exponents, strtod otherwise. */
static bool parse_plain(const char *p, size_t len, double *out)
{
	size_t i = 0, nd = 0;
	uint64_t m = 0;
	int scale = 0, exp = 0;
	bool neg = false, any = false;
	char buf[128];
	char *end;

	if (i < len && (p[i] == '-' || p[i] == '+')) {
		neg = p[i] == '-';
		i++;
	}
	for (; i < len && (unsigned)(p[i] - '0') <= 9; i++) {
		any = true;
		if (m == 0 && p[i] == '0')
			continue;
		if (nd < 19)
			m = m * 10 + (unsigned)(p[i] - '0');
		else
			scale++;
		nd++;
	}
	if (i < len && p[i] == '.') {
		for (i++; i < len && (unsigned)(p[i] - '0') <= 9; i++) {
			any = true;
			if (m == 0 && p[i] == '0') {
				scale--;
				continue;
			}
			if (nd < 19) {
				m = m * 10 + (unsigned)(p[i] - '0');
				scale--;
			}
			nd++;
		}
	}
	if (!any)
		return false;
	if (i < len && (p[i] == 'e' || p[i] == 'E')) {
		bool en = false;
		size_t e0;

		i++;
		if (i < len && (p[i] == '-' || p[i] == '+'))
			en = p[i++] == '-';
		e0 = i;
		for (; i < len && (unsigned)(p[i] - '0') <= 9; i++)
			if (exp < 100000)
				exp = exp * 10 + (p[i] - '0');
		if (i == e0)
			return false;
		if (en)
			exp = -exp;
	}
	if (i != len)
		return false;
	exp += scale;
	if (nd <= 15 && m < (UINT64_C(1) << 53) && exp >= -22 && exp <= 22) {
		double v = (double)m;

		v = exp < 0 ? v / pow10_tab[-exp] : v * pow10_tab[exp];
		*out = neg ? -v : v;
		return true;
	}
	if (m == 0) {
		*out = neg ? -0.0 : 0.0;
		return true;
	}
	if (len >= sizeof(buf))
		return false;
	memcpy(buf, p, len);
	buf[len] = '\0';
	*out = strtod(buf, &end);
	return end == buf + len;
}

bool slf_parse_f64(const char *p, size_t len, bool java, double *out)
{
	if (!java)
		return parse_plain(p, len, out);
	while (len > 0 && (unsigned char)p[0] <= ' ') {
		p++;
		len--;
	}
	while (len > 0 && (unsigned char)p[len - 1] <= ' ')
		len--;
	if (len > 1 && strchr("dDfF", p[len - 1]) != NULL)
		len--;
	{
		size_t s = len > 0 && (p[0] == '-' || p[0] == '+');
		bool neg = len > 0 && p[0] == '-';

		if (len - s == 8 && memcmp(p + s, "Infinity", 8) == 0) {
			*out = neg ? -INFINITY : INFINITY;
			return true;
		}
		if (len == 3 && memcmp(p, "NaN", 3) == 0) {
			*out = NAN;
			return true;
		}
	}
	return parse_plain(p, len, out);
}

bool slf_parse_ts(const char *p, size_t len, int64_t *out)
{
	return slx_parse_timestamp(p, len, out);
}

size_t slf_format_ts(int64_t us, char *buf)
{
	int64_t days = us / 86400000000LL, rem = us % 86400000000LL, y, secs;
	unsigned m, d;
	size_t n = 0;

	if (rem < 0) {
		rem += 86400000000LL;
		days--;
	}
	slx_civil_from_days(days, &y, &m, &d);
	secs = rem / 1000000;
	if (y >= 0 && y <= 9999) {
		unsigned yy = (unsigned)y;

		memcpy(buf, digit_pairs + (yy / 100) * 2, 2);
		memcpy(buf + 2, digit_pairs + (yy % 100) * 2, 2);
		n = 4;
	} else {
		n = (size_t)snprintf(buf, 16, "%+07lld", (long long)y);
	}
	buf[n++] = '-';
	memcpy(buf + n, digit_pairs + m * 2, 2);
	n += 2;
	buf[n++] = '-';
	memcpy(buf + n, digit_pairs + d * 2, 2);
	n += 2;
	buf[n++] = 'T';
	memcpy(buf + n, digit_pairs + (secs / 3600) * 2, 2);
	n += 2;
	buf[n++] = ':';
	memcpy(buf + n, digit_pairs + (secs / 60 % 60) * 2, 2);
	n += 2;
	buf[n++] = ':';
	memcpy(buf + n, digit_pairs + (secs % 60) * 2, 2);
	n += 2;
	buf[n++] = '.';
	{
		unsigned ms = (unsigned)(rem % 1000000 / 1000);

		buf[n++] = (char)('0' + ms / 100);
		memcpy(buf + n, digit_pairs + (ms % 100) * 2, 2);
		n += 2;
	}
	buf[n++] = 'Z';
	buf[n] = '\0';
	return n;
}

/* ---------------------------------------------------------------- UTF-8 */

size_t slf_utf8_valid(const char *s, size_t len)
{
	const uint8_t *p = (const uint8_t *)s;
	size_t i = 0;

	while (i < len) {
		uint8_t c = p[i];

		if (c < 0x80) {
			uint64_t w;

			if (i + 8 <= len) {
				memcpy(&w, p + i, 8);
				if ((w & UINT64_C(0x8080808080808080)) == 0) {
					i += 8;
					continue;
				}
			}
			i++;
		} else if (c >= 0xc2 && c <= 0xdf) {
			if (i + 1 >= len || (p[i + 1] & 0xc0) != 0x80)
				return i;
			i += 2;
		} else if (c >= 0xe0 && c <= 0xef) {
			uint8_t lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;

			if (i + 2 >= len || p[i + 1] < lo || p[i + 1] > hi ||
			    (p[i + 2] & 0xc0) != 0x80)
				return i;
			i += 3;
		} else if (c >= 0xf0 && c <= 0xf4) {
			uint8_t lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;

			if (i + 3 >= len || p[i + 1] < lo || p[i + 1] > hi ||
			    (p[i + 2] & 0xc0) != 0x80 || (p[i + 3] & 0xc0) != 0x80)
				return i;
			i += 4;
		} else {
			return i;
		}
	}
	return len;
}

size_t slf_utf8_repair(const char *p, size_t len, char *out)
{
	size_t i = 0, n = 0;

	while (i < len) {
		size_t v = slf_utf8_valid(p + i, len - i);

		memcpy(out + n, p + i, v);
		n += v;
		i += v;
		if (i < len) {
			memcpy(out + n, "\xef\xbf\xbd", 3);
			n += 3;
			i++;
		}
	}
	return n;
}

/* --------------------------------------------------------------- base64 */

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t slf_base64_encode(const uint8_t *p, size_t len, char *out)
{
	size_t i, n = 0;

	for (i = 0; i + 3 <= len; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];

		out[n++] = b64[v >> 18];
		out[n++] = b64[(v >> 12) & 63];
		out[n++] = b64[(v >> 6) & 63];
		out[n++] = b64[v & 63];
	}
	if (len - i == 1) {
		uint32_t v = (uint32_t)p[i] << 16;

		out[n++] = b64[v >> 18];
		out[n++] = b64[(v >> 12) & 63];
		out[n++] = '=';
		out[n++] = '=';
	} else if (len - i == 2) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;

		out[n++] = b64[v >> 18];
		out[n++] = b64[(v >> 12) & 63];
		out[n++] = b64[(v >> 6) & 63];
		out[n++] = '=';
	}
	return n;
}

static int b64_val(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

bool slf_base64_decode(const char *p, size_t len, char *out, size_t *out_len)
{
	uint32_t acc = 0;
	int bits = 0;
	size_t i, n = 0;

	while (len > 0 && p[len - 1] == '=')
		len--;
	for (i = 0; i < len; i++) {
		int v = b64_val(p[i]);

		if (v < 0)
			return false;
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = (char)((acc >> bits) & 0xff);
		}
	}
	if (bits >= 6)
		return false; /* one stray character */
	*out_len = n;
	return true;
}
