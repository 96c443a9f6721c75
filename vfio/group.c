// SPDX-License-Identifier: GPL-2.0
/*
 * VFIO groups. The kernel only says "not viable" (VFIO_GROUP_GET_STATUS)
 * or refuses to open the group; sysfs says which device holds it back and
 * which driver has it, so the check reads sysfs first and the user learns
 * what to unbind. Every message starts with the device's address, so the
 * caller can put the flag in front (--vfio 0000:03:00.0: ...).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/vfio.h>

#include "vfio/group.h"
#include "vmm/hostres.h"

#define DRIVER_LEN	64


/*
 * The name of the driver @dir/driver links to, "" when unbound. A path
 * too long for PATH_MAX reads as unbound: sysfs paths never are.
 */
static void driver_of(const char *dir, char name[DRIVER_LEN])
{
	char path[PATH_MAX], target[PATH_MAX];
	const char *base;
	ssize_t n;

	name[0] = '\0';
	if (snprintf(path, sizeof(path), "%s/driver", dir) >= (int)sizeof(path))
		return;
	n = readlink(path, target, sizeof(target) - 1);
	if (n <= 0)
		return;
	target[n] = '\0';
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	/* Driver names are short; a longer one is cut, as a message would. */
	n = strnlen(base, DRIVER_LEN - 1);
	memcpy(name, base, n);
	name[n] = '\0';
}

/*
 * vfio-pci itself and its variant drivers (mlx5_vfio_pci, ...), which
 * give VFIO the device as well.
 */
static bool is_vfio_driver(const char *name)
{
	size_t len = strlen(name), suffix = strlen("_vfio_pci");

	return !strcmp(name, "vfio-pci") ||
	       (len > suffix && !strcmp(name + len - suffix, "_vfio_pci"));
}

/*
 * A PCI-to-PCI (0x0604) or CardBus (0x0607) bridge: the kernel lets a
 * group's bridges keep their driver (pcieport), since they do no DMA of
 * their own for the guest to see.
 */
static bool is_bridge(const char *dir)
{
	char path[PATH_MAX], text[32] = "";
	unsigned long class;
	ssize_t n;
	int fd;

	if (snprintf(path, sizeof(path), "%s/class", dir) >= (int)sizeof(path))
		return false;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0)
		return false;
	text[n] = '\0';
	class = strtoul(text, NULL, 16) >> 8;
	return class == 0x0604 || class == 0x0607;
}

/* A peer may stay: VFIO's own, pci-stub (the kernel allows it) or nothing. */
static bool peer_allowed(const char *dir, const char *driver)
{
	return !driver[0] || is_vfio_driver(driver) || !strcmp(driver, "pci-stub") ||
	       is_bridge(dir);
}

static int skip_dots(const struct dirent *de)
{
	return strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
}

/*
 * Every device of @group whose driver keeps VFIO out, as one message:
 * "0000:03:00.1 is bound to e1000e, 0000:03:00.2 is bound to ahci".
 */
static int check_peers(const char *root, const char *bdf, int group,
		       struct vfio_error *err)
{
	char dir[PATH_MAX], peer[PATH_MAX], driver[DRIVER_LEN], list[300] = "";
	struct dirent **names;
	size_t used = 0;
	int nr, bad = 0;

	if (snprintf(dir, sizeof(dir), "%s/kernel/iommu_groups/%d/devices", root,
		     group) >= (int)sizeof(dir))
		return vfio_fail(err, -ENAMETOOLONG, "%s: %.64s...: path too long", bdf, dir);
	/* Sorted, so the message is the same whatever readdir's order. */
	nr = scandir(dir, &names, skip_dots, alphasort);
	if (nr < 0)
		return vfio_fail(err, -errno, "%s: %s: cannot list: %s", bdf, dir,
			    strerror(errno));
	for (int i = 0; i < nr; i++) {
		const char *name = names[i]->d_name;

		if (strcmp(name, bdf) &&
		    snprintf(peer, sizeof(peer), "%s/%s", dir, name) < (int)sizeof(peer)) {
			driver_of(peer, driver);
			if (!peer_allowed(peer, driver)) {
				if (used < sizeof(list))
					used += snprintf(list + used, sizeof(list) - used,
							 "%s%s is bound to %s",
							 bad ? ", " : "", name, driver);
				bad++;
			}
		}
		free(names[i]);
	}
	free(names);
	if (bad)
		return vfio_fail(err, -EBUSY,
			    "%s: IOMMU group %d is not viable: %s (unbind %s or bind %s to vfio-pci)",
			    bdf, group, list, bad == 1 ? "it" : "them",
			    bad == 1 ? "it" : "them");
	return 0;
}

int vfio_group_check(const char *root, const char *bdf, struct vfio_error *err)
{
	char dev[HOSTRES_BDF_LEN], dir[PATH_MAX], driver[DRIVER_LEN];
	struct hostres_error group_err;
	struct stat st;
	int group, ret;

	if (!bdf || hostres_bdf_normalize(bdf, dev))
		return vfio_fail(err, -EINVAL, "\"%.32s\": not a PCI address (%s)",
			    bdf ? bdf : "", HOSTRES_BDF_FORMS);
	if (snprintf(dir, sizeof(dir), "%s/bus/pci/devices/%s", root, dev) >=
	    (int)sizeof(dir))
		return vfio_fail(err, -ENAMETOOLONG, "%s: %.64s...: path too long", dev, dir);
	if (stat(dir, &st))
		return vfio_fail(err, errno == ENOENT ? -ENODEV : -errno,
			    "%s: no such PCI device (%s: %s)", dev, dir, strerror(errno));
	group = hostres_group_of(root, dev, &group_err);
	if (group < 0)
		return vfio_fail(err, group, "%s", group_err.msg);
	driver_of(dir, driver);
	if (!driver[0])
		return vfio_fail(err, -EBUSY, "%s is bound to no driver (bind it to vfio-pci)",
			    dev);
	if (!is_vfio_driver(driver))
		return vfio_fail(err, -EBUSY,
			    "%s is bound to %s, not vfio-pci (unbind it and bind it to vfio-pci)",
			    dev, driver);
	ret = check_peers(root, dev, group, err);
	return ret ? ret : group;
}

static int open_group(const char *dev, int number, struct vfio_error *err)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	char path[32];
	int fd;

	snprintf(path, sizeof(path), "/dev/vfio/%d", number);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;

		return vfio_fail(err, e == ENOENT ? -ENODEV : -e, "%s: %s: %s%s", dev, path,
			    strerror(e),
			    e == ENOENT ? " (is vfio-pci loaded and the device bound to it?)" :
			    e == EBUSY ? " (the group is open in another process: another VM?)" :
			    e == EACCES || e == EPERM ? " (run as root, or give the user the node)" :
			    "");
	}
	if (ioctl(fd, VFIO_GROUP_GET_STATUS, &status)) {
		int e = errno;

		close(fd);
		return vfio_fail(err, -e, "%s: VFIO_GROUP_GET_STATUS(%s): %s", dev, path,
			    strerror(e));
	}
	/* sysfs said viable; the kernel's word is final (a device may just have bound). */
	if (!(status.flags & VFIO_GROUP_FLAGS_VIABLE)) {
		close(fd);
		return vfio_fail(err, -EBUSY,
			    "%s: IOMMU group %d is not viable, says VFIO: bind every device in it to vfio-pci (ls /sys/kernel/iommu_groups/%d/devices)",
			    dev, number, number);
	}
	if (status.flags & VFIO_GROUP_FLAGS_CONTAINER_SET) {
		close(fd);
		return vfio_fail(err, -EBUSY, "%s: IOMMU group %d is in another container already",
			    dev, number);
	}
	return fd;
}

int vfio_group_get(struct vfio_container *c, const char *sysfs_root,
		   const char *bdf, struct vfio_group **group,
		   struct vfio_error *err)
{
	char dev[HOSTRES_BDF_LEN];
	int number, fd, ret;

	number = vfio_group_check(sysfs_root, bdf, err);
	if (number < 0)
		return number;
	hostres_bdf_normalize(bdf, dev);
	for (size_t i = 0; i < c->nr_groups; i++) {
		if (c->groups[i].number == number) {
			if (group)
				*group = &c->groups[i];
			return 0;
		}
	}
	fd = open_group(dev, number, err);
	if (fd < 0)
		return fd;
	ret = vfio_container_attach(c, fd, number, err);
	if (ret) {
		/* Say which device it was about; the container's words follow. */
		char why[sizeof(err->msg)];

		snprintf(why, sizeof(why), "%s", err->msg);
		vfio_fail(err, ret, "%s: %s", dev, why);
		close(fd);
		return ret;
	}
	if (group)
		*group = &c->groups[c->nr_groups - 1];
	return 0;
}

int vfio_group_device_fd(const struct vfio_group *group, const char *bdf,
			 struct vfio_error *err)
{
	char dev[HOSTRES_BDF_LEN];
	int fd;

	if (!bdf || hostres_bdf_normalize(bdf, dev))
		return vfio_fail(err, -EINVAL, "\"%.32s\": not a PCI address (%s)",
			    bdf ? bdf : "", HOSTRES_BDF_FORMS);
	fd = ioctl(group->fd, VFIO_GROUP_GET_DEVICE_FD, dev);
	if (fd < 0)
		return vfio_fail(err, -errno, "%s: VFIO_GROUP_GET_DEVICE_FD(/dev/vfio/%d): %s",
			    dev, group->number, strerror(errno));
	return fd;
}
