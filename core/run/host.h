/* host.h - the sl_host table handed to every stage (Redis-module style): the
 * plugins' one way into the core's services while they run - logging,
 * counters, the stop flag, the state store, the watermark, side outputs
 * (whose batches the scheduler pushes on). */
#ifndef SLUICE_CORE_HOST_H
#define SLUICE_CORE_HOST_H

#include <sluice/sluice.h>

/* The host table (static, valid for the whole run). */
const sl_host *slc_host(void);

#endif
