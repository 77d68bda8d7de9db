/* config_expand.c - ${VAR} and ${VAR:-default} in pipeline-file strings. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "config/config_file.h"

/* Length of a variable name at p (letters, digits, '_', not starting with a
 * digit), 0 when there is none. */
static size_t name_len(const char *p)
{
	size_t n = 0;

	if (!(isalpha((unsigned char)p[0]) || p[0] == '_'))
		return 0;
	while (isalnum((unsigned char)p[n]) || p[n] == '_')
		n++;
	return n;
}

/* Expands the reference starting at text + at ("${"); *used receives how
 * many characters it spans. */
static int expand_ref(const char *text, size_t at, sl_strbuf *sb, size_t *used, sl_error *err)
{
	const char *p = text + at + 2;
	const char *close, *value;
	size_t n = name_len(p);
	char name[256];

	close = strchr(p, '}');
	if (close == NULL)
		return sl_error_at(err, SL_EINVAL, NULL, (int)at, "missing '}' after '${'");
	if (n == 0 || n >= sizeof(name) || (p[n] != '}' && strncmp(p + n, ":-", 2) != 0)) {
		/* The reference as written, cut at a line break or other control
		 * character (the message is one line) and at 200 bytes. */
		size_t len = (size_t)(close - (text + at)) + 1, k;

		for (k = 0; k < len && k < 200 && (unsigned char)text[at + k] >= 0x20 &&
		            text[at + k] != 0x7f;
		     k++)
			;
		return sl_error_at(err, SL_EINVAL, NULL, (int)at,
		                   "bad variable reference '%.*s%s' (use ${NAME} or "
		                   "${NAME:-default})",
		                   (int)k, text + at, k < len ? "..." : "");
	}
	memcpy(name, p, n);
	name[n] = '\0';
	value = getenv(name);
	*used = (size_t)(close - (text + at)) + 1;
	if (p[n] == ':' && (value == NULL || value[0] == '\0'))
		return sl_strbuf_append(sb, p + n + 2, (size_t)(close - (p + n + 2)));
	if (value == NULL)
		return sl_error_at(
		    err, SL_EINVAL, NULL, (int)at,
		    "environment variable '%s' is not set (use ${%s:-default} to give "
		    "a default)",
		    name, name);
	return sl_strbuf_puts(sb, value);
}

int slc_expand(const char *text, char **out, sl_error *err)
{
	sl_strbuf sb = {0};
	size_t i = 0, used = 0;
	int rc = SL_OK;

	*out = NULL;
	while (rc >= 0 && text[i] != '\0') {
		if (text[i] == '$' && text[i + 1] == '$') {
			rc = sl_strbuf_append(&sb, "$", 1);
			i += 2;
		} else if (text[i] == '$' && text[i + 1] == '{') {
			rc = expand_ref(text, i, &sb, &used, err);
			i += used;
		} else {
			rc = sl_strbuf_append(&sb, text + i, 1);
			i++;
		}
	}
	if (rc >= 0 && sb.buf == NULL)
		rc = sl_strbuf_append(&sb, "", 0);
	if (rc < 0) {
		if (rc == SL_ENOMEM)
			sl_error_set(err, rc, "out of memory");
		sl_strbuf_free(&sb);
		return rc;
	}
	*out = sb.buf;
	return SL_OK;
}
