/* conf.c - librdkafka configurations from a Kafka stage's options
 * (kafka.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kafka.h"

/* Properties that run a program or load code into the process: a
 * pipeline file must not be able to do that by accident. */
static const char *const unsafe[] = {
    "sasl.kerberos.kinit.cmd", "plugin.library.paths", "ssl.engine.location",
    "ssl.providers",           "ssl.engine.id",
};

bool kafka_prop_unsafe(const char *name)
{
	for (size_t i = 0; i < sizeof(unsafe) / sizeof(unsafe[0]); i++)
		if (strcmp(name, unsafe[i]) == 0)
			return true;
	return false;
}

bool kafka_prop_secret(const char *name)
{
	return strstr(name, "password") != NULL || strstr(name, "secret") != NULL ||
	       strcmp(name, "ssl.key.pem") == 0 || strcmp(name, "ssl_key") == 0 ||
	       strstr(name, "sasl.oauthbearer.config") != NULL;
}

/* "name=value" split in place (name trimmed); NULL value when no '='. */
static char *split(char *item, char **value)
{
	char *eq = strchr(item, '='), *end;

	*value = NULL;
	if (eq == NULL)
		return item;
	*eq = '\0';
	*value = eq + 1;
	for (end = eq; end > item && (end[-1] == ' ' || end[-1] == '\t'); end--)
		end[-1] = '\0';
	while (*item == ' ' || *item == '\t')
		item++;
	return item;
}

static const kafka_fixed *find_fixed(const kafka_fixed *fixed, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(fixed[i].name, name) == 0)
			return &fixed[i];
	return NULL;
}

/* librdkafka's own message, without the value when it is a secret. */
static int conf_error(const char *name, const char *errstr, sl_error *err)
{
	if (kafka_prop_secret(name))
		return sl_error_at(err, SL_EINVAL, "kafka", -1,
		                   "property '%s': invalid value (not shown: it is a secret)", name);
	return sl_error_at(err, SL_EINVAL, "kafka", -1, "property '%s': %s", name, errstr);
}

/* One "name=value" item of the `kafka` list. */
static int set_item(rd_kafka_conf_t *conf, const char *text, const kafka_fixed *fixed,
                    size_t n_fixed, bool allow_unsafe, sl_error *err)
{
	char *copy = strdup(text), *value, *name, errstr[512];
	const kafka_fixed *f;
	int rc = SL_OK;

	if (copy == NULL)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	name = split(copy, &value);
	if (value == NULL || *name == '\0') {
		rc = sl_error_at(err, SL_EINVAL, "kafka", -1,
		                 "'%s' is not \"name=value\" (a librdkafka property, e.g. "
		                 "\"security.protocol=SSL\")",
		                 kafka_prop_secret(name) ? "(a secret)" : text);
	} else if (strcmp(name, "bootstrap.servers") == 0) {
		rc = sl_error_at(err, SL_EINVAL, "kafka", -1,
		                 "property 'bootstrap.servers': give it as the option "
		                 "bootstrap_servers");
	} else if ((f = find_fixed(fixed, n_fixed, name)) != NULL) {
		if (f->value == NULL || strcmp(f->value, value) != 0)
			rc = sl_error_at(err, SL_EINVAL, "kafka", -1, "property '%s' cannot be set: %s",
			                 name, f->why);
	} else if (kafka_prop_unsafe(name) && !allow_unsafe) {
		rc = sl_error_at(err, SL_EINVAL, "kafka", -1,
		                 "property '%s' runs a program or loads code into sluice; refused "
		                 "unless allow_unsafe_properties = true",
		                 name);
	} else if (rd_kafka_conf_set(conf, name, value, errstr, sizeof(errstr)) !=
	           RD_KAFKA_CONF_OK) {
		rc = conf_error(name, errstr, err);
	}
	free(copy);
	return rc;
}

int kafka_conf_new(const sl_options *o, const kafka_fixed *defaults, size_t n_defaults,
                   const kafka_fixed *fixed, size_t n_fixed, rd_kafka_conf_t **out,
                   sl_error *err)
{
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	bool allow_unsafe = sl_opt_bool(o, "allow_unsafe_properties");
	char errstr[512];
	int rc = SL_OK;

	*out = NULL;
	if (conf == NULL)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	for (size_t i = 0; i < n_defaults; i++)
		if (rd_kafka_conf_set(conf, defaults[i].name, defaults[i].value, errstr,
		                      sizeof(errstr)) != RD_KAFKA_CONF_OK) {
			rd_kafka_conf_destroy(conf);
			return sl_error_set(err, SL_EINVAL, "property '%s': %s", defaults[i].name,
			                    errstr);
		}
	if (rd_kafka_conf_set(conf, "bootstrap.servers", sl_opt_string(o, "bootstrap_servers"),
	                      errstr, sizeof(errstr)) != RD_KAFKA_CONF_OK)
		rc = sl_error_at(err, SL_EINVAL, "bootstrap_servers", -1, "%s", errstr);
	for (size_t i = 0; rc >= 0 && i < sl_opt_list_len(o, "kafka"); i++)
		rc = set_item(conf, sl_opt_list_at(o, "kafka", i), fixed, n_fixed, allow_unsafe, err);
	for (size_t i = 0; rc >= 0 && i < n_fixed; i++)
		if (fixed[i].value != NULL &&
		    rd_kafka_conf_set(conf, fixed[i].name, fixed[i].value, errstr, sizeof(errstr)) !=
		        RD_KAFKA_CONF_OK)
			rc = sl_error_set(err, SL_EINVAL, "property '%s': %s", fixed[i].name, errstr);
	if (rc < 0) {
		rd_kafka_conf_destroy(conf);
		return rc;
	}
	*out = conf;
	return SL_OK;
}

void kafka_on_error(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
	sl_stage *st = opaque ? *(sl_stage **)opaque : NULL;

	(void)rk;
	/* Brokers come and go: librdkafka retries; say what happens. */
	sl_log(st, err == RD_KAFKA_RESP_ERR__FATAL ? SL_LOG_ERROR : SL_LOG_WARN, "kafka: %s",
	       reason);
}

void kafka_on_log(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
	void *opaque = rd_kafka_opaque(rk);
	sl_stage *st = opaque ? *(sl_stage **)opaque : NULL;
	/* syslog levels: 0-3 errors, 4 warnings, 5-6 notices and info, 7 debug */
	sl_log_level l = level <= 3 ? SL_LOG_ERROR
	                 : level == 4 ? SL_LOG_WARN
	                 : level <= 6 ? SL_LOG_INFO
	                              : SL_LOG_DEBUG;

	sl_log(st, l, "kafka %s: %s", fac, buf);
}

void kafka_conf_callbacks(rd_kafka_conf_t *conf, void *ctx)
{
	rd_kafka_conf_set_error_cb(conf, kafka_on_error);
	rd_kafka_conf_set_log_cb(conf, kafka_on_log);
	rd_kafka_conf_set_opaque(conf, ctx);
}

static int64_t mono_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

int kafka_offsets(rd_kafka_t *rk, sl_stage *st, rd_kafka_topic_partition_list_t *l,
                  int64_t timeout_ms, sl_error *err)
{
	int64_t *want = malloc(((size_t)l->cnt + 1) * sizeof(*want)), deadline;
	rd_kafka_topic_partition_t *bad = NULL;
	rd_kafka_resp_err_t e = RD_KAFKA_RESP_ERR_NO_ERROR;
	bool warned = false;

	if (want == NULL)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	for (int i = 0; i < l->cnt; i++)
		want[i] = l->elems[i].offset;
	deadline = mono_ms() + timeout_ms;
	for (;;) {
		bad = NULL;
		e = l->cnt > 0 ? rd_kafka_offsets_for_times(rk, l, 2000) : RD_KAFKA_RESP_ERR_NO_ERROR;
		for (int i = 0; !e && bad == NULL && i < l->cnt; i++)
			if (l->elems[i].err)
				bad = &l->elems[i];
		if (!e && bad == NULL)
			break;
		if (mono_ms() >= deadline || sl_stopping(st))
			break;
		if (!warned && bad != NULL)
			sl_log(st, SL_LOG_WARN,
			       "topic %s partition %d: cannot read its offsets: %s; asking again",
			       bad->topic, (int)bad->partition, rd_kafka_err2str(bad->err));
		else if (!warned)
			sl_log(st, SL_LOG_WARN, "cannot read the partitions' offsets: %s; asking again",
			       rd_kafka_err2str(e));
		warned = true;
		for (int i = 0; i < l->cnt; i++) {
			l->elems[i].offset = want[i];
			l->elems[i].err = RD_KAFKA_RESP_ERR_NO_ERROR;
		}
		nanosleep(&(struct timespec){0, 100 * 1000000L}, NULL);
	}
	free(want);
	if (bad != NULL)
		return sl_error_set(err, SL_EIO, "topic %s partition %d: cannot read its offsets: %s",
		                    bad->topic, (int)bad->partition, rd_kafka_err2str(bad->err));
	if (e)
		return sl_error_set(err, SL_EIO, "cannot read the partitions' offsets: %s",
		                    rd_kafka_err2str(e));
	if (warned)
		sl_log(st, SL_LOG_INFO, "offsets read again");
	return SL_OK;
}
