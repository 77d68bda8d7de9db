/* ksrc.h - the Kafka source's internals, shared by source.c (options,
 * planning: what each batch reads) and fetch.c (the consumer: partitions
 * kept assigned between batches, ranges read, watermarks, data loss).
 * fetch.c depends on nothing of source.c. */
#ifndef SLUICE_PLUGIN_KSRC_H
#define SLUICE_PLUGIN_KSRC_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "kafka.h"

#define KSRC_BATCH_ROWS 65536
#define KSRC_BATCH_BYTES ((size_t)16 << 20)
#define KSRC_POLL_MS 100
#define KSRC_META_MS 10000
/* Topics and partitions are looked up again at most this often. */
#define KSRC_META_REFRESH_MS 1000

enum { COL_KEY, COL_VALUE, COL_TOPIC, COL_PARTITION, COL_OFFSET, COL_TS, COL_TS_TYPE, COL_HEADERS };

/* A partition the consumer has assigned, and where its queue stands. */
typedef struct kpart {
	char *topic;
	int32_t partition;
	int64_t next;             /* the offset the queue gives next */
	rd_kafka_queue_t *q;      /* its own queue, not forwarded */
	/* read from the queue past the last range's end, in offset order */
	rd_kafka_message_t **held;
	size_t n_held, held_cap;
} kpart;

typedef struct kparts {
	kpart *v; /* sorted by topic, then partition */
	size_t n, cap;
	bool changed; /* entries added since the last assign */
} kparts;

typedef struct ksrc {
	sl_stage *st; /* first: the clients' opaque (kafka.h) */
	sl_schema *schema;
	rd_kafka_t *rk; /* the consumer; NULL on dry runs */

	/* what to read: subscribe (a list), subscribe_pattern or assign */
	char **topics;
	size_t n_topics;
	pcre2_code *pattern;
	pcre2_match_data *match;
	kafka_tps assign;

	/* where a new query starts */
	const char *starting; /* "earliest", "latest" or per-partition JSON */
	int64_t starting_ts;  /* starting_timestamp (ms), or -1 */
	int64_t max_offsets;  /* max_offsets_per_trigger, 0: none */
	bool fail_on_data_loss;
	bool headers;
	int64_t timeout_ms; /* fetch_timeout */

	char *chk_dir; /* CHK/sources/STAGE, or NULL without a checkpoint */
	char *initial; /* where the query started (JSON), once known */

	bool available_now;
	bool have_ceiling;
	kafka_tps ceiling; /* available-now: the end offsets at the first plan */

	kafka_tps parts;  /* the partitions there are, offsets unused */
	int64_t meta_at;  /* when parts was looked up (ms, monotonic); 0: never */
	kafka_tps start, end, lo, hi;
	kafka_tps fresh;  /* partitions new in the planned batch, at their start */
	kparts assigned;  /* the consumer's partitions */
	sl_batch_builder *bb;
	size_t bb_bytes;
	int64_t lost; /* offsets lost to data loss, this run */
} ksrc;

/* ---- fetch.c ---- */

int64_t ksrc_now_ms(void);
/* The partitions' first and next-to-write offsets (lo, hi; hi is the last
 * stable offset: committed data only): from the consumer's last fetches
 * where it has them (no round trip), else asked of the brokers. */
int ksrc_watermarks(ksrc *s, const kafka_tps *parts, kafka_tps *lo, kafka_tps *hi, sl_error *err);
/* The offsets of every partition in `of` for `what` (a timestamp in ms, or
 * RD_KAFKA_OFFSET_BEGINNING / _END) into out, asked of the brokers. */
int ksrc_query(ksrc *s, const kafka_tps *of, int64_t what, kafka_tps *out, sl_error *err);
/* Data the logged offset points at is gone (retention, a deleted or
 * recreated topic): stop naming it, or warn, count and go on from `to`. */
int ksrc_data_loss(ksrc *s, const char *topic, int32_t part, int64_t from, int64_t to,
                   const char *what, sl_error *err);
/* Reads [start, end) of every partition of end (start: s->start) and emits
 * the rows, partition by partition, each in offset order. */
int ksrc_read_range(ksrc *s, sl_emitter *out, sl_error *err);
/* Partitions of `at` the consumer does not have yet are assigned at those
 * offsets, so that it fetches them (and knows their watermarks) before
 * their first range is read. */
int ksrc_follow(ksrc *s, const kafka_tps *at, sl_error *err);
/* Drops every partition (before the consumer closes). */
void ksrc_fetch_free(ksrc *s);

#endif
