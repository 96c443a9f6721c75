// SPDX-License-Identifier: GPL-2.0
/*
 * Host facts from VFIO: the IOVA ranges the IOMMU can map for a group, its
 * page sizes and how many DMA mappings it allows. Asked of a type1v2
 * container (VFIO_IOMMU_GET_INFO's capability chain), or of iommufd
 * (IOMMU_IOAS_IOVA_RANGES) when the group has no /dev/vfio node but the
 * device has a VFIO cdev. The kernel's answer is still checked: offsets
 * and counts are bounded before anything is read through them.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/vfio.h>
#ifdef __has_include
#if __has_include(<linux/iommufd.h>)
#include <linux/iommufd.h>
#endif
#endif

#include "vfio/container.h"
#include "vfio/group.h"
#include "vmm/hostres.h"
#include "vmm/hostres_internal.h"

/* linux-libc-dev before 6.6 has neither the VFIO cdev nor iommufd's uapi. */
#if defined(VFIO_DEVICE_BIND_IOMMUFD) && \
	defined(VFIO_DEVICE_ATTACH_IOMMUFD_PT) && defined(IOMMU_IOAS_IOVA_RANGES)
#define HAVE_IOMMUFD 1
#endif

#define IOMMUFD_PATH		"/dev/iommu"
#define MAX_CAPS		64		/* the chain is not followed further */
#define MAX_IOVA_RANGES		4096
#define GET_INFO		"VFIO_IOMMU_GET_INFO"

/*
 * Answers from several of a host's groups combine as the IOVA ranges do:
 * the page sizes all of them support, the smallest mapping budget.
 */
static void note_pgsizes(struct host_info *h, uint64_t pgsizes)
{
	if (!pgsizes)
		return;
	/* Disjoint sizes cannot happen on one host; keep the first then. */
	if (!h->pgsize_bitmap || (h->pgsize_bitmap & pgsizes))
		h->pgsize_bitmap = h->pgsize_bitmap ? h->pgsize_bitmap & pgsizes : pgsizes;
}

static void note_dma_avail(struct host_info *h, uint32_t avail)
{
	if (avail && (!h->dma_avail || avail < h->dma_avail))
		h->dma_avail = avail;
}

static int iova_ranges_failed(struct hostres_error *err, const char *ioctl_name,
			      int ret)
{
	if (ret == -ERANGE)
		return hostres_fail(err, -ENODEV,
				    "%s: no IOVA range of this group overlaps those of the host's other groups",
				    ioctl_name);
	return hostres_fail(err, ret, "%s: %s", ioctl_name, strerror(-ret));
}

/* VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE at @offset, the chain checked so far. */
static int read_iova_range_cap(struct host_facts *facts, unsigned int host,
			       const unsigned char *buf, size_t size,
			       uint32_t offset, struct hostres_error *err)
{
	struct vfio_iommu_type1_info_cap_iova_range cap;
	struct host_iova_range *ranges;
	size_t at = offset + sizeof(cap);
	int ret;

	if (size - offset < sizeof(cap))
		return hostres_fail(err, -EIO, "%s: IOVA range capability cut short",
				    GET_INFO);
	memcpy(&cap, buf + offset, sizeof(cap));
	/* A later layout could mean other ranges: never guess. */
	if (cap.header.version != 1)
		return hostres_fail(err, -EIO,
				    "%s: IOVA range capability version %u (shapevm reads version 1)",
				    GET_INFO, cap.header.version);
	if (!cap.nr_iovas)
		return hostres_fail(err, -ENODEV, "%s: the IOMMU reports no usable IOVA range",
				    GET_INFO);
	if (cap.nr_iovas > MAX_IOVA_RANGES ||
	    (size - at) / sizeof(struct vfio_iova_range) < cap.nr_iovas)
		return hostres_fail(err, -EIO,
				    "%s: %u IOVA ranges do not fit in the %zu bytes returned",
				    GET_INFO, cap.nr_iovas, size);
	ranges = calloc(cap.nr_iovas, sizeof(*ranges));
	if (!ranges)
		return hostres_fail(err, -ENOMEM, "%s: %s", GET_INFO, strerror(ENOMEM));
	for (uint32_t i = 0; i < cap.nr_iovas; i++) {
		struct vfio_iova_range r;

		memcpy(&r, buf + at + i * sizeof(r), sizeof(r));
		if (r.end < r.start) {
			free(ranges);
			return hostres_fail(err, -EIO,
					    "%s: IOVA range 0x%llx-0x%llx ends below its start",
					    GET_INFO, (unsigned long long)r.start,
					    (unsigned long long)r.end);
		}
		ranges[i].start = r.start;
		ranges[i].end = r.end;
	}
	ret = hostres_narrow_iova_ranges(facts, host, ranges, cap.nr_iovas);
	free(ranges);
	if (ret)
		return iova_ranges_failed(err, GET_INFO, ret);
	return 0;
}

int hostres_vfio_type1_info(struct host_facts *facts, unsigned int host,
			    const void *info_buf, size_t size,
			    struct hostres_error *err)
{
	const unsigned char *buf = info_buf;
	struct vfio_iommu_type1_info info;
	struct vfio_info_cap_header hdr;
	unsigned int nr_caps = 0;
	uint32_t offset;
	int ret;

	if (size < sizeof(info))
		return hostres_fail(err, -EIO, "%s: %zu bytes, not even the header",
				    GET_INFO, size);
	memcpy(&info, buf, sizeof(info));
	if (info.flags & VFIO_IOMMU_INFO_PGSIZES)
		note_pgsizes(&facts->hosts[host], info.iova_pgsizes);
	offset = info.flags & VFIO_IOMMU_INFO_CAPS ? info.cap_offset : 0;
	while (offset) {
		if (++nr_caps > MAX_CAPS)
			return hostres_fail(err, -EIO, "%s: more than %d capabilities",
					    GET_INFO, MAX_CAPS);
		if (offset < sizeof(info) || offset > size ||
		    size - offset < sizeof(hdr))
			return hostres_fail(err, -EIO,
					    "%s: a capability at offset %u, outside the %zu bytes returned",
					    GET_INFO, offset, size);
		memcpy(&hdr, buf + offset, sizeof(hdr));
		if (hdr.id == VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE) {
			ret = read_iova_range_cap(facts, host, buf, size, offset, err);
			if (ret)
				return ret;
		} else if (hdr.id == VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL &&
			   size - offset >= sizeof(struct vfio_iommu_type1_info_dma_avail)) {
			struct vfio_iommu_type1_info_dma_avail cap;

			memcpy(&cap, buf + offset, sizeof(cap));
			note_dma_avail(&facts->hosts[host], cap.avail);
		}
		/* Forward only: a chain that points back could loop. */
		if (hdr.next && hdr.next <= offset)
			return hostres_fail(err, -EIO,
					    "%s: the capability at offset %u points back to %u",
					    GET_INFO, offset, hdr.next);
		offset = hdr.next;
	}
	return 0;
}

/*
 * A throwaway type1v2 container holding the device's group, asked what its
 * IOMMU allows: vfio/ does the container, the group's viability and
 * VFIO_IOMMU_GET_INFO, the same code a VM's container goes through.
 */
static int read_type1(struct host_facts *facts, unsigned int host,
		      const char *sysfs_root, const char *bdf,
		      struct hostres_error *err)
{
	struct vfio_container container;
	struct vfio_error vfio_err;
	int ret;

	ret = vfio_container_open(&container, &vfio_err);
	if (ret)
		return hostres_fail(err, ret, "%s", vfio_err.msg);
	ret = vfio_group_get(&container, sysfs_root, bdf, NULL, &vfio_err);
	if (!ret)
		ret = vfio_container_read_facts(&container, facts, host, &vfio_err);
	vfio_container_close(&container);
	if (ret)
		return hostres_fail(err, ret, "%s", vfio_err.msg);
	return 0;
}

#ifdef HAVE_IOMMUFD
/* IOMMU_IOAS_IOVA_RANGES, asked again with as many slots as it says it has. */
static int read_ioas_ranges(struct host_facts *facts, unsigned int host,
			    int iommufd, uint32_t ioas_id,
			    struct hostres_error *err)
{
	struct iommu_ioas_iova_ranges query;
	struct iommu_iova_range *buf = NULL, *bigger;
	struct host_iova_range *ranges;
	uint32_t slots = 0;
	int ret;

	for (int tries = 0;; tries++) {
		int error;

		query = (struct iommu_ioas_iova_ranges){
			.size = sizeof(query),
			.ioas_id = ioas_id,
			.num_iovas = slots,
			.allowed_iovas = (uintptr_t)buf,
		};
		if (!ioctl(iommufd, IOMMU_IOAS_IOVA_RANGES, &query))
			break;
		error = errno;
		/* EMSGSIZE: num_iovas now says how many slots it needs. */
		if (error != EMSGSIZE || tries == 3 || query.num_iovas <= slots ||
		    query.num_iovas > MAX_IOVA_RANGES) {
			free(buf);
			return hostres_fail(err, error == EMSGSIZE ? -EIO : -error,
					    "IOMMU_IOAS_IOVA_RANGES: %s (%u ranges)",
					    strerror(error), query.num_iovas);
		}
		slots = query.num_iovas;
		bigger = realloc(buf, slots * sizeof(*buf));
		if (!bigger) {
			free(buf);
			return hostres_fail(err, -ENOMEM, "IOMMU_IOAS_IOVA_RANGES: %s",
					    strerror(ENOMEM));
		}
		buf = bigger;
	}
	if (!query.num_iovas || query.num_iovas > slots) {
		free(buf);
		return hostres_fail(err, -ENODEV,
				    "IOMMU_IOAS_IOVA_RANGES: %u usable IOVA ranges (%u slots)",
				    query.num_iovas, slots);
	}
	ranges = calloc(query.num_iovas, sizeof(*ranges));
	if (!ranges) {
		free(buf);
		return hostres_fail(err, -ENOMEM, "IOMMU_IOAS_IOVA_RANGES: %s",
				    strerror(ENOMEM));
	}
	ret = 0;
	for (uint32_t i = 0; i < query.num_iovas; i++) {
		if (buf[i].last < buf[i].start) {
			ret = hostres_fail(err, -EIO,
					   "IOMMU_IOAS_IOVA_RANGES: range 0x%llx-0x%llx ends below its start",
					   (unsigned long long)buf[i].start,
					   (unsigned long long)buf[i].last);
			break;
		}
		ranges[i].start = buf[i].start;
		ranges[i].end = buf[i].last;
	}
	if (!ret) {
		ret = hostres_narrow_iova_ranges(facts, host, ranges, query.num_iovas);
		if (ret)
			ret = iova_ranges_failed(err, "IOMMU_IOAS_IOVA_RANGES", ret);
	}
	/* iommufd reports no page sizes; its IOVA alignment is the smallest. */
	if (!ret && !(query.out_iova_alignment & (query.out_iova_alignment - 1)))
		note_pgsizes(&facts->hosts[host], query.out_iova_alignment);
	free(ranges);
	free(buf);
	return ret;
}

static int read_iommufd(struct host_facts *facts, unsigned int host,
			const char *cdev_path, struct hostres_error *err)
{
	struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };
	struct vfio_device_attach_iommufd_pt attach = { .argsz = sizeof(attach) };
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	struct iommu_destroy destroy = { .size = sizeof(destroy) };
	int iommufd, device = -1, ret;
	bool have_ioas = false;

	iommufd = open(IOMMUFD_PATH, O_RDWR | O_CLOEXEC);
	if (iommufd < 0)
		return hostres_fail(err, errno == ENOENT ? -ENODEV : -errno, "%s: %s",
				    IOMMUFD_PATH, strerror(errno));
	device = open(cdev_path, O_RDWR | O_CLOEXEC);
	if (device < 0) {
		ret = hostres_fail(err, errno == ENOENT ? -ENODEV : -errno, "%s: %s",
				   cdev_path, strerror(errno));
		goto out;
	}
	bind.iommufd = iommufd;
	if (ioctl(device, VFIO_DEVICE_BIND_IOMMUFD, &bind)) {
		ret = hostres_fail(err, -errno, "VFIO_DEVICE_BIND_IOMMUFD(%s): %s",
				   cdev_path, strerror(errno));
		goto out;
	}
	if (ioctl(iommufd, IOMMU_IOAS_ALLOC, &alloc)) {
		ret = hostres_fail(err, -errno, "IOMMU_IOAS_ALLOC: %s", strerror(errno));
		goto out;
	}
	have_ioas = true;
	attach.pt_id = alloc.out_ioas_id;
	if (ioctl(device, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach)) {
		ret = hostres_fail(err, -errno, "VFIO_DEVICE_ATTACH_IOMMUFD_PT(%s): %s",
				   cdev_path, strerror(errno));
		goto out;
	}
	ret = read_ioas_ranges(facts, host, iommufd, alloc.out_ioas_id, err);
out:
	/* Closing the device detaches and unbinds it, so the IOAS can go. */
	if (device >= 0)
		close(device);
	if (have_ioas) {
		destroy.id = alloc.out_ioas_id;
		ioctl(iommufd, IOMMU_DESTROY, &destroy);
	}
	close(iommufd);
	return ret;
}
#else
static int read_iommufd(struct host_facts *facts, unsigned int host,
			const char *cdev_path, struct hostres_error *err)
{
	(void)facts;
	(void)host;
	return hostres_fail(err, -ENODEV,
			    "%s: shapevm was built without iommufd (linux-libc-dev 6.6 or later needed)",
			    cdev_path);
}
#endif

/* /dev/vfio/devices/vfioN for the device's ROOT/.../vfio-dev/vfioN. */
static int find_vfio_cdev(const char *root, const char *bdf, char *path,
			  size_t size)
{
	char dir_path[PATH_MAX];
	struct dirent *de;
	DIR *dir;
	int ret = -ENOENT;

	if (snprintf(dir_path, sizeof(dir_path), "%s/bus/pci/devices/%s/vfio-dev",
		     root, bdf) >= (int)sizeof(dir_path))
		return -ENAMETOOLONG;
	dir = opendir(dir_path);
	if (!dir)
		return -errno;
	while ((de = readdir(dir))) {
		if (strncmp(de->d_name, "vfio", 4) || !de->d_name[4])
			continue;
		if (snprintf(path, size, "/dev/vfio/devices/%s", de->d_name) < (int)size)
			ret = 0;
		break;
	}
	closedir(dir);
	return ret;
}

int hostres_read_vfio(struct host_facts *facts, unsigned int host,
		      const char *sysfs_root, const char *bdf, int group,
		      struct hostres_error *err)
{
	char dev[HOSTRES_BDF_LEN], group_path[32], cdev_path[PATH_MAX];

	if (host >= facts->nr_hosts)
		return hostres_fail(err, -EINVAL, "host %u does not exist", host);
	/* A recorded tree describes another machine; this one's VFIO would lie. */
	if (!sysfs_root || strcmp(sysfs_root, "/sys"))
		return hostres_fail(err, -ENODEV,
				    "VFIO not queried for a recorded sysfs tree");
	if (group < 0)
		return hostres_fail(err, -EINVAL, "IOMMU group %d: not a group number",
				    group);
	if (!bdf || hostres_bdf_normalize(bdf, dev))
		return hostres_fail(err, -EINVAL, "\"%.32s\": not a PCI address (DDDD:BB:DD.F)",
				    bdf ? bdf : "");
	snprintf(group_path, sizeof(group_path), "/dev/vfio/%d", group);
	if (!access(group_path, F_OK) || errno != ENOENT)
		return read_type1(facts, host, sysfs_root, dev, err);
	if (!access(IOMMUFD_PATH, F_OK) &&
	    !find_vfio_cdev(sysfs_root, dev, cdev_path, sizeof(cdev_path)))
		return read_iommufd(facts, host, cdev_path, err);
	return hostres_fail(err, -ENODEV,
			    "%s: no such device: bind every device of group %d to vfio-pci (ls %s/kernel/iommu_groups/%d/devices)",
			    group_path, group, sysfs_root, group);
}
