/* test_format.c - unit tests of the data formats (sl_format.h): the
 * driver and the shared helpers; the suites live in test_format_*.c. */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "test_format.h"

int tf_add_suite(const char *name, const tf_case *cases)
{
	CU_pSuite s = CU_add_suite(name, NULL, NULL);

	if (s == NULL)
		return -1;
	for (; cases->name != NULL; cases++)
		if (CU_add_test(s, cases->name, cases->fn) == NULL)
			return -1;
	return 0;
}

int tf_bad_cb(void *user, const sl_bad_record *b)
{
	tf_bad *t = user;
	size_t n = strlen(t->text);

	if (t->n == 0) {
		t->first_offset = b->offset;
		t->first_err_offset = b->err_offset;
		t->first_record = b->record;
	}
	t->n++;
	if (b->line > 0)
		snprintf(t->text + n, sizeof(t->text) - n, "%s%lld:%lld:%s:%s", n ? "\n" : "",
		         (long long)b->err_line, (long long)b->err_column,
		         b->field ? b->field : "-", b->message);
	else
		snprintf(t->text + n, sizeof(t->text) - n, "%s%lld:%s:%s", n ? "\n" : "",
		         (long long)b->record, b->field ? b->field : "-", b->message);
	return 0;
}

sl_schema *tf_schema(const char *ddl)
{
	sl_schema *s = NULL;
	sl_error err;

	if (sl_schema_parse(ddl, &s, &err) < 0) {
		fprintf(stderr, "schema '%s': %s\n", ddl, err.msg);
		return NULL;
	}
	return s;
}

sl_batch *tf_decode(sl_format_kind kind, const char *ddl, const sl_format_options *o,
                    const char *text, size_t len, size_t chunk, sl_decoder_stats *st, tf_bad *bad,
                    int *rcp)
{
	sl_schema *s = ddl ? tf_schema(ddl) : NULL;
	sl_decoder *d = NULL;
	sl_batch *b = NULL;
	sl_error err;
	size_t off = 0;
	int rc;

	if (bad)
		memset(bad, 0, sizeof(*bad));
	rc = sl_decoder_new(kind, s, o, &d, &err);
	sl_type_unref(s);
	if (rc < 0) {
		fprintf(stderr, "decoder: %s\n", err.msg);
		if (rcp)
			*rcp = rc;
		return NULL;
	}
	if (bad)
		sl_decoder_on_bad_record(d, tf_bad_cb, bad);
	if (chunk == 0)
		chunk = len ? len : 1;
	while (off < len) {
		size_t n = len - off < chunk ? len - off : chunk;

		rc = sl_decoder_feed(d, text + off, n, &err);
		if (rc < 0)
			break;
		off += n;
	}
	if (rc >= 0)
		rc = sl_decoder_finish(d, &err);
	if (rc < 0 && bad)
		snprintf(bad->text + strlen(bad->text), sizeof(bad->text) - strlen(bad->text),
		         "%sERROR %s", bad->text[0] ? "\n" : "", err.msg);
	if (st)
		sl_decoder_stats_get(d, st);
	if (sl_decoder_take(d, &b, &err) < 0)
		b = NULL;
	if (b != NULL && sl_batch_validate(b, &err) < 0) {
		fprintf(stderr, "invalid batch: %s\n", err.msg);
		sl_batch_unref(b);
		b = NULL;
	}
	sl_decoder_free(d);
	if (rcp)
		*rcp = rc < 0 ? rc : 0;
	return b;
}

const char *tf_rows(const sl_batch *b)
{
	static sl_strbuf sb;
	static sl_error err;
	sl_format_options o;
	sl_encoder *e = NULL;

	sl_strbuf_reset(&sb);
	if (b == NULL)
		return "(no batch)";
	sl_format_options_init(&o);
	o.ignore_null_fields = false;
	if (sl_encoder_new(SL_FORMAT_JSON, b->schema, &o, &e, &err) < 0)
		return err.msg;
	if (sl_encoder_write(e, b, &sb, &err) < 0) {
		sl_encoder_free(e);
		return "(encode failed)";
	}
	sl_encoder_free(e);
	return sb.buf ? sb.buf : "";
}

char *tf_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n + 1);
		if (buf != NULL && fread(buf, 1, (size_t)n, f) == (size_t)n) {
			buf[n] = '\0';
			*len = (size_t)n;
		} else {
			free(buf);
			buf = NULL;
		}
	}
	fclose(f);
	return buf;
}

char *tf_seed_path(const char *rel)
{
	const char *dir = getenv("SLUICE_SEED_DIR");
	struct stat st;
	char *p;

	if (dir == NULL || stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return NULL;
	p = malloc(strlen(dir) + strlen(rel) + 2);
	if (p != NULL)
		sprintf(p, "%s/%s", dir, rel);
	return p;
}

int main(void)
{
	unsigned failed;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	if (tf_add_json() < 0 || tf_add_csv() < 0 || tf_add_avro() < 0 || tf_add_enc() < 0) {
		fprintf(stderr, "test_format: cannot register tests: %s\n", CU_get_error_msg());
		CU_cleanup_registry();
		return 1;
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	CU_cleanup_registry();
	return failed ? 1 : 0;
}
