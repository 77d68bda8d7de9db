/* bench_kafka_tool - load generator, checker, CPU meter and latency probe
 * for tests/bench/bench_kafka.sh (`make bench-kafka`).  Not a test.
 *
 *   bench_kafka_tool load BROKERS TOPIC N SIZE [DROP_EVERY]
 *       N messages, key "k%010lld" (every DROP_EVERY-th "x%010lld", which
 *       the benchmark's filter drops), value SIZE bytes; partitioned by
 *       murmur2 of the key, as Kafka's Java clients.  Prints "N BYTES"
 *       (key + value bytes) once every message is acknowledged.
 *   bench_kafka_tool load-lines BROKERS TOPIC N FILE
 *       N messages, the lines of FILE repeated (the invoices), no key,
 *       partitions in turn.
 *   bench_kafka_tool count BROKERS TOPIC [KEY_PREFIX]
 *       reads every partition from its earliest offset to its end and
 *       prints "MESSAGES BYTES"; fails when a partition does not start at
 *       offset 0 (sluice-kafka-mock keeps only 5 MB per partition and
 *       drops the oldest messages beyond it: use more partitions) or a
 *       key does not start with KEY_PREFIX.
 *   bench_kafka_tool watermarks BROKERS TOPIC
 *       prints "LOW_SUM HIGH_SUM" over the partitions; fails when one does
 *       not start at offset 0 (the mock dropped messages).
 *   bench_kafka_tool invoices N [SEED_FILE]
 *       N invoice JSON lines on stdout: SEED_FILE's lines repeated with
 *       unique InvoiceNumbers, or generated ones of the same shape.
 *   bench_kafka_tool cpu OUTFILE CMD [ARGS...]
 *       runs CMD, writes "CPU_SECONDS WALL_SECONDS MAXRSS_KB" (user +
 *       system of CMD and every descendant it waited for, from wait4) to
 *       OUTFILE and exits with CMD's status.  SIGTERM and SIGINT are
 *       passed on to CMD.
 *   bench_kafka_tool latency BROKERS IN OUT RATE SECONDS WARMUP SIZE FETCH_WAIT_MS
 *       produces RATE messages/s to IN for SECONDS seconds (a paced
 *       producer thread; each value starts with its send time, the wall
 *       clock in ns, taken just before rd_kafka_producev), and consumes
 *       OUT (from offset 0, fetch.wait.max.ms = FETCH_WAIT_MS) in the same
 *       process: latency = receive time - send time, for the messages sent
 *       after WARMUP seconds.  IN = OUT measures the floor of the clients
 *       and the broker.  Prints "SENT RECEIVED RATE P50 P90 P99 P999 MAX
 *       A50 A99 B50 B99" (RATE: messages/s the producer achieved; ms; A:
 *       send -> the output message's timestamp, i.e. the writer's
 *       producev, B: that timestamp -> received) and fails when a message
 *       is missing.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>

static int64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* The wall clock, which Kafka's message timestamps (ms) also use. */
static int64_t wall_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("bench_kafka_tool: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void set(rd_kafka_conf_t *c, const char *name, const char *value)
{
	char errstr[512];

	if (rd_kafka_conf_set(c, name, value, errstr, sizeof(errstr)) != RD_KAFKA_CONF_OK)
		die("%s=%s: %s", name, value, errstr);
}

static int partition_count(rd_kafka_t *rk, const char *topic);

/* ------------------------------------------------------------ producing */

static atomic_long delivered, failed;
static char fail_msg[256];

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
	(void)rk, (void)opaque;
	if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
		atomic_fetch_add(&delivered, 1);
		return;
	}
	if (atomic_fetch_add(&failed, 1) == 0)
		snprintf(fail_msg, sizeof(fail_msg), "%s", rd_kafka_err2str(m->err));
}

static rd_kafka_t *producer(const char *brokers, const char *linger_ms)
{
	rd_kafka_conf_t *c = rd_kafka_conf_new();
	char errstr[512];
	rd_kafka_t *rk;

	set(c, "bootstrap.servers", brokers);
	set(c, "linger.ms", linger_ms);
	set(c, "partitioner", "murmur2_random");
	set(c, "queue.buffering.max.messages", "1000000");
	set(c, "enable.idempotence", "true");
	rd_kafka_conf_set_dr_msg_cb(c, on_delivery);
	rk = rd_kafka_new(RD_KAFKA_PRODUCER, c, errstr, sizeof(errstr));
	if (rk == NULL)
		die("producer: %s", errstr);
	return rk;
}

/* partition: RD_KAFKA_PARTITION_UA for the partitioner's choice. */
static void produce(rd_kafka_t *rk, const char *topic, int32_t partition, const void *key,
                    size_t klen, const void *val, size_t vlen)
{
	rd_kafka_resp_err_t e;

	for (;;) {
		e = rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(partition),
		                      RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
		                      RD_KAFKA_V_KEY((void *)key, key ? klen : 0),
		                      RD_KAFKA_V_VALUE((void *)val, vlen), RD_KAFKA_V_END);
		if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL)
			break;
		rd_kafka_poll(rk, 5);
	}
	if (e)
		die("produce to %s: %s", topic, rd_kafka_err2str(e));
	rd_kafka_poll(rk, 0);
}

static void finish(rd_kafka_t *rk, long want)
{
	rd_kafka_flush(rk, 120000);
	if (atomic_load(&failed) > 0)
		die("%ld messages not written: %s", atomic_load(&failed), fail_msg);
	if (atomic_load(&delivered) != want)
		die("%ld of %ld messages acknowledged", atomic_load(&delivered), want);
	rd_kafka_destroy(rk);
}

/* The value of message i: "v%09lld" repeated, cut at size. */
static void fill_value(char *buf, size_t size, long long i)
{
	char unit[16];
	int n = snprintf(unit, sizeof(unit), "v%09lld", i % 1000000000);

	for (size_t o = 0; o < size; o += (size_t)n)
		memcpy(buf + o, unit, size - o < (size_t)n ? size - o : (size_t)n);
}

static int cmd_load(int argc, char **argv)
{
	long long n, size, drop = 0, bytes = 0;
	rd_kafka_t *rk;
	char key[32], *val;

	if (argc < 4)
		die("usage: load BROKERS TOPIC N SIZE [DROP_EVERY]");
	n = atoll(argv[2]);
	size = atoll(argv[3]);
	if (argc > 4)
		drop = atoll(argv[4]);
	if (n <= 0 || size <= 0 || size > 1000000 || drop < 0)
		die("load: bad N, SIZE or DROP_EVERY");
	val = malloc((size_t)size);
	if (val == NULL)
		die("out of memory");
	rk = producer(argv[0], "20");
	for (long long i = 0; i < n; i++) {
		int kl = snprintf(key, sizeof(key), "%c%010lld",
		                  drop > 0 && i % drop == drop - 1 ? 'x' : 'k', i);
		fill_value(val, (size_t)size, i);
		produce(rk, argv[1], RD_KAFKA_PARTITION_UA, key, (size_t)kl, val, (size_t)size);
		bytes += kl + size;
	}
	finish(rk, (long)n);
	free(val);
	printf("%lld %lld\n", n, bytes);
	return 0;
}

static int cmd_load_lines(int argc, char **argv)
{
	char **line = NULL, *buf = NULL;
	size_t *len = NULL, n_lines = 0, cap = 0, bcap = 0;
	long long n, bytes = 0;
	ssize_t r;
	rd_kafka_t *rk;
	int parts;
	FILE *f;

	if (argc < 4)
		die("usage: load-lines BROKERS TOPIC N FILE");
	n = atoll(argv[2]);
	f = fopen(argv[3], "r");
	if (n <= 0 || f == NULL)
		die("load-lines: bad N or cannot open %s", argv[3]);
	while ((r = getline(&buf, &bcap, f)) > 0) {
		while (r > 0 && (buf[r - 1] == '\n' || buf[r - 1] == '\r'))
			r--;
		if (r == 0)
			continue;
		if (n_lines == cap) {
			cap = cap ? cap * 2 : 1024;
			line = realloc(line, cap * sizeof(*line));
			len = realloc(len, cap * sizeof(*len));
			if (line == NULL || len == NULL)
				die("out of memory");
		}
		line[n_lines] = strndup(buf, (size_t)r);
		len[n_lines++] = (size_t)r;
	}
	fclose(f);
	free(buf);
	if (n_lines == 0)
		die("load-lines: %s has no lines", argv[3]);
	rk = producer(argv[0], "20");
	/* No key: round robin, or the sticky partitioner would fill one
	 * partition at a time beyond what the mock keeps. */
	parts = partition_count(rk, argv[1]);
	for (long long i = 0; i < n; i++) {
		size_t j = (size_t)i % n_lines;
		produce(rk, argv[1], (int32_t)(i % parts), NULL, 0, line[j], len[j]);
		bytes += (long long)len[j];
	}
	finish(rk, (long)n);
	for (size_t j = 0; j < n_lines; j++)
		free(line[j]);
	free(line);
	free(len);
	printf("%lld %lld\n", n, bytes);
	return 0;
}

/* ------------------------------------------------------------ consuming */

static rd_kafka_t *consumer(const char *brokers, const char *fetch_wait_ms)
{
	rd_kafka_conf_t *c = rd_kafka_conf_new();
	char errstr[512];
	rd_kafka_t *rk;

	set(c, "bootstrap.servers", brokers);
	set(c, "group.id", "bench-kafka-tool");
	set(c, "enable.auto.commit", "false");
	set(c, "enable.partition.eof", "true");
	set(c, "fetch.wait.max.ms", fetch_wait_ms);
	rk = rd_kafka_new(RD_KAFKA_CONSUMER, c, errstr, sizeof(errstr));
	if (rk == NULL)
		die("consumer: %s", errstr);
	rd_kafka_poll_set_consumer(rk);
	return rk;
}

static int partition_count(rd_kafka_t *rk, const char *topic)
{
	const struct rd_kafka_metadata *md;
	rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
	rd_kafka_resp_err_t e = rd_kafka_metadata(rk, 0, rkt, &md, 10000);
	int n;

	if (e)
		die("topic %s: %s", topic, rd_kafka_err2str(e));
	if (md->topic_cnt != 1 || md->topics[0].err)
		die("topic %s: %s", topic,
		    rd_kafka_err2str(md->topic_cnt ? md->topics[0].err
		                                   : RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART));
	n = md->topics[0].partition_cnt;
	rd_kafka_metadata_destroy(md);
	rd_kafka_topic_destroy(rkt);
	return n;
}

/* Assigns every partition of topic at offset 0; returns how many have
 * data in *open (those whose end offset is > 0 when the check is on). */
static int assign_all(rd_kafka_t *rk, const char *topic, bool check_start)
{
	int n = partition_count(rk, topic), open = 0;
	rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(n);

	for (int p = 0; p < n; p++) {
		int64_t lo = 0, hi = 0;
		rd_kafka_resp_err_t e;

		if (check_start) {
			e = rd_kafka_query_watermark_offsets(rk, topic, p, &lo, &hi, 10000);
			if (e)
				die("topic %s partition %d: %s", topic, p, rd_kafka_err2str(e));
			if (lo != 0)
				die("topic %s partition %d starts at offset %" PRId64
				    ": sluice-kafka-mock dropped its oldest messages (it keeps 5 MB "
				    "per partition); give the topic more partitions",
				    topic, p, lo);
			if (hi == 0)
				continue;
		}
		rd_kafka_topic_partition_list_add(l, topic, p)->offset = 0;
		open++;
	}
	if (rd_kafka_assign(rk, l))
		die("cannot assign %s", topic);
	rd_kafka_topic_partition_list_destroy(l);
	return open;
}

static int cmd_count(int argc, char **argv)
{
	const char *prefix = argc > 2 ? argv[2] : NULL;
	size_t plen = prefix ? strlen(prefix) : 0;
	long long msgs = 0, bytes = 0;
	int64_t idle_since = now_ns();
	rd_kafka_t *rk;
	int open;

	if (argc < 2)
		die("usage: count BROKERS TOPIC [KEY_PREFIX]");
	rk = consumer(argv[0], "100");
	open = assign_all(rk, argv[1], true);
	while (open > 0) {
		rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 100);

		if (m == NULL) {
			if (now_ns() - idle_since > 30 * 1000000000LL)
				die("topic %s: no data for 30 s with %d partitions unread", argv[1],
				    open);
			continue;
		}
		idle_since = now_ns();
		if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF)
			open--;
		else if (m->err)
			die("topic %s: %s", argv[1], rd_kafka_message_errstr(m));
		else {
			if (prefix && (m->key_len < plen || memcmp(m->key, prefix, plen) != 0))
				die("topic %s partition %d offset %" PRId64
				    ": a key without the prefix '%s' (the filter let it through)",
				    argv[1], (int)m->partition, m->offset, prefix);
			msgs++;
			bytes += (long long)(m->len + m->key_len);
		}
		rd_kafka_message_destroy(m);
	}
	rd_kafka_consumer_close(rk);
	rd_kafka_destroy(rk);
	printf("%lld %lld\n", msgs, bytes);
	return 0;
}

static int cmd_watermarks(int argc, char **argv)
{
	long long lo_sum = 0, hi_sum = 0;
	rd_kafka_t *rk;
	int n;

	if (argc < 2)
		die("usage: watermarks BROKERS TOPIC");
	rk = consumer(argv[0], "100");
	n = partition_count(rk, argv[1]);
	for (int p = 0; p < n; p++) {
		int64_t lo, hi;
		rd_kafka_resp_err_t e =
		    rd_kafka_query_watermark_offsets(rk, argv[1], p, &lo, &hi, 10000);

		if (e)
			die("topic %s partition %d: %s", argv[1], p, rd_kafka_err2str(e));
		if (lo != 0)
			die("topic %s partition %d starts at offset %" PRId64
			    ": sluice-kafka-mock dropped its oldest messages (it keeps 5 MB per "
			    "partition); give the topic more partitions",
			    argv[1], p, lo);
		lo_sum += lo;
		hi_sum += hi;
	}
	rd_kafka_destroy(rk);
	printf("%lld %lld\n", lo_sum, hi_sum);
	return 0;
}

/* ------------------------------------------------------------ invoices */

/* N invoice JSON lines on stdout: the lines of SEED repeated, or (no SEED)
 * generated lines of the same shape, a third of them TAKEAWAY without a
 * DeliveryAddress.  InvoiceNumber is made unique either way. */
static int cmd_invoices(int argc, char **argv)
{
	static const char *cities[] = {"Shivapuri", "Pune", "Nagpur", "Kolkata", "Mumbai"};
	static const char *items[] = {"Wine glass", "Portable Lamps", "Carving knifes",
	                              "Oil-lamp clock", "Slipcover", "Teacups and saucers"};
	char **line = NULL, *buf = NULL;
	size_t n_lines = 0, cap = 0, bcap = 0;
	long long n;
	FILE *f = NULL;
	ssize_t r;

	if (argc < 1)
		die("usage: invoices N [SEED_FILE]");
	n = atoll(argv[0]);
	if (argc > 1 && (f = fopen(argv[1], "r")) == NULL)
		die("%s: %s", argv[1], strerror(errno));
	while (f != NULL && (r = getline(&buf, &bcap, f)) > 0) {
		while (r > 0 && (buf[r - 1] == '\n' || buf[r - 1] == '\r'))
			buf[--r] = '\0';
		/* Lines starting {"InvoiceNumber":"DIGITS" get a unique number. */
		if (r == 0 || strncmp(buf, "{\"InvoiceNumber\":\"", 18) != 0)
			continue;
		if (n_lines == cap) {
			cap = cap ? cap * 2 : 1024;
			line = realloc(line, cap * sizeof(*line));
			if (line == NULL)
				die("out of memory");
		}
		line[n_lines++] = strdup(strchr(buf + 18, '"'));
	}
	if (f != NULL)
		fclose(f);
	for (long long i = 0; i < n; i++) {
		if (n_lines > 0) {
			printf("{\"InvoiceNumber\":\"%lld%s\n", 10000000 + i, line[i % (long long)n_lines]);
			continue;
		}
		int home = i % 3 != 0, k = (int)(i % 6);
		printf("{\"InvoiceNumber\":\"%lld\",\"CreatedTime\":%lld,\"StoreID\":\"STR%lld\","
		       "\"PosID\":\"POS%lld\",\"CashierID\":\"OAS%lld\",\"CustomerType\":\"%s\","
		       "\"CustomerCardNo\":\"%lld\",\"TotalAmount\":%lld.0,\"NumberOfItems\":2,"
		       "\"PaymentMethod\":\"%s\",\"TaxableAmount\":%lld.0,\"CGST\":%lld.25,"
		       "\"SGST\":%lld.25,\"CESS\":13.8925,\"DeliveryType\":\"%s\"",
		       10000000 + i, 1595688900348LL + i * 1000, 7000 + i % 997, 100 + i % 883,
		       100 + i % 991, i % 4 ? "PRIME" : "NONPRIME", 4629185211LL + i, 5000 + i % 7919,
		       i % 5 ? "CARD" : "CASH", 5000 + i % 7919, 100 + i % 199, 100 + i % 199,
		       home ? "HOME-DELIVERY" : "TAKEAWAY");
		if (home)
			printf(",\"DeliveryAddress\":{\"AddressLine\":\"444-1842 Dui. Rd.\","
			       "\"City\":\"%s\",\"State\":\"Madhya Pradesh\",\"PinCode\":\"%lld\","
			       "\"ContactNumber\":\"%lld\"}",
			       cities[i % 5], 561012 + i % 1000, 7243866404LL + i % 100000);
		printf(",\"InvoiceLineItems\":[{\"ItemCode\":\"%d\",\"ItemDescription\":\"%s\","
		       "\"ItemPrice\":1644.0,\"ItemQty\":2,\"TotalValue\":3288.0},"
		       "{\"ItemCode\":\"%d\",\"ItemDescription\":\"%s\",\"ItemPrice\":2236.0,"
		       "\"ItemQty\":1,\"TotalValue\":2236.0}]}\n",
		       458 + k, items[k], 283 + k, items[(k + 1) % 6]);
	}
	for (size_t j = 0; j < n_lines; j++)
		free(line[j]);
	free(line);
	free(buf);
	return fflush(stdout) == 0 ? 0 : 1;
}

/* ------------------------------------------------------------ cpu */

static volatile pid_t child;

static void forward(int sig)
{
	if (child > 0)
		kill(child, sig);
}

static int cmd_cpu(int argc, char **argv)
{
	struct rusage ru;
	int64_t t0 = now_ns();
	int status;
	FILE *f;

	if (argc < 2)
		die("usage: cpu OUTFILE CMD [ARGS...]");
	signal(SIGTERM, forward);
	signal(SIGINT, forward);
	child = fork();
	if (child < 0)
		die("fork: %s", strerror(errno));
	if (child == 0) {
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		execvp(argv[1], argv + 1);
		fprintf(stderr, "bench_kafka_tool: %s: %s\n", argv[1], strerror(errno));
		_exit(127);
	}
	while (wait4(child, &status, 0, &ru) < 0)
		if (errno != EINTR)
			die("wait4: %s", strerror(errno));
	f = fopen(argv[0], "w");
	if (f == NULL)
		die("%s: %s", argv[0], strerror(errno));
	fprintf(f, "%.4f %.4f %ld\n",
	        (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	            (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6,
	        (double)(now_ns() - t0) / 1e9, ru.ru_maxrss);
	fclose(f);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* ------------------------------------------------------------ latency */

typedef struct lat_run {
	const char *brokers, *in;
	long rate, seconds, size;
	int64_t t0;       /* wall clock when producing starts */
	atomic_int done;  /* the producer finished (and flushed) */
	double achieved;  /* messages/s */
} lat_run;

/* Paced: every 0.1 ms, the messages due by then (bursts of 10 at
 * 100,000/s).  Each value starts with the wall clock in ns, read just
 * before rd_kafka_producev.  linger.ms is librdkafka's default, 5 ms
 * (BENCH_KAFKA_LINGER_MS): the mock answers a Fetch with one message set
 * per partition, so smaller producer batches slow every consumer down. */
static void *lat_producer(void *arg)
{
	lat_run *r = arg;
	const char *linger = getenv("BENCH_KAFKA_LINGER_MS");
	rd_kafka_t *rk = producer(r->brokers, linger && *linger ? linger : "5");
	long total = r->rate * r->seconds;
	char *val = malloc((size_t)r->size + 32), key[32];
	int64_t start, end;

	if (val == NULL)
		die("out of memory");
	memset(val, 'p', (size_t)r->size + 32);
	/* Metadata first, so that the first messages do not wait for it. */
	partition_count(rk, r->in);
	r->t0 = wall_ns();
	start = now_ns();
	for (long i = 0; i < total;) {
		long due = (long)((double)(now_ns() - start) * (double)r->rate / 1e9);

		if (due > total)
			due = total;
		while (i < due) {
			int kl = snprintf(key, sizeof(key), "k%010ld", i);

			snprintf(val, 22, "%020" PRId64, wall_ns());
			val[20] = '|';
			produce(rk, r->in, RD_KAFKA_PARTITION_UA, key, (size_t)kl, val, (size_t)r->size);
			i++;
		}
		rd_kafka_poll(rk, 0);
		if (i < total) {
			struct timespec ts = {0, 100000};
			nanosleep(&ts, NULL);
		}
	}
	end = now_ns();
	r->achieved = (double)total / ((double)(end - start) / 1e9);
	finish(rk, total);
	free(val);
	atomic_store(&r->done, 1);
	return NULL;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* The p-quantile (nearest rank) of sorted v, in ms. */
static double pct(const int64_t *v, size_t n, double p)
{
	size_t i;

	if (n == 0)
		return 0;
	i = (size_t)(p * (double)(n - 1) + 0.5);
	return (double)v[i] / 1e6;
}

static int cmd_latency(int argc, char **argv)
{
	lat_run r = {0};
	const char *out;
	int64_t warm_ns, done_at = 0, *lat, *in_pipe, *to_reader;
	long total, received = 0, bad = 0;
	size_t n_lat = 0;
	pthread_t th;
	rd_kafka_t *rk;

	if (argc < 8)
		die("usage: latency BROKERS IN OUT RATE SECONDS WARMUP SIZE FETCH_WAIT_MS");
	r.brokers = argv[0];
	r.in = argv[1];
	out = argv[2];
	r.rate = atol(argv[3]);
	r.seconds = atol(argv[4]);
	warm_ns = (int64_t)(atof(argv[5]) * 1e9);
	r.size = atol(argv[6]);
	if (r.rate <= 0 || r.seconds <= 0 || r.size < 24)
		die("latency: bad RATE, SECONDS or SIZE (>= 24)");
	total = r.rate * r.seconds;
	lat = malloc((size_t)total * sizeof(*lat));
	in_pipe = malloc((size_t)total * sizeof(*in_pipe));
	to_reader = malloc((size_t)total * sizeof(*to_reader));
	if (lat == NULL || in_pipe == NULL || to_reader == NULL)
		die("out of memory");
	rk = consumer(r.brokers, argv[7]);
	assign_all(rk, out, false);
	/* The consumer is connected and fetching before the first message. */
	for (int i = 0; i < 10; i++) {
		rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 50);
		if (m)
			rd_kafka_message_destroy(m);
	}
	if (pthread_create(&th, NULL, lat_producer, &r) != 0)
		die("pthread_create");
	while (received < total) {
		rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 10);
		int64_t now = wall_ns(), sent, ts_ms;

		if (m == NULL) {
			if (atomic_load(&r.done) && done_at == 0)
				done_at = now_ns();
			if (done_at && now_ns() - done_at > 20 * 1000000000LL)
				break;
			continue;
		}
		if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
			rd_kafka_message_destroy(m);
			continue;
		}
		if (m->err)
			die("topic %s: %s", out, rd_kafka_message_errstr(m));
		if (m->len < 21 || sscanf(m->payload, "%20" SCNd64, &sent) != 1) {
			bad++;
		} else {
			received++;
			if (sent - r.t0 >= warm_ns && n_lat < (size_t)total) {
				/* The output's timestamp: when the writer (the sink, or
				 * the load generator itself) called producev, in ms. */
				ts_ms = rd_kafka_message_timestamp(m, NULL);
				lat[n_lat] = now - sent;
				in_pipe[n_lat] = ts_ms * 1000000 - sent;
				to_reader[n_lat++] = now - ts_ms * 1000000;
			}
		}
		rd_kafka_message_destroy(m);
	}
	pthread_join(th, NULL);
	rd_kafka_consumer_close(rk);
	rd_kafka_destroy(rk);
	qsort(lat, n_lat, sizeof(*lat), cmp_i64);
	qsort(in_pipe, n_lat, sizeof(*in_pipe), cmp_i64);
	qsort(to_reader, n_lat, sizeof(*to_reader), cmp_i64);
	printf("%ld %ld %.0f %.3f %.3f %.3f %.3f %.3f %.3f %.3f %.3f %.3f\n", total, received,
	       r.achieved, pct(lat, n_lat, 0.50), pct(lat, n_lat, 0.90), pct(lat, n_lat, 0.99),
	       pct(lat, n_lat, 0.999), n_lat ? (double)lat[n_lat - 1] / 1e6 : 0.0,
	       pct(in_pipe, n_lat, 0.50), pct(in_pipe, n_lat, 0.99), pct(to_reader, n_lat, 0.50),
	       pct(to_reader, n_lat, 0.99));
	free(lat);
	free(in_pipe);
	free(to_reader);
	if (received != total || bad > 0) {
		fprintf(stderr, "bench_kafka_tool: latency: %ld sent, %ld received, %ld unreadable\n",
		        total, received, bad);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: bench_kafka_tool "
		                "load|load-lines|count|watermarks|invoices|cpu|latency ARGS...\n");
		return 2;
	}
	if (strcmp(argv[1], "load") == 0)
		return cmd_load(argc - 2, argv + 2);
	if (strcmp(argv[1], "load-lines") == 0)
		return cmd_load_lines(argc - 2, argv + 2);
	if (strcmp(argv[1], "count") == 0)
		return cmd_count(argc - 2, argv + 2);
	if (strcmp(argv[1], "watermarks") == 0)
		return cmd_watermarks(argc - 2, argv + 2);
	if (strcmp(argv[1], "invoices") == 0)
		return cmd_invoices(argc - 2, argv + 2);
	if (strcmp(argv[1], "cpu") == 0)
		return cmd_cpu(argc - 2, argv + 2);
	if (strcmp(argv[1], "latency") == 0)
		return cmd_latency(argc - 2, argv + 2);
	fprintf(stderr, "bench_kafka_tool: unknown command %s\n", argv[1]);
	return 2;
}
