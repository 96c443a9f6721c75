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

/* The capability at @at of a region info answer @len bytes long, or NULL. */
static const struct vfio_info_cap_header *region_cap(const struct vfio_region_info *info,
						     size_t len, uint32_t at)
{
	const struct vfio_info_cap_header *cap;

	if (at < sizeof(*info) || at > len || len - at < sizeof(*cap))
		return NULL;
	cap = (const void *)((const uint8_t *)info + at);
	return cap;
}

unsigned int vfio_region_areas(const struct vfio_region_info *info, size_t len,
			       uint64_t page, struct vfio_region_area *areas,
			       unsigned int max)
{
	const struct vfio_region_sparse_mmap_area *from = NULL;
	unsigned int nr_from = 1, n = 0;
	uint32_t at = 0;

	if ((info->flags & VFIO_REGION_INFO_FLAG_CAPS) && len >= sizeof(*info))
		at = info->cap_offset;
	/* A broken chain ends: offsets only go forward, inside the answer. */
	while (at) {
		const struct vfio_info_cap_header *cap = region_cap(info, len, at);
		const struct vfio_region_info_cap_sparse_mmap *sparse;
		size_t room;

		if (!cap)
			break;
		if (cap->id == VFIO_REGION_INFO_CAP_SPARSE_MMAP) {
			sparse = (const void *)cap;
			room = len - at;
			if (room < sizeof(*sparse))
				return 0;
			nr_from = sparse->nr_areas;
			if (nr_from > (room - sizeof(*sparse)) / sizeof(*from))
				nr_from = (room - sizeof(*sparse)) / sizeof(*from);
			from = sparse->areas;
			break;
		}
		if (cap->next <= at)
			break;		/* chains only go forward */
		at = cap->next;
	}
	for (unsigned int i = 0; i < nr_from && n < max; i++) {
		uint64_t offset = from ? from[i].offset : 0;
		uint64_t size = from ? from[i].size : info->size;
		unsigned int j;

		if (!size || offset % page || size % page || offset > info->size ||
		    size > info->size - offset)
			continue;
		/* Kept sorted by offset; overlapping areas are dropped. */
		for (j = n; j > 0 && areas[j - 1].offset > offset; j--)
			;
		if ((j > 0 && areas[j - 1].offset + areas[j - 1].size > offset) ||
		    (j < n && offset + size > areas[j].offset))
			continue;
		memmove(&areas[j + 1], &areas[j], (n - j) * sizeof(*areas));
		areas[j] = (struct vfio_region_area) { offset, size };
		n++;
	}
	return n;
}

bool vfio_region_mapped(const struct vfio_region *region, uint64_t offset,
			uint64_t size)
{
	if (!region->map)
		return false;
	for (unsigned int i = 0; i < region->nr_areas; i++) {
		const struct vfio_region_area *a = &region->areas[i];

		if (offset >= a->offset && offset - a->offset < a->size &&
		    size <= a->size - (offset - a->offset))
			return true;
	}
	return false;
}

/* The info with its capability chain: the kernel says how much room it needs. */
static int region_info(struct vfio_device *dev, unsigned int index,
		       struct vfio_region_info **out, struct vfio_error *err)
{
	uint32_t argsz = sizeof(struct vfio_region_info);
	struct vfio_region_info *info = NULL;

	for (int tries = 0; tries < 2; tries++) {
		info = calloc(1, argsz);
		if (!info)
			return vfio_fail(err, -ENOMEM, "%s: region %u: %s", dev->bdf, index,
				    strerror(ENOMEM));
		info->argsz = argsz;
		info->index = index;
		if (ioctl(dev->fd, VFIO_DEVICE_GET_REGION_INFO, info)) {
			free(info);
			return vfio_fail(err, -errno, "%s: VFIO_DEVICE_GET_REGION_INFO(%u): %s",
				    dev->bdf, index, strerror(errno));
		}
		if (info->argsz <= argsz || tries)
			break;
		argsz = info->argsz;
		free(info);
	}
	/* What the kernel filled in, whatever it asked for the second time. */
	if (info->argsz > argsz)
		info->argsz = argsz;
	*out = info;
	return 0;
}

/* The areas mapped at their offsets in a reservation of the whole region. */
static void region_map(struct vfio_device *dev, struct vfio_region *region)
{
	int prot = (region->flags & VFIO_REGION_INFO_FLAG_READ ? PROT_READ : 0) |
		   (region->flags & VFIO_REGION_INFO_FLAG_WRITE ? PROT_WRITE : 0);
	uint8_t *base;

	base = mmap(NULL, region->size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED)
		return;
	for (unsigned int i = 0; i < region->nr_areas; i++) {
		const struct vfio_region_area *a = &region->areas[i];

		/* Refused (an MSI-X table inside, say): the fd still works. */
		if (mmap(base + a->offset, a->size, prot, MAP_SHARED | MAP_FIXED, dev->fd,
			 region->offset + a->offset) == MAP_FAILED) {
			munmap(base, region->size);
			region->nr_areas = 0;
			return;
		}
	}
	region->map = base;
}

int vfio_device_region(struct vfio_device *dev, unsigned int index,
		       struct vfio_region *region, struct vfio_error *err)
{
	struct vfio_region_info *info = NULL;
	int ret;

	memset(region, 0, sizeof(*region));
	if (index >= dev->num_regions)
		return vfio_fail(err, -ENOENT, "%s: no region %u (the device has %u)", dev->bdf,
			    index, dev->num_regions);
	ret = region_info(dev, index, &info, err);
	if (ret)
		return ret;
	region->index = index;
	region->flags = info->flags;
	region->size = info->size;
	region->offset = info->offset;
	if ((info->flags & VFIO_REGION_INFO_FLAG_MMAP) && info->size)
		region->nr_areas = vfio_region_areas(info, info->argsz,
						     (uint64_t)sysconf(_SC_PAGESIZE),
						     region->areas, VFIO_REGION_MAX_AREAS);
	free(info);
	if (region->nr_areas)
		region_map(dev, region);
	return 0;
}

void vfio_region_unmap(struct vfio_region *region)
{
	if (region->map)
		munmap(region->map, region->size);
	region->map = NULL;
	region->nr_areas = 0;
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
	return (size == 1 || size == 2 || size == 4 || size == 8) &&
	       !(offset & (size - 1)) && vfio_region_mapped(region, offset, size);
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

size_t vfio_irq_set_fill(struct vfio_irq_set *set, unsigned int index, uint32_t action,
			 const int32_t *fds, unsigned int count)
{
	size_t argsz = sizeof(*set) + count * sizeof(*fds);

	memset(set, 0, argsz);
	set->argsz = argsz;
	set->index = index;
	set->start = 0;
	set->count = count;
	/* DATA_NONE with count 0 turns the index off. */
	set->flags = count ? VFIO_IRQ_SET_DATA_EVENTFD | action :
			     VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER;
	if (count)
		memcpy(set->data, fds, count * sizeof(*fds));
	return argsz;
}

static const char *irq_index_name(unsigned int index)
{
	switch (index) {
	case VFIO_PCI_INTX_IRQ_INDEX:
		return "INTx";
	case VFIO_PCI_MSI_IRQ_INDEX:
		return "MSI";
	case VFIO_PCI_MSIX_IRQ_INDEX:
		return "MSI-X";
	default:
		return "IRQ";
	}
}

int vfio_device_set_irqs(struct vfio_device *dev, unsigned int index, uint32_t action,
			 const int32_t *fds, unsigned int count, struct vfio_error *err)
{
	struct vfio_irq_set *set = malloc(sizeof(*set) + count * sizeof(*fds));
	char what[32] = "off";
	int ret = 0;

	if (!set)
		return vfio_fail(err, -ENOMEM, "%s: %s", dev->bdf, strerror(ENOMEM));
	vfio_irq_set_fill(set, index, action, fds, count);
	if (ioctl(dev->fd, VFIO_DEVICE_SET_IRQS, set)) {
		ret = -errno;
		if (count && action == VFIO_IRQ_SET_ACTION_UNMASK)
			snprintf(what, sizeof(what), "unmask");
		else if (count)
			snprintf(what, sizeof(what), "%u vectors", count);
		vfio_fail(err, ret, "%s: VFIO_DEVICE_SET_IRQS(%s, %s): %s", dev->bdf,
			  irq_index_name(index), what, strerror(-ret));
	}
	free(set);
	return ret;
}

int vfio_device_set_msi(struct vfio_device *dev, int eventfd, struct vfio_error *err)
{
	struct vfio_irq_info info = { .argsz = sizeof(info), .index = VFIO_PCI_MSI_IRQ_INDEX };
	int32_t fd = eventfd;

	if (VFIO_PCI_MSI_IRQ_INDEX >= dev->num_irqs ||
	    ioctl(dev->fd, VFIO_DEVICE_GET_IRQ_INFO, &info))
		return vfio_fail(err, -ENODEV, "%s: no MSI interrupt index", dev->bdf);
	if (eventfd >= 0 && (!info.count || !(info.flags & VFIO_IRQ_INFO_EVENTFD)))
		return vfio_fail(err, -ENODEV, "%s: MSI with %u vectors%s: cannot signal an eventfd",
			    dev->bdf, info.count,
			    info.flags & VFIO_IRQ_INFO_EVENTFD ? "" : ", no eventfd support");
	return vfio_device_set_irqs(dev, VFIO_PCI_MSI_IRQ_INDEX, VFIO_IRQ_SET_ACTION_TRIGGER,
				    &fd, eventfd >= 0, err);
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
