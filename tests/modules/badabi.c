/* badabi.c - a test module built for a future plugin ABI: the loader must
 * refuse it before reading any descriptor. */
#include <sluice/sluice.h>

SL_EXPORT const sl_module *sl_module_info(void);

SL_EXPORT const sl_module *sl_module_info(void)
{
	/* A descriptor pointer the loader must never follow. */
	static const sl_plugin *const plugins[] = {(const sl_plugin *)16};
	static const sl_module m = {
	    SL_ABI_MAJOR + 1,
	    0,
	    (uint32_t)sizeof(sl_plugin),
	    (uint32_t)sizeof(sl_host),
	    "99.0.0",
	    "badabi",
	    1,
	    plugins,
	};

	return &m;
}
