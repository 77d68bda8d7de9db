/* peakrss - runs a command and reports its peak resident set size.
 *
 *   peakrss OUTFILE CMD [ARGS...]
 *
 * Runs CMD, waits for it, writes the child's peak RSS in KiB
 * (getrusage(RUSAGE_CHILDREN).ru_maxrss) as one line to OUTFILE, and exits
 * with CMD's exit status (128 + signal when it was killed).  For the memory
 * tests, which must not depend on /usr/bin/time being installed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct rusage ru;
	int status;
	pid_t pid;
	FILE *f;

	if (argc < 3) {
		fprintf(stderr, "usage: peakrss OUTFILE CMD [ARGS...]\n");
		return 2;
	}
	pid = fork();
	if (pid < 0) {
		perror("fork");
		return 2;
	}
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		perror(argv[2]);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0 || getrusage(RUSAGE_CHILDREN, &ru) < 0) {
		perror("peakrss");
		return 2;
	}
	f = fopen(argv[1], "w");
	if (f == NULL || fprintf(f, "%ld\n", ru.ru_maxrss) < 0 || fclose(f) != 0) {
		perror(argv[1]);
		return 2;
	}
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
