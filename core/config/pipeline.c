/* pipeline.c - the pipeline object's lifetime and small lookups. */
#include <stdlib.h>
#include <string.h>

#include "config/config_file.h"
#include "loader/loader.h"
#include "store/checkpoint.h"

void slc_pipeline_release_config(slc_pipeline *p)
{
	if (p->cfg == NULL)
		return;
	for (size_t i = 0; i < p->n_stages; i++)
		p->stages[i]->setting = NULL;
	config_destroy(p->cfg);
	free(p->cfg);
	p->cfg = NULL;
}

void slc_pipeline_free(slc_pipeline *p)
{
	if (p == NULL)
		return;
	/* Contexts go in reverse topological order: sinks first. */
	for (size_t i = p->n_order; i-- > 0;) {
		slc_stage *st = p->order[i];

		if (st->created && st->plugin->destroy)
			st->plugin->destroy(st->ctx);
		st->created = 0;
	}
	/* The store closes once no stage can use it; the lock goes last. */
	slc_state_close(p->state);
	p->state = NULL;
	slc_checkpoint_close(p->chk);
	p->chk = NULL;
	/* The parsed file first: releasing it touches the stages. */
	slc_pipeline_release_config(p);
	for (size_t i = 0; i < p->n_stages; i++)
		slc_stage_free(p->stages[i]);
	free(p->stages);
	free(p->order);
	slc_loader_free(p->loader);
	for (size_t i = 0; i < p->n_plugin_path; i++)
		free(p->plugin_path[i]);
	free(p->plugin_path);
	for (size_t i = 0; i < p->n_file_names; i++)
		free(p->file_names[i]);
	free(p->file_names);
	free(p->checkpoint);
	free(p->name);
	free(p->path);
	free(p);
}

slc_stage *slc_pipeline_stage(const slc_pipeline *p, const char *name)
{
	for (size_t i = 0; i < p->n_stages; i++)
		if (p->stages[i]->name != NULL && strcmp(p->stages[i]->name, name) == 0)
			return p->stages[i];
	return NULL;
}
