// SPDX-License-Identifier: GPL-2.0
/*
 * launch: run one command and time it the way a user sees it.
 *
 *   launch [-e TEXT] [-E FILE] [-t SECONDS] [-H] -- PROGRAM [ARG...]
 *
 * The command gets /dev/null as stdin, a pipe as stdout and FILE (default
 * /dev/null) as stderr.  One line goes to stdout:
 *
 *   first_ns=N exit_ns=N maxrss_kib=N status=N bytes=N match=0|1
 *
 * first_ns: from just before the spawn to the first byte read from the
 * pipe; exit_ns: to wait4's return; maxrss_kib: wait4's ru_maxrss;
 * status: the exit status, or 128+N for signal N (-1: timed out); match: 1
 * if TEXT occurs in the output (always 1 without -e).  -H runs the command
 * with transparent huge pages off (PR_SET_THP_DISABLE, which exec keeps),
 * to see what they add to its RSS.
 *
 * The clock is CLOCK_MONOTONIC, as is the BENCH_T0_NS the command finds in
 * its environment, so a tracer inside it (trace-shim.so) can place its own
 * timestamps on the same time line.
 *
 * Why static and small: on exec, the kernel carries the old image's peak
 * RSS into the child's ru_maxrss (the count is a maximum over both), so a
 * launcher bigger than the command would inflate its figure.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* Enough to hold what the test guests print; the rest is only counted. */
#define KEEP_BYTES	4096

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void usage(void)
{
	fprintf(stderr, "usage: launch [-e TEXT] [-E FILE] [-t SECONDS] [-H] -- PROGRAM [ARG...]\n");
	exit(2);
}

/* environ with BENCH_T0_NS=t0 in front. */
static char **env_with_t0(int64_t t0)
{
	static char t0_var[40];
	size_t n = 0;
	char **env;

	while (environ[n])
		n++;
	env = calloc(n + 2, sizeof(*env));
	if (!env)
		return environ;
	snprintf(t0_var, sizeof(t0_var), "BENCH_T0_NS=%lld", (long long)t0);
	env[0] = t0_var;
	memcpy(env + 1, environ, n * sizeof(*env));
	return env;
}

int main(int argc, char **argv)
{
	const char *expect = NULL, *err_path = "/dev/null";
	static char kept[KEEP_BYTES + 1];
	int64_t t0, first = -1, done, deadline;
	size_t kept_len = 0, bytes = 0;
	posix_spawn_file_actions_t fa;
	double timeout_s = 30;
	int opt, pipefd[2], status, ret, code;
	struct rusage ru;
	char **env;
	pid_t pid;

	while ((opt = getopt(argc, argv, "+e:E:t:H")) != -1) {
		switch (opt) {
		case 'H':
			if (prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0) < 0) {
				perror("launch: PR_SET_THP_DISABLE");
				return 1;
			}
			break;
		case 'e': expect = optarg; break;
		case 'E': err_path = optarg; break;
		case 't': timeout_s = atof(optarg); break;
		default: usage();
		}
	}
	if (optind >= argc)
		usage();
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		perror("launch: pipe");
		return 1;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
	posix_spawn_file_actions_addopen(&fa, 2, err_path,
					 O_WRONLY | O_CREAT | O_TRUNC, 0644);

	/* Everything the spawn needs is ready: from here on it is measured. */
	t0 = now_ns();
	env = env_with_t0(t0);
	ret = posix_spawnp(&pid, argv[optind], &fa, NULL, argv + optind, env);
	if (ret) {
		fprintf(stderr, "launch: %s: %s\n", argv[optind], strerror(ret));
		return 1;
	}
	close(pipefd[1]);
	deadline = t0 + (int64_t)(timeout_s * 1e9);

	for (;;) {
		struct pollfd pfd = { .fd = pipefd[0], .events = POLLIN };
		int64_t left = deadline - now_ns();
		char buf[4096];
		ssize_t n;

		if (left <= 0 || poll(&pfd, 1, (int)(left / 1000000) + 1) == 0) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			printf("first_ns=-1 exit_ns=-1 maxrss_kib=-1 status=-1 bytes=%zu match=0\n",
			       bytes);
			return 0;
		}
		n = read(pipefd[0], buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (first < 0)
			first = now_ns();
		if (kept_len < KEEP_BYTES) {
			size_t take = (size_t)n < KEEP_BYTES - kept_len ?
				      (size_t)n : KEEP_BYTES - kept_len;

			memcpy(kept + kept_len, buf, take);
			kept_len += take;
		}
		bytes += n;
	}
	while (wait4(pid, &status, 0, &ru) < 0 && errno == EINTR)
		;
	done = now_ns();

	code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	kept[kept_len] = '\0';
	printf("first_ns=%lld exit_ns=%lld maxrss_kib=%ld status=%d bytes=%zu match=%d\n",
	       (long long)(first < 0 ? -1 : first - t0), (long long)(done - t0),
	       ru.ru_maxrss, code, bytes,
	       !expect || memmem(kept, kept_len, expect, strlen(expect)) != NULL);
	return 0;
}
