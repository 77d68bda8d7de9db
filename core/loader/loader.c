/* loader.c - modules from absolute directories, guard first, plugins by
 * name and kind. */
#include <dirent.h>
#include <dlfcn.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "loader/loader.h"
#include "util/log.h"
#include "util/names.h"

typedef struct module {
	char *path;   /* as found (dir/name.so) */
	char *real;   /* realpath, to load a file once */
	void *handle; /* NULL when refused */
	const sl_module *info;
	int rc;      /* SL_OK or why it was refused */
	char *error; /* the refusal, one line */
	int warned;
} module;

typedef struct entry {
	const sl_plugin *plugin;
	size_t module;
	bool shadowed; /* an earlier plugin has the same name and kind */
} entry;

struct slc_loader {
	char **dirs;
	size_t n_dirs;
	module *mods;
	size_t n_mods;
	entry *plugins;
	size_t n_plugins;
	int scanned;
};

slc_loader *slc_loader_new(void)
{
	return calloc(1, sizeof(slc_loader));
}

void slc_loader_free(slc_loader *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->n_mods; i++) {
		if (l->mods[i].handle)
			dlclose(l->mods[i].handle);
		free(l->mods[i].path);
		free(l->mods[i].real);
		free(l->mods[i].error);
	}
	for (size_t i = 0; i < l->n_dirs; i++)
		free(l->dirs[i]);
	free(l->dirs);
	free(l->mods);
	free(l->plugins);
	free(l);
}

int slc_loader_add_dir(slc_loader *l, const char *dir, sl_error *err)
{
	char **v;
	char *copy;

	if (dir[0] != '/')
		return sl_error_set(err, SL_EINVAL,
		                    "ignoring relative plugin directory '%s' (plugin directories "
		                    "must be absolute)",
		                    dir);
	for (size_t i = 0; i < l->n_dirs; i++)
		if (strcmp(l->dirs[i], dir) == 0)
			return SL_OK;
	copy = strdup(dir);
	v = realloc(l->dirs, (l->n_dirs + 1) * sizeof(*v));
	if (copy == NULL || v == NULL) {
		free(copy);
		if (v != NULL)
			l->dirs = v;
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	}
	l->dirs = v;
	l->dirs[l->n_dirs++] = copy;
	return SL_OK;
}

static int add_env_dirs(slc_loader *l, const char *var, const char *env)
{
	char *copy = strdup(env);
	char *save = NULL, *tok;
	sl_error err;
	int rc = SL_OK;

	if (copy == NULL)
		return SL_ENOMEM;
	for (tok = strtok_r(copy, ":", &save); tok != NULL; tok = strtok_r(NULL, ":", &save)) {
		sl_error_clear(&err);
		rc = slc_loader_add_dir(l, tok, &err);
		if (rc == SL_EINVAL)
			slc_log(SL_LOG_WARN, NULL, "%s: %s", var, err.msg);
		else if (rc < 0)
			break;
		rc = SL_OK;
	}
	free(copy);
	return rc;
}

/* The installed directory (or, when SLUICE_PLUGIN_SYSTEM_PATH is set, the
 * directories it names instead, as GStreamer's GST_PLUGIN_SYSTEM_PATH: the
 * test suite uses it so that an installed sluice never shadows the build
 * tree), then SLUICE_PLUGIN_PATH. */
int slc_loader_add_default_dirs(slc_loader *l)
{
	const char *env = getenv("SLUICE_PLUGIN_PATH");
	const char *sys = getenv("SLUICE_PLUGIN_SYSTEM_PATH");
	struct stat sb;
	int rc;

	if (sys != NULL) {
		rc = add_env_dirs(l, "SLUICE_PLUGIN_SYSTEM_PATH", sys);
		if (rc < 0)
			return rc;
		goto user;
	}
#ifdef SL_PLUGIN_DIR
	if (stat(SL_PLUGIN_DIR, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		rc = slc_loader_add_dir(l, SL_PLUGIN_DIR, NULL);
		if (rc < 0 && rc != SL_EINVAL)
			return rc;
	}
#else
	(void)sb;
#endif
user:
	if (env == NULL || env[0] == '\0')
		return SL_OK;
	rc = add_env_dirs(l, "SLUICE_PLUGIN_PATH", env);
	return rc;
}

size_t slc_loader_n_dirs(const slc_loader *l)
{
	return l->n_dirs;
}

const char *slc_loader_dir(const slc_loader *l, size_t i)
{
	return i < l->n_dirs ? l->dirs[i] : NULL;
}

/* --- loading --- */

static const sl_plugin *lookup(const slc_loader *l, const char *name, sl_plugin_kind kind,
                               const char **path)
{
	for (size_t i = 0; i < l->n_plugins; i++) {
		const sl_plugin *pl = l->plugins[i].plugin;

		if (pl->kind == kind && strcmp(pl->name, name) == 0) {
			if (path)
				*path = l->mods[l->plugins[i].module].path;
			return pl;
		}
	}
	return NULL;
}

static int register_plugins(slc_loader *l, size_t m)
{
	const sl_module *info = l->mods[m].info;
	entry *v = realloc(l->plugins, (l->n_plugins + info->n_plugins + 1) * sizeof(*v));

	if (v == NULL)
		return SL_ENOMEM;
	l->plugins = v;
	for (size_t i = 0; i < info->n_plugins; i++) {
		const sl_plugin *pl = info->plugins[i];
		entry *e = &l->plugins[l->n_plugins];

		e->plugin = pl;
		e->module = m;
		e->shadowed = lookup(l, pl->name, pl->kind, NULL) != NULL;
		l->n_plugins++;
	}
	return SL_OK;
}

static module *find_module(slc_loader *l, const char *real)
{
	for (size_t i = 0; i < l->n_mods; i++)
		if (strcmp(l->mods[i].real, real) == 0)
			return &l->mods[i];
	return NULL;
}

/* dlerror() starts with the file's name; the message names it already. */
static const char *without_path(const char *msg, const char *path)
{
	size_t n = strlen(path);

	if (msg == NULL)
		return "unknown error";
	if (strncmp(msg, path, n) == 0 && strncmp(msg + n, ": ", 2) == 0)
		return msg + n + 2;
	return msg;
}

/* Opens the file and checks it; fills m (handle stays NULL on refusal). */
static int load(module *m, sl_error *err)
{
	sl_module_info_fn fn;
	int rc;

	/* RTLD_NODELETE: a module stays mapped after dlclose (as GStreamer's
	 * plugins do), so libraries it brought in (librdkafka, libsasl2) keep
	 * their global state until the process exits, as they expect. */
	m->handle = dlopen(m->real, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
	if (m->handle == NULL)
		return sl_error_set(err, SL_EIO, "%s: cannot load: %s", m->path,
		                    without_path(dlerror(), m->real));
	*(void **)&fn = dlsym(m->handle, SL_MODULE_SYMBOL);
	if (fn == NULL) {
		rc = sl_error_set(err, SL_ENOTFOUND, "%s: not a sluice module (no %s)", m->path,
		                  SL_MODULE_SYMBOL);
		goto refuse;
	}
	m->info = fn();
	rc = slc_module_check(m->path, m->info, err);
	if (rc < 0)
		goto refuse;
	return SL_OK;
refuse:
	dlclose(m->handle);
	m->handle = NULL;
	m->info = NULL;
	return rc;
}

int slc_loader_open(slc_loader *l, const char *path, sl_error *err)
{
	char real[PATH_MAX];
	module *m;
	int rc;

	if (realpath(path, real) == NULL)
		return sl_error_set(err, SL_EIO, "%s: cannot load: no such file", path);
	m = find_module(l, real);
	if (m != NULL) {
		if (m->rc < 0)
			sl_error_set(err, m->rc, "%s", m->error);
		return m->rc;
	}
	m = realloc(l->mods, (l->n_mods + 1) * sizeof(*m));
	if (m == NULL)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	l->mods = m;
	m = &l->mods[l->n_mods];
	memset(m, 0, sizeof(*m));
	m->path = strdup(path);
	m->real = strdup(real);
	if (m->path == NULL || m->real == NULL) {
		free(m->path);
		free(m->real);
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	}
	l->n_mods++;
	sl_error_clear(err);
	rc = load(m, err);
	m->rc = rc;
	if (rc < 0) {
		m->error = strdup(err ? err->msg : sl_strerror(rc));
		return rc;
	}
	rc = register_plugins(l, l->n_mods - 1);
	if (rc < 0)
		return sl_error_set(err, rc, "out of memory");
	slc_log(SL_LOG_DEBUG, NULL, "loaded %s (%zu plugins)", path, m->info->n_plugins);
	return SL_OK;
}

static int is_module_name(const struct dirent *de)
{
	size_t n = strlen(de->d_name);

	return de->d_name[0] != '.' && n > 3 && strcmp(de->d_name + n - 3, ".so") == 0;
}

/* Opens every module of dir; refusals are kept for
 * slc_loader_warn_refused. */
static void scan_dir(slc_loader *l, const char *dir)
{
	struct dirent **names = NULL;
	char path[PATH_MAX];
	sl_error err;
	int n = scandir(dir, &names, is_module_name, alphasort);

	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		sl_error_clear(&err);
		if (slc_loader_open(l, path, &err) == SL_ENOTFOUND)
			slc_log(SL_LOG_DEBUG, NULL, "%s", err.msg);
		free(names[i]);
	}
	free(names);
}

int slc_loader_scan(slc_loader *l)
{
	if (!l->scanned) {
		for (size_t i = 0; i < l->n_dirs; i++)
			scan_dir(l, l->dirs[i]);
		l->scanned = 1;
	}
	return SL_OK;
}

void slc_loader_warn_refused(slc_loader *l)
{
	for (size_t i = 0; i < l->n_mods; i++) {
		module *m = &l->mods[i];

		if (m->rc < 0 && m->rc != SL_ENOTFOUND && !m->warned)
			slc_log(SL_LOG_WARN, NULL, "%s", m->error);
		m->warned = 1;
	}
}

/* --- finding --- */

/* A refusal reported as an error needs no warning as well. */
static void mark_warned(slc_loader *l, const char *path)
{
	for (size_t i = 0; i < l->n_mods; i++)
		if (strcmp(l->mods[i].path, path) == 0)
			l->mods[i].warned = 1;
}

/* Tries NAME.so in each directory; keeps the first refusal in err. */
static void try_named(slc_loader *l, const char *name, sl_error *first)
{
	char path[PATH_MAX];
	sl_error err;

	for (size_t i = 0; i < l->n_dirs; i++) {
		snprintf(path, sizeof(path), "%s/%s.so", l->dirs[i], name);
		if (access(path, F_OK) != 0)
			continue;
		sl_error_clear(&err);
		if (slc_loader_open(l, path, &err) < 0 && first->code == SL_OK) {
			*first = err;
			mark_warned(l, path);
		}
	}
}

static int not_found(slc_loader *l, const char *name, sl_plugin_kind kind, sl_error *err)
{
	const char **names = calloc(l->n_plugins + 1, sizeof(*names));
	const char *hint;
	size_t n = 0;

	for (size_t i = 0; i < l->n_plugins; i++) {
		const sl_plugin *pl = l->plugins[i].plugin;

		if (strcmp(pl->name, name) == 0) {
			free(names);
			return sl_error_set(err, SL_ETYPE, "plugin '%s' is a %s, not a %s", name,
			                    slc_kind_name(pl->kind), slc_kind_name(kind));
		}
		if (names != NULL && pl->kind == kind)
			names[n++] = pl->name;
	}
	hint = names ? sl_did_you_mean(name, names, n) : NULL;
	if (hint != NULL)
		sl_error_set(err, SL_ENOTFOUND, "unknown %s plugin '%s' (did you mean '%s'?)",
		             slc_kind_name(kind), name, hint);
	else if (l->n_dirs == 0)
		sl_error_set(err, SL_ENOTFOUND,
		             "unknown %s plugin '%s' (no plugin directory: set SLUICE_PLUGIN_PATH "
		             "or plugin_path)",
		             slc_kind_name(kind), name);
	else
		sl_error_set(err, SL_ENOTFOUND,
		             "unknown %s plugin '%s' (see `sluice plugins` for the list)",
		             slc_kind_name(kind), name);
	free(names);
	return SL_ENOTFOUND;
}

int slc_loader_find(slc_loader *l, const char *name, sl_plugin_kind kind, const sl_plugin **out,
                    const char **path, sl_error *err)
{
	sl_error refused;

	sl_error_clear(&refused);
	*out = lookup(l, name, kind, path);
	if (*out != NULL)
		return SL_OK;
	try_named(l, name, &refused);
	*out = lookup(l, name, kind, path);
	if (*out == NULL) {
		slc_loader_scan(l);
		*out = lookup(l, name, kind, path);
	}
	if (*out != NULL)
		return SL_OK;
	if (refused.code < 0 && refused.code != SL_ENOTFOUND) {
		if (err)
			*err = refused;
		return refused.code;
	}
	return not_found(l, name, kind, err);
}

size_t slc_loader_n_plugins(const slc_loader *l)
{
	return l->n_plugins;
}

const sl_plugin *slc_loader_plugin(const slc_loader *l, size_t i, const char **path, bool *shadowed)
{
	if (i >= l->n_plugins)
		return NULL;
	if (path)
		*path = l->mods[l->plugins[i].module].path;
	if (shadowed)
		*shadowed = l->plugins[i].shadowed;
	return l->plugins[i].plugin;
}
