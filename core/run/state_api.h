/* state_api.h - host->state (sl_state.h): each stage's namespace
 * ("<stage> NUL <key>") over the pipeline's state store (state.h). */
#ifndef SLUICE_CORE_STATE_API_H
#define SLUICE_CORE_STATE_API_H

#include <sluice/sluice.h>

/* The table handed to stages (host->state). */
extern const sl_state_api slc_state_table;

#endif
