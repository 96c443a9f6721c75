// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "vmm/log.h"
#include "vmm/loop.h"
#include "vmm/util.h"

int loop_init(struct loop *loop)
{
	memset(loop, 0, sizeof(*loop));
	for (size_t i = 0; i < LOOP_MAX_HANDLERS; i++)
		loop->handlers[i].fd = -1;
	loop->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	return loop->epoll_fd < 0 ? -errno : 0;
}

void loop_destroy(struct loop *loop)
{
	if (loop->epoll_fd >= 0)
		close(loop->epoll_fd);
	loop->epoll_fd = -1;
}

int loop_add(struct loop *loop, int fd, uint32_t events, loop_fn fn, void *opaque)
{
	struct epoll_event ev = { .events = events };
	size_t i;

	for (i = 0; i < LOOP_MAX_HANDLERS && loop->handlers[i].fd >= 0; i++)
		;
	if (i == LOOP_MAX_HANDLERS)
		return -ENOSPC;
	ev.data.ptr = &loop->handlers[i];
	if (epoll_ctl(loop->epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0)
		return -errno;
	loop->handlers[i] = (struct loop_handler) { fd, fn, opaque };
	return 0;
}

static struct loop_handler *loop_find(struct loop *loop, int fd)
{
	for (size_t i = 0; i < LOOP_MAX_HANDLERS; i++)
		if (loop->handlers[i].fd == fd)
			return &loop->handlers[i];
	return NULL;
}

int loop_modify(struct loop *loop, int fd, uint32_t events)
{
	struct loop_handler *h = loop_find(loop, fd);
	struct epoll_event ev = { .events = events, .data.ptr = h };

	if (!h)
		return -ENOENT;
	return epoll_ctl(loop->epoll_fd, EPOLL_CTL_MOD, fd, &ev) < 0 ? -errno : 0;
}

int loop_remove(struct loop *loop, int fd)
{
	struct loop_handler *h = loop_find(loop, fd);

	if (!h)
		return -ENOENT;
	epoll_ctl(loop->epoll_fd, EPOLL_CTL_DEL, fd, NULL);
	h->fd = -1;
	return 0;
}

void loop_quit(struct loop *loop)
{
	loop->done = true;
}

int loop_run(struct loop *loop)
{
	struct epoll_event events[16];

	while (!loop->done) {
		int n = epoll_wait(loop->epoll_fd, events, ARRAY_SIZE(events), -1);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			log_error("epoll_wait: %s", strerror(errno));
			return -errno;
		}
		for (int i = 0; i < n && !loop->done; i++) {
			struct loop_handler *h = events[i].data.ptr;

			/* A handler earlier in this batch may have removed it. */
			if (h->fd >= 0)
				h->fn(h->opaque, events[i].events);
		}
	}
	return 0;
}
