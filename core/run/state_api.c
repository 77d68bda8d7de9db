/* state_api.c - host->state: each stage's namespace ("<stage> NUL <key>")
 * over the pipeline's store.  Without a checkpoint (or in a dry run) the
 * store is an in-memory one, opened on first use.  Keys and values go
 * through per-stage buffers: no malloc per call once they have grown. */
#include <string.h>

#include "config/pipeline.h"
#include "run/state_api.h"
#include "store/state.h"

static int store_of(slc_stage *st, slc_state **out, sl_error *err)
{
	slc_pipeline *p = st->pipeline;
	int rc;

	if (p->state == NULL) {
		rc = slc_state_open_memory(&p->state, err);
		if (rc < 0)
			return rc;
	}
	*out = p->state;
	return SL_OK;
}

/* Builds the stage's whole key into st->state_key and finds the store. */
static int prepare(sl_stage *handle, const void *key, size_t klen, slc_state **s, sl_error *err)
{
	slc_stage *st;

	if (handle == NULL)
		return sl_error_set(err, SL_EINVAL, "state: no stage handle");
	if (key == NULL && klen > 0)
		return sl_error_set(err, SL_EINVAL, "state: NULL key");
	st = slc_stage_of(handle);
	if (slc_buf_set(&st->state_key, st->name, strlen(st->name) + 1, key, klen) < 0)
		return sl_error_set(err, SL_ENOMEM, "state: out of memory");
	return store_of(st, s, err);
}

static int api_durable(sl_stage *handle)
{
	slc_stage *st = handle ? slc_stage_of(handle) : NULL;

	return st && st->pipeline->state ? slc_state_is_durable(st->pipeline->state)
	                                 : st && st->pipeline->chk != NULL;
}

static int api_get(sl_stage *handle, const void *key, size_t klen, const void **val, size_t *vlen,
                   sl_error *err)
{
	slc_state *s;
	slc_stage *st;
	int rc = prepare(handle, key, klen, &s, err);

	if (rc < 0)
		return rc;
	if (val == NULL || vlen == NULL)
		return sl_error_set(err, SL_EINVAL, "state get: NULL output");
	st = slc_stage_of(handle);
	rc = slc_state_get(s, st->state_key.data, st->state_key.len, &st->state_val, err);
	if (rc < 0)
		return rc;
	*val = st->state_val.data;
	*vlen = st->state_val.len;
	return SL_OK;
}

static int api_put(sl_stage *handle, const void *key, size_t klen, const void *val, size_t vlen,
                   sl_error *err)
{
	slc_state *s;
	slc_stage *st;
	int rc = prepare(handle, key, klen, &s, err);

	if (rc < 0)
		return rc;
	if (val == NULL && vlen > 0)
		return sl_error_set(err, SL_EINVAL, "state put: NULL value");
	st = slc_stage_of(handle);
	rc = slc_state_put(s, st->state_key.data, st->state_key.len, val ? val : "", vlen, err);
	if (rc >= 0)
		st->state_writes++;
	return rc;
}

static int api_del(sl_stage *handle, const void *key, size_t klen, sl_error *err)
{
	slc_state *s;
	slc_stage *st;
	int rc = prepare(handle, key, klen, &s, err);

	if (rc < 0)
		return rc;
	st = slc_stage_of(handle);
	rc = slc_state_del(s, st->state_key.data, st->state_key.len, err);
	if (rc >= 0)
		st->state_writes++;
	return rc;
}

/* Hands the plugin its keys without the stage prefix. */
typedef struct strip {
	size_t skip;
	sl_state_scan_fn fn;
	void *arg;
} strip;

static int strip_prefix(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
	const strip *x = arg;

	return x->fn(x->arg, (const char *)key + x->skip, klen - x->skip, val, vlen);
}

static int api_scan(sl_stage *handle, const void *prefix, size_t plen, sl_state_scan_fn fn,
                    void *arg, sl_error *err)
{
	slc_state *s;
	slc_stage *st;
	strip x;
	int rc = prepare(handle, prefix, plen, &s, err);

	if (rc < 0)
		return rc;
	if (fn == NULL)
		return sl_error_set(err, SL_EINVAL, "state scan: no callback");
	st = slc_stage_of(handle);
	x.skip = strlen(st->name) + 1;
	x.fn = fn;
	x.arg = arg;
	/* The walk copies the prefix and has its own buffers: the callback
	 * may call get. */
	return slc_state_scan(s, st->state_key.data, st->state_key.len, strip_prefix, &x, err);
}

static int api_clear(sl_stage *handle, sl_error *err)
{
	slc_state *s;
	slc_stage *st;
	int64_t n = 0;
	int rc = prepare(handle, NULL, 0, &s, err);

	if (rc < 0)
		return rc;
	st = slc_stage_of(handle);
	rc = slc_state_del_prefix(s, st->state_key.data, st->state_key.len, &n, err);
	st->state_writes += n;
	return rc;
}

const sl_state_api slc_state_table = {
    .size = sizeof(sl_state_api),
    .durable = api_durable,
    .get = api_get,
    .put = api_put,
    .del = api_del,
    .scan = api_scan,
    .clear = api_clear,
};
