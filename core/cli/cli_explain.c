/* cli_explain.c - `sluice explain FILE`: the stage graph in topological
 * order with each stage's plugin, kind, inputs, output mode, watermark,
 * output schema (DDL, one field per line, nested types indented) and side
 * outputs with their readers and schemas. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "session/session.h"
#include "util/log.h"
#include "util/names.h"

static void put_name(const char *name)
{
	bool plain = name[0] != '\0' && !isdigit((unsigned char)name[0]);

	for (const char *c = name; *c; c++)
		if (!isalnum((unsigned char)*c) && *c != '_')
			plain = false;
	printf(plain ? "%s" : "`%s`", name);
}

static bool has_struct(const sl_type *t)
{
	if (t->id == SL_TYPE_STRUCT)
		return true;
	return t->id == SL_TYPE_LIST && t->n_fields == 1 && has_struct(t->fields[0].type);
}

static void put_fields(const sl_type *t, int indent, const char *sep);

/* A type: flat types through sl_type_format, structs one member a line. */
static void put_type(const sl_type *t, int indent)
{
	sl_strbuf sb = {0};

	if (!has_struct(t)) {
		sl_type_format(t, &sb);
		printf("%s", sb.buf ? sb.buf : "?");
		sl_strbuf_free(&sb);
		return;
	}
	if (t->id == SL_TYPE_LIST) {
		printf("ARRAY<");
		put_type(t->fields[0].type, indent);
		printf(">");
		return;
	}
	printf("STRUCT<\n");
	put_fields(t, indent + 2, ": ");
	printf("%*s>", indent, "");
}

static void put_fields(const sl_type *t, int indent, const char *sep)
{
	for (size_t i = 0; i < t->n_fields; i++) {
		const sl_field *f = &t->fields[i];

		printf("%*s", indent, "");
		put_name(f->name);
		printf("%s", sep);
		put_type(f->type, indent);
		printf("%s\n", f->nullable ? "" : " NOT NULL");
	}
}

/* "  watermark: ts, delay 30 minutes" (the largest unit that divides). */
static void put_watermark(const slc_stage *st)
{
	static const struct {
		const char *name;
		int64_t us;
	} units[] = {{"days", 86400000000LL}, {"hours", 3600000000LL}, {"minutes", 60000000},
	             {"seconds", 1000000},    {"ms", 1000},             {"us", 1}};
	int64_t d = st->et.delay_us;
	size_t k = 0;

	while (d != 0 && d % units[k].us != 0)
		k++;
	if (d == 0)
		k = 3;
	printf("  watermark: %s, delay %lld %s\n", st->et.column, (long long)(d / units[k].us),
	       units[k].name);
}

/* Side outputs: "  side output late -> a, b" (or "(unused: dropped)"),
 * then the schema. */
static void put_sides(const slc_stage *st)
{
	for (size_t k = 0; k < st->n_sides; k++) {
		const slc_side *sd = &st->sides[k];
		size_t n = 0;

		printf("  side output %s ->", sd->name);
		for (size_t i = 0; i < st->n_consumers; i++)
			if (st->consumer_sides[i] && strcmp(st->consumer_sides[i], sd->name) == 0)
				printf("%s %s", n++ ? "," : "", st->consumers[i]->name);
		printf("%s\n    schema:\n", n ? "" : " (unused: rows counted and dropped)");
		put_fields(sd->schema, 6, " ");
	}
}

static void put_stage(const slc_stage *st)
{
	printf("\n%s: %s (%s%s)\n", st->name, st->plugin->name, slc_kind_name(st->role),
	       st->plugin->flags & SL_PLUGIN_STATEFUL ? ", stateful" : "");
	printf("  inputs: ");
	for (size_t i = 0; i < st->n_inputs; i++)
		printf("%s%s", i ? ", " : "", st->input_names[i]);
	printf("%s\n", st->n_inputs ? "" : "(none)");
	printf("  mode: %s\n", slc_mode_name(st->out_mode));
	if (st->et.column != NULL)
		put_watermark(st);
	if (st->schema == NULL)
		printf("  schema: (none: a sink has no output)\n");
	else
		printf("  schema:\n");
	if (st->schema != NULL)
		put_fields(st->schema, 4, " ");
	put_sides(st);
}

static void put_pipeline(const slc_pipeline *p)
{
	char trigger[64];

	slc_trigger_format(&p->trigger, trigger, sizeof(trigger));
	printf("pipeline %s: %zu stages, trigger %s", p->name, p->n_order, trigger);
	if (p->checkpoint)
		printf(", checkpoint %s", p->checkpoint);
	printf("\n");
	for (size_t i = 0; i < p->n_order; i++)
		put_stage(p->order[i]);
}

int slc_cmd_explain(int argc, char **argv)
{
	const slc_overrides dry = {NULL, NULL, -1, 1};
	slc_pipeline *p = NULL;
	slc_diag d;
	int rc, status = SLC_EXIT_OK;

	slc_log_setup(false);
	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		slc_usage(stdout);
		return SLC_EXIT_OK;
	}
	if (argc != 2)
		return slc_usage_error("explain: give one pipeline file");
	slc_diag_init(&d);
	rc = slc_session_open(argv[1], &dry, &p, &d);
	if (rc < 0)
		status = slc_report_open_failure(rc, &d);
	else
		put_pipeline(p);
	slc_pipeline_free(p);
	slc_diag_free(&d);
	return status;
}
