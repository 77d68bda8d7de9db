/* crash.c - sl_crash_point: the crash tests' hook (sl_plugin.h).
 * SLUICE_CRASH_AT="point" or "point:batch"; on a match the process says
 * so on stderr and dies with SIGKILL, leaving files as a power cut would
 * (nothing is flushed, no handler runs). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sluice/sl_plugin.h>

/* Does spec ("point" or "point:batch") name this point and batch? */
static int matches(const char *spec, const char *point, int64_t batch_id)
{
	const char *colon = strchr(spec, ':');
	size_t n = colon ? (size_t)(colon - spec) : strlen(spec);
	char *end;
	long long want;

	if (n != strlen(point) || strncmp(spec, point, n) != 0)
		return 0;
	if (colon == NULL || colon[1] == '\0')
		return 1;
	want = strtoll(colon + 1, &end, 10);
	return *end == '\0' && want == (long long)batch_id;
}

void sl_crash_point(const char *point, int64_t batch_id)
{
	const char *spec = getenv("SLUICE_CRASH_AT");
	char line[256];
	int n;

	if (spec == NULL || point == NULL || !matches(spec, point, batch_id))
		return;
	n = snprintf(line, sizeof(line), "sluice: crash point '%s' at batch %lld: killing myself\n",
	             point, (long long)batch_id);
	/* write(2), not stdio: nothing buffered is flushed, as in a power cut. */
	if (n > 0 && write(STDERR_FILENO, line, strlen(line)) < 0)
		n = 0;
	kill(getpid(), SIGKILL);
	_exit(137); /* not reached */
}
