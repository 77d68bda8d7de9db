/* fuzz_kafka_offsets.c - libFuzzer target for the Kafka module's offset
 * texts (plugins/kafka/tp.c): the offsets of the offset log
 * ({"topic": {"partition": n}, "$start": {...}}) and the assign option
 * ({"topic": [partitions]}).  Checks: a failure has a message; an accepted
 * table formats to text that parses back to the same table, in order.
 *
 *   _build-fuzz/tests/fuzz/fuzz_kafka_offsets tests/fuzz/corpus/kafka_offsets
 */
#include <stdlib.h>
#include <string.h>

#include "../../plugins/kafka/kafka.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool same(const kafka_tps *a, const kafka_tps *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->v[i].topic, b->v[i].topic) != 0 || a->v[i].partition != b->v[i].partition ||
		    a->v[i].offset != b->v[i].offset)
			return false;
	return true;
}

static void round_trip(const kafka_tps *t, const kafka_tps *extra)
{
	sl_strbuf sb = {0};
	kafka_tps back = {0}, back_extra = {0};
	sl_error err;

	if (kafka_tps_format_with(t, "$start", extra, &sb) < 0 ||
	    kafka_tps_parse(sb.buf, &back, &err) < 0 ||
	    kafka_tps_parse_under(sb.buf, "$start", &back_extra, &err) < 0 || !same(t, &back) ||
	    (extra != NULL && !same(extra, &back_extra)))
		abort();
	kafka_tps_free(&back);
	kafka_tps_free(&back_extra);
	sl_strbuf_free(&sb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	kafka_tps t = {0}, extra = {0};
	sl_error err;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	sl_error_clear(&err);
	if (kafka_tps_parse(text, &t, &err) < 0) {
		if (err.msg[0] == '\0')
			abort();
	} else if (kafka_tps_parse_under(text, "$start", &extra, &err) >= 0) {
		round_trip(&t, &extra);
	}
	sl_error_clear(&err);
	if (kafka_tps_parse_assign(text, &t, &err) < 0) {
		if (err.msg[0] == '\0')
			abort();
	} else {
		round_trip(&t, NULL);
	}
	kafka_tps_free(&t);
	kafka_tps_free(&extra);
	free(text);
	return 0;
}
