/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virtio-blk (spec 5.2) on a raw image file: read, write, flush (fdatasync,
 * so a write the guest flushed is on the host's disk), get-id, discard and
 * write-zeroes (fallocate), read-only disks. Requests are served by the
 * device's I/O thread with preadv/pwritev straight into guest memory.
 */
#ifndef SHAPEVM_VIRTIO_BLK_H
#define SHAPEVM_VIRTIO_BLK_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/virtq.h"

#define VIRTIO_BLK_SECTOR	512

struct vm;
struct pci_host;

/* The backend, separate from the transport so tests drive it directly. */
struct blk_disk {
	int fd;
	uint64_t sectors;
	bool read_only;
	char id[20];			/* VIRTIO_BLK_ID_BYTES, not NUL-terminated */
};

/*
 * Serves one request chain; returns the bytes written into its writable
 * buffers (the data read plus the status byte), or 0 when the chain is too
 * malformed to carry a status (then the device fails).
 */
uint32_t blk_disk_request(struct blk_disk *disk, const struct virtq_chain *chain);

/* --disk PATH[,ro]: opens the image and puts a virtio-blk device on the bus. */
int virtio_blk_create(struct vm *vm, struct pci_host *host, const char *path,
		      bool read_only, unsigned int index);

#endif
