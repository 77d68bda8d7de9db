/* checkpoint_log.c - offsets/N (the plan of batch N, with a CRC-32C
 * trailer) and commits/N (the human-readable mirror of its commit); the
 * damaged-entry rule and pruning. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "store/checkpoint.h"
#include "store/checkpoint_internal.h"
#include "store/crc32c.h"
#include "util/log.h"

static const char trailer[] = "\ncrc32c ";

void slc_offsets_free(slc_offsets *o)
{
	for (size_t i = 0; i < o->n; i++) {
		free(o->names[i]);
		free(o->ends[i]);
	}
	free(o->names);
	free(o->ends);
	for (size_t i = 0; i < o->n_event; i++)
		free(o->event_names[i]);
	free(o->event_names);
	free(o->event_max);
	memset(o, 0, sizeof(*o));
}

const char *slc_offsets_end(const slc_offsets *o, const char *name, bool *found)
{
	for (size_t i = 0; i < o->n; i++) {
		if (strcmp(o->names[i], name) == 0) {
			*found = true;
			return o->ends[i];
		}
	}
	*found = false;
	return NULL;
}

/* --- writing --- */

static char *offsets_json(const slc_offsets *o)
{
	json_t *j = json_object(), *src = json_object();
	char *text = NULL;

	if (j == NULL || src == NULL)
		goto out;
	for (size_t i = 0; i < o->n; i++)
		json_object_set_new(src, o->names[i],
		                    o->ends[i] ? json_string(o->ends[i]) : json_null());
	json_object_set_new(j, "batchId", json_integer(o->batch_id));
	json_object_set_new(j, "timestamp", json_integer(o->timestamp_us));
	json_object_set_new(j, "watermarkUs", json_integer(o->watermark_us));
	json_object_set(j, "sources", src);
	if (o->n_event > 0) {
		json_t *et = json_object();

		for (size_t i = 0; i < o->n_event; i++)
			json_object_set_new(et, o->event_names[i], json_integer(o->event_max[i]));
		json_object_set_new(j, "eventTimeMaxUs", et);
	}
	text = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
out:
	json_decref(src);
	json_decref(j);
	return text;
}

int slc_checkpoint_write_offsets(slc_checkpoint *c, const slc_offsets *o, sl_error *err)
{
	char path[PATH_MAX];
	char *json = offsets_json(o);
	sl_strbuf sb = {0};
	int rc;

	if (json == NULL || sl_strbuf_printf(&sb, "%s%s%08x\n", json, trailer,
	                                     slc_crc32c(0, json, strlen(json))) < 0) {
		rc = sl_error_set(err, SL_ENOMEM, "out of memory");
		goto out;
	}
	slc_checkpoint_path(c, path, sizeof(path), "offsets/%lld", (long long)o->batch_id);
	rc = sl_write_file(path, sb.buf, sb.len, SL_FILE_SYNC, err);
	if (rc < 0)
		sl_error_prefix(err, "%s", c->where);
out:
	free(json);
	sl_strbuf_free(&sb);
	return rc;
}

int slc_checkpoint_write_commit(slc_checkpoint *c, int64_t n, int64_t timestamp_us, sl_error *err)
{
	char path[PATH_MAX], text[160], when[SL_TEXT_MAX];
	int rc;

	sl_format_timestamp_iso(timestamp_us, when);
	snprintf(text, sizeof(text), "{\"batchId\": %lld, \"timestamp\": %lld, \"time\": \"%s\"}\n",
	         (long long)n, (long long)timestamp_us, when);
	slc_checkpoint_path(c, path, sizeof(path), "commits/%lld", (long long)n);
	/* A mirror: the commit record in the store is the truth, so no fsync. */
	rc = sl_write_file(path, text, strlen(text), 0, err);
	if (rc < 0) {
		sl_error_prefix(err, "%s", c->where);
		return rc;
	}
	slc_checkpoint_prune(c, n - SLC_CHECKPOINT_KEEP + 1);
	return SL_OK;
}

/* --- reading --- */

static int damaged(const char *path, const char *why, sl_error *err)
{
	return sl_error_set(err, SL_EIO, "%s is damaged (%s)", path, why);
}

static int parse_sources(json_t *src, slc_offsets *out)
{
	const char *name;
	json_t *v;
	size_t n = json_object_size(src), i = 0;

	out->names = calloc(n + 1, sizeof(char *));
	out->ends = calloc(n + 1, sizeof(char *));
	if (out->names == NULL || out->ends == NULL)
		return SL_ENOMEM;
	json_object_foreach(src, name, v)
	{
		if (!json_is_string(v) && !json_is_null(v))
			return SL_EINVAL;
		out->names[i] = strdup(name);
		out->ends[i] = json_is_string(v) ? strdup(json_string_value(v)) : NULL;
		out->n = ++i;
		if (out->names[i - 1] == NULL || (json_is_string(v) && out->ends[i - 1] == NULL))
			return SL_ENOMEM;
	}
	return SL_OK;
}

/* The optional "eventTimeMaxUs": {stage: us}. */
static int parse_event_times(json_t *et, slc_offsets *out)
{
	const char *name;
	json_t *v;
	size_t n = json_object_size(et), i = 0;

	if (et == NULL)
		return SL_OK;
	out->event_names = calloc(n + 1, sizeof(char *));
	out->event_max = calloc(n + 1, sizeof(int64_t));
	if (out->event_names == NULL || out->event_max == NULL)
		return SL_ENOMEM;
	json_object_foreach(et, name, v)
	{
		if (!json_is_integer(v))
			return SL_EINVAL;
		out->event_names[i] = strdup(name);
		out->event_max[i] = json_integer_value(v);
		out->n_event = ++i;
		if (out->event_names[i - 1] == NULL)
			return SL_ENOMEM;
	}
	return SL_OK;
}

/* Checks the trailer and parses the JSON before it. */
static int parse_entry(const char *path, char *text, size_t len, int64_t n, slc_offsets *out,
                       sl_error *err)
{
	char *t = NULL, *end;
	unsigned long want;
	json_error_t je;
	json_t *j = NULL, *v;
	int rc;

	for (char *p = strstr(text, trailer); p != NULL; p = strstr(p + 1, trailer))
		t = p;
	if (t == NULL || len == 0 || text[len - 1] != '\n')
		return damaged(path, "cut short: no checksum line", err);
	errno = 0;
	want = strtoul(t + strlen(trailer), &end, 16);
	if (errno != 0 || end == t + strlen(trailer) || strcmp(end, "\n") != 0)
		return damaged(path, "unreadable checksum line", err);
	if (slc_crc32c(0, text, (size_t)(t - text)) != (uint32_t)want)
		return damaged(path, "checksum mismatch", err);
	*t = '\0';
	j = json_loads(text, 0, &je);
	v = j ? json_object_get(j, "batchId") : NULL;
	if (!json_is_integer(v) || json_integer_value(v) != n ||
	    !json_is_object(json_object_get(j, "sources"))) {
		rc = damaged(path, "not an offsets entry of this batch", err);
		goto out;
	}
	out->batch_id = n;
	out->timestamp_us = json_integer_value(json_object_get(j, "timestamp"));
	v = json_object_get(j, "watermarkUs");
	out->watermark_us = json_is_integer(v) ? json_integer_value(v) : SL_NO_WATERMARK;
	rc = parse_sources(json_object_get(j, "sources"), out);
	if (rc >= 0)
		rc = parse_event_times(json_object_get(j, "eventTimeMaxUs"), out);
	if (rc == SL_EINVAL)
		rc = damaged(path, "a source's offset is not text or null, or an event time not an integer", err);
	else if (rc < 0)
		rc = sl_error_set(err, rc, "out of memory");
out:
	json_decref(j);
	if (rc < 0)
		slc_offsets_free(out);
	return rc;
}

int slc_checkpoint_read_offsets(const char *dir, int64_t n, slc_offsets *out, sl_error *err)
{
	char path[PATH_MAX];
	char *text = NULL;
	size_t len;
	int rc;

	memset(out, 0, sizeof(*out));
	snprintf(path, sizeof(path), "%s/offsets/%lld", dir, (long long)n);
	rc = sl_read_file(path, &text, &len, err);
	if (rc == SL_ENOTFOUND)
		return rc;
	if (rc >= 0)
		rc = parse_entry(path, text, len, n, out, err);
	free(text);
	return rc;
}

/* --- listing, pruning, the damaged-entry rule --- */

static int cmp_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static bool all_digits(const char *s)
{
	if (*s == '\0' || strlen(s) > 18)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

int slc_checkpoint_list(const char *dir, const char *sub, int64_t **ids, size_t *n)
{
	char path[PATH_MAX];
	struct dirent *e;
	size_t cap = 0;
	int64_t *v = NULL, *grown;
	DIR *d;

	*ids = NULL;
	*n = 0;
	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	d = opendir(path);
	if (d == NULL)
		return errno == ENOENT ? SL_OK : SL_EIO;
	while ((e = readdir(d)) != NULL) {
		if (!all_digits(e->d_name))
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 128;
			grown = realloc(v, cap * sizeof(*v));
			if (grown == NULL) {
				free(v);
				closedir(d);
				return SL_ENOMEM;
			}
			v = grown;
		}
		v[(*n)++] = strtoll(e->d_name, NULL, 10);
	}
	closedir(d);
	if (*n > 0)
		qsort(v, *n, sizeof(*v), cmp_id);
	*ids = v;
	return SL_OK;
}

void slc_checkpoint_prune(slc_checkpoint *c, int64_t first_kept)
{
	static const char *const subs[] = {"offsets", "commits"};
	char path[PATH_MAX];
	int64_t *ids;
	size_t n;

	for (size_t s = 0; s < 2; s++) {
		if (slc_checkpoint_list(c->dir, subs[s], &ids, &n) < 0)
			continue;
		for (size_t i = 0; i < n && ids[i] < first_kept; i++) {
			slc_checkpoint_path(c, path, sizeof(path), "%s/%lld", subs[s],
			                    (long long)ids[i]);
			if (unlink(path) < 0 && errno != ENOENT)
				slc_log(SL_LOG_WARN, NULL, "%s: cannot remove %s: %s", c->where,
				        path, strerror(errno));
		}
		free(ids);
	}
}

/* Moves the damaged last entry aside: batch n never ran. */
static int move_aside(slc_checkpoint *c, int64_t n, const sl_error *why, sl_error *err)
{
	char from[PATH_MAX], to[PATH_MAX + 16], dir[PATH_MAX];

	slc_checkpoint_path(c, from, sizeof(from), "offsets/%lld", (long long)n);
	slc_checkpoint_path(c, dir, sizeof(dir), "offsets");
	snprintf(to, sizeof(to), "%s.damaged", from);
	if (rename(from, to) < 0)
		return sl_error_set(err, SL_EIO, "%s: cannot move %s aside: %s", c->where, from,
		                    strerror(errno));
	slc_log(SL_LOG_WARN, NULL,
	        "%s: %s; batch %lld never ran, so the entry was moved to %s and the batch is "
	        "planned again",
	        c->where, why->msg, (long long)n, to);
	return sl_fsync_dir(dir, err) < 0 ? sl_error_prefix(err, "%s", c->where), SL_EIO : SL_OK;
}

int slc_checkpoint_check_log(slc_checkpoint *c, int64_t committed, int64_t *last, sl_error *err)
{
	slc_offsets o;
	sl_error why;
	int64_t *ids = NULL;
	size_t n = 0;
	bool have_committed = committed < 0;
	int rc = slc_checkpoint_list(c->dir, "offsets", &ids, &n);

	*last = -1;
	if (rc < 0) {
		rc = sl_error_set(err, rc, "%s: cannot list offsets/", c->where);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		sl_error_clear(&why);
		rc = slc_checkpoint_read_offsets(c->dir, ids[i], &o, &why);
		if (rc >= 0) {
			slc_offsets_free(&o);
			*last = ids[i];
			have_committed |= ids[i] == committed;
			continue;
		}
		/* Only the entry of the batch after the last committed one can
		 * be a crash's torn write: that batch never ran. */
		if (rc != SL_EIO || i + 1 < n || ids[i] != committed + 1) {
			rc = sl_error_set(err, SL_EIO, "%s: %s; %s", c->where, why.msg,
			                  ids[i] <= committed ? "its batch committed, so the checkpoint "
			                                        "needs a person"
			                  : i + 1 < n ? "it is not the last entry, so the checkpoint "
			                                "needs a person"
			                              : "only the entry right after the last committed "
			                                "batch can be a torn write, so the checkpoint "
			                                "needs a person");
			goto out;
		}
		rc = move_aside(c, ids[i], &why, err);
		if (rc < 0)
			goto out;
	}
	rc = SL_OK;
	if (!have_committed)
		rc = sl_error_set(err, SL_EIO,
		                  "%s: offsets/%lld of the last committed batch is missing; the "
		                  "checkpoint needs a person",
		                  c->where, (long long)committed);
	else if (*last > committed + 1)
		rc = sl_error_set(
		    err, SL_EIO,
		    "%s: offsets/%lld is beyond the last committed batch %lld (was the "
		    "state directory replaced?); the checkpoint needs a person",
		    c->where, (long long)*last, (long long)committed);
out:
	free(ids);
	return rc;
}
