/* checkpoint_meta.c - CHK/metadata: {"version": 1, "id", "name", "created",
 * "stateful": {stage: record}}, read when the checkpoint opens, written
 * (fsynced) once and again when a record changes.  The records are the
 * layer above's (stateful.c); here they are bytes to keep. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <jansson.h>

#include "store/checkpoint.h"
#include "store/checkpoint_internal.h"
#include "util/uuid.h"

static int damaged_meta(slc_checkpoint *c, const char *why, sl_error *err)
{
	return sl_error_set(err, SL_EIO,
	                    "%s: metadata %s; the checkpoint needs a person (or use a new "
	                    "checkpoint directory)",
	                    c->where, why);
}

static int parse_meta(slc_checkpoint *c, const char *text, sl_error *err)
{
	json_error_t je;
	json_t *m = json_loads(text, 0, &je), *v;
	char why[300];
	int rc = SL_OK;

	if (m == NULL || !json_is_object(m)) {
		snprintf(why, sizeof(why), "is damaged (%s)", m ? "not an object" : je.text);
		rc = damaged_meta(c, why, err);
		goto out;
	}
	v = json_object_get(m, "version");
	if (!json_is_integer(v) || json_integer_value(v) != 1) {
		rc = sl_error_set(err, SL_EINVAL,
		                  "%s: metadata has version %s; this sluice reads version 1",
		                  c->where, json_is_integer(v) ? "other than 1" : "missing");
		goto out;
	}
	v = json_object_get(m, "id");
	if (!json_is_string(v) || strlen(json_string_value(v)) != 36) {
		rc = damaged_meta(c, "has no valid \"id\"", err);
		goto out;
	}
	snprintf(c->id, sizeof(c->id), "%s", json_string_value(v));
	v = json_object_get(m, "stateful");
	if (!json_is_object(v)) {
		rc = damaged_meta(c, "has no \"stateful\" object", err);
		goto out;
	}
	json_decref(c->stateful);
	c->stateful = json_incref(v);
	json_decref(c->meta);
	c->meta = json_incref(m);
out:
	json_decref(m);
	return rc;
}

int slc_checkpoint_read_meta(slc_checkpoint *c, sl_error *err)
{
	char path[PATH_MAX];
	char *text = NULL;
	size_t len;
	int64_t *ids = NULL;
	size_t n = 0;
	int rc;

	slc_checkpoint_path(c, path, sizeof(path), "metadata");
	rc = sl_read_file(path, &text, &len, err);
	if (rc == SL_ENOTFOUND) {
		/* A new checkpoint, unless its log says otherwise. */
		if (slc_checkpoint_list(c->dir, "offsets", &ids, &n) >= 0 && n > 0)
			rc = damaged_meta(c, "is missing but offsets/ has entries", err);
		else
			rc = SL_OK;
		free(ids);
		slc_uuid(c->id);
		c->stateful = json_object();
		c->is_new = true;
		return c->stateful ? rc : sl_error_set(err, SL_ENOMEM, "out of memory");
	}
	if (rc < 0) {
		sl_error_prefix(err, "%s", c->where);
		return rc;
	}
	rc = parse_meta(c, text, err);
	free(text);
	return rc;
}

const json_t *slc_checkpoint_records(const slc_checkpoint *c)
{
	return c->stateful;
}

const json_t *slc_checkpoint_record(const slc_checkpoint *c, const char *stage)
{
	return json_object_get(c->stateful, stage);
}

int slc_checkpoint_set_record(slc_checkpoint *c, const char *stage, json_t *record, sl_error *err)
{
	if (json_object_set(c->stateful, stage, record) < 0)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	c->dirty = true;
	return SL_OK;
}

int slc_checkpoint_save_metadata(slc_checkpoint *c, const char *name, sl_error *err)
{
	char path[PATH_MAX], created[SL_TEXT_MAX];
	json_t *m;
	char *text = NULL;
	sl_strbuf sb = {0};
	struct timeval tv;
	int rc = SL_OK;

	if (!c->is_new && !c->dirty)
		return SL_OK;
	if (c->meta == NULL) {
		gettimeofday(&tv, NULL);
		sl_format_timestamp_iso((int64_t)tv.tv_sec * 1000000 + tv.tv_usec, created);
		c->meta = json_pack("{s:i, s:s, s:s, s:s}", "version", 1, "id", c->id, "name",
		                    name ? name : "", "created", created);
	}
	m = c->meta;
	if (m == NULL || json_object_set(m, "stateful", c->stateful) < 0 ||
	    (text = json_dumps(m, JSON_INDENT(2) | JSON_PRESERVE_ORDER)) == NULL) {
		rc = sl_error_set(err, SL_ENOMEM, "out of memory");
		goto out;
	}
	slc_checkpoint_path(c, path, sizeof(path), "metadata");
	if (sl_strbuf_printf(&sb, "%s\n", text) < 0) {
		rc = sl_error_set(err, SL_ENOMEM, "out of memory");
		goto out;
	}
	rc = sl_write_file(path, sb.buf, sb.len, SL_FILE_SYNC, err);
	if (rc < 0) {
		sl_error_prefix(err, "%s", c->where);
		goto out;
	}
	c->is_new = false;
	c->dirty = false;
out:
	free(text);
	sl_strbuf_free(&sb);
	return rc;
}
