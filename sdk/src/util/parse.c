/* parse.c - durations, sizes, edit distance and did-you-mean. */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util.h"

struct unit {
	const char *name;
	int64_t factor;
};

static const struct unit duration_units[] = {
    {"us", 1},
    {"usec", 1},
    {"usecs", 1},
    {"micro", 1},
    {"micros", 1},
    {"microsecond", 1},
    {"microseconds", 1},
    {"ms", 1000},
    {"msec", 1000},
    {"msecs", 1000},
    {"milli", 1000},
    {"millis", 1000},
    {"millisecond", 1000},
    {"milliseconds", 1000},
    {"s", 1000000},
    {"sec", 1000000},
    {"secs", 1000000},
    {"second", 1000000},
    {"seconds", 1000000},
    {"m", 60000000},
    {"min", 60000000},
    {"mins", 60000000},
    {"minute", 60000000},
    {"minutes", 60000000},
    {"h", 3600000000LL},
    {"hr", 3600000000LL},
    {"hrs", 3600000000LL},
    {"hour", 3600000000LL},
    {"hours", 3600000000LL},
    {"d", 86400000000LL},
    {"day", 86400000000LL},
    {"days", 86400000000LL},
    {"w", 604800000000LL},
    {"week", 604800000000LL},
    {"weeks", 604800000000LL},
};

static const struct unit size_units[] = {
    {"b", 1},           {"byte", 1},        {"bytes", 1},       {"k", 1LL << 10},
    {"kb", 1LL << 10},  {"kib", 1LL << 10}, {"m", 1LL << 20},   {"mb", 1LL << 20},
    {"mib", 1LL << 20}, {"g", 1LL << 30},   {"gb", 1LL << 30},  {"gib", 1LL << 30},
    {"t", 1LL << 40},   {"tb", 1LL << 40},  {"tib", 1LL << 40}, {"p", 1LL << 50},
    {"pb", 1LL << 50},  {"pib", 1LL << 50},
};

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

static const struct unit *find_unit(const struct unit *units, size_t n, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strlen(units[i].name) == len && strncasecmp(units[i].name, s, len) == 0)
			return &units[i];
	return NULL;
}

/* A non-negative decimal number: digits [. digits].  Splits it into an
 * integer part and a fraction in [0, 1).  Returns the number of characters
 * used, 0 when there is no number, -1 on overflow. */
static int parse_number(const char *s, int64_t *ipart, double *frac)
{
	const char *p = s;
	int64_t v = 0;
	bool digits = false;
	double f = 0, scale = 0.1;

	while (isdigit((unsigned char)*p)) {
		if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, *p - '0', &v))
			return -1;
		digits = true;
		p++;
	}
	if (*p == '.' && isdigit((unsigned char)p[1])) {
		p++;
		while (isdigit((unsigned char)*p)) {
			f += (*p - '0') * scale;
			scale /= 10;
			digits = true;
			p++;
		}
	}
	if (!digits)
		return 0;
	*ipart = v;
	*frac = f;
	return (int)(p - s);
}

/* ipart * factor + round(frac * factor), with overflow checks. */
static int scale_value(int64_t ipart, double frac, int64_t factor, int64_t *out)
{
	int64_t v, f;

	if (__builtin_mul_overflow(ipart, factor, &v))
		return -1;
	f = (int64_t)llround(frac * (double)factor);
	if (__builtin_add_overflow(v, f, &v))
		return -1;
	*out = v;
	return 0;
}

static const char *skip_space(const char *p)
{
	while (isspace((unsigned char)*p))
		p++;
	return p;
}

static size_t trimmed_len(const char *p)
{
	size_t n = strlen(p);

	while (n > 0 && isspace((unsigned char)p[n - 1]))
		n--;
	return n;
}

int sl_parse_duration(const char *text, int64_t *out_us, sl_error *err)
{
	static const char hint[] =
	    "expected a duration such as '250ms', '1.5 seconds' or '30 minutes'";
	const char *p, *end, *u;
	int64_t total = 0, ipart, v;
	double frac;
	int used, parts = 0;
	const struct unit *unit;

	if (text == NULL)
		return sl_error_set(err, SL_EINVAL, "%s, got nothing", hint);
	p = skip_space(text);
	end = p + trimmed_len(p);
	if (p == end)
		return sl_error_set(err, SL_EINVAL, "%s, got an empty string", hint);
	if (*p == '-')
		return sl_error_at(err, SL_EINVAL, NULL, (int)(p - text),
		                   "negative duration '%s': durations must be >= 0", text);
	while (p < end) {
		if (*p == '+' && parts == 0)
			p++;
		used = parse_number(p, &ipart, &frac);
		if (used < 0)
			return sl_error_at(err, SL_EINVAL, NULL, (int)(p - text),
			                   "duration '%s' is too large", text);
		if (used == 0 && parts > 0)
			return sl_error_at(err, SL_EINVAL, NULL, (int)(p - text),
			                   "duration '%s': unexpected '%.*s'", text, (int)(end - p),
			                   p);
		if (used == 0)
			return sl_error_at(err, SL_EINVAL, NULL, (int)(p - text), "%s, got '%s'",
			                   hint, text);
		p = skip_space(p + used);
		if (p > end)
			p = end;
		u = p;
		while (p < end && isalpha((unsigned char)*p))
			p++;
		if (u == p) {
			if (ipart == 0 && frac == 0 && parts == 0 && p == end)
				break; /* a bare "0" */
			if (p != end)
				return sl_error_at(err, SL_EINVAL, NULL, (int)(p - text),
				                   "%s, got '%s'", hint, text);
			return sl_error_at(
			    err, SL_EINVAL, NULL, (int)(u - text),
			    "duration '%s' needs a unit (us, ms, s, min, h, day), e.g. "
			    "'%lld s'",
			    text, (long long)ipart);
		}
		unit = find_unit(duration_units, N_ELEMS(duration_units), u, (size_t)(p - u));
		if (unit == NULL)
			return sl_error_at(
			    err, SL_EINVAL, NULL, (int)(u - text),
			    "duration '%s': unknown unit '%.*s' (use us, ms, s, min, h "
			    "or day)",
			    text, (int)(p - u), u);
		if (scale_value(ipart, frac, unit->factor, &v) < 0 ||
		    __builtin_add_overflow(total, v, &total))
			return sl_error_set(err, SL_EINVAL, "duration '%s' is too large", text);
		parts++;
		p = skip_space(p);
		if (p < end && *p == ',') {
			p = skip_space(p + 1);
			if (p >= end)
				return sl_error_set(err, SL_EINVAL,
				                    "duration '%s': unexpected ',' at the end",
				                    text);
		}
		if (p > end)
			p = end;
	}
	*out_us = total;
	return SL_OK;
}

int sl_parse_size(const char *text, int64_t *out_bytes, sl_error *err)
{
	static const char hint[] = "expected a size such as '64', '64k', '10MB' or '1GiB'";
	const char *p, *end, *u;
	int64_t ipart, v;
	double frac;
	int used;
	const struct unit *unit;

	if (text == NULL)
		return sl_error_set(err, SL_EINVAL, "%s, got nothing", hint);
	p = skip_space(text);
	end = p + trimmed_len(p);
	if (p == end)
		return sl_error_set(err, SL_EINVAL, "%s, got an empty string", hint);
	if (*p == '-')
		return sl_error_at(err, SL_EINVAL, NULL, (int)(p - text),
		                   "negative size '%s': sizes must be >= 0", text);
	if (*p == '+')
		p++;
	used = parse_number(p, &ipart, &frac);
	if (used < 0)
		return sl_error_set(err, SL_EINVAL, "size '%s' is too large", text);
	if (used == 0)
		return sl_error_at(err, SL_EINVAL, NULL, (int)(p - text), "%s, got '%s'", hint,
		                   text);
	p = skip_space(p + used);
	if (p > end)
		p = end;
	u = p;
	while (p < end && isalpha((unsigned char)*p))
		p++;
	if (p != end)
		return sl_error_at(err, SL_EINVAL, NULL, (int)(p - text), "%s, got '%s'", hint,
		                   text);
	if (u == p) {
		unit = &size_units[0];
	} else {
		unit = find_unit(size_units, N_ELEMS(size_units), u, (size_t)(p - u));
		if (unit == NULL)
			return sl_error_at(
			    err, SL_EINVAL, NULL, (int)(u - text),
			    "size '%s': unknown unit '%.*s' (use B, k, MB, GiB, ...)", text,
			    (int)(p - u), u);
	}
	if (scale_value(ipart, frac, unit->factor, &v) < 0)
		return sl_error_set(err, SL_EINVAL, "size '%s' is too large", text);
	*out_bytes = v;
	return SL_OK;
}

/* Levenshtein distance, row by row; stops early once every entry of a row
 * exceeds the limit.  With `typo`, letters compare case-insensitively and
 * swapping two neighbours costs one edit (optimal string alignment), which
 * suits did-you-mean ("hots" -> "host"). */
static size_t edit_distance(const char *a, const char *b, size_t limit, bool typo)
{
	size_t la = strlen(a), lb = strlen(b), i, j, best, cap = limit + 1;
	size_t stack[3 * 65], *prev2, *prev, *cur, *tmp, *heap = NULL;

	if (la > lb ? la - lb > limit : lb - la > limit)
		return cap;
	if (lb + 1 <= 65) {
		prev2 = stack;
		prev = stack + 65;
		cur = stack + 130;
	} else {
		heap = malloc(3 * (lb + 1) * sizeof(*heap));
		if (heap == NULL)
			return cap;
		prev2 = heap;
		prev = heap + lb + 1;
		cur = heap + 2 * (lb + 1);
	}
	for (j = 0; j <= lb; j++)
		prev[j] = j;
	for (i = 1; i <= la; i++) {
		int ca = (unsigned char)a[i - 1];

		if (typo)
			ca = tolower(ca);
		cur[0] = i;
		best = cur[0];
		for (j = 1; j <= lb; j++) {
			int cb = (unsigned char)b[j - 1];
			size_t d;

			if (typo)
				cb = tolower(cb);
			d = prev[j - 1] + (ca != cb);
			if (prev[j] + 1 < d)
				d = prev[j] + 1;
			if (cur[j - 1] + 1 < d)
				d = cur[j - 1] + 1;
			if (typo && i > 1 && j > 1 && ca != cb &&
			    ca == tolower((unsigned char)b[j - 2]) &&
			    tolower((unsigned char)a[i - 2]) == cb && prev2[j - 2] + 1 < d)
				d = prev2[j - 2] + 1;
			cur[j] = d;
			if (d < best)
				best = d;
		}
		if (best > limit) {
			free(heap);
			return cap;
		}
		tmp = prev2;
		prev2 = prev;
		prev = cur;
		cur = tmp;
	}
	best = prev[lb];
	free(heap);
	return best > limit ? cap : best;
}

size_t sl_edit_distance(const char *a, const char *b, size_t limit)
{
	return edit_distance(a, b, limit, false);
}

static size_t edit_distance_ci(const char *a, const char *b, size_t limit)
{
	return edit_distance(a, b, limit, true);
}

const char *sl_did_you_mean(const char *name, const char *const *candidates, size_t n)
{
	size_t len, limit, best_d, i, d;
	const char *best = NULL;

	if (name == NULL || candidates == NULL)
		return NULL;
	len = strlen(name);
	limit = (len + 2) / 3;
	if (limit < 1)
		limit = 1;
	if (limit > 3)
		limit = 3;
	best_d = limit + 1;
	for (i = 0; i < n; i++) {
		if (candidates[i] == NULL)
			continue;
		d = edit_distance_ci(name, candidates[i], limit);
		if (d < best_d) {
			best_d = d;
			best = candidates[i];
		}
	}
	return best;
}
