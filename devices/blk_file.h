/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The raw image behind a virtio-blk disk: opening it, buffered (through the
 * host's page cache) or with O_DIRECT (straight between the file system and
 * guest memory, one copy fewer), and moving a request's bytes between it and
 * guest buffers. With O_DIRECT, a request whose buffers, offset or length
 * the file cannot take directly goes through an aligned bounce buffer: it
 * is slower, never refused.
 */
#ifndef SHAPEVM_BLK_FILE_H
#define SHAPEVM_BLK_FILE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#define BLK_SECTOR_BYTES	512
/* The bounce buffer: misaligned O_DIRECT requests move this much at a time. */
#define BLK_BOUNCE_BYTES	(256u << 10)

struct blk_disk {
	int fd;
	uint64_t sectors;		/* what the guest sees, 512-byte sectors */
	bool read_only;
	bool direct;			/* fd is O_DIRECT */
	/* O_DIRECT's needs (STATX_DIOALIGN): powers of two, 1 when buffered. */
	uint32_t mem_align;		/* buffer addresses */
	uint32_t offset_align;		/* file offsets and buffer lengths */
	uint8_t *bounce;		/* BLK_BOUNCE_BYTES, aligned; NULL when buffered */
	uint64_t bounced;		/* requests that took the bounce buffer */
	char id[20];			/* VIRTIO_BLK_ID_BYTES, not NUL-terminated */
};

/*
 * Opens @path as a raw image; errors are logged once, naming the disk
 * ("--disk PATH: ..."). The ID is the file's name.
 */
int blk_disk_open(struct blk_disk *disk, const char *path, bool read_only, bool direct);
void blk_disk_close(struct blk_disk *disk);
/*
 * Reads (or writes) the @len bytes at file offset @pos into (from) the
 * buffers @iov. Reads past the end of the file give zeros. Returns 0 or
 * -EIO. The caller checked the range against the disk.
 */
int blk_disk_rw(struct blk_disk *disk, bool write, const struct iovec *iov,
		unsigned int nr, uint64_t pos, uint64_t len);
/* The blk_size to offer the guest: the file's O_DIRECT unit, 512 when buffered. */
uint32_t blk_disk_block_size(const struct blk_disk *disk);

#endif
