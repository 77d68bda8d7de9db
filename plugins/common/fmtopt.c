/* fmtopt.c - the bundled file plugins' format options: pipeline-style names
 * (snake_case, as the members of sl_format_options) mapped onto Spark's
 * names for sl_format_options_set. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "slplug.h"

static const struct {
	const char *opt, *spark;
} names[] = {
    {"parse_mode", "mode"},
    {"corrupt_record_column", "columnNameOfCorruptRecord"},
    {"timestamp_format", "timestampFormat"},
    {"sampling_ratio", "samplingRatio"},
    {"infer_max_records", "inferSchemaMaxRecords"},
    {"ignore_null_fields", "ignoreNullFields"},
    {"allow_single_quotes", "allowSingleQuotes"},
    {"allow_comments", "allowComments"},
    {"allow_unquoted_field_names", "allowUnquotedFieldNames"},
    {"allow_numeric_leading_zeros", "allowNumericLeadingZeros"},
    {"allow_non_numeric_numbers", "allowNonNumericNumbers"},
    {"allow_backslash_escaping_any_character", "allowBackslashEscapingAnyCharacter"},
    {"allow_unquoted_control_chars", "allowUnquotedControlChars"},
    {"primitives_as_string", "primitivesAsString"},
    {"drop_field_if_all_null", "dropFieldIfAllNull"},
    {"sep", "sep"},
    {"delimiter", "sep"},
    {"quote", "quote"},
    {"escape", "escape"},
    {"comment", "comment"},
    {"header", "header"},
    {"multi_line", "multiLine"},
    {"ignore_leading_white_space", "ignoreLeadingWhiteSpace"},
    {"ignore_trailing_white_space", "ignoreTrailingWhiteSpace"},
    {"null_value", "nullValue"},
    {"empty_value", "emptyValue"},
    {"nan_value", "nanValue"},
    {"positive_inf", "positiveInf"},
    {"negative_inf", "negativeInf"},
    {"quote_all", "quoteAll"},
    {"enforce_schema", "enforceSchema"},
    {"compression", "compression"},
    {"record_name", "recordName"},
    {"record_namespace", "recordNamespace"},
};

void slp_fmtopts_free(slp_fmtopts *f)
{
	for (size_t i = 0; i < f->n; i++)
		free(f->strs[i]);
	f->n = 0;
}

int slp_fmtopts_load(slp_fmtopts *f, const sl_options *opts, sl_error *err)
{
	sl_format_options_init(&f->o);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const char *v;
		const sl_option_spec *s;
		char *copy;
		int rc;

		/* Only the options the plugin declares, and only when given. */
		for (s = sl_options_spec(opts); s != NULL && s->name != NULL; s++)
			if (strcmp(s->name, names[i].opt) == 0)
				break;
		if (s == NULL || s->name == NULL || !sl_opt_is_set(opts, names[i].opt))
			continue;
		v = sl_opt_string(opts, names[i].opt);
		if (v == NULL)
			continue;
		if (f->n == SLP_FMTOPTS_MAX)
			return sl_error_set(err, SL_EINVAL, "too many format options");
		copy = strdup(v);
		if (copy == NULL)
			return sl_error_set(err, SL_ENOMEM, "out of memory");
		f->strs[f->n++] = copy;
		rc = sl_format_options_set(&f->o, names[i].spark, copy, err);
		if (rc < 0) {
			if (err != NULL) {
				err->option = s->name;
				/* "option 'nullValue': bad value 'x'" names Spark's
				 * option; say ours. */
				snprintf(err->msg, sizeof(err->msg), "bad value '%.200s'", v);
			}
			return rc;
		}
	}
	return SL_OK;
}
