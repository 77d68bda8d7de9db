/* harness_event.c - the fake host's watermark service and side outputs
 * (harness_event.h). */
#include "harness_event.h"
#include "harness.h"

#include <stdlib.h>
#include <string.h>

static slh_event *ev(sl_stage *st)
{
	return slh_event_of(slh_of_stage(st));
}

static int wm_declare(sl_stage *st, int64_t delay_us, sl_error *err)
{
	ev(st)->wm_delay_us = delay_us;
	return SL_OK;
}

static void wm_observe(sl_stage *st, int64_t max_event_us)
{
	slh_event *e = ev(st);

	if (max_event_us != SL_NO_WATERMARK &&
	    (e->observed == SL_NO_WATERMARK || max_event_us > e->observed))
		e->observed = max_event_us;
}

static void wm_next_deadline(sl_stage *st, int64_t deadline_us)
{
	ev(st)->deadline = deadline_us;
}

static slh_side *find_side(const slh_event *e, const char *name)
{
	for (size_t i = 0; i < e->n_side; i++)
		if (strcmp(e->side[i].name, name) == 0)
			return (slh_side *)&e->side[i];
	return NULL;
}

static int side_declare(sl_stage *st, const char *name, sl_schema *schema, sl_error *err)
{
	slh_event *e = ev(st);
	slh_side *s;

	if (name == NULL || *name == '\0' || find_side(e, name) != NULL)
		return sl_error_set(err, SL_EINVAL, "side output '%s' is declared twice or unnamed",
		                    name ? name : "");
	if (e->n_side == SLH_MAX_SIDE)
		return sl_error_set(err, SL_EINVAL, "too many side outputs");
	s = &e->side[e->n_side];
	s->name = strdup(name);
	if (s->name == NULL)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	s->schema = sl_type_ref(schema);
	e->n_side++;
	return SL_OK;
}

static int side_emit(sl_stage *st, const char *name, sl_batch *batch)
{
	slh_side *s = find_side(ev(st), name);

	if (s == NULL || batch == NULL || !sl_type_equal(batch->schema, s->schema)) {
		sl_batch_unref(batch);
		return SL_EINVAL;
	}
	if (s->n == s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 8;
		sl_batch **nb = realloc(s->out, nc * sizeof(*nb));
		if (nb == NULL) {
			sl_batch_unref(batch);
			return SL_ENOMEM;
		}
		s->out = nb;
		s->cap = nc;
	}
	s->out[s->n++] = batch;
	return SL_OK;
}

void slh_event_init(slh_event *e, sl_host *host)
{
	e->deadline = SL_NO_WATERMARK;
	e->observed = SL_NO_WATERMARK;
	e->wm_api.size = sizeof(sl_watermark_api);
	e->wm_api.declare = wm_declare;
	e->wm_api.observe = wm_observe;
	e->wm_api.next_deadline = wm_next_deadline;
	host->watermark = &e->wm_api;
	host->side_output_declare = side_declare;
	host->side_emit = side_emit;
}

static void side_clear(slh_side *s)
{
	for (size_t i = 0; i < s->n; i++)
		sl_batch_unref(s->out[i]);
	s->n = 0;
}

void slh_event_free(slh_event *e)
{
	for (size_t i = 0; i < e->n_side; i++) {
		side_clear(&e->side[i]);
		free(e->side[i].out);
		free(e->side[i].name);
		sl_type_unref(e->side[i].schema);
	}
	e->n_side = 0;
	free(e->wm_column);
	e->wm_column = NULL;
	sl_strbuf_free(&e->text);
}

void slh_declare_watermark(slh *h, const char *column, int64_t delay_us)
{
	slh_event *e = slh_event_of(h);

	free(e->wm_column);
	e->wm_column = column ? strdup(column) : NULL;
	e->wm_delay_us = delay_us;
}

int64_t slh_deadline(const slh *h)
{
	return slh_event_of((slh *)h)->deadline;
}

size_t slh_side_declared(const slh *h)
{
	return slh_event_of((slh *)h)->n_side;
}

const sl_schema *slh_side_schema(const slh *h, const char *name)
{
	slh_side *s = find_side(slh_event_of((slh *)h), name);
	return s ? s->schema : NULL;
}

size_t slh_side_n_out(const slh *h, const char *name)
{
	slh_side *s = find_side(slh_event_of((slh *)h), name);
	return s ? s->n : 0;
}

int64_t slh_side_rows(const slh *h, const char *name)
{
	slh_side *s = find_side(slh_event_of((slh *)h), name);
	int64_t n = 0;

	for (size_t i = 0; s != NULL && i < s->n; i++)
		n += s->out[i]->n_rows;
	return n;
}

const char *slh_side_text(slh *h, const char *name)
{
	slh_event *e = slh_event_of(h);
	slh_side *s = find_side(e, name);

	sl_strbuf_reset(&e->text);
	sl_strbuf_puts(&e->text, "");
	for (size_t i = 0; s != NULL && i < s->n; i++)
		slh_render(s->out[i], &e->text);
	return e->text.buf;
}

void slh_side_clear(slh *h)
{
	slh_event *e = slh_event_of(h);

	for (size_t i = 0; i < e->n_side; i++)
		side_clear(&e->side[i]);
}
