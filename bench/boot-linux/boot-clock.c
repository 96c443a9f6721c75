// SPDX-License-Identifier: GPL-2.0
/*
 * boot-clock: run one VMM, time its guest's boot as a user sees it.
 *
 *   boot-clock [-m MARKER] [-t SECONDS] [-o FILE] [-e FILE] [-s] -- PROGRAM [ARG...]
 *
 * The VMM gets /dev/null as stdin, a pipe as stdout (the guest's console)
 * and FILE (-e, default /dev/null) as stderr, so the VMM's own warnings
 * never count as guest output. What it prints goes to the -o FILE as it
 * comes. One line goes to stdout:
 *
 *   first_ms=F marker_ms=M exit_ms=X status=S maxrss_kib=R user_ms=U sys_ms=K bytes=B
 *
 * all times from just before fork(): F to the first byte on the console,
 * M to the read that completed MARKER (default "SHAPEVM_STATUS="), X to the
 * moment the process ended (its pidfd became readable). A time never
 * reached prints as "-". S is the exit status, 128+N for signal N; when
 * the -t limit (default 120 s) passes, the VMM gets SIGTERM, 5 s later
 * SIGKILL, and the line ends with "timed_out=1". R is wait4's ru_maxrss,
 * U and K its CPU time in user mode (for a KVM VMM that includes the time
 * its vCPUs ran the guest) and in the kernel.
 * -s adds "t0_ns=N", the start on CLOCK_MONOTONIC, to place events that
 * the kernel's tracer stamped with its "mono" clock on the same time line.
 *
 * Static and small on purpose: the kernel folds the pre-exec image's peak
 * RSS into the child's ru_maxrss, and L1 has no libc for it anyway.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MARKER_MAX 128

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void usage(void)
{
	fprintf(stderr, "usage: boot-clock [-m MARKER] [-t SECONDS] [-o FILE] [-e FILE] [-s] -- PROGRAM [ARG...]\n");
	exit(2);
}

static int open_output(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0) {
		fprintf(stderr, "boot-clock: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	return fd;
}

/* The child: stdin /dev/null, stdout the pipe, stderr err_fd, then exec. */
static void exec_vmm(char **argv, int pipe_write, int err_fd)
{
	int null_fd = open("/dev/null", O_RDONLY);

	if (null_fd < 0 || dup2(null_fd, 0) < 0 || dup2(pipe_write, 1) < 0 ||
	    dup2(err_fd, 2) < 0)
		_exit(126);
	execvp(argv[0], argv);
	dprintf(2, "boot-clock: %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

/* Milliseconds from t0 to t, or "-" when t never came. */
static const char *ms(int64_t t, int64_t t0, char *buf, size_t size)
{
	if (t < 0)
		return "-";
	snprintf(buf, size, "%.1f", (double)(t - t0) / 1e6);
	return buf;
}

static double timeval_ms(const struct timeval *tv)
{
	return tv->tv_sec * 1e3 + tv->tv_usec / 1e3;
}

/*
 * Whether MARKER is complete in what has been read: the last bytes of the
 * previous reads (tail) followed by this one (data).
 */
static int marker_seen(const char *marker, char *tail, size_t *tail_len,
		       const char *data, size_t len)
{
	size_t marker_len = strlen(marker), keep;
	char joined[2 * MARKER_MAX + 4096];
	size_t joined_len = 0;
	int found = 0;

	while (len > 0 && !found) {
		size_t take = len < 4096 ? len : 4096;

		memcpy(joined, tail, *tail_len);
		memcpy(joined + *tail_len, data, take);
		joined_len = *tail_len + take;
		found = memmem(joined, joined_len, marker, marker_len) != NULL;
		keep = joined_len < marker_len ? joined_len : marker_len - 1;
		memmove(tail, joined + joined_len - keep, keep);
		*tail_len = keep;
		data += take;
		len -= take;
	}
	return found;
}

int main(int argc, char **argv)
{
	const char *marker = "SHAPEVM_STATUS=", *out_path = "/dev/null";
	const char *err_path = "/dev/null";
	int64_t t0, first = -1, marker_at = -1, exited = -1, deadline;
	int opt, pipefd[2], out_fd, err_fd, pidfd, status = 0, timed_out = 0;
	char tail[MARKER_MAX], buf[65536], b1[32], b2[32], b3[32];
	size_t tail_len = 0, bytes = 0;
	double timeout_s = 120;
	int pipe_open = 1, killed = 0, show_t0 = 0;
	struct rusage ru = { 0 };
	pid_t pid;

	while ((opt = getopt(argc, argv, "+m:t:o:e:s")) != -1) {
		switch (opt) {
		case 's': show_t0 = 1; break;
		case 'm': marker = optarg; break;
		case 't': timeout_s = atof(optarg); break;
		case 'o': out_path = optarg; break;
		case 'e': err_path = optarg; break;
		default: usage();
		}
	}
	if (optind >= argc || !*marker || strlen(marker) >= MARKER_MAX ||
	    timeout_s <= 0)
		usage();
	out_fd = open_output(out_path);
	err_fd = open_output(err_path);
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		perror("boot-clock: pipe");
		return 1;
	}

	/* Everything is ready: from here on it is measured. */
	t0 = now_ns();
	pid = fork();
	if (pid < 0) {
		perror("boot-clock: fork");
		return 1;
	}
	if (pid == 0)
		exec_vmm(argv + optind, pipefd[1], err_fd);
	close(pipefd[1]);
	/* A pidfd tells the exit apart from the pipe's end to the microsecond. */
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0) {
		perror("boot-clock: pidfd_open");
		kill(pid, SIGKILL);
		return 1;
	}
	deadline = t0 + (int64_t)(timeout_s * 1e9);

	while (exited < 0) {
		struct pollfd pfd[2] = {
			{ .fd = pidfd, .events = POLLIN },
			{ .fd = pipe_open ? pipefd[0] : -1, .events = POLLIN },
		};
		int64_t left = deadline - now_ns();
		ssize_t n;

		if (left <= 0) {
			/* SIGTERM first, so a VMM can restore what it changed. */
			kill(pid, killed ? SIGKILL : SIGTERM);
			timed_out = 1;
			killed++;
			deadline = now_ns() + 5000000000LL;
			continue;
		}
		if (poll(pfd, 2, (int)(left / 1000000) + 1) < 0) {
			if (errno == EINTR)
				continue;
			perror("boot-clock: poll");
			kill(pid, SIGKILL);
			return 1;
		}
		if (pfd[1].revents) {
			n = read(pipefd[0], buf, sizeof(buf));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				pipe_open = 0;
			} else {
				int64_t t = now_ns();

				if (first < 0)
					first = t;
				if (marker_at < 0 &&
				    marker_seen(marker, tail, &tail_len, buf, n))
					marker_at = t;
				bytes += n;
				if (write(out_fd, buf, n) != n)
					perror("boot-clock: write");
			}
		}
		if (pfd[0].revents)
			exited = now_ns();
	}
	while (wait4(pid, &status, 0, &ru) < 0 && errno == EINTR)
		;
	/* What the VMM printed just before it ended is still in the pipe. */
	fcntl(pipefd[0], F_SETFL, O_NONBLOCK);
	for (;;) {
		ssize_t n = read(pipefd[0], buf, sizeof(buf));

		if (n <= 0)
			break;
		if (first < 0)
			first = exited;
		if (marker_at < 0 && marker_seen(marker, tail, &tail_len, buf, n))
			marker_at = exited;
		bytes += n;
		if (write(out_fd, buf, n) != n)
			perror("boot-clock: write");
	}

	printf("first_ms=%s marker_ms=%s exit_ms=%s status=%d maxrss_kib=%ld user_ms=%.1f sys_ms=%.1f bytes=%zu",
	       ms(first, t0, b1, sizeof(b1)), ms(marker_at, t0, b2, sizeof(b2)),
	       ms(exited, t0, b3, sizeof(b3)),
	       WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status),
	       ru.ru_maxrss, timeval_ms(&ru.ru_utime), timeval_ms(&ru.ru_stime),
	       bytes);
	if (show_t0)
		printf(" t0_ns=%lld", (long long)t0);
	printf("%s\n", timed_out ? " timed_out=1" : "");
	return 0;
}
