/* graph.c - linking stages by name: inputs, consumers, cycles, order. */
#include <stdlib.h>
#include <string.h>

#include "plan/graph.h"

static int check_duplicates(slc_pipeline *p, slc_diag *d)
{
	int rc = SL_OK;

	for (size_t i = 0; i < p->n_stages; i++) {
		slc_stage *st = p->stages[i];
		slc_stage *first = st->name ? slc_pipeline_stage(p, st->name) : NULL;

		if (first == NULL || first == st)
			continue;
		st->broken = 1;
		if (strcmp(first->file, st->file) == 0)
			rc = slc_diag_add(d, st->file, st->line, st->name,
			                  "duplicate stage name (first defined at line %d)",
			                  first->line);
		else
			rc = slc_diag_add(d, st->file, st->line, st->name,
			                  "duplicate stage name (first defined at %s:%d)",
			                  first->file, first->line);
	}
	return rc;
}

static int add_consumer(slc_stage *from, slc_stage *to, size_t port, const char *side)
{
	size_t cap;
	slc_stage **c;
	size_t *ports;
	const char **sides;

	if (from->n_consumers == from->cap_consumers) {
		cap = from->cap_consumers ? from->cap_consumers * 2 : 4;
		c = realloc(from->consumers, cap * sizeof(*c));
		if (c == NULL)
			return SL_ENOMEM;
		from->consumers = c;
		ports = realloc(from->consumer_ports, cap * sizeof(*ports));
		if (ports == NULL)
			return SL_ENOMEM;
		from->consumer_ports = ports;
		sides = realloc(from->consumer_sides, cap * sizeof(*sides));
		if (sides == NULL)
			return SL_ENOMEM;
		from->consumer_sides = sides;
		from->cap_consumers = cap;
	}
	from->consumers[from->n_consumers] = to;
	from->consumer_ports[from->n_consumers] = port;
	from->consumer_sides[from->n_consumers] = side;
	from->n_consumers++;
	return SL_OK;
}

/* input = "stage.side": a side output of stage (a stage whose name has a
 * dot wins).  *side receives a copy of the side's name. */
static slc_stage *find_side_input(slc_pipeline *p, const char *name, char **side)
{
	const char *dot = strrchr(name, '.');
	slc_stage *st;
	char *head;

	*side = NULL;
	if (dot == NULL || dot == name || dot[1] == '\0')
		return NULL;
	head = strndup(name, (size_t)(dot - name));
	st = head ? slc_pipeline_stage(p, head) : NULL;
	free(head);
	if (st != NULL && (*side = strdup(dot + 1)) == NULL)
		return NULL;
	return st;
}

static int unknown_input(slc_pipeline *p, slc_stage *st, const char *name, slc_diag *d)
{
	const char **names = calloc(p->n_stages + 1, sizeof(*names));
	const char *hint = NULL;
	size_t n = 0;
	int line = st->line;
	const config_setting_t *s =
	    st->setting ? config_setting_get_member(st->setting, "input") : NULL;

	if (st->setting && s == NULL)
		s = config_setting_get_member(st->setting, "inputs");
	if (s != NULL)
		line = (int)config_setting_source_line(s);
	for (size_t i = 0; names != NULL && i < p->n_stages; i++)
		if (p->stages[i]->name && p->stages[i] != st)
			names[n++] = p->stages[i]->name;
	if (names != NULL)
		hint = sl_did_you_mean(name, names, n);
	if (hint)
		slc_diag_add(d, st->file, line, st->name, "unknown input '%s' (did you mean '%s'?)",
		             name, hint);
	else
		slc_diag_add(d, st->file, line, st->name, "unknown input '%s'", name);
	free(names);
	st->broken = 1;
	return SL_EINVAL;
}

static int link_inputs(slc_pipeline *p, slc_stage *st, slc_diag *d)
{
	int rc = SL_OK;

	st->inputs = calloc(st->n_inputs + 1, sizeof(*st->inputs));
	st->input_sides = calloc(st->n_inputs + 1, sizeof(*st->input_sides));
	if (st->inputs == NULL || st->input_sides == NULL)
		return SL_ENOMEM;
	for (size_t j = 0; j < st->n_inputs; j++) {
		slc_stage *in = slc_pipeline_stage(p, st->input_names[j]);

		if (in == NULL)
			in = find_side_input(p, st->input_names[j], &st->input_sides[j]);
		if (in == NULL) {
			rc = unknown_input(p, st, st->input_names[j], d);
			continue;
		}
		for (size_t k = 0; k < j; k++)
			if (strcmp(st->input_names[k], st->input_names[j]) == 0)
				rc = slc_diag_add(d, st->file, st->line, st->name,
				                  "input '%s' is given twice", st->input_names[j]);
		st->inputs[j] = in;
		if (add_consumer(in, st, j, st->input_sides[j]) < 0)
			return SL_ENOMEM;
	}
	return rc;
}

/* Kahn's algorithm over the inputs; stages left over sit on or behind a
 * cycle. */
static int sort(slc_pipeline *p)
{
	size_t *pending = calloc(p->n_stages + 1, sizeof(*pending));
	size_t n = 0;
	bool progress = true;

	p->order = calloc(p->n_stages + 1, sizeof(*p->order));
	if (pending == NULL || p->order == NULL) {
		free(pending);
		return SL_ENOMEM;
	}
	for (size_t i = 0; i < p->n_stages; i++)
		for (size_t j = 0; j < p->stages[i]->n_inputs; j++)
			pending[i] += p->stages[i]->inputs[j] != NULL;
	/* File order among ready stages, so the order is stable. */
	while (progress) {
		progress = false;
		for (size_t i = 0; i < p->n_stages; i++) {
			slc_stage *st = p->stages[i];

			if (pending[i] != 0)
				continue;
			pending[i] = SIZE_MAX;
			p->order[n++] = st;
			progress = true;
			for (size_t c = 0; c < st->n_consumers; c++)
				for (size_t k = 0; k < p->n_stages; k++)
					if (p->stages[k] == st->consumers[c])
						pending[k]--;
		}
	}
	p->n_order = n;
	free(pending);
	return SL_OK;
}

static bool in_order(const slc_pipeline *p, const slc_stage *st)
{
	for (size_t i = 0; i < p->n_order; i++)
		if (p->order[i] == st)
			return true;
	return false;
}

static size_t index_of(const slc_pipeline *p, const slc_stage *st)
{
	for (size_t i = 0; i < p->n_stages; i++)
		if (p->stages[i] == st)
			return i;
	return SIZE_MAX;
}

/* From a stage left over by the sort, walks inputs until one repeats: the
 * stages from the repeat on form a cycle.  Reports it once. */
static int report_cycle(slc_pipeline *p, slc_stage *from, slc_diag *d)
{
	slc_stage **path = calloc(p->n_stages + 1, sizeof(*path));
	sl_strbuf sb = {0};
	size_t n = 0, start = 0, len, first = 0;
	slc_stage *at = from;
	bool seen = false;

	if (path == NULL)
		return SL_ENOMEM;
	while (!seen) {
		path[n++] = at;
		for (size_t j = 0; j < at->n_inputs; j++) {
			if (at->inputs[j] != NULL && !in_order(p, at->inputs[j])) {
				at = at->inputs[j];
				break;
			}
		}
		for (size_t k = 0; k < n; k++)
			if (path[k] == at) {
				seen = true;
				start = k;
			}
	}
	for (size_t k = start; k < n; k++)
		if (path[k]->broken == 2)
			goto out; /* already reported */
	/* Print it along the data flow (a -> b: b reads a), from the stage
	 * that comes first in the file. */
	len = n - start;
	for (size_t k = 0; k < len; k++)
		if (index_of(p, path[n - 1 - k]) < index_of(p, path[n - 1 - first]))
			first = k;
	for (size_t k = 0; k <= len; k++)
		sl_strbuf_printf(&sb, "%s%s", k ? " -> " : "",
		                 path[n - 1 - (first + k) % len]->name);
	at = path[n - 1 - first];
	slc_diag_add(d, at->file, at->line, at->name, "cycle in inputs: %s", sb.buf);
	for (size_t k = start; k < n; k++)
		path[k]->broken = 2;
out:
	sl_strbuf_free(&sb);
	free(path);
	return SL_EINVAL;
}

static int check_cycles(slc_pipeline *p, slc_diag *d)
{
	int rc = SL_OK;

	for (size_t i = 0; i < p->n_stages; i++) {
		slc_stage *st = p->stages[i];

		if (in_order(p, st))
			continue;
		if (st->broken != 2)
			rc = report_cycle(p, st, d);
		if (rc == SL_ENOMEM)
			return rc;
		if (!st->broken)
			st->broken = 1;
	}
	return rc;
}

static void assign_roles(slc_pipeline *p)
{
	for (size_t i = 0; i < p->n_stages; i++) {
		slc_stage *st = p->stages[i];

		if (st->n_inputs == 0)
			st->role = SL_PLUGIN_SOURCE;
		else if (st->n_consumers == 0)
			st->role = SL_PLUGIN_SINK;
		else
			st->role = SL_PLUGIN_TRANSFORM;
	}
}

int slc_graph_link(slc_pipeline *p, slc_diag *d)
{
	int rc = check_duplicates(p, d), r;

	for (size_t i = 0; i < p->n_stages; i++) {
		r = link_inputs(p, p->stages[i], d);
		if (r == SL_ENOMEM)
			return r;
		if (r < 0)
			rc = r;
	}
	r = sort(p);
	if (r < 0)
		return r;
	r = check_cycles(p, d);
	if (r < 0)
		rc = r;
	assign_roles(p);
	return rc;
}

bool slc_graph_stateful_upstream(const slc_stage *st)
{
	if (st->plugin != NULL && (st->plugin->flags & SL_PLUGIN_STATEFUL))
		return true;
	for (size_t i = 0; i < st->n_inputs; i++)
		if (st->inputs[i] != NULL && slc_graph_stateful_upstream(st->inputs[i]))
			return true;
	return false;
}

bool slc_graph_resolved_upstream(const slc_stage *st)
{
	if (st->plugin == NULL)
		return false;
	for (size_t i = 0; i < st->n_inputs; i++)
		if (st->inputs[i] == NULL || !slc_graph_resolved_upstream(st->inputs[i]))
			return false;
	return true;
}

bool slc_graph_watermark_upstream(const slc_stage *st)
{
	if (st->et.column != NULL)
		return true;
	for (size_t i = 0; i < st->n_inputs; i++)
		if (st->inputs[i] != NULL && slc_graph_watermark_upstream(st->inputs[i]))
			return true;
	return false;
}
