/* session.c - reading, planning and creating a pipeline. */
#include <stdlib.h>
#include <string.h>

#include "loader/loader.h"
#include "plan/graph.h"
#include "plan/stateful.h"
#include "session/create.h"
#include "session/session.h"
#include "store/checkpoint.h"
#include "util/uuid.h"

static int apply(slc_pipeline *p, const slc_overrides *ov)
{
	if (ov == NULL)
		return SL_OK;
	if (ov->trigger != NULL)
		p->trigger = *ov->trigger;
	if (ov->progress >= 0)
		p->progress = ov->progress;
	p->dry_run = ov->dry_run;
	if (ov->checkpoint != NULL) {
		free(p->checkpoint);
		p->checkpoint = strdup(ov->checkpoint);
		if (p->checkpoint == NULL)
			return SL_ENOMEM;
	}
	return SL_OK;
}

/* The installed directory, SLUICE_PLUGIN_PATH, then the file's
 * plugin_path. */
static int make_loader(slc_pipeline *p)
{
	sl_error err;
	int rc;

	p->loader = slc_loader_new();
	if (p->loader == NULL)
		return SL_ENOMEM;
	rc = slc_loader_add_default_dirs(p->loader);
	/* (the reader refused relative directories at their line) */
	for (size_t i = 0; rc >= 0 && i < p->n_plugin_path; i++) {
		sl_error_clear(&err);
		rc = slc_loader_add_dir(p->loader, p->plugin_path[i], &err);
	}
	return rc;
}

/* The checkpoint (lock, metadata) and its state store open before the
 * stages are created: stateful stages restore their tables in create. */
static int open_checkpoint(slc_pipeline *p, slc_diag *d)
{
	char state_dir[4096];
	sl_error err;
	int rc;

	if (p->checkpoint == NULL || p->dry_run) {
		slc_uuid(p->query_id); /* this run's own */
		return SL_OK;
	}
	sl_error_clear(&err);
	rc = slc_checkpoint_open(p->checkpoint, &p->chk, &err);
	if (rc >= 0) {
		snprintf(p->query_id, sizeof(p->query_id), "%s", slc_checkpoint_id(p->chk));
		snprintf(state_dir, sizeof(state_dir), "%s/state", slc_checkpoint_dir(p->chk));
		rc = slc_state_open_durable(state_dir, slc_checkpoint_where(p->chk), NULL,
		                            &p->state, &err);
	}
	if (rc < 0) {
		slc_diag_add(d, NULL, 0, NULL, "%s", err.msg);
		return rc == SL_ENOMEM ? rc : SL_ESTATE;
	}
	return SL_OK;
}

/* A new checkpoint (or one that gained a stateful stage) records its
 * metadata once every stage is created. */
static int save_metadata(slc_pipeline *p, slc_diag *d)
{
	sl_error err;
	int rc;

	if (p->chk == NULL)
		return SL_OK;
	sl_error_clear(&err);
	rc = slc_stateful_save(p->chk, p, &err);
	if (rc < 0) {
		slc_diag_add(d, NULL, 0, NULL, "%s", err.msg);
		return rc == SL_ENOMEM ? rc : SL_ESTATE;
	}
	return SL_OK;
}

static int plan(slc_pipeline *p, slc_diag *d)
{
	int rc = SL_OK, r;

	r = slc_graph_link(p, d);
	if (r == SL_ENOMEM)
		return r;
	rc = r < 0 ? r : rc;
	r = slc_graph_bind(p, p->loader, d);
	if (r == SL_ENOMEM)
		return r;
	rc = r < 0 ? r : rc;
	r = slc_graph_modes(p, d);
	rc = r < 0 ? r : rc;
	if (rc >= 0 && d->n == 0) {
		r = open_checkpoint(p, d);
		if (r < 0)
			return r;
	}
	r = slc_stages_create(p, d);
	if (r == SL_ENOMEM)
		return r;
	rc = r < 0 ? r : rc;
	if (rc >= 0 && d->n == 0)
		rc = save_metadata(p, d);
	return rc;
}

int slc_session_open(const char *path, const slc_overrides *ov, slc_pipeline **out, slc_diag *d)
{
	slc_pipeline *p = NULL;
	int rc, r;

	rc = slc_pipeline_read(path, &p, d);
	*out = p;
	if (p == NULL || rc == SL_EIO || rc == SL_ENOMEM)
		return rc == SL_EIO ? SL_EINVAL : rc;
	r = apply(p, ov);
	if (r < 0)
		return r;
	r = make_loader(p);
	if (r < 0)
		return r;
	r = plan(p, d);
	slc_loader_warn_refused(p->loader);
	slc_pipeline_release_config(p);
	if (r == SL_ENOMEM || r == SL_ESTATE)
		return r;
	if (rc < 0 || r < 0 || d->n > 0)
		return SL_EINVAL;
	return SL_OK;
}
