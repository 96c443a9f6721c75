/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virtio-blk (spec 5.2) on a raw image file: read, write, flush (fdatasync,
 * so a write the guest flushed is on the host's disk), get-id, discard and
 * write-zeroes (fallocate), read-only disks. Requests are served by the
 * device's I/O thread with preadv/pwritev straight into guest memory,
 * through the host's page cache or, with ",direct", O_DIRECT (blk_file.h).
 */
#ifndef SHAPEVM_VIRTIO_BLK_H
#define SHAPEVM_VIRTIO_BLK_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/blk_file.h"
#include "devices/virtq.h"

#define VIRTIO_BLK_SECTOR	BLK_SECTOR_BYTES

struct vm;
struct pci_host;
struct config_disk;

/*
 * Serves one request chain; returns the bytes written into its writable
 * buffers (the data read plus the status byte), or 0 when the chain is too
 * malformed to carry a status (then the device fails).
 */
uint32_t blk_disk_request(struct blk_disk *disk, const struct virtq_chain *chain);

/* --disk PATH[,ro][,direct]: opens the image and puts a virtio-blk device on the bus. */
int virtio_blk_create(struct vm *vm, struct pci_host *host,
		      const struct config_disk *cfg, unsigned int index);

#endif
