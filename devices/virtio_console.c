// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <linux/virtio_config.h>
#include <poll.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "devices/virtio_console.h"
#include "devices/virtio_pci.h"
#include "vmm/le.h"
#include "vmm/log.h"
#include "vmm/vm.h"

#define CONSOLE_QUEUE_SIZE	128
#define CONSOLE_CONFIG_SIZE	12	/* cols, rows, max_nr_ports, emerg_wr */
#define RECEIVEQ		0
#define TRANSMITQ		1

struct virtio_console {
	struct virtio_dev vdev;
	int out_fd;
	int space_fd;
	bool input_waiting;	/* input was refused for want of buffers */
};

/*
 * Writes all of buf unless the VM is stopping: a terminal that does not
 * read must not keep the I/O thread (and so shutdown) stuck for good.
 */
static void console_output(struct virtio_console *con, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len && !vm_stopping(con->vdev.vm)) {
		ssize_t n = write(con->out_fd, p, len);

		if (n > 0) {
			p += n;
			len -= n;
		} else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			struct pollfd pfd = { .fd = con->out_fd, .events = POLLOUT };

			poll(&pfd, 1, 100);
		} else {
			return;		/* output closed: the guest's words go nowhere */
		}
	}
}

static int64_t console_transmit_one(struct virtio_dev *vdev, struct virtq_chain *chain)
{
	struct virtio_console *con = vdev->opaque;

	for (unsigned int i = 0; i < chain->nr_out; i++)
		console_output(con, chain->iov[i].iov_base, chain->iov[i].iov_len);
	return 0;
}

static void console_transmit(struct virtio_console *con)
{
	static __thread struct virtq_chain chain;

	virtio_queue_serve(&con->vdev, TRANSMITQ, &chain, console_transmit_one);
}

static void console_queue_notify(struct virtio_dev *vdev, unsigned int queue)
{
	struct virtio_console *con = vdev->opaque;
	uint64_t one = 1;

	if (queue == TRANSMITQ) {
		console_transmit(con);
	} else if (con->input_waiting) {
		/* Buffers arrived: the terminal's pending input can go now. */
		con->input_waiting = false;
		if (write(con->space_fd, &one, sizeof(one)) != sizeof(one))
			log_debug("virtio-console: cannot wake the console");
	}
}

size_t virtio_console_receive(struct virtio_console *con, const uint8_t *buf,
			      size_t len)
{
	struct virtio_dev *vdev = &con->vdev;
	struct virtio_queue *q = &vdev->queues[RECEIVEQ];
	static __thread struct virtq_chain chain;
	size_t done = 0;
	int ret = 0;

	pthread_mutex_lock(&vdev->lock);
	while (done < len && (vdev->status & VIRTIO_CONFIG_S_DRIVER_OK) &&
	       !vdev->failed && q->enabled &&
	       (ret = virtq_pop_chain(&q->vq, &chain)) == 1) {
		size_t n = virtq_chain_write(&chain, 0, buf + done, len - done);

		virtq_push_used(&q->vq, chain.head, n);
		done += n;
	}
	if (ret < 0)
		virtio_dev_fail(vdev, "receive queue: %s", q->vq.why);
	if (done)
		virtio_dev_notify_queue(vdev, RECEIVEQ);
	if (done < len)
		con->input_waiting = true;
	pthread_mutex_unlock(&vdev->lock);
	return done;
}

static void console_config_read(struct virtio_dev *vdev, uint64_t offset,
				uint8_t *data, unsigned int size)
{
	uint8_t cfg[CONSOLE_CONFIG_SIZE] = { 0 };

	(void)vdev;
	put_le32(cfg + 4, 1);	/* max_nr_ports */
	memcpy(data, cfg + offset, size);
}

static void console_destroy(void *arg)
{
	struct virtio_console *con = arg;

	virtio_dev_stop(&con->vdev);
}

static const struct virtio_dev_ops console_ops = {
	.config_read = console_config_read,
	.queue_notify = console_queue_notify,
};

struct virtio_console *virtio_console_create(struct vm *vm, struct pci_host *host,
					     int out_fd, int space_fd)
{
	struct virtio_console *con = vm_alloc(vm, sizeof(*con));

	if (!con)
		return NULL;
	con->out_fd = out_fd;
	con->space_fd = space_fd;
	if (virtio_dev_init(&con->vdev, vm, "virtio-console", VIRTIO_ID_CONSOLE, 2,
			    CONSOLE_QUEUE_SIZE, 0, CONSOLE_CONFIG_SIZE, &console_ops, con) ||
	    vm_on_destroy(vm, console_destroy, con) ||
	    virtio_dev_start(&con->vdev, host))
		return NULL;
	return con;
}
