/* tp.c - topic-partition tables and their offsets as JSON (kafka.h). */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "kafka.h"

bool kafka_topic_valid(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > 249)
		return false;
	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      *p == '.' || *p == '_' || *p == '-'))
			return false;
	return true;
}

void kafka_tps_clear(kafka_tps *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i].topic);
	t->n = 0;
}

void kafka_tps_free(kafka_tps *t)
{
	kafka_tps_clear(t);
	free(t->v);
	memset(t, 0, sizeof(*t));
}

static int cmp(const char *topic, int32_t partition, const kafka_tp *e)
{
	int c = strcmp(topic, e->topic);

	if (c != 0)
		return c;
	return (partition > e->partition) - (partition < e->partition);
}

/* Where (topic, partition) is or would go. */
static size_t place(const kafka_tps *t, const char *topic, int32_t partition, bool *found)
{
	size_t lo = 0, hi = t->n;

	*found = false;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = cmp(topic, partition, &t->v[mid]);

		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

kafka_tp *kafka_tps_find(const kafka_tps *t, const char *topic, int32_t partition)
{
	bool found;
	size_t i = place(t, topic, partition, &found);

	return found ? &t->v[i] : NULL;
}

int kafka_tps_set(kafka_tps *t, const char *topic, int32_t partition, int64_t offset)
{
	bool found;
	size_t i = place(t, topic, partition, &found);
	char *name;

	if (found) {
		t->v[i].offset = offset;
		return SL_OK;
	}
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		kafka_tp *v = realloc(t->v, cap * sizeof(*v));

		if (v == NULL)
			return SL_ENOMEM;
		t->v = v;
		t->cap = cap;
	}
	name = strdup(topic);
	if (name == NULL)
		return SL_ENOMEM;
	memmove(&t->v[i + 1], &t->v[i], (t->n - i) * sizeof(*t->v));
	t->v[i] = (kafka_tp){name, partition, offset};
	t->n++;
	return SL_OK;
}

/* A partition number given as a JSON key: "0", "17". */
static int partition_of(const char *key, int32_t *out)
{
	char *end;
	long v = strtol(key, &end, 10);

	if (*key == '\0' || *end != '\0' || v < 0 || v > INT32_MAX)
		return -1;
	*out = (int32_t)v;
	return 0;
}

/* The entries of the object j into out (not cleared). */
static int parse_object(json_t *j, kafka_tps *out, sl_error *err)
{
	json_t *parts, *v;
	const char *topic, *key;
	int32_t p;
	int rc = SL_OK;

	json_object_foreach(j, topic, parts)
	{
		if (topic[0] == '$')
			continue;
		if (!kafka_topic_valid(topic)) {
			rc = sl_error_set(err, SL_EINVAL, "'%.64s' is not a topic name", topic);
			break;
		}
		if (!json_is_object(parts)) {
			rc = sl_error_set(err, SL_EINVAL, "offsets of topic '%s' are not an object",
			                  topic);
			break;
		}
		json_object_foreach(parts, key, v)
		{
			if (partition_of(key, &p) < 0 || !json_is_integer(v)) {
				rc = sl_error_set(err, SL_EINVAL,
				                  "topic '%s': '%s' is not \"partition\": offset", topic, key);
				break;
			}
			if (kafka_tps_set(out, topic, p, json_integer_value(v)) < 0) {
				rc = sl_error_set(err, SL_ENOMEM, "out of memory");
				break;
			}
		}
		if (rc < 0)
			break;
	}
	return rc;
}

int kafka_tps_parse(const char *text, kafka_tps *out, sl_error *err)
{
	json_error_t je;
	json_t *j = json_loads(text, 0, &je);
	int rc;

	kafka_tps_clear(out);
	if (!json_is_object(j)) {
		json_decref(j);
		return sl_error_set(err, SL_EINVAL,
		                    "offsets '%.80s' are not {\"topic\": {\"partition\": offset}}", text);
	}
	rc = parse_object(j, out, err);
	json_decref(j);
	return rc;
}

int kafka_tps_parse_under(const char *text, const char *key, kafka_tps *out, sl_error *err)
{
	json_error_t je;
	json_t *j = json_loads(text, 0, &je), *sub = j ? json_object_get(j, key) : NULL;
	int rc = SL_OK;

	if (json_is_object(sub))
		rc = parse_object(sub, out, err);
	else if (sub != NULL)
		rc = sl_error_set(err, SL_EINVAL, "offsets: '%s' is not an object", key);
	json_decref(j);
	return rc;
}

int kafka_tps_parse_assign(const char *text, kafka_tps *out, sl_error *err)
{
	json_error_t je;
	json_t *j = json_loads(text, 0, &je), *parts, *v;
	const char *topic;
	size_t i;
	int rc = SL_OK;

	kafka_tps_clear(out);
	if (!json_is_object(j)) {
		json_decref(j);
		return sl_error_at(err, SL_EINVAL, "assign", -1,
		                   "expected {\"topic\": [partition, ...], ...}, e.g. "
		                   "{\"invoices\": [0, 1]}");
	}
	json_object_foreach(j, topic, parts)
	{
		if (!kafka_topic_valid(topic)) {
			rc = sl_error_at(err, SL_EINVAL, "assign", -1,
			                 "'%.64s' is not a topic name (1 to 249 of a-z A-Z 0-9 . _ -)",
			                 topic);
			break;
		}
		if (!json_is_array(parts) || json_array_size(parts) == 0) {
			rc = sl_error_at(err, SL_EINVAL, "assign", -1,
			                 "topic '%s': expected a list of partitions", topic);
			break;
		}
		json_array_foreach(parts, i, v)
		{
			json_int_t n = json_is_integer(v) ? json_integer_value(v) : -1;

			if (n < 0 || n > INT32_MAX) {
				rc = sl_error_at(err, SL_EINVAL, "assign", -1,
				                 "topic '%s': partitions are numbers from 0", topic);
				break;
			}
			if (kafka_tps_set(out, topic, (int32_t)n, -1) < 0) {
				rc = sl_error_set(err, SL_ENOMEM, "out of memory");
				break;
			}
		}
		if (rc < 0)
			break;
	}
	json_decref(j);
	return rc;
}

/* The entries of t as "topic":{"p":n},... (no braces around). */
static int format_entries(const kafka_tps *t, sl_strbuf *out)
{
	const char *prev = NULL;
	int rc = SL_OK;

	for (size_t i = 0; rc >= 0 && i < t->n; i++) {
		const kafka_tp *e = &t->v[i];
		bool same = prev != NULL && strcmp(prev, e->topic) == 0;
		json_t *name;
		char *quoted;

		if (!same) {
			if (prev != NULL)
				rc = sl_strbuf_puts(out, "},");
			name = json_string(e->topic);
			quoted = name ? json_dumps(name, JSON_ENCODE_ANY) : NULL;
			json_decref(name);
			if (quoted == NULL)
				return SL_ENOMEM;
			if (rc >= 0)
				rc = sl_strbuf_printf(out, "%s:{", quoted);
			free(quoted);
		} else {
			rc = sl_strbuf_puts(out, ",");
		}
		if (rc >= 0)
			rc = sl_strbuf_printf(out, "\"%d\":%lld", (int)e->partition, (long long)e->offset);
		prev = e->topic;
	}
	if (rc >= 0 && prev != NULL)
		rc = sl_strbuf_puts(out, "}");
	return rc < 0 ? SL_ENOMEM : SL_OK;
}

int kafka_tps_format_with(const kafka_tps *t, const char *key, const kafka_tps *extra,
                          sl_strbuf *out)
{
	if (sl_strbuf_puts(out, "{") < 0 || format_entries(t, out) < 0)
		return SL_ENOMEM;
	if (extra != NULL && extra->n > 0 &&
	    (sl_strbuf_printf(out, "%s\"%s\":{", t->n ? "," : "", key) < 0 ||
	     format_entries(extra, out) < 0 || sl_strbuf_puts(out, "}") < 0))
		return SL_ENOMEM;
	return sl_strbuf_puts(out, "}") < 0 ? SL_ENOMEM : SL_OK;
}

int kafka_tps_format(const kafka_tps *t, sl_strbuf *out)
{
	return kafka_tps_format_with(t, NULL, NULL, out);
}
