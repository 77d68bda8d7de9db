/* fuzz_schema.c - libFuzzer target for the DDL schema and type parsers
 * (sl_schema_parse, sl_type_parse).  Checks: a failure has a message and a
 * position inside the text; an accepted schema formats to DDL that parses
 * back to an equal type.
 *
 *   _build-fuzz/tests/fuzz/fuzz_schema tests/fuzz/corpus/schema
 */
#include <stdlib.h>
#include <string.h>

#include <sluice/sluice.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void round_trip(const sl_type *t, bool schema)
{
	sl_strbuf sb = {0};
	sl_type *back = NULL;
	sl_error err;
	const char *text;

	if (sl_type_format(t, &sb) < 0)
		abort();
	text = sb.buf;
	/* a schema formats as STRUCT<...>, which sl_schema_parse accepts */
	if ((schema ? sl_schema_parse(text, &back, &err) : sl_type_parse(text, &back, &err)) < 0 ||
	    !sl_type_equal(t, back))
		abort();
	sl_type_unref(back);
	sl_strbuf_free(&sb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sl_type *t = NULL;
	sl_error err;
	char *text;
	int k;

	if (size > 8192)
		return 0;
	text = malloc(size + 1);
	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	for (k = 0; k < 2; k++) {
		int rc = k ? sl_type_parse(text, &t, &err) : sl_schema_parse(text, &t, &err);

		if (rc == 0) {
			if (t == NULL || (k == 0 && t->id != SL_TYPE_STRUCT))
				abort();
			round_trip(t, k == 0);
			sl_type_unref(t);
		} else if (t != NULL || err.msg[0] == '\0' ||
		           (err.pos >= 0 && (size_t)err.pos > strlen(text))) {
			abort();
		}
		t = NULL;
	}
	free(text);
	return 0;
}
