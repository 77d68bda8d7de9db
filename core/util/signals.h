/* signals.h - SIGINT/SIGTERM ask the pipeline to stop after the current
 * batch; sleeps wake at once when they do. */
#ifndef SLUICE_CORE_SIGNALS_H
#define SLUICE_CORE_SIGNALS_H

#include <stdint.h>

/* Installs the handlers (sigaction without SA_RESTART; a second signal
 * takes the default action).  Returns 0 or a negative SL_E* code. */
int slc_signals_install(void);
/* Puts the previous handlers back and closes the wake-up pipe. */
void slc_signals_restore(void);
/* Non-zero once a stop was requested. */
int slc_stop_requested(void);
/* Requests a stop as a signal would (for tests and fatal paths). */
void slc_request_stop(void);
/* Forgets a stop request (tests that run several pipelines). */
void slc_stop_clear(void);
/* Sleeps for us microseconds or until a stop is requested.  Returns 1 when
 * woken by a stop request, 0 when the time ran out. */
int slc_sleep_us(int64_t us);
/* Monotonic and wall clocks in microseconds. */
int64_t slc_now_us(void);
int64_t slc_wall_us(void);

#endif
