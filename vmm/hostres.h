/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host facts: what the host's IOMMU and KVM reserve or bound in the address
 * space a guest shares with its assigned devices' DMA. Read from recorded
 * files (the sysfs reserved_regions format), from sysfs for a device's IOMMU
 * group, and from VFIO. The planner (vmm/memplan) reads them; it never does
 * I/O itself.
 *
 * Several hosts may be described at once: each region and IOVA range names
 * the host it came from, so a plan can be valid on all of them (the union of
 * their reserved regions, the intersection of their IOVA ranges).
 */
#ifndef SHAPEVM_HOSTRES_H
#define SHAPEVM_HOSTRES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define HOSTRES_NAME_LEN	64
#define HOSTRES_WHAT_LEN	48

enum host_region_type {
	HOST_MSI,		/* "msi": the IOMMU's MSI doorbell window */
	HOST_DIRECT,		/* "direct": firmware identity map (RMRR/RMR) */
	HOST_DIRECT_RELAXABLE,	/* "direct-relaxable": not enforced by the kernel */
	HOST_RESERVED,		/* "reserved": never usable as IOVA */
	HOST_PEER_BAR,		/* a BAR of another device in the group */
};

struct host_region {
	uint64_t start;
	uint64_t end;			/* inclusive, as sysfs writes it */
	enum host_region_type type;
	unsigned int host;		/* index into host_facts.hosts */
	char what[HOSTRES_WHAT_LEN];	/* e.g. "0000:03:00.1 BAR 0"; may be empty */
};

/* A range of IOVAs the host's IOMMU can map (VFIO's IOVA_RANGE capability). */
struct host_iova_range {
	uint64_t start;
	uint64_t end;			/* inclusive */
	unsigned int host;
};

/* A memory BAR of a device to be assigned: the planner sizes windows from it. */
struct host_bar {
	char bdf[16];
	unsigned int index;		/* 0-5; 6 is the expansion ROM */
	uint64_t size;
	bool is_64bit;
	bool prefetchable;
};

struct host_info {
	char name[HOSTRES_NAME_LEN];	/* a file name, or "this host" */
	unsigned int phys_bits;		/* guest address width KVM allows; 0: unknown */
	uint64_t pgsize_bitmap;		/* IOMMU page sizes; 0: unknown */
	uint32_t dma_avail;		/* DMA mappings VFIO allows; 0: unknown */
	bool has_iova_ranges;		/* false: any IOVA (none were reported) */
};

struct host_facts {
	struct host_info *hosts;
	size_t nr_hosts;
	struct host_region *regions;
	size_t nr_regions;
	struct host_iova_range *iova;
	size_t nr_iova;
	struct host_bar *bars;
	size_t nr_bars;
};

struct hostres_error {
	char msg[320];
};

/* Adds a host; returns its index or -ENOMEM. The name is copied (truncated). */
int hostres_add_host(struct host_facts *facts, const char *name);
int hostres_add_region(struct host_facts *facts, unsigned int host,
		       uint64_t start, uint64_t end, enum host_region_type type,
		       const char *what);
int hostres_add_iova_range(struct host_facts *facts, unsigned int host,
			   uint64_t start, uint64_t end);
/* Adds a memory BAR of a device to be assigned; 0, -EINVAL or -ENOMEM. */
int hostres_add_bar(struct host_facts *facts, const char *bdf,
		    unsigned int index, uint64_t size, bool is_64bit,
		    bool prefetchable);
void hostres_free(struct host_facts *facts);

const char *hostres_type_name(enum host_region_type type);
/* "msi", "direct", ...; -EINVAL for an unknown name. */
int hostres_type_parse(const char *name, enum host_region_type *type);

/*
 * Parses text in the --host-reserved format into host @host: lines
 * "0x<start> 0x<end> <type>" (end inclusive), "iova-range 0x<start> 0x<end>",
 * "phys-bits N", "pgsize-bitmap 0x<hex>", "dma-avail N"; blank lines and
 * lines starting with '#' are ignored.
 * @name is the file name used in error messages ("FILE:LINE: ...").
 * A "# ..." after a region's fields names it (host_region.what). On error
 * (-EINVAL, err filled in) nothing of the text is kept.
 */
int hostres_parse_text(struct host_facts *facts, unsigned int host,
		       const char *name, const char *text, size_t len,
		       struct hostres_error *err);
/* Reads FILE as one more host named after it; on error no host is added. */
int hostres_read_file(struct host_facts *facts, const char *path,
		      struct hostres_error *err);

/*
 * For an assigned device BDF ("0000:03:00.0"): its IOMMU group's
 * reserved_regions, the memory BARs of the group's other devices (peer BARs,
 * minus the devices in @assigned), and the device's own BARs (facts->bars).
 * @sysfs_root stands for /sys (tests pass a recorded tree). Returns the
 * group number, or a negative errno with err filled in and nothing added.
 */
int hostres_read_group(struct host_facts *facts, unsigned int host,
		       const char *sysfs_root, const char *bdf,
		       const char *const *assigned, size_t nr_assigned,
		       struct hostres_error *err);
/*
 * Every group's reserved_regions under @sysfs_root/kernel/iommu_groups, in
 * group order. No such directory means no IOMMU: 0 with nothing added.
 */
int hostres_read_all_groups(struct host_facts *facts, unsigned int host,
			    const char *sysfs_root, struct hostres_error *err);
/*
 * Asks VFIO for group @group's IOVA ranges, IOMMU page sizes and DMA mapping
 * limit (type1v2 container; iommufd's IOMMU_IOAS_IOVA_RANGES when the group
 * has no /dev/vfio node but the device has a cdev). Returns -ENODEV when
 * VFIO is not there or the group cannot be used, with err saying why. Only
 * for @sysfs_root "/sys": a recorded tree is another machine. A second call
 * for the same host narrows its IOVA ranges to what both groups allow.
 */
int hostres_read_vfio(struct host_facts *facts, unsigned int host,
		      const char *sysfs_root, const char *bdf, int group,
		      struct hostres_error *err);

/*
 * A VFIO_IOMMU_GET_INFO answer of @size bytes (struct
 * vfio_iommu_type1_info and its capability chain) into host @host: page
 * sizes, IOVA ranges, DMA mappings available. Every offset and count is
 * checked against @size first. Apart from the ioctl (vfio/container.c asks
 * it) so tests can feed it.
 */
int hostres_vfio_type1_info(struct host_facts *facts, unsigned int host,
			    const void *info, size_t size,
			    struct hostres_error *err);

/* "0000:03:00.0", the form sysfs names PCI devices by, and host_bar.bdf's size. */
#define HOSTRES_BDF_LEN	16

/*
 * "DDDD:BB:DD.F" or "BB:DD.F" (hex) into that lowercase long form; -EINVAL
 * for anything else.
 */
int hostres_bdf_normalize(const char *text, char out[HOSTRES_BDF_LEN]);
/* The forms hostres_bdf_normalize takes, for messages. */
#define HOSTRES_BDF_FORMS	"DDDD:BB:DD.F or BB:DD.F, hex, e.g. 0000:03:00.0"

/*
 * The IOMMU group of PCI device @bdf (normalized form) under @sysfs_root:
 * the number its iommu_group link names, or a negative errno with err
 * saying why (-ENODEV: in no group, so no IOMMU).
 */
int hostres_group_of(const char *sysfs_root, const char *bdf,
		     struct hostres_error *err);

/*
 * Indices of facts->regions in the one order every listing uses: start,
 * end, type, host name, what. The caller frees it; NULL when out of memory.
 */
size_t *hostres_sorted(const struct host_facts *facts);

/* Host @host's facts in the --host-reserved format, sorted, one per line. */
void hostres_write(const struct host_facts *facts, unsigned int host, FILE *out);

#endif
