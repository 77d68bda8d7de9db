/* host.c - the services a stage reaches through sl_host: logging, counters,
 * the stop flag, its name, the checkpoint directory; the tables of the
 * state store, the watermark and side outputs live in their own files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "host.h"
#include "side.h"
#include "signals.h"
#include "state.h"
#include "watermark.h"

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

int slc_metric_add(slc_stage *st, const char *name, int64_t delta)
{
	slc_metric *m;

	for (size_t i = 0; i < st->n_metrics; i++) {
		if (strcmp(st->metrics[i].name, name) == 0) {
			st->metrics[i].batch += delta;
			st->metrics[i].total += delta;
			st->metrics[i].touched = true;
			return SL_OK;
		}
	}
	m = realloc(st->metrics, (st->n_metrics + 1) * sizeof(*m));
	if (m == NULL)
		return SL_ENOMEM;
	st->metrics = m;
	m = &st->metrics[st->n_metrics];
	m->name = strdup(name);
	if (m->name == NULL)
		return SL_ENOMEM;
	m->batch = delta;
	m->total = delta;
	m->touched = true;
	m->last = 0;
	st->n_metrics++;
	return SL_OK;
}

void slc_metrics_next_batch(slc_stage *st)
{
	for (size_t i = 0; i < st->n_metrics; i++) {
		slc_metric *m = &st->metrics[i];

		if (m->touched)
			m->last = m->batch;
		m->batch = 0;
		m->touched = false;
	}
	st->state_writes = 0;
}

const slc_metric *slc_metric_find(const slc_stage *st, const char *name)
{
	for (size_t i = 0; i < st->n_metrics; i++)
		if (strcmp(st->metrics[i].name, name) == 0)
			return &st->metrics[i];
	return NULL;
}

int64_t slc_metric_batch(const slc_stage *st, const char *name)
{
	const slc_metric *m = slc_metric_find(st, name);

	return m != NULL ? m->batch : 0;
}

/* --- the table --- */

static void host_logv(sl_stage *st, sl_log_level level, const char *fmt, va_list ap)
{
	slc_logv(level, st ? slc_stage_of(st)->name : NULL, fmt, ap);
}

static void host_metric_add(sl_stage *st, const char *name, int64_t delta)
{
	if (st != NULL && name != NULL)
		slc_metric_add(slc_stage_of(st), name, delta);
}

static int host_stopping(sl_stage *st)
{
	(void)st;
	return slc_stop_requested();
}

static const char *host_stage_name(sl_stage *st)
{
	return st ? slc_stage_of(st)->name : NULL;
}

static const char *host_checkpoint_dir(sl_stage *st)
{
	return st ? slc_stage_of(st)->pipeline->checkpoint : NULL;
}

static const char *host_query_id(sl_stage *st)
{
	return st ? slc_stage_of(st)->pipeline->query_id : NULL;
}

static const sl_host host_table = {
    .size = sizeof(sl_host),
    .version = ((uint32_t)SL_ABI_MAJOR << 16) | SL_ABI_MINOR,
    .logv = host_logv,
    .metric_add = host_metric_add,
    .stopping = host_stopping,
    .stage_name = host_stage_name,
    .checkpoint_dir = host_checkpoint_dir,
    .state = &slc_state_table,
    .watermark = &slc_watermark_table,
    .side_output_declare = slc_side_declare,
    .side_emit = slc_side_emit,
    .query_id = host_query_id,
};

const sl_host *slc_host(void)
{
	return &host_table;
}
