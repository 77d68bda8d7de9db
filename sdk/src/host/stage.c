/* stage.c - conveniences over the host table (sl_log, sl_metric_add,
 * sl_stopping).  Without a stage or host they log to stderr. */
#include <stddef.h>
#include <stdio.h>

#include <sluice/sl_plugin.h>

/* True when the host was built with member `m` (append-only table). */
#define HOST_HAS(h, m) ((h)->size >= offsetof(sl_host, m) + sizeof((h)->m) && (h)->m != NULL)

static const char *level_name(sl_log_level level)
{
	switch (level) {
	case SL_LOG_ERROR:
		return "error";
	case SL_LOG_WARN:
		return "warning";
	case SL_LOG_INFO:
		return "info";
	case SL_LOG_DEBUG:
		return "debug";
	}
	return "log";
}

void sl_log(sl_stage *st, sl_log_level level, const char *fmt, ...)
{
	const sl_host *h = st ? st->host : NULL;
	va_list ap;

	va_start(ap, fmt);
	if (h != NULL && HOST_HAS(h, logv)) {
		h->logv(st, level, fmt, ap);
	} else {
		fprintf(stderr, "sluice: %s: ", level_name(level));
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	}
	va_end(ap);
}

void sl_metric_add(sl_stage *st, const char *name, int64_t delta)
{
	const sl_host *h = st ? st->host : NULL;

	if (h != NULL && HOST_HAS(h, metric_add))
		h->metric_add(st, name, delta);
}

int sl_stopping(sl_stage *st)
{
	const sl_host *h = st ? st->host : NULL;

	if (h != NULL && HOST_HAS(h, stopping))
		return h->stopping(st);
	return 0;
}

const char *sl_query_id(sl_stage *st)
{
	const sl_host *h = st ? st->host : NULL;

	if (h != NULL && HOST_HAS(h, query_id))
		return h->query_id(st);
	return NULL;
}
