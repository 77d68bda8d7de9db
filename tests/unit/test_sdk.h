/* test_sdk.h - shared bits of the SDK unit tests. */
#ifndef SLUICE_TEST_SDK_H
#define SLUICE_TEST_SDK_H

#include <CUnit/CUnit.h>
#include <sluice/sluice.h>

int test_sdk_add_array(void);
int test_sdk_add_type(void);
int test_sdk_add_options(void);

/* Renders an array as text: [1, null, "x", {a: 1}, [2, 3]].  Returns a
 * static buffer (valid until the next call). */
const char *test_render(const sl_array *a);
/* The DDL form of a type, in a static buffer. */
const char *test_type_str(const sl_type *t);

/* Adds a suite with its tests; returns -1 on a CUnit error. */
typedef struct test_case {
	const char *name;
	void (*fn)(void);
} test_case;
int test_add_suite(const char *name, const test_case *cases);

#endif
