/* mock.c - sluice-kafka-mock: a Kafka protocol server for tests and demos,
 * librdkafka's mock cluster (rdkafka_mock.h) run as a process of its own.
 *
 *   sluice-kafka-mock [--brokers N] [--topic NAME[:PARTITIONS]]...
 *                     [--control FIFO]
 *
 * N brokers (default 1) listen on 127.0.0.1 only, on ports the system
 * picks.  The first line of standard output is the bootstrap list
 * ("127.0.0.1:PORT,..."), then the process runs until SIGTERM or SIGINT;
 * the end of standard input does not stop it.  Topics named with --topic
 * are created with that many partitions (default 1); others are created
 * when a client first asks for them.
 *
 * Fault commands, one per line, from standard input or the FIFO (opened
 * read-write, so writers may come and go); each is answered on standard
 * output with "ok COMMAND" or "error COMMAND: why":
 *
 *   topic NAME PARTITIONS          create a topic
 *   down BROKER | up BROKER        a broker stops answering / comes back
 *   rtt BROKER MS                  add MS of round-trip time to a broker
 *   leader TOPIC PARTITION BROKER  move a partition's leader
 *   error API ERR [COUNT]          the next COUNT (1) requests of API fail
 *                                  with ERR on every broker
 *   broker-error BROKER API ERR [COUNT [RTT_MS]]
 *                                  the same on one broker, with a delay
 *   clear API                      forget the cluster-wide errors of API
 *
 * API is a request name (Produce, Fetch, ListOffsets, Metadata,
 * OffsetCommit, OffsetFetch, FindCoordinator, JoinGroup, Heartbeat,
 * InitProducerId, AddPartitionsToTxn, EndTxn, ...) or its number; ERR an
 * error name as librdkafka spells it without its prefix
 * (NOT_LEADER_FOR_PARTITION, REQUEST_TIMED_OUT, _TRANSPORT to drop the
 * connection, ...) or its number.  Blank lines and lines starting with '#'
 * are ignored.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/signalfd.h>
#include <fcntl.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#define MAX_TOPICS 64

static const struct {
	const char *name;
	int16_t key;
} apis[] = {
    {"Produce", 0},          {"Fetch", 1},           {"ListOffsets", 2},
    {"Metadata", 3},         {"OffsetCommit", 8},    {"OffsetFetch", 9},
    {"FindCoordinator", 10}, {"JoinGroup", 11},      {"Heartbeat", 12},
    {"LeaveGroup", 13},      {"SyncGroup", 14},      {"SaslHandshake", 17},
    {"ApiVersions", 18},     {"InitProducerId", 22}, {"AddPartitionsToTxn", 24},
    {"AddOffsetsToTxn", 25}, {"EndTxn", 26},         {"TxnOffsetCommit", 28},
};

static int usage(void)
{
	fprintf(stderr, "usage: sluice-kafka-mock [--brokers N] [--topic NAME[:PARTITIONS]]... "
	                "[--control FIFO]\n");
	return 2;
}

static int parse_int(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

static int parse_api(const char *s, int16_t *out)
{
	long v;

	for (size_t i = 0; i < sizeof(apis) / sizeof(apis[0]); i++)
		if (strcasecmp(s, apis[i].name) == 0) {
			*out = apis[i].key;
			return 0;
		}
	if (parse_int(s, 0, 100, &v) < 0)
		return -1;
	*out = (int16_t)v;
	return 0;
}

static int parse_err(const char *s, rd_kafka_resp_err_t *out)
{
	const struct rd_kafka_err_desc *d;
	size_t n;
	long v;

	if (parse_int(s, -200, 1000, &v) == 0) {
		*out = (rd_kafka_resp_err_t)v;
		return 0;
	}
	rd_kafka_get_err_descs(&d, &n);
	for (size_t i = 0; i < n; i++)
		if (d[i].name != NULL && strcasecmp(d[i].name, s) == 0) {
			*out = d[i].code;
			return 0;
		}
	return -1;
}

/* Splits line into at most 8 words (in place). */
static int words(char *line, char **w)
{
	int n = 0;

	for (char *p = strtok(line, " \t\r\n"); p && n < 8; p = strtok(NULL, " \t\r\n"))
		w[n++] = p;
	return n;
}

/* One command; returns NULL when done, else the reason it failed. */
static const char *run_command(rd_kafka_mock_cluster_t *mc, int n_brokers, char **w, int n)
{
	rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR, code;
	long a, b, c = 1, rtt = 0;
	int16_t api;

	if (strcmp(w[0], "topic") == 0 && n == 3) {
		if (parse_int(w[2], 1, 100000, &a) < 0)
			return "PARTITIONS must be a number from 1";
		err = rd_kafka_mock_topic_create(mc, w[1], (int)a, 1);
	} else if ((strcmp(w[0], "down") == 0 || strcmp(w[0], "up") == 0) && n == 2) {
		if (parse_int(w[1], 1, n_brokers, &a) < 0)
			return "no such broker";
		err = w[0][0] == 'd' ? rd_kafka_mock_broker_set_down(mc, (int32_t)a)
		                     : rd_kafka_mock_broker_set_up(mc, (int32_t)a);
	} else if (strcmp(w[0], "rtt") == 0 && n == 3) {
		if (parse_int(w[1], 1, n_brokers, &a) < 0)
			return "no such broker";
		if (parse_int(w[2], 0, 3600000, &b) < 0)
			return "MS must be a number of milliseconds";
		err = rd_kafka_mock_broker_set_rtt(mc, (int32_t)a, (int)b);
	} else if (strcmp(w[0], "leader") == 0 && n == 4) {
		if (parse_int(w[2], 0, 100000, &a) < 0)
			return "PARTITION must be a number";
		if (parse_int(w[3], 1, n_brokers, &b) < 0)
			return "no such broker";
		err = rd_kafka_mock_partition_set_leader(mc, w[1], (int32_t)a, (int32_t)b);
	} else if (strcmp(w[0], "error") == 0 && (n == 3 || n == 4)) {
		if (parse_api(w[1], &api) < 0)
			return "unknown API";
		if (parse_err(w[2], &code) < 0)
			return "unknown error name";
		if (n == 4 && parse_int(w[3], 1, 1000000, &c) < 0)
			return "COUNT must be a number from 1";
		for (long i = 0; i < c; i++)
			rd_kafka_mock_push_request_errors(mc, api, 1, code);
	} else if (strcmp(w[0], "broker-error") == 0 && n >= 4 && n <= 6) {
		if (parse_int(w[1], 1, n_brokers, &a) < 0)
			return "no such broker";
		if (parse_api(w[2], &api) < 0)
			return "unknown API";
		if (parse_err(w[3], &code) < 0)
			return "unknown error name";
		if (n >= 5 && parse_int(w[4], 1, 1000000, &c) < 0)
			return "COUNT must be a number from 1";
		if (n == 6 && parse_int(w[5], 0, 3600000, &rtt) < 0)
			return "RTT_MS must be a number of milliseconds";
		for (long i = 0; i < c && !err; i++)
			err = rd_kafka_mock_broker_push_request_error_rtts(mc, (int32_t)a, api, 1, code,
			                                                   (int)rtt);
	} else if (strcmp(w[0], "clear") == 0 && n == 2) {
		if (parse_api(w[1], &api) < 0)
			return "unknown API";
		rd_kafka_mock_clear_request_errors(mc, api);
	} else {
		return "unknown command or wrong number of arguments (see the manual)";
	}
	return err ? rd_kafka_err2str(err) : NULL;
}

/* Reads what fd holds, runs each complete line. */
static int read_commands(int fd, char *buf, size_t *len, size_t cap,
                         rd_kafka_mock_cluster_t *mc, int n_brokers)
{
	ssize_t r = read(fd, buf + *len, cap - 1 - *len);
	char *line, *nl;

	if (r <= 0)
		return r == 0 ? 0 : (errno == EINTR || errno == EAGAIN ? 1 : -1);
	*len += (size_t)r;
	buf[*len] = '\0';
	line = buf;
	while ((nl = strchr(line, '\n')) != NULL) {
		char copy[1024], *w[8];
		const char *why;
		int n;

		*nl = '\0';
		snprintf(copy, sizeof(copy), "%s", line);
		n = words(line, w);
		if (n > 0 && w[0][0] != '#') {
			why = run_command(mc, n_brokers, w, n);
			if (why != NULL)
				printf("error %s: %s\n", copy, why);
			else
				printf("ok %s\n", copy);
			fflush(stdout);
		}
		line = nl + 1;
	}
	*len -= (size_t)(line - buf);
	memmove(buf, line, *len);
	if (*len == cap - 1) /* a line too long: dropped */
		*len = 0;
	return 1;
}

int main(int argc, char **argv)
{
	long n_brokers = 1, parts;
	const char *topics[MAX_TOPICS], *fifo = NULL;
	int topic_parts[MAX_TOPICS], n_topics = 0, sfd, cfd = -1, in_open = 1;
	char errstr[512], inbuf[4096], cbuf[4096];
	size_t inlen = 0, clen = 0;
	rd_kafka_conf_t *conf;
	rd_kafka_mock_cluster_t *mc;
	rd_kafka_t *rk;
	sigset_t mask;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--brokers") == 0 && i + 1 < argc) {
			if (parse_int(argv[++i], 1, 64, &n_brokers) < 0)
				return usage();
		} else if (strcmp(argv[i], "--topic") == 0 && i + 1 < argc) {
			char *spec = argv[++i], *colon = strrchr(spec, ':');
			if (n_topics == MAX_TOPICS)
				return usage();
			parts = 1;
			if (colon != NULL) {
				*colon = '\0';
				if (parse_int(colon + 1, 1, 100000, &parts) < 0)
					return usage();
			}
			if (*spec == '\0')
				return usage();
			topics[n_topics] = spec;
			topic_parts[n_topics++] = (int)parts;
		} else if (strcmp(argv[i], "--control") == 0 && i + 1 < argc) {
			fifo = argv[++i];
		} else {
			return usage();
		}
	}

	/* SIGTERM and SIGINT arrive through a descriptor beside the commands. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	if (sfd < 0) {
		perror("sluice-kafka-mock: signalfd");
		return 1;
	}
	if (fifo != NULL && (cfd = open(fifo, O_RDWR | O_CLOEXEC)) < 0) {
		fprintf(stderr, "sluice-kafka-mock: %s: %s\n", fifo, strerror(errno));
		return 1;
	}

	conf = rd_kafka_conf_new();
	rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof(errstr));
	/* The mock brokers' sockets take this setting: without it the last small
	 * response of a burst waits for the client's delayed ACK (~40 ms). */
	rd_kafka_conf_set(conf, "socket.nagle.disable", "true", errstr, sizeof(errstr));
	rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
	if (rk == NULL) {
		fprintf(stderr, "sluice-kafka-mock: %s\n", errstr);
		return 1;
	}
	mc = rd_kafka_mock_cluster_new(rk, (int)n_brokers);
	if (mc == NULL) {
		fprintf(stderr, "sluice-kafka-mock: cannot start the mock cluster\n");
		rd_kafka_destroy(rk);
		return 1;
	}
	for (int i = 0; i < n_topics; i++) {
		rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(mc, topics[i], topic_parts[i], 1);
		if (err) {
			fprintf(stderr, "sluice-kafka-mock: topic %s: %s\n", topics[i],
			        rd_kafka_err2str(err));
			rd_kafka_mock_cluster_destroy(mc);
			rd_kafka_destroy(rk);
			return 1;
		}
	}
	printf("%s\n", rd_kafka_mock_cluster_bootstraps(mc));
	fflush(stdout);

	for (;;) {
		struct pollfd p[3] = {{sfd, POLLIN, 0}, {in_open ? 0 : -1, POLLIN, 0}, {cfd, POLLIN, 0}};

		if (poll(p, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[0].revents & POLLIN)
			break;
		if (p[1].revents & (POLLIN | POLLHUP) &&
		    read_commands(0, inbuf, &inlen, sizeof(inbuf), mc, (int)n_brokers) <= 0)
			in_open = 0; /* the end of standard input does not stop the server */
		if (p[2].revents & POLLIN)
			read_commands(cfd, cbuf, &clen, sizeof(cbuf), mc, (int)n_brokers);
	}
	rd_kafka_mock_cluster_destroy(mc);
	rd_kafka_destroy(rk);
	if (cfd >= 0)
		close(cfd);
	return 0;
}
