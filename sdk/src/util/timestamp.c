/* timestamp.c - timestamps as text (sl_text.h): Spark's cast form, its
 * JSON form, and its lenient ISO-8601 reading. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "util.h"

#define US_PER_DAY 86400000000LL

/* Splits us into days since the epoch and microseconds of the day. */
static int64_t split_day(int64_t us, int64_t *rem)
{
	int64_t days = us / US_PER_DAY;

	*rem = us % US_PER_DAY;
	if (*rem < 0) {
		*rem += US_PER_DAY;
		days--;
	}
	return days;
}

size_t sl_format_timestamp(int64_t us, char *buf)
{
	int64_t rem, days = split_day(us, &rem), y;
	unsigned m, d;

	slu_civil_from_days(days, &y, &m, &d);
	int64_t secs = rem / 1000000, frac = rem % 1000000;
	int n = snprintf(buf, SL_TEXT_MAX, "%04lld-%02u-%02u %02d:%02d:%02d", (long long)y, m, d,
	                 (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
	if (frac && n > 0 && (size_t)n + 8 < SL_TEXT_MAX) {
		char f[8];
		snprintf(f, sizeof(f), "%06lld", (long long)frac);
		int fl = 6;
		while (fl > 0 && f[fl - 1] == '0')
			fl--;
		n += snprintf(buf + n, SL_TEXT_MAX - (size_t)n, ".%.*s", fl, f);
	}
	return n > 0 ? (size_t)n : 0;
}

static char *put2(char *w, unsigned v)
{
	memcpy(w, slu_digit_pairs + v * 2, 2);
	return w + 2;
}

size_t sl_format_timestamp_iso(int64_t us, char *buf)
{
	int64_t rem, days = split_day(us, &rem), y, secs = rem / 1000000;
	unsigned m, d, ms = (unsigned)(rem % 1000000 / 1000);
	char *w = buf;

	slu_civil_from_days(days, &y, &m, &d);
	if (y >= 0 && y <= 9999) {
		w = put2(w, (unsigned)y / 100);
		w = put2(w, (unsigned)y % 100);
	} else if (y > 9999) {
		w += snprintf(w, 24, "+%lld", (long long)y); /* as java.time prints */
	} else {
		w += snprintf(w, 24, "-%04lld", -(long long)y);
	}
	*w++ = '-';
	w = put2(w, m);
	*w++ = '-';
	w = put2(w, d);
	*w++ = 'T';
	w = put2(w, (unsigned)(secs / 3600));
	*w++ = ':';
	w = put2(w, (unsigned)(secs / 60 % 60));
	*w++ = ':';
	w = put2(w, (unsigned)(secs % 60));
	*w++ = '.';
	*w++ = (char)('0' + ms / 100);
	w = put2(w, ms % 100);
	*w++ = 'Z';
	*w = '\0';
	return (size_t)(w - buf);
}

/* ------------------------------------------------------------- reading */

/* Reads 1..max digits; false when none. */
static bool num(const char *p, size_t len, size_t *i, size_t max, int64_t *v)
{
	size_t k = 0;
	*v = 0;
	while (*i < len && k < max && p[*i] >= '0' && p[*i] <= '9') {
		*v = *v * 10 + (p[*i] - '0');
		(*i)++;
		k++;
	}
	return k > 0;
}

bool sl_parse_timestamp(const char *p, size_t len, int64_t *out)
{
	slu_trim(&p, &len);
	size_t i = 0;
	int64_t y, mo = 1, d = 1, h = 0, mi = 0, s = 0, us = 0, off = 0;
	bool neg = false;
	if (i < len && (p[i] == '-' || p[i] == '+')) {
		neg = p[i] == '-';
		i++;
	}
	size_t y0 = i;
	if (!num(p, len, &i, 6, &y) || i - y0 < 4)
		return false;
	if (neg)
		y = -y;
	if (y > 290000 || y < -290000)
		return false; /* beyond what microseconds since 1970 can hold */
	if (i < len && p[i] == '-') {
		i++;
		if (!num(p, len, &i, 2, &mo))
			return false;
		if (i < len && p[i] == '-') {
			i++;
			if (!num(p, len, &i, 2, &d))
				return false;
		}
	}
	if (mo < 1 || mo > 12 || d < 1 || d > slu_days_in_month(y, mo))
		return false;
	if (i < len && (p[i] == ' ' || p[i] == 'T')) {
		i++;
		if (i < len) {
			if (!num(p, len, &i, 2, &h) || i >= len || p[i] != ':')
				return false;
			i++;
			if (!num(p, len, &i, 2, &mi))
				return false;
			if (i < len && p[i] == ':') {
				i++;
				if (!num(p, len, &i, 2, &s))
					return false;
				if (i < len && p[i] == '.') {
					i++;
					size_t f0 = i;
					int64_t f;
					if (!num(p, len, &i, 9, &f))
						return false;
					size_t nd = i - f0;
					while (nd > 6) {
						f /= 10;
						nd--;
					}
					while (nd < 6) {
						f *= 10;
						nd++;
					}
					us = f;
				}
			}
			if (h > 23 || mi > 59 || s > 59)
				return false;
			/* zone */
			while (i < len && p[i] == ' ')
				i++;
			if (i < len) {
				if (len - i == 1 && (p[i] == 'Z' || p[i] == 'z')) {
					i++;
				} else if (len - i >= 3 && (strncasecmp(p + i, "UTC", 3) == 0 ||
				                            strncasecmp(p + i, "GMT", 3) == 0)) {
					i += 3;
				}
				if (i < len && (p[i] == '+' || p[i] == '-')) {
					bool zn = p[i] == '-';
					int64_t zh, zm = 0;
					i++;
					size_t z0 = i;
					if (!num(p, len, &i, 2, &zh))
						return false;
					if (i < len && p[i] == ':')
						i++;
					if (i < len && !num(p, len, &i, 2, &zm))
						return false;
					if (i - z0 == 0 || zh > 18 || zm > 59)
						return false;
					off = (zh * 3600 + zm * 60) * (zn ? -1 : 1);
				}
			}
		}
	}
	if (i != len)
		return false;
	int64_t days = slu_days_from_civil(y, (unsigned)mo, (unsigned)d);
	*out = ((days * 86400 + h * 3600 + mi * 60 + s - off) * 1000000) + us;
	return true;
}
