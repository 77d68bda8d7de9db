/* config_value.c - libconfig scalars as text, and where a setting is. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config_file.h"

int slc_setting_line(const config_setting_t *s)
{
	return s ? (int)config_setting_source_line(s) : 0;
}

const char *slc_setting_file(const config_setting_t *s, const char *fallback)
{
	const char *f = s ? config_setting_source_file(s) : NULL;

	return f ? f : fallback;
}

static const char *kind_of(const config_setting_t *s)
{
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_GROUP:
		return "a group { ... }";
	case CONFIG_TYPE_ARRAY:
		return "an array [ ... ]";
	case CONFIG_TYPE_LIST:
		return "a list ( ... )";
	default:
		return "a value";
	}
}

/* The shortest %g form of v that reads back as v. */
static void format_double(double v, char *buf, size_t n)
{
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(buf, n, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	if (strpbrk(buf, ".eEin") == NULL && strlen(buf) + 2 < n)
		strcat(buf, ".0");
}

static char *dup_text(const char *s, sl_error *err)
{
	char *copy = strdup(s);

	if (copy == NULL)
		sl_error_set(err, SL_ENOMEM, "out of memory");
	return copy;
}

int slc_setting_text(const config_setting_t *s, char **out, sl_error *err)
{
	char buf[64];

	*out = NULL;
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_STRING:
		return slc_expand(config_setting_get_string(s), out, err);
	case CONFIG_TYPE_INT:
		snprintf(buf, sizeof(buf), "%d", config_setting_get_int(s));
		break;
	case CONFIG_TYPE_INT64:
		snprintf(buf, sizeof(buf), "%lld", config_setting_get_int64(s));
		break;
	case CONFIG_TYPE_FLOAT:
		format_double(config_setting_get_float(s), buf, sizeof(buf));
		break;
	case CONFIG_TYPE_BOOL:
		snprintf(buf, sizeof(buf), "%s", config_setting_get_bool(s) ? "true" : "false");
		break;
	default:
		return sl_error_set(err, SL_ETYPE, "expected a single value, got %s", kind_of(s));
	}
	*out = dup_text(buf, err);
	return *out ? SL_OK : SL_ENOMEM;
}

bool slc_has_control(const char *text)
{
	for (const unsigned char *c = (const unsigned char *)text; c != NULL && *c; c++)
		if (*c < 0x20 || *c == 0x7f)
			return true;
	return false;
}
