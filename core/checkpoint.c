/* checkpoint.c - the checkpoint directory: layout, lock, metadata and the
 * stateful stages' fingerprints. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <jansson.h>

#include "checkpoint.h"
#include "checkpoint_internal.h"
#include "host.h"
#include "progress.h"

const char *slc_checkpoint_dir(const slc_checkpoint *c)
{
	return c->dir;
}

const char *slc_checkpoint_where(const slc_checkpoint *c)
{
	return c->where;
}

const char *slc_checkpoint_id(const slc_checkpoint *c)
{
	return c->id;
}

int slc_checkpoint_path(const slc_checkpoint *c, char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;
	int k = snprintf(buf, n, "%s/", c->dir);

	if (k < 0 || (size_t)k >= n)
		return SL_EINVAL;
	va_start(ap, fmt);
	k += vsnprintf(buf + k, n - (size_t)k, fmt, ap);
	va_end(ap);
	return k < 0 || (size_t)k >= n ? SL_EINVAL : SL_OK;
}

static int mkdir_one(const slc_checkpoint *c, const char *path, sl_error *err)
{
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return sl_error_set(err, SL_EIO, "%s: cannot create %s: %s", c->where, path,
		                    strerror(errno));
	return SL_OK;
}

/* mkdir -p: the directory and its missing parents. */
static int mkdir_parents(const slc_checkpoint *c, sl_error *err)
{
	char path[PATH_MAX];
	int rc;

	if (snprintf(path, sizeof(path), "%s", c->dir) >= (int)sizeof(path))
		return sl_error_set(err, SL_EINVAL, "%s: path too long", c->where);
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		rc = mkdir_one(c, path, err);
		*p = '/';
		if (rc < 0)
			return rc;
	}
	return mkdir_one(c, path, err);
}

/* The lock comes first: a second process stops there, having changed
 * nothing but perhaps creating the (empty) directory that it found. */
static int take_lock(slc_checkpoint *c, sl_error *err)
{
	char path[PATH_MAX], pid[32] = "";
	ssize_t k;
	int n;

	if (slc_checkpoint_path(c, path, sizeof(path), "lock") < 0)
		return sl_error_set(err, SL_EINVAL, "%s: path too long", c->where);
	c->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (c->lock_fd < 0)
		return sl_error_set(err, SL_EIO, "%s: cannot open %s: %s", c->where, path,
		                    strerror(errno));
	if (flock(c->lock_fd, LOCK_EX | LOCK_NB) < 0) {
		int e = errno;

		k = pread(c->lock_fd, pid, sizeof(pid) - 1, 0);
		pid[k > 0 ? k : 0] = '\0';
		pid[strcspn(pid, "\n")] = '\0';
		close(c->lock_fd);
		c->lock_fd = -1;
		if (e != EWOULDBLOCK)
			return sl_error_set(err, SL_EIO, "%s: cannot lock %s: %s", c->where, path,
			                    strerror(e));
		return sl_error_set(err, SL_ESTATE,
		                    "%s: in use by another sluice process%s%s%s; stop it or use "
		                    "another checkpoint directory",
		                    c->where, pid[0] ? " (pid " : "", pid, pid[0] ? ")" : "");
	}
	n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(c->lock_fd, 0) < 0 || pwrite(c->lock_fd, pid, (size_t)n, 0) != n)
		return sl_error_set(err, SL_EIO, "%s: cannot write %s: %s", c->where, path,
		                    strerror(errno));
	return SL_OK;
}

static int make_layout(slc_checkpoint *c, sl_error *err)
{
	static const char *const subs[] = {"offsets", "commits"};
	char path[PATH_MAX];
	int rc;

	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
		if (slc_checkpoint_path(c, path, sizeof(path), "%s", subs[i]) < 0)
			return sl_error_set(err, SL_EINVAL, "%s: path too long", c->where);
		rc = mkdir_one(c, path, err);
		if (rc < 0)
			return rc;
	}
	return SL_OK;
}

/* --- metadata --- */

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

static int read_meta(slc_checkpoint *c, sl_error *err)
{
	char path[PATH_MAX];
	char *text = NULL;
	size_t len;
	int64_t *ids = NULL;
	size_t n = 0;
	int rc;

	slc_checkpoint_path(c, path, sizeof(path), "metadata");
	rc = slc_read_file(path, &text, &len, err);
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

int slc_checkpoint_save_metadata(slc_checkpoint *c, const slc_pipeline *p, sl_error *err)
{
	char path[PATH_MAX], created[40];
	json_t *m;
	char *text = NULL;
	sl_strbuf sb = {0};
	const char *name;
	json_t *v;
	struct timeval tv;
	int rc = SL_OK;

	json_object_foreach(c->stateful, name, v)
	{
		const slc_stage *st = slc_pipeline_stage(p, name);

		if (st == NULL || st->plugin == NULL || !(st->plugin->flags & SL_PLUGIN_STATEFUL))
			slc_log(
			    SL_LOG_WARN, NULL,
			    "%s: stateful stage '%s' is no longer in the pipeline; its state is "
			    "kept",
			    c->where, name);
	}
	if (!c->is_new && !c->dirty)
		return SL_OK;
	if (c->meta == NULL) {
		gettimeofday(&tv, NULL);
		slc_iso_time((int64_t)tv.tv_sec * 1000000 + tv.tv_usec, created, sizeof(created));
		c->meta = json_pack("{s:i, s:s, s:s, s:s}", "version", 1, "id", c->id, "name",
		                    p->name ? p->name : "", "created", created);
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
	rc = slc_write_file(path, sb.buf, sb.len, true, err);
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

/* --- what stateful stages were built under --- */

/* A value as the message shows it: a string bare, anything else as JSON. */
static void show(const json_t *v, char *buf, size_t n)
{
	char *text;

	if (v == NULL || json_is_null(v)) {
		snprintf(buf, n, "unset");
		return;
	}
	if (json_is_string(v)) {
		snprintf(buf, n, "'%s'", json_string_value(v));
		return;
	}
	text = json_dumps(v, JSON_ENCODE_ANY);
	snprintf(buf, n, "%s", text ? text : "?");
	free(text);
}

/* what changed from was to now; an option can be set back. */
static int changed(slc_checkpoint *c, const char *what, const json_t *was, const json_t *now,
                   sl_error *err)
{
	bool option = strncmp(what, "option ", 7) == 0;
	char a[400], b[400];

	show(was, a, sizeof(a));
	show(now, b, sizeof(b));
	return sl_error_set(err, SL_ESTATE,
	                    "%s changed from %s to %s, but the stage's state in %s was built "
	                    "under the old one; %s",
	                    what, a, b, c->where,
	                    option ? "restore it or use a new checkpoint directory"
	                           : "use a new checkpoint directory");
}

/* The first option whose value differs (options the record lacks, from a
 * newer plugin, are taken as they are). */
static int compare_options(slc_checkpoint *c, const slc_stage *st, const json_t *was,
                           const json_t *now, sl_error *err)
{
	const char *name;
	json_t *v, *w;
	char what[300];
	int rc;

	json_object_foreach((json_t *)now, name, v)
	{
		w = json_object_get(was, name);
		if (w == NULL || json_equal(w, v))
			continue;
		snprintf(what, sizeof(what), "option '%s'", name);
		rc = changed(c, what, w, v, err);
		/* The option's own name, for its file:line: the table's
		 * spelling, which outlives the checkpoint. */
		for (const sl_option_spec *s = st->plugin->options; s && s->name; s++)
			if (strcmp(s->name, name) == 0)
				err->option = s->name;
		return rc;
	}
	return SL_OK;
}

static int compare_record(slc_checkpoint *c, const slc_stage *st, const json_t *was,
                          const json_t *now, sl_error *err)
{
	const json_t *wi = json_object_get(was, "inputs"), *ni = json_object_get(now, "inputs");
	char what[64];
	int rc;

	if (!json_equal(json_object_get(was, "plugin"), json_object_get(now, "plugin")))
		return changed(c, "its plugin", json_object_get(was, "plugin"),
		               json_object_get(now, "plugin"), err);
	rc = compare_options(c, st, json_object_get(was, "options"), json_object_get(now, "options"),
	                     err);
	if (rc < 0)
		return rc;
	if (json_array_size(wi) != json_array_size(ni))
		return sl_error_set(err, SL_ESTATE,
		                    "its number of inputs changed from %zu to %zu, but the stage's "
		                    "state in %s was built under the old one; use a new checkpoint "
		                    "directory",
		                    json_array_size(wi), json_array_size(ni), c->where);
	for (size_t i = 0; i < json_array_size(ni); i++) {
		if (json_equal(json_array_get(wi, i), json_array_get(ni, i)))
			continue;
		if (json_array_size(ni) == 1)
			snprintf(what, sizeof(what), "its input schema");
		else
			snprintf(what, sizeof(what), "the schema of its input %zu", i + 1);
		return changed(c, what, json_array_get(wi, i), json_array_get(ni, i), err);
	}
	if (json_object_get(was, "output") && json_object_get(now, "output") &&
	    !json_equal(json_object_get(was, "output"), json_object_get(now, "output")))
		return changed(c, "its output schema", json_object_get(was, "output"),
		               json_object_get(now, "output"), err);
	return SL_OK;
}

/* A checkpoint from before the records: its fingerprint string. */
static int incompatible(slc_checkpoint *c, sl_error *err)
{
	return sl_error_set(err, SL_ESTATE,
	                    "changed incompatibly (its keys, aggregates or types) since its state "
	                    "in %s was built; use a new checkpoint directory",
	                    c->where);
}

static int check_fingerprint(slc_checkpoint *c, const slc_stage *st, const char *known,
                             const sl_schema *const *inputs, bool after, sl_error *err)
{
	char before[17], out[17], fp[40];

	if (slc_fingerprint_before(st, inputs, before) < 0 ||
	    (after && slc_fingerprint_after(st, out) < 0))
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	if (!after)
		return strncmp(known, before, 16) != 0 ? incompatible(c, err) : SL_OK;
	snprintf(fp, sizeof(fp), "%s.%s", before, out);
	return strcmp(known, fp) != 0 ? incompatible(c, err) : SL_OK;
}

int slc_checkpoint_check_before(slc_checkpoint *c, const slc_stage *st,
                                const sl_schema *const *inputs, sl_error *err)
{
	const json_t *known = json_object_get(c->stateful, st->name);
	json_t *now;
	int rc;

	if (known == NULL)
		return SL_OK;
	if (json_is_string(known))
		return check_fingerprint(c, st, json_string_value(known), inputs, false, err);
	now = slc_stage_record(st, inputs);
	if (now == NULL)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	rc = compare_record(c, st, known, now, err);
	json_decref(now);
	return rc;
}

int slc_checkpoint_check_after(slc_checkpoint *c, const slc_stage *st, sl_error *err)
{
	const json_t *known = json_object_get(c->stateful, st->name);
	const sl_schema **inputs = calloc(st->n_inputs + 1, sizeof(*inputs));
	json_t *now = NULL;
	int rc = SL_OK;

	if (inputs == NULL)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	for (size_t i = 0; i < st->n_inputs; i++)
		inputs[i] = st->inputs[i]->schema;
	now = slc_stage_record(st, inputs);
	if (now == NULL || slc_stage_record_output(now, st) < 0) {
		rc = sl_error_set(err, SL_ENOMEM, "out of memory");
		goto out;
	}
	if (json_is_string(known))
		rc = check_fingerprint(c, st, json_string_value(known), inputs, true, err);
	else if (known != NULL)
		rc = compare_record(c, st, known, now, err);
	if (rc < 0)
		goto out;
	/* New, from an older checkpoint's fingerprint, or with options a newer
	 * plugin added: the record is (re)written. */
	if (known == NULL || !json_equal((json_t *)known, now)) {
		if (json_object_set(c->stateful, st->name, now) < 0) {
			rc = sl_error_set(err, SL_ENOMEM, "out of memory");
			goto out;
		}
		c->dirty = true;
	}
out:
	json_decref(now);
	free(inputs);
	return rc;
}

/* --- open and close --- */

int slc_checkpoint_open(const char *dir, slc_checkpoint **out, sl_error *err)
{
	slc_checkpoint *c = calloc(1, sizeof(*c));
	size_t len = strlen(dir);
	int rc;

	*out = NULL;
	if (c == NULL)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	c->lock_fd = -1;
	while (len > 1 && dir[len - 1] == '/')
		len--;
	c->dir = strndup(dir, len);
	if (c->dir == NULL || asprintf(&c->where, "checkpoint %s", c->dir) < 0) {
		c->where = NULL;
		rc = sl_error_set(err, SL_ENOMEM, "out of memory");
		goto fail;
	}
	if (len == 0) {
		rc = sl_error_set(err, SL_EINVAL, "checkpoint: empty directory name");
		goto fail;
	}
	if ((rc = mkdir_parents(c, err)) < 0 || (rc = take_lock(c, err)) < 0 ||
	    (rc = make_layout(c, err)) < 0 || (rc = read_meta(c, err)) < 0 ||
	    (rc = slc_checkpoint_progress_open(c, err)) < 0)
		goto fail;
	*out = c;
	return SL_OK;
fail:
	slc_checkpoint_close(c);
	return rc;
}

void slc_checkpoint_close(slc_checkpoint *c)
{
	if (c == NULL)
		return;
	if (c->lock_fd >= 0) {
		/* A clean stop leaves no pid behind for `sluice status`. */
		if (ftruncate(c->lock_fd, 0) < 0)
			slc_log(SL_LOG_DEBUG, NULL, "%s: cannot clear the lock file", c->where);
		close(c->lock_fd);
	}
	json_decref(c->meta);
	json_decref(c->stateful);
	free(c->dir);
	free(c->where);
	free(c);
}
