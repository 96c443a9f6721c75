// SPDX-License-Identifier: GPL-2.0
/*
 * Host facts from sysfs: a device's IOMMU group, the group's
 * reserved_regions, the BARs of the group's other devices and the device's
 * own BARs. Every path is built from a root that stands for /sys, so tests
 * and --sysfs-root read a recorded tree the same way.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vmm/hostres.h"
#include "vmm/hostres_internal.h"

/* include/linux/ioport.h: the flags column of a sysfs resource file. */
#define IORESOURCE_MEM		0x00000200
#define IORESOURCE_PREFETCH	0x00002000
#define IORESOURCE_MEM_64	0x00100000

#define BAR_LINES	6	/* resource lines 0-5 are BARs, */
#define ROM_LINE	6	/* line 6 is the expansion ROM */

#define BDF_FORMS	"DDDD:BB:DD.F or BB:DD.F, hex, e.g. 0000:03:00.0"

struct resource {
	uint64_t start;
	uint64_t end;
	uint64_t flags;
};

static int build_path(char *buf, struct hostres_error *err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int build_path(char *buf, struct hostres_error *err, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, PATH_MAX, fmt, ap);
	va_end(ap);
	if (n < 0 || n >= PATH_MAX)
		return hostres_fail(err, -ENAMETOOLONG, "%.64s...: path too long",
				    buf);
	return 0;
}

/* @n hex digits at @p, nothing else; -1 if they are not. */
static long hex_field(const char *p, size_t n)
{
	long v = 0;

	for (size_t i = 0; i < n; i++) {
		char c = p[i];
		int d = c >= '0' && c <= '9' ? c - '0' :
			c >= 'a' && c <= 'f' ? c - 'a' + 10 :
			c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;

		if (d < 0)
			return -1;
		v = v << 4 | d;
	}
	return v;
}

/*
 * "DDDD:BB:DD.F" or "BB:DD.F" into the lowercase long form sysfs names
 * devices by. Domains above ffff exist (Intel VMD uses 10000 and up), so
 * the domain may have up to 6 digits; that still fits host_bar.bdf.
 */
int hostres_bdf_normalize(const char *text, char out[HOSTRES_BDF_LEN])
{
	const char *colon, *bus;
	long domain = 0, bus_nr, dev, fn;

	colon = strchr(text, ':');
	if (!colon)
		return -EINVAL;
	if (strchr(colon + 1, ':')) {
		size_t domain_len = colon - text;

		if (domain_len < 4 || domain_len > 6)
			return -EINVAL;
		domain = hex_field(text, domain_len);
		bus = colon + 1;
	} else {
		bus = text;
	}
	/* What is left is "BB:DD.F", exactly. */
	if (strlen(bus) != 7 || bus[2] != ':' || bus[5] != '.')
		return -EINVAL;
	bus_nr = hex_field(bus, 2);
	dev = hex_field(bus + 3, 2);
	fn = hex_field(bus + 6, 1);
	if (domain < 0 || bus_nr < 0 || dev < 0 || dev > 0x1f || fn < 0 || fn > 7)
		return -EINVAL;
	snprintf(out, HOSTRES_BDF_LEN, "%04lx:%02lx:%02lx.%lx", domain, bus_nr, dev, fn);
	return 0;
}

/* Lines 0 to 6 of a resource file; absent or blank lines read as empty. */
static int read_resources(const char *path, struct resource res[ROM_LINE + 1],
			  struct hostres_error *err)
{
	unsigned int nr = 0;
	size_t len;
	char *text, *line, *next;
	int ret;

	memset(res, 0, sizeof(*res) * (ROM_LINE + 1));
	ret = hostres_read_whole(path, &text, &len);
	if (ret)
		return hostres_fail(err, ret, "%s: cannot read: %s", path,
				    strerror(-ret));
	if (strlen(text) != len) {
		free(text);
		return hostres_fail(err, -EINVAL, "%s: a NUL byte: binary data? (lines of text)",
				    path);
	}
	for (line = text; line && nr <= ROM_LINE; line = next, nr++) {
		uint64_t v[3];
		char *word, *save;
		int i;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		for (i = 0, word = strtok_r(line, " \t\r", &save); word && i < 3;
		     i++, word = strtok_r(NULL, " \t\r", &save))
			if (hostres_parse_hex(word, strlen(word), &v[i]))
				break;
		if (i == 0 && !word)
			continue;
		if (i != 3 || word) {
			free(text);
			return hostres_fail(err, -EINVAL,
					    "%s:%u: not a resource line (0x<start> 0x<end> 0x<flags>)",
					    path, nr + 1);
		}
		res[nr].start = v[0];
		res[nr].end = v[1];
		res[nr].flags = v[2];
	}
	free(text);
	return 0;
}

static bool is_memory_bar(const struct resource *r)
{
	if (!(r->flags & IORESOURCE_MEM))
		return false;
	/* Unassigned BARs read as zeros; a backwards one is no range at all. */
	return !(r->start == 0 && r->end == 0) && r->end >= r->start;
}

static int read_peer_bars(struct host_facts *facts, unsigned int host,
			  const char *root, const char *peer,
			  struct hostres_error *err)
{
	struct resource res[ROM_LINE + 1];
	char path[PATH_MAX], what[HOSTRES_WHAT_LEN];
	int ret;

	ret = build_path(path, err, "%s/bus/pci/devices/%s/resource", root, peer);
	if (ret)
		return ret;
	ret = read_resources(path, res, err);
	if (ret)
		return ret;
	for (unsigned int i = 0; i < BAR_LINES; i++) {
		if (!is_memory_bar(&res[i]))
			continue;
		snprintf(what, sizeof(what), "%s BAR %u", peer, i);
		ret = hostres_add_region(facts, host, res[i].start, res[i].end,
					 HOST_PEER_BAR, what);
		if (ret)
			return hostres_fail(err, ret, "%s: %s", path, strerror(-ret));
	}
	return 0;
}

static int read_own_bars(struct host_facts *facts, const char *root,
			 const char *bdf, struct hostres_error *err)
{
	struct resource res[ROM_LINE + 1];
	char path[PATH_MAX];
	int ret;

	ret = build_path(path, err, "%s/bus/pci/devices/%s/resource", root, bdf);
	if (ret)
		return ret;
	ret = read_resources(path, res, err);
	if (ret)
		return ret;
	for (unsigned int i = 0; i <= ROM_LINE; i++) {
		const struct resource *r = &res[i];

		if (!is_memory_bar(r))
			continue;
		ret = hostres_add_bar(facts, bdf, i, r->end - r->start + 1,
				      r->flags & IORESOURCE_MEM_64,
				      r->flags & IORESOURCE_PREFETCH);
		/* A BAR spanning all 2^64 bytes has no size to record. */
		if (ret == -EINVAL)
			return hostres_fail(err, ret, "%s:%u: a BAR of no size",
					    path, i + 1);
		if (ret)
			return hostres_fail(err, ret, "%s: %s", path, strerror(-ret));
	}
	return 0;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_names(char **names, size_t nr)
{
	for (size_t i = 0; i < nr; i++)
		free(names[i]);
	free(names);
}

/* The entries of a directory but "." and "..", sorted: readdir's order is not. */
static int list_dir(const char *path, char ***names_out, size_t *nr_out)
{
	char **names = NULL, **bigger;
	size_t nr = 0, cap = 0;
	struct dirent *de;
	DIR *dir;
	int ret = 0;

	dir = opendir(path);
	if (!dir)
		return -errno;
	while ((errno = 0, de = readdir(dir))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (nr == cap) {
			cap = cap ? cap * 2 : 16;
			bigger = realloc(names, cap * sizeof(*names));
			if (!bigger) {
				ret = -ENOMEM;
				break;
			}
			names = bigger;
		}
		names[nr] = strdup(de->d_name);
		if (!names[nr]) {
			ret = -ENOMEM;
			break;
		}
		nr++;
	}
	if (!ret && errno)
		ret = -errno;
	closedir(dir);
	if (ret) {
		free_names(names, nr);
		return ret;
	}
	if (nr)
		qsort(names, nr, sizeof(*names), name_cmp);
	*names_out = names;
	*nr_out = nr;
	return 0;
}

static bool is_assigned(const char *bdf, const char *const *assigned,
			size_t nr_assigned)
{
	char norm[HOSTRES_BDF_LEN];

	for (size_t i = 0; i < nr_assigned; i++) {
		if (!assigned[i])
			continue;
		if (!hostres_bdf_normalize(assigned[i], norm) ? !strcmp(norm, bdf) :
		    !strcmp(assigned[i], bdf))
			return true;
	}
	return false;
}

/* The other PCI devices in the group, but those assigned with this one. */
static int read_group_peers(struct host_facts *facts, unsigned int host,
			    const char *root, const char *bdf, int group,
			    const char *const *assigned, size_t nr_assigned,
			    struct hostres_error *err)
{
	char path[PATH_MAX], peer[HOSTRES_BDF_LEN];
	char **names;
	size_t nr;
	int ret;

	ret = build_path(path, err, "%s/kernel/iommu_groups/%d/devices", root, group);
	if (ret)
		return ret;
	ret = list_dir(path, &names, &nr);
	if (ret)
		return hostres_fail(err, ret, "%s: cannot list: %s", path,
				    strerror(-ret));
	for (size_t i = 0; i < nr && !ret; i++) {
		/* Non-PCI group members (platform devices) have no BARs here. */
		if (hostres_bdf_normalize(names[i], peer) || strcmp(peer, names[i]))
			continue;
		if (!strcmp(peer, bdf) || is_assigned(peer, assigned, nr_assigned))
			continue;
		ret = read_peer_bars(facts, host, root, peer, err);
	}
	free_names(names, nr);
	return ret;
}

static int read_reserved_regions(struct host_facts *facts, unsigned int host,
				 const char *root, int group,
				 struct hostres_error *err)
{
	char path[PATH_MAX], what[HOSTRES_WHAT_LEN];
	size_t len;
	char *text;
	int ret;

	ret = build_path(path, err, "%s/kernel/iommu_groups/%d/reserved_regions",
			 root, group);
	if (ret)
		return ret;
	ret = hostres_read_whole(path, &text, &len);
	if (ret)
		return hostres_fail(err, ret, "%s: cannot read: %s", path,
				    strerror(-ret));
	snprintf(what, sizeof(what), "group %d", group);
	ret = hostres_parse_lines(facts, host, path, text, len, what, err);
	free(text);
	return ret;
}

/* A group directory's name, as a number; -1 if it is not one. */
static int group_number(const char *name)
{
	long v = 0;

	if (!*name || strlen(name) > 9)
		return -1;
	for (const char *p = name; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (*p - '0');
	}
	return v;
}

int hostres_group_of(const char *root, const char *bdf,
		     struct hostres_error *err)
{
	char path[PATH_MAX], target[PATH_MAX];
	const char *base;
	ssize_t n;
	int ret, group;

	ret = build_path(path, err, "%s/bus/pci/devices/%s/iommu_group", root, bdf);
	if (ret)
		return ret;
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0 && errno == ENOENT)
		return hostres_fail(err, -ENODEV,
				    "%s is in no IOMMU group: is the IOMMU enabled (intel_iommu=on, amd_iommu=on, or an SMMU)?",
				    bdf);
	if (n < 0)
		return hostres_fail(err, -errno, "%s: %s", path, strerror(errno));
	target[n] = '\0';
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	group = group_number(base);
	if (group < 0)
		return hostres_fail(err, -EINVAL,
				    "%s -> %s: not an IOMMU group (a link to kernel/iommu_groups/N)",
				    path, target);
	return group;
}

int hostres_read_group(struct host_facts *facts, unsigned int host,
		       const char *sysfs_root, const char *bdf,
		       const char *const *assigned, size_t nr_assigned,
		       struct hostres_error *err)
{
	char dev[HOSTRES_BDF_LEN], path[PATH_MAX];
	struct hostres_mark mark;
	struct stat st;
	int group, ret;

	if (host >= facts->nr_hosts)
		return hostres_fail(err, -EINVAL, "host %u does not exist", host);
	if (!bdf || hostres_bdf_normalize(bdf, dev))
		return hostres_fail(err, -EINVAL, "\"%.32s\": not a PCI address (%s)",
				    bdf ? bdf : "", BDF_FORMS);
	ret = build_path(path, err, "%s/bus/pci/devices/%s", sysfs_root, dev);
	if (ret)
		return ret;
	if (stat(path, &st) && errno == ENOENT)
		return hostres_fail(err, -ENODEV, "%s: no such PCI device (%s)",
				    dev, path);
	if (stat(path, &st))
		return hostres_fail(err, -errno, "%s: %s", path, strerror(errno));

	group = hostres_group_of(sysfs_root, dev, err);
	if (group < 0)
		return group;
	hostres_mark(facts, &mark);
	ret = read_reserved_regions(facts, host, sysfs_root, group, err);
	if (!ret)
		ret = read_group_peers(facts, host, sysfs_root, dev, group,
				       assigned, nr_assigned, err);
	if (!ret)
		ret = read_own_bars(facts, sysfs_root, dev, err);
	if (ret) {
		hostres_rollback(facts, &mark);
		return ret;
	}
	return group;
}

static int int_cmp(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

int hostres_read_all_groups(struct host_facts *facts, unsigned int host,
			    const char *sysfs_root, struct hostres_error *err)
{
	struct hostres_mark mark;
	char path[PATH_MAX];
	char **names;
	size_t nr, nr_groups = 0;
	int *groups;
	int ret;

	if (host >= facts->nr_hosts)
		return hostres_fail(err, -EINVAL, "host %u does not exist", host);
	ret = build_path(path, err, "%s/kernel/iommu_groups", sysfs_root);
	if (ret)
		return ret;
	ret = list_dir(path, &names, &nr);
	/* No iommu_groups directory: no IOMMU, so nothing is reserved by one. */
	if (ret == -ENOENT)
		return 0;
	if (ret)
		return hostres_fail(err, ret, "%s: cannot list: %s", path,
				    strerror(-ret));
	groups = calloc(nr ? nr : 1, sizeof(*groups));
	if (!groups) {
		free_names(names, nr);
		return hostres_fail(err, -ENOMEM, "%s: %s", path, strerror(ENOMEM));
	}
	for (size_t i = 0; i < nr; i++) {
		int group = group_number(names[i]);

		if (group >= 0)
			groups[nr_groups++] = group;
	}
	free_names(names, nr);
	/* Numeric order: "10" after "9", not after "1". */
	qsort(groups, nr_groups, sizeof(*groups), int_cmp);
	hostres_mark(facts, &mark);
	for (size_t i = 0; i < nr_groups && !ret; i++)
		ret = read_reserved_regions(facts, host, sysfs_root, groups[i], err);
	free(groups);
	if (ret)
		hostres_rollback(facts, &mark);
	return ret;
}
