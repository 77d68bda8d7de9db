/* stage_record.c - what a stateful stage's state was built under, kept in
 * the checkpoint's metadata ("stateful": {stage: record}) and compared at
 * every start:
 *
 *   {"plugin": "window",
 *    "inputs": ["key STRING, ts TIMESTAMP, value BIGINT"],
 *    "options": {"kind": "tumbling", "size": "10 minutes", ...},
 *    "output": "key STRING, ..."}
 *
 * Every option of the plugin's table is in it (but those flagged
 * SL_OPT_NO_STATE), in a canonical form: strings
 * and choices as given, expressions with whitespace normalised (runs become
 * one space, ends trimmed), durations in their largest exact unit ("600
 * seconds" is "10 minutes"), sizes in bytes, numbers and booleans in one
 * spelling, lists as JSON arrays, group members as "group.member", an unset
 * option as null.  Checkpoints written before this record existed hold a
 * fingerprint string instead: two 64-bit FNV-1a hashes in hex, "before"
 * (plugin name, input schemas, expression option texts) and "after" (the
 * output schema); those are still compared as they were. */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "plan/stateful.h"

#define FNV_OFFSET 0xcbf29ce484222325ull
#define FNV_PRIME 0x100000001b3ull

/* --- canonical texts --- */

static int expr_text(const char *s, sl_strbuf *out)
{
	bool space = false, started = false;

	sl_strbuf_reset(out);
	if (sl_strbuf_puts(out, "") < 0)
		return SL_ENOMEM;
	for (; s && *s; s++) {
		if (isspace((unsigned char)*s)) {
			space = started;
			continue;
		}
		if ((space && sl_strbuf_puts(out, " ") < 0) ||
		    sl_strbuf_printf(out, "%c", *s) < 0)
			return SL_ENOMEM;
		space = false;
		started = true;
	}
	return SL_OK;
}

static const struct {
	int64_t us;
	const char *one, *many;
} units[] = {
    {86400000000LL, "day", "days"}, {3600000000LL, "hour", "hours"},
    {60000000LL, "minute", "minutes"}, {1000000LL, "second", "seconds"},
    {1000LL, "millisecond", "milliseconds"}, {1, "microsecond", "microseconds"},
};

/* "10 minutes": the largest unit that divides the duration. */
static void duration_text(int64_t us, char *buf, size_t n)
{
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (us != 0 && us % units[i].us == 0) {
			int64_t k = us / units[i].us;

			snprintf(buf, n, "%" PRId64 " %s", k, k == 1 || k == -1 ? units[i].one
			                                                        : units[i].many);
			return;
		}
	}
	snprintf(buf, n, "0 seconds");
}

/* One scalar option's canonical value (not a list or group). */
static json_t *scalar_value(const sl_option_spec *spec, const sl_options *o, sl_strbuf *sb)
{
	char buf[64];

	switch (spec->type) {
	case SL_OPT_INT:
		return json_integer(sl_opt_int(o, spec->name));
	case SL_OPT_DOUBLE:
		snprintf(buf, sizeof(buf), "%.17g", sl_opt_double(o, spec->name));
		return json_string(buf);
	case SL_OPT_BOOL:
		return json_boolean(sl_opt_bool(o, spec->name));
	case SL_OPT_DURATION:
		duration_text(sl_opt_duration_us(o, spec->name), buf, sizeof(buf));
		return json_string(buf);
	case SL_OPT_SIZE:
		snprintf(buf, sizeof(buf), "%" PRId64 " bytes", sl_opt_size(o, spec->name));
		return json_string(buf);
	case SL_OPT_EXPR:
		if (expr_text(sl_opt_string(o, spec->name), sb) < 0)
			return NULL;
		return json_string(sb->buf);
	default:
		return json_string(sl_opt_string(o, spec->name));
	}
}

static json_t *list_value(const sl_option_spec *spec, const sl_options *o, sl_strbuf *sb)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < sl_opt_list_len(o, spec->name); i++) {
		const char *item = sl_opt_list_at(o, spec->name, i);

		if (spec->type == SL_OPT_EXPR_LIST) {
			if (expr_text(item, sb) < 0) {
				json_decref(a);
				return NULL;
			}
			item = sb->buf;
		}
		if (json_array_append_new(a, json_string(item)) < 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

/* Adds every option of the table to obj, group members as "prefix.name". */
static int add_options(json_t *obj, const char *prefix, const sl_option_spec *spec,
                       const sl_options *o, sl_strbuf *sb)
{
	char name[256];
	json_t *v;
	int rc;

	for (; spec && spec->name; spec++) {
		if (spec->required & SL_OPT_NO_STATE)
			continue;
		snprintf(name, sizeof(name), "%s%s%s", prefix ? prefix : "", prefix ? "." : "",
		         spec->name);
		if (spec->type == SL_OPT_GROUP) {
			rc = add_options(obj, name, spec->group, o ? sl_opt_group(o, spec->name) : NULL,
			                 sb);
			if (rc < 0)
				return rc;
			continue;
		}
		if (o == NULL || !sl_opt_is_set(o, spec->name))
			v = json_null();
		else if (spec->type == SL_OPT_EXPR_LIST || spec->type == SL_OPT_STRING_LIST)
			v = list_value(spec, o, sb);
		else
			v = scalar_value(spec, o, sb);
		if (v == NULL || json_object_set_new(obj, name, v) < 0)
			return SL_ENOMEM;
	}
	return SL_OK;
}

static json_t *schema_value(const sl_schema *s)
{
	sl_strbuf sb = {0};
	json_t *v;

	if (s == NULL)
		return json_string("(none)");
	if (sl_type_format(s, &sb) < 0) {
		sl_strbuf_free(&sb);
		return NULL;
	}
	v = json_string(sb.buf ? sb.buf : "");
	sl_strbuf_free(&sb);
	return v;
}

json_t *slc_stage_record(const slc_stage *st, const sl_schema *const *inputs)
{
	json_t *r = json_object(), *in = json_array(), *opts = json_object();
	sl_strbuf sb = {0};
	int rc = r && in && opts ? SL_OK : SL_ENOMEM;

	for (size_t i = 0; rc >= 0 && i < st->n_inputs; i++)
		if (json_array_append_new(in, schema_value(inputs[i])) < 0)
			rc = SL_ENOMEM;
	if (rc >= 0)
		rc = add_options(opts, NULL, st->plugin->options, st->options, &sb);
	sl_strbuf_free(&sb);
	if (rc >= 0 && (json_object_set_new(r, "plugin", json_string(st->plugin->name)) < 0 ||
	                json_object_set(r, "inputs", in) < 0 ||
	                json_object_set(r, "options", opts) < 0))
		rc = SL_ENOMEM;
	json_decref(in);
	json_decref(opts);
	if (rc < 0) {
		json_decref(r);
		return NULL;
	}
	return r;
}

int slc_stage_record_output(json_t *record, const slc_stage *st)
{
	return json_object_set_new(record, "output", schema_value(st->schema)) < 0 ? SL_ENOMEM
	                                                                          : SL_OK;
}

/* --- the fingerprints of older checkpoints --- */

static void mix(uint64_t *h, const void *data, size_t len)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < len; i++) {
		*h ^= p[i];
		*h *= FNV_PRIME;
	}
}

/* A string and a separator, so ("ab","c") differs from ("a","bc"). */
static void mix_str(uint64_t *h, const char *s)
{
	mix(h, s ? s : "", s ? strlen(s) + 1 : 1);
}

static int mix_expr(uint64_t *h, const char *s)
{
	sl_strbuf sb = {0};
	int rc = expr_text(s, &sb);

	if (rc >= 0)
		mix(h, sb.buf, strlen(sb.buf) + 1);
	sl_strbuf_free(&sb);
	return rc;
}

static int mix_schema(uint64_t *h, const sl_schema *s)
{
	sl_strbuf sb = {0};

	if (s != NULL && sl_type_format(s, &sb) < 0) {
		sl_strbuf_free(&sb);
		return SL_ENOMEM;
	}
	mix_str(h, s ? sb.buf : "(none)");
	sl_strbuf_free(&sb);
	return SL_OK;
}

/* The expression options of a table (and of its groups), in table order. */
static int mix_options(uint64_t *h, const sl_option_spec *spec, const sl_options *o)
{
	int rc = SL_OK;

	for (; rc >= 0 && spec && o && spec->name; spec++) {
		switch (spec->type) {
		case SL_OPT_EXPR:
			mix_str(h, spec->name);
			rc = mix_expr(h, sl_opt_string(o, spec->name));
			break;
		case SL_OPT_EXPR_LIST:
			mix_str(h, spec->name);
			for (size_t i = 0; rc >= 0 && i < sl_opt_list_len(o, spec->name); i++)
				rc = mix_expr(h, sl_opt_list_at(o, spec->name, i));
			mix(h, "]", 1);
			break;
		case SL_OPT_GROUP:
			mix_str(h, spec->name);
			rc = mix_options(h, spec->group, sl_opt_group(o, spec->name));
			break;
		default:
			break;
		}
	}
	return rc;
}

static void hex(uint64_t h, char out[17])
{
	snprintf(out, 17, "%016llx", (unsigned long long)h);
}

int slc_fingerprint_before(const slc_stage *st, const sl_schema *const *inputs, char out[17])
{
	uint64_t h = FNV_OFFSET;

	mix_str(&h, st->plugin->name);
	for (size_t i = 0; i < st->n_inputs; i++)
		if (mix_schema(&h, inputs[i]) < 0)
			return SL_ENOMEM;
	if (mix_options(&h, st->plugin->options, st->options) < 0)
		return SL_ENOMEM;
	hex(h, out);
	return SL_OK;
}

int slc_fingerprint_after(const slc_stage *st, char out[17])
{
	uint64_t h = FNV_OFFSET;

	if (mix_schema(&h, st->schema) < 0)
		return SL_ENOMEM;
	hex(h, out);
	return SL_OK;
}
