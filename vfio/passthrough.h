/* SPDX-License-Identifier: GPL-2.0 */
/*
 * run --vfio: host PCI devices handed to the guest. Two steps in
 * build_machine's order: vfio_passthrough_open once guest memory exists
 * (container, groups, devices, the plan's RAM mapped for DMA: fatal when it
 * fails), then vfio_passthrough_attach from devices_setup, after the virtio
 * devices (config space virtualised, BARs as KVM memslots or trapped,
 * MSI/MSI-X vectors as irqfds on the routes the guest programs, INTx as a
 * resample irqfd while neither is on: vfio/intx.h). Whatever
 * was done is undone at vm_destroy, also after a failed setup. Messages
 * are printed here, once, naming the device.
 */
#ifndef SHAPEVM_VFIO_PASSTHROUGH_H
#define SHAPEVM_VFIO_PASSTHROUGH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vfio/device.h"
#include "vfio/pci_config.h"

struct host_facts;
struct pci_host;
struct vm;
struct vfio_passthrough;

/*
 * Sysfs only, before planning: each device exists, is bound to vfio-pci,
 * and its group is viable. One message and a negative errno otherwise.
 */
int vfio_passthrough_check(const char *sysfs_root, const char *const *bdfs,
			   size_t nr);

/*
 * Opens the devices of vm->cfg->vfio in one container and maps the plan's
 * RAM for DMA, checked against @facts' "this host" (host 0 of those made
 * from this host). *pt is vm_alloc'd; NULL (and 0) when no device is given.
 * When there are devices the passthrough takes @facts over (they check the
 * BARs' peer mappings while the guest runs) and leaves *@facts empty.
 */
int vfio_passthrough_open(struct vm *vm, struct host_facts *facts,
			  unsigned int host, struct vfio_passthrough **pt);

/* Puts each device on @host's bus, in command-line order. */
int vfio_passthrough_attach(struct vfio_passthrough *pt, struct pci_host *host,
			    bool hide_io_bars);

/*
 * A BAR minus the MSI-X table and PBA pages and what VFIO would not let us
 * mmap: the first four pieces become memslots, the rest stays trapped.
 */
#define VFIO_PASSTHROUGH_BAR_PIECES	4
/* The gaps around VFIO_REGION_MAX_AREAS areas, and the table and PBA. */
#define VFIO_PASSTHROUGH_BAR_TRAPS	(VFIO_REGION_MAX_AREAS + 3)

/*
 * The parts of a BAR of @size that go into the guest as memslots: all of
 * it minus @traps (in offset order, as vfio_passthrough_bar_traps gives
 * them; clipped to the BAR). Pure. Returns how many pieces (0 to 4).
 */
unsigned int vfio_passthrough_bar_pieces(uint64_t size,
					 const struct vfio_pci_bar_range *traps,
					 unsigned int nr_traps,
					 struct vfio_pci_bar_range pieces[VFIO_PASSTHROUGH_BAR_PIECES]);

/*
 * What of a BAR of @size must stay trapped: the gaps between its mmap'ed
 * @areas (offset order, as vfio_region_areas gives them) and the @msix
 * pages, merged in offset order into @traps. Pure. Returns how many.
 */
unsigned int vfio_passthrough_bar_traps(uint64_t size,
					const struct vfio_region_area *areas,
					unsigned int nr_areas,
					const struct vfio_pci_bar_range *msix,
					unsigned int nr_msix,
					struct vfio_pci_bar_range traps[VFIO_PASSTHROUGH_BAR_TRAPS]);

#endif
