/* utf8.c - UTF-8: the valid prefix (sl_text.h), repair with U+FFFD, and
 * character counts and offsets for the string functions. */
#include <string.h>

#include "util.h"

size_t sl_utf8_valid(const char *s, size_t len)
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

size_t slu_utf8_repair(const char *p, size_t len, char *out)
{
	size_t i = 0, n = 0;

	while (i < len) {
		size_t v = sl_utf8_valid(p + i, len - i);

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

int64_t slu_utf8_count(const char *p, size_t len)
{
	int64_t n = 0;
	size_t i = 0;
	for (; i + 8 <= len; i += 8) {
		uint64_t w;
		memcpy(&w, p + i, 8);
		if ((w & UINT64_C(0x8080808080808080)) == 0) {
			n += 8;
			continue;
		}
		for (size_t k = 0; k < 8; k++)
			n += ((unsigned char)p[i + k] & 0xC0) != 0x80;
	}
	for (; i < len; i++)
		n += ((unsigned char)p[i] & 0xC0) != 0x80;
	return n;
}

size_t slu_utf8_offset(const char *p, size_t len, int64_t k)
{
	size_t i = 0;
	while (k > 0 && i < len) {
		i++;
		while (i < len && ((unsigned char)p[i] & 0xC0) == 0x80)
			i++;
		k--;
	}
	return i;
}
