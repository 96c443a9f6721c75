// SPDX-License-Identifier: GPL-2.0
/*
 * vbench: the load generators of bench/virtio, one static program for both
 * sides (the L2 guest and the L1 host have busybox and no libc).
 *
 *   vbench randread DEV QD SECONDS   4 KiB O_DIRECT reads at random 4 KiB
 *                                    offsets of DEV, QD in flight (Linux AIO:
 *                                    io_submit/io_getevents, as fio's libaio
 *                                    engine), for SECONDS
 *   vbench sink PORT                 server: each connection is read to EOF
 *   vbench source PORT SECONDS       server: writes SECONDS of data to each
 *                                    connection, then closes it
 *   vbench echo PORT                 server: echoes each connection
 *   vbench send HOST PORT SECONDS    client: writes for SECONDS, half-closes,
 *                                    waits for the peer's EOF (so all of it
 *                                    arrived): guest transmit
 *   vbench recv HOST PORT            client: reads to EOF: guest receive
 *   vbench rr HOST PORT SECONDS      client: 1-byte request, 1-byte answer,
 *                                    one at a time (TCP_NODELAY): round trips
 *   vbench time PROGRAM [ARG...]     runs PROGRAM and times it (busybox dd
 *                                    prints no rate of its own)
 *
 * The clients and randread print one line on stdout:
 *   randread qd=Q ios=N seconds=S iops=X
 *   send bytes=N seconds=S mib_s=X
 *   recv bytes=N seconds=S mib_s=X
 *   rr trans=N seconds=S trans_s=X
 *   time status=N seconds=S           (PROGRAM's stdout and stderr pass)
 * Times are CLOCK_MONOTONIC on the machine the client runs on. Servers run
 * until killed, one connection at a time. Clients retry the connection for
 * 30 s (the server may come up later). Buffers are 128 KiB.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/aio_abi.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/fs.h>
#include <time.h>
#include <unistd.h>

#define NET_BUF (128 * 1024)
#define BLOCK 4096
#define QD_MAX 256

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	fprintf(stderr, "vbench: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: vbench randread DEV QD SECONDS | sink PORT | source PORT SECONDS |\n"
		"       echo PORT | send HOST PORT SECONDS | recv HOST PORT | rr HOST PORT SECONDS |\n"
		"       time PROGRAM [ARG...]\n");
	exit(2);
}

/* xorshift64*: offsets need no more than spread. */
static uint64_t rng_state = 88172645463325252ULL;
static uint64_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ULL;
}

static int randread(const char *dev, int qd, double seconds)
{
	aio_context_t ctx = 0;
	struct iocb cbs[QD_MAX], *ptrs[QD_MAX];
	struct io_event events[QD_MAX];
	uint64_t size = 0, blocks, ios = 0;
	double t0, end, t1;
	char *buf;
	int fd, i, inflight = 0;

	if (qd < 1 || qd > QD_MAX)
		usage();
	fd = open(dev, O_RDONLY | O_DIRECT);
	if (fd < 0)
		die(dev);
	if (ioctl(fd, BLKGETSIZE64, &size) < 0) {
		struct stat st;

		if (fstat(fd, &st) < 0)
			die(dev);
		size = (uint64_t)st.st_size;
	}
	blocks = size / BLOCK;
	if (blocks == 0) {
		fprintf(stderr, "vbench: %s: empty\n", dev);
		return 1;
	}
	if (posix_memalign((void **)&buf, BLOCK, (size_t)qd * BLOCK))
		die("posix_memalign");
	memset(buf, 0, (size_t)qd * BLOCK);
	if (syscall(SYS_io_setup, qd, &ctx) < 0)
		die("io_setup");
	rng_state ^= (uint64_t)getpid() << 20;

	t0 = now_s();
	end = t0 + seconds;
	for (i = 0; i < qd; i++) {
		memset(&cbs[i], 0, sizeof(cbs[i]));
		cbs[i].aio_fildes = fd;
		cbs[i].aio_lio_opcode = IOCB_CMD_PREAD;
		cbs[i].aio_buf = (uint64_t)(uintptr_t)(buf + (size_t)i * BLOCK);
		cbs[i].aio_nbytes = BLOCK;
		cbs[i].aio_offset = (int64_t)(rng() % blocks) * BLOCK;
		cbs[i].aio_data = (uint64_t)i;
		ptrs[i] = &cbs[i];
	}
	if (syscall(SYS_io_submit, ctx, qd, ptrs) != qd)
		die("io_submit");
	inflight = qd;
	while (inflight > 0) {
		int n = (int)syscall(SYS_io_getevents, ctx, 1, qd, events, NULL);
		int again = 0;
		int stop = now_s() >= end;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("io_getevents");
		}
		for (i = 0; i < n; i++) {
			struct iocb *cb = (struct iocb *)(uintptr_t)events[i].obj;

			if (events[i].res != BLOCK) {
				fprintf(stderr, "vbench: %s: read returned %lld\n", dev,
					(long long)events[i].res);
				return 1;
			}
			ios++;
			inflight--;
			if (stop)
				continue;
			cb->aio_offset = (int64_t)(rng() % blocks) * BLOCK;
			ptrs[again++] = cb;
		}
		if (again) {
			if (syscall(SYS_io_submit, ctx, again, ptrs) != again)
				die("io_submit");
			inflight += again;
		}
	}
	t1 = now_s();
	printf("randread qd=%d ios=%llu seconds=%.3f iops=%.1f\n", qd,
	       (unsigned long long)ios, t1 - t0, ios / (t1 - t0));
	return 0;
}

static int listen_on(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	a.sin_addr.s_addr = htonl(INADDR_ANY);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
		die("bind");
	if (listen(fd, 4) < 0)
		die("listen");
	return fd;
}

static int dial(const char *host, int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	double give_up = now_s() + 30;

	if (inet_pton(AF_INET, host, &a.sin_addr) != 1) {
		fprintf(stderr, "vbench: %s: not an IPv4 address\n", host);
		exit(2);
	}
	for (;;) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);

		if (fd < 0)
			die("socket");
		if (connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0)
			return fd;
		close(fd);
		if (now_s() > give_up)
			die("connect");
		usleep(200000);
	}
}

/* write_for FD SECONDS: bytes written; stops early if the peer goes. */
static uint64_t write_for(int fd, double seconds, const char *buf)
{
	double end = now_s() + seconds;
	uint64_t total = 0;
	unsigned int n = 0;

	for (;;) {
		ssize_t w = write(fd, buf, NET_BUF);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		total += (uint64_t)w;
		/* The clock every 8 writes: a clock read is not free under TCG. */
		if ((++n & 7) == 0 && now_s() >= end)
			break;
	}
	return total;
}

static uint64_t read_all(int fd, char *buf)
{
	uint64_t total = 0;

	for (;;) {
		ssize_t r = read(fd, buf, NET_BUF);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return total;
		total += (uint64_t)r;
	}
}

static __attribute__((noreturn)) void serve(int port, const char *mode, double seconds)
{
	int lfd = listen_on(port);
	static char buf[NET_BUF];

	memset(buf, 0x5a, sizeof(buf));
	signal(SIGPIPE, SIG_IGN);
	for (;;) {
		int one = 1, fd = accept(lfd, NULL, NULL);

		if (fd < 0) {
			if (errno == EINTR)
				continue;
			die("accept");
		}
		if (!strcmp(mode, "sink")) {
			read_all(fd, buf);
		} else if (!strcmp(mode, "source")) {
			write_for(fd, seconds, buf);
		} else {
			setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
			for (;;) {
				ssize_t r = read(fd, buf, sizeof(buf));

				if (r < 0 && errno == EINTR)
					continue;
				if (r <= 0 || write(fd, buf, (size_t)r) != r)
					break;
			}
		}
		close(fd);
	}
}

int main(int argc, char **argv)
{
	static char buf[NET_BUF];
	const char *cmd;
	double t0, t1;
	uint64_t n;
	int fd;

	if (argc < 2)
		usage();
	cmd = argv[1];
	memset(buf, 0x5a, sizeof(buf));
	signal(SIGPIPE, SIG_IGN);
	if (!strcmp(cmd, "randread") && argc == 5)
		return randread(argv[2], atoi(argv[3]), atof(argv[4]));
	if ((!strcmp(cmd, "sink") || !strcmp(cmd, "echo")) && argc == 3)
		serve(atoi(argv[2]), cmd, 0);
	if (!strcmp(cmd, "source") && argc == 4)
		serve(atoi(argv[2]), cmd, atof(argv[3]));
	if (!strcmp(cmd, "send") && argc == 5) {
		fd = dial(argv[2], atoi(argv[3]));
		t0 = now_s();
		n = write_for(fd, atof(argv[4]), buf);
		shutdown(fd, SHUT_WR);
		read_all(fd, buf);
		t1 = now_s();
		printf("send bytes=%llu seconds=%.3f mib_s=%.2f\n", (unsigned long long)n,
		       t1 - t0, n / (t1 - t0) / 1048576);
		return 0;
	}
	if (!strcmp(cmd, "recv") && argc == 4) {
		fd = dial(argv[2], atoi(argv[3]));
		t0 = now_s();
		n = read_all(fd, buf);
		t1 = now_s();
		printf("recv bytes=%llu seconds=%.3f mib_s=%.2f\n", (unsigned long long)n,
		       t1 - t0, n / (t1 - t0) / 1048576);
		return 0;
	}
	if (!strcmp(cmd, "rr") && argc == 5) {
		int one = 1;
		double end;
		char c = 'x';

		fd = dial(argv[2], atoi(argv[3]));
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		n = 0;
		t0 = now_s();
		end = t0 + atof(argv[4]);
		do {
			if (write(fd, &c, 1) != 1 || read(fd, &c, 1) != 1)
				die("rr");
			n++;
		} while (now_s() < end);
		t1 = now_s();
		close(fd);
		printf("rr trans=%llu seconds=%.3f trans_s=%.1f\n", (unsigned long long)n,
		       t1 - t0, n / (t1 - t0));
		return 0;
	}
	if (!strcmp(cmd, "time") && argc >= 3) {
		int status;
		pid_t pid;

		fflush(stdout);
		t0 = now_s();
		pid = fork();
		if (pid < 0)
			die("fork");
		if (pid == 0) {
			execvp(argv[2], argv + 2);
			fprintf(stderr, "vbench: %s: %s\n", argv[2], strerror(errno));
			_exit(127);
		}
		while (waitpid(pid, &status, 0) < 0)
			if (errno != EINTR)
				die("waitpid");
		t1 = now_s();
		printf("time status=%d seconds=%.3f\n",
		       WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), t1 - t0);
		return 0;
	}
	usage();
	return 2;
}
