/* tspattern.c - Java/Spark datetime patterns: compile, parse into
 * microseconds UTC, format from them.  Zones are always UTC when writing. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tspattern.h"
#include "util.h"

#define US_PER_DAY 86400000000LL
#define FMT_MAX_ITEMS 48
#define FMT_MAX_LIT 16

static const char *const month_names[] = {"January",   "February", "March",    "April",
                                          "May",       "June",     "July",     "August",
                                          "September", "October",  "November", "December"};
static const char *const day_names[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                        "Thursday", "Friday", "Saturday"};

void slt_clear(slt_pattern *p)
{
	free(p->items);
	free(p->text);
	memset(p, 0, sizeof(*p));
}

/* The formats' dialect: each punctuation character is its own literal, a
 * quoted run ends at the next quote, and there are limits on sizes. */
static int compile_fmt(slt_pattern *p, size_t len, size_t *bad)
{
	const char *t = p->text;
	size_t i = 0;

	while (i < len) {
		slt_item *it;

		if (p->n == FMT_MAX_ITEMS)
			goto bad;
		it = &p->items[p->n];
		if ((t[i] >= 'a' && t[i] <= 'z') || (t[i] >= 'A' && t[i] <= 'Z')) {
			char c = t[i];

			if (strchr("yMdHhamsSXxZ", c) == NULL)
				goto bad;
			*it = (slt_item){c, 0, NULL, 0};
			while (i < len && t[i] == c) {
				it->count++;
				i++;
			}
		} else if (t[i] == '\'') {
			i++;
			if (i < len && t[i] == '\'') { /* '' is a quote */
				*it = (slt_item){0, 0, t + i, 1};
				i++;
			} else {
				*it = (slt_item){0, 0, t + i, 0};
				while (i < len && t[i] != '\'') {
					if (it->lit_len == FMT_MAX_LIT)
						goto bad;
					it->lit_len++;
					i++;
				}
				if (i == len)
					goto bad;
				i++;
			}
		} else {
			*it = (slt_item){0, 0, t + i, 1};
			i++;
		}
		p->n++;
	}
	p->ready = true;
	return 0;
bad:
	*bad = i;
	return SL_EINVAL;
}

static int compile_expr(slt_pattern *p, size_t len, size_t *bad)
{
	const char *t = p->text;
	size_t i = 0;

	while (i < len) {
		char c = t[i];
		if (isalpha((unsigned char)c)) {
			size_t j = i;
			while (j < len && t[j] == c)
				j++;
			/* Java's limits on repeated letters (y: up to 9 here) */
			static const char letters[] = "yMdDHhmsSaEXxZzu";
			static const int most[] = {9, 5, 2, 3, 2, 2, 2, 2, 9, 1, 5, 5, 5, 5, 4, 9};
			const char *at = strchr(letters, c);
			if (at == NULL || (int)(j - i) > most[at - letters]) {
				*bad = i;
				return SL_EINVAL;
			}
			p->items[p->n++] = (slt_item){c == 'u' ? 'y' : c, (int)(j - i), NULL, 0};
			i = j;
		} else if (c == '\'') {
			size_t j = i + 1;
			if (j < len && t[j] == '\'') {
				p->items[p->n++] = (slt_item){0, 0, t + j, 1};
				i = j + 1;
				continue;
			}
			/* 'text' with '' inside meaning one quote: split at those */
			size_t start = j;
			while (j < len) {
				if (t[j] == '\'' && j + 1 < len && t[j + 1] == '\'') {
					p->items[p->n++] = (slt_item){0, 0, t + start, j + 1 - start};
					j += 2;
					start = j;
					continue;
				}
				if (t[j] == '\'')
					break;
				j++;
			}
			if (j > start)
				p->items[p->n++] = (slt_item){0, 0, t + start, j - start};
			i = j < len ? j + 1 : j;
		} else {
			size_t j = i;
			while (j < len && !isalpha((unsigned char)t[j]) && t[j] != '\'')
				j++;
			p->items[p->n++] = (slt_item){0, 0, t + i, j - i};
			i = j;
		}
	}
	p->ready = true;
	return 0;
}

int slt_compile(slt_pattern *p, const char *pat, size_t len, int mode, size_t *bad)
{
	slt_clear(p);
	p->mode = mode;
	p->text = malloc(len + 1);
	p->items = malloc((len + 1) * sizeof(slt_item));
	if (p->text == NULL || p->items == NULL)
		return SL_ENOMEM;
	if (len > 0)
		memcpy(p->text, pat, len);
	p->text[len] = '\0';
	p->text_len = len;
	return mode == SLT_FMT ? compile_fmt(p, len, bad) : compile_expr(p, len, bad);
}

/* ---------------------------------------------------------------- parsing */

static bool read_num(const char *s, size_t len, size_t *i, int min, int max, int64_t *v)
{
	int k = 0;
	*v = 0;
	while (*i < len && k < max && s[*i] >= '0' && s[*i] <= '9') {
		*v = *v * 10 + (s[*i] - '0');
		(*i)++;
		k++;
	}
	return k >= min;
}

static bool read_name(const char *s, size_t len, size_t *i, const char *const *names, int count,
                      bool full, int *which)
{
	for (int k = 0; k < count; k++) {
		size_t nl = full ? strlen(names[k]) : 3;
		if (len - *i >= nl && strncasecmp(s + *i, names[k], nl) == 0) {
			*which = k;
			*i += nl;
			return true;
		}
	}
	return false;
}

bool slt_parse(const slt_pattern *p, const char *s, size_t len, int64_t *out)
{
	int64_t year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0, micros = 0;
	int64_t doy = -1, off = 0;
	int ampm = -1;
	bool h12 = false, fmt = p->mode == SLT_FMT;
	size_t i = 0;
	for (size_t k = 0; k < p->n; k++) {
		const slt_item *it = &p->items[k];
		int c = it->count;
		/* A numeric field followed directly by another reads exactly its
		 * width; otherwise 1 or 2 digits (more for years). */
		bool adjacent = k + 1 < p->n && p->items[k + 1].letter != 0 &&
		                strchr("yMdDHhmsS", p->items[k + 1].letter) != NULL;
		int mn = c >= 2 || adjacent ? c : 1;
		int mx = c >= 2 || adjacent ? c : 2;
		int64_t v;
		int w;
		switch (it->letter) {
		case 0:
			if (len - i < it->lit_len || memcmp(s + i, it->lit, it->lit_len) != 0)
				return false;
			i += it->lit_len;
			break;
		case 'y':
			if (c == 2) {
				if (!read_num(s, len, &i, 2, 2, &v))
					return false;
				year = 2000 + v;
			} else {
				if (!read_num(s, len, &i, c, adjacent ? c : fmt ? 6 : 9, &v))
					return false;
				year = v;
			}
			break;
		case 'M':
			if (c >= 3 && !fmt) {
				if (!read_name(s, len, &i, month_names, 12, c >= 4, &w))
					return false;
				month = w + 1;
			} else if (!read_num(s, len, &i, mn, mx, &month)) {
				return false;
			}
			break;
		case 'd':
			if (!read_num(s, len, &i, mn, mx, &day))
				return false;
			break;
		case 'D':
			if (!read_num(s, len, &i, c, c > 3 ? c : 3, &doy))
				return false;
			break;
		case 'H':
			if (!read_num(s, len, &i, mn, mx, &hour))
				return false;
			if (fmt)
				h12 = false;
			break;
		case 'h':
			if (!read_num(s, len, &i, mn, mx, &hour))
				return false;
			h12 = true;
			break;
		case 'm':
			if (!read_num(s, len, &i, mn, mx, &minute))
				return false;
			break;
		case 's':
			if (!read_num(s, len, &i, mn, mx, &second))
				return false;
			break;
		case 'S': {
			size_t f0 = i;
			if (!read_num(s, len, &i, fmt ? 1 : c, c > 9 ? 9 : c, &v))
				return false;
			int nd = (int)(i - f0);
			while (nd > 6) {
				v /= 10;
				nd--;
			}
			while (nd < 6) {
				v *= 10;
				nd++;
			}
			micros = v;
			break;
		}
		case 'a':
			if (len - i >= 2 && strncasecmp(s + i, "AM", 2) == 0)
				ampm = 0;
			else if (len - i >= 2 && strncasecmp(s + i, "PM", 2) == 0)
				ampm = 1;
			else
				return false;
			i += 2;
			break;
		case 'E':
			if (!read_name(s, len, &i, day_names, 7, c >= 4, &w))
				return false;
			break;
		case 'z':
			if (len - i >= 3 && (strncasecmp(s + i, "UTC", 3) == 0 ||
			                     strncasecmp(s + i, "GMT", 3) == 0))
				i += 3;
			else if (len - i >= 1 && s[i] == 'Z')
				i++;
			else
				return false;
			break;
		default: /* X x Z: an offset */
			if (i < len && s[i] == 'Z') {
				i++;
				break;
			}
			if (!fmt && len - i >= 3 && strncasecmp(s + i, "GMT", 3) == 0)
				i += 3;
			if (i < len && (s[i] == '+' || s[i] == '-')) {
				bool neg = s[i] == '-';
				int64_t zh, zm = 0;
				i++;
				if (!read_num(s, len, &i, 2, 2, &zh))
					return false;
				if (i < len && s[i] == ':')
					i++;
				if (i < len && s[i] >= '0' && s[i] <= '9' &&
				    !read_num(s, len, &i, 2, 2, &zm))
					return false;
				if (zh > 18 || zm > 59)
					return false;
				off = (zh * 3600 + zm * 60) * (neg ? -1 : 1);
			} else {
				return false;
			}
			break;
		}
	}
	if (i != len)
		return false;
	if (h12) {
		if (hour < 1 || hour > 12)
			return false;
		hour = hour % 12 + (ampm == 1 ? 12 : 0);
	} else if (ampm == 1 && hour < 12) {
		hour += 12;
	}
	if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59)
		return false;
	if (year < -290000 || year > 290000)
		return false;
	int64_t days;
	if (doy >= 0) {
		days = slu_days_from_civil(year, 1, 1);
		int64_t ylen = slu_days_from_civil(year + 1, 1, 1) - days;
		if (doy < 1 || doy > ylen)
			return false;
		days += doy - 1;
	} else {
		int64_t next = month == 12 ? slu_days_from_civil(year + 1, 1, 1)
		                           : slu_days_from_civil(year, (unsigned)month + 1, 1);
		days = slu_days_from_civil(year, (unsigned)month, 1);
		if (day < 1 || day > next - days)
			return false;
		days += day - 1;
	}
	*out = (days * 86400 + hour * 3600 + minute * 60 + second - off) * 1000000 + micros;
	return true;
}

/* ------------------------------------------------------------- formatting */

typedef struct obuf {
	char *p;
	size_t n, cap;
} obuf;

static void oput(obuf *b, const char *s, size_t n)
{
	if (b->n + n <= b->cap)
		memcpy(b->p + b->n, s, n);
	b->n += n;
}

static void onum(obuf *b, int64_t v, int width)
{
	char tmp[32];
	int len = snprintf(tmp, sizeof(tmp), "%0*lld", width, (long long)v);
	oput(b, tmp, len < 0 ? 0 : (size_t)len < sizeof(tmp) ? (size_t)len : sizeof(tmp) - 1);
}

size_t slt_format(const slt_pattern *p, int64_t us, char *buf, size_t cap)
{
	int64_t days = us / US_PER_DAY, rem = us % US_PER_DAY, year;
	unsigned month, day;
	bool fmt = p->mode == SLT_FMT;
	int wmax = fmt ? 9 : 20;
	obuf ob = {buf, 0, cap}, *b = &ob;

	if (rem < 0) {
		rem += US_PER_DAY;
		days--;
	}
	slu_civil_from_days(days, &year, &month, &day);
	int64_t secs = rem / 1000000, micros = rem % 1000000;
	int hour = (int)(secs / 3600), minute = (int)(secs / 60 % 60), second = (int)(secs % 60);
	for (size_t k = 0; k < p->n; k++) {
		const slt_item *it = &p->items[k];
		int c = it->count, wc = c > wmax ? wmax : c;
		if (fmt && b->n + 24 >= cap)
			break;
		switch (it->letter) {
		case 0:
			if (fmt && b->n + it->lit_len >= cap)
				return b->n;
			oput(b, it->lit, it->lit_len);
			break;
		case 'y':
			if (c == 2)
				onum(b, ((year % 100) + 100) % 100, 2);
			else
				onum(b, year, wc);
			break;
		case 'M':
			if (c >= 4 && !fmt)
				oput(b, month_names[month - 1], strlen(month_names[month - 1]));
			else if (c == 3 && !fmt)
				oput(b, month_names[month - 1], 3);
			else
				onum(b, month, wc);
			break;
		case 'd':
			onum(b, day, wc);
			break;
		case 'D':
			onum(b, days - slu_days_from_civil(year, 1, 1) + 1, wc);
			break;
		case 'H':
			onum(b, hour, wc);
			break;
		case 'h':
			onum(b, hour % 12 == 0 ? 12 : hour % 12, wc);
			break;
		case 'm':
			onum(b, minute, wc);
			break;
		case 's':
			onum(b, second, wc);
			break;
		case 'S': {
			char f[8];
			snprintf(f, sizeof(f), "%06lld", (long long)micros);
			for (int j = 0; j < (c > 9 && fmt ? 9 : c); j++)
				oput(b, j < 6 ? f + j : "0", 1);
			break;
		}
		case 'a':
			oput(b, hour < 12 ? "AM" : "PM", 2);
			break;
		case 'E': {
			int64_t w = (days + 4) % 7;
			const char *dn = day_names[w < 0 ? w + 7 : w];
			oput(b, dn, c >= 4 ? strlen(dn) : 3);
			break;
		}
		case 'X':
			oput(b, "Z", 1);
			break;
		case 'x':
			if (fmt)
				oput(b, c >= 3 ? "+00:00" : "+0000", c >= 3 ? 6 : 5);
			else
				oput(b,
				     c == 1             ? "+00"
				     : c == 2 || c == 4 ? "+0000"
				                        : "+00:00",
				     c == 1             ? 3
				     : c == 2 || c == 4 ? 5
				                        : 6);
			break;
		case 'Z':
			if (c >= 5 && !fmt)
				oput(b, "Z", 1);
			else if (c == 4 && !fmt)
				oput(b, "GMT", 3);
			else
				oput(b, "+0000", 5);
			break;
		case 'z':
			oput(b, "UTC", 3);
			break;
		default:
			break;
		}
	}
	if (fmt && b->n < cap)
		buf[b->n] = '\0';
	return b->n;
}
