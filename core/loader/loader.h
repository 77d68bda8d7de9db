/* loader.h - finding plugins in modules (.so) and loading them safely.
 *
 * Directories are absolute and searched in the order added: the installed
 * SL_PLUGIN_DIR, SLUICE_PLUGIN_PATH, the pipeline's plugin_path.  To find
 * plugin X: X.so in each directory first, then every *.so.  Each module's
 * guard (sl_module_info) is checked before any descriptor is read.
 */
#ifndef SLUICE_CORE_LOADER_H
#define SLUICE_CORE_LOADER_H

#include <sluice/sluice.h>

typedef struct slc_loader slc_loader;

slc_loader *slc_loader_new(void);
/* Unloads every module (dlclose); plugins found through it die with it. */
void slc_loader_free(slc_loader *l);

/* Adds a directory to search.  A relative one is refused with SL_EINVAL and
 * a message (the caller warns); a missing one is kept and skipped. */
int slc_loader_add_dir(slc_loader *l, const char *dir, sl_error *err);
/* Adds SL_PLUGIN_DIR (when it exists) and each entry of SLUICE_PLUGIN_PATH,
 * warning about relative entries. */
int slc_loader_add_default_dirs(slc_loader *l);
size_t slc_loader_n_dirs(const slc_loader *l);
const char *slc_loader_dir(const slc_loader *l, size_t i);

/* Loads one module file (absolute path) and checks its guard.  Loading a
 * file twice is a no-op.  A refused module is SL_EABI (or SL_EIO when it
 * cannot be opened) with a one-line message naming the file. */
int slc_loader_open(slc_loader *l, const char *path, sl_error *err);
/* Loads every *.so of every directory (once). */
int slc_loader_scan(slc_loader *l);
/* Logs a warning for each module refused so far that no error reported
 * yet (a module returned as the error of slc_loader_find counts as
 * reported). */
void slc_loader_warn_refused(slc_loader *l);

/* Finds plugin name for kind.  Unknown names get a did-you-mean; a name that
 * only exists for other kinds says so.  *path receives the module's path. */
int slc_loader_find(slc_loader *l, const char *name, sl_plugin_kind kind, const sl_plugin **out,
                    const char **path, sl_error *err);

/* Checks a module's guard (ABI version, struct sizes) and then its
 * descriptors.  SL_EABI with a one-line message naming path. */
int slc_module_check(const char *path, const sl_module *info, sl_error *err);

/* Every plugin loaded so far, in load order (first one of a name and kind
 * wins; later duplicates are listed too, flagged shadowed). */
size_t slc_loader_n_plugins(const slc_loader *l);
const sl_plugin *slc_loader_plugin(const slc_loader *l, size_t i, const char **path,
                                   bool *shadowed);

#endif
