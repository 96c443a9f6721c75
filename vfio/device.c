// SPDX-License-Identifier: GPL-2.0
/*
 * A VFIO device, minimally: enough to reach its registers, take its MSI on
 * an eventfd and reset it. Device registers care about access width, so a
 * mapped region is read and written with single accesses of the size
 * asked for; pread/pwrite on the device fd do the same inside vfio-pci.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/vfio.h>

#include "vfio/device.h"
#include "vfio/group.h"


int vfio_device_open(struct vfio_device *dev, const struct vfio_group *group,
		     const char *bdf, struct vfio_error *err)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };
	int fd;

	memset(dev, 0, sizeof(*dev));
	dev->fd = -1;
	fd = vfio_group_device_fd(group, bdf, err);
	if (fd < 0)
		return fd;
	hostres_bdf_normalize(bdf, dev->bdf);
	if (ioctl(fd, VFIO_DEVICE_GET_INFO, &info)) {
		int e = errno;

		close(fd);
		return vfio_fail(err, -e, "%s: VFIO_DEVICE_GET_INFO: %s", dev->bdf, strerror(e));
	}
	if (!(info.flags & VFIO_DEVICE_FLAGS_PCI)) {
		close(fd);
		return vfio_fail(err, -ENODEV, "%s: not a PCI device, says VFIO (flags 0x%x)",
			    dev->bdf, info.flags);
	}
	dev->fd = fd;
	dev->flags = info.flags;
	dev->num_regions = info.num_regions;
	dev->num_irqs = info.num_irqs;
	return 0;
}

void vfio_device_close(struct vfio_device *dev)
{
	if (dev->fd >= 0)
		close(dev->fd);
	dev->fd = -1;
}

int vfio_device_region(struct vfio_device *dev, unsigned int index,
		       struct vfio_region *region, struct vfio_error *err)
{
	struct vfio_region_info info = { .argsz = sizeof(info), .index = index };
	void *map;

	memset(region, 0, sizeof(*region));
	if (index >= dev->num_regions)
		return vfio_fail(err, -ENOENT, "%s: no region %u (the device has %u)", dev->bdf,
			    index, dev->num_regions);
	if (ioctl(dev->fd, VFIO_DEVICE_GET_REGION_INFO, &info))
		return vfio_fail(err, -errno, "%s: VFIO_DEVICE_GET_REGION_INFO(%u): %s",
			    dev->bdf, index, strerror(errno));
	region->index = index;
	region->flags = info.flags;
	region->size = info.size;
	region->offset = info.offset;
	if (!(info.flags & VFIO_REGION_INFO_FLAG_MMAP) || !info.size)
		return 0;
	/* Refused (a sparse region, an MSI-X table inside): the fd still works. */
	map = mmap(NULL, info.size,
		   (info.flags & VFIO_REGION_INFO_FLAG_READ ? PROT_READ : 0) |
		   (info.flags & VFIO_REGION_INFO_FLAG_WRITE ? PROT_WRITE : 0),
		   MAP_SHARED, dev->fd, info.offset);
	if (map != MAP_FAILED)
		region->map = map;
	return 0;
}

void vfio_region_unmap(struct vfio_region *region)
{
	if (region->map)
		munmap(region->map, region->size);
	region->map = NULL;
}

static int check_access(const struct vfio_device *dev, const struct vfio_region *region,
			uint64_t offset, size_t size, uint32_t flag, const char *verb,
			struct vfio_error *err)
{
	if (!(region->flags & flag))
		return vfio_fail(err, -EACCES, "%s: region %u cannot be %s", dev->bdf,
			    region->index, verb);
	if (offset > region->size || size > region->size - offset)
		return vfio_fail(err, -EINVAL, "%s: region %u: %zu bytes at 0x%llx are past its end (0x%llx)",
			    dev->bdf, region->index, size, (unsigned long long)offset,
			    (unsigned long long)region->size);
	return 0;
}

/* One access of 1, 2, 4 or 8 bytes, naturally aligned: what registers want. */
static bool single_access(const struct vfio_region *region, uint64_t offset,
			  size_t size)
{
	return region->map && (size == 1 || size == 2 || size == 4 || size == 8) &&
	       !(offset & (size - 1));
}

static void read_single(volatile void *p, void *buf, size_t size)
{
	uint8_t v8;
	uint16_t v16;
	uint32_t v32;
	uint64_t v64;

	switch (size) {
	case 1:
		v8 = *(volatile uint8_t *)p;
		memcpy(buf, &v8, 1);
		break;
	case 2:
		v16 = *(volatile uint16_t *)p;
		memcpy(buf, &v16, 2);
		break;
	case 4:
		v32 = *(volatile uint32_t *)p;
		memcpy(buf, &v32, 4);
		break;
	default:
		v64 = *(volatile uint64_t *)p;
		memcpy(buf, &v64, 8);
		break;
	}
}

static void write_single(volatile void *p, const void *buf, size_t size)
{
	uint8_t v8;
	uint16_t v16;
	uint32_t v32;
	uint64_t v64;

	switch (size) {
	case 1:
		memcpy(&v8, buf, 1);
		*(volatile uint8_t *)p = v8;
		break;
	case 2:
		memcpy(&v16, buf, 2);
		*(volatile uint16_t *)p = v16;
		break;
	case 4:
		memcpy(&v32, buf, 4);
		*(volatile uint32_t *)p = v32;
		break;
	default:
		memcpy(&v64, buf, 8);
		*(volatile uint64_t *)p = v64;
		break;
	}
}

int vfio_region_read(const struct vfio_device *dev, const struct vfio_region *region,
		     uint64_t offset, void *buf, size_t size, struct vfio_error *err)
{
	ssize_t n;
	int ret;

	ret = check_access(dev, region, offset, size, VFIO_REGION_INFO_FLAG_READ,
			   "read", err);
	if (ret)
		return ret;
	if (single_access(region, offset, size)) {
		read_single((volatile char *)region->map + offset, buf, size);
		return 0;
	}
	n = pread(dev->fd, buf, size, region->offset + offset);
	if (n < 0)
		return vfio_fail(err, -errno, "%s: region %u: reading %zu bytes at 0x%llx: %s",
			    dev->bdf, region->index, size, (unsigned long long)offset,
			    strerror(errno));
	if ((size_t)n != size)
		return vfio_fail(err, -EIO, "%s: region %u: read %zd of %zu bytes at 0x%llx",
			    dev->bdf, region->index, n, size, (unsigned long long)offset);
	return 0;
}

int vfio_region_write(const struct vfio_device *dev, const struct vfio_region *region,
		      uint64_t offset, const void *buf, size_t size,
		      struct vfio_error *err)
{
	ssize_t n;
	int ret;

	ret = check_access(dev, region, offset, size, VFIO_REGION_INFO_FLAG_WRITE,
			   "written", err);
	if (ret)
		return ret;
	if (single_access(region, offset, size)) {
		write_single((volatile char *)region->map + offset, buf, size);
		return 0;
	}
	n = pwrite(dev->fd, buf, size, region->offset + offset);
	if (n < 0)
		return vfio_fail(err, -errno, "%s: region %u: writing %zu bytes at 0x%llx: %s",
			    dev->bdf, region->index, size, (unsigned long long)offset,
			    strerror(errno));
	if ((size_t)n != size)
		return vfio_fail(err, -EIO, "%s: region %u: wrote %zd of %zu bytes at 0x%llx",
			    dev->bdf, region->index, n, size, (unsigned long long)offset);
	return 0;
}

int vfio_device_set_msi(struct vfio_device *dev, int eventfd, struct vfio_error *err)
{
	struct vfio_irq_info info = { .argsz = sizeof(info), .index = VFIO_PCI_MSI_IRQ_INDEX };
	/* The header and one eventfd in its data[]. */
	union {
		struct vfio_irq_set set;
		unsigned char bytes[sizeof(struct vfio_irq_set) + sizeof(int32_t)];
	} req;
	int32_t fd = eventfd;

	if (VFIO_PCI_MSI_IRQ_INDEX >= dev->num_irqs ||
	    ioctl(dev->fd, VFIO_DEVICE_GET_IRQ_INFO, &info))
		return vfio_fail(err, -ENODEV, "%s: no MSI interrupt index", dev->bdf);
	if (eventfd >= 0 && (!info.count || !(info.flags & VFIO_IRQ_INFO_EVENTFD)))
		return vfio_fail(err, -ENODEV, "%s: MSI with %u vectors%s: cannot signal an eventfd",
			    dev->bdf, info.count,
			    info.flags & VFIO_IRQ_INFO_EVENTFD ? "" : ", no eventfd support");
	memset(&req, 0, sizeof(req));
	req.set.argsz = sizeof(req);
	req.set.index = VFIO_PCI_MSI_IRQ_INDEX;
	req.set.start = 0;
	if (eventfd >= 0) {
		req.set.flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
		req.set.count = 1;
		memcpy(req.set.data, &fd, sizeof(fd));
	} else {
		/* DATA_NONE with count 0 turns the index off. */
		req.set.argsz = sizeof(req.set);
		req.set.flags = VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER;
		req.set.count = 0;
	}
	if (ioctl(dev->fd, VFIO_DEVICE_SET_IRQS, &req))
		return vfio_fail(err, -errno, "%s: VFIO_DEVICE_SET_IRQS(MSI, %s): %s", dev->bdf,
			    eventfd >= 0 ? "eventfd" : "off", strerror(errno));
	return 0;
}

int vfio_device_reset(struct vfio_device *dev, struct vfio_error *err)
{
	if (!(dev->flags & VFIO_DEVICE_FLAGS_RESET))
		return vfio_fail(err, -EOPNOTSUPP,
			    "%s: offers no reset (no FLR, PM or bus reset it can do alone)",
			    dev->bdf);
	if (ioctl(dev->fd, VFIO_DEVICE_RESET))
		return vfio_fail(err, -errno, "%s: VFIO_DEVICE_RESET: %s", dev->bdf,
			    strerror(errno));
	return 0;
}
