/* state_db.c - the state store on Berkeley DB (state.h): a transactional
 * environment for a checkpoint, a temporary btree in memory without one.
 * One transaction per batch; no call here is made per input record. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <db.h>

#include "store/state.h"

#define DEFAULT_CACHE (32u << 20)
#define DEFAULT_LOG_FILE (8u << 20)
#define DEFAULT_CHECKPOINT_EVERY 10
/* Page locks of one batch's transaction.  The lock region is allocated
 * for this many up front (about 2 MB on disk for 20,000) and grows; with
 * 4 KiB pages one batch can change some 800,000 keys. */
#define MAX_LOCKS 20000u

static const char last_key[] = "last";

struct slc_state {
	DB_ENV *env; /* NULL in memory */
	DB *db;      /* "state" */
	DB *commits; /* "commits" (durable only) */
	DB_TXN *txn; /* the running batch's, or NULL */
	char *where; /* for messages */
	int64_t last_commit;
	int every;         /* commits between checkpoints */
	int since;         /* commits since the last checkpoint */
	bool failed;       /* a call failed: write nothing more at close */
	char bdb_msg[256]; /* Berkeley DB's last own message */
};

/* --- buffers --- */

int slc_buf_reserve(slc_buf *b, size_t cap)
{
	void *p;
	size_t n = b->cap ? b->cap : 64;

	if (cap <= b->cap)
		return SL_OK;
	while (n < cap)
		n *= 2;
	p = realloc(b->data, n);
	if (p == NULL)
		return SL_ENOMEM;
	b->data = p;
	b->cap = n;
	return SL_OK;
}

int slc_buf_set(slc_buf *b, const void *p1, size_t n1, const void *p2, size_t n2)
{
	if (slc_buf_reserve(b, n1 + n2) < 0)
		return SL_ENOMEM;
	if (n1)
		memcpy(b->data, p1, n1);
	if (n2)
		memcpy((char *)b->data + n1, p2, n2);
	b->len = n1 + n2;
	return SL_OK;
}

void slc_buf_free(slc_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

/* --- errors --- */

static void on_bdb_error(const DB_ENV *env, const char *pfx, const char *msg)
{
	slc_state *s = env->app_private;

	(void)pfx;
	/* The first message of a failing call names the cause (a write that
	 * found the disk full); those after it its consequences. */
	if (s != NULL && s->bdb_msg[0] == '\0')
		snprintf(s->bdb_msg, sizeof(s->bdb_msg), "%s", msg);
}

/* "WHERE: state store: WHAT: reason (Berkeley DB's message)" */
static int bdb_fail(slc_state *s, sl_error *err, int rc, const char *what)
{
	int code = rc == ENOMEM ? SL_ENOMEM : SL_EIO;

	s->failed = true;
	if (rc == ENOSPC || strstr(s->bdb_msg, strerror(ENOSPC)) != NULL)
		sl_error_set(err, code,
		             "%s: state store: %s: %s: the filesystem is full; free space and "
		             "start again, the checkpoint recovers (%s)",
		             s->where, what, strerror(ENOSPC), s->bdb_msg);
	else if (s->bdb_msg[0])
		sl_error_set(err, code, "%s: state store: %s: %s (%s)", s->where, what,
		             db_strerror(rc), s->bdb_msg);
	else
		sl_error_set(err, code, "%s: state store: %s: %s", s->where, what, db_strerror(rc));
	s->bdb_msg[0] = '\0';
	return code;
}

static int nomem(sl_error *err)
{
	return sl_error_set(err, SL_ENOMEM, "state store: out of memory");
}

static slc_state *new_state(const char *where)
{
	slc_state *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->where = strdup(where);
	if (s->where == NULL) {
		free(s);
		return NULL;
	}
	s->last_commit = -1;
	s->every = DEFAULT_CHECKPOINT_EVERY;
	return s;
}

/* --- opening --- */

static int refuse_db_config(const char *dir, const char *where, sl_error *err)
{
	char path[4096];
	struct stat sb;

	snprintf(path, sizeof(path), "%s/DB_CONFIG", dir);
	if (stat(path, &sb) == 0 || errno != ENOENT)
		return sl_error_set(
		    err, SL_EINVAL,
		    "%s: %s exists: sluice configures Berkeley DB itself and will not "
		    "open a state store with a DB_CONFIG file; remove it",
		    where, path);
	return SL_OK;
}

static int configure_env(slc_state *s, const slc_state_config *cfg, sl_error *err)
{
	uint32_t cache = cfg && cfg->cache_bytes ? (uint32_t)cfg->cache_bytes : DEFAULT_CACHE;
	uint32_t lg_max = cfg && cfg->log_file_bytes ? cfg->log_file_bytes : DEFAULT_LOG_FILE;
	uint32_t lg_bsize = lg_max / 4 < (1u << 20) ? lg_max / 4 : (1u << 20);
	DB_ENV *e = s->env;
	int rc;

	e->app_private = s;
	e->set_errcall(e, on_bdb_error);
	if ((rc = e->set_cachesize(e, 0, cache, 1)) != 0 ||
	    (rc = e->set_lg_bsize(e, lg_bsize)) != 0 || (rc = e->set_lg_max(e, lg_max)) != 0 ||
	    (rc = e->log_set_config(e, DB_LOG_ZERO, 1)) != 0 ||
	    (rc = e->set_lk_max_locks(e, MAX_LOCKS)) != 0 ||
	    (rc = e->set_lk_max_objects(e, MAX_LOCKS)) != 0)
		return bdb_fail(s, err, rc, "configuring the environment");
	return SL_OK;
}

static int open_db(slc_state *s, DB **out, const char *file, sl_error *err)
{
	int rc = db_create(out, s->env, 0);

	if (rc == 0)
		rc = (*out)->open(*out, NULL, file, NULL, DB_BTREE, DB_CREATE | DB_AUTO_COMMIT,
		                  0600);
	if (rc != 0)
		return bdb_fail(s, err, rc, file);
	return SL_OK;
}

static int read_last_commit(slc_state *s, sl_error *err)
{
	DBT k = {0}, v = {0};
	char text[32];
	char *end;
	int rc;

	k.data = (void *)last_key;
	k.size = sizeof(last_key) - 1;
	v.data = text;
	v.ulen = sizeof(text) - 1;
	v.flags = DB_DBT_USERMEM;
	rc = s->commits->get(s->commits, NULL, &k, &v, 0);
	if (rc == DB_NOTFOUND)
		return SL_OK;
	if (rc != 0)
		return bdb_fail(s, err, rc, "reading the commit record");
	text[v.size] = '\0';
	s->last_commit = strtoll(text, &end, 10);
	if (*end != '\0' || s->last_commit < 0)
		return sl_error_set(err, SL_EIO,
		                    "%s: state store: the commit record is damaged ('%s')",
		                    s->where, text);
	return SL_OK;
}

int slc_state_open_durable(const char *dir, const char *where, const slc_state_config *cfg,
                           slc_state **out, sl_error *err)
{
	const uint32_t flags = DB_CREATE | DB_INIT_TXN | DB_INIT_LOG | DB_INIT_LOCK |
	                       DB_INIT_MPOOL | DB_RECOVER | DB_PRIVATE;
	slc_state *s = NULL;
	int rc;

	*out = NULL;
	rc = refuse_db_config(dir, where, err);
	if (rc < 0)
		goto fail;
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		rc = sl_error_set(err, SL_EIO, "%s: cannot create %s: %s", where, dir,
		                  strerror(errno));
		goto fail;
	}
	s = new_state(where);
	if (s == NULL) {
		rc = nomem(err);
		goto fail;
	}
	if (cfg && cfg->checkpoint_every > 0)
		s->every = cfg->checkpoint_every;
	rc = db_env_create(&s->env, 0);
	if (rc != 0) {
		rc = bdb_fail(s, err, rc, "creating the environment");
		goto fail;
	}
	rc = configure_env(s, cfg, err);
	if (rc < 0)
		goto fail;
	rc = s->env->open(s->env, dir, flags, 0600);
	if (rc != 0) {
		rc = bdb_fail(s, err, rc, "opening the environment (with recovery)");
		goto fail;
	}
	if ((rc = open_db(s, &s->db, "state.db", err)) < 0 ||
	    (rc = open_db(s, &s->commits, "commits.db", err)) < 0 ||
	    (rc = read_last_commit(s, err)) < 0 || (rc = slc_state_maintain(s, err)) < 0)
		goto fail;
	*out = s;
	return SL_OK;
fail:
	slc_state_close(s);
	return rc;
}

int slc_state_open_memory(slc_state **out, sl_error *err)
{
	slc_state *s = new_state("no checkpoint");
	int rc;

	*out = NULL;
	if (s == NULL)
		return nomem(err);
	rc = db_create(&s->db, NULL, 0);
	if (rc == 0) {
		s->db->dbenv->app_private = s;
		s->db->set_errcall(s->db, on_bdb_error);
		rc = s->db->set_cachesize(s->db, 0, 16u << 20, 1);
	}
	/* No file: a temporary database, paged to a temporary file only if
	 * the cache overflows. */
	if (rc == 0)
		rc = s->db->open(s->db, NULL, NULL, NULL, DB_BTREE, DB_CREATE, 0600);
	if (rc != 0) {
		rc = bdb_fail(s, err, rc, "opening the in-memory store");
		slc_state_close(s);
		return rc;
	}
	*out = s;
	return SL_OK;
}

void slc_state_close(slc_state *s)
{
	if (s == NULL)
		return;
	uint32_t sync = s->failed ? DB_NOSYNC : 0;

	slc_state_abort(s);
	/* After a failure (a full disk, an I/O error) nothing more is written:
	 * the log holds every committed batch, and recovery at the next start
	 * rebuilds the databases from it. */
	if (s->commits != NULL)
		s->commits->close(s->commits, sync);
	if (s->db != NULL)
		s->db->close(s->db, sync);
	if (s->env != NULL) {
		if (!s->failed)
			s->env->txn_checkpoint(s->env, 0, 0, 0);
		s->env->close(s->env, 0);
	}
	free(s->where);
	free(s);
}

int slc_state_is_durable(const slc_state *s)
{
	return s->env != NULL;
}

int64_t slc_state_last_commit(const slc_state *s)
{
	return s->last_commit;
}

/* --- transactions --- */

int slc_state_begin(slc_state *s, sl_error *err)
{
	int rc;

	if (s->env == NULL || s->txn != NULL)
		return SL_OK;
	s->bdb_msg[0] = '\0'; /* a message from before is not this batch's */
	rc = s->env->txn_begin(s->env, NULL, &s->txn, 0);
	if (rc != 0) {
		s->txn = NULL;
		return bdb_fail(s, err, rc, "beginning the batch's transaction");
	}
	return SL_OK;
}

void slc_state_abort(slc_state *s)
{
	if (s->txn != NULL)
		s->txn->abort(s->txn);
	s->txn = NULL;
}

int slc_state_maintain(slc_state *s, sl_error *err)
{
	int rc;

	s->since = 0;
	if (s->env == NULL)
		return SL_OK;
	rc = s->env->txn_checkpoint(s->env, 0, 0, 0);
	if (rc != 0)
		return bdb_fail(s, err, rc, "checkpointing the environment");
	rc = s->env->log_archive(s->env, NULL, DB_ARCH_REMOVE);
	if (rc != 0)
		return bdb_fail(s, err, rc, "removing old log files");
	return SL_OK;
}

int slc_state_commit(slc_state *s, int64_t batch_id, sl_error *err)
{
	DBT k = {0}, v = {0};
	char text[32];
	DB_TXN *txn;
	int rc;

	if (s->env == NULL) {
		s->last_commit = batch_id;
		return SL_OK;
	}
	rc = slc_state_begin(s, err);
	if (rc < 0)
		return rc;
	k.data = (void *)last_key;
	k.size = sizeof(last_key) - 1;
	v.size = (uint32_t)snprintf(text, sizeof(text), "%lld", (long long)batch_id);
	v.data = text;
	rc = s->commits->put(s->commits, s->txn, &k, &v, 0);
	if (rc != 0) {
		slc_state_abort(s);
		return bdb_fail(s, err, rc, "writing the commit record");
	}
	txn = s->txn;
	s->txn = NULL;
	/* The handle is gone after commit, whatever it returns. */
	rc = txn->commit(txn, DB_TXN_SYNC);
	if (rc != 0)
		return bdb_fail(s, err, rc, "committing the batch's transaction");
	s->last_commit = batch_id;
	if (++s->since >= s->every)
		return slc_state_maintain(s, err);
	return SL_OK;
}

/* --- operations --- */

static void set_key(DBT *k, const void *key, size_t klen)
{
	memset(k, 0, sizeof(*k));
	k->data = (void *)key;
	k->size = (uint32_t)klen;
}

static void set_out(DBT *d, slc_buf *b)
{
	memset(d, 0, sizeof(*d));
	d->data = b->data;
	d->ulen = (uint32_t)b->cap;
	d->flags = DB_DBT_USERMEM;
}

int slc_state_get(slc_state *s, const void *key, size_t klen, slc_buf *val, sl_error *err)
{
	DBT k, v;
	int rc;

	if (slc_buf_reserve(val, 64) < 0)
		return nomem(err);
	set_key(&k, key, klen);
	set_out(&v, val);
	rc = s->db->get(s->db, s->txn, &k, &v, 0);
	if (rc == DB_BUFFER_SMALL) {
		if (slc_buf_reserve(val, v.size) < 0)
			return nomem(err);
		set_out(&v, val);
		rc = s->db->get(s->db, s->txn, &k, &v, 0);
	}
	if (rc == DB_NOTFOUND)
		return SL_ENOTFOUND;
	if (rc != 0)
		return bdb_fail(s, err, rc, "get");
	val->len = v.size;
	return SL_OK;
}

int slc_state_put(slc_state *s, const void *key, size_t klen, const void *val, size_t vlen,
                  sl_error *err)
{
	DBT k, v;
	int rc = slc_state_begin(s, err);

	if (rc < 0)
		return rc;
	set_key(&k, key, klen);
	set_key(&v, val, vlen);
	rc = s->db->put(s->db, s->txn, &k, &v, 0);
	return rc == 0 ? SL_OK : bdb_fail(s, err, rc, "put");
}

int slc_state_del(slc_state *s, const void *key, size_t klen, sl_error *err)
{
	DBT k;
	int rc = slc_state_begin(s, err);

	if (rc < 0)
		return rc;
	set_key(&k, key, klen);
	rc = s->db->del(s->db, s->txn, &k, 0);
	return rc == 0 || rc == DB_NOTFOUND ? SL_OK : bdb_fail(s, err, rc, "delete");
}

/* One cursor walk over the keys starting with prefix: each key goes to fn,
 * or is deleted when fn is NULL. */
typedef struct walk {
	const void *prefix;
	size_t plen;
	sl_state_scan_fn fn;
	void *arg;
	int64_t n;
} walk;

static int cursor_step(DBC *c, DBT *k, DBT *v, slc_buf *kb, slc_buf *vb, const walk *w, uint32_t op)
{
	int rc;

	for (;;) {
		if (op == DB_SET_RANGE)
			memcpy(kb->data, w->prefix, w->plen);
		set_out(k, kb);
		set_out(v, vb);
		if (op == DB_SET_RANGE)
			k->size = (uint32_t)w->plen;
		if (w->fn == NULL) { /* deleting: the value is not needed */
			v->flags = DB_DBT_USERMEM | DB_DBT_PARTIAL;
			v->dlen = 0;
		}
		rc = c->get(c, k, v, op);
		if (rc != DB_BUFFER_SMALL)
			return rc;
		if (slc_buf_reserve(kb, k->size) < 0 || slc_buf_reserve(vb, v->size) < 0)
			return ENOMEM;
	}
}

static int walk_prefix(slc_state *s, walk *w, sl_error *err)
{
	slc_buf kb = {0}, vb = {0}, pb = {0};
	uint32_t op = DB_SET_RANGE;
	DBC *c = NULL;
	DBT k, v;
	int rc;

	/* The prefix is copied: the caller's buffer may change under fn. */
	if (slc_buf_reserve(&pb, w->plen + 1) < 0 ||
	    slc_buf_set(&pb, w->prefix, w->plen, NULL, 0) < 0 ||
	    slc_buf_reserve(&kb, w->plen + 64) < 0 || slc_buf_reserve(&vb, 256) < 0) {
		rc = nomem(err);
		goto out;
	}
	w->prefix = pb.data;
	rc = s->db->cursor(s->db, s->txn, &c, 0);
	if (rc != 0) {
		rc = bdb_fail(s, err, rc, "opening a cursor");
		goto out;
	}
	for (;; op = DB_NEXT) {
		rc = cursor_step(c, &k, &v, &kb, &vb, w, op);
		if (rc == DB_NOTFOUND)
			break;
		if (rc != 0) {
			rc = bdb_fail(s, err, rc, "scan");
			goto out;
		}
		if (k.size < w->plen || memcmp(k.data, w->prefix, w->plen) != 0)
			break;
		if (w->fn != NULL) {
			if (w->fn(w->arg, k.data, k.size, v.data, v.size))
				break;
		} else if ((rc = c->del(c, 0)) != 0) {
			rc = bdb_fail(s, err, rc, "delete");
			goto out;
		}
		w->n++;
	}
	rc = SL_OK;
out:
	if (c != NULL)
		c->close(c);
	slc_buf_free(&kb);
	slc_buf_free(&vb);
	slc_buf_free(&pb);
	return rc;
}

int slc_state_scan(slc_state *s, const void *prefix, size_t plen, sl_state_scan_fn fn, void *arg,
                   sl_error *err)
{
	walk w = {prefix, plen, fn, arg, 0};

	if (fn == NULL)
		return sl_error_set(err, SL_EINVAL, "state scan: no callback");
	return walk_prefix(s, &w, err);
}

int slc_state_del_prefix(slc_state *s, const void *prefix, size_t plen, int64_t *n_deleted,
                         sl_error *err)
{
	walk w = {prefix, plen, NULL, NULL, 0};
	int rc = slc_state_begin(s, err);

	if (rc >= 0)
		rc = walk_prefix(s, &w, err);
	if (n_deleted != NULL)
		*n_deleted = w.n;
	return rc;
}
