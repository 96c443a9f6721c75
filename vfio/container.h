/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A VFIO type1v2 container: /dev/vfio/vfio, the IOMMU address space every
 * assigned device's DMA goes through. Groups join it (vfio/group.h), guest
 * RAM is mapped into it (vfio/dma.h), and what its IOMMU allows (IOVA
 * ranges, page sizes, how many mappings) becomes host facts for the
 * planner. Errors fill struct vfio_error; the caller, who knows which flag
 * or device it was about, prints it once.
 */
#ifndef SHAPEVM_VFIO_CONTAINER_H
#define SHAPEVM_VFIO_CONTAINER_H

#include <stdbool.h>
#include <stddef.h>

struct host_facts;

/* Groups one container holds: one per assigned device's group at most. */
#define VFIO_MAX_GROUPS	16

struct vfio_error {
	char msg[400];
};

/* Writes the message into @err and returns @ret: "return vfio_fail(err, -EINVAL, ...)". */
int vfio_fail(struct vfio_error *err, int ret, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* An open /dev/vfio/N, attached to its container. */
struct vfio_group {
	int fd;
	int number;
};

struct vfio_container {
	int fd;
	bool iommu_set;		/* VFIO_SET_IOMMU done: it needs a group first */
	struct vfio_group groups[VFIO_MAX_GROUPS];
	size_t nr_groups;
};

/*
 * Opens /dev/vfio/vfio and checks the API version and the type1v2
 * extension. -ENODEV (VFIO is not there, or too old), or another -errno.
 */
int vfio_container_open(struct vfio_container *c, struct vfio_error *err);
/* The groups first (closing one takes it out of the container), then it. */
void vfio_container_close(struct vfio_container *c);

/*
 * Puts group @group_fd (number @number) into the container; the first
 * group also selects the type1v2 IOMMU, which needs a group to exist.
 * On success the container owns @group_fd.
 */
int vfio_container_attach(struct vfio_container *c, int group_fd, int number,
			  struct vfio_error *err);

/*
 * VFIO_IOMMU_GET_INFO with its capability chain into host @host of
 * @facts: IOVA ranges (narrowed, if the host has some already), page
 * sizes and the DMA mapping limit. Needs a group attached.
 */
int vfio_container_read_facts(struct vfio_container *c, struct host_facts *facts,
			      unsigned int host, struct vfio_error *err);

#endif
