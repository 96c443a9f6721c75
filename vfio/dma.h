/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest RAM mapped for DMA: each of the plan's RAM banks at its guest
 * physical address as IOVA, and nothing else (the planner's rule: the VFIO
 * layer never maps DMA where the plan did not put RAM). Every mapping is
 * checked against the host facts first, by a pure function, so a conflict
 * is explained by shapevm rather than by VFIO_IOMMU_MAP_DMA's -EINVAL.
 */
#ifndef SHAPEVM_VFIO_DMA_H
#define SHAPEVM_VFIO_DMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vfio/container.h"

struct guest_mem;
struct host_facts;
struct vm_plan;

/* The facts a mapping is checked against: one host's IOMMU. */
struct vfio_dma_rules {
	const struct host_facts *facts;
	unsigned int host;		/* whose IOMMU the mappings go into */
	bool allow_relaxable;		/* the plan put RAM on direct-relaxable regions */
};

struct vfio_dma_mapping {
	char name[24];			/* the plan region's name */
	uint64_t iova;			/* its guest physical address */
	uint64_t size;
	uintptr_t vaddr;		/* where shapevm holds it */
};

/* What one container has mapped. */
struct vfio_dma {
	int container_fd;
	struct vfio_dma_rules rules;
	struct vfio_dma_mapping *maps;
	size_t nr_maps;
};

/*
 * The checks, in order (the first that fails is the message): not empty;
 * no wrap past 2^64 and no end at the top of the 64-bit space (VFIO maps
 * that but cannot unmap it); IOVA, size and host address aligned to the
 * IOMMU's smallest page (4 KiB when the host reported no page sizes);
 * off every msi, reserved, direct and peer-bar region of the host, and
 * off direct-relaxable ones unless the rules allow them; inside one of the
 * host's IOVA ranges (when it reported some); no overlap with @mapped;
 * and one more mapping than @nr_mapped still within dma_avail. @what names
 * the mapping in the message. 0, or -EINVAL (-ENOSPC for the count) with
 * err filled in.
 */
int vfio_dma_check(const struct vfio_dma_rules *rules, const char *what,
		   uint64_t iova, uint64_t size, uintptr_t vaddr,
		   const struct vfio_dma_mapping *mapped, size_t nr_mapped,
		   struct vfio_error *err);

/*
 * Pinning @bytes needs them under RLIMIT_MEMLOCK (@limit, RLIM_INFINITY
 * for none) unless the process has CAP_IPC_LOCK (@can_lock). -ENOMEM with
 * a message naming RLIMIT_MEMLOCK when they do not fit.
 */
int vfio_dma_check_memlock(uint64_t bytes, uint64_t limit, bool can_lock,
			   struct vfio_error *err);

/*
 * The mappings a plan asks for: one per PLAN_RAM region, in address order,
 * its host address looked up in @mem, each checked (vfio_dma_check, after
 * what @dma has mapped already). *maps is allocated (the caller frees it);
 * no I/O.
 */
int vfio_dma_plan_mappings(const struct vfio_dma *dma, const struct vm_plan *plan,
			   const struct guest_mem *mem,
			   struct vfio_dma_mapping **maps, size_t *nr_maps,
			   struct vfio_error *err);

void vfio_dma_init(struct vfio_dma *dma, const struct vfio_container *c,
		   const struct host_facts *facts, unsigned int host);
/*
 * Maps every RAM bank of @plan (host addresses from @mem) for DMA, read and
 * write. All are checked, then RLIMIT_MEMLOCK, before the first ioctl. A
 * failure is fatal: whatever @dma had mapped is unmapped again.
 */
int vfio_dma_map_plan(struct vfio_dma *dma, const struct vm_plan *plan,
		      const struct guest_mem *mem, struct vfio_error *err);
/*
 * Best effort, for peer-to-peer DMA between assigned devices: a piece of a
 * device's BAR (@vaddr, the mmap of it) mapped at its guest address @iova,
 * checked as RAM is (vfio_dma_check, so misalignment to the IOMMU's
 * smallest page is explained). A failure is the caller's warning, never
 * fatal. vfio_dma_unmap_peer and vfio_dma_unmap_all undo it.
 */
int vfio_dma_map_peer(struct vfio_dma *dma, const char *what, uint64_t iova,
		      uint64_t size, uintptr_t vaddr, struct vfio_error *err);
int vfio_dma_unmap_peer(struct vfio_dma *dma, uint64_t iova, struct vfio_error *err);

/* Unmaps everything; 0, or the first error (the rest is still unmapped). */
int vfio_dma_unmap_all(struct vfio_dma *dma, struct vfio_error *err);

#endif
