/* names.h - the text of the SDK's enums: output modes, plugin kinds. */
#ifndef SLUICE_CORE_NAMES_H
#define SLUICE_CORE_NAMES_H

#include <sluice/sluice.h>

const char *slc_mode_name(sl_output_mode m);
/* Parses "append", "update", "complete" (any case); -1 when unknown. */
int slc_mode_parse(const char *text);
const char *slc_kind_name(sl_plugin_kind k);

#endif
