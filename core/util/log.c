/* log.c - the core's log: a level from SLUICE_LOG, one fprintf per line. */
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include "util/diag.h"
#include "util/log.h"

static sl_log_level log_level = SL_LOG_WARN;

static const char *const level_names[] = {"error", "warn", "info", "debug"};

void slc_log_set_level(sl_log_level level)
{
	log_level = level;
}

void slc_log_setup(bool verbose)
{
	const char *env = getenv("SLUICE_LOG");

	log_level = SL_LOG_WARN;
	for (int i = SL_LOG_ERROR; env != NULL && i <= SL_LOG_DEBUG; i++)
		if (strcasecmp(env, level_names[i]) == 0)
			log_level = (sl_log_level)i;
	if (env != NULL && strcasecmp(env, "warning") == 0)
		log_level = SL_LOG_WARN;
	if (verbose && log_level < SL_LOG_INFO)
		log_level = SL_LOG_INFO;
}

bool slc_log_enabled(sl_log_level level)
{
	return level <= log_level;
}

void slc_logv(sl_log_level level, const char *stage, const char *fmt, va_list ap)
{
	char msg[2048];

	if (!slc_log_enabled(level))
		return;
	if ((int)level < SL_LOG_ERROR || level > SL_LOG_DEBUG)
		level = SL_LOG_DEBUG;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	slc_one_line(msg);
	/* One fprintf per line so lines from several writers do not mix. */
	if (stage != NULL)
		fprintf(stderr, "sluice: %s: stage '%s': %s\n", level_names[level], stage, msg);
	else
		fprintf(stderr, "sluice: %s: %s\n", level_names[level], msg);
}

void slc_log(sl_log_level level, const char *stage, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	slc_logv(level, stage, fmt, ap);
	va_end(ap);
}
