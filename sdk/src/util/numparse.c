/* numparse.c - numbers from text (sl_text.h): strict int64, and doubles
 * as JSON writes them or as Java's Double.parseDouble reads them.
 *
 * Doubles with up to 15 significant digits and a decimal exponent within
 * 22 take Clinger's fast path (one exact multiplication or division, so
 * correctly rounded); the rest go to strtod. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static const double pow10_tab[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                   1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                   1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

bool sl_parse_int64(const char *p, size_t len, int64_t *out)
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

bool sl_parse_double(const char *p, size_t len, unsigned flags, double *out)
{
	if (!(flags & SL_PARSE_JAVA))
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
