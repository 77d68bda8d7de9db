/* test_sdk_options.c - the options object: every type, defaults, required,
 * enums, unknown names, lists, groups, file and line. */
#include <string.h>

#include "test_sdk.h"

static const sl_option_spec tls_spec[] = {
    {.name = "ca", .type = SL_OPT_STRING, .required = 1, .doc = "CA file"},
    {.name = "verify", .type = SL_OPT_BOOL, .def = "true", .doc = "verify peer"},
    {0},
};

static const sl_option_spec spec[] = {
    {.name = "host", .type = SL_OPT_STRING, .def = "localhost", .doc = "host"},
    {.name = "port", .type = SL_OPT_INT, .def = "9999", .doc = "port"},
    {.name = "path", .type = SL_OPT_STRING, .required = 1, .doc = "path"},
    {.name = "ratio", .type = SL_OPT_DOUBLE, .doc = "ratio"},
    {.name = "header", .type = SL_OPT_BOOL, .def = "no", .doc = "header line"},
    {.name = "interval", .type = SL_OPT_DURATION, .def = "1s", .doc = "interval"},
    {.name = "max_size", .type = SL_OPT_SIZE, .def = "64k", .doc = "size"},
    {.name = "mode",
     .type = SL_OPT_ENUM,
     .def = "append",
     .choices = "append|update|complete",
     .doc = "output mode"},
    {.name = "where", .type = SL_OPT_EXPR, .doc = "filter"},
    {.name = "exprs", .type = SL_OPT_EXPR_LIST, .doc = "expressions"},
    {.name = "topics", .type = SL_OPT_STRING_LIST, .def = "events", .doc = "topics"},
    {.name = "tls", .type = SL_OPT_GROUP, .group = tls_spec, .doc = "TLS settings"},
    {0},
};

static sl_options *fresh(void)
{
	sl_options *o = sl_options_new(spec);

	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	return o;
}

static void expect_error(int rc, const sl_error *err, int code, const char *msg)
{
	CU_ASSERT_EQUAL(rc, code);
	CU_ASSERT_EQUAL(err->code, code);
	CU_ASSERT_STRING_EQUAL(err->msg, msg);
	if (strcmp(err->msg, msg) != 0)
		fprintf(stderr, "got '%s'\nwant '%s'\n", err->msg, msg);
}

static void test_options_types(void)
{
	sl_options *o = fresh();
	sl_error err;

	CU_ASSERT_PTR_EQUAL(sl_options_spec(o), spec);
	CU_ASSERT_EQUAL(sl_options_set(o, "host", "example.org", "p.conf", 3, &err), SL_OK);
	CU_ASSERT_EQUAL(sl_options_set(o, "port", "8080", "p.conf", 4, &err), SL_OK);
	CU_ASSERT_EQUAL(sl_options_set(o, "path", "/tmp/x", "p.conf", 5, &err), SL_OK);
	CU_ASSERT_EQUAL(sl_options_set(o, "ratio", "0.25", "p.conf", 6, &err), SL_OK);
	CU_ASSERT_EQUAL(sl_options_set(o, "header", "Yes", "p.conf", 7, &err), SL_OK);
	CU_ASSERT_EQUAL(sl_options_set(o, "interval", "250 ms", "p.conf", 8, &err), SL_OK);
	CU_ASSERT_EQUAL(sl_options_set(o, "max_size", "10MB", "p.conf", 9, &err), SL_OK);
	CU_ASSERT_EQUAL(sl_options_set(o, "mode", "Complete", "p.conf", 10, &err), SL_OK);
	CU_ASSERT_EQUAL(sl_options_set(o, "where", "x > 1", "p.conf", 11, &err), SL_OK);
	CU_ASSERT_EQUAL(sl_options_finish(o, &err), SL_OK);

	CU_ASSERT_STRING_EQUAL(sl_opt_string(o, "host"), "example.org");
	CU_ASSERT_EQUAL(sl_opt_int(o, "port"), 8080);
	CU_ASSERT_STRING_EQUAL(sl_opt_string(o, "port"), "8080");
	CU_ASSERT_STRING_EQUAL(sl_opt_string(o, "path"), "/tmp/x");
	CU_ASSERT_DOUBLE_EQUAL(sl_opt_double(o, "ratio"), 0.25, 1e-12);
	CU_ASSERT(sl_opt_bool(o, "header"));
	CU_ASSERT_EQUAL(sl_opt_duration_us(o, "interval"), 250000);
	CU_ASSERT_EQUAL(sl_opt_size(o, "max_size"), 10485760);
	CU_ASSERT_STRING_EQUAL(sl_opt_string(o, "mode"), "complete"); /* canonical spelling */
	CU_ASSERT_EQUAL(sl_opt_int(o, "mode"), 2);                    /* index of the choice */
	CU_ASSERT_STRING_EQUAL(sl_opt_string(o, "where"), "x > 1");
	CU_ASSERT_DOUBLE_EQUAL(sl_opt_double(o, "port"), 8080.0, 1e-12);
	/* file and line */
	CU_ASSERT_EQUAL(sl_opt_line(o, "mode"), 10);
	CU_ASSERT_STRING_EQUAL(sl_opt_file(o, "mode"), "p.conf");
	CU_ASSERT_EQUAL(sl_opt_line(o, "topics"), 0); /* defaulted */
	CU_ASSERT_PTR_NULL(sl_opt_file(o, "topics"));
	/* undeclared names do not crash */
	CU_ASSERT(!sl_opt_is_set(o, "nope"));
	CU_ASSERT_PTR_NULL(sl_opt_string(o, "nope"));
	CU_ASSERT_EQUAL(sl_opt_int(o, "nope"), 0);
	CU_ASSERT_EQUAL(sl_opt_double(o, "nope"), 0.0);
	CU_ASSERT(!sl_opt_bool(o, "nope"));
	CU_ASSERT_EQUAL(sl_opt_duration_us(o, "nope"), 0);
	CU_ASSERT_EQUAL(sl_opt_size(o, "nope"), 0);
	CU_ASSERT_EQUAL(sl_opt_list_len(o, "nope"), 0);
	CU_ASSERT_PTR_NULL(sl_opt_list_at(o, "nope", 0));
	CU_ASSERT_PTR_NULL(sl_opt_group(o, "nope"));
	CU_ASSERT_EQUAL(sl_opt_line(o, "nope"), 0);
	CU_ASSERT_PTR_NULL(sl_opt_file(o, "nope"));
	CU_ASSERT_PTR_NULL(sl_opt_string(NULL, "host"));
	CU_ASSERT_EQUAL(sl_opt_int(NULL, "port"), 0);
	sl_options_free(o);
	sl_options_free(NULL);
}

static void test_options_bad_values(void)
{
	sl_options *o = fresh();
	sl_error err;
	int rc;

	rc = sl_options_set(o, "port", "abc", "p.conf", 4, &err);
	expect_error(rc, &err, SL_EINVAL, "option 'port': expected an integer, got 'abc'");
	CU_ASSERT_STRING_EQUAL(err.option, "port");
	rc = sl_options_set(o, "port", "99999999999999999999", NULL, 0, &err);
	expect_error(rc, &err, SL_EINVAL,
	             "option 'port': expected an integer, got '99999999999999999999'");
	rc = sl_options_set(o, "port", "12x", NULL, 0, &err);
	CU_ASSERT_EQUAL(rc, SL_EINVAL);
	rc = sl_options_set(o, "ratio", "half", NULL, 0, &err);
	expect_error(rc, &err, SL_EINVAL, "option 'ratio': expected a number, got 'half'");
	rc = sl_options_set(o, "header", "maybe", NULL, 0, &err);
	expect_error(rc, &err, SL_EINVAL,
	             "option 'header': expected a boolean (true/false, yes/no, on/off, 1/0), got "
	             "'maybe'");
	rc = sl_options_set(o, "interval", "-5s", NULL, 0, &err);
	expect_error(rc, &err, SL_EINVAL,
	             "option 'interval': negative duration '-5s': durations must be >= 0");
	CU_ASSERT_EQUAL(err.pos, 0);
	rc = sl_options_set(o, "max_size", "lots", NULL, 0, &err);
	CU_ASSERT_EQUAL(rc, SL_EINVAL);
	CU_ASSERT_EQUAL(strncmp(err.msg, "option 'max_size': expected a size", 34), 0);
	rc = sl_options_set(o, "mode", "updat", NULL, 0, &err);
	expect_error(rc, &err, SL_EINVAL,
	             "option 'mode': expected one of append|update|complete, got 'updat' (did "
	             "you mean 'update'?)");
	rc = sl_options_set(o, "mode", "zzz", NULL, 0, &err);
	expect_error(rc, &err, SL_EINVAL,
	             "option 'mode': expected one of append|update|complete, got 'zzz'");
	rc = sl_options_set(o, "hots", "x", NULL, 0, &err);
	expect_error(rc, &err, SL_ENOTFOUND, "unknown option 'hots' (did you mean 'host'?)");
	rc = sl_options_set(o, "qqqqqq", "x", NULL, 0, &err);
	expect_error(rc, &err, SL_ENOTFOUND, "unknown option 'qqqqqq'");
	rc = sl_options_add(o, "prot", "1", NULL, 0, &err);
	expect_error(rc, &err, SL_ENOTFOUND, "unknown option 'prot' (did you mean 'port'?)");
	rc = sl_options_add(o, "port", "1", NULL, 0, &err);
	expect_error(rc, &err, SL_ETYPE, "option 'port' takes a single int, not a list");
	rc = sl_options_set(o, "tls", "x", NULL, 0, &err);
	CU_ASSERT_EQUAL(rc, SL_ETYPE);
	CU_ASSERT_PTR_NULL(sl_options_group_get(o, "port", NULL, 0, &err));
	CU_ASSERT_EQUAL(err.code, SL_ETYPE);
	CU_ASSERT_PTR_NULL(sl_options_group_get(o, "tsl", NULL, 0, &err));
	CU_ASSERT_STRING_EQUAL(err.msg, "unknown option 'tsl' (did you mean 'tls'?)");
	/* a bad value leaves the earlier good one */
	CU_ASSERT_EQUAL(sl_options_set(o, "port", "1234", NULL, 0, &err), SL_OK);
	CU_ASSERT_EQUAL(sl_options_set(o, "port", "oops", NULL, 0, &err), SL_EINVAL);
	CU_ASSERT_EQUAL(sl_opt_int(o, "port"), 1234);
	/* surrounding blanks are fine for numbers */
	CU_ASSERT_EQUAL(sl_options_set(o, "port", " 42 ", NULL, 0, &err), SL_OK);
	CU_ASSERT_EQUAL(sl_opt_int(o, "port"), 42);
	CU_ASSERT_EQUAL(sl_options_set(o, "port", "-7", NULL, 0, &err), SL_OK);
	CU_ASSERT_EQUAL(sl_opt_int(o, "port"), -7);
	sl_options_free(o);
}

static void test_options_defaults_required(void)
{
	sl_options *o = fresh();
	sl_error err;
	int rc;

	CU_ASSERT(!sl_opt_is_set(o, "host"));
	rc = sl_options_finish(o, &err);
	expect_error(rc, &err, SL_EINVAL, "missing required option 'path'");
	CU_ASSERT_STRING_EQUAL(err.option, "path");
	CU_ASSERT_EQUAL(sl_options_set(o, "path", "/data", "f.conf", 12, &err), SL_OK);
	CU_ASSERT_EQUAL(sl_options_finish(o, &err), SL_OK);
	CU_ASSERT(sl_opt_is_set(o, "host"));
	CU_ASSERT_STRING_EQUAL(sl_opt_string(o, "host"), "localhost");
	CU_ASSERT_EQUAL(sl_opt_int(o, "port"), 9999);
	CU_ASSERT(!sl_opt_bool(o, "header"));
	CU_ASSERT(sl_opt_is_set(o, "header"));
	CU_ASSERT_EQUAL(sl_opt_duration_us(o, "interval"), 1000000);
	CU_ASSERT_EQUAL(sl_opt_size(o, "max_size"), 65536);
	CU_ASSERT_STRING_EQUAL(sl_opt_string(o, "mode"), "append");
	CU_ASSERT_EQUAL(sl_opt_int(o, "mode"), 0);
	CU_ASSERT_EQUAL(sl_opt_list_len(o, "topics"), 1);
	CU_ASSERT_STRING_EQUAL(sl_opt_list_at(o, "topics", 0), "events");
	/* no default, not given */
	CU_ASSERT(!sl_opt_is_set(o, "ratio"));
	CU_ASSERT_EQUAL(sl_opt_double(o, "ratio"), 0.0);
	CU_ASSERT_PTR_NULL(sl_opt_string(o, "where"));
	CU_ASSERT_EQUAL(sl_opt_list_len(o, "exprs"), 0);
	CU_ASSERT_PTR_NULL(sl_opt_group(o, "tls"));
	CU_ASSERT_EQUAL(sl_opt_line(o, "path"), 12);
	CU_ASSERT_EQUAL(sl_opt_line(o, "port"), 0);
	sl_options_free(o);

	/* a bad default in the table is reported */
	{
		static const sl_option_spec bad[] = {
		    {.name = "n", .type = SL_OPT_INT, .def = "many"},
		    {0},
		};
		sl_options *b = sl_options_new(bad);

		rc = sl_options_finish(b, &err);
		CU_ASSERT_EQUAL(rc, SL_EINVAL);
		CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "expected an integer, got 'many'"));
		sl_options_free(b);
	}
	/* an empty table */
	{
		sl_options *e = sl_options_new(NULL);

		CU_ASSERT_EQUAL(sl_options_finish(e, &err), SL_OK);
		rc = sl_options_set(e, "x", "1", NULL, 0, &err);
		expect_error(rc, &err, SL_ENOTFOUND, "unknown option 'x'");
		sl_options_free(e);
	}
}

static void test_options_lists(void)
{
	sl_options *o = fresh();
	sl_error err;

	CU_ASSERT_EQUAL(sl_options_add(o, "exprs", "a + 1 as b", "l.conf", 20, &err), SL_OK);
	CU_ASSERT_EQUAL(sl_options_add(o, "exprs", "upper(c)", "l.conf", 20, &err), SL_OK);
	CU_ASSERT_EQUAL(sl_options_add(o, "exprs", "d", "l.conf", 21, &err), SL_OK);
	CU_ASSERT_EQUAL(sl_opt_list_len(o, "exprs"), 3);
	CU_ASSERT_STRING_EQUAL(sl_opt_list_at(o, "exprs", 0), "a + 1 as b");
	CU_ASSERT_STRING_EQUAL(sl_opt_list_at(o, "exprs", 2), "d");
	CU_ASSERT_PTR_NULL(sl_opt_list_at(o, "exprs", 3));
	CU_ASSERT_EQUAL(sl_opt_line(o, "exprs"), 20); /* where the list starts */
	/* set: a list of one, replacing the default */
	CU_ASSERT_EQUAL(sl_options_set(o, "topics", "clicks", "l.conf", 22, &err), SL_OK);
	CU_ASSERT_EQUAL(sl_options_set(o, "path", "p", NULL, 0, &err), SL_OK);
	CU_ASSERT_EQUAL(sl_options_finish(o, &err), SL_OK);
	CU_ASSERT_EQUAL(sl_opt_list_len(o, "topics"), 1);
	CU_ASSERT_STRING_EQUAL(sl_opt_list_at(o, "topics", 0), "clicks");
	CU_ASSERT_EQUAL(sl_opt_list_len(o, "exprs"), 3);
	/* a scalar reads as a list of one */
	CU_ASSERT_EQUAL(sl_opt_list_len(o, "host"), 1);
	CU_ASSERT_STRING_EQUAL(sl_opt_list_at(o, "host", 0), "localhost");
	sl_options_free(o);

	/* items added to a defaulted list replace the default */
	o = fresh();
	CU_ASSERT_EQUAL(sl_options_set(o, "path", "p", NULL, 0, &err), SL_OK);
	CU_ASSERT_EQUAL(sl_options_add(o, "topics", "a", NULL, 0, &err), SL_OK);
	CU_ASSERT_EQUAL(sl_options_add(o, "topics", "b", NULL, 0, &err), SL_OK);
	CU_ASSERT_EQUAL(sl_options_finish(o, &err), SL_OK);
	CU_ASSERT_EQUAL(sl_opt_list_len(o, "topics"), 2);
	CU_ASSERT_STRING_EQUAL(sl_opt_list_at(o, "topics", 1), "b");
	sl_options_free(o);
}

static void test_options_groups(void)
{
	sl_options *o = fresh(), *g, *g2;
	const sl_options *rg;
	sl_error err;
	int rc;

	CU_ASSERT_EQUAL(sl_options_set(o, "path", "p", NULL, 0, &err), SL_OK);
	g = sl_options_group_get(o, "tls", "g.conf", 30, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(g);
	CU_ASSERT_PTR_EQUAL(sl_options_spec(g), tls_spec);
	g2 = sl_options_group_get(o, "tls", "g.conf", 31, &err);
	CU_ASSERT_PTR_EQUAL(g, g2); /* the same members */
	rc = sl_options_set(g, "verfy", "no", "g.conf", 32, &err);
	expect_error(rc, &err, SL_ENOTFOUND, "unknown option 'verfy' (did you mean 'verify'?)");
	CU_ASSERT_EQUAL(sl_options_set(g, "verify", "off", "g.conf", 32, &err), SL_OK);
	rc = sl_options_finish(o, &err);
	expect_error(rc, &err, SL_EINVAL, "in group 'tls': missing required option 'ca'");
	CU_ASSERT_EQUAL(sl_options_set(g, "ca", "/etc/ca.pem", "g.conf", 33, &err), SL_OK);
	CU_ASSERT_EQUAL(sl_options_finish(o, &err), SL_OK);
	rg = sl_opt_group(o, "tls");
	CU_ASSERT_PTR_EQUAL(rg, g);
	CU_ASSERT(sl_opt_is_set(o, "tls"));
	CU_ASSERT_EQUAL(sl_opt_line(o, "tls"), 30);
	CU_ASSERT_STRING_EQUAL(sl_opt_file(o, "tls"), "g.conf");
	CU_ASSERT_STRING_EQUAL(sl_opt_string(rg, "ca"), "/etc/ca.pem");
	CU_ASSERT(!sl_opt_bool(rg, "verify"));
	CU_ASSERT_EQUAL(sl_opt_line(rg, "ca"), 33);
	sl_options_free(o);

	/* a group's defaults apply when the group is given */
	o = fresh();
	sl_options_set(o, "path", "p", NULL, 0, &err);
	g = sl_options_group_get(o, "tls", NULL, 0, &err);
	sl_options_set(g, "ca", "x", NULL, 0, &err);
	CU_ASSERT_EQUAL(sl_options_finish(o, &err), SL_OK);
	CU_ASSERT(sl_opt_bool(sl_opt_group(o, "tls"), "verify"));
	sl_options_free(o);
}

static void test_options_file_copied(void)
{
	sl_options *o = fresh();
	sl_error err;
	char file[32];

	strcpy(file, "first.conf");
	CU_ASSERT_EQUAL(sl_options_set(o, "host", "h", file, 7, &err), SL_OK);
	strcpy(file, "XXXXXXXXXX");
	CU_ASSERT_STRING_EQUAL(sl_opt_file(o, "host"), "first.conf");
	CU_ASSERT_EQUAL(sl_opt_line(o, "host"), 7);
	/* a later value moves the origin */
	CU_ASSERT_EQUAL(sl_options_set(o, "host", "h2", NULL, 9, &err), SL_OK);
	CU_ASSERT_PTR_NULL(sl_opt_file(o, "host"));
	CU_ASSERT_EQUAL(sl_opt_line(o, "host"), 9);
	CU_ASSERT_STRING_EQUAL(sl_opt_type_name(SL_OPT_DURATION), "duration");
	CU_ASSERT_STRING_EQUAL(sl_opt_type_name(SL_OPT_STRING_LIST), "string list");
	sl_options_free(o);
}

int test_sdk_add_options(void)
{
	static const test_case cases[] = {
	    {"every type", test_options_types},
	    {"bad values and names", test_options_bad_values},
	    {"defaults and required", test_options_defaults_required},
	    {"lists", test_options_lists},
	    {"groups", test_options_groups},
	    {"file and line", test_options_file_copied},
	    {NULL, NULL},
	};

	return test_add_suite("options", cases);
}
