/* trigger.c - trigger parsing and printing. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "config/trigger.h"

int slc_trigger_parse(const char *text, slc_trigger *out, sl_error *err)
{
	int64_t us;
	int rc;

	if (strcasecmp(text, "once") == 0) {
		out->kind = SLC_TRIGGER_ONCE;
		out->interval_us = 0;
		return SL_OK;
	}
	if (strcasecmp(text, "available-now") == 0 || strcasecmp(text, "availableNow") == 0 ||
	    strcasecmp(text, "available_now") == 0) {
		out->kind = SLC_TRIGGER_AVAILABLE_NOW;
		out->interval_us = 0;
		return SL_OK;
	}
	rc = sl_parse_duration(text, &us, NULL);
	if (rc < 0 || us < 0)
		return sl_error_set(err, SL_EINVAL,
		                    "bad trigger '%s': expected an interval (\"1s\", \"500ms\"), "
		                    "\"once\" or \"available-now\"",
		                    text);
	out->kind = SLC_TRIGGER_INTERVAL;
	out->interval_us = us;
	return SL_OK;
}

void slc_trigger_format(const slc_trigger *t, char *buf, size_t n)
{
	int64_t us = t->interval_us;

	if (t->kind == SLC_TRIGGER_ONCE)
		snprintf(buf, n, "once");
	else if (t->kind == SLC_TRIGGER_AVAILABLE_NOW)
		snprintf(buf, n, "available-now");
	else if (us % 1000000 == 0)
		snprintf(buf, n, "%" PRId64 "s", us / 1000000);
	else if (us % 1000 == 0)
		snprintf(buf, n, "%" PRId64 "ms", us / 1000);
	else
		snprintf(buf, n, "%" PRId64 "us", us);
}
