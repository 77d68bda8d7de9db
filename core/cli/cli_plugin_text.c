/* cli_plugin_text.c - pieces of a plugin's description that `sluice plugins
 * NAME` and the Markdown reference print alike. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

void slc_choices_text(const char *choices, char *buf, size_t n)
{
	size_t k = 0;

	for (const char *c = choices; *c && k + 3 < n; c++) {
		if (*c == '|') {
			buf[k++] = ',';
			buf[k++] = ' ';
		} else {
			buf[k++] = *c;
		}
	}
	buf[k] = '\0';
}

static void state_names(const sl_option_spec *spec, const char *prefix, char *buf, size_t n)
{
	char full[256];
	size_t len;

	for (; spec != NULL && spec->name != NULL; spec++) {
		if (spec->required & SL_OPT_NO_STATE)
			continue;
		snprintf(full, sizeof(full), "%s%s", prefix, spec->name);
		if (spec->type == SL_OPT_GROUP) {
			snprintf(full, sizeof(full), "%s%s.", prefix, spec->name);
			state_names(spec->group, full, buf, n);
			continue;
		}
		len = strlen(buf);
		snprintf(buf + len, n - len, "%s%s", len ? ", " : "", full);
	}
}

void slc_state_options_text(const sl_plugin *pl, char *buf, size_t n)
{
	buf[0] = '\0';
	if (pl->flags & SL_PLUGIN_STATEFUL)
		state_names(pl->options, "", buf, n);
}
