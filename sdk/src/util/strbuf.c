/* strbuf.c - growable NUL-terminated strings. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sluice/sl_common.h>

/* Makes room for `extra` more bytes plus the terminating NUL. */
static int grow(sl_strbuf *sb, size_t extra)
{
	size_t need, cap;
	char *p;

	if (extra > SIZE_MAX - sb->len - 1)
		return SL_ENOMEM;
	need = sb->len + extra + 1;
	if (need <= sb->cap)
		return SL_OK;
	cap = sb->cap ? sb->cap : 64;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	p = realloc(sb->buf, cap);
	if (p == NULL)
		return SL_ENOMEM;
	sb->buf = p;
	sb->cap = cap;
	return SL_OK;
}

int sl_strbuf_reserve(sl_strbuf *sb, size_t extra)
{
	return grow(sb, extra);
}

int sl_strbuf_append(sl_strbuf *sb, const char *s, size_t len)
{
	int rc = grow(sb, len);

	if (rc < 0)
		return rc;
	if (len)
		memcpy(sb->buf + sb->len, s, len);
	sb->len += len;
	sb->buf[sb->len] = '\0';
	return SL_OK;
}

int sl_strbuf_puts(sl_strbuf *sb, const char *s)
{
	return sl_strbuf_append(sb, s, strlen(s));
}

int sl_strbuf_printf(sl_strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int n, rc;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return SL_EINVAL;
	rc = grow(sb, (size_t)n);
	if (rc < 0)
		return rc;
	va_start(ap, fmt);
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	sb->len += (size_t)n;
	return SL_OK;
}

void sl_strbuf_reset(sl_strbuf *sb)
{
	sb->len = 0;
	if (sb->buf)
		sb->buf[0] = '\0';
}

void sl_strbuf_free(sl_strbuf *sb)
{
	free(sb->buf);
	sb->buf = NULL;
	sb->len = 0;
	sb->cap = 0;
}
