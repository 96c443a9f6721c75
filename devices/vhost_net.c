// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <linux/vhost.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "devices/vhost_net.h"
#include "devices/virtio_pci.h"
#include "vmm/log.h"
#include "vmm/vm.h"

int vhost_net_open(struct vhost_net *vh)
{
	int ret;

	vh->running = false;
	vh->fd = open("/dev/vhost-net", O_RDWR | O_CLOEXEC);
	if (vh->fd < 0)
		return errno == ENOENT ? -ENODEV : -errno;
	if (ioctl(vh->fd, VHOST_SET_OWNER) < 0 ||
	    ioctl(vh->fd, VHOST_GET_FEATURES, &vh->features) < 0) {
		ret = -errno;
		close(vh->fd);
		vh->fd = -1;
		return ret;
	}
	return 0;
}

void vhost_net_close(struct vhost_net *vh)
{
	if (vh->fd >= 0)
		close(vh->fd);
	vh->fd = -1;
}

/* Guest memory as vhost sees it: the VM's slots, host addresses included. */
static int set_mem_table(struct vhost_net *vh, const struct vm *vm)
{
	struct vhost_memory *mem;
	size_t size = sizeof(*mem) + vm->nr_slots * sizeof(mem->regions[0]);
	int ret = 0;

	mem = calloc(1, size);
	if (!mem)
		return -ENOMEM;
	mem->nregions = vm->nr_slots;
	for (unsigned int i = 0; i < vm->nr_slots; i++)
		mem->regions[i] = (struct vhost_memory_region) {
			.guest_phys_addr = vm->slots[i].gpa,
			.memory_size = vm->slots[i].size,
			.userspace_addr = (uintptr_t)vm->slots[i].host,
		};
	if (ioctl(vh->fd, VHOST_SET_MEM_TABLE, mem) < 0)
		ret = -errno;
	free(mem);
	return ret;
}

static int start_queue(struct vhost_net *vh, struct virtio_dev *vdev,
		       unsigned int index, int tap_fd)
{
	struct virtio_queue *q = &vdev->queues[index];
	struct vhost_vring_state num = { index, q->size };
	struct vhost_vring_state base = { index, q->vq.last_avail };
	struct vhost_vring_addr addr = {
		.index = index,
		.desc_user_addr = (uintptr_t)q->vq.desc,
		.avail_user_addr = (uintptr_t)q->vq.avail,
		.used_user_addr = (uintptr_t)q->vq.used,
	};
	int call = q->msix_vector < vdev->nr_vectors ? vdev->vector_fd[q->msix_vector] : -1;
	struct vhost_vring_file kick = { index, q->kick_fd };
	struct vhost_vring_file callfd = { index, call };
	struct vhost_vring_file backend = { index, tap_fd };

	if (ioctl(vh->fd, VHOST_SET_VRING_NUM, &num) < 0 ||
	    ioctl(vh->fd, VHOST_SET_VRING_BASE, &base) < 0 ||
	    ioctl(vh->fd, VHOST_SET_VRING_ADDR, &addr) < 0 ||
	    ioctl(vh->fd, VHOST_SET_VRING_KICK, &kick) < 0 ||
	    ioctl(vh->fd, VHOST_SET_VRING_CALL, &callfd) < 0 ||
	    ioctl(vh->fd, VHOST_NET_SET_BACKEND, &backend) < 0)
		return -errno;
	return 0;
}

int vhost_net_start(struct vhost_net *vh, struct virtio_dev *vdev, int tap_fd)
{
	/* vhost moves the rings; the header and offloads stay the tap's. */
	uint64_t features = vdev->driver_features & vh->features;
	int ret;

	if (vh->fd < 0)
		return -ENODEV;
	if (ioctl(vh->fd, VHOST_SET_FEATURES, &features) < 0)
		return -errno;
	ret = set_mem_table(vh, vdev->vm);
	for (unsigned int i = 0; i < 2 && !ret; i++)
		ret = start_queue(vh, vdev, i, tap_fd);
	if (ret) {
		vhost_net_stop(vh, vdev);
		return ret;
	}
	vh->running = true;
	return 0;
}

void vhost_net_stop(struct vhost_net *vh, struct virtio_dev *vdev)
{
	(void)vdev;
	if (vh->fd < 0)
		return;
	for (unsigned int i = 0; i < 2; i++) {
		struct vhost_vring_file backend = { i, -1 };

		ioctl(vh->fd, VHOST_NET_SET_BACKEND, &backend);
	}
	vh->running = false;
}
