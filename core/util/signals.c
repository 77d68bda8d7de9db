/* signals.c - the stop flag, the self-pipe that wakes sleeps, the clocks.
 *
 * The handler sets a flag and writes one byte to a non-blocking pipe; a
 * sleep is a poll() on that pipe, so a signal that arrives just before the
 * sleep starts still ends it at once.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sluice/sl_common.h>

#include "util/signals.h"

static volatile sig_atomic_t stop_flag;
static int wake_pipe[2] = {-1, -1};
static struct sigaction old_int, old_term;
static int installed;

static void on_signal(int sig)
{
	int saved = errno;
	char c = 1;
	ssize_t n;

	(void)sig;
	stop_flag = 1;
	if (wake_pipe[1] >= 0)
		n = write(wake_pipe[1], &c, 1);
	(void)n;
	errno = saved;
}

static int make_pipe(void)
{
	if (pipe(wake_pipe) < 0)
		return SL_EIO;
	for (int i = 0; i < 2; i++) {
		fcntl(wake_pipe[i], F_SETFL, fcntl(wake_pipe[i], F_GETFL) | O_NONBLOCK);
		fcntl(wake_pipe[i], F_SETFD, FD_CLOEXEC);
	}
	return SL_OK;
}

int slc_signals_install(void)
{
	struct sigaction sa;

	if (installed)
		return SL_OK;
	if (wake_pipe[0] < 0 && make_pipe() < 0)
		return SL_EIO;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESETHAND; /* no SA_RESTART: blocking calls return EINTR */
	if (sigaction(SIGINT, &sa, &old_int) < 0 || sigaction(SIGTERM, &sa, &old_term) < 0)
		return SL_EIO;
	installed = 1;
	return SL_OK;
}

void slc_signals_restore(void)
{
	if (installed) {
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGTERM, &old_term, NULL);
		installed = 0;
	}
	for (int i = 0; i < 2; i++) {
		if (wake_pipe[i] >= 0)
			close(wake_pipe[i]);
		wake_pipe[i] = -1;
	}
}

int slc_stop_requested(void)
{
	return stop_flag != 0;
}

void slc_request_stop(void)
{
	on_signal(0);
}

void slc_stop_clear(void)
{
	char buf[64];

	stop_flag = 0;
	while (wake_pipe[0] >= 0 && read(wake_pipe[0], buf, sizeof(buf)) > 0)
		;
}

int64_t slc_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t slc_wall_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Waits on the pipe (or plain time when there is none) until deadline. */
static int wait_until(int64_t deadline)
{
	struct pollfd pfd = {.fd = wake_pipe[0], .events = POLLIN};
	int64_t left;
	int ms;

	while (!stop_flag) {
		left = deadline - slc_now_us();
		if (left <= 0)
			return 0;
		ms = (int)((left + 999) / 1000);
		if (wake_pipe[0] < 0) {
			struct timespec ts = {left / 1000000, (left % 1000000) * 1000};
			nanosleep(&ts, NULL);
			continue;
		}
		poll(&pfd, 1, ms);
	}
	return 1;
}

int slc_sleep_us(int64_t us)
{
	if (us <= 0)
		return stop_flag != 0;
	return wait_until(slc_now_us() + us);
}
