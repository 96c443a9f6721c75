/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The virtio 1.x modern PCI transport (virtio spec 4.1): a PCI function
 * with the common, notify, ISR and device configuration structures in BAR 0
 * and an MSI-X table in BAR 1. Queue notifications arrive on ioeventfds
 * and are served by the device's own I/O thread, never by the vCPU that
 * wrote them; interrupts leave through irqfds on MSI routes the guest
 * programs or, while MSI-X is off, on INTA: level-triggered, up from a
 * notification until the driver reads the ISR. A device (blk, net, console, rng) fills in the ops.
 *
 * Locking: vdev->lock covers the transport registers, the device's config
 * and its queues; the I/O thread holds it while a device serves a queue.
 * The PCI layer's dev->lock nests inside it (MSI-X delivery).
 */
#ifndef SHAPEVM_VIRTIO_PCI_H
#define SHAPEVM_VIRTIO_PCI_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "devices/pci.h"
#include "devices/virtq.h"

#define VIRTIO_MAX_QUEUES	17	/* multi-queue blk: 16, plus config room */
#define VIRTIO_MAX_FDS		8	/* extra fds a device watches (tap) */

/* Device types (virtio spec 5). */
#define VIRTIO_ID_NET		1
#define VIRTIO_ID_BLOCK		2
#define VIRTIO_ID_CONSOLE	3
#define VIRTIO_ID_RNG		4

/* Transport feature bits every device offers. */
#define VIRTIO_F_VERSION_1	32

struct vm;
struct pci_host;
struct virtio_dev;

struct virtio_dev_ops {
	/* Device config space, @offset from its start (vCPU thread, lock held). */
	void (*config_read)(struct virtio_dev *vdev, uint64_t offset, uint8_t *data,
			    unsigned int size);
	void (*config_write)(struct virtio_dev *vdev, uint64_t offset,
			     const uint8_t *data, unsigned int size);
	/* Queue @queue was notified (I/O thread, lock held, DRIVER_OK). */
	void (*queue_notify)(struct virtio_dev *vdev, unsigned int queue);
	/* The driver set DRIVER_OK (lock held); nonzero fails the device. */
	int (*driver_ok)(struct virtio_dev *vdev);
	/* The driver reset the device: drop in-flight state (lock held). */
	void (*reset)(struct virtio_dev *vdev);
};

struct virtio_queue {
	struct virtq vq;
	uint16_t max_size;
	uint16_t size;
	uint16_t msix_vector;
	bool enabled;
	uint64_t desc, avail, used;
	int kick_fd;			/* eventfd, KVM ioeventfd at the notify address */
};

/* An fd the I/O thread watches for the device (e.g. a tap's). */
struct virtio_watch {
	int fd;
	uint32_t events;
	void (*fn)(struct virtio_dev *vdev, void *arg);
	void *arg;
};

struct virtio_dev {
	struct pci_device pci;
	struct vm *vm;
	const char *name;
	const struct virtio_dev_ops *ops;
	void *opaque;
	pthread_mutex_t lock;
	uint16_t device_type;
	uint64_t device_features;
	uint64_t driver_features;
	uint32_t device_feature_select;
	uint32_t driver_feature_select;
	uint8_t status;
	uint8_t isr;
	uint8_t config_generation;
	uint16_t config_vector;
	uint16_t queue_select;
	unsigned int config_size;
	unsigned int nr_queues;
	struct virtio_queue queues[VIRTIO_MAX_QUEUES];
	/* MSI-X: vector i is GSI vector_gsi[i], raised by writing vector_fd[i]. */
	unsigned int nr_vectors;
	int vector_gsi[VIRTIO_MAX_QUEUES + 1];
	int vector_fd[VIRTIO_MAX_QUEUES + 1];
	/* Where the notify structure decodes now (KVM ioeventfds). */
	uint64_t notify_addr;
	bool notify_mapped;
	unsigned int pci_cfg_cap;	/* config offset of VIRTIO_PCI_CAP_PCI_CFG */
	/* The I/O thread. */
	pthread_t thread;
	bool thread_started;
	int epoll_fd;
	int stop_fd;
	struct virtio_watch watches[VIRTIO_MAX_FDS];
	unsigned int nr_watches;
	/* Set when the device gave up on the driver (NEEDS_RESET). */
	bool failed;
};

/*
 * Sets up the function: PCI IDs (0x1af4, 0x1040 + type), the capabilities,
 * BAR 0 and the MSI-X table (one vector per queue plus config), and the
 * queues with max_queue_size entries each. Features get VERSION_1,
 * INDIRECT_DESC and EVENT_IDX added. No KVM or thread yet.
 */
int virtio_dev_init(struct virtio_dev *vdev, struct vm *vm, const char *name,
		    uint16_t device_type, unsigned int nr_queues,
		    uint16_t max_queue_size, uint64_t features,
		    unsigned int config_size, const struct virtio_dev_ops *ops,
		    void *opaque);
/*
 * Watches @fd for @events (EPOLLIN, with EPOLLET when the device reads
 * until EAGAIN) in the I/O thread, fn called with the lock held; before
 * virtio_dev_start.
 */
int virtio_dev_watch(struct virtio_dev *vdev, int fd, uint32_t events,
		     void (*fn)(struct virtio_dev *vdev, void *arg), void *arg);
/* Puts the device on the bus, wires its interrupts and starts its I/O thread. */
int virtio_dev_start(struct virtio_dev *vdev, struct pci_host *host);
/* Stops the I/O thread and releases KVM and fds (at VM teardown). */
void virtio_dev_stop(struct virtio_dev *vdev);

bool virtio_dev_has_feature(const struct virtio_dev *vdev, unsigned int bit);
/* Interrupts the driver for @queue if it wants one now (virtq_should_notify). */
void virtio_dev_notify_queue(struct virtio_dev *vdev, unsigned int queue);
/*
 * Serves every chain the driver made available on @queue: serve() handles
 * one and returns the length written into it, or a negative value after it
 * failed the device. Re-checks for chains that raced with re-enabling
 * notifications, and interrupts the driver once per batch. Lock held.
 */
void virtio_queue_serve(struct virtio_dev *vdev, unsigned int queue,
			struct virtq_chain *chain,
			int64_t (*serve)(struct virtio_dev *vdev, struct virtq_chain *chain));
/* A configuration change interrupt (ISR bit 1, the config vector). */
void virtio_dev_notify_config(struct virtio_dev *vdev);
/*
 * The device gives up on what the driver did: sets NEEDS_RESET, logs one
 * line naming the device, and ignores the queues until the driver resets
 * it. Other devices keep working. Lock held.
 */
void virtio_dev_fail(struct virtio_dev *vdev, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/*
 * Stops (or resumes) the I/O thread watching the queues' kicks and the
 * device's fds, while the kernel (vhost) serves them. Lock held.
 */
int virtio_dev_pause_io(struct virtio_dev *vdev, bool paused);
/* Wakes the I/O thread as if the guest had notified @queue. */
void virtio_dev_kick(struct virtio_dev *vdev, unsigned int queue);

#endif
