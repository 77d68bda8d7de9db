/* loader_guard.c - the module guard: a module's build facts are compared
 * with ours before any of its descriptors is read, then each descriptor is
 * checked for what the core calls. */
#include <stddef.h>

#include "loader/loader.h"
#include "util/names.h"

/* Fields of sl_plugin this core reads: everything before the reserved
 * slots. */
#define SLC_PLUGIN_MIN_SIZE offsetof(sl_plugin, reserved)

static int check_plugin(const char *path, const sl_plugin *pl, size_t i, sl_error *err)
{
	if (pl == NULL)
		return sl_error_set(err, SL_EABI, "%s: plugin #%zu is NULL", path, i);
	if (pl->size < SLC_PLUGIN_MIN_SIZE)
		return sl_error_set(
		    err, SL_EABI,
		    "%s: plugin #%zu has a %u-byte descriptor, this sluice needs at "
		    "least %zu; rebuild it against the installed SDK (pkg-config "
		    "--cflags --libs sluice)",
		    path, i, pl->size, (size_t)SLC_PLUGIN_MIN_SIZE);
	if (pl->name == NULL || pl->name[0] == '\0' || pl->create == NULL)
		return sl_error_set(err, SL_EABI, "%s: plugin #%zu has no name or no create()",
		                    path, i);
	if (pl->kind == SL_PLUGIN_SOURCE && (pl->plan == NULL || pl->read == NULL))
		return sl_error_set(err, SL_EABI, "%s: source '%s' lacks plan() or read()", path,
		                    pl->name);
	if ((pl->kind == SL_PLUGIN_TRANSFORM || pl->kind == SL_PLUGIN_SINK) && pl->process == NULL)
		return sl_error_set(err, SL_EABI, "%s: %s '%s' lacks process()", path,
		                    slc_kind_name(pl->kind), pl->name);
	if (pl->kind != SL_PLUGIN_SOURCE && pl->kind != SL_PLUGIN_TRANSFORM &&
	    pl->kind != SL_PLUGIN_SINK)
		return sl_error_set(err, SL_EABI, "%s: plugin '%s' has an unknown kind %d", path,
		                    pl->name, (int)pl->kind);
	return SL_OK;
}

int slc_module_check(const char *path, const sl_module *info, sl_error *err)
{
	if (info == NULL)
		return sl_error_set(err, SL_EABI, "%s: sl_module_info() returned NULL", path);
	if (info->abi_major != SL_ABI_MAJOR || info->abi_minor > SL_ABI_MINOR)
		return sl_error_set(err, SL_EABI,
		                    "%s: built for sluice plugin ABI %u.%u, this sluice has ABI "
		                    "%d.%d; rebuild it against the installed SDK (pkg-config "
		                    "--cflags --libs sluice)",
		                    path, info->abi_major, info->abi_minor, SL_ABI_MAJOR,
		                    SL_ABI_MINOR);
	if (info->sizeof_plugin < SLC_PLUGIN_MIN_SIZE)
		return sl_error_set(
		    err, SL_EABI,
		    "%s: built with a %u-byte sl_plugin, this sluice needs at least "
		    "%zu; rebuild it against the installed SDK (pkg-config --cflags "
		    "--libs sluice)",
		    path, info->sizeof_plugin, (size_t)SLC_PLUGIN_MIN_SIZE);
	if (info->n_plugins > 0 && info->plugins == NULL)
		return sl_error_set(err, SL_EABI, "%s: module lists %zu plugins but no table", path,
		                    info->n_plugins);
	for (size_t i = 0; i < info->n_plugins; i++) {
		int rc = check_plugin(path, info->plugins[i], i, err);

		if (rc < 0)
			return rc;
	}
	return SL_OK;
}
