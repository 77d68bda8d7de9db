/* harness.c - the fake host of harness.h. */
#include "harness.h"

#include <dlfcn.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness_event.h"

typedef struct slh_metric_entry {
	char *name;
	int64_t value;
} slh_metric_entry;

struct slh {
	sl_stage stage; /* first: what the plugin holds */
	sl_host host;
	void *dl;
	const sl_plugin *plugin;
	sl_options *opts;
	void *ctx;
	bool created;
	sl_schema *in_schema;
	sl_schema *out_schema;
	sl_error err;
	sl_batch_ctx bc;
	sl_emitter emitter;
	int stopping;
	/* Captured output. */
	sl_batch **out;
	size_t n_out, cap_out;
	sl_strbuf text;
	sl_strbuf logs;
	slh_metric_entry *metrics;
	size_t n_metrics;
	/* Source offsets. */
	sl_strbuf offset;
	bool has_offset;
	/* Services. */
	char *checkpoint;
	slh_store *db;
	sl_state_api state_api;
	/* Event time and side outputs (harness_event.c). */
	slh_event event;
};

/* ---- the host table ---- */

static void host_logv(sl_stage *st, sl_log_level level, const char *fmt, va_list ap)
{
	static const char *const names[] = {"ERROR", "WARN", "INFO", "DEBUG"};
	slh *h = (slh *)st;
	char line[1024];

	vsnprintf(line, sizeof(line), fmt, ap);
	sl_strbuf_printf(&h->logs, "%s: %s\n", names[level <= SL_LOG_DEBUG ? level : 3], line);
}

static void host_metric_add(sl_stage *st, const char *name, int64_t delta)
{
	slh *h = (slh *)st;
	slh_metric_entry *m;

	for (size_t i = 0; i < h->n_metrics; i++)
		if (strcmp(h->metrics[i].name, name) == 0) {
			h->metrics[i].value += delta;
			return;
		}
	m = realloc(h->metrics, (h->n_metrics + 1) * sizeof(*m));
	if (m == NULL)
		return;
	h->metrics = m;
	m[h->n_metrics].name = strdup(name);
	m[h->n_metrics++].value = delta;
}

static int host_stopping(sl_stage *st)
{
	return ((slh *)st)->stopping;
}

static const char *host_stage_name(sl_stage *st)
{
	return "test";
}

static const char *host_checkpoint_dir(sl_stage *st)
{
	return ((slh *)st)->checkpoint;
}

static int capture(sl_emitter *self, sl_batch *batch)
{
	slh *h = self->priv;

	if (batch == NULL)
		return SL_EINVAL;
	if (h->n_out == h->cap_out) {
		size_t nc = h->cap_out ? h->cap_out * 2 : 16;
		sl_batch **nb = realloc(h->out, nc * sizeof(*nb));
		if (nb == NULL) {
			sl_batch_unref(batch);
			return SL_ENOMEM;
		}
		h->out = nb;
		h->cap_out = nc;
	}
	h->out[h->n_out++] = batch;
	return SL_OK;
}

/* ---- loading ---- */

static void *open_module(const char *name)
{
	const char *path = getenv("SLUICE_PLUGIN_PATH");
	char *dirs, *save = NULL;
	void *dl = NULL;

	if (path == NULL) {
		fprintf(stderr, "harness: SLUICE_PLUGIN_PATH is not set\n");
		return NULL;
	}
	dirs = strdup(path);
	for (char *d = strtok_r(dirs, ":", &save); d != NULL && dl == NULL;
	     d = strtok_r(NULL, ":", &save)) {
		char file[4096];
		snprintf(file, sizeof(file), "%s/%s.so", d, name);
		dl = dlopen(file, RTLD_NOW | RTLD_LOCAL);
		if (dl == NULL)
			fprintf(stderr, "harness: %s\n", dlerror());
	}
	free(dirs);
	return dl;
}

slh *slh_new(const char *plugin)
{
	return slh_new_kind(plugin, 0);
}

slh *slh_new_kind(const char *plugin, sl_plugin_kind kind)
{
	slh *h = calloc(1, sizeof(*h));
	sl_module_info_fn info;
	const sl_module *m;

	if (h == NULL)
		return NULL;
	h->dl = open_module(plugin);
	if (h->dl == NULL)
		goto fail;
	*(void **)&info = dlsym(h->dl, SL_MODULE_SYMBOL);
	if (info == NULL) {
		fprintf(stderr, "harness: %s.so has no %s\n", plugin, SL_MODULE_SYMBOL);
		goto fail;
	}
	m = info();
	if (m->abi_major != SL_ABI_MAJOR || m->abi_minor > SL_ABI_MINOR ||
	    m->sizeof_plugin != sizeof(sl_plugin) || m->sizeof_host != sizeof(sl_host)) {
		fprintf(stderr, "harness: %s.so was built for ABI %u.%u\n", plugin, m->abi_major,
		        m->abi_minor);
		goto fail;
	}
	for (size_t i = 0; i < m->n_plugins && h->plugin == NULL; i++)
		if (strcmp(m->plugins[i]->name, plugin) == 0 &&
		    (kind == 0 || m->plugins[i]->kind == kind))
			h->plugin = m->plugins[i];
	if (h->plugin == NULL) {
		fprintf(stderr, "harness: %s.so has no plugin '%s'\n", plugin, plugin);
		goto fail;
	}
	h->opts = sl_options_new(h->plugin->options);
	if (h->opts == NULL)
		goto fail;
	h->stage.host = &h->host;
	h->host.size = sizeof(sl_host);
	h->host.version = (SL_ABI_MAJOR << 16) | SL_ABI_MINOR;
	h->host.logv = host_logv;
	h->host.metric_add = host_metric_add;
	h->host.stopping = host_stopping;
	h->host.stage_name = host_stage_name;
	h->host.checkpoint_dir = host_checkpoint_dir;
	h->emitter.emit = capture;
	h->emitter.priv = h;
	h->bc.size = sizeof(sl_batch_ctx);
	h->bc.watermark_us = SL_NO_WATERMARK;
	slh_event_init(&h->event, &h->host);
	return h;
fail:
	slh_free(h);
	return NULL;
}

void slh_clear(slh *h)
{
	for (size_t i = 0; i < h->n_out; i++)
		sl_batch_unref(h->out[i]);
	h->n_out = 0;
}

void slh_free(slh *h)
{
	if (h == NULL)
		return;
	if (h->created && h->plugin->destroy != NULL)
		h->plugin->destroy(h->ctx);
	slh_clear(h);
	free(h->out);
	sl_options_free(h->opts);
	sl_type_unref(h->in_schema);
	sl_type_unref(h->out_schema);
	sl_strbuf_free(&h->text);
	sl_strbuf_free(&h->logs);
	sl_strbuf_free(&h->offset);
	free(h->checkpoint);
	slh_event_free(&h->event);
	for (size_t i = 0; i < h->n_metrics; i++)
		free(h->metrics[i].name);
	free(h->metrics);
	if (h->dl != NULL)
		dlclose(h->dl);
	free(h);
}

int slh_set(slh *h, const char *name, const char *text)
{
	int rc = sl_options_set(h->opts, name, text, "test.conf", 1, &h->err);
	if (rc < 0)
		fprintf(stderr, "harness: option %s: %s\n", name, h->err.msg);
	return rc;
}

int slh_add(slh *h, const char *name, const char *text)
{
	int rc = sl_options_add(h->opts, name, text, "test.conf", 1, &h->err);
	if (rc < 0)
		fprintf(stderr, "harness: option %s: %s\n", name, h->err.msg);
	return rc;
}

int slh_create(slh *h, const sl_schema *input, sl_output_mode mode)
{
	sl_stage_init init = {0};
	const sl_schema *inputs[1] = {input};
	int rc;

	sl_error_clear(&h->err);
	rc = sl_options_finish(h->opts, &h->err);
	if (rc < 0)
		return rc;
	init.size = sizeof(init);
	init.stage_name = "test";
	init.options = h->opts;
	init.n_inputs = input ? 1 : 0;
	init.input_schemas = input ? inputs : NULL;
	init.output_mode = mode;
	init.host = &h->host;
	init.self = &h->stage;
	init.checkpoint_dir = h->checkpoint;
	init.watermark_column = h->event.wm_column;
	init.watermark_delay_us = h->event.wm_delay_us;
	rc = h->plugin->create(&init, &h->ctx, &h->out_schema, &h->err);
	if (rc < 0)
		return rc;
	h->created = true;
	h->in_schema = sl_type_ref((sl_schema *)input);
	return rc;
}

const sl_schema *slh_schema(const slh *h)
{
	return h->out_schema;
}

const sl_error *slh_error(const slh *h)
{
	return &h->err;
}

const sl_plugin *slh_plugin(const slh *h)
{
	return h->plugin;
}

void slh_set_stopping(slh *h, int stopping)
{
	h->stopping = stopping;
}

void slh_set_checkpoint(slh *h, const char *dir)
{
	free(h->checkpoint);
	h->checkpoint = dir ? strdup(dir) : NULL;
}

/* ---- sources ---- */

int slh_plan(slh *h, const char *start, sl_strbuf *end)
{
	sl_error_clear(&h->err);
	return h->plugin->plan(h->ctx, start, end, &h->err);
}

int slh_read(slh *h, const char *start, const char *end)
{
	sl_error_clear(&h->err);
	return h->plugin->read(h->ctx, start, end, &h->bc, &h->emitter, &h->err);
}

int slh_pull(slh *h)
{
	sl_strbuf end = {0};
	const char *start = h->has_offset ? h->offset.buf : NULL;
	int rc = slh_plan(h, start, &end);

	if (rc != SL_OK)
		goto out;
	if ((rc = slh_read(h, start, end.buf)) < 0)
		goto out;
	if (h->db != NULL)
		slh_store_commit(h->db);
	if ((rc = slh_source_commit(h, end.buf)) < 0)
		goto out;
	sl_strbuf_reset(&h->offset);
	sl_strbuf_puts(&h->offset, end.buf);
	h->has_offset = true;
	h->bc.batch_id++;
out:
	sl_strbuf_free(&end);
	return rc;
}

int slh_source_commit(slh *h, const char *end)
{
	sl_error_clear(&h->err);
	return h->plugin->source_commit ? h->plugin->source_commit(h->ctx, end, &h->err) : SL_OK;
}

void slh_set_offset(slh *h, const char *offset)
{
	sl_strbuf_reset(&h->offset);
	h->has_offset = offset != NULL;
	if (offset != NULL)
		sl_strbuf_puts(&h->offset, offset);
}

const char *slh_offset(const slh *h)
{
	return h->has_offset ? h->offset.buf : NULL;
}

/* ---- transforms and sinks ---- */

int slh_begin(slh *h, int64_t batch_id)
{
	h->bc.batch_id = batch_id;
	sl_error_clear(&h->err);
	return h->plugin->begin_batch ? h->plugin->begin_batch(h->ctx, &h->bc, &h->err) : SL_OK;
}

int slh_push(slh *h, const sl_batch *in)
{
	sl_error_clear(&h->err);
	return h->plugin->process(h->ctx, 0, in, &h->bc, &h->emitter, &h->err);
}

int slh_end(slh *h)
{
	sl_error_clear(&h->err);
	return h->plugin->end_batch ? h->plugin->end_batch(h->ctx, &h->bc, &h->emitter, &h->err)
	                            : SL_OK;
}

int slh_commit(slh *h)
{
	sl_error_clear(&h->err);
	return h->plugin->commit ? h->plugin->commit(h->ctx, h->bc.batch_id, &h->err) : SL_OK;
}

int slh_run(slh *h, int64_t batch_id, sl_batch *const *in, size_t n)
{
	int rc = slh_begin(h, batch_id);

	for (size_t i = 0; i < n && rc >= 0; i++)
		rc = slh_push(h, in[i]);
	if (rc >= 0)
		rc = slh_end(h);
	if (rc >= 0)
		rc = slh_commit(h);
	return rc;
}

/* ---- output ---- */

size_t slh_n_out(const slh *h)
{
	return h->n_out;
}

sl_batch *slh_out(const slh *h, size_t i)
{
	return i < h->n_out ? h->out[i] : NULL;
}

int64_t slh_out_rows(const slh *h)
{
	int64_t n = 0;

	for (size_t i = 0; i < h->n_out; i++)
		n += h->out[i]->n_rows;
	return n;
}

static void render_value(sl_strbuf *sb, const sl_array *a, int64_t i)
{
	char tmp[SL_TEXT_MAX];

	if (a->type->id == SL_TYPE_NULL || !sl_array_valid(a, i)) {
		sl_strbuf_puts(sb, "null");
		return;
	}
	switch (a->type->id) {
	case SL_TYPE_BOOL:
		sl_strbuf_puts(sb, sl_array_bool(a, i) ? "true" : "false");
		break;
	case SL_TYPE_INT64:
		sl_strbuf_printf(sb, "%" PRId64, sl_array_i64(a)[i]);
		break;
	case SL_TYPE_DOUBLE:
		sl_format_double(sl_array_f64(a)[i], tmp);
		sl_strbuf_puts(sb, tmp);
		break;
	case SL_TYPE_TIMESTAMP:
		sl_format_timestamp(sl_array_i64(a)[i], tmp);
		sl_strbuf_puts(sb, tmp);
		break;
	case SL_TYPE_STRING:
	case SL_TYPE_BINARY: {
		const int32_t *o = sl_array_offsets(a);
		if (o[i + 1] > o[i])
			sl_strbuf_append(sb, (const char *)a->data->data + o[i],
			                 (size_t)(o[i + 1] - o[i]));
		else
			sl_strbuf_puts(sb, "");
		break;
	}
	case SL_TYPE_STRUCT:
		sl_strbuf_puts(sb, "{");
		for (size_t f = 0; f < a->n_children; f++) {
			if (f)
				sl_strbuf_puts(sb, ", ");
			render_value(sb, a->children[f], i);
		}
		sl_strbuf_puts(sb, "}");
		break;
	case SL_TYPE_LIST: {
		const int32_t *o = sl_array_offsets(a);
		sl_strbuf_puts(sb, "[");
		for (int32_t k = o[i]; k < o[i + 1]; k++) {
			if (k > o[i])
				sl_strbuf_puts(sb, ", ");
			render_value(sb, a->children[0], k);
		}
		sl_strbuf_puts(sb, "]");
		break;
	}
	default:
		sl_strbuf_puts(sb, "?");
	}
}

int slh_render(const sl_batch *b, sl_strbuf *sb)
{
	for (int64_t i = 0; i < b->n_rows; i++) {
		for (size_t c = 0; c < b->schema->n_fields; c++) {
			if (c)
				sl_strbuf_puts(sb, ", ");
			render_value(sb, b->columns[c], i);
		}
		sl_strbuf_puts(sb, "\n");
	}
	return SL_OK;
}

const char *slh_out_text(slh *h)
{
	sl_strbuf_reset(&h->text);
	sl_strbuf_puts(&h->text, "");
	for (size_t i = 0; i < h->n_out; i++)
		slh_render(h->out[i], &h->text);
	return h->text.buf;
}

const char *slh_logs(const slh *h)
{
	return h->logs.buf ? h->logs.buf : "";
}

void slh_clear_logs(slh *h)
{
	sl_strbuf_reset(&h->logs);
}

int64_t slh_metric(const slh *h, const char *name)
{
	for (size_t i = 0; i < h->n_metrics; i++)
		if (strcmp(h->metrics[i].name, name) == 0)
			return h->metrics[i].value;
	return 0;
}

/* ---- test data ---- */

sl_schema *slh_schema_parse(const char *ddl)
{
	sl_schema *s = NULL;
	sl_error err = {0};

	if (sl_schema_parse(ddl, &s, &err) < 0) {
		fprintf(stderr, "harness: schema '%s': %s\n", ddl, err.msg);
		return NULL;
	}
	return s;
}

static int append_json(sl_builder *b, const sl_type *t, json_t *v)
{
	int rc = SL_OK;

	if (v == NULL || json_is_null(v))
		return sl_builder_append_null(b);
	switch (t->id) {
	case SL_TYPE_BOOL:
		return sl_builder_append_bool(b, json_is_true(v));
	case SL_TYPE_INT64:
	case SL_TYPE_TIMESTAMP:
		return sl_builder_append_int64(b, (int64_t)json_integer_value(v));
	case SL_TYPE_DOUBLE:
		return sl_builder_append_double(b, json_number_value(v));
	case SL_TYPE_STRING:
	case SL_TYPE_BINARY:
		return sl_builder_append_string(b, json_string_value(v), json_string_length(v));
	case SL_TYPE_STRUCT:
		for (size_t f = 0; f < t->n_fields && rc >= 0; f++) {
			json_t *fv = json_is_object(v) ? json_object_get(v, t->fields[f].name)
			                               : json_array_get(v, f);
			rc = append_json(sl_builder_child(b, f), t->fields[f].type, fv);
		}
		return rc < 0 ? rc : sl_builder_append_struct(b);
	case SL_TYPE_LIST:
		rc = sl_builder_list_begin(b);
		for (size_t k = 0; k < json_array_size(v) && rc >= 0; k++)
			rc = append_json(sl_builder_child(b, 0), t->fields[0].type,
			                 json_array_get(v, k));
		return rc < 0 ? rc : sl_builder_list_end(b);
	default:
		return sl_builder_append_null(b);
	}
}

sl_batch *slh_batch(const char *ddl, const char *json_rows)
{
	sl_schema *s = slh_schema_parse(ddl);
	json_error_t jerr;
	json_t *rows = NULL;
	sl_batch_builder *bb = NULL;
	sl_batch *batch = NULL;

	if (s == NULL)
		return NULL;
	rows = json_loads(json_rows, 0, &jerr);
	if (rows == NULL || !json_is_array(rows)) {
		fprintf(stderr, "harness: rows: %s\n", rows ? "not an array" : jerr.text);
		goto out;
	}
	bb = sl_batch_builder_new(s, (int64_t)json_array_size(rows));
	if (bb == NULL)
		goto out;
	for (size_t r = 0; r < json_array_size(rows); r++) {
		json_t *row = json_array_get(rows, r);
		for (size_t c = 0; c < s->n_fields; c++)
			if (append_json(sl_batch_builder_column(bb, c), s->fields[c].type,
			                json_array_get(row, c)) < 0) {
				fprintf(stderr, "harness: row %zu column %zu: cannot append\n", r,
				        c);
				goto out;
			}
	}
	batch = sl_batch_builder_finish(bb);
out:
	sl_batch_builder_free(bb);
	json_decref(rows);
	sl_type_unref(s);
	return batch;
}

/* ---- the state store ---- */

typedef struct slh_kv {
	char *k, *v; /* v NULL: a pending delete */
	size_t kl, vl;
} slh_kv;

typedef struct slh_kvs {
	slh_kv *a;
	size_t n, cap;
} slh_kvs;

struct slh_store {
	slh_kvs committed; /* sorted by key */
	slh_kvs pending;   /* in write order */
	slh_kvs view;      /* scratch for scans */
};

static int kv_cmp(const char *a, size_t al, const char *b, size_t bl)
{
	int c = memcmp(a, b, al < bl ? al : bl);
	return c ? c : (al > bl) - (al < bl);
}

static char *mem_dup(const void *p, size_t n)
{
	char *d = malloc(n + 1);

	if (d != NULL) {
		memcpy(d, p, n);
		d[n] = '\0';
	}
	return d;
}

static void kvs_free(slh_kvs *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->a[i].k);
		free(s->a[i].v);
	}
	free(s->a);
	memset(s, 0, sizeof(*s));
}

static int kvs_push(slh_kvs *s, slh_kv e)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		slh_kv *na = realloc(s->a, cap * sizeof(*na));
		if (na == NULL)
			return SL_ENOMEM;
		s->a = na;
		s->cap = cap;
	}
	s->a[s->n++] = e;
	return SL_OK;
}

/* Sets (e.v != NULL) or deletes e.k in a sorted set; takes e's memory. */
static void kvs_apply(slh_kvs *s, slh_kv e)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (kv_cmp(s->a[mid].k, s->a[mid].kl, e.k, e.kl) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < s->n && kv_cmp(s->a[lo].k, s->a[lo].kl, e.k, e.kl) == 0) {
		free(s->a[lo].k);
		free(s->a[lo].v);
		if (e.v != NULL) {
			s->a[lo] = e;
			return;
		}
		free(e.k);
		memmove(&s->a[lo], &s->a[lo + 1], (s->n - lo - 1) * sizeof(slh_kv));
		s->n--;
		return;
	}
	if (e.v == NULL || kvs_push(s, e) < 0) {
		free(e.k);
		free(e.v);
		return;
	}
	memmove(&s->a[lo + 1], &s->a[lo], (s->n - 1 - lo) * sizeof(slh_kv));
	s->a[lo] = e;
}

slh_store *slh_store_new(void)
{
	return calloc(1, sizeof(slh_store));
}

void slh_store_free(slh_store *db)
{
	if (db == NULL)
		return;
	kvs_free(&db->committed);
	kvs_free(&db->pending);
	kvs_free(&db->view);
	free(db);
}

void slh_store_commit(slh_store *db)
{
	for (size_t i = 0; i < db->pending.n; i++)
		kvs_apply(&db->committed, db->pending.a[i]);
	free(db->pending.a);
	memset(&db->pending, 0, sizeof(db->pending));
}

void slh_store_abort(slh_store *db)
{
	kvs_free(&db->pending);
}

size_t slh_store_count(const slh_store *db, const char *prefix)
{
	size_t n = 0, pl = strlen(prefix);

	for (size_t i = 0; i < db->committed.n; i++)
		n += db->committed.a[i].kl >= pl && memcmp(db->committed.a[i].k, prefix, pl) == 0;
	return n;
}

char *slh_store_get(const slh_store *db, const char *key)
{
	for (size_t i = 0; i < db->committed.n; i++)
		if (kv_cmp(db->committed.a[i].k, db->committed.a[i].kl, key, strlen(key)) == 0)
			return mem_dup(db->committed.a[i].v, db->committed.a[i].vl);
	return NULL;
}

static slh_store *store_of(sl_stage *st)
{
	return ((slh *)st)->db;
}

static int st_durable(sl_stage *st)
{
	return 1;
}

static int st_get(sl_stage *st, const void *key, size_t klen, const void **val, size_t *vlen,
                  sl_error *err)
{
	slh_store *db = store_of(st);

	for (size_t i = db->pending.n; i-- > 0;)
		if (kv_cmp(db->pending.a[i].k, db->pending.a[i].kl, key, klen) == 0) {
			if (db->pending.a[i].v == NULL)
				return SL_ENOTFOUND;
			*val = db->pending.a[i].v;
			*vlen = db->pending.a[i].vl;
			return SL_OK;
		}
	for (size_t i = 0; i < db->committed.n; i++)
		if (kv_cmp(db->committed.a[i].k, db->committed.a[i].kl, key, klen) == 0) {
			*val = db->committed.a[i].v;
			*vlen = db->committed.a[i].vl;
			return SL_OK;
		}
	return SL_ENOTFOUND;
}

static int st_write(sl_stage *st, const void *key, size_t klen, const void *val, size_t vlen,
                    sl_error *err)
{
	slh_kv e = {mem_dup(key, klen), val ? mem_dup(val, vlen) : NULL, klen, vlen};

	if (e.k == NULL || (val != NULL && e.v == NULL) ||
	    kvs_push(&store_of(st)->pending, e) < 0) {
		free(e.k);
		free(e.v);
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	}
	return SL_OK;
}

static int st_put(sl_stage *st, const void *key, size_t klen, const void *val, size_t vlen,
                  sl_error *err)
{
	return st_write(st, key, klen, val ? val : "", vlen, err);
}

static int st_del(sl_stage *st, const void *key, size_t klen, sl_error *err)
{
	return st_write(st, key, klen, NULL, 0, err);
}

static int st_scan(sl_stage *st, const void *prefix, size_t plen, sl_state_scan_fn fn, void *arg,
                   sl_error *err)
{
	slh_store *db = store_of(st);
	slh_kvs *view = &db->view;
	int rc = SL_OK;

	kvs_free(view);
	for (size_t i = 0; i < db->committed.n && rc == SL_OK; i++) {
		slh_kv *c = &db->committed.a[i];
		rc = kvs_push(view,
		              (slh_kv){mem_dup(c->k, c->kl), mem_dup(c->v, c->vl), c->kl, c->vl});
	}
	for (size_t i = 0; i < db->pending.n && rc == SL_OK; i++) {
		slh_kv *p = &db->pending.a[i];
		kvs_apply(view, (slh_kv){mem_dup(p->k, p->kl), p->v ? mem_dup(p->v, p->vl) : NULL,
		                         p->kl, p->vl});
	}
	if (rc < 0)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	for (size_t i = 0; i < view->n; i++)
		if (view->a[i].kl >= plen && memcmp(view->a[i].k, prefix, plen) == 0 &&
		    fn(arg, view->a[i].k, view->a[i].kl, view->a[i].v, view->a[i].vl) != 0)
			break;
	kvs_free(view);
	return SL_OK;
}

static int st_clear(sl_stage *st, sl_error *err)
{
	slh_store *db = store_of(st);
	int rc = SL_OK;

	for (size_t i = 0; i < db->committed.n && rc == SL_OK; i++)
		rc = st_del(st, db->committed.a[i].k, db->committed.a[i].kl, err);
	return rc;
}

void slh_use_store(slh *h, slh_store *db)
{
	h->db = db;
	h->state_api = (sl_state_api){
	    .size = sizeof(sl_state_api),
	    .durable = st_durable,
	    .get = st_get,
	    .put = st_put,
	    .del = st_del,
	    .scan = st_scan,
	    .clear = st_clear,
	};
	h->host.state = db ? &h->state_api : NULL;
}

/* ---- event time and side outputs (harness_event.h) ---- */

slh_event *slh_event_of(slh *h)
{
	return &h->event;
}

slh *slh_of_stage(sl_stage *st)
{
	return (slh *)st;
}

void slh_set_watermark(slh *h, int64_t watermark_us)
{
	h->bc.watermark_us = watermark_us;
}
