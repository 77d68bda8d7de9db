/* test_util.c - libsluice's util layer: numbers, timestamps, UTF-8, base64
 * and JSON as Spark and Java write and read them (sl_text.h), and durable
 * files (sl_file.h). */
#include "config.h"

#include <CUnit/Basic.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sluice/sluice.h>

static void check_text(const char *got, const char *want)
{
	CU_ASSERT_STRING_EQUAL(got, want);
	if (strcmp(got, want) != 0)
		fprintf(stderr, "\n    want '%s', got '%s'\n", want, got);
}

/* ---- doubles: Java's Double.toString ---- */

static void test_double_java(void)
{
	static const struct {
		double d;
		const char *s;
	} cases[] = {
	    {1896.0, "1896.0"},
	    {0.1, "0.1"},
	    {674.8000000000001, "674.8000000000001"},
	    {0.1 + 0.2, "0.30000000000000004"},
	    {1.0e10, "1.0E10"},
	    {-2.5, "-2.5"},
	    {1.0e7, "1.0E7"},
	    {9999999.0, "9999999.0"},
	    {9999999.999, "9999999.999"},
	    {0.001, "0.001"},
	    {0.0001, "1.0E-4"},
	    {1.0e-5, "1.0E-5"},
	    {1.234e-5, "1.234E-5"},
	    {0.0, "0.0"},
	    {-0.0, "-0.0"},
	    {100.0, "100.0"},
	    {1.0 / 3, "0.3333333333333333"},
	    {2.0 / 3, "0.6666666666666666"},
	    {123456.789, "123456.789"},
	    {13.8925, "13.8925"},
	    {1e300, "1.0E300"},
	    {1e23, "1.0E23"},
	    {-1.5e-7, "-1.5E-7"},
	    {DBL_MAX, "1.7976931348623157E308"},
	    {DBL_MIN, "2.2250738585072014E-308"},
	    {4.9e-324, "4.9E-324"}, /* Double.MIN_VALUE, a subnormal */
	    {9007199254740993.0, "9.007199254740992E15"},
	};
	char buf[SL_TEXT_MAX];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = sl_format_double(cases[i].d, buf);

		check_text(buf, cases[i].s);
		CU_ASSERT_EQUAL(n, strlen(cases[i].s));
	}
	sl_format_double(NAN, buf);
	check_text(buf, "NaN");
	sl_format_double(INFINITY, buf);
	check_text(buf, "Infinity");
	sl_format_double(-INFINITY, buf);
	check_text(buf, "-Infinity");
}

/* Significant digits of a Java double text ("0.0012" -> 2, "1896.0" -> 4). */
static int sig_digits(const char *s)
{
	char d[40];
	int n = 0, first = -1, last = -1;

	for (; *s && *s != 'E'; s++)
		if (*s >= '0' && *s <= '9')
			d[n++] = *s;
	for (int i = 0; i < n; i++)
		if (d[i] != '0') {
			if (first < 0)
				first = i;
			last = i;
		}
	return first < 0 ? 1 : last - first + 1;
}

/* Any bit pattern: the text reads back as the same double, with the fewest
 * significant digits that do (one more where Java's two-digit minimum
 * applies), whichever path (exact decimals or the digit search) it took. */
static void test_double_shortest(void)
{
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	char buf[SL_TEXT_MAX], tmp[40];

	for (int i = 0; i < 200000; i++) {
		double d;
		int m;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		if (i % 2) {
			/* values with few decimals, as in data: the exact path */
			d = (double)(int64_t)(x % 100000000) / (double)(1 + x % 1000);
		} else {
			memcpy(&d, &x, sizeof(d));
		}
		if (!isfinite(d) || d == 0)
			continue;
		sl_format_double(d, buf);
		if (strtod(buf, NULL) != d) {
			CU_FAIL("does not read back");
			fprintf(stderr, "\n    %a printed as %s\n", d, buf);
			return;
		}
		for (m = 1; m <= 17; m++) {
			snprintf(tmp, sizeof(tmp), "%.*e", m - 1, d);
			if (strtod(tmp, NULL) == d)
				break;
		}
		if (sig_digits(buf) > (m < 2 && fabs(d) < DBL_MIN ? 2 : m)) {
			CU_FAIL("not the shortest");
			fprintf(stderr, "\n    %a printed as %s, %d digits suffice\n", d, buf, m);
			return;
		}
	}
}

static void test_int64(void)
{
	char buf[SL_TEXT_MAX];
	int64_t v;

	CU_ASSERT_EQUAL(sl_format_int64(0, buf), 1);
	check_text(buf, "0");
	sl_format_int64(INT64_MIN, buf);
	check_text(buf, "-9223372036854775808");
	sl_format_int64(INT64_MAX, buf);
	check_text(buf, "9223372036854775807");
	CU_ASSERT_TRUE(sl_parse_int64("-12", 3, &v) && v == -12);
	CU_ASSERT_TRUE(sl_parse_int64("9223372036854775807", 19, &v) && v == INT64_MAX);
	CU_ASSERT_TRUE(sl_parse_int64("-9223372036854775808", 20, &v) && v == INT64_MIN);
	CU_ASSERT_FALSE(sl_parse_int64("9223372036854775808", 19, &v));
	CU_ASSERT_FALSE(sl_parse_int64(" 1", 2, &v));
	CU_ASSERT_FALSE(sl_parse_int64("-", 1, &v));
	CU_ASSERT_FALSE(sl_parse_int64("1.0", 3, &v));
}

static void test_parse_double(void)
{
	double d;

	CU_ASSERT_TRUE(sl_parse_double("1.5e3", 5, 0, &d) && d == 1500.0);
	CU_ASSERT_TRUE(sl_parse_double("-0.25", 5, 0, &d) && d == -0.25);
	CU_ASSERT_TRUE(sl_parse_double("674.8000000000001", 17, 0, &d) && d == 674.8000000000001);
	CU_ASSERT_TRUE(sl_parse_double("4.9E-324", 8, 0, &d) && d == 4.9e-324);
	CU_ASSERT_TRUE(sl_parse_double("-0", 2, 0, &d) && d == 0 && signbit(d));
	CU_ASSERT_FALSE(sl_parse_double(" 1.5", 4, 0, &d));
	CU_ASSERT_FALSE(sl_parse_double("1.5d", 4, 0, &d));
	CU_ASSERT_FALSE(sl_parse_double("Infinity", 8, 0, &d));
	CU_ASSERT_FALSE(sl_parse_double("1e", 2, 0, &d));
	/* Java's Double.parseDouble, as Spark's CSV reader */
	CU_ASSERT_TRUE(sl_parse_double(" 1.5 ", 5, SL_PARSE_JAVA, &d) && d == 1.5);
	CU_ASSERT_TRUE(sl_parse_double("+2.5d", 5, SL_PARSE_JAVA, &d) && d == 2.5);
	CU_ASSERT_TRUE(sl_parse_double("-Infinity", 9, SL_PARSE_JAVA, &d) && d == -INFINITY);
	CU_ASSERT_TRUE(sl_parse_double("NaN", 3, SL_PARSE_JAVA, &d) && isnan(d));
	CU_ASSERT_FALSE(sl_parse_double("inf", 3, SL_PARSE_JAVA, &d));
}

/* ---- timestamps ---- */

#define TS_2019_02_05_10_05 1549361100000000LL

static void test_timestamp_text(void)
{
	char buf[SL_TEXT_MAX];

	sl_format_timestamp(TS_2019_02_05_10_05, buf);
	check_text(buf, "2019-02-05 10:05:00");
	sl_format_timestamp(TS_2019_02_05_10_05 + 348000, buf);
	check_text(buf, "2019-02-05 10:05:00.348");
	sl_format_timestamp(TS_2019_02_05_10_05 + 1, buf);
	check_text(buf, "2019-02-05 10:05:00.000001");
	sl_format_timestamp(-1, buf);
	check_text(buf, "1969-12-31 23:59:59.999999");
	sl_format_timestamp(951782400000000LL, buf); /* a leap day */
	check_text(buf, "2000-02-29 00:00:00");
	CU_ASSERT_EQUAL(sl_format_timestamp_iso(1595688900348000LL, buf), 24);
	check_text(buf, "2020-07-25T14:55:00.348Z");
	sl_format_timestamp_iso(0, buf);
	check_text(buf, "1970-01-01T00:00:00.000Z");
	sl_format_timestamp_iso(-1000, buf);
	check_text(buf, "1969-12-31T23:59:59.999Z");
	sl_format_timestamp_iso(253402300800000000LL, buf); /* 10000-01-01 */
	check_text(buf, "+10000-01-01T00:00:00.000Z");
	sl_format_timestamp_iso(-62198755200000000LL, buf); /* the year -1 */
	check_text(buf, "-0001-01-01T00:00:00.000Z");
}

static void test_timestamp_parse(void)
{
	static const struct {
		const char *s;
		int64_t us;
	} ok[] = {
	    {"2020-07-25T14:55:00.348Z", 1595688900348000LL},
	    {"2020-07-25", 1595635200000000LL},
	    {" 2020-07-25 ", 1595635200000000LL},
	    {"2020-7-5", 1593907200000000LL},
	    {"2020-07", 1593561600000000LL},
	    {"2020", 1577836800000000LL},
	    {"1969-12-31T23:59:59.999999", -1},
	    {"1969-12-31 23:59:59.9999999", -1}, /* beyond microseconds: cut */
	    {"2020-07-25T16:55-0200", 1595703300000000LL},
	    {"2020-07-25 14:55:00+05:30", 1595669100000000LL},
	    {"2020-07-25 14:55:00 UTC", 1595688900000000LL},
	    {"2020-07-25 14:55:00 GMT+1", 1595685300000000LL},
	    {"2019-02-05 10:05:00", TS_2019_02_05_10_05},
	};
	static const char *const bad[] = {
	    "", "2020-02-30", "2020-07-25T25:00", "2020-07-25x", "20-07-25", "2020-13-01",
	    "2020-07-25T14", "2020-07-25 14:55:00+19", "abc",
	};
	int64_t us;

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		us = 0;
		CU_ASSERT_TRUE(sl_parse_timestamp(ok[i].s, strlen(ok[i].s), &us));
		CU_ASSERT_EQUAL(us, ok[i].us);
		if (us != ok[i].us)
			fprintf(stderr, "\n    '%s': %lld\n", ok[i].s, (long long)us);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CU_ASSERT_FALSE(sl_parse_timestamp(bad[i], strlen(bad[i]), &us));
		if (sl_parse_timestamp(bad[i], strlen(bad[i]), &us))
			fprintf(stderr, "\n    '%s' accepted\n", bad[i]);
	}
}

/* ---- UTF-8, base64, JSON ---- */

static void test_utf8(void)
{
	CU_ASSERT_EQUAL(sl_utf8_valid("h\xc3\xa9llo", 6), 6);
	CU_ASSERT_EQUAL(sl_utf8_valid("abcdefghij\xf0\x9f\x98\x80", 14), 14);
	CU_ASSERT_EQUAL(sl_utf8_valid("ab\xc3", 3), 2);           /* cut short */
	CU_ASSERT_EQUAL(sl_utf8_valid("\xc0\xaf", 2), 0);         /* overlong */
	CU_ASSERT_EQUAL(sl_utf8_valid("x\xed\xa0\x80", 4), 1);    /* a surrogate */
	CU_ASSERT_EQUAL(sl_utf8_valid("\xf4\x90\x80\x80", 4), 0); /* past U+10FFFF */
	CU_ASSERT_EQUAL(sl_utf8_valid("", 0), 0);
}

static void test_base64(void)
{
	char text[16];
	unsigned char out[16];
	size_t n = 0;

	CU_ASSERT_EQUAL(sl_base64_encode("hi!", 3, text), 4);
	CU_ASSERT_EQUAL(memcmp(text, "aGkh", 4), 0);
	CU_ASSERT_EQUAL(sl_base64_encode("hi", 2, text), 4);
	CU_ASSERT_EQUAL(memcmp(text, "aGk=", 4), 0);
	CU_ASSERT_EQUAL(sl_base64_encode("\xfb\xff", 2, text), 4);
	CU_ASSERT_EQUAL(memcmp(text, "+/8=", 4), 0);
	CU_ASSERT_TRUE(sl_base64_decode("aGkh", 4, out, &n) && n == 3 && !memcmp(out, "hi!", 3));
	CU_ASSERT_TRUE(sl_base64_decode("aGk=", 4, out, &n) && n == 2 && !memcmp(out, "hi", 2));
	CU_ASSERT_TRUE(sl_base64_decode("aGk", 3, out, &n) && n == 2);
	CU_ASSERT_TRUE(sl_base64_decode("+/8=", 4, out, &n) && n == 2 && out[0] == 0xfb);
	CU_ASSERT_TRUE(sl_base64_decode("", 0, out, &n) && n == 0);
	CU_ASSERT_FALSE(sl_base64_decode("a", 1, out, &n));
	CU_ASSERT_FALSE(sl_base64_decode("a*==", 4, out, &n));
	/* the URL-safe alphabet is not Jackson's default variant */
	CU_ASSERT_FALSE(sl_base64_decode("-_8=", 4, out, &n));
}

static void test_json_text(void)
{
	char out[64];
	sl_strbuf sb = {0};
	int64_t v = 0;
	size_t n = sl_json_escape("a\"\\\n\x01\x7f\xc3\xa9", 8, out);

	out[n] = '\0';
	check_text(out, "a\\\"\\\\\\n\\u0001\x7f\xc3\xa9");
	const char *plain = "tab\there, and a long run of plain text";

	CU_ASSERT_EQUAL(sl_json_append_string(&sb, plain, strlen(plain)), SL_OK);
	check_text(sb.buf, "\"tab\\there, and a long run of plain text\"");
	sl_strbuf_free(&sb);

	CU_ASSERT_EQUAL(sl_json_get_int("{\"value\": 12, \"start_us\": -5}", "start_us", &v), SL_OK);
	CU_ASSERT_EQUAL(v, -5);
	CU_ASSERT_EQUAL(sl_json_get_int("{\"value\": 12}", "value", &v), SL_OK);
	CU_ASSERT_EQUAL(v, 12);
	CU_ASSERT_EQUAL(sl_json_get_int("{\"x\": \"value\"}", "value", &v), SL_ENOTFOUND);
	CU_ASSERT_EQUAL(sl_json_get_int("{\"line\": x}", "line", &v), SL_EINVAL);
	CU_ASSERT_EQUAL(sl_json_get_int(NULL, "line", &v), SL_ENOTFOUND);
}

/* ---- files ---- */

static int count_entries(const char *dir)
{
	char cmd[512];
	FILE *p;
	int n = -1;

	snprintf(cmd, sizeof(cmd), "ls -A '%s' | wc -l", dir);
	if ((p = popen(cmd, "r")) != NULL) {
		if (fscanf(p, "%d", &n) != 1)
			n = -1;
		pclose(p);
	}
	return n;
}

static void test_files(void)
{
	char dir[] = "/tmp/sluice-test-util-XXXXXX", path[256], *text = NULL;
	size_t len = 0;
	sl_error err = {0};

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/a/b/c", dir);
	CU_ASSERT_EQUAL(sl_mkdirs(path, &err), SL_OK);
	CU_ASSERT_EQUAL(sl_mkdirs(path, &err), SL_OK); /* again: nothing to do */
	snprintf(path, sizeof(path), "%s/a/b/c/f", dir);
	CU_ASSERT_EQUAL(sl_write_file(path, "one\n", 4, SL_FILE_SYNC, &err), SL_OK);
	CU_ASSERT_EQUAL(sl_write_file(path, "two\n", 4, 0, &err), SL_OK);
	CU_ASSERT_EQUAL(sl_read_file(path, &text, &len, &err), SL_OK);
	CU_ASSERT_EQUAL(len, 4);
	if (text != NULL)
		check_text(text, "two\n");
	free(text);
	snprintf(path, sizeof(path), "%s/a/b/c", dir);
	CU_ASSERT_EQUAL(count_entries(path), 1); /* no temporary left */

	snprintf(path, sizeof(path), "%s/a/b/c/absent", dir);
	CU_ASSERT_EQUAL(sl_read_file(path, &text, &len, &err), SL_ENOTFOUND);
	CU_ASSERT_PTR_NULL(text);
	snprintf(path, sizeof(path), "%s/a/b/c/f/g", dir);
	CU_ASSERT_EQUAL(sl_mkdirs(path, &err), SL_EIO);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "cannot create directory"));
	snprintf(path, sizeof(path), "%s/a/b/c/f", dir);
	CU_ASSERT_EQUAL(sl_mkdirs(path, &err), SL_EIO);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "is not a directory"));
	snprintf(path, sizeof(path), "%s/nodir/f", dir);
	CU_ASSERT_EQUAL(sl_write_file(path, "x", 1, SL_FILE_SYNC, &err), SL_EIO);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "cannot create"));
	CU_ASSERT_EQUAL(sl_fsync_dir(dir, &err), SL_OK);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	CU_ASSERT_EQUAL(system(path), 0);
}

int main(void)
{
	static const struct {
		const char *suite, *name;
		CU_TestFunc fn;
	} tests[] = {
	    {"numbers", "Java's Double.toString", test_double_java},
	    {"numbers", "shortest digits that read back", test_double_shortest},
	    {"numbers", "int64 text", test_int64},
	    {"numbers", "doubles from text", test_parse_double},
	    {"timestamps", "Spark's cast and JSON forms", test_timestamp_text},
	    {"timestamps", "lenient ISO-8601", test_timestamp_parse},
	    {"text", "UTF-8", test_utf8},
	    {"text", "base64", test_base64},
	    {"text", "JSON strings and offsets", test_json_text},
	    {"files", "durable files", test_files},
	};
	CU_pSuite suite = NULL;
	const char *last = "";
	unsigned failed;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		if (strcmp(tests[i].suite, last) != 0) {
			suite = CU_add_suite(tests[i].suite, NULL, NULL);
			last = tests[i].suite;
		}
		CU_add_test(suite, tests[i].name, tests[i].fn);
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	CU_cleanup_registry();
	return failed ? 1 : 0;
}
