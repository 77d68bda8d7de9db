/* graph.h - the planner: from the stages of a file to a checked graph,
 * each stage bound to its plugin (creating them is create.h's).  Each step
 * adds its errors to d and marks the stages at fault broken, so later steps
 * still check the rest. */
#ifndef SLUICE_CORE_GRAPH_H
#define SLUICE_CORE_GRAPH_H

#include "config/pipeline.h"
#include "loader/loader.h"

/* Duplicate names, inputs (with did-you-mean), cycles, topological order,
 * consumers and input ports, each stage's role. */
int slc_graph_link(slc_pipeline *p, slc_diag *d);
/* Finds each stage's plugin by name and role, checks the number of inputs,
 * builds its options. */
int slc_graph_bind(slc_pipeline *p, slc_loader *l, slc_diag *d);
/* Output modes: a sink's (or the top-level) mode applies upstream;
 * conflicts and `complete` without a stateful stage are errors. */
int slc_graph_modes(slc_pipeline *p, slc_diag *d);

/* True when st or a stage upstream of it is stateful. */
bool slc_graph_stateful_upstream(const slc_stage *st);
/* True when st and every stage upstream of it have a plugin (so the
 * question above has an answer). */
bool slc_graph_resolved_upstream(const slc_stage *st);
/* True when st or a stage upstream of it has a `watermark` key. */
bool slc_graph_watermark_upstream(const slc_stage *st);

#endif
