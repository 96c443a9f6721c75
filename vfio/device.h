/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A VFIO device: its regions (BARs, config space) read and written through
 * the device file descriptor or a mapping of it, its MSI on an eventfd, and
 * its reset. What a guest's view of the device needs on top (config space
 * virtualisation, BAR memslots, MSI-X) is later work: docs/vfio.md.
 */
#ifndef SHAPEVM_VFIO_DEVICE_H
#define SHAPEVM_VFIO_DEVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vfio/container.h"
#include "vmm/hostres.h"

struct vfio_irq_set;
struct vfio_region_info;

struct vfio_device {
	int fd;
	char bdf[HOSTRES_BDF_LEN];
	uint32_t flags;			/* VFIO_DEVICE_FLAGS_* */
	uint32_t num_regions;
	uint32_t num_irqs;
};

#define VFIO_REGION_MAX_AREAS	8

/* A part of a region that may be mmap'ed (the sparse mmap capability). */
struct vfio_region_area {
	uint64_t offset, size;
};

struct vfio_region {
	unsigned int index;		/* VFIO_PCI_BAR0_REGION_INDEX, ... */
	uint32_t flags;			/* VFIO_REGION_INFO_FLAG_* */
	uint64_t size;
	uint64_t offset;		/* of the region in the device fd */
	/*
	 * When VFIO allows mmap: a reservation of the whole region, with the
	 * areas mapped from the device at their offsets inside it (a region
	 * without the sparse capability is one area, all of it); the gaps are
	 * PROT_NONE and go through the fd. NULL when nothing could be mapped.
	 */
	void *map;
	unsigned int nr_areas;
	struct vfio_region_area areas[VFIO_REGION_MAX_AREAS];
};

/* VFIO_GROUP_GET_DEVICE_FD and VFIO_DEVICE_GET_INFO. */
int vfio_device_open(struct vfio_device *dev, const struct vfio_group *group,
		     const char *bdf, struct vfio_error *err);
void vfio_device_close(struct vfio_device *dev);

/*
 * VFIO_DEVICE_GET_REGION_INFO for region @index, its mmap-able areas
 * mmap'ed when it is flagged mmap-able (a refused mmap leaves map NULL:
 * reads and writes then go through the fd). -ENOENT when the device has no
 * such region.
 */
int vfio_device_region(struct vfio_device *dev, unsigned int index,
		       struct vfio_region *region, struct vfio_error *err);
void vfio_region_unmap(struct vfio_region *region);

/*
 * The mmap-able areas of a region from VFIO_DEVICE_GET_REGION_INFO's answer
 * (@info, @len bytes of it, capability chain included): with a sparse mmap
 * capability its areas, else the whole region as one. Areas that are
 * empty, not page aligned or past the region's end are dropped; at most
 * @max are kept, in offset order. Pure: returns how many.
 */
unsigned int vfio_region_areas(const struct vfio_region_info *info, size_t len,
			       uint64_t page, struct vfio_region_area *areas,
			       unsigned int max);

/* @size bytes at @offset lie inside one mmap'ed area of @region. */
bool vfio_region_mapped(const struct vfio_region *region, uint64_t offset,
			uint64_t size);

/*
 * @size bytes at @offset of the region. Through the mapping, 1, 2, 4 and 8
 * byte aligned accesses are single accesses of that width (registers
 * care); everything else goes through pread/pwrite on the fd.
 */
int vfio_region_read(const struct vfio_device *dev, const struct vfio_region *region,
		     uint64_t offset, void *buf, size_t size, struct vfio_error *err);
int vfio_region_write(const struct vfio_device *dev, const struct vfio_region *region,
		      uint64_t offset, const void *buf, size_t size,
		      struct vfio_error *err);

/*
 * Pure: the VFIO_DEVICE_SET_IRQS request for interrupt @index (VFIO_PCI_*_
 * IRQ_INDEX) into @set, which has room for @count eventfds after it:
 * @action (VFIO_IRQ_SET_ACTION_TRIGGER or _UNMASK) signalling @fds[0..count)
 * from vector 0, or with @count 0 the index's trigger off (which also drops
 * an unmask eventfd). Returns the request's argsz.
 */
size_t vfio_irq_set_fill(struct vfio_irq_set *set, unsigned int index, uint32_t action,
			 const int32_t *fds, unsigned int count);

/* That request, made: 0 or -errno with @err filled in. */
int vfio_device_set_irqs(struct vfio_device *dev, unsigned int index, uint32_t action,
			 const int32_t *fds, unsigned int count, struct vfio_error *err);

/*
 * MSI vector 0 signals @eventfd (VFIO_DEVICE_SET_IRQS, MSI index; VFIO
 * enables MSI in the device); @eventfd -1 disables MSI again.
 */
int vfio_device_set_msi(struct vfio_device *dev, int eventfd,
			struct vfio_error *err);

/* VFIO_DEVICE_RESET; -EOPNOTSUPP when the device offers no reset. */
int vfio_device_reset(struct vfio_device *dev, struct vfio_error *err);

#endif
