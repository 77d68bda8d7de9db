/* checkpoint_fp.c - fingerprints of stateful stages: what must not change
 * under a checkpoint's state.  Before create: the plugin's name, the input
 * schemas and the text of the EXPR/EXPR_LIST options (whitespace
 * normalised: runs become one space, ends trimmed).  After create: the
 * output schema.  Each half is a 64-bit FNV-1a in hex. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "checkpoint.h"

#define FNV_OFFSET 0xcbf29ce484222325ull
#define FNV_PRIME 0x100000001b3ull

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

/* An expression's text with whitespace normalised. */
static void mix_expr(uint64_t *h, const char *s)
{
	bool space = false, started = false;

	for (; s && *s; s++) {
		if (isspace((unsigned char)*s)) {
			space = started;
			continue;
		}
		if (space)
			mix(h, " ", 1);
		mix(h, s, 1);
		space = false;
		started = true;
	}
	mix(h, "", 1);
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
static void mix_options(uint64_t *h, const sl_option_spec *spec, const sl_options *o)
{
	for (; spec && o && spec->name; spec++) {
		switch (spec->type) {
		case SL_OPT_EXPR:
			mix_str(h, spec->name);
			mix_expr(h, sl_opt_string(o, spec->name));
			break;
		case SL_OPT_EXPR_LIST:
			mix_str(h, spec->name);
			for (size_t i = 0; i < sl_opt_list_len(o, spec->name); i++)
				mix_expr(h, sl_opt_list_at(o, spec->name, i));
			mix(h, "]", 1);
			break;
		case SL_OPT_GROUP:
			mix_str(h, spec->name);
			mix_options(h, spec->group, sl_opt_group(o, spec->name));
			break;
		default:
			break;
		}
	}
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
	mix_options(&h, st->plugin->options, st->options);
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
