/* log.h - the core's own logging, in the form stages log in too:
 * "sluice: LEVEL: stage 'x': message" on stderr, one line each. */
#ifndef SLUICE_CORE_LOG_H
#define SLUICE_CORE_LOG_H

#include <stdarg.h>
#include <stdbool.h>

#include <sluice/sluice.h>

/* Sets the log level from env SLUICE_LOG (error|warn|info|debug, default
 * warn); verbose raises it to at least info. */
void slc_log_setup(bool verbose);
void slc_log_set_level(sl_log_level level);
bool slc_log_enabled(sl_log_level level);
/* stage may be NULL for the core's own messages. */
void slc_log(sl_log_level level, const char *stage, const char *fmt, ...) SL_PRINTF(3, 4);
void slc_logv(sl_log_level level, const char *stage, const char *fmt, va_list ap);

#endif
