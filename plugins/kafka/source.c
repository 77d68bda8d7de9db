/* source.c - the Kafka source, as Spark's: topics by name, by pattern or
 * by partition; offsets in sluice's offset log per topic-partition (never
 * consumer-group commits), so a replay reads exactly the logged range.
 *
 * plan() looks at the partitions there are (new ones start at their
 * earliest offset), checks the logged offsets against what the brokers
 * still hold (fail_on_data_loss), and ends each partition's range at its
 * end offset - the last stable offset: the consumer reads committed data
 * only - bounded by max_offsets_per_trigger in proportion to each
 * partition's backlog; with available-now, by the end offsets seen at the
 * first plan.  read() assigns the partitions at the range's start and
 * consumes until every partition reached its end, emitting the rows in
 * batches of at most KSRC_BATCH_ROWS rows or KSRC_BATCH_BYTES bytes, each
 * pushed through the pipeline before more is fetched: librdkafka's
 * prefetch queue is bounded too, so memory stays bounded however long the
 * range.  Offsets are {"topic": {"partition": next offset to read}}.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ksrc.h"

/* ---- options ---- */

static void ksrc_destroy(void *vctx)
{
	ksrc *s = vctx;

	if (s == NULL)
		return;
	if (s->rk != NULL) {
		ksrc_fetch_free(s);
		rd_kafka_consumer_close(s->rk);
		rd_kafka_destroy(s->rk);
	}
	for (size_t i = 0; i < s->n_topics; i++)
		free(s->topics[i]);
	free(s->topics);
	pcre2_match_data_free(s->match);
	pcre2_code_free(s->pattern);
	kafka_tps_free(&s->assign);
	free(s->chk_dir);
	free(s->initial);
	kafka_tps_free(&s->ceiling);
	kafka_tps_free(&s->parts);
	kafka_tps_free(&s->start);
	kafka_tps_free(&s->end);
	kafka_tps_free(&s->lo);
	kafka_tps_free(&s->hi);
	kafka_tps_free(&s->fresh);
	sl_batch_builder_free(s->bb);
	sl_type_unref(s->schema);
	free(s);
}

static int parse_what(ksrc *s, const sl_options *o, sl_error *err)
{
	const char *pat = sl_opt_string(o, "subscribe_pattern"), *as = sl_opt_string(o, "assign");
	size_t n = sl_opt_list_len(o, "subscribe");
	int given = (n > 0) + (pat != NULL) + (as != NULL), code;
	PCRE2_SIZE at;

	if (given != 1)
		return sl_error_at(err, SL_EINVAL, given ? "subscribe_pattern" : "subscribe", -1,
		                   "give exactly one of subscribe (topics), subscribe_pattern (a "
		                   "regular expression) or assign (topic-partitions)");
	if (n > 0) {
		s->topics = calloc(n, sizeof(*s->topics));
		if (s->topics == NULL)
			return sl_error_set(err, SL_ENOMEM, "out of memory");
		for (size_t i = 0; i < n; i++) {
			const char *t = sl_opt_list_at(o, "subscribe", i);

			if (!kafka_topic_valid(t))
				return sl_error_at(err, SL_EINVAL, "subscribe", -1,
				                   "'%.64s' is not a topic name (1 to 249 of a-z A-Z 0-9 . "
				                   "_ -)",
				                   t);
			s->topics[i] = strdup(t);
			if (s->topics[i] == NULL)
				return sl_error_set(err, SL_ENOMEM, "out of memory");
			s->n_topics++;
		}
		return SL_OK;
	}
	if (pat != NULL) {
		s->pattern = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, 0, &code, &at, NULL);
		if (s->pattern == NULL) {
			PCRE2_UCHAR msg[200];
			pcre2_get_error_message(code, msg, sizeof(msg));
			return sl_error_at(err, SL_EINVAL, "subscribe_pattern", (int)at,
			                   "not a regular expression: %s", (const char *)msg);
		}
		s->match = pcre2_match_data_create_from_pattern(s->pattern, NULL);
		return s->match ? SL_OK : sl_error_set(err, SL_ENOMEM, "out of memory");
	}
	return kafka_tps_parse_assign(as, &s->assign, err);
}

/* starting_offsets: earliest, latest or {"topic": {"0": 23, "1": -2}}. */
static int check_starting(ksrc *s, sl_error *err)
{
	kafka_tps t = {0};
	int rc;

	if (strcmp(s->starting, "earliest") == 0 || strcmp(s->starting, "latest") == 0)
		return SL_OK;
	rc = kafka_tps_parse(s->starting, &t, err);
	kafka_tps_free(&t);
	if (rc < 0) {
		err->option = "starting_offsets";
		sl_error_prefix(err, "expected earliest, latest or per-partition JSON");
	}
	return rc;
}

static sl_schema *make_schema(bool headers)
{
	sl_field h[2] = {{(char *)"key", sl_type_string(), true},
	                 {(char *)"value", sl_type_binary(), true}};
	sl_type *hs = headers ? sl_type_struct(2, h) : NULL;
	sl_type *ht = hs ? sl_type_list(hs, false) : NULL;
	sl_field f[8] = {
	    {(char *)"key", sl_type_binary(), true},
	    {(char *)"value", sl_type_binary(), true},
	    {(char *)"topic", sl_type_string(), false},
	    {(char *)"partition", sl_type_int64(), false},
	    {(char *)"offset", sl_type_int64(), false},
	    {(char *)"timestamp", sl_type_timestamp(), true},
	    {(char *)"timestampType", sl_type_int64(), false},
	    {(char *)"headers", ht, true},
	};
	sl_schema *s = sl_type_struct(headers ? 8 : 7, f);

	sl_type_unref(hs);
	sl_type_unref(ht);
	return s;
}

static const kafka_fixed fixed[] = {
    {"enable.auto.commit", "false",
     "offsets live in sluice's checkpoint, never in consumer-group commits"},
    {"enable.auto.offset.store", "false", "offsets live in sluice's checkpoint"},
    {"auto.offset.reset", "error", "use starting_offsets (and fail_on_data_loss)"},
    {"enable.partition.eof", "true", "the source needs to know where a partition ends"},
    {"isolation.level", "read_committed",
     "the source reads committed data only, so that what it reads is final"},
    {"group.id", NULL, "the source assigns partitions itself; no consumer group is used"},
};

/* Changeable: a batch does not wait for a broker's long poll, and the
 * prefetch per partition is bounded (fetching pauses while the pipeline
 * works). */
static const kafka_fixed defaults[] = {
    {"fetch.wait.max.ms", "10", NULL},
    {"queued.max.messages.kbytes", "1024", NULL},
};

/* A consumer that is assigned partitions, never subscribes. */
static int make_consumer(ksrc *s, const sl_stage_init *init, sl_error *err)
{
	rd_kafka_conf_t *conf;
	char errstr[512], group[128];
	int rc;

	rc = kafka_conf_new(init->options, defaults, sizeof(defaults) / sizeof(defaults[0]), fixed,
	                    sizeof(fixed) / sizeof(fixed[0]), &conf, err);
	if (rc < 0)
		return rc;
	/* librdkafka wants a group id even for assign(); nothing is committed. */
	snprintf(group, sizeof(group), "sluice-source-%s", init->stage_name);
	rd_kafka_conf_set(conf, "group.id", group, errstr, sizeof(errstr));
	kafka_conf_callbacks(conf, s);
	if (init->dry_run) {
		rd_kafka_conf_destroy(conf);
		return SL_OK;
	}
	s->rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof(errstr));
	if (s->rk == NULL) {
		rd_kafka_conf_destroy(conf);
		return sl_error_set(err, SL_EINVAL, "cannot create the Kafka consumer: %s", errstr);
	}
	return SL_OK;
}

static int ksrc_create(const sl_stage_init *init, void **out, sl_schema **out_schema,
                       sl_error *err)
{
	const sl_options *o = init->options;
	ksrc *s = calloc(1, sizeof(*s));
	int rc;

	if (s == NULL)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	s->st = init->self;
	s->starting = sl_opt_string(o, "starting_offsets");
	s->starting_ts = sl_opt_is_set(o, "starting_timestamp") ? sl_opt_int(o, "starting_timestamp")
	                                                        : -1;
	s->max_offsets = sl_opt_int(o, "max_offsets_per_trigger");
	s->fail_on_data_loss = sl_opt_bool(o, "fail_on_data_loss");
	s->headers = sl_opt_bool(o, "include_headers");
	s->timeout_ms = sl_opt_duration_us(o, "fetch_timeout") / 1000;
	s->available_now = init->size > offsetof(sl_stage_init, available_now) &&
	                   init->available_now;
	if (init->checkpoint_dir != NULL &&
	    asprintf(&s->chk_dir, "%s/sources/%s", init->checkpoint_dir, init->stage_name) < 0)
		s->chk_dir = NULL;
	if (s->max_offsets < 0)
		rc = sl_error_at(err, SL_EINVAL, "max_offsets_per_trigger", -1,
		                 "must be >= 0 (0: no limit)");
	else if (s->timeout_ms <= 0)
		rc = sl_error_at(err, SL_EINVAL, "fetch_timeout", -1, "must be > 0");
	else
		rc = parse_what(s, o, err);
	if (rc >= 0)
		rc = check_starting(s, err);
	if (rc >= 0) {
		s->schema = make_schema(s->headers);
		s->bb = s->schema ? sl_batch_builder_new(s->schema, 1024) : NULL;
		if (s->bb == NULL)
			rc = sl_error_set(err, SL_ENOMEM, "out of memory");
	}
	if (rc >= 0)
		rc = make_consumer(s, init, err);
	if (rc < 0) {
		ksrc_destroy(s);
		return rc;
	}
	*out_schema = sl_type_ref(s->schema);
	*out = s;
	return SL_OK;
}

/* ---- partitions and offsets ---- */

static bool wanted(ksrc *s, const char *topic)
{
	if (s->pattern != NULL)
		return pcre2_match(s->pattern, (PCRE2_SPTR)topic, PCRE2_ZERO_TERMINATED, 0,
		                   PCRE2_ANCHORED | PCRE2_ENDANCHORED, s->match, NULL) >= 0;
	for (size_t i = 0; i < s->n_topics; i++)
		if (strcmp(s->topics[i], topic) == 0)
			return true;
	return false;
}

/* s->parts: the partitions to read now, looked up again at most every
 * KSRC_META_REFRESH_MS (a plan is then local: watermarks come from the
 * consumer's fetches). */
static int discover(ksrc *s, sl_error *err)
{
	const struct rd_kafka_metadata *md = NULL;
	rd_kafka_resp_err_t e;
	int rc = SL_OK;

	if (s->meta_at != 0 && ksrc_now_ms() - s->meta_at < KSRC_META_REFRESH_MS)
		return SL_OK;
	kafka_tps_clear(&s->parts);
	e = rd_kafka_metadata(s->rk, 1, NULL, &md, KSRC_META_MS);
	if (e)
		return sl_error_set(err, SL_EIO, "cannot list the topics: %s", rd_kafka_err2str(e));
	for (size_t i = 0; i < s->assign.n && rc >= 0; i++)
		rc = kafka_tps_set(&s->parts, s->assign.v[i].topic, s->assign.v[i].partition, -1);
	for (int t = 0; s->assign.n == 0 && t < md->topic_cnt && rc >= 0; t++) {
		const rd_kafka_metadata_topic_t *mt = &md->topics[t];

		if (mt->err || !wanted(s, mt->topic) || strncmp(mt->topic, "__", 2) == 0)
			continue;
		for (int p = 0; p < mt->partition_cnt && rc >= 0; p++)
			rc = kafka_tps_set(&s->parts, mt->topic, mt->partitions[p].id, -1);
	}
	rd_kafka_metadata_destroy(md);
	s->meta_at = ksrc_now_ms();
	return rc < 0 ? sl_error_set(err, SL_ENOMEM, "out of memory") : SL_OK;
}

/* Where a partition starts when the offset log does not have it: the
 * starting options for a new query, its earliest offset for a partition
 * that appeared later (as Spark). */
static int64_t initial(ksrc *s, const kafka_tp *p, bool first, const kafka_tps *by_ts,
                       const kafka_tps *given)
{
	int64_t lo = kafka_tps_find(&s->lo, p->topic, p->partition)->offset;
	int64_t hi = kafka_tps_find(&s->hi, p->topic, p->partition)->offset;
	const kafka_tp *x;

	if (!first)
		return lo;
	if (s->starting_ts >= 0) {
		x = kafka_tps_find(by_ts, p->topic, p->partition);
		return x != NULL && x->offset >= 0 ? x->offset : hi;
	}
	if (given != NULL) {
		x = kafka_tps_find(given, p->topic, p->partition);
		if (x == NULL || x->offset == -1)
			return hi;
		return x->offset == -2 ? lo : x->offset;
	}
	return strcmp(s->starting, "earliest") == 0 ? lo : hi;
}

/* s->start: every partition's start: the logged one, checked, or where a
 * new partition starts. */
static int starts(ksrc *s, const char *logged, sl_error *err)
{
	kafka_tps prev = {0}, by_ts = {0}, given = {0};
	bool first = logged == NULL, json = strcmp(s->starting, "earliest") != 0 &&
	                                    strcmp(s->starting, "latest") != 0;
	int rc = SL_OK;

	kafka_tps_clear(&s->start);
	if (logged != NULL && (rc = kafka_tps_parse(logged, &prev, err)) < 0)
		goto out;
	if (first && s->starting_ts >= 0 &&
	    (rc = ksrc_query(s, &s->parts, s->starting_ts, &by_ts, err)) < 0)
		goto out;
	if (first && json && s->starting_ts < 0 && (rc = kafka_tps_parse(s->starting, &given, err)) < 0)
		goto out;
	/* Partitions of the log that are gone. */
	for (size_t i = 0; i < prev.n && rc >= 0; i++)
		if (kafka_tps_find(&s->parts, prev.v[i].topic, prev.v[i].partition) == NULL)
			rc = ksrc_data_loss(s, prev.v[i].topic, prev.v[i].partition, prev.v[i].offset,
			               prev.v[i].offset, "the partition no longer exists", err);
	for (size_t i = 0; i < s->parts.n && rc >= 0; i++) {
		const kafka_tp *p = &s->parts.v[i], *l = kafka_tps_find(&prev, p->topic, p->partition);
		int64_t lo = kafka_tps_find(&s->lo, p->topic, p->partition)->offset;
		int64_t hi = kafka_tps_find(&s->hi, p->topic, p->partition)->offset;
		int64_t at = l ? l->offset : initial(s, p, first, &by_ts, json ? &given : NULL);

		if (l != NULL && at < lo) {
			rc = ksrc_data_loss(s, p->topic, p->partition, at, lo,
			               "the offset is below the partition's earliest (removed by "
			               "retention?)",
			               err);
			at = lo;
		} else if (l != NULL && at > hi) {
			rc = ksrc_data_loss(s, p->topic, p->partition, at, lo,
			               "the offset is beyond the partition's end (the topic was "
			               "recreated?)",
			               err);
			at = lo;
		} else if (at < lo || at > hi) {
			at = at < lo ? lo : hi; /* a starting offset out of range */
		}
		if (rc >= 0 && kafka_tps_set(&s->start, p->topic, p->partition, at) < 0)
			rc = sl_error_set(err, SL_ENOMEM, "out of memory");
	}
out:
	kafka_tps_free(&prev);
	kafka_tps_free(&by_ts);
	kafka_tps_free(&given);
	return rc;
}

/* s->end from s->start and s->hi: the ceiling, then the rate limit in
 * proportion to each partition's backlog; *n: the offsets to read. */
static int ends(ksrc *s, int64_t *n_out, sl_error *err)
{
	int64_t total = 0, given = 0;

	kafka_tps_clear(&s->end);
	for (size_t i = 0; i < s->start.n; i++) {
		const kafka_tp *p = &s->start.v[i], *c;
		int64_t hi = kafka_tps_find(&s->hi, p->topic, p->partition)->offset;

		if (s->have_ceiling) {
			c = kafka_tps_find(&s->ceiling, p->topic, p->partition);
			hi = c == NULL ? p->offset : (c->offset < hi ? c->offset : hi);
		}
		if (hi < p->offset)
			hi = p->offset;
		if (kafka_tps_set(&s->end, p->topic, p->partition, hi) < 0)
			return sl_error_set(err, SL_ENOMEM, "out of memory");
		total += hi - p->offset;
	}
	*n_out = total;
	if (s->max_offsets == 0 || total <= s->max_offsets)
		return SL_OK;
	for (size_t i = 0; i < s->end.n; i++) {
		kafka_tp *e = &s->end.v[i];
		int64_t from = s->start.v[i].offset, backlog = e->offset - from;
		int64_t share = (int64_t)((double)backlog * (double)s->max_offsets / (double)total);

		e->offset = from + share;
		given += share;
	}
	/* What rounding left, to the partitions with the most behind. */
	for (size_t i = 0; given < s->max_offsets && i < s->end.n; i++) {
		kafka_tp *e = &s->end.v[i];
		int64_t hi = kafka_tps_find(&s->hi, e->topic, e->partition)->offset;

		if (e->offset < hi) {
			e->offset++;
			given++;
		}
	}
	*n_out = given;
	return SL_OK;
}

/* Offsets behind the end, for the progress line. */
static void report_lag(ksrc *s, const kafka_tps *upto)
{
	int64_t sum = 0, max = 0;

	for (size_t i = 0; i < upto->n; i++) {
		const kafka_tp *h = kafka_tps_find(&s->hi, upto->v[i].topic, upto->v[i].partition);
		int64_t behind = h ? h->offset - upto->v[i].offset : 0;

		sum += behind > 0 ? behind : 0;
		max = behind > max ? behind : max;
	}
	sl_metric_add(s->st, "offsetsBehindLatest", sum);
	sl_metric_add(s->st, "maxOffsetsBehindLatest", max);
}

/* Where a new query starts is fixed once, before its first batch, as
 * Spark's initial offset: kept in CHK/sources/STAGE/initial, so that a
 * query restarted before it read anything does not resolve "latest" anew
 * (and skip what arrived meanwhile). */
static int initial_offsets(ksrc *s, const char **out, sl_error *err)
{
	sl_strbuf sb = {0};
	char *path = NULL, *text = NULL;
	FILE *f;
	int rc = SL_OK;

	if (s->initial != NULL) {
		*out = s->initial;
		return SL_OK;
	}
	if (s->chk_dir != NULL && asprintf(&path, "%s/initial", s->chk_dir) >= 0 &&
	    (f = fopen(path, "r")) != NULL) {
		size_t cap = 0;
		ssize_t n = getline(&text, &cap, f);

		fclose(f);
		free(path);
		if (n <= 0) {
			free(text);
			return sl_error_set(err, SL_EIO, "%s/initial is empty", s->chk_dir);
		}
		text[strcspn(text, "\n")] = '\0';
		s->initial = text;
		*out = s->initial;
		return SL_OK;
	}
	if ((rc = starts(s, NULL, err)) >= 0 &&
	    (kafka_tps_format(&s->start, &sb) < 0 || sl_strbuf_puts(&sb, "\n") < 0 ||
	     (s->chk_dir != NULL && path == NULL)))
		rc = sl_error_set(err, SL_ENOMEM, "out of memory");
	if (rc >= 0 && s->chk_dir != NULL && (rc = sl_mkdirs(s->chk_dir, err)) >= 0)
		rc = sl_write_file(path, sb.buf, sb.len, SL_FILE_SYNC, err);
	free(path);
	if (rc < 0) {
		sl_strbuf_free(&sb);
		return rc;
	}
	sb.buf[sb.len - 1] = '\0';
	s->initial = sb.buf; /* taken over */
	*out = s->initial;
	return SL_OK;
}

/* s->fresh: the partitions whose start is not the one `start` gives: new
 * ones, and ones moved on after data loss. */
static int new_partitions(ksrc *s, const char *start, sl_error *err)
{
	kafka_tps prev = {0};
	int rc = kafka_tps_parse(start, &prev, err);

	kafka_tps_clear(&s->fresh);
	for (size_t i = 0; rc >= 0 && i < s->start.n; i++) {
		const kafka_tp *p = &s->start.v[i], *l = kafka_tps_find(&prev, p->topic, p->partition);

		if ((l == NULL || l->offset != p->offset) &&
		    kafka_tps_set(&s->fresh, p->topic, p->partition, p->offset) < 0)
			rc = sl_error_set(err, SL_ENOMEM, "out of memory");
	}
	kafka_tps_free(&prev);
	return rc;
}

static int ksrc_plan(void *vctx, const char *start, sl_strbuf *end, sl_error *err)
{
	ksrc *s = vctx;
	int64_t n = 0;
	int rc;

	if ((rc = discover(s, err)) < 0 || (rc = ksrc_watermarks(s, &s->parts, &s->lo, &s->hi, err)) < 0)
		return rc;
	if (s->available_now && !s->have_ceiling) {
		for (size_t i = 0; i < s->hi.n; i++)
			if (kafka_tps_set(&s->ceiling, s->hi.v[i].topic, s->hi.v[i].partition,
			                  s->hi.v[i].offset) < 0)
				return sl_error_set(err, SL_ENOMEM, "out of memory");
		s->have_ceiling = true;
	}
	if (start == NULL && (rc = initial_offsets(s, &start, err)) < 0)
		return rc;
	if ((rc = starts(s, start, err)) < 0 || (rc = ends(s, &n, err)) < 0 ||
	    (rc = ksrc_follow(s, &s->start, err)) < 0)
		return rc;
	if (n == 0)
		return s->available_now ? SL_EOF : SL_AGAIN;
	/* Partitions that do not start where the last batch ended (new ones,
	 * or moved on after data loss) carry where they start, under "$start",
	 * so that read, and a replay, read the planned range. */
	if ((rc = new_partitions(s, start, err)) < 0)
		return rc;
	if (kafka_tps_format_with(&s->end, "$start", &s->fresh, end) < 0)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	report_lag(s, &s->end);
	return SL_OK;
}

/* ---- reading (fetch.c) ---- */

static int ksrc_read(void *vctx, const char *start, const char *end, const sl_batch_ctx *bc,
                     sl_emitter *out, sl_error *err)
{
	ksrc *s = vctx;
	int rc;

	(void)bc;
	kafka_tps_clear(&s->start);
	/* The first batch starts where the query started. */
	if (start == NULL && (rc = initial_offsets(s, &start, err)) < 0)
		return rc;
	/* A replay comes without a plan: the client learns the partitions'
	 * leaders first, or its first fetch waits for a metadata refresh. */
	if (s->meta_at == 0 && (rc = discover(s, err)) < 0)
		return rc;
	if ((rc = kafka_tps_parse(start, &s->start, err)) < 0 ||
	    (rc = kafka_tps_parse_under(end, "$start", &s->start, err)) < 0 ||
	    (rc = kafka_tps_parse(end, &s->end, err)) < 0)
		return rc;
	return ksrc_read_range(s, out, err);
}

/* ---- the descriptor ---- */

static const sl_option_spec ksrc_options[] = {
    KAFKA_COMMON_OPTIONS,
    {.name = "subscribe",
     .type = SL_OPT_STRING_LIST,
     .doc = "topics to read, a list (new partitions are read from their earliest offset)"},
    {.name = "subscribe_pattern",
     .type = SL_OPT_STRING,
     .doc = "or: every topic whose whole name matches this regular expression (PCRE2), "
            "found again at every trigger"},
    {.name = "assign",
     .type = SL_OPT_STRING,
     .doc = "or: the topic-partitions to read, JSON {\"topic\": [0, 1], ...}"},
    {.name = "starting_offsets",
     .type = SL_OPT_STRING,
     .def = "latest",
     .doc = "where a new query starts: earliest, latest, or JSON {\"topic\": {\"0\": 23, "
            "\"1\": -2}} (-2 earliest, -1 latest); a restart continues from the checkpoint"},
    {.name = "starting_timestamp",
     .type = SL_OPT_INT,
     .doc = "or: start at the first message whose timestamp is at or after this time "
            "(milliseconds since the epoch), in every partition"},
    {.name = "max_offsets_per_trigger",
     .type = SL_OPT_INT,
     .def = "0",
     .doc = "at most this many offsets per micro-batch, shared by the partitions in "
            "proportion to their backlog (0: no limit)"},
    {.name = "fail_on_data_loss",
     .type = SL_OPT_BOOL,
     .def = "true",
     .doc = "stop when data the offset log points at is gone (retention, a deleted or "
            "recreated topic), naming topic, partition and offset; false: warn, count "
            "(offsetsLost) and go on"},
    {.name = "include_headers",
     .type = SL_OPT_BOOL,
     .def = "false",
     .doc = "add the column headers ARRAY<STRUCT<key STRING, value BINARY>>"},
    {.name = "fetch_timeout",
     .type = SL_OPT_DURATION,
     .def = "2 minutes",
     .doc = "a batch fails when the brokers send nothing of its range for this long"},
    {0}};

const sl_plugin kafka_source_plugin = {
    .size = sizeof(sl_plugin),
    .name = "kafka",
    .kind = SL_PLUGIN_SOURCE,
    .flags = SL_PLUGIN_REPLAYABLE,
    .summary = "Kafka topics (Spark's Kafka source): offsets in the checkpoint, exact replay",
    .doc = "Reads Kafka topics through librdkafka as Spark's Kafka source does.  Output: "
           "key BINARY, value BINARY, topic STRING, partition INT, offset BIGINT, timestamp "
           "TIMESTAMP, timestampType INT (0 create time, 1 log-append time) and, with "
           "include_headers, headers.  CAST(value AS STRING), from_json, from_csv and "
           "from_avro read the value.  Each micro-batch is a range of offsets per "
           "topic-partition, logged in the checkpoint before it is read, so a replay reads "
           "exactly that range; consumer groups are not used.  Only committed data is read "
           "(isolation.level read_committed).  With --trigger available-now the run ends "
           "at the end offsets seen when it started.  Rows are emitted in batches of at "
           "most 65,536 rows or 16 MB, and fetching pauses while they are processed.",
    .options = ksrc_options,
    .create = ksrc_create,
    .destroy = ksrc_destroy,
    .plan = ksrc_plan,
    .read = ksrc_read,
};
