/* watermark.c - the sl_watermark_* conveniences over host->watermark
 * (sl_watermark.h).  On a host without the service, declare fails with
 * SL_ESTATE and the reports are no-ops. */
#include <stddef.h>

#include <sluice/sl_watermark.h>

/* The host's watermark table when it has member m, else NULL. */
static const sl_watermark_api *api_with(sl_stage *st, size_t end)
{
	const sl_host *h = st ? st->host : NULL;
	const sl_watermark_api *w;

	if (h == NULL || h->size < offsetof(sl_host, watermark) + sizeof(h->watermark))
		return NULL;
	w = h->watermark;
	if (w == NULL || w->size < end)
		return NULL;
	return w;
}

#define API(st, m) api_with(st, offsetof(sl_watermark_api, m) + sizeof(((sl_watermark_api *)0)->m))

int sl_watermark_declare(sl_stage *st, int64_t delay_us, sl_error *err)
{
	const sl_watermark_api *w = API(st, declare);

	if (w == NULL || w->declare == NULL)
		return sl_error_set(err, SL_ESTATE, "this host has no watermark service");
	return w->declare(st, delay_us, err);
}

void sl_watermark_observe(sl_stage *st, int64_t max_event_us)
{
	const sl_watermark_api *w = API(st, observe);

	if (w != NULL && w->observe != NULL)
		w->observe(st, max_event_us);
}

void sl_watermark_next_deadline(sl_stage *st, int64_t deadline_us)
{
	const sl_watermark_api *w = API(st, next_deadline);

	if (w != NULL && w->next_deadline != NULL)
		w->next_deadline(st, deadline_us);
}
