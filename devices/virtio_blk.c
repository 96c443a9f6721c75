// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <linux/virtio_blk.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "devices/iov.h"
#include "devices/virtio_blk.h"
#include "devices/virtio_pci.h"
#include "vmm/config.h"
#include "vmm/le.h"
#include "vmm/log.h"
#include "vmm/util.h"
#include "vmm/vm.h"

#define BLK_QUEUE_SIZE		256
#define BLK_SEG_MAX		(VIRTQ_MAX_IOV - 2)	/* header and status take two */
#define BLK_CONFIG_SIZE		60
/* Discard and write-zeroes: segments per request, sectors per segment. */
#define BLK_MAX_DISCARD_SEG	32
#define BLK_MAX_DISCARD_SECTORS	(1U << 30)

struct virtio_blk {
	struct virtio_dev vdev;
	struct blk_disk disk;
	char name[32];
};

/* Whether [sector, sector + bytes / 512) is inside the disk. */
static bool blk_in_range(const struct blk_disk *disk, uint64_t sector, uint64_t bytes)
{
	uint64_t count = bytes / VIRTIO_BLK_SECTOR;

	return sector <= disk->sectors && count <= disk->sectors - sector;
}

static uint8_t blk_rw(struct blk_disk *disk, const struct virtq_chain *chain,
		      uint32_t type, uint64_t sector, uint64_t *data_len)
{
	struct iovec iov[VIRTQ_MAX_IOV];
	const struct iovec *in = chain->iov + chain->nr_out;
	uint64_t len;
	int n;

	if (type == VIRTIO_BLK_T_IN) {
		len = chain->in_len - 1;
		n = iov_slice(in, chain->nr_in, 0, len, iov, VIRTQ_MAX_IOV);
	} else {
		if (disk->read_only)
			return VIRTIO_BLK_S_IOERR;
		len = chain->out_len - sizeof(struct virtio_blk_outhdr);
		n = iov_slice(chain->iov, chain->nr_out, sizeof(struct virtio_blk_outhdr),
			      len, iov, VIRTQ_MAX_IOV);
	}
	if (n < 0 || len % VIRTIO_BLK_SECTOR || !blk_in_range(disk, sector, len))
		return VIRTIO_BLK_S_IOERR;
	if (blk_disk_rw(disk, type == VIRTIO_BLK_T_OUT, iov, n,
			sector * VIRTIO_BLK_SECTOR, len))
		return VIRTIO_BLK_S_IOERR;
	if (type == VIRTIO_BLK_T_IN)
		*data_len = len;
	return VIRTIO_BLK_S_OK;
}

/* Discard and write-zeroes: segments of {sector, num_sectors, flags}. */
static uint8_t blk_ranges(struct blk_disk *disk, const struct virtq_chain *chain,
			  uint32_t type)
{
	uint64_t len = chain->out_len - sizeof(struct virtio_blk_outhdr);
	uint64_t nr = len / 16;

	if (disk->read_only)
		return VIRTIO_BLK_S_IOERR;
	if (!nr || len % 16 || nr > BLK_MAX_DISCARD_SEG)
		return VIRTIO_BLK_S_UNSUPP;
	for (uint64_t i = 0; i < nr; i++) {
		uint8_t seg[16];
		uint64_t sector;
		uint32_t count, flags;
		int mode;

		if (virtq_chain_read(chain, sizeof(struct virtio_blk_outhdr) + i * 16,
				     seg, sizeof(seg)) != sizeof(seg))
			return VIRTIO_BLK_S_IOERR;
		sector = get_le64(seg);
		count = get_le32(seg + 8);
		flags = get_le32(seg + 12);
		if (count > BLK_MAX_DISCARD_SECTORS ||
		    !blk_in_range(disk, sector, (uint64_t)count * VIRTIO_BLK_SECTOR))
			return VIRTIO_BLK_S_IOERR;
		if (type == VIRTIO_BLK_T_DISCARD) {
			if (flags)
				return VIRTIO_BLK_S_UNSUPP;
			mode = FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE;
		} else if (flags & ~VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP) {
			return VIRTIO_BLK_S_UNSUPP;
		} else {
			mode = flags ? FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE :
				       FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE;
		}
		if (!count)
			continue;
		if (fallocate(disk->fd, mode, (off_t)sector * VIRTIO_BLK_SECTOR,
			      (off_t)count * VIRTIO_BLK_SECTOR) < 0 &&
		    type == VIRTIO_BLK_T_WRITE_ZEROES)
			return VIRTIO_BLK_S_IOERR;
		/* A discard the file system cannot do is still a valid discard. */
	}
	return VIRTIO_BLK_S_OK;
}

uint32_t blk_disk_request(struct blk_disk *disk, const struct virtq_chain *chain)
{
	struct virtio_blk_outhdr hdr;
	uint64_t data_len = 0;
	uint8_t status;
	uint32_t type;

	/* A header to read and a status byte to write, or nothing to answer. */
	if (chain->out_len < sizeof(hdr) || chain->in_len < 1 ||
	    virtq_chain_read(chain, 0, &hdr, sizeof(hdr)) != sizeof(hdr))
		return 0;
	type = get_le32((const uint8_t *)&hdr.type);
	switch (type) {
	case VIRTIO_BLK_T_IN:
	case VIRTIO_BLK_T_OUT:
		status = blk_rw(disk, chain, type, get_le64((const uint8_t *)&hdr.sector),
				&data_len);
		break;
	case VIRTIO_BLK_T_FLUSH:
		status = disk->read_only || !fdatasync(disk->fd) ?
			 VIRTIO_BLK_S_OK : VIRTIO_BLK_S_IOERR;
		break;
	case VIRTIO_BLK_T_GET_ID:
		if (chain->in_len - 1 < VIRTIO_BLK_ID_BYTES) {
			status = VIRTIO_BLK_S_IOERR;
			break;
		}
		data_len = virtq_chain_write(chain, 0, disk->id, VIRTIO_BLK_ID_BYTES);
		status = VIRTIO_BLK_S_OK;
		break;
	case VIRTIO_BLK_T_DISCARD:
	case VIRTIO_BLK_T_WRITE_ZEROES:
		status = blk_ranges(disk, chain, type);
		break;
	default:
		status = VIRTIO_BLK_S_UNSUPP;
		break;
	}
	virtq_chain_write(chain, chain->in_len - 1, &status, 1);
	return (uint32_t)(data_len + 1);
}

static int64_t blk_serve(struct virtio_dev *vdev, struct virtq_chain *chain)
{
	struct virtio_blk *blk = vdev->opaque;
	uint32_t len = blk_disk_request(&blk->disk, chain);

	if (!len) {
		virtio_dev_fail(vdev, "a request without header or status byte");
		return -EINVAL;
	}
	return len;
}

static void blk_queue_notify(struct virtio_dev *vdev, unsigned int queue)
{
	static __thread struct virtq_chain chain;	/* 16 KiB: not on the stack */

	virtio_queue_serve(vdev, queue, &chain, blk_serve);
}

static void blk_config_read(struct virtio_dev *vdev, uint64_t offset, uint8_t *data,
			    unsigned int size)
{
	struct virtio_blk *blk = vdev->opaque;
	uint8_t cfg[BLK_CONFIG_SIZE] = { 0 };

	put_le64(cfg + 0, blk->disk.sectors);
	put_le32(cfg + 12, BLK_SEG_MAX);
	put_le32(cfg + 20, blk_disk_block_size(&blk->disk));
	put_le32(cfg + 36, BLK_MAX_DISCARD_SECTORS);
	put_le32(cfg + 40, BLK_MAX_DISCARD_SEG);
	put_le32(cfg + 44, 1);
	put_le32(cfg + 48, BLK_MAX_DISCARD_SECTORS);
	put_le32(cfg + 52, BLK_MAX_DISCARD_SEG);
	cfg[56] = 1;	/* write-zeroes may unmap */
	memcpy(data, cfg + offset, size);
}

static void blk_destroy(void *arg)
{
	struct virtio_blk *blk = arg;

	virtio_dev_stop(&blk->vdev);
	/* Aligned guests (Linux) should never need it: -v tells. */
	if (blk->disk.direct)
		log_info("%s: %llu requests went through the O_DIRECT bounce buffer",
			 blk->name, (unsigned long long)blk->disk.bounced);
	blk_disk_close(&blk->disk);
}

static const struct virtio_dev_ops blk_ops = {
	.config_read = blk_config_read,
	.queue_notify = blk_queue_notify,
};

int virtio_blk_create(struct vm *vm, struct pci_host *host,
		      const struct config_disk *cfg, unsigned int index)
{
	struct virtio_blk *blk = vm_alloc(vm, sizeof(*blk));
	uint64_t features = (1ULL << VIRTIO_BLK_F_SEG_MAX) |
			    (1ULL << VIRTIO_BLK_F_BLK_SIZE) |
			    (1ULL << VIRTIO_BLK_F_FLUSH);
	int ret;

	if (!blk)
		return -ENOMEM;
	ret = blk_disk_open(&blk->disk, cfg->path, cfg->read_only, cfg->direct);
	if (ret)
		return ret;
	if (cfg->read_only)
		features |= 1ULL << VIRTIO_BLK_F_RO;
	else
		features |= (1ULL << VIRTIO_BLK_F_DISCARD) |
			    (1ULL << VIRTIO_BLK_F_WRITE_ZEROES);
	snprintf(blk->name, sizeof(blk->name), "virtio-blk%u", index);
	ret = virtio_dev_init(&blk->vdev, vm, blk->name, VIRTIO_ID_BLOCK, 1,
			      BLK_QUEUE_SIZE, features, BLK_CONFIG_SIZE, &blk_ops, blk);
	if (ret || vm_on_destroy(vm, blk_destroy, blk)) {
		blk_disk_close(&blk->disk);
		return ret ? ret : -ENOSPC;
	}
	if (cfg->direct)
		log_info("%s: %s with O_DIRECT: buffers aligned to %u bytes, offsets and lengths to %u, blk_size %u",
			 blk->name, cfg->path, blk->disk.mem_align, blk->disk.offset_align,
			 blk_disk_block_size(&blk->disk));
	return virtio_dev_start(&blk->vdev, host);
}
