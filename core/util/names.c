/* names.c - the text of the SDK's enums the core prints and reads. */
#include <strings.h>

#include "util/names.h"

const char *slc_mode_name(sl_output_mode m)
{
	switch (m) {
	case SL_MODE_APPEND:
		return "append";
	case SL_MODE_UPDATE:
		return "update";
	case SL_MODE_COMPLETE:
		return "complete";
	}
	return "?";
}

int slc_mode_parse(const char *text)
{
	if (strcasecmp(text, "append") == 0)
		return SL_MODE_APPEND;
	if (strcasecmp(text, "update") == 0)
		return SL_MODE_UPDATE;
	if (strcasecmp(text, "complete") == 0)
		return SL_MODE_COMPLETE;
	return -1;
}

const char *slc_kind_name(sl_plugin_kind k)
{
	switch (k) {
	case SL_PLUGIN_SOURCE:
		return "source";
	case SL_PLUGIN_TRANSFORM:
		return "transform";
	case SL_PLUGIN_SINK:
		return "sink";
	}
	return "?";
}
