/* json.c - JSON text (sl_text.h): string escaping as Jackson writes it,
 * and the integer member of a flat object, for offsets. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static const char hexd[] = "0123456789abcdef";

size_t sl_json_escape(const char *s, size_t n, char *w)
{
	char *w0 = w;
	size_t i = 0;

	while (i < n) {
		unsigned char c;

		/* copy runs of plain bytes 8 at a time */
		while (i + 8 <= n) {
			uint64_t x, q, b, m;

			memcpy(&x, s + i, 8);
			q = x ^ UINT64_C(0x2222222222222222);
			b = x ^ UINT64_C(0x5c5c5c5c5c5c5c5c);
			m = ((q - UINT64_C(0x0101010101010101)) & ~q) |
			    ((b - UINT64_C(0x0101010101010101)) & ~b) |
			    ((x - UINT64_C(0x2020202020202020)) & ~x);
			m &= UINT64_C(0x8080808080808080);
			memcpy(w, s + i, 8);
			if (m != 0) {
				int k = __builtin_ctzll(m) >> 3;

				w += k;
				i += (size_t)k;
				break;
			}
			w += 8;
			i += 8;
		}
		if (i >= n)
			break;
		c = (unsigned char)s[i++];
		if (c == '"' || c == '\\') {
			*w++ = '\\';
			*w++ = (char)c;
		} else if (c < 0x20) {
			*w++ = '\\';
			switch (c) {
			case '\n':
				*w++ = 'n';
				break;
			case '\r':
				*w++ = 'r';
				break;
			case '\t':
				*w++ = 't';
				break;
			case '\b':
				*w++ = 'b';
				break;
			case '\f':
				*w++ = 'f';
				break;
			default:
				memcpy(w, "u00", 3);
				w[3] = hexd[c >> 4];
				w[4] = hexd[c & 15];
				w += 5;
				break;
			}
		} else {
			*w++ = (char)c;
		}
	}
	return (size_t)(w - w0);
}

int sl_json_append_string(sl_strbuf *sb, const char *s, size_t n)
{
	int rc = sl_strbuf_reserve(sb, 6 * n + 2);

	if (rc < 0)
		return rc;
	sb->buf[sb->len++] = '"';
	sb->len += sl_json_escape(s, n, sb->buf + sb->len);
	sb->buf[sb->len++] = '"';
	sb->buf[sb->len] = '\0';
	return SL_OK;
}

int sl_json_get_int(const char *json, const char *key, int64_t *out)
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
