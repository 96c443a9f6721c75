// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "devices/blk_file.h"
#include "devices/iov.h"
#include "devices/virtq.h"
#include "vmm/log.h"
#include "vmm/util.h"

/* Linux before 6.11 takes no logical block larger than a page. */
#define BLK_MAX_BLOCK_SIZE	4096

static bool power_of_two(uint32_t x)
{
	return x && !(x & (x - 1));
}

/* The logical block size of the device under the file, from sysfs. */
static uint32_t blk_logical_block_size(const struct stat *st)
{
	/* A partition's directory has no queue/: its disk's, one up, has. */
	static const char *const where[] = { "", "/.." };
	unsigned int size;

	for (size_t i = 0; i < ARRAY_SIZE(where); i++) {
		char path[96];
		FILE *f;
		int got;

		snprintf(path, sizeof(path), "/sys/dev/block/%u:%u%s/queue/logical_block_size",
			 major(st->st_dev), minor(st->st_dev), where[i]);
		f = fopen(path, "re");
		if (!f)
			continue;
		got = fscanf(f, "%u", &size);
		fclose(f);
		if (got == 1 && power_of_two(size))
			return size;
	}
	return BLK_SECTOR_BYTES;
}

/*
 * What O_DIRECT needs of buffers and offsets. STATX_DIOALIGN (Linux 6.1)
 * says it for this very file, and 0 when the file cannot do direct I/O
 * (-EOPNOTSUPP). Without it, O_DIRECT has always asked for the device's
 * logical block size, for buffers too.
 */
static int blk_dio_alignment(int fd, const struct stat *st, uint32_t *mem, uint32_t *offset)
{
#ifdef STATX_DIOALIGN
	struct statx stx;

	if (!statx(fd, "", AT_EMPTY_PATH, STATX_DIOALIGN, &stx) &&
	    (stx.stx_mask & STATX_DIOALIGN)) {
		if (!stx.stx_dio_offset_align)
			return -EOPNOTSUPP;
		*mem = stx.stx_dio_mem_align ? stx.stx_dio_mem_align : 1;
		*offset = stx.stx_dio_offset_align;
		return 0;
	}
#endif
	*mem = *offset = blk_logical_block_size(st);
	return 0;
}

/* O_DIRECT is on: the alignments it needs and the bounce buffer. */
static int blk_setup_direct(struct blk_disk *disk, const char *path, const struct stat *st)
{
	uint32_t mem, offset, buffer_align;
	void *buffer;
	int ret;

	ret = blk_dio_alignment(disk->fd, st, &mem, &offset);
	if (ret) {
		log_error("--disk %s: the file system cannot do O_DIRECT on this file; put the image elsewhere or drop \",direct\"",
			  path);
		return ret;
	}
	if (!power_of_two(mem) || !power_of_two(offset) || offset > BLK_BOUNCE_BYTES ||
	    mem > BLK_BOUNCE_BYTES) {
		log_error("--disk %s: O_DIRECT asks for alignments shapevm cannot meet (buffers %u, offsets %u bytes); drop \",direct\"",
			  path, mem, offset);
		return -EINVAL;
	}
	/* The guest counts in 512-byte sectors: a smaller unit is a sector. */
	disk->offset_align = MAX(offset, BLK_SECTOR_BYTES);
	disk->mem_align = mem;
	buffer_align = MAX(MAX(mem, disk->offset_align), (uint32_t)SZ_4K);
	ret = posix_memalign(&buffer, buffer_align, BLK_BOUNCE_BYTES);
	if (ret) {
		log_error("--disk %s: no memory for its bounce buffer", path);
		return -ret;
	}
	disk->bounce = buffer;
	disk->direct = true;
	return 0;
}

int blk_disk_open(struct blk_disk *disk, const char *path, bool read_only, bool direct)
{
	int flags = (read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC | (direct ? O_DIRECT : 0);
	uint64_t unit = BLK_SECTOR_BYTES;
	const char *base;
	struct stat st;
	int ret;

	memset(disk, 0, sizeof(*disk));
	disk->mem_align = disk->offset_align = 1;
	disk->fd = open(path, flags);
	if (disk->fd < 0 && errno == EINVAL && direct) {
		log_error("--disk %s: the file system refuses O_DIRECT (tmpfs does before Linux 6.6); put the image elsewhere or drop \",direct\"",
			  path);
		return -EINVAL;
	}
	if (disk->fd < 0) {
		ret = -errno;
		log_error("--disk %s: %s", path, strerror(errno));
		return ret;
	}
	if (fstat(disk->fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		log_error("--disk %s: not a regular file (a raw image is)", path);
		ret = -EINVAL;
		goto fail;
	}
	if (direct) {
		ret = blk_setup_direct(disk, path, &st);
		if (ret)
			goto fail;
		unit = disk->offset_align;
	}
	/* Partial blocks at the end could only be reached past the end of the file. */
	if (st.st_size % unit)
		log_warn("--disk %s: the last %lld bytes are not a whole %llu-byte block%s: the guest does not see them",
			 path, (long long)(st.st_size % unit), (unsigned long long)unit,
			 direct ? " (O_DIRECT's unit here)" : "");
	disk->sectors = (st.st_size - st.st_size % unit) / BLK_SECTOR_BYTES;
	disk->read_only = read_only;
	base = strrchr(path, '/');
	base = base ? base + 1 : path;
	/* The ID is the image's name, so the guest finds it in /dev/disk/by-id. */
	memcpy(disk->id, base, MIN(strlen(base), sizeof(disk->id)));
	return 0;
fail:
	blk_disk_close(disk);
	return ret;
}

void blk_disk_close(struct blk_disk *disk)
{
	if (disk->fd >= 0)
		close(disk->fd);
	disk->fd = -1;
	free(disk->bounce);
	disk->bounce = NULL;
}

uint32_t blk_disk_block_size(const struct blk_disk *disk)
{
	if (!disk->direct)
		return BLK_SECTOR_BYTES;
	return MIN(disk->offset_align, BLK_MAX_BLOCK_SIZE);
}

/*
 * Whether O_DIRECT takes these buffers at @pos as they are: every buffer's
 * address on the memory alignment and its length (so the offset of the next
 * one too) on the offset alignment, which is what Linux checks.
 */
static bool blk_direct_fits(const struct blk_disk *disk, const struct iovec *iov,
			    unsigned int nr, uint64_t pos)
{
	if (pos % disk->offset_align)
		return false;
	for (unsigned int i = 0; i < nr; i++)
		if ((uintptr_t)iov[i].iov_base % disk->mem_align ||
		    iov[i].iov_len % disk->offset_align)
			return false;
	return true;
}

/* The whole of [pos, pos + len) into @buf; zeros past the end of the file. */
static int blk_read_full(int fd, uint8_t *buf, size_t len, uint64_t pos)
{
	ssize_t got;

	do
		got = pread(fd, buf, len, pos);
	while (got < 0 && errno == EINTR);
	if (got < 0)
		return -EIO;
	/* A regular file reads short only at its end. */
	memset(buf + got, 0, len - got);
	return 0;
}

static int blk_write_full(int fd, const uint8_t *buf, size_t len, uint64_t pos)
{
	while (len) {
		ssize_t put = pwrite(fd, buf, len, pos);

		if (put < 0 && errno == EINTR)
			continue;
		if (put <= 0)
			return -EIO;
		buf += put;
		pos += put;
		len -= put;
	}
	return 0;
}

/*
 * [pos, pos + len) through the bounce buffer, a chunk of whole aligned
 * blocks at a time. A write whose first or last block is partial reads
 * that block first (read-modify-write): the I/O thread serves one request
 * at a time, so nothing else writes the block meanwhile.
 */
static int blk_bounce(struct blk_disk *disk, bool write, const struct iovec *iov,
		      unsigned int nr, uint64_t pos, uint64_t len)
{
	uint64_t align = disk->offset_align;
	uint64_t end = ALIGN_UP(pos + len, align);
	uint8_t *buf = disk->bounce;

	disk->bounced++;
	for (uint64_t chunk = ALIGN_DOWN(pos, align); chunk < end; chunk += BLK_BOUNCE_BYTES) {
		uint64_t chunk_end = MIN(chunk + BLK_BOUNCE_BYTES, end);
		uint64_t from = MAX(pos, chunk), to = MIN(pos + len, chunk_end);
		size_t size = chunk_end - chunk;

		if (!write) {
			if (blk_read_full(disk->fd, buf, size, chunk))
				return -EIO;
			iov_copy(iov, nr, from - pos, buf + (from - chunk), to - from, true);
			continue;
		}
		if (from > chunk && blk_read_full(disk->fd, buf, align, chunk))
			return -EIO;
		if (to < chunk_end && (from == chunk || size > align) &&
		    blk_read_full(disk->fd, buf + size - align, align, chunk_end - align))
			return -EIO;
		iov_copy(iov, nr, from - pos, buf + (from - chunk), to - from, false);
		if (blk_write_full(disk->fd, buf, size, chunk))
			return -EIO;
	}
	return 0;
}

int blk_disk_rw(struct blk_disk *disk, bool write, const struct iovec *iov,
		unsigned int nr, uint64_t pos, uint64_t len)
{
	uint64_t done = 0;

	while (done < len) {
		struct iovec rest[VIRTQ_MAX_IOV];
		int m = iov_slice(iov, nr, done, len - done, rest, VIRTQ_MAX_IOV);
		ssize_t got;

		if (m <= 0)
			return -EIO;
		/* What O_DIRECT cannot take as it is, after a short transfer too. */
		if (disk->direct && !blk_direct_fits(disk, rest, m, pos + done))
			return blk_bounce(disk, write, rest, m, pos + done, len - done);
		got = write ? pwritev(disk->fd, rest, m, pos + done) :
			      preadv(disk->fd, rest, m, pos + done);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return -EIO;
		if (got == 0) {
			/* The image shrank under us: zeros, as past a short file. */
			if (write)
				return -EIO;
			for (int i = 0; i < m; i++)
				memset(rest[i].iov_base, 0, rest[i].iov_len);
			got = len - done;
		}
		done += got;
	}
	return 0;
}
