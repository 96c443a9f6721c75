/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vhost-net: the kernel moves virtio-net's frames between the guest's rings
 * and the tap, with no exit to shapevm per frame. shapevm keeps the
 * transport (features, queue setup, MSI-X) and hands the rings over at
 * DRIVER_OK, taking them back at reset.
 */
#ifndef SHAPEVM_VHOST_NET_H
#define SHAPEVM_VHOST_NET_H

#include <stdbool.h>
#include <stdint.h>

struct virtio_dev;

struct vhost_net {
	int fd;			/* /dev/vhost-net, -1 when not used */
	uint64_t features;	/* what the kernel's vhost offers */
	bool running;
};

/* -ENODEV (quietly) when there is no /dev/vhost-net, -errno otherwise. */
int vhost_net_open(struct vhost_net *vh);
/* Hands queues 0 (rx) and 1 (tx) of vdev and the tap to the kernel. */
int vhost_net_start(struct vhost_net *vh, struct virtio_dev *vdev, int tap_fd);
/* Takes the rings back (reset) or lets go at teardown. */
void vhost_net_stop(struct vhost_net *vh, struct virtio_dev *vdev);
void vhost_net_close(struct vhost_net *vh);

#endif
