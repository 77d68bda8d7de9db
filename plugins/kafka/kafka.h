/* kafka.h - the Kafka module's internals (kafka.so: the source and the
 * exactly-once sink, on librdkafka); not part of the SDK.
 *
 *   conf.c     librdkafka configurations from the stages' options: the
 *              pass-through `kafka` properties checked by librdkafka
 *              itself, the unsafe ones refused, the ones the plugin owns
 *              fixed, secrets masked in every message
 *   tp.c       topic-partition tables and their offsets as JSON text
 *              ({"topic": {"0": 42, "1": 7}}, Spark's form)
 *   source.c   the source: plans ranges of offsets, reads them exactly
 *   sink.c     the sink: each batch's rows once in the topic, however often
 *              the batch is written
 *   module.c   the descriptors and SL_MODULE
 *   mock.c     sluice-kafka-mock, a program of its own
 */
#ifndef SLUICE_PLUGIN_KAFKA_H
#define SLUICE_PLUGIN_KAFKA_H

#include <sluice/sluice.h>

#include <librdkafka/rdkafka.h>

#include <stdbool.h>
#include <stdint.h>

/* The header the sink tags each message with: "QUERY:BATCH:SEQ" (the query
 * id, the batch id, the row's number in the batch). */
#define KAFKA_TAG "sluice"

/* ---- conf.c ---- */

/* A property the plugin sets itself, and why a user may not change it. */
typedef struct kafka_fixed {
	const char *name, *value;
	const char *why;
} kafka_fixed;

/* A configuration from the stage's options: the plugin's defaults (which
 * the user may change), bootstrap_servers, each "name=value" of the `kafka`
 * list (an unknown property, a bad value or an unsafe one without
 * allow_unsafe_properties is an error naming it, at the option's line),
 * then the fixed ones (a `kafka` item that would change one is an error
 * giving the reason; a fixed entry without a value is only refused).
 * Messages never show a secret's value. */
int kafka_conf_new(const sl_options *o, const kafka_fixed *defaults, size_t n_defaults,
                   const kafka_fixed *fixed, size_t n_fixed, rd_kafka_conf_t **out,
                   sl_error *err);
/* Is the property's value a secret (a password, a key): masked. */
bool kafka_prop_secret(const char *name);
/* Does the property run a program or load code? */
bool kafka_prop_unsafe(const char *name);
/* The options every Kafka stage has (bootstrap_servers, kafka,
 * allow_unsafe_properties), for the plugins' tables. */
#define KAFKA_COMMON_OPTIONS                                                                 \
	{.name = "bootstrap_servers",                                                         \
	 .type = SL_OPT_STRING,                                                               \
	 .required = SL_OPT_REQUIRED,                                                         \
	 .doc = "the brokers to start from, host:port[,host:port...] (Spark's "              \
	        "kafka.bootstrap.servers)"},                                                  \
	{.name = "kafka",                                                                     \
	 .type = SL_OPT_STRING_LIST,                                                          \
	 .doc = "librdkafka properties passed through, each \"name=value\" (Spark's kafka.* " \
	        "options: TLS, SASL, timeouts), checked by librdkafka at validate; secret "   \
	        "values are never shown"},                                                    \
	{.name = "allow_unsafe_properties",                                                   \
	 .type = SL_OPT_BOOL,                                                                 \
	 .def = "false",                                                                      \
	 .doc = "allow kafka properties that run programs or load code "                     \
	        "(sasl.kerberos.kinit.cmd, plugin.library.paths, ssl.engine.location, "       \
	        "ssl.providers)"}

/* The clients' callbacks for errors and log lines, through sl_log (so a
 * broker going away is one warning in sluice's form, not librdkafka's own
 * stderr).  The opaque of every client is the plugin's context, whose
 * first member is its stage (sl_stage *). */
void kafka_on_error(rd_kafka_t *rk, int err, const char *reason, void *opaque);
void kafka_on_log(const rd_kafka_t *rk, int level, const char *fac, const char *buf);
/* Sets both on conf, with ctx as the opaque. */
void kafka_conf_callbacks(rd_kafka_conf_t *conf, void *ctx);

/* The offsets each entry of l asks for (its .offset: a timestamp in ms,
 * RD_KAFKA_OFFSET_BEGINNING or RD_KAFKA_OFFSET_END), replaced by the
 * answers.  While a partition's leader is away (a broker down, a leader
 * moving) it asks again, up to timeout_ms, then fails naming the
 * partition. */
int kafka_offsets(rd_kafka_t *rk, sl_stage *st, rd_kafka_topic_partition_list_t *l,
                  int64_t timeout_ms, sl_error *err);

/* ---- tp.c ---- */

/* One topic-partition and its offset (the next to read or write). */
typedef struct kafka_tp {
	char *topic;
	int32_t partition;
	int64_t offset;
} kafka_tp;

/* A table of them, kept sorted by topic then partition. */
typedef struct kafka_tps {
	kafka_tp *v;
	size_t n, cap;
} kafka_tps;

/* Is name a valid Kafka topic name: 1 to 249 of [a-zA-Z0-9._-]? */
bool kafka_topic_valid(const char *name);

void kafka_tps_free(kafka_tps *t);
void kafka_tps_clear(kafka_tps *t);
/* The entry, or NULL. */
kafka_tp *kafka_tps_find(const kafka_tps *t, const char *topic, int32_t partition);
/* Sets the offset of (topic, partition), adding the entry. */
int kafka_tps_set(kafka_tps *t, const char *topic, int32_t partition, int64_t offset);
/* Parses {"topic": {"0": 42, ...}, ...}; SL_EINVAL with a message.  Keys
 * that start with '$' (no topic can: Kafka's names are [a-zA-Z0-9._-]) are
 * not topics and are skipped. */
int kafka_tps_parse(const char *text, kafka_tps *out, sl_error *err);
/* Sets (adds or replaces) the entries of the table under key `key` of text,
 * when it has one (e.g. "$start"). */
int kafka_tps_parse_under(const char *text, const char *key, kafka_tps *out, sl_error *err);
/* Writes the table as that JSON (sorted, compact); with extra non-empty,
 * that table too, under the key `key`. */
int kafka_tps_format(const kafka_tps *t, sl_strbuf *out);
int kafka_tps_format_with(const kafka_tps *t, const char *key, const kafka_tps *extra,
                          sl_strbuf *out);
/* Parses the assign option: {"topic": [0, 1], ...}; offsets -1. */
int kafka_tps_parse_assign(const char *text, kafka_tps *out, sl_error *err);

#endif
