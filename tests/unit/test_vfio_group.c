// SPDX-License-Identifier: GPL-2.0
/*
 * vfio/group: viability against a sysfs tree built in a temporary
 * directory, with the links sysfs has (iommu_group, the group's devices,
 * driver): one message per way a device can keep VFIO out, and a group the
 * container holds already found again without opening anything.
 */
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/unit/suites.h"
#include "vfio/group.h"

static char root[64];
static struct vfio_error err;

static void path_of(char *buf, size_t len, const char *rel)
{
	snprintf(buf, len, "%s/%s", root, rel);
}

static void make_dirs(const char *rel)
{
	char path[256];

	path_of(path, sizeof(path), rel);
	for (char *p = path + strlen(root) + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		ck_assert(!mkdir(path, 0755) || errno == EEXIST);
		*p = '/';
	}
	ck_assert(!mkdir(path, 0755) || errno == EEXIST);
}

static void make_link(const char *target, const char *rel)
{
	char path[256];

	path_of(path, sizeof(path), rel);
	ck_assert_msg(!symlink(target, path), "%s: %s", path, strerror(errno));
}

static void write_text(const char *rel, const char *text)
{
	char path[256];
	FILE *f;

	path_of(path, sizeof(path), rel);
	f = fopen(path, "w");
	ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

/*
 * PCI device @bdf in IOMMU group @group (-1: none), bound to @driver
 * (NULL: none), of PCI class @class.
 */
static void add_device(const char *bdf, int group, const char *driver,
		       const char *class)
{
	char rel[160], target[160];

	snprintf(rel, sizeof(rel), "bus/pci/devices/%s", bdf);
	make_dirs(rel);
	snprintf(rel, sizeof(rel), "bus/pci/devices/%s/class", bdf);
	write_text(rel, class);
	if (driver) {
		/* sysfs links point at the driver's directory; it need not exist here. */
		snprintf(target, sizeof(target), "../../../../bus/pci/drivers/%s", driver);
		snprintf(rel, sizeof(rel), "bus/pci/devices/%s/driver", bdf);
		make_link(target, rel);
	}
	if (group < 0)
		return;
	snprintf(rel, sizeof(rel), "kernel/iommu_groups/%d/devices", group);
	make_dirs(rel);
	snprintf(target, sizeof(target), "../../../../kernel/iommu_groups/%d", group);
	snprintf(rel, sizeof(rel), "bus/pci/devices/%s/iommu_group", bdf);
	make_link(target, rel);
	snprintf(target, sizeof(target), "../../../../bus/pci/devices/%s", bdf);
	snprintf(rel, sizeof(rel), "kernel/iommu_groups/%d/devices/%s", group, bdf);
	make_link(target, rel);
}

#define ETHERNET	"0x020000\n"
#define BRIDGE		"0x060400\n"
#define UNCLASSIFIED	"0x00ff00\n"

static void tree_setup(void)
{
	memset(&err, 0, sizeof(err));
	strcpy(root, "/tmp/shapevm-vfio-group-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(root));
	/* Group 1: one device, on vfio-pci. */
	add_device("0000:00:02.0", 1, "vfio-pci", UNCLASSIFIED);
	/* Group 7: a function on e1000e, one on no driver, one on pci-stub. */
	add_device("0000:00:03.0", 7, "vfio-pci", ETHERNET);
	add_device("0000:00:03.1", 7, "e1000e", ETHERNET);
	add_device("0000:00:03.2", 7, NULL, ETHERNET);
	add_device("0000:00:03.3", 7, "pci-stub", ETHERNET);
	/* Group 8: two functions on other drivers (listed in address order). */
	add_device("0000:00:04.0", 8, "vfio-pci", ETHERNET);
	add_device("0000:00:04.2", 8, "snd_hda_intel", "0x040300\n");
	add_device("0000:00:04.1", 8, "ahci", "0x010601\n");
	/* Group 9: a bridge keeps pcieport; a variant VFIO driver. */
	add_device("0000:00:1c.0", 9, "pcieport", BRIDGE);
	add_device("0000:01:00.0", 9, "vfio-pci", ETHERNET);
	add_device("0000:01:00.1", 9, "mlx5_vfio_pci", ETHERNET);
	/* Devices that are not VFIO's, and one without a group. */
	add_device("0000:00:06.0", 10, "e1000e", ETHERNET);
	add_device("0000:00:07.0", 11, NULL, ETHERNET);
	add_device("0000:00:08.0", -1, NULL, ETHERNET);
}

static int remove_entry(const char *path, const struct stat *st, int flag,
			struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void tree_teardown(void)
{
	nftw(root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void assert_refused(int ret, int want_ret, const char *want)
{
	ck_assert_int_eq(ret, want_ret);
	ck_assert_str_eq(err.msg, want);
}

START_TEST(test_viable)
{
	ck_assert_int_eq(vfio_group_check(root, "0000:00:02.0", &err), 1);
	/* The short form names the same device. */
	ck_assert_int_eq(vfio_group_check(root, "00:02.0", &err), 1);
	ck_assert_int_eq(vfio_group_check(root, "0000:01:00.0", &err), 9);
	ck_assert_int_eq(vfio_group_check(root, "0000:01:00.1", &err), 9);
}
END_TEST

START_TEST(test_peer_bound)
{
	assert_refused(vfio_group_check(root, "0000:00:03.0", &err), -EBUSY,
		       "0000:00:03.0: IOMMU group 7 is not viable: 0000:00:03.1 is bound to e1000e (unbind it or bind it to vfio-pci)");
}
END_TEST

START_TEST(test_peers_bound)
{
	assert_refused(vfio_group_check(root, "0000:00:04.0", &err), -EBUSY,
		       "0000:00:04.0: IOMMU group 8 is not viable: 0000:00:04.1 is bound to ahci, 0000:00:04.2 is bound to snd_hda_intel (unbind them or bind them to vfio-pci)");
}
END_TEST

START_TEST(test_device_not_vfio)
{
	assert_refused(vfio_group_check(root, "0000:00:06.0", &err), -EBUSY,
		       "0000:00:06.0 is bound to e1000e, not vfio-pci (unbind it and bind it to vfio-pci)");
	assert_refused(vfio_group_check(root, "0000:00:07.0", &err), -EBUSY,
		       "0000:00:07.0 is bound to no driver (bind it to vfio-pci)");
}
END_TEST

START_TEST(test_no_such_device)
{
	char want[400];

	snprintf(want, sizeof(want),
		 "0000:00:1f.7: no such PCI device (%s/bus/pci/devices/0000:00:1f.7: No such file or directory)",
		 root);
	assert_refused(vfio_group_check(root, "00:1f.7", &err), -ENODEV, want);
}
END_TEST

START_TEST(test_no_group)
{
	assert_refused(vfio_group_check(root, "0000:00:08.0", &err), -ENODEV,
		       "0000:00:08.0 is in no IOMMU group: is the IOMMU enabled (intel_iommu=on, amd_iommu=on, or an SMMU)?");
}
END_TEST

START_TEST(test_bad_address)
{
	assert_refused(vfio_group_check(root, "nonsense", &err), -EINVAL,
		       "\"nonsense\": not a PCI address (DDDD:BB:DD.F or BB:DD.F, hex, e.g. 0000:03:00.0)");
	assert_refused(vfio_group_check(root, NULL, &err), -EINVAL,
		       "\"\": not a PCI address (DDDD:BB:DD.F or BB:DD.F, hex, e.g. 0000:03:00.0)");
}
END_TEST

/*
 * A second device of a group the container holds gets that group back:
 * nothing is opened (the fake fd -1 would fail any ioctl). A group that is
 * not viable is refused before /dev/vfio is touched.
 */
START_TEST(test_get_reuses_group)
{
	struct vfio_container c = { .fd = -1, .iommu_set = true, .nr_groups = 1 };
	struct vfio_group *group = NULL;

	c.groups[0] = (struct vfio_group){ .fd = -1, .number = 9 };
	ck_assert_int_eq(vfio_group_get(&c, root, "0000:01:00.1", &group, &err), 0);
	ck_assert_ptr_eq(group, &c.groups[0]);
	ck_assert_uint_eq(c.nr_groups, 1);
	assert_refused(vfio_group_get(&c, root, "0000:00:03.0", &group, &err), -EBUSY,
		       "0000:00:03.0: IOMMU group 7 is not viable: 0000:00:03.1 is bound to e1000e (unbind it or bind it to vfio-pci)");
	ck_assert_uint_eq(c.nr_groups, 1);
}
END_TEST

Suite *vfio_group_suite(void)
{
	Suite *s = suite_create("vfio_group");
	TCase *tc = tcase_create("viability");

	tcase_add_checked_fixture(tc, tree_setup, tree_teardown);
	tcase_add_test(tc, test_viable);
	tcase_add_test(tc, test_peer_bound);
	tcase_add_test(tc, test_peers_bound);
	tcase_add_test(tc, test_device_not_vfio);
	tcase_add_test(tc, test_no_such_device);
	tcase_add_test(tc, test_no_group);
	tcase_add_test(tc, test_bad_address);
	tcase_add_test(tc, test_get_reuses_group);
	suite_add_tcase(s, tc);
	return s;
}
