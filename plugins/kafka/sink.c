/* sink.c - the Kafka sink: each batch's rows exactly once in the topic,
 * however often the batch is written (a replay after a crash writes it
 * again).
 *
 * Every message carries one header, sluice = "QUERY:BATCH:SEQ": the query
 * id (the same across restarts), the batch id and the row's number in the
 * batch, in input order (a replay produces the same rows in the same
 * order).  Before the first message of batch N goes to a
 * topic, the sink records in CHK/sinks/STAGE/intent where each partition
 * of the topic ends then (written and synced).  When the first batch a
 * process writes is the batch the intent names, an earlier attempt may
 * have written part of it: the sink reads each partition from the
 * recorded offset to its end (committed data only) and skips the rows
 * whose number for this query and batch is already there.  Messages of
 * other producers and of other queries are left alone.  Partitions are
 * chosen deterministically: the partition column, else Java's murmur2 of
 * the key (as Kafka's default partitioner), else round robin by sequence.
 *
 * The producer is idempotent with acks=all; end_batch waits until every
 * message is acknowledged, and a delivery error fails the batch before it
 * commits, naming topic, partition and error.  With transactional = true
 * each batch is also one Kafka transaction (transactional.id from the
 * query and the stage: a restarted query fences its predecessor),
 * committed in the sink's commit step.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "kafka.h"

#define KSINK_SCAN_MS 100

typedef struct ksink {
	sl_stage *st; /* first: the clients' opaque (kafka.h) */
	rd_kafka_t *rk; /* the producer; NULL on dry runs */
	rd_kafka_conf_t *scan_conf; /* for the consumer that reads a replay's tail */
	int c_value, c_key, c_topic, c_part, c_headers;
	const char *topic; /* the option; NULL: the topic column */
	bool transactional, in_txn;
	const char *query;
	char *dir;       /* CHK/sinks/STAGE; NULL without a checkpoint */
	bool crash_armed; /* crash tests: SLUICE_CRASH_AT is set */
	int64_t timeout_ms;

	/* the running batch */
	int64_t batch, seq;
	char tag[96]; /* "QUERY:BATCH:" */
	size_t tag_len;
	bool first; /* the first batch of this process */
	uint8_t *done; /* replay: sequence numbers already in the topic */
	size_t done_bytes;
	int64_t n_done;
	kafka_tps counts; /* topic -> partition count (partition -1) */

	/* the intent: where the topics' partitions ended before batch N */
	int64_t intent_batch;
	kafka_tps intent;

	/* deliveries */
	int64_t produced, failed, skipped, bytes;
	char fail_msg[400];
	/* The input batches of the running batch: librdkafka reads the
	 * messages' keys and values from their columns (no copy) until every
	 * message is acknowledged. */
	sl_batch **inputs;
	size_t n_inputs, inputs_cap;
	int64_t held_bytes; /* of the messages produced since they were released */
} ksink;

/* Past this many bytes of messages held, the sink waits for their
 * acknowledgements and lets the input go: memory stays bounded however
 * large a batch. */
#define KSINK_HOLD_BYTES ((int64_t)64 << 20)

/* ---- setup ---- */

/* The input batches go once librdkafka holds none of their messages. */
static void release_inputs(ksink *k)
{
	for (size_t i = 0; i < k->n_inputs; i++)
		sl_batch_unref(k->inputs[i]);
	k->n_inputs = 0;
	k->held_bytes = 0;
}

static void ksink_destroy(void *vctx)
{
	ksink *k = vctx;

	if (k == NULL)
		return;
	if (k->rk != NULL) {
		if (k->in_txn)
			rd_kafka_abort_transaction(k->rk, 5000);
		rd_kafka_flush(k->rk, 5000);
		rd_kafka_purge(k->rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
		rd_kafka_destroy(k->rk); /* (no message of the inputs left) */
	}
	release_inputs(k);
	free(k->inputs);
	if (k->scan_conf != NULL)
		rd_kafka_conf_destroy(k->scan_conf);
	free(k->dir);
	free(k->done);
	kafka_tps_free(&k->counts);
	kafka_tps_free(&k->intent);
	free(k);
}

/* A column of the input that must be STRING or BINARY (or INT). */
static int column(const sl_schema *in, const char *name, bool required, bool number, int *out,
                  sl_error *err)
{
	int i = sl_schema_find(in, name);
	sl_type_id t;

	*out = i;
	if (i < 0)
		return required ? sl_error_set(err, SL_EINVAL,
		                               "the input has no column '%s' (the message's %s; "
		                               "e.g. CAST(x AS STRING) AS %s upstream)",
		                               name, name, name)
		                : SL_OK;
	t = in->fields[i].type->id;
	if (number ? t != SL_TYPE_INT64
	           : (t != SL_TYPE_STRING && t != SL_TYPE_BINARY))
		return sl_error_set(err, SL_EINVAL, "column '%s' is %s; it must be %s", name,
		                    sl_type_id_name(t), number ? "INT" : "STRING or BINARY");
	return SL_OK;
}

/* headers: ARRAY<STRUCT<key STRING, value STRING|BINARY>>. */
static int headers_column(const sl_schema *in, int *out, sl_error *err)
{
	int i = sl_schema_find(in, "headers");
	const sl_type *t, *e;

	*out = i;
	if (i < 0)
		return SL_OK;
	t = in->fields[i].type;
	e = t->id == SL_TYPE_LIST ? t->fields[0].type : NULL;
	if (e == NULL || e->id != SL_TYPE_STRUCT || e->n_fields != 2 ||
	    e->fields[0].type->id != SL_TYPE_STRING ||
	    (e->fields[1].type->id != SL_TYPE_STRING && e->fields[1].type->id != SL_TYPE_BINARY))
		return sl_error_set(err, SL_EINVAL,
		                    "column 'headers' must be ARRAY<STRUCT<key STRING, value STRING "
		                    "or BINARY>>");
	return SL_OK;
}

/* A batch's messages are all acknowledged when the producer's queue is
 * empty and none failed (a report for each message; only failures count -
 * delivery.report.only.error = true would save the reports, but measured
 * 12% slower: librdkafka then frees the messages on its own thread). */
static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
	ksink *k = opaque;

	(void)rk;
	if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR)
		return;
	if (k->failed++ == 0)
		snprintf(k->fail_msg, sizeof(k->fail_msg), "topic %s partition %d: %s",
		         rd_kafka_topic_name(m->rkt), (int)m->partition, rd_kafka_err2str(m->err));
}

static const kafka_fixed fixed[] = {
    {"enable.idempotence", "true",
     "the sink is exactly-once: an idempotent producer, every message acknowledged by "
     "all replicas"},
    {"acks", "all", "a message counts as written once every in-sync replica has it"},
    {"transactional.id", NULL, "set transactional = true; the id comes from the query"},
};

/* Changeable: a batch's messages go out at once (end_batch waits for
 * them anyway). */
static const kafka_fixed defaults[] = {
    {"linger.ms", "1", NULL},
};

static int make_producer(ksink *k, const sl_stage_init *init, sl_error *err)
{
	rd_kafka_conf_t *conf;
	char errstr[512], *txid = NULL;
	rd_kafka_error_t *e;
	int rc;

	rc = kafka_conf_new(init->options, defaults, sizeof(defaults) / sizeof(defaults[0]), fixed,
	                    sizeof(fixed) / sizeof(fixed[0]), &conf, err);
	if (rc < 0)
		return rc;
	/* The scan of a replay's tail: a consumer on the same brokers. */
	rc = kafka_conf_new(init->options, NULL, 0, NULL, 0, &k->scan_conf, err);
	if (rc < 0) {
		rd_kafka_conf_destroy(conf);
		return rc;
	}
	rd_kafka_conf_set(k->scan_conf, "group.id", "sluice-sink-scan", errstr, sizeof(errstr));
	rd_kafka_conf_set(k->scan_conf, "enable.auto.commit", "false", errstr, sizeof(errstr));
	rd_kafka_conf_set(k->scan_conf, "enable.partition.eof", "true", errstr, sizeof(errstr));
	rd_kafka_conf_set(k->scan_conf, "isolation.level", "read_committed", errstr, sizeof(errstr));
	rd_kafka_conf_set(k->scan_conf, "fetch.wait.max.ms", "10", errstr, sizeof(errstr));
	kafka_conf_callbacks(k->scan_conf, k);
	if (k->transactional) {
		if (asprintf(&txid, "sluice-%s-%s", k->query, init->stage_name) < 0)
			txid = NULL;
		if (txid == NULL ||
		    rd_kafka_conf_set(conf, "transactional.id", txid, errstr, sizeof(errstr))) {
			free(txid);
			rd_kafka_conf_destroy(conf);
			return sl_error_set(err, SL_ENOMEM, "out of memory");
		}
		free(txid);
	}
	rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
	kafka_conf_callbacks(conf, k);
	if (init->dry_run) {
		rd_kafka_conf_destroy(conf);
		return SL_OK;
	}
	k->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
	if (k->rk == NULL) {
		rd_kafka_conf_destroy(conf);
		return sl_error_set(err, SL_EINVAL, "cannot create the Kafka producer: %s", errstr);
	}
	if (!k->transactional)
		return SL_OK;
	/* Fences an earlier producer of this query and stage, aborting what it
	 * left open. */
	e = rd_kafka_init_transactions(k->rk, (int)k->timeout_ms);
	if (e != NULL) {
		rc = sl_error_set(err, SL_EIO,
		                  "transactional = true: the brokers refused the transactions: %s",
		                  rd_kafka_error_string(e));
		rd_kafka_error_destroy(e);
		return rc;
	}
	return SL_OK;
}

static int read_intent(ksink *k, sl_error *err);

static int ksink_create(const sl_stage_init *init, void **out, sl_schema **out_schema,
                        sl_error *err)
{
	const sl_schema *in = init->input_schemas[0];
	ksink *k = calloc(1, sizeof(*k));
	int rc;

	if (k == NULL)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	k->st = init->self;
	k->topic = sl_opt_string(init->options, "topic");
	k->transactional = sl_opt_bool(init->options, "transactional");
	k->timeout_ms = sl_opt_duration_us(init->options, "delivery_timeout") / 1000;
	k->query = sl_query_id(init->self);
	k->first = true;
	k->intent_batch = -1;
	k->crash_armed = getenv("SLUICE_CRASH_AT") != NULL;
	if (k->query == NULL)
		k->query = "";
	if ((rc = column(in, "value", true, false, &k->c_value, err)) < 0 ||
	    (rc = column(in, "key", false, false, &k->c_key, err)) < 0 ||
	    (rc = column(in, "topic", false, false, &k->c_topic, err)) < 0 ||
	    (rc = column(in, "partition", false, true, &k->c_part, err)) < 0 ||
	    (rc = headers_column(in, &k->c_headers, err)) < 0)
		goto fail;
	if (k->topic != NULL && !kafka_topic_valid(k->topic)) {
		rc = sl_error_at(err, SL_EINVAL, "topic", -1,
		                 "'%.64s' is not a topic name (1 to 249 of a-z A-Z 0-9 . _ -)", k->topic);
		goto fail;
	}
	if (k->c_topic < 0 && k->topic == NULL) {
		rc = sl_error_at(err, SL_EINVAL, "topic", -1,
		                 "give the topic to write to (or a column 'topic' in the input)");
		goto fail;
	}
	if (k->c_topic >= 0 && in->fields[k->c_topic].type->id != SL_TYPE_STRING) {
		rc = sl_error_set(err, SL_EINVAL, "column 'topic' must be STRING");
		goto fail;
	}
	if (k->timeout_ms <= 0) {
		rc = sl_error_at(err, SL_EINVAL, "delivery_timeout", -1, "must be > 0");
		goto fail;
	}
	if (init->checkpoint_dir != NULL &&
	    asprintf(&k->dir, "%s/sinks/%s", init->checkpoint_dir, init->stage_name) < 0) {
		k->dir = NULL;
		rc = sl_error_set(err, SL_ENOMEM, "out of memory");
		goto fail;
	}
	if ((rc = make_producer(k, init, err)) < 0)
		goto fail;
	if (!init->dry_run && k->dir != NULL && (rc = read_intent(k, err)) < 0)
		goto fail;
	if (!init->dry_run && k->dir == NULL)
		sl_log(k->st, SL_LOG_INFO,
		       "no checkpoint: a batch that fails is not written again (at-most-once)");
	*out_schema = NULL;
	*out = k;
	return SL_OK;
fail:
	ksink_destroy(k);
	return rc;
}

/* ---- the intent ---- */

static int read_intent(ksink *k, sl_error *err)
{
	char path[4096];
	json_error_t je;
	json_t *j, *b, *o;
	char *text;
	int rc = SL_OK;

	snprintf(path, sizeof(path), "%s/intent", k->dir);
	j = json_load_file(path, 0, &je);
	if (j == NULL) {
		if (errno == ENOENT || access(path, F_OK) != 0)
			return SL_OK;
		return sl_error_set(err, SL_EIO, "%s is damaged: %s", path, je.text);
	}
	b = json_object_get(j, "batch");
	o = json_object_get(j, "offsets");
	text = o ? json_dumps(o, JSON_COMPACT) : NULL;
	if (!json_is_integer(b) || text == NULL)
		rc = sl_error_set(err, SL_EIO, "%s is damaged", path);
	else if ((rc = kafka_tps_parse(text, &k->intent, err)) >= 0)
		k->intent_batch = json_integer_value(b);
	free(text);
	json_decref(j);
	return rc;
}

static int write_intent(ksink *k, sl_error *err)
{
	sl_strbuf sb = {0}, path = {0};
	int rc;

	if (sl_strbuf_printf(&sb, "{\"batch\":%lld,\"offsets\":", (long long)k->intent_batch) < 0 ||
	    kafka_tps_format(&k->intent, &sb) < 0 || sl_strbuf_puts(&sb, "}\n") < 0) {
		sl_strbuf_free(&sb);
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	}
	if (sl_strbuf_printf(&path, "%s/intent", k->dir) < 0) {
		sl_strbuf_free(&sb);
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	}
	rc = sl_mkdirs(k->dir, err);
	if (rc >= 0)
		rc = sl_write_file(path.buf, sb.buf, sb.len, SL_FILE_SYNC, err);
	sl_strbuf_free(&sb);
	sl_strbuf_free(&path);
	return rc;
}

/* The partition count of a topic (cached for the batch). */
static int partitions(ksink *k, const char *topic, int32_t *n, sl_error *err)
{
	const struct rd_kafka_metadata *md = NULL;
	rd_kafka_topic_t *rkt;
	const kafka_tp *c = kafka_tps_find(&k->counts, topic, -1);
	rd_kafka_resp_err_t e;

	if (c != NULL) {
		*n = (int32_t)c->offset;
		return SL_OK;
	}
	rkt = rd_kafka_topic_new(k->rk, topic, NULL);
	if (rkt == NULL)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	e = rd_kafka_metadata(k->rk, 0, rkt, &md, (int)k->timeout_ms);
	rd_kafka_topic_destroy(rkt);
	if (e)
		return sl_error_set(err, SL_EIO, "topic %s: cannot read its metadata: %s", topic,
		                    rd_kafka_err2str(e));
	if (md->topic_cnt != 1 || md->topics[0].err || md->topics[0].partition_cnt <= 0) {
		rd_kafka_resp_err_t te = md->topic_cnt == 1 ? md->topics[0].err
		                                            : RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART;
		rd_kafka_metadata_destroy(md);
		return sl_error_set(err, SL_EIO, "topic %s: %s", topic,
		                    te ? rd_kafka_err2str(te) : "the topic has no partitions");
	}
	*n = md->topics[0].partition_cnt;
	rd_kafka_metadata_destroy(md);
	return kafka_tps_set(&k->counts, topic, -1, *n) < 0
	           ? sl_error_set(err, SL_ENOMEM, "out of memory")
	           : SL_OK;
}

/* Before the first message of this batch to topic: where its partitions
 * end now goes into the intent, synced. */
static int note_topic(ksink *k, const char *topic, int32_t n_parts, sl_error *err)
{
	rd_kafka_topic_partition_list_t *l;
	int rc;

	if (k->dir == NULL || (k->intent_batch == k->batch && kafka_tps_find(&k->intent, topic, 0)))
		return SL_OK;
	if (k->intent_batch != k->batch) {
		kafka_tps_clear(&k->intent);
		k->intent_batch = k->batch;
	}
	l = rd_kafka_topic_partition_list_new(n_parts);
	for (int32_t p = 0; p < n_parts; p++)
		rd_kafka_topic_partition_list_add(l, topic, p)->offset = RD_KAFKA_OFFSET_END;
	rc = kafka_offsets(k->rk, k->st, l, k->timeout_ms, err);
	for (int i = 0; rc >= 0 && i < l->cnt; i++)
		if (kafka_tps_set(&k->intent, topic, l->elems[i].partition, l->elems[i].offset) < 0)
			rc = sl_error_set(err, SL_ENOMEM, "out of memory");
	rd_kafka_topic_partition_list_destroy(l);
	return rc < 0 ? rc : write_intent(k, err);
}

/* ---- the replay's tail ---- */

static int mark_done(ksink *k, int64_t seq)
{
	size_t need = (size_t)(seq / 8) + 1;

	if (need > k->done_bytes) {
		size_t cap = k->done_bytes ? k->done_bytes : 1024;
		uint8_t *d;

		while (cap < need)
			cap *= 2;
		d = realloc(k->done, cap);
		if (d == NULL)
			return SL_ENOMEM;
		memset(d + k->done_bytes, 0, cap - k->done_bytes);
		k->done = d;
		k->done_bytes = cap;
	}
	if (!(k->done[seq / 8] & (1u << (seq % 8)))) {
		k->done[seq / 8] |= (uint8_t)(1u << (seq % 8));
		k->n_done++;
	}
	return SL_OK;
}

static bool is_done(const ksink *k, int64_t seq)
{
	return (size_t)(seq / 8) < k->done_bytes && (k->done[seq / 8] & (1u << (seq % 8)));
}

/* One message of the tail: ours, of this batch?  Its tag starts with
 * k->tag ("QUERY:BATCH:"), then the row's number. */
static int scan_message(ksink *k, rd_kafka_message_t *m)
{
	rd_kafka_headers_t *h = NULL;
	const void *v;
	size_t size;
	int64_t seq = 0;

	if (rd_kafka_message_headers(m, &h) != RD_KAFKA_RESP_ERR_NO_ERROR || h == NULL ||
	    rd_kafka_header_get_last(h, KAFKA_TAG, &v, &size) != RD_KAFKA_RESP_ERR_NO_ERROR ||
	    v == NULL || size <= k->tag_len || size > k->tag_len + 19 ||
	    memcmp(v, k->tag, k->tag_len) != 0)
		return SL_OK;
	for (size_t i = k->tag_len; i < size; i++) {
		char c = ((const char *)v)[i];
		if (c < '0' || c > '9')
			return SL_OK;
		seq = seq * 10 + (c - '0');
	}
	return mark_done(k, seq);
}

/* Reads every partition of the intent from its offset to its end. */
static int scan_tail(ksink *k, sl_error *err)
{
	rd_kafka_conf_t *conf = rd_kafka_conf_dup(k->scan_conf);
	rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new((int)k->intent.n + 1);
	rd_kafka_message_t *m;
	rd_kafka_t *c;
	char errstr[512];
	size_t open;
	int rc = SL_OK;

	c = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof(errstr));
	if (c == NULL) {
		rd_kafka_conf_destroy(conf);
		rd_kafka_topic_partition_list_destroy(l);
		return sl_error_set(err, SL_EIO, "cannot create a consumer: %s", errstr);
	}
	for (size_t i = 0; i < k->intent.n; i++)
		rd_kafka_topic_partition_list_add(l, k->intent.v[i].topic, k->intent.v[i].partition)
		    ->offset = k->intent.v[i].offset;
	open = k->intent.n;
	if (rd_kafka_assign(c, l) != RD_KAFKA_RESP_ERR_NO_ERROR)
		rc = sl_error_set(err, SL_EIO, "cannot read what the batch's first attempt wrote");
	while (rc >= 0 && open > 0) {
		m = rd_kafka_consumer_poll(c, KSINK_SCAN_MS);
		if (m == NULL) {
			if (sl_stopping(k->st))
				rc = sl_error_set(err, SL_ESTATE, "stopped");
			continue;
		}
		if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF)
			open--;
		else if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR)
			rc = scan_message(k, m);
		else if (rd_kafka_fatal_error(c, NULL, 0))
			rc = sl_error_set(err, SL_EIO, "reading what was written: %s",
			                  rd_kafka_message_errstr(m));
		rd_kafka_message_destroy(m);
		if (rc == SL_ENOMEM)
			rc = sl_error_set(err, SL_ENOMEM, "out of memory");
	}
	rd_kafka_topic_partition_list_destroy(l);
	rd_kafka_consumer_close(c);
	rd_kafka_destroy(c);
	return rc;
}

/* ---- per batch ---- */

static int txn_error(ksink *k, rd_kafka_error_t *e, const char *what, sl_error *err)
{
	int rc = sl_error_set(err, SL_EIO, "%s: %s", what, rd_kafka_error_string(e));

	(void)k;
	rd_kafka_error_destroy(e);
	return rc;
}

static int ksink_begin(void *vctx, const sl_batch_ctx *bc, sl_error *err)
{
	ksink *k = vctx;
	rd_kafka_error_t *e;
	int rc = SL_OK;

	k->batch = bc->batch_id;
	k->seq = 0;
	k->tag_len = (size_t)snprintf(k->tag, sizeof(k->tag), "%s:%lld:", k->query,
	                              (long long)k->batch);
	k->n_done = 0;
	k->failed = k->produced = k->skipped = k->bytes = 0;
	k->fail_msg[0] = '\0';
	if (k->done != NULL)
		memset(k->done, 0, k->done_bytes);
	kafka_tps_clear(&k->counts);
	/* The first batch of a process may be one an earlier attempt wrote. */
	if (k->first && k->intent_batch == k->batch && k->intent.n > 0) {
		rc = scan_tail(k, err);
		if (rc >= 0 && k->n_done > 0)
			sl_log(k->st, SL_LOG_INFO,
			       "batch %lld was written in part before (%lld messages): writing the "
			       "rest",
			       (long long)k->batch, (long long)k->n_done);
	}
	k->first = false;
	if (rc >= 0 && k->transactional) {
		e = rd_kafka_begin_transaction(k->rk);
		if (e != NULL)
			return txn_error(k, e, "beginning the batch's transaction", err);
		k->in_txn = true;
	}
	return rc;
}

static const char *cell(const sl_array *a, int64_t i, size_t *len)
{
	sl_strview v;

	if (!sl_array_valid(a, i)) {
		*len = 0;
		return NULL;
	}
	v = sl_array_str(a, i);
	*len = v.len;
	return v.ptr;
}

/* The user's headers of row i, then ours: KAFKA_TAG = tag + seq. */
static rd_kafka_headers_t *row_headers(ksink *k, const sl_batch *in, int64_t i, int64_t seq)
{
	rd_kafka_headers_t *h = rd_kafka_headers_new(k->c_headers >= 0 ? 8 : 1);
	char tag[128], digits[20];
	size_t n = 0, len = k->tag_len;

	if (k->c_headers >= 0 && sl_array_valid(in->columns[k->c_headers], i)) {
		const sl_array *l = in->columns[k->c_headers];
		const sl_array *st = l->children[0], *hk = st->children[0], *hv = st->children[1];
		const int32_t *off = sl_array_offsets(l);

		for (int32_t j = off[i]; j < off[i + 1]; j++) {
			size_t kl, vl;
			const char *kp = cell(hk, j, &kl), *vp = cell(hv, j, &vl);

			if (kp != NULL)
				rd_kafka_header_add(h, kp, (ssize_t)kl, vp, vp ? (ssize_t)vl : 0);
		}
	}
	memcpy(tag, k->tag, len);
	do
		digits[n++] = (char)('0' + seq % 10);
	while ((seq /= 10) > 0);
	while (n > 0)
		tag[len++] = digits[--n];
	rd_kafka_header_add(h, KAFKA_TAG, (ssize_t)(sizeof(KAFKA_TAG) - 1), tag, (ssize_t)len);
	return h;
}

static int produce_row(ksink *k, const sl_batch *in, int64_t i, int64_t seq, sl_error *err)
{
	size_t vlen = 0, klen = 0, tlen = 0;
	const char *value = cell(in->columns[k->c_value], i, &vlen);
	const char *key = k->c_key >= 0 ? cell(in->columns[k->c_key], i, &klen) : NULL;
	const char *tp = k->c_topic >= 0 ? cell(in->columns[k->c_topic], i, &tlen) : NULL;
	char topic[512];
	int32_t n_parts = 0, part;
	rd_kafka_headers_t *h = NULL;
	rd_kafka_resp_err_t e;
	int rc;

	if (tp != NULL) {
		if (tlen == 0 || tlen >= sizeof(topic))
			return sl_error_set(err, SL_EINVAL, "row %lld: column 'topic' is empty or too long",
			                    (long long)seq);
		memcpy(topic, tp, tlen);
		topic[tlen] = '\0';
	} else if (k->topic != NULL) {
		snprintf(topic, sizeof(topic), "%s", k->topic);
	} else {
		return sl_error_set(err, SL_EINVAL, "row %lld: column 'topic' is null and no topic "
		                                    "option is given",
		                    (long long)seq);
	}
	if ((rc = partitions(k, topic, &n_parts, err)) < 0 ||
	    (rc = note_topic(k, topic, n_parts, err)) < 0)
		return rc;
	if (k->c_part >= 0 && sl_array_valid(in->columns[k->c_part], i)) {
		int64_t p = sl_array_i64(in->columns[k->c_part])[i];
		if (p < 0 || p >= n_parts)
			return sl_error_set(err, SL_EINVAL,
			                    "row %lld: partition %lld is not a partition of topic %s (it "
			                    "has %d)",
			                    (long long)seq, (long long)p, topic, (int)n_parts);
		part = (int32_t)p;
	} else if (key != NULL) {
		part = rd_kafka_msg_partitioner_murmur2(NULL, key, klen, n_parts, NULL, NULL);
	} else {
		part = (int32_t)((k->batch + seq) % n_parts);
	}
	h = row_headers(k, in, i, seq);
	for (;;) {
		e = rd_kafka_producev(k->rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(part),
		                      RD_KAFKA_V_MSGFLAGS(0), /* the input is held */
		                      RD_KAFKA_V_VALUE((void *)value, vlen),
		                      RD_KAFKA_V_KEY((void *)key, klen), RD_KAFKA_V_HEADERS(h),
		                      RD_KAFKA_V_END);
		if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL)
			break;
		/* The producer's queue is full: deliveries make room. */
		rd_kafka_poll(k->rk, 10);
	}
	if (e) {
		rd_kafka_headers_destroy(h);
		return sl_error_set(err, SL_EIO, "topic %s partition %d: cannot produce: %s", topic,
		                    (int)part, rd_kafka_err2str(e));
	}
	k->produced++;
	k->bytes += (int64_t)(vlen + klen);
	k->held_bytes += (int64_t)(vlen + klen) + 64;
	return SL_OK;
}

static int ksink_process(void *vctx, size_t port, const sl_batch *in, const sl_batch_ctx *bc,
                         sl_emitter *out, sl_error *err)
{
	ksink *k = vctx;
	int rc = SL_OK;

	(void)port, (void)bc, (void)out;
	if (k->n_inputs == k->inputs_cap) {
		size_t cap = k->inputs_cap ? k->inputs_cap * 2 : 16;
		sl_batch **v = realloc(k->inputs, cap * sizeof(*v));

		if (v == NULL)
			return sl_error_set(err, SL_ENOMEM, "out of memory");
		k->inputs = v;
		k->inputs_cap = cap;
	}
	k->inputs[k->n_inputs++] = sl_batch_ref((sl_batch *)in);
	for (int64_t i = 0; i < in->n_rows && rc >= 0; i++) {
		int64_t seq = k->seq++;

		if (is_done(k, seq)) {
			k->skipped++;
			continue;
		}
		rc = produce_row(k, in, i, seq, err);
		if (k->failed > 0)
			break;
		/* Crash tests: half of the input written, acknowledged, then a
		 * power cut. */
		if (k->crash_armed && i == in->n_rows / 2) {
			rd_kafka_flush(k->rk, (int)k->timeout_ms);
			sl_crash_point("kafka-partial", k->batch);
		}
	}
	rd_kafka_poll(k->rk, 0);
	/* Many bytes held: once they are acknowledged, no message points into
	 * the inputs any more. */
	if (rc >= 0 && k->held_bytes >= KSINK_HOLD_BYTES) {
		rd_kafka_flush(k->rk, (int)k->timeout_ms);
		if (rd_kafka_outq_len(k->rk) == 0)
			release_inputs(k);
	}
	return rc;
}

/* Every message acknowledged, or the batch fails before it commits. */
static int ksink_end(void *vctx, const sl_batch_ctx *bc, sl_emitter *out, sl_error *err)
{
	ksink *k = vctx;

	int left;

	(void)bc, (void)out;
	rd_kafka_flush(k->rk, (int)k->timeout_ms);
	left = rd_kafka_outq_len(k->rk);
	if (left == 0)
		release_inputs(k);
	sl_metric_add(k->st, "messagesWritten", k->produced - k->failed);
	if (k->skipped > 0)
		sl_metric_add(k->st, "messagesWrittenBefore", k->skipped);
	sl_metric_add(k->st, "bytesWritten", k->bytes);
	if (k->failed > 0)
		return sl_error_set(err, SL_EIO,
		                    "%s (%lld messages not written); the batch is not committed and "
		                    "is written again at the next start",
		                    k->fail_msg, (long long)k->failed);
	if (left > 0)
		return sl_error_set(err, SL_EIO,
		                    "%d messages not acknowledged within delivery_timeout; the batch "
		                    "is not committed",
		                    left);
	sl_crash_point("kafka-flushed", k->batch);
	return SL_OK;
}

static int ksink_commit(void *vctx, int64_t batch_id, sl_error *err)
{
	ksink *k = vctx;
	rd_kafka_error_t *e;

	(void)batch_id;
	if (!k->in_txn)
		return SL_OK;
	e = rd_kafka_commit_transaction(k->rk, (int)k->timeout_ms);
	k->in_txn = false;
	if (e != NULL) {
		if (rd_kafka_error_txn_requires_abort(e)) {
			rd_kafka_error_t *a = rd_kafka_abort_transaction(k->rk, (int)k->timeout_ms);
			if (a != NULL)
				rd_kafka_error_destroy(a);
		}
		return txn_error(k, e, "committing the batch's transaction", err);
	}
	return SL_OK;
}

static const sl_option_spec ksink_options[] = {
    KAFKA_COMMON_OPTIONS,
    {.name = "topic",
     .type = SL_OPT_STRING,
     .doc = "the topic to write to, unless the input has a column topic"},
    {.name = "transactional",
     .type = SL_OPT_BOOL,
     .def = "false",
     .doc = "also write each batch in one Kafka transaction, committed with the batch "
            "(readers with isolation.level=read_committed never see a failed attempt); "
            "needs brokers with transactions"},
    {.name = "delivery_timeout",
     .type = SL_OPT_DURATION,
     .def = "2 minutes",
     .doc = "a batch fails when its messages are not all acknowledged within this time"},
    {0}};

const sl_plugin kafka_sink_plugin = {
    .size = sizeof(sl_plugin),
    .name = "kafka",
    .kind = SL_PLUGIN_SINK,
    .summary = "Kafka topics, exactly once (Spark's Kafka sink, which is at-least-once)",
    .doc = "Writes one message per row: value (required), key, topic, partition and "
           "headers from the input's columns of those names (STRING or BINARY; partition "
           "INT; headers ARRAY<STRUCT<key STRING, value STRING or BINARY>>), as Spark's "
           "Kafka sink.  Exactly once with a checkpoint: each message carries the header "
           "sluice = \"QUERY:BATCH:SEQ\", and a batch written again after a "
           "crash first reads what its earlier attempt left in the topic and writes only "
           "the rest; partitions are chosen deterministically (the partition column, "
           "murmur2 of the key as Kafka's default partitioner, or round robin).  An "
           "idempotent producer (acks=all); a batch commits only when every message is "
           "acknowledged, and a delivery error stops it naming topic, partition and "
           "error.  transactional = true adds one Kafka transaction per batch.",
    .options = ksink_options,
    .create = ksink_create,
    .destroy = ksink_destroy,
    .begin_batch = ksink_begin,
    .process = ksink_process,
    .end_batch = ksink_end,
    .commit = ksink_commit,
};
