/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VFIO groups: the IOMMU group of a PCI device, whether VFIO can own it
 * (every device in it bound to vfio-pci or to no driver), and its
 * /dev/vfio/N node attached to a container. Sysfs is read under a root
 * that stands for /sys, so tests check viability against a recorded tree.
 */
#ifndef SHAPEVM_VFIO_GROUP_H
#define SHAPEVM_VFIO_GROUP_H

#include "vfio/container.h"

/*
 * Sysfs only, no ioctl: @bdf exists, is bound to vfio-pci, and every other
 * device of its IOMMU group is bound to vfio-pci, pci-stub or no driver
 * (bridges may keep theirs). Returns the group number, or a negative
 * errno with one message naming what to unbind: -EINVAL (not a PCI
 * address), -ENODEV (no such device, no IOMMU group), -EBUSY (bound
 * elsewhere, or the group is not viable).
 */
int vfio_group_check(const char *sysfs_root, const char *bdf,
		     struct vfio_error *err);

/*
 * The group of @bdf in container @c: checked as above, /dev/vfio/N opened,
 * VFIO_GROUP_GET_STATUS asked, and attached to the container; a group the
 * container already holds (a second device of it) is returned as it is.
 * *group (may be NULL) points into the container, which closes it.
 */
int vfio_group_get(struct vfio_container *c, const char *sysfs_root,
		   const char *bdf, struct vfio_group **group,
		   struct vfio_error *err);

/* VFIO_GROUP_GET_DEVICE_FD: @bdf's device file descriptor, or -errno. */
int vfio_group_device_fd(const struct vfio_group *group, const char *bdf,
			 struct vfio_error *err);

#endif
