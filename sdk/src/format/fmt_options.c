/* fmt_options.c - format options under Spark's names, their tables for
 * plugins, the mode and kind names. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "fmt_internal.h"

void sl_format_options_init(sl_format_options *o)
{
	memset(o, 0, sizeof(*o));
	o->size = sizeof(*o);
	o->mode = SL_PARSE_PERMISSIVE;
	o->corrupt_record_column = "_corrupt_record";
	o->sampling_ratio = 1.0;
	o->ignore_null_fields = true;
	o->allow_single_quotes = true;
	o->allow_non_numeric_numbers = true;
	o->sep = ',';
	o->quote = '"';
	o->escape = '\\';
	o->multi_line = true;
	o->null_value = "";
	o->empty_value = "";
	o->nan_value = "NaN";
	o->positive_inf = "Inf";
	o->negative_inf = "-Inf";
	o->enforce_schema = true;
	o->compression = "null";
	o->record_name = "topLevelRecord";
	o->record_namespace = "";
}

int sl_format_kind_from_name(const char *name)
{
	if (name == NULL)
		return -1;
	if (!strcasecmp(name, "json") || !strcasecmp(name, "jsonl"))
		return SL_FORMAT_JSON;
	if (!strcasecmp(name, "csv"))
		return SL_FORMAT_CSV;
	if (!strcasecmp(name, "avro"))
		return SL_FORMAT_AVRO;
	if (!strcasecmp(name, "avro-file") || !strcasecmp(name, "avro_file"))
		return SL_FORMAT_AVRO_FILE;
	return -1;
}

const char *sl_format_kind_name(sl_format_kind kind)
{
	switch (kind) {
	case SL_FORMAT_JSON:
		return "json";
	case SL_FORMAT_CSV:
		return "csv";
	case SL_FORMAT_AVRO:
		return "avro";
	case SL_FORMAT_AVRO_FILE:
		return "avro-file";
	}
	return "unknown";
}

int sl_parse_mode_from_name(const char *name, sl_parse_mode *out, sl_error *err)
{
	if (name && !strcasecmp(name, "PERMISSIVE"))
		*out = SL_PARSE_PERMISSIVE;
	else if (name && !strcasecmp(name, "DROPMALFORMED"))
		*out = SL_PARSE_DROPMALFORMED;
	else if (name && !strcasecmp(name, "FAILFAST"))
		*out = SL_PARSE_FAILFAST;
	else
		return sl_error_at(err, SL_EINVAL, "mode", -1,
		                   "unknown mode '%s' (PERMISSIVE, DROPMALFORMED or FAILFAST)",
		                   name ? name : "");
	return SL_OK;
}

const char *sl_parse_mode_name(sl_parse_mode mode)
{
	switch (mode) {
	case SL_PARSE_PERMISSIVE:
		return "PERMISSIVE";
	case SL_PARSE_DROPMALFORMED:
		return "DROPMALFORMED";
	case SL_PARSE_FAILFAST:
		return "FAILFAST";
	}
	return "UNKNOWN";
}

/* ---------------------------------------------------------------- setting */

enum kind { K_BOOL, K_CHAR, K_STR, K_DOUBLE, K_INT, K_MODE };

/* Every option by Spark's name and by the pipeline's (snake_case, what the
 * bundled plugins declare; NULL where a plugin handles the option itself). */
struct opt {
	const char *name;
	const char *snake;
	enum kind kind;
	size_t off;
};

#define O(name, snake, kind, member)                                                               \
	{                                                                                          \
		name, snake, kind, offsetof(sl_format_options, member)                             \
	}
static const struct opt opts[] = {
    O("mode", "parse_mode", K_MODE, mode),
    O("columnNameOfCorruptRecord", "corrupt_record_column", K_STR, corrupt_record_column),
    O("timestampFormat", "timestamp_format", K_STR, timestamp_format),
    O("samplingRatio", "sampling_ratio", K_DOUBLE, sampling_ratio),
    O("inferSchemaMaxRecords", "infer_max_records", K_INT, infer_max_records),
    O("ignoreNullFields", "ignore_null_fields", K_BOOL, ignore_null_fields),
    O("allowSingleQuotes", "allow_single_quotes", K_BOOL, allow_single_quotes),
    O("allowComments", "allow_comments", K_BOOL, allow_comments),
    O("allowUnquotedFieldNames", "allow_unquoted_field_names", K_BOOL, allow_unquoted_field_names),
    O("allowNumericLeadingZeros", "allow_numeric_leading_zeros", K_BOOL, allow_numeric_leading_zeros),
    O("allowNonNumericNumbers", "allow_non_numeric_numbers", K_BOOL, allow_non_numeric_numbers),
    O("allowBackslashEscapingAnyCharacter", "allow_backslash_escaping_any_character", K_BOOL, allow_backslash_escaping_any_character),
    O("allowUnquotedControlChars", "allow_unquoted_control_chars", K_BOOL, allow_unquoted_control_chars),
    O("primitivesAsString", "primitives_as_string", K_BOOL, primitives_as_string),
    O("dropFieldIfAllNull", "drop_field_if_all_null", K_BOOL, drop_field_if_all_null),
    O("sep", "sep", K_CHAR, sep),
    O("delimiter", "delimiter", K_CHAR, sep),
    O("quote", "quote", K_CHAR, quote),
    O("escape", "escape", K_CHAR, escape),
    O("comment", "comment", K_CHAR, comment),
    O("header", "header", K_BOOL, header),
    O("inferSchema", NULL, K_BOOL, infer_schema),
    O("multiLine", "multi_line", K_BOOL, multi_line),
    O("ignoreLeadingWhiteSpace", "ignore_leading_white_space", K_BOOL, ignore_leading_white_space),
    O("ignoreTrailingWhiteSpace", "ignore_trailing_white_space", K_BOOL, ignore_trailing_white_space),
    O("nullValue", "null_value", K_STR, null_value),
    O("emptyValue", "empty_value", K_STR, empty_value),
    O("nanValue", "nan_value", K_STR, nan_value),
    O("positiveInf", "positive_inf", K_STR, positive_inf),
    O("negativeInf", "negative_inf", K_STR, negative_inf),
    O("quoteAll", "quote_all", K_BOOL, quote_all),
    O("enforceSchema", "enforce_schema", K_BOOL, enforce_schema),
    O("avroSchema", NULL, K_STR, avro_schema),
    O("compression", "compression", K_STR, compression),
    O("recordName", "record_name", K_STR, record_name),
    O("recordNamespace", "record_namespace", K_STR, record_namespace),
};
#undef O
#define N_OPTS (sizeof(opts) / sizeof(opts[0]))

static int parse_bool(const char *v, bool *out)
{
	if (!strcasecmp(v, "true") || !strcasecmp(v, "yes") || !strcasecmp(v, "on") ||
	    !strcmp(v, "1"))
		*out = true;
	else if (!strcasecmp(v, "false") || !strcasecmp(v, "no") || !strcasecmp(v, "off") ||
	         !strcmp(v, "0"))
		*out = false;
	else
		return SL_EINVAL;
	return SL_OK;
}

/* One character, written plainly or as \t, \n, \r, \0, \\, \uXXXX (ASCII
 * only); "" is '\0' (no quote, no escape). */
static int parse_char(const char *v, char *out)
{
	size_t n = strlen(v);

	if (n == 0) {
		*out = '\0';
		return SL_OK;
	}
	if (n == 1) {
		*out = v[0];
		return SL_OK;
	}
	if (v[0] != '\\')
		return SL_EINVAL;
	if (n == 2) {
		switch (v[1]) {
		case 't':
			*out = '\t';
			return SL_OK;
		case 'n':
			*out = '\n';
			return SL_OK;
		case 'r':
			*out = '\r';
			return SL_OK;
		case '0':
			*out = '\0';
			return SL_OK;
		case '\\':
		case '"':
		case '\'':
			*out = v[1];
			return SL_OK;
		}
		return SL_EINVAL;
	}
	if (n == 6 && v[1] == 'u') {
		unsigned x = 0;
		size_t i;

		for (i = 2; i < 6; i++) {
			if (!isxdigit((unsigned char)v[i]))
				return SL_EINVAL;
			x = x * 16 + (unsigned)(isdigit((unsigned char)v[i])
			                            ? v[i] - '0'
			                            : (tolower((unsigned char)v[i]) - 'a' + 10));
		}
		if (x > 0x7f)
			return SL_EINVAL;
		*out = (char)x;
		return SL_OK;
	}
	return SL_EINVAL;
}

int sl_format_options_set(sl_format_options *o, const char *name, const char *value, sl_error *err)
{
	const char *names[N_OPTS];
	const struct opt *op = NULL;
	char *base = (char *)o;
	size_t i;

	if (name == NULL || value == NULL)
		return sl_error_set(err, SL_EINVAL, "format option without name or value");
	for (i = 0; i < N_OPTS; i++) {
		names[i] = opts[i].name;
		if (!strcasecmp(opts[i].name, name) ||
		    (opts[i].snake != NULL && !strcmp(opts[i].snake, name)))
			op = &opts[i];
	}
	if (op == NULL) {
		const char *hint = sl_did_you_mean(name, names, N_OPTS);

		if (hint)
			return sl_error_at(err, SL_ENOTFOUND, NULL, -1,
			                   "unknown format option '%s' (did you mean '%s'?)", name,
			                   hint);
		return sl_error_at(err, SL_ENOTFOUND, NULL, -1, "unknown format option '%s'", name);
	}
	switch (op->kind) {
	case K_BOOL:
		if (parse_bool(value, (bool *)(base + op->off)) < 0)
			goto bad;
		break;
	case K_CHAR:
		if (parse_char(value, base + op->off) < 0 ||
		    (op->off == offsetof(sl_format_options, sep) && o->sep == '\0'))
			goto bad;
		break;
	case K_STR:
		*(const char **)(base + op->off) = value;
		break;
	case K_DOUBLE: {
		char *end;
		double d = strtod(value, &end);

		if (end == value || *end != '\0' || !(d > 0 && d <= 1))
			goto bad;
		*(double *)(base + op->off) = d;
		break;
	}
	case K_INT: {
		char *end;
		long long v = strtoll(value, &end, 10);

		if (end == value || *end != '\0' || v < 0)
			goto bad;
		*(int64_t *)(base + op->off) = v;
		break;
	}
	case K_MODE:
		return sl_parse_mode_from_name(value, &o->mode, err);
	}
	return SL_OK;
bad:
	return sl_error_at(err, SL_EINVAL, op->name, -1, "option '%s': bad value '%s'", op->name,
	                   value);
}

int sl_format_options_load(sl_format_options *o, const sl_options *po, sl_error *err)
{
	const sl_option_spec *s = sl_options_spec(po);
	size_t i;
	int rc;

	for (; s != NULL && s->name != NULL; s++) {
		const char *v;

		for (i = 0; i < N_OPTS; i++)
			if (!strcasecmp(opts[i].name, s->name) ||
			    (opts[i].snake != NULL && !strcmp(opts[i].snake, s->name)))
				break;
		if (i == N_OPTS || !sl_opt_is_set(po, s->name))
			continue;
		v = sl_opt_string(po, s->name);
		if (v == NULL)
			continue;
		rc = sl_format_options_set(o, s->name, v, err);
		if (rc < 0) {
			/* the core adds "option 'x': " from err->option */
			if (err) {
				err->option = s->name;
				err->pos = -1;
				snprintf(err->msg, sizeof(err->msg), "bad value '%.200s'", v);
			}
			return rc;
		}
	}
	return SL_OK;
}

int sl_format_config_load(sl_format_config *c, const sl_options *po, sl_error *err)
{
	sl_format_options o;
	int rc;

	memset(c, 0, sizeof(*c));
	sl_format_options_init(&o);
	if ((rc = sl_format_options_load(&o, po, err)) < 0)
		return rc;
	if ((rc = sl_format_config_copy(c, &o)) < 0)
		return sl_error_set(err, rc, "out of memory");
	return SL_OK;
}

/* ------------------------------------------------------------- copying */

int sl_format_config_copy(sl_format_config *dst, const sl_format_options *src)
{
	sl_format_options def;
	const char **strs[16];
	size_t n = 0, total = 0, i;
	char *w;

	memset(dst, 0, sizeof(*dst));
	if (src == NULL || src->size == 0) {
		sl_format_options_init(&def);
		src = &def;
	}
	sl_format_options_init(&dst->o);
	memcpy(&dst->o, src, src->size < sizeof(dst->o) ? src->size : sizeof(dst->o));
	dst->o.size = sizeof(dst->o);
	strs[n++] = &dst->o.corrupt_record_column;
	strs[n++] = &dst->o.timestamp_format;
	strs[n++] = &dst->o.null_value;
	strs[n++] = &dst->o.empty_value;
	strs[n++] = &dst->o.nan_value;
	strs[n++] = &dst->o.positive_inf;
	strs[n++] = &dst->o.negative_inf;
	strs[n++] = &dst->o.avro_schema;
	strs[n++] = &dst->o.compression;
	strs[n++] = &dst->o.record_name;
	strs[n++] = &dst->o.record_namespace;
	for (i = 0; i < n; i++)
		if (*strs[i])
			total += strlen(*strs[i]) + 1;
	dst->strings = malloc(total ? total : 1);
	if (dst->strings == NULL)
		return SL_ENOMEM;
	w = dst->strings;
	for (i = 0; i < n; i++) {
		if (*strs[i]) {
			size_t l = strlen(*strs[i]) + 1;

			memcpy(w, *strs[i], l);
			*strs[i] = w;
			w += l;
		}
	}
	return SL_OK;
}

void sl_format_config_free(sl_format_config *c)
{
	free(c->strings);
	c->strings = NULL;
}

/* -------------------------------------------------------------- tables */

#define MODE_SPEC                                                                                  \
	{"mode",                                                                                   \
	 SL_OPT_ENUM,                                                                              \
	 "PERMISSIVE",                                                                             \
	 0,                                                                                        \
	 "what a malformed record does: keep it with nulls, drop it, or stop",                     \
	 "PERMISSIVE|DROPMALFORMED|FAILFAST",                                                      \
	 NULL},                                                                                    \
	{                                                                                          \
		"columnNameOfCorruptRecord", SL_OPT_STRING, "_corrupt_record", 0,                  \
		    "the STRING column that receives a malformed record's text (PERMISSIVE)",      \
		    NULL, NULL                                                                     \
	}

const sl_option_spec sl_format_json_options[] = {
    MODE_SPEC,
    {"timestampFormat", SL_OPT_STRING, NULL, 0,
     "timestamp pattern (default: ISO 8601 reading, yyyy-MM-dd'T'HH:mm:ss.SSSXXX writing)", NULL,
     NULL},
    {"ignoreNullFields", SL_OPT_BOOL, "true", 0, "leave null fields out when writing", NULL, NULL},
    {"allowSingleQuotes", SL_OPT_BOOL, "true", 0, "accept 'single-quoted' strings", NULL, NULL},
    {"allowComments", SL_OPT_BOOL, "false", 0, "accept /* */ and // comments", NULL, NULL},
    {"allowUnquotedFieldNames", SL_OPT_BOOL, "false", 0, "accept {a: 1}", NULL, NULL},
    {"allowNumericLeadingZeros", SL_OPT_BOOL, "false", 0, "accept 007", NULL, NULL},
    {"allowNonNumericNumbers", SL_OPT_BOOL, "true", 0, "accept NaN and Infinity", NULL, NULL},
    {"allowBackslashEscapingAnyCharacter", SL_OPT_BOOL, "false", 0, "accept \\q as q", NULL, NULL},
    {"allowUnquotedControlChars", SL_OPT_BOOL, "false", 0, "accept raw control characters", NULL,
     NULL},
    {"primitivesAsString", SL_OPT_BOOL, "false", 0, "infer every primitive as STRING", NULL, NULL},
    {"dropFieldIfAllNull", SL_OPT_BOOL, "false", 0, "inference leaves out all-null fields", NULL,
     NULL},
    {"samplingRatio", SL_OPT_DOUBLE, "1.0", 0, "fraction of records inference reads", NULL, NULL},
    {0},
};

const sl_option_spec sl_format_csv_options[] = {
    MODE_SPEC,
    {"sep", SL_OPT_STRING, ",", 0, "field separator (one character; \\t for a tab)", NULL, NULL},
    {"quote", SL_OPT_STRING, "\"", 0, "quote character (empty: none)", NULL, NULL},
    {"escape", SL_OPT_STRING, "\\", 0, "escapes a quote inside a quoted field", NULL, NULL},
    {"comment", SL_OPT_STRING, NULL, 0, "lines starting with this character are skipped", NULL,
     NULL},
    {"header", SL_OPT_BOOL, "false", 0, "the first line names the columns", NULL, NULL},
    {"inferSchema", SL_OPT_BOOL, "false", 0, "infer column types from the data", NULL, NULL},
    {"multiLine", SL_OPT_BOOL, "true", 0, "quoted fields may contain line breaks", NULL, NULL},
    {"nullValue", SL_OPT_STRING, "", 0, "the text of a null", NULL, NULL},
    {"emptyValue", SL_OPT_STRING, "", 0, "the value of a quoted empty field", NULL, NULL},
    {"nanValue", SL_OPT_STRING, "NaN", 0, "the text of NaN", NULL, NULL},
    {"positiveInf", SL_OPT_STRING, "Inf", 0, "the text of +infinity", NULL, NULL},
    {"negativeInf", SL_OPT_STRING, "-Inf", 0, "the text of -infinity", NULL, NULL},
    {"ignoreLeadingWhiteSpace", SL_OPT_BOOL, "false", 0, "trim spaces before values", NULL, NULL},
    {"ignoreTrailingWhiteSpace", SL_OPT_BOOL, "false", 0, "trim spaces after values", NULL, NULL},
    {"timestampFormat", SL_OPT_STRING, NULL, 0, "timestamp pattern", NULL, NULL},
    {"quoteAll", SL_OPT_BOOL, "false", 0, "quote every value when writing", NULL, NULL},
    {"samplingRatio", SL_OPT_DOUBLE, "1.0", 0, "fraction of records inference reads", NULL, NULL},
    {0},
};

const sl_option_spec sl_format_avro_options[] = {
    MODE_SPEC,
    {"avroSchema", SL_OPT_STRING, NULL, 0, "the Avro schema (.avsc JSON text)", NULL, NULL},
    {"compression", SL_OPT_ENUM, "null", 0, "container file codec", "null|deflate", NULL},
    {"recordName", SL_OPT_STRING, "topLevelRecord", 0, "top-level record name when writing", NULL,
     NULL},
    {"recordNamespace", SL_OPT_STRING, "", 0, "top-level record namespace when writing", NULL,
     NULL},
    {0},
};
