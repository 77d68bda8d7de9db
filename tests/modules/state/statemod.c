/* statemod.c - a stateful test plugin for the core's checkpoint and state
 * tests.
 *
 *   tcount  stateful transform: counts rows per key (column `id` modulo
 *           `keys`) in a hot in-memory table restored from the state store
 *           in create; writes the keys a batch changed once, in end_batch,
 *           and emits them (key BIGINT, count BIGINT).  Reports
 *           stateRowsTotal and stateRowsUpdated.  `fail_at_batch` makes
 *           end_batch fail after its writes (the batch must not commit).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sluice/sluice.h>

typedef struct count_ctx {
	sl_stage *self;
	sl_schema *schema;
	int64_t keys;
	int64_t fail_at;
	int64_t *counts;   /* keys entries */
	bool *changed;     /* keys entries: touched in this batch */
	int64_t n_present; /* keys with a count */
} count_ctx;

/* Keys are 8-byte big-endian numbers, values decimal text. */
static void key_bytes(int64_t k, unsigned char out[8])
{
	for (int i = 7; i >= 0; i--, k >>= 8)
		out[i] = (unsigned char)(k & 0xff);
}

static int restore_one(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
	count_ctx *c = arg;
	const unsigned char *k = key;
	char text[32];
	int64_t id = 0;

	if (klen != 8 || vlen >= sizeof(text))
		return 0;
	for (int i = 0; i < 8; i++)
		id = (id << 8) | k[i];
	memcpy(text, val, vlen);
	text[vlen] = '\0';
	if (id >= 0 && id < c->keys) {
		c->counts[id] = strtoll(text, NULL, 10);
		c->n_present++;
	}
	return 0;
}

static void count_destroy(void *ctx)
{
	count_ctx *c = ctx;

	if (c == NULL)
		return;
	sl_type_unref(c->schema);
	free(c->counts);
	free(c->changed);
	free(c);
}

static int count_create(const sl_stage_init *init, void **ctx, sl_schema **out, sl_error *err)
{
	sl_field f[2] = {{"key", sl_type_int64(), false}, {"count", sl_type_int64(), false}};
	count_ctx *c = calloc(1, sizeof(*c));
	int rc;

	if (c == NULL)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	c->self = init->self;
	c->keys = sl_opt_int(init->options, "keys");
	c->fail_at = sl_opt_int(init->options, "fail_at_batch");
	if (c->keys <= 0) {
		count_destroy(c);
		return sl_error_at(err, SL_EINVAL, "keys", -1, "must be positive");
	}
	if (sl_schema_find(init->input_schemas[0], "id") < 0) {
		count_destroy(c);
		return sl_error_set(err, SL_ENOTFOUND, "input has no column 'id'");
	}
	c->counts = calloc((size_t)c->keys, sizeof(*c->counts));
	c->changed = calloc((size_t)c->keys, sizeof(*c->changed));
	c->schema = sl_type_struct(2, f);
	if (c->counts == NULL || c->changed == NULL || c->schema == NULL) {
		count_destroy(c);
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	}
	if (!init->dry_run) {
		rc = sl_state_scan(init->self, NULL, 0, restore_one, c, err);
		if (rc < 0) {
			count_destroy(c);
			return rc;
		}
		sl_metric_add(init->self, "stateRowsTotal", c->n_present);
	}
	*out = sl_type_ref(c->schema);
	*ctx = c;
	return SL_OK;
}

static int count_process(void *ctx, size_t port, const sl_batch *in, const sl_batch_ctx *bc,
                         sl_emitter *out, sl_error *err)
{
	count_ctx *c = ctx;
	int col = sl_schema_find(in->schema, "id");
	const int64_t *ids = sl_array_i64(in->columns[col]);

	(void)port, (void)bc, (void)out, (void)err;
	for (int64_t i = 0; i < in->n_rows; i++) {
		int64_t k = ((ids[i] % c->keys) + c->keys) % c->keys;

		if (c->counts[k] == 0)
			c->n_present++;
		c->counts[k]++;
		c->changed[k] = true;
	}
	return SL_OK;
}

static int count_end(void *ctx, const sl_batch_ctx *bc, sl_emitter *out, sl_error *err)
{
	count_ctx *c = ctx;
	sl_batch_builder *bb = sl_batch_builder_new(c->schema, 16);
	unsigned char key[8];
	char text[32];
	int64_t updated = 0;
	sl_batch *b;
	int rc = SL_OK;

	if (bb == NULL)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	for (int64_t k = 0; k < c->keys && rc >= 0; k++) {
		if (!c->changed[k])
			continue;
		key_bytes(k, key);
		snprintf(text, sizeof(text), "%lld", (long long)c->counts[k]);
		rc = sl_state_put(c->self, key, sizeof(key), text, strlen(text), err);
		sl_builder_append_int64(sl_batch_builder_column(bb, 0), k);
		sl_builder_append_int64(sl_batch_builder_column(bb, 1), c->counts[k]);
		c->changed[k] = false;
		updated++;
	}
	if (rc >= 0 && bc->batch_id == c->fail_at)
		rc = sl_error_set(err, SL_EIO, "failing at batch %lld as asked",
		                  (long long)bc->batch_id);
	b = sl_batch_builder_finish(bb);
	sl_batch_builder_free(bb);
	if (rc < 0) {
		sl_batch_unref(b);
		return rc;
	}
	if (b == NULL)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	sl_metric_add(c->self, "stateRowsTotal", c->n_present);
	sl_metric_add(c->self, "stateRowsUpdated", updated);
	return sl_emit(out, b);
}

static const sl_option_spec count_options[] = {
    {.name = "keys", .type = SL_OPT_INT, .def = "10", .doc = "number of keys (id modulo keys)"},
    {.name = "fail_at_batch",
     .type = SL_OPT_INT,
     .def = "-1",
     .required = SL_OPT_NO_STATE,
     .doc = "fail at this batch"},
    {.name = "exprs", .type = SL_OPT_EXPR_LIST, .doc = "expressions (fingerprinted, unused)"},
    {0},
};

static const sl_plugin tcount = {
    .size = sizeof(sl_plugin),
    .name = "tcount",
    .kind = SL_PLUGIN_TRANSFORM,
    .flags = SL_PLUGIN_STATEFUL,
    .summary = "test aggregate: row counts per key in the state store",
    .options = count_options,
    .create = count_create,
    .destroy = count_destroy,
    .process = count_process,
    .end_batch = count_end,
};

SL_MODULE(statemod, &tcount);
