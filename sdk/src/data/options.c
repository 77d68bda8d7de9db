/* options.c - the options object: typed values per sl_option_spec. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "data.h"
#include <sluice/sl_options.h>

struct opt_value {
	bool set;   /* given or defaulted */
	bool given; /* given (not defaulted) */
	char *text; /* scalar: the value as text (enum: the canonical choice) */
	union {
		int64_t i; /* int, duration, size; enum: the choice's index */
		double d;
		bool b;
	} v;
	char **items; /* lists */
	size_t n_items, cap_items;
	sl_options *group;
	char *file;
	int line;
};

struct sl_options {
	const sl_option_spec *spec;
	size_t n;
	struct opt_value *vals;
};

static const sl_option_spec empty_spec[1];

const char *sl_opt_type_name(sl_opt_type t)
{
	switch (t) {
	case SL_OPT_STRING:
		return "string";
	case SL_OPT_INT:
		return "int";
	case SL_OPT_DOUBLE:
		return "double";
	case SL_OPT_BOOL:
		return "bool";
	case SL_OPT_DURATION:
		return "duration";
	case SL_OPT_SIZE:
		return "size";
	case SL_OPT_ENUM:
		return "enum";
	case SL_OPT_EXPR:
		return "expr";
	case SL_OPT_EXPR_LIST:
		return "expr list";
	case SL_OPT_STRING_LIST:
		return "string list";
	case SL_OPT_GROUP:
		return "group";
	}
	return "unknown";
}

static bool is_list(sl_opt_type t)
{
	return t == SL_OPT_EXPR_LIST || t == SL_OPT_STRING_LIST;
}

sl_options *sl_options_new(const sl_option_spec *spec)
{
	sl_options *o = calloc(1, sizeof(*o));

	if (o == NULL)
		return NULL;
	o->spec = spec ? spec : empty_spec;
	while (o->spec[o->n].name != NULL)
		o->n++;
	if (o->n > 0) {
		o->vals = calloc(o->n, sizeof(*o->vals));
		if (o->vals == NULL)
			goto fail;
	}
	return o;
fail:
	free(o);
	return NULL;
}

static void clear_items(struct opt_value *v)
{
	size_t i;

	for (i = 0; i < v->n_items; i++)
		free(v->items[i]);
	v->n_items = 0;
}

void sl_options_free(sl_options *o)
{
	size_t i;

	if (o == NULL)
		return;
	for (i = 0; i < o->n; i++) {
		struct opt_value *v = &o->vals[i];

		free(v->text);
		clear_items(v);
		free(v->items);
		sl_options_free(v->group);
		free(v->file);
	}
	free(o->vals);
	free(o);
}

const sl_option_spec *sl_options_spec(const sl_options *o)
{
	return o ? o->spec : NULL;
}

static int find(const sl_options *o, const char *name)
{
	size_t i;

	if (o == NULL || name == NULL)
		return -1;
	for (i = 0; i < o->n; i++)
		if (strcmp(o->spec[i].name, name) == 0)
			return (int)i;
	return -1;
}

static int unknown(const sl_options *o, const char *name, sl_error *err)
{
	const char *stack[32], **names = stack, *hint;
	size_t i;

	if (o->n > 32) {
		names = malloc(o->n * sizeof(*names));
		if (names == NULL)
			return sl_error_set(err, SL_ENOTFOUND, "unknown option '%s'", name);
	}
	for (i = 0; i < o->n; i++)
		names[i] = o->spec[i].name;
	hint = sl_did_you_mean(name, names, o->n);
	if (hint)
		sl_error_set(err, SL_ENOTFOUND, "unknown option '%s' (did you mean '%s'?)", name,
		             hint);
	else
		sl_error_set(err, SL_ENOTFOUND, "unknown option '%s'", name);
	if (names != stack)
		free(names);
	return SL_ENOTFOUND;
}

/* Records where a value came from (file is copied). */
static int set_origin(struct opt_value *v, const char *file, int line)
{
	char *f = NULL;

	if (file != NULL) {
		f = strdup(file);
		if (f == NULL)
			return SL_ENOMEM;
	}
	free(v->file);
	v->file = f;
	v->line = line;
	return SL_OK;
}

static const char *trim(const char *s, size_t *len)
{
	size_t n;

	while (isspace((unsigned char)*s))
		s++;
	n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	*len = n;
	return s;
}

static int parse_bool(const char *text, bool *out)
{
	static const char *const yes[] = {"true", "yes", "on", "1"};
	static const char *const no[] = {"false", "no", "off", "0"};
	size_t len, i;
	const char *s = trim(text, &len);

	for (i = 0; i < 4; i++) {
		if (strlen(yes[i]) == len && strncasecmp(s, yes[i], len) == 0) {
			*out = true;
			return SL_OK;
		}
		if (strlen(no[i]) == len && strncasecmp(s, no[i], len) == 0) {
			*out = false;
			return SL_OK;
		}
	}
	return SL_EINVAL;
}

static int parse_int(const char *text, int64_t *out)
{
	size_t len;
	const char *s = trim(text, &len);
	char buf[32], *end;
	long long v;

	if (len == 0 || len >= sizeof(buf))
		return SL_EINVAL;
	memcpy(buf, s, len);
	buf[len] = '\0';
	errno = 0;
	v = strtoll(buf, &end, 10);
	if (*end != '\0' || errno != 0)
		return SL_EINVAL;
	*out = v;
	return SL_OK;
}

static int parse_double(const char *text, double *out)
{
	size_t len;
	const char *s = trim(text, &len);
	char buf[64], *end;
	double v;

	if (len == 0 || len >= sizeof(buf))
		return SL_EINVAL;
	memcpy(buf, s, len);
	buf[len] = '\0';
	errno = 0;
	v = strtod(buf, &end);
	if (*end != '\0' || errno == ERANGE || isnan(v))
		return SL_EINVAL;
	*out = v;
	return SL_OK;
}

/* Matches text against "a|b|c": exact first, then case-insensitively.
 * Returns the index and the canonical spelling, or -1. */
static int match_choice(const char *choices, const char *text, char *canon, size_t canon_size)
{
	const char *p, *bar;
	size_t len, tl = strlen(text);
	int pass, idx;

	for (pass = 0; pass < 2; pass++) {
		for (p = choices, idx = 0;; p = bar + 1, idx++) {
			bar = strchr(p, '|');
			len = bar ? (size_t)(bar - p) : strlen(p);
			if (len == tl && (pass == 0 ? strncmp(p, text, len) == 0
			                            : strncasecmp(p, text, len) == 0)) {
				snprintf(canon, canon_size, "%.*s", (int)len, p);
				return idx;
			}
			if (bar == NULL)
				break;
		}
	}
	return -1;
}

static int bad_enum(const sl_option_spec *s, const char *text, sl_error *err)
{
	char copy[512];
	const char *names[64];
	size_t n = 0;
	char *p, *save = NULL;
	const char *hint;

	snprintf(copy, sizeof(copy), "%s", s->choices);
	for (p = strtok_r(copy, "|", &save); p && n < 64; p = strtok_r(NULL, "|", &save))
		names[n++] = p;
	hint = sl_did_you_mean(text, names, n);
	if (hint)
		return sl_error_at(err, SL_EINVAL, s->name, -1,
		                   "option '%s': expected one of %s, got '%s' (did you mean "
		                   "'%s'?)",
		                   s->name, s->choices, text, hint);
	return sl_error_at(err, SL_EINVAL, s->name, -1, "option '%s': expected one of %s, got '%s'",
	                   s->name, s->choices, text);
}

/* Converts text to the spec's type into v (scalar types). */
static int convert(const sl_option_spec *s, struct opt_value *v, const char *text, sl_error *err)
{
	sl_error sub;
	char canon[256];
	char *copy = NULL;
	int rc = SL_OK, idx;

	switch (s->type) {
	case SL_OPT_INT:
		if (parse_int(text, &v->v.i) < 0)
			return sl_error_at(err, SL_EINVAL, s->name, -1,
			                   "option '%s': expected an integer, got '%s'", s->name,
			                   text);
		break;
	case SL_OPT_DOUBLE:
		if (parse_double(text, &v->v.d) < 0)
			return sl_error_at(err, SL_EINVAL, s->name, -1,
			                   "option '%s': expected a number, got '%s'", s->name,
			                   text);
		break;
	case SL_OPT_BOOL:
		if (parse_bool(text, &v->v.b) < 0)
			return sl_error_at(err, SL_EINVAL, s->name, -1,
			                   "option '%s': expected a boolean (true/false, yes/no, "
			                   "on/off, 1/0), got '%s'",
			                   s->name, text);
		break;
	case SL_OPT_DURATION:
		sl_error_clear(&sub);
		if (sl_parse_duration(text, &v->v.i, &sub) < 0)
			return sl_error_at(err, SL_EINVAL, s->name, sub.pos, "option '%s': %s",
			                   s->name, sub.msg);
		break;
	case SL_OPT_SIZE:
		sl_error_clear(&sub);
		if (sl_parse_size(text, &v->v.i, &sub) < 0)
			return sl_error_at(err, SL_EINVAL, s->name, sub.pos, "option '%s': %s",
			                   s->name, sub.msg);
		break;
	case SL_OPT_ENUM:
		if (s->choices != NULL && s->choices[0] != '\0') {
			idx = match_choice(s->choices, text, canon, sizeof(canon));
			if (idx < 0)
				return bad_enum(s, text, err);
			v->v.i = idx;
			text = canon;
		}
		break;
	default:
		break;
	}
	copy = strdup(text);
	if (copy == NULL)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	free(v->text);
	v->text = copy;
	return rc;
}

static int add_item(struct opt_value *v, const char *text)
{
	char *copy;

	if (v->n_items == v->cap_items) {
		size_t cap = v->cap_items ? v->cap_items * 2 : 4;
		char **items = realloc(v->items, cap * sizeof(*items));

		if (items == NULL)
			return SL_ENOMEM;
		v->items = items;
		v->cap_items = cap;
	}
	copy = strdup(text);
	if (copy == NULL)
		return SL_ENOMEM;
	v->items[v->n_items++] = copy;
	return SL_OK;
}

/* Sets option i from text; `given` distinguishes defaults. */
static int set_value(sl_options *o, size_t i, const char *text, const char *file, int line,
                     bool given, sl_error *err)
{
	const sl_option_spec *s = &o->spec[i];
	struct opt_value *v = &o->vals[i], tmp;
	int rc;

	if (text == NULL)
		return sl_error_at(err, SL_EINVAL, s->name, -1, "option '%s': no value given",
		                   s->name);
	if (s->type == SL_OPT_GROUP)
		return sl_error_at(err, SL_ETYPE, s->name, -1,
		                   "option '%s' is a group: give it as { ... }", s->name);
	if (is_list(s->type)) {
		clear_items(v);
		if (!(given == false && text[0] == '\0')) { /* default "": empty list */
			rc = add_item(v, text);
			if (rc < 0)
				return sl_error_set(err, rc, "out of memory");
		}
	} else {
		/* convert into a copy so a bad value leaves the old one */
		tmp = *v;
		tmp.text = NULL;
		rc = convert(s, &tmp, text, err);
		if (rc < 0)
			return rc;
		free(v->text);
		v->text = tmp.text;
		v->v = tmp.v;
	}
	if (set_origin(v, file, line) < 0)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	v->set = true;
	v->given = given;
	return SL_OK;
}

int sl_options_set(sl_options *o, const char *name, const char *text, const char *file, int line,
                   sl_error *err)
{
	int i = find(o, name);

	if (o == NULL)
		return sl_error_set(err, SL_EINVAL, "no options object");
	if (i < 0)
		return unknown(o, name ? name : "", err);
	return set_value(o, (size_t)i, text, file, line, true, err);
}

int sl_options_add(sl_options *o, const char *name, const char *text, const char *file, int line,
                   sl_error *err)
{
	const sl_option_spec *s;
	struct opt_value *v;
	int i = find(o, name), rc;

	if (o == NULL)
		return sl_error_set(err, SL_EINVAL, "no options object");
	if (i < 0)
		return unknown(o, name ? name : "", err);
	s = &o->spec[i];
	v = &o->vals[i];
	if (!is_list(s->type))
		return sl_error_at(err, SL_ETYPE, s->name, -1,
		                   "option '%s' takes a single %s, not a list", s->name,
		                   sl_opt_type_name(s->type));
	if (text == NULL)
		return sl_error_at(err, SL_EINVAL, s->name, -1, "option '%s': no value given",
		                   s->name);
	if (!v->given)
		clear_items(v); /* given items replace a default */
	rc = add_item(v, text);
	if (rc < 0)
		return sl_error_set(err, rc, "out of memory");
	if (v->file == NULL || !v->given) {
		if (set_origin(v, file, line) < 0)
			return sl_error_set(err, SL_ENOMEM, "out of memory");
	}
	v->set = true;
	v->given = true;
	return SL_OK;
}

sl_options *sl_options_group_get(sl_options *o, const char *name, const char *file, int line,
                                 sl_error *err)
{
	const sl_option_spec *s;
	struct opt_value *v;
	int i = find(o, name);

	if (o == NULL) {
		sl_error_set(err, SL_EINVAL, "no options object");
		return NULL;
	}
	if (i < 0) {
		unknown(o, name ? name : "", err);
		return NULL;
	}
	s = &o->spec[i];
	v = &o->vals[i];
	if (s->type != SL_OPT_GROUP) {
		sl_error_at(err, SL_ETYPE, s->name, -1, "option '%s' is a %s, not a group", s->name,
		            sl_opt_type_name(s->type));
		return NULL;
	}
	if (v->group == NULL) {
		v->group = sl_options_new(s->group);
		if (v->group == NULL) {
			sl_error_set(err, SL_ENOMEM, "out of memory");
			return NULL;
		}
		if (set_origin(v, file, line) < 0) {
			sl_error_set(err, SL_ENOMEM, "out of memory");
			return NULL;
		}
	}
	v->set = true;
	v->given = true;
	return v->group;
}

int sl_options_finish(sl_options *o, sl_error *err)
{
	size_t i;
	int rc;

	if (o == NULL)
		return sl_error_set(err, SL_EINVAL, "no options object");
	for (i = 0; i < o->n; i++) {
		const sl_option_spec *s = &o->spec[i];
		struct opt_value *v = &o->vals[i];

		if (s->type == SL_OPT_GROUP) {
			if (v->group != NULL) {
				rc = sl_options_finish(v->group, err);
				if (rc < 0) {
					sl_error_prefix(err, "in group '%s'", s->name);
					return rc;
				}
			} else if (s->required & SL_OPT_REQUIRED) {
				return sl_error_at(err, SL_EINVAL, s->name, -1,
				                   "missing required option '%s'", s->name);
			}
			continue;
		}
		if (v->set)
			continue;
		if (s->def != NULL) {
			rc = set_value(o, i, s->def, NULL, 0, false, err);
			if (rc < 0) {
				sl_error_prefix(err, "bad default in the option table");
				return rc;
			}
		} else if (s->required & SL_OPT_REQUIRED) {
			return sl_error_at(err, SL_EINVAL, s->name, -1,
			                   "missing required option '%s'", s->name);
		}
	}
	return SL_OK;
}

/* --- read side --- */

static const struct opt_value *lookup(const sl_options *o, const char *name,
                                      const sl_option_spec **spec)
{
	int i = find(o, name);

	if (i < 0)
		return NULL;
	if (spec)
		*spec = &o->spec[i];
	return &o->vals[i];
}

bool sl_opt_is_set(const sl_options *o, const char *name)
{
	const struct opt_value *v = lookup(o, name, NULL);

	return v != NULL && v->set;
}

const char *sl_opt_string(const sl_options *o, const char *name)
{
	const struct opt_value *v = lookup(o, name, NULL);

	return v && v->set ? v->text : NULL;
}

int64_t sl_opt_int(const sl_options *o, const char *name)
{
	const sl_option_spec *s;
	const struct opt_value *v = lookup(o, name, &s);

	if (v == NULL || !v->set)
		return 0;
	switch (s->type) {
	case SL_OPT_INT:
	case SL_OPT_DURATION:
	case SL_OPT_SIZE:
	case SL_OPT_ENUM:
		return v->v.i;
	case SL_OPT_DOUBLE:
		return (int64_t)v->v.d;
	case SL_OPT_BOOL:
		return v->v.b;
	default:
		return 0;
	}
}

double sl_opt_double(const sl_options *o, const char *name)
{
	const sl_option_spec *s;
	const struct opt_value *v = lookup(o, name, &s);

	if (v == NULL || !v->set)
		return 0;
	if (s->type == SL_OPT_DOUBLE)
		return v->v.d;
	return (double)sl_opt_int(o, name);
}

bool sl_opt_bool(const sl_options *o, const char *name)
{
	const sl_option_spec *s;
	const struct opt_value *v = lookup(o, name, &s);

	if (v == NULL || !v->set)
		return false;
	if (s->type == SL_OPT_BOOL)
		return v->v.b;
	return sl_opt_int(o, name) != 0;
}

int64_t sl_opt_duration_us(const sl_options *o, const char *name)
{
	return sl_opt_int(o, name);
}

int64_t sl_opt_size(const sl_options *o, const char *name)
{
	return sl_opt_int(o, name);
}

size_t sl_opt_list_len(const sl_options *o, const char *name)
{
	const sl_option_spec *s;
	const struct opt_value *v = lookup(o, name, &s);

	if (v == NULL || !v->set)
		return 0;
	if (is_list(s->type))
		return v->n_items;
	return v->text != NULL ? 1 : 0; /* a scalar reads as a list of one */
}

const char *sl_opt_list_at(const sl_options *o, const char *name, size_t i)
{
	const sl_option_spec *s;
	const struct opt_value *v = lookup(o, name, &s);

	if (v == NULL || !v->set)
		return NULL;
	if (is_list(s->type))
		return i < v->n_items ? v->items[i] : NULL;
	return i == 0 ? v->text : NULL;
}

const sl_options *sl_opt_group(const sl_options *o, const char *name)
{
	const struct opt_value *v = lookup(o, name, NULL);

	return v ? v->group : NULL;
}

int sl_opt_line(const sl_options *o, const char *name)
{
	const struct opt_value *v = lookup(o, name, NULL);

	return v ? v->line : 0;
}

const char *sl_opt_file(const sl_options *o, const char *name)
{
	const struct opt_value *v = lookup(o, name, NULL);

	return v ? v->file : NULL;
}
