/* test_format.h - shared bits of the format unit tests (sl_format.h). */
#ifndef SLUICE_TEST_FORMAT_H
#define SLUICE_TEST_FORMAT_H

#include <CUnit/CUnit.h>
#include <sluice/sl_format.h>
#include <sluice/sluice.h>
#include <stdio.h>
#include <string.h>

/* CU_ASSERT_STRING_EQUAL that shows both strings when they differ. */
#define TF_STREQ(got, want)                                                                        \
	do {                                                                                       \
		const char *g_ = (got), *w_ = (want);                                              \
		CU_ASSERT_STRING_EQUAL(g_, w_);                                                    \
		if (strcmp(g_, w_) != 0)                                                           \
			fprintf(stderr, "\n%s:%d\n got: %s\nwant: %s\n", __FILE__, __LINE__, g_,   \
			        w_);                                                               \
	} while (0)

typedef struct tf_case {
	const char *name;
	void (*fn)(void);
} tf_case;

int tf_add_suite(const char *name, const tf_case *cases);
int tf_add_json(void);
int tf_add_csv(void);
int tf_add_avro(void);
int tf_add_enc(void);

/* Bad records a decoder reported, as "line:col:field:message" lines (or
 * "record:message" for binary formats), joined with '\n'. */
typedef struct tf_bad {
	char text[8192];
	int n;
	int64_t first_offset, first_err_offset, first_record;
} tf_bad;
int tf_bad_cb(void *user, const sl_bad_record *b);

sl_schema *tf_schema(const char *ddl);
/* Decodes text (fed in chunks of `chunk` bytes; 0: one feed) and returns
 * the batch; st, bad may be NULL.  rc: the first negative code or 0. */
sl_batch *tf_decode(sl_format_kind kind, const char *ddl, const sl_format_options *o,
                    const char *text, size_t len, size_t chunk, sl_decoder_stats *st, tf_bad *bad,
                    int *rc);
/* Every row of b as JSON lines (nulls kept as null), in a static buffer. */
const char *tf_rows(const sl_batch *b);
/* The whole of a file, or NULL (*len set). */
char *tf_read_file(const char *path, size_t *len);
/* $SLUICE_SEED_DIR/rel, or NULL when the seed directory is missing. */
char *tf_seed_path(const char *rel);

#endif
