/* fmt_time.c - timestampFormat patterns (a subset of Java's
 * DateTimeFormatter letters, as Spark uses them): y, M, d, H, h, a, m, s,
 * S (fraction), X/x/Z (zone offset; always UTC when writing), 'quoted
 * text' and any other punctuation as itself.  Letters outside the subset
 * are refused when the pattern is compiled. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "expr_internal.h"
#include "fmt_internal.h"

#define MAX_ITEMS 48

struct item {
	char letter; /* 0: literal */
	int count;
	char lit[16];
	size_t lit_len;
};

struct slf_tsfmt {
	size_t n;
	struct item items[MAX_ITEMS];
};

int slf_tsfmt_compile(const char *pat, slf_tsfmt **out, sl_error *err)
{
	slf_tsfmt *f = calloc(1, sizeof(*f));
	const char *p = pat;

	*out = NULL;
	if (f == NULL)
		return SL_ENOMEM;
	while (*p) {
		struct item *it;

		if (f->n == MAX_ITEMS)
			goto bad;
		it = &f->items[f->n];
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')) {
			char c = *p;

			if (strchr("yMdHhamsSXxZ", c) == NULL)
				goto bad;
			it->letter = c;
			while (*p == c) {
				it->count++;
				p++;
			}
		} else if (*p == '\'') {
			p++;
			if (*p == '\'') { /* '' is a quote */
				it->lit[it->lit_len++] = '\'';
				p++;
			} else {
				while (*p && *p != '\'') {
					if (it->lit_len == sizeof(it->lit))
						goto bad;
					it->lit[it->lit_len++] = *p++;
				}
				if (*p != '\'')
					goto bad;
				p++;
			}
		} else {
			it->lit[it->lit_len++] = *p++;
		}
		f->n++;
	}
	*out = f;
	return SL_OK;
bad:
	free(f);
	return sl_error_at(err, SL_EINVAL, "timestampFormat", (int)(p - pat),
	                   "timestampFormat '%s': unsupported pattern at offset %d", pat,
	                   (int)(p - pat));
}

void slf_tsfmt_free(slf_tsfmt *f)
{
	free(f);
}

static bool num(const char *s, size_t len, size_t *i, int min, int max, int64_t *v)
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

bool slf_tsfmt_parse(const slf_tsfmt *f, const char *s, size_t len, int64_t *out)
{
	int64_t year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0, us = 0;
	int64_t off = 0, v, days, next;
	int ampm = -1;
	bool h12 = false;
	size_t i = 0, k;

	for (k = 0; k < f->n; k++) {
		const struct item *it = &f->items[k];
		bool adjacent = k + 1 < f->n && f->items[k + 1].letter != 0 &&
		                strchr("yMdHhmsS", f->items[k + 1].letter) != NULL;
		int c = it->count, mn = c >= 2 || adjacent ? c : 1, mx = c >= 2 || adjacent ? c : 2;

		switch (it->letter) {
		case 0:
			if (len - i < it->lit_len || memcmp(s + i, it->lit, it->lit_len) != 0)
				return false;
			i += it->lit_len;
			break;
		case 'y':
			if (c == 2) {
				if (!num(s, len, &i, 2, 2, &v))
					return false;
				year = 2000 + v;
			} else if (!num(s, len, &i, c, adjacent ? c : 6, &year)) {
				return false;
			}
			break;
		case 'M':
			if (!num(s, len, &i, mn, mx, &month))
				return false;
			break;
		case 'd':
			if (!num(s, len, &i, mn, mx, &day))
				return false;
			break;
		case 'H':
		case 'h':
			if (!num(s, len, &i, mn, mx, &hour))
				return false;
			h12 = it->letter == 'h';
			break;
		case 'm':
			if (!num(s, len, &i, mn, mx, &minute))
				return false;
			break;
		case 's':
			if (!num(s, len, &i, mn, mx, &second))
				return false;
			break;
		case 'S': {
			size_t f0 = i;
			int nd;

			if (!num(s, len, &i, 1, c > 9 ? 9 : c, &v))
				return false;
			for (nd = (int)(i - f0); nd > 6; nd--)
				v /= 10;
			for (; nd < 6; nd++)
				v *= 10;
			us = v;
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
		default: /* X x Z */
			if (i < len && s[i] == 'Z') {
				i++;
				break;
			}
			if (i < len && (s[i] == '+' || s[i] == '-')) {
				bool neg = s[i] == '-';
				int64_t zh, zm = 0;

				i++;
				if (!num(s, len, &i, 2, 2, &zh))
					return false;
				if (i < len && s[i] == ':')
					i++;
				if (i < len && s[i] >= '0' && s[i] <= '9' &&
				    !num(s, len, &i, 2, 2, &zm))
					return false;
				if (zh > 18 || zm > 59)
					return false;
				off = (zh * 3600 + zm * 60) * (neg ? -1 : 1);
				break;
			}
			return false;
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
	if (year < -290000 || year > 290000 || month < 1 || month > 12 || hour > 23 ||
	    minute > 59 || second > 59)
		return false;
	days = slx_days_from_civil(year, (unsigned)month, 1);
	next = month == 12 ? slx_days_from_civil(year + 1, 1, 1)
	                   : slx_days_from_civil(year, (unsigned)month + 1, 1);
	if (day < 1 || day > next - days)
		return false;
	days += day - 1;
	*out = (days * 86400 + hour * 3600 + minute * 60 + second - off) * 1000000 + us;
	return true;
}

size_t slf_tsfmt_format(const slf_tsfmt *f, int64_t us, char *buf, size_t size)
{
	int64_t days = us / 86400000000LL, rem = us % 86400000000LL, y, secs;
	unsigned m, d;
	size_t n = 0, k;
	char tmp[32];

	if (rem < 0) {
		rem += 86400000000LL;
		days--;
	}
	slx_civil_from_days(days, &y, &m, &d);
	secs = rem / 1000000;
	for (k = 0; k < f->n && n + 24 < size; k++) {
		const struct item *it = &f->items[k];
		int w = it->count;
		long long v = 0;

		switch (it->letter) {
		case 0:
			if (n + it->lit_len >= size)
				return n;
			memcpy(buf + n, it->lit, it->lit_len);
			n += it->lit_len;
			continue;
		case 'y':
			v = w == 2 ? (y % 100 + 100) % 100 : y;
			break;
		case 'M':
			v = m;
			break;
		case 'd':
			v = d;
			break;
		case 'H':
			v = secs / 3600;
			break;
		case 'h':
			v = (secs / 3600) % 12 == 0 ? 12 : (secs / 3600) % 12;
			break;
		case 'm':
			v = secs / 60 % 60;
			break;
		case 's':
			v = secs % 60;
			break;
		case 'S': {
			int nd = w > 9 ? 9 : w, j;

			snprintf(tmp, sizeof(tmp), "%06lld000", (long long)(rem % 1000000));
			for (j = 0; j < nd; j++)
				buf[n++] = tmp[j];
			continue;
		}
		case 'a':
			memcpy(buf + n, secs / 3600 < 12 ? "AM" : "PM", 2);
			n += 2;
			continue;
		case 'X':
			buf[n++] = 'Z';
			continue;
		default: /* x Z: UTC offset */
			memcpy(buf + n, w >= 3 && it->letter == 'x' ? "+00:00" : "+0000",
			       w >= 3 && it->letter == 'x' ? 6 : 5);
			n += w >= 3 && it->letter == 'x' ? 6 : 5;
			continue;
		}
		n += (size_t)snprintf(buf + n, size - n, "%0*lld", w > 9 ? 9 : w, v);
	}
	if (n < size)
		buf[n] = '\0';
	return n;
}
