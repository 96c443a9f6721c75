// SPDX-License-Identifier: GPL-2.0
/*
 * Assigned PCI devices in a running guest: the glue between vfio/ (group,
 * container, DMA, device, config space) and the machine (KVM memslots,
 * irqfds on MSI routes, the PCI host bridge). docs/vfio.md, "Wiring it
 * into run --vfio", is the order followed here.
 */
#include <errno.h>
#include <linux/kvm.h>
#include <linux/pci_regs.h>
#include <linux/vfio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "devices/pci_host.h"
#include "vfio/device.h"
#include "vfio/dma.h"
#include "vfio/group.h"
#include "vfio/intx.h"
#include "vfio/passthrough.h"
#include "vfio/pci_config.h"
#include "vmm/hostres.h"
#include "vmm/log.h"
#include "vmm/vm.h"

#define PT_MAX_MSI		32
#define PT_BAR_PIECES		VFIO_PASSTHROUGH_BAR_PIECES

struct pt_vector {
	int fd;				/* the eventfd VFIO signals */
	int gsi;			/* its KVM MSI route */
	bool irqfd;			/* wired to the route now (unmasked) */
};

struct pt_piece {
	uint64_t gpa, size;
	bool mapped;
	bool peer_dma;			/* also mapped in the IOMMU at gpa */
};

struct pt_device {
	struct vfio_passthrough *pt;
	unsigned int index;
	struct vfio_device dev;
	struct vfio_region config_region;
	struct vfio_region bars[PCI_NR_BARS];
	struct vfio_pci_config cfg;
	bool cfg_ready;
	struct pt_piece pieces[PCI_NR_BARS][PT_BAR_PIECES];
	bool peer_told[PCI_NR_BARS];	/* its peer mapping reported (once) */
	struct pt_vector *msix;
	unsigned int nr_msix;
	bool msix_on;
	struct pt_vector msi[PT_MAX_MSI];
	unsigned int nr_msi;		/* eventfds made: what the device offers */
	unsigned int msi_on;		/* vectors given to VFIO now */
	struct vfio_intx intx;		/* gsi -1: no INTx */
};

struct vfio_passthrough {
	struct vm *vm;
	struct host_facts facts;	/* taken over: peer mappings check against them */
	struct vfio_container container;
	bool container_open;
	struct vfio_dma dma;
	bool dma_ready;
	struct pt_device devs[CONFIG_MAX_VFIO];
	size_t nr_devs;
};

int vfio_passthrough_check(const char *sysfs_root, const char *const *bdfs,
			   size_t nr)
{
	struct vfio_error err;
	int ret;

	for (size_t i = 0; i < nr; i++) {
		ret = vfio_group_check(sysfs_root, bdfs[i], &err);
		if (ret < 0) {
			log_error("--vfio %s", err.msg);
			return ret;
		}
	}
	return 0;
}

/* KVM memslots for BARs count down from the top; RAM's count up from 0. */
static unsigned int piece_slot(const struct pt_device *d, unsigned int bar,
			       unsigned int piece)
{
	return VM_MAX_SLOTS - 1 -
	       (d->index * PCI_NR_BARS + bar) * PT_BAR_PIECES - piece;
}

static int set_slot(struct pt_device *d, unsigned int bar, unsigned int piece,
		    uint64_t gpa, uint64_t size, uint64_t offset)
{
	struct kvm_userspace_memory_region region = {
		.slot = piece_slot(d, bar, piece), .guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = size ? (uintptr_t)d->bars[bar].map + offset : 0,
	};

	if (ioctl(d->pt->vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		return -errno;
	return 0;
}

static void bar_unmap_pieces(struct pt_device *d, unsigned int bar)
{
	struct vfio_error err;

	for (unsigned int i = 0; i < PT_BAR_PIECES; i++) {
		struct pt_piece *p = &d->pieces[bar][i];

		if (p->peer_dma && vfio_dma_unmap_peer(&d->pt->dma, p->gpa, &err))
			log_warn("%s: BAR%u: %s", d->dev.bdf, bar, err.msg);
		p->peer_dma = false;
		if (p->mapped && set_slot(d, bar, i, p->gpa, 0, 0))
			log_warn("%s: BAR%u: cannot remove its memory slot", d->dev.bdf, bar);
		p->mapped = false;
	}
}

/*
 * Peer-to-peer: another assigned device may DMA to this BAR at the guest
 * address the guest gave it, so the piece goes into the IOMMU there too.
 * Best effort: without it only peer DMA fails, so a refusal is a warning.
 * Either is said once per BAR: the guest turns decoding off and on while it
 * sizes BARs.
 */
static void piece_map_peer(struct pt_device *d, unsigned int bar, struct pt_piece *p,
			   uint64_t offset)
{
	struct vfio_error err;
	char what[24];

	if (!d->pt->dma_ready)
		return;
	snprintf(what, sizeof(what), "BAR%u of %.12s", bar, d->dev.bdf);
	if (!vfio_dma_map_peer(&d->pt->dma, what, p->gpa, p->size,
			       (uintptr_t)d->bars[bar].map + offset, &err)) {
		p->peer_dma = true;
		if (!d->peer_told[bar])
			log_info("%s: BAR%u at 0x%llx: mapped for peer-to-peer DMA", d->dev.bdf,
				 bar, (unsigned long long)p->gpa);
	} else if (!d->peer_told[bar]) {
		log_warn("%s: BAR%u: not mapped for peer-to-peer DMA: %s", d->dev.bdf, bar,
			 err.msg);
	}
	d->peer_told[bar] = true;
}

unsigned int vfio_passthrough_bar_traps(uint64_t size,
					const struct vfio_region_area *areas,
					unsigned int nr_areas,
					const struct vfio_pci_bar_range *msix,
					unsigned int nr_msix,
					struct vfio_pci_bar_range traps[VFIO_PASSTHROUGH_BAR_TRAPS])
{
	unsigned int n = 0;
	uint64_t at = 0;

	for (unsigned int i = 0; i <= nr_areas && n < VFIO_PASSTHROUGH_BAR_TRAPS; i++) {
		uint64_t end = i < nr_areas ? areas[i].offset : size;

		if (end > size)
			end = size;
		if (end > at)
			traps[n++] = (struct vfio_pci_bar_range) { at, end - at };
		if (i < nr_areas && areas[i].offset + areas[i].size > at)
			at = areas[i].offset + areas[i].size;
	}
	/* Insertion in offset order: there are a handful at most. */
	for (unsigned int i = 0; i < nr_msix && n < VFIO_PASSTHROUGH_BAR_TRAPS; i++) {
		unsigned int j = n++;

		for (; j > 0 && traps[j - 1].offset > msix[i].offset; j--)
			traps[j] = traps[j - 1];
		traps[j] = msix[i];
	}
	return n;
}

unsigned int vfio_passthrough_bar_pieces(uint64_t size,
					 const struct vfio_pci_bar_range *traps,
					 unsigned int nr_traps,
					 struct vfio_pci_bar_range pieces[VFIO_PASSTHROUGH_BAR_PIECES])
{
	uint64_t at = 0;
	unsigned int n = 0;

	for (unsigned int t = 0; t <= nr_traps && n < VFIO_PASSTHROUGH_BAR_PIECES; t++) {
		uint64_t end = size;

		if (t < nr_traps && traps[t].offset < size)
			end = traps[t].offset;
		if (end > at)
			pieces[n++] = (struct vfio_pci_bar_range) { at, end - at };
		if (t == nr_traps)
			break;
		if (traps[t].offset >= size || traps[t].size >= size - traps[t].offset)
			break;		/* the trap reaches the BAR's end */
		if (traps[t].offset + traps[t].size > at)
			at = traps[t].offset + traps[t].size;
	}
	return n;
}

/*
 * The mmapped BAR straight into the guest, minus the MSI-X table and PBA
 * pages, which stay trapped (bar_access), and minus what VFIO's sparse
 * mmap areas leave out. A BAR VFIO would not let us mmap or smaller than a
 * page is trapped whole.
 */
static void bar_map_pieces(struct pt_device *d, unsigned int bar, uint64_t addr)
{
	const struct vfio_region *r = &d->bars[bar];
	struct vfio_pci_bar_range msix_traps[2], traps[VFIO_PASSTHROUGH_BAR_TRAPS];
	struct vfio_pci_bar_range pieces[PT_BAR_PIECES];
	struct vfio_pci_msix_info msix;
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	unsigned int nr_msix = 0, nr_traps, n;

	if (!r->map || r->size < page || r->size % page)
		return;
	if (vfio_pci_config_msix(&d->cfg, &msix) && msix.bar == bar)
		nr_msix = vfio_pci_config_msix_traps(&d->cfg, page, msix_traps);
	nr_traps = vfio_passthrough_bar_traps(r->size, r->areas, r->nr_areas, msix_traps,
					      nr_msix, traps);
	n = vfio_passthrough_bar_pieces(r->size, traps, nr_traps, pieces);
	for (unsigned int i = 0; i < n; i++) {
		uint64_t gpa = addr + pieces[i].offset;
		int ret = set_slot(d, bar, i, gpa, pieces[i].size, pieces[i].offset);

		if (ret) {
			log_warn("%s: BAR%u at 0x%llx: cannot map it into the guest (%s): trapped instead",
				 d->dev.bdf, bar, (unsigned long long)gpa, strerror(-ret));
			bar_unmap_pieces(d, bar);
			return;
		}
		d->pieces[bar][i] = (struct pt_piece) { gpa, pieces[i].size, true, false };
		piece_map_peer(d, bar, &d->pieces[bar][i], pieces[i].offset);
	}
}

static struct pt_device *to_pt_device(struct pci_device *pci)
{
	return pci->opaque;
}

static void pt_bar_remap(struct pci_device *pci, unsigned int bar, uint64_t addr,
			 bool enabled)
{
	struct pt_device *d = to_pt_device(pci);

	if (pci->bars[bar].flags & PCI_BAR_IO)
		return;
	bar_unmap_pieces(d, bar);
	if (enabled)
		bar_map_pieces(d, bar, addr);
}

static void pt_bar_access(struct pci_device *pci, unsigned int bar, uint64_t offset,
			  uint8_t *data, unsigned int size, bool is_write)
{
	struct pt_device *d = to_pt_device(pci);
	const struct vfio_region *r = &d->bars[bar];
	struct vfio_error err;
	int ret = -EINVAL;

	if (pci_msix_access(pci, bar, offset, data, size, is_write))
		return;
	/* The guest's BAR may be larger (a sub-page BAR shown as a page). */
	if (offset < r->size && size <= r->size - offset)
		ret = is_write ? vfio_region_write(&d->dev, r, offset, data, size, &err) :
				 vfio_region_read(&d->dev, r, offset, data, size, &err);
	if (ret && !is_write)
		memset(data, 0xff, size);
	if (ret && ret != -EINVAL)
		log_debug("%s", err.msg);
}

static int set_irqs(struct pt_device *d, unsigned int index,
		    const struct pt_vector *v, unsigned int count)
{
	int32_t *fds = calloc(count ? count : 1, sizeof(*fds));
	struct vfio_error err;
	int ret;

	if (!fds)
		return -ENOMEM;
	for (unsigned int i = 0; i < count; i++)
		fds[i] = v[i].fd;
	ret = vfio_device_set_irqs(&d->dev, index, VFIO_IRQ_SET_ACTION_TRIGGER, fds, count, &err);
	if (ret)
		log_warn("%s", err.msg);
	free(fds);
	return ret;
}

/* A vector's route follows the guest's message; masked, its irqfd is off. */
static void vector_update(struct pt_device *d, struct pt_vector *v, uint64_t addr,
			  uint32_t data, bool masked)
{
	struct vm *vm = d->pt->vm;

	if (irq_msi_route(vm, v->gsi, addr, data, d->cfg.pci.devfn, 0) < 0)
		log_warn("%s: cannot route an MSI vector to 0x%llx", d->dev.bdf,
			 (unsigned long long)addr);
	/*
	 * KVM fires an irqfd whose eventfd was signalled before it was
	 * assigned: what arrived while masked is delivered on unmask.
	 */
	if (masked && v->irqfd) {
		irqfd_deassign(vm, v->fd, v->gsi);
		v->irqfd = false;
	} else if (!masked && !v->irqfd) {
		v->irqfd = !irqfd_assign(vm, v->fd, v->gsi, -1);
	}
}

static void vectors_off(struct pt_device *d, struct pt_vector *v, unsigned int nr)
{
	for (unsigned int i = 0; i < nr; i++) {
		if (v[i].irqfd)
			irqfd_deassign(d->pt->vm, v[i].fd, v[i].gsi);
		v[i].irqfd = false;
	}
}

/* INTx only while the guest has neither MSI nor MSI-X on (PCI 3.0 6.8.1.3). */
static bool intx_wanted(struct pt_device *d)
{
	struct vfio_pci_msi msi;

	if (d->intx.gsi < 0 || pci_msix_enabled(&d->cfg.pci))
		return false;
	return !vfio_pci_config_msi(&d->cfg, &msi) || !msi.enabled;
}

/*
 * Before MSI or MSI-X go to VFIO, INTx must be off (VFIO serves one
 * index at a time); after they are off, it comes back.
 */
static void intx_sync(struct pt_device *d)
{
	struct vfio_error err;

	if (!intx_wanted(d)) {
		vfio_intx_disable(&d->intx, &d->dev, d->pt->vm);
		return;
	}
	if (!d->intx.on && vfio_intx_enable(&d->intx, &d->dev, d->pt->vm, &err))
		log_warn("%s", err.msg);
}

static void pt_msix_vector(struct pt_device *d, unsigned int i)
{
	uint64_t addr;
	uint32_t data;
	bool masked;

	if (i < d->nr_msix && pci_msix_message(&d->cfg.pci, i, &addr, &data, &masked))
		vector_update(d, &d->msix[i], addr, data, masked);
}

static void pt_msix_update(struct pci_device *pci, int vector)
{
	struct pt_device *d = to_pt_device(pci);

	if (!pci_msix_enabled(pci)) {
		/* Function-masked or off: nothing may be wired. */
		vectors_off(d, d->msix, d->nr_msix);
		if (d->msix_on)
			set_irqs(d, VFIO_PCI_MSIX_IRQ_INDEX, NULL, 0);
		d->msix_on = false;
		intx_sync(d);
		return;
	}
	intx_sync(d);
	if (!d->msix_on)
		d->msix_on = !set_irqs(d, VFIO_PCI_MSIX_IRQ_INDEX, d->msix, d->nr_msix);
	if (vector >= 0) {
		pt_msix_vector(d, vector);
		return;
	}
	for (unsigned int i = 0; i < d->nr_msix; i++)
		pt_msix_vector(d, i);
}

static void pt_msi_update(struct vfio_pci_config *cfg)
{
	struct pt_device *d = cfg->pci.opaque;
	struct vfio_pci_msi msi;
	unsigned int want = 0;

	if (vfio_pci_config_msi(cfg, &msi) && msi.enabled)
		want = msi.vectors < d->nr_msi ? msi.vectors : d->nr_msi;
	if (want != d->msi_on) {
		vectors_off(d, d->msi, d->nr_msi);
		if (d->msi_on)
			set_irqs(d, VFIO_PCI_MSI_IRQ_INDEX, NULL, 0);
		d->msi_on = 0;
		/* Off before MSI goes on, on again once MSI is off. */
		intx_sync(d);
		if (want && !set_irqs(d, VFIO_PCI_MSI_IRQ_INDEX, d->msi, want))
			d->msi_on = want;
	}
	for (unsigned int i = 0; i < d->msi_on; i++) {
		/* Multiple messages: vector n replaces the low bits of the data. */
		uint32_t data = (msi.data & ~(uint32_t)(msi.vectors - 1)) | i;

		vector_update(d, &d->msi[i], msi.addr, data,
			      msi.maskable && (msi.mask & (1U << i)));
	}
}

static int pt_config_read(struct vfio_pci_config *cfg, unsigned int offset,
			  void *data, unsigned int size)
{
	struct pt_device *d = cfg->pci.opaque;
	struct vfio_error err;

	return vfio_region_read(&d->dev, &d->config_region, offset, data, size, &err);
}

static int pt_config_write(struct vfio_pci_config *cfg, unsigned int offset,
			   const void *data, unsigned int size)
{
	struct pt_device *d = cfg->pci.opaque;
	struct vfio_error err;

	return vfio_region_write(&d->dev, &d->config_region, offset, data, size, &err);
}

static const struct vfio_pci_config_ops pt_config_ops = {
	.read = pt_config_read,
	.write = pt_config_write,
	.msi_update = pt_msi_update,
};

static const struct pci_device_ops pt_pci_ops = {
	.bar_access = pt_bar_access,
	.bar_remap = pt_bar_remap,
	.msix_update = pt_msix_update,
};

static void device_teardown(struct pt_device *d)
{
	struct vfio_error err;

	vfio_intx_close(&d->intx, &d->dev, d->pt->vm);
	vectors_off(d, d->msix, d->nr_msix);
	vectors_off(d, d->msi, d->nr_msi);
	if (d->msix_on)
		set_irqs(d, VFIO_PCI_MSIX_IRQ_INDEX, NULL, 0);
	if (d->msi_on)
		set_irqs(d, VFIO_PCI_MSI_IRQ_INDEX, NULL, 0);
	d->msix_on = false;
	d->msi_on = 0;
	for (unsigned int i = 0; i < d->nr_msix; i++)
		if (d->msix[i].fd >= 0)
			close(d->msix[i].fd);
	free(d->msix);
	d->msix = NULL;
	d->nr_msix = 0;
	for (unsigned int i = 0; i < d->nr_msi; i++)
		if (d->msi[i].fd >= 0)
			close(d->msi[i].fd);
	d->nr_msi = 0;
	for (unsigned int bar = 0; bar < PCI_NR_BARS; bar++) {
		bar_unmap_pieces(d, bar);
		vfio_region_unmap(&d->bars[bar]);
	}
	if (d->cfg_ready)
		vfio_pci_config_destroy(&d->cfg);
	d->cfg_ready = false;
	/*
	 * Reset on the way out, as at the start: the next user of the device
	 * (another run, or a host driver) must not find it still mastering
	 * into IOVAs that are about to be unmapped.
	 */
	if (d->dev.fd >= 0 && vfio_device_reset(&d->dev, &err))
		log_debug("%s", err.msg);
	vfio_device_close(&d->dev);
}

static void passthrough_teardown(void *arg)
{
	struct vfio_passthrough *pt = arg;
	struct vfio_error err;

	for (size_t i = pt->nr_devs; i--;)
		device_teardown(&pt->devs[i]);
	pt->nr_devs = 0;
	if (pt->dma_ready && vfio_dma_unmap_all(&pt->dma, &err))
		log_warn("%s", err.msg);
	pt->dma_ready = false;
	if (pt->container_open)
		vfio_container_close(&pt->container);
	pt->container_open = false;
	hostres_free(&pt->facts);
}

static int device_open(struct vfio_passthrough *pt, const char *bdf)
{
	struct pt_device *d = &pt->devs[pt->nr_devs];
	struct vfio_group *group;
	struct vfio_error err;
	int ret;

	*d = (struct pt_device) { .pt = pt, .index = pt->nr_devs, .dev.fd = -1,
				  .intx = { .trigger_fd = -1, .unmask_fd = -1, .gsi = -1 } };
	ret = vfio_group_get(&pt->container, "/sys", bdf, &group, &err);
	if (!ret)
		ret = vfio_device_open(&d->dev, group, bdf, &err);
	if (ret) {
		log_error("--vfio %s", err.msg);
		return ret;
	}
	pt->nr_devs++;
	ret = vfio_device_reset(&d->dev, &err);
	if (ret && ret != -EOPNOTSUPP)
		log_warn("%s", err.msg);
	return 0;
}

int vfio_passthrough_open(struct vm *vm, struct host_facts *facts,
			  unsigned int host, struct vfio_passthrough **out)
{
	const struct vm_config *cfg = vm->cfg;
	struct vfio_passthrough *pt;
	struct vfio_error err;
	int ret;

	*out = NULL;
	if (!cfg->nr_vfio)
		return 0;
	/* BAR slots count down from the top: they must stay clear of RAM's. */
	if (vm->nr_slots > VM_MAX_SLOTS - cfg->nr_vfio * PCI_NR_BARS * PT_BAR_PIECES) {
		log_error("--vfio: the plan's %u RAM banks leave no KVM memory slots for the devices' BARs (fewer host holes, or fewer devices)",
			  vm->nr_slots);
		return -ENOSPC;
	}
	pt = vm_alloc(vm, sizeof(*pt));
	if (!pt)
		return -ENOMEM;
	pt->vm = vm;
	ret = vm_on_destroy(vm, passthrough_teardown, pt);
	if (ret)
		return ret;
	/*
	 * The DMA checks need the facts for as long as BARs move (peer
	 * mappings), so they are the passthrough's from here on.
	 */
	pt->facts = *facts;
	memset(facts, 0, sizeof(*facts));
	ret = vfio_container_open(&pt->container, &err);
	if (ret) {
		log_error("--vfio %s: %s", cfg->vfio[0], err.msg);
		return ret;
	}
	pt->container_open = true;
	for (size_t i = 0; i < cfg->nr_vfio; i++) {
		ret = device_open(pt, cfg->vfio[i]);
		if (ret)
			return ret;
	}
	/* Before the devices are on the bus: from then on they may master. */
	vfio_dma_init(&pt->dma, &pt->container, &pt->facts, host);
	pt->dma.rules.allow_relaxable = vm->plan.allow_relaxable;
	ret = vfio_dma_map_plan(&pt->dma, &vm->plan, &vm->mem, &err);
	if (ret) {
		log_error("--vfio: cannot map guest RAM for DMA: %s", err.msg);
		return ret;
	}
	pt->dma_ready = true;
	*out = pt;
	return 0;
}

static int make_vectors(struct pt_device *d, struct pt_vector *v, unsigned int nr)
{
	for (unsigned int i = 0; i < nr; i++) {
		v[i] = (struct pt_vector) { .fd = -1, .gsi = -1 };
		/* A route before the irqfd; the guest's message replaces it. */
		v[i].gsi = irq_msi_route(d->pt->vm, -1, 0, 0, 0, 0);
		if (v[i].gsi < 0)
			return v[i].gsi;
		v[i].fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (v[i].fd < 0)
			return -errno;
	}
	return 0;
}

static int device_vectors(struct pt_device *d)
{
	struct vfio_pci_msix_info msix;
	int ret = 0;

	if (vfio_pci_config_msix(&d->cfg, &msix) && msix.vectors) {
		d->msix = calloc(msix.vectors, sizeof(*d->msix));
		if (!d->msix)
			return -ENOMEM;
		for (unsigned int i = 0; i < msix.vectors; i++)
			d->msix[i].fd = -1;
		d->nr_msix = msix.vectors;
		ret = make_vectors(d, d->msix, d->nr_msix);
	}
	if (!ret && d->cfg.msi_cap) {
		/* Multiple Message Capable: log2 of the vectors the device offers. */
		unsigned int mmc = (d->cfg.pci.config[d->cfg.msi_cap + 2] >> 1) & 7;

		d->nr_msi = 1U << (mmc > 5 ? 5 : mmc);
		for (unsigned int i = 0; i < d->nr_msi; i++)
			d->msi[i].fd = -1;
		ret = make_vectors(d, d->msi, d->nr_msi);
	}
	return ret;
}

/*
 * INTx on the line the host bridge gave the pin, on from the start: the
 * guest has no MSI or MSI-X until it enables them. A device or a KVM
 * without what INTx needs works without it (MSI and MSI-X still do).
 */
static int device_intx(struct pt_device *d)
{
	struct vfio_error err;
	int ret;

	if (d->cfg.pci.intx_line < 0)
		return 0;
	ret = vfio_intx_open(&d->intx, &d->dev, d->pt->vm, d->cfg.pci.intx_line, &err);
	if (!ret && d->intx.gsi >= 0)
		ret = vfio_intx_enable(&d->intx, &d->dev, d->pt->vm, &err);
	if (ret) {
		log_error("--vfio %s", err.msg);
		return ret;
	}
	if (err.msg[0])
		log_info("%s", err.msg);
	else
		log_info("%s: INTx pin %c on line %d (resample irqfd on GSI %d)", d->dev.bdf,
			 'A' + d->cfg.pci.config[PCI_INTERRUPT_PIN] - 1, d->cfg.pci.intx_line,
			 d->intx.gsi);
	return 0;
}

static int device_attach(struct pt_device *d, struct pci_host *host, bool hide_io_bars)
{
	struct vfio_pci_device_info info = { .name = d->dev.bdf, .hide_io_bars = hide_io_bars };
	uint8_t *config = NULL;
	struct vfio_error err;
	size_t size;
	int ret;

	ret = vfio_device_region(&d->dev, VFIO_PCI_CONFIG_REGION_INDEX,
				 &d->config_region, &err);
	if (ret)
		goto fail;
	size = d->config_region.size >= VFIO_PCI_EXT_CONFIG_SIZE ?
	       VFIO_PCI_EXT_CONFIG_SIZE : VFIO_PCI_STD_CONFIG_SIZE;
	config = calloc(1, size);
	if (!config)
		return -ENOMEM;
	ret = vfio_region_read(&d->dev, &d->config_region, 0, config, size, &err);
	if (ret)
		goto fail;
	info.config = config;
	info.config_size = size;
	for (unsigned int bar = 0; bar < PCI_NR_BARS; bar++) {
		ret = vfio_device_region(&d->dev, VFIO_PCI_BAR0_REGION_INDEX + bar,
					 &d->bars[bar], &err);
		if (ret)
			goto fail;
		info.bars[bar].size = d->bars[bar].size;
		info.bars[bar].flags = vfio_pci_bar_flags(config, bar);
	}
	ret = vfio_pci_config_init(&d->cfg, &info, &pt_config_ops, &pt_pci_ops, d, &err);
	if (ret)
		goto fail;
	d->cfg_ready = true;
	ret = device_vectors(d);
	if (ret) {
		log_error("--vfio %s: cannot set up its interrupts: %s", d->dev.bdf,
			  strerror(-ret));
		goto out;
	}
	ret = pci_host_add(host, &d->cfg.pci);
	if (ret) {
		log_error("--vfio %s: its BARs do not fit the plan's PCI windows or the bus is full",
			  d->dev.bdf);
		goto out;
	}
	ret = device_intx(d);
	if (ret)
		goto out;
	log_info("%s: assigned as PCI 00:%02x.0", d->dev.bdf, d->cfg.pci.devfn >> 3);
	goto out;
fail:
	log_error("--vfio %s", err.msg);
out:
	free(config);
	return ret;
}

int vfio_passthrough_attach(struct vfio_passthrough *pt, struct pci_host *host,
			    bool hide_io_bars)
{
	int ret;

	for (size_t i = 0; pt && i < pt->nr_devs; i++) {
		ret = device_attach(&pt->devs[i], host, hide_io_bars);
		if (ret)
			return ret;
	}
	return 0;
}
