/* format.c - value formatting shared by the bundled plugins. */
#include "slplug.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t slp_fmt_double(char *buf, double d)
{
	char tmp[SLP_FMT_MAX];
	char digits[24];
	size_t nd = 0, len = 0;
	int exp10, prec;
	const char *p;

	if (isnan(d))
		return (size_t)snprintf(buf, SLP_FMT_MAX, "NaN");
	if (isinf(d))
		return (size_t)snprintf(buf, SLP_FMT_MAX, "%sInfinity", d < 0 ? "-" : "");
	if (d == 0)
		return (size_t)snprintf(buf, SLP_FMT_MAX, "%s0.0", signbit(d) ? "-" : "");

	/* The shortest decimal that reads back as d, with at least two digits:
	 * Java always prints one after the point and picks the closest such
	 * value (4.9E-324, not 5.0E-324). */
	for (prec = 2; prec <= 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, d);
		if (strtod(tmp, NULL) == d)
			break;
	}
	p = tmp;
	if (*p == '-') {
		buf[len++] = '-';
		p++;
	}
	for (; *p && *p != 'e'; p++)
		if (isdigit((unsigned char)*p))
			digits[nd++] = *p;
	exp10 = atoi(p + 1); /* d = 0.digits * 10^(exp10 + 1) */
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;

	if (exp10 >= -3 && exp10 < 7) {
		/* Plain notation with at least one digit after the point. */
		if (exp10 < 0) {
			buf[len++] = '0';
			buf[len++] = '.';
			for (int i = -1; i > exp10; i--)
				buf[len++] = '0';
			memcpy(buf + len, digits, nd);
			len += nd;
		} else {
			size_t ip = (size_t)exp10 + 1;
			for (size_t i = 0; i < ip; i++)
				buf[len++] = i < nd ? digits[i] : '0';
			buf[len++] = '.';
			if (nd > ip) {
				memcpy(buf + len, digits + ip, nd - ip);
				len += nd - ip;
			} else {
				buf[len++] = '0';
			}
		}
		buf[len] = '\0';
		return len;
	}
	/* Computerised scientific notation: 1.0E10, 1.234E-5. */
	buf[len++] = digits[0];
	buf[len++] = '.';
	if (nd > 1) {
		memcpy(buf + len, digits + 1, nd - 1);
		len += nd - 1;
	} else {
		buf[len++] = '0';
	}
	len += (size_t)snprintf(buf + len, SLP_FMT_MAX - len, "E%d", exp10);
	return len;
}

void slp_tm_from_us(int64_t us, slp_tm *tm)
{
	int64_t secs = us / 1000000, rem = us % 1000000;
	int64_t days, sod, z, era, doe, yoe, doy, mp;

	if (rem < 0) {
		rem += 1000000;
		secs--;
	}
	days = secs / 86400;
	sod = secs % 86400;
	if (sod < 0) {
		sod += 86400;
		days--;
	}
	/* Civil date from days since 1970-01-01 (proleptic Gregorian). */
	z = days + 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	tm->day = (int)(doy - (153 * mp + 2) / 5 + 1);
	tm->month = (int)(mp < 10 ? mp + 3 : mp - 9);
	tm->year = yoe + era * 400 + (tm->month <= 2);
	tm->hour = (int)(sod / 3600);
	tm->min = (int)(sod / 60 % 60);
	tm->sec = (int)(sod % 60);
	tm->usec = (int)rem;
}

static size_t fmt_date_time(char *buf, const slp_tm *tm, char sep)
{
	return (size_t)snprintf(buf, SLP_FMT_MAX, "%04lld-%02d-%02d%c%02d:%02d:%02d",
	                        (long long)tm->year, tm->month, tm->day, sep, tm->hour, tm->min,
	                        tm->sec);
}

size_t slp_fmt_ts_show(char *buf, int64_t us)
{
	slp_tm tm;
	size_t len;

	slp_tm_from_us(us, &tm);
	len = fmt_date_time(buf, &tm, ' ');
	if (tm.usec) {
		int frac = tm.usec, width = 6;
		while (frac % 10 == 0) {
			frac /= 10;
			width--;
		}
		len += (size_t)snprintf(buf + len, SLP_FMT_MAX - len, ".%0*d", width, frac);
	}
	return len;
}

size_t slp_fmt_ts_iso(char *buf, int64_t us)
{
	slp_tm tm;
	size_t len;

	slp_tm_from_us(us, &tm);
	len = fmt_date_time(buf, &tm, 'T');
	len += (size_t)snprintf(buf + len, SLP_FMT_MAX - len, ".%03dZ", tm.usec / 1000);
	return len;
}

int slp_json_get_int(const char *json, const char *key, int64_t *out)
{
	size_t klen = strlen(key);
	const char *p = json;
	char *end;
	long long v;

	if (json == NULL)
		return SL_ENOTFOUND;
	while ((p = strchr(p, '"')) != NULL) {
		p++;
		if (strncmp(p, key, klen) != 0 || p[klen] != '"') {
			/* Skip to the end of this string. */
			while (*p && *p != '"')
				p += (*p == '\\' && p[1]) ? 2 : 1;
			if (*p)
				p++;
			continue;
		}
		p += klen + 1;
		while (isspace((unsigned char)*p))
			p++;
		if (*p != ':')
			continue;
		p++;
		errno = 0;
		v = strtoll(p, &end, 10);
		if (end == p || errno != 0)
			return SL_EINVAL;
		*out = (int64_t)v;
		return SL_OK;
	}
	return SL_ENOTFOUND;
}
