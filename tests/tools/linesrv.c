/* linesrv - a scripted TCP line server for integration tests.
 *
 *   linesrv PORTFILE STEP...
 *
 * Listens on 127.0.0.1 (an ephemeral port, written to PORTFILE), accepts one
 * client and runs the steps in order:
 *   send:TEXT            write TEXT and a newline
 *   wait:FILE:N:PATTERN  wait until FILE holds PATTERN at least N times
 *   sleep:MS             pause
 *   close                close the connection (end of input for the client)
 * Every wait gives up after 30 s (exit 3) so a broken test cannot hang.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int count_in_file(const char *path, const char *pattern)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t cap = 0, len = 0;
	int n = 0;

	if (!f)
		return 0;
	for (;;) {
		if (len + 4096 + 1 > cap) {
			cap = (cap + 4096) * 2;
			char *nb = realloc(buf, cap);
			if (!nb)
				break;
			buf = nb;
		}
		size_t r = fread(buf + len, 1, 4096, f);
		if (r == 0)
			break;
		len += r;
	}
	fclose(f);
	if (buf) {
		buf[len] = '\0';
		for (const char *p = buf; (p = strstr(p, pattern)) != NULL; p += strlen(pattern))
			n++;
	}
	free(buf);
	return n;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static int wait_step(const char *arg)
{
	char file[4096];
	const char *c1 = strchr(arg, ':');
	const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;

	if (!c1 || !c2 || (size_t)(c1 - arg) >= sizeof(file))
		return -1;
	memcpy(file, arg, (size_t)(c1 - arg));
	file[c1 - arg] = '\0';
	int want = atoi(c1 + 1);
	for (int i = 0; i < 3000; i++) {
		if (count_in_file(file, c2 + 1) >= want)
			return 0;
		sleep_ms(10);
	}
	fprintf(stderr, "linesrv: timed out waiting for %d x '%s' in %s\n", want, c2 + 1, file);
	return 3;
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa;
	socklen_t slen = sizeof(sa);
	int one = 1, ls, cs = -1;

	if (argc < 2) {
		fprintf(stderr, "usage: linesrv PORTFILE STEP...\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	ls = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(ls, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(ls, 1) < 0 ||
	    getsockname(ls, (struct sockaddr *)&sa, &slen) < 0) {
		perror("linesrv: listen");
		return 1;
	}
	FILE *pf = fopen(argv[1], "w");
	if (!pf) {
		perror(argv[1]);
		return 1;
	}
	fprintf(pf, "%d\n", ntohs(sa.sin_port));
	fclose(pf);
	cs = accept(ls, NULL, NULL);
	if (cs < 0) {
		perror("linesrv: accept");
		return 1;
	}
	for (int i = 2; i < argc; i++) {
		const char *s = argv[i];
		int rc = 0;
		if (strncmp(s, "send:", 5) == 0) {
			size_t n = strlen(s + 5);
			if (write(cs, s + 5, n) != (ssize_t)n || write(cs, "\n", 1) != 1)
				rc = 1;
		} else if (strncmp(s, "wait:", 5) == 0) {
			rc = wait_step(s + 5);
		} else if (strncmp(s, "sleep:", 6) == 0) {
			sleep_ms(atol(s + 6));
		} else if (strcmp(s, "close") == 0) {
			close(cs);
			cs = -1;
		} else {
			fprintf(stderr, "linesrv: unknown step '%s'\n", s);
			rc = 2;
		}
		if (rc != 0) {
			if (cs >= 0)
				close(cs);
			return rc;
		}
	}
	if (cs >= 0)
		close(cs);
	close(ls);
	return 0;
}
