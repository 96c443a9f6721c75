// SPDX-License-Identifier: GPL-2.0
/*
 * Guest RAM in the IOMMU. The kernel refuses a bad mapping with -EINVAL
 * and no reason; vfio_dma_check knows the same facts (the group's reserved
 * regions, VFIO's IOVA ranges, page sizes and mapping budget) and says
 * which one a mapping breaks, before any ioctl. It is a pure function, so
 * each rule has a unit test (tests/unit/test_vfio_dma.c).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/capability.h>
#include <linux/vfio.h>

#include "vfio/dma.h"
#include "vmm/guest_mem.h"
#include "vmm/hostres.h"
#include "vmm/memplan.h"
#include "vmm/util.h"

#define MAP_DMA		"VFIO_IOMMU_MAP_DMA"
#define UNMAP_DMA	"VFIO_IOMMU_UNMAP_DMA"
/* How many IOVA ranges a message lists before "...". */
#define RANGES_SHOWN	4


/* "ram1 0x100000-0xbfffffff", the mapping as every message names it. */
static void describe(char *buf, size_t len, const char *what, uint64_t iova,
		     uint64_t size)
{
	snprintf(buf, len, "%s 0x%llx-0x%llx", what ? what : "IOVA",
		 (unsigned long long)iova, (unsigned long long)(iova + size - 1));
}

/*
 * The IOMMU's smallest page: type1 needs IOVA, size and host address
 * aligned to it. A host that reported no page sizes gets 4 KiB, the
 * smallest any IOMMU uses.
 */
static uint64_t smallest_page(const struct host_info *h)
{
	return h->pgsize_bitmap ? h->pgsize_bitmap & -h->pgsize_bitmap : SZ_4K;
}

static const char *region_reason(enum host_region_type type)
{
	switch (type) {
	case HOST_MSI:
		return "the IOMMU's MSI doorbell window: a DMA write there is an interrupt";
	case HOST_RESERVED:
		return "the IOMMU cannot translate it";
	case HOST_DIRECT:
		return "firmware DMAs there through an identity map";
	case HOST_DIRECT_RELAXABLE:
		return "firmware may DMA there; the plan did not allow RAM on it (--allow-relaxable)";
	case HOST_PEER_BAR:
		return "DMA there goes to that device, not to RAM";
	}
	return "";
}

/* Rules: RAM never on msi, reserved, direct or peer BARs; relaxable unless allowed. */
static int check_regions(const struct vfio_dma_rules *rules, const char *name,
			 uint64_t iova, uint64_t last, struct vfio_error *err)
{
	const struct host_facts *facts = rules->facts;

	for (size_t i = 0; i < facts->nr_regions; i++) {
		const struct host_region *r = &facts->regions[i];

		if (r->host != rules->host || r->end < iova || r->start > last)
			continue;
		if (r->type == HOST_DIRECT_RELAXABLE && rules->allow_relaxable)
			continue;
		return vfio_fail(err, -EINVAL,
			    "%s: overlaps the host's %s region 0x%llx-0x%llx%s%s%s: %s",
			    name, hostres_type_name(r->type),
			    (unsigned long long)r->start, (unsigned long long)r->end,
			    r->what[0] ? " (" : "", r->what, r->what[0] ? ")" : "",
			    region_reason(r->type));
	}
	return 0;
}

/* Type1 takes a mapping only inside one of the container's IOVA ranges. */
static int check_iova_ranges(const struct vfio_dma_rules *rules, const char *name,
			     uint64_t iova, uint64_t last, struct vfio_error *err)
{
	const struct host_facts *facts = rules->facts;
	char list[RANGES_SHOWN * 40 + 8] = "";
	size_t used = 0, shown = 0;

	if (!facts->hosts[rules->host].has_iova_ranges)
		return 0;
	for (size_t i = 0; i < facts->nr_iova; i++) {
		const struct host_iova_range *r = &facts->iova[i];

		if (r->host == rules->host && r->start <= iova && last <= r->end)
			return 0;
	}
	for (size_t i = 0; i < facts->nr_iova && used < sizeof(list); i++) {
		const struct host_iova_range *r = &facts->iova[i];

		if (r->host != rules->host)
			continue;
		if (shown++ == RANGES_SHOWN) {
			used += snprintf(list + used, sizeof(list) - used, ", ...");
			break;
		}
		used += snprintf(list + used, sizeof(list) - used, "%s0x%llx-0x%llx",
				 shown > 1 ? ", " : "", (unsigned long long)r->start,
				 (unsigned long long)r->end);
	}
	return vfio_fail(err, -EINVAL, "%s: not inside one of the IOMMU's IOVA ranges (%s)",
		    name, shown ? list : "none");
}

int vfio_dma_check(const struct vfio_dma_rules *rules, const char *what,
		   uint64_t iova, uint64_t size, uintptr_t vaddr,
		   const struct vfio_dma_mapping *mapped, size_t nr_mapped,
		   struct vfio_error *err)
{
	const struct host_info *h;
	char name[96];
	uint64_t page, last;
	int ret;

	if (!rules->facts || rules->host >= rules->facts->nr_hosts)
		return vfio_fail(err, -EINVAL, "%s: no host facts to check it against",
			    what ? what : "IOVA");
	h = &rules->facts->hosts[rules->host];
	if (!size)
		return vfio_fail(err, -EINVAL, "%s at 0x%llx: an empty mapping", what ? what : "IOVA",
			    (unsigned long long)iova);
	if (size - 1 > UINT64_MAX - iova)
		return vfio_fail(err, -EINVAL, "%s 0x%llx+0x%llx: wraps past the top of the 64-bit space",
			    what ? what : "IOVA", (unsigned long long)iova,
			    (unsigned long long)size);
	last = iova + size - 1;
	describe(name, sizeof(name), what, iova, size);
	/* VFIO accepts it, but an unmap's iova + size would be 0: never undone. */
	if (last == UINT64_MAX)
		return vfio_fail(err, -EINVAL,
			    "%s: ends at the top of the 64-bit space, which VFIO maps but cannot unmap",
			    name);
	page = smallest_page(h);
	if (!IS_ALIGNED(iova, page) || !IS_ALIGNED(size, page) || !IS_ALIGNED(vaddr, page)) {
		char unit[32];

		size_format(page, unit, sizeof(unit));
		return vfio_fail(err, -EINVAL,
			    "%s: its %s 0x%llx is not a multiple of the IOMMU's smallest page, %s (pgsize-bitmap 0x%llx)",
			    name,
			    !IS_ALIGNED(iova, page) ? "IOVA" : !IS_ALIGNED(size, page) ? "size" :
			    "host address",
			    (unsigned long long)(!IS_ALIGNED(iova, page) ? iova :
						 !IS_ALIGNED(size, page) ? size : vaddr),
			    unit, (unsigned long long)h->pgsize_bitmap);
	}
	ret = check_regions(rules, name, iova, last, err);
	if (!ret)
		ret = check_iova_ranges(rules, name, iova, last, err);
	if (ret)
		return ret;
	for (size_t i = 0; i < nr_mapped; i++) {
		const struct vfio_dma_mapping *m = &mapped[i];

		if (m->iova <= last && iova <= m->iova + m->size - 1)
			return vfio_fail(err, -EINVAL, "%s: overlaps %s 0x%llx-0x%llx, mapped already",
				    name, m->name, (unsigned long long)m->iova,
				    (unsigned long long)(m->iova + m->size - 1));
	}
	/* Each MAP_DMA is one entry of type1's budget (dma_entry_limit). */
	if (h->dma_avail && nr_mapped >= h->dma_avail)
		return vfio_fail(err, -ENOSPC,
			    "%s: would be DMA mapping %zu, past the %u VFIO allows (vfio_iommu_type1 dma_entry_limit)",
			    name, nr_mapped + 1, h->dma_avail);
	return 0;
}

int vfio_dma_check_memlock(uint64_t bytes, uint64_t limit, bool can_lock,
			   struct vfio_error *err)
{
	char need[32], have[32];

	if (can_lock || limit == (uint64_t)RLIM_INFINITY || bytes <= limit)
		return 0;
	size_format(bytes, need, sizeof(need));
	size_format(limit, have, sizeof(have));
	return vfio_fail(err, -ENOMEM,
		    "DMA for an assigned device pins all %s of guest RAM, but RLIMIT_MEMLOCK is %s (raise it: ulimit -l, prlimit --memlock, or LimitMEMLOCK=; or give shapevm CAP_IPC_LOCK)",
		    need, have);
}

/* CAP_IPC_LOCK in the effective set: type1 then ignores RLIMIT_MEMLOCK. */
static bool can_lock_memory(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data))
		return false;
	return data[CAP_TO_INDEX(CAP_IPC_LOCK)].effective & CAP_TO_MASK(CAP_IPC_LOCK);
}

void vfio_dma_init(struct vfio_dma *dma, const struct vfio_container *c,
		   const struct host_facts *facts, unsigned int host)
{
	memset(dma, 0, sizeof(*dma));
	dma->container_fd = c ? c->fd : -1;
	dma->rules.facts = facts;
	dma->rules.host = host;
}

int vfio_dma_plan_mappings(const struct vfio_dma *dma, const struct vm_plan *plan,
			   const struct guest_mem *mem,
			   struct vfio_dma_mapping **maps_out, size_t *nr_out,
			   struct vfio_error *err)
{
	struct vfio_dma_rules rules = dma->rules;
	struct vfio_dma_mapping *maps, *all;
	size_t nr = 0, nr_ram = 0;
	int ret = 0;

	rules.allow_relaxable = plan->allow_relaxable;
	for (size_t i = 0; i < plan->nr_regions; i++)
		nr_ram += plan->regions[i].kind == PLAN_RAM;
	/* What is mapped already and what this plan adds, for the overlap rule. */
	all = calloc(dma->nr_maps + nr_ram + 1, sizeof(*all));
	if (!all)
		return vfio_fail(err, -ENOMEM, "DMA mappings: %s", strerror(ENOMEM));
	if (dma->nr_maps)
		memcpy(all, dma->maps, dma->nr_maps * sizeof(*all));
	maps = all + dma->nr_maps;
	/* Only RAM: firmware tables, windows and frames are no DMA target. */
	for (size_t i = 0; i < plan->nr_regions && !ret; i++) {
		const struct plan_region *r = &plan->regions[i];
		struct vfio_dma_mapping *m = &maps[nr];
		void *host;

		if (r->kind != PLAN_RAM)
			continue;
		host = guest_mem_ptr(mem, r->start, r->size);
		if (!host) {
			char name[96];

			describe(name, sizeof(name), r->name, r->start, r->size);
			ret = vfio_fail(err, -EINVAL, "%s: no guest memory backs this RAM bank",
				   name);
			break;
		}
		snprintf(m->name, sizeof(m->name), "%s", r->name);
		m->iova = r->start;
		m->size = r->size;
		m->vaddr = (uintptr_t)host;
		ret = vfio_dma_check(&rules, r->name, m->iova, m->size, m->vaddr, all,
				     dma->nr_maps + nr, err);
		nr++;
	}
	if (ret) {
		free(all);
		return ret;
	}
	memmove(all, maps, nr * sizeof(*all));
	*maps_out = all;
	*nr_out = nr;
	return 0;
}

static int unmap_one(int fd, const struct vfio_dma_mapping *m, struct vfio_error *err)
{
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap), .iova = m->iova, .size = m->size,
	};
	char name[96];

	describe(name, sizeof(name), m->name, m->iova, m->size);
	if (ioctl(fd, VFIO_IOMMU_UNMAP_DMA, &unmap))
		return vfio_fail(err, -errno, "%s: %s: %s", name, UNMAP_DMA, strerror(errno));
	/* The kernel says how much it unmapped; less means pages stay pinned. */
	if (unmap.size != m->size)
		return vfio_fail(err, -EIO, "%s: %s unmapped 0x%llx bytes of 0x%llx", name,
			    UNMAP_DMA, (unsigned long long)unmap.size,
			    (unsigned long long)m->size);
	return 0;
}

int vfio_dma_unmap_all(struct vfio_dma *dma, struct vfio_error *err)
{
	struct vfio_error this_err;
	int ret = 0;

	/* Last first, the reverse of mapping. */
	for (size_t i = dma->nr_maps; i > 0; i--) {
		int r = unmap_one(dma->container_fd, &dma->maps[i - 1], &this_err);

		if (r && !ret) {
			ret = r;
			*err = this_err;
		}
	}
	free(dma->maps);
	dma->maps = NULL;
	dma->nr_maps = 0;
	return ret;
}

/* One VFIO_IOMMU_MAP_DMA, read and write: 0 or the errno. */
static int map_one(int fd, const struct vfio_dma_mapping *m)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = m->vaddr,
		.iova = m->iova,
		.size = m->size,
	};

	return ioctl(fd, VFIO_IOMMU_MAP_DMA, &map) ? errno : 0;
}

static int map_failed(const struct vfio_dma_mapping *m, int error,
		      struct vfio_error *err)
{
	char name[96], size[32], limit[32] = "unlimited";
	struct rlimit rl;

	describe(name, sizeof(name), m->name, m->iova, m->size);
	if (error != ENOMEM)
		return vfio_fail(err, -error, "%s: %s: %s", name, MAP_DMA, strerror(error));
	/* Pinning counts against RLIMIT_MEMLOCK with what is locked already. */
	size_format(m->size, size, sizeof(size));
	if (!getrlimit(RLIMIT_MEMLOCK, &rl) && rl.rlim_cur != RLIM_INFINITY)
		size_format(rl.rlim_cur, limit, sizeof(limit));
	return vfio_fail(err, -ENOMEM,
		    "%s: %s: cannot pin its %s: out of lockable memory (RLIMIT_MEMLOCK is %s, and memory locked already counts; raise it with ulimit -l or prlimit --memlock, or give shapevm CAP_IPC_LOCK)",
		    name, MAP_DMA, size, limit);
}

int vfio_dma_map_plan(struct vfio_dma *dma, const struct vm_plan *plan,
		      const struct guest_mem *mem, struct vfio_error *err)
{
	struct vfio_dma_mapping *maps, *bigger;
	struct vfio_error unmap_err;
	uint64_t bytes = 0;
	struct rlimit rl;
	size_t nr;
	int ret;

	ret = vfio_dma_plan_mappings(dma, plan, mem, &maps, &nr, err);
	if (ret)
		return ret;
	for (size_t i = 0; i < dma->nr_maps; i++)
		bytes += dma->maps[i].size;
	for (size_t i = 0; i < nr; i++)
		bytes += maps[i].size;
	if (getrlimit(RLIMIT_MEMLOCK, &rl))
		rl.rlim_cur = RLIM_INFINITY;
	ret = vfio_dma_check_memlock(bytes, rl.rlim_cur, can_lock_memory(), err);
	if (ret)
		goto out;
	bigger = realloc(dma->maps, (dma->nr_maps + nr) * sizeof(*bigger));
	if (!bigger) {
		ret = vfio_fail(err, -ENOMEM, "DMA mappings: %s", strerror(ENOMEM));
		goto out;
	}
	dma->maps = bigger;
	for (size_t i = 0; i < nr; i++) {
		int error = map_one(dma->container_fd, &maps[i]);

		if (error) {
			ret = map_failed(&maps[i], error, err);
			/* Fatal: a guest with part of its RAM mapped must not run. */
			vfio_dma_unmap_all(dma, &unmap_err);
			goto out;
		}
		dma->maps[dma->nr_maps++] = maps[i];
	}
out:
	free(maps);
	return ret;
}

int vfio_dma_map_peer(struct vfio_dma *dma, const char *what, uint64_t iova,
		      uint64_t size, uintptr_t vaddr, struct vfio_error *err)
{
	struct vfio_dma_mapping m = { .iova = iova, .size = size, .vaddr = vaddr };
	struct vfio_dma_mapping *bigger;
	char name[96];
	int ret, error;

	ret = vfio_dma_check(&dma->rules, what, iova, size, vaddr, dma->maps,
			     dma->nr_maps, err);
	if (ret)
		return ret;
	bigger = realloc(dma->maps, (dma->nr_maps + 1) * sizeof(*bigger));
	if (!bigger)
		return vfio_fail(err, -ENOMEM, "DMA mappings: %s", strerror(ENOMEM));
	dma->maps = bigger;
	snprintf(m.name, sizeof(m.name), "%s", what ? what : "peer");
	/* Device memory is not pinned like RAM: RLIMIT_MEMLOCK does not count it. */
	error = map_one(dma->container_fd, &m);
	if (error) {
		describe(name, sizeof(name), what, iova, size);
		return vfio_fail(err, -error, "%s: %s: %s", name, MAP_DMA, strerror(error));
	}
	dma->maps[dma->nr_maps++] = m;
	return 0;
}

int vfio_dma_unmap_peer(struct vfio_dma *dma, uint64_t iova, struct vfio_error *err)
{
	for (size_t i = 0; i < dma->nr_maps; i++) {
		int ret;

		if (dma->maps[i].iova != iova)
			continue;
		ret = unmap_one(dma->container_fd, &dma->maps[i], err);
		/* Forgotten either way: a second unmap would not do better. */
		memmove(&dma->maps[i], &dma->maps[i + 1],
			(dma->nr_maps - i - 1) * sizeof(*dma->maps));
		dma->nr_maps--;
		return ret;
	}
	return vfio_fail(err, -ENOENT, "no DMA mapping at 0x%llx", (unsigned long long)iova);
}
