/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The user's terminal as the guest's console: keystrokes go to a sink (the
 * UART), raw mode while the guest runs, the terminal restored on every exit.
 * Ctrl-A x ends the guest; Ctrl-A Ctrl-A sends a Ctrl-A.
 */
#ifndef SHAPEVM_CONSOLE_H
#define SHAPEVM_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <termios.h>

struct vm;
struct loop;

typedef size_t (*console_sink_fn)(void *opaque, const uint8_t *buf, size_t len);

struct console {
	struct vm *vm;
	struct loop *loop;
	int in_fd;
	int space_fd;		/* the sink has room again */
	console_sink_fn sink;
	void *sink_opaque;
	bool tty;
	bool in_polled;
	bool in_file;		/* a regular file: epoll cannot watch it */
	bool in_eof;
	bool escape;
	uint8_t pending[4096];
	size_t pending_off, pending_len;
};

int console_init(struct console *con, struct vm *vm, int in_fd);
int console_attach(struct console *con, struct loop *loop,
		   console_sink_fn sink, void *opaque);
/* Raw mode on a terminal; undone by console_restore (also at exit). */
int console_enter_raw(struct console *con);
void console_restore(void);
/* Pure: filters Ctrl-A escapes from buf in place; returns the bytes left. */
size_t console_filter_escapes(bool *escape, uint8_t *buf, size_t len, bool *quit);

#endif
