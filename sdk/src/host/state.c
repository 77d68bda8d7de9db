/* state.c - the sl_state_* conveniences over host->state (sl_state.h).
 * On a host without the service every call fails with SL_ESTATE, and
 * sl_state_durable() says 0. */
#include <stddef.h>

#include <sluice/sl_state.h>

/* The host's state table when it has member m, else NULL. */
static const sl_state_api *api_with(sl_stage *st, size_t end)
{
	const sl_host *h = st ? st->host : NULL;
	const sl_state_api *s;

	if (h == NULL || h->size < offsetof(sl_host, state) + sizeof(h->state))
		return NULL;
	s = h->state;
	if (s == NULL || s->size < end)
		return NULL;
	return s;
}

#define API(st, m) api_with(st, offsetof(sl_state_api, m) + sizeof(((sl_state_api *)0)->m))

static int no_service(sl_error *err)
{
	return sl_error_set(err, SL_ESTATE, "this host has no state store");
}

int sl_state_durable(sl_stage *st)
{
	const sl_state_api *s = API(st, durable);

	return s && s->durable ? s->durable(st) : 0;
}

int sl_state_get(sl_stage *st, const void *key, size_t klen, const void **val, size_t *vlen,
                 sl_error *err)
{
	const sl_state_api *s = API(st, get);

	if (s == NULL || s->get == NULL)
		return no_service(err);
	return s->get(st, key, klen, val, vlen, err);
}

int sl_state_put(sl_stage *st, const void *key, size_t klen, const void *val, size_t vlen,
                 sl_error *err)
{
	const sl_state_api *s = API(st, put);

	if (s == NULL || s->put == NULL)
		return no_service(err);
	return s->put(st, key, klen, val, vlen, err);
}

int sl_state_del(sl_stage *st, const void *key, size_t klen, sl_error *err)
{
	const sl_state_api *s = API(st, del);

	if (s == NULL || s->del == NULL)
		return no_service(err);
	return s->del(st, key, klen, err);
}

int sl_state_scan(sl_stage *st, const void *prefix, size_t plen, sl_state_scan_fn fn, void *arg,
                  sl_error *err)
{
	const sl_state_api *s = API(st, scan);

	if (s == NULL || s->scan == NULL)
		return no_service(err);
	return s->scan(st, prefix, plen, fn, arg, err);
}

int sl_state_clear(sl_stage *st, sl_error *err)
{
	const sl_state_api *s = API(st, clear);

	if (s == NULL || s->clear == NULL)
		return no_service(err);
	return s->clear(st, err);
}
