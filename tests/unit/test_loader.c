/* test_loader.c - the module loader: good modules load, a module built for
 * another ABI is refused with one exact line, relative directories are
 * refused, plugins resolve by name and role.  The modules are built by
 * `make check` into $SLUICE_BUILDDIR/tests/modules/.libs. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "loader/loader.h"
#include "util/log.h"

static char mods[PATH_MAX];
static char good[PATH_MAX + 16];
static char bad[PATH_MAX + 16];
static char tmp[64];

static void test_load_good(void)
{
	slc_loader *l = slc_loader_new();
	const char *path = NULL;
	bool shadowed = true;
	sl_error err;

	CU_ASSERT_EQUAL_FATAL(slc_loader_open(l, good, &err), SL_OK);
	CU_ASSERT_EQUAL(slc_loader_n_plugins(l), 6);
	CU_ASSERT_STRING_EQUAL(slc_loader_plugin(l, 0, &path, &shadowed)->name, "tsrc");
	CU_ASSERT_STRING_EQUAL(path, good);
	CU_ASSERT_FALSE(shadowed);
	/* A second open of the same file loads nothing more. */
	CU_ASSERT_EQUAL(slc_loader_open(l, good, &err), SL_OK);
	CU_ASSERT_EQUAL(slc_loader_n_plugins(l), 6);
	slc_loader_free(l);
}

static void test_refuse_bad_abi(void)
{
	slc_loader *l = slc_loader_new();
	char want[PATH_MAX + 200];
	sl_error err;

	snprintf(want, sizeof(want),
	         "%s: built for sluice plugin ABI %d.0, this sluice has ABI %d.%d; rebuild it "
	         "against the installed SDK (pkg-config --cflags --libs sluice)",
	         bad, SL_ABI_MAJOR + 1, SL_ABI_MAJOR, SL_ABI_MINOR);
	CU_ASSERT_EQUAL(slc_loader_open(l, bad, &err), SL_EABI);
	CU_ASSERT_STRING_EQUAL(err.msg, want);
	CU_ASSERT_PTR_NULL(strchr(err.msg, '\n'));
	CU_ASSERT_EQUAL(slc_loader_n_plugins(l), 0);
	/* Asked again, the same refusal. */
	CU_ASSERT_EQUAL(slc_loader_open(l, bad, &err), SL_EABI);
	CU_ASSERT_STRING_EQUAL(err.msg, want);
	slc_loader_free(l);
}

static void test_missing_file(void)
{
	slc_loader *l = slc_loader_new();
	sl_error err;

	CU_ASSERT_EQUAL(slc_loader_open(l, "/nonexistent/x.so", &err), SL_EIO);
	CU_ASSERT_STRING_EQUAL(err.msg, "/nonexistent/x.so: cannot load: no such file");
	slc_loader_free(l);
}

static void test_relative_dirs(void)
{
	slc_loader *l = slc_loader_new();
	sl_error err;

	CU_ASSERT_EQUAL(slc_loader_add_dir(l, "plugins", &err), SL_EINVAL);
	CU_ASSERT_STRING_EQUAL(err.msg, "ignoring relative plugin directory 'plugins' (plugin "
	                                "directories must be absolute)");
	CU_ASSERT_EQUAL(slc_loader_add_dir(l, "./x", &err), SL_EINVAL);
	CU_ASSERT_EQUAL(slc_loader_add_dir(l, "", &err), SL_EINVAL);
	CU_ASSERT_EQUAL(slc_loader_n_dirs(l), 0);
	CU_ASSERT_EQUAL(slc_loader_add_dir(l, mods, &err), SL_OK);
	CU_ASSERT_EQUAL(slc_loader_add_dir(l, mods, &err), SL_OK);
	CU_ASSERT_EQUAL(slc_loader_n_dirs(l), 1);
	slc_loader_free(l);

	/* SLUICE_PLUGIN_PATH: relative entries are skipped with a warning. */
	l = slc_loader_new();
	setenv("SLUICE_PLUGIN_PATH", "relative/dir::/abs/one", 1);
	CU_ASSERT_EQUAL(slc_loader_add_default_dirs(l), SL_OK);
	CU_ASSERT_STRING_EQUAL(slc_loader_dir(l, slc_loader_n_dirs(l) - 1), "/abs/one");
	for (size_t i = 0; i < slc_loader_n_dirs(l); i++)
		CU_ASSERT_EQUAL(slc_loader_dir(l, i)[0], '/');
	unsetenv("SLUICE_PLUGIN_PATH");
	slc_loader_free(l);
}

static void test_never_cwd(void)
{
	slc_loader *l = slc_loader_new();
	const sl_plugin *pl = NULL;
	char cwd[PATH_MAX];
	sl_error err;

	CU_ASSERT_PTR_NOT_NULL_FATAL(getcwd(cwd, sizeof(cwd)));
	CU_ASSERT_EQUAL_FATAL(chdir(mods), 0);
	CU_ASSERT_EQUAL(slc_loader_find(l, "tsrc", SL_PLUGIN_SOURCE, &pl, NULL, &err),
	                SL_ENOTFOUND);
	CU_ASSERT_PTR_NULL(pl);
	CU_ASSERT_EQUAL(slc_loader_n_plugins(l), 0);
	CU_ASSERT_EQUAL(chdir(cwd), 0);
	slc_loader_free(l);
}

static void test_resolve_by_role(void)
{
	slc_loader *l = slc_loader_new();
	const sl_plugin *pl = NULL;
	const char *path = NULL;
	sl_error err;

	CU_ASSERT_EQUAL_FATAL(slc_loader_add_dir(l, mods, &err), SL_OK);
	CU_ASSERT_EQUAL(slc_loader_find(l, "dual", SL_PLUGIN_SOURCE, &pl, &path, &err), SL_OK);
	CU_ASSERT_PTR_NOT_NULL_FATAL(pl);
	CU_ASSERT_EQUAL(pl->kind, SL_PLUGIN_SOURCE);
	CU_ASSERT_STRING_EQUAL(path, good);
	CU_ASSERT_EQUAL(slc_loader_find(l, "dual", SL_PLUGIN_SINK, &pl, NULL, &err), SL_OK);
	CU_ASSERT_EQUAL(pl->kind, SL_PLUGIN_SINK);
	CU_ASSERT_EQUAL(slc_loader_find(l, "tmap", SL_PLUGIN_TRANSFORM, &pl, NULL, &err), SL_OK);
	CU_ASSERT_STRING_EQUAL(pl->name, "tmap");

	CU_ASSERT_EQUAL(slc_loader_find(l, "tsink", SL_PLUGIN_SOURCE, &pl, NULL, &err), SL_ETYPE);
	CU_ASSERT_STRING_EQUAL(err.msg, "plugin 'tsink' is a sink, not a source");
	CU_ASSERT_EQUAL(slc_loader_find(l, "tsrx", SL_PLUGIN_SOURCE, &pl, NULL, &err),
	                SL_ENOTFOUND);
	CU_ASSERT_STRING_EQUAL(err.msg, "unknown source plugin 'tsrx' (did you mean 'tsrc'?)");
	slc_loader_free(l);
}

/* NAME.so is tried first: a module of that name built for another ABI is
 * the error for NAME. */
static void test_named_module_first(void)
{
	slc_loader *l = slc_loader_new();
	const sl_plugin *pl = NULL;
	char link[sizeof(tmp) + 16];
	sl_error err;

	snprintf(link, sizeof(link), "%s/tsrc.so", tmp);
	CU_ASSERT_EQUAL_FATAL(symlink(bad, link), 0);
	CU_ASSERT_EQUAL_FATAL(slc_loader_add_dir(l, tmp, &err), SL_OK);
	CU_ASSERT_EQUAL(slc_loader_find(l, "tsrc", SL_PLUGIN_SOURCE, &pl, NULL, &err), SL_EABI);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "/tsrc.so: built for sluice plugin ABI"));
	slc_loader_free(l);
	unlink(link);

	/* Same name, good module: found without scanning. */
	l = slc_loader_new();
	CU_ASSERT_EQUAL_FATAL(symlink(good, link), 0);
	CU_ASSERT_EQUAL_FATAL(slc_loader_add_dir(l, tmp, &err), SL_OK);
	CU_ASSERT_EQUAL(slc_loader_find(l, "tsrc", SL_PLUGIN_SOURCE, &pl, NULL, &err), SL_OK);
	CU_ASSERT_PTR_NOT_NULL(pl);
	slc_loader_free(l);
	unlink(link);
}

/* Scanning a directory that holds a bad module still finds the good ones;
 * the first directory wins for a name found twice. */
static void test_scan(void)
{
	slc_loader *l = slc_loader_new();
	char link[sizeof(tmp) + 16];
	const sl_plugin *pl = NULL;
	const char *path = NULL;
	bool shadowed = false;
	size_t n;
	sl_error err;

	snprintf(link, sizeof(link), "%s/copy.so", tmp);
	CU_ASSERT_EQUAL_FATAL(symlink(good, link), 0);
	CU_ASSERT_EQUAL(slc_loader_add_dir(l, mods, &err), SL_OK);
	CU_ASSERT_EQUAL(slc_loader_add_dir(l, tmp, &err), SL_OK);
	CU_ASSERT_EQUAL(slc_loader_scan(l), SL_OK);
	n = slc_loader_n_plugins(l);
	/* copy.so is the same file as goodmod.so: loaded once. */
	CU_ASSERT_EQUAL(n, 6);
	CU_ASSERT_EQUAL(slc_loader_find(l, "tagg", SL_PLUGIN_TRANSFORM, &pl, &path, &err), SL_OK);
	CU_ASSERT_STRING_EQUAL(path, good);
	slc_loader_plugin(l, 0, NULL, &shadowed);
	CU_ASSERT_FALSE(shadowed);
	slc_loader_free(l);
	unlink(link);
}

static int suite_init(void)
{
	const char *build = getenv("SLUICE_BUILDDIR");
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s/tests/modules/.libs", build ? build : ".");
	if (realpath(dir, mods) == NULL)
		return -1;
	snprintf(good, sizeof(good), "%s/goodmod.so", mods);
	snprintf(bad, sizeof(bad), "%s/badabi.so", mods);
	snprintf(tmp, sizeof(tmp), "/tmp/sluice-test-loader-XXXXXX");
	if (mkdtemp(tmp) == NULL)
		return -1;
	slc_log_set_level(SL_LOG_ERROR);
	return 0;
}

static int suite_clean(void)
{
	return rmdir(tmp);
}

int main(void)
{
	static const struct {
		const char *name;
		void (*fn)(void);
	} tests[] = {
	    {"load a good module", test_load_good},
	    {"refuse another ABI", test_refuse_bad_abi},
	    {"missing file", test_missing_file},
	    {"relative directories", test_relative_dirs},
	    {"never the current directory", test_never_cwd},
	    {"resolve by role", test_resolve_by_role},
	    {"NAME.so first", test_named_module_first},
	    {"scan", test_scan},
	};
	CU_pSuite suite;
	unsigned failures;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	suite = CU_add_suite("loader", suite_init, suite_clean);
	for (size_t i = 0; suite && i < sizeof(tests) / sizeof(tests[0]); i++)
		CU_add_test(suite, tests[i].name, tests[i].fn);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failures = CU_get_number_of_failures() + CU_get_number_of_suites_failed();
	CU_cleanup_registry();
	return failures ? 1 : 0;
}
