/* fuzz_pipeline.c - libFuzzer target for the pipeline-file reader: the input
 * is a pipeline file's text, written to a scratch file and read with
 * slc_pipeline_read (libconfig, ${VAR} expansion, @include, the core's
 * stage keys, triggers, modes, watermarks), the way `sluice validate`
 * starts.  Every outcome but a crash or a leak is fine; messages are
 * checked to be one line each.
 *
 *   _build-fuzz/tests/fuzz/fuzz_pipeline tests/fuzz/corpus/pipeline
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/pipeline.h"
#include "util/diag.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *__lsan_default_suppressions(void);

/* libconfig's scanner (1.7) loses the buffer of a string literal that a
 * syntax error interrupts (strbuf_append in libconfig.so): not ours, and
 * it would stop every run at the first such input. */
const char *__lsan_default_suppressions(void)
{
	return "leak:libconfig.so\n";
}

static char path[64];

static void setup(void)
{
	char dir[] = "/tmp/sluice-fuzz-pipeline-XXXXXX";

	if (mkdtemp(dir) == NULL)
		abort();
	snprintf(path, sizeof(path), "%s/p.conf", dir);
	/* Variables the corpus uses, so expansion gets past them. */
	setenv("INPUT", "/nonexistent/in", 0);
	setenv("OUTPUT", "/nonexistent/out", 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	slc_pipeline *p = NULL;
	slc_diag d;
	FILE *f;

	if (path[0] == '\0')
		setup();
	/* @include of a device or a huge file is not the reader's problem. */
	if (size > 65536 || memmem(data, size, "/dev/", 5) || memmem(data, size, "/proc/", 6) ||
	    memmem(data, size, "/sys/", 5))
		return 0;
	f = fopen(path, "wb");
	if (f == NULL)
		abort();
	if (size > 0 && fwrite(data, 1, size, f) != size)
		abort();
	fclose(f);
	slc_diag_init(&d);
	slc_pipeline_read(path, &p, &d);
	for (size_t i = 0; i < d.n; i++)
		if (strchr(slc_diag_msg(&d, i), '\n') != NULL)
			abort(); /* every message is one line */
	/* As slc_session_open does: the parsed file goes before the pipeline
	 * (slc_pipeline_free releases it only after freeing the stages). */
	if (p != NULL)
		slc_pipeline_release_config(p);
	slc_pipeline_free(p);
	slc_diag_free(&d);
	return 0;
}
