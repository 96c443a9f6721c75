/* SPDX-License-Identifier: GPL-2.0 */
/* The event loop: one epoll set, served by the main thread. */
#ifndef SHAPEVM_LOOP_H
#define SHAPEVM_LOOP_H

#include <stdbool.h>
#include <stdint.h>

#define LOOP_MAX_HANDLERS	64

typedef void (*loop_fn)(void *opaque, uint32_t events);

struct loop_handler {
	int fd;
	loop_fn fn;
	void *opaque;
};

struct loop {
	int epoll_fd;
	bool done;
	struct loop_handler handlers[LOOP_MAX_HANDLERS];
};

int loop_init(struct loop *loop);
void loop_destroy(struct loop *loop);
int loop_add(struct loop *loop, int fd, uint32_t events, loop_fn fn, void *opaque);
int loop_modify(struct loop *loop, int fd, uint32_t events);
int loop_remove(struct loop *loop, int fd);
/* Runs until a handler calls loop_quit. */
int loop_run(struct loop *loop);
void loop_quit(struct loop *loop);

#endif
