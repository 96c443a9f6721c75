// SPDX-License-Identifier: GPL-2.0
/*
 * The type1v2 container. VFIO_SET_IOMMU can only be asked once a group is
 * in the container, so the first group to join selects the IOMMU; later
 * groups share its address space. The capability chain of
 * VFIO_IOMMU_GET_INFO is parsed by vmm/hostres (hostres_vfio_type1_info),
 * which checks every offset before reading through it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/vfio.h>

#include "vfio/container.h"
#include "vmm/hostres.h"

#define CONTAINER_PATH	"/dev/vfio/vfio"
#define GET_INFO	"VFIO_IOMMU_GET_INFO"
#define MAX_INFO_SIZE	(1U << 20)	/* a GET_INFO answer beyond is bogus */


int vfio_fail(struct vfio_error *err, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return ret;
}

int vfio_container_open(struct vfio_container *c, struct vfio_error *err)
{
	int version;

	memset(c, 0, sizeof(*c));
	c->fd = open(CONTAINER_PATH, O_RDWR | O_CLOEXEC);
	if (c->fd < 0 && errno == ENOENT)
		return vfio_fail(err, -ENODEV,
			    "%s: no such device: VFIO is not there (modprobe vfio-pci)",
			    CONTAINER_PATH);
	if (c->fd < 0)
		return vfio_fail(err, -errno, "%s: %s", CONTAINER_PATH, strerror(errno));
	version = ioctl(c->fd, VFIO_GET_API_VERSION);
	if (version != VFIO_API_VERSION) {
		vfio_container_close(c);
		return vfio_fail(err, -ENODEV, "VFIO_GET_API_VERSION: %d (shapevm speaks %d)",
			    version, VFIO_API_VERSION);
	}
	if (ioctl(c->fd, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) <= 0) {
		vfio_container_close(c);
		return vfio_fail(err, -ENODEV,
			    "VFIO_CHECK_EXTENSION(VFIO_TYPE1v2_IOMMU): not supported (modprobe vfio_iommu_type1)");
	}
	return 0;
}

void vfio_container_close(struct vfio_container *c)
{
	for (size_t i = c->nr_groups; i > 0; i--)
		close(c->groups[i - 1].fd);
	c->nr_groups = 0;
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->iommu_set = false;
}

int vfio_container_attach(struct vfio_container *c, int group_fd, int number,
			  struct vfio_error *err)
{
	if (c->nr_groups == VFIO_MAX_GROUPS)
		return vfio_fail(err, -ENOSPC, "IOMMU group %d: more than %d groups in one container",
			    number, VFIO_MAX_GROUPS);
	if (ioctl(group_fd, VFIO_GROUP_SET_CONTAINER, &c->fd))
		return vfio_fail(err, -errno, "VFIO_GROUP_SET_CONTAINER(/dev/vfio/%d): %s",
			    number, strerror(errno));
	if (!c->iommu_set && ioctl(c->fd, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU)) {
		int ret = -errno;

		ioctl(group_fd, VFIO_GROUP_UNSET_CONTAINER);
		return vfio_fail(err, ret, "VFIO_SET_IOMMU(VFIO_TYPE1v2_IOMMU): %s",
			    strerror(-ret));
	}
	c->iommu_set = true;
	c->groups[c->nr_groups++] = (struct vfio_group){ .fd = group_fd, .number = number };
	return 0;
}

/*
 * The kernel answers a too small argsz with the size the capability chain
 * needs rather than failing, so ask again with that.
 */
int vfio_container_read_facts(struct vfio_container *c, struct host_facts *facts,
			      unsigned int host, struct vfio_error *err)
{
	struct vfio_iommu_type1_info *info = NULL;
	struct hostres_error parse_err;
	size_t size = sizeof(*info);
	int ret;

	if (!c->iommu_set)
		return vfio_fail(err, -EINVAL, "%s: no group in the container yet", GET_INFO);
	for (int tries = 0; tries < 4; tries++) {
		free(info);
		info = calloc(1, size);
		if (!info)
			return vfio_fail(err, -ENOMEM, "%s: %s", GET_INFO, strerror(ENOMEM));
		info->argsz = size;
		if (ioctl(c->fd, VFIO_IOMMU_GET_INFO, info)) {
			ret = vfio_fail(err, -errno, "%s: %s", GET_INFO, strerror(errno));
			goto out;
		}
		if (info->argsz <= size)
			break;
		if (info->argsz > MAX_INFO_SIZE) {
			ret = vfio_fail(err, -EIO, "%s: asks for %u bytes", GET_INFO, info->argsz);
			goto out;
		}
		size = info->argsz;
	}
	if (info->argsz > size) {
		ret = vfio_fail(err, -EIO, "%s: the size it needs keeps growing", GET_INFO);
		goto out;
	}
	ret = hostres_vfio_type1_info(facts, host, info, size, &parse_err);
	if (ret)
		vfio_fail(err, ret, "%s", parse_err.msg);
out:
	free(info);
	return ret;
}
