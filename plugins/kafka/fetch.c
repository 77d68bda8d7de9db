/* fetch.c - the Kafka source's consumer (ksrc.h).
 *
 * Partitions stay assigned between batches, each with a queue of its own
 * (not forwarded to the consumer's queue), so the next batch's messages
 * are prefetched while the pipeline works on this one, up to
 * queued.max.messages.kbytes per partition: memory stays bounded, and
 * librdkafka stops fetching a partition whose queue is full until it is
 * read.  A batch's range is read partition by partition (topic, then
 * partition number), each in offset order - whatever the timing of the
 * fetches, a replay produces the same rows in the same order, which a sink
 * that numbers its rows (kafka) relies on.  Messages read past a range's
 * end (at most a few: a read asks for no more than the range holds) are
 * held for the next one.  When a range does
 * not start where its partition's queue stands (a replay, a seek after
 * data loss) the partition is moved there first.  The consumer's last
 * fetches also tell each partition's watermarks, so a plan needs no round
 * trip once the partitions are assigned.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ksrc.h"

int64_t ksrc_now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

int ksrc_data_loss(ksrc *s, const char *topic, int32_t part, int64_t from, int64_t to,
                   const char *what, sl_error *err)
{
	if (s->fail_on_data_loss)
		return sl_error_set(err, SL_EIO,
		                    "topic %s partition %d offset %lld: %s: data was lost (set "
		                    "fail_on_data_loss = false to go on from offset %lld)",
		                    topic, (int)part, (long long)from, what, (long long)to);
	sl_log(s->st, SL_LOG_WARN,
	       "topic %s partition %d offset %lld: %s: data was lost; going on from offset %lld",
	       topic, (int)part, (long long)from, what, (long long)to);
	if (to > from) {
		sl_metric_add(s->st, "offsetsLost", to - from);
		s->lost += to - from;
	}
	sl_metric_add(s->st, "dataLossEvents", 1);
	return SL_OK;
}

int ksrc_query(ksrc *s, const kafka_tps *of, int64_t what, kafka_tps *out, sl_error *err)
{
	rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new((int)of->n + 1);
	int rc;

	kafka_tps_clear(out);
	if (l == NULL)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	for (size_t i = 0; i < of->n; i++)
		rd_kafka_topic_partition_list_add(l, of->v[i].topic, of->v[i].partition)->offset = what;
	rc = kafka_offsets(s->rk, s->st, l, s->timeout_ms, err);
	for (int i = 0; rc >= 0 && i < l->cnt; i++) {
		rd_kafka_topic_partition_t *p = &l->elems[i];

		if (kafka_tps_set(out, p->topic, p->partition, p->offset) < 0)
			rc = sl_error_set(err, SL_ENOMEM, "out of memory");
	}
	rd_kafka_topic_partition_list_destroy(l);
	return rc;
}

/* ---- the assigned partitions ---- */

static int kp_cmp(const char *topic, int32_t partition, const kpart *e)
{
	int c = strcmp(topic, e->topic);

	return c != 0 ? c : (partition > e->partition) - (partition < e->partition);
}

static kpart *kp_find(const kparts *t, const char *topic, int32_t partition, size_t *at)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = kp_cmp(topic, partition, &t->v[mid]);

		if (c == 0)
			return &t->v[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	if (at != NULL)
		*at = lo;
	return NULL;
}

/* (topic, partition) assigned at `next` when the consumer next assigns. */
static kpart *kp_add(ksrc *s, const char *topic, int32_t partition, int64_t next)
{
	kparts *t = &s->assigned;
	size_t at = 0;
	kpart *p = kp_find(t, topic, partition, &at);
	char *name;
	rd_kafka_queue_t *q;

	if (p != NULL)
		return p;
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		kpart *v = realloc(t->v, cap * sizeof(*v));

		if (v == NULL)
			return NULL;
		t->v = v;
		t->cap = cap;
	}
	name = strdup(topic);
	q = name ? rd_kafka_queue_get_partition(s->rk, topic, partition) : NULL;
	if (q == NULL) {
		free(name);
		return NULL;
	}
	/* Its messages stay in its queue: read when its turn comes. */
	rd_kafka_queue_forward(q, NULL);
	memmove(&t->v[at + 1], &t->v[at], (t->n - at) * sizeof(*t->v));
	t->v[at] = (kpart){name, partition, next, q, NULL, 0, 0};
	t->n++;
	t->changed = true;
	return &t->v[at];
}

static void drop_held(kpart *p)
{
	for (size_t i = 0; i < p->n_held; i++)
		rd_kafka_message_destroy(p->held[i]);
	p->n_held = 0;
}

static int hold(kpart *p, rd_kafka_message_t *m)
{
	if (p->n_held == p->held_cap) {
		size_t cap = p->held_cap ? p->held_cap * 2 : 4;
		rd_kafka_message_t **h = realloc(p->held, cap * sizeof(*h));

		if (h == NULL)
			return SL_ENOMEM;
		p->held = h;
		p->held_cap = cap;
	}
	p->held[p->n_held++] = m;
	return SL_OK;
}

void ksrc_fetch_free(ksrc *s)
{
	for (size_t i = 0; i < s->assigned.n; i++) {
		drop_held(&s->assigned.v[i]);
		free(s->assigned.v[i].held);
		rd_kafka_queue_destroy(s->assigned.v[i].q);
		free(s->assigned.v[i].topic);
	}
	free(s->assigned.v);
	memset(&s->assigned, 0, sizeof(s->assigned));
}

/* The consumer's assignment: every partition at its next offset. */
static int assign_all(ksrc *s, sl_error *err)
{
	rd_kafka_topic_partition_list_t *l =
	    rd_kafka_topic_partition_list_new((int)s->assigned.n + 1);
	rd_kafka_resp_err_t e;

	if (l == NULL)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	for (size_t i = 0; i < s->assigned.n; i++) {
		kpart *p = &s->assigned.v[i];

		drop_held(p); /* fetched again from next */
		rd_kafka_topic_partition_list_add(l, p->topic, p->partition)->offset = p->next;
	}
	e = rd_kafka_assign(s->rk, l);
	rd_kafka_topic_partition_list_destroy(l);
	if (e)
		return sl_error_set(err, SL_EIO, "cannot assign the partitions: %s",
		                    rd_kafka_err2str(e));
	s->assigned.changed = false;
	return SL_OK;
}

/* Partitions whose queue does not stand at the range's start move there. */
static int seek(ksrc *s, rd_kafka_topic_partition_list_t *l, sl_error *err)
{
	rd_kafka_error_t *e;
	int rc = SL_OK;

	if (l->cnt == 0)
		return SL_OK;
	e = rd_kafka_seek_partitions(s->rk, l, (int)s->timeout_ms);
	if (e != NULL) {
		rc = sl_error_set(err, SL_EIO, "cannot move to the batch's start: %s",
		                  rd_kafka_error_string(e));
		rd_kafka_error_destroy(e);
	}
	for (int i = 0; rc >= 0 && i < l->cnt; i++)
		if (l->elems[i].err)
			rc = sl_error_set(err, SL_EIO, "topic %s partition %d: cannot move to offset %lld: %s",
			                  l->elems[i].topic, (int)l->elems[i].partition,
			                  (long long)l->elems[i].offset, rd_kafka_err2str(l->elems[i].err));
	return rc;
}

/* Every partition of s->end assigned, its queue standing at the range's
 * start (s->start). */
static int prepare(ksrc *s, sl_error *err)
{
	rd_kafka_topic_partition_list_t *moves = rd_kafka_topic_partition_list_new(4);
	int rc = SL_OK;

	if (moves == NULL)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	for (size_t i = 0; rc >= 0 && i < s->end.n; i++) {
		const kafka_tp *e = &s->end.v[i], *a = kafka_tps_find(&s->start, e->topic, e->partition);
		int64_t from = a ? a->offset : e->offset;
		kpart *p = kp_find(&s->assigned, e->topic, e->partition, NULL);

		if (p == NULL && (p = kp_add(s, e->topic, e->partition, from)) == NULL)
			rc = sl_error_set(err, SL_ENOMEM, "out of memory");
		else if (p->next != from) {
			drop_held(p);
			p->next = from;
			rd_kafka_topic_partition_list_add(moves, p->topic, p->partition)->offset = from;
		}
	}
	if (rc >= 0 && s->assigned.changed)
		rc = assign_all(s, err); /* (which puts every queue at its next) */
	else if (rc >= 0)
		rc = seek(s, moves, err);
	rd_kafka_topic_partition_list_destroy(moves);
	return rc;
}

int ksrc_follow(ksrc *s, const kafka_tps *at, sl_error *err)
{
	for (size_t i = 0; i < at->n; i++)
		if (kp_find(&s->assigned, at->v[i].topic, at->v[i].partition, NULL) == NULL &&
		    kp_add(s, at->v[i].topic, at->v[i].partition, at->v[i].offset) == NULL)
			return sl_error_set(err, SL_ENOMEM, "out of memory");
	return s->assigned.changed ? assign_all(s, err) : SL_OK;
}

/* ---- rows ---- */

static int flush_rows(ksrc *s, sl_emitter *out, sl_error *err)
{
	sl_batch *b;

	if (sl_batch_builder_rows(s->bb) == 0)
		return SL_OK;
	b = sl_batch_builder_finish(s->bb);
	s->bb_bytes = 0;
	if (b == NULL)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	return sl_emit(out, b);
}

static int append_headers(ksrc *s, rd_kafka_message_t *m)
{
	sl_builder *hb = sl_batch_builder_column(s->bb, COL_HEADERS), *eb, *kb, *vb;
	rd_kafka_headers_t *hdrs = NULL;
	const char *name;
	const void *val;
	size_t size;
	int rc;

	if (rd_kafka_message_headers(m, &hdrs) != RD_KAFKA_RESP_ERR_NO_ERROR || hdrs == NULL)
		return sl_builder_append_null(hb);
	eb = sl_builder_child(hb, 0);
	kb = sl_builder_child(eb, 0);
	vb = sl_builder_child(eb, 1);
	rc = sl_builder_list_begin(hb);
	for (size_t i = 0; rc >= 0 && rd_kafka_header_get_all(hdrs, i, &name, &val, &size) == 0;
	     i++) {
		rc = sl_builder_append_string(kb, name, strlen(name));
		if (rc >= 0)
			rc = val ? sl_builder_append_string(vb, val, size) : sl_builder_append_null(vb);
		if (rc >= 0)
			rc = sl_builder_append_struct(eb);
	}
	return rc < 0 ? rc : sl_builder_list_end(hb);
}

/* One message as a row; a batch goes out when enough rows are held. */
static int append_row(ksrc *s, rd_kafka_message_t *m, sl_emitter *out, sl_error *err)
{
	rd_kafka_timestamp_type_t tt;
	int64_t ts = rd_kafka_message_timestamp(m, &tt);
	const char *topic = rd_kafka_topic_name(m->rkt);
	sl_batch_builder *bb = s->bb;
	int rc = SL_OK;

	rc |= m->key ? sl_builder_append_string(sl_batch_builder_column(bb, COL_KEY), m->key,
	                                        m->key_len)
	             : sl_builder_append_null(sl_batch_builder_column(bb, COL_KEY));
	rc |= m->payload ? sl_builder_append_string(sl_batch_builder_column(bb, COL_VALUE),
	                                            m->payload, m->len)
	                 : sl_builder_append_null(sl_batch_builder_column(bb, COL_VALUE));
	rc |= sl_builder_append_string(sl_batch_builder_column(bb, COL_TOPIC), topic, strlen(topic));
	rc |= sl_builder_append_int64(sl_batch_builder_column(bb, COL_PARTITION), m->partition);
	rc |= sl_builder_append_int64(sl_batch_builder_column(bb, COL_OFFSET), m->offset);
	rc |= ts >= 0 ? sl_builder_append_int64(sl_batch_builder_column(bb, COL_TS), ts * 1000)
	              : sl_builder_append_null(sl_batch_builder_column(bb, COL_TS));
	rc |= sl_builder_append_int64(sl_batch_builder_column(bb, COL_TS_TYPE),
	                              tt == RD_KAFKA_TIMESTAMP_LOG_APPEND_TIME ? 1 : 0);
	if (s->headers)
		rc |= append_headers(s, m);
	if (rc < 0)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	s->bb_bytes += m->len + m->key_len + 48;
	if (sl_batch_builder_rows(bb) >= KSRC_BATCH_ROWS || s->bb_bytes >= KSRC_BATCH_BYTES)
		return flush_rows(s, out, err);
	return SL_OK;
}

/* ---- reading a range ---- */

/* Errors that are not a partition's arrive on the consumer's queue. */
static int client_events(ksrc *s, sl_error *err)
{
	rd_kafka_message_t *m;

	while ((m = rd_kafka_consumer_poll(s->rk, 0)) != NULL) {
		int fatal = m->err && rd_kafka_fatal_error(s->rk, NULL, 0);

		if (fatal)
			sl_error_set(err, SL_EIO, "kafka: %s", rd_kafka_message_errstr(m));
		else if (m->err && m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
			sl_log(s->st, SL_LOG_WARN, "kafka: %s (retrying)", rd_kafka_message_errstr(m));
		rd_kafka_message_destroy(m);
		if (fatal)
			return SL_EIO;
	}
	return SL_OK;
}

/* One message or event of partition p, whose range is [from, end);
 * *done: the range is complete.  A message past the end is held. */
static int on_message(ksrc *s, kpart *p, int64_t from, int64_t end, rd_kafka_message_t *m,
                      bool *done, sl_emitter *out, sl_error *err)
{
	int rc = SL_OK;

	if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
		*done = m->offset >= end;
	} else if (m->err == RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE) {
		*done = true;
		rc = ksrc_data_loss(s, p->topic, p->partition, m->offset, end,
		                    "the offset is gone while it was read", err);
	} else if (m->err) {
		if (rd_kafka_fatal_error(s->rk, NULL, 0))
			rc = sl_error_set(err, SL_EIO, "topic %s partition %d: %s", p->topic,
			                  (int)p->partition, rd_kafka_message_errstr(m));
		else
			sl_log(s->st, SL_LOG_WARN, "topic %s partition %d: %s (retrying)", p->topic,
			       (int)p->partition, rd_kafka_message_errstr(m));
	} else if (m->offset >= end) {
		*done = true; /* the next range's: kept for it */
		return hold(p, m) < 0 ? sl_error_set(err, SL_ENOMEM, "out of memory") : SL_OK;
	} else {
		*done = m->offset + 1 >= end;
		if (m->offset >= from)
			rc = append_row(s, m, out, err);
	}
	rd_kafka_message_destroy(m);
	return rc;
}

/* Reads [from, end) of partition p. */
static int read_partition(ksrc *s, kpart *p, int64_t from, int64_t end, sl_emitter *out,
                          sl_error *err)
{
	rd_kafka_message_t *msgs[1024], **held = p->held;
	int64_t last_progress = ksrc_now_ms(), at = from;
	size_t n_held = p->n_held;
	bool done = false;
	int rc = SL_OK;

	/* What the last range read past its end comes first. */
	p->held = NULL;
	p->n_held = p->held_cap = 0;
	for (size_t i = 0; i < n_held; i++) {
		if (rc >= 0 && !done) {
			at = held[i]->offset + 1;
			rc = on_message(s, p, from, end, held[i], &done, out, err);
		} else if (rc >= 0 && hold(p, held[i]) < 0) {
			rc = sl_error_set(err, SL_ENOMEM, "out of memory");
		} else if (rc < 0) {
			rd_kafka_message_destroy(held[i]);
		}
	}
	free(held);
	while (!done && rc >= 0) {
		/* What is there, at once (never more than the range can hold:
		 * what comes past its end is held); else wait for one message. */
		size_t want = end - at < 1024 ? (size_t)(end - at) : 1024;
		ssize_t n = rd_kafka_consume_batch_queue(p->q, 0, msgs, want ? want : 1);

		if (n == 0) {
			msgs[0] = rd_kafka_consume_queue(p->q, KSRC_POLL_MS);
			n = msgs[0] != NULL;
		}
		if (n < 0)
			return sl_error_set(err, SL_EIO, "cannot consume: %s",
			                    rd_kafka_err2str(rd_kafka_last_error()));
		for (ssize_t i = 0; i < n; i++) {
			if (!msgs[i]->err)
				at = msgs[i]->offset + 1;
			if (rc >= 0 && !done)
				rc = on_message(s, p, from, end, msgs[i], &done, out, err);
			else if (rc >= 0 && !msgs[i]->err && hold(p, msgs[i]) >= 0)
				continue; /* past the end: the next range's */
			else
				rd_kafka_message_destroy(msgs[i]);
		}
		if (n > 0) {
			last_progress = ksrc_now_ms();
			continue;
		}
		if ((rc = client_events(s, err)) < 0)
			break;
		if (sl_stopping(s->st))
			rc = sl_error_set(err, SL_ESTATE, "stopped while reading a batch");
		else if (ksrc_now_ms() - last_progress > s->timeout_ms)
			rc = sl_error_set(err, SL_EIO,
			                  "topic %s partition %d: no data from the brokers for %lld ms "
			                  "while reading the batch's range (fetch_timeout)",
			                  p->topic, (int)p->partition, (long long)s->timeout_ms);
	}
	if (rc >= 0)
		p->next = end;
	return rc;
}

int ksrc_read_range(ksrc *s, sl_emitter *out, sl_error *err)
{
	int rc = prepare(s, err);

	for (size_t i = 0; rc >= 0 && i < s->end.n; i++) {
		const kafka_tp *e = &s->end.v[i], *a = kafka_tps_find(&s->start, e->topic, e->partition);
		int64_t from = a ? a->offset : e->offset;
		kpart *p = kp_find(&s->assigned, e->topic, e->partition, NULL);

		if (from < e->offset)
			rc = read_partition(s, p, from, e->offset, out, err);
	}
	if (rc >= 0)
		rc = flush_rows(s, out, err);
	if (rc < 0) /* a failed batch: the queues do not stand where recorded */
		for (size_t i = 0; i < s->assigned.n; i++)
			s->assigned.v[i].next = -1;
	return rc;
}

/* ---- watermarks ---- */

int ksrc_watermarks(ksrc *s, const kafka_tps *parts, kafka_tps *lo, kafka_tps *hi, sl_error *err)
{
	kafka_tps ask = {0}, alo = {0}, ahi = {0};
	int rc = SL_OK;

	kafka_tps_clear(lo);
	kafka_tps_clear(hi);
	for (size_t i = 0; rc >= 0 && i < parts->n; i++) {
		const kafka_tp *p = &parts->v[i];
		int64_t l = -1, h = -1;

		/* A partition the consumer fetches knows both from its last
		 * fetch (the end is the last stable offset: read_committed). */
		if (kp_find(&s->assigned, p->topic, p->partition, NULL) != NULL &&
		    rd_kafka_get_watermark_offsets(s->rk, p->topic, p->partition, &l, &h) ==
		        RD_KAFKA_RESP_ERR_NO_ERROR &&
		    l >= 0 && h >= 0) {
			if (kafka_tps_set(lo, p->topic, p->partition, l) < 0 ||
			    kafka_tps_set(hi, p->topic, p->partition, h) < 0)
				rc = SL_ENOMEM;
		} else if (kafka_tps_set(&ask, p->topic, p->partition, -1) < 0) {
			rc = SL_ENOMEM;
		}
	}
	if (rc < 0)
		rc = sl_error_set(err, SL_ENOMEM, "out of memory");
	if (rc >= 0 && ask.n > 0 &&
	    ((rc = ksrc_query(s, &ask, RD_KAFKA_OFFSET_BEGINNING, &alo, err)) < 0 ||
	     (rc = ksrc_query(s, &ask, RD_KAFKA_OFFSET_END, &ahi, err)) < 0))
		goto out;
	for (size_t i = 0; rc >= 0 && i < ask.n; i++)
		if (kafka_tps_set(lo, alo.v[i].topic, alo.v[i].partition, alo.v[i].offset) < 0 ||
		    kafka_tps_set(hi, ahi.v[i].topic, ahi.v[i].partition, ahi.v[i].offset) < 0)
			rc = sl_error_set(err, SL_ENOMEM, "out of memory");
out:
	kafka_tps_free(&ask);
	kafka_tps_free(&alo);
	kafka_tps_free(&ahi);
	return rc;
}
