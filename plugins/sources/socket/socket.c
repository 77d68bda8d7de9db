/* socket.c - the socket source, as Spark's: a TCP client reading text lines.
 *
 * An I/O thread reads the connection and appends complete lines to a list
 * of segments (up to 65536 lines or 1 MB of text each) under the context's
 * mutex.  When the lines held reach buffer_size the thread stops reading, so
 * TCP backpressure reaches the sender.  Offsets are {"line": N}, the number
 * of lines received; source_commit frees the lines before its end.  Lines
 * are not kept after commit, so the source cannot replay: at-most-once.
 */
#include <sluice/sluice.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>


#define SEG_LINES 65536
#define SEG_BYTES (1u << 20)
#define READ_SIZE 65536
#define OUT_ROWS 65536
#define OUT_BYTES ((size_t)1 << 30) /* int32 string offsets */
#define LINE_OVERHEAD 8             /* bytes accounted per line besides its text */

/* A run of consecutive lines: the text back to back in data, line i being
 * data[start(i) .. ends[i]) with start(0) = 0 and start(i) = ends[i - 1]. */
typedef struct seg {
	struct seg *next;
	int64_t first; /* index of its first line */
	int32_t n;
	size_t *ends; /* SEG_LINES entries */
	char *data;
	size_t len, cap;
} seg;

typedef struct sock_ctx {
	sl_stage *st;
	sl_schema *schema;
	char *host;
	int port;
	size_t max_line;
	size_t buffer_size;
	int fd;

	pthread_t thread;
	bool thread_started;
	pthread_mutex_t mu;
	pthread_cond_t cv;

	/* Shared with the I/O thread, under mu. */
	seg *head, *tail;
	int64_t received;  /* lines received so far */
	int64_t committed; /* lines released by source_commit */
	size_t buffered;   /* bytes of the lines not yet committed */
	bool closed;       /* the server closed the connection, or it failed */
	int io_error;      /* errno of a failed read, 0 on a clean close */
	bool stop;
	int64_t truncated; /* lines cut to max_line */

	/* The driving thread's own. */
	bool planned;
	int64_t origin; /* offset of internal line 0 (a restart continues) */
	int64_t truncated_reported;
	bool error_reported;

	/* The I/O thread's own: the line being assembled. */
	char *pend;
	size_t pend_len, pend_cap, pend_raw;
	bool pend_cr; /* the last byte received for it was '\r' */
	char *rbuf;
} sock_ctx;

static void seg_free(seg *s)
{
	if (s == NULL)
		return;
	free(s->ends);
	free(s->data);
	free(s);
}

/* Appends one line; called with mu held. */
static int append_line(sock_ctx *ctx, const char *p, size_t len)
{
	seg *t = ctx->tail;

	if (t == NULL || t->n == SEG_LINES || t->cap - t->len < len) {
		seg *s = calloc(1, sizeof(*s));
		if (s == NULL)
			return SL_ENOMEM;
		s->cap = len > SEG_BYTES ? len : SEG_BYTES;
		s->ends = malloc(SEG_LINES * sizeof(*s->ends));
		s->data = malloc(s->cap);
		if (s->ends == NULL || s->data == NULL) {
			seg_free(s);
			return SL_ENOMEM;
		}
		s->first = ctx->received;
		if (t != NULL)
			t->next = s;
		else
			ctx->head = s;
		ctx->tail = t = s;
	}
	memcpy(t->data + t->len, p, len);
	t->len += len;
	t->ends[t->n++] = t->len;
	ctx->received++;
	ctx->buffered += len + LINE_OVERHEAD;
	return SL_OK;
}

/* A line longer than max_line keeps its first max_line bytes. */
static int finish_line(sock_ctx *ctx, const char *p, size_t len)
{
	if (len > ctx->max_line) {
		len = ctx->max_line;
		ctx->truncated++;
	}
	return append_line(ctx, p, len);
}

/* Adds bytes to the pending line, keeping at most max_line + 1 of them (the
 * one past max_line may be the '\r' that is stripped). */
static int pend_add(sock_ctx *ctx, const char *p, size_t n)
{
	size_t room = ctx->max_line + 1 - ctx->pend_len;
	size_t keep = n < room ? n : room;

	if (n == 0)
		return SL_OK;
	if (ctx->pend_len + keep > ctx->pend_cap) {
		size_t cap = ctx->pend_cap ? ctx->pend_cap : 256;
		char *np;
		while (cap < ctx->pend_len + keep)
			cap *= 2;
		np = realloc(ctx->pend, cap);
		if (np == NULL)
			return SL_ENOMEM;
		ctx->pend = np;
		ctx->pend_cap = cap;
	}
	memcpy(ctx->pend + ctx->pend_len, p, keep);
	ctx->pend_len += keep;
	ctx->pend_raw += n;
	ctx->pend_cr = p[n - 1] == '\r';
	return SL_OK;
}

static int pend_finish(sock_ctx *ctx)
{
	size_t eff = ctx->pend_raw - (ctx->pend_cr ? 1 : 0);
	size_t keep = eff < ctx->pend_len ? eff : ctx->pend_len;
	int rc;

	if (eff > ctx->max_line) {
		keep = ctx->max_line;
		ctx->truncated++;
	}
	rc = append_line(ctx, ctx->pend, keep);
	ctx->pend_len = ctx->pend_raw = 0;
	ctx->pend_cr = false;
	return rc;
}

/* Splits what one recv() returned into lines; called with mu held. */
static int take_bytes(sock_ctx *ctx, const char *p, size_t n)
{
	int rc = SL_OK;

	while (n > 0 && rc == SL_OK) {
		const char *nl = memchr(p, '\n', n);
		size_t part = nl ? (size_t)(nl - p) : n;

		if (nl != NULL && ctx->pend_raw == 0) {
			size_t len = part;
			if (len > 0 && p[len - 1] == '\r')
				len--;
			rc = finish_line(ctx, p, len);
		} else {
			rc = pend_add(ctx, p, part);
			if (rc == SL_OK && nl != NULL)
				rc = pend_finish(ctx);
		}
		if (nl == NULL)
			break;
		p += part + 1;
		n -= part + 1;
	}
	return rc;
}

static void *io_main(void *arg)
{
	sock_ctx *ctx = arg;
	sigset_t all;
	int err = 0;

	/* Signals belong to the driving thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);

	for (;;) {
		ssize_t n;
		size_t room;
		bool stop;

		pthread_mutex_lock(&ctx->mu);
		while (!ctx->stop && ctx->buffered >= ctx->buffer_size)
			pthread_cond_wait(&ctx->cv, &ctx->mu);
		stop = ctx->stop;
		room = ctx->buffer_size - ctx->buffered;
		pthread_mutex_unlock(&ctx->mu);
		if (stop)
			break;

		/* Never read much more than the buffer has room for. */
		n = recv(ctx->fd, ctx->rbuf, room < READ_SIZE ? room : READ_SIZE, 0);
		if (n < 0 && errno == EINTR)
			continue;
		pthread_mutex_lock(&ctx->mu);
		if (n > 0) {
			if (take_bytes(ctx, ctx->rbuf, (size_t)n) < 0)
				err = ENOMEM;
		} else {
			if (n < 0)
				err = errno;
			else if (ctx->pend_raw > 0 && !ctx->stop && pend_finish(ctx) < 0)
				err = ENOMEM; /* the last line had no newline */
		}
		if (n <= 0 || err != 0) {
			ctx->closed = true;
			ctx->io_error = ctx->stop ? 0 : err;
			pthread_mutex_unlock(&ctx->mu);
			break;
		}
		pthread_mutex_unlock(&ctx->mu);
	}
	return NULL;
}

static void sock_destroy(void *vctx)
{
	sock_ctx *ctx = vctx;

	if (ctx == NULL)
		return;
	if (ctx->thread_started) {
		pthread_mutex_lock(&ctx->mu);
		ctx->stop = true;
		pthread_cond_broadcast(&ctx->cv);
		pthread_mutex_unlock(&ctx->mu);
		shutdown(ctx->fd, SHUT_RDWR); /* wakes a blocked recv */
		pthread_join(ctx->thread, NULL);
	}
	if (ctx->fd >= 0)
		close(ctx->fd);
	while (ctx->head != NULL) {
		seg *next = ctx->head->next;
		seg_free(ctx->head);
		ctx->head = next;
	}
	pthread_mutex_destroy(&ctx->mu);
	pthread_cond_destroy(&ctx->cv);
	sl_type_unref(ctx->schema);
	free(ctx->host);
	free(ctx->pend);
	free(ctx->rbuf);
	free(ctx);
}

/* Connects one address within timeout_ms; returns the socket or -errno. */
static int connect_one(const struct addrinfo *ai, int timeout_ms)
{
	int fd =
	    socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
	int e = 0;

	if (fd < 0)
		return -errno;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
		if (errno != EINPROGRESS) {
			e = errno;
		} else {
			struct pollfd pfd = {.fd = fd, .events = POLLOUT};
			socklen_t elen = sizeof(e);
			int rc;
			do
				rc = poll(&pfd, 1, timeout_ms);
			while (rc < 0 && errno == EINTR);
			if (rc == 0)
				e = ETIMEDOUT;
			else if (rc < 0)
				e = errno;
			else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &elen) < 0)
				e = errno;
		}
	}
	if (e == 0 && fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0)
		e = errno;
	if (e != 0) {
		close(fd);
		return -e;
	}
	return fd;
}

static int sock_connect(sock_ctx *ctx, int64_t timeout_us, sl_error *err)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
	struct addrinfo *res = NULL;
	char port[16];
	int rc, e = ECONNREFUSED;
	int timeout_ms = timeout_us / 1000 > INT32_MAX ? INT32_MAX : (int)(timeout_us / 1000);

	snprintf(port, sizeof(port), "%d", ctx->port);
	rc = getaddrinfo(ctx->host, port, &hints, &res);
	if (rc != 0)
		return sl_error_set(err, SL_EIO, "cannot connect to %s:%d: %s", ctx->host,
		                    ctx->port, gai_strerror(rc));
	for (const struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next) {
		int fd = connect_one(ai, timeout_ms);
		if (fd >= 0) {
			ctx->fd = fd;
			break;
		}
		e = -fd;
	}
	freeaddrinfo(res);
	if (ctx->fd < 0) {
		if (e == ETIMEDOUT)
			return sl_error_set(err, SL_EIO,
			                    "cannot connect to %s:%d: timed out after %lld ms",
			                    ctx->host, ctx->port, (long long)timeout_us / 1000);
		return sl_error_set(err, SL_EIO, "cannot connect to %s:%d: %s", ctx->host,
		                    ctx->port, strerror(e));
	}
	return SL_OK;
}

static int sock_create(const sl_stage_init *init, void **out_ctx, sl_schema **out_schema,
                       sl_error *err)
{
	const sl_options *o = init->options;
	sl_field field = {(char *)"value", sl_type_string(), false};
	int64_t port = sl_opt_int(o, "port");
	int64_t max_line = sl_opt_size(o, "max_line");
	int64_t buffer_size = sl_opt_size(o, "buffer_size");
	sock_ctx *ctx;
	int rc;

	if (port <= 0 || port > 65535)
		return sl_error_at(err, SL_EINVAL, "port", -1, "port %lld is not in 1..65535",
		                   (long long)port);
	if (max_line <= 0 || max_line > (1 << 30))
		return sl_error_at(err, SL_EINVAL, "max_line", -1, "must be between 1 and 1GB");
	if (buffer_size <= 0)
		return sl_error_at(err, SL_EINVAL, "buffer_size", -1, "must be > 0");
	ctx = calloc(1, sizeof(*ctx));
	if (ctx == NULL)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	ctx->fd = -1;
	pthread_mutex_init(&ctx->mu, NULL);
	pthread_cond_init(&ctx->cv, NULL);
	ctx->st = init->self;
	ctx->port = (int)port;
	ctx->max_line = (size_t)max_line;
	ctx->buffer_size = (size_t)buffer_size;
	ctx->host = strdup(sl_opt_string(o, "host"));
	ctx->rbuf = malloc(READ_SIZE);
	ctx->schema = sl_type_struct(1, &field);
	if (ctx->host == NULL || ctx->rbuf == NULL || ctx->schema == NULL) {
		rc = sl_error_set(err, SL_ENOMEM, "out of memory");
		goto fail;
	}
	if (init->dry_run) { /* validate/explain: no connection */
		*out_schema = sl_type_ref(ctx->schema);
		*out_ctx = ctx;
		return SL_OK;
	}
	rc = sock_connect(ctx, sl_opt_duration_us(o, "connect_timeout"), err);
	if (rc < 0)
		goto fail;
	if ((rc = pthread_create(&ctx->thread, NULL, io_main, ctx)) != 0) {
		rc = sl_error_set(err, SL_ERR, "cannot start the reader thread: %s", strerror(rc));
		goto fail;
	}
	ctx->thread_started = true;
	sl_log(ctx->st, SL_LOG_INFO, "connected to %s:%d", ctx->host, ctx->port);
	*out_schema = sl_type_ref(ctx->schema);
	*out_ctx = ctx;
	return SL_OK;
fail:
	sock_destroy(ctx);
	return rc;
}

static int parse_line_offset(const sock_ctx *ctx, const char *text, int64_t *line, sl_error *err)
{
	int64_t v;

	if (text == NULL) {
		*line = 0;
		return SL_OK;
	}
	if (sl_json_get_int(text, "line", &v) != SL_OK || v < ctx->origin)
		return sl_error_set(err, SL_EINVAL, "bad offset '%s': expected {\"line\": N}",
		                    text);
	*line = v - ctx->origin;
	return SL_OK;
}

/* Reports what the I/O thread noticed since the last call. */
static void report(sock_ctx *ctx, int64_t truncated, bool closed, int io_error)
{
	if (truncated > ctx->truncated_reported) {
		int64_t d = truncated - ctx->truncated_reported;
		sl_metric_add(ctx->st, "linesTruncated", d);
		sl_log(ctx->st, SL_LOG_WARN,
		       "%lld line(s) longer than max_line (%zu bytes) were cut", (long long)d,
		       ctx->max_line);
		ctx->truncated_reported = truncated;
	}
	if (closed && !ctx->error_reported) {
		ctx->error_reported = true;
		if (io_error != 0)
			sl_log(ctx->st, SL_LOG_WARN, "reading from %s:%d failed: %s; no more input",
			       ctx->host, ctx->port, strerror(io_error));
		else
			sl_log(ctx->st, SL_LOG_INFO, "%s:%d closed the connection", ctx->host,
			       ctx->port);
	}
}

static int sock_plan(void *vctx, const char *start, sl_strbuf *end, sl_error *err)
{
	sock_ctx *ctx = vctx;
	int64_t from, received, truncated;
	bool closed;
	int io_error, rc;

	if (!ctx->planned) {
		/* A restart from a checkpoint: number the new lines after the
		 * logged ones (what came before is lost: at-most-once). */
		int64_t v;
		ctx->planned = true;
		if (start != NULL && sl_json_get_int(start, "line", &v) == SL_OK && v > 0)
			ctx->origin = v;
	}
	if ((rc = parse_line_offset(ctx, start, &from, err)) < 0)
		return rc;
	pthread_mutex_lock(&ctx->mu);
	received = ctx->received;
	closed = ctx->closed;
	io_error = ctx->io_error;
	truncated = ctx->truncated;
	pthread_mutex_unlock(&ctx->mu);

	report(ctx, truncated, closed, io_error);
	if (received > from) {
		sl_strbuf_reset(end);
		if (sl_strbuf_printf(end, "{\"line\": %lld}", (long long)(received + ctx->origin)) <
		    0)
			return sl_error_set(err, SL_ENOMEM, "out of memory");
		return SL_OK;
	}
	return closed ? SL_EOF : SL_AGAIN;
}

/* Copies lines [from, to) into a string array; called with mu held. */
static sl_array *copy_lines(sock_ctx *ctx, seg *s, int64_t from, int64_t to)
{
	int64_t n = to - from;
	sl_buffer *offs = sl_buffer_new((size_t)(n + 1) * sizeof(int32_t));
	sl_buffer *data = NULL;
	int32_t *o;
	size_t total = 0;
	int64_t row = 0;

	if (offs == NULL)
		return NULL;
	/* Sizes first, then one copy per segment. */
	for (seg *t = s; t != NULL && t->first < to; t = t->next) {
		int64_t a = from > t->first ? from - t->first : 0;
		int64_t b = to - t->first < t->n ? to - t->first : t->n;
		size_t sa = a > 0 ? t->ends[a - 1] : 0;
		total += t->ends[b - 1] - sa;
	}
	data = sl_buffer_new(total ? total : 1);
	if (data == NULL) {
		sl_buffer_unref(offs);
		return NULL;
	}
	o = (int32_t *)offs->data;
	o[0] = 0;
	total = 0;
	for (seg *t = s; t != NULL && t->first < to; t = t->next) {
		int64_t a = from > t->first ? from - t->first : 0;
		int64_t b = to - t->first < t->n ? to - t->first : t->n;
		size_t sa = a > 0 ? t->ends[a - 1] : 0;
		memcpy(data->data + total, t->data + sa, t->ends[b - 1] - sa);
		for (int64_t i = a; i < b; i++)
			o[++row] = (int32_t)(total + t->ends[i] - sa);
		total += t->ends[b - 1] - sa;
	}
	offs->len = (size_t)(n + 1) * sizeof(int32_t);
	data->len = total;
	return sl_array_new(sl_type_string(), n, 0, NULL, offs, data, 0, NULL);
}

static int sock_read(void *vctx, const char *start, const char *end, const sl_batch_ctx *bc,
                     sl_emitter *out, sl_error *err)
{
	sock_ctx *ctx = vctx;
	int64_t from, to;
	int rc;

	if ((rc = parse_line_offset(ctx, start, &from, err)) < 0)
		return rc;
	if (end == NULL || (rc = parse_line_offset(ctx, end, &to, err)) < 0)
		return rc < 0 ? rc : sl_error_set(err, SL_EINVAL, "no end offset");

	while (from < to) {
		seg *s;
		int64_t upto = from;
		size_t bytes = 0;
		sl_array *col;
		sl_batch *batch;

		pthread_mutex_lock(&ctx->mu);
		if (from < ctx->committed || to > ctx->received) {
			pthread_mutex_unlock(&ctx->mu);
			return sl_error_set(err, SL_EINVAL,
			                    "lines %lld..%lld are not available: the socket "
			                    "source cannot replay",
			                    (long long)(from + ctx->origin + 1),
			                    (long long)(to + ctx->origin));
		}
		s = ctx->head;
		while (s->first + s->n <= from)
			s = s->next;
		/* Up to OUT_ROWS lines and OUT_BYTES of text per batch. */
		for (seg *t = s; t != NULL && upto < to && upto - from < OUT_ROWS;) {
			int64_t i = upto - t->first;
			size_t len = t->ends[i] - (i > 0 ? t->ends[i - 1] : 0);
			if (bytes + len > OUT_BYTES && upto > from)
				break;
			bytes += len;
			upto++;
			if (upto - t->first == t->n)
				t = t->next;
		}
		col = copy_lines(ctx, s, from, upto);
		pthread_mutex_unlock(&ctx->mu);
		if (col == NULL)
			return sl_error_set(err, SL_ENOMEM, "out of memory");
		batch = sl_batch_new(ctx->schema, upto - from, &col);
		if (batch == NULL)
			return sl_error_set(err, SL_ENOMEM, "out of memory");
		if ((rc = sl_emit(out, batch)) < 0)
			return rc;
		from = upto;
	}
	return SL_OK;
}

static int sock_source_commit(void *vctx, const char *end, sl_error *err)
{
	sock_ctx *ctx = vctx;
	int64_t to;
	int rc;

	if ((rc = parse_line_offset(ctx, end, &to, err)) < 0)
		return rc;
	pthread_mutex_lock(&ctx->mu);
	if (to > ctx->received)
		to = ctx->received;
	while (ctx->committed < to) {
		seg *s = ctx->head;
		int64_t a = ctx->committed - s->first;
		int64_t b = to - s->first < s->n ? to - s->first : s->n;
		size_t sa = a > 0 ? s->ends[a - 1] : 0;
		ctx->buffered -= s->ends[b - 1] - sa + (size_t)(b - a) * LINE_OVERHEAD;
		ctx->committed = s->first + b;
		if (b == s->n && s != ctx->tail) {
			ctx->head = s->next;
			seg_free(s);
		} else if (b == s->n && s->n == SEG_LINES) {
			ctx->head = ctx->tail = NULL;
			seg_free(s);
		}
	}
	pthread_cond_broadcast(&ctx->cv);
	pthread_mutex_unlock(&ctx->mu);
	return SL_OK;
}

static const sl_option_spec sock_options[] = {
    {.name = "host", .type = SL_OPT_STRING, .def = "localhost", .doc = "server to connect to"},
    {.name = "port", .type = SL_OPT_INT, .required = 1, .doc = "TCP port of the server"},
    {.name = "max_line",
     .type = SL_OPT_SIZE,
     .def = "1MB",
     .doc = "longest line kept; longer lines are cut (counted as linesTruncated)"},
    {.name = "buffer_size",
     .type = SL_OPT_SIZE,
     .def = "64MB",
     .doc = "lines held in memory before reading pauses (TCP backpressure)"},
    {.name = "connect_timeout",
     .type = SL_OPT_DURATION,
     .def = "10s",
     .doc = "how long to wait for the connection"},
    {0}};

static const sl_plugin sock_plugin = {
    .size = sizeof(sl_plugin),
    .name = "socket",
    .kind = SL_PLUGIN_SOURCE,
    .flags = 0,
    .summary = "reads text lines from a TCP server, as Spark's socket source",
    .doc = "Connects to host:port when the pipeline starts and emits every line received "
           "(without its \\n or \\r\\n) as a row of one column, value STRING.  The lines "
           "live only in memory until their batch commits, so the source cannot replay: "
           "like Spark's socket source it is at-most-once, for tests and demos.  When the "
           "server closes the connection the source ends after the last line.",
    .options = sock_options,
    .create = sock_create,
    .destroy = sock_destroy,
    .plan = sock_plan,
    .read = sock_read,
    .source_commit = sock_source_commit,
};

SL_MODULE(socket, &sock_plugin)
