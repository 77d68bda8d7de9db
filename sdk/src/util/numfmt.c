/* numfmt.c - numbers as text: int64 in decimal, doubles as Java's
 * Double.toString (sl_text.h).
 *
 * A double in [1e-3, 1e7) with at most 15 decimals, the common case in
 * data, takes an exact integer path: the fewest decimals k whose rounding
 * reads back as d.  Everything else finds the shortest round-tripping
 * significant digits with printf: 15 digits always suffice for a decimal
 * of 15 or fewer (DBL_DIG), so the search starts there, except for
 * subnormals, where Java's "closest decimal of at least two digits" rule
 * needs the search to start at two (4.9E-324, not 4.94065645841247E-324).
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

const char slu_digit_pairs[201] = "00010203040506070809"
                                  "10111213141516171819"
                                  "20212223242526272829"
                                  "30313233343536373839"
                                  "40414243444546474849"
                                  "50515253545556575859"
                                  "60616263646566676869"
                                  "70717273747576777879"
                                  "80818283848586878889"
                                  "90919293949596979899";

static const double pow10_tab[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                   1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};

/* Writes u in decimal at buf; returns the length. */
static size_t put_u64(uint64_t u, char *buf)
{
	char tmp[24];
	size_t n = sizeof(tmp), len;

	while (u >= 100) {
		unsigned r = (unsigned)(u % 100);

		u /= 100;
		n -= 2;
		memcpy(tmp + n, slu_digit_pairs + r * 2, 2);
	}
	if (u >= 10) {
		n -= 2;
		memcpy(tmp + n, slu_digit_pairs + u * 2, 2);
	} else {
		tmp[--n] = (char)('0' + u);
	}
	len = sizeof(tmp) - n;
	memcpy(buf, tmp + n, len);
	return len;
}

size_t sl_format_int64(int64_t v, char *buf)
{
	size_t n;

	if (v < 0) {
		buf[0] = '-';
		n = 1 + put_u64(0 - (uint64_t)v, buf + 1);
	} else {
		n = put_u64((uint64_t)v, buf);
	}
	buf[n] = '\0';
	return n;
}

/* The exact path: d = whole.frac with k <= 15 decimals.  0 when d is not
 * such a value. */
static size_t format_fixed(double d, char *buf)
{
	double a = fabs(d);
	uint64_t ip = (uint64_t)a;
	size_t n = 0;

	if (d < 0)
		buf[n++] = '-';
	if ((double)ip == a) {
		n += put_u64(ip, buf + n);
		memcpy(buf + n, ".0", 3);
		return n + 2;
	}
	for (int k = 1; k <= 15; k++) {
		double m = nearbyint(a * pow10_tab[k]);

		if (m >= 9007199254740992.0)
			break;
		if (m / pow10_tab[k] == a) {
			uint64_t mi = (uint64_t)m, p = (uint64_t)pow10_tab[k];
			char fr[24];
			size_t fl;

			n += put_u64(mi / p, buf + n);
			buf[n++] = '.';
			fl = put_u64(mi % p, fr);
			for (; fl < (size_t)k; k--)
				buf[n++] = '0';
			memcpy(buf + n, fr, fl);
			n += fl;
			buf[n] = '\0';
			return n;
		}
	}
	return 0;
}

/* The shortest significant digits of |d| that read back as d: digits[0..nd)
 * (no trailing zeros) and the decimal exponent of the first one. */
static size_t shortest_digits(double d, char *digits, int *exp10)
{
	char tmp[40];
	size_t nd = 0;
	const char *p;

	for (int prec = fabs(d) < DBL_MIN ? 2 : 15; prec <= 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, d);
		if (strtod(tmp, NULL) == d)
			break;
	}
	for (p = tmp; *p && *p != 'e'; p++)
		if (*p >= '0' && *p <= '9')
			digits[nd++] = *p;
	*exp10 = atoi(p + 1);
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	return nd;
}

size_t sl_format_double(double d, char *buf)
{
	char digits[24];
	size_t nd, len = 0;
	int e;
	double a = fabs(d);

	if (isnan(d))
		return (size_t)snprintf(buf, SL_TEXT_MAX, "NaN");
	if (isinf(d))
		return (size_t)snprintf(buf, SL_TEXT_MAX, "%sInfinity", d < 0 ? "-" : "");
	if (d == 0)
		return (size_t)snprintf(buf, SL_TEXT_MAX, "%s0.0", signbit(d) ? "-" : "");
	if (a >= 1e-3 && a < 1e7 && (len = format_fixed(d, buf)) > 0)
		return len;

	nd = shortest_digits(d, digits, &e);
	if (d < 0)
		buf[len++] = '-';
	if (a >= 1e-3 && a < 1e7) {
		/* plain notation, at least one digit after the point */
		if (e < 0) {
			buf[len++] = '0';
			buf[len++] = '.';
			for (int i = -1; i > e; i--)
				buf[len++] = '0';
			memcpy(buf + len, digits, nd);
			len += nd;
		} else {
			size_t ip = (size_t)e + 1;

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
	/* computerised scientific notation: 1.0E10, 1.234E-5 */
	buf[len++] = digits[0];
	buf[len++] = '.';
	if (nd > 1) {
		memcpy(buf + len, digits + 1, nd - 1);
		len += nd - 1;
	} else {
		buf[len++] = '0';
	}
	return len + (size_t)snprintf(buf + len, SL_TEXT_MAX - len, "E%d", e);
}
