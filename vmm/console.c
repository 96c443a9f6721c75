// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vmm/console.h"
#include "vmm/exitcode.h"
#include "vmm/log.h"
#include "vmm/loop.h"
#include "vmm/vm.h"

#define CTRL_A	0x01

/*
 * The terminal's settings before raw mode. Static because atexit and the
 * fatal-signal handler, which take no argument, must be able to restore it.
 */
static struct termios saved_termios;
static int saved_fd = -1;

void console_restore(void)
{
	if (saved_fd < 0)
		return;
	tcsetattr(saved_fd, TCSAFLUSH, &saved_termios);
	saved_fd = -1;
	log_set_raw_terminal(0);
}

static void console_fatal_signal(int sig)
{
	console_restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

int console_init(struct console *con, struct vm *vm, int in_fd)
{
	struct stat st;

	memset(con, 0, sizeof(*con));
	con->vm = vm;
	con->in_fd = in_fd;
	con->tty = isatty(in_fd);
	con->in_file = fstat(in_fd, &st) == 0 && S_ISREG(st.st_mode);
	con->space_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	return con->space_fd < 0 ? -errno : 0;
}

int console_enter_raw(struct console *con)
{
	struct termios raw;

	if (!con->tty || saved_fd >= 0)
		return 0;
	if (tcgetattr(con->in_fd, &saved_termios) < 0)
		return -errno;
	raw = saved_termios;
	cfmakeraw(&raw);
	/* Keep output processing off: the guest sends its own \r\n. */
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	if (tcsetattr(con->in_fd, TCSAFLUSH, &raw) < 0)
		return -errno;
	saved_fd = con->in_fd;
	log_set_raw_terminal(1);
	atexit(console_restore);
	signal(SIGSEGV, console_fatal_signal);
	signal(SIGBUS, console_fatal_signal);
	signal(SIGABRT, console_fatal_signal);
	return 0;
}

size_t console_filter_escapes(bool *escape, uint8_t *buf, size_t len, bool *quit)
{
	size_t in, out = 0;

	*quit = false;
	for (in = 0; in < len; in++) {
		uint8_t c = buf[in];

		if (*escape) {
			*escape = false;
			if (c == 'x' || c == 'X') {
				*quit = true;
				return out;
			}
			/* Ctrl-A Ctrl-A is a literal Ctrl-A; others are dropped. */
			if (c == CTRL_A)
				buf[out++] = c;
			continue;
		}
		if (c == CTRL_A) {
			*escape = true;
			continue;
		}
		buf[out++] = c;
	}
	return out;
}

static void console_set_polling(struct console *con, bool on)
{
	if (con->in_file || con->in_eof || con->in_polled == on)
		return;
	if (loop_modify(con->loop, con->in_fd, on ? EPOLLIN : 0) == 0)
		con->in_polled = on;
}

/* Hands held-back input to the sink; true when all of it went. */
static bool console_flush_pending(struct console *con)
{
	size_t n;

	if (con->pending_off == con->pending_len)
		return true;
	n = con->sink(con->sink_opaque, con->pending + con->pending_off,
		      con->pending_len - con->pending_off);
	con->pending_off += n;
	return con->pending_off == con->pending_len;
}

static void console_read_input(struct console *con)
{
	ssize_t n;
	bool quit;

	do {
		n = read(con->in_fd, con->pending, sizeof(con->pending));
	} while (n < 0 && errno == EINTR);
	if (n <= 0) {
		/* End of input: the guest keeps running without it. */
		con->in_eof = true;
		if (!con->in_file)
			loop_remove(con->loop, con->in_fd);
		return;
	}
	con->pending_off = 0;
	con->pending_len = n;
	if (con->tty) {
		con->pending_len = console_filter_escapes(&con->escape, con->pending,
							  n, &quit);
		if (quit) {
			vm_request_stop(con->vm, EXIT_SIGNAL_BASE + SIGINT,
					"Ctrl-A x: stopping the guest");
			return;
		}
	}
	if (!console_flush_pending(con))
		console_set_polling(con, false);
}

static void console_pump(struct console *con)
{
	/* A regular file cannot be polled: read it whenever there is room. */
	while (console_flush_pending(con) && !con->in_eof && con->in_file)
		console_read_input(con);
	if (!con->in_file && console_flush_pending(con))
		console_set_polling(con, true);
}

static void console_input_ready(void *opaque, uint32_t events)
{
	struct console *con = opaque;

	(void)events;
	console_read_input(con);
}

static void console_space_ready(void *opaque, uint32_t events)
{
	struct console *con = opaque;
	uint64_t count;

	(void)events;
	if (read(con->space_fd, &count, sizeof(count)) < 0 && errno != EAGAIN)
		log_debug("console: space eventfd: %s", strerror(errno));
	console_pump(con);
}

int console_attach(struct console *con, struct loop *loop,
		   console_sink_fn sink, void *opaque)
{
	int ret;

	con->loop = loop;
	con->sink = sink;
	con->sink_opaque = opaque;
	ret = loop_add(loop, con->space_fd, EPOLLIN, console_space_ready, con);
	if (ret)
		return ret;
	if (!con->in_file) {
		ret = loop_add(loop, con->in_fd, EPOLLIN, console_input_ready, con);
		if (ret == -EPERM) {
			/* Not pollable and not a file (e.g. /dev/null): no input. */
			con->in_eof = true;
			return 0;
		}
		if (ret)
			return ret;
		con->in_polled = true;
		return 0;
	}
	console_pump(con);
	return 0;
}
