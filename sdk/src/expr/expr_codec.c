/* expr_codec.c - from_json / to_json, from_csv / to_csv, from_avro /
 * to_avro: the formats library (sl_format.h) as functions.
 *
 * The schema argument must be a string literal: it is parsed when the
 * expression is compiled, which builds one decoder or encoder per call
 * node, kept in the node's state and reused for every batch (nothing is
 * allocated per row once its buffers have grown).  Decoding is PERMISSIVE:
 * a value that does not decode gives NULL, as does a NULL input.
 *
 * from_json with an ARRAY<...> schema decodes {"v": <text>} with the schema
 * STRUCT<v: ARRAY<...>> (the decoder reads a top-level array as several
 * rows), to_json of an ARRAY encodes that wrapper and strips it.
 * from_avro / to_avro use Spark's form: plain Avro binary values, no
 * registry header.  An Avro schema literal starting with '@' names a file
 * read at compile time.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <sys/stat.h>

#include <sluice/sl_format.h>

#include "expr_funcs.h"

/* Largest .avsc file read for '@path'. */
#define AVSC_MAX (1 << 20)

typedef struct codec {
	sl_decoder *dec;
	sl_encoder *enc;
	sl_type *wrap; /* STRUCT<v: T> when T is not a struct (an ARRAY) */
	sl_strbuf sb;  /* encoding / wrapping scratch */
	char *avsc;    /* an '@' file's text */
} codec;

static void codec_free(void *p)
{
	codec *c = p;

	if (c == NULL)
		return;
	sl_decoder_free(c->dec);
	sl_encoder_free(c->enc);
	sl_type_unref(c->wrap);
	sl_strbuf_free(&c->sb);
	free(c->avsc);
	free(c);
}

static codec *codec_attach(slx_node *n, sl_error *err)
{
	codec *c = calloc(1, sizeof(*c));

	if (c == NULL) {
		sl_error_set(err, SL_ENOMEM, "out of memory");
		return NULL;
	}
	if (n->state_free != NULL)
		n->state_free(n->state);
	n->state = c;
	n->state_free = codec_free;
	return c;
}

/* The literal text of argument k, or an error naming what it must be. */
static const char *literal_arg(slx_node *n, size_t k, const char *what, sl_error *err)
{
	const slx_node *a = n->args[k];

	if (a->kind != SLX_LIT || a->lit_kind != SLX_LSTRING || a->lit_s == NULL) {
		slx_err(err, SL_EINVAL, a->pos, "%s needs %s as a string literal", n->fn->name,
		        what);
		return NULL;
	}
	if (memchr(a->lit_s, '\0', a->lit_slen) != NULL) {
		slx_err(err, SL_EINVAL, a->pos, "%s: %s holds a NUL byte", n->fn->name, what);
		return NULL;
	}
	return a->lit_s;
}

/* Re-raises err (set by a library call) at the literal argument k, with
 * the library's position inside the literal when it gave one. */
static int literal_error(slx_node *n, size_t k, const char *what, sl_error *err)
{
	char msg[SL_ERROR_MAX];
	int code = err->code < 0 ? err->code : SL_EINVAL;
	int pos = n->args[k]->pos;

	snprintf(msg, sizeof(msg), "%s", err->msg);
	if (err->pos >= 0)
		pos += 1 + err->pos; /* past the opening quote */
	return slx_err(err, code, pos, "%s: bad %s: %s", n->fn->name, what, msg);
}

static bool starts_with_ci(const char *s, const char *prefix)
{
	while (isspace((unsigned char)*s))
		s++;
	return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

/* Parses a DDL schema literal: a field list ("a INT, b STRING"), or one
 * STRUCT<...> or ARRAY<...> type.  *wrap is set for an ARRAY: the decoder
 * schema is then STRUCT<v: ARRAY<...>>. */
static int parse_ddl(slx_node *n, size_t k, sl_type **type, sl_schema **schema, bool *wrap,
                     sl_error *err)
{
	const char *text = literal_arg(n, k, "the schema", err);
	sl_type *t = NULL;
	int rc;

	*type = *schema = NULL;
	*wrap = false;
	if (text == NULL)
		return err->code;
	sl_error_clear(err);
	err->pos = -1;
	if (starts_with_ci(text, "array<") || starts_with_ci(text, "array <")) {
		rc = sl_type_parse(text, &t, err);
		if (rc < 0)
			return literal_error(n, k, "schema", err);
		sl_field f = {(char *)"v", t, true};
		*schema = sl_type_struct(1, &f);
		*type = t;
		*wrap = true;
		if (*schema == NULL)
			return sl_error_set(err, SL_ENOMEM, "out of memory");
		return 0;
	}
	if (starts_with_ci(text, "struct<") || starts_with_ci(text, "struct <"))
		rc = sl_type_parse(text, &t, err);
	else
		rc = sl_schema_parse(text, &t, err);
	if (rc < 0)
		return literal_error(n, k, "schema", err);
	if (t->id != SL_TYPE_STRUCT || t->n_fields == 0) {
		sl_type_unref(t);
		return slx_err(err, SL_EINVAL, n->args[k]->pos,
		               "%s needs a STRUCT, an ARRAY or a list of fields as its schema",
		               n->fn->name);
	}
	*type = t;
	*schema = sl_type_ref(t);
	return 0;
}

static void decoder_options(sl_format_options *o)
{
	sl_format_options_init(o);
	o->mode = SL_PARSE_PERMISSIVE;
	o->corrupt_record_column = NULL;
}

static int set_result(slx_node *n, sl_type *t, bool nullable)
{
	slx_node_set_type(n, t);
	n->nullable = nullable;
	return 0;
}

/* ---------------------------------------------------------------- JSON */

int slx_bind_from_json(slx_binder *b, slx_node *n, sl_error *err)
{
	sl_type *type, *schema;
	sl_format_options o;
	bool wrap;
	codec *c;
	int rc;

	(void)b;
	if ((rc = parse_ddl(n, 1, &type, &schema, &wrap, err)) < 0)
		return rc;
	decoder_options(&o);
	if ((c = codec_attach(n, err)) == NULL) {
		rc = SL_ENOMEM;
	} else if ((rc = sl_decoder_new(SL_FORMAT_JSON, schema, &o, &c->dec, err)) < 0) {
		rc = literal_error(n, 1, "schema", err);
	} else {
		if (wrap)
			c->wrap = sl_type_ref(schema);
		rc = set_result(n, type, true);
	}
	sl_type_unref(type);
	sl_type_unref(schema);
	return rc;
}

/* First byte that is not white space, or 0. */
static char first_char(sl_strview s)
{
	for (size_t i = 0; i < s.len; i++)
		if (!isspace((unsigned char)s.ptr[i]))
			return s.ptr[i];
	return 0;
}

static int decode_error(slx_ctx *cx, slx_node *n, int rc)
{
	if (rc == SL_ENOMEM)
		return slx_oom(cx);
	if (cx->err != NULL && cx->err->code == rc)
		return rc;
	return sl_error_set(cx->err, rc, "%s: %s", n->fn->name, sl_strerror(rc));
}

/* Decodes every row of args[0] with the node's decoder into out.  kind:
 * the format (JSON rows must start with '{', or '[' when wrapped). */
static int decode_rows(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out)
{
	codec *c = n->state;
	const slx_val *v = &args[0];
	sl_buffer *mask = NULL;
	sl_array *st = NULL, *res;
	bool json = strncmp(n->fn->name, "from_json", 9) == 0;
	int64_t rows0;
	int rc = 0;

	if (c == NULL || c->dec == NULL)
		return sl_error_set(cx->err, SL_ESTATE, "%s was not prepared", n->fn->name);
	rows0 = sl_decoder_rows(c->dec);
	if (rows0 != 0)
		return sl_error_set(cx->err, SL_ESTATE, "%s: decoder not empty", n->fn->name);
	for (int64_t i = 0; i < cx->n; i++) {
		bool bad = slx_null(v, i);
		if (!bad) {
			sl_strview s = slx_str(v, i);
			const char *p = s.ptr;
			size_t len = s.len;
			if (json) {
				char f = first_char(s);
				if (f != (c->wrap ? '[' : '{')) {
					bad = true;
				} else if (c->wrap) {
					sl_strbuf_reset(&c->sb);
					if (sl_strbuf_append(&c->sb, "{\"v\":", 5) < 0 ||
					    sl_strbuf_append(&c->sb, s.ptr, s.len) < 0 ||
					    sl_strbuf_append(&c->sb, "}", 1) < 0) {
						rc = slx_oom(cx);
						goto fail;
					}
					p = c->sb.buf;
					len = c->sb.len;
				}
			}
			if (!bad) {
				rc = sl_decoder_decode_record(c->dec, p, len, cx->err);
				if (rc < 0) {
					rc = decode_error(cx, n, rc);
					goto fail;
				}
				bad = rc == SL_EOF;
				rc = 0;
			}
		}
		if (sl_decoder_rows(c->dec) == i) {
			/* nothing added (a null input or a rejected text) */
			if ((rc = sl_decoder_append_null(c->dec)) < 0) {
				rc = decode_error(cx, n, rc);
				goto fail;
			}
		}
		if (sl_decoder_rows(c->dec) != i + 1) {
			rc = sl_error_set(cx->err, SL_ESTATE, "%s: one value gave %lld rows",
			                  n->fn->name, (long long)(sl_decoder_rows(c->dec) - i));
			goto fail;
		}
		if (bad) {
			if (mask == NULL && (mask = slx_bitmap_ones(cx, cx->n)) == NULL) {
				rc = slx_oom(cx);
				goto fail;
			}
			sl_bit_clear(mask->data, i);
		}
	}
	if ((rc = sl_decoder_take_struct(c->dec, &st, cx->err)) < 0) {
		rc = decode_error(cx, n, rc);
		goto fail;
	}
	if (c->wrap) {
		/* the value of STRUCT<v: ...>, nulls of the struct folded in */
		sl_array *inner = sl_array_ref(st->children[0]);
		if (st->validity != NULL && st->null_count > 0) {
			slx_val tmp;
			if ((rc = slx_with_mask(cx, inner, st->validity->data, &tmp)) < 0)
				goto fail;
			inner = tmp.arr;
		}
		sl_array_unref(st);
		st = inner;
	}
	res = st;
	st = NULL;
	rc = slx_with_mask(cx, res, mask ? mask->data : NULL, out);
	slx_buf_release(cx, mask);
	return rc;
fail:
	slx_buf_release(cx, mask);
	sl_array_unref(st);
	/* drop whatever the decoder holds so that the next batch starts clean */
	if (sl_decoder_rows(c->dec) > 0 && sl_decoder_take_struct(c->dec, &st, NULL) == SL_OK)
		sl_array_unref(st);
	return rc;
}

int slx_f_from_json(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out)
{
	return decode_rows(cx, n, args, out);
}

/* Encoder for the type of args[0] (a STRUCT, or an ARRAY wrapped). */
static int bind_encoder(slx_node *n, sl_format_kind kind, const char *avsc, bool allow_list,
                        sl_error *err)
{
	sl_type *t = n->args[0]->type;
	sl_format_options o;
	sl_schema *schema;
	codec *c;
	char tn[128];
	int rc;

	if (t->id != SL_TYPE_STRUCT && !(allow_list && t->id == SL_TYPE_LIST))
		return slx_err(err, SL_ETYPE, n->args[0]->pos, "%s needs a STRUCT%s, got %s",
		               n->fn->name, allow_list ? " or an ARRAY" : "",
		               slx_type_name(t, tn, sizeof(tn)));
	if ((c = codec_attach(n, err)) == NULL)
		return SL_ENOMEM;
	if (t->id == SL_TYPE_LIST) {
		sl_field f = {(char *)"v", t, true};
		if ((c->wrap = sl_type_struct(1, &f)) == NULL)
			return sl_error_set(err, SL_ENOMEM, "out of memory");
		schema = c->wrap;
	} else {
		schema = t;
	}
	sl_format_options_init(&o);
	o.avro_schema = avsc;
	sl_error_clear(err);
	err->pos = -1;
	rc = sl_encoder_new(kind, schema, &o, &c->enc, err);
	if (rc < 0) {
		char msg[SL_ERROR_MAX];
		snprintf(msg, sizeof(msg), "%s", err->msg);
		return slx_err(err, rc, n->args[avsc && n->n_args > 1 ? 1 : 0]->pos, "%s: %s",
		               n->fn->name, msg);
	}
	return 0;
}

int slx_bind_to_json(slx_binder *b, slx_node *n, sl_error *err)
{
	(void)b;
	int rc = bind_encoder(n, SL_FORMAT_JSON, NULL, true, err);
	return rc < 0 ? rc : set_result(n, sl_type_string(), n->args[0]->nullable);
}

/* Encodes every row of args[0] into a STRING or BINARY column. */
static int encode_rows(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out)
{
	codec *c = n->state;
	sl_array *a = NULL, *st;
	slx_strout so;
	int rc;

	if (c == NULL || c->enc == NULL)
		return sl_error_set(cx->err, SL_ESTATE, "%s was not prepared", n->fn->name);
	if (args[0].scalar) {
		if ((rc = slx_broadcast(cx, &args[0], cx->n, &a)) < 0)
			return rc;
	} else {
		a = sl_array_ref(args[0].arr);
	}
	st = a;
	if (c->wrap != NULL) {
		sl_array *kid = sl_array_ref(a);
		st = sl_array_new(c->wrap, cx->n, 0, NULL, NULL, NULL, 1, &kid);
		if (st == NULL) {
			sl_array_unref(a);
			return slx_oom(cx);
		}
	}
	if ((rc = slx_strout_init(cx, &so, cx->n, 0)) < 0)
		goto out;
	for (int64_t i = 0; i < cx->n && rc == 0; i++) {
		const char *p;
		size_t len;
		if (sl_array_is_null(a, i)) {
			rc = slx_strout_null(&so);
			continue;
		}
		sl_strbuf_reset(&c->sb);
		if ((rc = sl_encoder_write_value(c->enc, st, i, &c->sb, cx->err)) < 0)
			break;
		p = c->sb.buf ? c->sb.buf : "";
		len = c->sb.len;
		if (c->wrap != NULL) {
			/* {"v":VALUE} -> VALUE */
			if (len < 6 || memcmp(p, "{\"v\":", 5) != 0 || p[len - 1] != '}') {
				rc = sl_error_set(cx->err, SL_ESTATE, "%s: unexpected encoding",
				                  n->fn->name);
				break;
			}
			p += 5;
			len -= 6;
		}
		rc = slx_strout_append(&so, p, len);
	}
	if (rc < 0) {
		slx_strout_free(&so);
		if (cx->err == NULL || cx->err->code != rc)
			rc = rc == SL_ENOMEM ? slx_oom(cx)
			                     : sl_error_set(cx->err, rc, "%s failed", n->fn->name);
		goto out;
	}
	rc = slx_out_array(cx, out, slx_strout_finish(&so, n->type));
out:
	if (st != a)
		sl_array_unref(st);
	sl_array_unref(a);
	return rc;
}

int slx_f_to_json(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out)
{
	return encode_rows(cx, n, args, out);
}

/* ----------------------------------------------------------------- CSV */

int slx_bind_from_csv(slx_binder *b, slx_node *n, sl_error *err)
{
	sl_type *type, *schema;
	sl_format_options o;
	const char *sep = NULL;
	bool wrap;
	codec *c;
	int rc;

	(void)b;
	if (n->n_args > 2 && (sep = literal_arg(n, 2, "the delimiter", err)) == NULL)
		return err->code;
	if (sep != NULL && (strlen(sep) != 1 && strcmp(sep, "\\t") != 0))
		return slx_err(err, SL_EINVAL, n->args[2]->pos,
		               "from_csv: the delimiter must be one character");
	if ((rc = parse_ddl(n, 1, &type, &schema, &wrap, err)) < 0)
		return rc;
	if (wrap) {
		sl_type_unref(type);
		sl_type_unref(schema);
		return slx_err(err, SL_EINVAL, n->args[1]->pos,
		               "from_csv needs a list of fields as its schema, not an ARRAY");
	}
	for (size_t k = 0; k < type->n_fields; k++)
		if (!slx_is_atomic(type->fields[k].type)) {
			rc = slx_err(err, SL_ETYPE, n->args[1]->pos,
			             "from_csv: field '%s' is not of an atomic type",
			             type->fields[k].name);
			goto out;
		}
	decoder_options(&o);
	if (sep != NULL)
		o.sep = strcmp(sep, "\\t") == 0 ? '\t' : sep[0];
	if ((c = codec_attach(n, err)) == NULL)
		rc = SL_ENOMEM;
	else if ((rc = sl_decoder_new(SL_FORMAT_CSV, schema, &o, &c->dec, err)) < 0)
		rc = literal_error(n, 1, "schema", err);
	else
		rc = set_result(n, type, true);
out:
	sl_type_unref(type);
	sl_type_unref(schema);
	return rc;
}

int slx_f_from_csv(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out)
{
	return decode_rows(cx, n, args, out);
}

int slx_bind_to_csv(slx_binder *b, slx_node *n, sl_error *err)
{
	(void)b;
	int rc = bind_encoder(n, SL_FORMAT_CSV, NULL, false, err);
	return rc < 0 ? rc : set_result(n, sl_type_string(), n->args[0]->nullable);
}

int slx_f_to_csv(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out)
{
	return encode_rows(cx, n, args, out);
}

/* ---------------------------------------------------------------- Avro */

/* The .avsc text of literal argument k: the literal, or an '@' file's. */
static const char *avsc_text(slx_node *n, size_t k, codec *c, sl_error *err)
{
	const char *lit = literal_arg(n, k, "the Avro schema", err);
	struct stat st;
	FILE *f;
	size_t len;

	if (lit == NULL || lit[0] != '@')
		return lit;
	f = fopen(lit + 1, "rb");
	if (f != NULL && (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode))) {
		fclose(f);
		slx_err(err, SL_EINVAL, n->args[k]->pos,
		        "%s: the Avro schema '%s' is not a regular file", n->fn->name, lit + 1);
		return NULL;
	}
	if (f == NULL) {
		slx_err(err, SL_EIO, n->args[k]->pos, "%s: cannot read the Avro schema '%s': %s",
		        n->fn->name, lit + 1, strerror(errno));
		return NULL;
	}
	c->avsc = malloc(AVSC_MAX + 1);
	if (c->avsc == NULL) {
		fclose(f);
		sl_error_set(err, SL_ENOMEM, "out of memory");
		return NULL;
	}
	len = fread(c->avsc, 1, AVSC_MAX + 1, f);
	fclose(f);
	if (len > AVSC_MAX) {
		slx_err(err, SL_EINVAL, n->args[k]->pos, "%s: '%s' is larger than %d bytes",
		        n->fn->name, lit + 1, AVSC_MAX);
		return NULL;
	}
	c->avsc[len] = '\0';
	return c->avsc;
}

int slx_bind_from_avro(slx_binder *b, slx_node *n, sl_error *err)
{
	sl_type_id id = n->args[0]->type->id;
	sl_format_options o;
	const char *avsc;
	codec *c;
	char tn[128];
	int rc;

	(void)b;
	if (id != SL_TYPE_BINARY && id != SL_TYPE_STRING && id != SL_TYPE_NULL)
		return slx_err(err, SL_ETYPE, n->args[0]->pos,
		               "from_avro needs a BINARY value, got %s",
		               slx_type_name(n->args[0]->type, tn, sizeof(tn)));
	if ((c = codec_attach(n, err)) == NULL)
		return SL_ENOMEM;
	if ((avsc = avsc_text(n, 1, c, err)) == NULL)
		return err->code;
	decoder_options(&o);
	o.avro_schema = avsc;
	sl_error_clear(err);
	err->pos = -1;
	if ((rc = sl_decoder_new(SL_FORMAT_AVRO, NULL, &o, &c->dec, err)) < 0)
		return literal_error(n, 1, "Avro schema", err);
	if (sl_decoder_schema(c->dec) == NULL)
		return slx_err(err, SL_EINVAL, n->args[1]->pos, "from_avro: no schema");
	return set_result(n, (sl_type *)sl_decoder_schema(c->dec), true);
}

int slx_f_from_avro(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out)
{
	return decode_rows(cx, n, args, out);
}

/* The struct to encode must fit the given Avro schema: each of its fields
 * is in the record with the same type, and the record's other fields are
 * nullable. */
static int check_avro_fit(slx_node *n, const char *avsc, sl_error *err)
{
	const sl_type *t = n->args[0]->type;
	sl_schema *as = NULL;
	char t1[128], t2[128];
	int rc;

	if (t->id != SL_TYPE_STRUCT)
		return 0; /* bind_encoder says why */
	sl_error_clear(err);
	err->pos = -1;
	if (sl_avro_schema_to_sl(avsc, strlen(avsc), &as, err) < 0)
		return literal_error(n, 1, "Avro schema", err);
	rc = 0;
	for (size_t k = 0; k < t->n_fields && rc == 0; k++) {
		int f = sl_schema_find(as, t->fields[k].name);
		if (f < 0)
			rc = slx_err(err, SL_ETYPE, n->args[0]->pos,
			             "to_avro: field '%s' is not in the Avro schema",
			             t->fields[k].name);
		else if (!sl_type_equal(t->fields[k].type, as->fields[f].type))
			rc = slx_err(err, SL_ETYPE, n->args[0]->pos,
			             "to_avro: field '%s' is %s, the Avro schema has %s",
			             t->fields[k].name,
			             slx_type_name(t->fields[k].type, t1, sizeof(t1)),
			             slx_type_name(as->fields[f].type, t2, sizeof(t2)));
	}
	for (size_t k = 0; k < as->n_fields && rc == 0; k++)
		if (sl_schema_find(t, as->fields[k].name) < 0 && !as->fields[k].nullable)
			rc = slx_err(err, SL_ETYPE, n->args[0]->pos,
			             "to_avro: the Avro schema's field '%s' is missing and not "
			             "nullable",
			             as->fields[k].name);
	sl_type_unref(as);
	return rc;
}

int slx_bind_to_avro(slx_binder *b, slx_node *n, sl_error *err)
{
	const char *avsc = NULL;
	codec tmp = {0};
	int rc;

	(void)b;
	if (n->n_args > 1) {
		if ((avsc = avsc_text(n, 1, &tmp, err)) == NULL) {
			free(tmp.avsc);
			return err->code;
		}
	}
	rc = avsc != NULL ? check_avro_fit(n, avsc, err) : 0;
	if (rc == 0)
		rc = bind_encoder(n, SL_FORMAT_AVRO, avsc, false, err);
	if (tmp.avsc != NULL) {
		/* keep the file's text as long as the encoder */
		codec *c = n->state;
		if (c != NULL && c->avsc == NULL)
			c->avsc = tmp.avsc;
		else
			free(tmp.avsc);
	}
	return rc < 0 ? rc : set_result(n, sl_type_binary(), n->args[0]->nullable);
}

int slx_f_to_avro(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out)
{
	return encode_rows(cx, n, args, out);
}
